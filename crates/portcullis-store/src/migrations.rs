//! Schema migrations, embedded in the binary and run at start (or by
//! `portcullis migrate`). Each runs once, in its own transaction; on PostgreSQL an
//! advisory lock makes concurrent starts of several nodes wait for one another.

use crate::{Db, Store, StoreResult};

/// The schema, in SQL both backends accept (TEXT, BIGINT, BOOLEAN, partial
/// indexes, `ON CONFLICT`), so one file per version serves both. A migration that
/// needs backend-specific SQL would get a file per backend here.
const MIGRATIONS: &[(i64, &str, &str)] = &[
    (1, "init", include_str!("../migrations/0001_init.sql")),
    (
        2,
        "users_and_sessions",
        include_str!("../migrations/0002_users_and_sessions.sql"),
    ),
    (
        3,
        "refresh_tokens",
        include_str!("../migrations/0003_refresh_tokens.sql"),
    ),
    (4, "rules", include_str!("../migrations/0004_rules.sql")),
    (5, "actions", include_str!("../migrations/0005_actions.sql")),
    (6, "leases", include_str!("../migrations/0006_leases.sql")),
    (
        7,
        "security",
        include_str!("../migrations/0007_security.sql"),
    ),
    (
        8,
        "tenant_issuer",
        include_str!("../migrations/0008_tenant_issuer.sql"),
    ),
    (
        9,
        "ticket_client",
        include_str!("../migrations/0009_ticket_client.sql"),
    ),
    (
        10,
        "members",
        include_str!("../migrations/0010_members.sql"),
    ),
    (
        11,
        "ticket_options",
        include_str!("../migrations/0011_ticket_options.sql"),
    ),
    (12, "rbac", include_str!("../migrations/0012_rbac.sql")),
    (
        13,
        "tenant_settings",
        include_str!("../migrations/0013_tenant_settings.sql"),
    ),
    (
        14,
        "email_verification",
        include_str!("../migrations/0014_email_verification.sql"),
    ),
    (
        15,
        "email_templates",
        include_str!("../migrations/0015_email_templates.sql"),
    ),
    (
        16,
        "email_provider",
        include_str!("../migrations/0016_email_provider.sql"),
    ),
    (
        17,
        "email_tickets_by_user",
        include_str!("../migrations/0017_email_tickets_by_user.sql"),
    ),
    (
        18,
        "user_search",
        include_str!("../migrations/0018_user_search.sql"),
    ),
    (
        19,
        "ticket_purpose_and_address",
        include_str!("../migrations/0019_ticket_purpose_and_address.sql"),
    ),
    (
        20,
        "connections",
        include_str!("../migrations/0020_connections.sql"),
    ),
    (
        21,
        "upstream_states",
        include_str!("../migrations/0021_upstream_states.sql"),
    ),
    (
        22,
        "linked_identities",
        include_str!("../migrations/0022_linked_identities.sql"),
    ),
    (
        23,
        "import_jobs",
        include_str!("../migrations/0023_import_jobs.sql"),
    ),
    (
        24,
        "export_jobs",
        include_str!("../migrations/0024_export_jobs.sql"),
    ),
    (25, "mfa", include_str!("../migrations/0025_mfa.sql")),
    (
        26,
        "mfa_challenges",
        include_str!("../migrations/0026_mfa_challenges.sql"),
    ),
    (
        27,
        "mfa_sessions",
        include_str!("../migrations/0027_mfa_sessions.sql"),
    ),
    (
        28,
        "organizations",
        include_str!("../migrations/0028_organizations.sql"),
    ),
    (
        29,
        "device_codes",
        include_str!("../migrations/0029_device_codes.sql"),
    ),
    (
        30,
        "pushed_requests",
        include_str!("../migrations/0030_pushed_requests.sql"),
    ),
    (
        31,
        "client_credentials",
        include_str!("../migrations/0031_client_credentials.sql"),
    ),
    (
        32,
        "session_clients",
        include_str!("../migrations/0032_session_clients.sql"),
    ),
    (33, "dpop", include_str!("../migrations/0033_dpop.sql")),
    (
        34,
        "passwordless",
        include_str!("../migrations/0034_passwordless.sql"),
    ),
    (
        35,
        "log_streams",
        include_str!("../migrations/0035_log_streams.sql"),
    ),
    (
        36,
        "branding",
        include_str!("../migrations/0036_branding.sql"),
    ),
    (
        37,
        "prompts",
        include_str!("../migrations/0037_prompts.sql"),
    ),
];

const CREATE_LEDGER: &str = "CREATE TABLE IF NOT EXISTS portcullis_migrations (
    version BIGINT PRIMARY KEY, name TEXT NOT NULL, applied_at BIGINT NOT NULL)";

/// An arbitrary constant naming Portcullis's migration lock.
const PG_LOCK_KEY: i64 = 0x706f_7274_6375;

impl Store {
    /// Applies every migration not yet applied; returns how many ran.
    pub async fn migrate(&self, now: i64) -> StoreResult<usize> {
        let mut ran = 0;
        match &self.db {
            Db::Sqlite(pool, _) => {
                let mut conn = pool.acquire().await?;
                sqlx::raw_sql(CREATE_LEDGER).execute(&mut *conn).await?;
                for (version, name, sql) in MIGRATIONS {
                    // IMMEDIATE takes the write lock up front, so two processes
                    // cannot both decide a migration is pending.
                    sqlx::raw_sql("BEGIN IMMEDIATE").execute(&mut *conn).await?;
                    let result: StoreResult<bool> = async {
                        let done: Option<(i64,)> =
                            sqlx::query_as("SELECT version FROM portcullis_migrations WHERE version = $1")
                                .bind(version)
                                .fetch_optional(&mut *conn)
                                .await?;
                        if done.is_some() {
                            return Ok(false);
                        }
                        sqlx::raw_sql(*sql).execute(&mut *conn).await?;
                        sqlx::query("INSERT INTO portcullis_migrations (version, name, applied_at) VALUES ($1, $2, $3)")
                            .bind(version)
                            .bind(name)
                            .bind(now)
                            .execute(&mut *conn)
                            .await?;
                        Ok(true)
                    }
                    .await;
                    match result {
                        Ok(applied) => {
                            sqlx::raw_sql("COMMIT").execute(&mut *conn).await?;
                            ran += usize::from(applied);
                        }
                        Err(e) => {
                            let _ = sqlx::raw_sql("ROLLBACK").execute(&mut *conn).await;
                            return Err(e);
                        }
                    }
                }
            }
            Db::Postgres(pool) => {
                for (version, name, sql) in MIGRATIONS {
                    let mut tx = pool.begin().await?;
                    sqlx::query("SELECT pg_advisory_xact_lock($1)")
                        .bind(PG_LOCK_KEY)
                        .execute(&mut *tx)
                        .await?;
                    sqlx::raw_sql(CREATE_LEDGER).execute(&mut *tx).await?;
                    let done: Option<(i64,)> = sqlx::query_as(
                        "SELECT version FROM portcullis_migrations WHERE version = $1",
                    )
                    .bind(version)
                    .fetch_optional(&mut *tx)
                    .await?;
                    if done.is_none() {
                        sqlx::raw_sql(*sql).execute(&mut *tx).await?;
                        sqlx::query("INSERT INTO portcullis_migrations (version, name, applied_at) VALUES ($1, $2, $3)")
                            .bind(version)
                            .bind(name)
                            .bind(now)
                            .execute(&mut *tx)
                            .await?;
                        ran += 1;
                    }
                    tx.commit().await?;
                }
            }
        }
        // Users written before migration 18 (or by a build without it) have no
        // search attributes yet.
        self.index_unindexed_users().await?;
        Ok(ran)
    }
}

/// The newest migration version this build applies.
pub fn latest() -> i64 {
    MIGRATIONS.iter().map(|(v, _, _)| *v).max().unwrap_or(0)
}
