//! Who may call the Management API: a valid token for `<issuer>api/v2/` with the
//! scope each route needs.

use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use reqwest::{Method, StatusCode};
use serde_json::{Value, json};

use crate::support::on_both_backends;

/// Every Management route and the scope that guards it.
const ROUTES: &[(&str, &str, &str)] = &[
    ("GET", "/clients", "read:clients"),
    ("POST", "/clients", "create:clients"),
    ("GET", "/clients/x", "read:clients"),
    ("PATCH", "/clients/x", "update:clients"),
    ("DELETE", "/clients/x", "delete:clients"),
    ("POST", "/clients/x/rotate-secret", "update:clients"),
    ("GET", "/resource-servers", "read:resource_servers"),
    ("POST", "/resource-servers", "create:resource_servers"),
    ("GET", "/resource-servers/x", "read:resource_servers"),
    ("PATCH", "/resource-servers/x", "update:resource_servers"),
    ("DELETE", "/resource-servers/x", "delete:resource_servers"),
    ("GET", "/client-grants", "read:client_grants"),
    ("POST", "/client-grants", "create:client_grants"),
    ("GET", "/client-grants/x", "read:client_grants"),
    ("PATCH", "/client-grants/x", "update:client_grants"),
    ("DELETE", "/client-grants/x", "delete:client_grants"),
    ("GET", "/users", "read:users"),
    ("POST", "/users", "create:users"),
    ("GET", "/users/x", "read:users"),
    ("PATCH", "/users/x", "update:users"),
    ("DELETE", "/users/x", "delete:users"),
    ("GET", "/users-by-email?email=a@b.co", "read:users"),
    ("GET", "/logs", "read:logs"),
    ("GET", "/users/x/sessions", "read:sessions"),
    ("GET", "/sessions/x", "read:sessions"),
    ("DELETE", "/sessions/x", "delete:sessions"),
    ("GET", "/users/x/refresh-tokens", "read:refresh_tokens"),
    ("GET", "/refresh-tokens/x", "read:refresh_tokens"),
    ("GET", "/refresh-tokens?user_id=x", "read:refresh_tokens"),
    ("POST", "/refresh-tokens/revoke", "delete:refresh_tokens"),
    ("DELETE", "/refresh-tokens/x", "delete:refresh_tokens"),
    ("GET", "/rules", "read:rules"),
    ("POST", "/rules", "create:rules"),
    ("GET", "/rules/x", "read:rules"),
    ("PATCH", "/rules/x", "update:rules"),
    ("DELETE", "/rules/x", "delete:rules"),
];

fn method(m: &str) -> Method {
    Method::from_bytes(m.as_bytes()).unwrap()
}

on_both_backends!(
    requests_without_a_valid_token_are_401,
    token_for_another_audience_is_401,
    forged_tokens_are_401,
    every_route_requires_its_scope,
    bootstrap_admin_holds_every_management_scope
);

/// RFC 6750 §3.1: no token, a malformed header or a garbage token is 401 with
/// `WWW-Authenticate: Bearer`, in Auth0's error shape.
async fn requests_without_a_valid_token_are_401(srv: crate::support::TestServer) {
    let url = format!("{}/api/v2/clients", srv.url);
    for auth in [
        None,
        Some("Basic abc"),
        Some("Bearer not.a.jwt"),
        Some("Bearer "),
    ] {
        let mut req = srv.http.get(&url);
        if let Some(a) = auth {
            req = req.header("authorization", a);
        }
        let res = req.send().await.unwrap();
        assert_eq!(res.status(), StatusCode::UNAUTHORIZED, "{auth:?}");
        assert!(
            res.headers()["www-authenticate"]
                .to_str()
                .unwrap()
                .starts_with("Bearer")
        );
        let body: Value = res.json().await.unwrap();
        assert_eq!(body["statusCode"], 401);
        assert_eq!(body["error"], "Unauthorized");
        assert!(body["message"].is_string());
    }
}

/// A token for another API is refused even though we signed it.
async fn token_for_another_audience_is_401(srv: crate::support::TestServer) {
    let (id, secret) = srv
        .m2m_with_grant(
            "https://api.example.com/",
            &["read:clients"],
            &["read:clients"],
        )
        .await;
    let token = srv
        .client_token(&id, &secret, "https://api.example.com/")
        .await;
    let (st, body) = srv.api_with(&token, Method::GET, "/clients", None).await;
    assert_eq!(st, StatusCode::UNAUTHORIZED, "{body}");
    assert!(body["message"].as_str().unwrap().contains("audience"));
}

/// `alg: none` and an HS256 token "signed" with the public key are refused, and
/// so is a real token whose claims were edited.
async fn forged_tokens_are_401(srv: crate::support::TestServer) {
    let real = srv.admin_token().await;
    let parts: Vec<&str> = real.split('.').collect();
    let header: Value = serde_json::from_slice(&URL_SAFE_NO_PAD.decode(parts[0]).unwrap()).unwrap();
    let kid = header["kid"].as_str().unwrap();
    let none = URL_SAFE_NO_PAD.encode(json!({"alg": "none", "typ": "JWT", "kid": kid}).to_string());
    let hs = URL_SAFE_NO_PAD.encode(json!({"alg": "HS256", "typ": "JWT", "kid": kid}).to_string());
    let mut claims: Value =
        serde_json::from_slice(&URL_SAFE_NO_PAD.decode(parts[1]).unwrap()).unwrap();
    claims["scope"] = "read:clients delete:clients create:clients".into();
    let edited = URL_SAFE_NO_PAD.encode(claims.to_string());
    for forged in [
        format!("{none}.{}.", parts[1]),
        format!("{hs}.{}.{}", parts[1], parts[2]),
        format!("{}.{edited}.{}", parts[0], parts[2]),
    ] {
        let (st, _) = srv.api_with(&forged, Method::GET, "/clients", None).await;
        assert_eq!(st, StatusCode::UNAUTHORIZED);
    }
    let (st, _) = srv.api_with(&real, Method::GET, "/clients", None).await;
    assert_eq!(st, StatusCode::OK);
}

/// Each route needs its own scope: a token holding only `read:clients` is 403
/// `insufficient_scope` everywhere else, before the body is even read.
async fn every_route_requires_its_scope(srv: crate::support::TestServer) {
    let (id, secret) = srv.new_m2m("reader").await;
    let aud = srv.management_audience();
    let (st, body) = srv
        .api(
            Method::POST,
            "/client-grants",
            Some(json!({"client_id": id, "audience": aud, "scope": ["read:clients"]})),
        )
        .await;
    assert_eq!(st, StatusCode::CREATED, "{body}");
    let token = srv.client_token(&id, &secret, &aud).await;
    for (m, path, scope) in ROUTES {
        let (st, body) = srv
            .api_with(&token, method(m), path, Some(json!({"bogus": true})))
            .await;
        if *scope == "read:clients" {
            assert_ne!(st, StatusCode::FORBIDDEN, "{m} {path}: {body}");
        } else {
            assert_eq!(st, StatusCode::FORBIDDEN, "{m} {path}: {body}");
            assert_eq!(body["errorCode"], "insufficient_scope");
            assert!(body["message"].as_str().unwrap().contains(scope), "{body}");
        }
    }
}

/// The bootstrap administrator holds every Management API scope.
async fn bootstrap_admin_holds_every_management_scope(srv: crate::support::TestServer) {
    let token = srv.admin_token().await;
    let claims = crate::support::verify_with_jwks(&srv, &token, &srv.management_audience()).await;
    let scopes: Vec<&str> = claims["scope"].as_str().unwrap().split(' ').collect();
    for (_, _, scope) in ROUTES {
        assert!(scopes.contains(scope), "{scope}");
    }
}
