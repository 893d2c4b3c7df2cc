//! `/api/v2/clients`.

use reqwest::{Method, StatusCode};
use serde_json::{Value, json};

use crate::support::on_both_backends;

on_both_backends!(
    created_clients_get_auth0_defaults_per_app_type,
    client_can_be_read_updated_and_deleted,
    clients_list_pages_with_totals,
    invalid_client_payloads_are_refused_and_store_nothing,
    rotate_secret_of_unknown_client_is_404
);

/// Auth0's defaults per `app_type`; the secret is shown on create only.
async fn created_clients_get_auth0_defaults_per_app_type(srv: crate::support::TestServer) {
    let cases = [
        (
            "spa",
            "none",
            json!(["authorization_code", "implicit", "refresh_token"]),
            "rotating",
        ),
        (
            "native",
            "none",
            json!(["authorization_code", "implicit", "refresh_token"]),
            "rotating",
        ),
        (
            "regular_web",
            "client_secret_post",
            json!([
                "authorization_code",
                "implicit",
                "refresh_token",
                "client_credentials"
            ]),
            "non-rotating",
        ),
        (
            "non_interactive",
            "client_secret_post",
            json!(["client_credentials"]),
            "non-rotating",
        ),
    ];
    for (app_type, method, grants, rotation) in cases {
        let (st, c) = srv
            .api(
                Method::POST,
                "/clients",
                Some(json!({"name": format!("app {app_type}"), "app_type": app_type})),
            )
            .await;
        assert_eq!(st, StatusCode::CREATED, "{c}");
        assert_eq!(c["app_type"], app_type);
        assert_eq!(c["token_endpoint_auth_method"], method);
        assert_eq!(c["grant_types"], grants);
        assert_eq!(c["refresh_token"]["rotation_type"], rotation);
        assert_eq!(c["jwt_configuration"]["lifetime_in_seconds"], 36000);
        assert_eq!(c["jwt_configuration"]["alg"], "RS256");
        assert_eq!(c["oidc_conformant"], true);
        assert_eq!(c["client_id"].as_str().unwrap().len(), 32);
        assert!(c["client_secret"].as_str().unwrap().len() >= 43);
        let (st, got) = srv
            .api(
                Method::GET,
                &format!("/clients/{}", c["client_id"].as_str().unwrap()),
                None,
            )
            .await;
        assert_eq!(st, StatusCode::OK);
        assert!(
            got.get("client_secret").is_none(),
            "secret is not shown again"
        );
        assert_eq!(got["name"], c["name"]);
    }
}

async fn client_can_be_read_updated_and_deleted(srv: crate::support::TestServer) {
    let (st, c) = srv.api(Method::POST, "/clients", Some(json!({
        "name": "Web", "app_type": "regular_web", "description": "d",
        "callbacks": ["https://app.example/cb"], "allowed_logout_urls": ["https://app.example/"],
        "web_origins": ["https://app.example"], "allowed_origins": ["https://app.example"],
        "logo_uri": "https://app.example/logo.png", "client_metadata": {"team": "a"}
    }))).await;
    assert_eq!(st, StatusCode::CREATED, "{c}");
    let id = c["client_id"].as_str().unwrap().to_string();
    assert_eq!(c["callbacks"], json!(["https://app.example/cb"]));
    let (st, u) = srv.api(Method::PATCH, &format!("/clients/{id}"), Some(json!({
        "name": "Web 2", "jwt_configuration": {"lifetime_in_seconds": 3600},
        "refresh_token": {"rotation_type": "rotating", "expiration_type": "expiring", "leeway": 10, "infinite_token_lifetime": false, "infinite_idle_token_lifetime": false}
    }))).await;
    assert_eq!(st, StatusCode::OK, "{u}");
    assert_eq!(u["name"], "Web 2");
    assert_eq!(u["jwt_configuration"]["lifetime_in_seconds"], 3600);
    assert_eq!(u["jwt_configuration"]["alg"], "RS256");
    assert_eq!(u["refresh_token"]["leeway"], 10);
    assert_eq!(
        u["callbacks"],
        json!(["https://app.example/cb"]),
        "untouched fields stay"
    );
    let (_, got) = srv
        .api(
            Method::GET,
            &format!("/clients/{id}?fields=name,client_id"),
            None,
        )
        .await;
    assert_eq!(got, json!({"name": "Web 2", "client_id": id}));
    let (st, _) = srv
        .api(Method::DELETE, &format!("/clients/{id}"), None)
        .await;
    assert_eq!(st, StatusCode::NO_CONTENT);
    for m in [Method::GET, Method::DELETE] {
        let (st, body) = srv.api(m, &format!("/clients/{id}"), None).await;
        assert_eq!(st, StatusCode::NOT_FOUND);
        assert_eq!(body["errorCode"], "inexistent_client");
    }
    let (st, _) = srv
        .api(
            Method::PATCH,
            &format!("/clients/{id}"),
            Some(json!({"name": "x"})),
        )
        .await;
    assert_eq!(st, StatusCode::NOT_FOUND);
}

/// Auth0's paging: `page`/`per_page`, and `include_totals` wraps the list.
async fn clients_list_pages_with_totals(srv: crate::support::TestServer) {
    for i in 0..5 {
        srv.api(
            Method::POST,
            "/clients",
            Some(json!({"name": format!("c{i}")})),
        )
        .await;
    }
    let (st, all) = srv.api(Method::GET, "/clients", None).await;
    assert_eq!(st, StatusCode::OK);
    assert_eq!(
        all.as_array().unwrap().len(),
        6,
        "five plus the bootstrap admin"
    );
    let (_, page) = srv
        .api(
            Method::GET,
            "/clients?page=1&per_page=2&include_totals=true",
            None,
        )
        .await;
    assert_eq!(page["start"], 2);
    assert_eq!(page["limit"], 2);
    assert_eq!(page["length"], 2);
    assert_eq!(page["total"], 6);
    assert_eq!(page["clients"][0]["client_id"], all[2]["client_id"]);
    let (_, last) = srv
        .api(Method::GET, "/clients?page=5&per_page=2", None)
        .await;
    assert_eq!(last, json!([]));
    for bad in [
        "per_page=1000",
        "page=-1",
        "include_totals=yes",
        "page=1&page=2",
        "sort=name:1",
    ] {
        let (st, body) = srv.api(Method::GET, &format!("/clients?{bad}"), None).await;
        assert_eq!(st, StatusCode::BAD_REQUEST, "{bad}");
        assert_eq!(body["errorCode"], "invalid_query_string");
    }
}

/// Bad payloads are 400 in Auth0's shape naming the field, and store nothing.
async fn invalid_client_payloads_are_refused_and_store_nothing(srv: crate::support::TestServer) {
    let before = srv.counts().await;
    let cases = [
        (json!({}), "name"),
        (json!({"name": ""}), "name"),
        (json!({"name": "<script>"}), "name"),
        (json!({"name": 5}), "name"),
        (json!({"name": "a", "bogus": 1}), "bogus"),
        (json!({"name": "a", "app_type": "mainframe"}), "app_type"),
        (
            json!({"name": "a", "callbacks": ["not a url"]}),
            "callbacks",
        ),
        (
            json!({"name": "a", "callbacks": ["https://*.example.com"]}),
            "callbacks",
        ),
        (json!({"name": "a", "callbacks": "https://x"}), "callbacks"),
        (
            json!({"name": "a", "web_origins": ["https://a.example/path"]}),
            "web_origins",
        ),
        (
            json!({"name": "a", "grant_types": ["magic"]}),
            "grant_types",
        ),
        (
            json!({"name": "a", "jwt_configuration": {"alg": "none"}}),
            "jwt_configuration.alg",
        ),
        (
            json!({"name": "a", "jwt_configuration": {"lifetime_in_seconds": 0}}),
            "lifetime_in_seconds",
        ),
        (
            json!({"name": "a", "token_endpoint_auth_method": "private_key_jwt"}),
            "token_endpoint_auth_method",
        ),
        (
            json!({"name": "a", "refresh_token": {"rotation_type": "sometimes"}}),
            "rotation_type",
        ),
        (json!([1, 2]), "object"),
    ];
    for (payload, field) in cases {
        let (st, body) = srv
            .api(Method::POST, "/clients", Some(payload.clone()))
            .await;
        assert_eq!(st, StatusCode::BAD_REQUEST, "{payload}: {body}");
        assert_eq!(body["statusCode"], 400);
        assert_eq!(body["error"], "Bad Request");
        assert_eq!(body["errorCode"], "invalid_body");
        assert!(
            body["message"].as_str().unwrap().contains(field),
            "{payload}: {body}"
        );
    }
    // Not JSON, empty, wrong content type, too large.
    let token = srv.admin_token().await;
    let url = format!("{}/api/v2/clients", srv.url);
    let raw: Vec<(&str, Vec<u8>, StatusCode)> = vec![
        ("application/json", b"{".to_vec(), StatusCode::BAD_REQUEST),
        ("application/json", vec![], StatusCode::BAD_REQUEST),
        (
            "application/x-www-form-urlencoded",
            b"name=a".to_vec(),
            StatusCode::BAD_REQUEST,
        ),
        (
            "application/json",
            format!(r#"{{"name":"{}"}}"#, "a".repeat(300_000)).into_bytes(),
            StatusCode::PAYLOAD_TOO_LARGE,
        ),
    ];
    for (ct, body, want) in raw {
        let res = srv
            .http
            .post(&url)
            .bearer_auth(&token)
            .header("content-type", ct)
            .body(body)
            .send()
            .await
            .unwrap();
        assert_eq!(res.status(), want, "{ct}");
        let json: Value = res.json().await.unwrap();
        assert_eq!(json["statusCode"], want.as_u16());
    }
    // A failed PATCH changes nothing.
    let (_, c) = srv
        .api(Method::POST, "/clients", Some(json!({"name": "keep"})))
        .await;
    let id = c["client_id"].as_str().unwrap();
    let (st, _) = srv
        .api(
            Method::PATCH,
            &format!("/clients/{id}"),
            Some(json!({"name": "changed", "callbacks": ["nope"]})),
        )
        .await;
    assert_eq!(st, StatusCode::BAD_REQUEST);
    let (_, got) = srv.api(Method::GET, &format!("/clients/{id}"), None).await;
    assert_eq!(got["name"], "keep");
    let after = srv.counts().await;
    assert_eq!((after.0 - 1, after.1, after.2), before);
}

async fn rotate_secret_of_unknown_client_is_404(srv: crate::support::TestServer) {
    let (st, body) = srv
        .api(Method::POST, "/clients/nope/rotate-secret", None)
        .await;
    assert_eq!(st, StatusCode::NOT_FOUND);
    assert_eq!(body["errorCode"], "inexistent_client");
}
