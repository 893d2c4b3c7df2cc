//! Background work: leases (one node at a time) and removing what has expired.
//! Every statement stands alone, so the work can be killed at any point and
//! simply runs again.

use crate::{StoreResult, TenantStore, write_db};

/// Rows removed by one clean-up pass.
#[derive(Debug, Default, Clone, Copy, PartialEq, Eq)]
pub struct Cleaned {
    pub codes: u64,
    pub transactions: u64,
    pub sessions: u64,
    pub refresh_tokens: u64,
    pub revoked_token_ids: u64,
    pub login_failures: u64,
    pub password_tickets: u64,
    pub logs: u64,
}

impl TenantStore {
    /// Takes (or renews) the lease `name` for `holder` until `now + ttl`; `false`
    /// if another holder's lease has not expired.
    pub async fn acquire_lease(
        &self,
        name: &str,
        holder: &str,
        now: i64,
        ttl: i64,
    ) -> StoreResult<bool> {
        let n = write_db!(self, |conn| {
            sqlx::query(
                "INSERT INTO leases (tenant_id, name, holder, expires_at) VALUES ($1, $2, $3, $4)
                 ON CONFLICT (tenant_id, name) DO UPDATE
                   SET holder = excluded.holder, expires_at = excluded.expires_at
                   WHERE leases.expires_at < $5 OR leases.holder = excluded.holder",
            )
            .bind(self.id())
            .bind(name)
            .bind(holder)
            .bind(now + ttl)
            .bind(now)
            .execute(&mut *conn)
            .await?
            .rows_affected()
        });
        Ok(n == 1)
    }

    /// Removes what can no longer be used: expired codes, login transactions,
    /// sessions, password tickets and brute-force windows; refresh tokens past
    /// their absolute or idle expiry, and revoked or spent ones older than
    /// `keep_revoked` seconds (kept that long so reuse detection can still name
    /// a replay); revoked token ids past the token's expiry; audit events older
    /// than `log_retention` seconds.
    pub async fn clean_expired(
        &self,
        now: i64,
        keep_revoked: i64,
        log_retention: i64,
    ) -> StoreResult<Cleaned> {
        let mut c = Cleaned::default();
        macro_rules! run {
            ($field:ident, $sql:expr, $arg:expr) => {
                // Through the writer, one statement at a time: a pass never
                // holds the write lock for long.
                c.$field += write_db!(self, |conn| {
                    sqlx::query($sql)
                        .bind(self.id())
                        .bind($arg)
                        .execute(&mut *conn)
                        .await?
                        .rows_affected()
                });
            };
        }
        run!(
            codes,
            "DELETE FROM authorization_codes WHERE tenant_id = $1 AND expires_at < $2",
            now
        );
        run!(
            transactions,
            "DELETE FROM login_transactions WHERE tenant_id = $1 AND expires_at < $2",
            now
        );
        run!(
            sessions,
            "DELETE FROM sessions WHERE tenant_id = $1 AND expires_at < $2",
            now
        );
        run!(
            password_tickets,
            "DELETE FROM password_tickets WHERE tenant_id = $1 AND expires_at < $2",
            now
        );
        run!(
            revoked_token_ids,
            "DELETE FROM revoked_tokens WHERE tenant_id = $1 AND expires_at < $2",
            now
        );
        run!(
            login_failures,
            "DELETE FROM login_failures WHERE tenant_id = $1 AND window_start < $2 AND (blocked_until IS NULL OR blocked_until < $2)",
            now - 3600
        );
        run!(
            refresh_tokens,
            "DELETE FROM refresh_tokens WHERE tenant_id = $1
               AND ((expires_at IS NOT NULL AND expires_at < $2) OR (idle_expires_at IS NOT NULL AND idle_expires_at < $2))",
            now
        );
        run!(
            refresh_tokens,
            "DELETE FROM refresh_tokens WHERE tenant_id = $1
               AND ((revoked_at IS NOT NULL AND revoked_at < $2) OR (used_at IS NOT NULL AND used_at < $2))",
            now - keep_revoked
        );
        // log_id starts with the event's milliseconds, zero-padded to 16 digits.
        run!(
            logs,
            "DELETE FROM logs WHERE tenant_id = $1 AND log_id < $2",
            format!("{:016}", (now - log_retention) * 1000)
        );
        Ok(c)
    }
}
