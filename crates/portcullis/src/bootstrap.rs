//! First start: the default tenant, its Management API and the administrator.
//!
//! On an empty database Portcullis creates a machine-to-machine application granted
//! every Management API scope. Its credentials come from
//! `PORTCULLIS_BOOTSTRAP_CLIENT_ID`/`_SECRET`, or are generated and written to
//! `<data dir>/admin-credentials.json` (mode 0600). Restarts create nothing.

use std::path::PathBuf;

use portcullis_core::client_grants::ClientGrant;
use portcullis_core::clients::{AppType, ClientPayload};
use portcullis_core::management::{self, MANAGEMENT_SCOPES};
use portcullis_core::secrets::{self, Secret};
use portcullis_store::{BootstrapAdmin, StoreError, TenantStore};

use crate::config::Config;

/// The id of a tenant's Management API record.
pub const SYSTEM_API_ID: &str = "portcullis-management-api";

/// Where the administrator's credentials are.
#[derive(Debug, Clone)]
pub enum AdminCredentials {
    /// Written to this file on this or an earlier start.
    File(PathBuf),
    /// Given by PORTCULLIS_BOOTSTRAP_CLIENT_ID / _SECRET.
    Environment,
    /// Created on an earlier start; the file is gone.
    Unknown,
    /// PORTCULLIS_BOOTSTRAP_CLIENT_ID names no application of this database
    /// (it was bootstrapped earlier with other credentials): ignored.
    EnvironmentIgnored,
    /// admin-credentials.json names an application that no longer exists.
    FileStale(PathBuf),
}

#[derive(Debug, thiserror::Error)]
pub enum BootstrapError {
    #[error("storage: {0}")]
    Store(#[from] StoreError),
    #[error("cannot write the admin credentials to {path}: {source}")]
    Write {
        path: String,
        source: std::io::Error,
    },
}

pub async fn bootstrap(
    store: &TenantStore,
    config: &Config,
    now: i64,
) -> Result<AdminCredentials, BootstrapError> {
    let system_api = management::system_resource_server(&config.issuer, SYSTEM_API_ID.into());
    let from_env = config.bootstrap_client_id.is_some();
    let client_id = config
        .bootstrap_client_id
        .clone()
        .unwrap_or_else(|| portcullis_core::random::alphanumeric(32));
    let secret = config
        .bootstrap_client_secret
        .clone()
        .unwrap_or_else(secrets::generate_client_secret);
    let client = ClientPayload {
        name: Some("Portcullis Admin (bootstrap)".into()),
        description: Some("Created on first start. Holds every Management API scope.".into()),
        app_type: Some(AppType::NonInteractive),
        ..Default::default()
    }
    .into_new_client(client_id.clone(), store.id())
    .expect("the bootstrap client is valid");
    let grant = ClientGrant {
        id: format!("cgr_{}", portcullis_core::random::alphanumeric(16)),
        client_id: client_id.clone(),
        audience: system_api.identifier.clone(),
        scope: MANAGEMENT_SCOPES.iter().map(|s| s.to_string()).collect(),
        allow_all_scopes: true,
        organization_usage: None,
        allow_any_organization: false,
    };
    let hash = secrets::hash_secret(secret.expose());
    let created = store
        .bootstrap_tenant(
            &config.issuer,
            now,
            &system_api,
            BootstrapAdmin {
                client: &client,
                secret_hash: &hash,
                grant: &grant,
            },
        )
        .await?;
    // Every tenant has its first database connection as a record; a tenant
    // made before connections were records gets it on its next start, enabled
    // for the clients it already has.
    let default_db = portcullis_core::connections::Connection::default_database(
        portcullis_core::connections::new_id(),
    );
    store.ensure_default_connection(&default_db, now).await?;
    let file = config.data_dir.join("admin-credentials.json");
    if !created {
        store.refresh_system_api(now, &system_api).await?;
        let exists = |id: String| async move { store.get_client(&id).await.map(|c| c.is_some()) };
        if from_env {
            return Ok(if exists(client_id.clone()).await? {
                AdminCredentials::Environment
            } else {
                AdminCredentials::EnvironmentIgnored
            });
        }
        if file.is_file() {
            let named = std::fs::read_to_string(&file)
                .ok()
                .and_then(|t| serde_json::from_str::<serde_json::Value>(&t).ok())
                .and_then(|v| v["client_id"].as_str().map(str::to_string));
            return Ok(match named {
                Some(id) if exists(id.clone()).await? => AdminCredentials::File(file),
                _ => AdminCredentials::FileStale(file),
            });
        }
        return Ok(AdminCredentials::Unknown);
    }
    if from_env {
        return Ok(AdminCredentials::Environment);
    }
    write_credentials(&file, &client_id, &secret, &system_api.identifier).map_err(|source| {
        BootstrapError::Write {
            path: file.display().to_string(),
            source,
        }
    })?;
    Ok(AdminCredentials::File(file))
}

/// `portcullis admin reset`: a new administrator (client credentials with every
/// Management API scope, now and later) on an existing database, whether or not
/// a server is running on it, written to `<data dir>/admin-credentials.json`
/// (0600). Earlier administrators are left as they are. Returns the file.
pub async fn reset_admin(
    store: &TenantStore,
    config: &Config,
    now: i64,
) -> Result<PathBuf, BootstrapError> {
    let audience = management::audience(&config.issuer);
    let client_id = portcullis_core::random::alphanumeric(32);
    let secret = secrets::generate_client_secret();
    let client = ClientPayload {
        name: Some(format!(
            "Portcullis Admin (reset {})",
            portcullis_core::clock::iso8601(now)
        )),
        description: Some(
            "Created by `portcullis admin reset`. Holds every Management API scope.".into(),
        ),
        app_type: Some(AppType::NonInteractive),
        ..Default::default()
    }
    .into_new_client(client_id.clone(), store.id())
    .expect("the administrator client is valid");
    let grant = ClientGrant {
        id: format!("cgr_{}", portcullis_core::random::alphanumeric(16)),
        client_id: client_id.clone(),
        audience: audience.clone(),
        scope: MANAGEMENT_SCOPES.iter().map(|s| s.to_string()).collect(),
        allow_all_scopes: true,
        organization_usage: None,
        allow_any_organization: false,
    };
    store
        .insert_admin(&client, &secrets::hash_secret(secret.expose()), &grant, now)
        .await?;
    let file = config.data_dir.join("admin-credentials.json");
    write_credentials(&file, &client_id, &secret, &audience).map_err(|source| {
        BootstrapError::Write {
            path: file.display().to_string(),
            source,
        }
    })?;
    Ok(file)
}

/// Writes the file through a temporary name, so a reader never sees half of it and
/// a stale file from an earlier database is replaced.
/// Creates the first dashboard member when the tenant has none: on first
/// start, and on the first start of a database from before members existed.
/// The address is `PORTCULLIS_ADMIN_EMAIL` (default `admin@localhost`), the
/// role admin; the password `PORTCULLIS_ADMIN_PASSWORD`, or generated and
/// written with the address to `<data dir>/dashboard-credentials.json` (mode
/// 0600), whose path is returned. Auth0 has no such file (its first member is
/// whoever created the tenant); a password chosen at first login, as some
/// servers do, would leave the account open to whoever reached the page
/// first, so this never does that.
pub async fn ensure_first_member(
    store: &TenantStore,
    config: &Config,
    now: i64,
) -> Result<Option<PathBuf>, BootstrapError> {
    if !store.list_members().await?.is_empty() {
        return Ok(None);
    }
    let (password, generated) = match &config.admin_password {
        Some(p) => (p.clone(), false),
        None => (
            Secret::new(portcullis_core::members::generate_password()),
            true,
        ),
    };
    let member = portcullis_core::members::Member {
        id: portcullis_core::members::new_id(),
        email: config.admin_email.clone(),
        role: portcullis_core::members::Role::Admin,
        created_at: now,
        last_login: None,
        logins_count: 0,
    };
    let hash = {
        let password = password.clone();
        tokio::task::spawn_blocking(move || portcullis_core::passwords::hash(&password))
            .await
            .unwrap_or_default()
    };
    match store.create_member(&member, &hash).await {
        Ok(()) => {}
        // Another node created it at the same moment.
        Err(StoreError::Conflict) => return Ok(None),
        Err(e) => return Err(e.into()),
    }
    if !generated {
        return Ok(None);
    }
    let file = config.data_dir.join("dashboard-credentials.json");
    let body = serde_json::json!({
        "url": format!("{}admin/", config.issuer),
        "email": member.email,
        "password": password.expose(),
    });
    write_private_json(&file, &body).map_err(|source| BootstrapError::Write {
        path: file.display().to_string(),
        source,
    })?;
    Ok(Some(file))
}

/// Writes `body` to `path` (mode 0600), replacing it whole.
fn write_private_json(path: &std::path::Path, body: &serde_json::Value) -> std::io::Result<()> {
    let tmp = path.with_extension(format!("json.{}", portcullis_core::random::hex(4)));
    crate::keyring::write_private_file(&tmp, format!("{body:#}\n").as_bytes())?;
    std::fs::rename(&tmp, path)
}

fn write_credentials(
    path: &std::path::Path,
    client_id: &str,
    secret: &Secret,
    audience: &str,
) -> std::io::Result<()> {
    let body = serde_json::json!({
        "client_id": client_id,
        "client_secret": secret.expose(),
        "audience": audience,
    });
    write_private_json(path, &body)
}
