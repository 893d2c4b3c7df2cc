//! The triggers where customer code runs in a flow (Auth0's post-login and
//! credentials-exchange): enabled Rules in their order, then the actions bound
//! to the trigger, run in the sandbox off the async workers; the outcome is a
//! merged `ScriptResult` that `issuance` applies, and what the scripts changed
//! of the user is stored. The compiled scripts come from `crate::scripts`,
//! reloaded when the configuration generation moves.

use std::sync::Arc;

use portcullis_core::clients::Client;
use portcullis_core::scripts::{self, FlowInfo, RequestInfo, ScriptResult};
use portcullis_core::users::User;
use portcullis_sandbox::{Outcome, Script, ScriptError, Trigger};
use portcullis_store::StoreError;
use serde_json::{Map, Value};

use crate::app::AppState;
use crate::scripts::{Loaded, NamedScript, ScriptFailure, merge};

async fn current(app: &AppState) -> Result<Arc<Loaded>, ScriptFailure> {
    let generation = app.sync_configuration().await?;
    if let Some(loaded) = app.scripts.cached()
        && loaded.generation == generation
    {
        return Ok(loaded);
    }
    let loaded = Arc::new(app.scripts.load(&app.store, &app.kek, generation).await?);
    app.scripts.keep(loaded.clone());
    Ok(loaded)
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
        scripts::post_login_event(
            p.user,
            p.client,
            p.request,
            &p.flow,
            secrets,
            app.store.id(),
        )
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
        scripts::credentials_exchange_event(
            client,
            request,
            audience,
            scopes,
            secrets,
            app.store.id(),
        )
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
    let Some((mut user, _)) = app.store.get_user(user_id).await? else {
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
    app.store.update_user(&user, None, app.now()).await?;
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
    app.audit(crate::audit::Event {
        event_type,
        description: &description,
        client_id: Some(&client.client_id),
        client_name: Some(&client.name),
        user_id: user.map(|u| u.user_id.as_str()),
        user_name: user.map(|u| u.email.as_str()),
        ip,
        details: Some(serde_json::json!({"script": f.script()})),
    })
    .await;
}
