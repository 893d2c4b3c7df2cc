//! The dashboard at `<issuer>admin/` (issue 16): a static application of plain
//! ES modules (`static/`), embedded in the binary, that signs a dashboard
//! member in through `http/member_sign_in` and works only through `/api/v2`
//! with the member's token. Nothing here reads or writes the store: the
//! dashboard has no back door. Off with `PORTCULLIS_DASHBOARD=false`.
//!
//! Every response carries a CSP with no inline script, no `eval` and no
//! framing; the API calls are same-origin (`connect-src 'self'`) and carry the
//! bearer token, never a cookie, so they need no CSRF token; the one form that
//! a cookie authenticates (the login page) has its own.

use axum::Router;
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use axum::routing::get;

use crate::app::AppState;

const INDEX: &str = include_str!("static/index.html");
const SCRIPT: &str = include_str!("static/app.js");
const STYLESHEET: &str = include_str!("static/dashboard.css");

/// The dashboard's CSP: its own script and style, API calls to this origin.
pub const DASHBOARD_CSP: &str = "default-src 'none'; script-src 'self'; style-src 'self'; \
     connect-src 'self'; img-src 'self' data:; form-action 'self'; frame-ancestors 'none'; \
     base-uri 'none'";

/// The dashboard's routes (none when it is switched off).
pub fn routes(enabled: bool) -> Router<AppState> {
    if !enabled {
        return Router::new();
    }
    Router::new()
        .route("/admin", get(to_home))
        .route("/admin/", get(index))
        .route("/admin/app.js", get(script))
        .route("/admin/dashboard.css", get(stylesheet))
}

async fn to_home(axum::extract::State(app): axum::extract::State<AppState>) -> Response {
    crate::http::found(&format!("{}/admin/", app.config.base_path()))
}

async fn index() -> Response {
    asset(INDEX, "text/html; charset=utf-8", "no-store")
}

async fn script() -> Response {
    asset(SCRIPT, "text/javascript; charset=utf-8", "no-cache")
}

async fn stylesheet() -> Response {
    asset(STYLESHEET, "text/css; charset=utf-8", "no-cache")
}

fn asset(body: &'static str, content_type: &'static str, cache: &'static str) -> Response {
    let mut res = (StatusCode::OK, body).into_response();
    let h = res.headers_mut();
    h.insert(header::CONTENT_TYPE, HeaderValue::from_static(content_type));
    h.insert(header::CACHE_CONTROL, HeaderValue::from_static(cache));
    h.insert(
        header::CONTENT_SECURITY_POLICY,
        HeaderValue::from_static(DASHBOARD_CSP),
    );
    h.insert(header::X_FRAME_OPTIONS, HeaderValue::from_static("DENY"));
    res
}
