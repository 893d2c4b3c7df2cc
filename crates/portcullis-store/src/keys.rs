//! Signing keys, stored with the private part sealed by the key-encryption key.

use crate::{StoreResult, TenantStore, from_row, with_db, write_db, write_tx};

/// A key as stored: the caller opens it with the key-encryption key.
#[derive(Debug, Clone)]
pub struct StoredSigningKey {
    pub kid: String,
    pub alg: String,
    pub state: String,
    pub sealed_private_key: String,
    /// Base64 DER.
    pub certificate: String,
    pub created_at: i64,
    pub current_since: Option<i64>,
}

/// A key to insert.
pub struct NewSigningKey<'a> {
    pub kid: &'a str,
    pub alg: &'a str,
    pub sealed_private_key: &'a str,
    pub certificate: &'a str,
}

from_row!(StoredSigningKey {
    kid,
    alg,
    state,
    sealed_private_key,
    certificate,
    created_at,
    current_since,
});

/// A key as the Management API lists it (revoked ones included).
#[derive(Debug, Clone)]
pub struct SigningKeyRecord {
    pub kid: String,
    pub alg: String,
    pub state: String,
    pub certificate: String,
    pub created_at: i64,
    pub current_since: Option<i64>,
    pub current_until: Option<i64>,
    pub revoked_at: Option<i64>,
}

from_row!(SigningKeyRecord {
    kid,
    alg,
    state,
    certificate,
    created_at,
    current_since,
    current_until,
    revoked_at,
});

/// What `revoke_signing_key` did.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Revocation {
    Revoked,
    Unknown,
    /// Only a previous key may be revoked (Auth0): the current and next keys
    /// sign now or soon.
    NotPrevious,
}

impl TenantStore {
    /// Every non-revoked key of the tenant.
    pub async fn list_signing_keys(&self) -> StoreResult<Vec<StoredSigningKey>> {
        let rows: Vec<StoredSigningKey> = with_db!(self, |pool| {
            sqlx::query_as(
                "SELECT kid, alg, state, sealed_private_key, certificate, created_at, current_since
                 FROM signing_keys WHERE tenant_id = $1 AND state <> 'revoked' ORDER BY created_at, kid",
            )
            .bind(self.id())
            .fetch_all(pool)
            .await?
        });
        Ok(rows)
    }

    /// Every key of the tenant, revoked ones too, oldest first.
    pub async fn list_signing_key_records(&self) -> StoreResult<Vec<SigningKeyRecord>> {
        let rows: Vec<SigningKeyRecord> = with_db!(self, |pool| {
            sqlx::query_as(
                "SELECT kid, alg, state, certificate, created_at, current_since, current_until, revoked_at
                 FROM signing_keys WHERE tenant_id = $1 ORDER BY created_at, kid",
            )
            .bind(self.id())
            .fetch_all(pool)
            .await?
        });
        Ok(rows)
    }

    /// Rotates in one transaction: `current` becomes previous, `next` becomes
    /// current, and `new_next` is inserted as next. `false` (and nothing
    /// changed) if the keys are no longer the expected ones: another node
    /// rotated first.
    pub async fn rotate_signing_keys(
        &self,
        current: &str,
        next: &str,
        new_next: NewSigningKey<'_>,
        now: i64,
    ) -> StoreResult<bool> {
        // A retired key whose successor cannot be promoted is put back
        // (`keep` false): the tenant is never left without a current key.
        let result: StoreResult<bool> = write_tx!(self, keep, |conn| {
            let retired = sqlx::query(
                "UPDATE signing_keys SET state = 'previous', current_until = $3
                 WHERE tenant_id = $1 AND kid = $2 AND state = 'current'",
            )
            .bind(self.id())
            .bind(current)
            .bind(now)
            .execute(&mut *conn)
            .await?
            .rows_affected();
            if retired != 1 {
                return Ok((false, false));
            }
            let promoted = sqlx::query(
                "UPDATE signing_keys SET state = 'current', current_since = $3
                 WHERE tenant_id = $1 AND kid = $2 AND state = 'next'",
            )
            .bind(self.id())
            .bind(next)
            .bind(now)
            .execute(&mut *conn)
            .await?
            .rows_affected();
            if promoted != 1 {
                return Ok((false, false));
            }
            sqlx::query(
                "INSERT INTO signing_keys (tenant_id, kid, alg, state, sealed_private_key, certificate, created_at)
                 VALUES ($1, $2, $3, 'next', $4, $5, $6)",
            )
            .bind(self.id())
            .bind(new_next.kid)
            .bind(new_next.alg)
            .bind(new_next.sealed_private_key)
            .bind(new_next.certificate)
            .bind(now)
            .execute(&mut *conn)
            .await?;
            Ok((true, true))
        });
        match result {
            Err(crate::StoreError::Conflict) => Ok(false),
            other => other,
        }
    }

    /// Revokes a previous key: it leaves the JWKS and its tokens stop verifying.
    pub async fn revoke_signing_key(&self, kid: &str, now: i64) -> StoreResult<Revocation> {
        let n = write_db!(self, |conn| {
            sqlx::query(
                "UPDATE signing_keys SET state = 'revoked', revoked_at = $3
                 WHERE tenant_id = $1 AND kid = $2 AND state = 'previous'",
            )
            .bind(self.id())
            .bind(kid)
            .bind(now)
            .execute(&mut *conn)
            .await?
            .rows_affected()
        });
        if n == 1 {
            return Ok(Revocation::Revoked);
        }
        let exists: Option<(String,)> = with_db!(self, |pool| {
            sqlx::query_as("SELECT state FROM signing_keys WHERE tenant_id = $1 AND kid = $2")
                .bind(self.id())
                .bind(kid)
                .fetch_optional(pool)
                .await?
        });
        Ok(match exists {
            None => Revocation::Unknown,
            Some((state,)) if state == "revoked" => Revocation::Revoked,
            Some(_) => Revocation::NotPrevious,
        })
    }

    /// On a tenant with no keys of `current.alg`, inserts `current` and `next` in
    /// one transaction and returns `true`. If keys exist already (another node
    /// won), inserts nothing.
    pub async fn insert_initial_signing_keys(
        &self,
        now: i64,
        current: NewSigningKey<'_>,
        next: NewSigningKey<'_>,
    ) -> StoreResult<bool> {
        let result: StoreResult<bool> = write_tx!(self, result, |conn| {
            // Write first: on SQLite a transaction that reads and then writes
            // fails at once with "database is locked" when another connection
            // (the audit writer) is writing; a write waits its turn instead. On
            // PostgreSQL it serialises key creation per tenant.
            sqlx::query("UPDATE tenants SET id = id WHERE id = $1")
                .bind(self.id())
                .execute(&mut *conn)
                .await?;
            let (n,): (i64,) = sqlx::query_as(
                "SELECT COUNT(*) FROM signing_keys WHERE tenant_id = $1 AND alg = $2 AND state <> 'revoked'",
            )
            .bind(self.id())
            .bind(current.alg)
            .fetch_one(&mut *conn)
            .await?;
            if n > 0 {
                return Ok(false);
            }
            for (k, state, since) in [(&current, "current", Some(now)), (&next, "next", None)] {
                sqlx::query(
                    "INSERT INTO signing_keys (tenant_id, kid, alg, state, sealed_private_key, certificate, created_at, current_since)
                     VALUES ($1, $2, $3, $4, $5, $6, $7, $8)",
                )
                .bind(self.id())
                .bind(k.kid)
                .bind(k.alg)
                .bind(state)
                .bind(k.sealed_private_key)
                .bind(k.certificate)
                .bind(now)
                .bind(since)
                .execute(&mut *conn)
                .await?;
            }
            Ok(true)
        });
        match result {
            // The unique index on live states refused a concurrent first start.
            Err(crate::StoreError::Conflict) => Ok(false),
            other => other,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::NewSigningKey;
    use crate::Store;

    fn key<'a>(kid: &'a str) -> NewSigningKey<'a> {
        NewSigningKey {
            kid,
            alg: "RS256",
            sealed_private_key: "sealed",
            certificate: "cert",
        }
    }

    /// On a real SQLite file: a rotation whose `next` key is not the stored
    /// one changes nothing; the current key stays current (it used to be
    /// retired and kept, leaving the tenant without a current key).
    #[tokio::test]
    async fn a_rotation_that_cannot_promote_leaves_the_current_key() -> crate::StoreResult<()> {
        let dir = std::env::temp_dir().join(format!(
            "portcullis-store-keys-{}-{}",
            std::process::id(),
            portcullis_core::random::hex(4)
        ));
        std::fs::create_dir_all(&dir).unwrap();
        let url = format!("sqlite://{}/db.sqlite", dir.display());
        let store = Store::connect(&url).await.unwrap();
        store.migrate(1).await.unwrap();
        let t = store.tenant("t1");
        crate::write_db!(t, |conn| {
            sqlx::query("INSERT INTO tenants (id, created_at) VALUES ($1, 1)")
                .bind(t.id())
                .execute(&mut *conn)
                .await?
                .rows_affected()
        });
        assert!(
            t.insert_initial_signing_keys(1, key("k1"), key("k2"))
                .await
                .unwrap()
        );
        let rotated = t.rotate_signing_keys("k1", "not-next", key("k3"), 2).await;
        assert!(!rotated.unwrap(), "nothing to promote: refused");
        let keys = t.list_signing_keys().await.unwrap();
        let state = |kid: &str| keys.iter().find(|k| k.kid == kid).map(|k| k.state.clone());
        assert_eq!(state("k1").as_deref(), Some("current"));
        assert_eq!(state("k2").as_deref(), Some("next"));
        assert!(state("k3").is_none());
        assert!(
            t.rotate_signing_keys("k1", "k2", key("k3"), 3)
                .await
                .unwrap()
        );
        store.close().await;
        let _ = std::fs::remove_dir_all(&dir);
        Ok(())
    }
}
