//! The hosted login page: generic failures, brute-force blocking, CSRF and browser
//! binding, escaping, signup, consent, blocked users, CORS.

use reqwest::{Method, StatusCode};
use serde_json::json;

use crate::browser::{Browser, CALLBACK, PASSWORD, code_params, exchange, spa, user};
use crate::support::on_both_backends;

on_both_backends!(
    wrong_credentials_get_one_generic_message,
    repeated_failures_block_the_account_for_a_while,
    a_disabled_blocked_account_template_sends_no_mail,
    login_post_needs_csrf_token_and_same_browser,
    pages_escape_everything_they_render,
    third_party_apps_need_consent,
    consent_names_each_permissions_api_and_offline_access_only_when_granted,
    signup_creates_the_user_and_signs_in,
    blocked_user_is_refused,
    cors_allows_registered_origins_only,
    oidc_logout_checks_the_redirect_and_returns_state
);

/// Wrong password and unknown e-mail look the same to the person; the audit log
/// tells them apart (`fp`, `fu`).
async fn wrong_credentials_get_one_generic_message(srv: crate::support::TestServer) {
    let a = spa(&srv, json!({})).await;
    user(&srv, "ada@example.com").await;
    let mut b = Browser::new(&srv);
    let to = b.authorize(&code_params(&a, &[])).await;
    let wrong = b
        .submit_login(&to, "ada@example.com", "Wr0ng-password")
        .await;
    let to = b.authorize(&code_params(&a, &[])).await;
    let unknown = b
        .submit_login(&to, "nobody@example.com", "Wr0ng-password")
        .await;
    for p in [&wrong, &unknown] {
        assert_eq!(p.status, StatusCode::UNAUTHORIZED);
        assert!(p.body.contains("Wrong email or password."));
        assert!(p.location.is_none());
    }
    let (_, fp) = srv.api(Method::GET, "/logs?q=type%3Afp", None).await;
    let (_, fu) = srv.api(Method::GET, "/logs?q=type%3Afu", None).await;
    assert_eq!(
        (fp.as_array().unwrap().len(), fu.as_array().unwrap().len()),
        (1, 1)
    );
    assert!(
        !fp.to_string().contains("Wr0ng-password"),
        "no password in logs"
    );
}

/// Auth0's brute-force protection: after 10 failures for one account from one
/// IP, even the right password is refused for a while, and the block is logged.
async fn repeated_failures_block_the_account_for_a_while(srv: crate::support::TestServer) {
    let a = spa(&srv, json!({})).await;
    user(&srv, "ada@example.com").await;
    let mut b = Browser::new(&srv);
    let to = b.authorize(&code_params(&a, &[])).await;
    let loc = to.location.clone().unwrap();
    let page = b.get(&loc).await;
    let (state, csrf) = (page.input("state"), page.input("csrf"));
    for _ in 0..10 {
        let p = b
            .post_form(
                "/u/login",
                &[
                    ("state", &state),
                    ("csrf", &csrf),
                    ("username", "ada@example.com"),
                    ("password", "nope"),
                ],
            )
            .await;
        assert_eq!(p.status, StatusCode::UNAUTHORIZED);
    }
    let p = b
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
    assert_eq!(p.status, StatusCode::TOO_MANY_REQUESTS);
    assert!(
        p.body.contains("Your account has been blocked"),
        "{}",
        p.body
    );
    assert!(p.location.is_none());
    let (_, logs) = srv.api(Method::GET, "/logs?q=type%3Alimit_wc", None).await;
    assert_eq!(logs.as_array().unwrap().len(), 1);

    // The owner is told, with a link that lifts the block (Auth0's
    // blocked-account e-mail).
    let mails = crate::dbconnections::outbox_with(&srv, 1).await;
    assert_eq!(mails.len(), 1, "one mail for one block");
    assert!(mails[0].contains("To: ada@example.com"), "{}", mails[0]);
    assert!(
        mails[0].contains("Subject: Your account has been blocked"),
        "{}",
        mails[0]
    );
    let link = mails[0]
        .split_whitespace()
        .find(|w| w.contains("/u/unblock?ticket="))
        .unwrap()
        .to_string();
    let ticket = link.split("ticket=").nth(1).unwrap().to_string();
    // Not a verification link, and opening it spends nothing (mail scanners
    // open links).
    let wrong = b
        .get(&format!("/u/email-verification?ticket={ticket}"))
        .await;
    assert_eq!(wrong.status, StatusCode::BAD_REQUEST);
    for _ in 0..2 {
        let page = b.get(&link).await;
        assert_eq!(page.status, StatusCode::OK, "{}", page.body);
        assert!(page.body.contains("Unblock my account"), "{}", page.body);
    }
    let forged = b.post_form("/u/unblock", &[("ticket", "forged")]).await;
    assert_eq!(forged.status, StatusCode::BAD_REQUEST);
    let done = b.post_form("/u/unblock", &[("ticket", &ticket)]).await;
    assert_eq!(done.status, StatusCode::OK, "{}", done.body);
    assert!(
        done.body.contains("Your account is unblocked"),
        "{}",
        done.body
    );
    let again = b.post_form("/u/unblock", &[("ticket", &ticket)]).await;
    assert_eq!(again.status, StatusCode::BAD_REQUEST, "single use");
    let (_, released) = srv.api(Method::GET, "/logs?q=type%3Aublkdu", None).await;
    assert_eq!(released.as_array().unwrap().len(), 1);
    let p = b
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
    assert!(
        p.location.is_some(),
        "signed in again: {} {}",
        p.status,
        p.body
    );

    // A second block within the window sends no second mail (one mail per
    // account per window, however many blocks start).
    let mut b = Browser::new(&srv);
    let to = b.authorize(&code_params(&a, &[])).await;
    let page = b.get(&to.location.unwrap()).await;
    let (state, csrf) = (page.input("state"), page.input("csrf"));
    for _ in 0..10 {
        b.post_form(
            "/u/login",
            &[
                ("state", &state),
                ("csrf", &csrf),
                ("username", "ada@example.com"),
                ("password", "nope"),
            ],
        )
        .await;
    }
    let (_, logs) = srv.api(Method::GET, "/logs?q=type%3Alimit_wc", None).await;
    assert_eq!(logs.as_array().unwrap().len(), 2, "blocked again");
    tokio::time::sleep(std::time::Duration::from_millis(500)).await;
    assert_eq!(
        crate::dbconnections::outbox(&srv).len(),
        1,
        "still one mail"
    );
}

/// A tenant that saved the `blocked_account` template disabled sends no
/// blocked-account e-mail; the block itself holds as before.
async fn a_disabled_blocked_account_template_sends_no_mail(srv: crate::support::TestServer) {
    let (st, body) = srv
        .api(
            Method::POST,
            "/email-templates",
            Some(json!({"template": "blocked_account", "enabled": false, "from": "security@example.com", "subject": "Blocked", "body": "<p>{{ url }}</p>", "syntax": "liquid"})),
        )
        .await;
    assert_eq!(st, StatusCode::OK, "{body}");
    let a = spa(&srv, json!({})).await;
    user(&srv, "ada@example.com").await;
    let mut b = Browser::new(&srv);
    let to = b.authorize(&code_params(&a, &[])).await;
    let page = b.get(&to.location.unwrap()).await;
    let (state, csrf) = (page.input("state"), page.input("csrf"));
    for _ in 0..11 {
        b.post_form(
            "/u/login",
            &[
                ("state", &state),
                ("csrf", &csrf),
                ("username", "ada@example.com"),
                ("password", "nope"),
            ],
        )
        .await;
    }
    let (_, logs) = srv.api(Method::GET, "/logs?q=type%3Alimit_wc", None).await;
    assert_eq!(logs.as_array().unwrap().len(), 1);
    tokio::time::sleep(std::time::Duration::from_millis(500)).await;
    assert!(crate::dbconnections::outbox(&srv).is_empty());
}

/// A login POST needs the transaction's CSRF token and the browser that started
/// it; without either, nothing happens and no session is made.
async fn login_post_needs_csrf_token_and_same_browser(srv: crate::support::TestServer) {
    let a = spa(&srv, json!({})).await;
    user(&srv, "ada@example.com").await;
    let mut b = Browser::new(&srv);
    let to = b.authorize(&code_params(&a, &[])).await;
    let page = b.get(to.location.as_deref().unwrap()).await;
    let state = page.input("state");
    let p = b
        .post_form(
            "/u/login",
            &[
                ("state", &state),
                ("csrf", "forged"),
                ("username", "ada@example.com"),
                ("password", PASSWORD),
            ],
        )
        .await;
    assert_eq!(p.status, StatusCode::FORBIDDEN);
    let mut attacker = Browser::new(&srv);
    let p = attacker
        .post_form(
            "/u/login",
            &[
                ("state", &state),
                ("csrf", &page.input("csrf")),
                ("username", "ada@example.com"),
                ("password", PASSWORD),
            ],
        )
        .await;
    assert_eq!(p.status, StatusCode::BAD_REQUEST);
    assert!(p.location.is_none() && !attacker.jar.contains_key("portcullis_session"));
    assert!(!b.jar.contains_key("portcullis_session"));
    let p = b
        .post_form("/u/login", &[("state", &state), ("state", &state)])
        .await;
    assert_eq!(p.status, StatusCode::BAD_REQUEST);
}

/// Script in every text field comes back escaped.
async fn pages_escape_everything_they_render(srv: crate::support::TestServer) {
    let xss = "\"><script>alert(1)</script>";
    let (_, c) = srv.api(Method::POST, "/clients", Some(json!({"name": "Evil app", "app_type": "spa", "callbacks": [CALLBACK], "is_first_party": false}))).await;
    let a = c["client_id"].as_str().unwrap().to_string();
    let mut b = Browser::new(&srv);
    let to = b.authorize(&code_params(&a, &[("login_hint", xss)])).await;
    let page = b.get(to.location.as_deref().unwrap()).await;
    assert!(!page.body.contains("<script>alert(1)"), "{}", page.body);
    assert!(
        page.body.contains("&quot;&gt;&lt;script&gt;"),
        "{}",
        page.body
    );
    let p = b
        .post_form(
            "/u/login",
            &[
                ("state", &page.input("state")),
                ("csrf", &page.input("csrf")),
                ("username", xss),
                ("password", "x"),
            ],
        )
        .await;
    assert!(!p.body.contains("<script>alert(1)"));
    let p = b
        .authorize(&code_params(
            &a,
            &[("redirect_uri", "https://x/<script>alert(1)</script>")],
        ))
        .await;
    assert!(!p.body.contains("<script>alert(1)"));
    // A display name with markup is refused at the API.
    let (st, _) = srv
        .api(Method::POST, "/clients", Some(json!({"name": "<b>x</b>"})))
        .await;
    assert_eq!(st, StatusCode::BAD_REQUEST);
    // A user's name with markup is stored, and escaped on the consent page.
    srv.api(Method::POST, "/users", Some(json!({"connection": "Username-Password-Authentication", "email": "x@example.com", "password": PASSWORD, "name": xss}))).await;
    let to = b.authorize(&code_params(&a, &[])).await;
    let consent = b.submit_login(&to, "x@example.com", PASSWORD).await;
    let page = b.get(consent.location.as_deref().unwrap()).await;
    assert_eq!(page.status, StatusCode::OK);
    assert!(!page.body.contains("<script>alert(1)"));
    assert!(page.body.contains("&lt;script&gt;"));
}

/// Third-party applications ask for consent; accepting gives a code, declining
/// `access_denied`; consent given is remembered.
async fn third_party_apps_need_consent(srv: crate::support::TestServer) {
    let a = spa(&srv, json!({"is_first_party": false})).await;
    user(&srv, "ada@example.com").await;
    let mut b = Browser::new(&srv);
    let to = b.authorize(&code_params(&a, &[])).await;
    let consent = b.submit_login(&to, "ada@example.com", PASSWORD).await;
    assert!(
        consent
            .location
            .as_deref()
            .unwrap()
            .starts_with("/u/consent?state=")
    );
    let page = b.get(consent.location.as_deref().unwrap()).await;
    assert!(
        page.body
            .contains("button type=\"submit\" name=\"action\" value=\"accept\"")
    );
    let silent = b.authorize(&code_params(&a, &[("prompt", "none")])).await;
    assert_eq!(silent.redirect_params()["error"], "consent_required");
    let deny = b
        .post_form(
            "/u/consent",
            &[
                ("state", &page.input("state")),
                ("csrf", &page.input("csrf")),
                ("action", "deny"),
            ],
        )
        .await;
    assert_eq!(deny.redirect_params()["error"], "access_denied");
    let to = b.authorize(&code_params(&a, &[])).await;
    let page = b.get(to.location.as_deref().unwrap()).await;
    let ok = b
        .post_form(
            "/u/consent",
            &[
                ("state", &page.input("state")),
                ("csrf", &page.input("csrf")),
                ("action", "accept"),
            ],
        )
        .await;
    assert!(ok.redirect_params().contains_key("code"));
    let silent = b.authorize(&code_params(&a, &[("prompt", "none")])).await;
    assert!(
        silent.redirect_params().contains_key("code"),
        "consent remembered"
    );
}

/// Issue 13: the consent page names the API each permission belongs to, and
/// offers `offline_access` only when a refresh token will be issued.
async fn consent_names_each_permissions_api_and_offline_access_only_when_granted(
    srv: crate::support::TestServer,
) {
    let api = "https://orders.example/";
    let (st, rs) = srv
        .api(
            Method::POST,
            "/resource-servers",
            Some(json!({"identifier": api, "name": "Orders",
        "scopes": [{"value": "read:orders", "description": "Read your orders"}]})),
        )
        .await;
    assert_eq!(st, StatusCode::CREATED, "{rs}");
    let a = spa(&srv, json!({"is_first_party": false})).await;
    user(&srv, "ada@example.com").await;
    let mut b = Browser::new(&srv);
    let params = [
        ("audience", api),
        ("scope", "openid read:orders offline_access"),
    ];
    let to = b.authorize(&code_params(&a, &params)).await;
    let consent = b.submit_login(&to, "ada@example.com", PASSWORD).await;
    let page = b.get(consent.location.as_deref().unwrap()).await;
    assert!(
        page.body.contains("read:orders")
            && page.body.contains("on Orders")
            && page.body.contains("Read your orders"),
        "{}",
        page.body
    );
    assert!(
        !page.body.contains("offline_access"),
        "the API gives no refresh tokens: {}",
        page.body
    );
    let (st, _) = srv
        .api(
            Method::PATCH,
            &format!("/resource-servers/{}", rs["id"].as_str().unwrap()),
            Some(json!({"allow_offline_access": true})),
        )
        .await;
    assert_eq!(st, StatusCode::OK);
    let to = b.authorize(&code_params(&a, &params)).await;
    let page = b.get(to.location.as_deref().unwrap()).await;
    assert!(page.body.contains("offline_access"), "{}", page.body);
}

/// Sign up from the login page: policy errors are shown, then the new user is
/// signed in and the app gets a code.
async fn signup_creates_the_user_and_signs_in(srv: crate::support::TestServer) {
    let a = spa(&srv, json!({})).await;
    let mut b = Browser::new(&srv);
    let to = b
        .authorize(&code_params(&a, &[("screen_hint", "signup")]))
        .await;
    assert!(
        to.location
            .as_deref()
            .unwrap()
            .starts_with("/u/signup?state=")
    );
    let page = b.get(to.location.as_deref().unwrap()).await;
    let (state, csrf) = (page.input("state"), page.input("csrf"));
    let weak = b
        .post_form(
            "/u/signup",
            &[
                ("state", &state),
                ("csrf", &csrf),
                ("username", "new@example.com"),
                ("password", "weak"),
            ],
        )
        .await;
    assert_eq!(weak.status, StatusCode::BAD_REQUEST);
    assert!(weak.body.contains("too weak"));
    let ok = b
        .post_form(
            "/u/signup",
            &[
                ("state", &state),
                ("csrf", &csrf),
                ("username", "new@example.com"),
                ("password", PASSWORD),
            ],
        )
        .await;
    let (st, t) = exchange(&srv, &a, &ok.redirect_params()["code"]).await;
    assert_eq!(st, StatusCode::OK, "{t}");
    let (_, found) = srv
        .api(Method::GET, "/users-by-email?email=new@example.com", None)
        .await;
    assert_eq!(found[0]["logins_count"], 1);
    let (_, ss) = srv.api(Method::GET, "/logs?q=type%3Ass", None).await;
    assert_eq!(ss.as_array().unwrap().len(), 1);
}

/// A blocked user is refused with Auth0's `user is blocked`.
async fn blocked_user_is_refused(srv: crate::support::TestServer) {
    let a = spa(&srv, json!({})).await;
    let uid = user(&srv, "ada@example.com").await;
    srv.api(
        Method::PATCH,
        &format!("/users/{}", crate::token_endpoint::urlenc(&uid)),
        Some(json!({"blocked": true})),
    )
    .await;
    let mut b = Browser::new(&srv);
    let to = b.authorize(&code_params(&a, &[])).await;
    let back = b.submit_login(&to, "ada@example.com", PASSWORD).await;
    let p = back.redirect_params();
    assert_eq!(p["error"], "access_denied");
    assert_eq!(p["error_description"], "user is blocked");
}

/// CORS for SPAs on their own origin, with the Auth0-Client header allowed.
async fn cors_allows_registered_origins_only(srv: crate::support::TestServer) {
    spa(&srv, json!({})).await;
    for (origin, ok) in [
        ("https://app.example", true),
        ("https://evil.example", false),
    ] {
        let res = srv
            .http
            .request(Method::OPTIONS, format!("{}/oauth/token", srv.url))
            .header("origin", origin)
            .header("access-control-request-method", "POST")
            .header(
                "access-control-request-headers",
                "content-type,auth0-client",
            )
            .send()
            .await
            .unwrap();
        assert_eq!(res.status().is_success(), ok, "{origin}");
        if ok {
            assert_eq!(res.headers()["access-control-allow-origin"], origin);
            assert!(
                res.headers()["access-control-allow-headers"]
                    .to_str()
                    .unwrap()
                    .contains("Auth0-Client")
            );
        }
        let res = srv
            .http
            .post(format!("{}/oauth/token", srv.url))
            .header("origin", origin)
            .form(&[("grant_type", "x")])
            .send()
            .await
            .unwrap();
        assert_eq!(
            res.headers().get("access-control-allow-origin").is_some(),
            ok
        );
    }
}

/// RP-Initiated Logout: id_token_hint names the app, the redirect must be one of
/// its logout URLs, and state comes back.
async fn oidc_logout_checks_the_redirect_and_returns_state(srv: crate::support::TestServer) {
    let a = spa(&srv, json!({})).await;
    user(&srv, "ada@example.com").await;
    let mut b = Browser::new(&srv);
    let to = b.authorize(&code_params(&a, &[])).await;
    let back = b.submit_login(&to, "ada@example.com", PASSWORD).await;
    let (_, t) = exchange(&srv, &a, &back.redirect_params()["code"]).await;
    let hint = t["id_token"].as_str().unwrap();
    let bad = b.get(&format!("/oidc/logout?id_token_hint={hint}&post_logout_redirect_uri=https%3A%2F%2Fevil.example%2F")).await;
    assert_eq!(bad.status, StatusCode::BAD_REQUEST);
    assert!(bad.location.is_none());
    let out = b.get(&format!("/oidc/logout?id_token_hint={hint}&post_logout_redirect_uri=https%3A%2F%2Fapp.example%2Fbye&state=s1")).await;
    assert_eq!(
        out.location.as_deref(),
        Some("https://app.example/bye?state=s1")
    );
    let after = b.authorize(&code_params(&a, &[("prompt", "none")])).await;
    assert_eq!(after.redirect_params()["error"], "login_required");
    let v2 = b
        .get(&format!(
            "/v2/logout?client_id={a}&returnTo=https%3A%2F%2Fevil.example%2F"
        ))
        .await;
    assert_eq!(v2.status, StatusCode::BAD_REQUEST);
}

/// WCAG 2.1 AA contrast of the hosted pages' stylesheet, computed from the
/// colours it declares (issue 13: input borders were 1.57:1, the footer's small
/// text 2.73:1): text at least 4.5:1, input borders (1.4.11) at least 3:1.
#[test]
fn stylesheet_colours_meet_wcag_aa_contrast() {
    let css = include_str!("../../src/http/pages/static/portcullis.css");
    let rule = |selector: &str| -> String {
        let start = css
            .find(&format!("{selector}{{"))
            .unwrap_or_else(|| panic!("no rule {selector}"));
        let body = &css[start + selector.len() + 1..];
        body[..body.find('}').unwrap()].to_string()
    };
    let colour = |selector: &str, prop: &str| -> String {
        let decls = rule(selector);
        let value = decls
            .split(';')
            .find_map(|d| {
                d.trim()
                    .strip_prefix(&format!("{prop}:"))
                    .map(str::to_string)
            })
            .unwrap_or_else(|| panic!("no {prop} in {selector}"));
        let hex = value
            .split_whitespace()
            .find(|w| w.starts_with('#'))
            .unwrap()
            .trim_start_matches('#')
            .to_string();
        // #abc is #aabbcc.
        if hex.len() == 3 {
            hex.chars().flat_map(|c| [c, c]).collect()
        } else {
            hex
        }
    };
    fn luminance(h: &str) -> f64 {
        let c = |i: usize| {
            let v = f64::from(u8::from_str_radix(&h[i..i + 2], 16).unwrap()) / 255.0;
            if v <= 0.03928 {
                v / 12.92
            } else {
                ((v + 0.055) / 1.055).powf(2.4)
            }
        };
        0.2126 * c(0) + 0.7152 * c(2) + 0.0722 * c(4)
    }
    let ratio = |a: &str, b: &str| {
        let (x, y) = (luminance(a), luminance(b));
        (x.max(y) + 0.05) / (x.min(y) + 0.05)
    };
    let page = colour("body", "background");
    let card = colour(".card", "background");
    let inputs = "input[type=email],input[type=password],input[type=text],input[type=tel]";
    let checks = [
        ("body text", colour("body", "color"), card.clone(), 4.5),
        (".app", colour(".app", "color"), card.clone(), 4.5),
        (".lead", colour(".lead", "color"), card.clone(), 4.5),
        (".hint", colour(".hint", "color"), card.clone(), 4.5),
        ("links", colour("a", "color"), card.clone(), 4.5),
        (".foot", colour(".foot", "color"), page.clone(), 4.5),
        (
            "button",
            colour("button", "color"),
            colour("button", "background"),
            4.5,
        ),
        (
            ".error",
            colour(".error", "color"),
            colour(".error", "background"),
            4.5,
        ),
        ("input border", colour(inputs, "border"), card.clone(), 3.0),
    ];
    for (what, fg, bg, min) in checks {
        let r = ratio(&fg, &bg);
        assert!(
            r >= min,
            "{what}: #{fg} on #{bg} is {r:.2}:1, needs {min}:1"
        );
    }
}

/// `href` of the page's way-back link (`a.button`), if any.
fn back_link(body: &str) -> Option<String> {
    let i = body.find("<a class=\"button\" href=\"")? + "<a class=\"button\" href=\"".len();
    // As a browser reads the attribute: minijinja writes `/` as `&#x2f;`.
    Some(
        body[i..]
            .split('"')
            .next()?
            .replace("&#x2f;", "/")
            .replace("&amp;", "&"),
    )
}

on_both_backends!(
    dead_end_pages_lead_back_and_fold_technical_detail,
    form_errors_are_tied_to_their_fields
);

/// Issue 13: the pages that end a flow lead back: "Check your email" to the
/// login page, "Password changed" and an expired link to the application,
/// an expired login page to the application while its request is stored;
/// error pages speak to the person and fold the technical detail away.
async fn dead_end_pages_lead_back_and_fold_technical_detail(srv: crate::support::TestServer) {
    let a = spa(&srv, json!({})).await;
    user(&srv, "ada@example.com").await;
    let mut b = Browser::new(&srv);
    let to = b.authorize(&code_params(&a, &[])).await;
    let login = b.get(to.location.as_deref().unwrap()).await;
    let state = login.input("state");
    let forgot = b.get(&format!("/u/forgot?state={state}")).await;
    let sent = b
        .post_form(
            "/u/forgot",
            &[
                ("state", &state),
                ("csrf", &forgot.input("csrf")),
                ("username", "ada@example.com"),
            ],
        )
        .await;
    assert!(sent.body.contains("Check your email"));
    assert_eq!(
        back_link(&sent.body),
        Some(format!("/u/login?state={state}"))
    );
    assert_eq!(
        b.get(&back_link(&sent.body).unwrap()).await.status,
        StatusCode::OK,
        "the login page still works"
    );

    let mails = crate::dbconnections::outbox_with(&srv, 1).await;
    let link = mails[0]
        .split_whitespace()
        .find(|w| w.contains("/u/reset-password?ticket="))
        .unwrap()
        .to_string();
    let page = b.get(&link).await;
    let done = b
        .post_form(
            "/u/reset-password",
            &[
                ("ticket", &page.input("ticket")),
                ("csrf", &page.input("csrf")),
                ("password", "N3w-password"),
            ],
        )
        .await;
    assert_eq!(done.status, StatusCode::OK, "{}", done.body);
    assert!(done.body.contains("Password changed"));
    assert_eq!(
        back_link(&done.body).as_deref(),
        Some("https://app.example/")
    );
    assert!(done.body.contains("Back to Shop"));
    let spent = b.get(&link).await;
    assert!(spent.body.contains("This link has expired"));
    assert_eq!(
        back_link(&spent.body).as_deref(),
        Some("https://app.example/")
    );
    let unknown = b.get("/u/reset-password?ticket=nothing-like-it").await;
    assert!(unknown.body.contains("This link has expired"));
    assert_eq!(back_link(&unknown.body), None, "no application is known");

    // An expired login page: the request is still stored, so the app is known.
    let to = b.authorize(&code_params(&a, &[])).await;
    srv.server.as_ref().unwrap().state.advance_clock(601);
    let late = b.get(to.location.as_deref().unwrap()).await;
    assert_eq!(late.status, StatusCode::BAD_REQUEST);
    assert!(late.body.contains("This page has expired"));
    assert_eq!(
        back_link(&late.body).as_deref(),
        Some("https://app.example/")
    );

    // Error pages: words for the person, the detail folded.
    let bad = b
        .authorize(&code_params(
            &a,
            &[("redirect_uri", "https://evil.example/cb")],
        ))
        .await;
    assert_eq!(bad.status, StatusCode::BAD_REQUEST);
    assert!(
        bad.body.contains("<h1>We could not sign you in</h1>"),
        "{}",
        bad.body
    );
    let folded = bad
        .body
        .split("<details class=\"detail\"><summary>Technical details</summary>")
        .nth(1)
        .unwrap();
    assert!(folded.contains("Callback URL mismatch"), "{}", bad.body);
    assert_eq!(
        back_link(&bad.body).as_deref(),
        Some("https://app.example/")
    );
    let out = b
        .get(&format!(
            "/v2/logout?client_id={a}&returnTo=https%3A%2F%2Fevil.example%2F"
        ))
        .await;
    assert!(out.body.contains("<h1>We could not sign you out</h1>"));
    assert!(out.body.contains("Logout URL not allowed"));
    assert_eq!(
        back_link(&out.body).as_deref(),
        Some("https://app.example/")
    );
}

/// Issue 13: an error names its fields (`aria-invalid`, `aria-describedby`)
/// and puts the focus on the first; a hint stays described.
async fn form_errors_are_tied_to_their_fields(srv: crate::support::TestServer) {
    let a = spa(&srv, json!({})).await;
    user(&srv, "ada@example.com").await;
    let mut b = Browser::new(&srv);
    let to = b.authorize(&code_params(&a, &[])).await;
    let login = b.get(to.location.as_deref().unwrap()).await;
    assert!(
        login
            .body
            .contains("autocomplete=\"username\" value=\"\" required autofocus>"),
        "{}",
        login.body
    );
    assert!(!login.body.contains("aria-invalid"));
    let wrong = b
        .submit_login(&to, "ada@example.com", "Wr0ng-password")
        .await;
    assert!(wrong.body.contains(
        "<p class=\"error\" id=\"form-error\" role=\"alert\">Wrong email or password.</p>"
    ));
    assert!(wrong.body.contains("autocomplete=\"current-password\" required aria-invalid=\"true\" aria-describedby=\"form-error\" autofocus>"), "{}", wrong.body);
    assert!(wrong.body.contains("value=\"ada@example.com\" required aria-invalid=\"true\" aria-describedby=\"form-error\">"), "{}", wrong.body);
    assert!(wrong.body.contains("<button type=\"button\" class=\"reveal\" aria-controls=\"password\" aria-pressed=\"false\" hidden>Show password</button>"));

    let signup = b
        .get(&format!("/u/signup?state={}", wrong.input("state")))
        .await;
    assert!(signup.body.contains("aria-describedby=\"password-hint\""));
    let weak = b
        .post_form(
            "/u/signup",
            &[
                ("state", &signup.input("state")),
                ("csrf", &signup.input("csrf")),
                ("username", "new@example.com"),
                ("password", "weak"),
            ],
        )
        .await;
    assert!(weak.body.contains("required aria-invalid=\"true\" aria-describedby=\"form-error password-hint\" autofocus>"), "{}", weak.body);
    let taken = b
        .post_form(
            "/u/signup",
            &[
                ("state", &signup.input("state")),
                ("csrf", &signup.input("csrf")),
                ("username", "ada@example.com"),
                ("password", PASSWORD),
            ],
        )
        .await;
    assert_eq!(taken.status, StatusCode::CONFLICT);
    assert!(taken.body.contains("value=\"ada@example.com\" required aria-invalid=\"true\" aria-describedby=\"form-error\" autofocus>"), "{}", taken.body);
    // The script that makes the toggle work is ours, allowed by the CSP.
    assert!(
        wrong.headers["content-security-policy"]
            .to_str()
            .unwrap()
            .contains("script-src 'self'")
    );
    let js = b.get("/u/static/portcullis.js").await;
    assert_eq!(js.status, StatusCode::OK);
    assert!(
        js.headers["content-type"]
            .to_str()
            .unwrap()
            .starts_with("text/javascript")
    );
}
