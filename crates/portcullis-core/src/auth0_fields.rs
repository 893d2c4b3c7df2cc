//! Fields of Auth0's Management API bodies that Portcullis has no setting for.
//!
//! A tenant moved from Auth0 arrives as Auth0 writes it: its Deploy CLI files
//! and the payloads of its scripts carry every field of Auth0's schema
//! (`sso_disabled`, `native_social_login`, `token_quota`, …), most of them at
//! their default. Refusing each as "unknown" would stop every real import;
//! accepting them all would promise features Portcullis does not have.
//!
//! The rule (beyond Auth0, which stores every field it knows):
//! - a field Portcullis *behaves as* — its "off" value (`null`, `false`, `""`,
//!   `[]`, `{}` or an object of those) or a value named below — is taken out of
//!   the body before it is read, and is not stored (a `GET` does not return it);
//! - any other value is refused with a 400 that names the field and says what
//!   is accepted, so nothing is silently dropped;
//! - a field Auth0 does not have either stays an "additional property" error.
//!
//! Invariant: a listed field is never one the payload type itself reads (the
//! unit test `no_listed_field_is_modelled` of each caller checks it against the
//! payload's JSON schema).

use serde_json::{Map, Value};

/// The bodies the table knows.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Resource {
    Client,
    ResourceServer,
    ClientGrant,
    Connection,
    TenantSettings,
}

/// What a listed field may carry.
#[derive(Debug, Clone, Copy)]
enum Accept {
    /// Only its "off" value.
    Off,
    /// Its "off" value or one of these JSON texts (Auth0's default, when
    /// Portcullis behaves that way).
    OffOr(&'static [&'static str]),
    /// Any value: the field describes nothing Portcullis would do otherwise
    /// (a legacy switch whose both settings behave the same here).
    Any,
}

use Accept::*;

/// `(path, accept, why it is not honoured)`; a path with a dot is a member of
/// an object Portcullis does read (`refresh_token.policies`).
type Row = (&'static str, Accept, &'static str);

const CLIENT: &[Row] = &[
    ("client_aliases", Off, "client aliases are not supported"),
    (
        "cross_origin_auth",
        Off,
        "cross-origin authentication (embedded login) is not offered",
    ),
    (
        "cross_origin_authentication",
        Off,
        "cross-origin authentication (embedded login) is not offered",
    ),
    (
        "cross_origin_loc",
        Any,
        "used only by cross-origin authentication",
    ),
    (
        "custom_login_page_on",
        Any,
        "every application uses the hosted login page",
    ),
    (
        "custom_login_page",
        Off,
        "per-application login page HTML is not supported",
    ),
    (
        "custom_login_page_preview",
        Off,
        "per-application login page HTML is not supported",
    ),
    (
        "form_template",
        Off,
        "WS-Federation form templates are not supported",
    ),
    (
        "sso",
        Any,
        "legacy switch: Portcullis always keeps its own session",
    ),
    (
        "sso_disabled",
        Off,
        "single sign-on cannot be turned off per application",
    ),
    (
        "is_token_endpoint_ip_header_trusted",
        Off,
        "the token endpoint trusts no client IP header",
    ),
    (
        "native_social_login",
        Off,
        "native social login (Apple, Facebook, Google SDK tokens) is not supported",
    ),
    ("mobile", Off, "Android and iOS app links are not served"),
    (
        "addons",
        Off,
        "add-ons (SAML, WS-Fed, AWS, …) are not supported",
    ),
    (
        "encryption_key",
        Off,
        "encrypted responses are not supported",
    ),
    (
        "oidc_backchannel_logout",
        Off,
        "back-channel logout is not offered yet",
    ),
    (
        "session_transfer",
        Off,
        "native to web session transfer is not supported",
    ),
    ("fedcm_login", Off, "FedCM sign-in is not supported"),
    (
        "default_organization",
        Off,
        "a default organization for client credentials is not supported",
    ),
    (
        "organization_discovery_methods",
        Off,
        "organization discovery is not supported",
    ),
    (
        "signed_request_object",
        Off,
        "signed request objects (JAR) are not supported",
    ),
    (
        "compliance_level",
        OffOr(&["\"none\""]),
        "FAPI compliance levels are not supported",
    ),
    (
        "skip_non_verifiable_callback_uri_confirmation_prompt",
        Any,
        "no confirmation prompt is shown for any callback",
    ),
    (
        "token_exchange",
        Off,
        "custom token exchange is not supported",
    ),
    ("token_quota", Off, "token quotas are not supported"),
    (
        "token_vault_privileged_access",
        Off,
        "the token vault is not supported",
    ),
    (
        "express_configuration",
        Off,
        "Okta express configuration is not supported",
    ),
    (
        "my_organization_configuration",
        Off,
        "the My Organization API is not supported",
    ),
    (
        "async_approval_notification_channels",
        Off,
        "asynchronous approval (CIBA) is not supported",
    ),
    (
        "third_party_security_mode",
        Off,
        "third-party security modes are not supported",
    ),
    (
        "redirection_policy",
        Off,
        "redirection policies are not supported",
    ),
    (
        "anonymous_sessions",
        Off,
        "anonymous sessions are not supported",
    ),
    (
        "identity_assertion_authorization_grant",
        Off,
        "identity assertion grants are not supported",
    ),
    (
        "resource_server_identifier",
        Off,
        "clients bound to a resource server are not supported",
    ),
    (
        "refresh_token.policies",
        Off,
        "multi-resource refresh token policies are not supported",
    ),
];

const RESOURCE_SERVER: &[Row] = &[
    (
        "allow_online_access",
        Off,
        "online access tokens are not supported",
    ),
    (
        "allow_online_access_with_ephemeral_sessions",
        Off,
        "online access tokens are not supported",
    ),
    (
        "token_lifetime_for_anonymous_access_tokens",
        Off,
        "anonymous access tokens are not supported",
    ),
    (
        "signing_secret",
        Off,
        "HS256 APIs with their own secret are not supported",
    ),
    (
        "token_encryption",
        Off,
        "encrypted access tokens (JWE) are not supported",
    ),
    (
        "consent_policy",
        Off,
        "transactional consent is not supported",
    ),
    (
        "authorization_details",
        Off,
        "rich authorization requests (RFC 9396) are not supported",
    ),
    // Auth0's defaults, which are what Portcullis does: any application may
    // ask for a user's token, machine tokens need a client grant.
    (
        "subject_type_authorization",
        OffOr(&[
            r#"{"user":{"policy":"allow_all"},"client":{"policy":"require_client_grant"}}"#,
            r#"{"client":{"policy":"require_client_grant"},"user":{"policy":"allow_all"}}"#,
            r#"{"user":{"policy":"allow_all"}}"#,
            r#"{"client":{"policy":"require_client_grant"}}"#,
        ]),
        "only Auth0's default (users: allow_all, clients: require_client_grant) is what Portcullis does",
    ),
    (
        "authorization_policy",
        Off,
        "authorization policies are not supported",
    ),
];

const CLIENT_GRANT: &[Row] = &[
    (
        "subject_type",
        OffOr(&["\"client\""]),
        "only client (machine) grants exist",
    ),
    (
        "authorization_details_types",
        Off,
        "rich authorization requests (RFC 9396) are not supported",
    ),
    ("is_system", Off, "system grants are the server's own"),
];

const CONNECTION: &[Row] = &[
    (
        "authentication",
        OffOr(&[r#"{"active":true}"#]),
        "a connection is always usable for sign-in",
    ),
    (
        "connected_accounts",
        Off,
        "connected accounts (token vault) are not supported",
    ),
    (
        "provisioning_ticket_url",
        Off,
        "enterprise provisioning tickets are not supported",
    ),
];

const TENANT_SETTINGS: &[Row] = &[
    (
        "sandbox_version",
        Any,
        "Rules and Actions run in Portcullis's own sandbox, whatever Node version is named",
    ),
    ("sandbox_versions_available", Any, "read-only in Auth0"),
    (
        "enabled_locales",
        OffOr(&[r#"["en"]"#]),
        "the hosted pages are in English only",
    ),
    (
        "session_cookie",
        OffOr(&[r#"{"mode":"persistent"}"#]),
        "the session cookie is always persistent",
    ),
    ("sessions", Off, "the logout prompt cannot be turned on"),
    (
        "oidc_logout",
        Any,
        "RP-initiated logout (/oidc/logout) is always on",
    ),
    (
        "change_password",
        Off,
        "the password reset page's HTML is not customisable",
    ),
    (
        "guardian_mfa_page",
        Off,
        "multi-factor authentication is not offered yet",
    ),
    (
        "device_flow",
        OffOr(&[r#"{"charset":"base20","mask":"****-****"}"#]),
        "the device flow's user codes are always Auth0's default (base20, ****-****)",
    ),
    ("default_token_quota", Off, "token quotas are not supported"),
    (
        "customize_mfa_in_postlogin_action",
        Off,
        "multi-factor authentication is not offered yet",
    ),
    (
        "pushed_authorization_requests_supported",
        Any,
        "pushed authorization requests are always offered (POST /oauth/par)",
    ),
    (
        "authorization_response_iss_parameter_supported",
        Off,
        "the iss authorization response parameter (RFC 9207) is not sent yet",
    ),
    ("acr_values_supported", Off, "acr values are not supported"),
    (
        "mtls",
        Off,
        "mutual-TLS client authentication is not supported",
    ),
    (
        "skip_non_verifiable_callback_uri_confirmation_prompt",
        Any,
        "no confirmation prompt is shown for any callback",
    ),
    (
        "resource_parameter_profile",
        OffOr(&["\"audience\""]),
        "the resource parameter (RFC 8707) is not read; audience is",
    ),
    (
        "phone_consolidated_experience",
        Off,
        "phone sign-in is not supported",
    ),
    ("enable_ai_guide", Off, "not offered"),
];

fn table(resource: Resource) -> &'static [Row] {
    match resource {
        Resource::Client => CLIENT,
        Resource::ResourceServer => RESOURCE_SERVER,
        Resource::ClientGrant => CLIENT_GRANT,
        Resource::Connection => CONNECTION,
        Resource::TenantSettings => TENANT_SETTINGS,
    }
}

/// The listed field paths of a resource (for the callers' schema test and for
/// tools that report what a file carries).
pub fn listed(resource: Resource) -> impl Iterator<Item = &'static str> {
    table(resource).iter().map(|(p, _, _)| *p)
}

/// The top-level fields a payload type reads (from its JSON schema): with
/// the table, what a body of Auth0's can carry here.
pub fn properties<T: schemars::JsonSchema>() -> Vec<String> {
    let schema = schemars::schema_for!(T);
    schema
        .as_value()
        .get("properties")
        .and_then(Value::as_object)
        .map(|o| o.keys().cloned().collect())
        .unwrap_or_default()
}

/// A listed field whose value Portcullis cannot honour.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Unsupported {
    pub path: &'static str,
    pub message: String,
}

/// The "off" value of a field: `null`, `false`, `""`, `[]`, or an object
/// whose members are all off (`{"apple": {"enabled": false}}`).
fn is_off(v: &Value) -> bool {
    match v {
        Value::Null | Value::Bool(false) => true,
        Value::String(s) => s.is_empty(),
        Value::Array(a) => a.is_empty(),
        Value::Object(o) => o.values().all(is_off),
        Value::Bool(true) | Value::Number(_) => false,
    }
}

fn accepts(accept: Accept, v: &Value) -> bool {
    match accept {
        Any => true,
        Off => is_off(v),
        OffOr(texts) => {
            is_off(v)
                || texts
                    .iter()
                    .any(|t| serde_json::from_str::<Value>(t).is_ok_and(|d| d == *v))
        }
    }
}

fn describe(accept: Accept) -> String {
    match accept {
        Any => "any value".into(),
        Off => "only an empty or false value".into(),
        OffOr(texts) => format!("only an empty or false value, or {}", texts.join(" or ")),
    }
}

/// Takes the listed fields out of `body` when Portcullis behaves as their
/// value; the first one it cannot honour is refused and `body` is left as it
/// was read. Returns the paths taken out.
pub fn take_unmodelled(
    resource: Resource,
    body: &mut Map<String, Value>,
) -> Result<Vec<&'static str>, Unsupported> {
    let mut taken = Vec::new();
    // Check every listed field first, so that a refusal leaves the body whole.
    for &(path, accept, why) in table(resource) {
        if let Some(v) = lookup(body, path)
            && !accepts(accept, v)
        {
            return Err(Unsupported {
                path,
                message: format!(
                    "Portcullis does not support '{path}' with this value ({why}); it accepts {}",
                    describe(accept)
                ),
            });
        }
    }
    for &(path, _, _) in table(resource) {
        if remove(body, path) {
            taken.push(path);
        }
    }
    Ok(taken)
}

/// The value at a listed path, if `body` has it.
pub fn lookup<'a>(body: &'a Map<String, Value>, path: &str) -> Option<&'a Value> {
    match path.split_once('.') {
        None => body.get(path),
        Some((outer, inner)) => body.get(outer)?.as_object()?.get(inner),
    }
}

fn remove(body: &mut Map<String, Value>, path: &str) -> bool {
    match path.split_once('.') {
        None => body.remove(path).is_some(),
        Some((outer, inner)) => body
            .get_mut(outer)
            .and_then(Value::as_object_mut)
            .is_some_and(|o| o.remove(inner).is_some()),
    }
}

/// Whether a listed field's value is one Portcullis behaves as (`None` when
/// the field is not listed for the resource).
pub fn honoured(resource: Resource, path: &str, v: &Value) -> Option<bool> {
    table(resource)
        .iter()
        .find(|(p, _, _)| *p == path)
        .map(|&(_, accept, _)| accepts(accept, v))
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn body(v: Value) -> Map<String, Value> {
        v.as_object().cloned().unwrap_or_default()
    }

    #[test]
    fn defaults_of_a_real_auth0_client_are_taken_out() {
        let mut b = body(json!({
            "name": "Shop",
            "sso_disabled": false,
            "cross_origin_auth": false,
            "cross_origin_authentication": false,
            "custom_login_page_on": true,
            "native_social_login": {"apple": {"enabled": false}, "facebook": {"enabled": false}},
            "organization_usage": "deny",
            "compliance_level": null,
            "refresh_token": {"rotation_type": "rotating", "policies": null},
        }));
        let taken = take_unmodelled(Resource::Client, &mut b).expect("accepted");
        assert_eq!(taken.len(), 7);
        assert_eq!(
            Value::Object(b),
            json!({"name": "Shop", "organization_usage": "deny", "refresh_token": {"rotation_type": "rotating"}})
        );
    }

    #[test]
    fn a_value_portcullis_cannot_honour_is_refused_and_nothing_is_taken() {
        let original = body(json!({
            "sso_disabled": false,
            "cross_origin_authentication": true,
        }));
        let mut b = original.clone();
        let e = take_unmodelled(Resource::Client, &mut b).expect_err("refused");
        assert_eq!(e.path, "cross_origin_authentication");
        assert!(e.message.contains("embedded login"), "{}", e.message);
        assert_eq!(b, original);
        let mut n = body(json!({"native_social_login": {"apple": {"enabled": true}}}));
        assert!(take_unmodelled(Resource::Client, &mut n).is_err());
    }

    #[test]
    fn no_listed_field_is_modelled() {
        use crate::{client_grants, clients, connections, resource_servers, tenant_settings};
        let cases = [
            (Resource::Client, properties::<clients::ClientPayload>()),
            (
                Resource::ResourceServer,
                properties::<resource_servers::ResourceServerPayload>(),
            ),
            (
                Resource::ClientGrant,
                properties::<client_grants::ClientGrantCreate>(),
            ),
            (
                Resource::Connection,
                properties::<connections::ConnectionCreate>(),
            ),
            (
                Resource::TenantSettings,
                properties::<tenant_settings::TenantSettingsPatch>(),
            ),
        ];
        for (resource, modelled) in cases {
            for path in listed(resource) {
                assert!(
                    !modelled.iter().any(|m| m == path),
                    "{resource:?}.{path} is read by the payload"
                );
            }
        }
        let refresh = properties::<clients::RefreshTokenPatch>();
        assert!(!refresh.iter().any(|m| m == "policies"));
    }

    #[test]
    fn named_defaults_are_accepted_and_other_values_are_not() {
        let ok =
            json!({"user": {"policy": "allow_all"}, "client": {"policy": "require_client_grant"}});
        assert_eq!(
            honoured(Resource::ResourceServer, "subject_type_authorization", &ok),
            Some(true)
        );
        let other = json!({"user": {"policy": "require_client_grant"}});
        assert_eq!(
            honoured(
                Resource::ResourceServer,
                "subject_type_authorization",
                &other
            ),
            Some(false)
        );
        assert_eq!(honoured(Resource::Client, "name", &json!("x")), None);
        assert_eq!(
            honoured(Resource::TenantSettings, "sandbox_version", &json!("18")),
            Some(true)
        );
    }
}
