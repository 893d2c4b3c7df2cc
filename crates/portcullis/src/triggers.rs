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
use portcullis_sandbox::Limits;
use portcullis_sandbox::{Outcome, Script, ScriptError, Trigger};
use portcullis_store::{StoreError, TenantStore};
use serde_json::{Map, Value};

use crate::metrics::Metrics;
use crate::scripts::{Loaded, NamedScript, ScriptFailure, merge};

/// The scripts of the tenant's configuration generation, and what running them
/// needs: the store (to persist metadata the scripts change), the sandbox's
/// limits, the metrics and the request's `now`. Built per request by
/// `AppState::triggers`, which reloads the scripts when the generation moved.
pub struct Triggers<'a> {
    pub store: &'a TenantStore,
    pub(crate) loaded: Arc<Loaded>,
    pub limits: Limits,
    pub metrics: &'a Metrics,
    pub now: i64,
}

/// Runs one compiled script on the blocking pool.
pub async fn run_one(
    script: &Script,
    input: Value,
    limits: Limits,
) -> Result<Outcome, ScriptError> {
    let script = script.clone();
    tokio::task::spawn_blocking(move || script.run(&input, limits))
        .await
        .map_err(|e| ScriptError::Internal(e.to_string()))?
}

/// What a post-login run is about.
pub struct PostLogin<'a> {
    pub user: &'a User,
    pub client: &'a Client,
    pub request: &'a RequestInfo,
    pub flow: FlowInfo<'a>,
}

impl Triggers<'_> {
    /// Counts a flow's scripts outcome in the metrics.
    fn count<T>(&self, r: &Result<T, ScriptFailure>) {
        self.metrics.script(match r {
            Ok(_) => "ok",
            Err(ScriptFailure::Denied { .. }) => "denied",
            Err(_) => "failed",
        });
    }

    /// Runs enabled rules in order, then the post-login actions in binding order.
    /// Metadata the scripts set is persisted before this returns.
    pub async fn post_login(&self, p: PostLogin<'_>) -> Result<ScriptResult, ScriptFailure> {
        if self.loaded.is_empty_for(Trigger::PostLogin) {
            return Ok(ScriptResult::default());
        }
        let r = self.run_post_login(p).await;
        self.count(&r);
        r
    }

    async fn run_post_login(&self, p: PostLogin<'_>) -> Result<ScriptResult, ScriptFailure> {
        let loaded = &self.loaded;
        let mut result = ScriptResult::default();
        // Read only when a script will see them (the early return above).
        let roles = self.store.user_role_names(&p.user.user_id).await?;
        let connection = self
            .store
            .get_connection_by_name(p.user.connection())
            .await?;
        let p = PostLogin {
            flow: FlowInfo {
                roles: &roles,
                connection: connection.as_ref(),
                ..p.flow
            },
            ..p
        };
        for r in &loaded.rules {
            let input = scripts::rule_input(
                p.user,
                p.client,
                p.request,
                &p.flow,
                &loaded.configuration,
                &result,
            );
            let outcome = run_one(&r.script, input, self.limits)
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
                self.store.id(),
            )
        };
        self.run_actions(&loaded.post_login, &mut result, event)
            .await?;
        self.persist_metadata(&p.user.user_id, &result).await?;
        Ok(result)
    }

    /// Runs `actions` in binding order, each with the event `event_for` makes from
    /// its secrets, folding their outcomes into `result`.
    async fn run_actions(
        &self,
        actions: &[NamedScript],
        result: &mut ScriptResult,
        event_for: impl Fn(&Map<String, Value>) -> Value,
    ) -> Result<(), ScriptFailure> {
        for a in actions {
            let outcome = run_one(&a.script, event_for(&a.secrets), self.limits)
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
        &self,
        client: &Client,
        request: &RequestInfo,
        audience: &str,
        scope: &str,
    ) -> Result<ScriptResult, ScriptFailure> {
        if self.loaded.is_empty_for(Trigger::CredentialsExchange) {
            return Ok(ScriptResult::default());
        }
        // Only split the granted scope when there is an action to see it.
        let scopes: Vec<String> = scope.split_whitespace().map(str::to_string).collect();
        let r = self
            .run_credentials_exchange(client, request, audience, &scopes)
            .await;
        self.count(&r);
        r
    }

    async fn run_credentials_exchange(
        &self,
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
                self.store.id(),
            )
        };
        self.run_actions(&self.loaded.credentials_exchange, &mut result, event)
            .await?;
        Ok(result)
    }

    /// Merges what the scripts set into the user's metadata (a `null` value removes
    /// the key, as in the Management API).
    async fn persist_metadata(
        &self,
        user_id: &str,
        result: &ScriptResult,
    ) -> Result<(), StoreError> {
        if result.user_metadata.is_empty() && result.app_metadata.is_empty() {
            return Ok(());
        }
        let Some((mut user, _)) = self.store.get_user(user_id).await? else {
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
        self.store.update_user(&user, None, self.now).await?;
        Ok(())
    }
}
