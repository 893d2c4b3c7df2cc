//! Tenants and the first-start bootstrap.

use portcullis_core::client_grants::ClientGrant;
use portcullis_core::clients::Client;
use portcullis_core::resource_servers::ResourceServer;

use portcullis_core::email_provider::EmailProvider;
use portcullis_core::tenant_settings::TenantSettings;

use crate::{StoreResult, TenantStore, decode, encode, with_db, write_db, write_tx};

/// The administrator created on an empty database.
pub struct BootstrapAdmin<'a> {
    pub client: &'a Client,
    pub secret_hash: &'a str,
    pub grant: &'a ClientGrant,
}

impl TenantStore {
    /// On an empty database, creates `tenant`, its Management API and the
    /// administrator, in one transaction, and returns `true`. On a database that
    /// has the tenant already it creates nothing and returns `false`, so restarts
    /// (and several nodes starting at once) never make a second administrator.
    pub async fn bootstrap_tenant(
        &self,
        issuer: &str,
        now: i64,
        system_api: &ResourceServer,
        admin: BootstrapAdmin<'_>,
    ) -> StoreResult<bool> {
        let api_doc = encode(system_api)?;
        let client_doc = encode(admin.client)?;
        let grant_doc = encode(admin.grant)?;
        write_tx!(self, result, |conn| {
            let inserted = sqlx::query(
                "INSERT INTO tenants (id, created_at, issuer) VALUES ($1, $2, $3) ON CONFLICT (id) DO NOTHING",
            )
            .bind(self.id())
            .bind(now)
            .bind(issuer)
            .execute(&mut *conn)
            .await?
            .rows_affected();
            if inserted == 0 {
                return Ok(false);
            }
            sqlx::query(
                "INSERT INTO resource_servers (tenant_id, id, identifier, is_system, doc, created_at, updated_at)
                 VALUES ($1, $2, $3, TRUE, $4, $5, $5)",
            )
            .bind(self.id())
            .bind(&system_api.id)
            .bind(&system_api.identifier)
            .bind(&api_doc)
            .bind(now)
            .execute(&mut *conn)
            .await?;
            sqlx::query(
                "INSERT INTO clients (tenant_id, client_id, secret_hash, doc, created_at, updated_at)
                 VALUES ($1, $2, $3, $4, $5, $5)",
            )
            .bind(self.id())
            .bind(&admin.client.client_id)
            .bind(admin.secret_hash)
            .bind(&client_doc)
            .bind(now)
            .execute(&mut *conn)
            .await?;
            sqlx::query(
                "INSERT INTO client_grants (tenant_id, id, client_id, audience, doc, created_at, updated_at)
                 VALUES ($1, $2, $3, $4, $5, $6, $6)",
            )
            .bind(self.id())
            .bind(&admin.grant.id)
            .bind(&admin.grant.client_id)
            .bind(&admin.grant.audience)
            .bind(&grant_doc)
            .bind(now)
            .execute(&mut *conn)
            .await?;
            Ok(true)
        })
    }

    /// A new administrator and its Management API grant, in one transaction
    /// (`portcullis admin reset`). Running nodes need no signal: the new client
    /// id has never been looked up, so no node has it cached.
    pub async fn insert_admin(
        &self,
        client: &Client,
        secret_hash: &str,
        grant: &ClientGrant,
        now: i64,
    ) -> StoreResult<()> {
        let client_doc = encode(client)?;
        let grant_doc = encode(grant)?;
        write_tx!(self, |conn| {
            sqlx::query(
                "INSERT INTO clients (tenant_id, client_id, secret_hash, doc, created_at, updated_at)
                 VALUES ($1, $2, $3, $4, $5, $5)",
            )
            .bind(self.id())
            .bind(&client.client_id)
            .bind(secret_hash)
            .bind(&client_doc)
            .bind(now)
            .execute(&mut *conn)
            .await?;
            sqlx::query(
                "INSERT INTO client_grants (tenant_id, id, client_id, audience, doc, created_at, updated_at)
                 VALUES ($1, $2, $3, $4, $5, $6, $6)",
            )
            .bind(self.id())
            .bind(&grant.id)
            .bind(&grant.client_id)
            .bind(&grant.audience)
            .bind(&grant_doc)
            .bind(now)
            .execute(&mut *conn)
            .await?;
        });
        Ok(())
    }

    /// Whether the tenant exists, and the issuer it was created with (`None`
    /// inside for a tenant from before issuers were recorded).
    pub async fn tenant_issuer(&self) -> StoreResult<Option<Option<String>>> {
        let row: Option<(Option<String>,)> = with_db!(self, |pool| {
            sqlx::query_as("SELECT issuer FROM tenants WHERE id = $1")
                .bind(self.id())
                .fetch_optional(pool)
                .await?
        });
        Ok(row.map(|(i,)| i))
    }

    /// The tenant's settings (Auth0's defaults until first changed).
    pub async fn tenant_settings(&self) -> StoreResult<TenantSettings> {
        Ok(self.tenant_settings_versioned().await?.0)
    }

    /// The settings and the stored text they were read from (`None` before
    /// the first change): the version [`TenantStore::replace_tenant_settings`]
    /// compares against.
    pub async fn tenant_settings_versioned(&self) -> StoreResult<(TenantSettings, Option<String>)> {
        let row: Option<(Option<String>,)> = with_db!(self, |pool| {
            sqlx::query_as("SELECT settings FROM tenants WHERE id = $1")
                .bind(self.id())
                .fetch_optional(pool)
                .await?
        });
        match row.and_then(|(s,)| s) {
            Some(doc) => Ok((decode(&doc)?, Some(doc))),
            None => Ok((TenantSettings::default(), None)),
        }
    }

    /// Stores `settings` if the stored ones are still those read as `read`
    /// (compare-and-set); `false` when another change came first, so a
    /// read-modify-write never loses a concurrent one.
    pub async fn replace_tenant_settings(
        &self,
        settings: &TenantSettings,
        read: Option<&str>,
    ) -> StoreResult<bool> {
        let doc = encode(settings)?;
        let n = write_db!(self, |conn| {
            sqlx::query(
                "UPDATE tenants SET settings = $2 WHERE id = $1 AND settings IS NOT DISTINCT FROM CAST($3 AS TEXT)",
            )
            .bind(self.id())
            .bind(&doc)
            .bind(read)
            .execute(&mut *conn)
            .await?
            .rows_affected()
        });
        Ok(n == 1)
    }

    /// The tenant's e-mail provider and its sealed password, if one is set.
    pub async fn email_provider(&self) -> StoreResult<Option<(EmailProvider, Option<String>)>> {
        Ok(self
            .email_provider_versioned()
            .await?
            .map(|(p, sealed, _)| (p, sealed)))
    }

    /// The provider, its sealed password, and the stored text of both (the
    /// version [`TenantStore::replace_email_provider`] compares against).
    #[allow(clippy::type_complexity)]
    pub async fn email_provider_versioned(
        &self,
    ) -> StoreResult<Option<(EmailProvider, Option<String>, (String, Option<String>))>> {
        let row: Option<(Option<String>, Option<String>)> = with_db!(self, |pool| {
            sqlx::query_as(
                "SELECT email_provider, email_provider_secret FROM tenants WHERE id = $1",
            )
            .bind(self.id())
            .fetch_optional(pool)
            .await?
        });
        match row {
            Some((Some(doc), sealed)) => Ok(Some((decode(&doc)?, sealed.clone(), (doc, sealed)))),
            _ => Ok(None),
        }
    }

    /// Sets the provider and its sealed password if both are still as read
    /// (`read`; `None`: no provider was set); `false` when another change
    /// came first.
    pub async fn replace_email_provider(
        &self,
        provider: &EmailProvider,
        sealed: Option<&str>,
        read: Option<(&str, Option<&str>)>,
    ) -> StoreResult<bool> {
        let doc = encode(provider)?;
        let (read_doc, read_sealed) = match read {
            Some((d, s)) => (Some(d), s),
            None => (None, None),
        };
        let n = write_db!(self, |conn| {
            sqlx::query(
                "UPDATE tenants SET email_provider = $2, email_provider_secret = $3
                 WHERE id = $1 AND email_provider IS NOT DISTINCT FROM CAST($4 AS TEXT)
                   AND email_provider_secret IS NOT DISTINCT FROM CAST($5 AS TEXT)",
            )
            .bind(self.id())
            .bind(&doc)
            .bind(sealed)
            .bind(read_doc)
            .bind(read_sealed)
            .execute(&mut *conn)
            .await?
            .rows_affected()
        });
        Ok(n == 1)
    }

    /// Sets (or, with `None`, removes) the e-mail provider and its sealed
    /// password, together.
    pub async fn set_email_provider(
        &self,
        provider: Option<(&EmailProvider, Option<&str>)>,
    ) -> StoreResult<()> {
        let (doc, sealed) = match provider {
            Some((p, s)) => (Some(encode(p)?), s.map(str::to_string)),
            None => (None, None),
        };
        write_db!(self, |conn| {
            sqlx::query(
                "UPDATE tenants SET email_provider = $2, email_provider_secret = $3 WHERE id = $1",
            )
            .bind(self.id())
            .bind(&doc)
            .bind(&sealed)
            .execute(&mut *conn)
            .await?;
        });
        Ok(())
    }

    /// Records the tenant's issuer (first start after the upgrade, or
    /// `portcullis issuer set`).
    pub async fn set_tenant_issuer(&self, issuer: &str) -> StoreResult<bool> {
        let n = write_db!(self, |conn| {
            sqlx::query("UPDATE tenants SET issuer = $2 WHERE id = $1")
                .bind(self.id())
                .bind(issuer)
                .execute(&mut *conn)
                .await?
                .rows_affected()
        });
        Ok(n == 1)
    }

    /// Brings the tenant's Management API record up to date with this version and
    /// configuration (its scopes, and its identifier if the issuer changed; client
    /// grants follow the identifier by `ON UPDATE CASCADE`).
    pub async fn refresh_system_api(
        &self,
        now: i64,
        system_api: &ResourceServer,
    ) -> StoreResult<()> {
        let doc = encode(system_api)?;
        write_db!(self, |conn| {
            sqlx::query(
                "UPDATE resource_servers SET identifier = $3, doc = $4, updated_at = $5
                 WHERE tenant_id = $1 AND id = $2 AND is_system",
            )
            .bind(self.id())
            .bind(&system_api.id)
            .bind(&system_api.identifier)
            .bind(&doc)
            .bind(now)
            .execute(&mut *conn)
            .await?;
        });
        Ok(())
    }
}
