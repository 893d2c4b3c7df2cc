//! OAuth 2.0 Token Exchange (RFC 8693) at `/oauth/token`, the modern form of
//! Auth0's `/delegation`: a service holding a user's access token for one API gets
//! one for another API, acting on the user's behalf. It needs the
//! `urn:ietf:params:oauth:grant-type:token-exchange` grant type and a client grant
//! for the target API, whose scopes bound the new token.

use axum::Json;
use axum::response::{IntoResponse, Response};
use portcullis_core::clients::Client;
use portcullis_core::protocol::errors::{TokenError, TokenErrorCode};
use portcullis_core::protocol::token_request::{ACCESS_TOKEN_TYPE, TOKEN_EXCHANGE};
use portcullis_core::secrets::Secret;
use portcullis_core::tokens::{AccessTokenClaims, Audience, userinfo_audience};
use serde_json::json;

use crate::app::AppState;
use crate::audit::{self, Event};
use crate::http::errors::TokenEndpointError;

pub async fn exchange(
    app: &AppState,
    client: &Client,
    subject_token: Secret,
    audience: String,
    requested: Option<Vec<String>>,
) -> Result<Response, TokenEndpointError> {
    if !client.is_confidential() || !client.allows_grant(TOKEN_EXCHANGE) {
        return Err(TokenError::new(
            TokenErrorCode::UnauthorizedClient,
            format!("Grant type '{TOKEN_EXCHANGE}' not allowed for the client."),
        )
        .into());
    }
    let now = app.now();
    let invalid = || {
        TokenEndpointError::from(TokenError::new(
            TokenErrorCode::InvalidGrant,
            "Invalid subject_token.",
        ))
    };
    let subject: AccessTokenClaims = app.verify(subject_token.expose()).map_err(|_| invalid())?;
    if subject.iss != app.issuer() || subject.exp <= now || subject.sub.ends_with("@clients") {
        // Machine tokens have no user to act for.
        return Err(invalid());
    }
    if let Some(jti) = &subject.jti
        && app.store.is_token_id_revoked(&app.tenant, jti).await?
    {
        return Err(invalid());
    }
    let Some((user, _)) = app.store.get_user(&app.tenant, &subject.sub).await? else {
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
            &audience,
            "the requester is not authorised for an API the subject token was issued for",
        )
        .await;
        return Err(TokenError::new(
            TokenErrorCode::InvalidGrant,
            "The subject_token was not issued for an API this client is authorized for.",
        )
        .into());
    };
    let Some(api) = app.api(&audience).await? else {
        return Err(TokenError::new(
            TokenErrorCode::AccessDenied,
            format!("Service not found: {audience}"),
        )
        .into());
    };
    if api.is_system {
        // The Management API's scopes are never granted by exchanging a user's token.
        return Err(TokenError::new(
            TokenErrorCode::AccessDenied,
            "The Management API is not a token exchange target.",
        )
        .into());
    }
    let Some(grant) = app.client_grant(&client.client_id, &api.identifier).await? else {
        return Err(TokenError::new(
            TokenErrorCode::AccessDenied,
            format!("Client is not authorized to access \"{}\". You need to create a \"client-grant\" associated to this API.", api.identifier),
        )
        .into());
    };
    // requested ∩ the requester's grant for the target ∩ what the target defines
    // (`granted_scopes` already keeps only scopes the API defines).
    let granted = grant.granted_scopes(&api);
    let scope: Vec<String> = match requested {
        None => granted,
        Some(req) => {
            let scope: Vec<String> = req.into_iter().filter(|s| granted.contains(s)).collect();
            if scope.is_empty() {
                return Err(TokenError::new(
                    TokenErrorCode::InvalidScope,
                    "None of the requested scopes is granted to the client for this API.",
                )
                .into());
            }
            scope
        }
    };
    let claims = AccessTokenClaims {
        iss: app.issuer().to_string(),
        sub: user.user_id.clone(),
        aud: Audience::One(api.identifier.clone()),
        iat: now,
        exp: now + api.token_lifetime,
        scope: scope.join(" "),
        azp: client.client_id.clone(),
        gty: Some("token-exchange".into()),
        jti: Some(portcullis_core::random::alphanumeric(24)),
        act: Some(json!({"sub": format!("{}@clients", client.client_id)})),
        extra: Default::default(),
    };
    let token = app.sign_with(&api.signing_alg, &claims);
    audit::record(
        app,
        Event {
            event_type: "sertft",
            description: "Successful token exchange",
            client_id: Some(&client.client_id),
            client_name: Some(&client.name),
            user_id: Some(&user.user_id),
            details: Some(json!({
                "audience": api.identifier,
                "subject_audience": subject.aud,
                "subject_api": subject_api,
                "subject_client_id": subject.azp,
                "actor_client_id": client.client_id,
                "scope": claims.scope,
            })),
            ..Default::default()
        },
    )
    .await;
    let mut body = json!({
        "access_token": token,
        "issued_token_type": ACCESS_TOKEN_TYPE,
        "token_type": "Bearer",
        "expires_in": claims.exp - claims.iat,
    });
    if !claims.scope.is_empty() {
        body["scope"] = claims.scope.into();
    }
    Ok(super::token::no_store(Json(body).into_response()))
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
    audit::record(
        app,
        Event {
            event_type: "fertft",
            description: "Failed token exchange",
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
            ..Default::default()
        },
    )
    .await;
}
