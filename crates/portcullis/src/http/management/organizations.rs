//! Organizations in the Management API, as Auth0 has them: `/organizations`
//! (by id and by name), their members and members' roles, enabled
//! connections, invitations and client grants, and `/users/{id}/organizations`.
//! The rules are `portcullis_core::organizations`; every change is one
//! transaction (`TenantStore`), and a refused one changes nothing.
//!
//! Statuses are Auth0's as its live API answers (its OpenAPI document differs
//! in places): create 201, delete 204, member and role changes 204, an
//! enabled connection added 201, an invitation made 201.

use axum::Json;
use axum::body::Body;
use axum::extract::{Path, RawQuery, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use portcullis_core::organizations::{
    self, EnabledConnectionPayload, Invitation, InvitationPayload, Organization,
    OrganizationPayload, OrganizationUsage,
};
use portcullis_core::roles::{self, Role};
use portcullis_core::secrets::hash_secret;
use portcullis_store::{OrgChange, OrgConnection, OrgMember, StoreError};
use serde::Deserialize;
use serde::de::DeserializeOwned;
use serde_json::{Value, json};

use super::clients::read_body;
use super::{Caller, ListQuery};
use crate::app::AppState;
use crate::http::body;
use crate::http::errors::ApiError;

fn no_org() -> ApiError {
    ApiError::not_found(
        "No organization found by that id or name",
        "inexistent_organization",
    )
}

fn taken() -> ApiError {
    ApiError::conflict(
        "An organization with the same name already exists.",
        "organization_conflict",
    )
}

fn invalid(e: portcullis_core::validation::ValidationError) -> ApiError {
    ApiError::bad_request(e.message, "invalid_body")
}

fn no_user() -> ApiError {
    ApiError::not_found("The user does not exist.", "inexistent_user")
}

fn no_role() -> ApiError {
    ApiError::not_found("The role does not exist.", "inexistent_role")
}

fn not_member() -> ApiError {
    ApiError::not_found(
        "The user is not a member of the organization.",
        "inexistent_member",
    )
}

fn no_invitation() -> ApiError {
    ApiError::not_found("The invitation does not exist.", "inexistent_invitation")
}

fn change_error(c: OrgChange) -> ApiError {
    match c {
        OrgChange::Done | OrgChange::NoOrganization => no_org(),
        OrgChange::NoUser => no_user(),
        OrgChange::NoRole => no_role(),
        OrgChange::NotMember => not_member(),
    }
}

async fn json_body<T: DeserializeOwned>(headers: &HeaderMap, b: Body) -> Result<T, ApiError> {
    let bytes = read_body(b).await?;
    body::api_json(headers, &bytes)
}

/// An organization as Auth0 answers it: fields never set are left out.
pub fn org_json(o: &Organization) -> Value {
    let mut v = json!({"id": o.id, "name": o.name});
    if let Some(d) = &o.display_name {
        v["display_name"] = Value::from(d.clone());
    }
    if let Some(b) = &o.branding {
        v["branding"] = serde_json::to_value(b).unwrap_or(Value::Null);
    }
    if !o.metadata.is_empty() {
        v["metadata"] = Value::Object(o.metadata.clone());
    }
    v
}

/// An organization's connection; `ALL` in the shape of Auth0's newer
/// `/organizations/{id}/connections` (which the Deploy CLI uses): with
/// `is_enabled`, always true here (a connection not enabled is not listed).
fn connection_json<const ALL: bool>(c: &OrgConnection) -> Value {
    let mut v = json!({
        "connection_id": c.enabled.connection_id,
        "assign_membership_on_login": c.enabled.assign_membership_on_login,
        "show_as_button": c.enabled.show_as_button,
        "is_signup_enabled": c.enabled.is_signup_enabled,
        "connection": {"name": c.name, "strategy": c.strategy},
    });
    if ALL {
        v["is_enabled"] = Value::Bool(true);
    }
    v
}

fn role_json(r: &Role) -> Value {
    json!({"id": r.id, "name": r.name, "description": r.description})
}

fn member_json(m: &OrgMember) -> Value {
    let u = &m.user;
    json!({
        "user_id": u.user_id, "email": u.email, "picture": u.picture, "name": u.name,
        "roles": m.roles.iter().map(|r| json!({"id": r.id, "name": r.name})).collect::<Vec<_>>(),
    })
}

async fn org_or_404(app: &AppState, id: &str) -> Result<Organization, ApiError> {
    app.store.get_organization(id).await?.ok_or_else(no_org)
}

/// The answer of a list route: checkpoint paging (`from`, `take`) when asked,
/// else Auth0's offset paging. `items` are sorted by the id `id_of` reads.
fn respond_list(
    q: &ListQuery,
    key: &str,
    items: Vec<Value>,
    id_of: impl Fn(&Value) -> String,
) -> Result<Value, ApiError> {
    match q.checkpoint()? {
        Some(cp) => Ok(cp.respond(key, items, id_of)),
        None => Ok(q.respond_all(key, items)),
    }
}

fn id_field(field: &'static str) -> impl Fn(&Value) -> String {
    move |v| v[field].as_str().unwrap_or_default().to_string()
}

// ---- /organizations ---------------------------------------------------------

pub async fn list(
    State(app): State<AppState>,
    caller: Caller,
    RawQuery(q): RawQuery,
) -> Result<Json<Value>, ApiError> {
    caller.require_any(&["read:organizations", "read:organizations_summary"])?;
    let q = ListQuery::parse(q.as_deref(), &["from", "take", "sort"])?;
    if let Some(cp) = q.checkpoint()? {
        // One more than asked tells whether a next page exists.
        let mut got = app
            .store
            .organizations_after(cp.after.as_deref(), cp.take as u32 + 1)
            .await?;
        let more = got.len() > cp.take;
        got.truncate(cp.take);
        let mut out = json!({"organizations": got.iter().map(org_json).collect::<Vec<_>>()});
        if more && let Some(last) = got.last() {
            out["next"] = Value::from(super::checkpoint_cursor::encode(&last.id));
        }
        return Ok(Json(out));
    }
    let (items, total) = app.store.list_organizations(q.page).await?;
    Ok(Json(q.respond(
        "organizations",
        items.iter().map(org_json).collect(),
        total,
    )))
}

pub async fn create(
    State(app): State<AppState>,
    caller: Caller,
    headers: HeaderMap,
    b: Body,
) -> Result<Response, ApiError> {
    caller.require("create:organizations")?;
    let payload: OrganizationPayload = json_body(&headers, b).await?;
    let (org, connections) = payload.into_new(organizations::new_id()).map_err(invalid)?;
    match app
        .store
        .insert_organization(&org, &connections, app.now())
        .await
    {
        Ok(()) => Ok((StatusCode::CREATED, Json(org_json(&org))).into_response()),
        Err(StoreError::Conflict) => Err(taken()),
        Err(StoreError::MissingReference) => Err(ApiError::bad_request(
            "The specified connection does not exist.",
            "invalid_body",
        )),
        Err(e) => Err(e.into()),
    }
}

pub async fn get(
    State(app): State<AppState>,
    caller: Caller,
    Path(id): Path<String>,
) -> Result<Json<Value>, ApiError> {
    caller.require("read:organizations")?;
    Ok(Json(org_json(&org_or_404(&app, &id).await?)))
}

pub async fn by_name(
    State(app): State<AppState>,
    caller: Caller,
    Path(name): Path<String>,
) -> Result<Json<Value>, ApiError> {
    caller.require("read:organizations")?;
    let org = app
        .store
        .get_organization_by_name(&name)
        .await?
        .ok_or_else(no_org)?;
    Ok(Json(org_json(&org)))
}

pub async fn update(
    State(app): State<AppState>,
    caller: Caller,
    Path(id): Path<String>,
    headers: HeaderMap,
    b: Body,
) -> Result<Json<Value>, ApiError> {
    caller.require("update:organizations")?;
    let payload: OrganizationPayload = json_body(&headers, b).await?;
    let org = org_or_404(&app, &id).await?;
    let org = payload.apply_to(org).map_err(invalid)?;
    match app.store.update_organization(&org, app.now()).await {
        Ok(true) => Ok(Json(org_json(&org))),
        Ok(false) => Err(no_org()),
        Err(StoreError::Conflict) => Err(taken()),
        Err(e) => Err(e.into()),
    }
}

pub async fn delete(
    State(app): State<AppState>,
    caller: Caller,
    Path(id): Path<String>,
) -> Result<StatusCode, ApiError> {
    caller.require("delete:organizations")?;
    if app.store.delete_organization(&id, app.now()).await? {
        Ok(StatusCode::NO_CONTENT)
    } else {
        Err(no_org())
    }
}

// ---- members ----------------------------------------------------------------

pub async fn members(
    State(app): State<AppState>,
    caller: Caller,
    Path(id): Path<String>,
    RawQuery(q): RawQuery,
) -> Result<Json<Value>, ApiError> {
    caller.require("read:organization_members")?;
    let q = ListQuery::parse(q.as_deref(), &["from", "take"])?;
    org_or_404(&app, &id).await?;
    // Auth0 lists a member's roles only when `fields` asks for them.
    let with_roles = q
        .filter("fields")
        .is_some_and(|f| f.split(',').any(|n| n.trim() == "roles"));
    let shape = |m: &OrgMember| {
        let mut v = member_json(m);
        if !with_roles && let Value::Object(o) = &mut v {
            o.remove("roles");
        }
        v
    };
    if let Some(cp) = q.checkpoint()? {
        let page = portcullis_store::Page {
            page: 0,
            per_page: cp.take as u32 + 1,
        };
        let (mut got, _) = app
            .store
            .organization_members(&id, cp.after.as_deref(), page)
            .await?;
        let more = got.len() > cp.take;
        got.truncate(cp.take);
        let mut out =
            json!({"members": got.iter().map(|m| q.select(shape(m))).collect::<Vec<_>>()});
        if more && let Some(last) = got.last() {
            out["next"] = Value::from(super::checkpoint_cursor::encode(&last.user.user_id));
        }
        return Ok(Json(out));
    }
    let (items, total) = app.store.organization_members(&id, None, q.page).await?;
    Ok(Json(q.respond(
        "members",
        items.iter().map(shape).collect(),
        total,
    )))
}

#[derive(Debug, Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct MembersBody {
    pub members: Vec<String>,
}

async fn change_members(
    app: &AppState,
    id: &str,
    headers: &HeaderMap,
    b: Body,
    add: bool,
) -> Result<StatusCode, ApiError> {
    let body: MembersBody = json_body(headers, b).await?;
    let users = roles::items("members", &body.members).map_err(invalid)?;
    let now = app.now();
    let done = if add {
        app.store.add_organization_members(id, &users, now).await?
    } else {
        app.store
            .remove_organization_members(id, &users, now)
            .await?
    };
    match done {
        OrgChange::Done => Ok(StatusCode::NO_CONTENT),
        OrgChange::NoUser => Err(ApiError::not_found(
            "One or more of the users do not exist.",
            "inexistent_user",
        )),
        other => Err(change_error(other)),
    }
}

pub async fn add_members(
    State(app): State<AppState>,
    caller: Caller,
    Path(id): Path<String>,
    headers: HeaderMap,
    b: Body,
) -> Result<StatusCode, ApiError> {
    caller.require("create:organization_members")?;
    change_members(&app, &id, &headers, b, true).await
}

pub async fn remove_members(
    State(app): State<AppState>,
    caller: Caller,
    Path(id): Path<String>,
    headers: HeaderMap,
    b: Body,
) -> Result<StatusCode, ApiError> {
    caller.require("delete:organization_members")?;
    change_members(&app, &id, &headers, b, false).await
}

pub async fn member_roles(
    State(app): State<AppState>,
    caller: Caller,
    Path((id, user_id)): Path<(String, String)>,
    RawQuery(q): RawQuery,
) -> Result<Json<Value>, ApiError> {
    caller.require("read:organization_member_roles")?;
    let q = ListQuery::parse(q.as_deref(), &[])?;
    org_or_404(&app, &id).await?;
    if !app.store.is_organization_member(&id, &user_id).await? {
        return Err(not_member());
    }
    let items = app.store.organization_member_roles(&id, &user_id).await?;
    Ok(Json(q.respond_all(
        "roles",
        items.iter().map(role_json).collect(),
    )))
}

async fn change_member_roles(
    app: &AppState,
    id: &str,
    user_id: &str,
    headers: &HeaderMap,
    b: Body,
    add: bool,
) -> Result<StatusCode, ApiError> {
    let body: roles::RolesBody = json_body(headers, b).await?;
    let role_ids = roles::items("roles", &body.roles).map_err(invalid)?;
    match app
        .store
        .change_organization_member_roles(id, user_id, &role_ids, add, app.now())
        .await?
    {
        OrgChange::Done => Ok(StatusCode::NO_CONTENT),
        other => Err(change_error(other)),
    }
}

pub async fn add_member_roles(
    State(app): State<AppState>,
    caller: Caller,
    Path((id, user_id)): Path<(String, String)>,
    headers: HeaderMap,
    b: Body,
) -> Result<StatusCode, ApiError> {
    caller.require("create:organization_member_roles")?;
    change_member_roles(&app, &id, &user_id, &headers, b, true).await
}

pub async fn remove_member_roles(
    State(app): State<AppState>,
    caller: Caller,
    Path((id, user_id)): Path<(String, String)>,
    headers: HeaderMap,
    b: Body,
) -> Result<StatusCode, ApiError> {
    caller.require("delete:organization_member_roles")?;
    change_member_roles(&app, &id, &user_id, &headers, b, false).await
}

/// `GET /users/{id}/organizations`.
pub async fn of_user(
    State(app): State<AppState>,
    caller: Caller,
    Path(user_id): Path<String>,
    RawQuery(q): RawQuery,
) -> Result<Json<Value>, ApiError> {
    caller.require_any(&["read:organizations", "read:users"])?;
    let q = ListQuery::parse(q.as_deref(), &[])?;
    app.store.get_user(&user_id).await?.ok_or_else(no_user)?;
    let orgs = app.store.user_organizations(&user_id).await?;
    Ok(Json(q.respond_all(
        "organizations",
        orgs.iter().map(org_json).collect(),
    )))
}

// ---- enabled connections ----------------------------------------------------
//
// Two routes over the same records: `/enabled_connections` and Auth0's newer
// `/connections` (`ALL`), which differ only in the list's key and
// `is_enabled`.

pub async fn connections<const ALL: bool>(
    State(app): State<AppState>,
    caller: Caller,
    Path(id): Path<String>,
    RawQuery(q): RawQuery,
) -> Result<Json<Value>, ApiError> {
    caller.require("read:organization_connections")?;
    let q = ListQuery::parse(q.as_deref(), &["from", "take"])?;
    org_or_404(&app, &id).await?;
    let items = app.store.organization_connections(&id).await?;
    let key = if ALL {
        "connections"
    } else {
        "enabled_connections"
    };
    Ok(Json(respond_list(
        &q,
        key,
        items.iter().map(connection_json::<ALL>).collect(),
        id_field("connection_id"),
    )?))
}

fn no_connection() -> ApiError {
    ApiError::not_found("No connection found by that id", "inexistent_connection")
}

pub async fn add_connection<const ALL: bool>(
    State(app): State<AppState>,
    caller: Caller,
    Path(id): Path<String>,
    headers: HeaderMap,
    b: Body,
) -> Result<Response, ApiError> {
    caller.require("create:organization_connections")?;
    let payload: EnabledConnectionPayload = json_body(&headers, b).await?;
    let c = payload.into_new().map_err(invalid)?;
    org_or_404(&app, &id).await?;
    if app.store.get_connection(&c.connection_id).await?.is_none() {
        return Err(no_connection());
    }
    match app
        .store
        .add_organization_connection(&id, &c, app.now())
        .await
    {
        Ok(()) => {}
        Err(StoreError::Conflict) => {
            return Err(ApiError::conflict(
                "The connection is already enabled for the organization.",
                "organization_connection_conflict",
            ));
        }
        Err(StoreError::MissingReference) => return Err(no_org()),
        Err(e) => return Err(e.into()),
    }
    let added = app
        .store
        .organization_connection(&id, &c.connection_id)
        .await?
        .ok_or_else(no_connection)?;
    Ok((StatusCode::CREATED, Json(connection_json::<ALL>(&added))).into_response())
}

pub async fn get_connection<const ALL: bool>(
    State(app): State<AppState>,
    caller: Caller,
    Path((id, connection_id)): Path<(String, String)>,
) -> Result<Json<Value>, ApiError> {
    caller.require("read:organization_connections")?;
    org_or_404(&app, &id).await?;
    let c = app
        .store
        .organization_connection(&id, &connection_id)
        .await?
        .ok_or_else(no_connection)?;
    Ok(Json(connection_json::<ALL>(&c)))
}

pub async fn update_connection<const ALL: bool>(
    State(app): State<AppState>,
    caller: Caller,
    Path((id, connection_id)): Path<(String, String)>,
    headers: HeaderMap,
    b: Body,
) -> Result<Json<Value>, ApiError> {
    caller.require("update:organization_connections")?;
    let payload: EnabledConnectionPayload = json_body(&headers, b).await?;
    org_or_404(&app, &id).await?;
    let c = app
        .store
        .organization_connection(&id, &connection_id)
        .await?
        .ok_or_else(no_connection)?;
    let enabled = payload.apply_to(c.enabled.clone()).map_err(invalid)?;
    if !app
        .store
        .update_organization_connection(&id, &enabled)
        .await?
    {
        return Err(no_connection());
    }
    Ok(Json(connection_json::<ALL>(&OrgConnection {
        enabled,
        ..c
    })))
}

pub async fn delete_connection(
    State(app): State<AppState>,
    caller: Caller,
    Path((id, connection_id)): Path<(String, String)>,
) -> Result<StatusCode, ApiError> {
    caller.require("delete:organization_connections")?;
    org_or_404(&app, &id).await?;
    if app
        .store
        .delete_organization_connection(&id, &connection_id)
        .await?
    {
        Ok(StatusCode::NO_CONTENT)
    } else {
        Err(no_connection())
    }
}

// ---- invitations ------------------------------------------------------------

/// What the ticket is sealed to: this invitation only.
fn ticket_aad(invitation_id: &str) -> String {
    format!("organization-invitation:{invitation_id}")
}

/// The link an invitation carries: the application's login route (or the
/// tenant's), with the ticket and the organization.
async fn invitation_link(
    app: &AppState,
    inv: &Invitation,
    org: &Organization,
    ticket: &str,
) -> Result<Option<String>, ApiError> {
    let client = app.client(&inv.client_id).await?.map(|(c, _)| c);
    let base = match client.and_then(|c| c.initiate_login_uri) {
        Some(u) => Some(u),
        None => app.settings().await?.default_redirection_uri,
    };
    Ok(base.map(|b| organizations::invitation_url(&b, ticket, org)))
}

async fn invitation_json(
    app: &AppState,
    inv: &Invitation,
    org: &Organization,
    sealed: &str,
) -> Result<Value, ApiError> {
    let ticket = app
        .kek
        .open(&ticket_aad(&inv.id), sealed)
        .ok()
        .and_then(|t| String::from_utf8(t).ok())
        .unwrap_or_default();
    let url = invitation_link(app, inv, org, &ticket).await?;
    Ok(shape_invitation(inv, &ticket, url.as_deref()))
}

fn shape_invitation(inv: &Invitation, ticket: &str, url: Option<&str>) -> Value {
    let iso = portcullis_core::clock::iso8601;
    let mut v = json!({
        "id": inv.id,
        "organization_id": inv.organization_id,
        "inviter": inv.inviter,
        "invitee": inv.invitee,
        "invitation_url": url,
        "ticket_id": ticket,
        "created_at": iso(inv.created_at),
        "expires_at": iso(inv.expires_at),
        "client_id": inv.client_id,
    });
    if let Some(c) = &inv.connection_id {
        v["connection_id"] = Value::from(c.clone());
    }
    if !inv.app_metadata.is_empty() {
        v["app_metadata"] = Value::Object(inv.app_metadata.clone());
    }
    if !inv.user_metadata.is_empty() {
        v["user_metadata"] = Value::Object(inv.user_metadata.clone());
    }
    if !inv.roles.is_empty() {
        v["roles"] = Value::from(inv.roles.clone());
    }
    v
}

pub async fn invitations(
    State(app): State<AppState>,
    caller: Caller,
    Path(id): Path<String>,
    RawQuery(q): RawQuery,
) -> Result<Json<Value>, ApiError> {
    caller.require("read:organization_invitations")?;
    let q = ListQuery::parse(q.as_deref(), &["sort"])?;
    let org = org_or_404(&app, &id).await?;
    let mut items = Vec::new();
    for (inv, sealed) in app.store.organization_invitations(&id).await? {
        items.push(invitation_json(&app, &inv, &org, &sealed).await?);
    }
    Ok(Json(q.respond_all("invitations", items)))
}

pub async fn get_invitation(
    State(app): State<AppState>,
    caller: Caller,
    Path((id, invitation_id)): Path<(String, String)>,
) -> Result<Json<Value>, ApiError> {
    caller.require("read:organization_invitations")?;
    let org = org_or_404(&app, &id).await?;
    let (inv, sealed) = app
        .store
        .get_organization_invitation(&id, &invitation_id)
        .await?
        .ok_or_else(no_invitation)?;
    Ok(Json(invitation_json(&app, &inv, &org, &sealed).await?))
}

pub async fn delete_invitation(
    State(app): State<AppState>,
    caller: Caller,
    Path((id, invitation_id)): Path<(String, String)>,
) -> Result<StatusCode, ApiError> {
    caller.require("delete:organization_invitations")?;
    org_or_404(&app, &id).await?;
    if app
        .store
        .delete_organization_invitation(&id, &invitation_id)
        .await?
    {
        Ok(StatusCode::NO_CONTENT)
    } else {
        Err(no_invitation())
    }
}

fn refused(message: impl Into<String>) -> ApiError {
    ApiError::bad_request(message, "invalid_body")
}

pub async fn create_invitation(
    State(app): State<AppState>,
    caller: Caller,
    Path(id): Path<String>,
    headers: HeaderMap,
    b: Body,
) -> Result<Response, ApiError> {
    caller.require("create:organization_invitations")?;
    let payload: InvitationPayload = json_body(&headers, b).await?;
    let send = payload.send_invitation_email.unwrap_or(true);
    let now = app.now();
    let inv = payload
        .into_new(organizations::new_invitation_id(), &id, now)
        .map_err(invalid)?;
    let org = org_or_404(&app, &id).await?;
    // Auth0's checks, in its order, each with its message.
    let Some((client, _)) = app.client(&inv.client_id).await? else {
        return Err(refused("The specified client_id does not exist."));
    };
    if client.organization_usage == OrganizationUsage::Deny {
        return Err(refused(
            "The specified client_id does not allow organizations.",
        ));
    }
    if let Some(c) = &inv.connection_id {
        if app.store.get_connection(c).await?.is_none() {
            return Err(refused("The specified connection does not exist."));
        }
        if app.store.organization_connection(&id, c).await?.is_none() {
            return Err(refused(format!(
                "The specified connection ({c}) is not enabled for the organization"
            )));
        }
    }
    let mut missing = Vec::new();
    for r in &inv.roles {
        if app.store.get_role(r).await?.is_none() {
            missing.push(r.as_str());
        }
    }
    if !missing.is_empty() {
        return Err(refused(format!(
            "One or more of the specified roles do not exist: {}",
            missing.join(", ")
        )));
    }
    let ticket = portcullis_core::random::alphanumeric(32);
    let Some(url) = invitation_link(&app, &inv, &org, &ticket).await? else {
        return Err(refused(
            "A default login route is required to generate the invitation url. Set the application's initiate_login_uri or the tenant's default_redirection_uri.",
        ));
    };
    let sealed = app.kek.seal(&ticket_aad(&inv.id), ticket.as_bytes());
    match app
        .store
        .insert_organization_invitation(&inv, &hash_secret(&ticket), &sealed)
        .await
    {
        Ok(()) => {}
        Err(StoreError::MissingReference) => return Err(no_org()),
        Err(e) => return Err(e.into()),
    }
    if send {
        crate::http::tenant_mail::send_invitation(&app, &inv, &org, &client, &url).await;
    }
    Ok((
        StatusCode::CREATED,
        Json(shape_invitation(&inv, &ticket, Some(&url))),
    )
        .into_response())
}

// ---- client grants ----------------------------------------------------------

fn client_grant_json(g: &portcullis_core::client_grants::ClientGrant) -> Value {
    json!({
        "id": g.id,
        "client_id": g.client_id,
        "audience": g.audience,
        "scope": g.scope,
        "organization_usage": g.organization_usage.unwrap_or_default(),
        "allow_any_organization": g.allow_any_organization,
    })
}

/// `GET /organizations/{id}/client-grants` (filters `audience`, `client_id`,
/// `grant_ids` comma-separated).
pub async fn client_grants(
    State(app): State<AppState>,
    caller: Caller,
    Path(id): Path<String>,
    RawQuery(q): RawQuery,
) -> Result<Json<Value>, ApiError> {
    caller.require("read:organization_client_grants")?;
    let q = ListQuery::parse(q.as_deref(), &["audience", "client_id", "grant_ids"])?;
    org_or_404(&app, &id).await?;
    let ids: Option<Vec<&str>> = q
        .filter("grant_ids")
        .map(|g| g.split(',').map(str::trim).collect());
    let items = app
        .store
        .organization_client_grants(&id)
        .await?
        .into_iter()
        .filter(|g| q.filter("audience").is_none_or(|a| g.audience == a))
        .filter(|g| q.filter("client_id").is_none_or(|c| g.client_id == c))
        .filter(|g| ids.as_ref().is_none_or(|ids| ids.contains(&g.id.as_str())))
        .map(|g| client_grant_json(&g))
        .collect();
    Ok(Json(q.respond_all("client_grants", items)))
}

#[derive(Debug, Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct GrantIdBody {
    pub grant_id: String,
}

fn no_grant() -> ApiError {
    ApiError::not_found(
        "The client grant does not exist.",
        "inexistent_client_grant",
    )
}

/// `POST /organizations/{id}/client-grants`: a client grant whose
/// `organization_usage` is `allow` or `require` may then be used for this
/// organization (client credentials with `organization=`).
pub async fn add_client_grant(
    State(app): State<AppState>,
    caller: Caller,
    Path(id): Path<String>,
    headers: HeaderMap,
    b: Body,
) -> Result<Response, ApiError> {
    caller.require("create:organization_client_grants")?;
    let body: GrantIdBody = json_body(&headers, b).await?;
    org_or_404(&app, &id).await?;
    let grant = app
        .store
        .get_client_grant(&body.grant_id)
        .await?
        .ok_or_else(no_grant)?;
    if grant.organization_usage.unwrap_or_default() == OrganizationUsage::Deny {
        return Err(refused(
            "The client grant's organization_usage must be allow or require to be associated with an organization.",
        ));
    }
    match app
        .store
        .add_organization_client_grant(&id, &grant.id, app.now())
        .await
    {
        Ok(()) => Ok((StatusCode::CREATED, Json(client_grant_json(&grant))).into_response()),
        Err(StoreError::MissingReference) => Err(no_grant()),
        Err(e) => Err(e.into()),
    }
}

pub async fn delete_client_grant(
    State(app): State<AppState>,
    caller: Caller,
    Path((id, grant_id)): Path<(String, String)>,
) -> Result<StatusCode, ApiError> {
    caller.require("delete:organization_client_grants")?;
    org_or_404(&app, &id).await?;
    if app
        .store
        .delete_organization_client_grant(&id, &grant_id)
        .await?
    {
        Ok(StatusCode::NO_CONTENT)
    } else {
        Err(no_grant())
    }
}
