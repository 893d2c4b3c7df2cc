//! The hosted login's passwordless pages (`/u/passwordless`): the address
//! or number, then the code (or, by e-mail, "check your e-mail" for a link
//! that comes back to `/passwordless/verify_redirect` in this browser). The
//! login page offers each passwordless connection enabled for the
//! application as a button; `/authorize?connection=email` comes straight
//! here.
//!
//! Invariants:
//! - Every step is the parked login's, in the browser that started it
//!   (`transaction::load`), with its CSRF token on each form.
//! - Sending goes through `http/passwordless::send` (bounds per recipient
//!   and address, the code stored hashed); the code is checked by the store
//!   once, and three wrong codes end it.

use axum::body::Body;
use axum::extract::{RawQuery, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::Response;
use portcullis_core::connections::Connection;
use portcullis_core::protocol::passwordless::{self as pwl, Channel, Delivery, Start, Tried};
use portcullis_core::secrets::hash_secret;

use super::transaction::{Transaction, Via, finish, load};
use crate::app::AppState;
use crate::audit::{Code, Event};
use crate::http::client_addr::ClientAddr;
use crate::http::flows::PageResult;
use crate::http::pages::Pages as _;
use crate::http::passwordless::{NotSent, Sending, connection_for, send, user_of};

/// What a page shows.
struct View<'a> {
    step: &'a str,
    connection: &'a str,
    channel: Channel,
    recipient: &'a str,
    error: Option<&'a str>,
}

fn render(app: &AppState, status: StatusCode, tx: &Transaction, v: View<'_>) -> Response {
    let error = v.error.map(|id| app.pages.text(id, &[]));
    // The code's form ends in a redirect to the application (CSP
    // `form-action` must allow its origin).
    app.pages.form_page(
        status,
        "passwordless.html",
        minijinja::context! {
            title => "login__pageTitle",
            client => minijinja::Value::from(minijinja::value::Serde(super::login::client_ctx(&tx.client))),
            state => &tx.id,
            csrf => &tx.csrf,
            step => v.step,
            connection => v.connection,
            sms => v.channel == Channel::Sms,
            recipient => v.recipient,
            error => error,
        },
        &tx.req.redirect_uri,
    )
}

/// The passwordless connection `name` of the login's application.
async fn connection_of(
    app: &AppState,
    tx: &Transaction,
    name: &str,
) -> Result<Option<(Connection, pwl::Options, Channel)>, portcullis_store::StoreError> {
    let channel = match name {
        "email" => Channel::Email,
        "sms" => Channel::Sms,
        _ => return Ok(None),
    };
    if !super::organization::allows_connection(app, &tx.req, name).await? {
        return Ok(None);
    }
    Ok(connection_for(app, &tx.client.client_id, name, channel)
        .await?
        .map(|(c, o)| (c, o, channel)))
}

/// Whether `name` is a passwordless connection this login may use.
pub(super) async fn offered(
    app: &AppState,
    tx: &Transaction,
    name: &str,
) -> Result<bool, portcullis_store::StoreError> {
    Ok(connection_of(app, tx, name).await?.is_some())
}

fn not_offered(app: &AppState) -> Response {
    app.pages.message(
        StatusCode::NOT_FOUND,
        "passwordless-start__unavailableTitle",
        "passwordless-start__unavailableDescription",
    )
}

/// `GET /u/passwordless?state=…&connection=email|sms`: the address or number.
pub async fn page(
    State(app): State<AppState>,
    headers: HeaderMap,
    RawQuery(q): RawQuery,
) -> PageResult {
    let Ok(params) = crate::http::body::query(q.as_deref()) else {
        return Ok(super::transaction::expired(&app, None));
    };
    let tx = match load(&app, &headers, params.get("state"), None).await {
        Ok(tx) => tx,
        Err(page) => return Ok(page),
    };
    let name = params.get("connection").unwrap_or("email").to_string();
    start_page(&app, tx, &name).await
}

/// The first page of connection `name` in the login `tx`.
pub(super) async fn start_page(app: &AppState, tx: Transaction, name: &str) -> PageResult {
    let Some((c, _, channel)) = connection_of(app, &tx, name).await? else {
        return Ok(not_offered(app));
    };
    let hint = tx.req.login_hint.clone().unwrap_or_default();
    let view = View {
        step: "start",
        connection: &c.name,
        channel,
        recipient: &hint,
        error: None,
    };
    Ok(render(app, StatusCode::OK, &tx, view))
}

/// `POST /u/passwordless`: sends the code (or the link).
pub async fn submit(
    State(app): State<AppState>,
    peer: ClientAddr,
    headers: HeaderMap,
    body: Body,
) -> PageResult {
    let (form, tx) = match super::login::submitted(&app, &headers, body).await {
        Ok(x) => x,
        Err(r) => return Ok(r),
    };
    let name = form.get("connection").unwrap_or_default().to_string();
    let Some((connection, options, channel)) = connection_of(&app, &tx, &name).await? else {
        return Ok(not_offered(&app));
    };
    let typed = form.get("recipient").unwrap_or_default().to_string();
    let again = |status, error| {
        let view = View {
            step: "start",
            connection: &name,
            channel,
            recipient: &typed,
            error: Some(error),
        };
        render(&app, status, &tx, view)
    };
    let Some(recipient) = pwl::recipient(channel, &typed) else {
        let why = match channel {
            Channel::Email => "passwordless-start__invalidEmail",
            Channel::Sms => "passwordless-start__invalidPhone",
        };
        return Ok(again(StatusCode::BAD_REQUEST, why));
    };
    let delivery = match (channel, form.get("send")) {
        (Channel::Email, Some("link")) => Delivery::Link,
        _ => Delivery::Code,
    };
    let start = Start {
        client_id: tx.client.client_id.clone(),
        connection: name.clone(),
        channel,
        recipient: recipient.clone(),
        delivery,
        auth_params: Vec::new(),
    };
    let ip = peer.text();
    let sending = Sending {
        client: &tx.client,
        connection: &connection,
        options: &options,
        start: &start,
        transaction: Some(&tx.id),
        ip: &ip,
    };
    match send(&app, sending).await? {
        Ok(()) => {}
        Err(NotSent::TooMany) => {
            let why = "passwordless-start__tooManySent";
            return Ok(again(StatusCode::TOO_MANY_REQUESTS, why));
        }
        Err(NotSent::Signup(why)) => return Ok(again(StatusCode::FORBIDDEN, why.text_id())),
        Err(NotSent::Delivery) => {
            let why = "passwordless-start__sendFailed";
            return Ok(again(StatusCode::SERVICE_UNAVAILABLE, why));
        }
    }
    let view = View {
        step: if delivery == Delivery::Link {
            "sent"
        } else {
            "code"
        },
        connection: &name,
        channel,
        recipient: &recipient,
        error: None,
    };
    Ok(render(&app, StatusCode::OK, &tx, view))
}

/// `POST /u/passwordless/code`: the code, then the login goes on.
pub async fn code_submit(
    State(app): State<AppState>,
    peer: ClientAddr,
    headers: HeaderMap,
    body: Body,
) -> PageResult {
    let (form, tx) = match super::login::submitted(&app, &headers, body).await {
        Ok(x) => x,
        Err(r) => return Ok(r),
    };
    let name = form.get("connection").unwrap_or_default().to_string();
    let Some((connection, options, channel)) = connection_of(&app, &tx, &name).await? else {
        return Ok(not_offered(&app));
    };
    let Some(recipient) = pwl::recipient(channel, form.get("recipient").unwrap_or_default()) else {
        return start_page(&app, tx, &name).await;
    };
    let code = form.get("code").unwrap_or_default().trim().to_string();
    let tried = app
        .store
        .try_passwordless_code(
            (&connection.name, &recipient, &tx.client.client_id),
            "code",
            &hash_secret(&code),
            app.now(),
            pwl::MAX_ATTEMPTS,
        )
        .await?;
    let ip = peer.text();
    let failed = async |why: &str| {
        app.audit(Event {
            client_id: Some(&tx.client.client_id),
            connection: Some(&connection.name),
            user_name: Some(&recipient),
            ip: Some(&ip),
            ..Event::new(Code::F, why)
        })
        .await;
    };
    let retry = match tried {
        Tried::Accepted { .. } => None,
        // The audit's words, then the page's text.
        Tried::Wrong => Some((
            "code",
            "That code is not right.",
            "passwordless-code__wrongCode",
        )),
        Tried::Exhausted => Some((
            "start",
            "Too many wrong codes: that code no longer works.",
            "passwordless-code__tooManyWrongCodes",
        )),
        Tried::Expired | Tried::Unknown => Some((
            "start",
            "That code has expired.",
            "passwordless-code__expiredCode",
        )),
    };
    if let Some((step, audited, why)) = retry {
        failed(audited).await;
        let view = View {
            step,
            connection: &name,
            channel,
            recipient: &recipient,
            error: Some(why),
        };
        return Ok(render(&app, StatusCode::BAD_REQUEST, &tx, view));
    }
    let user = match user_of(&app, &connection, &options, channel, &recipient).await? {
        Ok((user, first)) => {
            if first {
                app.audit(
                    Event::new(Code::Ss, "Successful signup")
                        .client(&tx.client)
                        .user(&user)
                        .ip(&ip),
                )
                .await;
            }
            user
        }
        Err(why) => {
            failed(why.message()).await;
            return Ok(app.pages.message(
                StatusCode::FORBIDDEN,
                "error-page__deniedTitle",
                why.text_id(),
            ));
        }
    };
    finish(&app, tx, &user, peer, &headers, Via::Passwordless).await
}
