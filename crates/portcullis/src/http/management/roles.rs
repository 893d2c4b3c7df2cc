//! Role-based access control in the Management API, as Auth0 has it:
//! `/roles` (and their permissions and users), `/users/{id}/roles` and
//! `/users/{id}/permissions`. The checks are `portcullis_core::roles`; every
//! assignment is all or nothing in one transaction (`TenantStore`).
//!
//! Statuses are Auth0's, which differ by route: `POST /roles` answers 200, a
//! permission added 201, a role given to users 200, a role given to a user
//! 204, a removal 204, `DELETE /roles/{id}` 200.

use axum::Json;
use axum::body::Body;
use axum::extract::{Path, RawQuery, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use portcullis_core::roles::{
    self, PermissionRef, PermissionsBody, Role, RolePayload, RolesBody, UsersBody,
};
use portcullis_core::users::User;
use portcullis_store::{Assignment, Permission, PermissionSource, StoreError};
use serde::de::DeserializeOwned;
use serde_json::{Value, json};

use super::clients::read_body;
use super::{Caller, ListQuery};
use crate::app::AppState;
use crate::http::body;
use crate::http::errors::ApiError;

fn no_role() -> ApiError {
    ApiError::not_found("The role does not exist.", "inexistent_role")
}

fn no_user() -> ApiError {
    ApiError::not_found("The user does not exist.", "inexistent_user")
}

fn taken() -> ApiError {
    ApiError::conflict("The role already exists.", "role_conflict")
}

fn invalid(e: portcullis_core::validation::ValidationError) -> ApiError {
    ApiError::bad_request(e.message, "invalid_body")
}

fn role_json(r: &Role) -> Value {
    json!({"id": r.id, "name": r.name, "description": r.description})
}

fn permission_json(p: &Permission) -> Value {
    json!({
        "permission_name": p.permission_name,
        "description": p.description,
        "resource_server_name": p.resource_server_name,
        "resource_server_identifier": p.resource_server_identifier,
    })
}

/// A role member as Auth0 lists one.
fn member_json(u: &User) -> Value {
    json!({"user_id": u.user_id, "email": u.email, "picture": u.picture, "name": u.name})
}

async fn json_body<T: DeserializeOwned>(headers: &HeaderMap, b: Body) -> Result<T, ApiError> {
    let bytes = read_body(b).await?;
    body::api_json(headers, &bytes)
}

/// Each permission resolved to its API (by identifier) and checked to be one
/// the API defines; `(resource server id, permission name)`.
async fn resolve(
    app: &AppState,
    permissions: &[PermissionRef],
) -> Result<Vec<(String, String)>, ApiError> {
    let permissions = roles::items("permissions", permissions).map_err(invalid)?;
    let mut out = Vec::with_capacity(permissions.len());
    for p in permissions {
        let api = app
            .store
            .get_resource_server_by_identifier(&p.resource_server_identifier)
            .await?
            .ok_or_else(|| {
                ApiError::not_found(
                    format!(
                        "The resource server does not exist: '{}'",
                        p.resource_server_identifier
                    ),
                    "inexistent_resource_server",
                )
            })?;
        if !api.defines_scope(&p.permission_name) {
            return Err(ApiError::bad_request(
                format!(
                    "Payload validation error: the permission '{}' is not defined by the resource server '{}'.",
                    p.permission_name, p.resource_server_identifier
                ),
                "invalid_body",
            ));
        }
        out.push((api.id, p.permission_name));
    }
    Ok(out)
}

// ---- /roles ---------------------------------------------------------------------

pub async fn list(
    State(app): State<AppState>,
    caller: Caller,
    RawQuery(q): RawQuery,
) -> Result<Json<Value>, ApiError> {
    caller.require("read:roles")?;
    let q = ListQuery::parse(q.as_deref(), &["name_filter", "type", "owner_id"])?;
    // Every role here is a tenant role: organization roles (`type=organization`,
    // `owner_id`) come with organizations.
    if q.enum_filter("type", &["tenant", "organization"])? == Some("organization")
        || q.filter("owner_id").is_some()
    {
        return Ok(Json(q.respond("roles", Vec::new(), 0)));
    }
    let (items, total) = app
        .store
        .list_roles(q.filter("name_filter"), q.page)
        .await?;
    Ok(Json(q.respond(
        "roles",
        items.iter().map(role_json).collect(),
        total,
    )))
}

pub async fn create(
    State(app): State<AppState>,
    caller: Caller,
    headers: HeaderMap,
    b: Body,
) -> Result<Json<Value>, ApiError> {
    caller.require("create:roles")?;
    let payload: RolePayload = json_body(&headers, b).await?;
    let role = payload.into_new(roles::new_id()).map_err(invalid)?;
    match app.store.insert_role(&role, app.now()).await {
        Ok(()) => Ok(Json(role_json(&role))),
        Err(StoreError::Conflict) => Err(taken()),
        Err(e) => Err(e.into()),
    }
}

pub async fn get(
    State(app): State<AppState>,
    caller: Caller,
    Path(id): Path<String>,
) -> Result<Json<Value>, ApiError> {
    caller.require("read:roles")?;
    let role = app.store.get_role(&id).await?.ok_or_else(no_role)?;
    Ok(Json(role_json(&role)))
}

pub async fn update(
    State(app): State<AppState>,
    caller: Caller,
    Path(id): Path<String>,
    headers: HeaderMap,
    b: Body,
) -> Result<Json<Value>, ApiError> {
    caller.require("update:roles")?;
    let payload: RolePayload = json_body(&headers, b).await?;
    let role = app.store.get_role(&id).await?.ok_or_else(no_role)?;
    let role = payload.apply_to(role).map_err(invalid)?;
    match app.store.update_role(&role, app.now()).await {
        Ok(true) => Ok(Json(role_json(&role))),
        Ok(false) => Err(no_role()),
        Err(StoreError::Conflict) => Err(taken()),
        Err(e) => Err(e.into()),
    }
}

pub async fn delete(
    State(app): State<AppState>,
    caller: Caller,
    Path(id): Path<String>,
) -> Result<Json<Value>, ApiError> {
    caller.require("delete:roles")?;
    if app.store.delete_role(&id).await? {
        Ok(Json(json!({})))
    } else {
        Err(no_role())
    }
}

// ---- /roles/{id}/permissions ----------------------------------------------------

pub async fn permissions(
    State(app): State<AppState>,
    caller: Caller,
    Path(id): Path<String>,
    RawQuery(q): RawQuery,
) -> Result<Json<Value>, ApiError> {
    caller.require("read:roles")?;
    let q = ListQuery::parse(q.as_deref(), &[])?;
    app.store.get_role(&id).await?.ok_or_else(no_role)?;
    let items = app.store.role_permissions(&id).await?;
    Ok(Json(q.respond_all(
        "permissions",
        items.iter().map(permission_json).collect(),
    )))
}

async fn change_permissions(
    app: &AppState,
    id: &str,
    headers: &HeaderMap,
    b: Body,
    add: bool,
) -> Result<(), ApiError> {
    let body: PermissionsBody = json_body(headers, b).await?;
    let resolved = resolve(app, &body.permissions).await?;
    match app
        .store
        .change_role_permissions(id, &resolved, add, app.now())
        .await?
    {
        Assignment::Done => Ok(()),
        _ => Err(no_role()),
    }
}

pub async fn add_permissions(
    State(app): State<AppState>,
    caller: Caller,
    Path(id): Path<String>,
    headers: HeaderMap,
    b: Body,
) -> Result<Response, ApiError> {
    caller.require("update:roles")?;
    change_permissions(&app, &id, &headers, b, true).await?;
    Ok((StatusCode::CREATED, Json(json!({}))).into_response())
}

pub async fn remove_permissions(
    State(app): State<AppState>,
    caller: Caller,
    Path(id): Path<String>,
    headers: HeaderMap,
    b: Body,
) -> Result<StatusCode, ApiError> {
    caller.require("update:roles")?;
    change_permissions(&app, &id, &headers, b, false).await?;
    Ok(StatusCode::NO_CONTENT)
}

// ---- /roles/{id}/users ----------------------------------------------------------

pub async fn users(
    State(app): State<AppState>,
    caller: Caller,
    Path(id): Path<String>,
    RawQuery(q): RawQuery,
) -> Result<Json<Value>, ApiError> {
    caller.require_any(&["read:role_members", "read:users"])?;
    let q = ListQuery::parse(q.as_deref(), &["from", "take"])?;
    app.store.get_role(&id).await?.ok_or_else(no_role)?;
    // Checkpoint paging (`from`, `take`): `{users, next}`, `next` left out on
    // the last page, no totals, as Auth0.
    if let Some(cp) = q.checkpoint()? {
        // One more than asked tells whether a next page exists.
        let mut got = app
            .store
            .role_users_after(&id, cp.after.as_deref(), cp.take as u32 + 1)
            .await?;
        let more = got.len() > cp.take;
        got.truncate(cp.take);
        let mut out = json!({"users": got.iter().map(member_json).collect::<Vec<_>>()});
        if more && let Some(last) = got.last() {
            out["next"] = Value::from(super::checkpoint_cursor::encode(&last.user_id));
        }
        return Ok(Json(out));
    }
    let (items, total) = app.store.role_users(&id, q.page).await?;
    Ok(Json(q.respond(
        "users",
        items.iter().map(member_json).collect(),
        total,
    )))
}

pub async fn assign_users(
    State(app): State<AppState>,
    caller: Caller,
    Path(id): Path<String>,
    headers: HeaderMap,
    b: Body,
) -> Result<Json<Value>, ApiError> {
    caller.require_any(&["create:role_members", "update:users"])?;
    let body: UsersBody = json_body(&headers, b).await?;
    let users = roles::items("users", &body.users).map_err(invalid)?;
    match app
        .store
        .change_user_roles(&users, std::slice::from_ref(&id), true, app.now())
        .await?
    {
        Assignment::Done => Ok(Json(json!({}))),
        Assignment::NoRole => Err(no_role()),
        Assignment::NoUser => Err(ApiError::not_found(
            "One or more of the users do not exist.",
            "inexistent_user",
        )),
    }
}

// ---- /users/{id}/roles and /users/{id}/permissions ----------------------------

pub async fn user_roles(
    State(app): State<AppState>,
    caller: Caller,
    Path(id): Path<String>,
    RawQuery(q): RawQuery,
) -> Result<Json<Value>, ApiError> {
    caller.require_any(&["read:users", "read:roles", "read:role_members"])?;
    let q = ListQuery::parse(q.as_deref(), &[])?;
    app.store.get_user(&id).await?.ok_or_else(no_user)?;
    let items = app.store.user_roles(&id).await?;
    Ok(Json(q.respond_all(
        "roles",
        items.iter().map(role_json).collect(),
    )))
}

async fn change_user_roles(
    app: &AppState,
    id: &str,
    headers: &HeaderMap,
    b: Body,
    add: bool,
) -> Result<StatusCode, ApiError> {
    let body: RolesBody = json_body(headers, b).await?;
    let roles = roles::items("roles", &body.roles).map_err(invalid)?;
    match app
        .store
        .change_user_roles(&[id.to_string()], &roles, add, app.now())
        .await?
    {
        Assignment::Done => Ok(StatusCode::NO_CONTENT),
        Assignment::NoRole => Err(no_role()),
        Assignment::NoUser => Err(no_user()),
    }
}

pub async fn assign_user_roles(
    State(app): State<AppState>,
    caller: Caller,
    Path(id): Path<String>,
    headers: HeaderMap,
    b: Body,
) -> Result<StatusCode, ApiError> {
    caller.require_any(&["update:users", "create:role_members"])?;
    change_user_roles(&app, &id, &headers, b, true).await
}

pub async fn remove_user_roles(
    State(app): State<AppState>,
    caller: Caller,
    Path(id): Path<String>,
    headers: HeaderMap,
    b: Body,
) -> Result<StatusCode, ApiError> {
    caller.require_any(&["update:users", "delete:role_members"])?;
    change_user_roles(&app, &id, &headers, b, false).await
}

/// A user's permissions, each once, with every source it comes from
/// (`DIRECT`, or each `ROLE` that holds it).
fn with_sources(rows: Vec<(Permission, PermissionSource)>) -> Vec<Value> {
    let mut out: Vec<(Permission, Vec<Value>)> = Vec::new();
    for (p, source) in rows {
        let source = match source {
            PermissionSource::Direct => {
                json!({"source_id": "", "source_name": "", "source_type": "DIRECT"})
            }
            PermissionSource::Role { id, name } => {
                json!({"source_id": id, "source_name": name, "source_type": "ROLE"})
            }
        };
        match out.iter_mut().find(|(q, _)| *q == p) {
            Some((_, sources)) => sources.push(source),
            None => out.push((p, vec![source])),
        }
    }
    out.sort_by(|(a, _), (b, _)| {
        (&a.resource_server_identifier, &a.permission_name)
            .cmp(&(&b.resource_server_identifier, &b.permission_name))
    });
    out.into_iter()
        .map(|(p, sources)| {
            let mut v = permission_json(&p);
            v["sources"] = Value::from(sources);
            v
        })
        .collect()
}

pub async fn user_permissions(
    State(app): State<AppState>,
    caller: Caller,
    Path(id): Path<String>,
    RawQuery(q): RawQuery,
) -> Result<Json<Value>, ApiError> {
    caller.require("read:users")?;
    let q = ListQuery::parse(q.as_deref(), &[])?;
    app.store.get_user(&id).await?.ok_or_else(no_user)?;
    let rows = app.store.user_permissions(&id).await?;
    Ok(Json(q.respond_all("permissions", with_sources(rows))))
}

async fn change_user_permissions(
    app: &AppState,
    id: &str,
    headers: &HeaderMap,
    b: Body,
    add: bool,
) -> Result<(), ApiError> {
    let body: PermissionsBody = json_body(headers, b).await?;
    let resolved = resolve(app, &body.permissions).await?;
    match app
        .store
        .change_user_permissions(id, &resolved, add, app.now())
        .await?
    {
        Assignment::Done => Ok(()),
        _ => Err(no_user()),
    }
}

pub async fn add_user_permissions(
    State(app): State<AppState>,
    caller: Caller,
    Path(id): Path<String>,
    headers: HeaderMap,
    b: Body,
) -> Result<Response, ApiError> {
    caller.require("update:users")?;
    change_user_permissions(&app, &id, &headers, b, true).await?;
    Ok((StatusCode::CREATED, Json(json!({}))).into_response())
}

pub async fn remove_user_permissions(
    State(app): State<AppState>,
    caller: Caller,
    Path(id): Path<String>,
    headers: HeaderMap,
    b: Body,
) -> Result<StatusCode, ApiError> {
    caller.require("update:users")?;
    change_user_permissions(&app, &id, &headers, b, false).await?;
    Ok(StatusCode::NO_CONTENT)
}
