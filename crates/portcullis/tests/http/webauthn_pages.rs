//! WebAuthn on the hosted pages over HTTP, on both backends, answered by a
//! software authenticator (`soft_authenticator`) that can do what a browser
//! would refuse to: answer for another origin, with another user's key,
//! with a cloned key, or send an answer twice. Each is refused, audited and
//! changes nothing; the honest answers sign in.

use reqwest::{Method, StatusCode};
use serde_json::{Value, json};

use crate::browser::{Browser, PASSWORD, Page, code_params, exchange, spa, user};
use crate::passkeys::{on_localhost, passkeys_on};
use crate::soft_authenticator::{SoftKey, page_options};
use crate::support::{Backend, TestServer, verify_with_jwks};

const EVIL: &str = "https://evil.example";

/// Makes an answer to a page's WebAuthn options.
type Answerer<'a> = dyn FnMut(&Value) -> String + 'a;

/// The issuer's origin (what the browser would put in `clientDataJSON`).
fn origin(srv: &TestServer) -> String {
    srv.issuer.trim_end_matches('/').to_string()
}

async fn to_mfa(b: &mut Browser, client: &str, email: &str) -> Page {
    let to = b.authorize(&code_params(client, &[])).await;
    let back = b.submit_login(&to, email, PASSWORD).await;
    let at = back
        .location
        .clone()
        .unwrap_or_else(|| panic!("{}", back.body));
    assert!(at.contains("/u/mfa?state="), "{at}");
    b.get(&at).await
}

async fn answer(b: &mut Browser, page: &Page, method: &str, credential: &str) -> Page {
    let (state, csrf) = (page.input("state"), page.input("csrf"));
    b.post_form(
        "/u/mfa",
        &[
            ("state", &state),
            ("csrf", &csrf),
            ("method", method),
            ("credential", credential),
        ],
    )
    .await
}

async fn methods(srv: &TestServer, user_id: &str) -> Vec<Value> {
    let enc: String = form_urlencoded::byte_serialize(user_id.as_bytes()).collect();
    let (st, v) = srv
        .api(
            Method::GET,
            &format!("/users/{enc}/authentication-methods"),
            None,
        )
        .await;
    assert_eq!(st, StatusCode::OK, "{v}");
    v.as_array().cloned().unwrap_or_default()
}

fn refused(page: &Page) {
    assert_eq!(page.status, StatusCode::BAD_REQUEST, "{}", page.body);
    assert!(page.body.contains("That did not work"), "{}", page.body);
    assert!(page.location.is_none());
}

async fn security_key_answers_for_another_site_user_or_clone_are_refused(backend: Backend) {
    let srv = on_localhost(backend).await;
    for f in ["webauthn-roaming"] {
        let (st, v) = srv
            .api(
                Method::PUT,
                &format!("/guardian/factors/{f}"),
                Some(json!({"enabled": true})),
            )
            .await;
        assert_eq!(st, StatusCode::OK, "{v}");
    }
    srv.api(
        Method::PUT,
        "/guardian/policies",
        Some(json!(["all-applications"])),
    )
    .await;
    let ann = user(&srv, "ann@example.com").await;
    let bob = user(&srv, "bob@example.com").await;
    let client = spa(&srv, json!({})).await;
    let origin = origin(&srv);

    // Enrolment answered for another site: refused, nothing stored.
    let mut key = SoftKey::new();
    let mut b = Browser::new(&srv);
    let page = to_mfa(&mut b, &client, "ann@example.com").await;
    assert!(
        page.body.contains("data-webauthn=\"create\""),
        "{}",
        page.body
    );
    let options = page_options(&page.body);
    assert_eq!(options["publicKey"]["rp"]["id"], "localhost");
    assert_eq!(options["publicKey"]["attestation"], "none");
    let evil = key.register(&options, EVIL);
    let again = answer(&mut b, &page, "webauthn-roaming", &evil).await;
    refused(&again);
    assert_eq!(methods(&srv, &ann).await, Vec::<Value>::new());
    // The honest answer to the new challenge registers the key and answers
    // the application; the same answer again registers nothing more.
    let good = key.register(&page_options(&again.body), &origin);
    let back = answer(&mut b, &again, "webauthn-roaming", &good).await;
    let code = back.redirect_params()["code"].clone();
    let (st, t) = exchange(&srv, &client, &code).await;
    assert_eq!(st, StatusCode::OK, "{t}");
    let claims = verify_with_jwks(&srv, t["id_token"].as_str().unwrap(), &client).await;
    assert_eq!(claims["amr"], json!(["mfa"]));
    let replay = answer(&mut b, &again, "webauthn-roaming", &good).await;
    assert!(replay.location.is_none());
    let listed = methods(&srv, &ann).await;
    assert_eq!(listed.len(), 1, "{listed:?}");
    assert_eq!(listed[0]["type"], "webauthn-roaming");

    // Bob has a key of his own.
    let mut bobs = SoftKey::new();
    let mut bb = Browser::new(&srv);
    let page = to_mfa(&mut bb, &client, "bob@example.com").await;
    let reg = bobs.register(&page_options(&page.body), &origin);
    let back = answer(&mut bb, &page, "webauthn-roaming", &reg).await;
    assert!(back.redirect_params().contains_key("code"));
    assert_eq!(methods(&srv, &bob).await.len(), 1);

    // Ann's next login: for another site, with Bob's key, an old answer:
    // all refused.
    let mut b2 = Browser::new(&srv);
    let mut page = to_mfa(&mut b2, &client, "ann@example.com").await;
    assert!(page.body.contains("data-webauthn=\"get\""), "{}", page.body);
    let first = {
        let options = page_options(&page.body);
        key.assert(&options, &origin)
    };
    let origin_ref = origin.as_str();
    let attempts: Vec<Box<Answerer>> = vec![
        Box::new(|o: &Value| key.assert(o, EVIL)),
        Box::new(|o: &Value| bobs.assert(o, origin_ref)),
    ];
    for mut attempt in attempts {
        let options = page_options(&page.body);
        page = answer(&mut b2, &page, "webauthn-roaming", &attempt(&options)).await;
        refused(&page);
    }
    // An answer made for an earlier challenge.
    page = answer(&mut b2, &page, "webauthn-roaming", &first).await;
    refused(&page);
    let mut key = key;
    let good = key.assert(&page_options(&page.body), &origin);
    let back = answer(&mut b2, &page, "webauthn-roaming", &good).await;
    assert!(back.redirect_params().contains_key("code"), "{}", back.body);
    // A clone of Ann's key whose sign count went back (§6.1.1): refused.
    let mut clone = key.clone_with_count(0);
    let mut b3 = Browser::new(&srv);
    let page = to_mfa(&mut b3, &client, "ann@example.com").await;
    let cloned = clone.assert(&page_options(&page.body), &origin);
    refused(&answer(&mut b3, &page, "webauthn-roaming", &cloned).await);
    let types = crate::mfa::log_types(&srv).await;
    for t in [
        "gd_webauthn_enrollment_failed",
        "gd_webauthn_challenge_failed",
        "gd_enrollment_complete",
        "gd_auth_succeed",
    ] {
        assert!(types.iter().any(|x| x == t), "{t} not in {types:?}");
    }
}

/// A passkey (made after a password login, no Guardian factor on) signs in
/// its owner from the login page, once per challenge, only for this site,
/// and never as another user.
async fn a_passkey_signs_in_its_owner_once_and_only_here(backend: Backend) {
    let srv = on_localhost(backend).await;
    passkeys_on(&srv).await;
    let ann = user(&srv, "ann@example.com").await;
    user(&srv, "bob@example.com").await;
    let client = spa(&srv, json!({})).await;
    let origin = origin(&srv);
    let mut key = SoftKey::new();
    let mut b = Browser::new(&srv);
    let to = b.authorize(&code_params(&client, &[])).await;
    let back = b.submit_login(&to, "ann@example.com", PASSWORD).await;
    let at = back.location.clone().unwrap();
    assert!(at.contains("/u/passkey-enrollment?state="), "{at}");
    let page = b.get(&at).await;
    assert_eq!(page.status, StatusCode::OK, "{}", page.body);
    let options = page_options(&page.body);
    assert_eq!(
        options["publicKey"]["authenticatorSelection"]["residentKey"],
        "required"
    );
    let made = key.register(&options, &origin);
    let (state, csrf) = (page.input("state"), page.input("csrf"));
    let back = b
        .post_form(
            "/u/passkey-enrollment",
            &[("state", &state), ("csrf", &csrf), ("credential", &made)],
        )
        .await;
    assert!(back.redirect_params().contains_key("code"), "{}", back.body);
    let listed = methods(&srv, &ann).await;
    assert_eq!(listed.len(), 1, "{listed:?}");
    assert_eq!(listed[0]["type"], "passkey");

    let sign_in = async |b: &mut Browser, credential: &dyn Fn(&Value) -> String| -> Page {
        let to = b.authorize(&code_params(&client, &[])).await;
        let page = b.get(to.location.as_deref().unwrap()).await;
        let options = page_options(&page.body);
        let (state, csrf) = (page.input("state"), page.input("csrf"));
        let answer = credential(&options);
        b.post_form(
            "/u/login/passkey",
            &[("state", &state), ("csrf", &csrf), ("credential", &answer)],
        )
        .await
    };
    let key = std::cell::RefCell::new(key);
    // For another site: refused.
    let mut b2 = Browser::new(&srv);
    let back = sign_in(&mut b2, &|o| key.borrow_mut().assert(o, EVIL)).await;
    assert_eq!(back.status, StatusCode::UNAUTHORIZED, "{}", back.body);
    // Claiming to be Bob (his user handle on Ann's key): refused.
    let bob_handle = {
        let mut other = SoftKey::new();
        let mut bb = Browser::new(&srv);
        let to = bb.authorize(&code_params(&client, &[])).await;
        let back = bb.submit_login(&to, "bob@example.com", PASSWORD).await;
        let page = bb.get(back.location.as_deref().unwrap()).await;
        // Bob's authenticator claims Ann's credential id (§7.1 step 22):
        // refused, nothing stored.
        other.id = key.borrow().id.clone();
        let reused = other.register(&page_options(&page.body), &origin);
        let (state, csrf) = (page.input("state"), page.input("csrf"));
        let back = bb
            .post_form(
                "/u/passkey-enrollment",
                &[("state", &state), ("csrf", &csrf), ("credential", &reused)],
            )
            .await;
        assert_eq!(back.status, StatusCode::CONFLICT, "{}", back.body);
        other.user_handle.clone().unwrap()
    };
    let back = sign_in(&mut b2, &|o| {
        let mut k = key.borrow_mut();
        let mine = k.user_handle.replace(bob_handle.clone());
        let a = k.assert(o, &origin);
        k.user_handle = mine;
        a
    })
    .await;
    assert_eq!(back.status, StatusCode::UNAUTHORIZED, "{}", back.body);
    // The honest answer signs Ann in, past no MFA page, amr "mfa".
    let kept = std::cell::RefCell::new(String::new());
    let back = sign_in(&mut b2, &|o| {
        let a = key.borrow_mut().assert(o, &origin);
        *kept.borrow_mut() = a.clone();
        a
    })
    .await;
    let code = back.redirect_params()["code"].clone();
    let (st, t) = exchange(&srv, &client, &code).await;
    assert_eq!(st, StatusCode::OK, "{t}");
    let claims = verify_with_jwks(&srv, t["id_token"].as_str().unwrap(), &client).await;
    assert_eq!(claims["sub"], ann);
    assert_eq!(claims["amr"], json!(["mfa"]));
    // The same answer again, on a new login page: refused.
    let mut b3 = Browser::new(&srv);
    let old = kept.borrow().clone();
    let back = sign_in(&mut b3, &|_| old.clone()).await;
    assert_eq!(back.status, StatusCode::UNAUTHORIZED, "{}", back.body);
    assert!(!b3.jar.contains_key("portcullis_session"));
}

/// "Sign up with a passkey": the account is made with its passkey and no
/// password, only once the passkey is registered (a forged answer makes
/// nothing; the same answer twice makes one account).
async fn a_passkey_sign_up_makes_an_account_without_a_password(backend: Backend) {
    let srv = on_localhost(backend).await;
    passkeys_on(&srv).await;
    let client = spa(&srv, json!({})).await;
    let origin = origin(&srv);
    let users_named = |email: &'static str| {
        let srv = &srv;
        async move {
            let (st, v) = srv
                .api(Method::GET, &format!("/users-by-email?email={email}"), None)
                .await;
            assert_eq!(st, StatusCode::OK, "{v}");
            v.as_array().cloned().unwrap_or_default()
        }
    };
    let mut b = Browser::new(&srv);
    let to = b
        .authorize(&code_params(&client, &[("screen_hint", "signup")]))
        .await;
    let page = b.get(to.location.as_deref().unwrap()).await;
    assert!(
        page.body.contains("Sign up with a passkey"),
        "{}",
        page.body
    );
    let (state, csrf) = (page.input("state"), page.input("csrf"));
    let start = async |b: &mut Browser| -> Page {
        b.post_form(
            "/u/signup",
            &[
                ("state", &state),
                ("csrf", &csrf),
                ("username", "new@example.com"),
                ("action", "passkey"),
            ],
        )
        .await
    };
    let finish = async |b: &mut Browser, credential: String| -> Page {
        b.post_form(
            "/u/signup/passkey",
            &[
                ("state", &state),
                ("csrf", &csrf),
                ("credential", &credential),
            ],
        )
        .await
    };
    // A forged answer: the signup page again, no account.
    let mut key = SoftKey::new();
    let asked = start(&mut b).await;
    assert_eq!(asked.status, StatusCode::OK, "{}", asked.body);
    assert!(
        asked.body.contains("will have no password"),
        "{}",
        asked.body
    );
    let forged = key.register(&page_options(&asked.body), EVIL);
    let back = finish(&mut b, forged).await;
    assert_eq!(back.status, StatusCode::BAD_REQUEST, "{}", back.body);
    assert!(back.location.is_none());
    assert_eq!(users_named("new@example.com").await, Vec::<Value>::new());
    // The honest one: the account, its passkey, signed in (amr "mfa").
    let asked = start(&mut b).await;
    let made = key.register(&page_options(&asked.body), &origin);
    let back = finish(&mut b, made.clone()).await;
    let code = back.redirect_params()["code"].clone();
    let (st, t) = exchange(&srv, &client, &code).await;
    assert_eq!(st, StatusCode::OK, "{t}");
    let claims = verify_with_jwks(&srv, t["id_token"].as_str().unwrap(), &client).await;
    assert_eq!(claims["amr"], json!(["mfa"]));
    let found = users_named("new@example.com").await;
    assert_eq!(found.len(), 1, "{found:?}");
    assert_eq!(found[0]["user_id"], claims["sub"]);
    let listed = methods(&srv, claims["sub"].as_str().unwrap()).await;
    assert_eq!(listed.len(), 1, "{listed:?}");
    assert_eq!(listed[0]["type"], "passkey");
    // The same answer again: nothing more.
    let again = finish(&mut b, made).await;
    assert!(again.location.is_none(), "{}", again.body);
    assert_eq!(users_named("new@example.com").await.len(), 1);
    // No password to sign in with.
    let mut b2 = Browser::new(&srv);
    let to = b2.authorize(&code_params(&client, &[])).await;
    let back = b2.submit_login(&to, "new@example.com", PASSWORD).await;
    assert_eq!(back.status, StatusCode::UNAUTHORIZED, "{}", back.body);
}

mod a_passkey_sign_up_makes_an_account_without_a_password {
    use crate::support::Backend;
    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn sqlite() {
        super::a_passkey_sign_up_makes_an_account_without_a_password(Backend::Sqlite).await
    }
    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn postgres() {
        super::a_passkey_sign_up_makes_an_account_without_a_password(Backend::Postgres).await
    }
}

mod security_key_answers_for_another_site_user_or_clone_are_refused {
    use crate::support::Backend;
    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn sqlite() {
        super::security_key_answers_for_another_site_user_or_clone_are_refused(Backend::Sqlite)
            .await
    }
    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn postgres() {
        super::security_key_answers_for_another_site_user_or_clone_are_refused(Backend::Postgres)
            .await
    }
}

mod a_passkey_signs_in_its_owner_once_and_only_here {
    use crate::support::Backend;
    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn sqlite() {
        super::a_passkey_signs_in_its_owner_once_and_only_here(Backend::Sqlite).await
    }
    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn postgres() {
        super::a_passkey_signs_in_its_owner_once_and_only_here(Backend::Postgres).await
    }
}
