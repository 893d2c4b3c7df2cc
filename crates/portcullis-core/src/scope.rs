//! Scopes: space-delimited, case-sensitive strings (RFC 6749 §3.3).

/// The OpenID Connect scopes, always allowed in a user's access token.
pub const OIDC_SCOPES: &[&str] = &["openid", "profile", "email", "offline_access"];

/// Splits a `scope` parameter into its distinct values, keeping their order.
/// An empty or all-space string is no scope at all (auth0-python sends `scope=""`).
pub fn parse(raw: &str) -> Vec<String> {
    let mut out: Vec<String> = Vec::new();
    for s in raw.split(' ').filter(|s| !s.is_empty()) {
        if !out.iter().any(|o| o == s) {
            out.push(s.to_string());
        }
    }
    out
}

/// Joins scope values with single spaces, as they appear in tokens and responses.
pub fn join(values: &[String]) -> String {
    values.join(" ")
}

/// RFC 6749 §3.3: scope-token = 1*( %x21 / %x23-5B / %x5D-7E ).
pub fn is_valid_token(s: &str) -> bool {
    !s.is_empty()
        && s.bytes()
            .all(|b| b == 0x21 || (0x23..=0x5B).contains(&b) || (0x5D..=0x7E).contains(&b))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn empty_scope_parses_to_nothing() {
        assert!(parse("").is_empty());
        assert!(parse("   ").is_empty());
    }

    #[test]
    fn duplicate_scope_values_collapse_in_order() {
        assert_eq!(parse("b a  b"), vec!["b", "a"]);
    }

    #[test]
    fn scope_tokens_exclude_quotes_backslash_and_space() {
        assert!(is_valid_token("read:clients"));
        assert!(!is_valid_token("a b"));
        assert!(!is_valid_token("a\"b"));
        assert!(!is_valid_token("a\\b"));
    }
}
