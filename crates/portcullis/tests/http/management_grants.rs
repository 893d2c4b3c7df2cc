//! `/api/v2/grants` (a user's consents), `GET /api/v2/logs/{id}`, and ending a
//! user's sessions and refresh tokens in bulk.

use reqwest::{Method, StatusCode};
use serde_json::{Value, json};

use crate::browser::{Browser, PASSWORD, code_params, spa, user};
use crate::support::on_both_backends;
use crate::token_endpoint::urlenc;

on_both_backends!(
    a_revoked_grant_asks_for_consent_again,
    one_log_event_is_read_by_its_id,
    a_users_sessions_and_refresh_tokens_end_in_bulk,
    a_users_sessions_and_refresh_tokens_page_by_checkpoint,
    refresh_tokens_are_listed_by_user_and_revoked_in_bulk
);

/// An API that allows refresh tokens.
async fn offline_api(srv: &crate::support::TestServer, api: &str) {
    let (st, _) = srv
        .api(
            Method::POST,
            "/resource-servers",
            Some(json!({"identifier": api, "allow_offline_access": true})),
        )
        .await;
    assert_eq!(st, StatusCode::CREATED);
}

/// A confidential application allowed the password and refresh grants: its
/// id and secret.
async fn password_app(srv: &crate::support::TestServer, name: &str) -> (String, String) {
    let (_, c) = srv
        .api(
            Method::POST,
            "/clients",
            Some(json!({"name": name, "app_type": "regular_web", "grant_types": ["password", "refresh_token"]})),
        )
        .await;
    (
        c["client_id"].as_str().unwrap().to_string(),
        c["client_secret"].as_str().unwrap().to_string(),
    )
}

/// Ada's tokens for `api` through the password grant, with a refresh token.
async fn password_tokens(
    srv: &crate::support::TestServer,
    app: &(String, String),
    api: &str,
) -> Value {
    let (st, t, _) = srv
        .token_form(&[
            ("grant_type", "password"),
            ("client_id", &app.0),
            ("client_secret", &app.1),
            ("username", "ada@example.com"),
            ("password", PASSWORD),
            ("audience", api),
            ("scope", "openid offline_access"),
        ])
        .await;
    assert_eq!(st, StatusCode::OK, "{t}");
    t
}

/// A consent shows as a grant (Auth0's shape); revoking it by id makes the
/// next silent login answer `consent_required`; bad ids and queries are
/// refused.
async fn a_revoked_grant_asks_for_consent_again(srv: crate::support::TestServer) {
    let a = spa(&srv, json!({"is_first_party": false})).await;
    let uid = user(&srv, "ada@example.com").await;
    let mut b = Browser::new(&srv);
    let to = b.authorize(&code_params(&a, &[])).await;
    let consent = b.submit_login(&to, "ada@example.com", PASSWORD).await;
    let page = b.get(consent.location.as_deref().unwrap()).await;
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

    let (st, grants) = srv
        .api(
            Method::GET,
            &format!("/grants?user_id={}&include_totals=true", urlenc(&uid)),
            None,
        )
        .await;
    assert_eq!(st, StatusCode::OK, "{grants}");
    assert_eq!(grants["total"], 1, "{grants}");
    let g = &grants["grants"][0];
    assert_eq!(g["clientID"], a.as_str());
    assert_eq!(g["user_id"], uid.as_str());
    assert!(
        g["scope"]
            .as_array()
            .unwrap()
            .contains(&Value::from("openid")),
        "{g}"
    );
    let (_, none) = srv
        .api(Method::GET, "/grants?client_id=someone-else", None)
        .await;
    assert_eq!(none, json!([]));

    for bad in ["nonsense", "WyJhIiwiYiJd"] {
        let (st, e) = srv
            .api(Method::DELETE, &format!("/grants/{bad}"), None)
            .await;
        assert_eq!(st, StatusCode::NOT_FOUND, "{e}");
    }
    let (st, e) = srv.api(Method::DELETE, "/grants", None).await;
    assert_eq!(st, StatusCode::BAD_REQUEST, "{e}");
    let silent = b.authorize(&code_params(&a, &[("prompt", "none")])).await;
    assert!(
        silent.redirect_params().contains_key("code"),
        "still consented"
    );

    let id = g["id"].as_str().unwrap();
    let (st, _) = srv
        .api(Method::DELETE, &format!("/grants/{id}"), None)
        .await;
    assert_eq!(st, StatusCode::NO_CONTENT);
    let silent = b.authorize(&code_params(&a, &[("prompt", "none")])).await;
    assert_eq!(silent.redirect_params()["error"], "consent_required");
    let (_, left) = srv.api(Method::GET, "/grants", None).await;
    assert_eq!(left, json!([]));
}

async fn one_log_event_is_read_by_its_id(srv: crate::support::TestServer) {
    user(&srv, "ada@example.com").await;
    let (_, logs) = srv.api(Method::GET, "/logs?q=type%3Asapi", None).await;
    let first = &logs[0];
    let id = first["log_id"].as_str().unwrap();
    let (st, one) = srv.api(Method::GET, &format!("/logs/{id}"), None).await;
    assert_eq!(st, StatusCode::OK, "{one}");
    assert_eq!(&one, first);
    let (st, e) = srv
        .api(Method::GET, "/logs/90000000000000000000", None)
        .await;
    assert_eq!(st, StatusCode::NOT_FOUND, "{e}");
    assert_eq!(e["errorCode"], "inexistent_log");
}

/// `DELETE /users/{id}/sessions` ends single sign-on everywhere;
/// `DELETE /users/{id}/refresh-tokens` makes every refresh token fail;
/// `POST /sessions/{id}/revoke` ends one session. Unknown users are 404.
async fn a_users_sessions_and_refresh_tokens_end_in_bulk(srv: crate::support::TestServer) {
    let api = "https://bulk.example/";
    offline_api(&srv, api).await;
    let uid = user(&srv, "ada@example.com").await;
    let app = password_app(&srv, "Inbox").await;
    let (id, secret) = app.clone();
    let t = password_tokens(&srv, &app, api).await;
    let rt = t["refresh_token"].as_str().unwrap().to_string();
    let a = spa(&srv, json!({})).await;
    let mut b = Browser::new(&srv);
    let to = b.authorize(&code_params(&a, &[])).await;
    b.submit_login(&to, "ada@example.com", PASSWORD).await;
    let silent = b.authorize(&code_params(&a, &[("prompt", "none")])).await;
    assert!(silent.redirect_params().contains_key("code"));

    let path = |what: &str| format!("/users/{}/{what}", urlenc(&uid));
    let (st, _) = srv.api(Method::DELETE, &path("sessions"), None).await;
    assert_eq!(st, StatusCode::ACCEPTED);
    let silent = b.authorize(&code_params(&a, &[("prompt", "none")])).await;
    assert_eq!(silent.redirect_params()["error"], "login_required");
    let (st, _) = srv.api(Method::DELETE, &path("refresh-tokens"), None).await;
    assert_eq!(st, StatusCode::ACCEPTED);
    let (st, e, _) = srv
        .token_form(&[
            ("grant_type", "refresh_token"),
            ("client_id", &id),
            ("client_secret", &secret),
            ("refresh_token", &rt),
        ])
        .await;
    assert_eq!(st, StatusCode::FORBIDDEN, "{e}");

    let to = b.authorize(&code_params(&a, &[])).await;
    b.submit_login(&to, "ada@example.com", PASSWORD).await;
    let (_, sessions) = srv.api(Method::GET, &path("sessions"), None).await;
    let sid = sessions["sessions"][0]["id"].as_str().unwrap().to_string();
    let (st, _) = srv
        .api(Method::POST, &format!("/sessions/{sid}/revoke"), None)
        .await;
    assert_eq!(st, StatusCode::ACCEPTED);
    let silent = b.authorize(&code_params(&a, &[("prompt", "none")])).await;
    assert_eq!(silent.redirect_params()["error"], "login_required");
    let (st, _) = srv
        .api(Method::DELETE, "/users/auth0%7Cnobody/sessions", None)
        .await;
    assert_eq!(st, StatusCode::NOT_FOUND);
}

/// `GET /users/{id}/sessions` and `/users/{id}/refresh-tokens` with Auth0's
/// checkpoint paging (`from`, `take`, `next`): every item once, in pages.
async fn a_users_sessions_and_refresh_tokens_page_by_checkpoint(srv: crate::support::TestServer) {
    let api = "https://paged.example/";
    offline_api(&srv, api).await;
    let uid = user(&srv, "ada@example.com").await;
    let app = password_app(&srv, "Inbox").await;
    for _ in 0..3 {
        password_tokens(&srv, &app, api).await;
    }
    let a = spa(&srv, json!({})).await;
    for _ in 0..3 {
        let mut b = Browser::new(&srv);
        let to = b.authorize(&code_params(&a, &[])).await;
        b.submit_login(&to, "ada@example.com", PASSWORD).await;
    }
    for (what, key) in [("sessions", "sessions"), ("refresh-tokens", "tokens")] {
        let base = format!("/users/{}/{what}", urlenc(&uid));
        let (st, all) = srv.api(Method::GET, &base, None).await;
        assert_eq!(st, StatusCode::OK, "{all}");
        let ids = |v: &Value| -> Vec<String> {
            v[key]
                .as_array()
                .unwrap()
                .iter()
                .map(|i| i["id"].as_str().unwrap().to_string())
                .collect()
        };
        let mut expected = ids(&all);
        expected.sort();
        assert_eq!(expected.len(), 3, "{what}: {all}");
        let mut seen = Vec::new();
        let mut from: Option<String> = None;
        for _ in 0..5 {
            let url = match &from {
                Some(f) => format!("{base}?take=2&from={}", urlenc(f)),
                None => format!("{base}?take=2"),
            };
            let (st, page) = srv.api(Method::GET, &url, None).await;
            assert_eq!(st, StatusCode::OK, "{page}");
            seen.extend(ids(&page));
            match page["next"].as_str() {
                Some(n) => from = Some(n.to_string()),
                None => break,
            }
        }
        assert_eq!(seen, expected, "{what}: each once, in order");
        for bad in ["take=0", "take=x", "from=not-a-cursor"] {
            let (st, e) = srv.api(Method::GET, &format!("{base}?{bad}"), None).await;
            assert_eq!(st, StatusCode::BAD_REQUEST, "{what} {bad}: {e}");
            assert_eq!(e["errorCode"], "invalid_query_string");
        }
    }
}

/// `GET /refresh-tokens?user_id=…&client_id=…` (checkpoint pages) and
/// `POST /refresh-tokens/revoke` by ids, by user and client, by user, client
/// and audience; the combinations Auth0 refuses are 400 and revoke nothing.
async fn refresh_tokens_are_listed_by_user_and_revoked_in_bulk(srv: crate::support::TestServer) {
    let uid = user(&srv, "ada@example.com").await;
    let apps = [
        password_app(&srv, "One").await,
        password_app(&srv, "Two").await,
    ];
    for api in ["https://x.example/", "https://y.example/"] {
        offline_api(&srv, api).await;
    }
    // One: a token for x and one for y; Two: one for x.
    for (app, api) in [
        (0, "https://x.example/"),
        (0, "https://y.example/"),
        (1, "https://x.example/"),
    ] {
        password_tokens(&srv, &apps[app], api).await;
    }
    let list = |extra: String| {
        let srv = &srv;
        let uid = uid.clone();
        async move {
            let (st, v) = srv
                .api(
                    Method::GET,
                    &format!("/refresh-tokens?user_id={}{extra}", urlenc(&uid)),
                    None,
                )
                .await;
            assert_eq!(st, StatusCode::OK, "{v}");
            v
        }
    };
    let all = list(String::new()).await;
    assert_eq!(all["refresh_tokens"].as_array().unwrap().len(), 3, "{all}");
    assert!(all.get("next").is_none());
    let of_one = list(format!("&client_id={}", apps[0].0)).await;
    assert_eq!(of_one["refresh_tokens"].as_array().unwrap().len(), 2);
    // `fields` without the id still pages (by id, before the fields apply).
    let first = list("&take=2&fields=client_id&include_fields=true".into()).await;
    assert_eq!(first["refresh_tokens"].as_array().unwrap().len(), 2);
    assert_eq!(
        first["refresh_tokens"][0].as_object().unwrap().len(),
        1,
        "{first}"
    );
    let rest = list(format!("&take=2&from={}", first["next"].as_str().unwrap())).await;
    assert_eq!(rest["refresh_tokens"].as_array().unwrap().len(), 1);

    // Refused before anything changes.
    for bad in [
        json!({}),
        json!({"client_id": apps[0].0}),
        json!({"user_id": uid, "audience": "https://x.example/"}),
        json!({"ids": [], }),
        json!({"ids": ["x"], "user_id": uid}),
        json!({"user_id": uid, "extra": 1}),
    ] {
        let (st, e) = srv
            .api(Method::POST, "/refresh-tokens/revoke", Some(bad.clone()))
            .await;
        assert_eq!(st, StatusCode::BAD_REQUEST, "{bad}: {e}");
        assert_eq!(e["statusCode"], 400);
    }
    let (st, e) = srv.api(Method::GET, "/refresh-tokens", None).await;
    assert_eq!(st, StatusCode::BAD_REQUEST, "{e}");
    assert_eq!(
        list(String::new()).await["refresh_tokens"]
            .as_array()
            .unwrap()
            .len(),
        3
    );

    // By user, client and audience: One's token for y only.
    let (st, _) = srv
        .api(
            Method::POST,
            "/refresh-tokens/revoke",
            Some(json!({"user_id": uid, "client_id": apps[0].0, "audience": "https://y.example/"})),
        )
        .await;
    assert_eq!(st, StatusCode::ACCEPTED);
    let left = list(String::new()).await;
    let left = left["refresh_tokens"].as_array().unwrap();
    assert_eq!(left.len(), 2);
    assert!(
        left.iter()
            .all(|t| t["resource_servers"][0]["audience"] == "https://x.example/")
    );
    // By ids: Two's token.
    let two = left
        .iter()
        .find(|t| t["client_id"] == apps[1].0.as_str())
        .unwrap()["id"]
        .clone();
    let (st, _) = srv
        .api(
            Method::POST,
            "/refresh-tokens/revoke",
            Some(json!({"ids": [two, "rt_unknown"]})),
        )
        .await;
    assert_eq!(st, StatusCode::ACCEPTED);
    assert_eq!(
        list(String::new()).await["refresh_tokens"]
            .as_array()
            .unwrap()
            .len(),
        1
    );
    // By user: the rest.
    let (st, _) = srv
        .api(
            Method::POST,
            "/refresh-tokens/revoke",
            Some(json!({"user_id": uid})),
        )
        .await;
    assert_eq!(st, StatusCode::ACCEPTED);
    assert_eq!(list(String::new()).await["refresh_tokens"], json!([]));
}
