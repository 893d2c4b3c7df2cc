//! Time-based one-time passwords (RFC 6238) as authenticator apps and Auth0's
//! Guardian use them: HMAC-SHA1 (RFC 4226 §5.3 dynamic truncation), six
//! digits, 30-second steps, the secret 20 random bytes shown in base32
//! (RFC 4648 §6, no padding) in an `otpauth://` URI.
//!
//! Invariants: a code is accepted for the current step and one step either
//! side (RFC 6238 §5.2: clock drift and typing time), compared in constant
//! time; a step once used is never accepted again for that authenticator
//! (the caller stores the step `verify` returns and passes it back), so a
//! code seen over a shoulder or replayed from a log is worthless.

use hmac::{Hmac, Mac};
use sha1::Sha1;
use subtle::ConstantTimeEq;

use crate::UnixTime;

/// Seconds per step (RFC 6238 §4.1 `X`, the default every app uses).
pub const STEP: i64 = 30;
/// Digits of a code.
pub const DIGITS: usize = 6;
/// Steps accepted either side of now.
pub const DRIFT: i64 = 1;
/// Bytes of a new secret (RFC 4226 §4 recommends 160 bits).
pub const SECRET_BYTES: usize = 20;

/// A TOTP secret. Its `Debug` never shows it.
#[derive(Clone, PartialEq, Eq)]
pub struct TotpSecret(Vec<u8>);

impl std::fmt::Debug for TotpSecret {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("TotpSecret(..)")
    }
}

impl TotpSecret {
    /// A new random secret.
    pub fn generate() -> Self {
        Self(crate::random::bytes(SECRET_BYTES))
    }

    pub fn from_bytes(bytes: Vec<u8>) -> Self {
        Self(bytes)
    }

    pub fn as_bytes(&self) -> &[u8] {
        &self.0
    }

    /// RFC 4648 base32 without padding: what a person types into an app.
    pub fn base32(&self) -> String {
        data_encoding::BASE32_NOPAD.encode(&self.0)
    }

    /// Reads a base32 secret (any case, spaces and padding ignored).
    pub fn from_base32(text: &str) -> Option<Self> {
        let clean: String = text
            .chars()
            .filter(|c| !c.is_whitespace() && *c != '=')
            .map(|c| c.to_ascii_uppercase())
            .collect();
        let bytes = data_encoding::BASE32_NOPAD.decode(clean.as_bytes()).ok()?;
        (!bytes.is_empty()).then_some(Self(bytes))
    }
}

/// The step `now` falls in.
pub fn step_at(now: UnixTime) -> i64 {
    now.div_euclid(STEP)
}

/// The code of `step` (RFC 4226 §5.3), as the six digits an app shows.
pub fn code_at(secret: &TotpSecret, step: i64) -> String {
    // Any key length is valid for HMAC (RFC 2104 §2).
    let Ok(mut mac) = Hmac::<Sha1>::new_from_slice(secret.as_bytes()) else {
        return String::new();
    };
    mac.update(&(step as u64).to_be_bytes());
    let digest = mac.finalize().into_bytes();
    let offset = (digest[digest.len() - 1] & 0x0f) as usize;
    let binary = u32::from_be_bytes([
        digest[offset] & 0x7f,
        digest[offset + 1],
        digest[offset + 2],
        digest[offset + 3],
    ]);
    format!(
        "{:0width$}",
        binary % 10u32.pow(DIGITS as u32),
        width = DIGITS
    )
}

/// Why a code was refused.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Refused {
    /// Not six digits.
    Malformed,
    /// No step within the drift has this code.
    Wrong,
    /// The code is right but its step was already used.
    Replayed,
}

/// Checks `code` at `now`: the step it matched, to be stored as the last
/// used; `last_used` is the step stored by the previous success.
pub fn verify(
    secret: &TotpSecret,
    code: &str,
    now: UnixTime,
    last_used: Option<i64>,
) -> Result<i64, Refused> {
    let code = code.trim();
    if code.len() != DIGITS || !code.bytes().all(|b| b.is_ascii_digit()) {
        return Err(Refused::Malformed);
    }
    let current = step_at(now);
    let mut matched = None;
    // Every candidate is computed and compared, so the time taken does not
    // tell which step matched.
    for step in current - DRIFT..=current + DRIFT {
        let expected = code_at(secret, step);
        if bool::from(expected.as_bytes().ct_eq(code.as_bytes())) && matched.is_none() {
            matched = Some(step);
        }
    }
    let step = matched.ok_or(Refused::Wrong)?;
    if last_used.is_some_and(|used| step <= used) {
        return Err(Refused::Replayed);
    }
    Ok(step)
}

/// The `otpauth://` URI of Google Authenticator's key-URI format, as
/// Auth0's `barcode_uri`: `otpauth://totp/<issuer>:<account>?secret=…&issuer=…`.
pub fn otpauth_uri(issuer: &str, account: &str, secret: &TotpSecret) -> String {
    let enc = |s: &str| url::form_urlencoded::byte_serialize(s.as_bytes()).collect::<String>();
    // The label's parts are path text: `+` would read as a plus sign.
    let label = |s: &str| enc(s).replace('+', "%20");
    format!(
        "otpauth://totp/{}:{}?secret={}&issuer={}&algorithm=SHA1&digits={DIGITS}&period={STEP}",
        label(issuer),
        label(account),
        secret.base32(),
        // `%20`, as Auth0 writes it: some apps show a `+` as it is.
        label(issuer)
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    /// RFC 6238 Appendix B, SHA-1 rows (the eight-digit codes' last six).
    #[test]
    fn rfc_6238_test_vectors() {
        let secret = TotpSecret::from_bytes(b"12345678901234567890".to_vec());
        for (t, code) in [
            (59, "287082"),
            (1_111_111_109, "081804"),
            (1_111_111_111, "050471"),
            (1_234_567_890, "005924"),
            (2_000_000_000, "279037"),
            (20_000_000_000, "353130"),
        ] {
            assert_eq!(code_at(&secret, step_at(t)), code, "T={t}");
        }
    }

    #[test]
    fn a_code_is_accepted_one_step_either_side_and_only_once() {
        let secret = TotpSecret::generate();
        let now = 1_700_000_000;
        let code = code_at(&secret, step_at(now) - 1);
        let step = verify(&secret, &code, now, None).expect("one step late");
        assert_eq!(
            verify(&secret, &code, now, Some(step)),
            Err(Refused::Replayed)
        );
        let next = code_at(&secret, step_at(now) + 1);
        assert!(
            verify(&secret, &next, now, Some(step)).is_ok(),
            "one step early"
        );
        let old = code_at(&secret, step_at(now) - 2);
        assert_eq!(verify(&secret, &old, now, None), Err(Refused::Wrong));
        assert_eq!(verify(&secret, "12345", now, None), Err(Refused::Malformed));
        assert_eq!(
            verify(&secret, "12345a", now, None),
            Err(Refused::Malformed)
        );
    }

    #[test]
    fn an_earlier_step_than_the_last_used_is_refused() {
        let secret = TotpSecret::generate();
        let now = 1_700_000_000;
        let late = code_at(&secret, step_at(now) - 1);
        assert_eq!(
            verify(&secret, &late, now, Some(step_at(now))),
            Err(Refused::Replayed)
        );
    }

    #[test]
    fn secrets_round_trip_through_base32_and_the_uri_names_them() {
        let secret = TotpSecret::generate();
        let b32 = secret.base32();
        assert_eq!(b32.len(), 32);
        assert_eq!(
            TotpSecret::from_base32(&b32.to_lowercase()),
            Some(secret.clone())
        );
        assert_eq!(TotpSecret::from_base32("not base32!"), None);
        let uri = otpauth_uri("Example Shop", "a+b@example.com", &secret);
        assert!(
            uri.starts_with("otpauth://totp/Example%20Shop:a%2Bb%40example.com?secret="),
            "{uri}"
        );
        assert!(uri.contains(&format!(
            "secret={b32}&issuer=Example%20Shop&algorithm=SHA1&digits=6&period=30"
        )));
        assert_eq!(format!("{secret:?}"), "TotpSecret(..)");
    }
}
