-- Refresh tokens: opaque, stored as hashes, grouped in rotation families.
CREATE TABLE refresh_tokens (
    tenant_id       TEXT NOT NULL REFERENCES tenants(id),
    -- Public id (Auth0's refresh token id), never the token.
    id              TEXT NOT NULL,
    -- SHA-256 of the token.
    token_hash      TEXT NOT NULL UNIQUE,
    -- Every token rotated from one grant shares the family id.
    family_id       TEXT NOT NULL,
    client_id       TEXT NOT NULL,
    user_id         TEXT NOT NULL,
    session_id      TEXT,
    audience        TEXT,
    scope           TEXT NOT NULL,
    rotating        BOOLEAN NOT NULL,
    -- 0 for the first token of a family; each rotation adds one.
    generation      BIGINT NOT NULL,
    created_at      BIGINT NOT NULL,
    -- Absolute expiry, fixed for the whole family at issue; NULL = never.
    expires_at      BIGINT,
    -- Idle expiry, renewed by each exchange; NULL = never.
    idle_expires_at BIGINT,
    used_at         BIGINT,
    revoked_at      BIGINT,
    PRIMARY KEY (tenant_id, id),
    FOREIGN KEY (tenant_id, user_id) REFERENCES users (tenant_id, user_id) ON DELETE CASCADE
);
CREATE INDEX refresh_tokens_by_family ON refresh_tokens (tenant_id, family_id);
CREATE INDEX refresh_tokens_by_user ON refresh_tokens (tenant_id, user_id, client_id);
