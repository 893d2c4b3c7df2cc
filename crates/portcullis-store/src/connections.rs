//! Connections, the applications each is enabled for, and password history.
//!
//! Invariants:
//! - A connection's name is unique in the tenant (`Conflict`) and never
//!   rewritten: users name their connection by it.
//! - An upstream's client secret is stored only sealed (`secret`), written
//!   beside the document, never inside it.
//! - Deleting a connection deletes its users (Auth0's rule) and its enabled
//!   clients in the same transaction.

use portcullis_core::connections::Connection;

use crate::{StoreResult, TenantStore, decode, encode, with_db, write_tx};

/// Enables a client on a connection (idempotent).
macro_rules! enable {
    ($conn:expr, $tenant:expr, $connection:expr, $client:expr) => {
        sqlx::query(
            "INSERT INTO connection_clients (tenant_id, connection_id, client_id) VALUES ($1, $2, $3)
             ON CONFLICT DO NOTHING",
        )
        .bind($tenant)
        .bind($connection)
        .bind($client)
        .execute(&mut *$conn)
        .await?;
    };
}

/// Moves the user's current hash into the history before a new one is set, and
/// keeps the newest [`PASSWORD_HISTORY_KEPT`].
macro_rules! remember_password {
    ($conn:expr, $tenant:expr, $user_id:expr, $now:expr) => {
        sqlx::query(
            "INSERT INTO password_history (tenant_id, user_id, hash, seq, created_at)
             SELECT tenant_id, user_id, password_hash,
                    (SELECT COALESCE(MAX(seq), 0) + 1 FROM password_history WHERE tenant_id = $1 AND user_id = $2),
                    $3
             FROM users
             WHERE tenant_id = $1 AND user_id = $2 AND password_hash IS NOT NULL",
        )
        .bind($tenant)
        .bind($user_id)
        .bind($now)
        .execute(&mut *$conn)
        .await?;
        sqlx::query(
            "DELETE FROM password_history WHERE tenant_id = $1 AND user_id = $2
             AND seq NOT IN (SELECT seq FROM password_history WHERE tenant_id = $1 AND user_id = $2
                             ORDER BY seq DESC LIMIT $3)",
        )
        .bind($tenant)
        .bind($user_id)
        .bind($crate::connections::PASSWORD_HISTORY_KEPT)
        .execute(&mut *$conn)
        .await?;
    };
}
pub(crate) use remember_password;

/// Previous hashes kept per user: Auth0's largest `password_history.size`.
pub const PASSWORD_HISTORY_KEPT: i64 = 24;

/// What a connection write does to its sealed client secret.
#[derive(Debug, Clone, Copy)]
pub enum SecretWrite<'a> {
    Keep,
    Set(&'a str),
}

impl TenantStore {
    /// Stores a new connection, enabled for `clients`. `Conflict` if the name is
    /// taken.
    pub async fn insert_connection(
        &self,
        c: &Connection,
        sealed_secret: Option<&str>,
        clients: &[String],
        now: i64,
    ) -> StoreResult<()> {
        let doc = encode(c)?;
        write_tx!(self, |conn| {
            sqlx::query(
                "INSERT INTO connections (tenant_id, id, name, strategy, doc, secret, created_at, updated_at)
                 VALUES ($1, $2, $3, $4, $5, $6, $7, $7)",
            )
            .bind(self.id())
            .bind(&c.id)
            .bind(&c.name)
            .bind(c.strategy.as_str())
            .bind(&doc)
            .bind(sealed_secret)
            .bind(now)
            .execute(&mut *conn)
            .await?;
            for client in clients {
                enable!(conn, self.id(), &c.id, client);
            }
        });
        Ok(())
    }

    /// The tenant's first database connection, written once in the tenant's
    /// life (its first start, or the first start of a version with
    /// connections): with `c`'s id, enabled for every existing client (they
    /// could all sign in to it before connections were records). Later starts
    /// write nothing, so a deleted one stays deleted. `true` if written.
    pub async fn ensure_default_connection(&self, c: &Connection, now: i64) -> StoreResult<bool> {
        let doc = encode(c)?;
        let n = write_tx!(self, result, |conn| {
            let first = sqlx::query(
                "UPDATE tenants SET connections_seeded = TRUE WHERE id = $1 AND NOT connections_seeded",
            )
            .bind(self.id())
            .execute(&mut *conn)
            .await?
            .rows_affected();
            if first != 1 {
                return Ok(0);
            }
            let n = sqlx::query(
                "INSERT INTO connections (tenant_id, id, name, strategy, doc, secret, created_at, updated_at)
                 VALUES ($1, $2, $3, $4, $5, NULL, $6, $6)
                 ON CONFLICT (tenant_id, name) DO NOTHING",
            )
            .bind(self.id())
            .bind(&c.id)
            .bind(&c.name)
            .bind(c.strategy.as_str())
            .bind(&doc)
            .bind(now)
            .execute(&mut *conn)
            .await?
            .rows_affected();
            if n == 1 {
                sqlx::query(
                    "INSERT INTO connection_clients (tenant_id, connection_id, client_id)
                     SELECT tenant_id, $2, client_id FROM clients WHERE tenant_id = $1",
                )
                .bind(self.id())
                .bind(&c.id)
                .execute(&mut *conn)
                .await?;
            }
            Ok(n)
        })?;
        Ok(n == 1)
    }

    /// A connection and its sealed client secret.
    pub async fn get_connection(
        &self,
        id: &str,
    ) -> StoreResult<Option<(Connection, Option<String>)>> {
        let row: Option<(String, Option<String>)> = with_db!(self, |pool| {
            sqlx::query_as("SELECT doc, secret FROM connections WHERE tenant_id = $1 AND id = $2")
                .bind(self.id())
                .bind(id)
                .fetch_optional(pool)
                .await?
        });
        row.map(|(d, s)| Ok((decode(&d)?, s))).transpose()
    }

    /// A connection by its name.
    pub async fn get_connection_by_name(&self, name: &str) -> StoreResult<Option<Connection>> {
        let row: Option<(String,)> = with_db!(self, |pool| {
            sqlx::query_as("SELECT doc FROM connections WHERE tenant_id = $1 AND name = $2")
                .bind(self.id())
                .bind(name)
                .fetch_optional(pool)
                .await?
        });
        row.map(|(d,)| decode(&d)).transpose()
    }

    /// Every connection, oldest first (a tenant has tens, not thousands).
    pub async fn list_connections(&self) -> StoreResult<Vec<Connection>> {
        let rows: Vec<(String,)> = with_db!(self, |pool| {
            sqlx::query_as(
                "SELECT doc FROM connections WHERE tenant_id = $1 ORDER BY created_at, name",
            )
            .bind(self.id())
            .fetch_all(pool)
            .await?
        });
        rows.iter().map(|(d,)| decode(d)).collect()
    }

    /// Replaces a connection's record (the name and strategy are the stored
    /// ones); `false` if it does not exist. `clients`, when given, replaces the
    /// enabled clients (Auth0's deprecated `enabled_clients`).
    pub async fn update_connection(
        &self,
        c: &Connection,
        secret: SecretWrite<'_>,
        clients: Option<&[String]>,
        now: i64,
    ) -> StoreResult<bool> {
        let doc = encode(c)?;
        let (set, sealed) = match secret {
            SecretWrite::Keep => (false, None),
            SecretWrite::Set(s) => (true, Some(s)),
        };
        let n = write_tx!(self, |conn| {
            let n = sqlx::query(
                "UPDATE connections SET doc = $3, secret = CASE WHEN $4 THEN $5 ELSE secret END, updated_at = $6
                 WHERE tenant_id = $1 AND id = $2",
            )
            .bind(self.id())
            .bind(&c.id)
            .bind(&doc)
            .bind(set)
            .bind(sealed)
            .bind(now)
            .execute(&mut *conn)
            .await?
            .rows_affected();
            if n == 1
                && let Some(clients) = clients
            {
                sqlx::query(
                    "DELETE FROM connection_clients WHERE tenant_id = $1 AND connection_id = $2",
                )
                .bind(self.id())
                .bind(&c.id)
                .execute(&mut *conn)
                .await?;
                for client in clients {
                    enable!(conn, self.id(), &c.id, client);
                }
            }
            n
        });
        Ok(n == 1)
    }

    /// Deletes a connection, its users (and its identities linked into other
    /// users) and its enabled clients in one transaction; `false` if it did not exist.
    pub async fn delete_connection(&self, id: &str) -> StoreResult<bool> {
        let n = write_tx!(self, |conn| {
            // Its users, and its identities linked into users of other
            // connections (they could never sign in again).
            for sql in [
                "DELETE FROM users WHERE tenant_id = $1
                 AND connection = (SELECT name FROM connections WHERE tenant_id = $1 AND id = $2)",
                "DELETE FROM linked_identities WHERE tenant_id = $1
                 AND connection = (SELECT name FROM connections WHERE tenant_id = $1 AND id = $2)",
            ] {
                sqlx::query(sql)
                    .bind(self.id())
                    .bind(id)
                    .execute(&mut *conn)
                    .await?;
            }
            sqlx::query("DELETE FROM connections WHERE tenant_id = $1 AND id = $2")
                .bind(self.id())
                .bind(id)
                .execute(&mut *conn)
                .await?
                .rows_affected()
        });
        Ok(n == 1)
    }

    /// The client ids a connection is enabled for, in order.
    pub async fn connection_clients(&self, id: &str) -> StoreResult<Vec<String>> {
        let rows: Vec<(String,)> = with_db!(self, |pool| {
            sqlx::query_as(
                "SELECT client_id FROM connection_clients WHERE tenant_id = $1 AND connection_id = $2 ORDER BY client_id",
            )
            .bind(self.id())
            .bind(id)
            .fetch_all(pool)
            .await?
        });
        Ok(rows.into_iter().map(|(c,)| c).collect())
    }

    /// Enables (`true`) or disables each client on a connection, in one
    /// transaction. `Ok(false)` if a client to enable does not exist (nothing
    /// is changed).
    pub async fn set_connection_clients(
        &self,
        id: &str,
        changes: &[(String, bool)],
    ) -> StoreResult<bool> {
        write_tx!(self, keep, |conn| {
            for (client, on) in changes {
                if *on {
                    let exists: Option<(String,)> = sqlx::query_as(
                        "SELECT client_id FROM clients WHERE tenant_id = $1 AND client_id = $2",
                    )
                    .bind(self.id())
                    .bind(client)
                    .fetch_optional(&mut *conn)
                    .await?;
                    if exists.is_none() {
                        return Ok((false, false));
                    }
                    enable!(conn, self.id(), id, client);
                } else {
                    sqlx::query(
                        "DELETE FROM connection_clients WHERE tenant_id = $1 AND connection_id = $2 AND client_id = $3",
                    )
                    .bind(self.id())
                    .bind(id)
                    .bind(client)
                    .execute(&mut *conn)
                    .await?;
                }
            }
            Ok((true, true))
        })
    }

    /// The connections a client may sign in with, oldest first.
    pub async fn client_connections(&self, client_id: &str) -> StoreResult<Vec<Connection>> {
        let rows: Vec<(String,)> = with_db!(self, |pool| {
            sqlx::query_as(
                "SELECT c.doc FROM connections c
                 JOIN connection_clients cc ON cc.tenant_id = c.tenant_id AND cc.connection_id = c.id
                 WHERE c.tenant_id = $1 AND cc.client_id = $2
                 ORDER BY c.created_at, c.name",
            )
            .bind(self.id())
            .bind(client_id)
            .fetch_all(pool)
            .await?
        });
        rows.iter().map(|(d,)| decode(d)).collect()
    }

    /// The user's previous password hashes, newest first, at most `n`.
    pub async fn previous_password_hashes(
        &self,
        user_id: &str,
        n: usize,
    ) -> StoreResult<Vec<String>> {
        let rows: Vec<(String,)> = with_db!(self, |pool| {
            sqlx::query_as(
                "SELECT hash FROM password_history WHERE tenant_id = $1 AND user_id = $2
                 ORDER BY seq DESC LIMIT $3",
            )
            .bind(self.id())
            .bind(user_id)
            .bind(n as i64)
            .fetch_all(pool)
            .await?
        });
        Ok(rows.into_iter().map(|(h,)| h).collect())
    }
}
