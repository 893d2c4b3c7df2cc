//! Linked identities: a secondary user's row moved out of `users` when it is
//! linked to a primary, and back when it is unlinked.
//!
//! Invariants:
//! - Linking is one transaction: the secondary's row moves to
//!   `linked_identities` (its sessions, refresh tokens and assignments go with
//!   the `users` row, by cascade) and the primary's record, which now lists the
//!   identity, is written; if either user changed meanwhile, nothing is.
//! - A linked identity's address stays taken in its connection: a sign-up with
//!   it is a `Conflict`, as if the user still existed.

use portcullis_core::users::{Identity, User};

use crate::user_search::index_user;
use crate::users::{Row, to_user};
use crate::{StoreResult, TenantStore, decode, encode, with_db, write_tx};

/// Gives the primary its new `identities`, if they are still the ones read
/// (`$before`): onto its record as it is now, so a profile change made
/// meanwhile is kept; the write is guarded by the document read (a racing
/// transaction that changed it makes this one write nothing). The user
/// written, or `None`.
macro_rules! relink_primary {
    ($conn:ident, $tenant:expr, $before:expr, $after:expr, $now:expr) => {{
        let before: &User = $before;
        let after: &User = $after;
        let row: Option<(String,)> =
            sqlx::query_as("SELECT doc FROM users WHERE tenant_id = $1 AND user_id = $2")
                .bind($tenant)
                .bind(&after.user_id)
                .fetch_optional(&mut *$conn)
                .await?;
        match row {
            Some((read,)) => {
                let mut current: User = decode(&read)?;
                if current.identities != before.identities {
                    None
                } else {
                    current.identities = after.identities.clone();
                    current.updated_at = after.updated_at.clone();
                    let n = sqlx::query(
                        "UPDATE users SET doc = $3, updated_at = $4
                         WHERE tenant_id = $1 AND user_id = $2 AND doc = $5",
                    )
                    .bind($tenant)
                    .bind(&current.user_id)
                    .bind(encode(&current)?)
                    .bind($now)
                    .bind(&read)
                    .execute(&mut *$conn)
                    .await?
                    .rows_affected();
                    (n == 1).then_some(current)
                }
            }
            None => None,
        }
    }};
}

/// A linked row: user id, connection, email, username, password hash, doc.
type Linked = (
    String,
    String,
    String,
    Option<String>,
    Option<String>,
    String,
);
/// A user's row to move: connection, email, username, password hash, doc.
type Moving = (String, String, Option<String>, Option<String>, String);

impl TenantStore {
    /// Links `secondary_id` into the primary (`before` as it was read, `primary`
    /// as it is after the link). `false`, nothing written, if either user
    /// changed meanwhile, or the secondary has linked identities of its own.
    pub async fn link_user(
        &self,
        before: &User,
        primary: &User,
        secondary_id: &str,
        now: i64,
    ) -> StoreResult<bool> {
        write_tx!(self, keep, |conn| {
            let row: Option<Moving> = sqlx::query_as(
                "SELECT connection, email, username, password_hash, doc FROM users
                 WHERE tenant_id = $1 AND user_id = $2",
            )
            .bind(self.id())
            .bind(secondary_id)
            .fetch_optional(&mut *conn)
            .await?;
            let Some((connection, email, username, hash, doc)) = row else {
                return Ok((false, false));
            };
            let secondary: User = decode(&doc)?;
            // One level only, checked in the transaction: a user that became a
            // primary meanwhile is not moved (its linked rows would go with it).
            let has_links: Option<(String,)> = sqlx::query_as(
                "SELECT user_id FROM linked_identities WHERE tenant_id = $1 AND primary_user_id = $2",
            )
            .bind(self.id())
            .bind(secondary_id)
            .fetch_optional(&mut *conn)
            .await?;
            let (Some(identity), 1, None) = (
                secondary.identities.first(),
                secondary.identities.len(),
                has_links,
            ) else {
                return Ok((false, false));
            };
            sqlx::query(
                "INSERT INTO linked_identities (tenant_id, user_id, primary_user_id, provider, identity_user_id,
                   connection, email, username, password_hash, doc, linked_at)
                 VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11)",
            )
            .bind(self.id())
            .bind(secondary_id)
            .bind(&primary.user_id)
            .bind(&identity.provider)
            .bind(&identity.user_id)
            .bind(&connection)
            .bind(&email)
            .bind(&username)
            .bind(&hash)
            .bind(&doc)
            .bind(now)
            .execute(&mut *conn)
            .await?;
            sqlx::query("DELETE FROM users WHERE tenant_id = $1 AND user_id = $2")
                .bind(self.id())
                .bind(secondary_id)
                .execute(&mut *conn)
                .await?;
            let Some(written) = relink_primary!(conn, self.id(), before, primary, now) else {
                return Ok((false, false));
            };
            index_user!(conn, self.id(), &written);
            Ok((true, true))
        })
    }

    /// Unlinks `identity` from the primary (`before` as read, `primary` as it
    /// is after): the secondary is a user again, returned. `None`, nothing
    /// written, if it is not linked to this primary or the primary changed.
    pub async fn unlink_user(
        &self,
        before: &User,
        primary: &User,
        identity: &Identity,
        now: i64,
    ) -> StoreResult<Option<User>> {
        write_tx!(self, keep, |conn| {
            let row: Option<Linked> = sqlx::query_as(
                "SELECT user_id, connection, email, username, password_hash, doc FROM linked_identities
                 WHERE tenant_id = $1 AND primary_user_id = $2 AND provider = $3 AND identity_user_id = $4
                   AND connection = $5",
            )
            .bind(self.id())
            .bind(&primary.user_id)
            .bind(&identity.provider)
            .bind(&identity.user_id)
            .bind(&identity.connection)
            .fetch_optional(&mut *conn)
            .await?;
            let Some((user_id, connection, email, username, hash, doc)) = row else {
                return Ok((None, false));
            };
            sqlx::query("DELETE FROM linked_identities WHERE tenant_id = $1 AND user_id = $2")
                .bind(self.id())
                .bind(&user_id)
                .execute(&mut *conn)
                .await?;
            sqlx::query(
                "INSERT INTO users (tenant_id, user_id, connection, email, password_hash, doc, created_at, updated_at, username)
                 VALUES ($1, $2, $3, $4, $5, $6, $7, $7, $8)",
            )
            .bind(self.id())
            .bind(&user_id)
            .bind(&connection)
            .bind(&email)
            .bind(&hash)
            .bind(&doc)
            .bind(now)
            .bind(&username)
            .execute(&mut *conn)
            .await?;
            let Some(written) = relink_primary!(conn, self.id(), before, primary, now) else {
                return Ok((None, false));
            };
            let secondary: User = decode(&doc)?;
            index_user!(conn, self.id(), &written);
            index_user!(conn, self.id(), &secondary);
            Ok((Some(secondary), true))
        })
    }

    /// The primary a linked identity signs in, with the identity's own
    /// password hash: by the secondary's user id, or (`connection`, `email`)
    /// or (`connection`, `username`) for a database identity.
    pub async fn linked_primary(
        &self,
        by: LinkedBy<'_>,
    ) -> StoreResult<Option<(User, Option<String>)>> {
        let (sql, a, b) = match by {
            LinkedBy::UserId(c, id) => (
                "l.connection = $2 AND l.user_id = $3",
                c.to_string(),
                id.to_string(),
            ),
            LinkedBy::Email(c, e) => (
                "l.connection = $2 AND l.email = $3",
                c.to_string(),
                e.to_string(),
            ),
            LinkedBy::Username(c, u) => (
                "l.connection = $2 AND l.username = $3",
                c.to_string(),
                u.to_lowercase(),
            ),
        };
        let row: Option<(String, i64, Option<i64>, Option<String>)> = with_db!(self, |pool| {
            // `sql` is one of three constant conditions above, never input.
            sqlx::query_as(sqlx::AssertSqlSafe(format!(
                "SELECT u.doc, u.logins_count, u.last_login, l.password_hash
                 FROM linked_identities l JOIN users u ON u.tenant_id = l.tenant_id AND u.user_id = l.primary_user_id
                 WHERE l.tenant_id = $1 AND {sql}"
            )))
            .bind(self.id())
            .bind(&a)
            .bind(&b)
            .fetch_optional(pool)
            .await?
        });
        row.map(|(doc, logins, last, hash)| {
            let r: Row = (doc, None, logins, last);
            Ok((to_user(&r)?, hash))
        })
        .transpose()
    }
}

/// How a sign-in names a linked identity.
#[derive(Debug, Clone, Copy)]
pub enum LinkedBy<'a> {
    /// The connection and the secondary's user id.
    UserId(&'a str, &'a str),
    Email(&'a str, &'a str),
    Username(&'a str, &'a str),
}
