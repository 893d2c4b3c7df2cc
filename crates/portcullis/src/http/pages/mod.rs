//! The hosted pages: login, signup, consent, messages, and the two response pages
//! (form_post, web_message), rendered from `crate::templates` (every value
//! HTML-escaped) into responses with the page CSP.

pub mod device;
pub mod form_text;
pub mod login;
pub mod mfa;
pub mod organization;
pub mod passkeys;
pub mod passwordless;
pub mod reset;
pub mod transaction;
pub mod upstream;

use axum::body::Body;
use axum::http::HeaderMap;
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{Html, IntoResponse, Response};
use portcullis_core::protocol::params::Params;
use serde::Serialize;

use crate::app::AppState;

use crate::templates::Templates;

pub const STYLESHEET: &str = include_str!("static/portcullis.css");
/// The pages' one script (the show-password toggle); our own code.
pub const SCRIPT: &str = include_str!("static/portcullis.js");

/// Pages may load only our script, stylesheet and images; they may not be framed; forms
/// post only to us.
pub const PAGE_CSP: &str = "default-src 'none'; script-src 'self'; style-src 'self'; \
     img-src 'self' https: data:; form-action 'self'; frame-ancestors 'none'; base-uri 'none'";

/// `base` with what the tenant's look needs: its template's `<style>` blocks
/// by hash, its font's origin. Nothing else inline, no other origin.
fn csp_for(base: &str, r: &crate::templates::Rendered) -> String {
    let mut csp = base.to_string();
    if !r.style_hashes.is_empty() {
        csp = csp.replacen(
            "style-src 'self'",
            &format!("style-src 'self' {}", r.style_hashes.join(" ")),
            1,
        );
    }
    if let Some(origin) = &r.font_origin {
        csp.push_str(&format!("; font-src {origin}"));
    }
    csp
}

/// Rendered pages as responses: the page CSP, no caching, a plain 500 when a
/// template fails. Implemented for the compiled templates.
pub trait Pages {
    /// A page response with the page CSP and no caching.
    fn page<S: Serialize>(&self, status: StatusCode, name: &str, ctx: S) -> Response;
    /// A form page whose submission ends in a redirect to `redirect_uri`.
    fn form_page<S: Serialize>(
        &self,
        status: StatusCode,
        name: &str,
        ctx: S,
        redirect_uri: &str,
    ) -> Response;
    /// A page that tells the person something (never redirects): the
    /// catalogue's texts `title` and `message` (ids, `crate::i18n`).
    fn message(&self, status: StatusCode, title: &'static str, message: &'static str) -> Response;
    /// A page that ends a flow: what happened, the way back, and any technical
    /// detail folded away.
    fn notice(&self, status: StatusCode, n: Notice) -> Response;
}

impl Pages for Templates {
    /// A page response with the page CSP and no caching.
    fn page<S: Serialize>(&self, status: StatusCode, name: &str, ctx: S) -> Response {
        match self.render_page(name, ctx) {
            Some(r) => {
                let csp = csp_for(PAGE_CSP, &r);
                with_headers(status, r.html, &csp)
            }
            None => (StatusCode::INTERNAL_SERVER_ERROR, "Internal error").into_response(),
        }
    }

    /// A form page whose submission ends in a redirect to `redirect_uri`: CSP's
    /// `form-action` covers redirects after a submit, so the app's origin is
    /// allowed beside ours.
    fn form_page<S: Serialize>(
        &self,
        status: StatusCode,
        name: &str,
        ctx: S,
        redirect_uri: &str,
    ) -> Response {
        let origin =
            portcullis_core::protocol::authorize::origin_of(redirect_uri).unwrap_or_default();
        let csp = PAGE_CSP.replace(
            "form-action 'self'",
            &format!("form-action 'self' {origin}"),
        );
        match self.render_page(name, ctx) {
            Some(r) => {
                let csp = csp_for(&csp, &r);
                with_headers(status, r.html, &csp)
            }
            None => (StatusCode::INTERNAL_SERVER_ERROR, "Internal error").into_response(),
        }
    }

    /// A page that tells the person something (never redirects).
    fn message(&self, status: StatusCode, title: &'static str, message: &'static str) -> Response {
        self.notice(status, Notice::new(title, message))
    }

    /// A page that ends a flow: what happened, the way back, and any technical
    /// detail folded away. Its texts in the page's language.
    fn notice(&self, status: StatusCode, n: Notice) -> Response {
        let message = self.text(n.message, &n.args);
        self.page(
            status,
            "message.html",
            minijinja::context! {
                title => self.text(n.title, &n.args),
                message => message,
                detail => n.detail,
                back => n.back.map(|(href, label, args)| minijinja::context! { href => href, label => self.text(label, &args) }),
            },
        )
    }
}

/// A text's variables (`clientName`…).
type Args = Vec<(&'static str, String)>;

/// What a message page says (see [`Pages::notice`]): catalogue ids, put in
/// the page's language when it is rendered, so no sentence a person reads is
/// made in code.
pub struct Notice {
    title: &'static str,
    message: &'static str,
    args: Args,
    /// For the application's developers, not the person: shown folded.
    detail: Option<String>,
    /// A link back to the login page or the application, its label's id and
    /// variables.
    back: Option<(String, &'static str, Args)>,
}

impl Notice {
    pub fn new(title: &'static str, message: &'static str) -> Self {
        Self {
            title,
            message,
            args: Vec::new(),
            detail: None,
            back: None,
        }
    }

    /// A variable of the title and message.
    pub fn arg(mut self, name: &'static str, value: impl Into<String>) -> Self {
        self.args.push((name, value.into()));
        self
    }

    pub fn detail(mut self, detail: impl Into<String>) -> Self {
        self.detail = Some(detail.into());
        self
    }

    /// A link back labelled with the text `label`; `href` is ours or an
    /// application's registered URL, never a value from the request.
    pub fn back(mut self, href: impl Into<String>, label: &'static str) -> Self {
        self.back = Some((href.into(), label, Vec::new()));
        self
    }

    /// A link back to `client`'s home page, when it has one.
    pub fn back_to(mut self, client: Option<&portcullis_core::clients::Client>) -> Self {
        if let Some((url, name)) = client.and_then(|c| c.home_url().map(|u| (u, c.name.clone()))) {
            self.back = Some((url, "common__backToApplication", vec![("clientName", name)]));
        }
        self
    }
}

pub fn with_headers(status: StatusCode, html: String, csp: &str) -> Response {
    let mut res = (status, Html(html)).into_response();
    let h = res.headers_mut();
    h.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    if let Ok(v) = HeaderValue::from_str(csp) {
        h.insert(header::CONTENT_SECURITY_POLICY, v);
    }
    // For browsers too old for CSP frame-ancestors. The web_message page, which
    // must load in the application's iframe, relies on frame-ancestors alone.
    if csp.contains("frame-ancestors 'none'") {
        h.insert(header::X_FRAME_OPTIONS, HeaderValue::from_static("DENY"));
    }
    res
}

/// `GET /u/static/portcullis.css`.
pub async fn stylesheet() -> Response {
    asset(STYLESHEET, "text/css; charset=utf-8")
}

/// `GET /u/branding.css`: the tenant's look (colours, font) as this node
/// knows it; pages link it with the look's version, so a change is fetched
/// at once.
pub async fn branding_stylesheet(
    axum::extract::State(app): axum::extract::State<AppState>,
    axum::extract::RawQuery(q): axum::extract::RawQuery,
) -> Response {
    let look = app.look().await;
    // Cached only when it is the version the page asked for: a node that
    // has not seen a change yet must not have its old look kept under the
    // new version.
    let asked = q.as_deref().and_then(|q| q.strip_prefix("v="));
    let cache = if asked == Some(look.version()) {
        "public, max-age=3600"
    } else {
        "no-store"
    };
    let mut res = look.css.clone().into_response();
    let h = res.headers_mut();
    h.insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static("text/css; charset=utf-8"),
    );
    h.insert(header::CACHE_CONTROL, HeaderValue::from_static(cache));
    res
}

/// `GET /u/static/portcullis.js`.
pub async fn script() -> Response {
    asset(SCRIPT, "text/javascript; charset=utf-8")
}

fn asset(body: &'static str, content_type: &'static str) -> Response {
    let mut res = body.into_response();
    let h = res.headers_mut();
    h.insert(header::CONTENT_TYPE, HeaderValue::from_static(content_type));
    h.insert(
        header::CACHE_CONTROL,
        HeaderValue::from_static("public, max-age=3600"),
    );
    res
}

/// `GET /avatars/{initials}.svg`: the default `picture` of a user, generated here
/// so that no third party learns who signs in.
pub async fn avatar(axum::extract::Path(file): axum::extract::Path<String>) -> Response {
    let initials: String = file
        .strip_suffix(".svg")
        .unwrap_or_default()
        .chars()
        .filter(|c| c.is_alphanumeric())
        .take(2)
        .collect();
    if initials.is_empty() {
        return crate::http::errors::ApiError::not_found("Not Found", "not_found").into_response();
    }
    // Alphanumeric only, so nothing needs escaping; a colour from the letters.
    let hue = initials.chars().map(|c| c as u32).sum::<u32>() * 47 % 360;
    let svg = format!(
        r##"<svg xmlns="http://www.w3.org/2000/svg" width="128" height="128" viewBox="0 0 128 128"><rect width="128" height="128" rx="64" fill="hsl({hue},55%,45%)"/><text x="64" y="64" dy=".35em" text-anchor="middle" font-family="system-ui,sans-serif" font-size="52" fill="#fff">{initials}</text></svg>"##
    );
    let mut res = svg.into_response();
    let h = res.headers_mut();
    h.insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static("image/svg+xml"),
    );
    h.insert(
        header::CACHE_CONTROL,
        HeaderValue::from_static("public, max-age=86400"),
    );
    res
}

/// The largest hosted-page form.
pub const FORM_LIMIT: usize = 16 * 1024;

/// A hosted page's form (`application/x-www-form-urlencoded`, at most
/// [`FORM_LIMIT`] bytes, no field twice), or the page that says what is wrong.
pub(crate) async fn read_form(
    app: &AppState,
    headers: &HeaderMap,
    body: Body,
) -> Result<Params, Response> {
    let bad = |m: &'static str| {
        app.pages
            .message(StatusCode::BAD_REQUEST, "error-page__invalidFormTitle", m)
    };
    let bytes = match crate::http::body::read(body, FORM_LIMIT).await {
        Ok(b) => b,
        Err(crate::http::body::BodyError::TooLarge) => {
            return Err(app.pages.message(
                StatusCode::PAYLOAD_TOO_LARGE,
                "error-page__invalidFormTitle",
                "error-page__formTooLarge",
            ));
        }
        Err(crate::http::body::BodyError::Unreadable) => {
            return Err(bad("error-page__formUnreadable"));
        }
    };
    let ct = headers
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .unwrap_or("");
    if !ct.starts_with("application/x-www-form-urlencoded") {
        return Err(bad("error-page__formContentType"));
    }
    Params::from_pairs(form_urlencoded::parse(&bytes).into_owned())
        .map_err(|_| bad("error-page__formDuplicateField"))
}
