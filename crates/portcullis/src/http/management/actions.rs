//! `/api/v2/actions`: Auth0 Actions. Drafts are edited with PATCH, deployed as
//! numbered versions, and run once bound to their trigger. Code that does not
//! compile is refused at save and at deploy, with the engine's message and line.

use axum::Json;
use axum::body::Body;
use axum::extract::{Path, RawQuery, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use portcullis_core::actions::{
    self, Action, ActionPayload, ActionVersion, Binding, BindingsPayload, SecretPayload,
    StoredSecret,
};
use portcullis_core::clock::iso8601;
use portcullis_sandbox::{Script, Trigger};
use portcullis_store::StoreError;
use serde::Deserialize;
use serde_json::{Value, json};

use super::Caller;
use super::clients::read_body;
use crate::app::AppState;
use crate::http::body;
use crate::http::errors::ApiError;
use crate::scripts::{action_secrets, secret_aad};

fn not_found() -> ApiError {
    ApiError::not_found("The action does not exist", "inexistent_action")
}

fn name_taken() -> ApiError {
    ApiError::conflict(
        "An action with the same name already exists",
        "action_conflict",
    )
}

fn invalid(message: impl Into<String>) -> ApiError {
    ApiError::bad_request(message, "invalid_body")
}

fn sandbox_trigger(trigger: &str) -> Option<Trigger> {
    match trigger {
        "post-login" => Some(Trigger::PostLogin),
        "credentials-exchange" => Some(Trigger::CredentialsExchange),
        _ => None,
    }
}

/// Compiles the action's code for its trigger (off the async workers).
async fn compiles(a: &Action) -> Result<(), ApiError> {
    let Some(trigger) = sandbox_trigger(a.trigger()) else {
        return Err(invalid(
            "Payload validation error: unknown trigger on property supported_triggers.",
        ));
    };
    let code = a.code.clone();
    let checked = tokio::task::spawn_blocking(move || Script::compile(trigger, &code))
        .await
        .map_err(|_| ApiError::internal())?;
    checked
        .map(|_| ())
        .map_err(|e| invalid(format!("Payload validation error: {e} on property code.")))
}

/// Applies a secrets list: it replaces the action's secrets; an entry without a
/// value keeps the stored value of the same name.
fn apply_secrets(
    app: &AppState,
    a: &mut Action,
    given: Vec<SecretPayload>,
    now: &str,
) -> Result<(), ApiError> {
    let mut out: Vec<StoredSecret> = Vec::new();
    for s in given {
        actions::validate_secret_name(&s.name).map_err(|e| invalid(e.message))?;
        if out.iter().any(|o| o.name == s.name) {
            return Err(invalid(format!(
                "Payload validation error: duplicate secret {:?} on property secrets.",
                s.name
            )));
        }
        let stored = match s.value {
            Some(v) => StoredSecret {
                sealed: app.kek.seal(&secret_aad(&a.id, &s.name), v.as_bytes()),
                name: s.name,
                updated_at: now.into(),
            },
            None => a
                .secrets
                .iter()
                .find(|o| o.name == s.name)
                .cloned()
                .ok_or_else(|| {
                    invalid(format!(
                        "Payload validation error: secret {:?} needs a value on property secrets.",
                        s.name
                    ))
                })?,
        };
        out.push(stored);
    }
    a.secrets = out;
    Ok(())
}

async fn load(app: &AppState, id: &str) -> Result<Action, ApiError> {
    app.store.get_action(id).await?.ok_or_else(not_found)
}

pub async fn create(
    State(app): State<AppState>,
    caller: Caller,
    headers: HeaderMap,
    b: Body,
) -> Result<Response, ApiError> {
    caller.require("create:actions")?;
    let bytes = read_body(b).await?;
    let mut payload: ActionPayload = body::api_json(&headers, &bytes)?;
    let secrets = payload.secrets.take();
    let now = iso8601(app.now());
    let mut action = payload
        .into_new(
            format!("act_{}", portcullis_core::random::alphanumeric(20)),
            &now,
        )
        .map_err(|e| invalid(e.message))?;
    if let Some(s) = secrets {
        apply_secrets(&app, &mut action, s, &now)?;
    }
    compiles(&action).await?;
    match app.store.insert_action(&action, app.now()).await {
        Ok(()) => Ok((StatusCode::CREATED, Json(action.to_json())).into_response()),
        Err(StoreError::Conflict) => Err(name_taken()),
        Err(e) => Err(e.into()),
    }
}

pub async fn list(
    State(app): State<AppState>,
    caller: Caller,
    RawQuery(q): RawQuery,
) -> Result<Json<Value>, ApiError> {
    caller.require("read:actions")?;
    let query = super::ListQuery::parse(
        q.as_deref(),
        &["triggerId", "actionName", "deployed", "installed"],
    )?;
    let all = app.store.list_actions().await?;
    let matching: Vec<&Action> = all
        .iter()
        .filter(|a| query.filter("triggerId").is_none_or(|t| a.trigger() == t))
        .filter(|a| query.filter("actionName").is_none_or(|n| a.name == n))
        .filter(|a| {
            query
                .filter("deployed")
                .is_none_or(|d| (d == "true") == a.deployed_version.is_some())
        })
        .collect();
    Ok(Json(paged(
        &query,
        "actions",
        matching.iter().map(|a| a.to_json()).collect(),
    )))
}

/// Auth0's Actions lists: `{<key>: [...], total, page, per_page}` always.
fn paged(query: &super::ListQuery, key: &str, items: Vec<Value>) -> Value {
    let total = items.len();
    let (page, per_page) = (query.page.page as usize, query.page.per_page as usize);
    let items: Vec<Value> = items
        .into_iter()
        .skip(page.saturating_mul(per_page))
        .take(per_page)
        .collect();
    json!({key: items, "total": total, "page": page, "per_page": per_page})
}

pub async fn get(
    State(app): State<AppState>,
    caller: Caller,
    Path(id): Path<String>,
) -> Result<Json<Value>, ApiError> {
    caller.require("read:actions")?;
    Ok(Json(load(&app, &id).await?.to_json()))
}

pub async fn update(
    State(app): State<AppState>,
    caller: Caller,
    Path(id): Path<String>,
    headers: HeaderMap,
    b: Body,
) -> Result<Json<Value>, ApiError> {
    caller.require("update:actions")?;
    let bytes = read_body(b).await?;
    let mut payload: ActionPayload = body::api_json(&headers, &bytes)?;
    let action = load(&app, &id).await?;
    let before = action.clone();
    let trigger_before = action.trigger().to_string();
    let secrets = payload.secrets.take();
    let now = iso8601(app.now());
    let mut action = payload
        .apply_to(action, &now)
        .map_err(|e| invalid(e.message))?;
    if action.trigger() != trigger_before && action.deployed_version.is_some() {
        return Err(invalid(
            "Payload validation error: a deployed action cannot change its trigger on property supported_triggers.",
        ));
    }
    if let Some(s) = secrets {
        apply_secrets(&app, &mut action, s, &now)?;
    }
    // A PATCH that changes nothing writes nothing (tools re-send whole
    // actions on every import): the action keeps its `updated_at`.
    let mut same = action.clone();
    same.updated_at = before.updated_at.clone();
    if serde_json::to_value(&same).ok() == serde_json::to_value(&before).ok() {
        return Ok(Json(before.to_json()));
    }
    compiles(&action).await?;
    match app.store.update_action(&action, app.now()).await {
        Ok(true) => {}
        Ok(false) => return Err(not_found()),
        Err(StoreError::Conflict) => return Err(name_taken()),
        Err(e) => return Err(e.into()),
    }
    // Secrets apply to the deployed version at once (the caches are marked
    // stale by the Management router); code waits for a deploy.
    Ok(Json(action.to_json()))
}

#[derive(Deserialize)]
pub struct DeleteQuery {
    force: Option<bool>,
}

pub async fn delete(
    State(app): State<AppState>,
    caller: Caller,
    Path(id): Path<String>,
    query: axum::extract::Query<DeleteQuery>,
) -> Result<StatusCode, ApiError> {
    caller.require("delete:actions")?;
    let action = load(&app, &id).await?;
    let trigger = action.trigger().to_string();
    let bindings = app.store.get_bindings(&trigger).await?;
    if bindings.iter().any(|b| b.action_id == id) {
        if query.force != Some(true) {
            return Err(ApiError::conflict(
                "The action is bound to a trigger; unbind it first or delete with force=true",
                "action_bound",
            ));
        }
        let rest: Vec<Binding> = bindings.into_iter().filter(|b| b.action_id != id).collect();
        app.store.set_bindings(&trigger, &rest, app.now()).await?;
    }
    if !app.store.delete_action(&id).await? {
        return Err(not_found());
    }
    Ok(StatusCode::NO_CONTENT)
}

/// `POST …/deploy`: the draft becomes the next numbered version, and the one
/// that runs wherever the action is bound.
pub async fn deploy(
    State(app): State<AppState>,
    caller: Caller,
    Path(id): Path<String>,
) -> Result<Json<Value>, ApiError> {
    caller.require("update:actions")?;
    let mut action = load(&app, &id).await?;
    // The draft is what runs already: no new version (Auth0 makes one on
    // every deploy; tools that deploy every action on each import, Auth0's
    // Deploy CLI among them, would grow the history with copies).
    if let Some(current) = &action.deployed_version
        && current.code == action.code
    {
        return Ok(Json(current.to_json(&action)));
    }
    compiles(&action).await?;
    let number = action.deployed_version.as_ref().map_or(0, |v| v.number) + 1;
    let version = ActionVersion {
        id: format!("actv_{}", portcullis_core::random::alphanumeric(20)),
        action_id: action.id.clone(),
        number,
        code: action.code.clone(),
        created_at: iso8601(app.now()),
    };
    action.deployed_version = Some(version.clone());
    match app.store.deploy_action(&action, &version, app.now()).await {
        Ok(()) => {}
        Err(StoreError::Conflict) => {
            return Err(ApiError::conflict(
                "Another deploy of this action happened at the same time; retry",
                "action_conflict",
            ));
        }
        Err(e) => return Err(e.into()),
    }
    Ok(Json(version.to_json(&action)))
}

pub async fn versions(
    State(app): State<AppState>,
    caller: Caller,
    Path(id): Path<String>,
    RawQuery(q): RawQuery,
) -> Result<Json<Value>, ApiError> {
    caller.require("read:actions")?;
    let query = super::ListQuery::parse(q.as_deref(), &[])?;
    let action = load(&app, &id).await?;
    let versions = app.store.list_action_versions(&id).await?;
    Ok(Json(paged(
        &query,
        "versions",
        versions.iter().map(|v| v.to_json(&action)).collect(),
    )))
}

pub async fn version(
    State(app): State<AppState>,
    caller: Caller,
    Path((id, version_id)): Path<(String, String)>,
) -> Result<Json<Value>, ApiError> {
    caller.require("read:actions")?;
    let action = load(&app, &id).await?;
    let versions = app.store.list_action_versions(&id).await?;
    let v = versions
        .iter()
        .find(|v| v.id == version_id)
        .ok_or_else(|| ApiError::not_found("The version does not exist", "inexistent_version"))?;
    Ok(Json(v.to_json(&action)))
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct TestPayload {
    payload: Value,
}

/// `POST …/test`: runs the draft with a sample event and reports what it asked
/// for (or its error). Nothing is stored and no metadata is written.
pub async fn test(
    State(app): State<AppState>,
    caller: Caller,
    Path(id): Path<String>,
    headers: HeaderMap,
    b: Body,
) -> Result<Json<Value>, ApiError> {
    // Running an action hands it its secrets: only a caller who could write
    // one (and so run any code) may run it here, as in Auth0.
    caller.require("create:actions")?;
    let bytes = read_body(b).await?;
    let TestPayload { payload } = body::api_json(&headers, &bytes)?;
    let Value::Object(mut event) = payload else {
        return Err(invalid(
            "Payload validation error: must be an object on property payload.",
        ));
    };
    let action = load(&app, &id).await?;
    let Some(trigger) = sandbox_trigger(action.trigger()) else {
        return Err(invalid("The action's trigger cannot be tested"));
    };
    if !event.contains_key("secrets") {
        event.insert(
            "secrets".into(),
            Value::Object(action_secrets(&app.kek, &action)),
        );
    }
    let script = match Script::compile(trigger, &action.code) {
        Ok(s) => s,
        Err(e) => {
            return Ok(Json(
                json!({"payload": {"error": {"message": e.to_string()}}}),
            ));
        }
    };
    let started = std::time::Instant::now();
    let result =
        crate::triggers::run_one(&script, Value::Object(event), app.config.script_limits()).await;
    let millis = started.elapsed().as_millis() as u64;
    Ok(Json(match result {
        Ok(outcome) => json!({"payload": {
            "commands": outcome,
            "logs": outcome.logs,
            "stats": {"total_runtime": millis},
        }}),
        Err(e) => json!({"payload": {
            "error": {"message": e.to_string()},
            "stats": {"total_runtime": millis},
        }}),
    }))
}

pub async fn triggers(
    State(_app): State<AppState>,
    caller: Caller,
) -> Result<Json<Value>, ApiError> {
    caller.require("read:actions")?;
    let triggers: Vec<Value> = actions::TRIGGERS
        .iter()
        .map(|(id, version)| {
            json!({
                "id": id,
                "version": version,
                "status": "CURRENT",
                "runtimes": [actions::RUNTIME],
                "default_runtime": actions::RUNTIME,
                "compatible_triggers": [],
            })
        })
        .collect();
    Ok(Json(json!({"triggers": triggers})))
}

fn check_trigger(trigger: &str) -> Result<(), ApiError> {
    if actions::is_trigger(trigger) {
        Ok(())
    } else {
        Err(ApiError::not_found(
            format!(
                "Unknown trigger {trigger:?}; Portcullis runs post-login and credentials-exchange"
            ),
            "inexistent_trigger",
        ))
    }
}

async fn bindings_json(app: &AppState, bindings: &[Binding]) -> Result<Vec<Value>, ApiError> {
    let mut out = Vec::new();
    for b in bindings {
        let action = app.store.get_action(&b.action_id).await?;
        out.push(json!({
            "id": b.id,
            "trigger_id": b.trigger_id,
            "display_name": b.display_name,
            "action": action.map(|a| a.to_json()),
            "created_at": b.created_at,
            "updated_at": b.updated_at,
        }));
    }
    Ok(out)
}

pub async fn bindings(
    State(app): State<AppState>,
    caller: Caller,
    Path(trigger): Path<String>,
    RawQuery(q): RawQuery,
) -> Result<Json<Value>, ApiError> {
    caller.require("read:actions")?;
    check_trigger(&trigger)?;
    let query = super::ListQuery::parse(q.as_deref(), &[])?;
    let bindings = app.store.get_bindings(&trigger).await?;
    let items = bindings_json(&app, &bindings).await?;
    Ok(Json(paged(&query, "bindings", items)))
}

/// The deployed action of `trigger` that a binding's reference names (by
/// action id or name, or the id of a binding it replaces).
fn bound_action<'a>(
    all: &'a [Action],
    previous: &[Binding],
    trigger: &str,
    r: &portcullis_core::actions::BindingRef,
) -> Result<&'a Action, ApiError> {
    let action = match r.kind.as_str() {
        "action_id" => all.iter().find(|a| a.id == r.value),
        "action_name" => all.iter().find(|a| a.name == r.value),
        "binding_id" => previous
            .iter()
            .find(|b| b.id == r.value)
            .and_then(|b| all.iter().find(|a| a.id == b.action_id)),
        other => {
            return Err(invalid(format!(
                "Payload validation error: unknown ref type {other:?} (use action_id, action_name or binding_id) on property bindings."
            )));
        }
    };
    let Some(action) = action else {
        return Err(invalid(format!(
            "Payload validation error: no action matches {} {:?} on property bindings.",
            r.kind, r.value
        )));
    };
    if action.trigger() != trigger {
        return Err(invalid(format!(
            "Payload validation error: action {:?} is for {}, not {trigger} on property bindings.",
            action.name,
            action.trigger()
        )));
    }
    if action.deployed_version.is_none() {
        return Err(invalid(format!(
            "Payload validation error: action {:?} has not been deployed on property bindings.",
            action.name
        )));
    }
    Ok(action)
}

/// `PATCH …/bindings`: the trigger's bindings, replaced in the given order.
/// Each refers to a deployed action for this trigger, by id or by name.
pub async fn set_bindings(
    State(app): State<AppState>,
    caller: Caller,
    Path(trigger): Path<String>,
    headers: HeaderMap,
    b: Body,
) -> Result<Json<Value>, ApiError> {
    caller.require("update:actions")?;
    check_trigger(&trigger)?;
    let bytes = read_body(b).await?;
    let payload: BindingsPayload = body::api_json(&headers, &bytes)?;
    if payload.bindings.len() > actions::MAX_BINDINGS {
        return Err(invalid(format!(
            "Payload validation error: at most {} bindings on property bindings.",
            actions::MAX_BINDINGS
        )));
    }
    let all = app.store.list_actions().await?;
    let previous = app.store.get_bindings(&trigger).await?;
    let now = iso8601(app.now());
    let mut out: Vec<Binding> = Vec::new();
    for p in payload.bindings {
        let action = bound_action(&all, &previous, &trigger, &p.reference)?;
        if out.iter().any(|b| b.action_id == action.id) {
            return Err(invalid(format!(
                "Payload validation error: action {:?} is bound twice on property bindings.",
                action.name
            )));
        }
        // A binding that stays keeps its id and creation time.
        let kept = previous.iter().find(|b| b.action_id == action.id);
        out.push(Binding {
            id: kept.map_or_else(
                || format!("bnd_{}", portcullis_core::random::alphanumeric(20)),
                |b| b.id.clone(),
            ),
            trigger_id: trigger.clone(),
            action_id: action.id.clone(),
            display_name: p.display_name.unwrap_or_else(|| action.name.clone()),
            created_at: kept.map_or_else(|| now.clone(), |b| b.created_at.clone()),
            updated_at: now.clone(),
        });
    }
    app.store.set_bindings(&trigger, &out, app.now()).await?;
    let items = bindings_json(&app, &out).await?;
    Ok(Json(json!({"bindings": items})))
}
