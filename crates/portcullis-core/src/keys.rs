//! Signing keys: RS256 (RSA-2048) keys with Auth0's lifecycle (next, current,
//! previous), published as a JWKS (RFC 7517) with a self-signed certificate each.
//!
//! Invariants:
//! - `kid` is the RFC 7638 JWK thumbprint of the public key.
//! - The private key leaves this module only sealed with the key-encryption key
//!   (AES-256-GCM, the `kid` as associated data, so a sealed key cannot be swapped
//!   onto another row).

use aws_lc_rs::aead::{AES_256_GCM, Aad, LessSafeKey, NONCE_LEN, Nonce, UnboundKey};
use aws_lc_rs::digest;
use aws_lc_rs::encoding::AsDer;
use aws_lc_rs::rsa::{KeyPair as RsaKeyPair, KeySize};
use aws_lc_rs::signature::KeyPair;
use base64::Engine;
use base64::engine::general_purpose::{STANDARD, URL_SAFE_NO_PAD};
use serde::{Deserialize, Serialize};

/// Where a key is in its life. Auth0: one key signs (`current`); the `next` key is
/// published before it signs anything; the `previous` key stays published so tokens
/// it signed still verify.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum KeyState {
    Next,
    Current,
    Previous,
    Revoked,
}

impl KeyState {
    pub fn as_str(self) -> &'static str {
        match self {
            KeyState::Next => "next",
            KeyState::Current => "current",
            KeyState::Previous => "previous",
            KeyState::Revoked => "revoked",
        }
    }
    pub fn parse(s: &str) -> Option<Self> {
        Some(match s {
            "next" => KeyState::Next,
            "current" => KeyState::Current,
            "previous" => KeyState::Previous,
            "revoked" => KeyState::Revoked,
            _ => return None,
        })
    }
}

#[derive(Debug, thiserror::Error)]
pub enum KeyError {
    #[error("the key-encryption key is not 32 bytes")]
    BadKek,
    #[error(
        "could not decrypt signing key {0}: the key-encryption key does not match the one it was sealed with"
    )]
    Unseal(String),
    #[error("stored signing key {0} is not a valid RSA key")]
    BadKey(String),
    #[error("key generation failed")]
    Generation,
}

/// A 256-bit key-encryption key that seals private keys at rest.
pub struct KeyEncryptionKey(LessSafeKey);

impl KeyEncryptionKey {
    pub fn from_bytes(bytes: &[u8]) -> Result<Self, KeyError> {
        let k = UnboundKey::new(&AES_256_GCM, bytes).map_err(|_| KeyError::BadKek)?;
        Ok(Self(LessSafeKey::new(k)))
    }

    /// `base64(nonce || ciphertext || tag)`.
    pub fn seal(&self, kid: &str, plaintext: &[u8]) -> String {
        let mut nonce = [0u8; NONCE_LEN];
        crate::random::fill(&mut nonce);
        let mut buf = plaintext.to_vec();
        self.0
            .seal_in_place_append_tag(
                Nonce::assume_unique_for_key(nonce),
                Aad::from(kid.as_bytes()),
                &mut buf,
            )
            .expect("AES-GCM sealing of a small buffer cannot fail");
        let mut out = nonce.to_vec();
        out.extend_from_slice(&buf);
        STANDARD.encode(out)
    }

    pub fn open(&self, kid: &str, sealed: &str) -> Result<Vec<u8>, KeyError> {
        let raw = STANDARD
            .decode(sealed)
            .map_err(|_| KeyError::Unseal(kid.into()))?;
        if raw.len() < NONCE_LEN {
            return Err(KeyError::Unseal(kid.into()));
        }
        let (nonce, ct) = raw.split_at(NONCE_LEN);
        let nonce =
            Nonce::try_assume_unique_for_key(nonce).map_err(|_| KeyError::Unseal(kid.into()))?;
        let mut buf = ct.to_vec();
        let plain = self
            .0
            .open_in_place(nonce, Aad::from(kid.as_bytes()), &mut buf)
            .map_err(|_| KeyError::Unseal(kid.into()))?;
        Ok(plain.to_vec())
    }
}

/// A public key as published in the JWKS.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Jwk {
    pub kty: String,
    #[serde(rename = "use")]
    pub use_: String,
    pub alg: String,
    pub kid: String,
    pub n: String,
    pub e: String,
    pub x5c: Vec<String>,
    pub x5t: String,
}

/// A signing key ready to use: parsed once, so issuing a token costs one RSA
/// signature and no key parsing.
pub struct SigningKey {
    pub kid: String,
    pub state: KeyState,
    pub jwk: Jwk,
    /// `base64url({"alg":"RS256","typ":"JWT","kid":…})`, precomputed.
    pub header_b64: String,
    key_pair: RsaKeyPair,
    /// Public modulus and exponent, big-endian, for verification.
    n: Vec<u8>,
    e: Vec<u8>,
}

impl std::fmt::Debug for SigningKey {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("SigningKey")
            .field("kid", &self.kid)
            .field("state", &self.state)
            .finish_non_exhaustive()
    }
}

/// A freshly generated key: its thumbprint, sealed PKCS#8 and certificate.
pub struct GeneratedKey {
    pub kid: String,
    pub sealed_private_key: String,
    pub certificate_der: Vec<u8>,
}

/// RFC 7638 §3: SHA-256 over the required members in lexicographic order, no spaces.
pub fn rsa_thumbprint(n_b64: &str, e_b64: &str) -> String {
    let canonical = format!(r#"{{"e":"{e_b64}","kty":"RSA","n":"{n_b64}"}}"#);
    URL_SAFE_NO_PAD.encode(digest::digest(&digest::SHA256, canonical.as_bytes()).as_ref())
}

fn public_parts(kp: &RsaKeyPair) -> (Vec<u8>, Vec<u8>) {
    let pk = kp.public_key();
    (
        pk.modulus().big_endian_without_leading_zero().to_vec(),
        pk.exponent().big_endian_without_leading_zero().to_vec(),
    )
}

/// Generates an RSA-2048 key, its self-signed certificate (some validators read
/// `x5c`), and seals the private key with `kek`. `year` is the current year; the
/// certificate is valid for twenty years from its start.
pub fn generate_rs256(
    kek: &KeyEncryptionKey,
    common_name: &str,
    year: i32,
) -> Result<GeneratedKey, KeyError> {
    let kp = RsaKeyPair::generate(KeySize::Rsa2048).map_err(|_| KeyError::Generation)?;
    let der = kp.as_der().map_err(|_| KeyError::Generation)?;
    let (n, e) = public_parts(&kp);
    let kid = rsa_thumbprint(&URL_SAFE_NO_PAD.encode(&n), &URL_SAFE_NO_PAD.encode(&e));
    let certificate_der = self_signed_certificate(der.as_ref(), common_name, year)?;
    Ok(GeneratedKey {
        sealed_private_key: kek.seal(&kid, der.as_ref()),
        kid,
        certificate_der,
    })
}

fn self_signed_certificate(
    pkcs8: &[u8],
    common_name: &str,
    year: i32,
) -> Result<Vec<u8>, KeyError> {
    let key = rcgen::KeyPair::from_pkcs8_der_and_sign_algo(&pkcs8.into(), &rcgen::PKCS_RSA_SHA256)
        .map_err(|_| KeyError::Generation)?;
    let mut params =
        rcgen::CertificateParams::new(Vec::<String>::new()).map_err(|_| KeyError::Generation)?;
    params
        .distinguished_name
        .push(rcgen::DnType::CommonName, common_name);
    params.not_before = rcgen::date_time_ymd(year, 1, 1);
    params.not_after = rcgen::date_time_ymd(year + 20, 1, 1);
    let cert = params.self_signed(&key).map_err(|_| KeyError::Generation)?;
    Ok(cert.der().to_vec())
}

impl SigningKey {
    /// Opens a stored key. Fails if the key-encryption key is wrong or the thumbprint
    /// of what was opened is not the stored `kid`.
    pub fn open(
        kek: &KeyEncryptionKey,
        kid: &str,
        state: KeyState,
        sealed_private_key: &str,
        certificate_der: &[u8],
    ) -> Result<Self, KeyError> {
        let der = kek.open(kid, sealed_private_key)?;
        let key_pair = RsaKeyPair::from_pkcs8(&der).map_err(|_| KeyError::BadKey(kid.into()))?;
        let (n, e) = public_parts(&key_pair);
        let n_b64 = URL_SAFE_NO_PAD.encode(&n);
        let e_b64 = URL_SAFE_NO_PAD.encode(&e);
        if rsa_thumbprint(&n_b64, &e_b64) != kid {
            return Err(KeyError::BadKey(kid.into()));
        }
        let x5t = URL_SAFE_NO_PAD
            .encode(digest::digest(&digest::SHA1_FOR_LEGACY_USE_ONLY, certificate_der).as_ref());
        let jwk = Jwk {
            kty: "RSA".into(),
            use_: "sig".into(),
            alg: "RS256".into(),
            kid: kid.into(),
            n: n_b64,
            e: e_b64,
            x5c: vec![STANDARD.encode(certificate_der)],
            x5t,
        };
        let header = serde_json::json!({"alg": "RS256", "typ": "JWT", "kid": kid});
        Ok(Self {
            kid: kid.into(),
            state,
            header_b64: URL_SAFE_NO_PAD.encode(header.to_string()),
            jwk,
            key_pair,
            n,
            e,
        })
    }

    /// RSASSA-PKCS1-v1_5 with SHA-256 (RFC 7518 §3.3) over `message`.
    pub fn sign(&self, message: &[u8]) -> Vec<u8> {
        let mut sig = vec![0u8; self.key_pair.public_modulus_len()];
        self.key_pair
            .sign(
                &aws_lc_rs::signature::RSA_PKCS1_SHA256,
                &aws_lc_rs::rand::SystemRandom::new(),
                message,
                &mut sig,
            )
            .expect("RSA signing with a valid key cannot fail");
        sig
    }

    pub fn verify(&self, message: &[u8], signature: &[u8]) -> bool {
        aws_lc_rs::signature::RsaPublicKeyComponents {
            n: &self.n,
            e: &self.e,
        }
        .verify(
            &aws_lc_rs::signature::RSA_PKCS1_2048_8192_SHA256,
            message,
            signature,
        )
        .is_ok()
    }

    /// The certificate as PEM, as Auth0's `/api/v2/keys/signing` shows it.
    pub fn certificate_pem(&self) -> String {
        let b64 = &self.jwk.x5c[0];
        let mut pem = String::from("-----BEGIN CERTIFICATE-----\n");
        for chunk in b64.as_bytes().chunks(64) {
            pem.push_str(std::str::from_utf8(chunk).unwrap_or_default());
            pem.push('\n');
        }
        pem.push_str("-----END CERTIFICATE-----\n");
        pem
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn kek() -> KeyEncryptionKey {
        KeyEncryptionKey::from_bytes(&[7u8; 32]).unwrap()
    }

    #[test]
    fn rfc7638_example_thumbprint() {
        // RFC 7638 §3.1 example key.
        let n = "0vx7agoebGcQSuuPiLJXZptN9nndrQmbXEps2aiAFbWhM78LhWx4cbbfAAtVT86zwu1RK7aPFFxuhDR1L6tSoc_BJECPebWKRXjBZCiFV4n3oknjhMstn64tZ_2W-5JsGY4Hc5n9yBXArwl93lqt7_RN5w6Cf0h4QyQ5v-65YGjQR0_FDW2QvzqY368QQMicAtaSqzs8KJZgnYb9c7d0zgdAZHzu6qMQvRL5hajrn1n91CbOpbISD08qNLyrdkt-bFTWhAI4vMQFh6WeZu0fM4lFd2NcRwr3XPksINHaQ-G_xBniIqbw0Ls1jF44-csFCur-kEgU8awapJzKnqDKgw";
        assert_eq!(
            rsa_thumbprint(n, "AQAB"),
            "NzbLsXh8uDCcd-6MNwXF4W_7noWXFZAfHkxZsRGC9Xs"
        );
    }

    #[test]
    fn sealed_key_opens_only_with_its_kek_and_kid() {
        let k = kek();
        let sealed = k.seal("kid1", b"secret");
        assert_eq!(k.open("kid1", &sealed).unwrap(), b"secret");
        assert!(k.open("kid2", &sealed).is_err());
        let other = KeyEncryptionKey::from_bytes(&[8u8; 32]).unwrap();
        assert!(other.open("kid1", &sealed).is_err());
    }

    #[test]
    fn generated_key_opens_signs_and_verifies() {
        let k = kek();
        let g = generate_rs256(&k, "test", 2026).unwrap();
        let key = SigningKey::open(
            &k,
            &g.kid,
            KeyState::Current,
            &g.sealed_private_key,
            &g.certificate_der,
        )
        .unwrap();
        assert_eq!(key.jwk.kid, g.kid);
        let sig = key.sign(b"hello");
        assert!(key.verify(b"hello", &sig));
        assert!(!key.verify(b"hellO", &sig));
        assert!(
            key.certificate_pem()
                .starts_with("-----BEGIN CERTIFICATE-----\n")
        );
    }
}
