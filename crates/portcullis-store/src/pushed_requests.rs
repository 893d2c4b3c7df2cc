//! Pushed authorization requests (RFC 9126): stored when pushed, taken once
//! by `/authorize`. The `request_uri`'s reference is kept only as a hash.

use crate::{StoreResult, TenantStore, decode, encode, write_db};

impl TenantStore {
    /// Stores the pushed parameters of `client_id` until `expires_at`.
    pub async fn insert_pushed_request(
        &self,
        reference_hash: &str,
        client_id: &str,
        params: &[(String, String)],
        expires_at: i64,
        now: i64,
    ) -> StoreResult<()> {
        let doc = encode(&params)?;
        write_db!(self, |conn| {
            sqlx::query(
                "INSERT INTO pushed_requests (tenant_id, reference_hash, client_id, params, created_at, expires_at)
                 VALUES ($1, $2, $3, $4, $5, $6)",
            )
            .bind(self.id())
            .bind(reference_hash)
            .bind(client_id)
            .bind(&doc)
            .bind(now)
            .bind(expires_at)
            .execute(&mut *conn)
            .await?;
        });
        Ok(())
    }

    /// Takes a live pushed request of `client_id` (RFC 9126 §4: once): its
    /// parameters. The DELETE decides the one taker among concurrent ones;
    /// another application's attempt takes nothing.
    pub async fn take_pushed_request(
        &self,
        reference_hash: &str,
        client_id: &str,
        now: i64,
    ) -> StoreResult<Option<Vec<(String, String)>>> {
        let row: Option<(String,)> = write_db!(self, |conn| {
            sqlx::query_as(
                "DELETE FROM pushed_requests
                 WHERE tenant_id = $1 AND reference_hash = $2 AND client_id = $3 AND expires_at > $4
                 RETURNING params",
            )
            .bind(self.id())
            .bind(reference_hash)
            .bind(client_id)
            .bind(now)
            .fetch_optional(&mut *conn)
            .await?
        });
        row.map(|(doc,)| decode(&doc)).transpose()
    }
}
