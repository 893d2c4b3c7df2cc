//! Password-reset tickets: made by the Authentication API's
//! `/dbconnections/change_password` (the hosted "Forgot password?") and by the
//! Management API's `POST /api/v2/tickets/password-change`, spent by the reset
//! page (`pages/reset.rs`).
//!
//! Invariants: the link carries a random ticket; only its SHA-256 is stored. A
//! ticket is single use, and spending it ends every session, refresh token and
//! other ticket of the user (the store does that in one transaction). A failed
//! e-mail is audited as a failure (`fn`, `fcpr`), never as success.

use portcullis_core::secrets::hash_secret;
use portcullis_core::users::User;
use portcullis_store::{NewPasswordTicket, StoreError};

use crate::app::AppState;
use crate::audit::Code;
use crate::http::tenant_mail::{lifetime, link_html};

/// What a new ticket is for.
pub struct TicketFor<'a> {
    pub user: &'a User,
    /// The application the reset was asked from, for the way back.
    pub client_id: Option<&'a str>,
    /// Seconds the link works for.
    pub ttl: i64,
    pub result_url: Option<&'a str>,
    pub mark_email_verified: bool,
}

/// Stores a new ticket; returns the link to the reset page.
pub async fn create(app: &AppState, t: &TicketFor<'_>) -> Result<String, StoreError> {
    let ticket = portcullis_core::random::url_token();
    let now = app.now();
    app.store
        .insert_password_ticket(&NewPasswordTicket {
            token_hash: &hash_secret(&ticket),
            user_id: &t.user.user_id,
            client_id: t.client_id,
            csrf: &portcullis_core::random::url_token(),
            created_at: now,
            expires_at: now + t.ttl,
            result_url: t.result_url,
            verify_address: t.mark_email_verified.then_some(t.user.email.as_str()),
        })
        .await?;
    Ok(format!("{}u/reset-password?ticket={ticket}", app.issuer()))
}

/// The reset e-mail's plain-text and HTML parts (everything in the HTML escaped).
fn message(look: &crate::templates::Look, email: &str, link: &str, ttl: i64) -> (String, String) {
    let valid = lifetime(ttl);
    let text = format!(
        "Someone asked to reset the password of your account {email}.\r\n\r\nTo choose a new password, open:\r\n{link}\r\n\r\nThe link works once, for {valid}. If you did not ask, ignore this message."
    );
    let html = link_html(
        look,
        "Someone asked to reset the password of your account {email}.",
        email,
        "Choose a new password",
        link,
        &format!("The link works once, for {valid}. If you did not ask, ignore this message."),
    );
    (text, html)
}

/// E-mails `link` to the user and audits the outcome (`scpr`, or `fn` and
/// `fcpr`). Returns whether the mail went out.
pub async fn mail(
    app: &AppState,
    user: &User,
    client_id: Option<&str>,
    link: &str,
    ttl: i64,
) -> bool {
    let (text, html) = message(&*app.look().await, &user.email, link, ttl);
    crate::http::tenant_mail::send_link_mail(
        app,
        crate::http::tenant_mail::LinkMail {
            user,
            client_id,
            link,
            template: portcullis_core::email_templates::TemplateName::ResetEmail,
            subject: "Reset your password",
            text: &text,
            html: &html,
            what: "the password-reset e-mail",
            sent: Some((Code::Scpr, "Change password request")),
            failed: Some((
                Code::Fcpr,
                "Change password request: the e-mail could not be sent",
            )),
        },
    )
    .await
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_mail_states_how_long_the_link_works() {
        assert_eq!(lifetime(3600), "one hour");
        assert_eq!(lifetime(24 * 3600), "24 hours");
        assert_eq!(lifetime(432_000), "5 days");
        let (text, html) = message(&Default::default(), "a@b.c", "https://x/?t=1&u=<2>", 86_400);
        assert!(text.contains("for 24 hours"));
        assert!(html.contains("t=1&amp;u=&lt;2&gt;"), "{html}");
    }
}
