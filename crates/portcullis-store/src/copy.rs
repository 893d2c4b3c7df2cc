//! `portcullis migrate-store`: every row of one database copied into another,
//! empty one, across backends (SQLite → PostgreSQL, or back).
//!
//! Invariants:
//! - Rows are copied as stored: password hashes, hashed client secrets, refresh
//!   tokens and codes, and sealed signing keys move byte for byte and nothing is
//!   decrypted, so every password, secret and session keeps working, provided the
//!   target runs with the same key-encryption key.
//! - The source must be at this build's schema version and the target is migrated
//!   to it first, so both have the same columns; the target must hold no tenant.
//! - The whole copy is one transaction on the target: it lands completely or not
//!   at all. The source is read in one transaction too (a consistent snapshot)
//!   and never written.
//! - Tables are copied parents first (`TABLES`), so foreign keys hold throughout;
//!   a test fails when a migration adds a table this list does not name.

use futures_util::TryStreamExt;

use crate::{Db, Store, StoreError, StoreResult, with_db};

/// Every table but the migrations ledger, parents before children.
pub const TABLES: &[&str] = &[
    "tenants",
    "clients",
    "resource_servers",
    "client_grants",
    "signing_keys",
    "users",
    "sessions",
    "login_transactions",
    "authorization_codes",
    "revoked_tokens",
    "logs",
    "login_failures",
    "consents",
    "password_tickets",
    "refresh_tokens",
    "rules",
    "actions",
    "action_versions",
    "trigger_bindings",
    "rules_configs",
    "config_generations",
    "leases",
    "members",
    "member_sessions",
    "roles",
    "role_permissions",
    "user_roles",
    "user_permissions",
    "email_tickets",
    "jobs",
    "job_chunks",
    "job_errors",
    "job_keys",
    "job_files",
    "email_templates",
    "user_attributes",
    "connections",
    "connection_clients",
    "password_history",
    "upstream_states",
    "linked_identities",
    "guardian_settings",
    "authenticators",
    "mfa_tokens",
    "mfa_challenges",
    "mfa_remembered_browsers",
    "webauthn_ceremonies",
    "organizations",
    "organization_members",
    "organization_member_roles",
    "organization_connections",
    "organization_invitations",
    "organization_client_grants",
    "device_codes",
    "pushed_requests",
    "client_credentials",
    "client_assertion_jtis",
    "session_clients",
    "dpop_proof_jtis",
    "log_streams",
    "branding",
    "prompt_settings",
    "prompt_texts",
    "passwordless_codes",
];

/// Rows per `INSERT` (bounded by the number of bind parameters a statement may
/// carry: SQLite's limit is 32766).
const MAX_PARAMS: usize = 4000;

/// One column's declared type; the migrations use only these three.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum ColumnType {
    Text,
    BigInt,
    Boolean,
}

#[derive(Debug, Clone)]
enum Value {
    Text(Option<String>),
    BigInt(Option<i64>),
    Boolean(Option<bool>),
}

/// How many rows each table received.
#[derive(Debug, Default)]
pub struct CopyReport {
    pub tables: Vec<(&'static str, u64)>,
}

impl Store {
    /// Every table of the database (for the test that `TABLES` is complete).
    pub async fn table_names(&self) -> StoreResult<Vec<String>> {
        let rows: Vec<(String,)> = match &self.db {
            Db::Sqlite(pool, _) => {
                sqlx::query_as(
                    "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' ORDER BY name",
                )
                .fetch_all(pool)
                .await?
            }
            Db::Postgres(pool) => {
                sqlx::query_as(
                    "SELECT table_name::TEXT FROM information_schema.tables WHERE table_schema = current_schema() ORDER BY table_name",
                )
                .fetch_all(pool)
                .await?
            }
        };
        Ok(rows.into_iter().map(|(n,)| n).collect())
    }

    /// The columns of `table` and their types, from whichever side is SQLite
    /// (`PRAGMA table_info` gives declared types as the migrations wrote them)
    /// or, on PostgreSQL, from `information_schema`.
    async fn columns(&self, table: &str) -> StoreResult<Vec<(String, ColumnType)>> {
        let raw: Vec<(String, String)> = match &self.db {
            Db::Sqlite(pool, _) => {
                use sqlx::Row;
                // `table` is one of `TABLES`, never input.
                let rows = sqlx::query(sqlx::AssertSqlSafe(format!("PRAGMA table_info({table})")))
                    .fetch_all(pool)
                    .await?;
                rows.iter()
                    .map(|r| Ok((r.try_get("name")?, r.try_get("type")?)))
                    .collect::<Result<_, sqlx::Error>>()?
            }
            Db::Postgres(pool) => {
                sqlx::query_as(
                    "SELECT column_name::TEXT, data_type::TEXT FROM information_schema.columns \
                     WHERE table_schema = current_schema() AND table_name = $1 ORDER BY ordinal_position",
                )
                .bind(table)
                .fetch_all(pool)
                .await?
            }
        };
        if raw.is_empty() {
            return Err(StoreError::Internal(format!("table {table} is missing")));
        }
        raw.into_iter()
            .map(|(name, ty)| {
                let t = match ty.to_ascii_lowercase().as_str() {
                    "text" => ColumnType::Text,
                    "bigint" | "integer" => ColumnType::BigInt,
                    "boolean" => ColumnType::Boolean,
                    other => {
                        return Err(StoreError::Internal(format!(
                            "{table}.{name} has type {other}, which the copy does not know"
                        )));
                    }
                };
                Ok((name, t))
            })
            .collect()
    }

    /// Whether the database holds any tenant (a target must not).
    pub async fn has_tenants(&self) -> StoreResult<bool> {
        let (n,): (i64,) = with_db!(self, |pool| {
            sqlx::query_as("SELECT COUNT(*) FROM tenants")
                .fetch_one(pool)
                .await?
        });
        Ok(n > 0)
    }

    /// Copies every row of this store into `target` (see the module's
    /// invariants). The caller has migrated `target` and checked that it is
    /// empty and that this store is at the latest schema version.
    pub async fn copy_into(&self, target: &Store) -> StoreResult<CopyReport> {
        let mut plan = Vec::with_capacity(TABLES.len());
        for table in TABLES {
            let cols = self.columns(table).await?;
            let theirs = target.columns(table).await?;
            let names = |c: &[(String, ColumnType)]| {
                let mut v: Vec<String> = c.iter().map(|(n, _)| n.clone()).collect();
                v.sort();
                v
            };
            if names(&cols) != names(&theirs) {
                return Err(StoreError::Internal(format!(
                    "{table} has other columns in the target: are both at the same schema version?"
                )));
            }
            plan.push((*table, cols));
        }
        let mut report = CopyReport::default();
        with_db!(self, |src| {
            let mut read = src.begin().await?;
            with_db!(target, |dst| {
                let mut write = dst.begin().await?;
                for (table, cols) in &plan {
                    let list = cols
                        .iter()
                        .map(|(n, _)| n.as_str())
                        .collect::<Vec<_>>()
                        .join(", ");
                    let select = format!("SELECT {list} FROM {table}");
                    let per_batch = (MAX_PARAMS / cols.len()).max(1);
                    // Table and column names come from `TABLES` and the schema, never input.
                    let mut rows = sqlx::query(sqlx::AssertSqlSafe(select)).fetch(&mut *read);
                    let mut batch: Vec<Vec<Value>> = Vec::with_capacity(per_batch);
                    let mut copied = 0u64;
                    loop {
                        let next = rows.try_next().await?;
                        let done = next.is_none();
                        if let Some(row) = next {
                            let mut values = Vec::with_capacity(cols.len());
                            for (i, (_, ty)) in cols.iter().enumerate() {
                                use sqlx::Row;
                                values.push(match ty {
                                    ColumnType::Text => Value::Text(row.try_get(i)?),
                                    ColumnType::BigInt => Value::BigInt(row.try_get(i)?),
                                    ColumnType::Boolean => Value::Boolean(row.try_get(i)?),
                                });
                            }
                            batch.push(values);
                        }
                        if batch.len() == per_batch || (done && !batch.is_empty()) {
                            let mut sql = format!("INSERT INTO {table} ({list}) VALUES ");
                            let mut n = 0;
                            for (r, _) in batch.iter().enumerate() {
                                if r > 0 {
                                    sql.push_str(", ");
                                }
                                sql.push('(');
                                for c in 0..cols.len() {
                                    if c > 0 {
                                        sql.push_str(", ");
                                    }
                                    n += 1;
                                    sql.push_str(&format!("${n}"));
                                }
                                sql.push(')');
                            }
                            let mut q = sqlx::query(sqlx::AssertSqlSafe(sql));
                            for value in batch.drain(..).flatten() {
                                q = match value {
                                    Value::Text(v) => q.bind(v),
                                    Value::BigInt(v) => q.bind(v),
                                    Value::Boolean(v) => q.bind(v),
                                };
                            }
                            copied += q.execute(&mut *write).await?.rows_affected();
                        }
                        if done {
                            break;
                        }
                    }
                    drop(rows);
                    report.tables.push((*table, copied));
                }
                write.commit().await?;
            });
            read.rollback().await?;
        });
        Ok(report)
    }
}
