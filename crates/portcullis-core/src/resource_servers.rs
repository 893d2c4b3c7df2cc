//! Resource servers: Auth0 "APIs". The `identifier` is the `audience` a client asks
//! a token for (RFC 8707 calls it a resource).

use serde::{Deserialize, Serialize};

use crate::scope;
use crate::validation::{self, Validated, ValidationError};

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ScopeDefinition {
    pub value: String,
    #[serde(default)]
    pub description: String,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ResourceServer {
    pub id: String,
    pub name: String,
    pub identifier: String,
    pub is_system: bool,
    pub scopes: Vec<ScopeDefinition>,
    pub signing_alg: crate::keys::Alg,
    /// Access token lifetime in seconds (Auth0 default 86400).
    pub token_lifetime: i64,
    /// Lifetime of access tokens issued through browser flows (implicit, hybrid).
    pub token_lifetime_for_web: i64,
    pub allow_offline_access: bool,
    pub skip_consent_for_verifiable_first_party_clients: bool,
    /// RBAC: a user flow grants only the scopes the user holds as permissions
    /// (through a role or directly). Client credentials stay governed by
    /// client grants.
    #[serde(default)]
    pub enforce_policies: bool,
    /// The shape of this API's access tokens.
    #[serde(default)]
    pub token_dialect: TokenDialect,
    /// Auth0's `proof_of_possession`: tokens for this API are DPoP-bound
    /// when the client sends a proof, and must be when `required`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub proof_of_possession: Option<crate::protocol::dpop::ProofOfPossession>,
}

/// Auth0's access-token dialects. The `…_authz` ones add `permissions` (every
/// permission the user holds for the API); the RFC 9068 ones follow the JWT
/// profile for access tokens (`typ: at+jwt`, `client_id`).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum TokenDialect {
    #[default]
    AccessToken,
    AccessTokenAuthz,
    Rfc9068Profile,
    Rfc9068ProfileAuthz,
}

impl TokenDialect {
    pub const ALL: [TokenDialect; 4] = [
        TokenDialect::AccessToken,
        TokenDialect::AccessTokenAuthz,
        TokenDialect::Rfc9068Profile,
        TokenDialect::Rfc9068ProfileAuthz,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            TokenDialect::AccessToken => "access_token",
            TokenDialect::AccessTokenAuthz => "access_token_authz",
            TokenDialect::Rfc9068Profile => "rfc9068_profile",
            TokenDialect::Rfc9068ProfileAuthz => "rfc9068_profile_authz",
        }
    }

    pub fn parse(s: &str) -> Option<TokenDialect> {
        Self::ALL.into_iter().find(|d| d.as_str() == s)
    }

    /// Whether tokens carry the `permissions` claim.
    pub fn includes_permissions(self) -> bool {
        matches!(
            self,
            TokenDialect::AccessTokenAuthz | TokenDialect::Rfc9068ProfileAuthz
        )
    }

    /// Whether tokens follow RFC 9068 (`typ: at+jwt`, `client_id`).
    pub fn is_rfc9068(self) -> bool {
        matches!(
            self,
            TokenDialect::Rfc9068Profile | TokenDialect::Rfc9068ProfileAuthz
        )
    }
}

impl ResourceServer {
    pub fn defines_scope(&self, value: &str) -> bool {
        self.scopes.iter().any(|s| s.value == value)
    }
}

/// The body of `POST /api/v2/resource-servers` and `PATCH …/{id}`.
#[derive(Debug, Default, Clone, Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct ResourceServerPayload {
    pub name: Option<String>,
    pub identifier: Option<String>,
    pub scopes: Option<Vec<ScopeDefinitionPayload>>,
    pub signing_alg: Option<String>,
    pub token_lifetime: Option<i64>,
    pub token_lifetime_for_web: Option<i64>,
    pub allow_offline_access: Option<bool>,
    pub skip_consent_for_verifiable_first_party_clients: Option<bool>,
    pub enforce_policies: Option<bool>,
    /// `access_token`, `access_token_authz`, `rfc9068_profile` or
    /// `rfc9068_profile_authz`.
    pub token_dialect: Option<String>,
    /// `{"mechanism": "dpop", "required": true}`; `null` removes it.
    #[schemars(with = "Option<serde_json::Value>")]
    #[serde(default, deserialize_with = "nullable")]
    pub proof_of_possession: Option<Option<serde_json::Value>>,
}

/// `Some(None)` for an explicit `null`, `None` when the field is absent.
fn nullable<'de, D: serde::Deserializer<'de>>(
    d: D,
) -> Result<Option<Option<serde_json::Value>>, D::Error> {
    Ok(Some(Option::deserialize(d)?))
}

#[derive(Debug, Clone, Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct ScopeDefinitionPayload {
    pub value: String,
    #[serde(default)]
    pub description: Option<String>,
}

pub const MAX_TOKEN_LIFETIME: i64 = 2_592_000;

impl ResourceServerPayload {
    pub fn into_new(self, id: String) -> Validated<ResourceServer> {
        let Some(identifier) = self.identifier.clone() else {
            return Err(ValidationError::field(
                "identifier",
                "Missing required property",
            ));
        };
        let rs = ResourceServer {
            id,
            name: self.name.clone().unwrap_or_else(|| identifier.clone()),
            identifier,
            is_system: false,
            scopes: vec![],
            signing_alg: crate::keys::Alg::Rs256,
            token_lifetime: 86_400,
            token_lifetime_for_web: 7_200,
            allow_offline_access: false,
            skip_consent_for_verifiable_first_party_clients: true,
            enforce_policies: false,
            token_dialect: TokenDialect::AccessToken,
            proof_of_possession: None,
        };
        let rs = self.apply(rs)?;
        validate(&rs)?;
        Ok(rs)
    }

    /// Applies a PATCH. `identifier` is immutable once created (it is baked into
    /// every token's `aud`).
    pub fn apply_to(self, rs: ResourceServer) -> Validated<ResourceServer> {
        if self
            .identifier
            .as_ref()
            .is_some_and(|i| *i != rs.identifier)
        {
            return Err(ValidationError::field("identifier", "cannot be changed"));
        }
        let rs = self.apply(rs)?;
        validate(&rs)?;
        Ok(rs)
    }

    fn apply(self, mut rs: ResourceServer) -> Validated<ResourceServer> {
        if let Some(v) = self.name {
            rs.name = v;
        }
        if let Some(v) = self.scopes {
            rs.scopes = v
                .into_iter()
                .map(|s| ScopeDefinition {
                    value: s.value,
                    description: s.description.unwrap_or_default(),
                })
                .collect();
        }
        if let Some(v) = self.signing_alg {
            rs.signing_alg = crate::keys::Alg::parse(&v).ok_or_else(|| {
                ValidationError::field(
                    "signing_alg",
                    format!("'{v}' is not supported (supported: RS256, PS256, ES256, EdDSA)"),
                )
            })?;
        }
        if let Some(v) = self.token_lifetime {
            rs.token_lifetime = v;
            // The web lifetime never exceeds the API's own; unless it is given too,
            // shortening the one shortens the other.
            if self.token_lifetime_for_web.is_none() {
                rs.token_lifetime_for_web = rs.token_lifetime_for_web.min(v.max(1));
            }
        }
        if let Some(v) = self.token_lifetime_for_web {
            rs.token_lifetime_for_web = v;
        }
        if let Some(v) = self.allow_offline_access {
            rs.allow_offline_access = v;
        }
        if let Some(v) = self.skip_consent_for_verifiable_first_party_clients {
            rs.skip_consent_for_verifiable_first_party_clients = v;
        }
        if let Some(v) = self.enforce_policies {
            rs.enforce_policies = v;
        }
        if let Some(v) = self.token_dialect {
            rs.token_dialect = TokenDialect::parse(&v).ok_or_else(|| {
                ValidationError::field(
                    "token_dialect",
                    format!(
                        "'{v}' is not one of access_token, access_token_authz, rfc9068_profile, rfc9068_profile_authz"
                    ),
                )
            })?;
        }
        if let Some(v) = self.proof_of_possession {
            rs.proof_of_possession = v.map(parse_proof_of_possession).transpose()?;
        }
        Ok(rs)
    }
}

/// Auth0's `proof_of_possession`: `dpop` is offered; `mtls` (RFC 8705)
/// is refused rather than silently not enforced.
fn parse_proof_of_possession(
    v: serde_json::Value,
) -> Validated<crate::protocol::dpop::ProofOfPossession> {
    use crate::protocol::dpop::{Mechanism, ProofOfPossession};
    let field = "proof_of_possession";
    let serde_json::Value::Object(m) = v else {
        return Err(ValidationError::field(field, "must be an object or null"));
    };
    if let Some(k) = m
        .keys()
        .find(|k| !matches!(k.as_str(), "mechanism" | "required"))
    {
        return Err(ValidationError::field(
            field,
            format!("'{k}' is not a property of proof_of_possession"),
        ));
    }
    let mechanism = match m.get("mechanism").and_then(|v| v.as_str()) {
        Some("dpop") => Mechanism::Dpop,
        Some("mtls") => {
            return Err(ValidationError::field(
                "proof_of_possession.mechanism",
                "mtls (certificate-bound tokens) is not supported; use dpop",
            ));
        }
        _ => {
            return Err(ValidationError::field(
                "proof_of_possession.mechanism",
                "must be dpop",
            ));
        }
    };
    let required = match m.get("required") {
        None => false,
        Some(serde_json::Value::Bool(b)) => *b,
        Some(_) => {
            return Err(ValidationError::field(
                "proof_of_possession.required",
                "must be a boolean",
            ));
        }
    };
    Ok(ProofOfPossession {
        mechanism,
        required,
    })
}

pub fn validate(rs: &ResourceServer) -> Validated<()> {
    validation::display_name("name", &rs.name, 200)?;
    let id = &rs.identifier;
    if id.is_empty() || id.len() > 600 || id.chars().any(|c| c.is_whitespace() || c.is_control()) {
        return Err(ValidationError::field(
            "identifier",
            "must be 1 to 600 characters with no spaces",
        ));
    }
    let mut seen: Vec<&str> = Vec::new();
    for s in &rs.scopes {
        if !scope::is_valid_token(&s.value) || s.value.len() > 280 {
            return Err(ValidationError::field(
                "scopes",
                format!(
                    "'{}' is not a valid scope value (1 to 280 characters, no spaces or quotes)",
                    s.value
                ),
            ));
        }
        if seen.contains(&s.value.as_str()) {
            return Err(ValidationError::field(
                "scopes",
                format!("'{}' is listed twice", s.value),
            ));
        }
        seen.push(&s.value);
        validation::max_len("scopes.description", &s.description, 500)?;
    }
    if !(1..=MAX_TOKEN_LIFETIME).contains(&rs.token_lifetime) {
        return Err(ValidationError::field(
            "token_lifetime",
            format!("must be between 1 and {MAX_TOKEN_LIFETIME}"),
        ));
    }
    if !(1..=rs.token_lifetime).contains(&rs.token_lifetime_for_web) {
        return Err(ValidationError::field(
            "token_lifetime_for_web",
            "must be between 1 and token_lifetime",
        ));
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn payload(v: serde_json::Value) -> ResourceServerPayload {
        serde_json::from_value(v).unwrap()
    }

    #[test]
    fn new_api_gets_auth0_lifetimes_and_name_from_identifier() {
        let rs = payload(serde_json::json!({"identifier": "https://api.example"}))
            .into_new("x".into())
            .unwrap();
        assert_eq!(rs.name, "https://api.example");
        assert_eq!(rs.token_lifetime, 86_400);
        assert_eq!(rs.token_lifetime_for_web, 7_200);
    }

    #[test]
    fn short_token_lifetime_caps_the_web_lifetime() {
        let rs = payload(serde_json::json!({"identifier": "a", "token_lifetime": 60}))
            .into_new("x".into())
            .unwrap();
        assert_eq!(rs.token_lifetime_for_web, 60);
    }

    #[test]
    fn identifier_cannot_change_on_patch() {
        let rs = payload(serde_json::json!({"identifier": "a"}))
            .into_new("x".into())
            .unwrap();
        let e = payload(serde_json::json!({"identifier": "b"}))
            .apply_to(rs)
            .unwrap_err();
        assert!(e.message.contains("identifier"));
    }

    #[test]
    fn duplicate_or_spaced_scope_values_are_refused() {
        for scopes in [
            serde_json::json!([{"value": "a"}, {"value": "a"}]),
            serde_json::json!([{"value": "a b"}]),
        ] {
            let e = payload(serde_json::json!({"identifier": "a", "scopes": scopes}))
                .into_new("x".into())
                .unwrap_err();
            assert!(e.message.contains("scopes"));
        }
    }
}
