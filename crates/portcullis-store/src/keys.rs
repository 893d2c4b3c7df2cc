//! Signing keys, stored with the private part sealed by the key-encryption key.

use crate::{Store, StoreResult, with_db};

/// A key as stored: the caller opens it with the key-encryption key.
#[derive(Debug, Clone)]
pub struct StoredSigningKey {
    pub kid: String,
    pub alg: String,
    pub state: String,
    pub sealed_private_key: String,
    /// Base64 DER.
    pub certificate: String,
    pub created_at: i64,
    pub current_since: Option<i64>,
}

/// A key to insert.
pub struct NewSigningKey<'a> {
    pub kid: &'a str,
    pub alg: &'a str,
    pub sealed_private_key: &'a str,
    pub certificate: &'a str,
}

type Row = (String, String, String, String, String, i64, Option<i64>);

impl Store {
    /// Every non-revoked key of the tenant.
    pub async fn list_signing_keys(&self, tenant: &str) -> StoreResult<Vec<StoredSigningKey>> {
        let rows: Vec<Row> = with_db!(self, |pool| {
            sqlx::query_as(
                "SELECT kid, alg, state, sealed_private_key, certificate, created_at, current_since
                 FROM signing_keys WHERE tenant_id = $1 AND state <> 'revoked' ORDER BY created_at, kid",
            )
            .bind(tenant)
            .fetch_all(pool)
            .await?
        });
        Ok(rows
            .into_iter()
            .map(
                |(kid, alg, state, sealed_private_key, certificate, created_at, current_since)| {
                    StoredSigningKey {
                        kid,
                        alg,
                        state,
                        sealed_private_key,
                        certificate,
                        created_at,
                        current_since,
                    }
                },
            )
            .collect())
    }

    /// On a tenant with no keys, inserts `current` and `next` in one transaction and
    /// returns `true`. If keys exist already (another node won), inserts nothing.
    pub async fn insert_initial_signing_keys(
        &self,
        tenant: &str,
        now: i64,
        current: NewSigningKey<'_>,
        next: NewSigningKey<'_>,
    ) -> StoreResult<bool> {
        let result: StoreResult<bool> = with_db!(self, |pool| {
            let mut tx = pool.begin().await?;
            let (n,): (i64,) =
                sqlx::query_as("SELECT COUNT(*) FROM signing_keys WHERE tenant_id = $1")
                    .bind(tenant)
                    .fetch_one(&mut *tx)
                    .await?;
            if n > 0 {
                return Ok(false);
            }
            for (k, state, since) in [(&current, "current", Some(now)), (&next, "next", None)] {
                sqlx::query(
                    "INSERT INTO signing_keys (tenant_id, kid, alg, state, sealed_private_key, certificate, created_at, current_since)
                     VALUES ($1, $2, $3, $4, $5, $6, $7, $8)",
                )
                .bind(tenant)
                .bind(k.kid)
                .bind(k.alg)
                .bind(state)
                .bind(k.sealed_private_key)
                .bind(k.certificate)
                .bind(now)
                .bind(since)
                .execute(&mut *tx)
                .await?;
            }
            tx.commit().await?;
            Ok(true)
        });
        match result {
            // The unique index on live states refused a concurrent first start.
            Err(crate::StoreError::Conflict) => Ok(false),
            other => other,
        }
    }
}
