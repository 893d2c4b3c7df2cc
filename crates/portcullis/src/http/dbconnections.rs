//! Auth0's database-connection endpoints: `POST /dbconnections/signup` and
//! `POST /dbconnections/change_password` (JSON bodies, as Auth0's SDKs send them).

use axum::Json;
use axum::body::Body;
use axum::extract::State;
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use portcullis_core::secrets::hash_secret;
use portcullis_core::users::{self, DATABASE_CONNECTION, UserCreate};
use portcullis_store::StoreError;
use serde::Deserialize;
use serde_json::json;

use crate::app::AppState;
use crate::audit::Event;
use crate::http::body;
use crate::http::sign_up::{SignUp, sign_up};

/// Password-reset links are good for a day.
const TICKET_LIFETIME: i64 = 24 * 3600;

/// Auth0's error shape on these endpoints.
fn error(status: StatusCode, name: &str, code: &str, description: &str) -> Response {
    (
        status,
        Json(json!({"name": name, "code": code, "description": description, "statusCode": status.as_u16()})),
    )
        .into_response()
}

fn bad(code: &str, description: &str) -> Response {
    error(
        StatusCode::BAD_REQUEST,
        "BadRequestError",
        code,
        description,
    )
}

fn too_many() -> Response {
    error(
        StatusCode::TOO_MANY_REQUESTS,
        "TooManyRequestsError",
        "too_many_requests",
        "Too many password-reset requests from this address. Try again later.",
    )
}

async fn json_body<T: serde::de::DeserializeOwned>(
    headers: &HeaderMap,
    b: Body,
) -> Result<T, Response> {
    let bytes = body::read(b, body::OAUTH_BODY_LIMIT)
        .await
        .map_err(|_| bad("invalid_body", "The body is too large or unreadable."))?;
    body::api_json(headers, &bytes).map_err(|e| bad("invalid_body", &e.message))
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SignupBody {
    client_id: String,
    connection: String,
    email: String,
    password: String,
    username: Option<String>,
    name: Option<String>,
    nickname: Option<String>,
    given_name: Option<String>,
    family_name: Option<String>,
    picture: Option<String>,
    user_metadata: Option<serde_json::Map<String, serde_json::Value>>,
}

pub async fn signup(
    State(app): State<AppState>,
    peer: crate::http::client_addr::ClientAddr,
    headers: HeaderMap,
    b: Body,
) -> Result<Response, crate::http::errors::PageError> {
    let body: SignupBody = match json_body(&headers, b).await {
        Ok(b) => b,
        Err(r) => return Ok(r),
    };
    let Some((client, _)) = app.client(&body.client_id).await? else {
        return Ok(bad("invalid_client", "Unknown client_id."));
    };
    let create = UserCreate {
        connection: Some(body.connection),
        email: Some(body.email.clone()),
        password: Some(body.password),
        username: body.username,
        name: body.name,
        nickname: body.nickname,
        given_name: body.given_name,
        family_name: body.family_name,
        picture: body.picture,
        user_metadata: body.user_metadata,
        ..Default::default()
    };
    let user = match sign_up(&app, &client, create, &peer.text()).await? {
        SignUp::Created(user) => user,
        SignUp::Invalid(message) if message.contains("Password") => {
            return Ok(bad("invalid_password", &message));
        }
        SignUp::Invalid(message) => return Ok(bad("invalid_signup", &message)),
        // Auth0 does not say whether the address is taken.
        SignUp::Exists => return Ok(bad("invalid_signup", "Invalid sign up")),
    };
    let id = user.user_id.trim_start_matches("auth0|").to_string();
    Ok(
        Json(json!({"_id": id, "email": user.email, "email_verified": user.email_verified}))
            .into_response(),
    )
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ChangePasswordBody {
    client_id: Option<String>,
    email: String,
    connection: String,
    organization: Option<String>,
}

/// Always the same answer, whether or not the address has an account, so the
/// endpoint tells no one who is registered.
pub async fn change_password(
    State(app): State<AppState>,
    peer: crate::http::client_addr::ClientAddr,
    headers: HeaderMap,
    b: Body,
) -> Result<Response, crate::http::errors::PageError> {
    let body: ChangePasswordBody = match json_body(&headers, b).await {
        Ok(b) => b,
        Err(r) => return Ok(r),
    };
    let _ = body.organization;
    if body.connection != DATABASE_CONNECTION {
        return Ok(bad("invalid_connection", "Unknown connection."));
    }
    if request_reset(&app, &body.email, body.client_id.as_deref(), &peer.text()).await?
        == ResetRequest::Throttled
    {
        return Ok(too_many());
    }
    Ok((
        StatusCode::OK,
        "We've just sent you an email to reset your password.",
    )
        .into_response())
}

/// Reset requests per client address in an hour before they are refused (429).
pub const RESET_LIMIT_PER_IP: i64 = 20;
/// Reset e-mails to one address in an hour; further requests get the same answer
/// but send nothing, so a mailbox cannot be flooded.
pub const RESET_LIMIT_PER_EMAIL: i64 = 5;
const RESET_WINDOW: i64 = 3600;

/// Whether a reset request was taken.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ResetRequest {
    /// Answered "sent" (whether or not the account exists).
    Accepted,
    /// Too many requests from this client address.
    Throttled,
}

/// Takes a password-reset request. The answer does not depend on whether the
/// account exists, in content or in time: the look-up, the ticket and the
/// e-mail happen off the request path.
pub async fn request_reset(
    app: &AppState,
    email: &str,
    client_id: Option<&str>,
    ip: &str,
) -> Result<ResetRequest, StoreError> {
    let email = users::normalize_email(email);
    let ip_key = format!("reset:ip:{}|", crate::brute_force::counted_address(ip));
    let email_key = format!("reset:email:{email}|");
    let keys = [
        (ip_key.as_str(), RESET_LIMIT_PER_IP),
        (email_key.as_str(), RESET_LIMIT_PER_EMAIL),
    ];
    match app
        .store
        .reserve_login_attempt(&keys, app.now(), RESET_WINDOW)
        .await?
    {
        Some(0) => return Ok(ResetRequest::Throttled),
        Some(_) => return Ok(ResetRequest::Accepted),
        None => {}
    }
    let app = app.clone();
    let client_id = client_id.map(str::to_string);
    tokio::spawn(async move {
        if let Err(e) = send_reset_email(&app, &email, client_id.as_deref()).await {
            tracing::error!(error = %e, "could not create a password-reset ticket");
        }
    });
    Ok(ResetRequest::Accepted)
}

/// The reset e-mail's plain-text and HTML parts (everything in the HTML escaped).
fn reset_message(email: &str, link: &str) -> (String, String) {
    let text = format!(
        "Someone asked to reset the password of your account {email}.\r\n\r\nTo choose a new password, open:\r\n{link}\r\n\r\nThe link works once, for 24 hours. If you did not ask, ignore this message."
    );
    let esc = |s: &str| {
        s.replace('&', "&amp;")
            .replace('<', "&lt;")
            .replace('>', "&gt;")
            .replace('"', "&quot;")
    };
    let html = format!(
        "<!doctype html><html><body style=\"font-family:sans-serif;color:#1a1a1a\"><p>Someone asked to reset the password of your account {}.</p><p><a href=\"{}\" style=\"color:#1f4fbf\">Choose a new password</a></p><p>The link works once, for 24 hours. If you did not ask, ignore this message.</p></body></html>",
        esc(email),
        esc(link)
    );
    (text, html)
}

/// If `email` has an account, creates a single-use reset ticket and e-mails its
/// link.
async fn send_reset_email(
    app: &AppState,
    email: &str,
    client_id: Option<&str>,
) -> Result<(), StoreError> {
    let Some((user, _)) = app
        .store
        .find_user_by_email(DATABASE_CONNECTION, email)
        .await?
    else {
        return Ok(());
    };
    let ticket = portcullis_core::random::url_token();
    let now = app.now();
    app.store
        .insert_password_ticket(
            &hash_secret(&ticket),
            &user.user_id,
            client_id,
            &portcullis_core::random::url_token(),
            now,
            now + TICKET_LIFETIME,
        )
        .await?;
    let link = format!("{}u/reset-password?ticket={ticket}", app.issuer());
    let (text, html) = reset_message(email, &link);
    let msg = crate::mailer::Message {
        to: email,
        subject: "Reset your password",
        body: &text,
        html: Some(&html),
    };
    // The request was answered already; a failed send is logged and audited
    // as Auth0 does (`fn`, failed notification, and `fcpr`), never as success.
    let sent = app.mailer.send(msg, now).await;
    if let Err(e) = &sent {
        tracing::error!(error = %e, "could not send the password-reset e-mail");
        app.audit(Event {
            client_id,
            user_id: Some(&user.user_id),
            user_name: Some(email),
            details: Some(serde_json::json!({"error": e.to_string()})),
            ..Event::new(
                crate::audit::Code::Fn,
                "Failed to send the password-reset e-mail",
            )
        })
        .await;
    }
    let (code, description) = match sent {
        Ok(_) => (crate::audit::Code::Scpr, "Change password request"),
        Err(_) => (
            crate::audit::Code::Fcpr,
            "Change password request: the e-mail could not be sent",
        ),
    };
    app.audit(Event {
        client_id,
        user_id: Some(&user.user_id),
        user_name: Some(email),
        ..Event::new(code, description)
    })
    .await;
    Ok(())
}
