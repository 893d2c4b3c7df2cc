//! `portcullis import auth0`: a tenant moved from Auth0 in one command, from
//! what Auth0's own tools give: a Deploy CLI export directory (the
//! configuration), a user export (Auth0's export job, NDJSON or a JSON array)
//! and, optionally, Auth0 support's password-hash export.
//!
//! Everything is read first and a plan printed: what will be created,
//! updated or left unchanged, and what cannot be carried over and why (a
//! folder of a feature Portcullis does not have, a field it has no setting
//! for). `--dry-run` stops there; otherwise the plan is applied over the
//! Management API (applications keep a `client_id` the files name, with the
//! `migrate:clients` scope) and the users are imported by an import job, with
//! a progress line. What the Management API accepts is read from its own
//! payload schemas, so the plan never promises a field the server would
//! refuse.

use std::collections::BTreeMap;
use std::io::{IsTerminal as _, Write as _};
use std::path::{Path, PathBuf};

use portcullis_core::auth0_fields::{self, Resource};
use reqwest::Method;
use serde_json::{Map, Value, json};

use super::remote::{CliError, Remote};

/// The options of `portcullis import auth0`.
#[derive(Debug, clap::Args)]
pub struct Auth0Args {
    /// A directory written by `a0deploy export --format directory`.
    #[arg(long, value_name = "DIR")]
    pub from: Option<PathBuf>,
    /// Users: Auth0's export (NDJSON, one user per line) or a JSON array in
    /// the bulk-import schema.
    #[arg(long, value_name = "FILE")]
    pub users: Option<PathBuf>,
    /// Auth0 support's password-hash export (NDJSON with `_id.$oid`,
    /// `email` and `passwordHash`), joined to the users by id or e-mail.
    #[arg(long, value_name = "FILE")]
    pub password_hashes: Option<PathBuf>,
    /// The database connection the users go into.
    #[arg(long, default_value = "Username-Password-Authentication")]
    pub connection: String,
    /// A JSON object of client id → client secret, so that applications keep
    /// their secrets (the Deploy CLI never exports them).
    #[arg(long, value_name = "FILE")]
    pub client_secrets: Option<PathBuf>,
    /// Print the plan and change nothing.
    #[arg(long)]
    pub dry_run: bool,
}

/// What the plan does with one item.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Verb {
    Create,
    Update,
    Unchanged,
}

/// One step: a write (or none) of one item.
#[derive(Debug, Clone)]
struct Step {
    kind: &'static str,
    name: String,
    verb: Verb,
    method: Method,
    path: String,
    body: Value,
    /// Writes that follow this one (a role's permissions, an action's deploy).
    then: Vec<(Method, String, Value)>,
}

/// The whole plan: steps in the order they apply, and what is left behind.
#[derive(Debug, Default)]
struct Plan {
    steps: Vec<Step>,
    /// Connections and the applications (by name) enabled on each, applied
    /// after the applications exist.
    enabled: Vec<(String, Vec<String>, Verb)>,
    /// Organizations (the file, and whether one of that name exists),
    /// applied last: their connections and client grants name things the
    /// steps make.
    organizations: Vec<(Value, Option<String>, Verb)>,
    not_carried: Vec<String>,
}

/// The properties a Management API payload type accepts.
fn accepted<T: schemars::JsonSchema>() -> Vec<String> {
    auth0_fields::properties::<T>()
}

/// The members of `file` the server accepts; the others are reported.
fn keep(
    file: &Value,
    allowed: &[String],
    also_drop: &[&str],
    what: &str,
    not_carried: &mut Vec<String>,
    resource: Option<Resource>,
) -> Map<String, Value> {
    let mut out = Map::new();
    for (k, v) in file.as_object().into_iter().flatten() {
        if also_drop.contains(&k.as_str()) {
            continue;
        }
        if allowed.iter().any(|a| a == k) {
            out.insert(k.clone(), v.clone());
            continue;
        }
        // Auth0's fields Portcullis has no setting for: at a value it behaves
        // as, nothing is lost (the server would take them out too).
        match resource.and_then(|r| auth0_fields::honoured(r, k, v)) {
            Some(true) => {}
            Some(false) => not_carried.push(format!(
                "{what}: '{k}' = {v} (Portcullis does not support this value)"
            )),
            None => not_carried.push(format!("{what}: '{k}' (Portcullis has no such setting)")),
        }
    }
    out
}

/// Whether every member of `want` is already so in `have`.
fn unchanged(want: &Map<String, Value>, have: &Value) -> bool {
    want.iter()
        .all(|(k, v)| have.get(k).is_some_and(|h| same(v, h)))
}

/// JSON equality with numbers compared by value (`12` is `12.0`).
fn same(a: &Value, b: &Value) -> bool {
    match (a, b) {
        (Value::Number(x), Value::Number(y)) => x.as_f64() == y.as_f64(),
        (Value::Array(x), Value::Array(y)) => {
            x.len() == y.len() && x.iter().zip(y).all(|(p, q)| same(p, q))
        }
        (Value::Object(x), Value::Object(y)) => {
            x.len() == y.len() && x.iter().all(|(k, v)| y.get(k).is_some_and(|w| same(v, w)))
        }
        _ => a == b,
    }
}

fn read_json(path: &Path) -> Result<Value, CliError> {
    let text = std::fs::read_to_string(path)
        .map_err(|e| CliError::Other(format!("cannot read {}: {e}", path.display())))?;
    serde_json::from_str(&text)
        .map_err(|e| CliError::Other(format!("{} is not JSON: {e}", path.display())))
}

/// The `.json` files of a folder, sorted by name (none if it is absent).
fn json_files(dir: &Path) -> Vec<PathBuf> {
    let mut files: Vec<PathBuf> = std::fs::read_dir(dir)
        .into_iter()
        .flatten()
        .flatten()
        .map(|e| e.path())
        .filter(|p| p.extension().is_some_and(|x| x == "json"))
        .collect();
    files.sort();
    files
}

/// A file a Deploy CLI JSON points to (`"./x.js"`), relative to `base`.
fn pointed(base: &Path, value: &Value) -> Result<Option<String>, CliError> {
    match value.as_str() {
        Some(p) if p.starts_with("./") => {
            let path = base.join(p.trim_start_matches("./"));
            std::fs::read_to_string(&path)
                .map(Some)
                .map_err(|e| CliError::Other(format!("cannot read {}: {e}", path.display())))
        }
        Some(inline) => Ok(Some(inline.to_string())),
        None => Ok(None),
    }
}

/// Folders of features Portcullis does not have: never imported, always said.
const NOT_CARRIED: &[(&str, &str)] = &[
    (
        "hooks",
        "Hooks are deprecated at Auth0 and absent here: move them to Actions",
    ),
    (
        "log-streams",
        "an export lacks the sinks' secrets: create each stream with POST /api/v2/log-streams (docs/log-streams.md)",
    ),
    (
        "custom-domains",
        "custom domains are the reverse proxy's job here",
    ),
    ("themes", "themes are not built yet (issue 23)"),
    (
        "pages",
        "custom hosted pages are not carried: Portcullis's pages are branded instead",
    ),
    (
        "connections",
        "non-database connections carry provider secrets the export lacks: create them with their secrets",
    ),
    ("forms", "Forms are not built"),
    ("flows", "Flows are not built"),
];

/// Reads the Deploy CLI directory and what the server holds; decides.
async fn plan_config(
    r: &mut Remote,
    dir: &Path,
    secrets: &Map<String, Value>,
) -> Result<Plan, CliError> {
    use portcullis_core::clients::ClientPayload;
    use portcullis_core::connections::{ConnectionCreate, ConnectionPatch};
    use portcullis_core::resource_servers::ResourceServerPayload;
    let mut plan = Plan::default();
    for (folder, why) in NOT_CARRIED {
        let path = dir.join(folder);
        let used = std::fs::read_dir(&path).is_ok_and(|mut d| d.next().is_some());
        if used {
            plan.not_carried.push(format!("{folder}/: {why}"));
        }
    }
    if let Ok(p) = read_json(&dir.join("guardian/policies.json"))
        && p.get("policies")
            .and_then(Value::as_array)
            .is_some_and(|a| !a.is_empty())
    {
        plan.not_carried
            .push("guardian/policies.json: not applied by this command; turn the factors on and set the policy with PUT /api/v2/guardian/policies (docs/mfa.md)".into());
    }

    // Applications, by name (a `client_id` in the file is kept).
    let existing = r
        .call(Method::GET, "/clients?is_global=false", None)
        .await?;
    let client_fields = accepted::<ClientPayload>();
    let mut client_ids: BTreeMap<String, String> = BTreeMap::new();
    for c in existing.as_array().into_iter().flatten() {
        if let (Some(n), Some(id)) = (c["name"].as_str(), c["client_id"].as_str()) {
            client_ids.insert(n.to_string(), id.to_string());
        }
    }
    for file in json_files(&dir.join("clients")) {
        let c = read_json(&file)?;
        let name = c["name"].as_str().unwrap_or_default().to_string();
        let what = format!("application {name}");
        let body = keep(
            &c,
            &client_fields,
            &["client_id", "client_secret"],
            &what,
            &mut plan.not_carried,
            Some(Resource::Client),
        );
        let found = existing
            .as_array()
            .into_iter()
            .flatten()
            .find(|e| e["name"] == name.as_str());
        match found {
            Some(e) => {
                let id = e["client_id"].as_str().unwrap_or_default().to_string();
                let verb = if unchanged(&body, e) {
                    Verb::Unchanged
                } else {
                    Verb::Update
                };
                plan.steps.push(Step {
                    kind: "application",
                    name,
                    verb,
                    method: Method::PATCH,
                    path: format!("/clients/{id}"),
                    body: Value::Object(body),
                    then: vec![],
                });
            }
            None => {
                let mut body = body;
                if let Some(id) = c["client_id"].as_str() {
                    body.insert("client_id".into(), id.into());
                    if let Some(s) = secrets.get(id) {
                        body.insert("client_secret".into(), s.clone());
                    }
                    client_ids.insert(name.clone(), id.to_string());
                }
                plan.steps.push(Step {
                    kind: "application",
                    name,
                    verb: Verb::Create,
                    method: Method::POST,
                    path: "/clients".into(),
                    body: Value::Object(body),
                    then: vec![],
                });
            }
        }
    }

    // APIs, by identifier (the system API is never carried).
    let apis = r.call(Method::GET, "/resource-servers", None).await?;
    let api_fields = accepted::<ResourceServerPayload>();
    for file in json_files(&dir.join("resource-servers")) {
        let a = read_json(&file)?;
        if a["name"] == "Auth0 Management API" || a["is_system"] == true {
            continue;
        }
        let identifier = a["identifier"].as_str().unwrap_or_default().to_string();
        let what = format!("API {identifier}");
        let found = apis
            .as_array()
            .into_iter()
            .flatten()
            .find(|e| e["identifier"] == identifier.as_str());
        match found {
            Some(e) => {
                let body = keep(
                    &a,
                    &api_fields,
                    &["identifier", "is_system", "id"],
                    &what,
                    &mut plan.not_carried,
                    Some(Resource::ResourceServer),
                );
                let verb = if unchanged(&body, e) {
                    Verb::Unchanged
                } else {
                    Verb::Update
                };
                plan.steps.push(Step {
                    kind: "API",
                    name: identifier,
                    verb,
                    method: Method::PATCH,
                    path: format!("/resource-servers/{}", e["id"].as_str().unwrap_or_default()),
                    body: Value::Object(body),
                    then: vec![],
                });
            }
            None => {
                let body = keep(
                    &a,
                    &api_fields,
                    &["is_system", "id"],
                    &what,
                    &mut plan.not_carried,
                    Some(Resource::ResourceServer),
                );
                plan.steps.push(Step {
                    kind: "API",
                    name: identifier,
                    verb: Verb::Create,
                    method: Method::POST,
                    path: "/resource-servers".into(),
                    body: Value::Object(body),
                    then: vec![],
                });
            }
        }
    }

    // Database connections, by name.
    let connections = r
        .call(Method::GET, "/connections?strategy=auth0", None)
        .await?;
    let create_fields = accepted::<ConnectionCreate>();
    let patch_fields = accepted::<ConnectionPatch>();
    let mut dbs: Vec<PathBuf> = std::fs::read_dir(dir.join("database-connections"))
        .into_iter()
        .flatten()
        .flatten()
        .map(|e| e.path().join("database.json"))
        .filter(|p| p.exists())
        .collect();
    dbs.sort();
    for file in dbs {
        let c = read_json(&file)?;
        let name = c["name"].as_str().unwrap_or_default().to_string();
        let what = format!("connection {name}");
        let mut drop = vec!["enabled_clients", "realms", "id", "strategy", "name"];
        let found = connections
            .as_array()
            .into_iter()
            .flatten()
            .find(|e| e["name"] == name.as_str());
        if let Some(names) = c["enabled_clients"].as_array() {
            let mut want: Vec<String> = names
                .iter()
                .filter_map(Value::as_str)
                .map(str::to_string)
                .collect();
            want.sort();
            let mut now = Vec::new();
            if let Some(e) = found {
                let path = format!(
                    "/connections/{}/clients",
                    e["id"].as_str().unwrap_or_default()
                );
                let held = r.call(Method::GET, &path, None).await?;
                for h in held["clients"].as_array().into_iter().flatten() {
                    if let Some((n, _)) = client_ids
                        .iter()
                        .find(|(_, id)| h["client_id"] == id.as_str())
                    {
                        now.push(n.clone());
                    }
                }
            }
            now.sort();
            let verb = if found.is_none() {
                Verb::Create
            } else if now == want {
                Verb::Unchanged
            } else {
                Verb::Update
            };
            plan.enabled.push((name.clone(), want, verb));
        }
        match found {
            Some(e) => {
                let body = keep(
                    &c,
                    &patch_fields,
                    &drop,
                    &what,
                    &mut plan.not_carried,
                    Some(Resource::Connection),
                );
                let verb = if unchanged(&body, e) {
                    Verb::Unchanged
                } else {
                    Verb::Update
                };
                plan.steps.push(Step {
                    kind: "connection",
                    name,
                    verb,
                    method: Method::PATCH,
                    path: format!("/connections/{}", e["id"].as_str().unwrap_or_default()),
                    body: Value::Object(body),
                    then: vec![],
                });
            }
            None => {
                drop.retain(|k| *k != "strategy" && *k != "name");
                let body = keep(
                    &c,
                    &create_fields,
                    &drop,
                    &what,
                    &mut plan.not_carried,
                    Some(Resource::Connection),
                );
                plan.steps.push(Step {
                    kind: "connection",
                    name,
                    verb: Verb::Create,
                    method: Method::POST,
                    path: "/connections".into(),
                    body: Value::Object(body),
                    then: vec![],
                });
            }
        }
    }

    // Client grants: the file names the application by its name.
    let grants = r.call(Method::GET, "/client-grants", None).await?;
    for file in json_files(&dir.join("grants")) {
        let g = read_json(&file)?;
        let client_name = g["client_id"].as_str().unwrap_or_default().to_string();
        let audience = g["audience"].as_str().unwrap_or_default().to_string();
        let name = format!("{client_name} → {audience}");
        let client_id = client_ids
            .get(&client_name)
            .cloned()
            .unwrap_or(client_name.clone());
        let found =
            grants.as_array().into_iter().flatten().find(|e| {
                e["client_id"] == client_id.as_str() && e["audience"] == audience.as_str()
            });
        match found {
            Some(e) => {
                let verb = if e["scope"] == g["scope"] {
                    Verb::Unchanged
                } else {
                    Verb::Update
                };
                plan.steps.push(Step {
                    kind: "client grant",
                    name,
                    verb,
                    method: Method::PATCH,
                    path: format!("/client-grants/{}", e["id"].as_str().unwrap_or_default()),
                    body: json!({"scope": g["scope"]}),
                    then: vec![],
                });
            }
            None => plan.steps.push(Step {
                kind: "client grant",
                name,
                verb: Verb::Create,
                method: Method::POST,
                path: "/client-grants".into(),
                body: {
                    let mut b =
                        json!({"client_id": client_id, "audience": audience, "scope": g["scope"]});
                    for k in ["organization_usage", "allow_any_organization"] {
                        if !g[k].is_null() {
                            b[k] = g[k].clone();
                        }
                    }
                    b
                },
                then: vec![],
            }),
        }
    }

    // Organizations, by name.
    for file in json_files(&dir.join("organizations")) {
        let org = read_json(&file)?;
        let name = org["name"].as_str().unwrap_or_default().to_string();
        let existing = match r
            .call(Method::GET, &format!("/organizations/name/{name}"), None)
            .await
        {
            Ok(e) => Some(e),
            Err(CliError::Api { status: 404, .. }) => None,
            Err(e) => return Err(e),
        };
        let verb = match &existing {
            None => Verb::Create,
            Some(e) => {
                if org_unchanged(r, &org, e, &client_ids).await? {
                    Verb::Unchanged
                } else {
                    Verb::Update
                }
            }
        };
        let id = existing.and_then(|e| e["id"].as_str().map(str::to_string));
        plan.organizations.push((org, id, verb));
    }

    // Roles and their permissions, by name.
    let roles = r.call(Method::GET, "/roles", None).await?;
    for file in json_files(&dir.join("roles")) {
        let role = read_json(&file)?;
        let name = role["name"].as_str().unwrap_or_default().to_string();
        let body = json!({"name": name, "description": role["description"]});
        let permissions = json!({"permissions": role["permissions"].clone()});
        let has_permissions = role["permissions"]
            .as_array()
            .is_some_and(|p| !p.is_empty());
        match roles
            .as_array()
            .into_iter()
            .flatten()
            .find(|e| e["name"] == name.as_str())
        {
            Some(e) => {
                let id = e["id"].as_str().unwrap_or_default().to_string();
                let now = r
                    .call(Method::GET, &format!("/roles/{id}/permissions"), None)
                    .await?;
                let held = |p: &Value| {
                    now.as_array().into_iter().flatten().any(|h| {
                        h["permission_name"] == p["permission_name"]
                            && h["resource_server_identifier"] == p["resource_server_identifier"]
                    })
                };
                let all_held = role["permissions"]
                    .as_array()
                    .into_iter()
                    .flatten()
                    .all(held);
                let verb = if e["description"] == role["description"] && all_held {
                    Verb::Unchanged
                } else {
                    Verb::Update
                };
                let then = if has_permissions && !all_held {
                    vec![(
                        Method::POST,
                        format!("/roles/{id}/permissions"),
                        permissions,
                    )]
                } else {
                    vec![]
                };
                plan.steps.push(Step {
                    kind: "role",
                    name,
                    verb,
                    method: Method::PATCH,
                    path: format!("/roles/{id}"),
                    body: json!({"description": role["description"]}),
                    then,
                });
            }
            None => {
                let then = if has_permissions {
                    vec![(Method::POST, "/roles/{id}/permissions".into(), permissions)]
                } else {
                    vec![]
                };
                plan.steps.push(Step {
                    kind: "role",
                    name,
                    verb: Verb::Create,
                    method: Method::POST,
                    path: "/roles".into(),
                    body,
                    then,
                });
            }
        }
    }

    // Rules, by name (the script from its file).
    let rules = r.call(Method::GET, "/rules", None).await?;
    for file in json_files(&dir.join("rules")) {
        let rule = read_json(&file)?;
        let name = rule["name"].as_str().unwrap_or_default().to_string();
        let script = pointed(&dir.join("rules"), &rule["script"])?.unwrap_or_default();
        let body = json!({"name": name, "script": script, "enabled": rule["enabled"], "order": rule["order"]});
        match rules
            .as_array()
            .into_iter()
            .flatten()
            .find(|e| e["name"] == name.as_str())
        {
            Some(e) => {
                let want =
                    json!({"script": script, "enabled": rule["enabled"], "order": rule["order"]});
                let verb = if unchanged(want.as_object().unwrap_or(&Map::new()), e) {
                    Verb::Unchanged
                } else {
                    Verb::Update
                };
                plan.steps.push(Step {
                    kind: "rule",
                    name,
                    verb,
                    method: Method::PATCH,
                    path: format!("/rules/{}", e["id"].as_str().unwrap_or_default()),
                    body: want,
                    then: vec![],
                });
            }
            None => plan.steps.push(Step {
                kind: "rule",
                name,
                verb: Verb::Create,
                method: Method::POST,
                path: "/rules".into(),
                body,
                then: vec![],
            }),
        }
    }

    // Actions, by name, deployed when the file says so.
    let actions = r.call(Method::GET, "/actions/actions", None).await?;
    for file in json_files(&dir.join("actions")) {
        let a = read_json(&file)?;
        let name = a["name"].as_str().unwrap_or_default().to_string();
        let code = pointed(dir, &a["code"])?.unwrap_or_default();
        let mut body = json!({"name": name, "code": code, "supported_triggers": a["supported_triggers"], "dependencies": a.get("dependencies").cloned().unwrap_or(json!([]))});
        if let Some(rt) = a.get("runtime") {
            body["runtime"] = rt.clone();
        }
        let deploy = a["deployed"] == true;
        match actions["actions"]
            .as_array()
            .into_iter()
            .flatten()
            .find(|e| e["name"] == name.as_str())
        {
            Some(e) => {
                let id = e["id"].as_str().unwrap_or_default().to_string();
                let verb = if e["code"] == code.as_str()
                    && (!deploy || e["all_changes_deployed"] == true)
                {
                    Verb::Unchanged
                } else {
                    Verb::Update
                };
                let then = if deploy {
                    vec![(
                        Method::POST,
                        format!("/actions/actions/{id}/deploy"),
                        Value::Null,
                    )]
                } else {
                    vec![]
                };
                plan.steps.push(Step {
                    kind: "action",
                    name,
                    verb,
                    method: Method::PATCH,
                    path: format!("/actions/actions/{id}"),
                    body: json!({"code": code}),
                    then,
                });
            }
            None => {
                let then = if deploy {
                    vec![(
                        Method::POST,
                        "/actions/actions/{id}/deploy".into(),
                        Value::Null,
                    )]
                } else {
                    vec![]
                };
                plan.steps.push(Step {
                    kind: "action",
                    name,
                    verb: Verb::Create,
                    method: Method::POST,
                    path: "/actions/actions".into(),
                    body,
                    then,
                });
            }
        }
    }
    if let Ok(triggers) = read_json(&dir.join("triggers/triggers.json")) {
        for (trigger, bound) in triggers.as_object().into_iter().flatten() {
            let bindings: Vec<Value> = bound.as_array().into_iter().flatten()
                .map(|b| json!({"ref": {"type": "action_name", "value": b["action_name"]}, "display_name": b["display_name"]}))
                .collect();
            let now = r
                .call(
                    Method::GET,
                    &format!("/actions/triggers/{trigger}/bindings"),
                    None,
                )
                .await?;
            let names: Vec<&Value> = now["bindings"]
                .as_array()
                .into_iter()
                .flatten()
                .map(|b| &b["action"]["name"])
                .collect();
            let want: Vec<&Value> = bound
                .as_array()
                .into_iter()
                .flatten()
                .map(|b| &b["action_name"])
                .collect();
            let verb = if names == want {
                Verb::Unchanged
            } else {
                Verb::Update
            };
            plan.steps.push(Step {
                kind: "trigger",
                name: trigger.clone(),
                verb,
                method: Method::PATCH,
                path: format!("/actions/triggers/{trigger}/bindings"),
                body: json!({"bindings": bindings}),
                then: vec![],
            });
        }
    }

    // Tenant settings and e-mail templates.
    if let Ok(t) = read_json(&dir.join("tenant.json")) {
        let fields = accepted::<portcullis_core::tenant_settings::TenantSettingsPatch>();
        let body = keep(
            &t,
            &fields,
            &[],
            "tenant settings",
            &mut plan.not_carried,
            Some(Resource::TenantSettings),
        );
        let now = r.call(Method::GET, "/tenants/settings", None).await?;
        let verb = if unchanged(&body, &now) {
            Verb::Unchanged
        } else {
            Verb::Update
        };
        plan.steps.push(Step {
            kind: "settings",
            name: "tenant".into(),
            verb,
            method: Method::PATCH,
            path: "/tenants/settings".into(),
            body: Value::Object(body),
            then: vec![],
        });
    }
    let template_fields = accepted::<portcullis_core::email_templates::EmailTemplatePayload>();
    for file in json_files(&dir.join("emails")) {
        if file.file_name().is_some_and(|n| n == "provider.json") {
            continue;
        }
        let e = read_json(&file)?;
        let name = e["template"].as_str().unwrap_or_default().to_string();
        let mut e2 = e.clone();
        e2["body"] = pointed(&dir.join("emails"), &e["body"])?
            .map(Value::from)
            .unwrap_or(Value::Null);
        let body = keep(
            &e2,
            &template_fields,
            &[],
            &format!("e-mail template {name}"),
            &mut plan.not_carried,
            None,
        );
        let (status, now) = match r
            .call(Method::GET, &format!("/email-templates/{name}"), None)
            .await
        {
            Ok(v) => (true, v),
            Err(CliError::Api { status: 404, .. }) => (false, Value::Null),
            Err(CliError::Api { status: 400, .. }) => {
                plan.not_carried.push(format!(
                    "e-mail template {name}: Portcullis does not send this e-mail"
                ));
                continue;
            }
            Err(e) => return Err(e),
        };
        let verb = if status && unchanged(&body, &now) {
            Verb::Unchanged
        } else if status {
            Verb::Update
        } else {
            Verb::Create
        };
        plan.steps.push(Step {
            kind: "e-mail template",
            name: name.clone(),
            verb,
            method: Method::PUT,
            path: format!("/email-templates/{name}"),
            body: Value::Object(body),
            then: vec![],
        });
    }
    Ok(plan)
}

/// Auth0's export user (or a bulk-import user) as a bulk-import user, with
/// the hash Auth0 support exported for it, if any.
fn to_import_user(u: &Value, hashes: &BTreeMap<String, String>) -> Value {
    const KEPT: &[&str] = &[
        "email",
        "email_verified",
        "username",
        "given_name",
        "family_name",
        "name",
        "nickname",
        "picture",
        "blocked",
        "app_metadata",
        "user_metadata",
        "password_hash",
        "custom_password_hash",
    ];
    let mut out = Map::new();
    for k in KEPT {
        if let Some(v) = u.get(*k).filter(|v| !v.is_null()) {
            out.insert((*k).to_string(), v.clone());
        }
    }
    let id = u
        .get("user_id")
        .or_else(|| u.get("Id"))
        .and_then(Value::as_str)
        .unwrap_or_default();
    if !id.is_empty() {
        out.insert("user_id".into(), id.into());
    }
    let bare = id.strip_prefix("auth0|").unwrap_or(id);
    let email = u["email"].as_str().unwrap_or_default().to_lowercase();
    if !out.contains_key("password_hash")
        && !out.contains_key("custom_password_hash")
        && let Some(h) = hashes.get(bare).or_else(|| hashes.get(&email))
    {
        out.insert("password_hash".into(), h.clone().into());
    }
    Value::Object(out)
}

/// Lines of NDJSON, or the elements of a JSON array.
fn records(text: &str) -> Result<Vec<Value>, CliError> {
    let trimmed = text.trim_start();
    if trimmed.starts_with('[') {
        return serde_json::from_str::<Vec<Value>>(trimmed)
            .map_err(|e| CliError::Other(format!("the users file is not a JSON array: {e}")));
    }
    trimmed
        .lines()
        .filter(|l| !l.trim().is_empty())
        .enumerate()
        .map(|(i, l)| {
            serde_json::from_str(l)
                .map_err(|e| CliError::Other(format!("line {} is not JSON: {e}", i + 1)))
        })
        .collect()
}

/// Auth0 support's hash export: `_id.$oid` (or `user_id`) and `email` to
/// `passwordHash`.
fn hash_index(text: &str) -> Result<BTreeMap<String, String>, CliError> {
    let mut out = BTreeMap::new();
    for r in records(text)? {
        let Some(hash) = r.get("passwordHash").and_then(Value::as_str) else {
            continue;
        };
        if let Some(oid) = r.pointer("/_id/$oid").and_then(Value::as_str) {
            out.insert(oid.to_string(), hash.to_string());
        }
        if let Some(e) = r.get("email").and_then(Value::as_str) {
            out.insert(e.to_lowercase(), hash.to_string());
        }
    }
    Ok(out)
}

/// `[########------------]`: `percent` as a bar of 20 cells.
fn bar(percent: i64) -> String {
    let full = (percent.clamp(0, 100) * 20 / 100) as usize;
    format!("[{}{}]", "#".repeat(full), "-".repeat(20 - full))
}

fn verb_word(v: Verb) -> &'static str {
    match v {
        Verb::Create => "create",
        Verb::Update => "update",
        Verb::Unchanged => "unchanged",
    }
}

/// Runs `portcullis import auth0`.
pub async fn run(r: &mut Remote, args: Auth0Args) -> Result<(), CliError> {
    if args.from.is_none() && args.users.is_none() {
        return Err(CliError::Usage(
            "give --from DIR (a Deploy CLI export), --users FILE, or both".into(),
        ));
    }
    let secrets = match &args.client_secrets {
        Some(p) => read_json(p)?.as_object().cloned().unwrap_or_default(),
        None => Map::new(),
    };
    let plan = match &args.from {
        Some(dir) => plan_config(r, dir, &secrets).await?,
        None => Plan::default(),
    };
    let users = match &args.users {
        Some(p) => {
            let text = std::fs::read_to_string(p)
                .map_err(|e| CliError::Other(format!("cannot read {}: {e}", p.display())))?;
            let hashes =
                match &args.password_hashes {
                    Some(h) => hash_index(&std::fs::read_to_string(h).map_err(|e| {
                        CliError::Other(format!("cannot read {}: {e}", h.display()))
                    })?)?,
                    None => BTreeMap::new(),
                };
            Some(
                records(&text)?
                    .iter()
                    .map(|u| to_import_user(u, &hashes))
                    .collect::<Vec<_>>(),
            )
        }
        None => None,
    };
    println!(
        "Plan{}:",
        if args.dry_run {
            " (dry run: nothing is changed)"
        } else {
            ""
        }
    );
    for s in &plan.steps {
        println!("  {:<9} {} {}", verb_word(s.verb), s.kind, s.name);
    }
    for (connection, names, verb) in &plan.enabled {
        println!(
            "  {:<9} applications of connection {connection}: {}",
            verb_word(*verb),
            names.join(", ")
        );
    }
    for (org, _, verb) in &plan.organizations {
        println!(
            "  {:<9} organization {}",
            verb_word(*verb),
            org["name"].as_str().unwrap_or_default()
        );
    }
    if let Some(u) = &users {
        let with_hash = u
            .iter()
            .filter(|x| x.get("password_hash").is_some() || x.get("custom_password_hash").is_some())
            .count();
        println!(
            "  import    {} users into {} ({} with a password hash; the others reset their password)",
            u.len(),
            args.connection,
            with_hash
        );
    }
    if !plan.not_carried.is_empty() {
        println!("Not carried over:");
        for n in &plan.not_carried {
            println!("  - {n}");
        }
    }
    if args.dry_run {
        return Ok(());
    }
    for s in plan.steps.iter().filter(|s| s.verb != Verb::Unchanged) {
        let created = r
            .call(s.method.clone(), &s.path, Some(s.body.clone()))
            .await?;
        let id = created["id"].as_str().unwrap_or_default();
        for (m, path, body) in &s.then {
            let body = (!body.is_null()).then(|| body.clone());
            r.call(m.clone(), &path.replace("{id}", id), body).await?;
        }
        println!("  done      {} {} {}", verb_word(s.verb), s.kind, s.name);
    }
    for (connection, names, verb) in plan.enabled.iter().filter(|e| e.2 != Verb::Unchanged) {
        enable(r, connection, names).await?;
        println!(
            "  done      {} applications of connection {connection}",
            verb_word(*verb)
        );
    }
    for (org, id, verb) in &plan.organizations {
        put_organization(r, org, id.as_deref()).await?;
        println!(
            "  done      {} organization {}",
            verb_word(*verb),
            org["name"].as_str().unwrap_or_default()
        );
    }
    if let Some(users) = users {
        import_users(r, &args.connection, &users).await?;
    }
    Ok(())
}

/// Whether the organization `existing` already is as its file says: its
/// fields, its connections (by name, with their settings) and the
/// applications whose grants are associated with it.
async fn org_unchanged(
    r: &mut Remote,
    org: &Value,
    existing: &Value,
    client_ids: &BTreeMap<String, String>,
) -> Result<bool, CliError> {
    if !["display_name", "branding", "metadata"]
        .iter()
        .all(|k| same(&org[*k], &existing[*k]))
    {
        return Ok(false);
    }
    let id = existing["id"].as_str().unwrap_or_default();
    let enabled = r
        .call(
            Method::GET,
            &format!("/organizations/{id}/enabled_connections"),
            None,
        )
        .await?;
    let want: Vec<&Value> = org["connections"]
        .as_array()
        .into_iter()
        .flatten()
        .collect();
    let have: Vec<&Value> = enabled.as_array().into_iter().flatten().collect();
    let settings = [
        "assign_membership_on_login",
        "show_as_button",
        "is_signup_enabled",
    ];
    let connections_same = want.len() == have.len()
        && want.iter().all(|w| {
            have.iter().any(|h| {
                h["connection"]["name"] == w["name"]
                    && settings
                        .iter()
                        .all(|k| w[*k].is_null() || same(&w[*k], &h[*k]))
            })
        });
    if !connections_same {
        return Ok(false);
    }
    let grants = r
        .call(
            Method::GET,
            &format!("/organizations/{id}/client-grants"),
            None,
        )
        .await?;
    let mut have: Vec<String> = grants
        .as_array()
        .into_iter()
        .flatten()
        .filter_map(|g| {
            client_ids
                .iter()
                .find(|(_, cid)| g["client_id"] == cid.as_str())
                .map(|(name, _)| name.clone())
        })
        .collect();
    let mut want: Vec<String> = org["client_grants"]
        .as_array()
        .into_iter()
        .flatten()
        .filter_map(|g| g["client_id"].as_str().map(str::to_string))
        .collect();
    have.sort();
    have.dedup();
    want.sort();
    want.dedup();
    Ok(have == want)
}

/// An organization as its Deploy CLI file says: created (or updated), its
/// connections by name enabled as listed, and the client grants of the
/// applications it names associated with it (those that allow
/// organizations).
async fn put_organization(r: &mut Remote, org: &Value, id: Option<&str>) -> Result<(), CliError> {
    let mut body = Map::new();
    for k in ["display_name", "branding", "metadata"] {
        if !org[k].is_null() {
            body.insert(k.into(), org[k].clone());
        }
    }
    let id = match id {
        Some(id) => {
            r.call(
                Method::PATCH,
                &format!("/organizations/{id}"),
                Some(Value::Object(body)),
            )
            .await?;
            id.to_string()
        }
        None => {
            body.insert("name".into(), org["name"].clone());
            let created = r
                .call(Method::POST, "/organizations", Some(Value::Object(body)))
                .await?;
            created["id"].as_str().unwrap_or_default().to_string()
        }
    };
    let enabled = r
        .call(
            Method::GET,
            &format!("/organizations/{id}/enabled_connections"),
            None,
        )
        .await?;
    for c in org["connections"].as_array().into_iter().flatten() {
        let name = c["name"].as_str().unwrap_or_default();
        let Some(connection_id) = connection_id(r, name).await? else {
            return Err(CliError::Other(format!(
                "organization {}: no connection named {name}",
                org["name"]
            )));
        };
        let mut settings = Map::new();
        for k in [
            "assign_membership_on_login",
            "show_as_button",
            "is_signup_enabled",
        ] {
            if !c[k].is_null() {
                settings.insert(k.into(), c[k].clone());
            }
        }
        let is_on = enabled
            .as_array()
            .into_iter()
            .flatten()
            .any(|e| e["connection_id"] == connection_id.as_str());
        if is_on {
            r.call(
                Method::PATCH,
                &format!("/organizations/{id}/enabled_connections/{connection_id}"),
                Some(Value::Object(settings)),
            )
            .await?;
        } else {
            settings.insert("connection_id".into(), Value::from(connection_id));
            r.call(
                Method::POST,
                &format!("/organizations/{id}/enabled_connections"),
                Some(Value::Object(settings)),
            )
            .await?;
        }
    }
    let named: Vec<&str> = org["client_grants"]
        .as_array()
        .into_iter()
        .flatten()
        .filter_map(|g| g["client_id"].as_str())
        .collect();
    if !named.is_empty() {
        let clients = r
            .call(Method::GET, "/clients?is_global=false", None)
            .await?;
        let grants = r.call(Method::GET, "/client-grants", None).await?;
        for client in clients
            .as_array()
            .into_iter()
            .flatten()
            .filter(|c| named.iter().any(|n| c["name"] == *n))
        {
            for g in grants.as_array().into_iter().flatten().filter(|g| {
                g["client_id"] == client["client_id"]
                    && g["organization_usage"]
                        .as_str()
                        .is_some_and(|u| u != "deny")
            }) {
                r.call(
                    Method::POST,
                    &format!("/organizations/{id}/client-grants"),
                    Some(json!({"grant_id": g["id"]})),
                )
                .await?;
            }
        }
    }
    Ok(())
}

/// The id of the connection named `name` (Auth0's names are letters, digits
/// and hyphens: nothing to escape in the query).
async fn connection_id(r: &mut Remote, name: &str) -> Result<Option<String>, CliError> {
    let list = r
        .call(Method::GET, &format!("/connections?name={name}"), None)
        .await?;
    Ok(list
        .as_array()
        .and_then(|a| a.first())
        .and_then(|c| c["id"].as_str())
        .map(str::to_string))
}

/// Enables exactly the applications `names` on `connection`.
async fn enable(r: &mut Remote, connection: &str, names: &[String]) -> Result<(), CliError> {
    let Some(id) = connection_id(r, connection).await? else {
        return Err(CliError::Other(format!(
            "the connection {connection} was not created"
        )));
    };
    let clients = r
        .call(Method::GET, "/clients?is_global=false", None)
        .await?;
    let body: Vec<Value> = clients
        .as_array()
        .into_iter()
        .flatten()
        .map(|c| json!({"client_id": c["client_id"], "status": names.iter().any(|n| c["name"] == n.as_str())}))
        .collect();
    r.call(
        Method::PATCH,
        &format!("/connections/{id}/clients"),
        Some(Value::Array(body)),
    )
    .await?;
    Ok(())
}

/// One import job for the users, followed until it ends.
async fn import_users(r: &mut Remote, connection: &str, users: &[Value]) -> Result<(), CliError> {
    let Some(connection_id) = connection_id(r, connection).await? else {
        return Err(CliError::Usage(format!("no connection named {connection}")));
    };
    let file = serde_json::to_vec(users).map_err(|e| CliError::Other(e.to_string()))?;
    let boundary = format!("portcullis-{}", portcullis_core::random::alphanumeric(16));
    let mut body = format!("--{boundary}\r\nContent-Disposition: form-data; name=\"connection_id\"\r\n\r\n{connection_id}\r\n--{boundary}\r\nContent-Disposition: form-data; name=\"users\"; filename=\"users.json\"\r\nContent-Type: application/json\r\n\r\n").into_bytes();
    body.extend_from_slice(&file);
    body.extend_from_slice(format!("\r\n--{boundary}--\r\n").as_bytes());
    let job = r
        .call_raw(
            Method::POST,
            "/jobs/users-imports",
            &format!("multipart/form-data; boundary={boundary}"),
            body,
        )
        .await?;
    let id = job["id"].as_str().unwrap_or_default().to_string();
    let mut last_percent: Option<i64> = None;
    loop {
        let j = r.call(Method::GET, &format!("/jobs/{id}"), None).await?;
        match j["status"].as_str() {
            Some("completed") => {
                if std::io::stderr().is_terminal() && last_percent.is_some() {
                    eprintln!("\r  users     {} 100%", bar(100));
                }
                let s = &j["summary"];
                println!(
                    "  users     {} inserted, {} updated, {} failed of {} (job {id})",
                    s["inserted"], s["updated"], s["failed"], s["total"]
                );
                if s["failed"].as_i64().unwrap_or(0) > 0 {
                    println!("            the failures: GET /api/v2/jobs/{id}/errors");
                }
                return Ok(());
            }
            Some("failed") => {
                return Err(CliError::Other(format!(
                    "the import job failed: {}",
                    j["status_details"].as_str().unwrap_or("no detail")
                )));
            }
            _ => {
                let percent = j["percentage_done"].as_i64().unwrap_or(0);
                // A bar redrawn in place on a terminal; a line per change
                // when the output is a log.
                if std::io::stderr().is_terminal() {
                    eprint!("\r  users     {} {percent:>3}%", bar(percent));
                    let _ = std::io::stderr().flush();
                } else if last_percent != Some(percent) {
                    eprintln!("  users     {} {percent:>3}%", bar(percent));
                }
                last_percent = Some(percent);
                tokio::time::sleep(std::time::Duration::from_millis(500)).await;
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn auth0_export_users_become_import_users_with_their_hash() {
        let hashes = hash_index(
            r#"{"_id":{"$oid":"5f0c8a1b"},"email":"a@x.io","passwordHash":"$2b$10$abc"}
{"_id":{"$oid":"ffff"},"email":"B@x.io","passwordHash":"$2b$10$def"}"#,
        )
        .unwrap();
        let u = to_import_user(
            &json!({"user_id": "auth0|5f0c8a1b", "email": "a@x.io", "name": "A",
            "created_at": "2020-01-01", "logins_count": 3, "identities": []}),
            &hashes,
        );
        assert_eq!(
            u,
            json!({"user_id": "auth0|5f0c8a1b", "email": "a@x.io", "name": "A", "password_hash": "$2b$10$abc"})
        );
        let by_email = to_import_user(&json!({"email": "b@x.io"}), &hashes);
        assert_eq!(by_email["password_hash"], "$2b$10$def");
    }

    #[test]
    fn the_progress_bar_fills_in_twentieths() {
        assert_eq!(bar(0), "[--------------------]");
        assert_eq!(bar(45), "[#########-----------]");
        assert_eq!(bar(100), "[####################]");
        assert_eq!(bar(150), bar(100));
    }

    #[test]
    fn numbers_compare_by_value() {
        assert!(same(&json!({"a": [12]}), &json!({"a": [12.0]})));
        assert!(!same(&json!({"a": 12}), &json!({"a": 13})));
    }

    #[test]
    fn records_read_ndjson_and_arrays() {
        assert_eq!(records("{\"a\":1}\n\n{\"a\":2}\n").unwrap().len(), 2);
        assert_eq!(records("[{\"a\":1}]").unwrap().len(), 1);
        assert!(records("{\"a\":").is_err());
    }

    #[test]
    fn fields_the_server_has_no_setting_for_are_reported() {
        let mut dropped = Vec::new();
        let kept = keep(
            &json!({"name": "Shop", "sso_disabled": false, "sso_disabled_x": 1,
                    "cross_origin_authentication": true, "callbacks": []}),
            &accepted::<portcullis_core::clients::ClientPayload>(),
            &[],
            "application Shop",
            &mut dropped,
            Some(Resource::Client),
        );
        assert!(kept.contains_key("name") && kept.contains_key("callbacks"));
        assert_eq!(kept.len(), 2);
        // sso_disabled: false is what Portcullis does, so it is not reported.
        assert_eq!(
            dropped,
            vec![
                "application Shop: 'cross_origin_authentication' = true (Portcullis does not support this value)"
                    .to_string(),
                "application Shop: 'sso_disabled_x' (Portcullis has no such setting)".to_string(),
            ]
        );
    }
}
