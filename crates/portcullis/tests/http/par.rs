//! Pushed authorization requests (RFC 9126, issue 22): `POST /oauth/par` for
//! confidential applications, the single-use, short-lived `request_uri` at
//! `/authorize`, and Auth0's `require_pushed_authorization_requests` and
//! `par_request_expiry`. Over HTTP on both backends, and pushed by
//! openid-client (an independent certified relying party) over TLS.

use reqwest::{Method, StatusCode};
use serde_json::{Value, json};

use crate::browser::{Browser, CALLBACK, CHALLENGE, PASSWORD, VERIFIER, code_params, user};
use crate::support::{Backend, TestServer, on_both_backends};

const REQUEST_URI_PREFIX: &str = "urn:ietf:params:oauth:request_uri:";

/// A confidential web application with our callback; (client_id, secret).
async fn web_app(srv: &TestServer, extra: Value) -> (String, String) {
    let mut body = json!({"name": "Portal", "app_type": "regular_web", "callbacks": [CALLBACK]});
    body.as_object_mut()
        .unwrap()
        .extend(extra.as_object().unwrap().clone());
    let (st, c) = srv.api(Method::POST, "/clients", Some(body)).await;
    assert_eq!(st, StatusCode::CREATED, "{c}");
    (
        c["client_id"].as_str().unwrap().to_string(),
        c["client_secret"].as_str().unwrap().to_string(),
    )
}

/// `POST /oauth/par` with `form`.
async fn push(srv: &TestServer, form: &[(&str, &str)]) -> (StatusCode, Value) {
    let body: String = form_urlencoded::Serializer::new(String::new())
        .extend_pairs(form)
        .finish();
    let res = srv
        .http
        .post(format!("{}/oauth/par", srv.url))
        .header("content-type", "application/x-www-form-urlencoded")
        .body(body)
        .send()
        .await
        .unwrap();
    (res.status(), res.json().await.unwrap_or(Value::Null))
}

/// The code request of `client` with its secret, pushed.
async fn push_code_request(srv: &TestServer, client: &str, secret: &str) -> String {
    let mut form = code_params(client, &[]);
    form.push(("client_secret", secret));
    let (st, r) = push(srv, &form).await;
    assert_eq!(st, StatusCode::CREATED, "{r}");
    r["request_uri"].as_str().unwrap().to_string()
}

/// Pushed requests stored (through the server's own database).
async fn stored(srv: &TestServer) -> i64 {
    crate::support::with_server_db!(srv, |c| {
        let (n,): (i64,) = sqlx::query_as("SELECT COUNT(*) FROM pushed_requests")
            .fetch_one(&mut *c)
            .await
            .unwrap();
        n
    })
}

async fn exchange_confidential(
    srv: &TestServer,
    client: &str,
    secret: &str,
    code: &str,
    verifier: &str,
) -> (StatusCode, Value) {
    let (st, body, _) = srv
        .token_form(&[
            ("grant_type", "authorization_code"),
            ("client_id", client),
            ("client_secret", secret),
            ("code", code),
            ("redirect_uri", CALLBACK),
            ("code_verifier", verifier),
        ])
        .await;
    (st, body)
}

on_both_backends!(
    pushed_request_signs_in_once_through_its_request_uri,
    pushing_refuses_public_clients_bad_credentials_and_bad_requests,
    required_par_refuses_direct_requests_and_expiry_is_per_application,
);

async fn pushed_request_signs_in_once_through_its_request_uri(srv: TestServer) {
    let (client, secret) = web_app(&srv, json!({})).await;
    user(&srv, "ada@example.com").await;
    let mut form = code_params(&client, &[]);
    form.push(("client_secret", &secret));
    let (st, r) = push(&srv, &form).await;
    assert_eq!(st, StatusCode::CREATED, "{r}");
    assert_eq!(r["expires_in"], json!(30), "Auth0's default lifetime");
    let uri = r["request_uri"].as_str().unwrap().to_string();
    assert!(uri.starts_with(REQUEST_URI_PREFIX), "{uri}");
    // The secret is not kept with the request.
    let docs: Vec<String> = crate::support::with_server_db!(srv, |c| {
        sqlx::query_scalar("SELECT params FROM pushed_requests")
            .fetch_all(&mut *c)
            .await
            .unwrap()
    });
    assert!(!docs[0].contains(&secret));

    // RFC 9126 §4: only the pushed parameters count; the query's others are
    // ignored (a wider scope, another state).
    let mut b = Browser::new(&srv);
    let to_login = b
        .authorize(&[
            ("client_id", &client),
            ("request_uri", &uri),
            ("scope", "openid email read:everything"),
            ("state", "not-the-pushed-one"),
        ])
        .await;
    let back = b.submit_login(&to_login, "ada@example.com", PASSWORD).await;
    let params = back.redirect_params();
    assert_eq!(params["state"], "st4te", "the pushed state");
    let (st, t) = exchange_confidential(&srv, &client, &secret, &params["code"], VERIFIER).await;
    assert_eq!(st, StatusCode::OK, "{t}");
    assert_eq!(t["scope"].as_str(), Some("openid profile email"));

    // Used once.
    let again = b
        .authorize(&[("client_id", &client), ("request_uri", &uri)])
        .await;
    assert_eq!(again.status, StatusCode::BAD_REQUEST, "{}", again.body);
    assert!(again.body.contains("already used"), "{}", again.body);

    // Another application cannot take it, and trying leaves it usable.
    let (other, _) = web_app(&srv, json!({"name": "Other"})).await;
    let uri = push_code_request(&srv, &client, &secret).await;
    let stolen = b
        .authorize(&[("client_id", &other), ("request_uri", &uri)])
        .await;
    assert_eq!(stolen.status, StatusCode::BAD_REQUEST);
    let mine = b
        .authorize(&[("client_id", &client), ("request_uri", &uri)])
        .await;
    assert_eq!(mine.status, StatusCode::FOUND, "{}", mine.body);
    assert!(
        mine.location.unwrap().starts_with(CALLBACK),
        "single sign-on answers at once"
    );

    // Short-lived: past its 30 seconds it is gone.
    let uri = push_code_request(&srv, &client, &secret).await;
    srv.server.as_ref().unwrap().state.advance_clock(31);
    let late = b
        .authorize(&[("client_id", &client), ("request_uri", &uri)])
        .await;
    assert_eq!(late.status, StatusCode::BAD_REQUEST);
    // A request_uri that is not ours.
    let odd = b
        .authorize(&[
            ("client_id", &client),
            ("request_uri", "https://evil.example/r"),
        ])
        .await;
    assert_eq!(odd.status, StatusCode::BAD_REQUEST);
}

async fn pushing_refuses_public_clients_bad_credentials_and_bad_requests(srv: TestServer) {
    let (client, secret) = web_app(&srv, json!({})).await;
    let spa = crate::browser::spa(&srv, json!({})).await;
    let base = code_params(&client, &[]);
    let with = |extra: &[(&'static str, &'static str)]| {
        let mut f: Vec<(&str, &str)> = base.clone();
        for (k, v) in extra {
            f.retain(|(ek, _)| ek != k);
            f.push((k, v));
        }
        f
    };
    // A public application: nothing vouches for what it pushes.
    let (st, e) = push(&srv, &code_params(&spa, &[])).await;
    assert_eq!(
        (st, e["error"].as_str()),
        (StatusCode::FORBIDDEN, Some("unauthorized_client")),
        "{e}"
    );
    // A wrong secret.
    let (st, e) = push(&srv, &with(&[("client_secret", "wrong")])).await;
    assert_eq!(
        (st, e["error"].as_str()),
        (StatusCode::UNAUTHORIZED, Some("invalid_client")),
        "{e}"
    );
    // Requests /authorize would refuse, refused now (§2.3).
    let mut bad_redirect = with(&[("redirect_uri", "https://evil.example/cb")]);
    bad_redirect.push(("client_secret", &secret));
    let (st, e) = push(&srv, &bad_redirect).await;
    assert_eq!(
        (st, e["error"].as_str()),
        (StatusCode::BAD_REQUEST, Some("invalid_request")),
        "{e}"
    );
    let mut nested = with(&[("request_uri", "urn:ietf:params:oauth:request_uri:x")]);
    nested.push(("client_secret", &secret));
    let (st, e) = push(&srv, &nested).await;
    assert_eq!(
        (st, e["error"].as_str()),
        (StatusCode::BAD_REQUEST, Some("invalid_request")),
        "{e}"
    );
    let mut bad_type = with(&[("response_type", "magic")]);
    bad_type.push(("client_secret", &secret));
    let (st, e) = push(&srv, &bad_type).await;
    assert_eq!(st, StatusCode::BAD_REQUEST, "{e}");
    // HTTP Basic for one application, the body naming another.
    let res = srv
        .http
        .post(format!("{}/oauth/par", srv.url))
        .basic_auth(&client, Some(&secret))
        .form(&code_params(&spa, &[]))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::BAD_REQUEST);
    assert_eq!(stored(&srv).await, 0, "nothing refused was kept");
    // HTTP Basic alone names the client.
    let mut form: Vec<(&str, &str)> = code_params(&client, &[]);
    form.retain(|(k, _)| *k != "client_id");
    let res = srv
        .http
        .post(format!("{}/oauth/par", srv.url))
        .basic_auth(&client, Some(&secret))
        .form(&form)
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::CREATED);
    let _ = CHALLENGE;
}

async fn required_par_refuses_direct_requests_and_expiry_is_per_application(srv: TestServer) {
    let (client, secret) = web_app(&srv, json!({})).await;
    user(&srv, "ada@example.com").await;
    for bad in [4, 601] {
        let (st, e) = srv
            .api(
                Method::PATCH,
                &format!("/clients/{client}"),
                Some(json!({"par_request_expiry": bad})),
            )
            .await;
        assert_eq!(st, StatusCode::BAD_REQUEST, "{bad}: {e}");
    }
    let (st, c) = srv
        .api(
            Method::PATCH,
            &format!("/clients/{client}"),
            Some(json!({"require_pushed_authorization_requests": true, "par_request_expiry": 60})),
        )
        .await;
    assert_eq!(st, StatusCode::OK, "{c}");
    assert_eq!(
        (
            c["require_pushed_authorization_requests"].as_bool(),
            c["par_request_expiry"].as_i64()
        ),
        (Some(true), Some(60))
    );
    // A direct request is refused on the error page (nothing is verified to
    // redirect to).
    let mut b = Browser::new(&srv);
    let direct = b.authorize(&code_params(&client, &[])).await;
    assert_eq!(direct.status, StatusCode::BAD_REQUEST, "{}", direct.body);
    assert!(
        direct
            .body
            .contains("requires pushed authorization requests")
    );
    // Pushed, it goes through, and lives the application's 60 seconds.
    let mut form = code_params(&client, &[]);
    form.push(("client_secret", &secret));
    let (st, r) = push(&srv, &form).await;
    assert_eq!(
        (st, r["expires_in"].as_i64()),
        (StatusCode::CREATED, Some(60)),
        "{r}"
    );
    srv.server.as_ref().unwrap().state.advance_clock(45);
    let to_login = b
        .authorize(&[
            ("client_id", &client),
            ("request_uri", r["request_uri"].as_str().unwrap()),
        ])
        .await;
    let back = b.submit_login(&to_login, "ada@example.com", PASSWORD).await;
    assert!(back.redirect_params().contains_key("code"));
    // A public application cannot be made to require it (it could never push).
    let spa = crate::browser::spa(&srv, json!({})).await;
    let (st, e) = srv
        .api(
            Method::PATCH,
            &format!("/clients/{spa}"),
            Some(json!({"require_pushed_authorization_requests": true})),
        )
        .await;
    assert_eq!(st, StatusCode::BAD_REQUEST, "{e}");
}

/// openid-client finds `pushed_authorization_request_endpoint` in discovery,
/// pushes (client_secret_post) and builds the URL; the person signs in
/// through it and the code redeems.
async fn openid_client_pushes_a_request(backend: Backend) {
    let certs = tempfile::tempdir().unwrap();
    let (srv, cert) = crate::auth0_sdk::trusted_tls_server(backend, certs.path()).await;
    let root = reqwest::Certificate::from_pem(&std::fs::read(&cert).unwrap()).unwrap();
    let (client, secret) =
        web_app(&srv, json!({"require_pushed_authorization_requests": true})).await;
    user(&srv, "ada@example.com").await;
    let seen = crate::auth0_sdk::node_script(
        "par.mjs",
        &cert,
        &[
            ("ISSUER", &srv.issuer),
            ("CLIENT_ID", &client),
            ("CLIENT_SECRET", &secret),
            ("REDIRECT_URI", CALLBACK),
        ],
    )
    .await;
    let url = seen["url"].as_str().unwrap();
    assert!(
        url.contains("request_uri=urn%3Aietf%3Aparams%3Aoauth%3Arequest_uri%3A"),
        "{url}"
    );
    let http = reqwest::Client::builder()
        .add_root_certificate(root)
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .unwrap();
    // The browser: the URL, the login form, back to the application.
    let to_login = http.get(url).send().await.unwrap();
    assert_eq!(to_login.status(), StatusCode::FOUND);
    let cookies: Vec<String> = to_login
        .headers()
        .get_all("set-cookie")
        .iter()
        .map(|v| v.to_str().unwrap().split(';').next().unwrap().to_string())
        .collect();
    let login_url = format!(
        "{}{}",
        srv.issuer.trim_end_matches('/'),
        to_login.headers()["location"].to_str().unwrap()
    );
    let page = http
        .get(&login_url)
        .header("cookie", cookies.join("; "))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    let input = |name: &str| {
        let marker = format!("name=\"{name}\" value=\"");
        let start = page.find(&marker).unwrap() + marker.len();
        page[start..start + page[start..].find('"').unwrap()].to_string()
    };
    let back = http
        .post(format!("{}u/login", srv.issuer))
        .header("cookie", cookies.join("; "))
        .form(&[
            ("state", input("state").as_str()),
            ("csrf", input("csrf").as_str()),
            ("username", "ada@example.com"),
            ("password", PASSWORD),
        ])
        .send()
        .await
        .unwrap();
    let location = back.headers()["location"].to_str().unwrap().to_string();
    assert!(location.starts_with(CALLBACK), "{location}");
    let q: std::collections::HashMap<String, String> =
        form_urlencoded::parse(location.split_once('?').unwrap().1.as_bytes())
            .into_owned()
            .collect();
    assert_eq!(q["state"], "pushed-state");
    let (st, t) = exchange_confidential(
        &srv,
        &client,
        &secret,
        &q["code"],
        seen["verifier"].as_str().unwrap(),
    )
    .await;
    assert_eq!(st, StatusCode::OK, "{t}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn openid_client_pushes_a_request_sqlite() {
    openid_client_pushes_a_request(Backend::Sqlite).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn openid_client_pushes_a_request_postgres() {
    openid_client_pushes_a_request(Backend::Postgres).await;
}
