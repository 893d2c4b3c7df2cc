//! Auth0's own Node SDK (`auth0` from npm, pinned in
//! `tests/sdk/node/package-lock.json`, installed by `.ci/run`) drives the
//! Management API unchanged: its calls, bodies and paging must work as they do
//! against Auth0. The SDK speaks only HTTPS to `https://<domain>`, so the
//! server runs with a self-signed certificate the test hands to Node.

use std::path::PathBuf;
use std::time::Duration;

use serde_json::Value;

use crate::support::{Backend, TestServer, start_configured};

fn sdk_dir() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("tests/sdk/node")
}

/// A TLS server at `https://127.0.0.1:<port>/` and the certificate's path.
async fn tls_server(backend: Backend, dir: &std::path::Path) -> (TestServer, PathBuf) {
    let cert = rcgen::generate_simple_self_signed(vec!["127.0.0.1".to_string()]).unwrap();
    let (cert_path, key_path) = (dir.join("cert.pem"), dir.join("key.pem"));
    std::fs::write(&cert_path, cert.cert.pem()).unwrap();
    std::fs::write(&key_path, cert.signing_key.serialize_pem()).unwrap();
    let (c, k) = (cert_path.clone(), key_path);
    let srv = start_configured(backend, move |config| {
        config.tls = Some(portcullis::config::TlsFiles { cert: c, key: k });
        config.issuer = format!("https://{}/", config.bind);
    })
    .await;
    (srv, cert_path)
}

/// Runs `script` with the SDK against `srv`; the JSON object it printed.
async fn sdk(srv: &TestServer, cert: &std::path::Path, script: &str) -> Value {
    let child = tokio::process::Command::new("node")
        .arg(sdk_dir().join(script))
        .current_dir(sdk_dir())
        .env("DOMAIN", srv.config.bind.to_string())
        .env("CLIENT_ID", &srv.admin_id)
        .env("CLIENT_SECRET", &srv.admin_secret)
        .env("NODE_EXTRA_CA_CERTS", cert)
        .kill_on_drop(true)
        .output();
    let out = tokio::time::timeout(Duration::from_secs(120), child)
        .await
        .expect("the SDK run finishes within two minutes")
        .expect("node runs (Node.js 20 or later is required)");
    let stdout = String::from_utf8_lossy(&out.stdout);
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(out.status.success(), "the SDK failed:\n{stderr}\n{stdout}");
    serde_json::from_str(stdout.lines().last().unwrap_or_default())
        .unwrap_or_else(|e| panic!("{e}: {stdout}"))
}

fn sdk_installed() {
    assert!(
        sdk_dir().join("node_modules/auth0").is_dir(),
        "Auth0's Node SDK is required: npm ci --prefix crates/portcullis/tests/sdk/node (.ci/run does it)"
    );
}

/// Every list the server answers, called as the SDK calls it (its default
/// `include_totals=true`, checkpoint `take` on client grants, filters) and
/// iterated with the SDK's own paging. (The bootstrap administrator is one
/// more client and one more grant.)
async fn lists(backend: Backend) {
    sdk_installed();
    let certs = tempfile::tempdir().unwrap();
    let (srv, cert) = tls_server(backend, certs.path()).await;
    let seen = sdk(&srv, &cert, "lists.mjs").await;
    let want = serde_json::json!({
        "clients": 5,
        "clients_spa": ["Browser app"],
        "client_grants": 4,
        "client_grants_of_api": 3,
        "resource_servers": 2,
        "rules": ["noop"],
        "rules_enabled": 1,
        "users": ["list@example.com"],
        "logs": true,
        "actions": 0,
        "roles": 0,
    });
    assert_eq!(seen, want);
}

#[tokio::test]
async fn auth0_node_sdk_lists_and_pages_every_collection_sqlite() {
    lists(Backend::Sqlite).await;
}

#[tokio::test]
async fn auth0_node_sdk_lists_and_pages_every_collection_postgres() {
    lists(Backend::Postgres).await;
}

async fn run(backend: Backend) {
    assert!(
        sdk_dir().join("node_modules/auth0").is_dir(),
        "Auth0's Node SDK is required: npm ci --prefix crates/portcullis/tests/sdk/node (.ci/run does it)"
    );
    let certs = tempfile::tempdir().unwrap();
    let (srv, cert) = tls_server(backend, certs.path()).await;
    let domain = srv.config.bind.to_string();
    let child = tokio::process::Command::new("node")
        .arg(sdk_dir().join("management.mjs"))
        .current_dir(sdk_dir())
        .env("DOMAIN", &domain)
        .env("CLIENT_ID", &srv.admin_id)
        .env("CLIENT_SECRET", &srv.admin_secret)
        .env("NODE_EXTRA_CA_CERTS", &cert)
        .kill_on_drop(true)
        .output();
    let out = tokio::time::timeout(Duration::from_secs(120), child)
        .await
        .expect("the SDK run finishes within two minutes")
        .expect("node runs (Node.js 20 or later is required)");
    let stdout = String::from_utf8_lossy(&out.stdout);
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(out.status.success(), "the SDK failed:\n{stderr}\n{stdout}");
    let seen: Value = serde_json::from_str(stdout.lines().last().unwrap_or_default())
        .unwrap_or_else(|e| panic!("{e}: {stdout}"));
    let api = "https://sdk.example/";
    assert_eq!(
        seen["api"],
        serde_json::json!({"enforce_policies": true, "token_dialect": "access_token_authz"})
    );
    assert!(seen["role_id"].as_str().unwrap().starts_with("rol_"));
    assert_eq!(
        seen["roles_paged"],
        serde_json::json!(["SDK Reader", "SDK Writer"]),
        "offset paging one role at a time"
    );
    assert_eq!(seen["roles_filtered"], serde_json::json!(["SDK Reader"]));
    assert_eq!(seen["updated_description"], "changed by the SDK");
    assert_eq!(
        seen["role_permissions"],
        serde_json::json!([format!("{api} read:x Read x")])
    );
    assert_eq!(
        seen["role_users_checkpoint"],
        serde_json::json!(["sdk1@example.com", "sdk2@example.com", "sdk3@example.com"]),
        "checkpoint paging two at a time"
    );
    assert_eq!(seen["user_roles"], serde_json::json!(["SDK Reader"]));
    assert_eq!(
        seen["user_permissions"],
        serde_json::json!(["read:x", "write:x"])
    );
    assert_eq!(seen["user_roles_after"], 0);
    assert!(
        seen["ticket"]
            .as_str()
            .unwrap()
            .starts_with(&format!("https://{domain}/u/reset-password?ticket=")),
        "{seen}"
    );
    assert_eq!(seen["missing_role"], 404);
    assert_eq!(seen["roles_left"], serde_json::json!(["SDK Writer"]));
}

#[tokio::test]
async fn auth0_node_sdk_manages_roles_permissions_and_tickets_unchanged_sqlite() {
    run(Backend::Sqlite).await;
}

#[tokio::test]
async fn auth0_node_sdk_manages_roles_permissions_and_tickets_unchanged_postgres() {
    run(Backend::Postgres).await;
}
