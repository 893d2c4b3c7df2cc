-- Dashboard members (issue 16): the people who administer the tenant, apart
-- from its users. Signed in only to the dashboard; their role decides their
-- Management API scopes at each request.
CREATE TABLE members (
    tenant_id     TEXT NOT NULL REFERENCES tenants(id),
    -- `mbr_…`; tokens carry `member|<id>` as their subject.
    id            TEXT NOT NULL,
    -- Lower-cased; the sign-in name.
    email         TEXT NOT NULL,
    -- argon2id (PHC string).
    password_hash TEXT NOT NULL,
    -- admin, editor or viewer.
    role          TEXT NOT NULL,
    created_at    BIGINT NOT NULL,
    updated_at    BIGINT NOT NULL,
    last_login    BIGINT,
    logins_count  BIGINT NOT NULL DEFAULT 0,
    PRIMARY KEY (tenant_id, id),
    UNIQUE (tenant_id, email)
);

-- A member's dashboard session: its own cookie, never the end users' SSO
-- session, so signing in to the dashboard never signs anyone in to an
-- application (and the other way round).
CREATE TABLE member_sessions (
    tenant_id    TEXT NOT NULL REFERENCES tenants(id),
    id           TEXT NOT NULL,
    -- SHA-256 of the cookie value; never the cookie.
    token_hash   TEXT NOT NULL UNIQUE,
    member_id    TEXT NOT NULL,
    auth_time    BIGINT NOT NULL,
    expires_at   BIGINT NOT NULL,
    PRIMARY KEY (tenant_id, id),
    FOREIGN KEY (tenant_id, member_id) REFERENCES members (tenant_id, id) ON DELETE CASCADE
);
