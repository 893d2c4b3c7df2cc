//! The browser flows between `/authorize`, the hosted pages and the redirect back:
//! the signed-in session, parking a request while the person logs in, and issuing
//! the authorization response (code, tokens) in the requested response mode.

use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use portcullis_core::clients::Client;
use portcullis_core::issuance::{self, IdTokenRequest, UserGrant};
use portcullis_core::protocol::authorization_code::{CODE_LIFETIME, CodeGrant};
use portcullis_core::protocol::authorize::AuthorizeErrorCode;
use portcullis_core::protocol::authorize::{
    AuthorizeRequest, ErrorRedirect, ResponseMode, origin_of,
};
use portcullis_core::resource_servers::ResourceServer;
use portcullis_core::scripts::{FlowInfo, RequestInfo};
use portcullis_core::secrets::hash_secret;

use portcullis_core::users::User;
use portcullis_store::{LoginTransaction, Session, StoreError};
use serde_json::json;

use crate::app::AppState;
use crate::http::cookies;
use crate::http::pages::Pages as _;
use crate::http::pages::with_headers;
use crate::scripts::ScriptFailure;

/// A person has ten minutes to finish the login page.
pub const TRANSACTION_LIFETIME: i64 = 600;

pub use crate::http::errors::{PageError, PageResult};

/// The session the browser's cookie names, with its user, if live.
pub async fn current_session(
    app: &AppState,
    headers: &HeaderMap,
) -> Result<Option<(Session, User)>, StoreError> {
    let Some(token) = cookies::get(headers, cookies::SESSION) else {
        return Ok(None);
    };
    // The tenant's `idle_session_lifetime` (Auth0's; three days by default).
    let idle = app.settings().await?.idle_seconds();
    let Some(session) = app
        .store
        .find_session(&hash_secret(&token), app.now(), idle)
        .await?
    else {
        return Ok(None);
    };
    Ok(app
        .store
        .get_user(&session.user_id)
        .await?
        .map(|(u, _)| (session, u)))
}

/// Starts a session for `user`; returns it and the `Set-Cookie` value. It lasts
/// the tenant's `session_lifetime` (Auth0's; a week by default).
pub async fn start_session(app: &AppState, user: &User) -> Result<(Session, String), StoreError> {
    let now = app.now();
    let lifetime = app.settings().await?.session_seconds();
    let token = portcullis_core::random::url_token();
    let session = Session {
        id: portcullis_core::random::alphanumeric(32),
        user_id: user.user_id.clone(),
        auth_time: now,
        expires_at: now + lifetime,
        mfa_at: None,
    };
    app.store
        .create_session(&hash_secret(&token), &session, now)
        .await?;
    let cookie = cookies::set(
        cookies::SESSION,
        &token,
        lifetime,
        &crate::http::cookies::scope(app),
        true,
    );
    Ok((session, cookie))
}

/// Parks `req` and sends the browser to the login (or signup, or consent) page.
/// At most this many bytes of parked login transactions per client address in
/// their 10-minute lifetime (about 800 ordinary requests); past it, `/authorize`
/// answers 429 until some expire, so one address cannot fill the database.
pub const MAX_PARKED_BYTES_PER_ADDRESS: i64 = 512 * 1024;

pub async fn start_login(
    app: &AppState,
    headers: &HeaderMap,
    peer: crate::http::client_addr::ClientAddr,
    req: &AuthorizeRequest,
    consent: bool,
) -> PageResult {
    let (id, new_cookie) = match park(app, headers, &peer.text(), req).await? {
        Ok(x) => x,
        Err(page) => return Ok(page),
    };
    let page = if consent {
        "consent"
    } else if req.screen_hint.as_deref() == Some("signup") {
        "signup"
    } else {
        "login"
    };
    let res = crate::http::found(&format!("{}/u/{page}?state={id}", app.config.base_path()));
    Ok(with_new_cookie(res, new_cookie))
}

/// `res` with the `Set-Cookie` of a new browser cookie, if one was made.
pub fn with_new_cookie(mut res: Response, cookie: Option<String>) -> Response {
    if let Some(c) = cookie
        && let Ok(v) = HeaderValue::from_str(&c)
    {
        res.headers_mut().append(header::SET_COOKIE, v);
    }
    res
}

/// Parks `req` as a login transaction of this browser (made a browser
/// cookie if it has none): the transaction's id and the new cookie, or the
/// 429 page when `ip` has too many parked.
pub async fn park(
    app: &AppState,
    headers: &HeaderMap,
    ip: &str,
    req: &AuthorizeRequest,
) -> Result<Result<(String, Option<String>), Response>, StoreError> {
    let (browser, new_cookie) = match cookies::get(headers, cookies::BROWSER) {
        Some(b) => (b, None),
        None => {
            let b = portcullis_core::random::url_token();
            let c = cookies::set(
                cookies::BROWSER,
                &b,
                30 * 24 * 3600,
                &crate::http::cookies::scope(app),
                false,
            );
            (b, Some(c))
        }
    };
    let id = portcullis_core::random::url_token();
    let now = app.now();
    let parked = app
        .store
        .insert_login_transaction(
            &id,
            &LoginTransaction {
                browser_hash: hash_secret(&browser),
                csrf: portcullis_core::random::url_token(),
                request: req.clone(),
                expires_at: now + TRANSACTION_LIFETIME,
            },
            ip,
            MAX_PARKED_BYTES_PER_ADDRESS,
            now,
        )
        .await?;
    if !parked {
        return Ok(Err(app.pages.message(
            axum::http::StatusCode::TOO_MANY_REQUESTS,
            "error-page__tooManyFlowsTitle",
            "error-page__tooManyFlowsDescription",
        )));
    }
    Ok(Ok((id, new_cookie)))
}

/// The audience consent is recorded for: the API, or `/userinfo` without one.
pub fn consent_audience(app: &AppState, req: &AuthorizeRequest) -> String {
    req.audience
        .clone()
        .unwrap_or_else(|| portcullis_core::tokens::userinfo_audience(app.issuer()))
}

/// Third-party applications need the user's consent to the scopes they ask for;
/// first-party ones do not (Auth0's rule).
pub async fn needs_consent(
    app: &AppState,
    client: &Client,
    user_id: &str,
    req: &AuthorizeRequest,
) -> Result<bool, StoreError> {
    if client.is_first_party {
        return Ok(false);
    }
    let granted = app
        .store
        .get_consent(user_id, &client.client_id, &consent_audience(app, req))
        .await?;
    let granted: Vec<&str> = granted.as_deref().unwrap_or_default().split(' ').collect();
    let asked = consentable_scope(app, req, user_id).await?;
    Ok(!asked.iter().all(|s| granted.contains(&s.as_str())))
}

/// The scopes a consent is about: with an API that enforces RBAC, the
/// requested ones the user holds (what the token will carry, and all the
/// consent page shows); otherwise the requested ones. A consent is recorded
/// for exactly these, so a permission given later is asked for then.
pub async fn consentable_scope(
    app: &AppState,
    req: &AuthorizeRequest,
    user_id: &str,
) -> Result<Vec<String>, StoreError> {
    let api = match &req.audience {
        Some(a) => app.api(a).await?,
        None => None,
    };
    match api.as_ref().filter(|a| a.enforce_policies) {
        Some(a) => {
            let held = app.issuance().permissions(user_id, Some(a)).await?;
            Ok(portcullis_core::roles::rbac_scope(&req.scope, &held, a))
        }
        None => Ok(req.scope.clone()),
    }
}

/// Issues the authorization response for the signed-in `user`, after the
/// post-login Rules and Actions (whose decisions travel with the code).
#[allow(clippy::too_many_arguments)]
pub async fn issue(
    app: &AppState,
    client: &Client,
    req: &AuthorizeRequest,
    api: Option<&ResourceServer>,
    session: &Session,
    user: &User,
    request: &RequestInfo,
    headers: &HeaderMap,
) -> PageResult {
    // Organizations: the user enters the one the login is to (or chooses
    // one), before the scripts, which see it as `event.organization`.
    use crate::http::pages::organization::{self, Entered};
    let org = match organization::enter(app, client, req, user, headers, &request.ip).await? {
        Entered::Outside => None,
        Entered::In(org) => Some(org),
        Entered::Answer(res) => return Ok(res),
    };
    let script_result =
        match browser_scripts(app, client, req, session, user, request, org.as_deref()).await {
            Ok(r) => r,
            Err(ScriptFailure::Store(e)) => return Err(e.into()),
            Err(f) => {
                let ip = Some(request.ip.as_str());
                crate::http::oauth::grant_scripts::audit_failure(
                    app,
                    crate::audit::Code::F,
                    client,
                    Some(user),
                    ip,
                    &f,
                )
                .await;
                return Ok(deliver_error(app, script_error_redirect(req, &f)));
            }
        };
    // A second factor when one is due (the hosted MFA pages): the response
    // waits until it is passed.
    let step = crate::http::pages::mfa::Login {
        client,
        req,
        session,
        user,
        scripts: &script_result,
        ip: &request.ip,
    };
    let mfa = match crate::http::pages::mfa::gate(app, step, headers).await? {
        crate::http::pages::mfa::Gate::Pass { mfa } => mfa,
        crate::http::pages::mfa::Gate::Answer(res) => return Ok(res),
    };
    respond(app, client, req, api, session, user, &script_result, mfa).await
}

/// The authorization response for a login that passed everything: the
/// code (RFC 6749 §4.1.2) or tokens, in the requested response mode.
#[allow(clippy::too_many_arguments)]
pub async fn respond(
    app: &AppState,
    client: &Client,
    req: &AuthorizeRequest,
    api: Option<&ResourceServer>,
    session: &Session,
    user: &User,
    script_result: &portcullis_core::scripts::ScriptResult,
    mfa: bool,
) -> PageResult {
    let now = app.now();
    let mut out: Vec<(String, String)> = Vec::new();
    // The organization's entry decided again, and the membership made now
    // if due (after the scripts and any second factor passed).
    let org = match crate::http::pages::organization::join(app, client, req, user).await? {
        Ok(Some(o)) => Some(app.issuance().org_claims(&o).await?),
        Ok(None) => None,
        Err(res) => return Ok(res),
    };
    // Back-channel logout: the session's end will be told to this
    // application (recorded only where it registered a URL).
    if !client.backchannel_logout_urls().is_empty() {
        app.store
            .record_session_client(&session.id, &client.client_id, now)
            .await?;
    }
    // RFC 8628: the device's login approves the device; nothing goes back
    // through the browser.
    if let Some(device) = &req.device {
        let grant = code_grant(client, req, session, user, script_result, mfa);
        let state = req.state.as_deref();
        return crate::http::pages::device::approve(app, client, device, state, &grant).await;
    }
    let code_value = match req.response_type.code {
        true => {
            let grant = code_grant(client, req, session, user, script_result, mfa);
            let code = park_code(app, &grant, now).await?;
            out.push(("code".into(), code.clone()));
            Some(code)
        }
        false => None,
    };
    let permissions = if req.response_type.token {
        app.issuance()
            .permissions_in(&user.user_id, api, req.organization.as_deref())
            .await?
    } else {
        Vec::new()
    };
    let browser = BrowserTokens {
        client,
        user,
        api,
        session,
        scripts: script_result,
        code: code_value.as_deref(),
        mfa,
        permissions,
        org,
        now,
    };
    out.extend(browser_tokens(app, req, browser));
    if let Some(s) = &req.state {
        out.push(("state".into(), s.clone()));
    }
    Ok(deliver(app, &req.redirect_uri, req.response_mode, out))
}

/// The post-login Rules and Actions of a browser flow (`oidc-basic-profile`,
/// or `oidc-implicit-profile` when tokens come back from `/authorize`).
async fn browser_scripts(
    app: &AppState,
    client: &Client,
    req: &AuthorizeRequest,
    session: &Session,
    user: &User,
    request: &RequestInfo,
    organization: Option<&portcullis_core::organizations::Organization>,
) -> Result<portcullis_core::scripts::ScriptResult, ScriptFailure> {
    let rt = &req.response_type;
    let response_type = [
        (rt.code, "code"),
        (rt.id_token, "id_token"),
        (rt.token, "token"),
    ]
    .iter()
    .filter(|(on, _)| *on)
    .map(|(_, n)| *n)
    .collect::<Vec<_>>()
    .join(" ");
    let flow = FlowInfo {
        protocol: if rt.token || rt.id_token {
            "oidc-implicit-profile"
        } else {
            "oidc-basic-profile"
        },
        requested_scopes: &req.scope,
        audience: req.audience.as_deref(),
        redirect_uri: Some(&req.redirect_uri),
        response_type: Some(&response_type),
        session_id: Some(&session.id),
        // Read by `Triggers::post_login` when a script runs.
        roles: &[],
        connection: None,
        mfa_at: session.mfa_at,
        organization,
    };
    let post_login = crate::triggers::PostLogin {
        user,
        client,
        request,
        flow,
    };
    app.triggers().await?.post_login(post_login).await
}

/// What the login decided, as an authorization code (or an approved device
/// code) stands for it.
fn code_grant(
    client: &Client,
    req: &AuthorizeRequest,
    session: &Session,
    user: &User,
    script_result: &portcullis_core::scripts::ScriptResult,
    mfa: bool,
) -> CodeGrant {
    CodeGrant {
        client_id: client.client_id.clone(),
        redirect_uri: req.redirect_uri.clone(),
        user_id: user.user_id.clone(),
        scope: req.scope.clone(),
        audience: req.audience.clone(),
        nonce: req.nonce.clone(),
        code_challenge: req.code_challenge.clone(),
        session_id: session.id.clone(),
        auth_time: session.auth_time,
        auth_time_required: req.max_age.is_some(),
        scripts: script_result.clone(),
        mfa,
        acr: (mfa && req.asks_for_mfa())
            .then(|| portcullis_core::mfa::ACR_MULTI_FACTOR.to_string()),
        organization: req.organization.clone(),
        device: req.device.is_some(),
    }
}

/// Stores an authorization code (RFC 6749 §4.1.2) for `grant`; returns the
/// code (only its hash is kept).
async fn park_code(app: &AppState, grant: &CodeGrant, now: i64) -> Result<String, StoreError> {
    let code = portcullis_core::random::url_token();
    app.store
        .insert_authorization_code(
            portcullis_store::NewAuthorizationCode {
                code_hash: &hash_secret(&code),
                grant,
                expires_at: now + CODE_LIFETIME,
            },
            now,
        )
        .await?;
    Ok(code)
}

/// What a browser response's tokens are about.
struct BrowserTokens<'a> {
    client: &'a Client,
    user: &'a User,
    api: Option<&'a ResourceServer>,
    session: &'a Session,
    scripts: &'a portcullis_core::scripts::ScriptResult,
    /// The code issued beside them (`c_hash`, hybrid flow).
    code: Option<&'a str>,
    /// The user's permissions for `api` when it enforces RBAC.
    permissions: Vec<String>,
    /// The login passed a second factor (`amr`).
    mfa: bool,
    org: Option<portcullis_core::organizations::OrgClaims>,
    now: i64,
}

/// The implicit and hybrid response's tokens (OpenID Connect Core §3.2, §3.3),
/// as response parameters.
fn browser_tokens(
    app: &AppState,
    req: &AuthorizeRequest,
    b: BrowserTokens<'_>,
) -> Vec<(String, String)> {
    let mut out = Vec::new();
    let (client, user, api, session, now) = (b.client, b.user, b.api, b.session, b.now);
    let (script_result, code_value) = (b.scripts, b.code);
    if req.response_type.token || req.response_type.id_token {
        let issuer = app.issuance();
        let plan = issuance::plan(UserGrant {
            browser_flow: true,
            permissions: b.permissions,
            org: b.org,
            id_token: req.response_type.id_token.then(|| IdTokenRequest {
                scope: &req.scope,
                nonce: req.nonce.clone(),
                sid: Some(&session.id),
                auth_time: req.max_age.map(|_| session.auth_time),
                code: code_value,
                amr: b.mfa.then_some(portcullis_core::mfa::AMR_MFA),
                acr: (b.mfa && req.asks_for_mfa())
                    .then_some(portcullis_core::mfa::ACR_MULTI_FACTOR),
            }),
            ..issuer.user_grant(client, user, api, &req.scope, script_result, now)
        });
        // OpenID Connect Core §3.3.2.11: `at_hash` only beside an access token.
        let id_token = if req.response_type.token {
            let signed = issuer.sign(plan, api, client);
            out.push(("access_token".into(), signed.access_token));
            out.push(("token_type".into(), "Bearer".into()));
            out.push((
                "expires_in".into(),
                (signed.access.exp - signed.access.iat).to_string(),
            ));
            if !signed.access.scope.is_empty() {
                out.push(("scope".into(), signed.access.scope.clone()));
            }
            signed.id_token
        } else {
            issuer.sign_id_only(&plan, client)
        };
        if let Some(id) = id_token {
            out.push(("id_token".into(), id));
        }
    }
    out
}

/// Where a browser request came from, for scripts' `event.request`.
pub fn request_info(
    peer: crate::http::client_addr::ClientAddr,
    headers: &axum::http::HeaderMap,
    method: &str,
    query: serde_json::Map<String, serde_json::Value>,
) -> RequestInfo {
    let header = |h: axum::http::HeaderName| {
        headers
            .get(h)
            .and_then(|v| v.to_str().ok())
            .map(str::to_string)
    };
    RequestInfo {
        ip: peer.text(),
        hostname: header(axum::http::header::HOST).unwrap_or_default(),
        user_agent: header(axum::http::header::USER_AGENT),
        method: method.into(),
        query,
        body: Default::default(),
    }
}

/// An authorization request's parameters as Auth0 shows them in
/// `event.request.query`.
pub fn authorize_query(req: &AuthorizeRequest) -> serde_json::Map<String, serde_json::Value> {
    let mut q = serde_json::Map::new();
    q.insert("client_id".into(), req.client_id.clone().into());
    q.insert("redirect_uri".into(), req.redirect_uri.clone().into());
    q.insert("scope".into(), req.scope.join(" ").into());
    if let Some(a) = &req.audience {
        q.insert("audience".into(), a.clone().into());
    }
    q
}

/// A script failure as the error a browser flow returns to the app: Auth0's
/// `access_denied` with the reason, or `temporarily_unavailable` when the
/// sandbox is full.
pub fn script_error_redirect(req: &AuthorizeRequest, f: &ScriptFailure) -> ErrorRedirect {
    let code = if f.is_busy() {
        AuthorizeErrorCode::TemporarilyUnavailable
    } else {
        AuthorizeErrorCode::AccessDenied
    };
    ErrorRedirect::to(req, code, f.to_string())
}

/// Sends an error back to the client.
/// Marks a response that carries an error to the application (for audit).
#[derive(Debug, Clone, Copy)]
pub struct AuthorizationError;

pub fn deliver_error(app: &AppState, e: ErrorRedirect) -> Response {
    let mut res = deliver_error_inner(app, e);
    res.extensions_mut().insert(AuthorizationError);
    res
}

fn deliver_error_inner(app: &AppState, e: ErrorRedirect) -> Response {
    let mut out = vec![
        ("error".to_string(), e.error.as_str().to_string()),
        ("error_description".to_string(), e.description),
    ];
    if let Some(s) = e.state {
        out.push(("state".into(), s));
    }
    deliver(app, &e.redirect_uri, e.response_mode, out)
}

/// RFC 6749 §4.1.2 / §4.2.2, OAuth 2.0 Form Post Response Mode, and Auth0's
/// web_message: the response parameters to a validated redirect URI.
pub fn deliver(
    app: &AppState,
    redirect_uri: &str,
    mode: ResponseMode,
    params: Vec<(String, String)>,
) -> Response {
    let encoded = || {
        form_urlencoded::Serializer::new(String::new())
            .extend_pairs(&params)
            .finish()
    };
    match mode {
        ResponseMode::Query => {
            let sep = if redirect_uri.contains('?') { '&' } else { '?' };
            crate::http::found(&format!("{redirect_uri}{sep}{}", encoded()))
        }
        ResponseMode::Fragment => crate::http::found(&format!("{redirect_uri}#{}", encoded())),
        ResponseMode::FormPost => {
            let nonce = portcullis_core::random::url_token();
            let origin = origin_of(redirect_uri).unwrap_or_default();
            let csp = format!(
                "default-src 'none'; script-src 'nonce-{nonce}'; form-action {origin}; frame-ancestors 'none'; base-uri 'none'"
            );
            match app.pages.render(
                "form_post.html",
                minijinja::context! { action => redirect_uri, params => minijinja::Value::from(minijinja::value::Serde(&params)), nonce => nonce },
            ) {
                Some(html) => with_headers(StatusCode::OK, html, &csp),
                None => StatusCode::INTERNAL_SERVER_ERROR.into_response(),
            }
        }
        ResponseMode::WebMessage => {
            let nonce = portcullis_core::random::url_token();
            let origin = origin_of(redirect_uri).unwrap_or_default();
            let response: serde_json::Map<String, serde_json::Value> =
                params.into_iter().map(|(k, v)| (k, v.into())).collect();
            let message = json!({"type": "authorization_response", "response": response});
            // This page lives in the application's hidden iframe: only its origin
            // may frame it, and only its origin receives the message.
            let csp = format!(
                "default-src 'none'; script-src 'nonce-{nonce}'; frame-ancestors {origin}; base-uri 'none'"
            );
            match app.pages.render(
                "web_message.html",
                minijinja::context! { message => minijinja::Value::from(minijinja::value::Serde(&message)), origin => origin, nonce => nonce },
            ) {
                Some(html) => with_headers(StatusCode::OK, html, &csp),
                None => StatusCode::INTERNAL_SERVER_ERROR.into_response(),
            }
        }
    }
}
