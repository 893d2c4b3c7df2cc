//! State of the browser flows: login transactions, sessions, authorization codes,
//! consents and revoked token ids. Secrets (cookies, codes) are stored only as
//! hashes, by the caller.

use portcullis_core::protocol::authorization_code::CodeGrant;
use portcullis_core::protocol::authorize::AuthorizeRequest;

use crate::{
    Page, StoreResult, TenantStore, decode, encode, from_row, with_db, write_db, write_tx,
};

/// A signed-in browser session.
/// `(user_id, client_id, audience, scope)` as read.
type ConsentRow = (String, String, String, String);

/// A user's consent to an application's access to an API (Auth0's grant).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Consent {
    pub user_id: String,
    pub client_id: String,
    pub audience: String,
    /// Space-separated.
    pub scope: String,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Session {
    /// Public id: the `sid` claim.
    pub id: String,
    pub user_id: String,
    pub auth_time: i64,
    pub expires_at: i64,
    /// When the session passed a second factor (the MFA pages, or a
    /// passkey login).
    pub mfa_at: Option<i64>,
}

/// A parked authorization request.
#[derive(Debug, Clone)]
pub struct LoginTransaction {
    pub browser_hash: String,
    pub csrf: String,
    pub request: AuthorizeRequest,
    pub expires_at: i64,
}

/// A new authorization code, by its hash.
pub struct NewAuthorizationCode<'a> {
    pub code_hash: &'a str,
    pub grant: &'a CodeGrant,
    pub expires_at: i64,
}

/// What redeeming a code found.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Redemption {
    /// First use: the grant the code stood for, and its expiry.
    Redeemed {
        grant: Box<CodeGrant>,
        expires_at: i64,
    },
    /// RFC 6749 §4.1.2: used before; the token ids the first use issued.
    Replayed {
        issued_jti: Option<String>,
        issued_family: Option<String>,
    },
    Unknown,
}

/// A session as the Management API shows it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SessionRecord {
    pub id: String,
    pub user_id: String,
    pub auth_time: i64,
    pub created_at: i64,
    pub last_seen_at: i64,
    pub expires_at: i64,
}

from_row!(SessionRecord {
    id,
    user_id,
    auth_time,
    created_at,
    last_seen_at,
    expires_at,
});

/// A sign-in sent to an upstream provider, waiting for its answer.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct UpstreamState {
    pub login_tx_id: String,
    pub connection_id: String,
    pub nonce: String,
    /// The PKCE verifier, sealed with the key-encryption key.
    pub sealed_verifier: String,
    pub expires_at: i64,
}

impl TenantStore {
    /// Parks a login transaction, unless `client_ip` already has `max_parked`
    /// live ones (bytes of `doc`, summed) or more: `false` then, and nothing is
    /// stored. The count and the insert are one statement, so concurrent requests
    /// cannot overshoot by more than the in-flight ones.
    pub async fn insert_login_transaction(
        &self,
        id: &str,
        tx: &LoginTransaction,
        client_ip: &str,
        max_parked_bytes: i64,
        now: i64,
    ) -> StoreResult<bool> {
        let doc = encode(&tx.request)?;
        let n = write_db!(self, |conn| {
            sqlx::query(
                "INSERT INTO login_transactions (tenant_id, id, browser_hash, csrf, doc, created_at, expires_at, client_ip)
                 SELECT $1, $2, $3, $4, $5, $6, $7, $8
                 WHERE (SELECT COALESCE(SUM(LENGTH(doc)), 0) FROM login_transactions
                        WHERE tenant_id = $1 AND client_ip = $8 AND expires_at > $6) + LENGTH($5) <= $9",
            )
            .bind(self.id())
            .bind(id)
            .bind(&tx.browser_hash)
            .bind(&tx.csrf)
            .bind(&doc)
            .bind(now)
            .bind(tx.expires_at)
            .bind(client_ip)
            .bind(max_parked_bytes)
            .execute(&mut *conn)
            .await?
            .rows_affected()
        });
        Ok(n == 1)
    }

    /// The parked request of transaction `id`, expired or not (for the way
    /// back to the application from an expired page); `None` once cleaned up.
    pub async fn login_transaction_request(
        &self,
        id: &str,
    ) -> StoreResult<Option<AuthorizeRequest>> {
        let row: Option<(String,)> = with_db!(self, |pool| {
            sqlx::query_as("SELECT doc FROM login_transactions WHERE tenant_id = $1 AND id = $2")
                .bind(self.id())
                .bind(id)
                .fetch_optional(pool)
                .await?
        });
        row.map(|(d,)| decode(&d)).transpose()
    }

    /// The transaction, if it exists and has not expired.
    pub async fn get_login_transaction(
        &self,
        id: &str,
        now: i64,
    ) -> StoreResult<Option<LoginTransaction>> {
        let row: Option<(String, String, String, i64)> = with_db!(self, |pool| {
            sqlx::query_as(
                "SELECT browser_hash, csrf, doc, expires_at FROM login_transactions
                 WHERE tenant_id = $1 AND id = $2 AND expires_at > $3",
            )
            .bind(self.id())
            .bind(id)
            .bind(now)
            .fetch_optional(pool)
            .await?
        });
        row.map(|(browser_hash, csrf, doc, expires_at)| {
            Ok(LoginTransaction {
                browser_hash,
                csrf,
                request: decode(&doc)?,
                expires_at,
            })
        })
        .transpose()
    }

    /// Stores the `state` of a sign-in sent to an upstream provider (its hash),
    /// for the transaction it continues.
    pub async fn insert_upstream_state(
        &self,
        s: &UpstreamState,
        state_hash: &str,
    ) -> StoreResult<()> {
        write_tx!(self, |conn| {
            // One per transaction: a new start replaces the last one, so
            // repeated starts cannot grow the table.
            sqlx::query("DELETE FROM upstream_states WHERE tenant_id = $1 AND login_tx_id = $2")
                .bind(self.id())
                .bind(&s.login_tx_id)
                .execute(&mut *conn)
                .await?;
            sqlx::query(
                "INSERT INTO upstream_states (tenant_id, state_hash, login_tx_id, connection_id, nonce, code_verifier, expires_at)
                 VALUES ($1, $2, $3, $4, $5, $6, $7)",
            )
            .bind(self.id())
            .bind(state_hash)
            .bind(&s.login_tx_id)
            .bind(&s.connection_id)
            .bind(&s.nonce)
            .bind(&s.sealed_verifier)
            .bind(s.expires_at)
            .execute(&mut *conn)
            .await?;
        });
        Ok(())
    }

    /// Spends an upstream `state`: the one caller that presents it first, before
    /// it expires, gets it; a replay gets `None`.
    pub async fn take_upstream_state(
        &self,
        state_hash: &str,
        now: i64,
    ) -> StoreResult<Option<UpstreamState>> {
        let row: Option<(String, String, String, String, i64)> = write_db!(self, |conn| {
            sqlx::query_as(
                "DELETE FROM upstream_states WHERE tenant_id = $1 AND state_hash = $2
                 RETURNING login_tx_id, connection_id, nonce, code_verifier, expires_at",
            )
            .bind(self.id())
            .bind(state_hash)
            .fetch_optional(&mut *conn)
            .await?
        });
        Ok(row.filter(|r| r.4 > now).map(
            |(login_tx_id, connection_id, nonce, sealed_verifier, expires_at)| UpstreamState {
                login_tx_id,
                connection_id,
                nonce,
                sealed_verifier,
                expires_at,
            },
        ))
    }

    /// Ends a transaction; `true` only for the caller that ended it, so a form
    /// submitted twice completes once.
    pub async fn take_login_transaction(&self, id: &str) -> StoreResult<bool> {
        let n = write_db!(self, |conn| {
            sqlx::query("DELETE FROM login_transactions WHERE tenant_id = $1 AND id = $2")
                .bind(self.id())
                .bind(id)
                .execute(&mut *conn)
                .await?
                .rows_affected()
        });
        Ok(n == 1)
    }

    pub async fn create_session(&self, token_hash: &str, s: &Session, now: i64) -> StoreResult<()> {
        write_db!(self, |conn| {
            sqlx::query(
                "INSERT INTO sessions (tenant_id, id, token_hash, user_id, auth_time, created_at, last_seen_at, expires_at)
                 VALUES ($1, $2, $3, $4, $5, $6, $6, $7)",
            )
            .bind(self.id())
            .bind(&s.id)
            .bind(token_hash)
            .bind(&s.user_id)
            .bind(s.auth_time)
            .bind(now)
            .bind(s.expires_at)
            .execute(&mut *conn)
            .await?;
        });
        Ok(())
    }

    /// The live session whose cookie hashes to `token_hash`.
    /// The live session this cookie names: not ended, not past its absolute
    /// expiry, and used within the last `idle` seconds. A use is recorded
    /// (`last_seen_at`) at most once a minute, so a busy session costs one
    /// write a minute, not one per request.
    pub async fn find_session(
        &self,
        token_hash: &str,
        now: i64,
        idle: i64,
    ) -> StoreResult<Option<Session>> {
        let row: Option<(String, String, i64, i64, i64, Option<i64>)> = with_db!(self, |pool| {
            sqlx::query_as(
                "SELECT id, user_id, auth_time, expires_at, last_seen_at, mfa_at FROM sessions
                 WHERE tenant_id = $1 AND token_hash = $2 AND ended_at IS NULL AND expires_at > $3
                   AND last_seen_at > $4",
            )
            .bind(self.id())
            .bind(token_hash)
            .bind(now)
            .bind(now - idle)
            .fetch_optional(pool)
            .await?
        });
        let Some((id, user_id, auth_time, expires_at, last_seen_at, mfa_at)) = row else {
            return Ok(None);
        };
        if last_seen_at < now - 60 {
            write_db!(self, |conn| {
                sqlx::query(
                    "UPDATE sessions SET last_seen_at = $3 WHERE tenant_id = $1 AND id = $2 AND last_seen_at < $3",
                )
                .bind(self.id())
                .bind(&id)
                .bind(now)
                .execute(&mut *conn)
                .await?;
            });
        }
        Ok(Some(Session {
            id,
            user_id,
            auth_time,
            expires_at,
            mfa_at,
        }))
    }

    /// Ends every live session of the user; returns how many.
    pub async fn end_user_sessions(&self, user_id: &str, now: i64) -> StoreResult<u64> {
        Ok(write_db!(self, |conn| {
            sqlx::query(
                "UPDATE sessions SET ended_at = $3 WHERE tenant_id = $1 AND user_id = $2 AND ended_at IS NULL",
            )
            .bind(self.id())
            .bind(user_id)
            .bind(now)
            .execute(&mut *conn)
            .await?
            .rows_affected()
        }))
    }

    /// Ends the session with this public id; `true` if it was live.
    pub async fn end_session(&self, id: &str, now: i64) -> StoreResult<bool> {
        let n = write_db!(self, |conn| {
            sqlx::query("UPDATE sessions SET ended_at = $3 WHERE tenant_id = $1 AND id = $2 AND ended_at IS NULL")
                .bind(self.id())
                .bind(id)
                .bind(now)
                .execute(&mut *conn)
                .await?
                .rows_affected()
        });
        Ok(n == 1)
    }

    pub async fn insert_authorization_code(
        &self,
        code: NewAuthorizationCode<'_>,
        now: i64,
    ) -> StoreResult<()> {
        let doc = encode(code.grant)?;
        write_db!(self, |conn| {
            sqlx::query(
                "INSERT INTO authorization_codes (tenant_id, code_hash, client_id, user_id, doc, created_at, expires_at)
                 VALUES ($1, $2, $3, $4, $5, $6, $7)",
            )
            .bind(self.id())
            .bind(code.code_hash)
            .bind(&code.grant.client_id)
            .bind(&code.grant.user_id)
            .bind(&doc)
            .bind(now)
            .bind(code.expires_at)
            .execute(&mut *conn)
            .await?;
        });
        Ok(())
    }

    /// RFC 6749 §4.1.2: a code redeems once. The conditional UPDATE lets the
    /// database decide the single winner among concurrent redemptions.
    pub async fn redeem_authorization_code(
        &self,
        code_hash: &str,
        now: i64,
    ) -> StoreResult<Redemption> {
        let won: Option<(String, i64)> = write_db!(self, |conn| {
            sqlx::query_as(
                "UPDATE authorization_codes SET redeemed_at = $3
                 WHERE tenant_id = $1 AND code_hash = $2 AND redeemed_at IS NULL
                 RETURNING doc, expires_at",
            )
            .bind(self.id())
            .bind(code_hash)
            .bind(now)
            .fetch_optional(&mut *conn)
            .await?
        });
        if let Some((doc, expires_at)) = won {
            return Ok(Redemption::Redeemed {
                grant: Box::new(decode(&doc)?),
                expires_at,
            });
        }
        // A replay: mark the code, and learn what its first redemption issued.
        // If that redemption has not recorded its tokens yet, it sees the mark
        // when it tries (`record_code_issuance`, or
        // `start_refresh_family_for_code`) and stores and issues nothing.
        let seen: Option<(Option<String>, Option<String>)> = write_db!(self, |conn| {
            sqlx::query_as(
                "UPDATE authorization_codes SET replayed_at = COALESCE(replayed_at, $3)
                 WHERE tenant_id = $1 AND code_hash = $2
                 RETURNING issued_jti, issued_family",
            )
            .bind(self.id())
            .bind(code_hash)
            .bind(now)
            .fetch_optional(&mut *conn)
            .await?
        });
        Ok(match seen {
            Some((issued_jti, issued_family)) => Redemption::Replayed {
                issued_jti,
                issued_family,
            },
            None => Redemption::Unknown,
        })
    }

    /// Records the access token id and refresh-token family the code's
    /// redemption issued, unless the code has been replayed meanwhile; `false`
    /// then, and the caller must not issue (the replay could not see it). One
    /// conditional UPDATE on the code's row orders the two. A redemption that
    /// starts a refresh-token family records it with the family
    /// (`start_refresh_family_for_code`).
    pub async fn record_code_issuance(
        &self,
        code_hash: &str,
        jti: &str,
        family_id: Option<&str>,
    ) -> StoreResult<bool> {
        let n = write_db!(self, |conn| {
            sqlx::query(crate::refresh_tokens::RECORD_CODE_ISSUANCE)
                .bind(self.id())
                .bind(code_hash)
                .bind(jti)
                .bind(family_id)
                .execute(&mut *conn)
                .await?
                .rows_affected()
        });
        Ok(n == 1)
    }

    pub async fn revoke_token_id(&self, jti: &str, expires_at: i64) -> StoreResult<()> {
        write_db!(self, |conn| {
            sqlx::query(
                "INSERT INTO revoked_tokens (tenant_id, jti, expires_at) VALUES ($1, $2, $3)
                 ON CONFLICT (tenant_id, jti) DO NOTHING",
            )
            .bind(self.id())
            .bind(jti)
            .bind(expires_at)
            .execute(&mut *conn)
            .await?;
        });
        Ok(())
    }

    pub async fn is_token_id_revoked(&self, jti: &str) -> StoreResult<bool> {
        let row: Option<(String,)> = with_db!(self, |pool| {
            sqlx::query_as("SELECT jti FROM revoked_tokens WHERE tenant_id = $1 AND jti = $2")
                .bind(self.id())
                .bind(jti)
                .fetch_optional(pool)
                .await?
        });
        Ok(row.is_some())
    }

    /// The scopes the user has consented to for the client and audience.
    pub async fn get_consent(
        &self,
        user_id: &str,
        client_id: &str,
        audience: &str,
    ) -> StoreResult<Option<String>> {
        let row: Option<(String,)> = with_db!(self, |pool| {
            sqlx::query_as(
                "SELECT scope FROM consents WHERE tenant_id = $1 AND user_id = $2 AND client_id = $3 AND audience = $4",
            )
            .bind(self.id())
            .bind(user_id)
            .bind(client_id)
            .bind(audience)
            .fetch_optional(pool)
            .await?
        });
        Ok(row.map(|(s,)| s))
    }

    pub async fn save_consent(
        &self,
        user_id: &str,
        client_id: &str,
        audience: &str,
        scope: &str,
        now: i64,
    ) -> StoreResult<()> {
        write_db!(self, |conn| {
            sqlx::query(
                "INSERT INTO consents (tenant_id, user_id, client_id, audience, scope, created_at)
                 VALUES ($1, $2, $3, $4, $5, $6)
                 ON CONFLICT (tenant_id, user_id, client_id, audience) DO UPDATE SET scope = $5, created_at = $6",
            )
            .bind(self.id())
            .bind(user_id)
            .bind(client_id)
            .bind(audience)
            .bind(scope)
            .bind(now)
            .execute(&mut *conn)
            .await?;
        });
        Ok(())
    }
    /// Consents (Auth0's grants), optionally of one user, client or audience,
    /// by user, client and audience: a page with the total.
    pub async fn list_consents(
        &self,
        user_id: Option<&str>,
        client_id: Option<&str>,
        audience: Option<&str>,
        page: Page,
    ) -> StoreResult<(Vec<Consent>, i64)> {
        let (rows, total): (Vec<ConsentRow>, (i64,)) = with_db!(self, |pool| {
            let rows = sqlx::query_as(
                "SELECT user_id, client_id, audience, scope FROM consents
                 WHERE tenant_id = $1 AND (CAST($2 AS TEXT) IS NULL OR user_id = $2)
                   AND (CAST($3 AS TEXT) IS NULL OR client_id = $3)
                   AND (CAST($4 AS TEXT) IS NULL OR audience = $4)
                 ORDER BY user_id, client_id, audience LIMIT $5 OFFSET $6",
            )
            .bind(self.id())
            .bind(user_id)
            .bind(client_id)
            .bind(audience)
            .bind(page.limit())
            .bind(page.offset())
            .fetch_all(pool)
            .await?;
            let total = sqlx::query_as(
                "SELECT COUNT(*) FROM consents
                 WHERE tenant_id = $1 AND (CAST($2 AS TEXT) IS NULL OR user_id = $2)
                   AND (CAST($3 AS TEXT) IS NULL OR client_id = $3)
                   AND (CAST($4 AS TEXT) IS NULL OR audience = $4)",
            )
            .bind(self.id())
            .bind(user_id)
            .bind(client_id)
            .bind(audience)
            .fetch_one(pool)
            .await?;
            (rows, total)
        });
        let items = rows
            .into_iter()
            .map(|(user_id, client_id, audience, scope)| Consent {
                user_id,
                client_id,
                audience,
                scope,
            })
            .collect();
        Ok((items, total.0))
    }

    /// Withdraws consents: one (`client_id` and `audience` given) or all of a
    /// user's. Returns how many went.
    pub async fn delete_consents(
        &self,
        user_id: &str,
        client_and_audience: Option<(&str, &str)>,
    ) -> StoreResult<u64> {
        let (client_id, audience) = client_and_audience.unzip();
        Ok(write_db!(self, |conn| {
            sqlx::query(
                "DELETE FROM consents WHERE tenant_id = $1 AND user_id = $2
                   AND (CAST($3 AS TEXT) IS NULL OR client_id = $3)
                   AND (CAST($4 AS TEXT) IS NULL OR audience = $4)",
            )
            .bind(self.id())
            .bind(user_id)
            .bind(client_id)
            .bind(audience)
            .execute(&mut *conn)
            .await?
            .rows_affected()
        }))
    }

    /// The user's live sessions.
    pub async fn list_user_sessions(
        &self,
        user_id: &str,
        now: i64,
    ) -> StoreResult<Vec<SessionRecord>> {
        let rows: Vec<SessionRecord> = with_db!(self, |pool| {
            sqlx::query_as(
                "SELECT id, user_id, auth_time, created_at, last_seen_at, expires_at FROM sessions
                 WHERE tenant_id = $1 AND user_id = $2 AND ended_at IS NULL AND expires_at > $3
                 ORDER BY created_at, id",
            )
            .bind(self.id())
            .bind(user_id)
            .bind(now)
            .fetch_all(pool)
            .await?
        });
        Ok(rows)
    }

    /// A live session by its public id.
    pub async fn get_session(&self, id: &str, now: i64) -> StoreResult<Option<SessionRecord>> {
        let row: Option<SessionRecord> = with_db!(self, |pool| {
            sqlx::query_as(
                "SELECT id, user_id, auth_time, created_at, last_seen_at, expires_at FROM sessions
                 WHERE tenant_id = $1 AND id = $2 AND ended_at IS NULL AND expires_at > $3",
            )
            .bind(self.id())
            .bind(id)
            .bind(now)
            .fetch_optional(pool)
            .await?
        });
        Ok(row)
    }
}
