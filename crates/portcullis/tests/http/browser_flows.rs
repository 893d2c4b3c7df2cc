//! The browser flows over real HTTP: /authorize, the hosted login page, sessions
//! and SSO, the code exchange, implicit and hybrid responses, /userinfo, logout.

use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use reqwest::{Method, StatusCode};
use serde_json::{Value, json};

use crate::browser::{Browser, CALLBACK, PASSWORD, code_params, exchange, spa, user};
use crate::support::{on_both_backends, verify_with_jwks};

const API: &str = "https://orders.example/";

fn claims_of(jwt: &str) -> Value {
    serde_json::from_slice(
        &URL_SAFE_NO_PAD
            .decode(jwt.split('.').nth(1).unwrap())
            .unwrap(),
    )
    .unwrap()
}

async fn userinfo(srv: &crate::support::TestServer, token: &str) -> (StatusCode, Value) {
    let res = srv
        .http
        .get(format!("{}/userinfo", srv.url))
        .bearer_auth(token)
        .send()
        .await
        .unwrap();
    let st = res.status();
    (st, res.json().await.unwrap_or(Value::Null))
}

on_both_backends!(
    code_flow_with_pkce_issues_auth0_shaped_tokens,
    session_gives_single_sign_on_until_logout,
    replayed_code_is_invalid_grant_and_revokes_first_tokens,
    code_exchange_checks_verifier_redirect_uri_and_client,
    untrusted_redirect_uri_shows_an_error_page_and_never_redirects,
    other_authorize_errors_redirect_back_with_state,
    implicit_and_hybrid_responses_carry_bound_tokens,
    max_age_forces_login_and_adds_auth_time
);

/// Seed 002: code + PKCE, then the token endpoint returns an ID token and an
/// access token with exactly the claims Auth0 puts in them.
async fn code_flow_with_pkce_issues_auth0_shaped_tokens(srv: crate::support::TestServer) {
    srv.api(
        Method::POST,
        "/resource-servers",
        Some(json!({"identifier": API, "scopes": [{"value": "read:orders"}]})),
    )
    .await;
    let client = spa(&srv, json!({})).await;
    let uid = user(&srv, "ada@example.com").await;
    let mut b = Browser::new(&srv);
    let to_login = b
        .authorize(&code_params(
            &client,
            &[
                ("audience", API),
                ("scope", "openid profile email read:orders write:orders"),
            ],
        ))
        .await;
    let back = b.submit_login(&to_login, "ada@example.com", PASSWORD).await;
    assert_eq!(back.status, StatusCode::FOUND, "{}", back.body);
    assert!(
        back.location
            .as_deref()
            .unwrap()
            .starts_with(&format!("{CALLBACK}?"))
    );
    let p = back.redirect_params();
    assert_eq!(p["state"], "st4te");
    let (st, tokens) = exchange(&srv, &client, &p["code"]).await;
    assert_eq!(st, StatusCode::OK, "{tokens}");
    assert_eq!(tokens["token_type"], "Bearer");
    assert_eq!(tokens["expires_in"], 86400);
    assert_eq!(tokens["scope"], "openid profile email read:orders");
    let id = verify_with_jwks(&srv, tokens["id_token"].as_str().unwrap(), &client).await;
    assert_eq!(id["iss"], srv.issuer);
    assert_eq!(id["sub"], uid);
    assert_eq!(id["aud"], client);
    assert_eq!(id["nonce"], "n0nce");
    assert!(id["sid"].is_string());
    assert_eq!(
        id["exp"].as_i64().unwrap() - id["iat"].as_i64().unwrap(),
        36000
    );
    assert_eq!(id["name"], "Ada Lovelace");
    assert_eq!(id["given_name"], "Ada");
    assert_eq!(id["nickname"], "ada");
    assert_eq!(id["email"], "ada@example.com");
    assert_eq!(id["email_verified"], true);
    assert!(
        id["updated_at"].as_str().unwrap().ends_with('Z'),
        "ISO string as Auth0 sends it"
    );
    assert!(id.get("auth_time").is_none(), "only when max_age was sent");
    let at = verify_with_jwks(&srv, tokens["access_token"].as_str().unwrap(), API).await;
    assert_eq!(at["aud"], json!([API, format!("{}userinfo", srv.issuer)]));
    assert_eq!(at["sub"], uid);
    assert_eq!(at["azp"], client);
    assert_eq!(at["scope"], "openid profile email read:orders");
    let (st, info) = userinfo(&srv, tokens["access_token"].as_str().unwrap()).await;
    assert_eq!(st, StatusCode::OK, "{info}");
    assert_eq!(info["sub"], uid);
    assert_eq!(info["email"], "ada@example.com");
    assert_eq!(info["name"], "Ada Lovelace");
}

/// A second /authorize from another application skips the login page (SSO),
/// and prompt=none answers silently; logout ends it.
async fn session_gives_single_sign_on_until_logout(srv: crate::support::TestServer) {
    let a = spa(&srv, json!({})).await;
    let b_app = spa(&srv, json!({"name": "Blog"})).await;
    user(&srv, "ada@example.com").await;
    let mut b = Browser::new(&srv);
    let silent = b.authorize(&code_params(&a, &[("prompt", "none")])).await;
    assert_eq!(silent.redirect_params()["error"], "login_required");
    let to_login = b.authorize(&code_params(&a, &[])).await;
    let first = b.submit_login(&to_login, "ada@example.com", PASSWORD).await;
    let sid_a = claims_of(
        exchange(&srv, &a, &first.redirect_params()["code"]).await.1["id_token"]
            .as_str()
            .unwrap(),
    )["sid"]
        .clone();
    let second = b.authorize(&code_params(&b_app, &[])).await;
    assert_eq!(second.status, StatusCode::FOUND);
    assert!(
        second.location.as_deref().unwrap().starts_with(CALLBACK),
        "no login page: {:?}",
        second.location
    );
    let (st, t) = exchange(&srv, &b_app, &second.redirect_params()["code"]).await;
    assert_eq!(st, StatusCode::OK);
    assert_eq!(
        claims_of(t["id_token"].as_str().unwrap())["sid"],
        sid_a,
        "one session, one sid"
    );
    let silent = b
        .authorize(&code_params(
            &a,
            &[("prompt", "none"), ("response_mode", "web_message")],
        ))
        .await;
    assert_eq!(silent.status, StatusCode::OK);
    assert!(
        silent.body.contains("authorization_response") && silent.body.contains("\"code\""),
        "{}",
        silent.body
    );
    assert!(
        silent.headers["content-security-policy"]
            .to_str()
            .unwrap()
            .contains("frame-ancestors https://app.example")
    );
    assert!(
        silent.headers.get("x-frame-options").is_none(),
        "the page must load in the app's iframe"
    );
    let out = b
        .get(&format!(
            "/v2/logout?client_id={a}&returnTo=https%3A%2F%2Fapp.example%2Fbye"
        ))
        .await;
    assert_eq!(out.status, StatusCode::FOUND);
    assert_eq!(out.location.as_deref(), Some("https://app.example/bye"));
    let after = b.authorize(&code_params(&a, &[("prompt", "none")])).await;
    assert_eq!(after.redirect_params()["error"], "login_required");
    let (_, logs) = srv.api(Method::GET, "/logs?q=type%3Aslo", None).await;
    assert_eq!(logs.as_array().unwrap().len(), 1);
}

/// RFC 6749 §4.1.2: a code redeems once; a replay fails and revokes the access
/// token the first redemption issued.
async fn replayed_code_is_invalid_grant_and_revokes_first_tokens(srv: crate::support::TestServer) {
    let a = spa(&srv, json!({})).await;
    user(&srv, "ada@example.com").await;
    let mut b = Browser::new(&srv);
    let to_login = b.authorize(&code_params(&a, &[])).await;
    let code = b
        .submit_login(&to_login, "ada@example.com", PASSWORD)
        .await
        .redirect_params()["code"]
        .clone();
    let (st, first) = exchange(&srv, &a, &code).await;
    assert_eq!(st, StatusCode::OK);
    let token = first["access_token"].as_str().unwrap();
    assert_eq!(userinfo(&srv, token).await.0, StatusCode::OK);
    let (st, again) = exchange(&srv, &a, &code).await;
    assert_eq!(st, StatusCode::FORBIDDEN);
    assert_eq!(again["error"], "invalid_grant");
    assert_eq!(userinfo(&srv, token).await.0, StatusCode::UNAUTHORIZED);
    let (_, logs) = srv.api(Method::GET, "/logs?q=type%3Afeacft", None).await;
    assert_eq!(logs.as_array().unwrap().len(), 1);
    let (_, logs) = srv.api(Method::GET, "/logs?q=type%3Aseacft", None).await;
    assert_eq!(logs.as_array().unwrap().len(), 1);
}

/// The exchange refuses a wrong verifier, a different redirect_uri, another
/// client, garbage; a failed exchange does not spend... the code is spent.
async fn code_exchange_checks_verifier_redirect_uri_and_client(srv: crate::support::TestServer) {
    let a = spa(&srv, json!({})).await;
    let other = spa(&srv, json!({"name": "Other"})).await;
    user(&srv, "ada@example.com").await;
    let mut b = Browser::new(&srv);
    let mut codes = Vec::new();
    for _ in 0..4 {
        let to = b.authorize(&code_params(&a, &[("prompt", "login")])).await;
        codes.push(
            b.submit_login(&to, "ada@example.com", PASSWORD)
                .await
                .redirect_params()["code"]
                .clone(),
        );
    }
    let cases: Vec<(&str, Vec<(&str, &str)>)> = vec![
        (
            "wrong verifier",
            vec![
                ("client_id", &a),
                ("code", &codes[0]),
                ("redirect_uri", CALLBACK),
                (
                    "code_verifier",
                    "dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXK",
                ),
            ],
        ),
        (
            "other redirect_uri",
            vec![
                ("client_id", &a),
                ("code", &codes[1]),
                ("redirect_uri", "https://app.example/callback/"),
                ("code_verifier", crate::browser::VERIFIER),
            ],
        ),
        (
            "other client",
            vec![
                ("client_id", &other),
                ("code", &codes[2]),
                ("redirect_uri", CALLBACK),
                ("code_verifier", crate::browser::VERIFIER),
            ],
        ),
        (
            "garbage code",
            vec![
                ("client_id", &a),
                ("code", "garbage"),
                ("redirect_uri", CALLBACK),
                ("code_verifier", crate::browser::VERIFIER),
            ],
        ),
    ];
    for (what, mut form) in cases {
        form.push(("grant_type", "authorization_code"));
        let (st, body, _) = srv.token_form(&form).await;
        assert_eq!(st, StatusCode::FORBIDDEN, "{what}: {body}");
        assert_eq!(body["error"], "invalid_grant", "{what}");
    }
    let (st, body, _) = srv
        .token_form(&[
            ("grant_type", "authorization_code"),
            ("client_id", &a),
            ("code", &codes[3]),
            ("redirect_uri", CALLBACK),
        ])
        .await;
    assert_eq!(st, StatusCode::BAD_REQUEST, "{body}");
    assert_eq!(body["error"], "invalid_request");
}

/// RFC 6749 §4.1.2.1: an unknown client or a redirect_uri that is not
/// registered exactly gets an error page, never a redirect.
async fn untrusted_redirect_uri_shows_an_error_page_and_never_redirects(
    srv: crate::support::TestServer,
) {
    let a = spa(&srv, json!({})).await;
    let mut b = Browser::new(&srv);
    for uri in [
        "https://app.example/callback/",
        "https://app.example:8443/callback",
        "https://evil.example/callback",
        "https://app.example/callback?x=1",
    ] {
        let p = b
            .authorize(&code_params(&a, &[("redirect_uri", uri)]))
            .await;
        assert_eq!(p.status, StatusCode::BAD_REQUEST, "{uri}");
        assert!(p.location.is_none());
        assert!(p.body.contains("Callback URL mismatch"), "{}", p.body);
        assert!(
            p.headers["content-security-policy"]
                .to_str()
                .unwrap()
                .contains("frame-ancestors 'none'")
        );
        assert_eq!(p.headers["x-frame-options"], "DENY");
    }
    let p = b.authorize(&code_params("nobody", &[])).await;
    assert_eq!(p.status, StatusCode::BAD_REQUEST);
    assert!(p.location.is_none());
    let p = b
        .get(&format!(
            "/authorize?client_id={a}&client_id={a}&redirect_uri={CALLBACK}"
        ))
        .await;
    assert_eq!(p.status, StatusCode::BAD_REQUEST);
    assert!(p.location.is_none());
}

/// Every other error goes back to the app with `state`.
async fn other_authorize_errors_redirect_back_with_state(srv: crate::support::TestServer) {
    let a = spa(&srv, json!({})).await;
    let mut b = Browser::new(&srv);
    let cases: Vec<(Vec<(&str, &str)>, &str)> = vec![
        (
            vec![("response_type", "magic")],
            "unsupported_response_type",
        ),
        (vec![("code_challenge_method", "plain")], "invalid_request"),
        (vec![("scope", "openid bad\\scope")], "invalid_scope"),
        (
            vec![("response_type", "token"), ("response_mode", "query")],
            "invalid_request",
        ),
        (vec![("audience", "https://nowhere/")], "access_denied"),
        (vec![("prompt", "none")], "login_required"),
        (vec![("max_age", "-1")], "invalid_request"),
    ];
    for (extra, error) in cases {
        let p = b.authorize(&code_params(&a, &extra)).await;
        assert_eq!(p.status, StatusCode::FOUND, "{extra:?}: {}", p.body);
        let params = p.redirect_params();
        assert_eq!(params["error"], error, "{extra:?}");
        assert_eq!(params["state"], "st4te");
        assert!(params.contains_key("error_description"));
    }
}

/// Implicit and hybrid: tokens in the fragment (or a form_post page), with
/// at_hash / c_hash binding them to the ID token.
async fn implicit_and_hybrid_responses_carry_bound_tokens(srv: crate::support::TestServer) {
    let a = spa(&srv, json!({})).await;
    user(&srv, "ada@example.com").await;
    let mut b = Browser::new(&srv);
    let to = b
        .authorize(&code_params(&a, &[("response_type", "id_token token")]))
        .await;
    let back = b.submit_login(&to, "ada@example.com", PASSWORD).await;
    assert!(
        back.location
            .as_deref()
            .unwrap()
            .starts_with(&format!("{CALLBACK}#"))
    );
    let p = back.redirect_params();
    let id = verify_with_jwks(&srv, &p["id_token"], &a).await;
    assert_eq!(id["nonce"], "n0nce");
    assert_eq!(
        id["at_hash"],
        portcullis_core::tokens::half_hash(&p["access_token"])
    );
    assert_eq!(p["expires_in"], "86400");
    let hybrid = b
        .authorize(&code_params(
            &a,
            &[
                ("response_type", "code id_token"),
                ("response_mode", "form_post"),
            ],
        ))
        .await;
    assert_eq!(hybrid.status, StatusCode::OK, "{}", hybrid.body);
    // minijinja escapes `/` as `&#x2f;` in attributes; browsers decode it.
    assert!(
        hybrid
            .body
            .replace("&#x2f;", "/")
            .contains(&format!("action=\"{CALLBACK}\"")),
        "{}",
        hybrid.body
    );
    let code = hybrid.input("code");
    let id = claims_of(&hybrid.input("id_token"));
    assert_eq!(id["c_hash"], portcullis_core::tokens::half_hash(&code));
    assert_eq!(hybrid.input("state"), "st4te");
    let csp = hybrid.headers["content-security-policy"]
        .to_str()
        .unwrap()
        .to_string();
    assert!(csp.contains("form-action https://app.example"), "{csp}");
    let (st, _) = exchange(&srv, &a, &code).await;
    assert_eq!(st, StatusCode::OK);
}

/// max_age=0 forces a fresh login and puts auth_time in the ID token.
async fn max_age_forces_login_and_adds_auth_time(srv: crate::support::TestServer) {
    let a = spa(&srv, json!({})).await;
    user(&srv, "ada@example.com").await;
    let mut b = Browser::new(&srv);
    let to = b.authorize(&code_params(&a, &[])).await;
    b.submit_login(&to, "ada@example.com", PASSWORD).await;
    tokio::time::sleep(std::time::Duration::from_millis(1100)).await;
    let again = b.authorize(&code_params(&a, &[("max_age", "0")])).await;
    assert!(
        again.location.as_deref().unwrap().starts_with("/u/login"),
        "{:?}",
        again.location
    );
    let back = b.submit_login(&again, "ada@example.com", PASSWORD).await;
    let (_, t) = exchange(&srv, &a, &back.redirect_params()["code"]).await;
    assert!(claims_of(t["id_token"].as_str().unwrap())["auth_time"].is_i64());
}
