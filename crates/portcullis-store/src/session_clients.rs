//! The applications a session signed in to (only those with a back-channel
//! logout URL are recorded), for back-channel logout when it ends.

use crate::{StoreResult, TenantStore, with_db, write_db};

impl TenantStore {
    /// Records that session `session_id` signed in to `client_id` (once).
    pub async fn record_session_client(
        &self,
        session_id: &str,
        client_id: &str,
        now: i64,
    ) -> StoreResult<()> {
        write_db!(self, |conn| {
            sqlx::query(
                "INSERT INTO session_clients (tenant_id, session_id, client_id, created_at)
                 VALUES ($1, $2, $3, $4) ON CONFLICT DO NOTHING",
            )
            .bind(self.id())
            .bind(session_id)
            .bind(client_id)
            .bind(now)
            .execute(&mut *conn)
            .await?;
        });
        Ok(())
    }

    /// The applications session `session_id` signed in to, and its user.
    pub async fn session_clients(
        &self,
        session_id: &str,
    ) -> StoreResult<(Option<String>, Vec<String>)> {
        let rows: Vec<(String, String)> = with_db!(self, |pool| {
            sqlx::query_as(
                "SELECT sc.client_id, s.user_id FROM session_clients sc
                 JOIN sessions s ON s.tenant_id = sc.tenant_id AND s.id = sc.session_id
                 WHERE sc.tenant_id = $1 AND sc.session_id = $2 ORDER BY sc.client_id",
            )
            .bind(self.id())
            .bind(session_id)
            .fetch_all(pool)
            .await?
        });
        let user = rows.first().map(|(_, u)| u.clone());
        Ok((user, rows.into_iter().map(|(c, _)| c).collect()))
    }
}
