//! Users of database connections. Passwords are stored only as argon2id hashes
//! (the previous ones in `password_history`); login statistics live in columns
//! and are merged into the record when read. The `username` column holds the
//! lower-cased username, unique per connection.

use portcullis_core::clock::iso8601;
use portcullis_core::user_search::{Sort, UserQuery};
use portcullis_core::users::User;

use crate::connections::remember_password;
use crate::user_search::{Bind, index_user, search_sql};
use crate::{Page, StoreResult, TenantStore, decode, encode, with_db, write_db, write_tx};

pub(crate) type Row = (String, Option<String>, i64, Option<i64>);

pub(crate) fn to_user((doc, _, logins_count, last_login): &Row) -> StoreResult<User> {
    let mut u: User = decode(doc)?;
    u.logins_count = *logins_count;
    u.last_login = last_login.map(iso8601);
    Ok(u)
}

/// The `email` column (unique per connection): the address, or the user id
/// for a user whose provider gave none (so that two of them do not collide).
pub(crate) fn email_key(u: &User) -> &str {
    match (u.email.is_empty(), &u.phone_number) {
        (false, _) => &u.email,
        // A passwordless SMS user is found by number (`find_user_by_email`
        // of the `sms` connection), unique in it as an address would be.
        (true, Some(phone)) => phone,
        (true, None) => &u.user_id,
    }
}

/// The `username` column: lower-cased, so that a username is unique and found
/// whatever its case.
pub(crate) fn username_key(u: &User) -> Option<String> {
    u.username.as_deref().map(str::to_lowercase)
}

/// A live password-reset ticket.
#[derive(Debug, Clone)]
pub struct PasswordTicket {
    pub user_id: String,
    pub csrf: String,
}

/// A reset ticket to store. Only the hash of the ticket in the link is kept.
#[derive(Debug, Clone)]
pub struct NewPasswordTicket<'a> {
    pub token_hash: &'a str,
    pub user_id: &'a str,
    /// The application the reset was asked from; `None` for the Management API
    /// without `client_id`.
    pub client_id: Option<&'a str>,
    pub csrf: &'a str,
    pub created_at: i64,
    pub expires_at: i64,
    /// Where the reset page sends the user afterwards (Management API tickets).
    pub result_url: Option<&'a str>,
    /// Using the ticket also marks this address verified, if it is still the
    /// user's (Auth0's `mark_email_as_verified`).
    pub verify_address: Option<&'a str>,
}

/// A ticket just spent on a new password.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RedeemedTicket {
    pub user_id: String,
    pub result_url: Option<String>,
}

/// Inserts the user's row (and its search index) on `$conn`.
macro_rules! insert_user_row {
    ($conn:ident, $tenant:expr, $user:expr, $hash:expr, $doc:expr, $now:expr) => {{
        let user: &portcullis_core::users::User = $user;
        sqlx::query(
            "INSERT INTO users (tenant_id, user_id, connection, email, password_hash, doc, created_at, updated_at, username)
             VALUES ($1, $2, $3, $4, $5, $6, $7, $7, $8)",
        )
        .bind($tenant)
        .bind(&user.user_id)
        .bind(user.connection())
        .bind($crate::users::email_key(user))
        .bind($hash)
        .bind($doc)
        .bind($now)
        .bind($crate::users::username_key(user))
        .execute(&mut *$conn)
        .await?;
        $crate::user_search::index_user!($conn, $tenant, user);
    }};
}
pub(crate) use insert_user_row;

/// Rewrites the user's row (the hash only when `Some`) and its search index;
/// evaluates to the number of rows changed.
macro_rules! update_user_row {
    ($conn:ident, $tenant:expr, $user:expr, $hash:expr, $doc:expr, $now:expr) => {{
        let user: &portcullis_core::users::User = $user;
        let n = sqlx::query(
            "UPDATE users SET doc = $3, email = $4, password_hash = COALESCE($5, password_hash), updated_at = $6, username = $7
             WHERE tenant_id = $1 AND user_id = $2",
        )
        .bind($tenant)
        .bind(&user.user_id)
        .bind($doc)
        .bind($crate::users::email_key(user))
        .bind($hash)
        .bind($now)
        .bind($crate::users::username_key(user))
        .execute(&mut *$conn)
        .await?
        .rows_affected();
        if n == 1 {
            $crate::user_search::index_user!($conn, $tenant, user);
        }
        n
    }};
}
pub(crate) use update_user_row;

impl TenantStore {
    /// `Conflict` if the e-mail (or the username) is taken in the connection.
    pub async fn insert_user(
        &self,
        user: &User,
        password_hash: Option<&str>,
        now: i64,
    ) -> StoreResult<()> {
        let doc = encode(user)?;
        write_tx!(self, |conn| {
            // A linked identity still holds its address (and username) in its
            // connection.
            let held: Option<(String,)> = sqlx::query_as(
                "SELECT user_id FROM linked_identities WHERE tenant_id = $1 AND connection = $2
                 AND (email = $3 OR user_id = $4 OR (username IS NOT NULL AND username = $5))",
            )
            .bind(self.id())
            .bind(user.connection())
            .bind(email_key(user))
            .bind(&user.user_id)
            .bind(username_key(user))
            .fetch_optional(&mut *conn)
            .await?;
            if held.is_some() {
                return Err(crate::StoreError::Conflict);
            }
            insert_user_row!(conn, self.id(), user, password_hash, &doc, now);
        });
        Ok(())
    }

    /// The user and their password hash.
    pub async fn get_user(&self, user_id: &str) -> StoreResult<Option<(User, Option<String>)>> {
        let row: Option<Row> = with_db!(self, |pool| {
            sqlx::query_as(
                "SELECT doc, password_hash, logins_count, last_login FROM users WHERE tenant_id = $1 AND user_id = $2",
            )
            .bind(self.id())
            .bind(user_id)
            .fetch_optional(pool)
            .await?
        });
        row.map(|r| Ok((to_user(&r)?, r.1.clone()))).transpose()
    }

    /// The user with this (normalised) e-mail in `connection`, and their hash.
    pub async fn find_user_by_email(
        &self,
        connection: &str,
        email: &str,
    ) -> StoreResult<Option<(User, Option<String>)>> {
        let row: Option<Row> = with_db!(self, |pool| {
            sqlx::query_as(
                "SELECT doc, password_hash, logins_count, last_login FROM users
                 WHERE tenant_id = $1 AND connection = $2 AND email = $3",
            )
            .bind(self.id())
            .bind(connection)
            .bind(email)
            .fetch_optional(pool)
            .await?
        });
        row.map(|r| Ok((to_user(&r)?, r.1.clone()))).transpose()
    }

    /// The user with this username (any case) in `connection`, and their hash.
    pub async fn find_user_by_username(
        &self,
        connection: &str,
        username: &str,
    ) -> StoreResult<Option<(User, Option<String>)>> {
        let row: Option<Row> = with_db!(self, |pool| {
            sqlx::query_as(
                "SELECT doc, password_hash, logins_count, last_login FROM users
                 WHERE tenant_id = $1 AND connection = $2 AND username = $3",
            )
            .bind(self.id())
            .bind(connection)
            .bind(username.to_lowercase())
            .fetch_optional(pool)
            .await?
        });
        row.map(|r| Ok((to_user(&r)?, r.1.clone()))).transpose()
    }

    /// Whether a user other than `except` (in any connection, linked
    /// identities included) has this (normalised) address.
    pub async fn email_in_use(&self, email: &str, except: &str) -> StoreResult<bool> {
        let row: Option<(String,)> = with_db!(self, |pool| {
            sqlx::query_as(
                "SELECT user_id FROM users WHERE tenant_id = $1 AND email = $2 AND user_id <> $3
                 UNION ALL
                 SELECT user_id FROM linked_identities WHERE tenant_id = $1 AND email = $2 AND user_id <> $3
                 LIMIT 1",
            )
            .bind(self.id())
            .bind(email)
            .bind(except)
            .fetch_optional(pool)
            .await?
        });
        Ok(row.is_some())
    }

    /// A page of users, optionally only those with one e-mail (any connection).
    pub async fn list_users(
        &self,
        email: Option<&str>,
        page: Page,
    ) -> StoreResult<(Vec<User>, i64)> {
        let (rows, total): (Vec<Row>, (i64,)) = with_db!(self, |pool| {
            let rows = sqlx::query_as(
                "SELECT doc, password_hash, logins_count, last_login FROM users
                 WHERE tenant_id = $1 AND (CAST($2 AS TEXT) IS NULL OR email = $2)
                 ORDER BY created_at, user_id LIMIT $3 OFFSET $4",
            )
            .bind(self.id())
            .bind(email)
            .bind(page.limit())
            .bind(page.offset())
            .fetch_all(pool)
            .await?;
            let total = sqlx::query_as(
                "SELECT COUNT(*) FROM users WHERE tenant_id = $1 AND (CAST($2 AS TEXT) IS NULL OR email = $2)",
            )
            .bind(self.id())
            .bind(email)
            .fetch_one(pool)
            .await?;
            (rows, total)
        });
        let users = rows.iter().map(to_user).collect::<StoreResult<_>>()?;
        Ok((users, total.0))
    }

    /// A page of the users matching Auth0's v3 search `q` (all when `None`)
    /// in `sort` order, and how many match (`crate::user_search` writes the
    /// SQL; every value is bound here).
    pub async fn search_users(
        &self,
        q: Option<&UserQuery>,
        sort: Sort,
        page: Page,
    ) -> StoreResult<(Vec<User>, i64)> {
        let sql = search_sql(q, sort, page);
        macro_rules! bound {
            ($q:expr, $binds:expr) => {{
                let mut q = $q.bind(self.id());
                for b in $binds {
                    q = match b {
                        Bind::Text(s) => q.bind(s.clone()),
                        Bind::Int(i) => q.bind(*i),
                    };
                }
                q
            }};
        }
        let (rows, total): (Vec<Row>, (i64,)) = with_db!(self, |pool| {
            let rows = bound!(
                sqlx::query_as(sqlx::AssertSqlSafe(sql.select.clone())),
                &sql.binds
            )
            .fetch_all(pool)
            .await?;
            let total = bound!(
                sqlx::query_as(sqlx::AssertSqlSafe(sql.count.clone())),
                &sql.binds[..sql.n_where]
            )
            .fetch_one(pool)
            .await?;
            (rows, total)
        });
        let users = rows.iter().map(to_user).collect::<StoreResult<_>>()?;
        Ok((users, total.0))
    }

    /// Replaces the user's record (and the password hash when `Some`). `Conflict`
    /// if a changed e-mail is taken; `false` if the user does not exist.
    pub async fn update_user(
        &self,
        user: &User,
        password_hash: Option<&str>,
        now: i64,
    ) -> StoreResult<bool> {
        let doc = encode(user)?;
        let n = write_tx!(self, |conn| {
            if password_hash.is_some() {
                remember_password!(conn, self.id(), &user.user_id, now);
            }
            update_user_row!(conn, self.id(), user, password_hash, &doc, now)
        });
        Ok(n == 1)
    }

    /// Replaces an imported (or older argon2id) hash by `new` once the
    /// password was found right, if the hash is still `old` (a password
    /// changed meanwhile wins). Not a password change: no history entry.
    pub async fn upgrade_password_hash(
        &self,
        user_id: &str,
        old: &str,
        new: &str,
    ) -> StoreResult<bool> {
        let n = write_db!(self, |conn| {
            sqlx::query(
                "UPDATE users SET password_hash = $4 WHERE tenant_id = $1 AND user_id = $2 AND password_hash = $3",
            )
            .bind(self.id())
            .bind(user_id)
            .bind(old)
            .bind(new)
            .execute(&mut *conn)
            .await?
            .rows_affected()
        });
        Ok(n == 1)
    }

    /// Deletes the user and (by cascade) their sessions.
    pub async fn delete_user(&self, user_id: &str) -> StoreResult<bool> {
        let n = write_db!(self, |conn| {
            sqlx::query("DELETE FROM users WHERE tenant_id = $1 AND user_id = $2")
                .bind(self.id())
                .bind(user_id)
                .execute(&mut *conn)
                .await?
                .rows_affected()
        });
        Ok(n == 1)
    }

    /// Counts a successful login.
    pub async fn record_login(&self, user_id: &str, ip: Option<&str>, now: i64) -> StoreResult<()> {
        write_db!(self, |conn| {
            sqlx::query(
                "UPDATE users SET logins_count = logins_count + 1, last_login = $3, last_ip = $4
                 WHERE tenant_id = $1 AND user_id = $2",
            )
            .bind(self.id())
            .bind(user_id)
            .bind(now)
            .bind(ip)
            .execute(&mut *conn)
            .await?;
        });
        Ok(())
    }
    /// Stores a reset ticket (as its hash).
    pub async fn insert_password_ticket(&self, t: &NewPasswordTicket<'_>) -> StoreResult<()> {
        write_db!(self, |conn| {
            sqlx::query(
                "INSERT INTO password_tickets (tenant_id, token_hash, user_id, client_id, csrf, created_at, expires_at, result_url, mark_email_verified, verify_address)
                 VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)",
            )
            .bind(self.id())
            .bind(t.token_hash)
            .bind(t.user_id)
            .bind(t.client_id)
            .bind(t.csrf)
            .bind(t.created_at)
            .bind(t.expires_at)
            .bind(t.result_url)
            .bind(t.verify_address.is_some())
            .bind(t.verify_address)
            .execute(&mut *conn)
            .await?;
        });
        Ok(())
    }

    /// The application a ticket was asked from, used, expired or not (for the
    /// way back from the reset page); `None` when unknown or gone.
    pub async fn password_ticket_client(&self, token_hash: &str) -> StoreResult<Option<String>> {
        let row: Option<(Option<String>,)> = with_db!(self, |pool| {
            sqlx::query_as(
                "SELECT client_id FROM password_tickets WHERE tenant_id = $1 AND token_hash = $2",
            )
            .bind(self.id())
            .bind(token_hash)
            .fetch_optional(pool)
            .await?
        });
        Ok(row.and_then(|(c,)| c))
    }

    /// The unused, unexpired ticket.
    pub async fn get_password_ticket(
        &self,
        token_hash: &str,
        now: i64,
    ) -> StoreResult<Option<PasswordTicket>> {
        let row: Option<(String, String)> = with_db!(self, |pool| {
            sqlx::query_as(
                "SELECT user_id, csrf FROM password_tickets
                 WHERE tenant_id = $1 AND token_hash = $2 AND used_at IS NULL AND expires_at > $3",
            )
            .bind(self.id())
            .bind(token_hash)
            .bind(now)
            .fetch_optional(pool)
            .await?
        });
        Ok(row.map(|(user_id, csrf)| PasswordTicket { user_id, csrf }))
    }

    /// Spends the ticket and sets the new password in one transaction (marking
    /// the e-mail address verified when the ticket names it and it is still
    /// the user's); `None` if the
    /// ticket was already used or expired.
    pub async fn redeem_password_ticket(
        &self,
        token_hash: &str,
        password_hash: &str,
        now: i64,
    ) -> StoreResult<Option<RedeemedTicket>> {
        write_tx!(self, result, |conn| {
            let row: Option<(String, Option<String>, Option<String>)> = sqlx::query_as(
                "UPDATE password_tickets SET used_at = $3
                 WHERE tenant_id = $1 AND token_hash = $2 AND used_at IS NULL AND expires_at > $3
                 RETURNING user_id, result_url, verify_address",
            )
            .bind(self.id())
            .bind(token_hash)
            .bind(now)
            .fetch_optional(&mut *conn)
            .await?;
            let Some((user_id, result_url, verify_address)) = row else {
                return Ok(None);
            };
            if let Some(address) = verify_address {
                let doc: Option<(String,)> =
                    sqlx::query_as("SELECT doc FROM users WHERE tenant_id = $1 AND user_id = $2")
                        .bind(self.id())
                        .bind(&user_id)
                        .fetch_optional(&mut *conn)
                        .await?;
                let user = doc.map(|(d,)| decode::<User>(&d)).transpose()?;
                // Only the address the ticket was made for: one the user
                // changed to since is not verified by an old link.
                if let Some(mut user) = user.filter(|u| u.email == address) {
                    user.email_verified = true;
                    sqlx::query("UPDATE users SET doc = $3 WHERE tenant_id = $1 AND user_id = $2")
                        .bind(self.id())
                        .bind(&user_id)
                        .bind(encode(&user)?)
                        .execute(&mut *conn)
                        .await?;
                    index_user!(conn, self.id(), &user);
                }
            }
            remember_password!(conn, self.id(), &user_id, now);
            sqlx::query("UPDATE users SET password_hash = $3, updated_at = $4 WHERE tenant_id = $1 AND user_id = $2")
                .bind(self.id())
                .bind(&user_id)
                .bind(password_hash)
                .bind(now)
                .execute(&mut *conn)
                .await?;
            // Whoever knew the old password (or held another ticket) is out: every
            // outstanding ticket is spent, every session ended, every refresh
            // token revoked, in the same transaction as the new password.
            for sql in [
                "UPDATE password_tickets SET used_at = $3 WHERE tenant_id = $1 AND user_id = $2 AND used_at IS NULL",
                "UPDATE sessions SET ended_at = $3 WHERE tenant_id = $1 AND user_id = $2 AND ended_at IS NULL",
                "UPDATE refresh_tokens SET revoked_at = $3 WHERE tenant_id = $1 AND user_id = $2 AND revoked_at IS NULL",
            ] {
                sqlx::query(sql)
                    .bind(self.id())
                    .bind(&user_id)
                    .bind(now)
                    .execute(&mut *conn)
                    .await?;
            }
            Ok(Some(RedeemedTicket {
                user_id,
                result_url,
            }))
        })
    }
}
