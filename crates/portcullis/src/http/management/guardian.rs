//! Auth0's Guardian Management API: the factors a tenant turns on
//! (`/guardian/factors`), its MFA policy (`/guardian/policies`), enrolments
//! (`/guardian/enrollments/{id}`), and each user's second factors
//! (`/users/{id}/authentication-methods`, `/users/{id}/enrollments`,
//! recovery-code regeneration, remembered browsers).
//!
//! Invariant: a factor Portcullis does not have (`mfa::Factor::offered`) can
//! be read and turned off, never on: a tenant is not told its users have a
//! second factor they cannot be asked for.

use axum::Json;
use axum::body::Body;
use axum::extract::{Path, RawQuery, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use portcullis_core::clock::iso8601;
use portcullis_core::mfa::{self, Authenticator, Factor, Kind};
use portcullis_core::users::User;
use serde::Deserialize;
use serde_json::{Value, json};

use super::clients::read_body;
use super::{Caller, ListQuery};
use crate::app::AppState;
use crate::audit::{Code, Event};
use crate::http::body;
use crate::http::errors::ApiError;

pub fn routes() -> axum::Router<AppState> {
    use axum::routing::{get, post, put};
    axum::Router::new()
        .route("/guardian/factors", get(factors))
        .route("/guardian/factors/{name}", put(set_factor))
        .route("/guardian/policies", get(policies).put(set_policies))
        .route(
            "/guardian/enrollments/{id}",
            get(enrollment).delete(delete_enrollment),
        )
        .route("/users/{id}/enrollments", get(user_enrollments))
        .route(
            "/users/{id}/authentication-methods",
            get(methods).delete(delete_methods),
        )
        .route(
            "/users/{id}/authentication-methods/{method}",
            get(method).delete(delete_method),
        )
        .route(
            "/users/{id}/recovery-code-regeneration",
            post(regenerate_recovery_code),
        )
        .route(
            "/users/{id}/multifactor/actions/invalidate-remember-browser",
            post(invalidate_remember_browser),
        )
}

async fn factors(State(app): State<AppState>, caller: Caller) -> Result<Json<Value>, ApiError> {
    caller.require("read:guardian_factors")?;
    Ok(Json(app.store.guardian_settings().await?.factors_json()))
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct FactorState {
    enabled: bool,
}

async fn set_factor(
    State(app): State<AppState>,
    caller: Caller,
    Path(name): Path<String>,
    headers: HeaderMap,
    b: Body,
) -> Result<Json<Value>, ApiError> {
    caller.require("update:guardian_factors")?;
    let Some(factor) = Factor::parse(&name) else {
        return Err(ApiError::bad_request(
            format!(
                "Path validation error: 'No enum match for: \"{name}\"' on property name (Name of the factor)."
            ),
            "invalid_uri",
        ));
    };
    let bytes = read_body(b).await?;
    let state: FactorState = body::api_json(&headers, &bytes)?;
    if state.enabled && !factor.offered() {
        return Err(ApiError::bad_request(
            format!(
                "The factor '{name}' is not available in Portcullis (offered: otp, email, recovery-code); it can only be turned off."
            ),
            "invalid_body",
        ));
    }
    let mut settings = app.store.guardian_settings().await?;
    let changed = if state.enabled {
        settings.enabled.insert(factor)
    } else {
        settings.enabled.remove(&factor)
    };
    if changed {
        app.store.set_guardian_settings(&settings).await?;
    }
    Ok(Json(json!({"enabled": state.enabled})))
}

async fn policies(State(app): State<AppState>, caller: Caller) -> Result<Json<Value>, ApiError> {
    caller.require_any(&["read:mfa_policies", "read:guardian_factors"])?;
    Ok(Json(app.store.guardian_settings().await?.policies_json()))
}

async fn set_policies(
    State(app): State<AppState>,
    caller: Caller,
    headers: HeaderMap,
    b: Body,
) -> Result<Json<Value>, ApiError> {
    caller.require_any(&["update:mfa_policies", "update:guardian_factors"])?;
    let bytes = read_body(b).await?;
    let raw: Value = body::api_json_array(&headers, &bytes)?;
    let policies =
        mfa::parse_policies(&raw).map_err(|e| ApiError::bad_request(e.0, "invalid_body"))?;
    let mut settings = app.store.guardian_settings().await?;
    if settings.policies != policies {
        settings.policies = policies;
        app.store.set_guardian_settings(&settings).await?;
    }
    Ok(Json(settings.policies_json()))
}

fn enrollment_not_found() -> ApiError {
    ApiError::not_found("Enrollment not found", "enrollment_not_found")
}

async fn enrollment(
    State(app): State<AppState>,
    caller: Caller,
    Path(id): Path<String>,
) -> Result<Json<Value>, ApiError> {
    caller.require("read:guardian_enrollments")?;
    let a = app
        .store
        .authenticator_by_id(&id)
        .await?
        .ok_or_else(enrollment_not_found)?;
    let v = a
        .to_enrollment_json(iso8601)
        .ok_or_else(enrollment_not_found)?;
    // Auth0's Guardian enrolment: no `type`/`auth_method` here.
    let mut v = v;
    if let Some(o) = v.as_object_mut() {
        o.remove("type");
        o.remove("auth_method");
    }
    Ok(Json(v))
}

async fn delete_enrollment(
    State(app): State<AppState>,
    caller: Caller,
    Path(id): Path<String>,
) -> Result<StatusCode, ApiError> {
    caller.require("delete:guardian_enrollments")?;
    let a = app
        .store
        .authenticator_by_id(&id)
        .await?
        .filter(|a| a.kind == Kind::Totp)
        .ok_or_else(enrollment_not_found)?;
    if app.store.delete_authenticator(&a.user_id, &a.id).await? {
        unenrolled(&app, &a.user_id, &a.id).await;
    }
    Ok(StatusCode::NO_CONTENT)
}

async fn unenrolled(app: &AppState, user_id: &str, id: &str) {
    let mut e = Event::new(Code::GdUnenroll, "Guardian - Unenroll device account")
        .details(json!({"authenticator": {"id": id}}));
    e.user_id = Some(user_id);
    app.audit(e).await;
}

async fn user_of(app: &AppState, id: &str) -> Result<User, ApiError> {
    app.store
        .get_user(id)
        .await?
        .map(|(u, _)| u)
        .ok_or_else(|| ApiError::not_found("The user does not exist.", "inexistent_user"))
}

async fn user_enrollments(
    State(app): State<AppState>,
    caller: Caller,
    Path(id): Path<String>,
) -> Result<Json<Value>, ApiError> {
    caller.require("read:users")?;
    let user = user_of(&app, &id).await?;
    let list = app.store.authenticators(&user.user_id).await?;
    Ok(Json(Value::Array(
        list.iter()
            .filter_map(|a| a.to_enrollment_json(iso8601))
            .collect(),
    )))
}

async fn methods(
    State(app): State<AppState>,
    caller: Caller,
    Path(id): Path<String>,
    RawQuery(raw): RawQuery,
) -> Result<Json<Value>, ApiError> {
    caller.require("read:authentication_methods")?;
    let q = ListQuery::parse(raw.as_deref(), &[])?;
    let user = user_of(&app, &id).await?;
    let items: Vec<Value> = app
        .store
        .authenticators(&user.user_id)
        .await?
        .iter()
        .map(|a| a.to_method_json(iso8601))
        .collect();
    Ok(Json(q.respond_all("authenticators", items)))
}

fn method_not_found() -> ApiError {
    ApiError::not_found(
        "The authentication method does not exist.",
        "inexistent_authentication_method",
    )
}

async fn method(
    State(app): State<AppState>,
    caller: Caller,
    Path((id, method)): Path<(String, String)>,
) -> Result<Json<Value>, ApiError> {
    caller.require("read:authentication_methods")?;
    let user = user_of(&app, &id).await?;
    let a = app
        .store
        .authenticators(&user.user_id)
        .await?
        .into_iter()
        .find(|a| a.id == method)
        .ok_or_else(method_not_found)?;
    Ok(Json(a.to_method_json(iso8601)))
}

async fn delete_method(
    State(app): State<AppState>,
    caller: Caller,
    Path((id, method)): Path<(String, String)>,
) -> Result<StatusCode, ApiError> {
    caller.require("delete:authentication_methods")?;
    let user = user_of(&app, &id).await?;
    if !app
        .store
        .delete_authenticator(&user.user_id, &method)
        .await?
    {
        return Err(method_not_found());
    }
    unenrolled(&app, &user.user_id, &method).await;
    Ok(StatusCode::NO_CONTENT)
}

async fn delete_methods(
    State(app): State<AppState>,
    caller: Caller,
    Path(id): Path<String>,
) -> Result<StatusCode, ApiError> {
    caller.require("delete:authentication_methods")?;
    let user = user_of(&app, &id).await?;
    if app.store.delete_authenticators(&user.user_id).await? > 0 {
        unenrolled(&app, &user.user_id, "*").await;
    }
    Ok(StatusCode::NO_CONTENT)
}

async fn regenerate_recovery_code(
    State(app): State<AppState>,
    caller: Caller,
    Path(id): Path<String>,
) -> Result<Response, ApiError> {
    caller.require("update:users")?;
    let user = user_of(&app, &id).await?;
    let code = mfa::new_recovery_code();
    let done = app
        .store
        .regenerate_recovery_code(
            &user.user_id,
            (
                &Authenticator::new_id(Kind::RecoveryCode),
                &portcullis_core::secrets::hash_secret(&code),
            ),
            app.now(),
        )
        .await?;
    if !done {
        return Err(ApiError::bad_request(
            "The user has no confirmed multi-factor enrollment to recover.",
            "no_mfa_enrollment",
        ));
    }
    Ok(Json(json!({"recovery_code": code})).into_response())
}

/// Nothing is remembered yet (remember-this-browser comes with the hosted
/// MFA pages), so there is nothing to forget: 204, as Auth0.
async fn invalidate_remember_browser(
    State(app): State<AppState>,
    caller: Caller,
    Path(id): Path<String>,
) -> Result<StatusCode, ApiError> {
    caller.require("update:users")?;
    user_of(&app, &id).await?;
    // Every browser the user asked to be remembered asks for the second
    // factor again at its next login.
    app.store.forget_browsers(&id).await?;
    Ok(StatusCode::NO_CONTENT)
}
