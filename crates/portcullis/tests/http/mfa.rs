//! Multi-factor authentication through Auth0's MFA API and the Guardian
//! Management API: a password login that needs a second factor, enrolment of
//! an authenticator app with the `mfa_token`, the `mfa-otp` and
//! `mfa-recovery-code` grants, and the attacks on them. The one-time codes
//! are computed here from the enrolled secret (RFC 4226/6238 written out in
//! the test with aws-lc-rs's HMAC-SHA1), never by the code under test.

use reqwest::{Method, StatusCode};
use serde_json::{Value, json};

use crate::browser::{PASSWORD, user};
use crate::support::{TestServer, on_both_backends, unix_now, verify_with_jwks};

const MFA_OTP: &str = "http://auth0.com/oauth/grant-type/mfa-otp";
const MFA_RECOVERY: &str = "http://auth0.com/oauth/grant-type/mfa-recovery-code";
const MFA_OOB: &str = "http://auth0.com/oauth/grant-type/mfa-oob";

/// RFC 4648 §6 base32, as authenticator apps read the secret.
fn base32_decode(text: &str) -> Vec<u8> {
    const ALPHABET: &[u8] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZ234567";
    let (mut bits, mut value, mut out) = (0u32, 0u64, Vec::new());
    for c in text.bytes().filter(|c| *c != b'=') {
        let v = ALPHABET.iter().position(|a| *a == c).expect("base32") as u64;
        value = (value << 5) | v;
        bits += 5;
        if bits >= 8 {
            bits -= 8;
            out.push((value >> bits) as u8);
            value &= (1 << bits) - 1;
        }
    }
    out
}

/// RFC 6238 with RFC 4226's dynamic truncation: the six digits at `time`.
pub(crate) fn totp(secret_b32: &str, time: i64) -> String {
    let key = aws_lc_rs::hmac::Key::new(
        aws_lc_rs::hmac::HMAC_SHA1_FOR_LEGACY_USE_ONLY,
        &base32_decode(secret_b32),
    );
    let counter = (time / 30) as u64;
    let mac = aws_lc_rs::hmac::sign(&key, &counter.to_be_bytes());
    let d = mac.as_ref();
    let o = (d[19] & 0x0f) as usize;
    let n = (u32::from(d[o] & 0x7f) << 24)
        | (u32::from(d[o + 1]) << 16)
        | (u32::from(d[o + 2]) << 8)
        | u32::from(d[o + 3]);
    format!("{:06}", n % 1_000_000)
}

#[test]
fn the_tests_totp_matches_rfc_6238() {
    // RFC 6238 Appendix B, SHA-1, secret "12345678901234567890" in base32.
    let secret = "GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ";
    assert_eq!(totp(secret, 59), "287082");
    assert_eq!(totp(secret, 1_111_111_109), "081804");
}

/// The server's clock: real time plus what the test moved it by.
pub(crate) struct Clock<'a> {
    pub(crate) srv: &'a TestServer,
    pub(crate) offset: i64,
}

impl Clock<'_> {
    pub(crate) fn now(&self) -> i64 {
        unix_now() + self.offset
    }
    pub(crate) fn advance(&mut self, seconds: i64) {
        self.srv
            .server
            .as_ref()
            .unwrap()
            .state
            .advance_clock(seconds);
        self.offset += seconds;
    }
}

/// Turns the one-time-password and recovery-code factors on and the policy
/// to every login.
pub(crate) async fn mfa_on(srv: &TestServer) {
    for f in ["otp", "recovery-code"] {
        let (st, v) = srv
            .api(
                Method::PUT,
                &format!("/guardian/factors/{f}"),
                Some(json!({"enabled": true})),
            )
            .await;
        assert_eq!((st, v), (StatusCode::OK, json!({"enabled": true})));
    }
    let (st, v) = srv
        .api(
            Method::PUT,
            "/guardian/policies",
            Some(json!(["all-applications"])),
        )
        .await;
    assert_eq!((st, v), (StatusCode::OK, json!(["all-applications"])));
}

async fn app(srv: &TestServer) -> (String, String) {
    let (st, c) = srv
        .api(
            Method::POST,
            "/clients",
            Some(json!({"name": "Legacy", "app_type": "regular_web",
                "grant_types": ["password", "refresh_token", MFA_OTP, MFA_OOB, MFA_RECOVERY]})),
        )
        .await;
    assert_eq!(st, StatusCode::CREATED, "{c}");
    (
        c["client_id"].as_str().unwrap().into(),
        c["client_secret"].as_str().unwrap().into(),
    )
}

/// A password grant that must answer `mfa_required`: its `mfa_token` and
/// requirements.
async fn needs_mfa(srv: &TestServer, app: &(String, String), email: &str) -> (String, Value) {
    let (st, t, _) = srv
        .token_form(&[
            ("grant_type", "password"),
            ("client_id", &app.0),
            ("client_secret", &app.1),
            ("username", email),
            ("password", PASSWORD),
            ("scope", "openid email"),
        ])
        .await;
    assert_eq!(st, StatusCode::FORBIDDEN, "{t}");
    assert_eq!(t["error"], "mfa_required");
    assert_eq!(
        t["error_description"],
        "Multifactor authentication required"
    );
    assert!(t.get("access_token").is_none());
    (
        t["mfa_token"].as_str().unwrap().to_string(),
        t["mfa_requirements"].clone(),
    )
}

/// A password login that needs MFA, and an authenticator app enrolled with
/// its `mfa_token`: the token and the app's base32 secret.
async fn enrol_app(srv: &TestServer, app: &(String, String), email: &str) -> (String, String) {
    let (token, _) = needs_mfa(srv, app, email).await;
    let (st, enrolled) = mfa_call(
        srv,
        Method::POST,
        "/mfa/associate",
        &token,
        Some(json!({"authenticator_types": ["otp"]})),
    )
    .await;
    assert_eq!(st, StatusCode::OK, "{enrolled}");
    (token, enrolled["secret"].as_str().unwrap().to_string())
}

async fn mfa_call(
    srv: &TestServer,
    method: Method,
    path: &str,
    bearer: &str,
    body: Option<Value>,
) -> (StatusCode, Value) {
    let mut req = srv
        .http
        .request(method, format!("{}{path}", srv.url))
        .bearer_auth(bearer);
    if let Some(b) = body {
        req = req.json(&b);
    }
    let res = req.send().await.unwrap();
    let st = res.status();
    (st, res.json().await.unwrap_or(Value::Null))
}

/// An MFA grant (`grant` with its proof `field` = `value`) for `mfa_token`.
async fn mfa_grant(
    srv: &TestServer,
    app: &(String, String),
    grant: &str,
    mfa_token: &str,
    proof: (&str, &str),
) -> (StatusCode, Value) {
    let (st, t, _) = srv
        .token_form(&[
            ("grant_type", grant),
            ("client_id", &app.0),
            ("client_secret", &app.1),
            ("mfa_token", mfa_token),
            proof,
        ])
        .await;
    (st, t)
}

async fn otp_grant(
    srv: &TestServer,
    app: &(String, String),
    mfa_token: &str,
    otp: &str,
) -> (StatusCode, Value) {
    mfa_grant(srv, app, MFA_OTP, mfa_token, ("otp", otp)).await
}

async fn recovery_grant(
    srv: &TestServer,
    app: &(String, String),
    mfa_token: &str,
    code: &str,
) -> (StatusCode, Value) {
    mfa_grant(srv, app, MFA_RECOVERY, mfa_token, ("recovery_code", code)).await
}

pub(crate) async fn log_types(srv: &TestServer) -> Vec<String> {
    let (st, logs) = srv.api(Method::GET, "/logs?per_page=100", None).await;
    assert_eq!(st, StatusCode::OK, "{logs}");
    logs.as_array()
        .into_iter()
        .flatten()
        .filter_map(|l| l["type"].as_str().map(str::to_string))
        .collect()
}

/// A wrong code never differs from the right one in one digit only by luck.
pub(crate) fn wrong(code: &str) -> String {
    code.chars()
        .map(|c| char::from(b'0' + ((c as u8 - b'0' + 5) % 10)))
        .collect()
}

/// Auth0's MFA API audience (`https://{domain}/mfa/`): a password grant
/// for it challenges a user who has a factor (whatever the policy) and
/// mints a ten-minute token that lists (`read:authenticators`) and deletes
/// (`remove:authenticators`) the user's own authenticators.
async fn an_mfa_api_token_lists_and_deletes_the_users_authenticators(srv: TestServer) {
    mfa_on(&srv).await;
    let app = app(&srv).await;
    user(&srv, "hal@example.com").await;
    let mut clock = Clock {
        srv: &srv,
        offset: 0,
    };
    let (token, secret) = enrol_app(&srv, &app, "hal@example.com").await;
    let (st, t) = otp_grant(&srv, &app, &token, &totp(&secret, clock.now())).await;
    assert_eq!(st, StatusCode::OK, "{t}");
    // The tenant's policy off: the MFA API still asks for the factor.
    srv.api(Method::PUT, "/guardian/policies", Some(json!([])))
        .await;
    let audience = format!("{}mfa/", srv.issuer);
    let ask = |scope: &'static str| {
        let (srv, app, audience) = (&srv, &app, audience.clone());
        async move {
            srv.token_form(&[
                ("grant_type", "password"),
                ("client_id", &app.0),
                ("client_secret", &app.1),
                ("username", "hal@example.com"),
                ("password", PASSWORD),
                ("audience", &audience),
                ("scope", scope),
            ])
            .await
        }
    };
    let (st, e, _) = ask("read:authenticators").await;
    assert_eq!(st, StatusCode::FORBIDDEN, "{e}");
    assert_eq!(e["error"], "mfa_required");
    // Each code once (RFC 6238 §5.2): the next step for the next grant.
    clock.advance(30);
    let (st, t) = otp_grant(
        &srv,
        &app,
        e["mfa_token"].as_str().unwrap(),
        &totp(&secret, clock.now()),
    )
    .await;
    assert_eq!(st, StatusCode::OK, "{t}");
    assert_eq!(t["expires_in"], 600);
    let read_only = t["access_token"].as_str().unwrap().to_string();
    let claims = verify_with_jwks(&srv, &read_only, &audience).await;
    assert_eq!(claims["scope"], "read:authenticators");
    let (st, list) = mfa_call(&srv, Method::GET, "/mfa/authenticators", &read_only, None).await;
    assert_eq!(st, StatusCode::OK, "{list}");
    let otp_id = list
        .as_array()
        .unwrap()
        .iter()
        .find(|a| a["authenticator_type"] == "otp")
        .map(|a| a["id"].as_str().unwrap().to_string())
        .expect("the app is listed");
    let path = format!(
        "/mfa/authenticators/{}",
        form_urlencoded::byte_serialize(otp_id.as_bytes()).collect::<String>()
    );
    // Deleting needs remove:authenticators; a token for another API is no
    // MFA API token.
    let (st, e) = mfa_call(&srv, Method::DELETE, &path, &read_only, None).await;
    assert_eq!(
        (st, e["error"].as_str()),
        (StatusCode::FORBIDDEN, Some("insufficient_scope"))
    );
    let (st, _) = mfa_call(&srv, Method::DELETE, &path, &srv.admin_token().await, None).await;
    assert_eq!(st, StatusCode::UNAUTHORIZED);
    let (st, e, _) = ask("remove:authenticators").await;
    assert_eq!(st, StatusCode::FORBIDDEN, "{e}");
    clock.advance(30);
    let (st, t) = otp_grant(
        &srv,
        &app,
        e["mfa_token"].as_str().unwrap(),
        &totp(&secret, clock.now()),
    )
    .await;
    assert_eq!(st, StatusCode::OK, "{t}");
    let remover = t["access_token"].as_str().unwrap().to_string();
    let (st, _) = mfa_call(&srv, Method::DELETE, &path, &remover, None).await;
    assert_eq!(st, StatusCode::NO_CONTENT);
    let (st, _) = mfa_call(&srv, Method::DELETE, &path, &remover, None).await;
    assert_eq!(st, StatusCode::NOT_FOUND);
    // No factor left: the next MFA API token is minted without a challenge
    // (so the user can enrol again), as at Auth0.
    let (st, t, _) = ask("enroll").await;
    assert_eq!(st, StatusCode::OK, "{t}");
    assert!(log_types(&srv).await.iter().any(|t| t == "gd_unenroll"));
}

on_both_backends!(
    an_mfa_api_token_lists_and_deletes_the_users_authenticators,
    a_password_login_enrols_an_authenticator_app_and_finishes_with_its_code,
    codes_are_single_use_tokens_single_client_and_guessing_locks_the_factor,
    guardian_settings_and_a_users_methods_in_auth0_shape,
    an_action_asks_for_mfa_and_no_login_skips_it,
    an_email_authenticator_enrols_and_signs_in_with_mailed_codes,
    acr_values_asking_for_mfa_are_never_answered_with_a_password_alone,
);

async fn a_password_login_enrols_an_authenticator_app_and_finishes_with_its_code(srv: TestServer) {
    mfa_on(&srv).await;
    let app = app(&srv).await;
    let uid = user(&srv, "ada@example.com").await;
    let clock = Clock {
        srv: &srv,
        offset: 0,
    };
    let (token, requirements) = needs_mfa(&srv, &app, "ada@example.com").await;
    assert_eq!(requirements, json!({"enroll": [{"type": "otp"}]}));
    let (st, list) = mfa_call(&srv, Method::GET, "/mfa/authenticators", &token, None).await;
    assert_eq!((st, list), (StatusCode::OK, json!([])));
    // Enrol an authenticator app with the mfa_token.
    let (st, enrolled) = mfa_call(
        &srv,
        Method::POST,
        "/mfa/associate",
        &token,
        Some(json!({"client_id": app.0, "authenticator_types": ["otp"]})),
    )
    .await;
    assert_eq!(st, StatusCode::OK, "{enrolled}");
    assert_eq!(enrolled["authenticator_type"], "otp");
    let secret = enrolled["secret"].as_str().unwrap().to_string();
    assert_eq!(secret.len(), 32);
    let uri = enrolled["barcode_uri"].as_str().unwrap();
    assert!(
        uri.starts_with("otpauth://totp/") && uri.contains(&format!("secret={secret}")),
        "{uri}"
    );
    assert!(uri.contains(":ada%40example.com?"), "{uri}");
    let recovery = enrolled["recovery_codes"][0].as_str().unwrap().to_string();
    assert_eq!(recovery.len(), 24);
    // Unconfirmed until its first code.
    let (_, list) = mfa_call(&srv, Method::GET, "/mfa/authenticators", &token, None).await;
    let totp_entry = list
        .as_array()
        .unwrap()
        .iter()
        .find(|a| a["authenticator_type"] == "otp")
        .cloned()
        .unwrap();
    assert_eq!(totp_entry["active"], false);
    assert!(totp_entry["id"].as_str().unwrap().starts_with("totp|dev_"));
    // A wrong code is refused, the right one finishes the login.
    let code = totp(&secret, clock.now());
    let (st, e) = otp_grant(&srv, &app, &token, &wrong(&code)).await;
    assert_eq!(
        (st, e["error"].as_str(), e["error_description"].as_str()),
        (
            StatusCode::FORBIDDEN,
            Some("invalid_grant"),
            Some("Invalid otp_code.")
        )
    );
    let (st, t) = otp_grant(&srv, &app, &token, &code).await;
    assert_eq!(st, StatusCode::OK, "{t}");
    let at = verify_with_jwks(
        &srv,
        t["access_token"].as_str().unwrap(),
        &format!("{}userinfo", srv.issuer),
    )
    .await;
    assert_eq!(at["sub"], uid);
    let idt = verify_with_jwks(&srv, t["id_token"].as_str().unwrap(), &app.0).await;
    assert_eq!(idt["amr"], json!(["mfa"]));
    assert_eq!(idt["email"], "ada@example.com");
    // The next login is challenged, not enrolled again.
    let (token2, requirements) = needs_mfa(&srv, &app, "ada@example.com").await;
    assert_eq!(requirements, json!({"challenge": [{"type": "otp"}]}));
    let (st, again) = mfa_call(
        &srv,
        Method::POST,
        "/mfa/associate",
        &token2,
        Some(json!({"authenticator_types": ["otp"]})),
    )
    .await;
    assert_eq!(
        (st, again["error_description"].as_str()),
        (StatusCode::FORBIDDEN, Some("User is already enrolled."))
    );
    // The challenge endpoint is the one discovery names (Auth0's key).
    let discovery: Value = srv
        .http
        .get(format!("{}/.well-known/openid-configuration", srv.url))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert!(
        discovery["grant_types_supported"]
            .as_array()
            .unwrap()
            .contains(&MFA_OTP.into())
    );
    let challenge = srv
        .http
        .post(discovery["mfa_challenge_endpoint"].as_str().unwrap())
        .json(&json!({"client_id": app.0, "client_secret": app.1, "mfa_token": token2, "challenge_type": "otp"}))
        .send()
        .await
        .unwrap();
    assert_eq!(challenge.status(), StatusCode::OK);
    assert_eq!(
        challenge.json::<Value>().await.unwrap(),
        json!({"challenge_type": "otp"})
    );
    // The recovery code finishes a login too, and is replaced by a new one.
    let (st, t) = recovery_grant(&srv, &app, &token2, &recovery.to_lowercase()).await;
    assert_eq!(st, StatusCode::OK, "{t}");
    let next = t["recovery_code"].as_str().unwrap().to_string();
    assert_eq!(next.len(), 24);
    assert_ne!(next, recovery);
    assert!(t["access_token"].is_string());
    let (token3, _) = needs_mfa(&srv, &app, "ada@example.com").await;
    let (st, e) = recovery_grant(&srv, &app, &token3, &recovery).await;
    assert_eq!(
        (st, e["error_description"].as_str()),
        (StatusCode::FORBIDDEN, Some("MFA Authorization rejected.")),
        "a spent recovery code"
    );
    let (st, _) = recovery_grant(&srv, &app, &token3, &next).await;
    assert_eq!(st, StatusCode::OK);
    let types = log_types(&srv).await;
    for t in [
        "mfar",
        "gd_start_enroll",
        "gd_auth_failed",
        "gd_enrollment_complete",
        "seotpft",
        "gd_recovery_succeed",
        "sercft",
        "gd_recovery_failed",
    ] {
        assert!(types.iter().any(|x| x == t), "{t} not in {types:?}");
    }
}

async fn codes_are_single_use_tokens_single_client_and_guessing_locks_the_factor(srv: TestServer) {
    mfa_on(&srv).await;
    let app = app(&srv).await;
    let other = {
        let (st, c) = srv
            .api(
                Method::POST,
                "/clients",
                Some(json!({"name": "Other", "app_type": "regular_web",
                    "grant_types": ["password", MFA_OTP]})),
            )
            .await;
        assert_eq!(st, StatusCode::CREATED);
        (
            c["client_id"].as_str().unwrap().to_string(),
            c["client_secret"].as_str().unwrap().to_string(),
        )
    };
    user(&srv, "bob@example.com").await;
    let mut clock = Clock {
        srv: &srv,
        offset: 0,
    };
    let (token, secret) = enrol_app(&srv, &app, "bob@example.com").await;
    // Another client cannot use the token.
    let (st, e) = otp_grant(&srv, &other, &token, &totp(&secret, clock.now())).await;
    assert_eq!(
        (st, e["error"].as_str(), e["error_description"].as_str()),
        (
            StatusCode::BAD_REQUEST,
            Some("invalid_request"),
            Some("mfa_token not issued to this client")
        )
    );
    let code = totp(&secret, clock.now());
    let (st, t) = otp_grant(&srv, &app, &token, &code).await;
    assert_eq!(st, StatusCode::OK, "{t}");
    // The token is spent; the same code is spent.
    let (st, e) = otp_grant(&srv, &app, &token, &code).await;
    assert_eq!(
        (st, e["error"].as_str()),
        (StatusCode::FORBIDDEN, Some("invalid_grant"))
    );
    let (token2, _) = needs_mfa(&srv, &app, "bob@example.com").await;
    let (st, e) = otp_grant(&srv, &app, &token2, &code).await;
    assert_eq!(
        (st, e["error_description"].as_str()),
        (StatusCode::FORBIDDEN, Some("Invalid otp_code.")),
        "a replayed code"
    );
    // Forged and expired tokens.
    let (st, e) = otp_grant(&srv, &app, "forged-token", &code).await;
    assert_eq!(
        (st, e["error_description"].as_str()),
        (StatusCode::FORBIDDEN, Some("Malformed mfa_token"))
    );
    clock.advance(601);
    let (st, e) = otp_grant(&srv, &app, &token2, &totp(&secret, clock.now())).await;
    assert_eq!(
        (st, e["error"].as_str(), e["error_description"].as_str()),
        (
            StatusCode::FORBIDDEN,
            Some("expired_token"),
            Some("mfa_token is expired")
        )
    );
    // Guessing: ten wrong codes lock the factor, even for the right code,
    // until the window ends.
    let (token3, _) = needs_mfa(&srv, &app, "bob@example.com").await;
    let right = totp(&secret, clock.now());
    // (The replayed code above was the first wrong one of this window.)
    for _ in 0..9 {
        let (st, _) = otp_grant(&srv, &app, &token3, &wrong(&right)).await;
        assert_eq!(st, StatusCode::FORBIDDEN);
    }
    let (st, e) = otp_grant(&srv, &app, &token3, &right).await;
    assert_eq!(
        (st, e["error_description"].as_str()),
        (
            StatusCode::TOO_MANY_REQUESTS,
            Some("Too many failed codes. Wait for some minutes before retrying.")
        )
    );
    assert!(
        log_types(&srv)
            .await
            .iter()
            .any(|t| t == "gd_otp_rate_limit_exceed")
    );
    clock.advance(15 * 60);
    let (token4, _) = needs_mfa(&srv, &app, "bob@example.com").await;
    let (st, t) = otp_grant(&srv, &app, &token4, &totp(&secret, clock.now())).await;
    assert_eq!(st, StatusCode::OK, "after the window: {t}");
}

async fn guardian_settings_and_a_users_methods_in_auth0_shape(srv: TestServer) {
    let (st, factors) = srv.api(Method::GET, "/guardian/factors", None).await;
    assert_eq!(st, StatusCode::OK);
    assert_eq!(factors.as_array().unwrap().len(), 8);
    assert_eq!(
        factors[0],
        json!({"name": "sms", "enabled": false, "trial_expired": false})
    );
    // No policy while no factor is on: a password login is not stopped.
    let app = app(&srv).await;
    let uid = user(&srv, "cy@example.com").await;
    let (st, p) = srv
        .api(
            Method::PUT,
            "/guardian/policies",
            Some(json!(["all-applications"])),
        )
        .await;
    assert_eq!(st, StatusCode::OK, "{p}");
    let (st, _, _) = srv
        .token_form(&[
            ("grant_type", "password"),
            ("client_id", &app.0),
            ("client_secret", &app.1),
            ("username", "cy@example.com"),
            ("password", PASSWORD),
        ])
        .await;
    assert_eq!(st, StatusCode::OK, "no factor on: nothing to ask for");
    // Factors Portcullis does not have are refused on, accepted off.
    for (path, body, want) in [
        (
            "/guardian/factors/sms",
            json!({"enabled": true}),
            StatusCode::BAD_REQUEST,
        ),
        (
            "/guardian/factors/sms",
            json!({"enabled": false}),
            StatusCode::OK,
        ),
        (
            "/guardian/factors/nope",
            json!({"enabled": true}),
            StatusCode::BAD_REQUEST,
        ),
        (
            "/guardian/factors/otp",
            json!({"enabled": "yes"}),
            StatusCode::BAD_REQUEST,
        ),
    ] {
        let (st, v) = srv.api(Method::PUT, path, Some(body.clone())).await;
        assert_eq!(st, want, "{path} {body}: {v}");
    }
    let (st, _) = srv
        .api(
            Method::PUT,
            "/guardian/policies",
            Some(json!(["confidence-score"])),
        )
        .await;
    assert_eq!(st, StatusCode::BAD_REQUEST);
    let (_, p) = srv.api(Method::GET, "/guardian/policies", None).await;
    assert_eq!(
        p,
        json!(["all-applications"]),
        "a refused write changed nothing"
    );
    mfa_on(&srv).await;
    let clock = Clock {
        srv: &srv,
        offset: 0,
    };
    let (token, secret) = enrol_app(&srv, &app, "cy@example.com").await;
    let (st, _) = otp_grant(&srv, &app, &token, &totp(&secret, clock.now())).await;
    assert_eq!(st, StatusCode::OK);
    let enc = uid.replace('|', "%7C");
    let (st, methods) = srv
        .api(
            Method::GET,
            &format!("/users/{enc}/authentication-methods"),
            None,
        )
        .await;
    assert_eq!(st, StatusCode::OK, "{methods}");
    let mut kinds: Vec<(&str, bool)> = methods
        .as_array()
        .unwrap()
        .iter()
        .map(|m| {
            (
                m["type"].as_str().unwrap(),
                m["confirmed"].as_bool().unwrap(),
            )
        })
        .collect();
    kinds.sort();
    assert_eq!(kinds, [("recovery-code", true), ("totp", true)]);
    let (_, paged) = srv
        .api(
            Method::GET,
            &format!("/users/{enc}/authentication-methods?include_totals=true&per_page=1"),
            None,
        )
        .await;
    assert_eq!(paged["total"], 2);
    assert_eq!(paged["authenticators"].as_array().unwrap().len(), 1);
    let (_, enrollments) = srv
        .api(Method::GET, &format!("/users/{enc}/enrollments"), None)
        .await;
    let enrollment = enrollments[0].clone();
    assert_eq!(enrollment["status"], "confirmed");
    let eid = enrollment["id"].as_str().unwrap().replace('|', "%7C");
    let (st, got) = srv
        .api(Method::GET, &format!("/guardian/enrollments/{eid}"), None)
        .await;
    assert_eq!(st, StatusCode::OK, "{got}");
    let (st, regenerated) = srv
        .api(
            Method::POST,
            &format!("/users/{enc}/recovery-code-regeneration"),
            None,
        )
        .await;
    assert_eq!(st, StatusCode::OK, "{regenerated}");
    let code = regenerated["recovery_code"].as_str().unwrap().to_string();
    let (token2, _) = needs_mfa(&srv, &app, "cy@example.com").await;
    let (st, _) = recovery_grant(&srv, &app, &token2, &code).await;
    assert_eq!(st, StatusCode::OK, "the regenerated code works");
    // An administrator removes the app: the next login enrols again.
    let (st, _) = srv
        .api(
            Method::DELETE,
            &format!("/guardian/enrollments/{eid}"),
            None,
        )
        .await;
    assert_eq!(st, StatusCode::NO_CONTENT);
    let (st, _) = srv
        .api(Method::GET, &format!("/guardian/enrollments/{eid}"), None)
        .await;
    assert_eq!(st, StatusCode::NOT_FOUND);
    let (_, methods) = srv
        .api(
            Method::GET,
            &format!("/users/{enc}/authentication-methods"),
            None,
        )
        .await;
    assert_eq!(
        methods,
        json!([]),
        "the recovery code goes with the last factor"
    );
    let (_, requirements) = needs_mfa(&srv, &app, "cy@example.com").await;
    assert_eq!(requirements, json!({"enroll": [{"type": "otp"}]}));
    assert!(log_types(&srv).await.iter().any(|t| t == "gd_unenroll"));
    let (st, _) = srv
        .api(
            Method::POST,
            "/users/auth0%7Cnobody/multifactor/actions/invalidate-remember-browser",
            None,
        )
        .await;
    assert_eq!(st, StatusCode::NOT_FOUND);
    let (st, _) = srv
        .api(
            Method::POST,
            &format!("/users/{enc}/multifactor/actions/invalidate-remember-browser"),
            None,
        )
        .await;
    assert_eq!(st, StatusCode::NO_CONTENT);
}

/// A post-login Action's `api.multifactor.enable`: the password grant asks
/// for the second factor; with no factor on, the login is refused (the
/// hosted login too, with an error redirect); with one on, the hosted login
/// goes to the MFA pages.
async fn an_action_asks_for_mfa_and_no_login_skips_it(srv: TestServer) {
    let app = app(&srv).await;
    user(&srv, "dee@example.com").await;
    // A refresh token from before the Action asked for MFA.
    let (st, first, _) = srv
        .token_form(&[
            ("grant_type", "password"),
            ("client_id", app.0.as_str()),
            ("client_secret", app.1.as_str()),
            ("username", "dee@example.com"),
            ("password", PASSWORD),
            ("scope", "openid offline_access"),
        ])
        .await;
    assert_eq!(st, StatusCode::OK, "{first}");
    let refresh_token = first["refresh_token"].as_str().unwrap().to_string();
    let action = crate::rules_and_actions::deployed_action(
        &srv,
        "mfa",
        "post-login",
        "exports.onExecutePostLogin = async (event, api) => { api.multifactor.enable('any'); };",
    )
    .await;
    crate::rules_and_actions::bind(&srv, "post-login", &[&action]).await;
    let password = [
        ("grant_type", "password"),
        ("client_id", app.0.as_str()),
        ("client_secret", app.1.as_str()),
        ("username", "dee@example.com"),
        ("password", PASSWORD),
    ];
    // A refresh cannot ask for the second factor: refused, as Auth0 does
    // (its SDKs then send the user to /authorize).
    let (st, e, _) = srv
        .token_form(&[
            ("grant_type", "refresh_token"),
            ("client_id", app.0.as_str()),
            ("client_secret", app.1.as_str()),
            ("refresh_token", &refresh_token),
        ])
        .await;
    assert_eq!(
        (st, e["error"].as_str(), e["error_description"].as_str()),
        (
            StatusCode::FORBIDDEN,
            Some("mfa_required"),
            Some("Multifactor authentication required")
        )
    );
    assert!(e.get("access_token").is_none());
    // No factor on: refused, never issued.
    let (st, e, _) = srv.token_form(&password).await;
    assert_eq!(
        (st, e["error"].as_str()),
        (StatusCode::FORBIDDEN, Some("invalid_grant")),
        "{e}"
    );
    assert!(e.get("access_token").is_none());
    let spa = crate::browser::spa(&srv, json!({})).await;
    let mut b = crate::browser::Browser::new(&srv);
    let to = b
        .authorize(&crate::browser::code_params(&spa, &[("scope", "openid")]))
        .await;
    let back = b.submit_login(&to, "dee@example.com", PASSWORD).await;
    let params = back.redirect_params();
    assert_eq!(
        params.get("error").map(String::as_str),
        Some("access_denied"),
        "{params:?}"
    );
    assert!(!params.contains_key("code"));
    // The factor on (and no tenant policy): the Action alone makes the
    // password grant ask for it.
    for f in ["otp", "recovery-code"] {
        srv.api(
            Method::PUT,
            &format!("/guardian/factors/{f}"),
            Some(json!({"enabled": true})),
        )
        .await;
    }
    let (token, _) = needs_mfa(&srv, &app, "dee@example.com").await;
    assert!(!token.is_empty());
    // The hosted login sends the person to the MFA pages, never to the
    // application.
    let mut b = crate::browser::Browser::new(&srv);
    let to = b
        .authorize(&crate::browser::code_params(&spa, &[("scope", "openid")]))
        .await;
    let back = b.submit_login(&to, "dee@example.com", PASSWORD).await;
    let at = back.location.clone().unwrap_or_default();
    assert!(at.contains("/u/mfa?state="), "{at}");
    assert!(!at.contains("code="), "{at}");
}

/// The six-digit code of the MFA mail in the outbox that is not one of
/// `seen` (there are `mails` mails).
pub(crate) async fn mailed_code(srv: &TestServer, mails: usize, seen: &[&str]) -> String {
    let all = crate::dbconnections::outbox_with(srv, mails).await;
    assert_eq!(all.len(), mails, "{all:#?}");
    let marker = "Your verification code is ";
    let mut found = std::collections::BTreeSet::new();
    for m in &all {
        for (at, _) in m.match_indices(marker) {
            found.insert(m[at + marker.len()..at + marker.len() + 6].to_string());
        }
    }
    let fresh: Vec<String> = found
        .into_iter()
        .filter(|c| !seen.contains(&c.as_str()))
        .collect();
    assert_eq!(fresh.len(), 1, "{fresh:?} in {all:#?}");
    fresh[0].clone()
}

/// E-mailed one-time codes (Auth0's `oob` authenticator on the `email`
/// channel): enrolled with the mfa_token, confirmed by the code, challenged
/// on the next login; wrong, expired and foreign codes refused.
async fn an_email_authenticator_enrols_and_signs_in_with_mailed_codes(srv: TestServer) {
    for f in ["email", "recovery-code"] {
        srv.api(
            Method::PUT,
            &format!("/guardian/factors/{f}"),
            Some(json!({"enabled": true})),
        )
        .await;
    }
    srv.api(
        Method::PUT,
        "/guardian/policies",
        Some(json!(["all-applications"])),
    )
    .await;
    let app = app(&srv).await;
    user(&srv, "eve@example.com").await;
    let mut clock = Clock {
        srv: &srv,
        offset: 0,
    };
    let (token, requirements) = needs_mfa(&srv, &app, "eve@example.com").await;
    assert_eq!(requirements, json!({"enroll": [{"type": "email"}]}));
    // Only the user's own address.
    let (st, e) = mfa_call(
        &srv,
        Method::POST,
        "/mfa/associate",
        &token,
        Some(json!({"authenticator_types": ["oob"], "oob_channels": ["email"], "email": "mallory@example.com"})),
    )
    .await;
    assert_eq!(st, StatusCode::BAD_REQUEST, "{e}");
    let (st, enrolled) = mfa_call(
        &srv,
        Method::POST,
        "/mfa/associate",
        &token,
        Some(json!({"authenticator_types": ["oob"], "oob_channels": ["email"]})),
    )
    .await;
    assert_eq!(st, StatusCode::OK, "{enrolled}");
    assert_eq!(enrolled["authenticator_type"], "oob");
    assert_eq!(enrolled["oob_channel"], "email");
    assert_eq!(enrolled["binding_method"], "prompt");
    assert_eq!(enrolled["recovery_codes"].as_array().unwrap().len(), 1);
    let oob = enrolled["oob_code"].as_str().unwrap().to_string();
    let code = mailed_code(&srv, 1, &[]).await;
    let oob_grant = |token: String, oob: String, code: String| {
        let (srv, app) = (&srv, &app);
        async move {
            let (st, t, _) = srv
                .token_form(&[
                    ("grant_type", MFA_OOB),
                    ("client_id", &app.0),
                    ("client_secret", &app.1),
                    ("mfa_token", &token),
                    ("oob_code", &oob),
                    ("binding_code", &code),
                ])
                .await;
            (st, t)
        }
    };
    let (st, e) = oob_grant(token.clone(), oob.clone(), wrong(&code)).await;
    assert_eq!(
        (st, e["error_description"].as_str()),
        (StatusCode::FORBIDDEN, Some("Invalid binding_code."))
    );
    let (st, t) = oob_grant(token.clone(), oob.clone(), code.clone()).await;
    assert_eq!(st, StatusCode::OK, "{t}");
    let idt = verify_with_jwks(&srv, t["id_token"].as_str().unwrap(), &app.0).await;
    assert_eq!(idt["amr"], json!(["mfa"]));
    // The next login is challenged by a new mail.
    let (token2, requirements) = needs_mfa(&srv, &app, "eve@example.com").await;
    assert_eq!(requirements, json!({"challenge": [{"type": "email"}]}));
    let (_, list) = mfa_call(&srv, Method::GET, "/mfa/authenticators", &token2, None).await;
    let email_entry = list
        .as_array()
        .unwrap()
        .iter()
        .find(|a| a["authenticator_type"] == "oob")
        .cloned()
        .unwrap();
    assert_eq!(email_entry["oob_channel"], "email");
    assert_eq!(email_entry["name"], "eve****@exam*******");
    assert_eq!(email_entry["active"], true);
    let challenged: Value = srv
        .http
        .post(format!("{}/mfa/challenge", srv.url))
        .json(&json!({"client_id": app.0, "client_secret": app.1, "mfa_token": token2}))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(challenged["challenge_type"], "oob", "{challenged}");
    let oob2 = challenged["oob_code"].as_str().unwrap().to_string();
    let code2 = mailed_code(&srv, 2, &[&code]).await;
    // The first challenge's code is spent; this one is good once.
    let (st, _) = oob_grant(token2.clone(), oob.clone(), code.clone()).await;
    assert_eq!(st, StatusCode::FORBIDDEN);
    // Expired after five minutes.
    clock.advance(301);
    let (st, e) = oob_grant(token2.clone(), oob2.clone(), code2.clone()).await;
    assert_eq!(
        (st, e["error"].as_str(), e["error_description"].as_str()),
        (
            StatusCode::FORBIDDEN,
            Some("expired_token"),
            Some("oob_code is expired")
        )
    );
    let types = log_types(&srv).await;
    for t in [
        "gd_send_email",
        "seoobft",
        "feoobft",
        "gd_enrollment_complete",
    ] {
        assert!(types.iter().any(|x| x == t), "{t} not in {types:?}");
    }
}

/// `acr_values=http://schemas.openid.net/pape/policies/2007/06/multi-factor`
/// asks for a second factor on that login (Auth0's rule): refused while no
/// factor is on, sent to the MFA pages once one is, never answered with a
/// code on the password alone; without the value, the same login goes
/// through.
async fn acr_values_asking_for_mfa_are_never_answered_with_a_password_alone(srv: TestServer) {
    user(&srv, "fay@example.com").await;
    let spa = crate::browser::spa(&srv, json!({})).await;
    let login = |acr: bool| {
        let (srv, spa) = (&srv, spa.clone());
        async move {
            let mut params = vec![("scope", "openid")];
            if acr {
                params.push((
                    "acr_values",
                    "http://schemas.openid.net/pape/policies/2007/06/multi-factor",
                ));
            }
            let mut b = crate::browser::Browser::new(srv);
            let to = b
                .authorize(&crate::browser::code_params(&spa, &params))
                .await;
            let back = b.submit_login(&to, "fay@example.com", PASSWORD).await;
            if back
                .location
                .as_deref()
                .is_some_and(|l| l.contains("/u/mfa?state="))
            {
                return [("mfa".to_string(), String::new())].into_iter().collect();
            }
            back.redirect_params()
        }
    };
    let plain = login(false).await;
    assert!(plain.contains_key("code"), "{plain:?}");
    let asked = login(true).await;
    assert_eq!(
        asked.get("error").map(String::as_str),
        Some("access_denied"),
        "{asked:?}"
    );
    assert!(
        asked["error_description"].contains("no factor it may use is enabled"),
        "{asked:?}"
    );
    srv.api(
        Method::PUT,
        "/guardian/factors/otp",
        Some(json!({"enabled": true})),
    )
    .await;
    // With a factor on, the hosted login asks for it (the MFA pages).
    let asked = login(true).await;
    assert!(asked.contains_key("mfa"), "{asked:?}");
    assert!(!asked.contains_key("code"));
    let plain = login(false).await;
    assert!(plain.contains_key("code"), "no policy: {plain:?}");
}
