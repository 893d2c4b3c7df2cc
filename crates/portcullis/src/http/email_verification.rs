//! E-mail verification: single-use links made by the Management API's
//! `POST /tickets/email-verification` (handed on by the caller) and
//! `POST /jobs/verification-email` (e-mailed here), and the page they open,
//! `GET /u/email-verification?ticket=…`, which verifies the address.
//!
//! Invariants: only the ticket's hash is stored; a link verifies the address
//! it was made for and no other (`TenantStore::redeem_email_ticket`); a failed
//! e-mail is audited as a failure (`fn`, `fvr`), never as success.

use axum::extract::{Query, State};
use axum::http::StatusCode;
use portcullis_core::secrets::hash_secret;
use portcullis_core::users::User;
use portcullis_store::{NewEmailTicket, StoreError, Verification};
use serde::Deserialize;

use crate::app::AppState;
use crate::audit::{Code, Event};
use crate::http::flows::PageResult;
use crate::http::pages::Notice;
use crate::http::pages::Pages as _;

/// What a new link is for.
pub struct VerificationFor<'a> {
    pub user: &'a User,
    pub client_id: Option<&'a str>,
    pub result_url: Option<&'a str>,
    /// Seconds the link works for.
    pub ttl: i64,
}

/// Stores a new ticket; returns the link to the verify page.
pub async fn create(app: &AppState, t: &VerificationFor<'_>) -> Result<String, StoreError> {
    let ticket = portcullis_core::random::url_token();
    let now = app.now();
    app.store
        .insert_email_ticket(&NewEmailTicket {
            token_hash: &hash_secret(&ticket),
            user_id: &t.user.user_id,
            email: &t.user.email,
            client_id: t.client_id,
            result_url: t.result_url,
            created_at: now,
            expires_at: now + t.ttl,
            purpose: portcullis_store::TicketPurpose::VerifyEmail,
        })
        .await?;
    Ok(format!(
        "{}u/email-verification?ticket={ticket}",
        app.issuer()
    ))
}

/// The verification e-mail's plain-text and HTML parts.
fn message(look: &crate::templates::Look, email: &str, link: &str, ttl: i64) -> (String, String) {
    let valid = crate::http::tenant_mail::lifetime(ttl);
    let text = format!(
        "Please confirm that {email} is your e-mail address by opening this link:\r\n{link}\r\n\r\nThe link works once, for {valid}. If you did not sign up, ignore this message."
    );
    let html = crate::http::tenant_mail::link_html(
        look,
        "Please confirm that {email} is your e-mail address.",
        email,
        "Verify my e-mail address",
        link,
        &format!("The link works once, for {valid}. If you did not sign up, ignore this message."),
    );
    (text, html)
}

/// E-mails the link and audits the outcome (`svr`, or `fn` and `fvr`);
/// whether the mail went out.
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
            template: portcullis_core::email_templates::TemplateName::VerifyEmail,
            subject: "Verify your e-mail address",
            text: &text,
            html: &html,
            what: "the verification e-mail",
            sent: Some((Code::Svr, "Verification e-mail sent")),
            failed: Some((Code::Fvr, "Verification e-mail could not be sent")),
        },
    )
    .await
}

#[derive(Deserialize)]
pub struct TicketQuery {
    ticket: Option<String>,
}

/// `GET /u/email-verification?ticket=…`: verifies the address the link was
/// made for, once.
pub async fn page(State(app): State<AppState>, Query(q): Query<TicketQuery>) -> PageResult {
    let outcome = match &q.ticket {
        Some(t) => {
            app.store
                .redeem_email_ticket(&hash_secret(t), app.now())
                .await?
        }
        None => Verification::Gone,
    };
    match outcome {
        Verification::Verified {
            user_id,
            email,
            client_id,
            result_url,
        } => {
            app.audit(Event {
                client_id: client_id.as_deref(),
                user_id: Some(&user_id),
                user_name: Some(&email),
                ..Event::new(Code::Sv, "Email verified")
            })
            .await;
            let client = match &client_id {
                Some(id) => app.client(id).await?.map(|(c, _)| c),
                None => None,
            };
            let notice = Notice::new(
                "email-verification-result__verifiedTitle",
                "email-verification-result__verifiedDescription",
            );
            let notice = match (result_url, client.as_ref().and_then(|c| c.home_url())) {
                (Some(url), _) => notice.back(url, "email-verification-result__buttonText"),
                (None, Some(_)) => notice.back_to(client.as_ref()),
                (None, None) => match app.settings().await?.default_redirection_uri {
                    Some(url) => notice.back(url, "email-verification-result__buttonText"),
                    None => notice,
                },
            };
            Ok(app.pages.notice(StatusCode::OK, notice))
        }
        other => {
            let user_id = match &other {
                Verification::AddressChanged { user_id } => Some(user_id.as_str()),
                _ => None,
            };
            app.audit(Event {
                user_id,
                ..Event::new(Code::Fv, "Verification link could not verify")
            })
            .await;
            Ok(app.pages.notice(
                StatusCode::BAD_REQUEST,
                Notice::new(
                    "email-verification-result__errorTitle",
                    "email-verification-result__invalidAccountOrCodeDescription",
                ),
            ))
        }
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn the_mail_escapes_and_states_the_lifetime() {
        let (text, html) = super::message(
            &Default::default(),
            "a@b.c",
            "https://x/?t=1&u=<2>",
            5 * 86_400,
        );
        assert!(text.contains("for 5 days"));
        assert!(html.contains("t=1&amp;u=&lt;2&gt;"), "{html}");
    }
}
