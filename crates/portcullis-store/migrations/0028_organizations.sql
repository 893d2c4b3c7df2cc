-- Organizations (issue 21): Auth0's business customers of one tenant. The
-- organization itself is a document (display name, branding, metadata)
-- beside its unique name; members, their organization roles and the
-- connections members sign in with are rows that go with the organization,
-- the user, the role or the connection (cascade).
CREATE TABLE organizations (
    tenant_id  TEXT NOT NULL REFERENCES tenants(id),
    -- `org_…`
    id         TEXT NOT NULL,
    name       TEXT NOT NULL,
    doc        TEXT NOT NULL,
    created_at BIGINT NOT NULL,
    updated_at BIGINT NOT NULL,
    PRIMARY KEY (tenant_id, id),
    UNIQUE (tenant_id, name)
);

CREATE TABLE organization_members (
    tenant_id       TEXT NOT NULL,
    organization_id TEXT NOT NULL,
    user_id         TEXT NOT NULL,
    created_at      BIGINT NOT NULL,
    PRIMARY KEY (tenant_id, organization_id, user_id),
    FOREIGN KEY (tenant_id, organization_id) REFERENCES organizations (tenant_id, id) ON DELETE CASCADE,
    FOREIGN KEY (tenant_id, user_id) REFERENCES users (tenant_id, user_id) ON DELETE CASCADE
);
CREATE INDEX organization_members_by_user ON organization_members (tenant_id, user_id);

-- Roles held only inside the organization (a member's organization roles).
CREATE TABLE organization_member_roles (
    tenant_id       TEXT NOT NULL,
    organization_id TEXT NOT NULL,
    user_id         TEXT NOT NULL,
    role_id         TEXT NOT NULL,
    created_at      BIGINT NOT NULL,
    PRIMARY KEY (tenant_id, organization_id, user_id, role_id),
    FOREIGN KEY (tenant_id, organization_id, user_id)
        REFERENCES organization_members (tenant_id, organization_id, user_id) ON DELETE CASCADE,
    FOREIGN KEY (tenant_id, role_id) REFERENCES roles (tenant_id, id) ON DELETE CASCADE
);
CREATE INDEX organization_member_roles_by_role ON organization_member_roles (tenant_id, role_id);

CREATE TABLE organization_connections (
    tenant_id                  TEXT NOT NULL,
    organization_id            TEXT NOT NULL,
    connection_id              TEXT NOT NULL,
    assign_membership_on_login BOOLEAN NOT NULL,
    show_as_button             BOOLEAN NOT NULL,
    is_signup_enabled          BOOLEAN NOT NULL,
    created_at                 BIGINT NOT NULL,
    PRIMARY KEY (tenant_id, organization_id, connection_id),
    FOREIGN KEY (tenant_id, organization_id) REFERENCES organizations (tenant_id, id) ON DELETE CASCADE,
    FOREIGN KEY (tenant_id, connection_id) REFERENCES connections (tenant_id, id) ON DELETE CASCADE
);
CREATE INDEX organization_connections_by_connection ON organization_connections (tenant_id, connection_id);

-- Pending invitations. The ticket in the link is kept as a hash (to find the
-- invitation from the link) and sealed with the key-encryption key (to show
-- the link again through the Management API, as Auth0 does); accepting an
-- invitation deletes it in the transaction that makes the member.
CREATE TABLE organization_invitations (
    tenant_id       TEXT NOT NULL,
    id              TEXT NOT NULL,
    organization_id TEXT NOT NULL,
    ticket_hash     TEXT NOT NULL,
    ticket_sealed   TEXT NOT NULL,
    doc             TEXT NOT NULL,
    created_at      BIGINT NOT NULL,
    expires_at      BIGINT NOT NULL,
    PRIMARY KEY (tenant_id, id),
    UNIQUE (tenant_id, ticket_hash),
    FOREIGN KEY (tenant_id, organization_id) REFERENCES organizations (tenant_id, id) ON DELETE CASCADE
);
CREATE INDEX organization_invitations_by_org ON organization_invitations (tenant_id, organization_id, created_at);

-- The client grants a machine may use for this organization (client
-- credentials with `organization=`), besides those that allow any.
CREATE TABLE organization_client_grants (
    tenant_id       TEXT NOT NULL,
    organization_id TEXT NOT NULL,
    grant_id        TEXT NOT NULL,
    created_at      BIGINT NOT NULL,
    PRIMARY KEY (tenant_id, organization_id, grant_id),
    FOREIGN KEY (tenant_id, organization_id) REFERENCES organizations (tenant_id, id) ON DELETE CASCADE,
    FOREIGN KEY (tenant_id, grant_id) REFERENCES client_grants (tenant_id, id) ON DELETE CASCADE
);
CREATE INDEX organization_client_grants_by_grant ON organization_client_grants (tenant_id, grant_id);

-- A refresh token issued inside an organization keeps it (and ends with the
-- organization, or with the membership).
ALTER TABLE refresh_tokens ADD COLUMN organization_id TEXT;
CREATE INDEX refresh_tokens_by_organization ON refresh_tokens (tenant_id, organization_id, user_id);
