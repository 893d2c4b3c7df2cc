//! The device authorization grant (RFC 8628, issue 22), as Auth0 exposes it:
//! `POST /oauth/device/code`, the activation page at `<issuer>activate`, and
//! the device's polls of `/oauth/token`. Driven over HTTP on both backends,
//! by the `openidconnect` crate as an independent device, and in headless
//! Chromium.

use openidconnect::core::{
    CoreAuthDisplay, CoreClaimName, CoreClaimType, CoreClient, CoreClientAuthMethod,
    CoreDeviceAuthorizationResponse, CoreGrantType, CoreJsonWebKey,
    CoreJweContentEncryptionAlgorithm, CoreJweKeyManagementAlgorithm, CoreResponseMode,
    CoreResponseType, CoreSubjectIdentifierType,
};
use openidconnect::{
    AdditionalProviderMetadata, ClientId, DeviceAuthorizationUrl, IssuerUrl, Nonce,
    OAuth2TokenResponse, ProviderMetadata, Scope, TokenResponse,
};
use reqwest::{Method, StatusCode};
use serde::{Deserialize, Serialize};
use serde_json::{Value, json};

use crate::browser::{Browser, PASSWORD, Page, user};
use crate::support::{TestServer, on_both_backends, verify_with_jwks};

const API: &str = "https://tv.example/api";
const DEVICE_GRANT: &str = "urn:ietf:params:oauth:grant-type:device_code";

/// A native application allowed the device grant (and refresh tokens),
/// beside an API that allows offline access; returns the client id.
async fn tv_app(srv: &TestServer, extra: Value) -> String {
    let (st, _) = srv
        .api(
            Method::POST,
            "/resource-servers",
            Some(
                json!({"identifier": API, "name": "TV API", "allow_offline_access": true,
                        "scopes": [{"value": "watch"}]}),
            ),
        )
        .await;
    assert!(
        st == StatusCode::CREATED || st == StatusCode::CONFLICT,
        "{st}"
    );
    let mut body = json!({
        "name": "Living-room TV", "app_type": "native",
        "grant_types": [DEVICE_GRANT, "refresh_token"],
    });
    body.as_object_mut()
        .unwrap()
        .extend(extra.as_object().unwrap().clone());
    let (st, c) = srv.api(Method::POST, "/clients", Some(body)).await;
    assert_eq!(st, StatusCode::CREATED, "{c}");
    c["client_id"].as_str().unwrap().to_string()
}

/// `POST /oauth/device/code` with `form`.
async fn device_code(srv: &TestServer, form: &[(&str, &str)]) -> (StatusCode, Value) {
    let body: String = form_urlencoded::Serializer::new(String::new())
        .extend_pairs(form)
        .finish();
    let res = srv
        .http
        .post(format!("{}/oauth/device/code", srv.url))
        .header("content-type", "application/x-www-form-urlencoded")
        .body(body)
        .send()
        .await
        .unwrap();
    let st = res.status();
    assert_eq!(
        res.headers()
            .get("cache-control")
            .map(|v| v.to_str().unwrap()),
        Some("no-store"),
        "neither codes nor errors are cached"
    );
    (st, res.json().await.unwrap_or(Value::Null))
}

/// A device authorization for `client` (openid, offline access, the API).
async fn start(srv: &TestServer, client: &str) -> Value {
    let (st, d) = device_code(
        srv,
        &[
            ("client_id", client),
            ("scope", "openid profile email offline_access watch"),
            ("audience", API),
        ],
    )
    .await;
    assert_eq!(st, StatusCode::OK, "{d}");
    d
}

async fn poll(srv: &TestServer, client: &str, device_code: &str) -> (StatusCode, Value) {
    let (st, body, _) = srv
        .token_form(&[
            ("grant_type", DEVICE_GRANT),
            ("client_id", client),
            ("device_code", device_code),
        ])
        .await;
    (st, body)
}

fn advance(srv: &TestServer, seconds: i64) {
    srv.server.as_ref().unwrap().state.advance_clock(seconds);
}

/// The activation page with `user_code`, as `verification_uri_complete` opens it.
async fn enter(b: &mut Browser, user_code: &str) -> Page {
    let q: String = form_urlencoded::Serializer::new(String::new())
        .append_pair("user_code", user_code)
        .finish();
    b.get(&format!("/activate?{q}")).await
}

/// Submits the confirmation page with `action` (`confirm` or `cancel`).
async fn answer(b: &mut Browser, page: &Page, action: &str) -> Page {
    assert_eq!(page.status, StatusCode::OK, "{}", page.body);
    let (state, csrf) = (page.input("state"), page.input("csrf"));
    b.post_form(
        "/activate",
        &[("state", &state), ("csrf", &csrf), ("action", action)],
    )
    .await
}

on_both_backends!(
    device_flow_signs_in_through_the_activation_page,
    device_authorization_refuses_bad_requests,
    wrong_and_expired_user_codes_change_nothing,
    cancelled_confirmation_denies_the_device,
    confirmation_needs_its_form_and_one_browser,
    declined_consent_denies_the_device_and_a_forged_return_does_not,
    openidconnect_crate_drives_the_device_flow,
);

async fn device_flow_signs_in_through_the_activation_page(srv: TestServer) {
    let client = tv_app(&srv, json!({})).await;
    let uid = user(&srv, "ada@example.com").await;
    let d = start(&srv, &client).await;
    // RFC 8628 §3.2 with Auth0's values.
    let user_code = d["user_code"].as_str().unwrap().to_string();
    assert_eq!(user_code.len(), 9, "{d}");
    assert!(
        user_code.chars().enumerate().all(|(i, c)| if i == 4 {
            c == '-'
        } else {
            "BCDFGHJKLMNPQRSTVWXZ".contains(c)
        }),
        "{user_code}"
    );
    assert_eq!(
        d["verification_uri"],
        json!(format!("{}activate", srv.issuer))
    );
    assert_eq!(
        d["verification_uri_complete"],
        json!(format!("{}activate?user_code={user_code}", srv.issuer))
    );
    assert_eq!(
        (d["expires_in"].as_i64(), d["interval"].as_i64()),
        (Some(900), Some(5))
    );
    let code = d["device_code"].as_str().unwrap().to_string();

    // Polling before the person acts: pending; then too soon: slow down, and
    // the interval grows by five seconds (§3.5).
    let (st, e) = poll(&srv, &client, &code).await;
    assert_eq!(
        (st, e["error"].as_str()),
        (StatusCode::FORBIDDEN, Some("authorization_pending")),
        "{e}"
    );
    let (st, e) = poll(&srv, &client, &code).await;
    assert_eq!(
        (st, e["error"].as_str()),
        (StatusCode::TOO_MANY_REQUESTS, Some("slow_down")),
        "{e}"
    );
    advance(&srv, 6);
    let (_, e) = poll(&srv, &client, &code).await;
    assert_eq!(
        e["error"],
        json!("slow_down"),
        "six seconds is under the new ten: {e}"
    );
    advance(&srv, 15);
    let (_, e) = poll(&srv, &client, &code).await;
    assert_eq!(e["error"], json!("authorization_pending"), "{e}");

    // The person: the code's page (typed in lower case, without the dash),
    // confirm, sign in.
    let mut b = Browser::new(&srv);
    let typed = user_code.replace('-', "").to_lowercase();
    let page = enter(&mut b, &typed).await;
    assert_eq!(page.status, StatusCode::OK, "{}", page.body);
    assert!(
        page.body.contains(&user_code),
        "the code is shown to compare"
    );
    assert!(page.body.contains("Living-room TV"));
    let to_login = answer(&mut b, &page, "confirm").await;
    let done = b.submit_login(&to_login, "ada@example.com", PASSWORD).await;
    assert_eq!(done.status, StatusCode::OK, "{}", done.body);
    assert!(
        done.body.contains("Your device is connected"),
        "{}",
        done.body
    );

    // The device's next poll gets the tokens of the login.
    advance(&srv, 10);
    let (st, t) = poll(&srv, &client, &code).await;
    assert_eq!(st, StatusCode::OK, "{t}");
    assert_eq!(t["token_type"], json!("Bearer"));
    let access = verify_with_jwks(&srv, t["access_token"].as_str().unwrap(), API).await;
    assert_eq!(access["sub"], json!(uid));
    assert_eq!(access["azp"], json!(client));
    let id = verify_with_jwks(&srv, t["id_token"].as_str().unwrap(), &client).await;
    assert_eq!(
        (id["sub"].as_str(), id["email"].as_str()),
        (Some(uid.as_str()), Some("ada@example.com"))
    );
    assert!(id.get("nonce").is_none());
    let refresh = t["refresh_token"]
        .as_str()
        .expect("offline_access: a refresh token")
        .to_string();
    let (st, r, _) = srv
        .token_form(&[
            ("grant_type", "refresh_token"),
            ("client_id", &client),
            ("refresh_token", &refresh),
        ])
        .await;
    assert_eq!(
        st,
        StatusCode::OK,
        "refresh tokens work as for other user grants: {r}"
    );
    assert_eq!(crate::audit_log::of_type(&srv, "sede").await.len(), 1);

    // The device code redeems once; a second redemption is refused and ends
    // what the first issued (as a replayed authorization code does).
    advance(&srv, 10);
    let (st, e) = poll(&srv, &client, &code).await;
    assert_eq!(
        (st, e["error"].as_str()),
        (StatusCode::FORBIDDEN, Some("invalid_grant")),
        "{e}"
    );
    let latest = r["refresh_token"].as_str().unwrap_or(&refresh).to_string();
    let (st, e, _) = srv
        .token_form(&[
            ("grant_type", "refresh_token"),
            ("client_id", &client),
            ("refresh_token", &latest),
        ])
        .await;
    assert_eq!(st, StatusCode::FORBIDDEN, "the family is revoked: {e}");

    // The code's page now refuses the spent user code.
    let again = enter(&mut b, &user_code).await;
    assert_eq!(again.status, StatusCode::BAD_REQUEST);
}

async fn device_authorization_refuses_bad_requests(srv: TestServer) {
    let client = tv_app(&srv, json!({})).await;
    let (st, plain) = srv
        .api(
            Method::POST,
            "/clients",
            Some(json!({"name": "Phone", "app_type": "native"})),
        )
        .await;
    assert_eq!(st, StatusCode::CREATED);
    let plain = plain["client_id"].as_str().unwrap().to_string();
    // A client without the grant; an unknown client; an unknown API; a bad scope.
    let (st, e) = device_code(&srv, &[("client_id", &plain), ("scope", "openid")]).await;
    assert_eq!(
        (st, e["error"].as_str()),
        (StatusCode::FORBIDDEN, Some("unauthorized_client")),
        "{e}"
    );
    let (st, e) = device_code(&srv, &[("client_id", "nobody")]).await;
    assert_eq!(
        (st, e["error"].as_str()),
        (StatusCode::UNAUTHORIZED, Some("invalid_client")),
        "{e}"
    );
    let (st, e) = device_code(
        &srv,
        &[("client_id", &client), ("audience", "https://nowhere")],
    )
    .await;
    assert_eq!(
        (st, e["error"].as_str()),
        (StatusCode::FORBIDDEN, Some("access_denied")),
        "{e}"
    );
    assert_eq!(
        e["error_description"],
        json!("Service not found: https://nowhere")
    );
    let (st, e) = device_code(&srv, &[("client_id", &client), ("scope", "openid \"x")]).await;
    assert_eq!(
        (st, e["error"].as_str()),
        (StatusCode::BAD_REQUEST, Some("invalid_scope")),
        "{e}"
    );
    let (st, e) = device_code(&srv, &[("client_id", &client), ("client_id", &client)]).await;
    assert_eq!(
        (st, e["error"].as_str()),
        (StatusCode::BAD_REQUEST, Some("invalid_request")),
        "{e}"
    );
    assert!(crate::audit_log::of_type(&srv, "fdeaz").await.len() >= 3);
    let counted = with_count(&srv).await;
    assert_eq!(counted, 0, "nothing refused was stored");

    // At the token endpoint: the grant's parameter, the client's grant type,
    // unknown and foreign device codes.
    let d = start(&srv, &client).await;
    let code = d["device_code"].as_str().unwrap();
    let (st, e, _) = srv
        .token_form(&[("grant_type", DEVICE_GRANT), ("client_id", &client)])
        .await;
    assert_eq!(
        (st, e["error"].as_str()),
        (StatusCode::BAD_REQUEST, Some("invalid_request")),
        "{e}"
    );
    let (st, e) = poll(&srv, &plain, code).await;
    assert_eq!(
        (st, e["error"].as_str()),
        (StatusCode::FORBIDDEN, Some("unauthorized_client")),
        "{e}"
    );
    let (st, e) = poll(&srv, &client, "not-a-device-code").await;
    assert_eq!(
        (st, e["error"].as_str()),
        (StatusCode::FORBIDDEN, Some("invalid_grant")),
        "{e}"
    );
    let other = tv_app(&srv, json!({"name": "Other TV"})).await;
    let (st, e) = poll(&srv, &other, code).await;
    assert_eq!(
        (st, e["error"].as_str()),
        (StatusCode::FORBIDDEN, Some("invalid_grant")),
        "{e}"
    );
    // None of it counted as the owner's poll: its first poll is only pending.
    let (st, e) = poll(&srv, &client, code).await;
    assert_eq!(
        (st, e["error"].as_str()),
        (StatusCode::FORBIDDEN, Some("authorization_pending")),
        "{e}"
    );
    assert!(!crate::audit_log::of_type(&srv, "fede").await.is_empty());
}

/// Device authorizations stored (through the server's own database).
async fn with_count(srv: &TestServer) -> i64 {
    crate::support::with_server_db!(srv, |c| {
        let (n,): (i64,) = sqlx::query_as("SELECT COUNT(*) FROM device_codes")
            .fetch_one(&mut *c)
            .await
            .unwrap();
        n
    })
}

async fn wrong_and_expired_user_codes_change_nothing(srv: TestServer) {
    let client = tv_app(&srv, json!({})).await;
    let d = start(&srv, &client).await;
    let code = d["device_code"].as_str().unwrap().to_string();
    let mut b = Browser::new(&srv);
    // The form alone; a code that does not exist; one that cannot be a code.
    let form = b.get("/activate").await;
    assert_eq!(form.status, StatusCode::OK);
    assert!(form.body.contains("name=\"user_code\""));
    for typed in ["BBBB-BBBB", "hello", "<b>x</b>"] {
        let page = enter(&mut b, typed).await;
        assert_eq!(page.status, StatusCode::BAD_REQUEST, "{typed}");
        assert!(
            page.body.contains("not valid, or has expired"),
            "{}",
            page.body
        );
        assert!(!page.body.contains("<b>x"), "what was typed is escaped");
    }
    assert_eq!(crate::audit_log::of_type(&srv, "fdeac").await.len(), 3);
    // Nothing of the device changed: its poll is only pending.
    let (_, e) = poll(&srv, &client, &code).await;
    assert_eq!(e["error"], json!("authorization_pending"));

    // Past its fifteen minutes the code is refused on the page, and the
    // device is told it expired.
    let user_code = d["user_code"].as_str().unwrap();
    advance(&srv, 901);
    let page = enter(&mut b, user_code).await;
    assert_eq!(page.status, StatusCode::BAD_REQUEST);
    let (st, e) = poll(&srv, &client, &code).await;
    assert_eq!(
        (st, e["error"].as_str()),
        (StatusCode::FORBIDDEN, Some("expired_token")),
        "{e}"
    );

    // Guessing is throttled per address: after 20 wrong codes in the window
    // (the expired one above is the first of this window), even a right one
    // waits.
    let fresh = start(&srv, &client).await;
    for _ in 0..19 {
        let page = enter(&mut b, "BBBB-BBBB").await;
        assert_eq!(page.status, StatusCode::BAD_REQUEST);
    }
    let page = enter(&mut b, fresh["user_code"].as_str().unwrap()).await;
    assert_eq!(page.status, StatusCode::TOO_MANY_REQUESTS, "{}", page.body);
}

async fn cancelled_confirmation_denies_the_device(srv: TestServer) {
    let client = tv_app(&srv, json!({})).await;
    let d = start(&srv, &client).await;
    let code = d["device_code"].as_str().unwrap();
    let mut b = Browser::new(&srv);
    let page = enter(&mut b, d["user_code"].as_str().unwrap()).await;
    let done = answer(&mut b, &page, "cancel").await;
    assert_eq!(done.status, StatusCode::OK);
    assert!(done.body.contains("not connected"), "{}", done.body);
    let (st, e) = poll(&srv, &client, code).await;
    assert_eq!(
        (st, e["error"].as_str()),
        (StatusCode::FORBIDDEN, Some("access_denied")),
        "{e}"
    );
    assert_eq!(crate::audit_log::of_type(&srv, "fdecc").await.len(), 1);
    // The code is spent on the page too.
    let again = enter(&mut b, d["user_code"].as_str().unwrap()).await;
    assert_eq!(again.status, StatusCode::BAD_REQUEST);
}

async fn confirmation_needs_its_form_and_one_browser(srv: TestServer) {
    let client = tv_app(&srv, json!({})).await;
    user(&srv, "ada@example.com").await;
    let d = start(&srv, &client).await;
    let code = d["device_code"].as_str().unwrap();
    let user_code = d["user_code"].as_str().unwrap();
    let mut b = Browser::new(&srv);
    let page = enter(&mut b, user_code).await;
    let state = page.input("state");
    // A wrong CSRF token, and another browser with the right one: refused.
    let forged = b
        .post_form(
            "/activate",
            &[("state", &state), ("csrf", "wrong"), ("action", "confirm")],
        )
        .await;
    assert_eq!(forged.status, StatusCode::FORBIDDEN, "{}", forged.body);
    let mut other = Browser::new(&srv);
    let csrf = page.input("csrf");
    let stolen = other
        .post_form(
            "/activate",
            &[("state", &state), ("csrf", &csrf), ("action", "cancel")],
        )
        .await;
    assert_eq!(stolen.status, StatusCode::BAD_REQUEST, "{}", stolen.body);
    let (_, e) = poll(&srv, &client, code).await;
    assert_eq!(
        e["error"],
        json!("authorization_pending"),
        "nothing changed: {e}"
    );

    // The first browser to confirm takes the code; a second one that loaded
    // the page before cannot confirm it, cancel it, or approve it by signing
    // in through its own parked login without confirming.
    let mut second = Browser::new(&srv);
    let second_page = enter(&mut second, user_code).await;
    let second_cancel = enter(&mut second, user_code).await;
    let second_login = enter(&mut second, user_code).await;
    let to_login = answer(&mut b, &page, "confirm").await;
    assert_eq!(to_login.status, StatusCode::FOUND);
    let late = answer(&mut second, &second_page, "confirm").await;
    assert_eq!(late.status, StatusCode::BAD_REQUEST, "{}", late.body);
    assert!(late.body.contains("can no longer be used"));
    let cancelled = answer(&mut second, &second_cancel, "cancel").await;
    assert_eq!(cancelled.status, StatusCode::OK);
    let sneaked = second
        .post_form(
            "/u/login",
            &[
                ("state", &second_login.input("state")),
                ("csrf", &second_login.input("csrf")),
                ("username", "ada@example.com"),
                ("password", PASSWORD),
            ],
        )
        .await;
    assert_eq!(sneaked.status, StatusCode::BAD_REQUEST, "{}", sneaked.body);
    assert!(
        sneaked.body.contains("can no longer be used"),
        "{}",
        sneaked.body
    );
    advance(&srv, 10);
    let (_, e) = poll(&srv, &client, code).await;
    assert_eq!(
        e["error"],
        json!("authorization_pending"),
        "neither denied nor approved: {e}"
    );
    // The first one finishes; the form cannot be sent twice.
    let done = b.submit_login(&to_login, "ada@example.com", PASSWORD).await;
    assert!(
        done.body.contains("Your device is connected"),
        "{}",
        done.body
    );
    let replay = answer(&mut b, &page, "confirm").await;
    assert_eq!(replay.status, StatusCode::BAD_REQUEST);
    advance(&srv, 10);
    let (st, t) = poll(&srv, &client, code).await;
    assert_eq!(st, StatusCode::OK, "{t}");

    // A signed-in browser (single sign-on) is not asked to sign in again.
    let d = start(&srv, &client).await;
    let page = enter(&mut b, d["user_code"].as_str().unwrap()).await;
    let done = answer(&mut b, &page, "confirm").await;
    assert_eq!(done.status, StatusCode::OK, "{}", done.body);
    assert!(done.body.contains("Your device is connected"));
}

async fn declined_consent_denies_the_device_and_a_forged_return_does_not(srv: TestServer) {
    // A third-party application asks for consent.
    let client = tv_app(&srv, json!({"is_first_party": false})).await;
    user(&srv, "ada@example.com").await;
    let d = start(&srv, &client).await;
    let code = d["device_code"].as_str().unwrap();
    let mut b = Browser::new(&srv);
    // A crafted return to the page names no real login: nothing happens,
    // and its words are not shown.
    let crafted = b
        .get("/activate?state=made-up&error=access_denied&error_description=Call%20555-0100%20now")
        .await;
    assert_eq!(crafted.status, StatusCode::OK);
    assert!(!crafted.body.contains("555-0100"));
    let (_, e) = poll(&srv, &client, code).await;
    assert_eq!(e["error"], json!("authorization_pending"));

    let page = enter(&mut b, d["user_code"].as_str().unwrap()).await;
    let to_login = answer(&mut b, &page, "confirm").await;
    let to_consent = b.submit_login(&to_login, "ada@example.com", PASSWORD).await;
    assert_eq!(to_consent.status, StatusCode::FOUND, "{}", to_consent.body);
    let consent = b.get(to_consent.location.as_deref().unwrap()).await;
    assert_eq!(consent.status, StatusCode::OK, "{}", consent.body);
    let declined = b
        .post_form(
            "/u/consent",
            &[
                ("state", &consent.input("state")),
                ("csrf", &consent.input("csrf")),
                ("action", "deny"),
            ],
        )
        .await;
    // Back to the activation page with the login's secret state.
    let back = declined
        .location
        .clone()
        .expect("redirect back to /activate");
    assert!(
        back.starts_with(&format!("{}activate?", srv.issuer)),
        "{back}"
    );
    let landing = b.get(&back).await;
    assert!(landing.body.contains("not connected"), "{}", landing.body);
    advance(&srv, 10);
    let (st, e) = poll(&srv, &client, code).await;
    assert_eq!(
        (st, e["error"].as_str()),
        (StatusCode::FORBIDDEN, Some("access_denied")),
        "{e}"
    );
}

/// The discovery document's `device_authorization_endpoint`, which the core
/// metadata of `openidconnect` leaves to the application.
#[derive(Clone, Debug, Deserialize, Serialize)]
struct DeviceEndpoint {
    device_authorization_endpoint: DeviceAuthorizationUrl,
}
impl AdditionalProviderMetadata for DeviceEndpoint {}
type DeviceProviderMetadata = ProviderMetadata<
    DeviceEndpoint,
    CoreAuthDisplay,
    CoreClientAuthMethod,
    CoreClaimName,
    CoreClaimType,
    CoreGrantType,
    CoreJweContentEncryptionAlgorithm,
    CoreJweKeyManagementAlgorithm,
    CoreJsonWebKey,
    CoreResponseMode,
    CoreResponseType,
    CoreSubjectIdentifierType,
>;

async fn openidconnect_crate_drives_the_device_flow(srv: TestServer) {
    let client_id = tv_app(&srv, json!({})).await;
    let uid = user(&srv, "ada@example.com").await;
    let http = reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .unwrap();
    let rp_http = |req| crate::oidc_client::send(http.clone(), req);
    let metadata = DeviceProviderMetadata::discover_async(
        IssuerUrl::new(srv.issuer.clone()).unwrap(),
        &rp_http,
    )
    .await
    .expect("discovery");
    let endpoint = metadata
        .additional_metadata()
        .device_authorization_endpoint
        .clone();
    assert_eq!(
        endpoint.as_str(),
        format!("{}oauth/device/code", srv.issuer)
    );
    let client =
        CoreClient::from_provider_metadata(metadata, ClientId::new(client_id.clone()), None)
            .set_device_authorization_url(endpoint);
    let details: CoreDeviceAuthorizationResponse = client
        .exchange_device_code()
        .add_scope(Scope::new("profile".into()))
        .add_scope(Scope::new("email".into()))
        .add_scope(Scope::new("offline_access".into()))
        .request_async(&rp_http)
        .await
        .expect("device authorization");
    // The person follows the complete link, confirms and signs in, while the
    // crate polls (it honours `interval` and `slow_down` itself).
    let link = details
        .verification_uri_complete()
        .expect("verification_uri_complete")
        .secret()
        .clone();
    let base = srv.url.clone();
    let person = tokio::spawn(async move {
        tokio::time::sleep(std::time::Duration::from_millis(300)).await;
        let mut b = Browser::at(&base);
        let page = b.get(&link).await;
        let to_login = answer(&mut b, &page, "confirm").await;
        let done = b.submit_login(&to_login, "ada@example.com", PASSWORD).await;
        assert!(
            done.body.contains("Your device is connected"),
            "{}",
            done.body
        );
    });
    let tokens = client
        .exchange_device_access_token(&details)
        .unwrap()
        .request_async(
            &rp_http,
            tokio::time::sleep,
            Some(std::time::Duration::from_secs(60)),
        )
        .await
        .expect("the device's tokens");
    person.await.unwrap();
    let id_token = tokens.id_token().expect("an ID token");
    let claims = id_token
        .claims(&client.id_token_verifier(), |n: Option<&Nonce>| match n {
            None => Ok(()),
            Some(_) => Err("no nonce in the device flow".to_string()),
        })
        .expect("the crate validates the ID token");
    assert_eq!(claims.subject().as_str(), uid);
    assert_eq!(claims.email().map(|e| e.as_str()), Some("ada@example.com"));
    assert!(tokens.refresh_token().is_some(), "offline_access");
}

/// Waits until the page's text contains `text` (a form's answer that keeps
/// the URL).
async fn wait_for_text(browser: &crate::webdriver::Chromium, text: &str) {
    for _ in 0..100 {
        let body = browser.execute("return document.body.innerText").await;
        if body.as_str().is_some_and(|b| b.contains(text)) {
            return;
        }
        tokio::time::sleep(std::time::Duration::from_millis(100)).await;
    }
    panic!("timed out waiting for {text:?}: {}", browser.source().await)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn chromium_activates_a_device_with_the_keyboard_order_and_contrast() {
    use crate::accessible_pages::{assert_contrast, screenshots};
    let srv = TestServer::start(crate::support::Backend::Sqlite).await;
    let client = tv_app(&srv, json!({})).await;
    let uid = user(&srv, "ada@example.com").await;
    let d = start(&srv, &client).await;
    let browser = crate::webdriver::Chromium::start().await;
    browser.goto(d["verification_uri"].as_str().unwrap()).await;
    let focus = browser.execute("return document.activeElement.id").await;
    assert_eq!(focus, "user_code", "the code's field has the focus");
    let label = browser
        .execute("return document.querySelector('label[for=user_code]').textContent")
        .await;
    assert_eq!(label, "Code");
    assert_contrast(&browser, "activation").await;
    screenshots(&browser, "device-activate").await;
    browser
        .type_into(
            "#user_code",
            &d["user_code"].as_str().unwrap().to_lowercase(),
        )
        .await;
    browser.click("form button[type=submit]").await;
    browser.wait_for_url(|u| u.contains("user_code=")).await;
    wait_for_text(&browser, "Confirm your device").await;
    let focused = browser.execute("return document.activeElement.value").await;
    assert_eq!(focused, "confirm", "Enter confirms");
    assert_contrast(&browser, "device confirmation").await;
    screenshots(&browser, "device-confirm").await;
    browser.click("button[value=confirm]").await;
    browser
        .wait_for_url(|u| u.contains("/u/login?state="))
        .await;
    browser.type_into("#username", "ada@example.com").await;
    browser.type_into("#password", PASSWORD).await;
    browser.click("form button[type=submit]").await;
    wait_for_text(&browser, "Your device is connected").await;
    assert_contrast(&browser, "device connected").await;
    screenshots(&browser, "device-connected").await;
    browser.quit().await;
    advance(&srv, 10);
    let (st, t) = poll(&srv, &client, d["device_code"].as_str().unwrap()).await;
    assert_eq!(st, StatusCode::OK, "{t}");
    let id = verify_with_jwks(&srv, t["id_token"].as_str().unwrap(), &client).await;
    assert_eq!(id["sub"], json!(uid));
}
