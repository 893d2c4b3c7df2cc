-- The tenant's e-mail provider (issue 17, Auth0's /api/v2/emails/provider):
-- the SMTP relay as a JSON document, and its password sealed with the
-- key-encryption key (never in the document, never answered).
ALTER TABLE tenants ADD COLUMN email_provider TEXT;
ALTER TABLE tenants ADD COLUMN email_provider_secret TEXT;
