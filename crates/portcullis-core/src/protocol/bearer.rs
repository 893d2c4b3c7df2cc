//! Checking a bearer access token's claims for one audience (RFC 6750, RFC 9068 §4).

use crate::UnixTime;
use crate::tokens::AccessTokenClaims;

/// Clock skew tolerated on `iat` (a token issued by another node of a cluster).
pub const LEEWAY_SECONDS: i64 = 60;

#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum BearerError {
    #[error("the token was issued by another issuer")]
    WrongIssuer,
    #[error("the token is not meant for this API")]
    WrongAudience,
    #[error("the token has expired")]
    Expired,
    #[error("the token was issued in the future")]
    NotYetValid,
}

pub fn check(
    claims: &AccessTokenClaims,
    issuer: &str,
    audience: &str,
    now: UnixTime,
) -> Result<(), BearerError> {
    check_issued_here(claims, issuer, now)?;
    if !claims.aud.contains(audience) {
        return Err(BearerError::WrongAudience);
    }
    Ok(())
}

/// `check` without the audience: a token of ours, live at `now`, for whichever
/// audience (token exchange's subject token, RFC 8693 §2.1).
pub fn check_issued_here(
    claims: &AccessTokenClaims,
    issuer: &str,
    now: UnixTime,
) -> Result<(), BearerError> {
    if claims.iss != issuer {
        return Err(BearerError::WrongIssuer);
    }
    // No leeway on `exp`: this server's own clock issued the token (leeway is for
    // tokens from other machines).
    if claims.exp <= now {
        return Err(BearerError::Expired);
    }
    if claims.iat - LEEWAY_SECONDS > now {
        return Err(BearerError::NotYetValid);
    }
    Ok(())
}
