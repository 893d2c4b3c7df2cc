//! `GET /api/v2/logs` and `GET /api/v2/users/{id}/logs`: audit events, newest first.

use axum::Json;
use axum::extract::{Path, RawQuery, State};
use serde_json::Value;

use super::{Caller, ListQuery};
use crate::app::AppState;
use crate::http::errors::ApiError;

/// `q` supports `type:<code>` and `user_id:"<id>"` (Auth0's Lucene subset).
pub(crate) fn parse_q(q: Option<&str>) -> Result<(Option<String>, Option<String>), ApiError> {
    let mut event_type = None;
    let mut user_id = None;
    for term in q
        .unwrap_or_default()
        .split(" AND ")
        .map(str::trim)
        .filter(|t| !t.is_empty())
    {
        match term.split_once(':') {
            Some(("type", v)) => event_type = Some(v.trim_matches('"').to_string()),
            Some(("user_id", v)) => user_id = Some(v.trim_matches('"').to_string()),
            _ => {
                return Err(ApiError::bad_request(
                    "Query validation error: q supports type:<code> and user_id:\"<id>\".",
                    "invalid_query_string",
                ));
            }
        }
    }
    Ok((event_type, user_id))
}

pub async fn list(
    State(app): State<AppState>,
    caller: Caller,
    RawQuery(q): RawQuery,
) -> Result<Json<Value>, ApiError> {
    caller.require("read:logs")?;
    let q = ListQuery::parse(q.as_deref(), &["q"])?;
    let (event_type, user_id) = parse_q(q.filter("q"))?;
    crate::audit::flush(&app).await;
    let (items, total) = app
        .store
        .list_logs(
            &app.tenant,
            user_id.as_deref(),
            event_type.as_deref(),
            q.page,
        )
        .await?;
    Ok(Json(q.respond("logs", items, total)))
}

pub async fn of_user(
    State(app): State<AppState>,
    caller: Caller,
    Path(id): Path<String>,
    RawQuery(q): RawQuery,
) -> Result<Json<Value>, ApiError> {
    caller.require("read:logs")?;
    let q = ListQuery::parse(q.as_deref(), &[])?;
    crate::audit::flush(&app).await;
    let (items, total) = app
        .store
        .list_logs(&app.tenant, Some(&id), None, q.page)
        .await?;
    Ok(Json(q.respond("logs", items, total)))
}
