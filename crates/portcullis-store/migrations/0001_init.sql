-- Portcullis schema v1 (SQLite and PostgreSQL alike). Every row belongs to a tenant.
CREATE TABLE tenants (
    id          TEXT PRIMARY KEY,
    created_at  BIGINT NOT NULL
);

CREATE TABLE clients (
    tenant_id   TEXT NOT NULL REFERENCES tenants(id),
    client_id   TEXT NOT NULL,
    -- SHA-256 of the client secret; NULL for public clients. Never the secret.
    secret_hash TEXT,
    doc         TEXT NOT NULL,
    created_at  BIGINT NOT NULL,
    updated_at  BIGINT NOT NULL,
    PRIMARY KEY (tenant_id, client_id)
);

CREATE TABLE resource_servers (
    tenant_id   TEXT NOT NULL REFERENCES tenants(id),
    id          TEXT NOT NULL,
    identifier  TEXT NOT NULL,
    is_system   BOOLEAN NOT NULL DEFAULT FALSE,
    doc         TEXT NOT NULL,
    created_at  BIGINT NOT NULL,
    updated_at  BIGINT NOT NULL,
    PRIMARY KEY (tenant_id, id),
    UNIQUE (tenant_id, identifier)
);

CREATE TABLE client_grants (
    tenant_id   TEXT NOT NULL,
    id          TEXT NOT NULL,
    client_id   TEXT NOT NULL,
    audience    TEXT NOT NULL,
    doc         TEXT NOT NULL,
    created_at  BIGINT NOT NULL,
    updated_at  BIGINT NOT NULL,
    PRIMARY KEY (tenant_id, id),
    UNIQUE (tenant_id, client_id, audience),
    FOREIGN KEY (tenant_id, client_id) REFERENCES clients (tenant_id, client_id) ON DELETE CASCADE,
    FOREIGN KEY (tenant_id, audience) REFERENCES resource_servers (tenant_id, identifier)
        ON DELETE CASCADE ON UPDATE CASCADE
);
CREATE INDEX client_grants_by_audience ON client_grants (tenant_id, audience);

CREATE TABLE signing_keys (
    tenant_id          TEXT NOT NULL REFERENCES tenants(id),
    kid                TEXT NOT NULL,
    alg                TEXT NOT NULL,
    state              TEXT NOT NULL,
    -- PKCS#8 sealed with the key-encryption key (AES-256-GCM), base64.
    sealed_private_key TEXT NOT NULL,
    -- DER certificate, base64.
    certificate        TEXT NOT NULL,
    created_at         BIGINT NOT NULL,
    current_since      BIGINT,
    current_until      BIGINT,
    revoked_at         BIGINT,
    PRIMARY KEY (tenant_id, kid)
);
-- At most one current and one next key per tenant and algorithm.
CREATE UNIQUE INDEX signing_keys_one_per_live_state ON signing_keys (tenant_id, alg, state)
    WHERE state IN ('current', 'next');
