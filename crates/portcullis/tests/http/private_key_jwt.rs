//! `private_key_jwt` client authentication (RFC 7523 §2.2, issue 22): public
//! keys registered through `/api/v2/clients/{id}/credentials`, named in
//! `client_authentication_methods`, assertions checked at the token,
//! introspection, revocation and PAR endpoints (audience, lifetime, issuer,
//! algorithm, key, `jti` once). Assertions here are signed by the test with
//! aws-lc-rs directly; openid-client (Node) signs its own over TLS.

use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use reqwest::{Method, StatusCode};
use serde_json::{Value, json};

use crate::browser::CALLBACK;
use crate::support::{Backend, TestServer, on_both_backends, unix_now, verify_with_jwks};

const API: &str = "https://ledger.example/api";
const ASSERTION_TYPE: &str = "urn:ietf:params:oauth:client-assertion-type:jwt-bearer";

/// An RSA key pair: (PKCS#8 DER of the private key, PEM public key, PEM private key).
fn rsa_key() -> (Vec<u8>, String, String) {
    let kp = rcgen::KeyPair::generate_rsa_for(&rcgen::PKCS_RSA_SHA256, rcgen::RsaKeySize::_2048)
        .unwrap();
    (kp.serialize_der(), kp.public_key_pem(), kp.serialize_pem())
}

/// A compact JWS of `claims` with header `alg` (and `extra` header members),
/// signed by `key` (PKCS#8 DER) with `alg`'s RSA scheme.
fn sign(key: &[u8], alg: &str, claims: &Value) -> String {
    let header = json!({"alg": alg, "typ": "JWT"});
    let input = format!(
        "{}.{}",
        URL_SAFE_NO_PAD.encode(header.to_string()),
        URL_SAFE_NO_PAD.encode(claims.to_string())
    );
    let pair = aws_lc_rs::signature::RsaKeyPair::from_pkcs8(key).unwrap();
    let encoding: &dyn aws_lc_rs::signature::RsaEncoding = match alg {
        "RS256" => &aws_lc_rs::signature::RSA_PKCS1_SHA256,
        "RS384" => &aws_lc_rs::signature::RSA_PKCS1_SHA384,
        "PS256" => &aws_lc_rs::signature::RSA_PSS_SHA256,
        other => panic!("{other}"),
    };
    let mut sig = vec![0; pair.public_modulus_len()];
    pair.sign(
        encoding,
        &aws_lc_rs::rand::SystemRandom::new(),
        input.as_bytes(),
        &mut sig,
    )
    .unwrap();
    format!("{input}.{}", URL_SAFE_NO_PAD.encode(sig))
}

/// Auth0's assertion (as auth0-python builds it): iss = sub = client,
/// aud = the issuer, three minutes, a fresh jti.
fn claims(srv: &TestServer, client: &str) -> Value {
    let now = unix_now();
    json!({"iss": client, "sub": client, "aud": srv.issuer, "iat": now, "exp": now + 180,
           "jti": portcullis_core::random::url_token()})
}

/// A web application allowed client credentials at `API`, with a credential
/// for `pem` (RS256) named in `client_authentication_methods`; (client id,
/// secret, credential id).
async fn keyed_app(srv: &TestServer, pem: &str) -> (String, String, String) {
    let (st, _) = srv
        .api(
            Method::POST,
            "/resource-servers",
            Some(
                json!({"identifier": API, "name": "Ledger", "scopes": [{"value": "read:ledger"}]}),
            ),
        )
        .await;
    assert!(st == StatusCode::CREATED || st == StatusCode::CONFLICT);
    let (st, c) = srv
        .api(
            Method::POST,
            "/clients",
            Some(
                json!({"name": "Ledger worker", "app_type": "regular_web", "callbacks": [CALLBACK],
                        "grant_types": ["authorization_code", "client_credentials"]}),
            ),
        )
        .await;
    assert_eq!(st, StatusCode::CREATED, "{c}");
    let id = c["client_id"].as_str().unwrap().to_string();
    let secret = c["client_secret"].as_str().unwrap().to_string();
    let (st, g) = srv
        .api(
            Method::POST,
            "/client-grants",
            Some(json!({"client_id": id, "audience": API, "scope": ["read:ledger"]})),
        )
        .await;
    assert_eq!(st, StatusCode::CREATED, "{g}");
    let (st, cred) = srv
        .api(
            Method::POST,
            &format!("/clients/{id}/credentials"),
            Some(json!({"credential_type": "public_key", "name": "ci key", "pem": pem, "alg": "RS256"})),
        )
        .await;
    assert_eq!(st, StatusCode::CREATED, "{cred}");
    let cred_id = cred["id"].as_str().unwrap().to_string();
    let (st, c) = srv
        .api(
            Method::PATCH,
            &format!("/clients/{id}"),
            Some(json!({"token_endpoint_auth_method": null,
                        "client_authentication_methods": {"private_key_jwt": {"credentials": [{"id": cred_id}]}}})),
        )
        .await;
    assert_eq!(st, StatusCode::OK, "{c}");
    assert_eq!(
        c["token_endpoint_auth_method"],
        Value::Null,
        "Auth0 shows null"
    );
    (id, secret, cred_id)
}

async fn token_with(srv: &TestServer, client: &str, assertion: &str) -> (StatusCode, Value) {
    let (st, body, _) = srv
        .token_form(&[
            ("grant_type", "client_credentials"),
            ("client_id", client),
            ("client_assertion_type", ASSERTION_TYPE),
            ("client_assertion", assertion),
            ("audience", API),
        ])
        .await;
    (st, body)
}

async fn post_form(srv: &TestServer, path: &str, form: &[(&str, &str)]) -> (StatusCode, Value) {
    let res = srv
        .http
        .post(format!("{}{path}", srv.url))
        .form(form)
        .send()
        .await
        .unwrap();
    (res.status(), res.json().await.unwrap_or(Value::Null))
}

on_both_backends!(
    private_key_jwt_authenticates_at_every_endpoint,
    bad_assertions_are_refused_and_change_nothing,
    credentials_api_answers_auth0s_shapes_and_refusals,
);

async fn private_key_jwt_authenticates_at_every_endpoint(srv: TestServer) {
    let (key, pem, _) = rsa_key();
    let (client, secret, _) = keyed_app(&srv, &pem).await;
    let (st, t) = token_with(&srv, &client, &sign(&key, "RS256", &claims(&srv, &client))).await;
    assert_eq!(st, StatusCode::OK, "{t}");
    let access = verify_with_jwks(&srv, t["access_token"].as_str().unwrap(), API).await;
    assert_eq!(access["sub"], json!(format!("{client}@clients")));
    // The token endpoint's own URL is an audience too; client_id may be left
    // out (the assertion's sub names the client).
    let mut c = claims(&srv, &client);
    c["aud"] = json!(format!("{}oauth/token", srv.issuer));
    let (st, body, _) = srv
        .token_form(&[
            ("grant_type", "client_credentials"),
            ("client_assertion_type", ASSERTION_TYPE),
            ("client_assertion", &sign(&key, "RS256", &c)),
            ("audience", API),
        ])
        .await;
    assert_eq!(st, StatusCode::OK, "{body}");
    // The secret no longer works.
    let (st, e, _) = srv
        .token_form(&[
            ("grant_type", "client_credentials"),
            ("client_id", &client),
            ("client_secret", &secret),
            ("audience", API),
        ])
        .await;
    assert_eq!(st, StatusCode::UNAUTHORIZED, "{e}");
    // Introspection, revocation and PAR take the assertion as well.
    let token = t["access_token"].as_str().unwrap();
    let (st, i) = post_form(
        &srv,
        "/oauth/introspect",
        &[
            ("client_assertion_type", ASSERTION_TYPE),
            (
                "client_assertion",
                &sign(&key, "RS256", &claims(&srv, &client)),
            ),
            ("token", token),
        ],
    )
    .await;
    assert_eq!(
        (st, i["active"].as_bool()),
        (StatusCode::OK, Some(true)),
        "{i}"
    );
    let (st, r) = post_form(
        &srv,
        "/oauth/revoke",
        &[
            ("client_id", &client),
            ("client_assertion_type", ASSERTION_TYPE),
            (
                "client_assertion",
                &sign(&key, "RS256", &claims(&srv, &client)),
            ),
            ("token", "not-a-refresh-token"),
        ],
    )
    .await;
    assert_eq!(st, StatusCode::OK, "{r}");
    let par_assertion = sign(&key, "RS256", &claims(&srv, &client));
    let mut form = crate::browser::code_params(&client, &[]);
    form.push(("client_assertion_type", ASSERTION_TYPE));
    form.push(("client_assertion", &par_assertion));
    let (st, p) = post_form(&srv, "/oauth/par", &form).await;
    assert_eq!(st, StatusCode::CREATED, "{p}");
}

async fn bad_assertions_are_refused_and_change_nothing(srv: TestServer) {
    let (key, pem, _) = rsa_key();
    let (other_key, _, _) = rsa_key();
    let (client, secret, cred) = keyed_app(&srv, &pem).await;
    let now = unix_now();
    let good = claims(&srv, &client);
    let with = |k: &str, v: Value| {
        let mut c = good.clone();
        c[k] = v;
        c
    };
    let without = |k: &str| {
        let mut c = good.clone();
        c.as_object_mut().unwrap().remove(k);
        c
    };
    let hs256 = format!(
        "{}.{}.{}",
        URL_SAFE_NO_PAD.encode(br#"{"alg":"HS256"}"#),
        URL_SAFE_NO_PAD.encode(good.to_string()),
        URL_SAFE_NO_PAD.encode(b"mac")
    );
    let unsigned = format!(
        "{}.{}.",
        URL_SAFE_NO_PAD.encode(br#"{"alg":"none"}"#),
        URL_SAFE_NO_PAD.encode(good.to_string())
    );
    let cases: Vec<(&str, String)> = vec![
        (
            "wrong audience",
            sign(
                &key,
                "RS256",
                &with("aud", json!("https://elsewhere.example/")),
            ),
        ),
        (
            "expired",
            sign(&key, "RS256", &with("exp", json!(now - 120))),
        ),
        (
            "too long-lived",
            sign(&key, "RS256", &with("exp", json!(now + 3600))),
        ),
        (
            "not yet valid",
            sign(&key, "RS256", &with("nbf", json!(now + 600))),
        ),
        (
            "iss is not the client",
            sign(&key, "RS256", &with("iss", json!("someone"))),
        ),
        ("no jti", sign(&key, "RS256", &without("jti"))),
        ("another key", sign(&other_key, "RS256", &good)),
        (
            "another algorithm than the credential's",
            sign(&key, "PS256", &good),
        ),
        ("HS256", hs256),
        ("alg none", unsigned),
        ("garbage", "not.a.jwt".into()),
    ];
    for (why, assertion) in &cases {
        let (st, e) = token_with(&srv, &client, assertion).await;
        assert_eq!(
            (st, e["error"].as_str()),
            (StatusCode::UNAUTHORIZED, Some("invalid_client")),
            "{why}: {e}"
        );
    }
    // The client_id and the assertion's subject disagree.
    let (other, _) = srv.new_m2m("other").await;
    let (st, _) = token_with(&srv, &other, &sign(&key, "RS256", &good)).await;
    assert_eq!(st, StatusCode::UNAUTHORIZED);
    // The wrong assertion type; an assertion and a secret together.
    let (st, e, _) = srv
        .token_form(&[
            ("grant_type", "client_credentials"),
            ("client_id", &client),
            ("client_assertion_type", "urn:example:other"),
            ("client_assertion", &sign(&key, "RS256", &good)),
            ("audience", API),
        ])
        .await;
    assert_eq!(
        (st, e["error"].as_str()),
        (StatusCode::BAD_REQUEST, Some("invalid_request")),
        "{e}"
    );
    let (st, e, _) = srv
        .token_form(&[
            ("grant_type", "client_credentials"),
            ("client_id", &client),
            ("client_secret", &secret),
            ("client_assertion_type", ASSERTION_TYPE),
            ("client_assertion", &sign(&key, "RS256", &good)),
            ("audience", API),
        ])
        .await;
    assert_eq!(
        (st, e["error"].as_str()),
        (StatusCode::BAD_REQUEST, Some("invalid_request")),
        "{e}"
    );

    // None of that spent the jti: the good assertion is accepted once, then
    // its replay is refused.
    let assertion = sign(&key, "RS256", &good);
    let (st, t) = token_with(&srv, &client, &assertion).await;
    assert_eq!(st, StatusCode::OK, "{t}");
    let (st, e) = token_with(&srv, &client, &assertion).await;
    assert_eq!(
        (st, e["error"].as_str()),
        (StatusCode::UNAUTHORIZED, Some("invalid_client")),
        "replay: {e}"
    );

    // An expired credential verifies nothing.
    let (st, c) = srv
        .api(
            Method::PATCH,
            &format!("/clients/{client}/credentials/{cred}"),
            Some(json!({"expires_at": "2020-01-01T00:00:00.000Z"})),
        )
        .await;
    assert_eq!(st, StatusCode::OK, "{c}");
    let (st, _) = token_with(&srv, &client, &sign(&key, "RS256", &claims(&srv, &client))).await;
    assert_eq!(st, StatusCode::UNAUTHORIZED);
}

async fn credentials_api_answers_auth0s_shapes_and_refusals(srv: TestServer) {
    let (_, pem, _) = rsa_key();
    let (client, _, cred) = keyed_app(&srv, &pem).await;
    let (st, list) = srv
        .api(Method::GET, &format!("/clients/{client}/credentials"), None)
        .await;
    assert_eq!(st, StatusCode::OK);
    let one = &list[0];
    assert_eq!(one["id"], json!(cred));
    assert!(cred.starts_with("cred_"));
    assert_eq!(
        (
            one["credential_type"].as_str(),
            one["alg"].as_str(),
            one["name"].as_str()
        ),
        (Some("public_key"), Some("RS256"), Some("ci key"))
    );
    assert!(one["kid"].as_str().is_some_and(|k| !k.is_empty()));
    assert!(one.get("pem").is_none(), "the key is not answered");
    let (st, got) = srv
        .api(
            Method::GET,
            &format!("/clients/{client}/credentials/{cred}"),
            None,
        )
        .await;
    assert_eq!((st, &got), (StatusCode::OK, one));

    let bad_bodies = [
        json!({"credential_type": "x509_cert", "pem": pem}),
        json!({"credential_type": "public_key"}),
        json!({"credential_type": "public_key", "pem": "-----BEGIN PUBLIC KEY-----\nAAAA\n-----END PUBLIC KEY-----"}),
        json!({"credential_type": "public_key", "pem": pem, "alg": "HS256"}),
        json!({"credential_type": "public_key", "pem": pem, "expires_at": "soon"}),
        json!({"credential_type": "public_key", "pem": pem, "colour": "red"}),
    ];
    for b in bad_bodies {
        let (st, e) = srv
            .api(
                Method::POST,
                &format!("/clients/{client}/credentials"),
                Some(b.clone()),
            )
            .await;
        assert_eq!(st, StatusCode::BAD_REQUEST, "{b}: {e}");
    }
    // At most two; unknown applications and credentials.
    let (_, pem2, _) = rsa_key();
    let (st, _) = srv
        .api(
            Method::POST,
            &format!("/clients/{client}/credentials"),
            Some(json!({"credential_type": "public_key", "pem": pem2})),
        )
        .await;
    assert_eq!(st, StatusCode::CREATED);
    let (st, e) = srv
        .api(
            Method::POST,
            &format!("/clients/{client}/credentials"),
            Some(json!({"credential_type": "public_key", "pem": pem2})),
        )
        .await;
    assert_eq!(st, StatusCode::CONFLICT, "{e}");
    let (st, _) = srv
        .api(Method::GET, "/clients/nobody/credentials", None)
        .await;
    assert_eq!(st, StatusCode::NOT_FOUND);
    let (st, _) = srv
        .api(
            Method::POST,
            "/clients/nobody/credentials",
            Some(json!({"credential_type": "public_key", "pem": pem})),
        )
        .await;
    assert_eq!(st, StatusCode::NOT_FOUND);
    // A client may name only its own credentials.
    let (st, e) = srv
        .api(
            Method::PATCH,
            &format!("/clients/{client}"),
            Some(json!({"client_authentication_methods": {"private_key_jwt": {"credentials": [{"id": "cred_nope"}]}}})),
        )
        .await;
    assert_eq!(st, StatusCode::BAD_REQUEST, "{e}");
    // PATCH without expires_at leaves it; null removes it.
    let (_, c) = srv
        .api(
            Method::PATCH,
            &format!("/clients/{client}/credentials/{cred}"),
            Some(json!({"expires_at": "2099-01-01T00:00:00.000Z"})),
        )
        .await;
    assert_eq!(c["expires_at"], json!("2099-01-01T00:00:00.000Z"));
    let (_, c) = srv
        .api(
            Method::PATCH,
            &format!("/clients/{client}/credentials/{cred}"),
            Some(json!({})),
        )
        .await;
    assert_eq!(c["expires_at"], json!("2099-01-01T00:00:00.000Z"), "{c}");
    let (_, c) = srv
        .api(
            Method::PATCH,
            &format!("/clients/{client}/credentials/{cred}"),
            Some(json!({"expires_at": null})),
        )
        .await;
    assert!(c.get("expires_at").is_none(), "{c}");
    // In use: the application must stop naming it first.
    let (st, e) = srv
        .api(
            Method::DELETE,
            &format!("/clients/{client}/credentials/{cred}"),
            None,
        )
        .await;
    assert_eq!(st, StatusCode::CONFLICT, "{e}");
    let (st, _) = srv
        .api(
            Method::PATCH,
            &format!("/clients/{client}"),
            Some(json!({"client_authentication_methods": {}})),
        )
        .await;
    assert_eq!(st, StatusCode::OK);
    let (st, _) = srv
        .api(
            Method::DELETE,
            &format!("/clients/{client}/credentials/{cred}"),
            None,
        )
        .await;
    assert_eq!(st, StatusCode::NO_CONTENT);
    let (st, _) = srv
        .api(
            Method::DELETE,
            &format!("/clients/{client}/credentials/{cred}"),
            None,
        )
        .await;
    assert_eq!(st, StatusCode::NOT_FOUND);
}

/// openid-client signs its own assertion (jose, in Node) and gets a token
/// by client credentials over TLS.
async fn openid_client_authenticates_with_private_key_jwt(backend: Backend) {
    let certs = tempfile::tempdir().unwrap();
    let (srv, cert) = crate::auth0_sdk::trusted_tls_server(backend, certs.path()).await;
    let (_, pem, private_pem) = rsa_key();
    let (client, _, _) = keyed_app(&srv, &pem).await;
    let seen = crate::auth0_sdk::node_script(
        "private_key_jwt.mjs",
        &cert,
        &[
            ("ISSUER", &srv.issuer),
            ("CLIENT_ID", &client),
            ("PRIVATE_KEY", &private_pem),
            ("AUDIENCE", API),
        ],
    )
    .await;
    let access = verify_with_jwks(&srv, seen["access_token"].as_str().unwrap(), API).await;
    assert_eq!(access["sub"], json!(format!("{client}@clients")));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn openid_client_authenticates_with_private_key_jwt_sqlite() {
    openid_client_authenticates_with_private_key_jwt(Backend::Sqlite).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn openid_client_authenticates_with_private_key_jwt_postgres() {
    openid_client_authenticates_with_private_key_jwt(Backend::Postgres).await;
}
