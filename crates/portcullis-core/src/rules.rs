//! Auth0 Rules (legacy, still accepted): `function (user, context, callback)`,
//! run at login in `order`.

use serde::{Deserialize, Serialize};

use crate::validation::{self, Validated, ValidationError};

/// Auth0 caps a rule's script; so do we (100 KB).
pub const MAX_SCRIPT_BYTES: usize = 100 * 1024;

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Rule {
    pub id: String,
    pub name: String,
    pub script: String,
    pub order: i64,
    pub enabled: bool,
    pub stage: String,
}

#[derive(Debug, Default, Clone, Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct RulePayload {
    pub name: Option<String>,
    pub script: Option<String>,
    pub order: Option<i64>,
    pub enabled: Option<bool>,
    pub stage: Option<String>,
}

impl RulePayload {
    /// A new rule; `next_order` is used when no `order` is given.
    pub fn into_new(self, id: String, next_order: i64) -> Validated<Rule> {
        let Some(name) = self.name.clone() else {
            return Err(ValidationError::field("name", "Missing required property"));
        };
        let Some(script) = self.script.clone() else {
            return Err(ValidationError::field(
                "script",
                "Missing required property",
            ));
        };
        let rule = Rule {
            id,
            name,
            script,
            order: next_order,
            enabled: true,
            stage: "login_success".into(),
        };
        self.apply_to(rule)
    }

    pub fn apply_to(self, mut r: Rule) -> Validated<Rule> {
        if let Some(v) = self.name {
            r.name = v;
        }
        if let Some(v) = self.script {
            r.script = v;
        }
        if let Some(v) = self.order {
            r.order = v;
        }
        if let Some(v) = self.enabled {
            r.enabled = v;
        }
        if let Some(v) = self.stage {
            r.stage = v;
        }
        validate(&r)?;
        Ok(r)
    }
}

fn validate(r: &Rule) -> Validated<()> {
    validation::display_name("name", &r.name, 255)?;
    if r.script.trim().is_empty() {
        return Err(ValidationError::field("script", "must not be empty"));
    }
    if r.script.len() > MAX_SCRIPT_BYTES {
        return Err(ValidationError::field(
            "script",
            format!("must be at most {MAX_SCRIPT_BYTES} bytes"),
        ));
    }
    if r.order < 0 {
        return Err(ValidationError::field("order", "must not be negative"));
    }
    if r.stage != "login_success" {
        return Err(ValidationError::field(
            "stage",
            "only login_success is supported",
        ));
    }
    Ok(())
}
