//! `GET /api/v2/users?q=…&search_engine=v3`: Auth0's v3 user search, `sort`,
//! `fields`, paging, and what is refused.

use std::collections::BTreeSet;

use reqwest::{Method, StatusCode};
use serde_json::{Value, json};

use crate::management_users::CONNECTION;
use crate::support::{TestServer, on_both_backends};
use crate::token_endpoint::urlenc;

on_both_backends!(
    user_search_answers_auth0_v3_queries,
    user_search_sorts_selects_fields_and_pages,
    user_search_follows_every_write_of_a_user,
    user_search_refuses_what_it_cannot_answer_and_binds_values
);

async fn create(srv: &TestServer, email: &str, name: &str, extra: Value) -> String {
    let mut body =
        json!({"connection": CONNECTION, "email": email, "password": "Passw0rd!x", "name": name});
    for (k, v) in extra.as_object().unwrap() {
        body[k] = v.clone();
    }
    let (st, u) = srv.api(Method::POST, "/users", Some(body)).await;
    assert_eq!(st, StatusCode::CREATED, "{u}");
    u["user_id"].as_str().unwrap().to_string()
}

/// The e-mails of the users `q` finds (all pages), or the error.
async fn search(srv: &TestServer, q: &str) -> Result<BTreeSet<String>, (StatusCode, Value)> {
    let (st, body) = srv
        .api(
            Method::GET,
            &format!("/users?q={}&search_engine=v3&per_page=100", urlenc(q)),
            None,
        )
        .await;
    if st != StatusCode::OK {
        return Err((st, body));
    }
    Ok(body
        .as_array()
        .unwrap()
        .iter()
        .map(|u| u["email"].as_str().unwrap().to_string())
        .collect())
}

fn set(items: &[&str]) -> BTreeSet<String> {
    items.iter().map(|s| s.to_string()).collect()
}

async fn four_users(srv: &TestServer) -> Vec<String> {
    vec![
        create(
            srv,
            "jane@example.com",
            "Jane Smith",
            json!({"app_metadata": {"plan": "gold", "address": {"city": "Paris"}, "tags": ["beta", "staff"]},
                   "user_metadata": {"lang": "fr"}, "email_verified": true}),
        )
        .await,
        create(
            srv,
            "janet@example.com",
            "Janet Jones",
            json!({"app_metadata": {"plan": "silver", "seats": 3}}),
        )
        .await,
        create(
            srv,
            "bob@other.org",
            "Bob Brown",
            json!({"app_metadata": {"plan": "Gold"}, "blocked": true, "given_name": "Robert"}),
        )
        .await,
        create(srv, "zoe@other.org", "Zoë Zeta", json!({})).await,
    ]
}

async fn user_search_answers_auth0_v3_queries(srv: TestServer) {
    let ids = four_users(&srv).await;
    let cases: &[(&str, &[&str])] = &[
        // Normalised fields: case-insensitive, exact or by a trailing wildcard.
        (r#"name:"jane smith""#, &["jane@example.com"]),
        ("name:JAN*", &["jane@example.com", "janet@example.com"]),
        ("name:jan", &[]),
        (r#"email:"BOB@other.org""#, &["bob@other.org"]),
        ("given_name:robert", &["bob@other.org"]),
        (
            "email.domain:other.org",
            &["bob@other.org", "zoe@other.org"],
        ),
        // A term without a field searches the normalised fields.
        ("janet*", &["janet@example.com"]),
        ("zoë*", &["zoe@other.org"]),
        // Metadata: case-sensitive, nested paths, arrays looked through, numbers.
        ("app_metadata.plan:gold", &["jane@example.com"]),
        ("app_metadata.plan:Gold", &["bob@other.org"]),
        ("app_metadata.address.city:Paris", &["jane@example.com"]),
        ("app_metadata.tags:staff", &["jane@example.com"]),
        ("app_metadata.seats:3", &["janet@example.com"]),
        ("user_metadata.lang:fr", &["jane@example.com"]),
        ("_exists_:app_metadata.address", &["jane@example.com"]),
        ("app_metadata.seats:*", &["janet@example.com"]),
        // Booleans.
        ("email_verified:true", &["jane@example.com"]),
        ("blocked:true", &["bob@other.org"]),
        // Operators: AND binds tighter than OR; NOT; parentheses; a bare space ORs.
        (
            "name:jan* AND NOT app_metadata.plan:gold",
            &["janet@example.com"],
        ),
        (
            "(app_metadata.plan:gold OR app_metadata.plan:Gold) AND email.domain:other.org",
            &["bob@other.org"],
        ),
        (
            "app_metadata.plan:silver OR blocked:true AND email.domain:other.org",
            &["janet@example.com", "bob@other.org"],
        ),
        ("name:bob* name:zo*", &["bob@other.org", "zoe@other.org"]),
        (
            "-email.domain:example.com",
            &["bob@other.org", "zoe@other.org"],
        ),
        // Columns: counts and instants.
        (
            "logins_count:0",
            &[
                "jane@example.com",
                "janet@example.com",
                "bob@other.org",
                "zoe@other.org",
            ],
        ),
        ("logins_count:[1 TO *]", &[]),
        (
            "created_at:[2020-01-01 TO *]",
            &[
                "jane@example.com",
                "janet@example.com",
                "bob@other.org",
                "zoe@other.org",
            ],
        ),
        ("created_at:[* TO 2020-01-01]", &[]),
        ("_exists_:last_login", &[]),
        (
            "NOT last_login:[2020-01-01 TO *]",
            &[
                "jane@example.com",
                "janet@example.com",
                "bob@other.org",
                "zoe@other.org",
            ],
        ),
    ];
    for (q, expected) in cases {
        assert_eq!(search(&srv, q).await.unwrap(), set(expected), "q={q}");
    }
    let by_id = format!("user_id:\"{}\"", ids[2]);
    assert_eq!(search(&srv, &by_id).await.unwrap(), set(&["bob@other.org"]));
    // `connection` narrows the search as Auth0's older parameter does.
    let (st, body) = srv
        .api(
            Method::GET,
            &format!("/users?q=name%3Ajan*&connection={CONNECTION}"),
            None,
        )
        .await;
    assert_eq!(st, StatusCode::OK);
    assert_eq!(body.as_array().unwrap().len(), 2);
    let (_, none) = srv
        .api(Method::GET, "/users?q=name%3Ajan*&connection=other", None)
        .await;
    assert_eq!(none, json!([]));
}

async fn user_search_sorts_selects_fields_and_pages(srv: TestServer) {
    four_users(&srv).await;
    let emails = |body: &Value| -> Vec<String> {
        body.as_array()
            .unwrap()
            .iter()
            .map(|u| u["email"].as_str().unwrap().to_string())
            .collect()
    };
    let (_, asc) = srv.api(Method::GET, "/users?sort=name%3A1", None).await;
    assert_eq!(
        emails(&asc),
        [
            "bob@other.org",
            "jane@example.com",
            "janet@example.com",
            "zoe@other.org"
        ]
    );
    let (_, desc) = srv.api(Method::GET, "/users?sort=email%3A-1", None).await;
    assert_eq!(
        emails(&desc),
        [
            "zoe@other.org",
            "janet@example.com",
            "jane@example.com",
            "bob@other.org"
        ]
    );
    // Users without the key come last either way.
    for order in ["1", "-1"] {
        let (_, by_given) = srv
            .api(
                Method::GET,
                &format!("/users?sort=given_name%3A{order}"),
                None,
            )
            .await;
        assert_eq!(emails(&by_given)[0], "bob@other.org");
    }
    // Paging with totals over a search.
    let mut seen = Vec::new();
    for page in 0..3 {
        let (st, body) = srv
            .api(
                Method::GET,
                &format!("/users?q=email.domain%3Aexample.com%20OR%20blocked%3Atrue&sort=email%3A1&per_page=2&page={page}&include_totals=true"),
                None,
            )
            .await;
        assert_eq!(st, StatusCode::OK, "{body}");
        assert_eq!(body["total"], 3);
        seen.extend(emails(&body["users"]));
    }
    assert_eq!(
        seen,
        ["bob@other.org", "jane@example.com", "janet@example.com"]
    );
    // fields / include_fields.
    let (_, only) = srv
        .api(
            Method::GET,
            "/users?q=name%3Ajane*&fields=user_id,email&include_fields=true",
            None,
        )
        .await;
    let keys: BTreeSet<&str> = only[0]
        .as_object()
        .unwrap()
        .keys()
        .map(|k| k.as_str())
        .collect();
    assert_eq!(keys, BTreeSet::from(["email", "user_id"]));
    let (_, without) = srv
        .api(
            Method::GET,
            "/users?q=name%3Ajane*&fields=app_metadata&include_fields=false",
            None,
        )
        .await;
    assert!(without[0].get("app_metadata").is_none());
    assert!(without[0].get("email").is_some());
}

async fn user_search_follows_every_write_of_a_user(srv: TestServer) {
    let ids = four_users(&srv).await;
    let path = format!("/users/{}", urlenc(&ids[0]));
    let (st, _) = srv
        .api(
            Method::PATCH,
            &path,
            Some(json!({"name": "Jane Doe", "app_metadata": {"plan": "bronze"}})),
        )
        .await;
    assert_eq!(st, StatusCode::OK);
    assert_eq!(search(&srv, "name:\"jane smith\"").await.unwrap(), set(&[]));
    assert_eq!(
        search(&srv, "name:\"jane doe\"").await.unwrap(),
        set(&["jane@example.com"])
    );
    // app_metadata is merged, as Auth0: the address stays, the plan changes.
    assert_eq!(
        search(&srv, "app_metadata.plan:gold").await.unwrap(),
        set(&[])
    );
    assert_eq!(
        search(
            &srv,
            "app_metadata.plan:bronze AND app_metadata.address.city:Paris"
        )
        .await
        .unwrap(),
        set(&["jane@example.com"])
    );
    let (st, _) = srv.api(Method::DELETE, &path, None).await;
    assert_eq!(st, StatusCode::NO_CONTENT);
    assert_eq!(search(&srv, "name:\"jane doe\"").await.unwrap(), set(&[]));
    assert_eq!(
        search(&srv, "app_metadata.plan:bronze").await.unwrap(),
        set(&[])
    );
}

async fn user_search_refuses_what_it_cannot_answer_and_binds_values(srv: TestServer) {
    four_users(&srv).await;
    for (query, why) in [
        ("q=phone_number%3A123", "not a field"),
        ("q=name%3A*son", "trailing"),
        ("q=user_metadata.lang%3Af*", "user_metadata"),
        ("q=name%3A%5Ba%20TO%20b%5D", "ranges"),
        ("q=%28name%3Aa", "not closed"),
        ("q=name%3Aa%20AND", "term"),
        ("q=blocked%3Amaybe", "true or false"),
        ("q=logins_count%3Amany", "whole number"),
        ("sort=password%3A1", "sort"),
        ("search_engine=v2", "v3"),
        ("q=x&unknown=1", "unknown parameter"),
    ] {
        let (st, body) = srv.api(Method::GET, &format!("/users?{query}"), None).await;
        assert_eq!(st, StatusCode::BAD_REQUEST, "{query}: {body}");
        assert_eq!(body["statusCode"], 400, "{query}");
        assert_eq!(body["error"], "Bad Request", "{query}");
        assert_eq!(body["errorCode"], "invalid_query_string", "{query}");
        let message = body["message"].as_str().unwrap();
        assert!(
            message.starts_with("Query validation error"),
            "{query}: {message}"
        );
        assert!(message.contains(why), "{query}: {message}");
    }
    // Values are bound, never spliced into SQL: these find nothing and harm
    // nothing.
    for q in [
        r#"name:"x' OR '1'='1""#,
        r#"app_metadata.plan:"gold' OR 1=1 --""#,
        r#"name:"'); DROP TABLE users; --""#,
        r"name:%",
        r"name:_*",
    ] {
        assert_eq!(search(&srv, q).await.unwrap(), set(&[]), "{q}");
    }
    let (_, all) = srv
        .api(Method::GET, "/users?include_totals=true", None)
        .await;
    assert_eq!(all["total"], 4);
}
