//! The dashboard's sign-in: dashboard members (`portcullis_core::members`) sign
//! in through the hosted login page with the authorization-code flow and PKCE,
//! like any single-page application, but as the built-in dashboard client and
//! against the members table, never the users.
//!
//! Invariants:
//! - The dashboard client is built in (`client`), never stored: no Management
//!   API call can change where its codes go, so an editor cannot redirect an
//!   administrator's sign-in to take the administrator's scopes.
//! - A member's session is its own cookie (`MEMBER_SESSION`) and table; signing
//!   in to the dashboard signs nobody in to an application, and an end user's
//!   session never reaches the dashboard. No Rule or Action runs for a member.
//! - A member's token (`gty: dashboard`, `sub: member|…`) carries the scopes of
//!   the member's role at sign-in; the Management API checks the role again at
//!   every request (`http/management::Caller`).

use axum::http::{HeaderMap, HeaderValue, header};
use axum::response::{IntoResponse, Response};
use portcullis_core::clients::Client;
use portcullis_core::members::{self, DASHBOARD_CLIENT_ID as CLIENT_ID, Member, Role};
use portcullis_core::protocol::authorization_code::{self, CODE_LIFETIME, CodeGrant, CodeRequest};
use portcullis_core::protocol::authorize::{AuthorizeErrorCode, AuthorizeRequest, ErrorRedirect};
use portcullis_core::protocol::errors::{TokenError, TokenErrorCode};
use portcullis_core::secrets::{Secret, hash_secret};
use portcullis_store::{MemberSession, Redemption};

use crate::app::AppState;
use crate::audit::{Code, Event};
use crate::brute_force;
use crate::http::client_addr::ClientAddr;
use crate::http::cookies;
use crate::http::errors::TokenEndpointError;
use crate::http::flows::{self, PageResult};

/// The dashboard session's cookie.
pub const MEMBER_SESSION: &str = "portcullis_member";
/// A dashboard session lasts at most this long from sign-in.
pub const SESSION_LIFETIME: i64 = 12 * 3600;
/// A member's Management API token lives an hour; the dashboard signs in again
/// silently (through its session) when it expires.
pub const TOKEN_LIFETIME: i64 = 3600;
/// What a member's token says it came from (`gty`).
pub const GRANT_MARKER: &str = "dashboard";

/// Whether `client` is the dashboard.
pub fn is_dashboard(client: &Client) -> bool {
    client.client_id == CLIENT_ID
}

/// The member whose live dashboard session the browser's cookie names.
async fn current_member(
    app: &AppState,
    headers: &HeaderMap,
) -> Result<Option<(MemberSession, Member)>, portcullis_store::StoreError> {
    let Some(token) = cookies::get(headers, MEMBER_SESSION) else {
        return Ok(None);
    };
    let Some(session) = app
        .store
        .find_member_session(&hash_secret(&token), app.now())
        .await?
    else {
        return Ok(None);
    };
    Ok(app
        .store
        .get_member(&session.member_id)
        .await?
        .map(|m| (session, m)))
}

/// `/authorize` for the dashboard: only a code with PKCE for the Management
/// API; at once for a live dashboard session, else through the login page.
pub async fn authorize(
    app: &AppState,
    headers: &HeaderMap,
    peer: ClientAddr,
    client: &Client,
    req: AuthorizeRequest,
) -> PageResult {
    let refuse = |code, why: &str| {
        Ok(flows::deliver_error(
            app,
            ErrorRedirect::to(&req, code, why),
        ))
    };
    if !req.response_type.code || req.response_type.token || req.response_type.id_token {
        return refuse(
            AuthorizeErrorCode::UnsupportedResponseType,
            "The dashboard uses response_type=code.",
        );
    }
    if req.code_challenge.is_none() {
        return refuse(
            AuthorizeErrorCode::InvalidRequest,
            "The dashboard's sign-in needs PKCE (code_challenge).",
        );
    }
    if req.audience.as_deref() != Some(app.management_audience.as_str()) {
        return refuse(
            AuthorizeErrorCode::InvalidRequest,
            "The dashboard's sign-in is for the Management API audience.",
        );
    }
    let forced = req.prompt.login || req.max_age == Some(0);
    match current_member(app, headers).await? {
        Some((session, member)) if !forced => {
            issue_code(app, client, &req, &session, &member).await
        }
        _ if req.prompt.none => refuse(
            AuthorizeErrorCode::LoginRequired,
            "Sign in to the dashboard.",
        ),
        _ => flows::start_login(app, headers, peer, &req, false).await,
    }
}

/// Parks a code for `member` and answers the dashboard with it.
async fn issue_code(
    app: &AppState,
    client: &Client,
    req: &AuthorizeRequest,
    session: &MemberSession,
    member: &Member,
) -> PageResult {
    let now = app.now();
    let code = portcullis_core::random::url_token();
    let grant = CodeGrant {
        client_id: client.client_id.clone(),
        redirect_uri: req.redirect_uri.clone(),
        user_id: member.subject(),
        scope: req.scope.clone(),
        audience: req.audience.clone(),
        nonce: req.nonce.clone(),
        code_challenge: req.code_challenge.clone(),
        session_id: session.id.clone(),
        auth_time: session.auth_time,
        auth_time_required: false,
        scripts: Default::default(),
        mfa: false,
        acr: None,
        organization: None,
        device: false,
    };
    app.store
        .insert_authorization_code(
            portcullis_store::NewAuthorizationCode {
                code_hash: &hash_secret(&code),
                grant: &grant,
                expires_at: now + CODE_LIFETIME,
            },
            now,
        )
        .await?;
    let mut out = vec![("code".to_string(), code)];
    if let Some(s) = &req.state {
        out.push(("state".into(), s.clone()));
    }
    Ok(flows::deliver(
        app,
        &req.redirect_uri,
        req.response_mode,
        out,
    ))
}

/// The login page's form for the dashboard: the member's password under the
/// same brute-force limits as users' (counted apart from a user with the same
/// address), then a dashboard session and the code.
pub async fn sign_in(
    app: &AppState,
    tx_id: &str,
    client: &Client,
    req: &AuthorizeRequest,
    email: &str,
    password: Secret,
    peer: &ClientAddr,
) -> Result<Result<Response, SignInRefused>, portcullis_store::StoreError> {
    let ip = peer.text();
    let now = app.now();
    let attempt =
        match brute_force::reserve(&app.store, now, Some(&format!("member:{email}")), &ip).await? {
            Ok(a) => a,
            Err(block) => return Ok(Err(SignInRefused::Blocked(block))),
        };
    let found = app.store.find_member_by_email(email).await?;
    let (member, hash) = match found {
        Some((m, h)) => (Some(m), Some(h)),
        None => (None, None),
    };
    let member = match (member, app.verify_password(password, hash).await) {
        (Some(m), true) => m,
        (m, _) => {
            if brute_force::failed(&app.store, app.now(), attempt)
                .await?
                .is_some()
            {
                tracing::warn!(ip = %ip, "dashboard sign-in blocked after repeated failures");
            }
            let e = Event {
                client_id: Some(CLIENT_ID),
                user_name: Some(email),
                ip: Some(&ip),
                ..Event::new(
                    if m.is_some() { Code::Fp } else { Code::Fu },
                    "Dashboard member: wrong email or password.",
                )
            };
            app.audit(e).await;
            return Ok(Err(SignInRefused::Wrong));
        }
    };
    brute_force::succeeded(&app.store, attempt).await?;
    if !app.store.take_login_transaction(tx_id).await? {
        return Ok(Err(SignInRefused::Expired));
    }
    let token = portcullis_core::random::url_token();
    let session = MemberSession {
        id: portcullis_core::random::alphanumeric(32),
        member_id: member.id.clone(),
        auth_time: now,
        expires_at: now + SESSION_LIFETIME,
    };
    app.store
        .create_member_session(&hash_secret(&token), &session)
        .await?;
    app.store.record_member_login(&member.id, now).await?;
    let subject = member.subject();
    let e = Event {
        client_id: Some(CLIENT_ID),
        client_name: Some(&client.name),
        user_id: Some(&subject),
        user_name: Some(&member.email),
        ip: Some(&ip),
        ..Event::new(Code::S, "Dashboard member signed in")
    };
    app.audit(e).await;
    let cookie = cookies::set(
        MEMBER_SESSION,
        &token,
        SESSION_LIFETIME,
        &cookies::scope(app),
        false,
    );
    let mut res = match issue_code(app, client, req, &session, &member).await {
        Ok(r) => r,
        Err(e) => e.into_response(),
    };
    if let Ok(v) = HeaderValue::from_str(&cookie) {
        res.headers_mut().append(header::SET_COOKIE, v);
    }
    Ok(Ok(res))
}

/// Why the dashboard's login form was refused.
pub enum SignInRefused {
    Blocked(brute_force::Block),
    Wrong,
    /// The parked request was used meanwhile (a second tab).
    Expired,
}

/// The token endpoint for the dashboard's code: the member's Management API
/// token, with the scopes of the member's role (those asked for, or all of
/// them), for [`TOKEN_LIFETIME`].
pub async fn exchange(
    app: &AppState,
    client: &Client,
    req: CodeRequest,
) -> Result<Response, TokenEndpointError> {
    let invalid = || TokenError::new(TokenErrorCode::InvalidGrant, "Invalid authorization code");
    let now = app.now();
    let code_hash = hash_secret(&req.code);
    let (grant, expires_at) = match app.store.redeem_authorization_code(&code_hash, now).await? {
        Redemption::Redeemed { grant, expires_at } => (*grant, expires_at),
        Redemption::Replayed { issued_jti, .. } => {
            // RFC 6749 §4.1.2: what the first redemption issued is revoked.
            if let Some(jti) = issued_jti {
                app.store
                    .revoke_token_id(&jti, now + TOKEN_LIFETIME)
                    .await?;
            }
            return Err(invalid().into());
        }
        Redemption::Unknown => return Err(invalid().into()),
    };
    authorization_code::check(&grant, expires_at, &req, &client.client_id, now)?;
    let member = match members::id_of_subject(&grant.user_id) {
        Some(id) => app.store.get_member(id).await?,
        None => None,
    };
    let Some(member) = member else {
        return Err(invalid().into());
    };
    let Some(api) = app.api(&app.management_audience).await? else {
        return Err(invalid().into());
    };
    let scope = member_scope(member.role, &grant.scope);
    let jti = portcullis_core::random::alphanumeric(24);
    if !app
        .store
        .record_code_issuance(&code_hash, &jti, None)
        .await?
    {
        return Err(invalid().into());
    }
    let subject = member.subject();
    let mut access = portcullis_core::tokens::UserAccessToken {
        issuer: app.issuer(),
        user_id: &subject,
        client_id: &client.client_id,
        api: Some(&api),
        scope: &scope,
        permissions: &[],
        now,
        browser_flow: false,
        jti,
    }
    .claims();
    // `claims()` keeps only the current_user scopes in a user's token for the
    // Management API; a member's are its role's, set here and nowhere else.
    access.scope = scope.join(" ");
    access.gty = Some(GRANT_MARKER.into());
    access.exp = now + TOKEN_LIFETIME;
    let plan = portcullis_core::issuance::Plan {
        access,
        id: None,
        refused: Vec::new(),
    };
    let signed = app.issuance().sign(plan, Some(&api), client);
    Ok(crate::issuance::TokenResponse::from_signed(signed, None).into_response())
}

/// The scopes a member's token carries: those of the role that were asked for,
/// or all of the role's when none was.
fn member_scope(role: Role, requested: &[String]) -> Vec<String> {
    let asked: Vec<&String> = requested.iter().filter(|s| s.contains(':')).collect();
    role.scopes()
        .filter(|s| asked.is_empty() || asked.iter().any(|a| a == s))
        .map(str::to_string)
        .collect()
}

/// Ends the browser's dashboard session; the `Set-Cookie` that clears it.
pub async fn end_session(
    app: &AppState,
    headers: &HeaderMap,
) -> Result<String, portcullis_store::StoreError> {
    if let Some(token) = cookies::get(headers, MEMBER_SESSION) {
        app.store.end_member_session(&hash_secret(&token)).await?;
    }
    Ok(cookies::clear(MEMBER_SESSION, &cookies::scope(app)))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_member_gets_the_asked_scopes_of_the_role_or_all_of_them() {
        let v = |s: &str| s.split(' ').map(String::from).collect::<Vec<_>>();
        assert_eq!(
            member_scope(Role::Viewer, &v("openid read:clients update:clients")),
            v("read:clients")
        );
        assert_eq!(
            member_scope(Role::Viewer, &v("openid")).len(),
            Role::Viewer.scopes().count()
        );
    }
}
