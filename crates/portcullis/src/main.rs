use clap::Parser;

/// glibc's malloc raises its mmap threshold after a large block is freed, so the
/// 19 MiB argon2 blocks and the script engines' heaps would then come from
/// per-thread arenas and stay resident long after use (hundreds of MB after a
/// burst of logins, measured). A fixed threshold keeps large blocks mmapped and
/// returned at free; fewer arenas bound what small allocations leave behind.
#[cfg(all(target_os = "linux", target_env = "gnu"))]
fn tune_malloc() {
    // SAFETY: mallopt only changes allocator parameters; it is called before any
    // other thread exists.
    unsafe {
        libc::mallopt(libc::M_MMAP_THRESHOLD, 256 * 1024);
        libc::mallopt(libc::M_ARENA_MAX, 2);
    }
}

#[cfg(not(all(target_os = "linux", target_env = "gnu")))]
fn tune_malloc() {}

fn main() {
    tune_malloc();
    // One crypto provider (aws-lc-rs) for rustls, installed before anything uses TLS.
    let _ = rustls::crypto::aws_lc_rs::default_provider().install_default();
    let runtime = match tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
    {
        Ok(r) => r,
        Err(e) => {
            eprintln!("cannot start the async runtime: {e}");
            std::process::exit(1);
        }
    };
    std::process::exit(runtime.block_on(run()));
}

async fn run() -> i32 {
    let cli = portcullis::cli::Cli::parse();
    let filter = tracing_subscriber::EnvFilter::try_from_default_env()
        .unwrap_or_else(|_| "portcullis=info,warn".into());
    let builder = tracing_subscriber::fmt()
        .with_writer(std::io::stderr)
        .with_env_filter(filter);
    let _ = match cli.log_format {
        portcullis::cli::LogFormat::Json => builder.json().flatten_event(true).try_init(),
        portcullis::cli::LogFormat::Text => builder.try_init(),
    };
    portcullis::cli::run(cli).await
}
