//! Passwordless (Auth0's email and sms connections, issue 22):
//! `/passwordless/start`, the `passwordless/otp` grant, magic links and
//! their landing, the hosted login's pages, SMS through a gateway (a
//! receiver started by the test checks the text and verifies its bearer JWT
//! with the `jsonwebtoken` crate), and the bounds and refusals.

use std::sync::{Arc, Mutex};

use reqwest::{Method, StatusCode};
use serde_json::{Value, json};

use crate::browser::{Browser, CALLBACK, CHALLENGE, VERIFIER, code_params};
use crate::dbconnections::{outbox, outbox_with};
use crate::support::{TestServer, on_both_backends, verify_with_jwks};

const OTP: &str = "http://auth0.com/oauth/grant-type/passwordless/otp";

/// A public (SPA) application allowed the passwordless grant, the code flow
/// and refresh tokens; its id.
async fn app(srv: &TestServer, extra: Value) -> String {
    let mut body = json!({"name": "Shop", "app_type": "spa", "callbacks": [CALLBACK],
        "grant_types": [OTP, "authorization_code", "refresh_token"]});
    body.as_object_mut()
        .unwrap()
        .extend(extra.as_object().unwrap().clone());
    let (st, c) = srv.api(Method::POST, "/clients", Some(body)).await;
    assert_eq!(st, StatusCode::CREATED, "{c}");
    c["client_id"].as_str().unwrap().to_string()
}

/// The `email` connection enabled for `clients`; its id.
async fn email_connection(srv: &TestServer, options: Value, clients: &[&str]) -> String {
    let (st, c) = srv
        .api(
            Method::POST,
            "/connections",
            Some(
                json!({"name": "email", "strategy": "email", "options": options,
                        "enabled_clients": clients}),
            ),
        )
        .await;
    assert_eq!(st, StatusCode::CREATED, "{c}");
    c["id"].as_str().unwrap().to_string()
}

async fn start(srv: &TestServer, body: Value) -> (StatusCode, Value) {
    let res = srv
        .http
        .post(format!("{}/passwordless/start", srv.url))
        .json(&body)
        .send()
        .await
        .unwrap();
    let st = res.status();
    (st, res.json().await.unwrap_or(Value::Null))
}

async fn otp(
    srv: &TestServer,
    client: &str,
    username: &str,
    code: &str,
    realm: &str,
) -> (StatusCode, Value) {
    let (st, body, _) = srv
        .token_form(&[
            ("grant_type", OTP),
            ("client_id", client),
            ("username", username),
            ("otp", code),
            ("realm", realm),
            ("scope", "openid email offline_access"),
        ])
        .await;
    (st, body)
}

/// The mails that came since `before` (the outbox's earlier messages).
async fn new_mails(srv: &TestServer, before: &[String]) -> Vec<String> {
    let all = outbox_with(srv, before.len() + 1).await;
    all.into_iter().filter(|m| !before.contains(m)).collect()
}

/// The code in a code mail: the digits after "is: ".
fn code_in(mail: &str) -> String {
    let at = mail.find("is: ").expect("a code mail") + 4;
    mail[at..]
        .chars()
        .take_while(char::is_ascii_digit)
        .collect()
}

/// The magic link in a link mail (its plain-text part).
fn link_in(mail: &str) -> String {
    let at = mail.find("http").expect("a link");
    let rest = &mail[at..];
    let link: String = rest
        .chars()
        .take_while(|c| !c.is_whitespace() && *c != '"' && *c != '<')
        .collect();
    assert!(link.contains("/passwordless/verify_redirect?"), "{link}");
    link
}

/// Sends a code to `email` for `client`; the code.
async fn code_for(srv: &TestServer, client: &str, email: &str) -> String {
    let before = outbox(srv);
    let (st, body) = start(
        srv,
        json!({"client_id": client, "connection": "email", "email": email, "send": "code"}),
    )
    .await;
    assert_eq!(st, StatusCode::OK, "{body}");
    let mails = new_mails(srv, &before).await;
    assert_eq!(mails.len(), 1);
    let code = code_in(&mails[0]);
    assert_eq!(code.len(), 6, "{}", mails[0]);
    code
}

on_both_backends!(
    email_code_signs_in_and_makes_the_user_once,
    passwordless_refusals_send_and_change_nothing,
    wrong_codes_end_the_code_and_spent_codes_do_not_work_again,
    magic_links_sign_in_once_with_the_stored_parameters,
    hosted_login_code_and_link_stay_in_their_browser,
    sms_codes_go_through_the_gateway
);

/// Start → mail → grant: tokens for a new `email|…` user (verified), the
/// same user the next time, the code single use, Auth0's audit events.
async fn email_code_signs_in_and_makes_the_user_once(srv: TestServer) {
    let client = app(&srv, json!({})).await;
    email_connection(&srv, json!({}), &[&client]).await;
    let (st, body) = start(
        &srv,
        json!({"client_id": client, "connection": "email", "email": "Ada@Example.com", "send": "code"}),
    )
    .await;
    assert_eq!(st, StatusCode::OK, "{body}");
    assert_eq!(body["email"], "ada@example.com");
    assert_eq!(body["email_verified"], false);
    assert!(body["_id"].is_string());
    let mails = outbox_with(&srv, 1).await;
    let code = code_in(&mails[0]);
    let (st, t) = otp(&srv, &client, "ada@example.com", &code, "email").await;
    assert_eq!(st, StatusCode::OK, "{t}");
    assert!(t["refresh_token"].is_string(), "{t}");
    let id = verify_with_jwks(&srv, t["id_token"].as_str().unwrap(), &client).await;
    let uid = id["sub"].as_str().unwrap().to_string();
    assert!(uid.starts_with("email|"), "{uid}");
    assert_eq!(id["email"], "ada@example.com");
    assert_eq!(id["email_verified"], true);
    // The same code again: spent.
    let (st, e) = otp(&srv, &client, "ada@example.com", &code, "email").await;
    assert_eq!(st, StatusCode::FORBIDDEN, "{e}");
    assert_eq!(e["error"], "invalid_grant");
    // The next sign-in is the same user.
    let code = code_for(&srv, &client, "ada@example.com").await;
    let (st, t) = otp(&srv, &client, "ada@example.com", &code, "email").await;
    assert_eq!(st, StatusCode::OK, "{t}");
    let again = verify_with_jwks(&srv, t["id_token"].as_str().unwrap(), &client).await;
    assert_eq!(again["sub"], uid);
    let (st, users) = srv
        .api(
            Method::GET,
            "/users?q=email%3A%22ada%40example.com%22",
            None,
        )
        .await;
    assert_eq!(st, StatusCode::OK, "{users}");
    let users = users.as_array().unwrap();
    assert_eq!(users.len(), 1, "{users:?}");
    assert_eq!(users[0]["identities"][0]["provider"], "email");
    assert_eq!(users[0]["identities"][0]["connection"], "email");
    assert_eq!(crate::audit_log::of_type(&srv, "cs").await.len(), 2);
    assert_eq!(crate::audit_log::of_type(&srv, "ss").await.len(), 1);
    // The tenant's MFA policy holds the grant for a second factor, as the
    // password grant's is (Auth0's mfa_required with an mfa_token).
    crate::mfa::mfa_on(&srv).await;
    let code = code_for(&srv, &client, "ada@example.com").await;
    let (st, e) = otp(&srv, &client, "ada@example.com", &code, "email").await;
    assert_eq!(st, StatusCode::FORBIDDEN, "{e}");
    assert_eq!(e["error"], "mfa_required");
    assert!(e["mfa_token"].is_string(), "{e}");
}

/// Each bad start is refused in Auth0's shape and sends nothing; an
/// unknown recipient of a connection without signups gets nothing; the
/// recipient's bound answers 429.
async fn passwordless_refusals_send_and_change_nothing(srv: TestServer) {
    let client = app(&srv, json!({})).await;
    let not_enabled = app(&srv, json!({"name": "Other"})).await;
    let no_grant = app(
        &srv,
        json!({"name": "No grant", "grant_types": ["authorization_code"]}),
    )
    .await;
    let (st, web) = srv
        .api(
            Method::POST,
            "/clients",
            Some(
                json!({"name": "Web", "app_type": "regular_web", "callbacks": [CALLBACK],
                        "grant_types": [OTP]}),
            ),
        )
        .await;
    assert_eq!(st, StatusCode::CREATED);
    let web = web["client_id"].as_str().unwrap().to_string();
    email_connection(&srv, json!({}), &[&client, &no_grant, &web]).await;
    let cases = [
        (
            json!({"connection": "email", "email": "a@example.com"}),
            400,
            "bad.client_id",
        ),
        (
            json!({"client_id": client, "connection": "google", "email": "a@example.com"}),
            400,
            "bad.connection",
        ),
        (
            json!({"client_id": client, "connection": "sms", "phone_number": "+14155550100"}),
            400,
            "bad.connection",
        ),
        (
            json!({"client_id": not_enabled, "connection": "email", "email": "a@example.com"}),
            400,
            "bad.connection",
        ),
        (
            json!({"client_id": no_grant, "connection": "email", "email": "a@example.com"}),
            400,
            "unauthorized_client",
        ),
        (
            json!({"client_id": client, "connection": "email", "email": "not an address"}),
            400,
            "bad.email",
        ),
        (
            json!({"client_id": client, "connection": "email", "email": "a@example.com", "send": "fax"}),
            400,
            "bad.send",
        ),
        (
            json!({"client_id": client, "connection": "email", "email": "a@example.com", "send": "link",
                "authParams": {"redirect_uri": "https://evil.example/cb"}}),
            400,
            "bad.authParams",
        ),
        (
            json!({"client_id": web, "connection": "email", "email": "a@example.com"}),
            401,
            "invalid_client",
        ),
    ];
    for (body, status, error) in cases {
        let (st, e) = start(&srv, body.clone()).await;
        assert_eq!(st.as_u16(), status, "{body}: {e}");
        assert_eq!(e["error"], error, "{body}: {e}");
    }
    assert!(outbox(&srv).is_empty(), "nothing was sent");
    // The grant: unknown realm, not enabled, no code.
    let (st, e) = otp(&srv, &client, "a@example.com", "123456", "email").await;
    assert_eq!(st, StatusCode::FORBIDDEN, "{e}");
    assert_eq!(e["error"], "invalid_grant");
    let (st, e) = otp(&srv, &client, "a@example.com", "123456", "carrier").await;
    assert_eq!(st, StatusCode::BAD_REQUEST, "{e}");
    let (st, e) = otp(&srv, &not_enabled, "a@example.com", "123456", "email").await;
    assert_eq!(st, StatusCode::FORBIDDEN, "{e}");
    assert_eq!(e["error"], "unauthorized_client");
    // Five codes an hour for one recipient.
    for _ in 0..5 {
        code_for(&srv, &client, "bea@example.com").await;
    }
    let before = outbox(&srv);
    let (st, e) = start(
        &srv,
        json!({"client_id": client, "connection": "email", "email": "bea@example.com"}),
    )
    .await;
    assert_eq!(st, StatusCode::TOO_MANY_REQUESTS, "{e}");
    assert_eq!(e["error"], "too_many_requests");
    tokio::time::sleep(std::time::Duration::from_millis(300)).await;
    assert_eq!(outbox(&srv).len(), before.len(), "the sixth was not sent");
    // No signups: an unknown address gets nothing.
    let (_, conns) = srv.api(Method::GET, "/connections?name=email", None).await;
    let id = conns[0]["id"].as_str().unwrap();
    let (st, c) = srv
        .api(
            Method::PATCH,
            &format!("/connections/{id}"),
            Some(json!({"options": {"disable_signup": true}})),
        )
        .await;
    assert_eq!(st, StatusCode::OK, "{c}");
    let (st, e) = start(
        &srv,
        json!({"client_id": client, "connection": "email", "email": "cy@example.com"}),
    )
    .await;
    assert_eq!(st, StatusCode::BAD_REQUEST, "{e}");
    assert_eq!(e["error"], "bad.signup");
    // Options that are not Auth0's shape are refused when written.
    for bad in [
        json!({"totp": {"length": 40}}),
        json!({"totp": {"time_step": 1}}),
        json!({"email": {"body": 7}}),
    ] {
        let (st, e) = srv
            .api(
                Method::PATCH,
                &format!("/connections/{id}"),
                Some(json!({"options": bad})),
            )
            .await;
        assert_eq!(st, StatusCode::BAD_REQUEST, "{e}");
    }
}

/// Three wrong codes end a code (the right one then fails too); an expired
/// code is refused; only the newest code works.
async fn wrong_codes_end_the_code_and_spent_codes_do_not_work_again(srv: TestServer) {
    let client = app(&srv, json!({})).await;
    email_connection(&srv, json!({}), &[&client]).await;
    let code = code_for(&srv, &client, "ada@example.com").await;
    let wrong = if code == "000000" { "111111" } else { "000000" };
    for _ in 0..2 {
        let (st, e) = otp(&srv, &client, "ada@example.com", wrong, "email").await;
        assert_eq!(st, StatusCode::FORBIDDEN, "{e}");
        assert_eq!(e["error_description"], "Wrong email or verification code.");
    }
    let (st, e) = otp(&srv, &client, "ada@example.com", wrong, "email").await;
    assert_eq!(st, StatusCode::FORBIDDEN, "{e}");
    assert!(
        e["error_description"]
            .as_str()
            .unwrap()
            .contains("maximum number of attempts"),
        "{e}"
    );
    let (st, _) = otp(&srv, &client, "ada@example.com", &code, "email").await;
    assert_eq!(st, StatusCode::FORBIDDEN, "the right code no longer works");
    // A newer code replaces an older one.
    let old = code_for(&srv, &client, "ada@example.com").await;
    let new = code_for(&srv, &client, "ada@example.com").await;
    if old != new {
        let (st, _) = otp(&srv, &client, "ada@example.com", &old, "email").await;
        assert_eq!(st, StatusCode::FORBIDDEN);
    }
    // Expired: the stored code made older than its time step.
    crate::support::with_server_db!(srv, |c| {
        sqlx::query("UPDATE passwordless_codes SET expires_at = 1")
            .execute(&mut *c)
            .await
            .unwrap();
    });
    let (st, e) = otp(&srv, &client, "ada@example.com", &new, "email").await;
    assert_eq!(st, StatusCode::FORBIDDEN, "{e}");
    assert!(
        e["error_description"].as_str().unwrap().contains("expired"),
        "{e}"
    );
    // Codes are stored only as hashes.
    let code = code_for(&srv, &client, "ada@example.com").await;
    let stored: Vec<(String,)> = crate::support::with_server_db!(srv, |c| {
        sqlx::query_as("SELECT code_hash FROM passwordless_codes")
            .fetch_all(&mut *c)
            .await
            .unwrap()
    });
    assert!(stored.iter().all(|(h,)| !h.contains(&code)));
}

/// A link from `/passwordless/start`: its landing signs the user in and
/// continues to the application with the `authParams` stored at start
/// (not the link's query); once only.
async fn magic_links_sign_in_once_with_the_stored_parameters(srv: TestServer) {
    let client = app(&srv, json!({})).await;
    email_connection(&srv, json!({}), &[&client]).await;
    let (st, body) = start(
        &srv,
        json!({"client_id": client, "connection": "email", "email": "ada@example.com", "send": "link",
               "authParams": {"redirect_uri": CALLBACK, "response_type": "code", "scope": "openid email",
                              "state": "st4te", "nonce": "n0nce", "code_challenge": CHALLENGE,
                              "code_challenge_method": "S256"}}),
    )
    .await;
    assert_eq!(st, StatusCode::OK, "{body}");
    assert_eq!(crate::audit_log::of_type(&srv, "cls").await.len(), 1);
    let link = link_in(&outbox_with(&srv, 1).await[0]);
    // The query's parameters are not what is used: an edited link still
    // returns to the stored callback.
    let edited = format!("{link}&redirect_uri=https%3A%2F%2Fevil.example%2Fcb");
    // Opening it spends nothing: a page asks to continue as the recipient
    // (a mail scanner's fetch, or another site's navigation, signs no one in).
    let mut b = Browser::new(&srv);
    let confirm = b.get(&edited).await;
    assert_eq!(confirm.status, StatusCode::OK, "{}", confirm.body);
    assert!(
        confirm.body.contains("Continue as ada@example.com"),
        "{}",
        confirm.body
    );
    let fields: Vec<(String, String)> = [
        "csrf",
        "client_id",
        "connection",
        "email",
        "verification_code",
    ]
    .iter()
    .map(|k| (k.to_string(), confirm.input(k)))
    .collect();
    let form: Vec<(&str, &str)> = fields
        .iter()
        .map(|(k, v)| (k.as_str(), v.as_str()))
        .collect();
    // Posted from another browser (no cookie): refused, the link unspent.
    let forged = Browser::new(&srv)
        .post_form("/passwordless/verify_redirect", &form)
        .await;
    assert_eq!(forged.status, StatusCode::FORBIDDEN, "{}", forged.body);
    let landed = b.post_form("/passwordless/verify_redirect", &form).await;
    // A page that moves on by itself (meta refresh) to /authorize.
    assert_eq!(landed.status, StatusCode::OK, "{}", landed.body);
    let at = landed.body.find("url=").expect("a refresh") + 4;
    let next = landed.body[at..]
        .split('"')
        .next()
        .unwrap()
        .replace("&amp;", "&")
        .replace("&#x2f;", "/");
    assert!(next.contains("/authorize?"), "{next}");
    let back = b.get(&next).await;
    let loc = back.location.clone().unwrap_or_default();
    assert!(loc.starts_with(CALLBACK), "{} {loc}", back.body);
    let params = back.redirect_params();
    assert_eq!(params["state"], "st4te");
    let (st, t, _) = srv
        .token_form(&[
            ("grant_type", "authorization_code"),
            ("client_id", &client),
            ("code", &params["code"]),
            ("redirect_uri", CALLBACK),
            ("code_verifier", VERIFIER),
        ])
        .await;
    assert_eq!(st, StatusCode::OK, "{t}");
    let id = verify_with_jwks(&srv, t["id_token"].as_str().unwrap(), &client).await;
    assert!(id["sub"].as_str().unwrap().starts_with("email|"));
    // Again (a new confirmation page, its form posted): spent.
    let confirm = b.get(&link).await;
    let csrf = confirm.input("csrf");
    let form: Vec<(&str, &str)> = fields
        .iter()
        .map(|(k, v)| {
            (
                k.as_str(),
                if k == "csrf" {
                    csrf.as_str()
                } else {
                    v.as_str()
                },
            )
        })
        .collect();
    let again = b.post_form("/passwordless/verify_redirect", &form).await;
    assert_eq!(again.status, StatusCode::BAD_REQUEST, "{}", again.body);
    assert!(again.location.is_none());
}

/// The hosted login offers the e-mail connection; a code there finishes the
/// login; a link asked for there works only in that browser (another
/// browser's attempt spends nothing).
async fn hosted_login_code_and_link_stay_in_their_browser(srv: TestServer) {
    let client = app(&srv, json!({})).await;
    email_connection(&srv, json!({}), &[&client]).await;
    // The code.
    let mut b = Browser::new(&srv);
    let to_login = b.authorize(&code_params(&client, &[])).await;
    let login = b.get(to_login.location.as_deref().unwrap()).await;
    assert!(
        login.body.contains("/u/passwordless?state="),
        "{}",
        login.body
    );
    let state = login.input("state");
    let page = b
        .get(&format!("/u/passwordless?state={state}&connection=email"))
        .await;
    assert_eq!(page.status, StatusCode::OK, "{}", page.body);
    let csrf = page.input("csrf");
    let before = outbox(&srv);
    let sent = b
        .post_form(
            "/u/passwordless",
            &[
                ("state", &state),
                ("csrf", &csrf),
                ("connection", "email"),
                ("recipient", "ada@example.com"),
                ("send", "code"),
            ],
        )
        .await;
    assert_eq!(sent.status, StatusCode::OK, "{}", sent.body);
    assert!(sent.body.contains("name=\"code\""), "{}", sent.body);
    let code = code_in(&new_mails(&srv, &before).await[0]);
    // Without the CSRF token: refused.
    let forged = b
        .post_form(
            "/u/passwordless/code",
            &[
                ("state", &state),
                ("csrf", "x"),
                ("connection", "email"),
                ("recipient", "ada@example.com"),
                ("code", &code),
            ],
        )
        .await;
    assert_eq!(forged.status, StatusCode::FORBIDDEN);
    let wrong = b
        .post_form(
            "/u/passwordless/code",
            &[
                ("state", &state),
                ("csrf", &csrf),
                ("connection", "email"),
                ("recipient", "ada@example.com"),
                ("code", "abc"),
            ],
        )
        .await;
    assert_eq!(wrong.status, StatusCode::BAD_REQUEST);
    assert!(wrong.body.contains("role=\"alert\""), "{}", wrong.body);
    let done = b
        .post_form(
            "/u/passwordless/code",
            &[
                ("state", &state),
                ("csrf", &csrf),
                ("connection", "email"),
                ("recipient", "ada@example.com"),
                ("code", &code),
            ],
        )
        .await;
    assert_eq!(done.status, StatusCode::FOUND, "{}", done.body);
    assert!(done.location.as_deref().unwrap().starts_with(CALLBACK));
    assert!(done.redirect_params().contains_key("code"));

    // The link, in a new login.
    let mut a = Browser::new(&srv);
    let to_login = a.authorize(&code_params(&client, &[])).await;
    let login = a.get(to_login.location.as_deref().unwrap()).await;
    let state = login.input("state");
    let page = a
        .get(&format!("/u/passwordless?state={state}&connection=email"))
        .await;
    let csrf = page.input("csrf");
    let before = outbox(&srv);
    let sent = a
        .post_form(
            "/u/passwordless",
            &[
                ("state", &state),
                ("csrf", &csrf),
                ("connection", "email"),
                ("recipient", "bea@example.com"),
                ("send", "link"),
            ],
        )
        .await;
    assert_eq!(sent.status, StatusCode::OK, "{}", sent.body);
    let link = link_in(&new_mails(&srv, &before).await[0]);
    assert!(link.contains("state="), "{link}");
    let elsewhere = Browser::new(&srv).get(&link).await;
    assert_eq!(
        elsewhere.status,
        StatusCode::BAD_REQUEST,
        "{}",
        elsewhere.body
    );
    let here = a.get(&link).await;
    assert_eq!(here.status, StatusCode::FOUND, "{}", here.body);
    assert!(
        here.location.as_deref().unwrap().starts_with(CALLBACK),
        "{:?}",
        here.location
    );
    let replay = a.get(&link).await;
    assert_ne!(replay.status, StatusCode::FOUND);
}

/// What the gateway received: the `Authorization` header and the JSON body.
type Texts = Arc<Mutex<Vec<(Option<String>, Value)>>>;

/// A gateway started by the test.
struct Gateway {
    url: String,
    got: Texts,
    fail: Arc<Mutex<bool>>,
}

async fn gateway() -> Gateway {
    let got: Texts = Default::default();
    let fail = Arc::new(Mutex::new(false));
    let (g, f) = (got.clone(), fail.clone());
    let app = axum::Router::new().fallback(move |headers: axum::http::HeaderMap, body: String| {
        let (g, f) = (g.clone(), f.clone());
        async move {
            if *f.lock().unwrap() {
                return axum::http::StatusCode::INTERNAL_SERVER_ERROR;
            }
            let auth = headers
                .get("authorization")
                .map(|v| v.to_str().unwrap().to_string());
            g.lock()
                .unwrap()
                .push((auth, serde_json::from_str(&body).unwrap_or(Value::Null)));
            axum::http::StatusCode::OK
        }
    });
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let url = format!("http://{}/sms", listener.local_addr().unwrap());
    tokio::spawn(async move { axum::serve(listener, app).await.unwrap() });
    Gateway { url, got, fail }
}

/// The sms connection through an HTTP gateway: the text carries the code,
/// the bearer JWT verifies with the secret (which the API never answers);
/// the code signs in a `sms|…` user with the number; a gateway failure
/// keeps no code.
async fn sms_codes_go_through_the_gateway(srv: TestServer) {
    let gw = gateway().await;
    let client = app(&srv, json!({})).await;
    let (st, c) = srv
        .api(
            Method::POST,
            "/connections",
            Some(json!({"name": "sms", "strategy": "sms", "enabled_clients": [client],
                "options": {"provider": "sms_gateway", "gateway_url": gw.url, "from": "+15550001111",
                  "template": "Your code for Shop: @@password@@",
                  "gateway_authentication": {"method": "bearer", "subject": "urn:portcullis",
                     "audience": "urn:sms-gateway", "secret": "gateway-shared-secret"}}})),
        )
        .await;
    assert_eq!(st, StatusCode::CREATED, "{c}");
    assert!(!c.to_string().contains("gateway-shared-secret"), "{c}");
    let (st, body) = start(
        &srv,
        json!({"client_id": client, "connection": "sms", "phone_number": "+1 415 555 0100"}),
    )
    .await;
    assert_eq!(st, StatusCode::OK, "{body}");
    assert_eq!(body["phone_number"], "+14155550100");
    let (auth, sms) = gw.got.lock().unwrap()[0].clone();
    assert_eq!(sms["recipient"], "+14155550100");
    assert_eq!(sms["sender"], "+15550001111");
    let text = sms["body"].as_str().unwrap();
    assert!(text.starts_with("Your code for Shop: "), "{text}");
    let code: String = text.rsplit(' ').next().unwrap().to_string();
    // The bearer JWT, verified independently.
    let jwt = auth.unwrap().strip_prefix("Bearer ").unwrap().to_string();
    let mut v = jsonwebtoken::Validation::new(jsonwebtoken::Algorithm::HS256);
    v.set_audience(&["urn:sms-gateway"]);
    let claims = jsonwebtoken::decode::<Value>(
        &jwt,
        &jsonwebtoken::DecodingKey::from_secret(b"gateway-shared-secret"),
        &v,
    )
    .expect("the gateway token verifies")
    .claims;
    assert_eq!(claims["sub"], "urn:portcullis");
    let (st, t) = otp(&srv, &client, "+14155550100", &code, "sms").await;
    assert_eq!(st, StatusCode::OK, "{t}");
    let id = verify_with_jwks(&srv, t["id_token"].as_str().unwrap(), &client).await;
    let uid = id["sub"].as_str().unwrap();
    assert!(uid.starts_with("sms|"), "{uid}");
    let (st, user) = srv
        .api(
            Method::GET,
            &format!("/users/{}", uid.replace('|', "%7C")),
            None,
        )
        .await;
    assert_eq!(st, StatusCode::OK, "{user}");
    assert_eq!(user["phone_number"], "+14155550100");
    // A second number is a second user (no e-mail to collide on).
    let (st, _) = start(
        &srv,
        json!({"client_id": client, "connection": "sms", "phone_number": "+14155550101"}),
    )
    .await;
    assert_eq!(st, StatusCode::OK);
    let text = gw.got.lock().unwrap()[1].1["body"]
        .as_str()
        .unwrap()
        .to_string();
    let (st, t) = otp(
        &srv,
        &client,
        "+14155550101",
        text.rsplit(' ').next().unwrap(),
        "sms",
    )
    .await;
    assert_eq!(st, StatusCode::OK, "{t}");
    // The gateway fails: 503, and no code was kept.
    *gw.fail.lock().unwrap() = true;
    let (st, e) = start(
        &srv,
        json!({"client_id": client, "connection": "sms", "phone_number": "+14155550102"}),
    )
    .await;
    assert_eq!(st, StatusCode::SERVICE_UNAVAILABLE, "{e}");
    let left: Vec<(String,)> = crate::support::with_server_db!(srv, |c| {
        sqlx::query_as("SELECT recipient FROM passwordless_codes WHERE recipient = '+14155550102'")
            .fetch_all(&mut *c)
            .await
            .unwrap()
    });
    assert!(left.is_empty());
    assert!(!crate::audit_log::of_type(&srv, "fn").await.is_empty());
}

/// The hosted login's passwordless pages in headless Chromium, at phone and
/// desktop width: the button on the login page, the address's labelled,
/// focused field, the code page, contrast (WCAG AA), and the login reaching
/// the application with the keyboard alone.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn chromium_signs_in_with_an_email_code() {
    use crate::accessible_pages::{assert_contrast, screenshots};
    let srv = TestServer::start(crate::support::Backend::Sqlite).await;
    let client = app(&srv, json!({})).await;
    email_connection(&srv, json!({}), &[&client]).await;
    let browser = crate::webdriver::Chromium::start().await;
    let q: String = form_urlencoded::Serializer::new(String::new())
        .extend_pairs(code_params(&client, &[]))
        .finish();
    browser.goto(&format!("{}/authorize?{q}", srv.url)).await;
    browser
        .wait_for_url(|u| u.contains("/u/login?state="))
        .await;
    browser.click("a.upstream[href*='/u/passwordless']").await;
    browser
        .wait_for_url(|u| u.contains("/u/passwordless?"))
        .await;
    let focus = browser.execute("return document.activeElement.id").await;
    assert_eq!(focus, "recipient", "the address's field has the focus");
    let label = browser
        .execute("return document.querySelector('label[for=recipient]').textContent")
        .await;
    assert_eq!(label, "Email address");
    assert_contrast(&browser, "passwordless address").await;
    screenshots(&browser, "passwordless-email").await;
    let before = outbox(&srv);
    browser.type_into("#recipient", "ada@example.com").await;
    browser.click("button[value=code]").await;
    for _ in 0..100 {
        let body = browser.execute("return document.body.innerText").await;
        if body.as_str().is_some_and(|b| b.contains("Enter your code")) {
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(100)).await;
    }
    let focus = browser.execute("return document.activeElement.id").await;
    assert_eq!(focus, "code", "the code's field has the focus");
    assert_contrast(&browser, "passwordless code").await;
    screenshots(&browser, "passwordless-code").await;
    let code = code_in(&new_mails(&srv, &before).await[0]);
    browser.type_into("#code", &code).await;
    browser.click("form button[type=submit]").await;
    let back = browser.wait_for_url(|u| u.starts_with(CALLBACK)).await;
    assert!(back.contains("code="), "{back}");
    browser.quit().await;
}
