//! Refresh tokens (RFC 6749 §6) with Auth0's rules: issued for `offline_access`,
//! rotation with reuse detection, absolute and idle lifetimes, narrowing scope.

use super::errors::{TokenError, TokenErrorCode};
use crate::UnixTime;
use crate::clients::{Client, ExpirationType, RefreshTokenConfig, RotationType};
use crate::protocol::grant_type::GrantType;
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
        && client.allows_grant(GrantType::RefreshToken)
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

/// What the store holds of a presented token, read inside the exchange's
/// transaction (the row locked), so that the decision and its write are one.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Presented {
    pub rotating: bool,
    pub expires_at: Option<UnixTime>,
    pub idle_expires_at: Option<UnixTime>,
    pub used_at: Option<UnixTime>,
    pub revoked_at: Option<UnixTime>,
    /// A later generation of its family has been spent already.
    pub newer_spent: bool,
}

impl Presented {
    /// Not revoked and within both lifetimes.
    pub fn is_live(&self, now: UnixTime) -> bool {
        self.revoked_at.is_none()
            && self.expires_at.is_none_or(|e| e > now)
            && self.idle_expires_at.is_none_or(|e| e > now)
    }
}

/// What presenting a refresh token does (RFC 6749 §6, RFC 9700 §4.14.2 and
/// Auth0's rotation rules).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Exchange {
    /// A non-rotating token: it stays, its idle expiry moves.
    Renew { idle_expires_at: Option<UnixTime> },
    /// A rotating token: it is spent and the next of its family issued (the
    /// family's absolute expiry is kept; the idle one follows the setting).
    /// `within_leeway`: it was spent already, but within the leeway and as the
    /// newest spent of its family (two tabs racing).
    Rotate {
        within_leeway: bool,
        idle_expires_at: Option<UnixTime>,
    },
    /// Auth0: a change of `rotation_type` takes effect at a token's next use. The
    /// family ends and one of the new kind starts; switching rotation on also
    /// ends the user's other non-rotating tokens for this application and API.
    Switch {
        to_rotating: bool,
        /// The new family's lifetimes, under the current setting.
        expires_at: Option<UnixTime>,
        idle_expires_at: Option<UnixTime>,
    },
    /// A spent rotating token outside the leeway (or not the newest spent): the
    /// whole family is revoked.
    Reuse,
    /// Unknown, expired, revoked or spent: nothing changes.
    Invalid,
}

/// Decides what presenting `p` does under the client's current `cfg` at `now`.
pub fn decide(p: Option<&Presented>, cfg: &RefreshTokenConfig, now: UnixTime) -> Exchange {
    let Some(p) = p else {
        return Exchange::Invalid;
    };
    if !p.is_live(now) {
        return Exchange::Invalid;
    }
    if p.rotating != is_rotating(cfg) {
        return match p.used_at {
            Some(_) => Exchange::Invalid,
            None => {
                let expires_at = absolute_expiry(cfg, now);
                Exchange::Switch {
                    to_rotating: is_rotating(cfg),
                    expires_at,
                    idle_expires_at: idle_expiry(cfg, now, expires_at),
                }
            }
        };
    }
    if !p.rotating {
        return Exchange::Renew {
            idle_expires_at: idle_expiry(cfg, now, p.expires_at),
        };
    }
    let idle_expires_at = idle_expiry(cfg, now, p.expires_at);
    match p.used_at {
        None => Exchange::Rotate {
            within_leeway: false,
            idle_expires_at,
        },
        Some(used) if cfg.leeway > 0 && now - used <= cfg.leeway && !p.newer_spent => {
            Exchange::Rotate {
                within_leeway: true,
                idle_expires_at,
            }
        }
        Some(_) => Exchange::Reuse,
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

    fn rotating_cfg(leeway: i64) -> RefreshTokenConfig {
        let mut cfg = RefreshTokenConfig::default_for(AppType::Spa);
        cfg.leeway = leeway;
        cfg
    }

    fn presented(rotating: bool) -> Presented {
        Presented {
            rotating,
            expires_at: Some(10_000),
            idle_expires_at: Some(10_000),
            used_at: None,
            revoked_at: None,
            newer_spent: false,
        }
    }

    #[test]
    fn first_use_of_a_rotating_token_rotates() {
        let d = decide(Some(&presented(true)), &rotating_cfg(0), 100);
        assert!(
            matches!(
                d,
                Exchange::Rotate {
                    within_leeway: false,
                    ..
                }
            ),
            "{d:?}"
        );
    }

    #[test]
    fn refresh_reuse_inside_leeway_rotates_again_only_for_the_newest_spent() {
        let mut p = presented(true);
        p.used_at = Some(95);
        let cfg = rotating_cfg(10);
        assert!(matches!(
            decide(Some(&p), &cfg, 100),
            Exchange::Rotate {
                within_leeway: true,
                ..
            }
        ));
        p.newer_spent = true;
        assert_eq!(decide(Some(&p), &cfg, 100), Exchange::Reuse);
    }

    #[test]
    fn refresh_reuse_outside_leeway_revokes_family() {
        let mut p = presented(true);
        p.used_at = Some(50);
        assert_eq!(decide(Some(&p), &rotating_cfg(10), 100), Exchange::Reuse);
        assert_eq!(decide(Some(&p), &rotating_cfg(0), 51), Exchange::Reuse);
    }

    #[test]
    fn expired_revoked_or_unknown_tokens_change_nothing() {
        let cfg = rotating_cfg(0);
        assert_eq!(decide(None, &cfg, 100), Exchange::Invalid);
        let mut p = presented(true);
        p.revoked_at = Some(1);
        assert_eq!(decide(Some(&p), &cfg, 100), Exchange::Invalid);
        let mut p = presented(true);
        p.idle_expires_at = Some(100);
        assert_eq!(decide(Some(&p), &cfg, 100), Exchange::Invalid);
    }

    #[test]
    fn a_rotation_type_change_switches_the_family_at_next_use() {
        let cfg = rotating_cfg(0);
        assert!(matches!(
            decide(Some(&presented(false)), &cfg, 100),
            Exchange::Switch {
                to_rotating: true,
                expires_at: Some(_),
                ..
            }
        ));
        let web = RefreshTokenConfig::default_for(AppType::RegularWeb);
        assert_eq!(
            decide(Some(&presented(true)), &web, 100),
            Exchange::Switch {
                to_rotating: false,
                expires_at: None,
                idle_expires_at: None
            }
        );
        let mut spent = presented(true);
        spent.used_at = Some(90);
        assert_eq!(decide(Some(&spent), &web, 100), Exchange::Invalid);
    }

    #[test]
    fn a_non_rotating_token_renews_its_idle_expiry() {
        let web = RefreshTokenConfig::default_for(AppType::RegularWeb);
        let mut p = presented(false);
        p.expires_at = None;
        assert_eq!(
            decide(Some(&p), &web, 100),
            Exchange::Renew {
                idle_expires_at: idle_expiry(&web, 100, None)
            }
        );
    }
}
