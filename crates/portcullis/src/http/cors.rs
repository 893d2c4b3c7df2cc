//! CORS for the endpoints browser apps call from their own origin (`/oauth/token`,
//! `/userinfo`): an origin is allowed when an application lists it in
//! `allowed_origins` or `web_origins`, or has a callback on it, as Auth0 does.
//! Auth0's SDKs send an `Auth0-Client` header, so preflights allow it.

use axum::body::Body;
use axum::extract::{Request, State};
use axum::http::{HeaderMap, HeaderValue, Method, StatusCode, header};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use portcullis_core::clients::Client;
use portcullis_core::protocol::authorize::origin_of;

use crate::app::AppState;

pub fn client_allows_origin(c: &Client, origin: &str) -> bool {
    let same = |o: &String| o.trim_end_matches('/') == origin;
    c.allowed_origins.iter().any(same)
        || c.web_origins.iter().any(same)
        || c.callbacks
            .iter()
            .any(|cb| origin_of(cb).as_deref() == Some(origin))
}

async fn allowed(app: &AppState, headers: &HeaderMap) -> Option<HeaderValue> {
    let origin = headers.get(header::ORIGIN)?.to_str().ok()?;
    let clients = app.store.clients_mentioning(origin).await.ok()?;
    clients
        .iter()
        .any(|c| client_allows_origin(c, origin))
        .then(|| HeaderValue::from_str(origin).ok())
        .flatten()
}

/// `OPTIONS` on a CORS endpoint.
pub async fn preflight(State(app): State<AppState>, headers: HeaderMap) -> Response {
    let Some(origin) = allowed(&app, &headers).await else {
        return StatusCode::FORBIDDEN.into_response();
    };
    let mut res = StatusCode::NO_CONTENT.into_response();
    let h = res.headers_mut();
    h.insert(header::ACCESS_CONTROL_ALLOW_ORIGIN, origin);
    h.insert(
        header::ACCESS_CONTROL_ALLOW_METHODS,
        HeaderValue::from_static("GET, POST, OPTIONS"),
    );
    h.insert(
        header::ACCESS_CONTROL_ALLOW_HEADERS,
        // RFC 9449: browser apps send DPoP proofs.
        HeaderValue::from_static("Authorization, Content-Type, Auth0-Client, DPoP"),
    );
    h.insert(
        header::ACCESS_CONTROL_MAX_AGE,
        HeaderValue::from_static("86400"),
    );
    h.insert(header::VARY, HeaderValue::from_static("Origin"));
    res
}

/// Adds `Access-Control-Allow-Origin` to responses for allowed origins.
pub async fn layer(State(app): State<AppState>, req: Request<Body>, next: Next) -> Response {
    let origin = if req.method() != Method::OPTIONS {
        allowed(&app, req.headers()).await
    } else {
        None
    };
    let mut res = next.run(req).await;
    if let Some(o) = origin {
        res.headers_mut()
            .insert(header::ACCESS_CONTROL_ALLOW_ORIGIN, o);
        // RFC 9449 §8, §7.1: the nonce and the challenge are for the app.
        res.headers_mut().insert(
            header::ACCESS_CONTROL_EXPOSE_HEADERS,
            HeaderValue::from_static("DPoP-Nonce, WWW-Authenticate"),
        );
        res.headers_mut()
            .insert(header::VARY, HeaderValue::from_static("Origin"));
    }
    res
}
