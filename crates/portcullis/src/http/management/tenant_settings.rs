//! `GET/PATCH /api/v2/tenants/settings`: the tenant's settings that change
//! behaviour here (`portcullis_core::tenant_settings`). A change reaches every
//! node through the configuration generation, as applications' changes do.

use axum::Json;
use axum::body::Body;
use axum::extract::State;
use axum::http::HeaderMap;
use portcullis_core::tenant_settings::{TenantSettings, TenantSettingsPatch};
use serde_json::Value;

use super::Caller;
use super::clients::read_body;
use crate::app::AppState;
use crate::http::body;
use crate::http::errors::ApiError;

fn to_json(s: &TenantSettings) -> Value {
    serde_json::to_value(s).unwrap_or(Value::Null)
}

pub async fn get(State(app): State<AppState>, caller: Caller) -> Result<Json<Value>, ApiError> {
    caller.require("read:tenant_settings")?;
    Ok(Json(to_json(&app.store.tenant_settings().await?)))
}

pub async fn update(
    State(app): State<AppState>,
    caller: Caller,
    headers: HeaderMap,
    b: Body,
) -> Result<Json<Value>, ApiError> {
    caller.require("update:tenant_settings")?;
    let bytes = read_body(b).await?;
    let patch: TenantSettingsPatch = body::api_json_auth0(
        &headers,
        &bytes,
        portcullis_core::auth0_fields::Resource::TenantSettings,
    )?;
    // Read, change, store only if nobody changed them meanwhile; else again
    // on what they changed (two PATCHes of different fields both hold).
    for _ in 0..ATTEMPTS {
        let (current, read) = app.store.tenant_settings_versioned().await?;
        let settings = checked(&app, &patch, current).await?;
        if app
            .store
            .replace_tenant_settings(&settings, read.as_deref())
            .await?
        {
            return Ok(Json(to_json(&settings)));
        }
    }
    Err(ApiError::conflict(
        "The tenant's settings were changed by another request meanwhile; try again.",
        "settings_conflict",
    ))
}

/// Attempts of a compare-and-set before answering 409.
pub(super) const ATTEMPTS: usize = 5;

/// `patch` applied to `current` and checked (the default audience names an
/// API, the default directory a connection).
async fn checked(
    app: &AppState,
    patch: &TenantSettingsPatch,
    current: portcullis_core::tenant_settings::TenantSettings,
) -> Result<portcullis_core::tenant_settings::TenantSettings, ApiError> {
    let settings = patch
        .clone()
        .apply_to(current)
        .map_err(|e| ApiError::bad_request(e.message, "invalid_body"))?;
    if let Some(aud) = &settings.default_audience
        && app
            .store
            .get_resource_server_by_identifier(aud)
            .await?
            .is_none()
    {
        return Err(ApiError::bad_request(
            format!(
                "Payload validation error: no API has the identifier '{aud}' on property default_audience."
            ),
            "invalid_body",
        ));
    }
    // The default directory is a database connection (the password grant's).
    if let Some(dir) = &settings.default_directory
        && app
            .connection_named(dir)
            .await?
            .is_none_or(|c| c.database().is_none())
    {
        return Err(ApiError::bad_request(
            format!(
                "Payload validation error: no database connection is named '{dir}' on property default_directory."
            ),
            "invalid_body",
        ));
    }
    Ok(settings)
}
