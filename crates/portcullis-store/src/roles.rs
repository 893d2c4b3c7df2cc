//! Roles, their permissions, and who holds them (Auth0's RBAC). A permission
//! is stored by its API's resource-server id (the row goes with the API), and
//! read back with the API's identifier, name and the scope's description.
//!
//! Invariants: an assignment that names a missing role or user changes
//! nothing (checked and written in one transaction); assigning what is already
//! held is not an error (Auth0's behaviour), it simply stays.

use portcullis_core::resource_servers::ResourceServer;
use portcullis_core::roles::Role;
use portcullis_core::users::User;

use crate::{Page, StoreResult, TenantStore, decode, with_db, write_tx};

/// A permission as the API lists it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Permission {
    pub resource_server_identifier: String,
    pub resource_server_name: String,
    pub permission_name: String,
    pub description: String,
}

/// Where a user's permission comes from.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum PermissionSource {
    Direct,
    Role { id: String, name: String },
}

/// Why an assignment changed nothing.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Assignment {
    Done,
    NoRole,
    NoUser,
}

type RoleRow = (String, String, String);

fn to_role((id, name, description): RoleRow) -> Role {
    Role {
        id,
        name,
        description,
    }
}

/// `(api doc, permission_name)` read back as a [`Permission`].
fn to_permission(doc: &str, name: String) -> StoreResult<Permission> {
    let api: ResourceServer = decode(doc)?;
    let description = api
        .scopes
        .iter()
        .find(|s| s.value == name)
        .map(|s| s.description.clone())
        .unwrap_or_default();
    Ok(Permission {
        resource_server_identifier: api.identifier,
        resource_server_name: api.name,
        permission_name: name,
        description,
    })
}

impl TenantStore {
    /// `Conflict` if the name is taken.
    pub async fn insert_role(&self, role: &Role, now: i64) -> StoreResult<()> {
        write_tx!(self, |conn| {
            sqlx::query(
                "INSERT INTO roles (tenant_id, id, name, description, created_at, updated_at)
                 VALUES ($1, $2, $3, $4, $5, $5)",
            )
            .bind(self.id())
            .bind(&role.id)
            .bind(&role.name)
            .bind(&role.description)
            .bind(now)
            .execute(&mut *conn)
            .await?;
        });
        Ok(())
    }

    pub async fn get_role(&self, id: &str) -> StoreResult<Option<Role>> {
        let row: Option<RoleRow> = with_db!(self, |pool| {
            sqlx::query_as(
                "SELECT id, name, description FROM roles WHERE tenant_id = $1 AND id = $2",
            )
            .bind(self.id())
            .bind(id)
            .fetch_optional(pool)
            .await?
        });
        Ok(row.map(to_role))
    }

    /// Roles by name, optionally those whose name contains `name_filter`
    /// (case-insensitive, Unicode), with the total. The filter is applied
    /// here rather than in SQL, where SQLite's `LOWER` folds ASCII only and
    /// the two backends would answer differently; a tenant has few roles.
    pub async fn list_roles(
        &self,
        name_filter: Option<&str>,
        page: Page,
    ) -> StoreResult<(Vec<Role>, i64)> {
        let rows: Vec<RoleRow> = with_db!(self, |pool| {
            sqlx::query_as(
                "SELECT id, name, description FROM roles WHERE tenant_id = $1 ORDER BY name, id",
            )
            .bind(self.id())
            .fetch_all(pool)
            .await?
        });
        let needle = name_filter.map(str::to_lowercase);
        let matching: Vec<Role> = rows
            .into_iter()
            .map(to_role)
            .filter(|r| {
                needle
                    .as_deref()
                    .is_none_or(|n| r.name.to_lowercase().contains(n))
            })
            .collect();
        let total = matching.len() as i64;
        let shown = matching
            .into_iter()
            .skip(usize::try_from(page.offset()).unwrap_or(usize::MAX))
            .take(usize::try_from(page.limit()).unwrap_or(usize::MAX))
            .collect();
        Ok((shown, total))
    }

    /// `false` if no such role; `Conflict` if the new name is taken.
    pub async fn update_role(&self, role: &Role, now: i64) -> StoreResult<bool> {
        let n = write_tx!(self, |conn| {
            sqlx::query(
                "UPDATE roles SET name = $3, description = $4, updated_at = $5
                 WHERE tenant_id = $1 AND id = $2",
            )
            .bind(self.id())
            .bind(&role.id)
            .bind(&role.name)
            .bind(&role.description)
            .bind(now)
            .execute(&mut *conn)
            .await?
            .rows_affected()
        });
        Ok(n == 1)
    }

    /// Deletes the role, its permissions and its assignments (cascade).
    pub async fn delete_role(&self, id: &str) -> StoreResult<bool> {
        let n = write_tx!(self, |conn| {
            sqlx::query("DELETE FROM roles WHERE tenant_id = $1 AND id = $2")
                .bind(self.id())
                .bind(id)
                .execute(&mut *conn)
                .await?
                .rows_affected()
        });
        Ok(n == 1)
    }

    /// The role's permissions, by API and name.
    pub async fn role_permissions(&self, role_id: &str) -> StoreResult<Vec<Permission>> {
        let rows: Vec<(String, String)> = with_db!(self, |pool| {
            sqlx::query_as(
                "SELECT rs.doc, rp.permission_name FROM role_permissions rp
                   JOIN resource_servers rs ON rs.tenant_id = rp.tenant_id AND rs.id = rp.resource_server_id
                 WHERE rp.tenant_id = $1 AND rp.role_id = $2
                 ORDER BY rs.identifier, rp.permission_name",
            )
            .bind(self.id())
            .bind(role_id)
            .fetch_all(pool)
            .await?
        });
        rows.into_iter()
            .map(|(doc, name)| to_permission(&doc, name))
            .collect()
    }

    /// Adds (`add`) or removes permissions, each `(resource server id,
    /// permission name)`, of a role; `NoRole` if it does not exist.
    pub async fn change_role_permissions(
        &self,
        role_id: &str,
        permissions: &[(String, String)],
        add: bool,
        now: i64,
    ) -> StoreResult<Assignment> {
        write_tx!(self, result, |conn| {
            let role: Option<(String,)> =
                sqlx::query_as("SELECT id FROM roles WHERE tenant_id = $1 AND id = $2")
                    .bind(self.id())
                    .bind(role_id)
                    .fetch_optional(&mut *conn)
                    .await?;
            if role.is_none() {
                return Ok(Assignment::NoRole);
            }
            for (api, name) in permissions {
                let q = if add {
                    sqlx::query(
                        "INSERT INTO role_permissions (tenant_id, role_id, resource_server_id, permission_name, created_at)
                         VALUES ($1, $2, $3, $4, $5) ON CONFLICT DO NOTHING",
                    )
                    .bind(self.id())
                    .bind(role_id)
                    .bind(api)
                    .bind(name)
                    .bind(now)
                } else {
                    sqlx::query(
                        "DELETE FROM role_permissions
                         WHERE tenant_id = $1 AND role_id = $2 AND resource_server_id = $3 AND permission_name = $4",
                    )
                    .bind(self.id())
                    .bind(role_id)
                    .bind(api)
                    .bind(name)
                };
                q.execute(&mut *conn).await?;
            }
            Ok(Assignment::Done)
        })
    }

    /// Users holding the role, by user id: a page with the total.
    pub async fn role_users(&self, role_id: &str, page: Page) -> StoreResult<(Vec<User>, i64)> {
        let (rows, total): (Vec<crate::users::Row>, (i64,)) = with_db!(self, |pool| {
            let rows = sqlx::query_as(
                "SELECT u.doc, u.password_hash, u.logins_count, u.last_login FROM user_roles ur
                   JOIN users u ON u.tenant_id = ur.tenant_id AND u.user_id = ur.user_id
                 WHERE ur.tenant_id = $1 AND ur.role_id = $2
                 ORDER BY ur.user_id LIMIT $3 OFFSET $4",
            )
            .bind(self.id())
            .bind(role_id)
            .bind(page.limit())
            .bind(page.offset())
            .fetch_all(pool)
            .await?;
            let total = sqlx::query_as(
                "SELECT COUNT(*) FROM user_roles WHERE tenant_id = $1 AND role_id = $2",
            )
            .bind(self.id())
            .bind(role_id)
            .fetch_one(pool)
            .await?;
            (rows, total)
        });
        let users = rows
            .iter()
            .map(crate::users::to_user)
            .collect::<StoreResult<_>>()?;
        Ok((users, total.0))
    }

    /// Checkpoint paging: up to `take` users holding the role whose id sorts
    /// after `after`.
    pub async fn role_users_after(
        &self,
        role_id: &str,
        after: Option<&str>,
        take: u32,
    ) -> StoreResult<Vec<User>> {
        let rows: Vec<crate::users::Row> = with_db!(self, |pool| {
            sqlx::query_as(
                "SELECT u.doc, u.password_hash, u.logins_count, u.last_login FROM user_roles ur
                   JOIN users u ON u.tenant_id = ur.tenant_id AND u.user_id = ur.user_id
                 WHERE ur.tenant_id = $1 AND ur.role_id = $2
                   AND (CAST($3 AS TEXT) IS NULL OR ur.user_id > $3)
                 ORDER BY ur.user_id LIMIT $4",
            )
            .bind(self.id())
            .bind(role_id)
            .bind(after)
            .bind(i64::from(take))
            .fetch_all(pool)
            .await?
        });
        rows.iter().map(crate::users::to_user).collect()
    }

    /// Gives (`add`) or takes away roles of users, all or nothing: `NoRole` or
    /// `NoUser` when one named does not exist.
    pub async fn change_user_roles(
        &self,
        user_ids: &[String],
        role_ids: &[String],
        add: bool,
        now: i64,
    ) -> StoreResult<Assignment> {
        write_tx!(self, keep, |conn| {
            for role in role_ids {
                let found: Option<(String,)> =
                    sqlx::query_as("SELECT id FROM roles WHERE tenant_id = $1 AND id = $2")
                        .bind(self.id())
                        .bind(role)
                        .fetch_optional(&mut *conn)
                        .await?;
                if found.is_none() {
                    return Ok((Assignment::NoRole, false));
                }
            }
            for user in user_ids {
                let found: Option<(String,)> = sqlx::query_as(
                    "SELECT user_id FROM users WHERE tenant_id = $1 AND user_id = $2",
                )
                .bind(self.id())
                .bind(user)
                .fetch_optional(&mut *conn)
                .await?;
                if found.is_none() {
                    return Ok((Assignment::NoUser, false));
                }
                for role in role_ids {
                    let q = if add {
                        sqlx::query(
                            "INSERT INTO user_roles (tenant_id, user_id, role_id, created_at)
                             VALUES ($1, $2, $3, $4) ON CONFLICT DO NOTHING",
                        )
                        .bind(self.id())
                        .bind(user)
                        .bind(role)
                        .bind(now)
                    } else {
                        sqlx::query(
                            "DELETE FROM user_roles WHERE tenant_id = $1 AND user_id = $2 AND role_id = $3",
                        )
                        .bind(self.id())
                        .bind(user)
                        .bind(role)
                    };
                    q.execute(&mut *conn).await?;
                }
            }
            Ok((Assignment::Done, true))
        })
    }

    /// The user's roles, by name.
    pub async fn user_roles(&self, user_id: &str) -> StoreResult<Vec<Role>> {
        let rows: Vec<RoleRow> = with_db!(self, |pool| {
            sqlx::query_as(
                "SELECT r.id, r.name, r.description FROM user_roles ur
                   JOIN roles r ON r.tenant_id = ur.tenant_id AND r.id = ur.role_id
                 WHERE ur.tenant_id = $1 AND ur.user_id = $2
                 ORDER BY r.name, r.id",
            )
            .bind(self.id())
            .bind(user_id)
            .fetch_all(pool)
            .await?
        });
        Ok(rows.into_iter().map(to_role).collect())
    }

    /// Every permission the user holds, with where it comes from: directly,
    /// or through each role that holds it.
    pub async fn user_permissions(
        &self,
        user_id: &str,
    ) -> StoreResult<Vec<(Permission, PermissionSource)>> {
        let rows: Vec<(String, String, Option<String>, Option<String>)> = with_db!(self, |pool| {
            sqlx::query_as(
                "SELECT rs.doc, up.permission_name, CAST(NULL AS TEXT), CAST(NULL AS TEXT)
                   FROM user_permissions up
                   JOIN resource_servers rs ON rs.tenant_id = up.tenant_id AND rs.id = up.resource_server_id
                  WHERE up.tenant_id = $1 AND up.user_id = $2
                 UNION ALL
                 SELECT rs.doc, rp.permission_name, r.id, r.name
                   FROM user_roles ur
                   JOIN roles r ON r.tenant_id = ur.tenant_id AND r.id = ur.role_id
                   JOIN role_permissions rp ON rp.tenant_id = ur.tenant_id AND rp.role_id = ur.role_id
                   JOIN resource_servers rs ON rs.tenant_id = rp.tenant_id AND rs.id = rp.resource_server_id
                  WHERE ur.tenant_id = $1 AND ur.user_id = $2",
            )
            .bind(self.id())
            .bind(user_id)
            .fetch_all(pool)
            .await?
        });
        rows.into_iter()
            .map(|(doc, name, role_id, role_name)| {
                let source = match (role_id, role_name) {
                    (Some(id), Some(name)) => PermissionSource::Role { id, name },
                    _ => PermissionSource::Direct,
                };
                Ok((to_permission(&doc, name)?, source))
            })
            .collect()
    }

    /// Adds (`add`) or removes a user's direct permissions; `NoUser` if the
    /// user does not exist.
    pub async fn change_user_permissions(
        &self,
        user_id: &str,
        permissions: &[(String, String)],
        add: bool,
        now: i64,
    ) -> StoreResult<Assignment> {
        write_tx!(self, result, |conn| {
            let user: Option<(String,)> =
                sqlx::query_as("SELECT user_id FROM users WHERE tenant_id = $1 AND user_id = $2")
                    .bind(self.id())
                    .bind(user_id)
                    .fetch_optional(&mut *conn)
                    .await?;
            if user.is_none() {
                return Ok(Assignment::NoUser);
            }
            for (api, name) in permissions {
                let q = if add {
                    sqlx::query(
                        "INSERT INTO user_permissions (tenant_id, user_id, resource_server_id, permission_name, created_at)
                         VALUES ($1, $2, $3, $4, $5) ON CONFLICT DO NOTHING",
                    )
                    .bind(self.id())
                    .bind(user_id)
                    .bind(api)
                    .bind(name)
                    .bind(now)
                } else {
                    sqlx::query(
                        "DELETE FROM user_permissions
                         WHERE tenant_id = $1 AND user_id = $2 AND resource_server_id = $3 AND permission_name = $4",
                    )
                    .bind(self.id())
                    .bind(user_id)
                    .bind(api)
                    .bind(name)
                };
                q.execute(&mut *conn).await?;
            }
            Ok(Assignment::Done)
        })
    }

    /// The permission names the user holds for one API, through a role or
    /// directly: what a token for an API that enforces RBAC may carry.
    pub async fn held_permissions(
        &self,
        user_id: &str,
        resource_server_id: &str,
    ) -> StoreResult<Vec<String>> {
        let rows: Vec<(String,)> = with_db!(self, |pool| {
            sqlx::query_as(
                "SELECT rp.permission_name FROM user_roles ur
                   JOIN role_permissions rp ON rp.tenant_id = ur.tenant_id AND rp.role_id = ur.role_id
                  WHERE ur.tenant_id = $1 AND ur.user_id = $2 AND rp.resource_server_id = $3
                 UNION
                 SELECT permission_name FROM user_permissions
                  WHERE tenant_id = $1 AND user_id = $2 AND resource_server_id = $3
                 ORDER BY 1",
            )
            .bind(self.id())
            .bind(user_id)
            .bind(resource_server_id)
            .fetch_all(pool)
            .await?
        });
        Ok(rows.into_iter().map(|(p,)| p).collect())
    }

    /// The names of the user's roles (`event.authorization.roles`).
    pub async fn user_role_names(&self, user_id: &str) -> StoreResult<Vec<String>> {
        Ok(self
            .user_roles(user_id)
            .await?
            .into_iter()
            .map(|r| r.name)
            .collect())
    }
}
