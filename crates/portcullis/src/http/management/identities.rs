//! `/api/v2/users/{id}/identities`: account linking as Auth0 has it. The
//! decisions are `portcullis_core::identities`; the move of the secondary's
//! record is one transaction in the store.

use axum::Json;
use axum::body::Body;
use axum::extract::{Path, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use portcullis_core::identities::{self, LinkError, LinkRequest, Secondary};
use serde_json::Value;

use super::clients::read_body;
use super::{Caller, SelfOrMachine};
use crate::app::AppState;
use crate::http::body;
use crate::http::errors::ApiError;

fn refused(e: LinkError) -> ApiError {
    match e {
        LinkError::NotLinked => ApiError::not_found(e.to_string(), "inexistent_identity"),
        _ => ApiError::bad_request(e.to_string(), "invalid_body"),
    }
}

fn not_found() -> ApiError {
    ApiError::not_found("The user does not exist.", "inexistent_user")
}

fn identities_json(u: &portcullis_core::users::User) -> Value {
    serde_json::to_value(&u.identities).unwrap_or(Value::Null)
}

/// The secondary's user id from a `link_with` ID token this server issued
/// to an application: our signature, our issuer, not expired, an application
/// as its audience (an access token, whose audience is an API and which
/// carries a scope, is refused), and, for a user's own call, the application
/// the caller's token was issued to (Auth0's rule).
async fn token_subject(
    app: &AppState,
    token: &str,
    caller_azp: Option<&str>,
) -> Result<String, ApiError> {
    let invalid = || {
        ApiError::bad_request(
            "Payload validation error: link_with is not a valid ID token of this tenant.",
            "invalid_body",
        )
    };
    let claims: Value = app.verify(token).map_err(|_| invalid())?;
    let aud = claims["aud"].as_str().ok_or_else(invalid)?;
    let fresh = claims["exp"].as_i64().is_some_and(|exp| exp > app.now());
    let id_token = claims["iss"] == app.issuer() && claims.get("scope").is_none();
    if !fresh || !id_token || caller_azp.is_some_and(|azp| azp != aud) {
        return Err(invalid());
    }
    if app.client(aud).await?.is_none() {
        return Err(invalid());
    }
    claims["sub"]
        .as_str()
        .map(str::to_string)
        .ok_or_else(invalid)
}

/// `POST /users/{id}/identities`: links a secondary user into `id`; answers
/// the primary's identities (201).
pub async fn link(
    State(app): State<AppState>,
    caller: Caller,
    Path(id): Path<String>,
    headers: HeaderMap,
    b: Body,
) -> Result<Response, ApiError> {
    let who = caller.require_user_access(&id, "update:users", "update:current_user_identities")?;
    let bytes = read_body(b).await?;
    let req: LinkRequest = body::api_json(&headers, &bytes)?;
    let secondary = req
        .decide()
        .map_err(|e| ApiError::bad_request(e.message, "invalid_body"))?;
    let secondary_id = match secondary {
        Secondary::Token(t) => {
            let azp = (who == SelfOrMachine::OwnUser).then_some(caller.claims.azp.as_str());
            token_subject(&app, &t, azp).await?
        }
        // A user's own token must prove the other account too (Auth0's rule).
        Secondary::UserId { .. } if who == SelfOrMachine::OwnUser => {
            return Err(ApiError::forbidden(
                "A user's token links another account only with link_with (that account's ID token).",
                "insufficient_scope",
            ));
        }
        Secondary::UserId {
            provider,
            user_id,
            connection_id,
        } => {
            let connection = match connection_id {
                Some(cid) => Some(
                    app.store
                        .get_connection(&cid)
                        .await?
                        .ok_or_else(|| {
                            ApiError::bad_request(
                                "Payload validation error: the connection does not exist on property connection_id.",
                                "invalid_body",
                            )
                        })?
                        .0
                        .name,
                ),
                None => None,
            };
            identities::full_user_id(&provider, &user_id, connection.as_deref())
        }
    };
    let (primary, _) = app.store.get_user(&id).await?.ok_or_else(not_found)?;
    let Some((secondary, _)) = app.store.get_user(&secondary_id).await? else {
        return Err(ApiError::bad_request(
            format!("The user to link ({secondary_id}) does not exist."),
            "invalid_body",
        ));
    };
    let linked = identities::link(primary.clone(), &secondary, app.now()).map_err(refused)?;
    if !app
        .store
        .link_user(&primary, &linked, &secondary_id, app.now())
        .await?
    {
        return Err(ApiError::conflict(
            "One of the users changed meanwhile (or the user to link has linked accounts of its own); try again.",
            "conflict",
        ));
    }
    Ok((StatusCode::CREATED, Json(identities_json(&linked))).into_response())
}

/// `DELETE /users/{id}/identities/{provider}/{user_id}`: the identity becomes
/// a user again; answers the primary's remaining identities.
pub async fn unlink(
    State(app): State<AppState>,
    caller: Caller,
    Path((id, provider, user_id)): Path<(String, String, String)>,
) -> Result<Json<Value>, ApiError> {
    caller.require_user_access(&id, "update:users", "update:current_user_identities")?;
    let (primary, _) = app.store.get_user(&id).await?.ok_or_else(not_found)?;
    let (unlinked, identity) =
        identities::unlink(primary.clone(), &provider, &user_id, app.now()).map_err(refused)?;
    if app
        .store
        .unlink_user(&primary, &unlinked, &identity, app.now())
        .await?
        .is_none()
    {
        return Err(ApiError::conflict(
            "The user changed meanwhile; try again.",
            "conflict",
        ));
    }
    Ok(Json(identities_json(&unlinked)))
}
