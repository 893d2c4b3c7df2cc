//! The tenant's branding and its Universal Login page template: one row.

use portcullis_core::branding::Branding;

use crate::{StoreResult, TenantStore, decode, encode, with_db, write_db};

impl TenantStore {
    /// The branding (the default when never set) and the page template.
    pub async fn branding(&self) -> StoreResult<(Branding, Option<String>)> {
        let (b, template, _) = self.branding_versioned().await?;
        Ok((b, template))
    }

    /// The branding, the page template, and the stored document the
    /// branding was read from (`None`: no row yet), the version
    /// [`TenantStore::replace_branding`] compares against.
    pub async fn branding_versioned(
        &self,
    ) -> StoreResult<(Branding, Option<String>, Option<String>)> {
        let row: Option<(String, Option<String>)> = with_db!(self, |pool| {
            sqlx::query_as("SELECT doc, login_template FROM branding WHERE tenant_id = $1")
                .bind(self.id())
                .fetch_optional(pool)
                .await?
        });
        match row {
            Some((doc, template)) => Ok((decode(&doc)?, template, Some(doc))),
            None => Ok((Branding::default(), None, None)),
        }
    }

    /// Replaces the branding, keeping the template, if the stored document
    /// is still `read` (compare-and-set; `None`: there was no row): `false`
    /// when another change came first, so a merge PATCH never loses a
    /// concurrent one.
    pub async fn replace_branding(
        &self,
        b: &Branding,
        read: Option<&str>,
        now: i64,
    ) -> StoreResult<bool> {
        let doc = encode(b)?;
        let n = write_db!(self, |conn| {
            match read {
                None => sqlx::query(
                    "INSERT INTO branding (tenant_id, doc, login_template, updated_at)
                     VALUES ($1, $2, NULL, $3)
                     ON CONFLICT (tenant_id) DO NOTHING",
                )
                .bind(self.id())
                .bind(&doc)
                .bind(now),
                Some(read) => sqlx::query(
                    "UPDATE branding SET doc = $2, updated_at = $3
                     WHERE tenant_id = $1 AND doc = $4",
                )
                .bind(self.id())
                .bind(&doc)
                .bind(now)
                .bind(read),
            }
            .execute(&mut *conn)
            .await?
            .rows_affected()
        });
        Ok(n == 1)
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
