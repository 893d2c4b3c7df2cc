-- Auth0's prompts settings (/api/v2/prompts: identifier_first,
-- universal_login_experience) and the tenant's custom text per prompt and
-- language (/api/v2/prompts/{prompt}/custom-text/{language}), issue 23.
CREATE TABLE prompt_settings (
    tenant_id TEXT NOT NULL REFERENCES tenants(id),
    doc       TEXT NOT NULL,
    PRIMARY KEY (tenant_id)
);

CREATE TABLE prompt_texts (
    tenant_id TEXT NOT NULL REFERENCES tenants(id),
    prompt    TEXT NOT NULL,
    language  TEXT NOT NULL,
    doc       TEXT NOT NULL,
    PRIMARY KEY (tenant_id, prompt, language)
);
