//! Application state shared by every request: configuration, storage and the
//! signing keys. No globals: everything a handler needs travels in [`AppState`].

use std::sync::{Arc, RwLock};

use portcullis_core::keys::SigningKey;
use portcullis_core::passwords;
use portcullis_core::secrets::Secret;
use portcullis_store::TenantStore;

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
    /// The store bound to the tenant this node serves.
    pub store: TenantStore,
    pub pages: crate::templates::Templates,
    pub mailer: crate::mailer::Mailer,
    /// `<issuer>api/v2/`.
    pub management_audience: String,
    keys: RwLock<Arc<KeySet>>,
    /// Seals secrets at rest (signing keys, action secrets, rules configs).
    pub kek: Arc<portcullis_core::keys::KeyEncryptionKey>,
    /// Compiled Rules and Actions.
    pub scripts: crate::scripts::Scripts,
    /// Applications, APIs and grants read by every token request.
    pub cache: crate::cache::Cache,
    /// The tenant's configuration generation (see `sync_configuration`).
    pub generation: crate::generation::Generation,
    pub metrics: Arc<crate::metrics::Metrics>,
    /// Where audit events go (see `audit::Auditor`).
    pub auditor: crate::audit::Auditor,
    /// The server's clock (tests move it forward with [`Inner::advance_clock`]).
    pub clock: crate::clock::Clock,
    /// The client of upstream identity providers (connections), with its caches.
    pub upstream: crate::upstream_client::UpstreamClient,
    /// The runner of user import jobs (a new job wakes it).
    pub imports: crate::bulk_jobs::Runner,
    /// Back-channel logout deliveries.
    pub backchannel: crate::backchannel::Sender,
    /// Passwordless texts (the sms connection's gateway).
    pub sms: crate::sms_gateway::SmsGateway,
    /// Log-stream delivery (a new or changed stream wakes it).
    pub log_streams: crate::log_streams::Deliverer,
    /// Held while this node reloads the tenant's look.
    look_reload: tokio::sync::Mutex<()>,
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
        store: TenantStore,
        keys: KeySet,
        kek: portcullis_core::keys::KeyEncryptionKey,
        mailer: crate::mailer::Mailer,
    ) -> Self {
        let management_audience = portcullis_core::management::audience(&config.issuer);
        let cores = std::thread::available_parallelism().map_or(2, |n| n.get());
        let auditor = crate::audit::Auditor::start(
            store.clone(),
            config.audit_log.clone(),
            config.issuer.clone(),
        );
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
        let clock = crate::clock::Clock::default();
        let imports =
            crate::bulk_jobs::Runner::new(store.clone(), clock.clone(), config.issuer.clone());
        let kek = Arc::new(kek);
        let metrics = Arc::new(crate::metrics::Metrics::new());
        let log_streams = crate::log_streams::Deliverer::new(
            store.clone(),
            clock.clone(),
            kek.clone(),
            metrics.clone(),
        );
        Self(Arc::new(Inner {
            password_slots: tokio::sync::Semaphore::new(cores),
            password_last_used,
            started,
            config,
            store,
            pages,
            mailer,
            management_audience,
            keys: RwLock::new(Arc::new(keys)),
            kek,
            scripts: Default::default(),
            cache: Default::default(),
            generation: Default::default(),
            metrics,
            auditor,
            clock,
            upstream: Default::default(),
            backchannel: Default::default(),
            sms: Default::default(),
            imports,
            log_streams,
            look_reload: tokio::sync::Mutex::new(()),
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
        self.clock.now()
    }

    /// Records an audit event (and counts it for `/metrics`).
    pub async fn audit(&self, e: crate::audit::Event<'_>) {
        self.metrics.audit_event(e.event_type.as_str());
        self.auditor.record(e).await
    }

    /// Moves this server's clock forward (for tests of expiry).
    pub fn advance_clock(&self, seconds: i64) {
        self.clock.advance(seconds);
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
        let keys =
            crate::keyring::load_keys(&self.store, &self.kek, &self.config.issuer, self.now())
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

    /// The scripts of the current configuration generation, ready to run
    /// (compiled again only when the generation moved).
    pub async fn triggers(
        &self,
    ) -> Result<crate::triggers::Triggers<'_>, crate::scripts::ScriptFailure> {
        let generation = self.sync_configuration().await?;
        let loaded = match self.scripts.cached() {
            Some(loaded) if loaded.generation == generation => loaded,
            _ => {
                let loaded = Arc::new(
                    self.scripts
                        .load(&self.store, &self.kek, generation)
                        .await?,
                );
                self.scripts.keep(loaded.clone());
                loaded
            }
        };
        Ok(crate::triggers::Triggers {
            store: &self.store,
            loaded,
            limits: self.config.script_limits(),
            metrics: &self.metrics,
            now: self.now(),
        })
    }

    /// The issuing service, with this node's keys as they are now.
    pub fn issuance(&self) -> crate::issuance::Issuer<'_> {
        crate::issuance::Issuer {
            store: &self.store,
            keys: self.keys(),
            issuer: self.issuer(),
            management_audience: &self.management_audience,
        }
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
        crate::keyring::ensure_alg(&self.store, &self.kek, &self.config.issuer, alg, self.now())
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

/// The associated data the e-mail provider's password is sealed under.
pub const EMAIL_PROVIDER_AAD: &str = "email_provider";

/// The configuration every node shares, seen through the generation.
impl Inner {
    /// Looks at the tenant's configuration generation (at most once per
    /// `generation::STALENESS`) and reloads the signing keys when it moved
    /// (a rotation or revocation on another node; a failed reload keeps the
    /// old set and retries next time). The caches and compiled scripts compare
    /// the value it returns.
    pub async fn sync_configuration(&self) -> Result<i64, portcullis_store::StoreError> {
        let seen = self.generation.current(&self.store).await?;
        if seen.keys_stale {
            match self.reload_keys().await {
                Ok(()) => self.generation.keys_loaded(seen.generation),
                Err(e) => tracing::error!(error = %e, "could not reload signing keys"),
            }
        }
        if self.pages.look().generation != Some(seen.generation) {
            // One reload at a time on this node; the others go on with the
            // look they have. A failure keeps the old look (logged) and is
            // tried again by the next request.
            if let Ok(_one) = self.look_reload.try_lock()
                && let Err(e) = self.reload_look(seen.generation).await
            {
                tracing::error!(error = %e, "could not reload the tenant's branding; pages keep the previous look");
            }
        }
        Ok(seen.generation)
    }

    /// The pages' look, brought up to date with the configuration first
    /// (for mails, which are not rendered as pages).
    pub async fn look(&self) -> Arc<crate::templates::Look> {
        let _ = self.sync_configuration().await;
        self.pages.look()
    }

    /// The tenant's branding, page template or prompts changed: every node
    /// is told, and this one takes the new look now (the generation it reads
    /// again differs from its look's, so `sync_configuration` reloads it).
    pub async fn look_changed(&self) -> Result<(), portcullis_store::StoreError> {
        self.configuration_changed().await?;
        self.sync_configuration().await?;
        Ok(())
    }

    /// Reads the tenant's branding and page template into the pages' look.
    pub async fn reload_look(&self, generation: i64) -> Result<(), portcullis_store::StoreError> {
        let (branding, template) = self.store.branding().await?;
        let settings = self
            .cache
            .settings(generation, self.store.tenant_settings())
            .await?;
        // Custom text by language and message id (`<screen>__<key>`).
        let mut custom: std::collections::HashMap<
            String,
            std::collections::HashMap<String, String>,
        > = Default::default();
        for (_, language, doc) in self.store.prompt_texts().await? {
            let texts = custom.entry(language).or_default();
            for (screen, keys) in doc.as_object().into_iter().flatten() {
                for (key, text) in keys.as_object().into_iter().flatten() {
                    if let Some(t) = text.as_str() {
                        texts.insert(format!("{screen}__{key}"), t.to_string());
                    }
                }
            }
        }
        self.pages.set_look(
            generation,
            &branding,
            template.as_deref(),
            settings.friendly_name.as_deref().unwrap_or_default(),
            custom,
            self.store
                .prompt_settings()
                .await?
                .and_then(|p| p["identifier_first"].as_bool())
                .unwrap_or(false),
        );
        Ok(())
    }

    /// Tells every node that applications, APIs, grants, keys or scripts
    /// changed: this node at once, the others within `generation::STALENESS`.
    pub async fn configuration_changed(&self) -> Result<(), portcullis_store::StoreError> {
        self.store.bump_config_generation().await?;
        self.cache_clear_local();
        Ok(())
    }

    /// Drops this node's cached entries (also when the generation could not be
    /// bumped).
    pub fn cache_clear_local(&self) {
        self.generation.forget();
        self.cache.clear();
        self.scripts.invalidate();
    }

    /// An application and its secret's hash, from the cache.
    pub async fn client(
        &self,
        id: &str,
    ) -> Result<
        Option<(portcullis_core::clients::Client, Option<String>)>,
        portcullis_store::StoreError,
    > {
        if id == portcullis_core::members::DASHBOARD_CLIENT_ID {
            // Built in, never stored (see `portcullis_core::members`).
            return Ok(self
                .config
                .dashboard
                .then(|| portcullis_core::members::dashboard_client(self.issuer(), self.store.id()))
                .flatten()
                .map(|c| (c, None)));
        }
        let g = self.sync_configuration().await?;
        let load = self.store.get_client(id);
        self.cache.client(id, g, load).await
    }

    /// An API by its identifier (`audience`), from the cache.
    pub async fn api(
        &self,
        identifier: &str,
    ) -> Result<
        Option<portcullis_core::resource_servers::ResourceServer>,
        portcullis_store::StoreError,
    > {
        // Auth0's MFA API is built in (never stored, never listed).
        // (Compared without building the audience: this is on every token
        // request that names an API.)
        if identifier.strip_prefix(self.issuer()) == Some("mfa/") {
            return Ok(Some(portcullis_core::mfa::api(self.issuer())));
        }
        let g = self.sync_configuration().await?;
        let load = self.store.get_resource_server_by_identifier(identifier);
        self.cache.api(identifier, g, load).await
    }

    /// Sends a mail through the tenant's e-mail provider when it has an
    /// enabled one (`/api/v2/emails/provider`), else the configured mailer.
    pub async fn send_mail(
        &self,
        msg: crate::mailer::Message<'_>,
    ) -> Result<(), crate::mailer::MailError> {
        let now = self.now();
        let provider = self
            .store
            .email_provider()
            .await
            .map_err(|e| crate::mailer::MailError::Config(e.to_string()))?;
        match provider {
            Some((p, sealed)) if p.enabled => {
                let password = match sealed {
                    Some(s) => Some(
                        self.kek
                            .open(EMAIL_PROVIDER_AAD, &s)
                            .ok()
                            .and_then(|b| String::from_utf8(b).ok())
                            .ok_or_else(|| {
                                crate::mailer::MailError::Config(
                                    "the e-mail provider's password cannot be opened".into(),
                                )
                            })?,
                    ),
                    None => None,
                };
                crate::mailer::Mailer::for_provider(&p, password.as_deref())?
                    .send(msg, now)
                    .await
            }
            _ => self.mailer.send(msg, now).await,
        }
    }

    /// The tenant's settings (Auth0's `/tenants/settings`), from the cache.
    pub async fn settings(
        &self,
    ) -> Result<portcullis_core::tenant_settings::TenantSettings, portcullis_store::StoreError>
    {
        let g = self.sync_configuration().await?;
        self.cache.settings(g, self.store.tenant_settings()).await
    }

    /// Every connection of the tenant, from the cache.
    pub async fn connections(
        &self,
    ) -> Result<Vec<portcullis_core::connections::Connection>, portcullis_store::StoreError> {
        let g = self.sync_configuration().await?;
        self.cache
            .connections(g, self.store.list_connections())
            .await
    }

    /// A connection by its name, from the cache.
    pub async fn connection_named(
        &self,
        name: &str,
    ) -> Result<Option<portcullis_core::connections::Connection>, portcullis_store::StoreError>
    {
        Ok(self
            .connections()
            .await?
            .into_iter()
            .find(|c| c.name == name))
    }

    /// The connections `client_id` may sign in with, oldest first, from the
    /// cache.
    pub async fn client_connections(
        &self,
        client_id: &str,
    ) -> Result<Vec<portcullis_core::connections::Connection>, portcullis_store::StoreError> {
        let g = self.sync_configuration().await?;
        let store = &self.store;
        let load = async move {
            Ok(store
                .client_connections(client_id)
                .await?
                .into_iter()
                .map(|c| c.id)
                .collect())
        };
        let ids = self.cache.client_connections(client_id, g, load).await?;
        Ok(self
            .connections()
            .await?
            .into_iter()
            .filter(|c| ids.contains(&c.id))
            .collect())
    }

    /// The grant of `client_id` for `audience`, from the cache.
    pub async fn client_grant(
        &self,
        client_id: &str,
        audience: &str,
    ) -> Result<Option<portcullis_core::client_grants::ClientGrant>, portcullis_store::StoreError>
    {
        let g = self.sync_configuration().await?;
        let load = self.store.find_client_grant(client_id, audience);
        self.cache.client_grant(client_id, audience, g, load).await
    }

    /// Scheduled rotation: rotates when the current key has signed for `days`.
    /// Every node runs this; the conditional rotation lets exactly one of them
    /// rotate, and the others pick the new keys up through the configuration
    /// generation.
    pub async fn rotate_keys_if_due(
        &self,
        days: u64,
    ) -> Result<bool, crate::keyring::KeyringError> {
        let now = self.now();
        let records = self.store.list_signing_key_records().await?;
        let Some(since) = records
            .iter()
            .find(|k| k.state == "current")
            .and_then(|k| k.current_since)
        else {
            return Ok(false);
        };
        if now - since < (days as i64) * 86_400 {
            return Ok(false);
        }
        let rotated = self.rotate_keys_now().await?;
        if rotated {
            tracing::info!(kid = %self.keys().current().kid, "signing key rotated on schedule");
        }
        Ok(rotated)
    }

    /// Rotates the tenant's keys and publishes the result: this node signs with the
    /// new keys at once, the others within the caches' bound. `Ok(false)` if another
    /// rotation won.
    pub async fn rotate_keys_now(&self) -> Result<bool, crate::keyring::KeyringError> {
        let keys = self.keys();
        let rotated =
            crate::keyring::rotate(&self.store, &self.kek, self.issuer(), &keys, self.now())
                .await?;
        if rotated {
            self.store.bump_config_generation().await?;
            self.reload_keys().await?;
        }
        Ok(rotated)
    }
}
