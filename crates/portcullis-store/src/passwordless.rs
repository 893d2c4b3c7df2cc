//! Passwordless codes and links (Auth0's email and sms connections): one
//! live per connection, recipient and application, stored as a hash. Trying
//! one is decided in one transaction, so a code is accepted once and its
//! wrong attempts are counted on every node.

use portcullis_core::protocol::passwordless::Tried;

use crate::{StoreResult, TenantStore, write_db, write_tx};

/// A code or link to keep.
#[derive(Debug, Clone)]
pub struct NewPasswordlessCode<'a> {
    pub connection: &'a str,
    pub recipient: &'a str,
    pub client_id: &'a str,
    /// `code` or `link`.
    pub kind: &'a str,
    pub code_hash: &'a str,
    /// The `authParams`, as JSON.
    pub auth_params: &'a str,
    pub expires_at: i64,
}

impl TenantStore {
    /// Keeps `c`, replacing the recipient's earlier one for this
    /// application (only the newest works; its attempts start at zero). One
    /// upsert, so concurrent starts never collide.
    pub async fn put_passwordless_code(
        &self,
        c: &NewPasswordlessCode<'_>,
        now: i64,
    ) -> StoreResult<()> {
        write_db!(self, |conn| {
            sqlx::query(
                "INSERT INTO passwordless_codes (tenant_id, connection, recipient, client_id, kind,
                   code_hash, auth_params, attempts, expires_at, created_at)
                 VALUES ($1, $2, $3, $4, $5, $6, $7, 0, $8, $9)
                 ON CONFLICT (tenant_id, connection, recipient, client_id) DO UPDATE SET
                   kind = excluded.kind, code_hash = excluded.code_hash,
                   auth_params = excluded.auth_params, attempts = 0,
                   expires_at = excluded.expires_at, created_at = excluded.created_at",
            )
            .bind(self.id())
            .bind(c.connection)
            .bind(c.recipient)
            .bind(c.client_id)
            .bind(c.kind)
            .bind(c.code_hash)
            .bind(c.auth_params)
            .bind(c.expires_at)
            .bind(now)
            .execute(&mut *conn)
            .await?;
        });
        Ok(())
    }

    /// Removes the code `code_hash` of the recipient, if it is still the
    /// one stored (a send that failed keeps nothing; a newer code stays).
    pub async fn drop_passwordless_code(
        &self,
        key: (&str, &str, &str),
        code_hash: &str,
    ) -> StoreResult<()> {
        let (connection, recipient, client_id) = key;
        write_db!(self, |conn| {
            sqlx::query(
                "DELETE FROM passwordless_codes
                 WHERE tenant_id = $1 AND connection = $2 AND recipient = $3 AND client_id = $4
                   AND code_hash = $5",
            )
            .bind(self.id())
            .bind(connection)
            .bind(recipient)
            .bind(client_id)
            .bind(code_hash)
            .execute(&mut *conn)
            .await?;
        });
        Ok(())
    }

    /// Tries `code_hash` (of `kind`) for the recipient and application.
    /// Every try first counts an attempt, which locks the row, so
    /// concurrent tries are decided one after another on every node: a
    /// right code within `max_attempts` tries is spent; the
    /// `max_attempts`-th wrong one ends the code.
    pub async fn try_passwordless_code(
        &self,
        key: (&str, &str, &str),
        kind: &str,
        code_hash: &str,
        now: i64,
        max_attempts: i64,
    ) -> StoreResult<Tried> {
        let (connection, recipient, client_id) = key;
        let tried = write_tx!(self, |conn| {
            let counted: Option<(String, String, i64, i64)> = sqlx::query_as(
                "UPDATE passwordless_codes SET attempts = attempts + 1
                 WHERE tenant_id = $1 AND connection = $2 AND recipient = $3 AND client_id = $4
                   AND kind = $5
                 RETURNING code_hash, auth_params, attempts, expires_at",
            )
            .bind(self.id())
            .bind(connection)
            .bind(recipient)
            .bind(client_id)
            .bind(kind)
            .fetch_optional(&mut *conn)
            .await?;
            let verdict = match counted {
                None => Tried::Unknown,
                Some((_, _, _, expires_at)) if expires_at <= now => Tried::Expired,
                Some((stored, params, attempts, _))
                    if attempts <= max_attempts
                        && portcullis_core::secrets::constant_time_eq(&stored, code_hash) =>
                {
                    let auth_params: Vec<(String, String)> =
                        serde_json::from_str(&params).unwrap_or_default();
                    Tried::Accepted { auth_params }
                }
                Some((_, _, attempts, _)) if attempts >= max_attempts => Tried::Exhausted,
                Some(_) => Tried::Wrong,
            };
            if !matches!(verdict, Tried::Wrong | Tried::Unknown) {
                sqlx::query(
                    "DELETE FROM passwordless_codes
                     WHERE tenant_id = $1 AND connection = $2 AND recipient = $3 AND client_id = $4",
                )
                .bind(self.id())
                .bind(connection)
                .bind(recipient)
                .bind(client_id)
                .execute(&mut *conn)
                .await?;
            }
            verdict
        });
        Ok(tried)
    }
}
