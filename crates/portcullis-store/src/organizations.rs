//! Organizations, their members and members' organization roles, the
//! connections members sign in with, and pending invitations.
//!
//! Invariants:
//! - An assignment naming a missing organization, user, role or connection
//!   changes nothing (checked and written in one transaction); adding what is
//!   already there is not an error (Auth0's behaviour).
//! - Joining an organization (an accepted invitation, or membership on login)
//!   is one transaction: the membership, its roles, and the invitation's
//!   deletion land together, and an invitation is accepted at most once.
//! - An invitation's ticket is stored as a hash (to find it) and sealed by the
//!   caller (to show its link again), never in the clear.

use portcullis_core::organizations::{EnabledConnection, Invitation, Organization};
use portcullis_core::roles::Role;
use portcullis_core::users::User;

use crate::{Page, StoreResult, TenantStore, decode, encode, with_db, write_tx};

/// Why a change to an organization's members changed nothing.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum OrgChange {
    Done,
    NoOrganization,
    NoUser,
    NoRole,
    /// The user is not a member (member roles).
    NotMember,
}

/// An enabled connection with its connection's name and strategy.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OrgConnection {
    pub enabled: EnabledConnection,
    pub name: String,
    pub strategy: String,
}

/// A member as the API lists them.
#[derive(Debug, Clone)]
pub struct OrgMember {
    pub user: User,
    pub roles: Vec<Role>,
}

type ConnRow = (String, bool, bool, bool, String, String);

fn to_conn((id, assign, button, signup, name, strategy): ConnRow) -> OrgConnection {
    OrgConnection {
        enabled: EnabledConnection {
            connection_id: id,
            assign_membership_on_login: assign,
            show_as_button: button,
            is_signup_enabled: signup,
        },
        name,
        strategy,
    }
}

const CONN_SELECT: &str =
    "SELECT oc.connection_id, oc.assign_membership_on_login, oc.show_as_button,
        oc.is_signup_enabled, c.name, c.strategy
   FROM organization_connections oc
   JOIN connections c ON c.tenant_id = oc.tenant_id AND c.id = oc.connection_id
  WHERE oc.tenant_id = $1 AND oc.organization_id = $2";

/// Whether `$sql` (a `SELECT` of one text column, bound to the rest) finds a
/// row, on `$exec` (a pool, or a transaction's connection).
macro_rules! found {
    ($exec:expr, $sql:expr $(, $bind:expr)* $(,)?) => {{
        let row: Option<(String,)> = sqlx::query_as($sql)
            $(.bind($bind))*
            .fetch_optional($exec)
            .await?;
        row.is_some()
    }};
}

/// A user's membership of an organization.
const MEMBER: &str = "SELECT user_id FROM organization_members
   WHERE tenant_id = $1 AND organization_id = $2 AND user_id = $3";

/// Inserts an enabled connection (inside a transaction).
macro_rules! insert_connection {
    ($conn:expr, $tenant:expr, $org:expr, $c:expr, $now:expr) => {
        sqlx::query(
            "INSERT INTO organization_connections (tenant_id, organization_id, connection_id,
               assign_membership_on_login, show_as_button, is_signup_enabled, created_at)
             VALUES ($1, $2, $3, $4, $5, $6, $7)",
        )
        .bind($tenant)
        .bind($org)
        .bind(&$c.connection_id)
        .bind($c.assign_membership_on_login)
        .bind($c.show_as_button)
        .bind($c.is_signup_enabled)
        .bind($now)
        .execute($conn)
        .await?
    };
}

/// An invitation's document with its expiry from its column, the one the
/// sweep and `join_organization` read: one expiry, whichever is asked.
fn invitation(doc: &str, expires_at: i64) -> StoreResult<Invitation> {
    let mut inv: Invitation = decode(doc)?;
    inv.expires_at = expires_at;
    Ok(inv)
}

impl TenantStore {
    /// `Conflict` if the name is taken (or a connection is given twice);
    /// `MissingReference` if a connection does not exist.
    pub async fn insert_organization(
        &self,
        org: &Organization,
        connections: &[EnabledConnection],
        now: i64,
    ) -> StoreResult<()> {
        let doc = encode(org)?;
        write_tx!(self, |conn| {
            sqlx::query(
                "INSERT INTO organizations (tenant_id, id, name, doc, created_at, updated_at)
                 VALUES ($1, $2, $3, $4, $5, $5)",
            )
            .bind(self.id())
            .bind(&org.id)
            .bind(&org.name)
            .bind(&doc)
            .bind(now)
            .execute(&mut *conn)
            .await?;
            for c in connections {
                insert_connection!(&mut *conn, self.id(), &org.id, c, now);
            }
        });
        Ok(())
    }

    pub async fn get_organization(&self, id: &str) -> StoreResult<Option<Organization>> {
        let row: Option<(String,)> = with_db!(self, |pool| {
            sqlx::query_as("SELECT doc FROM organizations WHERE tenant_id = $1 AND id = $2")
                .bind(self.id())
                .bind(id)
                .fetch_optional(pool)
                .await?
        });
        row.map(|(d,)| decode(&d)).transpose()
    }

    pub async fn get_organization_by_name(&self, name: &str) -> StoreResult<Option<Organization>> {
        let row: Option<(String,)> = with_db!(self, |pool| {
            sqlx::query_as("SELECT doc FROM organizations WHERE tenant_id = $1 AND name = $2")
                .bind(self.id())
                .bind(name)
                .fetch_optional(pool)
                .await?
        });
        row.map(|(d,)| decode(&d)).transpose()
    }

    /// Organizations by id: a page with the total.
    pub async fn list_organizations(&self, page: Page) -> StoreResult<(Vec<Organization>, i64)> {
        let (rows, total): (Vec<(String,)>, (i64,)) = with_db!(self, |pool| {
            let rows = sqlx::query_as(
                "SELECT doc FROM organizations WHERE tenant_id = $1 ORDER BY id LIMIT $2 OFFSET $3",
            )
            .bind(self.id())
            .bind(page.limit())
            .bind(page.offset())
            .fetch_all(pool)
            .await?;
            let total = sqlx::query_as("SELECT COUNT(*) FROM organizations WHERE tenant_id = $1")
                .bind(self.id())
                .fetch_one(pool)
                .await?;
            (rows, total)
        });
        let orgs = rows
            .iter()
            .map(|(d,)| decode(d))
            .collect::<StoreResult<_>>()?;
        Ok((orgs, total.0))
    }

    /// Checkpoint paging: up to `take` organizations whose id sorts after
    /// `after`.
    pub async fn organizations_after(
        &self,
        after: Option<&str>,
        take: u32,
    ) -> StoreResult<Vec<Organization>> {
        let rows: Vec<(String,)> = with_db!(self, |pool| {
            sqlx::query_as(
                "SELECT doc FROM organizations WHERE tenant_id = $1
                   AND (CAST($2 AS TEXT) IS NULL OR id > $2)
                 ORDER BY id LIMIT $3",
            )
            .bind(self.id())
            .bind(after)
            .bind(i64::from(take))
            .fetch_all(pool)
            .await?
        });
        rows.iter().map(|(d,)| decode(d)).collect()
    }

    /// `false` if no such organization; `Conflict` if the new name is taken.
    pub async fn update_organization(&self, org: &Organization, now: i64) -> StoreResult<bool> {
        let doc = encode(org)?;
        let n = write_tx!(self, |conn| {
            sqlx::query(
                "UPDATE organizations SET name = $3, doc = $4, updated_at = $5
                 WHERE tenant_id = $1 AND id = $2",
            )
            .bind(self.id())
            .bind(&org.id)
            .bind(&org.name)
            .bind(&doc)
            .bind(now)
            .execute(&mut *conn)
            .await?
            .rows_affected()
        });
        Ok(n == 1)
    }

    /// Deletes the organization with its members, their roles, its
    /// connections and invitations (cascade), and ends the refresh tokens
    /// issued in it.
    pub async fn delete_organization(&self, id: &str, now: i64) -> StoreResult<bool> {
        let n = write_tx!(self, |conn| {
            sqlx::query(
                "UPDATE refresh_tokens SET revoked_at = $3
                 WHERE tenant_id = $1 AND organization_id = $2 AND revoked_at IS NULL",
            )
            .bind(self.id())
            .bind(id)
            .bind(now)
            .execute(&mut *conn)
            .await?;
            sqlx::query("DELETE FROM organizations WHERE tenant_id = $1 AND id = $2")
                .bind(self.id())
                .bind(id)
                .execute(&mut *conn)
                .await?
                .rows_affected()
        });
        Ok(n == 1)
    }

    // ---- members ------------------------------------------------------------

    /// Makes `user_ids` members, all or nothing.
    pub async fn add_organization_members(
        &self,
        org_id: &str,
        user_ids: &[String],
        now: i64,
    ) -> StoreResult<OrgChange> {
        write_tx!(self, keep, |conn| {
            if !found!(
                &mut *conn,
                "SELECT id FROM organizations WHERE tenant_id = $1 AND id = $2",
                self.id(),
                org_id
            ) {
                return Ok((OrgChange::NoOrganization, false));
            }
            for user in user_ids {
                if !found!(
                    &mut *conn,
                    "SELECT user_id FROM users WHERE tenant_id = $1 AND user_id = $2",
                    self.id(),
                    user
                ) {
                    return Ok((OrgChange::NoUser, false));
                }
                sqlx::query(
                    "INSERT INTO organization_members (tenant_id, organization_id, user_id, created_at)
                     VALUES ($1, $2, $3, $4) ON CONFLICT DO NOTHING",
                )
                .bind(self.id())
                .bind(org_id)
                .bind(user)
                .bind(now)
                .execute(&mut *conn)
                .await?;
            }
            Ok((OrgChange::Done, true))
        })
    }

    /// Ends the memberships of `user_ids` (with their organization roles),
    /// and the refresh tokens they were issued in the organization.
    pub async fn remove_organization_members(
        &self,
        org_id: &str,
        user_ids: &[String],
        now: i64,
    ) -> StoreResult<OrgChange> {
        write_tx!(self, keep, |conn| {
            if !found!(
                &mut *conn,
                "SELECT id FROM organizations WHERE tenant_id = $1 AND id = $2",
                self.id(),
                org_id
            ) {
                return Ok((OrgChange::NoOrganization, false));
            }
            for user in user_ids {
                sqlx::query(
                    "DELETE FROM organization_members
                     WHERE tenant_id = $1 AND organization_id = $2 AND user_id = $3",
                )
                .bind(self.id())
                .bind(org_id)
                .bind(user)
                .execute(&mut *conn)
                .await?;
                sqlx::query(
                    "UPDATE refresh_tokens SET revoked_at = $4
                     WHERE tenant_id = $1 AND organization_id = $2 AND user_id = $3 AND revoked_at IS NULL",
                )
                .bind(self.id())
                .bind(org_id)
                .bind(user)
                .bind(now)
                .execute(&mut *conn)
                .await?;
            }
            Ok((OrgChange::Done, true))
        })
    }

    pub async fn is_organization_member(&self, org_id: &str, user_id: &str) -> StoreResult<bool> {
        Ok(with_db!(self, |pool| found!(
            pool,
            MEMBER,
            self.id(),
            org_id,
            user_id
        )))
    }

    /// Members by user id after `after` (checkpoint paging when `take` is
    /// given), or a page with the total.
    pub async fn organization_members(
        &self,
        org_id: &str,
        after: Option<&str>,
        page: Page,
    ) -> StoreResult<(Vec<OrgMember>, i64)> {
        let (rows, total): (Vec<crate::users::Row>, (i64,)) = with_db!(self, |pool| {
            let rows = sqlx::query_as(
                "SELECT u.doc, u.password_hash, u.logins_count, u.last_login FROM organization_members m
                   JOIN users u ON u.tenant_id = m.tenant_id AND u.user_id = m.user_id
                 WHERE m.tenant_id = $1 AND m.organization_id = $2
                   AND (CAST($3 AS TEXT) IS NULL OR m.user_id > $3)
                 ORDER BY m.user_id LIMIT $4 OFFSET $5",
            )
            .bind(self.id())
            .bind(org_id)
            .bind(after)
            .bind(page.limit())
            .bind(page.offset())
            .fetch_all(pool)
            .await?;
            let total = sqlx::query_as(
                "SELECT COUNT(*) FROM organization_members WHERE tenant_id = $1 AND organization_id = $2",
            )
            .bind(self.id())
            .bind(org_id)
            .fetch_one(pool)
            .await?;
            (rows, total)
        });
        let mut out = Vec::with_capacity(rows.len());
        for r in &rows {
            let user = crate::users::to_user(r)?;
            let roles = self
                .organization_member_roles(org_id, &user.user_id)
                .await?;
            out.push(OrgMember { user, roles });
        }
        Ok((out, total.0))
    }

    /// The organizations `user_id` is a member of, by id.
    pub async fn user_organizations(&self, user_id: &str) -> StoreResult<Vec<Organization>> {
        let rows: Vec<(String,)> = with_db!(self, |pool| {
            sqlx::query_as(
                "SELECT o.doc FROM organization_members m
                   JOIN organizations o ON o.tenant_id = m.tenant_id AND o.id = m.organization_id
                 WHERE m.tenant_id = $1 AND m.user_id = $2 ORDER BY o.id",
            )
            .bind(self.id())
            .bind(user_id)
            .fetch_all(pool)
            .await?
        });
        rows.iter().map(|(d,)| decode(d)).collect()
    }

    /// A member's organization roles, by name.
    pub async fn organization_member_roles(
        &self,
        org_id: &str,
        user_id: &str,
    ) -> StoreResult<Vec<Role>> {
        let rows: Vec<(String, String, String)> = with_db!(self, |pool| {
            sqlx::query_as(
                "SELECT r.id, r.name, r.description FROM organization_member_roles mr
                   JOIN roles r ON r.tenant_id = mr.tenant_id AND r.id = mr.role_id
                 WHERE mr.tenant_id = $1 AND mr.organization_id = $2 AND mr.user_id = $3
                 ORDER BY r.name, r.id",
            )
            .bind(self.id())
            .bind(org_id)
            .bind(user_id)
            .fetch_all(pool)
            .await?
        });
        Ok(rows
            .into_iter()
            .map(|(id, name, description)| Role {
                id,
                name,
                description,
            })
            .collect())
    }

    /// Gives (`add`) or takes away a member's organization roles, all or
    /// nothing.
    pub async fn change_organization_member_roles(
        &self,
        org_id: &str,
        user_id: &str,
        role_ids: &[String],
        add: bool,
        now: i64,
    ) -> StoreResult<OrgChange> {
        write_tx!(self, keep, |conn| {
            if !found!(
                &mut *conn,
                "SELECT id FROM organizations WHERE tenant_id = $1 AND id = $2",
                self.id(),
                org_id
            ) {
                return Ok((OrgChange::NoOrganization, false));
            }
            if !found!(&mut *conn, MEMBER, self.id(), org_id, user_id) {
                return Ok((OrgChange::NotMember, false));
            }
            for role in role_ids {
                if !found!(
                    &mut *conn,
                    "SELECT id FROM roles WHERE tenant_id = $1 AND id = $2",
                    self.id(),
                    role
                ) {
                    return Ok((OrgChange::NoRole, false));
                }
                let q = if add {
                    sqlx::query(
                        "INSERT INTO organization_member_roles (tenant_id, organization_id, user_id, role_id, created_at)
                         VALUES ($1, $2, $3, $4, $5) ON CONFLICT DO NOTHING",
                    )
                    .bind(self.id())
                    .bind(org_id)
                    .bind(user_id)
                    .bind(role)
                    .bind(now)
                } else {
                    sqlx::query(
                        "DELETE FROM organization_member_roles
                         WHERE tenant_id = $1 AND organization_id = $2 AND user_id = $3 AND role_id = $4",
                    )
                    .bind(self.id())
                    .bind(org_id)
                    .bind(user_id)
                    .bind(role)
                };
                q.execute(&mut *conn).await?;
            }
            Ok((OrgChange::Done, true))
        })
    }

    /// The permissions a member holds at API `resource_server_id` through
    /// their organization roles.
    pub async fn organization_member_permissions(
        &self,
        org_id: &str,
        user_id: &str,
        resource_server_id: &str,
    ) -> StoreResult<Vec<String>> {
        let rows: Vec<(String,)> = with_db!(self, |pool| {
            sqlx::query_as(
                "SELECT DISTINCT rp.permission_name FROM organization_member_roles mr
                   JOIN role_permissions rp ON rp.tenant_id = mr.tenant_id AND rp.role_id = mr.role_id
                 WHERE mr.tenant_id = $1 AND mr.organization_id = $2 AND mr.user_id = $3
                   AND rp.resource_server_id = $4
                 ORDER BY rp.permission_name",
            )
            .bind(self.id())
            .bind(org_id)
            .bind(user_id)
            .bind(resource_server_id)
            .fetch_all(pool)
            .await?
        });
        Ok(rows.into_iter().map(|(p,)| p).collect())
    }

    /// Makes `user_id` a member with `role_ids` (those that still exist), and
    /// with an invitation takes it and writes the user's record as accepting
    /// it made it (`Invitation::accepted_by`), in one transaction. `false`
    /// when the invitation was already taken (accepted or deleted meanwhile):
    /// then nothing is written.
    pub async fn join_organization(
        &self,
        org_id: &str,
        user_id: &str,
        role_ids: &[String],
        invitation: Option<(&str, &User)>,
        now: i64,
    ) -> StoreResult<bool> {
        let accepted = match invitation {
            Some((id, user)) => Some((id, user, encode(user)?)),
            None => None,
        };
        write_tx!(self, keep, |conn| {
            if let Some((inv, user, doc)) = &accepted {
                let n = sqlx::query(
                    "DELETE FROM organization_invitations
                     WHERE tenant_id = $1 AND organization_id = $2 AND id = $3 AND expires_at > $4",
                )
                .bind(self.id())
                .bind(org_id)
                .bind(inv)
                .bind(now)
                .execute(&mut *conn)
                .await?
                .rows_affected();
                if n != 1 {
                    return Ok((false, false));
                }
                crate::users::update_user_row!(conn, self.id(), *user, None::<&str>, doc, now);
            }
            sqlx::query(
                "INSERT INTO organization_members (tenant_id, organization_id, user_id, created_at)
                 VALUES ($1, $2, $3, $4) ON CONFLICT DO NOTHING",
            )
            .bind(self.id())
            .bind(org_id)
            .bind(user_id)
            .bind(now)
            .execute(&mut *conn)
            .await?;
            for role in role_ids {
                // A role deleted since the invitation was made is skipped.
                sqlx::query(
                    "INSERT INTO organization_member_roles (tenant_id, organization_id, user_id, role_id, created_at)
                     SELECT $1, $2, $3, id, $5 FROM roles WHERE tenant_id = $1 AND id = $4
                     ON CONFLICT DO NOTHING",
                )
                .bind(self.id())
                .bind(org_id)
                .bind(user_id)
                .bind(role)
                .bind(now)
                .execute(&mut *conn)
                .await?;
            }
            Ok((true, true))
        })
    }

    // ---- enabled connections ----------------------------------------------

    pub async fn organization_connections(&self, org_id: &str) -> StoreResult<Vec<OrgConnection>> {
        let rows: Vec<ConnRow> = with_db!(self, |pool| {
            sqlx::query_as(sqlx::AssertSqlSafe(format!(
                "{CONN_SELECT} ORDER BY oc.connection_id"
            )))
            .bind(self.id())
            .bind(org_id)
            .fetch_all(pool)
            .await?
        });
        Ok(rows.into_iter().map(to_conn).collect())
    }

    pub async fn organization_connection(
        &self,
        org_id: &str,
        connection_id: &str,
    ) -> StoreResult<Option<OrgConnection>> {
        let row: Option<ConnRow> = with_db!(self, |pool| {
            sqlx::query_as(sqlx::AssertSqlSafe(format!(
                "{CONN_SELECT} AND oc.connection_id = $3"
            )))
            .bind(self.id())
            .bind(org_id)
            .bind(connection_id)
            .fetch_optional(pool)
            .await?
        });
        Ok(row.map(to_conn))
    }

    /// `Conflict` if already enabled; `MissingReference` if the organization
    /// or connection does not exist.
    pub async fn add_organization_connection(
        &self,
        org_id: &str,
        c: &EnabledConnection,
        now: i64,
    ) -> StoreResult<()> {
        write_tx!(self, |conn| {
            insert_connection!(&mut *conn, self.id(), org_id, c, now);
        });
        Ok(())
    }

    pub async fn update_organization_connection(
        &self,
        org_id: &str,
        c: &EnabledConnection,
    ) -> StoreResult<bool> {
        let n = write_tx!(self, |conn| {
            sqlx::query(
                "UPDATE organization_connections SET assign_membership_on_login = $4,
                   show_as_button = $5, is_signup_enabled = $6
                 WHERE tenant_id = $1 AND organization_id = $2 AND connection_id = $3",
            )
            .bind(self.id())
            .bind(org_id)
            .bind(&c.connection_id)
            .bind(c.assign_membership_on_login)
            .bind(c.show_as_button)
            .bind(c.is_signup_enabled)
            .execute(&mut *conn)
            .await?
            .rows_affected()
        });
        Ok(n == 1)
    }

    pub async fn delete_organization_connection(
        &self,
        org_id: &str,
        connection_id: &str,
    ) -> StoreResult<bool> {
        let n = write_tx!(self, |conn| {
            sqlx::query(
                "DELETE FROM organization_connections
                 WHERE tenant_id = $1 AND organization_id = $2 AND connection_id = $3",
            )
            .bind(self.id())
            .bind(org_id)
            .bind(connection_id)
            .execute(&mut *conn)
            .await?
            .rows_affected()
        });
        Ok(n == 1)
    }

    // ---- invitations --------------------------------------------------------

    /// `MissingReference` if the organization does not exist.
    pub async fn insert_organization_invitation(
        &self,
        inv: &Invitation,
        ticket_hash: &str,
        ticket_sealed: &str,
    ) -> StoreResult<()> {
        let doc = encode(inv)?;
        write_tx!(self, |conn| {
            sqlx::query(
                "INSERT INTO organization_invitations (tenant_id, id, organization_id, ticket_hash,
                   ticket_sealed, doc, created_at, expires_at)
                 VALUES ($1, $2, $3, $4, $5, $6, $7, $8)",
            )
            .bind(self.id())
            .bind(&inv.id)
            .bind(&inv.organization_id)
            .bind(ticket_hash)
            .bind(ticket_sealed)
            .bind(&doc)
            .bind(inv.created_at)
            .bind(inv.expires_at)
            .execute(&mut *conn)
            .await?;
        });
        Ok(())
    }

    /// An organization's invitations, newest first, each with its sealed
    /// ticket.
    pub async fn organization_invitations(
        &self,
        org_id: &str,
    ) -> StoreResult<Vec<(Invitation, String)>> {
        let rows: Vec<(String, String, i64)> = with_db!(self, |pool| {
            sqlx::query_as(
                "SELECT doc, ticket_sealed, expires_at FROM organization_invitations
                 WHERE tenant_id = $1 AND organization_id = $2 ORDER BY created_at DESC, id",
            )
            .bind(self.id())
            .bind(org_id)
            .fetch_all(pool)
            .await?
        });
        rows.into_iter()
            .map(|(d, s, e)| Ok((invitation(&d, e)?, s)))
            .collect()
    }

    pub async fn get_organization_invitation(
        &self,
        org_id: &str,
        id: &str,
    ) -> StoreResult<Option<(Invitation, String)>> {
        let row: Option<(String, String, i64)> = with_db!(self, |pool| {
            sqlx::query_as(
                "SELECT doc, ticket_sealed, expires_at FROM organization_invitations
                 WHERE tenant_id = $1 AND organization_id = $2 AND id = $3",
            )
            .bind(self.id())
            .bind(org_id)
            .bind(id)
            .fetch_optional(pool)
            .await?
        });
        row.map(|(d, s, e)| Ok((invitation(&d, e)?, s))).transpose()
    }

    /// The invitation whose link carries the ticket hashed to `ticket_hash`.
    pub async fn find_organization_invitation(
        &self,
        ticket_hash: &str,
    ) -> StoreResult<Option<Invitation>> {
        let row: Option<(String, i64)> = with_db!(self, |pool| {
            sqlx::query_as(
                "SELECT doc, expires_at FROM organization_invitations
                 WHERE tenant_id = $1 AND ticket_hash = $2",
            )
            .bind(self.id())
            .bind(ticket_hash)
            .fetch_optional(pool)
            .await?
        });
        row.map(|(d, e)| invitation(&d, e)).transpose()
    }

    pub async fn delete_organization_invitation(
        &self,
        org_id: &str,
        id: &str,
    ) -> StoreResult<bool> {
        let n = write_tx!(self, |conn| {
            sqlx::query(
                "DELETE FROM organization_invitations
                 WHERE tenant_id = $1 AND organization_id = $2 AND id = $3",
            )
            .bind(self.id())
            .bind(org_id)
            .bind(id)
            .execute(&mut *conn)
            .await?
            .rows_affected()
        });
        Ok(n == 1)
    }

    // ---- client grants -----------------------------------------------------

    /// The client grants associated with the organization, by grant id.
    pub async fn organization_client_grants(
        &self,
        org_id: &str,
    ) -> StoreResult<Vec<portcullis_core::client_grants::ClientGrant>> {
        let rows: Vec<(String,)> = with_db!(self, |pool| {
            sqlx::query_as(
                "SELECT g.doc FROM organization_client_grants o
                   JOIN client_grants g ON g.tenant_id = o.tenant_id AND g.id = o.grant_id
                 WHERE o.tenant_id = $1 AND o.organization_id = $2 ORDER BY o.grant_id",
            )
            .bind(self.id())
            .bind(org_id)
            .fetch_all(pool)
            .await?
        });
        rows.iter().map(|(d,)| decode(d)).collect()
    }

    /// Whether grant `grant_id` is associated with the organization.
    pub async fn is_organization_client_grant(
        &self,
        org_id: &str,
        grant_id: &str,
    ) -> StoreResult<bool> {
        Ok(with_db!(self, |pool| found!(
            pool,
            "SELECT grant_id FROM organization_client_grants
             WHERE tenant_id = $1 AND organization_id = $2 AND grant_id = $3",
            self.id(),
            org_id,
            grant_id
        )))
    }

    /// Associates a grant (already associated: not an error);
    /// `MissingReference` if the organization or grant does not exist.
    pub async fn add_organization_client_grant(
        &self,
        org_id: &str,
        grant_id: &str,
        now: i64,
    ) -> StoreResult<()> {
        write_tx!(self, |conn| {
            sqlx::query(
                "INSERT INTO organization_client_grants (tenant_id, organization_id, grant_id, created_at)
                 VALUES ($1, $2, $3, $4) ON CONFLICT DO NOTHING",
            )
            .bind(self.id())
            .bind(org_id)
            .bind(grant_id)
            .bind(now)
            .execute(&mut *conn)
            .await?;
        });
        Ok(())
    }

    pub async fn delete_organization_client_grant(
        &self,
        org_id: &str,
        grant_id: &str,
    ) -> StoreResult<bool> {
        let n = write_tx!(self, |conn| {
            sqlx::query(
                "DELETE FROM organization_client_grants
                 WHERE tenant_id = $1 AND organization_id = $2 AND grant_id = $3",
            )
            .bind(self.id())
            .bind(org_id)
            .bind(grant_id)
            .execute(&mut *conn)
            .await?
            .rows_affected()
        });
        Ok(n == 1)
    }
}
