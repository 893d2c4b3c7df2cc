//! OAuth 2.0 Token Exchange (RFC 8693) as Portcullis offers it: a confidential
//! service holding a user's access token for one API gets one for another API,
//! acting on the user's behalf (`act`, RFC 8693 §4.1).
//!
//! Invariants:
//! - Only confidential clients that list the token-exchange grant type.
//! - The target needs a client grant, as client credentials do
//!   ([`client_credentials::authorized_api`]); the Management API is never a
//!   target, so a user's token cannot become an administrative one.
//! - The scope is the requested scopes ∩ the requester's grant for the target
//!   (all granted ones when none is asked); an empty result is `invalid_scope`.

use crate::protocol::grant_type::GrantType;
use serde_json::json;

use super::client_credentials;
use super::errors::{TokenError, TokenErrorCode};
use crate::UnixTime;
use crate::client_grants::ClientGrant;
use crate::clients::Client;
use crate::resource_servers::ResourceServer;
use crate::tokens::{AccessTokenClaims, Audience};

/// Checks the client may use this grant at all (before anything is looked up).
pub fn check_client(client: &Client) -> Result<(), TokenError> {
    // A public client is refused as if the grant were not allowed.
    if !client.is_confidential() {
        return Err(super::grant_type::not_allowed(GrantType::TokenExchange));
    }
    client.require_grant(GrantType::TokenExchange)
}

/// Everything the decision needs, already loaded and the subject token checked.
pub struct Input<'a> {
    pub issuer: &'a str,
    pub client: &'a Client,
    /// The user the subject token is about.
    pub user_id: &'a str,
    pub audience: &'a str,
    pub api: Option<&'a ResourceServer>,
    pub grant: Option<&'a ClientGrant>,
    pub requested_scope: Option<&'a [String]>,
    pub now: UnixTime,
    pub jti: String,
}

pub fn decide(input: Input<'_>) -> Result<AccessTokenClaims, TokenError> {
    check_client(input.client)?;
    if input.api.is_some_and(|a| a.is_system) {
        return Err(TokenError::new(
            TokenErrorCode::AccessDenied,
            "The Management API is not a token exchange target.",
        ));
    }
    let (api, grant) = client_credentials::authorized_api(input.audience, input.api, input.grant)?;
    // `granted_scopes` already keeps only scopes the API defines.
    let granted = grant.granted_scopes(api);
    let scope: Vec<String> = match input.requested_scope {
        None => granted,
        Some(req) => {
            let scope: Vec<String> = req
                .iter()
                .filter(|s| granted.contains(s))
                .cloned()
                .collect();
            if scope.is_empty() {
                return Err(TokenError::new(
                    TokenErrorCode::InvalidScope,
                    "None of the requested scopes is granted to the client for this API.",
                ));
            }
            scope
        }
    };
    Ok(AccessTokenClaims {
        iss: input.issuer.to_string(),
        sub: input.user_id.to_string(),
        aud: Audience::One(api.identifier.clone()),
        iat: input.now,
        exp: input.now + api.token_lifetime,
        scope: scope.join(" "),
        azp: input.client.client_id.clone(),
        gty: Some("token-exchange".into()),
        jti: Some(input.jti),
        act: Some(json!({"sub": format!("{}@clients", input.client.client_id)})),
        permissions: None,
        org_id: None,
        org_name: None,
        cnf: None,
        extra: Default::default(),
    })
}
