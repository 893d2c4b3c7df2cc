//! Auth0's bulk user import (`POST /api/v2/jobs/users-imports`): the users
//! file, read as a stream ([`ArraySplitter`]), each user checked against
//! Auth0's schema ([`parse_row`]) and, with `upsert`, merged into the user
//! that has its e-mail ([`upsert`]).
//!
//! Invariants:
//! - the file is a JSON array of objects; anything else fails the whole job
//!   before any user is written (a malformed upload is never half-imported);
//! - a user that breaks the schema is reported with Auth0's codes
//!   (`INVALID_TYPE`, `FORMAT`, `DUPLICATED_USER`, …), its secrets masked
//!   (`*****`), and the others are imported;
//! - the file is read in bounded memory: one user at a time, each at most
//!   [`MAX_USER_BYTES`].

use serde::Serialize;
use serde_json::Value;

use crate::UnixTime;
use crate::clock::iso8601;
use crate::custom_password_hash::{self, ImportedHash, RefusalKind, json_type};
use crate::users::{DatabaseConnection, User, UserCreate, UserRefusal};

/// One user of the file may take at most this many bytes.
pub const MAX_USER_BYTES: usize = 1 << 20;

/// Auth0's codes of a user's import error.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
pub enum ErrorCode {
    AnyOfMissing,
    Conflict,
    ConflictEmail,
    ConflictUsername,
    DuplicatedUser,
    EnumMismatch,
    Format,
    InvalidType,
    MaxLength,
    MfaFactorsFailed,
    NotPassed,
    ObjectAdditionalProperties,
    ObjectRequired,
    Pattern,
}

/// One problem of one user (`errors[]` of `GET /jobs/{id}/errors`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct RowError {
    pub code: ErrorCode,
    pub message: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub path: Option<String>,
}

impl RowError {
    pub fn new(code: ErrorCode, message: impl Into<String>, path: Option<&str>) -> Self {
        Self {
            code,
            message: message.into(),
            path: path.map(str::to_string),
        }
    }

    /// Auth0's answer to a user that exists when `upsert` is false.
    pub fn exists() -> Self {
        Self::new(
            ErrorCode::DuplicatedUser,
            "The user already exist and upsert parameter is false",
            None,
        )
    }

    /// A user given twice in one file.
    pub fn given_twice(what: &str) -> Self {
        Self::new(
            ErrorCode::DuplicatedUser,
            format!("A user with this {what} was already provided."),
            Some(what),
        )
    }
}

/// A user of the file, checked: the record to write and its password hash
/// (stored form), and which properties were given (for `upsert`).
#[derive(Debug, Clone)]
pub struct ImportRow {
    pub user: User,
    pub password_hash: Option<String>,
    given: Vec<String>,
}

/// The properties of Auth0's import schema and their JSON types.
const PROPERTIES: &[(&str, &str)] = &[
    ("email", "string"),
    ("email_verified", "boolean"),
    ("user_id", "string"),
    ("username", "string"),
    ("given_name", "string"),
    ("family_name", "string"),
    ("name", "string"),
    ("nickname", "string"),
    ("picture", "string"),
    ("blocked", "boolean"),
    ("app_metadata", "object"),
    ("user_metadata", "object"),
    ("password_hash", "string"),
    ("custom_password_hash", "object"),
    ("mfa_factors", "array"),
];

/// `app_metadata` may not hold these (Auth0's reserved names).
const RESERVED_APP_METADATA: &[&str] = &[
    "__tenant",
    "_id",
    "blocked",
    "clientID",
    "created_at",
    "email_verified",
    "email",
    "globalClientID",
    "global_client_id",
    "identities",
    "lastIP",
    "lastLogin",
    "loginsCount",
    "metadata",
    "multifactor_last_modified",
    "multifactor",
    "updated_at",
    "user_id",
];

/// What `upsert` may change in an existing user (Auth0's "Upsert during
/// import" column); the rest is kept.
const UPSERTABLE: &[&str] = &[
    "app_metadata",
    "user_metadata",
    "email_verified",
    "given_name",
    "family_name",
    "name",
    "nickname",
    "picture",
    "custom_password_hash",
];

/// The user as reported in `GET /jobs/{id}/errors`: as uploaded, with hash
/// values and keys replaced by `*****`.
pub fn masked(v: &Value) -> Value {
    let mut v = v.clone();
    if let Some(o) = v.as_object_mut() {
        if o.contains_key("password_hash") {
            o.insert("password_hash".into(), "*****".into());
        }
        if let Some(Value::Object(hash)) = o
            .get_mut("custom_password_hash")
            .and_then(|c| c.get_mut("hash"))
        {
            if hash.contains_key("value") {
                hash.insert("value".into(), "*****".into());
            }
            if let Some(Value::Object(key)) = hash.get_mut("key") {
                key.insert("value".into(), "*****".into());
            }
        }
    }
    v
}

fn hash_error(r: custom_password_hash::Refusal) -> RowError {
    let code = match r.kind {
        RefusalKind::Required => ErrorCode::ObjectRequired,
        RefusalKind::Type => ErrorCode::InvalidType,
        RefusalKind::Enum => ErrorCode::EnumMismatch,
        RefusalKind::Format | RefusalKind::Range => ErrorCode::Format,
        RefusalKind::NotAllowed => ErrorCode::ObjectAdditionalProperties,
    };
    RowError::new(code, r.message, Some(&r.path))
}

/// Checks one user of the file against Auth0's schema and the connection's
/// rules, and builds the record (`user_id_hex` unless the user names one).
pub fn parse_row(
    v: &Value,
    db: &DatabaseConnection,
    user_id_hex: String,
    issuer: &str,
    now: UnixTime,
) -> Result<ImportRow, Vec<RowError>> {
    let Value::Object(o) = v else {
        return Err(vec![RowError::new(
            ErrorCode::InvalidType,
            format!("Expected type object but found type {}", json_type(v)),
            None,
        )]);
    };
    let mut errors = Vec::new();
    for (key, value) in o {
        match PROPERTIES.iter().find(|(k, _)| k == key) {
            None => errors.push(RowError::new(
                ErrorCode::ObjectAdditionalProperties,
                format!("Additional properties not allowed: {key}"),
                Some(key),
            )),
            Some((_, want)) if json_type(value) != *want => errors.push(RowError::new(
                ErrorCode::InvalidType,
                format!("Expected type {want} but found type {}", json_type(value)),
                Some(key),
            )),
            Some(_) => {}
        }
    }
    if !o.contains_key("email") {
        errors.push(RowError::new(
            ErrorCode::ObjectRequired,
            "Missing required property: email",
            Some("email"),
        ));
    }
    if let Some(Value::Object(app)) = o.get("app_metadata")
        && let Some(reserved) = RESERVED_APP_METADATA.iter().find(|k| app.contains_key(**k))
    {
        errors.push(RowError::new(
            ErrorCode::NotPassed,
            format!("app_metadata must not contain the reserved property {reserved}"),
            Some("app_metadata"),
        ));
    }
    if o.contains_key("password_hash") && o.contains_key("custom_password_hash") {
        errors.push(RowError::new(
            ErrorCode::NotPassed,
            "password_hash and custom_password_hash are mutually exclusive",
            Some("custom_password_hash"),
        ));
    }
    if o.contains_key("mfa_factors") {
        // Honest until MFA exists (issue 20): refused, never dropped silently.
        errors.push(RowError::new(
            ErrorCode::MfaFactorsFailed,
            "MFA factors cannot be imported yet: remove mfa_factors to import this user",
            Some("mfa_factors"),
        ));
    }
    if !errors.is_empty() {
        return Err(errors);
    }
    let password_hash = match (o.get("password_hash"), o.get("custom_password_hash")) {
        (Some(Value::String(h)), _) => Some(custom_password_hash::from_password_hash(h)),
        (_, Some(c)) => Some(custom_password_hash::parse(c)),
        _ => None,
    }
    .transpose()
    .map_err(|r| vec![hash_error(r)])?
    .map(|h: ImportedHash| h.to_stored());
    let mut fields = o.clone();
    fields.remove("password_hash");
    fields.remove("custom_password_hash");
    fields.insert("connection".into(), Value::String(db.name.clone()));
    let given = o.keys().cloned().collect();
    let create: UserCreate = serde_json::from_value(Value::Object(fields))
        .map_err(|e| vec![RowError::new(ErrorCode::InvalidType, e.to_string(), None)])?;
    let user = create
        .into_imported_user(db, user_id_hex, issuer, now)
        .map_err(|r| vec![refusal_error(&r)])?;
    Ok(ImportRow {
        user,
        password_hash,
        given,
    })
}

/// A validation refusal of the user record, with the property it names.
fn refusal_error(r: &UserRefusal) -> RowError {
    let message = r.message();
    // "Payload validation error: <problem> on property <field>."
    let path = message
        .rsplit_once(" on property ")
        .map(|(_, f)| f.trim_end_matches('.').to_string());
    let code = match path.as_deref() {
        Some("email") => ErrorCode::Format,
        Some("username" | "user_id") => ErrorCode::Pattern,
        Some("name" | "nickname") => ErrorCode::MaxLength,
        _ => ErrorCode::Format,
    };
    RowError::new(code, message, path.as_deref())
}

impl ImportRow {
    /// Whether the file named the user's id (else it was made here).
    pub fn given_user_id(&self) -> bool {
        self.given.iter().any(|g| g == "user_id")
    }

    /// The keys by which a user given twice in one file is recognised.
    pub fn keys(&self) -> Vec<(&'static str, String)> {
        let mut keys = vec![
            ("email", self.user.email.clone()),
            ("user_id", self.user.user_id.clone()),
        ];
        if let Some(u) = &self.user.username {
            keys.push(("username", u.to_lowercase()));
        }
        keys
    }
}

/// `upsert`: the existing user (found by e-mail) with the upsertable
/// properties this row gives; metadata objects are replaced whole (Auth0's
/// rule). `existing_hash` is the stored hash: a `custom_password_hash` may
/// replace only one that was itself imported and never used to sign in.
pub fn upsert(
    existing: &User,
    existing_hash: Option<&str>,
    row: &ImportRow,
    now: UnixTime,
) -> Result<(User, Option<String>), RowError> {
    let mut u = existing.clone();
    let given = |k: &str| row.given.iter().any(|g| g == k) && UPSERTABLE.contains(&k);
    if given("app_metadata") {
        u.app_metadata = row.user.app_metadata.clone();
    }
    if given("user_metadata") {
        u.user_metadata = row.user.user_metadata.clone();
    }
    if given("email_verified") {
        u.email_verified = row.user.email_verified;
    }
    if given("given_name") {
        u.given_name = row.user.given_name.clone();
    }
    if given("family_name") {
        u.family_name = row.user.family_name.clone();
    }
    if given("name") {
        u.name = row.user.name.clone();
    }
    if given("nickname") {
        u.nickname = row.user.nickname.clone();
    }
    if given("picture") {
        u.picture = row.user.picture.clone();
    }
    let hash = if row.given.iter().any(|g| g == "custom_password_hash") {
        let replaceable = existing_hash.is_none_or(|h| h.starts_with(custom_password_hash::PREFIX));
        if !replaceable {
            return Err(RowError::new(
                ErrorCode::Conflict,
                "A custom_password_hash was provided, but the user already has password hash defined.",
                Some("custom_password_hash"),
            ));
        }
        row.password_hash.clone()
    } else {
        None
    };
    u.updated_at = iso8601(now);
    Ok((u, hash))
}

/// Why the file cannot be read (the job fails with this message).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum FileError {
    #[error("The users file must be a JSON array of users.")]
    NotAnArray,
    #[error("The users file is not valid JSON: user {index} (byte {offset}): {reason}")]
    Syntax {
        index: u64,
        offset: u64,
        reason: String,
    },
    #[error("The users file is not valid JSON: it ends before its closing ']'.")]
    Truncated,
    #[error("User {index} of the users file is larger than {MAX_USER_BYTES} bytes.")]
    TooLarge { index: u64 },
    #[error("Users file must not be empty.")]
    Empty,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Place {
    /// Before the opening `[`.
    Start,
    /// Inside the array, before a user (or `]`).
    BeforeUser { first: bool },
    /// Inside a user.
    InUser,
    /// After a user, before `,` or `]`.
    AfterUser,
    /// After the closing `]`.
    End,
}

/// Splits a JSON array read piece by piece into its elements' bytes, holding
/// at most one element: the users file of any size in bounded memory. Each
/// element's own syntax is left to `serde_json` ([`ArraySplitter::parse`]).
#[derive(Debug)]
pub struct ArraySplitter {
    place: Place,
    depth: u32,
    in_string: bool,
    escaped: bool,
    current: Vec<u8>,
    offset: u64,
    started_at: u64,
    count: u64,
}

impl Default for ArraySplitter {
    fn default() -> Self {
        Self::new()
    }
}

impl ArraySplitter {
    pub fn new() -> Self {
        Self {
            place: Place::Start,
            depth: 0,
            in_string: false,
            escaped: false,
            current: Vec::new(),
            offset: 0,
            started_at: 0,
            count: 0,
        }
    }

    /// How many users were read so far.
    pub fn count(&self) -> u64 {
        self.count
    }

    fn syntax(&self, reason: &str) -> FileError {
        FileError::Syntax {
            index: self.count,
            offset: self.offset,
            reason: reason.to_string(),
        }
    }

    /// Feeds the next bytes; each complete user is handed to `each` as a
    /// parsed JSON value.
    pub fn feed(&mut self, bytes: &[u8], each: &mut dyn FnMut(Value)) -> Result<(), FileError> {
        for &b in bytes {
            self.step(b, each)?;
            self.offset += 1;
        }
        Ok(())
    }

    fn step(&mut self, b: u8, each: &mut dyn FnMut(Value)) -> Result<(), FileError> {
        let space = matches!(b, b' ' | b'\n' | b'\r' | b'\t');
        match self.place {
            Place::Start => {
                // A UTF-8 byte-order mark is tolerated before the array.
                if space || (self.offset < 3 && [0xef, 0xbb, 0xbf].contains(&b)) {
                    return Ok(());
                }
                if b != b'[' {
                    return Err(FileError::NotAnArray);
                }
                self.place = Place::BeforeUser { first: true };
            }
            Place::BeforeUser { first } => {
                if space {
                    return Ok(());
                }
                if b == b']' {
                    if !first {
                        return Err(self.syntax("a ',' before ']'"));
                    }
                    self.place = Place::End;
                    return Ok(());
                }
                self.place = Place::InUser;
                self.started_at = self.offset;
                self.current.clear();
                return self.in_user(b, each);
            }
            Place::InUser => return self.in_user(b, each),
            Place::AfterUser => match b {
                _ if space => {}
                b',' => self.place = Place::BeforeUser { first: false },
                b']' => self.place = Place::End,
                _ => return Err(self.syntax("expected ',' or ']' after a user")),
            },
            Place::End => {
                if !space {
                    return Err(self.syntax("text after the closing ']'"));
                }
            }
        }
        Ok(())
    }

    fn in_user(&mut self, b: u8, each: &mut dyn FnMut(Value)) -> Result<(), FileError> {
        // A scalar element ends at the first delimiter outside a string.
        let scalar = self
            .current
            .first()
            .is_some_and(|f| !matches!(f, b'{' | b'['));
        if self.depth == 0
            && !self.in_string
            && (scalar || self.current.is_empty())
            && matches!(b, b',' | b']' | b' ' | b'\n' | b'\r' | b'\t')
            && !self.current.is_empty()
        {
            self.complete(each)?;
            return self.step(b, each);
        }
        if self.current.len() >= MAX_USER_BYTES {
            return Err(FileError::TooLarge { index: self.count });
        }
        self.current.push(b);
        if self.in_string {
            if self.escaped {
                self.escaped = false;
            } else if b == b'\\' {
                self.escaped = true;
            } else if b == b'"' {
                self.in_string = false;
                if self.depth == 0 {
                    return self.complete(each);
                }
            }
            return Ok(());
        }
        match b {
            b'"' => self.in_string = true,
            b'{' | b'[' => self.depth += 1,
            b'}' | b']' => {
                self.depth = self
                    .depth
                    .checked_sub(1)
                    .ok_or_else(|| self.syntax("unbalanced brackets"))?;
                if self.depth == 0 {
                    return self.complete(each);
                }
            }
            _ => {}
        }
        Ok(())
    }

    fn complete(&mut self, each: &mut dyn FnMut(Value)) -> Result<(), FileError> {
        let value: Value =
            serde_json::from_slice(&self.current).map_err(|e| FileError::Syntax {
                index: self.count,
                offset: self.started_at,
                reason: e.to_string(),
            })?;
        self.current.clear();
        self.count += 1;
        self.place = Place::AfterUser;
        each(value);
        Ok(())
    }

    /// The end of the file: an error unless the array was closed.
    pub fn finish(&self) -> Result<(), FileError> {
        match self.place {
            Place::End if self.count == 0 => Err(FileError::Empty),
            Place::End => Ok(()),
            Place::Start => Err(FileError::Empty),
            _ => Err(FileError::Truncated),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn split(chunks: &[&str]) -> Result<Vec<Value>, FileError> {
        let mut s = ArraySplitter::new();
        let mut out = Vec::new();
        for c in chunks {
            s.feed(c.as_bytes(), &mut |v| out.push(v))?;
        }
        s.finish()?;
        Ok(out)
    }

    #[test]
    fn splits_an_array_fed_in_arbitrary_pieces() {
        let text = r#" [ {"email":"a@x.io","user_metadata":{"s":"}],\"["}} , {"email":"b@x.io"},
            "odd", 12 ] "#;
        let whole = split(&[text]).unwrap();
        assert_eq!(whole.len(), 4);
        assert_eq!(whole[0]["user_metadata"]["s"], "}],\"[");
        assert_eq!(whole[2], json!("odd"));
        assert_eq!(whole[3], json!(12));
        // Byte by byte gives the same users.
        let bytes: Vec<String> = text.chars().map(String::from).collect();
        let pieces: Vec<&str> = bytes.iter().map(String::as_str).collect();
        assert_eq!(split(&pieces).unwrap(), whole);
    }

    #[test]
    fn malformed_files_fail_whole() {
        assert_eq!(
            split(&[r#"{"email":"a@x.io"}"#]),
            Err(FileError::NotAnArray)
        );
        assert_eq!(split(&["[]"]), Err(FileError::Empty));
        assert_eq!(split(&["  "]), Err(FileError::Empty));
        assert_eq!(
            split(&[r#"[{"email":"a@x.io"}"#]),
            Err(FileError::Truncated)
        );
        assert!(matches!(
            split(&[r#"[{"email":"a@x.io"} {"email":"b@x.io"}]"#]),
            Err(FileError::Syntax { index: 1, .. })
        ));
        assert!(matches!(
            split(&[r#"[{"email":"a@x.io",}]"#]),
            Err(FileError::Syntax { index: 0, .. })
        ));
        assert!(matches!(
            split(&[r#"[{"email":"a@x.io"},]"#]),
            Err(FileError::Syntax { .. })
        ));
        assert!(matches!(split(&["[1] x"]), Err(FileError::Syntax { .. })));
    }

    fn row(v: Value) -> Result<ImportRow, Vec<RowError>> {
        parse_row(
            &v,
            &DatabaseConnection::preview(),
            "0123456789abcdef01234567".into(),
            "https://id.example/",
            1_700_000_000,
        )
    }

    #[test]
    fn a_user_keeps_its_id_and_profile() {
        let r = row(json!({
            "email": "Ada@Example.com", "user_id": "auth0|5f1a", "email_verified": true,
            "given_name": "Ada", "name": "Ada L.", "blocked": true,
            "app_metadata": {"plan": "pro"},
            "password_hash": "$2b$10$33N6PPytqVo6c6FgE7LzSuvSNelw2xh8WZPxNWmxllqLuDbNHD3Xi"
        }))
        .unwrap();
        assert_eq!(r.user.user_id, "auth0|5f1a");
        assert_eq!(r.user.email, "ada@example.com");
        assert!(r.user.email_verified && r.user.blocked);
        assert_eq!(r.user.app_metadata["plan"], "pro");
        let stored = r.password_hash.unwrap();
        assert!(crate::passwords::verify(
            &crate::secrets::Secret::new("shh"),
            &stored
        ));
    }

    #[test]
    fn schema_errors_carry_auth0_codes_and_paths() {
        let codes = |v: Value| -> Vec<(ErrorCode, Option<String>)> {
            row(v)
                .unwrap_err()
                .into_iter()
                .map(|e| (e.code, e.path))
                .collect()
        };
        assert_eq!(
            codes(json!({"name": "x"})),
            vec![(ErrorCode::ObjectRequired, Some("email".into()))]
        );
        assert_eq!(
            codes(json!({"email": 5})),
            vec![(ErrorCode::InvalidType, Some("email".into()))]
        );
        assert_eq!(
            codes(json!({"email": "a@x.io", "color": "red"})),
            vec![(ErrorCode::ObjectAdditionalProperties, Some("color".into()))]
        );
        assert_eq!(
            codes(json!({"email": "not an address"})),
            vec![(ErrorCode::Format, Some("email".into()))]
        );
        assert_eq!(
            codes(json!({"email": "a@x.io", "app_metadata": {"user_id": 1}})),
            vec![(ErrorCode::NotPassed, Some("app_metadata".into()))]
        );
        assert_eq!(
            codes(
                json!({"email": "a@x.io", "custom_password_hash": {"algorithm": "crc32", "hash": {"value": "1"}}})
            ),
            vec![(
                ErrorCode::EnumMismatch,
                Some("custom_password_hash.algorithm".into())
            )]
        );
        assert_eq!(
            codes(json!({"email": "a@x.io", "password_hash": "plain"})),
            vec![(ErrorCode::Format, Some("password_hash".into()))]
        );
    }

    #[test]
    fn masked_users_hide_hash_values_and_keys() {
        let m = masked(&json!({"email": "a@x.io", "password_hash": "$2b$…",
            "custom_password_hash": {"algorithm": "hmac", "hash": {"value": "abc", "key": {"value": "k"}}}}));
        assert_eq!(m["password_hash"], "*****");
        assert_eq!(m["custom_password_hash"]["hash"]["value"], "*****");
        assert_eq!(m["custom_password_hash"]["hash"]["key"]["value"], "*****");
        assert_eq!(m["email"], "a@x.io");
    }

    #[test]
    fn upsert_changes_only_upsertable_properties() {
        let first = row(json!({"email": "a@x.io", "name": "Old",
            "app_metadata": {"a": 1, "b": 2}, "blocked": false}))
        .unwrap();
        let again = row(json!({"email": "a@x.io", "name": "New", "blocked": true,
            "app_metadata": {"c": 3}}))
        .unwrap();
        let (u, hash) = upsert(&first.user, None, &again, 1_700_000_100).unwrap();
        assert_eq!(u.name, "New");
        assert!(!u.blocked, "blocked is not upsertable");
        assert_eq!(
            u.app_metadata,
            json!({"c": 3}).as_object().cloned().unwrap()
        );
        assert_eq!(hash, None);
        let with_hash = row(
            json!({"email": "a@x.io", "custom_password_hash": {"algorithm": "md5",
            "hash": {"value": "67A1E09BB1F83F5007DC119C14D663AA", "encoding": "hex"}}}),
        )
        .unwrap();
        let argon = crate::passwords::hash(&crate::secrets::Secret::new("x"));
        assert_eq!(
            upsert(&first.user, Some(&argon), &with_hash, 0)
                .unwrap_err()
                .code,
            ErrorCode::Conflict
        );
        assert!(
            upsert(&first.user, None, &with_hash, 0)
                .unwrap()
                .1
                .is_some()
        );
    }
}
