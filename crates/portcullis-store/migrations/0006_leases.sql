-- Background work that one node at a time should do (clean-up): a lease with
-- an expiry, so a node that dies holding it is replaced after the expiry.
CREATE TABLE leases (
    tenant_id  TEXT NOT NULL REFERENCES tenants(id),
    name       TEXT NOT NULL,
    holder     TEXT NOT NULL,
    expires_at BIGINT NOT NULL,
    PRIMARY KEY (tenant_id, name)
);
