//! The command line: `portcullis serve`, `portcullis migrate`.

use clap::{Parser, Subcommand};

use crate::config::ConfigArgs;

#[derive(Debug, Parser)]
#[command(
    name = "portcullis",
    version,
    about = "A self-hosted identity server that speaks Auth0's protocol"
)]
pub struct Cli {
    #[command(subcommand)]
    pub command: Command,
    #[command(flatten)]
    pub config: ConfigArgs,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Run the server (migrates the database and creates the admin on first start).
    Serve,
    /// Apply database migrations and exit.
    Migrate,
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
    match cli.command {
        Command::Serve => serve(config).await,
        Command::Migrate => match crate::server::open_store(&config).await {
            Ok(store) => {
                println!(
                    "portcullis: migrations applied to {} ({})",
                    store.backend(),
                    crate::server::redact_url(&config.database_url)
                );
                store.close().await;
                0
            }
            Err(e) => {
                eprintln!("portcullis: {e}");
                1
            }
        },
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
    match server.wait().await {
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
