//! Refresh tokens at the token endpoint (`grant_type=refresh_token`) and their
//! revocation (`POST /oauth/revoke`, RFC 7009).
//!
//! Invariants:
//! - Every refresh of a grant that included `openid` returns a fresh ID token
//!   (same `sub` and `sid`, profile claims re-read, no `nonce`): auth0-spa-js
//!   rejects a token response without one (seed 000's complaint).
//! - A request refused before the exchange (another client's token, a wider scope,
//!   a blocked user) changes nothing stored.
//! - Reuse of a spent rotating token outside the leeway revokes its whole family.

use axum::body::Body;
use axum::extract::State;
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use portcullis_core::clients::{Client, GrantType};
use portcullis_core::issuance::{IdTokenRequest, UserGrant};
use portcullis_core::protocol::dpop::{self, Proof};
use portcullis_core::protocol::errors::{TokenError, TokenErrorCode};
use portcullis_core::protocol::refresh_token as rt;
use portcullis_core::protocol::refresh_token::Exchange;
use portcullis_core::resource_servers::ResourceServer;
use portcullis_core::secrets::{Secret, hash_secret};
use portcullis_core::users::User;
use portcullis_store::{Fresh, RefreshToken};

use portcullis_core::scripts::{FlowInfo, RequestInfo};

use crate::app::AppState;
use crate::audit::{Code, Event};
use crate::http::errors::TokenEndpointError;
use crate::issuance::TokenResponse;

async fn log(
    app: &AppState,
    event_type: crate::audit::Code,
    description: &str,
    client: &Client,
    user_id: Option<&str>,
) {
    app.audit(Event {
        client_id: Some(&client.client_id),
        client_name: Some(&client.name),
        user_id,
        ..Event::new(event_type, description)
    })
    .await;
}

/// A refused refresh: `fertft`, then Auth0's one `invalid_grant` text.
async fn refused(
    app: &AppState,
    client: &Client,
    description: &'static str,
    user: Option<&str>,
) -> TokenEndpointError {
    log(app, Code::Fertft, description, client, user).await;
    rt::invalid().into()
}

/// What a presented token stands for, loaded and checked by everything that
/// changes nothing (the client, a narrower scope, a live user, its API).
struct Presented {
    stored: RefreshToken,
    read: rt::Presented,
    original: Vec<String>,
    scope: Vec<String>,
    user: User,
    api: Option<ResourceServer>,
}

async fn load(
    app: &AppState,
    client: &Client,
    token_hash: &str,
    requested_scope: Option<&[String]>,
) -> Result<Presented, TokenEndpointError> {
    let Some((stored, read)) = app.store.present_refresh_token(token_hash).await? else {
        return Err(refused(app, client, "Unknown refresh token", None).await);
    };
    if stored.client_id != client.client_id {
        return Err(refused(app, client, "Refresh token of another client", None).await);
    }
    let original: Vec<String> = portcullis_core::scope::parse(&stored.scope);
    let scope = rt::narrow_scope(&original, requested_scope)?;
    let Some((user, _)) = app.store.get_user(&stored.user_id).await? else {
        return Err(refused(app, client, "The user no longer exists", None).await);
    };
    if user.blocked {
        log(
            app,
            Code::Fertft,
            "user is blocked",
            client,
            Some(&user.user_id),
        )
        .await;
        return Err(TokenError::new(TokenErrorCode::InvalidGrant, "user is blocked").into());
    }
    let api = match &stored.audience {
        Some(a) => match app.api(a).await? {
            Some(api) => Some(api),
            None => {
                let why = "The API of this refresh token no longer exists";
                return Err(refused(app, client, why, Some(&user.user_id)).await);
            }
        },
        None => None,
    };
    Ok(Presented {
        stored,
        read,
        original,
        scope,
        user,
        api,
    })
}

/// Read → decide (`protocol::refresh_token::decide`) → apply; a concurrent
/// exchange that changed the token first makes the write a no-op, and the
/// token is read and decided again. Returns the new refresh token, if any.
async fn exchange_token(
    app: &AppState,
    client: &Client,
    p: &Presented,
    token_hash: &str,
    now: i64,
) -> Result<Option<String>, TokenEndpointError> {
    let cfg = &client.refresh_token;
    let token = portcullis_core::random::url_token();
    let fresh = Fresh {
        id: format!("rt_{}", portcullis_core::random::alphanumeric(24)),
        token_hash: hash_secret(&token),
    };
    let mut current = (p.stored.clone(), p.read);
    let decision = loop {
        let decision = rt::decide(Some(&current.1), cfg, now);
        if app
            .store
            .apply_refresh_exchange(&current.0, decision, &fresh, now)
            .await?
        {
            break decision;
        }
        match app.store.present_refresh_token(token_hash).await? {
            Some(again) => current = again,
            None => break Exchange::Invalid,
        }
    };
    let user_id = p.user.user_id.as_str();
    match decision {
        Exchange::Renew { .. } => Ok(None),
        Exchange::Rotate { .. } => Ok(Some(token)),
        Exchange::Switch { .. } => {
            let limit = crate::issuance::MAX_FAMILIES_PER_USER_AND_CLIENT;
            app.store
                .enforce_refresh_token_limit(user_id, &client.client_id, limit, now)
                .await?;
            Ok(Some(token))
        }
        Exchange::Reuse => {
            let why = "Reused rotating refresh token: the token family was revoked";
            log(app, Code::Ferrt, why, client, Some(user_id)).await;
            tracing::warn!(client_id = %client.client_id, "refresh token reuse detected; family revoked");
            Err(rt::invalid().into())
        }
        Exchange::Invalid => {
            let why = "Expired, revoked or spent refresh token";
            Err(refused(app, client, why, Some(user_id)).await)
        }
    }
}

/// `grant_type=refresh_token` (RFC 6749 §6).
pub async fn exchange(
    app: &AppState,
    client: &Client,
    presented: Secret,
    requested_scope: Option<Vec<String>>,
    request: &RequestInfo,
    proof: Option<&Proof>,
) -> Result<Response, TokenEndpointError> {
    client.require_grant(GrantType::RefreshToken)?;
    let now = app.now();
    let token_hash = hash_secret(presented.expose());
    let p = load(app, client, &token_hash, requested_scope.as_deref()).await?;
    // RFC 9449 §5: a bound family is refreshed only with its key; checked
    // before anything is spent.
    if let Err(e) = dpop::check_refresh(p.stored.dpop_jkt.as_deref(), proof) {
        log(
            app,
            Code::Fertft,
            &e.description,
            client,
            Some(&p.user.user_id),
        )
        .await;
        return Err(e.into());
    }
    let cnf = dpop::confirmation(proof, client, p.api.as_ref())?;
    // Auth0 runs post-login Actions on every refresh (protocol
    // `oauth2-refresh-token`); they run before the exchange, so a denial leaves
    // the token unspent.
    // A token issued in an organization stays in it, and stands only while
    // the organization exists and the user is a member of it.
    let issuer = app.issuance();
    let org_id = p.stored.organization_id.as_deref();
    let Ok(in_org) = issuer.organization(org_id, &p.user.user_id).await? else {
        let why = "The organization of this refresh token no longer admits the user";
        return Err(refused(app, client, why, Some(&p.user.user_id)).await);
    };
    let flow = FlowInfo {
        protocol: "oauth2-refresh-token",
        requested_scopes: &p.scope,
        audience: p.stored.audience.as_deref(),
        session_id: p.stored.session_id.as_deref(),
        organization: in_org.as_ref().map(|(o, _)| o),
        ..Default::default()
    };
    let post_login = crate::triggers::PostLogin {
        user: &p.user,
        client,
        request,
        flow,
    };
    let scripts = super::grant_scripts::post_login_scripts(app, Code::Fertft, post_login).await?;
    // A script that asks for a second factor on a refresh cannot have it
    // here: refused, the token unspent (Auth0 answers the same; its SDKs then
    // send the user through /authorize). Scripts skip MFA for this protocol.
    if scripts.multifactor.is_some() {
        let why = "Multifactor authentication required";
        log(app, Code::Fertft, why, client, Some(&p.user.user_id)).await;
        return Err(TokenError::new(TokenErrorCode::MfaRequired, why).into());
    }
    let next_token = exchange_token(app, client, &p, &token_hash, now).await?;
    // RBAC is read again at every refresh: a permission taken away is gone
    // from the next access token, not only from the next login.
    let permissions = issuer
        .permissions_in(&p.user.user_id, p.api.as_ref(), org_id)
        .await?;
    let grant = UserGrant {
        cnf,
        gty: Some("refresh_token"),
        permissions,
        org: in_org.map(|(_, claims)| claims),
        // A new ID token on every refresh of an `openid` grant (see above).
        id_token: p
            .original
            .iter()
            .any(|s| s == "openid")
            .then(|| IdTokenRequest {
                scope: &p.scope,
                sid: p.stored.session_id.as_deref(),
                ..Default::default()
            }),
        ..issuer.user_grant(client, &p.user, p.api.as_ref(), &p.scope, &scripts, now)
    };
    let (signed, _) = issuer.issue_user_grant(grant, None).await?;
    let done = "Successful exchange of refresh token";
    log(app, Code::Sertft, done, client, Some(&p.user.user_id)).await;
    Ok(TokenResponse::from_signed(signed, next_token).into_response())
}

/// `POST /oauth/revoke` (RFC 7009, Auth0's shape): revokes the refresh token's
/// family. Unknown tokens answer 200 too (RFC 7009 §2.2), so the endpoint tells
/// nothing about which tokens exist.
pub async fn revoke(
    State(app): State<AppState>,
    headers: HeaderMap,
    body: Body,
) -> Result<Response, TokenEndpointError> {
    let (params, client) = super::client_auth::authenticated_request(&app, &headers, body).await?;
    let Some(token) = params.get("token") else {
        return Err(TokenError::invalid_request("Missing required parameter: token").into());
    };
    if let Some(t) = app.store.find_refresh_token(&hash_secret(token)).await?
        && t.client_id == client.client_id
    {
        app.store
            .revoke_refresh_family(&t.family_id, app.now())
            .await?;
        log(
            &app,
            crate::audit::Code::Srrt,
            "Successful refresh token revocation",
            &client,
            Some(&t.user_id),
        )
        .await;
    }
    Ok((StatusCode::OK, "").into_response())
}
