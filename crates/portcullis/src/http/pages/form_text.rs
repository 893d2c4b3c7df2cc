//! What the hosted forms say about the core's typed answers (a password
//! policy, a refused password, an invalid field, a brute-force block), in the
//! page's language: the core decides, the catalogue (`crate::i18n`) words it.
//!
//! Invariant: every sentence here is a catalogue id; the core's English
//! messages stay for the APIs (Auth0's wording) and the audit log.

use portcullis_core::password_policy::{Level, PasswordPolicy, Refusal};
use portcullis_core::users::DatabaseConnection;
use portcullis_core::validation::ValidationError;

use crate::brute_force::Block;
use crate::templates::Templates;

/// One sentence for a new-password field's hint: the policy's length and
/// character classes.
pub fn password_hint(pages: &Templates, policy: &PasswordPolicy) -> String {
    let id = match policy.level {
        Level::None | Level::Low => "common__passwordHintLow",
        Level::Fair => "common__passwordHintFair",
        Level::Good => "common__passwordHintGood",
        Level::Excellent => "common__passwordHintExcellent",
    };
    pages.text(id, &[("length", policy.length().to_string())])
}

/// Why a new password was refused, and (too weak) what the policy asks.
pub fn password_refusal(pages: &Templates, refusal: &Refusal, policy: &PasswordPolicy) -> String {
    match refusal {
        Refusal::TooWeak { .. } => format!(
            "{} {}",
            pages.text("common__passwordTooWeak", &[]),
            password_hint(pages, policy)
        ),
        Refusal::TooLong => pages.text(
            "common__passwordTooLong",
            &[(
                "max",
                portcullis_core::passwords::MAX_PASSWORD_BYTES.to_string(),
            )],
        ),
        Refusal::Common => pages.text("common__passwordTooCommon", &[]),
        Refusal::PersonalInfo => pages.text("common__passwordPersonalInfo", &[]),
        Refusal::Reused => pages.text("common__passwordReused", &[]),
    }
}

/// A sign-up's invalid field: what to say, and the form field it is about
/// (`handle` is the username's field, `username` the address's).
pub fn invalid_field(
    pages: &Templates,
    e: &ValidationError,
    db: &DatabaseConnection,
) -> (String, &'static [&'static str]) {
    match e.property.as_str() {
        "username" => {
            let (min, max) = db.options.username_length;
            let text = pages.text(
                "signup__invalid-username",
                &[("min", min.to_string()), ("max", max.to_string())],
            );
            (text, &["handle"])
        }
        "password" => (pages.text("signup__password-required", &[]), &["password"]),
        "email" => (
            pages.text("signup__invalid-email-format", &[]),
            &["username"],
        ),
        _ => (pages.text("signup__invalid-details", &[]), &["username"]),
    }
}

/// What a person blocked from password attempts is told: an address block
/// does not claim the account is blocked (it is not: the same account signs
/// in from elsewhere).
pub fn block(pages: &Templates, block: Block) -> String {
    match block {
        Block::Account => pages.text("login__user-blocked", &[]),
        Block::Address => pages.text("login__ip-blocked", &[]),
    }
}
