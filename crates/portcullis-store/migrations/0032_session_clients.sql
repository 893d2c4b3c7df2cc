-- Back-channel logout (OpenID Connect Back-Channel Logout 1.0, issue 22):
-- the applications a session signed in to, recorded only for those that
-- registered a back-channel logout URL, so that ending the session tells
-- each of them. Goes with the session.
CREATE TABLE session_clients (
    tenant_id  TEXT NOT NULL,
    session_id TEXT NOT NULL,
    client_id  TEXT NOT NULL,
    created_at BIGINT NOT NULL,
    PRIMARY KEY (tenant_id, session_id, client_id),
    FOREIGN KEY (tenant_id, session_id) REFERENCES sessions (tenant_id, id) ON DELETE CASCADE
);
