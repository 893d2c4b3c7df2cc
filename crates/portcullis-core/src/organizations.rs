//! Auth0's Organizations: one deployment serving many business customers. An
//! organization has members (users), their organization roles (RBAC roles
//! held only inside it), the connections its members sign in with, pending
//! invitations, and its own branding and metadata. Decided here with no I/O:
//! what a payload may set, whether an authorization request may (or must)
//! name an organization, and whether a signed-in user may enter one.
//!
//! Invariants:
//! - A user enters an organization only through a connection enabled for it,
//!   and only as a member, or by becoming one at that moment: with a live
//!   invitation for their own e-mail address, or through a connection with
//!   `assign_membership_on_login` ([`entry`]).
//! - An application's `organization_usage` decides whether `/authorize` may
//!   name an organization (`allow`, `require`) or must not (`deny`, Auth0's
//!   default); [`admission`].
//! - Tokens issued inside an organization say so (`org_id`, and `org_name`
//!   when the tenant allows it), and a refresh token keeps its organization.

use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};

use crate::validation::{self, Validated, ValidationError};

/// An organization (`org_…`).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Organization {
    pub id: String,
    pub name: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub display_name: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub branding: Option<Branding>,
    #[serde(default)]
    pub metadata: Map<String, Value>,
}

impl Organization {
    /// The name a person reads: the display name, else the name.
    pub fn shown_name(&self) -> &str {
        self.display_name.as_deref().unwrap_or(&self.name)
    }

    /// What `event.organization` holds in Actions (Auth0's shape).
    pub fn event_json(&self) -> Value {
        serde_json::json!({
            "id": self.id,
            "name": self.name,
            "display_name": self.shown_name(),
            "metadata": self.metadata,
        })
    }
}

/// An organization's look on the login page.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Branding {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub logo_url: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub colors: Option<Colors>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Colors {
    pub primary: String,
    pub page_background: String,
}

/// A new organization's id: `org_` and 16 letters or digits, as Auth0's.
pub fn new_id() -> String {
    format!("org_{}", crate::random::alphanumeric(16))
}

/// A new invitation's id (`uinv_…`, as Auth0's).
pub fn new_invitation_id() -> String {
    format!("uinv_{}", crate::random::alphanumeric(16))
}

/// Auth0's limits: a name of at most 50 characters, a display name of 255,
/// at most 25 metadata keys whose values are strings of at most 255.
pub const MAX_NAME: usize = 50;
pub const MAX_DISPLAY_NAME: usize = 255;
pub const MAX_METADATA_KEYS: usize = 25;
pub const MAX_METADATA_VALUE: usize = 255;

/// An enabled connection as given in a create body.
#[derive(Debug, Clone, Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct EnabledConnectionPayload {
    pub connection_id: Option<String>,
    pub assign_membership_on_login: Option<bool>,
    pub show_as_button: Option<bool>,
    pub is_signup_enabled: Option<bool>,
    /// Auth0's newer `/connections` route: only `true` (a connection not
    /// enabled is removed instead).
    pub is_enabled: Option<bool>,
    /// For Auth0's My Organization API, which Portcullis does not offer:
    /// only `none`.
    pub organization_access_level: Option<String>,
    /// Not supported: only empty.
    pub organization_connection_name: Option<String>,
    /// The answer's own `{name, strategy}`, which exported files carry back:
    /// ignored (the connection is `connection_id`).
    #[schemars(with = "Option<serde_json::Value>")]
    pub connection: Option<Value>,
}

/// A connection an organization's members sign in with.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct EnabledConnection {
    pub connection_id: String,
    /// A user who signs in through it to the organization becomes a member.
    pub assign_membership_on_login: bool,
    pub show_as_button: bool,
    pub is_signup_enabled: bool,
}

impl EnabledConnectionPayload {
    /// A new enabled connection (`connection_id` required; Auth0's defaults:
    /// no membership on login, shown as a button, no sign-up).
    pub fn into_new(self) -> Validated<EnabledConnection> {
        let Some(connection_id) = self.connection_id.clone() else {
            return Err(ValidationError::field(
                "connection_id",
                "Missing required property",
            ));
        };
        let c = EnabledConnection {
            connection_id,
            assign_membership_on_login: false,
            show_as_button: true,
            is_signup_enabled: false,
        };
        self.apply_to(c)
    }

    /// A PATCH of an enabled connection (its id is fixed).
    pub fn apply_to(self, mut c: EnabledConnection) -> Validated<EnabledConnection> {
        if self.is_enabled == Some(false) {
            return Err(ValidationError::field(
                "is_enabled",
                "a disabled organization connection is not kept here: remove the connection instead",
            ));
        }
        if self
            .organization_access_level
            .as_deref()
            .is_some_and(|l| l != "none")
        {
            return Err(ValidationError::field(
                "organization_access_level",
                "only none is supported (the My Organization API is not offered)",
            ));
        }
        if self
            .organization_connection_name
            .as_deref()
            .is_some_and(|n| !n.is_empty())
        {
            return Err(ValidationError::field(
                "organization_connection_name",
                "is not supported",
            ));
        }
        if self
            .connection_id
            .as_ref()
            .is_some_and(|id| *id != c.connection_id)
        {
            return Err(ValidationError::field("connection_id", "cannot be changed"));
        }
        if let Some(v) = self.assign_membership_on_login {
            c.assign_membership_on_login = v;
        }
        if let Some(v) = self.show_as_button {
            c.show_as_button = v;
        }
        if let Some(v) = self.is_signup_enabled {
            c.is_signup_enabled = v;
        }
        // Auth0: sign-up into an organization makes a member, so it needs
        // membership on login.
        if c.is_signup_enabled && !c.assign_membership_on_login {
            return Err(ValidationError::field(
                "is_signup_enabled",
                "requires assign_membership_on_login: true",
            ));
        }
        Ok(c)
    }
}

/// The body of `POST /api/v2/organizations` and `PATCH …/{id}`.
#[derive(Debug, Default, Clone, Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct OrganizationPayload {
    pub name: Option<String>,
    pub display_name: Option<String>,
    /// `null` removes the branding.
    #[serde(default, deserialize_with = "nullable")]
    #[schemars(with = "Option<Branding>")]
    pub branding: Option<Option<Value>>,
    /// Merged into the stored metadata; a key set to `null` is removed.
    pub metadata: Option<Map<String, Value>>,
    /// Only on create.
    pub enabled_connections: Option<Vec<EnabledConnectionPayload>>,
}

/// A field that may be absent (`None`), `null` (`Some(None)`) or a value.
fn nullable<'de, D: serde::Deserializer<'de>>(d: D) -> Result<Option<Option<Value>>, D::Error> {
    Ok(Some(Option::<Value>::deserialize(d)?))
}

/// `^[a-z0-9]([a-z0-9_-]*[a-z0-9])?$`: Auth0's organization names, which go
/// into URLs and the organization prompt.
pub fn valid_name(name: &str) -> bool {
    let b = name.as_bytes();
    let ok = |c: &u8| c.is_ascii_lowercase() || c.is_ascii_digit();
    !b.is_empty()
        && b.len() <= MAX_NAME
        && ok(&b[0])
        && ok(&b[b.len() - 1])
        && b.iter().all(|c| ok(c) || *c == b'-' || *c == b'_')
}

/// `#rgb` or `#rrggbb`.
pub fn valid_colour(c: &str) -> bool {
    crate::branding::valid_colour(c)
}

fn check_branding(v: Value) -> Validated<Branding> {
    let b: Branding =
        serde_json::from_value(v).map_err(|e| ValidationError::field("branding", e.to_string()))?;
    if let Some(url) = &b.logo_url {
        let parsed = validation::url("branding.logo_url", url)?;
        if parsed.scheme() != "https" {
            return Err(ValidationError::field(
                "branding.logo_url",
                format!("'{url}' must be an https URL"),
            ));
        }
    }
    if let Some(c) = &b.colors {
        for (field, value) in [
            ("branding.colors.primary", &c.primary),
            ("branding.colors.page_background", &c.page_background),
        ] {
            if !valid_colour(value) {
                return Err(ValidationError::field(
                    field,
                    format!("'{value}' is not a colour (#rgb or #rrggbb)"),
                ));
            }
        }
    }
    Ok(b)
}

impl OrganizationPayload {
    /// A new organization (`name` required) and its enabled connections.
    pub fn into_new(mut self, id: String) -> Validated<(Organization, Vec<EnabledConnection>)> {
        let Some(name) = self.name.clone() else {
            return Err(ValidationError::field("name", "Missing required property"));
        };
        let connections = self
            .enabled_connections
            .take()
            .unwrap_or_default()
            .into_iter()
            .map(EnabledConnectionPayload::into_new)
            .collect::<Validated<Vec<_>>>()?;
        for (i, c) in connections.iter().enumerate() {
            if connections[..i]
                .iter()
                .any(|d| d.connection_id == c.connection_id)
            {
                return Err(ValidationError::field(
                    "enabled_connections",
                    format!("'{}' is given twice", c.connection_id),
                ));
            }
        }
        let org = Organization {
            id,
            name,
            display_name: None,
            branding: None,
            metadata: Map::new(),
        };
        Ok((self.apply_to(org)?, connections))
    }

    pub fn apply_to(self, mut org: Organization) -> Validated<Organization> {
        if self.enabled_connections.is_some() {
            return Err(ValidationError::field(
                "enabled_connections",
                "is set through /organizations/{id}/enabled_connections",
            ));
        }
        if let Some(n) = self.name {
            org.name = n;
        }
        if !valid_name(&org.name) {
            return Err(ValidationError::field(
                "name",
                format!(
                    "'{}' must be 1 to {MAX_NAME} lower-case letters, digits, '-' or '_', starting and ending with a letter or digit",
                    org.name
                ),
            ));
        }
        if let Some(d) = self.display_name {
            org.display_name = if d.is_empty() { None } else { Some(d) };
        }
        if let Some(d) = &org.display_name {
            validation::display_name("display_name", d, MAX_DISPLAY_NAME)?;
        }
        match self.branding {
            None => {}
            Some(None) => org.branding = None,
            Some(Some(v)) => org.branding = Some(check_branding(v)?),
        }
        if let Some(m) = self.metadata {
            for (k, v) in m {
                match v {
                    Value::Null => {
                        org.metadata.remove(&k);
                    }
                    Value::String(s) if s.chars().count() <= MAX_METADATA_VALUE => {
                        org.metadata.insert(k, Value::String(s));
                    }
                    _ => {
                        return Err(ValidationError::field(
                            &format!("metadata.{k}"),
                            format!("must be a string of at most {MAX_METADATA_VALUE} characters"),
                        ));
                    }
                }
            }
            if org.metadata.len() > MAX_METADATA_KEYS {
                return Err(ValidationError::field(
                    "metadata",
                    format!("has more than {MAX_METADATA_KEYS} properties"),
                ));
            }
        }
        Ok(org)
    }
}

/// Auth0's `organization_usage` on applications and client grants.
#[derive(
    Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize, schemars::JsonSchema,
)]
#[serde(rename_all = "snake_case")]
pub enum OrganizationUsage {
    /// Organizations are not used (Auth0's default).
    #[default]
    Deny,
    /// A login may be to an organization or not.
    Allow,
    /// Every login is to an organization.
    Require,
}

/// Auth0's `organization_require_behavior`: how a login that must be to an
/// organization learns which one when the request did not say.
#[derive(
    Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize, schemars::JsonSchema,
)]
#[serde(rename_all = "snake_case")]
pub enum RequireBehavior {
    /// The request must name it (`invalid_request` otherwise).
    #[default]
    NoPrompt,
    /// The person types the organization's name before signing in.
    PreLoginPrompt,
    /// The person picks one of their organizations after signing in.
    PostLoginPrompt,
}

/// How an authorization request enters organizations.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Admission {
    /// Not to an organization.
    Outside,
    /// To the organization the request named (an id or a name, to resolve).
    Named(String),
    /// Ask the person for the organization's name before the login page.
    AskBefore,
    /// Let the person choose one of theirs after signing in.
    AskAfter,
}

/// The `/authorize` decision for an application's usage and the request's
/// `organization` parameter; the `Err` is the error description
/// (`invalid_request`).
pub fn admission(
    usage: OrganizationUsage,
    behavior: RequireBehavior,
    requested: Option<&str>,
) -> Result<Admission, &'static str> {
    match (usage, requested) {
        (OrganizationUsage::Deny, Some(_)) => {
            Err("parameter organization is not allowed for this client")
        }
        (OrganizationUsage::Deny, None) | (OrganizationUsage::Allow, None) => {
            Ok(Admission::Outside)
        }
        (_, Some(o)) => Ok(Admission::Named(o.to_string())),
        (OrganizationUsage::Require, None) => match behavior {
            RequireBehavior::NoPrompt => Err("parameter organization is required for this client"),
            RequireBehavior::PreLoginPrompt => Ok(Admission::AskBefore),
            RequireBehavior::PostLoginPrompt => Ok(Admission::AskAfter),
        },
    }
}

/// What is known, at the end of a login, about a user and the organization
/// the login is to.
#[derive(Debug, Clone, Copy)]
pub struct EntryFacts<'a> {
    pub is_member: bool,
    /// The organization's enabled connections the user has an identity in.
    pub connections: &'a [&'a EnabledConnection],
    /// A live invitation to this organization for the user's own address.
    pub invited: bool,
}

/// Whether the user enters the organization.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Entry {
    /// Already a member.
    Member,
    /// Becomes a member now (an invitation, or membership on login).
    Join,
    /// Refused (`access_denied`).
    Refuse(Refusal),
}

/// Why a user may not enter an organization.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Refusal {
    /// None of the user's connections is enabled for the organization.
    Connection,
    NotMember,
}

impl Refusal {
    /// Auth0's `error_description`.
    pub fn description(self, user_id: &str, connection: &str, org_id: &str) -> String {
        match self {
            Self::Connection => format!(
                "user {user_id} belongs to connection {connection} that is not part of the {org_id} organization"
            ),
            Self::NotMember => format!("user {user_id} is not part of the {org_id} organization"),
        }
    }
}

/// Decides a user's entry into an organization (see the module invariants).
pub fn entry(f: EntryFacts<'_>) -> Entry {
    if f.connections.is_empty() {
        return Entry::Refuse(Refusal::Connection);
    }
    if f.is_member {
        Entry::Member
    } else if f.invited || f.connections.iter().any(|c| c.assign_membership_on_login) {
        Entry::Join
    } else {
        Entry::Refuse(Refusal::NotMember)
    }
}

/// An invitation to join an organization, as stored (its ticket apart).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Invitation {
    pub id: String,
    pub organization_id: String,
    pub inviter: Inviter,
    pub invitee: Invitee,
    pub client_id: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub connection_id: Option<String>,
    #[serde(default)]
    pub app_metadata: Map<String, Value>,
    #[serde(default)]
    pub user_metadata: Map<String, Value>,
    #[serde(default)]
    pub roles: Vec<String>,
    pub created_at: crate::UnixTime,
    pub expires_at: crate::UnixTime,
}

impl Invitation {
    /// Whether `email` is the invited address (case-insensitively, as
    /// addresses are compared everywhere here).
    pub fn is_for(&self, email: &str) -> bool {
        crate::users::normalize_email(&self.invitee.email) == crate::users::normalize_email(email)
    }

    pub fn is_live(&self, now: crate::UnixTime) -> bool {
        now < self.expires_at
    }

    /// The invitee's record once they accept (Auth0's rule): the address is
    /// verified, since the link was sent to it, and the invitation's
    /// `app_metadata` and `user_metadata` are added under the keys the user
    /// does not have yet (what the user or an administrator set wins).
    pub fn accepted_by(
        &self,
        user: &crate::users::User,
        now: crate::UnixTime,
    ) -> crate::users::User {
        let mut u = user.clone();
        u.email_verified = true;
        for (k, v) in &self.app_metadata {
            u.app_metadata.entry(k.clone()).or_insert_with(|| v.clone());
        }
        for (k, v) in &self.user_metadata {
            u.user_metadata
                .entry(k.clone())
                .or_insert_with(|| v.clone());
        }
        u.updated_at = crate::clock::iso8601(now);
        u
    }
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Inviter {
    pub name: String,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Invitee {
    pub email: String,
}

/// Auth0's invitation lifetimes: seven days unless `ttl_sec` says otherwise,
/// at most thirty.
pub const DEFAULT_INVITATION_TTL: i64 = 7 * 24 * 3600;
pub const MAX_INVITATION_TTL: i64 = 30 * 24 * 3600;

/// The body of `POST /api/v2/organizations/{id}/invitations`.
#[derive(Debug, Default, Clone, Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct InvitationPayload {
    pub inviter: Option<Inviter>,
    pub invitee: Option<Invitee>,
    pub client_id: Option<String>,
    pub connection_id: Option<String>,
    pub app_metadata: Option<Map<String, Value>>,
    pub user_metadata: Option<Map<String, Value>>,
    pub ttl_sec: Option<i64>,
    pub roles: Option<Vec<String>>,
    pub send_invitation_email: Option<bool>,
}

impl InvitationPayload {
    /// The invitation, checked (the client, connection and roles are checked
    /// against the store by the caller).
    pub fn into_new(
        self,
        id: String,
        organization_id: &str,
        now: crate::UnixTime,
    ) -> Validated<Invitation> {
        let inviter = self
            .inviter
            .ok_or_else(|| ValidationError::field("inviter", "Missing required property"))?;
        let mut invitee = self
            .invitee
            .ok_or_else(|| ValidationError::field("invitee", "Missing required property"))?;
        invitee.email = crate::users::normalize_email(&invitee.email);
        let client_id = self
            .client_id
            .ok_or_else(|| ValidationError::field("client_id", "Missing required property"))?;
        validation::display_name("inviter.name", &inviter.name, 300)?;
        if !crate::users::is_email(&invitee.email) {
            return Err(ValidationError::field(
                "invitee.email",
                format!("'{}' is not an e-mail address", invitee.email),
            ));
        }
        let ttl = match self.ttl_sec.unwrap_or(0) {
            0 => DEFAULT_INVITATION_TTL,
            t if (1..=MAX_INVITATION_TTL).contains(&t) => t,
            t => {
                return Err(ValidationError::field(
                    "ttl_sec",
                    format!("{t} must be from 0 to {MAX_INVITATION_TTL}"),
                ));
            }
        };
        let roles = match self.roles {
            Some(r) => crate::roles::items("roles", &r)?,
            None => Vec::new(),
        };
        Ok(Invitation {
            id,
            organization_id: organization_id.to_string(),
            inviter,
            invitee,
            client_id,
            connection_id: self.connection_id,
            app_metadata: self.app_metadata.unwrap_or_default(),
            user_metadata: self.user_metadata.unwrap_or_default(),
            roles,
            created_at: now,
            expires_at: now + ttl,
        })
    }
}

/// Auth0's `error_description` when an organization's name is given where
/// only ids are accepted, and for an unknown one.
pub fn must_be_id() -> &'static str {
    "authorization request parameter organization must be an organization id"
}

pub fn invalid(given: &str) -> String {
    format!("parameter organization is invalid: {given}")
}

/// The link in an invitation: the application's `initiate_login_uri` with
/// the ticket and the organization (Auth0's `invitation`, `organization`,
/// `organization_name` parameters), which the application passes on to
/// `/authorize`.
pub fn invitation_url(initiate_login_uri: &str, ticket: &str, org: &Organization) -> String {
    let query = url::form_urlencoded::Serializer::new(String::new())
        .append_pair("invitation", ticket)
        .append_pair("organization", &org.id)
        .append_pair("organization_name", &org.name)
        .finish();
    let sep = if initiate_login_uri.contains('?') {
        '&'
    } else {
        '?'
    };
    format!("{initiate_login_uri}{sep}{query}")
}

/// The organization claims of a token.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct OrgClaims {
    pub org_id: String,
    /// Only when the tenant allows organization names in tokens.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub org_name: Option<String>,
}

impl OrgClaims {
    pub fn of(org: &Organization, with_name: bool) -> Self {
        Self {
            org_id: org.id.clone(),
            org_name: with_name.then(|| org.name.clone()),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn payload(v: Value) -> OrganizationPayload {
        serde_json::from_value(v).unwrap()
    }

    #[test]
    fn organization_names_are_auth0s() {
        for ok in ["acme", "a", "acme-corp_2", "0x"] {
            assert!(valid_name(ok), "{ok}");
        }
        for bad in [
            "",
            "Acme",
            "-acme",
            "acme-",
            "ac me",
            "acmé",
            &"a".repeat(51),
        ] {
            assert!(!valid_name(bad), "{bad}");
        }
    }

    #[test]
    fn branding_needs_https_logos_and_real_colours() {
        let ok = payload(serde_json::json!({
            "name": "acme",
            "branding": {"logo_url": "https://acme.example/logo.png",
                         "colors": {"primary": "#0059d6", "page_background": "#fff"}}
        }));
        assert!(ok.into_new("org_1".into()).is_ok());
        for bad in [
            serde_json::json!({"logo_url": "http://acme.example/logo.png"}),
            serde_json::json!({"logo_url": "javascript:alert(1)"}),
            serde_json::json!({"colors": {"primary": "red", "page_background": "#fff"}}),
            serde_json::json!({"colors": {"primary": "#12345", "page_background": "#fff"}}),
        ] {
            let p = payload(serde_json::json!({"name": "acme", "branding": bad}));
            assert!(p.into_new("org_1".into()).is_err());
        }
    }

    #[test]
    fn metadata_values_are_short_strings_and_null_removes() {
        let (org, _) =
            payload(serde_json::json!({"name": "acme", "metadata": {"tier": "gold", "x": "y"}}))
                .into_new("org_1".into())
                .unwrap();
        let org = payload(serde_json::json!({"metadata": {"x": null}}))
            .apply_to(org)
            .unwrap();
        assert_eq!(
            org.metadata,
            serde_json::json!({"tier": "gold"})
                .as_object()
                .unwrap()
                .clone()
        );
        assert!(
            payload(serde_json::json!({"metadata": {"n": 1}}))
                .apply_to(org.clone())
                .is_err()
        );
        let many: Map<String, Value> = (0..26)
            .map(|i| (format!("k{i}"), Value::from("v")))
            .collect();
        assert!(
            payload(serde_json::json!({"metadata": many}))
                .apply_to(org)
                .is_err()
        );
    }

    #[test]
    fn deny_refuses_the_parameter_and_require_asks_as_configured() {
        use OrganizationUsage::*;
        use RequireBehavior::*;
        assert!(admission(Deny, NoPrompt, Some("acme")).is_err());
        assert_eq!(admission(Deny, NoPrompt, None), Ok(Admission::Outside));
        assert_eq!(admission(Allow, NoPrompt, None), Ok(Admission::Outside));
        assert_eq!(
            admission(Allow, NoPrompt, Some("acme")),
            Ok(Admission::Named("acme".into()))
        );
        assert!(admission(Require, NoPrompt, None).is_err());
        assert_eq!(
            admission(Require, PreLoginPrompt, None),
            Ok(Admission::AskBefore)
        );
        assert_eq!(
            admission(Require, PostLoginPrompt, None),
            Ok(Admission::AskAfter)
        );
    }

    #[test]
    fn entry_needs_an_enabled_connection_and_membership_or_a_way_in() {
        let plain = EnabledConnection {
            connection_id: "con_1".into(),
            assign_membership_on_login: false,
            show_as_button: true,
            is_signup_enabled: false,
        };
        let assigning = EnabledConnection {
            assign_membership_on_login: true,
            ..plain.clone()
        };
        let (none, one, assign): (&[&EnabledConnection], _, _) = (&[], [&plain], [&assigning]);
        let facts = |is_member, connections, invited| EntryFacts {
            is_member,
            connections,
            invited,
        };
        assert!(matches!(entry(facts(true, none, false)), Entry::Refuse(_)));
        assert_eq!(entry(facts(true, &one, false)), Entry::Member);
        assert!(matches!(
            entry(facts(false, &one, false)),
            Entry::Refuse(Refusal::NotMember)
        ));
        assert_eq!(entry(facts(false, &one, true)), Entry::Join);
        assert_eq!(entry(facts(false, &assign, false)), Entry::Join);
    }

    #[test]
    fn invitations_default_to_a_week_and_check_their_fields() {
        let p: InvitationPayload = serde_json::from_value(serde_json::json!({
            "inviter": {"name": "Ann"}, "invitee": {"email": "bob@example.com"},
            "client_id": "c1", "roles": ["rol_1", "rol_1"]
        }))
        .unwrap();
        let inv = p.clone().into_new("uinv_1".into(), "org_1", 100).unwrap();
        assert_eq!(inv.expires_at, 100 + DEFAULT_INVITATION_TTL);
        assert_eq!(inv.roles, vec!["rol_1".to_string()]);
        assert!(inv.is_for("Bob@Example.com") && !inv.is_for("eve@example.com"));
        let long = InvitationPayload {
            ttl_sec: Some(MAX_INVITATION_TTL + 1),
            ..p.clone()
        };
        assert!(long.into_new("uinv_1".into(), "org_1", 100).is_err());
        let bad = InvitationPayload {
            invitee: Some(Invitee {
                email: "not-an-address".into(),
            }),
            ..p
        };
        assert!(bad.into_new("uinv_1".into(), "org_1", 100).is_err());
    }

    #[test]
    fn the_invitation_link_carries_ticket_and_organization() {
        let org = Organization {
            id: "org_1".into(),
            name: "acme".into(),
            display_name: None,
            branding: None,
            metadata: Map::new(),
        };
        assert_eq!(
            invitation_url("https://app.example/login?x=1", "tk", &org),
            "https://app.example/login?x=1&invitation=tk&organization=org_1&organization_name=acme"
        );
    }
}
