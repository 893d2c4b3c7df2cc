//! Random identifiers and secrets, from the operating system's CSPRNG (aws-lc-rs).

use aws_lc_rs::rand::{SecureRandom, SystemRandom};

const ALPHANUMERIC: &[u8] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789";

/// Fills `buf` with random bytes. The system RNG failing is unrecoverable.
pub fn fill(buf: &mut [u8]) {
    SystemRandom::new()
        .fill(buf)
        .expect("the operating system's random number generator failed");
}

/// `n` random bytes.
pub fn bytes(n: usize) -> Vec<u8> {
    let mut buf = vec![0u8; n];
    fill(&mut buf);
    buf
}

/// A random string of `len` characters from `[A-Za-z0-9]`, without modulo bias.
pub fn alphanumeric(len: usize) -> String {
    from_alphabet(ALPHANUMERIC, len)
}

/// A random string of `len` characters from `alphabet` (ASCII, at most 256
/// characters), without modulo bias.
pub fn from_alphabet(alphabet: &[u8], len: usize) -> String {
    let n = alphabet.len();
    assert!((1..=256).contains(&n), "an alphabet of 1 to 256 characters");
    // Bytes at or above the largest multiple of `n` are rejected, so every
    // character is equally likely (62 * 4 = 248 for the alphanumeric one).
    let limit = 256 - 256 % n;
    let mut out = String::with_capacity(len);
    let mut buf = [0u8; 64];
    while out.len() < len {
        fill(&mut buf);
        for &b in &buf {
            if usize::from(b) < limit && out.len() < len {
                out.push(alphabet[usize::from(b) % n] as char);
            }
        }
    }
    out
}

/// `n` random bytes as lowercase hex (Auth0's `auth0|<24 hex>` user ids, resource server ids).
/// 32 random bytes, base64url without padding: codes, refresh tokens,
/// session cookies, login transaction ids.
pub fn url_token() -> String {
    use base64::Engine;
    base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(bytes(32))
}

pub fn hex(n: usize) -> String {
    bytes(n).iter().map(|b| format!("{b:02x}")).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn alphanumeric_has_requested_length_and_alphabet() {
        let s = alphanumeric(100);
        assert_eq!(s.len(), 100);
        assert!(s.bytes().all(|b| b.is_ascii_alphanumeric()));
        assert_ne!(alphanumeric(32), alphanumeric(32));
    }

    #[test]
    fn hex_is_two_characters_per_byte() {
        let h = hex(12);
        assert_eq!(h.len(), 24);
        assert!(h.bytes().all(|b| b.is_ascii_hexdigit()));
    }
}
