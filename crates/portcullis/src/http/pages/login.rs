//! `/u/login`, `/u/signup`, `/u/consent`: the hosted pages of a parked authorization
//! request. Every POST carries the transaction's CSRF token and must come from the
//! browser that started the transaction (its binding cookie).

use axum::body::Body;
use axum::extract::{Query, State};

use crate::http::client_addr::ClientAddr;
use axum::http::{HeaderMap, StatusCode};
use axum::response::Response;
use portcullis_core::clients::Client;
use portcullis_core::protocol::authorize::{AuthorizeErrorCode, AuthorizeRequest, ErrorRedirect};
use portcullis_core::protocol::params::Params;
use portcullis_core::secrets::Secret;
use portcullis_core::users::{self, DatabaseConnection, UserCreate};
use portcullis_store::StoreError;
use serde::Deserialize;
use serde_json::json;

use crate::app::AppState;
use crate::audit::Event;
use crate::http::flows::{self, PageResult};
use crate::http::member_sign_in::{self, SignInRefused};
use crate::http::pages::Notice;
use crate::http::pages::Pages as _;
use crate::http::realm;
use crate::http::sign_in::{self, SignIn};
use crate::http::sign_up::{self, SignUp};

use super::transaction::{Transaction, Via, api_of, expired, finish, load};

#[derive(Deserialize)]
pub struct StateQuery {
    state: Option<String>,
}

/// A POSTed form of a parked request: the form, and its transaction checked for
/// the CSRF token and the browser binding.
pub(super) async fn submitted(
    app: &AppState,
    headers: &HeaderMap,
    body: Body,
) -> Result<(Params, Transaction), Response> {
    let form = super::read_form(app, headers, body).await?;
    let tx = load(
        app,
        headers,
        form.get("state"),
        Some(form.get("csrf").unwrap_or("-")),
    )
    .await?;
    Ok((form, tx))
}

/// Dashboard members have no sign-up and no self-service reset: an
/// administrator adds them (`portcullis members add`) and sets their passwords,
/// so no end user can become a member by any flow.
fn no_self_service(app: &AppState, tx: &Transaction) -> Option<Response> {
    member_sign_in::is_dashboard(&tx.client).then(|| {
        app.pages.message(
            StatusCode::NOT_FOUND,
            "login__memberSelfServiceTitle",
            "login__memberNote",
        )
    })
}

/// A login form's message in the page's language: the two messages the
/// identifier-first pages word for themselves are read from their screens.
fn translated(app: &AppState, page: &str, e: &FormError) -> String {
    if let Some(text) = &e.text {
        return text.clone();
    }
    let id = match (e.id, page) {
        (WRONG_CREDENTIALS, "login_password.html") => "login-password__wrong-credentials",
        (NO_CREDENTIALS, "login_id.html") => "login-id__no-email",
        (id, _) => id,
    };
    app.pages.text(id, &e.args)
}

pub(crate) fn client_ctx(c: &Client) -> serde_json::Value {
    json!({"name": c.name, "logo_uri": c.logo_uri})
}

/// A form's error and the fields it is about: those get `aria-invalid` and
/// `aria-describedby` pointing at the message, and the first gets the focus
/// (WCAG 3.3.1). No fields: the error is about the whole form.
pub struct FormError {
    /// The message's catalogue id (`crate::i18n`).
    pub id: &'static str,
    pub args: Vec<(&'static str, String)>,
    /// A message made already in the page's language (`form_text`).
    pub text: Option<String>,
    pub fields: &'static [&'static str],
}

const WRONG_CREDENTIALS: &str = "login__wrong-credentials";
const NO_CREDENTIALS: &str = "login__no-credentials";

impl FormError {
    /// The catalogue's text `id`.
    pub fn on(id: &'static str, fields: &'static [&'static str]) -> Option<Self> {
        Some(Self {
            id,
            args: Vec::new(),
            text: None,
            fields,
        })
    }

    /// A message made already in the page's language.
    pub fn text(text: String, fields: &'static [&'static str]) -> Option<Self> {
        Some(Self {
            id: "",
            args: Vec::new(),
            text: Some(text),
            fields,
        })
    }
}

/// What a login page offers: one database connection's form, and a button
/// per upstream provider.
#[derive(Default)]
pub(super) struct Offer {
    pub(super) db: Option<DatabaseConnection>,
    upstreams: Vec<portcullis_core::connections::Connection>,
    /// The passkey sign-in's options (`navigator.credentials.get`), when the
    /// connection offers passkeys.
    passkey: Option<String>,
    /// The organization the login is to: its name, logo and colours.
    org: Option<serde_json::Value>,
    /// Auth0's `identifier_first` prompt setting: the address on a page of
    /// its own, then the password (or the address's provider).
    pub(super) identifier_first: bool,
}

/// The login page's offer. The database connection: the request's
/// `connection`, else the tenant's `default_directory`, else
/// `Username-Password-Authentication`, else the oldest database connection
/// enabled for the application (all of them enabled for it). The buttons: the
/// upstream connections enabled for it, unless the request named a
/// connection. Nothing for the dashboard (its members are not users); a page
/// to show when there is nothing to offer.
pub(super) async fn page_offer(
    app: &AppState,
    tx: &Transaction,
) -> Result<Result<Offer, Response>, StoreError> {
    let identifier_first = app.pages.look().identifier_first;
    Ok(page_offer_of(app, tx).await?.map(|mut o| {
        o.identifier_first = identifier_first && o.db.is_some();
        o
    }))
}

async fn page_offer_of(
    app: &AppState,
    tx: &Transaction,
) -> Result<Result<Offer, Response>, StoreError> {
    if member_sign_in::is_dashboard(&tx.client) {
        return Ok(Ok(Offer::default()));
    }
    let client_id = &tx.client.client_id;
    // A login to an organization offers only its connections.
    let in_org = super::organization::login_connections(app, &tx.req).await?;
    let org = super::organization::branding(app, &tx.req).await;
    if let Some(name) = &tx.req.connection {
        if let Some(conns) = &in_org
            && !conns.iter().any(|c| c.name == *name)
        {
            return Ok(Err(app.pages.message(
                StatusCode::BAD_REQUEST,
                "error-page__methodUnavailableTitle",
                "error-page__connectionNotInOrganization",
            )));
        }
        return Ok(match realm::database(app, Some(client_id), name).await? {
            Ok(mut db) => {
                let invited = tx.req.invitation.is_some();
                super::organization::limit_sign_up(&mut db, in_org.as_deref(), invited);
                Ok(Offer {
                    passkey: super::passkeys::sign_in_options(app, tx, &db).await?,
                    db: Some(db),
                    upstreams: Vec::new(),
                    org,
                    identifier_first: false,
                })
            }
            // The reason names the connection: for the application's
            // developers, folded.
            Err(why) => Err(app.pages.notice(
                StatusCode::BAD_REQUEST,
                Notice::new(
                    "error-page__methodUnavailableTitle",
                    "error-page__methodNotOffered",
                )
                .detail(why.message()),
            )),
        });
    }
    let mut enabled = app.client_connections(client_id).await?;
    if let Some(conns) = &in_org {
        // Auth0's `show_as_button: false` hides an upstream's button (its
        // users still come in through `connection=`).
        enabled.retain(|c| {
            conns.iter().any(|o| {
                o.enabled.connection_id == c.id
                    && (o.enabled.show_as_button || c.database().is_some())
            })
        });
    }
    let settings = app.settings().await?;
    // The default directory, then the tenant's first database connection,
    // then the oldest enabled one.
    let preferred = [
        settings.default_directory.as_deref(),
        Some(portcullis_core::connections::DEFAULT_DATABASE),
    ];
    let mut chosen = preferred
        .iter()
        .flatten()
        .filter_map(|d| enabled.iter().find(|c| c.name == *d))
        .chain(enabled.iter())
        .find_map(DatabaseConnection::of);
    if let Some(db) = &mut chosen {
        super::organization::limit_sign_up(db, in_org.as_deref(), tx.req.invitation.is_some());
    }
    let upstreams: Vec<_> = enabled
        .into_iter()
        .filter(|c| c.database().is_none())
        .collect();
    if chosen.is_none() && upstreams.is_empty() {
        return Ok(Err(app.pages.message(
            StatusCode::BAD_REQUEST,
            "login__noConnectionTitle",
            "login__noConnectionDescription",
        )));
    }
    let passkey = match &chosen {
        Some(db) => super::passkeys::sign_in_options(app, tx, db).await?,
        None => None,
    };
    Ok(Ok(Offer {
        db: chosen,
        upstreams,
        passkey,
        org,
        identifier_first: false,
    }))
}

/// `page_offer` for a handler: the page to show, or the offer.
macro_rules! offer_or_page {
    ($app:expr, $tx:expr) => {
        match page_offer($app, $tx).await? {
            Ok(offer) => offer,
            Err(page) => return Ok(page),
        }
    };
}

/// A login page's button for an upstream provider or a passwordless
/// connection (`/u/passwordless`).
fn upstream_button(c: &portcullis_core::connections::Connection) -> serde_json::Value {
    if c.passwordless().is_some() {
        let label = if c.display_name == "sms" {
            "a text message"
        } else {
            c.display_name.as_str()
        };
        return json!({"name": c.name, "display_name": label, "icon": null, "path": "passwordless"});
    }
    // Auth0's `icon_url`, shown only when it is an https URL.
    let icon = c
        .options
        .get("icon_url")
        .and_then(serde_json::Value::as_str)
        .filter(|u| u.starts_with("https://"));
    json!({"name": c.name, "display_name": c.display_name, "icon": icon, "path": "upstream"})
}

#[allow(clippy::too_many_arguments)]
pub(super) fn render_form(
    app: &AppState,
    page: &str,
    status: StatusCode,
    tx: &Transaction,
    offer: &Offer,
    username: &str,
    error: Option<FormError>,
) -> Response {
    let options = offer.db.as_ref().map(|d| &d.options);
    let upstreams: Vec<serde_json::Value> = offer.upstreams.iter().map(upstream_button).collect();
    // Identifier first: a refused password comes back to the password page.
    let page = match page {
        "login.html" if offer.identifier_first => {
            if username.is_empty() {
                "login_id.html"
            } else {
                "login_password.html"
            }
        }
        p => p,
    };
    let (message, invalid) = match &error {
        Some(e) => (Some(translated(app, page, e)), e.fields),
        None => (None, &[][..]),
    };
    app.pages.form_page(
        status,
        page,
        minijinja::context! {
            title => match page { "signup.html" => "signup__pageTitle", "forgot.html" => "reset-password-request__pageTitle", _ => "login__pageTitle" },
            member => member_sign_in::is_dashboard(&tx.client),
            client => minijinja::Value::from(minijinja::value::Serde(client_ctx(&tx.client))),
            org => minijinja::Value::from(minijinja::value::Serde(&offer.org)),
            state => &tx.id,
            csrf => &tx.csrf,
            username => username,
            error => message,
            invalid => invalid.to_vec(),
            focus => invalid.first().copied().unwrap_or("username"),
            requires_username => options.is_some_and(|o| o.requires_username),
            signup_enabled => options.is_some_and(|o| !o.disable_signup),
            password_hint => options.map(|o| super::form_text::password_hint(&app.pages, &o.password_policy)),
            password_form => offer.db.is_some() || member_sign_in::is_dashboard(&tx.client),
            upstreams => minijinja::Value::from(minijinja::value::Serde(upstreams)),
            passkey_options => offer.passkey.as_deref(),
            passkey_sign_up => offer.passkey.is_some() && options.is_some_and(|o| !o.disable_signup),
        },
        &tx.req.redirect_uri,
    )
}

pub async fn login_page(
    State(app): State<AppState>,
    headers: HeaderMap,
    Query(q): Query<StateQuery>,
) -> PageResult {
    first_page(&app, &headers, q, "login.html").await
}

pub async fn signup_page(
    State(app): State<AppState>,
    headers: HeaderMap,
    Query(q): Query<StateQuery>,
) -> PageResult {
    first_page(&app, &headers, q, "signup.html").await
}

/// The login or signup form as a parked request first shows it (the address
/// from `login_hint`, no error).
async fn first_page(app: &AppState, headers: &HeaderMap, q: StateQuery, page: &str) -> PageResult {
    let tx = match load(app, headers, q.state.as_deref(), None).await {
        Ok(tx) => tx,
        Err(r) => return Ok(r),
    };
    if page != "login.html"
        && let Some(refused) = no_self_service(app, &tx)
    {
        return Ok(refused);
    }
    // `/authorize?connection=email|sms` goes straight to its page.
    if page == "login.html"
        && let Some(name) = tx.req.connection.clone()
        && super::passwordless::offered(app, &tx, &name).await?
    {
        return super::passwordless::start_page(app, tx, &name).await;
    }
    // `/authorize?connection=NAME` of an upstream provider goes straight there.
    if page == "login.html"
        && let Some(name) = &tx.req.connection
        && super::organization::allows_connection(app, &tx.req, name).await?
        && let Some(c) = super::upstream::enabled_upstream(app, &tx.client.client_id, name).await?
    {
        return super::upstream::begin(app, &tx, c).await;
    }
    let offer = offer_or_page!(app, &tx);
    if page == "signup.html" && offer.db.as_ref().is_none_or(|d| d.options.disable_signup) {
        return Ok(signup_disabled(app));
    }
    let hint = tx.req.login_hint.clone().unwrap_or_default();
    // Identifier first starts on the address's page (`login_hint` filled in).
    let page = if page == "login.html" && offer.identifier_first {
        "login_id.html"
    } else {
        page
    };
    Ok(render_form(
        app,
        page,
        StatusCode::OK,
        &tx,
        &offer,
        &hint,
        None,
    ))
}

/// The connection takes no sign-ups (`disable_signup`).
fn signup_disabled(app: &AppState) -> Response {
    app.pages.message(
        StatusCode::FORBIDDEN,
        "signup__unavailableTitle",
        "signup__unavailableDescription",
    )
}

/// `POST /u/login/identifier` (identifier first): the address, then the
/// provider whose `domain_aliases` hold its domain, or the password page.
pub async fn identifier_submit(
    State(app): State<AppState>,
    headers: HeaderMap,
    body: Body,
) -> PageResult {
    let (form, tx) = match submitted(&app, &headers, body).await {
        Ok(x) => x,
        Err(r) => return Ok(r),
    };
    let offer = offer_or_page!(&app, &tx);
    let email = users::normalize_email(form.get("username").unwrap_or_default());
    if email.is_empty() {
        return Ok(render_form(
            &app,
            "login_id.html",
            StatusCode::BAD_REQUEST,
            &tx,
            &offer,
            "",
            FormError::on("login-id__no-email", &["username"]),
        ));
    }
    // Home realm discovery: the address's domain names its provider.
    if let Some((_, domain)) = email.rsplit_once('@') {
        let by_domain = offer.upstreams.iter().find(|c| {
            c.passwordless().is_none()
                && c.options
                    .get("domain_aliases")
                    .and_then(|v| v.as_array())
                    .is_some_and(|a| {
                        a.iter()
                            .any(|d| d.as_str().is_some_and(|d| d.eq_ignore_ascii_case(domain)))
                    })
        });
        if let Some(c) = by_domain {
            return super::upstream::begin(&app, &tx, c.clone()).await;
        }
    }
    Ok(render_form(
        &app,
        "login_password.html",
        StatusCode::OK,
        &tx,
        &offer,
        &email,
        None,
    ))
}

pub async fn login_submit(
    State(app): State<AppState>,
    peer: ClientAddr,
    headers: HeaderMap,
    body: Body,
) -> PageResult {
    let (form, tx) = match submitted(&app, &headers, body).await {
        Ok(x) => x,
        Err(r) => return Ok(r),
    };
    let ip = peer.text();
    let offer = offer_or_page!(&app, &tx);
    // An e-mail address, or a username where the connection has usernames.
    let email = users::normalize_email(form.get("username").unwrap_or_default());
    let password = form.get("password").unwrap_or_default();
    if email.is_empty() || password.is_empty() {
        return Ok(render_form(
            &app,
            "login.html",
            StatusCode::BAD_REQUEST,
            &tx,
            &offer,
            &email,
            FormError::on(
                NO_CREDENTIALS,
                if email.is_empty() {
                    &["username"]
                } else {
                    &["password"]
                },
            ),
        ));
    }
    if member_sign_in::is_dashboard(&tx.client) {
        let password = Secret::new(password);
        let signed_in =
            member_sign_in::sign_in(&app, &tx.id, &tx.client, &tx.req, &email, password, &peer);
        let (status, error) = match signed_in.await? {
            Ok(res) => return Ok(res),
            Err(SignInRefused::Expired) => return Ok(expired(&app, Some(&tx.client))),
            Err(SignInRefused::Blocked(block)) => (
                StatusCode::TOO_MANY_REQUESTS,
                FormError::text(super::form_text::block(&app.pages, block), &[]),
            ),
            Err(SignInRefused::Wrong) => (
                StatusCode::UNAUTHORIZED,
                FormError::on(WRONG_CREDENTIALS, &["password", "username"]),
            ),
        };
        return Ok(render_form(
            &app,
            "login.html",
            status,
            &tx,
            &offer,
            &email,
            error,
        ));
    }
    let Some(db) = offer.db.as_ref() else {
        return Ok(expired(&app, Some(&tx.client)));
    };
    match sign_in::sign_in(&app, &tx.client, db, &email, Secret::new(password), &ip).await? {
        SignIn::Ok(user) => {
            let via = Via::Password {
                offer_passkey: super::passkeys::enrolment_offered(&app, db).await?,
            };
            finish(&app, tx, &user, peer, &headers, via).await
        }
        SignIn::Blocked(block) => Ok(render_form(
            &app,
            "login.html",
            StatusCode::TOO_MANY_REQUESTS,
            &tx,
            &offer,
            &email,
            FormError::text(super::form_text::block(&app.pages, block), &[]),
        )),
        SignIn::Wrong { user } => {
            let event_type = match &user {
                Some(_) => crate::audit::Code::Fp,
                None => crate::audit::Code::Fu,
            };
            app.audit(Event {
                client_id: Some(&tx.client.client_id),
                client_name: Some(&tx.client.name),
                user_id: user.as_ref().map(|u| u.user_id.as_str()),
                user_name: Some(&email),
                connection: Some(&db.name),
                ip: Some(&ip),
                ..Event::new(event_type, "Wrong email or password.")
            })
            .await;
            Ok(render_form(
                &app,
                "login.html",
                StatusCode::UNAUTHORIZED,
                &tx,
                &offer,
                &email,
                // Either field may be wrong; the password is the one to retype.
                FormError::on(WRONG_CREDENTIALS, &["password", "username"]),
            ))
        }
    }
}

pub async fn signup_submit(
    State(app): State<AppState>,
    peer: ClientAddr,
    headers: HeaderMap,
    body: Body,
) -> PageResult {
    let (form, tx) = match submitted(&app, &headers, body).await {
        Ok(x) => x,
        Err(r) => return Ok(r),
    };
    if let Some(refused) = no_self_service(&app, &tx) {
        return Ok(refused);
    }
    let offer = offer_or_page!(&app, &tx);
    let Some(db) = offer.db.as_ref() else {
        return Ok(signup_disabled(&app));
    };
    let email = form.get("username").unwrap_or_default().to_string();
    // "Sign up with a passkey": the same form, no password.
    if form.get("action") == Some("passkey") && super::passkeys::offered(&app, db).await {
        let handle = form
            .get("handle")
            .filter(|_| db.options.requires_username)
            .map(str::to_string);
        return super::passkeys::begin_sign_up(&app, &tx, &offer, db, &email, handle).await;
    }
    let create = UserCreate {
        user_id: None,
        connection: Some(db.name.clone()),
        email: Some(email.clone()),
        password: form.get("password").map(str::to_string),
        // The handle of a connection with usernames (`requires_username`).
        username: form
            .get("handle")
            .filter(|_| db.options.requires_username)
            .map(str::to_string),
        ..Default::default()
    };
    let (status, message, field): (StatusCode, String, &'static [&'static str]) =
        match sign_up::sign_up(&app, &tx.client, db, create, &peer.text()).await? {
            SignUp::Created(user) => {
                let via = Via::Password {
                    offer_passkey: super::passkeys::enrolment_offered(&app, db).await?,
                };
                return finish(&app, tx, &user, peer, &headers, via).await;
            }
            SignUp::Disabled => return Ok(signup_disabled(&app)),
            SignUp::Invalid(users::UserRefusal::Password(refusal)) => (
                StatusCode::BAD_REQUEST,
                super::form_text::password_refusal(
                    &app.pages,
                    &refusal,
                    &db.options.password_policy,
                ),
                &["password"],
            ),
            SignUp::Invalid(users::UserRefusal::Invalid(e)) => {
                let (message, field) = super::form_text::invalid_field(&app.pages, &e, db);
                (StatusCode::BAD_REQUEST, message, field)
            }
            SignUp::Exists => (
                StatusCode::CONFLICT,
                app.pages.text("signup__user-exists", &[]),
                &["username"],
            ),
        };
    let error = FormError::text(message, field);
    Ok(render_form(
        &app,
        "signup.html",
        status,
        &tx,
        &offer,
        &email,
        error,
    ))
}

/// The scopes to show on the consent page, with the API's descriptions and the
/// name of the API each belongs to. `offline_access` is shown only when a
/// refresh token will really be issued (the application and the API allow it).
async fn describe_scopes(
    app: &AppState,
    client: &portcullis_core::clients::Client,
    req: &AuthorizeRequest,
    user_id: &str,
) -> Result<Vec<serde_json::Value>, StoreError> {
    let api = api_of(app, req).await?;
    let offline =
        portcullis_core::protocol::refresh_token::may_issue(&req.scope, client, api.as_ref());
    // An API that enforces RBAC grants only what the user holds: the page asks
    // for exactly that, never for a scope the token will not carry.
    let scope = flows::consentable_scope(app, req, user_id).await?;
    Ok(scope
        .iter()
        .filter(|s| s.as_str() != "offline_access" || offline)
        .map(|s| {
            let of_api = api
                .as_ref()
                .filter(|a| a.defines_scope(s))
                .map(|a| a.name.clone());
            let description = match s.as_str() {
                "openid" => app.pages.text("consent__openidScope", &[]),
                "profile" => app.pages.text("consent__profileScope", &[]),
                "email" => app.pages.text("consent__emailScope", &[]),
                "offline_access" => app.pages.text("consent__offlineAccessScope", &[]),
                other => api
                    .as_ref()
                    .and_then(|a| a.scopes.iter().find(|d| d.value == other))
                    .map(|d| d.description.clone())
                    .unwrap_or_default(),
            };
            json!({"value": s, "description": description, "api": of_api})
        })
        .collect())
}

pub async fn consent_page(
    State(app): State<AppState>,
    headers: HeaderMap,
    Query(q): Query<StateQuery>,
) -> PageResult {
    let tx = match load(&app, &headers, q.state.as_deref(), None).await {
        Ok(tx) => tx,
        Err(r) => return Ok(r),
    };
    let Some((_, user)) = flows::current_session(&app, &headers).await? else {
        return Ok(expired(&app, Some(&tx.client)));
    };
    let scopes = describe_scopes(&app, &tx.client, &tx.req, &user.user_id).await?;
    let org = super::organization::branding(&app, &tx.req).await;
    Ok(app.pages.form_page(
        StatusCode::OK,
        "consent.html",
        minijinja::context! {
            title => "consent__pageTitle",
            client => minijinja::Value::from(minijinja::value::Serde(client_ctx(&tx.client))),
            org => minijinja::Value::from(minijinja::value::Serde(&org)),
            user_name => user.name,
            scopes => minijinja::Value::from(minijinja::value::Serde(&scopes)),
            state => &tx.id,
            csrf => &tx.csrf,
        },
        &tx.req.redirect_uri,
    ))
}

pub async fn consent_submit(
    State(app): State<AppState>,
    peer: ClientAddr,
    headers: HeaderMap,
    body: Body,
) -> PageResult {
    let (form, tx) = match submitted(&app, &headers, body).await {
        Ok(x) => x,
        Err(r) => return Ok(r),
    };
    let Some((session, user)) = flows::current_session(&app, &headers).await? else {
        return Ok(expired(&app, Some(&tx.client)));
    };
    if !app.store.take_login_transaction(&tx.id).await? {
        return Ok(expired(&app, Some(&tx.client)));
    }
    if form.get("action") != Some("accept") {
        return Ok(flows::deliver_error(
            &app,
            ErrorRedirect::to(
                &tx.req,
                AuthorizeErrorCode::AccessDenied,
                "User did not authorize the request",
            ),
        ));
    }
    // What the page showed, never more (see `flows::consentable_scope`).
    let consented = flows::consentable_scope(&app, &tx.req, &user.user_id).await?;
    app.store
        .save_consent(
            &user.user_id,
            &tx.client.client_id,
            &flows::consent_audience(&app, &tx.req),
            &consented.join(" "),
            app.now(),
        )
        .await?;
    let api = api_of(&app, &tx.req).await?;
    let request = flows::request_info(peer, &headers, "POST", flows::authorize_query(&tx.req));
    flows::issue(
        &app,
        &tx.client,
        &tx.req,
        api.as_ref(),
        &session,
        &user,
        &request,
        &headers,
    )
    .await
}

pub async fn forgot_page(
    State(app): State<AppState>,
    headers: HeaderMap,
    Query(q): Query<StateQuery>,
) -> Response {
    match load(&app, &headers, q.state.as_deref(), None).await {
        Ok(tx) => match no_self_service(&app, &tx) {
            Some(refused) => refused,
            None => render_form(
                &app,
                "forgot.html",
                StatusCode::OK,
                &tx,
                &Offer::default(),
                "",
                None,
            ),
        },
        Err(r) => r,
    }
}

/// Sends the reset link (if the account exists; the answer is the same either way).
pub async fn forgot_submit(
    State(app): State<AppState>,
    peer: ClientAddr,
    headers: HeaderMap,
    body: Body,
) -> PageResult {
    let (form, tx) = match submitted(&app, &headers, body).await {
        Ok(x) => x,
        Err(r) => return Ok(r),
    };
    if let Some(refused) = no_self_service(&app, &tx) {
        return Ok(refused);
    }
    let Some(db) = offer_or_page!(&app, &tx).db else {
        return Ok(expired(&app, Some(&tx.client)));
    };
    let taken = crate::http::dbconnections::request_reset(
        &app,
        &db,
        form.get("username").unwrap_or_default(),
        Some(&tx.client.client_id),
        &peer.text(),
    )
    .await?;
    // The transaction is still open: the way back is the login page.
    let login = format!("{}/u/login?state={}", app.config.base_path(), tx.id);
    if taken == crate::http::dbconnections::ResetRequest::Throttled {
        return Ok(app.pages.notice(
            StatusCode::TOO_MANY_REQUESTS,
            Notice::new(
                "reset-password-request__tooManyTitle",
                "reset-password-request__tooManyDescription",
            )
            .back(login, "reset-password-request__backToLoginLinkText"),
        ));
    }
    Ok(app.pages.notice(
        StatusCode::OK,
        Notice::new(
            "reset-password-email__title",
            "reset-password-email__description",
        )
        .back(login, "reset-password-request__backToLoginLinkText"),
    ))
}
