//! Cookies, by hand: the few the server sets, always `HttpOnly`, `Secure` when the
//! issuer is HTTPS, and a `SameSite` chosen per cookie.

use axum::http::{HeaderMap, header};

/// The browser session (an opaque random value; the server stores its hash).
pub const SESSION: &str = "portcullis_session";
/// Binds a login transaction to the browser that started it (login CSRF defence).
pub const BROWSER: &str = "portcullis_browser";

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

/// A `Set-Cookie` value. The session cookie must reach the server inside the
/// hidden iframe of silent authentication, a cross-site context, so over HTTPS it
/// is `SameSite=None; Secure`; over plain HTTP (local development) browsers refuse
/// `None` without `Secure`, so it falls back to `Lax`.
pub fn set(name: &str, value: &str, max_age: i64, https: bool, cross_site: bool) -> String {
    let same_site = match (cross_site, https) {
        (true, true) => "None",
        _ => "Lax",
    };
    let secure = if https { "; Secure" } else { "" };
    format!("{name}={value}; Path=/; Max-Age={max_age}; HttpOnly; SameSite={same_site}{secure}")
}

pub fn clear(name: &str, https: bool) -> String {
    set(name, "", 0, https, false)
}
