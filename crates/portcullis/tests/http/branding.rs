//! Branding (issue 23 item 2): `/api/v2/branding` and the Universal Login
//! page template in Auth0's shapes, checked when saved; every hosted page
//! and the built-in mails wear the tenant's look; the tenant's template keeps
//! the strict CSP (its `<style>` blocks by hash, no script).

use base64::Engine;
use reqwest::{Method, StatusCode};
use serde_json::json;

use crate::browser::{code_params, spa, user};
use crate::support::{TestServer, on_both_backends};

on_both_backends!(
    branding_merges_checks_and_refuses_bad_input_changing_nothing,
    templates_are_checked_when_saved_and_answered_as_auth0,
    hosted_pages_and_mails_wear_the_tenant_look,
    concurrent_branding_changes_of_different_fields_all_hold
);

/// A merge PATCH reads, merges and stores only if nobody changed the
/// branding meanwhile (compare-and-set): concurrent changes of different
/// fields all hold, from the very first (no row yet) on.
async fn concurrent_branding_changes_of_different_fields_all_hold(srv: TestServer) {
    for round in 0..8 {
        let logo = format!("https://cdn.example/logo-{round}.png");
        let favicon = format!("https://cdn.example/favicon-{round}.ico");
        let primary = format!("#0000{round:02}");
        let font = format!("https://fonts.example/{round}.woff2");
        let patch = |body| srv.api(Method::PATCH, "/branding", Some(body));
        let (a, b, c, d) = tokio::join!(
            patch(json!({"logo_url": logo})),
            patch(json!({"favicon_url": favicon})),
            patch(json!({"colors": {"primary": primary}})),
            patch(json!({"font": {"url": font}})),
        );
        for (st, body) in [a, b, c, d] {
            assert_eq!(st, StatusCode::OK, "{body}");
        }
        let (_, got) = srv.api(Method::GET, "/branding", None).await;
        assert_eq!(
            got,
            json!({"logo_url": logo, "favicon_url": favicon,
                   "colors": {"primary": primary}, "font": {"url": font}}),
            "round {round}"
        );
    }
}

const TEMPLATE: &str = r#"<!DOCTYPE html>{% assign resolved_dir = dir | default: "auto" %}<html lang="{{locale}}" dir="{{resolved_dir}}"><head>{%- auth0:head -%}<style>body{background:#0b1d3a}.tenant-banner{color:#fff;text-align:center;font:600 1.2rem system-ui}</style></head><body><p class="tenant-banner">Welcome to {{ application.name }} at {{ tenant.friendly_name }}</p>{%- auth0:widget -%}</body></html>"#;

async fn branding_merges_checks_and_refuses_bad_input_changing_nothing(srv: TestServer) {
    let (st, b) = srv.api(Method::GET, "/branding", None).await;
    assert_eq!((st, b), (StatusCode::OK, json!({})));
    let (st, b) = srv
        .api(
            Method::PATCH,
            "/branding",
            Some(
                json!({"colors": {"primary": "#0059d6", "page_background": "#f4f4f8"},
                        "logo_url": "https://cdn.example/logo.png",
                        "favicon_url": "https://cdn.example/favicon.ico",
                        "font": {"url": "https://fonts.example/inter.woff2"}}),
            ),
        )
        .await;
    assert_eq!(st, StatusCode::OK, "{b}");
    let (st, b) = srv
        .api(
            Method::PATCH,
            "/branding",
            Some(json!({"colors": {"primary": "#123"}, "favicon_url": null})),
        )
        .await;
    assert_eq!(st, StatusCode::OK, "{b}");
    assert_eq!(
        b,
        json!({"colors": {"primary": "#123", "page_background": "#f4f4f8"},
               "logo_url": "https://cdn.example/logo.png",
               "font": {"url": "https://fonts.example/inter.woff2"}})
    );
    for (bad, field) in [
        (json!({"colors": {"primary": "blue"}}), "colors.primary"),
        (
            json!({"colors": {"page_background": "#12"}}),
            "colors.page_background",
        ),
        (
            json!({"logo_url": "http://cdn.example/logo.png"}),
            "logo_url",
        ),
        (json!({"favicon_url": "javascript:alert(1)"}), "favicon_url"),
        (
            json!({"font": {"url": "data:font/woff2;base64,AA"}}),
            "font.url",
        ),
        (
            json!({"colors": {"page_background": {"type": "conic", "start": "#fff", "end": "#000", "angle_deg": 10}}}),
            "page_background.type",
        ),
        (json!({"theme": "dark"}), "theme"),
        (
            json!({"font": {"url": "https://cdn.example/f.woff2\");}*{background:url(https://evil.example/x)}x{x:url(\""}}),
            "font.url",
        ),
    ] {
        let (st, e) = srv.api(Method::PATCH, "/branding", Some(bad.clone())).await;
        assert_eq!(st, StatusCode::BAD_REQUEST, "{bad}: {e}");
        assert_eq!(e["statusCode"], 400);
        assert!(e["message"].as_str().unwrap().contains(field), "{bad}: {e}");
    }
    let (_, after) = srv.api(Method::GET, "/branding", None).await;
    assert_eq!(after, b, "refused changes change nothing");
}

async fn templates_are_checked_when_saved_and_answered_as_auth0(srv: TestServer) {
    let path = "/branding/templates/universal-login";
    let (st, e) = srv.api(Method::GET, path, None).await;
    assert_eq!(st, StatusCode::NOT_FOUND, "{e}");
    for (bad, why) in [
        (
            "<html><head>{%- auth0:head -%}</head><body></body></html>".to_string(),
            "auth0:widget",
        ),
        (
            TEMPLATE.replace("</head>", "<script>alert(1)</script></head>"),
            "script",
        ),
        (
            TEMPLATE.replace("<body>", "<body>{% if x %}"),
            "not valid Liquid",
        ),
        ("x".repeat(102_401), "102400"),
        (
            TEMPLATE.replace(
                "body{background:#0b1d3a}",
                "body{background:{{ branding.colors.primary }}}",
            ),
            "<style> block must not hold Liquid",
        ),
        (
            TEMPLATE.replace(
                "{{ application.name }}",
                "{{ application.name | url_decode }}",
            ),
            "url_decode",
        ),
        (
            TEMPLATE.replace("{{ application.name }}", "{{ organization.display_name }}"),
            "does not render",
        ),
        (
            TEMPLATE.replace(
                "{%- auth0:widget -%}",
                "{% if prompt.name == 'nope' %}{%- auth0:widget -%}{% endif %}",
            ),
            "once each",
        ),
        (
            TEMPLATE.replace("<body>", "<body>{% for i in (1..100000000) %}.{% endfor %}"),
            "at most 100 passes",
        ),
    ] {
        let (st, e) = srv
            .api(Method::PUT, path, Some(json!({ "template": bad })))
            .await;
        assert_eq!(st, StatusCode::BAD_REQUEST, "{why}: {e}");
        assert!(e["message"].as_str().unwrap().contains(why), "{why}: {e}");
    }
    let (st, e) = srv.api(Method::GET, path, None).await;
    assert_eq!(st, StatusCode::NOT_FOUND, "nothing saved: {e}");
    let (st, _) = srv
        .api(Method::PUT, path, Some(json!({ "template": TEMPLATE })))
        .await;
    assert_eq!(st, StatusCode::CREATED);
    let (st, t) = srv.api(Method::GET, path, None).await;
    assert_eq!((st, t), (StatusCode::OK, json!({ "body": TEMPLATE })));
    // As text/html, as Auth0 also takes it.
    let page = TEMPLATE.replace("Welcome", "Hello");
    let res = srv
        .http
        .put(format!("{}/api/v2{path}", srv.url))
        .bearer_auth(srv.admin_token().await)
        .header("content-type", "text/html")
        .body(page.clone())
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::CREATED);
    let (_, t) = srv.api(Method::GET, path, None).await;
    assert_eq!(t["body"], page);
    let (st, _) = srv.api(Method::DELETE, path, None).await;
    assert_eq!(st, StatusCode::NO_CONTENT);
    let (st, _) = srv.api(Method::GET, path, None).await;
    assert_eq!(st, StatusCode::NOT_FOUND);
}

/// The login page of `client`, with its CSP.
async fn login_page(srv: &TestServer, client: &str) -> (String, String) {
    let mut b = crate::browser::Browser::new(srv);
    let to_login = b.authorize(&code_params(client, &[])).await;
    let page = b.get(&to_login.location.clone().unwrap()).await;
    assert_eq!(page.status, StatusCode::OK, "{}", page.body);
    let csp = page
        .headers
        .get("content-security-policy")
        .map(|v| v.to_str().unwrap().to_string())
        .unwrap_or_default();
    (page.body, csp)
}

async fn hosted_pages_and_mails_wear_the_tenant_look(srv: TestServer) {
    let (st, _) = srv
        .api(
            Method::PATCH,
            "/tenants/settings",
            Some(json!({"friendly_name": "Acme & Co"})),
        )
        .await;
    assert_eq!(st, StatusCode::OK);
    let client = spa(&srv, json!({"name": "Shop & \"One\""})).await;
    let (st, _) = srv
        .api(
            Method::PATCH,
            "/branding",
            Some(
                json!({"colors": {"primary": "#ffd400", "page_background": "#0b1d3a"},
                        "logo_url": "https://cdn.example/logo.png",
                        "favicon_url": "https://cdn.example/favicon.ico",
                        "font": {"url": "https://fonts.example/inter.woff2"}}),
            ),
        )
        .await;
    assert_eq!(st, StatusCode::OK);

    let (html, csp) = login_page(&srv, &client).await;
    assert!(html.contains("/u/branding.css?v="), "{html}");
    assert!(
        html.contains(r#"<link rel="icon" href="https:&#x2f;&#x2f;cdn.example&#x2f;favicon.ico">"#),
        "{html}"
    );
    assert!(
        html.contains(r#"src="https:&#x2f;&#x2f;cdn.example&#x2f;logo.png""#),
        "the tenant's logo when the application has none: {html}"
    );
    assert!(csp.contains("font-src https://fonts.example"), "{csp}");
    let css = srv
        .http
        .get(format!("{}/u/branding.css", srv.url))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(
        css.contains("background:#ffd400;color:#000000"),
        "yellow buttons get black labels: {css}"
    );
    assert!(
        css.contains("body{background:#0b1d3a}.foot{color:#ffffff}"),
        "{css}"
    );
    assert!(css.contains("https://fonts.example/inter.woff2"), "{css}");
    // Cached only under the version pages link; any other is not kept.
    let v = html
        .split("/u/branding.css?v=")
        .nth(1)
        .unwrap()
        .split('"')
        .next()
        .unwrap()
        .to_string();
    for (query, cache) in [
        (format!("v={v}"), "public, max-age=3600"),
        ("v=old".into(), "no-store"),
    ] {
        let res = srv
            .http
            .get(format!("{}/u/branding.css?{query}", srv.url))
            .send()
            .await
            .unwrap();
        assert_eq!(res.headers()["cache-control"], cache, "{query}");
    }

    // An application's own logo comes first.
    let (st, c) = srv
        .api(
            Method::PATCH,
            &format!("/clients/{client}"),
            Some(json!({"logo_uri": "https://shop.example/app.png"})),
        )
        .await;
    assert_eq!(st, StatusCode::OK, "{c}");
    let (html, _) = login_page(&srv, &client).await;
    assert!(
        html.contains(r#"src="https:&#x2f;&#x2f;shop.example&#x2f;app.png""#),
        "{html}"
    );

    // The tenant's page template around every hosted page.
    let (st, _) = srv
        .api(
            Method::PUT,
            "/branding/templates/universal-login",
            Some(json!({ "template": TEMPLATE })),
        )
        .await;
    assert_eq!(st, StatusCode::CREATED);
    let (html, csp) = login_page(&srv, &client).await;
    assert!(
        html.contains(
            r#"<p class="tenant-banner">Welcome to Shop &amp; &quot;One&quot; at Acme &amp; Co</p>"#
        ),
        "values escaped in the tenant's Liquid: {html}"
    );
    assert!(html.contains(r#"<html lang="en" dir="ltr">"#), "{html}");
    assert!(html.contains("<form"), "the widget is in place: {html}");
    assert!(
        html.contains("/u/static/portcullis.css"),
        "the head is in place"
    );
    let style = "body{background:#0b1d3a}.tenant-banner{color:#fff;text-align:center;font:600 1.2rem system-ui}";
    let digest = aws_lc_rs::digest::digest(&aws_lc_rs::digest::SHA256, style.as_bytes());
    let hash = base64::engine::general_purpose::STANDARD.encode(digest.as_ref());
    assert!(
        csp.contains(&format!("style-src 'self' 'sha256-{hash}'")),
        "the template's style by hash: {csp}"
    );
    assert!(
        csp.contains("script-src 'self';"),
        "no script beyond ours: {csp}"
    );
    // Other pages too: sign-up and an error page.
    let res = srv
        .http
        .get(format!(
            "{}/authorize?client_id=nope&response_type=code",
            srv.url
        ))
        .send()
        .await
        .unwrap();
    let error_page = res.text().await.unwrap();
    assert!(error_page.contains("tenant-banner"), "{error_page}");

    // Built-in mails carry the logo.
    user(&srv, "ada@example.com").await;
    let before = crate::dbconnections::outbox(&srv).len();
    let res = srv
        .http
        .post(format!("{}/dbconnections/change_password", srv.url))
        .json(&json!({"client_id": client, "connection": "Username-Password-Authentication", "email": "ada@example.com"}))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::OK);
    let mails = crate::dbconnections::outbox_with(&srv, before + 1).await;
    let mail = mails.last().unwrap();
    assert!(
        mail.contains(r#"<img src="https://cdn.example/logo.png""#),
        "{mail}"
    );
}

/// Headless Chromium renders the login page in the tenant's template, colours
/// and logo, at phone and desktop width, with AA contrast.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn chromium_renders_the_login_page_in_the_tenants_look() {
    use crate::accessible_pages::{assert_contrast, screenshots};
    let srv = TestServer::start(crate::support::Backend::Sqlite).await;
    let logo = format!(
        "data:image/svg+xml;base64,{}",
        base64::engine::general_purpose::STANDARD.encode(
            r##"<svg xmlns="http://www.w3.org/2000/svg" width="96" height="48"><rect width="96" height="48" rx="8" fill="#ffd400"/><text x="48" y="31" font-size="18" text-anchor="middle" font-family="sans-serif">ACME</text></svg>"##
        )
    );
    let (st, _) = srv
        .api(
            Method::PATCH,
            "/tenants/settings",
            Some(json!({"friendly_name": "Acme"})),
        )
        .await;
    assert_eq!(st, StatusCode::OK);
    // A logo by https is what the API takes; the test serves none, so the
    // page's <img> is pointed at an inline image after the fact.
    let (st, e) = srv
        .api(
            Method::PATCH,
            "/branding",
            Some(
                json!({"colors": {"primary": "#ffd400", "page_background": "#0b1d3a"},
                        "logo_url": "https://cdn.example/logo.svg"}),
            ),
        )
        .await;
    assert_eq!(st, StatusCode::OK, "{e}");
    let (st, _) = srv
        .api(
            Method::PUT,
            "/branding/templates/universal-login",
            Some(json!({ "template": TEMPLATE })),
        )
        .await;
    assert_eq!(st, StatusCode::CREATED);
    let client = spa(&srv, json!({"name": "Shop"})).await;
    let browser = crate::webdriver::Chromium::start().await;
    let q: String = form_urlencoded::Serializer::new(String::new())
        .extend_pairs(code_params(&client, &[]))
        .finish();
    browser.goto(&format!("{}/authorize?{q}", srv.url)).await;
    browser
        .wait_for_url(|u| u.contains("/u/login?state="))
        .await;
    browser
        .execute(&format!(
            "document.querySelector('img.logo').src = '{logo}'; return true"
        ))
        .await;
    let look = browser
        .execute(
            "const b = getComputedStyle(document.querySelector('button[type=submit]'));
             return [getComputedStyle(document.body).backgroundColor, b.backgroundColor, b.color,
                     document.querySelector('.tenant-banner').textContent,
                     getComputedStyle(document.querySelector('.tenant-banner')).color]",
        )
        .await;
    assert_eq!(
        look,
        json!([
            "rgb(11, 29, 58)",
            "rgb(255, 212, 0)",
            "rgb(0, 0, 0)",
            "Welcome to Shop at Acme",
            "rgb(255, 255, 255)"
        ]),
        "the tenant's colours, readable labels, the template's own style"
    );
    assert_contrast(&browser, "branded login").await;
    screenshots(&browser, "branding-login").await;
    browser.quit().await;
}
