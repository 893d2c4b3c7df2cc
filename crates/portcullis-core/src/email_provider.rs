//! The tenant's e-mail provider (Auth0's `/api/v2/emails/provider`): the SMTP
//! relay its mails go through, set through the Management API instead of the
//! server's configuration.
//!
//! Invariants: only `smtp` is offered (the others are vendors' HTTP APIs this
//! server does not call); the password is write-only: it is sealed at rest by
//! the shell and never answered; a relay on another host than localhost is
//! reached over TLS only.

use serde::{Deserialize, Serialize};

use crate::secrets::Secret;
use crate::validation::{Validated, ValidationError};

/// The SMTP relay's address and login.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SmtpCredentials {
    pub smtp_host: String,
    pub smtp_port: u16,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub smtp_user: Option<String>,
}

/// The provider as answered (never with the password).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct EmailProvider {
    pub name: String,
    pub enabled: bool,
    pub default_from_address: String,
    pub credentials: SmtpCredentials,
    #[serde(default)]
    pub settings: serde_json::Map<String, serde_json::Value>,
}

/// The credentials as sent: the password is accepted, never answered.
#[derive(Debug, Clone, Default, Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct SmtpCredentialsPayload {
    pub smtp_host: Option<String>,
    pub smtp_port: Option<u16>,
    pub smtp_user: Option<String>,
    pub smtp_pass: Option<String>,
}

/// The body of `POST` and `PATCH /api/v2/emails/provider`.
#[derive(Debug, Clone, Default, Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct EmailProviderPayload {
    pub name: Option<String>,
    pub enabled: Option<bool>,
    pub default_from_address: Option<String>,
    pub credentials: Option<SmtpCredentialsPayload>,
    pub settings: Option<serde_json::Map<String, serde_json::Value>>,
}

/// A provider decided from a payload, and the new password if one was sent.
pub struct Decided {
    pub provider: EmailProvider,
    pub password: Option<Secret>,
}

impl EmailProviderPayload {
    /// `POST`: a whole provider.
    pub fn into_new(self) -> Validated<Decided> {
        let creds = self.credentials.clone().unwrap_or_default();
        let provider = EmailProvider {
            name: self
                .name
                .clone()
                .ok_or_else(|| ValidationError::field("name", "Missing required property"))?,
            enabled: self.enabled.unwrap_or(true),
            default_from_address: self.default_from_address.clone().unwrap_or_default(),
            credentials: SmtpCredentials {
                smtp_host: creds.smtp_host.clone().ok_or_else(|| {
                    ValidationError::field("credentials.smtp_host", "Missing required property")
                })?,
                smtp_port: creds.smtp_port.ok_or_else(|| {
                    ValidationError::field("credentials.smtp_port", "Missing required property")
                })?,
                smtp_user: None,
            },
            settings: Default::default(),
        };
        self.apply_to(provider)
    }

    /// `PATCH`: only what is given changes.
    pub fn apply_to(self, mut p: EmailProvider) -> Validated<Decided> {
        if let Some(v) = self.name {
            p.name = v;
        }
        if let Some(v) = self.enabled {
            p.enabled = v;
        }
        if let Some(v) = self.default_from_address {
            p.default_from_address = v;
        }
        if let Some(v) = self.settings {
            p.settings = v;
        }
        let mut password = None;
        if let Some(c) = self.credentials {
            if let Some(v) = c.smtp_host {
                p.credentials.smtp_host = v;
            }
            if let Some(v) = c.smtp_port {
                p.credentials.smtp_port = v;
            }
            if let Some(v) = c.smtp_user {
                p.credentials.smtp_user = (!v.is_empty()).then_some(v);
            }
            password = c.smtp_pass.map(Secret::new);
        }
        validate(&p)?;
        Ok(Decided {
            provider: p,
            password,
        })
    }
}

/// Whether `host` is this machine (plain SMTP is allowed only there).
pub fn is_local(host: &str) -> bool {
    matches!(host, "localhost" | "127.0.0.1" | "::1" | "[::1]")
}

pub fn validate(p: &EmailProvider) -> Validated<()> {
    if p.name != "smtp" {
        return Err(ValidationError::field(
            "name",
            format!(
                "'{}' is not offered: only smtp (point it at your provider's SMTP relay)",
                p.name
            ),
        ));
    }
    let from = &p.default_from_address;
    let addr = match (from.rfind('<'), from.rfind('>')) {
        (Some(a), Some(b)) if a < b => &from[a + 1..b],
        _ => from.as_str(),
    };
    if !addr
        .split_once('@')
        .is_some_and(|(a, b)| !a.is_empty() && !b.is_empty())
        || from.contains(['\r', '\n'])
    {
        return Err(ValidationError::field(
            "default_from_address",
            format!("'{from}' is not an e-mail address"),
        ));
    }
    let host = &p.credentials.smtp_host;
    if host.is_empty() || host.contains(|c: char| c.is_whitespace() || c == '/' || c == '@') {
        return Err(ValidationError::field(
            "credentials.smtp_host",
            "must be a host name",
        ));
    }
    if p.credentials.smtp_port == 0 {
        return Err(ValidationError::field(
            "credentials.smtp_port",
            "must be a port number",
        ));
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn new(v: serde_json::Value) -> Validated<Decided> {
        serde_json::from_value::<EmailProviderPayload>(v)
            .unwrap()
            .into_new()
    }

    #[test]
    fn smtp_with_host_port_and_sender() {
        let d = new(serde_json::json!({"name": "smtp", "default_from_address": "Shop <a@shop.example>",
            "credentials": {"smtp_host": "smtp.example", "smtp_port": 587, "smtp_user": "u", "smtp_pass": "p"}}))
        .unwrap();
        assert!(d.provider.enabled);
        assert_eq!(d.provider.credentials.smtp_user.as_deref(), Some("u"));
        assert_eq!(
            d.password
                .as_ref()
                .map(|p| p.expose().to_string())
                .as_deref(),
            Some("p")
        );
        let shown = serde_json::to_string(&d.provider).unwrap();
        assert!(!shown.contains("\"p\""), "{shown}");
    }

    #[test]
    fn other_providers_and_bad_fields_are_refused() {
        assert!(
            new(
                serde_json::json!({"name": "sendgrid", "default_from_address": "a@b.c",
            "credentials": {"smtp_host": "h", "smtp_port": 1}})
            )
            .is_err()
        );
        assert!(
            new(
                serde_json::json!({"name": "smtp", "default_from_address": "nobody",
            "credentials": {"smtp_host": "h", "smtp_port": 1}})
            )
            .is_err()
        );
        assert!(
            new(
                serde_json::json!({"name": "smtp", "default_from_address": "a@b.c",
            "credentials": {"smtp_host": "h"}})
            )
            .is_err()
        );
    }
}
