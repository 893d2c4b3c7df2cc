//! The HTTP shell: routes, middleware and the mapping of errors to responses.
//! Handlers parse, call the core and the store, and render; they decide nothing.

pub mod body;
pub mod client_addr;
pub mod cookies;
pub mod cors;
pub mod dashboard;
pub mod dbconnections;
pub mod dpop;
pub mod email_verification;
pub mod errors;
pub mod flows;
pub mod forwarded;
pub mod health;
pub mod management;
pub mod member_sign_in;
pub mod metrics;
pub mod oauth;
pub mod pages;
pub mod password_history;
pub mod password_tickets;
pub mod passwordless;
pub mod realm;
pub mod sign_in;
pub mod sign_up;
pub mod tenant_mail;
pub mod unblock;
pub mod well_known;

use std::time::Duration;

use axum::Router;
use axum::http::{HeaderName, HeaderValue, Method, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use tower_http::catch_panic::CatchPanicLayer;
use tower_http::set_header::SetResponseHeaderLayer;

use crate::app::AppState;
use errors::ApiError;

/// Every route in one list.
/// `/metrics` alone, for `PORTCULLIS_METRICS_BIND`.
pub fn metrics_router(state: AppState) -> Router {
    Router::new()
        .route("/metrics", get(metrics::endpoint))
        .fallback(not_found)
        .with_state(state)
}

pub fn router(state: AppState) -> Router {
    let base = state.config.base_path().to_string();
    let app = routes(state);
    if base.is_empty() {
        return app;
    }
    // Routing happens inside `app`, so the issuer's path is taken off around it
    // (a `Router::layer` would run after routing; see `strip_base_path`).
    Router::new().fallback_service(tower::util::MapRequest::new(
        app,
        move |req: axum::extract::Request| strip_base_path(&base, req),
    ))
}

fn routes(state: AppState) -> Router {
    let metrics_here = state.config.metrics_bind.is_none();
    let mut app = Router::new();
    if metrics_here {
        app = app.route("/metrics", get(metrics::endpoint));
    }
    let mut app = app
        .route("/healthz", get(health::healthz))
        .route("/readyz", get(health::readyz))
        .route(
            "/.well-known/openid-configuration",
            get(well_known::openid_configuration),
        )
        .route("/.well-known/jwks.json", get(well_known::jwks))
        .merge(
            Router::new()
                .route(
                    "/oauth/token",
                    post(oauth::token::token).options(cors::preflight),
                )
                .route("/oauth/par", post(oauth::par::push))
                .route("/oidc/register", post(oauth::registration::register))
                .route(
                    "/oauth/device/code",
                    post(oauth::device::authorization).options(cors::preflight),
                )
                .route(
                    "/oauth/revoke",
                    post(oauth::refresh::revoke).options(cors::preflight),
                )
                .route(
                    "/passwordless/start",
                    post(passwordless::start).options(cors::preflight),
                )
                .route(
                    "/mfa/associate",
                    post(oauth::mfa::associate).options(cors::preflight),
                )
                .route(
                    "/mfa/challenge",
                    post(oauth::mfa::challenge).options(cors::preflight),
                )
                .route(
                    "/mfa/authenticators",
                    get(oauth::mfa::authenticators).options(cors::preflight),
                )
                .route(
                    "/mfa/authenticators/{id}",
                    axum::routing::delete(oauth::mfa::delete_authenticator)
                        .options(cors::preflight),
                )
                .route(
                    "/userinfo",
                    get(oauth::userinfo::userinfo)
                        .post(oauth::userinfo::userinfo)
                        .options(cors::preflight),
                )
                .route_layer(axum::middleware::from_fn_with_state(
                    state.clone(),
                    cors::layer,
                )),
        )
        .merge(browser_routes(state.clone()))
        .merge(dashboard::routes(state.config.dashboard))
        .route("/u/static/portcullis.css", get(pages::stylesheet))
        .route("/u/branding.css", get(pages::branding_stylesheet))
        .route("/u/static/portcullis.js", get(pages::script))
        .route("/avatars/{file}", get(pages::avatar))
        .route("/exports/{id}/{file}", get(management::jobs::download))
        // After the routes it measures: only matched routes have a template.
        .route_layer(axum::middleware::from_fn_with_state(
            state.clone(),
            metrics::layer,
        ))
        .nest(
            "/api/v2",
            management::router()
                .route_layer(axum::middleware::from_fn_with_state(
                    state.clone(),
                    management::invalidate_caches,
                ))
                .route_layer(axum::middleware::from_fn_with_state(
                    state.clone(),
                    management::audit_writes::audit_writes,
                ))
                .route_layer(axum::middleware::from_fn_with_state(
                    state.clone(),
                    metrics::layer,
                )),
        )
        .fallback(not_found)
        .method_not_allowed_fallback(method_not_allowed)
        .with_state(state.clone())
        .layer(axum::middleware::from_fn(deadline))
        .layer(CatchPanicLayer::custom(|_| {
            // A panic is a bug; answer like any internal error, with no detail.
            tracing::error!("a request handler panicked");
            ApiError::internal().into_response()
        }))
        .layer(axum::middleware::from_fn_with_state(
            state,
            forwarded::layer,
        ));
    for (name, value) in security_headers() {
        app = app.layer(SetResponseHeaderLayer::if_not_present(name, value));
    }
    app
}

/// How long a request may take before it is answered 503.
const REQUEST_DEADLINE: Duration = Duration::from_secs(30);

/// A user import's upload: a file of hundreds of thousands of users (Auth0
/// takes up to 500 MB) over a slow link. Bounded still, so an upload that
/// stalls frees its job's slot.
const IMPORT_UPLOAD_DEADLINE: Duration = Duration::from_secs(60 * 60);

/// The deadline of a request. An export's download streams after its
/// handler has answered, so no deadline covers the file itself.
fn deadline_for(method: &Method, path: &str) -> Duration {
    if method == Method::POST && path == "/api/v2/jobs/users-imports" {
        IMPORT_UPLOAD_DEADLINE
    } else {
        REQUEST_DEADLINE
    }
}

async fn deadline(req: axum::extract::Request, next: axum::middleware::Next) -> Response {
    let limit = deadline_for(req.method(), req.uri().path());
    match tokio::time::timeout(limit, next.run(req)).await {
        Ok(response) => response,
        Err(_) => StatusCode::SERVICE_UNAVAILABLE.into_response(),
    }
}

/// `/authorize`, logout, the legacy endpoints, the hosted pages and Auth0's
/// `/dbconnections`.
fn browser_routes(state: AppState) -> Router<AppState> {
    Router::new()
        .route("/authorize", get(oauth::authorize::authorize))
        .route(
            "/activate",
            get(pages::device::page).post(pages::device::confirm),
        )
        .route(
            "/passwordless/verify_redirect",
            get(passwordless::verify_redirect).post(passwordless::verify_redirect_submit),
        )
        .route(
            "/u/passwordless",
            get(pages::passwordless::page).post(pages::passwordless::submit),
        )
        .route(
            "/u/passwordless/code",
            post(pages::passwordless::code_submit),
        )
        .route("/oauth/introspect", post(oauth::introspect::introspect))
        .route("/tokeninfo", post(oauth::legacy::tokeninfo))
        .route("/delegation", post(oauth::legacy::delegation))
        .route("/v2/logout", get(oauth::logout::v2_logout))
        .route("/oidc/logout", get(oauth::logout::oidc_logout))
        .route(
            "/u/login",
            get(pages::login::login_page).post(pages::login::login_submit),
        )
        .route("/u/login/identifier", post(pages::login::identifier_submit))
        .route(
            "/u/signup",
            get(pages::login::signup_page).post(pages::login::signup_submit),
        )
        .route("/u/upstream", get(pages::upstream::start))
        .route(
            "/login/callback",
            get(pages::upstream::callback).post(pages::upstream::callback_post),
        )
        .route(
            "/u/consent",
            get(pages::login::consent_page).post(pages::login::consent_submit),
        )
        .route("/u/mfa", get(pages::mfa::page).post(pages::mfa::submit))
        .route(
            "/u/organization",
            get(pages::organization::prompt_page).post(pages::organization::prompt_submit),
        )
        .route(
            "/u/organization-selection",
            get(pages::organization::selection_page).post(pages::organization::selection_submit),
        )
        .route(
            "/u/organization/{id}/branding.css",
            get(pages::organization::stylesheet),
        )
        .route("/u/login/passkey", post(pages::passkeys::sign_in))
        .route("/u/signup/passkey", post(pages::passkeys::finish_sign_up))
        .route(
            "/u/passkey-enrollment",
            get(pages::passkeys::enrollment_page).post(pages::passkeys::enrollment_submit),
        )
        .route("/u/mfa/continue", post(pages::mfa::continue_login))
        .route(
            "/u/reset-password",
            get(pages::reset::page).post(pages::reset::submit),
        )
        .route("/u/email-verification", get(email_verification::page))
        .route("/u/unblock", get(unblock::page).post(unblock::submit))
        .route(
            "/u/forgot",
            get(pages::login::forgot_page).post(pages::login::forgot_submit),
        )
        .route("/dbconnections/signup", post(dbconnections::signup))
        .route(
            "/dbconnections/change_password",
            post(dbconnections::change_password),
        )
        // Every page in the tenant's current look (the generation is read at
        // most once a second, so this costs nothing per request).
        .route_layer(axum::middleware::from_fn_with_state(state, current_look))
}

/// Before a browser page is made: the tenant's look brought up to date, and
/// the page's language (`crate::i18n::LANG`): at `/authorize` its
/// `ui_locales`, else the browser's `Accept-Language`; pages of a login then
/// take the login's own `ui_locales` when they load it
/// (`transaction::load`).
async fn current_look(
    axum::extract::State(app): axum::extract::State<AppState>,
    req: axum::extract::Request,
    next: axum::middleware::Next,
) -> axum::response::Response {
    let _ = app.sync_configuration().await;
    let accept = req
        .headers()
        .get(axum::http::header::ACCEPT_LANGUAGE)
        .and_then(|v| v.to_str().ok());
    let ui_locales = (req.uri().path() == "/authorize")
        .then(|| req.uri().query())
        .flatten()
        .and_then(|q| {
            form_urlencoded::parse(q.as_bytes())
                .find(|(k, _)| k == "ui_locales")
                .map(|(_, v)| v.into_owned())
        });
    let lang = crate::i18n::negotiate(ui_locales.as_deref(), accept);
    crate::i18n::LANG
        .scope(std::cell::Cell::new(lang), next.run(req))
        .await
}

/// Headers every response carries unless its handler set its own (HSTS is
/// `forwarded::layer`'s: it depends on how the client reached us).
fn security_headers() -> Vec<(HeaderName, HeaderValue)> {
    vec![
        (
            HeaderName::from_static("x-content-type-options"),
            HeaderValue::from_static("nosniff"),
        ),
        (
            HeaderName::from_static("referrer-policy"),
            HeaderValue::from_static("no-referrer"),
        ),
        (
            HeaderName::from_static("content-security-policy"),
            HeaderValue::from_static("default-src 'none'; frame-ancestors 'none'"),
        ),
    ]
}

/// Routes are matched without the issuer's path (`base`, e.g. `/auth`), so a
/// request may arrive with it (a proxy that passes the path on, or no proxy)
/// or without it (a proxy that strips it); both reach the same handler.
pub fn strip_base_path<B>(base: &str, mut req: axum::http::Request<B>) -> axum::http::Request<B> {
    if base.is_empty() {
        return req;
    }
    let path = req.uri().path();
    let rest = if path == base {
        "/"
    } else {
        match path.strip_prefix(base) {
            Some(r) if r.starts_with('/') => r,
            _ => return req,
        }
    };
    let path_and_query = match req.uri().query() {
        Some(q) => format!("{rest}?{q}"),
        None => rest.to_string(),
    };
    let mut parts = req.uri().clone().into_parts();
    if let Ok(pq) = path_and_query.parse() {
        parts.path_and_query = Some(pq);
        if let Ok(uri) = axum::http::Uri::from_parts(parts) {
            *req.uri_mut() = uri;
        }
    }
    req
}

/// `302 Found` to `location`, as Auth0 answers browser redirects.
pub fn found(location: &str) -> axum::response::Response {
    match HeaderValue::from_str(location) {
        Ok(v) => (StatusCode::FOUND, [(axum::http::header::LOCATION, v)]).into_response(),
        Err(_) => {
            ApiError::bad_request("Invalid redirect location", "invalid_request").into_response()
        }
    }
}

async fn not_found() -> ApiError {
    ApiError::not_found("Not Found", "not_found")
}

async fn method_not_allowed() -> ApiError {
    ApiError::new(
        StatusCode::METHOD_NOT_ALLOWED,
        "Method Not Allowed",
        "method_not_allowed",
    )
}

#[cfg(test)]
mod tests {
    use super::{IMPORT_UPLOAD_DEADLINE, REQUEST_DEADLINE, deadline_for, strip_base_path};
    use axum::http::Method;

    #[test]
    fn only_an_import_upload_gets_the_long_deadline() {
        assert_eq!(
            deadline_for(&Method::POST, "/api/v2/jobs/users-imports"),
            IMPORT_UPLOAD_DEADLINE
        );
        for (m, p) in [
            (Method::GET, "/api/v2/jobs/users-imports"),
            (Method::POST, "/api/v2/jobs/users-exports"),
            (Method::POST, "/oauth/token"),
            (Method::POST, "/api/v2/jobs/users-imports/x"),
        ] {
            assert_eq!(deadline_for(&m, p), REQUEST_DEADLINE, "{m} {p}");
        }
    }

    fn stripped(base: &str, uri: &str) -> String {
        let req = axum::http::Request::builder().uri(uri).body(()).unwrap();
        strip_base_path(base, req).uri().to_string()
    }

    #[test]
    fn the_issuers_path_is_taken_off_before_routing() {
        assert_eq!(
            stripped("/auth", "/auth/u/login?state=x"),
            "/u/login?state=x"
        );
        assert_eq!(stripped("/auth", "/auth"), "/");
        assert_eq!(stripped("/auth", "/oauth/token"), "/oauth/token");
        // A sibling path that merely starts with the same letters is not ours.
        assert_eq!(stripped("/auth", "/authorize?x=1"), "/authorize?x=1");
        assert_eq!(stripped("", "/authorize"), "/authorize");
    }
}
