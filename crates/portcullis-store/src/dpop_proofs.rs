//! DPoP proofs seen (RFC 9449 §11.1): a proof's `jti` is accepted once per
//! key, on any node, until its `iat` window closes (then `iat` refuses it
//! anyway and the maintenance sweep removes the row).

use crate::{StoreResult, TenantStore, write_db};

impl TenantStore {
    /// Spends a proof's `jti` for key `jkt` until `expires_at`; `false` when
    /// it was spent before (a replay).
    pub async fn spend_dpop_jti(&self, jkt: &str, jti: &str, expires_at: i64) -> StoreResult<bool> {
        let n = write_db!(self, |conn| {
            sqlx::query(
                "INSERT INTO dpop_proof_jtis (tenant_id, jkt, jti, expires_at)
                 VALUES ($1, $2, $3, $4) ON CONFLICT DO NOTHING",
            )
            .bind(self.id())
            .bind(jkt)
            .bind(jti)
            .bind(expires_at)
            .execute(&mut *conn)
            .await?
            .rows_affected()
        });
        Ok(n == 1)
    }
}
