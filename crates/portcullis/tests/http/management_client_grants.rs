//! `/api/v2/client-grants`.

use reqwest::{Method, StatusCode};
use serde_json::json;

use crate::support::on_both_backends;

const API: &str = "https://grants.example/";

on_both_backends!(
    grant_is_created_listed_updated_and_deleted,
    invalid_grants_are_refused_and_store_nothing,
    deleting_a_client_deletes_its_grants
);

async fn grant_is_created_listed_updated_and_deleted(srv: crate::support::TestServer) {
    srv.api(
        Method::POST,
        "/resource-servers",
        Some(json!({"identifier": API, "scopes": [{"value": "a"}, {"value": "b"}]})),
    )
    .await;
    let (cid, _) = srv.new_m2m("w").await;
    let (st, g) = srv
        .api(
            Method::POST,
            "/client-grants",
            Some(json!({"client_id": cid, "audience": API, "scope": ["a"]})),
        )
        .await;
    assert_eq!(st, StatusCode::CREATED, "{g}");
    assert!(g["id"].as_str().unwrap().starts_with("cgr_"));
    assert_eq!(g["scope"], json!(["a"]));
    let gid = g["id"].as_str().unwrap();
    let (_, by_client) = srv
        .api(
            Method::GET,
            &format!("/client-grants?client_id={cid}"),
            None,
        )
        .await;
    assert_eq!(by_client.as_array().unwrap().len(), 1);
    let (_, by_aud) = srv
        .api(
            Method::GET,
            &format!(
                "/client-grants?audience={}&include_totals=true",
                crate::token_endpoint::urlenc(API)
            ),
            None,
        )
        .await;
    assert_eq!(by_aud["total"], 1);
    assert_eq!(by_aud["client_grants"][0]["id"], gid);
    let (_, all) = srv.api(Method::GET, "/client-grants", None).await;
    assert_eq!(
        all.as_array().unwrap().len(),
        2,
        "ours and the bootstrap admin's"
    );
    let (st, u) = srv
        .api(
            Method::PATCH,
            &format!("/client-grants/{gid}"),
            Some(json!({"scope": ["a", "b"]})),
        )
        .await;
    assert_eq!(st, StatusCode::OK);
    assert_eq!(u["scope"], json!(["a", "b"]));
    let (st, got) = srv
        .api(Method::GET, &format!("/client-grants/{gid}"), None)
        .await;
    assert_eq!(st, StatusCode::OK);
    assert_eq!(got["scope"], json!(["a", "b"]));
    let (st, _) = srv
        .api(Method::DELETE, &format!("/client-grants/{gid}"), None)
        .await;
    assert_eq!(st, StatusCode::NO_CONTENT);
    let (st, body) = srv
        .api(Method::DELETE, &format!("/client-grants/{gid}"), None)
        .await;
    assert_eq!(st, StatusCode::NOT_FOUND);
    assert_eq!(body["errorCode"], "inexistent_client_grant");
}

async fn invalid_grants_are_refused_and_store_nothing(srv: crate::support::TestServer) {
    srv.api(
        Method::POST,
        "/resource-servers",
        Some(json!({"identifier": API, "scopes": [{"value": "a"}]})),
    )
    .await;
    let (cid, _) = srv.new_m2m("w").await;
    let before = srv.counts().await;
    let cases = [
        (
            json!({"client_id": cid, "audience": API, "scope": ["zzz"]}),
            StatusCode::BAD_REQUEST,
            "zzz",
        ),
        (
            json!({"client_id": "nobody", "audience": API, "scope": []}),
            StatusCode::NOT_FOUND,
            "client",
        ),
        (
            json!({"client_id": cid, "audience": "https://nowhere/", "scope": []}),
            StatusCode::NOT_FOUND,
            "resource server",
        ),
        (
            json!({"client_id": cid, "audience": API}),
            StatusCode::BAD_REQUEST,
            "scope",
        ),
        (
            json!({"client_id": cid, "audience": API, "scope": "a"}),
            StatusCode::BAD_REQUEST,
            "scope",
        ),
        (
            json!({"client_id": cid, "audience": API, "scope": [], "extra": 1}),
            StatusCode::BAD_REQUEST,
            "extra",
        ),
    ];
    for (payload, want, text) in cases {
        let (st, body) = srv
            .api(Method::POST, "/client-grants", Some(payload.clone()))
            .await;
        assert_eq!(st, want, "{payload}: {body}");
        assert!(
            body["message"].as_str().unwrap().contains(text),
            "{payload}: {body}"
        );
    }
    assert_eq!(srv.counts().await, before);
    let (st, _) = srv
        .api(
            Method::POST,
            "/client-grants",
            Some(json!({"client_id": cid, "audience": API, "scope": ["a"]})),
        )
        .await;
    assert_eq!(st, StatusCode::CREATED);
    let (st, body) = srv
        .api(
            Method::POST,
            "/client-grants",
            Some(json!({"client_id": cid, "audience": API, "scope": []})),
        )
        .await;
    assert_eq!(st, StatusCode::CONFLICT, "{body}");
    let (_, grants) = srv
        .api(
            Method::GET,
            &format!("/client-grants?client_id={cid}"),
            None,
        )
        .await;
    let gid = grants[0]["id"].as_str().unwrap();
    let (st, _) = srv
        .api(
            Method::PATCH,
            &format!("/client-grants/{gid}"),
            Some(json!({"scope": ["nope"]})),
        )
        .await;
    assert_eq!(st, StatusCode::BAD_REQUEST);
    let (_, g) = srv
        .api(Method::GET, &format!("/client-grants/{gid}"), None)
        .await;
    assert_eq!(g["scope"], json!(["a"]), "a failed PATCH changes nothing");
}

/// Deleting a client deletes its grants.
async fn deleting_a_client_deletes_its_grants(srv: crate::support::TestServer) {
    let (cid, _) = srv.m2m_with_grant(API, &["a"], &["a"]).await;
    let (st, _) = srv
        .api(Method::DELETE, &format!("/clients/{cid}"), None)
        .await;
    assert_eq!(st, StatusCode::NO_CONTENT);
    let (_, grants) = srv
        .api(
            Method::GET,
            &format!("/client-grants?client_id={cid}"),
            None,
        )
        .await;
    assert_eq!(grants, json!([]));
}
