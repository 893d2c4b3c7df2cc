//! `private_key_jwt` client authentication (RFC 7523 §2.2, OpenID Connect
//! Core §9) as Auth0 offers it: the application's RSA public keys are
//! registered as credentials (`/api/v2/clients/{id}/credentials`), named in
//! its `client_authentication_methods.private_key_jwt.credentials`, and it
//! authenticates with a JWT signed by one of them.
//!
//! Invariants:
//! - Only RS256, RS384 and PS256 (Auth0's list), and the credential's own
//!   algorithm: `alg: none`, HMAC and a key used with another algorithm are
//!   refused (no algorithm confusion).
//! - `iss` and `sub` are the client id; `aud` names the issuer or one of its
//!   endpoints; `exp` is in the future and at most [`MAX_LIFETIME`] away;
//!   `jti` is present (the shell spends it once, across the cluster, until
//!   `exp`).
//! - Keys are RSA of at least 2048 bits, read from a PEM public key
//!   (SubjectPublicKeyInfo); an expired credential verifies nothing.

use base64::Engine;
use base64::engine::general_purpose::{STANDARD, URL_SAFE_NO_PAD};
use serde::{Deserialize, Serialize};
use serde_json::Value;

use crate::UnixTime;
use crate::validation::{Validated, ValidationError};

/// RFC 7523 §2.2's `client_assertion_type`.
pub const ASSERTION_TYPE: &str = "urn:ietf:params:oauth:client-assertion-type:jwt-bearer";
/// The longest an assertion may live from now (clients sign short ones:
/// Auth0's SDKs use three minutes).
pub const MAX_LIFETIME: i64 = 600;
/// Clock skew allowed on `exp` and `nbf`.
pub const LEEWAY: i64 = 30;

/// The algorithms a credential may have (Auth0's).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum CredentialAlg {
    RS256,
    RS384,
    PS256,
}

impl CredentialAlg {
    pub fn parse(s: &str) -> Option<Self> {
        match s {
            "RS256" => Some(Self::RS256),
            "RS384" => Some(Self::RS384),
            "PS256" => Some(Self::PS256),
            _ => None,
        }
    }

    fn verification(self) -> &'static aws_lc_rs::signature::RsaParameters {
        match self {
            Self::RS256 => &aws_lc_rs::signature::RSA_PKCS1_2048_8192_SHA256,
            Self::RS384 => &aws_lc_rs::signature::RSA_PKCS1_2048_8192_SHA384,
            Self::PS256 => &aws_lc_rs::signature::RSA_PSS_2048_8192_SHA256,
        }
    }
}

/// A registered public key (Auth0's client credential of type `public_key`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Credential {
    /// `cred_…`.
    pub id: String,
    pub name: String,
    /// Base64url SHA-256 of the key's SubjectPublicKeyInfo.
    pub kid: String,
    pub alg: CredentialAlg,
    pub created_at: UnixTime,
    pub updated_at: UnixTime,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub expires_at: Option<UnixTime>,
    /// The key as DER SubjectPublicKeyInfo, base64 (never shown).
    pub spki: String,
}

impl Credential {
    /// Auth0's JSON shape (without the key).
    pub fn to_json(&self) -> Value {
        let mut v = serde_json::json!({
            "id": self.id,
            "credential_type": "public_key",
            "name": self.name,
            "kid": self.kid,
            "alg": self.alg,
            "created_at": crate::clock::iso8601(self.created_at),
            "updated_at": crate::clock::iso8601(self.updated_at),
        });
        if let Some(e) = self.expires_at {
            v["expires_at"] = crate::clock::iso8601(e).into();
        }
        v
    }

    fn live(&self, now: UnixTime) -> bool {
        self.expires_at.is_none_or(|e| e > now)
    }
}

/// The body of `POST /api/v2/clients/{id}/credentials`.
#[derive(Debug, Clone, Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct CredentialPayload {
    /// Only `public_key`.
    pub credential_type: String,
    pub name: Option<String>,
    /// A PEM public key (`-----BEGIN PUBLIC KEY-----`).
    pub pem: Option<String>,
    /// RS256 (default), RS384 or PS256.
    pub alg: Option<String>,
    /// Accepted when false (the key is not a certificate).
    pub parse_expiry_from_cert: Option<bool>,
    /// ISO-8601.
    pub expires_at: Option<String>,
}

/// The body of `PATCH /api/v2/clients/{id}/credentials/{credential_id}`.
#[derive(Debug, Clone, Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct CredentialPatch {
    /// ISO-8601; `null` removes it; absent leaves it.
    #[serde(default, deserialize_with = "nullable")]
    #[schemars(with = "Option<String>")]
    pub expires_at: Option<Option<String>>,
}

/// `null` as `Some(None)`, absent as `None` (with `#[serde(default)]`).
fn nullable<'de, D: serde::Deserializer<'de>>(d: D) -> Result<Option<Option<String>>, D::Error> {
    Option::<String>::deserialize(d).map(Some)
}

fn field(name: &str, problem: impl std::fmt::Display) -> ValidationError {
    ValidationError::field(name, problem)
}

/// The DER SubjectPublicKeyInfo of an RSA public key of 2048 bits or more.
pub fn read_pem(pem: &str) -> Validated<Vec<u8>> {
    let body = pem
        .trim()
        .strip_prefix("-----BEGIN PUBLIC KEY-----")
        .and_then(|r| r.trim_end().strip_suffix("-----END PUBLIC KEY-----"))
        .ok_or_else(|| {
            field(
                "pem",
                "must be a PEM public key (-----BEGIN PUBLIC KEY-----); certificates are not accepted",
            )
        })?;
    let b64: String = body.chars().filter(|c| !c.is_whitespace()).collect();
    let der = STANDARD
        .decode(b64)
        .map_err(|_| field("pem", "is not valid base64"))?;
    let key = aws_lc_rs::rsa::PublicEncryptingKey::from_der(&der)
        .map_err(|_| field("pem", "is not an RSA public key"))?;
    if key.key_size_bits() < 2048 {
        return Err(field("pem", "the RSA key must have at least 2048 bits"));
    }
    Ok(der)
}

fn parse_time(name: &str, iso: &str) -> Validated<UnixTime> {
    crate::clock::parse_iso(iso).ok_or_else(|| field(name, "must be an ISO-8601 date"))
}

impl CredentialPayload {
    /// A new credential `id` at `now`.
    pub fn into_credential(self, id: String, now: UnixTime) -> Validated<Credential> {
        if self.credential_type != "public_key" {
            return Err(field(
                "credential_type",
                "only public_key is supported (private_key_jwt)",
            ));
        }
        if self.parse_expiry_from_cert == Some(true) {
            return Err(field(
                "parse_expiry_from_cert",
                "needs a certificate; give a public key and expires_at instead",
            ));
        }
        let pem = self
            .pem
            .ok_or_else(|| field("pem", "Missing required property"))?;
        let der = read_pem(&pem)?;
        let alg = match self.alg.as_deref() {
            None => CredentialAlg::RS256,
            Some(a) => CredentialAlg::parse(a)
                .ok_or_else(|| field("alg", "must be RS256, RS384 or PS256"))?,
        };
        let expires_at = match self.expires_at.as_deref() {
            None => None,
            Some(e) => Some(parse_time("expires_at", e)?),
        };
        let name = self.name.unwrap_or_else(|| "Public key".into());
        crate::validation::max_len("name", &name, 128)?;
        let kid =
            URL_SAFE_NO_PAD.encode(aws_lc_rs::digest::digest(&aws_lc_rs::digest::SHA256, &der));
        Ok(Credential {
            id,
            name,
            kid,
            alg,
            created_at: now,
            updated_at: now,
            expires_at,
            spki: STANDARD.encode(der),
        })
    }
}

impl CredentialPatch {
    pub fn apply_to(self, mut c: Credential, now: UnixTime) -> Validated<Credential> {
        match self.expires_at {
            None => {}
            Some(None) => c.expires_at = None,
            Some(Some(e)) => c.expires_at = Some(parse_time("expires_at", &e)?),
        }
        c.updated_at = now;
        Ok(c)
    }
}

/// What a verified assertion leaves to do: spend `jti` until `exp`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Verified {
    pub jti: String,
    pub exp: UnixTime,
}

/// The `sub` of an assertion, unverified: which client it claims to be,
/// to find its keys (never trusted before `verify`).
pub fn claimed_client(assertion: &str) -> Option<String> {
    let payload = assertion.split('.').nth(1)?;
    let claims: Value = serde_json::from_slice(&URL_SAFE_NO_PAD.decode(payload).ok()?).ok()?;
    claims["sub"].as_str().map(str::to_string)
}

/// Checks `assertion` as `client_id`'s authentication against its live
/// `credentials`; `audiences` are the issuer and its endpoints.
pub fn verify(
    assertion: &str,
    client_id: &str,
    credentials: &[Credential],
    audiences: &[String],
    now: UnixTime,
) -> Result<Verified, &'static str> {
    let mut parts = assertion.split('.');
    let (Some(h), Some(p), Some(s), None) =
        (parts.next(), parts.next(), parts.next(), parts.next())
    else {
        return Err("client_assertion is not a compact JWS");
    };
    let header: Value = URL_SAFE_NO_PAD
        .decode(h)
        .ok()
        .and_then(|b| serde_json::from_slice(&b).ok())
        .ok_or("client_assertion's header is not valid")?;
    // RFC 8725 §3.1: the algorithm comes from the key, never the token.
    let alg = header["alg"]
        .as_str()
        .and_then(CredentialAlg::parse)
        .ok_or("client_assertion must be signed with RS256, RS384 or PS256")?;
    let signature = URL_SAFE_NO_PAD
        .decode(s)
        .map_err(|_| "client_assertion's signature is not valid base64url")?;
    let input = &assertion[..h.len() + 1 + p.len()];
    let signed_by_one = credentials
        .iter()
        .filter(|c| c.alg == alg && c.live(now))
        .filter_map(|c| STANDARD.decode(&c.spki).ok().map(|der| (c, der)))
        .any(|(c, der)| {
            aws_lc_rs::signature::UnparsedPublicKey::new(c.alg.verification(), der)
                .verify(input.as_bytes(), &signature)
                .is_ok()
        });
    if !signed_by_one {
        return Err("client_assertion is not signed by a credential of this application");
    }
    let claims: Value = URL_SAFE_NO_PAD
        .decode(p)
        .ok()
        .and_then(|b| serde_json::from_slice(&b).ok())
        .ok_or("client_assertion's claims are not valid JSON")?;
    if claims["iss"].as_str() != Some(client_id) || claims["sub"].as_str() != Some(client_id) {
        return Err("client_assertion's iss and sub must be the client_id");
    }
    let aud_ok = match &claims["aud"] {
        Value::String(a) => audiences.contains(a),
        Value::Array(list) => list
            .iter()
            .any(|a| a.as_str().is_some_and(|a| audiences.iter().any(|x| x == a))),
        _ => false,
    };
    if !aud_ok {
        return Err("client_assertion's aud must be the issuer or this endpoint");
    }
    let exp = claims["exp"]
        .as_i64()
        .ok_or("client_assertion must have a numeric exp")?;
    if exp + LEEWAY <= now {
        return Err("client_assertion has expired");
    }
    if exp > now + MAX_LIFETIME {
        return Err("client_assertion's exp is too far in the future (at most 10 minutes)");
    }
    if claims["nbf"].as_i64().is_some_and(|nbf| nbf > now + LEEWAY) {
        return Err("client_assertion is not valid yet (nbf)");
    }
    let jti = claims["jti"]
        .as_str()
        .filter(|j| !j.is_empty() && j.len() <= 256)
        .ok_or("client_assertion must have a jti")?;
    Ok(Verified {
        jti: jti.to_string(),
        exp: exp.max(now),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn pem_must_be_an_rsa_public_key() {
        assert!(read_pem("hello").is_err());
        assert!(read_pem("-----BEGIN PUBLIC KEY-----\n!!!\n-----END PUBLIC KEY-----").is_err());
        assert!(read_pem("-----BEGIN CERTIFICATE-----\nAAAA\n-----END CERTIFICATE-----").is_err());
    }

    #[test]
    fn only_public_keys_with_auth0s_algorithms() {
        let p = |v: serde_json::Value| serde_json::from_value::<CredentialPayload>(v).unwrap();
        let e = p(serde_json::json!({"credential_type": "x509_cert", "pem": "x"}))
            .into_credential("c".into(), 0)
            .unwrap_err();
        assert!(e.message.contains("credential_type"), "{}", e.message);
        let e = p(serde_json::json!({"credential_type": "public_key"}))
            .into_credential("c".into(), 0)
            .unwrap_err();
        assert!(e.message.contains("pem"), "{}", e.message);
    }

    #[test]
    fn malformed_and_unsigned_assertions_are_refused() {
        let aud = vec!["https://id.example/".to_string()];
        for bad in ["", "a.b", "a.b.c.d", "e30.e30.", "eyJhbGciOiJub25lIn0.e30."] {
            assert!(verify(bad, "c", &[], &aud, 0).is_err(), "{bad}");
        }
        // HS256 is refused before any key is tried.
        let hs = format!(
            "{}.{}.{}",
            URL_SAFE_NO_PAD.encode(br#"{"alg":"HS256"}"#),
            URL_SAFE_NO_PAD.encode(br#"{"iss":"c"}"#),
            URL_SAFE_NO_PAD.encode(b"sig")
        );
        assert_eq!(
            verify(&hs, "c", &[], &aud, 0),
            Err("client_assertion must be signed with RS256, RS384 or PS256")
        );
        assert_eq!(claimed_client(&hs), None);
    }
}
