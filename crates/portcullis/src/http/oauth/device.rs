//! The device authorization grant (RFC 8628) at Auth0's paths: the device's
//! request at `POST /oauth/device/code` (§3.1–3.2) and its polls of
//! `/oauth/token` (§3.4–3.5). The person's half is the activation page
//! (`http/pages/device`); `protocol/device_code` decides each poll.
//!
//! Invariants:
//! - Both codes are stored only as hashes; the user code is drawn again when
//!   it collides with a live one.
//! - A poll that is only early changes nothing but the poll's time and the
//!   interval (§3.5); a refused poll changes nothing.
//! - An approved device code redeems through the code grant's one path
//!   (`code::redeem_grant`): once, and a second redemption revokes what the
//!   first issued (RFC 6749 §4.1.2, applied to device codes).

use axum::body::Body;
use axum::extract::State;
use axum::http::HeaderMap;
use axum::response::{IntoResponse, Response};
use portcullis_core::clients::{Client, GrantType};
use portcullis_core::protocol::device_code::{self, DeviceCodeRequest, Poll};
use portcullis_core::protocol::errors::{TokenError, TokenErrorCode};
use portcullis_core::secrets::hash_secret;
use serde_json::json;

use crate::app::AppState;
use crate::audit::{Code, Event};
use crate::http::client_addr::ClientAddr;
use crate::http::errors::TokenEndpointError;

/// Draws of a user code before giving up (a collision among live codes is
/// already rare: one in millions with a thousand waiting).
const USER_CODE_DRAWS: usize = 5;

/// `POST /oauth/device/code`: a device asks to be authorized (RFC 8628 §3.1).
/// Auth0's answer (§3.2): the device code, the user code `XXXX-XXXX`, the
/// activation page with and without the code, fifteen minutes, five seconds.
pub async fn authorization(
    State(app): State<AppState>,
    peer: ClientAddr,
    headers: HeaderMap,
    body: Body,
) -> Result<Response, TokenEndpointError> {
    let (params, client) = super::client_auth::authenticated_request(&app, &headers, body).await?;
    let ip = peer.text();
    let refuse = async |e: TokenError| -> TokenEndpointError {
        let event = Event::new(Code::Fdeaz, &e.description)
            .client(&client)
            .ip(&ip);
        app.audit(event).await;
        e.into()
    };
    if let Err(e) = client.require_grant(GrantType::DeviceCode) {
        return Err(refuse(e).await);
    }
    let scope = portcullis_core::scope::parse(params.get("scope").unwrap_or_default());
    if let Some(bad) = scope
        .iter()
        .find(|s| !portcullis_core::scope::is_valid_token(s))
    {
        let e = TokenError::new(
            TokenErrorCode::InvalidScope,
            format!("'{bad}' is not a valid scope value"),
        );
        return Err(refuse(e).await);
    }
    // Auth0: the tenant's default audience when the request names none; an
    // API that does not exist is refused now, not after the person signed in.
    let audience = match params.get("audience") {
        Some(a) => Some(a.to_string()),
        None => app.settings().await?.default_audience,
    };
    if let Some(aud) = &audience
        && app.api(aud).await?.is_none()
    {
        let e = TokenError::new(
            TokenErrorCode::AccessDenied,
            format!("Service not found: {aud}"),
        );
        return Err(refuse(e).await);
    }
    let now = app.now();
    let device_code = portcullis_core::random::url_token();
    let id = format!("dev_{}", portcullis_core::random::alphanumeric(24));
    let mut user_code = None;
    for _ in 0..USER_CODE_DRAWS {
        let code = device_code::new_user_code();
        let Some(normal) = device_code::normalize_user_code(&code) else {
            continue;
        };
        let stored = app
            .store
            .insert_device_code(
                portcullis_store::NewDeviceCode {
                    id: &id,
                    device_code_hash: &hash_secret(&device_code),
                    user_code_hash: &hash_secret(&normal),
                    client_id: &client.client_id,
                    scope: &scope,
                    audience: audience.as_deref(),
                    interval: device_code::INTERVAL,
                    expires_at: now + device_code::EXPIRES_IN,
                },
                now,
            )
            .await?;
        if stored {
            user_code = Some(code);
            break;
        }
    }
    let Some(user_code) = user_code else {
        return Err(TokenError::new(
            TokenErrorCode::TemporarilyUnavailable,
            "No user code could be drawn; try again.",
        )
        .into());
    };
    let verification_uri = activate_uri(&app);
    let complete = format!("{verification_uri}?user_code={user_code}");
    let body = json!({
        "device_code": device_code,
        "user_code": user_code,
        "verification_uri": verification_uri,
        "expires_in": device_code::EXPIRES_IN,
        "interval": device_code::INTERVAL,
        "verification_uri_complete": complete,
    });
    Ok(crate::issuance::no_store(axum::Json(body).into_response()))
}

/// The activation page's address (Auth0's `https://{domain}/activate`).
pub fn activate_uri(app: &AppState) -> String {
    format!("{}activate", app.issuer())
}

/// The device polls `/oauth/token` (RFC 8628 §3.4): tokens once the person
/// has approved, else what §3.5 says it should do.
pub async fn exchange(
    app: &AppState,
    client: &Client,
    req: DeviceCodeRequest,
    proof: Option<&portcullis_core::protocol::dpop::Proof>,
) -> Result<Response, TokenEndpointError> {
    client.require_grant(GrantType::DeviceCode)?;
    // An application that requires DPoP is refused before a code is spent.
    portcullis_core::protocol::dpop::confirmation(proof, client, None)?;
    let now = app.now();
    let code_hash = hash_secret(req.device_code.expose());
    let found = app.store.device_by_code(&code_hash).await?;
    match device_code::poll(found.as_ref(), &client.client_id, now) {
        Poll::Redeem => {
            let what = super::code::Redeeming::Device;
            super::code::redeem_grant(app, client, what, &code_hash, proof).await
        }
        Poll::Wait { error, interval } => {
            if let Some(d) = &found {
                app.store.record_device_poll(&d.id, now, interval).await?;
            }
            Err(error.into())
        }
        Poll::Refuse(error) => {
            let event = Event::new(Code::Fede, &error.description).client(client);
            app.audit(event).await;
            Err(error.into())
        }
    }
}
