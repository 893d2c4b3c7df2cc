//! Users of database connections, in Auth0's shape. Which connection a write
//! happens in, and its rules (password policy, usernames), the caller resolves and
//! passes in as a [`DatabaseConnection`].

use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};

use crate::UnixTime;
use crate::clock::iso8601;
use crate::connections::DatabaseOptions;
use crate::password_policy::{PersonalInfo, Refusal};
use crate::validation::{self, Validated, ValidationError};

/// The name of the database connection every tenant starts with.
pub const DATABASE_CONNECTION: &str = crate::connections::DEFAULT_DATABASE;

/// The database connection a user is written in: its name and the options that
/// govern passwords and usernames.
#[derive(Debug, Clone)]
pub struct DatabaseConnection {
    pub id: String,
    pub name: String,
    pub options: DatabaseOptions,
}

impl DatabaseConnection {
    /// The connection as a place users are written, if it is a database one.
    pub fn of(c: &crate::connections::Connection) -> Option<Self> {
        Some(Self {
            id: c.id.clone(),
            name: c.name.clone(),
            options: c.database()?,
        })
    }

    /// The default database connection with default options (tests and previews).
    pub fn preview() -> Self {
        Self {
            id: "con_preview".into(),
            name: DATABASE_CONNECTION.into(),
            options: DatabaseOptions::default(),
        }
    }
}

/// Why a user write was refused: the payload, or the connection's password
/// policy (which the sign-up endpoint answers in Auth0's own shape).
#[derive(Debug, Clone, PartialEq)]
pub enum UserRefusal {
    Invalid(ValidationError),
    Password(Refusal),
}

impl From<ValidationError> for UserRefusal {
    fn from(e: ValidationError) -> Self {
        UserRefusal::Invalid(e)
    }
}

impl UserRefusal {
    /// The Management API's message (Auth0's `PasswordStrengthError: Password
    /// is too weak` for a policy refusal).
    pub fn message(&self) -> String {
        match self {
            UserRefusal::Invalid(e) => e.message.clone(),
            UserRefusal::Password(r) => format!("{}: {}", r.name(), r.message()),
        }
    }
}

/// What the personal-information rule compares a new password with: the
/// user's names, `user_metadata.name`/`first`/`last`, and the e-mail's local
/// part.
pub fn personal_info(u: &User) -> PersonalInfo<'_> {
    let mut values = vec![u.name.as_str(), u.nickname.as_str()];
    values.extend(u.username.as_deref());
    values.extend(u.given_name.as_deref());
    values.extend(u.family_name.as_deref());
    for key in ["name", "first", "last"] {
        values.extend(u.user_metadata.get(key).and_then(Value::as_str));
    }
    values.extend(u.email.split('@').next());
    PersonalInfo { values }
}

/// Checks a new password against the connection's policy for this user
/// (history aside: the caller holds the previous hashes).
pub fn check_new_password(
    db: &DatabaseConnection,
    u: &User,
    password: &str,
) -> Result<(), Refusal> {
    db.options
        .password_policy
        .check(password, &personal_info(u))
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Identity {
    pub connection: String,
    pub user_id: String,
    pub provider: String,
    #[serde(rename = "isSocial")]
    pub is_social: bool,
    /// A linked (secondary) identity's profile, as Auth0 shows it.
    #[serde(
        rename = "profileData",
        default,
        skip_serializing_if = "Option::is_none"
    )]
    pub profile_data: Option<Map<String, Value>>,
}

/// A user as stored and as the Management API shows it. Login statistics are kept
/// in their own columns and filled in when read.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct User {
    pub user_id: String,
    pub email: String,
    pub email_verified: bool,
    /// A passwordless SMS user's number (E.164), as Auth0 shows it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub phone_number: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub phone_verified: Option<bool>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub username: Option<String>,
    pub name: String,
    pub nickname: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub given_name: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub family_name: Option<String>,
    pub picture: String,
    pub blocked: bool,
    pub user_metadata: Map<String, Value>,
    pub app_metadata: Map<String, Value>,
    pub identities: Vec<Identity>,
    pub created_at: String,
    pub updated_at: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub last_login: Option<String>,
    #[serde(default)]
    pub logins_count: i64,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub last_password_reset: Option<String>,
}

impl User {
    /// The connection the user belongs to.
    pub fn connection(&self) -> &str {
        self.identities
            .first()
            .map(|i| i.connection.as_str())
            .unwrap_or(DATABASE_CONNECTION)
    }
}

#[cfg(test)]
mod policy_tests {
    use super::*;
    use crate::connections::DatabaseOptions;

    fn db(options: Value) -> DatabaseConnection {
        DatabaseConnection {
            id: "con_1".into(),
            name: "db2".into(),
            options: DatabaseOptions::parse(options.as_object().unwrap()).unwrap(),
        }
    }

    fn create(db: &DatabaseConnection, v: Value) -> Result<(User, String), UserRefusal> {
        serde_json::from_value::<UserCreate>(v).unwrap().into_user(
            db,
            "abc".into(),
            "https://id.example/",
            0,
        )
    }

    #[test]
    fn the_connections_policy_and_username_rule_apply() {
        let low = db(serde_json::json!({"passwordPolicy": "low"}));
        let (u, _) = create(
            &low,
            serde_json::json!({"connection": "db2", "email": "a@b.co", "password": "simple"}),
        )
        .unwrap();
        assert_eq!(u.identities[0].connection, "db2");
        assert!(matches!(
            create(
                &low,
                serde_json::json!({"connection": "db2", "email": "a@b.co", "password": "short"})
            ),
            Err(UserRefusal::Password(Refusal::TooWeak { .. }))
        ));
        assert!(
            create(
                &low,
                serde_json::json!({"connection": "other", "email": "a@b.co", "password": "simple"})
            )
            .is_err()
        );
        assert!(create(&low, serde_json::json!({"connection": "db2", "email": "a@b.co", "password": "simple", "username": "jo"})).unwrap_err().message().contains("requires_username"));
        let named = db(
            serde_json::json!({"passwordPolicy": "low", "requires_username": true, "password_no_personal_info": {"enable": true}}),
        );
        assert!(
            create(
                &named,
                serde_json::json!({"connection": "db2", "email": "a@b.co", "password": "simple"})
            )
            .unwrap_err()
            .message()
            .contains("username")
        );
        assert!(create(&named, serde_json::json!({"connection": "db2", "email": "a@b.co", "password": "simple", "username": "jo smith"})).is_err());
        assert_eq!(
            create(&named, serde_json::json!({"connection": "db2", "email": "a@b.co", "password": "i-am-jsmith", "username": "jsmith"})).unwrap_err(),
            UserRefusal::Password(Refusal::PersonalInfo)
        );
        assert!(create(&named, serde_json::json!({"connection": "db2", "email": "a@b.co", "password": "simple", "username": "jsmith"})).is_ok());
    }
}

/// `POST /api/v2/users` and `/dbconnections/signup`.
#[derive(Debug, Default, Clone, Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct UserCreate {
    /// The id after `auth0|` (Auth0 prefixes it; a given `auth0|` prefix is
    /// taken off, so that an id exported from Auth0 comes back unchanged).
    pub user_id: Option<String>,
    pub connection: Option<String>,
    pub email: Option<String>,
    pub password: Option<String>,
    pub username: Option<String>,
    pub name: Option<String>,
    pub nickname: Option<String>,
    pub given_name: Option<String>,
    pub family_name: Option<String>,
    pub picture: Option<String>,
    pub email_verified: Option<bool>,
    pub verify_email: Option<bool>,
    pub blocked: Option<bool>,
    pub user_metadata: Option<Map<String, Value>>,
    pub app_metadata: Option<Map<String, Value>>,
}

/// `PATCH /api/v2/users/{id}`. Metadata objects merge key by key; a `null` value
/// removes the key (Auth0's rule).
#[derive(Debug, Default, Clone, Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct UserPatch {
    pub connection: Option<String>,
    pub email: Option<String>,
    pub password: Option<String>,
    pub username: Option<String>,
    pub name: Option<String>,
    pub nickname: Option<String>,
    pub given_name: Option<String>,
    pub family_name: Option<String>,
    pub picture: Option<String>,
    pub email_verified: Option<bool>,
    pub verify_email: Option<bool>,
    pub blocked: Option<bool>,
    pub user_metadata: Option<Map<String, Value>>,
    pub app_metadata: Option<Map<String, Value>>,
}

impl UserPatch {
    /// Whether the patch touches `user_metadata` and nothing else (what a user's
    /// own token may change).
    pub fn is_user_metadata_only(&self) -> bool {
        let Self {
            connection,
            email,
            password,
            username,
            name,
            nickname,
            given_name,
            family_name,
            picture,
            email_verified,
            verify_email,
            blocked,
            user_metadata,
            app_metadata,
        } = self;
        user_metadata.is_some()
            && connection.is_none()
            && email.is_none()
            && password.is_none()
            && username.is_none()
            && name.is_none()
            && nickname.is_none()
            && given_name.is_none()
            && family_name.is_none()
            && picture.is_none()
            && email_verified.is_none()
            && verify_email.is_none()
            && blocked.is_none()
            && app_metadata.is_none()
    }
}

/// Lower-cased and trimmed, as e-mail addresses are compared for uniqueness.
pub fn normalize_email(email: &str) -> String {
    email.trim().to_lowercase()
}

/// Whether `email` is an address Portcullis accepts for a user.
pub fn is_email(email: &str) -> bool {
    check_email(email).is_ok()
}

fn check_email(email: &str) -> Validated<()> {
    let e = email.trim();
    let valid = e.len() <= 254
        && e.split_once('@').is_some_and(|(local, domain)| {
            !local.is_empty()
                && domain.contains('.')
                && !domain.starts_with('.')
                && !domain.ends_with('.')
        })
        && !e
            .chars()
            .any(|c| c.is_whitespace() || c.is_control() || c == '<' || c == '>');
    if valid {
        Ok(())
    } else {
        Err(ValidationError::field(
            "email",
            format!("'{email}' is not a valid e-mail address"),
        ))
    }
}

/// A payload's `connection` must name the connection the write happens in.
fn check_connection(connection: Option<&str>, db: &DatabaseConnection) -> Validated<()> {
    match connection {
        Some(c) if c == db.name => Ok(()),
        Some(other) => Err(ValidationError::field(
            "connection",
            format!("the user is not in the connection '{other}'"),
        )),
        None => Err(ValidationError::field(
            "connection",
            "Missing required property",
        )),
    }
}

/// `username` as the connection allows it: required (and well-formed) where
/// `requires_username` is on, refused where it is off (Auth0's rule).
fn check_username(
    username: Option<&str>,
    db: &DatabaseConnection,
    required: bool,
) -> Validated<()> {
    match (username, db.options.requires_username) {
        (Some(u), true) => db.options.check_username(u),
        (None, true) if required => Err(ValidationError::field(
            "username",
            "Missing required property",
        )),
        (None, _) => Ok(()),
        (Some(_), false) => Err(ValidationError::field(
            "username",
            format!(
                "Cannot set username for connection without requires_username (connection '{}')",
                db.name
            ),
        )),
    }
}

/// A self-hosted avatar with the user's initials (Auth0 points at Gravatar; this
/// sends no hash of the e-mail to a third party).
pub fn default_picture(issuer: &str, seed: &str) -> String {
    let initials: String = seed
        .split(|c: char| !c.is_alphanumeric())
        .filter(|w| !w.is_empty())
        .take(2)
        .filter_map(|w| w.chars().next())
        .flat_map(char::to_uppercase)
        .collect();
    let initials = if initials.is_empty() {
        "U".to_string()
    } else {
        initials
    };
    let encoded: String = url::form_urlencoded::byte_serialize(initials.as_bytes()).collect();
    format!("{issuer}avatars/{encoded}.svg")
}

fn check_profile(
    name: Option<&str>,
    nickname: Option<&str>,
    picture: Option<&str>,
) -> Validated<()> {
    if let Some(n) = name {
        validation::max_len("name", n, 300)?;
    }
    if let Some(n) = nickname {
        validation::max_len("nickname", n, 300)?;
    }
    if let Some(p) = picture {
        validation::web_url("picture", p)?;
    }
    Ok(())
}

impl UserCreate {
    /// Validates and builds the user; returns it with the password to hash.
    /// `user_id_hex` is the id to use unless the payload names one.
    pub fn into_user(
        mut self,
        db: &DatabaseConnection,
        user_id_hex: String,
        issuer: &str,
        now: UnixTime,
    ) -> Result<(User, String), UserRefusal> {
        check_connection(self.connection.as_deref(), db)?;
        let Some(password) = self.password.take() else {
            return Err(ValidationError::field("password", "Missing required property").into());
        };
        let user = self.build(db, user_id_hex, issuer, now)?;
        check_new_password(db, &user, &password).map_err(UserRefusal::Password)?;
        Ok((user, password))
    }

    /// The user of a bulk import (its password hash, if any, comes separately).
    pub fn into_imported_user(
        self,
        db: &DatabaseConnection,
        user_id_hex: String,
        issuer: &str,
        now: UnixTime,
    ) -> Result<User, UserRefusal> {
        if self.password.is_some() {
            return Err(
                ValidationError::field("password", "Additional properties not allowed").into(),
            );
        }
        self.build(db, user_id_hex, issuer, now)
    }

    fn build(
        self,
        db: &DatabaseConnection,
        user_id_hex: String,
        issuer: &str,
        now: UnixTime,
    ) -> Result<User, UserRefusal> {
        let Some(email) = self.email else {
            return Err(ValidationError::field("email", "Missing required property").into());
        };
        check_email(&email)?;
        let user_id_hex = match self.user_id {
            Some(given) => chosen_user_id(&given)?,
            None => user_id_hex,
        };
        check_username(self.username.as_deref(), db, true)?;
        check_profile(
            self.name.as_deref(),
            self.nickname.as_deref(),
            self.picture.as_deref(),
        )?;
        let email = normalize_email(&email);
        let local = email.split('@').next().unwrap_or_default().to_string();
        let name = self.name.unwrap_or_else(|| email.clone());
        let picture = self.picture.unwrap_or_else(|| {
            default_picture(issuer, self.given_name.as_deref().map_or(&name, |g| g))
        });
        let ts = iso8601(now);
        let user = User {
            user_id: format!("auth0|{user_id_hex}"),
            email,
            email_verified: self.email_verified.unwrap_or(false),
            phone_number: None,
            phone_verified: None,
            username: self.username,
            name,
            nickname: self.nickname.unwrap_or(local),
            given_name: self.given_name,
            family_name: self.family_name,
            picture,
            blocked: self.blocked.unwrap_or(false),
            user_metadata: self.user_metadata.unwrap_or_default(),
            app_metadata: self.app_metadata.unwrap_or_default(),
            identities: vec![Identity {
                connection: db.name.clone(),
                user_id: user_id_hex,
                provider: "auth0".into(),
                is_social: false,
                profile_data: None,
            }],
            created_at: ts.clone(),
            updated_at: ts,
            last_login: None,
            logins_count: 0,
            last_password_reset: None,
        };
        Ok(user)
    }
}

/// Longest user id accepted (Auth0's `user_id` maxLength).
const MAX_USER_ID: usize = 255;

/// A user id chosen by the caller (Auth0's `user_id` of `POST /users` and of
/// the bulk import): the part after `auth0|`. A given `auth0|` prefix is taken
/// off — Auth0 would prefix it again (`auth0|auth0|…`), which breaks every
/// app that stored the exported id; Portcullis keeps the id as exported.
pub fn chosen_user_id(given: &str) -> Validated<String> {
    let id = given.strip_prefix("auth0|").unwrap_or(given);
    if id.is_empty()
        || id.len() > MAX_USER_ID
        || id.chars().any(|c| c.is_whitespace() || c.is_control())
    {
        return Err(ValidationError::field(
            "user_id",
            format!("'{given}' is not a valid user id (1 to {MAX_USER_ID} characters, no spaces)"),
        ));
    }
    Ok(id.to_string())
}

fn merge(target: &mut Map<String, Value>, patch: Map<String, Value>) {
    for (k, v) in patch {
        if v.is_null() {
            target.remove(&k);
        } else {
            target.insert(k, v);
        }
    }
}

impl UserPatch {
    /// Applies the patch; returns the new password to hash, if one was given.
    /// `db` is the user's connection; a password or username for a user of an
    /// upstream connection (`None`) is refused.
    pub fn apply_to(
        self,
        mut u: User,
        db: Option<&DatabaseConnection>,
        now: UnixTime,
    ) -> Result<(User, Option<String>), UserRefusal> {
        if let Some(c) = &self.connection {
            match db {
                Some(db) => check_connection(Some(c), db)?,
                None => {
                    return Err(ValidationError::field(
                        "connection",
                        "the user's connection is not a database connection",
                    )
                    .into());
                }
            }
        }
        if (self.password.is_some() || self.username.is_some()) && db.is_none() {
            return Err(ValidationError::field(
                "password",
                "only users of a database connection have a password or a username",
            )
            .into());
        }
        if let (Some(db), Some(name)) = (db, self.username.as_deref()) {
            check_username(Some(name), db, false)?;
        }
        check_profile(
            self.name.as_deref(),
            self.nickname.as_deref(),
            self.picture.as_deref(),
        )?;
        if let Some(e) = self.email {
            check_email(&e)?;
            let e = normalize_email(&e);
            if e != u.email {
                u.email = e;
                u.email_verified = false;
            }
        }
        let password_set = self.password.is_some();
        if let Some(v) = self.username {
            u.username = Some(v);
        }
        if let Some(v) = self.name {
            u.name = v;
        }
        if let Some(v) = self.nickname {
            u.nickname = v;
        }
        if let Some(v) = self.given_name {
            u.given_name = Some(v);
        }
        if let Some(v) = self.family_name {
            u.family_name = Some(v);
        }
        if let Some(v) = self.picture {
            u.picture = v;
        }
        if let Some(v) = self.email_verified {
            u.email_verified = v;
        }
        if let Some(v) = self.blocked {
            u.blocked = v;
        }
        if let Some(m) = self.user_metadata {
            merge(&mut u.user_metadata, m);
        }
        if let Some(m) = self.app_metadata {
            merge(&mut u.app_metadata, m);
        }
        if let (Some(p), Some(db)) = (&self.password, db) {
            // Checked on the patched profile: a new name counts at once.
            check_new_password(db, &u, p).map_err(UserRefusal::Password)?;
        }
        if password_set {
            u.last_password_reset = Some(iso8601(now));
        }
        u.updated_at = iso8601(now);
        Ok((u, self.password))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn create(v: Value) -> Result<(User, String), UserRefusal> {
        serde_json::from_value::<UserCreate>(v).unwrap().into_user(
            &DatabaseConnection::preview(),
            "0123456789abcdef01234567".into(),
            "https://id.example/",
            1_700_058_600,
        )
    }

    #[test]
    fn new_user_gets_auth0_defaults() {
        let (u, _) = create(serde_json::json!({"connection": DATABASE_CONNECTION, "email": "Jo.Smith@Example.com", "password": "Passw0rd!"})).unwrap();
        assert_eq!(u.user_id, "auth0|0123456789abcdef01234567");
        assert_eq!(u.email, "jo.smith@example.com");
        assert_eq!(u.nickname, "jo.smith");
        assert_eq!(u.name, "jo.smith@example.com");
        assert_eq!(u.created_at, "2023-11-15T14:30:00.000Z");
        assert_eq!(u.picture, "https://id.example/avatars/JS.svg");
        assert_eq!(u.identities[0].provider, "auth0");
    }

    #[test]
    fn missing_connection_bad_email_and_weak_password_are_refused() {
        assert!(
            create(serde_json::json!({"email": "a@b.co", "password": "Passw0rd!"}))
                .unwrap_err()
                .message()
                .contains("connection")
        );
        assert!(create(serde_json::json!({"connection": DATABASE_CONNECTION, "email": "nope", "password": "Passw0rd!"})).unwrap_err().message().contains("email"));
        assert!(create(serde_json::json!({"connection": DATABASE_CONNECTION, "email": "a@b.co", "password": "weak"})).unwrap_err().message().contains("weak"));
    }

    #[test]
    fn metadata_patch_merges_and_null_removes() {
        let (u, _) = create(serde_json::json!({"connection": DATABASE_CONNECTION, "email": "a@b.co", "password": "Passw0rd!", "user_metadata": {"a": 1, "b": 2}})).unwrap();
        let p: UserPatch =
            serde_json::from_value(serde_json::json!({"user_metadata": {"b": null, "c": 3}}))
                .unwrap();
        let (u, pw) = p
            .apply_to(u, Some(&DatabaseConnection::preview()), 1)
            .unwrap();
        assert_eq!(
            Value::Object(u.user_metadata),
            serde_json::json!({"a": 1, "c": 3})
        );
        assert!(pw.is_none());
    }
}
