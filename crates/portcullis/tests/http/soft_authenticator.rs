//! A software WebAuthn authenticator for the HTTP tests (W3C Web
//! Authentication §6.1, §6.5; the attestation object in CBOR, RFC 8949,
//! written out here): an ES256 key from aws-lc-rs, `none` attestation, and a
//! sign count the test controls. Unlike a browser it answers for any origin
//! and any challenge, so the tests can send what an attacker would.

use aws_lc_rs::rand::SystemRandom;
use aws_lc_rs::signature::{ECDSA_P256_SHA256_ASN1_SIGNING, EcdsaKeyPair, KeyPair};
use base64::Engine as _;
use serde_json::{Value, json};

pub fn b64u(b: &[u8]) -> String {
    base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(b)
}

fn unb64u(s: &str) -> Vec<u8> {
    base64::engine::general_purpose::URL_SAFE_NO_PAD
        .decode(s.trim_end_matches('='))
        .expect("base64url")
}

fn sha256(b: &[u8]) -> Vec<u8> {
    aws_lc_rs::digest::digest(&aws_lc_rs::digest::SHA256, b)
        .as_ref()
        .to_vec()
}

/// RFC 8949 §3.1: a data item's head.
fn head(major: u8, n: u64, out: &mut Vec<u8>) {
    let m = major << 5;
    match n {
        0..=23 => out.push(m | n as u8),
        24..=0xff => out.extend([m | 24, n as u8]),
        0x100..=0xffff => {
            out.push(m | 25);
            out.extend((n as u16).to_be_bytes());
        }
        _ => {
            out.push(m | 26);
            out.extend((n as u32).to_be_bytes());
        }
    }
}

fn int(i: i64, out: &mut Vec<u8>) {
    if i >= 0 {
        head(0, i as u64, out)
    } else {
        head(1, (-1 - i) as u64, out)
    }
}

fn bytes(b: &[u8], out: &mut Vec<u8>) {
    head(2, b.len() as u64, out);
    out.extend(b);
}

fn text(s: &str, out: &mut Vec<u8>) {
    head(3, s.len() as u64, out);
    out.extend(s.as_bytes());
}

/// A P-256 key with its credential id and sign count.
pub struct SoftKey {
    key: EcdsaKeyPair,
    pkcs8: Vec<u8>,
    pub id: Vec<u8>,
    pub count: u32,
    /// The user handle it was registered for (a passkey returns it).
    pub user_handle: Option<String>,
}

impl SoftKey {
    pub fn new() -> Self {
        let rng = SystemRandom::new();
        let pkcs8 = EcdsaKeyPair::generate_pkcs8(&ECDSA_P256_SHA256_ASN1_SIGNING, &rng)
            .unwrap()
            .as_ref()
            .to_vec();
        let key = EcdsaKeyPair::from_pkcs8(&ECDSA_P256_SHA256_ASN1_SIGNING, &pkcs8).unwrap();
        let mut id = vec![0u8; 16];
        aws_lc_rs::rand::fill(&mut id).unwrap();
        Self {
            key,
            pkcs8,
            id,
            count: 0,
            user_handle: None,
        }
    }

    /// The same key in another authenticator, its sign count back at
    /// `count` (what a cloned security key would show).
    pub fn clone_with_count(&self, count: u32) -> Self {
        Self {
            key: EcdsaKeyPair::from_pkcs8(&ECDSA_P256_SHA256_ASN1_SIGNING, &self.pkcs8).unwrap(),
            pkcs8: self.pkcs8.clone(),
            id: self.id.clone(),
            count,
            user_handle: self.user_handle.clone(),
        }
    }

    /// RFC 9053 §7.1.1: the public key as a COSE_Key (EC2, ES256, P-256).
    fn cose_key(&self) -> Vec<u8> {
        let public = self.key.public_key().as_ref();
        let (x, y) = (&public[1..33], &public[33..65]);
        let mut out = Vec::new();
        head(5, 5, &mut out);
        int(1, &mut out);
        int(2, &mut out);
        int(3, &mut out);
        int(-7, &mut out);
        int(-1, &mut out);
        int(1, &mut out);
        int(-2, &mut out);
        bytes(x, &mut out);
        int(-3, &mut out);
        bytes(y, &mut out);
        out
    }

    /// The answer to `navigator.credentials.create(options)` made at
    /// `origin`, as the hosted pages' script sends it.
    pub fn register(&mut self, options: &Value, origin: &str) -> String {
        let pk = &options["publicKey"];
        let rp_id = pk["rp"]["id"].as_str().expect("rp.id");
        self.user_handle = pk["user"]["id"].as_str().map(str::to_string);
        let client_data = json!({
            "type": "webauthn.create",
            "challenge": pk["challenge"],
            "origin": origin,
            "crossOrigin": false,
        })
        .to_string();
        // §6.1: rpIdHash, flags (UP, UV, AT), signCount, attested credential data.
        let mut auth = sha256(rp_id.as_bytes());
        auth.push(0x01 | 0x04 | 0x40);
        auth.extend(self.count.to_be_bytes());
        auth.extend([0u8; 16]);
        auth.extend((self.id.len() as u16).to_be_bytes());
        auth.extend(&self.id);
        auth.extend(self.cose_key());
        let mut att = Vec::new();
        head(5, 3, &mut att);
        text("fmt", &mut att);
        text("none", &mut att);
        text("attStmt", &mut att);
        head(5, 0, &mut att);
        text("authData", &mut att);
        bytes(&auth, &mut att);
        json!({
            "id": b64u(&self.id),
            "rawId": b64u(&self.id),
            "type": "public-key",
            "response": {
                "clientDataJSON": b64u(client_data.as_bytes()),
                "attestationObject": b64u(&att),
            },
            "extensions": {},
        })
        .to_string()
    }

    /// The answer to `navigator.credentials.get(options)` made at `origin`
    /// (the sign count goes up by one).
    pub fn assert(&mut self, options: &Value, origin: &str) -> String {
        self.count += 1;
        let pk = &options["publicKey"];
        let rp_id = pk["rpId"].as_str().expect("rpId");
        let client_data = json!({
            "type": "webauthn.get",
            "challenge": pk["challenge"],
            "origin": origin,
            "crossOrigin": false,
        })
        .to_string();
        let mut auth = sha256(rp_id.as_bytes());
        auth.push(0x01 | 0x04);
        auth.extend(self.count.to_be_bytes());
        let mut signed = auth.clone();
        signed.extend(sha256(client_data.as_bytes()));
        let sig = self
            .key
            .sign(&SystemRandom::new(), &signed)
            .unwrap()
            .as_ref()
            .to_vec();
        json!({
            "id": b64u(&self.id),
            "rawId": b64u(&self.id),
            "type": "public-key",
            "response": {
                "authenticatorData": b64u(&auth),
                "clientDataJSON": b64u(client_data.as_bytes()),
                "signature": b64u(&sig),
                "userHandle": self.user_handle,
            },
            "extensions": {},
        })
        .to_string()
    }
}

/// The WebAuthn options a hosted page carries in its form's
/// `data-webauthn-options` attribute (HTML-unescaped).
pub fn page_options(body: &str) -> Value {
    let marker = "data-webauthn-options=\"";
    let at = body
        .find(marker)
        .unwrap_or_else(|| panic!("no WebAuthn options in {body}"))
        + marker.len();
    let raw = &body[at..at + body[at..].find('"').unwrap()];
    let text = raw
        .replace("&quot;", "\"")
        .replace("&#x27;", "'")
        .replace("&#x2f;", "/")
        .replace("&lt;", "<")
        .replace("&gt;", ">")
        .replace("&amp;", "&");
    serde_json::from_str(&text).unwrap_or_else(|e| panic!("{e}: {text}"))
}

#[test]
fn the_soft_authenticators_cbor_heads_follow_rfc_8949() {
    let mut out = Vec::new();
    int(-7, &mut out);
    int(-1, &mut out);
    int(24, &mut out);
    head(2, 300, &mut out);
    assert_eq!(out, [0x26, 0x20, 0x18, 0x18, 0x59, 0x01, 0x2c]);
    let _ = unb64u("AA");
}
