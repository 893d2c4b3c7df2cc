//! Auth0's `/api/v2/user-blocks`: the brute-force blocks on a user (by id) or on
//! an identifier (an e-mail address, or a client IP address), and lifting them
//! at once. Blocks live in the database's counters (see `brute_force`), so
//! lifting one holds on every node.

use axum::Json;
use axum::extract::{Path, RawQuery, State};
use axum::http::StatusCode;
use portcullis_core::users::{DATABASE_CONNECTION, normalize_email};
use serde_json::{Value, json};

use super::{Caller, ListQuery};
use crate::app::AppState;
use crate::brute_force;
use crate::http::errors::ApiError;

/// The counter-key prefixes an identifier covers: an e-mail address's
/// account-and-address counters, or an IP address's own counter.
fn prefixes_of(identifier: &str) -> Vec<String> {
    match identifier.trim().parse::<std::net::IpAddr>() {
        // Counted as the counters are (IPv4-mapped as IPv4, IPv6 by /64).
        Ok(ip) => vec![brute_force::address_prefix(&ip.to_string())],
        Err(_) => vec![brute_force::account_prefix(&normalize_email(identifier))],
    }
}

/// Auth0's `blocked_for` entries for the blocked counters under `prefixes`.
async fn blocked_for(app: &AppState, prefixes: &[String]) -> Result<Value, ApiError> {
    let mut out = Vec::new();
    for prefix in prefixes {
        for (key, until) in app.store.login_blocks(prefix, app.now()).await? {
            let (identifier, ip) = match key.strip_prefix("account:") {
                Some(rest) => match rest.split_once("|ip:") {
                    Some((email, ip)) => (email.to_string(), ip.to_string()),
                    None => (rest.to_string(), String::new()),
                },
                None => {
                    let ip = key
                        .trim_start_matches("ip:")
                        .trim_end_matches('|')
                        .to_string();
                    (ip.clone(), ip)
                }
            };
            out.push(json!({
                "identifier": identifier,
                "ip": ip,
                "connection": DATABASE_CONNECTION,
                "blocked_until": portcullis_core::clock::iso8601(until),
            }));
        }
    }
    Ok(json!({ "blocked_for": out }))
}

async fn user_prefixes(app: &AppState, id: &str) -> Result<Vec<String>, ApiError> {
    let Some((user, _)) = app.store.get_user(id).await? else {
        return Err(ApiError::not_found(
            "The user does not exist.",
            "inexistent_user",
        ));
    };
    Ok(prefixes_of(&user.email))
}

fn identifier(raw: Option<&str>) -> Result<String, ApiError> {
    let q = ListQuery::parse(raw, &["identifier", "consider_brute_force_enablement"])?;
    q.filter("identifier").map(str::to_string).ok_or_else(|| {
        ApiError::bad_request(
            "Query validation error: Missing required property: identifier.",
            "invalid_query_string",
        )
    })
}

/// `GET /api/v2/user-blocks/{id}`
pub async fn of_user(
    State(app): State<AppState>,
    caller: Caller,
    Path(id): Path<String>,
) -> Result<Json<Value>, ApiError> {
    caller.require("read:users")?;
    let prefixes = user_prefixes(&app, &id).await?;
    Ok(Json(blocked_for(&app, &prefixes).await?))
}

/// `DELETE /api/v2/user-blocks/{id}`: lifts every block of the user's account.
pub async fn unblock_user(
    State(app): State<AppState>,
    caller: Caller,
    Path(id): Path<String>,
) -> Result<StatusCode, ApiError> {
    caller.require("update:users")?;
    for prefix in user_prefixes(&app, &id).await? {
        app.store.clear_login_failures_with_prefix(&prefix).await?;
    }
    unblocked(&app, &caller, Some(&id), &id).await;
    Ok(StatusCode::NO_CONTENT)
}

/// `GET /api/v2/user-blocks?identifier=`
pub async fn by_identifier(
    State(app): State<AppState>,
    caller: Caller,
    RawQuery(q): RawQuery,
) -> Result<Json<Value>, ApiError> {
    caller.require("read:users")?;
    let identifier = identifier(q.as_deref())?;
    Ok(Json(blocked_for(&app, &prefixes_of(&identifier)).await?))
}

/// `DELETE /api/v2/user-blocks?identifier=`: an e-mail address's blocks, or an
/// IP address's throttle.
pub async fn unblock_identifier(
    State(app): State<AppState>,
    caller: Caller,
    RawQuery(q): RawQuery,
) -> Result<StatusCode, ApiError> {
    caller.require("update:users")?;
    let identifier = identifier(q.as_deref())?;
    for prefix in prefixes_of(&identifier) {
        app.store.clear_login_failures_with_prefix(&prefix).await?;
    }
    unblocked(&app, &caller, None, &identifier).await;
    Ok(StatusCode::NO_CONTENT)
}

/// Auth0's `ublkdu`: a brute-force block was lifted by an operator.
async fn unblocked(app: &AppState, caller: &Caller, user_id: Option<&str>, identifier: &str) {
    app.audit(crate::audit::Event {
        client_id: Some(&caller.claims.azp),
        user_id,
        details: Some(json!({"identifier": identifier})),
        ..crate::audit::Event::new(crate::audit::Code::Ublkdu, "User block released")
    })
    .await;
}
