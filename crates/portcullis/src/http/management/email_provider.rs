//! `/api/v2/emails/provider` (Auth0's): the tenant's SMTP relay. The password
//! is sealed with the key-encryption key and never answered; `AppState::
//! send_mail` uses the provider, when enabled, instead of the configured
//! mailer.

use axum::Json;
use axum::body::Body;
use axum::extract::{RawQuery, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use portcullis_core::email_provider::{Decided, EmailProvider, EmailProviderPayload};
use serde_json::Value;

use super::Caller;
use super::clients::read_body;
use crate::app::{AppState, EMAIL_PROVIDER_AAD};
use crate::http::body;
use crate::http::errors::ApiError;

fn to_json(p: &EmailProvider) -> Value {
    serde_json::to_value(p).unwrap_or(Value::Null)
}

fn not_found() -> ApiError {
    ApiError::not_found(
        "The e-mail provider is not set.",
        "inexistent_email_provider",
    )
}

async fn payload(headers: &HeaderMap, b: Body) -> Result<EmailProviderPayload, ApiError> {
    let bytes = read_body(b).await?;
    body::api_json(headers, &bytes)
}

/// The password to store: the new one sealed, or `kept` (the sealed
/// password already stored) when none was sent.
fn sealed(app: &AppState, d: &Decided, kept: Option<String>) -> Option<String> {
    match &d.password {
        Some(p) => Some(app.kek.seal(EMAIL_PROVIDER_AAD, p.expose().as_bytes())),
        None => kept,
    }
}

fn invalid(e: portcullis_core::validation::ValidationError) -> ApiError {
    ApiError::bad_request(e.message, "invalid_body")
}

/// `GET /emails/provider`, with Auth0's `fields`/`include_fields` (the Deploy
/// CLI asks for `name,enabled,credentials,settings,default_from_address`).
/// Without them, every field (Auth0 answers only `name` and `enabled`); the
/// password is never among them.
pub async fn get(
    State(app): State<AppState>,
    caller: Caller,
    RawQuery(q): RawQuery,
) -> Result<Json<Value>, ApiError> {
    caller.require("read:email_provider")?;
    let fields = super::single_fields(q.as_deref())?;
    let (p, _) = app.store.email_provider().await?.ok_or_else(not_found)?;
    Ok(Json(super::select_fields(to_json(&p), fields.as_ref())))
}

pub async fn create(
    State(app): State<AppState>,
    caller: Caller,
    headers: HeaderMap,
    b: Body,
) -> Result<Response, ApiError> {
    caller.require("create:email_provider")?;
    let d = payload(&headers, b).await?.into_new().map_err(invalid)?;
    // Stored only if none is set, in the one write (two creates at once: one
    // wins, the other is told).
    let secret = sealed(&app, &d, None);
    if !app
        .store
        .replace_email_provider(&d.provider, secret.as_deref(), None)
        .await?
    {
        return Err(ApiError::conflict(
            "An e-mail provider is already set; change it with PATCH.",
            "email_provider_conflict",
        ));
    }
    Ok((StatusCode::CREATED, Json(to_json(&d.provider))).into_response())
}

pub async fn update(
    State(app): State<AppState>,
    caller: Caller,
    headers: HeaderMap,
    b: Body,
) -> Result<Json<Value>, ApiError> {
    caller.require("update:email_provider")?;
    let patch = payload(&headers, b).await?;
    // Compare-and-set on the provider and its password, so a concurrent
    // change (a new password included) is never lost.
    for _ in 0..5 {
        let (current, kept, (doc, read_sealed)) = app
            .store
            .email_provider_versioned()
            .await?
            .ok_or_else(not_found)?;
        let d = patch.clone().apply_to(current).map_err(invalid)?;
        let secret = sealed(&app, &d, kept);
        if app
            .store
            .replace_email_provider(
                &d.provider,
                secret.as_deref(),
                Some((&doc, read_sealed.as_deref())),
            )
            .await?
        {
            return Ok(Json(to_json(&d.provider)));
        }
    }
    Err(ApiError::conflict(
        "The e-mail provider was changed by another request meanwhile; try again.",
        "email_provider_conflict",
    ))
}

pub async fn delete(State(app): State<AppState>, caller: Caller) -> Result<StatusCode, ApiError> {
    caller.require("delete:email_provider")?;
    app.store.email_provider().await?.ok_or_else(not_found)?;
    app.store.set_email_provider(None).await?;
    Ok(StatusCode::NO_CONTENT)
}
