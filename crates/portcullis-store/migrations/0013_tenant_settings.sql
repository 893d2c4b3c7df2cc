-- The tenant's settings (issue 17, Auth0's /api/v2/tenants/settings) as one
-- JSON document; NULL until first changed (Auth0's defaults apply).
ALTER TABLE tenants ADD COLUMN settings TEXT;
