//! Auth0's database-connection endpoints: `POST /dbconnections/signup` and
//! `POST /dbconnections/change_password` (JSON bodies, as Auth0's SDKs send them).

use axum::Json;
use axum::body::Body;
use axum::extract::State;
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use portcullis_core::users::{self, DatabaseConnection, UserCreate, UserRefusal};
use portcullis_store::StoreError;
use serde::Deserialize;
use serde_json::json;

use crate::app::AppState;
use crate::http::sign_up::{SignUp, sign_up};
use crate::http::{body, password_tickets, realm};

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
    let db = match realm::database(&app, Some(&client.client_id), &body.connection).await? {
        Ok(db) => db,
        Err(why) => return Ok(bad("invalid_connection", &why.message())),
    };
    let create = UserCreate {
        user_id: None,
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
    let user = match sign_up(&app, &client, &db, create, &peer.text()).await? {
        SignUp::Created(user) => user,
        // Auth0's answer names the policy's rules and which were met.
        SignUp::Invalid(UserRefusal::Password(refusal)) => {
            return Ok((StatusCode::BAD_REQUEST, Json(refusal.signup_body())).into_response());
        }
        SignUp::Invalid(UserRefusal::Invalid(e)) => {
            return Ok(bad("invalid_signup", &e.message));
        }
        SignUp::Disabled => {
            return Ok(bad(
                "operation_not_allowed",
                "Signups are disabled for this connection",
            ));
        }
        // Auth0 does not say whether the address is taken, unless the tenant
        // turned on its `enable_public_signup_user_exists_error` flag.
        SignUp::Exists => {
            let settings = app.settings().await?;
            return Ok(if settings.flag(USER_EXISTS_FLAG) {
                bad("user_exists", "The user already exists.")
            } else {
                bad("invalid_signup", "Invalid sign up")
            });
        }
    };
    Ok(Json(signup_answer(&user)).into_response())
}

/// Auth0's tenant flag that makes a sign-up with a taken address say so.
const USER_EXISTS_FLAG: &str = "enable_public_signup_user_exists_error";

/// Auth0's answer to a sign-up: the id without its `auth0|` prefix, and the
/// profile it echoes (absent fields left out, as Auth0 does).
fn signup_answer(user: &portcullis_core::users::User) -> serde_json::Value {
    let mut out = json!({
        "_id": user.user_id.trim_start_matches("auth0|"),
        "email": user.email,
        "email_verified": user.email_verified,
        "name": user.name,
        "nickname": user.nickname,
        "picture": user.picture,
    });
    for (key, value) in [
        ("username", user.username.as_ref()),
        ("given_name", user.given_name.as_ref()),
        ("family_name", user.family_name.as_ref()),
    ] {
        if let Some(v) = value {
            out[key] = json!(v);
        }
    }
    if !user.user_metadata.is_empty() {
        out["user_metadata"] = json!(user.user_metadata);
    }
    out
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
    let db = match realm::database(&app, body.client_id.as_deref(), &body.connection).await? {
        Ok(db) => db,
        Err(why) => return Ok(bad("invalid_connection", &why.message())),
    };
    if request_reset(
        &app,
        &db,
        &body.email,
        body.client_id.as_deref(),
        &peer.text(),
    )
    .await?
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
    db: &DatabaseConnection,
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
    let connection = db.name.clone();
    tokio::spawn(async move {
        if let Err(e) = send_reset_email(&app, &connection, &email, client_id.as_deref()).await {
            tracing::error!(error = %e, "could not create a password-reset ticket");
        }
    });
    Ok(ResetRequest::Accepted)
}

/// If `email` has an account, creates a single-use reset ticket and e-mails its
/// link.
async fn send_reset_email(
    app: &AppState,
    connection: &str,
    email: &str,
    client_id: Option<&str>,
) -> Result<(), StoreError> {
    let Some((user, _)) = app.store.find_user_by_email(connection, email).await? else {
        return Ok(());
    };
    // The tenant's `reset_email` template may set the link's lifetime and
    // where the reset page leads on (Auth0's urlLifetimeInSeconds, resultUrl).
    let template = crate::http::tenant_mail::enabled(
        app,
        portcullis_core::email_templates::TemplateName::ResetEmail,
    )
    .await;
    let ttl = match template.as_ref().map(|t| t.url_lifetime_in_seconds) {
        Some(n) if n > 0 => n,
        _ => TICKET_LIFETIME,
    };
    let link = password_tickets::create(
        app,
        &password_tickets::TicketFor {
            user: &user,
            client_id,
            ttl,
            result_url: template.as_ref().and_then(|t| t.result_url.as_deref()),
            mark_email_verified: false,
        },
    )
    .await?;
    // The request was answered already; the outcome is in the audit log.
    password_tickets::mail(app, &user, client_id, &link, ttl).await;
    Ok(())
}
