//! OAuth 2.0 Dynamic Client Registration (RFC 7591, issue 22) at
//! `POST /oidc/register`: off by default (Auth0's tenant flag), third-party
//! applications only, RFC 7591's errors with nothing stored, bounded per
//! address; and openid-client registering itself over TLS.

use reqwest::{Method, StatusCode};
use serde_json::{Value, json};

use crate::browser::{Browser, CALLBACK, PASSWORD, code_params, user};
use crate::support::{Backend, TestServer, on_both_backends};

async fn register(srv: &TestServer, body: Value) -> (StatusCode, Value) {
    let res = srv
        .http
        .post(format!("{}/oidc/register", srv.url))
        .json(&body)
        .send()
        .await
        .unwrap();
    (res.status(), res.json().await.unwrap_or(Value::Null))
}

async fn turn_on(srv: &TestServer) {
    let (st, s) = srv
        .api(
            Method::PATCH,
            "/tenants/settings",
            Some(json!({"flags": {"enable_dynamic_client_registration": true}})),
        )
        .await;
    assert_eq!(st, StatusCode::OK, "{s}");
}

async fn client_count(srv: &TestServer) -> i64 {
    srv.counts().await.0
}

on_both_backends!(
    registration_is_off_until_the_tenant_turns_it_on,
    registered_application_is_third_party_and_signs_in_with_consent,
    bad_registrations_get_rfc7591_errors_and_store_nothing,
);

async fn registration_is_off_until_the_tenant_turns_it_on(srv: TestServer) {
    let before = client_count(&srv).await;
    let (st, e) = register(&srv, json!({"redirect_uris": [CALLBACK]})).await;
    assert_eq!(
        (st, e["error"].as_str()),
        (StatusCode::FORBIDDEN, Some("access_denied")),
        "{e}"
    );
    assert_eq!(client_count(&srv).await, before);
    turn_on(&srv).await;
    let (st, r) = register(&srv, json!({"redirect_uris": [CALLBACK]})).await;
    assert_eq!(st, StatusCode::CREATED, "{r}");
    assert_eq!(client_count(&srv).await, before + 1);
}

async fn registered_application_is_third_party_and_signs_in_with_consent(srv: TestServer) {
    turn_on(&srv).await;
    user(&srv, "ada@example.com").await;
    let (st, r) = register(
        &srv,
        json!({"client_name": "Stranger's app", "redirect_uris": [CALLBACK],
               "token_endpoint_auth_method": "client_secret_post",
               "grant_types": ["authorization_code", "refresh_token"],
               "client_uri": "https://stranger.example", "contacts": ["dev@stranger.example"]}),
    )
    .await;
    assert_eq!(st, StatusCode::CREATED, "{r}");
    // RFC 7591 §3.2.1.
    let id = r["client_id"].as_str().unwrap().to_string();
    let secret = r["client_secret"].as_str().unwrap().to_string();
    assert_eq!(r["client_secret_expires_at"], json!(0));
    assert!(r["client_id_issued_at"].as_i64().is_some());
    assert_eq!(r["redirect_uris"], json!([CALLBACK]));
    assert_eq!(r["token_endpoint_auth_method"], json!("client_secret_post"));
    assert_eq!(r["response_types"], json!(["code"]));
    let (_, c) = srv.api(Method::GET, &format!("/clients/{id}"), None).await;
    assert_eq!(c["is_first_party"], json!(false), "{c}");
    assert_eq!(c["name"], json!("Stranger's app"));
    assert_eq!(
        c["grant_types"],
        json!(["authorization_code", "refresh_token"])
    );

    // It signs people in, after their consent.
    let mut b = Browser::new(&srv);
    let to_login = b.authorize(&code_params(&id, &[])).await;
    let to_consent = b.submit_login(&to_login, "ada@example.com", PASSWORD).await;
    assert!(
        to_consent
            .location
            .as_deref()
            .unwrap_or("")
            .contains("/u/consent"),
        "a third-party application asks for consent: {:?}",
        to_consent.location
    );
    let consent = b.get(to_consent.location.as_deref().unwrap()).await;
    let accepted = b
        .post_form(
            "/u/consent",
            &[
                ("state", &consent.input("state")),
                ("csrf", &consent.input("csrf")),
                ("action", "accept"),
            ],
        )
        .await;
    let code = accepted.redirect_params()["code"].clone();
    let (st, t, _) = srv
        .token_form(&[
            ("grant_type", "authorization_code"),
            ("client_id", &id),
            ("client_secret", &secret),
            ("code", &code),
            ("redirect_uri", CALLBACK),
            ("code_verifier", crate::browser::VERIFIER),
        ])
        .await;
    assert_eq!(st, StatusCode::OK, "{t}");
    // It can never use the first-party grants.
    let (st, e, _) = srv
        .token_form(&[
            ("grant_type", "client_credentials"),
            ("client_id", &id),
            ("client_secret", &secret),
            ("audience", &srv.management_audience()),
        ])
        .await;
    assert_eq!(st, StatusCode::FORBIDDEN, "{e}");

    // A public native application: no secret, a loopback or private-use redirect.
    let (st, r) = register(
        &srv,
        json!({"redirect_uris": ["http://127.0.0.1:7777/cb", "com.example.cli:/cb"],
               "token_endpoint_auth_method": "none"}),
    )
    .await;
    assert_eq!(st, StatusCode::CREATED, "{r}");
    assert!(r.get("client_secret").is_none(), "{r}");
    let (_, c) = srv
        .api(
            Method::GET,
            &format!("/clients/{}", r["client_id"].as_str().unwrap()),
            None,
        )
        .await;
    assert_eq!(c["app_type"], json!("native"));
}

async fn bad_registrations_get_rfc7591_errors_and_store_nothing(srv: TestServer) {
    turn_on(&srv).await;
    let before = client_count(&srv).await;
    let cases = [
        (json!({}), "invalid_redirect_uri"),
        (
            json!({"redirect_uris": ["http://rp.example/cb"]}),
            "invalid_redirect_uri",
        ),
        (
            json!({"redirect_uris": ["https://rp.example/cb#frag"]}),
            "invalid_redirect_uri",
        ),
        (
            json!({"redirect_uris": ["https://*.example/cb"]}),
            "invalid_redirect_uri",
        ),
        (
            json!({"redirect_uris": "https://rp.example/cb"}),
            "invalid_client_metadata",
        ),
        (
            json!({"redirect_uris": [CALLBACK], "grant_types": ["client_credentials"]}),
            "invalid_client_metadata",
        ),
        (
            json!({"redirect_uris": [CALLBACK], "jwks_uri": "https://rp.example/jwks"}),
            "invalid_client_metadata",
        ),
        (
            json!({"redirect_uris": [CALLBACK], "response_types": ["token"]}),
            "invalid_client_metadata",
        ),
        (
            json!({"redirect_uris": [CALLBACK], "token_endpoint_auth_method": "tls_client_auth"}),
            "invalid_client_metadata",
        ),
        (
            json!({"redirect_uris": [CALLBACK], "logo_uri": "javascript:alert(1)"}),
            "invalid_client_metadata",
        ),
    ];
    for (body, want) in cases {
        let (st, e) = register(&srv, body.clone()).await;
        assert_eq!(
            (st, e["error"].as_str()),
            (StatusCode::BAD_REQUEST, Some(want)),
            "{body}: {e}"
        );
    }
    // Not JSON.
    let res = srv
        .http
        .post(format!("{}/oidc/register", srv.url))
        .form(&[("redirect_uris", CALLBACK)])
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::BAD_REQUEST);
    assert_eq!(
        client_count(&srv).await,
        before,
        "nothing refused was stored"
    );

    // Bounded per address: 20 an hour.
    for i in 0..20 {
        let (st, r) = register(&srv, json!({"redirect_uris": [CALLBACK]})).await;
        assert_eq!(st, StatusCode::CREATED, "{i}: {r}");
    }
    let (st, e) = register(&srv, json!({"redirect_uris": [CALLBACK]})).await;
    assert_eq!(st, StatusCode::TOO_MANY_REQUESTS, "{e}");
    assert_eq!(client_count(&srv).await, before + 20);
}

/// openid-client registers itself: it finds `registration_endpoint` by
/// discovery and reads back its metadata.
async fn openid_client_registers_itself(backend: Backend) {
    let certs = tempfile::tempdir().unwrap();
    let (srv, cert) = crate::auth0_sdk::trusted_tls_server(backend, certs.path()).await;
    turn_on(&srv).await;
    let seen = crate::auth0_sdk::node_script(
        "register.mjs",
        &cert,
        &[("ISSUER", &srv.issuer), ("REDIRECT_URI", CALLBACK)],
    )
    .await;
    assert_eq!(seen["has_secret"], json!(true), "{seen}");
    assert_eq!(seen["redirect_uris"], json!([CALLBACK]));
    let (st, c) = srv
        .api(
            Method::GET,
            &format!("/clients/{}", seen["client_id"].as_str().unwrap()),
            None,
        )
        .await;
    assert_eq!(st, StatusCode::OK, "{c}");
    assert_eq!(c["name"], json!("Registered by openid-client"));
    assert_eq!(c["is_first_party"], json!(false));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn openid_client_registers_itself_sqlite() {
    openid_client_registers_itself(Backend::Sqlite).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn openid_client_registers_itself_postgres() {
    openid_client_registers_itself(Backend::Postgres).await;
}
