-- Hosted-page MFA (issue 20): when a browser session passed its second
-- factor (a later login through it is not asked again), and the browsers a
-- user asked to be remembered (the cookie's token kept only as a hash; the
-- Management API's invalidate-remember-browser deletes a user's rows).
ALTER TABLE sessions ADD COLUMN mfa_at BIGINT;

CREATE TABLE mfa_remembered_browsers (
    tenant_id  TEXT NOT NULL,
    token_hash TEXT NOT NULL,
    user_id    TEXT NOT NULL,
    created_at BIGINT NOT NULL,
    expires_at BIGINT NOT NULL,
    PRIMARY KEY (tenant_id, token_hash),
    FOREIGN KEY (tenant_id, user_id) REFERENCES users (tenant_id, user_id) ON DELETE CASCADE
);
CREATE INDEX mfa_remembered_browsers_user ON mfa_remembered_browsers (tenant_id, user_id);

-- WebAuthn authenticators (issue 20): the credential (webauthn-rs's JSON:
-- public key, sign count, backup state), and its id for finding a passkey
-- by the credential a browser offers.
ALTER TABLE authenticators ADD COLUMN credential TEXT;
ALTER TABLE authenticators ADD COLUMN credential_id TEXT;
-- W3C Web Authentication §7.1 step 22: a credential id registered once.
CREATE UNIQUE INDEX authenticators_credential_id ON authenticators (tenant_id, credential_id);

-- A WebAuthn ceremony under way: the challenge and what the server expects
-- (webauthn-rs's state), under the hash of what the page is bound to; taken
-- once by the answer.
CREATE TABLE webauthn_ceremonies (
    tenant_id  TEXT NOT NULL,
    id         TEXT NOT NULL,
    doc        TEXT NOT NULL,
    expires_at BIGINT NOT NULL,
    PRIMARY KEY (tenant_id, id)
);
