//! Running customer code in flows: enabled Rules in their order, then the
//! actions bound to the trigger, each compiled once and run in the sandbox off
//! the async workers. The result is merged into a [`ScriptResult`] that the token
//! builders apply.
//!
//! Compiled scripts are cached per node and reloaded when the tenant's
//! configuration generation moves (see `cache`): at once on this node, within
//! `cache::STALENESS` on the others.

use std::collections::HashMap;
use std::sync::{Arc, Mutex};

use portcullis_core::actions::Action;
use portcullis_core::clients::Client;
use portcullis_core::scripts::{self, FlowInfo, RequestInfo, ScriptResult};
use portcullis_core::users::User;
use portcullis_sandbox::{Outcome, Script, ScriptError, Trigger};
use portcullis_store::StoreError;
use serde_json::{Map, Value};

use crate::app::AppState;

/// Why a flow's scripts did not let it through.
#[derive(Debug, thiserror::Error)]
pub enum ScriptFailure {
    /// `api.access.deny(reason)` or a Rule's `UnauthorizedError`.
    #[error("{reason}")]
    Denied {
        script: String,
        reason: String,
        /// The OAuth error a credentials-exchange action chose.
        code: Option<String>,
    },
    /// The script threw, timed out, ran out of memory or returned too much.
    #[error("{script}: {error}")]
    Failed { script: String, error: ScriptError },
    #[error(transparent)]
    Store(#[from] StoreError),
}

impl ScriptFailure {
    /// Too many scripts running: a temporary condition, not the user's fault.
    pub fn is_busy(&self) -> bool {
        matches!(
            self,
            ScriptFailure::Failed {
                error: ScriptError::Busy,
                ..
            }
        )
    }

    pub fn script(&self) -> &str {
        match self {
            ScriptFailure::Denied { script, .. } | ScriptFailure::Failed { script, .. } => script,
            ScriptFailure::Store(_) => "",
        }
    }
}

struct NamedScript {
    name: String,
    script: Script,
    /// An action's secrets (`event.secrets`), opened.
    secrets: Map<String, Value>,
}

#[derive(Default)]
struct Loaded {
    generation: i64,
    rules: Vec<NamedScript>,
    configuration: Map<String, Value>,
    post_login: Vec<NamedScript>,
    credentials_exchange: Vec<NamedScript>,
}

impl Loaded {
    fn is_empty_for(&self, trigger: Trigger) -> bool {
        match trigger {
            Trigger::PostLogin | Trigger::Rule => {
                self.rules.is_empty() && self.post_login.is_empty()
            }
            Trigger::CredentialsExchange => self.credentials_exchange.is_empty(),
        }
    }
}

/// The per-node cache of compiled scripts.
#[derive(Default)]
pub struct Scripts {
    loaded: Mutex<Option<Arc<Loaded>>>,
    /// Compiled scripts by (trigger, source), kept across reloads so that an
    /// unchanged script is never compiled twice.
    compiled: Mutex<HashMap<(u8, String), Script>>,
}

impl Scripts {
    /// Drops the compiled set; the next flow reloads it.
    pub fn invalidate(&self) {
        if let Ok(mut l) = self.loaded.lock() {
            *l = None;
        }
    }

    fn cached(&self) -> Option<Arc<Loaded>> {
        self.loaded.lock().ok().and_then(|l| l.clone())
    }

    fn keep(&self, loaded: Arc<Loaded>) {
        if let Ok(mut l) = self.loaded.lock() {
            *l = Some(loaded);
        }
    }

    async fn compile(&self, trigger: Trigger, source: &str) -> Result<Script, ScriptError> {
        let key = (trigger as u8, source.to_string());
        if let Some(s) = self.compiled.lock().ok().and_then(|c| c.get(&key).cloned()) {
            return Ok(s);
        }
        let src = source.to_string();
        let script = tokio::task::spawn_blocking(move || Script::compile(trigger, &src))
            .await
            .map_err(|e| ScriptError::Internal(e.to_string()))??;
        if let Ok(mut c) = self.compiled.lock() {
            // Bounded: a tenant edits scripts by hand, but never let it grow
            // without limit.
            if c.len() > 1024 {
                c.clear();
            }
            c.insert(key, script.clone());
        }
        Ok(script)
    }
}

async fn current(app: &AppState) -> Result<Arc<Loaded>, ScriptFailure> {
    let generation = app.cache.generation(app).await?;
    if let Some(loaded) = app.scripts.cached()
        && loaded.generation == generation
    {
        return Ok(loaded);
    }
    let loaded = Arc::new(load(app, generation).await?);
    app.scripts.keep(loaded.clone());
    Ok(loaded)
}

fn open_secret(app: &AppState, aad: &str, sealed: &str) -> Value {
    app.kek
        .open(aad, sealed)
        .ok()
        .and_then(|b| String::from_utf8(b).ok())
        .map_or(Value::Null, Value::String)
}

/// The authenticated-data label a secret is sealed with, so a sealed value
/// cannot be moved to another action or key.
pub fn secret_aad(action_id: &str, name: &str) -> String {
    format!("action-secret:{action_id}:{name}")
}

pub fn rules_config_aad(key: &str) -> String {
    format!("rules-config:{key}")
}

pub fn action_secrets(app: &AppState, a: &Action) -> Map<String, Value> {
    a.secrets
        .iter()
        .map(|s| {
            (
                s.name.clone(),
                open_secret(app, &secret_aad(&a.id, &s.name), &s.sealed),
            )
        })
        .collect()
}

async fn load(app: &AppState, generation: i64) -> Result<Loaded, ScriptFailure> {
    let failed = |name: &str, error: ScriptError| ScriptFailure::Failed {
        script: name.to_string(),
        error,
    };
    let mut rules = Vec::new();
    for r in app.store.list_rules(&app.tenant).await? {
        if !r.enabled {
            continue;
        }
        let script = app
            .scripts
            .compile(Trigger::Rule, &r.script)
            .await
            .map_err(|e| failed(&r.name, e))?;
        rules.push(NamedScript {
            name: r.name,
            script,
            secrets: Map::new(),
        });
    }
    let configuration = app
        .store
        .list_rules_configs(&app.tenant)
        .await?
        .into_iter()
        .map(|(k, sealed)| {
            let v = open_secret(app, &rules_config_aad(&k), &sealed);
            (k, v)
        })
        .collect();
    let bound = |trigger: Trigger, id: &'static str| {
        let app = app.clone();
        async move {
            let mut out = Vec::new();
            for b in app.store.get_bindings(&app.tenant, id).await? {
                let Some(a) = app.store.get_action(&app.tenant, &b.action_id).await? else {
                    continue;
                };
                let Some(v) = &a.deployed_version else {
                    continue;
                };
                let script = app.scripts.compile(trigger, &v.code).await.map_err(|e| {
                    ScriptFailure::Failed {
                        script: a.name.clone(),
                        error: e,
                    }
                })?;
                out.push(NamedScript {
                    name: a.name.clone(),
                    script,
                    secrets: action_secrets(&app, &a),
                });
            }
            Ok::<_, ScriptFailure>(out)
        }
    };
    let post_login = bound(Trigger::PostLogin, "post-login").await?;
    let credentials_exchange = bound(Trigger::CredentialsExchange, "credentials-exchange").await?;
    Ok(Loaded {
        generation,
        rules,
        configuration,
        post_login,
        credentials_exchange,
    })
}

/// Runs one compiled script on the blocking pool.
pub async fn run_one(
    app: &AppState,
    script: &Script,
    input: Value,
) -> Result<Outcome, ScriptError> {
    let script = script.clone();
    let limits = app.config.script_limits();
    tokio::task::spawn_blocking(move || script.run(&input, limits))
        .await
        .map_err(|e| ScriptError::Internal(e.to_string()))?
}

/// Counts a flow's scripts outcome in the metrics.
fn count<T>(app: &AppState, r: &Result<T, ScriptFailure>) {
    app.metrics.script(match r {
        Ok(_) => "ok",
        Err(ScriptFailure::Denied { .. }) => "denied",
        Err(_) => "failed",
    });
}

/// Folds one script's outcome into the flow's result; `Err` on a denial.
fn merge(result: &mut ScriptResult, name: &str, o: Outcome) -> Result<(), ScriptFailure> {
    if let Some(reason) = o.deny {
        return Err(ScriptFailure::Denied {
            script: name.to_string(),
            reason,
            code: o.deny_code,
        });
    }
    result.id_token.extend(o.id_token);
    result.access_token.extend(o.access_token);
    result.add_scopes.extend(o.add_scopes);
    result.remove_scopes.extend(o.remove_scopes);
    result.user_metadata.extend(o.user_metadata);
    result.app_metadata.extend(o.app_metadata);
    if let Some(l) = o.lifetime {
        result.id_token_lifetime = Some(l);
    }
    if let Some(s) = o.scopes.as_ref().and_then(scripts::scope_list) {
        result.scope = Some(s);
    }
    if let Some(s) = o.id_token_scopes.as_ref().and_then(scripts::scope_list) {
        result.id_token_scope = Some(s);
    }
    Ok(())
}

/// What a post-login run is about.
pub struct PostLogin<'a> {
    pub user: &'a User,
    pub client: &'a Client,
    pub request: &'a RequestInfo,
    pub flow: FlowInfo<'a>,
}

/// Runs enabled rules in order, then the post-login actions in binding order.
/// Metadata the scripts set is persisted before this returns.
pub async fn post_login(app: &AppState, p: PostLogin<'_>) -> Result<ScriptResult, ScriptFailure> {
    let loaded = current(app).await?;
    if loaded.is_empty_for(Trigger::PostLogin) {
        return Ok(ScriptResult::default());
    }
    let r = run_post_login(app, &loaded, p).await;
    count(app, &r);
    r
}

async fn run_post_login(
    app: &AppState,
    loaded: &Loaded,
    p: PostLogin<'_>,
) -> Result<ScriptResult, ScriptFailure> {
    let mut result = ScriptResult::default();
    for r in &loaded.rules {
        let input = scripts::rule_input(
            p.user,
            p.client,
            p.request,
            &p.flow,
            &loaded.configuration,
            &result,
        );
        let outcome =
            run_one(app, &r.script, input)
                .await
                .map_err(|error| ScriptFailure::Failed {
                    script: r.name.clone(),
                    error,
                })?;
        // A rule returns the whole context: its token maps replace the ones it was
        // given (which held the earlier rules' claims).
        result.id_token.clear();
        result.access_token.clear();
        merge(&mut result, &r.name, outcome)?;
    }
    let event = |secrets: &Map<String, Value>| {
        scripts::post_login_event(p.user, p.client, p.request, &p.flow, secrets, &app.tenant)
    };
    run_actions(app, &loaded.post_login, &mut result, event).await?;
    persist_metadata(app, &p.user.user_id, &result).await?;
    Ok(result)
}

/// Runs `actions` in binding order, each with the event `event_for` makes from
/// its secrets, folding their outcomes into `result`.
async fn run_actions(
    app: &AppState,
    actions: &[NamedScript],
    result: &mut ScriptResult,
    event_for: impl Fn(&Map<String, Value>) -> Value,
) -> Result<(), ScriptFailure> {
    for a in actions {
        let outcome = run_one(app, &a.script, event_for(&a.secrets))
            .await
            .map_err(|error| ScriptFailure::Failed {
                script: a.name.clone(),
                error,
            })?;
        merge(result, &a.name, outcome)?;
    }
    Ok(())
}

/// Runs the credentials-exchange actions for a client-credentials request.
pub async fn credentials_exchange(
    app: &AppState,
    client: &Client,
    request: &RequestInfo,
    audience: &str,
    scope: &str,
) -> Result<ScriptResult, ScriptFailure> {
    let loaded = current(app).await?;
    if loaded.is_empty_for(Trigger::CredentialsExchange) {
        return Ok(ScriptResult::default());
    }
    // Only split the granted scope when there is an action to see it.
    let scopes: Vec<String> = scope.split_whitespace().map(str::to_string).collect();
    let r = run_credentials_exchange(app, &loaded, client, request, audience, &scopes).await;
    count(app, &r);
    r
}

async fn run_credentials_exchange(
    app: &AppState,
    loaded: &Loaded,
    client: &Client,
    request: &RequestInfo,
    audience: &str,
    scopes: &[String],
) -> Result<ScriptResult, ScriptFailure> {
    let mut result = ScriptResult::default();
    let event = |secrets: &Map<String, Value>| {
        scripts::credentials_exchange_event(client, request, audience, scopes, secrets, &app.tenant)
    };
    run_actions(app, &loaded.credentials_exchange, &mut result, event).await?;
    Ok(result)
}

/// Merges what the scripts set into the user's metadata (a `null` value removes
/// the key, as in the Management API).
async fn persist_metadata(
    app: &AppState,
    user_id: &str,
    result: &ScriptResult,
) -> Result<(), StoreError> {
    if result.user_metadata.is_empty() && result.app_metadata.is_empty() {
        return Ok(());
    }
    let Some((mut user, _)) = app.store.get_user(&app.tenant, user_id).await? else {
        return Ok(());
    };
    let apply = |target: &mut Map<String, Value>, changes: &Map<String, Value>| {
        for (k, v) in changes {
            if v.is_null() {
                target.remove(k);
            } else {
                target.insert(k.clone(), v.clone());
            }
        }
    };
    apply(&mut user.user_metadata, &result.user_metadata);
    apply(&mut user.app_metadata, &result.app_metadata);
    app.store
        .update_user(&app.tenant, &user, None, app.now())
        .await?;
    Ok(())
}

/// Writes Auth0's failure event for a flow that a script stopped (`f` for a
/// login, `feccft` for client credentials, …), with the script and its error.
pub async fn audit_failure(
    app: &AppState,
    event_type: crate::audit::Code,
    client: &Client,
    user: Option<&User>,
    ip: Option<&str>,
    f: &ScriptFailure,
) {
    let description = f.to_string();
    crate::audit::record(
        app,
        crate::audit::Event {
            event_type,
            description: &description,
            client_id: Some(&client.client_id),
            client_name: Some(&client.name),
            user_id: user.map(|u| u.user_id.as_str()),
            user_name: user.map(|u| u.email.as_str()),
            ip,
            details: Some(serde_json::json!({"script": f.script()})),
        },
    )
    .await;
}
