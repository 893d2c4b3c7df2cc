//! Passkeys on a database connection (Auth0's
//! `authentication_methods.passkey`): the login page offers "Continue with a
//! passkey" and the browser's passkey autofill (conditional mediation), and
//! after a password login the person is asked to create one (Auth0's
//! progressive enrolment).
//!
//! Invariants: a passkey is a discoverable WebAuthn credential with user
//! verification required, so a passkey login satisfies MFA; its answer is
//! checked against the stored credential of the user its handle names, for
//! the ceremony this login transaction started (taken once); a passkey signs
//! in only to the connection it belongs to; a failure changes nothing but
//! the audit.

use axum::body::Body;
use axum::extract::{Query, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use portcullis_core::mfa::{Authenticator, Kind};
use portcullis_core::secrets::hash_secret;
use portcullis_core::users::{DatabaseConnection, UserRefusal};
use portcullis_store::StoreError;
use serde::Deserialize;

use super::Pages as _;
use super::login::{FormError, page_offer, render_form, submitted};
use super::transaction::{Transaction, Via, expired, finish, load, proceed};
use crate::app::AppState;
use crate::audit::{Code, Event};
use crate::http::client_addr::ClientAddr;
use crate::http::flows::{self, PageError, PageResult};
use crate::http::oauth::mfa::tenant_name;
use crate::webauthn::RelyingParty;

/// A passkey's WebAuthn challenge lives this long (the browser's own
/// timeout for a sign-in is five minutes).
const CEREMONY_TTL: i64 = 300;

/// This issuer's WebAuthn relying party, named as the tenant (the MFA
/// pages' too).
pub(super) async fn relying_party(app: &AppState) -> RelyingParty {
    RelyingParty::new(
        &app.config.issuer,
        &tenant_name(app).await,
        app.config.webauthn_user_verification,
    )
}

/// Where a login transaction's passkey ceremony is kept (`what`: `sign-in`
/// or `enrol`).
fn ceremony_id(what: &str, tx: &Transaction) -> String {
    format!("passkey-{what}:{}", hash_secret(&tx.id))
}

fn new_passkey_id() -> String {
    Authenticator::new_id(Kind::Passkey)
}

/// Whether `db` offers passkeys here (turned on, and the issuer on a domain
/// name, which WebAuthn needs).
pub(crate) async fn offered(app: &AppState, db: &DatabaseConnection) -> bool {
    db.options.passkey && relying_party(app).await.available()
}

/// Whether to ask the person to create a passkey after a password login:
/// the connection offers passkeys, and no Guardian factor is on. A passkey
/// login satisfies MFA, so one made after the password alone would let
/// whoever knows the password skip the second factor next time; with MFA on,
/// passkeys are not offered at that point.
pub(crate) async fn enrolment_offered(
    app: &AppState,
    db: &DatabaseConnection,
) -> Result<bool, StoreError> {
    Ok(offered(app, db).await && app.store.guardian_settings().await?.enrollable().is_empty())
}

/// The login page's passkey sign-in options, when `db` offers passkeys: a
/// new challenge for this transaction (replacing the last).
pub(super) async fn sign_in_options(
    app: &AppState,
    tx: &Transaction,
    db: &DatabaseConnection,
) -> Result<Option<String>, StoreError> {
    if !offered(app, db).await {
        return Ok(None);
    }
    let Ok((options, state)) = relying_party(app).await.start_sign_in() else {
        return Ok(None);
    };
    app.store
        .put_ceremony(
            &ceremony_id("sign-in", tx),
            &state,
            app.now() + CEREMONY_TTL,
        )
        .await?;
    Ok(Some(options.to_string()))
}

/// `POST /u/login/passkey`: the browser's passkey answer.
pub async fn sign_in(
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
    let now = app.now();
    // Taken before the offer makes a new one.
    let state = app
        .store
        .take_ceremony(&ceremony_id("sign-in", &tx), now)
        .await?;
    let offer = match page_offer(&app, &tx).await? {
        Ok(o) => o,
        Err(page) => return Ok(page),
    };
    let Some(db) = offer.db.as_ref().filter(|d| d.options.passkey) else {
        return Ok(expired(&app, Some(&tx.client)));
    };
    let answer = form.get("credential").unwrap_or_default();
    let rp = relying_party(&app).await;
    let found = match rp.credential_of(answer) {
        Ok(id) => app.store.passkey_by_credential_id(&id).await?,
        Err(_) => None,
    };
    let checked = match (state, &found) {
        (Some(state), Some((user_id, _, credential))) => {
            rp.finish_sign_in(&state, user_id, credential, answer).ok()
        }
        _ => None,
    };
    let user = match (&checked, &found) {
        (Some(updated), Some((user_id, id, was))) => {
            let user = app.store.get_user(user_id).await?.map(|(u, _)| u);
            // A passkey signs in only to its own connection.
            match user.filter(|u| u.connection() == db.name) {
                Some(u)
                    if app
                        .store
                        .accept_webauthn(user_id, id, (was, updated), None, now)
                        .await? =>
                {
                    Some(u)
                }
                _ => None,
            }
        }
        _ => None,
    };
    let Some(user) = user else {
        let mut e = Event::new(Code::F, "Passkey sign-in failed")
            .client(&tx.client)
            .ip(&ip);
        e.user_id = found.as_ref().map(|f| f.0.as_str());
        e.connection = Some(&db.name);
        app.audit(e).await;
        return Ok(render_form(
            &app,
            "login.html",
            StatusCode::UNAUTHORIZED,
            &tx,
            &offer,
            "",
            FormError::on("login__passkeyFailed", &[]),
        ));
    };
    finish(&app, tx, &user, peer, &headers, Via::Passkey).await
}

#[derive(Debug, Deserialize)]
pub struct StateQuery {
    state: Option<String>,
}

/// The signed-in person of this browser for transaction `tx`.
async fn person(
    app: &AppState,
    headers: &HeaderMap,
    tx: &Transaction,
) -> Result<(portcullis_store::Session, portcullis_core::users::User), Response> {
    match flows::current_session(app, headers).await {
        Ok(Some(x)) => Ok(x),
        Ok(None) => Err(expired(app, Some(&tx.client))),
        Err(e) => Err(PageError(e).into_response()),
    }
}

/// Whether this signed-in person may create a passkey now: the login's
/// connection offers passkeys and is theirs, and either no Guardian factor
/// is on or this session passed its second factor (never on a password
/// alone when MFA could be asked: see `enrolment_offered`).
async fn may_enrol(
    app: &AppState,
    tx: &Transaction,
    session: &portcullis_store::Session,
    user: &portcullis_core::users::User,
) -> Result<bool, StoreError> {
    let Ok(offer) = page_offer(app, tx).await? else {
        return Ok(false);
    };
    let Some(db) = offer.db.as_ref().filter(|d| d.name == user.connection()) else {
        return Ok(false);
    };
    if !offered(app, db).await {
        return Ok(false);
    }
    Ok(enrolment_offered(app, db).await? || session.mfa_at.is_some())
}

fn not_offered(app: &AppState, tx: &Transaction) -> Response {
    app.pages.notice(
        StatusCode::FORBIDDEN,
        super::Notice::new(
            "passkey-enrollment__unavailableTitle",
            "passkey-enrollment__unavailableDescription",
        )
        .back_to(Some(&tx.client)),
    )
}

/// `GET /u/passkey-enrollment`: "Create a passkey", after a password login.
pub async fn enrollment_page(
    State(app): State<AppState>,
    headers: HeaderMap,
    Query(q): Query<StateQuery>,
) -> Response {
    let tx = match load(&app, &headers, q.state.as_deref(), None).await {
        Ok(tx) => tx,
        Err(r) => return r,
    };
    let (session, user) = match person(&app, &headers, &tx).await {
        Ok(x) => x,
        Err(r) => return r,
    };
    match may_enrol(&app, &tx, &session, &user).await {
        Ok(true) => {}
        Ok(false) => return not_offered(&app, &tx),
        Err(e) => return PageError(e).into_response(),
    }
    match enrollment(&app, &tx, &user, None, StatusCode::OK).await {
        Ok(r) => r,
        Err(e) => PageError(e).into_response(),
    }
}

async fn enrollment(
    app: &AppState,
    tx: &Transaction,
    user: &portcullis_core::users::User,
    error: Option<&str>,
    status: StatusCode,
) -> Result<Response, StoreError> {
    let Ok((options, state)) = relying_party(app)
        .await
        .start_passkey(&user.user_id, &user.email)
    else {
        return Ok(no_passkeys(app));
    };
    app.store
        .put_ceremony(&ceremony_id("enrol", tx), &state, app.now() + CEREMONY_TTL)
        .await?;
    Ok(passkey_page(app, tx, options, error, status, None))
}

fn no_passkeys(app: &AppState) -> Response {
    app.pages.message(
        StatusCode::SERVICE_UNAVAILABLE,
        "passkey-enrollment__unavailableTitle",
        "error-page__passkeysUnavailable",
    )
}

/// "Create a passkey" (for a sign-up: `sign_up` is the new account's
/// address).
fn passkey_page(
    app: &AppState,
    tx: &Transaction,
    options: serde_json::Value,
    error: Option<&str>,
    status: StatusCode,
    sign_up: Option<&str>,
) -> Response {
    let error = error.map(|id| app.pages.text(id, &[]));
    app.pages.form_page(
        status,
        "passkey.html",
        minijinja::context! {
            title => "passkey-enrollment__title",
            client => minijinja::Value::from(minijinja::value::Serde(super::login::client_ctx(&tx.client))),
            state => &tx.id,
            csrf => &tx.csrf,
            error => error,
            options => options.to_string(),
            sign_up => sign_up.is_some(),
            email => sign_up,
        },
        &tx.req.redirect_uri,
    )
}

/// `POST /u/passkey-enrollment`: the new passkey, or "Not now"; then on to
/// the application.
pub async fn enrollment_submit(
    State(app): State<AppState>,
    peer: ClientAddr,
    headers: HeaderMap,
    body: Body,
) -> PageResult {
    let (form, tx) = match submitted(&app, &headers, body).await {
        Ok(x) => x,
        Err(r) => return Ok(r),
    };
    let (session, user) = match person(&app, &headers, &tx).await {
        Ok(x) => x,
        Err(r) => return Ok(r),
    };
    let ip = peer.text();
    if form.get("skip").is_none() {
        if !may_enrol(&app, &tx, &session, &user).await? {
            return Ok(not_offered(&app, &tx));
        }
        let now = app.now();
        let state = app
            .store
            .take_ceremony(&ceremony_id("enrol", &tx), now)
            .await?;
        let answer = form.get("credential").unwrap_or_default();
        let registered = match state {
            Some(state) => relying_party(&app)
                .await
                .finish_registration(&state, answer)
                .ok(),
            None => None,
        };
        let Some((credential, credential_id)) = registered else {
            let e = Event::new(
                Code::GdWebauthnEnrollmentFailed,
                "Passkey enrollment failed",
            )
            .client(&tx.client)
            .user(&user)
            .ip(&ip);
            app.audit(e).await;
            return Ok(enrollment(
                &app,
                &tx,
                &user,
                Some("passkey-enrollment__failed"),
                StatusCode::BAD_REQUEST,
            )
            .await?);
        };
        let added = app
            .store
            .add_passkey(
                &user.user_id,
                &new_passkey_id(),
                &credential,
                &credential_id,
                now,
            )
            .await;
        match added {
            Ok(()) => {}
            // W3C Web Authentication §7.1 step 22: a credential id once.
            Err(StoreError::Conflict) => {
                return Ok(enrollment(
                    &app,
                    &tx,
                    &user,
                    Some("passkey-enrollment__alreadyRegistered"),
                    StatusCode::CONFLICT,
                )
                .await?);
            }
            Err(e) => return Err(e.into()),
        }
        let e = Event::new(Code::GdEnrollmentComplete, "Passkey enrolled")
            .client(&tx.client)
            .user(&user)
            .ip(&ip);
        app.audit(e).await;
    }
    proceed(&app, tx, &session, &user, peer, &headers).await
}

/// What a passkey sign-up keeps between its two pages: the account to make
/// (not stored until its passkey is), and the ceremony.
#[derive(serde::Serialize, serde::Deserialize)]
struct PendingSignUp {
    user_id_hex: String,
    email: String,
    username: Option<String>,
    state: String,
}

impl PendingSignUp {
    fn create(&self, db: &DatabaseConnection) -> portcullis_core::users::UserCreate {
        portcullis_core::users::UserCreate {
            connection: Some(db.name.clone()),
            email: Some(self.email.clone()),
            username: self.username.clone(),
            ..Default::default()
        }
    }
}

/// "Sign up with a passkey" on the signup page: the account is checked
/// (as a sign-up with a password would be, the password aside) and the
/// passkey asked for; nothing is stored yet.
pub(super) async fn begin_sign_up(
    app: &AppState,
    tx: &Transaction,
    offer: &super::login::Offer,
    db: &DatabaseConnection,
    email: &str,
    username: Option<String>,
) -> PageResult {
    if db.options.disable_signup {
        return Ok(expired(app, Some(&tx.client)));
    }
    let pending = PendingSignUp {
        user_id_hex: portcullis_core::random::hex(12),
        email: portcullis_core::users::normalize_email(email),
        username,
        state: String::new(),
    };
    let user = match pending.create(db).into_imported_user(
        db,
        pending.user_id_hex.clone(),
        app.issuer(),
        app.now(),
    ) {
        Ok(u) => u,
        Err(e) => {
            let (message, field) = match &e {
                UserRefusal::Invalid(v) => super::form_text::invalid_field(&app.pages, v, db),
                UserRefusal::Password(r) => (
                    super::form_text::password_refusal(&app.pages, r, &db.options.password_policy),
                    &["password"][..],
                ),
            };
            return Ok(render_form(
                app,
                "signup.html",
                StatusCode::BAD_REQUEST,
                tx,
                offer,
                email,
                FormError::text(message, field),
            ));
        }
    };
    let Ok((options, state)) = relying_party(app)
        .await
        .start_passkey(&user.user_id, &user.email)
    else {
        return Ok(no_passkeys(app));
    };
    let doc = serde_json::to_string(&PendingSignUp { state, ..pending })
        .map_err(|e| StoreError::Undecodable(e.to_string()))?;
    app.store
        .put_ceremony(&ceremony_id("signup", tx), &doc, app.now() + CEREMONY_TTL)
        .await?;
    Ok(passkey_page(
        app,
        tx,
        options,
        None,
        StatusCode::OK,
        Some(&user.email),
    ))
}

/// `POST /u/signup/passkey`: the new account's passkey. The account and
/// its passkey are stored, and the person is signed in with it.
pub async fn finish_sign_up(
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
    let now = app.now();
    let offer = match page_offer(&app, &tx).await? {
        Ok(o) => o,
        Err(page) => return Ok(page),
    };
    let Some(db) = offer
        .db
        .as_ref()
        .filter(|d| d.options.passkey && !d.options.disable_signup)
    else {
        return Ok(expired(&app, Some(&tx.client)));
    };
    // Taken once: an answer sent twice finds nothing.
    let pending = app
        .store
        .take_ceremony(&ceremony_id("signup", &tx), now)
        .await?
        .and_then(|doc| serde_json::from_str::<PendingSignUp>(&doc).ok());
    let Some(pending) = pending else {
        return Ok(expired(&app, Some(&tx.client)));
    };
    let answer = form.get("credential").unwrap_or_default();
    let registered = relying_party(&app)
        .await
        .finish_registration(&pending.state, answer);
    let user =
        pending
            .create(db)
            .into_imported_user(db, pending.user_id_hex.clone(), app.issuer(), now);
    let (Ok((credential, credential_id)), Ok(user)) = (registered, user) else {
        let mut e = Event::new(Code::Fs, "Passkey sign-up failed")
            .client(&tx.client)
            .ip(&ip);
        e.user_name = Some(&pending.email);
        e.connection = Some(&db.name);
        app.audit(e).await;
        return Ok(render_form(
            &app,
            "signup.html",
            StatusCode::BAD_REQUEST,
            &tx,
            &offer,
            &pending.email,
            FormError::on("signup__passkeyFailed", &[]),
        ));
    };
    match app.store.insert_user(&user, None, now).await {
        Ok(()) => {}
        Err(StoreError::Conflict) => {
            return Ok(render_form(
                &app,
                "signup.html",
                StatusCode::CONFLICT,
                &tx,
                &offer,
                &pending.email,
                FormError::on("signup__user-exists", &["username"]),
            ));
        }
        Err(e) => return Err(e.into()),
    }
    let added = app
        .store
        .add_passkey(
            &user.user_id,
            &new_passkey_id(),
            &credential,
            &credential_id,
            now,
        )
        .await;
    if let Err(e) = added {
        // No account without its passkey: the one just made goes again.
        app.store.delete_user(&user.user_id).await?;
        if !matches!(e, StoreError::Conflict) {
            return Err(e.into());
        }
        return Ok(render_form(
            &app,
            "signup.html",
            StatusCode::CONFLICT,
            &tx,
            &offer,
            &pending.email,
            FormError::on("signup__passkeyRegistered", &[]),
        ));
    }
    let e = Event::new(Code::Ss, "Successful signup")
        .client(&tx.client)
        .user(&user)
        .ip(&ip);
    app.audit(e).await;
    crate::http::sign_up::after_sign_up(&app, &user, &tx.client.client_id);
    finish(&app, tx, &user, peer, &headers, Via::Passkey).await
}
