-- Users, browser sessions, login transactions, authorization codes, audit logs.
CREATE TABLE users (
    tenant_id     TEXT NOT NULL REFERENCES tenants(id),
    user_id       TEXT NOT NULL,
    connection    TEXT NOT NULL,
    -- Normalised (trimmed, lower-case): unique per connection.
    email         TEXT NOT NULL,
    -- argon2id PHC string; never the password.
    password_hash TEXT,
    doc           TEXT NOT NULL,
    logins_count  BIGINT NOT NULL DEFAULT 0,
    last_login    BIGINT,
    last_ip       TEXT,
    created_at    BIGINT NOT NULL,
    updated_at    BIGINT NOT NULL,
    PRIMARY KEY (tenant_id, user_id),
    UNIQUE (tenant_id, connection, email)
);

CREATE TABLE sessions (
    tenant_id    TEXT NOT NULL REFERENCES tenants(id),
    -- Public session id (the `sid` claim).
    id           TEXT NOT NULL,
    -- SHA-256 of the cookie value; never the cookie.
    token_hash   TEXT NOT NULL UNIQUE,
    user_id      TEXT NOT NULL,
    auth_time    BIGINT NOT NULL,
    created_at   BIGINT NOT NULL,
    last_seen_at BIGINT NOT NULL,
    expires_at   BIGINT NOT NULL,
    ended_at     BIGINT,
    PRIMARY KEY (tenant_id, id),
    FOREIGN KEY (tenant_id, user_id) REFERENCES users (tenant_id, user_id) ON DELETE CASCADE
);

CREATE TABLE login_transactions (
    tenant_id    TEXT NOT NULL REFERENCES tenants(id),
    id           TEXT NOT NULL,
    -- SHA-256 of the browser-binding cookie: only that browser may finish it.
    browser_hash TEXT NOT NULL,
    csrf         TEXT NOT NULL,
    doc          TEXT NOT NULL,
    created_at   BIGINT NOT NULL,
    expires_at   BIGINT NOT NULL,
    PRIMARY KEY (tenant_id, id)
);

CREATE TABLE authorization_codes (
    tenant_id   TEXT NOT NULL REFERENCES tenants(id),
    -- SHA-256 of the code; never the code.
    code_hash   TEXT NOT NULL,
    client_id   TEXT NOT NULL,
    user_id     TEXT NOT NULL,
    doc         TEXT NOT NULL,
    created_at  BIGINT NOT NULL,
    expires_at  BIGINT NOT NULL,
    redeemed_at BIGINT,
    -- Ids of the tokens the redemption issued, revoked if the code is replayed.
    issued_jti  TEXT,
    PRIMARY KEY (tenant_id, code_hash)
);

CREATE TABLE revoked_tokens (
    tenant_id  TEXT NOT NULL REFERENCES tenants(id),
    jti        TEXT NOT NULL,
    expires_at BIGINT NOT NULL,
    PRIMARY KEY (tenant_id, jti)
);

CREATE TABLE logs (
    tenant_id TEXT NOT NULL REFERENCES tenants(id),
    -- Sortable: milliseconds since the epoch, then random.
    log_id    TEXT NOT NULL,
    date      BIGINT NOT NULL,
    type      TEXT NOT NULL,
    user_id   TEXT,
    client_id TEXT,
    doc       TEXT NOT NULL,
    PRIMARY KEY (tenant_id, log_id)
);
CREATE INDEX logs_by_user ON logs (tenant_id, user_id, log_id);

-- Brute-force protection: failures per key (account, or IP) in a window.
CREATE TABLE login_failures (
    tenant_id     TEXT NOT NULL REFERENCES tenants(id),
    key           TEXT NOT NULL,
    failures      BIGINT NOT NULL,
    window_start  BIGINT NOT NULL,
    blocked_until BIGINT,
    PRIMARY KEY (tenant_id, key)
);

-- A user's consent to a third-party application's scopes (Auth0's /api/v2/grants).
CREATE TABLE consents (
    tenant_id  TEXT NOT NULL REFERENCES tenants(id),
    user_id    TEXT NOT NULL,
    client_id  TEXT NOT NULL,
    audience   TEXT NOT NULL,
    scope      TEXT NOT NULL,
    created_at BIGINT NOT NULL,
    PRIMARY KEY (tenant_id, user_id, client_id, audience),
    FOREIGN KEY (tenant_id, user_id) REFERENCES users (tenant_id, user_id) ON DELETE CASCADE
);

-- Password-reset tickets sent by e-mail; single use.
CREATE TABLE password_tickets (
    tenant_id  TEXT NOT NULL REFERENCES tenants(id),
    -- SHA-256 of the ticket in the link; never the ticket.
    token_hash TEXT NOT NULL,
    user_id    TEXT NOT NULL,
    csrf       TEXT NOT NULL,
    created_at BIGINT NOT NULL,
    expires_at BIGINT NOT NULL,
    used_at    BIGINT,
    PRIMARY KEY (tenant_id, token_hash),
    FOREIGN KEY (tenant_id, user_id) REFERENCES users (tenant_id, user_id) ON DELETE CASCADE
);
