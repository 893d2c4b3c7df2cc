-- The tenant's look (Auth0's /api/v2/branding, issue 23) and its Universal
-- Login page template (Liquid, checked when saved).
CREATE TABLE branding (
    tenant_id      TEXT NOT NULL REFERENCES tenants(id),
    doc            TEXT NOT NULL,
    login_template TEXT,
    updated_at     BIGINT NOT NULL,
    PRIMARY KEY (tenant_id)
);
