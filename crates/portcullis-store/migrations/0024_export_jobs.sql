-- User export jobs (issue 19): the gzip file a job made, in parts (base64
-- text, so one column type serves both backends), downloadable from any node
-- through a link signed with the job's own key.
ALTER TABLE jobs ADD COLUMN download_key TEXT;

CREATE TABLE job_files (
    tenant_id TEXT NOT NULL,
    job_id    TEXT NOT NULL,
    seq       BIGINT NOT NULL,
    data      TEXT NOT NULL,
    PRIMARY KEY (tenant_id, job_id, seq),
    FOREIGN KEY (tenant_id, job_id) REFERENCES jobs (tenant_id, id) ON DELETE CASCADE
);
