//! The grant types, as `grant_type` (RFC 6749 §4, RFC 8693 §2.1) and Auth0's
//! `grant_types` list name them. A client's list holds these and nothing else:
//! an unknown name is refused when the client is written, not when it is used.

use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum GrantType {
    /// RFC 6749 §4.1.
    #[serde(rename = "authorization_code")]
    AuthorizationCode,
    /// RFC 6749 §4.2 (and OpenID Connect's implicit and hybrid responses).
    #[serde(rename = "implicit")]
    Implicit,
    /// RFC 6749 §6.
    #[serde(rename = "refresh_token")]
    RefreshToken,
    /// RFC 6749 §4.4.
    #[serde(rename = "client_credentials")]
    ClientCredentials,
    /// RFC 6749 §4.3.
    #[serde(rename = "password")]
    Password,
    /// Auth0's password grant with a `realm` (the connection).
    #[serde(rename = "http://auth0.com/oauth/grant-type/password-realm")]
    PasswordRealm,
    /// RFC 8693.
    #[serde(rename = "urn:ietf:params:oauth:grant-type:token-exchange")]
    TokenExchange,
    /// Auth0's MFA API: a login waiting for its second factor (`mfa_token`)
    /// finished with a one-time code.
    #[serde(rename = "http://auth0.com/oauth/grant-type/mfa-otp")]
    MfaOtp,
    /// Auth0's MFA API: finished with a code sent out of band (e-mail), its
    /// `oob_code` and the `binding_code` the user typed.
    #[serde(rename = "http://auth0.com/oauth/grant-type/mfa-oob")]
    MfaOob,
    /// Auth0's MFA API: finished with a recovery code (a new one is answered).
    #[serde(rename = "http://auth0.com/oauth/grant-type/mfa-recovery-code")]
    MfaRecoveryCode,
    /// RFC 8628: the device authorization grant.
    #[serde(rename = "urn:ietf:params:oauth:grant-type:device_code")]
    DeviceCode,
    /// Auth0's passwordless grant: a code sent by e-mail or SMS.
    #[serde(rename = "http://auth0.com/oauth/grant-type/passwordless/otp")]
    PasswordlessOtp,
}

impl GrantType {
    /// Every grant type a client may be allowed.
    pub const ALL: [GrantType; 12] = [
        GrantType::AuthorizationCode,
        GrantType::Implicit,
        GrantType::RefreshToken,
        GrantType::ClientCredentials,
        GrantType::Password,
        GrantType::PasswordRealm,
        GrantType::TokenExchange,
        GrantType::MfaOtp,
        GrantType::MfaOob,
        GrantType::MfaRecoveryCode,
        GrantType::DeviceCode,
        GrantType::PasswordlessOtp,
    ];

    pub const fn as_str(self) -> &'static str {
        match self {
            GrantType::AuthorizationCode => "authorization_code",
            GrantType::Implicit => "implicit",
            GrantType::RefreshToken => "refresh_token",
            GrantType::ClientCredentials => "client_credentials",
            GrantType::Password => "password",
            GrantType::PasswordRealm => "http://auth0.com/oauth/grant-type/password-realm",
            GrantType::TokenExchange => "urn:ietf:params:oauth:grant-type:token-exchange",
            GrantType::MfaOtp => "http://auth0.com/oauth/grant-type/mfa-otp",
            GrantType::MfaOob => "http://auth0.com/oauth/grant-type/mfa-oob",
            GrantType::MfaRecoveryCode => "http://auth0.com/oauth/grant-type/mfa-recovery-code",
            GrantType::DeviceCode => "urn:ietf:params:oauth:grant-type:device_code",
            GrantType::PasswordlessOtp => "http://auth0.com/oauth/grant-type/passwordless/otp",
        }
    }

    pub fn parse(s: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|g| g.as_str() == s)
    }
}

/// Auth0's `unauthorized_client` for a grant type the client may not use.
pub fn not_allowed(grant_type: GrantType) -> super::errors::TokenError {
    super::errors::TokenError::new(
        super::errors::TokenErrorCode::UnauthorizedClient,
        format!("Grant type '{grant_type}' not allowed for the client."),
    )
}

impl PartialEq<&str> for GrantType {
    fn eq(&self, other: &&str) -> bool {
        self.as_str() == *other
    }
}

impl std::fmt::Display for GrantType {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_round_trip_through_text_and_json() {
        for g in GrantType::ALL {
            assert_eq!(GrantType::parse(g.as_str()), Some(g));
            assert_eq!(serde_json::to_value(g).unwrap(), g.as_str());
        }
        assert_eq!(GrantType::parse("magic"), None);
    }
}
