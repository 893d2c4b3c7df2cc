//! Application state shared by every request: configuration, storage and the
//! signing keys. No globals: everything a handler needs travels in [`AppState`].

use std::sync::{Arc, RwLock};
use std::time::{SystemTime, UNIX_EPOCH};

use portcullis_core::keys::SigningKey;
use portcullis_core::passwords;
use portcullis_core::secrets::Secret;
use portcullis_store::Store;

use crate::config::Config;
use crate::keyring::KeySet;

#[derive(Clone)]
pub struct AppState(Arc<Inner>);

pub struct Inner {
    pub config: Config,
    /// Bounds concurrent argon2id work to the number of cores, so a burst of
    /// logins queues instead of starving the runtime or memory (19 MiB each).
    password_slots: tokio::sync::Semaphore,
    /// Seconds since start of the last argon2id use; the pooled argon2 memory
    /// is freed once logins pause (see `passwords::release_memory`).
    password_last_used: Arc<std::sync::atomic::AtomicU64>,
    started: std::time::Instant,
    pub store: Store,
    pub tenant: String,
    pub pages: crate::templates::Templates,
    pub mailer: crate::mailer::Mailer,
    /// `<issuer>api/v2/`.
    pub management_audience: String,
    keys: RwLock<Arc<KeySet>>,
    /// Seals secrets at rest (signing keys, action secrets, rules configs).
    pub kek: portcullis_core::keys::KeyEncryptionKey,
    /// Compiled Rules and Actions.
    pub scripts: crate::scripts::Scripts,
    /// Applications, APIs and grants read by every token request.
    pub cache: crate::cache::Cache,
    pub metrics: crate::metrics::Metrics,
    /// The audit writer's queue (see `audit::start_writer`).
    pub audit: tokio::sync::mpsc::Sender<crate::audit::Message>,
    /// Seconds added to the system clock. Zero in production; tests move time
    /// forward with [`Inner::advance_clock`] instead of sleeping.
    clock_offset: std::sync::atomic::AtomicI64,
}

impl std::ops::Deref for AppState {
    type Target = Inner;
    fn deref(&self) -> &Inner {
        &self.0
    }
}

impl AppState {
    pub fn new(
        config: Config,
        store: Store,
        tenant: String,
        keys: KeySet,
        kek: portcullis_core::keys::KeyEncryptionKey,
        mailer: crate::mailer::Mailer,
    ) -> Self {
        let management_audience = portcullis_core::management::audience(&config.issuer);
        let cores = std::thread::available_parallelism().map_or(2, |n| n.get());
        let audit =
            crate::audit::start_writer(store.clone(), tenant.clone(), config.audit_log.clone());
        let password_last_used = Arc::new(std::sync::atomic::AtomicU64::new(0));
        let started = std::time::Instant::now();
        {
            // Idle RSS stays small: 19 MiB per pooled block is kept only while
            // logins are happening.
            let last = password_last_used.clone();
            tokio::spawn(async move {
                let mut tick = tokio::time::interval(std::time::Duration::from_secs(10));
                loop {
                    tick.tick().await;
                    let now = started.elapsed().as_secs();
                    let last_use = last.load(std::sync::atomic::Ordering::Relaxed);
                    if now.saturating_sub(last_use) >= 10 {
                        passwords::release_memory();
                    }
                }
            });
        }
        let pages = crate::templates::Templates::new(config.base_path());
        Self(Arc::new(Inner {
            password_slots: tokio::sync::Semaphore::new(cores),
            password_last_used,
            started,
            config,
            store,
            tenant,
            pages,
            mailer,
            management_audience,
            keys: RwLock::new(Arc::new(keys)),
            kek,
            scripts: Default::default(),
            cache: Default::default(),
            metrics: crate::metrics::Metrics::new(),
            audit,
            clock_offset: std::sync::atomic::AtomicI64::new(0),
        }))
    }
}

impl Inner {
    pub fn issuer(&self) -> &str {
        &self.config.issuer
    }

    /// Whether clients reach us over HTTPS (cookies get `Secure`).
    pub fn https(&self) -> bool {
        self.config.issuer.starts_with("https://")
    }

    /// Seconds since the Unix epoch, read once per request and passed to the core.
    pub fn now(&self) -> i64 {
        SystemTime::now()
            .duration_since(UNIX_EPOCH)
            .map(|d| d.as_secs() as i64)
            .unwrap_or_default()
            + self.clock_offset.load(std::sync::atomic::Ordering::Relaxed)
    }

    /// Moves this server's clock forward (for tests of expiry).
    pub fn advance_clock(&self, seconds: i64) {
        self.clock_offset
            .fetch_add(seconds, std::sync::atomic::Ordering::Relaxed);
    }

    /// The published keys; the current one signs.
    pub fn keys(&self) -> Arc<KeySet> {
        // A poisoned lock only means a writer panicked after a complete swap.
        match self.keys.read() {
            Ok(k) => Arc::clone(&k),
            Err(p) => Arc::clone(&p.into_inner()),
        }
    }

    /// Replaces the published keys (after a rotation or a revocation, here or
    /// on another node).
    pub fn set_keys(&self, keys: KeySet) {
        match self.keys.write() {
            Ok(mut k) => *k = Arc::new(keys),
            Err(p) => *p.into_inner() = Arc::new(keys),
        }
    }

    /// Re-reads the tenant's keys from the database.
    pub async fn reload_keys(&self) -> Result<(), crate::keyring::KeyringError> {
        let keys = crate::keyring::load_keys(
            &self.store,
            &self.tenant,
            &self.kek,
            &self.config.issuer,
            self.now(),
        )
        .await?;
        self.set_keys(keys);
        Ok(())
    }

    fn password_used(&self) {
        self.password_last_used.store(
            self.started.elapsed().as_secs(),
            std::sync::atomic::Ordering::Relaxed,
        );
    }

    /// argon2id hash of `password`, computed on the blocking pool.
    pub async fn hash_password(&self, password: Secret) -> String {
        let _slot = self.password_slots.acquire().await;
        self.password_used();
        tokio::task::spawn_blocking(move || passwords::hash(&password))
            .await
            .unwrap_or_default()
    }

    /// Whether `password` matches `stored` (a decoy hash when the user is unknown,
    /// so that both cases cost the same), computed on the blocking pool.
    pub async fn verify_password(&self, password: Secret, stored: Option<String>) -> bool {
        let _slot = self.password_slots.acquire().await;
        self.password_used();
        tokio::task::spawn_blocking(move || match stored {
            Some(h) => passwords::verify(&password, &h),
            None => {
                passwords::verify(&password, passwords::decoy_hash());
                false
            }
        })
        .await
        .unwrap_or(false)
    }

    /// Signs `claims` with the current RS256 key.
    pub fn sign<C: serde::Serialize>(&self, claims: &C) -> String {
        let keys = self.keys();
        portcullis_core::jose::sign(keys.current(), claims)
    }

    /// Signs `claims` with the current key for `alg` (an API's `signing_alg`, an
    /// application's `jwt_configuration.alg`, validated when it was written).
    /// The keys for an algorithm are made when an API or application first asks
    /// for it; should this node not have read them yet (another node made them
    /// under a second ago), RS256 signs.
    pub fn sign_with<C: serde::Serialize>(
        &self,
        alg: portcullis_core::keys::Alg,
        claims: &C,
    ) -> String {
        let keys = self.keys();
        let key = keys.current_for(alg).unwrap_or_else(|| keys.current());
        portcullis_core::jose::sign(key, claims)
    }

    /// Makes sure keys exist for `alg` (after an API or application chose it)
    /// and that this node has them.
    pub async fn ensure_signing_alg(
        &self,
        alg: portcullis_core::keys::Alg,
    ) -> Result<(), crate::keyring::KeyringError> {
        if self.keys().current_for(alg).is_some() {
            return Ok(());
        }
        crate::keyring::ensure_alg(
            &self.store,
            &self.tenant,
            &self.kek,
            &self.config.issuer,
            alg,
            self.now(),
        )
        .await?;
        self.reload_keys().await
    }

    /// Verifies a token signed by one of our published keys.
    pub fn verify<C: serde::de::DeserializeOwned>(
        &self,
        token: &str,
    ) -> Result<C, portcullis_core::jose::JwsError> {
        let keys = self.keys();
        portcullis_core::jose::verify(token, |kid| keys.find(kid).map(|k: &SigningKey| k))
    }
}
