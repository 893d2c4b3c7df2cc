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
    let q = ListQuery::parse(q.as_deref(), &["q", "from", "take"])?;
    let (event_type, user_id) = parse_q(q.filter("q"))?;
    app.auditor.flush().await;
    // Auth0's checkpoint paging: `from` (a log_id) and/or `take` (at most 100),
    // oldest first after `from`; a client follows the log by passing the last
    // log_id it saw.
    if q.filter("from").is_some() || q.filter("take").is_some() {
        if user_id.is_some() {
            return Err(ApiError::bad_request(
                "Query validation error: checkpoint paging (from/take) supports q=type:<code> only.",
                "invalid_query_string",
            ));
        }
        let take = match q.filter("take") {
            None => 50,
            Some(t) => t
                .parse::<u32>()
                .ok()
                .filter(|n| (1..=100).contains(n))
                .ok_or_else(|| {
                    ApiError::bad_request(
                        "Query validation error: 'take' must be an integer from 1 to 100.",
                        "invalid_query_string",
                    )
                })?,
        };
        let items = app
            .store
            .logs_after(q.filter("from"), event_type.as_deref(), take)
            .await?;
        return Ok(Json(Value::Array(items)));
    }
    let (items, total) = app
        .store
        .list_logs(user_id.as_deref(), event_type.as_deref(), q.page)
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
    app.auditor.flush().await;
    let (items, total) = app.store.list_logs(Some(&id), None, q.page).await?;
    Ok(Json(q.respond("logs", items, total)))
}
