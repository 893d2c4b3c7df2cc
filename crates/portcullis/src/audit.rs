//! Audit events with Auth0's log event type codes (`s`, `f`, `fp`, `fu`, `seacft`,
//! `feacft`, `ss`, `fs`, `slo`, `limit_wc`, …), stored for `GET /api/v2/logs`.
//! Never a password, secret, code or token in an event.

use serde_json::{Value, json};

use crate::app::AppState;

/// One event. Optional parts stay `None`.
#[derive(Default)]
pub struct Event<'a> {
    pub event_type: &'a str,
    pub description: &'a str,
    pub client_id: Option<&'a str>,
    pub client_name: Option<&'a str>,
    pub user_id: Option<&'a str>,
    pub user_name: Option<&'a str>,
    pub ip: Option<&'a str>,
    pub details: Option<Value>,
}

/// Stores the event. An audit write that fails is logged and does not fail the
/// request it describes.
pub async fn record(app: &AppState, e: Event<'_>) {
    let now_ms = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.as_millis() as i64)
        .unwrap_or_default();
    let log_id = format!("{now_ms:016}{}", portcullis_core::random::hex(6));
    let date = now_ms / 1000;
    let mut doc = json!({
        "log_id": log_id,
        "date": portcullis_core::clock::iso8601(date).replace(".000Z", &format!(".{:03}Z", now_ms % 1000)),
        "type": e.event_type,
        "description": e.description,
        "connection": portcullis_core::users::DATABASE_CONNECTION,
        "hostname": app.issuer(),
    });
    for (k, v) in [
        ("client_id", e.client_id),
        ("client_name", e.client_name),
        ("user_id", e.user_id),
        ("user_name", e.user_name),
        ("ip", e.ip),
    ] {
        if let Some(v) = v {
            doc[k] = v.into();
        }
    }
    if let Some(d) = e.details {
        doc["details"] = d;
    }
    tracing::info!(target: "portcullis::audit", r#type = e.event_type, user_id = e.user_id, client_id = e.client_id, "{}", e.description);
    if let Err(err) = app
        .store
        .insert_log(
            &app.tenant,
            portcullis_store::LogEntry {
                log_id: &log_id,
                date,
                event_type: e.event_type,
                user_id: e.user_id,
                client_id: e.client_id,
                doc: &doc,
            },
        )
        .await
    {
        tracing::error!(error = %err, "could not store an audit event");
    }
}
