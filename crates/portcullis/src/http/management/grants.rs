//! `/api/v2/grants` (Auth0's name for a user's consents): list, revoke one,
//! revoke all of a user's. A consent is keyed by user, application and API, so
//! its id encodes the three (opaque to callers, as Auth0's ids are); revoking
//! one means the consent page is shown again at the next login that asks.

use axum::Json;
use axum::extract::{Path, RawQuery, State};
use axum::http::StatusCode;
use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use portcullis_store::Consent;
use serde_json::{Value, json};

use super::{Caller, ListQuery};
use crate::app::AppState;
use crate::http::errors::ApiError;

fn grant_id(c: &Consent) -> String {
    URL_SAFE_NO_PAD
        .encode(serde_json::to_vec(&[&c.user_id, &c.client_id, &c.audience]).unwrap_or_default())
}

/// The (user, client, audience) an id names; `None` for anything we did not make.
fn parse_id(id: &str) -> Option<(String, String, String)> {
    let bytes = URL_SAFE_NO_PAD.decode(id).ok()?;
    let [u, c, a]: [String; 3] = serde_json::from_slice(&bytes).ok()?;
    Some((u, c, a))
}

fn to_json(c: &Consent) -> Value {
    json!({
        "id": grant_id(c),
        "clientID": c.client_id,
        "user_id": c.user_id,
        "audience": c.audience,
        "scope": portcullis_core::scope::parse(&c.scope),
    })
}

pub async fn list(
    State(app): State<AppState>,
    caller: Caller,
    RawQuery(q): RawQuery,
) -> Result<Json<Value>, ApiError> {
    caller.require("read:grants")?;
    let q = ListQuery::parse(q.as_deref(), &["user_id", "client_id", "audience"])?;
    let (items, total) = app
        .store
        .list_consents(
            q.filter("user_id"),
            q.filter("client_id"),
            q.filter("audience"),
            q.page,
        )
        .await?;
    Ok(Json(q.respond(
        "grants",
        items.iter().map(to_json).collect(),
        total,
    )))
}

fn not_found() -> ApiError {
    ApiError::not_found("The grant does not exist.", "inexistent_grant")
}

pub async fn delete(
    State(app): State<AppState>,
    caller: Caller,
    Path(id): Path<String>,
) -> Result<StatusCode, ApiError> {
    caller.require("delete:grants")?;
    let (user, client, audience) = parse_id(&id).ok_or_else(not_found)?;
    match app
        .store
        .delete_consents(&user, Some((&client, &audience)))
        .await?
    {
        0 => Err(not_found()),
        _ => Ok(StatusCode::NO_CONTENT),
    }
}

/// `DELETE /grants?user_id=…`: every consent of the user.
pub async fn delete_of_user(
    State(app): State<AppState>,
    caller: Caller,
    RawQuery(q): RawQuery,
) -> Result<StatusCode, ApiError> {
    caller.require("delete:grants")?;
    let q = ListQuery::parse(q.as_deref(), &["user_id"])?;
    let Some(user) = q.filter("user_id") else {
        return Err(ApiError::bad_request(
            "Query validation error: Missing required property: user_id",
            "invalid_query_string",
        ));
    };
    app.store.delete_consents(user, None).await?;
    Ok(StatusCode::NO_CONTENT)
}
