//! `/api/v2/email-templates`: Auth0's Liquid templates, checked when saved and
//! used for the verification, reset and welcome mails; `/api/v2/emails/provider`:
//! the tenant's SMTP relay.

use reqwest::{Method, StatusCode};
use serde_json::{Value, json};

use crate::browser::{Browser, PASSWORD, spa};
use crate::dbconnections::{outbox, outbox_with};
use crate::support::{TestServer, on_both_backends};

on_both_backends!(
    templates_are_checked_when_saved_and_answered_in_auth0_shape,
    enabled_templates_shape_the_mails_and_sign_up_sends_verify_and_welcome,
    the_email_provider_carries_the_mails_and_never_shows_its_password,
    concurrent_patches_of_a_template_all_hold
);

/// Two PATCHes of different fields of one template at once: both hold.
async fn concurrent_patches_of_a_template_all_hold(srv: TestServer) {
    let (st, body) = srv
        .api(
            Method::POST,
            "/email-templates",
            Some(verify("Hi", "<p>{{ url }}</p>")),
        )
        .await;
    assert_eq!(st, StatusCode::OK, "{body}");
    for round in 0..8 {
        let subject = format!("Verify, round {round}");
        let from = format!("Shop {round} <hello@shop.example>");
        let path = "/email-templates/verify_email";
        let (a, b) = tokio::join!(
            srv.api(Method::PATCH, path, Some(json!({"subject": subject}))),
            srv.api(Method::PATCH, path, Some(json!({"from": from}))),
        );
        assert_eq!(a.0, StatusCode::OK, "{}", a.1);
        assert_eq!(b.0, StatusCode::OK, "{}", b.1);
        let (_, t) = srv.api(Method::GET, path, None).await;
        assert_eq!(t["subject"], subject, "round {round}: {t}");
        assert_eq!(t["from"], from, "round {round}: {t}");
    }
}

fn verify(subject: &str, body: &str) -> Value {
    json!({"template": "verify_email", "from": "Shop <hello@shop.example>", "subject": subject,
           "body": body, "syntax": "liquid", "enabled": true, "urlLifetimeInSeconds": 3600})
}

async fn templates_are_checked_when_saved_and_answered_in_auth0_shape(srv: TestServer) {
    let (st, t) = srv
        .api(
            Method::POST,
            "/email-templates",
            Some(verify("Verify", "<p>{{ url }}</p>")),
        )
        .await;
    assert_eq!(st, StatusCode::OK, "{t}");
    assert_eq!(t["template"], "verify_email");
    assert_eq!(t["urlLifetimeInSeconds"], 3600);
    let (st, e) = srv
        .api(
            Method::POST,
            "/email-templates",
            Some(verify("Verify", "<p>{{ url }}</p>")),
        )
        .await;
    assert_eq!(st, StatusCode::CONFLICT, "{e}");
    for bad in [
        json!({"body": "{% if %}"}),
        json!({"subject": "{{ unclosed"}),
        json!({"from": "nobody"}),
        json!({"template": "reset_email"}),
        json!({"colour": "red"}),
    ] {
        let (st, e) = srv
            .api(
                Method::PATCH,
                "/email-templates/verify_email",
                Some(bad.clone()),
            )
            .await;
        assert_eq!(st, StatusCode::BAD_REQUEST, "{bad} -> {e}");
        assert_eq!(e["errorCode"], "invalid_body", "{e}");
    }
    let (st, got) = srv
        .api(Method::GET, "/email-templates/verify_email", None)
        .await;
    assert_eq!(st, StatusCode::OK);
    assert_eq!(got, t, "nothing changed");
    let (st, p) = srv
        .api(
            Method::PATCH,
            "/email-templates/verify_email",
            Some(json!({"subject": "Please verify"})),
        )
        .await;
    assert_eq!(st, StatusCode::OK, "{p}");
    assert_eq!(p["subject"], "Please verify");
    let (st, _) = srv
        .api(Method::GET, "/email-templates/reset_email", None)
        .await;
    assert_eq!(st, StatusCode::NOT_FOUND);
    let (st, _) = srv
        .api(Method::GET, "/email-templates/sms_code", None)
        .await;
    assert_eq!(st, StatusCode::BAD_REQUEST);
    let (st, put) = srv
        .api(
            Method::PUT,
            "/email-templates/reset_email",
            Some(json!({"from": "a@b.example", "subject": "Reset", "body": "{{ url }}", "syntax": "liquid", "enabled": false})),
        )
        .await;
    assert_eq!(st, StatusCode::OK, "{put}");
    assert_eq!(put["template"], "reset_email");
}

/// With verify_email and welcome_email enabled, a sign-up gets both mails, in
/// the template's words and sender, with the user's values escaped; the
/// verification link works. reset_email shapes the reset mail.
async fn enabled_templates_shape_the_mails_and_sign_up_sends_verify_and_welcome(srv: TestServer) {
    let (st, _) = srv
        .api(
            Method::POST,
            "/email-templates",
            Some(verify(
                "Verify your address for {{ application.name }}",
                "<p>Hello {{ user.name }}</p><p><a href=\"{{ url }}\">Verify</a></p>",
            )),
        )
        .await;
    assert_eq!(st, StatusCode::OK);
    let (st, _) = srv
        .api(
            Method::POST,
            "/email-templates",
            Some(json!({"template": "welcome_email", "from": "Shop <hello@shop.example>",
                        "subject": "Welcome to {{ application.name }}", "body": "<p>Welcome, {{ user.email }}!</p>",
                        "syntax": "liquid", "enabled": true})),
        )
        .await;
    assert_eq!(st, StatusCode::OK);
    let app = spa(&srv, json!({})).await;
    let res = srv
        .http
        .post(format!("{}/dbconnections/signup", srv.url))
        .json(
            &json!({"client_id": app, "connection": "Username-Password-Authentication",
                      "email": "bo@example.com", "password": PASSWORD, "name": "<b>Bo</b>"}),
        )
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::OK);
    let mails = outbox_with(&srv, 2).await;
    let verify_mail = mails
        .iter()
        .find(|m| m.contains("Subject: Verify your address for Shop"))
        .unwrap_or_else(|| panic!("{mails:?}"));
    assert!(verify_mail.contains("hello@shop.example"), "{verify_mail}");
    assert!(
        verify_mail.contains("Hello &lt;b&gt;Bo&lt;/b&gt;"),
        "{verify_mail}"
    );
    assert!(!verify_mail.contains("<b>Bo</b></p>"), "{verify_mail}");
    assert!(
        mails
            .iter()
            .any(|m| m.contains("Subject: Welcome to Shop")
                && m.contains("Welcome, bo@example.com!")),
        "{mails:?}"
    );
    let link = verify_mail
        .split(['"', ' ', '\n', '\r'])
        .find(|w| w.contains("/u/email-verification?ticket="))
        .unwrap()
        .trim_matches(|c| c == '(' || c == ')')
        .replace("&amp;", "&");
    let mut b = Browser::new(&srv);
    let page = b.get(&link).await;
    assert_eq!(page.status, StatusCode::OK, "{}", page.body);
    let (_, users) = srv
        .api(Method::GET, "/users-by-email?email=bo%40example.com", None)
        .await;
    assert_eq!(users[0]["email_verified"], true);

    // reset_email: its words for /dbconnections/change_password.
    let (st, _) = srv
        .api(
            Method::POST,
            "/email-templates",
            Some(json!({"template": "reset_email", "from": "Shop <hello@shop.example>",
                        "subject": "Reset for {{ user.email }}", "body": "<a href=\"{{ url }}\">Reset</a>",
                        "syntax": "liquid", "enabled": true, "urlLifetimeInSeconds": 600})),
        )
        .await;
    assert_eq!(st, StatusCode::OK);
    let before = outbox(&srv).len();
    let res = srv
        .http
        .post(format!("{}/dbconnections/change_password", srv.url))
        .json(&json!({"email": "bo@example.com", "connection": "Username-Password-Authentication"}))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::OK);
    let mails = outbox_with(&srv, before + 1).await;
    assert!(
        mails
            .iter()
            .any(|m| m.contains("Subject: Reset for bo@example.com")
                && m.contains("/u/reset-password?ticket=")),
        "{mails:?}"
    );
}

/// Mails go through the tenant's SMTP relay once it is set and enabled (a real
/// SMTP conversation with a receiver the test runs), with its sender; the
/// password is never answered; disabled or removed, the configured mailer
/// (the outbox) is used again.
async fn the_email_provider_carries_the_mails_and_never_shows_its_password(srv: TestServer) {
    let (port, inbox) = crate::dbconnections::smtp_sink().await;
    let (st, e) = srv.api(Method::GET, "/emails/provider", None).await;
    assert_eq!(st, StatusCode::NOT_FOUND, "{e}");
    for bad in [
        json!({"name": "sendgrid", "default_from_address": "a@b.example", "credentials": {"api_key": "k"}}),
        json!({"name": "smtp", "default_from_address": "nobody", "credentials": {"smtp_host": "127.0.0.1", "smtp_port": port}}),
    ] {
        let (st, e) = srv
            .api(Method::POST, "/emails/provider", Some(bad.clone()))
            .await;
        assert_eq!(st, StatusCode::BAD_REQUEST, "{bad} -> {e}");
    }
    let (st, p) = srv
        .api(
            Method::POST,
            "/emails/provider",
            Some(json!({"name": "smtp", "enabled": true, "default_from_address": "Shop <mail@shop.example>",
                        "credentials": {"smtp_host": "127.0.0.1", "smtp_port": port, "smtp_pass": "s3cret-relay"}})),
        )
        .await;
    assert_eq!(st, StatusCode::CREATED, "{p}");
    assert!(!p.to_string().contains("s3cret-relay"), "{p}");
    let (_, got) = srv.api(Method::GET, "/emails/provider", None).await;
    assert!(!got.to_string().contains("s3cret-relay"), "{got}");
    assert_eq!(got["credentials"]["smtp_port"], port);
    let (st, _) = srv
        .api(Method::POST, "/emails/provider", Some(got.clone()))
        .await;
    assert_eq!(st, StatusCode::CONFLICT);

    let uid = {
        let (st, u) = srv
            .api(
                Method::POST,
                "/users",
                Some(json!({"connection": "Username-Password-Authentication", "email": "cy@example.com", "password": PASSWORD})),
            )
            .await;
        assert_eq!(st, StatusCode::CREATED, "{u}");
        u["user_id"].as_str().unwrap().to_string()
    };
    let (st, job) = srv
        .api(
            Method::POST,
            "/jobs/verification-email",
            Some(json!({"user_id": uid})),
        )
        .await;
    assert_eq!(st, StatusCode::CREATED, "{job}");
    assert_eq!(job["status"], "completed", "{job}");
    let got_mail = inbox.lock().unwrap().clone();
    assert_eq!(got_mail.len(), 1, "through the relay: {got_mail:?}");
    assert!(got_mail[0].contains("mail@shop.example"), "{}", got_mail[0]);
    assert!(got_mail[0].contains("cy@example.com"), "{}", got_mail[0]);
    assert!(outbox(&srv).is_empty(), "not the configured outbox");

    // Disabled: the configured mailer again.
    let (st, p) = srv
        .api(
            Method::PATCH,
            "/emails/provider",
            Some(json!({"enabled": false})),
        )
        .await;
    assert_eq!(st, StatusCode::OK, "{p}");
    srv.api(
        Method::POST,
        "/jobs/verification-email",
        Some(json!({"user_id": uid})),
    )
    .await;
    assert_eq!(outbox_with(&srv, 1).await.len(), 1);
    assert_eq!(inbox.lock().unwrap().len(), 1);
    let (st, _) = srv.api(Method::DELETE, "/emails/provider", None).await;
    assert_eq!(st, StatusCode::NO_CONTENT);
    let (st, _) = srv.api(Method::GET, "/emails/provider", None).await;
    assert_eq!(st, StatusCode::NOT_FOUND);
}
