//! Dashboard members: the people who administer a tenant (Auth0's "tenant
//! members", Keycloak's realm administrators). They are not the tenant's users:
//! they have their own accounts, are never listed by `/api/v2/users`, never run
//! the tenant's Rules or Actions, and sign in only to the dashboard.
//!
//! Invariants:
//! - A member's Management API token carries `sub = member|<id>`; no user id
//!   has that prefix (users' ids are `auth0|…`), and only the dashboard's own
//!   sign-in issues one.
//! - What a member may do is decided by the member's role *when the request is
//!   made* ([`Role::scopes`]), intersected with the token's scopes, so a demoted
//!   or removed member loses access at once, not when the token expires.

use crate::clients::{AppType, Client, ClientPayload, TokenEndpointAuthMethod};
use crate::management::{MANAGEMENT_SCOPES, USER_SCOPES};
use crate::validation::ValidationError;

/// The dashboard's client id (a public single-page application).
pub const DASHBOARD_CLIENT_ID: &str = "portcullis-dashboard";

/// The dashboard as a client of this server, built in and never stored (so no
/// Management API call can change where its codes go): `<issuer>admin/` is its
/// only callback and logout URL; the authorization code with PKCE its only grant.
pub fn dashboard_client(issuer: &str, tenant: &str) -> Option<Client> {
    let home = format!("{issuer}admin/");
    ClientPayload {
        name: Some("Portcullis Dashboard".into()),
        description: Some(
            "Built in: the dashboard's own sign-in. Not stored, not editable.".into(),
        ),
        app_type: Some(AppType::Spa),
        is_first_party: Some(true),
        oidc_conformant: Some(true),
        callbacks: Some(vec![home.clone()]),
        allowed_logout_urls: Some(vec![home]),
        web_origins: Some(vec![issuer.trim_end_matches('/').to_string()]),
        grant_types: Some(vec!["authorization_code".into()]),
        token_endpoint_auth_method: Some(TokenEndpointAuthMethod::None),
        ..Default::default()
    }
    .into_new_client(DASHBOARD_CLIENT_ID.into(), tenant)
    .ok()
}

/// The prefix of a member's subject in tokens and of nothing else.
pub const SUBJECT_PREFIX: &str = "member|";

/// What a member may do in the dashboard (and so in the Management API).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Role {
    /// Everything, signing keys included.
    Admin,
    /// Every change except to the signing keys (rotate, revoke): applications,
    /// APIs, grants, users, Rules, Actions.
    Editor,
    /// Reads everything, changes nothing.
    Viewer,
}

/// Changes only an administrator may make: the signing keys (a revoked key
/// locks every application out), and the tenant-wide settings and mail
/// (session lifetimes, logout and redirect URLs, the sender and words of every
/// mail, the mail relay).
const ADMIN_ONLY: &[&str] = &[
    "create:signing_keys",
    "update:signing_keys",
    "update:tenant_settings",
    "create:email_templates",
    "update:email_templates",
    "create:email_provider",
    "update:email_provider",
    "delete:email_provider",
];

impl Role {
    pub const ALL: [Role; 3] = [Role::Admin, Role::Editor, Role::Viewer];

    pub fn as_str(self) -> &'static str {
        match self {
            Role::Admin => "admin",
            Role::Editor => "editor",
            Role::Viewer => "viewer",
        }
    }

    pub fn parse(s: &str) -> Option<Role> {
        Role::ALL.into_iter().find(|r| r.as_str() == s)
    }

    /// The Management API scopes of this role. A member is not a user, so no
    /// `current_user` scope is among them.
    pub fn scopes(self) -> impl Iterator<Item = &'static str> {
        MANAGEMENT_SCOPES
            .iter()
            .copied()
            .filter(|s| !USER_SCOPES.contains(s))
            .filter(move |s| match self {
                Role::Admin => true,
                Role::Editor => !ADMIN_ONLY.contains(s),
                Role::Viewer => s.starts_with("read:"),
            })
    }

    /// Whether this role holds `scope`.
    pub fn allows(self, scope: &str) -> bool {
        self.scopes().any(|s| s == scope)
    }
}

impl std::fmt::Display for Role {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

/// A dashboard member as stored (the password hash is kept apart).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Member {
    /// `mbr_…`; the token subject is [`SUBJECT_PREFIX`] + this.
    pub id: String,
    pub email: String,
    pub role: Role,
    pub created_at: i64,
    pub last_login: Option<i64>,
    pub logins_count: i64,
}

impl Member {
    /// The subject of the member's tokens.
    pub fn subject(&self) -> String {
        format!("{SUBJECT_PREFIX}{}", self.id)
    }
}

/// The member id a token subject names, if it names a member.
pub fn id_of_subject(sub: &str) -> Option<&str> {
    sub.strip_prefix(SUBJECT_PREFIX).filter(|id| !id.is_empty())
}

/// A new member's id.
pub fn new_id() -> String {
    format!("mbr_{}", crate::random::alphanumeric(24))
}

/// Normalises and checks a member's e-mail address (the sign-in name).
pub fn normalize_email(email: &str) -> Result<String, ValidationError> {
    let e = email.trim().to_lowercase();
    let ok = e.len() <= 254
        && e.split_once('@')
            .is_some_and(|(local, domain)| !local.is_empty() && !domain.is_empty())
        && !e.chars().any(|c| c.is_whitespace() || c.is_control());
    if ok {
        Ok(e)
    } else {
        Err(ValidationError::field("email", "must be an e-mail address"))
    }
}

/// A member's password: the tenant's "fair" policy and at least 12
/// characters, since a member holds the Management API's scopes.
pub fn check_password(password: &str) -> Result<(), String> {
    if password.chars().count() < 12 {
        return Err("A member's password needs at least 12 characters.".into());
    }
    crate::passwords::check_policy(password)
}

/// A generated member password (meets [`check_password`]).
pub fn generate_password() -> String {
    // 24 random letters and digits, then one of each class the policy asks for.
    format!("{}-Pc7", crate::random::alphanumeric(24))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_viewer_only_reads_and_an_editor_cannot_touch_the_signing_keys() {
        assert!(Role::Viewer.scopes().all(|s| s.starts_with("read:")));
        assert!(Role::Viewer.allows("read:clients"));
        assert!(!Role::Viewer.allows("update:clients"));
        assert!(Role::Editor.allows("delete:clients"));
        assert!(!Role::Editor.allows("create:signing_keys"));
        assert!(Role::Admin.allows("create:signing_keys"));
    }

    #[test]
    fn no_role_holds_a_current_user_scope() {
        for r in Role::ALL {
            assert!(!r.allows("read:current_user"), "{r}");
        }
    }

    #[test]
    fn only_member_subjects_name_a_member() {
        assert_eq!(id_of_subject("member|mbr_1"), Some("mbr_1"));
        assert_eq!(id_of_subject("member|"), None);
        assert_eq!(id_of_subject("auth0|member|x"), None);
    }

    #[test]
    fn roles_round_trip_by_name() {
        for r in Role::ALL {
            assert_eq!(Role::parse(r.as_str()), Some(r));
        }
        assert_eq!(Role::parse("owner"), None);
    }
}
