//! `POST /oauth/token` with the client-credentials grant.

use base64::Engine;
use base64::engine::general_purpose::STANDARD;
use reqwest::{Method, StatusCode};
use serde_json::{Value, json};

use crate::support::{on_both_backends, unix_now, verify_with_jwks};

const API: &str = "https://api.example.com/";

fn assert_oauth_error(status: StatusCode, body: &Value, want_status: StatusCode, want_error: &str) {
    assert_eq!(status, want_status, "{body}");
    assert_eq!(body["error"], want_error, "{body}");
    assert!(
        body["error_description"]
            .as_str()
            .is_some_and(|d| !d.is_empty()),
        "error_description a person can act on: {body}"
    );
}

on_both_backends!(
    client_credentials_token_verifies_with_jwks_and_has_auth0_claims,
    json_body_and_http_basic_are_accepted,
    requested_scope_is_narrowed_and_never_widened,
    api_token_lifetime_sets_expiry,
    wrong_secret_or_unknown_client_is_invalid_client,
    missing_or_unknown_grant_type_is_refused,
    duplicated_parameter_is_invalid_request,
    audience_must_exist_and_be_granted,
    public_client_is_unauthorized_for_client_credentials,
    basic_and_body_secret_together_is_invalid_request,
    malformed_bodies_get_invalid_request,
    rotated_secret_replaces_the_old_one,
    deleted_client_grant_is_access_denied
);

/// The access token verifies against the published JWKS with an independent JWT
/// library, and carries exactly Auth0's client-credentials claims.
async fn client_credentials_token_verifies_with_jwks_and_has_auth0_claims(
    srv: crate::support::TestServer,
) {
    let (id, secret) = srv
        .m2m_with_grant(
            API,
            &["read:things", "write:things"],
            &["read:things", "write:things"],
        )
        .await;
    let before = unix_now();
    let (status, body, headers) = srv
        .token_form(&[
            ("grant_type", "client_credentials"),
            ("client_id", &id),
            ("client_secret", &secret),
            ("audience", API),
        ])
        .await;
    assert_eq!(status, StatusCode::OK, "{body}");
    assert_eq!(headers["cache-control"], "no-store");
    assert_eq!(body["token_type"], "Bearer");
    assert_eq!(body["expires_in"], 86400);
    assert_eq!(body["scope"], "read:things write:things");
    let claims = verify_with_jwks(&srv, body["access_token"].as_str().unwrap(), API).await;
    assert_eq!(claims["iss"], srv.issuer);
    assert_eq!(claims["sub"], format!("{id}@clients"));
    assert_eq!(claims["aud"], API);
    assert_eq!(claims["azp"], id);
    assert_eq!(claims["gty"], "client-credentials");
    assert_eq!(claims["scope"], "read:things write:things");
    let iat = claims["iat"].as_i64().unwrap();
    assert!(iat >= before && iat <= unix_now());
    assert_eq!(claims["exp"].as_i64().unwrap() - iat, 86400);
    let mut keys: Vec<&str> = claims
        .as_object()
        .unwrap()
        .keys()
        .map(String::as_str)
        .collect();
    keys.sort();
    assert_eq!(
        keys,
        ["aud", "azp", "exp", "gty", "iat", "iss", "scope", "sub"]
    );
}

/// Auth0's SDKs send JSON bodies and HTTP Basic; both work.
async fn json_body_and_http_basic_are_accepted(srv: crate::support::TestServer) {
    let (id, secret) = srv
        .m2m_with_grant(API, &["read:things"], &["read:things"])
        .await;
    let res = srv.http.post(format!("{}/oauth/token", srv.url))
        .json(&json!({"grant_type": "client_credentials", "client_id": id, "client_secret": secret, "audience": API}))
        .send().await.unwrap();
    assert_eq!(res.status(), StatusCode::OK);
    let basic = format!("Basic {}", STANDARD.encode(format!("{id}:{secret}")));
    let res = srv
        .http
        .post(format!("{}/oauth/token", srv.url))
        .header("authorization", basic)
        .form(&[("grant_type", "client_credentials"), ("audience", API)])
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::OK);
    let body: Value = res.json().await.unwrap();
    verify_with_jwks(&srv, body["access_token"].as_str().unwrap(), API).await;
}

/// The scope is the requested subset of the grant; beyond it is `invalid_scope`;
/// an empty `scope` (auth0-python) means everything granted.
async fn requested_scope_is_narrowed_and_never_widened(srv: crate::support::TestServer) {
    let (id, secret) = srv.m2m_with_grant(API, &["a", "b", "c"], &["a", "b"]).await;
    let base = [
        ("grant_type", "client_credentials"),
        ("client_id", id.as_str()),
        ("client_secret", secret.as_str()),
        ("audience", API),
    ];
    let with = |scope: &'static str| {
        let mut v = base.to_vec();
        v.push(("scope", scope));
        v
    };
    let (st, body, _) = srv.token_form(&with("b")).await;
    assert_eq!(st, StatusCode::OK);
    assert_eq!(body["scope"], "b");
    let (st, body, _) = srv.token_form(&with("")).await;
    assert_eq!(st, StatusCode::OK);
    assert_eq!(body["scope"], "a b");
    let (st, body, _) = srv.token_form(&with("a c")).await;
    assert_oauth_error(st, &body, StatusCode::BAD_REQUEST, "invalid_scope");
}

/// The API's `token_lifetime` sets `exp` and `expires_in`.
async fn api_token_lifetime_sets_expiry(srv: crate::support::TestServer) {
    let (id, secret) = srv.m2m_with_grant(API, &["a"], &["a"]).await;
    let (st, rs) = srv
        .api(
            Method::GET,
            &format!("/resource-servers/{}", urlenc(API)),
            None,
        )
        .await;
    assert_eq!(st, StatusCode::OK);
    let (st, _) = srv
        .api(
            Method::PATCH,
            &format!("/resource-servers/{}", rs["id"].as_str().unwrap()),
            Some(json!({"token_lifetime": 600})),
        )
        .await;
    assert_eq!(st, StatusCode::OK);
    let token = srv.client_token(&id, &secret, API).await;
    let claims = verify_with_jwks(&srv, &token, API).await;
    assert_eq!(
        claims["exp"].as_i64().unwrap() - claims["iat"].as_i64().unwrap(),
        600
    );
}

/// RFC 6749 §5.2: a wrong secret is `invalid_client` with 401, and after HTTP
/// Basic the response carries `WWW-Authenticate`. An unknown client looks the same.
async fn wrong_secret_or_unknown_client_is_invalid_client(srv: crate::support::TestServer) {
    let (id, _) = srv.m2m_with_grant(API, &["a"], &["a"]).await;
    let (st, body, headers) = srv
        .token_form(&[
            ("grant_type", "client_credentials"),
            ("client_id", &id),
            ("client_secret", "wrong"),
            ("audience", API),
        ])
        .await;
    assert_oauth_error(st, &body, StatusCode::UNAUTHORIZED, "invalid_client");
    assert!(headers.get("www-authenticate").is_none());
    let res = srv
        .http
        .post(format!("{}/oauth/token", srv.url))
        .header(
            "authorization",
            format!("Basic {}", STANDARD.encode(format!("{id}:wrong"))),
        )
        .form(&[("grant_type", "client_credentials"), ("audience", API)])
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::UNAUTHORIZED);
    assert!(
        res.headers()["www-authenticate"]
            .to_str()
            .unwrap()
            .starts_with("Basic")
    );
    let unknown: Value = srv
        .token_form(&[
            ("grant_type", "client_credentials"),
            ("client_id", "nobody"),
            ("client_secret", "x"),
            ("audience", API),
        ])
        .await
        .1;
    assert_eq!(
        unknown, body,
        "unknown client and wrong secret answer alike"
    );
    let (st, body, _) = srv
        .token_form(&[("grant_type", "client_credentials"), ("audience", API)])
        .await;
    assert_oauth_error(st, &body, StatusCode::UNAUTHORIZED, "invalid_client");
}

async fn missing_or_unknown_grant_type_is_refused(srv: crate::support::TestServer) {
    let (st, body, _) = srv.token_form(&[("client_id", "x")]).await;
    assert_oauth_error(st, &body, StatusCode::BAD_REQUEST, "invalid_request");
    let (st, body, _) = srv
        .token_form(&[("grant_type", "urn:magic"), ("client_id", "x")])
        .await;
    assert_oauth_error(st, &body, StatusCode::BAD_REQUEST, "unsupported_grant_type");
}

/// RFC 6749 §3.2: parameters must not repeat.
async fn duplicated_parameter_is_invalid_request(srv: crate::support::TestServer) {
    let (id, secret) = srv.m2m_with_grant(API, &["a"], &["a"]).await;
    let (st, body, _) = srv
        .token_form(&[
            ("grant_type", "client_credentials"),
            ("client_id", &id),
            ("client_secret", &secret),
            ("audience", API),
            ("audience", "https://other/"),
        ])
        .await;
    assert_oauth_error(st, &body, StatusCode::BAD_REQUEST, "invalid_request");
    assert!(
        body["error_description"]
            .as_str()
            .unwrap()
            .contains("audience")
    );
}

/// Auth0: no audience, an unknown audience or a missing client grant are refused.
async fn audience_must_exist_and_be_granted(srv: crate::support::TestServer) {
    let (id, secret) = srv.m2m_with_grant(API, &["a"], &["a"]).await;
    let creds = [
        ("grant_type", "client_credentials"),
        ("client_id", id.as_str()),
        ("client_secret", secret.as_str()),
    ];
    let (st, body, _) = srv.token_form(&creds).await;
    assert_oauth_error(st, &body, StatusCode::BAD_REQUEST, "invalid_request");
    let mut v = creds.to_vec();
    v.push(("audience", "https://unknown.example/"));
    let (st, body, _) = srv.token_form(&v).await;
    assert_oauth_error(st, &body, StatusCode::FORBIDDEN, "access_denied");
    // A client with no grant for the management API.
    let mut v = creds.to_vec();
    let aud = srv.management_audience();
    v.push(("audience", aud.as_str()));
    let (st, body, _) = srv.token_form(&v).await;
    assert_oauth_error(st, &body, StatusCode::FORBIDDEN, "access_denied");
    assert!(
        body["error_description"]
            .as_str()
            .unwrap()
            .contains("client-grant")
    );
}

/// A public (SPA) client cannot use client credentials.
async fn public_client_is_unauthorized_for_client_credentials(srv: crate::support::TestServer) {
    let (st, spa) = srv
        .api(
            Method::POST,
            "/clients",
            Some(json!({"name": "spa", "app_type": "spa"})),
        )
        .await;
    assert_eq!(st, StatusCode::CREATED);
    let id = spa["client_id"].as_str().unwrap();
    let (st, body, _) = srv
        .token_form(&[
            ("grant_type", "client_credentials"),
            ("client_id", id),
            ("audience", API),
        ])
        .await;
    assert_oauth_error(st, &body, StatusCode::FORBIDDEN, "unauthorized_client");
    // Sending the secret a public client was issued is refused too.
    let (st, body, _) = srv
        .token_form(&[
            ("grant_type", "client_credentials"),
            ("client_id", id),
            ("client_secret", spa["client_secret"].as_str().unwrap()),
            ("audience", API),
        ])
        .await;
    assert_oauth_error(st, &body, StatusCode::UNAUTHORIZED, "invalid_client");
}

/// RFC 6749 §2.3: one authentication method per request.
async fn basic_and_body_secret_together_is_invalid_request(srv: crate::support::TestServer) {
    let (id, secret) = srv.m2m_with_grant(API, &["a"], &["a"]).await;
    let res = srv
        .http
        .post(format!("{}/oauth/token", srv.url))
        .header(
            "authorization",
            format!("Basic {}", STANDARD.encode(format!("{id}:{secret}"))),
        )
        .form(&[
            ("grant_type", "client_credentials"),
            ("audience", API),
            ("client_secret", secret.as_str()),
        ])
        .send()
        .await
        .unwrap();
    let st = res.status();
    let body: Value = res.json().await.unwrap();
    assert_oauth_error(st, &body, StatusCode::BAD_REQUEST, "invalid_request");
}

/// Malformed bodies get RFC 6749 JSON errors, never a 500.
async fn malformed_bodies_get_invalid_request(srv: crate::support::TestServer) {
    let url = format!("{}/oauth/token", srv.url);
    let cases: Vec<(&str, Vec<u8>, StatusCode)> = vec![
        (
            "application/json",
            b"{not json".to_vec(),
            StatusCode::BAD_REQUEST,
        ),
        (
            "application/json",
            br#"{"grant_type": 5}"#.to_vec(),
            StatusCode::BAD_REQUEST,
        ),
        (
            "application/json",
            b"[1,2]".to_vec(),
            StatusCode::BAD_REQUEST,
        ),
        (
            "text/plain",
            b"grant_type=client_credentials".to_vec(),
            StatusCode::BAD_REQUEST,
        ),
        (
            "application/x-www-form-urlencoded",
            vec![b'a'; 70_000],
            StatusCode::PAYLOAD_TOO_LARGE,
        ),
        (
            "application/x-www-form-urlencoded",
            b"grant_type=client_credentials&client_id=%ZZ".to_vec(),
            StatusCode::UNAUTHORIZED,
        ),
    ];
    for (ct, body, want) in cases {
        let res = srv
            .http
            .post(&url)
            .header("content-type", ct)
            .body(body)
            .send()
            .await
            .unwrap();
        let st = res.status();
        let json: Value = res.json().await.unwrap();
        assert_eq!(st, want, "{ct}: {json}");
        assert!(json["error"].is_string(), "{json}");
    }
}

/// After rotate-secret the old secret fails and the new one works.
async fn rotated_secret_replaces_the_old_one(srv: crate::support::TestServer) {
    let (id, old) = srv.m2m_with_grant(API, &["a"], &["a"]).await;
    let (st, body) = srv
        .api(Method::POST, &format!("/clients/{id}/rotate-secret"), None)
        .await;
    assert_eq!(st, StatusCode::OK, "{body}");
    let new = body["client_secret"].as_str().unwrap();
    assert_ne!(new, old);
    srv.client_token(&id, new, API).await;
    let (st, body, _) = srv
        .token_form(&[
            ("grant_type", "client_credentials"),
            ("client_id", &id),
            ("client_secret", &old),
            ("audience", API),
        ])
        .await;
    assert_oauth_error(st, &body, StatusCode::UNAUTHORIZED, "invalid_client");
}

/// Deleting the client grant withdraws the permission at once.
async fn deleted_client_grant_is_access_denied(srv: crate::support::TestServer) {
    let (id, secret) = srv.m2m_with_grant(API, &["a"], &["a"]).await;
    srv.client_token(&id, &secret, API).await;
    let (_, grants) = srv
        .api(Method::GET, &format!("/client-grants?client_id={id}"), None)
        .await;
    let gid = grants[0]["id"].as_str().unwrap();
    let (st, _) = srv
        .api(Method::DELETE, &format!("/client-grants/{gid}"), None)
        .await;
    assert_eq!(st, StatusCode::NO_CONTENT);
    let (st, body, _) = srv
        .token_form(&[
            ("grant_type", "client_credentials"),
            ("client_id", &id),
            ("client_secret", &secret),
            ("audience", API),
        ])
        .await;
    assert_oauth_error(st, &body, StatusCode::FORBIDDEN, "access_denied");
}

pub fn urlenc(s: &str) -> String {
    form_urlencoded::byte_serialize(s.as_bytes()).collect()
}
