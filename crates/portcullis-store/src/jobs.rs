//! Management API jobs with work behind them: a user import's uploaded chunks,
//! their application one transaction per chunk, and the per-user errors.
//!
//! Invariants: a chunk's users, its errors, its `done_at` and the job's
//! counters are written together, so a job resumed after a crash neither skips
//! nor repeats a user; a job's chunks and keys are removed when it ends (its
//! errors stay for `GET /jobs/{id}/errors`).

use portcullis_core::jobs::{Job, JobKind, JobStatus, Progress};
use portcullis_core::user_import::{ImportRow, RowError, upsert};
use serde_json::{Value, json};

use crate::users::{Row, insert_user_row, to_user, update_user_row};
use crate::{StoreResult, TenantStore, decode, encode, with_db, write_db, write_tx};

/// One user of a chunk, as the shell checked it.
#[derive(Debug, Clone)]
pub struct ChunkUser {
    /// Its index in the file (0-based).
    pub index: i64,
    /// The user as uploaded, secrets masked (what an error report shows).
    pub masked: Value,
    pub parsed: Result<ImportRow, Vec<RowError>>,
}

/// What one chunk did.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct ChunkCounts {
    pub inserted: i64,
    pub updated: i64,
    pub failed: i64,
}

type JobRow = (
    String,
    String,
    i64,
    i64,
    i64,
    i64,
    i64,
    i64,
    Option<i64>,
    Option<String>,
);

const JOB_COLUMNS: &str = "doc, status, inserted, updated, failed, total, chunks, chunks_done, started_at, status_details";

fn to_job(r: JobRow) -> StoreResult<Job> {
    let (doc, status, inserted, updated, failed, total, chunks, chunks_done, started_at, details) =
        r;
    Ok(Job {
        doc: decode(&doc)?,
        status: JobStatus::parse(&status).unwrap_or(JobStatus::Failed),
        progress: Progress {
            inserted,
            updated,
            failed,
            total,
            chunks,
            chunks_done,
            started_at,
        },
        status_details: details,
    })
}

impl TenantStore {
    /// The job, with its state and counters.
    pub async fn job(&self, id: &str) -> StoreResult<Option<Job>> {
        let row: Option<JobRow> = with_db!(self, |pool| {
            sqlx::query_as(sqlx::AssertSqlSafe(format!(
                "SELECT {JOB_COLUMNS} FROM jobs WHERE tenant_id = $1 AND id = $2"
            )))
            .bind(self.id())
            .bind(id)
            .fetch_optional(pool)
            .await?
        });
        row.map(to_job).transpose()
    }

    /// How many jobs of this kind are uploading, waiting or running.
    pub async fn active_jobs(&self, kind: JobKind) -> StoreResult<i64> {
        let (n,): (i64,) = with_db!(self, |pool| {
            sqlx::query_as(
                "SELECT COUNT(*) FROM jobs WHERE tenant_id = $1 AND type = $2
                 AND status IN ('uploading', 'pending', 'processing')",
            )
            .bind(self.id())
            .bind(kind.as_str())
            .fetch_one(pool)
            .await?
        });
        Ok(n)
    }

    /// Records a new job of `kind` (Auth0's record in `doc`) unless `max` of
    /// its kind are already uploading, waiting or running: `false` then, and
    /// nothing is written. The tenant's row is locked first, so two requests
    /// at once cannot both pass the count (PostgreSQL's read-committed
    /// snapshot would let both see room for one more).
    pub async fn insert_job_within(
        &self,
        id: &str,
        kind: JobKind,
        status: JobStatus,
        doc: &Value,
        now: i64,
        max: i64,
    ) -> StoreResult<bool> {
        let doc = encode(doc)?;
        let inserted = write_tx!(self, |conn| {
            sqlx::query("UPDATE tenants SET id = id WHERE id = $1")
                .bind(self.id())
                .execute(&mut *conn)
                .await?;
            let (active,): (i64,) = sqlx::query_as(
                "SELECT COUNT(*) FROM jobs WHERE tenant_id = $1 AND type = $2
                 AND status IN ('uploading', 'pending', 'processing')",
            )
            .bind(self.id())
            .bind(kind.as_str())
            .fetch_one(&mut *conn)
            .await?;
            if active >= max {
                return Ok((false, false));
            }
            sqlx::query(
                "INSERT INTO jobs (tenant_id, id, type, status, doc, created_at) VALUES ($1, $2, $3, $4, $5, $6)",
            )
            .bind(self.id())
            .bind(id)
            .bind(kind.as_str())
            .bind(status.as_str())
            .bind(&doc)
            .bind(now)
            .execute(&mut *conn)
            .await?;
            true
        });
        Ok(inserted)
    }

    /// Keeps one chunk of an uploading job's users (a JSON array).
    pub async fn add_job_chunk(
        &self,
        id: &str,
        seq: i64,
        first: i64,
        users: &str,
    ) -> StoreResult<()> {
        write_db!(self, |conn| {
            sqlx::query(
                "INSERT INTO job_chunks (tenant_id, job_id, seq, first, users) VALUES ($1, $2, $3, $4, $5)",
            )
            .bind(self.id())
            .bind(id)
            .bind(seq)
            .bind(first)
            .bind(users)
            .execute(&mut *conn)
            .await?;
        });
        Ok(())
    }

    /// The upload is whole: the job waits for a runner.
    pub async fn finish_job_upload(
        &self,
        id: &str,
        doc: &Value,
        chunks: i64,
        total: i64,
    ) -> StoreResult<()> {
        let doc = encode(doc)?;
        write_db!(self, |conn| {
            sqlx::query(
                "UPDATE jobs SET status = 'pending', doc = $3, chunks = $4, total = $5
                 WHERE tenant_id = $1 AND id = $2 AND status = 'uploading'",
            )
            .bind(self.id())
            .bind(id)
            .bind(&doc)
            .bind(chunks)
            .bind(total)
            .execute(&mut *conn)
            .await?;
        });
        Ok(())
    }

    /// Removes a job and all it holds (an upload refused before it became a job).
    pub async fn delete_job(&self, id: &str) -> StoreResult<()> {
        write_db!(self, |conn| {
            sqlx::query("DELETE FROM jobs WHERE tenant_id = $1 AND id = $2")
                .bind(self.id())
                .bind(id)
                .execute(&mut *conn)
                .await?;
        });
        Ok(())
    }

    /// Ends a job: `completed`, or `failed` with `details`. Its remaining
    /// chunks and keys go; its errors stay.
    pub async fn end_job(
        &self,
        id: &str,
        status: JobStatus,
        details: Option<&str>,
        now: i64,
    ) -> StoreResult<()> {
        write_tx!(self, |conn| {
            for table in ["job_chunks", "job_keys"] {
                sqlx::query(sqlx::AssertSqlSafe(format!(
                    "DELETE FROM {table} WHERE tenant_id = $1 AND job_id = $2"
                )))
                .bind(self.id())
                .bind(id)
                .execute(&mut *conn)
                .await?;
            }
            sqlx::query(
                "UPDATE jobs SET status = $3, status_details = $4, finished_at = $5
                 WHERE tenant_id = $1 AND id = $2",
            )
            .bind(self.id())
            .bind(id)
            .bind(status.as_str())
            .bind(details)
            .bind(now)
            .execute(&mut *conn)
            .await?;
        });
        Ok(())
    }

    /// Jobs a runner should take up, oldest first; uploads that stopped
    /// arriving before `stale_before` (their node died) are failed here.
    pub async fn runnable_jobs(&self, stale_before: i64, now: i64) -> StoreResult<Vec<String>> {
        let stale: Vec<(String,)> = with_db!(self, |pool| {
            sqlx::query_as(
                "SELECT id FROM jobs WHERE tenant_id = $1 AND status = 'uploading' AND created_at < $2",
            )
            .bind(self.id())
            .bind(stale_before)
            .fetch_all(pool)
            .await?
        });
        for (id,) in stale {
            self.end_job(
                &id,
                JobStatus::Failed,
                Some("The upload of the users file was interrupted; no user was imported."),
                now,
            )
            .await?;
        }
        let rows: Vec<(String,)> = with_db!(self, |pool| {
            sqlx::query_as(
                "SELECT id FROM jobs WHERE tenant_id = $1 AND type IN ('users_import', 'users_export')
                 AND status IN ('pending', 'processing') ORDER BY created_at, id",
            )
            .bind(self.id())
            .fetch_all(pool)
            .await?
        });
        Ok(rows.into_iter().map(|(id,)| id).collect())
    }

    /// Marks the job running (the first time: its start).
    pub async fn start_job(&self, id: &str, now: i64) -> StoreResult<()> {
        write_db!(self, |conn| {
            sqlx::query(
                "UPDATE jobs SET status = 'processing', started_at = COALESCE(started_at, $3)
                 WHERE tenant_id = $1 AND id = $2 AND status IN ('pending', 'processing')",
            )
            .bind(self.id())
            .bind(id)
            .bind(now)
            .execute(&mut *conn)
            .await?;
        });
        Ok(())
    }

    /// The first chunk of the job not yet applied: its number, the index of
    /// its first user and its users (a JSON array).
    pub async fn next_job_chunk(&self, id: &str) -> StoreResult<Option<(i64, i64, String)>> {
        Ok(with_db!(self, |pool| {
            sqlx::query_as(
                "SELECT seq, first, users FROM job_chunks WHERE tenant_id = $1 AND job_id = $2
                 AND done_at IS NULL ORDER BY seq LIMIT 1",
            )
            .bind(self.id())
            .bind(id)
            .fetch_optional(pool)
            .await?
        }))
    }

    /// Applies one chunk of an import in one transaction: each user inserted,
    /// merged (`upsert`, by e-mail) or refused with Auth0's error; the chunk
    /// marked done and the job's counters moved. A chunk already done changes
    /// nothing (a second runner, or a retry after a lost answer).
    pub async fn apply_import_chunk(
        &self,
        id: &str,
        seq: i64,
        allow_upsert: bool,
        users: &[ChunkUser],
        now: i64,
    ) -> StoreResult<ChunkCounts> {
        let counts = write_tx!(self, |conn| {
            let mut counts = ChunkCounts::default();
            let marked = sqlx::query(
                "UPDATE job_chunks SET done_at = $4 WHERE tenant_id = $1 AND job_id = $2 AND seq = $3 AND done_at IS NULL",
            )
            .bind(self.id())
            .bind(id)
            .bind(seq)
            .bind(now)
            .execute(&mut *conn)
            .await?
            .rows_affected();
            if marked == 0 {
                return Ok((counts, true));
            }
            for u in users {
                let outcome: Result<bool, Vec<RowError>> = match &u.parsed {
                    Err(errors) => Err(errors.clone()),
                    Ok(row) => 'row: {
                        // A user given twice in the file (Auth0 refuses the second).
                        let mut twice = None;
                        for (what, key) in row.keys() {
                            let n = sqlx::query(
                                "INSERT INTO job_keys (tenant_id, job_id, key) VALUES ($1, $2, $3) ON CONFLICT DO NOTHING",
                            )
                            .bind(self.id())
                            .bind(id)
                            .bind(format!("{what}:{key}"))
                            .execute(&mut *conn)
                            .await?
                            .rows_affected();
                            if n == 0 && twice.is_none() {
                                twice = Some(what);
                            }
                        }
                        if let Some(what) = twice {
                            break 'row Err(vec![RowError::given_twice(what)]);
                        }
                        let user = &row.user;
                        let connection = user.connection();
                        let by_email: Option<Row> = sqlx::query_as(
                            "SELECT doc, password_hash, logins_count, last_login FROM users
                             WHERE tenant_id = $1 AND connection = $2 AND email = $3",
                        )
                        .bind(self.id())
                        .bind(connection)
                        .bind(&user.email)
                        .fetch_optional(&mut *conn)
                        .await?;
                        let other: Option<(String,)> = sqlx::query_as(
                            // One indexed lookup per key (an OR across keys
                            // scans the table: quadratic over an import).
                            "SELECT user_id FROM users WHERE tenant_id = $1 AND user_id = $2
                             UNION ALL
                             SELECT user_id FROM users WHERE tenant_id = $1 AND connection = $3 AND username = $4
                             UNION ALL
                             SELECT user_id FROM linked_identities WHERE tenant_id = $1 AND connection = $3 AND email = $5
                             UNION ALL
                             SELECT user_id FROM linked_identities WHERE tenant_id = $1 AND connection = $3 AND user_id = $2
                             UNION ALL
                             SELECT user_id FROM linked_identities WHERE tenant_id = $1 AND connection = $3 AND username = $4",
                        )
                        .bind(self.id())
                        .bind(&user.user_id)
                        .bind(connection)
                        .bind(user.username.as_deref().map(str::to_lowercase))
                        .bind(&user.email)
                        .fetch_optional(&mut *conn)
                        .await?;
                        match (by_email, other) {
                            (None, None) => {
                                let doc = encode(user)?;
                                insert_user_row!(
                                    conn,
                                    self.id(),
                                    user,
                                    row.password_hash.as_deref(),
                                    &doc,
                                    now
                                );
                                Ok(true)
                            }
                            (Some(_), _) | (None, Some(_)) if !allow_upsert => {
                                Err(vec![RowError::exists()])
                            }
                            (Some(existing), _) => {
                                let before = to_user(&existing)?;
                                let id_clash =
                                    row.given_user_id() && before.user_id != user.user_id;
                                if id_clash {
                                    break 'row Err(vec![RowError::new(
                                        portcullis_core::user_import::ErrorCode::Conflict,
                                        format!(
                                            "The e-mail address belongs to the user {}, not to {}",
                                            before.user_id, user.user_id
                                        ),
                                        Some("user_id"),
                                    )]);
                                }
                                match upsert(&before, existing.1.as_deref(), row, now) {
                                    Err(e) => Err(vec![e]),
                                    Ok((after, hash)) => {
                                        let doc = encode(&after)?;
                                        update_user_row!(
                                            conn,
                                            self.id(),
                                            &after,
                                            hash.as_deref(),
                                            &doc,
                                            now
                                        );
                                        Ok(false)
                                    }
                                }
                            }
                            (None, Some(_)) => Err(vec![RowError::new(
                                portcullis_core::user_import::ErrorCode::ConflictUsername,
                                "Another user has this user_id or username (upsert matches users by e-mail)",
                                None,
                            )]),
                        }
                    }
                };
                match outcome {
                    Ok(true) => counts.inserted += 1,
                    Ok(false) => counts.updated += 1,
                    Err(errors) => {
                        counts.failed += 1;
                        let doc = encode(&json!({"user": u.masked, "errors": errors}))?;
                        sqlx::query(
                            "INSERT INTO job_errors (tenant_id, job_id, idx, doc) VALUES ($1, $2, $3, $4)
                             ON CONFLICT DO NOTHING",
                        )
                        .bind(self.id())
                        .bind(id)
                        .bind(u.index)
                        .bind(&doc)
                        .execute(&mut *conn)
                        .await?;
                    }
                }
            }
            sqlx::query(
                "UPDATE jobs SET inserted = inserted + $3, updated = updated + $4, failed = failed + $5,
                 chunks_done = chunks_done + 1 WHERE tenant_id = $1 AND id = $2",
            )
            .bind(self.id())
            .bind(id)
            .bind(counts.inserted)
            .bind(counts.updated)
            .bind(counts.failed)
            .execute(&mut *conn)
            .await?;
            counts
        });
        Ok(counts)
    }

    /// Brings PostgreSQL's planner statistics of the users' tables up to
    /// date during a bulk import. An import grows them from nothing within
    /// minutes, and plans made while they were small — among them the
    /// foreign-key check of each `user_attributes` row, cached per connection
    /// — go on scanning whole tables until statistics are taken; autovacuum
    /// may be off or late. Measured: 166 users/s at 15,000 users, 1,800 users/s
    /// right after an `ANALYZE`. SQLite plans by its indexes: nothing to do.
    pub async fn refresh_user_statistics(&self) -> StoreResult<()> {
        if let crate::Db::Postgres(pool) = &self.db {
            sqlx::query("ANALYZE users, user_attributes, linked_identities, job_keys")
                .execute(pool)
                .await?;
        }
        Ok(())
    }

    /// Users of `connection` (every user when `None`) after `after` in user
    /// id order: an export's pages (keyset paging, stable under writes).
    pub async fn users_after(
        &self,
        connection: Option<&str>,
        after: &str,
        limit: i64,
    ) -> StoreResult<Vec<portcullis_core::users::User>> {
        let rows: Vec<Row> = with_db!(self, |pool| {
            sqlx::query_as(
                "SELECT doc, password_hash, logins_count, last_login FROM users
                 WHERE tenant_id = $1 AND (CAST($2 AS TEXT) IS NULL OR connection = $2) AND user_id > $3
                 ORDER BY user_id LIMIT $4",
            )
            .bind(self.id())
            .bind(connection)
            .bind(after)
            .bind(limit)
            .fetch_all(pool)
            .await?
        });
        rows.iter().map(to_user).collect()
    }

    /// Starts an export's file again (a resumed job writes it from the start).
    pub async fn clear_job_file(&self, id: &str) -> StoreResult<()> {
        write_db!(self, |conn| {
            sqlx::query("DELETE FROM job_files WHERE tenant_id = $1 AND job_id = $2")
                .bind(self.id())
                .bind(id)
                .execute(&mut *conn)
                .await?;
        });
        Ok(())
    }

    /// Appends part `seq` (base64) of an export's file.
    pub async fn add_job_file_part(&self, id: &str, seq: i64, data: &str) -> StoreResult<()> {
        write_db!(self, |conn| {
            sqlx::query(
                "INSERT INTO job_files (tenant_id, job_id, seq, data) VALUES ($1, $2, $3, $4)",
            )
            .bind(self.id())
            .bind(id)
            .bind(seq)
            .bind(data)
            .execute(&mut *conn)
            .await?;
        });
        Ok(())
    }

    /// Part `seq` of an export's file (base64), if there is one.
    pub async fn job_file_part(&self, id: &str, seq: i64) -> StoreResult<Option<String>> {
        let row: Option<(String,)> = with_db!(self, |pool| {
            sqlx::query_as(
                "SELECT data FROM job_files WHERE tenant_id = $1 AND job_id = $2 AND seq = $3",
            )
            .bind(self.id())
            .bind(id)
            .bind(seq)
            .fetch_optional(pool)
            .await?
        });
        Ok(row.map(|(d,)| d))
    }

    /// Records an export's download key (the signing key of its links).
    pub async fn set_job_download_key(&self, id: &str, key: &str) -> StoreResult<()> {
        write_db!(self, |conn| {
            sqlx::query("UPDATE jobs SET download_key = $3 WHERE tenant_id = $1 AND id = $2")
                .bind(self.id())
                .bind(id)
                .bind(key)
                .execute(&mut *conn)
                .await?;
        });
        Ok(())
    }

    /// An export's download key.
    pub async fn job_download_key(&self, id: &str) -> StoreResult<Option<String>> {
        let row: Option<(Option<String>,)> = with_db!(self, |pool| {
            sqlx::query_as("SELECT download_key FROM jobs WHERE tenant_id = $1 AND id = $2")
                .bind(self.id())
                .bind(id)
                .fetch_optional(pool)
                .await?
        });
        Ok(row.and_then(|(k,)| k))
    }

    /// The job's per-user errors in file order.
    pub async fn job_errors(&self, id: &str) -> StoreResult<Vec<Value>> {
        let rows: Vec<(String,)> = with_db!(self, |pool| {
            sqlx::query_as(
                "SELECT doc FROM job_errors WHERE tenant_id = $1 AND job_id = $2 ORDER BY idx",
            )
            .bind(self.id())
            .bind(id)
            .fetch_all(pool)
            .await?
        });
        rows.iter().map(|(d,)| decode(d)).collect()
    }
}
