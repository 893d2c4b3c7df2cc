//! Resource servers (Auth0 APIs).

use portcullis_core::resource_servers::ResourceServer;

use crate::{Page, StoreResult, TenantStore, decode, encode, with_db, write_db, write_tx};

impl TenantStore {
    pub async fn insert_resource_server(&self, rs: &ResourceServer, now: i64) -> StoreResult<()> {
        let doc = encode(rs)?;
        write_db!(self, |conn| {
            sqlx::query(
                "INSERT INTO resource_servers (tenant_id, id, identifier, is_system, doc, created_at, updated_at)
                 VALUES ($1, $2, $3, $4, $5, $6, $6)",
            )
            .bind(self.id())
            .bind(&rs.id)
            .bind(&rs.identifier)
            .bind(rs.is_system)
            .bind(&doc)
            .bind(now)
            .execute(&mut *conn)
            .await?;
        });
        Ok(())
    }

    pub async fn get_resource_server(&self, id: &str) -> StoreResult<Option<ResourceServer>> {
        let row: Option<(String,)> = with_db!(self, |pool| {
            sqlx::query_as("SELECT doc FROM resource_servers WHERE tenant_id = $1 AND id = $2")
                .bind(self.id())
                .bind(id)
                .fetch_optional(pool)
                .await?
        });
        row.map(|(d,)| decode(&d)).transpose()
    }

    pub async fn get_resource_server_by_identifier(
        &self,
        identifier: &str,
    ) -> StoreResult<Option<ResourceServer>> {
        let row: Option<(String,)> = with_db!(self, |pool| {
            sqlx::query_as(
                "SELECT doc FROM resource_servers WHERE tenant_id = $1 AND identifier = $2",
            )
            .bind(self.id())
            .bind(identifier)
            .fetch_optional(pool)
            .await?
        });
        row.map(|(d,)| decode(&d)).transpose()
    }

    pub async fn list_resource_servers(
        &self,
        page: Page,
    ) -> StoreResult<(Vec<ResourceServer>, i64)> {
        let (rows, total): (Vec<(String,)>, (i64,)) = with_db!(self, |pool| {
            let rows = sqlx::query_as(
                "SELECT doc FROM resource_servers WHERE tenant_id = $1 ORDER BY created_at, id LIMIT $2 OFFSET $3",
            )
            .bind(self.id())
            .bind(page.limit())
            .bind(page.offset())
            .fetch_all(pool)
            .await?;
            let total =
                sqlx::query_as("SELECT COUNT(*) FROM resource_servers WHERE tenant_id = $1")
                    .bind(self.id())
                    .fetch_one(pool)
                    .await?;
            (rows, total)
        });
        let items = rows
            .iter()
            .map(|(d,)| decode(d))
            .collect::<StoreResult<_>>()?;
        Ok((items, total.0))
    }

    /// Replaces a (non-system) resource server's record; `false` if none matched.
    /// A scope it no longer defines stops being a permission anywhere: its
    /// assignments to roles and users go in the same transaction.
    pub async fn update_resource_server(&self, rs: &ResourceServer, now: i64) -> StoreResult<bool> {
        let doc = encode(rs)?;
        let n = write_tx!(self, result, |conn| {
            let n = sqlx::query(
                "UPDATE resource_servers SET doc = $3, updated_at = $4
                 WHERE tenant_id = $1 AND id = $2 AND NOT is_system",
            )
            .bind(self.id())
            .bind(&rs.id)
            .bind(&doc)
            .bind(now)
            .execute(&mut *conn)
            .await?
            .rows_affected();
            let assigned: Vec<(String,)> = sqlx::query_as(
                "SELECT permission_name FROM role_permissions WHERE tenant_id = $1 AND resource_server_id = $2
                 UNION
                 SELECT permission_name FROM user_permissions WHERE tenant_id = $1 AND resource_server_id = $2",
            )
            .bind(self.id())
            .bind(&rs.id)
            .fetch_all(&mut *conn)
            .await?;
            for (gone,) in assigned.iter().filter(|(p,)| !rs.defines_scope(p)) {
                for sql in [
                    "DELETE FROM role_permissions WHERE tenant_id = $1 AND resource_server_id = $2 AND permission_name = $3",
                    "DELETE FROM user_permissions WHERE tenant_id = $1 AND resource_server_id = $2 AND permission_name = $3",
                ] {
                    sqlx::query(sql)
                        .bind(self.id())
                        .bind(&rs.id)
                        .bind(gone)
                        .execute(&mut *conn)
                        .await?;
                }
            }
            Ok(n)
        })?;
        Ok(n == 1)
    }

    /// Deletes a (non-system) resource server and, by cascade, its client grants.
    pub async fn delete_resource_server(&self, id: &str) -> StoreResult<bool> {
        let n = write_db!(self, |conn| {
            sqlx::query(
                "DELETE FROM resource_servers WHERE tenant_id = $1 AND id = $2 AND NOT is_system",
            )
            .bind(self.id())
            .bind(id)
            .execute(&mut *conn)
            .await?
            .rows_affected()
        });
        Ok(n == 1)
    }
}
