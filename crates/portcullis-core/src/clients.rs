//! Clients: Auth0 "applications" (RFC 6749 §2).
//!
//! Shapes and defaults follow Auth0's Management API v2 `/clients`. The stored
//! record never holds the client secret, only its hash (kept beside the record by
//! the store).

use serde::{Deserialize, Serialize};

use crate::organizations::{OrganizationUsage, RequireBehavior};

use crate::validation::{self, Validated, ValidationError};

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, schemars::JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum AppType {
    Spa,
    RegularWeb,
    Native,
    /// Auth0's name for a machine-to-machine application.
    NonInteractive,
}

/// RFC 7591 §2 `token_endpoint_auth_method`, the subset Auth0 offers.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, schemars::JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum TokenEndpointAuthMethod {
    /// A public client (SPA, native): no secret, PKCE instead.
    None,
    ClientSecretPost,
    ClientSecretBasic,
}

pub use crate::protocol::grant_type::GrantType;

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct JwtConfiguration {
    /// ID token lifetime (Auth0's "ID Token Expiration"), default 36000 s.
    pub lifetime_in_seconds: i64,
    pub secret_encoded: bool,
    pub alg: crate::keys::Alg,
}

impl Default for JwtConfiguration {
    fn default() -> Self {
        Self {
            lifetime_in_seconds: 36_000,
            secret_encoded: false,
            alg: crate::keys::Alg::Rs256,
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, schemars::JsonSchema)]
#[serde(rename_all = "kebab-case")]
pub enum RotationType {
    Rotating,
    NonRotating,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, schemars::JsonSchema)]
#[serde(rename_all = "kebab-case")]
pub enum ExpirationType {
    Expiring,
    NonExpiring,
}

/// Auth0's `ClientRefreshTokenConfiguration`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct RefreshTokenConfig {
    pub rotation_type: RotationType,
    pub expiration_type: ExpirationType,
    /// Seconds in which the previous rotating token may be exchanged again.
    pub leeway: i64,
    pub token_lifetime: i64,
    pub infinite_token_lifetime: bool,
    pub idle_token_lifetime: i64,
    pub infinite_idle_token_lifetime: bool,
}

impl RefreshTokenConfig {
    /// Auth0's defaults: rotating and expiring for browser and native apps (their
    /// refresh tokens live where they can be stolen), non-rotating otherwise.
    pub fn default_for(app_type: AppType) -> Self {
        match app_type {
            AppType::Spa | AppType::Native => Self {
                rotation_type: RotationType::Rotating,
                expiration_type: ExpirationType::Expiring,
                leeway: 0,
                token_lifetime: 2_592_000,
                infinite_token_lifetime: false,
                idle_token_lifetime: 1_296_000,
                infinite_idle_token_lifetime: false,
            },
            AppType::RegularWeb | AppType::NonInteractive => Self {
                rotation_type: RotationType::NonRotating,
                expiration_type: ExpirationType::NonExpiring,
                leeway: 0,
                token_lifetime: 2_592_000,
                infinite_token_lifetime: true,
                idle_token_lifetime: 1_296_000,
                infinite_idle_token_lifetime: true,
            },
        }
    }
}

/// An application as stored and as the Management API shows it (without secret).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Client {
    pub client_id: String,
    pub tenant: String,
    pub name: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub description: Option<String>,
    pub app_type: AppType,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub logo_uri: Option<String>,
    pub is_first_party: bool,
    pub oidc_conformant: bool,
    pub global: bool,
    pub callbacks: Vec<String>,
    pub allowed_logout_urls: Vec<String>,
    pub web_origins: Vec<String>,
    pub allowed_origins: Vec<String>,
    /// Auth0's legacy delegation: the client ids that may ask `/delegation` for
    /// an ID token for this application.
    #[serde(default)]
    pub allowed_clients: Vec<String>,
    pub grant_types: Vec<GrantType>,
    pub token_endpoint_auth_method: TokenEndpointAuthMethod,
    pub jwt_configuration: JwtConfiguration,
    pub refresh_token: RefreshTokenConfig,
    #[serde(default)]
    pub client_metadata: serde_json::Map<String, serde_json::Value>,
    /// Whether logins to this application are to an organization (Auth0's
    /// `organization_usage`; `deny` by default).
    #[serde(default)]
    pub organization_usage: OrganizationUsage,
    /// How a login that must be to an organization learns which one.
    #[serde(default)]
    pub organization_require_behavior: RequireBehavior,
    /// Where a login starts from the application (an organization invitation
    /// links here, with `invitation` and `organization`): https only.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub initiate_login_uri: Option<String>,
    /// RFC 9126: `/authorize` takes this application's requests only by a
    /// pushed request's `request_uri` (Auth0's field).
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub require_pushed_authorization_requests: bool,
    /// RFC 9449: the application's access tokens must be DPoP-bound; a token
    /// request without a proof is refused (Auth0's field).
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub require_proof_of_possession: bool,
    /// How long a pushed request's `request_uri` lives, in seconds (Auth0's
    /// field; `protocol::par::DEFAULT_EXPIRY` when unset).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub par_request_expiry: Option<i64>,
    /// Auth0's `client_authentication_methods`: with `private_key_jwt`
    /// credentials the application authenticates only with a signed
    /// assertion (RFC 7523), never its secret.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub client_authentication_methods: Option<ClientAuthenticationMethods>,
    /// Auth0's `oidc_logout`: where back-channel logout tokens go
    /// (OpenID Connect Back-Channel Logout 1.0).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub oidc_logout: Option<OidcLogout>,
}

/// Auth0's `oidc_logout`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct OidcLogout {
    #[serde(default)]
    pub backchannel_logout_urls: Vec<String>,
    /// Kept as given: Portcullis sends a logout token whatever ended the
    /// session.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub backchannel_logout_initiators: Option<serde_json::Value>,
}

/// Auth0's `client_authentication_methods`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct ClientAuthenticationMethods {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub private_key_jwt: Option<PrivateKeyJwt>,
}

/// The credentials (`/clients/{id}/credentials`) an assertion may be signed with.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct PrivateKeyJwt {
    pub credentials: Vec<CredentialRef>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct CredentialRef {
    pub id: String,
}

impl Client {
    /// Where this application takes back-channel logout tokens.
    pub fn backchannel_logout_urls(&self) -> &[String] {
        self.oidc_logout
            .as_ref()
            .map(|o| o.backchannel_logout_urls.as_slice())
            .unwrap_or_default()
    }

    /// The ids of the credentials this application authenticates with by
    /// `private_key_jwt`; empty when it uses its secret (or none).
    pub fn private_key_jwt(&self) -> Vec<&str> {
        self.client_authentication_methods
            .as_ref()
            .and_then(|m| m.private_key_jwt.as_ref())
            .map(|p| p.credentials.iter().map(|c| c.id.as_str()).collect())
            .unwrap_or_default()
    }

    /// Seconds a pushed request of this application lives (RFC 9126 §2.2).
    pub fn par_expiry(&self) -> i64 {
        self.par_request_expiry
            .unwrap_or(crate::protocol::par::DEFAULT_EXPIRY)
    }

    pub fn is_confidential(&self) -> bool {
        self.token_endpoint_auth_method != TokenEndpointAuthMethod::None
            || !self.private_key_jwt().is_empty()
    }

    pub fn allows_grant(&self, grant_type: GrantType) -> bool {
        self.grant_types.contains(&grant_type)
    }

    /// RFC 6749 §5.2 `unauthorized_client` (Auth0's text) unless this client
    /// may use `grant_type`.
    pub fn require_grant(
        &self,
        grant_type: GrantType,
    ) -> Result<(), crate::protocol::errors::TokenError> {
        if self.allows_grant(grant_type) {
            return Ok(());
        }
        Err(crate::protocol::grant_type::not_allowed(grant_type))
    }

    /// Where a person goes back to the application from a page that ends a
    /// flow (password changed, link expired): the origin of its first web
    /// callback URL. Registered by the application's owner, so never a place a
    /// request chose; `None` for applications with no web callback (native
    /// schemes, machine-to-machine).
    pub fn home_url(&self) -> Option<String> {
        self.callbacks
            .iter()
            .filter(|c| c.starts_with("https://") || c.starts_with("http://"))
            .find_map(|c| crate::validation::origin_of(c))
            .map(|o| format!("{o}/"))
    }
}

/// Defaults per `app_type`, as Auth0 applies them.
fn default_grant_types(app_type: AppType) -> Vec<GrantType> {
    use GrantType::*;
    match app_type {
        AppType::Spa | AppType::Native => vec![AuthorizationCode, Implicit, RefreshToken],
        AppType::RegularWeb => vec![AuthorizationCode, Implicit, RefreshToken, ClientCredentials],
        AppType::NonInteractive => vec![ClientCredentials],
    }
}

fn default_auth_method(app_type: AppType) -> TokenEndpointAuthMethod {
    match app_type {
        AppType::Spa | AppType::Native => TokenEndpointAuthMethod::None,
        AppType::RegularWeb | AppType::NonInteractive => TokenEndpointAuthMethod::ClientSecretPost,
    }
}

#[derive(Debug, Default, Clone, Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct JwtConfigurationPatch {
    pub lifetime_in_seconds: Option<i64>,
    pub secret_encoded: Option<bool>,
    pub alg: Option<String>,
    /// Accepted for Auth0 compatibility (legacy scope-to-claim mapping); unused.
    pub scopes: Option<serde_json::Value>,
}

#[derive(Debug, Default, Clone, Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct RefreshTokenPatch {
    pub rotation_type: Option<RotationType>,
    pub expiration_type: Option<ExpirationType>,
    pub leeway: Option<i64>,
    pub token_lifetime: Option<i64>,
    pub infinite_token_lifetime: Option<bool>,
    pub idle_token_lifetime: Option<i64>,
    pub infinite_idle_token_lifetime: Option<bool>,
}

/// The body of `POST /api/v2/clients` and `PATCH /api/v2/clients/{id}`.
#[derive(Debug, Default, Clone, Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct ClientPayload {
    pub name: Option<String>,
    pub description: Option<String>,
    pub app_type: Option<AppType>,
    pub logo_uri: Option<String>,
    pub is_first_party: Option<bool>,
    pub oidc_conformant: Option<bool>,
    pub callbacks: Option<Vec<String>>,
    pub allowed_logout_urls: Option<Vec<String>>,
    pub web_origins: Option<Vec<String>>,
    pub allowed_origins: Option<Vec<String>>,
    pub allowed_clients: Option<Vec<String>>,
    pub grant_types: Option<Vec<String>>,
    pub token_endpoint_auth_method: Option<TokenEndpointAuthMethod>,
    pub jwt_configuration: Option<JwtConfigurationPatch>,
    pub refresh_token: Option<RefreshTokenPatch>,
    pub client_metadata: Option<serde_json::Map<String, serde_json::Value>>,
    pub organization_usage: Option<OrganizationUsage>,
    pub organization_require_behavior: Option<RequireBehavior>,
    /// `""` removes it.
    pub initiate_login_uri: Option<String>,
    pub require_pushed_authorization_requests: Option<bool>,
    pub require_proof_of_possession: Option<bool>,
    /// Seconds, 5 to 600.
    pub par_request_expiry: Option<i64>,
    /// `{"private_key_jwt": {"credentials": [{"id": "cred_…"}]}}`; `{}`
    /// removes it (the secret works again).
    pub client_authentication_methods: Option<ClientAuthenticationMethods>,
    /// `{"backchannel_logout_urls": ["https://…"]}`.
    pub oidc_logout: Option<OidcLogout>,
}

impl ClientPayload {
    /// A new client from a create payload, with Auth0's defaults for its `app_type`
    /// (`regular_web` when none is given).
    pub fn into_new_client(self, client_id: String, tenant: &str) -> Validated<Client> {
        let Some(name) = self.name.clone() else {
            return Err(ValidationError::field("name", "Missing required property"));
        };
        let app_type = self.app_type.unwrap_or(AppType::RegularWeb);
        let client = Client {
            client_id,
            tenant: tenant.to_string(),
            name,
            description: None,
            app_type,
            logo_uri: None,
            is_first_party: true,
            // Portcullis is OIDC-conformant by default (Auth0's API defaults to false,
            // which enables legacy flows nobody should start with).
            oidc_conformant: true,
            global: false,
            callbacks: vec![],
            allowed_logout_urls: vec![],
            web_origins: vec![],
            allowed_origins: vec![],
            allowed_clients: vec![],
            grant_types: default_grant_types(app_type),
            token_endpoint_auth_method: default_auth_method(app_type),
            jwt_configuration: JwtConfiguration::default(),
            refresh_token: RefreshTokenConfig::default_for(app_type),
            client_metadata: Default::default(),
            organization_usage: OrganizationUsage::Deny,
            organization_require_behavior: RequireBehavior::NoPrompt,
            initiate_login_uri: None,
            require_pushed_authorization_requests: false,
            require_proof_of_possession: false,
            par_request_expiry: None,
            client_authentication_methods: None,
            oidc_logout: None,
        };
        self.apply_to(client)
    }

    /// Applies a PATCH: fields present replace, nested objects merge field by field.
    pub fn apply_to(self, mut c: Client) -> Validated<Client> {
        if let Some(v) = self.name {
            c.name = v;
        }
        if let Some(v) = self.description {
            c.description = Some(v);
        }
        if let Some(v) = self.app_type {
            c.app_type = v;
        }
        if let Some(v) = self.logo_uri {
            c.logo_uri = if v.is_empty() { None } else { Some(v) };
        }
        if let Some(v) = self.is_first_party {
            c.is_first_party = v;
        }
        if let Some(v) = self.organization_usage {
            c.organization_usage = v;
        }
        if let Some(v) = self.organization_require_behavior {
            c.organization_require_behavior = v;
        }
        if let Some(v) = self.client_authentication_methods {
            if v.private_key_jwt
                .as_ref()
                .is_some_and(|p| p.credentials.is_empty() || p.credentials.len() > 2)
            {
                return Err(ValidationError::field(
                    "client_authentication_methods.private_key_jwt.credentials",
                    "must name one or two credentials",
                ));
            }
            c.client_authentication_methods = v.private_key_jwt.is_some().then_some(v);
        }
        if let Some(v) = self.oidc_logout {
            let field = "oidc_logout.backchannel_logout_urls";
            if v.backchannel_logout_urls.len() > crate::protocol::backchannel_logout::MAX_URLS {
                return Err(ValidationError::field(field, "at most 5 URLs"));
            }
            for u in &v.backchannel_logout_urls {
                crate::protocol::backchannel_logout::check_url(field, u)?;
            }
            c.oidc_logout = (!v.backchannel_logout_urls.is_empty()
                || v.backchannel_logout_initiators.is_some())
            .then_some(v);
        }
        if let Some(v) = self.require_pushed_authorization_requests {
            c.require_pushed_authorization_requests = v;
        }
        if let Some(v) = self.require_proof_of_possession {
            c.require_proof_of_possession = v;
        }
        if let Some(v) = self.par_request_expiry {
            use crate::protocol::par::{MAX_EXPIRY, MIN_EXPIRY};
            if !(MIN_EXPIRY..=MAX_EXPIRY).contains(&v) {
                return Err(ValidationError::field(
                    "par_request_expiry",
                    format!("must be between {MIN_EXPIRY} and {MAX_EXPIRY} seconds"),
                ));
            }
            c.par_request_expiry = Some(v);
        }
        if let Some(v) = self.initiate_login_uri {
            c.initiate_login_uri = if v.is_empty() {
                None
            } else {
                // Auth0 takes only https here: the link is followed from an
                // e-mail, outside the application.
                if crate::validation::url("initiate_login_uri", &v)?.scheme() != "https" {
                    return Err(ValidationError::field(
                        "initiate_login_uri",
                        format!("'{v}' must be an https URL"),
                    ));
                }
                Some(v)
            };
        }
        if let Some(v) = self.oidc_conformant {
            c.oidc_conformant = v;
        }
        if let Some(v) = self.callbacks {
            c.callbacks = v;
        }
        if let Some(v) = self.allowed_logout_urls {
            c.allowed_logout_urls = v;
        }
        if let Some(v) = self.web_origins {
            c.web_origins = v;
        }
        if let Some(v) = self.allowed_origins {
            c.allowed_origins = v;
        }
        if let Some(v) = self.allowed_clients {
            c.allowed_clients = v;
        }
        if let Some(v) = self.grant_types {
            c.grant_types = v
                .iter()
                .map(|g| {
                    GrantType::parse(g).ok_or_else(|| {
                        let known: Vec<&str> = GrantType::ALL.iter().map(|g| g.as_str()).collect();
                        ValidationError::field(
                            "grant_types",
                            format!(
                                "'{g}' is not a supported grant type (one of: {})",
                                known.join(", ")
                            ),
                        )
                    })
                })
                .collect::<Result<_, _>>()?;
        }
        if let Some(v) = self.token_endpoint_auth_method {
            c.token_endpoint_auth_method = v;
        }
        if let Some(j) = self.jwt_configuration {
            if let Some(v) = j.lifetime_in_seconds {
                c.jwt_configuration.lifetime_in_seconds = v;
            }
            if let Some(v) = j.secret_encoded {
                c.jwt_configuration.secret_encoded = v;
            }
            if let Some(v) = j.alg {
                c.jwt_configuration.alg = crate::keys::Alg::parse(&v).ok_or_else(|| {
                    ValidationError::field(
                        "jwt_configuration.alg",
                        format!(
                            "'{v}' is not supported (supported: RS256, PS256, ES256, EdDSA; HS256 would need the client secret stored reversibly, which Portcullis does not do)"
                        ),
                    )
                })?;
            }
        }
        if let Some(r) = self.refresh_token {
            let t = &mut c.refresh_token;
            if let Some(v) = r.rotation_type {
                t.rotation_type = v;
            }
            if let Some(v) = r.expiration_type {
                t.expiration_type = v;
            }
            if let Some(v) = r.leeway {
                t.leeway = v;
            }
            if let Some(v) = r.token_lifetime {
                t.token_lifetime = v;
            }
            if let Some(v) = r.infinite_token_lifetime {
                t.infinite_token_lifetime = v;
            }
            if let Some(v) = r.idle_token_lifetime {
                t.idle_token_lifetime = v;
            }
            if let Some(v) = r.infinite_idle_token_lifetime {
                t.infinite_idle_token_lifetime = v;
            }
        }
        if let Some(v) = self.client_metadata {
            c.client_metadata = v;
        }
        validate(&c)?;
        // RFC 9126 §2: only an application that authenticates can push its
        // requests, so requiring it of a public one would lock it out.
        if c.require_pushed_authorization_requests && !c.is_confidential() {
            return Err(ValidationError::field(
                "require_pushed_authorization_requests",
                "requires a confidential application (token_endpoint_auth_method other than none)",
            ));
        }
        // Auth0: the post-login prompt needs an OIDC-conformant application.
        if c.organization_require_behavior == RequireBehavior::PostLoginPrompt && !c.oidc_conformant
        {
            return Err(ValidationError::field(
                "organization_require_behavior",
                "post_login_prompt requires oidc_conformant: true",
            ));
        }
        // Auth0: organizations are for first-party applications only.
        if !c.is_first_party && c.organization_usage != OrganizationUsage::Deny {
            return Err(ValidationError::field(
                "organization_usage",
                "Organizations are only available to first party clients on user-based flows",
            ));
        }
        Ok(c)
    }
}

/// The rules every stored client satisfies.
pub fn validate(c: &Client) -> Validated<()> {
    validation::display_name("name", &c.name, 255)?;
    if let Some(d) = &c.description {
        validation::max_len("description", d, 140)?;
    }
    if let Some(l) = &c.logo_uri {
        validation::web_url("logo_uri", l)?;
    }
    for cb in &c.callbacks {
        redirect_uri("callbacks", cb)?;
    }
    for u in &c.allowed_logout_urls {
        validation::url("allowed_logout_urls", u)?;
    }
    for o in &c.web_origins {
        validation::origin("web_origins", o)?;
    }
    for o in &c.allowed_origins {
        validation::origin("allowed_origins", o)?;
    }
    if c.token_endpoint_auth_method == TokenEndpointAuthMethod::None
        && c.allows_grant(GrantType::ClientCredentials)
    {
        return Err(ValidationError::field(
            "grant_types",
            "client_credentials needs a confidential client (token_endpoint_auth_method other than none)",
        ));
    }
    let j = &c.jwt_configuration;
    if !(1..=2_592_000).contains(&j.lifetime_in_seconds) {
        return Err(ValidationError::field(
            "jwt_configuration.lifetime_in_seconds",
            "must be between 1 and 2592000",
        ));
    }
    let r = &c.refresh_token;
    if !(0..=86_400).contains(&r.leeway) {
        return Err(ValidationError::field(
            "refresh_token.leeway",
            "must be between 0 and 86400",
        ));
    }
    if !(1..=157_788_000).contains(&r.token_lifetime) {
        return Err(ValidationError::field(
            "refresh_token.token_lifetime",
            "must be between 1 and 157788000",
        ));
    }
    if !(1..=157_788_000).contains(&r.idle_token_lifetime) {
        return Err(ValidationError::field(
            "refresh_token.idle_token_lifetime",
            "must be between 1 and 157788000",
        ));
    }
    if !r.infinite_token_lifetime
        && !r.infinite_idle_token_lifetime
        && r.idle_token_lifetime > r.token_lifetime
    {
        return Err(ValidationError::field(
            "refresh_token.idle_token_lifetime",
            "must not exceed refresh_token.token_lifetime",
        ));
    }
    Ok(())
}

/// A registered redirect URI (RFC 6749 §3.1.2): absolute, no fragment, and no
/// wildcard, since Portcullis matches redirect URIs exactly.
fn redirect_uri(field: &str, value: &str) -> Validated<()> {
    let u = validation::url(field, value)?;
    if u.fragment().is_some() {
        return Err(ValidationError::field(
            field,
            format!("'{value}' must not contain a fragment (RFC 6749 §3.1.2)"),
        ));
    }
    if value.contains('*') {
        return Err(ValidationError::field(
            field,
            format!("'{value}': wildcards are not allowed; redirect URIs are matched exactly"),
        ));
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn payload(json: serde_json::Value) -> ClientPayload {
        serde_json::from_value(json).unwrap()
    }

    #[test]
    fn spa_defaults_to_public_client_with_browser_grants_and_rotation() {
        let c = payload(serde_json::json!({"name": "A", "app_type": "spa"}))
            .into_new_client("id".into(), "t")
            .unwrap();
        assert_eq!(c.token_endpoint_auth_method, TokenEndpointAuthMethod::None);
        assert_eq!(
            c.grant_types,
            ["authorization_code", "implicit", "refresh_token"]
        );
        assert_eq!(c.refresh_token.rotation_type, RotationType::Rotating);
        assert_eq!(c.jwt_configuration.lifetime_in_seconds, 36_000);
    }

    #[test]
    fn machine_to_machine_defaults_to_client_credentials_with_secret_post() {
        let c = payload(serde_json::json!({"name": "M", "app_type": "non_interactive"}))
            .into_new_client("id".into(), "t")
            .unwrap();
        assert_eq!(c.grant_types, ["client_credentials"]);
        assert_eq!(
            c.token_endpoint_auth_method,
            TokenEndpointAuthMethod::ClientSecretPost
        );
    }

    #[test]
    fn client_without_name_is_refused_naming_the_field() {
        let e = payload(serde_json::json!({}))
            .into_new_client("id".into(), "t")
            .unwrap_err();
        assert!(e.message.contains("name"), "{}", e.message);
    }

    #[test]
    fn wildcard_or_fragment_callbacks_are_refused() {
        for cb in [
            "https://*.example.com/cb",
            "https://a.example/cb#x",
            "javascript:alert(1)",
        ] {
            let e = payload(serde_json::json!({"name": "A", "callbacks": [cb]}))
                .into_new_client("id".into(), "t")
                .unwrap_err();
            assert!(e.message.contains("callbacks"), "{}", e.message);
        }
    }

    #[test]
    fn public_client_cannot_use_client_credentials() {
        let e = payload(serde_json::json!({"name": "A", "app_type": "spa", "grant_types": ["client_credentials"]}))
            .into_new_client("id".into(), "t")
            .unwrap_err();
        assert!(e.message.contains("grant_types"));
    }

    #[test]
    fn patch_merges_nested_jwt_configuration() {
        let c = payload(serde_json::json!({"name": "A"}))
            .into_new_client("id".into(), "t")
            .unwrap();
        let c = payload(serde_json::json!({"jwt_configuration": {"lifetime_in_seconds": 60}}))
            .apply_to(c)
            .unwrap();
        assert_eq!(c.jwt_configuration.lifetime_in_seconds, 60);
        assert_eq!(c.jwt_configuration.alg, "RS256");
    }

    #[test]
    fn origins_must_have_no_path() {
        let e =
            payload(serde_json::json!({"name": "A", "web_origins": ["https://a.example/path"]}))
                .into_new_client("id".into(), "t")
                .unwrap_err();
        assert!(e.message.contains("web_origins"));
        payload(serde_json::json!({"name": "A", "web_origins": ["https://a.example", "http://localhost:3000"]}))
            .into_new_client("id".into(), "t")
            .unwrap();
    }

    #[test]
    fn home_url_is_the_origin_of_the_first_web_callback() {
        let mut c = payload(serde_json::json!({"name": "Shop", "app_type": "spa",
            "callbacks": ["com.example.app://cb", "https://app.example:8443/callback?x=1"]}))
        .into_new_client("id".into(), "t")
        .unwrap();
        assert_eq!(c.home_url().as_deref(), Some("https://app.example:8443/"));
        c.callbacks = vec!["com.example.app://cb".into()];
        assert_eq!(c.home_url(), None);
    }
}
