//! `/api/v2/connections`: where users come from (Auth0's shapes and scopes).
//! The model and its checks are `portcullis_core::connections`; an upstream's
//! client secret is sealed with the key-encryption key (the connection id as
//! associated data) and never answered.

use axum::Json;
use axum::body::Body;
use axum::extract::{Path, RawQuery, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use portcullis_core::connections::{
    Connection, ConnectionCreate, ConnectionPatch, Decided, Strategy, new_id,
};
use portcullis_core::users::normalize_email;
use portcullis_store::{SecretWrite, StoreError};
use serde::Deserialize;
use serde_json::{Value, json};

use super::clients::read_body;
use super::{Caller, ListQuery, single_fields};
use crate::app::AppState;
use crate::http::body;
use crate::http::errors::ApiError;

fn not_found() -> ApiError {
    ApiError::not_found("The connection does not exist", "inexistent_connection")
}

fn invalid(e: portcullis_core::validation::ValidationError) -> ApiError {
    ApiError::bad_request(e.message, "invalid_body")
}

/// The associated data a connection's secret is sealed with: a sealed
/// secret copied to another connection does not open.
pub(crate) fn secret_aad(connection_id: &str) -> String {
    format!("connection:{connection_id}")
}

/// Auth0's connection object. `enabled_clients` is left out, as Auth0 now
/// does on every answer (`/connections/{id}/clients` lists them).
fn to_json(c: &Connection) -> Value {
    serde_json::to_value(c).unwrap_or(Value::Null)
}

async fn find(app: &AppState, id: &str) -> Result<(Connection, Option<String>), ApiError> {
    app.store.get_connection(id).await?.ok_or_else(not_found)
}

/// An upstream's options must say how to reach it (`portcullis_core::upstream`).
fn check_upstream(c: &Connection) -> Result<(), ApiError> {
    if c.database().is_none() && c.passwordless().is_none() {
        portcullis_core::upstream::config(c).map_err(invalid)?;
    }
    Ok(())
}

/// An apple connection's key must sign (it is checked once, here, rather than
/// at each sign-in).
fn check_apple_key(
    c: &Connection,
    secret: Option<&portcullis_core::secrets::Secret>,
) -> Result<(), ApiError> {
    let apple = portcullis_core::upstream::config(c)
        .ok()
        .and_then(|cfg| cfg.apple);
    if let (Some(key), Some(pem)) = (apple, secret) {
        crate::upstream_client::es256_jwt(pem.expose(), &key.key_id, &serde_json::json!({}))
            .map_err(|e| {
                ApiError::bad_request(
                    format!("Payload validation error: {e} on property options.app_secret."),
                    "invalid_body",
                )
            })?;
    }
    Ok(())
}

/// Every named client must exist (nothing is stored otherwise).
async fn check_clients(app: &AppState, clients: &[String]) -> Result<(), ApiError> {
    for id in clients {
        if app.client(id).await?.is_none() {
            return Err(ApiError::bad_request(
                format!(
                    "Payload validation error: the client '{id}' does not exist on property enabled_clients."
                ),
                "invalid_body",
            ));
        }
    }
    Ok(())
}

pub async fn create(
    State(app): State<AppState>,
    caller: Caller,
    headers: HeaderMap,
    body: Body,
) -> Result<Response, ApiError> {
    caller.require("create:connections")?;
    let bytes = read_body(body).await?;
    let payload: ConnectionCreate = body::api_json_auth0(
        &headers,
        &bytes,
        portcullis_core::auth0_fields::Resource::Connection,
    )?;
    let Decided {
        connection,
        client_secret,
        enabled_clients,
    } = payload.into_new(new_id()).map_err(invalid)?;
    check_upstream(&connection)?;
    check_apple_key(&connection, client_secret.as_ref())?;
    let clients = enabled_clients.unwrap_or_default();
    check_clients(&app, &clients).await?;
    let sealed = client_secret.map(|s| {
        app.kek
            .seal(&secret_aad(&connection.id), s.expose().as_bytes())
    });
    match app
        .store
        .insert_connection(&connection, sealed.as_deref(), &clients, app.now())
        .await
    {
        Ok(()) => Ok((StatusCode::CREATED, Json(to_json(&connection))).into_response()),
        Err(StoreError::Conflict) => Err(ApiError::conflict(
            "A connection with the same name already exists",
            "connection_conflict",
        )),
        Err(e) => Err(e.into()),
    }
}

pub async fn list(
    State(app): State<AppState>,
    caller: Caller,
    RawQuery(q): RawQuery,
) -> Result<Json<Value>, ApiError> {
    caller.require("read:connections")?;
    // `strategy` is an array (Auth0's SDK repeats the key).
    let (q, strategies) =
        ListQuery::parse_repeated(q.as_deref(), &["name", "from", "take"], &["strategy"])?;
    for s in &strategies {
        if Strategy::parse(s).is_none() {
            return Err(ApiError::bad_request(
                format!("Query validation error: '{s}' is not a strategy Portcullis implements."),
                "invalid_query_string",
            ));
        }
    }
    let name = q.filter("name").map(str::to_string);
    let items: Vec<Value> = app
        .store
        .list_connections()
        .await?
        .iter()
        .filter(|c| strategies.is_empty() || strategies.iter().any(|s| s == c.strategy.as_str()))
        .filter(|c| name.as_ref().is_none_or(|n| *n == c.name))
        .map(to_json)
        .collect();
    // Auth0's SDK always sends `take` (with `include_totals`) and reads
    // `{connections, next}`: checkpoint paging wins when asked for.
    if let Some(cp) = q.checkpoint()? {
        let items = items.into_iter().map(|v| q.select(v)).collect();
        return Ok(Json(cp.respond("connections", items, |v| {
            v["id"].as_str().unwrap_or_default().to_string()
        })));
    }
    Ok(Json(q.respond_all("connections", items)))
}

pub async fn get(
    State(app): State<AppState>,
    caller: Caller,
    Path(id): Path<String>,
    RawQuery(q): RawQuery,
) -> Result<Json<Value>, ApiError> {
    caller.require("read:connections")?;
    let fields = single_fields(q.as_deref())?;
    let (c, _) = find(&app, &id).await?;
    Ok(Json(super::select_fields(to_json(&c), fields.as_ref())))
}

pub async fn update(
    State(app): State<AppState>,
    caller: Caller,
    Path(id): Path<String>,
    headers: HeaderMap,
    body: Body,
) -> Result<Json<Value>, ApiError> {
    caller.require("update:connections")?;
    let bytes = read_body(body).await?;
    let patch: ConnectionPatch = body::api_json_auth0(
        &headers,
        &bytes,
        portcullis_core::auth0_fields::Resource::Connection,
    )?;
    let (current, _) = find(&app, &id).await?;
    let Decided {
        connection,
        client_secret,
        enabled_clients,
    } = patch.apply_to(current).map_err(invalid)?;
    check_upstream(&connection)?;
    check_apple_key(&connection, client_secret.as_ref())?;
    if let Some(clients) = &enabled_clients {
        check_clients(&app, clients).await?;
    }
    let sealed = client_secret.map(|s| {
        app.kek
            .seal(&secret_aad(&connection.id), s.expose().as_bytes())
    });
    // Options without a secret keep the sealed one (Auth0 would drop it; a
    // configuration exported without secrets must not erase them).
    let secret = match &sealed {
        Some(s) => SecretWrite::Set(s),
        None => SecretWrite::Keep,
    };
    if !app
        .store
        .update_connection(&connection, secret, enabled_clients.as_deref(), app.now())
        .await?
    {
        return Err(not_found());
    }
    Ok(Json(to_json(&connection)))
}

pub async fn delete(
    State(app): State<AppState>,
    caller: Caller,
    Path(id): Path<String>,
) -> Result<StatusCode, ApiError> {
    caller.require("delete:connections")?;
    let (c, _) = find(&app, &id).await?;
    let settings = app.settings().await?;
    if settings.default_directory.as_deref() == Some(c.name.as_str()) {
        return Err(ApiError::bad_request(
            format!(
                "The connection '{}' is the tenant's default_directory: change the setting first.",
                c.name
            ),
            "operation_not_supported",
        ));
    }
    // Its users go with it, in the same transaction (Auth0's rule).
    if !app.store.delete_connection(&id).await? {
        return Err(not_found());
    }
    Ok(StatusCode::NO_CONTENT)
}

/// `GET /connections/{id}/clients`: `{clients: [{client_id}], next}`.
pub async fn clients(
    State(app): State<AppState>,
    caller: Caller,
    Path(id): Path<String>,
    RawQuery(q): RawQuery,
) -> Result<Json<Value>, ApiError> {
    caller.require("read:connections")?;
    let q = ListQuery::parse(q.as_deref(), &["from", "take"])?;
    find(&app, &id).await?;
    let items = app
        .store
        .connection_clients(&id)
        .await?
        .into_iter()
        .map(|c| json!({ "client_id": c }))
        .collect();
    let cp = q.checkpoint()?.unwrap_or(super::Checkpoint {
        after: None,
        take: 50,
    });
    Ok(Json(cp.respond("clients", items, |v| {
        v["client_id"].as_str().unwrap_or_default().to_string()
    })))
}

#[derive(Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct ClientStatus {
    client_id: String,
    status: bool,
}

/// `PATCH /connections/{id}/clients`: `[{client_id, status}]` (1 to 50),
/// applied together or not at all.
pub async fn update_clients(
    State(app): State<AppState>,
    caller: Caller,
    Path(id): Path<String>,
    headers: HeaderMap,
    body: Body,
) -> Result<StatusCode, ApiError> {
    caller.require("update:connections")?;
    let bytes = read_body(body).await?;
    let changes: Vec<ClientStatus> = body::api_json_array(&headers, &bytes)?;
    if changes.is_empty() || changes.len() > 50 {
        return Err(ApiError::bad_request(
            "Payload validation error: between 1 and 50 changes are allowed.",
            "invalid_body",
        ));
    }
    find(&app, &id).await?;
    let changes: Vec<(String, bool)> = changes
        .into_iter()
        .map(|c| (c.client_id, c.status))
        .collect();
    if !app.store.set_connection_clients(&id, &changes).await? {
        return Err(ApiError::bad_request(
            "Payload validation error: a client to enable does not exist.",
            "invalid_body",
        ));
    }
    Ok(StatusCode::NO_CONTENT)
}

/// `GET /connections/{id}/status`: Auth0 answers it for AD/LDAP connectors;
/// Portcullis's connections need no connector, so an existing one is online.
pub async fn status(
    State(app): State<AppState>,
    caller: Caller,
    Path(id): Path<String>,
) -> Result<StatusCode, ApiError> {
    caller.require("read:connections")?;
    find(&app, &id).await?;
    Ok(StatusCode::OK)
}

/// `DELETE /connections/{id}/users?email=`: deletes the database
/// connection's user with that address (scope `delete:users`, as Auth0).
pub async fn delete_user_by_email(
    State(app): State<AppState>,
    caller: Caller,
    Path(id): Path<String>,
    RawQuery(q): RawQuery,
) -> Result<StatusCode, ApiError> {
    caller.require("delete:users")?;
    let params = body::query(q.as_deref())?;
    let Some(email) = params.get("email").filter(|e| !e.is_empty()) else {
        return Err(ApiError::bad_request(
            "Query validation error: Missing required property: email.",
            "invalid_query_string",
        ));
    };
    let (c, _) = find(&app, &id).await?;
    if c.database().is_none() {
        return Err(ApiError::bad_request(
            "Connection must be a database connection",
            "invalid_query_string",
        ));
    }
    if let Some((user, _)) = app
        .store
        .find_user_by_email(&c.name, &normalize_email(email))
        .await?
    {
        app.store.delete_user(&user.user_id).await?;
    }
    Ok(StatusCode::NO_CONTENT)
}
