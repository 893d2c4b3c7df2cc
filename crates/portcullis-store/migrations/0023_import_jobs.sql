-- Bulk user import jobs (issue 19). A job's uploaded users are kept in
-- chunks (a JSON array each) until the job is done, so that any node can
-- process it and a restart resumes at the first chunk not done: a chunk's
-- users, its errors, its `done_at` and the job's counts are written in one
-- transaction (never half a chunk). `job_keys` remembers the e-mails, ids and
-- usernames a job has seen, to refuse a user given twice in one file.
ALTER TABLE jobs ADD COLUMN inserted BIGINT NOT NULL DEFAULT 0;
ALTER TABLE jobs ADD COLUMN updated BIGINT NOT NULL DEFAULT 0;
ALTER TABLE jobs ADD COLUMN failed BIGINT NOT NULL DEFAULT 0;
ALTER TABLE jobs ADD COLUMN total BIGINT NOT NULL DEFAULT 0;
ALTER TABLE jobs ADD COLUMN chunks BIGINT NOT NULL DEFAULT 0;
ALTER TABLE jobs ADD COLUMN chunks_done BIGINT NOT NULL DEFAULT 0;
ALTER TABLE jobs ADD COLUMN started_at BIGINT;
ALTER TABLE jobs ADD COLUMN finished_at BIGINT;
ALTER TABLE jobs ADD COLUMN status_details TEXT;

CREATE TABLE job_chunks (
    tenant_id TEXT NOT NULL,
    job_id    TEXT NOT NULL,
    seq       BIGINT NOT NULL,
    -- The index in the file of the chunk's first user.
    first     BIGINT NOT NULL,
    users     TEXT NOT NULL,
    done_at   BIGINT,
    PRIMARY KEY (tenant_id, job_id, seq),
    FOREIGN KEY (tenant_id, job_id) REFERENCES jobs (tenant_id, id) ON DELETE CASCADE
);

CREATE TABLE job_errors (
    tenant_id TEXT NOT NULL,
    job_id    TEXT NOT NULL,
    -- The user's index in the file.
    idx       BIGINT NOT NULL,
    -- `{user (secrets masked), errors: [{code, message, path}]}`
    doc       TEXT NOT NULL,
    PRIMARY KEY (tenant_id, job_id, idx),
    FOREIGN KEY (tenant_id, job_id) REFERENCES jobs (tenant_id, id) ON DELETE CASCADE
);

CREATE TABLE job_keys (
    tenant_id TEXT NOT NULL,
    job_id    TEXT NOT NULL,
    -- `email:…`, `user_id:…` or `username:…`
    key       TEXT NOT NULL,
    PRIMARY KEY (tenant_id, job_id, key),
    FOREIGN KEY (tenant_id, job_id) REFERENCES jobs (tenant_id, id) ON DELETE CASCADE
);
