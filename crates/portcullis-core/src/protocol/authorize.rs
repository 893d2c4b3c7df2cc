//! Validating an authorization request (RFC 6749 §4.1.1, §4.2.1; OpenID Connect
//! Core §3.1.2.1, §3.2.2.1, §3.3.2.1; RFC 7636).
//!
//! Invariants:
//! - Until the client and `redirect_uri` are known good, errors are shown to the
//!   person and never redirected (RFC 6749 §4.1.2.1: "MUST NOT automatically
//!   redirect"). `redirect_uri` must equal one of the client's callbacks exactly.
//! - Every later error goes back to the client's redirect URI, in the response mode
//!   the request asked for.
//! - PKCE: S256 only (`plain` refused); required for public clients.

use crate::protocol::grant_type::GrantType;
use serde::{Deserialize, Serialize};

use super::params::Params;
use crate::clients::Client;
use crate::scope;

/// RFC 6749 §4.1.2.1 and OpenID Connect Core §3.1.2.6 error codes.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum AuthorizeErrorCode {
    InvalidRequest,
    UnauthorizedClient,
    AccessDenied,
    UnsupportedResponseType,
    InvalidScope,
    ServerError,
    TemporarilyUnavailable,
    LoginRequired,
    ConsentRequired,
    InteractionRequired,
}

impl AuthorizeErrorCode {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::InvalidRequest => "invalid_request",
            Self::UnauthorizedClient => "unauthorized_client",
            Self::AccessDenied => "access_denied",
            Self::UnsupportedResponseType => "unsupported_response_type",
            Self::InvalidScope => "invalid_scope",
            Self::ServerError => "server_error",
            Self::TemporarilyUnavailable => "temporarily_unavailable",
            Self::LoginRequired => "login_required",
            Self::ConsentRequired => "consent_required",
            Self::InteractionRequired => "interaction_required",
        }
    }
}

/// Which artefacts the response carries (RFC 6749 §3.1.1, OAuth 2.0 Multiple
/// Response Type Encoding Practices §5).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct ResponseType {
    pub code: bool,
    pub token: bool,
    pub id_token: bool,
}

impl ResponseType {
    pub fn parse(raw: &str) -> Option<Self> {
        let mut rt = ResponseType {
            code: false,
            token: false,
            id_token: false,
        };
        for part in raw.split(' ').filter(|s| !s.is_empty()) {
            let slot = match part {
                "code" => &mut rt.code,
                "token" => &mut rt.token,
                "id_token" => &mut rt.id_token,
                _ => return None,
            };
            if *slot {
                return None;
            }
            *slot = true;
        }
        (rt.code || rt.token || rt.id_token).then_some(rt)
    }

    /// Only `code`: the authorization-code flow; anything else returns tokens
    /// through the browser (implicit or hybrid).
    pub fn is_code_only(self) -> bool {
        self.code && !self.token && !self.id_token
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ResponseMode {
    Query,
    Fragment,
    FormPost,
    /// Auth0's silent authentication: a page that `postMessage`s the response to
    /// the opener or parent window.
    WebMessage,
}

impl ResponseMode {
    pub fn parse(raw: &str) -> Option<Self> {
        Some(match raw {
            "query" => Self::Query,
            "fragment" => Self::Fragment,
            "form_post" => Self::FormPost,
            "web_message" => Self::WebMessage,
            _ => return None,
        })
    }

    /// RFC 6749 §4.1.2 and §4.2.2: `query` for code, `fragment` when tokens travel.
    pub fn default_for(rt: Option<ResponseType>) -> Self {
        match rt {
            Some(rt) if !rt.is_code_only() => Self::Fragment,
            _ => Self::Query,
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct Prompt {
    pub none: bool,
    pub login: bool,
    pub consent: bool,
}

/// A validated authorization request, kept while the person signs in.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct AuthorizeRequest {
    pub client_id: String,
    pub redirect_uri: String,
    pub response_type: ResponseType,
    pub response_mode: ResponseMode,
    pub scope: Vec<String>,
    pub state: Option<String>,
    pub nonce: Option<String>,
    pub audience: Option<String>,
    pub prompt: Prompt,
    pub max_age: Option<i64>,
    pub login_hint: Option<String>,
    pub screen_hint: Option<String>,
    /// OpenID Connect Core §3.1.2.1 `ui_locales`: the languages the hosted
    /// pages of this login should speak, in order of preference (kept with
    /// the login, so a pushed request's works and other logins in the same
    /// browser do not change it).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub ui_locales: Option<String>,
    pub code_challenge: Option<String>,
    /// Auth0's `connection`: the connection to sign in with (the login page
    /// offers only it). Checked against the stored connections by the shell.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub connection: Option<String>,
    /// OpenID Connect Core §3.1.2.1 `acr_values`, space-separated, in order
    /// of preference. Auth0 honours one: the multi-factor policy
    /// (`mfa::ACR_MULTI_FACTOR`) makes the login ask for a second factor.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub acr_values: Vec<String>,
    /// Auth0's `organization`: the organization the login is to, as given
    /// (an id, or a name where the tenant allows names); the shell resolves
    /// it and keeps the id here once it is known.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub organization: Option<String>,
    /// Auth0's `invitation`: the ticket of an organization invitation.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub invitation: Option<String>,
    /// Set only when the post-login organization prompt parks the request
    /// (never from a parameter): the one request its form may continue.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub organization_selection: bool,
    /// Set only for the login the activation page starts for a device (RFC
    /// 8628; never from a parameter): the device authorization's id. Its
    /// response approves the device instead of redirecting anywhere.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub device: Option<String>,
}

impl AuthorizeRequest {
    pub fn wants_openid(&self) -> bool {
        self.scope.iter().any(|s| s == "openid")
    }

    /// Whether `acr_values` asks for multi-factor authentication.
    pub fn asks_for_mfa(&self) -> bool {
        self.acr_values
            .iter()
            .any(|v| v == crate::mfa::ACR_MULTI_FACTOR)
    }
}

/// Where an error goes.
#[derive(Debug, Clone, PartialEq)]
pub enum AuthorizeFailure {
    /// Shown to the person: the client or redirect URI is not trusted.
    ShowErrorPage {
        title: &'static str,
        description: String,
    },
    /// Sent back to the client.
    Redirect(ErrorRedirect),
}

/// An error response to a validated redirect URI.
#[derive(Debug, Clone, PartialEq)]
pub struct ErrorRedirect {
    pub redirect_uri: String,
    pub response_mode: ResponseMode,
    pub state: Option<String>,
    pub error: AuthorizeErrorCode,
    pub description: String,
}

impl ErrorRedirect {
    /// The same destination as `req`, with another error.
    pub fn to(
        req: &AuthorizeRequest,
        error: AuthorizeErrorCode,
        description: impl Into<String>,
    ) -> Self {
        Self {
            redirect_uri: req.redirect_uri.clone(),
            response_mode: req.response_mode,
            state: req.state.clone(),
            error,
            description: description.into(),
        }
    }
}

fn page(title: &'static str, description: impl Into<String>) -> AuthorizeFailure {
    AuthorizeFailure::ShowErrorPage {
        title,
        description: description.into(),
    }
}

/// RFC 7636 §4.2: base64url of a SHA-256 is 43 characters; allow the verifier's
/// alphabet and length range.
fn valid_challenge(c: &str) -> bool {
    (43..=128).contains(&c.len())
        && c.bytes()
            .all(|b| b.is_ascii_alphanumeric() || b"-._~".contains(&b))
}

pub use crate::validation::origin_of;

/// The longest accepted values of the parameters stored with a login
/// transaction. SDKs send 43-character `state` and `nonce`; OpenID Connect
/// Core's `login_hint` is an e-mail address or phone number (RFC 5321: 254).
pub const LENGTH_LIMITS: &[(&str, usize)] = &[
    ("state", 2048),
    ("nonce", 512),
    ("login_hint", 320),
    ("scope", 2048),
    ("audience", 600),
    ("code_challenge", 128),
    ("ui_locales", 128),
    ("screen_hint", 64),
    ("connection", 128),
    ("organization", 128),
    ("invitation", 128),
];

/// Validates `params` for `client` (None if `client_id` named no client).
pub fn validate(
    params: &Params,
    client: Option<&Client>,
) -> Result<AuthorizeRequest, AuthorizeFailure> {
    let Some(client_id) = params.get("client_id") else {
        return Err(page(
            "Missing client_id",
            "The request has no client_id parameter.",
        ));
    };
    let Some(client) = client else {
        return Err(page(
            "Unknown application",
            format!("No application has the client_id '{client_id}'."),
        ));
    };
    let Some(redirect_uri) = params.get("redirect_uri") else {
        return Err(page(
            "Missing redirect_uri",
            "The request has no redirect_uri parameter.",
        ));
    };
    // RFC 6749 §3.1.2.3 / OAuth 2.1: simple string comparison, no normalisation.
    if !client.callbacks.iter().any(|c| c == redirect_uri) {
        return Err(page(
            "Callback URL mismatch",
            format!(
                "The redirect_uri '{redirect_uri}' is not in the list of Allowed Callback URLs of the application '{}'.",
                client.name
            ),
        ));
    }
    // Before anything is parked for this request: values longer than any real
    // client sends are refused on a page (echoing a huge `state` back in a
    // redirect would be no better).
    for (name, max) in LENGTH_LIMITS {
        if params.get(name).is_some_and(|v| v.len() > *max) {
            return Err(page(
                "Parameter too long",
                format!("The parameter '{name}' is longer than {max} characters."),
            ));
        }
    }
    let state = params.get("state").map(str::to_string);
    let response_type = params.get("response_type").map(ResponseType::parse);
    let requested_mode = params.get("response_mode");
    let mode = match requested_mode {
        None => ResponseMode::default_for(response_type.flatten()),
        Some(m) => match ResponseMode::parse(m) {
            Some(m) => m,
            None => ResponseMode::default_for(response_type.flatten()),
        },
    };
    let fail = |error, description: String| {
        AuthorizeFailure::Redirect(ErrorRedirect {
            redirect_uri: redirect_uri.to_string(),
            response_mode: mode,
            state: state.clone(),
            error,
            description,
        })
    };
    if mode == ResponseMode::WebMessage {
        let origin = origin_of(redirect_uri);
        if !origin.is_some_and(|o| {
            client
                .web_origins
                .iter()
                .any(|w| w.trim_end_matches('/') == o)
        }) {
            return Err(page(
                "Origin not allowed",
                "response_mode=web_message needs the redirect_uri's origin in the application's Allowed Web Origins.",
            ));
        }
    }
    let rt = match response_type {
        None => {
            return Err(fail(
                AuthorizeErrorCode::InvalidRequest,
                "Missing required parameter: response_type".into(),
            ));
        }
        Some(None) => {
            return Err(fail(
                AuthorizeErrorCode::UnsupportedResponseType,
                format!(
                    "Unsupported response type: {}",
                    params.get("response_type").unwrap_or_default()
                ),
            ));
        }
        Some(Some(rt)) => rt,
    };
    if let Some(m) = requested_mode {
        if ResponseMode::parse(m).is_none() {
            return Err(fail(
                AuthorizeErrorCode::InvalidRequest,
                format!("Unsupported response_mode: {m}"),
            ));
        }
        // Multiple Response Type Encoding Practices §5: tokens never in the query.
        if m == "query" && !rt.is_code_only() {
            return Err(fail(
                AuthorizeErrorCode::InvalidRequest,
                "response_mode=query cannot carry tokens; use fragment or form_post.".into(),
            ));
        }
    }
    if rt.code && !client.allows_grant(GrantType::AuthorizationCode) {
        return Err(fail(
            AuthorizeErrorCode::UnauthorizedClient,
            "The application is not allowed the authorization_code grant.".into(),
        ));
    }
    if (rt.token || rt.id_token) && !client.allows_grant(GrantType::Implicit) {
        return Err(fail(
            AuthorizeErrorCode::UnauthorizedClient,
            "The application is not allowed the implicit grant.".into(),
        ));
    }
    let scope_values = scope::parse(params.get("scope").unwrap_or_default());
    if let Some(bad) = scope_values.iter().find(|s| !scope::is_valid_token(s)) {
        return Err(fail(
            AuthorizeErrorCode::InvalidScope,
            format!("'{bad}' is not a valid scope value"),
        ));
    }
    let openid = scope_values.iter().any(|s| s == "openid");
    if rt.id_token && !openid {
        return Err(fail(
            AuthorizeErrorCode::InvalidRequest,
            "response_type id_token needs the openid scope.".into(),
        ));
    }
    let nonce = params.get("nonce").map(str::to_string);
    // OpenID Connect Core §3.2.2.1 and §3.3.2.11: nonce is required when an
    // id_token comes back from the authorization endpoint.
    if rt.id_token && nonce.is_none() {
        return Err(fail(
            AuthorizeErrorCode::InvalidRequest,
            "The nonce parameter is required when response_type includes id_token.".into(),
        ));
    }
    let code_challenge = params.get("code_challenge").map(str::to_string);
    match params.get("code_challenge_method") {
        None | Some("S256") => {}
        Some("plain") => {
            return Err(fail(
                AuthorizeErrorCode::InvalidRequest,
                "code_challenge_method plain is not supported; use S256.".into(),
            ));
        }
        Some(other) => {
            return Err(fail(
                AuthorizeErrorCode::InvalidRequest,
                format!("Unsupported code_challenge_method: {other}"),
            ));
        }
    }
    if let Some(c) = &code_challenge {
        if params.get("code_challenge_method").is_none() {
            return Err(fail(
                AuthorizeErrorCode::InvalidRequest,
                "code_challenge_method is required with code_challenge (S256; plain is not supported).".into(),
            ));
        }
        if !valid_challenge(c) {
            return Err(fail(
                AuthorizeErrorCode::InvalidRequest,
                "code_challenge must be 43 to 128 characters of [A-Za-z0-9-._~].".into(),
            ));
        }
    }
    // RFC 9700 §2.1.1: public clients must use PKCE.
    if rt.code && !client.is_confidential() && code_challenge.is_none() {
        return Err(fail(
            AuthorizeErrorCode::InvalidRequest,
            "PKCE is required for this application: send code_challenge and code_challenge_method=S256.".into(),
        ));
    }
    let mut prompt = Prompt {
        none: false,
        login: false,
        consent: false,
    };
    for p in params
        .get("prompt")
        .unwrap_or_default()
        .split(' ')
        .filter(|s| !s.is_empty())
    {
        match p {
            "none" => prompt.none = true,
            "login" => prompt.login = true,
            "consent" => prompt.consent = true,
            "select_account" => {}
            other => {
                return Err(fail(
                    AuthorizeErrorCode::InvalidRequest,
                    format!("Unsupported prompt value: {other}"),
                ));
            }
        }
    }
    // OpenID Connect Core §3.1.2.1: none with any other value is an error.
    if prompt.none && (prompt.login || prompt.consent) {
        return Err(fail(
            AuthorizeErrorCode::InvalidRequest,
            "prompt=none cannot be combined with other values.".into(),
        ));
    }
    let max_age = match params.get("max_age") {
        None => None,
        Some(v) => match v.parse::<i64>() {
            Ok(n) if n >= 0 => Some(n),
            _ => {
                return Err(fail(
                    AuthorizeErrorCode::InvalidRequest,
                    "max_age must be a non-negative integer number of seconds.".into(),
                ));
            }
        },
    };
    Ok(AuthorizeRequest {
        client_id: client.client_id.clone(),
        redirect_uri: redirect_uri.to_string(),
        response_type: rt,
        response_mode: mode,
        scope: scope_values,
        state,
        nonce,
        audience: params.get("audience").map(str::to_string),
        prompt,
        max_age,
        login_hint: params.get("login_hint").map(str::to_string),
        ui_locales: params.get("ui_locales").map(str::to_string),
        screen_hint: params.get("screen_hint").map(str::to_string),
        code_challenge,
        connection: params.get("connection").map(str::to_string),
        organization: params.get("organization").map(str::to_string),
        invitation: params.get("invitation").map(str::to_string),
        organization_selection: false,
        device: None,
        acr_values: params
            .get("acr_values")
            .map(|v| v.split_whitespace().map(str::to_string).collect())
            .unwrap_or_default(),
    })
}

#[cfg(test)]
mod tests;
