//! A database connection's password policy, with Auth0's exact rules (its
//! `password-sheriff` library) and its answers.
//!
//! Invariants:
//! - The five levels are Auth0's: `none` (at least 1 character), `low` (6),
//!   `fair` (8, with lower-case, upper-case and a digit), `good` (8, with 3 of
//!   lower-case, upper-case, digit, special), `excellent` (10, 3 of the 4, and no
//!   character three times in a row). The classes are ASCII, as Auth0's regular
//!   expressions: `a-z`, `A-Z`, `0-9`, and ASCII punctuation or space.
//! - `password_complexity_options.min_length` (1–128) replaces the level's
//!   length; the level's other rules stay.
//! - The dictionary is compared case-insensitively with the whole password; the
//!   personal-information rule refuses a password that *contains* the user's
//!   name, username, nickname, `user_metadata.name`/`first`/`last` or the local
//!   part of the e-mail. Values shorter than 3 characters are ignored (Auth0 does
//!   not say; a one-letter nickname would otherwise forbid most passwords).
//! - Every refusal carries Auth0's error name and code, and for strength the
//!   rules with which were met (`description.rules[].verified`), so a sign-up
//!   form can show what is missing.

use serde_json::{Value, json};

use crate::passwords::MAX_PASSWORD_BYTES;

/// Auth0's `options.passwordPolicy`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Level {
    None,
    Low,
    Fair,
    Good,
    Excellent,
}

impl Level {
    pub const ALL: [Level; 5] = [
        Level::None,
        Level::Low,
        Level::Fair,
        Level::Good,
        Level::Excellent,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Level::None => "none",
            Level::Low => "low",
            Level::Fair => "fair",
            Level::Good => "good",
            Level::Excellent => "excellent",
        }
    }

    pub fn parse(s: &str) -> Option<Level> {
        Level::ALL.into_iter().find(|l| l.as_str() == s)
    }

    fn default_length(self) -> usize {
        match self {
            Level::None => 1,
            Level::Low => 6,
            Level::Fair | Level::Good => 8,
            Level::Excellent => 10,
        }
    }
}

/// Everything a connection says about passwords, read from its options.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PasswordPolicy {
    pub level: Level,
    /// `password_complexity_options.min_length`.
    pub min_length: Option<usize>,
    /// `password_dictionary` when enabled: lower-cased words.
    pub dictionary: Vec<String>,
    /// `password_no_personal_info.enable`.
    pub no_personal_info: bool,
    /// `password_history.size` when enabled (1–24): new passwords must differ
    /// from this many previous ones.
    pub history: usize,
}

impl Default for PasswordPolicy {
    /// The policy of a connection that names none: Auth0's dashboard default,
    /// `good`.
    fn default() -> Self {
        Self {
            level: Level::Good,
            min_length: None,
            dictionary: Vec::new(),
            no_personal_info: false,
            history: 0,
        }
    }
}

/// What the personal-information rule compares against.
#[derive(Debug, Default, Clone)]
pub struct PersonalInfo<'a> {
    pub values: Vec<&'a str>,
}

/// Why a password was refused, in Auth0's terms.
#[derive(Debug, Clone, PartialEq)]
pub enum Refusal {
    /// `PasswordStrengthError` with the rules and which were met.
    TooWeak { rules: Value, policy: String },
    /// `PasswordDictionaryError`.
    Common,
    /// `PasswordNoUserInfoError`.
    PersonalInfo,
    /// `PasswordHistoryError` (decided by the caller, who holds the hashes).
    Reused,
    /// Longer than Portcullis hashes.
    TooLong,
}

impl Refusal {
    /// Auth0's error `name`.
    pub fn name(&self) -> &'static str {
        match self {
            Refusal::TooWeak { .. } | Refusal::TooLong => "PasswordStrengthError",
            Refusal::Common => "PasswordDictionaryError",
            Refusal::PersonalInfo => "PasswordNoUserInfoError",
            Refusal::Reused => "PasswordHistoryError",
        }
    }

    /// Auth0's `code` at `/dbconnections/signup`.
    pub fn code(&self) -> &'static str {
        match self {
            Refusal::TooWeak { .. } | Refusal::TooLong => "invalid_password",
            Refusal::Common => "password_dictionary_error",
            Refusal::PersonalInfo => "password_no_user_info_error",
            Refusal::Reused => "password_history_error",
        }
    }

    /// Auth0's message.
    pub fn message(&self) -> String {
        match self {
            Refusal::TooWeak { .. } => "Password is too weak".into(),
            Refusal::TooLong => {
                format!("Password is too long (at most {MAX_PASSWORD_BYTES} bytes)")
            }
            Refusal::Common => "Password is too common".into(),
            Refusal::PersonalInfo => "Password contains user information".into(),
            Refusal::Reused => "Password has previously been used".into(),
        }
    }

    /// The body of `/dbconnections/signup`'s 400, as Auth0's.
    pub fn signup_body(&self) -> Value {
        let mut body = json!({
            "name": self.name(),
            "message": self.message(),
            "code": self.code(),
            "statusCode": 400,
        });
        if let Refusal::TooWeak { rules, policy } = self {
            body["description"] = json!({"rules": rules, "verified": false});
            body["policy"] = Value::from(policy.clone());
        }
        body
    }
}

fn is_special(c: char) -> bool {
    c == ' ' || c.is_ascii_punctuation()
}

/// A character class: password-sheriff's code, its message, its test.
type Class = (&'static str, &'static str, fn(char) -> bool);

const CLASSES: [Class; 4] = [
    ("lowerCase", "lower case letters (a-z)", |c| {
        c.is_ascii_lowercase()
    }),
    ("upperCase", "upper case letters (A-Z)", |c| {
        c.is_ascii_uppercase()
    }),
    ("numbers", "numbers (i.e. 0-9)", |c| c.is_ascii_digit()),
    (
        "specialCharacters",
        "special characters (e.g. !@#$%^&*)",
        is_special,
    ),
];

/// The longest run of one character.
fn longest_run(password: &str) -> usize {
    let mut best = 0;
    let mut run = 0;
    let mut last = None;
    for c in password.chars() {
        run = if Some(c) == last { run + 1 } else { 1 };
        last = Some(c);
        best = best.max(run);
    }
    best
}

impl PasswordPolicy {
    /// The minimum length in force.
    pub fn length(&self) -> usize {
        self.min_length.unwrap_or(self.level.default_length())
    }

    /// The strength rules of this policy, each with whether `password` meets
    /// it (password-sheriff's `missing()` output).
    fn rules(&self, password: &str) -> (Vec<Value>, Vec<String>, bool) {
        let len = self.length();
        let length_ok = password.chars().count() >= len;
        let mut rules = vec![json!({
            "message": "At least %d characters in length",
            "format": [len],
            "code": "lengthAtLeast",
            "verified": length_ok,
        })];
        let mut lines = vec![format!("* At least {len} characters in length")];
        let mut ok = length_ok;
        let items = |n: usize| -> (Vec<Value>, usize) {
            let mut met = 0;
            let items = CLASSES[..n]
                .iter()
                .map(|(code, message, test)| {
                    let v = password.chars().any(test);
                    met += usize::from(v);
                    json!({"message": message, "code": code, "verified": v})
                })
                .collect();
            (items, met)
        };
        match self.level {
            Level::None | Level::Low => {}
            Level::Fair => {
                let (items, met) = items(3);
                let v = met == 3;
                ok &= v;
                rules.push(json!({"message": "Should contain:", "code": "shouldContain", "items": items, "verified": v}));
                lines.push("* Should contain:".into());
                lines.extend(CLASSES[..3].iter().map(|(_, m, _)| format!("  * {m}")));
            }
            Level::Good | Level::Excellent => {
                let (items, met) = items(4);
                let v = met >= 3;
                ok &= v;
                rules.push(json!({
                    "message": "Contain at least %d of the following %d types of characters:",
                    "format": [3, 4],
                    "code": "containsAtLeast",
                    "items": items,
                    "verified": v,
                }));
                lines.push("* Contain at least 3 of the following 4 types of characters:".into());
                lines.extend(CLASSES.iter().map(|(_, m, _)| format!("  * {m}")));
                if self.level == Level::Excellent {
                    let v = longest_run(password) <= 2;
                    ok &= v;
                    rules.push(json!({
                        "message": "No more than %d identical characters in a row (e.g., \"%s\" not allowed)",
                        "format": [2, "aaa"],
                        "code": "identicalChars",
                        "verified": v,
                    }));
                    lines.push(
                        "* No more than 2 identical characters in a row (e.g., \"aaa\" not allowed)"
                            .into(),
                    );
                }
            }
        }
        (rules, lines, ok)
    }

    /// The rules as a list a person reads (`policy` in Auth0's answer).
    pub fn describe(&self) -> String {
        self.rules("").1.join("\n")
    }

    /// Checks a new password against strength, dictionary and personal
    /// information (history is the caller's, who holds the previous hashes).
    pub fn check(&self, password: &str, personal: &PersonalInfo<'_>) -> Result<(), Refusal> {
        if password.len() > MAX_PASSWORD_BYTES {
            return Err(Refusal::TooLong);
        }
        let (rules, lines, ok) = self.rules(password);
        if !ok {
            return Err(Refusal::TooWeak {
                rules: Value::Array(rules),
                policy: lines.join("\n"),
            });
        }
        let lower = password.to_lowercase();
        if self.dictionary.contains(&lower) {
            return Err(Refusal::Common);
        }
        if self.no_personal_info
            && personal.values.iter().any(|v| {
                let v = v.trim().to_lowercase();
                v.chars().count() >= 3 && lower.contains(&v)
            })
        {
            return Err(Refusal::PersonalInfo);
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn level(l: Level) -> PasswordPolicy {
        PasswordPolicy {
            level: l,
            ..PasswordPolicy::default()
        }
    }

    fn ok(p: &PasswordPolicy, pw: &str) -> bool {
        p.check(pw, &PersonalInfo::default()).is_ok()
    }

    #[test]
    fn each_level_has_auth0s_rules() {
        let none = level(Level::None);
        assert!(ok(&none, "a") && !ok(&none, ""));
        let low = level(Level::Low);
        assert!(ok(&low, "abcdef") && !ok(&low, "abcde"));
        let fair = level(Level::Fair);
        assert!(ok(&fair, "abcdEF12"));
        assert!(!ok(&fair, "abcdefg1"), "no upper case");
        assert!(!ok(&fair, "abcdEFGH!"), "no digit");
        assert!(!ok(&fair, "abcEF12"), "seven characters");
        let good = level(Level::Good);
        assert!(ok(&good, "abcdefG!"), "lower, upper, special: 3 of 4");
        assert!(ok(&good, "abcdef1!"), "lower, digit, special");
        assert!(!ok(&good, "abcdefgH"), "2 of 4");
        assert!(!ok(&good, "abcdE1!"), "seven characters");
        let excellent = level(Level::Excellent);
        assert!(ok(&excellent, "abcdefG1!x"));
        assert!(!ok(&excellent, "abcdefG1!"), "nine characters");
        assert!(!ok(&excellent, "aaabcdG1!x"), "three in a row");
        assert!(ok(&excellent, "aabbccG1!x"), "two in a row is fine");
    }

    #[test]
    fn classes_are_ascii_as_auth0s() {
        // 'é' and 'Ü' are neither a-z nor A-Z; '€' is not ASCII punctuation.
        assert!(!ok(&level(Level::Fair), "ééééÜÜ12"));
        assert!(!ok(&level(Level::Good), "abcdefg€"));
        assert!(ok(&level(Level::Good), "abcdefG "), "a space is special");
    }

    #[test]
    fn min_length_replaces_the_levels_length() {
        let p = PasswordPolicy {
            level: Level::Fair,
            min_length: Some(12),
            ..PasswordPolicy::default()
        };
        assert!(!ok(&p, "abcdEF12xyz"));
        assert!(ok(&p, "abcdEF12xyzw"));
        let p = PasswordPolicy {
            level: Level::Low,
            min_length: Some(2),
            ..PasswordPolicy::default()
        };
        assert!(ok(&p, "ab"));
    }

    #[test]
    fn a_weak_password_names_the_rules_it_missed() {
        let err = level(Level::Good)
            .check("abcdefgh", &PersonalInfo::default())
            .unwrap_err();
        let body = err.signup_body();
        assert_eq!(body["name"], "PasswordStrengthError");
        assert_eq!(body["code"], "invalid_password");
        assert_eq!(body["message"], "Password is too weak");
        let rules = body["description"]["rules"].as_array().unwrap();
        assert_eq!(rules[0]["code"], "lengthAtLeast");
        assert_eq!(rules[0]["verified"], true);
        assert_eq!(rules[1]["code"], "containsAtLeast");
        assert_eq!(rules[1]["verified"], false);
        assert_eq!(rules[1]["items"][0]["verified"], true);
        assert_eq!(rules[1]["items"][1]["verified"], false);
        assert!(
            body["policy"]
                .as_str()
                .unwrap()
                .contains("3 of the following 4")
        );
    }

    #[test]
    fn dictionary_words_are_refused_whatever_their_case() {
        let p = PasswordPolicy {
            level: Level::Low,
            dictionary: vec!["portcullis".into()],
            ..PasswordPolicy::default()
        };
        assert_eq!(
            p.check("PortCullis", &PersonalInfo::default()),
            Err(Refusal::Common)
        );
        assert!(ok(&p, "portcullis2"), "the whole password, not a part");
    }

    #[test]
    fn personal_information_is_refused_when_contained() {
        let p = PasswordPolicy {
            level: Level::Low,
            no_personal_info: true,
            ..PasswordPolicy::default()
        };
        let info = PersonalInfo {
            values: vec!["jo.smith", "Ann", "x"],
        };
        assert_eq!(p.check("my-JO.SMITH-1", &info), Err(Refusal::PersonalInfo));
        assert_eq!(p.check("annabel99", &info), Err(Refusal::PersonalInfo));
        assert!(
            p.check("xylophone", &info).is_ok(),
            "one-letter values are ignored"
        );
        let off = PasswordPolicy {
            no_personal_info: false,
            ..p
        };
        assert!(off.check("my-jo.smith-1", &info).is_ok());
    }

    #[test]
    fn too_long_is_refused_before_any_rule() {
        let long = "aA1!".repeat(300);
        assert_eq!(
            level(Level::None).check(&long, &PersonalInfo::default()),
            Err(Refusal::TooLong)
        );
    }
}
