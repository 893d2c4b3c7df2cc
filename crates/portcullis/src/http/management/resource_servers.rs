//! `/api/v2/resource-servers`: APIs. The Management API itself is listed as a
//! system API and cannot be changed or deleted.

use axum::Json;
use axum::body::Body;
use axum::extract::{Path, RawQuery, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use portcullis_core::resource_servers::{ResourceServer, ResourceServerPayload};
use portcullis_store::StoreError;
use serde_json::Value;

use super::clients::read_body;
use super::{Caller, ListQuery, select_fields, single_fields};
use crate::app::AppState;
use crate::http::body;
use crate::http::errors::ApiError;

fn not_found() -> ApiError {
    ApiError::not_found(
        "The resource server does not exist",
        "inexistent_resource_server",
    )
}

fn system_refused() -> ApiError {
    ApiError::forbidden(
        "The Management API is a system API: it cannot be changed or deleted",
        "operation_not_supported",
    )
}

fn to_json(rs: &ResourceServer) -> Value {
    serde_json::to_value(rs).unwrap_or(Value::Null)
}

/// Auth0 accepts the id or the (URL-encoded) identifier in the path.
async fn find(app: &AppState, id_or_identifier: &str) -> Result<ResourceServer, ApiError> {
    if let Some(rs) = app.store.get_resource_server(id_or_identifier).await? {
        return Ok(rs);
    }
    app.store
        .get_resource_server_by_identifier(id_or_identifier)
        .await?
        .ok_or_else(not_found)
}

pub async fn create(
    State(app): State<AppState>,
    caller: Caller,
    headers: HeaderMap,
    body: Body,
) -> Result<Response, ApiError> {
    caller.require("create:resource_servers")?;
    let bytes = read_body(body).await?;
    let payload: ResourceServerPayload = body::api_json_auth0(
        &headers,
        &bytes,
        portcullis_core::auth0_fields::Resource::ResourceServer,
    )?;
    let rs = payload
        .into_new(portcullis_core::random::hex(12))
        .map_err(|e| ApiError::bad_request(e.message, "invalid_body"))?;
    super::clients::signing_keys_for(&app, rs.signing_alg).await?;
    match app.store.insert_resource_server(&rs, app.now()).await {
        Ok(()) => Ok((StatusCode::CREATED, Json(to_json(&rs))).into_response()),
        Err(StoreError::Conflict) => Err(ApiError::conflict(
            format!(
                "A resource server with identifier '{}' already exists",
                rs.identifier
            ),
            "resource_server_conflict",
        )),
        Err(e) => Err(e.into()),
    }
}

pub async fn list(
    State(app): State<AppState>,
    caller: Caller,
    RawQuery(q): RawQuery,
) -> Result<Json<Value>, ApiError> {
    caller.require("read:resource_servers")?;
    // `identifiers`: Auth0's filter by audience (repeated for several).
    let (q, identifiers) = ListQuery::parse_repeated(q.as_deref(), &[], &["identifiers"])?;
    if !identifiers.is_empty() {
        let (all, _) = app
            .store
            .list_resource_servers(portcullis_store::Page::ALL)
            .await?;
        let items = all
            .iter()
            .filter(|rs| identifiers.contains(&rs.identifier))
            .map(to_json)
            .collect();
        return Ok(Json(q.respond_all("resource_servers", items)));
    }
    let (items, total) = app.store.list_resource_servers(q.page).await?;
    Ok(Json(q.respond(
        "resource_servers",
        items.iter().map(to_json).collect(),
        total,
    )))
}

pub async fn get(
    State(app): State<AppState>,
    caller: Caller,
    Path(id): Path<String>,
    RawQuery(q): RawQuery,
) -> Result<Json<Value>, ApiError> {
    caller.require("read:resource_servers")?;
    let fields = single_fields(q.as_deref())?;
    let rs = find(&app, &id).await?;
    Ok(Json(select_fields(to_json(&rs), fields.as_ref())))
}

pub async fn update(
    State(app): State<AppState>,
    caller: Caller,
    Path(id): Path<String>,
    headers: HeaderMap,
    body: Body,
) -> Result<Json<Value>, ApiError> {
    caller.require("update:resource_servers")?;
    let bytes = read_body(body).await?;
    let payload: ResourceServerPayload = body::api_json_auth0(
        &headers,
        &bytes,
        portcullis_core::auth0_fields::Resource::ResourceServer,
    )?;
    let rs = find(&app, &id).await?;
    if rs.is_system {
        return Err(system_refused());
    }
    let rs = payload
        .apply_to(rs)
        .map_err(|e| ApiError::bad_request(e.message, "invalid_body"))?;
    super::clients::signing_keys_for(&app, rs.signing_alg).await?;
    if !app.store.update_resource_server(&rs, app.now()).await? {
        return Err(not_found());
    }
    Ok(Json(to_json(&rs)))
}

pub async fn delete(
    State(app): State<AppState>,
    caller: Caller,
    Path(id): Path<String>,
) -> Result<StatusCode, ApiError> {
    caller.require("delete:resource_servers")?;
    let rs = find(&app, &id).await?;
    if rs.is_system {
        return Err(system_refused());
    }
    if !app.store.delete_resource_server(&rs.id).await? {
        return Err(not_found());
    }
    Ok(StatusCode::NO_CONTENT)
}
