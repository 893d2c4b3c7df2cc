-- The issuer a tenant was created with (issue 13): a node configured with
-- another issuer refuses to start instead of renaming the Management API under
-- the nodes already running. NULL on databases from before this migration; the
-- first start after it records its issuer.
ALTER TABLE tenants ADD COLUMN issuer TEXT;
