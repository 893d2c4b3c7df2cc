//! The command line: the server (`serve`, `migrate`, `init`), management of a
//! running server through its Management API (`apps`, `apis`, `grants`,
//! `users`, `keys`, `logs`), and tools (`token`, `jwt decode`, `completions`).
//!
//! Output is a readable table by default and JSON with `--json`. Errors say
//! what to fix and exit non-zero (2 for usage, 1 for everything else).

mod import_auth0;
mod manage;
mod members;
mod output;
mod remote;
mod roles;
mod tenant;
mod tools;

use clap::{CommandFactory, Parser, Subcommand, ValueEnum};

pub use remote::CliError;

use crate::config::ConfigArgs;

#[derive(Debug, Parser)]
#[command(
    name = "portcullis",
    version,
    about = "A self-hosted identity server that speaks Auth0's protocol",
    propagate_version = true
)]
pub struct Cli {
    #[command(subcommand)]
    pub command: Command,
    #[command(flatten)]
    pub config: ConfigArgs,
    /// Print JSON instead of tables (for scripts).
    #[arg(long, global = true)]
    pub json: bool,
    /// The server to manage [default: the configured issuer].
    #[arg(long, env = "PORTCULLIS_URL", global = true)]
    pub url: Option<String>,
    /// Client id for management commands and `token` [default: the
    /// administrator, from the environment or <data dir>/admin-credentials.json].
    #[arg(long, env = "PORTCULLIS_CLIENT_ID", global = true)]
    pub client_id: Option<String>,
    /// Client secret for --client-id.
    // A generated secret may begin with `-`: it is the value, not a flag.
    #[arg(
        long,
        env = "PORTCULLIS_CLIENT_SECRET",
        global = true,
        hide_env_values = true,
        allow_hyphen_values = true
    )]
    pub client_secret: Option<String>,
    /// PEM file of a private CA to trust when talking to the server over
    /// HTTPS (management commands, `token`, `jwt decode --verify`, `health`).
    #[arg(long, env = "PORTCULLIS_CA_CERT", global = true)]
    pub ca_cert: Option<std::path::PathBuf>,
    /// Log format of `serve`.
    #[arg(
        long,
        env = "PORTCULLIS_LOG_FORMAT",
        global = true,
        value_enum,
        default_value_t = LogFormat::Text
    )]
    pub log_format: LogFormat,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum LogFormat {
    Text,
    Json,
}

#[derive(Debug, Subcommand)]
pub enum EmailCommand {
    /// Connect to the configured relay (PORTCULLIS_SMTP_URL) and send a test
    /// message to ADDRESS (or write it to the outbox when no relay is set).
    Test {
        /// Where to send the test message.
        address: String,
    },
}

#[derive(Debug, Subcommand)]
pub enum AdminCommand {
    /// Create a new administrator (every Management API scope) directly in the
    /// database, with or without a server running, and write its credentials to
    /// <data dir>/admin-credentials.json (mode 0600). For when the old ones are
    /// lost (a restore, a deleted application).
    Reset,
}

#[derive(Debug, Subcommand)]
pub enum IssuerCommand {
    /// Record ISSUER as the deployment's issuer and rename the Management API
    /// (`<issuer>api/v2/`) and its grants to match.
    Set {
        /// The new issuer URL, ending with `/`.
        issuer: String,
    },
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Run the server (migrates the database and creates the admin on first start).
    Serve,
    /// Apply database migrations and exit.
    Migrate,
    /// Copy the database to FILE while the server runs (SQLite: a consistent
    /// snapshot; PostgreSQL: runs pg_dump). Back up the key-encryption key apart.
    Backup {
        /// The backup file to write (never overwritten).
        file: std::path::PathBuf,
    },
    /// Replace the database with a backup (stop the server first). SQLite:
    /// copies FILE into place; PostgreSQL: runs pg_restore.
    Restore {
        /// The backup file to restore from.
        file: std::path::PathBuf,
        /// Replace an existing SQLite database.
        #[arg(long)]
        force: bool,
    },
    /// Check the database (SQLite: PRAGMA integrity_check).
    Check,
    /// Copy every row of the configured database into another, empty one
    /// (SQLite to PostgreSQL, or back). Passwords, client secrets, signing keys,
    /// sessions and refresh tokens keep working. Stop the server first; then
    /// start it with the new PORTCULLIS_DATABASE_URL and the same
    /// key-encryption key.
    MigrateStore {
        /// The target database: postgres://… or sqlite://PATH. It is migrated
        /// first and must hold no tenant.
        #[arg(long, value_name = "URL")]
        to: String,
    },
    /// E-mail: `email test ADDRESS` checks the relay and sends a test message.
    Email {
        #[command(subcommand)]
        command: EmailCommand,
    },
    /// Exit 0 when the server answers /readyz (its database is reachable), 1
    /// otherwise: for container health checks, with no curl in the image.
    Health,
    /// Dashboard members (the people who administer the tenant in the
    /// dashboard; never end users): add, list, set-role, set-password, remove.
    Members {
        #[command(subcommand)]
        command: members::MembersCommand,
    },
    /// The administrator's credentials.
    Admin {
        #[command(subcommand)]
        command: AdminCommand,
    },
    /// Change the deployment's issuer (stop every node first; then start them
    /// all with the new PORTCULLIS_ISSUER). Tokens issued under the old issuer
    /// stop working.
    Issuer {
        #[command(subcommand)]
        command: IssuerCommand,
    },
    /// Write a commented configuration file (with a fresh key-encryption key).
    Init {
        /// Where to write the file.
        #[arg(long, default_value = "portcullis.toml")]
        path: std::path::PathBuf,
        /// Overwrite an existing file.
        #[arg(long)]
        force: bool,
    },
    /// Print shell completions (bash, zsh, fish, elvish, powershell).
    Completions {
        /// bash, zsh, fish, elvish or powershell.
        shell: clap_complete::Shell,
    },
    /// Get a client-credentials access token.
    Token {
        /// The API's identifier.
        #[arg(long)]
        audience: String,
        /// Space-separated scopes [default: all the grant allows].
        #[arg(long)]
        scope: Option<String>,
    },
    /// Inspect JSON Web Tokens.
    Jwt {
        #[command(subcommand)]
        command: Jwt,
    },
    /// Applications (clients).
    Apps {
        #[command(subcommand)]
        command: manage::Apps,
    },
    /// APIs (resource servers).
    Apis {
        #[command(subcommand)]
        command: manage::Apis,
    },
    /// Client grants: which application may get tokens for which API.
    Grants {
        #[command(subcommand)]
        command: manage::Grants,
    },
    /// Users of the database connection.
    Users {
        #[command(subcommand)]
        command: manage::Users,
    },
    /// Roles and their permissions and users (RBAC).
    Roles {
        #[command(subcommand)]
        command: roles::Roles,
    },
    /// The tenant's settings (session lifetimes, default audience, …).
    Settings {
        #[command(subcommand)]
        command: tenant::Settings,
    },
    /// The tenant's e-mail templates (Liquid).
    EmailTemplates {
        #[command(subcommand)]
        command: tenant::EmailTemplates,
    },
    /// The tenant's SMTP relay (Auth0's e-mail provider).
    EmailProvider {
        #[command(subcommand)]
        command: tenant::EmailProvider,
    },
    /// Signing keys.
    Keys {
        #[command(subcommand)]
        command: manage::Keys,
    },
    /// The audit log.
    Logs {
        #[command(subcommand)]
        command: manage::Logs,
    },
    /// Move a tenant in: `import auth0` takes a Deploy CLI export and a user
    /// export, prints the plan, and applies it.
    Import {
        #[command(subcommand)]
        command: ImportCommand,
    },
}

#[derive(Debug, Subcommand)]
pub enum ImportCommand {
    /// From Auth0: a Deploy CLI export directory (--from), users (--users,
    /// with --password-hashes from Auth0 support), applications' secrets
    /// (--client-secrets). Prints the plan (created, updated, unchanged, not
    /// carried over and why); --dry-run stops there.
    Auth0(import_auth0::Auth0Args),
}

#[derive(Debug, Subcommand)]
pub enum Jwt {
    /// Print a token's header and claims; --verify checks its signature
    /// against the issuer's published keys.
    Decode {
        /// The compact JWT.
        token: String,
        /// Also check the signature against the issuer's published keys.
        #[arg(long)]
        verify: bool,
        /// The issuer to verify against: its JWKS, and the token's iss must be
        /// it [default: --url, else the configured issuer; never the token's
        /// own iss, which anyone can write].
        #[arg(long)]
        issuer: Option<String>,
    },
}

/// Runs the CLI; returns the process exit code.
pub async fn run(cli: Cli) -> i32 {
    let config = match cli.config.resolve() {
        Ok(c) => c,
        Err(e) => {
            eprintln!("portcullis: {e}");
            return 2;
        }
    };
    let json_out = cli.json;
    let result = match cli.command {
        Command::Serve => return serve(config).await,
        Command::Migrate => match crate::server::open_store(&config).await {
            Ok(store) => {
                println!(
                    "portcullis: migrations applied to {} ({})",
                    store.backend(),
                    crate::server::redact_url(&config.database_url)
                );
                store.close().await;
                Ok(())
            }
            Err(e) => Err(CliError::Other(e.to_string())),
        },
        Command::Init { path, force } => tools::init(&path, force),
        Command::Backup { file } => tools::backup(&config, &file).await,
        Command::Restore { file, force } => tools::restore(&config, &file, force).await,
        Command::Check => tools::check(&config).await,
        Command::MigrateStore { to } => tools::migrate_store(&config, &to).await,
        Command::Admin {
            command: AdminCommand::Reset,
        } => tools::reset_admin(&config).await,
        Command::Issuer {
            command: IssuerCommand::Set { issuer },
        } => tools::set_issuer(&config, &issuer).await,
        Command::Members { command } => {
            tools::on_tenant(&config, async |tenant, now| {
                members::run(tenant, command, now).await
            })
            .await
        }
        Command::Email {
            command: EmailCommand::Test { address },
        } => tools::email_test(&config, &address).await,
        Command::Health => {
            let base = cli.url.clone().unwrap_or_else(|| {
                // The bind address answers even when the issuer is a public URL.
                format!("http://{}/", config.bind)
            });
            tools::health(&base, cli.ca_cert.as_deref()).await
        }
        Command::Completions { shell } => {
            // Into a buffer, then written once: a reader that closes the pipe
            // early (`| head`) ends the command quietly instead of a panic.
            let mut buf = Vec::new();
            clap_complete::generate(shell, &mut Cli::command(), "portcullis", &mut buf);
            use std::io::Write;
            let _ = std::io::stdout().write_all(&buf);
            Ok(())
        }
        Command::Jwt {
            command:
                Jwt::Decode {
                    token,
                    verify,
                    issuer,
                },
        } => {
            let trusted = issuer.or(cli.url.clone()).unwrap_or(config.issuer.clone());
            tools::jwt_decode(
                &token,
                verify,
                Some(&trusted),
                cli.ca_cert.as_deref(),
                json_out,
            )
            .await
        }
        other => {
            remote_command(
                &cli.url,
                cli.client_id,
                cli.client_secret,
                cli.ca_cert.as_deref(),
                &config,
                json_out,
                other,
            )
            .await
        }
    };
    match result {
        Ok(()) => 0,
        Err(e) => {
            eprintln!("portcullis: {e}");
            e.exit_code()
        }
    }
}

/// Commands that talk to a running server.
async fn remote_command(
    url: &Option<String>,
    client_id: Option<String>,
    client_secret: Option<String>,
    ca_cert: Option<&std::path::Path>,
    config: &crate::config::Config,
    json_out: bool,
    command: Command,
) -> Result<(), CliError> {
    let base = url.clone().unwrap_or_else(|| config.issuer.clone());
    let creds = remote::Credentials::resolve(
        client_id.as_deref(),
        client_secret.as_deref(),
        (
            config.bootstrap_client_id.as_deref(),
            config.bootstrap_client_secret.as_ref().map(|s| s.expose()),
        ),
        &config.data_dir,
    )?;
    if let Command::Token { audience, scope } = &command {
        return tools::token(&base, &creds, audience, scope.as_deref(), ca_cert, json_out).await;
    }
    let mut r = remote::Remote::new(&base, Some(creds), ca_cert)?;
    match command {
        Command::Apps { command } => manage::apps(&mut r, json_out, command).await,
        Command::Apis { command } => manage::apis(&mut r, json_out, command).await,
        Command::Grants { command } => manage::grants(&mut r, json_out, command).await,
        Command::Users { command } => manage::users(&mut r, json_out, command).await,
        Command::Roles { command } => roles::roles(&mut r, json_out, command).await,
        Command::Settings { command } => tenant::settings(&mut r, json_out, command).await,
        Command::EmailTemplates { command } => {
            tenant::email_templates(&mut r, json_out, command).await
        }
        Command::EmailProvider { command } => {
            tenant::email_provider(&mut r, json_out, command).await
        }
        Command::Keys { command } => manage::keys(&mut r, json_out, command).await,
        Command::Logs { command } => manage::logs(&mut r, json_out, command).await,
        Command::Import {
            command: ImportCommand::Auth0(args),
        } => import_auth0::run(&mut r, args).await,
        _ => Err(CliError::Usage("not a management command".into())),
    }
}

async fn serve(config: crate::config::Config) -> i32 {
    let server = match crate::server::start(config).await {
        Ok(s) => s,
        Err(e) => {
            eprintln!("portcullis: {e}");
            return 1;
        }
    };
    println!("{}", crate::server::startup_line(&server));
    let stop = server.stopper();
    tokio::spawn(async move {
        shutdown_signal().await;
        tracing::info!("shutting down: draining requests in flight");
        stop.notify_one();
    });
    let state = server.state.clone();
    let result = server.wait().await;
    // In-flight requests have drained; store their audit events and close the
    // database cleanly (SQLite checkpoints its write-ahead log).
    state.auditor.flush().await;
    state.store.close().await;
    match result {
        Ok(()) => 0,
        Err(e) => {
            eprintln!("portcullis: server error: {e}");
            1
        }
    }
}

async fn shutdown_signal() {
    let ctrl_c = async {
        let _ = tokio::signal::ctrl_c().await;
    };
    #[cfg(unix)]
    let term = async {
        match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            Ok(mut s) => {
                s.recv().await;
            }
            Err(_) => std::future::pending::<()>().await,
        }
    };
    #[cfg(not(unix))]
    let term = std::future::pending::<()>();
    tokio::select! { _ = ctrl_c => {}, _ = term => {} }
}

#[cfg(test)]
mod tests {
    use clap::CommandFactory;

    /// Every argument of every command, positional ones included, says what
    /// it is in `--help` (issue 13).
    #[test]
    fn every_argument_has_a_description() {
        fn walk(cmd: &clap::Command, path: &str, missing: &mut Vec<String>) {
            for arg in cmd.get_arguments() {
                let id = arg.get_id().as_str();
                if matches!(id, "help" | "version") {
                    continue;
                }
                if arg.get_help().is_none() && arg.get_long_help().is_none() {
                    missing.push(format!("{path} {id}"));
                }
            }
            for sub in cmd.get_subcommands() {
                if sub.get_about().is_none() && sub.get_long_about().is_none() {
                    missing.push(format!("{path} {} (the command)", sub.get_name()));
                }
                walk(sub, &format!("{path} {}", sub.get_name()), missing);
            }
        }
        let mut missing = Vec::new();
        walk(&super::Cli::command(), "portcullis", &mut missing);
        assert!(missing.is_empty(), "without a description: {missing:#?}");
    }
}
