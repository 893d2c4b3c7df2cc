//! The server's clock: seconds since the Unix epoch, plus an offset that tests
//! move forward instead of sleeping (zero in production). The core reads no
//! clock; the shell reads this one once per request and passes `now` down.

use std::sync::Arc;
use std::sync::atomic::{AtomicI64, Ordering};
use std::time::{SystemTime, UNIX_EPOCH};

/// Cheap to clone: clones share the offset.
#[derive(Clone, Debug, Default)]
pub struct Clock {
    offset: Arc<AtomicI64>,
}

impl Clock {
    /// Seconds since the Unix epoch.
    pub fn now(&self) -> i64 {
        SystemTime::now()
            .duration_since(UNIX_EPOCH)
            .map(|d| d.as_secs() as i64)
            .unwrap_or_default()
            + self.offset.load(Ordering::Relaxed)
    }

    /// Moves this clock (and its clones) forward, for tests of expiry.
    pub fn advance(&self, seconds: i64) {
        self.offset.fetch_add(seconds, Ordering::Relaxed);
    }
}
