//! Issue 13, item 6: an issuer with a path (`https://example.com/auth/`) works end
//! to end, and what a proxy forwards (`X-Forwarded-Proto`/`Host`) counts only
//! from a trusted proxy and never changes a URL Portcullis writes.

use std::process::{Command, Stdio};

use reqwest::{Method, StatusCode};
use serde_json::{Value, json};

use crate::browser::{Browser, CALLBACK, PASSWORD, code_params, exchange, spa, user};
use crate::dbconnections::outbox_with;
use crate::process::{BIN, ServerProcess, free_port};
use crate::support::{Backend, TestServer, start_configured, verify_with_jwks};

/// A server whose issuer is `http://<addr>/auth/`, reached through that path.
async fn at_path(backend: Backend) -> TestServer {
    let mut srv =
        start_configured(backend, |c| c.issuer = format!("http://{}/auth/", c.bind)).await;
    srv.url = format!("{}/auth", srv.url);
    srv
}

fn cookie_path(page: &crate::browser::Page, name: &str) -> Option<String> {
    page.headers
        .get_all("set-cookie")
        .iter()
        .filter_map(|v| v.to_str().ok())
        .find(|v| v.starts_with(&format!("{name}=")))
        .and_then(|v| {
            v.split(';')
                .map(str::trim)
                .find_map(|a| a.strip_prefix("Path="))
        })
        .map(str::to_string)
}

mod issuer_with_a_path_works_end_to_end {
    use super::*;

    async fn case(srv: TestServer) {
        let issuer = srv.issuer.clone();
        assert!(issuer.ends_with("/auth/"), "{issuer}");
        // Discovery names every endpoint under the path, and the JWKS is there.
        let d: Value = srv
            .http
            .get(format!("{}/.well-known/openid-configuration", srv.url))
            .send()
            .await
            .unwrap()
            .json()
            .await
            .unwrap();
        assert_eq!(d["issuer"], issuer);
        assert_eq!(d["authorization_endpoint"], format!("{issuer}authorize"));
        assert_eq!(d["token_endpoint"], format!("{issuer}oauth/token"));
        let jwks = srv
            .http
            .get(d["jwks_uri"].as_str().unwrap())
            .send()
            .await
            .unwrap();
        assert_eq!(jwks.status(), StatusCode::OK);
        // A proxy that strips the path reaches the same routes.
        let origin = srv.url.trim_end_matches("/auth");
        let stripped: Value = srv
            .http
            .get(format!("{origin}/.well-known/openid-configuration"))
            .send()
            .await
            .unwrap()
            .json()
            .await
            .unwrap();
        assert_eq!(stripped["issuer"], issuer);

        // The Management API under the path (the helpers call `<url>/api/v2`
        // with a token whose audience is `<issuer>api/v2/`).
        let client = spa(&srv, json!({})).await;
        let uid = user(&srv, "ada@example.com").await;

        // The hosted pages: redirect, links, form actions, stylesheet, cookies.
        let mut b = Browser::new(&srv);
        let to_login = b.authorize(&code_params(&client, &[])).await;
        let loc = to_login.location.clone().unwrap();
        assert!(loc.starts_with("/auth/u/login?state="), "{loc}");
        assert_eq!(
            cookie_path(&to_login, "portcullis_browser").as_deref(),
            Some("/auth/")
        );
        let login = b.get(&loc).await;
        assert_eq!(login.status, StatusCode::OK);
        for wanted in [
            "href=\"/auth/u/static/portcullis.css\"",
            "action=\"/auth/u/login\"",
            "href=\"/auth/u/forgot?state=",
            "href=\"/auth/u/signup?state=",
        ] {
            assert!(
                login.body.contains(wanted),
                "{wanted} missing: {}",
                login.body
            );
        }
        assert!(
            !login.body.contains("\"/u/"),
            "a link outside the issuer's path: {}",
            login.body
        );
        let css = b.get("/u/static/portcullis.css").await;
        assert_eq!(css.status, StatusCode::OK);
        assert!(
            css.headers["content-type"]
                .to_str()
                .unwrap()
                .starts_with("text/css")
        );
        let back = b.submit_login(&to_login, "ada@example.com", PASSWORD).await;
        assert_eq!(back.status, StatusCode::FOUND, "{}", back.body);
        assert!(back.location.as_deref().unwrap().starts_with(CALLBACK));
        assert_eq!(
            cookie_path(&back, "portcullis_session").as_deref(),
            Some("/auth/")
        );
        let (st, tokens) = exchange(&srv, &client, &back.redirect_params()["code"]).await;
        assert_eq!(st, StatusCode::OK, "{tokens}");
        let id = verify_with_jwks(&srv, tokens["id_token"].as_str().unwrap(), &client).await;
        assert_eq!(id["iss"], issuer);
        assert_eq!(id["sub"], uid);
        let picture = id["picture"].as_str().unwrap();
        assert!(
            picture.starts_with(&format!("{issuer}avatars/")),
            "{picture}"
        );
        assert_eq!(
            srv.http.get(picture).send().await.unwrap().status(),
            StatusCode::OK
        );

        // A third-party application: the consent redirect keeps the path.
        let third = spa(&srv, json!({"is_first_party": false})).await;
        let mut b2 = Browser::new(&srv);
        let to = b2.authorize(&code_params(&third, &[])).await;
        let consent = b2.submit_login(&to, "ada@example.com", PASSWORD).await;
        let loc = consent.location.clone().unwrap();
        assert!(loc.starts_with("/auth/u/consent?state="), "{loc}");
        let page = b2.get(&loc).await;
        assert!(page.body.contains("action=\"/auth/u/consent\""));

        // Logout clears the cookie where it was set.
        let out = b.get(&format!("/v2/logout?client_id={client}")).await;
        assert_eq!(
            cookie_path(&out, "portcullis_session").as_deref(),
            Some("/auth/")
        );

        // The reset e-mail links under the path, and the page posts there.
        let res = srv.http.post(format!("{}/dbconnections/change_password", srv.url))
            .json(&json!({"email": "ada@example.com", "connection": "Username-Password-Authentication"})).send().await.unwrap();
        assert_eq!(res.status(), StatusCode::OK);
        let mails = outbox_with(&srv, 1).await;
        let link = mails[0]
            .split_whitespace()
            .find(|w| w.contains("reset-password?ticket="))
            .unwrap()
            .to_string();
        assert!(
            link.starts_with(&format!("{issuer}u/reset-password?ticket=")),
            "{link}"
        );
        let reset = b.get(&link).await;
        assert_eq!(reset.status, StatusCode::OK);
        assert!(reset.body.contains("action=\"/auth/u/reset-password\""));
    }

    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn sqlite() {
        case(at_path(Backend::Sqlite).await).await
    }

    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn postgres() {
        case(at_path(Backend::Postgres).await).await
    }
}

/// The CLI finds the server through the configured issuer's path, or `--url`.
#[test]
fn the_cli_reaches_a_server_whose_issuer_has_a_path() {
    let port = free_port();
    let issuer = format!("http://127.0.0.1:{port}/auth/");
    let p = ServerProcess::start_at(port, &[("PORTCULLIS_ISSUER", &issuer)], Stdio::null());
    let run = |args: &[&str], url: Option<&str>| {
        let mut cmd = Command::new(BIN);
        cmd.args(args)
            .arg("--json")
            .arg("--data-dir")
            .arg(p.dir.path())
            .env_clear()
            .env("PATH", std::env::var("PATH").unwrap_or_default())
            .env("PORTCULLIS_ISSUER", &issuer);
        if let Some(u) = url {
            cmd.arg("--url").arg(u);
        }
        let out = cmd.output().unwrap();
        assert!(
            out.status.success(),
            "{args:?}: {}",
            String::from_utf8_lossy(&out.stderr)
        );
        serde_json::from_slice::<Value>(&out.stdout).unwrap()
    };
    let apps = run(&["apps", "list"], None);
    assert!(!apps.as_array().unwrap().is_empty(), "{apps}");
    let created = run(
        &["apps", "create", "--name", "Under a path", "--type", "spa"],
        Some(&issuer),
    );
    assert_eq!(created["name"], "Under a path");
    // `health` asks the bind address, with or without the path.
    let out = Command::new(BIN)
        .args(["health", "--url", &issuer])
        .env_clear()
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
}

/// HSTS follows the scheme the client used: over a TLS-terminating trusted
/// proxy it is sent; a client's own `X-Forwarded-Proto` changes nothing.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn hsts_is_sent_only_when_a_trusted_proxy_reports_https() {
    let behind = start_configured(Backend::Sqlite, |c| {
        c.trusted_proxies = portcullis::config::parse_trusted_proxies("127.0.0.1").unwrap();
    })
    .await;
    let hsts = |srv: &TestServer, proto: Option<&'static str>| {
        let mut req = srv.http.get(format!("{}/healthz", srv.url));
        if let Some(p) = proto {
            req = req.header("x-forwarded-proto", p);
        }
        async move {
            req.send()
                .await
                .unwrap()
                .headers()
                .contains_key("strict-transport-security")
        }
    };
    assert!(hsts(&behind, Some("https")).await);
    assert!(!hsts(&behind, Some("http")).await);
    assert!(!hsts(&behind, None).await);
    let open = start_configured(Backend::Sqlite, |c| {
        c.trusted_proxies = portcullis::config::parse_trusted_proxies("10.0.0.0/8").unwrap();
    })
    .await;
    assert!(
        !hsts(&open, Some("https")).await,
        "the peer is no trusted proxy"
    );
}

/// Host-header poisoning: neither `Host` nor a trusted proxy's
/// `X-Forwarded-Host` changes the issuer, discovery or a reset link.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_forwarded_host_never_changes_a_url_portcullis_writes() {
    let srv = start_configured(Backend::Sqlite, |c| {
        c.trusted_proxies = portcullis::config::parse_trusted_proxies("127.0.0.1").unwrap();
    })
    .await;
    user(&srv, "ada@example.com").await;
    let d: Value = srv
        .http
        .get(format!("{}/.well-known/openid-configuration", srv.url))
        .header("host", "evil.example")
        .header("x-forwarded-host", "evil.example")
        .header("x-forwarded-proto", "https")
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(d["issuer"], srv.issuer);
    let res = srv
        .http
        .post(format!("{}/dbconnections/change_password", srv.url))
        .header("host", "evil.example")
        .header("x-forwarded-host", "evil.example")
        .json(
            &json!({"email": "ada@example.com", "connection": "Username-Password-Authentication"}),
        )
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::OK);
    let mails = outbox_with(&srv, 1).await;
    assert!(!mails[0].contains("evil.example"));
    assert!(mails[0].contains(&format!("{}u/reset-password?ticket=", srv.issuer)));
    let (st, _) = srv.api(Method::GET, "/clients", None).await;
    assert_eq!(st, StatusCode::OK);
}

/// A trusted proxy that forwards another host than the issuer's is a
/// misconfiguration the operator hears about, once.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_proxy_disagreeing_with_the_issuer_is_logged_once() {
    let mut p = ServerProcess::start(
        &[("PORTCULLIS_TRUSTED_PROXIES", "127.0.0.1")],
        Stdio::piped(),
    );
    let http = reqwest::Client::new();
    for _ in 0..3 {
        let res = http
            .get(format!("{}healthz", p.url))
            .header("x-forwarded-host", "id.example.com")
            .header("x-forwarded-proto", "https")
            .send()
            .await
            .unwrap();
        assert_eq!(res.status(), StatusCode::OK);
    }
    p.kill9();
    let mut stderr = String::new();
    use std::io::Read;
    p.child
        .stderr
        .take()
        .unwrap()
        .read_to_string(&mut stderr)
        .unwrap();
    let lines: Vec<&str> = stderr
        .lines()
        .filter(|l| l.contains("a trusted proxy forwards"))
        .collect();
    assert_eq!(lines.len(), 1, "{stderr}");
    assert!(
        lines[0].contains("https://id.example.com") && lines[0].contains("PORTCULLIS_ISSUER"),
        "{}",
        lines[0]
    );
}
