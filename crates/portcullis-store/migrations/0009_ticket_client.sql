-- The application a password reset was asked from (issue 13): the reset page's
-- "Password changed" and "link expired" answers link back to it. NULL when the
-- reset came from the Management API or from before this migration.
ALTER TABLE password_tickets ADD COLUMN client_id TEXT;
