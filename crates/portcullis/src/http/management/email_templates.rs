//! `/api/v2/email-templates` (Auth0's): create, get, patch and replace the
//! tenant's e-mail templates. A template whose Liquid does not parse is
//! refused, nothing saved (`crate::mail_templates::check`).

use axum::Json;
use axum::body::Body;
use axum::extract::{Path, State};
use axum::http::HeaderMap;
use portcullis_core::email_templates::{EmailTemplate, EmailTemplatePayload, TemplateName};
use portcullis_store::StoreError;
use serde_json::Value;

use super::Caller;
use super::clients::read_body;
use crate::app::AppState;
use crate::http::body;
use crate::http::errors::ApiError;

fn to_json(t: &EmailTemplate) -> Value {
    serde_json::to_value(t).unwrap_or(Value::Null)
}

/// Auth0's template names Portcullis does not send (yet): such a template
/// does not exist (404, as in an Auth0 tenant that never set it), so tools
/// that read every name carry on.
const AUTH0_ONLY: &[&str] = &[
    "verify_email_by_code",
    "reset_email_by_code",
    "stolen_credentials",
    "enrollment_email",
    "mfa_oob_code",
    "user_invitation",
    "async_approval",
];

fn name_of(raw: &str) -> Result<TemplateName, ApiError> {
    if TemplateName::parse(raw).is_none() && AUTH0_ONLY.contains(&raw) {
        return Err(not_found());
    }
    TemplateName::parse(raw).ok_or_else(|| {
        ApiError::bad_request(
            format!(
                "Path validation error: '{raw}' is not one of {}.",
                TemplateName::ALL.map(|t| t.as_str()).join(", ")
            ),
            "invalid_uri",
        )
    })
}

fn not_found() -> ApiError {
    ApiError::not_found("The template does not exist.", "inexistent_email_template")
}

/// Checks the model and the Liquid; 400 with the reason otherwise.
fn checked(
    t: Result<EmailTemplate, portcullis_core::validation::ValidationError>,
) -> Result<EmailTemplate, ApiError> {
    let t = t.map_err(|e| ApiError::bad_request(e.message, "invalid_body"))?;
    crate::mail_templates::check(&t).map_err(|e| {
        ApiError::bad_request(format!("Payload validation error: {e}."), "invalid_body")
    })?;
    Ok(t)
}

async fn payload(headers: &HeaderMap, b: Body) -> Result<EmailTemplatePayload, ApiError> {
    let bytes = read_body(b).await?;
    body::api_json(headers, &bytes)
}

pub async fn create(
    State(app): State<AppState>,
    caller: Caller,
    headers: HeaderMap,
    b: Body,
) -> Result<Json<Value>, ApiError> {
    caller.require("create:email_templates")?;
    let t = checked(payload(&headers, b).await?.into_template(None))?;
    match app.store.put_email_template(&t, false, app.now()).await {
        Ok(()) => Ok(Json(to_json(&t))),
        Err(StoreError::Conflict) => Err(ApiError::conflict(
            format!("Template {} already exists.", t.template.as_str()),
            "template_conflict",
        )),
        Err(e) => Err(e.into()),
    }
}

pub async fn get(
    State(app): State<AppState>,
    caller: Caller,
    Path(name): Path<String>,
) -> Result<Json<Value>, ApiError> {
    caller.require("read:email_templates")?;
    let name = name_of(&name)?;
    let t = app
        .store
        .get_email_template(name)
        .await?
        .ok_or_else(not_found)?;
    Ok(Json(to_json(&t)))
}

pub async fn update(
    State(app): State<AppState>,
    caller: Caller,
    Path(name): Path<String>,
    headers: HeaderMap,
    b: Body,
) -> Result<Json<Value>, ApiError> {
    caller.require("update:email_templates")?;
    let name = name_of(&name)?;
    let patch = payload(&headers, b).await?;
    // Read, change, store only if unchanged meanwhile; else again on the
    // newer version, so a concurrent change is never lost.
    for _ in 0..5 {
        let (current, read) = app
            .store
            .get_email_template_versioned(name)
            .await?
            .ok_or_else(not_found)?;
        let t = checked(patch.clone().apply_to(current))?;
        if app
            .store
            .update_email_template(&t, &read, app.now())
            .await?
        {
            return Ok(Json(to_json(&t)));
        }
    }
    Err(ApiError::conflict(
        "The template was changed by another request meanwhile; try again.",
        "template_conflict",
    ))
}

pub async fn replace(
    State(app): State<AppState>,
    caller: Caller,
    Path(name): Path<String>,
    headers: HeaderMap,
    b: Body,
) -> Result<Json<Value>, ApiError> {
    caller.require("update:email_templates")?;
    let name = name_of(&name)?;
    let t = checked(payload(&headers, b).await?.into_template(Some(name)))?;
    app.store.put_email_template(&t, true, app.now()).await?;
    Ok(Json(to_json(&t)))
}
