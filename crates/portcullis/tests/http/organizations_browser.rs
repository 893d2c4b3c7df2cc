//! Organizations in headless Chromium: an invitation read from the outbox is
//! accepted (the sign-up page for the invited address, in the
//! organization's colours), then the person signs in to an application that
//! requires an organization through the prompt for its name. Each page
//! passes the contrast check at phone and desktop width, and is
//! photographed for docs/organizations.md (`PORTCULLIS_SCREENSHOT_DIR`).

use reqwest::{Method, StatusCode};
use serde_json::json;

use crate::accessible_pages::{assert_contrast, screenshots};
use crate::browser::{CALLBACK, PASSWORD, code_params, exchange, spa};
use crate::dbconnections::outbox_with;
use crate::support::{Backend, TestServer, verify_with_jwks};
use crate::webdriver::Chromium;

fn authorize_url(srv: &TestServer, client: &str, extra: &[(&str, &str)]) -> String {
    let query: String = form_urlencoded::Serializer::new(String::new())
        .extend_pairs(code_params(client, extra))
        .finish();
    format!("{}/authorize?{query}", srv.url)
}

/// The authorization code the browser came back to the application with.
fn code_of(url: &str) -> String {
    let query = url.split_once('?').map(|x| x.1).unwrap_or_default();
    form_urlencoded::parse(query.as_bytes())
        .find(|(k, _)| k == "code")
        .map(|(_, v)| v.into_owned())
        .unwrap_or_else(|| panic!("no code in {url}"))
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn chromium_accepts_an_invitation_and_signs_in_through_the_organization_prompt() {
    let srv = TestServer::start(Backend::Sqlite).await;
    let client = spa(
        &srv,
        json!({"organization_usage": "require", "organization_require_behavior": "pre_login_prompt",
               "initiate_login_uri": "https://app.example/login"}),
    )
    .await;
    let db = srv.connection_id("Username-Password-Authentication").await;
    let (st, org) = srv
        .api(
            Method::POST,
            "/organizations",
            Some(json!({"name": "acme", "display_name": "Acme Corp",
                        "branding": {"colors": {"primary": "#ffd400", "page_background": "#102030"}},
                        "enabled_connections": [{"connection_id": db}]})),
        )
        .await;
    assert_eq!(st, StatusCode::CREATED, "{org}");
    let org_id = org["id"].as_str().unwrap().to_string();
    let (st, inv) = srv
        .api(
            Method::POST,
            &format!("/organizations/{org_id}/invitations"),
            Some(
                json!({"inviter": {"name": "Ann"}, "invitee": {"email": "new@example.com"},
                        "client_id": client}),
            ),
        )
        .await;
    assert_eq!(st, StatusCode::CREATED, "{inv}");

    // The link in the e-mail, as the application passes it on.
    let mail = outbox_with(&srv, 1).await.remove(0);
    let start = mail.find("https://app.example/login?").expect("the link");
    let link: String = mail[start..]
        .split(|c: char| c.is_whitespace() || c == '"' || c == '<' || c == ')')
        .next()
        .unwrap()
        .replace("&amp;", "&");
    let q: std::collections::HashMap<String, String> =
        form_urlencoded::parse(link.split_once('?').unwrap().1.as_bytes())
            .into_owned()
            .collect();
    let browser = Chromium::start().await;
    browser
        .goto(&authorize_url(
            &srv,
            &client,
            &[
                ("invitation", &q["invitation"]),
                ("organization", &q["organization"]),
            ],
        ))
        .await;
    browser
        .wait_for_url(|u| u.contains("/u/signup?state="))
        .await;
    let filled = browser
        .execute("return document.getElementById('username').value")
        .await;
    assert_eq!(filled, "new@example.com");
    let look = browser
        .execute("return [getComputedStyle(document.body).backgroundColor, document.querySelector('header.brand .app').textContent]")
        .await;
    assert_eq!(
        look,
        json!(["rgb(16, 32, 48)", "Acme Corp"]),
        "the organization's look"
    );
    assert_contrast(&browser, "invitation sign-up").await;
    screenshots(&browser, "organization-invitation").await;
    browser.type_into("#password", PASSWORD).await;
    browser.click("form button[type=submit]").await;
    let back = browser.wait_for_url(|u| u.starts_with(CALLBACK)).await;
    let (st, t) = exchange(&srv, &client, &code_of(&back)).await;
    assert_eq!(st, StatusCode::OK, "{t}");
    let id = verify_with_jwks(&srv, t["id_token"].as_str().unwrap(), &client).await;
    assert_eq!(id["org_id"], json!(org_id));

    // The next login (a new session): the organization's name first.
    browser
        .goto(&authorize_url(&srv, &client, &[("prompt", "login")]))
        .await;
    browser
        .wait_for_url(|u| u.contains("/u/organization?state="))
        .await;
    let focus = browser.execute("return document.activeElement.id").await;
    assert_eq!(focus, "organization", "the field has the focus");
    assert_contrast(&browser, "organization prompt").await;
    screenshots(&browser, "organization-prompt").await;
    browser.type_into("#organization", "acme").await;
    browser.click("form button[type=submit]").await;
    browser
        .wait_for_url(|u| u.contains("/u/login?state="))
        .await;
    assert_contrast(&browser, "organization login").await;
    screenshots(&browser, "organization-login").await;
    browser.type_into("#username", "new@example.com").await;
    browser.type_into("#password", PASSWORD).await;
    browser.click("form button[type=submit]").await;
    let back = browser.wait_for_url(|u| u.starts_with(CALLBACK)).await;
    let (st, t) = exchange(&srv, &client, &code_of(&back)).await;
    assert_eq!(st, StatusCode::OK, "{t}");
    let id = verify_with_jwks(&srv, t["id_token"].as_str().unwrap(), &client).await;
    assert_eq!(id["org_id"], json!(org_id));
    browser.quit().await;
}
