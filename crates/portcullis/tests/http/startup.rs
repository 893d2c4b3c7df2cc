//! Start-up: no configuration needed, config errors named, the admin created once,
//! keys sealed at rest, HTTPS when given a certificate.

use std::io::{BufRead, BufReader};
use std::process::{Command, Stdio};
use std::time::Duration;

use base64::Engine;
use reqwest::{Method, StatusCode};
use serde_json::Value;

use crate::support::{Backend, TestServer, config_for, on_both_backends};

const BIN: &str = env!("CARGO_BIN_EXE_portcullis");

/// `portcullis serve` in an empty directory with no environment: it starts on the
/// defaults, prints one line naming issuer, database and admin credentials, and the
/// credentials work. A restart creates no second admin.
#[tokio::test]
async fn serve_starts_with_no_configuration() {
    let dir = tempfile::tempdir().unwrap();
    let run = || {
        let mut child = Command::new(BIN)
            .arg("serve")
            .current_dir(dir.path())
            .env_clear()
            .env("PATH", std::env::var("PATH").unwrap_or_default())
            .stdout(Stdio::piped())
            .stderr(Stdio::null())
            .spawn()
            .unwrap();
        let mut line = String::new();
        BufReader::new(child.stdout.take().unwrap())
            .read_line(&mut line)
            .unwrap();
        (child, line)
    };
    let (mut child, line) = run();
    assert!(
        line.contains("http://127.0.0.1:8080"),
        "no start-up line (is 127.0.0.1:8080 taken?): {line}"
    );
    assert!(line.contains("issuer http://127.0.0.1:8080/"), "{line}");
    assert!(line.contains("database sqlite"), "{line}");
    assert!(line.contains("admin-credentials.json"), "{line}");
    let creds_path = dir.path().join("portcullis-data/admin-credentials.json");
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        let mode = std::fs::metadata(&creds_path).unwrap().permissions().mode();
        assert_eq!(mode & 0o777, 0o600);
    }
    let creds: Value = serde_json::from_slice(&std::fs::read(&creds_path).unwrap()).unwrap();
    assert_eq!(creds["audience"], "http://127.0.0.1:8080/api/v2/");
    let http = reqwest::Client::new();
    let token: Value = http
        .post("http://127.0.0.1:8080/oauth/token")
        .form(&[
            ("grant_type", "client_credentials"),
            ("client_id", creds["client_id"].as_str().unwrap()),
            ("client_secret", creds["client_secret"].as_str().unwrap()),
            ("audience", "http://127.0.0.1:8080/api/v2/"),
        ])
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert!(token["access_token"].is_string(), "{token}");
    // SIGTERM drains and exits cleanly.
    let _ = Command::new("kill").arg(child.id().to_string()).status();
    assert!(child.wait().unwrap().success());

    let (mut child, line) = run();
    assert!(line.contains("admin-credentials.json"), "{line}");
    let again: Value = serde_json::from_slice(&std::fs::read(&creds_path).unwrap()).unwrap();
    assert_eq!(again, creds, "a restart creates no second administrator");
    child.kill().unwrap();
    let _ = child.wait();
}

/// A bad value stops start-up with a message naming the setting, exit code 2.
#[test]
fn bad_configuration_fails_fast_naming_the_setting() {
    let dir = tempfile::tempdir().unwrap();
    for (env, value) in [
        ("PORTCULLIS_BIND", "not-an-address"),
        ("PORTCULLIS_ISSUER", "not a url"),
        ("PORTCULLIS_DATABASE_URL", "mysql://x"),
        ("PORTCULLIS_SECRET_KEY", "too-short"),
        ("PORTCULLIS_TLS_CERT", "/nonexistent.pem"),
        ("PORTCULLIS_BOOTSTRAP_CLIENT_SECRET", "short"),
    ] {
        let out = Command::new(BIN)
            .arg("serve")
            .current_dir(dir.path())
            .env(env, value)
            .output()
            .unwrap();
        assert_eq!(out.status.code(), Some(2), "{env}");
        let stderr = String::from_utf8_lossy(&out.stderr);
        let named = env.replace("_CERT", "_KEY").replace("_SECRET\"", "");
        assert!(
            stderr.contains(&named) || stderr.contains(env),
            "{env}: {stderr}"
        );
    }
    let bad_toml = dir.path().join("bad.toml");
    std::fs::write(&bad_toml, "bind = \"127.0.0.1:1\"\nbogus = 1\n").unwrap();
    let out = Command::new(BIN)
        .args(["serve", "--config"])
        .arg(&bad_toml)
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("bogus"));
}

/// Settings come from the TOML file, then the environment, then flags.
#[tokio::test]
async fn flags_override_environment_override_file() {
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("p.toml");
    let port = free_port();
    std::fs::write(
        &file,
        format!(
            "bind = \"127.0.0.1:1\"\nissuer = \"https://from-file.example\"\ndata_dir = \"{}\"\n",
            dir.path().join("data").display()
        ),
    )
    .unwrap();
    let mut child = Command::new(BIN)
        .args(["serve", "--config"])
        .arg(&file)
        .args(["--issuer", "https://from-flag.example/"])
        .env("PORTCULLIS_BIND", format!("127.0.0.1:{port}"))
        .env("PORTCULLIS_ISSUER", "https://from-env.example/")
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let mut line = String::new();
    BufReader::new(child.stdout.take().unwrap())
        .read_line(&mut line)
        .unwrap();
    child.kill().unwrap();
    let _ = child.wait();
    assert!(
        line.contains(&format!("127.0.0.1:{port}")),
        "env beats file: {line}"
    );
    assert!(
        line.contains("issuer https://from-flag.example/"),
        "flag beats env: {line}"
    );
    assert!(
        dir.path().join("data/admin-credentials.json").is_file(),
        "file value used"
    );
}

/// `portcullis migrate` applies the migrations and exits.
#[test]
fn migrate_command_applies_migrations() {
    let dir = tempfile::tempdir().unwrap();
    let out = Command::new(BIN)
        .arg("migrate")
        .env("PORTCULLIS_DATA_DIR", dir.path())
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(String::from_utf8_lossy(&out.stdout).contains("migrations applied"));
    assert!(dir.path().join("portcullis.db").is_file());
}

fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port()
}

/// HTTPS with the given certificate and key, via rustls.
#[tokio::test]
async fn serves_https_when_given_certificate_and_key() {
    let _ = rustls::crypto::aws_lc_rs::default_provider().install_default();
    let dir = tempfile::tempdir().unwrap();
    let cert = rcgen::generate_simple_self_signed(vec!["localhost".to_string()]).unwrap();
    let (cert_path, key_path) = (dir.path().join("cert.pem"), dir.path().join("key.pem"));
    std::fs::write(&cert_path, cert.cert.pem()).unwrap();
    std::fs::write(&key_path, cert.signing_key.serialize_pem()).unwrap();
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let port = listener.local_addr().unwrap().port();
    let mut config = config_for(Backend::Sqlite, dir.path(), &listener).await;
    config.tls = Some(portcullis::config::TlsFiles {
        cert: cert_path,
        key: key_path,
    });
    config.issuer = format!("https://localhost:{port}/");
    let server = portcullis::server::start_on(config, listener)
        .await
        .unwrap();
    let http = reqwest::Client::builder()
        .add_root_certificate(reqwest::Certificate::from_pem(cert.cert.pem().as_bytes()).unwrap())
        .resolve("localhost", server.addr)
        .build()
        .unwrap();
    let res = http
        .get(format!(
            "https://localhost:{port}/.well-known/openid-configuration"
        ))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::OK);
    assert!(res.headers().contains_key("strict-transport-security"));
    let d: Value = res.json().await.unwrap();
    assert_eq!(d["issuer"], format!("https://localhost:{port}/"));
    // Plain HTTP on the TLS port gets no answer.
    let plain = reqwest::Client::new()
        .get(format!("http://127.0.0.1:{port}/healthz"))
        .send()
        .await;
    assert!(plain.is_err() || !plain.unwrap().status().is_success());
    server.shutdown().await.unwrap();
}

/// Opening a database with the wrong key-encryption key fails at start, clearly.
#[tokio::test]
async fn wrong_key_encryption_key_refuses_to_start() {
    let dir = tempfile::tempdir().unwrap();
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let mut config = config_for(Backend::Sqlite, dir.path(), &listener).await;
    config.secret_key = Some(portcullis_core::secrets::Secret::new("11".repeat(32)));
    let server = portcullis::server::start_on(config.clone(), listener)
        .await
        .unwrap();
    server.shutdown().await.unwrap();
    config.secret_key = Some(portcullis_core::secrets::Secret::new("22".repeat(32)));
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let err = match portcullis::server::start_on(config, listener).await {
        Ok(_) => panic!("started with the wrong key-encryption key"),
        Err(e) => e.to_string(),
    };
    assert!(err.contains("key-encryption key"), "{err}");
}

on_both_backends!(
    restart_creates_no_second_admin_and_keeps_keys,
    signing_keys_are_encrypted_at_rest,
    bootstrap_credentials_can_come_from_configuration
);

/// Restarting on the same database keeps the one administrator and the keys.
async fn restart_creates_no_second_admin_and_keeps_keys(srv: crate::support::TestServer) {
    let jwks = |s: &TestServer| {
        let url = format!("{}/.well-known/jwks.json", s.url);
        let http = s.http.clone();
        async move {
            http.get(url)
                .send()
                .await
                .unwrap()
                .json::<Value>()
                .await
                .unwrap()
        }
    };
    let keys_before = jwks(&srv).await;
    let token_before = srv.admin_token().await;
    let srv = srv.restart().await;
    assert_eq!(jwks(&srv).await, keys_before);
    let (st, clients) = srv
        .api_with(&token_before, Method::GET, "/clients", None)
        .await;
    assert_eq!(
        st,
        StatusCode::OK,
        "a token from before the restart still works"
    );
    assert_eq!(clients.as_array().unwrap().len(), 1);
}

/// The private keys are stored sealed: the stored bytes are not a key, and they
/// open only with the key-encryption key from the data dir.
async fn signing_keys_are_encrypted_at_rest(srv: crate::support::TestServer) {
    let rows: Vec<(String, String)> = crate::support::with_server_db!(srv, |c| {
        sqlx::query_as("SELECT kid, sealed_private_key FROM signing_keys")
            .fetch_all(c)
            .await
            .unwrap()
    });
    assert_eq!(rows.len(), 2);
    let kek_hex = std::fs::read_to_string(srv.dir.path().join("secret.key")).unwrap();
    let kek = portcullis_core::keys::KeyEncryptionKey::from_bytes(
        &portcullis::config::parse_secret_key(kek_hex.trim()).unwrap(),
    )
    .unwrap();
    for (kid, sealed) in rows {
        let raw = base64::engine::general_purpose::STANDARD
            .decode(&sealed)
            .unwrap();
        assert!(
            aws_lc_rs::rsa::KeyPair::from_pkcs8(&raw).is_err(),
            "stored bytes are not a usable key"
        );
        let opened = kek.open(&kid, &sealed).unwrap();
        assert!(aws_lc_rs::rsa::KeyPair::from_pkcs8(&opened).is_ok());
    }
}

/// With PORTCULLIS_BOOTSTRAP_CLIENT_ID/_SECRET the administrator uses them and
/// no credentials file is written.
async fn bootstrap_credentials_can_come_from_configuration(srv: crate::support::TestServer) {
    // `srv` bootstrapped with generated credentials; start a second server with
    // configured ones on a fresh database of the same backend.
    let dir = tempfile::tempdir().unwrap();
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let mut config = config_for(srv.backend, dir.path(), &listener).await;
    config.bootstrap_client_id = Some("ops-admin".into());
    config.bootstrap_client_secret = Some(portcullis_core::secrets::Secret::new("s".repeat(40)));
    let server = portcullis::server::start_on(config.clone(), listener)
        .await
        .unwrap();
    assert!(!dir.path().join("admin-credentials.json").exists());
    let http = reqwest::Client::new();
    let res = http
        .post(format!("http://{}/oauth/token", server.addr))
        .form(&[
            ("grant_type", "client_credentials"),
            ("client_id", "ops-admin"),
            ("client_secret", &"s".repeat(40)),
            ("audience", &format!("{}api/v2/", config.issuer)),
        ])
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::OK);
    server.shutdown().await.unwrap();
    tokio::time::sleep(Duration::from_millis(1)).await;
}

/// The README's walk-through, run as written with bash, curl and jq against a
/// running server.
#[tokio::test]
async fn readme_walkthrough_works_as_written() {
    let readme =
        std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/../../README.md")).unwrap();
    let block = readme
        .split("<!-- walkthrough:start -->")
        .nth(1)
        .and_then(|rest| rest.split("<!-- walkthrough:end -->").next())
        .expect("README has a walk-through block");
    let script: String = block
        .lines()
        .filter(|l| !l.trim_start().starts_with("```"))
        .collect::<Vec<_>>()
        .join("\n");
    let srv = TestServer::start(Backend::Sqlite).await;
    let work = tempfile::tempdir().unwrap();
    let out = tokio::process::Command::new("bash")
        .args(["-euo", "pipefail", "-c", &script])
        .current_dir(work.path())
        .env("ISSUER", &srv.issuer)
        .env("CREDS", srv.dir.path().join("admin-credentials.json"))
        .output()
        .await
        .unwrap();
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(
        out.status.success(),
        "stdout:\n{stdout}\nstderr:\n{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let token: Value =
        serde_json::from_slice(&std::fs::read(work.path().join("token.json")).unwrap()).unwrap();
    let claims = crate::support::verify_with_jwks(
        &srv,
        token["access_token"].as_str().unwrap(),
        "https://orders.example.com/",
    )
    .await;
    assert_eq!(claims["scope"], "read:orders");
    assert!(
        stdout.contains("\"gty\": \"client-credentials\""),
        "{stdout}"
    );
}
