-- Passwordless (Auth0's email and sms connections, issue 22): the one live
-- code or magic link per connection, recipient and application, stored only
-- as a hash, with the wrong attempts it has had and the authParams a link's
-- landing uses.
CREATE TABLE passwordless_codes (
    tenant_id   TEXT NOT NULL REFERENCES tenants(id),
    connection  TEXT NOT NULL,
    recipient   TEXT NOT NULL,
    client_id   TEXT NOT NULL,
    -- 'code' or 'link'
    kind        TEXT NOT NULL,
    code_hash   TEXT NOT NULL,
    auth_params TEXT NOT NULL,
    attempts    BIGINT NOT NULL DEFAULT 0,
    expires_at  BIGINT NOT NULL,
    created_at  BIGINT NOT NULL,
    PRIMARY KEY (tenant_id, connection, recipient, client_id)
);
