//! Issue 18: signing in through an upstream identity provider. The upstream
//! is a second Portcullis started by the test on 127.0.0.1 (a real OpenID
//! Connect provider: discovery, JWKS, code flow with PKCE, userinfo); the bad
//! cases that a well-behaved provider never produces (a forged ID token, a
//! wrong nonce, a slow token endpoint) come from a small provider served by
//! the test itself.

use std::collections::HashMap;

use reqwest::{Method, StatusCode};
use serde_json::{Value, json};

use crate::browser::{Browser, Page, code_params, exchange, spa};
use crate::support::{Backend, TestServer, on_both_backends, verify_with_jwks};

on_both_backends!(
    oidc_upstream_signs_a_user_in_and_refreshes_the_profile_later,
    oauth2_upstream_signs_a_user_in_through_its_profile_url,
    login_page_offers_a_button_per_enabled_upstream,
    replayed_forged_and_refused_callbacks_change_nothing,
);

/// The upstream provider: a second Portcullis with an application whose
/// callback is the downstream's `login/callback`, and a user.
pub struct Upstream {
    pub idp: TestServer,
    pub client_id: String,
    pub client_secret: String,
}

pub async fn upstream_for(srv: &TestServer) -> Upstream {
    upstream_on(TestServer::start(Backend::Sqlite).await, srv).await
}

/// `idp` made the upstream of `srv`.
pub async fn upstream_on(idp: TestServer, srv: &TestServer) -> Upstream {
    let (st, c) = idp
        .api(
            Method::POST,
            "/clients",
            Some(json!({"name": "Downstream", "app_type": "regular_web",
                "callbacks": [format!("{}login/callback", srv.issuer)]})),
        )
        .await;
    assert_eq!(st, StatusCode::CREATED, "{c}");
    let (st, u) = idp
        .api(
            Method::POST,
            "/users",
            Some(json!({"connection": "Username-Password-Authentication", "email": "ann@corp.example",
                "password": crate::browser::PASSWORD, "name": "Ann Upstream", "given_name": "Ann",
                "email_verified": true})),
        )
        .await;
    assert_eq!(st, StatusCode::CREATED, "{u}");
    Upstream {
        idp,
        client_id: c["client_id"].as_str().unwrap().into(),
        client_secret: c["client_secret"].as_str().unwrap().into(),
    }
}

/// A connection to `up` (strategy `oidc` by discovery, or `oauth2`).
pub async fn connect(
    srv: &TestServer,
    up: &Upstream,
    name: &str,
    strategy: &str,
    clients: &[&str],
) -> Value {
    let issuer = &up.idp.issuer;
    let options = match strategy {
        "oidc" => json!({"client_id": up.client_id, "client_secret": up.client_secret,
            "discovery_url": format!("{issuer}.well-known/openid-configuration")}),
        _ => json!({"client_id": up.client_id, "client_secret": up.client_secret,
            "authorizationURL": format!("{issuer}authorize"), "tokenURL": format!("{issuer}oauth/token"),
            "profileURL": format!("{issuer}userinfo"), "scope": "openid profile email",
            "profile_map": {"user_id": "sub", "email": "email", "email_verified": "email_verified",
                "name": "name", "given_name": "given_name", "picture": "picture"}}),
    };
    let (st, c) = srv
        .api(
            Method::POST,
            "/connections",
            Some(
                json!({"name": name, "display_name": format!("{name} SSO"), "strategy": strategy,
                "options": options, "enabled_clients": clients}),
            ),
        )
        .await;
    assert_eq!(st, StatusCode::CREATED, "{c}");
    c
}

fn query_of(url: &str) -> HashMap<String, String> {
    let q = url.split_once('?').map(|x| x.1).unwrap_or("");
    form_urlencoded::parse(q.as_bytes()).into_owned().collect()
}

/// From the downstream's redirect to the upstream, through the upstream's
/// login page, to the downstream's callback URL (not yet followed).
pub async fn through_upstream(up: &Upstream, to_idp: &Page, email: &str, password: &str) -> String {
    assert_eq!(to_idp.status, StatusCode::FOUND, "{}", to_idp.body);
    let idp_authorize = to_idp.location.clone().unwrap();
    assert!(idp_authorize.starts_with(&up.idp.issuer), "{idp_authorize}");
    let q = query_of(&idp_authorize);
    assert_eq!(q["code_challenge_method"], "S256");
    assert!(q["redirect_uri"].ends_with("/login/callback"), "{q:?}");
    let mut theirs = Browser::new(&up.idp);
    let to_login = theirs.get(&idp_authorize).await;
    let back = theirs.submit_login(&to_login, email, password).await;
    assert_eq!(back.status, StatusCode::FOUND, "{}", back.body);
    back.location.unwrap()
}

/// The whole sign-in from `/authorize?connection=NAME` to the app's code.
async fn sign_in_with(
    srv: &TestServer,
    up: &Upstream,
    app: &str,
    connection: &str,
) -> (Browser, Page) {
    let mut ours = Browser::new(srv);
    let to_login = ours
        .authorize(&code_params(app, &[("connection", connection)]))
        .await;
    let to_idp = ours.get(to_login.location.as_deref().unwrap()).await;
    let callback =
        through_upstream(up, &to_idp, "ann@corp.example", crate::browser::PASSWORD).await;
    assert!(
        callback.starts_with(&format!("{}login/callback?", srv.issuer)),
        "{callback}"
    );
    let done = moved_on(ours.get(&callback).await);
    (ours, done)
}

async fn oidc_upstream_signs_a_user_in_and_refreshes_the_profile_later(srv: TestServer) {
    let up = upstream_for(&srv).await;
    let app = spa(&srv, json!({})).await;
    connect(&srv, &up, "corp", "oidc", &[&app]).await;
    // OpenID Connect: a nonce with the request (OIDC Core §3.1.2.1).
    let mut probe = Browser::new(&srv);
    let to_login = probe
        .authorize(&code_params(&app, &[("connection", "corp")]))
        .await;
    let to_idp = probe.get(to_login.location.as_deref().unwrap()).await;
    let q = query_of(to_idp.location.as_deref().unwrap());
    assert_eq!(q["nonce"].len(), 43, "{q:?}");
    assert_eq!(q["scope"], "openid profile email");
    let (_, done) = sign_in_with(&srv, &up, &app, "corp").await;
    assert_eq!(done.status, StatusCode::FOUND, "{}", done.body);
    let params = done.redirect_params();
    assert_eq!(params["state"], "st4te");
    let (st, tokens) = exchange(&srv, &app, &params["code"]).await;
    assert_eq!(st, StatusCode::OK, "{tokens}");
    let id = verify_with_jwks(&srv, tokens["id_token"].as_str().unwrap(), &app).await;
    let sub = id["sub"].as_str().unwrap().to_string();
    assert!(
        sub.starts_with("oidc|corp|auth0|"),
        "Auth0's enterprise user id: {sub}"
    );
    assert_eq!(id["email"], "ann@corp.example");
    assert_eq!(id["email_verified"], true);
    assert_eq!(
        id["name"], "Ann Upstream",
        "profile claims as for database users: {id}"
    );
    // The user, in Auth0's shape.
    let (st, u) = srv
        .api(Method::GET, &format!("/users/{}", urlencode(&sub)), None)
        .await;
    assert_eq!(st, StatusCode::OK, "{u}");
    assert_eq!(u["identities"][0]["connection"], "corp");
    assert_eq!(u["identities"][0]["provider"], "oidc");
    assert_eq!(u["identities"][0]["isSocial"], false);
    assert_eq!(u["logins_count"], 1);
    // Logged as Auth0 does: a first sign-in (ss) and a login (s) in `corp`.
    srv.server.as_ref().unwrap().state.auditor.flush().await;
    for code in ["ss", "s"] {
        let (_, logs) = srv
            .api(Method::GET, &format!("/logs?q=type%3A{code}"), None)
            .await;
        let logs = logs.as_array().unwrap();
        assert_eq!(logs.len(), 1, "{code}: {logs:?}");
        assert_eq!(logs[0]["connection"], "corp", "{code}");
        assert_eq!(logs[0]["user_id"], sub.as_str());
    }
    // The upstream changes the name; the next sign-in brings it, and keeps
    // what was set here.
    let (st, _) = srv
        .api(
            Method::PATCH,
            &format!("/users/{}", urlencode(&sub)),
            Some(json!({"app_metadata": {"plan": "gold"}})),
        )
        .await;
    assert_eq!(st, StatusCode::OK);
    let (_, idp_users) = up.idp.api(Method::GET, "/users", None).await;
    let idp_user = idp_users[0]["user_id"].as_str().unwrap().to_string();
    let (st, _) = up
        .idp
        .api(
            Method::PATCH,
            &format!("/users/{}", urlencode(&idp_user)),
            Some(json!({"name": "Ann Renamed"})),
        )
        .await;
    assert_eq!(st, StatusCode::OK);
    let (_, done) = sign_in_with(&srv, &up, &app, "corp").await;
    assert_eq!(done.status, StatusCode::FOUND, "{}", done.body);
    let (_, u) = srv
        .api(Method::GET, &format!("/users/{}", urlencode(&sub)), None)
        .await;
    assert_eq!(u["name"], "Ann Renamed");
    assert_eq!(u["app_metadata"]["plan"], "gold");
    assert_eq!(u["logins_count"], 2);
    let (_, all) = srv.api(Method::GET, "/users", None).await;
    assert_eq!(all.as_array().unwrap().len(), 1, "one user, not two: {all}");
    // A blocked user is refused, and the refused sign-in writes nothing.
    let (st, _) = srv
        .api(
            Method::PATCH,
            &format!("/users/{}", urlencode(&sub)),
            Some(json!({"blocked": true})),
        )
        .await;
    assert_eq!(st, StatusCode::OK);
    let (st, _) = up
        .idp
        .api(
            Method::PATCH,
            &format!("/users/{}", urlencode(&idp_user)),
            Some(json!({"name": "Ann Blocked"})),
        )
        .await;
    assert_eq!(st, StatusCode::OK);
    let (_, refused) = sign_in_with(&srv, &up, &app, "corp").await;
    assert_eq!(refused.redirect_params()["error"], "access_denied");
    let (_, u) = srv
        .api(Method::GET, &format!("/users/{}", urlencode(&sub)), None)
        .await;
    assert_eq!(u["name"], "Ann Renamed", "{u}");
    assert_eq!(u["logins_count"], 2);
}

async fn oauth2_upstream_signs_a_user_in_through_its_profile_url(srv: TestServer) {
    let up = upstream_for(&srv).await;
    let app = spa(&srv, json!({})).await;
    connect(&srv, &up, "corp-oauth", "oauth2", &[&app]).await;
    let (_, done) = sign_in_with(&srv, &up, &app, "corp-oauth").await;
    assert_eq!(done.status, StatusCode::FOUND, "{}", done.body);
    let (st, tokens) = exchange(&srv, &app, &done.redirect_params()["code"]).await;
    assert_eq!(st, StatusCode::OK, "{tokens}");
    let id = verify_with_jwks(&srv, tokens["id_token"].as_str().unwrap(), &app).await;
    assert!(
        id["sub"]
            .as_str()
            .unwrap()
            .starts_with("oauth2|corp-oauth|auth0|"),
        "{id}"
    );
    assert_eq!(id["email"], "ann@corp.example");
    assert_eq!(id["given_name"], "Ann");
}

async fn login_page_offers_a_button_per_enabled_upstream(srv: TestServer) {
    let up = upstream_for(&srv).await;
    let app = spa(&srv, json!({})).await;
    let other = spa(&srv, json!({"name": "Other"})).await;
    connect(&srv, &up, "corp", "oidc", &[&app]).await;
    let (st, _) = srv
        .api(
            Method::PATCH,
            &format!("/connections/{}", srv.connection_id("corp").await),
            Some(json!({"options": {"client_id": up.client_id,
                "discovery_url": format!("{}.well-known/openid-configuration", up.idp.issuer),
                "icon_url": "https://cdn.example/corp.svg"}})),
        )
        .await;
    assert_eq!(st, StatusCode::OK);
    let mut ours = Browser::new(&srv);
    let to_login = ours.authorize(&code_params(&app, &[])).await;
    let page = ours.get(to_login.location.as_deref().unwrap()).await;
    assert_eq!(page.status, StatusCode::OK);
    assert!(
        page.body.contains("Continue with corp SSO"),
        "{}",
        page.body
    );
    assert!(page.body.contains("corp.svg\" alt=\"\""), "{}", page.body);
    assert!(
        page.body.contains("name=\"password\""),
        "the database form too"
    );
    // The button starts the sign-in at the provider.
    let state = page.input("state");
    let start = ours
        .get(&format!("/u/upstream?state={state}&connection=corp"))
        .await;
    assert_eq!(start.status, StatusCode::FOUND, "{}", start.body);
    assert!(start.location.unwrap().starts_with(&up.idp.issuer));
    // Not for an application it is not enabled for, by button or by name.
    let mut b = Browser::new(&srv);
    let to_login = b.authorize(&code_params(&other, &[])).await;
    let page = b.get(to_login.location.as_deref().unwrap()).await;
    assert!(!page.body.contains("corp SSO"), "{}", page.body);
    let state = page.input("state");
    let refused = b
        .get(&format!("/u/upstream?state={state}&connection=corp"))
        .await;
    assert_eq!(refused.status, StatusCode::BAD_REQUEST);
    let to_login = b
        .authorize(&code_params(&other, &[("connection", "corp")]))
        .await;
    let page = b.get(to_login.location.as_deref().unwrap()).await;
    assert_eq!(page.status, StatusCode::BAD_REQUEST, "{}", page.body);
    // Another browser cannot use this browser's transaction.
    let mut stranger = Browser::new(&srv);
    let refused = stranger
        .get(&format!("/u/upstream?state={state}&connection=corp"))
        .await;
    assert_eq!(refused.status, StatusCode::BAD_REQUEST, "{}", refused.body);
    // An application with only upstream connections: buttons, no password form.
    let only = spa(&srv, json!({"name": "Only SSO"})).await;
    let db = srv.connection_id("Username-Password-Authentication").await;
    let corp = srv.connection_id("corp").await;
    for (conn, on) in [(&db, false), (&corp, true)] {
        let (st, _) = srv
            .api(
                Method::PATCH,
                &format!("/connections/{conn}/clients"),
                Some(json!([{"client_id": only, "status": on}])),
            )
            .await;
        assert_eq!(st, StatusCode::NO_CONTENT);
    }
    let mut b = Browser::new(&srv);
    let to_login = b.authorize(&code_params(&only, &[])).await;
    let page = b.get(to_login.location.as_deref().unwrap()).await;
    assert!(
        page.body.contains("Continue with corp SSO"),
        "{}",
        page.body
    );
    assert!(!page.body.contains("name=\"password\""), "{}", page.body);
}

async fn replayed_forged_and_refused_callbacks_change_nothing(srv: TestServer) {
    let up = upstream_for(&srv).await;
    let app = spa(&srv, json!({})).await;
    connect(&srv, &up, "corp", "oidc", &[&app]).await;
    let (mut ours, done) = sign_in_with(&srv, &up, &app, "corp").await;
    assert_eq!(done.status, StatusCode::FOUND);
    let (_, users) = srv.api(Method::GET, "/users", None).await;
    assert_eq!(users.as_array().unwrap().len(), 1);

    // A forged state.
    let page = ours.get("/login/callback?state=forged&code=whatever").await;
    assert_eq!(page.status, StatusCode::BAD_REQUEST, "{}", page.body);
    let page = ours.get("/login/callback").await;
    assert_eq!(page.status, StatusCode::BAD_REQUEST);

    // The provider refuses (the person said no): an error redirect to the
    // application, nothing stored.
    let mut b = Browser::new(&srv);
    let to_login = b
        .authorize(&code_params(&app, &[("connection", "corp")]))
        .await;
    let to_idp = b.get(to_login.location.as_deref().unwrap()).await;
    let q = query_of(to_idp.location.as_deref().unwrap());
    let refused = moved_on(
        b.get(&format!(
            "/login/callback?state={}&error=access_denied&error_description=no&iss={}",
            q["state"],
            urlencode(&up.idp.issuer)
        ))
        .await,
    );
    assert_eq!(refused.status, StatusCode::FOUND, "{}", refused.body);
    let r = refused.redirect_params();
    assert_eq!(r["error"], "access_denied", "{r:?}");
    assert_eq!(r["state"], "st4te");
    // … and its state is spent: the same answer again is unknown.
    let again = moved_on(
        b.get(&format!("/login/callback?state={}&code=x", q["state"]))
            .await,
    );
    assert_eq!(again.status, StatusCode::BAD_REQUEST);

    // RFC 9207: an answer naming another issuer (mix-up) is refused.
    let mut b = Browser::new(&srv);
    let to_login = b
        .authorize(&code_params(&app, &[("connection", "corp")]))
        .await;
    let to_idp = b.get(to_login.location.as_deref().unwrap()).await;
    let callback =
        through_upstream(&up, &to_idp, "ann@corp.example", crate::browser::PASSWORD).await;
    let mut cq = query_of(&callback);
    cq.insert("iss".into(), "https://evil.example/".into());
    let forged: String = form_urlencoded::Serializer::new(String::new())
        .extend_pairs(cq.iter())
        .finish();
    let mixed = moved_on(b.get(&format!("/login/callback?{forged}")).await);
    assert_eq!(mixed.status, StatusCode::FOUND, "{}", mixed.body);
    assert_eq!(mixed.redirect_params()["error"], "access_denied");

    // A real answer replayed in another browser finds nothing.
    let mut b = Browser::new(&srv);
    let to_login = b
        .authorize(&code_params(&app, &[("connection", "corp")]))
        .await;
    let to_idp = b.get(to_login.location.as_deref().unwrap()).await;
    let callback =
        through_upstream(&up, &to_idp, "ann@corp.example", crate::browser::PASSWORD).await;
    let mut thief = Browser::new(&srv);
    let stolen = thief.get(&callback).await;
    assert_ne!(stolen.status, StatusCode::FOUND, "{}", stolen.body);

    // Failures are logged (f), and no user was added or changed.
    srv.server.as_ref().unwrap().state.auditor.flush().await;
    let (_, f) = srv.api(Method::GET, "/logs?q=type%3Af", None).await;
    assert!(f.as_array().unwrap().len() >= 3, "{f}");
    let (_, after) = srv.api(Method::GET, "/users", None).await;
    assert_eq!(after.as_array().unwrap().len(), 1, "{after}");
    assert_eq!(after[0]["logins_count"], 1, "{after}");
}

/// The page the callback answers with, read as the redirect it stands for
/// (a page that moves on by itself, see `pages::upstream::continue_page`).
pub fn moved_on(page: Page) -> Page {
    if page.status != StatusCode::OK || !page.body.contains("http-equiv=\"refresh\"") {
        return page;
    }
    let start = page.body.find("url=").unwrap() + 4;
    let end = start + page.body[start..].find('"').unwrap();
    let url = page.body[start..end]
        .replace("&#x2f;", "/")
        .replace("&#x27;", "'")
        .replace("&quot;", "\"")
        .replace("&lt;", "<")
        .replace("&gt;", ">")
        .replace("&amp;", "&");
    Page {
        status: StatusCode::FOUND,
        location: Some(url),
        ..page
    }
}

pub fn urlencode(s: &str) -> String {
    form_urlencoded::byte_serialize(s.as_bytes()).collect()
}

/// A provider served by the test: discovery, one ES256 key, and a token
/// endpoint that answers the ID token the test sets (or hangs).
struct FakeIdp {
    base: String,
    claims: std::sync::Arc<std::sync::Mutex<Value>>,
    /// A second key with the same `kid`: a token it signs is a forgery.
    forger: jsonwebtoken::EncodingKey,
    key: jsonwebtoken::EncodingKey,
    hang: std::sync::Arc<std::sync::atomic::AtomicBool>,
    raw_token: std::sync::Arc<std::sync::Mutex<Option<String>>>,
    /// The last token request's form body.
    last_form: std::sync::Arc<std::sync::Mutex<String>>,
}

impl FakeIdp {
    async fn start() -> Self {
        use axum::routing::{get, post};
        let der = rcgen::KeyPair::generate().unwrap().serialize_der();
        let key = jsonwebtoken::EncodingKey::from_ec_der(&der);
        let mut jwk =
            jsonwebtoken::jwk::Jwk::from_encoding_key(&key, jsonwebtoken::Algorithm::ES256)
                .unwrap();
        jwk.common.key_id = Some("k1".into());
        let forger_der = rcgen::KeyPair::generate().unwrap().serialize_der();
        let forger = jsonwebtoken::EncodingKey::from_ec_der(&forger_der);
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let base = format!("http://{}", listener.local_addr().unwrap());
        let claims = std::sync::Arc::new(std::sync::Mutex::new(Value::Null));
        let hang = std::sync::Arc::new(std::sync::atomic::AtomicBool::new(false));
        let raw_token = std::sync::Arc::new(std::sync::Mutex::new(None::<String>));
        let discovery = json!({"issuer": format!("{base}/"), "authorization_endpoint": format!("{base}/authorize"),
            "token_endpoint": format!("{base}/token"), "jwks_uri": format!("{base}/jwks")});
        let jwks = json!({"keys": [jwk]});
        let signing = key.clone();
        let (c, h, r) = (claims.clone(), hang.clone(), raw_token.clone());
        let last_form = std::sync::Arc::new(std::sync::Mutex::new(String::new()));
        let lf = last_form.clone();
        let app = axum::Router::new()
            .route(
                "/.well-known/openid-configuration",
                get(move || async move { axum::Json(discovery) }),
            )
            .route("/jwks", get(move || async move { axum::Json(jwks) }))
            .route(
                "/token",
                post(move |form: String| async move {
                    *lf.lock().unwrap() = form;
                    if h.load(std::sync::atomic::Ordering::SeqCst) {
                        tokio::time::sleep(std::time::Duration::from_secs(15)).await;
                    }
                    let raw = r.lock().unwrap().clone();
                    let id_token = raw.unwrap_or_else(|| {
                        let mut header = jsonwebtoken::Header::new(jsonwebtoken::Algorithm::ES256);
                        header.kid = Some("k1".into());
                        jsonwebtoken::encode(&header, &*c.lock().unwrap(), &signing).unwrap()
                    });
                    axum::Json(
                        json!({"access_token": "at", "token_type": "Bearer", "id_token": id_token}),
                    )
                }),
            )
            // GitHub's API, for the github preset.
            .route(
                "/user",
                get(|| async {
                    axum::Json(
                        json!({"id": 42, "login": "octo", "name": "Octo Cat", "email": null,
                        "avatar_url": "https://avatars.example/42"}),
                    )
                }),
            )
            .route(
                "/user/emails",
                get(|| async {
                    axum::Json(
                        json!([{"email": "old@example.com", "primary": false, "verified": true},
                        {"email": "Octo@Example.com", "primary": true, "verified": true}]),
                    )
                }),
            );
        tokio::spawn(async move { axum::serve(listener, app).await });
        Self {
            base,
            claims,
            forger,
            key,
            hang,
            raw_token,
            last_form,
        }
    }

    fn sign(&self, key: &jsonwebtoken::EncodingKey, claims: &Value) -> String {
        let mut header = jsonwebtoken::Header::new(jsonwebtoken::Algorithm::ES256);
        header.kid = Some("k1".into());
        jsonwebtoken::encode(&header, claims, key).unwrap()
    }
}

on_both_backends!(
    bad_id_tokens_and_unverified_addresses_sign_no_one_in,
    an_upstream_that_is_down_or_slow_ends_in_an_error_redirect,
);

/// Starts a sign-in at the fake provider; (browser, state, nonce).
async fn to_fake(srv: &TestServer, app: &str) -> (Browser, String, String) {
    let (b, q) = to_provider(srv, app, "fake").await;
    (b, q["state"].clone(), q["nonce"].clone())
}

/// Starts a sign-in through `connection`; the browser and the query sent to
/// the provider.
async fn to_provider(
    srv: &TestServer,
    app: &str,
    connection: &str,
) -> (Browser, HashMap<String, String>) {
    let mut b = Browser::new(srv);
    let to_login = b
        .authorize(&code_params(app, &[("connection", connection)]))
        .await;
    let to_idp = b.get(to_login.location.as_deref().unwrap()).await;
    assert_eq!(to_idp.status, StatusCode::FOUND, "{}", to_idp.body);
    let q = query_of(to_idp.location.as_deref().unwrap());
    (b, q)
}

async fn bad_id_tokens_and_unverified_addresses_sign_no_one_in(srv: TestServer) {
    let idp = FakeIdp::start().await;
    let app = spa(&srv, json!({})).await;
    let (st, c) = srv
        .api(
            Method::POST,
            "/connections",
            Some(
                json!({"name": "fake", "strategy": "oidc", "enabled_clients": [app],
                "options": {"client_id": "down", "client_secret": "s",
                    "discovery_url": format!("{}/.well-known/openid-configuration", idp.base)}}),
            ),
        )
        .await;
    assert_eq!(st, StatusCode::CREATED, "{c}");
    crate::browser::user(&srv, "taken@example.com").await;
    let now = crate::support::unix_now();
    let good = |nonce: &str| {
        json!({"iss": format!("{}/", idp.base), "aud": "down", "sub": "u-1", "exp": now + 300,
            "iat": now, "nonce": nonce, "email": "new@example.com", "email_verified": true})
    };
    let forged_kind = [
        "aud",
        "nonce",
        "iss",
        "exp",
        "signature",
        "alg-none",
        "unverified-taken",
    ];
    for kind in forged_kind {
        let (mut b, state, nonce) = to_fake(&srv, &app).await;
        let mut claims = good(&nonce);
        *idp.raw_token.lock().unwrap() = None;
        match kind {
            "aud" => claims["aud"] = json!("someone-else"),
            "nonce" => claims["nonce"] = json!("replayed-nonce"),
            "iss" => claims["iss"] = json!("https://evil.example/"),
            "exp" => claims["exp"] = json!(now - 10),
            "signature" => {
                *idp.raw_token.lock().unwrap() = Some(idp.sign(&idp.forger, &claims));
            }
            "alg-none" => {
                use base64::Engine;
                let e = |v: &Value| {
                    base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(v.to_string())
                };
                *idp.raw_token.lock().unwrap() = Some(format!(
                    "{}.{}.",
                    e(&json!({"alg": "none", "kid": "k1"})),
                    e(&claims)
                ));
            }
            _ => {
                claims["email"] = json!("Taken@Example.com");
                claims["email_verified"] = json!(false);
            }
        }
        *idp.claims.lock().unwrap() = claims;
        let answer = moved_on(
            b.get(&format!("/login/callback?state={state}&code=c"))
                .await,
        );
        assert_eq!(answer.status, StatusCode::FOUND, "{kind}: {}", answer.body);
        let r = answer.redirect_params();
        assert_eq!(r["error"], "access_denied", "{kind}: {r:?}");
        assert!(r["error_description"].len() > 10, "{kind}: {r:?}");
    }
    let (_, users) = srv.api(Method::GET, "/users", None).await;
    assert_eq!(
        users.as_array().unwrap().len(),
        1,
        "only the one made by the test: {users}"
    );
    // The same token, well made, signs in (the test's provider works).
    let (mut b, state, nonce) = to_fake(&srv, &app).await;
    *idp.raw_token.lock().unwrap() = Some(idp.sign(&idp.key, &good(&nonce)));
    let answer = moved_on(
        b.get(&format!("/login/callback?state={state}&code=c"))
            .await,
    );
    assert_eq!(answer.status, StatusCode::FOUND, "{}", answer.body);
    assert!(
        answer.redirect_params().contains_key("code"),
        "{:?}",
        answer.location
    );
    // Later, the provider sends another account's address, unverified: refused,
    // and the user keeps its own.
    let (mut b, state, nonce) = to_fake(&srv, &app).await;
    let mut changed = good(&nonce);
    changed["email"] = json!("taken@example.com");
    changed["email_verified"] = json!(false);
    *idp.raw_token.lock().unwrap() = Some(idp.sign(&idp.key, &changed));
    let answer = moved_on(
        b.get(&format!("/login/callback?state={state}&code=c"))
            .await,
    );
    assert_eq!(
        answer.redirect_params()["error"],
        "access_denied",
        "{:?}",
        answer.location
    );
    let (_, u) = srv.api(Method::GET, "/users/oidc%7Cfake%7Cu-1", None).await;
    assert_eq!(u["email"], "new@example.com", "{u}");
    // A verified address may be the same as another account's: a user of its own.
    let (mut b, state, nonce) = to_fake(&srv, &app).await;
    let mut verified = good(&nonce);
    verified["sub"] = json!("u-2");
    verified["email"] = json!("taken@example.com");
    *idp.raw_token.lock().unwrap() = Some(idp.sign(&idp.key, &verified));
    let answer = moved_on(
        b.get(&format!("/login/callback?state={state}&code=c"))
            .await,
    );
    assert!(
        answer.redirect_params().contains_key("code"),
        "{:?}",
        answer.location
    );
    let (_, users) = srv.api(Method::GET, "/users", None).await;
    assert_eq!(users.as_array().unwrap().len(), 3, "{users}");
}

async fn an_upstream_that_is_down_or_slow_ends_in_an_error_redirect(srv: TestServer) {
    let app = spa(&srv, json!({})).await;
    // Down: nothing listens on the discovery URL's port.
    let closed = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let port = closed.local_addr().unwrap().port();
    drop(closed);
    let (st, _) = srv
        .api(
            Method::POST,
            "/connections",
            Some(json!({"name": "down", "strategy": "oidc", "enabled_clients": [app],
                "options": {"client_id": "down",
                    "discovery_url": format!("http://127.0.0.1:{port}/.well-known/openid-configuration")}})),
        )
        .await;
    assert_eq!(st, StatusCode::CREATED);
    let mut b = Browser::new(&srv);
    let to_login = b
        .authorize(&code_params(&app, &[("connection", "down")]))
        .await;
    let answer = b.get(to_login.location.as_deref().unwrap()).await;
    assert_eq!(answer.status, StatusCode::FOUND, "{}", answer.body);
    assert_eq!(answer.redirect_params()["error"], "temporarily_unavailable");
    // Slow: the token endpoint does not answer within the deadline.
    let idp = FakeIdp::start().await;
    idp.hang.store(true, std::sync::atomic::Ordering::SeqCst);
    let (st, _) = srv
        .api(
            Method::POST,
            "/connections",
            Some(
                json!({"name": "fake", "strategy": "oidc", "enabled_clients": [app],
                "options": {"client_id": "down",
                    "discovery_url": format!("{}/.well-known/openid-configuration", idp.base)}}),
            ),
        )
        .await;
    assert_eq!(st, StatusCode::CREATED);
    let (mut b, state, _) = to_fake(&srv, &app).await;
    let started = std::time::Instant::now();
    let answer = moved_on(
        b.get(&format!("/login/callback?state={state}&code=c"))
            .await,
    );
    assert!(
        started.elapsed() < std::time::Duration::from_secs(14),
        "the deadline holds"
    );
    assert_eq!(answer.status, StatusCode::FOUND, "{}", answer.body);
    assert_eq!(answer.redirect_params()["error"], "temporarily_unavailable");
    let (_, users) = srv.api(Method::GET, "/users", None).await;
    assert_eq!(users, json!([]));
}

/// Headless Chromium clicks the provider's button on the login page, signs in
/// at the provider (a second Portcullis on `localhost`, so that the two
/// servers' cookies do not mix as they would on one host) and lands at the
/// application with a code that redeems for this user.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn chromium_clicks_the_upstream_button_and_lands_signed_in() {
    use crate::webdriver::Chromium;
    let srv = TestServer::start(Backend::Sqlite).await;
    let idp = crate::support::start_configured(Backend::Sqlite, |c| {
        c.issuer = format!("http://localhost:{}/", c.bind.port());
    })
    .await;
    let up = upstream_on(idp, &srv).await;
    // The application: a page on its own origin that shows the code.
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let app_origin = format!("http://{}", listener.local_addr().unwrap());
    let router = axum::Router::new().route(
        "/callback",
        axum::routing::get(
            |axum::extract::Query(q): axum::extract::Query<HashMap<String, String>>| async move {
                axum::response::Html(format!(
                    "<!doctype html><title>App</title><p id=code>{}</p>",
                    q.get("code").cloned().unwrap_or_default()
                ))
            },
        ),
    );
    tokio::spawn(async move { axum::serve(listener, router).await });
    let callback = format!("{app_origin}/callback");
    let app = spa(
        &srv,
        json!({"callbacks": [callback], "web_origins": [app_origin]}),
    )
    .await;
    connect(&srv, &up, "corp", "oidc", &[&app]).await;

    let browser = Chromium::start().await;
    let mut params = code_params(&app, &[]);
    params.retain(|(k, _)| *k != "redirect_uri");
    params.push(("redirect_uri", &callback));
    let q: String = form_urlencoded::Serializer::new(String::new())
        .extend_pairs(params)
        .finish();
    browser.goto(&format!("{}/authorize?{q}", srv.url)).await;
    browser
        .wait_for_url(|u| u.contains("/u/login?state="))
        .await;
    assert!(browser.source().await.contains("Continue with corp SSO"));
    crate::accessible_pages::screenshots(&browser, "login-upstream").await;
    browser.set_window(1280, 800).await;
    browser.click("a.upstream").await;
    browser
        .wait_for_url(|u| u.starts_with(&up.idp.issuer) && u.contains("/u/login"))
        .await;
    browser
        .type_into("input[name=username]", "ann@corp.example")
        .await;
    browser
        .type_into("input[name=password]", crate::browser::PASSWORD)
        .await;
    browser.click("button[type=submit]").await;
    let landed = browser
        .wait_for_url(|u| u.starts_with(&format!("{callback}?")))
        .await;
    let code = query_of(&landed)["code"].clone();
    browser.quit().await;
    let (st, t, _) = srv
        .token_form(&[
            ("grant_type", "authorization_code"),
            ("client_id", &app),
            ("code", &code),
            ("redirect_uri", &callback),
            ("code_verifier", crate::browser::VERIFIER),
        ])
        .await;
    assert_eq!(st, StatusCode::OK, "{t}");
    let id = verify_with_jwks(&srv, t["id_token"].as_str().unwrap(), &app).await;
    assert!(
        id["sub"].as_str().unwrap().starts_with("oidc|corp|"),
        "{id}"
    );
    assert_eq!(id["email"], "ann@corp.example");
}

on_both_backends!(linking_moves_an_identity_and_unlinking_makes_it_a_user_again);

/// The `sub` of the ID token a sign-in through `corp` ends with.
async fn corp_sub(srv: &TestServer, up: &Upstream, app: &str) -> String {
    let (_, done) = sign_in_with(srv, up, app, "corp").await;
    assert_eq!(done.status, StatusCode::FOUND, "{}", done.body);
    let (st, t) = exchange(srv, app, &done.redirect_params()["code"]).await;
    assert_eq!(st, StatusCode::OK, "{t}");
    let id = verify_with_jwks(srv, t["id_token"].as_str().unwrap(), app).await;
    id["sub"].as_str().unwrap().to_string()
}

async fn linking_moves_an_identity_and_unlinking_makes_it_a_user_again(srv: TestServer) {
    let up = upstream_for(&srv).await;
    let app = spa(&srv, json!({})).await;
    connect(&srv, &up, "corp", "oidc", &[&app]).await;
    let corp_id = srv.connection_id("corp").await;
    let upstream_user = corp_sub(&srv, &up, &app).await;
    let (_, u) = srv
        .api(
            Method::GET,
            &format!("/users/{}", urlencode(&upstream_user)),
            None,
        )
        .await;
    let identity_id = u["identities"][0]["user_id"].as_str().unwrap().to_string();
    let primary = crate::browser::user(&srv, "primary@example.com").await;
    let path = format!("/users/{}/identities", urlencode(&primary));

    // Refusals first; each changes nothing.
    for (body, status) in [
        (
            json!({"provider": "auth0", "user_id": primary}),
            StatusCode::BAD_REQUEST,
        ),
        (
            json!({"provider": "oidc", "user_id": "nobody", "connection_id": corp_id}),
            StatusCode::BAD_REQUEST,
        ),
        (
            json!({"provider": "oidc", "user_id": identity_id, "connection_id": "con_nope"}),
            StatusCode::BAD_REQUEST,
        ),
        (json!({"provider": "oidc"}), StatusCode::BAD_REQUEST),
        (json!({"link_with": "not.a.token"}), StatusCode::BAD_REQUEST),
    ] {
        let (st, e) = srv.api(Method::POST, &path, Some(body.clone())).await;
        assert_eq!(st, status, "{body}: {e}");
    }
    let (_, all) = srv.api(Method::GET, "/users", None).await;
    assert_eq!(all.as_array().unwrap().len(), 2);

    // Link the upstream user into the database user.
    let (st, ids) = srv
        .api(
            Method::POST,
            &path,
            Some(json!({"provider": "oidc", "user_id": identity_id, "connection_id": corp_id})),
        )
        .await;
    assert_eq!(st, StatusCode::CREATED, "{ids}");
    assert_eq!(ids.as_array().unwrap().len(), 2, "{ids}");
    assert_eq!(ids[1]["provider"], "oidc");
    assert_eq!(ids[1]["connection"], "corp");
    assert_eq!(ids[1]["profileData"]["email"], "ann@corp.example");
    let (st, _) = srv
        .api(
            Method::GET,
            &format!("/users/{}", urlencode(&upstream_user)),
            None,
        )
        .await;
    assert_eq!(st, StatusCode::NOT_FOUND, "the secondary user is gone");
    let (_, all) = srv.api(Method::GET, "/users", None).await;
    assert_eq!(all.as_array().unwrap().len(), 1, "{all}");
    // Signing in with the linked identity signs the primary in.
    assert_eq!(corp_sub(&srv, &up, &app).await, primary);

    // A database user linked by its ID token (`link_with`): its password then
    // signs the primary in, and its address stays taken. An access token of
    // the same user is not an ID token and is refused.
    let second = crate::browser::user(&srv, "second@example.com").await;
    let mut b = Browser::new(&srv);
    let to_login = b.authorize(&code_params(&app, &[])).await;
    let done = b
        .submit_login(&to_login, "second@example.com", crate::browser::PASSWORD)
        .await;
    let (_, t) = exchange(&srv, &app, &done.redirect_params()["code"]).await;
    let (st, e) = srv
        .api(
            Method::POST,
            &path,
            Some(json!({"link_with": t["access_token"]})),
        )
        .await;
    assert_eq!(st, StatusCode::BAD_REQUEST, "an access token: {e}");
    let (st, ids) = srv
        .api(
            Method::POST,
            &path,
            Some(json!({"link_with": t["id_token"]})),
        )
        .await;
    assert_eq!(st, StatusCode::CREATED, "{ids}");
    assert_eq!(ids[2]["user_id"], second.trim_start_matches("auth0|"));
    assert_eq!(ids.as_array().unwrap().len(), 3);
    let mut b = Browser::new(&srv);
    let to_login = b.authorize(&code_params(&app, &[])).await;
    let done = b
        .submit_login(&to_login, "second@example.com", crate::browser::PASSWORD)
        .await;
    let (st, t) = exchange(&srv, &app, &done.redirect_params()["code"]).await;
    assert_eq!(st, StatusCode::OK, "{t}");
    let id = verify_with_jwks(&srv, t["id_token"].as_str().unwrap(), &app).await;
    assert_eq!(id["sub"], primary.as_str());
    let (st, e) = srv
        .api(
            Method::POST,
            "/users",
            Some(json!({"connection": "Username-Password-Authentication", "email": "second@example.com",
                "password": crate::browser::PASSWORD})),
        )
        .await;
    assert_eq!(st, StatusCode::CONFLICT, "{e}");

    // The main identity stays; an identity not linked here is not found.
    let main_id = primary.trim_start_matches("auth0|");
    let (st, e) = srv
        .api(Method::DELETE, &format!("{path}/auth0/{main_id}"), None)
        .await;
    assert_eq!(st, StatusCode::BAD_REQUEST, "{e}");
    let (st, _) = srv
        .api(Method::DELETE, &format!("{path}/auth0/nobody"), None)
        .await;
    assert_eq!(st, StatusCode::NOT_FOUND);

    // Unlink the upstream identity: it is a user again and signs itself in.
    let (st, ids) = srv
        .api(
            Method::DELETE,
            &format!("{path}/oidc/{}", urlencode(&identity_id)),
            None,
        )
        .await;
    assert_eq!(st, StatusCode::OK, "{ids}");
    assert_eq!(ids.as_array().unwrap().len(), 2, "{ids}");
    let (st, back) = srv
        .api(
            Method::GET,
            &format!("/users/{}", urlencode(&upstream_user)),
            None,
        )
        .await;
    assert_eq!(st, StatusCode::OK, "{back}");
    assert_eq!(back["email"], "ann@corp.example");
    assert_eq!(corp_sub(&srv, &up, &app).await, upstream_user);

    // Deleting the primary takes its linked identities with it.
    let (st, _) = srv
        .api(
            Method::DELETE,
            &format!("/users/{}", urlencode(&primary)),
            None,
        )
        .await;
    assert_eq!(st, StatusCode::NO_CONTENT);
    let (_, all) = srv.api(Method::GET, "/users", None).await;
    assert_eq!(
        all.as_array().unwrap().len(),
        1,
        "only the unlinked one: {all}"
    );
    let (st, u) = srv
        .api(
            Method::POST,
            "/users",
            Some(json!({"connection": "Username-Password-Authentication", "email": "second@example.com",
                "password": crate::browser::PASSWORD})),
        )
        .await;
    assert_eq!(st, StatusCode::CREATED, "the address is free again: {u}");
}

on_both_backends!(post_login_actions_see_the_connection_and_the_identities);

/// Auth0's `event.connection` and `event.user.identities` reach Actions for an
/// upstream sign-in, and their claims reach the tokens.
async fn post_login_actions_see_the_connection_and_the_identities(srv: TestServer) {
    let up = upstream_for(&srv).await;
    let app = spa(&srv, json!({})).await;
    connect(&srv, &up, "corp", "oidc", &[&app]).await;
    let corp = srv.connection_id("corp").await;
    let (st, _) = srv
        .api(
            Method::PATCH,
            &format!("/connections/{corp}"),
            Some(json!({"metadata": {"tier": "gold"}})),
        )
        .await;
    assert_eq!(st, StatusCode::OK);
    let code = r#"exports.onExecutePostLogin = async (event, api) => {
        api.idToken.setCustomClaim("https://example.com/connection", {
            id: event.connection.id, name: event.connection.name,
            strategy: event.connection.strategy, tier: event.connection.metadata.tier,
            provider: event.user.identities[0].provider, isSocial: event.user.identities[0].isSocial });
    };"#;
    let id = crate::rules_and_actions::deployed_action(&srv, "who", "post-login", code).await;
    crate::rules_and_actions::bind(&srv, "post-login", &[&id]).await;
    let (_, done) = sign_in_with(&srv, &up, &app, "corp").await;
    let (st, t) = exchange(&srv, &app, &done.redirect_params()["code"]).await;
    assert_eq!(st, StatusCode::OK, "{t}");
    let claims = verify_with_jwks(&srv, t["id_token"].as_str().unwrap(), &app).await;
    assert_eq!(
        claims["https://example.com/connection"],
        json!({"id": corp, "name": "corp", "strategy": "oidc", "tier": "gold", "provider": "oidc", "isSocial": false}),
        "{claims}"
    );
}

on_both_backends!(
    github_preset_reads_the_profile_and_the_verified_address,
    apple_preset_signs_its_client_secret_and_takes_a_posted_answer,
);

async fn github_preset_reads_the_profile_and_the_verified_address(srv: TestServer) {
    let idp = FakeIdp::start().await;
    let app = spa(&srv, json!({})).await;
    let base = &idp.base;
    let (st, c) = srv
        .api(
            Method::POST,
            "/connections",
            Some(json!({"name": "github", "strategy": "github", "enabled_clients": [app],
                "options": {"client_id": "gh-id", "client_secret": "gh-secret",
                    "authorizationURL": format!("{base}/authorize"), "tokenURL": format!("{base}/token"),
                    "profileURL": format!("{base}/user")}})),
        )
        .await;
    assert_eq!(st, StatusCode::CREATED, "{c}");
    let (mut b, q) = to_provider(&srv, &app, "github").await;
    assert_eq!(q["scope"], "read:user user:email");
    assert!(!q.contains_key("nonce"), "OAuth 2.0: no nonce");
    let answer = moved_on(
        b.get(&format!("/login/callback?state={}&code=c", q["state"]))
            .await,
    );
    assert!(
        answer.redirect_params().contains_key("code"),
        "{:?} {}",
        answer.location,
        answer.body
    );
    // client_secret_post, as GitHub wants it.
    let form = idp.last_form.lock().unwrap().clone();
    assert!(
        form.contains("client_secret=gh-secret") && form.contains("code_verifier="),
        "{form}"
    );
    let (st, u) = srv.api(Method::GET, "/users/github%7C42", None).await;
    assert_eq!(st, StatusCode::OK, "{u}");
    assert_eq!(u["email"], "octo@example.com");
    assert_eq!(
        u["email_verified"], true,
        "GitHub's verified primary address"
    );
    assert_eq!(u["nickname"], "octo");
    assert_eq!(u["identities"][0]["provider"], "github");
    assert_eq!(u["identities"][0]["isSocial"], true);
    // A second GitHub connection (say, an Enterprise server) gives the same
    // ids: its user 42 is not this one, and is refused rather than signed in.
    let (st, _) = srv
        .api(
            Method::POST,
            "/connections",
            Some(json!({"name": "github-enterprise", "strategy": "github", "enabled_clients": [app],
                "options": {"client_id": "gh-id", "client_secret": "gh-secret",
                    "authorizationURL": format!("{base}/authorize"), "tokenURL": format!("{base}/token"),
                    "profileURL": format!("{base}/user")}})),
        )
        .await;
    assert_eq!(st, StatusCode::CREATED);
    let (mut b, q) = to_provider(&srv, &app, "github-enterprise").await;
    let answer = moved_on(
        b.get(&format!("/login/callback?state={}&code=c", q["state"]))
            .await,
    );
    assert!(
        answer.redirect_params().contains_key("error"),
        "{:?}",
        answer.location
    );
    let (_, u2) = srv.api(Method::GET, "/users/github%7C42", None).await;
    assert_eq!(u2["identities"][0]["connection"], "github");
}

async fn apple_preset_signs_its_client_secret_and_takes_a_posted_answer(srv: TestServer) {
    let idp = FakeIdp::start().await;
    let app = spa(&srv, json!({})).await;
    let team_key = rcgen::KeyPair::generate().unwrap();
    let options = |secret: &str| {
        json!({"client_id": "com.example.web", "team_id": "TEAM123", "kid": "KEY456", "app_secret": secret,
            "scope": "name email", "discovery_url": format!("{}/.well-known/openid-configuration", idp.base)})
    };
    let (st, e) = srv
        .api(
            Method::POST,
            "/connections",
            Some(json!({"name": "apple", "strategy": "apple", "options": options("not a key")})),
        )
        .await;
    assert_eq!(st, StatusCode::BAD_REQUEST, "{e}");
    let (st, c) = srv
        .api(
            Method::POST,
            "/connections",
            Some(
                json!({"name": "apple", "strategy": "apple", "enabled_clients": [app],
                "options": options(&team_key.serialize_pem())}),
            ),
        )
        .await;
    assert_eq!(st, StatusCode::CREATED, "{c}");
    assert!(!c.to_string().contains("PRIVATE KEY"), "{c}");
    let (mut b, q) = to_provider(&srv, &app, "apple").await;
    assert_eq!(q["response_mode"], "form_post");
    let now = crate::support::unix_now();
    *idp.raw_token.lock().unwrap() = Some(idp.sign(
        &idp.key,
        &json!({"iss": format!("{}/", idp.base), "aud": "com.example.web", "sub": "001234.abcd",
            "exp": now + 300, "iat": now, "nonce": q["nonce"], "email": "pat@privaterelay.example",
            "email_verified": "true"}),
    ));
    // Apple posts its answer; it becomes a GET that carries the browser's cookie.
    let posted = b
        .post_form(
            "/login/callback",
            &[("state", q["state"].as_str()), ("code", "c")],
        )
        .await;
    assert_eq!(posted.status, StatusCode::SEE_OTHER, "{}", posted.body);
    let answer = moved_on(b.get(posted.location.as_deref().unwrap()).await);
    assert!(
        answer.redirect_params().contains_key("code"),
        "{:?} {}",
        answer.location,
        answer.body
    );
    // The client secret was a JWT signed with the team's key, naming it.
    let form = idp.last_form.lock().unwrap().clone();
    let sent: HashMap<String, String> = form_urlencoded::parse(form.as_bytes())
        .into_owned()
        .collect();
    let secret = &sent["client_secret"];
    let header = jsonwebtoken::decode_header(secret).unwrap();
    assert_eq!(header.kid.as_deref(), Some("KEY456"));
    let public = jsonwebtoken::jwk::Jwk::from_encoding_key(
        &jsonwebtoken::EncodingKey::from_ec_der(&team_key.serialize_der()),
        jsonwebtoken::Algorithm::ES256,
    )
    .unwrap();
    let mut v = jsonwebtoken::Validation::new(jsonwebtoken::Algorithm::ES256);
    v.set_audience(&["https://appleid.apple.com"]);
    v.set_issuer(&["TEAM123"]);
    let claims = jsonwebtoken::decode::<Value>(
        secret,
        &jsonwebtoken::DecodingKey::from_jwk(&public).unwrap(),
        &v,
    )
    .unwrap()
    .claims;
    assert_eq!(claims["sub"], "com.example.web");
    let (st, u) = srv
        .api(Method::GET, "/users/apple%7C001234.abcd", None)
        .await;
    assert_eq!(st, StatusCode::OK, "{u}");
    assert_eq!(u["email_verified"], true, "Apple's \"true\" string");
    // Options without team_id and kid keep the sealed key, which is then
    // never sent as a secret: the sign-in fails before the token request.
    let apple_id = c["id"].as_str().unwrap();
    let (st, _) = srv
        .api(
            Method::PATCH,
            &format!("/connections/{apple_id}"),
            Some(json!({"options": {"client_id": "com.example.web",
                "discovery_url": format!("{}/.well-known/openid-configuration", idp.base)}})),
        )
        .await;
    assert_eq!(st, StatusCode::OK);
    idp.last_form.lock().unwrap().clear();
    let (mut b, q) = to_provider(&srv, &app, "apple").await;
    let answer = moved_on(
        b.get(&format!("/login/callback?state={}&code=c", q["state"]))
            .await,
    );
    assert_eq!(
        answer.redirect_params()["error"],
        "server_error",
        "{:?}",
        answer.location
    );
    assert_eq!(
        idp.last_form.lock().unwrap().as_str(),
        "",
        "nothing was sent"
    );
}
