//! OpenID Connect Back-Channel Logout 1.0: when a session ends, each
//! application that had it and registered `oidc_logout.backchannel_logout_urls`
//! (Auth0's field) is sent a signed logout token.
//!
//! Invariants:
//! - The logout token (§2.4) carries `iss`, `aud` (the client id), `iat`,
//!   `exp`, `jti`, `sub`, `sid` and the back-channel logout event, and never
//!   a `nonce`.
//! - Logout URLs are https, or http on a loopback address for development
//!   (as redirect URIs allow); exact, without a fragment.

use serde::Serialize;
use serde_json::{Value, json};

use crate::UnixTime;
use crate::validation::{Validated, ValidationError};

/// §2.4: the `events` member's key.
pub const EVENT: &str = "http://schemas.openid.net/event/backchannel-logout";
/// How long a logout token is valid: two minutes (it is delivered at once,
/// and retried within that time).
pub const LIFETIME: i64 = 120;
/// URLs an application may register.
pub const MAX_URLS: usize = 5;

/// A logout token's claims (§2.4).
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct LogoutToken {
    pub iss: String,
    pub aud: String,
    pub iat: UnixTime,
    pub exp: UnixTime,
    pub jti: String,
    pub sub: String,
    pub sid: String,
    pub events: Value,
}

/// The logout token telling `client_id` that session `sid` of `sub` ended.
pub fn logout_token(
    issuer: &str,
    client_id: &str,
    sub: &str,
    sid: &str,
    now: UnixTime,
) -> LogoutToken {
    LogoutToken {
        iss: issuer.to_string(),
        aud: client_id.to_string(),
        iat: now,
        exp: now + LIFETIME,
        jti: crate::random::url_token(),
        sub: sub.to_string(),
        sid: sid.to_string(),
        events: json!({ EVENT: {} }),
    }
}

/// A registered back-channel logout URL: https, or http on a loopback address.
pub fn check_url(field: &str, value: &str) -> Validated<()> {
    let u = crate::validation::url(field, value)?;
    if u.fragment().is_some() {
        return Err(ValidationError::field(
            field,
            format!("'{value}' must not contain a fragment"),
        ));
    }
    let loopback = match u.host() {
        Some(url::Host::Ipv4(ip)) => ip.is_loopback(),
        Some(url::Host::Ipv6(ip)) => ip.is_loopback(),
        Some(url::Host::Domain(d)) => d == "localhost",
        None => false,
    };
    match u.scheme() {
        "https" => Ok(()),
        "http" if loopback => Ok(()),
        _ => Err(ValidationError::field(
            field,
            format!("'{value}' must be https (http only on a loopback address)"),
        )),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn logout_tokens_carry_the_event_sid_and_no_nonce() {
        let t =
            serde_json::to_value(logout_token("https://id/", "c", "auth0|1", "s1", 100)).unwrap();
        assert_eq!(t["events"], json!({EVENT: {}}));
        assert_eq!(
            (t["sid"].as_str(), t["aud"].as_str()),
            (Some("s1"), Some("c"))
        );
        assert_eq!(t["exp"], json!(220));
        assert!(t.get("nonce").is_none());
    }

    #[test]
    fn logout_urls_are_https_or_loopback_http() {
        assert!(check_url("u", "https://rp.example/logout").is_ok());
        assert!(check_url("u", "http://127.0.0.1:3000/logout").is_ok());
        assert!(check_url("u", "http://localhost/logout").is_ok());
        assert!(check_url("u", "http://rp.example/logout").is_err());
        assert!(check_url("u", "https://rp.example/logout#x").is_err());
        assert!(check_url("u", "ftp://rp.example/").is_err());
    }
}
