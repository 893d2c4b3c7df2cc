//! `/api/v2/tenants/settings` and what its fields change: the default
//! audience, session lifetimes, the tenant's logout URLs, the custom error
//! page and the default redirection URI.

use reqwest::{Method, StatusCode};
use serde_json::json;

use crate::browser::{Browser, PASSWORD, code_params, spa, user};
use crate::support::{TestServer, on_both_backends, verify_with_jwks};

on_both_backends!(
    settings_answer_in_auth0_shape_and_refuse_bad_input_changing_nothing,
    default_audience_applies_when_a_flow_names_none,
    session_lifetimes_end_single_sign_on,
    tenant_logout_urls_error_page_and_default_redirection_apply,
    concurrent_changes_of_different_settings_all_hold
);

/// Two PATCHes of different fields at once: both hold (a read-modify-write
/// that lost one would leave a field at its old value).
async fn concurrent_changes_of_different_settings_all_hold(srv: TestServer) {
    for round in 0..8 {
        let name = format!("Shop {round}");
        let url = format!("https://support.example/{round}");
        let (a, b, c) = tokio::join!(
            patch(&srv, json!({"friendly_name": name})),
            patch(&srv, json!({"support_url": url})),
            patch(&srv, json!({"session_lifetime": 10 + round})),
        );
        for (st, body) in [a, b, c] {
            assert_eq!(st, StatusCode::OK, "{body}");
        }
        let (_, s) = srv.api(Method::GET, "/tenants/settings", None).await;
        assert_eq!(s["friendly_name"], name, "round {round}: {s}");
        assert_eq!(s["support_url"], url, "round {round}: {s}");
        assert_eq!(
            s["session_lifetime"],
            f64::from(10 + round),
            "round {round}: {s}"
        );
    }
}

async fn patch(srv: &TestServer, body: serde_json::Value) -> (StatusCode, serde_json::Value) {
    srv.api(Method::PATCH, "/tenants/settings", Some(body))
        .await
}

async fn settings_answer_in_auth0_shape_and_refuse_bad_input_changing_nothing(srv: TestServer) {
    let (st, s) = srv.api(Method::GET, "/tenants/settings", None).await;
    assert_eq!(st, StatusCode::OK, "{s}");
    assert_eq!(s["session_lifetime"], 168.0);
    assert_eq!(s["idle_session_lifetime"], 72.0);
    assert_eq!(s["allowed_logout_urls"], json!([]));
    let (st, s) = patch(
        &srv,
        json!({"friendly_name": "Example Shop", "support_email": "help@example.com",
               "support_url": "https://example.com/help"}),
    )
    .await;
    assert_eq!(st, StatusCode::OK, "{s}");
    assert_eq!(s["friendly_name"], "Example Shop");
    // Auth0's fields with no setting here: taken out at a value Portcullis
    // behaves as (not stored), refused naming the field otherwise.
    let (st, s) = patch(
        &srv,
        json!({"sandbox_version": "18", "enabled_locales": ["en"],
               "session_cookie": {"mode": "persistent"}, "friendly_name": "Example Shop"}),
    )
    .await;
    assert_eq!(st, StatusCode::OK, "{s}");
    assert!(s.get("sandbox_version").is_none() && s.get("enabled_locales").is_none());
    for (body, needle) in [
        (json!({"enabled_locales": ["en", "de"]}), "enabled_locales"),
        (
            json!({"session_cookie": {"mode": "non-persistent"}}),
            "session_cookie",
        ),
        (json!({"sandbox_versions": "18"}), "sandbox_versions"),
        (
            json!({"default_audience": "https://nowhere.example/"}),
            "default_audience",
        ),
        (
            json!({"default_directory": "google-oauth2"}),
            "default_directory",
        ),
        (json!({"session_lifetime": 0.5}), "session_lifetime"),
        (
            json!({"idle_session_lifetime": 500}),
            "idle_session_lifetime",
        ),
        (
            json!({"default_redirection_uri": "http://app.example/"}),
            "default_redirection_uri",
        ),
        (json!({"error_page": {"html": "<p>oops</p>"}}), "error_page"),
        (json!({"support_email": "nobody"}), "support_email"),
    ] {
        let (st, e) = patch(&srv, body.clone()).await;
        assert_eq!(st, StatusCode::BAD_REQUEST, "{body} -> {e}");
        assert_eq!(e["errorCode"], "invalid_body");
        assert!(e["message"].as_str().unwrap().contains(needle), "{e}");
    }
    let (_, s) = srv.api(Method::GET, "/tenants/settings", None).await;
    assert_eq!(
        s["friendly_name"], "Example Shop",
        "nothing else changed: {s}"
    );
    assert!(s.get("default_audience").is_none(), "{s}");
    assert_eq!(s["session_lifetime"], 168.0);
}

/// A token request that names no API gets one for the default audience, in
/// the password grant and the code flow (Auth0's behaviour).
async fn default_audience_applies_when_a_flow_names_none(srv: TestServer) {
    let api = "https://default.example/";
    let (st, _) = srv
        .api(
            Method::POST,
            "/resource-servers",
            Some(json!({"identifier": api, "scopes": [{"value": "read:x"}]})),
        )
        .await;
    assert_eq!(st, StatusCode::CREATED);
    let (st, s) = patch(&srv, json!({"default_audience": api})).await;
    assert_eq!(st, StatusCode::OK, "{s}");
    user(&srv, "ada@example.com").await;
    let (st, c) = srv
        .api(
            Method::POST,
            "/clients",
            Some(json!({"name": "Inbox", "app_type": "regular_web", "grant_types": ["password"]})),
        )
        .await;
    assert_eq!(st, StatusCode::CREATED);
    let (st, t, _) = srv
        .token_form(&[
            ("grant_type", "password"),
            ("client_id", c["client_id"].as_str().unwrap()),
            ("client_secret", c["client_secret"].as_str().unwrap()),
            ("username", "ada@example.com"),
            ("password", PASSWORD),
            ("scope", "openid read:x"),
        ])
        .await;
    assert_eq!(st, StatusCode::OK, "{t}");
    let claims = verify_with_jwks(&srv, t["access_token"].as_str().unwrap(), api).await;
    assert!(
        claims["scope"].as_str().unwrap().contains("read:x"),
        "{claims}"
    );

    let a = spa(&srv, json!({})).await;
    let mut b = Browser::new(&srv);
    let to = b
        .authorize(&code_params(&a, &[("scope", "openid read:x")]))
        .await;
    let back = b.submit_login(&to, "ada@example.com", PASSWORD).await;
    let code = back.redirect_params()["code"].clone();
    let (st, t) = crate::browser::exchange(&srv, &a, &code).await;
    assert_eq!(st, StatusCode::OK, "{t}");
    verify_with_jwks(&srv, t["access_token"].as_str().unwrap(), api).await;
}

/// A `prompt=none` request: the redirect's parameters.
async fn silent(b: &mut Browser, client: &str) -> std::collections::HashMap<String, String> {
    b.authorize(&code_params(client, &[("prompt", "none")]))
        .await
        .redirect_params()
}

/// `idle_session_lifetime` ends a session left unused; use keeps it alive
/// until `session_lifetime`, which ends it whatever the use.
async fn session_lifetimes_end_single_sign_on(srv: TestServer) {
    let (st, s) = patch(
        &srv,
        json!({"session_lifetime": 2, "idle_session_lifetime": 0.5}),
    )
    .await;
    assert_eq!(st, StatusCode::OK, "{s}");
    let a = spa(&srv, json!({})).await;
    user(&srv, "ada@example.com").await;
    let state = &srv.server.as_ref().unwrap().state;
    let mut b = Browser::new(&srv);
    let to = b.authorize(&code_params(&a, &[])).await;
    let back = b.submit_login(&to, "ada@example.com", PASSWORD).await;
    assert!(back.redirect_params().contains_key("code"));
    // Used every 25 minutes: alive past the idle timeout's first expiry.
    for _ in 0..3 {
        state.advance_clock(25 * 60);
        let p = silent(&mut b, &a).await;
        assert!(p.contains_key("code"), "used within 30 minutes: {p:?}");
    }
    // Past two hours from sign-in: ended, however recently used.
    state.advance_clock(25 * 60);
    let p = silent(&mut b, &a).await;
    assert!(p.contains_key("code"), "1 h 40 min in: {p:?}");
    state.advance_clock(25 * 60);
    let p = silent(&mut b, &a).await;
    assert_eq!(p["error"], "login_required", "past session_lifetime: {p:?}");

    // A new session, left unused for more than 30 minutes.
    let to = b.authorize(&code_params(&a, &[])).await;
    let back = b.submit_login(&to, "ada@example.com", PASSWORD).await;
    assert!(back.redirect_params().contains_key("code"));
    state.advance_clock(31 * 60);
    let p = silent(&mut b, &a).await;
    assert_eq!(p["error"], "login_required", "idle too long: {p:?}");
}

async fn tenant_logout_urls_error_page_and_default_redirection_apply(srv: TestServer) {
    let bye = "https://app.example/bye-all";
    let logout = format!("/v2/logout?returnTo={}", crate::token_endpoint::urlenc(bye));
    let mut b = Browser::new(&srv);
    let refused = b.get(&logout).await;
    assert_eq!(refused.status, StatusCode::BAD_REQUEST);
    let (st, _) = patch(&srv, json!({"allowed_logout_urls": [bye]})).await;
    assert_eq!(st, StatusCode::OK);
    let ok = b.get(&logout).await;
    assert_eq!(ok.location.as_deref(), Some(bye), "{}", ok.body);

    // The custom error page gets what went wrong.
    let (st, _) = patch(
        &srv,
        json!({"error_page": {"url": "https://help.example/error", "show_log_link": false}}),
    )
    .await;
    assert_eq!(st, StatusCode::OK);
    let r = b
        .get("/authorize?client_id=nobody&response_type=code")
        .await;
    let to = r.location.clone().unwrap_or_default();
    assert!(
        to.starts_with("https://help.example/error?error=invalid_request&error_description="),
        "{to} {}",
        r.body
    );

    // A reset with no application to return to links to the default
    // redirection URI.
    let (st, _) = patch(
        &srv,
        json!({"default_redirection_uri": "https://app.example/login"}),
    )
    .await;
    assert_eq!(st, StatusCode::OK);
    let uid = user(&srv, "ada@example.com").await;
    let (st, t) = srv
        .api(
            Method::POST,
            "/tickets/password-change",
            Some(json!({"user_id": uid})),
        )
        .await;
    assert_eq!(st, StatusCode::CREATED);
    let page = b.get(t["ticket"].as_str().unwrap()).await;
    let done = b
        .post_form(
            "/u/reset-password",
            &[
                ("ticket", &page.input("ticket")),
                ("csrf", &page.input("csrf")),
                ("password", "N3w-password!"),
            ],
        )
        .await;
    assert_eq!(done.status, StatusCode::OK);
    assert!(
        done.body
            .replace("&#x2f;", "/")
            .contains("href=\"https://app.example/login\""),
        "{}",
        done.body
    );
}
