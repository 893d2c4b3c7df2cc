//! Auth0's passwordless at the edge: `POST /passwordless/start` (a code by
//! e-mail or SMS, or a magic link by e-mail) and the link's landing,
//! `GET /passwordless/verify_redirect`. The code's grant is
//! `oauth/passwordless`; the hosted login's pages are `pages/passwordless`.
//!
//! Invariants:
//! - The application authenticates as at the token endpoint (a public one by
//!   its id); its `grant_types` must hold Auth0's passwordless grant, and the
//!   connection must be enabled for it.
//! - Starts are bounded per recipient and per network address across the
//!   cluster before anything is sent; a refused start sends and stores
//!   nothing, and a failed delivery keeps no code.
//! - A link's landing uses the `authParams` stored when it was sent, never
//!   the query's: a link cannot be edited into a login somewhere else. A
//!   link from the hosted login works only in the browser that asked for it.

use axum::Json;
use axum::body::Body;
use axum::extract::{RawQuery, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use portcullis_core::clients::{Client, GrantType};
use portcullis_core::connections::Connection;
use portcullis_core::protocol::params::Params;
use portcullis_core::protocol::passwordless::{
    self as pwl, Channel, Delivery, Options, Start, StartError, Tried,
};
use portcullis_core::secrets::hash_secret;
use portcullis_core::users::User;
use portcullis_store::{NewPasswordlessCode, StoreError};
use serde_json::{Map, Value, json};

use crate::app::AppState;
use crate::audit::{Code, Event};
use crate::http::client_addr::ClientAddr;
use crate::http::errors::{PageError, TokenEndpointError};
use crate::http::pages::Pages as _;

/// Auth0's passwordless error shape: `{error, error_description}`.
fn refused(status: StatusCode, e: StartError) -> Response {
    crate::issuance::no_store(
        (
            status,
            Json(json!({"error": e.error, "error_description": e.description})),
        )
            .into_response(),
    )
}

fn bad(error: &'static str, description: impl Into<String>) -> Response {
    refused(
        StatusCode::BAD_REQUEST,
        StartError {
            error,
            description: description.into(),
        },
    )
}

/// The passwordless connection `name` of `channel`, if it is enabled for
/// `client_id`, and its options.
pub(crate) async fn connection_for(
    app: &AppState,
    client_id: &str,
    name: &str,
    channel: Channel,
) -> Result<Option<(Connection, Options)>, StoreError> {
    let found = app
        .client_connections(client_id)
        .await?
        .into_iter()
        .find(|c| c.name == name && c.passwordless() == Some(channel));
    Ok(found.and_then(|c| {
        let o = Options::parse(channel, &c.options).ok()?;
        Some((c, o))
    }))
}

/// Why a recipient has no user to sign in as.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum NoUser {
    /// The connection's `disable_signup`, and no user yet.
    SignupDisabled,
    /// A concurrent first sign-in's user could not be read back.
    NotMade,
}

impl NoUser {
    /// Auth0's words, for the token endpoint and the audit events.
    pub(crate) fn message(self) -> &'static str {
        match self {
            NoUser::SignupDisabled => "Public signup is disabled for this connection.",
            NoUser::NotMade => "The account could not be made; try again.",
        }
    }

    /// The hosted page's text (`crate::i18n`).
    pub(crate) fn text_id(self) -> &'static str {
        match self {
            NoUser::SignupDisabled => "error-page__signupDisabled",
            NoUser::NotMade => "error-page__accountNotMade",
        }
    }
}

/// The recipient's user in `connection`, made on a first sign-in unless the
/// connection disables signups; `Err` with Auth0's reason when it may not
/// sign in. `true` when the user is new (audited `ss`).
pub(crate) async fn user_of(
    app: &AppState,
    connection: &Connection,
    options: &Options,
    channel: Channel,
    recipient: &str,
) -> Result<Result<(User, bool), NoUser>, StoreError> {
    if let Some(u) = existing_user(app, &connection.name, recipient).await? {
        return Ok(Ok((u, false)));
    }
    if options.disable_signup {
        return Ok(Err(NoUser::SignupDisabled));
    }
    let now = app.now();
    let user = pwl::new_user(channel, &connection.name, recipient, app.issuer(), now);
    match app.store.insert_user(&user, None, now).await {
        Ok(()) => Ok(Ok((user, true))),
        // Made by a concurrent first sign-in: that one.
        Err(StoreError::Conflict) => Ok(app
            .store
            .find_user_by_email(&connection.name, recipient)
            .await?
            .map(|(u, _)| (u, false))
            .ok_or(NoUser::NotMade)),
        Err(e) => Err(e),
    }
}

/// The recipient's user in the connection: its own, or the primary user an
/// identity of it is linked into.
async fn existing_user(
    app: &AppState,
    connection: &str,
    recipient: &str,
) -> Result<Option<User>, StoreError> {
    if let Some((u, _)) = app.store.find_user_by_email(connection, recipient).await? {
        return Ok(Some(u));
    }
    let linked = portcullis_store::LinkedBy::Email(connection, recipient);
    Ok(app.store.linked_primary(linked).await?.map(|(u, _)| u))
}

/// Reads the body: a JSON object (what Auth0's SDKs send) or a form.
fn body_map(headers: &HeaderMap, bytes: &[u8]) -> Option<Map<String, Value>> {
    let json = crate::http::body::media_type(headers).as_deref() == Some("application/json");
    if json {
        return serde_json::from_slice(bytes).ok();
    }
    Some(
        form_urlencoded::parse(bytes)
            .into_owned()
            .map(|(k, v)| (k, Value::String(v)))
            .collect(),
    )
}

/// The client-authentication parameters of the body, as the token endpoint
/// reads them.
fn auth_params(body: &Map<String, Value>) -> Params {
    let pairs = [
        "client_id",
        "client_secret",
        "client_assertion",
        "client_assertion_type",
    ]
    .into_iter()
    .filter_map(|k| Some((k.to_string(), body.get(k)?.as_str()?.to_string())));
    Params::from_pairs(pairs).unwrap_or_default()
}

/// The stored `authParams` key of the hosted login's transaction a link
/// returns to (never an `/authorize` parameter).
const TRANSACTION: &str = "__transaction";

/// What a start needs once it is allowed.
pub(crate) struct Sending<'a> {
    pub client: &'a Client,
    pub connection: &'a Connection,
    pub options: &'a Options,
    pub start: &'a Start,
    /// The hosted login's transaction a link returns to (`state`).
    pub transaction: Option<&'a str>,
    pub ip: &'a str,
}

/// Why a start is refused after its request was read.
pub(crate) enum NotSent {
    TooMany,
    Signup(NoUser),
    Delivery,
}

/// Bounds, stores and sends the code or link of `s`; audited `cs` / `cls`
/// when sent, `fn` when not (and then nothing stays stored).
pub(crate) async fn send(
    app: &AppState,
    s: Sending<'_>,
) -> Result<Result<(), NotSent>, StoreError> {
    let now = app.now();
    let to_key = format!("pwl:to:{}:{}", s.connection.name, s.start.recipient);
    let ip_key = format!("pwl:ip:{}", crate::brute_force::counted_address(s.ip));
    if app
        .store
        .reserve_login_attempt(
            &[
                (to_key.as_str(), pwl::STARTS_PER_RECIPIENT),
                (ip_key.as_str(), pwl::STARTS_PER_ADDRESS),
            ],
            now,
            pwl::START_WINDOW,
        )
        .await?
        .is_some()
    {
        return Ok(Err(NotSent::TooMany));
    }
    // An unknown recipient of a connection without signups gets nothing.
    if s.options.disable_signup
        && existing_user(app, &s.connection.name, &s.start.recipient)
            .await?
            .is_none()
    {
        return Ok(Err(NotSent::Signup(NoUser::SignupDisabled)));
    }
    let (secret, kind) = match s.start.delivery {
        Delivery::Code => (pwl::new_code(s.options.length), "code"),
        Delivery::Link => (portcullis_core::random::url_token(), "link"),
    };
    let mut stored_params = s.start.auth_params.clone();
    if let Some(tx) = s.transaction {
        stored_params.push((TRANSACTION.into(), tx.into()));
    }
    let params_json = serde_json::to_string(&stored_params).unwrap_or_else(|_| "[]".into());
    let code_hash = hash_secret(&secret);
    let key = NewPasswordlessCode {
        connection: &s.connection.name,
        recipient: &s.start.recipient,
        client_id: &s.client.client_id,
        kind,
        code_hash: &code_hash,
        auth_params: &params_json,
        expires_at: s.options.expires_at(now),
    };
    app.store.put_passwordless_code(&key, now).await?;
    let sent = match s.start.channel {
        Channel::Email => email(app, &s, &secret).await,
        Channel::Sms => sms(app, &s, &secret).await,
    };
    let event = |code: Code, what: &'static str| Event {
        client_id: Some(&s.client.client_id),
        client_name: Some(&s.client.name),
        connection: Some(&s.connection.name),
        user_name: Some(&s.start.recipient),
        ip: Some(s.ip),
        ..Event::new(code, what)
    };
    if let Err(why) = sent {
        tracing::error!(error = %why, connection = %s.connection.name, "could not send a passwordless code");
        // Nothing stays that the recipient could not have.
        app.store
            .drop_passwordless_code(
                (&s.connection.name, &s.start.recipient, &s.client.client_id),
                &code_hash,
            )
            .await?;
        let mut e = event(Code::Fn, "Failed to send the passwordless code");
        let details = json!({"error": why});
        e.details = Some(details);
        app.audit(e).await;
        return Ok(Err(NotSent::Delivery));
    }
    let (code, what) = match s.start.delivery {
        Delivery::Code => (Code::Cs, "Passwordless login code has been sent"),
        Delivery::Link => (Code::Cls, "Passwordless login code/link has been sent"),
    };
    app.audit(event(code, what)).await;
    Ok(Ok(()))
}

/// The link of a magic-link mail.
fn link(app: &AppState, s: &Sending<'_>, secret: &str) -> String {
    let mut q = form_urlencoded::Serializer::new(String::new());
    q.append_pair("client_id", &s.client.client_id)
        .append_pair("connection", &s.connection.name)
        .append_pair("email", &s.start.recipient)
        .append_pair("verification_code", secret);
    if let Some(tx) = s.transaction {
        q.append_pair("state", tx);
    }
    format!(
        "{}passwordless/verify_redirect?{}",
        app.issuer(),
        q.finish()
    )
}

/// The connection's mail (its `email.subject` and `email.body` with
/// `{{ code }}`, `{{ link }}` and `{{ application.name }}` filled in and
/// escaped), else the built-in one.
async fn email(app: &AppState, s: &Sending<'_>, secret: &str) -> Result<(), String> {
    let esc = crate::mail_templates::escape;
    let minutes = (s.options.time_step + 59) / 60;
    let (value, text) = match s.start.delivery {
        Delivery::Code => (
            secret.to_string(),
            format!(
                "Your verification code for {} is: {secret}. It works for {minutes} minutes. If you did not ask for it, ignore this message.",
                s.client.name
            ),
        ),
        Delivery::Link => {
            let l = link(app, s, secret);
            let text = format!(
                "Sign in to {} with this link (it works once, for {minutes} minutes):\n\n{l}\n\nIf you did not ask for it, ignore this message.",
                s.client.name
            );
            (l, text)
        }
    };
    let fill = |t: &str| {
        t.replace("{{ code }}", &esc(&value))
            .replace("{{code}}", &esc(&value))
            .replace("{{ link }}", &esc(&value))
            .replace("{{link}}", &esc(&value))
            .replace("{{ application.name }}", &esc(&s.client.name))
    };
    // The subject is a header, not HTML: values as they are, no line breaks.
    let subject = s
        .options
        .email_subject
        .as_deref()
        .map(|t| {
            t.replace("{{ code }}", &value)
                .replace("{{code}}", &value)
                .replace("{{ application.name }}", &s.client.name)
        })
        .unwrap_or_else(|| format!("Your sign-in to {}", s.client.name))
        .replace(['\r', '\n'], " ");
    let html = match &s.options.email_body {
        Some(body) => fill(body),
        None => match s.start.delivery {
            Delivery::Code => format!(
                "<!doctype html><html><body style=\"font-family:sans-serif;color:#1a1a1a\"><p>Your verification code for {}:</p><p style=\"font-size:1.5em;letter-spacing:.2em\"><strong>{}</strong></p><p>It works for {minutes} minutes. If you did not ask for it, ignore this message.</p></body></html>",
                esc(&s.client.name),
                esc(&value)
            ),
            Delivery::Link => crate::http::tenant_mail::link_html(
                &*app.look().await,
                "Sign in as {email}:",
                &s.start.recipient,
                "Sign in",
                &value,
                &format!(
                    "The link works once, for {minutes} minutes. If you did not ask for it, ignore this message."
                ),
            ),
        },
    };
    let msg = crate::mailer::Message {
        to: &s.start.recipient,
        subject: &subject,
        body: &text,
        html: Some(&html),
        from: s.options.email_from.as_deref(),
    };
    app.send_mail(msg).await.map_err(|e| e.to_string())
}

/// The text through the connection's gateway (its sealed secret opened for
/// the bearer token).
async fn sms(app: &AppState, s: &Sending<'_>, code: &str) -> Result<(), String> {
    let Some(url) = s.options.gateway_url.as_deref() else {
        return Err("the sms connection has no gateway_url".into());
    };
    let secret = match &s.options.gateway_auth {
        None => None,
        Some(_) => {
            let sealed = app
                .store
                .get_connection(&s.connection.id)
                .await
                .map_err(|e| e.to_string())?
                .and_then(|(_, sealed)| sealed)
                .ok_or("the gateway secret is not set")?;
            let opened = app
                .kek
                .open(
                    &crate::http::management::connections::secret_aad(&s.connection.id),
                    &sealed,
                )
                .ok()
                .and_then(|b| String::from_utf8(b).ok())
                .ok_or("the gateway secret cannot be opened")?;
            Some(opened)
        }
    };
    let body = pwl::sms_text(&s.options.sms_template, code);
    let sms = crate::sms_gateway::Sms {
        url,
        to: &s.start.recipient,
        from: s.options.sms_from.as_deref(),
        body: &body,
        auth: s.options.gateway_auth.as_ref().zip(secret.as_deref()),
        now: app.now(),
    };
    app.sms.send(sms).await.map_err(|e| e.to_string())
}

/// `POST /passwordless/start`.
pub async fn start(
    State(app): State<AppState>,
    peer: ClientAddr,
    headers: HeaderMap,
    body: Body,
) -> Result<Response, TokenEndpointError> {
    let Ok(bytes) = crate::http::body::read(body, crate::http::body::API_BODY_LIMIT).await else {
        return Ok(bad("bad.request", "The request body could not be read."));
    };
    let Some(map) = body_map(&headers, &bytes) else {
        return Ok(bad("bad.request", "The request body is not a JSON object."));
    };
    let start = match pwl::parse_start(&map) {
        Ok(s) => s,
        Err(e) => return Ok(refused(StatusCode::BAD_REQUEST, e)),
    };
    let client =
        crate::http::oauth::client_auth::authenticate(&app, &headers, &auth_params(&map)).await?;
    if !client.allows_grant(GrantType::PasswordlessOtp) {
        return Ok(bad(
            "unauthorized_client",
            "Grant type 'http://auth0.com/oauth/grant-type/passwordless/otp' not allowed for the client.",
        ));
    }
    let Some((connection, options)) =
        connection_for(&app, &client.client_id, &start.connection, start.channel).await?
    else {
        return Ok(bad(
            "bad.connection",
            format!(
                "The {} connection does not exist or is not enabled for this application.",
                start.connection
            ),
        ));
    };
    // A link must return to one of the application's callbacks.
    let mut start = start;
    if start.delivery == Delivery::Link
        && let Err(why) = link_params(&client, &mut start.auth_params)
    {
        return Ok(bad("bad.authParams", why));
    }
    let ip = peer.text();
    let sending = Sending {
        client: &client,
        connection: &connection,
        options: &options,
        start: &start,
        transaction: None,
        ip: &ip,
    };
    match send(&app, sending).await? {
        Ok(()) => {}
        Err(NotSent::TooMany) => {
            return Ok(refused(
                StatusCode::TOO_MANY_REQUESTS,
                StartError {
                    error: "too_many_requests",
                    description: "Too many codes were sent to this recipient or from this network address; try again later.".into(),
                },
            ));
        }
        Err(NotSent::Signup(why)) => return Ok(bad("bad.signup", why.message())),
        Err(NotSent::Delivery) => {
            return Ok(refused(
                StatusCode::SERVICE_UNAVAILABLE,
                StartError {
                    error: "delivery_failed",
                    description: "The code could not be sent; try again later.".into(),
                },
            ));
        }
    }
    let id = portcullis_core::random::hex(12);
    let answer = match start.channel {
        Channel::Email => json!({"_id": id, "email": start.recipient, "email_verified": false}),
        Channel::Sms => json!({"_id": id, "phone_number": start.recipient,
                               "phone_verified": false, "request_language": null}),
    };
    Ok(crate::issuance::no_store(Json(answer).into_response()))
}

/// A link's `authParams` with Auth0's defaults filled in: `response_type`
/// `code`, `redirect_uri` the application's first callback (an unlisted one
/// is refused), `scope` `openid`.
fn link_params(client: &Client, params: &mut Vec<(String, String)>) -> Result<(), String> {
    let get =
        |p: &Vec<(String, String)>, k: &str| p.iter().find(|(n, _)| n == k).map(|(_, v)| v.clone());
    match get(params, "redirect_uri") {
        Some(uri) if client.callbacks.contains(&uri) => {}
        Some(_) => return Err("authParams.redirect_uri is not an allowed callback URL".into()),
        None => match client.callbacks.first() {
            Some(c) => params.push(("redirect_uri".into(), c.clone())),
            None => return Err("the application has no callback URL for the link".into()),
        },
    }
    if let Some((k, _)) = params
        .iter()
        .find(|(k, _)| matches!(k.as_str(), TRANSACTION | "client_id" | "connection"))
    {
        return Err(format!("authParams.{k} may not be given"));
    }
    for (k, default) in [("response_type", "code"), ("scope", "openid")] {
        if get(params, k).is_none() {
            params.push((k.into(), default.into()));
        }
    }
    Ok(())
}

/// The cookie that ties a link's confirmation form to the browser that
/// showed it (`SameSite=Lax`: another site cannot post the form with it).
const CONFIRM_COOKIE: &str = "portcullis_pwl";

fn gone(app: &AppState) -> Response {
    app.pages.message(
        StatusCode::BAD_REQUEST,
        "passwordless-link__expiredTitle",
        "passwordless-link__expiredDescription",
    )
}

/// A link's parameters: the application, the connection and its options,
/// the recipient and the link's secret; `None` when any is wrong.
async fn link_target(
    app: &AppState,
    params: &Params,
) -> Result<Option<(Client, Connection, Options, String, String)>, StoreError> {
    let (Some(client_id), Some(name), Some(email), Some(code)) = (
        params.get("client_id"),
        params.get("connection"),
        params.get("email"),
        params.get("verification_code"),
    ) else {
        return Ok(None);
    };
    let Some(recipient) = pwl::recipient(Channel::Email, email) else {
        return Ok(None);
    };
    let Some((client, _)) = app.client(client_id).await? else {
        return Ok(None);
    };
    let Some((connection, options)) = connection_for(app, client_id, name, Channel::Email).await?
    else {
        return Ok(None);
    };
    Ok(Some((
        client,
        connection,
        options,
        recipient,
        code.to_string(),
    )))
}

/// `GET /passwordless/verify_redirect`: a magic link. From the hosted login
/// (`state`): in the browser that asked for it, the login goes on there.
/// From `/passwordless/start`: a page that asks to continue as the
/// recipient (so that neither a mail scanner's fetch nor another site's
/// navigation spends the link or signs anyone in), whose form comes back
/// with `POST`.
pub async fn verify_redirect(
    State(app): State<AppState>,
    peer: ClientAddr,
    headers: HeaderMap,
    RawQuery(q): RawQuery,
) -> Result<Response, PageError> {
    let Ok(params) = crate::http::body::query(q.as_deref()) else {
        return Ok(gone(&app));
    };
    let Some((client, connection, options, recipient, code)) = link_target(&app, &params).await?
    else {
        return Ok(gone(&app));
    };
    if let Some(state) = params.get("state") {
        // The hosted login's link: only the browser that started that
        // login (checked before the link is spent, so another browser
        // spends nothing).
        let tx =
            match crate::http::pages::transaction::load(&app, &headers, Some(state), None).await {
                Ok(tx) if tx.client.client_id == client.client_id => tx,
                Ok(_) => return Ok(gone(&app)),
                Err(page) => return Ok(page),
            };
        let link = Link {
            client: &client,
            connection: &connection,
            options: &options,
            recipient: &recipient,
            code: &code,
        };
        return land(&app, link, Some(tx), peer, &headers).await;
    }
    let csrf = portcullis_core::random::url_token();
    let cookie = crate::http::cookies::set(
        CONFIRM_COOKIE,
        &csrf,
        600,
        &crate::http::cookies::scope(&app),
        false,
    );
    let page = app.pages.page(
        StatusCode::OK,
        "passwordless.html",
        minijinja::context! {
            title => "login__pageTitle",
            client => minijinja::Value::from(minijinja::value::Serde(
                crate::http::pages::login::client_ctx(&client),
            )),
            step => "confirm",
            recipient => &recipient,
            csrf => &csrf,
            client_id => &client.client_id,
            connection => &connection.name,
            code => &code,
        },
    );
    Ok(crate::http::pages::transaction::with_cookie(page, &cookie))
}

/// `POST /passwordless/verify_redirect`: the confirmation of an API link,
/// from the browser that showed it.
pub async fn verify_redirect_submit(
    State(app): State<AppState>,
    peer: ClientAddr,
    headers: HeaderMap,
    body: Body,
) -> Result<Response, PageError> {
    let Ok(bytes) = crate::http::body::read(body, crate::http::body::API_BODY_LIMIT).await else {
        return Ok(gone(&app));
    };
    let Ok(params) = Params::from_pairs(form_urlencoded::parse(&bytes).into_owned()) else {
        return Ok(gone(&app));
    };
    let sent = params.get("csrf").unwrap_or_default();
    let kept = crate::http::cookies::get(&headers, CONFIRM_COOKIE).unwrap_or_default();
    if sent.is_empty() || !portcullis_core::secrets::constant_time_eq(sent, &kept) {
        return Ok(app.pages.message(
            StatusCode::FORBIDDEN,
            "error-page__invalidFormTitle",
            "passwordless-link__formNotVerified",
        ));
    }
    let Some((client, connection, options, recipient, code)) = link_target(&app, &params).await?
    else {
        return Ok(gone(&app));
    };
    let link = Link {
        client: &client,
        connection: &connection,
        options: &options,
        recipient: &recipient,
        code: &code,
    };
    // A page that moves on by itself rather than a redirect: the form's
    // CSP `form-action` would follow a redirect chain to the application.
    let res = crate::http::pages::upstream::continue_page(
        &app,
        land(&app, link, None, peer, &headers).await?,
    );
    let cleared = crate::http::cookies::clear(CONFIRM_COOKIE, &crate::http::cookies::scope(&app));
    Ok(crate::http::pages::transaction::with_cookie(res, &cleared))
}

/// A link being used.
struct Link<'a> {
    client: &'a Client,
    connection: &'a Connection,
    options: &'a Options,
    recipient: &'a str,
    code: &'a str,
}

/// Spends the link, finds or makes the user, and goes on: the hosted
/// login's transaction `tx`, or a session and `/authorize` with the stored
/// `authParams`.
async fn land(
    app: &AppState,
    l: Link<'_>,
    tx: Option<crate::http::pages::transaction::Transaction>,
    peer: ClientAddr,
    headers: &HeaderMap,
) -> Result<Response, PageError> {
    let tried = app
        .store
        .try_passwordless_code(
            (&l.connection.name, l.recipient, &l.client.client_id),
            "link",
            &hash_secret(l.code),
            app.now(),
            pwl::MAX_ATTEMPTS,
        )
        .await?;
    let ip = peer.text();
    let Tried::Accepted { auth_params } = tried else {
        app.audit(Event {
            client_id: Some(&l.client.client_id),
            connection: Some(&l.connection.name),
            user_name: Some(l.recipient),
            ip: Some(&ip),
            ..Event::new(Code::F, "Invalid, expired or used sign-in link")
        })
        .await;
        return Ok(gone(app));
    };
    let stored_tx = auth_params
        .iter()
        .find(|(k, _)| k == TRANSACTION)
        .map(|(_, v)| v);
    if tx.as_ref().map(|t| &t.id) != stored_tx {
        // A hosted-login link must come back to its own login, an API link
        // to none.
        return Ok(gone(app));
    }
    let user = match user_of(app, l.connection, l.options, Channel::Email, l.recipient).await? {
        Ok((user, first)) => {
            if first {
                app.audit(
                    Event::new(Code::Ss, "Successful signup")
                        .client(l.client)
                        .user(&user)
                        .ip(&ip),
                )
                .await;
            }
            user
        }
        Err(why) => {
            return Ok(app.pages.message(
                StatusCode::FORBIDDEN,
                "error-page__deniedTitle",
                why.text_id(),
            ));
        }
    };
    if let Some(tx) = tx {
        let via = crate::http::pages::transaction::Via::Passwordless;
        return crate::http::pages::transaction::finish(app, tx, &user, peer, headers, via).await;
    }
    if user.blocked {
        return Ok(app.pages.message(
            StatusCode::FORBIDDEN,
            "error-page__deniedTitle",
            "error-page__userBlocked",
        ));
    }
    let (_, cookie) = crate::http::flows::start_session(app, &user).await?;
    app.store
        .record_login(&user.user_id, Some(&ip), app.now())
        .await?;
    app.audit(
        Event::new(Code::S, "Successful login")
            .client(l.client)
            .user(&user)
            .ip(&ip),
    )
    .await;
    let mut q = form_urlencoded::Serializer::new(String::new());
    q.append_pair("client_id", &l.client.client_id);
    for (k, v) in &auth_params {
        q.append_pair(k, v);
    }
    let res = crate::http::found(&format!(
        "{}/authorize?{}",
        app.config.base_path(),
        q.finish()
    ));
    Ok(crate::http::pages::transaction::with_cookie(res, &cookie))
}
