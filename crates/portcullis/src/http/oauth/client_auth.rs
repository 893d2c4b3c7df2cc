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
    let creds = client_auth::extract(authorization, params)?;
    let stored = app.client(&creds.client_id).await?;
    client_auth::authenticate(&creds, stored).map_err(|error| TokenEndpointError {
        error,
        basic_auth_used: creds.method == AuthMethodUsed::Basic,
        status: None,
        mfa: None,
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
