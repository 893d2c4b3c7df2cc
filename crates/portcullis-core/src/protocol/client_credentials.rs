//! The client-credentials grant (RFC 6749 §4.4) as Auth0 applies it: the token is for
//! one API (`audience`), and the client needs a client grant for that API.
//!
//! Invariants:
//! - Only confidential clients that list `client_credentials` in `grant_types`.
//! - The scope is the requested subset of the granted scopes, or all granted scopes
//!   when none is requested; asking beyond the grant is `invalid_scope`.

use super::errors::{TokenError, TokenErrorCode};
use crate::UnixTime;
use crate::client_grants::ClientGrant;
use crate::clients::Client;
use crate::protocol::grant_type::GrantType;
use crate::resource_servers::ResourceServer;
use crate::tokens::{AccessTokenClaims, Audience};

/// Everything the decision needs, already loaded.
pub struct Input<'a> {
    pub issuer: &'a str,
    pub client: &'a Client,
    pub audience: &'a str,
    /// The API whose identifier is `audience`, if any.
    pub api: Option<&'a ResourceServer>,
    /// The client's grant for that API, if any.
    pub grant: Option<&'a ClientGrant>,
    pub requested_scope: Option<&'a [String]>,
    pub now: UnixTime,
    /// The organization the request named, resolved (its claims).
    pub organization: Option<&'a crate::organizations::OrgClaims>,
    /// The client grant is associated with that organization
    /// (`/organizations/{id}/client-grants`).
    pub associated: bool,
}

/// Checks the client may use this grant at all (before anything is looked up).
pub fn check_client(client: &Client) -> Result<(), TokenError> {
    // A public client is refused as if the grant were not allowed.
    if !client.is_confidential() {
        return Err(super::grant_type::not_allowed(GrantType::ClientCredentials));
    }
    client.require_grant(GrantType::ClientCredentials)
}

/// The audience is required: Portcullis has no tenant default audience.
pub fn require_audience(audience: Option<&str>) -> Result<&str, TokenError> {
    audience.ok_or_else(|| {
        TokenError::invalid_request(
            "Missing required parameter: audience (the identifier of the API the token is for)",
        )
    })
}

/// Auth0's two refusals of a machine acting at an API: no such API, or no
/// client grant for it (also token exchange's, RFC 8693 as Auth0 gates it).
pub fn authorized_api<'a>(
    audience: &str,
    api: Option<&'a ResourceServer>,
    grant: Option<&'a ClientGrant>,
) -> Result<(&'a ResourceServer, &'a ClientGrant), TokenError> {
    let Some(api) = api else {
        return Err(TokenError::new(
            TokenErrorCode::AccessDenied,
            format!("Service not found: {audience}"),
        ));
    };
    let Some(grant) = grant else {
        return Err(TokenError::new(
            TokenErrorCode::AccessDenied,
            format!(
                "Client is not authorized to access \"{}\". You need to create a \"client-grant\" associated to this API.",
                api.identifier
            ),
        ));
    };
    Ok((api, grant))
}

pub fn decide(input: Input<'_>) -> Result<AccessTokenClaims, TokenError> {
    check_client(input.client)?;
    let (api, grant) = authorized_api(input.audience, input.api, input.grant)?;
    organization_allowed(grant, input.organization.is_some(), input.associated)?;
    let granted = grant.granted_scopes(api);
    let scope = match input.requested_scope {
        None => granted,
        Some(requested) => {
            if let Some(extra) = requested.iter().find(|s| !granted.contains(s)) {
                return Err(TokenError::new(
                    TokenErrorCode::InvalidScope,
                    format!("The client is not granted the scope '{extra}' for this API."),
                ));
            }
            requested.to_vec()
        }
    };
    Ok(AccessTokenClaims {
        iss: input.issuer.to_string(),
        sub: format!("{}@clients", input.client.client_id),
        aud: Audience::One(api.identifier.clone()),
        iat: input.now,
        exp: input.now + api.token_lifetime,
        scope: scope.join(" "),
        azp: input.client.client_id.clone(),
        gty: Some("client-credentials".into()),
        jti: None,
        act: None,
        // Auth0: with RBAC and an `…_authz` dialect, a machine's permissions
        // are its granted scopes (its client grant, never a role).
        permissions: (api.enforce_policies && api.token_dialect.includes_permissions())
            .then(|| scope.clone()),
        org_id: input.organization.map(|o| o.org_id.clone()),
        org_name: input.organization.and_then(|o| o.org_name.clone()),
        cnf: None,
        extra: Default::default(),
    })
}

/// Auth0's `organization_usage` on a client grant: `deny` (the default)
/// refuses the `organization` parameter, `require` needs it; a named
/// organization needs the grant associated with it, or
/// `allow_any_organization`.
fn organization_allowed(
    grant: &ClientGrant,
    named: bool,
    associated: bool,
) -> Result<(), TokenError> {
    use crate::organizations::OrganizationUsage::*;
    match (grant.organization_usage.unwrap_or_default(), named) {
        (Deny, true) => Err(TokenError::invalid_request(
            "The client grant does not allow the organization parameter",
        )),
        (Require, false) => Err(TokenError::invalid_request(
            "parameter organization is required for this client grant",
        )),
        (_, true) if !grant.allow_any_organization && !associated => Err(TokenError::new(
            TokenErrorCode::AccessDenied,
            "The client grant is not authorized for this organization",
        )),
        _ => Ok(()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::clients::ClientPayload;
    use crate::resource_servers::ResourceServerPayload;

    fn client(app_type: &str) -> Client {
        serde_json::from_value::<ClientPayload>(
            serde_json::json!({"name": "m", "app_type": app_type}),
        )
        .unwrap()
        .into_new_client("cid".into(), "t")
        .unwrap()
    }

    fn api() -> ResourceServer {
        serde_json::from_value::<ResourceServerPayload>(serde_json::json!({
            "identifier": "https://api", "token_lifetime": 600,
            "scopes": [{"value": "read"}, {"value": "write"}]
        }))
        .unwrap()
        .into_new("rs".into())
        .unwrap()
    }

    fn grant(scope: &[&str]) -> ClientGrant {
        ClientGrant {
            id: "g".into(),
            client_id: "cid".into(),
            audience: "https://api".into(),
            scope: scope.iter().map(|s| s.to_string()).collect(),
            allow_all_scopes: false,
            organization_usage: None,
            allow_any_organization: false,
        }
    }

    fn input<'a>(
        c: &'a Client,
        api: Option<&'a ResourceServer>,
        g: Option<&'a ClientGrant>,
        scope: Option<&'a [String]>,
    ) -> Input<'a> {
        Input {
            issuer: "https://id.example/",
            client: c,
            audience: "https://api",
            api,
            grant: g,
            requested_scope: scope,
            now: 1000,
            organization: None,
            associated: false,
        }
    }

    #[test]
    fn the_organization_parameter_follows_the_client_grant() {
        use crate::organizations::{OrgClaims, OrganizationUsage};
        let (c, a) = (client("non_interactive"), api());
        let org = OrgClaims {
            org_id: "org_1".into(),
            org_name: None,
        };
        let with = |g: &ClientGrant, o: Option<&OrgClaims>| {
            decide(Input {
                organization: o,
                ..input(&c, Some(&a), Some(g), None)
            })
        };
        let deny = grant(&["read"]);
        assert!(with(&deny, Some(&org)).is_err(), "deny refuses it");
        assert!(with(&deny, None).unwrap().org_id.is_none());
        let require = ClientGrant {
            organization_usage: Some(OrganizationUsage::Require),
            allow_any_organization: true,
            ..deny.clone()
        };
        assert!(with(&require, None).is_err(), "require needs it");
        assert_eq!(
            with(&require, Some(&org)).unwrap().org_id.as_deref(),
            Some("org_1")
        );
        let unassociated = ClientGrant {
            allow_any_organization: false,
            ..require
        };
        assert!(with(&unassociated, Some(&org)).is_err());
        let associated = decide(Input {
            organization: Some(&org),
            associated: true,
            ..input(&c, Some(&a), Some(&unassociated), None)
        });
        assert!(associated.is_ok());
    }

    #[test]
    fn granted_scopes_are_issued_when_none_requested() {
        let (c, a, g) = (client("non_interactive"), api(), grant(&["read", "write"]));
        let claims = decide(input(&c, Some(&a), Some(&g), None)).unwrap();
        assert_eq!(claims.sub, "cid@clients");
        assert_eq!(claims.scope, "read write");
        assert_eq!(claims.exp, 1600);
        assert_eq!(claims.gty.as_deref(), Some("client-credentials"));
    }

    #[test]
    fn requesting_a_scope_beyond_the_grant_is_invalid_scope() {
        let (c, a, g) = (client("non_interactive"), api(), grant(&["read"]));
        let req = vec!["write".to_string()];
        let e = decide(input(&c, Some(&a), Some(&g), Some(&req))).unwrap_err();
        assert_eq!(e.code, TokenErrorCode::InvalidScope);
    }

    #[test]
    fn missing_client_grant_is_access_denied() {
        let (c, a) = (client("non_interactive"), api());
        let e = decide(input(&c, Some(&a), None, None)).unwrap_err();
        assert_eq!(e.code, TokenErrorCode::AccessDenied);
    }

    #[test]
    fn public_client_is_unauthorized_for_client_credentials() {
        let c = client("spa");
        assert_eq!(
            check_client(&c).unwrap_err().code,
            TokenErrorCode::UnauthorizedClient
        );
    }
}
