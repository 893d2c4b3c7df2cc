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

/// The dashboard's files, by name under `<issuer>admin/`: its modules and
/// its one stylesheet, all written for it (nothing vendored).
const FILES: &[(&str, &str, &str)] = &[
    ("app.js", include_str!("static/app.js"), JS),
    ("lib.js", include_str!("static/lib.js"), JS),
    ("apps.js", include_str!("static/apps.js"), JS),
    ("apis.js", include_str!("static/apis.js"), JS),
    ("users.js", include_str!("static/users.js"), JS),
    ("roles.js", include_str!("static/roles.js"), JS),
    ("emails.js", include_str!("static/emails.js"), JS),
    ("connections.js", include_str!("static/connections.js"), JS),
    ("logs.js", include_str!("static/logs.js"), JS),
    ("streams.js", include_str!("static/streams.js"), JS),
    ("branding.js", include_str!("static/branding.js"), JS),
    ("actions.js", include_str!("static/actions.js"), JS),
    (
        "dashboard.css",
        include_str!("static/dashboard.css"),
        "text/css; charset=utf-8",
    ),
];

const JS: &str = "text/javascript; charset=utf-8";

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
        .route("/admin/{file}", get(file))
}

async fn to_home(axum::extract::State(app): axum::extract::State<AppState>) -> Response {
    crate::http::found(&format!("{}/admin/", app.config.base_path()))
}

async fn index() -> Response {
    asset(INDEX, "text/html; charset=utf-8", "no-store")
}

/// `texts.json`: the catalogue's prompts, screens and keys with their
/// English text (the custom-text editor's fields and placeholders) and the
/// shipped languages. Static: no store access.
fn texts() -> String {
    let mut prompts = serde_json::Map::new();
    for (prompt, screens) in crate::i18n::PROMPTS {
        let mut by_screen = serde_json::Map::new();
        for screen in *screens {
            let prefix = format!("{screen}__");
            let keys: serde_json::Map<String, serde_json::Value> = crate::i18n::ids("en")
                .iter()
                .filter_map(|id| {
                    let key = id.strip_prefix(&prefix)?;
                    // Shown with Auth0's `${name}` variables, as custom text writes them.
                    let vars = [
                        "clientName",
                        "connectionName",
                        "userName",
                        "api",
                        "email",
                        "recipient",
                    ]
                    .map(|v| (v, format!("${{{v}}}")));
                    let text = crate::i18n::text("en", id, &vars)?;
                    Some((key.to_string(), serde_json::Value::String(text)))
                })
                .collect();
            by_screen.insert(screen.to_string(), keys.into());
        }
        prompts.insert(prompt.to_string(), by_screen.into());
    }
    serde_json::json!({"prompts": prompts, "languages": crate::i18n::LANGUAGES}).to_string()
}

async fn file(axum::extract::Path(name): axum::extract::Path<String>) -> Response {
    if name == "texts.json" {
        static TEXTS: std::sync::LazyLock<String> = std::sync::LazyLock::new(texts);
        return asset(&TEXTS, "application/json", "no-cache");
    }
    match FILES.iter().find(|(n, _, _)| *n == name) {
        // `no-cache`: revalidated, so a new version is never mixed with old modules.
        Some((_, body, content_type)) => asset(body, content_type, "no-cache"),
        None => crate::http::errors::ApiError::not_found("Not Found", "not_found").into_response(),
    }
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
