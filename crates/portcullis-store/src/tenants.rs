//! Tenants and the first-start bootstrap.

use portcullis_core::client_grants::ClientGrant;
use portcullis_core::clients::Client;
use portcullis_core::resource_servers::ResourceServer;

use crate::{Store, StoreResult, encode, with_db};

/// The administrator created on an empty database.
pub struct BootstrapAdmin<'a> {
    pub client: &'a Client,
    pub secret_hash: &'a str,
    pub grant: &'a ClientGrant,
}

impl Store {
    /// On an empty database, creates `tenant`, its Management API and the
    /// administrator, in one transaction, and returns `true`. On a database that
    /// has the tenant already it creates nothing and returns `false`, so restarts
    /// (and several nodes starting at once) never make a second administrator.
    pub async fn bootstrap_tenant(
        &self,
        tenant: &str,
        now: i64,
        system_api: &ResourceServer,
        admin: BootstrapAdmin<'_>,
    ) -> StoreResult<bool> {
        let api_doc = encode(system_api)?;
        let client_doc = encode(admin.client)?;
        let grant_doc = encode(admin.grant)?;
        with_db!(self, |pool| {
            let mut tx = pool.begin().await?;
            let inserted = sqlx::query(
                "INSERT INTO tenants (id, created_at) VALUES ($1, $2) ON CONFLICT (id) DO NOTHING",
            )
            .bind(tenant)
            .bind(now)
            .execute(&mut *tx)
            .await?
            .rows_affected();
            if inserted == 0 {
                return Ok(false);
            }
            sqlx::query(
                "INSERT INTO resource_servers (tenant_id, id, identifier, is_system, doc, created_at, updated_at)
                 VALUES ($1, $2, $3, TRUE, $4, $5, $5)",
            )
            .bind(tenant)
            .bind(&system_api.id)
            .bind(&system_api.identifier)
            .bind(&api_doc)
            .bind(now)
            .execute(&mut *tx)
            .await?;
            sqlx::query(
                "INSERT INTO clients (tenant_id, client_id, secret_hash, doc, created_at, updated_at)
                 VALUES ($1, $2, $3, $4, $5, $5)",
            )
            .bind(tenant)
            .bind(&admin.client.client_id)
            .bind(admin.secret_hash)
            .bind(&client_doc)
            .bind(now)
            .execute(&mut *tx)
            .await?;
            sqlx::query(
                "INSERT INTO client_grants (tenant_id, id, client_id, audience, doc, created_at, updated_at)
                 VALUES ($1, $2, $3, $4, $5, $6, $6)",
            )
            .bind(tenant)
            .bind(&admin.grant.id)
            .bind(&admin.grant.client_id)
            .bind(&admin.grant.audience)
            .bind(&grant_doc)
            .bind(now)
            .execute(&mut *tx)
            .await?;
            tx.commit().await?;
            Ok(true)
        })
    }

    /// Brings the tenant's Management API record up to date with this version and
    /// configuration (its scopes, and its identifier if the issuer changed; client
    /// grants follow the identifier by `ON UPDATE CASCADE`).
    pub async fn refresh_system_api(
        &self,
        tenant: &str,
        now: i64,
        system_api: &ResourceServer,
    ) -> StoreResult<()> {
        let doc = encode(system_api)?;
        with_db!(self, |pool| {
            sqlx::query(
                "UPDATE resource_servers SET identifier = $3, doc = $4, updated_at = $5
                 WHERE tenant_id = $1 AND id = $2 AND is_system",
            )
            .bind(tenant)
            .bind(&system_api.id)
            .bind(&system_api.identifier)
            .bind(&doc)
            .bind(now)
            .execute(pool)
            .await?;
        });
        Ok(())
    }
}
