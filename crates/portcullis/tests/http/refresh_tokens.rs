//! Refresh tokens: issuing, a new ID token on every refresh, rotation, reuse
//! detection with family revocation, leeway, non-rotating tokens, revocation.

use reqwest::{Method, StatusCode};
use serde_json::{Value, json};

use crate::browser::{Browser, PASSWORD, code_params, exchange, spa, user};
use crate::support::{TestServer, on_both_backends, verify_with_jwks};

const API: &str = "https://orders.example/";

/// Signs in to `client` with offline_access and returns the token response.
async fn sign_in(srv: &TestServer, client: &str, extra: &[(&str, &str)]) -> Value {
    let mut b = Browser::new(srv);
    let mut params = vec![("scope", "openid profile email offline_access")];
    params.extend_from_slice(extra);
    let to = b.authorize(&code_params(client, &params)).await;
    let back = b.submit_login(&to, "ada@example.com", PASSWORD).await;
    let (st, t) = exchange(srv, client, &back.redirect_params()["code"]).await;
    assert_eq!(st, StatusCode::OK, "{t}");
    t
}

async fn refresh(
    srv: &TestServer,
    client: &str,
    token: &str,
    scope: Option<&str>,
) -> (StatusCode, Value) {
    let mut form = vec![
        ("grant_type", "refresh_token"),
        ("client_id", client),
        ("refresh_token", token),
    ];
    if let Some(s) = scope {
        form.push(("scope", s));
    }
    let (st, body, _) = srv.token_form(&form).await;
    (st, body)
}

/// `n` refreshes of `token` sent at once; their answers.
async fn race_refreshes(
    srv: &TestServer,
    app: &str,
    token: &str,
    n: usize,
) -> Vec<(StatusCode, Value)> {
    let mut tasks = Vec::new();
    for _ in 0..n {
        let (http, url) = (srv.http.clone(), format!("{}/oauth/token", srv.url));
        let (app, rt) = (app.to_string(), token.to_string());
        tasks.push(tokio::spawn(async move {
            let res = http
                .post(url)
                .form(&[
                    ("grant_type", "refresh_token"),
                    ("client_id", app.as_str()),
                    ("refresh_token", rt.as_str()),
                ])
                .send()
                .await
                .unwrap();
            let st = res.status();
            (st, res.json::<Value>().await.unwrap())
        }));
    }
    let mut out = Vec::new();
    for t in tasks {
        out.push(t.await.unwrap());
    }
    out
}

fn assert_invalid(st: StatusCode, body: &Value) {
    assert_eq!(st, StatusCode::FORBIDDEN, "{body}");
    assert_eq!(body["error"], "invalid_grant");
    assert_eq!(
        body["error_description"],
        "Unknown or invalid refresh token."
    );
}

on_both_backends!(
    refresh_returns_a_fresh_id_token_and_rotates,
    refresh_reuse_outside_leeway_revokes_family,
    refresh_within_leeway_allows_only_the_previous_token,
    refused_refresh_requests_change_nothing,
    non_rotating_refresh_token_is_reused,
    refresh_token_needs_offline_access_and_an_api_that_allows_it,
    revoke_ends_the_family,
    blocked_user_cannot_refresh,
    concurrent_refreshes_have_one_winner_without_leeway
);

/// Seed 000: every refresh returns a new ID token (new iat/exp, same sub and
/// sid, no nonce, profile re-read), a new access token and, rotating, a new
/// refresh token.
async fn refresh_returns_a_fresh_id_token_and_rotates(srv: crate::support::TestServer) {
    let app = spa(&srv, json!({})).await;
    let uid = user(&srv, "ada@example.com").await;
    let first = sign_in(&srv, &app, &[]).await;
    let rt1 = first["refresh_token"]
        .as_str()
        .expect("offline_access gives a refresh token")
        .to_string();
    let id1 = verify_with_jwks(&srv, first["id_token"].as_str().unwrap(), &app).await;
    srv.api(
        Method::PATCH,
        &format!("/users/{}", crate::token_endpoint::urlenc(&uid)),
        Some(json!({"name": "Ada King"})),
    )
    .await;
    tokio::time::sleep(std::time::Duration::from_millis(1100)).await;
    let (st, second) = refresh(&srv, &app, &rt1, None).await;
    assert_eq!(st, StatusCode::OK, "{second}");
    let id2 = verify_with_jwks(
        &srv,
        second["id_token"].as_str().expect("a new id_token"),
        &app,
    )
    .await;
    assert_eq!(id2["sub"], id1["sub"]);
    assert_eq!(id2["sid"], id1["sid"]);
    assert!(id2["iat"].as_i64() > id1["iat"].as_i64());
    assert!(id2.get("nonce").is_none());
    assert_eq!(id2["name"], "Ada King", "profile claims are re-read");
    let rt2 = second["refresh_token"]
        .as_str()
        .expect("rotating: a new refresh token");
    assert_ne!(rt2, rt1);
    let at = verify_with_jwks(
        &srv,
        second["access_token"].as_str().unwrap(),
        &format!("{}userinfo", srv.issuer),
    )
    .await;
    assert_eq!(at["gty"], "refresh_token");
    // auth0-python sends scope="" on refresh: no narrowing.
    let (st, third) = refresh(&srv, &app, rt2, Some("")).await;
    assert_eq!(st, StatusCode::OK, "{third}");
    assert_eq!(third["scope"], "openid profile email offline_access");
}

/// Re-using a spent rotating token (leeway 0) is theft: the request fails and
/// the whole family is revoked, the newest token included; `ferrt` is logged.
async fn refresh_reuse_outside_leeway_revokes_family(srv: crate::support::TestServer) {
    let app = spa(&srv, json!({})).await;
    user(&srv, "ada@example.com").await;
    let rt1 = sign_in(&srv, &app, &[]).await["refresh_token"]
        .as_str()
        .unwrap()
        .to_string();
    let (_, second) = refresh(&srv, &app, &rt1, None).await;
    let rt2 = second["refresh_token"].as_str().unwrap().to_string();
    let (st, body) = refresh(&srv, &app, &rt1, None).await;
    assert_invalid(st, &body);
    let (st, body) = refresh(&srv, &app, &rt2, None).await;
    assert_invalid(st, &body);
    let (_, logs) = srv.api(Method::GET, "/logs?q=type%3Aferrt", None).await;
    assert_eq!(logs.as_array().unwrap().len(), 1);
}

/// Within the leeway only the immediately previous token may be exchanged again
/// (two tabs racing); the one before it still trips reuse detection.
async fn refresh_within_leeway_allows_only_the_previous_token(srv: crate::support::TestServer) {
    let app = spa(&srv, json!({"refresh_token": {"leeway": 30}})).await;
    user(&srv, "ada@example.com").await;
    let rt1 = sign_in(&srv, &app, &[]).await["refresh_token"]
        .as_str()
        .unwrap()
        .to_string();
    let (_, second) = refresh(&srv, &app, &rt1, None).await;
    let rt2 = second["refresh_token"].as_str().unwrap().to_string();
    let (st, again) = refresh(&srv, &app, &rt1, None).await;
    assert_eq!(st, StatusCode::OK, "previous token within leeway: {again}");
    let (st, third) = refresh(&srv, &app, &rt2, None).await;
    assert_eq!(st, StatusCode::OK, "{third}");
    let rt3 = third["refresh_token"].as_str().unwrap().to_string();
    let (st, body) = refresh(&srv, &app, &rt1, None).await;
    assert_invalid(st, &body);
    let (st, body) = refresh(&srv, &app, &rt3, None).await;
    assert_invalid(st, &body);
}

/// Refused requests change nothing: another client's token, a wider scope.
async fn refused_refresh_requests_change_nothing(srv: crate::support::TestServer) {
    let app = spa(&srv, json!({})).await;
    let other = spa(&srv, json!({"name": "Other"})).await;
    user(&srv, "ada@example.com").await;
    let rt1 = sign_in(&srv, &app, &[]).await["refresh_token"]
        .as_str()
        .unwrap()
        .to_string();
    let (st, body) = refresh(&srv, &other, &rt1, None).await;
    assert_invalid(st, &body);
    let (st, body) = refresh(&srv, &app, &rt1, Some("openid admin")).await;
    assert_eq!(st, StatusCode::BAD_REQUEST, "{body}");
    assert_eq!(body["error"], "invalid_scope");
    for garbage in ["garbage", "", &rt1[..10]] {
        let (st, body) = refresh(&srv, &app, garbage, None).await;
        assert!(
            st == StatusCode::FORBIDDEN || st == StatusCode::BAD_REQUEST,
            "{garbage}: {body}"
        );
    }
    let (st, narrowed) = refresh(&srv, &app, &rt1, Some("openid")).await;
    assert_eq!(st, StatusCode::OK, "the token still works: {narrowed}");
    assert_eq!(narrowed["scope"], "openid");
}

/// Non-rotating tokens (Auth0's default for regular web apps) are reused and
/// the response carries no new refresh token.
async fn non_rotating_refresh_token_is_reused(srv: crate::support::TestServer) {
    let (st, c) = srv.api(Method::POST, "/clients", Some(json!({"name": "Web", "app_type": "regular_web", "callbacks": [crate::browser::CALLBACK]}))).await;
    assert_eq!(st, StatusCode::CREATED);
    let (id, secret) = (
        c["client_id"].as_str().unwrap(),
        c["client_secret"].as_str().unwrap(),
    );
    user(&srv, "ada@example.com").await;
    let (st, t, _) = srv
        .token_form(&[
            ("grant_type", "password"),
            ("client_id", id),
            ("client_secret", secret),
            ("username", "ada@example.com"),
            ("password", PASSWORD),
            ("scope", "openid offline_access"),
        ])
        .await;
    assert_eq!(
        st,
        StatusCode::FORBIDDEN,
        "regular_web has no password grant by default: {t}"
    );
    srv.api(
        Method::PATCH,
        &format!("/clients/{id}"),
        Some(json!({"grant_types": ["authorization_code", "refresh_token", "password"]})),
    )
    .await;
    let (st, t, _) = srv
        .token_form(&[
            ("grant_type", "password"),
            ("client_id", id),
            ("client_secret", secret),
            ("username", "ada@example.com"),
            ("password", PASSWORD),
            ("scope", "openid offline_access"),
        ])
        .await;
    assert_eq!(st, StatusCode::OK, "{t}");
    let rt = t["refresh_token"].as_str().unwrap();
    for _ in 0..2 {
        let (st, body, _) = srv
            .token_form(&[
                ("grant_type", "refresh_token"),
                ("client_id", id),
                ("client_secret", secret),
                ("refresh_token", rt),
            ])
            .await;
        assert_eq!(st, StatusCode::OK, "{body}");
        assert!(body.get("refresh_token").is_none());
        assert!(body["id_token"].is_string());
    }
}

/// No offline_access, or an API without allow_offline_access: no refresh token.
async fn refresh_token_needs_offline_access_and_an_api_that_allows_it(
    srv: crate::support::TestServer,
) {
    srv.api(
        Method::POST,
        "/resource-servers",
        Some(json!({"identifier": API})),
    )
    .await;
    let app = spa(&srv, json!({})).await;
    user(&srv, "ada@example.com").await;
    let mut b = Browser::new(&srv);
    let to = b
        .authorize(&code_params(&app, &[("scope", "openid")]))
        .await;
    let back = b.submit_login(&to, "ada@example.com", PASSWORD).await;
    let (_, t) = exchange(&srv, &app, &back.redirect_params()["code"]).await;
    assert!(t.get("refresh_token").is_none());
    let t = sign_in(&srv, &app, &[("audience", API)]).await;
    assert!(
        t.get("refresh_token").is_none(),
        "API does not allow offline access"
    );
}

/// RFC 7009: revoking a token revokes its family; unknown tokens answer 200.
async fn revoke_ends_the_family(srv: crate::support::TestServer) {
    let app = spa(&srv, json!({})).await;
    user(&srv, "ada@example.com").await;
    let rt1 = sign_in(&srv, &app, &[]).await["refresh_token"]
        .as_str()
        .unwrap()
        .to_string();
    let (_, second) = refresh(&srv, &app, &rt1, None).await;
    let rt2 = second["refresh_token"].as_str().unwrap().to_string();
    for token in ["never-issued", rt1.as_str()] {
        let res = srv
            .http
            .post(format!("{}/oauth/revoke", srv.url))
            .json(&json!({"client_id": app, "token": token}))
            .send()
            .await
            .unwrap();
        assert_eq!(res.status(), StatusCode::OK);
    }
    let (st, body) = refresh(&srv, &app, &rt2, None).await;
    assert_invalid(st, &body);
}

/// A blocked user's refresh fails with Auth0's "user is blocked".
async fn blocked_user_cannot_refresh(srv: crate::support::TestServer) {
    let app = spa(&srv, json!({})).await;
    let uid = user(&srv, "ada@example.com").await;
    let rt1 = sign_in(&srv, &app, &[]).await["refresh_token"]
        .as_str()
        .unwrap()
        .to_string();
    srv.api(
        Method::PATCH,
        &format!("/users/{}", crate::token_endpoint::urlenc(&uid)),
        Some(json!({"blocked": true})),
    )
    .await;
    let (st, body) = refresh(&srv, &app, &rt1, None).await;
    assert_eq!(st, StatusCode::FORBIDDEN);
    assert_eq!(body["error_description"], "user is blocked");
}

/// Concurrency, leeway 0: of many simultaneous refreshes of one token exactly
/// one succeeds, the rest are reuse, and the family ends revoked. With a leeway
/// they all succeed.
async fn concurrent_refreshes_have_one_winner_without_leeway(srv: crate::support::TestServer) {
    let strict = spa(&srv, json!({})).await;
    let lenient = spa(
        &srv,
        json!({"name": "Lenient", "refresh_token": {"leeway": 60}}),
    )
    .await;
    user(&srv, "ada@example.com").await;
    for (app, all_ok) in [(strict, false), (lenient, true)] {
        let rt1 = sign_in(&srv, &app, &[]).await["refresh_token"]
            .as_str()
            .unwrap()
            .to_string();
        let results = race_refreshes(&srv, &app, &rt1, 20).await;
        let mut ok = Vec::new();
        for (st, body) in results {
            assert!(
                st == StatusCode::OK || st == StatusCode::FORBIDDEN,
                "no 5xx: {st} {body}"
            );
            if st == StatusCode::OK {
                ok.push(body["refresh_token"].as_str().unwrap().to_string());
            }
        }
        if all_ok {
            assert_eq!(ok.len(), 20, "within the leeway every racer succeeds");
            let (st, _) = refresh(&srv, &app, &ok[0], None).await;
            assert_eq!(st, StatusCode::OK, "the family stays alive");
        } else {
            assert_eq!(ok.len(), 1, "exactly one winner");
            let (st, body) = refresh(&srv, &app, &ok[0], None).await;
            assert_invalid(st, &body);
        }
    }
}

on_both_backends!(
    refresh_token_expires_when_idle_and_each_use_renews_it,
    refresh_family_expires_at_its_absolute_lifetime_despite_rotation
);

/// Idle expiry: a token unused for longer than `idle_token_lifetime` is dead;
/// each exchange renews the idle window.
async fn refresh_token_expires_when_idle_and_each_use_renews_it(srv: crate::support::TestServer) {
    let app = spa(
        &srv,
        json!({"refresh_token": {"idle_token_lifetime": 600, "token_lifetime": 3600}}),
    )
    .await;
    user(&srv, "ada@example.com").await;
    let rt1 = sign_in(&srv, &app, &[]).await["refresh_token"]
        .as_str()
        .unwrap()
        .to_string();
    let clock = &srv.server.as_ref().unwrap().state;
    clock.advance_clock(500);
    let (st, second) = refresh(&srv, &app, &rt1, None).await;
    assert_eq!(st, StatusCode::OK, "{second}");
    let rt2 = second["refresh_token"].as_str().unwrap().to_string();
    clock.advance_clock(500);
    let (st, third) = refresh(&srv, &app, &rt2, None).await;
    assert_eq!(st, StatusCode::OK, "renewed idle window: {third}");
    let rt3 = third["refresh_token"].as_str().unwrap().to_string();
    clock.advance_clock(601);
    let (st, body) = refresh(&srv, &app, &rt3, None).await;
    assert_invalid(st, &body);
}

/// Absolute expiry is fixed at issue for the whole family: rotation does not
/// extend it.
async fn refresh_family_expires_at_its_absolute_lifetime_despite_rotation(
    srv: crate::support::TestServer,
) {
    let app = spa(
        &srv,
        json!({"refresh_token": {"idle_token_lifetime": 600, "token_lifetime": 1000}}),
    )
    .await;
    user(&srv, "ada@example.com").await;
    let mut rt = sign_in(&srv, &app, &[]).await["refresh_token"]
        .as_str()
        .unwrap()
        .to_string();
    let clock = &srv.server.as_ref().unwrap().state;
    for _ in 0..3 {
        clock.advance_clock(300);
        let (st, body) = refresh(&srv, &app, &rt, None).await;
        assert_eq!(st, StatusCode::OK, "{body}");
        rt = body["refresh_token"].as_str().unwrap().to_string();
    }
    clock.advance_clock(101);
    let (st, body) = refresh(&srv, &app, &rt, None).await;
    assert_invalid(st, &body);
}

on_both_backends!(management_api_lists_and_revokes_sessions_and_refresh_tokens);

/// The Management API lists a user's sessions and refresh tokens and revokes
/// them: deleting the session ends SSO and its refresh tokens.
async fn management_api_lists_and_revokes_sessions_and_refresh_tokens(
    srv: crate::support::TestServer,
) {
    let app = spa(&srv, json!({})).await;
    let uid = user(&srv, "ada@example.com").await;
    let enc = crate::token_endpoint::urlenc(&uid);
    let t = sign_in(&srv, &app, &[]).await;
    let rt1 = t["refresh_token"].as_str().unwrap().to_string();
    let (st, sessions) = srv
        .api(Method::GET, &format!("/users/{enc}/sessions"), None)
        .await;
    assert_eq!(st, StatusCode::OK, "{sessions}");
    let sid = sessions["sessions"][0]["id"].as_str().unwrap().to_string();
    let id_claims = verify_with_jwks(&srv, t["id_token"].as_str().unwrap(), &app).await;
    assert_eq!(id_claims["sid"], sid);
    let (st, tokens) = srv
        .api(Method::GET, &format!("/users/{enc}/refresh-tokens"), None)
        .await;
    assert_eq!(st, StatusCode::OK);
    let tokens = tokens["tokens"].as_array().unwrap().clone();
    assert_eq!(tokens.len(), 1);
    assert_eq!(tokens[0]["session_id"], sid);
    assert!(
        !tokens.iter().any(|t| t.to_string().contains(&rt1)),
        "never the token itself"
    );
    let (st, one) = srv
        .api(
            Method::GET,
            &format!("/refresh-tokens/{}", tokens[0]["id"].as_str().unwrap()),
            None,
        )
        .await;
    assert_eq!(st, StatusCode::OK);
    assert_eq!(one["client_id"], app);
    let (st, _) = srv
        .api(Method::DELETE, &format!("/sessions/{sid}"), None)
        .await;
    assert_eq!(st, StatusCode::NO_CONTENT);
    let (st, body) = refresh(&srv, &app, &rt1, None).await;
    assert_invalid(st, &body);
    let (_, sessions) = srv
        .api(Method::GET, &format!("/users/{enc}/sessions"), None)
        .await;
    assert_eq!(sessions["sessions"], json!([]));
    let (st, _) = srv
        .api(Method::GET, &format!("/sessions/{sid}"), None)
        .await;
    assert_eq!(st, StatusCode::NOT_FOUND);
    // Deleting one refresh token revokes its family.
    let rt = sign_in(&srv, &app, &[]).await["refresh_token"]
        .as_str()
        .unwrap()
        .to_string();
    let (_, tokens) = srv
        .api(Method::GET, &format!("/users/{enc}/refresh-tokens"), None)
        .await;
    let tid = tokens["tokens"][0]["id"].as_str().unwrap().to_string();
    let (st, _) = srv
        .api(Method::DELETE, &format!("/refresh-tokens/{tid}"), None)
        .await;
    assert_eq!(st, StatusCode::NO_CONTENT);
    let (st, body) = refresh(&srv, &app, &rt, None).await;
    assert_invalid(st, &body);
    let (st, _) = srv
        .api(Method::DELETE, "/refresh-tokens/rt_nope", None)
        .await;
    assert_eq!(st, StatusCode::NOT_FOUND);
}

on_both_backends!(introspection_reports_live_and_revoked_tokens);

/// RFC 7662: a confidential client learns whether a token is live; a revoked
/// family and another client's refresh token read as inactive.
async fn introspection_reports_live_and_revoked_tokens(srv: crate::support::TestServer) {
    let app = spa(&srv, json!({})).await;
    user(&srv, "ada@example.com").await;
    // The resource server is authorised for the token's API (RFC 7662 §4).
    let (rs_id, rs_secret) = srv.m2m_with_grant(API, &["read:orders"], &[]).await;
    let (st, _) = srv
        .api(
            Method::PATCH,
            &format!("/resource-servers/{}", crate::token_endpoint::urlenc(API)),
            Some(json!({"allow_offline_access": true})),
        )
        .await;
    assert_eq!(st, StatusCode::OK);
    let (stranger_id, stranger_secret) = srv.new_m2m("stranger").await;
    let t = sign_in(&srv, &app, &[("audience", API)]).await;
    let rt = t["refresh_token"].as_str().unwrap().to_string();
    let introspect = |token: String, id: String, secret: String| {
        let (http, url) = (srv.http.clone(), format!("{}/oauth/introspect", srv.url));
        async move {
            let res = http
                .post(url)
                .form(&[
                    ("client_id", id.as_str()),
                    ("client_secret", secret.as_str()),
                    ("token", token.as_str()),
                ])
                .send()
                .await
                .unwrap();
            (res.status(), res.json::<Value>().await.unwrap())
        }
    };
    let (st, at) = introspect(
        t["access_token"].as_str().unwrap().into(),
        rs_id.clone(),
        rs_secret.clone(),
    )
    .await;
    assert_eq!(st, StatusCode::OK);
    assert_eq!(at["active"], true, "{at}");
    assert_eq!(at["client_id"], app);
    let (_, hidden) = introspect(
        t["access_token"].as_str().unwrap().into(),
        stranger_id,
        stranger_secret,
    )
    .await;
    assert_eq!(
        hidden,
        json!({"active": false}),
        "a client not authorised for the API learns nothing"
    );
    let (_, other) = introspect(rt.clone(), rs_id.clone(), rs_secret.clone()).await;
    assert_eq!(
        other["active"], false,
        "another client's refresh token is not disclosed"
    );
    let (_, garbage) = introspect("garbage".into(), rs_id.clone(), rs_secret.clone()).await;
    assert_eq!(garbage, json!({"active": false}));
    let (st, _) = introspect(rt.clone(), rs_id.clone(), "wrong".into()).await;
    assert_eq!(st, StatusCode::UNAUTHORIZED);
}

on_both_backends!(switching_rotation_type_replaces_the_token_at_its_next_use);

/// Switching the client's rotation takes effect at the next exchange: the old
/// token's family ends and the response carries a token of the new kind.
async fn switching_rotation_type_replaces_the_token_at_its_next_use(
    srv: crate::support::TestServer,
) {
    let app = spa(&srv, json!({})).await;
    user(&srv, "ada@example.com").await;
    let rt1 = sign_in(&srv, &app, &[]).await["refresh_token"]
        .as_str()
        .unwrap()
        .to_string();
    srv.api(
        Method::PATCH,
        &format!("/clients/{app}"),
        Some(json!({"refresh_token": {"rotation_type": "non-rotating"}})),
    )
    .await;
    let (st, body) = refresh(&srv, &app, &rt1, None).await;
    assert_eq!(st, StatusCode::OK, "{body}");
    let fixed = body["refresh_token"]
        .as_str()
        .expect("a non-rotating replacement")
        .to_string();
    let (st, body) = refresh(&srv, &app, &rt1, None).await;
    assert_invalid(st, &body);
    for _ in 0..2 {
        let (st, body) = refresh(&srv, &app, &fixed, None).await;
        assert_eq!(st, StatusCode::OK, "{body}");
        assert!(body.get("refresh_token").is_none(), "non-rotating now");
    }
    srv.api(
        Method::PATCH,
        &format!("/clients/{app}"),
        Some(json!({"refresh_token": {"rotation_type": "rotating"}})),
    )
    .await;
    let (st, body) = refresh(&srv, &app, &fixed, None).await;
    assert_eq!(st, StatusCode::OK, "{body}");
    let rotating = body["refresh_token"].as_str().unwrap().to_string();
    let (st, body) = refresh(&srv, &app, &fixed, None).await;
    assert_invalid(st, &body);
    let (st, body) = refresh(&srv, &app, &rotating, None).await;
    assert_eq!(st, StatusCode::OK, "{body}");
    assert!(body["refresh_token"].is_string());
}

on_both_backends!(tokeninfo_and_delegation_serve_legacy_apps_only);

/// Seed 001's legacy endpoints work for non-conformant applications and are
/// refused for conformant ones.
async fn tokeninfo_and_delegation_serve_legacy_apps_only(srv: crate::support::TestServer) {
    let legacy = spa(&srv, json!({"oidc_conformant": false})).await;
    let modern = spa(&srv, json!({"name": "Modern"})).await;
    // A legacy target that allows the caller (Auth0's allowed_clients).
    let partner = spa(
        &srv,
        json!({"name": "Partner", "oidc_conformant": false, "allowed_clients": [legacy]}),
    )
    .await;
    let uid = user(&srv, "ada@example.com").await;
    let t = sign_in(&srv, &legacy, &[]).await;
    let id_token = t["id_token"].as_str().unwrap();
    let post = |path: &str, form: Vec<(&'static str, String)>| {
        let (http, url) = (srv.http.clone(), format!("{}{path}", srv.url));
        async move {
            let res = http.post(url).form(&form).send().await.unwrap();
            (res.status(), res.json::<Value>().await.unwrap())
        }
    };
    let (st, profile) = post("/tokeninfo", vec![("id_token", id_token.to_string())]).await;
    assert_eq!(st, StatusCode::OK, "{profile}");
    assert_eq!(profile["user_id"], uid);
    assert_eq!(profile["email"], "ada@example.com");
    let jwt_bearer = "urn:ietf:params:oauth:grant-type:jwt-bearer".to_string();
    let (st, d) = post(
        "/delegation",
        vec![
            ("grant_type", jwt_bearer.clone()),
            ("client_id", legacy.clone()),
            ("id_token", id_token.to_string()),
            ("target", partner.clone()),
            ("api_type", "app".into()),
            ("scope", "openid email".into()),
        ],
    )
    .await;
    assert_eq!(st, StatusCode::OK, "{d}");
    let claims = verify_with_jwks(&srv, d["id_token"].as_str().unwrap(), &partner).await;
    assert_eq!(claims["sub"], uid);
    assert_eq!(claims["email"], "ada@example.com");
    let (st, d) = post(
        "/delegation",
        vec![
            ("grant_type", jwt_bearer.clone()),
            ("client_id", legacy.clone()),
            ("refresh_token", t["refresh_token"].as_str().unwrap().into()),
        ],
    )
    .await;
    assert_eq!(st, StatusCode::OK, "{d}");
    // A conformant target never takes part in delegation.
    let (st, e) = post(
        "/delegation",
        vec![
            ("grant_type", jwt_bearer.clone()),
            ("client_id", legacy.clone()),
            ("id_token", id_token.to_string()),
            ("target", modern.clone()),
        ],
    )
    .await;
    assert_eq!(st, StatusCode::FORBIDDEN, "{e}");
    assert_eq!(e["error"], "access_denied");
    let modern_tokens = sign_in(&srv, &modern, &[]).await;
    let (st, e) = post(
        "/tokeninfo",
        vec![(
            "id_token",
            modern_tokens["id_token"].as_str().unwrap().into(),
        )],
    )
    .await;
    assert_eq!(st, StatusCode::FORBIDDEN);
    assert_eq!(e["error"], "unauthorized_client");
    let (st, e) = post(
        "/delegation",
        vec![
            ("grant_type", jwt_bearer),
            ("client_id", modern.clone()),
            (
                "id_token",
                modern_tokens["id_token"].as_str().unwrap().into(),
            ),
        ],
    )
    .await;
    assert_eq!(st, StatusCode::FORBIDDEN, "{e}");
    let (st, _) = post("/tokeninfo", vec![("id_token", "garbage".into())]).await;
    assert_eq!(st, StatusCode::FORBIDDEN);
}

on_both_backends!(token_exchange_gives_a_token_for_another_api_within_the_client_grant);

/// RFC 8693: a service exchanges the user's token for API A for one for API B,
/// bounded by its client grant; the new token names the actor.
async fn token_exchange_gives_a_token_for_another_api_within_the_client_grant(
    srv: crate::support::TestServer,
) {
    let api_a = "https://a.example/";
    let api_b = "https://b.example/";
    srv.api(
        Method::POST,
        "/resource-servers",
        Some(json!({"identifier": api_a, "scopes": [{"value": "a:read"}]})),
    )
    .await;
    let (svc, secret) = srv
        .m2m_with_grant(api_b, &["b:read", "b:write"], &["b:read"])
        .await;
    srv.api(Method::PATCH, &format!("/clients/{svc}"), Some(json!({"grant_types": ["client_credentials", "urn:ietf:params:oauth:grant-type:token-exchange"]}))).await;
    // The service serves API A: it is authorised for the subject token's API.
    srv.api(
        Method::POST,
        "/client-grants",
        Some(json!({"client_id": svc, "audience": api_a, "scope": ["a:read"]})),
    )
    .await;
    let api_c = "https://c.example/";
    srv.api(
        Method::POST,
        "/resource-servers",
        Some(json!({"identifier": api_c, "scopes": [{"value": "c:read"}]})),
    )
    .await;
    let app = spa(&srv, json!({})).await;
    let uid = user(&srv, "ada@example.com").await;
    let t = sign_in(
        &srv,
        &app,
        &[("audience", api_a), ("scope", "openid a:read")],
    )
    .await;
    let subject = t["access_token"].as_str().unwrap();
    let form = |scope: &'static str| {
        vec![
            (
                "grant_type",
                "urn:ietf:params:oauth:grant-type:token-exchange".to_string(),
            ),
            ("client_id", svc.clone()),
            ("client_secret", secret.clone()),
            ("subject_token", subject.to_string()),
            (
                "subject_token_type",
                "urn:ietf:params:oauth:token-type:access_token".to_string(),
            ),
            ("audience", api_b.to_string()),
            ("scope", scope.to_string()),
        ]
    };
    let post = |f: Vec<(&'static str, String)>| {
        let (http, url) = (srv.http.clone(), format!("{}/oauth/token", srv.url));
        async move {
            let res = http.post(url).form(&f).send().await.unwrap();
            (res.status(), res.json::<Value>().await.unwrap())
        }
    };
    let (st, out) = post(form("")).await;
    assert_eq!(st, StatusCode::OK, "{out}");
    assert_eq!(
        out["issued_token_type"],
        "urn:ietf:params:oauth:token-type:access_token"
    );
    let claims = verify_with_jwks(&srv, out["access_token"].as_str().unwrap(), api_b).await;
    assert_eq!(claims["sub"], uid);
    assert_eq!(claims["scope"], "b:read");
    assert_eq!(claims["act"]["sub"], format!("{svc}@clients"));
    let (st, e) = post(form("b:write")).await;
    assert_eq!(st, StatusCode::BAD_REQUEST, "{e}");
    assert_eq!(e["error"], "invalid_scope");
    let mut bad = form("");
    bad[3].1 = "garbage".into();
    let (st, e) = post(bad).await;
    assert_eq!(st, StatusCode::FORBIDDEN, "{e}");
    assert_eq!(e["error"], "invalid_grant");
    let mut other = form("");
    other[5].1 = api_c.to_string();
    let (st, e) = post(other).await;
    assert_eq!(st, StatusCode::FORBIDDEN, "no client grant for C: {e}");
    assert_eq!(e["error"], "access_denied");
}

on_both_backends!(the_201st_refresh_token_revokes_the_oldest);

/// Auth0 keeps 200 active refresh tokens per user and application: the next
/// one revokes the oldest.
async fn the_201st_refresh_token_revokes_the_oldest(srv: crate::support::TestServer) {
    let app = spa(&srv, json!({})).await;
    let uid = user(&srv, "ada@example.com").await;
    let oldest = sign_in(&srv, &app, &[]).await["refresh_token"]
        .as_str()
        .unwrap()
        .to_string();
    let store = &srv.server.as_ref().unwrap().state.store;
    let now = crate::support::unix_now();
    for i in 0..199 {
        let id = format!("rt_bulk{i}");
        store
            .insert_refresh_token(
                &portcullis_store::NewRefreshToken {
                    id: id.clone(),
                    token_hash: format!("bulk-{i}"),
                    family_id: id,
                    client_id: app.clone(),
                    user_id: uid.clone(),
                    session_id: None,
                    audience: None,
                    scope: "openid offline_access".into(),
                    rotating: true,
                    generation: 0,
                    expires_at: None,
                    idle_expires_at: None,
                    organization_id: None,
                    dpop_jkt: None,
                },
                now + 1 + i,
            )
            .await
            .unwrap();
    }
    let (st, body) = refresh(&srv, &app, &oldest, None).await;
    assert_eq!(st, StatusCode::OK, "200 families are allowed: {body}");
    let rotated = body["refresh_token"].as_str().unwrap().to_string();
    // The 201st family, clearly newer than the bulk ones.
    srv.server.as_ref().unwrap().state.advance_clock(1000);
    sign_in(&srv, &app, &[]).await;
    let live = store
        .list_user_refresh_tokens(&uid, crate::support::unix_now() + 1000)
        .await
        .unwrap();
    assert_eq!(live.len(), 200, "one family over the limit was revoked");
    let (st, body) = refresh(&srv, &app, &rotated, None).await;
    assert_invalid(st, &body);
}

on_both_backends!(concurrent_refreshes_during_a_rotation_switch_start_one_family);

/// Issue 14: many refreshes of one token racing through a `rotation_type`
/// switch (both ways) start exactly one new family: one racer wins, the
/// rest are refused, and the user holds one live token of the new kind.
async fn concurrent_refreshes_during_a_rotation_switch_start_one_family(
    srv: crate::support::TestServer,
) {
    let app = spa(&srv, json!({})).await;
    let uid = user(&srv, "ada@example.com").await;
    let enc = crate::token_endpoint::urlenc(&uid);
    let rt1 = sign_in(&srv, &app, &[]).await["refresh_token"]
        .as_str()
        .unwrap()
        .to_string();
    let mut token = rt1;
    for (kind, rotating) in [("non-rotating", false), ("rotating", true)] {
        let (st, body) = srv
            .api(
                Method::PATCH,
                &format!("/clients/{app}"),
                Some(json!({"refresh_token": {"rotation_type": kind}})),
            )
            .await;
        assert_eq!(st, StatusCode::OK, "{body}");
        let results = race_refreshes(&srv, &app, &token, 16).await;
        let mut won = Vec::new();
        for (st, body) in results {
            match st {
                StatusCode::OK => won.push(
                    body["refresh_token"]
                        .as_str()
                        .expect("a token of the new kind")
                        .to_string(),
                ),
                _ => assert_invalid(st, &body),
            }
        }
        assert_eq!(won.len(), 1, "one racer switches the family ({kind})");
        let (st, tokens) = srv
            .api(Method::GET, &format!("/users/{enc}/refresh-tokens"), None)
            .await;
        assert_eq!(st, StatusCode::OK);
        assert_eq!(
            tokens["tokens"].as_array().unwrap().len(),
            1,
            "one live family: {tokens}"
        );
        token = won.pop().unwrap();
        let (st, body) = refresh(&srv, &app, &token, None).await;
        assert_eq!(st, StatusCode::OK, "{body}");
        assert_eq!(
            body.get("refresh_token").is_some(),
            rotating,
            "{kind}: {body}"
        );
        if rotating {
            token = body["refresh_token"].as_str().unwrap().to_string();
        }
    }
}
