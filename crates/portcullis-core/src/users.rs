//! Users of the database connection `Username-Password-Authentication` (Auth0's
//! default name), in Auth0's shape.

use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};

use crate::UnixTime;
use crate::clock::iso8601;
use crate::passwords;
use crate::validation::{self, Validated, ValidationError};

pub const DATABASE_CONNECTION: &str = "Username-Password-Authentication";

/// A connection's id as the APIs show it (`con_` and its name, until
/// connections are records of their own).
pub fn connection_id(name: &str) -> String {
    format!("con_{name}")
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Identity {
    pub connection: String,
    pub user_id: String,
    pub provider: String,
    #[serde(rename = "isSocial")]
    pub is_social: bool,
}

/// A user as stored and as the Management API shows it. Login statistics are kept
/// in their own columns and filled in when read.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct User {
    pub user_id: String,
    pub email: String,
    pub email_verified: bool,
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

/// `POST /api/v2/users` and `/dbconnections/signup`.
#[derive(Debug, Default, Clone, Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct UserCreate {
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

fn check_connection(connection: Option<&str>) -> Validated<()> {
    match connection {
        Some(DATABASE_CONNECTION) => Ok(()),
        Some(other) => Err(ValidationError::field(
            "connection",
            format!(
                "the connection '{other}' does not exist (the database connection is '{DATABASE_CONNECTION}')"
            ),
        )),
        None => Err(ValidationError::field(
            "connection",
            "Missing required property",
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

fn check_password(password: &str) -> Validated<()> {
    passwords::check_policy(password).map_err(|m| ValidationError { message: m })
}

impl UserCreate {
    /// Validates and builds the user; returns it with the password to hash.
    pub fn into_user(
        self,
        user_id_hex: String,
        issuer: &str,
        now: UnixTime,
    ) -> Validated<(User, String)> {
        check_connection(self.connection.as_deref())?;
        let Some(email) = self.email else {
            return Err(ValidationError::field("email", "Missing required property"));
        };
        check_email(&email)?;
        let Some(password) = self.password else {
            return Err(ValidationError::field(
                "password",
                "Missing required property",
            ));
        };
        check_password(&password)?;
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
                connection: DATABASE_CONNECTION.into(),
                user_id: user_id_hex,
                provider: "auth0".into(),
                is_social: false,
            }],
            created_at: ts.clone(),
            updated_at: ts,
            last_login: None,
            logins_count: 0,
            last_password_reset: None,
        };
        Ok((user, password))
    }
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
    pub fn apply_to(self, mut u: User, now: UnixTime) -> Validated<(User, Option<String>)> {
        if let Some(c) = &self.connection {
            check_connection(Some(c))?;
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
        if let Some(p) = &self.password {
            check_password(p)?;
            u.last_password_reset = Some(iso8601(now));
        }
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
        u.updated_at = iso8601(now);
        Ok((u, self.password))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn create(v: Value) -> Validated<(User, String)> {
        serde_json::from_value::<UserCreate>(v).unwrap().into_user(
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
                .message
                .contains("connection")
        );
        assert!(create(serde_json::json!({"connection": DATABASE_CONNECTION, "email": "nope", "password": "Passw0rd!"})).unwrap_err().message.contains("email"));
        assert!(create(serde_json::json!({"connection": DATABASE_CONNECTION, "email": "a@b.co", "password": "weak"})).unwrap_err().message.contains("weak"));
    }

    #[test]
    fn metadata_patch_merges_and_null_removes() {
        let (u, _) = create(serde_json::json!({"connection": DATABASE_CONNECTION, "email": "a@b.co", "password": "Passw0rd!", "user_metadata": {"a": 1, "b": 2}})).unwrap();
        let p: UserPatch =
            serde_json::from_value(serde_json::json!({"user_metadata": {"b": null, "c": 3}}))
                .unwrap();
        let (u, pw) = p.apply_to(u, 1).unwrap();
        assert_eq!(
            Value::Object(u.user_metadata),
            serde_json::json!({"a": 1, "c": 3})
        );
        assert!(pw.is_none());
    }
}
