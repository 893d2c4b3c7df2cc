//! `/api/v2/client-grants`: which application may get tokens for which API.

use axum::Json;
use axum::body::Body;
use axum::extract::{Path, RawQuery, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use portcullis_core::client_grants::{
    ClientGrant, ClientGrantCreate, ClientGrantPatch, validate_scopes,
};
use portcullis_store::StoreError;
use serde_json::Value;

use super::clients::read_body;
use super::{Caller, ListQuery};
use crate::app::AppState;
use crate::http::body;
use crate::http::errors::ApiError;

fn not_found() -> ApiError {
    ApiError::not_found("The client grant does not exist", "inexistent_client_grant")
}

/// Auth0's shape: every grant here is a machine (client-credentials) grant,
/// and Auth0's tools match grants by `subject_type` too.
fn to_json(g: &ClientGrant) -> Value {
    let mut v = serde_json::to_value(g).unwrap_or(Value::Null);
    v["subject_type"] = "client".into();
    v
}

async fn api_for(
    app: &AppState,
    audience: &str,
) -> Result<portcullis_core::resource_servers::ResourceServer, ApiError> {
    app.store
        .get_resource_server_by_identifier(audience)
        .await?
        .ok_or_else(|| {
            ApiError::not_found(
                format!("No resource server found by identifier '{audience}'"),
                "inexistent_resource_server",
            )
        })
}

pub async fn create(
    State(app): State<AppState>,
    caller: Caller,
    headers: HeaderMap,
    body: Body,
) -> Result<Response, ApiError> {
    caller.require("create:client_grants")?;
    let bytes = read_body(body).await?;
    let payload: ClientGrantCreate = body::api_json_auth0(
        &headers,
        &bytes,
        portcullis_core::auth0_fields::Resource::ClientGrant,
    )?;
    if app.store.get_client(&payload.client_id).await?.is_none() {
        return Err(ApiError::not_found(
            format!("No client found with client_id '{}'", payload.client_id),
            "inexistent_client",
        ));
    }
    let api = api_for(&app, &payload.audience).await?;
    validate_scopes(&payload.scope, &api)
        .map_err(|e| ApiError::bad_request(e.message, "invalid_body"))?;
    let grant = ClientGrant {
        id: format!("cgr_{}", portcullis_core::random::alphanumeric(16)),
        client_id: payload.client_id,
        audience: api.identifier,
        scope: payload.scope,
        allow_all_scopes: payload.allow_all_scopes.unwrap_or(false),
        organization_usage: payload.organization_usage,
        allow_any_organization: payload.allow_any_organization.unwrap_or(false),
    };
    match app.store.insert_client_grant(&grant, app.now()).await {
        Ok(()) => Ok((StatusCode::CREATED, Json(to_json(&grant))).into_response()),
        Err(StoreError::Conflict) => Err(ApiError::conflict(
            "A client grant for this client and audience already exists",
            "client_grant_conflict",
        )),
        // The client or API was deleted between the checks and the insert.
        Err(StoreError::MissingReference) => Err(ApiError::not_found(
            "The client or the API no longer exists",
            "inexistent_reference",
        )),
        Err(e) => Err(e.into()),
    }
}

pub async fn list(
    State(app): State<AppState>,
    caller: Caller,
    RawQuery(q): RawQuery,
) -> Result<Json<Value>, ApiError> {
    caller.require("read:client_grants")?;
    let q = ListQuery::parse(
        q.as_deref(),
        &[
            "client_id",
            "audience",
            "from",
            "take",
            "subject_type",
            "allow_any_organization",
            "default_for",
        ],
    )?;
    // Every grant here is for a client and default for no kind of client
    // (user grants are a later issue): those filters Auth0's SDK sends either
    // keep them all or none.
    let none = q.enum_filter("subject_type", &["client", "user"])? == Some("user")
        || q.enum_filter("default_for", &["third_party_clients"])?
            .is_some();
    if let Some(any) = q.bool_filter("allow_any_organization")? {
        let (all, _) = app
            .store
            .list_client_grants(
                q.filter("client_id"),
                q.filter("audience"),
                portcullis_store::Page::ALL,
            )
            .await?;
        let items = all
            .iter()
            .filter(|g| g.allow_any_organization == any && !none)
            .map(to_json)
            .collect();
        return Ok(Json(match q.checkpoint()? {
            Some(cp) => cp.respond("client_grants", items, |g| {
                g["id"].as_str().unwrap_or_default().to_string()
            }),
            None => q.respond_all("client_grants", items),
        }));
    }
    if none {
        return Ok(Json(match q.checkpoint()? {
            Some(cp) => cp.respond("client_grants", Vec::new(), |_| String::new()),
            None => q.respond("client_grants", Vec::new(), 0),
        }));
    }
    // Checkpoint paging (Auth0's SDK asks for it by default): by grant id.
    if let Some(cp) = q.checkpoint()? {
        let (all, _) = app
            .store
            .list_client_grants(
                q.filter("client_id"),
                q.filter("audience"),
                portcullis_store::Page::ALL,
            )
            .await?;
        let items = all.iter().map(to_json).collect();
        return Ok(Json(cp.respond("client_grants", items, |g| {
            g["id"].as_str().unwrap_or_default().to_string()
        })));
    }
    let (items, total) = app
        .store
        .list_client_grants(q.filter("client_id"), q.filter("audience"), q.page)
        .await?;
    Ok(Json(q.respond(
        "client_grants",
        items.iter().map(to_json).collect(),
        total,
    )))
}

pub async fn get(
    State(app): State<AppState>,
    caller: Caller,
    Path(id): Path<String>,
) -> Result<Json<Value>, ApiError> {
    caller.require("read:client_grants")?;
    let g = app
        .store
        .get_client_grant(&id)
        .await?
        .ok_or_else(not_found)?;
    Ok(Json(to_json(&g)))
}

pub async fn update(
    State(app): State<AppState>,
    caller: Caller,
    Path(id): Path<String>,
    headers: HeaderMap,
    body: Body,
) -> Result<Json<Value>, ApiError> {
    caller.require("update:client_grants")?;
    let bytes = read_body(body).await?;
    let patch: ClientGrantPatch = body::api_json_auth0(
        &headers,
        &bytes,
        portcullis_core::auth0_fields::Resource::ClientGrant,
    )?;
    let mut grant = app
        .store
        .get_client_grant(&id)
        .await?
        .ok_or_else(not_found)?;
    if let Some(scope) = patch.scope {
        let api = api_for(&app, &grant.audience).await?;
        validate_scopes(&scope, &api)
            .map_err(|e| ApiError::bad_request(e.message, "invalid_body"))?;
        grant.scope = scope;
    }
    if let Some(all) = patch.allow_all_scopes {
        grant.allow_all_scopes = all;
    }
    if let Some(u) = patch.organization_usage {
        grant.organization_usage = Some(u);
    }
    if let Some(any) = patch.allow_any_organization {
        grant.allow_any_organization = any;
    }
    super::last_admin::ensure_one_remains(&app, super::last_admin::Change::UpdateGrant(&grant))
        .await?;
    if !app.store.update_client_grant(&grant, app.now()).await? {
        return Err(not_found());
    }
    Ok(Json(to_json(&grant)))
}

pub async fn delete(
    State(app): State<AppState>,
    caller: Caller,
    Path(id): Path<String>,
) -> Result<StatusCode, ApiError> {
    caller.require("delete:client_grants")?;
    super::last_admin::ensure_one_remains(&app, super::last_admin::Change::DeleteGrant(&id))
        .await?;
    if !app.store.delete_client_grant(&id).await? {
        return Err(not_found());
    }
    Ok(StatusCode::NO_CONTENT)
}
