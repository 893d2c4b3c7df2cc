//! Rules, kept in their `order`.

use portcullis_core::rules::Rule;

use crate::{StoreResult, TenantStore, decode, encode, with_db, write_db};

impl TenantStore {
    /// `Conflict` if the name is taken.
    pub async fn insert_rule(&self, rule: &Rule, now: i64) -> StoreResult<()> {
        let doc = encode(rule)?;
        write_db!(self, |conn| {
            sqlx::query(
                "INSERT INTO rules (tenant_id, id, name, position, enabled, doc, created_at, updated_at)
                 VALUES ($1, $2, $3, $4, $5, $6, $7, $7)",
            )
            .bind(self.id())
            .bind(&rule.id)
            .bind(&rule.name)
            .bind(rule.order)
            .bind(rule.enabled)
            .bind(&doc)
            .bind(now)
            .execute(&mut *conn)
            .await?;
        });
        Ok(())
    }

    pub async fn get_rule(&self, id: &str) -> StoreResult<Option<Rule>> {
        let row: Option<(String,)> = with_db!(self, |pool| {
            sqlx::query_as("SELECT doc FROM rules WHERE tenant_id = $1 AND id = $2")
                .bind(self.id())
                .bind(id)
                .fetch_optional(pool)
                .await?
        });
        row.map(|(d,)| decode(&d)).transpose()
    }

    /// Every rule, in the order they run.
    pub async fn list_rules(&self) -> StoreResult<Vec<Rule>> {
        let rows: Vec<(String,)> = with_db!(self, |pool| {
            sqlx::query_as(
                "SELECT doc FROM rules WHERE tenant_id = $1 ORDER BY position, created_at, id",
            )
            .bind(self.id())
            .fetch_all(pool)
            .await?
        });
        rows.iter().map(|(d,)| decode(d)).collect()
    }

    /// `Conflict` if a renamed rule takes another's name.
    pub async fn update_rule(&self, rule: &Rule, now: i64) -> StoreResult<bool> {
        let doc = encode(rule)?;
        let n = write_db!(self, |conn| {
            sqlx::query(
                "UPDATE rules SET name = $3, position = $4, enabled = $5, doc = $6, updated_at = $7
                 WHERE tenant_id = $1 AND id = $2",
            )
            .bind(self.id())
            .bind(&rule.id)
            .bind(&rule.name)
            .bind(rule.order)
            .bind(rule.enabled)
            .bind(&doc)
            .bind(now)
            .execute(&mut *conn)
            .await?
            .rows_affected()
        });
        Ok(n == 1)
    }

    pub async fn delete_rule(&self, id: &str) -> StoreResult<bool> {
        let n = write_db!(self, |conn| {
            sqlx::query("DELETE FROM rules WHERE tenant_id = $1 AND id = $2")
                .bind(self.id())
                .bind(id)
                .execute(&mut *conn)
                .await?
                .rows_affected()
        });
        Ok(n == 1)
    }
}
