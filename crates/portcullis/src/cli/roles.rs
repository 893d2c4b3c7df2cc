//! `portcullis roles`: roles and their permissions and users, over the
//! Management API of a running server (as `apps`, `apis` and the rest).

use clap::Subcommand;
use reqwest::Method;
use serde_json::{Value, json};

use super::output::{print, record, table};
use super::remote::{CliError, Remote};

#[derive(Debug, Subcommand)]
pub enum Roles {
    /// List roles.
    List {
        /// Only roles whose name contains this (case-insensitive).
        #[arg(long)]
        name: Option<String>,
    },
    /// Create a role.
    Create {
        /// The role's name (unique).
        #[arg(long)]
        name: String,
        /// What the role is for.
        #[arg(long)]
        description: Option<String>,
    },
    /// Delete a role (its users lose it).
    Delete {
        /// The role's id (`roles list`).
        id: String,
    },
    /// A role's permissions.
    Permissions {
        /// The role's id.
        id: String,
    },
    /// Give a role permissions of an API.
    AddPermission {
        /// The role's id.
        id: String,
        /// The API's identifier.
        #[arg(long)]
        api: String,
        /// A permission the API defines (repeat for several).
        #[arg(long = "permission", required = true)]
        permissions: Vec<String>,
    },
    /// Take permissions of an API from a role.
    RemovePermission {
        /// The role's id.
        id: String,
        /// The API's identifier.
        #[arg(long)]
        api: String,
        /// A permission to take away (repeat for several).
        #[arg(long = "permission", required = true)]
        permissions: Vec<String>,
    },
    /// The users holding a role.
    Users {
        /// The role's id.
        id: String,
    },
    /// Give a role to users.
    Assign {
        /// The role's id.
        id: String,
        /// A user id (repeat for several).
        #[arg(long = "user", required = true)]
        users: Vec<String>,
    },
    /// Take a role from a user.
    Unassign {
        /// The role's id.
        id: String,
        /// The user's id.
        #[arg(long)]
        user: String,
    },
    /// A user's roles.
    OfUser {
        /// The user's id.
        user_id: String,
    },
}

fn enc(s: &str) -> String {
    form_urlencoded::byte_serialize(s.as_bytes()).collect()
}

fn permissions_body(api: &str, names: &[String]) -> Value {
    let list: Vec<Value> = names
        .iter()
        .map(|p| json!({"resource_server_identifier": api, "permission_name": p}))
        .collect();
    json!({"permissions": list})
}

fn done(json_out: bool, what: &str) {
    if json_out {
        println!("{}", json!({"ok": true}));
    } else {
        println!("{what}");
    }
}

pub async fn roles(r: &mut Remote, json_out: bool, cmd: Roles) -> Result<(), CliError> {
    let columns = ["id", "name", "description"];
    let perm_columns = [
        "resource_server_identifier",
        "permission_name",
        "description",
    ];
    match cmd {
        Roles::List { name } => {
            let path = match name {
                Some(n) => format!("/roles?per_page=100&name_filter={}", enc(&n)),
                None => "/roles?per_page=100".to_string(),
            };
            let v = r.call(Method::GET, &path, None).await?;
            print(json_out, &v, |v| {
                table(v.as_array().map_or(&[], |a| a), &columns)
            });
        }
        Roles::Create { name, description } => {
            let mut body = json!({"name": name});
            if let Some(d) = description {
                body["description"] = Value::from(d);
            }
            let v = r.call(Method::POST, "/roles", Some(body)).await?;
            print(json_out, &v, |v| record(v, &columns));
        }
        Roles::Delete { id } => {
            r.call(Method::DELETE, &format!("/roles/{}", enc(&id)), None)
                .await?;
            done(json_out, &format!("deleted role {id}"));
        }
        Roles::Permissions { id } => {
            let v = r
                .call(
                    Method::GET,
                    &format!("/roles/{}/permissions?per_page=100", enc(&id)),
                    None,
                )
                .await?;
            print(json_out, &v, |v| {
                table(v.as_array().map_or(&[], |a| a), &perm_columns)
            });
        }
        Roles::AddPermission {
            id,
            api,
            permissions,
        } => {
            r.call(
                Method::POST,
                &format!("/roles/{}/permissions", enc(&id)),
                Some(permissions_body(&api, &permissions)),
            )
            .await?;
            done(
                json_out,
                &format!("role {id} holds {}", permissions.join(" ")),
            );
        }
        Roles::RemovePermission {
            id,
            api,
            permissions,
        } => {
            r.call(
                Method::DELETE,
                &format!("/roles/{}/permissions", enc(&id)),
                Some(permissions_body(&api, &permissions)),
            )
            .await?;
            done(
                json_out,
                &format!("role {id} no longer holds {}", permissions.join(" ")),
            );
        }
        Roles::Users { id } => {
            let v = r
                .call(
                    Method::GET,
                    &format!("/roles/{}/users?per_page=100", enc(&id)),
                    None,
                )
                .await?;
            print(json_out, &v, |v| {
                table(
                    v.as_array().map_or(&[], |a| a),
                    &["user_id", "email", "name"],
                )
            });
        }
        Roles::Assign { id, users } => {
            r.call(
                Method::POST,
                &format!("/roles/{}/users", enc(&id)),
                Some(json!({"users": users})),
            )
            .await?;
            done(json_out, &format!("role {id} given to {}", users.join(" ")));
        }
        Roles::Unassign { id, user } => {
            r.call(
                Method::DELETE,
                &format!("/users/{}/roles", enc(&user)),
                Some(json!({"roles": [id]})),
            )
            .await?;
            done(json_out, &format!("role {id} taken from {user}"));
        }
        Roles::OfUser { user_id } => {
            let v = r
                .call(
                    Method::GET,
                    &format!("/users/{}/roles?per_page=100", enc(&user_id)),
                    None,
                )
                .await?;
            print(json_out, &v, |v| {
                table(v.as_array().map_or(&[], |a| a), &columns)
            });
        }
    }
    Ok(())
}
