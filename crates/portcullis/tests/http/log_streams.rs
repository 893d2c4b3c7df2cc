//! Log streams (issue 23): `/api/v2/log-streams` in Auth0's shapes, and
//! delivery to a receiver started by the test: every event `/api/v2/logs`
//! shows, in order, at least once, through a receiver that is down for a
//! while (the stream suspended, then active again) and through a restart of
//! Portcullis mid-delivery.

use std::sync::atomic::{AtomicU8, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use reqwest::{Method, StatusCode};
use serde_json::{Value, json};

use crate::browser::{PASSWORD, user};
use crate::support::{TestServer, on_both_backends};

on_both_backends!(
    streams_deliver_every_event_logs_shows_in_order_with_their_headers,
    bad_streams_are_refused_and_secrets_never_answered,
    a_receiver_down_suspends_the_stream_then_it_catches_up_without_loss,
    a_restart_mid_delivery_sends_the_batch_in_flight_again
);

const OK: u8 = 0;
const FAIL: u8 = 1;
const HANG: u8 = 2;

/// One request the receiver got: path, headers of interest, body.
#[derive(Clone, Debug)]
struct Got {
    path: String,
    authorization: Option<String>,
    tenant: Option<String>,
    content_type: Option<String>,
    body: String,
}

/// A receiver started by the test: answers 200, 500, or holds the request
/// (recorded on arrival in every mode).
struct Receiver {
    base: String,
    got: Arc<Mutex<Vec<Got>>>,
    mode: Arc<AtomicU8>,
}

async fn receiver() -> Receiver {
    let got: Arc<Mutex<Vec<Got>>> = Default::default();
    let mode = Arc::new(AtomicU8::new(OK));
    let (g, m) = (got.clone(), mode.clone());
    let app = axum::Router::new().fallback(
        move |uri: axum::http::Uri, headers: axum::http::HeaderMap, body: String| {
            let (g, m) = (g.clone(), m.clone());
            async move {
                let h = |k: &str| {
                    headers
                        .get(k)
                        .map(|v| v.to_str().unwrap_or_default().to_string())
                };
                g.lock().unwrap().push(Got {
                    path: uri.path().to_string(),
                    authorization: h("authorization"),
                    tenant: h("x-tenant"),
                    content_type: h("content-type"),
                    body,
                });
                match m.load(Ordering::SeqCst) {
                    FAIL => StatusCode::INTERNAL_SERVER_ERROR,
                    HANG => {
                        tokio::time::sleep(Duration::from_secs(60)).await;
                        StatusCode::OK
                    }
                    _ => StatusCode::OK,
                }
            }
        },
    );
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let base = format!("http://{}", listener.local_addr().unwrap());
    tokio::spawn(async move { axum::serve(listener, app).await.unwrap() });
    Receiver { base, got, mode }
}

impl Receiver {
    /// The `{log_id, data}` envelopes delivered to `path`, in arrival order
    /// (duplicates kept).
    fn envelopes(&self, path: &str) -> Vec<Value> {
        let got = self.got.lock().unwrap().clone();
        let mut out = Vec::new();
        for g in got.iter().filter(|g| g.path == path) {
            match serde_json::from_str::<Value>(&g.body) {
                Ok(Value::Array(items)) => out.extend(items),
                _ => out.extend(
                    g.body
                        .lines()
                        .map(|l| serde_json::from_str::<Value>(l).unwrap()),
                ),
            }
        }
        out
    }

    fn log_ids(&self, path: &str) -> Vec<String> {
        self.envelopes(path)
            .iter()
            .map(|e| e["log_id"].as_str().unwrap().to_string())
            .collect()
    }

    fn requests(&self, path: &str) -> usize {
        self.got
            .lock()
            .unwrap()
            .iter()
            .filter(|g| g.path == path)
            .count()
    }
}

/// First occurrences, in order.
fn first_seen(ids: &[String]) -> Vec<String> {
    let mut seen = std::collections::HashSet::new();
    ids.iter().filter(|i| seen.insert(*i)).cloned().collect()
}

async fn create(srv: &TestServer, body: Value) -> Value {
    let (st, s) = srv.api(Method::POST, "/log-streams", Some(body)).await;
    assert_eq!(st, StatusCode::CREATED, "{s}");
    s
}

async fn status_of(srv: &TestServer, id: &str) -> String {
    let (st, s) = srv
        .api(Method::GET, &format!("/log-streams/{id}"), None)
        .await;
    assert_eq!(st, StatusCode::OK, "{s}");
    s["status"].as_str().unwrap().to_string()
}

/// The newest stored event's `log_id`.
async fn newest_log_id(srv: &TestServer) -> String {
    let (st, logs) = srv.api(Method::GET, "/logs?per_page=1", None).await;
    assert_eq!(st, StatusCode::OK, "{logs}");
    logs[0]["log_id"].as_str().unwrap().to_string()
}

/// Every stored event after `from`, oldest first.
async fn logs_after(srv: &TestServer, from: &str) -> Vec<Value> {
    let mut out: Vec<Value> = Vec::new();
    let mut from = from.to_string();
    loop {
        let (st, page) = srv
            .api(Method::GET, &format!("/logs?from={from}&take=100"), None)
            .await;
        assert_eq!(st, StatusCode::OK, "{page}");
        let page = page.as_array().unwrap().clone();
        let Some(last) = page.last() else {
            return out;
        };
        from = last["log_id"].as_str().unwrap().to_string();
        out.extend(page);
    }
}

/// Moves the server's clock on (back-offs and leases are in its seconds).
fn advance(srv: &TestServer, seconds: i64) {
    srv.server.as_ref().unwrap().state.clock.advance(seconds);
}

/// Waits (bounded) until `done` holds, moving the clock on by `step` seconds
/// each round.
async fn until(srv: &TestServer, step: i64, what: &str, mut done: impl AsyncFnMut() -> bool) {
    for _ in 0..150 {
        if done().await {
            return;
        }
        advance(srv, step);
        tokio::time::sleep(Duration::from_millis(200)).await;
    }
    panic!("timed out waiting for {what}");
}

/// Events of many kinds: Management writes (`sapi`) and a refused one
/// (`fapi`), password grants right (`sepft`) and wrong (`fepft`, for a
/// wrong password and an unknown user), refused client credentials, a sign-up
/// (`ss`) and a refused one (`fs`), a password-change request (`scpr`).
/// Returns the kinds made.
async fn make_events(srv: &TestServer, tag: &str) -> Vec<&'static str> {
    let email = format!("{tag}@example.com");
    user(srv, &email).await;
    let (st, c) = srv
        .api(
            Method::POST,
            "/clients",
            Some(
                json!({"name": format!("App {tag}"), "app_type": "regular_web",
                        "grant_types": ["password", "client_credentials"]}),
            ),
        )
        .await;
    assert_eq!(st, StatusCode::CREATED, "{c}");
    let (id, secret) = (
        c["client_id"].as_str().unwrap().to_string(),
        c["client_secret"].as_str().unwrap().to_string(),
    );
    let (st, _) = srv
        .api(Method::POST, "/clients", Some(json!({"name": 5})))
        .await;
    assert_eq!(st, StatusCode::BAD_REQUEST);
    for (username, password, want) in [
        (email.as_str(), PASSWORD, StatusCode::OK),
        (email.as_str(), "Wrong-Passw0rd!", StatusCode::FORBIDDEN),
        ("nobody@example.com", PASSWORD, StatusCode::FORBIDDEN),
    ] {
        let (st, t, _) = srv
            .token_form(&[
                ("grant_type", "password"),
                ("client_id", &id),
                ("client_secret", &secret),
                ("username", username),
                ("password", password),
            ])
            .await;
        assert_eq!(st, want, "{t}");
    }
    let (st, t, _) = srv
        .token_form(&[
            ("grant_type", "client_credentials"),
            ("client_id", &id),
            ("client_secret", "not-the-secret"),
            ("audience", &srv.management_audience()),
        ])
        .await;
    assert_eq!(st, StatusCode::UNAUTHORIZED, "{t}");
    let signup = format!("{}/dbconnections/signup", srv.url);
    for want in [StatusCode::OK, StatusCode::BAD_REQUEST] {
        let res = srv
            .http
            .post(&signup)
            .json(
                &json!({"client_id": id, "connection": "Username-Password-Authentication",
                           "email": format!("new-{tag}@example.com"), "password": PASSWORD}),
            )
            .send()
            .await
            .unwrap();
        assert_eq!(res.status(), want);
    }
    let res = srv
        .http
        .post(format!("{}/dbconnections/change_password", srv.url))
        .json(&json!({"client_id": id, "connection": "Username-Password-Authentication", "email": email}))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::OK);
    vec!["sapi", "fapi", "sepft", "fepft", "ss", "fs", "scpr"]
}

/// A webhook (JSON lines, `Authorization` and a custom header), a second
/// one (one event per request) filtered to failed token exchanges, and a Sumo Logic source
/// receive what `/api/v2/logs` shows: every event after the first they got,
/// in `log_id` order, as Auth0's `{log_id, data}` envelopes; the filter
/// passes only its category.
async fn streams_deliver_every_event_logs_shows_in_order_with_their_headers(srv: TestServer) {
    let r = receiver().await;
    // The administrator's token first, so its event precedes the stream.
    let (st, _) = srv.api(Method::GET, "/log-streams", None).await;
    assert_eq!(st, StatusCode::OK);
    // (The token endpoint records its event as it answers.)
    tokio::time::sleep(Duration::from_millis(300)).await;
    srv.server.as_ref().unwrap().state.auditor.flush().await;
    let hook = create(
        &srv,
        json!({"name": "SIEM", "type": "http", "sink": {
            "httpEndpoint": format!("{}/hook", r.base), "httpContentType": "application/json",
            "httpContentFormat": "JSONLINES", "httpAuthorization": "Bearer hook-s3cret",
            "httpCustomHeaders": [{"header": "X-Tenant", "value": "acme"}]}}),
    )
    .await;
    assert_eq!(hook["status"], "active");
    assert_eq!(hook["type"], "http");
    assert!(hook["id"].as_str().unwrap().starts_with("lst_"));
    create(
        &srv,
        json!({"name": "Failures", "type": "http",
               "filters": [{"type": "category", "name": "auth.token_exchange.fail"}],
               "sink": {"httpEndpoint": format!("{}/failures", r.base), "httpContentFormat": "JSONOBJECT"}}),
    )
    .await;
    create(
        &srv,
        json!({"type": "sumo", "sink": {"sumoSourceAddress": format!("{}/sumo", r.base)}}),
    )
    .await;

    let kinds = make_events(&srv, "ada").await;
    let last = newest_log_id(&srv).await;
    until(&srv, 0, "the webhook to get every event", async || {
        r.log_ids("/hook").contains(&last) && r.log_ids("/sumo").contains(&last)
    })
    .await;

    let got = first_seen(&r.log_ids("/hook"));
    let first = got[0].clone();
    // The first event the stream sends is its own creation.
    let opening = &r.envelopes("/hook")[0]["data"];
    assert_eq!(opening["type"], "sapi", "{opening}");
    assert_eq!(
        opening["details"]["request"]["route"], "/api/v2/log-streams",
        "{opening}"
    );
    // The sink's secrets are in no audit event (nor, so, in any stream).
    let (_, recent) = srv.api(Method::GET, "/logs?per_page=100", None).await;
    let recent = recent.to_string();
    assert!(
        !recent.contains("hook-s3cret") && !recent.contains("acme"),
        "{recent}"
    );
    let stored: Vec<String> = std::iter::once(first.clone())
        .chain(
            logs_after(&srv, &first)
                .await
                .iter()
                .map(|e| e["log_id"].as_str().unwrap().to_string()),
        )
        .take(got.len())
        .collect();
    assert_eq!(got, stored, "the stream's events are /logs's, in order");
    let types: Vec<String> = r
        .envelopes("/hook")
        .iter()
        .map(|e| e["data"]["type"].as_str().unwrap().to_string())
        .collect();
    for k in kinds {
        assert!(types.iter().any(|t| t == k), "no {k} delivered: {types:?}");
    }
    // Each envelope's data is the event as /logs answers it.
    let one = r.envelopes("/hook")[1].clone();
    let (st, same) = srv
        .api(
            Method::GET,
            &format!("/logs/{}", one["log_id"].as_str().unwrap()),
            None,
        )
        .await;
    assert_eq!(st, StatusCode::OK);
    assert_eq!(one["data"], same);
    let req = r
        .got
        .lock()
        .unwrap()
        .iter()
        .find(|g| g.path == "/hook")
        .cloned()
        .unwrap();
    assert_eq!(req.authorization.as_deref(), Some("Bearer hook-s3cret"));
    assert_eq!(req.tenant.as_deref(), Some("acme"));
    assert_eq!(req.content_type.as_deref(), Some("application/json"));
    // The Sumo source got the same events from its own creation on.
    let sumo = first_seen(&r.log_ids("/sumo"));
    let from = got.iter().position(|i| *i == sumo[0]).unwrap();
    assert_eq!(sumo, got[from..from + sumo.len()].to_vec());

    // The filtered stream: failed exchanges only, all of them.
    let failures: Vec<String> = r
        .envelopes("/failures")
        .iter()
        .map(|e| e["data"]["type"].as_str().unwrap().to_string())
        .collect();
    assert_eq!(
        failures.iter().filter(|t| *t == "fepft").count(),
        2,
        "{failures:?}"
    );
    assert!(
        failures
            .iter()
            .all(|t| ["fepft", "feccft", "feacft", "fertft"].contains(&t.as_str())),
        "{failures:?}"
    );
    assert_eq!(
        r.requests("/failures"),
        failures.len(),
        "one event per request"
    );

    let text = srv.metrics_text().await;
    let id = hook["id"].as_str().unwrap();
    let delivered = crate::support::metric(
        &text,
        &format!("portcullis_log_stream_events_delivered_total{{stream=\"{id}\"}}"),
    );
    assert!(delivered >= got.len() as f64, "{delivered} < {}", got.len());

    // Deleted, the stream leaves neither its sender's lease nor its metrics.
    let lease = format!("log_stream:{id}");
    let leases = async || -> i64 {
        crate::support::with_server_db!(&srv, |c| {
            sqlx::query_scalar("SELECT COUNT(*) FROM leases WHERE name = $1")
                .bind(&lease)
                .fetch_one(&mut *c)
                .await
                .unwrap()
        })
    };
    assert_eq!(leases().await, 1, "the sender holds its lease");
    // Paused first, so no send is under way when it goes (one under way
    // could take the lease again; the clean-up removes such a lease once it
    // expires).
    let (st, _) = srv
        .api(
            Method::PATCH,
            &format!("/log-streams/{id}"),
            Some(json!({"status": "paused"})),
        )
        .await;
    assert_eq!(st, StatusCode::OK);
    tokio::time::sleep(Duration::from_millis(2500)).await;
    let (st, _) = srv
        .api(Method::DELETE, &format!("/log-streams/{id}"), None)
        .await;
    assert_eq!(st, StatusCode::NO_CONTENT);
    assert_eq!(leases().await, 0);
    let label = format!("stream=\"{id}\"");
    until(&srv, 1, "the deleted stream's metrics to go", async || {
        let text = srv.metrics_text().await;
        !text.contains(&label)
    })
    .await;
}

/// Bad bodies get Auth0's 400 and change nothing; the type cannot change;
/// unknown ids are 404; secrets are never answered, kept when a PATCH
/// leaves them out; a tenant has at most ten streams.
async fn bad_streams_are_refused_and_secrets_never_answered(srv: TestServer) {
    for (body, field) in [
        (
            json!({"type": "http", "sink": {"httpEndpoint": "http://siem.example.com/in"}}),
            "sink.httpEndpoint",
        ),
        (
            json!({"type": "http", "sink": {"httpEndpoint": "https://siem.example.com", "httpAuthorization": "x\r\nX-Evil: 1"}}),
            "sink.httpAuthorization",
        ),
        (
            json!({"type": "http", "sink": {"httpEndpoint": "https://siem.example.com", "httpContentFormat": "XML"}}),
            "sink.httpContentFormat",
        ),
        (
            json!({"type": "http", "filters": [{"type": "category", "name": "auth.everything"}], "sink": {"httpEndpoint": "https://siem.example.com"}}),
            "filters[0].name",
        ),
        (
            json!({"type": "datadog", "sink": {"datadogRegion": "moon", "datadogApiKey": "k"}}),
            "sink.datadogRegion",
        ),
        (
            json!({"type": "splunk", "sink": {"splunkDomain": "splunk.example.com"}}),
            "sink.splunkToken",
        ),
        (
            json!({"type": "eventbridge", "sink": {"awsAccountId": "1", "awsRegion": "us-east-1"}}),
            "sink",
        ),
        (
            json!({"type": "http", "name": "<script>", "sink": {"httpEndpoint": "https://siem.example.com"}}),
            "name",
        ),
        (
            json!({"type": "http", "sink": {"httpEndpoint": "https://siem.example.com"}, "color": "red"}),
            "color",
        ),
    ] {
        let (st, e) = srv
            .api(Method::POST, "/log-streams", Some(body.clone()))
            .await;
        assert_eq!(st, StatusCode::BAD_REQUEST, "{body}: {e}");
        assert_eq!(e["statusCode"], 400, "{e}");
        assert_eq!(e["error"], "Bad Request", "{e}");
        assert!(
            e["message"].as_str().unwrap().contains(field),
            "{body}: {e}"
        );
    }
    let (_, all) = srv.api(Method::GET, "/log-streams", None).await;
    assert_eq!(all, json!([]));

    let s = create(
        &srv,
        json!({"type": "splunk", "name": "Splunk", "sink": {"splunkDomain": "splunk.example.com",
               "splunkToken": "splunk-t0ken", "splunkPort": "8088", "splunkSecure": true}}),
    )
    .await;
    let id = s["id"].as_str().unwrap();
    assert_eq!(
        s["sink"],
        json!({"splunkDomain": "splunk.example.com", "splunkPort": "8088", "splunkSecure": true})
    );
    let (st, e) = srv
        .api(
            Method::PATCH,
            &format!("/log-streams/{id}"),
            Some(json!({"type": "http"})),
        )
        .await;
    assert_eq!(st, StatusCode::BAD_REQUEST, "{e}");
    let (st, e) = srv
        .api(
            Method::PATCH,
            &format!("/log-streams/{id}"),
            Some(json!({"status": "suspended"})),
        )
        .await;
    assert_eq!(st, StatusCode::BAD_REQUEST, "{e}");
    let (st, e) = srv
        .api(
            Method::PATCH,
            &format!("/log-streams/{id}"),
            Some(json!({"name": "Renamed", "sink": {"splunkToken": "bad\u{1}token"}})),
        )
        .await;
    assert_eq!(st, StatusCode::BAD_REQUEST, "{e}");
    let (_, after) = srv
        .api(Method::GET, &format!("/log-streams/{id}"), None)
        .await;
    assert_eq!(after, s, "a refused PATCH changes nothing");
    let (st, p) = srv
        .api(
            Method::PATCH,
            &format!("/log-streams/{id}"),
            Some(
                json!({"name": "Splunk prod", "status": "paused", "sink": {"splunkPort": "8089"}}),
            ),
        )
        .await;
    assert_eq!(st, StatusCode::OK, "{p}");
    assert_eq!(
        (
            p["name"].as_str(),
            p["status"].as_str(),
            p["sink"]["splunkPort"].as_str()
        ),
        (Some("Splunk prod"), Some("paused"), Some("8089"))
    );
    // The token is kept, sealed: not in any answer, not in the database.
    let (_, all) = srv.api(Method::GET, "/log-streams", None).await;
    assert!(!all.to_string().contains("splunk-t0ken"), "{all}");
    let stored: String = crate::support::with_server_db!(&srv, |c| {
        sqlx::query_scalar("SELECT sealed_secrets FROM log_streams")
            .fetch_one(&mut *c)
            .await
            .unwrap()
    });
    assert!(!stored.contains("splunk-t0ken"));
    let (_, logs) = srv.api(Method::GET, "/logs?per_page=100", None).await;
    assert!(
        !logs.to_string().contains("splunk-t0ken"),
        "the audit log redacts the sink"
    );

    for path in ["/log-streams/lst_nope"] {
        for m in [Method::GET, Method::DELETE] {
            let (st, e) = srv.api(m, path, None).await;
            assert_eq!(st, StatusCode::NOT_FOUND, "{e}");
            assert_eq!(e["errorCode"], "inexistent_log_stream");
        }
    }
    for i in 1..10 {
        create(&srv, json!({"type": "http", "name": format!("S{i}"), "sink": {"httpEndpoint": "https://siem.example.com"}})).await;
    }
    let (st, e) = srv
        .api(
            Method::POST,
            "/log-streams",
            Some(json!({"type": "http", "sink": {"httpEndpoint": "https://siem.example.com"}})),
        )
        .await;
    assert_eq!(st, StatusCode::BAD_REQUEST, "{e}");
    let (st, _) = srv
        .api(Method::DELETE, &format!("/log-streams/{id}"), None)
        .await;
    assert_eq!(st, StatusCode::NO_CONTENT);
    let (_, all) = srv.api(Method::GET, "/log-streams", None).await;
    assert_eq!(all.as_array().unwrap().len(), 9);
}

/// The receiver answers 500 for a while: the stream backs off and turns
/// `suspended`, logins go on; fixed, it turns `active` and delivers every
/// event, the ones from the outage included, in order.
async fn a_receiver_down_suspends_the_stream_then_it_catches_up_without_loss(srv: TestServer) {
    let r = receiver().await;
    r.mode.store(FAIL, Ordering::SeqCst);
    let s = create(
        &srv,
        json!({"type": "http", "sink": {"httpEndpoint": format!("{}/hook", r.base), "httpContentFormat": "JSONARRAY"}}),
    )
    .await;
    let id = s["id"].as_str().unwrap().to_string();
    make_events(&srv, "grace").await;
    until(&srv, 61, "the stream to be suspended", async || {
        status_of(&srv, &id).await == "suspended"
    })
    .await;
    let failed_attempts = r.requests("/hook");
    assert!(
        failed_attempts >= 5,
        "{failed_attempts} attempts before suspension"
    );
    // Logins are not held up by the stream.
    make_events(&srv, "alan").await;

    r.mode.store(OK, Ordering::SeqCst);
    let last = newest_log_id(&srv).await;
    until(&srv, 61, "the stream to catch up", async || {
        r.log_ids("/hook").contains(&last)
    })
    .await;
    assert_eq!(status_of(&srv, &id).await, "active");
    let got = first_seen(&r.log_ids("/hook"));
    let first = got[0].clone();
    let stored: Vec<String> = std::iter::once(first.clone())
        .chain(
            logs_after(&srv, &first)
                .await
                .iter()
                .map(|e| e["log_id"].as_str().unwrap().to_string()),
        )
        .take(got.len())
        .collect();
    assert_eq!(got, stored, "no event lost, order kept");
    assert!(got.contains(&last));
}

/// Portcullis restarts while a batch is in flight (the receiver holds it):
/// the restarted server sends that batch again and everything after it,
/// in order (at least once).
async fn a_restart_mid_delivery_sends_the_batch_in_flight_again(srv: TestServer) {
    let r = receiver().await;
    r.mode.store(HANG, Ordering::SeqCst);
    create(
        &srv,
        json!({"type": "http", "sink": {"httpEndpoint": format!("{}/hook", r.base)}}),
    )
    .await;
    make_events(&srv, "ada").await;
    until(&srv, 0, "a batch to be in flight", async || {
        r.requests("/hook") > 0
    })
    .await;
    let in_flight = r.log_ids("/hook");
    // A receiver that hangs holds up no login.
    make_events(&srv, "grace").await;

    let srv = srv.restart().await;
    r.mode.store(OK, Ordering::SeqCst);
    make_events(&srv, "alan").await;
    let last = newest_log_id(&srv).await;
    // The stopped node's lease lapses in the server's seconds.
    until(&srv, 11, "the restarted server to deliver", async || {
        r.log_ids("/hook").contains(&last)
    })
    .await;
    let all = r.log_ids("/hook");
    for id in &in_flight {
        assert!(
            all.iter().filter(|i| *i == id).count() >= 2,
            "{id} was not sent again"
        );
    }
    let got = first_seen(&all);
    let stored: Vec<String> = std::iter::once(got[0].clone())
        .chain(
            logs_after(&srv, &got[0])
                .await
                .iter()
                .map(|e| e["log_id"].as_str().unwrap().to_string()),
        )
        .take(got.len())
        .collect();
    assert_eq!(got, stored, "no event lost across the restart, order kept");
}
