//! OpenID Connect Back-Channel Logout 1.0 (issue 22): applications register
//! `oidc_logout.backchannel_logout_urls`; when a session ends (logout, the
//! Management API), each application it signed in to receives a signed
//! logout token, retried, with an audit event per delivery. The receiver is
//! a listener started by the test; it checks each token with the
//! `jsonwebtoken` crate against the published JWKS (independent JOSE).

use std::sync::{Arc, Mutex};

use reqwest::{Method, StatusCode};
use serde_json::{Value, json};

use crate::browser::{Browser, PASSWORD, code_params, exchange, spa, user};
use crate::support::{TestServer, on_both_backends, verify_with_jwks};

const EVENT: &str = "http://schemas.openid.net/event/backchannel-logout";

/// A logout receiver on 127.0.0.1: the tokens it took (by path), answering
/// 500 to the first `fail_first` requests.
struct Receiver {
    base: String,
    got: Arc<Mutex<Vec<(String, String)>>>,
}

async fn receiver(fail_first: usize) -> Receiver {
    let got: Arc<Mutex<Vec<(String, String)>>> = Default::default();
    let seen = Arc::new(Mutex::new(0usize));
    let (g, s) = (got.clone(), seen.clone());
    let app = axum::Router::new().fallback(
        move |uri: axum::http::Uri, headers: axum::http::HeaderMap, body: String| {
            let (g, s) = (g.clone(), s.clone());
            async move {
                let n = {
                    let mut s = s.lock().unwrap();
                    *s += 1;
                    *s
                };
                if n <= fail_first {
                    return StatusCode::INTERNAL_SERVER_ERROR;
                }
                assert_eq!(
                    headers.get("content-type").map(|v| v.to_str().unwrap()),
                    Some("application/x-www-form-urlencoded"),
                    "§2.5: a form POST"
                );
                let token = form_urlencoded::parse(body.as_bytes())
                    .find(|(k, _)| k == "logout_token")
                    .map(|(_, v)| v.into_owned())
                    .unwrap_or_default();
                g.lock().unwrap().push((uri.path().to_string(), token));
                StatusCode::OK
            }
        },
    );
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let base = format!("http://{}", listener.local_addr().unwrap());
    tokio::spawn(async move { axum::serve(listener, app).await.unwrap() });
    Receiver { base, got }
}

impl Receiver {
    /// Waits (up to `secs`) for `n` tokens.
    async fn wait_for(&self, n: usize, secs: u64) -> Vec<(String, String)> {
        for _ in 0..secs * 10 {
            if self.got.lock().unwrap().len() >= n {
                break;
            }
            tokio::time::sleep(std::time::Duration::from_millis(100)).await;
        }
        self.got.lock().unwrap().clone()
    }
}

/// Signs in to `client` in `b`; the ID token's claims.
async fn sign_in(srv: &TestServer, b: &mut Browser, client: &str, first: bool) -> Value {
    let start = b.authorize(&code_params(client, &[])).await;
    let back = if first {
        b.submit_login(&start, "ada@example.com", PASSWORD).await
    } else {
        start
    };
    let (st, t) = exchange(srv, client, &back.redirect_params()["code"]).await;
    assert_eq!(st, StatusCode::OK, "{t}");
    verify_with_jwks(srv, t["id_token"].as_str().unwrap(), client).await
}

async fn logs_of(srv: &TestServer, t: &str) -> Vec<Value> {
    for _ in 0..100 {
        let (_, logs) = srv
            .api(
                Method::GET,
                &format!("/logs?q=type%3A{t}&per_page=100"),
                None,
            )
            .await;
        let logs = logs.as_array().cloned().unwrap_or_default();
        if !logs.is_empty() {
            return logs;
        }
        tokio::time::sleep(std::time::Duration::from_millis(100)).await;
    }
    Vec::new()
}

/// Checks a logout token as an RP must (§2.6): signature by a published key,
/// `iss`, `aud`, the event, `sid`/`sub`, no `nonce`.
async fn check_token(srv: &TestServer, token: &str, client: &str, sid: &str, sub: &str) {
    let claims = verify_with_jwks(srv, token, client).await;
    assert_eq!(claims["events"], json!({EVENT: {}}), "{claims}");
    assert_eq!(claims["sid"], json!(sid));
    assert_eq!(claims["sub"], json!(sub));
    assert!(claims.get("nonce").is_none(), "§2.4: no nonce");
    assert!(claims["jti"].as_str().is_some_and(|j| !j.is_empty()));
    assert_eq!(
        claims["exp"].as_i64().unwrap() - claims["iat"].as_i64().unwrap(),
        120
    );
}

on_both_backends!(
    logout_tells_each_application_that_had_the_session,
    deliveries_are_retried_and_each_is_audited,
    backchannel_logout_urls_are_checked_when_registered,
);

async fn logout_tells_each_application_that_had_the_session(srv: TestServer) {
    let r = receiver(0).await;
    let uid = user(&srv, "ada@example.com").await;
    let a = spa(
        &srv,
        json!({"name": "A", "oidc_logout": {"backchannel_logout_urls": [format!("{}/a", r.base)]}}),
    )
    .await;
    let b_app = spa(
        &srv,
        json!({"name": "B", "oidc_logout": {"backchannel_logout_urls": [format!("{}/b", r.base)],
                                 "backchannel_logout_initiators": {"mode": "all"}}}),
    )
    .await;
    let quiet = spa(&srv, json!({"name": "C"})).await;
    let (_, shown) = srv
        .api(Method::GET, &format!("/clients/{b_app}"), None)
        .await;
    assert_eq!(
        shown["oidc_logout"]["backchannel_logout_urls"],
        json!([format!("{}/b", r.base)])
    );
    let mut b = Browser::new(&srv);
    let id_a = sign_in(&srv, &mut b, &a, true).await;
    let id_b = sign_in(&srv, &mut b, &b_app, false).await;
    sign_in(&srv, &mut b, &quiet, false).await;
    let sid = id_a["sid"].as_str().unwrap().to_string();
    assert_eq!(id_b["sid"], json!(sid), "one session");
    assert!(
        r.got.lock().unwrap().is_empty(),
        "nothing before the logout"
    );

    let out = b.get("/v2/logout").await;
    assert!(out.status.is_success() || out.status.is_redirection());
    let got = r.wait_for(2, 10).await;
    assert_eq!(got.len(), 2, "A and B, not C: {got:?}");
    for (path, token) in &got {
        let client = if path == "/a" { &a } else { &b_app };
        check_token(&srv, token, client, &sid, &uid).await;
    }
    assert_eq!(
        logs_of(&srv, "oidc_backchannel_logout_succeeded")
            .await
            .len(),
        2
    );

    // A new session ended through the Management API tells A too.
    let mut b2 = Browser::new(&srv);
    let id = sign_in(&srv, &mut b2, &a, true).await;
    let sid2 = id["sid"].as_str().unwrap();
    let (st, _) = srv
        .api(Method::DELETE, &format!("/sessions/{sid2}"), None)
        .await;
    assert_eq!(st, StatusCode::NO_CONTENT);
    let got = r.wait_for(3, 10).await;
    assert_eq!(got.len(), 3);
    check_token(&srv, &got[2].1, &a, sid2, &uid).await;
}

async fn deliveries_are_retried_and_each_is_audited(srv: TestServer) {
    // The receiver fails its first answer: the retry delivers.
    let r = receiver(1).await;
    user(&srv, "ada@example.com").await;
    let a = spa(
        &srv,
        json!({"oidc_logout": {"backchannel_logout_urls": [format!("{}/a", r.base)]}}),
    )
    .await;
    // Nobody listens here: every attempt fails.
    let closed = {
        let l = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
        let port = l.local_addr().unwrap().port();
        drop(l);
        format!("http://127.0.0.1:{port}/gone")
    };
    let gone = spa(
        &srv,
        json!({"name": "Gone", "oidc_logout": {"backchannel_logout_urls": [closed]}}),
    )
    .await;
    let mut b = Browser::new(&srv);
    sign_in(&srv, &mut b, &a, true).await;
    sign_in(&srv, &mut b, &gone, false).await;
    b.get("/v2/logout").await;
    let got = r.wait_for(1, 10).await;
    assert_eq!(got.len(), 1, "delivered on the second attempt");
    let ok = logs_of(&srv, "oidc_backchannel_logout_succeeded").await;
    assert_eq!(ok.len(), 1);
    assert_eq!(ok[0]["details"]["attempts"], json!(2), "{}", ok[0]);
    assert_eq!(ok[0]["client_id"], json!(a));
    let mut failed = Vec::new();
    for _ in 0..100 {
        failed = logs_of(&srv, "oidc_backchannel_logout_failed").await;
        if !failed.is_empty() {
            break;
        }
    }
    assert_eq!(failed.len(), 1, "after its retries");
    assert_eq!(failed[0]["client_id"], json!(gone));
    assert_eq!(failed[0]["details"]["attempts"], json!(3));
    assert!(
        !failed[0].to_string().contains("eyJ"),
        "no token in the audit log"
    );
}

async fn backchannel_logout_urls_are_checked_when_registered(srv: TestServer) {
    let client = spa(&srv, json!({})).await;
    let bad = [
        json!({"backchannel_logout_urls": ["http://rp.example/logout"]}),
        json!({"backchannel_logout_urls": ["https://rp.example/logout#x"]}),
        json!({"backchannel_logout_urls": ["not a url"]}),
        json!({"backchannel_logout_urls": (0..6).map(|i| format!("https://rp.example/{i}")).collect::<Vec<_>>()}),
        json!({"backchannel_logout_urls": [], "colour": "red"}),
    ];
    for body in bad {
        let (st, e) = srv
            .api(
                Method::PATCH,
                &format!("/clients/{client}"),
                Some(json!({"oidc_logout": body.clone()})),
            )
            .await;
        assert_eq!(st, StatusCode::BAD_REQUEST, "{body}: {e}");
    }
    let (_, c) = srv
        .api(Method::GET, &format!("/clients/{client}"), None)
        .await;
    assert!(c.get("oidc_logout").is_none(), "nothing stored: {c}");
    let (st, c) = srv
        .api(
            Method::PATCH,
            &format!("/clients/{client}"),
            Some(json!({"oidc_logout": {"backchannel_logout_urls": ["http://localhost:3000/logout"]}})),
        )
        .await;
    assert_eq!(st, StatusCode::OK, "{c}");
}
