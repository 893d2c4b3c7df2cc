//! Auth0's prompts settings and the tenant's custom text (per prompt and
//! language, Auth0's `{screen: {key: text}}` document).

use crate::{StoreResult, TenantStore, with_db, write_db};

impl TenantStore {
    /// The prompts settings as stored (`None`: never set).
    pub async fn prompt_settings(&self) -> StoreResult<Option<serde_json::Value>> {
        Ok(self.prompt_settings_versioned().await?.map(|(v, _)| v))
    }

    /// The prompts settings and the stored text they were read from, the
    /// version [`TenantStore::replace_prompt_settings`] compares against.
    pub async fn prompt_settings_versioned(
        &self,
    ) -> StoreResult<Option<(serde_json::Value, String)>> {
        let row: Option<(String,)> = with_db!(self, |pool| {
            sqlx::query_as("SELECT doc FROM prompt_settings WHERE tenant_id = $1")
                .bind(self.id())
                .fetch_optional(pool)
                .await?
        });
        row.map(|(d,)| Ok((crate::decode(&d)?, d))).transpose()
    }

    /// Stores the settings if the stored text is still `read` (compare-and-
    /// set; `None`: there was none): `false` when another change came first.
    pub async fn replace_prompt_settings(
        &self,
        doc: &serde_json::Value,
        read: Option<&str>,
    ) -> StoreResult<bool> {
        let doc = doc.to_string();
        let n = write_db!(self, |conn| {
            match read {
                None => sqlx::query(
                    "INSERT INTO prompt_settings (tenant_id, doc) VALUES ($1, $2)
                     ON CONFLICT (tenant_id) DO NOTHING",
                )
                .bind(self.id())
                .bind(&doc),
                Some(read) => sqlx::query(
                    "UPDATE prompt_settings SET doc = $2 WHERE tenant_id = $1 AND doc = $3",
                )
                .bind(self.id())
                .bind(&doc)
                .bind(read),
            }
            .execute(&mut *conn)
            .await?
            .rows_affected()
        });
        Ok(n == 1)
    }

    /// Every custom text: (prompt, language, document).
    pub async fn prompt_texts(&self) -> StoreResult<Vec<(String, String, serde_json::Value)>> {
        let rows: Vec<(String, String, String)> = with_db!(self, |pool| {
            sqlx::query_as(
                "SELECT prompt, language, doc FROM prompt_texts WHERE tenant_id = $1
                 ORDER BY prompt, language",
            )
            .bind(self.id())
            .fetch_all(pool)
            .await?
        });
        rows.into_iter()
            .map(|(p, l, d)| Ok((p, l, crate::decode(&d)?)))
            .collect()
    }

    /// Replaces one prompt's custom text in one language (an empty document
    /// removes it, as Auth0's PUT of `{}` does).
    pub async fn set_prompt_text(
        &self,
        prompt: &str,
        language: &str,
        doc: &serde_json::Value,
    ) -> StoreResult<()> {
        let empty = doc.as_object().is_none_or(|o| o.is_empty());
        let doc = doc.to_string();
        write_db!(self, |conn| {
            if empty {
                sqlx::query(
                    "DELETE FROM prompt_texts WHERE tenant_id = $1 AND prompt = $2 AND language = $3",
                )
                .bind(self.id())
                .bind(prompt)
                .bind(language)
                .execute(&mut *conn)
                .await?;
            } else {
                sqlx::query(
                    "INSERT INTO prompt_texts (tenant_id, prompt, language, doc) VALUES ($1, $2, $3, $4)
                     ON CONFLICT (tenant_id, prompt, language) DO UPDATE SET doc = excluded.doc",
                )
                .bind(self.id())
                .bind(prompt)
                .bind(language)
                .bind(&doc)
                .execute(&mut *conn)
                .await?;
            }
        });
        Ok(())
    }
}
