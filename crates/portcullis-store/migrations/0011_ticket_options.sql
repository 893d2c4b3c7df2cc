-- Password-change tickets made through the Management API (issue 16,
-- `POST /api/v2/tickets/password-change`): where the reset page sends the user
-- afterwards (`result_url`, with `email=` already in it when asked for), and
-- whether using the ticket marks the e-mail address verified.
ALTER TABLE password_tickets ADD COLUMN result_url TEXT;
ALTER TABLE password_tickets ADD COLUMN mark_email_verified BOOLEAN NOT NULL DEFAULT FALSE;
