//! What a trusted proxy says about the client's connection: its scheme
//! (`X-Forwarded-Proto`, or `proto=` of RFC 7239 `Forwarded`) and the host the
//! client asked for (`X-Forwarded-Host`, or `host=`).
//!
//! Invariants:
//! - The issuer alone decides every URL Portcullis writes (discovery, redirects,
//!   links in e-mail, the avatar URL). Neither `Host` nor a forwarded host ever
//!   does, so no request can make a password-reset link point elsewhere
//!   (Host-header poisoning).
//! - Forwarded headers are read only from a peer in `PORTCULLIS_TRUSTED_PROXIES`,
//!   and only the family the operator configured (`X-Forwarded-*` or
//!   `Forwarded`): a proxy passes a client's own copy of the other through.
//! - What they are used for: `Strict-Transport-Security` is sent when the client
//!   reached the proxy over HTTPS (or reached us over TLS directly); a forwarded
//!   scheme or host that disagrees with the issuer is logged once, because it
//!   means the proxy and `PORTCULLIS_ISSUER` describe different sites.

use std::net::{IpAddr, SocketAddr};

use axum::extract::{ConnectInfo, Request, State};
use axum::http::{HeaderMap, HeaderName, HeaderValue};
use axum::middleware::Next;
use axum::response::Response;
use ipnet::IpNet;

use crate::app::AppState;
use crate::config::ForwardedHeader;

/// The scheme and host a trusted proxy reports (each `None` when not sent).
#[derive(Debug, Default, PartialEq, Eq)]
pub struct Forwarded {
    pub proto: Option<String>,
    pub host: Option<String>,
}

/// What the nearest trusted proxy reports, or `None` when `peer` is not one.
pub fn forwarded(
    peer: IpAddr,
    headers: &HeaderMap,
    trusted: &[IpNet],
    header: ForwardedHeader,
) -> Option<Forwarded> {
    if !trusted
        .iter()
        .any(|net| net.contains(&crate::http::client_addr::canonical(peer)))
    {
        return None;
    }
    // The nearest proxy appends last: its element is the right-most one.
    let last = |name: &str| {
        headers
            .get_all(name)
            .iter()
            .filter_map(|v| v.to_str().ok())
            .flat_map(|v| v.split(','))
            .map(str::trim)
            .rfind(|s| !s.is_empty())
            .map(str::to_string)
    };
    Some(match header {
        ForwardedHeader::XForwardedFor => Forwarded {
            proto: last("x-forwarded-proto").map(|p| p.to_ascii_lowercase()),
            host: last("x-forwarded-host").map(|h| h.to_ascii_lowercase()),
        },
        ForwardedHeader::Forwarded => {
            let element = last("forwarded").unwrap_or_default();
            let mut f = Forwarded::default();
            for pair in element.split(';') {
                let Some((k, v)) = pair.trim().split_once('=') else {
                    continue;
                };
                let v = v.trim().trim_matches('"').to_ascii_lowercase();
                match k.trim().to_ascii_lowercase().as_str() {
                    "proto" => f.proto = Some(v),
                    "host" => f.host = Some(v),
                    _ => {}
                }
            }
            f
        }
    })
}

const HSTS: HeaderName = HeaderName::from_static("strict-transport-security");

/// Sends HSTS to clients on HTTPS and logs a proxy that disagrees with the issuer.
pub async fn layer(State(app): State<AppState>, req: Request, next: Next) -> Response {
    let peer = req
        .extensions()
        .get::<ConnectInfo<SocketAddr>>()
        .map(|c| c.0.ip());
    let reported = peer.and_then(|p| {
        forwarded(
            p,
            req.headers(),
            &app.config.trusted_proxies,
            app.config.trusted_proxy_header,
        )
    });
    let https = app.config.tls.is_some()
        || reported
            .as_ref()
            .is_some_and(|f| f.proto.as_deref() == Some("https"));
    if let Some(f) = &reported {
        warn_if_disagreeing(&app.config.issuer, f);
    }
    let mut res = next.run(req).await;
    if https && !res.headers().contains_key(HSTS) {
        res.headers_mut()
            .insert(HSTS, HeaderValue::from_static("max-age=31536000"));
    }
    res
}

/// Said once per process: the proxy forwards a scheme or host other than the
/// issuer's, so links, cookies and `iss` would not match what browsers use.
fn warn_if_disagreeing(issuer: &str, f: &Forwarded) {
    static WARNED: std::sync::atomic::AtomicBool = std::sync::atomic::AtomicBool::new(false);
    let Ok(url) = url::Url::parse(issuer) else {
        return;
    };
    let issuer_host = match url.port() {
        Some(p) => format!("{}:{p}", url.host_str().unwrap_or_default()),
        None => url.host_str().unwrap_or_default().to_string(),
    };
    let proto_differs = f.proto.as_deref().is_some_and(|p| p != url.scheme());
    let host_differs = f.host.as_deref().is_some_and(|h| h != issuer_host);
    if (proto_differs || host_differs) && !WARNED.swap(true, std::sync::atomic::Ordering::Relaxed) {
        tracing::warn!(
            forwarded_proto = f.proto.as_deref().unwrap_or("-"),
            forwarded_host = f.host.as_deref().unwrap_or("-"),
            issuer,
            "a trusted proxy forwards a request for {}://{} but PORTCULLIS_ISSUER is {issuer}: every link, redirect and token names the issuer, so set PORTCULLIS_ISSUER to the URL browsers use",
            f.proto.as_deref().unwrap_or(url.scheme()),
            f.host.as_deref().unwrap_or(&issuer_host),
        );
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn headers(pairs: &[(&'static str, &str)]) -> HeaderMap {
        let mut h = HeaderMap::new();
        for (k, v) in pairs {
            h.append(*k, v.parse().unwrap());
        }
        h
    }

    fn nets(s: &str) -> Vec<IpNet> {
        crate::config::parse_trusted_proxies(s).unwrap()
    }

    #[test]
    fn an_untrusted_peer_reports_nothing() {
        let h = headers(&[("x-forwarded-proto", "https")]);
        assert_eq!(
            forwarded(
                "1.2.3.4".parse().unwrap(),
                &h,
                &nets("10.0.0.0/8"),
                ForwardedHeader::XForwardedFor
            ),
            None
        );
    }

    #[test]
    fn the_nearest_proxys_value_wins() {
        let h = headers(&[
            ("x-forwarded-proto", "http, HTTPS"),
            ("x-forwarded-host", "Example.com"),
        ]);
        assert_eq!(
            forwarded(
                "10.0.0.1".parse().unwrap(),
                &h,
                &nets("10.0.0.0/8"),
                ForwardedHeader::XForwardedFor
            ),
            Some(Forwarded {
                proto: Some("https".into()),
                host: Some("example.com".into())
            })
        );
    }

    #[test]
    fn only_the_configured_family_is_read() {
        let h = headers(&[
            ("x-forwarded-proto", "https"),
            ("forwarded", "for=1.2.3.4;proto=http;host=\"id.example\""),
        ]);
        assert_eq!(
            forwarded(
                "10.0.0.1".parse().unwrap(),
                &h,
                &nets("10.0.0.0/8"),
                ForwardedHeader::Forwarded
            ),
            Some(Forwarded {
                proto: Some("http".into()),
                host: Some("id.example".into())
            })
        );
    }
}
