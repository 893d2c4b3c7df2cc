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
use portcullis_core::tickets::{self, PasswordChangeRequest, TicketUser};
use portcullis_core::users::{DATABASE_CONNECTION, connection_id};
use serde_json::json;

use super::Caller;
use super::clients::read_body;
use crate::app::AppState;
use crate::http::body;
use crate::http::errors::ApiError;
use crate::http::password_tickets::{self, TicketFor};

fn no_user() -> ApiError {
    ApiError::not_found("The user does not exist.", "inexistent_user")
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
            // One database connection until connections exist (issue 18).
            if *id != connection_id(DATABASE_CONNECTION) {
                return Err(ApiError::not_found(
                    "The connection does not exist",
                    "inexistent_connection",
                ));
            }
            app.store
                .find_user_by_email(DATABASE_CONNECTION, email)
                .await?
        }
    };
    let (user, _) = user.ok_or_else(no_user)?;
    if user.connection() != DATABASE_CONNECTION {
        return Err(ApiError::bad_request(
            "The user's connection has no password to change.",
            "operation_not_supported",
        ));
    }
    if let Some(id) = &ticket.client_id {
        // The dashboard's built-in client is for members, never a user's way back.
        let found = id != portcullis_core::members::DASHBOARD_CLIENT_ID
            && app.store.get_client(id).await?.is_some();
        if !found {
            return Err(ApiError::not_found(
                "The client does not exist",
                "inexistent_client",
            ));
        }
    }
    if ticket.organization_id.is_some() {
        // No organization exists until issue 21, so every id is unknown.
        return Err(ApiError::not_found(
            "No organization found by that id or name",
            "inexistent_organization",
        ));
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
