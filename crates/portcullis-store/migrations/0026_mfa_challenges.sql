-- E-mailed one-time codes (issue 20): a challenge sent to an e-mail
-- authenticator, found by the hash of its `oob_code`; the code itself is kept
-- only as a hash (salted with the high-entropy oob_code), spent once.
CREATE TABLE mfa_challenges (
    tenant_id        TEXT NOT NULL,
    oob_hash         TEXT NOT NULL,
    authenticator_id TEXT NOT NULL,
    user_id          TEXT NOT NULL,
    code_hash        TEXT NOT NULL,
    expires_at       BIGINT NOT NULL,
    used_at          BIGINT,
    PRIMARY KEY (tenant_id, oob_hash),
    FOREIGN KEY (tenant_id, user_id) REFERENCES users (tenant_id, user_id) ON DELETE CASCADE
);

-- One authenticator of each kind per user: two enrolments at once cannot
-- leave two TOTP secrets (the second is refused).
CREATE UNIQUE INDEX authenticators_one_per_kind ON authenticators (tenant_id, user_id, kind);
