//! The hosted MFA pages (Auth0's Universal Login MFA screens): when a
//! browser login needs a second factor (`portcullis_core::mfa::required`),
//! its authorization request is parked again and the person is sent to
//! `/u/mfa`, which enrols a first factor (an authenticator app shown as a QR
//! code, or e-mailed codes; the recovery code is shown once it works) or
//! asks for one the user has ("try another method" lists the others), then
//! answers the application.
//!
//! Invariants: the response to the application is made only after a code
//! was accepted, and only once (the step's `mfa_token` row is spent in the
//! transaction that accepts the code; the parked request is taken by the
//! response); a step belongs to the browser that started it (the login
//! transaction's browser binding) and to the session it was asked in; a
//! remembered browser (`portcullis_mfa_rb`, stored as a hash) skips only
//! what `mfa::may_remember` allows, never a step-up asked by `acr_values`.
//! Codes are checked by the MFA API's `Who` (one lockout, one audit).

use axum::body::Body;
use axum::extract::{Query, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use base64::Engine as _;
use portcullis_core::clients::Client;
use portcullis_core::mfa::{self, Asked, Authenticator, Factor, Kind, Need, PendingGrant};
use portcullis_core::protocol::authorize::{AuthorizeErrorCode, AuthorizeRequest, ErrorRedirect};
use portcullis_core::protocol::errors::TokenErrorCode;
use portcullis_core::scripts::ScriptResult;
use portcullis_core::secrets::{self, hash_secret};
use portcullis_core::totp::{self, TotpSecret};
use portcullis_core::users::User;
use portcullis_store::{Session, StoreError};
use serde::Deserialize;

use super::Pages as _;
use super::passkeys::relying_party;
use super::transaction::{Transaction, api_of, expired, load, with_cookie};
use crate::app::AppState;
use crate::audit::{Code, Event};
use crate::http::client_addr::ClientAddr;
use crate::http::cookies;
use crate::http::errors::TokenEndpointError;
use crate::http::flows::{self, PageError, PageResult};
use crate::http::oauth::mfa::{Who, secret_aad, tenant_name};
use crate::webauthn::WebauthnFailure;

/// A browser login that passed its first factor and its scripts.
pub(crate) struct Login<'a> {
    pub(crate) client: &'a Client,
    pub(crate) req: &'a AuthorizeRequest,
    pub(crate) session: &'a Session,
    pub(crate) user: &'a User,
    pub(crate) scripts: &'a ScriptResult,
    pub(crate) ip: &'a str,
}

/// What the second-factor check says about a login.
pub(crate) enum Gate {
    /// Go on; `mfa` when a second factor was passed (this session, or a
    /// remembered browser).
    Pass { mfa: bool },
    /// The answer instead: the MFA page, or an error to the application.
    Answer(Response),
}

/// Marks a response that sends the browser to the MFA pages (the login is
/// not over: no `ssa` event).
#[derive(Debug, Clone, Copy)]
struct MfaStep;

/// Whether `res` sends the browser to the MFA pages.
pub(crate) fn is_step(res: &Response) -> bool {
    res.extensions().get::<MfaStep>().is_some()
}

/// The hash the step of parked request `id` is kept under (in `mfa_tokens`,
/// beside the MFA API's waiting grants: the same single-use spend).
fn step_hash(id: &str) -> String {
    hash_secret(&format!("hosted-mfa:{id}"))
}

/// Decides whether `l` needs a second factor now and, if so, parks it and
/// sends the browser to `/u/mfa`.
pub(crate) async fn gate(
    app: &AppState,
    l: Login<'_>,
    headers: &HeaderMap,
) -> Result<Gate, StoreError> {
    let settings = app.store.guardian_settings().await?;
    let asked = Asked {
        by_script: l.scripts.multifactor.is_some(),
        by_acr: l.req.asks_for_mfa(),
        by_audience: crate::http::oauth::mfa::api_needs_factor(
            app,
            l.req.audience.as_deref(),
            &l.user.user_id,
        )
        .await?,
    };
    let only = l
        .scripts
        .multifactor
        .as_deref()
        .and_then(mfa::provider_factor);
    let need = match mfa::required(&settings, asked) {
        // An Action named a factor the tenant has not turned on: refused,
        // never let through on another.
        Need::SecondFactor if only.is_some_and(|f| !settings.enabled.contains(&f)) => {
            Need::Unavailable
        }
        n => n,
    };
    match need {
        // Nothing asked: the tokens still say how the session signed in.
        Need::Nothing => {
            return Ok(Gate::Pass {
                mfa: l.session.mfa_at.is_some(),
            });
        }
        Need::Unavailable => {
            let text = "Multifactor authentication was asked for, and no factor it may use is enabled for the tenant.";
            return Ok(Gate::Answer(
                refuse(app, &l, AuthorizeErrorCode::AccessDenied, text).await,
            ));
        }
        Need::SecondFactor => {}
    }
    // Passed in this session already: single sign-on does not ask again
    // (unless an Action names the factor: it is asked for each time).
    if l.session.mfa_at.is_some() && only.is_none() {
        return Ok(Gate::Pass { mfa: true });
    }
    let may_remember = mfa::may_remember(asked, l.scripts.mfa_remember_browser) && only.is_none();
    if may_remember
        && let Some(token) = cookies::get(headers, cookies::MFA_REMEMBER)
        && app
            .store
            .browser_remembered(&hash_secret(&token), &l.user.user_id, app.now())
            .await?
    {
        return Ok(Gate::Pass { mfa: true });
    }
    // OpenID Connect Core §3.1.2.6: no page may be shown.
    if l.req.prompt.none {
        let text = "Multifactor authentication required";
        return Ok(Gate::Answer(
            refuse(app, &l, AuthorizeErrorCode::InteractionRequired, text).await,
        ));
    }
    let (id, new_cookie) = match flows::park(app, headers, l.ip, l.req).await? {
        Ok(x) => x,
        Err(page) => return Ok(Gate::Answer(page)),
    };
    let now = app.now();
    let pending = PendingGrant {
        user_id: l.user.user_id.clone(),
        client_id: l.client.client_id.clone(),
        audience: l.req.audience.clone(),
        scope: l.req.scope.clone(),
        gty: "authorization_code".into(),
        scripts: serde_json::to_value(l.scripts).unwrap_or_default(),
        auth_time: l.session.auth_time,
        session_id: Some(l.session.id.clone()),
        remember_browser: may_remember,
        only,
    };
    app.store
        .insert_mfa_token(&step_hash(&id), &pending, now + flows::TRANSACTION_LIFETIME)
        .await?;
    let e = Event::new(Code::Mfar, "Multifactor authentication required")
        .client(l.client)
        .user(l.user)
        .ip(l.ip);
    app.audit(e).await;
    let res = crate::http::found(&format!("{}/u/mfa?state={id}", app.config.base_path()));
    let mut res = flows::with_new_cookie(res, new_cookie);
    res.extensions_mut().insert(MfaStep);
    Ok(Gate::Answer(res))
}

/// Refuses the login to the application (audited).
async fn refuse(
    app: &AppState,
    l: &Login<'_>,
    code: AuthorizeErrorCode,
    text: &'static str,
) -> Response {
    let e = Event::new(Code::F, text)
        .client(l.client)
        .user(l.user)
        .ip(l.ip);
    app.audit(e).await;
    flows::deliver_error(app, ErrorRedirect::to(l.req, code, text))
}

/// A parked request waiting on its second factor.
struct Step {
    tx: Transaction,
    grant: PendingGrant,
    hash: String,
    user: User,
    /// A code was accepted (what is left is the answer to the application).
    passed: bool,
    /// The organization the login is to: its name, logo and colours.
    org: Option<serde_json::Value>,
}

fn store_failed(e: StoreError) -> Response {
    PageError(e).into_response()
}

/// Loads the step of `state` (with `csrf`, a POST, also checked).
async fn load_step(
    app: &AppState,
    headers: &HeaderMap,
    state: Option<&str>,
    csrf: Option<&str>,
) -> Result<Step, Response> {
    let tx = load(app, headers, state, csrf).await?;
    let hash = step_hash(&tx.id);
    let stored = app.store.mfa_token(&hash).await.map_err(store_failed)?;
    let Some(stored) =
        stored.filter(|s| s.expires_at > app.now() && s.grant.client_id == tx.client.client_id)
    else {
        return Err(expired(app, Some(&tx.client)));
    };
    let user = match app.store.get_user(&stored.grant.user_id).await {
        Ok(Some((u, _))) if !u.blocked => u,
        Ok(_) => return Err(expired(app, Some(&tx.client))),
        Err(e) => return Err(store_failed(e)),
    };
    let org = super::organization::branding(app, &tx.req).await;
    Ok(Step {
        tx,
        grant: stored.grant,
        hash,
        user,
        passed: stored.used_at.is_some(),
        org,
    })
}

#[derive(Debug, Deserialize)]
pub struct MfaQuery {
    state: Option<String>,
    /// "Try another method": the factor to be asked for.
    method: Option<String>,
    /// The factor chosen for enrolment.
    enroll: Option<String>,
}

/// What one MFA page shows.
#[derive(Default)]
struct View<'a> {
    /// `choose`, `totp`, `email`, `recovery-code`, `recovery` (a new
    /// recovery code to save) or `passed`.
    mode: &'a str,
    enrolling: bool,
    error: Option<&'a str>,
    /// Enrolment of an authenticator app: the QR code (an SVG data URI) and
    /// the secret for typing in.
    qr: Option<String>,
    secret: Option<String>,
    oob_code: Option<String>,
    email: Option<String>,
    recovery_code: Option<String>,
    /// A WebAuthn ceremony: `create` or `get`, and the browser's options.
    webauthn: Option<(&'static str, String)>,
    /// The other ways to pass: `(method, label)`.
    others: Vec<(&'static str, &'static str)>,
    choices: Vec<(&'static str, &'static str)>,
}

fn method_label(kind: Kind) -> &'static str {
    match kind {
        Kind::Totp => "mfa-login-options__otpText",
        Kind::Email => "mfa-login-options__emailText",
        Kind::RecoveryCode => "mfa-login-options__recoveryCodeText",
        Kind::WebauthnRoaming => "mfa-login-options__webauthnRoamingText",
        Kind::WebauthnPlatform => "mfa-login-options__webauthnPlatformText",
        Kind::Passkey => "mfa-login-options__passkeyText",
    }
}

fn render(app: &AppState, step: &Step, status: StatusCode, v: View<'_>) -> Response {
    let title = match (v.mode, v.enrolling) {
        ("recovery", _) => "mfa-recovery-code-enrollment__title",
        ("choose", _) | (_, true) => "mfa__enrollTitle",
        _ => "mfa__challengeTitle",
    };
    // Labels and the error are text ids (`crate::i18n`).
    let pair = |l: &[(&str, &str)]| {
        l.iter()
            .map(|(m, label)| serde_json::json!({"method": m, "label": app.pages.text(label, &[])}))
            .collect::<Vec<_>>()
    };
    let error = v.error.map(|id| app.pages.text(id, &[]));
    app.pages.form_page(
        status,
        "mfa.html",
        minijinja::context! {
            title => title,
            client => minijinja::Value::from(minijinja::value::Serde(super::login::client_ctx(&step.tx.client))),
            org => minijinja::Value::from(minijinja::value::Serde(&step.org)),
            state => &step.tx.id,
            csrf => &step.tx.csrf,
            mode => v.mode,
            enrolling => v.enrolling,
            error => error,
            qr => v.qr,
            secret => v.secret,
            oob_code => v.oob_code,
            email => v.email,
            recovery_code => v.recovery_code,
            webauthn => v.webauthn.as_ref().map(|w| w.0),
            webauthn_options => v.webauthn.map(|w| w.1),
            remember => step.grant.remember_browser,
            remember_days => app.config.mfa_remember_browser_days,
            others => minijinja::Value::from(minijinja::value::Serde(pair(&v.others))),
            choices => minijinja::Value::from(minijinja::value::Serde(pair(&v.choices))),
        },
        &step.tx.req.redirect_uri,
    )
}

/// The ways this user can pass now: confirmed factors the tenant (and the
/// Action, if it named one) accepts, then the recovery code.
fn methods(settings: &mfa::Settings, grant: &PendingGrant, list: &[Authenticator]) -> Vec<Kind> {
    let mut out = Vec::new();
    for kind in [
        Kind::WebauthnPlatform,
        Kind::WebauthnRoaming,
        Kind::Totp,
        Kind::Email,
    ] {
        let has = list.iter().any(|a| a.kind == kind && a.confirmed);
        let allowed = settings.enabled.contains(&kind.factor())
            && grant.only.is_none_or(|f| f == kind.factor());
        if has && allowed {
            out.push(kind);
        }
    }
    if settings.enabled.contains(&Factor::RecoveryCode)
        && list
            .iter()
            .any(|a| a.kind == Kind::RecoveryCode && a.confirmed)
        && !out.is_empty()
    {
        out.push(Kind::RecoveryCode);
    }
    out
}

/// `GET /u/mfa`: the enrolment or the challenge.
pub async fn page(
    State(app): State<AppState>,
    peer: ClientAddr,
    headers: HeaderMap,
    Query(q): Query<MfaQuery>,
) -> Response {
    let step = match load_step(&app, &headers, q.state.as_deref(), None).await {
        Ok(s) => s,
        Err(r) => return r,
    };
    if step.passed {
        return render(
            &app,
            &step,
            StatusCode::OK,
            View {
                mode: "passed",
                ..View::default()
            },
        );
    }
    match show(&app, &step, &peer.text(), &q).await {
        Ok(r) => r,
        Err(e) => store_failed(e),
    }
}

async fn show(app: &AppState, step: &Step, ip: &str, q: &MfaQuery) -> Result<Response, StoreError> {
    let settings = app.store.guardian_settings().await?;
    let list = app.store.authenticators(&step.user.user_id).await?;
    let has_confirmed = list
        .iter()
        .any(|a| a.confirmed && a.kind.is_second_factor());
    if !has_confirmed {
        let webauthn = relying_party(app).await.available();
        let enrollable: Vec<Factor> = settings
            .enrollable()
            .into_iter()
            .filter(|f| step.grant.only.is_none_or(|o| o == *f))
            // WebAuthn needs the issuer on a domain name.
            .filter(|f| {
                webauthn || !matches!(f, Factor::WebauthnRoaming | Factor::WebauthnPlatform)
            })
            .collect();
        let chosen = q
            .enroll
            .as_deref()
            .and_then(Factor::parse)
            .filter(|f| enrollable.contains(f))
            .or_else(|| (enrollable.len() == 1).then(|| enrollable[0]));
        return match chosen {
            Some(f) => enroll(app, step, ip, f).await,
            None => {
                let choices = enrollable
                    .iter()
                    .filter_map(|f| match f {
                        Factor::Otp => Some(("otp", "mfa-begin-enroll-options__otpText")),
                        Factor::Email => Some(("email", "mfa-begin-enroll-options__emailText")),
                        Factor::WebauthnRoaming => Some((
                            "webauthn-roaming",
                            "mfa-begin-enroll-options__webauthnRoamingText",
                        )),
                        Factor::WebauthnPlatform => Some((
                            "webauthn-platform",
                            "mfa-begin-enroll-options__webauthnPlatformText",
                        )),
                        _ => None,
                    })
                    .collect();
                Ok(render(
                    app,
                    step,
                    StatusCode::OK,
                    View {
                        mode: "choose",
                        enrolling: true,
                        choices,
                        ..View::default()
                    },
                ))
            }
        };
    }
    let methods = methods(&settings, &step.grant, &list);
    let Some(first) = methods.first().copied() else {
        return Ok(app.pages.message(
            StatusCode::FORBIDDEN,
            "mfa__unavailableTitle",
            "mfa__unavailableDescription",
        ));
    };
    let kind = q
        .method
        .as_deref()
        .and_then(Kind::parse)
        .filter(|k| methods.contains(k))
        .unwrap_or(first);
    challenge(app, step, ip, kind, &methods, None, StatusCode::OK).await
}

/// Enrols `factor` (replacing an unconfirmed enrolment left from an earlier
/// try) and shows how to finish it.
async fn enroll(
    app: &AppState,
    step: &Step,
    ip: &str,
    factor: Factor,
) -> Result<Response, StoreError> {
    let kind = match factor {
        Factor::Email => Kind::Email,
        Factor::WebauthnRoaming => Kind::WebauthnRoaming,
        Factor::WebauthnPlatform => Kind::WebauthnPlatform,
        _ => Kind::Totp,
    };
    if kind.is_webauthn() {
        let e = Event::new(Code::GdStartEnroll, "Guardian - Enrollment started")
            .client(&step.tx.client)
            .user(&step.user)
            .ip(ip);
        app.audit(e).await;
        return webauthn_page(app, step, kind, true, &[kind], None, StatusCode::OK).await;
    }
    let secret = (kind == Kind::Totp).then(TotpSecret::generate);
    let id = Authenticator::new_id(kind);
    let sealed = secret
        .as_ref()
        .map(|s| app.kek.seal(&secret_aad(&id), s.as_bytes()));
    // The recovery code is made once the factor works (shown then).
    let enrolled = app
        .store
        .enroll_first(
            &step.user.user_id,
            (&id, kind, sealed.as_deref()),
            None,
            app.now(),
        )
        .await?;
    if !enrolled {
        // Enrolled meanwhile (another tab): ask for it instead.
        let q = MfaQuery {
            state: None,
            method: None,
            enroll: None,
        };
        return Box::pin(show(app, step, ip, &q)).await;
    }
    let e = Event::new(Code::GdStartEnroll, "Guardian - Enrollment started")
        .client(&step.tx.client)
        .user(&step.user)
        .ip(ip);
    app.audit(e).await;
    match secret {
        Some(secret) => Ok(otp_enrolment(app, step, &secret, None, StatusCode::OK).await),
        None => {
            let methods = [Kind::Email];
            challenge_email(app, step, ip, &id, true, &methods, None, StatusCode::OK).await
        }
    }
}

/// The authenticator-app enrolment page: QR code, secret, code field.
async fn otp_enrolment(
    app: &AppState,
    step: &Step,
    secret: &TotpSecret,
    error: Option<&str>,
    status: StatusCode,
) -> Response {
    let uri = totp::otpauth_uri(&tenant_name(app).await, &step.user.email, secret);
    let Some(qr) = qr_data_uri(&uri) else {
        return app.pages.message(
            StatusCode::INTERNAL_SERVER_ERROR,
            "error-page__genericTitle",
            "mfa-otp-enrollment-qr__qrFailed",
        );
    };
    // Groups of four, as authenticator apps show typed secrets.
    let b32 = secret.base32();
    let grouped = b32
        .as_bytes()
        .chunks(4)
        .map(|c| String::from_utf8_lossy(c).into_owned())
        .collect::<Vec<_>>()
        .join(" ");
    render(
        app,
        step,
        status,
        View {
            mode: "totp",
            enrolling: true,
            error,
            qr: Some(qr),
            secret: Some(grouped),
            ..View::default()
        },
    )
}

/// `uri` as a QR code: an SVG image as a `data:` URI (the page CSP allows
/// `data:` images, never inline markup from elsewhere).
fn qr_data_uri(uri: &str) -> Option<String> {
    let code = qrcode::QrCode::with_error_correction_level(uri, qrcode::EcLevel::M).ok()?;
    let svg = code
        .render::<qrcode::render::svg::Color<'_>>()
        .min_dimensions(200, 200)
        .quiet_zone(true)
        .build();
    Some(format!(
        "data:image/svg+xml;base64,{}",
        base64::engine::general_purpose::STANDARD.encode(svg)
    ))
}

fn others(methods: &[Kind], current: Kind) -> Vec<(&'static str, &'static str)> {
    methods
        .iter()
        .filter(|k| **k != current)
        .map(|k| (k.as_str(), method_label(*k)))
        .collect()
}

/// The challenge page for `kind` (an e-mail is sent for `email`).
async fn challenge(
    app: &AppState,
    step: &Step,
    ip: &str,
    kind: Kind,
    methods: &[Kind],
    error: Option<&str>,
    status: StatusCode,
) -> Result<Response, StoreError> {
    if kind.is_webauthn() {
        return webauthn_page(app, step, kind, false, methods, error, status).await;
    }
    if kind == Kind::Email {
        let list = app.store.authenticators(&step.user.user_id).await?;
        if let Some(a) = list.iter().find(|a| a.kind == Kind::Email) {
            let id = a.id.clone();
            return challenge_email(app, step, ip, &id, false, methods, error, status).await;
        }
    }
    Ok(render(
        app,
        step,
        status,
        View {
            mode: kind.as_str(),
            error,
            others: others(methods, kind),
            ..View::default()
        },
    ))
}

/// E-mails a code for authenticator `id` and shows the page to type it.
#[allow(clippy::too_many_arguments)]
async fn challenge_email(
    app: &AppState,
    step: &Step,
    ip: &str,
    id: &str,
    enrolling: bool,
    methods: &[Kind],
    error: Option<&str>,
    status: StatusCode,
) -> Result<Response, StoreError> {
    let who = Who {
        app,
        client: &step.tx.client,
        user: &step.user,
        ip,
        spend: &step.hash,
    };
    let oob_code = match who.send_code(id).await {
        Ok(c) => c,
        Err(_) => {
            return Ok(app.pages.message(
                StatusCode::SERVICE_UNAVAILABLE,
                "mfa-email-challenge__sendFailedTitle",
                "mfa-email-challenge__sendFailedDescription",
            ));
        }
    };
    Ok(render(
        app,
        step,
        status,
        View {
            mode: "email",
            enrolling,
            error,
            oob_code: Some(oob_code),
            email: Some(mfa::mask_email(&step.user.email)),
            others: others(methods, Kind::Email),
            ..View::default()
        },
    ))
}

/// A POSTed form of a step: the form, and its step checked for the CSRF
/// token and the browser binding.
async fn submitted_step(
    app: &AppState,
    headers: &HeaderMap,
    body: Body,
) -> Result<(portcullis_core::protocol::params::Params, Step), Response> {
    let form = super::read_form(app, headers, body).await?;
    let csrf = Some(form.get("csrf").unwrap_or("-"));
    let step = load_step(app, headers, form.get("state"), csrf).await?;
    Ok((form, step))
}

/// `POST /u/mfa`: a code typed on one of the pages.
pub async fn submit(
    State(app): State<AppState>,
    peer: ClientAddr,
    headers: HeaderMap,
    body: Body,
) -> PageResult {
    let (form, step) = match submitted_step(&app, &headers, body).await {
        Ok(x) => x,
        Err(r) => return Ok(r),
    };
    if step.passed {
        return Ok(render(
            &app,
            &step,
            StatusCode::OK,
            View {
                mode: "passed",
                ..View::default()
            },
        ));
    }
    let ip = peer.text();
    let code = form.get("code").unwrap_or_default();
    let Some(kind) = form.get("method").and_then(Kind::parse) else {
        return Ok(app.pages.message(
            StatusCode::BAD_REQUEST,
            "error-page__invalidFormTitle",
            "error-page__formUnreadableBack",
        ));
    };
    let settings = app.store.guardian_settings().await?;
    let list = app.store.authenticators(&step.user.user_id).await?;
    let enrolling = !list
        .iter()
        .any(|a| a.confirmed && a.kind.is_second_factor());
    let methods = methods(&settings, &step.grant, &list);
    // Only a method this step accepts (an enrolment: the factor being
    // enrolled).
    let acceptable = if enrolling && kind.is_webauthn() {
        settings.enabled.contains(&kind.factor())
            && step.grant.only.is_none_or(|f| f == kind.factor())
    } else if enrolling {
        kind != Kind::RecoveryCode
            && list.iter().any(|a| a.kind == kind && !a.confirmed)
            && settings.enabled.contains(&kind.factor())
            && step.grant.only.is_none_or(|f| f == kind.factor())
    } else {
        methods.contains(&kind)
    };
    if !acceptable {
        return Ok(app.pages.message(
            StatusCode::BAD_REQUEST,
            "error-page__invalidFormTitle",
            "mfa__methodUnavailable",
        ));
    }
    let who = Who {
        app: &app,
        client: &step.tx.client,
        user: &step.user,
        ip: &ip,
        spend: &step.hash,
    };
    let checked = match kind {
        Kind::Totp => who.check_otp(code).await.map(|()| None),
        Kind::Email => who
            .check_email_code(form.get("oob_code").unwrap_or_default(), code)
            .await
            .map(|()| None),
        Kind::RecoveryCode => who.check_recovery_code(code).await.map(Some),
        // A passkey signs in on the login page; it is never asked for here.
        Kind::Passkey => Err(TokenEndpointError::from(
            portcullis_core::protocol::errors::TokenError::new(
                TokenErrorCode::InvalidGrant,
                "Not a second factor.",
            ),
        )),
        Kind::WebauthnRoaming | Kind::WebauthnPlatform => {
            let answer = form.get("credential").unwrap_or_default();
            check_webauthn(&who, &step, kind, enrolling, answer)
                .await
                .map(|()| None)
        }
    };
    let mut recovery_code = match checked {
        Ok(r) => r,
        Err(e) => return refused(&app, &step, &ip, kind, enrolling, &methods, e, &form).await,
    };
    let now = app.now();
    // A first factor that now works: its recovery code, shown once.
    if enrolling && settings.enabled.contains(&Factor::RecoveryCode) {
        let code = mfa::new_recovery_code();
        let row = (
            Authenticator::new_id(Kind::RecoveryCode),
            secrets::hash_secret(&code),
        );
        if app
            .store
            .regenerate_recovery_code(&step.user.user_id, (&row.0, &row.1), now)
            .await?
        {
            recovery_code = Some(code);
        }
    }
    if let Some(session_id) = &step.grant.session_id {
        app.store.mark_session_mfa(session_id, now).await?;
    }
    let remember = form.get("remember") == Some("on") && step.grant.remember_browser;
    let cookie = if remember {
        let token = portcullis_core::random::url_token();
        let lifetime = i64::try_from(app.config.mfa_remember_browser_days)
            .unwrap_or(mfa::REMEMBER_BROWSER_DEFAULT_DAYS)
            * 24
            * 3600;
        app.store
            .remember_browser(
                &hash_secret(&token),
                &step.user.user_id,
                now,
                now + lifetime,
            )
            .await?;
        // Sent in the silent-authentication iframe too (cross-site).
        Some(cookies::set(
            cookies::MFA_REMEMBER,
            &token,
            lifetime,
            &cookies::scope(&app),
            true,
        ))
    } else {
        None
    };
    let res = match recovery_code {
        Some(code) => render(
            &app,
            &step,
            StatusCode::OK,
            View {
                mode: "recovery",
                recovery_code: Some(code),
                ..View::default()
            },
        ),
        None => complete(&app, step, peer, &headers).await?,
    };
    Ok(match cookie {
        Some(c) => with_cookie(res, &c),
        None => res,
    })
}

/// A code refused: the same page again with the reason (or the lockout).
#[allow(clippy::too_many_arguments)]
async fn refused(
    app: &AppState,
    step: &Step,
    ip: &str,
    kind: Kind,
    enrolling: bool,
    methods: &[Kind],
    e: TokenEndpointError,
    form: &portcullis_core::protocol::params::Params,
) -> PageResult {
    let (status, text) = match (e.status, e.error.code) {
        (Some(StatusCode::TOO_MANY_REQUESTS), _) => {
            (StatusCode::TOO_MANY_REQUESTS, "mfa__tooManyWrongCodes")
        }
        (_, TokenErrorCode::ExpiredToken) => {
            (StatusCode::BAD_REQUEST, "mfa-email-challenge__codeExpired")
        }
        (_, TokenErrorCode::InvalidGrant) => (
            StatusCode::BAD_REQUEST,
            match kind {
                Kind::RecoveryCode => "mfa-recovery-code-challenge__wrongCode",
                Kind::WebauthnRoaming | Kind::WebauthnPlatform => "mfa-webauthn__failed",
                _ => "mfa__wrongCode",
            },
        ),
        _ => return Ok(e.into_response()),
    };
    if kind.is_webauthn() && enrolling {
        return Ok(webauthn_page(app, step, kind, true, &[kind], Some(text), status).await?);
    }
    if kind == Kind::Totp && enrolling {
        let list = app.store.authenticators(&step.user.user_id).await?;
        let secret = match list.iter().find(|a| a.kind == Kind::Totp && !a.confirmed) {
            Some(a) => app
                .store
                .authenticator_secret(&step.user.user_id, &a.id)
                .await?
                .and_then(|s| s.sealed_secret)
                .and_then(|sealed| app.kek.open(&secret_aad(&a.id), &sealed).ok())
                .map(TotpSecret::from_bytes),
            None => None,
        };
        if let Some(secret) = secret {
            return Ok(otp_enrolment(app, step, &secret, Some(text), status).await);
        }
    }
    if kind == Kind::Email && e.error.code != TokenErrorCode::ExpiredToken {
        // The same challenge again: the code already sent still works.
        return Ok(render(
            app,
            step,
            status,
            View {
                mode: "email",
                enrolling,
                error: Some(text),
                oob_code: form.get("oob_code").map(str::to_string),
                email: Some(mfa::mask_email(&step.user.email)),
                others: others(methods, Kind::Email),
                ..View::default()
            },
        ));
    }
    let methods: Vec<Kind> = if enrolling {
        vec![kind]
    } else {
        methods.to_vec()
    };
    Ok(challenge(app, step, ip, kind, &methods, Some(text), status).await?)
}

/// `POST /u/mfa/continue`: after the recovery code was shown.
pub async fn continue_login(
    State(app): State<AppState>,
    peer: ClientAddr,
    headers: HeaderMap,
    body: Body,
) -> PageResult {
    let (_, step) = match submitted_step(&app, &headers, body).await {
        Ok(x) => x,
        Err(r) => return Ok(r),
    };
    if !step.passed {
        return Ok(expired(&app, Some(&step.tx.client)));
    }
    complete(&app, step, peer, &headers).await
}

/// Answers the application for a step whose code was accepted: in the
/// session it was asked in, once (the parked request is taken).
async fn complete(app: &AppState, step: Step, peer: ClientAddr, headers: &HeaderMap) -> PageResult {
    let Some((session, user)) = flows::current_session(app, headers).await? else {
        return Ok(expired(app, Some(&step.tx.client)));
    };
    if step.grant.session_id.as_deref() != Some(session.id.as_str())
        || user.user_id != step.user.user_id
    {
        return Ok(expired(app, Some(&step.tx.client)));
    }
    let Ok(scripts) = serde_json::from_value::<ScriptResult>(step.grant.scripts.clone()) else {
        tracing::error!("a waiting MFA step's script result could not be read");
        return Ok(app.pages.message(
            StatusCode::INTERNAL_SERVER_ERROR,
            "error-page__genericTitle",
            "error-page__notCompletedDescription",
        ));
    };
    if !app.store.take_login_transaction(&step.tx.id).await? {
        return Ok(expired(app, Some(&step.tx.client)));
    }
    let _ = peer;
    let api = api_of(app, &step.tx.req).await?;
    flows::respond(
        app,
        &step.tx.client,
        &step.tx.req,
        api.as_ref(),
        &session,
        &user,
        &scripts,
        true,
    )
    .await
}

/// Where a step's WebAuthn ceremony is kept (one at a time per step).
/// The kind is part of the key: an answer posted as another kind (a
/// security key's registration claimed as the device's own, which must
/// verify the person) finds no ceremony.
fn ceremony_id(step: &Step, kind: Kind) -> String {
    format!("mfa:{}:{}", kind.as_str(), step.hash)
}

/// The page that registers (`enrolling`) or asks for a `kind` WebAuthn
/// authenticator; the ceremony's state is kept server-side.
#[allow(clippy::too_many_arguments)]
async fn webauthn_page(
    app: &AppState,
    step: &Step,
    kind: Kind,
    enrolling: bool,
    methods: &[Kind],
    error: Option<&str>,
    status: StatusCode,
) -> Result<Response, StoreError> {
    let rp = relying_party(app).await;
    let started = if enrolling {
        rp.start_registration(kind, &step.user.user_id, &step.user.email)
    } else {
        let list = app.store.authenticators(&step.user.user_id).await?;
        let Some(a) = list.iter().find(|a| a.kind == kind && a.confirmed) else {
            return Ok(unavailable(app));
        };
        let stored = app
            .store
            .authenticator_secret(&step.user.user_id, &a.id)
            .await?
            .and_then(|s| s.credential);
        match stored {
            Some(c) => rp.start_authentication(&c),
            None => Err(WebauthnFailure::Corrupt),
        }
    };
    let (options, state) = match started {
        Ok(x) => x,
        Err(e) => {
            tracing::error!(error = ?e, "a WebAuthn ceremony could not start");
            return Ok(unavailable(app));
        }
    };
    app.store
        .put_ceremony(&ceremony_id(step, kind), &state, app.now() + WEBAUTHN_TTL)
        .await?;
    let verb = if enrolling { "create" } else { "get" };
    Ok(render(
        app,
        step,
        status,
        View {
            mode: kind.as_str(),
            enrolling,
            error,
            webauthn: Some((verb, options.to_string())),
            others: others(methods, kind),
            ..View::default()
        },
    ))
}

/// How long a WebAuthn page's challenge stays good (the browser's own
/// timeout is five minutes).
const WEBAUTHN_TTL: i64 = 300;

fn unavailable(app: &AppState) -> Response {
    app.pages.message(
        StatusCode::SERVICE_UNAVAILABLE,
        "mfa-webauthn__unavailableTitle",
        "mfa-webauthn__unavailableDescription",
    )
}

/// Checks the browser's WebAuthn `answer` for this step: a registration
/// (`enrolling`) stores the authenticator; an assertion updates its sign
/// count. Either spends the step's token in the same transaction.
async fn check_webauthn(
    who: &Who<'_>,
    step: &Step,
    kind: Kind,
    enrolling: bool,
    answer: &str,
) -> Result<(), TokenEndpointError> {
    let app = who.app;
    let now = app.now();
    let rp = relying_party(app).await;
    let invalid = || {
        TokenEndpointError::from(portcullis_core::protocol::errors::TokenError::new(
            TokenErrorCode::InvalidGrant,
            "Invalid WebAuthn answer.",
        ))
    };
    // Taken once: a replayed answer finds no ceremony.
    let state = app
        .store
        .take_ceremony(&ceremony_id(step, kind), now)
        .await?;
    if enrolling {
        let done = state
            .ok_or(WebauthnFailure::Refused("no ceremony".into()))
            .and_then(|state| rp.finish_registration(&state, answer));
        let (credential, credential_id) = match done {
            Ok(x) => x,
            Err(e) => {
                tracing::info!(error = ?e, "a WebAuthn registration was refused");
                who.log(
                    Code::GdWebauthnEnrollmentFailed,
                    "WebAuthn enrollment failed",
                )
                .await;
                return Err(invalid());
            }
        };
        let id = Authenticator::new_id(kind);
        let stored = app
            .store
            .enroll_webauthn(
                &step.user.user_id,
                &id,
                kind,
                &credential,
                &credential_id,
                who.spend,
                now,
            )
            .await;
        let stored = match stored {
            Ok(done) => done,
            // A credential id registered already (W3C Web Authentication
            // §7.1 step 22): refused.
            Err(portcullis_store::StoreError::Conflict) => false,
            Err(e) => return Err(e.into()),
        };
        if !stored {
            return Err(invalid());
        }
        let text = format!("Guardian - Enrollment complete ({})", kind.as_str());
        who.log(Code::GdEnrollmentComplete, &text).await;
        return Ok(());
    }
    let list = app.store.authenticators(&step.user.user_id).await?;
    let Some(a) = list.iter().find(|a| a.kind == kind && a.confirmed) else {
        return Err(invalid());
    };
    let attempts = who.attempt(&a.id, now, Code::GdOtpRateLimitExceed).await?;
    let stored = app
        .store
        .authenticator_secret(&step.user.user_id, &a.id)
        .await?
        .and_then(|s| s.credential);
    let checked = match (state, &stored) {
        (Some(state), Some(c)) => rp.finish_authentication(&state, c, answer),
        _ => Err(WebauthnFailure::Refused("no ceremony".into())),
    };
    let accepted = match (checked, &stored) {
        (Ok(updated), Some(was)) => {
            app.store
                .accept_webauthn(
                    &step.user.user_id,
                    &a.id,
                    (was, &updated),
                    Some(who.spend),
                    now,
                )
                .await?
        }
        (Err(e), _) => {
            tracing::info!(error = ?e, "a WebAuthn assertion was refused");
            false
        }
        _ => false,
    };
    if !accepted {
        return Err(who
            .failed(
                attempts,
                [
                    Code::GdWebauthnChallengeFailed,
                    Code::GdAuthFailed,
                    Code::GdOtpRateLimitExceed,
                ],
                "Invalid WebAuthn answer.",
            )
            .await);
    }
    who.log(Code::GdAuthSucceed, "MFA Auth success").await;
    Ok(())
}
