//! Signing in through an upstream identity provider (a connection whose
//! strategy is not `auth0`): what to send it, what to accept back, and which
//! user it makes. No I/O: the shell fetches discovery documents, keys, tokens
//! and profiles, and passes them in.
//!
//! Invariants:
//! - Every request to the upstream carries a fresh `state` (single use, bound
//!   to the login transaction and the browser by the shell), PKCE S256 and, for
//!   OpenID Connect, a fresh `nonce` (OIDC Core §3.1.2.1, RFC 7636, RFC 9700
//!   §2.1).
//! - RFC 9207: an `iss` in the authorization response must be the upstream's
//!   issuer, and is required when the upstream says it sends one; a response
//!   meant for another provider is refused (mix-up).
//! - An ID token is accepted only with `iss` the upstream's issuer, `aud`
//!   holding the client id (and `azp` the client id when several audiences),
//!   `exp` in the future, `iat` not in the future (60 s leeway) and `nonce` the
//!   one sent (OIDC Core §3.1.3.7). Its signature is checked by the shell
//!   against the upstream's JWKS before these claims are read.
//! - User ids are Auth0's: `<strategy>|<sub>` for social providers,
//!   `<strategy>|<connection>|<sub>` for `oidc` and `oauth2`.

use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};

use crate::UnixTime;
use crate::clock::iso8601;
use crate::connections::{Connection, Strategy};
use crate::users::{Identity, User};
use crate::validation::{Validated, ValidationError};

/// The OIDC discovery document of the presets that have one.
pub const GOOGLE_DISCOVERY: &str = "https://accounts.google.com/.well-known/openid-configuration";
pub const MICROSOFT_DISCOVERY: &str =
    "https://login.microsoftonline.com/common/v2.0/.well-known/openid-configuration";
pub const APPLE_DISCOVERY: &str = "https://appleid.apple.com/.well-known/openid-configuration";
pub const GITHUB_AUTHORIZE: &str = "https://github.com/login/oauth/authorize";
pub const GITHUB_TOKEN: &str = "https://github.com/login/oauth/access_token";
pub const GITHUB_PROFILE: &str = "https://api.github.com/user";

/// How the upstream proves who signed in.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Protocol {
    /// An ID token (and the userinfo endpoint when it has one).
    OpenIdConnect,
    /// An access token for a profile URL, read through a claim mapping.
    OAuth2,
}

/// Where the upstream's endpoints are.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct Endpoints {
    pub issuer: Option<String>,
    pub authorization_endpoint: String,
    pub token_endpoint: String,
    #[serde(default)]
    pub userinfo_endpoint: Option<String>,
    #[serde(default)]
    pub jwks_uri: Option<String>,
    /// RFC 9207 §3: the upstream puts `iss` in its authorization responses.
    #[serde(default)]
    pub authorization_response_iss_parameter_supported: bool,
    #[serde(default)]
    pub token_endpoint_auth_methods_supported: Vec<String>,
}

/// Where a profile field comes from, for `oauth2` (a dotted path into the
/// profile JSON).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ProfileMap {
    pub user_id: String,
    pub email: Option<String>,
    pub email_verified: Option<String>,
    pub name: Option<String>,
    pub nickname: Option<String>,
    pub given_name: Option<String>,
    pub family_name: Option<String>,
    pub picture: Option<String>,
}

impl ProfileMap {
    /// The OpenID Connect claim names.
    pub fn oidc() -> Self {
        Self {
            user_id: "sub".into(),
            email: Some("email".into()),
            email_verified: Some("email_verified".into()),
            name: Some("name".into()),
            nickname: Some("nickname".into()),
            given_name: Some("given_name".into()),
            family_name: Some("family_name".into()),
            picture: Some("picture".into()),
        }
    }

    fn github() -> Self {
        Self {
            user_id: "id".into(),
            email: Some("email".into()),
            // GitHub's profile says nothing about verification.
            email_verified: None,
            name: Some("name".into()),
            nickname: Some("login".into()),
            given_name: None,
            family_name: None,
            picture: Some("avatar_url".into()),
        }
    }
}

/// How to reach and read one upstream, from its connection.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct UpstreamConfig {
    pub protocol: Protocol,
    /// Fetched by the shell (OIDC), giving [`Endpoints`].
    pub discovery_url: Option<String>,
    /// Given in the options (or fixed by a preset).
    pub endpoints: Option<Endpoints>,
    pub profile_url: Option<String>,
    pub profile_map: ProfileMap,
    pub client_id: String,
    pub scope: String,
    /// The part of the user id before the upstream's subject.
    pub id_prefix: String,
    /// Apple: the client secret is a JWT made with the team's key.
    pub apple: Option<AppleKey>,
    /// GitHub: where the verified addresses are (its profile says nothing of
    /// verification).
    pub emails_url: Option<String>,
    /// The provider answers with a POST (Apple, when it sends the name or
    /// e-mail).
    pub form_post: bool,
}

/// Auth0's `team_id` and `kid` of an apple connection.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AppleKey {
    pub team_id: String,
    pub key_id: String,
}

/// The claims of Apple's client-secret JWT (ES256 with the team's key, `kid`
/// its key id): at most six months; Portcullis makes one per exchange, valid
/// five minutes.
pub fn apple_client_secret_claims(key: &AppleKey, client_id: &str, now: UnixTime) -> Value {
    serde_json::json!({
        "iss": key.team_id,
        "iat": now,
        "exp": now + 300,
        "aud": "https://appleid.apple.com",
        "sub": client_id,
    })
}

fn text<'a>(o: &'a Map<String, Value>, key: &str) -> Validated<Option<&'a str>> {
    match o.get(key) {
        None | Some(Value::Null) => Ok(None),
        Some(Value::String(s)) if !s.is_empty() && s.len() <= 2048 => Ok(Some(s)),
        Some(_) => Err(ValidationError::field(
            &format!("options.{key}"),
            "must be a non-empty string",
        )),
    }
}

/// An absolute `https` URL (or `http` to this machine, for development and
/// tests).
fn endpoint(o: &Map<String, Value>, key: &str) -> Validated<Option<String>> {
    let Some(s) = text(o, key)? else {
        return Ok(None);
    };
    if is_allowed_url(s) {
        Ok(Some(s.to_string()))
    } else {
        Err(ValidationError::field(
            &format!("options.{key}"),
            "must be an https URL (http only to 127.0.0.1 or localhost)",
        ))
    }
}

/// `https`, or plain `http` to this machine only.
pub fn is_allowed_url(s: &str) -> bool {
    match url::Url::parse(s) {
        Ok(u) if u.scheme() == "https" => u.host_str().is_some(),
        Ok(u) if u.scheme() == "http" => {
            matches!(u.host_str(), Some("127.0.0.1" | "localhost" | "[::1]"))
        }
        _ => false,
    }
}

/// `scope` as a string or an array (Auth0 uses both, per strategy).
fn scope(o: &Map<String, Value>, default: &str) -> Validated<String> {
    match o.get("scope") {
        None | Some(Value::Null) => Ok(default.to_string()),
        Some(Value::String(s)) => Ok(s.split_whitespace().collect::<Vec<_>>().join(" ")),
        Some(Value::Array(a)) => a
            .iter()
            .map(|v| v.as_str().map(str::to_string))
            .collect::<Option<Vec<_>>>()
            .map(|v| v.join(" "))
            .ok_or_else(|| ValidationError::field("options.scope", "must be a string or strings")),
        Some(_) => Err(ValidationError::field(
            "options.scope",
            "must be a string or strings",
        )),
    }
}

fn with_openid(scope: String) -> String {
    if scope.split(' ').any(|s| s == "openid") {
        scope
    } else if scope.is_empty() {
        "openid".into()
    } else {
        format!("openid {scope}")
    }
}

fn explicit_endpoints(o: &Map<String, Value>, names: [&str; 4]) -> Validated<Option<Endpoints>> {
    let [authz, token, userinfo, jwks] = names;
    let authorization = endpoint(o, authz)?;
    let token_url = endpoint(o, token)?;
    match (authorization, token_url) {
        (Some(a), Some(t)) => Ok(Some(Endpoints {
            issuer: text(o, "issuer")?.map(str::to_string),
            authorization_endpoint: a,
            token_endpoint: t,
            userinfo_endpoint: endpoint(o, userinfo)?,
            jwks_uri: endpoint(o, jwks)?,
            authorization_response_iss_parameter_supported: false,
            token_endpoint_auth_methods_supported: Vec::new(),
        })),
        (None, None) => Ok(None),
        _ => Err(ValidationError::field(
            &format!("options.{authz}"),
            format!("{authz} and {token} go together"),
        )),
    }
}

fn profile_map(o: &Map<String, Value>) -> Validated<ProfileMap> {
    let Some(m) = o.get("profile_map") else {
        return Ok(ProfileMap {
            user_id: "id".into(),
            ..ProfileMap::oidc()
        });
    };
    let Some(m) = m.as_object() else {
        return Err(ValidationError::field(
            "options.profile_map",
            "must be an object of field paths",
        ));
    };
    let path = |k: &str| -> Validated<Option<String>> {
        Ok(text(m, k)
            .map_err(|_| {
                ValidationError::field("options.profile_map", format!("{k} must be a path"))
            })?
            .map(str::to_string))
    };
    Ok(ProfileMap {
        user_id: path("user_id")?.unwrap_or_else(|| "id".into()),
        email: path("email")?,
        email_verified: path("email_verified")?,
        name: path("name")?,
        nickname: path("nickname")?,
        given_name: path("given_name")?,
        family_name: path("family_name")?,
        picture: path("picture")?,
    })
}

/// Reads (and checks) an upstream connection's options. Auth0's option names
/// where it has them; `profileURL` and `profile_map` for `oauth2` are
/// Portcullis's (Auth0 runs a `fetchUserProfile` script there).
pub fn config(c: &Connection) -> Validated<UpstreamConfig> {
    let o = &c.options;
    let Some(client_id) = text(o, "client_id")? else {
        return Err(ValidationError::field(
            "options.client_id",
            "Missing required property",
        ));
    };
    let client_id = client_id.to_string();
    let social = |p: &str| p.to_string();
    match c.strategy {
        Strategy::Database | Strategy::Email | Strategy::Sms => Err(ValidationError::field(
            "strategy",
            "a database or passwordless connection has no upstream",
        )),
        Strategy::Oidc => {
            if text(o, "type")?.is_some_and(|t| t != "back_channel") {
                return Err(ValidationError::field(
                    "options.type",
                    "only back_channel (the code flow) is supported",
                ));
            }
            let discovery_url = endpoint(o, "discovery_url")?;
            let endpoints = explicit_endpoints(
                o,
                [
                    "authorization_endpoint",
                    "token_endpoint",
                    "userinfo_endpoint",
                    "jwks_uri",
                ],
            )?;
            if let Some(e) = &endpoints
                && (e.jwks_uri.is_none() || e.issuer.is_none())
            {
                return Err(ValidationError::field(
                    "options.jwks_uri",
                    "explicit endpoints need issuer and jwks_uri too",
                ));
            }
            if discovery_url.is_none() && endpoints.is_none() {
                return Err(ValidationError::field(
                    "options.discovery_url",
                    "give discovery_url, or issuer, authorization_endpoint, token_endpoint and jwks_uri",
                ));
            }
            Ok(UpstreamConfig {
                protocol: Protocol::OpenIdConnect,
                discovery_url,
                endpoints,
                profile_url: None,
                profile_map: ProfileMap::oidc(),
                client_id,
                scope: with_openid(scope(o, "openid profile email")?),
                id_prefix: format!("oidc|{}", c.name),
                apple: None,
                emails_url: None,
                form_post: false,
            })
        }
        Strategy::OAuth2 => {
            let endpoints = explicit_endpoints(
                o,
                ["authorizationURL", "tokenURL", "profileURL", "jwks_uri"],
            )?
            .ok_or_else(|| {
                ValidationError::field(
                    "options.authorizationURL",
                    "authorizationURL and tokenURL are required",
                )
            })?;
            let Some(profile_url) = endpoint(o, "profileURL")? else {
                return Err(ValidationError::field(
                    "options.profileURL",
                    "Missing required property (the URL that answers the signed-in user's profile as JSON)",
                ));
            };
            Ok(UpstreamConfig {
                protocol: Protocol::OAuth2,
                discovery_url: None,
                endpoints: Some(endpoints),
                profile_url: Some(profile_url),
                profile_map: profile_map(o)?,
                client_id,
                scope: scope(o, "")?,
                id_prefix: format!("oauth2|{}", c.name),
                apple: None,
                emails_url: None,
                form_post: false,
            })
        }
        Strategy::Google | Strategy::Microsoft | Strategy::Apple => {
            let default_discovery = match c.strategy {
                Strategy::Google => GOOGLE_DISCOVERY,
                Strategy::Microsoft => MICROSOFT_DISCOVERY,
                _ => APPLE_DISCOVERY,
            };
            let default_scope = match c.strategy {
                Strategy::Apple => "openid",
                _ => "openid profile email",
            };
            let scope = with_openid(scope(o, default_scope)?);
            let apple = match (c.strategy, text(o, "team_id")?, text(o, "kid")?) {
                (Strategy::Apple, Some(t), Some(k)) => Some(AppleKey {
                    team_id: t.into(),
                    key_id: k.into(),
                }),
                (_, None, None) => None,
                _ => {
                    return Err(ValidationError::field(
                        "options.team_id",
                        "team_id and kid go together, on an apple connection",
                    ));
                }
            };
            // Apple sends the name and e-mail only with a POST.
            let form_post = c.strategy == Strategy::Apple
                && scope.split(' ').any(|s| s == "name" || s == "email");
            Ok(UpstreamConfig {
                protocol: Protocol::OpenIdConnect,
                // Overridable, for a mirror or a test double of the provider.
                discovery_url: Some(
                    endpoint(o, "discovery_url")?.unwrap_or_else(|| default_discovery.into()),
                ),
                endpoints: None,
                profile_url: None,
                profile_map: ProfileMap::oidc(),
                client_id,
                scope,
                id_prefix: social(c.strategy.as_str()),
                apple,
                emails_url: None,
                form_post,
            })
        }
        Strategy::GitHub => {
            let endpoints = Endpoints {
                issuer: None,
                authorization_endpoint: endpoint(o, "authorizationURL")?
                    .unwrap_or_else(|| GITHUB_AUTHORIZE.into()),
                token_endpoint: endpoint(o, "tokenURL")?.unwrap_or_else(|| GITHUB_TOKEN.into()),
                ..Endpoints::default()
            };
            let profile_url = endpoint(o, "profileURL")?.unwrap_or_else(|| GITHUB_PROFILE.into());
            // GitHub's API: `…/user` and `…/user/emails`.
            let emails_url = Some(format!("{}/emails", profile_url.trim_end_matches('/')));
            Ok(UpstreamConfig {
                protocol: Protocol::OAuth2,
                discovery_url: None,
                endpoints: Some(endpoints),
                profile_url: Some(profile_url),
                apple: None,
                emails_url,
                form_post: false,
                profile_map: ProfileMap::github(),
                client_id,
                scope: scope(o, "read:user user:email")?,
                id_prefix: social("github"),
            })
        }
    }
}

/// What the shell keeps for the callback (the verifier sealed).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Started {
    pub state: String,
    pub nonce: String,
    pub code_verifier: String,
    /// Where to send the browser.
    pub url: String,
}

/// The authorization request to the upstream (RFC 6749 §4.1.1 with PKCE and,
/// for OpenID Connect, a nonce).
pub fn start(cfg: &UpstreamConfig, endpoints: &Endpoints, redirect_uri: &str) -> Started {
    let state = crate::random::url_token();
    let nonce = crate::random::url_token();
    let code_verifier = format!(
        "{}{}",
        crate::random::url_token(),
        crate::random::url_token()
    );
    let challenge = crate::protocol::pkce::challenge_s256(&code_verifier);
    let mut url = url::Url::parse(&endpoints.authorization_endpoint)
        .unwrap_or_else(|_| url::Url::parse("https://invalid.invalid/").expect("a valid URL"));
    {
        let mut q = url.query_pairs_mut();
        q.append_pair("response_type", "code")
            .append_pair("client_id", &cfg.client_id)
            .append_pair("redirect_uri", redirect_uri)
            .append_pair("state", &state)
            .append_pair("code_challenge", &challenge)
            .append_pair("code_challenge_method", "S256");
        if !cfg.scope.is_empty() {
            q.append_pair("scope", &cfg.scope);
        }
        if cfg.protocol == Protocol::OpenIdConnect {
            q.append_pair("nonce", &nonce);
        }
        if cfg.form_post {
            q.append_pair("response_mode", "form_post");
        }
    }
    Started {
        state,
        nonce,
        code_verifier,
        url: url.into(),
    }
}

/// Why an upstream sign-in failed; each is audited and shown (or sent to the
/// application) by the shell.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum UpstreamError {
    #[error("the identity provider answered {error}: {description}")]
    Refused { error: String, description: String },
    #[error("the sign-in answer is unknown, used already or expired")]
    UnknownState,
    #[error("the answer names the issuer {got}, not {want} (RFC 9207)")]
    WrongIssuer { got: String, want: String },
    #[error("the answer has no iss, which this provider always sends (RFC 9207)")]
    MissingIssuer,
    #[error("the answer has no code")]
    NoCode,
    #[error("the identity provider could not be reached: {0}")]
    Unreachable(String),
    #[error("the identity provider's answer is not usable: {0}")]
    BadAnswer(String),
    #[error("the ID token is not valid: {0}")]
    BadIdToken(String),
    #[error("the profile has no {0}")]
    NoSubject(&'static str),
    /// Said without telling whether another account has the address.
    #[error("the sign-in was refused: the provider did not verify the e-mail address")]
    UnverifiedEmailTaken,
}

/// The authorization response's parameters (RFC 6749 §4.1.2, §4.1.2.1, RFC
/// 9207), checked before anything is redeemed.
pub fn check_response(
    params: &crate::protocol::params::Params,
    endpoints: &Endpoints,
) -> Result<String, UpstreamError> {
    if let Some(iss) = params.get("iss") {
        match &endpoints.issuer {
            Some(want) if want == iss => {}
            Some(want) => {
                return Err(UpstreamError::WrongIssuer {
                    got: iss.into(),
                    want: want.clone(),
                });
            }
            None => {
                return Err(UpstreamError::WrongIssuer {
                    got: iss.into(),
                    want: "none".into(),
                });
            }
        }
    } else if endpoints.authorization_response_iss_parameter_supported {
        return Err(UpstreamError::MissingIssuer);
    }
    if let Some(error) = params.get("error") {
        return Err(UpstreamError::Refused {
            error: error.chars().take(64).collect(),
            description: params
                .get("error_description")
                .unwrap_or("")
                .chars()
                .take(300)
                .collect(),
        });
    }
    params
        .get("code")
        .filter(|c| !c.is_empty())
        .map(str::to_string)
        .ok_or(UpstreamError::NoCode)
}

/// OIDC Core §3.1.3.7: the ID token's claims (the signature already checked).
pub fn check_id_token(
    claims: &Value,
    endpoints: &Endpoints,
    client_id: &str,
    nonce: &str,
    now: UnixTime,
) -> Result<(), UpstreamError> {
    let bad = |m: &str| Err(UpstreamError::BadIdToken(m.into()));
    let Some(want) = &endpoints.issuer else {
        return bad("the provider has no issuer");
    };
    // Microsoft's multi-tenant issuer names the tenant in the token (`tid`).
    let want = match claims["tid"].as_str() {
        Some(tid) if want.contains("{tenantid}") => want.replace("{tenantid}", tid),
        _ => want.clone(),
    };
    if claims["iss"].as_str() != Some(want.as_str()) {
        return bad("iss is not the provider's issuer");
    }
    let aud_ok = match &claims["aud"] {
        Value::String(a) => a == client_id,
        Value::Array(a) => {
            a.iter().any(|x| x == client_id)
                && (a.len() == 1 || claims["azp"].as_str() == Some(client_id))
        }
        _ => false,
    };
    if !aud_ok {
        return bad("aud is not this client");
    }
    match claims["exp"].as_i64() {
        Some(exp) if exp > now => {}
        _ => return bad("it has expired"),
    }
    if claims["iat"].as_i64().is_some_and(|iat| iat > now + 60) {
        return bad("it was issued in the future");
    }
    if claims["nonce"].as_str() != Some(nonce) {
        return bad("the nonce is not the one sent");
    }
    Ok(())
}

/// What the upstream says about the person.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Profile {
    pub subject: String,
    pub email: Option<String>,
    pub email_verified: bool,
    pub name: Option<String>,
    pub nickname: Option<String>,
    pub given_name: Option<String>,
    pub family_name: Option<String>,
    pub picture: Option<String>,
}

fn at<'a>(v: &'a Value, path: &str) -> Option<&'a Value> {
    path.split('.').try_fold(v, |v, k| v.get(k))
}

fn string_at(v: &Value, path: Option<&String>) -> Option<String> {
    let found = at(v, path?)?;
    let s = match found {
        Value::String(s) => s.clone(),
        Value::Number(n) => n.to_string(),
        _ => return None,
    };
    // Bounded: a provider's profile is not a place to store megabytes.
    (!s.is_empty() && s.len() <= 1024).then_some(s)
}

/// Reads the profile from claims (ID token, userinfo) or a profile document.
pub fn profile(doc: &Value, map: &ProfileMap) -> Result<Profile, UpstreamError> {
    let subject = string_at(doc, Some(&map.user_id)).ok_or(UpstreamError::NoSubject("subject"))?;
    let email_verified = map
        .email_verified
        .as_deref()
        .and_then(|p| at(doc, p))
        .is_some_and(|v| v == &Value::Bool(true) || v == "true");
    Ok(Profile {
        subject,
        email: string_at(doc, map.email.as_ref()).map(|e| crate::users::normalize_email(&e)),
        email_verified,
        name: string_at(doc, map.name.as_ref()),
        nickname: string_at(doc, map.nickname.as_ref()),
        given_name: string_at(doc, map.given_name.as_ref()),
        family_name: string_at(doc, map.family_name.as_ref()),
        picture: string_at(doc, map.picture.as_ref())
            .filter(|p| crate::validation::web_url("picture", p).is_ok()),
    })
}

/// GitHub's `/user/emails`: the primary address, when GitHub verified it.
pub fn github_verified_email(emails: &Value) -> Option<String> {
    emails
        .as_array()?
        .iter()
        .find(|e| e["primary"] == true && e["verified"] == true)
        .and_then(|e| e["email"].as_str())
        .map(crate::users::normalize_email)
}

/// The user id an upstream subject gets.
pub fn user_id(cfg: &UpstreamConfig, subject: &str) -> String {
    format!("{}|{subject}", cfg.id_prefix)
}

/// The user to store after a sign-in: new on the first, the profile refreshed
/// on later ones (what the user or an administrator set in metadata stays).
pub fn user_after_sign_in(
    existing: Option<User>,
    c: &Connection,
    cfg: &UpstreamConfig,
    p: &Profile,
    issuer: &str,
    now: UnixTime,
) -> User {
    let ts = iso8601(now);
    let email = p.email.clone().unwrap_or_default();
    let name = p
        .name
        .clone()
        .or_else(|| p.email.clone())
        .unwrap_or_else(|| p.subject.clone());
    let nickname = p
        .nickname
        .clone()
        .or_else(|| {
            email
                .split('@')
                .next()
                .filter(|s| !s.is_empty())
                .map(str::to_string)
        })
        .unwrap_or_else(|| name.clone());
    let picture = p
        .picture
        .clone()
        .unwrap_or_else(|| crate::users::default_picture(issuer, &name));
    match existing {
        Some(mut u) => {
            u.email = email;
            u.email_verified = p.email_verified;
            u.name = name;
            u.nickname = nickname;
            u.given_name = p.given_name.clone();
            u.family_name = p.family_name.clone();
            u.picture = picture;
            u.updated_at = ts;
            u
        }
        None => User {
            user_id: user_id(cfg, &p.subject),
            email,
            email_verified: p.email_verified,
            phone_number: None,
            phone_verified: None,
            username: None,
            name,
            nickname,
            given_name: p.given_name.clone(),
            family_name: p.family_name.clone(),
            picture,
            blocked: false,
            user_metadata: Map::new(),
            app_metadata: Map::new(),
            identities: vec![Identity {
                connection: c.name.clone(),
                user_id: p.subject.clone(),
                provider: c.strategy.as_str().into(),
                is_social: c.strategy.is_social(),
                profile_data: None,
            }],
            created_at: ts.clone(),
            updated_at: ts,
            last_login: None,
            logins_count: 0,
            last_password_reset: None,
        },
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn conn(strategy: Strategy, options: Value) -> Connection {
        Connection {
            id: "con_1".into(),
            name: "corp".into(),
            display_name: "Corp".into(),
            strategy,
            options: options.as_object().unwrap().clone(),
            realms: vec!["corp".into()],
            is_domain_connection: false,
            show_as_button: None,
            metadata: Map::new(),
        }
    }

    #[test]
    fn oidc_needs_discovery_or_every_endpoint() {
        let ok = config(&conn(Strategy::Oidc, json!({"client_id": "a", "discovery_url": "https://idp.example/.well-known/openid-configuration"}))).unwrap();
        assert_eq!(ok.scope, "openid profile email");
        assert_eq!(ok.id_prefix, "oidc|corp");
        assert!(config(&conn(Strategy::Oidc, json!({"client_id": "a"}))).is_err());
        assert!(
            config(&conn(
                Strategy::Oidc,
                json!({"discovery_url": "https://idp.example/"})
            ))
            .is_err()
        );
        assert!(
            config(&conn(
                Strategy::Oidc,
                json!({"client_id": "a", "discovery_url": "http://idp.example/"})
            ))
            .is_err(),
            "plain http off this machine"
        );
        assert!(
            config(&conn(
                Strategy::Oidc,
                json!({"client_id": "a", "discovery_url": "http://127.0.0.1:9/"})
            ))
            .is_ok()
        );
        assert!(config(&conn(Strategy::Oidc, json!({"client_id": "a", "authorization_endpoint": "https://i.example/a", "token_endpoint": "https://i.example/t"}))).is_err(), "no jwks_uri");
        let explicit = config(&conn(Strategy::Oidc, json!({"client_id": "a", "issuer": "https://i.example/", "authorization_endpoint": "https://i.example/a", "token_endpoint": "https://i.example/t", "jwks_uri": "https://i.example/k", "scope": "email"}))).unwrap();
        assert_eq!(explicit.scope, "openid email");
        assert!(config(&conn(Strategy::Oidc, json!({"client_id": "a", "discovery_url": "https://i.example/", "type": "front_channel"}))).is_err());
    }

    #[test]
    fn presets_fill_in_the_providers_endpoints() {
        let g = config(&conn(
            Strategy::Google,
            json!({"client_id": "g", "scope": ["email", "profile"]}),
        ))
        .unwrap();
        assert_eq!(g.discovery_url.as_deref(), Some(GOOGLE_DISCOVERY));
        assert_eq!(g.scope, "openid email profile");
        assert_eq!(g.id_prefix, "google-oauth2");
        let gh = config(&conn(Strategy::GitHub, json!({"client_id": "h"}))).unwrap();
        assert_eq!(gh.protocol, Protocol::OAuth2);
        assert_eq!(gh.endpoints.unwrap().token_endpoint, GITHUB_TOKEN);
        assert_eq!(gh.profile_map.nickname.as_deref(), Some("login"));
        assert_eq!(
            gh.emails_url.as_deref(),
            Some("https://api.github.com/user/emails")
        );
        let apple = config(&conn(Strategy::Apple, json!({"client_id": "com.example.web", "team_id": "T1", "kid": "K1", "scope": "name email"}))).unwrap();
        assert!(apple.form_post);
        assert_eq!(apple.apple.as_ref().unwrap().team_id, "T1");
        let claims =
            apple_client_secret_claims(apple.apple.as_ref().unwrap(), &apple.client_id, 100);
        assert_eq!(claims["sub"], "com.example.web");
        assert_eq!(claims["aud"], "https://appleid.apple.com");
        assert!(
            config(&conn(
                Strategy::Apple,
                json!({"client_id": "a", "team_id": "T1"})
            ))
            .is_err()
        );
        assert_eq!(github_verified_email(&json!([{"email": "a@x.io", "primary": false, "verified": true}, {"email": "B@x.io", "primary": true, "verified": true}])).as_deref(), Some("b@x.io"));
        assert_eq!(
            github_verified_email(
                &json!([{"email": "b@x.io", "primary": true, "verified": false}])
            ),
            None
        );
        let ms = config(&conn(Strategy::Microsoft, json!({"client_id": "m"}))).unwrap();
        assert_eq!(ms.discovery_url.as_deref(), Some(MICROSOFT_DISCOVERY));
        assert_eq!(ms.id_prefix, "windowslive");
    }

    #[test]
    fn oauth2_needs_its_urls_and_reads_the_profile_through_the_map() {
        assert!(config(&conn(Strategy::OAuth2, json!({"client_id": "a", "authorizationURL": "https://i.example/a", "tokenURL": "https://i.example/t"}))).is_err());
        let c = config(&conn(Strategy::OAuth2, json!({"client_id": "a", "authorizationURL": "https://i.example/a", "tokenURL": "https://i.example/t", "profileURL": "https://i.example/me",
            "profile_map": {"user_id": "data.uid", "email": "data.mail"}}))).unwrap();
        let p = profile(
            &json!({"data": {"uid": 42, "mail": "Ann@Example.com"}}),
            &c.profile_map,
        )
        .unwrap();
        assert_eq!(p.subject, "42");
        assert_eq!(p.email.as_deref(), Some("ann@example.com"));
        assert!(!p.email_verified);
        assert_eq!(user_id(&c, &p.subject), "oauth2|corp|42");
        assert_eq!(
            profile(&json!({}), &c.profile_map),
            Err(UpstreamError::NoSubject("subject"))
        );
    }

    fn endpoints() -> Endpoints {
        Endpoints {
            issuer: Some("https://idp.example/".into()),
            authorization_endpoint: "https://idp.example/authorize".into(),
            token_endpoint: "https://idp.example/token".into(),
            authorization_response_iss_parameter_supported: true,
            ..Endpoints::default()
        }
    }

    #[test]
    fn the_request_carries_state_nonce_and_pkce() {
        let cfg = config(&conn(
            Strategy::Oidc,
            json!({"client_id": "a b", "discovery_url": "https://idp.example/"}),
        ))
        .unwrap();
        let s = start(&cfg, &endpoints(), "https://us.example/login/callback");
        let url = url::Url::parse(&s.url).unwrap();
        let q: std::collections::HashMap<_, _> = url.query_pairs().into_owned().collect();
        assert_eq!(q["state"], s.state);
        assert_eq!(q["nonce"], s.nonce);
        assert_eq!(q["client_id"], "a b");
        assert_eq!(q["code_challenge_method"], "S256");
        assert!(crate::protocol::pkce::verify_s256(
            &s.code_verifier,
            &q["code_challenge"]
        ));
        assert_ne!(s.state, start(&cfg, &endpoints(), "x").state);
    }

    #[test]
    fn rfc9207_iss_is_checked_against_mix_up() {
        let params = |pairs: &[(&str, &str)]| {
            crate::protocol::params::Params::from_pairs(
                pairs.iter().map(|(k, v)| (k.to_string(), v.to_string())),
            )
            .unwrap()
        };
        let e = endpoints();
        assert_eq!(
            check_response(
                &params(&[("code", "c"), ("iss", "https://idp.example/")]),
                &e
            ),
            Ok("c".into())
        );
        assert!(matches!(
            check_response(
                &params(&[("code", "c"), ("iss", "https://evil.example/")]),
                &e
            ),
            Err(UpstreamError::WrongIssuer { .. })
        ));
        assert_eq!(
            check_response(&params(&[("code", "c")]), &e),
            Err(UpstreamError::MissingIssuer)
        );
        let quiet = Endpoints {
            authorization_response_iss_parameter_supported: false,
            ..e.clone()
        };
        assert_eq!(
            check_response(&params(&[("code", "c")]), &quiet),
            Ok("c".into())
        );
        assert!(matches!(
            check_response(
                &params(&[("error", "access_denied"), ("iss", "https://idp.example/")]),
                &e
            ),
            Err(UpstreamError::Refused { .. })
        ));
    }

    #[test]
    fn id_token_claims_are_checked() {
        let e = endpoints();
        let good = json!({"iss": "https://idp.example/", "aud": "a", "exp": 200, "iat": 100, "nonce": "n", "sub": "s"});
        assert_eq!(check_id_token(&good, &e, "a", "n", 150), Ok(()));
        for (k, v) in [
            ("iss", json!("https://evil.example/")),
            ("aud", json!("b")),
            ("exp", json!(150)),
            ("nonce", json!("m")),
            ("iat", json!(300)),
            ("aud", json!(["a", "b"])),
        ] {
            let mut bad = good.clone();
            bad[k] = v;
            assert!(check_id_token(&bad, &e, "a", "n", 150).is_err(), "{k}");
        }
        let mut multi = good.clone();
        multi["aud"] = json!(["a", "b"]);
        multi["azp"] = json!("a");
        assert_eq!(check_id_token(&multi, &e, "a", "n", 150), Ok(()));
        let ms = Endpoints {
            issuer: Some("https://login.microsoftonline.com/{tenantid}/v2.0".into()),
            ..e
        };
        let mut t = good.clone();
        t["iss"] = json!("https://login.microsoftonline.com/t1/v2.0");
        t["tid"] = json!("t1");
        assert_eq!(check_id_token(&t, &ms, "a", "n", 150), Ok(()));
    }

    #[test]
    fn a_first_sign_in_makes_an_auth0_shaped_user_and_later_ones_refresh_it() {
        let c = conn(Strategy::Google, json!({"client_id": "g"}));
        let cfg = config(&c).unwrap();
        let p = Profile {
            subject: "1234".into(),
            email: Some("ann@example.com".into()),
            email_verified: true,
            name: Some("Ann".into()),
            ..Profile::default()
        };
        let u = user_after_sign_in(None, &c, &cfg, &p, "https://id.example/", 0);
        assert_eq!(u.user_id, "google-oauth2|1234");
        assert_eq!(u.identities[0].provider, "google-oauth2");
        assert!(u.identities[0].is_social);
        assert_eq!(u.nickname, "ann");
        let mut kept = u.clone();
        kept.user_metadata.insert("k".into(), json!(1));
        let p2 = Profile {
            name: Some("Ann B".into()),
            ..p
        };
        let u2 = user_after_sign_in(Some(kept), &c, &cfg, &p2, "https://id.example/", 5);
        assert_eq!(u2.name, "Ann B");
        assert_eq!(u2.user_metadata["k"], 1);
        assert_eq!(u2.user_id, u.user_id);
    }
}
