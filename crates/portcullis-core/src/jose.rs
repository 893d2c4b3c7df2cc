//! Compact JWS (RFC 7515) signing and verification (RS256, PS256, ES256, EdDSA).
//!
//! Signing is assembled here rather than through a JWT crate so that the parsed key
//! is reused for every token (a JWT crate that re-parses the key per signature
//! halves issuance throughput). Verification accepts only a `kid` that names one
//! of our own published keys, with that key's own algorithm: `alg: none`, HMAC-with-the-public-key
//! confusion and header-supplied keys (`jwk`, `jku`, `x5u`) are refused by
//! construction.

use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use serde::Serialize;
use serde::de::DeserializeOwned;

use crate::keys::SigningKey;

/// A signed compact JWS of `claims` with `key` (`typ: JWT`).
pub fn sign<C: Serialize>(key: &SigningKey, claims: &C) -> String {
    sign_with_header(key, &key.header_b64, claims)
}

/// A signed access token in the RFC 9068 profile (`typ: at+jwt`, §2.1).
pub fn sign_at_jwt<C: Serialize>(key: &SigningKey, claims: &C) -> String {
    sign_with_header(key, &key.at_jwt_header_b64, claims)
}

fn sign_with_header<C: Serialize>(key: &SigningKey, header_b64: &str, claims: &C) -> String {
    let payload = serde_json::to_vec(claims).expect("token claims always serialize");
    let mut token = String::with_capacity(header_b64.len() + payload.len() * 4 / 3 + 350);
    token.push_str(header_b64);
    token.push('.');
    URL_SAFE_NO_PAD.encode_string(&payload, &mut token);
    let sig = key.sign(token.as_bytes());
    token.push('.');
    URL_SAFE_NO_PAD.encode_string(&sig, &mut token);
    token
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum JwsError {
    #[error("the token is not a compact JWS")]
    Malformed,
    #[error("the token's algorithm is not its key's")]
    UnsupportedAlgorithm,
    #[error("the token's key is not one of ours")]
    UnknownKey,
    #[error("the token's signature is invalid")]
    BadSignature,
    #[error("the token's payload is not valid JSON claims")]
    BadClaims,
}

#[derive(serde::Deserialize)]
struct Header {
    alg: String,
    kid: Option<String>,
    crit: Option<serde_json::Value>,
}

/// Verifies `token` against the key `find_key` returns for its `kid`, and decodes
/// its claims. Claim checks (iss, aud, exp) are the caller's.
pub fn verify<'k, C: DeserializeOwned>(
    token: &str,
    find_key: impl Fn(&str) -> Option<&'k SigningKey>,
) -> Result<C, JwsError> {
    let mut parts = token.split('.');
    let (Some(h), Some(p), Some(s), None) =
        (parts.next(), parts.next(), parts.next(), parts.next())
    else {
        return Err(JwsError::Malformed);
    };
    let header: Header = URL_SAFE_NO_PAD
        .decode(h)
        .ok()
        .and_then(|b| serde_json::from_slice(&b).ok())
        .ok_or(JwsError::Malformed)?;
    // RFC 7515 §4.1.11: we understand no critical extensions, so any `crit` fails.
    if crate::keys::Alg::parse(&header.alg).is_none() || header.crit.is_some() {
        return Err(JwsError::UnsupportedAlgorithm);
    }
    let key = header
        .kid
        .as_deref()
        .and_then(find_key)
        .ok_or(JwsError::UnknownKey)?;
    // The algorithm is the key's, fixed when it was made; a header that names
    // another one (RS256 on an EC key, HS256 with the public key as secret…) is
    // refused before any verification.
    if header.alg != key.alg.as_str() {
        return Err(JwsError::UnsupportedAlgorithm);
    }
    let sig = URL_SAFE_NO_PAD.decode(s).map_err(|_| JwsError::Malformed)?;
    let signed_len = h.len() + 1 + p.len();
    if !key.verify(&token.as_bytes()[..signed_len], &sig) {
        return Err(JwsError::BadSignature);
    }
    let payload = URL_SAFE_NO_PAD.decode(p).map_err(|_| JwsError::Malformed)?;
    serde_json::from_slice(&payload).map_err(|_| JwsError::BadClaims)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::keys::{KeyEncryptionKey, KeyState, generate_rs256};

    fn key() -> SigningKey {
        let kek = KeyEncryptionKey::from_bytes(&[1u8; 32]).unwrap();
        let g = generate_rs256(&kek, "t", 2026).unwrap();
        SigningKey::open(
            &kek,
            &g.kid,
            KeyState::Current,
            &g.sealed_private_key,
            &g.certificate_der,
        )
        .unwrap()
    }

    #[test]
    fn signed_token_verifies_and_round_trips_claims() {
        let k = key();
        let t = sign(&k, &serde_json::json!({"sub": "x"}));
        let c: serde_json::Value = verify(&t, |kid| (kid == k.kid).then_some(&k)).unwrap();
        assert_eq!(c["sub"], "x");
    }

    #[test]
    fn alg_none_and_hs256_are_refused() {
        let k = key();
        let body = URL_SAFE_NO_PAD.encode(r#"{"sub":"x"}"#);
        for alg in ["none", "HS256"] {
            let h = URL_SAFE_NO_PAD.encode(format!(r#"{{"alg":"{alg}","kid":"{}"}}"#, k.kid));
            let t = format!("{h}.{body}.");
            let r: Result<serde_json::Value, _> = verify(&t, |_| Some(&k));
            assert_eq!(r.unwrap_err(), JwsError::UnsupportedAlgorithm);
        }
    }

    #[test]
    fn tampered_payload_fails_signature_check() {
        let k = key();
        let t = sign(&k, &serde_json::json!({"sub": "x"}));
        let mut parts: Vec<&str> = t.split('.').collect();
        let forged = URL_SAFE_NO_PAD.encode(r#"{"sub":"admin"}"#);
        parts[1] = &forged;
        let r: Result<serde_json::Value, _> = verify(&parts.join("."), |_| Some(&k));
        assert_eq!(r.unwrap_err(), JwsError::BadSignature);
    }

    #[test]
    fn unknown_kid_and_garbage_are_refused() {
        let k = key();
        let t = sign(&k, &serde_json::json!({}));
        let r: Result<serde_json::Value, _> = verify(&t, |_| None);
        assert_eq!(r.unwrap_err(), JwsError::UnknownKey);
        for junk in ["", "a.b", "a.b.c.d", "!!.!!.!!"] {
            let r: Result<serde_json::Value, _> = verify(junk, |_| Some(&k));
            assert!(r.is_err());
        }
    }
}
