//! The tenant's configuration generation as this node knows it: a number in the
//! database that every change through the Management API (applications, APIs,
//! grants, keys, scripts) moves. Every node reads it at most once per
//! [`STALENESS`] (one read at a time; other requests go on with the value
//! they have), so a change made on one node reaches all of them within that
//! bound. `AppState::sync_configuration` is the one watcher: on a new value
//! it reloads the signing keys; the caches and the compiled scripts compare
//! the value they were filled at.

use std::sync::atomic::{AtomicI64, Ordering};
use std::time::{Duration, Instant};

use portcullis_store::{StoreError, TenantStore};

/// The longest a change made on another node may go unseen here.
pub const STALENESS: Duration = Duration::from_secs(1);

pub struct Generation {
    known: AtomicI64,
    /// The generation the published signing keys were last read at.
    keys_at: AtomicI64,
    checked: std::sync::Mutex<Instant>,
    refreshing: tokio::sync::Mutex<()>,
}

/// What a look at the generation found.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Seen {
    pub generation: i64,
    /// The signing keys were read at another generation: reload them.
    pub keys_stale: bool,
}

impl Default for Generation {
    fn default() -> Self {
        Self {
            known: AtomicI64::new(-1),
            keys_at: AtomicI64::new(-1),
            checked: std::sync::Mutex::new(Instant::now() - STALENESS * 2),
            refreshing: tokio::sync::Mutex::new(()),
        }
    }
}

impl Generation {
    /// The generation, read from `store` when the last read is older than
    /// [`STALENESS`].
    pub async fn current(&self, store: &TenantStore) -> Result<Seen, StoreError> {
        let due = self
            .checked
            .lock()
            .map(|c| c.elapsed() >= STALENESS)
            .unwrap_or(true);
        let known = self.known.load(Ordering::Acquire);
        let fresh = |g: i64| Seen {
            generation: g,
            keys_stale: false,
        };
        if !due && known >= 0 {
            return Ok(fresh(known));
        }
        // Single flight: while one request reads the generation, others go on
        // with the value they have (unless there is none yet).
        let _guard = match self.refreshing.try_lock() {
            Ok(g) => g,
            Err(_) if known >= 0 => return Ok(fresh(known)),
            Err(_) => self.refreshing.lock().await,
        };
        let g = store.config_generation().await?;
        self.known.store(g, Ordering::Release);
        if let Ok(mut c) = self.checked.lock() {
            *c = Instant::now();
        }
        Ok(Seen {
            generation: g,
            keys_stale: self.keys_at.load(Ordering::Acquire) != g,
        })
    }

    /// The signing keys were read at `generation`.
    pub fn keys_loaded(&self, generation: i64) {
        self.keys_at.store(generation, Ordering::Release);
    }

    /// Forgets the value, so the next look reads the database.
    pub fn forget(&self) {
        self.known.store(-1, Ordering::Release);
    }
}
