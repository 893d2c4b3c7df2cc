//! The log search query of `GET /api/v2/logs?q=`: the subset of Auth0's Lucene
//! syntax that Portcullis answers: terms joined by ` AND `, each one of
//! `type:<code>`, `user_id:"<id>"`, `client_id:"<id>"` and
//! `date:[<from> TO <to>]`.
//!
//! Dates are RFC 3339 (`2026-11-30T10:00:00Z`, fractions allowed) or a day
//! (`2026-11-30`, UTC); `*` leaves a side open. `[…]` includes its ends, `{…}`
//! excludes them, as in Lucene. A day as the upper end of an inclusive range
//! means the whole of that day (`[2026-11-30 TO 2026-11-30]` is that day), which
//! is what a person asking for it means.

use time::format_description::well_known::Rfc3339;
use time::{Date, OffsetDateTime};

use crate::UnixTime;

/// What a log search asks for; every field narrows it.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct LogQuery {
    pub event_type: Option<String>,
    pub user_id: Option<String>,
    pub client_id: Option<String>,
    /// Seconds since the epoch, inclusive.
    pub from: Option<UnixTime>,
    /// Seconds since the epoch, inclusive.
    pub to: Option<UnixTime>,
}

/// Why a query was refused; the message is for the person who wrote it.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{0}")]
pub struct LogQueryError(pub String);

const SUPPORTED: &str = "q supports type:<code>, user_id:\"<id>\", client_id:\"<id>\" and date:[<from> TO <to>], joined by AND.";

fn unquote(v: &str) -> String {
    v.trim().trim_matches('"').to_string()
}

/// One end of a date range; `upper` rounds a bare day up to its last second.
pub(crate) fn instant(raw: &str, upper: bool) -> Result<Option<UnixTime>, LogQueryError> {
    let raw = raw.trim().trim_matches('"');
    if raw == "*" {
        return Ok(None);
    }
    if let Ok(t) = OffsetDateTime::parse(raw, &Rfc3339) {
        return Ok(Some(t.unix_timestamp()));
    }
    let day = Date::parse(raw, time::macros::format_description!("[year]-[month]-[day]"))
        .map_err(|_| {
            LogQueryError(format!(
                "Query validation error: '{raw}' is not a date (use 2026-11-30 or 2026-11-30T10:00:00Z)."
            ))
        })?;
    let start = day.midnight().assume_utc().unix_timestamp();
    Ok(Some(if upper { start + 86_399 } else { start }))
}

/// `[from TO to]` or `{from TO to}`.
fn date_range(v: &str) -> Result<(Option<UnixTime>, Option<UnixTime>), LogQueryError> {
    let v = v.trim();
    let bad = || {
        LogQueryError(format!(
            "Query validation error: date takes a range such as [2026-11-30 TO *], not '{v}'."
        ))
    };
    let inclusive = match (v.chars().next(), v.chars().last()) {
        (Some('['), Some(']')) => true,
        (Some('{'), Some('}')) => false,
        _ => return Err(bad()),
    };
    let inner = &v[1..v.len() - 1];
    let (a, b) = inner.split_once(" TO ").ok_or_else(bad)?;
    let (mut from, mut to) = (instant(a, false)?, instant(b, inclusive)?);
    if !inclusive {
        // An excluded end: the next second after it, the last one before it.
        from = from.map(|f| f + 1);
        to = to.map(|t| t - 1);
    }
    Ok((from, to))
}

/// Parses `q`; `None` or blank asks for everything.
pub fn parse(q: Option<&str>) -> Result<LogQuery, LogQueryError> {
    let mut out = LogQuery::default();
    for term in q
        .unwrap_or_default()
        .split(" AND ")
        .map(str::trim)
        .filter(|t| !t.is_empty())
    {
        match term.split_once(':') {
            Some(("type", v)) => out.event_type = Some(unquote(v)),
            Some(("user_id", v)) => out.user_id = Some(unquote(v)),
            Some(("client_id", v)) => out.client_id = Some(unquote(v)),
            Some(("date", v)) => (out.from, out.to) = date_range(v)?,
            _ => {
                return Err(LogQueryError(format!(
                    "Query validation error: {SUPPORTED}"
                )));
            }
        }
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    const DAY: i64 = 1_796_083_200; // 2026-12-01T00:00:00Z

    #[test]
    fn terms_combine_with_and() {
        let q = parse(Some(r#"type:s AND user_id:"auth0|1" AND client_id:"abc""#)).unwrap();
        assert_eq!(q.event_type.as_deref(), Some("s"));
        assert_eq!(q.user_id.as_deref(), Some("auth0|1"));
        assert_eq!(q.client_id.as_deref(), Some("abc"));
        assert_eq!(parse(None).unwrap(), LogQuery::default());
    }

    #[test]
    fn a_day_as_upper_end_includes_the_whole_day() {
        let q = parse(Some("date:[2026-12-01 TO 2026-12-01]")).unwrap();
        assert_eq!((q.from, q.to), (Some(DAY), Some(DAY + 86_399)));
    }

    #[test]
    fn instants_and_open_ends() {
        let q = parse(Some("date:[2026-12-01T10:00:00Z TO *]")).unwrap();
        assert_eq!((q.from, q.to), (Some(DAY + 36_000), None));
        let q = parse(Some("date:[* TO 2026-12-01T00:00:00.500Z]")).unwrap();
        assert_eq!((q.from, q.to), (None, Some(DAY)));
    }

    #[test]
    fn braces_exclude_their_ends() {
        let q = parse(Some("date:{2026-12-01T00:00:00Z TO 2026-12-01T00:00:10Z}")).unwrap();
        assert_eq!((q.from, q.to), (Some(DAY + 1), Some(DAY + 9)));
    }

    #[test]
    fn malformed_queries_are_refused() {
        for q in [
            "date:2026-12-01",
            "date:[2026-12-01]",
            "date:[yesterday TO *]",
            "date:[2026-12-01 TO 2026-12-01}",
            "ip:1.2.3.4",
            "type",
        ] {
            assert!(parse(Some(q)).is_err(), "{q}");
        }
    }
}
