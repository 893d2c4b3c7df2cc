-- Multi-factor authentication (issue 20): the tenant's Guardian settings,
-- each user's enrolled authenticators, and the MFA API's pending logins.

-- Factors turned on (`/guardian/factors`) and the policy (`/guardian/policies`),
-- as JSON arrays of Auth0's names.
CREATE TABLE guardian_settings (
    tenant_id TEXT PRIMARY KEY REFERENCES tenants(id),
    factors   TEXT NOT NULL,
    policies  TEXT NOT NULL
);

-- An authenticator: a TOTP secret sealed with the key-encryption key
-- (`sealed_secret`), or the hash of a recovery code (`secret_hash`). `last_step`
-- is the TOTP step of the last code accepted (a code is good once);
-- `failures` since `failure_window` bound guessing.
CREATE TABLE authenticators (
    tenant_id      TEXT NOT NULL,
    id             TEXT NOT NULL,
    user_id        TEXT NOT NULL,
    kind           TEXT NOT NULL,
    sealed_secret  TEXT,
    secret_hash    TEXT,
    confirmed      BOOLEAN NOT NULL,
    last_step      BIGINT,
    failures       BIGINT NOT NULL DEFAULT 0,
    failure_window BIGINT,
    created_at     BIGINT NOT NULL,
    last_auth_at   BIGINT,
    PRIMARY KEY (tenant_id, id),
    FOREIGN KEY (tenant_id, user_id) REFERENCES users (tenant_id, user_id) ON DELETE CASCADE
);
CREATE INDEX authenticators_by_user ON authenticators (tenant_id, user_id);

-- A login waiting for its second factor (the MFA API's `mfa_token`): only
-- the token's hash is kept; `used_at` makes it single use.
CREATE TABLE mfa_tokens (
    tenant_id  TEXT NOT NULL,
    token_hash TEXT NOT NULL,
    user_id    TEXT NOT NULL,
    client_id  TEXT NOT NULL,
    doc        TEXT NOT NULL,
    expires_at BIGINT NOT NULL,
    used_at    BIGINT,
    PRIMARY KEY (tenant_id, token_hash),
    FOREIGN KEY (tenant_id, user_id) REFERENCES users (tenant_id, user_id) ON DELETE CASCADE
);
