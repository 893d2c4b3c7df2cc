-- Sign-in through an upstream identity provider (issue 18): the `state` sent
-- to it (as its SHA-256, single use), bound to the login transaction it
-- continues, with the nonce and the PKCE verifier (sealed with the
-- key-encryption key). Goes with its transaction.
CREATE TABLE upstream_states (
    tenant_id     TEXT NOT NULL,
    state_hash    TEXT NOT NULL,
    login_tx_id   TEXT NOT NULL,
    connection_id TEXT NOT NULL,
    nonce         TEXT NOT NULL,
    code_verifier TEXT NOT NULL,
    expires_at    BIGINT NOT NULL,
    PRIMARY KEY (tenant_id, state_hash),
    FOREIGN KEY (tenant_id, login_tx_id) REFERENCES login_transactions (tenant_id, id) ON DELETE CASCADE
);
