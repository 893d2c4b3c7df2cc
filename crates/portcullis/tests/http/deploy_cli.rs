//! Auth0's Deploy CLI (`auth0-deploy-cli` from npm, pinned in
//! `tests/sdk/node/package-lock.json`, installed by `.ci/run`), unchanged,
//! moves a tenant between two Portcullis servers: it exports one (directory
//! and YAML formats, no resource excluded) and imports into a fresh one, and
//! both then read the same through the Management API; importing the same
//! files again changes nothing.

use std::path::{Path, PathBuf};
use std::time::Duration;

use reqwest::{Method, StatusCode};
use serde_json::{Value, json};

use crate::auth0_sdk::tls_server;
use crate::support::{Backend, TestServer};

fn a0deploy() -> PathBuf {
    let bin =
        PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("tests/sdk/node/node_modules/.bin/a0deploy");
    assert!(
        bin.exists(),
        "Auth0's Deploy CLI is required: npm ci --prefix crates/portcullis/tests/sdk/node (.ci/run does it)"
    );
    bin
}

/// Runs the Deploy CLI against `srv` (trusting its certificate `certs`) with
/// `args`; its exit status and output.
async fn a0deploy_run(
    srv: &TestServer,
    certs: &Path,
    work: &Path,
    extra: Value,
    args: &[&str],
) -> (bool, String) {
    let config = work.join(format!("config-{}.json", srv.config.bind.port()));
    let mut settings = json!({
        "AUTH0_DOMAIN": srv.config.bind.to_string(),
        "AUTH0_CLIENT_ID": srv.admin_id,
        "AUTH0_CLIENT_SECRET": srv.admin_secret,
    });
    for (k, v) in extra.as_object().into_iter().flatten() {
        settings[k] = v.clone();
    }
    std::fs::write(&config, settings.to_string()).unwrap();
    let child = tokio::process::Command::new(a0deploy())
        .args(args)
        .arg("-c")
        .arg(&config)
        .current_dir(work)
        .env("NODE_EXTRA_CA_CERTS", certs)
        .kill_on_drop(true)
        .output();
    let out = tokio::time::timeout(Duration::from_secs(240), child)
        .await
        .expect("the Deploy CLI finishes within four minutes")
        .expect("the Deploy CLI runs (Node.js 20 or later)");
    (
        out.status.success(),
        format!(
            "{}\n{}",
            String::from_utf8_lossy(&out.stdout),
            String::from_utf8_lossy(&out.stderr)
        ),
    )
}

/// Runs the Deploy CLI; panics with its output if it fails.
async fn run(srv: &TestServer, certs: &Path, work: &Path, extra: Value, args: &[&str]) {
    let (ok, output) = a0deploy_run(srv, certs, work, extra, args).await;
    assert!(ok, "a0deploy {args:?} failed:\n{output}");
}

/// A Management API call that must succeed; its answer.
async fn ok_api(srv: &TestServer, method: Method, path: &str, body: Value) -> Value {
    let (st, v) = srv.api(method, path, Some(body)).await;
    assert!(st.is_success(), "{path}: {st}: {v}");
    v
}

/// A tenant with one of each thing the Deploy CLI carries.
async fn populate(srv: &TestServer) {
    let shop = ok_api(srv, Method::POST, "/clients", json!({"name": "Shop", "app_type": "regular_web",
                "callbacks": ["https://shop.example/callback"], "allowed_logout_urls": ["https://shop.example/"],
                "organization_usage": "allow", "initiate_login_uri": "https://shop.example/login"})).await;
    let worker = ok_api(
        srv,
        Method::POST,
        "/clients",
        json!({"name": "Worker", "app_type": "non_interactive"}),
    )
    .await;
    ok_api(
        srv,
        Method::POST,
        "/resource-servers",
        json!({"name": "Orders", "identifier": "https://orders.example/",
                "scopes": [{"value": "read:orders", "description": "Read orders"}]}),
    )
    .await;
    let grant = ok_api(srv, Method::POST, "/client-grants", json!({"client_id": worker["client_id"], "audience": "https://orders.example/", "scope": ["read:orders"],
                "organization_usage": "allow"})).await;
    let role = ok_api(
        srv,
        Method::POST,
        "/roles",
        json!({"name": "Reader", "description": "Reads orders"}),
    )
    .await;
    ok_api(srv, Method::POST, &format!("/roles/{}/permissions", role["id"].as_str().unwrap()), json!({"permissions": [{"resource_server_identifier": "https://orders.example/", "permission_name": "read:orders"}]})).await;
    let db = ok_api(
        srv,
        Method::POST,
        "/connections",
        json!({"name": "customers-db", "strategy": "auth0",
                "options": {"passwordPolicy": "good", "requires_username": true},
                "enabled_clients": [shop["client_id"]]}),
    )
    .await;
    let org = ok_api(
        srv,
        Method::POST,
        "/organizations",
        json!({"name": "acme", "display_name": "Acme Corp", "metadata": {"tier": "gold"},
               "branding": {"logo_url": "https://acme.example/logo.png",
                            "colors": {"primary": "#0059d6", "page_background": "#ffffff"}},
               "enabled_connections": [{"connection_id": db["id"], "assign_membership_on_login": true}]}),
    )
    .await;
    ok_api(
        srv,
        Method::POST,
        &format!(
            "/organizations/{}/client-grants",
            org["id"].as_str().unwrap()
        ),
        json!({"grant_id": grant["id"]}),
    )
    .await;
    ok_api(
        srv,
        Method::POST,
        "/rules",
        json!({"name": "add-claim", "enabled": true,
                "script": "function (user, context, callback) { callback(null, user, context); }"}),
    )
    .await;
    crate::rules_and_actions::deployed_action(
        srv,
        "tag",
        "post-login",
        "exports.onExecutePostLogin = async (event, api) => {};",
    )
    .await;
    ok_api(srv, Method::PATCH, "/actions/triggers/post-login/bindings", json!({"bindings": [{"ref": {"type": "action_name", "value": "tag"}, "display_name": "tag"}]})).await;
    ok_api(srv, Method::PATCH, "/tenants/settings", json!({"friendly_name": "Moved Tenant", "session_lifetime": 48, "idle_session_lifetime": 12})).await;
    ok_api(srv, Method::PUT, "/email-templates/verify_email", json!({"template": "verify_email", "body": "<p>Hello {{ user.email }}</p>",
                "from": "id@shop.example", "subject": "Verify your address", "syntax": "liquid", "enabled": true})).await;
}

async fn get(srv: &TestServer, path: &str) -> Value {
    let (st, v) = srv.api(Method::GET, path, None).await;
    assert_eq!(st, StatusCode::OK, "{path}: {v}");
    v
}

fn sorted(mut items: Vec<Value>, key: &str) -> Vec<Value> {
    items.sort_by(|a, b| a[key].to_string().cmp(&b[key].to_string()));
    items
}

fn pick(v: &Value, keys: &[&str]) -> Value {
    Value::Object(
        keys.iter()
            .map(|k| (k.to_string(), v[*k].clone()))
            .collect(),
    )
}

/// The tenant as the Management API shows it, with ids replaced by names
/// (ids differ between tenants; names are what the Deploy CLI carries).
async fn snapshot(srv: &TestServer) -> Value {
    let clients = get(srv, "/clients?is_global=false").await;
    let clients = clients.as_array().unwrap();
    let name_of = |id: &Value| {
        clients
            .iter()
            .find(|c| c["client_id"] == *id)
            .map_or(Value::Null, |c| c["name"].clone())
    };
    let system = srv.management_audience();
    let apis: Vec<Value> = get(srv, "/resource-servers")
        .await
        .as_array()
        .unwrap()
        .iter()
        .filter(|r| r["identifier"] != system)
        .map(|r| {
            pick(
                r,
                &[
                    "name",
                    "identifier",
                    "scopes",
                    "signing_alg",
                    "token_lifetime",
                ],
            )
        })
        .collect();
    let grants: Vec<Value> = get(srv, "/client-grants")
        .await
        .as_array()
        .unwrap()
        .iter()
        .filter(|g| g["audience"] != system)
        .map(|g| json!({"client": name_of(&g["client_id"]), "audience": g["audience"], "scope": g["scope"]}))
        .collect();
    let mut roles = Vec::new();
    for r in get(srv, "/roles").await.as_array().unwrap() {
        let perms = get(
            srv,
            &format!("/roles/{}/permissions", r["id"].as_str().unwrap()),
        )
        .await;
        roles.push(json!({"name": r["name"], "description": r["description"], "permissions": perms
            .as_array().unwrap().iter().map(|p| pick(p, &["resource_server_identifier", "permission_name"])).collect::<Vec<_>>()}));
    }
    let mut connections = Vec::new();
    for c in get(srv, "/connections").await.as_array().unwrap() {
        let enabled = get(
            srv,
            &format!("/connections/{}/clients", c["id"].as_str().unwrap()),
        )
        .await;
        let mut names: Vec<Value> = enabled["clients"]
            .as_array()
            .unwrap()
            .iter()
            .map(|e| name_of(&e["client_id"]))
            .filter(|n| !n.is_null() && !n.as_str().unwrap_or_default().contains("(bootstrap)"))
            .collect();
        names.sort_by_key(|n| n.to_string());
        connections.push(json!({"name": c["name"], "strategy": c["strategy"],
            "password_policy": c["options"]["passwordPolicy"], "requires_username": c["options"]["requires_username"],
            "enabled_clients": names}));
    }
    let actions: Vec<Value> = get(srv, "/actions/actions").await["actions"]
        .as_array()
        .unwrap()
        .iter()
        .map(|a| {
            pick(
                a,
                &["name", "code", "supported_triggers", "all_changes_deployed"],
            )
        })
        .collect();
    let bindings: Vec<Value> = get(srv, "/actions/triggers/post-login/bindings").await["bindings"]
        .as_array()
        .unwrap()
        .iter()
        .map(|b| b["action"]["name"].clone())
        .collect();
    // (A tenant without the template has none: 404.)
    let verify_email = match srv
        .api(Method::GET, "/email-templates/verify_email", None)
        .await
    {
        (StatusCode::NOT_FOUND, _) => Value::Null,
        (st, t) => {
            assert_eq!(st, StatusCode::OK, "{t}");
            pick(&t, &["body", "from", "subject", "syntax", "enabled"])
        }
    };
    let mut organizations = Vec::new();
    for o in get(srv, "/organizations").await.as_array().unwrap() {
        let id = o["id"].as_str().unwrap();
        let connections: Vec<Value> = get(srv, &format!("/organizations/{id}/enabled_connections"))
            .await
            .as_array()
            .unwrap()
            .iter()
            .map(|c| json!({"name": c["connection"]["name"], "assign_membership_on_login": c["assign_membership_on_login"],
                "show_as_button": c["show_as_button"], "is_signup_enabled": c["is_signup_enabled"]}))
            .collect();
        let grants: Vec<Value> = get(srv, &format!("/organizations/{id}/client-grants"))
            .await
            .as_array()
            .unwrap()
            .iter()
            .map(|g| json!({"client": name_of(&g["client_id"]), "audience": g["audience"]}))
            .collect();
        let mut o = pick(o, &["name", "display_name", "branding", "metadata"]);
        o["connections"] = Value::from(connections);
        o["client_grants"] = Value::from(grants);
        organizations.push(o);
    }
    json!({
        "organizations": sorted(organizations, "name"),
        "clients": sorted(clients.iter().filter(|c| !c["name"].as_str().unwrap_or_default().contains("(bootstrap)"))
            .map(|c| pick(c, &["name", "app_type", "callbacks", "allowed_logout_urls", "grant_types", "token_endpoint_auth_method",
                "organization_usage", "initiate_login_uri"]))
            .collect(), "name"),
        "resource_servers": sorted(apis, "identifier"),
        "client_grants": grants,
        "roles": roles,
        "connections": sorted(connections, "name"),
        "rules": get(srv, "/rules").await.as_array().unwrap().iter()
            .map(|r| pick(r, &["name", "script", "enabled", "order"])).collect::<Vec<_>>(),
        "rules_configs": get(srv, "/rules-configs").await,
        "actions": actions,
        "post_login": bindings,
        "tenant": pick(&get(srv, "/tenants/settings").await,
            &["friendly_name", "session_lifetime", "idle_session_lifetime", "allowed_logout_urls"]),
        "verify_email": verify_email,
    })
}

/// Everything, ids included, without the times of writes: what must not
/// move when the same files are imported again.
async fn everything(srv: &TestServer) -> Value {
    fn strip(v: &mut Value) {
        match v {
            Value::Object(o) => {
                o.retain(|k, _| !k.ends_with("updated_at"));
                o.values_mut().for_each(strip);
            }
            Value::Array(a) => a.iter_mut().for_each(strip),
            _ => {}
        }
    }
    let mut v = json!({"snapshot": snapshot(srv).await});
    for path in [
        "/clients",
        "/resource-servers",
        "/client-grants",
        "/roles",
        "/connections",
        "/rules",
        "/actions/actions",
        "/tenants/settings",
        "/organizations",
    ] {
        v[path] = get(srv, path).await;
    }
    strip(&mut v);
    v
}

/// The test's own client speaks HTTPS to the server too, trusting its
/// certificate.
fn https((mut srv, cert): (TestServer, PathBuf)) -> (TestServer, PathBuf) {
    let pem = std::fs::read(&cert).unwrap();
    srv.http = reqwest::Client::builder()
        .add_root_certificate(reqwest::Certificate::from_pem(&pem).unwrap())
        .build()
        .unwrap();
    srv.url = format!("https://{}", srv.config.bind);
    (srv, cert)
}

/// The paths at which two values differ, with both sides.
fn differences(at: &str, a: &Value, b: &Value, out: &mut Vec<String>) {
    match (a, b) {
        (Value::Object(x), Value::Object(y)) => {
            for k in x.keys().chain(y.keys().filter(|k| !x.contains_key(*k))) {
                differences(
                    &format!("{at}.{k}"),
                    &x.get(k).cloned().unwrap_or(Value::Null),
                    &y.get(k).cloned().unwrap_or(Value::Null),
                    out,
                );
            }
        }
        (Value::Array(x), Value::Array(y)) if x.len() == y.len() => {
            for (i, (p, q)) in x.iter().zip(y).enumerate() {
                differences(&format!("{at}[{i}]"), p, q, out);
            }
        }
        _ if a != b => out.push(format!("{at}: {a} -> {b}")),
        _ => {}
    }
}

async fn round_trip(backend: Backend) {
    let dir = tempfile::tempdir().unwrap();
    let (dir_a, dir_b, dir_c) = (
        dir.path().join("a"),
        dir.path().join("b"),
        dir.path().join("c"),
    );
    for d in [&dir_a, &dir_b, &dir_c] {
        std::fs::create_dir_all(d).unwrap();
    }
    let (a, cert_a) = https(tls_server(backend, &dir_a).await);
    let (b, cert_b) = https(tls_server(backend, &dir_b).await);
    let (c, cert_c) = https(tls_server(backend, &dir_c).await);
    populate(&a).await;
    let (st, _) = a
        .api(
            Method::PUT,
            "/rules-configs/API_KEY",
            Some(json!({"value": "from-a"})),
        )
        .await;
    assert_eq!(st, StatusCode::OK);
    let work = dir.path();
    run(
        &a,
        &cert_a,
        work,
        json!({}),
        &[
            "export",
            "--format",
            "directory",
            "--output_folder",
            "tenant",
        ],
    )
    .await;
    // The system API is Auth0's by name: the CLI leaves it behind.
    assert!(
        !work
            .join("tenant/resource-servers/Auth0 Management API.json")
            .exists()
    );
    assert!(work.join("tenant/resource-servers/Orders.json").exists());
    // Rules-configs values are never readable (as at Auth0): they come in
    // through the CLI's keyword replacement.
    std::fs::create_dir_all(work.join("tenant/rules-configs")).unwrap();
    std::fs::write(
        work.join("tenant/rules-configs/API_KEY.json"),
        r###"{"key": "API_KEY", "value": "##API_KEY##"}"###,
    )
    .unwrap();
    // An application made first with its old credentials keeps them: the
    // Deploy CLI updates it by name.
    let (st, kept) = b
        .api(
            Method::POST,
            "/clients",
            Some(json!({"name": "Shop", "client_id": "ShopClientIdFromAuth0", "client_secret": "shop-secret-from-auth0-0123456789"})),
        )
        .await;
    assert_eq!(st, StatusCode::CREATED, "{kept}");
    let mappings = json!({"API_KEY": "from-the-files"});
    run(
        &b,
        &cert_b,
        work,
        json!({"AUTH0_KEYWORD_REPLACE_MAPPINGS": mappings.clone()}),
        &["import", "--input_file", "tenant"],
    )
    .await;
    let want = snapshot(&a).await;
    assert_eq!(
        want["organizations"][0]["connections"][0]["name"], "customers-db",
        "the organization is in the tenant: {want}"
    );
    assert!(
        work.join("tenant/organizations").is_dir(),
        "organizations are exported"
    );
    assert_eq!(snapshot(&b).await, want);
    let (_, shop) = b
        .api(Method::GET, "/clients/ShopClientIdFromAuth0", None)
        .await;
    assert_eq!(shop["callbacks"], json!(["https://shop.example/callback"]));
    // Its old secret still authenticates it (Shop has no grant: refused
    // for the API, not for its credentials).
    let (st, body, _) = b
        .token_form(&[
            ("grant_type", "client_credentials"),
            ("client_id", "ShopClientIdFromAuth0"),
            ("client_secret", "shop-secret-from-auth0-0123456789"),
            ("audience", "https://orders.example/"),
        ])
        .await;
    assert_eq!(
        (st, body["error"].as_str()),
        (StatusCode::FORBIDDEN, Some("access_denied")),
        "{body}"
    );
    // Importing the same files again changes nothing.
    let before = everything(&b).await;
    run(
        &b,
        &cert_b,
        work,
        json!({"AUTH0_KEYWORD_REPLACE_MAPPINGS": mappings.clone()}),
        &["import", "--input_file", "tenant"],
    )
    .await;
    let after = everything(&b).await;
    let mut moved = Vec::new();
    differences("", &before, &after, &mut moved);
    assert!(moved.is_empty(), "a second import changed: {moved:#?}");
    // The YAML format carries the same tenant.
    std::fs::create_dir_all(work.join("yaml")).unwrap();
    run(
        &a,
        &cert_a,
        work,
        json!({}),
        &["export", "--format", "yaml", "--output_folder", "yaml"],
    )
    .await;
    run(
        &c,
        &cert_c,
        work,
        json!({}),
        &["import", "--input_file", "yaml/tenant.yaml"],
    )
    .await;
    let mut from_yaml = snapshot(&c).await;
    // (No rules-configs file in the YAML: none was added there.)
    assert_eq!(from_yaml["rules_configs"], json!([]));
    from_yaml["rules_configs"] = want["rules_configs"].clone();
    assert_eq!(from_yaml, want);
}

#[tokio::test]
async fn deploy_cli_moves_a_tenant_and_a_second_import_changes_nothing_sqlite() {
    round_trip(Backend::Sqlite).await;
}

#[tokio::test]
async fn deploy_cli_moves_a_tenant_and_a_second_import_changes_nothing_postgres() {
    round_trip(Backend::Postgres).await;
}

/// The Deploy CLI's YAML of a tenant made in Auth0's dashboard: Auth0's full
/// field lists, at Auth0's defaults.
fn auth0_written_tenant() -> String {
    std::fs::read_to_string(
        PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/auth0-export/tenant.yaml"),
    )
    .unwrap()
}

/// Runs the Deploy CLI expecting it to fail; its output.
async fn run_failing(srv: &TestServer, certs: &Path, work: &Path, args: &[&str]) -> String {
    let (ok, output) = a0deploy_run(srv, certs, work, json!({}), args).await;
    assert!(!ok, "a0deploy {args:?} succeeded:\n{output}");
    output
}

async fn auth0_written_files(backend: Backend) {
    let dir = tempfile::tempdir().unwrap();
    let (srv_dir, bad_dir) = (dir.path().join("srv"), dir.path().join("bad"));
    std::fs::create_dir_all(&srv_dir).unwrap();
    std::fs::create_dir_all(&bad_dir).unwrap();
    let (srv, cert) = https(tls_server(backend, &srv_dir).await);
    let work = dir.path();
    std::fs::write(work.join("auth0.yaml"), auth0_written_tenant()).unwrap();
    run(
        &srv,
        &cert,
        work,
        json!({}),
        &["import", "--input_file", "auth0.yaml"],
    )
    .await;
    let clients = get(&srv, "/clients?is_global=false").await;
    let shop = clients
        .as_array()
        .unwrap()
        .iter()
        .find(|c| c["name"] == "Shop")
        .expect("Shop was created")
        .clone();
    assert_eq!(shop["callbacks"], json!(["https://shop.example/callback"]));
    assert_eq!(shop["web_origins"], json!(["https://shop.example"]));
    assert_eq!(shop["client_metadata"], json!({"team": "storefront"}));
    assert_eq!(shop["refresh_token"]["rotation_type"], "rotating");
    // Fields Portcullis has no setting for are not stored (at their defaults
    // they describe what it does anyway).
    assert!(shop.get("sso_disabled").is_none() && shop.get("native_social_login").is_none());
    let api = get(&srv, "/resource-servers/https%3A%2F%2Forders.example%2F").await;
    assert_eq!(api["token_dialect"], "access_token_authz");
    assert_eq!(api["scopes"].as_array().unwrap().len(), 2);
    let want = json!({
        "client_grants": [{"client": "Orders Worker", "audience": "https://orders.example/", "scope": ["read:orders"]}],
        "roles": [{"name": "Reader", "description": "Reads orders",
            "permissions": [{"resource_server_identifier": "https://orders.example/", "permission_name": "read:orders"}]}],
        "tenant": {"friendly_name": "Shop", "session_lifetime": 168.0, "idle_session_lifetime": 72.0,
            "allowed_logout_urls": null},
    });
    let got = snapshot(&srv).await;
    assert_eq!(got["client_grants"], want["client_grants"]);
    assert_eq!(got["roles"], want["roles"]);
    assert_eq!(
        got["tenant"]["friendly_name"],
        want["tenant"]["friendly_name"]
    );
    assert_eq!(got["tenant"]["session_lifetime"].as_f64(), Some(168.0));
    // The tenant's flag turned new applications' connections off: only Shop
    // is enabled on the database, as the file says.
    let db = got["connections"]
        .as_array()
        .unwrap()
        .iter()
        .find(|c| c["name"] == "Username-Password-Authentication")
        .cloned()
        .unwrap();
    assert_eq!(db["enabled_clients"], json!(["Shop"]));
    assert_eq!(db["password_policy"], "good");
    // The same file again changes nothing.
    let before = everything(&srv).await;
    run(
        &srv,
        &cert,
        work,
        json!({}),
        &["import", "--input_file", "auth0.yaml"],
    )
    .await;
    let mut moved = Vec::new();
    differences("", &before, &everything(&srv).await, &mut moved);
    assert!(moved.is_empty(), "a second import changed: {moved:#?}");
    // A value Portcullis cannot honour stops the import with the field named,
    // and the application is not created.
    let (bad, bad_cert) = https(tls_server(backend, &bad_dir).await);
    let refused = auth0_written_tenant().replacen(
        "    cross_origin_authentication: false\n",
        "    cross_origin_authentication: true\n",
        1,
    );
    std::fs::write(work.join("refused.yaml"), refused).unwrap();
    let out = run_failing(
        &bad,
        &bad_cert,
        work,
        &["import", "--input_file", "refused.yaml"],
    )
    .await;
    assert!(
        out.contains("cross_origin_authentication") && out.contains("embedded login"),
        "{out}"
    );
    let clients = get(&bad, "/clients?is_global=false").await;
    assert!(
        clients
            .as_array()
            .unwrap()
            .iter()
            .all(|c| c["name"] != "Shop"),
        "{clients}"
    );
}

#[tokio::test]
async fn deploy_cli_imports_a_tenant_written_by_auth0_sqlite() {
    auth0_written_files(Backend::Sqlite).await;
}

#[tokio::test]
async fn deploy_cli_imports_a_tenant_written_by_auth0_postgres() {
    auth0_written_files(Backend::Postgres).await;
}

/// Runs `portcullis import auth0 <args>` against `srv` as its administrator.
async fn import_auth0(srv: &TestServer, work: &Path, args: &[&str]) -> String {
    let out = tokio::process::Command::new(crate::process::BIN)
        .args(["import", "auth0"])
        .args(args)
        .args([
            "--url",
            &srv.issuer,
            "--client-id",
            &srv.admin_id,
            "--client-secret",
            &srv.admin_secret,
        ])
        .current_dir(work)
        .env_clear()
        .env("PATH", std::env::var("PATH").unwrap_or_default())
        .kill_on_drop(true)
        .output();
    let out = tokio::time::timeout(Duration::from_secs(240), out)
        .await
        .expect("the import finishes within four minutes")
        .expect("the CLI runs");
    let stdout = String::from_utf8_lossy(&out.stdout).to_string();
    assert!(
        out.status.success(),
        "portcullis import auth0 {args:?} failed: {}{stdout}",
        String::from_utf8_lossy(&out.stderr)
    );
    stdout
}

/// `portcullis import auth0` over a realistic export: a Deploy CLI directory
/// (ids kept), Auth0's user export (NDJSON) and Auth0 support's hash export
/// (bcrypt made by Python's bcrypt); a dry run changes nothing, the run moves
/// everything (an application keeps its id and secret, a user its id and
/// password), and a second run finds everything unchanged.
async fn import_command(backend: Backend) {
    let dir = tempfile::tempdir().unwrap();
    let (dir_a, work) = (dir.path().join("a"), dir.path().to_path_buf());
    std::fs::create_dir_all(&dir_a).unwrap();
    let (a, cert_a) = https(tls_server(backend, &dir_a).await);
    let b = TestServer::start(backend).await;
    populate(&a).await;
    let (st, legacy) = a
        .api(
            Method::POST,
            "/clients",
            Some(json!({"name": "Legacy", "app_type": "non_interactive",
                "client_id": "LegacyClientId0001", "client_secret": "legacy-secret-0123456789abcdef"})),
        )
        .await;
    assert_eq!(st, StatusCode::CREATED, "{legacy}");
    run(
        &a,
        &cert_a,
        &work,
        // Application ids stay in the files (what `portcullis import auth0` keeps).
        json!({"AUTH0_EXPORT_IDENTIFIERS": true}),
        &[
            "export",
            "--format",
            "directory",
            "--output_folder",
            "tenant",
        ],
    )
    .await;
    std::fs::write(
        work.join("secrets.json"),
        json!({"LegacyClientId0001": "legacy-secret-0123456789abcdef"}).to_string(),
    )
    .unwrap();
    // Auth0's export job (NDJSON) and its support's hash export.
    std::fs::write(
        work.join("users.ndjson"),
        [
            json!({"user_id": "auth0|5f0c8a1b2c3d", "email": "ada@moved.example", "email_verified": true,
                "name": "Ada", "created_at": "2021-03-04T05:06:07.000Z", "logins_count": 12,
                "identities": [{"connection": "Username-Password-Authentication", "provider": "auth0", "user_id": "5f0c8a1b2c3d", "isSocial": false}]}),
            json!({"user_id": "auth0|6a7b8c9d", "email": "bob@moved.example", "name": "Bob"}),
        ]
        .iter()
        .map(|u| u.to_string() + "\n")
        .collect::<String>(),
    )
    .unwrap();
    let bcrypt = std::process::Command::new(crate::user_import::python())
        .args([
            "-c",
            "import bcrypt; print(bcrypt.hashpw(b'Moved-Passw0rd', bcrypt.gensalt(10)).decode())",
        ])
        .output()
        .expect("python runs");
    let hash = String::from_utf8(bcrypt.stdout).unwrap().trim().to_string();
    assert!(hash.starts_with("$2b$10$"), "{hash}");
    std::fs::write(
        work.join("hashes.ndjson"),
        json!({"_id": {"$oid": "5f0c8a1b2c3d"}, "email": "ada@moved.example", "passwordHash": hash}).to_string(),
    )
    .unwrap();
    let args = [
        "--from",
        "tenant",
        "--users",
        "users.ndjson",
        "--password-hashes",
        "hashes.ndjson",
        "--client-secrets",
        "secrets.json",
    ];
    let mut dry = args.to_vec();
    dry.push("--dry-run");
    let plan = import_auth0(&b, &work, &dry).await;
    for line in [
        "create    application Shop",
        "create    application Legacy",
        "create    API https://orders.example/",
        "create    role Reader",
        "create    connection customers-db",
        "create    action tag",
        "create    organization acme",
        "import    2 users into Username-Password-Authentication (1 with a password hash",
    ] {
        assert!(plan.contains(line), "{line} in:\n{plan}");
    }
    let (_, clients) = b.api(Method::GET, "/clients?is_global=false", None).await;
    assert_eq!(
        clients.as_array().unwrap().len(),
        1,
        "a dry run changes nothing"
    );
    let done = import_auth0(&b, &work, &args).await;
    assert!(
        done.contains("users     2 inserted, 0 updated, 0 failed of 2"),
        "{done}"
    );
    let mut want = snapshot(&a).await;
    let mut got = snapshot(&b).await;
    // (Rules-configs are never exported: their values cannot be read.)
    want["rules_configs"] = json!(null);
    got["rules_configs"] = json!(null);
    assert_eq!(got, want);
    let (st, body, _) = b
        .token_form(&[
            ("grant_type", "client_credentials"),
            ("client_id", "LegacyClientId0001"),
            ("client_secret", "legacy-secret-0123456789abcdef"),
            ("audience", "https://orders.example/"),
        ])
        .await;
    assert_eq!(
        (st, body["error"].as_str()),
        (StatusCode::FORBIDDEN, Some("access_denied")),
        "the old secret authenticates: {body}"
    );
    let (st, ada) = b.api(Method::GET, "/users/auth0|5f0c8a1b2c3d", None).await;
    assert_eq!(st, StatusCode::OK, "{ada}");
    assert_eq!(ada["email_verified"], true);
    let (st, app) = b
        .api(
            Method::POST,
            "/clients",
            Some(json!({"name": "Realm", "grant_types": ["http://auth0.com/oauth/grant-type/password-realm"]})),
        )
        .await;
    assert_eq!(st, StatusCode::CREATED);
    let (st, t, _) = b
        .token_form(&[
            (
                "grant_type",
                "http://auth0.com/oauth/grant-type/password-realm",
            ),
            ("client_id", app["client_id"].as_str().unwrap()),
            ("client_secret", app["client_secret"].as_str().unwrap()),
            ("username", "ada@moved.example"),
            ("password", "Moved-Passw0rd"),
            ("realm", "Username-Password-Authentication"),
        ])
        .await;
    assert_eq!(
        st,
        StatusCode::OK,
        "Ada signs in with her Auth0 password: {t}"
    );
    let (st, _) = b
        .api(
            Method::DELETE,
            &format!("/clients/{}", app["client_id"].as_str().unwrap()),
            None,
        )
        .await;
    assert_eq!(st, StatusCode::NO_CONTENT);
    // A second run finds nothing to do.
    let again = import_auth0(&b, &work, &dry).await;
    assert!(
        !again.contains("  create ") && !again.contains("  update "),
        "{again}"
    );
}

#[tokio::test]
async fn import_auth0_moves_config_users_and_credentials_sqlite() {
    import_command(Backend::Sqlite).await;
}

#[tokio::test]
async fn import_auth0_moves_config_users_and_credentials_postgres() {
    import_command(Backend::Postgres).await;
}
