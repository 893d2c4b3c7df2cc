//! Tickets made through the Management API: password-change tickets (Auth0's
//! `POST /api/v2/tickets/password-change`), a single-use link to the hosted
//! reset page, and e-mail verification tickets
//! (`POST /api/v2/tickets/email-verification`), a single-use link that
//! verifies the user's address; for an application or an operator to hand on.
//!
//! Invariants:
//! - A ticket names one user, either by `user_id` or by `email` within
//!   `connection_id`, never both (Auth0's rule).
//! - `result_url` and `client_id` exclude each other (Auth0: the result URL is
//!   for the classic experience; with a client the page links back to it).
//! - A ticket lives `ttl_sec` seconds: five days when absent or 0, as Auth0, and
//!   never more than [`MAX_TTL`] (Auth0 sets no ceiling; a reset link that works
//!   for months is a standing credential in someone's mailbox).
//! - Only the hash of the ticket is stored; the link is returned once.

use serde::Deserialize;

use crate::validation::{Validated, ValidationError, web_url};

/// Auth0's default lifetime: five days.
pub const DEFAULT_TTL: i64 = 432_000;

/// The longest lifetime accepted: thirty days.
pub const MAX_TTL: i64 = 2_592_000;

/// The request body, as Auth0 documents it, plus Portcullis's `send_email`.
#[derive(Debug, Clone, Default, Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct PasswordChangeRequest {
    pub result_url: Option<String>,
    pub user_id: Option<String>,
    pub client_id: Option<String>,
    pub organization_id: Option<String>,
    pub connection_id: Option<String>,
    pub email: Option<String>,
    pub ttl_sec: Option<i64>,
    pub mark_email_as_verified: Option<bool>,
    #[serde(rename = "includeEmailInRedirect")]
    pub include_email_in_redirect: Option<bool>,
    /// A Portcullis extension (Auth0 has none): also e-mail the link to the
    /// user, as the hosted "Forgot password?" does. The dashboard uses it, so
    /// the reset it sends is a Management API call with its member in the log.
    pub send_email: Option<bool>,
}

/// Whom the ticket is for.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum TicketUser {
    Id(String),
    Email {
        connection_id: String,
        email: String,
    },
}

/// A valid request, decided.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PasswordChangeTicket {
    pub user: TicketUser,
    pub client_id: Option<String>,
    pub organization_id: Option<String>,
    pub result_url: Option<String>,
    /// Seconds the ticket works for.
    pub ttl: i64,
    pub mark_email_verified: bool,
    pub include_email_in_redirect: bool,
    pub send_email: bool,
}

impl PasswordChangeTicket {
    /// Where the reset page sends the user afterwards: `result_url`, with the
    /// user's e-mail address added as `email=` when asked for.
    pub fn result_url_for(&self, email: &str) -> Option<String> {
        result_url_with(
            self.result_url.as_deref(),
            email,
            self.include_email_in_redirect,
        )
    }
}

/// `result_url` with `email=` added when `include_email` (Auth0's
/// `includeEmailInRedirect`).
fn result_url_with(result_url: Option<&str>, email: &str, include_email: bool) -> Option<String> {
    let mut url = url::Url::parse(result_url?).ok()?;
    if include_email {
        url.query_pairs_mut().append_pair("email", email);
    }
    Some(url.into())
}

/// Where the user goes after the ticket: an application (`client_id`), an
/// organization, or a `result_url` (an http(s) URL), which excludes the other
/// two (Auth0's rule). Blank values count as absent.
fn way_back(
    client_id: Option<String>,
    organization_id: Option<String>,
    result_url: Option<String>,
) -> Validated<(Option<String>, Option<String>, Option<String>)> {
    let (client_id, organization_id) = (present(client_id), present(organization_id));
    let result_url = match present(result_url) {
        None => None,
        Some(_) if client_id.is_some() || organization_id.is_some() => {
            return Err(ValidationError::field(
                "result_url",
                "result_url cannot be used with client_id or organization_id",
            ));
        }
        Some(u) => Some(web_url("result_url", &u)?.to_string()),
    };
    Ok((client_id, organization_id, result_url))
}

fn present(v: Option<String>) -> Option<String> {
    v.filter(|s| !s.trim().is_empty())
}

/// Checks a request the way Auth0 does and decides the ticket.
pub fn decide(req: PasswordChangeRequest) -> Validated<PasswordChangeTicket> {
    let user_id = present(req.user_id);
    let connection_id = present(req.connection_id);
    let email = present(req.email);
    let user = match (user_id, connection_id, email) {
        (Some(id), None, None) => TicketUser::Id(id),
        (Some(_), _, _) => {
            return Err(ValidationError::field(
                "user_id",
                "user_id cannot be used with connection_id or email",
            ));
        }
        (None, Some(connection_id), Some(email)) => TicketUser::Email {
            connection_id,
            email: crate::users::normalize_email(&email),
        },
        (None, Some(_), None) => {
            return Err(ValidationError::field(
                "email",
                "email is required with connection_id",
            ));
        }
        (None, None, Some(_)) => {
            return Err(ValidationError::field(
                "connection_id",
                "connection_id is required with email",
            ));
        }
        (None, None, None) => {
            return Err(ValidationError::field(
                "user_id",
                "Missing required property: user_id (or connection_id and email)",
            ));
        }
    };
    let (client_id, organization_id, result_url) =
        way_back(req.client_id, req.organization_id, req.result_url)?;
    let ttl = ttl_of(req.ttl_sec)?;
    Ok(PasswordChangeTicket {
        user,
        client_id,
        organization_id,
        result_url,
        ttl,
        mark_email_verified: req.mark_email_as_verified.unwrap_or(false),
        include_email_in_redirect: req.include_email_in_redirect.unwrap_or(false),
        send_email: req.send_email.unwrap_or(false),
    })
}

/// The body of `POST /api/v2/tickets/email-verification`, as Auth0 documents it.
#[derive(Debug, Clone, Default, Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct EmailVerificationRequest {
    pub user_id: Option<String>,
    pub result_url: Option<String>,
    pub ttl_sec: Option<i64>,
    #[serde(rename = "includeEmailInRedirect")]
    pub include_email_in_redirect: Option<bool>,
    pub client_id: Option<String>,
    pub organization_id: Option<String>,
    /// A secondary identity to verify (`{user_id, provider}`); only the
    /// primary (database) identity exists here.
    pub identity: Option<serde_json::Value>,
}

/// A valid verification request, decided.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct EmailVerificationTicket {
    pub user_id: String,
    pub client_id: Option<String>,
    pub organization_id: Option<String>,
    pub result_url: Option<String>,
    pub include_email_in_redirect: bool,
    pub ttl: i64,
}

impl EmailVerificationTicket {
    /// `result_url`, with `email=` added when asked for.
    pub fn result_url_for(&self, email: &str) -> Option<String> {
        result_url_with(
            self.result_url.as_deref(),
            email,
            self.include_email_in_redirect,
        )
    }
}

fn ttl_of(ttl_sec: Option<i64>) -> Validated<i64> {
    match ttl_sec.unwrap_or(0) {
        0 => Ok(DEFAULT_TTL),
        n if n < 0 => Err(ValidationError::field(
            "ttl_sec",
            "Expected an integer of at least 0",
        )),
        n if n > MAX_TTL => Err(ValidationError::field(
            "ttl_sec",
            format!("must be at most {MAX_TTL} (30 days)"),
        )),
        n => Ok(n),
    }
}

/// Checks a verification-ticket request the way Auth0 does.
pub fn decide_email_verification(
    req: EmailVerificationRequest,
) -> Validated<EmailVerificationTicket> {
    let Some(user_id) = present(req.user_id) else {
        return Err(ValidationError::field(
            "user_id",
            "Missing required property: user_id",
        ));
    };
    if req.identity.is_some() {
        return Err(ValidationError::field(
            "identity",
            "only the user's primary identity can be verified (there are no secondary identities)",
        ));
    }
    let (client_id, organization_id, result_url) =
        way_back(req.client_id, req.organization_id, req.result_url)?;
    Ok(EmailVerificationTicket {
        user_id,
        client_id,
        organization_id,
        result_url,
        include_email_in_redirect: req.include_email_in_redirect.unwrap_or(false),
        ttl: ttl_of(req.ttl_sec)?,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn req(v: serde_json::Value) -> PasswordChangeRequest {
        serde_json::from_value(v).unwrap()
    }

    #[test]
    fn user_id_alone_names_the_user_and_lives_five_days() {
        let t = decide(req(serde_json::json!({"user_id": "auth0|1"}))).unwrap();
        assert_eq!(t.user, TicketUser::Id("auth0|1".into()));
        assert_eq!(t.ttl, DEFAULT_TTL);
        assert!(!t.mark_email_verified && !t.send_email);
    }

    #[test]
    fn email_needs_a_connection_and_excludes_user_id() {
        assert!(decide(req(serde_json::json!({"email": "a@b.c"}))).is_err());
        assert!(decide(req(serde_json::json!({"connection_id": "con_x"}))).is_err());
        assert!(
            decide(req(
                serde_json::json!({"user_id": "auth0|1", "email": "a@b.c", "connection_id": "c"})
            ))
            .is_err()
        );
        let t = decide(req(
            serde_json::json!({"email": " A@B.c ", "connection_id": "con_x"}),
        ))
        .unwrap();
        assert_eq!(
            t.user,
            TicketUser::Email {
                connection_id: "con_x".into(),
                email: "a@b.c".into()
            }
        );
    }

    #[test]
    fn nobody_named_is_refused() {
        let e = decide(PasswordChangeRequest::default()).unwrap_err();
        assert!(e.message.contains("user_id"), "{e}");
    }

    #[test]
    fn result_url_excludes_client_id_and_must_be_a_web_url() {
        assert!(
            decide(req(
                serde_json::json!({"user_id": "u", "result_url": "https://a.example/", "client_id": "c"})
            ))
            .is_err()
        );
        assert!(
            decide(req(
                serde_json::json!({"user_id": "u", "result_url": "javascript:alert(1)"})
            ))
            .is_err()
        );
    }

    #[test]
    fn result_url_carries_the_email_only_when_asked() {
        let mut t = decide(req(
            serde_json::json!({"user_id": "u", "result_url": "https://a.example/done?x=1"}),
        ))
        .unwrap();
        assert_eq!(
            t.result_url_for("a+b@c.d").as_deref(),
            Some("https://a.example/done?x=1")
        );
        t.include_email_in_redirect = true;
        assert_eq!(
            t.result_url_for("a+b@c.d").as_deref(),
            Some("https://a.example/done?x=1&email=a%2Bb%40c.d")
        );
    }

    #[test]
    fn ttl_zero_is_the_default_and_is_bounded() {
        let t = decide(req(serde_json::json!({"user_id": "u", "ttl_sec": 0}))).unwrap();
        assert_eq!(t.ttl, DEFAULT_TTL);
        let t = decide(req(serde_json::json!({"user_id": "u", "ttl_sec": 60}))).unwrap();
        assert_eq!(t.ttl, 60);
        assert!(decide(req(serde_json::json!({"user_id": "u", "ttl_sec": -1}))).is_err());
        assert!(
            decide(req(
                serde_json::json!({"user_id": "u", "ttl_sec": MAX_TTL + 1})
            ))
            .is_err()
        );
    }

    #[test]
    fn verification_tickets_need_a_user_and_refuse_secondary_identities() {
        let d = |v| decide_email_verification(serde_json::from_value(v).unwrap());
        assert!(d(serde_json::json!({})).is_err());
        assert!(d(serde_json::json!({"user_id": "u", "identity": {"user_id": "x", "provider": "google-oauth2"}})).is_err());
        assert!(
            d(serde_json::json!({"user_id": "u", "result_url": "https://a/", "client_id": "c"}))
                .is_err()
        );
        let t = d(serde_json::json!({"user_id": "u", "result_url": "https://a.example/ok", "includeEmailInRedirect": true})).unwrap();
        assert_eq!(t.ttl, DEFAULT_TTL);
        assert_eq!(
            t.result_url_for("a@b.c").as_deref(),
            Some("https://a.example/ok?email=a%40b.c")
        );
    }

    #[test]
    fn unknown_members_are_refused() {
        let r: Result<PasswordChangeRequest, _> =
            serde_json::from_value(serde_json::json!({"user_id": "u", "new_password": "x"}));
        assert!(r.is_err());
    }
}
