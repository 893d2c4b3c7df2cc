-- What an e-mail ticket is for (issue 17): `verify_email` (every ticket before
-- this migration) or `unblock` (the link of the blocked-account e-mail, which
-- lifts the brute-force block of the account it was sent for). A ticket is
-- redeemed only for its own purpose.
ALTER TABLE email_tickets ADD COLUMN purpose TEXT NOT NULL DEFAULT 'verify_email';

-- A password ticket that also verifies the user's address keeps which address
-- (issue 17): spending it verifies that address only, never one the user
-- changed to after the ticket was made. Tickets made before this migration
-- (NULL) verify nothing.
ALTER TABLE password_tickets ADD COLUMN verify_address TEXT;
