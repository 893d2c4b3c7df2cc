//! DPoP (RFC 9449, issue 22): proofs at the token endpoint bind access
//! tokens (`cnf.jkt`, `token_type: DPoP`) and a public client's refresh
//! tokens to the client's key; `/userinfo` and the Management API take a
//! bound token only as `Authorization: DPoP` with a fresh proof of that key;
//! APIs and applications may require it; a server nonce when configured.
//! Proofs here are signed by the test with aws-lc-rs; the thumbprint is
//! computed by the `jsonwebtoken` crate, and tokens are verified with it;
//! openid-client (Node) runs the whole exchange on its own over TLS.

use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use reqwest::{Method, StatusCode};
use serde_json::{Value, json};

use crate::browser::{Browser, CALLBACK, PASSWORD, VERIFIER, code_params, spa, user};
use crate::support::{Backend, TestServer, on_both_backends, unix_now, verify_with_jwks};

const API: &str = "https://vault.example/api";

/// A client's P-256 key, as a DPoP client keeps it.
struct DpopKey {
    pair: aws_lc_rs::signature::EcdsaKeyPair,
    jwk: Value,
}

impl DpopKey {
    fn new() -> Self {
        use aws_lc_rs::signature::{ECDSA_P256_SHA256_FIXED_SIGNING, EcdsaKeyPair, KeyPair};
        let rng = aws_lc_rs::rand::SystemRandom::new();
        let pkcs8 = EcdsaKeyPair::generate_pkcs8(&ECDSA_P256_SHA256_FIXED_SIGNING, &rng).unwrap();
        let pair =
            EcdsaKeyPair::from_pkcs8(&ECDSA_P256_SHA256_FIXED_SIGNING, pkcs8.as_ref()).unwrap();
        let point = pair.public_key().as_ref().to_vec();
        let jwk = json!({
            "kty": "EC", "crv": "P-256",
            "x": URL_SAFE_NO_PAD.encode(&point[1..33]),
            "y": URL_SAFE_NO_PAD.encode(&point[33..65]),
        });
        Self { pair, jwk }
    }

    /// The RFC 7638 thumbprint, by the `jsonwebtoken` crate.
    fn thumbprint(&self) -> String {
        thumbprint_of(&self.jwk)
    }

    /// A compact JWS of `claims` under `header`, signed by this key.
    fn sign(&self, header: &Value, claims: &Value) -> String {
        let input = format!(
            "{}.{}",
            URL_SAFE_NO_PAD.encode(header.to_string()),
            URL_SAFE_NO_PAD.encode(claims.to_string())
        );
        let sig = self
            .pair
            .sign(&aws_lc_rs::rand::SystemRandom::new(), input.as_bytes())
            .unwrap();
        format!("{input}.{}", URL_SAFE_NO_PAD.encode(sig.as_ref()))
    }

    fn header(&self) -> Value {
        json!({"typ": "dpop+jwt", "alg": "ES256", "jwk": self.jwk})
    }

    /// A fresh proof for `htm` at `htu` (with `ath` of `token`).
    fn claims(htm: &str, htu: &str, token: Option<&str>) -> Value {
        let mut c = json!({"jti": portcullis_core::random::url_token(), "htm": htm, "htu": htu,
                           "iat": unix_now()});
        if let Some(t) = token {
            let hash = aws_lc_rs::digest::digest(&aws_lc_rs::digest::SHA256, t.as_bytes());
            c["ath"] = URL_SAFE_NO_PAD.encode(hash).into();
        }
        c
    }

    fn proof(&self, htm: &str, htu: &str, token: Option<&str>) -> String {
        self.sign(&self.header(), &Self::claims(htm, htu, token))
    }
}

fn thumbprint_of(jwk: &Value) -> String {
    let jwk: jsonwebtoken::jwk::Jwk = serde_json::from_value(jwk.clone()).unwrap();
    jwk.thumbprint(jsonwebtoken::jwk::ThumbprintHash::SHA256)
        .unwrap()
}

fn token_url(srv: &TestServer) -> String {
    format!("{}oauth/token", srv.issuer)
}

/// POST /oauth/token with `form` and each `proofs` as a `DPoP` header.
async fn token_with(
    srv: &TestServer,
    form: &[(&str, &str)],
    proofs: &[&str],
) -> (StatusCode, Value, reqwest::header::HeaderMap) {
    let mut req = srv.http.post(format!("{}/oauth/token", srv.url)).form(form);
    for p in proofs {
        req = req.header("DPoP", *p);
    }
    let res = req.send().await.unwrap();
    let (st, headers) = (res.status(), res.headers().clone());
    (st, res.json().await.unwrap_or(Value::Null), headers)
}

/// A request to `path` (below the issuer) with `authorization` and an
/// optional proof.
async fn resource(
    srv: &TestServer,
    method: Method,
    path: &str,
    authorization: &str,
    proof: Option<&str>,
) -> (StatusCode, Value, reqwest::header::HeaderMap) {
    let mut req = srv
        .http
        .request(method, format!("{}/{path}", srv.url))
        .header("authorization", authorization);
    if let Some(p) = proof {
        req = req.header("DPoP", p);
    }
    let res = req.send().await.unwrap();
    let (st, headers) = (res.status(), res.headers().clone());
    (st, res.json().await.unwrap_or(Value::Null), headers)
}

fn assert_token_error(st: StatusCode, body: &Value, error: &str) {
    assert_eq!(st, StatusCode::BAD_REQUEST, "{body}");
    assert_eq!(body["error"], error, "{body}");
    assert!(body.get("access_token").is_none(), "{body}");
}

on_both_backends!(
    dpop_binds_machine_tokens_and_the_management_api_checks_each_proof,
    token_endpoint_refuses_bad_proofs_and_changes_nothing,
    public_client_tokens_and_refresh_tokens_are_bound_to_the_key,
    apis_and_applications_can_require_dpop
);

/// Client credentials with a proof: a DPoP token bound to the key (checked
/// with an independent thumbprint); the Management API takes it only with
/// a fresh proof of that key for this request and this token.
async fn dpop_binds_machine_tokens_and_the_management_api_checks_each_proof(srv: TestServer) {
    let key = DpopKey::new();
    let aud = srv.management_audience();
    let (st, t, _) = token_with(
        &srv,
        &[
            ("grant_type", "client_credentials"),
            ("client_id", &srv.admin_id),
            ("client_secret", &srv.admin_secret),
            ("audience", &aud),
        ],
        &[&key.proof("POST", &token_url(&srv), None)],
    )
    .await;
    assert_eq!(st, StatusCode::OK, "{t}");
    assert_eq!(t["token_type"], "DPoP");
    let token = t["access_token"].as_str().unwrap().to_string();
    let claims = verify_with_jwks(&srv, &token, &aud).await;
    assert_eq!(claims["cnf"]["jkt"], key.thumbprint(), "{claims}");
    let url = format!("{}api/v2/clients", srv.issuer);
    let dpop_auth = format!("DPoP {token}");
    // The right proof: the list.
    let good = key.proof("GET", &url, Some(&token));
    let (st, body, _) =
        resource(&srv, Method::GET, "api/v2/clients", &dpop_auth, Some(&good)).await;
    assert_eq!(st, StatusCode::OK, "{body}");
    assert!(body.is_array(), "{body}");
    // The same proof again: a replay.
    let (st, body, h) =
        resource(&srv, Method::GET, "api/v2/clients", &dpop_auth, Some(&good)).await;
    assert_eq!(st, StatusCode::UNAUTHORIZED, "{body}");
    assert_eq!(body["errorCode"], "invalid_dpop_proof");
    let challenge = h["www-authenticate"].to_str().unwrap();
    assert!(challenge.starts_with("DPoP "), "{challenge}");
    assert!(challenge.contains("ES256"), "{challenge}");
    // As a bearer token: refused, bound tokens need their key.
    let (st, body, _) = resource(
        &srv,
        Method::GET,
        "api/v2/clients",
        &format!("Bearer {token}"),
        None,
    )
    .await;
    assert_eq!(st, StatusCode::UNAUTHORIZED, "{body}");
    assert_eq!(body["errorCode"], "invalid_token");
    // Without a proof, with another key's, for another URL or method, or
    // without the token's hash: refused.
    let other = DpopKey::new();
    let no_ath = key.proof("GET", &url, None);
    let cases = [
        (None, "invalid_token"),
        (
            Some(other.proof("GET", &url, Some(&token))),
            "invalid_token",
        ),
        (
            Some(key.proof("GET", &format!("{}api/v2/users", srv.issuer), Some(&token))),
            "invalid_dpop_proof",
        ),
        (
            Some(key.proof("POST", &url, Some(&token))),
            "invalid_dpop_proof",
        ),
        (Some(no_ath), "invalid_dpop_proof"),
        (
            Some(key.proof("GET", &url, Some("another token"))),
            "invalid_dpop_proof",
        ),
    ];
    for (proof, error) in cases {
        let (st, body, _) = resource(
            &srv,
            Method::GET,
            "api/v2/clients",
            &dpop_auth,
            proof.as_deref(),
        )
        .await;
        assert_eq!(st, StatusCode::UNAUTHORIZED, "{proof:?}: {body}");
        assert_eq!(body["errorCode"], error, "{proof:?}: {body}");
    }
    // An unbound token presented with the DPoP scheme is refused too.
    let bearer = srv.admin_token().await;
    let (st, body, _) = resource(
        &srv,
        Method::GET,
        "api/v2/clients",
        &format!("DPoP {bearer}"),
        Some(&key.proof("GET", &url, Some(&bearer))),
    )
    .await;
    assert_eq!(st, StatusCode::UNAUTHORIZED, "{body}");
    // Introspection tells a resource server the key (RFC 9449 §6.2).
    let (st, intro) = {
        let res = srv
            .http
            .post(format!("{}/oauth/introspect", srv.url))
            .basic_auth(&srv.admin_id, Some(&srv.admin_secret))
            .form(&[("token", token.as_str())])
            .send()
            .await
            .unwrap();
        (res.status(), res.json::<Value>().await.unwrap())
    };
    assert_eq!(st, StatusCode::OK, "{intro}");
    assert_eq!(intro["token_type"], "DPoP", "{intro}");
    assert_eq!(intro["cnf"]["jkt"], key.thumbprint());
}

/// Every kind of bad proof at the token endpoint is `invalid_dpop_proof`,
/// and a code sent with one is not spent: the same code then works with a
/// good proof.
async fn token_endpoint_refuses_bad_proofs_and_changes_nothing(srv: TestServer) {
    let app = spa(&srv, json!({})).await;
    user(&srv, "ada@example.com").await;
    let mut b = Browser::new(&srv);
    let to = b.authorize(&code_params(&app, &[])).await;
    let back = b.submit_login(&to, "ada@example.com", PASSWORD).await;
    let code = back.redirect_params()["code"].clone();
    let form = [
        ("grant_type", "authorization_code"),
        ("client_id", app.as_str()),
        ("code", code.as_str()),
        ("redirect_uri", CALLBACK),
        ("code_verifier", VERIFIER),
    ];
    let key = DpopKey::new();
    let url = token_url(&srv);
    let now = unix_now();
    let with = |f: &dyn Fn(&mut Value, &mut Value)| {
        let (mut h, mut c) = (key.header(), DpopKey::claims("POST", &url, None));
        f(&mut h, &mut c);
        key.sign(&h, &c)
    };
    let mut private = key.jwk.clone();
    private["d"] = "c2VjcmV0".into();
    let other = DpopKey::new();
    let spent = key.proof("POST", &url, None);
    // A good proof spent once on a refused request for another grant.
    let (st, _, _) = token_with(
        &srv,
        &[
            ("grant_type", "client_credentials"),
            ("client_id", &srv.admin_id),
            ("client_secret", &srv.admin_secret),
            ("audience", "https://nowhere.example/"),
        ],
        &[&spent],
    )
    .await;
    assert_ne!(st, StatusCode::OK);
    let bad: Vec<(&str, String)> = vec![
        ("not a JWT", "not-a-jwt".into()),
        ("typ JWT", with(&|h, _| h["typ"] = "JWT".into())),
        ("alg none", {
            let h = json!({"typ": "dpop+jwt", "alg": "none", "jwk": key.jwk});
            format!(
                "{}.{}.",
                URL_SAFE_NO_PAD.encode(h.to_string()),
                URL_SAFE_NO_PAD.encode(DpopKey::claims("POST", &url, None).to_string())
            )
        }),
        ("alg HS256", with(&|h, _| h["alg"] = "HS256".into())),
        ("private jwk", with(&|h, _| h["jwk"] = private.clone())),
        (
            "another key's jwk",
            with(&|h, _| h["jwk"] = other.jwk.clone()),
        ),
        (
            "no jwk",
            with(&|h, _| {
                h.as_object_mut().unwrap().remove("jwk");
            }),
        ),
        ("htm GET", with(&|_, c| c["htm"] = "GET".into())),
        (
            "htu elsewhere",
            with(&|_, c| c["htu"] = format!("{}userinfo", srv.issuer).into()),
        ),
        ("iat old", with(&|_, c| c["iat"] = (now - 400).into())),
        ("iat ahead", with(&|_, c| c["iat"] = (now + 120).into())),
        (
            "no jti",
            with(&|_, c| {
                c.as_object_mut().unwrap().remove("jti");
            }),
        ),
        ("replayed jti", spent.clone()),
    ];
    for (what, proof) in &bad {
        let (st, body, _) = token_with(&srv, &form, &[proof]).await;
        assert_token_error(st, &body, "invalid_dpop_proof");
        assert!(!what.is_empty());
    }
    // Two proofs at once.
    let (st, body, _) = token_with(
        &srv,
        &form,
        &[
            &key.proof("POST", &url, None),
            &key.proof("POST", &url, None),
        ],
    )
    .await;
    assert_token_error(st, &body, "invalid_dpop_proof");
    // The code was never spent: it works now.
    let (st, t, _) = token_with(&srv, &form, &[&key.proof("POST", &url, None)]).await;
    assert_eq!(st, StatusCode::OK, "{t}");
    assert_eq!(t["token_type"], "DPoP");
}

/// A public client's code grant with a proof: the access token is bound,
/// `/userinfo` wants the DPoP scheme and a proof, and the refresh token
/// works only with a proof of the same key (a stolen refresh token is of no
/// use). A confidential client's refresh tokens are not bound.
async fn public_client_tokens_and_refresh_tokens_are_bound_to_the_key(srv: TestServer) {
    let app = spa(&srv, json!({})).await;
    user(&srv, "ada@example.com").await;
    let mut b = Browser::new(&srv);
    let to = b
        .authorize(&code_params(
            &app,
            &[("scope", "openid profile email offline_access")],
        ))
        .await;
    let back = b.submit_login(&to, "ada@example.com", PASSWORD).await;
    let code = back.redirect_params()["code"].clone();
    let key = DpopKey::new();
    let url = token_url(&srv);
    let (st, t, _) = token_with(
        &srv,
        &[
            ("grant_type", "authorization_code"),
            ("client_id", app.as_str()),
            ("code", code.as_str()),
            ("redirect_uri", CALLBACK),
            ("code_verifier", VERIFIER),
        ],
        &[&key.proof("POST", &url, None)],
    )
    .await;
    assert_eq!(st, StatusCode::OK, "{t}");
    assert_eq!(t["token_type"], "DPoP");
    let access = t["access_token"].as_str().unwrap().to_string();
    let claims = verify_with_jwks(&srv, &access, &format!("{}userinfo", srv.issuer)).await;
    assert_eq!(claims["cnf"]["jkt"], key.thumbprint());
    // /userinfo: DPoP with a proof (GET and POST), not as a bearer token.
    let info_url = format!("{}userinfo", srv.issuer);
    for m in [Method::GET, Method::POST] {
        let proof = key.proof(m.as_str(), &info_url, Some(&access));
        let (st, body, _) = resource(
            &srv,
            m.clone(),
            "userinfo",
            &format!("DPoP {access}"),
            Some(&proof),
        )
        .await;
        assert_eq!(st, StatusCode::OK, "{m}: {body}");
        assert_eq!(body["email"], "ada@example.com");
    }
    let (st, body, h) = resource(
        &srv,
        Method::GET,
        "userinfo",
        &format!("Bearer {access}"),
        None,
    )
    .await;
    assert_eq!(st, StatusCode::UNAUTHORIZED, "{body}");
    assert_eq!(body["error"], "invalid_token");
    assert!(h["www-authenticate"].to_str().unwrap().starts_with("DPoP "));
    let stolen_proof = DpopKey::new().proof("GET", &info_url, Some(&access));
    let (st, _, _) = resource(
        &srv,
        Method::GET,
        "userinfo",
        &format!("DPoP {access}"),
        Some(&stolen_proof),
    )
    .await;
    assert_eq!(st, StatusCode::UNAUTHORIZED);
    // A forged token with the DPoP scheme: a DPoP challenge.
    let (st, _, h) = resource(&srv, Method::GET, "userinfo", "DPoP not.a.token", None).await;
    assert_eq!(st, StatusCode::UNAUTHORIZED);
    assert!(h["www-authenticate"].to_str().unwrap().starts_with("DPoP "));
    // The refresh token: refused without a proof or with another key's,
    // and left unspent by those refusals.
    let rt = t["refresh_token"]
        .as_str()
        .expect("a refresh token")
        .to_string();
    let form = [
        ("grant_type", "refresh_token"),
        ("client_id", app.as_str()),
        ("refresh_token", rt.as_str()),
    ];
    let (st, body, _) = token_with(&srv, &form, &[]).await;
    assert_token_error(st, &body, "invalid_dpop_proof");
    let (st, body, _) = token_with(&srv, &form, &[&DpopKey::new().proof("POST", &url, None)]).await;
    assert_token_error(st, &body, "invalid_dpop_proof");
    let (st, next, _) = token_with(&srv, &form, &[&key.proof("POST", &url, None)]).await;
    assert_eq!(st, StatusCode::OK, "{next}");
    assert_eq!(next["token_type"], "DPoP");
    let again = verify_with_jwks(
        &srv,
        next["access_token"].as_str().unwrap(),
        &format!("{}userinfo", srv.issuer),
    )
    .await;
    assert_eq!(again["cnf"]["jkt"], key.thumbprint());
    // The rotated token is bound as its family is.
    let rt2 = next["refresh_token"].as_str().expect("rotated").to_string();
    let form2 = [
        ("grant_type", "refresh_token"),
        ("client_id", app.as_str()),
        ("refresh_token", rt2.as_str()),
    ];
    let (st, body, _) = token_with(&srv, &form2, &[]).await;
    assert_token_error(st, &body, "invalid_dpop_proof");

    // A confidential client: its refresh token is bound by its secret, not
    // the key; a refresh without a proof gives a bearer token.
    let (st, c) = srv
        .api(
            Method::POST,
            "/clients",
            Some(
                json!({"name": "Portal", "app_type": "regular_web", "callbacks": [CALLBACK],
                        "grant_types": ["password", "refresh_token"]}),
            ),
        )
        .await;
    assert_eq!(st, StatusCode::CREATED, "{c}");
    let (id, secret) = (
        c["client_id"].as_str().unwrap(),
        c["client_secret"].as_str().unwrap(),
    );
    let (st, t, _) = token_with(
        &srv,
        &[
            ("grant_type", "password"),
            ("client_id", id),
            ("client_secret", secret),
            ("username", "ada@example.com"),
            ("password", PASSWORD),
            ("scope", "openid offline_access"),
        ],
        &[&key.proof("POST", &url, None)],
    )
    .await;
    assert_eq!(st, StatusCode::OK, "{t}");
    assert_eq!(t["token_type"], "DPoP");
    let (st, r, _) = token_with(
        &srv,
        &[
            ("grant_type", "refresh_token"),
            ("client_id", id),
            ("client_secret", secret),
            ("refresh_token", t["refresh_token"].as_str().unwrap()),
        ],
        &[],
    )
    .await;
    assert_eq!(st, StatusCode::OK, "{r}");
    assert_eq!(r["token_type"], "Bearer");
    // The MFA API: a bound token only with its key's proof.
    let (st, t, _) = token_with(
        &srv,
        &[
            ("grant_type", "password"),
            ("client_id", id),
            ("client_secret", secret),
            ("username", "ada@example.com"),
            ("password", PASSWORD),
            ("audience", &format!("{}mfa/", srv.issuer)),
            ("scope", "read:authenticators"),
        ],
        &[&key.proof("POST", &url, None)],
    )
    .await;
    assert_eq!(st, StatusCode::OK, "{t}");
    let mfa = t["access_token"].as_str().unwrap().to_string();
    let (st, body, _) = resource(
        &srv,
        Method::GET,
        "mfa/authenticators",
        &format!("Bearer {mfa}"),
        None,
    )
    .await;
    assert_eq!(st, StatusCode::UNAUTHORIZED, "{body}");
    let list_url = format!("{}mfa/authenticators", srv.issuer);
    let (st, body, _) = resource(
        &srv,
        Method::GET,
        "mfa/authenticators",
        &format!("DPoP {mfa}"),
        Some(&key.proof("GET", &list_url, Some(&mfa))),
    )
    .await;
    assert_eq!(st, StatusCode::OK, "{body}");
    assert!(body.is_array(), "{body}");
}

/// Auth0's `proof_of_possession` on an API and `require_proof_of_possession`
/// on an application: without a proof, no token; `mtls` and malformed
/// settings are refused; implicit access tokens for such an API too.
async fn apis_and_applications_can_require_dpop(srv: TestServer) {
    let (id, secret) = srv
        .m2m_with_grant(API, &["read:vault"], &["read:vault"])
        .await;
    let (_, list) = srv.api(Method::GET, "/resource-servers", None).await;
    let rs_id = list
        .as_array()
        .unwrap()
        .iter()
        .find(|r| r["identifier"] == API)
        .unwrap()["id"]
        .as_str()
        .unwrap()
        .to_string();
    for bad in [
        json!({"mechanism": "mtls", "required": true}),
        json!({"mechanism": "dpop", "required": "yes"}),
        json!({"mechanism": "other"}),
        json!({"mechanism": "dpop", "extra": 1}),
        json!("dpop"),
    ] {
        let (st, body) = srv
            .api(
                Method::PATCH,
                &format!("/resource-servers/{rs_id}"),
                Some(json!({"proof_of_possession": bad})),
            )
            .await;
        assert_eq!(st, StatusCode::BAD_REQUEST, "{bad}: {body}");
    }
    let (st, rs) = srv
        .api(
            Method::PATCH,
            &format!("/resource-servers/{rs_id}"),
            Some(json!({"proof_of_possession": {"mechanism": "dpop", "required": true}})),
        )
        .await;
    assert_eq!(st, StatusCode::OK, "{rs}");
    assert_eq!(
        rs["proof_of_possession"],
        json!({"mechanism": "dpop", "required": true})
    );
    let form = [
        ("grant_type", "client_credentials"),
        ("client_id", id.as_str()),
        ("client_secret", secret.as_str()),
        ("audience", API),
    ];
    let (st, body, _) = token_with(&srv, &form, &[]).await;
    assert_token_error(st, &body, "invalid_request");
    let key = DpopKey::new();
    let (st, t, _) = token_with(&srv, &form, &[&key.proof("POST", &token_url(&srv), None)]).await;
    assert_eq!(st, StatusCode::OK, "{t}");
    assert_eq!(t["token_type"], "DPoP");
    // An implicit access token for that API could not be bound.
    let app = spa(&srv, json!({})).await;
    let mut b = Browser::new(&srv);
    let page = b
        .authorize(&[
            ("client_id", app.as_str()),
            ("redirect_uri", CALLBACK),
            ("response_type", "token"),
            ("audience", API),
            ("state", "s"),
            ("nonce", "n"),
        ])
        .await;
    let params = page.redirect_params();
    assert_eq!(params["error"], "invalid_request", "{params:?}");
    // null removes the requirement.
    let (st, rs) = srv
        .api(
            Method::PATCH,
            &format!("/resource-servers/{rs_id}"),
            Some(json!({"proof_of_possession": null})),
        )
        .await;
    assert_eq!(st, StatusCode::OK, "{rs}");
    assert!(rs.get("proof_of_possession").is_none(), "{rs}");
    let (st, t, _) = token_with(&srv, &form, &[]).await;
    assert_eq!(st, StatusCode::OK, "{t}");
    assert_eq!(t["token_type"], "Bearer");
    // The application's own requirement.
    let (st, c) = srv
        .api(
            Method::PATCH,
            &format!("/clients/{id}"),
            Some(json!({"require_proof_of_possession": true})),
        )
        .await;
    assert_eq!(st, StatusCode::OK, "{c}");
    assert_eq!(c["require_proof_of_possession"], true);
    let (st, body, _) = token_with(&srv, &form, &[]).await;
    assert_token_error(st, &body, "invalid_request");
    let (st, t, _) = token_with(&srv, &form, &[&key.proof("POST", &token_url(&srv), None)]).await;
    assert_eq!(st, StatusCode::OK, "{t}");
}

/// With `dpop_nonce` on, a proof without the server's nonce is answered
/// `use_dpop_nonce` with one in `DPoP-Nonce`, at the token endpoint and at
/// a resource; a proof with it is accepted; a made-up nonce is not.
async fn server_nonce_is_required_when_configured(backend: Backend) {
    let srv = crate::support::start_configured(backend, |c| c.dpop_nonce = true).await;
    let key = DpopKey::new();
    let url = token_url(&srv);
    let aud = srv.management_audience();
    let form = [
        ("grant_type", "client_credentials"),
        ("client_id", srv.admin_id.as_str()),
        ("client_secret", srv.admin_secret.as_str()),
        ("audience", aud.as_str()),
    ];
    let (st, body, h) = token_with(&srv, &form, &[&key.proof("POST", &url, None)]).await;
    assert_token_error(st, &body, "use_dpop_nonce");
    let nonce = h["dpop-nonce"].to_str().unwrap().to_string();
    let with_nonce = |n: &str, htm: &str, htu: &str, token: Option<&str>| {
        let mut c = DpopKey::claims(htm, htu, token);
        c["nonce"] = n.into();
        key.sign(&key.header(), &c)
    };
    let (st, body, _) =
        token_with(&srv, &form, &[&with_nonce("made-up", "POST", &url, None)]).await;
    assert_token_error(st, &body, "use_dpop_nonce");
    let (st, t, _) = token_with(&srv, &form, &[&with_nonce(&nonce, "POST", &url, None)]).await;
    assert_eq!(st, StatusCode::OK, "{t}");
    let token = t["access_token"].as_str().unwrap().to_string();
    let api_url = format!("{}api/v2/clients", srv.issuer);
    let (st, body, h) = resource(
        &srv,
        Method::GET,
        "api/v2/clients",
        &format!("DPoP {token}"),
        Some(&key.proof("GET", &api_url, Some(&token))),
    )
    .await;
    assert_eq!(st, StatusCode::UNAUTHORIZED, "{body}");
    assert_eq!(body["errorCode"], "use_dpop_nonce");
    let nonce = h["dpop-nonce"].to_str().unwrap().to_string();
    assert!(
        h["www-authenticate"]
            .to_str()
            .unwrap()
            .contains("use_dpop_nonce")
    );
    let (st, body, _) = resource(
        &srv,
        Method::GET,
        "api/v2/clients",
        &format!("DPoP {token}"),
        Some(&with_nonce(&nonce, "GET", &api_url, Some(&token))),
    )
    .await;
    assert_eq!(st, StatusCode::OK, "{body}");
}

/// Under an issuer with a path (`http://host/auth/`), `htu` is the URL the
/// client calls, path included, at the token endpoint, `/userinfo`'s
/// neighbour the Management API, and CORS lets browser apps send proofs.
async fn dpop_works_under_an_issuer_path(backend: Backend) {
    let mut srv = crate::support::start_configured(backend, |c| {
        c.issuer = format!("http://{}/auth/", c.bind)
    })
    .await;
    srv.url = format!("{}/auth", srv.url);
    let key = DpopKey::new();
    let aud = srv.management_audience();
    let (st, t, _) = token_with(
        &srv,
        &[
            ("grant_type", "client_credentials"),
            ("client_id", &srv.admin_id),
            ("client_secret", &srv.admin_secret),
            ("audience", &aud),
        ],
        &[&key.proof("POST", &token_url(&srv), None)],
    )
    .await;
    assert_eq!(st, StatusCode::OK, "{t}");
    let token = t["access_token"].as_str().unwrap().to_string();
    let url = format!("{}api/v2/clients", srv.issuer);
    assert!(url.contains("/auth/api/v2/"), "{url}");
    let (st, body, _) = resource(
        &srv,
        Method::GET,
        "api/v2/clients",
        &format!("DPoP {token}"),
        Some(&key.proof("GET", &url, Some(&token))),
    )
    .await;
    assert_eq!(st, StatusCode::OK, "{body}");
    // A browser app's preflight may send the DPoP header.
    spa(&srv, json!({})).await;
    let res = srv
        .http
        .request(Method::OPTIONS, format!("{}/oauth/token", srv.url))
        .header("origin", "https://app.example")
        .header("access-control-request-method", "POST")
        .header("access-control-request-headers", "dpop")
        .send()
        .await
        .unwrap();
    let allowed = res
        .headers()
        .get("access-control-allow-headers")
        .map(|v| v.to_str().unwrap().to_lowercase())
        .unwrap_or_default();
    assert!(allowed.contains("dpop"), "{allowed}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn dpop_works_under_an_issuer_path_sqlite() {
    dpop_works_under_an_issuer_path(Backend::Sqlite).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn dpop_works_under_an_issuer_path_postgres() {
    dpop_works_under_an_issuer_path(Backend::Postgres).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn server_nonce_is_required_when_configured_sqlite() {
    server_nonce_is_required_when_configured(Backend::Sqlite).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn server_nonce_is_required_when_configured_postgres() {
    server_nonce_is_required_when_configured(Backend::Postgres).await;
}

/// openid-client makes its own key, gets a bound token (answering the
/// nonce challenge on its own) and calls the Management API with it; the
/// test checks the binding against the key it reports.
async fn openid_client_uses_dpop(backend: Backend) {
    let certs = tempfile::tempdir().unwrap();
    let (srv, cert) =
        crate::auth0_sdk::trusted_tls_server_with(backend, certs.path(), |c| c.dpop_nonce = true)
            .await;
    let seen = crate::auth0_sdk::node_script(
        "dpop.mjs",
        &cert,
        &[
            ("ISSUER", &srv.issuer),
            ("CLIENT_ID", &srv.admin_id),
            ("CLIENT_SECRET", &srv.admin_secret),
        ],
    )
    .await;
    assert_eq!(
        seen["token_type"]
            .as_str()
            .map(str::to_lowercase)
            .as_deref(),
        Some("dpop"),
        "{seen}"
    );
    assert_eq!(seen["status"], 200, "{seen}");
    assert!(seen["body"].is_array(), "{seen}");
    let claims = verify_with_jwks(
        &srv,
        seen["access_token"].as_str().unwrap(),
        &srv.management_audience(),
    )
    .await;
    assert_eq!(claims["cnf"]["jkt"], thumbprint_of(&seen["jwk"]), "{seen}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn openid_client_uses_dpop_sqlite() {
    openid_client_uses_dpop(Backend::Sqlite).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn openid_client_uses_dpop_postgres() {
    openid_client_uses_dpop(Backend::Postgres).await;
}
