//! Roles and permissions (Auth0's RBAC): the Management API's shapes and
//! refusals, and what an API that enforces them puts in a user's tokens.

use reqwest::{Method, StatusCode};
use serde_json::{Value, json};

use crate::browser::{PASSWORD, user};
use crate::support::{TestServer, jwt_header, on_both_backends, verify_with_jwks};
use crate::token_endpoint::urlenc;

const API: &str = "https://rbac.example/";

on_both_backends!(
    a_role_grants_exactly_its_permissions_and_losing_it_shows_at_the_next_refresh,
    rfc9068_dialect_tokens_are_at_jwt_with_client_id_and_work_at_userinfo,
    roles_api_answers_in_auth0_shapes_and_refuses_bad_input_changing_nothing,
    post_login_scripts_see_the_users_roles,
    consent_asks_only_for_what_rbac_will_grant
);

/// An API enforcing RBAC in `dialect`, with three permissions.
async fn rbac_api(srv: &TestServer, dialect: &str) {
    let (st, body) = srv
        .api(
            Method::POST,
            "/resource-servers",
            Some(json!({
                "identifier": API, "name": "Messages",
                "scopes": [{"value": "read:msgs", "description": "Read messages"},
                           {"value": "write:msgs", "description": "Write messages"},
                           {"value": "delete:msgs", "description": "Delete messages"}],
                "enforce_policies": true, "token_dialect": dialect, "allow_offline_access": true
            })),
        )
        .await;
    assert_eq!(st, StatusCode::CREATED, "{body}");
    assert_eq!(body["enforce_policies"], true);
    assert_eq!(body["token_dialect"], dialect);
}

async fn role(srv: &TestServer, name: &str, permissions: &[&str]) -> String {
    let (st, r) = srv
        .api(Method::POST, "/roles", Some(json!({"name": name})))
        .await;
    assert_eq!(st, StatusCode::OK, "{r}");
    let id = r["id"].as_str().unwrap().to_string();
    if !permissions.is_empty() {
        let list: Vec<Value> = permissions
            .iter()
            .map(|p| json!({"resource_server_identifier": API, "permission_name": p}))
            .collect();
        let (st, b) = srv
            .api(
                Method::POST,
                &format!("/roles/{id}/permissions"),
                Some(json!({"permissions": list})),
            )
            .await;
        assert_eq!(st, StatusCode::CREATED, "{b}");
    }
    id
}

/// A confidential application allowed the password and refresh grants.
async fn password_app(srv: &TestServer) -> (String, String) {
    let (st, c) = srv
        .api(
            Method::POST,
            "/clients",
            Some(json!({"name": "Inbox", "app_type": "regular_web", "grant_types": ["password", "refresh_token"]})),
        )
        .await;
    assert_eq!(st, StatusCode::CREATED, "{c}");
    (
        c["client_id"].as_str().unwrap().into(),
        c["client_secret"].as_str().unwrap().into(),
    )
}

async fn password_tokens(srv: &TestServer, app: &(String, String), scope: &str) -> Value {
    let (st, t, _) = srv
        .token_form(&[
            ("grant_type", "password"),
            ("client_id", &app.0),
            ("client_secret", &app.1),
            ("username", "ada@example.com"),
            ("password", PASSWORD),
            ("audience", API),
            ("scope", scope),
        ])
        .await;
    assert_eq!(st, StatusCode::OK, "{t}");
    t
}

async fn refreshed(srv: &TestServer, app: &(String, String), rt: &str) -> Value {
    let (st, t, _) = srv
        .token_form(&[
            ("grant_type", "refresh_token"),
            ("client_id", &app.0),
            ("client_secret", &app.1),
            ("refresh_token", rt),
        ])
        .await;
    assert_eq!(st, StatusCode::OK, "{t}");
    t
}

fn scopes(claims: &Value) -> Vec<String> {
    claims["scope"]
        .as_str()
        .unwrap_or_default()
        .split(' ')
        .filter(|s| !s.is_empty())
        .map(String::from)
        .collect()
}

/// With RBAC on and `access_token_authz`: the scope is what was asked and is
/// held, `permissions` everything held; taking the role away empties both at
/// the next refresh, and a direct permission then counts on its own.
async fn a_role_grants_exactly_its_permissions_and_losing_it_shows_at_the_next_refresh(
    srv: TestServer,
) {
    rbac_api(&srv, "access_token_authz").await;
    let reader = role(&srv, "Reader", &["read:msgs", "write:msgs"]).await;
    let uid = user(&srv, "ada@example.com").await;
    let app = password_app(&srv).await;

    // No role yet: no API scope, an empty permissions claim.
    let t = password_tokens(&srv, &app, "openid read:msgs offline_access").await;
    let c = verify_with_jwks(&srv, t["access_token"].as_str().unwrap(), API).await;
    assert!(!scopes(&c).contains(&"read:msgs".to_string()), "{c}");
    assert_eq!(c["permissions"], json!([]), "{c}");

    let (st, b) = srv
        .api(
            Method::POST,
            &format!("/users/{}/roles", urlenc(&uid)),
            Some(json!({"roles": [reader]})),
        )
        .await;
    assert_eq!(st, StatusCode::NO_CONTENT, "{b}");
    let t = password_tokens(&srv, &app, "openid read:msgs delete:msgs offline_access").await;
    let c = verify_with_jwks(&srv, t["access_token"].as_str().unwrap(), API).await;
    let s = scopes(&c);
    assert!(s.contains(&"read:msgs".to_string()), "{c}");
    assert!(
        !s.contains(&"delete:msgs".to_string()),
        "unheld scope granted: {c}"
    );
    assert!(
        !s.contains(&"write:msgs".to_string()),
        "unrequested scope granted: {c}"
    );
    assert_eq!(c["permissions"], json!(["read:msgs", "write:msgs"]), "{c}");
    let rt = t["refresh_token"]
        .as_str()
        .expect("offline access")
        .to_string();

    // The role taken away: the next refresh carries none of it.
    let (st, b) = srv
        .api(
            Method::DELETE,
            &format!("/users/{}/roles", urlenc(&uid)),
            Some(json!({"roles": [reader]})),
        )
        .await;
    assert_eq!(st, StatusCode::NO_CONTENT, "{b}");
    let t = refreshed(&srv, &app, &rt).await;
    let c = verify_with_jwks(&srv, t["access_token"].as_str().unwrap(), API).await;
    assert!(!scopes(&c).contains(&"read:msgs".to_string()), "{c}");
    assert_eq!(c["permissions"], json!([]), "{c}");

    // A direct permission counts on its own, and is listed with its source.
    let (st, b) = srv
        .api(
            Method::POST,
            &format!("/users/{}/permissions", urlenc(&uid)),
            Some(json!({"permissions": [{"resource_server_identifier": API, "permission_name": "delete:msgs"}]})),
        )
        .await;
    assert_eq!(st, StatusCode::CREATED, "{b}");
    let rt = t["refresh_token"].as_str().unwrap_or(&rt).to_string();
    let t = refreshed(&srv, &app, &rt).await;
    let c = verify_with_jwks(&srv, t["access_token"].as_str().unwrap(), API).await;
    assert!(scopes(&c).contains(&"delete:msgs".to_string()), "{c}");
    assert_eq!(c["permissions"], json!(["delete:msgs"]), "{c}");
    let (st, listed) = srv
        .api(
            Method::GET,
            &format!("/users/{}/permissions", urlenc(&uid)),
            None,
        )
        .await;
    assert_eq!(st, StatusCode::OK, "{listed}");
    assert_eq!(
        listed,
        json!([{"permission_name": "delete:msgs", "description": "Delete messages",
                "resource_server_name": "Messages", "resource_server_identifier": API,
                "sources": [{"source_id": "", "source_name": "", "source_type": "DIRECT"}]}])
    );
}

/// `rfc9068_profile_authz`: `typ: at+jwt`, `client_id` and no `azp` or `gty`,
/// a `jti`; a machine's `permissions` are its granted scopes; a user's token in
/// this dialect still works at `/userinfo`.
async fn rfc9068_dialect_tokens_are_at_jwt_with_client_id_and_work_at_userinfo(srv: TestServer) {
    rbac_api(&srv, "rfc9068_profile_authz").await;
    let (m2m, secret) = srv
        .m2m_with_grant(API, &["read:msgs"], &["read:msgs"])
        .await;
    let token = srv.client_token(&m2m, &secret, API).await;
    assert_eq!(jwt_header(&token)["typ"], "at+jwt");
    let c = verify_with_jwks(&srv, &token, API).await;
    assert_eq!(c["client_id"], m2m.as_str(), "{c}");
    assert!(c.get("azp").is_none() && c.get("gty").is_none(), "{c}");
    assert!(c["jti"].as_str().is_some_and(|j| !j.is_empty()), "{c}");
    assert_eq!(c["permissions"], json!(["read:msgs"]), "{c}");

    let reader = role(&srv, "Reader", &["read:msgs"]).await;
    let uid = user(&srv, "ada@example.com").await;
    let (st, _) = srv
        .api(
            Method::POST,
            &format!("/roles/{reader}/users"),
            Some(json!({"users": [uid]})),
        )
        .await;
    assert_eq!(st, StatusCode::OK);
    let app = password_app(&srv).await;
    let t = password_tokens(&srv, &app, "openid profile read:msgs").await;
    let at = t["access_token"].as_str().unwrap();
    assert_eq!(jwt_header(at)["typ"], "at+jwt");
    let c = verify_with_jwks(&srv, at, API).await;
    assert_eq!(c["client_id"], app.0.as_str(), "{c}");
    assert!(c.get("azp").is_none(), "{c}");
    assert!(scopes(&c).contains(&"read:msgs".to_string()), "{c}");
    let res = srv
        .http
        .get(format!("{}/userinfo", srv.url))
        .bearer_auth(at)
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::OK);
    let info: Value = res.json().await.unwrap();
    assert_eq!(info["sub"], uid.as_str());
}

/// Auth0's shapes (ids, statuses, wrappers, checkpoint paging) and refusals;
/// a refused request changes nothing.
async fn roles_api_answers_in_auth0_shapes_and_refuses_bad_input_changing_nothing(srv: TestServer) {
    rbac_api(&srv, "access_token").await;
    let (st, r) = srv
        .api(
            Method::POST,
            "/roles",
            Some(json!({"name": "Support Agent", "description": "Answers tickets"})),
        )
        .await;
    assert_eq!(st, StatusCode::OK, "{r}");
    let id = r["id"].as_str().unwrap().to_string();
    assert!(id.starts_with("rol_") && id.len() == 20, "{id}");
    assert_eq!(r["description"], "Answers tickets");
    let (st, e) = srv
        .api(
            Method::POST,
            "/roles",
            Some(json!({"name": "Support Agent"})),
        )
        .await;
    assert_eq!(st, StatusCode::CONFLICT, "{e}");
    assert_eq!(e["statusCode"], 409);
    for bad in [
        json!({}),
        json!({"name": "<x>"}),
        json!({"name": "a", "type": "x"}),
    ] {
        let (st, e) = srv.api(Method::POST, "/roles", Some(bad.clone())).await;
        assert_eq!(st, StatusCode::BAD_REQUEST, "{bad} -> {e}");
    }
    role(&srv, "Billing", &[]).await;
    let (_, found) = srv
        .api(
            Method::GET,
            "/roles?name_filter=SUPPORT&include_totals=true",
            None,
        )
        .await;
    assert_eq!(found["total"], 1, "{found}");
    assert_eq!(found["roles"][0]["id"], id.as_str());
    let (_, all) = srv.api(Method::GET, "/roles", None).await;
    assert_eq!(all.as_array().unwrap().len(), 2, "{all}");
    // Case-insensitive beyond ASCII, the same on both backends.
    role(&srv, "Élan Team", &[]).await;
    let (_, found) = srv
        .api(Method::GET, "/roles?name_filter=%C3%A9LAN", None)
        .await;
    assert_eq!(found.as_array().unwrap().len(), 1, "{found}");
    let (_, found) = srv
        .api(Method::GET, "/roles?name_filter=100%25", None)
        .await;
    assert_eq!(found, json!([]), "a % is a character, not a wildcard");
    let (st, e) = srv.api(Method::GET, "/roles/rol_nothere", None).await;
    assert_eq!(st, StatusCode::NOT_FOUND);
    assert_eq!(e["message"], "The role does not exist.");
    let (st, p) = srv
        .api(
            Method::PATCH,
            &format!("/roles/{id}"),
            Some(json!({"description": "Answers and closes tickets"})),
        )
        .await;
    assert_eq!(st, StatusCode::OK, "{p}");
    assert_eq!(p["name"], "Support Agent");

    // Permissions: undefined ones and unknown APIs refused, nothing stored.
    let perm =
        |api: &str, name: &str| json!({"resource_server_identifier": api, "permission_name": name});
    for (body, status) in [
        (
            json!({"permissions": [perm(API, "read:msgs"), perm(API, "fly:msgs")]}),
            StatusCode::BAD_REQUEST,
        ),
        (
            json!({"permissions": [perm("https://nope.example/", "read:msgs")]}),
            StatusCode::NOT_FOUND,
        ),
        (json!({"permissions": []}), StatusCode::BAD_REQUEST),
    ] {
        let (st, e) = srv
            .api(
                Method::POST,
                &format!("/roles/{id}/permissions"),
                Some(body.clone()),
            )
            .await;
        assert_eq!(st, status, "{body} -> {e}");
        assert!(e["errorCode"].is_string(), "{e}");
    }
    let (_, none) = srv
        .api(Method::GET, &format!("/roles/{id}/permissions"), None)
        .await;
    assert_eq!(none, json!([]), "nothing stored: {none}");
    let (st, _) = srv
        .api(
            Method::POST,
            &format!("/roles/{id}/permissions"),
            Some(json!({"permissions": [perm(API, "read:msgs"), perm(API, "write:msgs")]})),
        )
        .await;
    assert_eq!(st, StatusCode::CREATED);
    let (_, listed) = srv
        .api(
            Method::GET,
            &format!("/roles/{id}/permissions?include_totals=true"),
            None,
        )
        .await;
    assert_eq!(listed["total"], 2, "{listed}");
    assert_eq!(
        listed["permissions"][0],
        json!({"permission_name": "read:msgs", "description": "Read messages",
               "resource_server_name": "Messages", "resource_server_identifier": API})
    );

    // A scope the API drops stops being a permission.
    let (_, apis) = srv.api(Method::GET, "/resource-servers", None).await;
    let api_id = apis
        .as_array()
        .unwrap()
        .iter()
        .find(|a| a["identifier"] == API)
        .unwrap()["id"]
        .as_str()
        .unwrap()
        .to_string();
    let (st, _) = srv
        .api(
            Method::PATCH,
            &format!("/resource-servers/{api_id}"),
            Some(json!({"scopes": [{"value": "read:msgs", "description": "Read messages"}]})),
        )
        .await;
    assert_eq!(st, StatusCode::OK);
    let (_, left) = srv
        .api(Method::GET, &format!("/roles/{id}/permissions"), None)
        .await;
    assert_eq!(left.as_array().unwrap().len(), 1, "{left}");

    // Members: an unknown user makes the whole assignment fail.
    let mut ids = Vec::new();
    for i in 0..3 {
        ids.push(user(&srv, &format!("u{i}@example.com")).await);
    }
    let (st, e) = srv
        .api(
            Method::POST,
            &format!("/roles/{id}/users"),
            Some(json!({"users": [ids[0], "auth0|nobody"]})),
        )
        .await;
    assert_eq!(st, StatusCode::NOT_FOUND, "{e}");
    let (_, members) = srv
        .api(Method::GET, &format!("/roles/{id}/users"), None)
        .await;
    assert_eq!(members, json!([]), "nothing assigned: {members}");
    let (st, _) = srv
        .api(
            Method::POST,
            &format!("/roles/{id}/users"),
            Some(json!({"users": ids})),
        )
        .await;
    assert_eq!(st, StatusCode::OK);
    // Checkpoint paging: `next` until the last page.
    let (_, first) = srv
        .api(Method::GET, &format!("/roles/{id}/users?take=2"), None)
        .await;
    assert_eq!(first["users"].as_array().unwrap().len(), 2, "{first}");
    let next = first["next"].as_str().expect("a next page").to_string();
    let (_, last) = srv
        .api(
            Method::GET,
            &format!("/roles/{id}/users?take=2&from={next}"),
            None,
        )
        .await;
    assert_eq!(last["users"].as_array().unwrap().len(), 1, "{last}");
    assert!(last.get("next").is_none(), "{last}");
    let mut seen: Vec<Value> = first["users"].as_array().unwrap().clone();
    seen.extend(last["users"].as_array().unwrap().clone());
    let mut seen: Vec<&str> = seen
        .iter()
        .map(|u| u["user_id"].as_str().unwrap())
        .collect();
    seen.sort();
    let mut want: Vec<&str> = ids.iter().map(String::as_str).collect();
    want.sort();
    assert_eq!(seen, want, "each member once");
    assert!(first["users"][0]["email"].is_string());

    let (_, of_user) = srv
        .api(
            Method::GET,
            &format!("/users/{}/roles", urlenc(&ids[0])),
            None,
        )
        .await;
    assert_eq!(of_user[0]["name"], "Support Agent", "{of_user}");
    let (st, e) = srv
        .api(
            Method::POST,
            &format!("/users/{}/roles", urlenc(&ids[0])),
            Some(json!({"roles": ["rol_nothere"]})),
        )
        .await;
    assert_eq!(st, StatusCode::NOT_FOUND, "{e}");
    let (st, e) = srv
        .api(
            Method::POST,
            "/users/auth0%7Cnobody/roles",
            Some(json!({"roles": [id]})),
        )
        .await;
    assert_eq!(st, StatusCode::NOT_FOUND, "{e}");
    assert_eq!(e["message"], "The user does not exist.");

    // Deleting the role ends its assignments.
    let (st, _) = srv.api(Method::DELETE, &format!("/roles/{id}"), None).await;
    assert_eq!(st, StatusCode::OK);
    let (_, of_user) = srv
        .api(
            Method::GET,
            &format!("/users/{}/roles", urlenc(&ids[0])),
            None,
        )
        .await;
    assert_eq!(of_user, json!([]));
}

/// A post-login Action sees `event.authorization.roles`, a Rule
/// `context.authorization.roles`: the names of the user's roles.
async fn post_login_scripts_see_the_users_roles(srv: TestServer) {
    let uid = user(&srv, "ada@example.com").await;
    for name in ["Editor", "Admin"] {
        let id = role(&srv, name, &[]).await;
        let (st, _) = srv
            .api(
                Method::POST,
                &format!("/users/{}/roles", urlenc(&uid)),
                Some(json!({"roles": [id]})),
            )
            .await;
        assert_eq!(st, StatusCode::NO_CONTENT);
    }
    let (st, a) = srv
        .api(
            Method::POST,
            "/actions/actions",
            Some(json!({"name": "roles", "supported_triggers": [{"id": "post-login", "version": "v3"}],
                        "code": "exports.onExecutePostLogin = async (event, api) => { api.idToken.setCustomClaim('https://example.com/roles', event.authorization.roles); };"})),
        )
        .await;
    assert_eq!(st, StatusCode::CREATED, "{a}");
    let action = a["id"].as_str().unwrap().to_string();
    let (st, _) = srv
        .api(
            Method::POST,
            &format!("/actions/actions/{action}/deploy"),
            None,
        )
        .await;
    assert_eq!(st, StatusCode::OK);
    let (st, _) = srv
        .api(
            Method::PATCH,
            "/actions/triggers/post-login/bindings",
            Some(json!({"bindings": [{"ref": {"type": "action_id", "value": action}}]})),
        )
        .await;
    assert_eq!(st, StatusCode::OK);
    let (st, _) = srv
        .api(
            Method::POST,
            "/rules",
            Some(json!({"name": "rule-roles", "order": 1,
                        "script": "function (user, context, callback) { context.idToken['https://example.com/rule-roles'] = context.authorization.roles; callback(null, user, context); }"})),
        )
        .await;
    assert_eq!(st, StatusCode::CREATED);
    let app = password_app(&srv).await;
    let (st, t, _) = srv
        .token_form(&[
            ("grant_type", "password"),
            ("client_id", &app.0),
            ("client_secret", &app.1),
            ("username", "ada@example.com"),
            ("password", PASSWORD),
            ("scope", "openid"),
        ])
        .await;
    assert_eq!(st, StatusCode::OK, "{t}");
    let id = verify_with_jwks(&srv, t["id_token"].as_str().unwrap(), &app.0).await;
    assert_eq!(
        id["https://example.com/roles"],
        json!(["Admin", "Editor"]),
        "{id}"
    );
    assert_eq!(
        id["https://example.com/rule-roles"],
        json!(["Admin", "Editor"]),
        "{id}"
    );
}

/// With RBAC on, the consent page lists the permissions the user holds and
/// asked for, by their descriptions, and no other.
async fn consent_asks_only_for_what_rbac_will_grant(srv: TestServer) {
    rbac_api(&srv, "access_token").await;
    let reader = role(&srv, "Reader", &["read:msgs"]).await;
    let uid = user(&srv, "ada@example.com").await;
    let (st, _) = srv
        .api(
            Method::POST,
            &format!("/users/{}/roles", urlenc(&uid)),
            Some(json!({"roles": [reader]})),
        )
        .await;
    assert_eq!(st, StatusCode::NO_CONTENT);
    let a = crate::browser::spa(&srv, json!({"is_first_party": false})).await;
    let mut b = crate::browser::Browser::new(&srv);
    let params = [("audience", API), ("scope", "openid read:msgs delete:msgs")];
    let to = b.authorize(&crate::browser::code_params(&a, &params)).await;
    let consent = b.submit_login(&to, "ada@example.com", PASSWORD).await;
    let page = b.get(consent.location.as_deref().unwrap()).await;
    assert!(page.body.contains("Read messages"), "{}", page.body);
    assert!(
        !page.body.contains("delete:msgs") && !page.body.contains("Delete messages"),
        "an unheld permission is not asked for: {}",
        page.body
    );
    // Accepted: the consent covers what was shown, so a permission given
    // later is asked for then, never taken as consented.
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
    let silent = [
        ("audience", API),
        ("scope", "openid read:msgs delete:msgs"),
        ("prompt", "none"),
    ];
    let again = b.authorize(&crate::browser::code_params(&a, &silent)).await;
    assert!(again.redirect_params().contains_key("code"), "consented");
    let (st, _) = srv
        .api(
            Method::POST,
            &format!("/users/{}/permissions", urlenc(&uid)),
            Some(json!({"permissions": [{"resource_server_identifier": API, "permission_name": "delete:msgs"}]})),
        )
        .await;
    assert_eq!(st, StatusCode::CREATED);
    let again = b.authorize(&crate::browser::code_params(&a, &silent)).await;
    assert_eq!(again.redirect_params()["error"], "consent_required");
}
