//! Management commands: `apps`, `apis`, `grants`, `users`, `keys`, `logs`,
//! each a thin wrapper over the Management API of a running server.

use clap::{Args, Subcommand};
use reqwest::Method;
use serde_json::{Map, Value, json};

use super::output::{print, record, table};
use super::remote::{CliError, Remote};

/// Raw JSON fields merged into the request body, for what has no flag.
#[derive(Debug, Args, Clone, Default)]
pub struct Data {
    /// Extra fields as a JSON object, merged into the request body
    /// (e.g. '{"refresh_token": {"rotation_type": "rotating"}}').
    #[arg(long, value_name = "JSON")]
    pub data: Option<String>,
}

impl Data {
    fn merge(&self, mut body: Map<String, Value>) -> Result<Value, CliError> {
        if let Some(raw) = &self.data {
            let extra: Value = serde_json::from_str(raw)
                .map_err(|e| CliError::Usage(format!("--data is not valid JSON: {e}")))?;
            let Value::Object(extra) = extra else {
                return Err(CliError::Usage("--data must be a JSON object".into()));
            };
            body.extend(extra);
        }
        Ok(Value::Object(body))
    }
}

fn enc(s: &str) -> String {
    form_urlencoded::byte_serialize(s.as_bytes()).collect()
}

fn set(body: &mut Map<String, Value>, key: &str, v: Option<Value>) {
    if let Some(v) = v {
        body.insert(key.into(), v);
    }
}

fn list_of(v: &[String]) -> Option<Value> {
    (!v.is_empty()).then(|| json!(v))
}

#[derive(Debug, Subcommand)]
pub enum Apps {
    /// List applications.
    List,
    /// Show one application.
    Show {
        /// The application's client_id.
        #[arg(value_name = "CLIENT_ID")]
        id: String,
    },
    /// Create an application; its secret is shown once.
    Create {
        /// The application's name, as the login page shows it.
        #[arg(long)]
        name: String,
        /// spa, native, regular_web or non_interactive (machine to machine).
        #[arg(long = "type", default_value = "regular_web")]
        app_type: String,
        /// An allowed callback URL (repeat for several).
        #[arg(long = "callback")]
        callbacks: Vec<String>,
        /// Allowed logout URL (repeat for several).
        #[arg(long = "logout-url")]
        logout_urls: Vec<String>,
        /// Allowed web origin (repeat for several).
        #[arg(long = "web-origin")]
        web_origins: Vec<String>,
        #[command(flatten)]
        data: Data,
    },
    /// Change an application.
    Update {
        /// The application's client_id.
        #[arg(value_name = "CLIENT_ID")]
        id: String,
        /// A new name.
        #[arg(long)]
        name: Option<String>,
        /// An allowed callback URL (repeat for several; replaces the list).
        #[arg(long = "callback")]
        callbacks: Vec<String>,
        #[command(flatten)]
        data: Data,
    },
    /// Delete an application.
    Delete {
        /// The application's client_id.
        #[arg(value_name = "CLIENT_ID")]
        id: String,
    },
    /// Replace an application's secret; the new one is shown once.
    RotateSecret {
        /// The application's client_id.
        #[arg(value_name = "CLIENT_ID")]
        id: String,
    },
}

const APP_COLUMNS: &[&str] = &["client_id", "name", "app_type", "callbacks"];
const APP_FIRST: &[&str] = &["client_id", "name", "app_type", "client_secret"];

pub async fn apps(r: &mut Remote, json_out: bool, cmd: Apps) -> Result<(), CliError> {
    let one = |v: &Value| record(v, APP_FIRST);
    match cmd {
        Apps::List => {
            let v = r.call(Method::GET, "/clients?per_page=100", None).await?;
            print(json_out, &v, |v| {
                table(v.as_array().map_or(&[], |a| a), APP_COLUMNS)
            });
        }
        Apps::Show { id } => {
            let v = r
                .call(Method::GET, &format!("/clients/{}", enc(&id)), None)
                .await?;
            print(json_out, &v, one);
        }
        Apps::Create {
            name,
            app_type,
            callbacks,
            logout_urls,
            web_origins,
            data,
        } => {
            let mut body = Map::new();
            body.insert("name".into(), name.into());
            body.insert("app_type".into(), app_type.into());
            set(&mut body, "callbacks", list_of(&callbacks));
            set(&mut body, "allowed_logout_urls", list_of(&logout_urls));
            set(&mut body, "web_origins", list_of(&web_origins));
            let v = r
                .call(Method::POST, "/clients", Some(data.merge(body)?))
                .await?;
            print(json_out, &v, one);
        }
        Apps::Update {
            id,
            name,
            callbacks,
            data,
        } => {
            let mut body = Map::new();
            set(&mut body, "name", name.map(Value::from));
            set(&mut body, "callbacks", list_of(&callbacks));
            let body = data.merge(body)?;
            if body.as_object().is_some_and(Map::is_empty) {
                return Err(CliError::Usage(
                    "nothing to change: pass --name, --callback or --data".into(),
                ));
            }
            let v = r
                .call(Method::PATCH, &format!("/clients/{}", enc(&id)), Some(body))
                .await?;
            print(json_out, &v, one);
        }
        Apps::Delete { id } => {
            r.call(Method::DELETE, &format!("/clients/{}", enc(&id)), None)
                .await?;
            deleted(json_out, "application", &id);
        }
        Apps::RotateSecret { id } => {
            let v = r
                .call(
                    Method::POST,
                    &format!("/clients/{}/rotate-secret", enc(&id)),
                    None,
                )
                .await?;
            print(json_out, &v, one);
        }
    }
    Ok(())
}

fn deleted(json_out: bool, what: &str, id: &str) {
    if json_out {
        println!("{}", json!({"deleted": id}));
    } else {
        println!("deleted {what} {id}");
    }
}

#[derive(Debug, Subcommand)]
pub enum Apis {
    /// List APIs (resource servers).
    List,
    /// Show one API, by id or identifier.
    Show {
        /// The API's id or identifier.
        id: String,
    },
    /// Create an API.
    Create {
        /// The audience, e.g. https://api.example.com/.
        /// The API's identifier: the `audience` clients ask for.
        #[arg(long)]
        identifier: String,
        /// The API's name.
        #[arg(long)]
        name: String,
        /// A scope it defines (repeat for several).
        #[arg(long = "scope")]
        scopes: Vec<String>,
        #[command(flatten)]
        data: Data,
    },
    /// Change an API.
    Update {
        /// The API's id or identifier.
        id: String,
        /// A new name.
        #[arg(long)]
        name: Option<String>,
        /// The full list of scopes it defines (repeat for several).
        #[arg(long = "scope")]
        scopes: Vec<String>,
        #[command(flatten)]
        data: Data,
    },
    /// Delete an API.
    Delete {
        /// The API's id or identifier.
        id: String,
    },
}

fn scope_objects(scopes: &[String]) -> Option<Value> {
    (!scopes.is_empty()).then(|| {
        Value::Array(
            scopes
                .iter()
                .map(|s| json!({"value": s, "description": s}))
                .collect(),
        )
    })
}

pub async fn apis(r: &mut Remote, json_out: bool, cmd: Apis) -> Result<(), CliError> {
    let one = |v: &Value| record(v, &["id", "identifier", "name", "scopes"]);
    match cmd {
        Apis::List => {
            let v = r
                .call(Method::GET, "/resource-servers?per_page=100", None)
                .await?;
            print(json_out, &v, |v| {
                let rows: Vec<Value> = v
                    .as_array()
                    .map_or(&[][..], |a| a)
                    .iter()
                    .map(|a| {
                        let mut a = a.clone();
                        let names: Vec<Value> = a["scopes"]
                            .as_array()
                            .map_or(&[][..], |s| s)
                            .iter()
                            .map(|s| s["value"].clone())
                            .collect();
                        a["scopes"] = Value::Array(names);
                        a
                    })
                    .collect();
                table(&rows, &["id", "identifier", "name", "scopes"])
            });
        }
        Apis::Show { id } => {
            let v = r
                .call(
                    Method::GET,
                    &format!("/resource-servers/{}", enc(&id)),
                    None,
                )
                .await?;
            print(json_out, &v, one);
        }
        Apis::Create {
            identifier,
            name,
            scopes,
            data,
        } => {
            let mut body = Map::new();
            body.insert("identifier".into(), identifier.into());
            body.insert("name".into(), name.into());
            set(&mut body, "scopes", scope_objects(&scopes));
            let v = r
                .call(Method::POST, "/resource-servers", Some(data.merge(body)?))
                .await?;
            print(json_out, &v, one);
        }
        Apis::Update {
            id,
            name,
            scopes,
            data,
        } => {
            let mut body = Map::new();
            set(&mut body, "name", name.map(Value::from));
            set(&mut body, "scopes", scope_objects(&scopes));
            let v = r
                .call(
                    Method::PATCH,
                    &format!("/resource-servers/{}", enc(&id)),
                    Some(data.merge(body)?),
                )
                .await?;
            print(json_out, &v, one);
        }
        Apis::Delete { id } => {
            r.call(
                Method::DELETE,
                &format!("/resource-servers/{}", enc(&id)),
                None,
            )
            .await?;
            deleted(json_out, "API", &id);
        }
    }
    Ok(())
}

#[derive(Debug, Subcommand)]
pub enum Grants {
    /// List client grants.
    List,
    /// Let an application get tokens for an API with these scopes.
    Create {
        /// The application's client_id.
        #[arg(long)]
        app: String,
        /// The API's identifier.
        #[arg(long)]
        audience: String,
        /// A scope granted (repeat for several).
        #[arg(long = "scope")]
        scopes: Vec<String>,
    },
    /// Replace a grant's scopes.
    Update {
        /// The grant's id.
        id: String,
        /// The full list of granted scopes (repeat for several).
        #[arg(long = "scope")]
        scopes: Vec<String>,
    },
    /// Delete a grant.
    Delete {
        /// The grant's id (`grants list`).
        id: String,
    },
}

pub async fn grants(r: &mut Remote, json_out: bool, cmd: Grants) -> Result<(), CliError> {
    let columns = ["id", "client_id", "audience", "scope"];
    match cmd {
        Grants::List => {
            let v = r
                .call(Method::GET, "/client-grants?per_page=100", None)
                .await?;
            print(json_out, &v, |v| {
                table(v.as_array().map_or(&[], |a| a), &columns)
            });
        }
        Grants::Create {
            app,
            audience,
            scopes,
        } => {
            let body = json!({"client_id": app, "audience": audience, "scope": scopes});
            let v = r.call(Method::POST, "/client-grants", Some(body)).await?;
            print(json_out, &v, |v| record(v, &columns));
        }
        Grants::Update { id, scopes } => {
            let v = r
                .call(
                    Method::PATCH,
                    &format!("/client-grants/{}", enc(&id)),
                    Some(json!({"scope": scopes})),
                )
                .await?;
            print(json_out, &v, |v| record(v, &columns));
        }
        Grants::Delete { id } => {
            r.call(
                Method::DELETE,
                &format!("/client-grants/{}", enc(&id)),
                None,
            )
            .await?;
            deleted(json_out, "grant", &id);
        }
    }
    Ok(())
}

#[derive(Debug, Subcommand)]
pub enum Users {
    /// List users (optionally matching a Lucene-style query such as email:"a@b.c").
    List {
        /// A query such as email:"ada@example.com".
        #[arg(long)]
        query: Option<String>,
    },
    /// Show one user.
    Show {
        /// The user's id (auth0|…).
        user_id: String,
    },
    /// Create a user of the database connection.
    Create {
        /// The user's e-mail address.
        #[arg(long)]
        email: String,
        /// The password; omit it (or pass `-`) to read it from standard input
        /// or a prompt, so it stays out of the shell history and `ps`.
        #[arg(long, allow_hyphen_values = true)]
        password: Option<String>,
        /// The user's full name.
        #[arg(long)]
        name: Option<String>,
        #[command(flatten)]
        data: Data,
    },
    /// Block a user: no more logins or refreshes.
    Block {
        /// The user's id (auth0|…).
        user_id: String,
    },
    /// Unblock a user: clears the blocked flag and lifts brute-force blocks.
    Unblock {
        /// The user's id (auth0|…).
        user_id: String,
    },
    /// Delete a user (and their sessions).
    Delete {
        /// The user's id (auth0|…).
        user_id: String,
    },
    /// Set a user's password.
    SetPassword {
        /// The user's id (auth0|…).
        user_id: String,
        /// The new password; omit it (or pass `-`) to read it from standard
        /// input or a prompt.
        #[arg(long, allow_hyphen_values = true)]
        password: Option<String>,
    },
}

/// A password from the flag, or else one line of standard input (with a prompt
/// on stderr when it is a terminal).
fn password_or_stdin(flag: Option<String>) -> Result<String, CliError> {
    if let Some(p) = flag.filter(|p| p != "-") {
        return Ok(p);
    }
    use std::io::{BufRead, IsTerminal, Write};
    let stdin = std::io::stdin();
    if stdin.is_terminal() {
        eprint!("Password: ");
        let _ = std::io::stderr().flush();
    }
    let mut line = String::new();
    stdin
        .lock()
        .read_line(&mut line)
        .map_err(|e| CliError::Usage(format!("cannot read the password: {e}")))?;
    let p = line.trim_end_matches(['\r', '\n']).to_string();
    if p.is_empty() {
        return Err(CliError::Usage(
            "no password: pass --password, or write it to standard input".into(),
        ));
    }
    Ok(p)
}

pub async fn users(r: &mut Remote, json_out: bool, cmd: Users) -> Result<(), CliError> {
    let first = ["user_id", "email", "name", "blocked", "logins_count"];
    let one = |v: &Value| record(v, &first);
    let path = |id: &str| format!("/users/{}", enc(id));
    let v = match cmd {
        Users::List { query } => {
            let q = query.map(|q| format!("&q={}", enc(&q))).unwrap_or_default();
            let v = r
                .call(Method::GET, &format!("/users?per_page=100{q}"), None)
                .await?;
            print(json_out, &v, |v| {
                table(v.as_array().map_or(&[], |a| a), &first)
            });
            return Ok(());
        }
        Users::Show { user_id } => r.call(Method::GET, &path(&user_id), None).await?,
        Users::Create {
            email,
            password,
            name,
            data,
        } => {
            let password = password_or_stdin(password)?;
            let mut body = Map::new();
            body.insert(
                "connection".into(),
                "Username-Password-Authentication".into(),
            );
            body.insert("email".into(), email.into());
            body.insert("password".into(), password.into());
            set(&mut body, "name", name.map(Value::from));
            r.call(Method::POST, "/users", Some(data.merge(body)?))
                .await?
        }
        Users::Block { user_id } => {
            r.call(
                Method::PATCH,
                &path(&user_id),
                Some(json!({"blocked": true})),
            )
            .await?
        }
        Users::Unblock { user_id } => {
            // Both kinds of block: the administrator's flag and the brute-force
            // counters (Auth0's user-blocks), so the user can sign in at once.
            let user = r
                .call(
                    Method::PATCH,
                    &path(&user_id),
                    Some(json!({"blocked": false})),
                )
                .await?;
            r.call(
                Method::DELETE,
                &format!("/user-blocks/{}", enc(&user_id)),
                None,
            )
            .await?;
            user
        }
        Users::Delete { user_id } => {
            r.call(Method::DELETE, &path(&user_id), None).await?;
            deleted(json_out, "user", &user_id);
            return Ok(());
        }
        Users::SetPassword { user_id, password } => {
            let password = password_or_stdin(password)?;
            r.call(
                Method::PATCH,
                &path(&user_id),
                Some(
                    json!({"password": password, "connection": "Username-Password-Authentication"}),
                ),
            )
            .await?
        }
    };
    print(json_out, &v, one);
    Ok(())
}

#[derive(Debug, Subcommand)]
pub enum Keys {
    /// List signing keys (current, next, previous, revoked).
    List,
    /// Rotate: the next key starts signing, the current one becomes previous.
    Rotate,
    /// Revoke a previous key: it leaves the JWKS and its tokens stop verifying.
    Revoke {
        /// The key's kid (`keys list`). A kid is base64url and may begin with
        /// `-`; it is taken as the kid, not as a flag.
        #[arg(allow_hyphen_values = true)]
        kid: String,
    },
}

pub async fn keys(r: &mut Remote, json_out: bool, cmd: Keys) -> Result<(), CliError> {
    match cmd {
        Keys::List => {
            let v = r.call(Method::GET, "/keys/signing", None).await?;
            print(json_out, &v, |v| {
                let rows: Vec<Value> = v
                    .as_array()
                    .map_or(&[][..], |a| a)
                    .iter()
                    .map(|k| {
                        let state = ["current", "next", "previous", "revoked"]
                            .into_iter()
                            .find(|s| k[*s] == true)
                            .unwrap_or("-");
                        json!({"kid": k["kid"], "alg": k["alg"], "state": state,
                               "current_since": k["current_since"], "revoked_at": k["revoked_at"]})
                    })
                    .collect();
                table(
                    &rows,
                    &["kid", "alg", "state", "current_since", "revoked_at"],
                )
            });
        }
        Keys::Rotate => {
            let v = r.call(Method::POST, "/keys/signing/rotate", None).await?;
            print(json_out, &v, |v| {
                format!("rotated: {} now signs\n", v["kid"].as_str().unwrap_or("?"))
            });
        }
        Keys::Revoke { kid } => {
            let v = r
                .call(
                    Method::PUT,
                    &format!("/keys/signing/{}/revoke", enc(&kid)),
                    None,
                )
                .await?;
            print(json_out, &v, |v| {
                format!("revoked: {}\n", v["kid"].as_str().unwrap_or("?"))
            });
        }
    }
    Ok(())
}

#[derive(Debug, Subcommand)]
pub enum Logs {
    /// Print the latest audit events, oldest first; with --follow, keep
    /// printing new ones until interrupted.
    Tail {
        /// Keep printing new events, each once and in order, until interrupted.
        #[arg(long, short)]
        follow: bool,
        /// Only events of this Auth0 type code (s, f, fp, seacft, …).
        #[arg(long = "type")]
        event_type: Option<String>,
        /// How many recent events to print first.
        #[arg(long, default_value_t = 20)]
        limit: u32,
        /// Seconds between polls with --follow.
        #[arg(long, default_value_t = 2)]
        interval: u64,
    },
}

fn log_line(json_out: bool, e: &Value) -> String {
    if json_out {
        return e.to_string();
    }
    let field = |k: &str| e[k].as_str().unwrap_or("-").to_string();
    format!(
        "{}  {:<8} {}  user={} client={} ip={}",
        field("date"),
        field("type"),
        field("description"),
        field("user_name"),
        field("client_name"),
        field("ip")
    )
}

pub async fn logs(r: &mut Remote, json_out: bool, cmd: Logs) -> Result<(), CliError> {
    let Logs::Tail {
        follow,
        event_type,
        limit,
        interval,
    } = cmd;
    let q = event_type
        .map(|t| format!("&q={}", enc(&format!("type:{t}"))))
        .unwrap_or_default();
    // The latest `limit` events, newest first from the API, printed oldest
    // first like tail.
    let v = r
        .call(
            Method::GET,
            &format!("/logs?per_page={}{q}", limit.clamp(1, 100)),
            None,
        )
        .await?;
    let mut latest: Vec<&Value> = v.as_array().map_or(&[][..], |a| a).iter().collect();
    latest.reverse();
    let mut last: Option<String> = None;
    for e in latest {
        last = e["log_id"].as_str().map(str::to_string).or(last);
        println!("{}", log_line(json_out, e));
    }
    if !follow {
        return Ok(());
    }
    // Then Auth0's checkpoint paging from the last event seen: each event is
    // printed once, in order.
    loop {
        use std::io::Write;
        let _ = std::io::stdout().flush();
        tokio::time::sleep(std::time::Duration::from_secs(interval.max(1))).await;
        loop {
            let from = last
                .as_deref()
                .map(|id| format!("&from={}", enc(id)))
                .unwrap_or_default();
            let v = r
                .call(Method::GET, &format!("/logs?take=100{from}{q}"), None)
                .await?;
            let page = v.as_array().map_or(&[][..], |a| a);
            for e in page {
                last = e["log_id"].as_str().map(str::to_string).or(last);
                println!("{}", log_line(json_out, e));
            }
            if page.len() < 100 {
                break;
            }
        }
    }
}
