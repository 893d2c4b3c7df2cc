-- Pushed authorization requests (RFC 9126, issue 22): the parameters an
-- application pushed to /oauth/par, until /authorize takes them once by
-- their request_uri (whose reference is kept only as its SHA-256 hash).
CREATE TABLE pushed_requests (
    tenant_id      TEXT NOT NULL REFERENCES tenants(id),
    reference_hash TEXT NOT NULL,
    client_id      TEXT NOT NULL,
    -- JSON array of [name, value] pairs, without the client's credentials.
    params         TEXT NOT NULL,
    created_at     BIGINT NOT NULL,
    expires_at     BIGINT NOT NULL,
    PRIMARY KEY (tenant_id, reference_hash)
);
