//! Log streams: the stream (its answer without secrets, the sink's secrets
//! sealed by the shell) and its delivery state: the cursor (the last `log_id`
//! delivered), consecutive failures, the next attempt and the last error.
//! Delivery writes are guarded by the cursor they started from, so a node
//! that lost its lease mid-way cannot move a cursor another node has moved.

use portcullis_core::log_streams::{Delivery, LogStream, Status};

use crate::{StoreResult, TenantStore, decode, encode, with_db, write_db, write_tx};

/// A stream as stored.
#[derive(Debug, Clone)]
pub struct StoredLogStream {
    pub stream: LogStream,
    pub sealed_secrets: String,
    pub delivery: Delivery,
    pub last_error: Option<String>,
    /// Bumped by every change through the API.
    pub version: i64,
}

/// One stored audit event as a stream reads it.
pub struct StreamedLog {
    pub log_id: String,
    pub event_type: String,
    pub doc: serde_json::Value,
}

type Row = (
    String,
    String,
    String,
    String,
    i64,
    i64,
    Option<String>,
    i64,
);

fn stored(r: Row) -> StoreResult<StoredLogStream> {
    let (doc, sealed_secrets, status, cursor, failures, next_attempt_at, last_error, version) = r;
    Ok(StoredLogStream {
        stream: decode(&doc)?,
        sealed_secrets,
        delivery: Delivery {
            status: Status::parse_stored(&status),
            cursor,
            failures: u32::try_from(failures).unwrap_or(u32::MAX),
            next_attempt_at,
        },
        last_error,
        version,
    })
}

impl TenantStore {
    pub async fn insert_log_stream(
        &self,
        stream: &LogStream,
        sealed_secrets: &str,
        status: Status,
        cursor: &str,
        now: i64,
    ) -> StoreResult<()> {
        let doc = encode(stream)?;
        write_db!(self, |conn| {
            sqlx::query(
                "INSERT INTO log_streams (tenant_id, id, doc, sealed_secrets, status, cursor,
                                          failures, next_attempt_at, created_at, updated_at)
                 VALUES ($1, $2, $3, $4, $5, $6, 0, 0, $7, $7)",
            )
            .bind(self.id())
            .bind(&stream.id)
            .bind(&doc)
            .bind(sealed_secrets)
            .bind(status.as_str())
            .bind(cursor)
            .bind(now)
            .execute(&mut *conn)
            .await?;
        });
        Ok(())
    }

    /// Every stream, oldest first.
    pub async fn log_streams(&self) -> StoreResult<Vec<StoredLogStream>> {
        let rows: Vec<Row> = with_db!(self, |pool| {
            sqlx::query_as(
                "SELECT doc, sealed_secrets, status, cursor, failures, next_attempt_at, last_error, version
                 FROM log_streams WHERE tenant_id = $1 ORDER BY created_at, id",
            )
            .bind(self.id())
            .fetch_all(pool)
            .await?
        });
        rows.into_iter().map(stored).collect()
    }

    pub async fn log_stream(&self, id: &str) -> StoreResult<Option<StoredLogStream>> {
        let row: Option<Row> = with_db!(self, |pool| {
            sqlx::query_as(
                "SELECT doc, sealed_secrets, status, cursor, failures, next_attempt_at, last_error, version
                 FROM log_streams WHERE tenant_id = $1 AND id = $2",
            )
            .bind(self.id())
            .bind(id)
            .fetch_optional(pool)
            .await?
        });
        row.map(stored).transpose()
    }

    /// A PATCH: the stream, its secrets, and the status when one was set.
    /// The next attempt is due at once (a fixed sink is tried without
    /// waiting out the back-off); the cursor is left alone.
    pub async fn update_log_stream(
        &self,
        stream: &LogStream,
        sealed_secrets: &str,
        status: Option<Status>,
        now: i64,
    ) -> StoreResult<bool> {
        let doc = encode(stream)?;
        let n = write_db!(self, |conn| {
            sqlx::query(
                "UPDATE log_streams SET doc = $3, sealed_secrets = $4,
                    status = COALESCE(CAST($5 AS TEXT), status),
                    failures = 0, next_attempt_at = 0, updated_at = $6,
                    version = version + 1
                 WHERE tenant_id = $1 AND id = $2",
            )
            .bind(self.id())
            .bind(&stream.id)
            .bind(&doc)
            .bind(sealed_secrets)
            .bind(status.map(Status::as_str))
            .bind(now)
            .execute(&mut *conn)
            .await?
            .rows_affected()
        });
        Ok(n == 1)
    }

    pub async fn delete_log_stream(&self, id: &str, lease: &str) -> StoreResult<bool> {
        let n = write_tx!(self, |conn| {
            // Its sender's lease goes with it (no row left behind).
            sqlx::query("DELETE FROM leases WHERE tenant_id = $1 AND name = $2")
                .bind(self.id())
                .bind(lease)
                .execute(&mut *conn)
                .await?;
            sqlx::query("DELETE FROM log_streams WHERE tenant_id = $1 AND id = $2")
                .bind(self.id())
                .bind(id)
                .execute(&mut *conn)
                .await?
                .rows_affected()
        });
        Ok(n == 1)
    }

    /// The receiver took everything through `to`: the cursor moves there from
    /// `from` (only if it is still there), failures are forgotten and a
    /// suspended stream is active again. `false` if the cursor had moved.
    pub async fn log_stream_delivered(&self, id: &str, from: &str, to: &str) -> StoreResult<bool> {
        let n = write_db!(self, |conn| {
            sqlx::query(
                "UPDATE log_streams SET cursor = $4, failures = 0, next_attempt_at = 0,
                    last_error = NULL,
                    status = CASE WHEN status = 'suspended' THEN 'active' ELSE status END
                 WHERE tenant_id = $1 AND id = $2 AND cursor = $3",
            )
            .bind(self.id())
            .bind(id)
            .bind(from)
            .bind(to)
            .execute(&mut *conn)
            .await?
            .rows_affected()
        });
        Ok(n == 1)
    }

    /// An attempt from `cursor` failed: the back-off `after` decided, and the
    /// stream suspended when it says so (an active stream only: a pause made
    /// meanwhile stands). Nothing is written if the stream was changed since
    /// it was read at `version` (a PATCH's reset stands).
    pub async fn log_stream_failed(
        &self,
        id: &str,
        cursor: &str,
        version: i64,
        after: &Delivery,
        error: &str,
    ) -> StoreResult<()> {
        let suspend = after.status == Status::Suspended;
        write_db!(self, |conn| {
            sqlx::query(
                "UPDATE log_streams SET failures = $4, next_attempt_at = $5, last_error = $6,
                    status = CASE WHEN status = 'active' AND $7 THEN 'suspended' ELSE status END
                 WHERE tenant_id = $1 AND id = $2 AND cursor = $3 AND version = $8",
            )
            .bind(self.id())
            .bind(id)
            .bind(cursor)
            .bind(i64::from(after.failures))
            .bind(after.next_attempt_at)
            .bind(error)
            .bind(suspend)
            .bind(version)
            .execute(&mut *conn)
            .await?;
        });
        Ok(())
    }

    /// Stored events with `after < log_id < before`, oldest first, at most
    /// `take`.
    pub async fn logs_between(
        &self,
        after: &str,
        before: &str,
        take: usize,
    ) -> StoreResult<Vec<StreamedLog>> {
        let rows: Vec<(String, String, String)> = with_db!(self, |pool| {
            sqlx::query_as(
                "SELECT log_id, type, doc FROM logs
                 WHERE tenant_id = $1 AND log_id > $2 AND log_id < $3
                 ORDER BY log_id ASC LIMIT $4",
            )
            .bind(self.id())
            .bind(after)
            .bind(before)
            .bind(i64::try_from(take).unwrap_or(i64::MAX))
            .fetch_all(pool)
            .await?
        });
        rows.into_iter()
            .map(|(log_id, event_type, doc)| {
                Ok(StreamedLog {
                    log_id,
                    event_type,
                    doc: decode(&doc)?,
                })
            })
            .collect()
    }
}
