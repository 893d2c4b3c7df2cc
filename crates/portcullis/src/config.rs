//! Deployment configuration: a TOML file (`--config FILE`), overridden by
//! `PORTCULLIS_*` environment variables, overridden by command-line flags.
//!
//! Tenant settings (applications, APIs, lifetimes) are data behind the Management
//! API, not configuration. Every value is validated once here; a bad one stops the
//! server at start with a message naming the setting.

use std::net::SocketAddr;
use std::path::{Path, PathBuf};

use clap::Args;
use portcullis_core::secrets::Secret;
use serde::Deserialize;

/// The settings as flags (each also read from its environment variable by clap,
/// which gives flags precedence over the environment).
#[derive(Debug, Clone, Default, Args)]
#[command(
    next_help_heading = "Server settings (each also a PORTCULLIS_* variable or a key of --config)"
)]
pub struct ConfigArgs {
    /// TOML configuration file; its keys are the settings' names in lower case
    /// without the PORTCULLIS_ prefix (bind, issuer, data_dir, …).
    #[arg(long, env = "PORTCULLIS_CONFIG", global = true)]
    pub config: Option<PathBuf>,
    /// Address to listen on [default: 127.0.0.1:8080].
    #[arg(long, env = "PORTCULLIS_BIND", global = true)]
    pub bind: Option<String>,
    /// Public issuer URL, ending with `/` [default: http://<bind>/].
    #[arg(long, env = "PORTCULLIS_ISSUER", global = true)]
    pub issuer: Option<String>,
    /// Directory for the SQLite database, the key-encryption key and the admin
    /// credentials [default: ./portcullis-data].
    #[arg(long, env = "PORTCULLIS_DATA_DIR", global = true)]
    pub data_dir: Option<PathBuf>,
    /// `sqlite://…` or `postgres://…` [default: SQLite file in the data dir].
    #[arg(long, env = "PORTCULLIS_DATABASE_URL", global = true)]
    pub database_url: Option<String>,
    /// PEM certificate chain; with --tls-key, serve HTTPS.
    #[arg(long, env = "PORTCULLIS_TLS_CERT", global = true)]
    pub tls_cert: Option<PathBuf>,
    /// PEM private key for --tls-cert.
    #[arg(long, env = "PORTCULLIS_TLS_KEY", global = true)]
    pub tls_key: Option<PathBuf>,
    /// client_id of the administrator created on an empty database.
    #[arg(long, env = "PORTCULLIS_BOOTSTRAP_CLIENT_ID", global = true)]
    pub bootstrap_client_id: Option<String>,
    /// client_secret of the administrator created on an empty database.
    #[arg(
        long,
        env = "PORTCULLIS_BOOTSTRAP_CLIENT_SECRET",
        global = true,
        hide_env_values = true
    )]
    pub bootstrap_client_secret: Option<String>,
    /// The e-mail address of the first dashboard member, created on first
    /// start [default: admin@localhost].
    #[arg(long, env = "PORTCULLIS_ADMIN_EMAIL", global = true)]
    pub admin_email: Option<String>,
    /// The first dashboard member's password (at least 12 characters) [default:
    /// generated and written to <data dir>/dashboard-credentials.json].
    #[arg(
        long,
        env = "PORTCULLIS_ADMIN_PASSWORD",
        global = true,
        hide_env_values = true
    )]
    pub admin_password: Option<String>,
    /// Serve the dashboard at <issuer>admin/ [default: true].
    #[arg(long, env = "PORTCULLIS_DASHBOARD", global = true)]
    pub dashboard: Option<bool>,
    /// SMTP relay for e-mail: smtp://user:pass@host:587?tls=required,
    /// smtps://host:465, or smtp://host:25 (plain, for a local relay) [default:
    /// messages are written to <data dir>/outbox].
    #[arg(
        long,
        env = "PORTCULLIS_SMTP_URL",
        global = true,
        hide_env_values = true
    )]
    pub smtp_url: Option<String>,
    /// The From address of e-mail [default: Portcullis <no-reply@issuer host>].
    #[arg(long, env = "PORTCULLIS_SMTP_FROM", global = true)]
    pub smtp_from: Option<String>,
    /// Key-encryption key for signing keys at rest: 32 bytes as 64 hex characters or
    /// base64 [default: generated into <data dir>/secret.key].
    #[arg(
        long,
        env = "PORTCULLIS_SECRET_KEY",
        global = true,
        hide_env_values = true
    )]
    pub secret_key: Option<String>,
    /// Wall-clock limit of one Rule or Action execution, in milliseconds
    /// [default: 5000].
    #[arg(long, env = "PORTCULLIS_SCRIPT_TIMEOUT_MS", global = true)]
    pub script_timeout_ms: Option<u64>,
    /// Memory limit of one Rule or Action execution, in MiB [default: 32].
    #[arg(long, env = "PORTCULLIS_SCRIPT_MEMORY_MB", global = true)]
    pub script_memory_mb: Option<u64>,
    /// Rotate the signing key automatically every this many days; 0 turns it
    /// off (rotate with the API or `portcullis keys rotate`) [default: 0].
    #[arg(long, env = "PORTCULLIS_KEY_ROTATION_DAYS", global = true)]
    pub key_rotation_days: Option<u64>,
    /// How long "remember this browser" on the MFA pages skips the second
    /// factor, in days (1 to 365) [default: 30, Auth0's].
    #[arg(long, env = "PORTCULLIS_MFA_REMEMBER_BROWSER_DAYS", global = true)]
    pub mfa_remember_browser_days: Option<u64>,
    /// Whether a security key (the `webauthn-roaming` factor) must verify the
    /// person with a PIN or biometrics: `discouraged` (a touch), `preferred`
    /// or `required` [default: preferred].
    #[arg(long, env = "PORTCULLIS_WEBAUTHN_USER_VERIFICATION", global = true)]
    pub webauthn_user_verification: Option<String>,
    /// Also write every audit event as a JSON line to `stdout` or to this file
    /// (appended), for log shippers [default: the database only].
    #[arg(long, env = "PORTCULLIS_AUDIT_LOG", global = true)]
    pub audit_log: Option<String>,
    /// Proxies (load balancers) whose `X-Forwarded-For` / `Forwarded` headers are
    /// believed, as a comma-separated list of addresses or CIDR blocks such as
    /// `10.0.0.0/8,192.168.1.10`. Only when the connection comes from one of them
    /// is the client's address taken from those headers (the right-most address
    /// that is not a trusted proxy); it is what brute-force limits, audit logs and
    /// scripts see [default: none; the connection's address is the client's].
    #[arg(long, env = "PORTCULLIS_TRUSTED_PROXIES", global = true)]
    pub trusted_proxies: Option<String>,
    /// The one header your trusted proxies write the client's address into:
    /// `x-forwarded-for` or `forwarded` (RFC 7239). The other is ignored, since a
    /// proxy passes a client's own copy of a header it does not write [default:
    /// x-forwarded-for].
    #[arg(long, env = "PORTCULLIS_TRUSTED_PROXY_HEADER", global = true)]
    pub trusted_proxy_header: Option<String>,
    /// Serve `/metrics` on this address and port only (for example
    /// `127.0.0.1:9100`), not on the public listener [default: on the public
    /// listener].
    #[arg(long, env = "PORTCULLIS_METRICS_BIND", global = true)]
    pub metrics_bind: Option<String>,
    /// Require a server nonce in every DPoP proof (RFC 9449 §8, §9): a proof
    /// without a fresh one is answered `use_dpop_nonce` with the nonce to
    /// use [default: false].
    #[arg(long, env = "PORTCULLIS_DPOP_NONCE", global = true)]
    pub dpop_nonce: Option<bool>,
}

/// The TOML file: the same settings, lower-case names.
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
struct FileConfig {
    bind: Option<String>,
    issuer: Option<String>,
    data_dir: Option<PathBuf>,
    database_url: Option<String>,
    tls_cert: Option<PathBuf>,
    tls_key: Option<PathBuf>,
    bootstrap_client_id: Option<String>,
    bootstrap_client_secret: Option<String>,
    admin_email: Option<String>,
    admin_password: Option<String>,
    dashboard: Option<bool>,
    secret_key: Option<String>,
    smtp_url: Option<String>,
    smtp_from: Option<String>,
    script_timeout_ms: Option<u64>,
    script_memory_mb: Option<u64>,
    key_rotation_days: Option<u64>,
    mfa_remember_browser_days: Option<u64>,
    webauthn_user_verification: Option<String>,
    audit_log: Option<String>,
    trusted_proxies: Option<String>,
    trusted_proxy_header: Option<String>,
    metrics_bind: Option<String>,
    dpop_nonce: Option<bool>,
}

#[derive(Debug, Clone)]
pub struct TlsFiles {
    pub cert: PathBuf,
    pub key: PathBuf,
}

/// Validated configuration.
#[derive(Debug, Clone)]
pub struct Config {
    pub bind: SocketAddr,
    /// Always ends with `/`, as Auth0's issuer does.
    pub issuer: String,
    pub data_dir: PathBuf,
    pub database_url: String,
    pub tls: Option<TlsFiles>,
    pub bootstrap_client_id: Option<String>,
    pub bootstrap_client_secret: Option<Secret>,
    /// The first dashboard member's e-mail address (normalised).
    pub admin_email: String,
    /// The first dashboard member's password, when given.
    pub admin_password: Option<Secret>,
    /// Whether `<issuer>admin/` serves the dashboard.
    pub dashboard: bool,
    pub secret_key: Option<Secret>,
    pub smtp_url: Option<Secret>,
    pub smtp_from: String,
    pub script_timeout_ms: u64,
    pub script_memory_mb: u64,
    pub key_rotation_days: u64,
    /// Days a remembered browser skips the second factor.
    pub mfa_remember_browser_days: u64,
    /// What a security key must show of the person.
    pub webauthn_user_verification: portcullis_core::mfa::UserVerification,
    /// `stdout`, a file path, or `None`.
    pub audit_log: Option<String>,
    /// Proxies whose forwarding headers name the client (empty: none).
    pub trusted_proxies: Vec<ipnet::IpNet>,
    /// The header those proxies write.
    pub trusted_proxy_header: ForwardedHeader,
    /// A separate listener for `/metrics`; `None` serves it on the public one.
    pub metrics_bind: Option<SocketAddr>,
    /// DPoP proofs must carry a server nonce.
    pub dpop_nonce: bool,
}

impl Config {
    /// The path of the issuer without its trailing `/`: `""` for
    /// `https://id.example/`, `"/auth"` for `https://example.com/auth/`. Every
    /// page link, redirect and cookie path starts with it.
    pub fn base_path(&self) -> &str {
        base_path_of(&self.issuer)
    }

    /// The sandbox limits for one Rule or Action execution.
    pub fn script_limits(&self) -> portcullis_sandbox::Limits {
        portcullis_sandbox::Limits {
            timeout: std::time::Duration::from_millis(self.script_timeout_ms),
            memory_bytes: (self.script_memory_mb as usize) * 1024 * 1024,
            ..Default::default()
        }
    }
}

#[derive(Debug, thiserror::Error)]
#[error("invalid configuration: {setting} ({env}): {problem}")]
pub struct ConfigError {
    pub setting: &'static str,
    pub env: &'static str,
    pub problem: String,
}

fn err(setting: &'static str, env: &'static str, problem: impl Into<String>) -> ConfigError {
    ConfigError {
        setting,
        env,
        problem: problem.into(),
    }
}

impl ConfigArgs {
    /// Merges file < environment/flags and validates.
    pub fn resolve(&self) -> Result<Config, ConfigError> {
        let file = match &self.config {
            Some(path) => read_file(path)?,
            None => FileConfig::default(),
        };
        let pick = |flag: &Option<String>, file: Option<String>| {
            flag.clone().or(file).filter(|s| !s.is_empty())
        };

        let bind_raw = pick(&self.bind, file.bind).unwrap_or_else(|| "127.0.0.1:8080".into());
        let bind: SocketAddr = bind_raw.parse().map_err(|_| {
            err(
                "bind",
                "PORTCULLIS_BIND",
                format!("'{bind_raw}' is not an address and port like 127.0.0.1:8080"),
            )
        })?;

        let tls_cert = self.tls_cert.clone().or(file.tls_cert);
        let tls_key = self.tls_key.clone().or(file.tls_key);
        let tls = match (tls_cert, tls_key) {
            (Some(cert), Some(key)) => {
                for (p, setting, env) in [
                    (&cert, "tls_cert", "PORTCULLIS_TLS_CERT"),
                    (&key, "tls_key", "PORTCULLIS_TLS_KEY"),
                ] {
                    if !p.is_file() {
                        return Err(err(
                            setting,
                            env,
                            format!("'{}' is not a readable file", p.display()),
                        ));
                    }
                }
                Some(TlsFiles { cert, key })
            }
            (None, None) => None,
            (Some(_), None) => {
                return Err(err(
                    "tls_key",
                    "PORTCULLIS_TLS_KEY",
                    "is required when tls_cert is set",
                ));
            }
            (None, Some(_)) => {
                return Err(err(
                    "tls_cert",
                    "PORTCULLIS_TLS_CERT",
                    "is required when tls_key is set",
                ));
            }
        };

        let issuer = match pick(&self.issuer, file.issuer) {
            Some(raw) => normalize_issuer(&raw)?,
            // Every token's `iss` must be a URL clients can reach; 0.0.0.0 is
            // not one.
            None if bind.ip().is_unspecified() => {
                return Err(err(
                    "issuer",
                    "PORTCULLIS_ISSUER",
                    format!(
                        "is required when listening on {bind}: set it to the public URL clients use, such as https://login.example.com/"
                    ),
                ));
            }
            None => {
                let scheme = if tls.is_some() { "https" } else { "http" };
                format!("{scheme}://{bind}/")
            }
        };

        let data_dir = self
            .data_dir
            .clone()
            .or(file.data_dir)
            .unwrap_or_else(|| PathBuf::from("./portcullis-data"));

        let database_url = match pick(&self.database_url, file.database_url) {
            Some(url) => {
                if !(url.starts_with("sqlite:")
                    || url.starts_with("postgres://")
                    || url.starts_with("postgresql://"))
                {
                    return Err(err(
                        "database_url",
                        "PORTCULLIS_DATABASE_URL",
                        "must start with sqlite: or postgres://",
                    ));
                }
                url
            }
            None => format!("sqlite://{}", data_dir.join("portcullis.db").display()),
        };

        let bootstrap_client_id = pick(&self.bootstrap_client_id, file.bootstrap_client_id);
        if let Some(id) = &bootstrap_client_id
            && (id.len() > 128
                || !id
                    .bytes()
                    .all(|b| b.is_ascii_alphanumeric() || b"-_.".contains(&b)))
        {
            return Err(err(
                "bootstrap_client_id",
                "PORTCULLIS_BOOTSTRAP_CLIENT_ID",
                "must be 1 to 128 characters of letters, digits, '-', '_' or '.'",
            ));
        }
        let bootstrap_client_secret =
            pick(&self.bootstrap_client_secret, file.bootstrap_client_secret);
        if bootstrap_client_secret
            .as_ref()
            .is_some_and(|s| s.len() < 32)
        {
            return Err(err(
                "bootstrap_client_secret",
                "PORTCULLIS_BOOTSTRAP_CLIENT_SECRET",
                "must be at least 32 characters (it guards every Management API scope)",
            ));
        }
        if bootstrap_client_id.is_some() != bootstrap_client_secret.is_some() {
            return Err(err(
                "bootstrap_client_secret",
                "PORTCULLIS_BOOTSTRAP_CLIENT_SECRET",
                "set both PORTCULLIS_BOOTSTRAP_CLIENT_ID and PORTCULLIS_BOOTSTRAP_CLIENT_SECRET, or neither",
            ));
        }
        let admin_email = pick(&self.admin_email, file.admin_email)
            .map(|e| portcullis_core::members::normalize_email(&e))
            .transpose()
            .map_err(|_| {
                err(
                    "admin_email",
                    "PORTCULLIS_ADMIN_EMAIL",
                    "must be an e-mail address",
                )
            })?
            .unwrap_or_else(|| "admin@localhost".into());
        let admin_password = pick(&self.admin_password, file.admin_password);
        if let Some(p) = &admin_password
            && let Err(why) = portcullis_core::members::check_password(p)
        {
            return Err(err("admin_password", "PORTCULLIS_ADMIN_PASSWORD", &why));
        }
        let dashboard = self.dashboard.or(file.dashboard).unwrap_or(true);
        let secret_key = pick(&self.secret_key, file.secret_key);
        if let Some(k) = &secret_key {
            parse_secret_key(k).map_err(|p| err("secret_key", "PORTCULLIS_SECRET_KEY", p))?;
        }

        let smtp_url = pick(&self.smtp_url, file.smtp_url);
        if let Some(u) = &smtp_url
            && !(u.starts_with("smtp://") || u.starts_with("smtps://"))
        {
            return Err(err(
                "smtp_url",
                "PORTCULLIS_SMTP_URL",
                "must start with smtp:// or smtps://",
            ));
        }
        let host = url::Url::parse(&issuer)
            .ok()
            .and_then(|u| u.host_str().map(str::to_string))
            .unwrap_or_else(|| "localhost".into());
        let smtp_from = pick(&self.smtp_from, file.smtp_from)
            .unwrap_or_else(|| format!("Portcullis <no-reply@{host}>"));
        if smtp_from.parse::<lettre::message::Mailbox>().is_err() {
            return Err(err(
                "smtp_from",
                "PORTCULLIS_SMTP_FROM",
                format!("'{smtp_from}' is not an e-mail address"),
            ));
        }

        let script_timeout_ms = self
            .script_timeout_ms
            .or(file.script_timeout_ms)
            .unwrap_or(5000);
        if !(10..=60_000).contains(&script_timeout_ms) {
            return Err(err(
                "script_timeout_ms",
                "PORTCULLIS_SCRIPT_TIMEOUT_MS",
                "must be between 10 and 60000",
            ));
        }
        let script_memory_mb = self
            .script_memory_mb
            .or(file.script_memory_mb)
            .unwrap_or(32);
        if !(4..=1024).contains(&script_memory_mb) {
            return Err(err(
                "script_memory_mb",
                "PORTCULLIS_SCRIPT_MEMORY_MB",
                "must be between 4 and 1024",
            ));
        }

        let key_rotation_days = self
            .key_rotation_days
            .or(file.key_rotation_days)
            .unwrap_or(0);
        if key_rotation_days > 3650 {
            return Err(err(
                "key_rotation_days",
                "PORTCULLIS_KEY_ROTATION_DAYS",
                "must be between 0 (off) and 3650",
            ));
        }

        let mfa_remember_browser_days = self
            .mfa_remember_browser_days
            .or(file.mfa_remember_browser_days)
            .unwrap_or(portcullis_core::mfa::REMEMBER_BROWSER_DEFAULT_DAYS as u64);
        if !(1..=365).contains(&mfa_remember_browser_days) {
            return Err(err(
                "mfa_remember_browser_days",
                "PORTCULLIS_MFA_REMEMBER_BROWSER_DAYS",
                "must be between 1 and 365",
            ));
        }

        let webauthn_user_verification = match pick(
            &self.webauthn_user_verification,
            file.webauthn_user_verification,
        ) {
            Some(v) => portcullis_core::mfa::UserVerification::parse(&v).ok_or_else(|| {
                err(
                    "webauthn_user_verification",
                    "PORTCULLIS_WEBAUTHN_USER_VERIFICATION",
                    "must be discouraged, preferred or required",
                )
            })?,
            None => Default::default(),
        };

        let trusted_proxies = match pick(&self.trusted_proxies, file.trusted_proxies) {
            Some(raw) => parse_trusted_proxies(&raw)
                .map_err(|p| err("trusted_proxies", "PORTCULLIS_TRUSTED_PROXIES", p))?,
            None => Vec::new(),
        };
        let trusted_proxy_header = match pick(&self.trusted_proxy_header, file.trusted_proxy_header)
            .map(|h| h.to_ascii_lowercase())
            .as_deref()
        {
            None | Some("x-forwarded-for") => ForwardedHeader::XForwardedFor,
            Some("forwarded") => ForwardedHeader::Forwarded,
            Some(other) => {
                return Err(err(
                    "trusted_proxy_header",
                    "PORTCULLIS_TRUSTED_PROXY_HEADER",
                    format!("'{other}' is not x-forwarded-for or forwarded"),
                ));
            }
        };
        let metrics_bind = match pick(&self.metrics_bind, file.metrics_bind) {
            Some(raw) => Some(raw.parse::<SocketAddr>().map_err(|_| {
                err(
                    "metrics_bind",
                    "PORTCULLIS_METRICS_BIND",
                    format!("'{raw}' is not an address and port like 127.0.0.1:9100"),
                )
            })?),
            None => None,
        };

        Ok(Config {
            bind,
            issuer,
            data_dir,
            database_url,
            tls,
            bootstrap_client_id,
            bootstrap_client_secret: bootstrap_client_secret.map(Secret::new),
            admin_email,
            admin_password: admin_password.map(Secret::new),
            dashboard,
            secret_key: secret_key.map(Secret::new),
            smtp_url: smtp_url.map(Secret::new),
            smtp_from,
            script_timeout_ms,
            script_memory_mb,
            key_rotation_days,
            mfa_remember_browser_days,
            webauthn_user_verification,
            audit_log: pick(&self.audit_log, file.audit_log),
            trusted_proxies,
            trusted_proxy_header,
            metrics_bind,
            dpop_nonce: self.dpop_nonce.or(file.dpop_nonce).unwrap_or(false),
        })
    }
}

fn read_file(path: &Path) -> Result<FileConfig, ConfigError> {
    let text = std::fs::read_to_string(path).map_err(|e| {
        err(
            "config",
            "PORTCULLIS_CONFIG",
            format!("cannot read '{}': {e}", path.display()),
        )
    })?;
    toml::from_str(&text).map_err(|e| {
        err(
            "config",
            "PORTCULLIS_CONFIG",
            format!("'{}': {}", path.display(), e.message()),
        )
    })
}

/// An absolute http(s) URL without query or fragment, with a trailing `/` added if
/// missing (every `iss` and the discovery document use it verbatim).
pub fn normalize_issuer(raw: &str) -> Result<String, ConfigError> {
    let bad = |p: &str| err("issuer", "PORTCULLIS_ISSUER", format!("'{raw}' {p}"));
    let url = url::Url::parse(raw).map_err(|_| bad("is not an absolute URL"))?;
    if !matches!(url.scheme(), "http" | "https") {
        return Err(bad("must be an http or https URL"));
    }
    if url.query().is_some() || url.fragment().is_some() || !url.username().is_empty() {
        return Err(bad("must not have a query, fragment or user info"));
    }
    // The path is written into pages, redirects and cookie paths as it is:
    // RFC 3986 unreserved characters, `%` escapes and `/` only.
    if !base_path_of(raw)
        .chars()
        .all(|c| c.is_ascii_alphanumeric() || "-._~%/".contains(c))
    {
        return Err(bad(
            "has a path with characters other than letters, digits, '-._~%/'",
        ));
    }
    Ok(if raw.ends_with('/') {
        raw.to_string()
    } else {
        format!("{raw}/")
    })
}

/// The path part of an issuer (see [`Config::base_path`]).
pub fn base_path_of(issuer: &str) -> &str {
    let after_scheme = issuer.split_once("://").map_or(issuer, |(_, rest)| rest);
    match after_scheme.find('/') {
        Some(i) => after_scheme[i..].trim_end_matches('/'),
        None => "",
    }
}

/// Which forwarding header trusted proxies write.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum ForwardedHeader {
    #[default]
    XForwardedFor,
    /// RFC 7239 `Forwarded: for=…`.
    Forwarded,
}

/// `10.0.0.0/8, 192.168.1.10, ::1`: CIDR blocks, or single addresses.
pub fn parse_trusted_proxies(raw: &str) -> Result<Vec<ipnet::IpNet>, String> {
    raw.split(',')
        .map(str::trim)
        .filter(|s| !s.is_empty())
        .map(|s| {
            s.parse::<ipnet::IpNet>()
                .or_else(|_| s.parse::<std::net::IpAddr>().map(ipnet::IpNet::from))
                .map_err(|_| format!("'{s}' is not an IP address or CIDR block"))
        })
        .collect()
}

/// 32 bytes, as 64 hex characters or standard base64.
pub fn parse_secret_key(raw: &str) -> Result<Vec<u8>, String> {
    use base64::Engine;
    let raw = raw.trim();
    let bytes = if raw.len() == 64 && raw.bytes().all(|b| b.is_ascii_hexdigit()) {
        (0..32)
            .map(|i| u8::from_str_radix(&raw[2 * i..2 * i + 2], 16).map_err(|e| e.to_string()))
            .collect::<Result<Vec<u8>, String>>()?
    } else {
        base64::engine::general_purpose::STANDARD
            .decode(raw)
            .map_err(|_| "must be 64 hex characters or base64 of 32 bytes".to_string())?
    };
    if bytes.len() != 32 {
        return Err("must be 32 bytes (64 hex characters, or base64 of 32 bytes)".into());
    }
    Ok(bytes)
}

/// The configuration reference (docs/configuration.md), generated from the
/// settings' own definitions so the docs cannot drift from the code.
pub fn reference_markdown() -> String {
    use clap::Args as _;
    let cmd = ConfigArgs::augment_args(clap::Command::new("portcullis"));
    let mut out = String::from(
        "# Configuration reference\n\n\
         Generated from the code (`portcullis::config::reference_markdown`; a test keeps this file current).\n\n\
         Each setting is a key of the TOML file given with `--config` (the name in the first column), \
         an environment variable, and a flag. Flags win over the environment, which wins over the file. \
         A bad value stops the server at start with a message naming the setting.\n\n\
         | file key | environment | flag | meaning |\n|---|---|---|---|\n",
    );
    for arg in cmd.get_arguments() {
        let Some(long) = arg.get_long() else { continue };
        if long == "config" {
            continue;
        }
        let env = arg
            .get_env()
            .map(|e| format!("`{}`", e.to_string_lossy()))
            .unwrap_or_default();
        let help = arg
            .get_long_help()
            .or_else(|| arg.get_help())
            .map(|h| h.to_string().replace('\n', " ").replace('|', "\\|"))
            .unwrap_or_default();
        out.push_str(&format!(
            "| `{}` | {env} | `--{long}` | {help} |\n",
            long.replace('-', "_")
        ));
    }
    out.push_str(
        "\nAlso: `PORTCULLIS_CONFIG` / `--config FILE` (the TOML file), `PORTCULLIS_LOG_FORMAT` / \
         `--log-format text|json`, and `RUST_LOG` (log filter, default `portcullis=info,warn`).\n",
    );
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn defaults_need_no_configuration() {
        let c = ConfigArgs::default().resolve().unwrap();
        assert_eq!(c.bind.to_string(), "127.0.0.1:8080");
        assert_eq!(c.issuer, "http://127.0.0.1:8080/");
        assert!(c.database_url.starts_with("sqlite://"));
    }

    #[test]
    fn base_path_is_the_issuers_path_without_its_slash() {
        assert_eq!(base_path_of("https://id.example/"), "");
        assert_eq!(base_path_of("https://example.com/auth/"), "/auth");
        assert_eq!(base_path_of("http://127.0.0.1:8080/a/b/"), "/a/b");
        assert!(normalize_issuer("https://example.com/auth").is_ok());
        assert!(normalize_issuer("https://example.com/a\"b/").is_err());
    }

    #[test]
    fn issuer_gets_a_trailing_slash() {
        let a = ConfigArgs {
            issuer: Some("https://id.example.com".into()),
            ..Default::default()
        };
        assert_eq!(a.resolve().unwrap().issuer, "https://id.example.com/");
    }

    #[test]
    fn bad_values_name_their_setting() {
        let cases = [
            ConfigArgs {
                bind: Some("nope".into()),
                ..Default::default()
            },
            ConfigArgs {
                issuer: Some("ftp://x".into()),
                ..Default::default()
            },
            ConfigArgs {
                database_url: Some("mysql://x".into()),
                ..Default::default()
            },
            ConfigArgs {
                secret_key: Some("short".into()),
                ..Default::default()
            },
            ConfigArgs {
                tls_cert: Some("/nonexistent".into()),
                ..Default::default()
            },
        ];
        let envs = [
            "PORTCULLIS_BIND",
            "PORTCULLIS_ISSUER",
            "PORTCULLIS_DATABASE_URL",
            "PORTCULLIS_SECRET_KEY",
            "PORTCULLIS_TLS_KEY",
        ];
        for (args, env) in cases.into_iter().zip(envs) {
            let e = args.resolve().unwrap_err().to_string();
            assert!(e.contains(env), "{e}");
        }
    }

    #[test]
    fn secret_key_accepts_hex_and_base64() {
        assert_eq!(parse_secret_key(&"ab".repeat(32)).unwrap().len(), 32);
        assert_eq!(
            parse_secret_key("AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA=")
                .unwrap()
                .len(),
            32
        );
    }
}
