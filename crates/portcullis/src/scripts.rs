//! Customer code, compiled: the enabled Rules in their order and the actions
//! bound to each trigger, each compiled once ([`Scripts::load`]), with their
//! outcomes merged into a [`ScriptResult`]. `crate::triggers` runs them.
//!
//! Compiled scripts are cached per node and reloaded when the tenant's
//! configuration generation moves (see `generation`): at once on this node,
//! within `generation::STALENESS` on the others.

use std::collections::HashMap;
use std::sync::{Arc, Mutex};

use portcullis_core::actions::Action;
use portcullis_core::scripts::{self, ScriptResult};
use portcullis_sandbox::{Outcome, Script, ScriptError, Trigger};
use portcullis_store::StoreError;
use serde_json::{Map, Value};

use portcullis_core::keys::KeyEncryptionKey;
use portcullis_store::TenantStore;

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

/// A compiled Rule or Action, by its name.
pub(crate) struct NamedScript {
    pub(crate) name: String,
    pub(crate) script: Script,
    /// An action's secrets (`event.secrets`), opened.
    pub(crate) secrets: Map<String, Value>,
}

/// Everything that runs in flows, compiled, at one configuration generation.
#[derive(Default)]
pub(crate) struct Loaded {
    pub(crate) generation: i64,
    pub(crate) rules: Vec<NamedScript>,
    pub(crate) configuration: Map<String, Value>,
    pub(crate) post_login: Vec<NamedScript>,
    pub(crate) credentials_exchange: Vec<NamedScript>,
}

impl Loaded {
    pub(crate) fn is_empty_for(&self, trigger: Trigger) -> bool {
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

    pub(crate) fn cached(&self) -> Option<Arc<Loaded>> {
        self.loaded.lock().ok().and_then(|l| l.clone())
    }

    pub(crate) fn keep(&self, loaded: Arc<Loaded>) {
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

/// The authenticated-data label a secret is sealed with, so a sealed value
/// cannot be moved to another action or key.
pub fn secret_aad(action_id: &str, name: &str) -> String {
    format!("action-secret:{action_id}:{name}")
}

pub fn rules_config_aad(key: &str) -> String {
    format!("rules-config:{key}")
}

fn open_secret(kek: &KeyEncryptionKey, aad: &str, sealed: &str) -> Value {
    kek.open(aad, sealed)
        .ok()
        .and_then(|b| String::from_utf8(b).ok())
        .map_or(Value::Null, Value::String)
}

/// An action's secrets, opened with the key-encryption key.
pub fn action_secrets(kek: &KeyEncryptionKey, a: &Action) -> Map<String, Value> {
    a.secrets
        .iter()
        .map(|s| {
            (
                s.name.clone(),
                open_secret(kek, &secret_aad(&a.id, &s.name), &s.sealed),
            )
        })
        .collect()
}

impl Scripts {
    /// Reads and compiles the enabled Rules and the actions bound to each
    /// trigger, as they are at `generation`.
    pub(crate) async fn load(
        &self,
        store: &TenantStore,
        kek: &KeyEncryptionKey,
        generation: i64,
    ) -> Result<Loaded, ScriptFailure> {
        let failed = |name: &str, error: ScriptError| ScriptFailure::Failed {
            script: name.to_string(),
            error,
        };
        let mut rules = Vec::new();
        for r in store.list_rules().await? {
            if !r.enabled {
                continue;
            }
            let script = self
                .compile(Trigger::Rule, &r.script)
                .await
                .map_err(|e| failed(&r.name, e))?;
            rules.push(NamedScript {
                name: r.name,
                script,
                secrets: Map::new(),
            });
        }
        let configuration = store
            .list_rules_configs()
            .await?
            .into_iter()
            .map(|(k, sealed)| {
                let v = open_secret(kek, &rules_config_aad(&k), &sealed);
                (k, v)
            })
            .collect();
        let mut bound = Vec::new();
        for (trigger, id) in [
            (Trigger::PostLogin, "post-login"),
            (Trigger::CredentialsExchange, "credentials-exchange"),
        ] {
            let mut out = Vec::new();
            for b in store.get_bindings(id).await? {
                let Some(a) = store.get_action(&b.action_id).await? else {
                    continue;
                };
                let Some(v) = &a.deployed_version else {
                    continue;
                };
                let script = self
                    .compile(trigger, &v.code)
                    .await
                    .map_err(|e| failed(&a.name, e))?;
                out.push(NamedScript {
                    name: a.name.clone(),
                    script,
                    secrets: action_secrets(kek, &a),
                });
            }
            bound.push(out);
        }
        let credentials_exchange = bound.pop().unwrap_or_default();
        let post_login = bound.pop().unwrap_or_default();
        Ok(Loaded {
            generation,
            rules,
            configuration,
            post_login,
            credentials_exchange,
        })
    }
}

/// Folds one script's outcome into the flow's result; `Err` on a denial.
pub(crate) fn merge(
    result: &mut ScriptResult,
    name: &str,
    o: Outcome,
) -> Result<(), ScriptFailure> {
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
    if let Some(m) = &o.multifactor {
        let provider = m["provider"].as_str().unwrap_or("any");
        match provider {
            // Auth0's "none" lets the login through without MFA when only a
            // script would have asked; it never overrides the tenant's policy.
            "none" => {}
            "any"
            | "guardian"
            | "google-authenticator"
            | "otp"
            | "email"
            | "webauthn-roaming"
            | "webauthn-platform" => {
                result.multifactor = Some(provider.to_string());
                result.mfa_remember_browser = m["allowRememberBrowser"].as_bool() == Some(true);
            }
            other => {
                // Fail closed: a provider Portcullis cannot ask for (Duo)
                // refuses the login rather than letting it through.
                return Err(ScriptFailure::Denied {
                    script: name.to_string(),
                    reason: format!(
                        "the MFA provider '{other}' is not supported by Portcullis (any, guardian, google-authenticator, otp, email, webauthn-roaming, webauthn-platform)"
                    ),
                    code: None,
                });
            }
        }
    }
    Ok(())
}
