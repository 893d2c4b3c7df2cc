-- Auth0 Actions: drafts, deployed versions, and the bindings that run them.
CREATE TABLE actions (
    tenant_id  TEXT NOT NULL REFERENCES tenants(id),
    id         TEXT NOT NULL,
    name       TEXT NOT NULL,
    doc        TEXT NOT NULL,
    created_at BIGINT NOT NULL,
    updated_at BIGINT NOT NULL,
    PRIMARY KEY (tenant_id, id),
    UNIQUE (tenant_id, name)
);

CREATE TABLE action_versions (
    tenant_id  TEXT NOT NULL REFERENCES tenants(id),
    id         TEXT NOT NULL,
    action_id  TEXT NOT NULL,
    number     BIGINT NOT NULL,
    doc        TEXT NOT NULL,
    created_at BIGINT NOT NULL,
    PRIMARY KEY (tenant_id, id),
    UNIQUE (tenant_id, action_id, number)
);

-- One row per trigger: its bindings in run order, replaced as a whole by PATCH.
CREATE TABLE trigger_bindings (
    tenant_id  TEXT NOT NULL REFERENCES tenants(id),
    trigger_id TEXT NOT NULL,
    doc        TEXT NOT NULL,
    updated_at BIGINT NOT NULL,
    PRIMARY KEY (tenant_id, trigger_id)
);

-- Rules' `configuration` values, sealed under the key-encryption key.
CREATE TABLE rules_configs (
    tenant_id  TEXT NOT NULL REFERENCES tenants(id),
    key        TEXT NOT NULL,
    sealed     TEXT NOT NULL,
    updated_at BIGINT NOT NULL,
    PRIMARY KEY (tenant_id, key)
);

-- Bumped by every change to what nodes cache (applications, APIs, grants, keys,
-- rules, actions, bindings, rules configs), so that each node can tell cheaply
-- whether its caches are current.
CREATE TABLE config_generations (
    tenant_id  TEXT NOT NULL REFERENCES tenants(id),
    generation BIGINT NOT NULL,
    PRIMARY KEY (tenant_id)
);
