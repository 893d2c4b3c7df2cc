-- Log streams (Auth0's /api/v2/log-streams, issue 23): the stream as answered
-- (doc, no secrets), its sink's secrets sealed by the shell, and where its
-- delivery stands: the last log_id delivered (cursor), consecutive failures
-- and when the next attempt is due. Delivery reads `logs` past the cursor.
CREATE TABLE log_streams (
    tenant_id       TEXT NOT NULL REFERENCES tenants(id),
    id              TEXT NOT NULL,
    doc             TEXT NOT NULL,
    sealed_secrets  TEXT NOT NULL,
    -- 'active', 'paused' or 'suspended'
    status          TEXT NOT NULL,
    cursor          TEXT NOT NULL,
    failures        BIGINT NOT NULL DEFAULT 0,
    next_attempt_at BIGINT NOT NULL DEFAULT 0,
    last_error      TEXT,
    -- Bumped by every PATCH: a failed attempt that started before one
    -- does not overwrite what it set.
    version         BIGINT NOT NULL DEFAULT 0,
    created_at      BIGINT NOT NULL,
    updated_at      BIGINT NOT NULL,
    PRIMARY KEY (tenant_id, id)
);
