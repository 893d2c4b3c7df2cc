//! RFC 6749 §4.1.3–4.1.4 at `/oauth/token`: an authorization code for tokens.
//! The store redeems the code once (`redeem_authorization_code`);
//! `protocol/authorization_code::check` decides whether this request may use
//! it; `issuance` issues what the login decided (its scripts' results came
//! with the code).
//!
//! Invariant (RFC 6749 §4.1.2, RFC 9700 §4.5): a replayed code revokes every
//! token its first redemption issued, the refresh-token family too, even when
//! the replay races that redemption.

use axum::response::{IntoResponse, Response};
use portcullis_core::clients::{Client, GrantType};
use portcullis_core::issuance::{IdTokenRequest, UserGrant};
use portcullis_core::protocol::authorization_code::{self, CodeGrant, CodeRequest};
use portcullis_core::protocol::dpop::{self, Proof};
use portcullis_core::protocol::errors::{TokenError, TokenErrorCode};
use portcullis_core::protocol::refresh_token as rt;
use portcullis_core::resource_servers::{self, ResourceServer};
use portcullis_core::secrets::hash_secret;
use portcullis_core::users::User;
use portcullis_store::{Redemption, StoreError};

use crate::app::AppState;
use crate::audit::{Code, Event};
use crate::http::errors::TokenEndpointError;
use crate::issuance::{FamilyStart, TokenResponse};

/// What is redeemed: an authorization code with the token request's
/// `redirect_uri` and verifier, or an approved device code (RFC 8628 §3.4),
/// which stands for the same stored grant.
#[derive(Clone, Copy)]
pub enum Redeeming<'a> {
    Code(&'a CodeRequest),
    Device,
}

impl Redeeming<'_> {
    /// The audit codes of a success and of a refusal (Auth0's).
    fn codes(self) -> (Code, Code) {
        match self {
            Redeeming::Code(_) => (Code::Seacft, Code::Feacft),
            Redeeming::Device => (Code::Sede, Code::Fede),
        }
    }

    /// What a refused redemption says.
    fn invalid(self) -> &'static str {
        match self {
            Redeeming::Code(_) => "Invalid authorization code",
            Redeeming::Device => "Invalid or expired device code.",
        }
    }
}

/// A refused redemption: `feacft` (`fede`), then `invalid_grant` with
/// `description`.
async fn refused(
    app: &AppState,
    client: &Client,
    what: Redeeming<'_>,
    description: &'static str,
) -> TokenEndpointError {
    app.audit(Event::new(what.codes().1, description).client(client))
        .await;
    TokenError::new(TokenErrorCode::InvalidGrant, description).into()
}

pub async fn exchange(
    app: &AppState,
    client: &Client,
    req: CodeRequest,
    proof: Option<&Proof>,
) -> Result<Response, TokenEndpointError> {
    client.require_grant(GrantType::AuthorizationCode)?;
    if crate::http::member_sign_in::is_dashboard(client) {
        return crate::http::member_sign_in::exchange(app, client, req).await;
    }
    // An application that requires DPoP is refused before its code is
    // spent (the API's requirement is known only from the code).
    dpop::confirmation(proof, client, None)?;
    let code_hash = hash_secret(&req.code);
    redeem_grant(app, client, Redeeming::Code(&req), &code_hash, proof).await
}

/// Redeems the grant stored under `code_hash` once and issues what the
/// login decided: the one issuing path of the code and device grants.
pub async fn redeem_grant(
    app: &AppState,
    client: &Client,
    what: Redeeming<'_>,
    code_hash: &str,
    proof: Option<&Proof>,
) -> Result<Response, TokenEndpointError> {
    let now = app.now();
    let (grant, user, api) = redeem(app, client, what, code_hash, now).await?;
    // RFC 9449 §5: the tokens are bound to the proof's key; an API that
    // requires DPoP refuses unbound ones.
    let cnf = dpop::confirmation(proof, client, api.as_ref())?;
    // The login's Rules and Actions already ran; their decisions came with the code.
    let issuer = app.issuance();
    let org_id = grant.organization.as_deref();
    // The member may have been removed, or the organization deleted, since
    // the login: then the code no longer stands.
    let Ok(in_org) = issuer.organization(org_id, &user.user_id).await? else {
        let why = "The organization of this authorization code no longer admits the user";
        return Err(refused(app, client, what, why).await);
    };
    let permissions = issuer
        .permissions_in(&user.user_id, api.as_ref(), org_id)
        .await?;
    let plan = UserGrant {
        cnf,
        permissions,
        org: in_org.map(|(_, claims)| claims),
        id_token: grant
            .scope
            .iter()
            .any(|s| s == "openid")
            .then(|| IdTokenRequest {
                scope: &grant.scope,
                nonce: grant.nonce.clone(),
                sid: Some(&grant.session_id),
                auth_time: grant.auth_time_required.then_some(grant.auth_time),
                code: None,
                amr: grant.mfa.then_some(portcullis_core::mfa::AMR_MFA),
                acr: grant.acr.as_deref(),
            }),
        ..issuer.user_grant(
            client,
            &user,
            api.as_ref(),
            &grant.scope,
            &grant.scripts,
            now,
        )
    };
    let family = rt::may_issue(&grant.scope, client, api.as_ref()).then_some(FamilyStart {
        client,
        user_id: &user.user_id,
        session_id: Some(&grant.session_id),
        audience: grant.audience.as_deref(),
        scope: &grant.scope,
        now,
        organization_id: org_id,
        dpop_jkt: dpop::refresh_binding(client, proof),
    });
    // If the code was replayed while this redemption ran, nothing of it was
    // stored or signed: answer as the replay did.
    let Some((signed, refresh)) = issuer.issue_code_grant(plan, family, code_hash).await? else {
        return Err(refused(app, client, what, what.invalid()).await);
    };
    let description = match what {
        Redeeming::Code(_) => "Authorization Code for Access Token",
        Redeeming::Device => "Device Code for Access Token",
    };
    let e = Event::new(what.codes().0, description)
        .client(client)
        .user(&user);
    app.audit(e).await;
    Ok(TokenResponse::from_signed(signed, refresh.map(|r| r.token)).into_response())
}

/// Redeems the code once and checks it for this request (client, redirect
/// URI, PKCE, expiry); the grant it stood for, its user and API.
async fn redeem(
    app: &AppState,
    client: &Client,
    what: Redeeming<'_>,
    code_hash: &str,
    now: i64,
) -> Result<(CodeGrant, User, Option<ResourceServer>), TokenEndpointError> {
    let invalid = what.invalid();
    let (grant, expires_at) = match app.store.redeem_authorization_code(code_hash, now).await? {
        Redemption::Redeemed { grant, expires_at } => (*grant, expires_at),
        Redemption::Replayed {
            issued_jti,
            issued_family,
        } => {
            revoke_code_tokens(app, issued_jti.as_deref(), issued_family.as_deref()).await?;
            return Err(refused(app, client, what, invalid).await);
        }
        Redemption::Unknown => return Err(refused(app, client, what, invalid).await),
    };
    let checked = match what {
        Redeeming::Code(req) => {
            authorization_code::check(&grant, expires_at, req, &client.client_id, now)
        }
        Redeeming::Device => {
            authorization_code::check_device(&grant, expires_at, &client.client_id, now)
        }
    };
    if let Err(e) = checked {
        let mut event = Event::new(what.codes().1, &e.description);
        event.client_id = Some(&client.client_id);
        event.user_id = Some(&grant.user_id);
        app.audit(event).await;
        return Err(e.into());
    }
    let Some((user, _)) = app.store.get_user(&grant.user_id).await? else {
        return Err(refused(app, client, what, invalid).await);
    };
    if user.blocked {
        return Err(TokenError::new(TokenErrorCode::InvalidGrant, "user is blocked").into());
    }
    let api = match &grant.audience {
        Some(a) => match app.api(a).await? {
            Some(api) => Some(api),
            None => {
                let why = "The API of this authorization code no longer exists";
                return Err(refused(app, client, what, why).await);
            }
        },
        None => None,
    };
    Ok((grant, user, api))
}

/// Revokes the access token (by `jti`) and the refresh-token family issued from
/// a code that has been replayed.
async fn revoke_code_tokens(
    app: &AppState,
    jti: Option<&str>,
    family: Option<&str>,
) -> Result<(), StoreError> {
    let now = app.now();
    if let Some(jti) = jti {
        app.store
            .revoke_token_id(jti, now + resource_servers::MAX_TOKEN_LIFETIME)
            .await?;
    }
    if let Some(family) = family {
        app.store.revoke_refresh_family(family, now).await?;
    }
    Ok(())
}
