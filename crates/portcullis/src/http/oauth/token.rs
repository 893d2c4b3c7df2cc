//! `POST /oauth/token` (RFC 6749 §3.2): parse, authenticate the client, apply the
//! grant, sign, render.

use axum::Json;
use axum::body::Body;
use axum::extract::State;
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use portcullis_core::protocol::client_auth::{self, AuthMethodUsed};
use portcullis_core::protocol::client_credentials;
use portcullis_core::protocol::errors::TokenError;
use portcullis_core::protocol::token_request::{self, TokenRequest};
use serde_json::json;

use crate::app::AppState;
use crate::http::body::{self, BodyError};
use crate::http::errors::TokenEndpointError;

pub async fn token(
    State(app): State<AppState>,
    headers: HeaderMap,
    body: Body,
) -> Result<Response, TokenEndpointError> {
    let bytes = match body::read(body, body::OAUTH_BODY_LIMIT).await {
        Ok(b) => b,
        Err(BodyError::TooLarge) => {
            return Ok(too_large());
        }
        Err(BodyError::Unreadable) => {
            return Err(TokenError::invalid_request("The request body could not be read.").into());
        }
    };
    let params = body::oauth_params(&headers, &bytes)?;
    let request = token_request::parse(&params)?;
    let authorization = headers
        .get(header::AUTHORIZATION)
        .and_then(|v| v.to_str().ok());
    let creds = client_auth::extract(authorization, &params)?;
    let basic = creds.method == AuthMethodUsed::Basic;
    let with_basic = |error: TokenError| TokenEndpointError {
        error,
        basic_auth_used: basic,
    };
    let stored = app.store.get_client(&app.tenant, &creds.client_id).await?;
    let client = client_auth::authenticate(&creds, stored).map_err(with_basic)?;
    match request {
        TokenRequest::ClientCredentials { audience, scope } => {
            client_credentials::check_client(&client)?;
            let audience = client_credentials::require_audience(audience.as_deref())?;
            let api = app
                .store
                .get_resource_server_by_identifier(&app.tenant, audience)
                .await?;
            let grant = match &api {
                Some(api) => {
                    app.store
                        .find_client_grant(&app.tenant, &client.client_id, &api.identifier)
                        .await?
                }
                None => None,
            };
            let claims = client_credentials::decide(client_credentials::Input {
                issuer: app.issuer(),
                client: &client,
                audience,
                api: api.as_ref(),
                grant: grant.as_ref(),
                requested_scope: scope.as_deref(),
                now: app.now(),
            })?;
            let access_token = app.sign(&claims);
            let mut body = json!({
                "access_token": access_token,
                "token_type": "Bearer",
                "expires_in": claims.exp - claims.iat,
            });
            if !claims.scope.is_empty() {
                body["scope"] = claims.scope.into();
            }
            Ok(no_store(Json(body).into_response()))
        }
    }
}

/// RFC 6749 §5.1: token responses must not be cached.
fn no_store(mut res: Response) -> Response {
    let h = res.headers_mut();
    h.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    h.insert(header::PRAGMA, HeaderValue::from_static("no-cache"));
    res
}

fn too_large() -> Response {
    let body = json!({
        "error": "invalid_request",
        "error_description": format!("The request body is larger than {} bytes.", body::OAUTH_BODY_LIMIT),
    });
    no_store((StatusCode::PAYLOAD_TOO_LARGE, Json(body)).into_response())
}
