//! Applications' registered public keys (`private_key_jwt`) and the `jti`s
//! of the assertions accepted: a jti is spent by one INSERT, so an assertion
//! is accepted once across the cluster.

use portcullis_core::protocol::client_assertion::Credential;

use crate::{StoreResult, TenantStore, decode, encode, with_db, write_db};

impl TenantStore {
    /// Stores `cred` for `client_id`; `false` when the application does not
    /// exist.
    pub async fn insert_client_credential(
        &self,
        client_id: &str,
        cred: &Credential,
    ) -> StoreResult<bool> {
        let doc = encode(cred)?;
        let n = write_db!(self, |conn| {
            sqlx::query(
                "INSERT INTO client_credentials (tenant_id, client_id, id, doc, created_at)
                 SELECT $1, $2, $3, $4, $5 WHERE EXISTS
                   (SELECT 1 FROM clients WHERE tenant_id = $1 AND client_id = $2)",
            )
            .bind(self.id())
            .bind(client_id)
            .bind(&cred.id)
            .bind(&doc)
            .bind(cred.created_at)
            .execute(&mut *conn)
            .await?
            .rows_affected()
        });
        Ok(n == 1)
    }

    /// The credentials of `client_id`, oldest first.
    pub async fn client_credentials(&self, client_id: &str) -> StoreResult<Vec<Credential>> {
        let rows: Vec<(String,)> = with_db!(self, |pool| {
            sqlx::query_as(
                "SELECT doc FROM client_credentials WHERE tenant_id = $1 AND client_id = $2
                 ORDER BY created_at, id",
            )
            .bind(self.id())
            .bind(client_id)
            .fetch_all(pool)
            .await?
        });
        rows.iter().map(|(d,)| decode(d)).collect()
    }

    /// Replaces a credential's record (its expiry); `false` when absent.
    pub async fn update_client_credential(
        &self,
        client_id: &str,
        cred: &Credential,
    ) -> StoreResult<bool> {
        let doc = encode(cred)?;
        let n = write_db!(self, |conn| {
            sqlx::query(
                "UPDATE client_credentials SET doc = $4
                 WHERE tenant_id = $1 AND client_id = $2 AND id = $3",
            )
            .bind(self.id())
            .bind(client_id)
            .bind(&cred.id)
            .bind(&doc)
            .execute(&mut *conn)
            .await?
            .rows_affected()
        });
        Ok(n == 1)
    }

    pub async fn delete_client_credential(&self, client_id: &str, id: &str) -> StoreResult<bool> {
        let n = write_db!(self, |conn| {
            sqlx::query(
                "DELETE FROM client_credentials WHERE tenant_id = $1 AND client_id = $2 AND id = $3",
            )
            .bind(self.id())
            .bind(client_id)
            .bind(id)
            .execute(&mut *conn)
            .await?
            .rows_affected()
        });
        Ok(n == 1)
    }

    /// Spends an assertion's `jti` for `client_id` until `expires_at`;
    /// `false` when it was spent already (a replay).
    pub async fn spend_assertion_jti(
        &self,
        client_id: &str,
        jti: &str,
        expires_at: i64,
    ) -> StoreResult<bool> {
        let n = write_db!(self, |conn| {
            sqlx::query(
                "INSERT INTO client_assertion_jtis (tenant_id, client_id, jti, expires_at)
                 VALUES ($1, $2, $3, $4) ON CONFLICT DO NOTHING",
            )
            .bind(self.id())
            .bind(client_id)
            .bind(jti)
            .bind(expires_at)
            .execute(&mut *conn)
            .await?
            .rows_affected()
        });
        Ok(n == 1)
    }
}
