use clap::Parser;

#[tokio::main]
async fn main() {
    // One crypto provider (aws-lc-rs) for rustls, installed before anything uses TLS.
    let _ = rustls::crypto::aws_lc_rs::default_provider().install_default();
    let _ = tracing_subscriber::fmt()
        .with_writer(std::io::stderr)
        .with_env_filter(
            tracing_subscriber::EnvFilter::try_from_default_env()
                .unwrap_or_else(|_| "portcullis=info,warn".into()),
        )
        .try_init();
    let cli = portcullis::cli::Cli::parse();
    std::process::exit(portcullis::cli::run(cli).await);
}
