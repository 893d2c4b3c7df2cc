//! SMS through Auth0's custom gateway (`provider: sms_gateway` on the `sms`
//! connection): the text is POSTed as JSON (`recipient`, `body`, `sender`)
//! to the connection's `gateway_url`, with, when the connection says so, a
//! bearer JWT (HS256 with the sealed gateway secret; `sub`, `aud` and five
//! minutes, as Auth0 signs it).
//!
//! Invariants:
//! - One attempt, bounded by [`TIMEOUT`]; no redirect is followed; only a
//!   2xx answer counts as sent.
//! - The code is in the body only, never in a URL or a log line.

use std::time::Duration;

use base64::Engine;
use base64::engine::general_purpose::{STANDARD, URL_SAFE_NO_PAD};
use portcullis_core::protocol::passwordless::GatewayAuth;
use serde_json::json;

/// A send's limit.
pub const TIMEOUT: Duration = Duration::from_secs(10);

/// The gateway client: its own bounded HTTP client.
pub struct SmsGateway {
    http: reqwest::Client,
}

impl Default for SmsGateway {
    fn default() -> Self {
        Self {
            http: crate::upstream_client::outbound_http_client(TIMEOUT),
        }
    }
}

/// One text to send.
pub struct Sms<'a> {
    pub url: &'a str,
    pub to: &'a str,
    pub from: Option<&'a str>,
    pub body: &'a str,
    /// How to authenticate, and the secret (as stored: text or base64).
    pub auth: Option<(&'a GatewayAuth, &'a str)>,
    pub now: i64,
}

/// Why a text did not go out (for the log and the audit event).
#[derive(Debug, thiserror::Error)]
pub enum SmsError {
    #[error("the gateway could not be reached: {0}")]
    Unreachable(String),
    #[error("the gateway answered {0}")]
    Refused(u16),
    #[error("the gateway secret is not valid base64")]
    BadSecret,
}

/// An HS256 JWT of `claims` with `key` (RFC 7515, RFC 7518 §3.2).
fn hs256(key: &[u8], claims: &serde_json::Value) -> String {
    let input = format!(
        "{}.{}",
        URL_SAFE_NO_PAD.encode(br#"{"alg":"HS256","typ":"JWT"}"#),
        URL_SAFE_NO_PAD.encode(claims.to_string())
    );
    let key = aws_lc_rs::hmac::Key::new(aws_lc_rs::hmac::HMAC_SHA256, key);
    let tag = aws_lc_rs::hmac::sign(&key, input.as_bytes());
    format!("{input}.{}", URL_SAFE_NO_PAD.encode(tag.as_ref()))
}

impl SmsGateway {
    pub async fn send(&self, sms: Sms<'_>) -> Result<(), SmsError> {
        let mut req = self.http.post(sms.url).json(&json!({
            "recipient": sms.to,
            "body": sms.body,
            "sender": sms.from,
        }));
        if let Some((auth, secret)) = sms.auth {
            let key = if auth.secret_base64_encoded {
                STANDARD
                    .decode(secret)
                    .or_else(|_| URL_SAFE_NO_PAD.decode(secret))
                    .map_err(|_| SmsError::BadSecret)?
            } else {
                secret.as_bytes().to_vec()
            };
            let claims = json!({"sub": auth.subject, "aud": auth.audience,
                                "iat": sms.now, "exp": sms.now + 300});
            req = req.bearer_auth(hs256(&key, &claims));
        }
        let res = req
            .send()
            .await
            .map_err(|e| SmsError::Unreachable(e.without_url().to_string()))?;
        if res.status().is_success() {
            Ok(())
        } else {
            Err(SmsError::Refused(res.status().as_u16()))
        }
    }
}
