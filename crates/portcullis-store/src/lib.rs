//! Portcullis storage: one interface over SQLite (the embedded default) and
//! PostgreSQL (for clusters). [`Store`] is the database; [`TenantStore`], from
//! [`Store::tenant`], is the same database bound to one tenant, and every query of
//! a tenant's records is on it (`WHERE tenant_id = $1` bound to its own id).
//!
//! Both backends run the same SQL text: `$n` placeholders, `TEXT`/`BIGINT`/`BOOLEAN`
//! columns and JSON documents in `TEXT`, so one query serves both and the black-box
//! suite runs unchanged on each. Every method is one atomic unit; no transaction
//! crosses this interface. Absence is `Option`/`false`, not an error.

mod actions;
mod branding;
mod client_credentials;
mod client_grants;
mod clients;
mod connections;
mod copy;
mod device_codes;
mod dpop_proofs;
mod flows;
mod identities;
mod jobs;
mod keys;
mod log_streams;
mod logs;
mod maintenance;
mod members;
mod mfa;
mod migrations;
mod organizations;
mod passwordless;
mod prompts;
mod pushed_requests;
mod refresh_tokens;
mod resource_servers;
mod roles;
mod rules;
mod session_clients;
mod tenants;
mod user_search;
mod users;
mod verification;
mod writer;

use std::str::FromStr;
use std::time::Duration;

use sqlx::postgres::{PgConnectOptions, PgPool, PgPoolOptions};
use sqlx::sqlite::{
    SqliteConnectOptions, SqliteJournalMode, SqlitePool, SqlitePoolOptions, SqliteSynchronous,
};

pub use connections::SecretWrite;
pub use copy::{CopyReport, TABLES};
pub use device_codes::{DeviceRef, NewDeviceCode};
pub use flows::{
    Consent, LoginTransaction, NewAuthorizationCode, Redemption, Session, SessionRecord,
    UpstreamState,
};
pub use identities::LinkedBy;
pub use jobs::{ChunkCounts, ChunkUser};
pub use keys::{NewSigningKey, Revocation, SigningKeyRecord, StoredSigningKey};
pub use log_streams::{StoredLogStream, StreamedLog};
pub use logs::LogDraft;
pub use maintenance::Cleaned;
pub use members::MemberSession;
pub use mfa::{AuthenticatorSecret, StoredMfaToken};
pub use organizations::{OrgChange, OrgConnection, OrgMember};
pub use passwordless::NewPasswordlessCode;
pub use refresh_tokens::{Fresh, NewRefreshToken, RefreshToken};
pub use roles::{Assignment, Permission, PermissionSource};
pub use tenants::BootstrapAdmin;
pub use users::{NewPasswordTicket, PasswordTicket, RedeemedTicket};
pub use verification::{NewEmailTicket, TicketPurpose, Verification};
pub use writer::WriterStats;

#[derive(Debug, Clone, thiserror::Error)]
pub enum StoreError {
    /// A uniqueness rule was broken (duplicate identifier, duplicate grant…).
    #[error("conflict with an existing record")]
    Conflict,
    /// A referenced record does not exist (foreign key).
    #[error("a referenced record does not exist")]
    MissingReference,
    /// PostgreSQL aborted the transaction to resolve a deadlock or a serialization
    /// conflict with a concurrent one; retrying it is safe.
    #[error("the transaction conflicted with a concurrent one")]
    Contention,
    /// The database cannot be reached or is overloaded.
    #[error("the database is unavailable: {0}")]
    Unavailable(String),
    /// A stored document does not decode into its type (written by a version
    /// whose shape differs, or damaged).
    #[error("stored document does not decode: {0}")]
    Undecodable(String),
    #[error("database error: {0}")]
    Internal(String),
}

impl From<sqlx::Error> for StoreError {
    fn from(e: sqlx::Error) -> Self {
        match &e {
            sqlx::Error::Database(db) => match db.kind() {
                sqlx::error::ErrorKind::UniqueViolation => StoreError::Conflict,
                sqlx::error::ErrorKind::ForeignKeyViolation => StoreError::MissingReference,
                // 40P01 deadlock_detected, 40001 serialization_failure.
                _ if matches!(db.code().as_deref(), Some("40P01" | "40001")) => {
                    StoreError::Contention
                }
                // The disk or the file, not the request: answered 503 and
                // retried later.
                _ if is_unavailable(
                    db.code().as_deref(),
                    db.try_downcast_ref::<sqlx::sqlite::SqliteError>().is_some(),
                ) =>
                {
                    StoreError::Unavailable(e.to_string())
                }
                _ => StoreError::Internal(e.to_string()),
            },
            sqlx::Error::PoolTimedOut
            | sqlx::Error::PoolClosed
            | sqlx::Error::Io(_)
            | sqlx::Error::Tls(_) => StoreError::Unavailable(e.to_string()),
            _ => StoreError::Internal(e.to_string()),
        }
    }
}

/// Whether a database error is the disk's or the file's, not the request's.
fn is_unavailable(code: Option<&str>, sqlite: bool) -> bool {
    match (code, sqlite) {
        // SQLite's extended result codes, by their primary code: BUSY 5,
        // READONLY 8, IOERR 10, FULL 13, CANTOPEN 14.
        (Some(c), true) => c
            .parse::<i64>()
            .is_ok_and(|n| matches!(n & 0xff, 5 | 8 | 10 | 13 | 14)),
        // PostgreSQL's SQLSTATEs: disk_full, read_only_sql_transaction.
        (Some(c), false) => matches!(c, "53100" | "25006"),
        (None, _) => false,
    }
}

impl From<serde_json::Error> for StoreError {
    fn from(e: serde_json::Error) -> Self {
        StoreError::Undecodable(e.to_string())
    }
}

pub type StoreResult<T> = Result<T, StoreError>;

#[derive(Clone, Debug)]
enum Db {
    /// Reads on the pool; every write through the one writer (group commit).
    Sqlite(SqlitePool, std::sync::Arc<writer::Writer>),
    Postgres(PgPool),
}

/// Runs `$body` with `$pool` bound to whichever backend is in use. The body is
/// compiled once per backend, so the same query text serves both.
macro_rules! with_db {
    ($store:expr, |$pool:ident| $body:expr) => {
        match &$store.db {
            $crate::Db::Sqlite($pool, _) => $body,
            $crate::Db::Postgres($pool) => $body,
        }
    };
}
pub(crate) use with_db;

/// Runs the write `$body` with `$conn` a connection of whichever backend is in
/// use (`&mut *$conn` as each statement's executor), and evaluates to what the
/// body evaluates to. On SQLite it runs in the one writer, inside its own
/// savepoint of a group-committed batch, and returns after the commit; on
/// PostgreSQL on a pooled connection in no transaction (one statement, one
/// round trip). `?` inside `$body` leaves the body, and errors from it or from
/// the commit leave the calling function.
///
/// `write_db!(self, result, |conn| body)`: the body evaluates to a
/// `StoreResult`, which the macro evaluates to (it may `return Ok(..)` early).
///
/// An early `return Ok(..)` from a body KEEPS what the body wrote before it;
/// a body that must undo its earlier statements on some path uses
/// `write_tx!(self, keep, |conn| ..)` and returns `Ok((value, false))`.
macro_rules! write_db {
    ($store:expr, |$conn:ident| $body:expr) => {
        $crate::write_db!($store, result, |$conn| Ok::<_, $crate::StoreError>($body))?
    };
    ($store:expr, result, |$conn:ident| $body:expr) => {
        match &$store.db {
            $crate::Db::Sqlite(_, writer) => {
                writer
                    .run(async |$conn: &mut sqlx::SqliteConnection| {
                        let r: $crate::StoreResult<_> = async { $body }.await;
                        r.map(|v| (v, true))
                    })
                    .await
            }
            $crate::Db::Postgres(pool) => {
                async {
                    let mut held = pool.acquire().await?;
                    let $conn: &mut sqlx::PgConnection = &mut held;
                    let r: $crate::StoreResult<_> = async { $body }.await;
                    r
                }
                .await
            }
        }
    };
}
pub(crate) use write_db;

/// As [`write_db!`], for a body of several statements that must apply together:
/// on PostgreSQL it runs in a transaction (SQLite's savepoint already makes it
/// one unit). A third form, `write_tx!(self, keep, |conn| body)`, lets the body
/// answer `Ok((value, false))` to undo what it wrote and still return `value`.
macro_rules! write_tx {
    ($store:expr, |$conn:ident| $body:expr) => {
        $crate::write_tx!($store, keep, |$conn| Ok::<_, $crate::StoreError>((
            $body, true
        )))?
    };
    ($store:expr, result, |$conn:ident| $body:expr) => {
        $crate::write_tx!($store, keep, |$conn| {
            let r: $crate::StoreResult<_> = async { $body }.await;
            r.map(|v| (v, true))
        })
    };
    ($store:expr, keep, |$conn:ident| $body:expr) => {
        match &$store.db {
            $crate::Db::Sqlite(_, writer) => {
                writer
                    .run(async |$conn: &mut sqlx::SqliteConnection| async { $body }.await)
                    .await
            }
            $crate::Db::Postgres(pool) => {
                async {
                    let mut tx = pool.begin().await?;
                    let r: $crate::StoreResult<(_, bool)> = {
                        let $conn: &mut sqlx::PgConnection = &mut tx;
                        async { $body }.await
                    };
                    let (v, keep) = r?;
                    if keep {
                        tx.commit().await?;
                    } else {
                        tx.rollback().await?;
                    }
                    $crate::StoreResult::Ok(v)
                }
                .await
            }
        }
    };
}
pub(crate) use write_tx;

/// Decodes a row into a record by column name, on both backends: each field is
/// read from the column of the same name, so a query must select every field and
/// a missing or misnamed column is an error instead of a silently shifted field
/// (as it was with positional tuples).
macro_rules! from_row {
    ($ty:ident { $($field:ident),+ $(,)? }) => {
        impl sqlx::FromRow<'_, sqlx::sqlite::SqliteRow> for $ty {
            fn from_row(row: &sqlx::sqlite::SqliteRow) -> Result<Self, sqlx::Error> {
                use sqlx::Row as _;
                Ok(Self { $($field: row.try_get(stringify!($field))?),+ })
            }
        }
        impl sqlx::FromRow<'_, sqlx::postgres::PgRow> for $ty {
            fn from_row(row: &sqlx::postgres::PgRow) -> Result<Self, sqlx::Error> {
                use sqlx::Row as _;
                Ok(Self { $($field: row.try_get(stringify!($field))?),+ })
            }
        }
    };
}
pub(crate) use from_row;

/// A page of a listing: `page` is 0-based, as in Auth0's Management API.
#[derive(Debug, Clone, Copy)]
pub struct Page {
    pub page: u32,
    pub per_page: u32,
}

impl Page {
    /// Everything, in one page (lists filtered or paged by the caller).
    pub const ALL: Page = Page {
        page: 0,
        per_page: u32::MAX,
    };

    fn limit(self) -> i64 {
        i64::from(self.per_page)
    }
    fn offset(self) -> i64 {
        i64::from(self.page) * i64::from(self.per_page)
    }
}

#[derive(Clone, Debug)]
pub struct Store {
    db: Db,
}

/// The store bound to one tenant: every record it reads or writes is that
/// tenant's (`tenant_id = self.id()` in every query), so no caller passes the
/// tenant and no query can be given another tenant's id by mistake. Cloning it
/// is cheap (the pool is shared).
#[derive(Clone, Debug)]
pub struct TenantStore {
    db: Db,
    id: std::sync::Arc<str>,
}

impl TenantStore {
    /// The tenant's id.
    pub fn id(&self) -> &str {
        &self.id
    }

    /// The unbound store (migrations, backups).
    pub fn store(&self) -> Store {
        Store {
            db: self.db.clone(),
        }
    }

    /// See [`Store::ping`].
    pub async fn ping(&self) -> StoreResult<()> {
        self.store().ping().await
    }

    /// See [`Store::pool_stats`].
    pub fn pool_stats(&self) -> (u32, u32) {
        self.store().pool_stats()
    }

    /// See [`Store::backend`].
    pub fn backend(&self) -> &'static str {
        self.store().backend()
    }

    /// See [`Store::close`].
    pub async fn close(&self) {
        self.store().close().await
    }

    /// See [`Store::writer_stats`].
    pub fn writer_stats(&self) -> Option<std::sync::Arc<WriterStats>> {
        self.store().writer_stats()
    }
}

impl Store {
    /// The store bound to `tenant`.
    pub fn tenant(&self, tenant: &str) -> TenantStore {
        TenantStore {
            db: self.db.clone(),
            id: tenant.into(),
        }
    }

    /// Connects to `url`: `sqlite://PATH` (created if missing) or `postgres://…`.
    pub async fn connect(url: &str) -> StoreResult<Self> {
        Self::connect_with(url, true).await
    }

    /// Connects to a database that must already exist: a SQLite file is never
    /// created (`portcullis check`).
    pub async fn connect_existing(url: &str) -> StoreResult<Self> {
        Self::connect_with(url, false).await
    }

    async fn connect_with(url: &str, create: bool) -> StoreResult<Self> {
        let db = if url.starts_with("postgres://") || url.starts_with("postgresql://") {
            let opts = PgConnectOptions::from_str(url)
                .map_err(|e| StoreError::Unavailable(e.to_string()))?;
            let pool = PgPoolOptions::new()
                .max_connections(16)
                .acquire_timeout(Duration::from_secs(5))
                .connect_with(opts)
                .await?;
            Db::Postgres(pool)
        } else if url.starts_with("sqlite:") {
            let opts = SqliteConnectOptions::from_str(url)
                .map_err(|e| StoreError::Unavailable(e.to_string()))?
                .create_if_missing(create)
                .journal_mode(SqliteJournalMode::Wal)
                // FULL in WAL mode: a commit that returned is on disk, so nothing
                // acknowledged to a client is lost in a crash.
                .synchronous(SqliteSynchronous::Full)
                .foreign_keys(true)
                .busy_timeout(Duration::from_secs(5));
            let pool = SqlitePoolOptions::new()
                .max_connections(8)
                .acquire_timeout(Duration::from_secs(5))
                .connect_with(opts.clone())
                .await?;
            let writer = writer::Writer::start(sqlx::ConnectOptions::connect(&opts).await?);
            Db::Sqlite(pool, std::sync::Arc::new(writer))
        } else {
            return Err(StoreError::Unavailable(
                "the database URL must start with sqlite: or postgres://".into(),
            ));
        };
        Ok(Self { db })
    }

    /// Connections the pool has open, and how many of them are idle.
    pub fn pool_stats(&self) -> (u32, u32) {
        match &self.db {
            Db::Sqlite(p, _) => (p.size(), p.num_idle() as u32),
            Db::Postgres(p) => (p.size(), p.num_idle() as u32),
        }
    }

    /// `sqlite` or `postgres`.
    pub fn backend(&self) -> &'static str {
        match self.db {
            Db::Sqlite(..) => "sqlite",
            Db::Postgres(_) => "postgres",
        }
    }

    pub async fn ping(&self) -> StoreResult<()> {
        with_db!(self, |pool| {
            sqlx::query("SELECT 1").execute(pool).await?;
        });
        Ok(())
    }

    /// SQLite: a consistent copy of the whole database into `path` while it is
    /// in use (`VACUUM INTO`). PostgreSQL has its own tools (pg_dump).
    pub async fn backup_sqlite(&self, path: &str) -> StoreResult<()> {
        match &self.db {
            Db::Sqlite(pool, _) => {
                sqlx::query("VACUUM INTO $1")
                    .bind(path)
                    .execute(pool)
                    .await?;
                Ok(())
            }
            Db::Postgres(_) => Err(StoreError::Internal(
                "backups of PostgreSQL are taken with pg_dump".into(),
            )),
        }
    }

    /// SQLite's `PRAGMA integrity_check` (`ok` when sound); PostgreSQL checks
    /// its own pages, so this only pings it.
    pub async fn integrity_check(&self) -> StoreResult<String> {
        match &self.db {
            Db::Sqlite(pool, _) => {
                let rows: Vec<(String,)> = sqlx::query_as("PRAGMA integrity_check")
                    .fetch_all(pool)
                    .await?;
                Ok(rows
                    .into_iter()
                    .map(|(r,)| r)
                    .collect::<Vec<_>>()
                    .join("; "))
            }
            Db::Postgres(_) => self.ping().await.map(|_| "ok".to_string()),
        }
    }

    /// The newest migration this build knows.
    pub fn latest_migration() -> i64 {
        migrations::latest()
    }

    pub async fn close(&self) {
        match &self.db {
            Db::Sqlite(pool, writer) => {
                writer.close().await;
                pool.close().await
            }
            Db::Postgres(pool) => pool.close().await,
        }
    }

    /// The SQLite writer's counters (`None` on PostgreSQL).
    pub fn writer_stats(&self) -> Option<std::sync::Arc<WriterStats>> {
        match &self.db {
            Db::Sqlite(_, writer) => Some(writer.stats.clone()),
            Db::Postgres(_) => None,
        }
    }
}

/// Decodes a JSON document column.
/// What `Store::inventory` found.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Inventory {
    pub migration: Option<i64>,
    pub tenants: i64,
    pub clients: i64,
    pub apis: i64,
    pub users: i64,
    pub signing_keys: i64,
}

fn decode<T: serde::de::DeserializeOwned>(doc: &str) -> StoreResult<T> {
    Ok(serde_json::from_str(doc)?)
}

fn encode<T: serde::Serialize>(value: &T) -> StoreResult<String> {
    Ok(serde_json::to_string(value)?)
}

impl TenantStore {
    /// What a database holds, for `portcullis check`: the newest migration
    /// applied (`None`: not a Portcullis database) and row counts of `tenant`.
    pub async fn inventory(&self) -> StoreResult<Inventory> {
        let version: Result<(Option<i64>,), sqlx::Error> = with_db!(self, |pool| {
            sqlx::query_as("SELECT MAX(version) FROM portcullis_migrations")
                .fetch_one(pool)
                .await
        });
        let Ok((Some(version),)) = version else {
            return Ok(Inventory::default());
        };
        let mut counts = [0i64; 5];
        for (i, sql) in [
            "SELECT COUNT(*) FROM tenants WHERE id = $1",
            "SELECT COUNT(*) FROM clients WHERE tenant_id = $1",
            "SELECT COUNT(*) FROM resource_servers WHERE tenant_id = $1",
            "SELECT COUNT(*) FROM users WHERE tenant_id = $1",
            "SELECT COUNT(*) FROM signing_keys WHERE tenant_id = $1",
        ]
        .into_iter()
        .enumerate()
        {
            let (n,): (i64,) = with_db!(self, |pool| {
                sqlx::query_as(sql).bind(self.id()).fetch_one(pool).await?
            });
            counts[i] = n;
        }
        Ok(Inventory {
            migration: Some(version),
            tenants: counts[0],
            clients: counts[1],
            apis: counts[2],
            users: counts[3],
            signing_keys: counts[4],
        })
    }
}

#[cfg(test)]
mod tests {
    use super::is_unavailable;

    #[test]
    fn disk_errors_are_unavailable_and_request_errors_are_not() {
        // SQLITE_FULL, SQLITE_READONLY_DBMOVED (8 | 4<<8), SQLITE_IOERR_FSYNC.
        for code in ["13", "1032", "1034", "5"] {
            assert!(is_unavailable(Some(code), true), "{code}");
        }
        // SQLITE_CONSTRAINT, SQLITE_ERROR.
        assert!(!is_unavailable(Some("19"), true));
        assert!(!is_unavailable(Some("1"), true));
        // PostgreSQL: disk_full, read-only; a numeric SQLSTATE of a request
        // error (cardinality_violation) is not read as a SQLite code.
        assert!(is_unavailable(Some("53100"), false));
        assert!(is_unavailable(Some("25006"), false));
        assert!(!is_unavailable(Some("21000"), false));
        assert!(!is_unavailable(None, true));
    }
}
