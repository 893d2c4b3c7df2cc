//! DPoP, OAuth 2.0 Demonstrating Proof of Possession (RFC 9449): tokens bound
//! to a key the client holds, so that a stolen access or refresh token is of
//! no use without the private key.
//!
//! A client sends a proof (a JWT it signs, with its public key in the
//! header) in the `DPoP` header of a token request; the access token then
//! carries the key's RFC 7638 thumbprint as `cnf.jkt` (§6.1) and the
//! response says `token_type: DPoP` (§5). At a resource (`/userinfo`, the
//! Management API) the token comes as `Authorization: DPoP <token>` with a
//! fresh proof that also hashes the token (`ath`, §4.2).
//!
//! Invariants:
//! - A proof is `typ: dpop+jwt`, signed with an asymmetric algorithm of
//!   [`ProofAlg`] by the public key in its own `jwk` header (no private key
//!   members, RSA of at least 2048 bits); `none`, HMAC and a key of another
//!   type than the algorithm's are refused (RFC 9449 §4.3 checks 4–7).
//! - `htm` is the request's method, `htu` its URL without query and
//!   fragment (compared after RFC 3986 normalisation), `iat` within
//!   [`MAX_AGE`] in the past and [`LEEWAY`] in the future, and `jti`
//!   present; the shell spends the `jti` once across the cluster until
//!   [`Proof::jti_expires_at`] (§11.1).
//! - At a resource, `ath` is the SHA-256 of the presented token and the
//!   proof's key is the token's `cnf.jkt` (§7.1).
//! - A server nonce (§8), when the deployment asks for one, is sealed with
//!   the key-encryption key every node shares: any node checks any node's
//!   nonce, and nothing is stored to issue one.
//! - A public client's refresh tokens are bound to the key they were issued
//!   with (§5): refreshing needs a proof of the same key. A confidential
//!   client's refresh tokens stay bound to its authentication instead.

use aws_lc_rs::digest;
use aws_lc_rs::signature::{self, RsaPublicKeyComponents, UnparsedPublicKey};
use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use serde::{Deserialize, Serialize};
use serde_json::Value;

use crate::UnixTime;
use crate::clients::Client;
use crate::keys::KeyEncryptionKey;
use crate::protocol::errors::{TokenError, TokenErrorCode};
use crate::resource_servers::ResourceServer;

/// The request header that carries a proof (§4.1).
pub const HEADER: &str = "dpop";
/// The response header that carries a server nonce (§8.1).
pub const NONCE_HEADER: &str = "dpop-nonce";
/// The `token_type` of a bound token, and the `Authorization` scheme it is
/// presented with (§5, §7.1).
pub const TOKEN_TYPE: &str = "DPoP";
/// How old a proof's `iat` may be (Auth0's resource-server SDKs: 300 s).
pub const MAX_AGE: i64 = 300;
/// How far in the future a proof's `iat` may be (clock skew).
pub const LEEWAY: i64 = 30;
/// How long a server nonce is accepted after it was issued.
pub const NONCE_LIFETIME: i64 = 300;
/// The associated data nonces are sealed with: a nonce opens only as one.
const NONCE_AAD: &str = "dpop-nonce";

/// The algorithms a proof may be signed with: RFC 9449 §4.2 requires an
/// asymmetric one. ES256 is what Auth0's SDKs use.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ProofAlg {
    Es256,
    Es384,
    Rs256,
    Ps256,
    EdDsa,
}

impl ProofAlg {
    pub const ALL: [ProofAlg; 5] = [
        ProofAlg::Es256,
        ProofAlg::Es384,
        ProofAlg::Rs256,
        ProofAlg::Ps256,
        ProofAlg::EdDsa,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Self::Es256 => "ES256",
            Self::Es384 => "ES384",
            Self::Rs256 => "RS256",
            Self::Ps256 => "PS256",
            Self::EdDsa => "EdDSA",
        }
    }

    pub fn parse(s: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|a| a.as_str() == s)
    }

    /// `dpop_signing_alg_values_supported` (discovery) and the `algs` of a
    /// `WWW-Authenticate: DPoP` challenge.
    pub fn names() -> Vec<&'static str> {
        Self::ALL.iter().map(|a| a.as_str()).collect()
    }
}

/// The `cnf` claim of a bound access token (RFC 9449 §6.1, RFC 7800).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Confirmation {
    /// The RFC 7638 SHA-256 thumbprint of the proof key, base64url.
    pub jkt: String,
}

/// A checked proof.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Proof {
    /// The thumbprint of the key that signed it.
    pub jkt: String,
    pub jti: String,
    pub iat: UnixTime,
    pub nonce: Option<String>,
}

impl Proof {
    /// Until when its `jti` must be remembered: past that, `iat` refuses it
    /// anyway.
    pub fn jti_expires_at(&self) -> UnixTime {
        self.iat + MAX_AGE + LEEWAY
    }
}

/// What the request a proof came with was.
#[derive(Debug, Clone, Copy)]
pub struct Expected<'a> {
    /// The HTTP method (`POST`).
    pub htm: &'a str,
    /// The URL the request was sent to.
    pub htu: &'a str,
    /// At a resource: the access token presented with the proof (`ath`).
    pub access_token: Option<&'a str>,
    pub now: UnixTime,
}

/// Why a proof is refused: RFC 9449's `invalid_dpop_proof`, or
/// `use_dpop_nonce` when only a (fresh) server nonce is missing.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ProofError {
    Invalid(&'static str),
    UseNonce,
}

impl ProofError {
    pub fn description(self) -> &'static str {
        match self {
            Self::Invalid(why) => why,
            Self::UseNonce => "Authorization server requires nonce in DPoP proof",
        }
    }
}

impl From<ProofError> for TokenError {
    fn from(e: ProofError) -> Self {
        let code = match e {
            ProofError::Invalid(_) => TokenErrorCode::InvalidDpopProof,
            ProofError::UseNonce => TokenErrorCode::UseDpopNonce,
        };
        TokenError::new(code, e.description())
    }
}

fn decode_json(part: &str) -> Option<Value> {
    let bytes = URL_SAFE_NO_PAD.decode(part).ok()?;
    serde_json::from_slice(&bytes).ok()
}

fn b64_member<'j>(jwk: &'j Value, name: &str) -> Result<(&'j str, Vec<u8>), ProofError> {
    let s = jwk[name]
        .as_str()
        .ok_or(ProofError::Invalid("The DPoP proof's jwk lacks a member"))?;
    let bytes = URL_SAFE_NO_PAD
        .decode(s)
        .map_err(|_| ProofError::Invalid("The DPoP proof's jwk is not base64url"))?;
    Ok((s, bytes))
}

/// Members only a private JWK has (RFC 7518 §6.2.2, §6.3.2; RFC 8037 §2).
const PRIVATE_MEMBERS: [&str; 8] = ["d", "p", "q", "dp", "dq", "qi", "oth", "k"];

/// Verifies `signature` over `input` with `jwk` as `alg` requires, and
/// answers the key's RFC 7638 thumbprint.
fn verify_with_jwk(
    alg: ProofAlg,
    jwk: &Value,
    input: &[u8],
    sig: &[u8],
) -> Result<String, ProofError> {
    let kty = jwk["kty"].as_str().unwrap_or_default();
    let bad_key = ProofError::Invalid("The DPoP proof's jwk does not fit its alg");
    let bad_sig = ProofError::Invalid("The DPoP proof's signature does not verify");
    // RFC 7638 §3.2: the required members in lexicographic order, no spaces.
    let thumbprint_input = match alg {
        ProofAlg::Es256 | ProofAlg::Es384 => {
            let (crv, len, scheme) = match alg {
                ProofAlg::Es256 => ("P-256", 32, &signature::ECDSA_P256_SHA256_FIXED),
                _ => ("P-384", 48, &signature::ECDSA_P384_SHA384_FIXED),
            };
            if kty != "EC" || jwk["crv"].as_str() != Some(crv) {
                return Err(bad_key);
            }
            let (x64, x) = b64_member(jwk, "x")?;
            let (y64, y) = b64_member(jwk, "y")?;
            if x.len() != len || y.len() != len {
                return Err(bad_key);
            }
            let mut point = vec![4u8];
            point.extend_from_slice(&x);
            point.extend_from_slice(&y);
            UnparsedPublicKey::new(scheme, point)
                .verify(input, sig)
                .map_err(|_| bad_sig)?;
            format!(r#"{{"crv":"{crv}","kty":"EC","x":"{x64}","y":"{y64}"}}"#)
        }
        ProofAlg::Rs256 | ProofAlg::Ps256 => {
            if kty != "RSA" {
                return Err(bad_key);
            }
            let (n64, n) = b64_member(jwk, "n")?;
            let (e64, e) = b64_member(jwk, "e")?;
            let params = match alg {
                ProofAlg::Rs256 => &signature::RSA_PKCS1_2048_8192_SHA256,
                _ => &signature::RSA_PSS_2048_8192_SHA256,
            };
            // The verification parameters refuse keys under 2048 bits.
            RsaPublicKeyComponents { n: &n, e: &e }
                .verify(params, input, sig)
                .map_err(|_| bad_sig)?;
            format!(r#"{{"e":"{e64}","kty":"RSA","n":"{n64}"}}"#)
        }
        ProofAlg::EdDsa => {
            if kty != "OKP" || jwk["crv"].as_str() != Some("Ed25519") {
                return Err(bad_key);
            }
            let (x64, x) = b64_member(jwk, "x")?;
            UnparsedPublicKey::new(&signature::ED25519, x)
                .verify(input, sig)
                .map_err(|_| bad_sig)?;
            format!(r#"{{"crv":"Ed25519","kty":"OKP","x":"{x64}"}}"#)
        }
    };
    Ok(thumbprint_of(&thumbprint_input))
}

fn thumbprint_of(canonical: &str) -> String {
    URL_SAFE_NO_PAD.encode(digest::digest(&digest::SHA256, canonical.as_bytes()))
}

/// RFC 9449 §4.2's `ath`: base64url of the SHA-256 of the access token.
pub fn ath(access_token: &str) -> String {
    URL_SAFE_NO_PAD.encode(digest::digest(&digest::SHA256, access_token.as_bytes()))
}

/// The parts of a URL `htu` compares (RFC 9449 §4.3 check 9: no query or
/// fragment; RFC 3986 §6.2.2–6.2.3 normalisation by the URL parser: case
/// of scheme and host, default ports, dot segments).
fn htu_key(raw: &str) -> Option<(String, String, Option<u16>, String)> {
    let u = url::Url::parse(raw).ok()?;
    if !matches!(u.scheme(), "http" | "https") {
        return None;
    }
    Some((
        u.scheme().to_string(),
        u.host_str()?.to_string(),
        u.port_or_known_default(),
        u.path().to_string(),
    ))
}

/// Checks `proof` for the request `expected` describes (RFC 9449 §4.3).
/// The nonce is checked apart ([`check_nonce`]), the `jti` spent by the
/// shell.
pub fn verify(proof: &str, expected: &Expected<'_>) -> Result<Proof, ProofError> {
    let invalid = ProofError::Invalid;
    let mut parts = proof.split('.');
    let (Some(h), Some(p), Some(s), None) =
        (parts.next(), parts.next(), parts.next(), parts.next())
    else {
        return Err(invalid("The DPoP proof is not a compact JWS"));
    };
    let header = decode_json(h).ok_or(invalid("The DPoP proof's header is not valid"))?;
    if header["typ"].as_str() != Some("dpop+jwt") {
        return Err(invalid("The DPoP proof's typ must be dpop+jwt"));
    }
    let alg = header["alg"]
        .as_str()
        .and_then(ProofAlg::parse)
        .ok_or(invalid(
            "The DPoP proof must be signed with ES256, ES384, RS256, PS256 or EdDSA",
        ))?;
    let jwk = &header["jwk"];
    if !jwk.is_object() {
        return Err(invalid("The DPoP proof's header must carry its public jwk"));
    }
    if PRIVATE_MEMBERS.iter().any(|m| jwk.get(m).is_some()) {
        return Err(invalid("The DPoP proof's jwk must not be a private key"));
    }
    let sig = URL_SAFE_NO_PAD
        .decode(s)
        .map_err(|_| invalid("The DPoP proof's signature is not base64url"))?;
    let input = &proof.as_bytes()[..h.len() + 1 + p.len()];
    let jkt = verify_with_jwk(alg, jwk, input, &sig)?;
    let claims = decode_json(p).ok_or(invalid("The DPoP proof's claims are not valid JSON"))?;
    let jti = claims["jti"]
        .as_str()
        .filter(|j| !j.is_empty() && j.len() <= 256)
        .ok_or(invalid("The DPoP proof must have a jti"))?;
    if claims["htm"].as_str() != Some(expected.htm) {
        return Err(invalid("The DPoP proof's htm does not match the request"));
    }
    let htu_ok = claims["htu"]
        .as_str()
        .and_then(htu_key)
        .is_some_and(|k| Some(k) == htu_key(expected.htu));
    if !htu_ok {
        return Err(invalid("The DPoP proof's htu does not match the request"));
    }
    let iat = claims["iat"]
        .as_i64()
        .ok_or(invalid("The DPoP proof must have a numeric iat"))?;
    if iat < expected.now - MAX_AGE || iat > expected.now + LEEWAY {
        return Err(invalid(
            "The DPoP proof's iat is outside the acceptable window",
        ));
    }
    if let Some(token) = expected.access_token
        && claims["ath"].as_str() != Some(ath(token).as_str())
    {
        return Err(invalid(
            "The DPoP proof's ath does not match the access token",
        ));
    }
    let nonce = match &claims["nonce"] {
        Value::Null => None,
        Value::String(n) => Some(n.clone()),
        _ => return Err(invalid("The DPoP proof's nonce must be a string")),
    };
    Ok(Proof {
        jkt,
        jti: jti.to_string(),
        iat,
        nonce,
    })
}

/// A server nonce issued at `now` (§8): the time sealed with `kek`.
pub fn new_nonce(kek: &KeyEncryptionKey, now: UnixTime) -> String {
    kek.seal(NONCE_AAD, &now.to_be_bytes())
}

/// Whether `proof` carries a nonce this deployment issued within
/// [`NONCE_LIFETIME`].
pub fn check_nonce(kek: &KeyEncryptionKey, proof: &Proof, now: UnixTime) -> Result<(), ProofError> {
    let issued = proof
        .nonce
        .as_deref()
        .and_then(|n| kek.open(NONCE_AAD, n).ok())
        .and_then(|b| <[u8; 8]>::try_from(b.as_slice()).ok())
        .map(i64::from_be_bytes);
    match issued {
        Some(t) if t > now - NONCE_LIFETIME && t <= now + LEEWAY => Ok(()),
        _ => Err(ProofError::UseNonce),
    }
}

/// Auth0's `proof_of_possession` of an API: the mechanism tokens for it are
/// bound with, and whether an unbound one may be issued at all.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct ProofOfPossession {
    pub mechanism: Mechanism,
    #[serde(default)]
    pub required: bool,
}

/// The binding mechanisms; Portcullis offers DPoP (Auth0 also names
/// `mtls`, which is refused when written).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Mechanism {
    Dpop,
}

/// What a token request's access token is bound to: the proof's key when
/// one was sent. Without one, a request for an API whose
/// `proof_of_possession` is required, or by an application with
/// `require_proof_of_possession`, is refused (Auth0's `invalid_request`).
pub fn confirmation(
    proof: Option<&Proof>,
    client: &Client,
    api: Option<&ResourceServer>,
) -> Result<Option<Confirmation>, TokenError> {
    if let Some(p) = proof {
        return Ok(Some(Confirmation { jkt: p.jkt.clone() }));
    }
    if client.require_proof_of_possession {
        return Err(TokenError::invalid_request(
            "This application requires sender-constrained tokens: send a DPoP proof",
        ));
    }
    if api.is_some_and(|a| a.proof_of_possession.is_some_and(|p| p.required)) {
        return Err(TokenError::invalid_request(
            "This API requires sender-constrained tokens: send a DPoP proof",
        ));
    }
    Ok(None)
}

/// The key a new refresh-token family is bound to (§5): a public client's
/// proof key; confidential clients' tokens are bound by their
/// authentication.
pub fn refresh_binding(client: &Client, proof: Option<&Proof>) -> Option<String> {
    if client.is_confidential() {
        return None;
    }
    proof.map(|p| p.jkt.clone())
}

/// A refresh of a family bound to `bound` needs a proof of that key (§5).
pub fn check_refresh(bound: Option<&str>, proof: Option<&Proof>) -> Result<(), TokenError> {
    match (bound, proof) {
        (None, _) => Ok(()),
        (Some(k), Some(p)) if p.jkt == k => Ok(()),
        (Some(_), Some(_)) => Err(TokenError::new(
            TokenErrorCode::InvalidDpopProof,
            "The DPoP proof's key is not the one this refresh token is bound to",
        )),
        (Some(_), None) => Err(TokenError::new(
            TokenErrorCode::InvalidDpopProof,
            "This refresh token is bound to a DPoP key: send a DPoP proof",
        )),
    }
}

/// Why a token presented at a resource is refused (§7.1), before or after
/// its proof was checked.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PresentationError {
    /// A bound token sent as a bearer token.
    BoundAsBearer,
    /// `Authorization: DPoP` with a token that is not bound.
    NotBound,
    /// The proof's key is not the token's.
    WrongKey,
    /// `Authorization: DPoP` without a proof.
    MissingProof,
}

impl PresentationError {
    pub fn description(self) -> &'static str {
        match self {
            Self::BoundAsBearer => "This token is DPoP-bound: present it with the DPoP scheme",
            Self::NotBound => "This token is not DPoP-bound: present it as a Bearer token",
            Self::WrongKey => "The DPoP proof's key is not the one this token is bound to",
            Self::MissingProof => "A DPoP proof is required with the DPoP scheme",
        }
    }
}

/// The scheme a token came with.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Scheme {
    Bearer,
    Dpop,
}

/// Whether a token bound to `cnf` may be used with `scheme` and `proof`
/// (already verified with the token's `ath`).
pub fn check_presentation(
    scheme: Scheme,
    cnf: Option<&Confirmation>,
    proof: Option<&Proof>,
) -> Result<(), PresentationError> {
    match (scheme, cnf, proof) {
        (Scheme::Bearer, Some(_), _) => Err(PresentationError::BoundAsBearer),
        (Scheme::Bearer, None, _) => Ok(()),
        (Scheme::Dpop, None, _) => Err(PresentationError::NotBound),
        (Scheme::Dpop, Some(_), None) => Err(PresentationError::MissingProof),
        (Scheme::Dpop, Some(c), Some(p)) if c.jkt == p.jkt => Ok(()),
        (Scheme::Dpop, Some(_), Some(_)) => Err(PresentationError::WrongKey),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use aws_lc_rs::rand::SystemRandom;
    use aws_lc_rs::signature::{EcdsaKeyPair, KeyPair};

    const URL: &str = "https://id.example/oauth/token";

    fn es256_key() -> EcdsaKeyPair {
        let pkcs8 = EcdsaKeyPair::generate_pkcs8(
            &signature::ECDSA_P256_SHA256_FIXED_SIGNING,
            &SystemRandom::new(),
        )
        .unwrap();
        EcdsaKeyPair::from_pkcs8(&signature::ECDSA_P256_SHA256_FIXED_SIGNING, pkcs8.as_ref())
            .unwrap()
    }

    fn jwk_of(key: &EcdsaKeyPair) -> Value {
        let point = key.public_key().as_ref();
        serde_json::json!({
            "kty": "EC", "crv": "P-256",
            "x": URL_SAFE_NO_PAD.encode(&point[1..33]),
            "y": URL_SAFE_NO_PAD.encode(&point[33..65]),
        })
    }

    fn proof(key: &EcdsaKeyPair, header: Value, claims: Value) -> String {
        let h = URL_SAFE_NO_PAD.encode(header.to_string());
        let p = URL_SAFE_NO_PAD.encode(claims.to_string());
        let input = format!("{h}.{p}");
        let sig = key.sign(&SystemRandom::new(), input.as_bytes()).unwrap();
        format!("{input}.{}", URL_SAFE_NO_PAD.encode(sig.as_ref()))
    }

    fn good(key: &EcdsaKeyPair, now: i64) -> String {
        proof(
            key,
            serde_json::json!({"typ": "dpop+jwt", "alg": "ES256", "jwk": jwk_of(key)}),
            serde_json::json!({"jti": "j1", "htm": "POST", "htu": URL, "iat": now}),
        )
    }

    fn expected(now: i64) -> Expected<'static> {
        Expected {
            htm: "POST",
            htu: URL,
            access_token: None,
            now,
        }
    }

    #[test]
    fn a_good_proof_yields_its_keys_rfc7638_thumbprint() {
        let key = es256_key();
        let p = verify(&good(&key, 1000), &expected(1000)).unwrap();
        let jwk = jwk_of(&key);
        let canonical = format!(
            r#"{{"crv":"P-256","kty":"EC","x":"{}","y":"{}"}}"#,
            jwk["x"].as_str().unwrap(),
            jwk["y"].as_str().unwrap()
        );
        assert_eq!(p.jkt, thumbprint_of(&canonical));
        assert_eq!(p.jti, "j1");
        assert_eq!(p.jti_expires_at(), 1000 + MAX_AGE + LEEWAY);
    }

    #[test]
    fn rfc7638_example_thumbprint() {
        // RFC 7638 §3.1's example key and thumbprint.
        let n = "0vx7agoebGcQSuuPiLJXZptN9nndrQmbXEps2aiAFbWhM78LhWx4cbbfAAtVT86zwu1RK7aPFFxuhDR1L6tSoc_BJECPebWKRXjBZCiFV4n3oknjhMstn64tZ_2W-5JsGY4Hc5n9yBXArwl93lqt7_RN5w6Cf0h4QyQ5v-65YGjQR0_FDW2QvzqY368QQMicAtaSqzs8KJZgnYb9c7d0zgdAZHzu6qMQvRL5hajrn1n91CbOpbISD08qNLyrdkt-bFTWhAI4vMQFh6WeZu0fM4lFd2NcRwr3XPksINHaQ-G_xBniIqbw0Ls1jF44-csFCur-kEgU8awapJzKnqDKgw";
        let canonical = format!(r#"{{"e":"AQAB","kty":"RSA","n":"{n}"}}"#);
        assert_eq!(
            thumbprint_of(&canonical),
            "NzbLsXh8uDCcd-6MNwXF4W_7noWXFZAfHkxZsRGC9Xs"
        );
    }

    #[test]
    fn proofs_for_another_request_or_time_are_refused() {
        let key = es256_key();
        let p = good(&key, 1000);
        let other_url = Expected {
            htu: "https://id.example/userinfo",
            ..expected(1000)
        };
        assert!(verify(&p, &other_url).is_err());
        let other_method = Expected {
            htm: "GET",
            ..expected(1000)
        };
        assert!(verify(&p, &other_method).is_err());
        assert!(verify(&p, &expected(1000 + MAX_AGE + 1)).is_err());
        assert!(verify(&p, &expected(1000 - LEEWAY - 1)).is_err());
        // A default port, upper-case host and a query are the same URL.
        let same = Expected {
            htu: "https://ID.example:443/oauth/token?x=1",
            ..expected(1000)
        };
        assert!(verify(&p, &same).is_ok());
    }

    #[test]
    fn forged_unsigned_and_private_key_proofs_are_refused() {
        let key = es256_key();
        let other = es256_key();
        let claims = serde_json::json!({"jti": "j", "htm": "POST", "htu": URL, "iat": 1000});
        // Signed by one key, naming another.
        let forged = proof(
            &key,
            serde_json::json!({"typ": "dpop+jwt", "alg": "ES256", "jwk": jwk_of(&other)}),
            claims.clone(),
        );
        assert!(verify(&forged, &expected(1000)).is_err());
        let mut private = jwk_of(&key);
        private["d"] = "AAAA".into();
        let p = proof(
            &key,
            serde_json::json!({"typ": "dpop+jwt", "alg": "ES256", "jwk": private}),
            claims.clone(),
        );
        assert!(verify(&p, &expected(1000)).is_err());
        let wrong_typ = proof(
            &key,
            serde_json::json!({"typ": "JWT", "alg": "ES256", "jwk": jwk_of(&key)}),
            claims.clone(),
        );
        assert!(verify(&wrong_typ, &expected(1000)).is_err());
        let none = format!(
            "{}.{}.",
            URL_SAFE_NO_PAD.encode(r#"{"typ":"dpop+jwt","alg":"none"}"#),
            URL_SAFE_NO_PAD.encode(claims.to_string())
        );
        assert!(verify(&none, &expected(1000)).is_err());
        // An EC key offered for an RSA algorithm.
        let confused = proof(
            &key,
            serde_json::json!({"typ": "dpop+jwt", "alg": "RS256", "jwk": jwk_of(&key)}),
            claims,
        );
        assert_eq!(
            verify(&confused, &expected(1000)),
            Err(ProofError::Invalid(
                "The DPoP proof's jwk does not fit its alg"
            ))
        );
    }

    #[test]
    fn at_a_resource_ath_must_hash_the_token() {
        let key = es256_key();
        let claims = |ath_of: &str| {
            serde_json::json!({"jti": "j", "htm": "GET", "htu": "https://id.example/userinfo",
                "iat": 1000, "ath": ath(ath_of)})
        };
        let header = serde_json::json!({"typ": "dpop+jwt", "alg": "ES256", "jwk": jwk_of(&key)});
        let at = |token| Expected {
            htm: "GET",
            htu: "https://id.example/userinfo",
            access_token: Some(token),
            now: 1000,
        };
        let p = proof(&key, header.clone(), claims("tok"));
        assert!(verify(&p, &at("tok")).is_ok());
        assert!(verify(&p, &at("other")).is_err());
    }

    #[test]
    fn nonces_open_only_here_and_only_while_fresh() {
        let kek = KeyEncryptionKey::from_bytes(&[7; 32]).unwrap();
        let other = KeyEncryptionKey::from_bytes(&[8; 32]).unwrap();
        let with = |n: Option<String>| Proof {
            jkt: "k".into(),
            jti: "j".into(),
            iat: 0,
            nonce: n,
        };
        let n = new_nonce(&kek, 1000);
        assert_eq!(check_nonce(&kek, &with(Some(n.clone())), 1100), Ok(()));
        assert_eq!(
            check_nonce(&kek, &with(Some(n.clone())), 1000 + NONCE_LIFETIME),
            Err(ProofError::UseNonce)
        );
        assert!(check_nonce(&other, &with(Some(n)), 1100).is_err());
        assert!(check_nonce(&kek, &with(None), 1100).is_err());
        assert!(check_nonce(&kek, &with(Some("abc".into())), 1100).is_err());
    }

    #[test]
    fn presentation_rules() {
        let c = Confirmation { jkt: "k".into() };
        let p = |jkt: &str| Proof {
            jkt: jkt.into(),
            jti: "j".into(),
            iat: 0,
            nonce: None,
        };
        assert_eq!(check_presentation(Scheme::Bearer, None, None), Ok(()));
        assert_eq!(
            check_presentation(Scheme::Bearer, Some(&c), Some(&p("k"))),
            Err(PresentationError::BoundAsBearer)
        );
        assert_eq!(
            check_presentation(Scheme::Dpop, None, Some(&p("k"))),
            Err(PresentationError::NotBound)
        );
        assert_eq!(
            check_presentation(Scheme::Dpop, Some(&c), Some(&p("x"))),
            Err(PresentationError::WrongKey)
        );
        assert_eq!(
            check_presentation(Scheme::Dpop, Some(&c), Some(&p("k"))),
            Ok(())
        );
    }

    #[test]
    fn bound_refresh_tokens_need_the_same_key() {
        let p = |jkt: &str| Proof {
            jkt: jkt.into(),
            jti: "j".into(),
            iat: 0,
            nonce: None,
        };
        assert!(check_refresh(None, None).is_ok());
        assert!(check_refresh(Some("k"), Some(&p("k"))).is_ok());
        assert!(check_refresh(Some("k"), Some(&p("x"))).is_err());
        assert!(check_refresh(Some("k"), None).is_err());
    }
}
