//! `POST /api/v2/tickets/password-change` (Auth0's name and shape): a
//! single-use link to the hosted reset page for one user. The decision is
//! `portcullis_core::tickets::decide`; this shell finds the user and the
//! application, stores the ticket and, when `send_email` asks (a Portcullis
//! extension the dashboard uses), e-mails the link.

use axum::Json;
use axum::body::Body;
use axum::extract::State;
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use portcullis_core::tickets::{self, EmailVerificationRequest, PasswordChangeRequest, TicketUser};
use serde_json::json;

use super::Caller;
use super::clients::read_body;
use crate::app::AppState;
use crate::http::body;
use crate::http::email_verification;
use crate::http::errors::ApiError;
use crate::http::password_tickets::{self, TicketFor};
use crate::http::realm;

fn no_user() -> ApiError {
    ApiError::not_found("The user does not exist.", "inexistent_user")
}

/// No organization exists until issue 21, so every id is unknown.
pub(super) fn no_organization() -> ApiError {
    ApiError::not_found(
        "No organization found by that id or name",
        "inexistent_organization",
    )
}

/// The application a ticket returns to must exist (and not be the dashboard's
/// built-in client, which is for members, never a user's way back).
pub(super) async fn check_client(app: &AppState, client_id: Option<&str>) -> Result<(), ApiError> {
    let Some(id) = client_id else {
        return Ok(());
    };
    let found = id != portcullis_core::members::DASHBOARD_CLIENT_ID
        && app.store.get_client(id).await?.is_some();
    if found {
        Ok(())
    } else {
        Err(ApiError::not_found(
            "The client does not exist",
            "inexistent_client",
        ))
    }
}

pub async fn password_change(
    State(app): State<AppState>,
    caller: Caller,
    headers: HeaderMap,
    b: Body,
) -> Result<Response, ApiError> {
    caller.require("create:user_tickets")?;
    let bytes = read_body(b).await?;
    let req: PasswordChangeRequest = body::api_json(&headers, &bytes)?;
    let ticket =
        tickets::decide(req).map_err(|e| ApiError::bad_request(e.message, "invalid_body"))?;
    let user = match &ticket.user {
        TicketUser::Id(id) => app.store.get_user(id).await?,
        TicketUser::Email {
            connection_id: id,
            email,
        } => {
            let Some((connection, _)) = app.store.get_connection(id).await? else {
                return Err(ApiError::not_found(
                    "The connection does not exist",
                    "inexistent_connection",
                ));
            };
            app.store
                .find_user_by_email(&connection.name, email)
                .await?
        }
    };
    let (user, _) = user.ok_or_else(no_user)?;
    if realm::of_user(&app, &user).await?.is_none() {
        return Err(ApiError::bad_request(
            "The user's connection has no password to change.",
            "operation_not_supported",
        ));
    }
    check_client(&app, ticket.client_id.as_deref()).await?;
    if ticket.organization_id.is_some() {
        return Err(no_organization());
    }
    let result_url = ticket.result_url_for(&user.email);
    let link = password_tickets::create(
        &app,
        &TicketFor {
            user: &user,
            client_id: ticket.client_id.as_deref(),
            ttl: ticket.ttl,
            result_url: result_url.as_deref(),
            mark_email_verified: ticket.mark_email_verified,
        },
    )
    .await?;
    if !ticket.send_email {
        return Ok((StatusCode::CREATED, Json(json!({"ticket": link}))).into_response());
    }
    // The ticket stands whether or not the mail goes out; `email_sent` says
    // which, so an operator never believes a user has a mail they do not (the
    // dashboard then offers the link to pass on by hand).
    let sent =
        password_tickets::mail(&app, &user, ticket.client_id.as_deref(), &link, ticket.ttl).await;
    Ok((
        StatusCode::CREATED,
        Json(json!({"ticket": link, "email_sent": sent})),
    )
        .into_response())
}

/// `POST /tickets/email-verification`: a single-use link that verifies the
/// user's address (Auth0's shape: `201 {"ticket": url}`; nothing is sent).
pub async fn email_verification(
    State(app): State<AppState>,
    caller: Caller,
    headers: HeaderMap,
    b: Body,
) -> Result<Response, ApiError> {
    caller.require("create:user_tickets")?;
    let bytes = read_body(b).await?;
    let req: EmailVerificationRequest = body::api_json(&headers, &bytes)?;
    let ticket = tickets::decide_email_verification(req)
        .map_err(|e| ApiError::bad_request(e.message, "invalid_body"))?;
    let (user, _) = app
        .store
        .get_user(&ticket.user_id)
        .await?
        .ok_or_else(no_user)?;
    check_client(&app, ticket.client_id.as_deref()).await?;
    if ticket.organization_id.is_some() {
        return Err(no_organization());
    }
    let result_url = ticket.result_url_for(&user.email);
    let link = email_verification::create(
        &app,
        &email_verification::VerificationFor {
            user: &user,
            client_id: ticket.client_id.as_deref(),
            result_url: result_url.as_deref(),
            ttl: ticket.ttl,
        },
    )
    .await?;
    Ok((StatusCode::CREATED, Json(json!({"ticket": link}))).into_response())
}
