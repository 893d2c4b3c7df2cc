//! Passwords: argon2id at OWASP's parameters (19 MiB, t=2, p=1), and the password
//! policy. Hashing is CPU-bound (tens of milliseconds by design); the caller runs it
//! off the async workers, on a bounded pool.

use std::sync::Mutex;

use argon2::password_hash::phc::PasswordHash;
use argon2::{Algorithm, Argon2, Block, Params, Version};
use base64::Engine;
use base64::engine::general_purpose::STANDARD_NO_PAD;

use crate::custom_password_hash::ImportedHash;
use crate::secrets::Secret;

/// Longest password accepted: long enough for any passphrase, short enough that a
/// hash request cannot be used to make the server work on megabytes.
pub const MAX_PASSWORD_BYTES: usize = 1024;

/// Working memory (19 MiB each) kept between hashes: allocating and faulting in
/// 19 MiB per login costs a quarter of argon2's own time (measured: 82 → 60
/// logins/s). At most this many are kept; [`release_memory`] frees them when idle.
static MEMORY: Mutex<Vec<Vec<Block>>> = Mutex::new(Vec::new());
const KEPT: usize = 4;

/// argon2id of `password` with `salt` and `params` into `out`, in pooled memory.
fn compute(params: Params, password: &[u8], salt: &[u8], out: &mut [u8]) -> bool {
    let blocks = params.block_count();
    let taken = MEMORY.lock().ok().and_then(|mut pool| {
        let i = pool.iter().position(|m| m.len() == blocks)?;
        Some(pool.swap_remove(i))
    });
    let mut memory = taken.unwrap_or_else(|| vec![Block::new(); blocks]);
    let ok = Argon2::new(Algorithm::Argon2id, Version::V0x13, params)
        .hash_password_into_with_memory(password, salt, out, &mut memory)
        .is_ok();
    if let Ok(mut pool) = MEMORY.lock()
        && pool.len() < KEPT
    {
        pool.push(memory);
    }
    ok
}

/// Frees the pooled working memory (the server calls this when logins pause).
pub fn release_memory() {
    if let Ok(mut pool) = MEMORY.lock() {
        pool.clear();
    }
}

/// The PHC string (`$argon2id$v=19$m=19456,t=2,p=1$…`) of `password`.
pub fn hash(password: &Secret) -> String {
    let params = Params::default();
    let mut salt = [0u8; 16];
    crate::random::fill(&mut salt);
    let mut out = [0u8; 32];
    let ok = compute(
        params.clone(),
        password.expose().as_bytes(),
        &salt,
        &mut out,
    );
    assert!(
        ok,
        "argon2id with default parameters and a 16-byte salt cannot fail"
    );
    format!(
        "$argon2id$v=19$m={},t={},p={}${}${}",
        params.m_cost(),
        params.t_cost(),
        params.p_cost(),
        STANDARD_NO_PAD.encode(salt),
        STANDARD_NO_PAD.encode(out)
    )
}

/// The start of every hash [`hash`] writes today: a stored hash without it is
/// replaced at the next successful sign-in ([`needs_upgrade`]).
const CURRENT: &str = "$argon2id$v=19$m=19456,t=2,p=1$";

/// Whether a stored hash should be replaced by a fresh argon2id one once the
/// password is known to be right: an imported hash (bcrypt, PBKDF2, …) or an
/// argon2id hash with other parameters.
pub fn needs_upgrade(stored: &str) -> bool {
    !stored.starts_with(CURRENT)
}

/// Whether `password` matches the stored hash: an argon2id PHC string, or a
/// hash imported from another system (`custom_password_hash`, checked with its
/// own algorithm). A malformed hash never matches; the comparison is
/// constant-time.
pub fn verify(password: &Secret, stored: &str) -> bool {
    if let Some(imported) = ImportedHash::from_stored(stored) {
        return password.expose().len() <= MAX_PASSWORD_BYTES && imported.verify(password.expose());
    }
    let Ok(parsed) = PasswordHash::new(stored) else {
        return false;
    };
    if parsed.algorithm.as_str() != "argon2id" || parsed.version.is_some_and(|v| v != 0x13) {
        return false;
    }
    let (Ok(params), Some(salt), Some(expected)) =
        (Params::try_from(&parsed), parsed.salt, parsed.hash)
    else {
        return false;
    };
    let expected = expected.as_bytes();
    let mut out = vec![0u8; expected.len()];
    compute(params, password.expose().as_bytes(), &salt, &mut out)
        && aws_lc_rs::constant_time::verify_slices_are_equal(&out, expected).is_ok()
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

    /// Hashes written by the argon2 crate's own hasher (every hash stored before
    /// the pooled-memory path) still verify, and ours verify with the crate.
    #[test]
    fn pooled_hashing_agrees_with_the_argon2_crate() {
        use argon2::password_hash::{PasswordHasher, PasswordVerifier};
        let theirs = Argon2::default()
            .hash_password(b"Correct-Horse-1")
            .unwrap()
            .to_string();
        assert!(verify(&Secret::new("Correct-Horse-1"), &theirs));
        assert!(!verify(&Secret::new("Correct-Horse-2"), &theirs));
        let ours = hash(&Secret::new("Correct-Horse-1"));
        let parsed = PasswordHash::new(&ours).unwrap();
        assert!(
            Argon2::default()
                .verify_password(b"Correct-Horse-1", &parsed)
                .is_ok()
        );
        release_memory();
        assert!(verify(&Secret::new("Correct-Horse-1"), &ours));
        let argon2i = ours.replace("$argon2id$", "$argon2i$");
        assert!(!verify(&Secret::new("Correct-Horse-1"), &argon2i));
    }

    #[test]
    fn imported_hashes_verify_and_ask_for_an_upgrade() {
        let bcrypt = crate::custom_password_hash::from_password_hash(
            "$2b$10$33N6PPytqVo6c6FgE7LzSuvSNelw2xh8WZPxNWmxllqLuDbNHD3Xi",
        )
        .unwrap()
        .to_stored();
        assert!(verify(&Secret::new("shh"), &bcrypt));
        assert!(!verify(&Secret::new("shh!"), &bcrypt));
        assert!(needs_upgrade(&bcrypt));
        assert!(!needs_upgrade(&hash(&Secret::new("shh"))));
        assert!(needs_upgrade(
            "$argon2id$v=19$m=65536,t=3,p=4$c2FsdHNhbHQ$aGFzaA"
        ));
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
