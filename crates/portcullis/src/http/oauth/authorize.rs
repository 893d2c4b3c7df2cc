//! `GET /authorize` (RFC 6749 §3.1, OpenID Connect Core §3.1.2): validate, then
//! answer at once for a signed-in browser, or send the person to the login page.

use axum::extract::{RawQuery, State};
use axum::http::{HeaderMap, StatusCode};
use portcullis_core::management;
use portcullis_core::protocol::authorize::{
    self, AuthorizeErrorCode, AuthorizeFailure, AuthorizeRequest, ErrorRedirect,
};
use portcullis_core::protocol::par;
use portcullis_core::protocol::params::Params;
use portcullis_core::protocol::prompt::{self, Decision, SessionState};
use portcullis_core::secrets::hash_secret;

use crate::app::AppState;
use crate::audit::{Code, Event};
use crate::http::client_addr::ClientAddr;
use crate::http::flows::{self, PageResult};
use crate::http::pages::Notice;
use crate::http::pages::Pages as _;
use portcullis_core::resource_servers::ResourceServer;

pub async fn authorize(
    State(app): State<AppState>,
    peer: ClientAddr,
    headers: HeaderMap,
    RawQuery(q): RawQuery,
) -> PageResult {
    // Auth0's SDKs add `auth0Client` (telemetry); it is ignored like any unknown parameter.
    let pairs = form_urlencoded::parse(q.as_deref().unwrap_or("").as_bytes()).into_owned();
    let params = match Params::from_pairs(pairs) {
        Ok(p) => p,
        // A repeated parameter makes the request ambiguous, redirect_uri included:
        // nothing can be trusted enough to redirect to.
        Err(e) => return cannot_sign_in(&app, None, e.to_string()).await,
    };
    let client = match params.get("client_id") {
        Some(id) => app.client(id).await?.map(|(c, _)| c),
        None => None,
    };
    // RFC 9126 §4: a pushed request's parameters, taken once, stand in for
    // the query's; an application that requires them gets nothing else.
    let requires_par = client
        .as_ref()
        .is_some_and(|c| c.require_pushed_authorization_requests);
    let params = match par::source(&params, requires_par) {
        par::Source::Direct => params,
        par::Source::Refused(why) => {
            return cannot_sign_in(&app, client.as_ref(), why.into()).await;
        }
        par::Source::Pushed(reference) => {
            let Some(c) = &client else {
                return cannot_sign_in(
                    &app,
                    None,
                    "Unknown application: no application has this client_id.".into(),
                )
                .await;
            };
            let taken = app
                .store
                .take_pushed_request(&hash_secret(reference), &c.client_id, app.now())
                .await?;
            match taken.map(Params::from_pairs) {
                Some(Ok(pushed)) => pushed,
                _ => {
                    let why = "The request_uri is unknown, expired, already used, or was pushed by another application.";
                    return cannot_sign_in(&app, client.as_ref(), why.into()).await;
                }
            }
        }
    };
    let req = match authorize::validate(&params, client.as_ref()) {
        Ok(r) => r,
        Err(AuthorizeFailure::ShowErrorPage { title, description }) => {
            return cannot_sign_in(&app, client.as_ref(), format!("{title}: {description}")).await;
        }
        Err(AuthorizeFailure::Redirect(e)) => return Ok(flows::deliver_error(&app, e)),
    };
    let Some(client) = client else {
        return cannot_sign_in(
            &app,
            None,
            "Unknown application: no application has this client_id.".into(),
        )
        .await;
    };
    continue_authorization(&app, &headers, peer, &client, req).await
}

/// The error page of a request that cannot be redirected back (RFC 6749
/// §4.1.2.1: not to an unverified redirect URI): a sentence for the person,
/// the way back to the application when it is known, and `detail` (for the
/// application's developers) folded away.
/// With the tenant's `error_page.url` set (Auth0's custom error page), the
/// person goes there instead, with `error` and `error_description`.
async fn cannot_sign_in(
    app: &AppState,
    client: Option<&portcullis_core::clients::Client>,
    detail: String,
) -> PageResult {
    if let Some(url) = app
        .settings()
        .await?
        .error_page_url("invalid_request", &detail)
    {
        return Ok(crate::http::found(&url));
    }
    Ok(app.pages.notice(
        StatusCode::BAD_REQUEST,
        Notice::new(
            "error-page__authorizeTitle",
            "error-page__authorizeDescription",
        )
        .detail(detail)
        .back_to(client),
    ))
}

/// Everything after validation; also where the login and consent pages return to.
/// The API named by `audience` (it must exist), with the scope narrowed to
/// the `current_user` ones at the Management API: a user is never granted its
/// administrative scopes, with or without consent (see `management`).
async fn requested_api(
    app: &AppState,
    req: &mut AuthorizeRequest,
) -> Result<Result<Option<ResourceServer>, Box<ErrorRedirect>>, portcullis_store::StoreError> {
    // Auth0: the tenant's default audience when the request names none.
    if req.audience.is_none() {
        req.audience = app.settings().await?.default_audience;
    }
    let Some(aud) = req.audience.clone() else {
        return Ok(Ok(None));
    };
    let Some(api) = app.api(&aud).await? else {
        let why = format!("Service not found: {aud}");
        return Ok(Err(Box::new(ErrorRedirect::to(
            req,
            AuthorizeErrorCode::AccessDenied,
            why,
        ))));
    };
    // RFC 9449 binds tokens at the token endpoint only: an access token in
    // a browser response (implicit, hybrid) could never be bound.
    let requires_pop = api.proof_of_possession.is_some_and(|p| p.required);
    if req.response_type.token && requires_pop {
        return Ok(Err(Box::new(ErrorRedirect::to(
            req,
            AuthorizeErrorCode::InvalidRequest,
            "This API requires DPoP-bound tokens: use response_type=code",
        ))));
    }
    if api.is_system {
        match management::user_grant_scopes(&req.scope) {
            Ok(scope) => req.scope = scope,
            Err(refused) => {
                let why = refused.to_string();
                return Ok(Err(Box::new(ErrorRedirect::to(
                    req,
                    AuthorizeErrorCode::AccessDenied,
                    why,
                ))));
            }
        }
    }
    Ok(Ok(Some(api)))
}

pub async fn continue_authorization(
    app: &AppState,
    headers: &HeaderMap,
    peer: ClientAddr,
    client: &portcullis_core::clients::Client,
    mut req: AuthorizeRequest,
) -> PageResult {
    if crate::http::member_sign_in::is_dashboard(client) {
        return crate::http::member_sign_in::authorize(app, headers, peer, client, req).await;
    }
    // RFC 9449: an application that requires DPoP gets no access token in
    // a browser response (it could not be bound).
    if client.require_proof_of_possession && req.response_type.token {
        return Ok(flows::deliver_error(
            app,
            ErrorRedirect::to(
                &req,
                AuthorizeErrorCode::InvalidRequest,
                "This application requires DPoP-bound tokens: use response_type=code",
            ),
        ));
    }
    let api = match requested_api(app, &mut req).await? {
        Ok(api) => api,
        Err(refused) => return Ok(flows::deliver_error(app, *refused)),
    };
    use crate::http::pages::organization::{self, Admitted};
    let req = match organization::admit(app, headers, peer, client, req).await? {
        Admitted::Go(req) => *req,
        Admitted::Answer(res) => return Ok(res),
    };
    let session = flows::current_session(app, headers).await?;
    let needs_consent = match &session {
        Some((_, user)) => flows::needs_consent(app, client, &user.user_id, &req).await?,
        None => false,
    };
    let state = session.as_ref().map(|(s, u)| SessionState {
        auth_time: s.auth_time,
        user_blocked: u.blocked,
    });
    match prompt::decide(&req, state, needs_consent, app.now()) {
        Decision::Proceed => match &session {
            Some((s, u)) => {
                let request =
                    flows::request_info(peer, headers, "GET", flows::authorize_query(&req));
                let res =
                    flows::issue(app, client, &req, api.as_ref(), s, u, &request, headers).await;
                // Auth0's `ssa`: signed in through the existing session (single
                // sign-on, or prompt=none).
                if res.as_ref().is_ok_and(|r| {
                    !is_error_redirect(r)
                        && !crate::http::pages::mfa::is_step(r)
                        && !organization::is_selection(r)
                }) {
                    let ip = peer.text();
                    let e = Event::new(Code::Ssa, "Successful silent authentication");
                    app.audit(e.client(client).user(u).ip(&ip)).await;
                }
                res
            }
            None => flows::start_login(app, headers, peer, &req, false).await,
        },
        Decision::Login => flows::start_login(app, headers, peer, &req, false).await,
        Decision::Consent => flows::start_login(app, headers, peer, &req, true).await,
        Decision::Fail(e) => {
            // Auth0's `fsa`: prompt=none could not sign in silently.
            let ip = peer.text();
            let mut event = Event::new(Code::Fsa, &e.description).client(client).ip(&ip);
            event.user_id = session.as_ref().map(|(_, u)| u.user_id.as_str());
            app.audit(event).await;
            Ok(flows::deliver_error(app, e))
        }
    }
}

/// Whether `flows::issue` answered with an error for the app (a denying Rule or
/// Action, a blocked user) rather than with the authorization response.
fn is_error_redirect(res: &axum::response::Response) -> bool {
    res.extensions()
        .get::<flows::AuthorizationError>()
        .is_some()
}
