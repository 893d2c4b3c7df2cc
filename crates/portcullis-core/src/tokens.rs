//! Token claim sets as Portcullis issues them.

use serde::{Deserialize, Serialize};

use crate::UnixTime;

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
    pub azp: String,
    /// Auth0's grant-type marker, present for client-credentials, password and refresh.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub gty: Option<String>,
}

impl AccessTokenClaims {
    pub fn scopes(&self) -> impl Iterator<Item = &str> {
        self.scope.split(' ').filter(|s| !s.is_empty())
    }
}
