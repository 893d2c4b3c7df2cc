-- Security review (issue 12).
-- A code's redemption remembers the refresh-token family it started, and a
-- replay marks the code, so whichever of the two comes second revokes both
-- (RFC 6749 §4.1.2, RFC 9700 §4.5).
ALTER TABLE authorization_codes ADD COLUMN issued_family TEXT;
ALTER TABLE authorization_codes ADD COLUMN replayed_at BIGINT;
-- The client address that parked a login transaction, to bound how much one
-- address can park before signing in.
ALTER TABLE login_transactions ADD COLUMN client_ip TEXT;
CREATE INDEX login_transactions_by_ip ON login_transactions (tenant_id, client_ip, created_at);
CREATE INDEX password_tickets_by_user ON password_tickets (tenant_id, user_id);
CREATE INDEX sessions_by_user ON sessions (tenant_id, user_id);
