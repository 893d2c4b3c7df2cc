//! What Rules and Actions see and what their requests do to tokens: the
//! `event` (Actions) and `user`/`context` (Rules) they are given, and the rules
//! that decide which custom claims, scopes and lifetimes are applied. No engine
//! here: the sandbox runs the code, this module decides.

use serde::{Deserialize, Serialize};
use serde_json::{Map, Value, json};

use crate::clients::Client;
use crate::users::User;

/// Claims no script may set, in any token: Auth0's restricted list
/// ("Create Custom Claims", general restrictions). A script that sets one is not
/// failed; the claim is left out and the fact is logged, as in Auth0.
pub const RESTRICTED_CLAIMS: &[&str] = &[
    "acr",
    "act",
    "active",
    "amr",
    "at_hash",
    "ath",
    "attest",
    "aud",
    "auth_time",
    "authorization_details",
    "azp",
    "c_hash",
    "client_id",
    "cnf",
    "cty",
    "dest",
    "entitlements",
    "events",
    "exp",
    "groups",
    "gty",
    "htm",
    "htu",
    "iat",
    "internalService",
    "iss",
    "jcard",
    "jku",
    "jti",
    "jwe",
    "jwk",
    "kid",
    "may_act",
    "mky",
    "nbf",
    "nonce",
    "object_id",
    "org_id",
    "org_name",
    "orig",
    "origid",
    "permissions",
    "roles",
    "rph",
    "s_hash",
    "scope",
    "sid",
    "sip_callid",
    "sip_cseq_num",
    "sip_date",
    "sip_from_tag",
    "sip_via_branch",
    "sub",
    "sub_jwk",
    "toe",
    "txn",
    "typ",
    "uuid",
    "vot",
    "vtm",
    "x5t#S256",
];

/// OpenID Connect Core §5.1 standard claims: the ID token's profile comes from the
/// user record and the requested scopes, never from a script.
pub const OIDC_STANDARD_CLAIMS: &[&str] = &[
    "name",
    "given_name",
    "family_name",
    "middle_name",
    "nickname",
    "preferred_username",
    "profile",
    "picture",
    "website",
    "email",
    "email_verified",
    "gender",
    "birthdate",
    "zoneinfo",
    "locale",
    "phone_number",
    "phone_number_verified",
    "address",
    "updated_at",
];

/// Auth0's cap on the custom claims of one token (100 KB).
pub const MAX_CUSTOM_CLAIMS_BYTES: usize = 100 * 1024;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TokenKind {
    IdToken,
    AccessToken {
        /// Access tokens for the Management API may carry namespaced claims only.
        management_api: bool,
    },
}

/// A namespaced claim is a URL (`https://example.com/roles`, Auth0's advice).
pub fn is_namespaced(name: &str) -> bool {
    name.starts_with("https://") || name.starts_with("http://")
}

/// Why a custom claim was left out, or `None` when it may be set.
pub fn refusal(name: &str, kind: TokenKind) -> Option<&'static str> {
    if RESTRICTED_CLAIMS.contains(&name) {
        return Some("restricted claim");
    }
    match kind {
        TokenKind::IdToken if OIDC_STANDARD_CLAIMS.contains(&name) => {
            Some("OpenID Connect standard claim")
        }
        TokenKind::AccessToken {
            management_api: true,
        } if !is_namespaced(name) => Some("non-namespaced claim on a Management API token"),
        _ => None,
    }
}

/// What all scripts of one flow asked for, merged in run order (rules, then
/// actions). Kept with an authorization code so that the code exchange issues
/// exactly what the login decided.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct ScriptResult {
    #[serde(default, skip_serializing_if = "Map::is_empty")]
    pub id_token: Map<String, Value>,
    #[serde(default, skip_serializing_if = "Map::is_empty")]
    pub access_token: Map<String, Value>,
    /// The access token's scope as a rule set it (`context.accessToken.scope`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub scope: Option<Vec<String>>,
    /// The scopes that choose the ID token's profile claims
    /// (`context.jwtConfiguration.scopes`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub id_token_scope: Option<Vec<String>>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub add_scopes: Vec<String>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub remove_scopes: Vec<String>,
    /// The ID token's lifetime (`context.jwtConfiguration.lifetimeInSeconds`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub id_token_lifetime: Option<i64>,
    #[serde(default, skip_serializing_if = "Map::is_empty")]
    pub user_metadata: Map<String, Value>,
    #[serde(default, skip_serializing_if = "Map::is_empty")]
    pub app_metadata: Map<String, Value>,
    /// A script asked for a second factor (`api.multifactor.enable`, a
    /// Rule's `context.multifactor`): the provider it named.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub multifactor: Option<String>,
    /// The script let the person skip the second factor on a browser they
    /// asked to be remembered (`allowRememberBrowser`).
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub mfa_remember_browser: bool,
}

/// A scope value from a script: a space-separated string or an array of strings.
pub fn scope_list(v: &Value) -> Option<Vec<String>> {
    match v {
        Value::String(s) => Some(s.split_whitespace().map(str::to_string).collect()),
        Value::Array(a) => Some(
            a.iter()
                .filter_map(Value::as_str)
                .flat_map(str::split_whitespace)
                .map(str::to_string)
                .collect(),
        ),
        _ => None,
    }
}

/// The longest ID token lifetime a script may set (Auth0's maximum, 30 days).
pub const MAX_ID_TOKEN_LIFETIME: i64 = 2_592_000;

impl ScriptResult {
    pub fn is_empty(&self) -> bool {
        *self == ScriptResult::default()
    }

    /// The access token's scope after the scripts: a rule's replacement (if any),
    /// then `addScope`, then `removeScope`.
    pub fn access_scope(&self, issued: &str) -> String {
        let mut scopes: Vec<String> = match &self.scope {
            Some(s) => s.clone(),
            None => issued.split_whitespace().map(str::to_string).collect(),
        };
        for s in &self.add_scopes {
            if !scopes.contains(s) {
                scopes.push(s.clone());
            }
        }
        scopes.retain(|s| !self.remove_scopes.contains(s));
        scopes.join(" ")
    }

    /// The ID token's lifetime: the script's, within (0, 30 days], else `default`.
    pub fn id_token_lifetime_or(&self, default: i64) -> i64 {
        match self.id_token_lifetime {
            Some(l) if l > 0 => l.min(MAX_ID_TOKEN_LIFETIME),
            _ => default,
        }
    }
}

/// Adds the custom claims to a token's claims, leaving out those a script may not
/// set and never replacing a claim the server put there. Returns the names left
/// out, with why.
pub fn apply_claims(
    target: &mut Map<String, Value>,
    custom: &Map<String, Value>,
    kind: TokenKind,
) -> Vec<String> {
    let mut refused = Vec::new();
    for (k, v) in custom {
        if let Some(why) = refusal(k, kind) {
            refused.push(format!("{k} ({why})"));
        } else if target.contains_key(k) {
            refused.push(format!("{k} (already set by the server)"));
        } else {
            target.insert(k.clone(), v.clone());
        }
    }
    refused
}

/// Where a flow came from, as Auth0's `event.request` / `context.request` show it.
#[derive(Debug, Clone, Default, Serialize)]
pub struct RequestInfo {
    pub ip: String,
    pub hostname: String,
    pub user_agent: Option<String>,
    pub method: String,
    pub query: Map<String, Value>,
    pub body: Map<String, Value>,
}

/// What the flow is: Auth0's `transaction` and `context.protocol`.
#[derive(Debug, Clone, Default)]
pub struct FlowInfo<'a> {
    /// `oidc-basic-profile`, `oidc-implicit-profile`, `oauth2-refresh-token`,
    /// `oauth2-password`, `oauth2-resource-owner`…
    pub protocol: &'a str,
    pub requested_scopes: &'a [String],
    pub audience: Option<&'a str>,
    pub redirect_uri: Option<&'a str>,
    pub response_type: Option<&'a str>,
    pub session_id: Option<&'a str>,
    /// The names of the user's roles (`event.authorization.roles`,
    /// `context.authorization.roles`).
    pub roles: &'a [String],
    /// The connection the user signed in with (`event.connection`).
    pub connection: Option<&'a crate::connections::Connection>,
    /// When the session passed a second factor (`event.authentication.methods`
    /// then lists `mfa`).
    pub mfa_at: Option<crate::UnixTime>,
    /// The organization the login is to (`event.organization`,
    /// `context.organization`).
    pub organization: Option<&'a crate::organizations::Organization>,
}

/// The user as scripts see it (Auth0's normalized profile).
fn user_json(user: &User) -> Value {
    json!({
        "user_id": user.user_id,
        "email": user.email,
        "email_verified": user.email_verified,
        "username": user.username,
        "name": user.name,
        "nickname": user.nickname,
        "given_name": user.given_name,
        "family_name": user.family_name,
        "picture": user.picture,
        "blocked": user.blocked,
        "user_metadata": user.user_metadata,
        "app_metadata": user.app_metadata,
        "identities": user.identities,
        "created_at": user.created_at,
        "updated_at": user.updated_at,
        "last_login": user.last_login,
        "logins_count": user.logins_count,
        "last_password_reset": user.last_password_reset,
    })
}

/// Auth0's `event.connection`: the record when the caller loaded it, else what
/// the user's identity names.
fn connection_json(user: &User, connection: Option<&crate::connections::Connection>) -> Value {
    match connection {
        Some(c) => {
            json!({"id": c.id, "name": c.name, "strategy": c.strategy, "metadata": c.metadata})
        }
        None => json!({"name": user.connection(), "strategy": "auth0", "metadata": {}}),
    }
}

/// Auth0's `event.authentication.methods`: the password, and `mfa` with its
/// time once the session passed a second factor.
fn authentication_methods(flow: &FlowInfo<'_>) -> Value {
    let mut methods = vec![json!({"name": "pwd"})];
    if let Some(t) = flow.mfa_at {
        methods.push(json!({"name": "mfa", "timestamp": crate::clock::iso8601(t)}));
    }
    Value::Array(methods)
}

/// Auth0's post-login `event`.
pub fn post_login_event(
    user: &User,
    client: &Client,
    request: &RequestInfo,
    flow: &FlowInfo<'_>,
    secrets: &Map<String, Value>,
    tenant: &str,
) -> Value {
    json!({
        "user": user_json(user),
        "client": {
            "client_id": client.client_id,
            "name": client.name,
            "metadata": client.client_metadata,
        },
        "connection": connection_json(user, flow.connection),
        "request": {
            "ip": request.ip,
            "hostname": request.hostname,
            "method": request.method,
            "user_agent": request.user_agent,
            "query": request.query,
            "body": request.body,
            "language": null,
            "geoip": {},
        },
        "transaction": {
            "protocol": flow.protocol,
            "requested_scopes": flow.requested_scopes,
            "redirect_uri": flow.redirect_uri,
            "response_type": flow.response_type.map(|r| vec![r]),
            "locale": "en",
        },
        "resource_server": flow.audience.map(|a| json!({"identifier": a})),
        "authorization": {"roles": flow.roles},
        "authentication": {"methods": authentication_methods(flow)},
        "session": flow.session_id.map(|id| json!({"id": id})),
        "organization": flow.organization.map(crate::organizations::Organization::event_json),
        "stats": {"logins_count": user.logins_count},
        "secrets": secrets,
        "tenant": {"id": tenant},
    })
}

/// Auth0's credentials-exchange `event` (client credentials).
pub fn credentials_exchange_event(
    client: &Client,
    request: &RequestInfo,
    audience: &str,
    requested_scopes: &[String],
    secrets: &Map<String, Value>,
    tenant: &str,
) -> Value {
    json!({
        "client": {
            "client_id": client.client_id,
            "name": client.name,
            "metadata": client.client_metadata,
        },
        "request": {
            "ip": request.ip,
            "hostname": request.hostname,
            "method": request.method,
            "user_agent": request.user_agent,
            "body": request.body,
            "geoip": {},
        },
        "resource_server": {"identifier": audience},
        "transaction": {"requested_scopes": requested_scopes},
        "accessToken": {"customClaims": {}},
        "secrets": secrets,
        "tenant": {"id": tenant},
    })
}

/// A Rule's `{user, context, configuration}`. `so_far` carries what earlier rules
/// put in the tokens, so each rule sees the context the one before left.
pub fn rule_input(
    user: &User,
    client: &Client,
    request: &RequestInfo,
    flow: &FlowInfo<'_>,
    configuration: &Map<String, Value>,
    so_far: &ScriptResult,
) -> Value {
    let mut access_token = so_far.access_token.clone();
    if let Some(s) = &so_far.scope {
        access_token.insert("scope".into(), json!(s));
    }
    let mut jwt = Map::new();
    if let Some(l) = so_far.id_token_lifetime {
        jwt.insert("lifetimeInSeconds".into(), l.into());
    }
    if let Some(s) = &so_far.id_token_scope {
        jwt.insert("scopes".into(), json!(s));
    }
    json!({
        "user": user_json(user),
        "context": {
            "tenant": "default",
            "clientID": client.client_id,
            "clientName": client.name,
            "clientMetadata": client.client_metadata,
            "connection": user.connection(),
            "connectionStrategy": flow.connection.map_or("auth0", |c| c.strategy.as_str()),
            "connectionID": flow.connection.map(|c| c.id.as_str()),
            "connectionMetadata": flow.connection.map(|c| &c.metadata),
            "protocol": flow.protocol,
            "request": {
                "ip": request.ip,
                "hostname": request.hostname,
                "userAgent": request.user_agent,
                "query": request.query,
                "body": request.body,
                "geoip": {},
            },
            "stats": {"loginsCount": user.logins_count},
            "sessionID": flow.session_id,
            "organization": flow.organization.map(crate::organizations::Organization::event_json),
            "authorization": {"roles": flow.roles},
            "idToken": so_far.id_token,
            "accessToken": access_token,
            "jwtConfiguration": jwt,
        },
        "configuration": configuration,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn restricted_and_standard_claims_are_left_out() {
        let mut target = Map::new();
        target.insert("sub".into(), "auth0|1".into());
        let custom: Map<String, Value> = serde_json::from_value(json!({
            "https://example.com/roles": ["admin"],
            "favourite_colour": "blue",
            "sub": "evil",
            "exp": 1,
            "email": "x@evil",
        }))
        .unwrap();
        let refused = apply_claims(&mut target, &custom, TokenKind::IdToken);
        assert_eq!(target["sub"], "auth0|1");
        assert_eq!(target["favourite_colour"], "blue");
        assert_eq!(target["https://example.com/roles"], json!(["admin"]));
        assert!(!target.contains_key("exp") && !target.contains_key("email"));
        assert_eq!(refused.len(), 3, "{refused:?}");
    }

    #[test]
    fn management_api_tokens_take_namespaced_claims_only() {
        let mut t = Map::new();
        let custom: Map<String, Value> =
            serde_json::from_value(json!({"plain": 1, "https://x/y": 2})).unwrap();
        apply_claims(
            &mut t,
            &custom,
            TokenKind::AccessToken {
                management_api: true,
            },
        );
        assert!(!t.contains_key("plain") && t.contains_key("https://x/y"));
        let mut t = Map::new();
        apply_claims(
            &mut t,
            &custom,
            TokenKind::AccessToken {
                management_api: false,
            },
        );
        assert!(t.contains_key("plain"));
    }

    #[test]
    fn scope_changes_apply_replace_then_add_then_remove() {
        let r = ScriptResult {
            add_scopes: vec!["write".into(), "read".into()],
            remove_scopes: vec!["openid".into()],
            ..Default::default()
        };
        assert_eq!(r.access_scope("openid read"), "read write");
        let r = ScriptResult {
            scope: Some(vec!["a".into()]),
            add_scopes: vec!["b".into()],
            ..Default::default()
        };
        assert_eq!(r.access_scope("openid read"), "a b");
    }

    #[test]
    fn id_token_lifetime_is_bounded() {
        let mut r = ScriptResult::default();
        assert_eq!(r.id_token_lifetime_or(36_000), 36_000);
        r.id_token_lifetime = Some(3600);
        assert_eq!(r.id_token_lifetime_or(36_000), 3600);
        r.id_token_lifetime = Some(-5);
        assert_eq!(r.id_token_lifetime_or(36_000), 36_000);
        r.id_token_lifetime = Some(i64::MAX);
        assert_eq!(r.id_token_lifetime_or(36_000), MAX_ID_TOKEN_LIFETIME);
    }

    #[test]
    fn scope_lists_take_strings_and_arrays() {
        assert_eq!(
            scope_list(&json!("a b")),
            Some(vec!["a".into(), "b".into()])
        );
        assert_eq!(scope_list(&json!(["a", "b c"])).unwrap().len(), 3);
        assert_eq!(scope_list(&json!(3)), None);
    }
}
