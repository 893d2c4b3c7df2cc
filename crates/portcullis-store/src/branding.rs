//! The tenant's branding and its Universal Login page template: one row.

use portcullis_core::branding::Branding;

use crate::{StoreResult, TenantStore, decode, encode, with_db, write_db};

impl TenantStore {
    /// The branding (the default when never set) and the page template.
    pub async fn branding(&self) -> StoreResult<(Branding, Option<String>)> {
        let row: Option<(String, Option<String>)> = with_db!(self, |pool| {
            sqlx::query_as("SELECT doc, login_template FROM branding WHERE tenant_id = $1")
                .bind(self.id())
                .fetch_optional(pool)
                .await?
        });
        match row {
            Some((doc, template)) => Ok((decode(&doc)?, template)),
            None => Ok((Branding::default(), None)),
        }
    }

    /// Replaces the branding, keeping the template.
    pub async fn set_branding(&self, b: &Branding, now: i64) -> StoreResult<()> {
        let doc = encode(b)?;
        write_db!(self, |conn| {
            sqlx::query(
                "INSERT INTO branding (tenant_id, doc, login_template, updated_at)
                 VALUES ($1, $2, NULL, $3)
                 ON CONFLICT (tenant_id) DO UPDATE SET doc = excluded.doc, updated_at = excluded.updated_at",
            )
            .bind(self.id())
            .bind(&doc)
            .bind(now)
            .execute(&mut *conn)
            .await?;
        });
        Ok(())
    }

    /// Sets (or with `None` removes) the page template, keeping the branding.
    pub async fn set_login_template(&self, template: Option<&str>, now: i64) -> StoreResult<()> {
        write_db!(self, |conn| {
            sqlx::query(
                "INSERT INTO branding (tenant_id, doc, login_template, updated_at)
                 VALUES ($1, '{}', $2, $3)
                 ON CONFLICT (tenant_id) DO UPDATE
                   SET login_template = excluded.login_template, updated_at = excluded.updated_at",
            )
            .bind(self.id())
            .bind(template)
            .bind(now)
            .execute(&mut *conn)
            .await?;
        });
        Ok(())
    }
}
