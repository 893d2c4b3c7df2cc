//! A parked authorization request as the hosted pages continue it: loaded
//! and checked (the browser that started it, the CSRF token of a form), the
//! page when it can no longer go on, and the end of a successful sign-in
//! (session, consent, the response to the application), shared by the
//! password pages (`login`) and upstream providers (`upstream`).

use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::Response;
use portcullis_core::clients::Client;
use portcullis_core::protocol::authorize::{AuthorizeErrorCode, AuthorizeRequest, ErrorRedirect};
use portcullis_core::secrets::hash_secret;
use portcullis_core::users::User;
use portcullis_store::StoreError;
use subtle::ConstantTimeEq;

use crate::app::AppState;
use crate::audit::Event;
use crate::http::client_addr::ClientAddr;
use crate::http::cookies;
use crate::http::flows::{self, PageResult};
use crate::http::pages::Notice;
use crate::http::pages::Pages as _;

/// A parked request, loaded and checked.
pub(crate) struct Transaction {
    pub(crate) id: String,
    pub(crate) csrf: String,
    pub(crate) req: AuthorizeRequest,
    pub(crate) client: Client,
}

/// The page of a sign-in that can no longer go on, with the way back to
/// `client` when it is known.
pub(crate) fn expired(app: &AppState, client: Option<&Client>) -> Response {
    app.pages.notice(
        StatusCode::BAD_REQUEST,
        Notice::new("error-page__expiredTitle", "error-page__expiredDescription").back_to(client),
    )
}

/// `expired`, finding the application from transaction `id` (expired or not)
/// while it is still stored.
pub(crate) async fn expired_tx(app: &AppState, id: Option<&str>) -> Response {
    let mut client = None;
    if let Some(id) = id
        && let Ok(Some(req)) = app.store.login_transaction_request(id).await
    {
        client = app
            .client(&req.client_id)
            .await
            .ok()
            .flatten()
            .map(|(c, _)| c);
    }
    expired(app, client.as_ref())
}

/// Loads transaction `id`. With `csrf` (a POST), also checks the CSRF token and
/// that the request comes from the browser that started it.
pub(crate) async fn load(
    app: &AppState,
    headers: &HeaderMap,
    id: Option<&str>,
    csrf: Option<&str>,
) -> Result<Transaction, Response> {
    let Some(id) = id else {
        return Err(expired(app, None));
    };
    let tx = match app.store.get_login_transaction(id, app.now()).await {
        Ok(Some(tx)) => tx,
        // A request parked by a version whose shape differs: start again.
        Ok(None) | Err(StoreError::Undecodable(_)) => return Err(expired_tx(app, Some(id)).await),
        Err(e) => {
            return Err(axum::response::IntoResponse::into_response(
                flows::PageError(e),
            ));
        }
    };
    let browser = cookies::get(headers, cookies::BROWSER).map(|b| hash_secret(&b));
    let same_browser =
        browser.is_some_and(|b| bool::from(b.as_bytes().ct_eq(tx.browser_hash.as_bytes())));
    if !same_browser {
        return Err(expired_tx(app, Some(id)).await);
    }
    if let Some(sent) = csrf
        && !bool::from(sent.as_bytes().ct_eq(tx.csrf.as_bytes()))
    {
        return Err(app.pages.message(
            StatusCode::FORBIDDEN,
            "error-page__invalidFormTitle",
            "error-page__formNotVerifiedBack",
        ));
    }
    let req = tx.request;
    crate::i18n::use_login_language(req.ui_locales.as_deref());
    let client = match app.client(&req.client_id).await {
        Ok(Some((c, _))) => c,
        Ok(None) => return Err(expired_tx(app, Some(id)).await),
        Err(e) => {
            return Err(axum::response::IntoResponse::into_response(
                flows::PageError(e),
            ));
        }
    };
    Ok(Transaction {
        id: id.to_string(),
        csrf: tx.csrf,
        req,
        client,
    })
}

pub(crate) fn with_cookie(mut res: Response, cookie: &str) -> Response {
    if let Ok(v) = HeaderValue::from_str(cookie) {
        res.headers_mut().append(header::SET_COOKIE, v);
    }
    res
}

/// How the person signed in.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Via {
    /// A password; `offer_passkey` when the connection offers passkeys
    /// (the person is asked to create one first, unless they have one).
    Password { offer_passkey: bool },
    /// A passkey: it satisfies MFA (the session is marked so).
    Passkey,
    /// An upstream provider.
    Upstream,
    /// A passwordless code or link.
    Passwordless,
}

/// After a successful sign-in: consent if needed, else the response to the app.
pub(crate) async fn finish(
    app: &AppState,
    tx: Transaction,
    user: &User,
    peer: ClientAddr,
    headers: &HeaderMap,
    via: Via,
) -> PageResult {
    let ip = &peer.text();
    if user.blocked {
        app.audit(
            Event::new(crate::audit::Code::F, "user is blocked")
                .client(&tx.client)
                .user(user)
                .ip(ip),
        )
        .await;
        if !app.store.take_login_transaction(&tx.id).await? {
            return Ok(expired(app, Some(&tx.client)));
        }
        return Ok(flows::deliver_error(
            app,
            ErrorRedirect::to(&tx.req, AuthorizeErrorCode::AccessDenied, "user is blocked"),
        ));
    }
    let (mut session, cookie) = flows::start_session(app, user).await?;
    app.store
        .record_login(&user.user_id, Some(ip), app.now())
        .await?;
    app.audit(
        Event::new(crate::audit::Code::S, "Successful login")
            .client(&tx.client)
            .user(user)
            .ip(ip),
    )
    .await;
    // W3C Web Authentication: a passkey is something held and verified
    // (user verification required), so it is a multi-factor login.
    if via == Via::Passkey {
        let now = app.now();
        app.store.mark_session_mfa(&session.id, now).await?;
        session.mfa_at = Some(now);
    }
    if via
        == (Via::Password {
            offer_passkey: true,
        })
        && !app
            .store
            .authenticators(&user.user_id)
            .await?
            .iter()
            .any(|a| a.kind == portcullis_core::mfa::Kind::Passkey)
    {
        let res = crate::http::found(&format!(
            "{}/u/passkey-enrollment?state={}",
            app.config.base_path(),
            tx.id
        ));
        return Ok(with_cookie(res, &cookie));
    }
    let res = proceed(app, tx, &session, user, peer, headers).await?;
    Ok(with_cookie(res, &cookie))
}

/// The rest of a sign-in in its `session`: consent if needed, else the
/// response to the application.
pub(crate) async fn proceed(
    app: &AppState,
    tx: Transaction,
    session: &portcullis_store::Session,
    user: &User,
    peer: ClientAddr,
    headers: &HeaderMap,
) -> PageResult {
    if flows::needs_consent(app, &tx.client, &user.user_id, &tx.req).await? || tx.req.prompt.consent
    {
        return Ok(crate::http::found(&format!(
            "{}/u/consent?state={}",
            app.config.base_path(),
            tx.id
        )));
    }
    if !app.store.take_login_transaction(&tx.id).await? {
        return Ok(expired(app, Some(&tx.client)));
    }
    let api = api_of(app, &tx.req).await?;
    let request = flows::request_info(peer, headers, "POST", flows::authorize_query(&tx.req));
    flows::issue(
        app,
        &tx.client,
        &tx.req,
        api.as_ref(),
        session,
        user,
        &request,
        headers,
    )
    .await
}

/// The API a parked request asks a token for, if any.
pub(crate) async fn api_of(
    app: &AppState,
    req: &AuthorizeRequest,
) -> Result<Option<portcullis_core::resource_servers::ResourceServer>, StoreError> {
    match &req.audience {
        Some(a) => app.api(a).await,
        None => Ok(None),
    }
}
