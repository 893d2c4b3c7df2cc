//! Actions, their deployed versions, trigger bindings, rules configs, and the
//! generation counter that tells every node its caches are stale.

use portcullis_core::actions::{Action, ActionVersion, Binding};

use crate::{StoreResult, TenantStore, decode, encode, with_db, write_db, write_tx};

impl TenantStore {
    /// `Conflict` if the name is taken.
    pub async fn insert_action(&self, a: &Action, now: i64) -> StoreResult<()> {
        let doc = encode(a)?;
        write_db!(self, |conn| {
            sqlx::query(
                "INSERT INTO actions (tenant_id, id, name, doc, created_at, updated_at)
                 VALUES ($1, $2, $3, $4, $5, $5)",
            )
            .bind(self.id())
            .bind(&a.id)
            .bind(&a.name)
            .bind(&doc)
            .bind(now)
            .execute(&mut *conn)
            .await?;
        });
        Ok(())
    }

    pub async fn get_action(&self, id: &str) -> StoreResult<Option<Action>> {
        let row: Option<(String,)> = with_db!(self, |pool| {
            sqlx::query_as("SELECT doc FROM actions WHERE tenant_id = $1 AND id = $2")
                .bind(self.id())
                .bind(id)
                .fetch_optional(pool)
                .await?
        });
        row.map(|(d,)| decode(&d)).transpose()
    }

    /// Every action, oldest first.
    pub async fn list_actions(&self) -> StoreResult<Vec<Action>> {
        let rows: Vec<(String,)> = with_db!(self, |pool| {
            sqlx::query_as("SELECT doc FROM actions WHERE tenant_id = $1 ORDER BY created_at, id")
                .bind(self.id())
                .fetch_all(pool)
                .await?
        });
        rows.iter().map(|(d,)| decode(d)).collect()
    }

    /// `Conflict` if a renamed action takes another's name.
    pub async fn update_action(&self, a: &Action, now: i64) -> StoreResult<bool> {
        let doc = encode(a)?;
        let n = write_db!(self, |conn| {
            sqlx::query(
                "UPDATE actions SET name = $3, doc = $4, updated_at = $5
                 WHERE tenant_id = $1 AND id = $2",
            )
            .bind(self.id())
            .bind(&a.id)
            .bind(&a.name)
            .bind(&doc)
            .bind(now)
            .execute(&mut *conn)
            .await?
            .rows_affected()
        });
        Ok(n == 1)
    }

    /// Deletes the action and its versions in one transaction.
    pub async fn delete_action(&self, id: &str) -> StoreResult<bool> {
        let n = write_tx!(self, |conn| {
            sqlx::query("DELETE FROM action_versions WHERE tenant_id = $1 AND action_id = $2")
                .bind(self.id())
                .bind(id)
                .execute(&mut *conn)
                .await?;
            sqlx::query("DELETE FROM actions WHERE tenant_id = $1 AND id = $2")
                .bind(self.id())
                .bind(id)
                .execute(&mut *conn)
                .await?
                .rows_affected()
        });
        Ok(n == 1)
    }

    /// Records a deployed version and makes it the action's current one, in one
    /// transaction. `Conflict` if another deploy took the same number first.
    pub async fn deploy_action(&self, a: &Action, v: &ActionVersion, now: i64) -> StoreResult<()> {
        let (adoc, vdoc) = (encode(a)?, encode(v)?);
        write_tx!(self, |conn| {
            sqlx::query(
                "INSERT INTO action_versions (tenant_id, id, action_id, number, doc, created_at)
                 VALUES ($1, $2, $3, $4, $5, $6)",
            )
            .bind(self.id())
            .bind(&v.id)
            .bind(&v.action_id)
            .bind(v.number)
            .bind(&vdoc)
            .bind(now)
            .execute(&mut *conn)
            .await?;
            sqlx::query(
                "UPDATE actions SET doc = $3, updated_at = $4 WHERE tenant_id = $1 AND id = $2",
            )
            .bind(self.id())
            .bind(&a.id)
            .bind(&adoc)
            .bind(now)
            .execute(&mut *conn)
            .await?;
        });
        Ok(())
    }

    /// An action's versions, newest first.
    pub async fn list_action_versions(&self, action_id: &str) -> StoreResult<Vec<ActionVersion>> {
        let rows: Vec<(String,)> = with_db!(self, |pool| {
            sqlx::query_as(
                "SELECT doc FROM action_versions WHERE tenant_id = $1 AND action_id = $2
                 ORDER BY number DESC",
            )
            .bind(self.id())
            .bind(action_id)
            .fetch_all(pool)
            .await?
        });
        rows.iter().map(|(d,)| decode(d)).collect()
    }

    /// A trigger's bindings in run order.
    pub async fn get_bindings(&self, trigger: &str) -> StoreResult<Vec<Binding>> {
        let row: Option<(String,)> = with_db!(self, |pool| {
            sqlx::query_as(
                "SELECT doc FROM trigger_bindings WHERE tenant_id = $1 AND trigger_id = $2",
            )
            .bind(self.id())
            .bind(trigger)
            .fetch_optional(pool)
            .await?
        });
        Ok(row.map(|(d,)| decode(&d)).transpose()?.unwrap_or_default())
    }

    /// Replaces a trigger's bindings.
    pub async fn set_bindings(
        &self,
        trigger: &str,
        bindings: &[Binding],
        now: i64,
    ) -> StoreResult<()> {
        let doc = encode(&bindings)?;
        write_db!(self, |conn| {
            sqlx::query(
                "INSERT INTO trigger_bindings (tenant_id, trigger_id, doc, updated_at)
                 VALUES ($1, $2, $3, $4)
                 ON CONFLICT (tenant_id, trigger_id) DO UPDATE SET doc = excluded.doc, updated_at = excluded.updated_at",
            )
            .bind(self.id())
            .bind(trigger)
            .bind(&doc)
            .bind(now)
            .execute(&mut *conn)
            .await?;
        });
        Ok(())
    }

    /// Sets a rules config value (already sealed by the caller).
    pub async fn set_rules_config(&self, key: &str, sealed: &str, now: i64) -> StoreResult<()> {
        write_db!(self, |conn| {
            sqlx::query(
                "INSERT INTO rules_configs (tenant_id, key, sealed, updated_at)
                 VALUES ($1, $2, $3, $4)
                 ON CONFLICT (tenant_id, key) DO UPDATE SET sealed = excluded.sealed, updated_at = excluded.updated_at",
            )
            .bind(self.id())
            .bind(key)
            .bind(sealed)
            .bind(now)
            .execute(&mut *conn)
            .await?;
        });
        Ok(())
    }

    /// Every rules config as `(key, sealed value)`, by key.
    pub async fn list_rules_configs(&self) -> StoreResult<Vec<(String, String)>> {
        Ok(with_db!(self, |pool| {
            sqlx::query_as(
                "SELECT key, sealed FROM rules_configs WHERE tenant_id = $1 ORDER BY key",
            )
            .bind(self.id())
            .fetch_all(pool)
            .await?
        }))
    }

    pub async fn delete_rules_config(&self, key: &str) -> StoreResult<bool> {
        let n = write_db!(self, |conn| {
            sqlx::query("DELETE FROM rules_configs WHERE tenant_id = $1 AND key = $2")
                .bind(self.id())
                .bind(key)
                .execute(&mut *conn)
                .await?
                .rows_affected()
        });
        Ok(n == 1)
    }

    /// The tenant's configuration generation (0 before any change).
    pub async fn config_generation(&self) -> StoreResult<i64> {
        let row: Option<(i64,)> = with_db!(self, |pool| {
            sqlx::query_as("SELECT generation FROM config_generations WHERE tenant_id = $1")
                .bind(self.id())
                .fetch_optional(pool)
                .await?
        });
        Ok(row.map_or(0, |(g,)| g))
    }

    /// Marks every node's caches stale.
    pub async fn bump_config_generation(&self) -> StoreResult<()> {
        write_db!(self, |conn| {
            sqlx::query(
                "INSERT INTO config_generations (tenant_id, generation) VALUES ($1, 1)
                 ON CONFLICT (tenant_id) DO UPDATE SET generation = config_generations.generation + 1",
            )
            .bind(self.id())
            .execute(&mut *conn)
            .await?;
        });
        Ok(())
    }
}
