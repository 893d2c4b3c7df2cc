//! The OpenAPI 3.1 document of the Management API, served at
//! `/api/v2/openapi.json` and checked in as `docs/openapi.json`.
//!
//! It cannot drift from the code: request bodies are JSON Schemas generated
//! (schemars) from the very payload types the handlers deserialize, and a test
//! sends every operation listed here to the router (it must be routed) and
//! compares the served document with the checked-in copy.

use axum::Json;
use axum::extract::State;
use portcullis_core::actions::{ActionPayload, BindingsPayload};
use portcullis_core::client_grants::{ClientGrantCreate, ClientGrantPatch};
use portcullis_core::clients::ClientPayload;
use portcullis_core::connections::{ConnectionCreate, ConnectionPatch};
use portcullis_core::email_provider::EmailProviderPayload;
use portcullis_core::email_templates::EmailTemplatePayload;
use portcullis_core::identities::LinkRequest;
use portcullis_core::organizations::{
    EnabledConnectionPayload, InvitationPayload, OrganizationPayload,
};
use portcullis_core::resource_servers::ResourceServerPayload;
use portcullis_core::roles::{PermissionsBody, RolePayload, RolesBody, UsersBody};
use portcullis_core::rules::RulePayload;
use portcullis_core::tenant_settings::TenantSettingsPatch;
use portcullis_core::tickets::{EmailVerificationRequest, PasswordChangeRequest};
use portcullis_core::users::{UserCreate, UserPatch};
use schemars::SchemaGenerator;
use schemars::generate::SchemaSettings;
use serde_json::{Map, Value, json};

use super::connections::ClientStatus;
use super::organizations::{GrantIdBody, MembersBody};
use crate::app::AppState;

/// One operation: method, path (axum syntax), scope, summary, request body
/// type, success status.
pub struct Op {
    pub method: &'static str,
    pub path: &'static str,
    pub scope: &'static str,
    pub summary: &'static str,
    pub body: Option<fn(&mut SchemaGenerator) -> Value>,
    pub status: u16,
}

fn schema<T: schemars::JsonSchema>(g: &mut SchemaGenerator) -> Value {
    g.subschema_for::<T>().to_value()
}

fn free_object(_: &mut SchemaGenerator) -> Value {
    json!({"type": "object"})
}

const fn op(
    method: &'static str,
    path: &'static str,
    scope: &'static str,
    summary: &'static str,
    body: Option<fn(&mut SchemaGenerator) -> Value>,
    status: u16,
) -> Op {
    Op {
        method,
        path,
        scope,
        summary,
        body,
        status,
    }
}

/// Every Management API operation.
pub const OPS: &[Op] = &[
    op(
        "get",
        "/clients",
        "read:clients",
        "List applications",
        None,
        200,
    ),
    op(
        "post",
        "/clients",
        "create:clients",
        "Create an application",
        Some(schema::<ClientPayload>),
        201,
    ),
    op(
        "get",
        "/clients/{id}",
        "read:clients",
        "Get an application",
        None,
        200,
    ),
    op(
        "patch",
        "/clients/{id}",
        "update:clients",
        "Update an application",
        Some(schema::<ClientPayload>),
        200,
    ),
    op(
        "delete",
        "/clients/{id}",
        "delete:clients",
        "Delete an application",
        None,
        204,
    ),
    op(
        "post",
        "/clients/{id}/rotate-secret",
        "update:clients",
        "Rotate an application's secret",
        None,
        200,
    ),
    op(
        "get",
        "/resource-servers",
        "read:resource_servers",
        "List APIs",
        None,
        200,
    ),
    op(
        "post",
        "/resource-servers",
        "create:resource_servers",
        "Create an API",
        Some(schema::<ResourceServerPayload>),
        201,
    ),
    op(
        "get",
        "/resource-servers/{id}",
        "read:resource_servers",
        "Get an API by id or identifier",
        None,
        200,
    ),
    op(
        "patch",
        "/resource-servers/{id}",
        "update:resource_servers",
        "Update an API",
        Some(schema::<ResourceServerPayload>),
        200,
    ),
    op(
        "delete",
        "/resource-servers/{id}",
        "delete:resource_servers",
        "Delete an API",
        None,
        204,
    ),
    op(
        "post",
        "/users/{id}/identities",
        "update:users",
        "Link a user's account into this user",
        Some(schema::<LinkRequest>),
        201,
    ),
    op(
        "delete",
        "/users/{id}/identities/{provider}/{user_id}",
        "update:users",
        "Unlink an identity (it becomes a user again)",
        None,
        200,
    ),
    op(
        "get",
        "/connections",
        "read:connections",
        "List connections",
        None,
        200,
    ),
    op(
        "post",
        "/connections",
        "create:connections",
        "Create a connection",
        Some(schema::<ConnectionCreate>),
        201,
    ),
    op(
        "get",
        "/connections/{id}",
        "read:connections",
        "Get a connection",
        None,
        200,
    ),
    op(
        "patch",
        "/connections/{id}",
        "update:connections",
        "Update a connection (options are replaced whole)",
        Some(schema::<ConnectionPatch>),
        200,
    ),
    op(
        "delete",
        "/connections/{id}",
        "delete:connections",
        "Delete a connection and its users",
        None,
        204,
    ),
    op(
        "get",
        "/connections/{id}/clients",
        "read:connections",
        "List the applications a connection is enabled for",
        None,
        200,
    ),
    op(
        "patch",
        "/connections/{id}/clients",
        "update:connections",
        "Enable or disable applications on a connection",
        Some(schema::<Vec<ClientStatus>>),
        204,
    ),
    op(
        "get",
        "/connections/{id}/status",
        "read:connections",
        "Check a connection's status",
        None,
        200,
    ),
    op(
        "delete",
        "/connections/{id}/users",
        "delete:users",
        "Delete a database connection's user by e-mail",
        None,
        204,
    ),
    op(
        "get",
        "/client-grants",
        "read:client_grants",
        "List client grants",
        None,
        200,
    ),
    op(
        "post",
        "/client-grants",
        "create:client_grants",
        "Create a client grant",
        Some(schema::<ClientGrantCreate>),
        201,
    ),
    op(
        "get",
        "/client-grants/{id}",
        "read:client_grants",
        "Get a client grant",
        None,
        200,
    ),
    op(
        "patch",
        "/client-grants/{id}",
        "update:client_grants",
        "Update a client grant",
        Some(schema::<ClientGrantPatch>),
        200,
    ),
    op(
        "delete",
        "/client-grants/{id}",
        "delete:client_grants",
        "Delete a client grant",
        None,
        204,
    ),
    op(
        "get",
        "/users",
        "read:users",
        "List or search users",
        None,
        200,
    ),
    op(
        "post",
        "/users",
        "create:users",
        "Create a user",
        Some(schema::<UserCreate>),
        201,
    ),
    op("get", "/users/{id}", "read:users", "Get a user", None, 200),
    op(
        "get",
        "/user-blocks",
        "read:users",
        "Get the brute-force blocks of an identifier (e-mail or IP address)",
        None,
        200,
    ),
    op(
        "delete",
        "/user-blocks",
        "update:users",
        "Lift the brute-force blocks of an identifier (e-mail or IP address)",
        None,
        204,
    ),
    op(
        "get",
        "/user-blocks/{id}",
        "read:users",
        "Get a user's brute-force blocks",
        None,
        200,
    ),
    op(
        "delete",
        "/user-blocks/{id}",
        "update:users",
        "Lift a user's brute-force blocks",
        None,
        204,
    ),
    op(
        "patch",
        "/users/{id}",
        "update:users",
        "Update a user",
        Some(schema::<UserPatch>),
        200,
    ),
    op(
        "delete",
        "/users/{id}",
        "delete:users",
        "Delete a user",
        None,
        204,
    ),
    op(
        "get",
        "/users-by-email",
        "read:users",
        "Find users by e-mail",
        None,
        200,
    ),
    op(
        "get",
        "/users/{id}/logs",
        "read:logs",
        "A user's audit events",
        None,
        200,
    ),
    op(
        "get",
        "/users/{id}/sessions",
        "read:sessions",
        "A user's sessions",
        None,
        200,
    ),
    op(
        "get",
        "/users/{id}/refresh-tokens",
        "read:refresh_tokens",
        "A user's refresh tokens",
        None,
        200,
    ),
    op(
        "delete",
        "/users/{id}/sessions",
        "delete:sessions",
        "End every session of a user",
        None,
        202,
    ),
    op(
        "delete",
        "/users/{id}/refresh-tokens",
        "delete:refresh_tokens",
        "Revoke every refresh token of a user",
        None,
        202,
    ),
    op(
        "post",
        "/sessions/{id}/revoke",
        "delete:sessions",
        "End a session and revoke its refresh tokens",
        None,
        202,
    ),
    op(
        "get",
        "/sessions/{id}",
        "read:sessions",
        "Get a session",
        None,
        200,
    ),
    op(
        "delete",
        "/sessions/{id}",
        "delete:sessions",
        "End a session",
        None,
        204,
    ),
    op(
        "get",
        "/refresh-tokens",
        "read:refresh_tokens",
        "A user's refresh tokens (user_id, client_id; checkpoint paging)",
        None,
        200,
    ),
    op(
        "post",
        "/refresh-tokens/revoke",
        "delete:refresh_tokens",
        "Revoke refresh tokens in bulk (ids, or user_id with client_id and audience)",
        Some(schema::<super::sessions::RevokeTokens>),
        202,
    ),
    op(
        "get",
        "/refresh-tokens/{id}",
        "read:refresh_tokens",
        "Get a refresh token",
        None,
        200,
    ),
    op(
        "delete",
        "/refresh-tokens/{id}",
        "delete:refresh_tokens",
        "Revoke a refresh token",
        None,
        204,
    ),
    op(
        "get",
        "/logs",
        "read:logs",
        "Search audit events",
        None,
        200,
    ),
    op(
        "get",
        "/roles",
        "read:roles",
        "List roles (name_filter, paging)",
        None,
        200,
    ),
    op(
        "post",
        "/roles",
        "create:roles",
        "Create a role",
        Some(schema::<RolePayload>),
        200,
    ),
    op("get", "/roles/{id}", "read:roles", "Get a role", None, 200),
    op(
        "patch",
        "/roles/{id}",
        "update:roles",
        "Update a role",
        Some(schema::<RolePayload>),
        200,
    ),
    op(
        "delete",
        "/roles/{id}",
        "delete:roles",
        "Delete a role (and its assignments)",
        None,
        200,
    ),
    op(
        "get",
        "/roles/{id}/permissions",
        "read:roles",
        "A role's permissions",
        None,
        200,
    ),
    op(
        "post",
        "/roles/{id}/permissions",
        "update:roles",
        "Add permissions to a role",
        Some(schema::<PermissionsBody>),
        201,
    ),
    op(
        "delete",
        "/roles/{id}/permissions",
        "update:roles",
        "Remove permissions from a role",
        Some(schema::<PermissionsBody>),
        204,
    ),
    op(
        "get",
        "/roles/{id}/users",
        "read:role_members",
        "A role's users (paging or checkpoint from/take)",
        None,
        200,
    ),
    op(
        "post",
        "/roles/{id}/users",
        "create:role_members",
        "Give a role to users",
        Some(schema::<UsersBody>),
        200,
    ),
    op(
        "get",
        "/users/{id}/roles",
        "read:roles",
        "A user's roles",
        None,
        200,
    ),
    op(
        "post",
        "/users/{id}/roles",
        "create:role_members",
        "Give roles to a user",
        Some(schema::<RolesBody>),
        204,
    ),
    op(
        "delete",
        "/users/{id}/roles",
        "delete:role_members",
        "Take roles from a user",
        Some(schema::<RolesBody>),
        204,
    ),
    op(
        "get",
        "/users/{id}/permissions",
        "read:users",
        "A user's permissions, with their sources",
        None,
        200,
    ),
    op(
        "post",
        "/users/{id}/permissions",
        "update:users",
        "Give a user permissions directly",
        Some(schema::<PermissionsBody>),
        201,
    ),
    op(
        "delete",
        "/users/{id}/permissions",
        "update:users",
        "Take a user's direct permissions",
        Some(schema::<PermissionsBody>),
        204,
    ),
    op(
        "get",
        "/logs/{id}",
        "read:logs",
        "Get one audit event",
        None,
        200,
    ),
    op(
        "get",
        "/tenants/settings",
        "read:tenant_settings",
        "The tenant's settings",
        None,
        200,
    ),
    op(
        "patch",
        "/tenants/settings",
        "update:tenant_settings",
        "Change the tenant's settings",
        Some(schema::<TenantSettingsPatch>),
        200,
    ),
    op(
        "get",
        "/grants",
        "read:grants",
        "Users' consents (user_id, client_id, audience)",
        None,
        200,
    ),
    op(
        "delete",
        "/grants",
        "delete:grants",
        "Revoke every consent of a user (user_id)",
        None,
        204,
    ),
    op(
        "delete",
        "/grants/{id}",
        "delete:grants",
        "Revoke a consent",
        None,
        204,
    ),
    op(
        "get",
        "/emails/provider",
        "read:email_provider",
        "The tenant's SMTP relay (never its password)",
        None,
        200,
    ),
    op(
        "post",
        "/emails/provider",
        "create:email_provider",
        "Set the tenant's SMTP relay",
        Some(schema::<EmailProviderPayload>),
        201,
    ),
    op(
        "patch",
        "/emails/provider",
        "update:email_provider",
        "Change the tenant's SMTP relay",
        Some(schema::<EmailProviderPayload>),
        200,
    ),
    op(
        "delete",
        "/emails/provider",
        "delete:email_provider",
        "Remove the tenant's SMTP relay (back to the configured mailer)",
        None,
        204,
    ),
    op(
        "post",
        "/email-templates",
        "create:email_templates",
        "Create an e-mail template (Liquid)",
        Some(schema::<EmailTemplatePayload>),
        200,
    ),
    op(
        "get",
        "/email-templates/{name}",
        "read:email_templates",
        "Get an e-mail template",
        None,
        200,
    ),
    op(
        "patch",
        "/email-templates/{name}",
        "update:email_templates",
        "Change an e-mail template",
        Some(schema::<EmailTemplatePayload>),
        200,
    ),
    op(
        "put",
        "/email-templates/{name}",
        "update:email_templates",
        "Replace an e-mail template",
        Some(schema::<EmailTemplatePayload>),
        200,
    ),
    op(
        "post",
        "/tickets/email-verification",
        "create:user_tickets",
        "Create an e-mail verification ticket",
        Some(schema::<EmailVerificationRequest>),
        201,
    ),
    op(
        "post",
        "/jobs/verification-email",
        "update:users",
        "E-mail a user a verification link",
        Some(schema::<crate::http::management::jobs::VerificationEmailJob>),
        201,
    ),
    op(
        "post",
        "/jobs/users-imports",
        "create:users",
        "Import users from a file (multipart: users, connection_id, upsert, external_id, send_completion_email)",
        None,
        202,
    ),
    op(
        "post",
        "/jobs/users-exports",
        "read:users",
        "Export users as NDJSON or CSV, gzipped",
        Some(schema::<portcullis_core::user_export::ExportRequest>),
        201,
    ),
    op("get", "/jobs/{id}", "read:users", "Get a job", None, 200),
    op(
        "get",
        "/guardian/factors",
        "read:guardian_factors",
        "List the MFA factors and whether each is on",
        None,
        200,
    ),
    op(
        "put",
        "/guardian/factors/{name}",
        "update:guardian_factors",
        "Turn a factor on or off (only otp, email and recovery-code turn on)",
        Some(free_object),
        200,
    ),
    op(
        "get",
        "/guardian/policies",
        "read:mfa_policies",
        "Get the MFA policy",
        None,
        200,
    ),
    op(
        "put",
        "/guardian/policies",
        "update:mfa_policies",
        "Set the MFA policy ([] or [\"all-applications\"])",
        None,
        200,
    ),
    op(
        "get",
        "/guardian/enrollments/{id}",
        "read:guardian_enrollments",
        "Get an MFA enrolment",
        None,
        200,
    ),
    op(
        "delete",
        "/guardian/enrollments/{id}",
        "delete:guardian_enrollments",
        "Delete an MFA enrolment",
        None,
        204,
    ),
    op(
        "get",
        "/users/{id}/enrollments",
        "read:users",
        "List a user's MFA enrolments",
        None,
        200,
    ),
    op(
        "get",
        "/users/{id}/authentication-methods",
        "read:authentication_methods",
        "List a user's second factors",
        None,
        200,
    ),
    op(
        "delete",
        "/users/{id}/authentication-methods",
        "delete:authentication_methods",
        "Delete every second factor of a user",
        None,
        204,
    ),
    op(
        "get",
        "/users/{id}/authentication-methods/{method}",
        "read:authentication_methods",
        "Get one of a user's second factors",
        None,
        200,
    ),
    op(
        "delete",
        "/users/{id}/authentication-methods/{method}",
        "delete:authentication_methods",
        "Delete one of a user's second factors",
        None,
        204,
    ),
    op(
        "post",
        "/users/{id}/recovery-code-regeneration",
        "update:users",
        "Replace a user's MFA recovery code",
        None,
        200,
    ),
    op(
        "post",
        "/users/{id}/multifactor/actions/invalidate-remember-browser",
        "update:users",
        "Forget the browsers a user chose to remember for MFA",
        None,
        204,
    ),
    op(
        "get",
        "/jobs/{id}/errors",
        "read:users",
        "Get the users an import refused, with their errors",
        None,
        200,
    ),
    op(
        "post",
        "/tickets/password-change",
        "create:user_tickets",
        "Create a password-change ticket",
        Some(schema::<PasswordChangeRequest>),
        201,
    ),
    op(
        "get",
        "/rules",
        "read:rules",
        "List rules in run order",
        None,
        200,
    ),
    op(
        "post",
        "/rules",
        "create:rules",
        "Create a rule",
        Some(schema::<RulePayload>),
        201,
    ),
    op("get", "/rules/{id}", "read:rules", "Get a rule", None, 200),
    op(
        "patch",
        "/rules/{id}",
        "update:rules",
        "Update a rule",
        Some(schema::<RulePayload>),
        200,
    ),
    op(
        "delete",
        "/rules/{id}",
        "delete:rules",
        "Delete a rule",
        None,
        204,
    ),
    op(
        "get",
        "/rules-configs",
        "read:rules_configs",
        "List rules-config keys",
        None,
        200,
    ),
    op(
        "put",
        "/rules-configs/{key}",
        "update:rules_configs",
        "Set a rules-config value",
        Some(free_object),
        200,
    ),
    op(
        "delete",
        "/rules-configs/{key}",
        "delete:rules_configs",
        "Delete a rules-config value",
        None,
        204,
    ),
    op(
        "get",
        "/actions/actions",
        "read:actions",
        "List actions",
        None,
        200,
    ),
    op(
        "post",
        "/actions/actions",
        "create:actions",
        "Create an action",
        Some(schema::<ActionPayload>),
        201,
    ),
    op(
        "get",
        "/actions/actions/{id}",
        "read:actions",
        "Get an action",
        None,
        200,
    ),
    op(
        "patch",
        "/actions/actions/{id}",
        "update:actions",
        "Update an action's draft",
        Some(schema::<ActionPayload>),
        200,
    ),
    op(
        "delete",
        "/actions/actions/{id}",
        "delete:actions",
        "Delete an action",
        None,
        204,
    ),
    op(
        "post",
        "/actions/actions/{id}/deploy",
        "update:actions",
        "Deploy an action's draft as a new version",
        None,
        200,
    ),
    op(
        "post",
        "/actions/actions/{id}/test",
        "create:actions",
        "Run an action's draft with a sample event",
        Some(free_object),
        200,
    ),
    op(
        "get",
        "/actions/actions/{id}/versions",
        "read:actions",
        "List an action's versions",
        None,
        200,
    ),
    op(
        "get",
        "/actions/actions/{id}/versions/{version}",
        "read:actions",
        "Get an action version",
        None,
        200,
    ),
    op(
        "get",
        "/actions/triggers",
        "read:actions",
        "List triggers",
        None,
        200,
    ),
    op(
        "get",
        "/actions/triggers/{trigger}/bindings",
        "read:actions",
        "List a trigger's bindings",
        None,
        200,
    ),
    op(
        "patch",
        "/actions/triggers/{trigger}/bindings",
        "update:actions",
        "Replace a trigger's bindings",
        Some(schema::<BindingsPayload>),
        200,
    ),
    op(
        "get",
        "/keys/signing",
        "read:signing_keys",
        "List signing keys",
        None,
        200,
    ),
    op(
        "post",
        "/keys/signing/rotate",
        "create:signing_keys",
        "Rotate the signing key",
        None,
        201,
    ),
    op(
        "get",
        "/keys/signing/{kid}",
        "read:signing_keys",
        "Get a signing key",
        None,
        200,
    ),
    op(
        "put",
        "/keys/signing/{kid}/revoke",
        "update:signing_keys",
        "Revoke a previous signing key",
        None,
        200,
    ),
    op(
        "get",
        "/organizations",
        "read:organizations",
        "List organizations (paging, checkpoint from/take)",
        None,
        200,
    ),
    op(
        "post",
        "/organizations",
        "create:organizations",
        "Create an organization",
        Some(schema::<OrganizationPayload>),
        201,
    ),
    op(
        "get",
        "/organizations/{id}",
        "read:organizations",
        "Get an organization",
        None,
        200,
    ),
    op(
        "patch",
        "/organizations/{id}",
        "update:organizations",
        "Update an organization",
        Some(schema::<OrganizationPayload>),
        200,
    ),
    op(
        "delete",
        "/organizations/{id}",
        "delete:organizations",
        "Delete an organization (members, invitations and its refresh tokens go with it)",
        None,
        204,
    ),
    op(
        "get",
        "/organizations/name/{name}",
        "read:organizations",
        "Get an organization by its name",
        None,
        200,
    ),
    op(
        "get",
        "/organizations/{id}/members",
        "read:organization_members",
        "List an organization's members (paging, checkpoint from/take)",
        None,
        200,
    ),
    op(
        "post",
        "/organizations/{id}/members",
        "create:organization_members",
        "Add members",
        Some(schema::<MembersBody>),
        204,
    ),
    op(
        "delete",
        "/organizations/{id}/members",
        "delete:organization_members",
        "Remove members (their refresh tokens in the organization end)",
        Some(schema::<MembersBody>),
        204,
    ),
    op(
        "get",
        "/organizations/{id}/members/{user_id}/roles",
        "read:organization_member_roles",
        "A member's organization roles",
        None,
        200,
    ),
    op(
        "post",
        "/organizations/{id}/members/{user_id}/roles",
        "create:organization_member_roles",
        "Give a member organization roles",
        Some(schema::<RolesBody>),
        204,
    ),
    op(
        "delete",
        "/organizations/{id}/members/{user_id}/roles",
        "delete:organization_member_roles",
        "Take organization roles from a member",
        Some(schema::<RolesBody>),
        204,
    ),
    op(
        "get",
        "/organizations/{id}/enabled_connections",
        "read:organization_connections",
        "List an organization's connections",
        None,
        200,
    ),
    op(
        "post",
        "/organizations/{id}/enabled_connections",
        "create:organization_connections",
        "Enable a connection for an organization",
        Some(schema::<EnabledConnectionPayload>),
        201,
    ),
    op(
        "get",
        "/organizations/{id}/enabled_connections/{connection_id}",
        "read:organization_connections",
        "Get an organization's connection",
        None,
        200,
    ),
    op(
        "patch",
        "/organizations/{id}/enabled_connections/{connection_id}",
        "update:organization_connections",
        "Update an organization's connection",
        Some(schema::<EnabledConnectionPayload>),
        200,
    ),
    op(
        "delete",
        "/organizations/{id}/enabled_connections/{connection_id}",
        "delete:organization_connections",
        "Disable a connection for an organization",
        None,
        204,
    ),
    op(
        "get",
        "/organizations/{id}/invitations",
        "read:organization_invitations",
        "List an organization's invitations",
        None,
        200,
    ),
    op(
        "post",
        "/organizations/{id}/invitations",
        "create:organization_invitations",
        "Invite someone to an organization (e-mailed unless send_invitation_email is false)",
        Some(schema::<InvitationPayload>),
        201,
    ),
    op(
        "get",
        "/organizations/{id}/invitations/{invitation_id}",
        "read:organization_invitations",
        "Get an invitation",
        None,
        200,
    ),
    op(
        "delete",
        "/organizations/{id}/invitations/{invitation_id}",
        "delete:organization_invitations",
        "Delete an invitation",
        None,
        204,
    ),
    op(
        "get",
        "/users/{id}/organizations",
        "read:organizations",
        "A user's organizations",
        None,
        200,
    ),
    op(
        "get",
        "/organizations/{id}/client-grants",
        "read:organization_client_grants",
        "The client grants associated with an organization (audience, client_id, grant_ids)",
        None,
        200,
    ),
    op(
        "post",
        "/organizations/{id}/client-grants",
        "create:organization_client_grants",
        "Associate a client grant (organization_usage allow or require) with an organization",
        Some(schema::<GrantIdBody>),
        201,
    ),
    op(
        "delete",
        "/organizations/{id}/client-grants/{grant_id}",
        "delete:organization_client_grants",
        "Remove a client grant from an organization",
        None,
        204,
    ),
];

fn error_schema() -> Value {
    json!({
        "type": "object",
        "description": "Auth0's error shape.",
        "required": ["statusCode", "error", "message"],
        "properties": {
            "statusCode": {"type": "integer"},
            "error": {"type": "string"},
            "message": {"type": "string"},
            "errorCode": {"type": "string"}
        }
    })
}

/// The document. `server` is the Management API's base URL.
pub fn document(server: &str) -> Value {
    let mut settings = SchemaSettings::draft2020_12();
    settings.definitions_path = "/components/schemas".into();
    let mut generator = SchemaGenerator::new(settings);
    let mut paths = Map::new();
    for o in OPS {
        let params: Vec<Value> = o
            .path
            .split('/')
            .filter_map(|seg| seg.strip_prefix('{').and_then(|s| s.strip_suffix('}')))
            .map(|name| json!({"name": name, "in": "path", "required": true, "schema": {"type": "string"}}))
            .collect();
        let success = if o.status == 204 {
            json!({"description": "Done"})
        } else {
            json!({"description": "Success", "content": {"application/json": {"schema": {}}}})
        };
        let mut operation = json!({
            "summary": o.summary,
            "operationId": format!("{}{}", o.method, o.path.replace(['/', '{', '}', '-'], "_")),
            "security": [{"bearer": [o.scope]}],
            "x-required-scope": o.scope,
            "responses": {
                o.status.to_string(): success,
                "400": {"$ref": "#/components/responses/Error"},
                "401": {"$ref": "#/components/responses/Error"},
                "403": {"$ref": "#/components/responses/Error"},
                "404": {"$ref": "#/components/responses/Error"}
            }
        });
        if !params.is_empty() {
            operation["parameters"] = Value::Array(params);
        }
        if let Some(body) = o.body {
            operation["requestBody"] = json!({
                "required": true,
                "content": {"application/json": {"schema": body(&mut generator)}}
            });
        }
        let entry = paths
            .entry(o.path.to_string())
            .or_insert_with(|| Value::Object(Map::new()));
        entry[o.method] = operation;
    }
    let schemas: Map<String, Value> = generator.take_definitions(true).into_iter().collect();
    json!({
        "openapi": "3.1.0",
        "info": {
            "title": "Portcullis Management API",
            "version": env!("CARGO_PKG_VERSION"),
            "description": "Auth0's Management API v2 as Portcullis implements it. Every call needs an access token for the audience <issuer>api/v2/ with the scope the operation names."
        },
        "servers": [{"url": server}],
        "paths": paths,
        "components": {
            "schemas": schemas,
            "responses": {
                "Error": {
                    "description": "Auth0's error shape",
                    "content": {"application/json": {"schema": error_schema()}}
                }
            },
            "securitySchemes": {
                "bearer": {"type": "http", "scheme": "bearer", "bearerFormat": "JWT"}
            }
        }
    })
}

/// `GET /api/v2/openapi.json` (public: it describes, it grants nothing).
pub async fn serve(State(app): State<AppState>) -> Json<Value> {
    Json(document(&format!("{}api/v2", app.issuer())))
}
