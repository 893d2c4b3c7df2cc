//! Parsing a token request (RFC 6749 §4.4.2, §5.2) into a typed grant request.

use super::errors::{TokenError, TokenErrorCode};
use super::grant_type::GrantType;
use super::params::Params;
use crate::scope;

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum TokenRequest {
    /// RFC 6749 §4.4 with Auth0's `audience`.
    ClientCredentials {
        audience: Option<String>,
        scope: Option<Vec<String>>,
        /// Auth0's `organization` (an id, or a name where names are
        /// allowed): the token is for the client acting in it.
        organization: Option<String>,
    },
    /// RFC 6749 §4.1.3.
    AuthorizationCode(super::authorization_code::CodeRequest),
    /// RFC 6749 §6.
    RefreshToken {
        refresh_token: crate::secrets::Secret,
        scope: Option<Vec<String>>,
    },
    /// RFC 8693: an access token for one API in, one for another API out.
    TokenExchange {
        subject_token: crate::secrets::Secret,
        audience: String,
        scope: Option<Vec<String>>,
    },
    /// RFC 6749 §4.3, and Auth0's password-realm extension (`realm` names the
    /// connection).
    Password {
        username: String,
        password: crate::secrets::Secret,
        scope: Vec<String>,
        audience: Option<String>,
        realm: Option<String>,
        /// `Password` or `PasswordRealm`.
        grant_type: GrantType,
    },
    /// RFC 8628 §3.4: the device polls with its `device_code`.
    DeviceCode(super::device_code::DeviceCodeRequest),
    /// Auth0's MFA API grants: the `mfa_token` of a login waiting for its
    /// second factor, and the factor.
    Mfa {
        mfa_token: crate::secrets::Secret,
        proof: MfaProof,
    },
    /// Auth0's passwordless grant: the code sent to `username` through the
    /// connection `realm` (`email` or `sms`).
    Passwordless(PasswordlessRequest),
}

/// A passwordless grant request.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PasswordlessRequest {
    pub username: String,
    pub otp: crate::secrets::Secret,
    pub realm: String,
    pub scope: Vec<String>,
    pub audience: Option<String>,
}

/// The second factor of an MFA grant.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum MfaProof {
    /// `mfa-otp`: a six-digit code.
    Otp(crate::secrets::Secret),
    /// `mfa-oob`: the challenge's `oob_code` and the code the user was sent
    /// (`binding_code`).
    Oob {
        oob_code: crate::secrets::Secret,
        binding_code: crate::secrets::Secret,
    },
    /// `mfa-recovery-code`.
    RecoveryCode(crate::secrets::Secret),
}

impl MfaProof {
    pub fn grant_type(&self) -> GrantType {
        match self {
            MfaProof::Otp(_) => GrantType::MfaOtp,
            MfaProof::Oob { .. } => GrantType::MfaOob,
            MfaProof::RecoveryCode(_) => GrantType::MfaRecoveryCode,
        }
    }
}

pub const TOKEN_EXCHANGE: &str = GrantType::TokenExchange.as_str();
pub const ACCESS_TOKEN_TYPE: &str = "urn:ietf:params:oauth:token-type:access_token";

pub const PASSWORD_REALM: &str = GrantType::PasswordRealm.as_str();

pub fn parse(params: &Params) -> Result<TokenRequest, TokenError> {
    let Some(grant_type) = params.get("grant_type") else {
        return Err(TokenError::invalid_request(
            "Missing required parameter: grant_type",
        ));
    };
    match grant_type {
        "client_credentials" => {
            let scope = match params.get("scope") {
                None => None,
                Some(raw) => {
                    let values = scope::parse(raw);
                    if let Some(bad) = values.iter().find(|s| !scope::is_valid_token(s)) {
                        return Err(TokenError::new(
                            TokenErrorCode::InvalidScope,
                            format!("'{bad}' is not a valid scope value"),
                        ));
                    }
                    // auth0-python sends `scope=""`: no narrowing.
                    (!values.is_empty()).then_some(values)
                }
            };
            Ok(TokenRequest::ClientCredentials {
                audience: params.get("audience").map(str::to_string),
                scope,
                organization: params.get("organization").map(str::to_string),
            })
        }
        "password" | PASSWORD_REALM => {
            let username = params.get("username").ok_or_else(|| {
                TokenError::invalid_request("Missing required parameter: username")
            })?;
            let password = params.get("password").ok_or_else(|| {
                TokenError::invalid_request("Missing required parameter: password")
            })?;
            let realm = params.get("realm").map(str::to_string);
            let grant_type = if grant_type == "password" {
                GrantType::Password
            } else {
                GrantType::PasswordRealm
            };
            if grant_type == GrantType::PasswordRealm && realm.is_none() {
                return Err(TokenError::invalid_request(
                    "Missing required parameter: realm",
                ));
            }
            let scope = scope::parse(params.get("scope").unwrap_or_default());
            if let Some(bad) = scope.iter().find(|s| !scope::is_valid_token(s)) {
                return Err(TokenError::new(
                    TokenErrorCode::InvalidScope,
                    format!("'{bad}' is not a valid scope value"),
                ));
            }
            Ok(TokenRequest::Password {
                username: username.to_string(),
                password: crate::secrets::Secret::new(password),
                scope,
                audience: params.get("audience").map(str::to_string),
                realm,
                grant_type,
            })
        }
        TOKEN_EXCHANGE => {
            let subject_token = params.get("subject_token").ok_or_else(|| {
                TokenError::invalid_request("Missing required parameter: subject_token")
            })?;
            // RFC 8693 §2.1: only access tokens are exchanged, for access tokens.
            if params.get("subject_token_type") != Some(ACCESS_TOKEN_TYPE) {
                return Err(TokenError::invalid_request(format!(
                    "subject_token_type must be {ACCESS_TOKEN_TYPE}"
                )));
            }
            if params
                .get("requested_token_type")
                .is_some_and(|t| t != ACCESS_TOKEN_TYPE)
            {
                return Err(TokenError::invalid_request(format!(
                    "requested_token_type must be {ACCESS_TOKEN_TYPE}"
                )));
            }
            if params.get("actor_token").is_some() {
                return Err(TokenError::invalid_request("actor_token is not supported."));
            }
            let audience = params.get("audience").ok_or_else(|| {
                TokenError::invalid_request("Missing required parameter: audience")
            })?;
            let scope = scope::parse(params.get("scope").unwrap_or_default());
            Ok(TokenRequest::TokenExchange {
                subject_token: crate::secrets::Secret::new(subject_token),
                audience: audience.to_string(),
                scope: (!scope.is_empty()).then_some(scope),
            })
        }
        "refresh_token" => {
            let token = params.get("refresh_token").ok_or_else(|| {
                TokenError::invalid_request("Missing required parameter: refresh_token")
            })?;
            let scope = scope::parse(params.get("scope").unwrap_or_default());
            Ok(TokenRequest::RefreshToken {
                refresh_token: crate::secrets::Secret::new(token),
                scope: (!scope.is_empty()).then_some(scope),
            })
        }
        g if g == GrantType::MfaOtp.as_str()
            || g == GrantType::MfaOob.as_str()
            || g == GrantType::MfaRecoveryCode.as_str() =>
        {
            let mfa_token = params.get("mfa_token").ok_or_else(|| {
                TokenError::invalid_request("Missing required parameter: mfa_token")
            })?;
            let required = |name: &str| {
                params
                    .get(name)
                    .map(crate::secrets::Secret::new)
                    .ok_or_else(|| {
                        TokenError::invalid_request(format!("Missing required parameter: {name}"))
                    })
            };
            let proof = if g == GrantType::MfaOob.as_str() {
                MfaProof::Oob {
                    oob_code: required("oob_code")?,
                    binding_code: required("binding_code")?,
                }
            } else if g == GrantType::MfaOtp.as_str() {
                let otp = params.get("otp").ok_or_else(|| {
                    TokenError::invalid_request("Missing required parameter: otp")
                })?;
                MfaProof::Otp(crate::secrets::Secret::new(otp))
            } else {
                let code = params.get("recovery_code").ok_or_else(|| {
                    TokenError::invalid_request("Missing required parameter: recovery_code")
                })?;
                MfaProof::RecoveryCode(crate::secrets::Secret::new(code))
            };
            Ok(TokenRequest::Mfa {
                mfa_token: crate::secrets::Secret::new(mfa_token),
                proof,
            })
        }
        g if g == GrantType::PasswordlessOtp.as_str() => {
            let required = |name: &str| {
                params.get(name).ok_or_else(|| {
                    TokenError::invalid_request(format!("Missing required parameter: {name}"))
                })
            };
            let scope = scope::parse(params.get("scope").unwrap_or("openid"));
            if let Some(bad) = scope.iter().find(|s| !scope::is_valid_token(s)) {
                return Err(TokenError::new(
                    TokenErrorCode::InvalidScope,
                    format!("'{bad}' is not a valid scope value"),
                ));
            }
            Ok(TokenRequest::Passwordless(PasswordlessRequest {
                username: required("username")?.to_string(),
                otp: crate::secrets::Secret::new(required("otp")?),
                realm: required("realm")?.to_string(),
                scope,
                audience: params.get("audience").map(str::to_string),
            }))
        }
        g if g == GrantType::DeviceCode.as_str() => {
            Ok(TokenRequest::DeviceCode(super::device_code::parse(params)?))
        }
        "authorization_code" => Ok(TokenRequest::AuthorizationCode(
            super::authorization_code::parse(params)?,
        )),
        g => Err(TokenError::new(
            TokenErrorCode::UnsupportedGrantType,
            format!("Unsupported grant type: {}", truncate(g, 100)),
        )),
    }
}

fn truncate(s: &str, max: usize) -> &str {
    match s.char_indices().nth(max) {
        Some((i, _)) => &s[..i],
        None => s,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn p(pairs: &[(&str, &str)]) -> Params {
        Params::from_pairs(pairs.iter().map(|(k, v)| (k.to_string(), v.to_string()))).unwrap()
    }

    #[test]
    fn missing_grant_type_is_invalid_request() {
        assert_eq!(
            parse(&p(&[])).unwrap_err().code,
            TokenErrorCode::InvalidRequest
        );
    }

    #[test]
    fn unknown_grant_type_is_unsupported() {
        let e = parse(&p(&[("grant_type", "magic")])).unwrap_err();
        assert_eq!(e.code, TokenErrorCode::UnsupportedGrantType);
    }

    #[test]
    fn empty_scope_means_no_narrowing() {
        let r = parse(&p(&[("grant_type", "client_credentials"), ("scope", "")])).unwrap();
        assert_eq!(
            r,
            TokenRequest::ClientCredentials {
                audience: None,
                scope: None,
                organization: None,
            }
        );
    }
}
