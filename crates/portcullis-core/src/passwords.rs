//! Passwords: argon2id at OWASP's parameters (19 MiB, t=2, p=1), and the password
//! policy. Hashing is CPU-bound (tens of milliseconds by design); the caller runs it
//! off the async workers, on a bounded pool.

use argon2::Argon2;
use argon2::password_hash::phc::PasswordHash;
use argon2::password_hash::{PasswordHasher, PasswordVerifier};

use crate::secrets::Secret;

/// Longest password accepted: long enough for any passphrase, short enough that a
/// hash request cannot be used to make the server work on megabytes.
pub const MAX_PASSWORD_BYTES: usize = 1024;

/// The PHC string (`$argon2id$v=19$m=19456,t=2,p=1$…`) of `password`.
pub fn hash(password: &Secret) -> String {
    Argon2::default()
        .hash_password(password.expose().as_bytes())
        .map(|h| h.to_string())
        .expect("argon2id hashing with default parameters cannot fail")
}

/// Whether `password` matches the stored PHC string. A malformed hash never matches.
pub fn verify(password: &Secret, stored: &str) -> bool {
    match PasswordHash::new(stored) {
        Ok(parsed) => Argon2::default()
            .verify_password(password.expose().as_bytes(), &parsed)
            .is_ok(),
        Err(_) => false,
    }
}

/// A PHC string of a random password: verified against when the user does not
/// exist, so that a login for an unknown e-mail costs what a wrong password does.
pub fn decoy_hash() -> &'static str {
    "$argon2id$v=19$m=19456,t=2,p=1$c29tZXNhbHRzb21lc2FsdA$4oqMJkbIPd3Y4eSkyM4ph0I7zgB5lPDLg4cVJZ6cKCE"
}

/// Auth0's "fair" policy: at least 8 characters with lower-case, upper-case and a
/// digit. Returns a message a person can act on.
pub fn check_policy(password: &str) -> Result<(), String> {
    let ok_len = password.chars().count() >= 8;
    let lower = password.chars().any(|c| c.is_lowercase());
    let upper = password.chars().any(|c| c.is_uppercase());
    let digit = password.chars().any(|c| c.is_ascii_digit());
    if password.len() > MAX_PASSWORD_BYTES {
        return Err(format!(
            "Password is too long (at most {MAX_PASSWORD_BYTES} bytes)."
        ));
    }
    if ok_len && lower && upper && digit {
        Ok(())
    } else {
        Err("Password is too weak: use at least 8 characters, with lower-case and upper-case letters and a number.".into())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hash_verifies_only_the_same_password() {
        let h = hash(&Secret::new("Correct-Horse-1"));
        assert!(h.starts_with("$argon2id$v=19$m=19456,t=2,p=1$"));
        assert!(verify(&Secret::new("Correct-Horse-1"), &h));
        assert!(!verify(&Secret::new("correct-horse-1"), &h));
        assert!(!verify(&Secret::new("x"), "not a hash"));
    }

    #[test]
    fn decoy_hash_parses_and_matches_nothing_guessable() {
        assert!(PasswordHash::new(decoy_hash()).is_ok());
        assert!(!verify(&Secret::new(""), decoy_hash()));
    }

    #[test]
    fn weak_passwords_are_refused_with_a_reason() {
        for weak in ["short1A", "alllowercase1", "ALLUPPERCASE1", "NoDigitsHere"] {
            assert!(check_policy(weak).unwrap_err().contains("at least 8"));
        }
        assert!(check_policy("Good-Passw0rd").is_ok());
    }
}
