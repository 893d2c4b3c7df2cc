//! Auth0 connections: where users come from. Database connections
//! (`strategy: auth0`) hold users and their passwords; the other strategies are
//! upstream identity providers.
//!
//! Invariants:
//! - A name is 1–128 characters of Auth0's pattern (letters and digits, single
//!   hyphens between them), unique in the tenant and never changed.
//! - `options` is kept as given (so that Auth0's Deploy CLI round-trips it); the
//!   options Portcullis acts on are checked on every write and read through
//!   [`DatabaseOptions`]. A PATCH's `options` replaces the whole object, as in
//!   Auth0.
//! - An upstream's `options.client_secret` (Apple's `app_secret`) is never part of the stored
//!   document: it is split off to be sealed, and never answered. A PATCH whose
//!   options leave it out keeps the sealed one (Auth0 would drop it).
//! - `metadata`: at most 10 keys, string values of at most 255 characters.

use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};

use crate::password_policy::{Level, PasswordPolicy};
use crate::secrets::Secret;
use crate::validation::{Validated, ValidationError};

/// The database connection every tenant starts with (Auth0's default name).
pub const DEFAULT_DATABASE: &str = "Username-Password-Authentication";

/// Connection strategies Portcullis implements.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum Strategy {
    /// A database connection.
    #[serde(rename = "auth0")]
    Database,
    #[serde(rename = "oidc")]
    Oidc,
    #[serde(rename = "oauth2")]
    OAuth2,
    #[serde(rename = "google-oauth2")]
    Google,
    #[serde(rename = "github")]
    GitHub,
    #[serde(rename = "windowslive")]
    Microsoft,
    #[serde(rename = "apple")]
    Apple,
    /// Auth0's passwordless e-mail connection (`protocol::passwordless`).
    #[serde(rename = "email")]
    Email,
    /// Auth0's passwordless SMS connection.
    #[serde(rename = "sms")]
    Sms,
}

impl Strategy {
    pub const ALL: [Strategy; 9] = [
        Strategy::Database,
        Strategy::Oidc,
        Strategy::OAuth2,
        Strategy::Google,
        Strategy::GitHub,
        Strategy::Microsoft,
        Strategy::Apple,
        Strategy::Email,
        Strategy::Sms,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Strategy::Database => "auth0",
            Strategy::Oidc => "oidc",
            Strategy::OAuth2 => "oauth2",
            Strategy::Google => "google-oauth2",
            Strategy::GitHub => "github",
            Strategy::Microsoft => "windowslive",
            Strategy::Apple => "apple",
            Strategy::Email => "email",
            Strategy::Sms => "sms",
        }
    }

    pub fn parse(s: &str) -> Option<Strategy> {
        Strategy::ALL.into_iter().find(|x| x.as_str() == s)
    }

    /// Auth0's `isSocial` on identities of this strategy.
    pub fn is_social(self) -> bool {
        !matches!(
            self,
            Strategy::Database | Strategy::Oidc | Strategy::Email | Strategy::Sms
        )
    }

    /// The passwordless channel of a passwordless strategy.
    pub fn passwordless(self) -> Option<crate::protocol::passwordless::Channel> {
        use crate::protocol::passwordless::Channel;
        match self {
            Strategy::Email => Some(Channel::Email),
            Strategy::Sms => Some(Channel::Sms),
            _ => None,
        }
    }
}

/// A connection as stored and as the Management API shows it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Connection {
    pub id: String,
    pub name: String,
    pub display_name: String,
    pub strategy: Strategy,
    pub options: Map<String, Value>,
    pub realms: Vec<String>,
    pub is_domain_connection: bool,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub show_as_button: Option<bool>,
    pub metadata: Map<String, Value>,
}

/// `POST /api/v2/connections`.
#[derive(Debug, Default, Clone, Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct ConnectionCreate {
    pub name: Option<String>,
    pub display_name: Option<String>,
    pub strategy: Option<String>,
    pub options: Option<Map<String, Value>>,
    /// Deprecated by Auth0 in favour of `/connections/{id}/clients`; still
    /// honoured.
    pub enabled_clients: Option<Vec<String>>,
    pub is_domain_connection: Option<bool>,
    pub show_as_button: Option<bool>,
    pub realms: Option<Vec<String>>,
    pub metadata: Option<Map<String, Value>>,
}

/// `PATCH /api/v2/connections/{id}`: the name and strategy never change.
#[derive(Debug, Default, Clone, Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct ConnectionPatch {
    pub display_name: Option<String>,
    pub options: Option<Map<String, Value>>,
    pub enabled_clients: Option<Vec<String>>,
    pub is_domain_connection: Option<bool>,
    pub show_as_button: Option<bool>,
    pub realms: Option<Vec<String>>,
    pub metadata: Option<Map<String, Value>>,
}

/// A checked write: the record, the client secret to seal (if one was given),
/// and the clients to enable (`enabled_clients`, if given).
#[derive(Debug)]
pub struct Decided {
    pub connection: Connection,
    pub client_secret: Option<Secret>,
    pub enabled_clients: Option<Vec<String>>,
}

/// Auth0's name rule.
pub fn check_name(name: &str) -> Validated<()> {
    let bytes = name.as_bytes();
    let shape = !bytes.is_empty()
        && bytes.len() <= 128
        && bytes
            .iter()
            .all(|b| b.is_ascii_alphanumeric() || *b == b'-')
        && bytes[0].is_ascii_alphanumeric()
        && bytes[bytes.len() - 1].is_ascii_alphanumeric()
        && !name.contains("--");
    if shape {
        Ok(())
    } else {
        Err(ValidationError::field(
            "name",
            "must be 1 to 128 letters, digits or single hyphens between them, as /^[a-zA-Z0-9](-[a-zA-Z0-9]|[a-zA-Z0-9])*$/",
        ))
    }
}

fn check_metadata(m: &Map<String, Value>) -> Validated<()> {
    if m.len() > 10 {
        return Err(ValidationError::field(
            "metadata",
            "at most 10 properties are allowed",
        ));
    }
    for (k, v) in m {
        let ok = k.len() <= 255 && v.as_str().is_some_and(|s| s.chars().count() <= 255);
        if !ok {
            return Err(ValidationError::field(
                "metadata",
                format!("'{k}' must be a string of at most 255 characters"),
            ));
        }
    }
    Ok(())
}

fn check_display_name(d: &str) -> Validated<()> {
    crate::validation::max_len("display_name", d, 128)
}

fn check_realms(realms: &[String]) -> Validated<()> {
    if realms.len() > 10 || realms.iter().any(|r| check_name(r).is_err()) {
        return Err(ValidationError::field(
            "realms",
            "at most 10 names, each as a connection name",
        ));
    }
    Ok(())
}

/// Splits off an upstream's client secret and checks the options of the
/// strategy.
fn checked_options(
    strategy: Strategy,
    mut options: Map<String, Value>,
) -> Validated<(Map<String, Value>, Option<Secret>)> {
    let secret = match options.remove("client_secret") {
        None | Some(Value::Null) => None,
        Some(Value::String(s)) if strategy != Strategy::Database && !s.is_empty() => {
            Some(Secret::new(s))
        }
        Some(_) => {
            return Err(ValidationError::field(
                "options.client_secret",
                "must be a non-empty string, on an upstream connection",
            ));
        }
    };
    // Apple: Auth0's `app_secret` is the team's private key (.p8), from which
    // the client secret is made per request; sealed in its place.
    let secret = match (strategy, options.remove("app_secret")) {
        (_, None | Some(Value::Null)) => secret,
        (Strategy::Apple, Some(Value::String(k)))
            if secret.is_none()
                && !k.is_empty()
                && options.get("team_id").is_some()
                && options.get("kid").is_some() =>
        {
            Some(Secret::new(k))
        }
        _ => {
            return Err(ValidationError::field(
                "options.app_secret",
                "is the private key of an apple connection, given instead of client_secret",
            ));
        }
    };
    // The sms gateway's secret is sealed as an upstream's client secret is.
    let secret = match (strategy, options.get_mut("gateway_authentication")) {
        (Strategy::Sms, Some(Value::Object(auth))) => match auth.remove("secret") {
            Some(Value::String(s)) if !s.is_empty() && secret.is_none() => Some(Secret::new(s)),
            None | Some(Value::Null) => secret,
            Some(_) => {
                return Err(ValidationError::field(
                    "options.gateway_authentication.secret",
                    "must be a non-empty string",
                ));
            }
        },
        _ => secret,
    };
    match strategy {
        Strategy::Database => {
            DatabaseOptions::parse(&options)?;
        }
        Strategy::Email | Strategy::Sms => {
            if let Some(channel) = strategy.passwordless() {
                crate::protocol::passwordless::Options::parse(channel, &options)?;
            }
        }
        _ => {
            if let Some(v) = options.get("client_id")
                && !v.as_str().is_some_and(|s| !s.is_empty() && s.len() <= 512)
            {
                return Err(ValidationError::field(
                    "options.client_id",
                    "must be a non-empty string",
                ));
            }
        }
    }
    Ok((options, secret))
}

impl ConnectionCreate {
    /// Checks the payload and builds the record, with `id` as its id.
    pub fn into_new(self, id: String) -> Validated<Decided> {
        let Some(name) = self.name else {
            return Err(ValidationError::field("name", "Missing required property"));
        };
        check_name(&name)?;
        let Some(strategy) = self.strategy else {
            return Err(ValidationError::field(
                "strategy",
                "Missing required property",
            ));
        };
        let Some(strategy) = Strategy::parse(&strategy) else {
            return Err(ValidationError::field(
                "strategy",
                format!(
                    "'{strategy}' is not a strategy Portcullis implements (one of {})",
                    Strategy::ALL.map(Strategy::as_str).join(", ")
                ),
            ));
        };
        // Auth0 names its passwordless connections after their strategy.
        if strategy.passwordless().is_some() && name != strategy.as_str() {
            return Err(ValidationError::field(
                "name",
                format!("a {0} connection is named {0}", strategy.as_str()),
            ));
        }
        let mut options = self.options.unwrap_or_default();
        if strategy == Strategy::Database {
            // What is in force is what GET shows (Auth0's defaults for a new
            // database connection).
            options
                .entry("passwordPolicy")
                .or_insert_with(|| Value::from(Level::Good.as_str()));
            options
                .entry("brute_force_protection")
                .or_insert(Value::Bool(true));
        }
        let (options, client_secret) = checked_options(strategy, options)?;
        let display_name = self.display_name.unwrap_or_else(|| name.clone());
        check_display_name(&display_name)?;
        let realms = match self.realms {
            Some(r) if strategy == Strategy::Database => {
                check_realms(&r)?;
                r
            }
            _ => vec![name.clone()],
        };
        let metadata = self.metadata.unwrap_or_default();
        check_metadata(&metadata)?;
        Ok(Decided {
            connection: Connection {
                id,
                name,
                display_name,
                strategy,
                options,
                realms,
                is_domain_connection: self.is_domain_connection.unwrap_or(false),
                show_as_button: self.show_as_button,
                metadata,
            },
            client_secret,
            enabled_clients: self.enabled_clients,
        })
    }
}

impl ConnectionPatch {
    pub fn apply_to(self, mut c: Connection) -> Validated<Decided> {
        let mut client_secret = None;
        if let Some(options) = self.options {
            let (options, secret) = checked_options(c.strategy, options)?;
            c.options = options;
            client_secret = secret;
        }
        if let Some(d) = self.display_name {
            check_display_name(&d)?;
            c.display_name = d;
        }
        if let Some(r) = self.realms {
            check_realms(&r)?;
            c.realms = r;
        }
        if let Some(m) = self.metadata {
            check_metadata(&m)?;
            c.metadata = m;
        }
        if let Some(v) = self.is_domain_connection {
            c.is_domain_connection = v;
        }
        if let Some(v) = self.show_as_button {
            c.show_as_button = Some(v);
        }
        Ok(Decided {
            connection: c,
            client_secret,
            enabled_clients: self.enabled_clients,
        })
    }
}

/// The options of a database connection that Portcullis acts on.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DatabaseOptions {
    pub password_policy: PasswordPolicy,
    /// Users have a username beside their e-mail, and may sign in with either.
    pub requires_username: bool,
    /// `validation.username.min` / `max` (Auth0's defaults: 1 and 15).
    pub username_length: (usize, usize),
    /// `/dbconnections/signup` and the login page's sign-up are refused.
    pub disable_signup: bool,
    pub brute_force_protection: bool,
    /// Auth0's `authentication_methods.passkey.enabled`: people may sign in
    /// with a passkey, and are offered one after a password login.
    pub passkey: bool,
}

impl Default for DatabaseOptions {
    fn default() -> Self {
        Self {
            password_policy: PasswordPolicy::default(),
            requires_username: false,
            username_length: (1, 15),
            disable_signup: false,
            brute_force_protection: true,
            passkey: false,
        }
    }
}

fn opt_bool(o: &Map<String, Value>, key: &str, default: bool) -> Validated<bool> {
    match o.get(key) {
        None | Some(Value::Null) => Ok(default),
        Some(Value::Bool(b)) => Ok(*b),
        Some(_) => Err(ValidationError::field(
            &format!("options.{key}"),
            "must be a boolean",
        )),
    }
}

fn opt_object<'a>(
    o: &'a Map<String, Value>,
    key: &str,
) -> Validated<Option<&'a Map<String, Value>>> {
    match o.get(key) {
        None | Some(Value::Null) => Ok(None),
        Some(Value::Object(m)) => Ok(Some(m)),
        Some(_) => Err(ValidationError::field(
            &format!("options.{key}"),
            "must be an object",
        )),
    }
}

fn opt_count(
    o: &Map<String, Value>,
    path: &str,
    key: &str,
    range: (u64, u64),
) -> Validated<Option<usize>> {
    match o.get(key) {
        None | Some(Value::Null) => Ok(None),
        Some(v) => v
            .as_u64()
            .filter(|n| (range.0..=range.1).contains(n))
            .map(|n| Some(n as usize))
            .ok_or_else(|| {
                ValidationError::field(
                    &format!("options.{path}.{key}"),
                    format!("must be an integer from {} to {}", range.0, range.1),
                )
            }),
    }
}

impl DatabaseOptions {
    /// Reads (and checks) a database connection's options.
    pub fn parse(o: &Map<String, Value>) -> Validated<DatabaseOptions> {
        let level = match o.get("passwordPolicy") {
            // Auth0: no policy is `none`.
            Some(Value::Null) => Level::None,
            None => Level::Good,
            Some(Value::String(s)) => Level::parse(s).ok_or_else(|| {
                ValidationError::field(
                    "options.passwordPolicy",
                    "must be one of none, low, fair, good, excellent",
                )
            })?,
            Some(_) => {
                return Err(ValidationError::field(
                    "options.passwordPolicy",
                    "must be one of none, low, fair, good, excellent",
                ));
            }
        };
        let min_length = match opt_object(o, "password_complexity_options")? {
            Some(m) => opt_count(m, "password_complexity_options", "min_length", (1, 128))?,
            None => None,
        };
        let history = match opt_object(o, "password_history")? {
            Some(m) if opt_bool(m, "enable", false)? => {
                opt_count(m, "password_history", "size", (0, 24))?.unwrap_or(5)
            }
            _ => 0,
        };
        let dictionary = match opt_object(o, "password_dictionary")? {
            Some(m) if opt_bool(m, "enable", false)? => match m.get("dictionary") {
                None | Some(Value::Null) => Vec::new(),
                Some(Value::Array(words)) if words.len() <= 200 => words
                    .iter()
                    .map(|w| {
                        w.as_str()
                            .filter(|w| w.chars().count() <= 50)
                            .map(str::to_lowercase)
                            .ok_or_else(|| {
                                ValidationError::field(
                                    "options.password_dictionary.dictionary",
                                    "words are strings of at most 50 characters",
                                )
                            })
                    })
                    .collect::<Validated<_>>()?,
                Some(_) => {
                    return Err(ValidationError::field(
                        "options.password_dictionary.dictionary",
                        "must be an array of at most 200 words",
                    ));
                }
            },
            _ => Vec::new(),
        };
        let no_personal_info = match opt_object(o, "password_no_personal_info")? {
            Some(m) => opt_bool(m, "enable", false)?,
            None => false,
        };
        let username_length = match opt_object(o, "validation")? {
            Some(v) => match opt_object(v, "username")? {
                Some(u) => {
                    let min = opt_count(u, "validation.username", "min", (1, 128))?.unwrap_or(1);
                    let max = opt_count(u, "validation.username", "max", (1, 128))?.unwrap_or(15);
                    if min > max {
                        return Err(ValidationError::field(
                            "options.validation.username",
                            "min must not be greater than max",
                        ));
                    }
                    (min, max)
                }
                None => (1, 15),
            },
            None => (1, 15),
        };
        Ok(DatabaseOptions {
            password_policy: PasswordPolicy {
                level,
                min_length,
                dictionary,
                no_personal_info,
                history,
            },
            requires_username: opt_bool(o, "requires_username", false)?,
            username_length,
            disable_signup: opt_bool(o, "disable_signup", false)?,
            brute_force_protection: opt_bool(o, "brute_force_protection", true)?,
            passkey: match opt_object(o, "authentication_methods")? {
                Some(m) => match opt_object(m, "passkey")? {
                    Some(p) => opt_bool(p, "enabled", false)?,
                    None => false,
                },
                None => false,
            },
        })
    }

    /// Auth0's username rule: the configured length, letters, digits and
    /// `_ + - . ! # $ ' ^ \` ~ @`.
    pub fn check_username(&self, username: &str) -> Validated<()> {
        let (min, max) = self.username_length;
        let n = username.chars().count();
        if n < min || n > max {
            return Err(ValidationError::field(
                "username",
                format!("must be {min} to {max} characters long"),
            ));
        }
        if !username
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || "_+-.!#$'^`~@".contains(c))
        {
            return Err(ValidationError::field(
                "username",
                "may contain only letters, digits and _ + - . ! # $ ' ^ ` ~ @",
            ));
        }
        Ok(())
    }
}

impl Connection {
    /// The channel of a passwordless (`email` or `sms`) connection.
    pub fn passwordless(&self) -> Option<crate::protocol::passwordless::Channel> {
        self.strategy.passwordless()
    }

    /// A database connection's options, if this is one (stored options were
    /// checked when written; a record that no longer parses counts as the
    /// defaults rather than failing sign-in).
    pub fn database(&self) -> Option<DatabaseOptions> {
        (self.strategy == Strategy::Database)
            .then(|| DatabaseOptions::parse(&self.options).unwrap_or_default())
    }

    /// The record of a tenant's first database connection.
    pub fn default_database(id: String) -> Connection {
        let mut options = Map::new();
        // The policy Portcullis enforced before connections were records.
        options.insert("passwordPolicy".into(), Value::from(Level::Fair.as_str()));
        options.insert("brute_force_protection".into(), Value::Bool(true));
        Connection {
            id,
            name: DEFAULT_DATABASE.into(),
            display_name: DEFAULT_DATABASE.into(),
            strategy: Strategy::Database,
            options,
            realms: vec![DEFAULT_DATABASE.into()],
            is_domain_connection: false,
            show_as_button: None,
            metadata: Map::new(),
        }
    }
}

/// A new connection id in Auth0's shape (`con_` and 16 letters or digits).
pub fn new_id() -> String {
    format!("con_{}", crate::random::alphanumeric(16))
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn create(v: Value) -> Validated<Decided> {
        serde_json::from_value::<ConnectionCreate>(v)
            .unwrap()
            .into_new("con_x".into())
    }

    #[test]
    fn names_follow_auth0s_pattern() {
        for good in ["a", "my-db", "Username-Password-Authentication", "a1-b2"] {
            assert!(check_name(good).is_ok(), "{good}");
        }
        for bad in ["", "-a", "a-", "a--b", "a b", "a_b", "é", &"a".repeat(129)] {
            assert!(check_name(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn a_new_database_connection_shows_the_defaults_in_force() {
        let d = create(json!({"name": "db2", "strategy": "auth0"})).unwrap();
        let c = d.connection;
        assert_eq!(c.display_name, "db2");
        assert_eq!(c.realms, vec!["db2"]);
        assert_eq!(c.options["passwordPolicy"], "good");
        assert_eq!(c.options["brute_force_protection"], true);
        assert_eq!(c.database().unwrap().password_policy.level, Level::Good);
    }

    #[test]
    fn unknown_strategies_and_bad_options_are_refused() {
        assert!(create(json!({"name": "x", "strategy": "samlp"})).is_err());
        assert!(create(json!({"name": "x"})).is_err());
        assert!(create(json!({"strategy": "auth0"})).is_err());
        for options in [
            json!({"passwordPolicy": "strong"}),
            json!({"password_complexity_options": {"min_length": 0}}),
            json!({"password_complexity_options": {"min_length": 129}}),
            json!({"password_history": {"enable": true, "size": 25}}),
            json!({"password_dictionary": {"enable": true, "dictionary": [1]}}),
            json!({"requires_username": "yes"}),
            json!({"validation": {"username": {"min": 10, "max": 5}}}),
            json!({"client_secret": "s"}),
        ] {
            assert!(
                create(json!({"name": "x", "strategy": "auth0", "options": options})).is_err(),
                "{options}"
            );
        }
        assert!(create(json!({"name": "x", "strategy": "auth0", "metadata": {"a": 1}})).is_err());
    }

    #[test]
    fn an_upstream_secret_is_split_off_the_record() {
        let d = create(json!({"name": "corp", "strategy": "oidc",
            "options": {"client_id": "abc", "client_secret": "s3cret"}}))
        .unwrap();
        assert!(!d.connection.options.contains_key("client_secret"));
        assert_eq!(d.client_secret.unwrap().expose(), "s3cret");
        assert_eq!(d.connection.realms, vec!["corp"]);
        assert!(d.connection.database().is_none());
    }

    #[test]
    fn options_are_read_with_auth0s_names() {
        let o = json!({
            "passwordPolicy": "excellent",
            "password_complexity_options": {"min_length": 12},
            "password_history": {"enable": true, "size": 3},
            "password_dictionary": {"enable": true, "dictionary": ["Summer2026!"]},
            "password_no_personal_info": {"enable": true},
            "requires_username": true,
            "validation": {"username": {"min": 3, "max": 20}},
            "disable_signup": true,
            "brute_force_protection": false,
        });
        let d = DatabaseOptions::parse(o.as_object().unwrap()).unwrap();
        assert_eq!(d.password_policy.level, Level::Excellent);
        assert_eq!(d.password_policy.length(), 12);
        assert_eq!(d.password_policy.history, 3);
        assert_eq!(d.password_policy.dictionary, vec!["summer2026!"]);
        assert!(d.password_policy.no_personal_info);
        assert!(d.requires_username && d.disable_signup && !d.brute_force_protection);
        assert_eq!(d.username_length, (3, 20));
        let none = DatabaseOptions::parse(json!({"passwordPolicy": null}).as_object().unwrap());
        assert_eq!(none.unwrap().password_policy.level, Level::None);
    }

    #[test]
    fn usernames_follow_auth0s_rule() {
        let d = DatabaseOptions::default();
        assert!(d.check_username("jo.smith+1").is_ok());
        assert!(d.check_username("").is_err());
        assert!(d.check_username("sixteen-chars-xx").is_err());
        assert!(d.check_username("jo smith").is_err());
        assert!(d.check_username("jo<b>").is_err());
    }

    #[test]
    fn a_patch_replaces_options_and_keeps_name_and_strategy() {
        let c = create(json!({"name": "db2", "strategy": "auth0",
            "options": {"passwordPolicy": "low", "requires_username": true}}))
        .unwrap()
        .connection;
        let p: ConnectionPatch =
            serde_json::from_value(json!({"options": {"passwordPolicy": "excellent"}})).unwrap();
        let c = p.apply_to(c).unwrap().connection;
        assert_eq!(c.name, "db2");
        assert!(!c.options.contains_key("requires_username"));
        assert!(serde_json::from_value::<ConnectionPatch>(json!({"name": "other"})).is_err());
    }
}
