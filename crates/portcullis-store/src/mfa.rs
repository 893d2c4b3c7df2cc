//! Multi-factor authentication (`portcullis_core::mfa`): the tenant's Guardian
//! settings, users' authenticators, and the MFA API's pending logins.
//!
//! Invariants: secrets arrive sealed (TOTP) or hashed (recovery codes) and
//! are never stored otherwise; a TOTP step is accepted once
//! (`accept_totp` is a compare-and-set on `last_step`); a recovery code is
//! spent and replaced in one transaction; an `mfa_token` is spent once
//! (`spend_mfa_token` is a compare-and-set on `used_at`).

use portcullis_core::mfa::{Authenticator, Factor, Kind, PendingGrant, Policy, Settings};

use crate::{StoreError, StoreResult, TenantStore, decode, encode, with_db, write_db, write_tx};

/// Locks the user's row until the transaction ends (PostgreSQL; SQLite's one
/// writer already serializes writes).
macro_rules! lock_user {
    ($conn:ident, $tenant:expr, $user_id:expr) => {
        sqlx::query("UPDATE users SET user_id = user_id WHERE tenant_id = $1 AND user_id = $2")
            .bind($tenant)
            .bind($user_id)
            .execute(&mut *$conn)
            .await?
    };
}

/// Confirms the recovery code enrolled with a user's first factor, once
/// that factor's first code is accepted.
macro_rules! confirm_recovery_code {
    ($conn:ident, $tenant:expr, $user_id:expr) => {
        sqlx::query(
            "UPDATE authenticators SET confirmed = TRUE
             WHERE tenant_id = $1 AND user_id = $2 AND kind = 'recovery-code'",
        )
        .bind($tenant)
        .bind($user_id)
        .execute(&mut *$conn)
        .await?
    };
}

/// Spends an `mfa_token` inside the caller's transaction; whether this was
/// the request that spent it.
macro_rules! spend_token {
    ($conn:ident, $tenant:expr, $hash:expr, $now:expr) => {
        sqlx::query(
            "UPDATE mfa_tokens SET used_at = $3 WHERE tenant_id = $1 AND token_hash = $2 AND used_at IS NULL",
        )
        .bind($tenant)
        .bind($hash)
        .bind($now)
        .execute(&mut *$conn)
        .await?
        .rows_affected()
            == 1
    };
}

const COLUMNS: &str = "id, user_id, kind, confirmed, created_at, last_auth_at";

/// How many confirmed second factors (recovery codes aside) a user has.
const CONFIRMED_FACTORS: &str =
    "SELECT COUNT(*) FROM authenticators WHERE tenant_id = $1 AND user_id = $2
     AND confirmed AND kind NOT IN ('recovery-code', 'passkey')";
type Row = (String, String, String, bool, i64, Option<i64>);

fn to_authenticator(r: Row) -> StoreResult<Authenticator> {
    let kind = Kind::parse(&r.2)
        .ok_or_else(|| StoreError::Undecodable(format!("authenticator kind {:?}", r.2)))?;
    Ok(Authenticator {
        id: r.0,
        user_id: r.1,
        kind,
        confirmed: r.3,
        created_at: r.4,
        last_auth_at: r.5,
    })
}

/// An authenticator with what checks a code against it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AuthenticatorSecret {
    pub authenticator: Authenticator,
    /// A TOTP secret, sealed.
    pub sealed_secret: Option<String>,
    /// A recovery code's hash.
    pub secret_hash: Option<String>,
    /// A WebAuthn credential (webauthn-rs's JSON).
    pub credential: Option<String>,
    pub last_step: Option<i64>,
    pub failures: i64,
    pub failure_window: Option<i64>,
}

/// A pending login as stored.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StoredMfaToken {
    pub grant: PendingGrant,
    pub expires_at: i64,
    pub used_at: Option<i64>,
}

impl TenantStore {
    /// The tenant's factors and policy (nothing on when never set).
    pub async fn guardian_settings(&self) -> StoreResult<Settings> {
        let row: Option<(String, String)> = with_db!(self, |pool| {
            sqlx::query_as("SELECT factors, policies FROM guardian_settings WHERE tenant_id = $1")
                .bind(self.id())
                .fetch_optional(pool)
                .await?
        });
        let Some((factors, policies)) = row else {
            return Ok(Settings::default());
        };
        let factors: Vec<String> = decode(&factors)?;
        let policies: Vec<String> = decode(&policies)?;
        Ok(Settings {
            enabled: factors.iter().filter_map(|f| Factor::parse(f)).collect(),
            policies: policies
                .iter()
                .filter(|p| *p == Policy::AllApplications.as_str())
                .map(|_| Policy::AllApplications)
                .collect(),
        })
    }

    /// Writes the settings whole (the caller read and changed them; two
    /// administrators changing different factors at once: the last wins,
    /// as on Auth0).
    pub async fn set_guardian_settings(&self, s: &Settings) -> StoreResult<()> {
        let factors: Vec<&str> = s.enabled.iter().map(|f| f.as_str()).collect();
        let policies: Vec<&str> = s.policies.iter().map(|p| p.as_str()).collect();
        let (factors, policies) = (encode(&factors)?, encode(&policies)?);
        write_db!(self, |conn| {
            sqlx::query(
                "INSERT INTO guardian_settings (tenant_id, factors, policies) VALUES ($1, $2, $3)
                 ON CONFLICT (tenant_id) DO UPDATE SET factors = $2, policies = $3",
            )
            .bind(self.id())
            .bind(&factors)
            .bind(&policies)
            .execute(&mut *conn)
            .await?;
        });
        Ok(())
    }

    /// A user's authenticators, oldest first.
    pub async fn authenticators(&self, user_id: &str) -> StoreResult<Vec<Authenticator>> {
        let rows: Vec<Row> = with_db!(self, |pool| {
            sqlx::query_as(sqlx::AssertSqlSafe(format!(
                "SELECT {COLUMNS} FROM authenticators WHERE tenant_id = $1 AND user_id = $2
                 ORDER BY created_at, id"
            )))
            .bind(self.id())
            .bind(user_id)
            .fetch_all(pool)
            .await?
        });
        rows.into_iter().map(to_authenticator).collect()
    }

    /// An authenticator by its id alone (Auth0's `/guardian/enrollments/{id}`).
    pub async fn authenticator_by_id(&self, id: &str) -> StoreResult<Option<Authenticator>> {
        let row: Option<Row> = with_db!(self, |pool| {
            sqlx::query_as(sqlx::AssertSqlSafe(format!(
                "SELECT {COLUMNS} FROM authenticators WHERE tenant_id = $1 AND id = $2"
            )))
            .bind(self.id())
            .bind(id)
            .fetch_optional(pool)
            .await?
        });
        row.map(to_authenticator).transpose()
    }

    /// Replaces the user's recovery code (an administrator's regeneration);
    /// `false` (nothing written) when the user has no confirmed second
    /// factor to recover.
    pub async fn regenerate_recovery_code(
        &self,
        user_id: &str,
        new: (&str, &str),
        now: i64,
    ) -> StoreResult<bool> {
        let done = write_tx!(self, |conn| {
            let (confirmed,): (i64,) = sqlx::query_as(CONFIRMED_FACTORS)
                .bind(self.id())
                .bind(user_id)
                .fetch_one(&mut *conn)
                .await?;
            if confirmed == 0 {
                return Ok((false, false));
            }
            sqlx::query(
                "DELETE FROM authenticators WHERE tenant_id = $1 AND user_id = $2 AND kind = 'recovery-code'",
            )
            .bind(self.id())
            .bind(user_id)
            .execute(&mut *conn)
            .await?;
            sqlx::query(
                "INSERT INTO authenticators (tenant_id, id, user_id, kind, secret_hash, confirmed, created_at)
                 VALUES ($1, $2, $3, 'recovery-code', $4, TRUE, $5)",
            )
            .bind(self.id())
            .bind(new.0)
            .bind(user_id)
            .bind(new.1)
            .bind(now)
            .execute(&mut *conn)
            .await?;
            true
        });
        Ok(done)
    }

    /// One of the user's authenticators with its secret.
    pub async fn authenticator_secret(
        &self,
        user_id: &str,
        id: &str,
    ) -> StoreResult<Option<AuthenticatorSecret>> {
        type Full = (
            String,
            String,
            String,
            bool,
            i64,
            Option<i64>,
            Option<String>,
            Option<String>,
            Option<i64>,
            i64,
            Option<i64>,
            Option<String>,
        );
        let row: Option<Full> = with_db!(self, |pool| {
            sqlx::query_as(sqlx::AssertSqlSafe(format!(
                "SELECT {COLUMNS}, sealed_secret, secret_hash, last_step, failures, failure_window, credential
                 FROM authenticators WHERE tenant_id = $1 AND user_id = $2 AND id = $3"
            )))
            .bind(self.id())
            .bind(user_id)
            .bind(id)
            .fetch_optional(pool)
            .await?
        });
        row.map(|r| {
            Ok(AuthenticatorSecret {
                authenticator: to_authenticator((r.0, r.1, r.2, r.3, r.4, r.5))?,
                sealed_secret: r.6,
                secret_hash: r.7,
                last_step: r.8,
                failures: r.9,
                failure_window: r.10,
                credential: r.11,
            })
        })
        .transpose()
    }

    /// Enrols a user's first second factor (a TOTP authenticator with its
    /// sealed secret, or an e-mail one; unconfirmed until its first code) and
    /// the user's recovery code with it (when that factor is on), replacing any unconfirmed
    /// enrolment left from an earlier attempt. `false` (nothing written) when
    /// the user already has a confirmed second factor.
    pub async fn enroll_first(
        &self,
        user_id: &str,
        first: (&str, Kind, Option<&str>),
        recovery: Option<(&str, &str)>,
        now: i64,
    ) -> StoreResult<bool> {
        let done = write_tx!(self, |conn| {
            // The user's row locked first: two enrolments at once (or one
            // beside a confirmation) are taken one after the other, each
            // seeing what the other committed.
            lock_user!(conn, self.id(), user_id);
            let (confirmed,): (i64,) = sqlx::query_as(CONFIRMED_FACTORS)
                .bind(self.id())
                .bind(user_id)
                .fetch_one(&mut *conn)
                .await?;
            if confirmed > 0 {
                return Ok((false, false));
            }
            sqlx::query("DELETE FROM authenticators WHERE tenant_id = $1 AND user_id = $2 AND NOT confirmed")
                .bind(self.id())
                .bind(user_id)
                .execute(&mut *conn)
                .await?;
            sqlx::query(
                "INSERT INTO authenticators (tenant_id, id, user_id, kind, sealed_secret, confirmed, created_at)
                 VALUES ($1, $2, $3, $4, $5, FALSE, $6)",
            )
            .bind(self.id())
            .bind(first.0)
            .bind(user_id)
            .bind(first.1.as_str())
            .bind(first.2)
            .bind(now)
            .execute(&mut *conn)
            .await?;
            if let Some((id, hash)) = recovery {
                sqlx::query(
                    "INSERT INTO authenticators (tenant_id, id, user_id, kind, secret_hash, confirmed, created_at)
                     VALUES ($1, $2, $3, 'recovery-code', $4, FALSE, $5)",
                )
                .bind(self.id())
                .bind(id)
                .bind(user_id)
                .bind(hash)
                .bind(now)
                .execute(&mut *conn)
                .await?;
            }
            true
        });
        Ok(done)
    }

    /// Keeps an e-mailed code's challenge under the hash of its `oob_code`.
    pub async fn insert_mfa_challenge(
        &self,
        oob_hash: &str,
        authenticator_id: &str,
        user_id: &str,
        code_hash: &str,
        expires_at: i64,
    ) -> StoreResult<()> {
        write_db!(self, |conn| {
            sqlx::query(
                "INSERT INTO mfa_challenges (tenant_id, oob_hash, authenticator_id, user_id, code_hash, expires_at)
                 VALUES ($1, $2, $3, $4, $5, $6)",
            )
            .bind(self.id())
            .bind(oob_hash)
            .bind(authenticator_id)
            .bind(user_id)
            .bind(code_hash)
            .bind(expires_at)
            .execute(&mut *conn)
            .await?;
        });
        Ok(())
    }

    /// A challenge: `(authenticator_id, user_id, code_hash, expires_at, used_at)`.
    pub async fn mfa_challenge(
        &self,
        oob_hash: &str,
    ) -> StoreResult<Option<(String, String, String, i64, Option<i64>)>> {
        let row = with_db!(self, |pool| {
            sqlx::query_as(
                "SELECT authenticator_id, user_id, code_hash, expires_at, used_at
                 FROM mfa_challenges WHERE tenant_id = $1 AND oob_hash = $2",
            )
            .bind(self.id())
            .bind(oob_hash)
            .fetch_optional(pool)
            .await?
        });
        Ok(row)
    }

    /// Records an e-mailed code accepted: the challenge spent, the
    /// authenticator (and a recovery code enrolled with it) confirmed and
    /// its failures cleared. `false` when the challenge was already spent.
    pub async fn accept_mfa_challenge(
        &self,
        oob_hash: &str,
        user_id: &str,
        authenticator_id: &str,
        spend: &str,
        now: i64,
    ) -> StoreResult<bool> {
        let accepted = write_tx!(self, |conn| {
            if !spend_token!(conn, self.id(), spend, now) {
                return Ok((false, false));
            }
            let n = sqlx::query(
                "UPDATE mfa_challenges SET used_at = $3 WHERE tenant_id = $1 AND oob_hash = $2 AND used_at IS NULL",
            )
            .bind(self.id())
            .bind(oob_hash)
            .bind(now)
            .execute(&mut *conn)
            .await?
            .rows_affected();
            // Nothing kept (the token unspent) unless the challenge was
            // spent here.
            if n == 0 {
                return Ok((false, false));
            }
            {
                sqlx::query(
                    "UPDATE authenticators SET confirmed = TRUE, failures = 0, failure_window = NULL,
                     last_auth_at = $4 WHERE tenant_id = $1 AND user_id = $2 AND id = $3",
                )
                .bind(self.id())
                .bind(user_id)
                .bind(authenticator_id)
                .bind(now)
                .execute(&mut *conn)
                .await?;
                confirm_recovery_code!(conn, self.id(), user_id);
            }
            true
        });
        Ok(accepted)
    }

    /// Records a TOTP code accepted at `step`: the step (never again), the
    /// failures cleared, the authenticator (and the recovery code enrolled
    /// with it) confirmed. `false` when another request used this step or a
    /// later one first.
    pub async fn accept_totp(
        &self,
        user_id: &str,
        id: &str,
        step: i64,
        spend: &str,
        now: i64,
    ) -> StoreResult<bool> {
        let accepted = write_tx!(self, |conn| {
            if !spend_token!(conn, self.id(), spend, now) {
                return Ok((false, false));
            }
            let n = sqlx::query(
                "UPDATE authenticators SET last_step = $4, failures = 0, failure_window = NULL,
                 confirmed = TRUE, last_auth_at = $5
                 WHERE tenant_id = $1 AND user_id = $2 AND id = $3
                 AND (last_step IS NULL OR last_step < $4)",
            )
            .bind(self.id())
            .bind(user_id)
            .bind(id)
            .bind(step)
            .bind(now)
            .execute(&mut *conn)
            .await?
            .rows_affected();
            // Another request used this step (or a later one) first: nothing
            // kept, the token unspent.
            if n == 0 {
                return Ok((false, false));
            }
            confirm_recovery_code!(conn, self.id(), user_id);
            true
        });
        Ok(accepted)
    }

    /// Takes one attempt at an authenticator's code before it is checked
    /// (a new window when the last one is over): the attempts in the window
    /// counting this one, or `None` (nothing written) when `max` were already
    /// taken in it. Counting before checking, in one statement, is what
    /// keeps requests sent at once from all reading a count under the limit;
    /// a code accepted clears the count.
    pub async fn take_attempt(
        &self,
        user_id: &str,
        id: &str,
        now: i64,
        window: i64,
        max: i64,
    ) -> StoreResult<Option<i64>> {
        let attempts = write_tx!(self, |conn| {
            let n = sqlx::query(
                "UPDATE authenticators SET
                   failures = CASE WHEN failure_window IS NULL OR failure_window <= $4 THEN 1 ELSE failures + 1 END,
                   failure_window = CASE WHEN failure_window IS NULL OR failure_window <= $4 THEN $5 ELSE failure_window END
                 WHERE tenant_id = $1 AND user_id = $2 AND id = $3
                 AND NOT (failures >= $6 AND failure_window IS NOT NULL AND failure_window > $4)",
            )
            .bind(self.id())
            .bind(user_id)
            .bind(id)
            .bind(now - window)
            .bind(now)
            .bind(max)
            .execute(&mut *conn)
            .await?
            .rows_affected();
            if n == 0 {
                return Ok((None, false));
            }
            let (taken,): (i64,) = sqlx::query_as(
                "SELECT failures FROM authenticators WHERE tenant_id = $1 AND user_id = $2 AND id = $3",
            )
            .bind(self.id())
            .bind(user_id)
            .bind(id)
            .fetch_one(&mut *conn)
            .await?;
            Some(taken)
        });
        Ok(attempts)
    }

    /// Spends a recovery code and stores its replacement, in one
    /// transaction; `false` when it was already spent.
    pub async fn replace_recovery_code(
        &self,
        user_id: &str,
        old_id: &str,
        new: (&str, &str),
        spend: &str,
        now: i64,
    ) -> StoreResult<bool> {
        let replaced = write_tx!(self, |conn| {
            if !spend_token!(conn, self.id(), spend, now) {
                return Ok((false, false));
            }
            let n = sqlx::query(
                "DELETE FROM authenticators WHERE tenant_id = $1 AND user_id = $2 AND id = $3
                 AND kind = 'recovery-code'",
            )
            .bind(self.id())
            .bind(user_id)
            .bind(old_id)
            .execute(&mut *conn)
            .await?
            .rows_affected();
            if n == 0 {
                return Ok((false, false));
            }
            sqlx::query(
                "INSERT INTO authenticators (tenant_id, id, user_id, kind, secret_hash, confirmed, created_at, last_auth_at)
                 VALUES ($1, $2, $3, 'recovery-code', $4, TRUE, $5, $5)",
            )
            .bind(self.id())
            .bind(new.0)
            .bind(user_id)
            .bind(new.1)
            .bind(now)
            .execute(&mut *conn)
            .await?;
            true
        });
        Ok(replaced)
    }

    /// Removes one authenticator; removing the user's last other factor
    /// removes the recovery code too (it recovers nothing alone).
    pub async fn delete_authenticator(&self, user_id: &str, id: &str) -> StoreResult<bool> {
        let deleted = write_tx!(self, |conn| {
            let n = sqlx::query(
                "DELETE FROM authenticators WHERE tenant_id = $1 AND user_id = $2 AND id = $3",
            )
            .bind(self.id())
            .bind(user_id)
            .bind(id)
            .execute(&mut *conn)
            .await?
            .rows_affected();
            let (others,): (i64,) = sqlx::query_as(
                "SELECT COUNT(*) FROM authenticators WHERE tenant_id = $1 AND user_id = $2
                 AND kind NOT IN ('recovery-code', 'passkey')",
            )
            .bind(self.id())
            .bind(user_id)
            .fetch_one(&mut *conn)
            .await?;
            if n == 1 && others == 0 {
                sqlx::query("DELETE FROM authenticators WHERE tenant_id = $1 AND user_id = $2")
                    .bind(self.id())
                    .bind(user_id)
                    .execute(&mut *conn)
                    .await?;
            }
            n == 1
        });
        Ok(deleted)
    }

    /// Removes every authenticator of the user; how many there were.
    pub async fn delete_authenticators(&self, user_id: &str) -> StoreResult<u64> {
        let n = write_db!(self, |conn| {
            sqlx::query("DELETE FROM authenticators WHERE tenant_id = $1 AND user_id = $2")
                .bind(self.id())
                .bind(user_id)
                .execute(&mut *conn)
                .await?
                .rows_affected()
        });
        Ok(n)
    }

    /// Keeps a pending login under the hash of its `mfa_token`.
    pub async fn insert_mfa_token(
        &self,
        token_hash: &str,
        grant: &PendingGrant,
        expires_at: i64,
    ) -> StoreResult<()> {
        let doc = encode(grant)?;
        write_db!(self, |conn| {
            sqlx::query(
                "INSERT INTO mfa_tokens (tenant_id, token_hash, user_id, client_id, doc, expires_at)
                 VALUES ($1, $2, $3, $4, $5, $6)",
            )
            .bind(self.id())
            .bind(token_hash)
            .bind(&grant.user_id)
            .bind(&grant.client_id)
            .bind(&doc)
            .bind(expires_at)
            .execute(&mut *conn)
            .await?;
        });
        Ok(())
    }

    pub async fn mfa_token(&self, token_hash: &str) -> StoreResult<Option<StoredMfaToken>> {
        let row: Option<(String, i64, Option<i64>)> = with_db!(self, |pool| {
            sqlx::query_as(
                "SELECT doc, expires_at, used_at FROM mfa_tokens WHERE tenant_id = $1 AND token_hash = $2",
            )
            .bind(self.id())
            .bind(token_hash)
            .fetch_optional(pool)
            .await?
        });
        row.map(|(doc, expires_at, used_at)| {
            Ok(StoredMfaToken {
                grant: decode(&doc)?,
                expires_at,
                used_at,
            })
        })
        .transpose()
    }
    /// Records that browser session `session_id` passed its second factor.
    pub async fn mark_session_mfa(&self, session_id: &str, now: i64) -> StoreResult<()> {
        write_db!(self, |conn| {
            sqlx::query("UPDATE sessions SET mfa_at = $3 WHERE tenant_id = $1 AND id = $2")
                .bind(self.id())
                .bind(session_id)
                .bind(now)
                .execute(&mut *conn)
                .await?;
        });
        Ok(())
    }

    /// Remembers a browser (by the hash of its cookie's token) for
    /// `user_id` until `expires_at`.
    pub async fn remember_browser(
        &self,
        token_hash: &str,
        user_id: &str,
        now: i64,
        expires_at: i64,
    ) -> StoreResult<()> {
        write_db!(self, |conn| {
            sqlx::query(
                "INSERT INTO mfa_remembered_browsers (tenant_id, token_hash, user_id, created_at, expires_at)
                 VALUES ($1, $2, $3, $4, $5)",
            )
            .bind(self.id())
            .bind(token_hash)
            .bind(user_id)
            .bind(now)
            .bind(expires_at)
            .execute(&mut *conn)
            .await?;
        });
        Ok(())
    }

    /// Whether the browser whose cookie hashes to `token_hash` is remembered
    /// for `user_id` at `now`.
    pub async fn browser_remembered(
        &self,
        token_hash: &str,
        user_id: &str,
        now: i64,
    ) -> StoreResult<bool> {
        let row: Option<(i64,)> = with_db!(self, |pool| {
            sqlx::query_as(
                "SELECT expires_at FROM mfa_remembered_browsers
                 WHERE tenant_id = $1 AND token_hash = $2 AND user_id = $3 AND expires_at > $4",
            )
            .bind(self.id())
            .bind(token_hash)
            .bind(user_id)
            .bind(now)
            .fetch_optional(pool)
            .await?
        });
        Ok(row.is_some())
    }

    /// Forgets every browser remembered for `user_id` (Auth0's
    /// invalidate-remember-browser); how many there were.
    pub async fn forget_browsers(&self, user_id: &str) -> StoreResult<u64> {
        let n = write_db!(self, |conn| {
            sqlx::query("DELETE FROM mfa_remembered_browsers WHERE tenant_id = $1 AND user_id = $2")
                .bind(self.id())
                .bind(user_id)
                .execute(&mut *conn)
                .await?
                .rows_affected()
        });
        Ok(n)
    }
    /// Keeps a WebAuthn ceremony's state under `id` (replacing one already
    /// there) until `expires_at`.
    pub async fn put_ceremony(&self, id: &str, doc: &str, expires_at: i64) -> StoreResult<()> {
        write_tx!(self, |conn| {
            sqlx::query("DELETE FROM webauthn_ceremonies WHERE tenant_id = $1 AND id = $2")
                .bind(self.id())
                .bind(id)
                .execute(&mut *conn)
                .await?;
            sqlx::query(
                "INSERT INTO webauthn_ceremonies (tenant_id, id, doc, expires_at) VALUES ($1, $2, $3, $4)",
            )
            .bind(self.id())
            .bind(id)
            .bind(doc)
            .bind(expires_at)
            .execute(&mut *conn)
            .await?;
        });
        Ok(())
    }

    /// Takes the ceremony under `id` (once: it is deleted), if it is still
    /// live at `now`.
    pub async fn take_ceremony(&self, id: &str, now: i64) -> StoreResult<Option<String>> {
        let row: Option<(String, i64)> = write_db!(self, |conn| {
            sqlx::query_as(
                "DELETE FROM webauthn_ceremonies WHERE tenant_id = $1 AND id = $2 RETURNING doc, expires_at",
            )
            .bind(self.id())
            .bind(id)
            .fetch_optional(&mut *conn)
            .await?
        });
        Ok(row.filter(|r| r.1 > now).map(|r| r.0))
    }

    /// Enrols a WebAuthn authenticator as the user's first second factor:
    /// registering it proved the person holds it, so it is confirmed, the
    /// step's token spent, in one transaction. `false` (nothing written)
    /// when the token was spent or the user already has a confirmed factor.
    #[allow(clippy::too_many_arguments)]
    pub async fn enroll_webauthn(
        &self,
        user_id: &str,
        id: &str,
        kind: Kind,
        credential: &str,
        credential_id: &str,
        spend: &str,
        now: i64,
    ) -> StoreResult<bool> {
        let done = write_tx!(self, |conn| {
            lock_user!(conn, self.id(), user_id);
            let (confirmed,): (i64,) = sqlx::query_as(CONFIRMED_FACTORS)
                .bind(self.id())
                .bind(user_id)
                .fetch_one(&mut *conn)
                .await?;
            if confirmed > 0 || !spend_token!(conn, self.id(), spend, now) {
                return Ok((false, false));
            }
            sqlx::query("DELETE FROM authenticators WHERE tenant_id = $1 AND user_id = $2 AND NOT confirmed")
                .bind(self.id())
                .bind(user_id)
                .execute(&mut *conn)
                .await?;
            sqlx::query(
                "INSERT INTO authenticators (tenant_id, id, user_id, kind, credential, credential_id, confirmed, created_at, last_auth_at)
                 VALUES ($1, $2, $3, $4, $5, $6, TRUE, $7, $7)",
            )
            .bind(self.id())
            .bind(id)
            .bind(user_id)
            .bind(kind.as_str())
            .bind(credential)
            .bind(credential_id)
            .bind(now)
            .execute(&mut *conn)
            .await?;
            true
        });
        Ok(done)
    }

    /// Records a WebAuthn assertion accepted: the credential's new state
    /// (its sign count), the failures cleared, the step's token (if any)
    /// spent.
    /// `false` when the token was already spent or the credential changed
    /// meanwhile (another assertion won).
    pub async fn accept_webauthn(
        &self,
        user_id: &str,
        id: &str,
        (was, now_credential): (&str, &str),
        spend: Option<&str>,
        now: i64,
    ) -> StoreResult<bool> {
        let accepted = write_tx!(self, |conn| {
            if let Some(spend) = spend
                && !spend_token!(conn, self.id(), spend, now)
            {
                return Ok((false, false));
            }
            let n = sqlx::query(
                "UPDATE authenticators SET credential = $5, failures = 0, failure_window = NULL, last_auth_at = $6
                 WHERE tenant_id = $1 AND user_id = $2 AND id = $3 AND credential = $4",
            )
            .bind(self.id())
            .bind(user_id)
            .bind(id)
            .bind(was)
            .bind(now_credential)
            .bind(now)
            .execute(&mut *conn)
            .await?
            .rows_affected();
            if n == 0 {
                return Ok((false, false));
            }
            true
        });
        Ok(accepted)
    }
    /// Adds a passkey for the user (replacing one they had: one per user).
    pub async fn add_passkey(
        &self,
        user_id: &str,
        id: &str,
        credential: &str,
        credential_id: &str,
        now: i64,
    ) -> StoreResult<()> {
        write_tx!(self, |conn| {
            lock_user!(conn, self.id(), user_id);
            sqlx::query("DELETE FROM authenticators WHERE tenant_id = $1 AND user_id = $2 AND kind = 'passkey'")
                .bind(self.id())
                .bind(user_id)
                .execute(&mut *conn)
                .await?;
            sqlx::query(
                "INSERT INTO authenticators (tenant_id, id, user_id, kind, credential, credential_id, confirmed, created_at)
                 VALUES ($1, $2, $3, 'passkey', $4, $5, TRUE, $6)",
            )
            .bind(self.id())
            .bind(id)
            .bind(user_id)
            .bind(credential)
            .bind(credential_id)
            .bind(now)
            .execute(&mut *conn)
            .await?;
        });
        Ok(())
    }

    /// The passkey with this credential id: `(user_id, authenticator id,
    /// credential)`.
    pub async fn passkey_by_credential_id(
        &self,
        credential_id: &str,
    ) -> StoreResult<Option<(String, String, String)>> {
        let row: Option<(String, String, Option<String>)> = with_db!(self, |pool| {
            sqlx::query_as(
                "SELECT user_id, id, credential FROM authenticators
                 WHERE tenant_id = $1 AND credential_id = $2 AND kind = 'passkey'",
            )
            .bind(self.id())
            .bind(credential_id)
            .fetch_optional(pool)
            .await?
        });
        Ok(row.and_then(|(u, i, c)| c.map(|c| (u, i, c))))
    }
}
