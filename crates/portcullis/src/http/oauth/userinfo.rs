//! `GET|POST /userinfo` (OpenID Connect Core §5.3): the claims the access token's
//! scopes release, for a token whose audience includes `<issuer>userinfo`.

use axum::Json;
use axum::extract::State;
use axum::http::{HeaderMap, HeaderValue, Method, StatusCode, header};
use axum::response::{IntoResponse, Response};
use portcullis_core::protocol::bearer;
use portcullis_core::protocol::dpop::Scheme;
use portcullis_core::tokens::{self, AccessTokenClaims};
use serde_json::{Value, json};

use crate::app::AppState;
use crate::http::errors::PageError;

/// RFC 6750 §3.1: 401 with the reason in `WWW-Authenticate`; a token sent
/// with the DPoP scheme gets a `DPoP` challenge (RFC 9449 §7.1).
fn unauthorized(scheme: Scheme, description: &'static str) -> Response {
    if scheme == Scheme::Dpop {
        let refusal = crate::http::dpop::ResourceRefusal {
            error: "invalid_token",
            description,
            nonce: None,
        };
        return refusal.into_response();
    }
    let mut res = (
        StatusCode::UNAUTHORIZED,
        Json(json!({"error": "invalid_token", "error_description": description})),
    )
        .into_response();
    let challenge = format!("Bearer error=\"invalid_token\", error_description=\"{description}\"");
    if let Ok(v) = HeaderValue::from_str(&challenge) {
        res.headers_mut().insert(header::WWW_AUTHENTICATE, v);
    }
    res
}

pub async fn userinfo(
    State(app): State<AppState>,
    method: Method,
    headers: HeaderMap,
) -> Result<Response, PageError> {
    let Some((scheme, token)) = crate::http::dpop::presented(&headers) else {
        let mut res = (
            StatusCode::UNAUTHORIZED,
            Json(json!({"error": "invalid_request", "error_description": "Missing access token"})),
        )
            .into_response();
        res.headers_mut()
            .insert(header::WWW_AUTHENTICATE, HeaderValue::from_static("Bearer"));
        return Ok(res);
    };
    // Keys rotated or revoked on another node are seen within a second.
    app.sync_configuration().await?;
    let Ok(claims) = app.verify::<AccessTokenClaims>(token) else {
        return Ok(unauthorized(scheme, "Invalid token"));
    };
    if bearer::check(
        &claims,
        app.issuer(),
        &tokens::userinfo_audience(app.issuer()),
        app.now(),
    )
    .is_err()
    {
        return Ok(unauthorized(scheme, "Invalid token"));
    }
    // RFC 9449 §7.1: a bound token only with a proof of its key.
    let presentation = crate::http::dpop::check_presentation(
        &app,
        &headers,
        method.as_str(),
        "/userinfo",
        (scheme, token),
        claims.cnf.as_ref(),
    )
    .await?;
    if let Err(r) = presentation {
        return Ok(r.into_response());
    }
    if let Some(jti) = &claims.jti
        && app.store.is_token_id_revoked(jti).await?
    {
        return Ok(unauthorized(scheme, "The token has been revoked"));
    }
    let Some((user, _)) = app.store.get_user(&claims.sub).await? else {
        return Ok(unauthorized(scheme, "The user no longer exists"));
    };
    if user.blocked {
        return Ok(unauthorized(scheme, "user is blocked"));
    }
    let scope: Vec<String> = claims.scopes().map(str::to_string).collect();
    let mut body = serde_json::Map::new();
    body.insert("sub".into(), Value::String(user.user_id.clone()));
    body.extend(tokens::user_claims(&user, &scope));
    let mut res = Json(Value::Object(body)).into_response();
    res.headers_mut()
        .insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    Ok(res)
}
