//! The HTTP client of upstream identity providers: discovery documents and
//! JWKS (cached per node), the code exchange, userinfo and profile URLs, and
//! the ID token's signature. What to ask and what to accept is decided in
//! `portcullis_core::upstream`.
//!
//! Invariants:
//! - Every call has a deadline ([`TIMEOUT`]) and reads at most [`MAX_BODY`]
//!   bytes; redirects are not followed; URLs are https (plain http only to this
//!   machine, checked when the connection was saved and again here).
//! - An ID token's signature is checked with the upstream's published key of
//!   the token's `kid`, with that key's asymmetric algorithm only: `none`,
//!   HMAC and header-supplied keys are refused. An unknown `kid` re-reads the
//!   JWKS at most once per [`JWKS_REFRESH`] (key rotation at the provider).

use std::collections::HashMap;
use std::sync::Mutex;
use std::time::{Duration, Instant};

use portcullis_core::upstream::{Endpoints, UpstreamError, is_allowed_url};
use serde_json::Value;

/// A provider that does not answer within this is down, for this sign-in.
pub const TIMEOUT: Duration = Duration::from_secs(10);
/// Discovery documents, keys, tokens and profiles are small.
pub const MAX_BODY: usize = 1 << 20;
const DISCOVERY_TTL: Duration = Duration::from_secs(3600);
const JWKS_TTL: Duration = Duration::from_secs(600);
const JWKS_REFRESH: Duration = Duration::from_secs(30);

type Cached<V> = Mutex<HashMap<String, (Instant, V)>>;

pub struct UpstreamClient {
    http: reqwest::Client,
    discovery: Cached<Endpoints>,
    jwks: Cached<jsonwebtoken::jwk::JwkSet>,
}

/// The HTTP client of every outbound call (upstream providers, back-channel
/// logout, the SMS gateway): each call bounded by `timeout`, no redirect
/// followed, Portcullis's user agent.
pub fn outbound_http_client(timeout: std::time::Duration) -> reqwest::Client {
    reqwest::Client::builder()
        .timeout(timeout)
        .connect_timeout(timeout)
        .redirect(reqwest::redirect::Policy::none())
        .user_agent(concat!("Portcullis/", env!("CARGO_PKG_VERSION")))
        .build()
        .unwrap_or_default()
}

impl Default for UpstreamClient {
    fn default() -> Self {
        Self {
            http: outbound_http_client(TIMEOUT),
            discovery: Default::default(),
            jwks: Default::default(),
        }
    }
}

/// An ES256 JWT of `claims`, signed with the PKCS#8 PEM key `pem` (Apple's
/// `.p8`) and naming `kid`: Apple's client secret.
pub fn es256_jwt(pem: &str, kid: &str, claims: &Value) -> Result<String, UpstreamError> {
    use base64::Engine;
    let body: String = pem
        .lines()
        .map(str::trim)
        .filter(|l| !l.starts_with("-----"))
        .collect();
    let der = base64::engine::general_purpose::STANDARD
        .decode(body)
        .map_err(|_| bad("the Apple key is not a PEM private key"))?;
    let key = jsonwebtoken::EncodingKey::from_ec_der(&der);
    let mut header = jsonwebtoken::Header::new(jsonwebtoken::Algorithm::ES256);
    header.kid = Some(kid.to_string());
    jsonwebtoken::encode(&header, claims, &key)
        .map_err(|_| bad("the Apple key is not a P-256 private key"))
}

fn unreachable(e: impl std::fmt::Display) -> UpstreamError {
    UpstreamError::Unreachable(e.to_string())
}

fn bad(e: impl std::fmt::Display) -> UpstreamError {
    UpstreamError::BadAnswer(e.to_string())
}

fn cached<V: Clone>(map: &Cached<V>, key: &str, ttl: Duration) -> Option<V> {
    let m = map.lock().ok()?;
    m.get(key)
        .filter(|(at, _)| at.elapsed() < ttl)
        .map(|(_, v)| v.clone())
}

fn remember<V>(map: &Cached<V>, key: &str, v: V) {
    if let Ok(mut m) = map.lock() {
        if m.len() > 1000 {
            m.clear();
        }
        m.insert(key.to_string(), (Instant::now(), v));
    }
}

/// Whether `url` names this machine.
fn is_loopback(url: &str) -> bool {
    url::Url::parse(url).ok().is_some_and(|u| match u.host() {
        Some(url::Host::Domain(d)) => d.eq_ignore_ascii_case("localhost"),
        Some(url::Host::Ipv4(ip)) => ip.is_loopback() || ip.is_unspecified(),
        Some(url::Host::Ipv6(ip)) => ip.is_loopback() || ip.is_unspecified(),
        None => false,
    })
}

/// The issuer a discovery document at `url` must name (OIDC Discovery §4.3:
/// the document's `issuer` is the URL before `/.well-known/…`).
fn issuer_of_discovery_url(url: &str) -> Option<&str> {
    url.split_once("/.well-known/openid-configuration")
        .map(|(base, _)| base)
}

impl UpstreamClient {
    async fn read(res: reqwest::Response) -> Result<(reqwest::StatusCode, Vec<u8>), UpstreamError> {
        let status = res.status();
        if res.content_length().is_some_and(|n| n > MAX_BODY as u64) {
            return Err(bad("the answer is too large"));
        }
        let mut res = res;
        let mut body = Vec::new();
        while let Some(chunk) = res.chunk().await.map_err(unreachable)? {
            if body.len() + chunk.len() > MAX_BODY {
                return Err(bad("the answer is too large"));
            }
            body.extend_from_slice(&chunk);
        }
        Ok((status, body))
    }

    async fn get_json(&self, url: &str, bearer: Option<&str>) -> Result<Value, UpstreamError> {
        if !is_allowed_url(url) {
            return Err(bad(format!("{url} is not an https URL")));
        }
        let mut req = self.http.get(url).header("accept", "application/json");
        if let Some(t) = bearer {
            req = req.bearer_auth(t);
        }
        let (status, body) = Self::read(req.send().await.map_err(unreachable)?).await?;
        if !status.is_success() {
            return Err(bad(format!("{url} answered {status}")));
        }
        serde_json::from_slice(&body).map_err(|e| bad(format!("{url} is not JSON: {e}")))
    }

    /// The provider's endpoints from its discovery document (cached an hour).
    pub async fn discover(&self, url: &str) -> Result<Endpoints, UpstreamError> {
        if let Some(e) = cached(&self.discovery, url, DISCOVERY_TTL) {
            return Ok(e);
        }
        let doc = self.get_json(url, None).await?;
        let e: Endpoints = serde_json::from_value(doc)
            .map_err(|e| bad(format!("the discovery document does not parse: {e}")))?;
        // OIDC Discovery §4.3: the issuer must be the one the URL names (a
        // document copied from another provider is refused). Microsoft's
        // multi-tenant `{tenantid}` issuer is checked per token instead.
        let issuer = e.issuer.as_deref().unwrap_or_default();
        let named = issuer_of_discovery_url(url).unwrap_or_default();
        if !issuer.contains("{tenantid}")
            && issuer.trim_end_matches('/') != named.trim_end_matches('/')
        {
            return Err(bad(format!(
                "the discovery document names the issuer {issuer}, not {named}"
            )));
        }
        for u in [Some(&e.authorization_endpoint), Some(&e.token_endpoint)]
            .into_iter()
            .chain([e.jwks_uri.as_ref(), e.userinfo_endpoint.as_ref()])
            .flatten()
        {
            if !is_allowed_url(u) {
                return Err(bad(format!("the endpoint {u} is not an https URL")));
            }
            // A provider elsewhere may not send this server to itself (its
            // token endpoint would receive the client secret).
            if is_loopback(u) && !is_loopback(url) {
                return Err(bad(format!("the endpoint {u} is on this machine")));
            }
        }
        remember(&self.discovery, url, e.clone());
        Ok(e)
    }

    async fn key_set(
        &self,
        uri: &str,
        fresh: bool,
    ) -> Result<jsonwebtoken::jwk::JwkSet, UpstreamError> {
        let ttl = if fresh { JWKS_REFRESH } else { JWKS_TTL };
        if let Some(k) = cached(&self.jwks, uri, ttl) {
            return Ok(k);
        }
        let doc = self.get_json(uri, None).await?;
        let set: jsonwebtoken::jwk::JwkSet = serde_json::from_value(doc)
            .map_err(|e| bad(format!("the JWKS does not parse: {e}")))?;
        remember(&self.jwks, uri, set.clone());
        Ok(set)
    }

    /// The ID token's claims once its signature verifies with the upstream's
    /// key (the claims themselves are checked by the core).
    pub async fn verified_claims(
        &self,
        token: &str,
        jwks_uri: &str,
    ) -> Result<Value, UpstreamError> {
        use jsonwebtoken::{Algorithm, DecodingKey, Validation};
        let invalid = |m: &str| UpstreamError::BadIdToken(m.into());
        let header = jsonwebtoken::decode_header(token).map_err(|_| invalid("not a JWS"))?;
        let asymmetric = [
            Algorithm::RS256,
            Algorithm::RS384,
            Algorithm::RS512,
            Algorithm::PS256,
            Algorithm::PS384,
            Algorithm::PS512,
            Algorithm::ES256,
            Algorithm::ES384,
            Algorithm::EdDSA,
        ];
        if !asymmetric.contains(&header.alg) {
            return Err(invalid("its algorithm is not an asymmetric one"));
        }
        let kid = header
            .kid
            .as_deref()
            .ok_or_else(|| invalid("it names no key"))?;
        let mut set = self.key_set(jwks_uri, false).await?;
        if set.find(kid).is_none() {
            set = self.key_set(jwks_uri, true).await?;
        }
        let jwk = set
            .find(kid)
            .ok_or_else(|| invalid("its key is not published by the provider"))?;
        if let Some(alg) = jwk.common.key_algorithm
            && alg.to_string() != format!("{:?}", header.alg)
        {
            return Err(invalid("its algorithm is not its key's"));
        }
        let key = DecodingKey::from_jwk(jwk).map_err(|_| invalid("its key is unusable"))?;
        let mut v = Validation::new(header.alg);
        // The core checks iss, aud, exp, iat and nonce (with its own clock).
        v.validate_exp = false;
        v.validate_aud = false;
        v.required_spec_claims.clear();
        jsonwebtoken::decode::<Value>(token, &key, &v)
            .map(|d| d.claims)
            .map_err(|_| invalid("its signature does not verify"))
    }

    /// RFC 6749 §4.1.3: the code for tokens. `basic`: client_secret_basic,
    /// else client_secret_post.
    #[allow(clippy::too_many_arguments)]
    pub async fn exchange_code(
        &self,
        token_endpoint: &str,
        code: &str,
        redirect_uri: &str,
        code_verifier: &str,
        client_id: &str,
        client_secret: Option<&str>,
        basic: bool,
    ) -> Result<Value, UpstreamError> {
        if !is_allowed_url(token_endpoint) {
            return Err(bad("the token endpoint is not an https URL"));
        }
        let mut form = vec![
            ("grant_type", "authorization_code"),
            ("code", code),
            ("redirect_uri", redirect_uri),
            ("code_verifier", code_verifier),
        ];
        let mut req = self
            .http
            .post(token_endpoint)
            .header("accept", "application/json");
        match (client_secret, basic) {
            (Some(secret), true) => {
                // RFC 6749 §2.3.1: both parts form-encoded before Basic.
                let enc =
                    |s: &str| form_urlencoded::byte_serialize(s.as_bytes()).collect::<String>();
                req = req.basic_auth(enc(client_id), Some(enc(secret)));
            }
            (Some(secret), false) => {
                form.push(("client_id", client_id));
                form.push(("client_secret", secret));
            }
            (None, _) => form.push(("client_id", client_id)),
        }
        let (status, body) = Self::read(req.form(&form).send().await.map_err(unreachable)?).await?;
        let doc: Value = serde_json::from_slice(&body)
            .map_err(|_| bad(format!("the token endpoint answered {status} without JSON")))?;
        if let Some(error) = doc["error"].as_str() {
            return Err(UpstreamError::Refused {
                error: error.chars().take(64).collect(),
                description: doc["error_description"]
                    .as_str()
                    .unwrap_or("")
                    .chars()
                    .take(300)
                    .collect(),
            });
        }
        if !status.is_success() {
            return Err(bad(format!("the token endpoint answered {status}")));
        }
        Ok(doc)
    }

    /// A JSON document for the access token (userinfo, a profile URL).
    pub async fn profile(&self, url: &str, access_token: &str) -> Result<Value, UpstreamError> {
        self.get_json(url, Some(access_token)).await
    }
}
