//! `/api/v2/resource-servers`.

use reqwest::{Method, StatusCode};
use serde_json::json;

use crate::support::on_both_backends;
use crate::token_endpoint::urlenc;

on_both_backends!(
    api_is_created_read_updated_and_deleted,
    duplicate_identifier_is_409_and_identifier_is_immutable,
    system_api_cannot_be_changed_or_deleted,
    invalid_api_payloads_are_refused_and_store_nothing,
    deleting_an_api_deletes_its_grants,
    list_filters_auth0_documents_are_answered_or_refused_clearly
);

async fn api_is_created_read_updated_and_deleted(srv: crate::support::TestServer) {
    let (st, rs) = srv
        .api(
            Method::POST,
            "/resource-servers",
            Some(json!({
                "identifier": "https://orders.example/", "name": "Orders",
                "scopes": [{"value": "read:orders", "description": "Read orders"}],
                "allow_offline_access": true
            })),
        )
        .await;
    assert_eq!(st, StatusCode::CREATED, "{rs}");
    assert_eq!(rs["token_lifetime"], 86400);
    assert_eq!(rs["token_lifetime_for_web"], 7200);
    assert_eq!(rs["signing_alg"], "RS256");
    assert_eq!(rs["is_system"], false);
    assert_eq!(rs["allow_offline_access"], true);
    assert_eq!(rs["id"].as_str().unwrap().len(), 24);
    let id = rs["id"].as_str().unwrap();
    let (st, by_identifier) = srv
        .api(
            Method::GET,
            &format!("/resource-servers/{}", urlenc("https://orders.example/")),
            None,
        )
        .await;
    assert_eq!(st, StatusCode::OK);
    assert_eq!(by_identifier["id"], id);
    let (st, u) = srv.api(Method::PATCH, &format!("/resource-servers/{id}"), Some(json!({"name": "Orders v2", "scopes": [{"value": "a"}, {"value": "b"}], "token_lifetime": 3600}))).await;
    assert_eq!(st, StatusCode::OK, "{u}");
    assert_eq!(u["name"], "Orders v2");
    assert_eq!(
        u["scopes"],
        json!([{"value": "a", "description": ""}, {"value": "b", "description": ""}])
    );
    let (_, list) = srv
        .api(Method::GET, "/resource-servers?include_totals=true", None)
        .await;
    assert_eq!(list["total"], 2, "ours and the Management API");
    assert_eq!(
        list["resource_servers"]
            .as_array()
            .unwrap()
            .iter()
            .filter(|r| r["is_system"] == true)
            .count(),
        1
    );
    let (st, _) = srv
        .api(Method::DELETE, &format!("/resource-servers/{id}"), None)
        .await;
    assert_eq!(st, StatusCode::NO_CONTENT);
    let (st, body) = srv
        .api(Method::GET, &format!("/resource-servers/{id}"), None)
        .await;
    assert_eq!(st, StatusCode::NOT_FOUND);
    assert_eq!(body["errorCode"], "inexistent_resource_server");
}

async fn duplicate_identifier_is_409_and_identifier_is_immutable(srv: crate::support::TestServer) {
    let body = json!({"identifier": "https://dup.example/"});
    let (st, rs) = srv
        .api(Method::POST, "/resource-servers", Some(body.clone()))
        .await;
    assert_eq!(st, StatusCode::CREATED);
    let (st, err) = srv.api(Method::POST, "/resource-servers", Some(body)).await;
    assert_eq!(st, StatusCode::CONFLICT, "{err}");
    assert_eq!(err["statusCode"], 409);
    let (st, err) = srv
        .api(
            Method::POST,
            "/resource-servers",
            Some(json!({"identifier": srv.management_audience()})),
        )
        .await;
    assert_eq!(st, StatusCode::CONFLICT, "{err}");
    let (st, err) = srv
        .api(
            Method::PATCH,
            &format!("/resource-servers/{}", rs["id"].as_str().unwrap()),
            Some(json!({"identifier": "https://other/"})),
        )
        .await;
    assert_eq!(st, StatusCode::BAD_REQUEST);
    assert!(err["message"].as_str().unwrap().contains("identifier"));
}

/// The Management API is listed but cannot be changed or deleted.
async fn system_api_cannot_be_changed_or_deleted(srv: crate::support::TestServer) {
    let aud = urlenc(&srv.management_audience());
    let (st, sys) = srv
        .api(Method::GET, &format!("/resource-servers/{aud}"), None)
        .await;
    assert_eq!(st, StatusCode::OK);
    assert_eq!(sys["is_system"], true);
    let id = sys["id"].as_str().unwrap();
    let (st, _) = srv
        .api(
            Method::PATCH,
            &format!("/resource-servers/{id}"),
            Some(json!({"name": "mine"})),
        )
        .await;
    assert_eq!(st, StatusCode::FORBIDDEN);
    let (st, _) = srv
        .api(Method::DELETE, &format!("/resource-servers/{id}"), None)
        .await;
    assert_eq!(st, StatusCode::FORBIDDEN);
    srv.admin_token().await;
}

async fn invalid_api_payloads_are_refused_and_store_nothing(srv: crate::support::TestServer) {
    let before = srv.counts().await;
    let cases = [
        (json!({"name": "x"}), "identifier"),
        (json!({"identifier": "has space"}), "identifier"),
        (
            json!({"identifier": "a", "scopes": [{"value": "a b"}]}),
            "scopes",
        ),
        (
            json!({"identifier": "a", "scopes": [{"value": "a"}, {"value": "a"}]}),
            "scopes",
        ),
        (
            json!({"identifier": "a", "scopes": [{"description": "no value"}]}),
            "value",
        ),
        (
            json!({"identifier": "a", "token_lifetime": 0}),
            "token_lifetime",
        ),
        (
            json!({"identifier": "a", "token_lifetime": 9999999}),
            "token_lifetime",
        ),
        (
            json!({"identifier": "a", "token_lifetime": "long"}),
            "token_lifetime",
        ),
        (
            json!({"identifier": "a", "token_lifetime": 100, "token_lifetime_for_web": 200}),
            "token_lifetime_for_web",
        ),
        (
            json!({"identifier": "a", "signing_alg": "none"}),
            "signing_alg",
        ),
        (json!({"identifier": "a", "is_system": true}), "is_system"),
    ];
    for (payload, field) in cases {
        let (st, body) = srv
            .api(Method::POST, "/resource-servers", Some(payload.clone()))
            .await;
        assert_eq!(st, StatusCode::BAD_REQUEST, "{payload}: {body}");
        assert!(
            body["message"].as_str().unwrap().contains(field),
            "{payload}: {body}"
        );
    }
    assert_eq!(srv.counts().await, before);
}

/// Deleting an API deletes its client grants.
async fn deleting_an_api_deletes_its_grants(srv: crate::support::TestServer) {
    let (id, _) = srv
        .m2m_with_grant("https://gone.example/", &["a"], &["a"])
        .await;
    let (_, grants) = srv
        .api(Method::GET, &format!("/client-grants?client_id={id}"), None)
        .await;
    assert_eq!(grants.as_array().unwrap().len(), 1);
    let (st, _) = srv
        .api(
            Method::DELETE,
            &format!("/resource-servers/{}", urlenc("https://gone.example/")),
            None,
        )
        .await;
    assert_eq!(st, StatusCode::NO_CONTENT);
    let (_, grants) = srv
        .api(Method::GET, &format!("/client-grants?client_id={id}"), None)
        .await;
    assert_eq!(grants, json!([]));
}

/// The list filters Auth0 documents and its SDK sends: `identifiers` (repeated)
/// on APIs; `subject_type`, `allow_any_organization`, `default_for` on client
/// grants; `type`, `owner_id` on roles; a value outside the documented ones is
/// a 400 that names it.
async fn list_filters_auth0_documents_are_answered_or_refused_clearly(
    srv: crate::support::TestServer,
) {
    for id in [
        "https://a.example/",
        "https://b.example/",
        "https://c.example/",
    ] {
        let (st, _) = srv
            .api(
                Method::POST,
                "/resource-servers",
                Some(json!({"identifier": id})),
            )
            .await;
        assert_eq!(st, StatusCode::CREATED);
    }
    let (st, got) = srv
        .api(
            Method::GET,
            "/resource-servers?identifiers=https%3A%2F%2Fa.example%2F&identifiers=https%3A%2F%2Fc.example%2F&include_totals=true",
            None,
        )
        .await;
    assert_eq!(st, StatusCode::OK, "{got}");
    assert_eq!(got["total"], 2, "{got}");
    let mut ids: Vec<&str> = got["resource_servers"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r["identifier"].as_str().unwrap())
        .collect();
    ids.sort();
    assert_eq!(ids, ["https://a.example/", "https://c.example/"]);
    for (path, n) in [
        ("/client-grants?subject_type=client", 1),
        ("/client-grants?subject_type=user", 0),
        ("/client-grants?allow_any_organization=true", 0),
        ("/client-grants?default_for=third_party_clients", 0),
        ("/roles?type=organization", 0),
        ("/clients?external_client_id=x", 0),
        ("/clients?q=client_grant.organization_id%3Aorg_1", 0),
    ] {
        let (st, got) = srv.api(Method::GET, path, None).await;
        assert_eq!(st, StatusCode::OK, "{path}: {got}");
        assert_eq!(got.as_array().unwrap().len(), n, "{path}: {got}");
    }
    // Checkpoint paging keeps the filters.
    for name in ["Web A", "Web B"] {
        let (st, _) = srv
            .api(
                Method::POST,
                "/clients",
                Some(json!({"name": name, "app_type": "spa"})),
            )
            .await;
        assert_eq!(st, StatusCode::CREATED);
    }
    let (_, page) = srv
        .api(
            Method::GET,
            "/clients?app_type=spa&take=1&fields=name",
            None,
        )
        .await;
    assert_eq!(page["clients"].as_array().unwrap().len(), 1, "{page}");
    assert!(page["next"].is_string(), "{page}");
    let (_, rest) = srv
        .api(
            Method::GET,
            &format!(
                "/clients?app_type=spa&take=5&from={}",
                page["next"].as_str().unwrap()
            ),
            None,
        )
        .await;
    assert_eq!(rest["clients"].as_array().unwrap().len(), 1, "{rest}");
    assert!(rest.get("next").is_none());
    let (_, none) = srv
        .api(Method::GET, "/clients?external_client_id=x&take=5", None)
        .await;
    assert_eq!(none, json!({"clients": []}));
    for (path, named) in [
        ("/client-grants?subject_type=robot", "subject_type"),
        (
            "/client-grants?allow_any_organization=maybe",
            "allow_any_organization",
        ),
        ("/roles?type=global", "type"),
        ("/clients?q=name%3Ax", "client_grant.organization_id"),
        ("/users/auth0%7C1/logs?sort=date%3A1", "sort"),
    ] {
        let (st, e) = srv.api(Method::GET, path, None).await;
        assert_eq!(st, StatusCode::BAD_REQUEST, "{path}: {e}");
        assert_eq!(e["errorCode"], "invalid_query_string");
        assert!(
            e["message"].as_str().unwrap().contains(named),
            "{path}: {e}"
        );
    }
}
