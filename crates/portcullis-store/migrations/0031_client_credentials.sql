-- private_key_jwt (RFC 7523, issue 22): applications' registered public keys
-- (Auth0's client credentials of type public_key), and the jti of every
-- assertion accepted, kept until it expires so none is accepted twice on any
-- node.
CREATE TABLE client_credentials (
    tenant_id  TEXT NOT NULL,
    client_id  TEXT NOT NULL,
    -- `cred_…`
    id         TEXT NOT NULL,
    doc        TEXT NOT NULL,
    created_at BIGINT NOT NULL,
    PRIMARY KEY (tenant_id, id),
    FOREIGN KEY (tenant_id, client_id) REFERENCES clients (tenant_id, client_id) ON DELETE CASCADE
);
CREATE INDEX client_credentials_by_client ON client_credentials (tenant_id, client_id);

CREATE TABLE client_assertion_jtis (
    tenant_id  TEXT NOT NULL REFERENCES tenants(id),
    client_id  TEXT NOT NULL,
    jti        TEXT NOT NULL,
    expires_at BIGINT NOT NULL,
    PRIMARY KEY (tenant_id, client_id, jti)
);
