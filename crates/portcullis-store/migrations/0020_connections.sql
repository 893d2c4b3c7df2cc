-- Connections (issue 18): where users come from. A tenant's first database
-- connection is written by the store at start (TenantStore::
-- ensure_default_connection) with a random id, enabled for every client that
-- existed before, so nothing changes for them; once only (`connections_seeded`),
-- so a connection an administrator deleted stays deleted.
ALTER TABLE tenants ADD COLUMN connections_seeded BOOLEAN NOT NULL DEFAULT FALSE;

CREATE TABLE connections (
    tenant_id  TEXT NOT NULL REFERENCES tenants(id),
    id         TEXT NOT NULL,
    -- Unique and never changed: users and identities name their connection.
    name       TEXT NOT NULL,
    strategy   TEXT NOT NULL,
    doc        TEXT NOT NULL,
    -- An upstream's client secret sealed with the key-encryption key (the
    -- connection id as associated data); never the secret.
    secret     TEXT,
    created_at BIGINT NOT NULL,
    updated_at BIGINT NOT NULL,
    PRIMARY KEY (tenant_id, id),
    UNIQUE (tenant_id, name)
);

-- The applications a connection is enabled for (Auth0's `enabled_clients`).
CREATE TABLE connection_clients (
    tenant_id     TEXT NOT NULL,
    connection_id TEXT NOT NULL,
    client_id     TEXT NOT NULL,
    PRIMARY KEY (tenant_id, connection_id, client_id),
    FOREIGN KEY (tenant_id, connection_id) REFERENCES connections (tenant_id, id) ON DELETE CASCADE,
    FOREIGN KEY (tenant_id, client_id) REFERENCES clients (tenant_id, client_id) ON DELETE CASCADE
);
CREATE INDEX connection_clients_by_client ON connection_clients (tenant_id, client_id);

-- Previous password hashes (argon2id), for `password_history`: only hashes.
CREATE TABLE password_history (
    tenant_id  TEXT NOT NULL,
    user_id    TEXT NOT NULL,
    hash       TEXT NOT NULL,
    -- Per user, increasing: the order of changes even within one second.
    seq        BIGINT NOT NULL,
    created_at BIGINT NOT NULL,
    PRIMARY KEY (tenant_id, user_id, seq),
    FOREIGN KEY (tenant_id, user_id) REFERENCES users (tenant_id, user_id) ON DELETE CASCADE
);

-- Usernames (lower-cased) for `requires_username` connections: unique per
-- connection, and the key of a login by username.
ALTER TABLE users ADD COLUMN username TEXT;
CREATE UNIQUE INDEX users_username ON users (tenant_id, connection, username);
