//! Text and languages, identifier-first login (issue 23 items 3 and 4):
//! `/api/v2/prompts` and its custom text in Auth0's shapes; the hosted pages
//! in the language of `ui_locales`, else of `Accept-Language`; the tenant's
//! custom text first, always escaped; `identifier_first` asks for the
//! address, then the password or the address's provider.

use reqwest::{Method, StatusCode};
use serde_json::json;

use crate::browser::{Browser, CALLBACK, PASSWORD, code_params, spa, user};
use crate::support::{TestServer, on_both_backends};

on_both_backends!(
    pages_speak_ui_locales_then_the_browsers_language,
    custom_text_comes_first_escaped_and_is_checked,
    identifier_first_asks_the_address_then_the_password_or_its_provider
);

/// The shipped catalogue's text `id` in `lang` (`src/http/pages/i18n`),
/// its variables put in, HTML-escaped as the pages write it: what a page in
/// that language must show, whatever the translation says.
pub fn catalogue(lang: &str, id: &str, args: &[(&str, &str)]) -> String {
    let path = format!(
        "{}/src/http/pages/i18n/{lang}.ftl",
        env!("CARGO_MANIFEST_DIR")
    );
    let ftl = std::fs::read_to_string(&path).unwrap();
    let resource = fluent_bundle::FluentResource::try_new(ftl).expect("the catalogue parses");
    let locale: unic_langid::LanguageIdentifier = lang.parse().unwrap();
    let mut bundle = fluent_bundle::FluentBundle::new(vec![locale]);
    bundle.set_use_isolating(false);
    bundle.add_resource(resource).unwrap();
    let mut fluent_args = fluent_bundle::FluentArgs::new();
    for (k, v) in args {
        match v.parse::<u32>() {
            Ok(n) => fluent_args.set(*k, n),
            Err(_) => fluent_args.set(*k, *v),
        }
    }
    let pattern = bundle
        .get_message(id)
        .and_then(|m| m.value())
        .unwrap_or_else(|| panic!("{lang} has no {id}"));
    let mut errors = Vec::new();
    let text = bundle
        .format_pattern(pattern, Some(&fluent_args), &mut errors)
        .into_owned();
    assert!(errors.is_empty(), "{lang} {id}: {errors:?}");
    text.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace('"', "&quot;")
        .replace('\'', "&#x27;")
        .replace('/', "&#x2f;")
}

/// The login page for `params` (following the redirect), with `accept` as
/// the browser's languages.
async fn login_page(srv: &TestServer, params: &[(&str, &str)], accept: Option<&str>) -> String {
    let q: String = form_urlencoded::Serializer::new(String::new())
        .extend_pairs(params)
        .finish();
    let mut req = reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .unwrap()
        .get(format!("{}/authorize?{q}", srv.url));
    if let Some(a) = accept {
        req = req.header("accept-language", a);
    }
    let res = req.send().await.unwrap();
    let cookies: Vec<String> = res
        .headers()
        .get_all("set-cookie")
        .iter()
        .map(|c| c.to_str().unwrap().split(';').next().unwrap().to_string())
        .collect();
    let loc = res.headers()["location"].to_str().unwrap().to_string();
    let mut page = srv
        .http
        .get(if loc.starts_with("http") {
            loc.clone()
        } else {
            format!("{}{loc}", srv.url)
        })
        .header("cookie", cookies.join("; "));
    if let Some(a) = accept {
        page = page.header("accept-language", a);
    }
    page.send().await.unwrap().text().await.unwrap()
}

async fn pages_speak_ui_locales_then_the_browsers_language(srv: TestServer) {
    let client = spa(&srv, json!({"name": "Shop"})).await;
    let de = login_page(
        &srv,
        &code_params(&client, &[("ui_locales", "xx de-CH fr")]),
        Some("ja"),
    )
    .await;
    assert!(de.contains(r#"<html lang="de">"#), "{de}");
    assert!(de.contains("<h1>Willkommen</h1>"), "{de}");
    assert!(
        de.contains("Melden Sie sich an, um mit Shop fortzufahren."),
        "{de}"
    );
    assert!(de.contains("Passwort vergessen?"), "{de}");
    let ja = login_page(
        &srv,
        &code_params(&client, &[]),
        Some("zz, ja;q=0.9, fr;q=0.8"),
    )
    .await;
    assert!(ja.contains(r#"<html lang="ja">"#), "{ja}");
    assert!(ja.contains("ようこそ"), "{ja}");
    let en = login_page(&srv, &code_params(&client, &[]), None).await;
    assert!(
        en.contains(r#"<html lang="en">"#) && en.contains("<h1>Welcome</h1>"),
        "{en}"
    );

    // A refused password, in the login's language (its cookie carries it).
    user(&srv, "ada@example.com").await;
    let mut b = Browser::new(&srv);
    let to_login = b
        .authorize(&code_params(&client, &[("ui_locales", "fr")]))
        .await;
    let page = b
        .submit_login(&to_login, "ada@example.com", "Wrong-Passw0rd!")
        .await;
    assert!(
        page.body
            .contains("Adresse e-mail ou mot de passe incorrect."),
        "{}",
        page.body
    );
    assert!(page.body.contains(r#"<html lang="fr">"#));
    assert_eq!(page.status, StatusCode::UNAUTHORIZED);

    // The language belongs to the login: another login started meanwhile in
    // the same browser, without ui_locales, leaves the first one French.
    let mut b = Browser::new(&srv);
    let first = b
        .authorize(&code_params(&client, &[("ui_locales", "fr")]))
        .await;
    let second = b.authorize(&code_params(&client, &[])).await;
    let en = b.get(second.location.as_deref().unwrap()).await;
    assert!(en.body.contains(r#"<html lang="en">"#), "{}", en.body);
    let fr = b.get(first.location.as_deref().unwrap()).await;
    assert!(fr.body.contains("<h1>Bienvenue</h1>"), "{}", fr.body);

    // The pages the server words itself: an expired login page, by the
    // browser's language; the sign-up form's password rules and a refused
    // password, by the login's.
    for lang in ["de", "ja", "en"] {
        let gone = srv
            .http
            .get(format!("{}/u/login?state=gone", srv.url))
            .header("accept-language", lang)
            .send()
            .await
            .unwrap();
        let body = gone.text().await.unwrap();
        for id in ["error-page__expiredTitle", "error-page__expiredDescription"] {
            let want = catalogue(lang, id, &[]);
            assert!(body.contains(&want), "{lang} {id}: {want} in {body}");
        }
    }
    let mut b = Browser::new(&srv);
    let to_login = b
        .authorize(&code_params(&client, &[("ui_locales", "es")]))
        .await;
    let to_signup = to_login.location.unwrap().replace("/u/login", "/u/signup");
    let signup = b.get(&to_signup).await;
    // The test connection's policy is `fair`.
    let hint = catalogue("es", "common__passwordHintFair", &[("length", "8")]);
    assert!(signup.body.contains(&hint), "{hint} in {}", signup.body);
    let (state, csrf) = (signup.input("state"), signup.input("csrf"));
    let weak = b
        .post_form(
            "/u/signup",
            &[
                ("state", &state),
                ("csrf", &csrf),
                ("username", "weak@example.com"),
                ("password", "weak"),
            ],
        )
        .await;
    assert_eq!(weak.status, StatusCode::BAD_REQUEST, "{}", weak.body);
    let refused = format!("{} {hint}", catalogue("es", "common__passwordTooWeak", &[]));
    assert!(weak.body.contains(&refused), "{refused} in {}", weak.body);
    assert!(!weak.body.contains("too weak"), "{}", weak.body);
}

async fn custom_text_comes_first_escaped_and_is_checked(srv: TestServer) {
    let path = "/prompts/login/custom-text/en";
    let (st, t) = srv.api(Method::GET, path, None).await;
    assert_eq!((st, t), (StatusCode::OK, json!({})));
    let text = json!({"login": {"title": "Hello & welcome", "description": "Sign in to ${clientName} \"now\""}});
    let (st, t) = srv.api(Method::PUT, path, Some(text.clone())).await;
    assert_eq!(st, StatusCode::OK, "{t}");
    let (_, t) = srv.api(Method::GET, path, None).await;
    assert_eq!(t, text);
    let (st, _) = srv
        .api(
            Method::PUT,
            "/prompts/signup/custom-text/de",
            Some(json!({"signup": {"title": "Konto anlegen"}})),
        )
        .await;
    assert_eq!(st, StatusCode::OK);

    let client = spa(&srv, json!({"name": "Shop"})).await;
    let en = login_page(&srv, &code_params(&client, &[]), None).await;
    assert!(en.contains("<h1>Hello &amp; welcome</h1>"), "{en}");
    assert!(
        en.contains("Sign in to Shop &quot;now&quot;"),
        "custom text escaped, its variables put in: {en}"
    );
    // Other languages keep the catalogue's text.
    let fr = login_page(&srv, &code_params(&client, &[("ui_locales", "fr")]), None).await;
    assert!(fr.contains("<h1>Bienvenue</h1>"), "{fr}");

    for (path, body, status, says) in [
        (
            path,
            json!({"login": {"title": "<b>Hi</b>"}}),
            StatusCode::BAD_REQUEST,
            "markup",
        ),
        (
            path,
            json!({"login": {"nope": "x"}}),
            StatusCode::BAD_REQUEST,
            "login.nope",
        ),
        (
            path,
            json!({"signup": {"title": "x"}}),
            StatusCode::BAD_REQUEST,
            "signup",
        ),
        (
            path,
            json!({"login": {"title": 5}}),
            StatusCode::BAD_REQUEST,
            "login.title",
        ),
        (
            "/prompts/login/custom-text/xx",
            json!({}),
            StatusCode::BAD_REQUEST,
            "language",
        ),
        (
            "/prompts/nope/custom-text/en",
            json!({}),
            StatusCode::NOT_FOUND,
            "nope",
        ),
    ] {
        let (st, e) = srv.api(Method::PUT, path, Some(body.clone())).await;
        assert_eq!(st, status, "{body}: {e}");
        assert!(e["message"].as_str().unwrap().contains(says), "{body}: {e}");
    }
    let (_, t) = srv.api(Method::GET, path, None).await;
    assert_eq!(t, text, "refused text changes nothing");
    let (st, _) = srv.api(Method::PUT, path, Some(json!({}))).await;
    assert_eq!(st, StatusCode::OK);
    let en = login_page(&srv, &code_params(&client, &[]), None).await;
    assert!(en.contains("<h1>Welcome</h1>"), "{{}} removes it: {en}");

    let (st, p) = srv.api(Method::GET, "/prompts", None).await;
    assert_eq!(st, StatusCode::OK);
    assert_eq!(p["universal_login_experience"], "new");
    assert_eq!(p["identifier_first"], false);
    for bad in [
        json!({"universal_login_experience": "classic"}),
        json!({"identifier_first": "yes"}),
        json!({"webauthn_platform_first_factor": true}),
    ] {
        let (st, e) = srv.api(Method::PATCH, "/prompts", Some(bad.clone())).await;
        assert_eq!(st, StatusCode::BAD_REQUEST, "{bad}: {e}");
    }
}

async fn identifier_first_asks_the_address_then_the_password_or_its_provider(srv: TestServer) {
    let client = spa(&srv, json!({"name": "Shop"})).await;
    user(&srv, "ada@example.com").await;
    let (st, p) = srv
        .api(
            Method::PATCH,
            "/prompts",
            Some(json!({"identifier_first": true})),
        )
        .await;
    assert_eq!(st, StatusCode::OK, "{p}");
    assert_eq!(p["identifier_first"], true);

    let mut b = Browser::new(&srv);
    let to_login = b.authorize(&code_params(&client, &[])).await;
    let page = b.get(to_login.location.as_deref().unwrap()).await;
    assert!(page.body.contains("/u/login/identifier"), "{}", page.body);
    assert!(
        !page.body.contains(r#"type="password""#),
        "address first: {}",
        page.body
    );
    let (state, csrf) = (page.input("state"), page.input("csrf"));
    let empty = b
        .post_form(
            "/u/login/identifier",
            &[("state", &state), ("csrf", &csrf), ("username", "")],
        )
        .await;
    assert_eq!(empty.status, StatusCode::BAD_REQUEST);
    assert!(
        empty.body.contains("Enter your email address."),
        "{}",
        empty.body
    );
    let pw = b
        .post_form(
            "/u/login/identifier",
            &[
                ("state", &state),
                ("csrf", &csrf),
                ("username", "Ada@Example.com"),
            ],
        )
        .await;
    assert_eq!(pw.status, StatusCode::OK);
    assert!(
        pw.body.contains("<h1>Enter your password</h1>"),
        "{}",
        pw.body
    );
    assert!(
        pw.body
            .contains(r#"<span id="identifier">ada@example.com</span>"#),
        "{}",
        pw.body
    );
    let wrong = b
        .post_form(
            "/u/login",
            &[
                ("state", &state),
                ("csrf", &csrf),
                ("username", "ada@example.com"),
                ("password", "Wrong-Passw0rd!"),
            ],
        )
        .await;
    assert!(
        wrong.body.contains("<h1>Enter your password</h1>")
            && wrong.body.contains("Wrong email or password."),
        "a refused password comes back to the password page: {}",
        wrong.body
    );
    let done = b
        .post_form(
            "/u/login",
            &[
                ("state", &state),
                ("csrf", &csrf),
                ("username", "ada@example.com"),
                ("password", PASSWORD),
            ],
        )
        .await;
    let mut hop = done;
    for _ in 0..5 {
        match hop.location.clone() {
            Some(l) if l.starts_with(CALLBACK) => break,
            Some(l) => hop = b.get(&l).await,
            None => break,
        }
    }
    assert!(
        hop.location
            .as_deref()
            .is_some_and(|l| l.starts_with(CALLBACK) && l.contains("code=")),
        "{:?} {}",
        hop.location,
        hop.body
    );

    // An address whose domain a provider claims goes to that provider.
    let (st, c) = srv
        .api(
            Method::POST,
            "/connections",
            Some(json!({"name": "corp", "strategy": "oauth2", "enabled_clients": [client],
                "options": {"client_id": "corp-id", "client_secret": "corp-secret",
                    "authorizationURL": "https://idp.corp.example/authorize", "tokenURL": "https://idp.corp.example/token",
                    "profileURL": "https://idp.corp.example/me", "scope": "openid",
                    "domain_aliases": ["corp.example"]}})),
        )
        .await;
    assert_eq!(st, StatusCode::CREATED, "{c}");
    let mut b = Browser::new(&srv);
    let to_login = b.authorize(&code_params(&client, &[])).await;
    let page = b.get(to_login.location.as_deref().unwrap()).await;
    let (state, csrf) = (page.input("state"), page.input("csrf"));
    let away = b
        .post_form(
            "/u/login/identifier",
            &[
                ("state", &state),
                ("csrf", &csrf),
                ("username", "grace@corp.example"),
            ],
        )
        .await;
    assert!(
        away.location
            .as_deref()
            .is_some_and(|l| l.starts_with("https://idp.corp.example/authorize?")),
        "{:?} {}",
        away.location,
        away.body
    );
}

/// Headless Chromium renders the login page in each shipped language, at
/// phone and desktop width, with AA contrast (screenshots in
/// docs/branding.md).
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn chromium_renders_the_login_page_in_each_language() {
    use crate::accessible_pages::{assert_contrast, screenshots};
    let srv = TestServer::start(crate::support::Backend::Sqlite).await;
    let client = spa(&srv, json!({"name": "Shop"})).await;
    let browser = crate::webdriver::Chromium::start().await;
    for (lang, title) in [
        ("en", "Welcome"),
        ("de", "Willkommen"),
        ("fr", "Bienvenue"),
        ("es", "Te damos la bienvenida"),
        ("pt", "Boas-vindas"),
        ("ja", "ようこそ"),
    ] {
        let q: String = form_urlencoded::Serializer::new(String::new())
            .extend_pairs(code_params(&client, &[("ui_locales", lang)]))
            .finish();
        browser.goto(&format!("{}/authorize?{q}", srv.url)).await;
        browser
            .wait_for_url(|u| u.contains("/u/login?state="))
            .await;
        let seen = browser
            .execute("return [document.documentElement.lang, document.querySelector('h1').textContent, document.querySelector('label[for=password]').textContent]")
            .await;
        assert_eq!(seen[0], lang);
        assert_eq!(seen[1], title);
        assert!(!seen[2].as_str().unwrap().is_empty());
        assert_contrast(&browser, &format!("login in {lang}")).await;
        screenshots(&browser, &format!("login-{lang}")).await;
    }
    browser.quit().await;
}
