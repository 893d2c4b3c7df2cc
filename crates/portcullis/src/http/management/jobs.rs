//! `/api/v2/jobs`: `POST /jobs/verification-email` (sends the user a link that
//! verifies their address) and `GET /jobs/{id}`, in Auth0's shapes. A
//! verification e-mail is sent before the answer, so its job is `completed`
//! (or `failed`) at once; imports and exports come with issue 19.

use axum::Json;
use axum::body::Body;
use axum::extract::{Path, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use portcullis_core::clock::iso8601;
use serde::Deserialize;
use serde_json::{Value, json};

use super::Caller;
use super::clients::read_body;
use crate::app::AppState;
use crate::http::body;
use crate::http::email_verification::{self, VerificationFor};
use crate::http::errors::ApiError;

/// The body of `POST /jobs/verification-email`.
#[derive(Debug, Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct VerificationEmailJob {
    pub user_id: String,
    pub client_id: Option<String>,
    pub organization_id: Option<String>,
    /// A secondary identity; only the primary one exists here.
    pub identity: Option<Value>,
}

/// Links sent by a job work for five days, as Auth0's.
const LINK_TTL: i64 = portcullis_core::tickets::DEFAULT_TTL;

pub async fn verification_email(
    State(app): State<AppState>,
    caller: Caller,
    headers: HeaderMap,
    b: Body,
) -> Result<Response, ApiError> {
    caller.require("update:users")?;
    let bytes = read_body(b).await?;
    let job: VerificationEmailJob = body::api_json(&headers, &bytes)?;
    if job.identity.is_some() {
        return Err(ApiError::bad_request(
            "Payload validation error: only the user's primary identity can be verified on property identity.",
            "invalid_body",
        ));
    }
    if job.organization_id.is_some() {
        return Err(super::tickets::no_organization());
    }
    let (user, _) = app
        .store
        .get_user(&job.user_id)
        .await?
        .ok_or_else(|| ApiError::not_found("The user does not exist.", "inexistent_user"))?;
    super::tickets::check_client(&app, job.client_id.as_deref()).await?;
    let link = email_verification::create(
        &app,
        &VerificationFor {
            user: &user,
            client_id: job.client_id.as_deref(),
            result_url: None,
            ttl: LINK_TTL,
        },
    )
    .await?;
    let sent =
        email_verification::mail(&app, &user, job.client_id.as_deref(), &link, LINK_TTL).await;
    let now = app.now();
    let id = format!("job_{}", portcullis_core::random::alphanumeric(16));
    let status = if sent { "completed" } else { "failed" };
    let record = json!({
        "id": id,
        "type": "verification_email",
        "status": status,
        "created_at": iso8601(now),
    });
    app.store
        .insert_job(&id, "verification_email", status, &record, now)
        .await?;
    Ok((StatusCode::CREATED, Json(record)).into_response())
}

pub async fn get(
    State(app): State<AppState>,
    caller: Caller,
    Path(id): Path<String>,
) -> Result<Json<Value>, ApiError> {
    caller.require_any(&["create:users", "read:users"])?;
    app.store
        .get_job(&id)
        .await?
        .map(Json)
        .ok_or_else(|| ApiError::not_found("The job does not exist.", "inexistent_job"))
}
