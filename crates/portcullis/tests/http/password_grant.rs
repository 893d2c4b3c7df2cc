//! The `password` and `password-realm` grants.

use reqwest::{Method, StatusCode};
use serde_json::json;

use crate::browser::{PASSWORD, user};
use crate::support::{on_both_backends, verify_with_jwks};

async fn app(srv: &crate::support::TestServer, grants: serde_json::Value) -> (String, String) {
    let (st, c) = srv
        .api(
            Method::POST,
            "/clients",
            Some(json!({"name": "Legacy", "app_type": "regular_web", "grant_types": grants})),
        )
        .await;
    assert_eq!(st, StatusCode::CREATED, "{c}");
    (
        c["client_id"].as_str().unwrap().into(),
        c["client_secret"].as_str().unwrap().into(),
    )
}

on_both_backends!(
    password_grant_issues_tokens_for_right_credentials_only,
    password_grant_needs_the_grant_type_on_the_client
);

async fn password_grant_issues_tokens_for_right_credentials_only(srv: crate::support::TestServer) {
    let (id, secret) = app(
        &srv,
        json!([
            "password",
            "http://auth0.com/oauth/grant-type/password-realm"
        ]),
    )
    .await;
    let uid = user(&srv, "ada@example.com").await;
    let (st, t, _) = srv
        .token_form(&[
            ("grant_type", "password"),
            ("client_id", &id),
            ("client_secret", &secret),
            ("username", "Ada@Example.com"),
            ("password", PASSWORD),
            ("scope", "openid email"),
        ])
        .await;
    assert_eq!(st, StatusCode::OK, "{t}");
    let at = verify_with_jwks(
        &srv,
        t["access_token"].as_str().unwrap(),
        &format!("{}userinfo", srv.issuer),
    )
    .await;
    assert_eq!(at["gty"], "password");
    assert_eq!(at["sub"], uid);
    let idt = verify_with_jwks(&srv, t["id_token"].as_str().unwrap(), &id).await;
    assert_eq!(idt["email"], "ada@example.com");
    let (st, t, _) = srv
        .token_form(&[
            (
                "grant_type",
                "http://auth0.com/oauth/grant-type/password-realm",
            ),
            ("client_id", &id),
            ("client_secret", &secret),
            ("username", "ada@example.com"),
            ("password", PASSWORD),
            ("realm", "Username-Password-Authentication"),
        ])
        .await;
    assert_eq!(st, StatusCode::OK, "{t}");
    for (form_extra, want_status, want_error) in [
        (
            vec![("grant_type", "password"), ("password", "Wr0ng-one")],
            StatusCode::FORBIDDEN,
            "invalid_grant",
        ),
        (
            vec![("grant_type", "password")],
            StatusCode::BAD_REQUEST,
            "invalid_request",
        ),
        (
            vec![
                (
                    "grant_type",
                    "http://auth0.com/oauth/grant-type/password-realm",
                ),
                ("password", PASSWORD),
                ("realm", "google-oauth2"),
            ],
            StatusCode::BAD_REQUEST,
            "invalid_request",
        ),
    ] {
        let mut form = vec![
            ("client_id", id.as_str()),
            ("client_secret", secret.as_str()),
            ("username", "ada@example.com"),
        ];
        form.extend(form_extra);
        let (st, body, _) = srv.token_form(&form).await;
        assert_eq!(st, want_status, "{body}");
        assert_eq!(body["error"], want_error);
    }
    let (_, logs) = srv.api(Method::GET, "/logs?q=type%3Afepft", None).await;
    assert_eq!(logs.as_array().unwrap().len(), 1);
}

async fn password_grant_needs_the_grant_type_on_the_client(srv: crate::support::TestServer) {
    let (id, secret) = app(&srv, json!(["authorization_code"])).await;
    user(&srv, "ada@example.com").await;
    let (st, body, _) = srv
        .token_form(&[
            ("grant_type", "password"),
            ("client_id", &id),
            ("client_secret", &secret),
            ("username", "ada@example.com"),
            ("password", PASSWORD),
        ])
        .await;
    assert_eq!(st, StatusCode::FORBIDDEN);
    assert_eq!(body["error"], "unauthorized_client");
}
