//! Client grants: which client may get tokens for which API, with which scopes.

use portcullis_core::client_grants::ClientGrant;

use crate::{Page, StoreResult, TenantStore, decode, encode, with_db, write_db};

/// The `audience` column is authoritative: it follows the API's identifier by
/// `ON UPDATE CASCADE`, the JSON document does not.
fn with_audience(doc: &str, audience: String) -> StoreResult<ClientGrant> {
    let mut g: ClientGrant = decode(doc)?;
    g.audience = audience;
    Ok(g)
}

impl TenantStore {
    /// Inserts a grant. `Conflict` if the client already has a grant for the
    /// audience; `MissingReference` if the client or API does not exist.
    pub async fn insert_client_grant(&self, grant: &ClientGrant, now: i64) -> StoreResult<()> {
        let doc = encode(grant)?;
        write_db!(self, |conn| {
            sqlx::query(
                "INSERT INTO client_grants (tenant_id, id, client_id, audience, doc, created_at, updated_at)
                 VALUES ($1, $2, $3, $4, $5, $6, $6)",
            )
            .bind(self.id())
            .bind(&grant.id)
            .bind(&grant.client_id)
            .bind(&grant.audience)
            .bind(&doc)
            .bind(now)
            .execute(&mut *conn)
            .await?;
        });
        Ok(())
    }

    pub async fn get_client_grant(&self, id: &str) -> StoreResult<Option<ClientGrant>> {
        let row: Option<(String, String)> = with_db!(self, |pool| {
            sqlx::query_as(
                "SELECT doc, audience FROM client_grants WHERE tenant_id = $1 AND id = $2",
            )
            .bind(self.id())
            .bind(id)
            .fetch_optional(pool)
            .await?
        });
        row.map(|(d, aud)| with_audience(&d, aud)).transpose()
    }

    /// The grant of `client_id` for `audience`, if any.
    pub async fn find_client_grant(
        &self,
        client_id: &str,
        audience: &str,
    ) -> StoreResult<Option<ClientGrant>> {
        let row: Option<(String, String)> = with_db!(self, |pool| {
            sqlx::query_as(
                "SELECT doc, audience FROM client_grants WHERE tenant_id = $1 AND client_id = $2 AND audience = $3",
            )
            .bind(self.id())
            .bind(client_id)
            .bind(audience)
            .fetch_optional(pool)
            .await?
        });
        row.map(|(d, aud)| with_audience(&d, aud)).transpose()
    }

    /// A page of grants, optionally only those of one client and/or one audience.
    pub async fn list_client_grants(
        &self,
        client_id: Option<&str>,
        audience: Option<&str>,
        page: Page,
    ) -> StoreResult<(Vec<ClientGrant>, i64)> {
        let (rows, total): (Vec<(String, String)>, (i64,)) = with_db!(self, |pool| {
            let rows = sqlx::query_as(
                "SELECT doc, audience FROM client_grants WHERE tenant_id = $1
                   AND (CAST($2 AS TEXT) IS NULL OR client_id = $2)
                   AND (CAST($3 AS TEXT) IS NULL OR audience = $3)
                 ORDER BY created_at, id LIMIT $4 OFFSET $5",
            )
            .bind(self.id())
            .bind(client_id)
            .bind(audience)
            .bind(page.limit())
            .bind(page.offset())
            .fetch_all(pool)
            .await?;
            let total = sqlx::query_as(
                "SELECT COUNT(*) FROM client_grants WHERE tenant_id = $1
                   AND (CAST($2 AS TEXT) IS NULL OR client_id = $2)
                   AND (CAST($3 AS TEXT) IS NULL OR audience = $3)",
            )
            .bind(self.id())
            .bind(client_id)
            .bind(audience)
            .fetch_one(pool)
            .await?;
            (rows, total)
        });
        let items = rows
            .into_iter()
            .map(|(d, aud)| with_audience(&d, aud))
            .collect::<StoreResult<_>>()?;
        Ok((items, total.0))
    }

    pub async fn update_client_grant(&self, grant: &ClientGrant, now: i64) -> StoreResult<bool> {
        let doc = encode(grant)?;
        let n = write_db!(self, |conn| {
            sqlx::query("UPDATE client_grants SET doc = $3, updated_at = $4 WHERE tenant_id = $1 AND id = $2")
                .bind(self.id())
                .bind(&grant.id)
                .bind(&doc)
                .bind(now)
                .execute(&mut *conn)
                .await?
                .rows_affected()
        });
        Ok(n == 1)
    }

    pub async fn delete_client_grant(&self, id: &str) -> StoreResult<bool> {
        let n = write_db!(self, |conn| {
            sqlx::query("DELETE FROM client_grants WHERE tenant_id = $1 AND id = $2")
                .bind(self.id())
                .bind(id)
                .execute(&mut *conn)
                .await?
                .rows_affected()
        });
        Ok(n == 1)
    }
}
