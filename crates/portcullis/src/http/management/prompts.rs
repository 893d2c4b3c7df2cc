//! `/api/v2/prompts` (Auth0's): the login experience's settings
//! (`identifier_first`; `universal_login_experience` is always `new`) and
//! each prompt's custom text per language
//! (`/prompts/{prompt}/custom-text/{language}`, Auth0's `{screen: {key:
//! text}}`): prompts, screens and keys are the catalogue's
//! (`crate::i18n`), languages the shipped ones; text is plain (markup
//! refused) and escaped wherever it is shown.

use axum::Json;
use axum::body::Body;
use axum::extract::{Path, State};
use axum::http::HeaderMap;
use serde_json::{Map, Value, json};

use super::Caller;
use super::clients::read_body;
use crate::app::AppState;
use crate::http::body;
use crate::http::errors::ApiError;

fn invalid(message: impl Into<String>) -> ApiError {
    ApiError::bad_request(message, "invalid_body")
}

/// The settings as answered: Auth0's defaults under what was set.
pub async fn settings_of(app: &AppState) -> Result<Value, ApiError> {
    let mut out = json!({
        "universal_login_experience": "new",
        "identifier_first": false,
        "webauthn_platform_first_factor": false,
    });
    if let Some(Value::Object(stored)) = app.store.prompt_settings().await? {
        for (k, v) in stored {
            out[k] = v;
        }
    }
    Ok(out)
}

pub async fn get(State(app): State<AppState>, caller: Caller) -> Result<Json<Value>, ApiError> {
    caller.require_any(&["read:prompts", "read:tenant_settings"])?;
    Ok(Json(settings_of(&app).await?))
}

pub async fn update(
    State(app): State<AppState>,
    caller: Caller,
    headers: HeaderMap,
    b: Body,
) -> Result<Json<Value>, ApiError> {
    caller.require_any(&["update:prompts", "update:tenant_settings"])?;
    let bytes = read_body(b).await?;
    let patch: Value = body::api_json(&headers, &bytes)?;
    let Some(members) = patch.as_object() else {
        return Err(invalid("Payload validation error: expected an object."));
    };
    // Read, change, store only if nobody changed them meanwhile; else again
    // on their change.
    for _ in 0..super::tenant_settings::ATTEMPTS {
        let versioned = app.store.prompt_settings_versioned().await?;
        let read = versioned.as_ref().map(|(_, r)| r.clone());
        let mut stored = match versioned {
            Some((Value::Object(m), _)) => m,
            _ => Map::new(),
        };
        for (k, v) in members {
            match (k.as_str(), v) {
                ("identifier_first", Value::Bool(_)) => {
                    stored.insert(k.clone(), v.clone());
                }
                ("universal_login_experience", Value::String(s)) if s == "new" => {}
                ("webauthn_platform_first_factor", Value::Bool(false)) => {}
                ("universal_login_experience", _) => {
                    return Err(invalid(
                        "Payload validation error: only the new Universal Login experience exists here on property universal_login_experience.",
                    ));
                }
                ("webauthn_platform_first_factor", _) => {
                    return Err(invalid(
                        "Payload validation error: passkeys are offered per database connection (authentication_methods.passkey) on property webauthn_platform_first_factor.",
                    ));
                }
                (other, _) => {
                    return Err(invalid(format!(
                        "Payload validation error: '{other}' is not a prompts setting (or not of its type) on property {other}."
                    )));
                }
            }
        }
        if app
            .store
            .replace_prompt_settings(&Value::Object(stored), read.as_deref())
            .await?
        {
            app.look_changed().await?;
            return Ok(Json(settings_of(&app).await?));
        }
    }
    Err(ApiError::conflict(
        "The prompts settings were changed by another request meanwhile; try again.",
        "prompts_conflict",
    ))
}

/// The prompt's screens, or Auth0's 404 for an unknown prompt; the
/// language, or 400 for one not shipped.
fn prompt_and_language(prompt: &str, language: &str) -> Result<&'static [&'static str], ApiError> {
    let screens = crate::i18n::PROMPTS
        .iter()
        .find(|(p, _)| *p == prompt)
        .map(|(_, s)| *s)
        .ok_or_else(|| {
            ApiError::not_found(
                format!(
                    "The prompt '{prompt}' has no custom text here (these do: {}).",
                    crate::i18n::PROMPTS
                        .iter()
                        .map(|(p, _)| *p)
                        .collect::<Vec<_>>()
                        .join(", ")
                ),
                "inexistent_prompt",
            )
        })?;
    if !crate::i18n::LANGUAGES.contains(&language) {
        return Err(invalid(format!(
            "Payload validation error: the language '{language}' is not offered (these are: {}) on property language.",
            crate::i18n::LANGUAGES.join(", ")
        )));
    }
    Ok(screens)
}

pub async fn get_text(
    State(app): State<AppState>,
    caller: Caller,
    Path((prompt, language)): Path<(String, String)>,
) -> Result<Json<Value>, ApiError> {
    caller.require_any(&["read:prompts", "read:tenant_settings"])?;
    prompt_and_language(&prompt, &language)?;
    let doc = app
        .store
        .prompt_texts()
        .await?
        .into_iter()
        .find(|(p, l, _)| *p == prompt && *l == language)
        .map_or_else(|| json!({}), |(_, _, d)| d);
    Ok(Json(doc))
}

/// Replaces the prompt's custom text in the language (`{}` removes it).
pub async fn put_text(
    State(app): State<AppState>,
    caller: Caller,
    Path((prompt, language)): Path<(String, String)>,
    headers: HeaderMap,
    b: Body,
) -> Result<Json<Value>, ApiError> {
    caller.require_any(&["update:prompts", "update:tenant_settings"])?;
    let screens = prompt_and_language(&prompt, &language)?;
    let bytes = read_body(b).await?;
    let doc: Value = body::api_json(&headers, &bytes)?;
    let Some(by_screen) = doc.as_object() else {
        return Err(invalid(
            "Payload validation error: expected an object of screens.",
        ));
    };
    for (screen, keys) in by_screen {
        if !screens.contains(&screen.as_str()) {
            return Err(invalid(format!(
                "Payload validation error: '{screen}' is not a screen of the prompt {prompt} (its screens: {}) on property {screen}.",
                screens.join(", ")
            )));
        }
        let Some(keys) = keys.as_object() else {
            return Err(invalid(format!(
                "Payload validation error: expected an object of texts on property {screen}."
            )));
        };
        for (key, text) in keys {
            let field = format!("{screen}.{key}");
            if !crate::i18n::is_key(screen, key) {
                return Err(invalid(format!(
                    "Payload validation error: '{key}' is not a text of the screen {screen} on property {field}."
                )));
            }
            let Some(text) = text.as_str() else {
                return Err(invalid(format!(
                    "Payload validation error: expected a string on property {field}."
                )));
            };
            if text.chars().count() > 1000 || text.contains(['<', '>']) {
                return Err(invalid(format!(
                    "Payload validation error: custom text is plain text of at most 1000 characters, without markup, on property {field}."
                )));
            }
        }
    }
    app.store.set_prompt_text(&prompt, &language, &doc).await?;
    app.look_changed().await?;
    Ok(Json(doc))
}
