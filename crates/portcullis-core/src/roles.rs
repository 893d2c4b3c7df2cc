//! Role-based access control as Auth0 has it: roles, the permissions they hold
//! (an API's scopes, named by the API's identifier), and what a user flow may
//! grant when an API enforces them.
//!
//! Invariants:
//! - A permission is always one the API defines; assigning any other is refused
//!   (and a scope removed from its API stops counting at once, even before its
//!   assignments are pruned: [`rbac_scope`] and [`permissions_claim`] keep only
//!   defined scopes).
//! - With `enforce_policies`, a user flow gets the requested scopes the user
//!   holds (through a role or directly) and the OpenID scopes, nothing else;
//!   the `permissions` claim lists every permission the user holds for the API,
//!   whatever was requested (Auth0's "Add Permissions in the Access Token").
//! - Client credentials are never decided here: client grants govern them.

use serde::{Deserialize, Serialize};

use crate::resource_servers::ResourceServer;
use crate::scope::OIDC_SCOPES;
use crate::validation::{self, Validated, ValidationError};

/// A role (`rol_…`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Role {
    pub id: String,
    pub name: String,
    pub description: String,
}

/// A new role's id: `rol_` and 16 letters or digits, as Auth0's.
pub fn new_id() -> String {
    format!("rol_{}", crate::random::alphanumeric(16))
}

/// The body of `POST /api/v2/roles` and `PATCH /api/v2/roles/{id}`.
#[derive(Debug, Default, Clone, Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct RolePayload {
    pub name: Option<String>,
    pub description: Option<String>,
}

/// Longest role name and description accepted (Auth0 documents none; these
/// leave room for any real one).
pub const MAX_NAME: usize = 200;
pub const MAX_DESCRIPTION: usize = 1_000;

impl RolePayload {
    pub fn into_new(self, id: String) -> Validated<Role> {
        let Some(name) = self.name.clone() else {
            return Err(ValidationError::field("name", "Missing required property"));
        };
        let role = Role {
            id,
            name,
            description: String::new(),
        };
        self.apply_to(role)
    }

    pub fn apply_to(self, mut role: Role) -> Validated<Role> {
        if let Some(name) = self.name {
            role.name = name.trim().to_string();
        }
        if let Some(d) = self.description {
            role.description = d;
        }
        validation::display_name("name", &role.name, MAX_NAME)?;
        validation::max_len("description", &role.description, MAX_DESCRIPTION)?;
        Ok(role)
    }
}

/// A permission as the API names it.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct PermissionRef {
    pub resource_server_identifier: String,
    pub permission_name: String,
}

/// `{"permissions": [...]}`, the body that adds or removes permissions.
#[derive(Debug, Clone, Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct PermissionsBody {
    pub permissions: Vec<PermissionRef>,
}

/// `{"users": [...]}`, the body that assigns a role to users.
#[derive(Debug, Clone, Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct UsersBody {
    pub users: Vec<String>,
}

/// `{"roles": [...]}`, the body that assigns or removes a user's roles.
#[derive(Debug, Clone, Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct RolesBody {
    pub roles: Vec<String>,
}

/// Most items in one assignment body.
pub const MAX_ITEMS: usize = 1_000;

/// The items of an assignment body, checked: at least one, at most
/// [`MAX_ITEMS`], duplicates dropped in order.
pub fn items<T: Clone + PartialEq>(field: &str, items: &[T]) -> Validated<Vec<T>> {
    if items.is_empty() {
        return Err(ValidationError::field(
            field,
            "Array is too short (0), minimum 1",
        ));
    }
    if items.len() > MAX_ITEMS {
        return Err(ValidationError::field(
            field,
            format!("Array is too long ({}), maximum {MAX_ITEMS}", items.len()),
        ));
    }
    let mut out: Vec<T> = Vec::with_capacity(items.len());
    for i in items {
        if !out.contains(i) {
            out.push(i.clone());
        }
    }
    Ok(out)
}

/// The scopes a user flow grants at `api` when it enforces RBAC: the requested
/// ones the user holds (and the API still defines), and the OpenID scopes.
pub fn rbac_scope(requested: &[String], held: &[String], api: &ResourceServer) -> Vec<String> {
    requested
        .iter()
        .filter(|s| {
            OIDC_SCOPES.contains(&s.as_str()) || (held.contains(s) && api.defines_scope(s.as_str()))
        })
        .cloned()
        .collect()
}

/// The `permissions` claim: every permission the user holds for `api` that it
/// still defines, sorted.
pub fn permissions_claim(held: &[String], api: &ResourceServer) -> Vec<String> {
    let mut out: Vec<String> = held
        .iter()
        .filter(|p| api.defines_scope(p.as_str()))
        .cloned()
        .collect();
    out.sort();
    out.dedup();
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::resource_servers::ResourceServerPayload;

    fn api() -> ResourceServer {
        serde_json::from_value::<ResourceServerPayload>(serde_json::json!({
            "identifier": "https://api.example/",
            "scopes": [{"value": "read:x"}, {"value": "write:x"}, {"value": "delete:x"}],
            "enforce_policies": true
        }))
        .unwrap()
        .into_new("rs".into())
        .unwrap()
    }

    fn v(s: &str) -> Vec<String> {
        s.split(' ').map(String::from).collect()
    }

    #[test]
    fn rbac_grants_only_held_scopes_and_the_openid_ones() {
        let granted = rbac_scope(
            &v("openid profile read:x write:x offline_access"),
            &v("read:x delete:x"),
            &api(),
        );
        assert_eq!(granted, v("openid profile read:x offline_access"));
    }

    #[test]
    fn a_scope_the_api_no_longer_defines_is_never_granted() {
        assert!(rbac_scope(&v("gone"), &v("gone"), &api()).is_empty());
        assert_eq!(permissions_claim(&v("gone read:x"), &api()), v("read:x"));
    }

    #[test]
    fn the_permissions_claim_is_everything_held_whatever_was_asked() {
        assert_eq!(
            permissions_claim(&v("write:x read:x read:x"), &api()),
            v("read:x write:x")
        );
    }

    #[test]
    fn role_names_are_required_and_checked() {
        assert!(RolePayload::default().into_new("r".into()).is_err());
        let bad = RolePayload {
            name: Some("<b>".into()),
            description: None,
        };
        assert!(bad.into_new("r".into()).is_err());
        let ok = RolePayload {
            name: Some(" Admin ".into()),
            description: Some("All of it".into()),
        }
        .into_new("r".into())
        .unwrap();
        assert_eq!(
            (ok.name.as_str(), ok.description.as_str()),
            ("Admin", "All of it")
        );
    }

    #[test]
    fn assignment_bodies_need_one_to_a_thousand_distinct_items() {
        assert!(items::<String>("users", &[]).is_err());
        assert_eq!(
            items("users", &v("a b a")).unwrap(),
            v("a b"),
            "duplicates dropped in order"
        );
        assert!(items("users", &vec!["x".to_string(); MAX_ITEMS + 1]).is_err());
    }
}
