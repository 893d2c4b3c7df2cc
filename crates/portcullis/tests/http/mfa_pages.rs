//! The hosted MFA pages (`/u/mfa`) over HTTP: a browser login that needs a
//! second factor enrols an authenticator app (QR code and key), shows the
//! recovery code once, and answers the application only after a good code;
//! later logins ask for the factor, offer the others ("try another method"),
//! skip it in the same session or on a remembered browser, and never on
//! `prompt=none`. Codes are computed in the test from the key the page
//! shows (`mfa::totp`).

use base64::Engine as _;
use reqwest::{Method, StatusCode};
use serde_json::json;

use crate::browser::{Browser, PASSWORD, Page, code_params, exchange, spa, user};
use crate::mfa::{Clock, log_types, mailed_code, mfa_on, totp, wrong};
use crate::prompts::catalogue;
use crate::support::{TestServer, on_both_backends, verify_with_jwks};

/// Authorizes with `extra`, signs in with the password and follows the
/// redirect to the MFA page.
async fn to_mfa(b: &mut Browser, client: &str, email: &str, extra: &[(&str, &str)]) -> Page {
    let to = b.authorize(&code_params(client, extra)).await;
    let back = b.submit_login(&to, email, PASSWORD).await;
    assert_eq!(back.status, StatusCode::FOUND, "{}", back.body);
    let at = back.location.clone().unwrap();
    assert!(at.contains("/u/mfa?state="), "{at}");
    let page = b.get(&at).await;
    assert_eq!(page.status, StatusCode::OK, "{}", page.body);
    page
}

/// The text of the element with id `id` (a `<code>` on these pages).
fn code_text(page: &Page, id: &str) -> String {
    let marker = format!("id=\"{id}\">");
    let start = page
        .body
        .find(&marker)
        .unwrap_or_else(|| panic!("no #{id} in {}", page.body))
        + marker.len();
    let end = page.body[start..].find('<').unwrap() + start;
    page.body[start..end].to_string()
}

/// Types `code` for `method` on `page` (checking "remember this browser"
/// when `remember`).
async fn submit(b: &mut Browser, page: &Page, method: &str, code: &str, remember: bool) -> Page {
    let (state, csrf) = (page.input("state"), page.input("csrf"));
    let mut form = vec![
        ("state", state.as_str()),
        ("csrf", csrf.as_str()),
        ("method", method),
        ("code", code),
    ];
    let oob = page
        .body
        .contains("name=\"oob_code\"")
        .then(|| page.input("oob_code"));
    if let Some(o) = &oob {
        form.push(("oob_code", o));
    }
    if remember {
        form.push(("remember", "on"));
    }
    b.post_form("/u/mfa", &form).await
}

/// "I have safely recorded this code" and Continue.
async fn continue_from(b: &mut Browser, page: &Page) -> Page {
    let (state, csrf) = (page.input("state"), page.input("csrf"));
    b.post_form(
        "/u/mfa/continue",
        &[("state", &state), ("csrf", &csrf), ("saved", "on")],
    )
    .await
}

/// The code of a redirect back to the application, exchanged: the ID
/// token's claims.
async fn id_token_of(srv: &TestServer, client: &str, back: &Page) -> serde_json::Value {
    let params = back.redirect_params();
    let code = params
        .get("code")
        .unwrap_or_else(|| panic!("no code: {params:?} {}", back.body));
    let (st, t) = exchange(srv, client, code).await;
    assert_eq!(st, StatusCode::OK, "{t}");
    verify_with_jwks(srv, t["id_token"].as_str().unwrap(), client).await
}

/// A fresh login of the same browser (its session cookie dropped, as after
/// the session ends).
fn without_session(b: &mut Browser) {
    b.jar.remove("portcullis_session");
}

async fn hosted_pages_enrol_an_authenticator_app_then_ask_for_it_or_the_recovery_code(
    srv: TestServer,
) {
    mfa_on(&srv).await;
    user(&srv, "ann@example.com").await;
    let client = spa(&srv, json!({})).await;
    let mut clock = Clock {
        srv: &srv,
        offset: 0,
    };
    let mut b = Browser::new(&srv);
    let page = to_mfa(&mut b, &client, "ann@example.com", &[]).await;
    assert!(page.body.contains("Secure your account"), "{}", page.body);
    // The QR code is an SVG image drawn by the server; the key beside it
    // is what an app that cannot scan is given.
    // (The template escapes `/` in attributes as `&#x2f;`, as HTML allows.)
    let body = page.body.replace("&#x2f;", "/");
    let marker = "src=\"data:image/svg+xml;base64,";
    let at = body.find(marker).expect("a QR code") + marker.len();
    let b64 = &body[at..at + body[at..].find('"').unwrap()];
    let svg = base64::engine::general_purpose::STANDARD
        .decode(b64)
        .unwrap();
    assert!(String::from_utf8_lossy(&svg).contains("<svg"));
    let secret = code_text(&page, "totp-secret").replace(' ', "");
    assert_eq!(secret.len(), 32, "{secret}");
    // The step is this browser's: it is no mfa_token of the MFA API.
    let (st, _) = srv
        .http
        .post(format!("{}/mfa/associate", srv.url))
        .bearer_auth(format!("hosted-mfa:{}", page.input("state")))
        .json(&json!({"authenticator_types": ["otp"]}))
        .send()
        .await
        .map(|r| (r.status(), ()))
        .unwrap();
    assert_eq!(st, StatusCode::UNAUTHORIZED);
    assert!(page.body.contains("Remember this browser for 30 days"));
    // A wrong code: the same page again, the login not answered.
    let good = totp(&secret, clock.now());
    let refused = submit(&mut b, &page, "totp", &wrong(&good), false).await;
    assert_eq!(refused.status, StatusCode::BAD_REQUEST, "{}", refused.body);
    assert!(refused.body.contains("That code is not right"));
    assert!(refused.location.is_none());
    assert_eq!(code_text(&refused, "totp-secret").replace(' ', ""), secret);
    // The right one: the recovery code, shown once, then the application.
    let saved = submit(&mut b, &refused, "totp", &good, false).await;
    assert_eq!(saved.status, StatusCode::OK, "{}", saved.body);
    let recovery = code_text(&saved, "recovery-code");
    assert_eq!(recovery.len(), 24, "{recovery}");
    let back = continue_from(&mut b, &saved).await;
    let claims = id_token_of(&srv, &client, &back).await;
    assert_eq!(claims["amr"], json!(["mfa"]), "{claims}");
    // The step answers once.
    let again = continue_from(&mut b, &saved).await;
    assert_eq!(again.status, StatusCode::BAD_REQUEST, "{}", again.body);
    assert!(again.location.is_none());
    // Single sign-on in the same session: not asked again.
    let sso = b.authorize(&code_params(&client, &[])).await;
    let claims = id_token_of(&srv, &client, &sso).await;
    assert_eq!(claims["amr"], json!(["mfa"]));

    // Another browser: asked for the app's code, with the recovery code as
    // the other method.
    let mut b2 = Browser::new(&srv);
    let page = to_mfa(&mut b2, &client, "ann@example.com", &[]).await;
    assert!(page.body.contains("Verify your identity"), "{}", page.body);
    assert!(
        !page.body.contains("data:image/svg+xml"),
        "no second QR code"
    );
    assert!(page.body.contains("Try another method"));
    assert!(page.body.contains("method=recovery-code"));
    let other = b2
        .get(&format!(
            "/u/mfa?state={}&method=recovery-code",
            page.input("state")
        ))
        .await;
    assert!(other.body.contains("Recovery code"), "{}", other.body);
    let saved = submit(&mut b2, &other, "recovery-code", &recovery, false).await;
    assert_eq!(saved.status, StatusCode::OK, "{}", saved.body);
    let next = code_text(&saved, "recovery-code");
    assert_ne!(next, recovery, "a used recovery code is replaced");
    let back = continue_from(&mut b2, &saved).await;
    assert!(back.redirect_params().contains_key("code"));

    // The spent recovery code is refused; the app's next code works.
    let mut b3 = Browser::new(&srv);
    let page = to_mfa(&mut b3, &client, "ann@example.com", &[]).await;
    let refused = submit(&mut b3, &page, "recovery-code", &recovery, false).await;
    assert_eq!(refused.status, StatusCode::BAD_REQUEST, "{}", refused.body);
    assert!(refused.body.contains("That recovery code is not right"));
    // The code already used is refused too (RFC 6238 §5.2: once).
    let replayed = submit(&mut b3, &refused, "totp", &good, false).await;
    assert_eq!(replayed.status, StatusCode::BAD_REQUEST);
    clock.advance(30);
    let back = submit(
        &mut b3,
        &replayed,
        "totp",
        &totp(&secret, clock.now()),
        false,
    )
    .await;
    assert!(back.redirect_params().contains_key("code"), "{}", back.body);

    // A login whose second factor was never given: prompt=none cannot
    // show the page.
    let mut b4 = Browser::new(&srv);
    to_mfa(&mut b4, &client, "ann@example.com", &[]).await;
    let silent = b4
        .authorize(&code_params(&client, &[("prompt", "none")]))
        .await;
    let params = silent.redirect_params();
    assert_eq!(
        params.get("error").map(String::as_str),
        Some("interaction_required"),
        "{params:?}"
    );
    assert!(!params.contains_key("code"));
    let types = log_types(&srv).await;
    for t in [
        "mfar",
        "gd_start_enroll",
        "gd_enrollment_complete",
        "gd_auth_succeed",
        "gd_recovery_succeed",
        "gd_recovery_failed",
        "gd_auth_failed",
    ] {
        assert!(types.iter().any(|x| x == t), "{t} not in {types:?}");
    }
}

/// "Remember this browser": the next login of that browser skips the
/// second factor, never a step-up asked by `acr_values`, and no longer once
/// an administrator invalidates it.
async fn a_remembered_browser_skips_the_second_factor_until_invalidated(srv: TestServer) {
    mfa_on(&srv).await;
    let user_id = user(&srv, "bo@example.com").await;
    let client = spa(&srv, json!({})).await;
    let clock = Clock {
        srv: &srv,
        offset: 0,
    };
    let mut b = Browser::new(&srv);
    let page = to_mfa(&mut b, &client, "bo@example.com", &[]).await;
    let secret = code_text(&page, "totp-secret").replace(' ', "");
    let saved = submit(&mut b, &page, "totp", &totp(&secret, clock.now()), true).await;
    let cookie = saved
        .headers
        .get_all("set-cookie")
        .iter()
        .filter_map(|v| v.to_str().ok())
        .find(|c| c.starts_with("portcullis_mfa_rb="))
        .expect("the browser is remembered")
        .to_string();
    assert!(cookie.contains("HttpOnly"), "{cookie}");
    assert!(
        cookie.contains(&format!("Max-Age={}", 30 * 24 * 3600)),
        "{cookie}"
    );
    let back = continue_from(&mut b, &saved).await;
    assert!(back.redirect_params().contains_key("code"));

    without_session(&mut b);
    let to = b.authorize(&code_params(&client, &[])).await;
    let back = b.submit_login(&to, "bo@example.com", PASSWORD).await;
    let claims = id_token_of(&srv, &client, &back).await;
    assert_eq!(claims["amr"], json!(["mfa"]), "remembered: {claims}");

    // A step-up asks even on a remembered browser.
    without_session(&mut b);
    let acr = [(
        "acr_values",
        "http://schemas.openid.net/pape/policies/2007/06/multi-factor",
    )];
    let page = to_mfa(&mut b, &client, "bo@example.com", &acr).await;
    assert!(!page.body.contains("Remember this browser"));

    let enc = urlencoding(&user_id);
    let (st, _) = srv
        .api(
            Method::POST,
            &format!("/users/{enc}/multifactor/actions/invalidate-remember-browser"),
            None,
        )
        .await;
    assert_eq!(st, StatusCode::NO_CONTENT);
    without_session(&mut b);
    to_mfa(&mut b, &client, "bo@example.com", &[]).await;
}

fn urlencoding(s: &str) -> String {
    form_urlencoded::byte_serialize(s.as_bytes()).collect()
}

/// With two factors on, the person chooses; e-mailed codes enrol through
/// the pages; guessing locks the factor (the right code then refused too).
async fn the_person_chooses_email_codes_and_guessing_locks_them(srv: TestServer) {
    for f in ["otp", "email", "recovery-code"] {
        let (st, _) = srv
            .api(
                Method::PUT,
                &format!("/guardian/factors/{f}"),
                Some(json!({"enabled": true})),
            )
            .await;
        assert_eq!(st, StatusCode::OK);
    }
    srv.api(
        Method::PUT,
        "/guardian/policies",
        Some(json!(["all-applications"])),
    )
    .await;
    user(&srv, "cy@example.com").await;
    let client = spa(&srv, json!({})).await;
    let mut b = Browser::new(&srv);
    let choose = to_mfa(&mut b, &client, "cy@example.com", &[]).await;
    assert!(choose.body.contains("enroll=otp"), "{}", choose.body);
    assert!(choose.body.contains("enroll=email"));
    let state = {
        let at = choose.body.find("state=").unwrap() + 6;
        choose.body[at..at + choose.body[at..].find('&').unwrap()].to_string()
    };
    let page = b.get(&format!("/u/mfa?state={state}&enroll=email")).await;
    assert_eq!(page.status, StatusCode::OK, "{}", page.body);
    assert!(
        page.body.contains("cy****@exam*******"),
        "masked address: {}",
        page.body
    );
    let code = mailed_code(&srv, 1, &[]).await;
    let saved = submit(&mut b, &page, "email", &code, false).await;
    assert_eq!(saved.status, StatusCode::OK, "{}", saved.body);
    code_text(&saved, "recovery-code");
    let back = continue_from(&mut b, &saved).await;
    assert!(back.redirect_params().contains_key("code"));

    // The next login mails a code; ten wrong ones lock the factor.
    let mut b2 = Browser::new(&srv);
    let mut page = to_mfa(&mut b2, &client, "cy@example.com", &[]).await;
    let code = mailed_code(&srv, 2, &[&code]).await;
    for _ in 0..10 {
        page = submit(&mut b2, &page, "email", &wrong(&code), false).await;
        assert_eq!(page.status, StatusCode::BAD_REQUEST, "{}", page.body);
    }
    let locked = submit(&mut b2, &page, "email", &code, false).await;
    assert_eq!(
        locked.status,
        StatusCode::TOO_MANY_REQUESTS,
        "{}",
        locked.body
    );
    assert!(locked.body.contains("Too many wrong codes"));
    assert!(locked.location.is_none());
    let types = log_types(&srv).await;
    assert!(
        types.iter().any(|t| t == "gd_otp_rate_limit_exceed"),
        "{types:?}"
    );
}

/// An Action naming one factor (`api.multifactor.enable("otp")`) without
/// `allowRememberBrowser`: that factor is enrolled straight away (no
/// choice), and no "remember this browser".
async fn an_action_names_the_factor_and_forbids_remembering(srv: TestServer) {
    for f in ["otp", "email"] {
        srv.api(
            Method::PUT,
            &format!("/guardian/factors/{f}"),
            Some(json!({"enabled": true})),
        )
        .await;
    }
    let action = crate::rules_and_actions::deployed_action(
        &srv,
        "mfa-otp",
        "post-login",
        "exports.onExecutePostLogin = async (event, api) => { api.multifactor.enable('otp'); };",
    )
    .await;
    crate::rules_and_actions::bind(&srv, "post-login", &[&action]).await;
    user(&srv, "di@example.com").await;
    let client = spa(&srv, json!({})).await;
    let mut b = Browser::new(&srv);
    let page = to_mfa(&mut b, &client, "di@example.com", &[]).await;
    assert!(page.body.contains("id=\"totp-secret\""), "{}", page.body);
    assert!(!page.body.contains("enroll=email"));
    assert!(!page.body.contains("Remember this browser"));
    // Typing a code for the other factor is refused.
    let other = submit(&mut b, &page, "email", "123456", false).await;
    assert_eq!(other.status, StatusCode::BAD_REQUEST);
    assert!(other.location.is_none());
}

/// Turns on `factors` (and no tenant policy).
async fn factors_on(srv: &TestServer, factors: &[&str]) {
    for f in factors {
        let (st, v) = srv
            .api(
                Method::PUT,
                &format!("/guardian/factors/{f}"),
                Some(json!({"enabled": true})),
            )
            .await;
        assert_eq!(st, StatusCode::OK, "{v}");
    }
}

/// Auth0's `api.authentication.challengeWith({type: "otp"})` asks for that
/// factor; the Action sees `mfa` in `event.authentication.methods` once the
/// session passed it (and then asks nothing).
async fn an_action_challenges_with_a_factor_and_sees_mfa_in_the_methods(srv: TestServer) {
    factors_on(&srv, &["otp", "email"]).await;
    let action = crate::rules_and_actions::deployed_action(
        &srv,
        "step-up",
        "post-login",
        "exports.onExecutePostLogin = async (event, api) => {
           const done = (event.authentication.methods || []).some((m) => m.name === 'mfa' && m.timestamp);
           api.idToken.setCustomClaim('https://example.com/mfa_seen', done);
           if (!done) api.authentication.challengeWith({ type: 'otp' });
         };",
    )
    .await;
    crate::rules_and_actions::bind(&srv, "post-login", &[&action]).await;
    user(&srv, "eli@example.com").await;
    let client = spa(&srv, json!({})).await;
    let clock = Clock {
        srv: &srv,
        offset: 0,
    };
    let mut b = Browser::new(&srv);
    let page = to_mfa(&mut b, &client, "eli@example.com", &[]).await;
    // Only the factor named: straight to the app enrolment, no choice.
    assert!(page.body.contains("id=\"totp-secret\""), "{}", page.body);
    assert!(!page.body.contains("enroll=email"));
    let secret = code_text(&page, "totp-secret").replace(' ', "");
    let back = submit(&mut b, &page, "totp", &totp(&secret, clock.now()), false).await;
    let claims = id_token_of(&srv, &client, &back).await;
    assert_eq!(claims["https://example.com/mfa_seen"], false);
    assert_eq!(claims["amr"], json!(["mfa"]));
    // Single sign-on: the Action sees the second factor and asks nothing.
    let sso = b.authorize(&code_params(&client, &[])).await;
    let claims = id_token_of(&srv, &client, &sso).await;
    assert_eq!(claims["https://example.com/mfa_seen"], true, "{claims}");
}

/// OpenID Connect Core §2 `acr`: a login that asked for the PAPE
/// multi-factor policy and passed a second factor says so; others do not.
async fn acr_values_get_the_multi_factor_acr_once_passed(srv: TestServer) {
    factors_on(&srv, &["otp"]).await;
    user(&srv, "flo@example.com").await;
    let client = spa(&srv, json!({})).await;
    let clock = Clock {
        srv: &srv,
        offset: 0,
    };
    let acr = "http://schemas.openid.net/pape/policies/2007/06/multi-factor";
    let mut b = Browser::new(&srv);
    let plain = b.authorize(&code_params(&client, &[])).await;
    let plain = b.submit_login(&plain, "flo@example.com", PASSWORD).await;
    let claims = id_token_of(&srv, &client, &plain).await;
    assert!(claims.get("acr").is_none(), "{claims}");
    assert!(claims.get("amr").is_none(), "{claims}");
    let to = b
        .authorize(&code_params(&client, &[("acr_values", acr)]))
        .await;
    let page = b.get(to.location.as_deref().unwrap()).await;
    assert!(page.body.contains("id=\"totp-secret\""), "{}", page.body);
    let secret = code_text(&page, "totp-secret").replace(' ', "");
    let back = submit(&mut b, &page, "totp", &totp(&secret, clock.now()), false).await;
    let claims = id_token_of(&srv, &client, &back).await;
    assert_eq!(claims["acr"], acr, "{claims}");
    assert_eq!(claims["amr"], json!(["mfa"]));
}

on_both_backends!(
    an_action_challenges_with_a_factor_and_sees_mfa_in_the_methods,
    acr_values_get_the_multi_factor_acr_once_passed,
    hosted_pages_enrol_an_authenticator_app_then_ask_for_it_or_the_recovery_code,
    a_remembered_browser_skips_the_second_factor_until_invalidated,
    the_person_chooses_email_codes_and_guessing_locks_them,
    an_action_names_the_factor_and_forbids_remembering,
    mfa_pages_and_their_errors_speak_the_logins_language,
);

/// Issue 23: the MFA pages, their labels and their errors come from the
/// catalogues in the login's language (`ui_locales`), never in English.
async fn mfa_pages_and_their_errors_speak_the_logins_language(srv: TestServer) {
    mfa_on(&srv).await;
    user(&srv, "jo@example.com").await;
    let client = spa(&srv, json!({"name": "Shop"})).await;
    let clock = Clock {
        srv: &srv,
        offset: 0,
    };
    let has = |page: &Page, lang: &str, id: &str, args: &[(&str, &str)]| {
        let want = catalogue(lang, id, args);
        assert!(
            page.body.contains(&want),
            "{lang} {id}: {want} in {}",
            page.body
        );
    };
    let mut b = Browser::new(&srv);
    let page = to_mfa(&mut b, &client, "jo@example.com", &[("ui_locales", "de")]).await;
    assert!(page.body.contains(r#"<html lang="de">"#), "{}", page.body);
    for id in [
        "mfa__enrollTitle",
        "mfa-otp-enrollment-qr__description",
        "mfa-otp-enrollment-qr__qrAlt",
        "mfa-otp-enrollment-qr__cantScanText",
        "mfa__codeLabel",
        "mfa__buttonText",
    ] {
        has(&page, "de", id, &[]);
    }
    has(&page, "de", "mfa__rememberBrowserText", &[("days", "30")]);
    assert!(!page.body.contains("Secure your account"), "{}", page.body);
    let secret = code_text(&page, "totp-secret").replace(' ', "");
    let good = totp(&secret, clock.now());
    let refused = submit(&mut b, &page, "totp", &wrong(&good), false).await;
    assert_eq!(refused.status, StatusCode::BAD_REQUEST);
    has(&refused, "de", "mfa__wrongCode", &[]);
    let saved = submit(&mut b, &refused, "totp", &good, false).await;
    has(&saved, "de", "mfa-recovery-code-enrollment__title", &[]);
    has(
        &saved,
        "de",
        "mfa-recovery-code-enrollment__checkboxText",
        &[],
    );
    let back = continue_from(&mut b, &saved).await;
    assert!(back.redirect_params().contains_key("code"), "{}", back.body);
    // Another login, in Japanese: asked for the app's code, the other
    // methods labelled in Japanese too.
    let mut b2 = Browser::new(&srv);
    let page = to_mfa(&mut b2, &client, "jo@example.com", &[("ui_locales", "ja")]).await;
    for id in [
        "mfa__challengeTitle",
        "mfa-otp-challenge__description",
        "mfa-login-options__title",
        "mfa-login-options__recoveryCodeText",
    ] {
        has(&page, "ja", id, &[]);
    }
    assert!(!page.body.contains("Verify your identity"), "{}", page.body);
}
