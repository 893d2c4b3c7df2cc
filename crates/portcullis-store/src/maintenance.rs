//! Background work: leases (one node at a time) and removing what has expired.
//! Every statement stands alone, so the work can be killed at any point and
//! simply runs again.

use crate::{StoreResult, TenantStore, write_db};

/// Rows a clean-up write removes at most.
const CHUNK: i64 = 1000;

/// Rows removed by one clean-up pass.
#[derive(Debug, Default, Clone, Copy, PartialEq, Eq)]
pub struct Cleaned {
    pub codes: u64,
    pub transactions: u64,
    pub sessions: u64,
    pub member_sessions: u64,
    pub refresh_tokens: u64,
    pub revoked_token_ids: u64,
    pub login_failures: u64,
    pub password_tickets: u64,
    pub email_tickets: u64,
    /// The MFA API's waiting logins past their ten minutes.
    pub mfa_tokens: u64,
    /// E-mailed codes past their five minutes.
    pub mfa_challenges: u64,
    /// Remembered browsers past their lifetime.
    pub mfa_remembered_browsers: u64,
    /// WebAuthn ceremonies never answered.
    pub webauthn_ceremonies: u64,
    /// Organization invitations past their `ttl_sec`.
    pub organization_invitations: u64,
    /// Device authorizations past their fifteen minutes.
    pub device_codes: u64,
    /// Pushed authorization requests never taken.
    pub pushed_requests: u64,
    /// Spent assertion ids past their assertion's expiry.
    pub assertion_jtis: u64,
    /// Spent DPoP proof ids past their proof's iat window.
    pub dpop_jtis: u64,
    /// Passwordless codes and links past their `time_step`.
    pub passwordless_codes: u64,
    /// Leases nobody renewed (a deleted log stream's, taken again by a send
    /// already under way): an expired lease is the same as none.
    pub leases: u64,
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
        // Through the writer, at most `CHUNK` rows a write: a pass over a large
        // backlog (75,000 expired codes took 1.5 s as one DELETE) would hold
        // every request's write behind it. Each chunk stands alone.
        macro_rules! run {
            ($field:ident, $table:literal, $key:literal, $cond:literal, $arg:expr) => {
                let arg = $arg;
                loop {
                    let n = write_db!(self, |conn| {
                        sqlx::query(concat!(
                            "DELETE FROM ",
                            $table,
                            " WHERE tenant_id = $1 AND ",
                            $key,
                            " IN (SELECT ",
                            $key,
                            " FROM ",
                            $table,
                            " WHERE tenant_id = $1 AND ",
                            $cond,
                            " LIMIT $3)"
                        ))
                        .bind(self.id())
                        .bind(&arg)
                        .bind(CHUNK)
                        .execute(&mut *conn)
                        .await?
                        .rows_affected()
                    });
                    c.$field += n;
                    if n < CHUNK as u64 {
                        break;
                    }
                    // Let the requests queued behind this chunk go first.
                    tokio::task::yield_now().await;
                }
            };
        }
        run!(
            codes,
            "authorization_codes",
            "code_hash",
            "expires_at < $2",
            now
        );
        run!(
            transactions,
            "login_transactions",
            "id",
            "expires_at < $2",
            now
        );
        run!(sessions, "sessions", "id", "expires_at < $2", now);
        run!(leases, "leases", "name", "expires_at < $2", now);
        run!(
            member_sessions,
            "member_sessions",
            "id",
            "expires_at < $2",
            now
        );
        run!(
            password_tickets,
            "password_tickets",
            "token_hash",
            "expires_at < $2",
            now
        );
        run!(
            email_tickets,
            "email_tickets",
            "token_hash",
            "expires_at < $2",
            now
        );
        run!(
            mfa_tokens,
            "mfa_tokens",
            "token_hash",
            "expires_at < $2",
            now
        );
        run!(
            mfa_challenges,
            "mfa_challenges",
            "oob_hash",
            "expires_at < $2",
            now
        );
        run!(
            webauthn_ceremonies,
            "webauthn_ceremonies",
            "id",
            "expires_at < $2",
            now
        );
        run!(
            organization_invitations,
            "organization_invitations",
            "id",
            "expires_at < $2",
            now
        );
        run!(device_codes, "device_codes", "id", "expires_at < $2", now);
        // Keyed by client and jti together: another client's live jti of
        // the same text must stay (it guards that client's replays).
        run!(
            assertion_jtis,
            "client_assertion_jtis",
            "client_id || ' ' || jti",
            "expires_at < $2",
            now
        );
        run!(
            dpop_jtis,
            "dpop_proof_jtis",
            "jkt || ' ' || jti",
            "expires_at < $2",
            now
        );
        run!(
            passwordless_codes,
            "passwordless_codes",
            "connection || ' ' || recipient || ' ' || client_id",
            "expires_at < $2",
            now
        );
        run!(
            pushed_requests,
            "pushed_requests",
            "reference_hash",
            "expires_at < $2",
            now
        );
        run!(
            mfa_remembered_browsers,
            "mfa_remembered_browsers",
            "token_hash",
            "expires_at < $2",
            now
        );
        run!(
            revoked_token_ids,
            "revoked_tokens",
            "jti",
            "expires_at < $2",
            now
        );
        run!(
            login_failures,
            "login_failures",
            "key",
            "window_start < $2 AND (blocked_until IS NULL OR blocked_until < $2)",
            now - 3600
        );
        run!(
            refresh_tokens,
            "refresh_tokens",
            "id",
            "((expires_at IS NOT NULL AND expires_at < $2) OR (idle_expires_at IS NOT NULL AND idle_expires_at < $2))",
            now
        );
        run!(
            refresh_tokens,
            "refresh_tokens",
            "id",
            "((revoked_at IS NOT NULL AND revoked_at < $2) OR (used_at IS NOT NULL AND used_at < $2))",
            now - keep_revoked
        );
        // log_id starts with the event's milliseconds, zero-padded to 16 digits.
        run!(
            logs,
            "logs",
            "log_id",
            "log_id < $2",
            format!("{:016}", (now - log_retention) * 1000)
        );
        Ok(c)
    }
}
