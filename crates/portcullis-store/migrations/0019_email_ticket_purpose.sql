-- What an e-mail ticket is for (issue 17): `verify_email` (every ticket before
-- this migration) or `unblock` (the link of the blocked-account e-mail, which
-- lifts the brute-force block of the account it was sent for). A ticket is
-- redeemed only for its own purpose.
ALTER TABLE email_tickets ADD COLUMN purpose TEXT NOT NULL DEFAULT 'verify_email';
