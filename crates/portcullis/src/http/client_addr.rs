//! The client's address, as brute-force limits, audit logs and scripts see it.
//!
//! Invariant: forwarding headers are believed only when the connection comes
//! from a configured trusted proxy (`PORTCULLIS_TRUSTED_PROXIES`); then the
//! client is the right-most address in `X-Forwarded-For` (or `Forwarded: for=`,
//! RFC 7239) that is not itself a trusted proxy. Anything a client can write
//! to the left of that is ignored, so a client cannot pick the address it is
//! counted under. With no trusted proxies, the socket peer is the client.

use std::net::{IpAddr, SocketAddr};

use axum::extract::{ConnectInfo, FromRequestParts};
use axum::http::HeaderMap;
use axum::http::request::Parts;
use ipnet::IpNet;

use crate::app::AppState;
use crate::config::ForwardedHeader;
use crate::http::errors::PageError;

/// The client's address (see the module's invariant).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ClientAddr(pub IpAddr);

impl ClientAddr {
    /// The address as text, for counters, logs and scripts.
    pub fn text(&self) -> String {
        self.0.to_string()
    }
}

impl FromRequestParts<AppState> for ClientAddr {
    type Rejection = PageError;

    async fn from_request_parts(parts: &mut Parts, app: &AppState) -> Result<Self, PageError> {
        // The listener is always served with connect info; a missing one would be
        // a wiring bug, answered as the loopback rather than a 500.
        let peer = parts
            .extensions
            .get::<ConnectInfo<SocketAddr>>()
            .map(|c| c.0.ip())
            .unwrap_or(IpAddr::from([127, 0, 0, 1]));
        Ok(ClientAddr(client_ip(
            peer,
            &parts.headers,
            &app.config.trusted_proxies,
            app.config.trusted_proxy_header,
        )))
    }
}

/// The client's address for a request from `peer` with `headers`, reading only
/// `header` (the one the trusted proxies write: a proxy passes a client's own
/// copy of any other header through, so reading it would let the client choose).
pub fn client_ip(
    peer: IpAddr,
    headers: &HeaderMap,
    trusted: &[IpNet],
    header: ForwardedHeader,
) -> IpAddr {
    let is_trusted = |ip: &IpAddr| trusted.iter().any(|net| net.contains(&canonical(*ip)));
    if !is_trusted(&peer) {
        if trusted.is_empty() && headers.contains_key("x-forwarded-for") {
            warn_untrusted_forwarding();
        }
        return canonical(peer);
    }
    // The hops, nearest last; `None` for one that names no address (`unknown`,
    // an obfuscated identifier, garbage).
    let hops: Vec<Option<IpAddr>> = match header {
        ForwardedHeader::Forwarded => headers
            .get_all("forwarded")
            .iter()
            .filter_map(|v| v.to_str().ok())
            .flat_map(|v| v.split(','))
            .filter_map(|element| {
                // Each element names at most one `for`; an element without one
                // is not a hop.
                element.split(';').find_map(|pair| {
                    let (k, v) = pair.trim().split_once('=')?;
                    k.trim()
                        .eq_ignore_ascii_case("for")
                        .then(|| parse_forwarded_for(v.trim()))
                })
            })
            .collect(),
        ForwardedHeader::XForwardedFor => headers
            .get_all("x-forwarded-for")
            .iter()
            .filter_map(|v| v.to_str().ok())
            .flat_map(|v| v.split(','))
            .map(|s| parse_forwarded_for(s.trim()))
            .collect(),
    };
    let mut farthest_trusted = canonical(peer);
    for hop in hops.iter().rev() {
        match hop {
            Some(ip) if is_trusted(ip) => farthest_trusted = canonical(*ip),
            Some(ip) => return canonical(*ip),
            // A trusted proxy wrote a hop we cannot read: what stands to its
            // left was written by someone we do not trust. Count the request
            // under the last proxy we know of.
            None => return farthest_trusted,
        }
    }
    farthest_trusted
}

/// Said once per process: forwarding headers arrive, but no proxy is trusted,
/// so every client behind a proxy would be counted as the proxy.
fn warn_untrusted_forwarding() {
    static WARNED: std::sync::atomic::AtomicBool = std::sync::atomic::AtomicBool::new(false);
    if !WARNED.swap(true, std::sync::atomic::Ordering::Relaxed) {
        tracing::warn!(
            "requests carry X-Forwarded-For but PORTCULLIS_TRUSTED_PROXIES is empty: if Portcullis runs behind a proxy, every client is counted as the proxy (brute-force limits, audit logs); set PORTCULLIS_TRUSTED_PROXIES"
        );
    }
}

/// `1.2.3.4`, `1.2.3.4:5678`, `"[2001:db8::1]:443"`, `2001:db8::1`; `unknown`
/// and obfuscated identifiers (RFC 7239 §6) give `None`.
fn parse_forwarded_for(raw: &str) -> Option<IpAddr> {
    let s = raw.trim_matches('"');
    if let Ok(ip) = s.parse::<IpAddr>() {
        return Some(ip);
    }
    if let Ok(sa) = s.parse::<SocketAddr>() {
        return Some(sa.ip());
    }
    s.strip_prefix('[')
        .and_then(|r| r.split_once(']'))
        .and_then(|(ip, _)| ip.parse().ok())
}

/// IPv4-mapped IPv6 addresses (`::ffff:1.2.3.4`, a dual-stack listener's view of
/// an IPv4 client) count as the IPv4 address.
pub(crate) fn canonical(ip: IpAddr) -> IpAddr {
    match ip {
        IpAddr::V6(v6) => v6
            .to_ipv4_mapped()
            .map(IpAddr::V4)
            .unwrap_or(IpAddr::V6(v6)),
        v4 => v4,
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

    const XFF: ForwardedHeader = ForwardedHeader::XForwardedFor;

    fn nets(s: &str) -> Vec<IpNet> {
        crate::config::parse_trusted_proxies(s).unwrap()
    }

    fn ip(s: &str) -> IpAddr {
        s.parse().unwrap()
    }

    #[test]
    fn forwarding_headers_from_an_untrusted_peer_are_ignored() {
        let h = headers(&[("x-forwarded-for", "9.9.9.9")]);
        assert_eq!(client_ip(ip("1.2.3.4"), &h, &[], XFF), ip("1.2.3.4"));
        assert_eq!(
            client_ip(ip("1.2.3.4"), &h, &nets("10.0.0.0/8"), XFF),
            ip("1.2.3.4")
        );
    }

    #[test]
    fn the_rightmost_untrusted_hop_is_the_client() {
        // The client wrote "6.6.6.6" itself; the proxy appended the real address.
        let h = headers(&[("x-forwarded-for", "6.6.6.6, 203.0.113.7, 10.0.0.2")]);
        assert_eq!(
            client_ip(ip("10.0.0.1"), &h, &nets("10.0.0.0/8"), XFF),
            ip("203.0.113.7")
        );
    }

    #[test]
    fn forwarded_header_is_read_with_ports_and_brackets() {
        let h = headers(&[(
            "forwarded",
            "for=6.6.6.6, for=\"[2001:db8::7]:4711\";proto=https, for=10.0.0.3",
        )]);
        assert_eq!(
            client_ip(
                ip("10.0.0.1"),
                &h,
                &nets("10.0.0.0/8"),
                ForwardedHeader::Forwarded
            ),
            ip("2001:db8::7")
        );
    }

    #[test]
    fn only_the_configured_header_is_read() {
        // nginx appends to X-Forwarded-For and passes the client's own
        // Forwarded through: with X-Forwarded-For configured, Forwarded is
        // the client's words.
        let h = headers(&[
            ("forwarded", "for=6.6.6.6"),
            ("x-forwarded-for", "203.0.113.7"),
        ]);
        assert_eq!(
            client_ip(ip("10.0.0.1"), &h, &nets("10.0.0.0/8"), XFF),
            ip("203.0.113.7")
        );
    }

    #[test]
    fn an_unreadable_hop_stops_the_walk() {
        let h = headers(&[("forwarded", "for=6.6.6.6, for=unknown")]);
        assert_eq!(
            client_ip(
                ip("10.0.0.1"),
                &h,
                &nets("10.0.0.0/8"),
                ForwardedHeader::Forwarded
            ),
            ip("10.0.0.1")
        );
        let h = headers(&[("x-forwarded-for", "6.6.6.6, _hidden, 10.0.0.2")]);
        assert_eq!(
            client_ip(ip("10.0.0.1"), &h, &nets("10.0.0.0/8"), XFF),
            ip("10.0.0.2")
        );
    }

    #[test]
    fn a_trusted_peer_without_headers_is_the_client() {
        assert_eq!(
            client_ip(ip("10.0.0.1"), &HeaderMap::new(), &nets("10.0.0.1"), XFF),
            ip("10.0.0.1")
        );
    }

    #[test]
    fn mapped_ipv4_counts_as_ipv4() {
        assert_eq!(
            client_ip(ip("::ffff:10.0.0.1"), &HeaderMap::new(), &[], XFF),
            ip("10.0.0.1")
        );
    }
}
