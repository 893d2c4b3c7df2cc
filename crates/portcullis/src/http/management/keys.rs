//! `/api/v2/keys/signing`: Auth0's signing-key lifecycle. The next key is in
//! the JWKS before it signs anything; a rotation makes it current and keeps the
//! old current key published as previous until it is revoked.

use axum::Json;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use base64::Engine;
use base64::engine::general_purpose::STANDARD;
use portcullis_core::clock::iso8601;
use portcullis_store::{Revocation, SigningKeyRecord};
use serde_json::{Value, json};

use super::Caller;
use crate::app::AppState;
use crate::http::errors::ApiError;

fn not_found() -> ApiError {
    ApiError::not_found("The signing key does not exist", "inexistent_key")
}

/// The certificate as PEM (64-character lines, RFC 7468).
fn pem(b64_der: &str) -> String {
    let mut out = String::from("-----BEGIN CERTIFICATE-----\r\n");
    for chunk in b64_der.as_bytes().chunks(64) {
        out.push_str(std::str::from_utf8(chunk).unwrap_or_default());
        out.push_str("\r\n");
    }
    out.push_str("-----END CERTIFICATE-----\r\n");
    out
}

/// Auth0's `fingerprint` (SHA-1, upper-case hex pairs with colons) and
/// `thumbprint` (SHA-1, lower-case hex) of the certificate.
fn fingerprints(b64_der: &str) -> (String, String) {
    let der = STANDARD.decode(b64_der).unwrap_or_default();
    let d = aws_lc_rs::digest::digest(&aws_lc_rs::digest::SHA1_FOR_LEGACY_USE_ONLY, &der);
    let hex: Vec<String> = d.as_ref().iter().map(|b| format!("{b:02X}")).collect();
    (hex.join(":"), hex.concat().to_lowercase())
}

pub fn to_json(k: &SigningKeyRecord) -> Value {
    let (fingerprint, thumbprint) = fingerprints(&k.certificate);
    let mut v = json!({
        "kid": k.kid,
        "alg": k.alg,
        "cert": pem(&k.certificate),
        "fingerprint": fingerprint,
        "thumbprint": thumbprint,
        "current": k.state == "current",
        "next": k.state == "next",
        "previous": k.state == "previous",
        "revoked": k.state == "revoked",
    });
    for (name, t) in [
        ("current_since", k.current_since),
        ("current_until", k.current_until),
        ("revoked_at", k.revoked_at),
    ] {
        if let Some(t) = t {
            v[name] = iso8601(t).into();
        }
    }
    v
}

async fn record(app: &AppState, kid: &str) -> Result<SigningKeyRecord, ApiError> {
    app.store
        .list_signing_key_records()
        .await?
        .into_iter()
        .find(|k| k.kid == kid)
        .ok_or_else(not_found)
}

pub async fn list(State(app): State<AppState>, caller: Caller) -> Result<Json<Value>, ApiError> {
    caller.require("read:signing_keys")?;
    let keys = app.store.list_signing_key_records().await?;
    Ok(Json(Value::Array(keys.iter().map(to_json).collect())))
}

pub async fn get(
    State(app): State<AppState>,
    caller: Caller,
    Path(kid): Path<String>,
) -> Result<Json<Value>, ApiError> {
    caller.require("read:signing_keys")?;
    Ok(Json(to_json(&record(&app, &kid).await?)))
}

pub async fn rotate(State(app): State<AppState>, caller: Caller) -> Result<Response, ApiError> {
    caller.require("create:signing_keys")?;
    let rotated = app.rotate_keys_now().await.map_err(|e| {
        tracing::error!(error = %e, "signing key rotation failed");
        ApiError::internal()
    })?;
    if !rotated {
        return Err(ApiError::conflict(
            "Another rotation happened at the same time; list the keys and retry if needed",
            "rotation_conflict",
        ));
    }
    let current = app.keys().current().kid.clone();
    let k = record(&app, &current).await?;
    app.audit(crate::audit::Event {
        details: Some(json!({"kid": current})),
        ..crate::audit::Event::new(crate::audit::Code::Sapi, "Signing keys rotated")
    })
    .await;
    Ok((
        StatusCode::CREATED,
        Json(json!({"kid": k.kid, "cert": pem(&k.certificate)})),
    )
        .into_response())
}

pub async fn revoke(
    State(app): State<AppState>,
    caller: Caller,
    Path(kid): Path<String>,
) -> Result<Json<Value>, ApiError> {
    caller.require("update:signing_keys")?;
    match app.store.revoke_signing_key(&kid, app.now()).await? {
        Revocation::Revoked => {}
        Revocation::Unknown => return Err(not_found()),
        Revocation::NotPrevious => {
            return Err(ApiError::bad_request(
                "Only the previous signing key can be revoked; rotate first",
                "invalid_key_state",
            ));
        }
    }
    app.reload_keys().await.map_err(|e| {
        tracing::error!(error = %e, "reloading signing keys failed");
        ApiError::internal()
    })?;
    let k = record(&app, &kid).await?;
    app.audit(crate::audit::Event {
        details: Some(json!({"kid": kid})),
        ..crate::audit::Event::new(crate::audit::Code::Sapi, "Signing key revoked")
    })
    .await;
    Ok(Json(json!({"kid": k.kid, "cert": pem(&k.certificate)})))
}
