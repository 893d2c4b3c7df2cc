//! OAuth 2.0 Dynamic Client Registration (RFC 7591) as Auth0 offers it at
//! `POST /oidc/register`, behind the tenant flag
//! `enable_dynamic_client_registration` (off by default): anyone may register
//! a **third-party** application, which then needs each user's consent.
//!
//! Invariants:
//! - Registered applications are never first-party, and get only the
//!   browser grants (`authorization_code`, `implicit`, `refresh_token`):
//!   no client credentials or password grant for a stranger's application.
//! - Redirect URIs are stricter than an administrator's (RFC 8252 §7,
//!   RFC 9700 §4.1): https; http only on a loopback address; a private-use
//!   scheme (reverse domain, `com.example.app:/cb`) only for public native
//!   applications. Matched exactly, as every redirect URI is.
//! - Metadata Portcullis does not understand is ignored (RFC 7591 §2);
//!   metadata it understands but does not offer (`jwks`, `jwks_uri`,
//!   `software_statement`) is refused, never silently dropped.

use serde::Deserialize;
use serde_json::{Map, Value};

use crate::clients::{AppType, ClientPayload, TokenEndpointAuthMethod};

/// RFC 7591 §3.2.2's errors.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum RegistrationError {
    InvalidRedirectUri(String),
    InvalidClientMetadata(String),
}

impl RegistrationError {
    pub fn code(&self) -> &'static str {
        match self {
            RegistrationError::InvalidRedirectUri(_) => "invalid_redirect_uri",
            RegistrationError::InvalidClientMetadata(_) => "invalid_client_metadata",
        }
    }

    pub fn description(&self) -> &str {
        match self {
            RegistrationError::InvalidRedirectUri(d)
            | RegistrationError::InvalidClientMetadata(d) => d,
        }
    }
}

fn metadata(d: impl Into<String>) -> RegistrationError {
    RegistrationError::InvalidClientMetadata(d.into())
}

/// The registration request's metadata (RFC 7591 §2).
#[derive(Debug, Default, Deserialize)]
pub struct RegistrationRequest {
    pub redirect_uris: Option<Vec<String>>,
    pub token_endpoint_auth_method: Option<String>,
    pub grant_types: Option<Vec<String>>,
    pub response_types: Option<Vec<String>>,
    pub client_name: Option<String>,
    pub logo_uri: Option<String>,
    pub jwks: Option<Value>,
    pub jwks_uri: Option<Value>,
    pub software_statement: Option<Value>,
    /// Everything else (`client_uri`, `contacts`, `tos_uri`, …): ignored.
    #[serde(flatten)]
    pub other: Map<String, Value>,
}

/// What a registration stores, and the metadata it answers with.
#[derive(Debug, Clone)]
pub struct Registration {
    pub payload: ClientPayload,
    pub redirect_uris: Vec<String>,
    pub grant_types: Vec<String>,
    pub response_types: Vec<String>,
    pub token_endpoint_auth_method: &'static str,
    pub client_name: String,
}

/// Auth0's name for an application registered without one.
pub const DEFAULT_NAME: &str = "My Dynamic Application";

/// Decides a registration: the application to create, or RFC 7591's error.
pub fn decide(req: RegistrationRequest) -> Result<Registration, RegistrationError> {
    if req.jwks.is_some() || req.jwks_uri.is_some() {
        return Err(metadata(
            "jwks and jwks_uri are not supported: register a client that authenticates with a secret, or none",
        ));
    }
    if req.software_statement.is_some() {
        return Err(metadata("software_statement is not supported"));
    }
    let (method, public) = match req
        .token_endpoint_auth_method
        .as_deref()
        .unwrap_or("client_secret_basic")
    {
        "none" => (TokenEndpointAuthMethod::None, true),
        "client_secret_post" => (TokenEndpointAuthMethod::ClientSecretPost, false),
        "client_secret_basic" => (TokenEndpointAuthMethod::ClientSecretBasic, false),
        other => {
            return Err(metadata(format!(
                "token_endpoint_auth_method '{other}' is not supported: use none, client_secret_post or client_secret_basic"
            )));
        }
    };
    let grant_types = req
        .grant_types
        .unwrap_or_else(|| vec!["authorization_code".into()]);
    for g in &grant_types {
        if !matches!(
            g.as_str(),
            "authorization_code" | "implicit" | "refresh_token"
        ) {
            return Err(metadata(format!(
                "grant_type '{g}' cannot be registered: only authorization_code, implicit and refresh_token"
            )));
        }
    }
    let response_types = req.response_types.unwrap_or_else(|| vec!["code".into()]);
    // RFC 7591 §2.1: the response types and grant types must agree.
    for rt in &response_types {
        let parts: Vec<&str> = rt.split(' ').collect();
        if parts.is_empty()
            || parts
                .iter()
                .any(|p| !matches!(*p, "code" | "token" | "id_token"))
        {
            return Err(metadata(format!("response_type '{rt}' is not supported")));
        }
        if parts.contains(&"code") && !grant_types.iter().any(|g| g == "authorization_code") {
            return Err(metadata(format!(
                "response_type '{rt}' needs the authorization_code grant type"
            )));
        }
        if parts.iter().any(|p| *p != "code") && !grant_types.iter().any(|g| g == "implicit") {
            return Err(metadata(format!(
                "response_type '{rt}' needs the implicit grant type"
            )));
        }
    }
    let redirect_uris = req.redirect_uris.unwrap_or_default();
    if redirect_uris.is_empty() {
        return Err(RegistrationError::InvalidRedirectUri(
            "redirect_uris is required: at least one".into(),
        ));
    }
    for uri in &redirect_uris {
        check_redirect_uri(uri, public)?;
    }
    let client_name = req
        .client_name
        .filter(|n| !n.trim().is_empty())
        .unwrap_or_else(|| DEFAULT_NAME.to_string());
    let payload = ClientPayload {
        name: Some(client_name.clone()),
        app_type: Some(if public {
            AppType::Native
        } else {
            AppType::RegularWeb
        }),
        is_first_party: Some(false),
        oidc_conformant: Some(true),
        callbacks: Some(redirect_uris.clone()),
        grant_types: Some(grant_types.clone()),
        token_endpoint_auth_method: Some(method),
        logo_uri: req.logo_uri,
        ..ClientPayload::default()
    };
    Ok(Registration {
        payload,
        redirect_uris,
        grant_types,
        response_types,
        token_endpoint_auth_method: match method {
            TokenEndpointAuthMethod::None => "none",
            TokenEndpointAuthMethod::ClientSecretPost => "client_secret_post",
            TokenEndpointAuthMethod::ClientSecretBasic => "client_secret_basic",
        },
        client_name,
    })
}

/// RFC 8252 §7 and RFC 9700 §4.1 for a redirect URI a stranger registers.
fn check_redirect_uri(uri: &str, public: bool) -> Result<(), RegistrationError> {
    let bad = |why: &str| RegistrationError::InvalidRedirectUri(format!("'{uri}': {why}"));
    let Ok(u) = url::Url::parse(uri) else {
        return Err(bad("not an absolute URI"));
    };
    if u.fragment().is_some() {
        return Err(bad("must not contain a fragment (RFC 6749 §3.1.2)"));
    }
    if uri.contains('*') {
        return Err(bad("wildcards are not allowed"));
    }
    match u.scheme() {
        "https" => Ok(()),
        "http" => match u.host() {
            Some(url::Host::Ipv4(ip)) if ip.is_loopback() => Ok(()),
            Some(url::Host::Ipv6(ip)) if ip.is_loopback() => Ok(()),
            Some(url::Host::Domain("localhost")) => Ok(()),
            _ => Err(bad("http is allowed only on a loopback address")),
        },
        // RFC 8252 §7.1: private-use schemes are reverse domain names.
        s if public && s.contains('.') => Ok(()),
        _ if public => Err(bad(
            "use https, http on a loopback address, or a reverse-domain private-use scheme",
        )),
        _ => Err(bad("use https, or http on a loopback address")),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn req(v: Value) -> RegistrationRequest {
        serde_json::from_value(v).unwrap()
    }

    #[test]
    fn a_minimal_request_registers_a_confidential_third_party_web_app() {
        let r = decide(req(
            serde_json::json!({"redirect_uris": ["https://rp.example/cb"]}),
        ))
        .unwrap();
        assert_eq!(r.token_endpoint_auth_method, "client_secret_basic");
        assert_eq!(r.grant_types, vec!["authorization_code"]);
        assert_eq!(r.response_types, vec!["code"]);
        assert_eq!(r.client_name, DEFAULT_NAME);
        assert_eq!(r.payload.is_first_party, Some(false));
        assert_eq!(r.payload.app_type, Some(AppType::RegularWeb));
    }

    #[test]
    fn redirect_uris_are_https_loopback_or_native_schemes() {
        for ok in [
            "https://rp.example/cb",
            "http://127.0.0.1:8080/cb",
            "http://[::1]/cb",
            "http://localhost/cb",
        ] {
            assert!(check_redirect_uri(ok, false).is_ok(), "{ok}");
        }
        assert!(check_redirect_uri("com.example.app:/cb", true).is_ok());
        for bad in [
            "http://rp.example/cb",
            "https://rp.example/cb#x",
            "https://*.example/cb",
            "cb",
            "myapp:/cb",
        ] {
            assert!(check_redirect_uri(bad, true).is_err(), "{bad}");
        }
        assert!(check_redirect_uri("com.example.app:/cb", false).is_err());
    }

    #[test]
    fn first_party_grants_keys_and_mismatched_types_are_refused() {
        for body in [
            serde_json::json!({"redirect_uris": ["https://a/cb"], "grant_types": ["client_credentials"]}),
            serde_json::json!({"redirect_uris": ["https://a/cb"], "grant_types": ["password"]}),
            serde_json::json!({"redirect_uris": ["https://a/cb"], "jwks_uri": "https://a/jwks"}),
            serde_json::json!({"redirect_uris": ["https://a/cb"], "response_types": ["token"]}),
            serde_json::json!({"redirect_uris": ["https://a/cb"], "token_endpoint_auth_method": "private_key_jwt"}),
        ] {
            let e = decide(req(body.clone())).unwrap_err();
            assert_eq!(e.code(), "invalid_client_metadata", "{body}");
        }
        let e = decide(req(serde_json::json!({}))).unwrap_err();
        assert_eq!(e.code(), "invalid_redirect_uri");
    }

    #[test]
    fn unknown_metadata_is_ignored() {
        let r = decide(req(serde_json::json!({
            "redirect_uris": ["https://a/cb"], "client_uri": "https://a", "contacts": ["x@a"], "x-custom": 1
        })));
        assert!(r.is_ok());
    }
}
