//! `/dbconnections/signup`, `/dbconnections/change_password` and the reset page.

use reqwest::{Method, StatusCode};
use serde_json::{Value, json};

use crate::browser::{Browser, PASSWORD, spa, user};
use crate::support::on_both_backends;

const DB: &str = "Username-Password-Authentication";

/// The messages in the outbox, with quoted-printable bodies decoded (long lines
/// such as links are sent quoted-printable).
pub fn outbox(srv: &crate::support::TestServer) -> Vec<String> {
    let dir = srv.dir.path().join("outbox");
    let mut v: Vec<String> = std::fs::read_dir(dir)
        .map(|d| {
            d.filter_map(|e| std::fs::read_to_string(e.ok()?.path()).ok())
                .map(|m| decode_qp(&m))
                .collect()
        })
        .unwrap_or_default();
    v.sort();
    v
}

/// RFC 2045 §6.7: soft line breaks (`=` at the end of a line) removed, `=XX`
/// turned back into its byte. Enough for the ASCII messages Portcullis sends.
pub fn decode_qp(text: &str) -> String {
    let joined = text.replace("=\r\n", "").replace("=\n", "");
    let b = joined.as_bytes();
    let mut out = Vec::with_capacity(b.len());
    let mut i = 0;
    while i < b.len() {
        if b[i] == b'='
            && i + 2 < b.len()
            && matches!(b[i + 1], b'0'..=b'9' | b'A'..=b'F')
            && matches!(b[i + 2], b'0'..=b'9' | b'A'..=b'F')
        {
            let hex = std::str::from_utf8(&b[i + 1..i + 3]).unwrap();
            out.push(u8::from_str_radix(hex, 16).unwrap());
            i += 3;
        } else {
            out.push(b[i]);
            i += 1;
        }
    }
    String::from_utf8_lossy(&out).to_string()
}

/// The outbox once it holds `n` messages: reset e-mails are sent off the
/// request path, so the answer comes before the mail.
pub async fn outbox_with(srv: &crate::support::TestServer, n: usize) -> Vec<String> {
    for _ in 0..100 {
        let mails = outbox(srv);
        // lettre writes a message file in place: count it once its last
        // multipart boundary (`--…--`) is there.
        if mails.len() >= n && mails.iter().all(|m| m.trim_end().ends_with("--")) {
            return mails;
        }
        tokio::time::sleep(std::time::Duration::from_millis(50)).await;
    }
    outbox(srv)
}

on_both_backends!(
    dbconnections_signup_creates_a_user_as_auth0_answers,
    change_password_sends_a_single_use_reset_link,
    dbconnections_signup_audits_ss_and_fs_with_the_address
);

/// `/dbconnections/signup` shares the signup page's sign-up: a refused
/// sign-up (a weak password, an address taken) is `fs`, a created one `ss`,
/// each with the requester's address.
async fn dbconnections_signup_audits_ss_and_fs_with_the_address(srv: crate::support::TestServer) {
    let app = spa(&srv, json!({})).await;
    let url = format!("{}/dbconnections/signup", srv.url);
    for (password, status) in [
        (PASSWORD, StatusCode::OK),
        ("weak", StatusCode::BAD_REQUEST),
        (PASSWORD, StatusCode::BAD_REQUEST),
    ] {
        let body = json!({"client_id": app, "connection": DB, "email": "ada@example.com", "password": password});
        let res = srv.http.post(&url).json(&body).send().await.unwrap();
        assert_eq!(res.status(), status, "{password}");
    }
    srv.server.as_ref().unwrap().state.auditor.flush().await;
    let (_, ss) = srv.api(Method::GET, "/logs?q=type%3Ass", None).await;
    let (_, fs) = srv.api(Method::GET, "/logs?q=type%3Afs", None).await;
    assert_eq!(ss.as_array().unwrap().len(), 1, "{ss}");
    let fs = fs.as_array().unwrap();
    assert_eq!(fs.len(), 2, "{fs:?}");
    assert!(
        fs.iter()
            .any(|e| e["description"] == "The user already exists."),
        "{fs:?}"
    );
    for e in fs.iter().chain(ss.as_array().unwrap()) {
        assert_eq!(e["ip"], "127.0.0.1", "{e}");
        assert_eq!(e["client_id"], app, "{e}");
    }
}

async fn dbconnections_signup_creates_a_user_as_auth0_answers(srv: crate::support::TestServer) {
    let app = spa(&srv, json!({})).await;
    let url = format!("{}/dbconnections/signup", srv.url);
    let res = srv.http.post(&url).json(&json!({"client_id": app, "connection": DB, "email": "New@Example.com", "password": PASSWORD,
        "given_name": "New", "family_name": "Person", "user_metadata": {"plan": "free"}})).send().await.unwrap();
    assert_eq!(res.status(), StatusCode::OK);
    let body: Value = res.json().await.unwrap();
    assert_eq!(body["email"], "new@example.com");
    assert_eq!(body["email_verified"], false);
    assert_eq!(body["_id"].as_str().unwrap().len(), 24);
    // Auth0 echoes the profile it made.
    assert_eq!(body["given_name"], "New", "{body}");
    assert_eq!(body["family_name"], "Person", "{body}");
    assert!(
        body.get("username").is_none(),
        "no username on a connection without usernames: {body}"
    );
    assert_eq!(body["user_metadata"], json!({"plan": "free"}), "{body}");
    assert!(
        body["nickname"].is_string() && body["picture"].is_string() && body["name"].is_string(),
        "{body}"
    );
    assert!(body.get("password").is_none(), "{body}");
    for (payload, code) in [
        (
            json!({"client_id": app, "connection": DB, "email": "new@example.com", "password": PASSWORD}),
            "invalid_signup",
        ),
        (
            json!({"client_id": app, "connection": DB, "email": "b@example.com", "password": "weak"}),
            "invalid_password",
        ),
        (
            json!({"client_id": "nobody", "connection": DB, "email": "c@example.com", "password": PASSWORD}),
            "invalid_client",
        ),
        (
            json!({"client_id": app, "connection": DB, "email": "d@example.com", "password": PASSWORD, "admin": true}),
            "invalid_body",
        ),
    ] {
        let res = srv.http.post(&url).json(&payload).send().await.unwrap();
        assert_eq!(res.status(), StatusCode::BAD_REQUEST, "{payload}");
        let e: Value = res.json().await.unwrap();
        assert_eq!(e["code"], code, "{payload}: {e}");
        assert_eq!(e["statusCode"], 400);
    }
    let (_, all) = srv
        .api(Method::GET, "/users?include_totals=true", None)
        .await;
    assert_eq!(all["total"], 1);

    // The tenant's `enable_public_signup_user_exists_error` flag makes a taken
    // address say so, as Auth0's does.
    let (st, _) = srv
        .api(
            Method::PATCH,
            "/tenants/settings",
            Some(json!({"flags": {"enable_public_signup_user_exists_error": true}})),
        )
        .await;
    assert_eq!(st, StatusCode::OK);
    let res = srv
        .http
        .post(&url)
        .json(&json!({"client_id": app, "connection": DB, "email": "new@example.com", "password": PASSWORD}))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::BAD_REQUEST);
    let e: Value = res.json().await.unwrap();
    assert_eq!(e["code"], "user_exists", "{e}");
}

/// The reset e-mail goes to the outbox; its link changes the password once; an
/// unknown address gets the same answer and no e-mail.
async fn change_password_sends_a_single_use_reset_link(srv: crate::support::TestServer) {
    user(&srv, "ada@example.com").await;
    let url = format!("{}/dbconnections/change_password", srv.url);
    for email in ["nobody@example.com", "ADA@example.com"] {
        let res = srv
            .http
            .post(&url)
            .json(&json!({"email": email, "connection": DB}))
            .send()
            .await
            .unwrap();
        assert_eq!(res.status(), StatusCode::OK);
        assert_eq!(
            res.text().await.unwrap(),
            "We've just sent you an email to reset your password."
        );
    }
    let mails = outbox_with(&srv, 1).await;
    tokio::time::sleep(std::time::Duration::from_millis(300)).await;
    let mails_later = outbox(&srv);
    assert_eq!(mails_later.len(), 1, "only the real account gets mail");
    assert!(mails[0].contains("To: ada@example.com"));
    let link = mails[0]
        .split_whitespace()
        .find(|w| w.contains("/u/reset-password?ticket="))
        .unwrap()
        .to_string();
    let mut b = Browser::new(&srv);
    let page = b.get(&link).await;
    assert_eq!(page.status, StatusCode::OK);
    let (ticket, csrf) = (page.input("ticket"), page.input("csrf"));
    let weak = b
        .post_form(
            "/u/reset-password",
            &[("ticket", &ticket), ("csrf", &csrf), ("password", "weak")],
        )
        .await;
    assert_eq!(weak.status, StatusCode::BAD_REQUEST);
    let forged = b
        .post_form(
            "/u/reset-password",
            &[
                ("ticket", &ticket),
                ("csrf", "x"),
                ("password", "N3w-password"),
            ],
        )
        .await;
    assert_eq!(forged.status, StatusCode::FORBIDDEN);
    let ok = b
        .post_form(
            "/u/reset-password",
            &[
                ("ticket", &ticket),
                ("csrf", &csrf),
                ("password", "N3w-password"),
            ],
        )
        .await;
    assert_eq!(ok.status, StatusCode::OK, "{}", ok.body);
    let again = b
        .post_form(
            "/u/reset-password",
            &[
                ("ticket", &ticket),
                ("csrf", &csrf),
                ("password", "Oth3r-password"),
            ],
        )
        .await;
    assert_eq!(again.status, StatusCode::BAD_REQUEST, "single use");
    // The new password works at the password grant's check: the login page.
    let a = spa(&srv, json!({})).await;
    let to = b.authorize(&crate::browser::code_params(&a, &[])).await;
    let back = b.submit_login(&to, "ada@example.com", "N3w-password").await;
    assert!(back.redirect_params().contains_key("code"));
    let (_, logs) = srv.api(Method::GET, "/logs?q=type%3Ascp", None).await;
    assert_eq!(logs.as_array().unwrap().len(), 1);
}

on_both_backends!(forgot_password_link_on_the_login_page_sends_a_reset_email);

/// "Forgot password?" on the login page sends the same single-use link.
async fn forgot_password_link_on_the_login_page_sends_a_reset_email(
    srv: crate::support::TestServer,
) {
    user(&srv, "ada@example.com").await;
    let a = spa(&srv, json!({})).await;
    let mut b = Browser::new(&srv);
    let to = b.authorize(&crate::browser::code_params(&a, &[])).await;
    let login = b.get(to.location.as_deref().unwrap()).await;
    assert!(login.body.contains("/u/forgot?state="));
    let page = b
        .get(&format!("/u/forgot?state={}", login.input("state")))
        .await;
    assert_eq!(page.status, StatusCode::OK);
    let sent = b
        .post_form(
            "/u/forgot",
            &[
                ("state", &page.input("state")),
                ("csrf", &page.input("csrf")),
                ("username", "ada@example.com"),
            ],
        )
        .await;
    assert_eq!(sent.status, StatusCode::OK);
    assert!(sent.body.contains("Check your email"));
    assert_eq!(outbox_with(&srv, 1).await.len(), 1);
}

/// A minimal SMTP server on 127.0.0.1 that accepts every message and keeps it.
pub async fn smtp_sink() -> (u16, std::sync::Arc<std::sync::Mutex<Vec<String>>>) {
    use tokio::io::{AsyncBufReadExt, AsyncWriteExt, BufReader};
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let port = listener.local_addr().unwrap().port();
    let inbox: std::sync::Arc<std::sync::Mutex<Vec<String>>> = Default::default();
    let keep = inbox.clone();
    tokio::spawn(async move {
        while let Ok((stream, _)) = listener.accept().await {
            let keep = keep.clone();
            tokio::spawn(async move {
                let (r, mut w) = stream.into_split();
                let mut lines = BufReader::new(r).lines();
                w.write_all(b"220 sink ESMTP\r\n").await.unwrap();
                let mut data: Option<String> = None;
                while let Ok(Some(line)) = lines.next_line().await {
                    if let Some(d) = data.as_mut() {
                        if line == "." {
                            keep.lock().unwrap().push(data.take().unwrap());
                            w.write_all(b"250 queued\r\n").await.unwrap();
                        } else {
                            d.push_str(&line);
                            d.push('\n');
                        }
                        continue;
                    }
                    let upper = line.to_ascii_uppercase();
                    let reply: &[u8] = if upper.starts_with("EHLO") {
                        b"250-sink\r\n250 8BITMIME\r\n"
                    } else if upper.starts_with("DATA") {
                        data = Some(String::new());
                        b"354 go ahead\r\n"
                    } else if upper.starts_with("QUIT") {
                        let _ = w.write_all(b"221 bye\r\n").await;
                        break;
                    } else {
                        b"250 ok\r\n"
                    };
                    w.write_all(reply).await.unwrap();
                }
            });
        }
    });
    (port, inbox)
}

/// With PORTCULLIS_SMTP_URL set, the reset e-mail goes out over SMTP, not to the
/// outbox.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn reset_email_is_sent_over_smtp_when_configured() {
    let (port, inbox) = smtp_sink().await;
    let dir = tempfile::tempdir().unwrap();
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let mut config =
        crate::support::config_for(crate::support::Backend::Sqlite, dir.path(), &listener).await;
    config.smtp_url = Some(portcullis_core::secrets::Secret::new(format!(
        "smtp://127.0.0.1:{port}"
    )));
    config.smtp_from = "Example Login <login@example.com>".into();
    let srv = crate::support::TestServer::start_with(
        crate::support::Backend::Sqlite,
        config,
        listener,
        dir,
    )
    .await;
    user(&srv, "ada@example.com").await;
    let res = srv
        .http
        .post(format!("{}/dbconnections/change_password", srv.url))
        .json(&json!({"email": "ada@example.com", "connection": DB}))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::OK);
    for _ in 0..100 {
        if !inbox.lock().unwrap().is_empty() {
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(50)).await;
    }
    let mail = decode_qp(
        &inbox
            .lock()
            .unwrap()
            .pop()
            .expect("a message reached the SMTP server"),
    );
    assert!(mail.contains("To: ada@example.com"), "{mail}");
    assert!(
        mail.contains("From: \"Example Login\" <login@example.com>")
            || mail.contains("From: Example Login <login@example.com>"),
        "{mail}"
    );
    assert!(mail.contains("/u/reset-password?ticket="), "{mail}");
    assert!(outbox(&srv).is_empty());
}

on_both_backends!(reset_email_has_a_date_and_plain_and_html_parts);

/// Issue 13: the reset e-mail is RFC 5322 (a proper `Date`), with a plain
/// text and an HTML part, and its link survives transfer encoding.
async fn reset_email_has_a_date_and_plain_and_html_parts(srv: crate::support::TestServer) {
    user(&srv, "ada@example.com").await;
    let res = srv
        .http
        .post(format!("{}/dbconnections/change_password", srv.url))
        .json(&json!({"email": "ada@example.com", "connection": DB}))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::OK);
    let mails = outbox_with(&srv, 1).await;
    let mail = &mails[0];
    let date = mail
        .lines()
        .find(|l| l.starts_with("Date: "))
        .unwrap_or_else(|| panic!("{mail}"));
    // RFC 5322 §3.3: "Mon, 30 Nov 2026 19:18:06 +0000".
    let value = date.trim_start_matches("Date: ");
    assert!(
        value.len() >= 29
            && value.as_bytes()[3] == b','
            && (value.ends_with("+0000") || value.ends_with("GMT")),
        "{date}"
    );
    assert!(mail.contains("multipart/alternative"), "{mail}");
    assert!(
        mail.contains("text/plain") && mail.contains("text/html"),
        "{mail}"
    );
    let links: Vec<&str> = mail
        .split(|c: char| c.is_whitespace() || c == '"')
        .filter(|w| w.contains("/u/reset-password?ticket="))
        .collect();
    assert_eq!(links.len(), 2, "one link per part: {mail}");
    assert_eq!(links[0], links[1], "the same link in both parts");
    let mut b = Browser::new(&srv);
    assert_eq!(b.get(links[0]).await.status, StatusCode::OK);
}

/// Issue 13: a relay that does not work is audited as a failure (`fn`, `fcpr`),
/// never as a sent request; `portcullis email test` says so and exits 1.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_failed_send_is_audited_as_a_failure() {
    let dead = crate::process::free_port();
    let dir = tempfile::tempdir().unwrap();
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let mut config =
        crate::support::config_for(crate::support::Backend::Sqlite, dir.path(), &listener).await;
    config.smtp_url = Some(portcullis_core::secrets::Secret::new(format!(
        "smtp://127.0.0.1:{dead}"
    )));
    let srv = crate::support::TestServer::start_with(
        crate::support::Backend::Sqlite,
        config,
        listener,
        dir,
    )
    .await;
    user(&srv, "ada@example.com").await;
    let res = srv
        .http
        .post(format!("{}/dbconnections/change_password", srv.url))
        .json(&json!({"email": "ada@example.com", "connection": DB}))
        .send()
        .await
        .unwrap();
    assert_eq!(
        res.status(),
        StatusCode::OK,
        "the answer says nothing either way"
    );
    let mut failed = Value::Null;
    for _ in 0..100 {
        let (_, logs) = srv.api(Method::GET, "/logs?q=type%3Afcpr", None).await;
        if !logs.as_array().unwrap().is_empty() {
            failed = logs;
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(50)).await;
    }
    assert_eq!(failed[0]["user_name"], "ada@example.com", "{failed}");
    let (_, notified) = srv.api(Method::GET, "/logs?q=type%3Afn", None).await;
    assert_eq!(notified.as_array().unwrap().len(), 1);
    let (_, sent) = srv.api(Method::GET, "/logs?q=type%3Ascpr", None).await;
    assert!(
        sent.as_array().unwrap().is_empty(),
        "never recorded as sent"
    );
    let out = std::process::Command::new(crate::process::BIN)
        .args(["email", "test", "ada@example.com"])
        .env_clear()
        .env("PORTCULLIS_SMTP_URL", format!("smtp://127.0.0.1:{dead}"))
        .env("PORTCULLIS_DATA_DIR", srv.dir.path())
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(
        err.contains("PORTCULLIS_SMTP_URL") && err.contains("does not work"),
        "{err}"
    );
}
