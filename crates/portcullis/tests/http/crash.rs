//! `kill -9` under load: everything acknowledged before the kill survives it,
//! the database checks out, and (in a cluster) clients of the other nodes see
//! no errors. Bounded in time, on 127.0.0.1 only.

use std::process::Stdio;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::Duration;

use reqwest::StatusCode;
use serde_json::{Value, json};

use crate::process::ServerProcess;

const ADMIN_ID: &str = "crash-admin";
const ADMIN_SECRET: &str = "crash-admin-secret-0123456789abcdefgh";
const PASSWORD: &str = "Crash-Passw0rd-42";

async fn post_token(
    http: &reqwest::Client,
    base: &str,
    form: &[(&str, &str)],
) -> Result<Value, String> {
    let res = http
        .post(format!("{base}oauth/token"))
        .form(form)
        .send()
        .await
        .map_err(|e| e.to_string())?;
    let st = res.status();
    let v: Value = res.json().await.map_err(|e| e.to_string())?;
    if st == StatusCode::OK {
        Ok(v)
    } else {
        Err(format!("{st} {v}"))
    }
}

/// An app that may use the password grant with rotating refresh tokens and a
/// leeway (so the last acknowledged token stays usable even if a request in
/// flight at the kill had already spent it), and a user.
async fn provision(http: &reqwest::Client, base: &str, issuer: &str) -> (String, String) {
    let at = &admin_token(http, base, issuer).await;
    let app: Value = http
        .post(format!("{base}api/v2/clients"))
        .bearer_auth(at)
        .json(&json!({"name": "Crash", "app_type": "regular_web", "grant_types": ["password", "refresh_token"],
                      "refresh_token": {"rotation_type": "rotating", "expiration_type": "expiring", "leeway": 60}}))
        .send().await.unwrap().json().await.unwrap();
    let res = http
        .post(format!("{base}api/v2/users"))
        .bearer_auth(at)
        .json(&json!({"connection": "Username-Password-Authentication", "email": "crash@example.com", "password": PASSWORD}))
        .send().await.unwrap();
    assert_eq!(res.status(), StatusCode::CREATED);
    (
        app["client_id"].as_str().unwrap().into(),
        app["client_secret"].as_str().unwrap().into(),
    )
}

/// A Management API token of the bootstrap administrator.
async fn admin_token(http: &reqwest::Client, base: &str, issuer: &str) -> String {
    let admin = post_token(
        http,
        base,
        &[
            ("grant_type", "client_credentials"),
            ("client_id", ADMIN_ID),
            ("client_secret", ADMIN_SECRET),
            ("audience", &format!("{issuer}api/v2/")),
        ],
    )
    .await
    .unwrap();
    admin["access_token"].as_str().unwrap().to_string()
}

/// The password grant's form for the provisioned user.
fn password_form(app: &(String, String)) -> [(&'static str, &str); 6] {
    [
        ("grant_type", "password"),
        ("client_id", &app.0),
        ("client_secret", &app.1),
        ("username", "crash@example.com"),
        ("password", PASSWORD),
        ("scope", "openid offline_access"),
    ]
}

/// What one client holds after its last acknowledged response.
#[derive(Clone, Default)]
struct Held {
    refresh_token: String,
    access_token: String,
}

/// A client that keeps rotating its refresh token until `stop`, remembering
/// only what was acknowledged.
async fn rotate_until(
    http: reqwest::Client,
    base: String,
    app: (String, String),
    mut held: Held,
    stop: Arc<AtomicBool>,
) -> (Held, u32) {
    let mut errors = 0;
    while !stop.load(Ordering::Relaxed) {
        match post_token(
            &http,
            &base,
            &[
                ("grant_type", "refresh_token"),
                ("client_id", &app.0),
                ("client_secret", &app.1),
                ("refresh_token", &held.refresh_token),
            ],
        )
        .await
        {
            Ok(v) => {
                held = Held {
                    refresh_token: v["refresh_token"].as_str().unwrap().into(),
                    access_token: v["access_token"].as_str().unwrap().into(),
                };
            }
            Err(_) => errors += 1,
        }
    }
    (held, errors)
}

async fn first_tokens(
    http: &reqwest::Client,
    base: &str,
    app: &(String, String),
    n: usize,
) -> Vec<Held> {
    let mut out = Vec::new();
    for _ in 0..n {
        let v = post_token(http, base, &password_form(app)).await.unwrap();
        out.push(Held {
            refresh_token: v["refresh_token"].as_str().unwrap().into(),
            access_token: v["access_token"].as_str().unwrap().into(),
        });
    }
    out
}

/// Every acknowledged token still works after the restart.
async fn assert_survived(
    http: &reqwest::Client,
    base: &str,
    app: &(String, String),
    held: &[Held],
) {
    for h in held {
        let res = http
            .get(format!("{base}userinfo"))
            .bearer_auth(&h.access_token)
            .send()
            .await
            .unwrap();
        assert_eq!(res.status(), StatusCode::OK, "an acknowledged access token");
        post_token(
            http,
            base,
            &[
                ("grant_type", "refresh_token"),
                ("client_id", &app.0),
                ("client_secret", &app.1),
                ("refresh_token", &h.refresh_token),
            ],
        )
        .await
        .expect("an acknowledged refresh token");
    }
}

/// The single SQLite node, killed with `kill -9` while eight clients rotate
/// refresh tokens.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn sqlite_node_killed_under_load_loses_nothing_acknowledged() {
    sqlite_node_killed_with(8, 1.0).await;
}

/// As above with 48 clients, so the writer's batches are large when the kill
/// lands (group commit: a batch's operations are answered only after its one
/// commit): the mean batch size before the kill is checked on `/metrics`.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn sqlite_node_killed_while_write_batches_are_large_loses_nothing_acknowledged() {
    sqlite_node_killed_with(48, 2.0).await;
}

/// `clients` rotate refresh tokens until the node is killed; everything
/// acknowledged works after the restart. The writer's mean batch size before
/// the kill must be at least `min_batch`.
async fn sqlite_node_killed_with(clients: usize, min_batch: f64) {
    let mut srv = ServerProcess::start(
        &[
            ("PORTCULLIS_BOOTSTRAP_CLIENT_ID", ADMIN_ID),
            ("PORTCULLIS_BOOTSTRAP_CLIENT_SECRET", ADMIN_SECRET),
        ],
        Stdio::null(),
    );
    let http = reqwest::Client::builder()
        .timeout(Duration::from_secs(5))
        .build()
        .unwrap();
    let base = srv.url.clone();
    let app = provision(&http, &base, &base).await;
    let start = first_tokens(&http, &base, &app, clients).await;
    let before = mean_batch(&http, &base).await;
    let stop = Arc::new(AtomicBool::new(false));
    let tasks: Vec<_> = start
        .into_iter()
        .map(|h| {
            tokio::spawn(rotate_until(
                http.clone(),
                base.clone(),
                app.clone(),
                h,
                stop.clone(),
            ))
        })
        .collect();
    tokio::time::sleep(Duration::from_millis(1500)).await;
    let during = mean_batch(&http, &base).await;
    srv.kill9();
    tokio::time::sleep(Duration::from_millis(300)).await;
    stop.store(true, Ordering::Relaxed);
    let mut held = Vec::new();
    for t in tasks {
        held.push(t.await.unwrap().0);
    }
    let (ops, batches) = (during.0 - before.0, during.1 - before.1);
    assert!(batches > 0.0, "the clients wrote before the kill");
    assert!(
        ops / batches >= min_batch,
        "mean batch {} under load, expected at least {min_batch}",
        ops / batches
    );
    let srv = srv.restart();
    assert!(srv.ok(&["check"]).contains("database ok"));
    assert_survived(&http, &base, &app, &held).await;
}

/// The writer's operations and batches so far, from `/metrics`.
async fn mean_batch(http: &reqwest::Client, base: &str) -> (f64, f64) {
    let text = http
        .get(format!("{base}metrics"))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    let counter = |name: &str| crate::support::metric(&text, name);
    (
        counter("portcullis_store_write_operations_total"),
        counter("portcullis_store_write_batches_total"),
    )
}

/// Three nodes on PostgreSQL; one is killed while clients use all three.
/// Clients of the surviving nodes see no error; what the killed node had
/// acknowledged works on the others and on the node once restarted.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn cluster_node_killed_under_load_disturbs_only_its_own_requests() {
    let db = crate::support::fresh_postgres_schema().await;
    // One issuer for the cluster, as behind a load balancer.
    let env = [
        ("PORTCULLIS_ISSUER", "https://id.cluster.test/"),
        ("PORTCULLIS_DATABASE_URL", db.as_str()),
        ("PORTCULLIS_SECRET_KEY", &*"cd".repeat(32)),
        ("PORTCULLIS_BOOTSTRAP_CLIENT_ID", ADMIN_ID),
        ("PORTCULLIS_BOOTSTRAP_CLIENT_SECRET", ADMIN_SECRET),
    ];
    let mut a = ServerProcess::start(&env, Stdio::null());
    let b = ServerProcess::start(&env, Stdio::null());
    let c = ServerProcess::start(&env, Stdio::null());
    let http = reqwest::Client::builder()
        .timeout(Duration::from_secs(5))
        .build()
        .unwrap();
    let app_a = provision(&http, &a.url, "https://id.cluster.test/").await;
    let held_a = first_tokens(&http, &a.url, &app_a, 4).await;
    let stop = Arc::new(AtomicBool::new(false));
    let mut on_a = Vec::new();
    for h in held_a {
        on_a.push(tokio::spawn(rotate_until(
            http.clone(),
            a.url.clone(),
            app_a.clone(),
            h,
            stop.clone(),
        )));
    }
    let mut survivors = Vec::new();
    for node in [&b, &c] {
        let held = first_tokens(&http, &node.url, &app_a, 4).await;
        for h in held {
            survivors.push(tokio::spawn(rotate_until(
                http.clone(),
                node.url.clone(),
                app_a.clone(),
                h,
                stop.clone(),
            )));
        }
    }
    tokio::time::sleep(Duration::from_millis(1500)).await;
    a.kill9();
    tokio::time::sleep(Duration::from_millis(1000)).await;
    stop.store(true, Ordering::Relaxed);
    let mut held_from_a = Vec::new();
    for t in on_a {
        held_from_a.push(t.await.unwrap().0);
    }
    for t in survivors {
        let (_, errors) = t.await.unwrap();
        assert_eq!(errors, 0, "clients of the surviving nodes saw errors");
    }
    let a = a.restart();
    assert_survived(&http, &a.url, &app_a, &held_from_a).await;
    assert!(
        // `check` opens the stored keys, so it needs the cluster's key.
        a.ok(&[
            "check",
            "--database-url",
            &db,
            "--secret-key",
            &"cd".repeat(32)
        ])
        .contains("database ok")
    );
}

/// A full disk: writes answer 503 `temporarily_unavailable` (the Management API
/// in Auth0's shape, the token endpoint in RFC 6749's), reads keep working, a
/// refused write stores nothing, and once space is freed writes succeed again
/// without a restart. The data directory is a small tmpfs (the test mounts it,
/// so it runs as root, as CI does on this machine).
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_full_disk_answers_503_and_recovers_without_a_restart() {
    let mnt = tempfile::tempdir().unwrap();
    let dir = mnt.path().to_str().unwrap().to_string();
    let mounted = std::process::Command::new("mount")
        .args(["-t", "tmpfs", "-o", "size=24m", "tmpfs", &dir])
        .status()
        .expect("mount runs");
    assert!(mounted.success(), "mounting a tmpfs needs root (as CI has)");
    struct Unmount(String);
    impl Drop for Unmount {
        fn drop(&mut self) {
            let _ = std::process::Command::new("umount")
                .args(["-l", &self.0])
                .status();
        }
    }
    let _unmount = Unmount(dir.clone());
    let srv = ServerProcess::start(
        &[
            ("PORTCULLIS_DATA_DIR", &dir),
            ("PORTCULLIS_BOOTSTRAP_CLIENT_ID", ADMIN_ID),
            ("PORTCULLIS_BOOTSTRAP_CLIENT_SECRET", ADMIN_SECRET),
        ],
        Stdio::null(),
    );
    let http = reqwest::Client::builder()
        .timeout(Duration::from_secs(10))
        .build()
        .unwrap();
    let base = srv.url.clone();
    let app = provision(&http, &base, &base).await;
    let at = admin_token(&http, &base, &base).await;
    let users: Value = http
        .get(format!("{base}api/v2/users"))
        .bearer_auth(&at)
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let uid = users[0]["user_id"].as_str().unwrap().to_string();
    let user_url = format!("{base}api/v2/users/{}", uid.replace('|', "%7C"));
    let patch = |n: usize| {
        let blob = format!("{n:06}").repeat(20_000);
        http.patch(&user_url)
            .bearer_auth(&at)
            .json(&json!({"user_metadata": {"n": n, "blob": blob}}))
            .send()
    };
    // Fill the disk, leaving the database as it is.
    let filler = mnt.path().join("filler");
    {
        use std::io::Write;
        let mut f = std::fs::File::create(&filler).unwrap();
        let chunk = vec![0u8; 64 * 1024];
        while f.write_all(&chunk).is_ok() {}
        let _ = f.sync_all();
    }
    // Writes grow the write-ahead log until it meets the full disk.
    let mut last_stored = None;
    let mut refused = None;
    for n in 0..400 {
        let res = patch(n).await.unwrap();
        match res.status() {
            StatusCode::OK => last_stored = Some(n),
            StatusCode::SERVICE_UNAVAILABLE => {
                refused = Some((n, res.json::<Value>().await.unwrap()));
                break;
            }
            other => panic!("a write on a full disk answered {other}"),
        }
    }
    let (refused_n, body) = refused.expect("a write was refused once the disk was full");
    eprintln!("disk full: write {refused_n} refused after {last_stored:?}: {body}");
    assert_eq!(body["statusCode"], 503, "{body}");
    assert_eq!(body["errorCode"], "temporarily_unavailable", "{body}");
    // The token endpoint's writes are refused in RFC 6749's shape.
    let (st, token) = {
        let res = http
            .post(format!("{base}oauth/token"))
            .form(&password_form(&app))
            .send()
            .await
            .unwrap();
        (res.status(), res.json::<Value>().await.unwrap())
    };
    assert_eq!(st, StatusCode::SERVICE_UNAVAILABLE, "{token}");
    assert_eq!(token["error"], "temporarily_unavailable", "{token}");
    // Reads still answer, and the refused write stored nothing.
    let seen: Value = http
        .get(&user_url)
        .bearer_auth(&at)
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(
        seen["user_metadata"]["n"].as_u64(),
        last_stored.map(|n| n as u64),
        "the refused write ({refused_n}) changed nothing"
    );
    // Space comes back: writes succeed again, same process.
    std::fs::remove_file(&filler).unwrap();
    let mut recovered = false;
    for n in 1000..1020 {
        if patch(n).await.unwrap().status() == StatusCode::OK {
            recovered = true;
            break;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    assert!(recovered, "writes succeed again without a restart");
    post_token(&http, &base, &password_form(&app))
        .await
        .expect("the token endpoint works again");
    drop(srv);
}
