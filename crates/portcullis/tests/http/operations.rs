//! Operating Portcullis: signing-key rotation and revocation, metrics, the
//! OpenAPI document, and logs that never carry a secret.

use std::process::Stdio;

use reqwest::{Method, StatusCode};
use serde_json::{Value, json};

use crate::browser::{Browser, CALLBACK, PASSWORD, VERIFIER, code_params};
use crate::process::ServerProcess;
use crate::support::{Backend, TestServer, kid_of, on_both_backends, verify_with_jwks};

async fn jwks_kids(srv: &TestServer) -> Vec<String> {
    let jwks: Value = srv
        .http
        .get(format!("{}/.well-known/jwks.json", srv.url))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    jwks["keys"]
        .as_array()
        .unwrap()
        .iter()
        .map(|k| k["kid"].as_str().unwrap().to_string())
        .collect()
}

pub async fn userinfo_status(srv: &TestServer, token: &str) -> StatusCode {
    srv.http
        .get(format!("{}/userinfo", srv.url))
        .bearer_auth(token)
        .send()
        .await
        .unwrap()
        .status()
}

async fn user_token(srv: &TestServer, app: &(String, String)) -> String {
    let (st, t, _) = srv
        .token_form(&[
            ("grant_type", "password"),
            ("client_id", &app.0),
            ("client_secret", &app.1),
            ("username", "ada@example.com"),
            ("password", PASSWORD),
            ("scope", "openid email"),
        ])
        .await;
    assert_eq!(st, StatusCode::OK, "{t}");
    t["access_token"].as_str().unwrap().to_string()
}

on_both_backends!(key_rotation_keeps_old_tokens_until_revocation);

/// Tokens signed before a rotation still verify; tokens after it use the
/// next key (published beforehand); a revoked key leaves the JWKS and
/// `/userinfo` refuses its tokens.
async fn key_rotation_keeps_old_tokens_until_revocation(srv: crate::support::TestServer) {
    crate::browser::user(&srv, "ada@example.com").await;
    let (st, c) = srv
        .api(
            Method::POST,
            "/clients",
            Some(json!({"name": "Legacy", "app_type": "regular_web", "grant_types": ["password"]})),
        )
        .await;
    assert_eq!(st, StatusCode::CREATED);
    let app = (
        c["client_id"].as_str().unwrap().to_string(),
        c["client_secret"].as_str().unwrap().to_string(),
    );
    let (_, keys) = srv.api(Method::GET, "/keys/signing", None).await;
    let find = |state: &str| {
        keys.as_array()
            .unwrap()
            .iter()
            .find(|k| k[state] == true)
            .unwrap()["kid"]
            .as_str()
            .unwrap()
            .to_string()
    };
    let (current, next) = (find("current"), find("next"));
    assert!(
        jwks_kids(&srv).await.contains(&next),
        "the next key is published before it signs"
    );
    let before = user_token(&srv, &app).await;
    assert_eq!(kid_of(&before), current);

    let (st, r) = srv.api(Method::POST, "/keys/signing/rotate", None).await;
    assert_eq!(st, StatusCode::CREATED, "{r}");
    assert_eq!(r["kid"], next.as_str());
    assert!(
        r["cert"]
            .as_str()
            .unwrap()
            .starts_with("-----BEGIN CERTIFICATE-----")
    );
    let after = user_token(&srv, &app).await;
    assert_eq!(kid_of(&after), next);
    verify_with_jwks(&srv, &after, &format!("{}userinfo", srv.issuer)).await;
    assert_eq!(
        userinfo_status(&srv, &before).await,
        StatusCode::OK,
        "old tokens still verify"
    );
    let kids = jwks_kids(&srv).await;
    assert!(
        kids.contains(&current) && kids.contains(&next) && kids.len() == 3,
        "{kids:?}"
    );

    let (st, body) = srv
        .api(Method::PUT, &format!("/keys/signing/{next}/revoke"), None)
        .await;
    assert_eq!(
        st,
        StatusCode::BAD_REQUEST,
        "the current key cannot be revoked: {body}"
    );
    let (st, _) = srv
        .api(
            Method::PUT,
            &format!("/keys/signing/{current}/revoke"),
            None,
        )
        .await;
    assert_eq!(st, StatusCode::OK);
    assert!(!jwks_kids(&srv).await.contains(&current));
    assert_eq!(
        userinfo_status(&srv, &before).await,
        StatusCode::UNAUTHORIZED
    );
    assert_eq!(userinfo_status(&srv, &after).await, StatusCode::OK);
    let (_, listed) = srv
        .api(Method::GET, &format!("/keys/signing/{current}"), None)
        .await;
    assert_eq!(listed["revoked"], true);
    assert!(listed["revoked_at"].is_string());
}

/// `/metrics` counts requests by route template (never by id), tokens by grant,
/// audit events by type, and shows the pool.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn metrics_count_requests_tokens_and_failures() {
    let srv = TestServer::start(Backend::Sqlite).await;
    let (id, secret) = srv.new_m2m("metrics").await;
    srv.api(Method::GET, &format!("/clients/{id}"), None).await;
    let (st, _, _) = srv
        .token_form(&[
            ("grant_type", "client_credentials"),
            ("client_id", &id),
            ("client_secret", "wrong"),
            ("audience", "https://x/"),
        ])
        .await;
    assert_eq!(st, StatusCode::UNAUTHORIZED);
    let _ = secret;
    let text = srv.metrics_text().await;
    assert!(
        text.contains("portcullis_tokens_issued_total{grant_type=\"client_credentials\"}"),
        "{text}"
    );
    assert!(
        text.contains("route=\"/oauth/token\",method=\"POST\",status=\"401\""),
        "{text}"
    );
    assert!(
        text.contains("route=\"/api/v2/clients/{id}\""),
        "templates, not ids: {text}"
    );
    assert!(!text.contains(&id), "no client id in metrics");
    assert!(text.contains(
        "portcullis_http_request_duration_seconds_bucket{route=\"/oauth/token\",le=\"+Inf\"}"
    ));
    assert!(text.contains("portcullis_db_pool_connections{state=\"idle\"}"));
    assert!(text.contains("portcullis_script_threads 0"));
    // SQLite's group commit: the client created above was one batch at least.
    let counter = |name: &str| crate::support::metric(&text, name);
    assert!(counter("portcullis_store_write_batches_total") >= 1.0);
    assert!(
        counter("portcullis_store_write_operations_total")
            >= counter("portcullis_store_write_batches_total")
    );
}

/// The served OpenAPI document is the checked-in one, parses as OpenAPI 3.1,
/// and every operation in it is routed and guarded by the scope it names.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn openapi_document_matches_the_code_and_the_checked_in_copy() {
    let srv = TestServer::start(Backend::Sqlite).await;
    let served: Value = srv
        .http
        .get(format!("{}/api/v2/openapi.json", srv.url))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let mut normalized = served.clone();
    normalized["servers"] = json!([{"url": "https://portcullis.example/api/v2"}]);
    let path = concat!(env!("CARGO_MANIFEST_DIR"), "/../../docs/openapi.json");
    let pretty = serde_json::to_string_pretty(&normalized).unwrap() + "\n";
    if std::env::var("PORTCULLIS_UPDATE_DOCS").is_ok() {
        std::fs::write(path, &pretty).unwrap();
    }
    let checked_in = std::fs::read_to_string(path)
        .expect("docs/openapi.json (regenerate with PORTCULLIS_UPDATE_DOCS=1)");
    assert!(
        checked_in == pretty,
        "docs/openapi.json is stale: run PORTCULLIS_UPDATE_DOCS=1 cargo test -p portcullis --test http operations"
    );
    let spec = oas3::from_json(&checked_in).expect("a valid OpenAPI 3.1 document");
    assert!(spec.openapi.starts_with("3.1"));
    assert!(
        spec.components
            .as_ref()
            .unwrap()
            .schemas
            .contains_key("ClientPayload")
    );

    // A Management token with one unrelated scope: each operation must be
    // routed (not 404/405) and refuse it naming its own scope.
    let (mid, msecret) = srv.new_m2m("scoped").await;
    let (st, _) = srv.api(Method::POST, "/client-grants", Some(json!({"client_id": mid, "audience": srv.management_audience(), "scope": ["read:stats"]}))).await;
    let scope = if st == StatusCode::CREATED {
        "read:stats"
    } else {
        let (st, b) = srv.api(Method::POST, "/client-grants", Some(json!({"client_id": mid, "audience": srv.management_audience(), "scope": ["read:logs"]}))).await;
        assert_eq!(st, StatusCode::CREATED, "{b}");
        "read:logs"
    };
    let token = srv
        .client_token(&mid, &msecret, &srv.management_audience())
        .await;
    let mut checked = 0;
    for (path, item) in served["paths"].as_object().unwrap() {
        for (method, op) in item.as_object().unwrap() {
            let required = op["x-required-scope"].as_str().unwrap();
            if required == scope {
                continue;
            }
            let concrete = path
                .split('/')
                .map(|s| if s.starts_with('{') { "x" } else { s })
                .collect::<Vec<_>>()
                .join("/");
            let m = Method::from_bytes(method.to_uppercase().as_bytes()).unwrap();
            let body = if op.get("requestBody").is_some() {
                Some(json!({}))
            } else {
                None
            };
            let (st, b) = srv.api_with(&token, m, &concrete, body).await;
            assert_eq!(st, StatusCode::FORBIDDEN, "{method} {path}: {b}");
            assert!(
                b["message"].as_str().unwrap().contains(required),
                "{method} {path} names {required}: {b}"
            );
            checked += 1;
        }
    }
    assert!(checked > 40, "{checked}");
}

/// A full login, refresh and management session at debug level, with JSON
/// logs and the audit stream on stdout: no line carries a password, a secret,
/// a code or a token.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn logs_never_carry_secrets_passwords_or_tokens() {
    let admin_secret = "logs-admin-secret-0123456789abcdefghij";
    let log_dir = tempfile::tempdir().unwrap();
    let err_path = log_dir.path().join("stderr.log");
    let err_file = std::fs::File::create(&err_path).unwrap();
    let srv = ServerProcess::start(
        &[
            ("PORTCULLIS_BOOTSTRAP_CLIENT_ID", "logs-admin"),
            ("PORTCULLIS_BOOTSTRAP_CLIENT_SECRET", admin_secret),
            ("PORTCULLIS_LOG_FORMAT", "json"),
            ("PORTCULLIS_AUDIT_LOG", "stdout"),
            ("RUST_LOG", "debug"),
        ],
        Stdio::from(err_file),
    );
    let url = srv.url.trim_end_matches('/').to_string();
    let http = reqwest::Client::new();
    let mut secrets: Vec<String> = vec![admin_secret.into(), PASSWORD.into()];
    let token = |form: Vec<(&'static str, String)>| {
        let http = http.clone();
        let url = url.clone();
        async move {
            let res = http
                .post(format!("{url}/oauth/token"))
                .form(&form)
                .send()
                .await
                .unwrap();
            let st = res.status();
            let v: Value = res.json().await.unwrap();
            assert_eq!(st, StatusCode::OK, "{v}");
            v
        }
    };
    let admin = token(vec![
        ("grant_type", "client_credentials".into()),
        ("client_id", "logs-admin".into()),
        ("client_secret", admin_secret.into()),
        ("audience", format!("{url}/api/v2/")),
    ])
    .await;
    let at = admin["access_token"].as_str().unwrap().to_string();
    secrets.push(at.clone());
    let api = |m: Method, p: &str, b: Value| {
        let (http, url, at) = (http.clone(), url.clone(), at.clone());
        let p = p.to_string();
        async move {
            let res = http
                .request(m, format!("{url}/api/v2{p}"))
                .bearer_auth(at)
                .json(&b)
                .send()
                .await
                .unwrap();
            assert!(res.status().is_success(), "{p}: {}", res.status());
            res.json::<Value>().await.unwrap_or(Value::Null)
        }
    };
    let spa = api(
        Method::POST,
        "/clients",
        json!({"name": "Shop", "app_type": "spa", "callbacks": [CALLBACK]}),
    )
    .await;
    let spa_id = spa["client_id"].as_str().unwrap().to_string();
    let m2m = api(
        Method::POST,
        "/clients",
        json!({"name": "Worker", "app_type": "non_interactive"}),
    )
    .await;
    secrets.push(m2m["client_secret"].as_str().unwrap().into());
    api(Method::POST, "/users", json!({"connection": "Username-Password-Authentication", "email": "ada@example.com", "password": PASSWORD})).await;
    let rotated = api(
        Method::POST,
        &format!(
            "/clients/{}/rotate-secret",
            m2m["client_id"].as_str().unwrap()
        ),
        json!({}),
    )
    .await;
    secrets.push(rotated["client_secret"].as_str().unwrap().into());

    let mut b = Browser::at(&url);
    let to = b
        .authorize(&code_params(
            &spa_id,
            &[("scope", "openid profile email offline_access")],
        ))
        .await;
    let back = b.submit_login(&to, "ada@example.com", PASSWORD).await;
    let code = back.redirect_params()["code"].clone();
    secrets.push(code.clone());
    let t = token(vec![
        ("grant_type", "authorization_code".into()),
        ("client_id", spa_id.clone()),
        ("code", code),
        ("redirect_uri", CALLBACK.into()),
        ("code_verifier", VERIFIER.into()),
    ])
    .await;
    for k in ["access_token", "id_token", "refresh_token"] {
        secrets.push(t[k].as_str().unwrap().into());
    }
    let r = token(vec![
        ("grant_type", "refresh_token".into()),
        ("client_id", spa_id.clone()),
        ("refresh_token", t["refresh_token"].as_str().unwrap().into()),
    ])
    .await;
    for k in ["access_token", "id_token", "refresh_token"] {
        secrets.push(r[k].as_str().unwrap().into());
    }
    // A wrong password is logged as a failure, without the password.
    let mut b2 = Browser::at(&url);
    let to = b2.authorize(&code_params(&spa_id, &[])).await;
    b2.submit_login(&to, "ada@example.com", "Wr0ng-Passw0rd-xyz")
        .await;
    secrets.push("Wr0ng-Passw0rd-xyz".into());
    tokio::time::sleep(std::time::Duration::from_millis(500)).await;
    let mut srv = srv;
    let _ = srv.child.kill();
    let _ = srv.child.wait();
    let mut stdout_text = String::new();
    std::io::Read::read_to_string(&mut srv.stdout, &mut stdout_text).unwrap();
    assert!(
        stdout_text.contains("\"type\":\"s\"") && stdout_text.contains("\"type\":\"fp\""),
        "the audit stream has the logins: {stdout_text}"
    );
    let stderr_text = std::fs::read_to_string(&err_path).unwrap();
    assert!(stderr_text.lines().count() > 20, "debug logs were written");
    assert!(
        stderr_text
            .lines()
            .all(|l| l.trim().is_empty() || serde_json::from_str::<Value>(l).is_ok()),
        "JSON lines only"
    );
    for s in &secrets {
        assert!(
            !stderr_text.contains(s.as_str()),
            "a secret reached the logs: {}…",
            &s[..8.min(s.len())]
        );
        assert!(
            !stdout_text.contains(s.as_str()),
            "a secret reached the audit stream: {}…",
            &s[..8.min(s.len())]
        );
    }
}

/// docs/configuration.md is generated from the settings' definitions.
#[test]
fn configuration_reference_is_current() {
    let md = portcullis::config::reference_markdown();
    let path = concat!(env!("CARGO_MANIFEST_DIR"), "/../../docs/configuration.md");
    if std::env::var("PORTCULLIS_UPDATE_DOCS").is_ok() {
        std::fs::write(path, &md).unwrap();
    }
    let checked_in = std::fs::read_to_string(path).unwrap_or_default();
    assert!(
        checked_in == md,
        "docs/configuration.md is stale: run PORTCULLIS_UPDATE_DOCS=1 cargo test -p portcullis --test http operations"
    );
    for setting in [
        "PORTCULLIS_ISSUER",
        "PORTCULLIS_KEY_ROTATION_DAYS",
        "PORTCULLIS_AUDIT_LOG",
        "PORTCULLIS_SCRIPT_TIMEOUT_MS",
    ] {
        assert!(md.contains(setting), "{setting}");
    }
}

on_both_backends!(cleanup_removes_expired_state_under_one_lease);

/// Expired codes, sessions and refresh tokens are removed by whichever node
/// holds the clean-up lease; another node does nothing until it lapses.
async fn cleanup_removes_expired_state_under_one_lease(srv: crate::support::TestServer) {
    let app = crate::browser::spa(&srv, json!({})).await;
    crate::browser::user(&srv, "ada@example.com").await;
    let mut b = Browser::new(&srv);
    let to = b
        .authorize(&code_params(&app, &[("scope", "openid offline_access")]))
        .await;
    let back = b.submit_login(&to, "ada@example.com", PASSWORD).await;
    let code = back.redirect_params()["code"].clone();
    let (st, t) = crate::browser::exchange(&srv, &app, &code).await;
    assert_eq!(st, StatusCode::OK, "{t}");
    let to = b.authorize(&code_params(&app, &[])).await;
    assert!(
        to.redirect_params().contains_key("code"),
        "an unexchanged code"
    );
    let state = &srv.server.as_ref().unwrap().state;
    let nothing = portcullis::jobs::clean_once(&state.store, "node-a", state.now())
        .await
        .unwrap()
        .unwrap();
    assert_eq!(
        nothing.codes + nothing.sessions + nothing.refresh_tokens,
        0,
        "nothing live is removed"
    );
    assert!(
        portcullis::jobs::clean_once(&state.store, "node-b", state.now())
            .await
            .unwrap()
            .is_none(),
        "node-a holds the lease"
    );
    state.advance_clock(40 * 86_400);
    let cleaned = portcullis::jobs::clean_once(&state.store, "node-a", state.now())
        .await
        .unwrap()
        .unwrap();
    assert!(
        cleaned.codes >= 1 && cleaned.sessions >= 1 && cleaned.refresh_tokens >= 1,
        "{cleaned:?}"
    );
    state.advance_clock(601);
    assert!(
        portcullis::jobs::clean_once(&state.store, "node-b", state.now())
            .await
            .unwrap()
            .is_some(),
        "the lapsed lease passes on"
    );
    let (st, body, _) = srv
        .token_form(&[
            ("grant_type", "refresh_token"),
            ("client_id", &app),
            ("refresh_token", t["refresh_token"].as_str().unwrap()),
        ])
        .await;
    assert_eq!(st, StatusCode::FORBIDDEN, "{body}");
}

on_both_backends!(cleanup_removes_a_backlog_larger_than_one_write);

/// A backlog of more expired codes than one clean-up write removes (1,000) is
/// removed in one pass, chunk after chunk, and nothing live with it.
async fn cleanup_removes_a_backlog_larger_than_one_write(srv: crate::support::TestServer) {
    let app = crate::browser::spa(&srv, json!({})).await;
    crate::browser::user(&srv, "ada@example.com").await;
    let mut b = Browser::new(&srv);
    let to = b.authorize(&code_params(&app, &[])).await;
    let back = b.submit_login(&to, "ada@example.com", PASSWORD).await;
    assert!(back.redirect_params().contains_key("code"));
    // The session issues a code per authorize: 2,100 codes, 2,101 with the first.
    for _ in 0..2_100 {
        let to = b.authorize(&code_params(&app, &[])).await;
        assert!(to.redirect_params().contains_key("code"));
    }
    let state = &srv.server.as_ref().unwrap().state;
    state.advance_clock(3_600);
    let cleaned = portcullis::jobs::clean_once(&state.store, "node-a", state.now())
        .await
        .unwrap()
        .unwrap();
    assert_eq!(cleaned.codes, 2_101, "{cleaned:?}");
    assert_eq!(cleaned.sessions, 0, "the session is live: {cleaned:?}");
    let to = b.authorize(&code_params(&app, &[])).await;
    assert!(
        to.redirect_params().contains_key("code"),
        "the session still signs the user in"
    );
}

fn alg_of(token: &str) -> String {
    crate::support::jwt_header(token)["alg"]
        .as_str()
        .unwrap()
        .to_string()
}

on_both_backends!(apis_and_applications_choose_their_signing_algorithm);

/// APIs choose the access tokens' algorithm (`signing_alg`) and applications
/// the ID tokens' (`jwt_configuration.alg`): RS256, PS256, ES256, EdDSA, each
/// published in the JWKS and verified independently; a header naming another
/// algorithm than its key's is refused; HS256 is refused at save.
async fn apis_and_applications_choose_their_signing_algorithm(srv: crate::support::TestServer) {
    crate::browser::user(&srv, "ada@example.com").await;
    let mut issued = Vec::new();
    for alg in ["ES256", "PS256", "EdDSA"] {
        let audience = format!("https://{}.example/", alg.to_lowercase());
        let (st, api) = srv
            .api(
                Method::POST,
                "/resource-servers",
                Some(json!({"identifier": audience, "name": alg, "signing_alg": alg})),
            )
            .await;
        assert_eq!(st, StatusCode::CREATED, "{api}");
        let (id, secret) = srv.new_m2m(alg).await;
        let (st, g) = srv
            .api(
                Method::POST,
                "/client-grants",
                Some(json!({"client_id": id, "audience": audience, "scope": []})),
            )
            .await;
        assert_eq!(st, StatusCode::CREATED, "{g}");
        let token = srv.client_token(&id, &secret, &audience).await;
        assert_eq!(alg_of(&token), alg);
        let claims = verify_with_jwks(&srv, &token, &audience).await;
        assert_eq!(claims["sub"], format!("{id}@clients"));
        issued.push((alg, id, secret, audience, token));
    }
    let kinds: Vec<String> = {
        let jwks: Value = srv
            .http
            .get(format!("{}/.well-known/jwks.json", srv.url))
            .send()
            .await
            .unwrap()
            .json()
            .await
            .unwrap();
        jwks["keys"]
            .as_array()
            .unwrap()
            .iter()
            .map(|k| k["kty"].as_str().unwrap().to_string())
            .collect()
    };
    for kty in ["RSA", "EC", "OKP"] {
        assert!(kinds.iter().any(|k| k == kty), "{kty} in {kinds:?}");
    }

    // ID tokens in the application's algorithm; access tokens in the API's.
    let (st, c) = srv
        .api(
            Method::POST,
            "/clients",
            Some(json!({"name": "Legacy", "app_type": "regular_web",
        "grant_types": ["password"], "jwt_configuration": {"alg": "ES256"}})),
        )
        .await;
    assert_eq!(st, StatusCode::CREATED, "{c}");
    let (cid, csecret) = (
        c["client_id"].as_str().unwrap().to_string(),
        c["client_secret"].as_str().unwrap().to_string(),
    );
    let (st, t, _) = srv
        .token_form(&[
            ("grant_type", "password"),
            ("client_id", &cid),
            ("client_secret", &csecret),
            ("username", "ada@example.com"),
            ("password", PASSWORD),
            ("scope", "openid"),
            ("audience", "https://eddsa.example/"),
        ])
        .await;
    assert_eq!(st, StatusCode::OK, "{t}");
    let id_token = t["id_token"].as_str().unwrap();
    assert_eq!(alg_of(id_token), "ES256");
    verify_with_jwks(&srv, id_token, &cid).await;
    let at = t["access_token"].as_str().unwrap();
    assert_eq!(alg_of(at), "EdDSA");
    assert_eq!(userinfo_status(&srv, at).await, StatusCode::OK);
    // Algorithm confusion: the same key id, another algorithm in the header.
    let (_, rest) = at.split_once('.').unwrap();
    use base64::Engine;
    let forged_header = base64::engine::general_purpose::URL_SAFE_NO_PAD
        .encode(json!({"alg": "RS256", "typ": "JWT", "kid": kid_of(at)}).to_string());
    assert_eq!(
        userinfo_status(&srv, &format!("{forged_header}.{rest}")).await,
        StatusCode::UNAUTHORIZED
    );

    let (st, body) = srv
        .api(
            Method::POST,
            "/clients",
            Some(json!({"name": "HS", "jwt_configuration": {"alg": "HS256"}})),
        )
        .await;
    assert_eq!(st, StatusCode::BAD_REQUEST);
    assert!(
        body["message"].as_str().unwrap().contains("HS256"),
        "{body}"
    );
    let (st, _) = srv
        .api(
            Method::POST,
            "/resource-servers",
            Some(
                json!({"identifier": "https://none.example/", "name": "x", "signing_alg": "none"}),
            ),
        )
        .await;
    assert_eq!(st, StatusCode::BAD_REQUEST);

    // A rotation rotates every algorithm in use; earlier tokens still verify.
    let (st, _) = srv.api(Method::POST, "/keys/signing/rotate", None).await;
    assert_eq!(st, StatusCode::CREATED);
    for (alg, id, secret, audience, before) in &issued {
        let after = srv.client_token(id, secret, audience).await;
        assert_eq!(alg_of(&after), *alg);
        assert_ne!(kid_of(&after), kid_of(before), "{alg} rotated");
        verify_with_jwks(&srv, before, audience).await;
    }
}
