//! `/api/v2/rules-configs`: the `configuration` object Rules read. Values are
//! secrets: sealed at rest and never returned, only their keys, as in Auth0.

use axum::Json;
use axum::body::Body;
use axum::extract::{Path, State};
use axum::http::{HeaderMap, StatusCode};
use serde::Deserialize;
use serde_json::{Value, json};

use super::Caller;
use super::clients::read_body;
use crate::app::AppState;
use crate::http::body;
use crate::http::errors::ApiError;
use crate::scripts::rules_config_aad;

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct SetPayload {
    value: String,
}

/// Auth0: keys match `^[A-Za-z0-9_\-@*+:]*$`, 1 to 127 characters.
fn valid_key(key: &str) -> bool {
    (1..=127).contains(&key.len())
        && key
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b"_-@*+:".contains(&b))
}

fn check_key(key: &str) -> Result<(), ApiError> {
    if valid_key(key) {
        Ok(())
    } else {
        Err(ApiError::bad_request(
            "Path validation error: key must be 1 to 127 of letters, digits and _-@*+: on property key.",
            "invalid_uri",
        ))
    }
}

pub async fn list(State(app): State<AppState>, caller: Caller) -> Result<Json<Value>, ApiError> {
    caller.require("read:rules_configs")?;
    let keys: Vec<Value> = app
        .store
        .list_rules_configs()
        .await?
        .into_iter()
        .map(|(k, _)| json!({"key": k}))
        .collect();
    Ok(Json(Value::Array(keys)))
}

pub async fn set(
    State(app): State<AppState>,
    caller: Caller,
    Path(key): Path<String>,
    headers: HeaderMap,
    b: Body,
) -> Result<Json<Value>, ApiError> {
    caller.require("update:rules_configs")?;
    check_key(&key)?;
    let bytes = read_body(b).await?;
    let payload: SetPayload = body::api_json(&headers, &bytes)?;
    if payload.value.len() > 4096 {
        return Err(ApiError::bad_request(
            "Payload validation error: must be at most 4096 characters on property value.",
            "invalid_body",
        ));
    }
    let sealed = app
        .kek
        .seal(&rules_config_aad(&key), payload.value.as_bytes());
    app.store.set_rules_config(&key, &sealed, app.now()).await?;
    // Auth0 echoes the value it was sent (it is the caller's own).
    Ok(Json(json!({"key": key, "value": payload.value})))
}

pub async fn delete(
    State(app): State<AppState>,
    caller: Caller,
    Path(key): Path<String>,
) -> Result<StatusCode, ApiError> {
    caller.require("delete:rules_configs")?;
    check_key(&key)?;
    if !app.store.delete_rules_config(&key).await? {
        return Err(ApiError::not_found(
            "The rules config does not exist",
            "inexistent_rules_config",
        ));
    }
    Ok(StatusCode::NO_CONTENT)
}
