//! Account linking (Auth0's `/users/{id}/identities`): a secondary user's
//! identity moves into the primary user's `identities`, with its profile as
//! `profileData`; the secondary user no longer exists as such, and signing in
//! with its identity signs the primary in. Unlinking makes it a user again.
//!
//! Invariants:
//! - Nothing links automatically (not even on a matching e-mail address):
//!   linking is a Management API call, so an unverified address at some
//!   provider can never take over an account.
//! - A user is never linked to itself, a secondary with linked identities of
//!   its own is refused (Auth0 links one level only), and the primary's own
//!   (first) identity cannot be unlinked.

use serde::Deserialize;
use serde_json::{Map, Value, json};

use crate::users::{Identity, User};
use crate::validation::{Validated, ValidationError};

/// `POST /api/v2/users/{id}/identities`.
#[derive(Debug, Default, Clone, Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct LinkRequest {
    pub provider: Option<String>,
    pub user_id: Option<String>,
    pub connection_id: Option<String>,
    /// An ID token this server issued to the secondary user.
    pub link_with: Option<String>,
}

/// Who the secondary is, as the request names it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Secondary {
    /// A full user id (`google-oauth2|123`, `auth0|abc`), or one to complete
    /// with the connection's name (`oidc`, `oauth2`: `provider|connection|id`).
    UserId {
        provider: String,
        user_id: String,
        connection_id: Option<String>,
    },
    /// The subject of an ID token, once verified.
    Token(String),
}

impl LinkRequest {
    pub fn decide(self) -> Validated<Secondary> {
        match (self.link_with, self.provider, self.user_id) {
            (Some(t), None, None) if self.connection_id.is_none() => Ok(Secondary::Token(t)),
            (None, Some(provider), Some(user_id))
                if !provider.is_empty() && !user_id.is_empty() =>
            {
                Ok(Secondary::UserId {
                    provider,
                    user_id,
                    connection_id: self.connection_id,
                })
            }
            _ => Err(ValidationError::field(
                "provider",
                "give provider and user_id (and connection_id for oidc and oauth2), or link_with alone",
            )),
        }
    }
}

/// The secondary's full user id: `user_id` as given when it is one already,
/// else `provider|user_id`, or `provider|connection|user_id` for the
/// strategies whose ids name their connection.
pub fn full_user_id(provider: &str, user_id: &str, connection_name: Option<&str>) -> String {
    if user_id.starts_with(&format!("{provider}|")) {
        return user_id.to_string();
    }
    match (provider, connection_name) {
        ("oidc" | "oauth2", Some(c)) => format!("{provider}|{c}|{user_id}"),
        _ => format!("{provider}|{user_id}"),
    }
}

/// Why a link or unlink is refused.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum LinkError {
    #[error("A user cannot be linked to itself")]
    Itself,
    #[error("The user to link has linked accounts of its own: unlink them first")]
    SecondaryHasLinks,
    #[error("Main identity cannot be unlinked")]
    MainIdentity,
    #[error("The identity is not linked to this user")]
    NotLinked,
}

/// The profile a linked identity keeps (Auth0's `profileData`).
fn profile_data(u: &User) -> Map<String, Value> {
    let mut m = Map::new();
    m.insert("email".into(), json!(u.email));
    m.insert("email_verified".into(), json!(u.email_verified));
    m.insert("name".into(), json!(u.name));
    m.insert("nickname".into(), json!(u.nickname));
    m.insert("picture".into(), json!(u.picture));
    for (k, v) in [
        ("given_name", &u.given_name),
        ("family_name", &u.family_name),
        ("username", &u.username),
    ] {
        if let Some(v) = v {
            m.insert(k.into(), json!(v));
        }
    }
    m
}

/// The primary after `secondary` is linked into it.
pub fn link(mut primary: User, secondary: &User, now: crate::UnixTime) -> Result<User, LinkError> {
    if primary.user_id == secondary.user_id {
        return Err(LinkError::Itself);
    }
    if secondary.identities.len() > 1 {
        return Err(LinkError::SecondaryHasLinks);
    }
    let Some(identity) = secondary.identities.first() else {
        return Err(LinkError::NotLinked);
    };
    primary.identities.push(Identity {
        profile_data: Some(profile_data(secondary)),
        ..identity.clone()
    });
    primary.updated_at = crate::clock::iso8601(now);
    Ok(primary)
}

/// The primary after the identity `provider`/`user_id` is unlinked, and that
/// identity (its connection tells the store which linked row it is).
pub fn unlink(
    mut primary: User,
    provider: &str,
    user_id: &str,
    now: crate::UnixTime,
) -> Result<(User, Identity), LinkError> {
    let at = primary
        .identities
        .iter()
        .position(|i| i.provider == provider && i.user_id == user_id)
        .ok_or(LinkError::NotLinked)?;
    if at == 0 {
        return Err(LinkError::MainIdentity);
    }
    let removed = primary.identities.remove(at);
    primary.updated_at = crate::clock::iso8601(now);
    Ok((primary, removed))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::users::{DatabaseConnection, UserCreate};

    fn user(email: &str, id: &str) -> User {
        serde_json::from_value::<UserCreate>(json!({"connection": "Username-Password-Authentication", "email": email, "password": "Passw0rd!x"}))
            .unwrap()
            .into_user(&DatabaseConnection::preview(), id.into(), "https://id.example/", 0)
            .unwrap()
            .0
    }

    #[test]
    fn linking_moves_the_identity_with_its_profile_and_unlinking_takes_it_back() {
        let a = user("a@example.com", "aaa");
        let b = user("b@example.com", "bbb");
        let linked = link(a.clone(), &b, 5).unwrap();
        assert_eq!(linked.identities.len(), 2);
        assert_eq!(linked.identities[1].user_id, "bbb");
        assert_eq!(
            linked.identities[1].profile_data.as_ref().unwrap()["email"],
            "b@example.com"
        );
        assert_eq!(link(linked.clone(), &linked, 5), Err(LinkError::Itself));
        let c = user("c@example.com", "ccc");
        assert_eq!(link(c, &linked, 5), Err(LinkError::SecondaryHasLinks));
        assert_eq!(
            unlink(linked.clone(), "auth0", "aaa", 6),
            Err(LinkError::MainIdentity)
        );
        assert_eq!(
            unlink(linked.clone(), "auth0", "zzz", 6),
            Err(LinkError::NotLinked)
        );
        let (back, removed) = unlink(linked, "auth0", "bbb", 6).unwrap();
        assert_eq!(back.identities, a.identities);
        assert_eq!(removed.user_id, "bbb");
    }

    #[test]
    fn a_secondary_is_named_as_auth0_names_it() {
        assert_eq!(
            full_user_id("google-oauth2", "123", None),
            "google-oauth2|123"
        );
        assert_eq!(full_user_id("auth0", "auth0|abc", None), "auth0|abc");
        assert_eq!(full_user_id("oidc", "s-1", Some("corp")), "oidc|corp|s-1");
        let r: LinkRequest = serde_json::from_value(json!({"provider": "auth0"})).unwrap();
        assert!(r.decide().is_err());
        let r: LinkRequest =
            serde_json::from_value(json!({"link_with": "t", "provider": "auth0", "user_id": "x"}))
                .unwrap();
        assert!(r.decide().is_err());
    }
}
