//! Per-node caches of what every token request reads: applications, APIs and
//! client grants.
//!
//! Freshness: every change through the Management API bumps the tenant's
//! configuration generation in the database and drops this node's entries at
//! once; every node re-reads the generation at most once per [`STALENESS`], so
//! a change (a rotated secret, a deleted grant) reaches all nodes of a cluster
//! within that bound. Entries remember the generation they were read at and
//! are re-read when it moves.

use std::collections::HashMap;
use std::hash::Hash;
use std::sync::RwLock;
use std::sync::atomic::{AtomicI64, Ordering};
use std::time::{Duration, Instant};

use portcullis_core::client_grants::ClientGrant;
use portcullis_core::clients::Client;
use portcullis_core::resource_servers::ResourceServer;
use portcullis_store::StoreError;

use crate::app::AppState;

/// The longest a change made on another node may go unseen here.
pub const STALENESS: Duration = Duration::from_secs(1);

/// Entries per map before it is emptied: unknown ids are cached too (as
/// absent), so a flood of random ids must not grow memory without limit.
const MAX_ENTRIES: usize = 10_000;

type Stored<V> = RwLock<HashMap<String, (i64, Option<V>)>>;

pub struct Cache {
    known: AtomicI64,
    /// The generation the published signing keys were last read at.
    keys_at: AtomicI64,
    checked: std::sync::Mutex<Instant>,
    /// One generation read at a time; others use the value they have.
    refreshing: tokio::sync::Mutex<()>,
    clients: Stored<(Client, Option<String>)>,
    apis: Stored<ResourceServer>,
    grants: Stored<ClientGrant>,
}

impl Default for Cache {
    fn default() -> Self {
        Self {
            known: AtomicI64::new(-1),
            keys_at: AtomicI64::new(-1),
            checked: std::sync::Mutex::new(Instant::now() - STALENESS * 2),
            refreshing: tokio::sync::Mutex::new(()),
            clients: Default::default(),
            apis: Default::default(),
            grants: Default::default(),
        }
    }
}

fn get<V: Clone>(map: &Stored<V>, key: &str, generation: i64) -> Option<Option<V>> {
    let m = map.read().ok()?;
    match m.get(key) {
        Some((g, v)) if *g == generation => Some(v.clone()),
        _ => None,
    }
}

fn put<V>(map: &Stored<V>, key: String, generation: i64, value: Option<V>) {
    if let Ok(mut m) = map.write() {
        if m.len() >= MAX_ENTRIES {
            m.clear();
        }
        m.insert(key, (generation, value));
    }
}

impl Cache {
    /// The tenant's configuration generation as this node knows it.
    pub async fn generation(&self, app: &AppState) -> Result<i64, StoreError> {
        let due = self
            .checked
            .lock()
            .map(|c| c.elapsed() >= STALENESS)
            .unwrap_or(true);
        let known = self.known.load(Ordering::Acquire);
        if !due && known >= 0 {
            return Ok(known);
        }
        // Single flight: while one request reads the generation, others go on
        // with the value they have (unless there is none yet).
        let _guard = match self.refreshing.try_lock() {
            Ok(g) => g,
            Err(_) if known >= 0 => return Ok(known),
            Err(_) => self.refreshing.lock().await,
        };
        let g = app.store.config_generation(&app.tenant).await?;
        // A rotation or revocation on another node: sign and verify with the
        // keys it left (a failed reload keeps the old set and retries next time).
        if self.keys_at.load(Ordering::Acquire) != g {
            match app.reload_keys().await {
                Ok(()) => self.keys_at.store(g, Ordering::Release),
                Err(e) => tracing::error!(error = %e, "could not reload signing keys"),
            }
        }
        self.known.store(g, Ordering::Release);
        if let Ok(mut c) = self.checked.lock() {
            *c = Instant::now();
        }
        Ok(g)
    }

    fn clear(&self) {
        self.known.store(-1, Ordering::Release);
        for m in [&self.clients as &dyn Clear, &self.apis, &self.grants] {
            m.clear_all();
        }
    }
}

trait Clear {
    fn clear_all(&self);
}

impl<V> Clear for Stored<V> {
    fn clear_all(&self) {
        if let Ok(mut m) = self.write() {
            m.clear();
        }
    }
}

/// Tells every node that applications, APIs, grants, keys or scripts changed:
/// this node at once, the others within [`STALENESS`].
pub async fn changed(app: &AppState) -> Result<(), StoreError> {
    app.store.bump_config_generation(&app.tenant).await?;
    app.cache.clear();
    app.scripts.invalidate();
    Ok(())
}

async fn cached<K, V, F>(
    app: &AppState,
    map: &Stored<V>,
    key: K,
    load: F,
) -> Result<Option<V>, StoreError>
where
    K: AsRef<str> + Eq + Hash,
    V: Clone,
    F: std::future::Future<Output = Result<Option<V>, StoreError>>,
{
    let generation = app.cache.generation(app).await?;
    if let Some(hit) = get(map, key.as_ref(), generation) {
        return Ok(hit);
    }
    let value = load.await?;
    put(map, key.as_ref().to_string(), generation, value.clone());
    Ok(value)
}

impl AppState {
    /// Drops this node's cached entries (the generation could not be bumped).
    pub fn cache_clear_local(&self) {
        self.cache.clear();
        self.scripts.invalidate();
    }

    /// An application and its secret's hash, from the cache.
    pub async fn client(&self, id: &str) -> Result<Option<(Client, Option<String>)>, StoreError> {
        cached(
            self,
            &self.cache.clients,
            id,
            self.store.get_client(&self.tenant, id),
        )
        .await
    }

    /// An API by its identifier (`audience`), from the cache.
    pub async fn api(&self, identifier: &str) -> Result<Option<ResourceServer>, StoreError> {
        cached(
            self,
            &self.cache.apis,
            identifier,
            self.store
                .get_resource_server_by_identifier(&self.tenant, identifier),
        )
        .await
    }

    /// The grant of `client_id` for `audience`, from the cache.
    pub async fn client_grant(
        &self,
        client_id: &str,
        audience: &str,
    ) -> Result<Option<ClientGrant>, StoreError> {
        // A separator that cannot occur in a client id.
        let key = format!("{client_id}\n{audience}");
        cached(
            self,
            &self.cache.grants,
            key,
            self.store
                .find_client_grant(&self.tenant, client_id, audience),
        )
        .await
    }
}
