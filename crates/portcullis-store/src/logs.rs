//! The audit log (Auth0's `/api/v2/logs`) and the login-failure counters behind
//! brute-force protection.

use crate::{Page, Store, StoreResult, decode, with_db};

/// An audit event: indexed columns and the whole event.
pub struct LogEntry<'a> {
    pub log_id: &'a str,
    pub date: i64,
    pub event_type: &'a str,
    pub user_id: Option<&'a str>,
    pub client_id: Option<&'a str>,
    pub doc: &'a serde_json::Value,
}

impl Store {
    /// Several events in one transaction (one commit, one fsync): the audit
    /// writer's group commit.
    pub async fn insert_logs(&self, tenant: &str, entries: &[LogEntry<'_>]) -> StoreResult<()> {
        with_db!(self, |pool| {
            let mut tx = pool.begin().await?;
            for entry in entries {
                sqlx::query(
                    "INSERT INTO logs (tenant_id, log_id, date, type, user_id, client_id, doc)
                     VALUES ($1, $2, $3, $4, $5, $6, $7)",
                )
                .bind(tenant)
                .bind(entry.log_id)
                .bind(entry.date)
                .bind(entry.event_type)
                .bind(entry.user_id)
                .bind(entry.client_id)
                .bind(entry.doc.to_string())
                .execute(&mut *tx)
                .await?;
            }
            tx.commit().await?;
        });
        Ok(())
    }

    pub async fn insert_log(&self, tenant: &str, entry: LogEntry<'_>) -> StoreResult<()> {
        let doc = entry.doc.to_string();
        with_db!(self, |pool| {
            sqlx::query(
                "INSERT INTO logs (tenant_id, log_id, date, type, user_id, client_id, doc)
                 VALUES ($1, $2, $3, $4, $5, $6, $7)",
            )
            .bind(tenant)
            .bind(entry.log_id)
            .bind(entry.date)
            .bind(entry.event_type)
            .bind(entry.user_id)
            .bind(entry.client_id)
            .bind(&doc)
            .execute(pool)
            .await?;
        });
        Ok(())
    }

    /// Newest first, optionally of one user or one event type.
    pub async fn list_logs(
        &self,
        tenant: &str,
        user_id: Option<&str>,
        event_type: Option<&str>,
        page: Page,
    ) -> StoreResult<(Vec<serde_json::Value>, i64)> {
        let (rows, total): (Vec<(String,)>, (i64,)) = with_db!(self, |pool| {
            let rows = sqlx::query_as(
                "SELECT doc FROM logs WHERE tenant_id = $1
                   AND (CAST($2 AS TEXT) IS NULL OR user_id = $2)
                   AND (CAST($3 AS TEXT) IS NULL OR type = $3)
                 ORDER BY log_id DESC LIMIT $4 OFFSET $5",
            )
            .bind(tenant)
            .bind(user_id)
            .bind(event_type)
            .bind(page.limit())
            .bind(page.offset())
            .fetch_all(pool)
            .await?;
            let total = sqlx::query_as(
                "SELECT COUNT(*) FROM logs WHERE tenant_id = $1
                   AND (CAST($2 AS TEXT) IS NULL OR user_id = $2)
                   AND (CAST($3 AS TEXT) IS NULL OR type = $3)",
            )
            .bind(tenant)
            .bind(user_id)
            .bind(event_type)
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

    /// Until when `key` is blocked, if it is.
    pub async fn login_blocked_until(
        &self,
        tenant: &str,
        key: &str,
        now: i64,
    ) -> StoreResult<Option<i64>> {
        let row: Option<(Option<i64>,)> = with_db!(self, |pool| {
            sqlx::query_as(
                "SELECT blocked_until FROM login_failures WHERE tenant_id = $1 AND key = $2",
            )
            .bind(tenant)
            .bind(key)
            .fetch_optional(pool)
            .await?
        });
        Ok(row.and_then(|(b,)| b).filter(|b| *b > now))
    }

    /// Counts one failure for `key` in a window of `window` seconds; at `limit`
    /// failures the key is blocked for `block_for` seconds. Returns the failures
    /// counted in the window and the block's end, if blocked now.
    pub async fn record_login_failure(
        &self,
        tenant: &str,
        key: &str,
        now: i64,
        window: i64,
        limit: i64,
        block_for: i64,
    ) -> StoreResult<(i64, Option<i64>)> {
        let row: (i64, Option<i64>) = with_db!(self, |pool| {
            sqlx::query_as(
                "INSERT INTO login_failures (tenant_id, key, failures, window_start, blocked_until)
                 VALUES ($1, $2, 1, $3, NULL)
                 ON CONFLICT (tenant_id, key) DO UPDATE SET
                   failures = CASE WHEN login_failures.window_start <= $3 - $4 THEN 1 ELSE login_failures.failures + 1 END,
                   window_start = CASE WHEN login_failures.window_start <= $3 - $4 THEN $3 ELSE login_failures.window_start END,
                   blocked_until = CASE
                     WHEN login_failures.window_start > $3 - $4 AND login_failures.failures + 1 >= $5 THEN $3 + $6
                     ELSE login_failures.blocked_until END
                 RETURNING failures, blocked_until",
            )
            .bind(tenant)
            .bind(key)
            .bind(now)
            .bind(window)
            .bind(limit)
            .bind(block_for)
            .fetch_one(pool)
            .await?
        });
        Ok((row.0, row.1.filter(|b| *b > now)))
    }

    /// Forgets failures of `key` (after a successful login).
    pub async fn clear_login_failures(&self, tenant: &str, key: &str) -> StoreResult<()> {
        with_db!(self, |pool| {
            sqlx::query("DELETE FROM login_failures WHERE tenant_id = $1 AND key = $2")
                .bind(tenant)
                .bind(key)
                .execute(pool)
                .await?;
        });
        Ok(())
    }
}
