//! Refresh tokens and their rotation families. Presenting a token is one
//! transaction (`exchange_refresh_token`): the row is locked and read, the
//! core's `protocol::refresh_token::decide` chooses (renew, rotate, rotate within
//! the leeway, switch rotation type, revoke the family on reuse, or nothing) and
//! the decision is applied before commit, so concurrent exchanges of one token
//! on any number of nodes are applied one after the other.

use portcullis_core::protocol::refresh_token::{Exchange, Presented};

use crate::{Store, StoreResult, with_db};

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RefreshToken {
    pub id: String,
    pub family_id: String,
    pub client_id: String,
    pub user_id: String,
    pub session_id: Option<String>,
    pub audience: Option<String>,
    pub scope: String,
    pub rotating: bool,
    pub generation: i64,
    pub created_at: i64,
    pub expires_at: Option<i64>,
    pub idle_expires_at: Option<i64>,
    pub used_at: Option<i64>,
    pub revoked_at: Option<i64>,
}

impl RefreshToken {
    /// Not revoked and within both lifetimes.
    pub fn is_live(&self, now: i64) -> bool {
        self.revoked_at.is_none()
            && self.expires_at.is_none_or(|e| e > now)
            && self.idle_expires_at.is_none_or(|e| e > now)
    }
}

/// A token to store, by its hash.
#[derive(Debug, Clone)]
pub struct NewRefreshToken {
    pub id: String,
    pub token_hash: String,
    pub family_id: String,
    pub client_id: String,
    pub user_id: String,
    pub session_id: Option<String>,
    pub audience: Option<String>,
    pub scope: String,
    pub rotating: bool,
    pub generation: i64,
    pub expires_at: Option<i64>,
    pub idle_expires_at: Option<i64>,
}

/// The id and hash of the token an exchange may issue (made by the caller, who
/// hands the token itself out).
#[derive(Debug, Clone)]
pub struct Fresh {
    pub id: String,
    pub token_hash: String,
}

type Row = (
    String,
    String,
    String,
    String,
    Option<String>,
    Option<String>,
    String,
    bool,
    i64,
    i64,
    Option<i64>,
    Option<i64>,
    Option<i64>,
    Option<i64>,
);

const COLUMNS: &str = "id, family_id, client_id, user_id, session_id, audience, scope, rotating, generation, \
     created_at, expires_at, idle_expires_at, used_at, revoked_at";

fn to_token(r: Row) -> RefreshToken {
    RefreshToken {
        id: r.0,
        family_id: r.1,
        client_id: r.2,
        user_id: r.3,
        session_id: r.4,
        audience: r.5,
        scope: r.6,
        rotating: r.7,
        generation: r.8,
        created_at: r.9,
        expires_at: r.10,
        idle_expires_at: r.11,
        used_at: r.12,
        revoked_at: r.13,
    }
}

macro_rules! insert_token {
    ($exec:expr, $tenant:expr, $t:expr, $now:expr) => {
        sqlx::query(
            "INSERT INTO refresh_tokens (tenant_id, id, token_hash, family_id, client_id, user_id, session_id, audience,
               scope, rotating, generation, created_at, expires_at, idle_expires_at)
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14)",
        )
        .bind($tenant)
        .bind(&$t.id)
        .bind(&$t.token_hash)
        .bind(&$t.family_id)
        .bind(&$t.client_id)
        .bind(&$t.user_id)
        .bind(&$t.session_id)
        .bind(&$t.audience)
        .bind(&$t.scope)
        .bind($t.rotating)
        .bind($t.generation)
        .bind($now)
        .bind($t.expires_at)
        .bind($t.idle_expires_at)
        .execute($exec)
        .await?
    };
}

impl Store {
    pub async fn insert_refresh_token(
        &self,
        tenant: &str,
        t: &NewRefreshToken,
        now: i64,
    ) -> StoreResult<()> {
        with_db!(self, |pool| {
            insert_token!(pool, tenant, t, now);
        });
        Ok(())
    }

    /// The token whose hash is `token_hash`, whatever its state. Reading changes
    /// nothing, so a request refused on this basis (another client's token, a
    /// wider scope) leaves the family as it was.
    pub async fn find_refresh_token(
        &self,
        tenant: &str,
        token_hash: &str,
    ) -> StoreResult<Option<RefreshToken>> {
        let row: Option<Row> = with_db!(self, |pool| {
            sqlx::query_as(sqlx::AssertSqlSafe(format!(
                "SELECT {COLUMNS} FROM refresh_tokens WHERE tenant_id = $1 AND token_hash = $2"
            )))
            .bind(tenant)
            .bind(token_hash)
            .fetch_optional(pool)
            .await?
        });
        Ok(row.map(to_token))
    }

    /// Presents a refresh token: in one transaction, locks its row, reads it
    /// (with whether a later generation of its family was spent), asks
    /// `decide` what to do, and applies that (`protocol::refresh_token::decide`
    /// in the caller). `fresh` is the id and hash of the token a rotation or a
    /// switch issues. Concurrent presentations of one token, on any number of
    /// nodes, are applied one after the other, so a rotation-type switch starts
    /// one family however many requests race.
    pub async fn exchange_refresh_token(
        &self,
        tenant: &str,
        token_hash: &str,
        now: i64,
        decide: impl Fn(Option<&Presented>) -> Exchange,
        fresh: &Fresh,
    ) -> StoreResult<(Option<RefreshToken>, Exchange)> {
        let mut attempt = 0;
        loop {
            match self
                .exchange_once(tenant, token_hash, now, &decide, fresh)
                .await
            {
                Err(crate::StoreError::Contention) if attempt < 5 => attempt += 1,
                other => return other,
            }
        }
    }

    async fn exchange_once(
        &self,
        tenant: &str,
        token_hash: &str,
        now: i64,
        decide: &impl Fn(Option<&Presented>) -> Exchange,
        fresh: &Fresh,
    ) -> StoreResult<(Option<RefreshToken>, Exchange)> {
        with_db!(self, |pool| {
            let mut tx = pool.begin().await?;
            // A write first: it locks the row on PostgreSQL and the database on
            // SQLite until commit, and returns the row as it is now.
            let row: Option<Row> = sqlx::query_as(sqlx::AssertSqlSafe(format!(
                "UPDATE refresh_tokens SET used_at = used_at WHERE tenant_id = $1 AND token_hash = $2 RETURNING {COLUMNS}"
            )))
            .bind(tenant)
            .bind(token_hash)
            .fetch_optional(&mut *tx)
            .await?;
            let Some(t) = row.map(to_token) else {
                return Ok((None, decide(None)));
            };
            let newer_spent = if t.used_at.is_some() {
                let (n,): (i64,) = sqlx::query_as(
                    "SELECT COUNT(*) FROM refresh_tokens
                     WHERE tenant_id = $1 AND family_id = $2 AND generation > $3 AND used_at IS NOT NULL",
                )
                .bind(tenant)
                .bind(&t.family_id)
                .bind(t.generation)
                .fetch_one(&mut *tx)
                .await?;
                n > 0
            } else {
                false
            };
            let presented = Presented {
                rotating: t.rotating,
                expires_at: t.expires_at,
                idle_expires_at: t.idle_expires_at,
                used_at: t.used_at,
                revoked_at: t.revoked_at,
                newer_spent,
            };
            let decision = decide(Some(&presented));
            let revoke_family = "UPDATE refresh_tokens SET revoked_at = $3
                 WHERE tenant_id = $1 AND family_id = $2 AND revoked_at IS NULL";
            match decision {
                Exchange::Invalid => return Ok((Some(t), decision)),
                Exchange::Renew { idle_expires_at } => {
                    sqlx::query(
                        "UPDATE refresh_tokens SET idle_expires_at = $3 WHERE tenant_id = $1 AND token_hash = $2",
                    )
                    .bind(tenant)
                    .bind(token_hash)
                    .bind(idle_expires_at)
                    .execute(&mut *tx)
                    .await?;
                }
                Exchange::Rotate {
                    within_leeway,
                    idle_expires_at,
                } => {
                    if !within_leeway {
                        sqlx::query(
                            "UPDATE refresh_tokens SET used_at = $3 WHERE tenant_id = $1 AND token_hash = $2",
                        )
                        .bind(tenant)
                        .bind(token_hash)
                        .bind(now)
                        .execute(&mut *tx)
                        .await?;
                    }
                    let next = NewRefreshToken {
                        id: fresh.id.clone(),
                        token_hash: fresh.token_hash.clone(),
                        family_id: t.family_id.clone(),
                        client_id: t.client_id.clone(),
                        user_id: t.user_id.clone(),
                        session_id: t.session_id.clone(),
                        audience: t.audience.clone(),
                        scope: t.scope.clone(),
                        rotating: true,
                        generation: t.generation + 1,
                        // Auth0: the absolute limit is the family's, fixed at
                        // issue; the idle limit follows the current setting.
                        expires_at: t.expires_at,
                        idle_expires_at,
                    };
                    insert_token!(&mut *tx, tenant, next, now);
                }
                Exchange::Switch {
                    to_rotating,
                    expires_at,
                    idle_expires_at,
                } => {
                    sqlx::query(revoke_family)
                        .bind(tenant)
                        .bind(&t.family_id)
                        .bind(now)
                        .execute(&mut *tx)
                        .await?;
                    if to_rotating {
                        sqlx::query(
                            "UPDATE refresh_tokens SET revoked_at = $5
                             WHERE tenant_id = $1 AND user_id = $2 AND client_id = $3 AND NOT rotating AND revoked_at IS NULL
                               AND ((CAST($4 AS TEXT) IS NULL AND audience IS NULL) OR audience = $4)",
                        )
                        .bind(tenant)
                        .bind(&t.user_id)
                        .bind(&t.client_id)
                        .bind(&t.audience)
                        .bind(now)
                        .execute(&mut *tx)
                        .await?;
                    }
                    let family = NewRefreshToken {
                        id: fresh.id.clone(),
                        token_hash: fresh.token_hash.clone(),
                        family_id: fresh.id.clone(),
                        client_id: t.client_id.clone(),
                        user_id: t.user_id.clone(),
                        session_id: t.session_id.clone(),
                        audience: t.audience.clone(),
                        scope: t.scope.clone(),
                        rotating: to_rotating,
                        generation: 0,
                        expires_at,
                        idle_expires_at,
                    };
                    insert_token!(&mut *tx, tenant, family, now);
                }
                Exchange::Reuse => {
                    sqlx::query(revoke_family)
                        .bind(tenant)
                        .bind(&t.family_id)
                        .bind(now)
                        .execute(&mut *tx)
                        .await?;
                }
            }
            tx.commit().await?;
            Ok((Some(t), decision))
        })
    }

    /// Revokes every token of a family; returns how many were live.
    pub async fn revoke_refresh_family(
        &self,
        tenant: &str,
        family_id: &str,
        now: i64,
    ) -> StoreResult<u64> {
        let n = with_db!(self, |pool| {
            sqlx::query(
                "UPDATE refresh_tokens SET revoked_at = $3
                 WHERE tenant_id = $1 AND family_id = $2 AND revoked_at IS NULL",
            )
            .bind(tenant)
            .bind(family_id)
            .bind(now)
            .execute(pool)
            .await?
            .rows_affected()
        });
        Ok(n)
    }
}

impl Store {
    /// The live tokens of a user: the newest unspent token of each family.
    pub async fn list_user_refresh_tokens(
        &self,
        tenant: &str,
        user_id: &str,
        now: i64,
    ) -> StoreResult<Vec<RefreshToken>> {
        let rows: Vec<Row> = with_db!(self, |pool| {
            sqlx::query_as(sqlx::AssertSqlSafe(format!(
                "SELECT {COLUMNS} FROM refresh_tokens
                 WHERE tenant_id = $1 AND user_id = $2 AND used_at IS NULL AND revoked_at IS NULL
                   AND (expires_at IS NULL OR expires_at > $3) AND (idle_expires_at IS NULL OR idle_expires_at > $3)
                 ORDER BY created_at, id"
            )))
            .bind(tenant)
            .bind(user_id)
            .bind(now)
            .fetch_all(pool)
            .await?
        });
        Ok(rows.into_iter().map(to_token).collect())
    }

    pub async fn get_refresh_token(
        &self,
        tenant: &str,
        id: &str,
    ) -> StoreResult<Option<RefreshToken>> {
        let row: Option<Row> = with_db!(self, |pool| {
            sqlx::query_as(sqlx::AssertSqlSafe(format!(
                "SELECT {COLUMNS} FROM refresh_tokens WHERE tenant_id = $1 AND id = $2"
            )))
            .bind(tenant)
            .bind(id)
            .fetch_optional(pool)
            .await?
        });
        Ok(row.map(to_token))
    }

    /// Revokes every refresh token issued in browser session `session_id`.
    pub async fn revoke_refresh_by_session(
        &self,
        tenant: &str,
        session_id: &str,
        now: i64,
    ) -> StoreResult<u64> {
        let n = with_db!(self, |pool| {
            sqlx::query(
                "UPDATE refresh_tokens SET revoked_at = $3
                 WHERE tenant_id = $1 AND session_id = $2 AND revoked_at IS NULL",
            )
            .bind(tenant)
            .bind(session_id)
            .bind(now)
            .execute(pool)
            .await?
            .rows_affected()
        });
        Ok(n)
    }
}

impl Store {
    /// Keeps at most `limit` live families per user and client (Auth0: 200),
    /// revoking the oldest beyond it; returns how many tokens were revoked.
    pub async fn enforce_refresh_token_limit(
        &self,
        tenant: &str,
        user_id: &str,
        client_id: &str,
        limit: i64,
        now: i64,
    ) -> StoreResult<u64> {
        let n = with_db!(self, |pool| {
            sqlx::query(
                "UPDATE refresh_tokens SET revoked_at = $5
                 WHERE tenant_id = $1 AND revoked_at IS NULL AND family_id IN (
                   SELECT family_id FROM refresh_tokens
                   WHERE tenant_id = $1 AND user_id = $2 AND client_id = $3 AND generation = 0 AND revoked_at IS NULL
                   ORDER BY created_at DESC, id DESC
                   LIMIT 1000000000 OFFSET $4)",
            )
            .bind(tenant)
            .bind(user_id)
            .bind(client_id)
            .bind(limit)
            .bind(now)
            .execute(pool)
            .await?
            .rows_affected()
        });
        Ok(n)
    }
}
