//! The audit log (Auth0's `/api/v2/logs`) and the login-failure counters behind
//! brute-force protection.

use portcullis_core::log_query::LogQuery;

use crate::{Page, StoreResult, TenantStore, decode, with_db, write_db, write_tx};

/// The search's conditions: `$2` user, `$3` type, `$4` client, `$5`..`$6` the
/// date range (seconds, inclusive); a NULL parameter leaves its column free.
/// A macro so each statement stays one `&'static str` (`concat!`).
macro_rules! matches_query {
    () => {
        "(CAST($2 AS TEXT) IS NULL OR user_id = $2)
         AND (CAST($3 AS TEXT) IS NULL OR type = $3)
         AND (CAST($4 AS TEXT) IS NULL OR client_id = $4)
         AND (CAST($5 AS BIGINT) IS NULL OR date >= $5)
         AND (CAST($6 AS BIGINT) IS NULL OR date <= $6)"
    };
}

/// An audit event before its `log_id`, which is drawn inside the
/// transaction that stores it (see [`TenantStore::insert_stamped_logs`]).
pub struct LogDraft<'a> {
    pub date: i64,
    pub event_type: &'a str,
    pub user_id: Option<&'a str>,
    pub client_id: Option<&'a str>,
    pub doc: &'a serde_json::Value,
}

impl TenantStore {
    /// Several events in one transaction, each given its `log_id` by `stamp`
    /// once the transaction holds the writer (SQLite) or its connection
    /// (PostgreSQL): an id is committed moments after it is drawn, which log
    /// streams rely on when they read past a cursor by id. Returns the ids.
    pub async fn insert_stamped_logs(
        &self,
        drafts: &[LogDraft<'_>],
        stamp: &(dyn Fn() -> String + Send + Sync),
    ) -> StoreResult<Vec<String>> {
        write_tx!(self, result, |conn| {
            let mut ids = Vec::with_capacity(drafts.len());
            for d in drafts {
                let id = stamp();
                let mut doc = d.doc.clone();
                doc["log_id"] = serde_json::Value::String(id.clone());
                sqlx::query(
                    "INSERT INTO logs (tenant_id, log_id, date, type, user_id, client_id, doc)
                     VALUES ($1, $2, $3, $4, $5, $6, $7)",
                )
                .bind(self.id())
                .bind(&id)
                .bind(d.date)
                .bind(d.event_type)
                .bind(d.user_id)
                .bind(d.client_id)
                .bind(doc.to_string())
                .execute(&mut *conn)
                .await?;
                ids.push(id);
            }
            Ok(ids)
        })
    }

    /// One event by its `log_id`.
    pub async fn get_log(&self, log_id: &str) -> StoreResult<Option<serde_json::Value>> {
        let row: Option<(String,)> = with_db!(self, |pool| {
            sqlx::query_as("SELECT doc FROM logs WHERE tenant_id = $1 AND log_id = $2")
                .bind(self.id())
                .bind(log_id)
                .fetch_optional(pool)
                .await?
        });
        row.map(|(d,)| decode(&d)).transpose()
    }

    /// Checkpoint paging (Auth0's `from` and `take`): events after `from`
    /// (a log id), oldest first, matching `q`.
    pub async fn logs_after(
        &self,
        from: Option<&str>,
        q: &LogQuery,
        take: u32,
    ) -> StoreResult<Vec<serde_json::Value>> {
        let rows: Vec<(String,)> = with_db!(self, |pool| {
            sqlx::query_as(concat!(
                "SELECT doc FROM logs WHERE tenant_id = $1 AND ",
                matches_query!(),
                " AND (CAST($7 AS TEXT) IS NULL OR log_id > $7) ORDER BY log_id ASC LIMIT $8"
            ))
            .bind(self.id())
            .bind(q.user_id.as_deref())
            .bind(q.event_type.as_deref())
            .bind(q.client_id.as_deref())
            .bind(q.from)
            .bind(q.to)
            .bind(from)
            .bind(i64::from(take))
            .fetch_all(pool)
            .await?
        });
        rows.iter().map(|(d,)| decode(d)).collect()
    }

    /// Newest first, matching `q`, with the total.
    pub async fn list_logs(
        &self,
        q: &LogQuery,
        page: Page,
    ) -> StoreResult<(Vec<serde_json::Value>, i64)> {
        let (rows, total): (Vec<(String,)>, (i64,)) = with_db!(self, |pool| {
            let rows = sqlx::query_as(concat!(
                "SELECT doc FROM logs WHERE tenant_id = $1 AND ",
                matches_query!(),
                " ORDER BY log_id DESC LIMIT $7 OFFSET $8"
            ))
            .bind(self.id())
            .bind(q.user_id.as_deref())
            .bind(q.event_type.as_deref())
            .bind(q.client_id.as_deref())
            .bind(q.from)
            .bind(q.to)
            .bind(page.limit())
            .bind(page.offset())
            .fetch_all(pool)
            .await?;
            let total = sqlx::query_as(concat!(
                "SELECT COUNT(*) FROM logs WHERE tenant_id = $1 AND ",
                matches_query!()
            ))
            .bind(self.id())
            .bind(q.user_id.as_deref())
            .bind(q.event_type.as_deref())
            .bind(q.client_id.as_deref())
            .bind(q.from)
            .bind(q.to)
            .fetch_one(pool)
            .await?;
            (rows, total)
        });
        let items = rows
            .iter()
            .map(|(d,)| decode(d))
            .collect::<StoreResult<_>>()?;
        Ok((items, total.0))
    }

    /// Reserves one password attempt under every key at once, before the
    /// password is checked: each key's counter (failures and attempts in flight
    /// in the window of `window` seconds) goes up by one, unless one of them is
    /// blocked or already at its limit. Then nothing changes and the index of
    /// the first such key is returned. One transaction of conditional upserts,
    /// so concurrent attempts on any node never pass the limit.
    pub async fn reserve_login_attempt(
        &self,
        keys: &[(&str, i64)],
        now: i64,
        window: i64,
    ) -> StoreResult<Option<usize>> {
        // A key at its limit undoes the increments before it (`keep` false).
        write_tx!(self, keep, |conn| {
            for (i, (key, limit)) in keys.iter().enumerate() {
                let row: Option<(i64,)> = sqlx::query_as(
                    "INSERT INTO login_failures (tenant_id, key, failures, window_start, blocked_until)
                     VALUES ($1, $2, 1, $3, NULL)
                     ON CONFLICT (tenant_id, key) DO UPDATE SET
                       failures = CASE WHEN login_failures.window_start <= $3 - $4
                                         OR login_failures.blocked_until <= $3
                                       THEN 1 ELSE login_failures.failures + 1 END,
                       window_start = CASE WHEN login_failures.window_start <= $3 - $4
                                             OR login_failures.blocked_until <= $3
                                           THEN $3 ELSE login_failures.window_start END,
                       blocked_until = CASE WHEN login_failures.blocked_until <= $3
                                            THEN NULL ELSE login_failures.blocked_until END
                     WHERE (login_failures.blocked_until IS NULL OR login_failures.blocked_until <= $3)
                       AND (login_failures.window_start <= $3 - $4 OR login_failures.blocked_until <= $3
                            OR login_failures.failures < $5)
                     RETURNING failures",
                )
                .bind(self.id())
                .bind(*key)
                .bind(now)
                .bind(window)
                .bind(*limit)
                .fetch_optional(&mut *conn)
                .await?;
                if row.is_none() {
                    return Ok((Some(i), false));
                }
            }
            Ok((None, true))
        })
    }

    /// A reserved attempt failed: it stays counted, and at `limit` the key is
    /// blocked until `now + block_for`. Returns whether this failure started the
    /// block.
    pub async fn confirm_login_failure(
        &self,
        key: &str,
        now: i64,
        limit: i64,
        block_for: i64,
    ) -> StoreResult<bool> {
        let n = write_db!(self, |conn| {
            sqlx::query(
                "UPDATE login_failures SET blocked_until = $3 + $5
                 WHERE tenant_id = $1 AND key = $2 AND failures >= $4
                   AND (blocked_until IS NULL OR blocked_until <= $3)",
            )
            .bind(self.id())
            .bind(key)
            .bind(now)
            .bind(limit)
            .bind(block_for)
            .execute(&mut *conn)
            .await?
            .rows_affected()
        });
        Ok(n == 1)
    }

    /// Until when `key` is blocked, if it is at `now`.
    pub async fn login_blocked_until(&self, key: &str, now: i64) -> StoreResult<Option<i64>> {
        let row: Option<(i64,)> = with_db!(self, |pool| {
            sqlx::query_as(
                "SELECT blocked_until FROM login_failures
                 WHERE tenant_id = $1 AND key = $2 AND blocked_until > $3",
            )
            .bind(self.id())
            .bind(key)
            .bind(now)
            .fetch_optional(pool)
            .await?
        });
        Ok(row.map(|(t,)| t))
    }

    /// A reserved attempt succeeded: it no longer counts under `address`, and
    /// the failures under `account` are forgotten (Auth0 counts consecutive
    /// failures), in one write.
    pub async fn settle_login_success(&self, address: &str, account: &str) -> StoreResult<()> {
        write_tx!(self, |conn| {
            sqlx::query(
                "UPDATE login_failures SET failures = failures - 1
                 WHERE tenant_id = $1 AND key = $2 AND failures > 0",
            )
            .bind(self.id())
            .bind(address)
            .execute(&mut *conn)
            .await?;
            sqlx::query("DELETE FROM login_failures WHERE tenant_id = $1 AND key = $2")
                .bind(self.id())
                .bind(account)
                .execute(&mut *conn)
                .await?;
        });
        Ok(())
    }

    /// The blocked keys that start with `prefix` (compared with `substr`, not
    /// `LIKE`, so `%` and `_` in an e-mail address match only themselves), and
    /// until when.
    pub async fn login_blocks(&self, prefix: &str, now: i64) -> StoreResult<Vec<(String, i64)>> {
        let rows: Vec<(String, i64)> = with_db!(self, |pool| {
            sqlx::query_as(
                "SELECT key, blocked_until FROM login_failures
                 WHERE tenant_id = $1 AND substr(key, 1, length($2)) = $2 AND blocked_until > $3
                 ORDER BY key",
            )
            .bind(self.id())
            .bind(prefix)
            .bind(now)
            .fetch_all(pool)
            .await?
        });
        Ok(rows)
    }

    /// Forgets every counter whose key starts with `prefix` (lifting its blocks);
    /// returns how many there were.
    pub async fn clear_login_failures_with_prefix(&self, prefix: &str) -> StoreResult<u64> {
        let n = write_db!(self, |conn| {
            sqlx::query(
                "DELETE FROM login_failures WHERE tenant_id = $1 AND substr(key, 1, length($2)) = $2",
            )
            .bind(self.id())
            .bind(prefix)
            .execute(&mut *conn)
            .await?
            .rows_affected()
        });
        Ok(n)
    }
}
