//! `/api/v2/rules`.

use reqwest::{Method, StatusCode};
use serde_json::json;

use crate::support::on_both_backends;

const RULE: &str = "function (user, context, callback) {\n  context.idToken['https://example.com/email'] = user.email;\n  callback(null, user, context);\n}";

on_both_backends!(
    rules_are_created_in_order_updated_and_deleted,
    rule_that_does_not_compile_is_refused_at_save_time
);

async fn rules_are_created_in_order_updated_and_deleted(srv: crate::support::TestServer) {
    let (st, first) = srv
        .api(
            Method::POST,
            "/rules",
            Some(json!({"name": "add-email", "script": RULE})),
        )
        .await;
    assert_eq!(st, StatusCode::CREATED, "{first}");
    assert!(first["id"].as_str().unwrap().starts_with("rul_"));
    assert_eq!(first["enabled"], true);
    assert_eq!(first["stage"], "login_success");
    let (st, second) = srv
        .api(
            Method::POST,
            "/rules",
            Some(json!({"name": "second", "script": RULE, "enabled": false})),
        )
        .await;
    assert_eq!(st, StatusCode::CREATED);
    assert!(
        second["order"].as_i64() > first["order"].as_i64(),
        "appended after the last rule"
    );
    let (st, moved) = srv
        .api(
            Method::PATCH,
            &format!("/rules/{}", second["id"].as_str().unwrap()),
            Some(json!({"order": 0})),
        )
        .await;
    assert_eq!(st, StatusCode::OK, "{moved}");
    let (_, list) = srv.api(Method::GET, "/rules", None).await;
    let names: Vec<&str> = list
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r["name"].as_str().unwrap())
        .collect();
    assert_eq!(
        names,
        ["second", "add-email"],
        "listed in the order they run"
    );
    let (st, _) = srv
        .api(
            Method::DELETE,
            &format!("/rules/{}", first["id"].as_str().unwrap()),
            None,
        )
        .await;
    assert_eq!(st, StatusCode::NO_CONTENT);
    let (st, body) = srv
        .api(
            Method::GET,
            &format!("/rules/{}", first["id"].as_str().unwrap()),
            None,
        )
        .await;
    assert_eq!(st, StatusCode::NOT_FOUND);
    assert_eq!(body["errorCode"], "inexistent_rule");
}

/// A script that does not compile is refused at save time with the line, and
/// nothing is stored; names are unique.
async fn rule_that_does_not_compile_is_refused_at_save_time(srv: crate::support::TestServer) {
    let broken = "function (user, context, callback) {\n  var x = ;\n}";
    let (st, body) = srv
        .api(
            Method::POST,
            "/rules",
            Some(json!({"name": "broken", "script": broken})),
        )
        .await;
    assert_eq!(st, StatusCode::BAD_REQUEST, "{body}");
    assert!(
        body["message"].as_str().unwrap().contains("line 2"),
        "{body}"
    );
    let (_, list) = srv.api(Method::GET, "/rules", None).await;
    assert_eq!(list, json!([]));
    let (st, ok) = srv
        .api(
            Method::POST,
            "/rules",
            Some(json!({"name": "ok", "script": RULE})),
        )
        .await;
    assert_eq!(st, StatusCode::CREATED);
    let (st, _) = srv
        .api(
            Method::POST,
            "/rules",
            Some(json!({"name": "ok", "script": RULE})),
        )
        .await;
    assert_eq!(st, StatusCode::CONFLICT);
    let (st, _) = srv
        .api(
            Method::PATCH,
            &format!("/rules/{}", ok["id"].as_str().unwrap()),
            Some(json!({"script": broken})),
        )
        .await;
    assert_eq!(st, StatusCode::BAD_REQUEST);
    let (_, got) = srv
        .api(
            Method::GET,
            &format!("/rules/{}", ok["id"].as_str().unwrap()),
            None,
        )
        .await;
    assert_eq!(got["script"], RULE, "a refused PATCH changes nothing");
    for bad in [
        json!({"script": RULE}),
        json!({"name": "x"}),
        json!({"name": "x", "script": RULE, "stage": "pre_authorize"}),
        json!({"name": "x", "script": RULE, "bogus": 1}),
    ] {
        let (st, _) = srv.api(Method::POST, "/rules", Some(bad.clone())).await;
        assert_eq!(st, StatusCode::BAD_REQUEST, "{bad}");
    }
}
