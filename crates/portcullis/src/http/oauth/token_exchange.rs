//! OAuth 2.0 Token Exchange (RFC 8693) at `/oauth/token`, the modern form of
//! Auth0's `/delegation`: a service holding a user's access token for one API gets
//! one for another API, acting on the user's behalf. The shell checks the
//! subject token (`protocol/bearer`, not revoked, a live user, issued for an API
//! the requester serves) and loads; `protocol/token_exchange` decides.

use axum::response::{IntoResponse, Response};
use portcullis_core::clients::Client;
use portcullis_core::protocol::dpop::{self, Proof};
use portcullis_core::protocol::errors::{TokenError, TokenErrorCode};
use portcullis_core::protocol::token_request::ACCESS_TOKEN_TYPE;
use portcullis_core::protocol::{bearer, token_exchange};
use portcullis_core::secrets::Secret;
use portcullis_core::tokens::{AccessTokenClaims, Audience, userinfo_audience};
use serde_json::json;

use crate::app::AppState;
use crate::audit::Event;
use crate::http::errors::TokenEndpointError;
use crate::issuance::TokenResponse;

/// What an exchange asks for (RFC 8693 §2.1).
pub struct Asked {
    pub subject_token: Secret,
    pub audience: String,
    pub scope: Option<Vec<String>>,
}

pub async fn exchange(
    app: &AppState,
    client: &Client,
    asked: Asked,
    proof: Option<&Proof>,
) -> Result<Response, TokenEndpointError> {
    let Asked {
        subject_token,
        audience,
        scope: requested,
    } = asked;
    token_exchange::check_client(client)?;
    let now = app.now();
    let (subject, user, subject_api) =
        subject_of(app, client, &subject_token, &audience, now).await?;
    // RFC 9449: a bound subject token is exchanged only with a proof of its
    // key, and what it yields is bound to that key too (never a bearer
    // token made from a bound one).
    if let Some(bound) = &subject.cnf
        && proof.is_none_or(|p| p.jkt != bound.jkt)
    {
        return Err(TokenError::new(
            TokenErrorCode::InvalidDpopProof,
            "The subject_token is DPoP-bound: send a DPoP proof of its key",
        )
        .into());
    }
    let api = app.api(&audience).await?;
    let cnf = dpop::confirmation(proof, client, api.as_ref())?;
    let grant = match &api {
        Some(api) => app.client_grant(&client.client_id, &api.identifier).await?,
        None => None,
    };
    let mut claims = token_exchange::decide(token_exchange::Input {
        issuer: app.issuer(),
        client,
        user_id: &user.user_id,
        audience: &audience,
        api: api.as_ref(),
        grant: grant.as_ref(),
        requested_scope: requested.as_deref(),
        now,
        jti: portcullis_core::random::alphanumeric(24),
    })?;
    // The token speaks for the user: at an API that enforces RBAC it carries
    // only what the user holds, as any user grant's does.
    if let Some(a) = api.as_ref().filter(|a| a.enforce_policies) {
        let held = app.issuance().permissions(&user.user_id, Some(a)).await?;
        let requested: Vec<String> = portcullis_core::scope::parse(&claims.scope);
        claims.scope = portcullis_core::roles::rbac_scope(&requested, &held, a).join(" ");
        claims.set_permissions(Some(a), &held);
    }
    claims.cnf = cnf;
    let token = crate::issuance::sign_access(&app.keys(), api.as_ref(), &claims);
    app.audit(Event {
        client_id: Some(&client.client_id),
        client_name: Some(&client.name),
        user_id: Some(&user.user_id),
        details: Some(json!({
            "audience": audience,
            "subject_audience": subject.aud,
            "subject_api": subject_api,
            "subject_client_id": subject.azp,
            "actor_client_id": client.client_id,
            "scope": claims.scope,
        })),
        ..Event::new(crate::audit::Code::Secte, "Successful token exchange")
    })
    .await;
    let mut res = TokenResponse::access(token, &claims);
    res.issued_token_type = Some(ACCESS_TOKEN_TYPE);
    Ok(res.into_response())
}

/// The subject token checked (RFC 8693 §2.1): ours and live
/// (`protocol/bearer`), not revoked, about a live user (not a machine), and
/// issued for an API the requester itself is authorised for; with that API.
async fn subject_of(
    app: &AppState,
    client: &Client,
    subject_token: &Secret,
    audience: &str,
    now: i64,
) -> Result<(AccessTokenClaims, portcullis_core::users::User, String), TokenEndpointError> {
    let invalid = || {
        TokenEndpointError::from(TokenError::new(
            TokenErrorCode::InvalidGrant,
            "Invalid subject_token.",
        ))
    };
    let subject: AccessTokenClaims = app.verify(subject_token.expose()).map_err(|_| invalid())?;
    // Machine tokens have no user to act for.
    if bearer::check_issued_here(&subject, app.issuer(), now).is_err()
        || subject.sub.ends_with("@clients")
    {
        return Err(invalid());
    }
    if let Some(jti) = &subject.jti
        && app.store.is_token_id_revoked(jti).await?
    {
        return Err(invalid());
    }
    let Some((user, _)) = app.store.get_user(&subject.sub).await? else {
        return Err(invalid());
    };
    if user.blocked {
        return Err(TokenError::new(TokenErrorCode::InvalidGrant, "user is blocked").into());
    }
    // The subject token must have been issued for an API (not only `/userinfo`),
    // and the requester must itself be authorised for that API: a backend may act
    // for a user only with a token the user gave to the API it serves.
    let mut subject_api = None;
    for aud in subject_audiences(&subject.aud) {
        if aud == app.management_audience || aud == userinfo_audience(app.issuer()) {
            continue;
        }
        if app.client_grant(&client.client_id, aud).await?.is_some() {
            subject_api = Some(aud.to_string());
            break;
        }
    }
    let Some(subject_api) = subject_api else {
        audit_refusal(
            app,
            client,
            &subject,
            audience,
            "the requester is not authorised for an API the subject token was issued for",
        )
        .await;
        return Err(TokenError::new(
            TokenErrorCode::InvalidGrant,
            "The subject_token was not issued for an API this client is authorized for.",
        )
        .into());
    };
    Ok((subject, user, subject_api))
}

fn subject_audiences(aud: &Audience) -> Vec<&str> {
    match aud {
        Audience::One(a) => vec![a.as_str()],
        Audience::Many(v) => v.iter().map(String::as_str).collect(),
    }
}

/// A refused exchange is audited with both client ids, like a successful one.
async fn audit_refusal(
    app: &AppState,
    client: &Client,
    subject: &AccessTokenClaims,
    audience: &str,
    why: &str,
) {
    app.audit(Event {
        client_id: Some(&client.client_id),
        client_name: Some(&client.name),
        user_id: Some(&subject.sub),
        details: Some(json!({
            "audience": audience,
            "subject_audience": subject.aud,
            "subject_client_id": subject.azp,
            "actor_client_id": client.client_id,
            "reason": why,
        })),
        ..Event::new(crate::audit::Code::Fecte, "Failed token exchange")
    })
    .await;
}
