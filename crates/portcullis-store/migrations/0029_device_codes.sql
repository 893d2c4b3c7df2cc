-- The device authorization grant (RFC 8628, issue 22). A device's request
-- waits here for the person at `<issuer>activate`; both of its codes are kept
-- only as SHA-256 hashes. Once approved, the login's grant is stored as an
-- authorization code under the device code's hash, so the device redeems it
-- once, as a code is redeemed.
CREATE TABLE device_codes (
    tenant_id        TEXT NOT NULL REFERENCES tenants(id),
    -- `dev_…`: what the parked login names; never shown.
    id               TEXT NOT NULL,
    device_code_hash TEXT NOT NULL,
    -- Of the user code without its dash, upper case.
    user_code_hash   TEXT NOT NULL,
    client_id        TEXT NOT NULL,
    -- Space-separated.
    scope            TEXT NOT NULL,
    audience         TEXT,
    -- pending | approved | denied
    status           TEXT NOT NULL,
    -- Of the secret `state` of the login started for it at the activation
    -- page: set once, when a browser confirms the code (so no second browser
    -- can take it over), and what an error coming back from that login names.
    state_hash       TEXT,
    poll_interval    BIGINT NOT NULL,
    last_polled_at   BIGINT,
    created_at       BIGINT NOT NULL,
    expires_at       BIGINT NOT NULL,
    PRIMARY KEY (tenant_id, id),
    UNIQUE (tenant_id, device_code_hash),
    UNIQUE (tenant_id, user_code_hash)
);
CREATE INDEX device_codes_by_state ON device_codes (tenant_id, state_hash);
