//! Rules and Actions run at login, refresh, password and client-credentials
//! requests: custom claims, scopes, lifetimes, denial, ordering, failures.

use std::time::{Duration, Instant};

use reqwest::{Method, StatusCode};
use serde_json::{Value, json};

use crate::browser::{Browser, PASSWORD, code_params, exchange, spa, user};
use crate::support::{Backend, TestServer, on_both_backends, verify_with_jwks};
use crate::token_endpoint::urlenc;

/// Creates, deploys and returns the id of an action for `trigger`.
pub(crate) async fn deployed_action(
    srv: &TestServer,
    name: &str,
    trigger: &str,
    code: &str,
) -> String {
    let (st, a) = srv
        .api(
            Method::POST,
            "/actions/actions",
            Some(json!({"name": name, "supported_triggers": [{"id": trigger, "version": "v3"}], "code": code})),
        )
        .await;
    assert_eq!(st, StatusCode::CREATED, "{a}");
    let id = a["id"].as_str().unwrap().to_string();
    let (st, v) = srv
        .api(Method::POST, &format!("/actions/actions/{id}/deploy"), None)
        .await;
    assert_eq!(st, StatusCode::OK, "{v}");
    id
}

/// Binds the actions to `trigger`, in this order.
pub(crate) async fn bind(srv: &TestServer, trigger: &str, ids: &[&str]) {
    let bindings: Vec<Value> = ids
        .iter()
        .map(|id| json!({"ref": {"type": "action_id", "value": id}}))
        .collect();
    let (st, b) = srv
        .api(
            Method::PATCH,
            &format!("/actions/triggers/{trigger}/bindings"),
            Some(json!({"bindings": bindings})),
        )
        .await;
    assert_eq!(st, StatusCode::OK, "{b}");
}

async fn rule(srv: &TestServer, name: &str, order: i64, script: &str) -> String {
    let (st, r) = srv
        .api(
            Method::POST,
            "/rules",
            Some(json!({"name": name, "order": order, "script": script})),
        )
        .await;
    assert_eq!(st, StatusCode::CREATED, "{r}");
    r["id"].as_str().unwrap().to_string()
}

/// A browser login with code + PKCE; the redirect's parameters.
async fn login(
    srv: &TestServer,
    client: &str,
    email: &str,
    scope: &str,
) -> std::collections::HashMap<String, String> {
    let mut b = Browser::new(srv);
    let to = b.authorize(&code_params(client, &[("scope", scope)])).await;
    let back = b.submit_login(&to, email, PASSWORD).await;
    back.redirect_params()
}

/// A login and code exchange; the token response.
async fn tokens(srv: &TestServer, client: &str, email: &str, scope: &str) -> Value {
    let params = login(srv, client, email, scope).await;
    let code = params
        .get("code")
        .unwrap_or_else(|| panic!("no code: {params:?}"));
    let (st, t) = exchange(srv, client, code).await;
    assert_eq!(st, StatusCode::OK, "{t}");
    t
}

async fn refresh(srv: &TestServer, client: &str, token: &str) -> (StatusCode, Value) {
    let (st, body, _) = srv
        .token_form(&[
            ("grant_type", "refresh_token"),
            ("client_id", client),
            ("refresh_token", token),
        ])
        .await;
    (st, body)
}

/// A confidential app that may use the password grant; (id, secret).
async fn password_app(srv: &TestServer, name: &str) -> (String, String) {
    let (st, c) = srv
        .api(
            Method::POST,
            "/clients",
            Some(json!({"name": name, "app_type": "regular_web", "grant_types": ["password"]})),
        )
        .await;
    assert_eq!(st, StatusCode::CREATED, "{c}");
    (
        c["client_id"].as_str().unwrap().into(),
        c["client_secret"].as_str().unwrap().into(),
    )
}

async fn password_login(
    srv: &TestServer,
    app: &(String, String),
    email: &str,
) -> (StatusCode, Value) {
    let (st, t, _) = srv
        .token_form(&[
            ("grant_type", "password"),
            ("client_id", &app.0),
            ("client_secret", &app.1),
            ("username", email),
            ("password", PASSWORD),
            ("scope", "openid profile email"),
        ])
        .await;
    (st, t)
}

fn userinfo_aud(srv: &TestServer) -> String {
    format!("{}userinfo", srv.issuer)
}

const CLAIMS_ACTION: &str = r#"exports.onExecutePostLogin = async (event, api) => {
  const ns = "https://example.com";
  api.idToken.setCustomClaim(`${ns}/roles`, event.user.app_metadata.roles || []);
  api.idToken.setCustomClaim(`${ns}/protocol`, event.transaction.protocol);
  api.accessToken.setCustomClaim(`${ns}/plan`, "gold");
  // Reserved: left out, and the login still succeeds (as in Auth0).
  api.idToken.setCustomClaim("sub", "someone-else");
  api.accessToken.setCustomClaim("exp", 1);
};"#;

on_both_backends!(
    post_login_action_claims_reach_tokens_on_login_and_refresh,
    credentials_exchange_action_adds_claims_and_can_deny,
    credentials_exchange_scope_change_keeps_a_machine_tokens_management_scopes,
    rule_changes_scopes_and_lifetime,
    action_deny_redirects_access_denied,
    rules_run_in_order_then_actions_in_binding_order,
    actions_management_refuses_bad_code_and_tracks_versions
);

/// A post-login action's claims reach the ID and access tokens at login (via
/// the code) and again at every refresh, where it sees the refresh protocol.
async fn post_login_action_claims_reach_tokens_on_login_and_refresh(
    srv: crate::support::TestServer,
) {
    let app = spa(&srv, json!({})).await;
    let uid = user(&srv, "ada@example.com").await;
    srv.api(
        Method::PATCH,
        &format!("/users/{}", urlenc(&uid)),
        Some(json!({"app_metadata": {"roles": ["admin"]}})),
    )
    .await;
    let id = deployed_action(&srv, "claims", "post-login", CLAIMS_ACTION).await;
    bind(&srv, "post-login", &[&id]).await;
    let t = tokens(
        &srv,
        &app,
        "ada@example.com",
        "openid profile email offline_access",
    )
    .await;
    let idt = verify_with_jwks(&srv, t["id_token"].as_str().unwrap(), &app).await;
    assert_eq!(idt["https://example.com/roles"], json!(["admin"]));
    assert_eq!(idt["https://example.com/protocol"], "oidc-basic-profile");
    assert_eq!(idt["sub"], uid, "a reserved claim is never overwritten");
    let at = verify_with_jwks(
        &srv,
        t["access_token"].as_str().unwrap(),
        &userinfo_aud(&srv),
    )
    .await;
    assert_eq!(at["https://example.com/plan"], "gold");
    assert!(at["exp"].as_i64().unwrap() > 1);
    let (st, r) = refresh(&srv, &app, t["refresh_token"].as_str().unwrap()).await;
    assert_eq!(st, StatusCode::OK, "{r}");
    let idt = verify_with_jwks(&srv, r["id_token"].as_str().unwrap(), &app).await;
    assert_eq!(idt["https://example.com/roles"], json!(["admin"]));
    assert_eq!(idt["https://example.com/protocol"], "oauth2-refresh-token");
    let at = verify_with_jwks(
        &srv,
        r["access_token"].as_str().unwrap(),
        &userinfo_aud(&srv),
    )
    .await;
    assert_eq!(at["https://example.com/plan"], "gold");
}

/// A credentials-exchange action adds claims to client-credentials tokens,
/// and its denial is Auth0's 403 access_denied, logged as `feccft`.
async fn credentials_exchange_action_adds_claims_and_can_deny(srv: crate::support::TestServer) {
    let (id, secret) = srv
        .m2m_with_grant("https://orders.example/", &["read"], &["read"])
        .await;
    let code = r#"exports.onExecuteCredentialsExchange = async (event, api) => {
  if (event.client.metadata.suspended === "yes") {
api.access.deny("invalid_request", "This client is suspended");
return;
  }
  api.accessToken.setCustomClaim("https://example.com/tier", event.client.name);
  api.accessToken.setCustomClaim("https://example.com/aud", event.resource_server.identifier);
};"#;
    let a = deployed_action(&srv, "m2m-claims", "credentials-exchange", code).await;
    bind(&srv, "credentials-exchange", &[&a]).await;
    let token = srv
        .client_token(&id, &secret, "https://orders.example/")
        .await;
    let at = verify_with_jwks(&srv, &token, "https://orders.example/").await;
    assert_eq!(at["https://example.com/tier"], "worker");
    assert_eq!(at["https://example.com/aud"], "https://orders.example/");
    assert_eq!(at["scope"], "read");
    srv.api(
        Method::PATCH,
        &format!("/clients/{id}"),
        Some(json!({"client_metadata": {"suspended": "yes"}})),
    )
    .await;
    let (st, body, _) = srv
        .token_form(&[
            ("grant_type", "client_credentials"),
            ("client_id", &id),
            ("client_secret", &secret),
            ("audience", "https://orders.example/"),
        ])
        .await;
    // Auth0's credentials-exchange `api.access.deny(code, reason)`.
    assert_eq!(st, StatusCode::BAD_REQUEST, "{body}");
    assert_eq!(body["error"], "invalid_request");
    assert_eq!(body["error_description"], "This client is suspended");
    let (_, logs) = srv.api(Method::GET, "/logs?q=type%3Afeccft", None).await;
    assert_eq!(logs.as_array().unwrap().len(), 1, "{logs}");
}

/// A script's scope change on a client-credentials token for the Management
/// API keeps the scopes its grant allows (the `current_user` filter is for
/// users' tokens only).
async fn credentials_exchange_scope_change_keeps_a_machine_tokens_management_scopes(
    srv: crate::support::TestServer,
) {
    let code = r#"exports.onExecuteCredentialsExchange = async (event, api) => {
  api.accessToken.removeScope("delete:users");
};"#;
    let a = deployed_action(&srv, "drop-delete", "credentials-exchange", code).await;
    bind(&srv, "credentials-exchange", &[&a]).await;
    let token = srv.admin_token().await;
    let at = verify_with_jwks(&srv, &token, &srv.management_audience()).await;
    let scopes: Vec<&str> = at["scope"].as_str().unwrap().split(' ').collect();
    assert!(
        scopes.contains(&"read:users") && scopes.contains(&"create:clients"),
        "{at}"
    );
    assert!(!scopes.contains(&"delete:users"), "{at}");
    let (st, _) = srv.api_with(&token, Method::GET, "/users", None).await;
    assert_eq!(st, StatusCode::OK);
}

/// A rule changes the access token's scope, the ID token's profile scopes and
/// its lifetime (the seed's `context.jwtConfiguration.lifetimeInSeconds`).
async fn rule_changes_scopes_and_lifetime(srv: crate::support::TestServer) {
    let app = spa(&srv, json!({})).await;
    user(&srv, "ada@example.com").await;
    rule(
        &srv,
        "shape-tokens",
        1,
        r#"function (user, context, callback) {
  context.jwtConfiguration.lifetimeInSeconds = 3600;
  context.jwtConfiguration.scopes = ["openid", "profile"];
  context.accessToken.scope = ["openid", "profile", "read:reports"];
  callback(null, user, context);
}"#,
    )
    .await;
    let t = tokens(&srv, &app, "ada@example.com", "openid profile email").await;
    let idt = verify_with_jwks(&srv, t["id_token"].as_str().unwrap(), &app).await;
    assert_eq!(
        idt["exp"].as_i64().unwrap() - idt["iat"].as_i64().unwrap(),
        3600
    );
    assert_eq!(idt["name"], "Ada Lovelace");
    assert!(
        idt.get("email").is_none(),
        "jwtConfiguration.scopes dropped email: {idt}"
    );
    let at = verify_with_jwks(
        &srv,
        t["access_token"].as_str().unwrap(),
        &userinfo_aud(&srv),
    )
    .await;
    assert_eq!(at["scope"], "openid profile read:reports");
    assert_eq!(t["scope"], "openid profile read:reports");
}

/// `api.access.deny` sends Auth0's error to the app's redirect URI and issues
/// no code; the password grant answers 403 access_denied; `f` is logged.
async fn action_deny_redirects_access_denied(srv: crate::support::TestServer) {
    let app = spa(&srv, json!({})).await;
    user(&srv, "ada@example.com").await;
    let pw = password_app(&srv, "Legacy").await;
    let id = deployed_action(&srv, "corp-only", "post-login", r#"exports.onExecutePostLogin = async (event, api) => {
  if (!event.user.email.endsWith("@corp.example")) api.access.deny("Only corp accounts may sign in");
};"#).await;
    bind(&srv, "post-login", &[&id]).await;
    let params = login(&srv, &app, "ada@example.com", "openid").await;
    assert_eq!(
        params.get("error").map(String::as_str),
        Some("access_denied"),
        "{params:?}"
    );
    assert_eq!(
        params["error_description"],
        "Only corp accounts may sign in"
    );
    assert_eq!(params["state"], "st4te");
    assert!(!params.contains_key("code"));
    let (st, body) = password_login(&srv, &pw, "ada@example.com").await;
    assert_eq!(st, StatusCode::FORBIDDEN, "{body}");
    assert_eq!(body["error"], "access_denied");
    assert_eq!(body["error_description"], "Only corp accounts may sign in");
    let (_, logs) = srv.api(Method::GET, "/logs?q=type%3Af", None).await;
    assert!(
        logs.as_array()
            .unwrap()
            .iter()
            .any(|l| l["description"] == "Only corp accounts may sign in"),
        "{logs}"
    );
}

/// Enabled rules run in `order`, each seeing what the one before put in the
/// context, then actions in binding order; re-binding changes the order.
async fn rules_run_in_order_then_actions_in_binding_order(srv: crate::support::TestServer) {
    let pw = password_app(&srv, "Legacy").await;
    user(&srv, "ada@example.com").await;
    srv.api(
        Method::PUT,
        "/rules-configs/GREETING",
        Some(json!({"value": "hello"})),
    )
    .await;
    let trace = |tag: &str| {
        format!(
            r#"function (user, context, callback) {{
  const k = "https://example.com/trace";
  context.idToken[k] = (context.idToken[k] ? context.idToken[k] + "," : configuration.GREETING + ":") + "{tag}";
  callback(null, user, context);
}}"#
        )
    };
    rule(&srv, "second", 20, &trace("b")).await;
    rule(&srv, "first", 10, &trace("a")).await;
    let off = rule(&srv, "disabled", 15, &trace("x")).await;
    srv.api(
        Method::PATCH,
        &format!("/rules/{off}"),
        Some(json!({"enabled": false})),
    )
    .await;
    let one = deployed_action(&srv, "one", "post-login", r#"exports.onExecutePostLogin = async (e, api) => { api.idToken.setCustomClaim("https://example.com/last", "one"); };"#).await;
    let two = deployed_action(&srv, "two", "post-login", r#"exports.onExecutePostLogin = async (e, api) => { api.idToken.setCustomClaim("https://example.com/last", "two"); };"#).await;
    bind(&srv, "post-login", &[&one, &two]).await;
    let (st, t) = password_login(&srv, &pw, "ada@example.com").await;
    assert_eq!(st, StatusCode::OK, "{t}");
    let idt = verify_with_jwks(&srv, t["id_token"].as_str().unwrap(), &pw.0).await;
    assert_eq!(idt["https://example.com/trace"], "hello:a,b");
    assert_eq!(idt["https://example.com/last"], "two");
    bind(&srv, "post-login", &[&two, &one]).await;
    let (_, t) = password_login(&srv, &pw, "ada@example.com").await;
    let idt = verify_with_jwks(&srv, t["id_token"].as_str().unwrap(), &pw.0).await;
    assert_eq!(
        idt["https://example.com/last"], "one",
        "the binding order changed: {idt}"
    );
    let (_, b) = srv
        .api(Method::GET, "/actions/triggers/post-login/bindings", None)
        .await;
    let names: Vec<&str> = b["bindings"]
        .as_array()
        .unwrap()
        .iter()
        .map(|b| b["action"]["name"].as_str().unwrap())
        .collect();
    assert_eq!(names, ["two", "one"]);
}

/// Code that does not compile is refused at save and nothing is stored;
/// drafts run only once deployed; bindings need a deployed action of the
/// trigger; rules-configs never return their values.
async fn actions_management_refuses_bad_code_and_tracks_versions(srv: crate::support::TestServer) {
    let bad = "exports.onExecutePostLogin = async (event, api) => {\n  const x = ;\n};";
    let (st, body) = srv.api(Method::POST, "/actions/actions",
        Some(json!({"name": "broken", "supported_triggers": [{"id": "post-login", "version": "v3"}], "code": bad}))).await;
    assert_eq!(st, StatusCode::BAD_REQUEST, "{body}");
    assert!(
        body["message"].as_str().unwrap().contains("line 2"),
        "{body}"
    );
    let (_, list) = srv.api(Method::GET, "/actions/actions", None).await;
    assert_eq!(list["total"], 0);
    let (st, a) = srv
        .api(
            Method::POST,
            "/actions/actions",
            Some(json!({"name": "draft",
        "supported_triggers": [{"id": "post-login", "version": "v3"}],
        "code": "exports.onExecutePostLogin = async () => {};",
        "secrets": [{"name": "API_KEY", "value": "s3cr3t-value"}]})),
        )
        .await;
    assert_eq!(st, StatusCode::CREATED, "{a}");
    assert!(
        !a.to_string().contains("s3cr3t-value"),
        "secret values are never returned: {a}"
    );
    assert_eq!(a["all_changes_deployed"], false);
    let id = a["id"].as_str().unwrap();
    let (st, body) = srv
        .api(
            Method::PATCH,
            "/actions/triggers/post-login/bindings",
            Some(json!({"bindings": [{"ref": {"type": "action_id", "value": id}}]})),
        )
        .await;
    assert_eq!(
        st,
        StatusCode::BAD_REQUEST,
        "an undeployed action cannot be bound: {body}"
    );
    let (st, _) = srv
        .api(
            Method::PATCH,
            &format!("/actions/actions/{id}"),
            Some(json!({"code": bad})),
        )
        .await;
    assert_eq!(st, StatusCode::BAD_REQUEST);
    let deploy = || async {
        let (st, v) = srv
            .api(Method::POST, &format!("/actions/actions/{id}/deploy"), None)
            .await;
        assert_eq!(st, StatusCode::OK, "{v}");
        v["number"].as_i64().unwrap()
    };
    assert_eq!(deploy().await, 1);
    let (st, _) = srv
        .api(
            Method::PATCH,
            &format!("/actions/actions/{id}"),
            Some(json!({"code": "exports.onExecutePostLogin = async (event) => {};"})),
        )
        .await;
    assert_eq!(st, StatusCode::OK);
    assert_eq!(deploy().await, 2);
    // Deploying what is already deployed makes no new version (tools such as
    // Auth0's Deploy CLI deploy every action on every import).
    assert_eq!(deploy().await, 2);
    let (_, versions) = srv
        .api(
            Method::GET,
            &format!("/actions/actions/{id}/versions"),
            None,
        )
        .await;
    let numbers: Vec<i64> = versions["versions"]
        .as_array()
        .unwrap()
        .iter()
        .map(|v| v["number"].as_i64().unwrap())
        .collect();
    assert_eq!(numbers, [2, 1]);
    assert_eq!(versions["versions"][0]["deployed"], true);
    assert_eq!(versions["versions"][1]["deployed"], false);
    let (st, _) = srv
        .api(
            Method::PATCH,
            "/actions/triggers/post-login/bindings",
            Some(json!({"bindings": [{"ref": {"type": "action_name", "value": "draft"}}]})),
        )
        .await;
    assert_eq!(st, StatusCode::OK);
    let (st, body) = srv
        .api(
            Method::PATCH,
            "/actions/triggers/credentials-exchange/bindings",
            Some(json!({"bindings": [{"ref": {"type": "action_id", "value": id}}]})),
        )
        .await;
    assert_eq!(st, StatusCode::BAD_REQUEST, "wrong trigger: {body}");
    let (st, _) = srv
        .api(
            Method::GET,
            "/actions/triggers/pre-user-registration/bindings",
            None,
        )
        .await;
    assert_eq!(st, StatusCode::NOT_FOUND);
    let (st, _) = srv
        .api(Method::DELETE, &format!("/actions/actions/{id}"), None)
        .await;
    assert_eq!(
        st,
        StatusCode::CONFLICT,
        "a bound action is not deleted without force"
    );
    let (st, _) = srv
        .api(
            Method::DELETE,
            &format!("/actions/actions/{id}?force=true"),
            None,
        )
        .await;
    assert_eq!(st, StatusCode::NO_CONTENT);
    let (_, b) = srv
        .api(Method::GET, "/actions/triggers/post-login/bindings", None)
        .await;
    assert_eq!(b["total"], 0);
    let (st, c) = srv
        .api(
            Method::PUT,
            "/rules-configs/API_TOKEN",
            Some(json!({"value": "v"})),
        )
        .await;
    assert_eq!(st, StatusCode::OK, "{c}");
    let (_, keys) = srv.api(Method::GET, "/rules-configs", None).await;
    assert_eq!(keys, json!([{"key": "API_TOKEN"}]));
    let (st, _) = srv
        .api(
            Method::PUT,
            "/rules-configs/bad%20key",
            Some(json!({"value": "v"})),
        )
        .await;
    assert_eq!(st, StatusCode::BAD_REQUEST);
    let (st, _) = srv
        .api(Method::DELETE, "/rules-configs/API_TOKEN", None)
        .await;
    assert_eq!(st, StatusCode::NO_CONTENT);
    let (st, _) = srv
        .api(Method::DELETE, "/rules-configs/API_TOKEN", None)
        .await;
    assert_eq!(st, StatusCode::NOT_FOUND);
}

/// The test endpoint runs a draft against a sample event and reports what it
/// asked for, its logs and errors, storing nothing.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn action_test_endpoint_runs_a_draft_with_a_sample_event() {
    let srv = TestServer::start(Backend::Sqlite).await;
    let (_, a) = srv.api(Method::POST, "/actions/actions", Some(json!({"name": "t",
        "supported_triggers": [{"id": "post-login", "version": "v3"}],
        "code": "exports.onExecutePostLogin = async (event, api) => { console.log('hi', event.user.email); api.idToken.setCustomClaim('https://x/k', event.secrets.K); };",
        "secrets": [{"name": "K", "value": "from-secret"}]}))).await;
    let id = a["id"].as_str().unwrap();
    let (st, r) = srv
        .api(
            Method::POST,
            &format!("/actions/actions/{id}/test"),
            Some(json!({"payload": {"user": {"email": "t@example.com"}}})),
        )
        .await;
    assert_eq!(st, StatusCode::OK, "{r}");
    assert_eq!(
        r["payload"]["commands"]["idToken"]["https://x/k"],
        "from-secret"
    );
    assert_eq!(r["payload"]["logs"], json!(["hi t@example.com"]));
    let (st, r) = srv
        .api(
            Method::POST,
            &format!("/actions/actions/{id}/test"),
            Some(json!({"payload": {}})),
        )
        .await;
    assert_eq!(st, StatusCode::OK);
    assert!(
        r["payload"]["error"]["message"]
            .as_str()
            .unwrap()
            .contains("TypeError"),
        "{r}"
    );
}

/// An infinite loop, a memory bomb and a throwing script each fail that login
/// with access_denied and a usable description, while other requests are served
/// meanwhile; the server stays up.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn runaway_scripts_fail_cleanly_while_other_requests_are_served() {
    let srv = TestServer::start(Backend::Sqlite).await;
    let pw = password_app(&srv, "Legacy").await;
    user(&srv, "ada@example.com").await;
    let (m2m, secret) = srv
        .m2m_with_grant("https://orders.example/", &["read"], &["read"])
        .await;
    let cases = [
        (
            "loop",
            "function (user, context, callback) { while (true) {} }",
            "ran longer",
        ),
        (
            "bomb",
            "function (user, context, callback) { const a = []; while (true) a.push(new Array(100000).fill(7)); }",
            "memory",
        ),
        (
            "throw",
            "function (user, context, callback) { throw new Error('lookup service down'); }",
            "lookup service down",
        ),
    ];
    let mut previous: Option<String> = None;
    for (name, script, expect) in cases {
        if let Some(id) = previous.take() {
            srv.api(Method::DELETE, &format!("/rules/{id}"), None).await;
        }
        previous = Some(rule(&srv, name, 1, script).await);
        let login = {
            let (srv_url, pw) = (srv.url.clone(), pw.clone());
            let http = srv.http.clone();
            tokio::spawn(async move {
                let res = http
                    .post(format!("{srv_url}/oauth/token"))
                    .form(&[
                        ("grant_type", "password"),
                        ("client_id", pw.0.as_str()),
                        ("client_secret", pw.1.as_str()),
                        ("username", "ada@example.com"),
                        ("password", PASSWORD),
                        ("scope", "openid"),
                    ])
                    .send()
                    .await
                    .unwrap();
                (res.status(), res.json::<Value>().await.unwrap())
            })
        };
        // While the script runs, the server answers others promptly.
        tokio::time::sleep(Duration::from_millis(100)).await;
        let started = Instant::now();
        let token = srv
            .client_token(&m2m, &secret, "https://orders.example/")
            .await;
        assert!(!token.is_empty());
        let res = srv
            .http
            .get(format!("{}/.well-known/openid-configuration", srv.url))
            .send()
            .await
            .unwrap();
        assert_eq!(res.status(), StatusCode::OK);
        assert!(
            started.elapsed() < Duration::from_millis(900),
            "{name}: other requests waited {:?}",
            started.elapsed()
        );
        let (st, body) = login.await.unwrap();
        assert_eq!(st, StatusCode::FORBIDDEN, "{name}: {body}");
        assert_eq!(body["error"], "access_denied");
        let description = body["error_description"].as_str().unwrap();
        assert!(
            description.contains(name) && description.contains(expect),
            "{name}: {description}"
        );
    }
    let (_, logs) = srv.api(Method::GET, "/logs?q=type%3Afepft", None).await;
    assert_eq!(logs.as_array().unwrap().len(), 3, "{logs}");
}

/// Five Rules and Actions written the way Auth0's documentation shows them,
/// pasted in unchanged.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn auth0_documentation_rules_and_actions_run_unchanged() {
    let srv = TestServer::start(Backend::Sqlite).await;
    let (st, c) = srv.api(Method::POST, "/clients", Some(json!({"name": "Short Lived App", "app_type": "regular_web", "grant_types": ["password"]}))).await;
    assert_eq!(st, StatusCode::CREATED);
    let short = (
        c["client_id"].as_str().unwrap().to_string(),
        c["client_secret"].as_str().unwrap().to_string(),
    );
    let normal = password_app(&srv, "Dashboard").await;
    let ada = user(&srv, "ada@example.com").await;
    user(&srv, "eve@elsewhere.example").await;
    srv.api(
        Method::PATCH,
        &format!("/users/{}", urlenc(&ada)),
        Some(json!({
        "user_metadata": {"favorite_color": "teal"}, "app_metadata": {"plan": "enterprise"}})),
    )
    .await;

    // 1. Rule: give users roles by e-mail domain, persist them in app_metadata
    //    and add them to the ID token.
    rule(&srv, "set-roles", 1, r#"function setRolesToUser(user, context, callback) {
  // Roles should only be set to verified users.
  if (!user.email || !user.email_verified) {
    return callback(null, user, context);
  }
  user.app_metadata = user.app_metadata || {};
  const addRolesToUser = function (user) {
    const endsWith = '@example.com';
    if (user.email && (user.email.substring(user.email.length - endsWith.length, user.email.length) === endsWith)) {
      return ['admin'];
    }
    return ['user'];
  };
  const roles = addRolesToUser(user);
  user.app_metadata.roles = roles;
  auth0.users.updateAppMetadata(user.user_id, user.app_metadata)
    .then(function () {
      context.idToken['https://example.com/roles'] = user.app_metadata.roles;
      callback(null, user, context);
    })
    .catch(function (err) {
      callback(err);
    });
}"#).await;
    // 2. Rule: allow only some e-mail domains.
    rule(
        &srv,
        "domain-allow-list",
        2,
        r#"function emailDomainWhitelist(user, context, callback) {
  // Access should only be granted to verified users.
  if (!user.email || !user.email_verified) {
    return callback(new UnauthorizedError('Access denied.'));
  }
  const whitelist = ['example.com', 'example.org']; //authorized domains
  const userHasAccess = whitelist.some(
    function (domain) {
      const emailSplit = user.email.split('@');
      return emailSplit[emailSplit.length - 1].toLowerCase() === domain;
    });
  if (!userHasAccess) {
    return callback(new UnauthorizedError('Access denied.'));
  }
  return callback(null, user, context);
}"#,
    )
    .await;
    // 3. Rule: a shorter ID token lifetime for one application.
    rule(
        &srv,
        "lifetime-per-app",
        3,
        r#"function (user, context, callback) {
  if (context.clientName === 'Short Lived App') {
    context.jwtConfiguration.lifetimeInSeconds = 600;
  }
  callback(null, user, context);
}"#,
    )
    .await;
    // 4. Action: add a user_metadata value to the ID token.
    let favourite = deployed_action(&srv, "favorite-color", "post-login", r#"/**
* Handler that will be called during the execution of a PostLogin flow.
*
* @param {Event} event - Details about the user and the context in which they are logging in.
* @param {PostLoginAPI} api - Interface whose methods can be used to change the behavior of the login.
*/
exports.onExecutePostLogin = async (event, api) => {
  const namespace = 'https://my-app.example.com';
  const { favorite_color } = event.user.user_metadata;

  if (favorite_color) {
    // Set claims
    api.idToken.setCustomClaim(`${namespace}/favorite_color`, favorite_color);
  }
};"#).await;
    // 5. Action: enrich the access token from app_metadata and record the last IP.
    let enrich = deployed_action(
        &srv,
        "enrich",
        "post-login",
        r#"exports.onExecutePostLogin = async (event, api) => {
  const namespace = 'https://my-app.example.com';
  if (event.user.app_metadata && event.user.app_metadata.plan) {
    api.accessToken.setCustomClaim(`${namespace}/plan`, event.user.app_metadata.plan);
  }
  api.user.setUserMetadata('last_seen_ip', event.request.ip);
};"#,
    )
    .await;
    bind(&srv, "post-login", &[&favourite, &enrich]).await;

    let (st, t) = password_login(&srv, &normal, "ada@example.com").await;
    assert_eq!(st, StatusCode::OK, "{t}");
    let idt = verify_with_jwks(&srv, t["id_token"].as_str().unwrap(), &normal.0).await;
    assert_eq!(idt["https://example.com/roles"], json!(["admin"]));
    assert_eq!(idt["https://my-app.example.com/favorite_color"], "teal");
    assert_eq!(
        idt["exp"].as_i64().unwrap() - idt["iat"].as_i64().unwrap(),
        36_000,
        "the app's default lifetime"
    );
    let at = verify_with_jwks(
        &srv,
        t["access_token"].as_str().unwrap(),
        &userinfo_aud(&srv),
    )
    .await;
    assert_eq!(at["https://my-app.example.com/plan"], "enterprise");
    let (_, stored) = srv
        .api(Method::GET, &format!("/users/{}", urlenc(&ada)), None)
        .await;
    assert_eq!(
        stored["app_metadata"]["roles"],
        json!(["admin"]),
        "updateAppMetadata persisted: {stored}"
    );
    assert_eq!(stored["app_metadata"]["plan"], "enterprise");
    assert_eq!(stored["user_metadata"]["last_seen_ip"], "127.0.0.1");
    assert_eq!(stored["user_metadata"]["favorite_color"], "teal");

    let (st, t) = password_login(&srv, &short, "ada@example.com").await;
    assert_eq!(st, StatusCode::OK, "{t}");
    let idt = verify_with_jwks(&srv, t["id_token"].as_str().unwrap(), &short.0).await;
    assert_eq!(
        idt["exp"].as_i64().unwrap() - idt["iat"].as_i64().unwrap(),
        600
    );

    let (st, body) = password_login(&srv, &normal, "eve@elsewhere.example").await;
    assert_eq!(st, StatusCode::FORBIDDEN, "{body}");
    assert_eq!(body["error"], "access_denied");
    assert_eq!(body["error_description"], "Access denied.");
}
