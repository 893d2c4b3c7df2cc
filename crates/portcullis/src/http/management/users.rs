//! `/api/v2/users` and `/api/v2/users-by-email`: users of the database connection.

use axum::Json;
use axum::body::Body;
use axum::extract::{Path, RawQuery, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use portcullis_core::password_policy::Refusal;
use portcullis_core::secrets::Secret;
use portcullis_core::user_search::{self, Match, Paths, UserQuery};
use portcullis_core::users::{self, User, UserCreate, UserPatch, UserRefusal};
use portcullis_store::StoreError;
use serde_json::Value;

use super::clients::read_body;
use super::{Caller, ListQuery, SelfOrMachine, select_fields, single_fields};
use crate::app::AppState;
use crate::http::body;
use crate::http::errors::ApiError;
use crate::http::{password_history, realm};

fn not_found() -> ApiError {
    ApiError::not_found("The user does not exist.", "inexistent_user")
}

/// Auth0 answers a duplicate e-mail with 409 and this code.
fn exists() -> ApiError {
    ApiError::conflict("The user already exists.", "auth0_idp_error")
}

/// A refused user write: Auth0's message (`PasswordStrengthError: Password is
/// too weak` for the connection's policy).
fn refused(e: UserRefusal) -> ApiError {
    ApiError::bad_request(e.message(), "invalid_body")
}

fn to_json(u: &User) -> Value {
    serde_json::to_value(u).unwrap_or(Value::Null)
}

pub async fn create(
    State(app): State<AppState>,
    caller: Caller,
    headers: HeaderMap,
    body: Body,
) -> Result<Response, ApiError> {
    caller.require("create:users")?;
    let bytes = read_body(body).await?;
    let payload: UserCreate = body::api_json(&headers, &bytes)?;
    let Some(name) = payload.connection.clone() else {
        return Err(ApiError::bad_request(
            "Payload validation error: Missing required property on property connection.",
            "invalid_body",
        ));
    };
    let db = realm::database(&app, None, &name)
        .await?
        .map_err(|why| ApiError::bad_request(why.message(), "invalid_body"))?;
    let (user, password) = payload
        .into_user(
            &db,
            portcullis_core::random::hex(12),
            app.issuer(),
            app.now(),
        )
        .map_err(refused)?;
    if app
        .store
        .find_user_by_email(user.connection(), &user.email)
        .await?
        .is_some()
    {
        return Err(exists());
    }
    let hash = app.hash_password(Secret::new(password)).await;
    match app.store.insert_user(&user, Some(&hash), app.now()).await {
        Ok(()) => Ok((StatusCode::CREATED, Json(to_json(&user))).into_response()),
        Err(StoreError::Conflict) => Err(exists()),
        Err(e) => Err(e.into()),
    }
}

/// `GET /api/v2/users`: Auth0's v3 search (`q`, `search_engine=v3`, `sort`,
/// `connection`, `fields`/`include_fields`, paging). Unlike Auth0, which stops
/// at the first 1000 results, every page can be reached.
pub async fn list(
    State(app): State<AppState>,
    caller: Caller,
    RawQuery(q): RawQuery,
) -> Result<Json<Value>, ApiError> {
    caller.require("read:users")?;
    let q = ListQuery::parse(
        q.as_deref(),
        &["q", "search_engine", "sort", "connection", "primary_order"],
    )?;
    let invalid =
        |e: user_search::SearchError| ApiError::bad_request(e.to_string(), "invalid_query_string");
    if let Some(engine) = q.filter("search_engine").filter(|e| *e != "v3") {
        return Err(ApiError::bad_request(
            format!("Query validation error: search_engine '{engine}' is not available; use v3."),
            "invalid_query_string",
        ));
    }
    let mut query = user_search::parse(q.filter("q").unwrap_or_default()).map_err(invalid)?;
    // `connection` (an older parameter the SDKs still send) narrows the search.
    if let Some(connection) = q.filter("connection") {
        let by_connection = UserQuery::Match(Match::Attribute {
            paths: Paths::One("identities.connection".into()),
            value: connection.to_string(),
            prefix: false,
        });
        query = Some(match query {
            Some(q) => UserQuery::And(vec![q, by_connection]),
            None => by_connection,
        });
    }
    let sort = user_search::parse_sort(q.filter("sort")).map_err(invalid)?;
    let (items, total) = app.store.search_users(query.as_ref(), sort, q.page).await?;
    Ok(Json(q.respond(
        "users",
        items.iter().map(to_json).collect(),
        total,
    )))
}

pub async fn by_email(
    State(app): State<AppState>,
    caller: Caller,
    RawQuery(q): RawQuery,
) -> Result<Json<Value>, ApiError> {
    caller.require("read:users")?;
    let q = ListQuery::parse(q.as_deref(), &["email"])?;
    let Some(email) = q.filter("email") else {
        return Err(ApiError::bad_request(
            "Query validation error: Missing required property: email.",
            "invalid_query_string",
        ));
    };
    let (items, _) = app
        .store
        .list_users(Some(&users::normalize_email(email)), q.page)
        .await?;
    Ok(Json(q.respond(
        "users",
        items.iter().map(to_json).collect(),
        items.len() as i64,
    )))
}

pub async fn get(
    State(app): State<AppState>,
    caller: Caller,
    Path(id): Path<String>,
    RawQuery(q): RawQuery,
) -> Result<Json<Value>, ApiError> {
    caller.require_user_access(&id, "read:users", "read:current_user")?;
    let fields = single_fields(q.as_deref())?;
    let (user, _) = app.store.get_user(&id).await?.ok_or_else(not_found)?;
    Ok(Json(select_fields(to_json(&user), fields.as_ref())))
}

pub async fn update(
    State(app): State<AppState>,
    caller: Caller,
    Path(id): Path<String>,
    headers: HeaderMap,
    body: Body,
) -> Result<Json<Value>, ApiError> {
    let who = caller.require_user_access(&id, "update:users", "update:current_user_metadata")?;
    let bytes = read_body(body).await?;
    let patch: UserPatch = body::api_json(&headers, &bytes)?;
    if who == SelfOrMachine::OwnUser && !patch.is_user_metadata_only() {
        // Auth0: with update:current_user_metadata a user changes user_metadata only.
        return Err(ApiError::forbidden(
            "A user's token may change only user_metadata.",
            "insufficient_scope",
        ));
    }
    let (user, current_hash) = app.store.get_user(&id).await?.ok_or_else(not_found)?;
    let db = realm::of_user(&app, &user).await?;
    let (user, password) = patch
        .apply_to(user, db.as_ref(), app.now())
        .map_err(refused)?;
    if let (Some(p), Some(db)) = (&password, &db)
        && password_history::reused(&app, db, &user.user_id, current_hash.as_deref(), p).await?
    {
        return Err(refused(UserRefusal::Password(Refusal::Reused)));
    }
    let hash = match password {
        Some(p) => Some(app.hash_password(Secret::new(p)).await),
        None => None,
    };
    match app
        .store
        .update_user(&user, hash.as_deref(), app.now())
        .await
    {
        Ok(true) => Ok(Json(to_json(&user))),
        Ok(false) => Err(not_found()),
        Err(StoreError::Conflict) => Err(exists()),
        Err(e) => Err(e.into()),
    }
}

pub async fn delete(
    State(app): State<AppState>,
    caller: Caller,
    Path(id): Path<String>,
) -> Result<StatusCode, ApiError> {
    caller.require("delete:users")?;
    if !app.store.delete_user(&id).await? {
        return Err(not_found());
    }
    Ok(StatusCode::NO_CONTENT)
}
