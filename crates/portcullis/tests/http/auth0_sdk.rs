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
pub(crate) async fn tls_server(backend: Backend, dir: &std::path::Path) -> (TestServer, PathBuf) {
    tls_server_with(backend, dir, |_| {}).await
}

/// As [`tls_server`], with the configuration adjusted by `change` first.
async fn tls_server_with(
    backend: Backend,
    dir: &std::path::Path,
    change: impl FnOnce(&mut portcullis::config::Config),
) -> (TestServer, PathBuf) {
    let cert = rcgen::generate_simple_self_signed(vec!["127.0.0.1".to_string()]).unwrap();
    let (cert_path, key_path) = (dir.join("cert.pem"), dir.join("key.pem"));
    std::fs::write(&cert_path, cert.cert.pem()).unwrap();
    std::fs::write(&key_path, cert.signing_key.serialize_pem()).unwrap();
    let (c, k) = (cert_path.clone(), key_path);
    let srv = start_configured(backend, move |config| {
        config.tls = Some(portcullis::config::TlsFiles { cert: c, key: k });
        config.issuer = format!("https://{}/", config.bind);
        change(config);
    })
    .await;
    (srv, cert_path)
}

/// As [`tls_server`], with the test's own client trusting the certificate
/// and `url` the https origin, so every helper speaks TLS to it.
pub(crate) async fn trusted_tls_server(
    backend: Backend,
    dir: &std::path::Path,
) -> (TestServer, PathBuf) {
    trusted_tls_server_with(backend, dir, |_| {}).await
}

/// As [`trusted_tls_server`], with the configuration adjusted by `change`.
pub(crate) async fn trusted_tls_server_with(
    backend: Backend,
    dir: &std::path::Path,
    change: impl FnOnce(&mut portcullis::config::Config),
) -> (TestServer, PathBuf) {
    let (mut srv, cert) = tls_server_with(backend, dir, change).await;
    let root = reqwest::Certificate::from_pem(&std::fs::read(&cert).unwrap()).unwrap();
    srv.http = reqwest::Client::builder()
        .add_root_certificate(root)
        .build()
        .unwrap();
    srv.url = srv.issuer.trim_end_matches('/').to_string();
    (srv, cert)
}

/// Runs the Node script `script` (in tests/sdk/node: Auth0's SDKs and
/// openid-client) with `env` and the server's certificate trusted; the JSON
/// object it printed last.
pub(crate) async fn node_script(
    script: &str,
    cert: &std::path::Path,
    env: &[(&str, &str)],
) -> Value {
    let mut cmd = tokio::process::Command::new("node");
    cmd.arg(sdk_dir().join(script))
        .current_dir(sdk_dir())
        .env("NODE_EXTRA_CA_CERTS", cert)
        .kill_on_drop(true);
    for (k, v) in env {
        cmd.env(k, v);
    }
    let out = tokio::time::timeout(Duration::from_secs(60), cmd.output())
        .await
        .expect("the script finishes within a minute")
        .expect("node runs (Node.js 20 or later is required)");
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(
        out.status.success(),
        "{script} failed:\n{}\n{stdout}",
        String::from_utf8_lossy(&out.stderr)
    );
    serde_json::from_str(stdout.lines().last().unwrap_or_default())
        .unwrap_or_else(|e| panic!("{e}: {stdout}"))
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
        "resource_servers_by_identifiers": ["https://lists.example/"],
        "client_grants_for_clients": 4,
        "client_grants_for_users": 0,
        "tenant_roles": 0,
        "clients_by_external_id": 0,
        "user_logs_sorted": true,
        "connections": ["Username-Password-Authentication", "sdk-db"],
        "connections_auth0_one_per_page": 2,
        "connections_oidc": 0,
        "connection_policy": "excellent",
        "connection_renamed": "SDK DB",
        "connection_clients": 2,
        "connection_status": "ok",
        "connections_after_delete": 1,
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

/// Bulk user jobs through the SDK unchanged: an import (multipart as the
/// SDK builds it; ids kept; a bad row reported with Auth0's code), an export
/// downloaded from its `location` and gunzipped, a verification e-mail job.
async fn jobs(backend: Backend) {
    sdk_installed();
    let certs = tempfile::tempdir().unwrap();
    let (srv, cert) = tls_server(backend, certs.path()).await;
    let seen = sdk(&srv, &cert, "jobs.mjs").await;
    let want = serde_json::json!({
        "import_type": "users_import",
        "import_status_at_start": true,
        "import_status": "completed",
        "import_summary": {"inserted": 2, "updated": 0, "failed": 1, "total": 3},
        "import_errors": [{"email": "not-an-address", "codes": ["FORMAT"]}],
        "kept_user_id": "auth0|sdk-one",
        "export_status": "completed",
        "exported": [
            {"email": "sdk-one@example.com", "user_id": "auth0|sdk-one"},
            {"email": "sdk-two@example.com", "user_id": seen["exported"][1]["user_id"], "plan": "gold"},
        ],
        "verification_email_type": "verification_email",
    });
    assert_eq!(seen, want);
    assert!(
        seen["exported"][1]["user_id"]
            .as_str()
            .is_some_and(|id| id.starts_with("auth0|")),
        "{seen}"
    );
}

#[tokio::test]
async fn auth0_node_sdk_imports_and_exports_users_by_jobs_unchanged_sqlite() {
    jobs(Backend::Sqlite).await;
}

#[tokio::test]
async fn auth0_node_sdk_imports_and_exports_users_by_jobs_unchanged_postgres() {
    jobs(Backend::Postgres).await;
}

/// Organizations as the SDK manages them: its checkpoint paging of
/// organizations and members, members' roles, enabled connections,
/// invitations (the link on the application's login route) and the
/// refusals it surfaces.
async fn organizations(backend: Backend) {
    sdk_installed();
    let certs = tempfile::tempdir().unwrap();
    let (srv, cert) = tls_server(backend, certs.path()).await;
    let seen = sdk(&srv, &cert, "organizations.mjs").await;
    let want = serde_json::json!({
        "org_id_shape": true,
        "by_name": true,
        "updated": {"display_name": "Acme Corp", "metadata": {"region": "eu"}},
        "names": ["acme", "sdk-0", "sdk-1", "sdk-2"],
        "client_org": ["require", "pre_login_prompt"],
        "members": ["a@sdk.example", "b@sdk.example", "c@sdk.example"],
        "members_after": 2,
        "member_roles": ["Buyer"],
        "user_orgs": ["acme"],
        "connections": ["Username-Password-Authentication"],
        "assign": true,
        "invitation_url": true,
        "invitations": ["new@sdk.example"],
        "invitation_get": true,
        "deleted_invitation": 404,
        "duplicate": 409,
        "deleted": 404,
    });
    assert_eq!(seen, want);
}

#[tokio::test]
async fn auth0_node_sdk_manages_organizations_members_and_invitations_unchanged_sqlite() {
    organizations(Backend::Sqlite).await;
}

#[tokio::test]
async fn auth0_node_sdk_manages_organizations_members_and_invitations_unchanged_postgres() {
    organizations(Backend::Postgres).await;
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
    assert_eq!(
        seen["user_search"],
        serde_json::json!(["email sdk3@example.com", "email sdk1@example.com"]),
        "v3 search, sorted, one field, a page at a time"
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
    assert_eq!(
        seen["log_streams"],
        serde_json::json!([
            "SDK stream (paused) http paused https://siem.example/in [{\"name\":\"auth.login.fail\",\"type\":\"category\"}]"
        ])
    );
    assert_eq!(seen["log_stream_paused"], "paused");
    assert_eq!(seen["log_stream_secret_answered"], false);
    assert_eq!(seen["deleted_stream"], 404);
}

#[tokio::test]
async fn auth0_node_sdk_manages_roles_permissions_and_tickets_unchanged_sqlite() {
    run(Backend::Sqlite).await;
}

#[tokio::test]
async fn auth0_node_sdk_manages_roles_permissions_and_tickets_unchanged_postgres() {
    run(Backend::Postgres).await;
}

/// The Management API operations of Auth0's Node SDK: `(METHOD, /path)` with
/// every path parameter written `{}`, read from its generated clients.
fn sdk_operations() -> std::collections::BTreeSet<(String, String)> {
    let root = sdk_dir().join("node_modules/auth0/dist/cjs/management/api/resources");
    let mut ops = std::collections::BTreeSet::new();
    let mut stack = vec![root];
    while let Some(dir) = stack.pop() {
        for entry in std::fs::read_dir(&dir).unwrap().flatten() {
            let path = entry.path();
            if path.is_dir() {
                stack.push(path);
                continue;
            }
            if path.file_name().is_none_or(|n| n != "Client.js") {
                continue;
            }
            let text = std::fs::read_to_string(&path).unwrap();
            const AT: &str = "ManagementEnvironment.Default, ";
            for (i, _) in text.match_indices(AT) {
                let rest = &text[i + AT.len()..];
                let quote = rest.chars().next().unwrap();
                let Some(end) = rest[1..].find(quote) else {
                    continue;
                };
                let template = &rest[1..=end];
                let tail = &rest[end..(end + 300).min(rest.len())];
                let Some(m) = tail.find("method: \"") else {
                    continue;
                };
                let method: String = tail[m + 9..].chars().take_while(|c| *c != '"').collect();
                // `${core.url.encodePathParam(id)}` → `{}`.
                let mut p = String::from("/");
                let mut t = template;
                while let Some(s) = t.find("${") {
                    p.push_str(&t[..s]);
                    p.push_str("{}");
                    t = &t[s..];
                    t = &t[t.find('}').map_or(t.len(), |e| e + 1)..];
                }
                p.push_str(t);
                ops.insert((method, p));
            }
        }
    }
    ops
}

/// docs/auth0-compatibility.md's table of implemented operations per group
/// is what the code routes (the OpenAPI operations list) measured against the
/// SDK's operations; PORTCULLIS_UPDATE_DOCS=1 rewrites it.
#[test]
fn management_api_coverage_table_is_current() {
    sdk_installed();
    let sdk = sdk_operations();
    let ours: std::collections::BTreeSet<(String, String)> =
        portcullis::http::management::openapi::OPS
            .iter()
            .map(|op| {
                let mut p = String::new();
                let mut inside = false;
                for c in op.path.chars() {
                    match c {
                        '{' => {
                            inside = true;
                            p.push_str("{}");
                        }
                        '}' => inside = false,
                        c if !inside => p.push(c),
                        _ => {}
                    }
                }
                (op.method.to_uppercase(), p)
            })
            .collect();
    let beyond: Vec<_> = ours.difference(&sdk).collect();
    assert!(
        beyond.is_empty(),
        "operations the SDK does not know (a wrong path?): {beyond:?}"
    );
    let mut groups: std::collections::BTreeMap<&str, (usize, usize)> = Default::default();
    for (m, p) in &sdk {
        let g = p.split('/').nth(1).unwrap_or_default();
        let e = groups.entry(g).or_default();
        e.1 += 1;
        if ours.contains(&(m.clone(), p.clone())) {
            e.0 += 1;
        }
    }
    let done: usize = groups.values().map(|(a, _)| a).sum();
    let mut table = format!(
        "Portcullis implements **{done} of the {} operations** ({}%) of the Management API as Auth0's Node SDK (`auth0` {}) calls them. Per group (groups with none yet are listed after):\n\n| group | implemented | of |\n|---|---|---|\n",
        sdk.len(),
        done * 100 / sdk.len(),
        "7.1.0"
    );
    let mut rows: Vec<_> = groups.iter().collect();
    rows.sort_by(|a, b| b.1.0.cmp(&a.1.0).then(b.1.1.cmp(&a.1.1)).then(a.0.cmp(b.0)));
    let mut none = Vec::new();
    for (g, (a, b)) in rows {
        if *a == 0 {
            none.push(format!("`{g}` ({b})"));
        } else {
            table.push_str(&format!("| `{g}` | {a} | {b} |\n"));
        }
    }
    table.push_str(&format!("\nNot yet: {}.\n", none.join(", ")));
    let path = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../docs/auth0-compatibility.md");
    let doc = std::fs::read_to_string(&path).unwrap();
    let (start, end) = ("<!-- coverage:start -->\n", "<!-- coverage:end -->");
    let a = doc
        .find(start)
        .expect("coverage markers in docs/auth0-compatibility.md")
        + start.len();
    let b = doc.find(end).unwrap();
    if std::env::var("PORTCULLIS_UPDATE_DOCS").is_ok() {
        std::fs::write(&path, format!("{}{}{}", &doc[..a], table, &doc[b..])).unwrap();
        return;
    }
    assert_eq!(
        &doc[a..b],
        table,
        "docs/auth0-compatibility.md's coverage is stale: PORTCULLIS_UPDATE_DOCS=1 cargo test -p portcullis --test http coverage_table"
    );
}
