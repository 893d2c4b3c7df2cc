//! The activation page, `<issuer>activate` (RFC 8628 §3.3, Auth0's path):
//! the person types the code their device shows (or follows
//! `verification_uri_complete`), confirms the device, signs in (then
//! consents, as for any login of the application), and the device is
//! approved when the login's response is made (`approve`, from
//! `flows::respond`, after the scripts and any second factor).
//!
//! Invariants:
//! - Wrong codes are counted per network address in the database, so
//!   guessing is throttled across the cluster (RFC 8628 §5.1).
//! - Only the confirmation form changes anything (CSRF token, same browser):
//!   the code's page only shows the device and parks the login.
//! - One browser takes a code: the first to confirm it. The login started
//!   for it carries a secret `state`; an error coming back from that login to
//!   this page denies the device only when it names that `state`.

use axum::body::Body;
use axum::extract::{RawQuery, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::Response;
use portcullis_core::clients::Client;
use portcullis_core::protocol::authorization_code::CodeGrant;
use portcullis_core::protocol::device_code::{self, Status};
use portcullis_core::protocol::params::Params;
use portcullis_core::secrets::hash_secret;
use portcullis_store::DeviceRef;

use crate::app::AppState;
use crate::audit::{Code, Event};
use crate::http::client_addr::ClientAddr;
use crate::http::flows::{self, PageResult};
use crate::http::pages::{Notice, Pages as _};

/// Wrong user codes from one address (its /64 for IPv6) in
/// `brute_force::WINDOW` before it is stopped for `brute_force::BLOCK_FOR`.
pub const WRONG_CODE_LIMIT: i64 = 20;

fn attempts_key(ip: &str) -> String {
    format!("device:ip:{}|", crate::brute_force::counted_address(ip))
}

/// `GET /activate`: the code's form; with `user_code`, the device it names
/// to confirm; with `state` and `error`, the end of a login that failed.
pub async fn page(
    State(app): State<AppState>,
    peer: ClientAddr,
    headers: HeaderMap,
    RawQuery(q): RawQuery,
) -> PageResult {
    let pairs = form_urlencoded::parse(q.as_deref().unwrap_or("").as_bytes()).into_owned();
    let Ok(params) = Params::from_pairs(pairs) else {
        return Ok(entry(&app, StatusCode::BAD_REQUEST, "", Some(INVALID)));
    };
    if let Some(state) = params.get("state") {
        return failed_login(&app, state, params.get("error_description")).await;
    }
    match params.get("user_code") {
        None => Ok(entry(&app, StatusCode::OK, "", None)),
        Some(typed) => code_entered(&app, &headers, peer, typed).await,
    }
}

const INVALID: &str = "device-code-activation__invalidCode";

/// The code's form, with what was typed and an error (a text id).
fn entry(app: &AppState, status: StatusCode, typed: &str, error: Option<&str>) -> Response {
    let error = error.map(|id| app.pages.text(id, &[]));
    app.pages.page(
        status,
        "device.html",
        minijinja::context! {
            title => "device-code-activation__title",
            confirm => false,
            user_code => typed,
            error => error,
        },
    )
}

/// A code was typed: throttled per address; a live code nobody has taken
/// parks the device's login and shows the device to confirm.
async fn code_entered(
    app: &AppState,
    headers: &HeaderMap,
    peer: ClientAddr,
    typed: &str,
) -> PageResult {
    let ip = peer.text();
    let now = app.now();
    let key = attempts_key(&ip);
    let window = crate::brute_force::WINDOW;
    if app
        .store
        .reserve_login_attempt(&[(key.as_str(), WRONG_CODE_LIMIT)], now, window)
        .await?
        .is_some()
    {
        let why = "device-code-activation__tooManyWrongCodes";
        return Ok(entry(app, StatusCode::TOO_MANY_REQUESTS, typed, Some(why)));
    }
    let found = match device_code::normalize_user_code(typed) {
        Some(code) => app
            .store
            .device_by_user_code(&hash_secret(&code), now)
            .await?
            .map(|(d, taken)| (d, taken, code)),
        None => None,
    };
    let Some((device, false, code)) = found.filter(|(d, _, _)| d.status == Status::Pending) else {
        app.store
            .confirm_login_failure(&key, now, WRONG_CODE_LIMIT, crate::brute_force::BLOCK_FOR)
            .await?;
        let e = Event::new(Code::Fdeac, "Invalid or expired user code").ip(&ip);
        app.audit(e).await;
        return Ok(entry(app, StatusCode::BAD_REQUEST, typed, Some(INVALID)));
    };
    app.store.settle_login_success(&key, "").await?;
    let Some((client, _)) = app.client(&device.client_id).await? else {
        return Ok(entry(app, StatusCode::BAD_REQUEST, typed, Some(INVALID)));
    };
    let state = portcullis_core::random::url_token();
    let activate = crate::http::oauth::device::activate_uri(app);
    let req = device_code::login_request(&device, &activate, &state);
    let (id, cookie) = match flows::park(app, headers, &ip, &req).await? {
        Ok(x) => x,
        Err(res) => return Ok(res),
    };
    let Some(tx) = app.store.get_login_transaction(&id, now).await? else {
        return Ok(super::transaction::expired(app, Some(&client)));
    };
    let shown = format!("{}-{}", &code[..4], &code[4..]);
    let res = app.pages.page(
        StatusCode::OK,
        "device.html",
        minijinja::context! {
            title => "device-code-confirmation__title",
            confirm => true,
            client => minijinja::Value::from(minijinja::value::Serde(super::login::client_ctx(&client))),
            user_code => shown,
            state => id,
            csrf => tx.csrf,
        },
    );
    Ok(flows::with_new_cookie(res, cookie))
}

/// `POST /activate`: the confirmation form. Cancel denies the device;
/// confirm takes the code for this browser and continues as `/authorize`
/// would with the device's request (sign-in, consent, scripts, MFA).
pub async fn confirm(
    State(app): State<AppState>,
    peer: ClientAddr,
    headers: HeaderMap,
    body: Body,
) -> PageResult {
    let (form, tx) = match super::login::submitted(&app, &headers, body).await {
        Ok(x) => x,
        Err(r) => return Ok(r),
    };
    let (Some(device), Some(state)) = (tx.req.device.clone(), tx.req.state.clone()) else {
        return Ok(super::transaction::expired(&app, Some(&tx.client)));
    };
    if !app.store.take_login_transaction(&tx.id).await? {
        return Ok(super::transaction::expired(&app, Some(&tx.client)));
    }
    let now = app.now();
    let ip = peer.text();
    if form.get("action") == Some("cancel") {
        app.store.deny_device(DeviceRef::Id(&device), now).await?;
        let e = Event::new(Code::Fdecc, "User canceled the device confirmation")
            .client(&tx.client)
            .ip(&ip);
        app.audit(e).await;
        return Ok(not_connected(
            &app,
            "device-code-activation-denied__cancelledDescription",
            None,
        ));
    }
    if !app
        .store
        .claim_device(&device, &hash_secret(&state), now)
        .await?
    {
        return Ok(app.pages.message(
            StatusCode::BAD_REQUEST,
            "device-code-activation__usedTitle",
            "device-code-activation__usedDescription",
        ));
    }
    crate::http::oauth::authorize::continue_authorization(&app, &headers, peer, &tx.client, tx.req)
        .await
}

/// An error came back from the device's login (declined consent, a denying
/// Rule or Action, a blocked user): the device is denied, when `state` is the
/// secret of its login.
async fn failed_login(app: &AppState, state: &str, description: Option<&str>) -> PageResult {
    let denied = app
        .store
        .deny_device(DeviceRef::State(&hash_secret(state)), app.now())
        .await?;
    // Only a real login's reason is shown, so a crafted link cannot put its
    // words on this page.
    let detail = description.filter(|_| denied).map(str::to_string);
    Ok(not_connected(
        app,
        "device-code-activation-denied__description",
        detail,
    ))
}

fn not_connected(app: &AppState, message: &'static str, detail: Option<String>) -> Response {
    let mut n = Notice::new("device-code-activation-denied__title", message);
    if let Some(d) = detail {
        n = n.detail(d);
    }
    app.pages.notice(StatusCode::OK, n)
}

/// The device's login passed everything: `grant` (what a code would have
/// stood for) is stored for the device to redeem, and the person is told to
/// go back to it.
pub async fn approve(
    app: &AppState,
    client: &Client,
    device: &str,
    state: Option<&str>,
    grant: &CodeGrant,
) -> PageResult {
    // Only the login of the browser that confirmed the code: a parked
    // request from the code's page that was never confirmed (or another
    // browser's) names a `state` the code was not claimed with.
    let approved = match state {
        Some(state) => {
            app.store
                .approve_device(device, &hash_secret(state), grant, app.now())
                .await?
        }
        None => false,
    };
    if !approved {
        return Ok(app.pages.message(
            StatusCode::BAD_REQUEST,
            "device-code-activation__usedTitle",
            "device-code-confirmation__usedDescription",
        ));
    }
    Ok(app.pages.notice(
        StatusCode::OK,
        Notice::new(
            "device-code-activation-allowed__title",
            "device-code-activation-allowed__description",
        )
        .arg("clientName", client.name.clone()),
    ))
}
