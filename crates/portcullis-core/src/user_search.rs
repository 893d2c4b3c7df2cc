//! Auth0's user search (search engine v3): the `q` and `sort` of
//! `GET /api/v2/users`, parsed into a typed query with no I/O, and the
//! attributes of a user that a query can match. The store turns a
//! [`UserQuery`] into SQL whose shape comes only from this module's fixed
//! fragments and whose values are all bound parameters.
//!
//! What is answered (Auth0's "User search query syntax"):
//! - `field:value` (exact), `field:"a phrase"` (exact, `\"` and `\\` escaped),
//!   `field:val*` (trailing wildcard: starts with), `field:*` and
//!   `_exists_:field` (has the field), a bare `value` (any of the normalised
//!   fields `email`, `name`, `nickname`, `given_name`, `family_name`);
//! - `AND`, `OR` (also `&&`, `||`), `NOT` (also a leading `-`), parentheses;
//!   terms side by side without an operator are ORed, as in Lucene;
//! - ranges `[a TO b]` (inclusive), `{a TO b}` (exclusive) and single values on
//!   `logins_count`, `created_at`, `updated_at` and `last_login`;
//! - fields `user_id`, `email`, `email.domain`, `email_verified`, `blocked`,
//!   `name`, `nickname`, `given_name`, `family_name`, `username`,
//!   `identities.connection`, `identities.provider`, `app_metadata.<path>` and
//!   `user_metadata.<path>` (nested objects by their dotted path, arrays
//!   looked through).
//!
//! Invariants, as Auth0's:
//! - values of the normalised fields (`email`, `name`, `given_name`,
//!   `family_name`, `nickname`) match case-insensitively; every other field,
//!   metadata included, case-sensitively;
//! - wildcards and ranges are refused on `user_metadata`; only a trailing `*`
//!   is a wildcard (a leading or inner one is refused, not guessed at);
//! - null, empty strings, empty arrays and empty objects are not indexed, so
//!   they cannot be found;
//! - operators are upper case; anything else that does not parse, an unknown
//!   field, or a query beyond [`MAX_TERMS`] terms or [`MAX_DEPTH`] parentheses
//!   is a [`SearchError`] (a 400), never a partial search.

use std::collections::BTreeSet;

use serde_json::Value;

use crate::log_query;
use crate::users::User;

/// A query longer than this is refused before it is parsed.
pub const MAX_QUERY_LEN: usize = 2_000;
/// At most this many `field:value` terms in one query.
pub const MAX_TERMS: usize = 50;
/// At most this many nested parentheses.
pub const MAX_DEPTH: usize = 10;
/// Attribute values longer than this (bytes) are not indexed.
pub const MAX_VALUE_LEN: usize = 512;
/// At most this many attributes of one user are indexed: the profile's fields
/// always, then metadata leaves as they come.
pub const MAX_ATTRIBUTES: usize = 500;
/// Attributes whose path is longer than this (bytes) are not indexed (an index
/// row must stay far below PostgreSQL's B-tree limit).
pub const MAX_PATH_LEN: usize = 256;

/// The fields whose values Auth0 normalises (matched case-insensitively), and
/// that a term without a field name searches.
pub const NORMALISED: [&str; 5] = ["email", "name", "nickname", "given_name", "family_name"];

/// Why a query was refused; the message is for the person who wrote it.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("Query validation error: {0}")]
pub struct SearchError(pub String);

fn refuse<T>(why: impl Into<String>) -> Result<T, SearchError> {
    Err(SearchError(why.into()))
}

/// A parsed `q`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum UserQuery {
    Match(Match),
    And(Vec<UserQuery>),
    Or(Vec<UserQuery>),
    Not(Box<UserQuery>),
}

/// Which attribute paths a term looks at.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Paths {
    One(String),
    /// A term without a field name: any of [`NORMALISED`].
    Normalised,
}

/// One term.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Match {
    /// An indexed attribute equals `value`, or starts with it when `prefix`.
    /// The value is already lower-cased where the field is normalised.
    Attribute {
        paths: Paths,
        value: String,
        prefix: bool,
    },
    /// The user has the attribute `path` (or something below it).
    Exists { path: String },
    /// A number or instant the user record keeps in a column, within bounds
    /// (inclusive; `None` is open).
    Range {
        column: Column,
        from: Option<i64>,
        to: Option<i64>,
    },
}

/// The searchable values kept in columns of the users table.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Column {
    LoginsCount,
    CreatedAt,
    UpdatedAt,
    LastLogin,
}

impl Column {
    /// The column's name in the users table.
    pub fn sql(self) -> &'static str {
        match self {
            Column::LoginsCount => "logins_count",
            Column::CreatedAt => "created_at",
            Column::UpdatedAt => "updated_at",
            Column::LastLogin => "last_login",
        }
    }

    fn named(field: &str) -> Option<Column> {
        Some(match field {
            "logins_count" => Column::LoginsCount,
            "created_at" => Column::CreatedAt,
            "updated_at" => Column::UpdatedAt,
            "last_login" => Column::LastLogin,
            _ => return None,
        })
    }
}

/// What `sort=<field>:<1|-1>` orders by.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SortKey {
    Column(Column),
    UserId,
    Email,
    /// An attribute with at most one value per user.
    Attribute(&'static str),
}

/// `sort`; the default is the order users were created in.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Sort {
    pub key: SortKey,
    pub descending: bool,
}

impl Default for Sort {
    fn default() -> Self {
        Sort {
            key: SortKey::Column(Column::CreatedAt),
            descending: false,
        }
    }
}

/// Parses `sort` (`created_at:1`, `name:-1`, …).
pub fn parse_sort(raw: Option<&str>) -> Result<Sort, SearchError> {
    let Some(raw) = raw.map(str::trim).filter(|s| !s.is_empty()) else {
        return Ok(Sort::default());
    };
    let bad = || {
        SearchError(format!(
            "sort takes <field>:1 or <field>:-1 with a field among user_id, email, name, nickname, given_name, family_name, username, created_at, updated_at, last_login and logins_count, not '{raw}'."
        ))
    };
    let (field, order) = raw.rsplit_once(':').ok_or_else(bad)?;
    let descending = match order {
        "1" => false,
        "-1" => true,
        _ => return Err(bad()),
    };
    let key = match field {
        "user_id" => SortKey::UserId,
        "email" => SortKey::Email,
        "name" => SortKey::Attribute("name"),
        "nickname" => SortKey::Attribute("nickname"),
        "given_name" => SortKey::Attribute("given_name"),
        "family_name" => SortKey::Attribute("family_name"),
        "username" => SortKey::Attribute("username"),
        f => SortKey::Column(Column::named(f).ok_or_else(bad)?),
    };
    Ok(Sort { key, descending })
}

/// Parses `q`; blank asks for everything (`None`).
pub fn parse(q: &str) -> Result<Option<UserQuery>, SearchError> {
    if q.len() > MAX_QUERY_LEN {
        return refuse(format!("q is longer than {MAX_QUERY_LEN} characters."));
    }
    if q.trim().is_empty() {
        return Ok(None);
    }
    let mut p = Parser {
        chars: q.chars().collect(),
        at: 0,
        terms: 0,
    };
    let query = p.or(0)?;
    p.skip_ws();
    if p.at < p.chars.len() {
        return refuse(format!(
            "unexpected '{}' at character {}.",
            p.chars[p.at],
            p.at + 1
        ));
    }
    Ok(Some(query))
}

struct Parser {
    chars: Vec<char>,
    at: usize,
    terms: usize,
}

/// A value as written after `field:`.
enum Raw {
    Word { text: String, trailing_star: bool },
    Phrase(String),
    Range { text: String },
}

impl Parser {
    fn peek(&self) -> Option<char> {
        self.chars.get(self.at).copied()
    }

    fn skip_ws(&mut self) {
        while self.peek().is_some_and(char::is_whitespace) {
            self.at += 1;
        }
    }

    /// An upper-case operator word followed by a space, `(` or `"`.
    fn keyword(&mut self, word: &str) -> bool {
        let matches = self.keyword_ahead(word);
        if matches {
            self.at += word.len();
        }
        matches
    }

    /// `word` (an operator) is next, followed by a space, `(`, `"` or the end.
    fn keyword_ahead(&self, word: &str) -> bool {
        let n = word.len();
        self.chars.len() >= self.at + n
            && self.chars[self.at..self.at + n]
                .iter()
                .copied()
                .eq(word.chars())
            && self
                .chars
                .get(self.at + n)
                .is_none_or(|c| c.is_whitespace() || *c == '(' || *c == '"')
    }

    fn symbol(&mut self, s: &str) -> bool {
        let n = s.chars().count();
        let matches = self.chars.len() >= self.at + n
            && self.chars[self.at..self.at + n]
                .iter()
                .copied()
                .eq(s.chars());
        if matches {
            self.at += n;
        }
        matches
    }

    fn at_term_start(&self) -> bool {
        self.peek().is_some_and(|c| c != ')')
    }

    fn or(&mut self, depth: usize) -> Result<UserQuery, SearchError> {
        let mut items = vec![self.and(depth)?];
        loop {
            self.skip_ws();
            if self.keyword("OR") || self.symbol("||") {
                items.push(self.and(depth)?);
            } else if self.at_term_start() {
                // Lucene's default operator between bare terms is OR.
                items.push(self.and(depth)?);
            } else {
                break;
            }
        }
        Ok(one_or(items, UserQuery::Or))
    }

    fn and(&mut self, depth: usize) -> Result<UserQuery, SearchError> {
        let mut items = vec![self.unary(depth)?];
        loop {
            self.skip_ws();
            if self.keyword("AND") || self.symbol("&&") {
                items.push(self.unary(depth)?);
            } else {
                break;
            }
        }
        Ok(one_or(items, UserQuery::And))
    }

    fn unary(&mut self, depth: usize) -> Result<UserQuery, SearchError> {
        self.skip_ws();
        if self.keyword("NOT") || self.symbol("-") || self.symbol("!") {
            // A NOT nests like a parenthesis (in the SQL too): it counts.
            if depth >= MAX_DEPTH {
                return refuse(format!(
                    "q nests more than {MAX_DEPTH} parentheses and NOTs."
                ));
            }
            return Ok(UserQuery::Not(Box::new(self.unary(depth + 1)?)));
        }
        if self.symbol("(") {
            if depth >= MAX_DEPTH {
                return refuse(format!("q nests more than {MAX_DEPTH} parentheses."));
            }
            let inner = self.or(depth + 1)?;
            self.skip_ws();
            if !self.symbol(")") {
                return refuse("a '(' is not closed.");
            }
            return Ok(inner);
        }
        match self.peek() {
            None => refuse("q ends where a term was expected."),
            Some(c @ (')' | ':')) => {
                refuse(format!("unexpected '{c}' at character {}.", self.at + 1))
            }
            Some(_) if self.keyword_ahead("AND") || self.keyword_ahead("OR") => refuse(format!(
                "an operator at character {} where a term was expected.",
                self.at + 1
            )),
            Some(_) => self.term(),
        }
    }

    fn term(&mut self) -> Result<UserQuery, SearchError> {
        self.terms += 1;
        if self.terms > MAX_TERMS {
            return refuse(format!("q has more than {MAX_TERMS} terms."));
        }
        let start = self.at;
        while self
            .peek()
            .is_some_and(|c| c.is_ascii_alphanumeric() || matches!(c, '_' | '.' | '-'))
        {
            self.at += 1;
        }
        let field: Option<String> = if self.at > start && self.peek() == Some(':') {
            let f = self.chars[start..self.at].iter().collect();
            self.at += 1;
            Some(f)
        } else {
            self.at = start;
            None
        };
        let raw = self.value()?;
        Ok(UserQuery::Match(to_match(field.as_deref(), raw)?))
    }

    fn value(&mut self) -> Result<Raw, SearchError> {
        match self.peek() {
            Some('"') => {
                self.at += 1;
                let mut text = String::new();
                loop {
                    match self.peek() {
                        None => return refuse("a quoted phrase is not closed."),
                        Some('"') => {
                            self.at += 1;
                            break;
                        }
                        Some('\\') => {
                            self.at += 1;
                            let Some(c) = self.peek() else {
                                return refuse("q ends in an escape.");
                            };
                            text.push(c);
                            self.at += 1;
                        }
                        Some(c) => {
                            text.push(c);
                            self.at += 1;
                        }
                    }
                }
                Ok(Raw::Phrase(text))
            }
            Some(open @ ('[' | '{')) => {
                let start = self.at;
                while let Some(c) = self.peek() {
                    self.at += 1;
                    if c == ']' || c == '}' {
                        return Ok(Raw::Range {
                            text: self.chars[start..self.at].iter().collect(),
                        });
                    }
                }
                refuse(format!("a range opened with '{open}' is not closed."))
            }
            _ => {
                let mut text = String::new();
                let mut trailing_star = false;
                while let Some(c) = self.peek() {
                    if c.is_whitespace() || c == ')' {
                        break;
                    }
                    self.at += 1;
                    match c {
                        '\\' => {
                            let Some(e) = self.peek() else {
                                return refuse("q ends in an escape.");
                            };
                            text.push(e);
                            self.at += 1;
                        }
                        '*' if self.peek().is_none_or(|n| n.is_whitespace() || n == ')') => {
                            trailing_star = true;
                        }
                        '*' | '?' => {
                            return refuse(
                                "only a trailing * is a wildcard here (name:jo*); a leading or inner wildcard is not supported.",
                            );
                        }
                        '(' | '"' | '[' | '{' | ':' => {
                            return refuse(format!(
                                "unexpected '{c}' at character {} (quote values that contain it).",
                                self.at
                            ));
                        }
                        c => text.push(c),
                    }
                }
                if text.is_empty() && !trailing_star {
                    return refuse("a term has no value.");
                }
                Ok(Raw::Word {
                    text,
                    trailing_star,
                })
            }
        }
    }
}

fn one_or(mut items: Vec<UserQuery>, wrap: fn(Vec<UserQuery>) -> UserQuery) -> UserQuery {
    if items.len() == 1 {
        items.remove(0)
    } else {
        wrap(items)
    }
}

const FIELDS: &str = "user_id, email, email.domain, email_verified, blocked, name, nickname, given_name, family_name, username, identities.connection, identities.provider, app_metadata.<path>, user_metadata.<path>, logins_count, created_at, updated_at, last_login and _exists_";

/// The attribute path a field name searches, if it is one.
fn attribute_path(field: &str) -> Option<&str> {
    const PLAIN: [&str; 13] = [
        "user_id",
        "email",
        "email.domain",
        "email_verified",
        "blocked",
        "name",
        "nickname",
        "given_name",
        "family_name",
        "username",
        "identities.connection",
        "identities.provider",
        "identities.user_id",
    ];
    if PLAIN.contains(&field) {
        return Some(field);
    }
    let (root, rest) = field.split_once('.')?;
    let valid = matches!(root, "app_metadata" | "user_metadata")
        && rest.split('.').all(|s| {
            !s.is_empty()
                && s.chars()
                    .all(|c| c.is_ascii_alphanumeric() || c == '_' || c == '-')
        });
    valid.then_some(field)
}

fn normalised(path: &str) -> bool {
    NORMALISED.contains(&path)
}

fn to_match(field: Option<&str>, raw: Raw) -> Result<Match, SearchError> {
    let Some(field) = field else {
        return Ok(match raw {
            Raw::Word {
                text,
                trailing_star,
            } => Match::Attribute {
                paths: Paths::Normalised,
                value: text.to_lowercase(),
                prefix: trailing_star,
            },
            Raw::Phrase(text) => Match::Attribute {
                paths: Paths::Normalised,
                value: text.to_lowercase(),
                prefix: false,
            },
            Raw::Range { .. } => return refuse("a range needs a field (logins_count:[1 TO 5])."),
        });
    };
    if field == "_exists_" {
        let name = match &raw {
            Raw::Word {
                text,
                trailing_star: false,
            } => text.as_str(),
            Raw::Phrase(text) => text.as_str(),
            _ => return refuse("_exists_ takes a field name."),
        };
        return exists(name);
    }
    if let Raw::Word {
        text,
        trailing_star: true,
    } = &raw
        && text.is_empty()
    {
        return exists(field);
    }
    if let Some(column) = Column::named(field) {
        let (from, to) = match raw {
            Raw::Range { text } => range(column, &text)?,
            Raw::Word {
                text,
                trailing_star: false,
            }
            | Raw::Phrase(text) => exact(column, &text)?,
            Raw::Word { .. } => {
                return refuse(format!("{field} takes a value or a range, not a wildcard."));
            }
        };
        return Ok(Match::Range { column, from, to });
    }
    let Some(path) = attribute_path(field) else {
        return refuse(format!(
            "'{field}' is not a field Portcullis searches (it searches {FIELDS})."
        ));
    };
    let user_metadata = path.starts_with("user_metadata.");
    let (mut value, prefix) = match raw {
        Raw::Word {
            text,
            trailing_star: true,
        } if text.is_empty() => return exists(path),
        Raw::Word {
            text,
            trailing_star,
        } => (text, trailing_star),
        Raw::Phrase(text) => (text, false),
        Raw::Range { .. } => {
            return refuse(format!(
                "ranges are supported on logins_count, created_at, updated_at and last_login, not on {field}."
            ));
        }
    };
    if prefix && user_metadata {
        return refuse("wildcards are not available on user_metadata fields.");
    }
    if matches!(path, "email_verified" | "blocked") && !matches!(value.as_str(), "true" | "false") {
        return refuse(format!("{field} is true or false, not '{value}'."));
    }
    if normalised(path) || path == "email.domain" {
        value = value.to_lowercase();
    }
    Ok(Match::Attribute {
        paths: Paths::One(path.to_string()),
        value,
        prefix,
    })
}

fn exists(field: &str) -> Result<Match, SearchError> {
    if let Some(column) = Column::named(field) {
        return Ok(Match::Range {
            column,
            from: None,
            to: None,
        });
    }
    match attribute_path(field) {
        Some(path) => Ok(Match::Exists {
            path: path.to_string(),
        }),
        None => refuse(format!(
            "'{field}' is not a field Portcullis searches (it searches {FIELDS})."
        )),
    }
}

/// A single value: a count, or an instant (a day means the whole day).
fn exact(column: Column, raw: &str) -> Result<(Option<i64>, Option<i64>), SearchError> {
    if column == Column::LoginsCount {
        let n = count(raw)?;
        return Ok((n, n));
    }
    range(column, &format!("[{raw} TO {raw}]"))
}

fn count(raw: &str) -> Result<Option<i64>, SearchError> {
    let raw = raw.trim();
    if raw == "*" {
        return Ok(None);
    }
    raw.parse::<i64>()
        .map(Some)
        .map_err(|_| SearchError(format!("logins_count is a whole number, not '{raw}'.")))
}

/// `[a TO b]`, `{a TO b}` or a mix (Lucene: `[`/`]` include their end, `{`/`}`
/// exclude it) on a column, as inclusive bounds. A day as an included upper end
/// is the whole day.
fn range(column: Column, text: &str) -> Result<(Option<i64>, Option<i64>), SearchError> {
    let bad = || {
        SearchError(format!(
            "{} takes a range such as {}, not '{text}'.",
            column.sql(),
            if column == Column::LoginsCount {
                "[1 TO 10]"
            } else {
                "[2026-11-30 TO *]"
            }
        ))
    };
    let mut chars = text.chars();
    let (Some(open), Some(close)) = (chars.next(), chars.next_back()) else {
        return Err(bad());
    };
    let (from_included, to_included) = match (open, close) {
        ('[' | '{', ']' | '}') => (open == '[', close == ']'),
        _ => return Err(bad()),
    };
    let (a, b) = chars.as_str().split_once(" TO ").ok_or_else(bad)?;
    let end = |raw: &str, upper: bool| -> Result<Option<i64>, SearchError> {
        if column == Column::LoginsCount {
            count(raw)
        } else {
            log_query::instant(raw, upper).map_err(|e| {
                SearchError(
                    e.0.trim_start_matches("Query validation error: ")
                        .to_string(),
                )
            })
        }
    };
    let mut from = end(a, false)?;
    let mut to = end(b, to_included)?;
    if !from_included {
        from = from.map(|f| f.saturating_add(1));
    }
    if !to_included {
        to = to.map(|t| t.saturating_sub(1));
    }
    Ok((from, to))
}

/// The `(path, value)` pairs of `user` that a query can match, sorted and
/// without duplicates. Normalised fields are lower-cased; booleans are `true`
/// or `false`; numbers their JSON text; strings as they are. Values longer than
/// [`MAX_VALUE_LEN`] and anything past [`MAX_ATTRIBUTES`] are left out.
pub fn attributes(user: &User) -> Vec<(String, String)> {
    fn put(out: &mut BTreeSet<(String, String)>, path: &str, value: String) {
        if !value.is_empty() && value.len() <= MAX_VALUE_LEN && path.len() <= MAX_PATH_LEN {
            let value = if normalised(path) || path == "email.domain" {
                value.to_lowercase()
            } else {
                value
            };
            out.insert((path.to_string(), value));
        }
    }
    // The profile's own fields first, never crowded out by metadata.
    let mut out: BTreeSet<(String, String)> = BTreeSet::new();
    out.insert(("user_id".to_string(), user.user_id.clone()));
    put(&mut out, "email", user.email.clone());
    if let Some((_, domain)) = user.email.rsplit_once('@') {
        put(&mut out, "email.domain", domain.to_string());
    }
    put(&mut out, "email_verified", user.email_verified.to_string());
    put(&mut out, "blocked", user.blocked.to_string());
    put(&mut out, "name", user.name.clone());
    put(&mut out, "nickname", user.nickname.clone());
    for (path, v) in [
        ("given_name", &user.given_name),
        ("family_name", &user.family_name),
        ("username", &user.username),
    ] {
        if let Some(v) = v {
            put(&mut out, path, v.clone());
        }
    }
    for identity in &user.identities {
        put(
            &mut out,
            "identities.connection",
            identity.connection.clone(),
        );
        put(&mut out, "identities.provider", identity.provider.clone());
        put(&mut out, "identities.user_id", identity.user_id.clone());
    }
    // Then metadata, up to MAX_ATTRIBUTES in all.
    let mut leaves = Vec::new();
    for (root, map) in [
        ("app_metadata", &user.app_metadata),
        ("user_metadata", &user.user_metadata),
    ] {
        for (k, v) in map {
            flatten(&format!("{root}.{k}"), v, &mut leaves);
        }
    }
    let room = MAX_ATTRIBUTES.saturating_sub(out.len());
    let mut meta = BTreeSet::new();
    for (path, value) in leaves {
        if meta.len() >= room {
            break;
        }
        put(&mut meta, &path, value);
    }
    out.extend(meta);
    out.into_iter().collect()
}

/// Scalars under `path` (objects by their dotted path, arrays looked through).
fn flatten(path: &str, v: &Value, out: &mut Vec<(String, String)>) {
    if out.len() >= MAX_ATTRIBUTES {
        return;
    }
    match v {
        Value::Null => {}
        Value::Bool(b) => out.push((path.to_string(), b.to_string())),
        Value::Number(n) => out.push((path.to_string(), n.to_string())),
        Value::String(s) => out.push((path.to_string(), s.clone())),
        Value::Array(items) => items.iter().for_each(|i| flatten(path, i, out)),
        Value::Object(map) => {
            for (k, v) in map {
                flatten(&format!("{path}.{k}"), v, out);
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn m(q: &str) -> UserQuery {
        parse(q).unwrap().unwrap()
    }

    fn attr(path: &str, value: &str, prefix: bool) -> UserQuery {
        UserQuery::Match(Match::Attribute {
            paths: Paths::One(path.into()),
            value: value.into(),
            prefix,
        })
    }

    #[test]
    fn normalised_fields_match_case_insensitively_metadata_does_not() {
        assert_eq!(
            m(r#"email:"Jo@Example.COM""#),
            attr("email", "jo@example.com", false)
        );
        assert_eq!(m("name:Jo*"), attr("name", "jo", true));
        assert_eq!(
            m("app_metadata.plan:Gold"),
            attr("app_metadata.plan", "Gold", false)
        );
    }

    #[test]
    fn operators_group_with_and_binding_tighter_than_or() {
        let q = m("name:a OR name:b AND blocked:true");
        assert_eq!(
            q,
            UserQuery::Or(vec![
                attr("name", "a", false),
                UserQuery::And(vec![
                    attr("name", "b", false),
                    attr("blocked", "true", false)
                ]),
            ])
        );
        let q = m("(name:a OR name:b) AND NOT blocked:true");
        assert_eq!(
            q,
            UserQuery::And(vec![
                UserQuery::Or(vec![attr("name", "a", false), attr("name", "b", false)]),
                UserQuery::Not(Box::new(attr("blocked", "true", false))),
            ])
        );
        // Side by side without an operator: OR, as Lucene.
        assert_eq!(
            m("name:a name:b"),
            UserQuery::Or(vec![attr("name", "a", false), attr("name", "b", false)])
        );
    }

    #[test]
    fn phrases_keep_spaces_and_escapes_and_stars_literally() {
        assert_eq!(
            m(r#"name:"Jane \"J\" Smith*""#),
            attr("name", "jane \"j\" smith*", false)
        );
        assert_eq!(m(r"user_id:auth0\|1"), attr("user_id", "auth0|1", false));
    }

    #[test]
    fn bare_terms_search_the_normalised_fields() {
        assert_eq!(
            m("Jo*"),
            UserQuery::Match(Match::Attribute {
                paths: Paths::Normalised,
                value: "jo".into(),
                prefix: true
            })
        );
    }

    #[test]
    fn ranges_on_counts_and_instants() {
        assert_eq!(
            m("logins_count:{1 TO 10]"),
            UserQuery::Match(Match::Range {
                column: Column::LoginsCount,
                from: Some(2),
                to: Some(10)
            })
        );
        assert_eq!(
            m("logins_count:3"),
            UserQuery::Match(Match::Range {
                column: Column::LoginsCount,
                from: Some(3),
                to: Some(3)
            })
        );
        assert_eq!(
            m("created_at:[2026-12-01 TO *]"),
            UserQuery::Match(Match::Range {
                column: Column::CreatedAt,
                from: Some(1_796_083_200),
                to: None
            })
        );
        assert_eq!(
            m("last_login:2026-12-01"),
            UserQuery::Match(Match::Range {
                column: Column::LastLogin,
                from: Some(1_796_083_200),
                to: Some(1_796_083_200 + 86_399)
            })
        );
    }

    #[test]
    fn existence_terms() {
        let e = UserQuery::Match(Match::Exists {
            path: "app_metadata.plan".into(),
        });
        assert_eq!(m("_exists_:app_metadata.plan"), e);
        assert_eq!(m("app_metadata.plan:*"), e);
    }

    #[test]
    fn what_is_not_supported_is_refused_with_a_reason() {
        for q in [
            "phone_number:123",
            "name:*son",
            "name:j*n",
            "name:jo?",
            "user_metadata.city:Par*",
            "user_metadata.age:[1 TO 5]",
            "name:[a TO b]",
            "blocked:maybe",
            "logins_count:many",
            "created_at:yesterday",
            "(name:a",
            "name:a)",
            "name:\"open",
            "name:",
            "AND",
            "name:a AND",
            "app_metadata.:x",
            "app_metadata:x",
            ":x",
        ] {
            let got = parse(q);
            assert!(got.is_err(), "{q} gave {got:?}");
        }
        let deep = format!(
            "{}name:a{}",
            "(".repeat(MAX_DEPTH + 1),
            ")".repeat(MAX_DEPTH + 1)
        );
        assert!(parse(&deep).is_err());
        let many = vec!["name:a"; MAX_TERMS + 1].join(" OR ");
        assert!(parse(&many).is_err());
        assert!(parse(&"a".repeat(MAX_QUERY_LEN + 1)).is_err());
    }

    #[test]
    fn a_long_run_of_nots_is_refused_not_recursed() {
        let q = format!("{}a", "!".repeat(1001));
        assert!(parse(&q).is_err());
        let q = format!("{}name:a", "NOT ".repeat(MAX_DEPTH + 1));
        assert!(parse(&q).is_err());
        assert!(parse(&format!("{}name:a", "NOT ".repeat(MAX_DEPTH))).is_ok());
    }

    #[test]
    fn star_alone_on_a_column_asks_for_its_presence() {
        assert_eq!(
            m("last_login:*"),
            UserQuery::Match(Match::Range {
                column: Column::LastLogin,
                from: None,
                to: None
            })
        );
    }

    #[test]
    fn metadata_never_crowds_out_the_profile() {
        let mut u: User = serde_json::from_value(serde_json::json!({
            "user_id": "auth0|1", "email": "jo@example.com", "email_verified": false,
            "name": "Jo", "nickname": "jo", "picture": "", "blocked": false,
            "user_metadata": {}, "app_metadata": {}, "identities": [],
            "created_at": "x", "updated_at": "x"
        }))
        .unwrap();
        for i in 0..2 * MAX_ATTRIBUTES {
            u.app_metadata.insert(format!("k{i}"), Value::from(i));
        }
        u.app_metadata
            .insert("x".repeat(MAX_PATH_LEN), Value::from("long path"));
        let a = attributes(&u);
        assert!(a.len() <= MAX_ATTRIBUTES);
        for field in ["user_id", "email", "name", "blocked"] {
            assert!(a.iter().any(|(p, _)| p == field), "{field} kept");
        }
        assert!(a.iter().all(|(p, _)| p.len() <= MAX_PATH_LEN));
    }

    #[test]
    fn blank_asks_for_everything() {
        assert_eq!(parse("  ").unwrap(), None);
    }

    #[test]
    fn sort_parses_known_fields_only() {
        assert_eq!(parse_sort(None).unwrap(), Sort::default());
        assert_eq!(
            parse_sort(Some("name:-1")).unwrap(),
            Sort {
                key: SortKey::Attribute("name"),
                descending: true
            }
        );
        assert_eq!(
            parse_sort(Some("last_login:1")).unwrap().key,
            SortKey::Column(Column::LastLogin)
        );
        for bad in ["name", "name:2", "app_metadata.x:1", "password:1"] {
            assert!(parse_sort(Some(bad)).is_err(), "{bad}");
        }
    }

    #[test]
    fn attributes_flatten_metadata_and_normalise() {
        let mut u: User = serde_json::from_value(serde_json::json!({
            "user_id": "auth0|1", "email": "jo@example.com", "email_verified": true,
            "name": "Jo Smith", "nickname": "jo", "picture": "", "blocked": false,
            "user_metadata": {"city": "Paris", "empty": "", "none": null},
            "app_metadata": {"plan": {"tier": "Gold"}, "tags": ["a", "b"], "n": 3, "on": true},
            "identities": [{"connection": "Username-Password-Authentication", "provider": "auth0", "user_id": "1", "isSocial": false}],
            "created_at": "x", "updated_at": "x"
        }))
        .unwrap();
        u.app_metadata
            .insert("long".into(), Value::String("x".repeat(MAX_VALUE_LEN + 1)));
        let a = attributes(&u);
        let has = |p: &str, v: &str| a.contains(&(p.to_string(), v.to_string()));
        assert!(has("name", "jo smith"));
        assert!(has("email.domain", "example.com"));
        assert!(has("email_verified", "true"));
        assert!(has("app_metadata.plan.tier", "Gold"));
        assert!(has("app_metadata.tags", "a") && has("app_metadata.tags", "b"));
        assert!(has("app_metadata.n", "3") && has("app_metadata.on", "true"));
        assert!(has("user_metadata.city", "Paris"));
        assert!(has(
            "identities.connection",
            "Username-Password-Authentication"
        ));
        assert!(!a.iter().any(|(p, _)| p == "user_metadata.empty"
            || p == "user_metadata.none"
            || p == "app_metadata.long"
            || p == "picture"));
    }
}
