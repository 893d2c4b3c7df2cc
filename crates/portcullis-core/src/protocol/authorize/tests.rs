use super::*;
use crate::clients::ClientPayload;

fn client(app_type: &str) -> Client {
    serde_json::from_value::<ClientPayload>(serde_json::json!({
        "name": "App", "app_type": app_type,
        "callbacks": ["https://app.example/cb"],
        "web_origins": ["https://app.example"]
    }))
    .unwrap()
    .into_new_client("cid".into(), "t")
    .unwrap()
}

fn params(pairs: &[(&str, &str)]) -> Params {
    Params::from_pairs(pairs.iter().map(|(k, v)| (k.to_string(), v.to_string()))).unwrap()
}

const CHALLENGE: &str = "E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM";

fn base() -> Vec<(&'static str, &'static str)> {
    vec![
        ("client_id", "cid"),
        ("redirect_uri", "https://app.example/cb"),
        ("response_type", "code"),
        ("scope", "openid profile"),
        ("state", "xyz"),
        ("code_challenge", CHALLENGE),
        ("code_challenge_method", "S256"),
    ]
}

fn with(extra: &[(&'static str, &'static str)]) -> Params {
    let mut v: Vec<(&str, &str)> = base()
        .into_iter()
        .filter(|(k, _)| !extra.iter().any(|(ek, _)| ek == k))
        .collect();
    v.extend_from_slice(extra);
    params(&v)
}

fn redirect_error(r: Result<AuthorizeRequest, AuthorizeFailure>) -> ErrorRedirect {
    match r {
        Err(AuthorizeFailure::Redirect(e)) => e,
        other => panic!("expected an error redirect, got {other:?}"),
    }
}

#[test]
fn valid_code_request_with_pkce_is_accepted() {
    let r = validate(&with(&[]), Some(&client("spa"))).unwrap();
    assert_eq!(r.response_mode, ResponseMode::Query);
    assert!(r.response_type.is_code_only());
    assert_eq!(r.state.as_deref(), Some("xyz"));
}

/// RFC 6749 §4.1.2.1: a bad redirect_uri or client is never redirected to.
#[test]
fn unknown_client_or_mismatched_redirect_uri_shows_an_error_page() {
    assert!(matches!(
        validate(&with(&[]), None),
        Err(AuthorizeFailure::ShowErrorPage { .. })
    ));
    for uri in [
        "https://app.example/cb/",
        "https://app.example:444/cb",
        "https://app.example/CB",
        "https://evil.example/cb",
    ] {
        let r = validate(&with(&[("redirect_uri", uri)]), Some(&client("spa")));
        assert!(
            matches!(r, Err(AuthorizeFailure::ShowErrorPage { .. })),
            "{uri}"
        );
    }
}

#[test]
fn unknown_response_type_is_redirected_as_unsupported() {
    let e = redirect_error(validate(
        &with(&[("response_type", "magic")]),
        Some(&client("spa")),
    ));
    assert_eq!(e.error, AuthorizeErrorCode::UnsupportedResponseType);
    assert_eq!(e.state.as_deref(), Some("xyz"));
}

/// RFC 7636 / RFC 9700: public clients must send S256 PKCE; plain is refused.
#[test]
fn public_client_needs_s256_pkce() {
    let no_pkce = params(
        &base()
            .into_iter()
            .filter(|(k, _)| !k.starts_with("code_challenge"))
            .collect::<Vec<_>>(),
    );
    assert_eq!(
        redirect_error(validate(&no_pkce, Some(&client("spa")))).error,
        AuthorizeErrorCode::InvalidRequest
    );
    let plain = with(&[("code_challenge_method", "plain")]);
    assert!(
        redirect_error(validate(&plain, Some(&client("spa"))))
            .description
            .contains("plain")
    );
    // A confidential client may skip PKCE.
    assert!(validate(&no_pkce, Some(&client("regular_web"))).is_ok());
}

/// OpenID Connect Core §3.2.2.1: nonce is required with id_token responses, and
/// tokens never travel in the query.
#[test]
fn implicit_needs_nonce_and_no_query_mode() {
    let c = client("spa");
    let e = redirect_error(validate(
        &with(&[("response_type", "id_token token")]),
        Some(&c),
    ));
    assert!(e.description.contains("nonce"));
    assert_eq!(e.response_mode, ResponseMode::Fragment);
    let ok = validate(
        &with(&[("response_type", "id_token token"), ("nonce", "n")]),
        Some(&c),
    )
    .unwrap();
    assert_eq!(ok.response_mode, ResponseMode::Fragment);
    let e = redirect_error(validate(
        &with(&[("response_type", "token"), ("response_mode", "query")]),
        Some(&c),
    ));
    assert_eq!(e.error, AuthorizeErrorCode::InvalidRequest);
}

#[test]
fn web_message_needs_an_allowed_web_origin() {
    let mut c = client("spa");
    assert!(validate(&with(&[("response_mode", "web_message")]), Some(&c)).is_ok());
    c.web_origins.clear();
    assert!(matches!(
        validate(&with(&[("response_mode", "web_message")]), Some(&c)),
        Err(AuthorizeFailure::ShowErrorPage { .. })
    ));
}

#[test]
fn prompt_none_with_login_is_invalid() {
    let e = redirect_error(validate(
        &with(&[("prompt", "none login")]),
        Some(&client("spa")),
    ));
    assert_eq!(e.error, AuthorizeErrorCode::InvalidRequest);
}

#[test]
fn response_type_parsing_is_order_insensitive_and_strict() {
    assert_eq!(
        ResponseType::parse("token id_token"),
        ResponseType::parse("id_token token")
    );
    assert!(ResponseType::parse("code code").is_none());
    assert!(ResponseType::parse("").is_none());
    assert!(ResponseType::parse("code id_token token").is_some());
}
