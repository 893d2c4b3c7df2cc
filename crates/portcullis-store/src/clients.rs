//! Clients (Auth0 applications). The secret is stored only as its hash.

use portcullis_core::clients::Client;

use crate::{Page, StoreResult, TenantStore, decode, encode, with_db, write_db, write_tx};

/// `text` as a LIKE pattern that matches exactly it (escape character `\`).
pub fn like_literal(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        if matches!(c, '\\' | '%' | '_') {
            out.push('\\');
        }
        out.push(c);
    }
    out
}

impl TenantStore {
    /// Stores a new client; with `enable_connections` (the tenant flag
    /// `enable_client_connections`, on by default as in Auth0) it is enabled on
    /// every connection in the same transaction.
    pub async fn insert_client(
        &self,
        client: &Client,
        secret_hash: Option<&str>,
        enable_connections: bool,
        now: i64,
    ) -> StoreResult<()> {
        let doc = encode(client)?;
        write_tx!(self, |conn| {
            sqlx::query(
                "INSERT INTO clients (tenant_id, client_id, secret_hash, doc, created_at, updated_at)
                 VALUES ($1, $2, $3, $4, $5, $5)",
            )
            .bind(self.id())
            .bind(&client.client_id)
            .bind(secret_hash)
            .bind(&doc)
            .bind(now)
            .execute(&mut *conn)
            .await?;
            if enable_connections {
                sqlx::query(
                    "INSERT INTO connection_clients (tenant_id, connection_id, client_id)
                     SELECT tenant_id, id, $2 FROM connections WHERE tenant_id = $1",
                )
                .bind(self.id())
                .bind(&client.client_id)
                .execute(&mut *conn)
                .await?;
            }
        });
        Ok(())
    }

    /// The client and its secret hash.
    pub async fn get_client(
        &self,
        client_id: &str,
    ) -> StoreResult<Option<(Client, Option<String>)>> {
        let row: Option<(String, Option<String>)> = with_db!(self, |pool| {
            sqlx::query_as(
                "SELECT doc, secret_hash FROM clients WHERE tenant_id = $1 AND client_id = $2",
            )
            .bind(self.id())
            .bind(client_id)
            .fetch_optional(pool)
            .await?
        });
        row.map(|(doc, hash)| Ok((decode(&doc)?, hash))).transpose()
    }

    /// A page of clients in creation order, and the total count.
    pub async fn list_clients(&self, page: Page) -> StoreResult<(Vec<Client>, i64)> {
        let (rows, total): (Vec<(String,)>, (i64,)) = with_db!(self, |pool| {
            let rows = sqlx::query_as(
                "SELECT doc FROM clients WHERE tenant_id = $1 ORDER BY created_at, client_id LIMIT $2 OFFSET $3",
            )
            .bind(self.id())
            .bind(page.limit())
            .bind(page.offset())
            .fetch_all(pool)
            .await?;
            let total = sqlx::query_as("SELECT COUNT(*) FROM clients WHERE tenant_id = $1")
                .bind(self.id())
                .fetch_one(pool)
                .await?;
            (rows, total)
        });
        let clients = rows
            .iter()
            .map(|(d,)| decode(d))
            .collect::<StoreResult<_>>()?;
        Ok((clients, total.0))
    }

    /// Replaces the client's record; `false` if it does not exist.
    pub async fn update_client(&self, client: &Client, now: i64) -> StoreResult<bool> {
        let doc = encode(client)?;
        let n = write_db!(self, |conn| {
            sqlx::query("UPDATE clients SET doc = $3, updated_at = $4 WHERE tenant_id = $1 AND client_id = $2")
                .bind(self.id())
                .bind(&client.client_id)
                .bind(&doc)
                .bind(now)
                .execute(&mut *conn)
                .await?
                .rows_affected()
        });
        Ok(n == 1)
    }

    /// Replaces the client's secret hash; `false` if the client does not exist.
    pub async fn set_client_secret_hash(
        &self,
        client_id: &str,
        hash: Option<&str>,
        now: i64,
    ) -> StoreResult<bool> {
        let n = write_db!(self, |conn| {
            sqlx::query("UPDATE clients SET secret_hash = $3, updated_at = $4 WHERE tenant_id = $1 AND client_id = $2")
                .bind(self.id())
                .bind(client_id)
                .bind(hash)
                .bind(now)
                .execute(&mut *conn)
                .await?
                .rows_affected()
        });
        Ok(n == 1)
    }

    /// Deletes the client and (by cascade) its client grants.
    pub async fn delete_client(&self, client_id: &str) -> StoreResult<bool> {
        let n = write_db!(self, |conn| {
            sqlx::query("DELETE FROM clients WHERE tenant_id = $1 AND client_id = $2")
                .bind(self.id())
                .bind(client_id)
                .execute(&mut *conn)
                .await?
                .rows_affected()
        });
        Ok(n == 1)
    }
    /// Clients whose record mentions `needle` (a cheap pre-filter; the caller
    /// decides exactly).
    pub async fn clients_mentioning(&self, needle: &str) -> StoreResult<Vec<Client>> {
        // `%` and `_` in the needle (an Origin header: anyone's text) match only
        // themselves, so a request cannot turn the pre-filter into a full scan.
        let pattern = like_literal(needle);
        let rows: Vec<(String,)> = with_db!(self, |pool| {
            sqlx::query_as("SELECT doc FROM clients WHERE tenant_id = $1 AND doc LIKE '%' || $2 || '%' ESCAPE '\\' LIMIT 1000")
                .bind(self.id())
                .bind(&pattern)
                .fetch_all(pool)
                .await?
        });
        rows.iter().map(|(d,)| decode(d)).collect()
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn like_literal_escapes_wildcards() {
        assert_eq!(super::like_literal("a%b_c\\d"), "a\\%b\\_c\\\\d");
    }
}
