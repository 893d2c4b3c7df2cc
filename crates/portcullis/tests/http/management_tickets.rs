//! `POST /api/v2/tickets/password-change`: Auth0's password-change tickets.

use reqwest::{Method, StatusCode};
use serde_json::{Value, json};

use crate::browser::{Browser, PASSWORD};
use crate::dbconnections::{outbox, outbox_with};
use crate::support::on_both_backends;

const DB: &str = "Username-Password-Authentication";

on_both_backends!(
    password_change_ticket_is_a_single_use_link_that_can_verify_the_email,
    ticket_by_email_with_send_email_mails_the_link_and_logs_the_caller,
    invalid_ticket_requests_are_refused_and_change_nothing
);

async fn unverified_user(srv: &crate::support::TestServer, email: &str) -> String {
    let (st, u) = srv
        .api(
            Method::POST,
            "/users",
            Some(json!({"connection": DB, "email": email, "password": PASSWORD})),
        )
        .await;
    assert_eq!(st, StatusCode::CREATED, "{u}");
    assert_eq!(u["email_verified"], false);
    u["user_id"].as_str().unwrap().to_string()
}

fn enc(s: &str) -> String {
    crate::token_endpoint::urlenc(s)
}

/// Auth0's shape: `201 {"ticket": url}`; no e-mail goes out (the caller hands
/// the link on); the link sets a password once, marks the address verified when
/// asked, and the page then links to `result_url` with the e-mail in it.
async fn password_change_ticket_is_a_single_use_link_that_can_verify_the_email(
    srv: crate::support::TestServer,
) {
    let id = unverified_user(&srv, "ada@example.com").await;
    let (st, body) = srv
        .api(
            Method::POST,
            "/tickets/password-change",
            Some(json!({"user_id": id, "mark_email_as_verified": true, "ttl_sec": 600,
                        "result_url": "https://app.example/after?x=1", "includeEmailInRedirect": true})),
        )
        .await;
    assert_eq!(st, StatusCode::CREATED, "{body}");
    assert_eq!(body.as_object().unwrap().len(), 1, "only `ticket`: {body}");
    let link = body["ticket"].as_str().unwrap();
    assert!(
        link.starts_with(&format!("{}u/reset-password?ticket=", srv.issuer)),
        "{link}"
    );
    tokio::time::sleep(std::time::Duration::from_millis(300)).await;
    assert!(outbox(&srv).is_empty(), "a ticket alone sends no mail");

    let mut b = Browser::new(&srv);
    let page = b.get(link).await;
    assert_eq!(page.status, StatusCode::OK, "{}", page.body);
    let (ticket, csrf) = (page.input("ticket"), page.input("csrf"));
    let form = [
        ("ticket", ticket.as_str()),
        ("csrf", csrf.as_str()),
        ("password", "N3w-password"),
    ];
    let done = b.post_form("/u/reset-password", &form).await;
    assert_eq!(done.status, StatusCode::OK, "{}", done.body);
    assert!(
        done.body
            .replace("&#x2f;", "/")
            .contains("href=\"https://app.example/after?x=1&amp;email=ada%40example.com\""),
        "{}",
        done.body
    );
    let again = b.post_form("/u/reset-password", &form).await;
    assert_eq!(again.status, StatusCode::BAD_REQUEST, "single use");
    let (_, u) = srv
        .api(Method::GET, &format!("/users/{}", enc(&id)), None)
        .await;
    assert_eq!(u["email_verified"], true, "{u}");

    // A ticket verifies the address it was made for only: after the user's
    // address changed, it still sets the password but verifies nothing.
    let other = unverified_user(&srv, "cy@example.com").await;
    let (_, body) = srv
        .api(
            Method::POST,
            "/tickets/password-change",
            Some(json!({"user_id": other, "mark_email_as_verified": true})),
        )
        .await;
    let link = body["ticket"].as_str().unwrap().to_string();
    let (st, _) = srv
        .api(
            Method::PATCH,
            &format!("/users/{}", enc(&other)),
            Some(json!({"email": "cy.new@example.com", "email_verified": false})),
        )
        .await;
    assert_eq!(st, StatusCode::OK);
    let page = b.get(&link).await;
    let (ticket, csrf) = (page.input("ticket"), page.input("csrf"));
    let done = b
        .post_form(
            "/u/reset-password",
            &[
                ("ticket", ticket.as_str()),
                ("csrf", csrf.as_str()),
                ("password", "N3w-password"),
            ],
        )
        .await;
    assert_eq!(done.status, StatusCode::OK, "{}", done.body);
    let (_, u) = srv
        .api(Method::GET, &format!("/users/{}", enc(&other)), None)
        .await;
    assert_eq!(
        u["email_verified"], false,
        "the new address is not verified: {u}"
    );
}

/// By e-mail and connection id, with Portcullis's `send_email`: the link goes
/// to the user's mailbox, the answer says it did, and the log shows who asked
/// (`sapi`, with the caller) and the mail (`scpr`).
async fn ticket_by_email_with_send_email_mails_the_link_and_logs_the_caller(
    srv: crate::support::TestServer,
) {
    let id = unverified_user(&srv, "bob@example.com").await;
    let connection_id = srv.connection_id(DB).await;
    let (st, body) = srv
        .api(
            Method::POST,
            "/tickets/password-change",
            Some(json!({"email": "Bob@Example.com", "connection_id": connection_id, "send_email": true})),
        )
        .await;
    assert_eq!(st, StatusCode::CREATED, "{body}");
    assert_eq!(body["email_sent"], true, "{body}");
    let mails = outbox_with(&srv, 1).await;
    assert!(mails[0].contains("To: bob@example.com"), "{}", mails[0]);
    assert!(
        mails[0].contains(body["ticket"].as_str().unwrap()),
        "the mailed link is the ticket"
    );
    assert!(mails[0].contains("for 5 days"), "{}", mails[0]);
    let (_, logs) = srv.api(Method::GET, "/logs?q=type%3Asapi", None).await;
    let sapi: Vec<&Value> = logs
        .as_array()
        .unwrap()
        .iter()
        .filter(|l| l["details"]["request"]["path"] == "/api/v2/tickets/password-change")
        .collect();
    assert_eq!(sapi.len(), 1, "{logs}");
    let (_, scpr) = srv
        .api(Method::GET, &format!("/users/{}/logs", enc(&id)), None)
        .await;
    assert!(
        scpr.as_array().unwrap().iter().any(|l| l["type"] == "scpr"),
        "{scpr}"
    );
}

/// Each bad request gets Auth0's error, makes no ticket and sends no mail.
async fn invalid_ticket_requests_are_refused_and_change_nothing(srv: crate::support::TestServer) {
    let id = unverified_user(&srv, "eve@example.com").await;
    let cases = [
        (json!({}), StatusCode::BAD_REQUEST, "invalid_body"),
        (
            json!({"user_id": "auth0|nobody", "send_email": true}),
            StatusCode::NOT_FOUND,
            "inexistent_user",
        ),
        (
            json!({"user_id": id, "email": "eve@example.com", "connection_id": format!("con_{DB}"), "send_email": true}),
            StatusCode::BAD_REQUEST,
            "invalid_body",
        ),
        (
            json!({"email": "eve@example.com", "send_email": true}),
            StatusCode::BAD_REQUEST,
            "invalid_body",
        ),
        (
            json!({"email": "eve@example.com", "connection_id": "con_nope", "send_email": true}),
            StatusCode::NOT_FOUND,
            "inexistent_connection",
        ),
        (
            json!({"user_id": id, "client_id": "nope", "send_email": true}),
            StatusCode::NOT_FOUND,
            "inexistent_client",
        ),
        (
            json!({"user_id": id, "client_id": "portcullis-dashboard", "send_email": true}),
            StatusCode::NOT_FOUND,
            "inexistent_client",
        ),
        (
            json!({"user_id": id, "result_url": "https://a.example/", "client_id": "x", "send_email": true}),
            StatusCode::BAD_REQUEST,
            "invalid_body",
        ),
        (
            json!({"user_id": id, "result_url": "javascript:alert(1)", "send_email": true}),
            StatusCode::BAD_REQUEST,
            "invalid_body",
        ),
        (
            json!({"user_id": id, "ttl_sec": -5, "send_email": true}),
            StatusCode::BAD_REQUEST,
            "invalid_body",
        ),
        (
            json!({"user_id": id, "new_password": "x", "send_email": true}),
            StatusCode::BAD_REQUEST,
            "invalid_body",
        ),
        (
            json!({"user_id": id, "organization_id": "org_1", "send_email": true}),
            StatusCode::NOT_FOUND,
            "inexistent_organization",
        ),
    ];
    for (body, status, code) in cases {
        let (st, err) = srv
            .api(Method::POST, "/tickets/password-change", Some(body.clone()))
            .await;
        assert_eq!(st, status, "{body} -> {err}");
        assert_eq!(err["errorCode"], code, "{body} -> {err}");
        assert_eq!(err["statusCode"], status.as_u16(), "{err}");
        assert!(err["message"].as_str().is_some_and(|m| !m.is_empty()));
    }
    // A token without `create:user_tickets` is refused.
    let (m2m, secret) = srv
        .m2m_with_grant(&srv.management_audience(), &[], &["read:users"])
        .await;
    let token = srv
        .client_token(&m2m, &secret, &srv.management_audience())
        .await;
    let (st, err) = srv
        .api_with(
            &token,
            Method::POST,
            "/tickets/password-change",
            Some(json!({"user_id": id, "send_email": true})),
        )
        .await;
    assert_eq!(st, StatusCode::FORBIDDEN, "{err}");
    tokio::time::sleep(std::time::Duration::from_millis(300)).await;
    assert!(outbox(&srv).is_empty(), "no refused request sent mail");
    let (_, logs) = srv.api(Method::GET, "/logs?q=type%3Ascpr", None).await;
    assert_eq!(logs, json!([]));
}
