//! E-mail verification: `POST /api/v2/jobs/verification-email`,
//! `POST /api/v2/tickets/email-verification`, `GET /api/v2/jobs/{id}` and the
//! page their links open.

use reqwest::{Method, StatusCode};
use serde_json::{Value, json};

use crate::browser::{Browser, PASSWORD};
use crate::dbconnections::{outbox, outbox_with};
use crate::support::{TestServer, on_both_backends};
use crate::token_endpoint::urlenc;

on_both_backends!(
    a_verification_email_verifies_the_address_once,
    a_verification_link_does_not_verify_a_changed_address,
    verification_requests_refuse_bad_input_and_send_nothing
);

async fn unverified(srv: &TestServer, email: &str) -> String {
    let (st, u) = srv
        .api(
            Method::POST,
            "/users",
            Some(json!({"connection": "Username-Password-Authentication", "email": email, "password": PASSWORD})),
        )
        .await;
    assert_eq!(st, StatusCode::CREATED, "{u}");
    u["user_id"].as_str().unwrap().to_string()
}

async fn verified(srv: &TestServer, id: &str) -> Value {
    let (_, u) = srv
        .api(Method::GET, &format!("/users/{}", urlenc(id)), None)
        .await;
    u["email_verified"].clone()
}

async fn a_verification_email_verifies_the_address_once(srv: TestServer) {
    let id = unverified(&srv, "ada@example.com").await;
    let (st, job) = srv
        .api(
            Method::POST,
            "/jobs/verification-email",
            Some(json!({"user_id": id})),
        )
        .await;
    assert_eq!(st, StatusCode::CREATED, "{job}");
    assert_eq!(job["type"], "verification_email");
    assert_eq!(job["status"], "completed");
    let job_id = job["id"].as_str().unwrap();
    assert!(job_id.starts_with("job_"), "{job}");
    let (st, again) = srv.api(Method::GET, &format!("/jobs/{job_id}"), None).await;
    assert_eq!(st, StatusCode::OK);
    assert_eq!(again, job);

    let mails = outbox_with(&srv, 1).await;
    assert!(mails[0].contains("To: ada@example.com"), "{}", mails[0]);
    assert!(
        mails[0].contains("Subject: Verify your e-mail address"),
        "{}",
        mails[0]
    );
    let link = mails[0]
        .split_whitespace()
        .find(|w| w.contains("/u/email-verification?ticket="))
        .unwrap()
        .to_string();
    assert_eq!(verified(&srv, &id).await, false);
    let mut b = Browser::new(&srv);
    let page = b.get(&link).await;
    assert_eq!(page.status, StatusCode::OK, "{}", page.body);
    assert!(
        page.body.contains("E-mail address verified"),
        "{}",
        page.body
    );
    assert_eq!(verified(&srv, &id).await, true);
    let again = b.get(&link).await;
    assert_eq!(again.status, StatusCode::BAD_REQUEST, "single use");
    for t in ["svr", "sv", "fv"] {
        let (_, logs) = srv
            .api(Method::GET, &format!("/logs?q=type%3A{t}"), None)
            .await;
        assert_eq!(logs.as_array().unwrap().len(), 1, "{t}: {logs}");
    }
}

async fn ticket(srv: &TestServer, id: &str) -> String {
    let (st, t) = srv
        .api(
            Method::POST,
            "/tickets/email-verification",
            Some(json!({"user_id": id, "result_url": "https://app.example/welcome", "includeEmailInRedirect": true})),
        )
        .await;
    assert_eq!(st, StatusCode::CREATED, "{t}");
    t["ticket"].as_str().unwrap().to_string()
}

/// A link is for the address it was sent to: after the user changes address,
/// it verifies nothing. The ticket API sends no mail and honours result_url.
async fn a_verification_link_does_not_verify_a_changed_address(srv: TestServer) {
    let id = unverified(&srv, "ada@example.com").await;
    let first = ticket(&srv, &id).await;
    let second = ticket(&srv, &id).await;
    assert!(first.starts_with(&format!("{}u/email-verification?ticket=", srv.issuer)));
    let (st, _) = srv
        .api(
            Method::PATCH,
            &format!("/users/{}", urlenc(&id)),
            Some(json!({"email": "ada@new.example"})),
        )
        .await;
    assert_eq!(st, StatusCode::OK);
    let mut b = Browser::new(&srv);
    let page = b.get(&first).await;
    assert_eq!(page.status, StatusCode::BAD_REQUEST, "{}", page.body);
    assert_eq!(verified(&srv, &id).await, false);
    // Back to the address the link was for: the other link verifies it and
    // leads on to result_url with the address.
    let (st, _) = srv
        .api(
            Method::PATCH,
            &format!("/users/{}", urlenc(&id)),
            Some(json!({"email": "ada@example.com"})),
        )
        .await;
    assert_eq!(st, StatusCode::OK);
    let page = b.get(&second).await;
    assert_eq!(page.status, StatusCode::OK, "{}", page.body);
    assert!(
        page.body
            .replace("&#x2f;", "/")
            .contains("href=\"https://app.example/welcome?email=ada%40example.com\""),
        "{}",
        page.body
    );
    assert_eq!(verified(&srv, &id).await, true);
    assert!(outbox(&srv).is_empty(), "tickets send no mail");
}

async fn verification_requests_refuse_bad_input_and_send_nothing(srv: TestServer) {
    let id = unverified(&srv, "ada@example.com").await;
    for (path, body, status) in [
        (
            "/tickets/email-verification",
            json!({}),
            StatusCode::BAD_REQUEST,
        ),
        (
            "/tickets/email-verification",
            json!({"user_id": "auth0|nobody"}),
            StatusCode::NOT_FOUND,
        ),
        (
            "/tickets/email-verification",
            json!({"user_id": id, "identity": {"user_id": "1", "provider": "google-oauth2"}}),
            StatusCode::BAD_REQUEST,
        ),
        (
            "/tickets/email-verification",
            json!({"user_id": id, "client_id": "nope"}),
            StatusCode::NOT_FOUND,
        ),
        (
            "/jobs/verification-email",
            json!({"user_id": "auth0|nobody"}),
            StatusCode::NOT_FOUND,
        ),
        (
            "/jobs/verification-email",
            json!({"user_id": id, "client_id": "nope"}),
            StatusCode::NOT_FOUND,
        ),
        (
            "/jobs/verification-email",
            json!({"user_id": id, "extra": 1}),
            StatusCode::BAD_REQUEST,
        ),
    ] {
        let (st, e) = srv.api(Method::POST, path, Some(body.clone())).await;
        assert_eq!(st, status, "{path} {body} -> {e}");
        assert!(e["errorCode"].is_string(), "{e}");
    }
    let (st, _) = srv.api(Method::GET, "/jobs/job_nothere", None).await;
    assert_eq!(st, StatusCode::NOT_FOUND);
    tokio::time::sleep(std::time::Duration::from_millis(200)).await;
    assert!(outbox(&srv).is_empty());
    assert_eq!(verified(&srv, &id).await, false);
}
