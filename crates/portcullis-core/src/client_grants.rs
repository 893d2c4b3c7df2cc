//! Client grants: Auth0's permission for one client to get tokens for one API
//! (audience) with a set of scopes, through the client-credentials grant.

use serde::{Deserialize, Serialize};

use crate::resource_servers::ResourceServer;
use crate::validation::{Validated, ValidationError};

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ClientGrant {
    pub id: String,
    pub client_id: String,
    pub audience: String,
    pub scope: Vec<String>,
    /// Grants every scope the API defines now or later (used by the bootstrap
    /// administrator, so that upgrades adding Management API scopes reach it).
    #[serde(default)]
    pub allow_all_scopes: bool,
    /// Whether a client-credentials token of this grant may be for an
    /// organization (Auth0's `organization_usage`; `deny` when unset).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub organization_usage: Option<crate::organizations::OrganizationUsage>,
    /// Any organization may be named (otherwise only those the grant is
    /// associated with).
    #[serde(default)]
    pub allow_any_organization: bool,
}

impl ClientGrant {
    /// The scopes this grant allows on `api`.
    pub fn granted_scopes(&self, api: &ResourceServer) -> Vec<String> {
        if self.allow_all_scopes {
            api.scopes.iter().map(|s| s.value.clone()).collect()
        } else {
            self.scope.clone()
        }
    }
}

#[derive(Debug, Clone, Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct ClientGrantCreate {
    pub client_id: String,
    pub audience: String,
    pub scope: Vec<String>,
    #[serde(default)]
    pub allow_all_scopes: Option<bool>,
    #[serde(default)]
    pub organization_usage: Option<crate::organizations::OrganizationUsage>,
    #[serde(default)]
    pub allow_any_organization: Option<bool>,
}

#[derive(Debug, Clone, Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct ClientGrantPatch {
    pub scope: Option<Vec<String>>,
    pub allow_all_scopes: Option<bool>,
    pub organization_usage: Option<crate::organizations::OrganizationUsage>,
    pub allow_any_organization: Option<bool>,
}

/// Every scope of a grant must exist on its API.
pub fn validate_scopes(scope: &[String], api: &ResourceServer) -> Validated<()> {
    for s in scope {
        if !api.defines_scope(s) {
            return Err(ValidationError::field(
                "scope",
                format!("'{s}' is not defined by the API '{}'", api.identifier),
            ));
        }
    }
    Ok(())
}
