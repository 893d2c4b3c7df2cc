//! Error codes of the OAuth endpoints, one enum per endpoint error set.

use std::borrow::Cow;

/// RFC 6749 §5.2 token endpoint errors, plus Auth0's `access_denied`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TokenErrorCode {
    /// §5.2: malformed request, missing or duplicated parameter.
    InvalidRequest,
    /// §5.2: client authentication failed (401).
    InvalidClient,
    /// §5.2: the grant (code, refresh token, credentials) is invalid.
    InvalidGrant,
    /// §5.2: the client may not use this grant type.
    UnauthorizedClient,
    /// §5.2: the grant type is unknown to this server.
    UnsupportedGrantType,
    /// §5.2: the requested scope exceeds what may be granted.
    InvalidScope,
    /// Auth0: unknown audience, or no client grant for it (403).
    AccessDenied,
    /// §5.2 via RFC 6749 §4.1.2.1: an internal failure; never carries detail.
    ServerError,
    /// RFC 6749 §4.1.2.1: the server is overloaded or its database unreachable.
    TemporarilyUnavailable,
    /// Auth0: brute-force protection refuses further password attempts (429).
    TooManyAttempts,
    /// Auth0's MFA API: the login needs a second factor (403, with an
    /// `mfa_token`).
    MfaRequired,
    /// Auth0's MFA API: the `mfa_token` has expired; RFC 8628 §3.5: the
    /// device code has.
    ExpiredToken,
    /// RFC 8628 §3.5: the person has not finished at the activation page yet.
    AuthorizationPending,
    /// RFC 8628 §3.5: polling faster than `interval` (Auth0 answers 429).
    SlowDown,
    /// RFC 9449 §5: the DPoP proof is missing a part, or does not fit the
    /// request or the token it is sent with.
    InvalidDpopProof,
    /// RFC 9449 §8: the proof must carry the server nonce sent in the
    /// `DPoP-Nonce` header.
    UseDpopNonce,
}

impl TokenErrorCode {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::InvalidRequest => "invalid_request",
            Self::InvalidClient => "invalid_client",
            Self::InvalidGrant => "invalid_grant",
            Self::UnauthorizedClient => "unauthorized_client",
            Self::UnsupportedGrantType => "unsupported_grant_type",
            Self::InvalidScope => "invalid_scope",
            Self::AccessDenied => "access_denied",
            Self::ServerError => "server_error",
            Self::TemporarilyUnavailable => "temporarily_unavailable",
            Self::TooManyAttempts => "too_many_attempts",
            Self::MfaRequired => "mfa_required",
            Self::ExpiredToken => "expired_token",
            Self::AuthorizationPending => "authorization_pending",
            Self::SlowDown => "slow_down",
            Self::InvalidDpopProof => "invalid_dpop_proof",
            Self::UseDpopNonce => "use_dpop_nonce",
        }
    }
}

/// An error to tell the client: a code and a description it can act on. The
/// description is client-safe: it never carries internal detail.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OAuthError<C> {
    pub code: C,
    pub description: Cow<'static, str>,
}

impl<C> OAuthError<C> {
    pub fn new(code: C, description: impl Into<Cow<'static, str>>) -> Self {
        Self {
            code,
            description: description.into(),
        }
    }
}

pub type TokenError = OAuthError<TokenErrorCode>;

impl TokenError {
    pub fn invalid_request(d: impl Into<Cow<'static, str>>) -> Self {
        Self::new(TokenErrorCode::InvalidRequest, d)
    }
}
