-- Account linking (issue 18): a secondary user's row, moved here when it is
-- linked to a primary (its identity is then in the primary's `identities`).
-- Signing in with the identity finds the primary through it; unlinking moves
-- the row back to `users`. Goes with the primary.
CREATE TABLE linked_identities (
    tenant_id        TEXT NOT NULL,
    -- The secondary's user id (`google-oauth2|123`, `auth0|abc`).
    user_id          TEXT NOT NULL,
    primary_user_id  TEXT NOT NULL,
    -- The identity as the primary's `identities` names it.
    provider         TEXT NOT NULL,
    identity_user_id TEXT NOT NULL,
    connection       TEXT NOT NULL,
    email            TEXT NOT NULL,
    username         TEXT,
    -- argon2id, for a database identity; never the password.
    password_hash    TEXT,
    doc              TEXT NOT NULL,
    linked_at        BIGINT NOT NULL,
    PRIMARY KEY (tenant_id, user_id),
    FOREIGN KEY (tenant_id, primary_user_id) REFERENCES users (tenant_id, user_id) ON DELETE CASCADE
);
CREATE INDEX linked_identities_by_email ON linked_identities (tenant_id, connection, email);
CREATE INDEX linked_identities_by_primary ON linked_identities (tenant_id, primary_user_id);
