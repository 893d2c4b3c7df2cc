//! Several `portcullis serve` processes over one PostgreSQL: they start together,
//! share keys and state, and decide a refresh-token race with one winner.

use std::io::{BufRead, BufReader};
use std::process::{Child, Command, Stdio};

use reqwest::StatusCode;
use serde_json::{Value, json};

use crate::browser::{Browser, CALLBACK, PASSWORD, VERIFIER, code_params};
use crate::support::{fresh_postgres_schema, kid_of};

const BIN: &str = env!("CARGO_BIN_EXE_portcullis");
const ADMIN_ID: &str = "cluster-admin";
const ADMIN_SECRET: &str = "cluster-admin-secret-0123456789abcdef";

struct Node {
    child: Child,
    url: String,
}

impl Drop for Node {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

fn spawn_node(db: &str, issuer: &str, port: u16, dir: &std::path::Path) -> Child {
    Command::new(BIN)
        .arg("serve")
        .env_clear()
        .env("PATH", std::env::var("PATH").unwrap_or_default())
        .env("PORTCULLIS_BIND", format!("127.0.0.1:{port}"))
        .env("PORTCULLIS_ISSUER", issuer)
        .env("PORTCULLIS_DATABASE_URL", db)
        .env("PORTCULLIS_DATA_DIR", dir)
        .env("PORTCULLIS_SECRET_KEY", "ab".repeat(32))
        .env("PORTCULLIS_BOOTSTRAP_CLIENT_ID", ADMIN_ID)
        .env("PORTCULLIS_BOOTSTRAP_CLIENT_SECRET", ADMIN_SECRET)
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .expect("portcullis starts")
}

fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port()
}

/// Three nodes started at the same moment on one fresh schema.
async fn start_cluster(dirs: &[tempfile::TempDir; 3]) -> Vec<Node> {
    let db = fresh_postgres_schema().await;
    let ports = [free_port(), free_port(), free_port()];
    let issuer = format!("http://127.0.0.1:{}/", ports[0]);
    let mut children: Vec<Child> = ports
        .iter()
        .zip(dirs)
        .map(|(p, d)| spawn_node(&db, &issuer, *p, d.path()))
        .collect();
    let mut nodes = Vec::new();
    for (mut child, port) in children.drain(..).zip(ports) {
        let mut line = String::new();
        BufReader::new(child.stdout.take().unwrap())
            .read_line(&mut line)
            .unwrap();
        assert!(
            line.contains("database postgres"),
            "node on {port} did not start: {line:?}"
        );
        nodes.push(Node {
            child,
            url: format!("http://127.0.0.1:{port}"),
        });
    }
    nodes
}

async fn admin_token(http: &reqwest::Client, node: &Node, issuer: &str) -> String {
    let t: Value = http
        .post(format!("{}/oauth/token", node.url))
        .form(&[
            ("grant_type", "client_credentials"),
            ("client_id", ADMIN_ID),
            ("client_secret", ADMIN_SECRET),
            ("audience", &format!("{issuer}api/v2/")),
        ])
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    t["access_token"]
        .as_str()
        .unwrap_or_else(|| panic!("{t}"))
        .to_string()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn three_nodes_share_state_and_a_refresh_race_has_one_winner() {
    let dirs = [
        tempfile::tempdir().unwrap(),
        tempfile::tempdir().unwrap(),
        tempfile::tempdir().unwrap(),
    ];
    let nodes = start_cluster(&dirs).await;
    let issuer = format!("{}/", nodes[0].url);
    let http = reqwest::Client::new();

    // Every node publishes the same keys, and accepts tokens another node signed.
    let mut jwks = Vec::new();
    for n in &nodes {
        jwks.push(
            http.get(format!("{}/.well-known/jwks.json", n.url))
                .send()
                .await
                .unwrap()
                .json::<Value>()
                .await
                .unwrap(),
        );
    }
    assert!(jwks.iter().all(|j| *j == jwks[0]), "one key set");
    assert_eq!(jwks[0]["keys"].as_array().unwrap().len(), 2);
    let token = admin_token(&http, &nodes[0], &issuer).await;
    let api = |n: usize, path: &str| format!("{}/api/v2{path}", nodes[n].url);
    let app: Value = http
        .post(api(1, "/clients"))
        .bearer_auth(&token)
        .json(&json!({"name": "Shop", "app_type": "spa", "callbacks": [CALLBACK]}))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let client_id = app["client_id"].as_str().unwrap().to_string();
    let res = http
        .post(api(2, "/users"))
        .bearer_auth(&token)
        .json(&json!({"connection": "Username-Password-Authentication", "email": "ada@example.com", "password": PASSWORD}))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::CREATED);
    let (_, clients): (_, Value) = (
        0,
        http.get(api(2, "/clients"))
            .bearer_auth(&token)
            .send()
            .await
            .unwrap()
            .json()
            .await
            .unwrap(),
    );
    assert_eq!(
        clients
            .as_array()
            .unwrap()
            .iter()
            .filter(|c| c["client_id"] == ADMIN_ID)
            .count(),
        1,
        "one administrator"
    );

    // Log in on node A, exchange the code on node B, refresh on node C.
    let rt1 = login_then_exchange(&http, &nodes[0], &nodes[1], &client_id).await;
    let refresh = |n: usize, rt: String| {
        let (http, url, client_id) = (
            http.clone(),
            format!("{}/oauth/token", nodes[n].url),
            client_id.clone(),
        );
        async move {
            let res = http
                .post(url)
                .form(&[
                    ("grant_type", "refresh_token"),
                    ("client_id", client_id.as_str()),
                    ("refresh_token", rt.as_str()),
                ])
                .send()
                .await
                .unwrap();
            (res.status(), res.json::<Value>().await.unwrap())
        }
    };
    let (st, t2) = refresh(2, rt1).await;
    assert_eq!(st, StatusCode::OK, "{t2}");
    assert!(t2["id_token"].is_string());
    let rt2 = t2["refresh_token"].as_str().unwrap().to_string();

    // Race one token across all three nodes: exactly one winner, no 5xx, and the
    // family ends revoked (leeway 0).
    let mut tasks = Vec::new();
    for i in 0..30 {
        tasks.push(tokio::spawn(refresh(i % 3, rt2.clone())));
    }
    let mut winners = Vec::new();
    for t in tasks {
        let (st, body) = t.await.unwrap();
        assert!(
            st == StatusCode::OK || st == StatusCode::FORBIDDEN,
            "{st} {body}"
        );
        if st == StatusCode::OK {
            winners.push(body["refresh_token"].as_str().unwrap().to_string());
        }
    }
    assert_eq!(winners.len(), 1, "exactly one winner across the cluster");
    let (st, body) = refresh(0, winners.remove(0)).await;
    assert_eq!(st, StatusCode::FORBIDDEN, "the family is revoked: {body}");

    // A key rotated on A signs on B and C within the stated bound (one second,
    // plus the time to ask).
    let rotated: Value = http
        .post(api(0, "/keys/signing/rotate"))
        .bearer_auth(&token)
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let new_kid = rotated["kid"]
        .as_str()
        .unwrap_or_else(|| panic!("{rotated}"))
        .to_string();
    let rotated_at = std::time::Instant::now();
    for n in [1, 2] {
        loop {
            let t = admin_token(&http, &nodes[n], &issuer).await;
            if kid_of(&t) == new_kid {
                break;
            }
            assert!(
                rotated_at.elapsed() < std::time::Duration::from_millis(1500),
                "node {n} still signs with the old key"
            );
            tokio::time::sleep(std::time::Duration::from_millis(50)).await;
        }
    }

    // A user blocked on B cannot refresh on C, at once (users are never cached).
    let rt = login_then_exchange(&http, &nodes[0], &nodes[2], &client_id).await;
    let users: Value = http
        .get(api(1, "/users-by-email?email=ada%40example.com"))
        .bearer_auth(&token)
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let uid = users[0]["user_id"].as_str().unwrap().to_string();
    let res = http
        .patch(api(
            1,
            &format!("/users/{}", crate::token_endpoint::urlenc(&uid)),
        ))
        .bearer_auth(&token)
        .json(&json!({"blocked": true}))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::OK);
    let (st, body) = refresh(2, rt).await;
    assert_eq!(st, StatusCode::FORBIDDEN, "{body}");
    assert_eq!(body["error_description"], "user is blocked");
}

/// Signs in on `login` and exchanges the code on `exchange`; the refresh token.
async fn login_then_exchange(
    http: &reqwest::Client,
    login: &Node,
    exchange: &Node,
    client_id: &str,
) -> String {
    let mut b = Browser::at(&login.url);
    let to = b
        .authorize(&code_params(
            client_id,
            &[("scope", "openid offline_access")],
        ))
        .await;
    let back = b.submit_login(&to, "ada@example.com", PASSWORD).await;
    let code = back.redirect_params()["code"].clone();
    let t: Value = http
        .post(format!("{}/oauth/token", exchange.url))
        .form(&[
            ("grant_type", "authorization_code"),
            ("client_id", client_id),
            ("code", &code),
            ("redirect_uri", CALLBACK),
            ("code_verifier", VERIFIER),
        ])
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    t["refresh_token"]
        .as_str()
        .unwrap_or_else(|| panic!("{t}"))
        .to_string()
}
