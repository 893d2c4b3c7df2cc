//! Auth0 Actions: customer code bound to a trigger (`post-login`,
//! `credentials-exchange`). An action is edited as a draft, deployed as a
//! numbered version, and runs only once deployed and bound to its trigger.

use serde::{Deserialize, Serialize};
use serde_json::Value;

use crate::rules::MAX_SCRIPT_BYTES;
use crate::validation::{self, Validated, ValidationError};

/// The triggers Portcullis runs, with the version Auth0 currently documents.
pub const TRIGGERS: &[(&str, &str)] = &[("post-login", "v3"), ("credentials-exchange", "v2")];

/// The Node.js runtime name Auth0 reports; the code runs in QuickJS here.
pub const RUNTIME: &str = "node18";

pub fn is_trigger(id: &str) -> bool {
    TRIGGERS.iter().any(|(t, _)| *t == id)
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, schemars::JsonSchema)]
pub struct SupportedTrigger {
    pub id: String,
    #[serde(default)]
    pub version: String,
}

/// A secret as stored: its value sealed under the key-encryption key. The value
/// is never returned by the API, as in Auth0.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct StoredSecret {
    pub name: String,
    pub sealed: String,
    pub updated_at: String,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, schemars::JsonSchema)]
pub struct Dependency {
    pub name: String,
    pub version: String,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Action {
    pub id: String,
    pub name: String,
    pub supported_triggers: Vec<SupportedTrigger>,
    pub code: String,
    #[serde(default)]
    pub dependencies: Vec<Dependency>,
    pub runtime: String,
    #[serde(default)]
    pub secrets: Vec<StoredSecret>,
    /// The version that runs when the action is bound.
    #[serde(default)]
    pub deployed_version: Option<ActionVersion>,
    pub created_at: String,
    pub updated_at: String,
}

impl Action {
    /// The trigger the action is for (Auth0 allows one per action).
    pub fn trigger(&self) -> &str {
        self.supported_triggers
            .first()
            .map(|t| t.id.as_str())
            .unwrap_or_default()
    }

    pub fn all_changes_deployed(&self) -> bool {
        self.deployed_version
            .as_ref()
            .is_some_and(|v| v.code == self.code)
    }

    /// Auth0's action shape; secrets by name only.
    pub fn to_json(&self) -> Value {
        serde_json::json!({
            "id": self.id,
            "name": self.name,
            "supported_triggers": self.supported_triggers,
            "code": self.code,
            "dependencies": self.dependencies,
            "runtime": self.runtime,
            "secrets": self.secrets.iter().map(|s| serde_json::json!({"name": s.name, "updated_at": s.updated_at})).collect::<Vec<_>>(),
            "deployed_version": self.deployed_version.as_ref().map(|v| v.to_json(self)),
            "all_changes_deployed": self.all_changes_deployed(),
            "status": "built",
            "built_at": self.updated_at,
            "created_at": self.created_at,
            "updated_at": self.updated_at,
        })
    }
}

/// A deployed, immutable snapshot of an action's code.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ActionVersion {
    pub id: String,
    pub action_id: String,
    pub number: i64,
    pub code: String,
    pub created_at: String,
}

impl ActionVersion {
    pub fn to_json(&self, action: &Action) -> Value {
        let deployed = action
            .deployed_version
            .as_ref()
            .is_some_and(|v| v.id == self.id);
        serde_json::json!({
            "id": self.id,
            "action_id": self.action_id,
            "number": self.number,
            "code": self.code,
            "dependencies": action.dependencies,
            "runtime": action.runtime,
            "supported_triggers": action.supported_triggers,
            "deployed": deployed,
            "status": "built",
            "built_at": self.created_at,
            "created_at": self.created_at,
            "updated_at": self.created_at,
        })
    }
}

/// A secret as sent: `{name, value}`.
#[derive(Debug, Clone, Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct SecretPayload {
    pub name: String,
    pub value: Option<String>,
}

/// `POST /api/v2/actions/actions` and `PATCH …/{id}`.
#[derive(Debug, Default, Clone, Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct ActionPayload {
    pub name: Option<String>,
    pub supported_triggers: Option<Vec<SupportedTrigger>>,
    pub code: Option<String>,
    pub dependencies: Option<Vec<Dependency>>,
    pub runtime: Option<String>,
    pub secrets: Option<Vec<SecretPayload>>,
}

impl ActionPayload {
    /// Checks everything but the secrets, which the caller seals and applies.
    pub fn into_new(self, id: String, now: &str) -> Validated<Action> {
        let Some(name) = self.name.clone() else {
            return Err(ValidationError::field("name", "Missing required property"));
        };
        if self.supported_triggers.is_none() {
            return Err(ValidationError::field(
                "supported_triggers",
                "Missing required property",
            ));
        }
        let action = Action {
            id,
            name,
            supported_triggers: Vec::new(),
            code: String::new(),
            dependencies: Vec::new(),
            runtime: RUNTIME.into(),
            secrets: Vec::new(),
            deployed_version: None,
            created_at: now.into(),
            updated_at: now.into(),
        };
        self.apply_to(action, now)
    }

    pub fn apply_to(self, mut a: Action, now: &str) -> Validated<Action> {
        if let Some(v) = self.name {
            a.name = v;
        }
        if let Some(v) = self.supported_triggers {
            a.supported_triggers = v;
        }
        if let Some(v) = self.code {
            a.code = v;
        }
        if let Some(v) = self.dependencies {
            a.dependencies = v;
        }
        if let Some(v) = self.runtime {
            a.runtime = v;
        }
        a.updated_at = now.into();
        validate(&a)?;
        Ok(a)
    }
}

fn validate(a: &Action) -> Validated<()> {
    validation::display_name("name", &a.name, 255)?;
    match a.supported_triggers.as_slice() {
        [t] if is_trigger(&t.id) => {}
        [t] => {
            return Err(ValidationError::field(
                "supported_triggers",
                format!(
                    "trigger {:?} is not supported; use post-login or credentials-exchange",
                    t.id
                ),
            ));
        }
        _ => {
            return Err(ValidationError::field(
                "supported_triggers",
                "must name exactly one trigger",
            ));
        }
    }
    if a.code.len() > MAX_SCRIPT_BYTES {
        return Err(ValidationError::field(
            "code",
            format!("must be at most {MAX_SCRIPT_BYTES} bytes"),
        ));
    }
    // No package registry is reachable from the sandbox: say so at save time
    // instead of failing at the first login.
    if let Some(d) = a.dependencies.first() {
        return Err(ValidationError::field(
            "dependencies",
            format!(
                "npm dependencies ({}) are not supported; the sandbox has no module loader",
                d.name
            ),
        ));
    }
    Ok(())
}

/// Checks a secret's name as Auth0 does (a JavaScript-friendly identifier).
pub fn validate_secret_name(name: &str) -> Validated<()> {
    let ok = !name.is_empty()
        && name.len() <= 255
        && name
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || c == '_' || c == '-' || c == '.');
    if ok {
        Ok(())
    } else {
        Err(ValidationError::field(
            "secrets",
            format!("invalid secret name {name:?}"),
        ))
    }
}

/// One action bound to a trigger, in run order.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Binding {
    pub id: String,
    pub trigger_id: String,
    pub action_id: String,
    pub display_name: String,
    pub created_at: String,
    pub updated_at: String,
}

/// `PATCH /api/v2/actions/triggers/{trigger}/bindings`: `{bindings: [{ref, display_name}]}`.
#[derive(Debug, Clone, Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct BindingsPayload {
    pub bindings: Vec<BindingPayload>,
}

#[derive(Debug, Clone, Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct BindingPayload {
    #[serde(rename = "ref")]
    pub reference: BindingRef,
    pub display_name: Option<String>,
    #[serde(default)]
    pub secrets: Option<Value>,
}

#[derive(Debug, Clone, Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct BindingRef {
    /// `action_id`, `action_name` (Auth0 also has `binding_id`).
    #[serde(rename = "type")]
    pub kind: String,
    pub value: String,
}

/// The most bindings one trigger may have (Auth0's limit is in the same range).
pub const MAX_BINDINGS: usize = 20;

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn payload(v: Value) -> ActionPayload {
        serde_json::from_value(v).unwrap()
    }

    #[test]
    fn an_action_names_exactly_one_known_trigger() {
        let ok = payload(
            json!({"name": "a", "supported_triggers": [{"id": "post-login", "version": "v3"}], "code": "x"}),
        );
        assert_eq!(
            ok.into_new("act_1".into(), "t").unwrap().trigger(),
            "post-login"
        );
        let bad =
            payload(json!({"name": "a", "supported_triggers": [{"id": "pre-user-registration"}]}));
        assert!(
            bad.into_new("act_1".into(), "t")
                .unwrap_err()
                .message
                .contains("supported_triggers")
        );
    }

    #[test]
    fn npm_dependencies_are_refused_at_save_time() {
        let p = payload(
            json!({"name": "a", "supported_triggers": [{"id": "post-login"}], "dependencies": [{"name": "axios", "version": "1"}]}),
        );
        assert!(
            p.into_new("x".into(), "t")
                .unwrap_err()
                .message
                .contains("axios")
        );
    }

    #[test]
    fn draft_changes_are_not_deployed_until_deploy() {
        let mut a = payload(
            json!({"name": "a", "supported_triggers": [{"id": "post-login"}], "code": "v1"}),
        )
        .into_new("x".into(), "t")
        .unwrap();
        assert!(!a.all_changes_deployed());
        a.deployed_version = Some(ActionVersion {
            id: "v".into(),
            action_id: "x".into(),
            number: 1,
            code: "v1".into(),
            created_at: "t".into(),
        });
        assert!(a.all_changes_deployed());
        a.code = "v2".into();
        assert!(!a.all_changes_deployed());
    }
}
