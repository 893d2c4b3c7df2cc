//! Auth0 features Portcullis does not have yet, answered as Auth0 answers a
//! tenant that does not use them: empty lists, the default settings, or 403
//! `feature_not_enabled`. Tools that read a whole tenant (Auth0's Deploy CLI)
//! then carry on instead of stopping at a 404.
//!
//! Invariant: a write is accepted only when it changes nothing (the defaults
//! read back, as an export of Portcullis gives them); a write that would turn
//! something on that Portcullis cannot honour (a brute-force
//! setting of another shape) is refused with 400, never stored and ignored.

use axum::Json;
use axum::http::{HeaderMap, StatusCode};
use axum::routing::get;
use axum::{Router, body::Body};
use serde_json::{Value, json};

use super::Caller;
use super::clients::read_body;
use crate::app::AppState;
use crate::http::body;
use crate::http::errors::ApiError;

/// The routes of this module, under `/api/v2`.
pub fn routes() -> Router<AppState> {
    Router::new()
        .route(
            "/branding/phone/providers",
            get(|c: Caller| empty(c, "read:phone_providers", "providers")),
        )
        .route(
            "/branding/phone/templates",
            get(|c: Caller| empty(c, "read:phone_templates", "templates")),
        )
        .route(
            "/prompts/rendering",
            get(|c: Caller| paged(c, "read:prompts", "configs")),
        )
        .route("/prompts/{prompt}/partials", get(not_enabled))
        .route(
            "/attack-protection/breached-password-detection",
            get(|c: Caller| setting(c, BREACHED))
                .patch(|c: Caller, h: HeaderMap, b: Body| same(c, h, b, BREACHED)),
        )
        .route(
            "/attack-protection/brute-force-protection",
            get(|c: Caller| setting(c, BRUTE_FORCE))
                .patch(|c: Caller, h: HeaderMap, b: Body| same(c, h, b, BRUTE_FORCE)),
        )
        .route(
            "/attack-protection/suspicious-ip-throttling",
            get(|c: Caller| setting(c, THROTTLING))
                .patch(|c: Caller, h: HeaderMap, b: Body| same(c, h, b, THROTTLING)),
        )
        .route("/attack-protection/bot-detection", get(not_enabled))
        .route("/attack-protection/captcha", get(not_enabled))
        .route(
            "/risk-assessments/settings",
            get(|c: Caller| setting(c, RISK))
                .patch(|c: Caller, h: HeaderMap, b: Body| same(c, h, b, RISK)),
        )
        .route(
            "/risk-assessments/settings/new-device",
            get(|c: Caller| setting(c, NEW_DEVICE))
                .patch(|c: Caller, h: HeaderMap, b: Body| same(c, h, b, NEW_DEVICE)),
        )
        .route(
            "/custom-domains",
            get(|c: Caller| bare(c, "read:custom_domains")),
        )
        .route("/forms", get(|c: Caller| paged(c, "read:forms", "forms")))
        .route("/flows", get(|c: Caller| paged(c, "read:flows", "flows")))
        .route(
            "/flows/vault/connections",
            get(|c: Caller| paged(c, "read:flows_vault_connections", "connections")),
        )
        .route(
            "/self-service-profiles",
            get(|c: Caller| paged(c, "read:self_service_profiles", "self_service_profiles")),
        )
        .route(
            "/token-exchange-profiles",
            get(|c: Caller| empty(c, "read:token_exchange_profiles", "token_exchange_profiles")),
        )
        .route("/supplemental-signals", get(not_enabled))
        .route(
            "/event-streams",
            get(|c: Caller| empty(c, "read:event_streams", "eventStreams")),
        )
        .route(
            "/connections-directory-provisionings",
            get(|c: Caller| empty(c, "read:connections", "directory_provisionings")),
        )
}

/// A read scope, as Auth0 names it. Scopes Portcullis does not grant (it has
/// none of these features) are satisfied by any Management token that reads
/// the tenant's configuration.
fn may_read(caller: &Caller, scope: &str) -> Result<(), ApiError> {
    caller.require_any(&[scope, "read:tenant_settings", "read:clients"])
}

fn may_write(caller: &Caller) -> Result<(), ApiError> {
    caller.require("update:tenant_settings")
}

async fn empty(
    caller: Caller,
    scope: &'static str,
    key: &'static str,
) -> Result<Json<Value>, ApiError> {
    may_read(&caller, scope)?;
    Ok(Json(json!({ key: [] })))
}

async fn paged(
    caller: Caller,
    scope: &'static str,
    key: &'static str,
) -> Result<Json<Value>, ApiError> {
    may_read(&caller, scope)?;
    Ok(Json(
        json!({ key: [], "start": 0, "limit": 50, "total": 0 }),
    ))
}

async fn bare(caller: Caller, scope: &'static str) -> Result<Json<Value>, ApiError> {
    may_read(&caller, scope)?;
    Ok(Json(json!([])))
}

/// Auth0's answer for a feature the tenant's plan does not have.
async fn not_enabled(_caller: Caller) -> ApiError {
    ApiError::new(
        StatusCode::FORBIDDEN,
        "This feature is not available in Portcullis yet.",
        "feature_not_enabled",
    )
}

/// Breached-password detection: off (Portcullis has no breach corpus).
const BREACHED: &str = r#"{"enabled": false, "shields": [], "admin_notification_frequency": [], "method": "standard",
  "stage": {"pre-user-registration": {"shields": []}, "pre-change-password": {"shields": []}}}"#;
/// Brute-force protection as Portcullis applies it: 10 failures per account
/// and address, then a block the account's owner is told of (per connection,
/// `brute_force_protection`).
const BRUTE_FORCE: &str = r#"{"enabled": true, "shields": ["block", "user_notification"],
  "mode": "count_per_identifier_and_ip", "allowlist": [], "max_attempts": 10}"#;
/// Suspicious-IP throttling as Auth0's defaults (Portcullis's per-address
/// limit is in `brute_force`).
const THROTTLING: &str = r#"{"enabled": true, "shields": ["admin_notification", "block"], "allowlist": [],
  "stage": {"pre-login": {"max_attempts": 100, "rate": 864000}, "pre-user-registration": {"max_attempts": 50, "rate": 1200}}}"#;
/// Risk assessment (Auth0's adaptive MFA): off.
const RISK: &str = r#"{"enabled": false}"#;
/// Risk assessment's new-device rule: remembers no device.
const NEW_DEVICE: &str = r#"{"remember_for": 0}"#;

async fn setting(caller: Caller, doc: &'static str) -> Result<Json<Value>, ApiError> {
    may_read(&caller, "read:attack_protection")?;
    Ok(Json(serde_json::from_str(doc).unwrap_or_default()))
}

/// A PATCH of a fixed setting: 200 when every given member equals the
/// current value, else 400 (the setting cannot be changed yet).
async fn same(
    caller: Caller,
    headers: HeaderMap,
    b: Body,
    doc: &'static str,
) -> Result<Json<Value>, ApiError> {
    may_write(&caller)?;
    let bytes = read_body(b).await?;
    let patch: Value = body::api_json(&headers, &bytes)?;
    let current: Value = serde_json::from_str(doc).unwrap_or_default();
    unchanged(&patch, &current)?;
    Ok(Json(current))
}

fn unchanged(patch: &Value, current: &Value) -> Result<(), ApiError> {
    let Some(members) = patch.as_object() else {
        return Err(ApiError::bad_request(
            "Payload validation error: expected an object.",
            "invalid_body",
        ));
    };
    for (k, v) in members {
        if current.get(k) != Some(v) {
            return Err(ApiError::bad_request(
                format!(
                    "Payload validation error: '{k}' cannot be changed in Portcullis yet (its value is {}).",
                    current.get(k).unwrap_or(&Value::Null)
                ),
                "invalid_body",
            ));
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fixed_settings_parse() {
        for doc in [BREACHED, BRUTE_FORCE, THROTTLING, RISK, NEW_DEVICE] {
            assert!(serde_json::from_str::<Value>(doc).unwrap().is_object());
        }
    }

    #[test]
    fn only_unchanged_members_pass() {
        let current = json!({"enabled": false, "shields": []});
        assert!(unchanged(&json!({"enabled": false}), &current).is_ok());
        assert!(unchanged(&json!({}), &current).is_ok());
        assert!(unchanged(&json!({"enabled": true}), &current).is_err());
        assert!(unchanged(&json!({"other": 1}), &current).is_err());
        assert!(unchanged(&json!([]), &current).is_err());
    }
}
