//! `/api/v2/branding` (Auth0's): the tenant's look (`GET`, `PATCH` merging,
//! `null` removes) and `/branding/templates/universal-login` (`GET`, `PUT` as
//! JSON `{template}` or `text/html`, `DELETE`), checked when saved: a
//! template that does not parse, lacks a tag or holds a script is a 400 and
//! changes nothing. A change reaches every node's pages through the
//! configuration generation (the route is in `CACHED`).

use axum::Json;
use axum::body::Body;
use axum::extract::State;
use axum::http::{HeaderMap, StatusCode, header};
use axum::response::{IntoResponse, Response};
use serde_json::{Value, json};

use super::Caller;
use super::clients::read_body;
use crate::app::AppState;
use crate::http::body;
use crate::http::errors::ApiError;

fn invalid(message: impl Into<String>) -> ApiError {
    ApiError::bad_request(message, "invalid_body")
}

pub async fn get(State(app): State<AppState>, caller: Caller) -> Result<Json<Value>, ApiError> {
    caller.require("read:branding")?;
    let (b, _) = app.store.branding().await?;
    Ok(Json(serde_json::to_value(&b).unwrap_or_else(|_| json!({}))))
}

pub async fn update(
    State(app): State<AppState>,
    caller: Caller,
    headers: HeaderMap,
    b: Body,
) -> Result<Json<Value>, ApiError> {
    caller.require("update:branding")?;
    let bytes = read_body(b).await?;
    let patch: Value = body::api_json(&headers, &bytes)?;
    // Read, merge, store only if nobody changed it meanwhile; else merge
    // again onto their change (two PATCHes of different fields both hold).
    for _ in 0..super::tenant_settings::ATTEMPTS {
        let (current, _, read) = app.store.branding_versioned().await?;
        let next = current.patched(&patch).map_err(|e| invalid(e.message))?;
        if app
            .store
            .replace_branding(&next, read.as_deref(), app.now())
            .await?
        {
            app.look_changed().await?;
            return Ok(Json(
                serde_json::to_value(&next).unwrap_or_else(|_| json!({})),
            ));
        }
    }
    Err(ApiError::conflict(
        "The branding was changed by another request meanwhile; try again.",
        "branding_conflict",
    ))
}

pub async fn get_template(
    State(app): State<AppState>,
    caller: Caller,
) -> Result<Json<Value>, ApiError> {
    caller.require("read:branding")?;
    match app.store.branding().await?.1 {
        Some(t) => Ok(Json(json!({ "body": t }))),
        None => Err(ApiError::not_found(
            "There is no Universal Login template.",
            "inexistent_template",
        )),
    }
}

/// `PUT`: Auth0 takes `{"template": …}` as JSON, or the page itself as
/// `text/html`.
pub async fn put_template(
    State(app): State<AppState>,
    caller: Caller,
    headers: HeaderMap,
    b: Body,
) -> Result<Response, ApiError> {
    caller.require("update:branding")?;
    let bytes = read_body(b).await?;
    let html = headers
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|ct| ct.starts_with("text/html"));
    let template = if html {
        String::from_utf8(bytes.to_vec()).map_err(|_| invalid("The template is not UTF-8."))?
    } else {
        let v: Value = body::api_json(&headers, &bytes)?;
        match v.get("template") {
            Some(Value::String(t)) => t.clone(),
            _ => {
                return Err(invalid(
                    "Payload validation error: Missing required property: template.",
                ));
            }
        }
    };
    app.pages.parse_layout(&template).map_err(invalid)?;
    app.store
        .set_login_template(Some(&template), app.now())
        .await?;
    app.look_changed().await?;
    Ok((StatusCode::CREATED, Json(json!({}))).into_response())
}

pub async fn delete_template(
    State(app): State<AppState>,
    caller: Caller,
) -> Result<StatusCode, ApiError> {
    caller.require("delete:branding")?;
    app.store.set_login_template(None, app.now()).await?;
    app.look_changed().await?;
    Ok(StatusCode::NO_CONTENT)
}
