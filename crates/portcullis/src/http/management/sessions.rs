//! Sessions and refresh tokens in the Management API, as Auth0 names them:
//! `/users/{id}/sessions`, `/sessions/{id}`, `/users/{id}/refresh-tokens`,
//! `/refresh-tokens/{id}`.

use axum::Json;
use axum::body::Body;
use axum::extract::{Path, RawQuery, State};
use axum::http::{HeaderMap, StatusCode};
use portcullis_core::clock::iso8601;
use portcullis_store::{RefreshToken, SessionRecord};
use serde::Deserialize;
use serde_json::{Value, json};

use super::{Caller, ListQuery};
use crate::app::AppState;
use crate::http::errors::ApiError;

fn session_json(s: &SessionRecord) -> Value {
    json!({
        "id": s.id,
        "user_id": s.user_id,
        "created_at": iso8601(s.created_at),
        "updated_at": iso8601(s.last_seen_at),
        "authenticated_at": iso8601(s.auth_time),
        "last_interacted_at": iso8601(s.last_seen_at),
        "expires_at": iso8601(s.expires_at),
        "authentication": {"methods": [{"name": "pwd", "timestamp": iso8601(s.auth_time)}]},
    })
}

fn token_json(t: &RefreshToken) -> Value {
    json!({
        "id": t.id,
        "user_id": t.user_id,
        "client_id": t.client_id,
        "session_id": t.session_id,
        "rotating": t.rotating,
        "created_at": iso8601(t.created_at),
        "expires_at": t.expires_at.map(iso8601),
        "idle_expires_at": t.idle_expires_at.map(iso8601),
        "resource_servers": [{"audience": t.audience, "scopes": t.scope}],
    })
}

/// `{<key>: items}`, or with `from`/`take` (Auth0's checkpoint paging, which
/// its SDK sends for these lists) one page of them by id and `next`.
fn checkpointed(q: &ListQuery, key: &str, items: Vec<Value>) -> Result<Value, ApiError> {
    Ok(match q.checkpoint()? {
        Some(cp) => cp.respond(key, items, |v| {
            v["id"].as_str().unwrap_or_default().to_string()
        }),
        None => json!({ key: items }),
    })
}

pub async fn of_user(
    State(app): State<AppState>,
    caller: Caller,
    Path(id): Path<String>,
    RawQuery(q): RawQuery,
) -> Result<Json<Value>, ApiError> {
    caller.require("read:sessions")?;
    let q = ListQuery::parse(q.as_deref(), &["from", "take"])?;
    let sessions = app.store.list_user_sessions(&id, app.now()).await?;
    let items = sessions.iter().map(session_json).collect();
    Ok(Json(checkpointed(&q, "sessions", items)?))
}

pub async fn get(
    State(app): State<AppState>,
    caller: Caller,
    Path(id): Path<String>,
) -> Result<Json<Value>, ApiError> {
    caller.require("read:sessions")?;
    let s = app
        .store
        .get_session(&id, app.now())
        .await?
        .ok_or_else(|| ApiError::not_found("The session does not exist", "inexistent_session"))?;
    Ok(Json(session_json(&s)))
}

/// Ends the session (single sign-on stops) and revokes the refresh tokens issued
/// in it.
pub async fn delete(
    State(app): State<AppState>,
    caller: Caller,
    Path(id): Path<String>,
) -> Result<StatusCode, ApiError> {
    caller.require("delete:sessions")?;
    if !app.store.end_session(&id, app.now()).await? {
        return Err(ApiError::not_found(
            "The session does not exist",
            "inexistent_session",
        ));
    }
    app.store.revoke_refresh_by_session(&id, app.now()).await?;
    crate::http::oauth::logout::tell_applications(&app, &id).await?;
    Ok(StatusCode::NO_CONTENT)
}

pub async fn tokens_of_user(
    State(app): State<AppState>,
    caller: Caller,
    Path(id): Path<String>,
    RawQuery(q): RawQuery,
) -> Result<Json<Value>, ApiError> {
    caller.require("read:refresh_tokens")?;
    let q = ListQuery::parse(q.as_deref(), &["from", "take"])?;
    let tokens = app.store.list_user_refresh_tokens(&id, app.now()).await?;
    let items = tokens.iter().map(token_json).collect();
    Ok(Json(checkpointed(&q, "tokens", items)?))
}

fn token_not_found() -> ApiError {
    ApiError::not_found(
        "The refresh token does not exist",
        "inexistent_refresh_token",
    )
}

pub async fn get_token(
    State(app): State<AppState>,
    caller: Caller,
    Path(id): Path<String>,
) -> Result<Json<Value>, ApiError> {
    caller.require("read:refresh_tokens")?;
    let t = app
        .store
        .get_refresh_token(&id)
        .await?
        .ok_or_else(token_not_found)?;
    Ok(Json(token_json(&t)))
}

/// Revokes the token's whole family (a spent ancestor is useless on its own).
pub async fn delete_token(
    State(app): State<AppState>,
    caller: Caller,
    Path(id): Path<String>,
) -> Result<StatusCode, ApiError> {
    caller.require("delete:refresh_tokens")?;
    let t = app
        .store
        .get_refresh_token(&id)
        .await?
        .ok_or_else(token_not_found)?;
    app.store
        .revoke_refresh_family(&t.family_id, app.now())
        .await?;
    Ok(StatusCode::NO_CONTENT)
}

/// `POST /sessions/{id}/revoke`: as `DELETE /sessions/{id}` (the session and
/// the refresh tokens issued in it), answered 202 as Auth0 does.
pub async fn revoke(
    State(app): State<AppState>,
    caller: Caller,
    Path(id): Path<String>,
) -> Result<StatusCode, ApiError> {
    delete(State(app), caller, Path(id)).await?;
    Ok(StatusCode::ACCEPTED)
}

/// `DELETE /users/{id}/sessions`: every session of the user ends (single
/// sign-on stops everywhere); refresh tokens stay, as in Auth0.
pub async fn delete_of_user(
    State(app): State<AppState>,
    caller: Caller,
    Path(id): Path<String>,
) -> Result<StatusCode, ApiError> {
    caller.require("delete:sessions")?;
    user_exists(&app, &id).await?;
    let live = app.store.list_user_sessions(&id, app.now()).await?;
    app.store.end_user_sessions(&id, app.now()).await?;
    for s in &live {
        crate::http::oauth::logout::tell_applications(&app, &s.id).await?;
    }
    Ok(StatusCode::ACCEPTED)
}

/// `DELETE /users/{id}/refresh-tokens`: every refresh token of the user is
/// revoked.
pub async fn delete_tokens_of_user(
    State(app): State<AppState>,
    caller: Caller,
    Path(id): Path<String>,
) -> Result<StatusCode, ApiError> {
    caller.require("delete:refresh_tokens")?;
    user_exists(&app, &id).await?;
    app.store.revoke_user_refresh_tokens(&id, app.now()).await?;
    Ok(StatusCode::ACCEPTED)
}

/// `GET /refresh-tokens?user_id=…[&client_id=…]`: a user's live refresh
/// tokens by id, in Auth0's checkpoint pages (`from`, `take`, `next`).
pub async fn list_tokens(
    State(app): State<AppState>,
    caller: Caller,
    RawQuery(q): RawQuery,
) -> Result<Json<Value>, ApiError> {
    caller.require("read:refresh_tokens")?;
    let q = ListQuery::parse(q.as_deref(), &["user_id", "client_id", "from", "take"])?;
    let Some(user_id) = q.filter("user_id") else {
        return Err(ApiError::bad_request(
            "Query validation error: Missing required property: user_id.",
            "invalid_query_string",
        ));
    };
    let client_id = q.filter("client_id");
    let tokens = app
        .store
        .list_user_refresh_tokens(user_id, app.now())
        .await?;
    let items = tokens
        .iter()
        .filter(|t| client_id.is_none_or(|c| t.client_id == c))
        .map(token_json)
        .collect();
    let page = q.checkpoint()?.unwrap_or(super::Checkpoint {
        after: None,
        take: 50,
    });
    // Paged by id first, then `fields` applied (which may leave the id out).
    let mut out = page.respond("refresh_tokens", items, |v| {
        v["id"].as_str().unwrap_or_default().to_string()
    });
    if let Some(Value::Array(tokens)) = out.get_mut("refresh_tokens") {
        for t in tokens.iter_mut() {
            *t = q.select(std::mem::take(t));
        }
    }
    Ok(Json(out))
}

/// `POST /refresh-tokens/revoke`: Auth0's bulk revocation, by `ids` (at most
/// 100), or by `user_id`, narrowed by `client_id` and then `audience`.
#[derive(Debug, Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct RevokeTokens {
    ids: Option<Vec<String>>,
    user_id: Option<String>,
    client_id: Option<String>,
    audience: Option<String>,
}

/// Which tokens a bulk revocation names; the combinations Auth0 refuses are
/// refused here, before anything changes.
enum Revocation<'a> {
    Ids(&'a [String]),
    OfUser {
        user_id: &'a str,
        client_id: Option<&'a str>,
        audience: Option<&'a str>,
    },
}

fn revocation(r: &RevokeTokens) -> Result<Revocation<'_>, ApiError> {
    let bad =
        |m: &str| ApiError::bad_request(format!("Payload validation error: {m}"), "invalid_body");
    if let Some(ids) = &r.ids {
        if r.user_id.is_some() || r.client_id.is_some() || r.audience.is_some() {
            return Err(bad(
                "ids cannot be combined with user_id, client_id or audience.",
            ));
        }
        if ids.is_empty() || ids.len() > 100 {
            return Err(bad("ids must hold from 1 to 100 refresh token ids."));
        }
        return Ok(Revocation::Ids(ids));
    }
    let Some(user_id) = r.user_id.as_deref() else {
        return Err(bad(
            "give ids, or user_id (with client_id, then audience, to narrow it).",
        ));
    };
    if r.audience.is_some() && r.client_id.is_none() {
        return Err(bad(
            "audience must be used with both user_id and client_id.",
        ));
    }
    Ok(Revocation::OfUser {
        user_id,
        client_id: r.client_id.as_deref(),
        audience: r.audience.as_deref(),
    })
}

pub async fn revoke_tokens(
    State(app): State<AppState>,
    caller: Caller,
    headers: HeaderMap,
    b: Body,
) -> Result<StatusCode, ApiError> {
    caller.require("delete:refresh_tokens")?;
    let bytes = super::clients::read_body(b).await?;
    let req: RevokeTokens = crate::http::body::api_json(&headers, &bytes)?;
    let mut families: Vec<String> = Vec::new();
    match revocation(&req)? {
        Revocation::Ids(ids) => {
            // Unknown ids are already as good as revoked.
            for id in ids {
                if let Some(t) = app.store.get_refresh_token(id).await? {
                    families.push(t.family_id);
                }
            }
        }
        Revocation::OfUser {
            user_id,
            client_id,
            audience,
        } => {
            user_exists(&app, user_id).await?;
            for t in app
                .store
                .list_user_refresh_tokens(user_id, app.now())
                .await?
            {
                if client_id.is_none_or(|c| t.client_id == c)
                    && audience.is_none_or(|a| t.audience.as_deref() == Some(a))
                {
                    families.push(t.family_id);
                }
            }
        }
    }
    families.sort();
    families.dedup();
    app.store
        .revoke_refresh_families(&families, app.now())
        .await?;
    Ok(StatusCode::ACCEPTED)
}

async fn user_exists(app: &AppState, id: &str) -> Result<(), ApiError> {
    match app.store.get_user(id).await? {
        Some(_) => Ok(()),
        None => Err(ApiError::not_found(
            "The user does not exist.",
            "inexistent_user",
        )),
    }
}
