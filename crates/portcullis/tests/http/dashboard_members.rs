//! Issue 16, item 2: dashboard members are not end users. They sign in
//! through the hosted login page with PKCE as the built-in dashboard client;
//! their Management API token carries their role's scopes, checked again at
//! every request; no end user can become one.

use portcullis_core::members::{self, Member, Role};
use reqwest::{Method, StatusCode};
use serde_json::{Value, json};

use crate::browser::{Browser, PASSWORD, user};
use crate::support::{Backend, TestServer, on_both_backends};

const CLIENT: &str = members::DASHBOARD_CLIENT_ID;

/// RFC 7636 appendix B's verifier and challenge.
fn pkce() -> (String, String) {
    (
        crate::browser::VERIFIER.to_string(),
        crate::browser::CHALLENGE.to_string(),
    )
}

fn home(srv: &TestServer) -> String {
    format!("{}admin/", srv.issuer)
}

/// The dashboard's sign-in as its script does it: authorize with PKCE, the
/// login page when there is no dashboard session, the code for a token.
async fn sign_in(
    srv: &TestServer,
    b: &mut Browser,
    email: &str,
    password: &str,
) -> (StatusCode, Value) {
    let (verifier, challenge) = pkce();
    let audience = format!("{}api/v2/", srv.issuer);
    let home = home(srv);
    let to = b
        .authorize(&[
            ("client_id", CLIENT),
            ("response_type", "code"),
            ("redirect_uri", &home),
            ("audience", &audience),
            ("scope", "openid"),
            ("state", "s1"),
            ("code_challenge", &challenge),
            ("code_challenge_method", "S256"),
        ])
        .await;
    let back = if to
        .location
        .as_deref()
        .is_some_and(|l| l.contains("/u/login"))
    {
        b.submit_login(&to, email, password).await
    } else {
        to
    };
    if back.status != StatusCode::FOUND {
        return (back.status, json!({"page": back.body}));
    }
    let params = back.redirect_params();
    let Some(code) = params.get("code") else {
        return (back.status, json!({"page": back.body, "params": params}));
    };
    assert_eq!(params["state"], "s1");
    assert!(back.location.as_deref().unwrap().starts_with(&home));
    let (st, body, _) = srv
        .token_form(&[
            ("grant_type", "authorization_code"),
            ("client_id", CLIENT),
            ("code", code),
            ("redirect_uri", &home),
            ("code_verifier", &verifier),
        ])
        .await;
    (st, body)
}

async fn call(
    srv: &TestServer,
    token: &str,
    method: Method,
    path: &str,
    body: Option<Value>,
) -> (StatusCode, Value) {
    let mut req = srv
        .http
        .request(method, format!("{}api/v2{path}", srv.issuer))
        .bearer_auth(token);
    if let Some(b) = body {
        req = req.json(&b);
    }
    let res = req.send().await.unwrap();
    let st = res.status();
    (st, res.json().await.unwrap_or(Value::Null))
}

async fn add_member(srv: &TestServer, email: &str, role: Role) {
    let state = &srv.server.as_ref().unwrap().state;
    let m = Member {
        id: members::new_id(),
        email: email.into(),
        role,
        created_at: state.now(),
        last_login: None,
        logins_count: 0,
    };
    let hash = portcullis_core::passwords::hash(&portcullis_core::secrets::Secret::new(PASSWORD));
    state.store.create_member(&m, &hash).await.unwrap();
}

fn first_member_password(srv: &TestServer) -> String {
    let file = srv.dir.path().join("dashboard-credentials.json");
    let v: Value = serde_json::from_str(&std::fs::read_to_string(&file).unwrap()).unwrap();
    assert_eq!(v["email"], "admin@localhost");
    assert_eq!(v["url"], home(srv));
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt as _;
        let mode = std::fs::metadata(&file).unwrap().permissions().mode();
        assert_eq!(mode & 0o777, 0o600, "the credentials file is private");
    }
    v["password"].as_str().unwrap().to_string()
}

on_both_backends!(the_first_member_signs_in_with_pkce_and_holds_the_admin_scopes);

/// The member created at first start signs in through the hosted page; the
/// token is a member's (not a user's, not a machine's), for an hour, with every
/// Management scope but the current_user ones; the Management API takes it.
/// The second sign-in reuses the dashboard session, which sign-out ends.
async fn the_first_member_signs_in_with_pkce_and_holds_the_admin_scopes(srv: TestServer) {
    let password = first_member_password(&srv);
    let mut b = Browser::new(&srv);
    let (st, t) = sign_in(&srv, &mut b, "admin@localhost", &password).await;
    assert_eq!(st, StatusCode::OK, "{t}");
    let token = t["access_token"].as_str().unwrap();
    let claims =
        crate::support::verify_with_jwks(&srv, token, &format!("{}api/v2/", srv.issuer)).await;
    assert!(
        claims["sub"].as_str().unwrap().starts_with("member|mbr_"),
        "{claims}"
    );
    assert_eq!(claims["gty"], "dashboard");
    assert_eq!(claims["azp"], CLIENT);
    assert_eq!(
        claims["exp"].as_i64().unwrap() - claims["iat"].as_i64().unwrap(),
        3600
    );
    let scope = t["scope"].as_str().unwrap();
    assert!(scope.contains("create:signing_keys"), "{scope}");
    assert!(!scope.contains("current_user"), "{scope}");
    assert!(
        t.get("refresh_token").is_none(),
        "no refresh token: the session renews"
    );

    let (st, clients) = call(&srv, token, Method::GET, "/clients", None).await;
    assert_eq!(st, StatusCode::OK, "{clients}");
    assert!(
        !clients
            .as_array()
            .unwrap()
            .iter()
            .any(|c| c["client_id"] == CLIENT),
        "the dashboard client is built in, not stored"
    );
    let (st, _) = call(
        &srv,
        token,
        Method::GET,
        &format!("/clients/{CLIENT}"),
        None,
    )
    .await;
    assert_eq!(st, StatusCode::NOT_FOUND, "it cannot be read or changed");
    let (st, made) = call(
        &srv,
        token,
        Method::POST,
        "/clients",
        Some(json!({"name": "By a member"})),
    )
    .await;
    assert_eq!(st, StatusCode::CREATED, "{made}");
    let (_, logs) = srv.api(Method::GET, "/logs?q=type%3Asapi", None).await;
    assert!(
        logs.as_array()
            .unwrap()
            .iter()
            .any(|l| l["user_id"] == claims["sub"]),
        "the change is audited with the member: {logs}"
    );

    // Members are not users.
    let (_, users) = srv.api(Method::GET, "/users", None).await;
    assert_eq!(users, json!([]), "{users}");

    // Single sign-on within the dashboard, no login page.
    let (st, again) = sign_in(&srv, &mut b, "-", "-").await;
    assert_eq!(st, StatusCode::OK, "{again}");

    // Sign-out ends the dashboard session: the next sign-in shows the page.
    let out = b
        .get(&format!(
            "/v2/logout?client_id={CLIENT}&returnTo={}",
            urlencoding(&home(&srv))
        ))
        .await;
    assert_eq!(out.status, StatusCode::FOUND);
    assert_eq!(out.location.as_deref(), Some(home(&srv).as_str()));
    assert!(!b.jar.contains_key("portcullis_member"), "{:?}", b.jar);
    let (st, page) = sign_in(&srv, &mut b, "admin@localhost", "Wrong-password-1").await;
    assert_ne!(st, StatusCode::OK, "{page}");
}

fn urlencoding(s: &str) -> String {
    form_urlencoded::byte_serialize(s.as_bytes()).collect()
}

on_both_backends!(a_members_role_decides_what_the_token_reaches_at_each_request);

/// A viewer reads and changes nothing; an editor changes applications but not
/// the signing keys; a demotion or a removal takes effect at the next request,
/// not when the token expires.
async fn a_members_role_decides_what_the_token_reaches_at_each_request(srv: TestServer) {
    add_member(&srv, "viewer@example.com", Role::Viewer).await;
    add_member(&srv, "editor@example.com", Role::Editor).await;
    let (st, v) = sign_in(
        &srv,
        &mut Browser::new(&srv),
        "viewer@example.com",
        PASSWORD,
    )
    .await;
    assert_eq!(st, StatusCode::OK, "{v}");
    let viewer = v["access_token"].as_str().unwrap();
    let (st, body) = call(&srv, viewer, Method::GET, "/clients", None).await;
    assert_eq!(st, StatusCode::OK, "{body} {v}");
    let (st, e) = call(
        &srv,
        viewer,
        Method::POST,
        "/clients",
        Some(json!({"name": "X"})),
    )
    .await;
    assert_eq!(st, StatusCode::FORBIDDEN, "{e}");
    assert_eq!(e["errorCode"], "insufficient_scope", "{e}");
    let (_, list) = srv.api(Method::GET, "/clients", None).await;
    assert!(
        !list.as_array().unwrap().iter().any(|c| c["name"] == "X"),
        "nothing stored"
    );

    let (st, e) = sign_in(
        &srv,
        &mut Browser::new(&srv),
        "editor@example.com",
        PASSWORD,
    )
    .await;
    assert_eq!(st, StatusCode::OK, "{e}");
    let editor = e["access_token"].as_str().unwrap();
    let (st, _) = call(
        &srv,
        editor,
        Method::POST,
        "/clients",
        Some(json!({"name": "Y"})),
    )
    .await;
    assert_eq!(st, StatusCode::CREATED);
    let (st, _) = call(&srv, editor, Method::POST, "/keys/signing/rotate", None).await;
    assert_eq!(
        st,
        StatusCode::FORBIDDEN,
        "an editor cannot rotate the keys"
    );

    let state = &srv.server.as_ref().unwrap().state;
    let (m, _) = state
        .store
        .find_member_by_email("editor@example.com")
        .await
        .unwrap()
        .unwrap();
    state
        .store
        .set_member_role(&m.id, Role::Viewer, state.now())
        .await
        .unwrap();
    let (st, _) = call(
        &srv,
        editor,
        Method::POST,
        "/clients",
        Some(json!({"name": "Z"})),
    )
    .await;
    assert_eq!(st, StatusCode::FORBIDDEN, "the demotion holds at once");
    state.store.delete_member(&m.id).await.unwrap();
    let (st, _) = call(&srv, editor, Method::GET, "/clients", None).await;
    assert_eq!(
        st,
        StatusCode::UNAUTHORIZED,
        "a removed member's token is refused"
    );
}

on_both_backends!(an_end_user_never_reaches_the_dashboard_scopes);

/// An end user's password does not sign in to the dashboard, the dashboard
/// offers no sign-up or reset, an end user's SSO session does not sign in to
/// it, and a user's token asking for Management scopes gets none of a
/// member's.
async fn an_end_user_never_reaches_the_dashboard_scopes(srv: TestServer) {
    user(&srv, "ada@example.com").await;
    let mut b = Browser::new(&srv);
    let (st, page) = sign_in(&srv, &mut b, "ada@example.com", PASSWORD).await;
    assert_eq!(
        st,
        StatusCode::UNAUTHORIZED,
        "refused on the login page: {page}"
    );
    assert!(
        page["page"]
            .as_str()
            .unwrap()
            .contains("Wrong email or password"),
        "{page}"
    );

    // No sign-up or reset for the dashboard.
    let (_, challenge) = pkce();
    let to = b
        .authorize(&[
            ("client_id", CLIENT),
            ("response_type", "code"),
            ("redirect_uri", &home(&srv)),
            ("audience", &format!("{}api/v2/", srv.issuer)),
            ("code_challenge", &challenge),
            ("code_challenge_method", "S256"),
        ])
        .await;
    let login = to.location.clone().unwrap();
    let signup = b.get(&login.replace("/u/login", "/u/signup")).await;
    assert_eq!(signup.status, StatusCode::NOT_FOUND, "{}", signup.body);
    let forgot = b.get(&login.replace("/u/login", "/u/forgot")).await;
    assert_eq!(forgot.status, StatusCode::NOT_FOUND);
    let page = b.get(&login).await;
    assert!(!page.body.contains("/u/signup"), "no sign-up link");

    // The user signed in to an application: that session is not a member's.
    let app = crate::browser::spa(&srv, json!({})).await;
    let mut ub = Browser::new(&srv);
    let to = ub.authorize(&crate::browser::code_params(&app, &[])).await;
    let back = ub.submit_login(&to, "ada@example.com", PASSWORD).await;
    assert!(back.redirect_params().contains_key("code"));
    let (st, page) = sign_in(&srv, &mut ub, "ada@example.com", PASSWORD).await;
    assert_eq!(
        st,
        StatusCode::UNAUTHORIZED,
        "the login page, then refused: {page}"
    );

    // A dashboard code without PKCE, or for another audience, is refused.
    let no_pkce = b
        .authorize(&[
            ("client_id", CLIENT),
            ("response_type", "code"),
            ("redirect_uri", &home(&srv)),
            ("audience", &format!("{}api/v2/", srv.issuer)),
            ("state", "s"),
        ])
        .await;
    assert_eq!(
        no_pkce.redirect_params()["error"],
        "invalid_request",
        "{:?}",
        no_pkce.location
    );
}

/// `PORTCULLIS_DASHBOARD=false`: no dashboard and no dashboard client.
#[tokio::test]
async fn the_dashboard_can_be_switched_off() {
    let srv = crate::support::start_configured(Backend::Sqlite, |c| c.dashboard = false).await;
    let res = srv.http.get(home(&srv)).send().await.unwrap();
    assert_eq!(res.status(), StatusCode::NOT_FOUND);
    let (_, challenge) = pkce();
    let page = Browser::new(&srv)
        .authorize(&[
            ("client_id", CLIENT),
            ("response_type", "code"),
            ("redirect_uri", &home(&srv)),
            ("code_challenge", &challenge),
            ("code_challenge_method", "S256"),
        ])
        .await;
    assert_eq!(page.status, StatusCode::BAD_REQUEST, "{}", page.body);
}

/// The dashboard's pages: a strict CSP (no inline script, no eval, no
/// framing) on every one, and its script a module.
#[tokio::test]
async fn the_dashboard_is_served_with_a_strict_csp() {
    let srv = TestServer::start(Backend::Sqlite).await;
    for path in ["admin/", "admin/app.js", "admin/dashboard.css"] {
        let res = srv
            .http
            .get(format!("{}{path}", srv.issuer))
            .send()
            .await
            .unwrap();
        assert_eq!(res.status(), StatusCode::OK, "{path}");
        let csp = res.headers()["content-security-policy"]
            .to_str()
            .unwrap()
            .to_string();
        assert!(csp.contains("script-src 'self';"), "{csp}");
        assert!(!csp.contains("unsafe"), "{csp}");
        assert!(csp.contains("frame-ancestors 'none'"), "{csp}");
        let body = res.text().await.unwrap();
        if path == "admin/" {
            assert!(body.contains(r#"<script type="module" src="app.js"></script>"#));
            assert!(!body.contains("<script>"), "no inline script");
        }
    }
    let res = reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .unwrap()
        .get(format!("{}admin", srv.issuer))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::FOUND);
}

/// `portcullis members add` writes to the database of a running server (the
/// password from standard input); the new member signs in at once with the
/// role given, and `members list` shows both members. A weak password or an
/// unknown role is refused with a message, and nothing is added.
#[tokio::test]
async fn members_added_with_the_cli_sign_in_with_their_role() {
    use std::io::Write as _;
    let srv = TestServer::start(Backend::Sqlite).await;
    let run = |args: &[&str], stdin: &str| {
        let mut child = std::process::Command::new(crate::process::BIN)
            .args(args)
            .arg("--data-dir")
            .arg(srv.dir.path())
            .arg("--issuer")
            .arg(&srv.issuer)
            .env_clear()
            .stdin(std::process::Stdio::piped())
            .stdout(std::process::Stdio::piped())
            .stderr(std::process::Stdio::piped())
            .spawn()
            .unwrap();
        child
            .stdin
            .take()
            .unwrap()
            .write_all(stdin.as_bytes())
            .unwrap();
        child.wait_with_output().unwrap()
    };
    let weak = run(
        &["members", "add", "ops@example.com", "--password-stdin"],
        "short\n",
    );
    assert!(!weak.status.success());
    assert!(String::from_utf8_lossy(&weak.stderr).contains("12 characters"));
    let role = run(
        &["members", "add", "ops@example.com", "--role", "owner"],
        "",
    );
    assert!(!role.status.success());
    assert!(String::from_utf8_lossy(&role.stderr).contains("unknown role"));
    let added = run(
        &[
            "members",
            "add",
            "Ops@Example.com",
            "--role",
            "editor",
            "--password-stdin",
        ],
        "Correct-Horse-Battery-9\n",
    );
    assert!(
        added.status.success(),
        "{}",
        String::from_utf8_lossy(&added.stderr)
    );
    let list = run(&["members", "list"], "");
    let list = String::from_utf8_lossy(&list.stdout).to_string();
    assert!(list.contains("admin@localhost\tadmin"), "{list}");
    assert!(list.contains("ops@example.com\teditor"), "{list}");
    let (st, t) = sign_in(
        &srv,
        &mut Browser::new(&srv),
        "ops@example.com",
        "Correct-Horse-Battery-9",
    )
    .await;
    assert_eq!(st, StatusCode::OK, "{t}");
    let scope = t["scope"].as_str().unwrap();
    assert!(
        scope.contains("update:clients") && !scope.contains("create:signing_keys"),
        "{scope}"
    );
}
