-- A user's e-mail tickets, found by user (the cascade when a user is deleted).
CREATE INDEX email_tickets_by_user ON email_tickets (tenant_id, user_id);
