//! `/api/v2/rules`: Auth0 Rules. A script that does not compile is refused when it
//! is saved, with the engine's message and line number.

use axum::Json;
use axum::body::Body;
use axum::extract::{Path, RawQuery, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use portcullis_core::rules::{Rule, RulePayload};
use portcullis_sandbox::Trigger;
use portcullis_store::StoreError;
use serde_json::Value;

use super::clients::read_body;
use super::{Caller, ListQuery};
use crate::app::AppState;
use crate::http::body;
use crate::http::errors::ApiError;

fn not_found() -> ApiError {
    ApiError::not_found("The rule does not exist", "inexistent_rule")
}

fn name_taken() -> ApiError {
    ApiError::conflict("A rule with the same name already exists", "rule_conflict")
}

fn to_json(r: &Rule) -> Value {
    serde_json::to_value(r).unwrap_or(Value::Null)
}

/// Compiles the script in the sandbox (off the async workers).
async fn compiles(script: &str) -> Result<(), ApiError> {
    let script = script.to_string();
    let checked =
        tokio::task::spawn_blocking(move || portcullis_sandbox::check(Trigger::Rule, &script))
            .await
            .map_err(|_| ApiError::internal())?;
    checked.map_err(|e| {
        ApiError::bad_request(
            format!("Payload validation error: {e} on property script."),
            "invalid_body",
        )
    })
}

pub async fn create(
    State(app): State<AppState>,
    caller: Caller,
    headers: HeaderMap,
    b: Body,
) -> Result<Response, ApiError> {
    caller.require("create:rules")?;
    let bytes = read_body(b).await?;
    let payload: RulePayload = body::api_json(&headers, &bytes)?;
    let next = app
        .store
        .list_rules()
        .await?
        .iter()
        .map(|r| r.order + 1)
        .max()
        .unwrap_or(1);
    let rule = payload
        .into_new(
            format!("rul_{}", portcullis_core::random::alphanumeric(16)),
            next,
        )
        .map_err(|e| ApiError::bad_request(e.message, "invalid_body"))?;
    compiles(&rule.script).await?;
    match app.store.insert_rule(&rule, app.now()).await {
        Ok(()) => Ok((StatusCode::CREATED, Json(to_json(&rule))).into_response()),
        Err(StoreError::Conflict) => Err(name_taken()),
        Err(e) => Err(e.into()),
    }
}

/// In run order; `enabled` filters; Auth0's paging and wrapper.
pub async fn list(
    State(app): State<AppState>,
    caller: Caller,
    RawQuery(q): RawQuery,
) -> Result<Json<Value>, ApiError> {
    caller.require("read:rules")?;
    let q = ListQuery::parse(q.as_deref(), &["enabled"])?;
    let enabled = q.bool_filter("enabled")?;
    let rules = app.store.list_rules().await?;
    let items = rules
        .iter()
        .filter(|r| enabled.is_none_or(|e| r.enabled == e))
        .map(to_json)
        .collect();
    // Without paging asked for, every rule (their run order matters), as before.
    if !q.paged() {
        return Ok(Json(Value::Array(items)));
    }
    Ok(Json(q.respond_all("rules", items)))
}

pub async fn get(
    State(app): State<AppState>,
    caller: Caller,
    Path(id): Path<String>,
) -> Result<Json<Value>, ApiError> {
    caller.require("read:rules")?;
    let rule = app.store.get_rule(&id).await?.ok_or_else(not_found)?;
    Ok(Json(to_json(&rule)))
}

pub async fn update(
    State(app): State<AppState>,
    caller: Caller,
    Path(id): Path<String>,
    headers: HeaderMap,
    b: Body,
) -> Result<Json<Value>, ApiError> {
    caller.require("update:rules")?;
    let bytes = read_body(b).await?;
    let payload: RulePayload = body::api_json(&headers, &bytes)?;
    let rule = app.store.get_rule(&id).await?.ok_or_else(not_found)?;
    let rule = payload
        .apply_to(rule)
        .map_err(|e| ApiError::bad_request(e.message, "invalid_body"))?;
    compiles(&rule.script).await?;
    match app.store.update_rule(&rule, app.now()).await {
        Ok(true) => Ok(Json(to_json(&rule))),
        Ok(false) => Err(not_found()),
        Err(StoreError::Conflict) => Err(name_taken()),
        Err(e) => Err(e.into()),
    }
}

pub async fn delete(
    State(app): State<AppState>,
    caller: Caller,
    Path(id): Path<String>,
) -> Result<StatusCode, ApiError> {
    caller.require("delete:rules")?;
    if !app.store.delete_rule(&id).await? {
        return Err(not_found());
    }
    Ok(StatusCode::NO_CONTENT)
}
