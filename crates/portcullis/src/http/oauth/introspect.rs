//! `POST /oauth/introspect` (RFC 7662), beyond Auth0: lets a resource server ask
//! whether a token is still live (a revoked refresh-token family, a replayed code's
//! access token). Callers authenticate as a confidential client.

use axum::Json;
use axum::body::Body;
use axum::extract::State;
use axum::http::HeaderMap;
use axum::response::{IntoResponse, Response};
use portcullis_core::protocol::errors::{TokenError, TokenErrorCode};
use portcullis_core::secrets::hash_secret;
use portcullis_core::tokens::{AccessTokenClaims, Audience};
use serde_json::json;

use crate::app::AppState;
use crate::http::errors::TokenEndpointError;

pub async fn introspect(
    State(app): State<AppState>,
    headers: HeaderMap,
    b: Body,
) -> Result<Response, TokenEndpointError> {
    let (params, client) = super::client_auth::authenticated_request(&app, &headers, b).await?;
    // RFC 7662 §2.1: the endpoint requires authorization; only confidential
    // clients (resource servers) may ask.
    if !client.is_confidential() {
        return Err(TokenError::new(
            TokenErrorCode::UnauthorizedClient,
            "Only confidential clients may introspect tokens.",
        )
        .into());
    }
    let Some(token) = params.get("token") else {
        return Err(TokenError::invalid_request("Missing required parameter: token").into());
    };
    let now = app.now();
    let inactive = || Json(json!({"active": false})).into_response();
    // A JWT access token of ours?
    if let Ok(claims) = app.verify::<AccessTokenClaims>(token) {
        let revoked = match &claims.jti {
            Some(jti) => app.store.is_token_id_revoked(jti).await?,
            None => false,
        };
        if revoked || claims.iss != app.issuer() || claims.exp <= now {
            return Ok(inactive());
        }
        // RFC 7662 §4: tell only the token's own client, or a resource server
        // (client) authorised for one of the token's audiences; anyone else
        // learns nothing, not even that the token exists.
        if claims.azp != client.client_id
            && !authorised_for_audience(&app, &client.client_id, &claims.aud).await?
        {
            return Ok(inactive());
        }
        let mut body = json!({
            "active": true,
            "token_type": "access_token",
            "scope": claims.scope,
            "client_id": claims.azp,
            "sub": claims.sub,
            "aud": claims.aud,
            "iss": claims.iss,
            "iat": claims.iat,
            "exp": claims.exp,
        });
        // RFC 9449 §6.2: a bound token's key, for the resource server to check.
        if let Some(cnf) = &claims.cnf {
            body["token_type"] = portcullis_core::protocol::dpop::TOKEN_TYPE.into();
            body["cnf"] = json!({"jkt": cnf.jkt});
        }
        return Ok(Json(body).into_response());
    }
    // A refresh token: only its own client learns about it (RFC 7662 §4).
    match app.store.find_refresh_token(&hash_secret(token)).await? {
        Some(t) if t.client_id == client.client_id && t.is_live(now) && t.used_at.is_none() => {
            Ok(Json(json!({
                "active": true,
                "token_type": "refresh_token",
                "scope": t.scope,
                "client_id": t.client_id,
                "sub": t.user_id,
                "iat": t.created_at,
                "exp": t.expires_at,
            }))
            .into_response())
        }
        _ => Ok(inactive()),
    }
}

async fn authorised_for_audience(
    app: &AppState,
    client_id: &str,
    aud: &Audience,
) -> Result<bool, portcullis_store::StoreError> {
    let auds: Vec<&str> = match aud {
        Audience::One(a) => vec![a.as_str()],
        Audience::Many(v) => v.iter().map(String::as_str).collect(),
    };
    for a in auds {
        if app.client_grant(client_id, a).await?.is_some() {
            return Ok(true);
        }
    }
    Ok(false)
}
