//! Portcullis protocol core.
//!
//! The models Auth0 names (applications, APIs, client grants, signing keys) and the
//! protocol decisions made over them (parse a token request, authenticate a client,
//! apply a grant, build claims), with no I/O: no sockets, no database, no clock.
//! Callers pass `now` and stored records in; the HTTP shell and the store do the rest.

pub mod actions;
pub mod auth0_fields;
pub mod branding;
pub mod client_grants;
pub mod clients;
pub mod clock;
pub mod connections;
pub mod custom_password_hash;
pub mod email_provider;
pub mod email_templates;
pub mod identities;
pub mod issuance;
pub mod jobs;
pub mod jose;
pub mod keys;
pub mod log_query;
pub mod log_streams;
pub mod management;
pub mod members;
pub mod mfa;
pub mod organizations;
pub mod password_policy;
pub mod passwords;
pub mod protocol;
pub mod random;
pub mod resource_servers;
pub mod roles;
pub mod rules;
pub mod scope;
pub mod scripts;
pub mod secrets;
pub mod tenant_settings;
pub mod tickets;
pub mod tokens;
pub mod totp;
pub mod upstream;
pub mod user_export;
pub mod user_import;
pub mod user_search;
pub mod users;
pub mod validation;

/// The id of the one tenant that exists today. Every stored row carries a tenant id
/// so that several issuers per deployment (Auth0 tenants, Keycloak realms) need no
/// migration that touches every table later.
pub const DEFAULT_TENANT: &str = "default";

/// Seconds since the Unix epoch. The core never reads a clock; callers pass this in.
pub type UnixTime = i64;
