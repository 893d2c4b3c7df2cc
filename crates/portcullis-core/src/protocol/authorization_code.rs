//! The authorization-code grant at the token endpoint (RFC 6749 §4.1.3; RFC 7636
//! §4.5–4.6; OpenID Connect Core §3.1.3.2).
//!
//! Invariants:
//! - A code redeems once (the store decides the one winner); a replay is
//!   `invalid_grant` and revokes what the first redemption issued (§4.1.2).
//! - The code belongs to the authenticating client, the `redirect_uri` equals the
//!   one sent to `/authorize` byte for byte, and the PKCE verifier matches.

use serde::{Deserialize, Serialize};

use super::errors::{TokenError, TokenErrorCode};
use super::params::Params;
use super::pkce;
use crate::UnixTime;

/// Codes live for a minute: long enough for a redirect and a back-channel call.
pub const CODE_LIFETIME: i64 = 60;

/// What a code stands for, stored (under the code's hash) until redeemed.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CodeGrant {
    pub client_id: String,
    pub redirect_uri: String,
    pub user_id: String,
    pub scope: Vec<String>,
    pub audience: Option<String>,
    pub nonce: Option<String>,
    pub code_challenge: Option<String>,
    /// The browser session (`sid`).
    pub session_id: String,
    pub auth_time: UnixTime,
    /// `max_age` was sent, so the ID token must carry `auth_time`.
    pub auth_time_required: bool,
    /// What the login's Rules and Actions decided, applied at the exchange.
    #[serde(
        default,
        skip_serializing_if = "crate::scripts::ScriptResult::is_empty"
    )]
    pub scripts: crate::scripts::ScriptResult,
    /// The login passed a second factor: the ID token says `amr: ["mfa"]`
    /// (RFC 8176 §2).
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub mfa: bool,
    /// The `acr` the ID token will say (the multi-factor policy the request
    /// asked for and the login passed).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub acr: Option<String>,
    /// The organization the login was to (its id): the tokens say so.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub organization: Option<String>,
    /// An approved device code (RFC 8628), redeemable only by the device
    /// grant; an authorization code otherwise.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub device: bool,
}

/// The token request's own parameters.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CodeRequest {
    pub code: String,
    pub redirect_uri: Option<String>,
    pub code_verifier: Option<String>,
}

pub fn parse(params: &Params) -> Result<CodeRequest, TokenError> {
    let code = params
        .get("code")
        .ok_or_else(|| TokenError::invalid_request("Missing required parameter: code"))?;
    Ok(CodeRequest {
        code: code.to_string(),
        redirect_uri: params.get("redirect_uri").map(str::to_string),
        code_verifier: params.get("code_verifier").map(str::to_string),
    })
}

fn invalid_grant(d: &'static str) -> TokenError {
    TokenError::new(TokenErrorCode::InvalidGrant, d)
}

/// Checks a freshly redeemed device code's grant: an approved device code
/// of `client_id` that has not expired (RFC 8628 §3.4: no redirect URI, no
/// verifier).
pub fn check_device(
    grant: &CodeGrant,
    expires_at: UnixTime,
    client_id: &str,
    now: UnixTime,
) -> Result<(), TokenError> {
    if !grant.device {
        return Err(invalid_grant("Invalid or expired device code."));
    }
    check_holder(grant, expires_at, client_id, now)
}

/// The grant belongs to `client_id` and has not expired.
fn check_holder(
    grant: &CodeGrant,
    expires_at: UnixTime,
    client_id: &str,
    now: UnixTime,
) -> Result<(), TokenError> {
    if grant.client_id != client_id {
        return Err(invalid_grant("Invalid authorization code"));
    }
    if expires_at <= now {
        return Err(invalid_grant("Invalid authorization code: it has expired"));
    }
    Ok(())
}

/// Checks a freshly redeemed code against the request.
pub fn check(
    grant: &CodeGrant,
    expires_at: UnixTime,
    req: &CodeRequest,
    client_id: &str,
    now: UnixTime,
) -> Result<(), TokenError> {
    // A device code is not an authorization code, whatever is sent with it.
    if grant.device {
        return Err(invalid_grant("Invalid authorization code"));
    }
    check_holder(grant, expires_at, client_id, now)?;
    // RFC 6749 §4.1.3: required, and identical, when it was sent to /authorize.
    if req.redirect_uri.as_deref() != Some(grant.redirect_uri.as_str()) {
        return Err(invalid_grant(
            "redirect_uri does not match the one used in the authorization request",
        ));
    }
    match (&grant.code_challenge, req.code_verifier.as_deref()) {
        (Some(challenge), Some(verifier)) if pkce::verify_s256(verifier, challenge) => Ok(()),
        (Some(_), Some(_)) => Err(invalid_grant("Failed to verify code verifier")),
        (Some(_), None) => Err(TokenError::invalid_request(
            "Missing required parameter: code_verifier",
        )),
        (None, Some(_)) => Err(invalid_grant(
            "code_verifier sent, but the authorization request had no code_challenge",
        )),
        (None, None) => Ok(()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn grant() -> CodeGrant {
        CodeGrant {
            client_id: "c".into(),
            redirect_uri: "https://app/cb".into(),
            user_id: "u".into(),
            scope: vec!["openid".into()],
            audience: None,
            nonce: None,
            code_challenge: Some("E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM".into()),
            session_id: "s".into(),
            auth_time: 0,
            auth_time_required: false,
            scripts: Default::default(),
            mfa: false,
            acr: None,
            organization: None,
            device: false,
        }
    }

    const VERIFIER: &str = "dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk";

    fn req(redirect: Option<&str>, verifier: Option<&str>) -> CodeRequest {
        CodeRequest {
            code: "x".into(),
            redirect_uri: redirect.map(str::to_string),
            code_verifier: verifier.map(str::to_string),
        }
    }

    #[test]
    fn matching_request_passes() {
        assert!(
            check(
                &grant(),
                100,
                &req(Some("https://app/cb"), Some(VERIFIER)),
                "c",
                50
            )
            .is_ok()
        );
    }

    #[test]
    fn other_client_expired_code_or_different_redirect_uri_is_invalid_grant() {
        let g = grant();
        let ok = req(Some("https://app/cb"), Some(VERIFIER));
        assert_eq!(
            check(&g, 100, &ok, "other", 50).unwrap_err().code,
            TokenErrorCode::InvalidGrant
        );
        assert_eq!(
            check(&g, 100, &ok, "c", 100).unwrap_err().code,
            TokenErrorCode::InvalidGrant
        );
        let other_uri = req(Some("https://app/cb/"), Some(VERIFIER));
        assert_eq!(
            check(&g, 100, &other_uri, "c", 50).unwrap_err().code,
            TokenErrorCode::InvalidGrant
        );
    }

    #[test]
    fn device_grants_are_not_authorization_codes_and_back() {
        let mut g = grant();
        let ok = req(Some("https://app/cb"), Some(VERIFIER));
        assert!(
            check_device(&g, 100, "c", 50).is_err(),
            "a code is not a device code"
        );
        g.device = true;
        assert_eq!(
            check(&g, 100, &ok, "c", 50).unwrap_err().code,
            TokenErrorCode::InvalidGrant,
            "a device code is not an authorization code"
        );
        assert!(check_device(&g, 100, "c", 50).is_ok());
        assert!(check_device(&g, 100, "other", 50).is_err());
    }

    #[test]
    fn wrong_or_missing_verifier_is_refused() {
        let g = grant();
        let wrong = "dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXK";
        assert_eq!(
            check(&g, 100, &req(Some("https://app/cb"), Some(wrong)), "c", 50)
                .unwrap_err()
                .code,
            TokenErrorCode::InvalidGrant
        );
        assert_eq!(
            check(&g, 100, &req(Some("https://app/cb"), None), "c", 50)
                .unwrap_err()
                .code,
            TokenErrorCode::InvalidRequest
        );
    }
}
