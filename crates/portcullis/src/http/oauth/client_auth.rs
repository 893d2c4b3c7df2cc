//! The prologue of every endpoint that authenticates clients (`/oauth/token`,
//! `/oauth/revoke`, `/oauth/introspect`, `/delegation`): read the form within
//! its limit, then RFC 6749 §2.3 client authentication (`protocol/client_auth`).
//!
//! Invariants:
//! - An oversized body is `413` with RFC 6749 §5.2's JSON at every one of them.
//! - A failed authentication after HTTP Basic carries `WWW-Authenticate`
//!   (RFC 6749 §5.2), wherever it happens.

use axum::body::Body;
use axum::http::{HeaderMap, StatusCode, header};
use portcullis_core::clients::Client;
use portcullis_core::protocol::client_auth::{self, AuthMethodUsed};
use portcullis_core::protocol::errors::TokenError;
use portcullis_core::protocol::params::Params;

use crate::app::AppState;
use crate::http::body::{self, BodyError};
use crate::http::errors::TokenEndpointError;

/// The endpoint's form parameters (RFC 6749 §3.2: a form body, no repeats).
pub async fn read_params(headers: &HeaderMap, b: Body) -> Result<Params, TokenEndpointError> {
    let bytes = match body::read(b, body::OAUTH_BODY_LIMIT).await {
        Ok(bytes) => bytes,
        Err(BodyError::TooLarge) => {
            return Err(TokenEndpointError::with_status(
                StatusCode::PAYLOAD_TOO_LARGE,
                TokenError::invalid_request(format!(
                    "The request body is larger than {} bytes.",
                    body::OAUTH_BODY_LIMIT
                )),
            ));
        }
        Err(BodyError::Unreadable) => {
            return Err(TokenError::invalid_request("The request body could not be read.").into());
        }
    };
    Ok(body::oauth_params(headers, &bytes)?)
}

/// The client the request authenticates as.
pub async fn authenticate(
    app: &AppState,
    headers: &HeaderMap,
    params: &Params,
) -> Result<Client, TokenEndpointError> {
    let authorization = headers
        .get(header::AUTHORIZATION)
        .and_then(|v| v.to_str().ok());
    if params.get("client_assertion").is_some() || params.get("client_assertion_type").is_some() {
        return assertion(app, authorization.is_some(), params).await;
    }
    let creds = client_auth::extract(authorization, params)?;
    let stored = app.client(&creds.client_id).await?;
    client_auth::authenticate(&creds, stored).map_err(|error| TokenEndpointError {
        error,
        basic_auth_used: creds.method == AuthMethodUsed::Basic,
        status: None,
        mfa: None,
        dpop_nonce: None,
    })
}

/// `read_params`, then `authenticate`: for the endpoints where authentication
/// comes first.
pub async fn authenticated_request(
    app: &AppState,
    headers: &HeaderMap,
    b: Body,
) -> Result<(Params, Client), TokenEndpointError> {
    let params = read_params(headers, b).await?;
    let client = authenticate(app, headers, &params).await?;
    Ok((params, client))
}

/// RFC 7523 §2.2 / OpenID Connect Core §9 `private_key_jwt`: the client's
/// signed assertion, checked against its registered public keys
/// (`protocol/client_assertion`), its `jti` spent once in the database.
async fn assertion(
    app: &AppState,
    basic_too: bool,
    params: &Params,
) -> Result<Client, TokenEndpointError> {
    use portcullis_core::protocol::client_assertion as ca;
    use portcullis_core::protocol::errors::TokenErrorCode;
    let invalid = |d: &'static str| -> TokenEndpointError {
        TokenError::new(TokenErrorCode::InvalidClient, d).into()
    };
    // RFC 6749 §2.3: one method per request.
    if basic_too || params.get("client_secret").is_some() {
        return Err(TokenError::invalid_request(
            "Use one client authentication method only: client_assertion, HTTP Basic or client_secret.",
        )
        .into());
    }
    if params.get("client_assertion_type") != Some(ca::ASSERTION_TYPE) {
        return Err(TokenError::invalid_request(format!(
            "client_assertion_type must be {}",
            ca::ASSERTION_TYPE
        ))
        .into());
    }
    let Some(jwt) = params.get("client_assertion") else {
        return Err(
            TokenError::invalid_request("Missing required parameter: client_assertion").into(),
        );
    };
    // The client is the one the request names, or the assertion's subject;
    // both must agree, and the signature decides.
    let claimed = ca::claimed_client(jwt);
    let client_id = match (params.get("client_id"), claimed.as_deref()) {
        (Some(id), Some(sub)) if id != sub => {
            return Err(invalid("client_id does not match the assertion's sub"));
        }
        (Some(id), _) => id.to_string(),
        (None, Some(sub)) => sub.to_string(),
        (None, None) => return Err(invalid("Client authentication failed.")),
    };
    let Some((client, _)) = app.client(&client_id).await? else {
        return Err(invalid("Client authentication failed."));
    };
    // The same answer as for an unknown client: nothing tells which ids exist.
    let named = client.private_key_jwt();
    if named.is_empty() {
        return Err(invalid("Client authentication failed."));
    }
    let credentials: Vec<_> = app
        .store
        .client_credentials(&client.client_id)
        .await?
        .into_iter()
        .filter(|c| named.contains(&c.id.as_str()))
        .collect();
    let issuer = app.issuer();
    let audiences: Vec<String> = std::iter::once(issuer.to_string())
        .chain(
            [
                "oauth/token",
                "oauth/par",
                "oauth/revoke",
                "oauth/introspect",
                "oauth/device/code",
            ]
            .iter()
            .map(|p| format!("{issuer}{p}")),
        )
        .collect();
    let now = app.now();
    let verified =
        ca::verify(jwt, &client.client_id, &credentials, &audiences, now).map_err(invalid)?;
    // RFC 7523 §3: the same assertion is accepted once, on any node.
    if !app
        .store
        .spend_assertion_jti(&client.client_id, &verified.jti, verified.exp + ca::LEEWAY)
        .await?
    {
        return Err(invalid("client_assertion has been used already (jti)"));
    }
    Ok(client)
}
