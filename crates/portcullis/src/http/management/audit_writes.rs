//! Every Management API write leaves a trace: `sapi` (Auth0's "Success API
//! Operation") when it succeeds, `fapi` when it is refused, with the caller, the
//! route and the request body with secrets redacted. One middleware, so no
//! handler can forget it.

use axum::body::Body;
use axum::extract::{MatchedPath, Request, State};
use axum::http::Method;
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use base64::Engine;
use serde_json::{Value, json};

use crate::app::AppState;
use crate::audit::Event;
use crate::http::body;
use crate::http::errors::ApiError;

/// Routes whose handlers record a richer event of their own.
const SELF_AUDITED: &[&str] = &["/keys/signing/rotate", "/keys/signing/{kid}/revoke"];

/// Routes whose body is an upload, passed through unread.
const STREAMED: &[&str] = &["/jobs/users-imports"];

/// Body members never written to the log, at any depth.
const REDACTED: &[&str] = &[
    "password",
    "client_secret",
    "secret",
    "secrets",
    "value",
    "token",
    "code",
    // The e-mail provider's relay password.
    "smtp_pass",
    // Log streams' sinks (docs/log-streams.md: write-only).
    "httpAuthorization",
    "httpCustomHeaders",
    "datadogApiKey",
    "splunkToken",
    "sumoSourceAddress",
];

/// Replaces the values of secret-bearing members with `"[REDACTED]"`.
pub fn redact(v: &mut Value) {
    match v {
        Value::Object(m) => {
            for (k, val) in m.iter_mut() {
                if REDACTED.contains(&k.as_str()) {
                    *val = Value::from("[REDACTED]");
                } else {
                    redact(val);
                }
            }
        }
        Value::Array(a) => a.iter_mut().for_each(redact),
        _ => {}
    }
}

/// Who called, from the bearer token's claims. Used only once the handler has
/// answered other than 401, which means the `Caller` extractor verified the
/// token.
fn caller(headers: &axum::http::HeaderMap) -> Option<Value> {
    let token = headers
        .get(axum::http::header::AUTHORIZATION)?
        .to_str()
        .ok()?
        .split_once(' ')?
        .1
        .trim();
    let payload = token.split('.').nth(1)?;
    let bytes = base64::engine::general_purpose::URL_SAFE_NO_PAD
        .decode(payload)
        .ok()?;
    serde_json::from_slice(&bytes).ok()
}

pub async fn audit_writes(State(app): State<AppState>, req: Request, next: Next) -> Response {
    if req.method() == Method::GET || req.method() == Method::HEAD {
        return next.run(req).await;
    }
    let route = req
        .extensions()
        .get::<MatchedPath>()
        .map(|m| m.as_str().trim_start_matches("/api/v2").to_string())
        .unwrap_or_default();
    if SELF_AUDITED.contains(&route.as_str()) {
        return next.run(req).await;
    }
    let method = req.method().clone();
    let path = req.uri().path().to_string();
    let claims = caller(req.headers());
    // An upload (the bulk import's users file, up to hundreds of megabytes)
    // streams through to its handler: audited, its body never read here.
    if STREAMED.contains(&route.as_str()) {
        let res = next.run(req).await;
        let logged = Value::String("(a users file: not logged)".into());
        record(&app, &claims, &method, &path, &route, logged, res.status()).await;
        return res;
    }
    let (parts, b) = req.into_parts();
    let bytes = match body::read(b, body::API_BODY_LIMIT).await {
        Ok(b) => b,
        Err(_) => {
            return ApiError::new(
                axum::http::StatusCode::PAYLOAD_TOO_LARGE,
                format!(
                    "Payload validation error: the body is larger than {} bytes.",
                    body::API_BODY_LIMIT
                ),
                "payload_too_large",
            )
            .into_response();
        }
    };
    let mut logged_body: Value = serde_json::from_slice(&bytes).unwrap_or(Value::Null);
    redact(&mut logged_body);
    let res = next
        .run(Request::from_parts(parts, Body::from(bytes)))
        .await;
    record(
        &app,
        &claims,
        &method,
        &path,
        &route,
        logged_body,
        res.status(),
    )
    .await;
    res
}

/// The `sapi`/`fapi` event of one Management API write.
async fn record(
    app: &AppState,
    claims: &Option<Value>,
    method: &Method,
    path: &str,
    route: &str,
    logged_body: Value,
    status: axum::http::StatusCode,
) {
    let summary = super::openapi::OPS
        .iter()
        .find(|op| op.path == route && op.method.eq_ignore_ascii_case(method.as_str()))
        .map(|op| op.summary)
        .unwrap_or("Management API operation");
    // A refused token names nobody we know.
    let claims = claims
        .clone()
        .filter(|_| status != axum::http::StatusCode::UNAUTHORIZED)
        .unwrap_or(Value::Null);
    let client_id = claims["azp"].as_str();
    let sub = claims["sub"].as_str().filter(|s| !s.ends_with("@clients"));
    let description = if status.is_success() {
        summary.to_string()
    } else {
        format!("{summary} (refused: HTTP {})", status.as_u16())
    };
    let code = if status.is_success() {
        crate::audit::Code::Sapi
    } else {
        crate::audit::Code::Fapi
    };
    app.audit(Event {
        client_id,
        user_id: sub,
        details: Some(json!({
            "request": {
                "method": method.as_str(),
                "path": format!("/api/v2{}", path.trim_start_matches("/api/v2")),
                "route": format!("/api/v2{route}"),
                "body": logged_body,
                "auth": {"client_id": client_id, "user_id": sub},
            },
            "response": {"statusCode": status.as_u16()},
        })),
        ..Event::new(code, &description)
    })
    .await;
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn secrets_are_redacted_at_any_depth() {
        let mut v = json!({"name": "a", "password": "p", "nested": {"client_secret": "s"},
                           "secrets": [{"name": "k", "value": "v"}], "list": [{"code": "c"}]});
        redact(&mut v);
        assert_eq!(
            v,
            json!({"name": "a", "password": "[REDACTED]", "nested": {"client_secret": "[REDACTED]"},
                   "secrets": "[REDACTED]", "list": [{"code": "[REDACTED]"}]})
        );
    }
}
