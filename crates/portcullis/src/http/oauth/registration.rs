//! `POST /oidc/register`: OAuth 2.0 Dynamic Client Registration (RFC 7591)
//! behind Auth0's tenant flag `enable_dynamic_client_registration` (off by
//! default). `protocol/registration` decides; the application is stored as
//! the Management API stores one (a secret hashed, the connections the
//! tenant's `enable_client_connections` gives), and the caches are told.
//!
//! Invariants:
//! - Off unless the tenant turned it on: 403, nothing stored.
//! - Open registration is bounded per network address in the database
//!   ([`PER_ADDRESS`] an hour), so a stranger cannot fill it.
//! - Errors are RFC 7591 §3.2.2's (`invalid_redirect_uri`,
//!   `invalid_client_metadata`), and a refused request stores nothing.

use axum::body::Body;
use axum::extract::State;
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use portcullis_core::protocol::registration::{self, RegistrationError, RegistrationRequest};
use portcullis_core::secrets;
use serde_json::json;

use crate::app::AppState;
use crate::http::client_addr::ClientAddr;

/// Auth0's tenant flag.
pub const FLAG: &str = "enable_dynamic_client_registration";

/// Registrations from one address (its /64 for IPv6) in an hour.
pub const PER_ADDRESS: i64 = 20;
const WINDOW: i64 = 3600;

fn error(status: StatusCode, code: &str, description: &str) -> Response {
    let body = json!({"error": code, "error_description": description});
    crate::issuance::no_store((status, axum::Json(body)).into_response())
}

pub async fn register(
    State(app): State<AppState>,
    peer: ClientAddr,
    headers: HeaderMap,
    body: Body,
) -> Result<Response, crate::http::errors::TokenEndpointError> {
    let settings = app.settings().await?;
    if !settings.flag(FLAG) {
        return Ok(error(
            StatusCode::FORBIDDEN,
            "access_denied",
            "Dynamic client registration is turned off for this tenant (flags.enable_dynamic_client_registration).",
        ));
    }
    let Ok(bytes) = crate::http::body::read(body, crate::http::body::API_BODY_LIMIT).await else {
        return Ok(error(
            StatusCode::BAD_REQUEST,
            "invalid_client_metadata",
            "The request body could not be read, or is too large.",
        ));
    };
    let is_json = headers
        .get(axum::http::header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|ct| ct.starts_with("application/json"));
    let req: RegistrationRequest = match serde_json::from_slice(&bytes) {
        Ok(r) if is_json => r,
        Ok(_) => {
            return Ok(error(
                StatusCode::BAD_REQUEST,
                "invalid_client_metadata",
                "The registration request must be JSON (application/json), RFC 7591 §3.1.",
            ));
        }
        Err(e) => {
            let why = format!("The registration request is not valid client metadata: {e}");
            return Ok(error(
                StatusCode::BAD_REQUEST,
                "invalid_client_metadata",
                &why,
            ));
        }
    };
    let decided = match registration::decide(req) {
        Ok(r) => r,
        Err(e) => return Ok(error(StatusCode::BAD_REQUEST, e.code(), e.description())),
    };
    let client_id = portcullis_core::random::alphanumeric(32);
    let client = match decided.payload.into_new_client(client_id, app.store.id()) {
        Ok(c) => c,
        Err(e) => {
            let e = if e.message.contains("on property callbacks") {
                RegistrationError::InvalidRedirectUri(e.message)
            } else {
                RegistrationError::InvalidClientMetadata(e.message)
            };
            return Ok(error(StatusCode::BAD_REQUEST, e.code(), e.description()));
        }
    };
    let now = app.now();
    let key = format!(
        "register:ip:{}|",
        crate::brute_force::counted_address(&peer.text())
    );
    if app
        .store
        .reserve_login_attempt(&[(key.as_str(), PER_ADDRESS)], now, WINDOW)
        .await?
        .is_some()
    {
        return Ok(error(
            StatusCode::TOO_MANY_REQUESTS,
            "too_many_requests",
            "Too many registrations from your network address; try again later.",
        ));
    }
    let secret = secrets::generate_client_secret();
    let enable = settings
        .flags
        .get("enable_client_connections")
        .copied()
        .unwrap_or(true);
    app.store
        .insert_client(
            &client,
            Some(&secrets::hash_secret(secret.expose())),
            enable,
            now,
        )
        .await?;
    if let Err(e) = app.configuration_changed().await {
        tracing::error!(error = %e, "could not mark caches stale");
        app.cache_clear_local();
    }
    let mut body = json!({
        "client_id": client.client_id,
        "client_id_issued_at": now,
        "client_name": decided.client_name,
        "redirect_uris": decided.redirect_uris,
        "grant_types": decided.grant_types,
        "response_types": decided.response_types,
        "token_endpoint_auth_method": decided.token_endpoint_auth_method,
    });
    if client.is_confidential() {
        body["client_secret"] = secret.expose().into();
        // RFC 7591 §3.2.1: 0, the secret does not expire.
        body["client_secret_expires_at"] = 0.into();
    }
    if let Some(logo) = &client.logo_uri {
        body["logo_uri"] = logo.clone().into();
    }
    Ok(crate::issuance::no_store(
        (StatusCode::CREATED, axum::Json(body)).into_response(),
    ))
}
