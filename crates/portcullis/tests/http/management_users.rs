//! `/api/v2/users` and `/api/v2/users-by-email`.

use reqwest::{Method, StatusCode};
use serde_json::{Value, json};

use crate::support::on_both_backends;

pub const CONNECTION: &str = "Username-Password-Authentication";

on_both_backends!(
    user_is_created_with_auth0_defaults,
    users_are_found_by_email_listed_updated_and_deleted,
    invalid_users_are_refused_and_store_nothing
);

/// Auth0's shape and defaults: `auth0|<24 hex>`, nickname from the e-mail,
/// a generated picture, ISO timestamps, identities; never the password.
async fn user_is_created_with_auth0_defaults(srv: crate::support::TestServer) {
    let (st, u) = srv.api(Method::POST, "/users", Some(json!({
        "connection": CONNECTION, "email": "Jane.Doe@Example.com", "password": "Sup3r-secret",
        "given_name": "Jane", "family_name": "Doe", "user_metadata": {"theme": "dark"}
    }))).await;
    assert_eq!(st, StatusCode::CREATED, "{u}");
    let id = u["user_id"].as_str().unwrap();
    assert!(id.starts_with("auth0|") && id.len() == 30, "{id}");
    assert_eq!(u["email"], "jane.doe@example.com");
    assert_eq!(u["nickname"], "jane.doe");
    assert_eq!(u["email_verified"], false);
    assert_eq!(u["blocked"], false);
    assert_eq!(u["logins_count"], 0);
    assert!(u["picture"].as_str().unwrap().starts_with(&srv.issuer));
    assert!(u["created_at"].as_str().unwrap().ends_with(".000Z"));
    assert_eq!(u["identities"][0]["connection"], CONNECTION);
    assert_eq!(u["identities"][0]["provider"], "auth0");
    assert_eq!(u["identities"][0]["isSocial"], false);
    assert_eq!(u["user_metadata"], json!({"theme": "dark"}));
    let text = u.to_string();
    assert!(
        !text.contains("Sup3r-secret") && !text.contains("argon2"),
        "no password or hash: {text}"
    );
    let (st, got) = srv
        .api(
            Method::GET,
            &format!("/users/{}", crate::token_endpoint::urlenc(id)),
            None,
        )
        .await;
    assert_eq!(st, StatusCode::OK);
    assert_eq!(got["email"], "jane.doe@example.com");
}

async fn users_are_found_by_email_listed_updated_and_deleted(srv: crate::support::TestServer) {
    for e in ["a@example.com", "b@example.com"] {
        let (st, _) = srv
            .api(
                Method::POST,
                "/users",
                Some(json!({"connection": CONNECTION, "email": e, "password": "Passw0rd!x"})),
            )
            .await;
        assert_eq!(st, StatusCode::CREATED);
    }
    let (st, found) = srv
        .api(Method::GET, "/users-by-email?email=B@Example.com", None)
        .await;
    assert_eq!(st, StatusCode::OK);
    assert_eq!(found.as_array().unwrap().len(), 1);
    let id = found[0]["user_id"].as_str().unwrap().to_string();
    let (_, q) = srv
        .api(
            Method::GET,
            "/users?q=email%3A%22b%40example.com%22&search_engine=v3",
            None,
        )
        .await;
    assert_eq!(q[0]["user_id"], id);
    let (_, all) = srv
        .api(Method::GET, "/users?include_totals=true&per_page=1", None)
        .await;
    assert_eq!(all["total"], 2);
    assert_eq!(all["users"].as_array().unwrap().len(), 1);
    let path = format!("/users/{}", crate::token_endpoint::urlenc(&id));
    let (st, u) = srv
        .api(
            Method::PATCH,
            &path,
            Some(json!({"name": "Bee", "blocked": true, "app_metadata": {"roles": ["admin"]}})),
        )
        .await;
    assert_eq!(st, StatusCode::OK, "{u}");
    assert_eq!(u["name"], "Bee");
    assert_eq!(u["blocked"], true);
    assert_eq!(u["app_metadata"], json!({"roles": ["admin"]}));
    let (st, _) = srv.api(Method::DELETE, &path, None).await;
    assert_eq!(st, StatusCode::NO_CONTENT);
    let (st, body) = srv.api(Method::GET, &path, None).await;
    assert_eq!(st, StatusCode::NOT_FOUND);
    assert_eq!(body["errorCode"], "inexistent_user");
}

async fn invalid_users_are_refused_and_store_nothing(srv: crate::support::TestServer) {
    let (st, _) = srv.api(Method::POST, "/users", Some(json!({"connection": CONNECTION, "email": "dup@example.com", "password": "Passw0rd!x"}))).await;
    assert_eq!(st, StatusCode::CREATED);
    let cases = [
        (
            json!({"email": "x@example.com", "password": "Passw0rd!x"}),
            StatusCode::BAD_REQUEST,
            "connection",
        ),
        (
            json!({"connection": "nope", "email": "x@example.com", "password": "Passw0rd!x"}),
            StatusCode::BAD_REQUEST,
            "connection",
        ),
        (
            json!({"connection": CONNECTION, "email": "not-an-email", "password": "Passw0rd!x"}),
            StatusCode::BAD_REQUEST,
            "email",
        ),
        (
            json!({"connection": CONNECTION, "email": "x@example.com", "password": "weak"}),
            StatusCode::BAD_REQUEST,
            "weak",
        ),
        (
            json!({"connection": CONNECTION, "email": "x@example.com"}),
            StatusCode::BAD_REQUEST,
            "password",
        ),
        (
            json!({"connection": CONNECTION, "email": "x@example.com", "password": "Passw0rd!x", "role": "admin"}),
            StatusCode::BAD_REQUEST,
            "role",
        ),
        (
            json!({"connection": CONNECTION, "email": "DUP@example.com", "password": "Passw0rd!x"}),
            StatusCode::CONFLICT,
            "already exists",
        ),
    ];
    for (payload, want, text) in cases {
        let (st, body) = srv.api(Method::POST, "/users", Some(payload.clone())).await;
        assert_eq!(st, want, "{payload}: {body}");
        assert!(
            body["message"].as_str().unwrap().contains(text),
            "{payload}: {body}"
        );
    }
    let (_, all) = srv
        .api(Method::GET, "/users?include_totals=true", None)
        .await;
    assert_eq!(all["total"], 1);
    for bad in ["q=phone_number%3Ax", "email=a"] {
        let (st, _) = srv.api(Method::GET, &format!("/users?{bad}"), None).await;
        assert_eq!(st, StatusCode::BAD_REQUEST, "{bad}");
    }
    let (st, _) = srv.api(Method::GET, "/users-by-email", None).await;
    assert_eq!(st, StatusCode::BAD_REQUEST);
    let _: Value = all;
}
