//! Refresh tokens (RFC 6749 §6) with Auth0's rules: issued for `offline_access`,
//! rotation with reuse detection, absolute and idle lifetimes, narrowing scope.

use super::errors::{TokenError, TokenErrorCode};
use crate::UnixTime;
use crate::clients::{Client, ExpirationType, RefreshTokenConfig, RotationType};
use crate::resource_servers::ResourceServer;

/// Auth0's text for every unusable refresh token; auth0-spa-js falls back to the
/// iframe only when the description says "invalid refresh token".
pub const INVALID: &str = "Unknown or invalid refresh token.";

/// `invalid_grant` with Auth0's text: no detail that helps an attacker.
pub fn invalid() -> TokenError {
    TokenError::new(TokenErrorCode::InvalidGrant, INVALID)
}

/// Auth0 issues a refresh token when `offline_access` was granted, the client may
/// use the refresh grant, and the API (if any) allows offline access.
pub fn may_issue(scope: &[String], client: &Client, api: Option<&ResourceServer>) -> bool {
    scope.iter().any(|s| s == "offline_access")
        && client.allows_grant("refresh_token")
        && api.is_none_or(|a| a.allow_offline_access)
}

pub fn is_rotating(cfg: &RefreshTokenConfig) -> bool {
    cfg.rotation_type == RotationType::Rotating
}

/// The family's absolute expiry, fixed at issue; `None` when it never expires.
pub fn absolute_expiry(cfg: &RefreshTokenConfig, now: UnixTime) -> Option<UnixTime> {
    (cfg.expiration_type == ExpirationType::Expiring && !cfg.infinite_token_lifetime)
        .then(|| now + cfg.token_lifetime)
}

/// The idle expiry after an issue or exchange at `now`, never past the absolute one.
pub fn idle_expiry(
    cfg: &RefreshTokenConfig,
    now: UnixTime,
    absolute: Option<UnixTime>,
) -> Option<UnixTime> {
    let idle = (cfg.expiration_type == ExpirationType::Expiring
        && !cfg.infinite_idle_token_lifetime)
        .then(|| now + cfg.idle_token_lifetime);
    match (idle, absolute) {
        (Some(i), Some(a)) => Some(i.min(a)),
        (i, a) => i.or(a),
    }
}

/// The scope of the refreshed tokens: the original, or a subset of it. An empty
/// `scope` (auth0-python sends `scope=""`) means no narrowing.
pub fn narrow_scope(
    original: &[String],
    requested: Option<&[String]>,
) -> Result<Vec<String>, TokenError> {
    match requested {
        None => Ok(original.to_vec()),
        Some(req) => match req.iter().find(|s| !original.contains(s)) {
            Some(extra) => Err(TokenError::new(
                TokenErrorCode::InvalidScope,
                format!("The scope '{extra}' was not granted to this refresh token."),
            )),
            None => Ok(req.to_vec()),
        },
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::clients::AppType;

    fn s(v: &[&str]) -> Vec<String> {
        v.iter().map(|x| x.to_string()).collect()
    }

    #[test]
    fn scope_can_narrow_but_never_widen() {
        let orig = s(&["openid", "read"]);
        assert_eq!(narrow_scope(&orig, None).unwrap(), orig);
        assert_eq!(
            narrow_scope(&orig, Some(&s(&["read"]))).unwrap(),
            s(&["read"])
        );
        assert_eq!(
            narrow_scope(&orig, Some(&s(&["write"]))).unwrap_err().code,
            TokenErrorCode::InvalidScope
        );
    }

    #[test]
    fn expiring_tokens_get_absolute_and_idle_limits() {
        let cfg = RefreshTokenConfig::default_for(AppType::Spa);
        let abs = absolute_expiry(&cfg, 100);
        assert_eq!(abs, Some(100 + 2_592_000));
        assert_eq!(idle_expiry(&cfg, 100, abs), Some(100 + 1_296_000));
        let idle_past_abs = idle_expiry(&cfg, 2_592_000, abs);
        assert_eq!(idle_past_abs, abs, "idle never outlives the absolute limit");
        let web = RefreshTokenConfig::default_for(AppType::RegularWeb);
        assert_eq!(absolute_expiry(&web, 100), None);
        assert_eq!(idle_expiry(&web, 100, None), None);
    }
}
