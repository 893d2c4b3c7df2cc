//! The audit log is complete (issue 13): every Management write is `sapi` (or
//! `fapi` when refused) with the caller, the route and a redacted body; every
//! authentication outcome has its Auth0 code; `/logs` pages by checkpoint.
//! docs/audit-log.md lists the codes these tests check one by one.

use reqwest::{Method, StatusCode};
use serde_json::{Value, json};

use crate::browser::{Browser, PASSWORD, code_params, spa, user};
use crate::support::{TestServer, on_both_backends};

/// The audit events of type `t` (at most 100), newest first: the one
/// helper every test file reads events with.
pub(crate) async fn of_type(srv: &TestServer, t: &str) -> Vec<Value> {
    let (st, logs) = srv
        .api(
            Method::GET,
            &format!("/logs?q=type%3A{t}&per_page=100"),
            None,
        )
        .await;
    assert_eq!(st, StatusCode::OK, "{logs}");
    logs.as_array().unwrap().clone()
}

on_both_backends!(
    every_management_write_is_audited_with_caller_route_and_redacted_body,
    every_authentication_outcome_has_its_auth0_code,
    logs_page_by_checkpoint_oldest_first_each_once,
    logs_are_searched_by_application_and_date
);

async fn every_management_write_is_audited_with_caller_route_and_redacted_body(
    srv: crate::support::TestServer,
) {
    let uid = user(&srv, "ada@example.com").await;
    srv.api(
        Method::PATCH,
        &format!("/users/{uid}"),
        Some(json!({"password": "An0ther-Passw0rd!", "user_metadata": {"a": 1}})),
    )
    .await;
    let (id, _) = srv.new_m2m("worker").await;
    srv.api(Method::DELETE, &format!("/clients/{id}"), None)
        .await;
    let (st, _) = srv
        .api(Method::POST, "/clients", Some(json!({"name": 5})))
        .await;
    assert_eq!(st, StatusCode::BAD_REQUEST);
    let sapi = of_type(&srv, "sapi").await;
    let find = |route: &str, method: &str| {
        sapi.iter()
            .find(|e| {
                e["details"]["request"]["route"] == route
                    && e["details"]["request"]["method"] == method
            })
            .unwrap_or_else(|| panic!("no sapi for {method} {route}: {sapi:?}"))
            .clone()
    };
    let create = find("/api/v2/users", "POST");
    assert_eq!(create["description"], "Create a user");
    assert_eq!(create["client_id"], srv.admin_id);
    assert_eq!(
        create["details"]["request"]["body"]["email"],
        "ada@example.com"
    );
    assert_eq!(
        create["details"]["request"]["body"]["password"],
        "[REDACTED]"
    );
    assert_eq!(create["details"]["response"]["statusCode"], 201);
    let patch = find("/api/v2/users/{id}", "PATCH");
    assert_eq!(
        patch["details"]["request"]["path"],
        format!("/api/v2/users/{uid}")
    );
    assert_eq!(
        patch["details"]["request"]["body"]["password"],
        "[REDACTED]"
    );
    find("/api/v2/clients", "POST");
    find("/api/v2/clients/{id}", "DELETE");
    let text = serde_json::to_string(&sapi).unwrap();
    assert!(
        !text.contains(PASSWORD) && !text.contains("An0ther-Passw0rd!"),
        "no password in the log"
    );
    let fapi = of_type(&srv, "fapi").await;
    assert_eq!(fapi.len(), 1, "{fapi:?}");
    assert_eq!(fapi[0]["details"]["response"]["statusCode"], 400);
    assert_eq!(fapi[0]["client_id"], srv.admin_id);
}

async fn every_authentication_outcome_has_its_auth0_code(srv: crate::support::TestServer) {
    let api = "https://orders.example/";
    let (m2m, secret) = srv.m2m_with_grant(api, &["read"], &["read"]).await;
    srv.client_token(&m2m, &secret, api).await;
    let (st, _, _) = srv
        .token_form(&[
            ("grant_type", "client_credentials"),
            ("client_id", &m2m),
            ("client_secret", &secret),
            ("audience", "https://nowhere.example/"),
        ])
        .await;
    assert_eq!(st, StatusCode::FORBIDDEN);
    let a = spa(&srv, json!({})).await;
    let uid = user(&srv, "ada@example.com").await;
    let mut b = Browser::new(&srv);
    let silent = b.authorize(&code_params(&a, &[("prompt", "none")])).await;
    assert_eq!(silent.redirect_params()["error"], "login_required");
    let to = b.authorize(&code_params(&a, &[])).await;
    b.submit_login(&to, "ada@example.com", PASSWORD).await;
    let sso = b.authorize(&code_params(&a, &[])).await;
    assert!(sso.redirect_params().contains_key("code"));
    b.get(&format!("/v2/logout?client_id={a}")).await;
    let (st, _) = srv
        .api(Method::DELETE, &format!("/user-blocks/{uid}"), None)
        .await;
    assert_eq!(st, StatusCode::NO_CONTENT);
    for (code, client, user) in [
        ("seccft", Some(m2m.as_str()), None),
        ("feccft", Some(m2m.as_str()), None),
        ("fsa", Some(a.as_str()), None),
        ("s", Some(a.as_str()), Some(uid.as_str())),
        ("ssa", Some(a.as_str()), Some(uid.as_str())),
        ("slo", None, None),
        ("ublkdu", Some(srv.admin_id.as_str()), Some(uid.as_str())),
    ] {
        let events = of_type(&srv, code).await;
        assert!(!events.is_empty(), "no {code}");
        let e = events
            .iter()
            .find(|e| client.is_none_or(|c| e["client_id"] == c))
            .unwrap_or_else(|| panic!("{code} for {client:?}: {events:?}"));
        if let Some(u) = user {
            assert_eq!(e["user_id"], u, "{code}: {e}");
        }
    }
    let ok = of_type(&srv, "seccft").await;
    assert!(
        ok.iter()
            .any(|e| e["client_id"] == m2m && e["details"]["audience"] == api),
        "{ok:?}"
    );
}

async fn logs_page_by_checkpoint_oldest_first_each_once(srv: crate::support::TestServer) {
    for i in 0..7 {
        user(&srv, &format!("u{i}@example.com")).await;
    }
    let (st, first) = srv
        .api(Method::GET, "/logs?take=3&q=type%3Asapi", None)
        .await;
    assert_eq!(st, StatusCode::OK, "{first}");
    let first = first.as_array().unwrap().clone();
    assert_eq!(first.len(), 3);
    let mut all = first.clone();
    let mut last = first[2]["log_id"].as_str().unwrap().to_string();
    loop {
        let (_, page) = srv
            .api(
                Method::GET,
                &format!("/logs?take=2&q=type%3Asapi&from={last}"),
                None,
            )
            .await;
        let page = page.as_array().unwrap().clone();
        if page.is_empty() {
            break;
        }
        last = page.last().unwrap()["log_id"].as_str().unwrap().to_string();
        all.extend(page);
    }
    assert_eq!(all.len(), 7, "each write once");
    let ids: Vec<&str> = all.iter().map(|e| e["log_id"].as_str().unwrap()).collect();
    let mut sorted = ids.clone();
    sorted.sort();
    assert_eq!(ids, sorted, "oldest first");
    let emails: Vec<&str> = all
        .iter()
        .map(|e| e["details"]["request"]["body"]["email"].as_str().unwrap())
        .collect();
    assert_eq!(
        emails,
        (0..7)
            .map(|i| format!("u{i}@example.com"))
            .collect::<Vec<_>>()
    );
    let (st, e) = srv.api(Method::GET, "/logs?take=101", None).await;
    assert_eq!(st, StatusCode::BAD_REQUEST, "{e}");
}

/// `q=client_id:"…"` keeps one application's events, `date:[… TO …]` a time
/// range (a day as the upper end counts whole); both in checkpoint paging too;
/// a malformed range is a 400 naming the syntax.
async fn logs_are_searched_by_application_and_date(srv: crate::support::TestServer) {
    let api = "https://search.example/";
    let (a, a_secret) = srv.m2m_with_grant(api, &["read:x"], &["read:x"]).await;
    let (b, b_secret) = srv.m2m_with_grant(api, &["read:x"], &["read:x"]).await;
    srv.client_token(&a, &a_secret, api).await;
    srv.client_token(&a, &a_secret, api).await;
    srv.client_token(&b, &b_secret, api).await;
    let q = |s: &str| crate::token_endpoint::urlenc(s);
    let (st, of_a) = srv
        .api(
            Method::GET,
            &format!("/logs?q={}", q(&format!("client_id:\"{a}\""))),
            None,
        )
        .await;
    assert_eq!(st, StatusCode::OK, "{of_a}");
    let of_a = of_a.as_array().unwrap();
    assert_eq!(of_a.len(), 2, "{of_a:?}");
    assert!(
        of_a.iter()
            .all(|e| e["client_id"] == a.as_str() && e["type"] == "seccft")
    );

    let now = crate::support::unix_now();
    let day = |t: i64| {
        let days = t.div_euclid(86_400);
        // Civil date from days since 1970-01-01 (Howard Hinnant's algorithm).
        let z = days + 719_468;
        let era = z.div_euclid(146_097);
        let doe = z - era * 146_097;
        let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
        let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
        let mp = (5 * doy + 2) / 153;
        let d = doy - (153 * mp + 2) / 5 + 1;
        let m = if mp < 10 { mp + 3 } else { mp - 9 };
        let y = yoe + era * 400 + i64::from(m <= 2);
        format!("{y:04}-{m:02}-{d:02}")
    };
    let count = async |query: String| {
        let (st, v) = srv
            .api(
                Method::GET,
                &format!("/logs?include_totals=true&q={}", q(&query)),
                None,
            )
            .await;
        assert_eq!(st, StatusCode::OK, "{query}: {v}");
        v["total"].as_i64().unwrap()
    };
    let today = day(now);
    assert_eq!(
        count(format!("client_id:\"{b}\" AND date:[{today} TO {today}]")).await,
        1
    );
    assert_eq!(
        count(format!(
            "client_id:\"{b}\" AND date:[* TO {}]",
            day(now - 86_400)
        ))
        .await,
        0
    );
    assert_eq!(
        count(format!(
            "client_id:\"{a}\" AND date:[{} TO *]",
            day(now - 86_400)
        ))
        .await,
        2
    );
    assert_eq!(
        count(format!("date:[{} TO *]", day(now + 2 * 86_400))).await,
        0
    );

    let (st, tail) = srv
        .api(
            Method::GET,
            &format!("/logs?take=10&q={}", q(&format!("client_id:\"{a}\""))),
            None,
        )
        .await;
    assert_eq!(st, StatusCode::OK, "{tail}");
    assert_eq!(tail.as_array().unwrap().len(), 2, "{tail}");

    for bad in ["date:yesterday", "date:[2026-13-01 TO *]", "ip:127.0.0.1"] {
        let (st, e) = srv
            .api(Method::GET, &format!("/logs?q={}", q(bad)), None)
            .await;
        assert_eq!(st, StatusCode::BAD_REQUEST, "{bad}: {e}");
        assert_eq!(e["errorCode"], "invalid_query_string", "{e}");
    }
}
