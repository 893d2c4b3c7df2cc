//! The Portcullis benchmark, in one run on one machine:
//!
//! 1. the signing limit: RS256 signatures per second on every core, in-process;
//! 2. Portcullis (release build, SQLite) started fresh, provisioned through the
//!    Management API, and driven over loopback with a fixed load shape (client
//!    threads × connections, warm-up, then a timed window) for each path;
//! 3. the same load shape against the peer (`../shared/peer`, panva's
//!    oidc-provider) with one and two Node workers, for the paths it has;
//! 4. one table (requests/s, p50/p99, CPU seconds per 1,000 requests, peak RSS,
//!    ours / signing limit, ours / peer), printed and written as JSON.
//!
//! Only 127.0.0.1 is ever targeted, and every phase is bounded in time.

mod load;
mod peer;
mod pg;
mod portcullis;
mod proc_stats;
mod report;

use std::path::PathBuf;
use std::time::Duration;

use clap::Parser;

#[derive(Parser, Debug, Clone)]
#[command(about = "Benchmark Portcullis against the signing limit and the oidc-provider peer")]
pub struct Args {
    /// Seconds measured per case.
    #[arg(long, default_value_t = 20)]
    pub duration: u64,
    /// Seconds of warm-up per case (not measured).
    #[arg(long, default_value_t = 5)]
    pub warmup: u64,
    /// Concurrent connections.
    #[arg(long, default_value_t = 32)]
    pub conns: usize,
    /// Load-generator threads.
    #[arg(long, default_value_t = 2)]
    pub threads: usize,
    /// The portcullis binary (a release build).
    #[arg(long, default_value = "target/release/portcullis")]
    pub server: PathBuf,
    /// The peer's folder (start.sh, server.mjs); empty to skip the peer.
    #[arg(long, default_value = "../shared/peer")]
    pub peer_dir: String,
    /// Also run every case with Portcullis on this PostgreSQL database (a fresh
    /// schema is made in it for the run and dropped after), e.g.
    /// `postgres://postgres@127.0.0.1:5432/test`.
    #[arg(long)]
    pub postgres: Option<String>,
    /// Cases to run (comma-separated); all by default.
    #[arg(long)]
    pub cases: Option<String>,
    /// Users in the bulk-import case (`--cases import`).
    #[arg(long, default_value_t = 500_000)]
    pub import_users: u64,
    /// Where the JSON results go.
    #[arg(long, default_value = "bench/results.json")]
    pub out: PathBuf,
}

impl Args {
    pub fn wants(&self, case: &str) -> bool {
        self.cases
            .as_deref()
            .is_none_or(|c| c.split(',').any(|x| x.trim() == case))
    }

    pub fn window(&self) -> Duration {
        Duration::from_secs(self.duration)
    }
}

fn main() {
    let args = Args::parse();
    let rt = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(args.threads)
        .enable_all()
        .build()
        .expect("a tokio runtime");
    let code = rt.block_on(async move {
        match run(args).await {
            Ok(()) => 0,
            Err(e) => {
                eprintln!("benchmark failed: {e}");
                1
            }
        }
    });
    std::process::exit(code);
}

async fn run(args: Args) -> Result<(), String> {
    let mut report = report::Report::new(&args);
    eprintln!("== signing limit (RS256, in-process, all cores, 3 s)");
    let limit = tokio::task::spawn_blocking(|| load::rs256_signing_limit(Duration::from_secs(3)))
        .await
        .map_err(|e| e.to_string())?;
    eprintln!("   {limit:.0} signatures/s");
    report.signing_limit = limit;
    eprintln!("== argon2id limit (OWASP parameters, in-process, all cores, 3 s)");
    let argon2 = tokio::task::spawn_blocking(|| load::argon2_limit(Duration::from_secs(3)))
        .await
        .map_err(|e| e.to_string())?;
    eprintln!("   {argon2:.0} verifications/s");
    report.argon2_limit = argon2;
    portcullis::run(&args, &mut report, None).await?;
    if let Some(url) = &args.postgres {
        portcullis::run(&args, &mut report, Some(url)).await?;
    }
    if !args.peer_dir.is_empty() {
        peer::run(&args, &mut report).await?;
    }
    report.finish(&args)
}
