//! The blocked-account e-mail and `/u/unblock`, as Auth0's brute-force
//! protection has them: when failed passwords block an account, its owner is
//! told by e-mail (the tenant's `blocked_account` template, or the built-in
//! mail) with a link that lifts the block.
//!
//! Invariants:
//! - the mail goes only for an account block of a user that exists (never for
//!   an address block, never to an address nobody owns), at most once per
//!   account per block window (blocks from many addresses send one mail), and
//!   not at all when the tenant saved the `blocked_account` template disabled;
//! - it is sent in the background, so a failed attempt that starts a block is
//!   answered as fast as any other failure (timing tells an attacker nothing);
//! - the link's ticket is stored as a hash, works once, only for unblocking
//!   (`TicketPurpose::Unblock`), and lifts the blocks of the account it was
//!   sent for, whatever the user's address is now;
//! - following the link shows a button; only the POST spends the ticket, so
//!   a mail scanner that opens links does not use it up. The form carries the
//!   ticket itself, an unguessable secret, which is what a CSRF token would be.

use axum::body::Body;
use axum::extract::{Query, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::Response;
use portcullis_core::email_templates::TemplateName;
use portcullis_core::secrets::hash_secret;
use portcullis_core::users::User;
use portcullis_store::{NewEmailTicket, StoreError, TicketPurpose};
use serde::Deserialize;

use crate::app::AppState;
use crate::audit::{Code, Event};
use crate::brute_force;
use crate::http::flows::PageResult;
use crate::http::pages::Notice;
use crate::http::pages::Pages as _;

/// How long the link works unless the template says otherwise: a day.
pub const TICKET_LIFETIME: i64 = 86_400;

/// Mails `user` that their account is blocked, with a link that unblocks it,
/// in the background. Does nothing when the tenant disabled the template.
pub fn notify(app: &AppState, user: User, client_id: Option<String>) {
    let app = app.clone();
    tokio::spawn(async move {
        if let Err(e) = send(&app, &user, client_id.as_deref()).await {
            tracing::error!(error = %e, "could not prepare the blocked-account e-mail");
        }
    });
}

async fn send(app: &AppState, user: &User, client_id: Option<&str>) -> Result<(), StoreError> {
    let template = app
        .store
        .get_email_template(TemplateName::BlockedAccount)
        .await?;
    if template.as_ref().is_some_and(|t| !t.enabled) {
        return Ok(());
    }
    // One mail per account per block window, however many addresses start a
    // block: the mail cannot be used to flood the owner.
    let now = app.now();
    if app
        .store
        .email_ticket_since(
            &user.user_id,
            TicketPurpose::Unblock,
            now - brute_force::BLOCK_FOR,
        )
        .await?
    {
        return Ok(());
    }
    let ttl = match template.as_ref().map(|t| t.url_lifetime_in_seconds) {
        Some(n) if n > 0 => n,
        _ => TICKET_LIFETIME,
    };
    let ticket = portcullis_core::random::url_token();
    app.store
        .insert_email_ticket(&NewEmailTicket {
            token_hash: &hash_secret(&ticket),
            user_id: &user.user_id,
            email: &user.email,
            client_id,
            result_url: None,
            created_at: now,
            expires_at: now + ttl,
            purpose: TicketPurpose::Unblock,
        })
        .await?;
    let link = format!("{}u/unblock?ticket={ticket}", app.issuer());
    let (text, html) = message(&*app.look().await, &user.email, &link, ttl);
    crate::http::tenant_mail::send_link_mail(
        app,
        crate::http::tenant_mail::LinkMail {
            user,
            client_id,
            link: &link,
            template: TemplateName::BlockedAccount,
            subject: "Your account has been blocked",
            text: &text,
            html: &html,
            what: "the blocked-account e-mail",
            sent: None,
            failed: None,
        },
    )
    .await;
    Ok(())
}

/// The built-in mail's plain-text and HTML parts.
fn message(look: &crate::templates::Look, email: &str, link: &str, ttl: i64) -> (String, String) {
    let valid = crate::http::tenant_mail::lifetime(ttl);
    let text = format!(
        "Your account {email} was blocked after several failed attempts to sign in.\r\n\r\nIf that was you, unblock it with this link and sign in again:\r\n{link}\r\n\r\nThe link works once, for {valid}. If it was not you, someone may be guessing your password: change it."
    );
    let html = crate::http::tenant_mail::link_html(
        look,
        "Your account {email} was blocked after several failed attempts to sign in. If that was you, unblock it and sign in again.",
        email,
        "Unblock my account",
        link,
        &format!(
            "The link works once, for {valid}. If it was not you, someone may be guessing your password: change it."
        ),
    );
    (text, html)
}

#[derive(Deserialize)]
pub struct TicketQuery {
    ticket: Option<String>,
}

fn gone(app: &AppState) -> Response {
    app.pages.notice(
        StatusCode::BAD_REQUEST,
        Notice::new("unblock__expiredTitle", "unblock__expiredDescription"),
    )
}

/// `GET /u/unblock?ticket=…`: the button that unblocks (spends nothing).
pub async fn page(State(app): State<AppState>, Query(q): Query<TicketQuery>) -> PageResult {
    let Some(ticket) = q.ticket else {
        return Ok(gone(&app));
    };
    match app
        .store
        .live_email_ticket(&hash_secret(&ticket), TicketPurpose::Unblock, app.now())
        .await?
    {
        Some(email) => Ok(app.pages.page(
            StatusCode::OK,
            "unblock.html",
            minijinja::context! { title => "unblock__title", ticket => ticket, email => email },
        )),
        None => Ok(gone(&app)),
    }
}

/// `POST /u/unblock`: spends the ticket and lifts the account's blocks.
pub async fn submit(State(app): State<AppState>, headers: HeaderMap, b: Body) -> PageResult {
    let p = match super::pages::read_form(&app, &headers, b).await {
        Ok(p) => p,
        Err(page) => return Ok(page),
    };
    let Some(ticket) = p.get("ticket") else {
        return Ok(gone(&app));
    };
    let redeemed = app
        .store
        .redeem_unblock_ticket(&hash_secret(ticket), app.now(), |email| {
            brute_force::account_prefix(email)
        })
        .await?;
    let Some((user_id, email)) = redeemed else {
        return Ok(gone(&app));
    };
    app.audit(Event {
        user_id: Some(&user_id),
        user_name: Some(&email),
        ..Event::new(
            Code::Ublkdu,
            "User login block released by the blocked-account link",
        )
    })
    .await;
    Ok(app.pages.notice(
        StatusCode::OK,
        Notice::new("unblock__doneTitle", "unblock__doneDescription"),
    ))
}

#[cfg(test)]
mod tests {
    #[test]
    fn the_mail_escapes_and_states_the_lifetime() {
        let (text, html) =
            super::message(&Default::default(), "a@b.c", "https://x/?t=1&u=<2>", 86_400);
        assert!(text.contains("for 24 hours"), "{text}");
        assert!(html.contains("t=1&amp;u=&lt;2&gt;"), "{html}");
    }
}
