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

/// Stores the provider with its new password sealed, or `kept` (the sealed
/// password already stored) when none was sent.
async fn save(app: &AppState, d: Decided, kept: Option<String>) -> Result<EmailProvider, ApiError> {
    let sealed = match &d.password {
        Some(p) => Some(app.kek.seal(EMAIL_PROVIDER_AAD, p.expose().as_bytes())),
        None => kept,
    };
    app.store
        .set_email_provider(Some((&d.provider, sealed.as_deref())))
        .await?;
    Ok(d.provider)
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
    if app.store.email_provider().await?.is_some() {
        return Err(ApiError::conflict(
            "An e-mail provider is already set; change it with PATCH.",
            "email_provider_conflict",
        ));
    }
    let p = save(&app, d, None).await?;
    Ok((StatusCode::CREATED, Json(to_json(&p))).into_response())
}

pub async fn update(
    State(app): State<AppState>,
    caller: Caller,
    headers: HeaderMap,
    b: Body,
) -> Result<Json<Value>, ApiError> {
    caller.require("update:email_provider")?;
    let patch = payload(&headers, b).await?;
    let (current, sealed) = app.store.email_provider().await?.ok_or_else(not_found)?;
    let d = patch.apply_to(current).map_err(invalid)?;
    Ok(Json(to_json(&save(&app, d, sealed).await?)))
}

pub async fn delete(State(app): State<AppState>, caller: Caller) -> Result<StatusCode, ApiError> {
    caller.require("delete:email_provider")?;
    app.store.email_provider().await?.ok_or_else(not_found)?;
    app.store.set_email_provider(None).await?;
    Ok(StatusCode::NO_CONTENT)
}
