-- Role-based access control (issue 17): Auth0's roles, the permissions (an
-- API's scopes) they hold, and which users hold which roles and which
-- permissions directly. A permission names its API by the resource server's
-- id, so deleting the API deletes its permissions everywhere (cascade).
CREATE TABLE roles (
    tenant_id   TEXT NOT NULL REFERENCES tenants(id),
    -- `rol_…`
    id          TEXT NOT NULL,
    name        TEXT NOT NULL,
    description TEXT NOT NULL,
    created_at  BIGINT NOT NULL,
    updated_at  BIGINT NOT NULL,
    PRIMARY KEY (tenant_id, id),
    UNIQUE (tenant_id, name)
);

CREATE TABLE role_permissions (
    tenant_id          TEXT NOT NULL,
    role_id            TEXT NOT NULL,
    resource_server_id TEXT NOT NULL,
    permission_name    TEXT NOT NULL,
    created_at         BIGINT NOT NULL,
    PRIMARY KEY (tenant_id, role_id, resource_server_id, permission_name),
    FOREIGN KEY (tenant_id, role_id) REFERENCES roles (tenant_id, id) ON DELETE CASCADE,
    FOREIGN KEY (tenant_id, resource_server_id) REFERENCES resource_servers (tenant_id, id) ON DELETE CASCADE
);
CREATE INDEX role_permissions_by_api ON role_permissions (tenant_id, resource_server_id);

CREATE TABLE user_roles (
    tenant_id  TEXT NOT NULL,
    user_id    TEXT NOT NULL,
    role_id    TEXT NOT NULL,
    created_at BIGINT NOT NULL,
    PRIMARY KEY (tenant_id, user_id, role_id),
    FOREIGN KEY (tenant_id, user_id) REFERENCES users (tenant_id, user_id) ON DELETE CASCADE,
    FOREIGN KEY (tenant_id, role_id) REFERENCES roles (tenant_id, id) ON DELETE CASCADE
);
CREATE INDEX user_roles_by_role ON user_roles (tenant_id, role_id, user_id);

CREATE TABLE user_permissions (
    tenant_id          TEXT NOT NULL,
    user_id            TEXT NOT NULL,
    resource_server_id TEXT NOT NULL,
    permission_name    TEXT NOT NULL,
    created_at         BIGINT NOT NULL,
    PRIMARY KEY (tenant_id, user_id, resource_server_id, permission_name),
    FOREIGN KEY (tenant_id, user_id) REFERENCES users (tenant_id, user_id) ON DELETE CASCADE,
    FOREIGN KEY (tenant_id, resource_server_id) REFERENCES resource_servers (tenant_id, id) ON DELETE CASCADE
);
CREATE INDEX user_permissions_by_api ON user_permissions (tenant_id, resource_server_id);
