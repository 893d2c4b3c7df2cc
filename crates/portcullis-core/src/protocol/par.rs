//! Pushed authorization requests (RFC 9126) as Auth0 offers them: a
//! confidential application sends the authorization request's parameters
//! to `POST /oauth/par` (authenticated as at the token endpoint) and gets a
//! `request_uri` to send to `/authorize` with its `client_id`.
//!
//! Invariants:
//! - A `request_uri` is used once and lives `par_request_expiry` seconds (30
//!   by default, Auth0's; 5 to 600, the range FAPI 2.0 allows).
//! - `/authorize` with a `request_uri` uses only the pushed parameters
//!   (§4); its `client_id` must be the pushing application's.
//! - The pushed request is validated when it is pushed, so a bad one is
//!   refused to the application (§2.3), never parked.

use super::params::Params;

/// RFC 9126 §2.2: the `request_uri` is a URN under this prefix.
pub const REQUEST_URI_PREFIX: &str = "urn:ietf:params:oauth:request_uri:";

/// Auth0's default lifetime of a `request_uri`.
pub const DEFAULT_EXPIRY: i64 = 30;
/// The shortest and longest `par_request_expiry` an application may set.
pub const MIN_EXPIRY: i64 = 5;
pub const MAX_EXPIRY: i64 = 600;

/// Parameters that authenticate the client at the endpoint: never kept with
/// the pushed request.
pub const CLIENT_AUTH_PARAMS: &[&str] =
    &["client_secret", "client_assertion", "client_assertion_type"];

/// A new `request_uri` and the reference it carries (what is stored, hashed).
pub fn new_request_uri() -> (String, String) {
    let reference = crate::random::url_token();
    (format!("{REQUEST_URI_PREFIX}{reference}"), reference)
}

/// The reference inside a `request_uri`, when it is one of ours in form.
pub fn reference(request_uri: &str) -> Option<&str> {
    request_uri
        .strip_prefix(REQUEST_URI_PREFIX)
        .filter(|r| !r.is_empty() && r.len() <= 128)
}

/// Why a pushed request is refused before it is validated as an
/// authorization request (RFC 9126 §2.1).
pub fn check_pushed(params: &Params) -> Result<(), &'static str> {
    if params.get("request_uri").is_some() {
        return Err("request_uri is not allowed in a pushed authorization request");
    }
    if params.get("request").is_some() {
        return Err("Request objects (request) are not supported");
    }
    Ok(())
}

/// The pushed parameters as they are kept: all but the client's
/// authentication.
pub fn kept_pairs(params: &Params) -> Vec<(String, String)> {
    params
        .iter()
        .filter(|(k, _)| !CLIENT_AUTH_PARAMS.contains(k))
        .map(|(k, v)| (k.to_string(), v.to_string()))
        .collect()
}

/// What `/authorize` does with its parameters for an application that
/// requires pushed requests or sent a `request_uri`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Source<'a> {
    /// The request's own parameters.
    Direct,
    /// The pushed request with this reference.
    Pushed(&'a str),
    /// Refused (shown on the error page: nothing is verified to redirect to).
    Refused(&'static str),
}

/// RFC 9126 §4 and Auth0's `require_pushed_authorization_requests`.
pub fn source<'a>(params: &'a Params, requires_par: bool) -> Source<'a> {
    match params.get("request_uri") {
        Some(uri) => match reference(uri) {
            Some(r) => Source::Pushed(r),
            None => Source::Refused("request_uri is not a request URI this server issued"),
        },
        None if requires_par => Source::Refused(
            "This application requires pushed authorization requests: send the request to /oauth/par and its request_uri here",
        ),
        None => Source::Direct,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn p(pairs: &[(&str, &str)]) -> Params {
        Params::from_pairs(pairs.iter().map(|(k, v)| (k.to_string(), v.to_string()))).unwrap()
    }

    #[test]
    fn request_uris_are_urns_whose_reference_is_read_back() {
        let (uri, r) = new_request_uri();
        assert!(uri.starts_with(REQUEST_URI_PREFIX));
        assert_eq!(reference(&uri), Some(r.as_str()));
        assert_eq!(reference("https://example.com/r"), None);
        assert_eq!(reference(REQUEST_URI_PREFIX), None);
    }

    #[test]
    fn a_pushed_request_may_not_carry_request_uri_and_loses_its_secret() {
        assert!(check_pushed(&p(&[("request_uri", "x")])).is_err());
        assert!(check_pushed(&p(&[("request", "x")])).is_err());
        let kept = kept_pairs(&p(&[
            ("client_id", "c"),
            ("client_secret", "s"),
            ("scope", "openid"),
        ]));
        assert_eq!(
            kept,
            vec![
                ("client_id".into(), "c".into()),
                ("scope".into(), "openid".into())
            ]
        );
    }

    #[test]
    fn authorize_takes_the_pushed_request_or_refuses_a_direct_one_when_required() {
        assert_eq!(source(&p(&[]), false), Source::Direct);
        assert!(matches!(source(&p(&[]), true), Source::Refused(_)));
        let uri = format!("{REQUEST_URI_PREFIX}abc");
        assert_eq!(
            source(&p(&[("request_uri", &uri)]), true),
            Source::Pushed("abc")
        );
        assert!(matches!(
            source(&p(&[("request_uri", "urn:other:abc")]), false),
            Source::Refused(_)
        ));
    }
}
