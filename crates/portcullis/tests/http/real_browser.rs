//! A real browser (Debian's headless Chromium, driven over WebDriver) signs in to
//! two applications on their own origins: the login page, the redirect back with a
//! code, the app's server exchanging it for tokens, single sign-on into the second
//! app, and logout.

use std::sync::{Arc, Mutex};

use axum::Router;
use axum::extract::{Query, State};
use axum::response::{Html, IntoResponse, Redirect};
use axum::routing::get;
use reqwest::Method;
use serde_json::{Value, json};

use crate::browser::{CHALLENGE, PASSWORD, VERIFIER, user};
use crate::support::{Backend, TestServer, verify_with_jwks};
use crate::webdriver::Chromium;

/// A minimal web application: a home page, a login link, a callback that
/// exchanges the code on the server side, and a logout link.
#[derive(Clone)]
struct App {
    client_id: String,
    idp: String,
    me: String,
    tokens: Arc<Mutex<Vec<Value>>>,
}

async fn home() -> Html<&'static str> {
    Html("<!doctype html><title>App</title><a id=login href=/login>Log in</a>")
}

async fn login(State(app): State<App>) -> Redirect {
    let q: String = form_urlencoded::Serializer::new(String::new())
        .extend_pairs([
            ("client_id", app.client_id.as_str()),
            ("redirect_uri", &format!("{}/callback", app.me)),
            ("response_type", "code"),
            ("scope", "openid profile email"),
            ("state", "app-state"),
            ("nonce", "app-nonce"),
            ("code_challenge", CHALLENGE),
            ("code_challenge_method", "S256"),
        ])
        .finish();
    Redirect::to(&format!("{}/authorize?{q}", app.idp))
}

async fn callback(
    State(app): State<App>,
    Query(q): Query<std::collections::HashMap<String, String>>,
) -> impl IntoResponse {
    let Some(code) = q.get("code") else {
        return Html(format!(
            "<p id=error>{}</p>",
            q.get("error").cloned().unwrap_or_default()
        ));
    };
    let res: Value = reqwest::Client::new()
        .post(format!("{}/oauth/token", app.idp))
        .form(&[
            ("grant_type", "authorization_code"),
            ("client_id", app.client_id.as_str()),
            ("code", code),
            ("redirect_uri", &format!("{}/callback", app.me)),
            ("code_verifier", VERIFIER),
        ])
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    app.tokens.lock().unwrap().push(res.clone());
    let email = res["id_token"]
        .as_str()
        .and_then(|t| t.split('.').nth(1))
        .and_then(|p| {
            base64::Engine::decode(&base64::engine::general_purpose::URL_SAFE_NO_PAD, p).ok()
        })
        .and_then(|b| serde_json::from_slice::<Value>(&b).ok())
        .and_then(|c| c["email"].as_str().map(str::to_string))
        .unwrap_or_default();
    Html(format!(
        "<!doctype html><title>App</title><p id=who>Signed in as {email}</p>"
    ))
}

async fn logout(State(app): State<App>) -> Redirect {
    let q: String = form_urlencoded::Serializer::new(String::new())
        .extend_pairs([
            ("client_id", app.client_id.as_str()),
            ("returnTo", &format!("{}/", app.me)),
        ])
        .finish();
    Redirect::to(&format!("{}/v2/logout?{q}", app.idp))
}

/// Registers an application and serves it on its own port.
async fn start_app(srv: &TestServer, name: &str) -> App {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let me = format!("http://127.0.0.1:{}", listener.local_addr().unwrap().port());
    let (st, c) = srv
        .api(
            Method::POST,
            "/clients",
            Some(
                json!({"name": name, "app_type": "spa", "callbacks": [format!("{me}/callback")],
                        "allowed_logout_urls": [format!("{me}/")], "web_origins": [me]}),
            ),
        )
        .await;
    assert_eq!(st.as_u16(), 201, "{c}");
    let app = App {
        client_id: c["client_id"].as_str().unwrap().to_string(),
        idp: srv.url.clone(),
        me,
        tokens: Arc::default(),
    };
    let router = Router::new()
        .route("/", get(home))
        .route("/login", get(login))
        .route("/callback", get(callback))
        .route("/logout", get(logout))
        .with_state(app.clone());
    tokio::spawn(async move { axum::serve(listener, router).await });
    app
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn chromium_signs_in_gets_sso_in_a_second_app_and_logs_out() {
    let srv = TestServer::start(Backend::Sqlite).await;
    user(&srv, "ada@example.com").await;
    let shop = start_app(&srv, "Shop").await;
    let blog = start_app(&srv, "Blog").await;
    let browser = Chromium::start().await;

    // The app sends the browser to the login page.
    browser.goto(&format!("{}/", shop.me)).await;
    browser.click("#login").await;
    browser
        .wait_for_url(|u| u.starts_with(&format!("{}/u/login?state=", srv.url)))
        .await;
    let page = browser.source().await;
    assert!(
        page.contains("Shop"),
        "the login page names the application"
    );
    if let Ok(dir) = std::env::var("PORTCULLIS_SCREENSHOT_DIR") {
        for (name, w, h) in [
            ("login-desktop.png", 1280, 800),
            ("login-phone.png", 390, 844),
        ] {
            browser.set_window(w, h).await;
            std::fs::write(
                std::path::Path::new(&dir).join(name),
                browser.screenshot().await,
            )
            .unwrap();
        }
    }

    // Sign in; the app receives a code and exchanges it for tokens.
    browser
        .type_into("input[name=username]", "ada@example.com")
        .await;
    browser.type_into("input[name=password]", PASSWORD).await;
    browser.click("button[type=submit]").await;
    browser
        .wait_for_url(|u| u.starts_with(&format!("{}/callback?", shop.me)))
        .await;
    assert!(
        browser
            .source()
            .await
            .contains("Signed in as ada@example.com")
    );
    let tokens = shop
        .tokens
        .lock()
        .unwrap()
        .pop()
        .expect("the app received tokens");
    let id = verify_with_jwks(&srv, tokens["id_token"].as_str().unwrap(), &shop.client_id).await;
    assert_eq!(id["nonce"], "app-nonce");

    // Single sign-on: the second app gets a code with no login form.
    browser.goto(&format!("{}/login", blog.me)).await;
    let at = browser
        .wait_for_url(|u| u.starts_with(&format!("{}/callback?", blog.me)))
        .await;
    assert!(at.contains("code="), "{at}");
    assert!(
        browser
            .source()
            .await
            .contains("Signed in as ada@example.com")
    );
    let blog_tokens = blog
        .tokens
        .lock()
        .unwrap()
        .pop()
        .expect("the second app received tokens");
    let blog_id = verify_with_jwks(
        &srv,
        blog_tokens["id_token"].as_str().unwrap(),
        &blog.client_id,
    )
    .await;
    assert_eq!(blog_id["sid"], id["sid"], "one session");

    // Logout ends the session: the next sign-in shows the form again.
    browser.goto(&format!("{}/logout", shop.me)).await;
    browser.wait_for_url(|u| u == format!("{}/", shop.me)).await;
    browser.goto(&format!("{}/login", blog.me)).await;
    browser
        .wait_for_url(|u| u.starts_with(&format!("{}/u/login?state=", srv.url)))
        .await;
    browser.quit().await;
}
