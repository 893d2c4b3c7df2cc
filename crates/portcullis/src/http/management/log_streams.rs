//! `/api/v2/log-streams` (Auth0's): list, create, get, patch, delete. The
//! sink's secrets are sealed with the key-encryption key under the stream's
//! id and never answered; delivery is `crate::log_streams`.

use axum::Json;
use axum::body::Body;
use axum::extract::{Path, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use portcullis_core::log_streams::{self as core, LogStreamPayload, Status};
use portcullis_store::StoredLogStream;
use serde_json::Value;

use super::Caller;
use super::clients::read_body;
use crate::app::AppState;
use crate::http::body;
use crate::http::errors::ApiError;
use crate::log_streams::{open, seal};

fn not_found() -> ApiError {
    ApiError::not_found("The log stream does not exist.", "inexistent_log_stream")
}

fn invalid(e: portcullis_core::validation::ValidationError) -> ApiError {
    ApiError::bad_request(e.message, "invalid_body")
}

fn to_json(s: &StoredLogStream) -> Value {
    s.stream.to_json(s.delivery.status)
}

async fn payload(headers: &HeaderMap, b: Body) -> Result<LogStreamPayload, ApiError> {
    let bytes = read_body(b).await?;
    body::api_json(headers, &bytes)
}

/// Every stream, as Auth0 answers: a bare array.
pub async fn list(State(app): State<AppState>, caller: Caller) -> Result<Json<Value>, ApiError> {
    caller.require("read:log_streams")?;
    let all = app.store.log_streams().await?;
    Ok(Json(Value::Array(all.iter().map(to_json).collect())))
}

pub async fn get(
    State(app): State<AppState>,
    caller: Caller,
    Path(id): Path<String>,
) -> Result<Json<Value>, ApiError> {
    caller.require("read:log_streams")?;
    let s = app.store.log_stream(&id).await?.ok_or_else(not_found)?;
    Ok(Json(to_json(&s)))
}

/// A new stream sends the events from its creation on (or from `startFrom`).
pub async fn create(
    State(app): State<AppState>,
    caller: Caller,
    headers: HeaderMap,
    b: Body,
) -> Result<Response, ApiError> {
    caller.require("create:log_streams")?;
    let id = format!("lst_{}", portcullis_core::random::alphanumeric(16));
    let d = payload(&headers, b).await?.into_new(id).map_err(invalid)?;
    if app.store.log_streams().await?.len() >= core::MAX_STREAMS {
        return Err(ApiError::bad_request(
            format!(
                "A tenant may have at most {} log streams.",
                core::MAX_STREAMS
            ),
            "too_many_log_streams",
        ));
    }
    let from_ms = d.start_from.map_or_else(
        || {
            std::time::SystemTime::now()
                .duration_since(std::time::UNIX_EPOCH)
                .map_or(0, |t| t.as_millis() as i64)
        },
        |s| s * 1000,
    );
    // The cursor is "delivered through", so one millisecond before the start.
    let cursor = core::log_id_floor(from_ms - 1);
    let sealed = seal(&app.kek, &d.stream.id, &d.secrets);
    let status = d.status.unwrap_or(Status::Active);
    app.store
        .insert_log_stream(&d.stream, &sealed, status, &cursor, app.now())
        .await?;
    app.log_streams.wake();
    let answer = d.stream.to_json(status);
    Ok((StatusCode::CREATED, Json(answer)).into_response())
}

/// Changes name, filters, sink (secrets left out are kept) or status
/// (`active` also restarts a suspended stream; any change tries at once).
pub async fn update(
    State(app): State<AppState>,
    caller: Caller,
    Path(id): Path<String>,
    headers: HeaderMap,
    b: Body,
) -> Result<Json<Value>, ApiError> {
    caller.require("update:log_streams")?;
    let patch = payload(&headers, b).await?;
    let s = app.store.log_stream(&id).await?.ok_or_else(not_found)?;
    let secrets = open(&app.kek, &id, &s.sealed_secrets).ok_or_else(ApiError::internal)?;
    let d = patch.apply_to(s.stream, secrets).map_err(invalid)?;
    let sealed = seal(&app.kek, &id, &d.secrets);
    if !app
        .store
        .update_log_stream(&d.stream, &sealed, d.status, app.now())
        .await?
    {
        return Err(not_found());
    }
    app.log_streams.wake();
    let s = app.store.log_stream(&id).await?.ok_or_else(not_found)?;
    Ok(Json(to_json(&s)))
}

pub async fn delete(
    State(app): State<AppState>,
    caller: Caller,
    Path(id): Path<String>,
) -> Result<StatusCode, ApiError> {
    caller.require("delete:log_streams")?;
    let lease = crate::log_streams::lease_name(&id);
    if !app.store.delete_log_stream(&id, &lease).await? {
        return Err(not_found());
    }
    Ok(StatusCode::NO_CONTENT)
}
