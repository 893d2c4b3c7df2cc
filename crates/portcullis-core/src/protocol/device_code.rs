//! The device authorization grant (RFC 8628) as Auth0 exposes it: the
//! device's request (`POST /oauth/device/code`), the user code a person types
//! at `<issuer>activate`, and the decision on each poll of the token endpoint
//! with `grant_type=urn:ietf:params:oauth:grant-type:device_code`.
//!
//! Invariants:
//! - The device code and the user code are stored only as hashes.
//! - A user code is eight letters from an alphabet without vowels or
//!   look-alikes (RFC 8628 §6.1), shown `XXXX-XXXX` as Auth0 shows it; typed
//!   in any case, with or without the dash or spaces.
//! - A poll sooner than `interval` after the last one is `slow_down`, and the
//!   interval grows by five seconds for every later poll (§3.5).
//! - Once approved, the device code stands for a code grant (the same record
//!   as an authorization code, under the device code's hash): it redeems once,
//!   and a second redemption is refused and revokes what the first issued.

use serde::{Deserialize, Serialize};

use super::authorize::{AuthorizeRequest, Prompt, ResponseMode, ResponseType};
use super::errors::{TokenError, TokenErrorCode};
use super::params::Params;
use crate::UnixTime;

/// Auth0's lifetime of a device code: fifteen minutes.
pub const EXPIRES_IN: i64 = 900;
/// Auth0's polling interval (RFC 8628 §3.2 `interval`).
pub const INTERVAL: i64 = 5;
/// RFC 8628 §3.5: `slow_down` adds five seconds to the interval.
pub const SLOW_DOWN_STEP: i64 = 5;

/// The letters of a user code: consonants only, so no word is spelt and no
/// letter is mistaken for a digit (RFC 8628 §6.1). 20 letters, 8 of them:
/// about 2.6 × 10^10 codes, guessed at a few a minute at most.
pub const USER_CODE_ALPHABET: &[u8; 20] = b"BCDFGHJKLMNPQRSTVWXZ";
pub const USER_CODE_LEN: usize = 8;

/// A new user code, `XXXX-XXXX`.
pub fn new_user_code() -> String {
    let letters = crate::random::from_alphabet(USER_CODE_ALPHABET, USER_CODE_LEN);
    format!("{}-{}", &letters[..4], &letters[4..])
}

/// A typed user code in the one form it is hashed in: upper case, without the
/// dash or spaces. `None` when it cannot be a user code at all.
pub fn normalize_user_code(typed: &str) -> Option<String> {
    let code: String = typed
        .chars()
        .filter(|c| !matches!(c, '-' | ' ' | '\t'))
        .map(|c| c.to_ascii_uppercase())
        .collect();
    (code.len() == USER_CODE_LEN && code.bytes().all(|b| USER_CODE_ALPHABET.contains(&b)))
        .then_some(code)
}

/// Where a device authorization stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Status {
    /// Waiting for the person at the activation page.
    Pending,
    /// The person signed in and allowed it: the device code is a code grant.
    Approved,
    /// The person cancelled, or the login was refused.
    Denied,
}

impl Status {
    pub fn as_str(self) -> &'static str {
        match self {
            Status::Pending => "pending",
            Status::Approved => "approved",
            Status::Denied => "denied",
        }
    }

    pub fn parse(s: &str) -> Option<Self> {
        [Status::Pending, Status::Approved, Status::Denied]
            .into_iter()
            .find(|v| v.as_str() == s)
    }
}

/// A device authorization as stored (codes by hash, elsewhere).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DeviceAuthorization {
    /// Internal id (`dev_…`): the parked login names it, never a code.
    pub id: String,
    pub client_id: String,
    pub scope: Vec<String>,
    pub audience: Option<String>,
    pub status: Status,
    pub interval: i64,
    pub last_polled_at: Option<UnixTime>,
    pub expires_at: UnixTime,
}

/// The device's request at the token endpoint.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DeviceCodeRequest {
    pub device_code: crate::secrets::Secret,
}

pub fn parse(params: &Params) -> Result<DeviceCodeRequest, TokenError> {
    let code = params
        .get("device_code")
        .ok_or_else(|| TokenError::invalid_request("Missing required parameter: device_code"))?;
    Ok(DeviceCodeRequest {
        device_code: crate::secrets::Secret::new(code),
    })
}

/// The login the activation page starts for device authorization `d`: a
/// code-flow request of its client for its scope and API, whose answer comes
/// back to the activation page (`activate_uri`) with the secret `state` (an
/// error names the device by it). `device` makes the response approve the
/// device instead.
pub fn login_request(d: &DeviceAuthorization, activate_uri: &str, state: &str) -> AuthorizeRequest {
    AuthorizeRequest {
        client_id: d.client_id.clone(),
        redirect_uri: activate_uri.to_string(),
        response_type: ResponseType {
            code: true,
            token: false,
            id_token: false,
        },
        response_mode: ResponseMode::Query,
        scope: d.scope.clone(),
        state: Some(state.to_string()),
        nonce: None,
        audience: d.audience.clone(),
        prompt: Prompt {
            none: false,
            login: false,
            consent: false,
        },
        max_age: None,
        login_hint: None,
        ui_locales: None,
        screen_hint: None,
        code_challenge: None,
        connection: None,
        acr_values: Vec::new(),
        organization: None,
        invitation: None,
        organization_selection: false,
        device: Some(d.id.clone()),
    }
}

/// What one poll gets.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Poll {
    /// Tokens: redeem the approved grant.
    Redeem,
    /// Not yet: record the poll (`last_polled_at = now`, with `interval`).
    Wait { error: TokenError, interval: i64 },
    /// Refused; nothing to record.
    Refuse(TokenError),
}

fn invalid_grant() -> TokenError {
    TokenError::new(
        TokenErrorCode::InvalidGrant,
        "Invalid or expired device code.",
    )
}

/// RFC 8628 §3.5, with Auth0's descriptions: what a poll by `client_id` of
/// `found` (the device code's record, if any) gets at `now`.
pub fn poll(found: Option<&DeviceAuthorization>, client_id: &str, now: UnixTime) -> Poll {
    let Some(d) = found else {
        return Poll::Refuse(invalid_grant());
    };
    // Another client's code is as good as unknown.
    if d.client_id != client_id {
        return Poll::Refuse(invalid_grant());
    }
    if d.expires_at <= now {
        return Poll::Refuse(TokenError::new(
            TokenErrorCode::ExpiredToken,
            "The device code has expired: request a new one.",
        ));
    }
    match d.status {
        Status::Denied => Poll::Refuse(TokenError::new(
            TokenErrorCode::AccessDenied,
            "User has denied access to the device.",
        )),
        Status::Approved => Poll::Redeem,
        Status::Pending => match d.last_polled_at {
            Some(last) if now - last < d.interval => {
                let interval = d.interval + SLOW_DOWN_STEP;
                Poll::Wait {
                    error: TokenError::new(
                        TokenErrorCode::SlowDown,
                        format!(
                            "You are polling faster than the specified interval of {} seconds: wait {interval} seconds between polls.",
                            d.interval
                        ),
                    ),
                    interval,
                }
            }
            _ => Poll::Wait {
                error: TokenError::new(
                    TokenErrorCode::AuthorizationPending,
                    "User has yet to authorize device code.",
                ),
                interval: d.interval,
            },
        },
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn pending() -> DeviceAuthorization {
        DeviceAuthorization {
            id: "dev_1".into(),
            client_id: "c".into(),
            scope: vec!["openid".into()],
            audience: None,
            status: Status::Pending,
            interval: INTERVAL,
            last_polled_at: None,
            expires_at: 1000,
        }
    }

    fn code_of(p: Poll) -> TokenErrorCode {
        match p {
            Poll::Wait { error, .. } | Poll::Refuse(error) => error.code,
            Poll::Redeem => panic!("redeemed"),
        }
    }

    #[test]
    fn user_codes_are_eight_consonants_and_read_in_any_case_or_spacing() {
        let c = new_user_code();
        assert_eq!(c.len(), 9);
        assert_eq!(&c[4..5], "-");
        let n = normalize_user_code(&c).unwrap();
        assert_eq!(n.len(), 8);
        assert_eq!(
            normalize_user_code("bdwp-hqpk").as_deref(),
            Some("BDWPHQPK")
        );
        assert_eq!(
            normalize_user_code(" BDWP HQPK ").as_deref(),
            Some("BDWPHQPK")
        );
        // A vowel, a digit, or the wrong length cannot be a user code.
        assert_eq!(normalize_user_code("BDWP-HQPA"), None);
        assert_eq!(normalize_user_code("BDWP-HQP1"), None);
        assert_eq!(normalize_user_code("BDWP-HQP"), None);
        assert_eq!(normalize_user_code("BDWP-HQPKK"), None);
    }

    #[test]
    fn unknown_or_another_clients_code_is_invalid_grant() {
        assert_eq!(code_of(poll(None, "c", 0)), TokenErrorCode::InvalidGrant);
        assert_eq!(
            code_of(poll(Some(&pending()), "other", 0)),
            TokenErrorCode::InvalidGrant
        );
    }

    #[test]
    fn expired_code_is_expired_token_whatever_its_status() {
        let mut d = pending();
        d.status = Status::Approved;
        assert_eq!(
            code_of(poll(Some(&d), "c", 1000)),
            TokenErrorCode::ExpiredToken
        );
    }

    #[test]
    fn pending_then_slow_down_adds_five_seconds_each_time() {
        let mut d = pending();
        assert_eq!(
            poll(Some(&d), "c", 10),
            Poll::Wait {
                error: TokenError::new(
                    TokenErrorCode::AuthorizationPending,
                    "User has yet to authorize device code."
                ),
                interval: 5
            }
        );
        d.last_polled_at = Some(10);
        let Poll::Wait { error, interval } = poll(Some(&d), "c", 14) else {
            panic!()
        };
        assert_eq!((error.code, interval), (TokenErrorCode::SlowDown, 10));
        d.interval = interval;
        d.last_polled_at = Some(14);
        // Five seconds later is still too soon for the new interval of ten.
        let Poll::Wait { error, interval } = poll(Some(&d), "c", 19) else {
            panic!()
        };
        assert_eq!((error.code, interval), (TokenErrorCode::SlowDown, 15));
        d.interval = 15;
        d.last_polled_at = Some(19);
        assert_eq!(
            code_of(poll(Some(&d), "c", 34)),
            TokenErrorCode::AuthorizationPending
        );
    }

    #[test]
    fn denied_is_access_denied_and_approved_redeems() {
        let mut d = pending();
        d.status = Status::Denied;
        assert_eq!(
            code_of(poll(Some(&d), "c", 0)),
            TokenErrorCode::AccessDenied
        );
        d.status = Status::Approved;
        assert_eq!(poll(Some(&d), "c", 0), Poll::Redeem);
    }
}
