//! OpenID Provider metadata (OpenID Connect Discovery 1.0 §3), listing only what
//! this server really supports.

use serde_json::{Value, json};

/// The discovery document for `issuer` (which ends with `/`).
pub fn openid_configuration(issuer: &str) -> Value {
    json!({
        "issuer": issuer,
        "authorization_endpoint": format!("{issuer}authorize"),
        "token_endpoint": format!("{issuer}oauth/token"),
        "jwks_uri": format!("{issuer}.well-known/jwks.json"),
        "scopes_supported": ["openid", "profile", "email", "offline_access"],
        // Required by Discovery §3; the browser flows arrive with the login issue.
        "response_types_supported": ["code"],
        "response_modes_supported": ["query"],
        "grant_types_supported": ["client_credentials"],
        "subject_types_supported": ["public"],
        "id_token_signing_alg_values_supported": ["RS256"],
        "token_endpoint_auth_methods_supported": ["client_secret_basic", "client_secret_post"],
        "claims_supported": ["aud", "exp", "iat", "iss", "sub", "azp", "scope", "gty"],
        "code_challenge_methods_supported": ["S256"],
        "request_parameter_supported": false,
        "request_uri_parameter_supported": false,
    })
}
