//! Local tools: `jwt decode` (with `--verify` against an issuer's JWKS, so no
//! token needs pasting into a website), `token`, `init`.

use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use serde_json::{Value, json};

use super::remote::{CliError, Credentials, Remote};

fn part(token: &str, i: usize) -> Result<Value, CliError> {
    let seg = token
        .split('.')
        .nth(i)
        .ok_or_else(|| CliError::Usage("not a JWT: expected header.payload.signature".into()))?;
    let bytes = URL_SAFE_NO_PAD
        .decode(seg.trim_end_matches('='))
        .map_err(|_| CliError::Usage(format!("not a JWT: part {} is not base64url", i + 1)))?;
    serde_json::from_slice(&bytes)
        .map_err(|_| CliError::Usage(format!("not a JWT: part {} is not JSON", i + 1)))
}

/// Checks the signature with the key of the token's `kid` from `<issuer>/.well-known/jwks.json`.
/// Only RS256 is accepted, so neither `alg: none` nor an HMAC keyed with a
/// public key can pass.
async fn verify(
    token: &str,
    header: &Value,
    claims: &Value,
    issuer: Option<&str>,
    ca_cert: Option<&std::path::Path>,
) -> Result<Value, CliError> {
    use jsonwebtoken::jwk::JwkSet;
    use jsonwebtoken::{Algorithm, DecodingKey, Validation};
    let iss = issuer
        .map(str::to_string)
        .or_else(|| claims["iss"].as_str().map(str::to_string))
        .ok_or_else(|| CliError::Usage("the token has no iss; pass --issuer".into()))?;
    if header["alg"] != "RS256" {
        return Err(CliError::Other(format!(
            "signature NOT verified: alg {} is not accepted (RS256 only)",
            header["alg"]
        )));
    }
    let base = if iss.ends_with('/') {
        iss.clone()
    } else {
        format!("{iss}/")
    };
    let remote = Remote::new(&base, None, ca_cert)?;
    let jwks: JwkSet = serde_json::from_value(
        remote
            .get_json(&format!("{base}.well-known/jwks.json"))
            .await?,
    )
    .map_err(|e| CliError::Other(format!("the issuer's JWKS does not parse: {e}")))?;
    let kid = header["kid"]
        .as_str()
        .ok_or_else(|| CliError::Other("signature NOT verified: the token has no kid".into()))?;
    let jwk = jwks.find(kid).ok_or_else(|| {
        CliError::Other(format!(
            "signature NOT verified: key {kid} is not published by {base} (rotated out or revoked?)"
        ))
    })?;
    let key = DecodingKey::from_jwk(jwk)
        .map_err(|e| CliError::Other(format!("the issuer's key {kid} is unusable: {e}")))?;
    let mut v = Validation::new(Algorithm::RS256);
    v.validate_aud = false;
    v.set_issuer(&[iss.as_str()]);
    v.leeway = 0;
    v.required_spec_claims.clear();
    match jsonwebtoken::decode::<Value>(token, &key, &v) {
        Ok(_) => {
            let now = std::time::SystemTime::now()
                .duration_since(std::time::UNIX_EPOCH)
                .map_or(0, |d| d.as_secs() as i64);
            let expired = claims["exp"].as_i64().is_some_and(|e| e <= now);
            Ok(json!({"signature": "valid", "kid": kid, "issuer": iss, "expired": expired}))
        }
        Err(e) => Err(CliError::Other(format!("signature NOT valid: {e}"))),
    }
}

pub async fn jwt_decode(
    token: &str,
    check: bool,
    issuer: Option<&str>,
    ca_cert: Option<&std::path::Path>,
    json_out: bool,
) -> Result<(), CliError> {
    let token = token.trim();
    let header = part(token, 0)?;
    let claims = part(token, 1)?;
    let verification = if check {
        Some(verify(token, &header, &claims, issuer, ca_cert).await?)
    } else {
        None
    };
    if json_out {
        let mut out = json!({"header": header, "payload": claims});
        if let Some(v) = verification {
            out["verification"] = v;
        }
        println!("{}", serde_json::to_string_pretty(&out).unwrap_or_default());
    } else {
        println!(
            "header:\n{}",
            serde_json::to_string_pretty(&header).unwrap_or_default()
        );
        println!(
            "payload:\n{}",
            serde_json::to_string_pretty(&claims).unwrap_or_default()
        );
        for k in ["iat", "exp", "auth_time"] {
            if let Some(t) = claims[k].as_i64() {
                println!("{k}: {}", portcullis_core::clock::iso8601(t));
            }
        }
        if let Some(v) = verification {
            println!(
                "signature: valid (key {} of {}){}",
                v["kid"].as_str().unwrap_or("?"),
                v["issuer"].as_str().unwrap_or("?"),
                if v["expired"] == true {
                    "; the token has EXPIRED"
                } else {
                    ""
                }
            );
        } else {
            println!("signature: not checked (add --verify)");
        }
    }
    Ok(())
}

pub async fn token(
    base: &str,
    creds: &Credentials,
    audience: &str,
    scope: Option<&str>,
    ca_cert: Option<&std::path::Path>,
    json_out: bool,
) -> Result<(), CliError> {
    let remote = Remote::new(base, None, ca_cert)?;
    let body = remote.client_token(creds, audience, scope).await?;
    if json_out {
        println!(
            "{}",
            serde_json::to_string_pretty(&body).unwrap_or_default()
        );
    } else {
        println!("{}", body["access_token"].as_str().unwrap_or_default());
    }
    Ok(())
}

/// A commented configuration file with every setting at its default.
pub fn config_template() -> String {
    let key = portcullis_core::random::hex(32);
    format!(
        r#"# Portcullis configuration. Every setting can also be given as an environment
# variable (PORTCULLIS_<NAME in upper case>) or a flag (--<name with dashes>);
# flags win over the environment, which wins over this file.

# Address and port to listen on.
bind = "127.0.0.1:8080"

# The public URL clients use, ending with "/". Every token's iss is this value.
# issuer = "https://id.example.com/"

# Where the SQLite database, the key-encryption key and the admin credentials live.
data_dir = "./portcullis-data"

# sqlite://PATH (default: a file in data_dir) or postgres://user:pass@host/db
# for several nodes.
# database_url = "postgres://portcullis@db.internal/portcullis"

# Serve HTTPS directly (PEM files); otherwise put a TLS proxy in front.
# tls_cert = "/etc/portcullis/cert.pem"
# tls_key = "/etc/portcullis/key.pem"

# Key-encryption key for signing keys and secrets at rest: 32 bytes as hex.
# Every node of a cluster needs the same one; keep it out of database backups.
# This one was generated for you by `portcullis init`.
secret_key = "{key}"

# Administrator created on an empty database (otherwise generated into
# data_dir/admin-credentials.json).
# bootstrap_client_id = "admin"
# bootstrap_client_secret = "at least 32 characters"

# E-mail for password resets; unset writes messages to data_dir/outbox.
# smtp_url = "smtp://user:pass@smtp.example.com:587?tls=required"
# smtp_from = "Portcullis <no-reply@example.com>"

# Limits of one Rule or Action execution.
script_timeout_ms = 5000
script_memory_mb = 32

# Rotate the signing key every this many days (0: only when asked).
key_rotation_days = 0

# Days "remember this browser" on the MFA pages skips the second factor.
mfa_remember_browser_days = 30

# What a security key must show of the person: discouraged (a touch),
# preferred or required.
webauthn_user_verification = "preferred"
"#
    )
}

pub fn init(path: &std::path::Path, force: bool) -> Result<(), CliError> {
    if path.exists() && !force {
        return Err(CliError::Usage(format!(
            "{} exists; pass --force to overwrite it",
            path.display()
        )));
    }
    if force {
        let _ = std::fs::remove_file(path);
    }
    crate::keyring::write_private_file(path, config_template().as_bytes())
        .map_err(|e| CliError::Other(format!("cannot write {}: {e}", path.display())))?;
    println!(
        "wrote {} (mode 0600: it holds the key-encryption key); start with: portcullis --config {} serve",
        path.display(),
        path.display()
    );
    Ok(())
}

fn is_postgres(url: &str) -> bool {
    url.starts_with("postgres://") || url.starts_with("postgresql://")
}

/// The SQLite database file of a `sqlite://PATH` URL.
fn sqlite_path(url: &str) -> std::path::PathBuf {
    let rest = url
        .trim_start_matches("sqlite://")
        .trim_start_matches("sqlite:");
    std::path::PathBuf::from(rest.split('?').next().unwrap_or(rest))
}

fn native(tool: &str, args: &[&std::ffi::OsStr]) -> Result<(), CliError> {
    let status = std::process::Command::new(tool)
        .args(args)
        .status()
        .map_err(|e| {
            CliError::Other(format!(
                "cannot run {tool} ({e}): install the PostgreSQL client tools"
            ))
        })?;
    if status.success() {
        Ok(())
    } else {
        Err(CliError::Other(format!("{tool} failed ({status})")))
    }
}

pub async fn backup(
    config: &crate::config::Config,
    file: &std::path::Path,
) -> Result<(), CliError> {
    if is_postgres(&config.database_url) {
        native(
            "pg_dump",
            &[
                "--format=custom".as_ref(),
                "--file".as_ref(),
                file.as_os_str(),
                config.database_url.as_ref(),
            ],
        )?;
    } else {
        if file.exists() {
            return Err(CliError::Usage(format!(
                "{} exists; choose a new file",
                file.display()
            )));
        }
        let store = crate::server::open_store(config)
            .await
            .map_err(|e| CliError::Other(e.to_string()))?;
        let target = file
            .to_str()
            .ok_or_else(|| CliError::Usage("the backup path must be UTF-8".into()))?;
        store
            .backup_sqlite(target)
            .await
            .map_err(|e| CliError::Other(format!("backup failed: {e}")))?;
        store.close().await;
        // The backup holds password hashes and sealed keys: owner only.
        crate::server::owner_only(file);
    }
    println!(
        "backed up {} to {} (the key-encryption key is not in it: keep a copy of it apart)",
        crate::server::redact_url(&config.database_url),
        file.display()
    );
    Ok(())
}

pub async fn restore(
    config: &crate::config::Config,
    file: &std::path::Path,
    force: bool,
) -> Result<(), CliError> {
    if !file.is_file() {
        return Err(CliError::Usage(format!("{} is not a file", file.display())));
    }
    if is_postgres(&config.database_url) {
        native(
            "pg_restore",
            &[
                "--clean".as_ref(),
                "--if-exists".as_ref(),
                "--no-owner".as_ref(),
                "--dbname".as_ref(),
                config.database_url.as_ref(),
                file.as_os_str(),
            ],
        )?;
    } else {
        let target = sqlite_path(&config.database_url);
        if target.exists() && !force {
            return Err(CliError::Usage(format!(
                "{} exists; stop the server and pass --force to replace it",
                target.display()
            )));
        }
        if let Some(dir) = target.parent() {
            std::fs::create_dir_all(dir).map_err(|e| CliError::Other(e.to_string()))?;
        }
        // The old write-ahead log belongs to the old database.
        for ext in ["db-wal", "db-shm"] {
            let _ = std::fs::remove_file(target.with_extension(ext));
        }
        let tmp = target.with_extension("db.restoring");
        std::fs::copy(file, &tmp)
            .and_then(|_| std::fs::rename(&tmp, &target))
            .map_err(|e| CliError::Other(format!("cannot restore to {}: {e}", target.display())))?;
    }
    inspect(config, false).await?;
    println!(
        "restored {} from {}",
        crate::server::redact_url(&config.database_url),
        file.display()
    );
    Ok(())
}

/// `portcullis migrate-store --to URL`: checks the source as `check` does
/// (the key-encryption key must open its keys, since the target needs the same
/// one), migrates the target, refuses one that holds a tenant, copies every row
/// in one transaction, and checks the target the same way.
pub async fn migrate_store(config: &crate::config::Config, to: &str) -> Result<(), CliError> {
    if to == config.database_url {
        return Err(CliError::Usage(
            "--to names the configured database itself; name the new one".into(),
        ));
    }
    inspect(config, true).await?;
    let source = portcullis_store::Store::connect_existing(&config.database_url)
        .await
        .map_err(|e| CliError::Other(e.to_string()))?;
    let target_url = crate::server::redact_url(to);
    let result = async {
        let inv = source
            .tenant(portcullis_core::DEFAULT_TENANT)
            .inventory()
            .await
            .map_err(|e| CliError::Other(e.to_string()))?;
        let latest = portcullis_store::Store::latest_migration();
        if inv.migration != Some(latest) {
            return Err(CliError::Other(format!(
                "the source is at schema {:?}, this build at {latest}: run `portcullis migrate` on it first",
                inv.migration
            )));
        }
        if !is_postgres(to) {
            let path = sqlite_path(to);
            if let Some(dir) = path.parent().filter(|d| !d.as_os_str().is_empty()) {
                std::fs::create_dir_all(dir).map_err(|e| {
                    CliError::Other(format!("cannot create {}: {e}", dir.display()))
                })?;
            }
        }
        let target = portcullis_store::Store::connect(to)
            .await
            .map_err(|e| CliError::Other(format!("cannot open {target_url}: {e}")))?;
        let copied = async {
            target
                .migrate(now_secs())
                .await
                .map_err(|e| CliError::Other(format!("cannot migrate {target_url}: {e}")))?;
            if target
                .has_tenants()
                .await
                .map_err(|e| CliError::Other(e.to_string()))?
            {
                return Err(CliError::Other(format!(
                    "{target_url} already holds a Portcullis tenant; migrate-store copies only into an empty database"
                )));
            }
            source
                .copy_into(&target)
                .await
                .map_err(|e| CliError::Other(format!("the copy failed and nothing was written: {e}")))
        }
        .await;
        target.close().await;
        copied
    }
    .await;
    source.close().await;
    let report = result?;
    if !is_postgres(to) {
        // Password hashes and sealed keys: owner only, like the source.
        crate::server::owner_only(&sqlite_path(to));
    }
    for (table, rows) in &report.tables {
        if *rows > 0 {
            println!("  {table}: {rows}");
        }
    }
    let mut moved = config.clone();
    moved.database_url = to.to_string();
    inspect(&moved, true).await?;
    println!(
        "copied {} into {target_url}: start Portcullis with PORTCULLIS_DATABASE_URL set to it and the same key-encryption key",
        crate::server::redact_url(&config.database_url)
    );
    Ok(())
}

/// Checks what is there, changing nothing: never creates or migrates a
/// database, and fails when the data is not there or the key-encryption key
/// does not open the stored signing keys.
pub async fn check(config: &crate::config::Config) -> Result<(), CliError> {
    inspect(config, true).await
}

/// `check`; after a restore (`require_kek` false) a key-encryption key that is
/// not there yet is a warning, not a failure: it is restored apart.
async fn inspect(config: &crate::config::Config, require_kek: bool) -> Result<(), CliError> {
    let url = crate::server::redact_url(&config.database_url);
    if !is_postgres(&config.database_url) {
        let path = sqlite_path(&config.database_url);
        if !path.is_file() {
            return Err(CliError::Other(format!(
                "no database at {} (PORTCULLIS_DATABASE_URL / PORTCULLIS_DATA_DIR)",
                path.display()
            )));
        }
    }
    let store = portcullis_store::Store::connect_existing(&config.database_url)
        .await
        .map_err(|e| CliError::Other(format!("cannot open {url}: {e}")))?;
    let result = async {
        let integrity = store
            .integrity_check()
            .await
            .map_err(|e| CliError::Other(e.to_string()))?;
        if integrity != "ok" {
            return Err(CliError::Other(format!(
                "the database is damaged: {integrity}"
            )));
        }
        let tenant = store.tenant(portcullis_core::DEFAULT_TENANT);
        let inv = tenant
            .inventory()
            .await
            .map_err(|e| CliError::Other(e.to_string()))?;
        let Some(migration) = inv.migration else {
            return Err(CliError::Other(format!(
                "{url} is not a Portcullis database (no migrations applied)"
            )));
        };
        if inv.tenants == 0 {
            return Err(CliError::Other(format!(
                "{url} has no tenant: it was never started, or the data is not there"
            )));
        }
        let latest = portcullis_store::Store::latest_migration();
        let kek = match crate::keyring::load_kek(config, true) {
            Ok(k) => k,
            Err(e @ crate::keyring::KeyringError::KekMissing { .. }) if !require_kek => {
                println!(
                    "database ok: {url}, schema {migration}, {} applications, {} APIs, {} users, {} signing keys; warning: {e}",
                    inv.clients, inv.apis, inv.users, inv.signing_keys
                );
                return Ok(());
            }
            Err(e) => return Err(CliError::Other(e.to_string())),
        };
        let opened = crate::keyring::open_stored_keys(&tenant, &kek)
            .await
            .map(|keys| keys.len())
            .map_err(|e| {
                CliError::Other(format!(
                    "the key-encryption key does not open the stored signing keys: {e}"
                ))
            })?;
        println!(
            "database ok: {url}, schema {migration} (this build: {latest}), {} applications, {} APIs, {} users, {} signing keys (all opened with the key-encryption key)",
            inv.clients, inv.apis, inv.users, opened
        );
        Ok(())
    }
    .await;
    store.close().await;
    result
}

/// `portcullis issuer set`: records the new issuer and renames the Management
/// API (its grants follow by cascade).
pub async fn set_issuer(config: &crate::config::Config, raw: &str) -> Result<(), CliError> {
    let mut new_config = config.clone();
    new_config.issuer =
        crate::config::normalize_issuer(raw).map_err(|e| CliError::Usage(e.to_string()))?;
    let store = crate::server::open_store(config)
        .await
        .map_err(|e| CliError::Other(e.to_string()))?;
    let tenant = store.tenant(portcullis_core::DEFAULT_TENANT);
    let result = async {
        let old = tenant
            .tenant_issuer()
            .await
            .map_err(|e| CliError::Other(e.to_string()))?
            .ok_or_else(|| CliError::Other("the database has no tenant yet: start the server once".into()))?;
        let system_api = portcullis_core::management::system_resource_server(
            &new_config.issuer,
            crate::bootstrap::SYSTEM_API_ID.into(),
        );
        tenant
            .refresh_system_api(now_secs(), &system_api)
            .await
            .map_err(|e| CliError::Other(e.to_string()))?;
        tenant
            .set_tenant_issuer(&new_config.issuer)
            .await
            .map_err(|e| CliError::Other(e.to_string()))?;
        println!(
            "issuer changed from {} to {}: start every node with PORTCULLIS_ISSUER={}; tokens issued under the old issuer are no longer accepted",
            old.as_deref().unwrap_or("(not recorded)"),
            new_config.issuer,
            new_config.issuer
        );
        Ok(())
    }
    .await;
    store.close().await;
    result
}

/// `portcullis email test ADDRESS`.
pub async fn email_test(config: &crate::config::Config, address: &str) -> Result<(), CliError> {
    let mailer =
        crate::mailer::Mailer::from_config(config).map_err(|e| CliError::Other(e.to_string()))?;
    mailer.test_connection().await.map_err(|e| {
        CliError::Other(format!(
            "the relay (PORTCULLIS_SMTP_URL) does not work: {e}"
        ))
    })?;
    let text = format!(
        "This is a test message from Portcullis at {}.\r\nIf you can read it, password-reset e-mail will arrive too.",
        config.issuer
    );
    mailer
        .send(
            crate::mailer::Message {
                to: address,
                subject: "Portcullis test message",
                body: &text,
                html: None,
                from: None,
            },
            now_secs(),
        )
        .await
        .map_err(|e| CliError::Other(format!("sending failed: {e}")))?;
    match &config.smtp_url {
        Some(_) => println!("sent a test message to {address} through the relay"),
        None => println!(
            "no relay set (PORTCULLIS_SMTP_URL): the test message was written to {}",
            config.data_dir.join("outbox").display()
        ),
    }
    Ok(())
}

/// `portcullis health`: GET <base>readyz within 5 s.
pub async fn health(base: &str, ca_cert: Option<&std::path::Path>) -> Result<(), CliError> {
    let url = format!("{}/readyz", base.trim_end_matches('/'));
    let client = super::remote::http_client(ca_cert)?;
    match client
        .get(&url)
        .timeout(std::time::Duration::from_secs(5))
        .send()
        .await
    {
        Ok(r) if r.status().is_success() => {
            println!("ready: {url}");
            Ok(())
        }
        Ok(r) => Err(CliError::Other(format!(
            "not ready: {url} answered {}",
            r.status()
        ))),
        Err(e) => Err(CliError::Other(format!(
            "not ready: {}",
            super::remote::unreachable(&url, &e)
        ))),
    }
}

/// `portcullis admin reset`.
/// Runs `f` on the default tenant of the configured database (migrated, its
/// issuer checked), then closes the store: the frame of the offline commands.
pub async fn on_tenant(
    config: &crate::config::Config,
    f: impl AsyncFnOnce(&portcullis_store::TenantStore, i64) -> Result<(), CliError>,
) -> Result<(), CliError> {
    let store = crate::server::open_store(config)
        .await
        .map_err(|e| CliError::Other(e.to_string()))?;
    let tenant = store.tenant(portcullis_core::DEFAULT_TENANT);
    let result = async {
        if !crate::server::check_issuer(&tenant, config)
            .await
            .map_err(|e| CliError::Other(e.to_string()))?
        {
            return Err(CliError::Other(
                "the database has no tenant yet: `portcullis serve` creates the administrator on first start".into(),
            ));
        }
        f(&tenant, now_secs()).await
    }
    .await;
    store.close().await;
    result
}

pub async fn reset_admin(config: &crate::config::Config) -> Result<(), CliError> {
    on_tenant(config, async |tenant, now| {
        let file = crate::bootstrap::reset_admin(tenant, config, now)
            .await
            .map_err(|e| CliError::Other(e.to_string()))?;
        println!(
            "a new administrator was created; its credentials are in {} (mode 0600)",
            file.display()
        );
        Ok(())
    })
    .await
}

fn now_secs() -> i64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.as_secs() as i64)
        .unwrap_or_default()
}
