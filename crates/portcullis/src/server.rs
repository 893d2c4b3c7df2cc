//! Start-up: configuration to a listening server.

use std::net::SocketAddr;
use std::sync::Arc;
use std::time::Duration;

use portcullis_store::{Store, TenantStore};
use tokio::sync::Notify;
use tokio::task::JoinHandle;

use crate::app::AppState;
use crate::bootstrap::{self, AdminCredentials};
use crate::config::Config;
use crate::keyring;

#[derive(Debug, thiserror::Error)]
pub enum StartError {
    #[error("cannot create the data directory {path} (PORTCULLIS_DATA_DIR): {source}")]
    DataDir {
        path: String,
        source: std::io::Error,
    },
    #[error("cannot open the database: {0}")]
    Database(portcullis_store::StoreError),
    #[error("cannot open the database {url} (PORTCULLIS_DATABASE_URL): {problem}")]
    DatabaseUnreachable { url: String, problem: String },
    #[error("cannot migrate the database: {0}")]
    Migrate(portcullis_store::StoreError),
    #[error(transparent)]
    Keys(#[from] keyring::KeyringError),
    #[error(transparent)]
    Bootstrap(#[from] bootstrap::BootstrapError),
    #[error("cannot listen on {addr}: {source}")]
    Bind {
        addr: SocketAddr,
        source: std::io::Error,
    },
    #[error(transparent)]
    Mail(#[from] crate::mailer::MailError),
    #[error("cannot load the TLS certificate and key: {0}")]
    Tls(std::io::Error),
    #[error(
        "the database belongs to the issuer {stored}, but this node is configured with issuer (PORTCULLIS_ISSUER) {configured}: every node of a deployment needs the same issuer. To change the issuer of the deployment, stop every node and run `portcullis issuer set {configured}`"
    )]
    IssuerMismatch { stored: String, configured: String },
}

/// A server that is listening. Dropping it does not stop it; call [`shutdown`].
///
/// [`shutdown`]: RunningServer::shutdown
pub struct RunningServer {
    pub addr: SocketAddr,
    pub state: AppState,
    pub admin_credentials: AdminCredentials,
    /// Where the first dashboard member's generated credentials were written,
    /// when this start created that member.
    pub member_credentials: Option<std::path::PathBuf>,
    stop: Arc<Notify>,
    task: JoinHandle<std::io::Result<()>>,
}

impl RunningServer {
    /// Stops accepting connections and waits (up to 10 s) for requests in flight.
    pub async fn shutdown(self) -> std::io::Result<()> {
        self.state.imports.stop();
        self.state.log_streams.stop();
        self.stop.notify_one();
        self.wait().await
    }

    /// Waits until the server stops.
    pub async fn wait(self) -> std::io::Result<()> {
        match self.task.await {
            Ok(r) => r,
            Err(e) => Err(std::io::Error::other(e)),
        }
    }

    /// A handle that stops the server when notified.
    pub fn stopper(&self) -> Arc<Notify> {
        Arc::clone(&self.stop)
    }
}

/// Refuses a node whose issuer differs from the one the tenant was created with
/// (it would rename the Management API under the other nodes); records the
/// issuer of a tenant from before issuers were stored. Returns whether the
/// tenant exists.
pub async fn check_issuer(store: &TenantStore, config: &Config) -> Result<bool, StartError> {
    match store.tenant_issuer().await.map_err(StartError::Database)? {
        None => Ok(false),
        Some(Some(stored)) if stored != config.issuer => Err(StartError::IssuerMismatch {
            stored,
            configured: config.issuer.clone(),
        }),
        Some(Some(_)) => Ok(true),
        Some(None) => {
            store
                .set_tenant_issuer(&config.issuer)
                .await
                .map_err(StartError::Database)?;
            Ok(true)
        }
    }
}

/// Opens storage and runs migrations (also `portcullis migrate`).
pub async fn open_store(config: &Config) -> Result<Store, StartError> {
    let dir_error = |source| StartError::DataDir {
        path: config.data_dir.display().to_string(),
        source,
    };
    if !config.data_dir.exists() {
        std::fs::create_dir_all(&config.data_dir).map_err(dir_error)?;
        // The data dir holds the key-encryption key: owner only.
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            std::fs::set_permissions(&config.data_dir, std::fs::Permissions::from_mode(0o700))
                .map_err(dir_error)?;
        }
    }
    reachable(&config.database_url).await?;
    let store = Store::connect(&config.database_url).await.map_err(|e| {
        StartError::DatabaseUnreachable {
            url: redact_url(&config.database_url),
            problem: if config.database_url.starts_with("sqlite:") {
                // The file or its directory cannot be written, most often.
                format!("{e} (can this user write the file and its directory?)")
            } else {
                e.to_string()
            },
        }
    })?;
    store.migrate(now()).await.map_err(StartError::Migrate)?;
    if let Some(path) = config
        .database_url
        .strip_prefix("sqlite://")
        .or_else(|| config.database_url.strip_prefix("sqlite:"))
    {
        // Password hashes, sealed keys: owner only, like secret.key.
        let path = path.split('?').next().unwrap_or(path);
        for suffix in ["", "-wal", "-shm"] {
            owner_only(std::path::Path::new(&format!("{path}{suffix}")));
        }
    }
    Ok(store)
}

/// PostgreSQL: a plain TCP connection to its host and port first, so that a
/// server that is down or unreachable is reported within 2 s, naming host,
/// port and the cause, instead of after the pool's retries.
async fn reachable(database_url: &str) -> Result<(), StartError> {
    if !(database_url.starts_with("postgres://") || database_url.starts_with("postgresql://")) {
        return Ok(());
    }
    let Ok(url) = url::Url::parse(database_url) else {
        return Ok(());
    };
    let Some(host) = url.host_str().filter(|h| !h.is_empty()).map(str::to_string) else {
        // A Unix socket: sqlx reports it.
        return Ok(());
    };
    let port = url.port().unwrap_or(5432);
    let problem = match tokio::time::timeout(
        Duration::from_secs(2),
        tokio::net::TcpStream::connect((host.trim_matches(['[', ']']), port)),
    )
    .await
    {
        Ok(Ok(_)) => return Ok(()),
        Ok(Err(e)) if e.kind() == std::io::ErrorKind::ConnectionRefused => {
            format!("connection refused by {host}:{port} (is PostgreSQL running there?)")
        }
        Ok(Err(e)) => format!("cannot reach {host}:{port}: {e}"),
        Err(_) => format!("no answer from {host}:{port} within 2 s"),
    };
    Err(StartError::DatabaseUnreachable {
        url: redact_url(database_url),
        problem,
    })
}

/// Makes `path` readable and writable by its owner only, if it exists.
pub fn owner_only(path: &std::path::Path) {
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        if path.exists()
            && let Err(e) = std::fs::set_permissions(path, std::fs::Permissions::from_mode(0o600))
        {
            tracing::warn!(path = %path.display(), error = %e, "could not make the file owner-only");
        }
    }
}

fn now() -> i64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.as_secs() as i64)
        .unwrap_or_default()
}

/// Starts the server described by `config` and returns once it is listening.
pub async fn start(config: Config) -> Result<RunningServer, StartError> {
    let listener = std::net::TcpListener::bind(config.bind).map_err(|source| StartError::Bind {
        addr: config.bind,
        source,
    })?;
    start_on(config, listener).await
}

/// Like [`start`], on a listener the caller bound (tests bind port 0 first, to
/// know the issuer URL before start-up).
pub async fn start_on(
    config: Config,
    listener: std::net::TcpListener,
) -> Result<RunningServer, StartError> {
    let store = open_store(&config).await?;
    let store = store.tenant(portcullis_core::DEFAULT_TENANT);
    let existing = check_issuer(&store, &config).await?;
    let kek = keyring::load_kek(&config, existing)?;
    let admin_credentials = bootstrap::bootstrap(&store, &config, now()).await?;
    let member_credentials = bootstrap::ensure_first_member(&store, &config, now()).await?;
    let keys = keyring::load_keys(&store, &kek, &config.issuer, now()).await?;

    listener
        .set_nonblocking(true)
        .map_err(|source| StartError::Bind {
            addr: config.bind,
            source,
        })?;
    let addr = listener.local_addr().map_err(|source| StartError::Bind {
        addr: config.bind,
        source,
    })?;

    let tls = match &config.tls {
        Some(files) => Some(
            axum_server::tls_rustls::RustlsConfig::from_pem_file(&files.cert, &files.key)
                .await
                .map_err(StartError::Tls)?,
        ),
        None => None,
    };

    let mailer = crate::mailer::Mailer::from_config(&config)?;
    if config.smtp_url.is_some() {
        // A relay that does not answer (or refuses the credentials) is said at
        // start-up, not discovered at the first password reset. Off the start
        // path: the server is useful without mail.
        let probe = crate::mailer::Mailer::from_config(&config)?;
        tokio::spawn(async move {
            match probe.test_connection().await {
                Ok(()) => tracing::info!("the SMTP relay (PORTCULLIS_SMTP_URL) answers"),
                Err(e) => tracing::warn!(
                    error = %e,
                    "the SMTP relay (PORTCULLIS_SMTP_URL) does not work: password-reset e-mails will fail; check it with `portcullis email test <address>`"
                ),
            }
        });
    }
    let rotation_days = config.key_rotation_days;
    let state = AppState::new(config, store, keys, kek, mailer);
    crate::jobs::start(state.store.clone(), state.clock.clone());
    state.log_streams.start();
    // The tenant's look (and the configuration generation) before the first page.
    if let Err(e) = state.sync_configuration().await {
        tracing::warn!(error = %e, "could not read the configuration generation at start-up");
    }
    let mailing = state.clone();
    state.imports.start(std::sync::Arc::new(move |job| {
        let app = mailing.clone();
        tokio::spawn(async move { crate::import_mail::send(&app, &job).await });
    }));
    if rotation_days > 0 {
        let app = state.clone();
        tokio::spawn(async move {
            let mut tick = tokio::time::interval(Duration::from_secs(60));
            loop {
                tick.tick().await;
                if let Err(e) = app.rotate_keys_if_due(rotation_days).await {
                    tracing::error!(error = %e, "scheduled key rotation failed");
                }
            }
        });
    }
    // `/metrics` on its own listener when configured, so it need not face the
    // internet; it ends with the process.
    if let Some(metrics_addr) = state.config.metrics_bind {
        let metrics_listener =
            tokio::net::TcpListener::bind(metrics_addr)
                .await
                .map_err(|source| StartError::Bind {
                    addr: metrics_addr,
                    source,
                })?;
        let metrics_app = crate::http::metrics_router(state.clone());
        tokio::spawn(async move { axum::serve(metrics_listener, metrics_app).await });
    }
    let app =
        crate::http::router(state.clone()).into_make_service_with_connect_info::<SocketAddr>();
    let stop = Arc::new(Notify::new());
    let stopped = Arc::clone(&stop);
    let task = match tls {
        Some(tls) => {
            let handle = axum_server::Handle::new();
            let h = handle.clone();
            tokio::spawn(async move {
                stopped.notified().await;
                h.graceful_shutdown(Some(Duration::from_secs(10)));
            });
            let server = axum_server::from_tcp_rustls(listener, tls)?.handle(handle);
            tokio::spawn(async move { server.serve(app).await })
        }
        None => {
            let listener = tokio::net::TcpListener::from_std(listener)
                .map_err(|source| StartError::Bind { addr, source })?;
            tokio::spawn(async move {
                axum::serve(listener, app)
                    .with_graceful_shutdown(async move { stopped.notified().await })
                    .await
            })
        }
    };
    Ok(RunningServer {
        member_credentials,
        addr,
        state,
        admin_credentials,
        stop,
        task,
    })
}

impl From<std::io::Error> for StartError {
    fn from(e: std::io::Error) -> Self {
        StartError::Tls(e)
    }
}

/// The one line printed at start: where, which database, where the admin is.
pub fn startup_line(server: &RunningServer) -> String {
    let c = &server.state.config;
    let scheme = if c.tls.is_some() { "https" } else { "http" };
    let admin = match &server.admin_credentials {
        AdminCredentials::File(p) => format!("admin credentials in {}", p.display()),
        AdminCredentials::Environment => {
            "admin credentials from PORTCULLIS_BOOTSTRAP_CLIENT_ID/_SECRET".into()
        }
        AdminCredentials::Unknown => {
            "admin credentials were created on an earlier start (admin-credentials.json is gone; `portcullis admin reset` writes new ones)"
                .into()
        }
        AdminCredentials::EnvironmentIgnored => {
            "PORTCULLIS_BOOTSTRAP_CLIENT_ID is ignored: this database was bootstrapped earlier with another administrator (`portcullis admin reset` writes new credentials)"
                .into()
        }
        AdminCredentials::FileStale(p) => format!(
            "{} names an application that no longer exists (`portcullis admin reset` writes new credentials)",
            p.display()
        ),
    };
    let dashboard = match (&server.member_credentials, c.dashboard) {
        (_, false) => String::new(),
        (Some(p), true) => format!(
            " | dashboard {}admin/ (first member's credentials in {})",
            c.issuer,
            p.display()
        ),
        (None, true) => format!(" | dashboard {}admin/", c.issuer),
    };
    format!(
        "portcullis listening on {scheme}://{} | issuer {} | database {} ({}) | {admin}{dashboard}",
        server.addr,
        c.issuer,
        server.state.store.backend(),
        redact_url(&c.database_url),
    )
}

/// Hides a password in a database URL.
pub fn redact_url(url: &str) -> String {
    match url::Url::parse(url) {
        Ok(mut u) if u.password().is_some() => {
            let _ = u.set_password(Some("***"));
            u.to_string()
        }
        _ => url.to_string(),
    }
}
