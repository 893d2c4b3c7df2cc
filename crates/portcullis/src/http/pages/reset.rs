//! `/u/reset-password`: the page a password-reset e-mail links to. The ticket in
//! the link is single use; the form carries the ticket's CSRF token.

use axum::body::Body;
use axum::extract::{Query, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::Response;
use portcullis_core::clients::Client;
use portcullis_core::password_policy::Refusal;
use portcullis_core::secrets::{Secret, hash_secret};
use portcullis_core::users;
use portcullis_store::StoreError;
use serde::Deserialize;
use subtle::ConstantTimeEq;

use crate::app::AppState;
use crate::audit::Event;
use crate::http::flows::PageResult;
use crate::http::pages::Notice;
use crate::http::pages::Pages as _;

#[derive(Deserialize)]
pub struct TicketQuery {
    ticket: Option<String>,
}

/// The application a ticket was asked from, if it is known and still there.
async fn ticket_client(app: &AppState, ticket: Option<&str>) -> Option<Client> {
    let ticket = ticket?;
    let id = app
        .store
        .password_ticket_client(&hash_secret(ticket))
        .await
        .ok()
        .flatten()?;
    app.client(&id).await.ok().flatten().map(|(c, _)| c)
}

async fn expired(app: &AppState, ticket: Option<&str>) -> Response {
    let client = ticket_client(app, ticket).await;
    app.pages.notice(
        StatusCode::BAD_REQUEST,
        Notice::new(
            "reset-password-error__eventTitleExpired",
            "reset-password-error__descriptionExpired",
        )
        .back_to(client.as_ref()),
    )
}

/// The user's connection's policy, in one sentence for the form.
async fn hint(app: &AppState, user_id: &str) -> Result<Option<String>, StoreError> {
    let Some((user, _)) = app.store.get_user(user_id).await? else {
        return Ok(None);
    };
    let db = crate::http::realm::of_user(app, &user).await?;
    Ok(db.map(|d| super::form_text::password_hint(&app.pages, &d.options.password_policy)))
}

fn form(
    app: &AppState,
    status: StatusCode,
    ticket: &str,
    csrf: &str,
    hint: Option<String>,
    error: Option<&str>,
) -> Response {
    app.pages.page(
        status,
        "reset.html",
        minijinja::context! { title => "reset-password__pageTitle", ticket => ticket, csrf => csrf, error => error, password_hint => hint },
    )
}

pub async fn page(State(app): State<AppState>, Query(q): Query<TicketQuery>) -> PageResult {
    let Some(ticket) = q.ticket else {
        return Ok(expired(&app, None).await);
    };
    match app
        .store
        .get_password_ticket(&hash_secret(&ticket), app.now())
        .await?
    {
        Some(t) => {
            let hint = hint(&app, &t.user_id).await?;
            Ok(form(&app, StatusCode::OK, &ticket, &t.csrf, hint, None))
        }
        None => Ok(expired(&app, Some(&ticket)).await),
    }
}

pub async fn submit(State(app): State<AppState>, headers: HeaderMap, b: Body) -> PageResult {
    let p = match super::read_form(&app, &headers, b).await {
        Ok(p) => p,
        Err(page) => return Ok(page),
    };
    let (Some(ticket), Some(csrf)) = (p.get("ticket"), p.get("csrf")) else {
        return Ok(expired(&app, p.get("ticket")).await);
    };
    let token_hash = hash_secret(ticket);
    let Some(t) = app
        .store
        .get_password_ticket(&token_hash, app.now())
        .await?
    else {
        return Ok(expired(&app, Some(ticket)).await);
    };
    if !bool::from(t.csrf.as_bytes().ct_eq(csrf.as_bytes())) {
        return Ok(app.pages.message(
            StatusCode::FORBIDDEN,
            "error-page__invalidFormTitle",
            "error-page__formNotVerified",
        ));
    }
    let password = p.get("password").unwrap_or_default();
    // The policy of the user's connection, on the user's profile.
    let Some((user, current_hash)) = app.store.get_user(&t.user_id).await? else {
        return Ok(expired(&app, Some(ticket)).await);
    };
    let Some(db) = crate::http::realm::of_user(&app, &user).await? else {
        return Ok(expired(&app, Some(ticket)).await);
    };
    let refusal = match users::check_new_password(&db, &user, password) {
        Err(r) => Some(r),
        Ok(())
            if crate::http::password_history::reused(
                &app,
                &db,
                &user.user_id,
                current_hash.as_deref(),
                password,
            )
            .await? =>
        {
            Some(Refusal::Reused)
        }
        Ok(()) => None,
    };
    if let Some(r) = refusal {
        return Ok(form(
            &app,
            StatusCode::BAD_REQUEST,
            ticket,
            &t.csrf,
            Some(super::form_text::password_hint(
                &app.pages,
                &db.options.password_policy,
            )),
            Some(&super::form_text::password_refusal(
                &app.pages,
                &r,
                &db.options.password_policy,
            )),
        ));
    }
    let hash = app.hash_password(Secret::new(password)).await;
    let Some(redeemed) = app
        .store
        .redeem_password_ticket(&token_hash, &hash, app.now())
        .await?
    else {
        return Ok(expired(&app, Some(ticket)).await);
    };
    let email = app.store.get_user(&t.user_id).await?.map(|(u, _)| u.email);
    app.audit(Event {
        user_id: Some(&t.user_id),
        user_name: email.as_deref(),
        ..Event::new(crate::audit::Code::Scp, "Successful change password")
    })
    .await;
    let client = ticket_client(&app, Some(ticket)).await;
    let notice = Notice::new(
        "reset-password-success__title",
        "reset-password-success__description",
    );
    // A Management API ticket's `result_url` (a web URL checked when the ticket
    // was made) comes first; Auth0 redirects there, we link to it.
    // With neither, the tenant's `default_redirection_uri` (Auth0's setting for
    // a hosted page with no application to return to).
    let notice = match (
        redeemed.result_url,
        client.as_ref().and_then(|c| c.home_url()),
    ) {
        (Some(url), _) => notice.back(url, "reset-password-success__buttonText"),
        (None, Some(_)) => notice.back_to(client.as_ref()),
        (None, None) => match app.settings().await?.default_redirection_uri {
            Some(url) => notice.back(url, "reset-password-success__buttonText"),
            None => notice,
        },
    };
    Ok(app.pages.notice(StatusCode::OK, notice))
}
