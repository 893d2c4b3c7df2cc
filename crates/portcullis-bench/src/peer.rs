//! The peer: panva's oidc-provider through `../shared/peer/start.sh` (installed
//! from the npm registry by name, outside the repository), with the same load
//! shape, for the paths it has: one Node process, two workers, and rotation.

use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use crate::Args;
use crate::load::{Shape, Step, Worker, drive};
use crate::report::Report;

const PORT: u16 = 3000;
const CLIENT_ID: &str = "bench-client";
const CLIENT_SECRET: &str = "bench-secret-8c1f0f4e2b7a49d6a3e5c7b9d1f3a5c7";
const STATIC_REFRESH: &str = "benchRefreshToken_0123456789abcdefghijklmnop";

fn base() -> String {
    format!("http://127.0.0.1:{PORT}")
}

fn basic() -> String {
    use base64::Engine;
    format!(
        "Basic {}",
        base64::engine::general_purpose::STANDARD.encode(format!("{CLIENT_ID}:{CLIENT_SECRET}"))
    )
}

struct Peer {
    child: Child,
}

impl Peer {
    async fn start(
        args: &Args,
        workers: u32,
        rotate: bool,
        http: &reqwest::Client,
    ) -> Result<Peer, String> {
        let peer_dir = std::env::temp_dir().join("peer-oidc");
        let script = std::path::Path::new(&args.peer_dir).join("start.sh");
        let child = Command::new("bash")
            .arg(&script)
            .env("PEER_DIR", &peer_dir)
            .env("PORT", PORT.to_string())
            .env("WORKERS", workers.to_string())
            .env("ROTATE", if rotate { "1" } else { "0" })
            .stdout(Stdio::null())
            .stderr(Stdio::inherit())
            .spawn()
            .map_err(|e| format!("cannot start the peer with {}: {e}", script.display()))?;
        let peer = Peer { child };
        // The first start installs oidc-provider from the npm registry.
        let started = Instant::now();
        let url = format!("{}/.well-known/openid-configuration", base());
        while started.elapsed() < Duration::from_secs(300) {
            if let Ok(r) = http.get(&url).send().await
                && r.status() == 200
            {
                // Let cluster workers all come up.
                tokio::time::sleep(Duration::from_secs(2)).await;
                return Ok(peer);
            }
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
        peer.stop();
        Err("the peer did not become ready within 300 s".into())
    }

    fn pid(&self) -> u32 {
        self.child.id()
    }

    fn stop(mut self) {
        let pid = self.pid().to_string();
        // The Node process and its cluster workers.
        let _ = Command::new("pkill").args(["-TERM", "-P", &pid]).status();
        let _ = Command::new("kill").arg(&pid).status();
        let end = Instant::now() + Duration::from_secs(5);
        while Instant::now() < end {
            if let Ok(Some(_)) = self.child.try_wait() {
                return;
            }
            std::thread::sleep(Duration::from_millis(20));
        }
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

struct Get {
    http: reqwest::Client,
    url: String,
}

impl Worker for Get {
    fn once(&mut self) -> Step<'_> {
        Box::pin(async move {
            Some(match self.http.get(&self.url).send().await {
                Ok(r) => r.status() == 200 && r.bytes().await.is_ok(),
                Err(_) => false,
            })
        })
    }
}

struct Token {
    http: reqwest::Client,
    body: String,
    /// Rotation: the token to spend next, replaced from each response.
    rotating: Option<String>,
}

impl Worker for Token {
    fn once(&mut self) -> Step<'_> {
        Box::pin(async move {
            let body = match &self.rotating {
                Some(t) => form_urlencoded::Serializer::new(String::new())
                    .extend_pairs([("grant_type", "refresh_token"), ("refresh_token", t)])
                    .finish(),
                None => self.body.clone(),
            };
            let res = self
                .http
                .post(format!("{}/token", base()))
                .header("authorization", basic())
                .header("content-type", "application/x-www-form-urlencoded")
                .body(body)
                .send()
                .await;
            let Ok(res) = res else { return Some(false) };
            if res.status() != 200 {
                return Some(false);
            }
            let Ok(v) = res.json::<serde_json::Value>().await else {
                return Some(false);
            };
            if self.rotating.is_some() {
                match v["refresh_token"].as_str() {
                    Some(t) => self.rotating = Some(t.to_string()),
                    None => return Some(false),
                }
            }
            Some(v["access_token"].is_string())
        })
    }
}

async fn basic_cases(
    args: &Args,
    report: &mut Report,
    http: &reqwest::Client,
    label: &str,
    pid: u32,
) {
    let shape = Shape {
        conns: args.conns,
        warmup: Duration::from_secs(args.warmup),
        window: args.window(),
    };
    let get = |path: &str| {
        let url = format!("{}{path}", base());
        move |_| Get {
            http: http.clone(),
            url: url.clone(),
        }
    };
    if args.wants("discovery") {
        report.add(
            drive(
                "discovery",
                label,
                pid,
                &shape,
                get("/.well-known/openid-configuration"),
            )
            .await,
        );
    }
    if args.wants("jwks") {
        report.add(drive("jwks", label, pid, &shape, get("/jwks")).await);
    }
    if args.wants("client_credentials") {
        let body = format!(
            "grant_type=client_credentials&resource={}&scope=read%3Amessages",
            form_urlencoded::byte_serialize(crate::portcullis::API.as_bytes()).collect::<String>()
        );
        report.add(
            drive("client_credentials", label, pid, &shape, |_| Token {
                http: http.clone(),
                body: body.clone(),
                rotating: None,
            })
            .await,
        );
    }
    if args.wants("refresh_token") {
        let body = format!("grant_type=refresh_token&refresh_token={STATIC_REFRESH}");
        report.add(
            drive("refresh_token", label, pid, &shape, |_| Token {
                http: http.clone(),
                body: body.clone(),
                rotating: None,
            })
            .await,
        );
    }
}

pub async fn run(args: &Args, report: &mut Report) -> Result<(), String> {
    let http = reqwest::Client::builder()
        .pool_max_idle_per_host(args.conns * 2)
        .build()
        .map_err(|e| e.to_string())?;
    for workers in [1u32, 2] {
        eprintln!("== peer: oidc-provider, {workers} Node worker(s)");
        let peer = Peer::start(args, workers, false, &http).await?;
        let label = format!("peer-{workers}w");
        basic_cases(args, report, &http, &label, peer.pid()).await;
        peer.stop();
        tokio::time::sleep(Duration::from_secs(1)).await;
    }
    if args.wants("refresh_token_rotating") {
        eprintln!("== peer: oidc-provider, rotation on every refresh (1 worker)");
        let peer = Peer::start(args, 1, true, &http).await?;
        let file = std::env::temp_dir()
            .join("peer-oidc")
            .join("refresh-tokens.txt");
        let tokens: Vec<String> = std::fs::read_to_string(&file)
            .map_err(|e| format!("{}: {e}", file.display()))?
            .lines()
            .filter(|l| !l.is_empty())
            .map(str::to_string)
            .collect();
        if tokens.len() < args.conns {
            peer.stop();
            return Err(format!(
                "the peer seeded {} refresh tokens; {} needed",
                tokens.len(),
                args.conns
            ));
        }
        let shape = Shape {
            conns: args.conns,
            warmup: Duration::from_secs(args.warmup),
            window: args.window(),
        };
        report.add(
            drive(
                "refresh_token_rotating",
                "peer-1w",
                peer.pid(),
                &shape,
                |i| Token {
                    http: http.clone(),
                    body: String::new(),
                    rotating: Some(tokens[i].clone()),
                },
            )
            .await,
        );
        peer.stop();
    }
    Ok(())
}
