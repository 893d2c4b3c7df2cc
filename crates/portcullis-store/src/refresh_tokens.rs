//! Refresh tokens and their rotation families. Presenting a token is read →
//! decide → apply: `present_refresh_token` reads it, the core's
//! `protocol::refresh_token::decide` chooses (renew, rotate, rotate within the
//! leeway, switch rotation type, revoke the family on reuse, or nothing), and
//! `apply_refresh_exchange` writes the decision in one transaction whose first
//! write is guarded by what was read (compare-and-set), so of concurrent
//! exchanges of one token on any number of nodes one wins and the others read
//! again. The common paths keep their cost: a renewal is one UPDATE, a rotation
//! an UPDATE and an INSERT.

use portcullis_core::protocol::refresh_token::{Exchange, Presented};

use crate::{StoreResult, TenantStore, from_row, with_db, write_db, write_tx};

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
    /// The organization the family was issued in (its tokens carry `org_id`).
    pub organization_id: Option<String>,
    /// RFC 9449 §5: the DPoP key a public client's family is bound to.
    pub dpop_jkt: Option<String>,
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
    pub organization_id: Option<String>,
    pub dpop_jkt: Option<String>,
}

/// The id and hash of the token an exchange may issue (made by the caller, who
/// hands the token itself out).
#[derive(Debug, Clone)]
pub struct Fresh {
    pub id: String,
    pub token_hash: String,
}

const COLUMNS: &str = "id, family_id, client_id, user_id, session_id, audience, scope, rotating, generation, \
     created_at, expires_at, idle_expires_at, used_at, revoked_at, organization_id, dpop_jkt";

from_row!(RefreshToken {
    id,
    family_id,
    client_id,
    user_id,
    session_id,
    audience,
    scope,
    rotating,
    generation,
    created_at,
    expires_at,
    idle_expires_at,
    used_at,
    revoked_at,
    organization_id,
    dpop_jkt,
});

/// Revokes a user's families for a client beyond the newest `$4`, by their
/// first token (Auth0 keeps 200 per user and application).
const REVOKE_OLDEST_FAMILIES: &str = "UPDATE refresh_tokens SET revoked_at = $5
     WHERE tenant_id = $1 AND revoked_at IS NULL AND family_id IN (
       SELECT family_id FROM refresh_tokens
       WHERE tenant_id = $1 AND user_id = $2 AND client_id = $3 AND generation = 0 AND revoked_at IS NULL
       ORDER BY created_at DESC, id DESC
       LIMIT 1000000000 OFFSET $4)";

/// Records on a code's row what its redemption issued, unless it was replayed.
pub(crate) const RECORD_CODE_ISSUANCE: &str =
    "UPDATE authorization_codes SET issued_jti = $3, issued_family = $4
     WHERE tenant_id = $1 AND code_hash = $2 AND replayed_at IS NULL";

macro_rules! insert_token {
    ($exec:expr, $tenant:expr, $t:expr, $now:expr) => {
        sqlx::query(
            "INSERT INTO refresh_tokens (tenant_id, id, token_hash, family_id, client_id, user_id, session_id, audience,
               scope, rotating, generation, created_at, expires_at, idle_expires_at, organization_id, dpop_jkt)
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16)",
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
        .bind(&$t.organization_id)
        .bind(&$t.dpop_jkt)
        .execute($exec)
        .await?
    };
}

impl TenantStore {
    pub async fn insert_refresh_token(&self, t: &NewRefreshToken, now: i64) -> StoreResult<()> {
        write_db!(self, |conn| {
            insert_token!(&mut *conn, self.id(), t, now);
        });
        Ok(())
    }

    /// Starts a refresh-token family with its first token `t` and keeps at most
    /// `limit` live families per user and client (Auth0: 200; the oldest beyond
    /// it are revoked), as one write: one savepoint of the writer on SQLite, one
    /// statement on PostgreSQL.
    pub async fn start_refresh_family(
        &self,
        t: &NewRefreshToken,
        limit: i64,
        now: i64,
    ) -> StoreResult<()> {
        self.start_family_guarded(t, limit, None, now).await?;
        Ok(())
    }

    /// As [`Self::start_refresh_family`] for a code exchange: the code's row
    /// first records the access token's `jti` and the family its redemption
    /// issued, unless the code was replayed meanwhile; then nothing is written
    /// and the answer is `false` (see `record_code_issuance`).
    pub async fn start_refresh_family_for_code(
        &self,
        t: &NewRefreshToken,
        limit: i64,
        code_hash: &str,
        jti: &str,
        now: i64,
    ) -> StoreResult<bool> {
        self.start_family_guarded(t, limit, Some((code_hash, jti)), now)
            .await
    }

    async fn start_family_guarded(
        &self,
        t: &NewRefreshToken,
        limit: i64,
        code: Option<(&str, &str)>,
        now: i64,
    ) -> StoreResult<bool> {
        // PostgreSQL's statement (its own numbering of the parameters): the
        // families beyond the newest `limit`, by their first token.
        const OLDEST: &str = "UPDATE refresh_tokens SET revoked_at = $12
             WHERE tenant_id = $1 AND revoked_at IS NULL AND family_id IN (
               SELECT family_id FROM refresh_tokens
               WHERE tenant_id = $1 AND user_id = $6 AND client_id = $5 AND generation = 0 AND revoked_at IS NULL
               ORDER BY created_at DESC, id DESC
               LIMIT 1000000000 OFFSET $17)";
        const RECORD: &str = "UPDATE authorization_codes SET issued_jti = $18, issued_family = $4
             WHERE tenant_id = $1 AND code_hash = $19 AND replayed_at IS NULL";
        const INSERT: &str = "INSERT INTO refresh_tokens (tenant_id, id, token_hash, family_id, client_id, user_id,
               session_id, audience, scope, rotating, generation, created_at, expires_at, idle_expires_at,
               organization_id, dpop_jkt)";
        macro_rules! bind_all {
            ($q:expr, $offset:expr) => {{
                let q = $q
                    .bind(self.id())
                    .bind(&t.id)
                    .bind(&t.token_hash)
                    .bind(&t.family_id)
                    .bind(&t.client_id)
                    .bind(&t.user_id)
                    .bind(&t.session_id)
                    .bind(&t.audience)
                    .bind(&t.scope)
                    .bind(t.rotating)
                    .bind(t.generation)
                    .bind(now)
                    .bind(t.expires_at)
                    .bind(t.idle_expires_at)
                    .bind(&t.organization_id)
                    .bind(&t.dpop_jkt)
                    .bind($offset);
                match code {
                    Some((code_hash, jti)) => q.bind(jti).bind(code_hash),
                    None => q,
                }
            }};
        }
        match &self.db {
            crate::Db::Sqlite(_, writer) => {
                writer
                    .run(async |conn: &mut sqlx::SqliteConnection| {
                        if let Some((code_hash, jti)) = code {
                            // RFC 6749 §4.1.2: a replay seen first revokes what
                            // was recorded; so nothing is stored unrecorded.
                            let n = sqlx::query(RECORD_CODE_ISSUANCE)
                                .bind(self.id())
                                .bind(code_hash)
                                .bind(jti)
                                .bind(&t.family_id)
                                .execute(&mut *conn)
                                .await?
                                .rows_affected();
                            if n != 1 {
                                return Ok((false, true));
                            }
                        }
                        insert_token!(&mut *conn, self.id(), t, now);
                        sqlx::query(REVOKE_OLDEST_FAMILIES)
                            .bind(self.id())
                            .bind(&t.user_id)
                            .bind(&t.client_id)
                            .bind(limit)
                            .bind(now)
                            .execute(&mut *conn)
                            .await?;
                        Ok((true, true))
                    })
                    .await
            }
            crate::Db::Postgres(pool) => {
                // One statement: data-modifying CTEs run exactly once and
                // atomically, whether or not the outer query reads them; all of
                // them see the snapshot from before the INSERT, so the new
                // family is not among those counted and one fewer is kept.
                let sql = match code {
                    Some(_) => format!(
                        "WITH rec AS ({RECORD} RETURNING 1),
                         ins AS ({INSERT} SELECT $1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16 FROM rec RETURNING 1),
                         lim AS ({OLDEST} AND EXISTS (SELECT 1 FROM ins) RETURNING 1)
                         SELECT COUNT(*) FROM ins"
                    ),
                    None => format!(
                        "WITH ins AS ({INSERT} VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16) RETURNING 1),
                         lim AS ({OLDEST} RETURNING 1)
                         SELECT COUNT(*) FROM ins"
                    ),
                };
                let (n,): (i64,) =
                    bind_all!(sqlx::query_as(sqlx::AssertSqlSafe(sql)), (limit - 1).max(0))
                        .fetch_one(pool)
                        .await?;
                Ok(n == 1)
            }
        }
    }

    /// The token whose hash is `token_hash`, whatever its state. Reading changes
    /// nothing, so a request refused on this basis (another client's token, a
    /// wider scope) leaves the family as it was.
    pub async fn find_refresh_token(&self, token_hash: &str) -> StoreResult<Option<RefreshToken>> {
        let row: Option<RefreshToken> = with_db!(self, |pool| {
            sqlx::query_as(sqlx::AssertSqlSafe(format!(
                "SELECT {COLUMNS} FROM refresh_tokens WHERE tenant_id = $1 AND token_hash = $2"
            )))
            .bind(self.id())
            .bind(token_hash)
            .fetch_optional(pool)
            .await?
        });
        Ok(row)
    }

    /// Revokes every token of these families, in one transaction; returns how
    /// many were live.
    pub async fn revoke_refresh_families(
        &self,
        family_ids: &[String],
        now: i64,
    ) -> StoreResult<u64> {
        if family_ids.is_empty() {
            return Ok(0);
        }
        let n = write_tx!(self, |conn| {
            let mut n = 0;
            for family_id in family_ids {
                n += sqlx::query(
                    "UPDATE refresh_tokens SET revoked_at = $3
                     WHERE tenant_id = $1 AND family_id = $2 AND revoked_at IS NULL",
                )
                .bind(self.id())
                .bind(family_id)
                .bind(now)
                .execute(&mut *conn)
                .await?
                .rows_affected();
            }
            n
        });
        Ok(n)
    }

    /// Revokes every token of a family; returns how many were live.
    pub async fn revoke_refresh_family(&self, family_id: &str, now: i64) -> StoreResult<u64> {
        self.revoke_refresh_families(&[family_id.to_string()], now)
            .await
    }

    /// A presented token as the core's `refresh_token::decide` reads it (with
    /// whether a later generation of its family was spent, asked only of a
    /// spent token).
    pub async fn present_refresh_token(
        &self,
        token_hash: &str,
    ) -> StoreResult<Option<(RefreshToken, Presented)>> {
        let Some(t) = self.find_refresh_token(token_hash).await? else {
            return Ok(None);
        };
        let newer_spent = match t.used_at {
            None => false,
            Some(_) => {
                let (n,): (i64,) = with_db!(self, |pool| {
                    sqlx::query_as(
                        "SELECT COUNT(*) FROM refresh_tokens
                         WHERE tenant_id = $1 AND family_id = $2 AND generation > $3 AND used_at IS NOT NULL",
                    )
                    .bind(self.id())
                    .bind(&t.family_id)
                    .bind(t.generation)
                    .fetch_one(pool)
                    .await?
                });
                n > 0
            }
        };
        let p = Presented {
            rotating: t.rotating,
            expires_at: t.expires_at,
            idle_expires_at: t.idle_expires_at,
            used_at: t.used_at,
            revoked_at: t.revoked_at,
            newer_spent,
        };
        Ok(Some((t, p)))
    }

    /// The rotation on PostgreSQL in one round trip: the guarded `UPDATE` that
    /// spends the token and the `INSERT` of its successor are one statement (a
    /// data-modifying CTE, which PostgreSQL runs atomically in its implicit
    /// transaction), instead of `BEGIN`, `UPDATE`, `INSERT`, `COMMIT`. The
    /// successor is inserted only if the guard matched, so `Ok(false)` still
    /// means a concurrent exchange won and nothing was written. SQLite has no
    /// data-modifying CTEs; there the two statements share the writer's
    /// savepoint, which costs no round trip.
    async fn rotate_in_one_statement(
        &self,
        pool: &sqlx::PgPool,
        t: &RefreshToken,
        within_leeway: bool,
        idle_expires_at: Option<i64>,
        fresh: &Fresh,
        now: i64,
    ) -> StoreResult<bool> {
        // The same guards as the two-statement form in `apply_refresh_exchange`.
        let spend = if within_leeway {
            "SET used_at = used_at WHERE tenant_id = $1 AND id = $2 AND rotating AND used_at = $4"
        } else {
            "SET used_at = $3 WHERE tenant_id = $1 AND id = $2 AND rotating AND used_at IS NULL AND $4::BIGINT IS NULL"
        };
        let sql = format!(
            "WITH spent AS (
               UPDATE refresh_tokens {spend}
                 AND revoked_at IS NULL AND (expires_at IS NULL OR expires_at > $3)
                 AND (idle_expires_at IS NULL OR idle_expires_at > $3)
               RETURNING family_id, client_id, user_id, session_id, audience, scope, generation, expires_at,
                 organization_id, dpop_jkt)
             INSERT INTO refresh_tokens (tenant_id, id, token_hash, family_id, client_id, user_id, session_id,
               audience, scope, rotating, generation, created_at, expires_at, idle_expires_at, organization_id,
               dpop_jkt)
             SELECT $1, $5, $6, family_id, client_id, user_id, session_id, audience, scope, TRUE,
               generation + 1, $3, expires_at, $7, organization_id, dpop_jkt
             FROM spent"
        );
        // Auth0: the absolute limit is the family's, fixed at issue (carried
        // over from the spent row); the idle limit follows the current setting.
        let n = sqlx::query(sqlx::AssertSqlSafe(sql))
            .bind(self.id())
            .bind(&t.id)
            .bind(now)
            .bind(t.used_at)
            .bind(&fresh.id)
            .bind(&fresh.token_hash)
            .bind(idle_expires_at)
            .execute(pool)
            .await?
            .rows_affected();
        Ok(n == 1)
    }

    /// Applies the core's decision about `t`, presented at `now`, in one
    /// transaction whose first write is guarded by what the decision read (the
    /// token still unspent, unrevoked and of its kind; for a rotation within the
    /// leeway, still spent at the same moment). `Ok(false)`: a concurrent
    /// exchange changed the token first and nothing was written; read it again
    /// and decide again. So of many exchanges racing on one token, one rotates
    /// it or switches its family, whatever the backend or the number of nodes.
    /// `fresh` is the id and hash of the token a rotation or a switch issues.
    pub async fn apply_refresh_exchange(
        &self,
        t: &RefreshToken,
        decision: Exchange,
        fresh: &Fresh,
        now: i64,
    ) -> StoreResult<bool> {
        // The guard every first write carries: the row is still live.
        const LIVE: &str = "revoked_at IS NULL AND (expires_at IS NULL OR expires_at > $3)
                   AND (idle_expires_at IS NULL OR idle_expires_at > $3)";
        let revoke_family = "UPDATE refresh_tokens SET revoked_at = $3
             WHERE tenant_id = $1 AND family_id = $2 AND revoked_at IS NULL";
        if let (
            crate::Db::Postgres(pool),
            Exchange::Rotate {
                within_leeway,
                idle_expires_at,
            },
        ) = (&self.db, decision)
        {
            return self
                .rotate_in_one_statement(pool, t, within_leeway, idle_expires_at, fresh, now)
                .await;
        }
        write_tx!(self, result, |conn| {
            match decision {
                Exchange::Invalid => Ok(true),
                Exchange::Reuse => {
                    // Idempotent: a spent token never becomes unspent again.
                    sqlx::query(revoke_family)
                        .bind(self.id())
                        .bind(&t.family_id)
                        .bind(now)
                        .execute(&mut *conn)
                        .await?;
                    Ok(true)
                }
                Exchange::Renew { idle_expires_at } => {
                    let n = sqlx::query(sqlx::AssertSqlSafe(format!(
                        "UPDATE refresh_tokens SET idle_expires_at = $4
                         WHERE tenant_id = $1 AND id = $2 AND NOT rotating AND used_at IS NULL AND {LIVE}"
                    )))
                    .bind(self.id())
                    .bind(&t.id)
                    .bind(now)
                    .bind(idle_expires_at)
                    .execute(&mut *conn)
                    .await?
                    .rows_affected();
                    Ok(n == 1)
                }
                Exchange::Rotate {
                    within_leeway,
                    idle_expires_at,
                } => {
                    // Spends it (first use), or checks it is still the spent
                    // token it was (a rotation within the leeway).
                    let guard = if within_leeway {
                        format!(
                            "UPDATE refresh_tokens SET used_at = used_at
                         WHERE tenant_id = $1 AND id = $2 AND rotating AND used_at = $4 AND {LIVE}"
                        )
                    } else {
                        format!("UPDATE refresh_tokens SET used_at = $3
                         WHERE tenant_id = $1 AND id = $2 AND rotating AND used_at IS NULL AND {LIVE}")
                    };
                    let n = sqlx::query(sqlx::AssertSqlSafe(guard))
                        .bind(self.id())
                        .bind(&t.id)
                        .bind(now)
                        .bind(t.used_at)
                        .execute(&mut *conn)
                        .await?
                        .rows_affected();
                    if n != 1 {
                        return Ok(false);
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
                        organization_id: t.organization_id.clone(),
                        dpop_jkt: t.dpop_jkt.clone(),
                    };
                    insert_token!(&mut *conn, self.id(), next, now);
                    Ok(true)
                }
                Exchange::Switch {
                    to_rotating,
                    expires_at,
                    idle_expires_at,
                } => {
                    // The one racer that ends the old family starts the new one.
                    let n = sqlx::query(sqlx::AssertSqlSafe(format!(
                        "UPDATE refresh_tokens SET revoked_at = $3
                         WHERE tenant_id = $1 AND id = $2 AND rotating = $4 AND used_at IS NULL AND {LIVE}"
                    )))
                    .bind(self.id())
                    .bind(&t.id)
                    .bind(now)
                    .bind(t.rotating)
                    .execute(&mut *conn)
                    .await?
                    .rows_affected();
                    if n != 1 {
                        return Ok(false);
                    }
                    sqlx::query(revoke_family)
                        .bind(self.id())
                        .bind(&t.family_id)
                        .bind(now)
                        .execute(&mut *conn)
                        .await?;
                    if to_rotating {
                        // Auth0: switching rotation on ends the user's other
                        // non-rotating tokens for this application and API.
                        sqlx::query(
                            "UPDATE refresh_tokens SET revoked_at = $5
                             WHERE tenant_id = $1 AND user_id = $2 AND client_id = $3 AND NOT rotating AND revoked_at IS NULL
                               AND ((CAST($4 AS TEXT) IS NULL AND audience IS NULL) OR audience = $4)",
                        )
                        .bind(self.id())
                        .bind(&t.user_id)
                        .bind(&t.client_id)
                        .bind(&t.audience)
                        .bind(now)
                        .execute(&mut *conn)
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
                        organization_id: t.organization_id.clone(),
                        dpop_jkt: t.dpop_jkt.clone(),
                    };
                    insert_token!(&mut *conn, self.id(), family, now);
                    Ok(true)
                }
            }
        })
    }
    /// The live tokens of a user: the newest unspent token of each family.
    pub async fn list_user_refresh_tokens(
        &self,
        user_id: &str,
        now: i64,
    ) -> StoreResult<Vec<RefreshToken>> {
        let rows: Vec<RefreshToken> = with_db!(self, |pool| {
            sqlx::query_as(sqlx::AssertSqlSafe(format!(
                "SELECT {COLUMNS} FROM refresh_tokens
                 WHERE tenant_id = $1 AND user_id = $2 AND used_at IS NULL AND revoked_at IS NULL
                   AND (expires_at IS NULL OR expires_at > $3) AND (idle_expires_at IS NULL OR idle_expires_at > $3)
                 ORDER BY created_at, id"
            )))
            .bind(self.id())
            .bind(user_id)
            .bind(now)
            .fetch_all(pool)
            .await?
        });
        Ok(rows)
    }

    pub async fn get_refresh_token(&self, id: &str) -> StoreResult<Option<RefreshToken>> {
        let row: Option<RefreshToken> = with_db!(self, |pool| {
            sqlx::query_as(sqlx::AssertSqlSafe(format!(
                "SELECT {COLUMNS} FROM refresh_tokens WHERE tenant_id = $1 AND id = $2"
            )))
            .bind(self.id())
            .bind(id)
            .fetch_optional(pool)
            .await?
        });
        Ok(row)
    }

    /// Revokes every refresh token issued in browser session `session_id`.
    pub async fn revoke_refresh_by_session(&self, session_id: &str, now: i64) -> StoreResult<u64> {
        let n = write_db!(self, |conn| {
            sqlx::query(
                "UPDATE refresh_tokens SET revoked_at = $3
                 WHERE tenant_id = $1 AND session_id = $2 AND revoked_at IS NULL",
            )
            .bind(self.id())
            .bind(session_id)
            .bind(now)
            .execute(&mut *conn)
            .await?
            .rows_affected()
        });
        Ok(n)
    }
    /// Revokes every refresh token of the user; returns how many.
    pub async fn revoke_user_refresh_tokens(&self, user_id: &str, now: i64) -> StoreResult<u64> {
        Ok(write_db!(self, |conn| {
            sqlx::query(
                "UPDATE refresh_tokens SET revoked_at = $3
                 WHERE tenant_id = $1 AND user_id = $2 AND revoked_at IS NULL",
            )
            .bind(self.id())
            .bind(user_id)
            .bind(now)
            .execute(&mut *conn)
            .await?
            .rows_affected()
        }))
    }

    /// Keeps at most `limit` live families per user and client (Auth0: 200),
    /// revoking the oldest beyond it; returns how many tokens were revoked.
    pub async fn enforce_refresh_token_limit(
        &self,
        user_id: &str,
        client_id: &str,
        limit: i64,
        now: i64,
    ) -> StoreResult<u64> {
        let n = write_db!(self, |conn| {
            sqlx::query(REVOKE_OLDEST_FAMILIES)
                .bind(self.id())
                .bind(user_id)
                .bind(client_id)
                .bind(limit)
                .bind(now)
                .execute(&mut *conn)
                .await?
                .rows_affected()
        });
        Ok(n)
    }
}
