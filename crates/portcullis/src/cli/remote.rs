//! Talking to a running server's Management API as the administrator (or any
//! client with a Management API grant).

use std::path::Path;

use serde_json::Value;

/// A CLI failure, with what to do about it. Usage problems exit 2, the rest 1.
#[derive(Debug, thiserror::Error)]
pub enum CliError {
    #[error("{0}")]
    Usage(String),
    #[error(
        "cannot reach {url}: {detail} (is `portcullis serve` running there? set --url or PORTCULLIS_URL)"
    )]
    Unreachable { url: String, detail: String },
    #[error("{method} {path} failed with HTTP {status}: {message}")]
    Api {
        method: String,
        path: String,
        status: u16,
        message: String,
    },
    #[error("{0}")]
    Other(String),
}

impl CliError {
    pub fn exit_code(&self) -> i32 {
        match self {
            CliError::Usage(_) => 2,
            _ => 1,
        }
    }
}

/// Client credentials for the Management API.
#[derive(Debug, Clone)]
pub struct Credentials {
    pub client_id: String,
    pub client_secret: String,
}

impl Credentials {
    /// Flags first, then `PORTCULLIS_BOOTSTRAP_CLIENT_ID`/`_SECRET`, then the
    /// server's `<data dir>/admin-credentials.json`.
    pub fn resolve(
        client_id: Option<&str>,
        client_secret: Option<&str>,
        bootstrap: (Option<&str>, Option<&str>),
        data_dir: &Path,
    ) -> Result<Self, CliError> {
        if let (Some(id), Some(secret)) = (client_id, client_secret) {
            return Ok(Self {
                client_id: id.into(),
                client_secret: secret.into(),
            });
        }
        if client_id.is_some() != client_secret.is_some() {
            return Err(CliError::Usage(
                "pass both --client-id and --client-secret, or neither".into(),
            ));
        }
        if let (Some(id), Some(secret)) = bootstrap {
            return Ok(Self {
                client_id: id.into(),
                client_secret: secret.into(),
            });
        }
        let file = data_dir.join("admin-credentials.json");
        let text = std::fs::read_to_string(&file).map_err(|e| {
            CliError::Usage(format!(
                "no admin credentials: {} is unreadable ({e}); pass --client-id and --client-secret, \
                 set PORTCULLIS_BOOTSTRAP_CLIENT_ID and PORTCULLIS_BOOTSTRAP_CLIENT_SECRET, \
                 or point --data-dir at the server's data directory",
                file.display()
            ))
        })?;
        let v: Value = serde_json::from_str(&text)
            .map_err(|e| CliError::Usage(format!("{} is not JSON: {e}", file.display())))?;
        match (v["client_id"].as_str(), v["client_secret"].as_str()) {
            (Some(id), Some(secret)) => Ok(Self {
                client_id: id.into(),
                client_secret: secret.into(),
            }),
            _ => Err(CliError::Usage(format!(
                "{} lacks client_id or client_secret",
                file.display()
            ))),
        }
    }
}

pub struct Remote {
    pub base: String,
    http: reqwest::Client,
    credentials: Option<Credentials>,
    token: Option<String>,
}

/// Auth0's `{message}` (Management API) or RFC 6749's `error_description`.
fn message_of(body: &Value, text: &str) -> String {
    body["message"]
        .as_str()
        .or_else(|| body["error_description"].as_str())
        .or_else(|| body["error"].as_str())
        .map(str::to_string)
        .unwrap_or_else(|| text.chars().take(300).collect())
}

/// The JSON body of a 2xx response, or the server's error message.
async fn json_or_error(
    res: reqwest::Response,
    method: &str,
    path: &str,
) -> Result<Value, CliError> {
    let status = res.status().as_u16();
    let text = res.text().await.unwrap_or_default();
    let body: Value = serde_json::from_str(&text).unwrap_or(Value::Null);
    if !(200..300).contains(&status) {
        return Err(CliError::Api {
            method: method.into(),
            path: path.into(),
            status,
            message: message_of(&body, &text),
        });
    }
    Ok(body)
}

/// The CLI's HTTP client, trusting `ca_cert` (PEM) besides the system's roots
/// (`--ca-cert`, for a server behind a private CA).
pub fn http_client(ca_cert: Option<&std::path::Path>) -> Result<reqwest::Client, CliError> {
    let mut builder = reqwest::Client::builder().timeout(std::time::Duration::from_secs(30));
    if let Some(path) = ca_cert {
        let pem = std::fs::read(path).map_err(|e| {
            CliError::Usage(format!("cannot read --ca-cert {}: {e}", path.display()))
        })?;
        let certs = reqwest::Certificate::from_pem_bundle(&pem).map_err(|e| {
            CliError::Usage(format!(
                "--ca-cert {} is not PEM certificates: {e}",
                path.display()
            ))
        })?;
        for c in certs {
            builder = builder.add_root_certificate(c);
        }
    }
    builder.build().map_err(|e| CliError::Other(e.to_string()))
}

/// What went wrong reaching `url`, saying so plainly when it is TLS (an
/// untrusted or mismatched certificate) and how to trust a private CA.
pub fn unreachable(url: &str, e: &reqwest::Error) -> CliError {
    let mut chain = Vec::new();
    let mut source: Option<&dyn std::error::Error> = Some(e);
    while let Some(s) = source {
        chain.push(s.to_string());
        source = s.source();
    }
    let all = chain.join(": ");
    let lower = all.to_ascii_lowercase();
    let detail = if lower.contains("certificate")
        || lower.contains("tls")
        || lower.contains("handshake")
    {
        format!(
            "TLS error: {all}. If the server's certificate comes from a private CA, pass --ca-cert FILE (PEM) or set PORTCULLIS_CA_CERT"
        )
    } else {
        all
    };
    CliError::Unreachable {
        url: url.to_string(),
        detail,
    }
}

impl Remote {
    /// `base` is the server's issuer URL, ending with `/`.
    pub fn new(
        base: &str,
        credentials: Option<Credentials>,
        ca_cert: Option<&std::path::Path>,
    ) -> Result<Self, CliError> {
        let base = if base.ends_with('/') {
            base.to_string()
        } else {
            format!("{base}/")
        };
        let http = http_client(ca_cert)?;
        Ok(Self {
            base,
            http,
            credentials,
            token: None,
        })
    }

    fn unreachable(&self, e: reqwest::Error) -> CliError {
        unreachable(&self.base, &e)
    }

    /// A client-credentials token for `audience`.
    pub async fn client_token(
        &self,
        creds: &Credentials,
        audience: &str,
        scope: Option<&str>,
    ) -> Result<Value, CliError> {
        let mut form = vec![
            ("grant_type", "client_credentials"),
            ("client_id", creds.client_id.as_str()),
            ("client_secret", creds.client_secret.as_str()),
            ("audience", audience),
        ];
        if let Some(s) = scope {
            form.push(("scope", s));
        }
        let res = self
            .http
            .post(format!("{}oauth/token", self.base))
            .form(&form)
            .send()
            .await
            .map_err(|e| self.unreachable(e))?;
        json_or_error(res, "POST", "/oauth/token").await
    }

    async fn management_token(&mut self) -> Result<String, CliError> {
        if let Some(t) = &self.token {
            return Ok(t.clone());
        }
        let creds = self.credentials.clone().ok_or_else(|| {
            CliError::Usage("this command needs admin credentials (see --client-id)".into())
        })?;
        let audience = format!("{}api/v2/", self.base);
        let body = self.client_token(&creds, &audience, None).await?;
        let token = body["access_token"]
            .as_str()
            .ok_or_else(|| CliError::Other("the token response has no access_token".into()))?
            .to_string();
        self.token = Some(token.clone());
        Ok(token)
    }

    /// A Management API call; `path` is below `/api/v2`.
    pub async fn call(
        &mut self,
        method: reqwest::Method,
        path: &str,
        body: Option<Value>,
    ) -> Result<Value, CliError> {
        let token = self.management_token().await?;
        let mut req = self
            .http
            .request(method.clone(), format!("{}api/v2{path}", self.base))
            .bearer_auth(token);
        if let Some(b) = body {
            req = req.json(&b);
        }
        let res = req.send().await.map_err(|e| self.unreachable(e))?;
        json_or_error(res, method.as_str(), &format!("/api/v2{path}")).await
    }

    /// A Management API call with a body that is not JSON (a multipart
    /// upload); `path` is below `/api/v2`.
    pub async fn call_raw(
        &mut self,
        method: reqwest::Method,
        path: &str,
        content_type: &str,
        body: Vec<u8>,
    ) -> Result<Value, CliError> {
        let token = self.management_token().await?;
        let res = self
            .http
            .request(method.clone(), format!("{}api/v2{path}", self.base))
            .bearer_auth(token)
            .header(reqwest::header::CONTENT_TYPE, content_type)
            .body(body)
            .send()
            .await
            .map_err(|e| self.unreachable(e))?;
        json_or_error(res, method.as_str(), &format!("/api/v2{path}")).await
    }

    /// A GET of any URL (the issuer's JWKS for `jwt decode --verify`).
    pub async fn get_json(&self, url: &str) -> Result<Value, CliError> {
        let res = self
            .http
            .get(url)
            .send()
            .await
            .map_err(|e| unreachable(url, &e))?;
        let status = res.status().as_u16();
        if status != 200 {
            return Err(CliError::Api {
                method: "GET".into(),
                path: url.into(),
                status,
                message: "not a JWKS".into(),
            });
        }
        res.json()
            .await
            .map_err(|e| CliError::Other(format!("{url} did not return JSON: {e}")))
    }
}
