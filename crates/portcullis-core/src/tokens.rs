//! Token claim sets as Portcullis issues them, and the rules that build them.

use aws_lc_rs::digest;
use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};

use crate::UnixTime;
use crate::resource_servers::ResourceServer;
use crate::users::User;

/// `aud` is one audience, or several (`[api, "<issuer>userinfo"]` in browser flows).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(untagged)]
pub enum Audience {
    One(String),
    Many(Vec<String>),
}

impl Audience {
    pub fn contains(&self, aud: &str) -> bool {
        match self {
            Audience::One(a) => a == aud,
            Audience::Many(v) => v.iter().any(|a| a == aud),
        }
    }
}

/// An access token in Auth0's profile (a JWT with `typ: JWT`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct AccessTokenClaims {
    pub iss: String,
    pub sub: String,
    pub aud: Audience,
    pub iat: UnixTime,
    pub exp: UnixTime,
    #[serde(default)]
    pub scope: String,
    /// The client. RFC 9068 §2.2 names it `client_id`; tokens in that dialect
    /// carry only `client_id`, read back into this field.
    #[serde(default, alias = "client_id")]
    pub azp: String,
    /// Auth0's grant-type marker, present for client-credentials, password and refresh.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub gty: Option<String>,
    /// RFC 9068 §2.2: a unique id, so that tokens from a replayed code can be revoked.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub jti: Option<String>,
    /// RFC 8693 §4.1: the party acting on the subject's behalf (token exchange).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub act: Option<serde_json::Value>,
    /// RBAC with an `…_authz` dialect: every permission the user holds for the
    /// API (client credentials: the granted scopes).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub permissions: Option<Vec<String>>,
    /// The organization the token was issued in (Auth0's claims).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub org_id: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub org_name: Option<String>,
    /// RFC 9449 §6.1: the DPoP key the token is bound to.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub cnf: Option<crate::protocol::dpop::Confirmation>,
    /// Custom claims from Rules and Actions (see `scripts::apply_claims`).
    #[serde(flatten)]
    pub extra: Map<String, Value>,
}

impl AccessTokenClaims {
    pub fn scopes(&self) -> impl Iterator<Item = &str> {
        self.scope.split(' ').filter(|s| !s.is_empty())
    }

    /// The claims in the RFC 9068 profile (Auth0's `rfc9068_profile`
    /// dialects): `client_id` instead of `azp`, no `gty`, always a `jti`
    /// (RFC 9068 §2.2). Signed with `typ: at+jwt` (§2.1).
    pub fn rfc9068(&self) -> Value {
        let mut v = serde_json::to_value(self).unwrap_or(Value::Null);
        if let Value::Object(m) = &mut v {
            m.remove("azp");
            m.remove("gty");
            m.insert("client_id".into(), Value::from(self.azp.clone()));
            if !m.contains_key("jti") {
                m.insert("jti".into(), Value::from(crate::random::alphanumeric(24)));
            }
        }
        v
    }

    /// The `permissions` claim of an API that enforces RBAC with an `…_authz`
    /// dialect; `None` elsewhere.
    pub fn set_permissions(&mut self, api: Option<&ResourceServer>, held: &[String]) {
        self.permissions = api
            .filter(|a| a.enforce_policies && a.token_dialect.includes_permissions())
            .map(|a| crate::roles::permissions_claim(held, a));
    }
}

pub use crate::scope::OIDC_SCOPES;

/// `<issuer>userinfo`: the audience that makes an access token good at `/userinfo`.
pub fn userinfo_audience(issuer: &str) -> String {
    format!("{issuer}userinfo")
}

/// A user's access token. With an API the scope keeps only what the API defines
/// plus the OIDC scopes, and `aud` lists `/userinfo` too when `openid` was asked;
/// without one the token is good for `/userinfo` only.
pub struct UserAccessToken<'a> {
    pub issuer: &'a str,
    pub user_id: &'a str,
    pub client_id: &'a str,
    pub api: Option<&'a ResourceServer>,
    pub scope: &'a [String],
    /// The user's permissions for `api` (through roles or directly), read when
    /// the API enforces RBAC; empty otherwise. With RBAC on, only these (and
    /// the OpenID scopes) are granted, so forgetting to read them fails closed.
    pub permissions: &'a [String],
    pub now: UnixTime,
    /// Implicit and hybrid flows use the API's `token_lifetime_for_web`.
    pub browser_flow: bool,
    pub jti: String,
}

/// Lifetime of a token good only for `/userinfo`.
pub const USERINFO_TOKEN_LIFETIME: i64 = 86_400;

impl UserAccessToken<'_> {
    pub fn claims(&self) -> AccessTokenClaims {
        let openid = self.scope.iter().any(|s| s == "openid");
        let rbac = self
            .api
            .filter(|a| a.enforce_policies)
            .map(|a| crate::roles::rbac_scope(self.scope, self.permissions, a));
        let scope: Vec<&str> = rbac
            .as_deref()
            .unwrap_or(self.scope)
            .iter()
            .map(String::as_str)
            .filter(|s| OIDC_SCOPES.contains(s) || self.api.is_some_and(|a| a.defines_scope(s)))
            // A user's token for the Management API carries only the
            // current_user scopes, whatever was asked (see `management`).
            .filter(|s| {
                !self.api.is_some_and(|a| a.is_system) || crate::management::is_user_scope(s)
            })
            .collect();
        let (aud, lifetime) = match self.api {
            Some(api) => {
                let aud = if openid {
                    Audience::Many(vec![api.identifier.clone(), userinfo_audience(self.issuer)])
                } else {
                    Audience::One(api.identifier.clone())
                };
                let lifetime = if self.browser_flow {
                    api.token_lifetime_for_web
                } else {
                    api.token_lifetime
                };
                (aud, lifetime)
            }
            None => (
                Audience::One(userinfo_audience(self.issuer)),
                USERINFO_TOKEN_LIFETIME,
            ),
        };
        let mut claims = AccessTokenClaims {
            iss: self.issuer.to_string(),
            sub: self.user_id.to_string(),
            aud,
            iat: self.now,
            exp: self.now + lifetime,
            scope: scope.join(" "),
            azp: self.client_id.to_string(),
            gty: None,
            jti: Some(self.jti.clone()),
            act: None,
            permissions: None,
            org_id: None,
            org_name: None,
            cnf: None,
            extra: Map::new(),
        };
        claims.set_permissions(self.api, self.permissions);
        claims
    }
}

/// The profile claims that the `profile` and `email` scopes release (OpenID Connect
/// Core §5.4), as Auth0 sends them (`updated_at` as an ISO-8601 string).
pub fn user_claims(user: &User, scope: &[String]) -> Map<String, Value> {
    let mut m = Map::new();
    let has = |s: &str| scope.iter().any(|x| x == s);
    if has("profile") {
        m.insert("name".into(), user.name.clone().into());
        if let Some(g) = &user.given_name {
            m.insert("given_name".into(), g.clone().into());
        }
        if let Some(f) = &user.family_name {
            m.insert("family_name".into(), f.clone().into());
        }
        m.insert("nickname".into(), user.nickname.clone().into());
        m.insert("picture".into(), user.picture.clone().into());
        m.insert("updated_at".into(), user.updated_at.clone().into());
    }
    if has("email") {
        m.insert("email".into(), user.email.clone().into());
        m.insert("email_verified".into(), user.email_verified.into());
    }
    m
}

/// OpenID Connect Core §3.3.2.11: the left half of SHA-256 of the ASCII value,
/// base64url (`at_hash`, `c_hash`).
pub fn half_hash(value: &str) -> String {
    let d = digest::digest(&digest::SHA256, value.as_bytes());
    URL_SAFE_NO_PAD.encode(&d.as_ref()[..16])
}

/// An ID token (OpenID Connect Core §2), with the profile claims flattened in.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct IdTokenClaims {
    pub iss: String,
    pub sub: String,
    pub aud: String,
    pub iat: UnixTime,
    pub exp: UnixTime,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub nonce: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub sid: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub auth_time: Option<UnixTime>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub at_hash: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub c_hash: Option<String>,
    /// Authentication methods (OpenID Connect Core §2), e.g. `["mfa"]`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub amr: Option<Vec<String>>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub acr: Option<String>,
    /// The organization the login was to (Auth0's claims).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub org_id: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub org_name: Option<String>,
    #[serde(flatten)]
    pub profile: Map<String, Value>,
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::resource_servers::ResourceServerPayload;

    /// OpenID Connect Core §A.3 example: access token and its at_hash.
    #[test]
    fn half_hash_matches_the_oidc_example() {
        assert_eq!(
            half_hash("jHkWEdUXMU1BwAsC4vtUsZwnNvTIxEl0z9K3vx5KF0Y"),
            "77QmUPtjPfzWtF2AnpK9RQ"
        );
    }

    #[test]
    fn access_token_scope_keeps_api_and_oidc_scopes_only() {
        let api = serde_json::from_value::<ResourceServerPayload>(
            serde_json::json!({"identifier": "https://api/", "scopes": [{"value": "read"}]}),
        )
        .unwrap()
        .into_new("x".into())
        .unwrap();
        let scope: Vec<String> = ["openid", "read", "write", "profile"]
            .iter()
            .map(|s| s.to_string())
            .collect();
        let c = UserAccessToken {
            issuer: "https://id/",
            user_id: "auth0|1",
            client_id: "c",
            api: Some(&api),
            scope: &scope,
            permissions: &[],
            now: 0,
            browser_flow: false,
            jti: "j".into(),
        }
        .claims();
        assert_eq!(c.scope, "openid read profile");
        assert_eq!(
            c.aud,
            Audience::Many(vec!["https://api/".into(), "https://id/userinfo".into()])
        );
        assert_eq!(c.exp, 86_400);
    }
}
