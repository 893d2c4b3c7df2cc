//! Passkeys on a database connection over HTTP, on both backends: the login
//! page offers them only when the connection does (and the issuer is on a
//! domain name); a forged or replayed answer signs no one in and changes
//! nothing; a passkey cannot be created on a password alone while MFA is
//! on. (The whole ceremony runs in Chromium: `mfa_browser`.)

use reqwest::{Method, StatusCode};
use serde_json::json;

use crate::browser::{Browser, PASSWORD, code_params, spa, user};
use crate::support::{Backend, TestServer};

/// Turns passkeys on for the default database connection.
pub(crate) async fn passkeys_on(srv: &TestServer) {
    let (st, list) = srv
        .api(
            Method::GET,
            "/connections?name=Username-Password-Authentication",
            None,
        )
        .await;
    assert_eq!(st, StatusCode::OK, "{list}");
    let c = &list.as_array().unwrap()[0];
    let mut options = c["options"].clone();
    options["authentication_methods"] =
        json!({"password": {"enabled": true}, "passkey": {"enabled": true}});
    let (st, v) = srv
        .api(
            Method::PATCH,
            &format!("/connections/{}", c["id"].as_str().unwrap()),
            Some(json!({ "options": options })),
        )
        .await;
    assert_eq!(st, StatusCode::OK, "{v}");
}

/// A server whose issuer is `http://localhost:<port>/` (WebAuthn needs a
/// domain name).
pub(crate) async fn on_localhost(backend: Backend) -> TestServer {
    crate::support::start_configured(backend, |c| {
        c.issuer = format!("http://localhost:{}/", c.bind.port());
    })
    .await
}

async fn login_page(b: &mut Browser, client: &str) -> crate::browser::Page {
    let to = b.authorize(&code_params(client, &[])).await;
    let at = to.location.clone().unwrap();
    let page = b.get(&at).await;
    assert_eq!(page.status, StatusCode::OK, "{}", page.body);
    page
}

async fn passkey_login_is_offered_by_the_connection_and_forged_answers_sign_no_one_in(
    backend: Backend,
) {
    let srv = on_localhost(backend).await;
    let uid = user(&srv, "gil@example.com").await;
    let client = spa(&srv, json!({})).await;
    let mut b = Browser::new(&srv);
    let page = login_page(&mut b, &client).await;
    assert!(!page.body.contains("Continue with a passkey"));
    passkeys_on(&srv).await;
    let page = login_page(&mut b, &client).await;
    assert!(
        page.body.contains("Continue with a passkey"),
        "{}",
        page.body
    );
    assert!(page.body.contains("autocomplete=\"username webauthn\""));
    assert!(page.body.contains("data-webauthn=\"get\""));
    // A made-up answer: the login page again, no session, no code.
    let forged = json!({"id": "AAAA", "rawId": "AAAA", "type": "public-key",
        "response": {"clientDataJSON": "e30", "authenticatorData": "AAAA", "signature": "AAAA", "userHandle": "AAAA"},
        "extensions": {}})
    .to_string();
    let (state, csrf) = (page.input("state"), page.input("csrf"));
    for _ in 0..2 {
        let back = b
            .post_form(
                "/u/login/passkey",
                &[("state", &state), ("csrf", &csrf), ("credential", &forged)],
            )
            .await;
        assert_eq!(back.status, StatusCode::UNAUTHORIZED, "{}", back.body);
        assert!(back.body.contains("That passkey could not sign you in"));
        assert!(back.location.is_none());
        assert!(!b.jar.contains_key("portcullis_session"));
    }
    // Without the form's CSRF token: refused before anything is read.
    let back = b
        .post_form(
            "/u/login/passkey",
            &[("state", &state), ("csrf", "x"), ("credential", &forged)],
        )
        .await;
    assert_eq!(back.status, StatusCode::FORBIDDEN);
    let types = crate::mfa::log_types(&srv).await;
    assert!(types.iter().any(|t| t == "f"), "{types:?}");

    // With MFA on, a password alone never reaches "Create a passkey" (a
    // passkey login satisfies MFA), not even by its address.
    crate::mfa::mfa_on(&srv).await;
    let mut b = Browser::new(&srv);
    let to = b.authorize(&code_params(&client, &[])).await;
    let back = b.submit_login(&to, "gil@example.com", PASSWORD).await;
    let at = back.location.clone().unwrap();
    assert!(at.contains("/u/mfa?state="), "{at}");
    let state = at.split("state=").nth(1).unwrap().to_string();
    let page = b.get(&format!("/u/passkey-enrollment?state={state}")).await;
    assert_eq!(page.status, StatusCode::FORBIDDEN, "{}", page.body);
    let (st, methods) = srv
        .api(
            Method::GET,
            &format!(
                "/users/{}/authentication-methods",
                form_urlencoded::byte_serialize(uid.as_bytes()).collect::<String>()
            ),
            None,
        )
        .await;
    assert_eq!(st, StatusCode::OK);
    assert_eq!(methods, json!([]), "nothing enrolled");
}

mod passkey_login_is_offered_by_the_connection_and_forged_answers_sign_no_one_in {
    use crate::support::Backend;
    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn sqlite() {
        super::passkey_login_is_offered_by_the_connection_and_forged_answers_sign_no_one_in(
            Backend::Sqlite,
        )
        .await
    }
    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn postgres() {
        super::passkey_login_is_offered_by_the_connection_and_forged_answers_sign_no_one_in(
            Backend::Postgres,
        )
        .await
    }
}
