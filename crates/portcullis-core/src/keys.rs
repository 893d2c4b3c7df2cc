//! Signing keys with Auth0's lifecycle (next, current, previous), published as a
//! JWKS (RFC 7517): RS256 (RSA-2048, with a self-signed certificate, the
//! default), PS256, ES256 (P-256) and EdDSA (Ed25519).
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

/// The signing algorithms Portcullis issues tokens with (RFC 7518 §3), as an
/// application's `jwt_configuration.alg` and an API's `signing_alg` name them;
/// any other name is refused when the application or API is written.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default, Serialize, Deserialize)]
pub enum Alg {
    /// RSASSA-PKCS1-v1_5 with SHA-256, RSA-2048: the default, as in Auth0.
    #[default]
    #[serde(rename = "RS256")]
    Rs256,
    /// RSASSA-PSS with SHA-256, RSA-2048.
    #[serde(rename = "PS256")]
    Ps256,
    /// ECDSA P-256 with SHA-256.
    #[serde(rename = "ES256")]
    Es256,
    /// Ed25519 (RFC 8037).
    #[serde(rename = "EdDSA")]
    EdDsa,
}

impl PartialEq<&str> for Alg {
    fn eq(&self, other: &&str) -> bool {
        self.as_str() == *other
    }
}

impl Alg {
    pub const ALL: [Alg; 4] = [Alg::Rs256, Alg::Ps256, Alg::Es256, Alg::EdDsa];

    pub fn as_str(self) -> &'static str {
        match self {
            Alg::Rs256 => "RS256",
            Alg::Ps256 => "PS256",
            Alg::Es256 => "ES256",
            Alg::EdDsa => "EdDSA",
        }
    }

    pub fn parse(s: &str) -> Option<Self> {
        Alg::ALL.into_iter().find(|a| a.as_str() == s)
    }
}

/// A public key as published in the JWKS (RFC 7517; RFC 8037 for `OKP`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Jwk {
    pub kty: String,
    #[serde(rename = "use")]
    pub use_: String,
    pub alg: String,
    pub kid: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub n: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub e: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub crv: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub x: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub y: Option<String>,
    /// Only RSA keys carry a certificate (as Auth0's do).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub x5c: Vec<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub x5t: Option<String>,
}

enum Material {
    Rsa(RsaKeyPair),
    Ec(aws_lc_rs::signature::EcdsaKeyPair),
    Ed(aws_lc_rs::signature::Ed25519KeyPair),
}

/// A signing key ready to use: parsed once, so issuing a token costs one
/// signature and no key parsing.
pub struct SigningKey {
    pub kid: String,
    pub alg: Alg,
    pub state: KeyState,
    pub jwk: Jwk,
    /// `base64url({"alg":…,"typ":"JWT","kid":…})`, precomputed.
    pub header_b64: String,
    /// The same with `"typ":"at+jwt"` (RFC 9068 access tokens).
    pub at_jwt_header_b64: String,
    material: Material,
    /// The public key: RSA (n, e) big-endian, or the EC point / Ed25519 key.
    public: (Vec<u8>, Vec<u8>),
}

impl std::fmt::Debug for SigningKey {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("SigningKey")
            .field("kid", &self.kid)
            .field("alg", &self.alg)
            .field("state", &self.state)
            .finish_non_exhaustive()
    }
}

/// A freshly generated key: its thumbprint, sealed PKCS#8 and certificate
/// (empty for EC and Ed25519 keys).
pub struct GeneratedKey {
    pub kid: String,
    pub sealed_private_key: String,
    pub certificate_der: Vec<u8>,
}

fn thumbprint(canonical: String) -> String {
    URL_SAFE_NO_PAD.encode(digest::digest(&digest::SHA256, canonical.as_bytes()).as_ref())
}

/// RFC 7638 §3: SHA-256 over the required members in lexicographic order, no spaces.
pub fn rsa_thumbprint(n_b64: &str, e_b64: &str) -> String {
    thumbprint(format!(r#"{{"e":"{e_b64}","kty":"RSA","n":"{n_b64}"}}"#))
}

fn public_parts(kp: &RsaKeyPair) -> (Vec<u8>, Vec<u8>) {
    let pk = kp.public_key();
    (
        pk.modulus().big_endian_without_leading_zero().to_vec(),
        pk.exponent().big_endian_without_leading_zero().to_vec(),
    )
}

/// The JWK members and thumbprint of a key's public part.
fn describe(alg: Alg, material: &Material) -> (Jwk, (Vec<u8>, Vec<u8>), String) {
    let b64 = |b: &[u8]| URL_SAFE_NO_PAD.encode(b);
    let mut jwk = Jwk {
        kty: String::new(),
        use_: "sig".into(),
        alg: alg.as_str().into(),
        kid: String::new(),
        n: None,
        e: None,
        crv: None,
        x: None,
        y: None,
        x5c: Vec::new(),
        x5t: None,
    };
    match material {
        Material::Rsa(kp) => {
            let (n, e) = public_parts(kp);
            let kid = rsa_thumbprint(&b64(&n), &b64(&e));
            jwk.kty = "RSA".into();
            jwk.n = Some(b64(&n));
            jwk.e = Some(b64(&e));
            (jwk, (n, e), kid)
        }
        Material::Ec(kp) => {
            // Uncompressed point: 0x04 || x (32 bytes) || y (32 bytes).
            let point = kp.public_key().as_ref().to_vec();
            let (x, y) = (b64(&point[1..33]), b64(&point[33..65]));
            let kid = thumbprint(format!(
                r#"{{"crv":"P-256","kty":"EC","x":"{x}","y":"{y}"}}"#
            ));
            jwk.kty = "EC".into();
            jwk.crv = Some("P-256".into());
            jwk.x = Some(x);
            jwk.y = Some(y);
            (jwk, (point, Vec::new()), kid)
        }
        Material::Ed(kp) => {
            let public = kp.public_key().as_ref().to_vec();
            let x = b64(&public);
            let kid = thumbprint(format!(r#"{{"crv":"Ed25519","kty":"OKP","x":"{x}"}}"#));
            jwk.kty = "OKP".into();
            jwk.crv = Some("Ed25519".into());
            jwk.x = Some(x);
            (jwk, (public, Vec::new()), kid)
        }
    }
}

fn parse_material(alg: Alg, pkcs8: &[u8]) -> Option<Material> {
    use aws_lc_rs::signature::{ECDSA_P256_SHA256_FIXED_SIGNING, EcdsaKeyPair, Ed25519KeyPair};
    match alg {
        Alg::Rs256 | Alg::Ps256 => RsaKeyPair::from_pkcs8(pkcs8).ok().map(Material::Rsa),
        Alg::Es256 => EcdsaKeyPair::from_pkcs8(&ECDSA_P256_SHA256_FIXED_SIGNING, pkcs8)
            .ok()
            .map(Material::Ec),
        Alg::EdDsa => Ed25519KeyPair::from_pkcs8_maybe_unchecked(pkcs8)
            .ok()
            .map(Material::Ed),
    }
}

/// Generates an RSA-2048 key for RS256. See [`generate`].
pub fn generate_rs256(
    kek: &KeyEncryptionKey,
    common_name: &str,
    year: i32,
) -> Result<GeneratedKey, KeyError> {
    generate(Alg::Rs256, kek, common_name, year)
}

/// Generates a key for `alg` and seals its private part with `kek`. RSA keys
/// get a self-signed certificate (some validators read `x5c`), valid for twenty
/// years from the start of `year`.
pub fn generate(
    alg: Alg,
    kek: &KeyEncryptionKey,
    common_name: &str,
    year: i32,
) -> Result<GeneratedKey, KeyError> {
    use aws_lc_rs::signature::{ECDSA_P256_SHA256_FIXED_SIGNING, EcdsaKeyPair, Ed25519KeyPair};
    let rng = aws_lc_rs::rand::SystemRandom::new();
    let pkcs8: Vec<u8> = match alg {
        Alg::Rs256 | Alg::Ps256 => {
            let kp = RsaKeyPair::generate(KeySize::Rsa2048).map_err(|_| KeyError::Generation)?;
            kp.as_der()
                .map_err(|_| KeyError::Generation)?
                .as_ref()
                .to_vec()
        }
        Alg::Es256 => EcdsaKeyPair::generate_pkcs8(&ECDSA_P256_SHA256_FIXED_SIGNING, &rng)
            .map_err(|_| KeyError::Generation)?
            .as_ref()
            .to_vec(),
        Alg::EdDsa => Ed25519KeyPair::generate_pkcs8(&rng)
            .map_err(|_| KeyError::Generation)?
            .as_ref()
            .to_vec(),
    };
    let material = parse_material(alg, &pkcs8).ok_or(KeyError::Generation)?;
    let (_, _, kid) = describe(alg, &material);
    let certificate_der = match alg {
        Alg::Rs256 | Alg::Ps256 => self_signed_certificate(&pkcs8, common_name, year)?,
        Alg::Es256 | Alg::EdDsa => Vec::new(),
    };
    Ok(GeneratedKey {
        sealed_private_key: kek.seal(&kid, &pkcs8),
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
    /// Opens a stored RS256 key. See [`SigningKey::open_alg`].
    pub fn open(
        kek: &KeyEncryptionKey,
        kid: &str,
        state: KeyState,
        sealed_private_key: &str,
        certificate_der: &[u8],
    ) -> Result<Self, KeyError> {
        Self::open_alg(
            kek,
            kid,
            Alg::Rs256,
            state,
            sealed_private_key,
            certificate_der,
        )
    }

    /// Opens a stored key. Fails if the key-encryption key is wrong, the key is
    /// not one for `alg`, or the thumbprint of what was opened is not `kid`.
    pub fn open_alg(
        kek: &KeyEncryptionKey,
        kid: &str,
        alg: Alg,
        state: KeyState,
        sealed_private_key: &str,
        certificate_der: &[u8],
    ) -> Result<Self, KeyError> {
        let der = kek.open(kid, sealed_private_key)?;
        let material = parse_material(alg, &der).ok_or_else(|| KeyError::BadKey(kid.into()))?;
        let (mut jwk, public, thumb) = describe(alg, &material);
        if thumb != kid {
            return Err(KeyError::BadKey(kid.into()));
        }
        jwk.kid = kid.into();
        if !certificate_der.is_empty() {
            jwk.x5c = vec![STANDARD.encode(certificate_der)];
            jwk.x5t = Some(URL_SAFE_NO_PAD.encode(
                digest::digest(&digest::SHA1_FOR_LEGACY_USE_ONLY, certificate_der).as_ref(),
            ));
        }
        let header = |typ: &str| {
            URL_SAFE_NO_PAD.encode(
                serde_json::json!({"alg": alg.as_str(), "typ": typ, "kid": kid}).to_string(),
            )
        };
        Ok(Self {
            kid: kid.into(),
            alg,
            state,
            header_b64: header("JWT"),
            at_jwt_header_b64: header("at+jwt"),
            jwk,
            material,
            public,
        })
    }

    /// The JWS signature of `message` with this key's algorithm (RFC 7518 §3;
    /// ECDSA as the fixed-width R || S that JWS requires).
    pub fn sign(&self, message: &[u8]) -> Vec<u8> {
        let rng = aws_lc_rs::rand::SystemRandom::new();
        match &self.material {
            Material::Rsa(kp) => {
                let padding: &'static dyn aws_lc_rs::signature::RsaEncoding = match self.alg {
                    Alg::Ps256 => &aws_lc_rs::signature::RSA_PSS_SHA256,
                    _ => &aws_lc_rs::signature::RSA_PKCS1_SHA256,
                };
                let mut sig = vec![0u8; kp.public_modulus_len()];
                kp.sign(padding, &rng, message, &mut sig)
                    .expect("RSA signing with a valid key cannot fail");
                sig
            }
            Material::Ec(kp) => kp
                .sign(&rng, message)
                .expect("ECDSA signing with a valid key cannot fail")
                .as_ref()
                .to_vec(),
            Material::Ed(kp) => kp.sign(message).as_ref().to_vec(),
        }
    }

    pub fn verify(&self, message: &[u8], signature: &[u8]) -> bool {
        use aws_lc_rs::signature::{self as sig, UnparsedPublicKey};
        match self.alg {
            Alg::Rs256 | Alg::Ps256 => {
                let params = if self.alg == Alg::Ps256 {
                    &sig::RSA_PSS_2048_8192_SHA256
                } else {
                    &sig::RSA_PKCS1_2048_8192_SHA256
                };
                sig::RsaPublicKeyComponents {
                    n: &self.public.0,
                    e: &self.public.1,
                }
                .verify(params, message, signature)
                .is_ok()
            }
            Alg::Es256 => UnparsedPublicKey::new(&sig::ECDSA_P256_SHA256_FIXED, &self.public.0)
                .verify(message, signature)
                .is_ok(),
            Alg::EdDsa => UnparsedPublicKey::new(&sig::ED25519, &self.public.0)
                .verify(message, signature)
                .is_ok(),
        }
    }

    /// The certificate as PEM, as Auth0's `/api/v2/keys/signing` shows it
    /// (RSA keys only).
    pub fn certificate_pem(&self) -> String {
        let Some(b64) = self.jwk.x5c.first() else {
            return String::new();
        };
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
    fn every_algorithm_signs_verifies_and_refuses_tampering() {
        let k = kek();
        for alg in Alg::ALL {
            let g = generate(alg, &k, "test", 2026).unwrap();
            let key = SigningKey::open_alg(
                &k,
                &g.kid,
                alg,
                KeyState::Current,
                &g.sealed_private_key,
                &g.certificate_der,
            )
            .unwrap();
            let sig = key.sign(b"hello");
            assert!(key.verify(b"hello", &sig), "{alg:?}");
            assert!(!key.verify(b"hellO", &sig), "{alg:?}");
            assert_eq!(key.jwk.alg, alg.as_str());
            // A key opened as another algorithm is refused.
            let other = if alg == Alg::Es256 {
                Alg::EdDsa
            } else {
                Alg::Es256
            };
            assert!(
                SigningKey::open_alg(
                    &k,
                    &g.kid,
                    other,
                    KeyState::Current,
                    &g.sealed_private_key,
                    &[]
                )
                .is_err()
            );
        }
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
