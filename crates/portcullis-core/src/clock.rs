//! Formatting Unix times the way Auth0 shows them.

use time::OffsetDateTime;
use time::format_description::well_known::Rfc3339;

use crate::UnixTime;

/// `2023-11-15T14:30:00.000Z`: ISO 8601 with milliseconds, as Auth0's `created_at`,
/// `updated_at` and the `updated_at` claim are written.
pub fn iso8601(t: UnixTime) -> String {
    let dt = OffsetDateTime::from_unix_timestamp(t).unwrap_or(OffsetDateTime::UNIX_EPOCH);
    let s = dt.format(&Rfc3339).unwrap_or_default();
    // Rfc3339 prints whole seconds as `…:00Z`; Auth0 always shows milliseconds.
    match s.strip_suffix('Z') {
        Some(head) => format!("{head}.000Z"),
        None => s,
    }
}

/// An ISO 8601 / RFC 3339 date as a Unix time (`None` when it is not one).
pub fn parse_iso(s: &str) -> Option<UnixTime> {
    OffsetDateTime::parse(s, &Rfc3339)
        .ok()
        .map(|dt| dt.unix_timestamp())
}

#[cfg(test)]
mod tests {
    #[test]
    fn formats_like_auth0() {
        assert_eq!(super::iso8601(1_700_058_600), "2023-11-15T14:30:00.000Z");
    }
}
