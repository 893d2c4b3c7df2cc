//! A real Portcullis listening on 127.0.0.1, on a fresh SQLite file or a fresh
//! PostgreSQL schema, and an HTTP client to talk to it.

use std::path::PathBuf;

use portcullis::config::Config;
use portcullis::server::{self, RunningServer};
use reqwest::{Method, StatusCode};
use serde_json::Value;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Backend {
    Sqlite,
    Postgres,
}

/// Runs each test body once per storage backend, as `<test>::sqlite` and
/// `<test>::postgres`.
macro_rules! on_both_backends {
    ($($name:ident),* $(,)?) => {
        $(
            /// The test of the same name, on a fresh SQLite file and on a fresh
            /// PostgreSQL schema.
            mod $name {
                #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
                async fn sqlite() {
                    super::$name($crate::support::TestServer::start($crate::support::Backend::Sqlite).await).await
                }
                #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
                async fn postgres() {
                    super::$name($crate::support::TestServer::start($crate::support::Backend::Postgres).await).await
                }
            }
        )*
    };
}
pub(crate) use on_both_backends;

/// Runs `$body` with `$c` a `&mut` direct connection to the test server's
/// own database, on either backend (for what the HTTP API must not show:
/// stored hashes, sealed keys, rows to tamper with).
macro_rules! with_server_db {
    ($srv:expr, |$c:ident| $body:expr) => {{
        use sqlx::Connection as _;
        match $srv.backend {
            $crate::support::Backend::Sqlite => {
                let mut conn = sqlx::SqliteConnection::connect(&$srv.config.database_url)
                    .await
                    .unwrap();
                let $c = &mut conn;
                $body
            }
            $crate::support::Backend::Postgres => {
                let mut conn = sqlx::PgConnection::connect(&$srv.config.database_url)
                    .await
                    .unwrap();
                let $c = &mut conn;
                $body
            }
        }
    }};
}
pub(crate) use with_server_db;

pub fn postgres_base_url() -> String {
    std::env::var("PORTCULLIS_TEST_POSTGRES_URL")
        .unwrap_or_else(|_| "postgres://postgres@127.0.0.1:5432/test".into())
}

/// A new, empty schema for one test, and a URL whose connections use it. Schemas
/// left by earlier runs (older than an hour) are dropped on the way.
pub async fn fresh_postgres_schema() -> String {
    use sqlx::Connection;
    let base = postgres_base_url();
    let mut conn = sqlx::PgConnection::connect(&base)
        .await
        .unwrap_or_else(|e| panic!("PostgreSQL at {base} is required for the postgres tests: {e}"));
    let now = unix_now();
    let stale: Vec<(String,)> = sqlx::query_as(
        "SELECT schema_name::text FROM information_schema.schemata WHERE schema_name LIKE 'pt\\_%'",
    )
    .fetch_all(&mut conn)
    .await
    .unwrap();
    for (name,) in stale {
        let born: i64 = name
            .split('_')
            .nth(1)
            .and_then(|t| t.parse().ok())
            .unwrap_or(0);
        if born < now - 3600 {
            let _ = sqlx::raw_sql(sqlx::AssertSqlSafe(format!(
                "DROP SCHEMA IF EXISTS \"{name}\" CASCADE"
            )))
            .execute(&mut conn)
            .await;
        }
    }
    let schema = format!("pt_{now}_{}", portcullis_core::random::hex(6));
    sqlx::raw_sql(sqlx::AssertSqlSafe(format!("CREATE SCHEMA \"{schema}\"")))
        .execute(&mut conn)
        .await
        .unwrap();
    let sep = if base.contains('?') { '&' } else { '?' };
    format!("{base}{sep}options=-c%20search_path%3D{schema}")
}

/// The value of the unlabelled metric `name` in a `/metrics` text.
pub fn metric(text: &str, name: &str) -> f64 {
    text.lines()
        .find_map(|l| l.strip_prefix(&format!("{name} ")))
        .and_then(|v| v.parse().ok())
        .unwrap_or_else(|| panic!("{name} missing: {text}"))
}

pub fn unix_now() -> i64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .as_secs() as i64
}

pub struct TestServer {
    pub backend: Backend,
    pub url: String,
    pub issuer: String,
    pub http: reqwest::Client,
    pub admin_id: String,
    pub admin_secret: String,
    pub config: Config,
    pub server: Option<RunningServer>,
    pub dir: tempfile::TempDir,
    /// The administrator's token, minted once and again only when refused.
    admin: std::sync::Mutex<Option<String>>,
}

/// A configuration for a test server on `listener`'s port, in `dir`.
pub async fn config_for(
    backend: Backend,
    dir: &std::path::Path,
    listener: &std::net::TcpListener,
) -> Config {
    let addr = listener.local_addr().unwrap();
    let database_url = match backend {
        Backend::Sqlite => format!("sqlite://{}", dir.join("portcullis.db").display()),
        Backend::Postgres => fresh_postgres_schema().await,
    };
    Config {
        bind: addr,
        issuer: format!("http://{addr}/"),
        data_dir: PathBuf::from(dir),
        database_url,
        tls: None,
        bootstrap_client_id: None,
        bootstrap_client_secret: None,
        admin_email: "admin@localhost".into(),
        admin_password: None,
        dashboard: true,
        secret_key: None,
        smtp_url: None,
        smtp_from: "Portcullis <no-reply@portcullis.test>".into(),
        // Short, so the runaway-script tests finish quickly.
        script_timeout_ms: 1000,
        script_memory_mb: 32,
        key_rotation_days: 0,
        mfa_remember_browser_days: 30,
        webauthn_user_verification: Default::default(),
        audit_log: None,
        trusted_proxies: Vec::new(),
        trusted_proxy_header: Default::default(),
        metrics_bind: None,
        dpop_nonce: false,
    }
}

/// A server whose configuration `change` adjusts first.
pub async fn start_configured(
    backend: Backend,
    change: impl FnOnce(&mut portcullis::config::Config),
) -> TestServer {
    let dir = tempfile::tempdir().unwrap();
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let mut config = config_for(backend, dir.path(), &listener).await;
    change(&mut config);
    TestServer::start_with(backend, config, listener, dir).await
}

impl TestServer {
    /// The `/metrics` text.
    pub async fn metrics_text(&self) -> String {
        self.http
            .get(format!("{}/metrics", self.url))
            .send()
            .await
            .unwrap()
            .text()
            .await
            .unwrap()
    }

    pub async fn start(backend: Backend) -> Self {
        let dir = tempfile::tempdir().unwrap();
        let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
        let config = config_for(backend, dir.path(), &listener).await;
        Self::start_with(backend, config, listener, dir).await
    }

    pub async fn start_with(
        backend: Backend,
        config: Config,
        listener: std::net::TcpListener,
        dir: tempfile::TempDir,
    ) -> Self {
        let _ = rustls::crypto::aws_lc_rs::default_provider().install_default();
        let server = server::start_on(config.clone(), listener)
            .await
            .expect("server starts");
        let creds: Value = serde_json::from_slice(
            &std::fs::read(dir.path().join("admin-credentials.json")).unwrap(),
        )
        .unwrap();
        Self {
            backend,
            url: format!("http://{}", server.addr),
            issuer: config.issuer.clone(),
            http: reqwest::Client::new(),
            admin_id: creds["client_id"].as_str().unwrap().to_string(),
            admin_secret: creds["client_secret"].as_str().unwrap().to_string(),
            config,
            server: Some(server),
            dir,
            admin: Default::default(),
        }
    }

    pub fn management_audience(&self) -> String {
        format!("{}api/v2/", self.issuer)
    }

    /// Stops the server and starts it again on the same database and data dir.
    pub async fn restart(mut self) -> Self {
        if let Some(s) = self.server.take() {
            s.shutdown().await.unwrap();
        }
        let listener = std::net::TcpListener::bind(self.config.bind).unwrap();
        let server = server::start_on(self.config.clone(), listener)
            .await
            .expect("server restarts");
        self.server = Some(server);
        self
    }

    /// POST /oauth/token with a form body.
    pub async fn token_form(
        &self,
        form: &[(&str, &str)],
    ) -> (StatusCode, Value, reqwest::header::HeaderMap) {
        let body: String = form_urlencoded::Serializer::new(String::new())
            .extend_pairs(form)
            .finish();
        let res = self
            .http
            .post(format!("{}/oauth/token", self.url))
            .header("content-type", "application/x-www-form-urlencoded")
            .body(body)
            .send()
            .await
            .unwrap();
        let status = res.status();
        let headers = res.headers().clone();
        (status, res.json().await.unwrap_or(Value::Null), headers)
    }

    /// A client-credentials token for `audience`.
    pub async fn client_token(&self, client_id: &str, secret: &str, audience: &str) -> String {
        let (status, body, _) = self
            .token_form(&[
                ("grant_type", "client_credentials"),
                ("client_id", client_id),
                ("client_secret", secret),
                ("audience", audience),
            ])
            .await;
        assert_eq!(status, StatusCode::OK, "{body}");
        body["access_token"].as_str().unwrap().to_string()
    }

    pub async fn admin_token(&self) -> String {
        self.client_token(
            &self.admin_id,
            &self.admin_secret,
            &self.management_audience(),
        )
        .await
    }

    /// A Management API call with `token`.
    pub async fn api_with(
        &self,
        token: &str,
        method: Method,
        path: &str,
        body: Option<Value>,
    ) -> (StatusCode, Value) {
        let mut req = self
            .http
            .request(method, format!("{}/api/v2{path}", self.url))
            .bearer_auth(token);
        if let Some(b) = body {
            req = req.json(&b);
        }
        let res = req.send().await.unwrap();
        let status = res.status();
        let text = res.text().await.unwrap();
        (status, serde_json::from_str(&text).unwrap_or(Value::Null))
    }

    /// A Management API call as the bootstrap administrator.
    /// The administrator's token is minted once and reused; a 401 (its key
    /// revoked, the server restarted on another database) mints it again.
    pub async fn api(
        &self,
        method: Method,
        path: &str,
        body: Option<Value>,
    ) -> (StatusCode, Value) {
        let cached = self.admin.lock().unwrap().clone();
        if let Some(token) = cached {
            let (st, v) = self
                .api_with(&token, method.clone(), path, body.clone())
                .await;
            if st != StatusCode::UNAUTHORIZED {
                return (st, v);
            }
        }
        let token = self.admin_token().await;
        *self.admin.lock().unwrap() = Some(token.clone());
        self.api_with(&token, method, path, body).await
    }

    /// Creates an API, an M2M application and a grant between them; returns
    /// (client_id, client_secret).
    pub async fn m2m_with_grant(
        &self,
        audience: &str,
        api_scopes: &[&str],
        granted: &[&str],
    ) -> (String, String) {
        let scopes: Vec<Value> = api_scopes
            .iter()
            .map(|s| serde_json::json!({"value": s}))
            .collect();
        // An API the test made already is used as it is; otherwise it is made.
        let (_, existing) = self.api(Method::GET, "/resource-servers", None).await;
        let exists = existing
            .as_array()
            .is_some_and(|a| a.iter().any(|rs| rs["identifier"] == audience));
        if !exists {
            let (st, body) = self
                .api(
                    Method::POST,
                    "/resource-servers",
                    Some(serde_json::json!({"identifier": audience, "name": "Test API", "scopes": scopes})),
                )
                .await;
            assert_eq!(st, StatusCode::CREATED, "{body}");
        }
        let (id, secret) = self.new_m2m("worker").await;
        let (st, body) = self
            .api(
                Method::POST,
                "/client-grants",
                Some(serde_json::json!({"client_id": id, "audience": audience, "scope": granted})),
            )
            .await;
        assert_eq!(st, StatusCode::CREATED, "{body}");
        (id, secret)
    }

    /// The id of the connection named `name` (its record, through the
    /// Management API).
    pub async fn connection_id(&self, name: &str) -> String {
        let (st, body) = self
            .api(
                reqwest::Method::GET,
                &format!("/connections?name={name}"),
                None,
            )
            .await;
        assert_eq!(st, reqwest::StatusCode::OK, "{body}");
        body[0]["id"]
            .as_str()
            .unwrap_or_else(|| panic!("no connection named {name}: {body}"))
            .to_string()
    }

    pub async fn new_m2m(&self, name: &str) -> (String, String) {
        let (st, body) = self
            .api(
                Method::POST,
                "/clients",
                Some(serde_json::json!({"name": name, "app_type": "non_interactive"})),
            )
            .await;
        assert_eq!(st, StatusCode::CREATED, "{body}");
        (
            body["client_id"].as_str().unwrap().to_string(),
            body["client_secret"].as_str().unwrap().to_string(),
        )
    }

    /// Counts of clients, APIs and grants, to check a failed request stored nothing.
    pub async fn counts(&self) -> (i64, i64, i64) {
        let mut out = [0i64; 3];
        for (i, path) in ["/clients", "/resource-servers", "/client-grants"]
            .iter()
            .enumerate()
        {
            let (_, body) = self
                .api(Method::GET, &format!("{path}?include_totals=true"), None)
                .await;
            out[i] = body["total"].as_i64().unwrap();
        }
        (out[0], out[1], out[2])
    }
}

/// Verifies `token` with the `jsonwebtoken` crate (independent of Portcullis's own
/// JOSE code) against the server's published JWKS.
pub async fn verify_with_jwks(srv: &TestServer, token: &str, audience: &str) -> Value {
    use jsonwebtoken::{Algorithm, DecodingKey, Validation, decode, decode_header};
    let jwks: jsonwebtoken::jwk::JwkSet = srv
        .http
        .get(format!("{}/.well-known/jwks.json", srv.url))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let header = decode_header(token).unwrap();
    assert!(
        matches!(
            header.alg,
            Algorithm::RS256 | Algorithm::PS256 | Algorithm::ES256 | Algorithm::EdDSA
        ),
        "{:?}",
        header.alg
    );
    // `at+jwt`: an access token of an API in an RFC 9068 dialect (§2.1).
    assert!(
        matches!(header.typ.as_deref(), Some("JWT" | "at+jwt")),
        "{:?}",
        header.typ
    );
    let kid = header.kid.expect("kid in header");
    let jwk = jwks.find(&kid).expect("kid is published");
    assert_eq!(
        jwk.common.key_algorithm.map(|a| format!("{a:?}")),
        Some(format!("{:?}", header.alg)),
        "the JWK's alg is the header's"
    );
    let key = DecodingKey::from_jwk(jwk).unwrap();
    let mut v = Validation::new(header.alg);
    v.set_issuer(&[&srv.issuer]);
    v.set_audience(&[audience]);
    v.set_required_spec_claims(&["exp", "iat", "iss", "aud", "sub"]);
    v.leeway = 0;
    decode::<Value>(token, &key, &v)
        .expect("token verifies")
        .claims
}

/// A JWT's header, decoded.
pub fn jwt_header(token: &str) -> Value {
    use base64::Engine;
    let header = token.split('.').next().unwrap();
    serde_json::from_slice(
        &base64::engine::general_purpose::URL_SAFE_NO_PAD
            .decode(header)
            .unwrap(),
    )
    .unwrap()
}

/// The `kid` in a JWT's header.
pub fn kid_of(token: &str) -> String {
    jwt_header(token)["kid"].as_str().unwrap().to_string()
}
