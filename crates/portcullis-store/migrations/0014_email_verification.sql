-- E-mail verification (issue 17): single-use links to the verify page, made by
-- `POST /api/v2/tickets/email-verification` or e-mailed by
-- `POST /api/v2/jobs/verification-email`. The address the link was made for is
-- kept: a link verifies only that address, never one the user changed to
-- since.
CREATE TABLE email_tickets (
    tenant_id  TEXT NOT NULL,
    -- SHA-256 of the ticket in the link; never the ticket.
    token_hash TEXT NOT NULL,
    user_id    TEXT NOT NULL,
    email      TEXT NOT NULL,
    client_id  TEXT,
    result_url TEXT,
    created_at BIGINT NOT NULL,
    expires_at BIGINT NOT NULL,
    used_at    BIGINT,
    PRIMARY KEY (tenant_id, token_hash),
    FOREIGN KEY (tenant_id, user_id) REFERENCES users (tenant_id, user_id) ON DELETE CASCADE
);

-- Management API jobs (`/api/v2/jobs`): their kind, state and Auth0-shaped
-- record. Verification e-mails complete at once; imports and exports (issue 19)
-- will run in the background.
CREATE TABLE jobs (
    tenant_id  TEXT NOT NULL REFERENCES tenants(id),
    -- `job_…`
    id         TEXT NOT NULL,
    type       TEXT NOT NULL,
    status     TEXT NOT NULL,
    doc        TEXT NOT NULL,
    created_at BIGINT NOT NULL,
    PRIMARY KEY (tenant_id, id)
);
