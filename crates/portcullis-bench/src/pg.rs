//! A fresh PostgreSQL schema for one run of the PostgreSQL cases, dropped
//! after it, so runs never see each other's data.

use sqlx::Connection;

pub struct Database {
    base: String,
    pub schema: String,
    /// `base` with the schema as the search path.
    pub url: String,
}

pub async fn fresh_schema(base: &str) -> Result<Database, String> {
    let mut conn = sqlx::PgConnection::connect(base)
        .await
        .map_err(|e| format!("PostgreSQL at {base}: {e}"))?;
    let schema = format!("bench_{}", std::process::id());
    sqlx::raw_sql(sqlx::AssertSqlSafe(format!(
        "DROP SCHEMA IF EXISTS \"{schema}\" CASCADE; CREATE SCHEMA \"{schema}\""
    )))
    .execute(&mut conn)
    .await
    .map_err(|e| e.to_string())?;
    let sep = if base.contains('?') { '&' } else { '?' };
    Ok(Database {
        base: base.to_string(),
        url: format!("{base}{sep}options=-c%20search_path%3D{schema}"),
        schema,
    })
}

impl Database {
    pub async fn drop_schema(self) {
        if let Ok(mut conn) = sqlx::PgConnection::connect(&self.base).await {
            let _ = sqlx::raw_sql(sqlx::AssertSqlSafe(format!(
                "DROP SCHEMA IF EXISTS \"{}\" CASCADE",
                self.schema
            )))
            .execute(&mut conn)
            .await;
        }
    }
}
