//! `GET /api/v2/logs` and `GET /api/v2/users/{id}/logs`: audit events, newest first.

use axum::Json;
use axum::extract::{Path, RawQuery, State};
use serde_json::Value;

use portcullis_core::log_query::{self, LogQuery};

use super::{Caller, ListQuery};
use crate::app::AppState;
use crate::http::errors::ApiError;

/// `q`: Auth0's Lucene subset (`portcullis_core::log_query`), or 400.
pub(crate) fn parse_q(q: Option<&str>) -> Result<LogQuery, ApiError> {
    log_query::parse(q).map_err(|e| ApiError::bad_request(e.0, "invalid_query_string"))
}

/// Logs are answered newest first; `sort` may say so, and nothing else.
fn newest_first_only(q: &ListQuery) -> Result<(), ApiError> {
    if q.filter("sort").is_some_and(|s| s != "date:-1") {
        return Err(ApiError::bad_request(
            "Query validation error: logs are sorted newest first (sort=date:-1) only.",
            "invalid_query_string",
        ));
    }
    Ok(())
}

pub async fn list(
    State(app): State<AppState>,
    caller: Caller,
    RawQuery(q): RawQuery,
) -> Result<Json<Value>, ApiError> {
    caller.require("read:logs")?;
    let q = ListQuery::parse(q.as_deref(), &["q", "search", "sort", "from", "take"])?;
    // Auth0's SDK names the search `search`; its API documents `q`.
    let query = parse_q(q.filter("q").or(q.filter("search")))?;
    newest_first_only(&q)?;
    app.auditor.flush().await;
    // Auth0's checkpoint paging: `from` (a log_id) and/or `take` (at most 100),
    // oldest first after `from`; a client follows the log by passing the last
    // log_id it saw.
    if q.filter("from").is_some() || q.filter("take").is_some() {
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
        let items = app.store.logs_after(q.filter("from"), &query, take).await?;
        return Ok(Json(Value::Array(items)));
    }
    let (items, total) = app.store.list_logs(&query, q.page).await?;
    Ok(Json(q.respond("logs", items, total)))
}

pub async fn of_user(
    State(app): State<AppState>,
    caller: Caller,
    Path(id): Path<String>,
    RawQuery(q): RawQuery,
) -> Result<Json<Value>, ApiError> {
    caller.require("read:logs")?;
    let q = ListQuery::parse(q.as_deref(), &["sort"])?;
    newest_first_only(&q)?;
    app.auditor.flush().await;
    let query = LogQuery {
        user_id: Some(id),
        ..LogQuery::default()
    };
    let (items, total) = app.store.list_logs(&query, q.page).await?;
    Ok(Json(q.respond("logs", items, total)))
}

pub async fn get(
    State(app): State<AppState>,
    caller: Caller,
    Path(id): Path<String>,
) -> Result<Json<Value>, ApiError> {
    caller.require("read:logs")?;
    app.auditor.flush().await;
    app.store
        .get_log(&id)
        .await?
        .map(Json)
        .ok_or_else(|| ApiError::not_found("The log does not exist.", "inexistent_log"))
}
