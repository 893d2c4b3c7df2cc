//! The hosted MFA pages in headless Chromium: a person enrols an
//! authenticator app (the key read from the page, the code computed here),
//! saves the recovery code, reaches the application, and is asked for the
//! app's code at the next login. Each page passes the contrast check at
//! phone and desktop width, puts the focus on the code field, and is
//! photographed for docs/mfa.md (`PORTCULLIS_SCREENSHOT_DIR`).

use serde_json::json;

use crate::accessible_pages::{assert_contrast, screenshots};
use crate::browser::{CALLBACK, PASSWORD, code_params, spa, user};
use crate::mfa::{mfa_on, totp};
use crate::support::{Backend, TestServer, unix_now};
use crate::webdriver::Chromium;

fn authorize_url(srv: &TestServer, client: &str, extra: &[(&str, &str)]) -> String {
    let query: String = form_urlencoded::Serializer::new(String::new())
        .extend_pairs(code_params(client, extra))
        .finish();
    format!("{}/authorize?{query}", srv.url)
}

async fn sign_in(browser: &Chromium) {
    browser
        .wait_for_url(|u| u.contains("/u/login?state="))
        .await;
    browser.type_into("#username", "eve@example.com").await;
    browser.type_into("#password", PASSWORD).await;
    browser.click("form button[type=submit]").await;
    browser.wait_for_url(|u| u.contains("/u/mfa?state=")).await;
}

async fn focused(browser: &Chromium) -> String {
    browser
        .execute("return document.activeElement.id")
        .await
        .as_str()
        .unwrap_or_default()
        .to_string()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn chromium_enrols_and_uses_an_authenticator_app_on_the_mfa_pages() {
    let srv = TestServer::start(Backend::Sqlite).await;
    mfa_on(&srv).await;
    user(&srv, "eve@example.com").await;
    let client = spa(&srv, json!({})).await;
    let browser = Chromium::start().await;
    browser.goto(&authorize_url(&srv, &client, &[])).await;
    sign_in(&browser).await;

    // Enrolment: the QR code is an image the browser draws; the key beside it.
    let drawn = browser
        .execute("const i = document.querySelector('img.qr'); return [i.complete, i.naturalWidth > 0, i.alt]")
        .await;
    assert_eq!(drawn[0], true, "{drawn}");
    assert_eq!(drawn[1], true, "the SVG QR code renders: {drawn}");
    assert_eq!(focused(&browser).await, "code");
    assert_contrast(&browser, "mfa enrolment").await;
    screenshots(&browser, "mfa-enrol-otp").await;
    browser
        .execute("document.querySelector('details').open = true")
        .await;
    let secret = browser
        .execute("return document.getElementById('totp-secret').textContent")
        .await
        .as_str()
        .unwrap()
        .replace(' ', "");
    // A wrong code first: the error is announced and the field marked.
    let good = totp(&secret, unix_now());
    let bad: String = good
        .chars()
        .map(|c| char::from(b'0' + ((c as u8 - b'0' + 5) % 10)))
        .collect();
    browser.type_into("#code", &bad).await;
    browser.click("form button[type=submit]").await;
    for _ in 0..50 {
        if browser.source().await.contains("That code is not right") {
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(100)).await;
    }
    let marked = browser
        .execute("return [document.getElementById('form-error').getAttribute('role'), document.getElementById('code').getAttribute('aria-invalid'), document.activeElement.id]")
        .await;
    assert_eq!(marked, json!(["alert", "true", "code"]));
    screenshots(&browser, "mfa-wrong-code").await;
    browser.type_into("#code", &good).await;
    browser.click("form button[type=submit]").await;

    // The recovery code, then the application.
    for _ in 0..50 {
        if browser.source().await.contains("recovery-code") {
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(100)).await;
    }
    let recovery = browser
        .execute("return document.getElementById('recovery-code').textContent")
        .await;
    assert_eq!(recovery.as_str().map(str::len), Some(24), "{recovery}");
    assert_contrast(&browser, "recovery code").await;
    screenshots(&browser, "mfa-recovery-code").await;
    // The box must be ticked (the browser's own validation stops the form).
    browser.click("form button[type=submit]").await;
    tokio::time::sleep(std::time::Duration::from_millis(300)).await;
    assert!(browser.url().await.contains("/u/mfa"), "not sent unticked");
    browser.click("#saved").await;
    browser.click("form button[type=submit]").await;
    let back = browser.wait_for_url(|u| u.starts_with(CALLBACK)).await;
    assert!(back.contains("code="), "{back}");

    // The next login (prompt=login starts a new session): the app's code,
    // the other method one keyboard step away.
    browser
        .goto(&authorize_url(&srv, &client, &[("prompt", "login")]))
        .await;
    sign_in(&browser).await;
    assert_eq!(focused(&browser).await, "code");
    assert!(browser.source().await.contains("Try another method"));
    assert_contrast(&browser, "mfa challenge").await;
    screenshots(&browser, "mfa-challenge").await;
    browser
        .type_into("#code", &totp(&secret, unix_now() + 30))
        .await;
    browser.click("form button[type=submit]").await;
    let back = browser.wait_for_url(|u| u.starts_with(CALLBACK)).await;
    assert!(back.contains("code="), "{back}");
    browser.quit().await;
}

/// A server whose issuer is `http://localhost:<port>/`: WebAuthn needs a
/// domain name (browsers refuse IP addresses as relying parties), and
/// `localhost` is a secure context without TLS.
async fn on_localhost() -> TestServer {
    crate::passkeys::on_localhost(Backend::Sqlite).await
}

fn localhost_authorize(srv: &TestServer, client: &str, extra: &[(&str, &str)]) -> String {
    let query: String = form_urlencoded::Serializer::new(String::new())
        .extend_pairs(code_params(client, extra))
        .finish();
    format!("{}authorize?{query}", srv.issuer)
}

async fn factors(srv: &TestServer, on: &[&str]) {
    for f in on {
        let (st, v) = srv
            .api(
                reqwest::Method::PUT,
                &format!("/guardian/factors/{f}"),
                Some(json!({"enabled": true})),
            )
            .await;
        assert_eq!(st, reqwest::StatusCode::OK, "{f}: {v}");
    }
    srv.api(
        reqwest::Method::PUT,
        "/guardian/policies",
        Some(json!(["all-applications"])),
    )
    .await;
}

async fn wait_for_text(browser: &Chromium, text: &str) {
    for _ in 0..100 {
        if browser.source().await.contains(text) {
            return;
        }
        tokio::time::sleep(std::time::Duration::from_millis(100)).await;
    }
    let why = browser
        .execute("const f = document.querySelector('form[data-webauthn]'); return f && f.getAttribute('data-webauthn-error')")
        .await;
    panic!("{text:?} never shown ({why}): {}", browser.source().await);
}

/// W3C Web Authentication through Chromium's virtual authenticator: a
/// security key is registered on the MFA pages, asked for at the next
/// login, and a clone of it (the same key with a sign count that went back,
/// §6.1.1) is refused and audited.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn chromium_registers_a_security_key_and_refuses_its_clone() {
    let srv = on_localhost().await;
    factors(&srv, &["webauthn-roaming", "recovery-code"]).await;
    user(&srv, "eve@example.com").await;
    let client = spa(&srv, json!({})).await;
    let browser = Chromium::start().await;
    let key = browser.add_virtual_authenticator("usb", false).await;
    browser.goto(&localhost_authorize(&srv, &client, &[])).await;
    sign_in(&browser).await;
    wait_for_text(&browser, "Register your security key").await;
    assert_eq!(focused(&browser).await, "webauthn-start");
    assert_contrast(&browser, "security key enrolment").await;
    screenshots(&browser, "mfa-enrol-security-key").await;
    browser.click("#webauthn-start").await;
    wait_for_text(&browser, "recovery-code").await;
    assert_eq!(browser.credentials(&key).await.len(), 1);
    browser.click("#saved").await;
    browser.click("form button[type=submit]").await;
    let back = browser.wait_for_url(|u| u.starts_with(CALLBACK)).await;
    assert!(back.contains("code="), "{back}");

    // The next login asks for the key.
    browser
        .goto(&localhost_authorize(&srv, &client, &[("prompt", "login")]))
        .await;
    sign_in(&browser).await;
    wait_for_text(&browser, "Insert or tap your security key").await;
    screenshots(&browser, "mfa-security-key").await;
    browser.click("#webauthn-start").await;
    let back = browser.wait_for_url(|u| u.starts_with(CALLBACK)).await;
    assert!(back.contains("code="), "{back}");

    // A clone: the same private key in another authenticator whose sign
    // count starts again at zero.
    let mut cred = browser.credentials(&key).await.remove(0);
    assert!(cred["signCount"].as_u64().unwrap() >= 1, "{cred}");
    browser.remove_virtual_authenticator(&key).await;
    let clone = browser.add_virtual_authenticator("usb", false).await;
    cred["signCount"] = json!(0);
    browser.add_credential(&clone, cred).await;
    browser
        .goto(&localhost_authorize(&srv, &client, &[("prompt", "login")]))
        .await;
    sign_in(&browser).await;
    wait_for_text(&browser, "Insert or tap your security key").await;
    browser.click("#webauthn-start").await;
    wait_for_text(&browser, "That did not work").await;
    assert!(browser.url().await.contains("/u/mfa"));
    let types = crate::mfa::log_types(&srv).await;
    for t in [
        "gd_enrollment_complete",
        "gd_auth_succeed",
        "gd_webauthn_challenge_failed",
    ] {
        assert!(types.iter().any(|x| x == t), "{t} not in {types:?}");
    }
    browser.quit().await;
}

/// Passkeys (a database connection's `authentication_methods.passkey`):
/// after a password login the person creates one with the device's own
/// (virtual) authenticator; the next login comes from the browser's passkey
/// autofill, needs no password, and satisfies MFA once the tenant turns it
/// on.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn chromium_creates_a_passkey_and_signs_in_with_it_past_mfa() {
    let srv = on_localhost().await;
    crate::passkeys::passkeys_on(&srv).await;
    user(&srv, "eve@example.com").await;
    let client = spa(&srv, json!({})).await;
    let browser = Chromium::start().await;
    let device = browser.add_virtual_authenticator("internal", true).await;
    browser.goto(&localhost_authorize(&srv, &client, &[])).await;
    browser
        .wait_for_url(|u| u.contains("/u/login?state="))
        .await;
    // The script shows the passkey button (hidden without scripts).
    let shown = browser
        .execute("return !document.querySelector('.passkey').hidden")
        .await;
    assert_eq!(shown, true);
    assert_contrast(&browser, "login with passkey").await;
    screenshots(&browser, "login-passkey").await;
    browser.type_into("#username", "eve@example.com").await;
    browser.type_into("#password", PASSWORD).await;
    browser.click("form button[name=action]").await;
    browser
        .wait_for_url(|u| u.contains("/u/passkey-enrollment"))
        .await;
    assert_eq!(focused(&browser).await, "passkey-create");
    assert_contrast(&browser, "create a passkey").await;
    screenshots(&browser, "passkey-create").await;
    browser.click("#passkey-create").await;
    let back = browser.wait_for_url(|u| u.starts_with(CALLBACK)).await;
    assert!(back.contains("code="), "{back}");
    let held = browser.credentials(&device).await;
    assert_eq!(held.len(), 1);
    assert_eq!(
        held[0]["isResidentCredential"], true,
        "discoverable: {held:?}"
    );

    // MFA on for every login: a passkey login passes it.
    crate::mfa::mfa_on(&srv).await;
    // The login page asks the browser for its passkeys in the username's
    // autofill (conditional mediation); the virtual authenticator answers
    // at once, with no password typed and no MFA page.
    browser
        .goto(&localhost_authorize(&srv, &client, &[("prompt", "login")]))
        .await;
    let back = browser.wait_for_url(|u| u.starts_with(CALLBACK)).await;
    let code = url::Url::parse(&back)
        .unwrap()
        .query_pairs()
        .find(|(k, _)| k == "code")
        .map(|(_, v)| v.to_string())
        .expect("a code");
    let (st, t) = crate::browser::exchange(&srv, &client, &code).await;
    assert_eq!(st, reqwest::StatusCode::OK, "{t}");
    let claims =
        crate::support::verify_with_jwks(&srv, t["id_token"].as_str().unwrap(), &client).await;
    assert_eq!(claims["amr"], json!(["mfa"]), "{claims}");
    // Without the passkey, the password alone now meets the second factor.
    browser.remove_virtual_authenticator(&device).await;
    browser
        .goto(&localhost_authorize(&srv, &client, &[("prompt", "login")]))
        .await;
    sign_in(&browser).await;
    browser.quit().await;
}
