//! Portcullis under load: start the release binary on a fresh SQLite data dir,
//! measure start-up, provision through the Management API, run every case.

use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use base64::Engine;
use serde_json::{Value, json};

use crate::Args;
use crate::load::{Shape, Step, Worker, drive};
use crate::proc_stats::rss_bytes;
use crate::report::Report;

const PORT: u16 = 18_080;
const ADMIN_ID: &str = "bench-admin";
const ADMIN_SECRET: &str = "bench-admin-secret-0123456789abcdefghijklmnop";
pub const API: &str = "https://api.example.com";
const CALLBACK: &str = "https://client.example.com/callback";
const EMAIL: &str = "bench@example.com";
const PASSWORD: &str = "Bench-Passw0rd!42";
/// The row label of each backend.
const SERVER: &str = "portcullis";
const SERVER_PG: &str = "portcullis-pg";

/// The two-claim post-login action whose cost the issue asks for.
const ACTION: &str = r#"exports.onExecutePostLogin = async (event, api) => {
  api.idToken.setCustomClaim("https://example.com/email", event.user.email);
  api.accessToken.setCustomClaim("https://example.com/plan", "gold");
};"#;

fn base() -> String {
    format!("http://127.0.0.1:{PORT}")
}

struct Server {
    child: Child,
}

impl Server {
    fn start(
        args: &Args,
        data_dir: &std::path::Path,
        database_url: Option<&str>,
    ) -> Result<Server, String> {
        let mut cmd = Command::new(&args.server);
        if let Some(url) = database_url {
            cmd.env("PORTCULLIS_DATABASE_URL", url);
        }
        let child = cmd
            .arg("serve")
            .env("PORTCULLIS_BIND", format!("127.0.0.1:{PORT}"))
            .env("PORTCULLIS_DATA_DIR", data_dir)
            .env("PORTCULLIS_BOOTSTRAP_CLIENT_ID", ADMIN_ID)
            .env("PORTCULLIS_BOOTSTRAP_CLIENT_SECRET", ADMIN_SECRET)
            .env("RUST_LOG", "warn")
            .stdout(Stdio::null())
            // BENCH_SERVER_LOG=<file>: the server's warnings and errors there.
            .stderr(match std::env::var_os("BENCH_SERVER_LOG") {
                Some(path) => std::fs::OpenOptions::new()
                    .create(true)
                    .append(true)
                    .open(path)
                    .map(Stdio::from)
                    .unwrap_or_else(|_| Stdio::null()),
                None => Stdio::null(),
            })
            .spawn()
            .map_err(|e| {
                format!(
                    "cannot start {}: {e} (build it with cargo build --release)",
                    args.server.display()
                )
            })?;
        Ok(Server { child })
    }

    fn pid(&self) -> u32 {
        self.child.id()
    }

    /// SIGTERM, then wait (SIGKILL after 5 s).
    fn stop(mut self) {
        let _ = Command::new("kill").arg(self.pid().to_string()).status();
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

/// Time from spawning the process to a discovery document answering 200.
async fn ready(http: &reqwest::Client, spawned: Instant) -> Result<Duration, String> {
    let url = format!("{}/.well-known/openid-configuration", base());
    while spawned.elapsed() < Duration::from_secs(30) {
        if let Ok(r) = http.get(&url).send().await
            && r.status() == 200
        {
            return Ok(spawned.elapsed());
        }
        tokio::time::sleep(Duration::from_millis(2)).await;
    }
    Err("the server did not become ready within 30 s".into())
}

fn basic(id: &str, secret: &str) -> String {
    let enc = |s: &str| form_urlencoded::byte_serialize(s.as_bytes()).collect::<String>();
    format!(
        "Basic {}",
        base64::engine::general_purpose::STANDARD.encode(format!("{}:{}", enc(id), enc(secret)))
    )
}

fn form(pairs: &[(&str, &str)]) -> String {
    form_urlencoded::Serializer::new(String::new())
        .extend_pairs(pairs)
        .finish()
}

async fn post_token(
    http: &reqwest::Client,
    auth: Option<&str>,
    body: String,
) -> Result<Value, String> {
    let mut req = http
        .post(format!("{}/oauth/token", base()))
        .header("content-type", "application/x-www-form-urlencoded")
        .body(body);
    if let Some(a) = auth {
        req = req.header("authorization", a);
    }
    let res = req.send().await.map_err(|e| e.to_string())?;
    let status = res.status();
    let v: Value = res.json().await.map_err(|e| e.to_string())?;
    if status != 200 {
        return Err(format!("token endpoint {status}: {v}"));
    }
    Ok(v)
}

struct Admin {
    http: reqwest::Client,
    token: String,
}

impl Admin {
    async fn new(http: &reqwest::Client) -> Result<Self, String> {
        let v = post_token(
            http,
            Some(&basic(ADMIN_ID, ADMIN_SECRET)),
            form(&[
                ("grant_type", "client_credentials"),
                ("audience", &format!("{}/api/v2/", base())),
            ]),
        )
        .await?;
        Ok(Self {
            http: http.clone(),
            token: v["access_token"].as_str().unwrap_or_default().to_string(),
        })
    }

    async fn call(
        &self,
        method: reqwest::Method,
        path: &str,
        body: Value,
    ) -> Result<Value, String> {
        let res = self
            .http
            .request(method, format!("{}/api/v2{path}", base()))
            .bearer_auth(&self.token)
            .json(&body)
            .send()
            .await
            .map_err(|e| e.to_string())?;
        let status = res.status();
        let v: Value = res.json().await.unwrap_or(Value::Null);
        if !status.is_success() {
            return Err(format!("{path}: {status} {v}"));
        }
        Ok(v)
    }

    async fn post(&self, path: &str, body: Value) -> Result<Value, String> {
        self.call(reqwest::Method::POST, path, body).await
    }
}

struct Provisioned {
    m2m: (String, String),
    rotating: (String, String),
    static_: (String, String),
}

async fn provision(admin: &Admin) -> Result<Provisioned, String> {
    admin
        .post(
            "/resource-servers",
            json!({"identifier": API, "name": "Bench API", "allow_offline_access": true,
                   "scopes": [{"value": "read:messages"}, {"value": "write:messages"}]}),
        )
        .await?;
    let m2m = admin
        .post(
            "/clients",
            json!({"name": "bench-m2m", "app_type": "non_interactive"}),
        )
        .await?;
    let pair = |c: &Value| {
        (
            c["client_id"].as_str().unwrap_or_default().to_string(),
            c["client_secret"].as_str().unwrap_or_default().to_string(),
        )
    };
    admin
        .post(
            "/client-grants",
            json!({"client_id": m2m["client_id"], "audience": API, "scope": ["read:messages"]}),
        )
        .await?;
    let web = |name: &str, rotation: &str| {
        json!({"name": name, "app_type": "regular_web", "callbacks": [CALLBACK],
               "token_endpoint_auth_method": "client_secret_basic",
               "grant_types": ["authorization_code", "refresh_token", "password"],
               "refresh_token": {"rotation_type": rotation, "expiration_type": if rotation == "rotating" { "expiring" } else { "non-expiring" }, "leeway": 0}})
    };
    let rotating = admin.post("/clients", web("bench-web", "rotating")).await?;
    let static_ = admin
        .post("/clients", web("bench-web-static", "non-rotating"))
        .await?;
    admin
        .post(
            "/users",
            json!({"connection": "Username-Password-Authentication", "email": EMAIL,
                   "password": PASSWORD, "email_verified": true, "name": "Bench User"}),
        )
        .await?;
    Ok(Provisioned {
        m2m: pair(&m2m),
        rotating: pair(&rotating),
        static_: pair(&static_),
    })
}

async fn password_tokens(
    http: &reqwest::Client,
    client: &(String, String),
    scope: &str,
) -> Result<Value, String> {
    post_token(
        http,
        Some(&basic(&client.0, &client.1)),
        form(&[
            ("grant_type", "password"),
            ("username", EMAIL),
            ("password", PASSWORD),
            ("scope", scope),
            ("audience", API),
        ]),
    )
    .await
}

// ---- workers ----

struct Get {
    http: reqwest::Client,
    url: String,
    bearer: Option<String>,
}

impl Worker for Get {
    fn once(&mut self) -> Step<'_> {
        Box::pin(async move {
            let mut req = self.http.get(&self.url);
            if let Some(b) = &self.bearer {
                req = req.bearer_auth(b);
            }
            Some(match req.send().await {
                Ok(r) => r.status() == 200 && r.bytes().await.is_ok(),
                Err(_) => false,
            })
        })
    }
}

struct Post {
    http: reqwest::Client,
    url: String,
    auth: String,
    body: String,
}

impl Worker for Post {
    fn once(&mut self) -> Step<'_> {
        Box::pin(async move {
            let res = self
                .http
                .post(&self.url)
                .header("authorization", &self.auth)
                .header("content-type", "application/x-www-form-urlencoded")
                .body(self.body.clone())
                .send()
                .await;
            Some(match res {
                Ok(r) => r.status() == 200 && r.bytes().await.is_ok(),
                Err(_) => false,
            })
        })
    }
}

/// Spends its refresh token and keeps the one the response rotates to.
struct Rotate {
    http: reqwest::Client,
    auth: String,
    token: String,
}

impl Worker for Rotate {
    fn once(&mut self) -> Step<'_> {
        Box::pin(async move {
            let body = form(&[
                ("grant_type", "refresh_token"),
                ("refresh_token", &self.token),
            ]);
            match post_token(&self.http, Some(&self.auth), body).await {
                Ok(v) => match v["refresh_token"].as_str() {
                    Some(t) if v["id_token"].is_string() => {
                        self.token = t.to_string();
                        Some(true)
                    }
                    _ => Some(false),
                },
                Err(_) => Some(false),
            }
        })
    }
}

struct Exchange {
    http: reqwest::Client,
    auth: String,
    codes: Vec<String>,
}

impl Worker for Exchange {
    fn once(&mut self) -> Step<'_> {
        Box::pin(async move {
            let code = self.codes.pop()?;
            let body = form(&[
                ("grant_type", "authorization_code"),
                ("code", &code),
                ("redirect_uri", CALLBACK),
            ]);
            Some(post_token(&self.http, Some(&self.auth), body).await.is_ok())
        })
    }
}

/// A browser without cookies: authorize → login page → form → code → tokens.
struct Login {
    http: reqwest::Client,
    client: (String, String),
}

fn cookies_of(res: &reqwest::Response) -> Vec<String> {
    res.headers()
        .get_all("set-cookie")
        .iter()
        .filter_map(|v| v.to_str().ok())
        .filter_map(|v| v.split(';').next())
        .map(str::to_string)
        .collect()
}

fn location(res: &reqwest::Response) -> Option<String> {
    res.headers()
        .get("location")
        .and_then(|l| l.to_str().ok())
        .map(str::to_string)
}

fn input(html: &str, name: &str) -> Option<String> {
    let marker = format!("name=\"{name}\" value=\"");
    let start = html.find(&marker)? + marker.len();
    let end = html[start..].find('"')? + start;
    Some(html[start..end].to_string())
}

fn code_of(loc: &str) -> Option<String> {
    let q = loc.split_once('?')?.1;
    form_urlencoded::parse(q.as_bytes())
        .find(|(k, _)| k == "code")
        .map(|(_, v)| v.into_owned())
}

fn authorize_url(client_id: &str) -> String {
    format!(
        "{}/authorize?{}",
        base(),
        form(&[
            ("client_id", client_id),
            ("redirect_uri", CALLBACK),
            ("response_type", "code"),
            ("scope", "openid profile email"),
            ("state", "bench-state"),
            ("nonce", "bench-nonce")
        ])
    )
}

/// Signs in through the hosted page; the code and the session cookies, or
/// which step failed and how.
async fn sign_in(http: &reqwest::Client, client_id: &str) -> Result<(String, Vec<String>), String> {
    async fn send(step: &str, req: reqwest::RequestBuilder) -> Result<reqwest::Response, String> {
        let res = req.send().await.map_err(|e| format!("{step}: {e}"))?;
        let status = res.status();
        if status.is_client_error() || status.is_server_error() {
            let body = res.text().await.unwrap_or_default();
            let body: String = body.chars().take(300).collect();
            return Err(format!("{step}: {status}: {body}"));
        }
        Ok(res)
    }
    let mut jar: Vec<String> = Vec::new();
    let res = send("authorize", http.get(authorize_url(client_id))).await?;
    jar.extend(cookies_of(&res));
    let to_login = location(&res).ok_or("authorize: no redirect")?;
    let res = send(
        "login page",
        http.get(format!("{}{to_login}", base()))
            .header("cookie", jar.join("; ")),
    )
    .await?;
    jar.extend(cookies_of(&res));
    let html = res.text().await.map_err(|e| format!("login page: {e}"))?;
    let (Some(state), Some(csrf)) = (input(&html, "state"), input(&html, "csrf")) else {
        return Err("login page: no state or csrf field".into());
    };
    let res = send(
        "login form",
        http.post(format!("{}/u/login", base()))
            .header("cookie", jar.join("; "))
            .header("content-type", "application/x-www-form-urlencoded")
            .body(form(&[
                ("state", &state),
                ("csrf", &csrf),
                ("username", EMAIL),
                ("password", PASSWORD),
            ])),
    )
    .await?;
    jar.extend(cookies_of(&res));
    let code = location(&res)
        .as_deref()
        .and_then(code_of)
        .ok_or_else(|| format!("login form: {} without a code", res.status()))?;
    Ok((code, jar))
}

/// Prints why a request failed, for the first few failures of a run: an error
/// count alone does not say what to look at.
fn report_failure(why: &str) {
    static SEEN: std::sync::atomic::AtomicU32 = std::sync::atomic::AtomicU32::new(0);
    if SEEN.fetch_add(1, std::sync::atomic::Ordering::Relaxed) < 5 {
        eprintln!("   failed: {why}");
    }
}

impl Worker for Login {
    fn once(&mut self) -> Step<'_> {
        Box::pin(async move {
            let code = match sign_in(&self.http, &self.client.0).await {
                Ok((code, _)) => code,
                Err(why) => {
                    report_failure(&why);
                    return Some(false);
                }
            };
            let body = form(&[
                ("grant_type", "authorization_code"),
                ("code", &code),
                ("redirect_uri", CALLBACK),
            ]);
            let auth = basic(&self.client.0, &self.client.1);
            Some(match post_token(&self.http, Some(&auth), body).await {
                Ok(v) if v["id_token"].is_string() => true,
                Ok(v) => {
                    report_failure(&format!("token: no id_token in {v}"));
                    false
                }
                Err(why) => {
                    report_failure(&why);
                    false
                }
            })
        })
    }
}

/// Codes from a signed-in browser session (no password check per code).
async fn prepare_codes(
    http: &reqwest::Client,
    client_id: &str,
    count: usize,
    conns: usize,
) -> Result<Vec<Vec<String>>, String> {
    let (_, jar) = sign_in(http, client_id)
        .await
        .map_err(|why| format!("sign-in for codes failed: {why}"))?;
    let cookie = jar.join("; ");
    let per = count / conns;
    let mut tasks = Vec::new();
    for _ in 0..conns {
        let (http, cookie, url) = (http.clone(), cookie.clone(), authorize_url(client_id));
        tasks.push(tokio::spawn(async move {
            let mut codes = Vec::with_capacity(per);
            for _ in 0..per {
                let Ok(res) = http.get(&url).header("cookie", &cookie).send().await else {
                    continue;
                };
                if let Some(c) = location(&res).as_deref().and_then(code_of) {
                    codes.push(c);
                }
            }
            codes
        }));
    }
    let mut out = Vec::new();
    for t in tasks {
        out.push(t.await.map_err(|e| e.to_string())?);
    }
    Ok(out)
}

/// Runs every case against Portcullis on SQLite (`postgres` `None`) or on a
/// fresh schema of the PostgreSQL database `postgres`.
pub async fn run(args: &Args, report: &mut Report, postgres: Option<&str>) -> Result<(), String> {
    let http = reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .pool_max_idle_per_host(args.conns * 2)
        .build()
        .map_err(|e| e.to_string())?;
    let data_dir = std::env::temp_dir().join(format!("portcullis-bench-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&data_dir);
    let (label, database) = match postgres {
        Some(url) => (SERVER_PG, Some(crate::pg::fresh_schema(url).await?)),
        None => (SERVER, None),
    };
    eprintln!(
        "== portcullis: {} on 127.0.0.1:{PORT}, {}",
        args.server.display(),
        match &database {
            Some(d) => format!("PostgreSQL schema {}", d.schema),
            None => format!("SQLite in {}", data_dir.display()),
        }
    );
    let url = database.as_ref().map(|d| d.url.as_str());
    let spawned = Instant::now();
    let server = Server::start(args, &data_dir, url)?;
    let empty = ready(&http, spawned).await?.as_secs_f64() * 1000.0;
    server.stop();
    let spawned = Instant::now();
    let server = Server::start(args, &data_dir, url)?;
    let existing = ready(&http, spawned).await?.as_secs_f64() * 1000.0;
    tokio::time::sleep(Duration::from_millis(500)).await;
    let idle = rss_bytes(server.pid()) as f64 / 1_048_576.0;
    eprintln!(
        "   ready in {empty:.0} ms (empty data dir), {existing:.0} ms (existing database); idle RSS {idle:.1} MB"
    );
    if database.is_none() {
        report.startup_empty_ms = empty;
        report.startup_existing_ms = existing;
        report.idle_rss_mb = idle;
    }
    let result = cases(args, report, &http, server.pid(), label).await;
    if database.is_none() {
        report.idle_rss_after_mb = rss_bytes(server.pid()) as f64 / 1_048_576.0;
    }
    server.stop();
    let _ = std::fs::remove_dir_all(&data_dir);
    if let Some(d) = database {
        d.drop_schema().await;
    }
    result
}

async fn cases(
    args: &Args,
    report: &mut Report,
    http: &reqwest::Client,
    pid: u32,
    server: &'static str,
) -> Result<(), String> {
    let admin = Admin::new(http).await?;
    let p = provision(&admin).await?;
    let shape = Shape {
        conns: args.conns,
        warmup: Duration::from_secs(args.warmup),
        window: args.window(),
    };
    let token_url = format!("{}/oauth/token", base());
    let get = |path: &str, bearer: Option<String>| {
        let url = format!("{}{path}", base());
        let http = http.clone();
        move |_| Get {
            http: http.clone(),
            url: url.clone(),
            bearer: bearer.clone(),
        }
    };
    if args.wants("import") {
        report
            .imports
            .push(import(&admin, pid, server, args.import_users).await?);
    }
    if args.wants("discovery") {
        report.add(
            drive(
                "discovery",
                server,
                pid,
                &shape,
                get("/.well-known/openid-configuration", None),
            )
            .await,
        );
    }
    if args.wants("jwks") {
        report.add(
            drive(
                "jwks",
                server,
                pid,
                &shape,
                get("/.well-known/jwks.json", None),
            )
            .await,
        );
    }
    if args.wants("client_credentials") {
        let body = form(&[
            ("grant_type", "client_credentials"),
            ("audience", API),
            ("scope", "read:messages"),
        ]);
        let auth = basic(&p.m2m.0, &p.m2m.1);
        report.add(
            drive("client_credentials", server, pid, &shape, |_| Post {
                http: http.clone(),
                url: token_url.clone(),
                auth: auth.clone(),
                body: body.clone(),
            })
            .await,
        );
    }
    if args.wants("refresh_token") {
        let t = password_tokens(http, &p.static_, "openid offline_access read:messages").await?;
        let body = form(&[
            ("grant_type", "refresh_token"),
            (
                "refresh_token",
                t["refresh_token"].as_str().unwrap_or_default(),
            ),
        ]);
        let auth = basic(&p.static_.0, &p.static_.1);
        report.add(
            drive("refresh_token", server, pid, &shape, |_| Post {
                http: http.clone(),
                url: token_url.clone(),
                auth: auth.clone(),
                body: body.clone(),
            })
            .await,
        );
    }
    if args.wants("refresh_token_rotating") {
        report.add(
            rotating(
                args,
                http,
                &p,
                (pid, server),
                &shape,
                "refresh_token_rotating",
            )
            .await?,
        );
    }
    if args.wants("authorization_code") {
        // Enough codes for the window at up to ~3,000 exchanges/s.
        let count = ((args.warmup + args.duration) as usize * 3000).clamp(1000, 90_000);
        eprintln!("   preparing {count} authorization codes…");
        let mut codes = prepare_codes(http, &p.rotating.0, count, args.conns).await?;
        let auth = basic(&p.rotating.0, &p.rotating.1);
        report.add(
            drive("authorization_code", server, pid, &shape, |i| Exchange {
                http: http.clone(),
                auth: auth.clone(),
                codes: std::mem::take(&mut codes[i]),
            })
            .await,
        );
    }
    if args.wants("userinfo") {
        let t = password_tokens(http, &p.static_, "openid profile email").await?;
        let at = t["access_token"].as_str().unwrap_or_default().to_string();
        report.add(drive("userinfo", server, pid, &shape, get("/userinfo", Some(at))).await);
    }
    if args.wants("login") {
        report.add(
            drive("login", server, pid, &shape, |_| Login {
                http: http.clone(),
                client: p.rotating.clone(),
            })
            .await,
        );
    }
    if args.wants("action") {
        // The same two flows with a post-login action that sets two claims.
        let a = admin
            .post(
                "/actions/actions",
                json!({"name": "two-claims", "supported_triggers": [{"id": "post-login", "version": "v3"}], "code": ACTION}),
            )
            .await?;
        let id = a["id"].as_str().unwrap_or_default();
        admin
            .post(&format!("/actions/actions/{id}/deploy"), json!({}))
            .await?;
        admin
            .call(
                reqwest::Method::PATCH,
                "/actions/triggers/post-login/bindings",
                json!({"bindings": [{"ref": {"type": "action_id", "value": id}}]}),
            )
            .await?;
        report.add(
            rotating(
                args,
                http,
                &p,
                (pid, server),
                &shape,
                "refresh_token_rotating+action",
            )
            .await?,
        );
        report.add(
            drive("login+action", server, pid, &shape, |_| Login {
                http: http.clone(),
                client: p.rotating.clone(),
            })
            .await,
        );
    }
    Ok(())
}

async fn rotating(
    args: &Args,
    http: &reqwest::Client,
    p: &Provisioned,
    (pid, server): (u32, &'static str),
    shape: &Shape,
    name: &str,
) -> Result<crate::load::CaseResult, String> {
    let mut tokens = Vec::new();
    for _ in 0..args.conns {
        let t = password_tokens(http, &p.rotating, "openid offline_access read:messages").await?;
        tokens.push(t["refresh_token"].as_str().unwrap_or_default().to_string());
    }
    let auth = basic(&p.rotating.0, &p.rotating.1);
    Ok(drive(name, server, pid, shape, |i| Rotate {
        http: http.clone(),
        auth: auth.clone(),
        token: std::mem::take(&mut tokens[i]),
    })
    .await)
}

/// The bulk-import case: a file of `n` users (bcrypt hashes, as Auth0's
/// export gives them) uploaded in one request, the job followed to its end,
/// the server's RSS sampled throughout.
async fn import(
    admin: &Admin,
    pid: u32,
    server: &str,
    n: u64,
) -> Result<crate::report::ImportResult, String> {
    eprintln!("== import: {n} users");
    let connections = admin
        .call(
            reqwest::Method::GET,
            "/connections?name=Username-Password-Authentication",
            Value::Null,
        )
        .await?;
    let connection = connections[0]["id"]
        .as_str()
        .unwrap_or_default()
        .to_string();
    let boundary = "portcullis-bench-import";
    let mut body = format!("--{boundary}\r\nContent-Disposition: form-data; name=\"connection_id\"\r\n\r\n{connection}\r\n--{boundary}\r\nContent-Disposition: form-data; name=\"users\"; filename=\"users.json\"\r\nContent-Type: application/json\r\n\r\n[").into_bytes();
    // One real bcrypt hash (cost 10) shared by all: the import stores it, it
    // is checked only at sign-in.
    let hash = "$2b$10$33N6PPytqVo6c6FgE7LzSuvSNelw2xh8WZPxNWmxllqLuDbNHD3Xi";
    for i in 0..n {
        if i > 0 {
            body.push(b',');
        }
        body.extend_from_slice(format!(
            "{{\"email\":\"user{i}@bench.example\",\"user_id\":\"bench{i:08}\",\"name\":\"User {i}\",\"email_verified\":true,\"password_hash\":\"{hash}\",\"user_metadata\":{{\"plan\":\"free\",\"n\":{i}}}}}"
        ).as_bytes());
    }
    body.extend_from_slice(format!("]\r\n--{boundary}--\r\n").as_bytes());
    let file_mb = body.len() as f64 / 1_048_576.0;
    let rss_before_mb = rss_bytes(pid) as f64 / 1_048_576.0;
    let sampler = crate::proc_stats::RssSampler::start(pid);
    let started = Instant::now();
    let res = admin
        .http
        .post(format!("{}/api/v2/jobs/users-imports", base()))
        .bearer_auth(&admin.token)
        .header(
            "content-type",
            format!("multipart/form-data; boundary={boundary}"),
        )
        .body(body)
        .send()
        .await
        .map_err(|e| e.to_string())?;
    let upload_s = started.elapsed().as_secs_f64();
    let job: Value = res.json().await.map_err(|e| e.to_string())?;
    let id = job["id"]
        .as_str()
        .ok_or(format!("no job: {job}"))?
        .to_string();
    let job_started = Instant::now();
    let deadline = Duration::from_secs(3600);
    let done = loop {
        let j = admin
            .call(reqwest::Method::GET, &format!("/jobs/{id}"), Value::Null)
            .await?;
        if j["status"] == "completed" || j["status"] == "failed" {
            break j;
        }
        if job_started.elapsed() > deadline {
            return Err(format!("the import did not finish in an hour: {j}"));
        }
        tokio::time::sleep(Duration::from_millis(500)).await;
    };
    let job_s = job_started.elapsed().as_secs_f64();
    let peak_rss_mb = sampler.peak().await as f64 / 1_048_576.0;
    if done["summary"]["inserted"].as_u64() != Some(n) {
        return Err(format!("the import did not insert every user: {done}"));
    }
    eprintln!(
        "   {n} users: upload {upload_s:.1} s, job {job_s:.1} s, peak RSS {peak_rss_mb:.1} MB"
    );
    Ok(crate::report::ImportResult {
        server: server.to_string(),
        users: n,
        file_mb,
        upload_s,
        job_s,
        users_per_s: n as f64 / job_s.max(0.001),
        rss_before_mb,
        peak_rss_mb,
    })
}
