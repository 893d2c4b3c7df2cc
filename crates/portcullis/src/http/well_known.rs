//! Discovery (OpenID Connect Discovery 1.0) and the JWKS (RFC 7517).

use axum::Json;
use axum::extract::State;
use axum::http::{HeaderValue, header};
use axum::response::{IntoResponse, Response};
use serde_json::json;

use crate::app::AppState;

/// Caches may keep these for five minutes: a next key is published long before it
/// signs, so a client that refetches on an unknown `kid` never misses one.
const CACHE: HeaderValue = HeaderValue::from_static("public, max-age=300");

fn cached(body: serde_json::Value) -> Response {
    let mut res = Json(body).into_response();
    res.headers_mut().insert(header::CACHE_CONTROL, CACHE);
    res.headers_mut().insert(
        header::ACCESS_CONTROL_ALLOW_ORIGIN,
        HeaderValue::from_static("*"),
    );
    res
}

pub async fn openid_configuration(State(app): State<AppState>) -> Response {
    cached(portcullis_core::protocol::discovery::openid_configuration(
        app.issuer(),
    ))
}

pub async fn jwks(State(app): State<AppState>) -> Response {
    // Picks up a rotation made on another node; with the database away, the
    // keys this node has are still the right answer.
    let _ = app.sync_configuration().await;
    let keys = app.keys();
    let list: Vec<_> = keys.published().map(|k| &k.jwk).collect();
    cached(json!({ "keys": list }))
}
