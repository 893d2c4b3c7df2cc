//! Per-node caches of what every token request reads: applications, APIs,
//! client grants and the tenant's settings. Entries remember the configuration generation they were
//! read at (`crate::generation`) and are re-read when it moves; a change on
//! this node drops them at once.

use std::collections::HashMap;
use std::future::Future;
use std::sync::RwLock;

use portcullis_core::client_grants::ClientGrant;
use portcullis_core::clients::Client;
use portcullis_core::connections::Connection;
use portcullis_core::resource_servers::ResourceServer;
use portcullis_core::tenant_settings::TenantSettings;
use portcullis_store::StoreError;

/// Entries per map before it is emptied: unknown ids are cached too (as
/// absent), so a flood of random ids must not grow memory without limit.
const MAX_ENTRIES: usize = 10_000;

type Stored<V> = RwLock<HashMap<String, (i64, Option<V>)>>;

#[derive(Default)]
pub struct Cache {
    clients: Stored<(Client, Option<String>)>,
    apis: Stored<ResourceServer>,
    grants: Stored<ClientGrant>,
    settings: Stored<TenantSettings>,
    connections: Stored<Vec<Connection>>,
    client_connections: Stored<Vec<String>>,
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
    /// Drops every entry.
    pub fn clear(&self) {
        for m in [
            &self.clients as &dyn Clear,
            &self.apis,
            &self.grants,
            &self.settings,
            &self.connections,
            &self.client_connections,
        ] {
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

async fn cached<V, F>(
    map: &Stored<V>,
    key: &str,
    generation: i64,
    load: F,
) -> Result<Option<V>, StoreError>
where
    V: Clone,
    F: Future<Output = Result<Option<V>, StoreError>>,
{
    if let Some(hit) = get(map, key, generation) {
        return Ok(hit);
    }
    let value = load.await?;
    put(map, key.to_string(), generation, value.clone());
    Ok(value)
}

impl Cache {
    /// An application and its secret's hash, read at `generation`.
    pub async fn client(
        &self,
        id: &str,
        generation: i64,
        load: impl Future<Output = Result<Option<(Client, Option<String>)>, StoreError>>,
    ) -> Result<Option<(Client, Option<String>)>, StoreError> {
        cached(&self.clients, id, generation, load).await
    }

    /// An API by its identifier, read at `generation`.
    pub async fn api(
        &self,
        identifier: &str,
        generation: i64,
        load: impl Future<Output = Result<Option<ResourceServer>, StoreError>>,
    ) -> Result<Option<ResourceServer>, StoreError> {
        cached(&self.apis, identifier, generation, load).await
    }

    /// The grant of `client_id` for `audience`, read at `generation`.
    pub async fn client_grant(
        &self,
        client_id: &str,
        audience: &str,
        generation: i64,
        load: impl Future<Output = Result<Option<ClientGrant>, StoreError>>,
    ) -> Result<Option<ClientGrant>, StoreError> {
        // A separator that cannot occur in a client id.
        let key = format!("{client_id}\n{audience}");
        cached(&self.grants, &key, generation, load).await
    }

    /// Every connection of the tenant, read at `generation`.
    pub async fn connections(
        &self,
        generation: i64,
        load: impl Future<Output = Result<Vec<Connection>, StoreError>>,
    ) -> Result<Vec<Connection>, StoreError> {
        let load = async { load.await.map(Some) };
        Ok(cached(&self.connections, "", generation, load)
            .await?
            .unwrap_or_default())
    }

    /// The ids of the connections `client_id` is enabled for, read at
    /// `generation`.
    pub async fn client_connections(
        &self,
        client_id: &str,
        generation: i64,
        load: impl Future<Output = Result<Vec<String>, StoreError>>,
    ) -> Result<Vec<String>, StoreError> {
        let load = async { load.await.map(Some) };
        Ok(
            cached(&self.client_connections, client_id, generation, load)
                .await?
                .unwrap_or_default(),
        )
    }

    /// The tenant's settings, read at `generation`.
    pub async fn settings(
        &self,
        generation: i64,
        load: impl Future<Output = Result<TenantSettings, StoreError>>,
    ) -> Result<TenantSettings, StoreError> {
        let load = async { load.await.map(Some) };
        Ok(cached(&self.settings, "", generation, load)
            .await?
            .unwrap_or_default())
    }
}
