//! `/api/v2/clients`: applications.

use axum::Json;
use axum::body::Body;
use axum::extract::{Path, RawQuery, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use portcullis_core::clients::AppType;
use portcullis_core::clients::{Client, ClientPayload};
use portcullis_core::secrets::{self, Secret};
use serde_json::{Value, json};

use super::{Caller, ListQuery, select_fields, single_fields};
use crate::app::AppState;
use crate::http::body;
use crate::http::errors::ApiError;

fn not_found() -> ApiError {
    ApiError::not_found("The client does not exist", "inexistent_client")
}

fn to_json(client: &Client, secret: Option<&Secret>) -> Value {
    let mut v = serde_json::to_value(client).unwrap_or(Value::Null);
    // Auth0: an application that authenticates with private_key_jwt shows
    // `token_endpoint_auth_method: null`.
    if !client.private_key_jwt().is_empty() {
        v["token_endpoint_auth_method"] = Value::Null;
    }
    if let Some(s) = secret {
        v["client_secret"] = s.expose().into();
    }
    v
}

async fn read_payload(headers: &HeaderMap, body: Body) -> Result<ClientPayload, ApiError> {
    let bytes = read_body(body).await?;
    body::api_json_auth0(
        headers,
        &bytes,
        portcullis_core::auth0_fields::Resource::Client,
    )
}

pub(super) async fn read_body(b: Body) -> Result<axum::body::Bytes, ApiError> {
    body::read(b, body::API_BODY_LIMIT)
        .await
        .map_err(|e| match e {
            body::BodyError::TooLarge => ApiError::new(
                StatusCode::PAYLOAD_TOO_LARGE,
                format!(
                    "Payload validation error: the body is larger than {} bytes.",
                    body::API_BODY_LIMIT
                ),
                "payload_too_large",
            ),
            body::BodyError::Unreadable => {
                ApiError::bad_request("The request body could not be read.", "invalid_body")
            }
        })
}

/// Auth0's tenant flag: new applications are enabled on every connection.
const ENABLE_CLIENT_CONNECTIONS: &str = "enable_client_connections";

pub async fn create(
    State(app): State<AppState>,
    caller: Caller,
    headers: HeaderMap,
    body: Body,
) -> Result<Response, ApiError> {
    caller.require("create:clients")?;
    let bytes = read_body(body).await?;
    let mut raw: Value = body::api_json(&headers, &bytes)?;
    let (chosen_id, chosen_secret) = chosen_credentials(&mut raw)?;
    if chosen_id.is_some() || chosen_secret.is_some() {
        caller.require(MIGRATE_CLIENTS)?;
    }
    let payload: ClientPayload = body::api_json_auth0(
        &headers,
        raw.to_string().as_bytes(),
        portcullis_core::auth0_fields::Resource::Client,
    )?;
    let client_id = chosen_id.unwrap_or_else(|| portcullis_core::random::alphanumeric(32));
    let client = payload
        .into_new_client(client_id, app.store.id())
        .map_err(|e| ApiError::bad_request(e.message, "invalid_body"))?;
    credentials_exist(&app, &client).await?;
    // Every client gets a secret, as in Auth0, so that switching a public client to
    // a confidential method later needs no extra step.
    signing_keys_for(&app, client.jwt_configuration.alg).await?;
    let secret = chosen_secret.unwrap_or_else(secrets::generate_client_secret);
    let hash = secrets::hash_secret(secret.expose());
    // Auth0's tenant flag `enable_client_connections` (on unless turned off):
    // a new application may sign in with every existing connection.
    let settings = app.settings().await?;
    let enable = settings
        .flags
        .get(ENABLE_CLIENT_CONNECTIONS)
        .copied()
        .unwrap_or(true);
    match app
        .store
        .insert_client(&client, Some(&hash), enable, app.now())
        .await
    {
        Ok(()) => {}
        Err(portcullis_store::StoreError::Conflict) => {
            return Err(ApiError::new(
                StatusCode::CONFLICT,
                "A client with this client_id already exists.",
                "client_exists",
            ));
        }
        Err(e) => return Err(e.into()),
    }
    Ok((StatusCode::CREATED, Json(to_json(&client, Some(&secret)))).into_response())
}

/// The scope that lets a caller choose a new application's `client_id` and
/// `client_secret` (beyond Auth0: a tenant moved from Auth0 keeps its apps'
/// credentials). Not in Auth0's list; the bootstrap administrator has it.
const MIGRATE_CLIENTS: &str = "migrate:clients";

/// Takes `client_id` and `client_secret` out of a create body: each checked
/// (an id of 1 to 128 letters, digits, `-`, `_` or `.`; a secret of 16 to 256
/// printable characters).
fn chosen_credentials(raw: &mut Value) -> Result<(Option<String>, Option<Secret>), ApiError> {
    let Some(o) = raw.as_object_mut() else {
        return Ok((None, None));
    };
    let mut take = |name: &str| match o.remove(name) {
        None | Some(Value::Null) => Ok(None),
        Some(Value::String(s)) => Ok(Some(s)),
        Some(_) => Err(ApiError::bad_request(
            format!("Payload validation error: 'Expected type string' on property {name}."),
            "invalid_body",
        )),
    };
    let id = take("client_id")?;
    let secret = take("client_secret")?;
    if let Some(id) = &id
        && (id.is_empty()
            || id.len() > 128
            || !id
                .chars()
                .all(|c| c.is_ascii_alphanumeric() || matches!(c, '-' | '_' | '.')))
    {
        return Err(ApiError::bad_request(
            "Payload validation error: 'client_id must be 1 to 128 letters, digits, '-', '_' or '.'' on property client_id.",
            "invalid_body",
        ));
    }
    if let Some(s) = &secret
        && (s.chars().count() < 16 || s.len() > 256 || s.chars().any(|c| c.is_control()))
    {
        return Err(ApiError::bad_request(
            "Payload validation error: 'client_secret must be 16 to 256 printable characters' on property client_secret.",
            "invalid_body",
        ));
    }
    Ok((id, secret.map(Secret::new)))
}

pub async fn list(
    State(app): State<AppState>,
    caller: Caller,
    RawQuery(q): RawQuery,
) -> Result<Json<Value>, ApiError> {
    caller.require("read:clients")?;
    let q = ListQuery::parse(
        q.as_deref(),
        &[
            "is_global",
            "is_first_party",
            "app_type",
            "external_client_id",
            "q",
            "from",
            "take",
        ],
    )?;
    // Auth0's `q` searches clients by their grants' organizations:
    // `client_grant.organization_id:<id>` (a grant associated with it) and
    // `client_grant.allow_any_organization:true|false`, joined by `AND`. `external_client_id` names clients registered from a metadata
    // document (Auth0's CIMD), which do not exist here: none either.
    if let Some(query) = q.filter("q") {
        let by_organization = query.split(" AND ").all(|term| {
            term.trim().split_once(':').is_some_and(|(field, value)| {
                matches!(
                    field,
                    "client_grant.organization_id" | "client_grant.allow_any_organization"
                ) && !value.trim().is_empty()
            })
        });
        if !by_organization {
            return Err(ApiError::bad_request(
                "Query validation error: q searches client_grant.organization_id and client_grant.allow_any_organization only.",
                "invalid_query_string",
            ));
        }
    }
    // `external_client_id` names clients registered from a metadata
    // document (Auth0's CIMD), which do not exist here: none.
    let none = q.filter("external_client_id").is_some();
    let by_grants = match q.filter("q") {
        Some(query) => Some(clients_by_grants(&app, query).await?),
        None => None,
    };
    let is_global = q.bool_filter("is_global")?;
    let is_first_party = q.bool_filter("is_first_party")?;
    let app_types: Option<Vec<AppType>> = match q.filter("app_type") {
        None => None,
        Some(list) => Some(
            list.split(',')
                .map(|t| {
                    serde_json::from_value::<AppType>(Value::from(t.trim())).map_err(|_| {
                        ApiError::bad_request(
                            format!("Query validation error: '{t}' is not an app_type (spa, regular_web, native, non_interactive)."),
                            "invalid_query_string",
                        )
                    })
                })
                .collect::<Result<_, _>>()?,
        ),
    };
    let checkpoint = q.checkpoint()?;
    let filtered = none
        || by_grants.is_some()
        || is_global.is_some()
        || is_first_party.is_some()
        || app_types.is_some();
    if !filtered && checkpoint.is_none() {
        let (items, total) = app.store.list_clients(q.page).await?;
        let items = items.iter().map(|c| to_json(c, None)).collect();
        return Ok(Json(q.respond("clients", items, total)));
    }
    // Auth0's filters (its SDK and Deploy CLI send them), in memory;
    // `is_global=true` is Auth0's tenant-wide client ("All Applications").
    let all = if none {
        Vec::new()
    } else {
        app.store.list_clients(portcullis_store::Page::ALL).await?.0
    };
    if is_global == Some(true) {
        let items = if none || by_grants.is_some() {
            vec![]
        } else {
            vec![global_client(&app)]
        };
        return Ok(Json(q.respond_all("clients", items)));
    }
    let items: Vec<Value> = all
        .iter()
        .filter(|c| {
            by_grants
                .as_ref()
                .is_none_or(|ids| ids.contains(&c.client_id))
        })
        .filter(|c| is_first_party.is_none_or(|f| c.is_first_party == f))
        .filter(|c| app_types.as_ref().is_none_or(|t| t.contains(&c.app_type)))
        .map(|c| to_json(c, None))
        .collect();
    Ok(Json(match checkpoint {
        // Checkpoint pages by client id, `fields` applied after paging.
        Some(cp) => {
            let mut out = cp.respond("clients", items, |c| {
                c["client_id"].as_str().unwrap_or_default().to_string()
            });
            if let Some(Value::Array(page)) = out.get_mut("clients") {
                for c in page.iter_mut() {
                    *c = q.select(std::mem::take(c));
                }
            }
            out
        }
        None => q.respond_all("clients", items),
    }))
}

/// The clients with a grant that matches every term of Auth0's `q`
/// (already checked to name only the two grant fields).
async fn clients_by_grants(
    app: &AppState,
    query: &str,
) -> Result<std::collections::BTreeSet<String>, ApiError> {
    let (grants, _) = app
        .store
        .list_client_grants(None, None, portcullis_store::Page::ALL)
        .await?;
    let mut associated: std::collections::BTreeMap<String, Vec<String>> = Default::default();
    let mut ids = std::collections::BTreeSet::new();
    'grants: for g in &grants {
        for term in query.split(" AND ") {
            let Some((field, value)) = term.trim().split_once(':') else {
                continue 'grants;
            };
            let value = value.trim().trim_matches('"');
            let holds = match field {
                "client_grant.allow_any_organization" => {
                    value
                        == if g.allow_any_organization {
                            "true"
                        } else {
                            "false"
                        }
                }
                _ => {
                    if !associated.contains_key(value) {
                        let of_org = app
                            .store
                            .organization_client_grants(value)
                            .await?
                            .into_iter()
                            .map(|g| g.id)
                            .collect();
                        associated.insert(value.to_string(), of_org);
                    }
                    associated.get(value).is_some_and(|a| a.contains(&g.id))
                }
            };
            if !holds {
                continue 'grants;
            }
        }
        ids.insert(g.client_id.clone());
    }
    Ok(ids)
}

/// The id of Auth0's global client ("All Applications") of this tenant.
pub const GLOBAL_CLIENT_ID: &str = "AllApplicationsGlobalClient00000";

/// Auth0's global client: the tenant-wide record that holds the custom login
/// page. Portcullis has no custom login page (its hosted page is branded
/// instead), so the record is fixed; it is never an application that signs
/// anyone in, and plain lists leave it out (`is_global=false`, as Auth0's
/// tools ask).
fn global_client(app: &AppState) -> Value {
    json!({
        "client_id": GLOBAL_CLIENT_ID,
        "name": "All Applications",
        "tenant": app.store.id(),
        "global": true,
        "is_first_party": true,
        "callbacks": [],
        "custom_login_page_on": false,
    })
}

/// A PATCH of the global client: only what leaves the custom login page off.
fn patch_global(app: &AppState, patch: &Value) -> Result<Value, ApiError> {
    let Some(members) = patch.as_object() else {
        return Err(ApiError::bad_request(
            "Payload validation error: expected an object.",
            "invalid_body",
        ));
    };
    for (k, v) in members {
        let harmless = match k.as_str() {
            "custom_login_page_on" => v == &Value::Bool(false),
            "custom_login_page" | "custom_login_page_preview" => {
                v.is_null() || v.as_str().is_some_and(str::is_empty)
            }
            _ => false,
        };
        if !harmless {
            return Err(ApiError::bad_request(
                format!(
                    "Payload validation error: '{k}' of the global client cannot be set: Portcullis has no custom login page (its hosted page is branded instead)."
                ),
                "invalid_body",
            ));
        }
    }
    Ok(global_client(app))
}

pub async fn get(
    State(app): State<AppState>,
    caller: Caller,
    Path(id): Path<String>,
    RawQuery(q): RawQuery,
) -> Result<Json<Value>, ApiError> {
    caller.require("read:clients")?;
    let fields = single_fields(q.as_deref())?;
    if id == GLOBAL_CLIENT_ID {
        return Ok(Json(select_fields(global_client(&app), fields.as_ref())));
    }
    let (client, _) = app.store.get_client(&id).await?.ok_or_else(not_found)?;
    Ok(Json(select_fields(to_json(&client, None), fields.as_ref())))
}

pub async fn update(
    State(app): State<AppState>,
    caller: Caller,
    Path(id): Path<String>,
    headers: HeaderMap,
    body: Body,
) -> Result<Json<Value>, ApiError> {
    caller.require("update:clients")?;
    if id == GLOBAL_CLIENT_ID {
        let bytes = read_body(body).await?;
        let patch: Value = body::api_json(&headers, &bytes)?;
        return patch_global(&app, &patch).map(Json);
    }
    let payload = read_payload(&headers, body).await?;
    let (client, _) = app.store.get_client(&id).await?.ok_or_else(not_found)?;
    let client = payload
        .apply_to(client)
        .map_err(|e| ApiError::bad_request(e.message, "invalid_body"))?;
    credentials_exist(&app, &client).await?;
    signing_keys_for(&app, client.jwt_configuration.alg).await?;
    super::last_admin::ensure_one_remains(
        &app,
        super::last_admin::Change::ClientGrantTypes(&id, &client.grant_types),
    )
    .await?;
    if !app.store.update_client(&client, app.now()).await? {
        return Err(not_found());
    }
    Ok(Json(to_json(&client, None)))
}

pub async fn delete(
    State(app): State<AppState>,
    caller: Caller,
    Path(id): Path<String>,
) -> Result<StatusCode, ApiError> {
    caller.require("delete:clients")?;
    super::last_admin::ensure_one_remains(&app, super::last_admin::Change::DeleteClient(&id))
        .await?;
    if !app.store.delete_client(&id).await? {
        return Err(not_found());
    }
    Ok(StatusCode::NO_CONTENT)
}

pub async fn rotate_secret(
    State(app): State<AppState>,
    caller: Caller,
    Path(id): Path<String>,
) -> Result<Json<Value>, ApiError> {
    caller.require("update:clients")?;
    let (client, _) = app.store.get_client(&id).await?.ok_or_else(not_found)?;
    let secret = secrets::generate_client_secret();
    let hash = secrets::hash_secret(secret.expose());
    if !app
        .store
        .set_client_secret_hash(&id, Some(&hash), app.now())
        .await?
    {
        return Err(not_found());
    }
    Ok(Json(to_json(&client, Some(&secret))))
}

/// Keys for an algorithm are made when an application or API first asks for it.
pub(crate) async fn signing_keys_for(
    app: &AppState,
    alg: portcullis_core::keys::Alg,
) -> Result<(), ApiError> {
    app.ensure_signing_alg(alg).await.map_err(|e| {
        tracing::error!(error = %e, alg = alg.as_str(), "could not create signing keys");
        ApiError::internal()
    })
}

/// Every credential `client_authentication_methods.private_key_jwt` names
/// is one of the application's (`/clients/{id}/credentials`).
async fn credentials_exist(app: &AppState, client: &Client) -> Result<(), ApiError> {
    let named = client.private_key_jwt();
    if named.is_empty() {
        return Ok(());
    }
    let have = app.store.client_credentials(&client.client_id).await?;
    if let Some(missing) = named.iter().find(|id| !have.iter().any(|c| c.id == **id)) {
        return Err(ApiError::bad_request(
            format!(
                "Payload validation error: 'credential {missing} is not one of this application's (register it with POST /clients/{{id}}/credentials first)' on property client_authentication_methods."
            ),
            "invalid_body",
        ));
    }
    Ok(())
}

/// `/clients/{id}/credentials`: the application's public keys for
/// `private_key_jwt` (Auth0's client credentials of type `public_key`; the
/// key itself is never answered).
pub mod credentials {
    use axum::Json;
    use axum::body::Body;
    use axum::extract::{Path, State};
    use axum::http::{HeaderMap, StatusCode};
    use axum::response::{IntoResponse, Response};
    use portcullis_core::protocol::client_assertion::{CredentialPatch, CredentialPayload};
    use serde_json::Value;

    use super::{Caller, not_found, read_body};
    use crate::app::AppState;
    use crate::http::body;
    use crate::http::errors::ApiError;

    fn no_credential() -> ApiError {
        ApiError::not_found("The credential does not exist", "inexistent_credential")
    }

    pub async fn list(
        State(app): State<AppState>,
        caller: Caller,
        Path(id): Path<String>,
    ) -> Result<Json<Value>, ApiError> {
        caller.require("read:client_credentials")?;
        app.store.get_client(&id).await?.ok_or_else(not_found)?;
        let creds = app.store.client_credentials(&id).await?;
        Ok(Json(Value::Array(
            creds.iter().map(|c| c.to_json()).collect(),
        )))
    }

    pub async fn create(
        State(app): State<AppState>,
        caller: Caller,
        Path(id): Path<String>,
        headers: HeaderMap,
        b: Body,
    ) -> Result<Response, ApiError> {
        caller.require("create:client_credentials")?;
        let bytes = read_body(b).await?;
        let payload: CredentialPayload = body::api_json(&headers, &bytes)?;
        let cred_id = format!("cred_{}", portcullis_core::random::alphanumeric(22));
        let cred = payload
            .into_credential(cred_id, app.now())
            .map_err(|e| ApiError::bad_request(e.message, "invalid_body"))?;
        // Auth0 keeps at most two per application (one to rotate to).
        if app.store.client_credentials(&id).await?.len() >= 2 {
            return Err(ApiError::conflict(
                "An application has at most two credentials: delete one first.",
                "too_many_credentials",
            ));
        }
        if !app.store.insert_client_credential(&id, &cred).await? {
            return Err(not_found());
        }
        Ok((StatusCode::CREATED, Json(cred.to_json())).into_response())
    }

    pub async fn get(
        State(app): State<AppState>,
        caller: Caller,
        Path((id, cred_id)): Path<(String, String)>,
    ) -> Result<Json<Value>, ApiError> {
        caller.require("read:client_credentials")?;
        let creds = app.store.client_credentials(&id).await?;
        let c = creds
            .iter()
            .find(|c| c.id == cred_id)
            .ok_or_else(no_credential)?;
        Ok(Json(c.to_json()))
    }

    pub async fn update(
        State(app): State<AppState>,
        caller: Caller,
        Path((id, cred_id)): Path<(String, String)>,
        headers: HeaderMap,
        b: Body,
    ) -> Result<Json<Value>, ApiError> {
        caller.require("update:client_credentials")?;
        let bytes = read_body(b).await?;
        let patch: CredentialPatch = body::api_json(&headers, &bytes)?;
        let creds = app.store.client_credentials(&id).await?;
        let c = creds
            .into_iter()
            .find(|c| c.id == cred_id)
            .ok_or_else(no_credential)?;
        let c = patch
            .apply_to(c, app.now())
            .map_err(|e| ApiError::bad_request(e.message, "invalid_body"))?;
        if !app.store.update_client_credential(&id, &c).await? {
            return Err(no_credential());
        }
        Ok(Json(c.to_json()))
    }

    pub async fn delete(
        State(app): State<AppState>,
        caller: Caller,
        Path((id, cred_id)): Path<(String, String)>,
    ) -> Result<StatusCode, ApiError> {
        caller.require("delete:client_credentials")?;
        // A credential the application authenticates with stays until the
        // application names another (or none): deleting it would leave a
        // reference to nothing.
        if let Some((client, _)) = app.store.get_client(&id).await?
            && client.private_key_jwt().contains(&cred_id.as_str())
        {
            return Err(ApiError::conflict(
                "The credential is in use in client_authentication_methods: update the application first.",
                "credential_in_use",
            ));
        }
        if !app.store.delete_client_credential(&id, &cred_id).await? {
            return Err(no_credential());
        }
        Ok(StatusCode::NO_CONTENT)
    }
}
