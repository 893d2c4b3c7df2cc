//! The legacy endpoints of seed 001, for applications that are not yet
//! OIDC-conformant (`oidc_conformant: false`), refused for conformant ones as
//! Auth0 does: `POST /tokeninfo` (an ID token in, the user profile out) and
//! `POST /delegation` (an ID token or refresh token in, a new ID token out).

use axum::Json;
use axum::body::Body;
use axum::extract::State;
use axum::http::HeaderMap;
use axum::response::{IntoResponse, Response};
use portcullis_core::clients::Client;
use portcullis_core::protocol::errors::{TokenError, TokenErrorCode};
use portcullis_core::protocol::params::Params;
use portcullis_core::secrets::hash_secret;
use portcullis_core::tokens::IdTokenClaims;

use crate::app::AppState;
use crate::http::body;
use crate::http::errors::TokenEndpointError;

const JWT_BEARER: &str = "urn:ietf:params:oauth:grant-type:jwt-bearer";

fn conformant_refused(endpoint: &str) -> TokenEndpointError {
    TokenError::new(
        TokenErrorCode::UnauthorizedClient,
        format!("{endpoint} is disabled for OIDC-conformant applications (set oidc_conformant: false to use it)."),
    )
    .into()
}

async fn params(
    headers: &HeaderMap,
    b: Body,
) -> Result<portcullis_core::protocol::params::Params, TokenEndpointError> {
    let bytes = body::read(b, body::OAUTH_BODY_LIMIT)
        .await
        .map_err(|_| TokenError::invalid_request("The request body is too large or unreadable."))?;
    Ok(body::oauth_params(headers, &bytes)?)
}

/// An unexpired ID token signed by us, and the client it was issued to.
async fn verified_id_token(
    app: &AppState,
    token: &str,
) -> Result<(IdTokenClaims, Client), TokenEndpointError> {
    let invalid = || {
        TokenEndpointError::from(TokenError::new(
            TokenErrorCode::InvalidGrant,
            "Invalid id_token.",
        ))
    };
    let claims: IdTokenClaims = app.verify(token).map_err(|_| invalid())?;
    // No leeway on our own tokens' exp (docs/security.md).
    if claims.iss != app.issuer() || claims.exp <= app.now() {
        return Err(invalid());
    }
    let Some((client, _)) = app.client(&claims.aud).await? else {
        return Err(invalid());
    };
    Ok((claims, client))
}

/// `POST /tokeninfo`.
pub async fn tokeninfo(
    State(app): State<AppState>,
    headers: HeaderMap,
    b: Body,
) -> Result<Response, TokenEndpointError> {
    let p = params(&headers, b).await?;
    let token = p
        .get("id_token")
        .ok_or_else(|| TokenError::invalid_request("Missing required parameter: id_token"))?;
    let (claims, client) = verified_id_token(&app, token).await?;
    if client.oidc_conformant {
        return Err(conformant_refused("/tokeninfo"));
    }
    let Some((user, _)) = app.store.get_user(&claims.sub).await? else {
        return Err(TokenError::new(TokenErrorCode::InvalidGrant, "Invalid id_token.").into());
    };
    Ok(Json(user).into_response())
}

/// `POST /delegation` with `grant_type=urn:ietf:params:oauth:grant-type:jwt-bearer`
/// and `api_type=app`: a new ID token for the client or for `target`.
pub async fn delegation(
    State(app): State<AppState>,
    headers: HeaderMap,
    b: Body,
) -> Result<Response, TokenEndpointError> {
    // Confidential callers authenticate (Basic or body, as at /oauth/token);
    // public ones name themselves with client_id.
    let (p, client) = super::client_auth::authenticated_request(&app, &headers, b).await?;
    if p.get("grant_type") != Some(JWT_BEARER) {
        return Err(TokenError::new(
            TokenErrorCode::UnsupportedGrantType,
            format!("grant_type must be {JWT_BEARER}"),
        )
        .into());
    }
    if p.get("api_type").is_some_and(|t| t != "app") {
        return Err(TokenError::invalid_request("Only api_type=app is supported.").into());
    }
    if client.oidc_conformant {
        return Err(conformant_refused("/delegation"));
    }
    let now = app.now();
    let (user_id, sid) = subject(&app, &client, &p, now).await?;
    let target = target_client(&app, client, &p).await?;
    let Some((user, _)) = app.store.get_user(&user_id).await? else {
        return Err(
            TokenError::new(TokenErrorCode::InvalidGrant, "The user no longer exists.").into(),
        );
    };
    if user.blocked {
        return Err(TokenError::new(TokenErrorCode::InvalidGrant, "user is blocked").into());
    }
    let scope = portcullis_core::scope::parse(p.get("scope").unwrap_or("openid"));
    // Delegation is the legacy path; Rules and Actions do not run on it.
    let no_scripts = Default::default();
    let issuer = app.issuance();
    let plan = portcullis_core::issuance::plan(portcullis_core::issuance::UserGrant {
        id_token: Some(portcullis_core::issuance::IdTokenRequest {
            scope: &scope,
            sid: sid.as_deref(),
            ..Default::default()
        }),
        ..issuer.user_grant(&target, &user, None, &scope, &no_scripts, now)
    });
    let expires_in = plan.id.as_ref().map_or(0, |id| id.exp - id.iat);
    match issuer.sign_id_only(&plan, &target) {
        Some(id) => Ok(crate::issuance::TokenResponse::id_only(id, expires_in).into_response()),
        None => Err(TokenError::invalid_request("No ID token could be issued.").into()),
    }
}

/// The user (and session) a delegation request is for: from an ID token we
/// issued to the caller, or from the caller's live refresh token.
async fn subject(
    app: &AppState,
    client: &Client,
    p: &Params,
    now: i64,
) -> Result<(String, Option<String>), TokenEndpointError> {
    Ok(match (p.get("id_token"), p.get("refresh_token")) {
        (Some(t), None) => {
            let (claims, issued_to) = verified_id_token(app, t).await?;
            if issued_to.client_id != client.client_id {
                return Err(TokenError::new(
                    TokenErrorCode::InvalidGrant,
                    "The id_token was issued to another client.",
                )
                .into());
            }
            (claims.sub, claims.sid)
        }
        (None, Some(t)) => match app.store.find_refresh_token(&hash_secret(t)).await? {
            Some(rt)
                if rt.client_id == client.client_id
                    && rt.is_live(now)
                    && (rt.used_at.is_none() || !rt.rotating) =>
            {
                (rt.user_id, rt.session_id)
            }
            _ => return Err(portcullis_core::protocol::refresh_token::invalid().into()),
        },
        _ => {
            return Err(TokenError::invalid_request(
                "Send exactly one of id_token and refresh_token.",
            )
            .into());
        }
    })
}

/// The application the ID token is for: the caller, or a non-conformant
/// target that lists the caller in its `allowed_clients` (Auth0's rule).
async fn target_client(
    app: &AppState,
    client: Client,
    p: &Params,
) -> Result<Client, TokenEndpointError> {
    Ok(match p.get("target") {
        None => client,
        Some(t) if t == client.client_id => client,
        Some(t) => {
            let Some((target, _)) = app.client(t).await? else {
                return Err(TokenError::invalid_request("Unknown target client.").into());
            };
            // Auth0's legacy delegation: a conformant target never takes part, and
            // the target must list the caller in its allowed_clients.
            if target.oidc_conformant {
                return Err(TokenError::new(
                    TokenErrorCode::AccessDenied,
                    "The target application is OIDC-conformant; delegation cannot issue tokens for it.",
                )
                .into());
            }
            if !target.allowed_clients.contains(&client.client_id) {
                return Err(TokenError::new(
                    TokenErrorCode::AccessDenied,
                    "The target application does not list the caller in its allowed_clients.",
                )
                .into());
            }
            target
        }
    })
}
