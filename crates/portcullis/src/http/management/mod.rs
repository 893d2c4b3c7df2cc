//! The Management API v2 at `/api/v2/`, in Auth0's shapes, guarded by access tokens
//! for the audience `<issuer>api/v2/` carrying the scope each route needs.

pub mod actions;
pub mod audit_writes;
pub mod branding;
pub mod client_grants;
pub mod clients;
pub mod connections;
pub mod email_provider;
pub mod email_templates;
pub mod grants;
pub mod guardian;
pub mod identities;
pub mod jobs;
pub mod keys;
pub mod last_admin;
pub mod log_streams;
pub mod logs;
pub mod openapi;
pub mod organizations;
pub mod prompts;
#[cfg(test)]
mod query_properties;
pub mod resource_servers;
pub mod roles;
pub mod rules;
pub mod rules_configs;
pub mod sessions;
pub mod tenant_settings;
pub mod tickets;
pub mod unavailable;
pub mod user_blocks;
pub mod users;

use axum::Router;
use axum::extract::FromRequestParts;
use axum::http::header;
use axum::http::request::Parts;
use axum::routing::{get, post};
use portcullis_core::protocol::bearer::{self, BearerError};
use portcullis_core::tokens::AccessTokenClaims;
use serde_json::{Value, json};

use crate::app::AppState;
use crate::http::body;
use crate::http::errors::ApiError;

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/clients", get(clients::list).post(clients::create))
        .route(
            "/clients/{id}",
            get(clients::get)
                .patch(clients::update)
                .delete(clients::delete),
        )
        .route("/clients/{id}/rotate-secret", post(clients::rotate_secret))
        .route(
            "/clients/{id}/credentials",
            get(clients::credentials::list).post(clients::credentials::create),
        )
        .route(
            "/clients/{id}/credentials/{credential_id}",
            get(clients::credentials::get)
                .patch(clients::credentials::update)
                .delete(clients::credentials::delete),
        )
        .route(
            "/resource-servers",
            get(resource_servers::list).post(resource_servers::create),
        )
        .route(
            "/resource-servers/{id}",
            get(resource_servers::get)
                .patch(resource_servers::update)
                .delete(resource_servers::delete),
        )
        .route(
            "/connections",
            get(connections::list).post(connections::create),
        )
        .route(
            "/connections/{id}",
            get(connections::get)
                .patch(connections::update)
                .delete(connections::delete),
        )
        .route(
            "/connections/{id}/clients",
            get(connections::clients).patch(connections::update_clients),
        )
        .route("/connections/{id}/status", get(connections::status))
        .route(
            "/connections/{id}/users",
            axum::routing::delete(connections::delete_user_by_email),
        )
        .route("/users/{id}/identities", post(identities::link))
        .route(
            "/users/{id}/identities/{provider}/{user_id}",
            axum::routing::delete(identities::unlink),
        )
        .route("/users", get(users::list).post(users::create))
        .route(
            "/users/{id}",
            get(users::get).patch(users::update).delete(users::delete),
        )
        .route("/users-by-email", get(users::by_email))
        .route(
            "/user-blocks",
            get(user_blocks::by_identifier).delete(user_blocks::unblock_identifier),
        )
        .route(
            "/user-blocks/{id}",
            get(user_blocks::of_user).delete(user_blocks::unblock_user),
        )
        .route("/users/{id}/logs", get(logs::of_user))
        .route("/logs", get(logs::list))
        .route("/logs/{id}", get(logs::get))
        .route("/prompts", get(prompts::get).patch(prompts::update))
        .route(
            "/prompts/{prompt}/custom-text/{language}",
            get(prompts::get_text).put(prompts::put_text),
        )
        .route("/branding", get(branding::get).patch(branding::update))
        .route(
            "/branding/templates/universal-login",
            get(branding::get_template)
                .put(branding::put_template)
                .delete(branding::delete_template),
        )
        .route(
            "/log-streams",
            get(log_streams::list).post(log_streams::create),
        )
        .route(
            "/log-streams/{id}",
            get(log_streams::get)
                .patch(log_streams::update)
                .delete(log_streams::delete),
        )
        .route(
            "/tenants/settings",
            get(tenant_settings::get).patch(tenant_settings::update),
        )
        .route("/grants", get(grants::list).delete(grants::delete_of_user))
        .route("/grants/{id}", axum::routing::delete(grants::delete))
        .route("/tickets/password-change", post(tickets::password_change))
        .route(
            "/tickets/email-verification",
            post(tickets::email_verification),
        )
        .route("/jobs/verification-email", post(jobs::verification_email))
        .route("/jobs/users-imports", post(jobs::users_imports))
        .route("/jobs/users-exports", post(jobs::users_exports))
        .route("/jobs/{id}", get(jobs::get))
        .route("/jobs/{id}/errors", get(jobs::errors))
        .route("/email-templates", post(email_templates::create))
        .route(
            "/emails/provider",
            get(email_provider::get)
                .post(email_provider::create)
                .patch(email_provider::update)
                .delete(email_provider::delete),
        )
        .route(
            "/email-templates/{name}",
            get(email_templates::get)
                .patch(email_templates::update)
                .put(email_templates::replace),
        )
        .merge(unavailable::routes())
        .merge(guardian::routes())
        .merge(rbac_routes())
        .merge(extensibility_routes())
}

/// The rest of `/api/v2`: Rules, Actions, keys, the OpenAPI document, sessions,
/// refresh tokens and client grants.
/// Roles and permissions (Auth0's RBAC).
fn rbac_routes() -> Router<AppState> {
    Router::new()
        .route("/roles", get(roles::list).post(roles::create))
        .route(
            "/roles/{id}",
            get(roles::get).patch(roles::update).delete(roles::delete),
        )
        .route(
            "/roles/{id}/permissions",
            get(roles::permissions)
                .post(roles::add_permissions)
                .delete(roles::remove_permissions),
        )
        .route(
            "/roles/{id}/users",
            get(roles::users).post(roles::assign_users),
        )
        .route(
            "/users/{id}/roles",
            get(roles::user_roles)
                .post(roles::assign_user_roles)
                .delete(roles::remove_user_roles),
        )
        .route(
            "/users/{id}/permissions",
            get(roles::user_permissions)
                .post(roles::add_user_permissions)
                .delete(roles::remove_user_permissions),
        )
}

fn extensibility_routes() -> Router<AppState> {
    Router::new()
        .route("/rules", get(rules::list).post(rules::create))
        .route(
            "/rules/{id}",
            get(rules::get).patch(rules::update).delete(rules::delete),
        )
        .route("/rules-configs", get(rules_configs::list))
        .route(
            "/rules-configs/{key}",
            axum::routing::put(rules_configs::set).delete(rules_configs::delete),
        )
        .route("/actions/actions", get(actions::list).post(actions::create))
        .route(
            "/actions/actions/{id}",
            get(actions::get)
                .patch(actions::update)
                .delete(actions::delete),
        )
        .route("/actions/actions/{id}/deploy", post(actions::deploy))
        .route("/actions/actions/{id}/test", post(actions::test))
        .route("/actions/actions/{id}/versions", get(actions::versions))
        .route(
            "/actions/actions/{id}/versions/{version}",
            get(actions::version),
        )
        .route("/openapi.json", get(openapi::serve))
        .route("/keys/signing", get(keys::list))
        .route("/keys/signing/rotate", post(keys::rotate))
        .route("/keys/signing/{kid}", get(keys::get))
        .route(
            "/keys/signing/{kid}/revoke",
            axum::routing::put(keys::revoke),
        )
        .route("/actions/triggers", get(actions::triggers))
        .route(
            "/actions/triggers/{trigger}/bindings",
            get(actions::bindings).patch(actions::set_bindings),
        )
        .route(
            "/users/{id}/sessions",
            get(sessions::of_user).delete(sessions::delete_of_user),
        )
        .route("/sessions/{id}/revoke", post(sessions::revoke))
        .route(
            "/sessions/{id}",
            get(sessions::get).delete(sessions::delete),
        )
        .route(
            "/users/{id}/refresh-tokens",
            get(sessions::tokens_of_user).delete(sessions::delete_tokens_of_user),
        )
        .route("/refresh-tokens", get(sessions::list_tokens))
        .route("/refresh-tokens/revoke", post(sessions::revoke_tokens))
        .route(
            "/refresh-tokens/{id}",
            get(sessions::get_token).delete(sessions::delete_token),
        )
        .route(
            "/client-grants",
            get(client_grants::list).post(client_grants::create),
        )
        .route(
            "/organizations",
            get(organizations::list).post(organizations::create),
        )
        .route(
            "/organizations/{id}",
            get(organizations::get)
                .patch(organizations::update)
                .delete(organizations::delete),
        )
        .route("/organizations/name/{name}", get(organizations::by_name))
        .route(
            "/organizations/{id}/members",
            get(organizations::members)
                .post(organizations::add_members)
                .delete(organizations::remove_members),
        )
        .route(
            "/organizations/{id}/members/{user_id}/roles",
            get(organizations::member_roles)
                .post(organizations::add_member_roles)
                .delete(organizations::remove_member_roles),
        )
        .route(
            "/organizations/{id}/enabled_connections",
            get(organizations::connections::<false>).post(organizations::add_connection::<false>),
        )
        .route(
            "/organizations/{id}/enabled_connections/{connection_id}",
            get(organizations::get_connection::<false>)
                .patch(organizations::update_connection::<false>)
                .delete(organizations::delete_connection),
        )
        .route(
            "/organizations/{id}/connections",
            get(organizations::connections::<true>).post(organizations::add_connection::<true>),
        )
        .route(
            "/organizations/{id}/connections/{connection_id}",
            get(organizations::get_connection::<true>)
                .patch(organizations::update_connection::<true>)
                .delete(organizations::delete_connection),
        )
        .route(
            "/organizations/{id}/invitations",
            get(organizations::invitations).post(organizations::create_invitation),
        )
        .route(
            "/organizations/{id}/invitations/{invitation_id}",
            get(organizations::get_invitation).delete(organizations::delete_invitation),
        )
        .route(
            "/organizations/{id}/client-grants",
            get(organizations::client_grants).post(organizations::add_client_grant),
        )
        .route(
            "/organizations/{id}/client-grants/{grant_id}",
            axum::routing::delete(organizations::delete_client_grant),
        )
        .route("/users/{id}/organizations", get(organizations::of_user))
        .route(
            "/client-grants/{id}",
            get(client_grants::get)
                .patch(client_grants::update)
                .delete(client_grants::delete),
        )
}

/// The authenticated caller: a valid Management API access token.
///
/// Invariant: only a client-credentials token (`gty: client-credentials`, `sub`
/// `<azp>@clients`) reaches a route through its scope. A token from a user flow
/// reaches nothing but the caller's own user, with the current_user scopes
/// (Auth0's rule), whatever scopes it carries.
pub struct Caller {
    pub claims: AccessTokenClaims,
    /// A dashboard member's token: the member's role now (not at sign-in).
    pub member: Option<portcullis_core::members::Role>,
}

impl Caller {
    /// A machine-to-machine token, issued by the client-credentials grant.
    pub fn is_machine(&self) -> bool {
        self.claims.gty.as_deref() == Some("client-credentials")
            && self.claims.sub == format!("{}@clients", self.claims.azp)
    }

    fn has(&self, scope: &str) -> bool {
        self.claims.scopes().any(|s| s == scope)
    }

    /// Refuses with 403 unless this is a client-credentials token carrying
    /// `scope`, or a dashboard member's token carrying it whose role still
    /// allows it.
    pub fn require(&self, scope: &str) -> Result<(), ApiError> {
        if let Some(role) = self.member {
            return if self.has(scope) && role.allows(scope) {
                Ok(())
            } else {
                Err(ApiError::forbidden(
                    format!(
                        "Insufficient scope, expected any of: {scope} (a dashboard {role} may not)"
                    ),
                    "insufficient_scope",
                ))
            };
        }
        if !self.is_machine() {
            return Err(ApiError::forbidden(
                "This endpoint needs a client-credentials token; a user's token reaches only that user's own record.",
                "insufficient_scope",
            ));
        }
        if self.has(scope) {
            Ok(())
        } else {
            Err(ApiError::forbidden(
                format!("Insufficient scope, expected any of: {scope}"),
                "insufficient_scope",
            ))
        }
    }

    /// As [`Self::require`], passing with any one of `scopes` (Auth0 lists
    /// several for some routes and accepts any of them).
    pub fn require_any(&self, scopes: &[&str]) -> Result<(), ApiError> {
        let mut refused = None;
        for s in scopes {
            match self.require(s) {
                Ok(()) => return Ok(()),
                Err(e) => refused = refused.or(Some(e)),
            }
        }
        let mut e = refused
            .unwrap_or_else(|| ApiError::forbidden("Insufficient scope", "insufficient_scope"));
        if e.message
            .starts_with("Insufficient scope, expected any of: ")
        {
            e.message = format!("Insufficient scope, expected any of: {}", scopes.join(","));
        }
        Err(e)
    }

    /// For `/users/{user_id}` routes: a client-credentials token with
    /// `machine_scope`, or the user's own token with `user_scope`.
    pub fn require_user_access(
        &self,
        user_id: &str,
        machine_scope: &str,
        user_scope: &str,
    ) -> Result<SelfOrMachine, ApiError> {
        if self.is_machine() || self.member.is_some() {
            return self.require(machine_scope).map(|_| SelfOrMachine::Machine);
        }
        if self.claims.sub != user_id {
            return Err(ApiError::forbidden(
                "A user's token reaches only that user's own record.",
                "insufficient_scope",
            ));
        }
        if self.has(user_scope) {
            Ok(SelfOrMachine::OwnUser)
        } else {
            Err(ApiError::forbidden(
                format!("Insufficient scope, expected any of: {machine_scope},{user_scope}"),
                "insufficient_scope",
            ))
        }
    }
}

/// Who passed [`Caller::require_user_access`].
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SelfOrMachine {
    Machine,
    OwnUser,
}

impl FromRequestParts<AppState> for Caller {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, app: &AppState) -> Result<Self, ApiError> {
        if parts.headers.get(header::AUTHORIZATION).is_none() {
            return Err(ApiError::unauthorized(
                "Missing authentication",
                "invalid_request",
            ));
        }
        // `Bearer`, or `DPoP` for a bound token (RFC 9449 §7.1).
        let (scheme, token) = crate::http::dpop::presented(&parts.headers).ok_or_else(|| {
            ApiError::unauthorized("Bad HTTP authentication header format", "invalid_request")
        })?;
        let _ = app.sync_configuration().await;
        let claims: AccessTokenClaims = app
            .verify(token)
            .map_err(|_| ApiError::unauthorized("Invalid token", "invalid_token"))?;
        bearer::check(&claims, app.issuer(), &app.management_audience, app.now()).map_err(|e| {
            let message = match e {
                BearerError::Expired => {
                    "Expired token received for JSON Web Token validation".to_string()
                }
                BearerError::WrongAudience => {
                    format!("Bad audience: expected {}", app.management_audience)
                }
                BearerError::WrongIssuer => "Bad issuer".to_string(),
                BearerError::NotYetValid => "Token used before it was issued".to_string(),
            };
            ApiError::unauthorized(message, "invalid_token")
        })?;
        // RFC 6749 §4.1.2: a token from a replayed code is revoked by its `jti`,
        // here as at `/userinfo`.
        if let Some(jti) = &claims.jti
            && app.store.is_token_id_revoked(jti).await?
        {
            return Err(ApiError::unauthorized("Revoked token", "invalid_token"));
        }
        // The path below the issuer, as the client addressed it (nested
        // routers see only their own part of it).
        let path = parts
            .extensions
            .get::<axum::extract::OriginalUri>()
            .map_or(parts.uri.path(), |u| u.0.path());
        let path = crate::http::dpop::ResourceRefusal::below_issuer(app, path);
        crate::http::dpop::check_presentation(
            app,
            &parts.headers,
            parts.method.as_str(),
            path,
            (scheme, token),
            claims.cnf.as_ref(),
        )
        .await?
        .map_err(crate::http::dpop::ResourceRefusal::into_api_error)?;
        let member = member_role(app, &claims).await?;
        Ok(Caller { claims, member })
    }
}

/// The role of the member a dashboard token names, read now: a removed
/// member's token stops working at once (401), a demoted member's reaches only
/// what the new role allows. Any other token: `None`.
async fn member_role(
    app: &AppState,
    claims: &AccessTokenClaims,
) -> Result<Option<portcullis_core::members::Role>, ApiError> {
    use portcullis_core::members;
    let marked = claims.gty.as_deref() == Some(crate::http::member_sign_in::GRANT_MARKER);
    let named = members::id_of_subject(&claims.sub);
    match (marked, named) {
        (false, None) => Ok(None),
        (true, Some(id)) if claims.azp == members::DASHBOARD_CLIENT_ID => {
            match app.store.get_member(id).await? {
                Some(m) => Ok(Some(m.role)),
                None => Err(ApiError::unauthorized(
                    "This dashboard member no longer exists",
                    "invalid_token",
                )),
            }
        }
        // Only the dashboard's sign-in issues either mark, and always both.
        _ => Err(ApiError::unauthorized("Invalid token", "invalid_token")),
    }
}

/// What nodes cache (`cache`, `scripts`): a successful change to one of these
/// bumps the configuration generation, so every node re-reads within a second.
const CACHED: &[&str] = &[
    "/clients",
    "/resource-servers",
    "/client-grants",
    "/rules",
    "/rules-configs",
    "/actions",
    "/keys",
    "/tenants",
    "/connections",
    "/branding",
    "/prompts",
];

/// After a successful write to a cached resource, marks every node's caches
/// stale. One place, so that no handler can forget it.
pub async fn invalidate_caches(
    axum::extract::State(app): axum::extract::State<AppState>,
    req: axum::extract::Request,
    next: axum::middleware::Next,
) -> axum::response::Response {
    let write = req.method() != axum::http::Method::GET;
    let path = req.uri().path().to_string();
    let cached = CACHED
        .iter()
        .any(|p| path.starts_with(p) || path.starts_with(&format!("/api/v2{p}")));
    let res = next.run(req).await;
    if write && cached && res.status().is_success() {
        // The change is stored; if the bump fails, other nodes still see it
        // when their entries are next re-read, so the request is not failed.
        if let Err(e) = app.configuration_changed().await {
            tracing::error!(error = %e, "could not mark caches stale");
            app.cache_clear_local();
        }
    }
    res
}

/// A checkpoint page request (`from`, `take`).
pub struct Checkpoint {
    /// The sort key of the last item of the previous page.
    pub after: Option<String>,
    pub take: usize,
}

impl Checkpoint {
    /// `{<key>: items, next}` from items sorted by `id_of`: those after the
    /// cursor, at most `take`, and `next` (left out on the last page, as Auth0).
    pub fn respond(
        &self,
        key: &str,
        mut items: Vec<Value>,
        id_of: impl Fn(&Value) -> String,
    ) -> Value {
        items.sort_by_key(&id_of);
        let mut rest: Vec<Value> = items
            .into_iter()
            .filter(|v| self.after.as_ref().is_none_or(|a| id_of(v) > *a))
            .collect();
        let more = rest.len() > self.take;
        rest.truncate(self.take);
        let next = more
            .then(|| rest.last().map(|v| checkpoint_cursor::encode(&id_of(v))))
            .flatten();
        let mut out = serde_json::Map::new();
        out.insert(key.into(), Value::Array(rest));
        if let Some(n) = next {
            out.insert("next".into(), Value::from(n));
        }
        Value::Object(out)
    }
}

/// Checkpoint cursors: opaque to callers (base64url of the last sort key).
pub mod checkpoint_cursor {
    use base64::Engine;
    use base64::engine::general_purpose::URL_SAFE_NO_PAD;

    pub fn encode(key: &str) -> String {
        URL_SAFE_NO_PAD.encode(key)
    }

    pub fn decode(cursor: &str) -> Option<String> {
        String::from_utf8(URL_SAFE_NO_PAD.decode(cursor).ok()?).ok()
    }
}

/// Auth0's list parameters: `page` (0-based), `per_page` (default 50, at most 100),
/// `include_totals`, `fields`, `include_fields`.
pub struct ListQuery {
    pub page: portcullis_store::Page,
    pub include_totals: bool,
    fields: Option<(Vec<String>, bool)>,
    params: portcullis_core::protocol::params::Params,
}

const LIST_PARAMS: &[&str] = &[
    "page",
    "per_page",
    "include_totals",
    "fields",
    "include_fields",
];

impl ListQuery {
    /// Parses the query string, allowing `extra` filter names beside the list
    /// parameters and refusing anything else.
    pub fn parse(raw: Option<&str>, extra: &[&str]) -> Result<Self, ApiError> {
        for name in body::query_names(raw) {
            if !LIST_PARAMS.contains(&name.as_str()) && !extra.contains(&name.as_str()) {
                return Err(ApiError::bad_request(
                    format!("Query validation error: unknown parameter '{name}'."),
                    "invalid_query_string",
                ));
            }
        }
        let params = body::query(raw)?;
        let number = |name: &str, default: u32, max: u32| -> Result<u32, ApiError> {
            match params.get(name) {
                None => Ok(default),
                Some(v) => v.parse::<u32>().ok().filter(|n| *n <= max).ok_or_else(|| {
                    ApiError::bad_request(
                        format!(
                            "Query validation error: '{name}' must be an integer from 0 to {max}."
                        ),
                        "invalid_query_string",
                    )
                }),
            }
        };
        let boolean = |name: &str, default: bool| -> Result<bool, ApiError> {
            match params.get(name) {
                None => Ok(default),
                Some("true") => Ok(true),
                Some("false") => Ok(false),
                Some(_) => Err(ApiError::bad_request(
                    format!("Query validation error: '{name}' must be true or false."),
                    "invalid_query_string",
                )),
            }
        };
        let page = number("page", 0, 1_000_000)?;
        let per_page = number("per_page", 50, 100)?.max(1);
        let include_totals = boolean("include_totals", false)?;
        let include_fields = boolean("include_fields", true)?;
        let fields = params.get("fields").map(|f| {
            (
                f.split(',').map(|s| s.trim().to_string()).collect(),
                include_fields,
            )
        });
        Ok(Self {
            page: portcullis_store::Page { page, per_page },
            include_totals,
            fields,
            params,
        })
    }

    /// Like [`ListQuery::parse`], with `repeated` names that may come several
    /// times (Auth0's array parameters, which its SDK sends as
    /// `name=a&name=b`); their values, in order.
    pub fn parse_repeated(
        raw: Option<&str>,
        extra: &[&str],
        repeated: &[&str],
    ) -> Result<(Self, Vec<String>), ApiError> {
        let mut rest = form_urlencoded::Serializer::new(String::new());
        let mut values = Vec::new();
        for (k, v) in form_urlencoded::parse(raw.unwrap_or("").as_bytes()) {
            if repeated.contains(&k.as_ref()) {
                values.push(v.into_owned());
            } else {
                rest.append_pair(&k, &v);
            }
        }
        let rest = rest.finish();
        Ok((Self::parse(Some(&rest), extra)?, values))
    }

    /// A filter that must be one of `allowed`, if given.
    pub fn enum_filter(&self, name: &str, allowed: &[&str]) -> Result<Option<&str>, ApiError> {
        match self.params.get(name) {
            None => Ok(None),
            Some(v) if allowed.contains(&v) => Ok(Some(v)),
            Some(v) => Err(ApiError::bad_request(
                format!(
                    "Query validation error: '{v}' is not a value of '{name}' (one of {}).",
                    allowed.join(", ")
                ),
                "invalid_query_string",
            )),
        }
    }

    /// Whether the caller asked for paging (`page`, `per_page` or
    /// `include_totals`).
    pub fn paged(&self) -> bool {
        ["page", "per_page", "include_totals"]
            .iter()
            .any(|p| self.params.get(p).is_some())
    }

    /// A boolean filter (`true` or `false`), if given.
    pub fn bool_filter(&self, name: &str) -> Result<Option<bool>, ApiError> {
        match self.params.get(name) {
            None => Ok(None),
            Some("true") => Ok(Some(true)),
            Some("false") => Ok(Some(false)),
            Some(_) => Err(ApiError::bad_request(
                format!("Query validation error: '{name}' must be true or false."),
                "invalid_query_string",
            )),
        }
    }

    /// The list answer for items already filtered in memory: this page of
    /// them, with Auth0's wrapper when totals are asked for.
    pub fn respond_all(&self, key: &str, items: Vec<Value>) -> Value {
        let total = items.len() as i64;
        let start = (self.page.page as usize).saturating_mul(self.page.per_page as usize);
        let shown = items
            .into_iter()
            .skip(start)
            .take(self.page.per_page as usize)
            .collect();
        self.respond(key, shown, total)
    }

    /// Auth0's checkpoint paging, when `from` or `take` is given: the id to
    /// start after (decoded from the cursor this API returned) and how many.
    pub fn checkpoint(&self) -> Result<Option<Checkpoint>, ApiError> {
        if self.filter("from").is_none() && self.filter("take").is_none() {
            return Ok(None);
        }
        let take = match self.filter("take") {
            None => 50,
            Some(t) => t
                .parse::<usize>()
                .ok()
                .filter(|n| (1..=100).contains(n))
                .ok_or_else(|| {
                    ApiError::bad_request(
                        "Query validation error: 'take' must be an integer from 1 to 100.",
                        "invalid_query_string",
                    )
                })?,
        };
        let after = match self.filter("from") {
            None => None,
            Some(from) => Some(checkpoint_cursor::decode(from).ok_or_else(|| {
                ApiError::bad_request(
                    "Query validation error: 'from' is not a cursor this API returned.",
                    "invalid_query_string",
                )
            })?),
        };
        Ok(Some(Checkpoint { after, take }))
    }

    /// `fields`/`include_fields` applied to one item.
    pub fn select(&self, item: Value) -> Value {
        select_fields(item, self.fields.as_ref())
    }

    /// A filter parameter's value.
    pub fn filter(&self, name: &str) -> Option<&str> {
        self.params.get(name)
    }

    /// The list response: a plain array, or Auth0's
    /// `{start, limit, length, total, <key>: [...]}` with `include_totals=true`.
    pub fn respond(&self, key: &str, items: Vec<Value>, total: i64) -> Value {
        let items: Vec<Value> = items
            .into_iter()
            .map(|v| select_fields(v, self.fields.as_ref()))
            .collect();
        if self.include_totals {
            json!({
                "start": i64::from(self.page.page) * i64::from(self.page.per_page),
                "limit": self.page.per_page,
                "length": items.len(),
                "total": total,
                key: items,
            })
        } else {
            Value::Array(items)
        }
    }
}

/// Auth0's `fields` / `include_fields`: keep (or drop) the named top-level fields.
pub fn select_fields(value: Value, fields: Option<&(Vec<String>, bool)>) -> Value {
    match (value, fields) {
        (Value::Object(map), Some((names, include))) => Value::Object(
            map.into_iter()
                .filter(|(k, _)| names.iter().any(|n| n == k) == *include)
                .collect(),
        ),
        (v, _) => v,
    }
}

/// Fields selection for single-object GETs.
pub fn single_fields(raw: Option<&str>) -> Result<Option<(Vec<String>, bool)>, ApiError> {
    let q = ListQuery::parse(raw, &[])?;
    Ok(q.fields)
}
