//! Cookies, by hand: the few the server sets, always `HttpOnly`, `Secure` when the
//! issuer is HTTPS, and a `SameSite` chosen per cookie.

use axum::http::{HeaderMap, header};

/// The browser session (an opaque random value; the server stores its hash).
pub const SESSION: &str = "portcullis_session";
/// Binds a login transaction to the browser that started it (login CSRF defence).
pub const BROWSER: &str = "portcullis_browser";
/// A browser remembered after a second factor (an opaque random value; the
/// server stores its hash with the user and an expiry).
pub const MFA_REMEMBER: &str = "portcullis_mfa_rb";

/// The value of cookie `name` in the request, if sent once.
pub fn get(headers: &HeaderMap, name: &str) -> Option<String> {
    let mut found = None;
    for value in headers.get_all(header::COOKIE) {
        let Ok(v) = value.to_str() else { continue };
        for pair in v.split(';') {
            if let Some((k, val)) = pair.trim().split_once('=')
                && k == name
            {
                if found.is_some() {
                    return None;
                }
                found = Some(val.to_string());
            }
        }
    }
    found.filter(|v| !v.is_empty() && v.len() <= 256)
}

/// Where the server's cookies live: `Secure` when the issuer is HTTPS, and the
/// issuer's path, so that other applications on the same host never see them.
#[derive(Debug, Clone)]
pub struct Scope {
    pub https: bool,
    /// Ends with `/`: `/` or `/auth/`.
    pub path: String,
}

/// Where `app`'s cookies live: `Secure` over HTTPS, the issuer's path.
pub fn scope(app: &crate::app::AppState) -> Scope {
    Scope {
        https: app.https(),
        path: format!("{}/", app.config.base_path()),
    }
}

/// A `Set-Cookie` value. The session cookie must reach the server inside the
/// hidden iframe of silent authentication, a cross-site context, so over HTTPS it
/// is `SameSite=None; Secure`; over plain HTTP (local development) browsers refuse
/// `None` without `Secure`, so it falls back to `Lax`.
pub fn set(name: &str, value: &str, max_age: i64, scope: &Scope, cross_site: bool) -> String {
    let same_site = match (cross_site, scope.https) {
        (true, true) => "None",
        _ => "Lax",
    };
    let secure = if scope.https { "; Secure" } else { "" };
    let path = &scope.path;
    format!(
        "{name}={value}; Path={path}; Max-Age={max_age}; HttpOnly; SameSite={same_site}{secure}"
    )
}

pub fn clear(name: &str, scope: &Scope) -> String {
    set(name, "", 0, scope, false)
}
