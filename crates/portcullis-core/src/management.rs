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
    "read:client_credentials",
    "create:client_credentials",
    "update:client_credentials",
    "delete:client_credentials",
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
    "create:user_tickets",
    "read:connections",
    "create:connections",
    "update:connections",
    "delete:connections",
    // Beyond Auth0: create an application with a client_id and client_secret
    // chosen by the caller (moving a tenant keeps every app's credentials).
    "migrate:clients",
    "read:roles",
    "create:roles",
    "update:roles",
    "delete:roles",
    "read:role_members",
    "create:role_members",
    "delete:role_members",
    "read:logs",
    "read:log_streams",
    "create:log_streams",
    "update:log_streams",
    "delete:log_streams",
    "read:branding",
    "update:branding",
    "delete:branding",
    "read:prompts",
    "update:prompts",
    "read:grants",
    "delete:grants",
    "read:tenant_settings",
    "update:tenant_settings",
    "create:email_templates",
    "read:email_templates",
    "update:email_templates",
    "read:email_provider",
    "create:email_provider",
    "update:email_provider",
    "delete:email_provider",
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
    "read:guardian_factors",
    "update:guardian_factors",
    "read:mfa_policies",
    "update:mfa_policies",
    "read:guardian_enrollments",
    "delete:guardian_enrollments",
    "read:authentication_methods",
    "delete:authentication_methods",
    "read:signing_keys",
    "create:signing_keys",
    "update:signing_keys",
    "read:organizations",
    "read:organizations_summary",
    "create:organizations",
    "update:organizations",
    "delete:organizations",
    "read:organization_members",
    "create:organization_members",
    "delete:organization_members",
    "read:organization_member_roles",
    "create:organization_member_roles",
    "delete:organization_member_roles",
    "read:organization_connections",
    "create:organization_connections",
    "update:organization_connections",
    "delete:organization_connections",
    "read:organization_invitations",
    "create:organization_invitations",
    "delete:organization_invitations",
    "read:organization_client_grants",
    "create:organization_client_grants",
    "delete:organization_client_grants",
    "read:current_user",
    "update:current_user_metadata",
    "create:current_user_metadata",
    "delete:current_user_metadata",
    "update:current_user_identities",
    "create:current_user_device_credentials",
    "delete:current_user_device_credentials",
];

/// The only Management API scopes a user's token may carry (Auth0: "Get Management
/// API tokens for single-page applications"). They reach the caller's own user
/// only; every other route needs a client-credentials token.
pub const USER_SCOPES: &[&str] = &[
    "read:current_user",
    "update:current_user_metadata",
    "create:current_user_metadata",
    "delete:current_user_metadata",
    "update:current_user_identities",
    "create:current_user_device_credentials",
    "delete:current_user_device_credentials",
];

/// A user flow asked for the Management API and none of the scopes it asked for
/// may be granted to a user.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct UserScopesRefused {
    pub refused: Vec<String>,
}

impl std::fmt::Display for UserScopesRefused {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "The Management API grants users only the current_user scopes; refused: {}",
            self.refused.join(" ")
        )
    }
}

/// The scopes a user flow (authorization code, implicit, hybrid, the password
/// grants, refresh) may get for the Management API: the OpenID scopes and
/// [`USER_SCOPES`]. Anything else is dropped; when the request named Management
/// scopes and none of them may be granted, the flow is refused (`access_denied`)
/// rather than answered with a token that does nothing.
pub fn user_grant_scopes(requested: &[String]) -> Result<Vec<String>, UserScopesRefused> {
    let oidc = |s: &str| crate::scope::OIDC_SCOPES.contains(&s);
    let (kept, refused): (Vec<String>, Vec<String>) = requested
        .iter()
        .cloned()
        .partition(|s| oidc(s) || USER_SCOPES.contains(&s.as_str()));
    let kept_user_scope = kept.iter().any(|s| !oidc(s));
    if !refused.is_empty() && !kept_user_scope {
        return Err(UserScopesRefused { refused });
    }
    Ok(kept)
}

/// Whether `scope` may appear in a user's Management API token.
pub fn is_user_scope(scope: &str) -> bool {
    crate::scope::OIDC_SCOPES.contains(&scope) || USER_SCOPES.contains(&scope)
}

/// `<issuer>api/v2/`, the audience of Management API tokens.
pub fn audience(issuer: &str) -> String {
    format!("{issuer}api/v2/")
}

/// The Management API itself, listed among the APIs as Auth0 lists it (`is_system`).
pub fn system_resource_server(issuer: &str, id: String) -> ResourceServer {
    ResourceServer {
        id,
        // Auth0's name: tools (Deploy CLI among them) recognise the system API by
        // it and skip it rather than copy it into the next tenant.
        name: "Auth0 Management API".into(),
        identifier: audience(issuer),
        is_system: true,
        scopes: MANAGEMENT_SCOPES
            .iter()
            .map(|s| ScopeDefinition {
                value: s.to_string(),
                description: String::new(),
            })
            .collect(),
        signing_alg: crate::keys::Alg::Rs256,
        token_lifetime: 86_400,
        token_lifetime_for_web: 7_200,
        allow_offline_access: false,
        skip_consent_for_verifiable_first_party_clients: false,
        enforce_policies: false,
        token_dialect: crate::resource_servers::TokenDialect::AccessToken,
        proof_of_possession: None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn v(s: &str) -> Vec<String> {
        s.split(' ').map(String::from).collect()
    }

    #[test]
    fn admin_scopes_are_dropped_from_a_user_grant() {
        assert_eq!(
            user_grant_scopes(&v("openid read:users read:current_user create:clients")),
            Ok(v("openid read:current_user"))
        );
    }

    #[test]
    fn only_admin_scopes_refuse_the_user_grant() {
        let e = user_grant_scopes(&v("openid read:users create:clients")).unwrap_err();
        assert_eq!(e.refused, v("read:users create:clients"));
    }

    #[test]
    fn oidc_scopes_alone_are_allowed() {
        assert_eq!(
            user_grant_scopes(&v("openid profile")),
            Ok(v("openid profile"))
        );
    }
}
