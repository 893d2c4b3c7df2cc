//! OpenID Provider metadata (OpenID Connect Discovery 1.0 §3), listing only what
//! this server really supports.

use serde_json::{Value, json};

/// The discovery document for `issuer` (which ends with `/`).
pub fn openid_configuration(issuer: &str) -> Value {
    json!({
        "issuer": issuer,
        "authorization_endpoint": format!("{issuer}authorize"),
        "token_endpoint": format!("{issuer}oauth/token"),
        "userinfo_endpoint": format!("{issuer}userinfo"),
        "jwks_uri": format!("{issuer}.well-known/jwks.json"),
        "end_session_endpoint": format!("{issuer}oidc/logout"),
        "revocation_endpoint": format!("{issuer}oauth/revoke"),
        "introspection_endpoint": format!("{issuer}oauth/introspect"),
        // RFC 7591, behind the tenant flag enable_dynamic_client_registration
        // (docs/dynamic-client-registration.md); listed always, as Auth0 does.
        "registration_endpoint": format!("{issuer}oidc/register"),
        // RFC 9126 §5 (docs/pushed-authorization-requests.md).
        "pushed_authorization_request_endpoint": format!("{issuer}oauth/par"),
        "require_pushed_authorization_requests": false,
        // RFC 8628 §4 (docs/device-flow.md).
        "device_authorization_endpoint": format!("{issuer}oauth/device/code"),
        // Auth0's MFA API (docs/mfa.md).
        "mfa_challenge_endpoint": format!("{issuer}mfa/challenge"),
        "scopes_supported": ["openid", "profile", "email", "offline_access"],
        "response_types_supported": [
            "code", "token", "id_token", "id_token token",
            "code id_token", "code token", "code id_token token"
        ],
        "response_modes_supported": ["query", "fragment", "form_post", "web_message"],
        "grant_types_supported": [
            "authorization_code", "implicit", "refresh_token", "client_credentials", "password",
            "http://auth0.com/oauth/grant-type/password-realm",
            "urn:ietf:params:oauth:grant-type:token-exchange",
            "http://auth0.com/oauth/grant-type/mfa-otp",
            "http://auth0.com/oauth/grant-type/mfa-oob",
            "http://auth0.com/oauth/grant-type/mfa-recovery-code",
            "urn:ietf:params:oauth:grant-type:device_code",
            "http://auth0.com/oauth/grant-type/passwordless/otp"
        ],
        "subject_types_supported": ["public"],
        "id_token_signing_alg_values_supported": ["RS256"],
        "token_endpoint_auth_methods_supported": ["client_secret_basic", "client_secret_post", "private_key_jwt", "none"],
        // RFC 7523 §2.2 assertions (docs/private-key-jwt.md): Auth0's algorithms.
        "token_endpoint_auth_signing_alg_values_supported": ["RS256", "RS384", "PS256"],
        "claims_supported": [
            "aud", "auth_time", "email", "email_verified", "exp", "family_name", "given_name",
            "iat", "iss", "name", "nickname", "picture", "sid", "sub", "updated_at", "amr"
        ],
        "code_challenge_methods_supported": ["S256"],
        "request_parameter_supported": false,
        "request_uri_parameter_supported": false,
        "frontchannel_logout_supported": false,
        // OpenID Connect Back-Channel Logout 1.0 §2.1 (docs/backchannel-logout.md).
        "backchannel_logout_supported": true,
        "backchannel_logout_session_supported": true,
        // RFC 9449 §5.1 (docs/dpop.md).
        "dpop_signing_alg_values_supported": crate::protocol::dpop::ProofAlg::names(),
    })
}
