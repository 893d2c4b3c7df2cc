//! Client secrets: generated with high entropy, stored only as a hash, compared in
//! constant time.
//!
//! Client secrets are 48 random bytes, not passwords a person chose, so a single
//! SHA-256 is as strong as the secret itself; a password hash (argon2) would only slow
//! the token endpoint down without adding security.

use aws_lc_rs::digest;
use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use subtle::ConstantTimeEq;

/// A secret value whose `Debug` never prints it.
#[derive(Clone, PartialEq, Eq)]
pub struct Secret(String);

impl Secret {
    pub fn new(value: impl Into<String>) -> Self {
        Self(value.into())
    }
    pub fn expose(&self) -> &str {
        &self.0
    }
}

impl std::fmt::Debug for Secret {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Secret(<redacted>)")
    }
}

/// A new client secret: 48 random bytes, base64url (64 characters), as Auth0's are.
pub fn generate_client_secret() -> Secret {
    Secret(URL_SAFE_NO_PAD.encode(crate::random::bytes(48)))
}

/// The stored form of a high-entropy secret: `sha256:` and the base64url digest.
pub fn hash_secret(secret: &str) -> String {
    let d = digest::digest(&digest::SHA256, secret.as_bytes());
    format!("sha256:{}", URL_SAFE_NO_PAD.encode(d.as_ref()))
}

/// Whether two stored hashes are the same, compared in constant time.
pub fn constant_time_eq(a: &str, b: &str) -> bool {
    a.as_bytes().ct_eq(b.as_bytes()).into()
}

/// Whether `presented` hashes to `stored`, compared in constant time.
pub fn verify_secret(presented: &str, stored: &str) -> bool {
    let computed = hash_secret(presented);
    computed.as_bytes().ct_eq(stored.as_bytes()).into()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn generated_secret_verifies_against_its_hash_and_others_do_not() {
        let s = generate_client_secret();
        assert_eq!(s.expose().len(), 64);
        let h = hash_secret(s.expose());
        assert!(verify_secret(s.expose(), &h));
        assert!(!verify_secret("wrong", &h));
        assert!(!h.contains(s.expose()));
    }

    #[test]
    fn secret_debug_is_redacted() {
        assert_eq!(
            format!("{:?}", Secret::new("hunter2")),
            "Secret(<redacted>)"
        );
    }
}
