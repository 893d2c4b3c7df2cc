//! Dashboard members and their dashboard sessions (`portcullis_core::members`).
//! A table of their own: no query of `users` ever returns a member, and no
//! query here returns a user.

use portcullis_core::members::{Member, Role};

use crate::{StoreError, StoreResult, TenantStore, with_db, write_db, write_tx};

const COLUMNS: &str = "id, email, role, created_at, last_login, logins_count";

type Row = (String, String, String, i64, Option<i64>, i64);
/// A [`Row`] and the password hash.
type RowWithHash = (String, String, String, i64, Option<i64>, i64, String);

fn to_member(r: Row) -> StoreResult<Member> {
    let role = Role::parse(&r.2)
        .ok_or_else(|| StoreError::Undecodable(format!("member role {:?}", r.2)))?;
    Ok(Member {
        id: r.0,
        email: r.1,
        role,
        created_at: r.3,
        last_login: r.4,
        logins_count: r.5,
    })
}

/// A dashboard session as stored.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MemberSession {
    pub id: String,
    pub member_id: String,
    pub auth_time: i64,
    pub expires_at: i64,
}

impl TenantStore {
    /// Adds a member; `Err(Conflict)` when the e-mail address is taken.
    pub async fn create_member(&self, m: &Member, password_hash: &str) -> StoreResult<()> {
        write_db!(self, |conn| {
            sqlx::query(
                "INSERT INTO members (tenant_id, id, email, password_hash, role, created_at, updated_at)
                 VALUES ($1, $2, $3, $4, $5, $6, $6)",
            )
            .bind(self.id())
            .bind(&m.id)
            .bind(&m.email)
            .bind(password_hash)
            .bind(m.role.as_str())
            .bind(m.created_at)
            .execute(&mut *conn)
            .await?;
        });
        Ok(())
    }

    /// Every member, oldest first.
    pub async fn list_members(&self) -> StoreResult<Vec<Member>> {
        let rows: Vec<Row> = with_db!(self, |pool| {
            sqlx::query_as(sqlx::AssertSqlSafe(format!(
                "SELECT {COLUMNS} FROM members WHERE tenant_id = $1 ORDER BY created_at, id"
            )))
            .bind(self.id())
            .fetch_all(pool)
            .await?
        });
        rows.into_iter().map(to_member).collect()
    }

    pub async fn get_member(&self, id: &str) -> StoreResult<Option<Member>> {
        let row: Option<Row> = with_db!(self, |pool| {
            sqlx::query_as(sqlx::AssertSqlSafe(format!(
                "SELECT {COLUMNS} FROM members WHERE tenant_id = $1 AND id = $2"
            )))
            .bind(self.id())
            .bind(id)
            .fetch_optional(pool)
            .await?
        });
        row.map(to_member).transpose()
    }

    /// The member signing in as `email` (already normalised), with the hash.
    pub async fn find_member_by_email(&self, email: &str) -> StoreResult<Option<(Member, String)>> {
        let row: Option<RowWithHash> = with_db!(self, |pool| {
            sqlx::query_as(sqlx::AssertSqlSafe(format!(
                "SELECT {COLUMNS}, password_hash FROM members WHERE tenant_id = $1 AND email = $2"
            )))
            .bind(self.id())
            .bind(email)
            .fetch_optional(pool)
            .await?
        });
        row.map(|r| Ok((to_member((r.0, r.1, r.2, r.3, r.4, r.5))?, r.6)))
            .transpose()
    }

    /// Changes a member's role; `false` if there is no such member.
    pub async fn set_member_role(&self, id: &str, role: Role, now: i64) -> StoreResult<bool> {
        let n = write_db!(self, |conn| {
            sqlx::query(
                "UPDATE members SET role = $3, updated_at = $4 WHERE tenant_id = $1 AND id = $2",
            )
            .bind(self.id())
            .bind(id)
            .bind(role.as_str())
            .bind(now)
            .execute(&mut *conn)
            .await?
            .rows_affected()
        });
        Ok(n == 1)
    }

    /// Sets a member's password and ends the member's sessions (a new password
    /// is how a member takes back an account); `false` if there is no such member.
    pub async fn set_member_password(&self, id: &str, hash: &str, now: i64) -> StoreResult<bool> {
        let changed = write_tx!(self, |conn| {
            sqlx::query("DELETE FROM member_sessions WHERE tenant_id = $1 AND member_id = $2")
                .bind(self.id())
                .bind(id)
                .execute(&mut *conn)
                .await?;
            sqlx::query(
                "UPDATE members SET password_hash = $3, updated_at = $4 WHERE tenant_id = $1 AND id = $2",
            )
            .bind(self.id())
            .bind(id)
            .bind(hash)
            .bind(now)
            .execute(&mut *conn)
            .await?
            .rows_affected()
                == 1
        });
        Ok(changed)
    }

    /// Removes a member (and, by the foreign key, the member's sessions);
    /// `false` if there was no such member.
    pub async fn delete_member(&self, id: &str) -> StoreResult<bool> {
        let n = write_tx!(self, |conn| {
            sqlx::query("DELETE FROM member_sessions WHERE tenant_id = $1 AND member_id = $2")
                .bind(self.id())
                .bind(id)
                .execute(&mut *conn)
                .await?;
            sqlx::query("DELETE FROM members WHERE tenant_id = $1 AND id = $2")
                .bind(self.id())
                .bind(id)
                .execute(&mut *conn)
                .await?
                .rows_affected()
        });
        Ok(n == 1)
    }

    /// Counts a successful sign-in.
    pub async fn record_member_login(&self, id: &str, now: i64) -> StoreResult<()> {
        write_db!(self, |conn| {
            sqlx::query(
                "UPDATE members SET last_login = $3, logins_count = logins_count + 1
                 WHERE tenant_id = $1 AND id = $2",
            )
            .bind(self.id())
            .bind(id)
            .bind(now)
            .execute(&mut *conn)
            .await?;
        });
        Ok(())
    }

    /// Starts a dashboard session, stored by the hash of its cookie.
    pub async fn create_member_session(
        &self,
        token_hash: &str,
        s: &MemberSession,
    ) -> StoreResult<()> {
        write_db!(self, |conn| {
            sqlx::query(
                "INSERT INTO member_sessions (tenant_id, id, token_hash, member_id, auth_time, expires_at)
                 VALUES ($1, $2, $3, $4, $5, $6)",
            )
            .bind(self.id())
            .bind(&s.id)
            .bind(token_hash)
            .bind(&s.member_id)
            .bind(s.auth_time)
            .bind(s.expires_at)
            .execute(&mut *conn)
            .await?;
        });
        Ok(())
    }

    /// The live dashboard session whose cookie hashes to `token_hash`.
    pub async fn find_member_session(
        &self,
        token_hash: &str,
        now: i64,
    ) -> StoreResult<Option<MemberSession>> {
        let row: Option<(String, String, i64, i64)> = with_db!(self, |pool| {
            sqlx::query_as(
                "SELECT id, member_id, auth_time, expires_at FROM member_sessions
                 WHERE tenant_id = $1 AND token_hash = $2 AND expires_at > $3",
            )
            .bind(self.id())
            .bind(token_hash)
            .bind(now)
            .fetch_optional(pool)
            .await?
        });
        Ok(
            row.map(|(id, member_id, auth_time, expires_at)| MemberSession {
                id,
                member_id,
                auth_time,
                expires_at,
            }),
        )
    }

    /// Ends the dashboard session whose cookie hashes to `token_hash`.
    pub async fn end_member_session(&self, token_hash: &str) -> StoreResult<()> {
        write_db!(self, |conn| {
            sqlx::query("DELETE FROM member_sessions WHERE tenant_id = $1 AND token_hash = $2")
                .bind(self.id())
                .bind(token_hash)
                .execute(&mut *conn)
                .await?;
        });
        Ok(())
    }
}
