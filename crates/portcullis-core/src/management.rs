//! The Management API as a resource server: its audience and the scopes that guard
//! each route (Auth0's names).

use crate::resource_servers::{ResourceServer, ScopeDefinition};

/// Every Management API scope Portcullis knows. The system API defines all of them,
/// and the bootstrap administrator is granted all of them.
pub const MANAGEMENT_SCOPES: &[&str] = &[
    "read:clients",
    "create:clients",
    "update:clients",
    "delete:clients",
    "read:resource_servers",
    "create:resource_servers",
    "update:resource_servers",
    "delete:resource_servers",
    "read:client_grants",
    "create:client_grants",
    "update:client_grants",
    "delete:client_grants",
    "read:users",
    "create:users",
    "update:users",
    "delete:users",
    "read:logs",
    "read:sessions",
    "delete:sessions",
    "read:refresh_tokens",
    "delete:refresh_tokens",
    "read:rules",
    "create:rules",
    "update:rules",
    "delete:rules",
    "read:rules_configs",
    "update:rules_configs",
    "delete:rules_configs",
    "read:actions",
    "create:actions",
    "update:actions",
    "delete:actions",
    "read:signing_keys",
    "create:signing_keys",
    "update:signing_keys",
];

/// `<issuer>api/v2/`, the audience of Management API tokens.
pub fn audience(issuer: &str) -> String {
    format!("{issuer}api/v2/")
}

/// The Management API itself, listed among the APIs as Auth0 lists it (`is_system`).
pub fn system_resource_server(issuer: &str, id: String) -> ResourceServer {
    ResourceServer {
        id,
        name: "Portcullis Management API".into(),
        identifier: audience(issuer),
        is_system: true,
        scopes: MANAGEMENT_SCOPES
            .iter()
            .map(|s| ScopeDefinition {
                value: s.to_string(),
                description: String::new(),
            })
            .collect(),
        signing_alg: "RS256".into(),
        token_lifetime: 86_400,
        token_lifetime_for_web: 7_200,
        allow_offline_access: false,
        skip_consent_for_verifiable_first_party_clients: false,
    }
}
