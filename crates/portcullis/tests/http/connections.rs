//! Issue 18: connections as records (Auth0's `/api/v2/connections`), and any
//! number of database connections with their own rules: password policies,
//! usernames, sign-up switch, brute-force switch, password history.

use reqwest::{Method, StatusCode};
use serde_json::{Value, json};

use crate::browser::{Browser, PASSWORD, code_params, spa};
use crate::support::{TestServer, on_both_backends};

const DB: &str = "Username-Password-Authentication";
const REALM: &str = "http://auth0.com/oauth/grant-type/password-realm";

on_both_backends!(
    connections_api_creates_lists_gets_patches_and_deletes_as_auth0,
    bad_connection_payloads_are_refused_and_change_nothing,
    connection_clients_are_listed_and_changed_together,
    each_password_policy_is_enforced_at_signup_with_auth0s_answer,
    password_realm_chooses_among_database_connections,
    requires_username_signs_in_by_username_or_email,
    disable_signup_refuses_sign_ups_everywhere,
    password_history_dictionary_and_personal_info_are_enforced,
    deleting_a_connection_deletes_its_users,
    brute_force_protection_off_blocks_no_account,
    authorize_connection_chooses_the_login_pages_database,
    an_upstream_client_secret_is_sealed_and_never_answered,
    a_tenant_without_its_database_connection_gets_it_back_at_start,
);

/// A confidential application with the password grants; (id, secret).
async fn password_app(srv: &TestServer) -> (String, String) {
    let (st, c) = srv
        .api(
            Method::POST,
            "/clients",
            Some(json!({"name": "Legacy", "app_type": "regular_web",
                "grant_types": ["password", REALM]})),
        )
        .await;
    assert_eq!(st, StatusCode::CREATED, "{c}");
    (
        c["client_id"].as_str().unwrap().into(),
        c["client_secret"].as_str().unwrap().into(),
    )
}

/// A database connection named `name` with `options`, enabled for `clients`.
async fn database(srv: &TestServer, name: &str, options: Value, clients: &[&str]) -> Value {
    let (st, c) = srv
        .api(
            Method::POST,
            "/connections",
            Some(
                json!({"name": name, "strategy": "auth0", "options": options,
                "enabled_clients": clients}),
            ),
        )
        .await;
    assert_eq!(st, StatusCode::CREATED, "{c}");
    c
}

async fn signup(
    srv: &TestServer,
    client: &str,
    connection: &str,
    extra: Value,
) -> (StatusCode, Value) {
    let mut body = json!({"client_id": client, "connection": connection});
    body.as_object_mut()
        .unwrap()
        .extend(extra.as_object().unwrap().clone());
    let res = srv
        .http
        .post(format!("{}/dbconnections/signup", srv.url))
        .json(&body)
        .send()
        .await
        .unwrap();
    let st = res.status();
    (st, res.json().await.unwrap_or(Value::Null))
}

async fn realm_login(
    srv: &TestServer,
    (id, secret): &(String, String),
    realm: &str,
    username: &str,
    password: &str,
) -> (StatusCode, Value) {
    let (st, t, _) = srv
        .token_form(&[
            ("grant_type", REALM),
            ("client_id", id),
            ("client_secret", secret),
            ("username", username),
            ("password", password),
            ("realm", realm),
            ("scope", "openid"),
        ])
        .await;
    (st, t)
}

async fn connections_api_creates_lists_gets_patches_and_deletes_as_auth0(srv: TestServer) {
    // The database connection every tenant starts with is an ordinary row.
    let (st, list) = srv.api(Method::GET, "/connections", None).await;
    assert_eq!(st, StatusCode::OK, "{list}");
    assert_eq!(list.as_array().unwrap().len(), 1, "{list}");
    let first = &list[0];
    assert_eq!(first["name"], DB);
    assert_eq!(first["strategy"], "auth0");
    assert_eq!(first["realms"], json!([DB]));
    assert!(first["id"].as_str().unwrap().starts_with("con_"), "{first}");
    assert_eq!(first["options"]["passwordPolicy"], "fair", "{first}");

    let (st, c) = srv
        .api(
            Method::POST,
            "/connections",
            Some(json!({"name": "staff-db", "strategy": "auth0", "metadata": {"team": "ops"}})),
        )
        .await;
    assert_eq!(st, StatusCode::CREATED, "{c}");
    let id = c["id"].as_str().unwrap().to_string();
    assert_eq!(id.len(), 20, "con_ and 16 letters or digits: {id}");
    assert_eq!(c["display_name"], "staff-db");
    assert_eq!(c["realms"], json!(["staff-db"]));
    assert_eq!(
        c["options"]["passwordPolicy"], "good",
        "the default in force is shown: {c}"
    );
    assert_eq!(c["options"]["brute_force_protection"], true);
    assert_eq!(c["metadata"], json!({"team": "ops"}));
    assert!(c.get("enabled_clients").is_none(), "{c}");

    let (st, dup) = srv
        .api(
            Method::POST,
            "/connections",
            Some(json!({"name": "staff-db", "strategy": "auth0"})),
        )
        .await;
    assert_eq!(st, StatusCode::CONFLICT, "{dup}");
    assert_eq!(
        dup["message"],
        "A connection with the same name already exists"
    );

    let (st, got) = srv
        .api(Method::GET, &format!("/connections/{id}"), None)
        .await;
    assert_eq!(st, StatusCode::OK);
    assert_eq!(got, c);
    let (st, some) = srv
        .api(
            Method::GET,
            &format!("/connections/{id}?fields=name,strategy"),
            None,
        )
        .await;
    assert_eq!(st, StatusCode::OK);
    assert_eq!(some, json!({"name": "staff-db", "strategy": "auth0"}));

    // Filters: name, and strategy repeated as Auth0's SDK sends it.
    let (_, by_name) = srv
        .api(Method::GET, "/connections?name=staff-db", None)
        .await;
    assert_eq!(by_name.as_array().unwrap().len(), 1);
    let (st, _) = srv
        .api(
            Method::POST,
            "/connections",
            Some(json!({"name": "corp", "strategy": "oidc", "options": {"client_id": "abc", "discovery_url": "https://idp.example/.well-known/openid-configuration"}})),
        )
        .await;
    assert_eq!(st, StatusCode::CREATED);
    let (_, dbs) = srv
        .api(Method::GET, "/connections?strategy=auth0", None)
        .await;
    assert_eq!(dbs.as_array().unwrap().len(), 2, "{dbs}");
    let (_, both) = srv
        .api(
            Method::GET,
            "/connections?strategy=auth0&strategy=oidc",
            None,
        )
        .await;
    assert_eq!(both.as_array().unwrap().len(), 3, "{both}");
    let (st, bad) = srv
        .api(Method::GET, "/connections?strategy=samlp", None)
        .await;
    assert_eq!(st, StatusCode::BAD_REQUEST, "{bad}");

    // Checkpoint paging, as the SDK asks for it (take + include_totals).
    let (_, page1) = srv
        .api(Method::GET, "/connections?take=2&include_totals=true", None)
        .await;
    assert_eq!(page1["connections"].as_array().unwrap().len(), 2, "{page1}");
    let next = page1["next"].as_str().unwrap();
    let (_, page2) = srv
        .api(
            Method::GET,
            &format!("/connections?take=2&from={next}"),
            None,
        )
        .await;
    assert_eq!(page2["connections"].as_array().unwrap().len(), 1, "{page2}");
    assert!(page2.get("next").is_none());

    // PATCH replaces `options` whole; the name never changes.
    let (st, p) = srv
        .api(
            Method::PATCH,
            &format!("/connections/{id}"),
            Some(json!({"options": {"passwordPolicy": "excellent"}, "display_name": "Staff"})),
        )
        .await;
    assert_eq!(st, StatusCode::OK, "{p}");
    assert_eq!(p["options"], json!({"passwordPolicy": "excellent"}));
    assert_eq!(p["display_name"], "Staff");
    let (st, e) = srv
        .api(
            Method::PATCH,
            &format!("/connections/{id}"),
            Some(json!({"name": "other"})),
        )
        .await;
    assert_eq!(st, StatusCode::BAD_REQUEST, "{e}");

    let (st, _) = srv
        .api(Method::GET, &format!("/connections/{id}/status"), None)
        .await;
    assert_eq!(st, StatusCode::OK);
    let (st, _) = srv
        .api(Method::DELETE, &format!("/connections/{id}"), None)
        .await;
    assert_eq!(st, StatusCode::NO_CONTENT);
    for path in [
        format!("/connections/{id}"),
        format!("/connections/{id}/status"),
    ] {
        let (st, e) = srv.api(Method::GET, &path, None).await;
        assert_eq!(st, StatusCode::NOT_FOUND, "{e}");
        assert_eq!(e["errorCode"], "inexistent_connection");
    }

    // The tenant's default directory cannot be deleted from under it.
    let (st, _) = srv
        .api(
            Method::PATCH,
            "/tenants/settings",
            Some(json!({"default_directory": DB})),
        )
        .await;
    assert_eq!(st, StatusCode::OK);
    let default_id = srv.connection_id(DB).await;
    let (st, e) = srv
        .api(Method::DELETE, &format!("/connections/{default_id}"), None)
        .await;
    assert_eq!(st, StatusCode::BAD_REQUEST, "{e}");
    // A default directory must be a database connection.
    let (st, e) = srv
        .api(
            Method::PATCH,
            "/tenants/settings",
            Some(json!({"default_directory": "corp"})),
        )
        .await;
    assert_eq!(st, StatusCode::BAD_REQUEST, "{e}");
}

async fn bad_connection_payloads_are_refused_and_change_nothing(srv: TestServer) {
    for (body, why) in [
        (json!({"strategy": "auth0"}), "no name"),
        (json!({"name": "x"}), "no strategy"),
        (json!({"name": "bad name", "strategy": "auth0"}), "space"),
        (json!({"name": "-x", "strategy": "auth0"}), "leading hyphen"),
        (
            json!({"name": "a--b", "strategy": "auth0"}),
            "double hyphen",
        ),
        (
            json!({"name": "x".repeat(129), "strategy": "auth0"}),
            "too long",
        ),
        (
            json!({"name": "x", "strategy": "samlp"}),
            "strategy not implemented",
        ),
        (
            json!({"name": "x", "strategy": "auth0", "options": {"passwordPolicy": "strong"}}),
            "policy",
        ),
        (
            json!({"name": "x", "strategy": "auth0", "options": {"password_complexity_options": {"min_length": 0}}}),
            "min_length",
        ),
        (
            json!({"name": "x", "strategy": "auth0", "options": {"password_history": {"enable": true, "size": 25}}}),
            "history",
        ),
        (
            json!({"name": "x", "strategy": "auth0", "options": {"password_dictionary": {"enable": true, "dictionary": [7]}}}),
            "dictionary",
        ),
        (
            json!({"name": "x", "strategy": "auth0", "options": {"requires_username": "yes"}}),
            "bool",
        ),
        (
            json!({"name": "x", "strategy": "auth0", "options": {"client_secret": "s"}}),
            "secret on a database",
        ),
        (
            json!({"name": "x", "strategy": "auth0", "metadata": {"n": 1}}),
            "metadata value",
        ),
        (
            json!({"name": "x", "strategy": "auth0", "enabled_clients": ["nobody"]}),
            "unknown client",
        ),
        (
            json!({"name": "x", "strategy": "auth0", "admin": true}),
            "unknown property",
        ),
        (
            json!({"name": "x", "strategy": "oidc", "options": {"client_id": "a"}}),
            "oidc without discovery or endpoints",
        ),
        (
            json!({"name": "x", "strategy": "oidc", "options": {"client_id": "a", "discovery_url": "http://idp.example/"}}),
            "plain http off this machine",
        ),
        (
            json!({"name": "x", "strategy": "oauth2", "options": {"client_id": "a", "authorizationURL": "https://i.example/a", "tokenURL": "https://i.example/t"}}),
            "oauth2 without profileURL",
        ),
        (
            json!({"name": "x", "strategy": "github", "options": {}}),
            "no client_id",
        ),
        (json!([]), "not an object"),
    ] {
        let (st, e) = srv.api(Method::POST, "/connections", Some(body)).await;
        assert_eq!(st, StatusCode::BAD_REQUEST, "{why}: {e}");
        assert_eq!(e["statusCode"], 400, "{why}: {e}");
        assert!(
            e["message"].is_string() && e["errorCode"].is_string(),
            "{why}: {e}"
        );
    }
    let (_, list) = srv.api(Method::GET, "/connections", None).await;
    assert_eq!(list.as_array().unwrap().len(), 1, "nothing stored: {list}");
    let id = srv.connection_id(DB).await;
    let (_, before) = srv
        .api(Method::GET, &format!("/connections/{id}"), None)
        .await;
    let (st, _) = srv
        .api(
            Method::PATCH,
            &format!("/connections/{id}"),
            Some(json!({"options": {"passwordPolicy": "nope"}})),
        )
        .await;
    assert_eq!(st, StatusCode::BAD_REQUEST);
    let (_, after) = srv
        .api(Method::GET, &format!("/connections/{id}"), None)
        .await;
    assert_eq!(before, after);
    // Without the scope, nothing.
    let audience = srv.management_audience();
    let (m2m, secret) = srv.m2m_with_grant(&audience, &[], &["read:users"]).await;
    let token = srv.client_token(&m2m, &secret, &audience).await;
    let (st, _) = srv
        .api_with(&token, Method::GET, "/connections", None)
        .await;
    assert_eq!(st, StatusCode::FORBIDDEN);
}

async fn connection_clients_are_listed_and_changed_together(srv: TestServer) {
    let a = spa(&srv, json!({})).await;
    let b = spa(&srv, json!({"name": "Other"})).await;
    let id = srv.connection_id(DB).await;
    // Applications made after the connection are enabled on it (Auth0's
    // `enable_client_connections`, on by default).
    let (st, listed) = srv
        .api(Method::GET, &format!("/connections/{id}/clients"), None)
        .await;
    assert_eq!(st, StatusCode::OK, "{listed}");
    let ids: Vec<&str> = listed["clients"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| c["client_id"].as_str().unwrap())
        .collect();
    assert!(
        ids.contains(&a.as_str()) && ids.contains(&b.as_str()),
        "{listed}"
    );
    let (st, _) = srv
        .api(
            Method::PATCH,
            &format!("/connections/{id}/clients"),
            Some(json!([{"client_id": a, "status": false}])),
        )
        .await;
    assert_eq!(st, StatusCode::NO_CONTENT);
    let (_, listed) = srv
        .api(
            Method::GET,
            &format!("/connections/{id}/clients?take=50"),
            None,
        )
        .await;
    assert!(!listed.to_string().contains(&a), "{listed}");
    // A batch with an unknown client changes nothing.
    let (st, _) = srv
        .api(
            Method::PATCH,
            &format!("/connections/{id}/clients"),
            Some(
                json!([{"client_id": a, "status": true}, {"client_id": "nobody", "status": true}]),
            ),
        )
        .await;
    assert_eq!(st, StatusCode::BAD_REQUEST);
    let (_, listed) = srv
        .api(Method::GET, &format!("/connections/{id}/clients"), None)
        .await;
    assert!(!listed.to_string().contains(&a), "{listed}");
    for body in [
        json!([]),
        json!([{"client_id": a}]),
        json!({"client_id": a, "status": true}),
    ] {
        let (st, e) = srv
            .api(
                Method::PATCH,
                &format!("/connections/{id}/clients"),
                Some(body),
            )
            .await;
        assert_eq!(st, StatusCode::BAD_REQUEST, "{e}");
    }
    // A disabled application's login page has no way in.
    let mut b1 = Browser::new(&srv);
    let to_login = b1.authorize(&code_params(&a, &[])).await;
    let page = b1.get(to_login.location.as_deref().unwrap()).await;
    assert_eq!(page.status, StatusCode::BAD_REQUEST, "{}", page.body);
    assert!(page.body.contains("No sign-in method"), "{}", page.body);
    // With the tenant flag off, a new application is enabled nowhere.
    let (st, _) = srv
        .api(
            Method::PATCH,
            "/tenants/settings",
            Some(json!({"flags": {"enable_client_connections": false}})),
        )
        .await;
    assert_eq!(st, StatusCode::OK);
    let c = spa(&srv, json!({"name": "Third"})).await;
    let (_, listed) = srv
        .api(Method::GET, &format!("/connections/{id}/clients"), None)
        .await;
    assert!(!listed.to_string().contains(&c), "{listed}");
}

async fn each_password_policy_is_enforced_at_signup_with_auth0s_answer(srv: TestServer) {
    let app = spa(&srv, json!({})).await;
    let legacy = password_app(&srv).await;
    for (n, (options, weak, strong)) in [
        (json!({"passwordPolicy": null}), "", "x"),
        (json!({"passwordPolicy": "none"}), "", "x"),
        (json!({"passwordPolicy": "low"}), "abcde", "abcdef"),
        (json!({"passwordPolicy": "fair"}), "abcdefg1", "abcdEF12"),
        (json!({"passwordPolicy": "good"}), "abcdefgH", "abcdefG!"),
        (
            json!({"passwordPolicy": "excellent"}),
            "aaabcdG1!x",
            "abcdefG1!x",
        ),
        (
            json!({"passwordPolicy": "fair", "password_complexity_options": {"min_length": 12}}),
            "abcdEF12xyz",
            "abcdEF12xyzw",
        ),
    ]
    .into_iter()
    .enumerate()
    {
        let name = format!("db-{n}");
        database(&srv, &name, options.clone(), &[&app, &legacy.0]).await;
        if !weak.is_empty() {
            let (st, e) = signup(
                &srv,
                &app,
                &name,
                json!({"email": "a@example.com", "password": weak}),
            )
            .await;
            assert_eq!(st, StatusCode::BAD_REQUEST, "{options}: {e}");
            assert_eq!(e["name"], "PasswordStrengthError", "{e}");
            assert_eq!(e["code"], "invalid_password", "{e}");
            assert_eq!(e["message"], "Password is too weak");
            let rules = e["description"]["rules"].as_array().unwrap();
            assert!(rules.iter().any(|r| r["verified"] == false), "{e}");
            assert!(
                e["policy"].as_str().unwrap().starts_with("* At least"),
                "{e}"
            );
        }
        let (st, u) = signup(
            &srv,
            &app,
            &name,
            json!({"email": "a@example.com", "password": strong}),
        )
        .await;
        assert_eq!(st, StatusCode::OK, "{options}: {u}");
        let (st, users) = srv
            .api(
                Method::GET,
                &format!("/users?q=identities.connection:{name}&search_engine=v3"),
                None,
            )
            .await;
        assert_eq!(st, StatusCode::OK);
        assert_eq!(users.as_array().unwrap().len(), 1, "{users}");
        assert!(users[0]["user_id"].as_str().unwrap().starts_with("auth0|"));
        assert_eq!(users[0]["identities"][0]["connection"], name.as_str());
        // … and signs in with it there.
        let (st, t) = realm_login(&srv, &legacy, &name, "a@example.com", strong).await;
        assert_eq!(st, StatusCode::OK, "{options}: {t}");
        assert_eq!(
            crate::support::verify_with_jwks(&srv, t["id_token"].as_str().unwrap(), &legacy.0)
                .await["sub"],
            users[0]["user_id"]
        );
    }
    // The Management API applies the same policy, in its own words.
    let (st, e) = srv
        .api(
            Method::POST,
            "/users",
            Some(json!({"connection": "db-5", "email": "b@example.com", "password": "abcdefgH1"})),
        )
        .await;
    assert_eq!(st, StatusCode::BAD_REQUEST, "{e}");
    assert_eq!(e["message"], "PasswordStrengthError: Password is too weak");
}

async fn password_realm_chooses_among_database_connections(srv: TestServer) {
    let app = password_app(&srv).await;
    database(
        &srv,
        "partners",
        json!({"passwordPolicy": "low"}),
        &[&app.0],
    )
    .await;
    let other = spa(&srv, json!({})).await;
    // The same address in two connections, with two passwords: two users.
    for (connection, password) in [(DB, PASSWORD), ("partners", "partner-pw")] {
        let (st, u) = srv
            .api(
                Method::POST,
                "/users",
                Some(json!({"connection": connection, "email": "ada@example.com", "password": password})),
            )
            .await;
        assert_eq!(st, StatusCode::CREATED, "{u}");
    }
    let (st, t) = realm_login(&srv, &app, "partners", "ada@example.com", "partner-pw").await;
    assert_eq!(st, StatusCode::OK, "{t}");
    let (st, t) = realm_login(&srv, &app, "partners", "ada@example.com", PASSWORD).await;
    assert_eq!(
        st,
        StatusCode::FORBIDDEN,
        "the other connection's password: {t}"
    );
    let (st, t) = realm_login(&srv, &app, DB, "ada@example.com", PASSWORD).await;
    assert_eq!(st, StatusCode::OK, "{t}");
    let (st, t) = realm_login(&srv, &app, "nowhere", "ada@example.com", PASSWORD).await;
    assert_eq!(st, StatusCode::BAD_REQUEST, "{t}");
    assert_eq!(t["error"], "invalid_request");
    // Enabled for another application only: this one may not use it.
    database(&srv, "elsewhere", json!({}), &[&other]).await;
    let (st, t) = realm_login(&srv, &app, "elsewhere", "ada@example.com", PASSWORD).await;
    assert_eq!(st, StatusCode::FORBIDDEN, "{t}");
    assert_eq!(t["error"], "unauthorized_client");
    // The plain password grant uses the tenant's default directory.
    let (st, _) = srv
        .api(
            Method::PATCH,
            "/tenants/settings",
            Some(json!({"default_directory": "partners"})),
        )
        .await;
    assert_eq!(st, StatusCode::OK);
    let (st, t, _) = srv
        .token_form(&[
            ("grant_type", "password"),
            ("client_id", &app.0),
            ("client_secret", &app.1),
            ("username", "ada@example.com"),
            ("password", "partner-pw"),
        ])
        .await;
    assert_eq!(st, StatusCode::OK, "{t}");
    // change_password names its connection too.
    let res = srv
        .http
        .post(format!("{}/dbconnections/change_password", srv.url))
        .json(&json!({"client_id": app.0, "email": "ada@example.com", "connection": "nowhere"}))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::BAD_REQUEST);
}

async fn requires_username_signs_in_by_username_or_email(srv: TestServer) {
    let app = password_app(&srv).await;
    database(
        &srv,
        "handles",
        json!({"requires_username": true, "validation": {"username": {"min": 3, "max": 20}}}),
        &[&app.0],
    )
    .await;
    let (st, e) = signup(
        &srv,
        &app.0,
        "handles",
        json!({"email": "jo@example.com", "password": PASSWORD}),
    )
    .await;
    assert_eq!(st, StatusCode::BAD_REQUEST, "{e}");
    for bad in ["jo", "jo smith", "<b>jo</b>"] {
        let (st, e) = signup(
            &srv,
            &app.0,
            "handles",
            json!({"email": "jo@example.com", "password": PASSWORD, "username": bad}),
        )
        .await;
        assert_eq!(st, StatusCode::BAD_REQUEST, "{bad}: {e}");
    }
    let (st, u) = signup(
        &srv,
        &app.0,
        "handles",
        json!({"email": "jo@example.com", "password": PASSWORD, "username": "Jo.Smith"}),
    )
    .await;
    assert_eq!(st, StatusCode::OK, "{u}");
    assert_eq!(u["username"], "Jo.Smith");
    // Usernames are unique in the connection, whatever their case.
    let (st, e) = srv
        .api(
            Method::POST,
            "/users",
            Some(json!({"connection": "handles", "email": "other@example.com", "password": PASSWORD, "username": "jo.smith"})),
        )
        .await;
    assert_eq!(st, StatusCode::CONFLICT, "{e}");
    for login in ["jo.smith", "JO.SMITH", "jo@example.com"] {
        let (st, t) = realm_login(&srv, &app, "handles", login, PASSWORD).await;
        assert_eq!(st, StatusCode::OK, "{login}: {t}");
    }
    let (st, _) = realm_login(&srv, &app, "handles", "jo.smith", "Wr0ng-horse").await;
    assert_eq!(st, StatusCode::FORBIDDEN);
    // A connection without usernames refuses one (Auth0's rule).
    let (st, e) = srv
        .api(
            Method::POST,
            "/users",
            Some(json!({"connection": DB, "email": "x@example.com", "password": PASSWORD, "username": "xx"})),
        )
        .await;
    assert_eq!(st, StatusCode::BAD_REQUEST, "{e}");
    assert!(
        e["message"].as_str().unwrap().contains("requires_username"),
        "{e}"
    );
}

async fn disable_signup_refuses_sign_ups_everywhere(srv: TestServer) {
    let app = spa(&srv, json!({})).await;
    database(&srv, "closed", json!({"disable_signup": true}), &[&app]).await;
    let (st, e) = signup(
        &srv,
        &app,
        "closed",
        json!({"email": "a@example.com", "password": PASSWORD}),
    )
    .await;
    assert_eq!(st, StatusCode::BAD_REQUEST, "{e}");
    assert_eq!(e["code"], "operation_not_allowed");
    let (_, users) = srv.api(Method::GET, "/users", None).await;
    assert_eq!(users.as_array().unwrap().len(), 0, "{users}");
    // The login page for it shows no sign-up link, and the sign-up page says no.
    let mut b = Browser::new(&srv);
    let to_login = b
        .authorize(&code_params(&app, &[("connection", "closed")]))
        .await;
    let login = to_login.location.clone().unwrap();
    let page = b.get(&login).await;
    assert_eq!(page.status, StatusCode::OK, "{}", page.body);
    assert!(!page.body.contains("/u/signup"), "{}", page.body);
    let page = b.get(&login.replace("/u/login", "/u/signup")).await;
    assert_eq!(page.status, StatusCode::FORBIDDEN, "{}", page.body);
    // The Management API still creates users there (Auth0's rule: sign-up is
    // the public door, not the administrator's).
    let (st, u) = srv
        .api(
            Method::POST,
            "/users",
            Some(json!({"connection": "closed", "email": "a@example.com", "password": PASSWORD})),
        )
        .await;
    assert_eq!(st, StatusCode::CREATED, "{u}");
}

async fn password_history_dictionary_and_personal_info_are_enforced(srv: TestServer) {
    database(
        &srv,
        "strict",
        json!({"passwordPolicy": "low",
            "password_history": {"enable": true, "size": 2},
            "password_dictionary": {"enable": true, "dictionary": ["Summer2026"]},
            "password_no_personal_info": {"enable": true}}),
        &[],
    )
    .await;
    let (st, e) = srv
        .api(
            Method::POST,
            "/users",
            Some(json!({"connection": "strict", "email": "grace@example.com", "password": "summer2026"})),
        )
        .await;
    assert_eq!(st, StatusCode::BAD_REQUEST, "{e}");
    assert_eq!(
        e["message"],
        "PasswordDictionaryError: Password is too common"
    );
    let (st, e) = srv
        .api(
            Method::POST,
            "/users",
            Some(json!({"connection": "strict", "email": "grace@example.com", "password": "i-am-grace!",
                "given_name": "Grace"})),
        )
        .await;
    assert_eq!(st, StatusCode::BAD_REQUEST, "{e}");
    assert_eq!(
        e["message"],
        "PasswordNoUserInfoError: Password contains user information"
    );
    let (st, u) = srv
        .api(
            Method::POST,
            "/users",
            Some(json!({"connection": "strict", "email": "grace@example.com", "password": "first-pw"})),
        )
        .await;
    assert_eq!(st, StatusCode::CREATED, "{u}");
    let id = u["user_id"].as_str().unwrap().to_string();
    let set = |pw: &'static str| {
        let srv = &srv;
        let id = id.clone();
        async move {
            srv.api(
                Method::PATCH,
                &format!("/users/{}", urlencoding(&id)),
                Some(json!({"password": pw, "connection": "strict"})),
            )
            .await
        }
    };
    let (st, e) = set("first-pw").await;
    assert_eq!(st, StatusCode::BAD_REQUEST, "the current one: {e}");
    assert_eq!(
        e["message"],
        "PasswordHistoryError: Password has previously been used"
    );
    assert_eq!(set("second-pw").await.0, StatusCode::OK);
    let (st, e) = set("first-pw").await;
    assert_eq!(
        st,
        StatusCode::BAD_REQUEST,
        "one back, within a size of 2: {e}"
    );
    assert_eq!(set("third-pw").await.0, StatusCode::OK);
    assert_eq!(
        set("first-pw").await.0,
        StatusCode::OK,
        "two back: out of the history"
    );
}

fn urlencoding(s: &str) -> String {
    form_urlencoded::byte_serialize(s.as_bytes()).collect()
}

async fn deleting_a_connection_deletes_its_users(srv: TestServer) {
    let c = database(&srv, "temp", json!({"passwordPolicy": "low"}), &[]).await;
    let id = c["id"].as_str().unwrap();
    for email in ["a@example.com", "b@example.com"] {
        let (st, _) = srv
            .api(
                Method::POST,
                "/users",
                Some(json!({"connection": "temp", "email": email, "password": "secret"})),
            )
            .await;
        assert_eq!(st, StatusCode::CREATED);
    }
    let keep = crate::browser::user(&srv, "keep@example.com").await;
    // One by address (scope delete:users), as Auth0's endpoint.
    let (st, _) = srv
        .api(
            Method::DELETE,
            &format!("/connections/{id}/users?email=A%40Example.com"),
            None,
        )
        .await;
    assert_eq!(st, StatusCode::NO_CONTENT);
    let (_, users) = srv.api(Method::GET, "/users", None).await;
    assert_eq!(users.as_array().unwrap().len(), 2, "{users}");
    let (st, e) = srv
        .api(Method::DELETE, &format!("/connections/{id}/users"), None)
        .await;
    assert_eq!(st, StatusCode::BAD_REQUEST, "{e}");
    let (st, up) = srv
        .api(
            Method::POST,
            "/connections",
            Some(json!({"name": "up", "strategy": "github", "options": {"client_id": "x"}})),
        )
        .await;
    assert_eq!(st, StatusCode::CREATED, "{up}");
    let (st, e) = srv
        .api(
            Method::DELETE,
            &format!(
                "/connections/{}/users?email=a%40b.co",
                up["id"].as_str().unwrap()
            ),
            None,
        )
        .await;
    assert_eq!(st, StatusCode::BAD_REQUEST, "{e}");
    assert_eq!(e["message"], "Connection must be a database connection");
    // The rest go with the connection.
    let (st, _) = srv
        .api(Method::DELETE, &format!("/connections/{id}"), None)
        .await;
    assert_eq!(st, StatusCode::NO_CONTENT);
    let (_, users) = srv.api(Method::GET, "/users", None).await;
    let users = users.as_array().unwrap();
    assert_eq!(users.len(), 1, "{users:?}");
    assert_eq!(users[0]["user_id"], keep.as_str());
}

async fn brute_force_protection_off_blocks_no_account(srv: TestServer) {
    let app = password_app(&srv).await;
    database(
        &srv,
        "open",
        json!({"passwordPolicy": "low", "brute_force_protection": false}),
        &[&app.0],
    )
    .await;
    let (st, _) = srv
        .api(
            Method::POST,
            "/users",
            Some(json!({"connection": "open", "email": "ann@example.com", "password": "right-pw"})),
        )
        .await;
    assert_eq!(st, StatusCode::CREATED);
    for _ in 0..11 {
        let (st, _) = realm_login(&srv, &app, "open", "ann@example.com", "wrong-pw").await;
        assert_eq!(st, StatusCode::FORBIDDEN);
    }
    let (st, t) = realm_login(&srv, &app, "open", "ann@example.com", "right-pw").await;
    assert_eq!(
        st,
        StatusCode::OK,
        "no account block without brute-force protection: {t}"
    );
    // With it (the default), the eleventh attempt is refused.
    database(&srv, "guarded", json!({"passwordPolicy": "low"}), &[&app.0]).await;
    let (st, _) = srv
        .api(
            Method::POST,
            "/users",
            Some(json!({"connection": "guarded", "email": "bea@example.com", "password": "right-pw"})),
        )
        .await;
    assert_eq!(st, StatusCode::CREATED);
    for _ in 0..10 {
        realm_login(&srv, &app, "guarded", "bea@example.com", "wrong-pw").await;
    }
    let (st, t) = realm_login(&srv, &app, "guarded", "bea@example.com", "right-pw").await;
    assert_eq!(st, StatusCode::TOO_MANY_REQUESTS, "{t}");
}

async fn authorize_connection_chooses_the_login_pages_database(srv: TestServer) {
    let app = spa(&srv, json!({})).await;
    database(
        &srv,
        "members",
        json!({"passwordPolicy": "low", "requires_username": true}),
        &[&app],
    )
    .await;
    let (st, _) = srv
        .api(
            Method::POST,
            "/users",
            Some(json!({"connection": "members", "email": "kim@example.com", "password": "kims-pw", "username": "kim"})),
        )
        .await;
    assert_eq!(st, StatusCode::CREATED);
    let mut b = Browser::new(&srv);
    let to_login = b
        .authorize(&code_params(&app, &[("connection", "members")]))
        .await;
    let page = b.get(to_login.location.as_deref().unwrap()).await;
    assert!(
        page.body.contains("Username or email address"),
        "{}",
        page.body
    );
    let done = b.submit_login(&to_login, "kim", "kims-pw").await;
    assert_eq!(done.status, StatusCode::FOUND, "{}", done.body);
    let code = done.redirect_params()["code"].clone();
    let (st, t) = crate::browser::exchange(&srv, &app, &code).await;
    assert_eq!(st, StatusCode::OK, "{t}");
    // Without `connection`, the default database connection: kim is not there.
    let mut b = Browser::new(&srv);
    let to_login = b.authorize(&code_params(&app, &[])).await;
    let refused = b
        .submit_login(&to_login, "kim@example.com", "kims-pw")
        .await;
    assert_eq!(refused.status, StatusCode::UNAUTHORIZED, "{}", refused.body);
    // A connection that does not exist, or is not enabled, is an error page.
    database(&srv, "solo", json!({}), &[]).await;
    for name in ["nowhere", "solo"] {
        let mut b = Browser::new(&srv);
        let to_login = b
            .authorize(&code_params(&app, &[("connection", name)]))
            .await;
        let page = b.get(to_login.location.as_deref().unwrap()).await;
        assert_eq!(page.status, StatusCode::BAD_REQUEST, "{}", page.body);
    }
    // The sign-up page of a policy shows that policy.
    let mut b = Browser::new(&srv);
    let to_login = b
        .authorize(&code_params(&app, &[("connection", "members")]))
        .await;
    let signup = to_login.location.unwrap().replace("/u/login", "/u/signup");
    let page = b.get(&signup).await;
    assert!(
        page.body.contains("At least 6 characters."),
        "{}",
        page.body
    );
    assert!(page.body.contains("name=\"handle\""), "{}", page.body);
}

async fn an_upstream_client_secret_is_sealed_and_never_answered(srv: TestServer) {
    let (st, c) = srv
        .api(
            Method::POST,
            "/connections",
            Some(json!({"name": "google", "strategy": "google-oauth2",
                "options": {"client_id": "g-id", "client_secret": "g-s3cret-value", "scope": ["email"]}})),
        )
        .await;
    assert_eq!(st, StatusCode::CREATED, "{c}");
    assert!(!c.to_string().contains("g-s3cret-value"), "{c}");
    let id = c["id"].as_str().unwrap();
    let store = &srv.server.as_ref().unwrap().state.store;
    let (_, sealed) = store.get_connection(id).await.unwrap().unwrap();
    let sealed = sealed.expect("the secret is stored sealed");
    assert!(!sealed.contains("g-s3cret-value"));
    // Options without a secret keep the sealed one.
    let (st, p) = srv
        .api(
            Method::PATCH,
            &format!("/connections/{id}"),
            Some(json!({"options": {"client_id": "g-id-2"}})),
        )
        .await;
    assert_eq!(st, StatusCode::OK, "{p}");
    let (_, kept) = store.get_connection(id).await.unwrap().unwrap();
    assert_eq!(kept.as_deref(), Some(sealed.as_str()));
    let (_, got) = srv
        .api(Method::GET, &format!("/connections/{id}"), None)
        .await;
    assert!(!got.to_string().contains("g-s3cret"), "{got}");
    assert_eq!(got["options"]["client_id"], "g-id-2");
}

/// Runs `sql` on the server's database directly (what an older version
/// left behind is made by hand).
async fn raw_sql(srv: &TestServer, sql: &str) {
    crate::support::with_server_db!(srv, |c| {
        sqlx::raw_sql(sqlx::AssertSqlSafe(sql.to_string()))
            .execute(c)
            .await
            .unwrap();
    });
}

/// A database made before connections were records has no connection row:
/// its next start writes `Username-Password-Authentication`, enabled for every
/// application there is, so they sign in as before. That happens once: a
/// default connection an administrator deletes stays deleted across restarts.
async fn a_tenant_without_its_database_connection_gets_it_back_at_start(srv: TestServer) {
    let app = spa(&srv, json!({})).await;
    let id = srv.connection_id(DB).await;
    let (st, _) = srv
        .api(Method::DELETE, &format!("/connections/{id}"), None)
        .await;
    assert_eq!(st, StatusCode::NO_CONTENT);
    let srv = srv.restart().await;
    let (_, list) = srv.api(Method::GET, "/connections", None).await;
    assert_eq!(list, json!([]), "deleted stays deleted");
    // What a database from before connections looks like.
    raw_sql(&srv, "UPDATE tenants SET connections_seeded = FALSE").await;
    let srv = srv.restart().await;
    let again = srv.connection_id(DB).await;
    assert_ne!(again, id, "a new record");
    let (_, clients) = srv
        .api(Method::GET, &format!("/connections/{again}/clients"), None)
        .await;
    assert!(clients.to_string().contains(&app), "{clients}");
    crate::browser::user(&srv, "ada@example.com").await;
    let mut b = Browser::new(&srv);
    let to_login = b.authorize(&code_params(&app, &[])).await;
    let done = b.submit_login(&to_login, "ada@example.com", PASSWORD).await;
    assert_eq!(done.status, StatusCode::FOUND, "{}", done.body);
    let srv = srv.restart().await;
    assert_eq!(srv.connection_id(DB).await, again, "restarts keep it");
    let (_, list) = srv.api(Method::GET, "/connections", None).await;
    assert_eq!(list.as_array().unwrap().len(), 1);
}
