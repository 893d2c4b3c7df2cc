-- The tenant's e-mail templates (issue 17, Auth0's /api/v2/email-templates):
-- one JSON document per template name. Without one, the built-in mail is sent.
CREATE TABLE email_templates (
    tenant_id  TEXT NOT NULL REFERENCES tenants(id),
    name       TEXT NOT NULL,
    doc        TEXT NOT NULL,
    updated_at BIGINT NOT NULL,
    PRIMARY KEY (tenant_id, name)
);
