//! Auth0's e-mail templates (`/api/v2/email-templates/{templateName}`): the
//! tenant's own subject, sender and body for the mails Portcullis sends, in
//! Liquid. The model and its checks live here; parsing and rendering the
//! Liquid is the shell's (`mail_templates`), which also refuses a template
//! that does not parse before it is saved.
//!
//! Invariants: a template is one of the names below; `syntax` is `liquid`;
//! `from` is an address (optionally with a display name); a `resultUrl` is an
//! http(s) URL; `urlLifetimeInSeconds` is 0 (the default) to 30 days.

use serde::{Deserialize, Serialize};

use crate::validation::{self, Validated, ValidationError};

/// The templates Portcullis sends (Auth0's names).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, schemars::JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum TemplateName {
    /// The verification link (`/jobs/verification-email`, and after sign-up).
    VerifyEmail,
    /// The password-reset link (`/dbconnections/change_password`, tickets).
    ResetEmail,
    /// Sent after sign-up.
    WelcomeEmail,
    /// When brute-force protection blocks an account (stored; not sent yet).
    BlockedAccount,
    /// Auth0's legacy names for the reset mail, accepted and stored.
    PasswordReset,
    ChangePassword,
    /// An invitation to join an organization.
    UserInvitation,
}

impl TemplateName {
    pub const ALL: [TemplateName; 7] = [
        TemplateName::VerifyEmail,
        TemplateName::ResetEmail,
        TemplateName::WelcomeEmail,
        TemplateName::BlockedAccount,
        TemplateName::PasswordReset,
        TemplateName::ChangePassword,
        TemplateName::UserInvitation,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            TemplateName::VerifyEmail => "verify_email",
            TemplateName::ResetEmail => "reset_email",
            TemplateName::WelcomeEmail => "welcome_email",
            TemplateName::BlockedAccount => "blocked_account",
            TemplateName::PasswordReset => "password_reset",
            TemplateName::ChangePassword => "change_password",
            TemplateName::UserInvitation => "user_invitation",
        }
    }

    pub fn parse(s: &str) -> Option<TemplateName> {
        Self::ALL.into_iter().find(|t| t.as_str() == s)
    }
}

/// Longest link lifetime a template may set: thirty days.
pub const MAX_URL_LIFETIME: i64 = 2_592_000;

/// A template as stored and answered (Auth0's field names).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct EmailTemplate {
    pub template: TemplateName,
    pub body: String,
    pub from: String,
    pub subject: String,
    pub syntax: String,
    #[serde(rename = "resultUrl", default, skip_serializing_if = "Option::is_none")]
    pub result_url: Option<String>,
    #[serde(rename = "urlLifetimeInSeconds", default)]
    pub url_lifetime_in_seconds: i64,
    #[serde(rename = "includeEmailInRedirect", default)]
    pub include_email_in_redirect: bool,
    pub enabled: bool,
}

/// The body of `POST` (all required but the optional ones), `PUT` (the same)
/// and `PATCH` (any) on `/api/v2/email-templates`.
#[derive(Debug, Clone, Default, Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct EmailTemplatePayload {
    pub template: Option<TemplateName>,
    pub body: Option<String>,
    pub from: Option<String>,
    pub subject: Option<String>,
    pub syntax: Option<String>,
    #[serde(rename = "resultUrl")]
    pub result_url: Option<String>,
    #[serde(rename = "urlLifetimeInSeconds")]
    pub url_lifetime_in_seconds: Option<i64>,
    #[serde(rename = "includeEmailInRedirect")]
    pub include_email_in_redirect: Option<bool>,
    pub enabled: Option<bool>,
}

fn required<T>(field: &str, v: Option<T>) -> Validated<T> {
    v.ok_or_else(|| ValidationError::field(field, "Missing required property"))
}

impl EmailTemplatePayload {
    /// A whole template (`POST`, `PUT`): `name` is the one in the path for
    /// `PUT`, the body's for `POST`.
    pub fn into_template(self, name: Option<TemplateName>) -> Validated<EmailTemplate> {
        let template = match (name, self.template) {
            (Some(n), Some(b)) if n != b => {
                return Err(ValidationError::field(
                    "template",
                    "does not match the template in the path",
                ));
            }
            (Some(n), _) => n,
            (None, b) => required("template", b)?,
        };
        let t = EmailTemplate {
            template,
            body: required("body", self.body)?,
            from: required("from", self.from)?,
            subject: required("subject", self.subject)?,
            syntax: self.syntax.unwrap_or_else(|| "liquid".into()),
            result_url: self.result_url.filter(|u| !u.is_empty()),
            url_lifetime_in_seconds: self.url_lifetime_in_seconds.unwrap_or(0),
            include_email_in_redirect: self.include_email_in_redirect.unwrap_or(false),
            enabled: required("enabled", self.enabled)?,
        };
        validate(&t)?;
        Ok(t)
    }

    /// A `PATCH`: only what is given changes.
    pub fn apply_to(self, mut t: EmailTemplate) -> Validated<EmailTemplate> {
        if self.template.is_some_and(|n| n != t.template) {
            return Err(ValidationError::field("template", "cannot be changed"));
        }
        if let Some(v) = self.body {
            t.body = v;
        }
        if let Some(v) = self.from {
            t.from = v;
        }
        if let Some(v) = self.subject {
            t.subject = v;
        }
        if let Some(v) = self.syntax {
            t.syntax = v;
        }
        if let Some(v) = self.result_url {
            t.result_url = (!v.is_empty()).then_some(v);
        }
        if let Some(v) = self.url_lifetime_in_seconds {
            t.url_lifetime_in_seconds = v;
        }
        if let Some(v) = self.include_email_in_redirect {
            t.include_email_in_redirect = v;
        }
        if let Some(v) = self.enabled {
            t.enabled = v;
        }
        validate(&t)?;
        Ok(t)
    }
}

/// The address in `Name <address>` or `address`.
fn address_of(from: &str) -> &str {
    match (from.rfind('<'), from.rfind('>')) {
        (Some(a), Some(b)) if a < b => &from[a + 1..b],
        _ => from,
    }
}

pub fn validate(t: &EmailTemplate) -> Validated<()> {
    if t.syntax != "liquid" {
        return Err(ValidationError::field("syntax", "must be liquid"));
    }
    let addr = address_of(&t.from).trim();
    let ok = addr
        .split_once('@')
        .is_some_and(|(a, b)| !a.is_empty() && !b.is_empty())
        && !addr.contains(char::is_whitespace)
        && !t.from.contains(['\r', '\n']);
    if !ok {
        return Err(ValidationError::field(
            "from",
            format!("'{}' is not an e-mail address", t.from),
        ));
    }
    if t.subject.trim().is_empty() || t.subject.contains(['\r', '\n']) {
        return Err(ValidationError::field(
            "subject",
            "must be one line of text",
        ));
    }
    validation::max_len("subject", &t.subject, 1_000)?;
    validation::max_len("body", &t.body, 100_000)?;
    if let Some(u) = &t.result_url {
        validation::web_url("resultUrl", u)?;
    }
    if !(0..=MAX_URL_LIFETIME).contains(&t.url_lifetime_in_seconds) {
        return Err(ValidationError::field(
            "urlLifetimeInSeconds",
            format!("must be between 0 and {MAX_URL_LIFETIME}"),
        ));
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn payload(v: serde_json::Value) -> EmailTemplatePayload {
        serde_json::from_value(v).unwrap()
    }

    #[test]
    fn a_whole_template_needs_its_fields() {
        let t = payload(serde_json::json!({"template": "verify_email", "body": "<p>{{ url }}</p>",
            "from": "Shop <no-reply@shop.example>", "subject": "Verify", "syntax": "liquid", "enabled": true}))
        .into_template(None)
        .unwrap();
        assert_eq!(t.template, TemplateName::VerifyEmail);
        assert!(
            payload(serde_json::json!({"template": "verify_email"}))
                .into_template(None)
                .is_err()
        );
    }

    #[test]
    fn bad_fields_are_refused() {
        let base = serde_json::json!({"template": "reset_email", "body": "b", "from": "a@b.c", "subject": "s", "enabled": true});
        for (k, v) in [
            ("from", serde_json::json!("nobody")),
            ("from", serde_json::json!("a@b.c\r\nBcc: x@y.z")),
            ("subject", serde_json::json!("two\nlines")),
            ("syntax", serde_json::json!("handlebars")),
            ("resultUrl", serde_json::json!("javascript:alert(1)")),
            ("urlLifetimeInSeconds", serde_json::json!(-1)),
        ] {
            let mut b = base.clone();
            b[k] = v;
            assert!(payload(b).into_template(None).is_err(), "{k}");
        }
        let unknown: Result<EmailTemplatePayload, _> =
            serde_json::from_value(serde_json::json!({"template": "sms_code"}));
        assert!(unknown.is_err());
    }

    #[test]
    fn the_path_names_the_template_of_a_put() {
        let p = payload(
            serde_json::json!({"template": "welcome_email", "body": "b", "from": "a@b.c", "subject": "s", "enabled": true}),
        );
        assert!(p.into_template(Some(TemplateName::VerifyEmail)).is_err());
    }
}
