//! Background work that one node of a cluster does at a time, under a lease in
//! the database: removing expired codes, transactions, sessions, tokens and old
//! audit events. Killing a node mid-way is safe: each delete stands alone and
//! the lease expires, so another node (or this one, restarted) carries on.

use std::time::Duration;

use portcullis_store::{Cleaned, StoreError, TenantStore};

use crate::clock::Clock;

/// How often a node tries to take the clean-up lease.
pub const CLEANUP_EVERY: Duration = Duration::from_secs(300);
/// The lease outlives one pass by a wide margin, and lapses if its node dies.
const LEASE_TTL: i64 = 600;
/// Spent or revoked refresh tokens stay this long, so that a replay is still
/// recognised as reuse (Auth0's default absolute lifetime of rotating tokens).
const KEEP_REVOKED: i64 = 30 * 86_400;
/// Audit events are kept this long (Auth0 keeps 2 to 30 days by plan).
const LOG_RETENTION: i64 = 30 * 86_400;

/// One pass, if this node holds (or takes) the lease; `None` if another node does.
pub async fn clean_once(
    store: &TenantStore,
    node: &str,
    now: i64,
) -> Result<Option<Cleaned>, StoreError> {
    if !store.acquire_lease("cleanup", node, now, LEASE_TTL).await? {
        return Ok(None);
    }
    let cleaned = store
        .clean_expired(now, KEEP_REVOKED, LOG_RETENTION)
        .await?;
    if cleaned != Cleaned::default() {
        tracing::info!(?cleaned, "removed expired records");
    }
    Ok(Some(cleaned))
}

/// Runs clean-up passes every [`CLEANUP_EVERY`] for the life of the process.
pub fn start(store: TenantStore, clock: Clock) {
    let node = portcullis_core::random::alphanumeric(16);
    tokio::spawn(async move {
        // The first pass waits one interval: a restart is no reason to clean.
        let mut tick =
            tokio::time::interval_at(tokio::time::Instant::now() + CLEANUP_EVERY, CLEANUP_EVERY);
        loop {
            tick.tick().await;
            if let Err(e) = clean_once(&store, &node, clock.now()).await {
                tracing::warn!(error = %e, "clean-up pass failed; retrying at the next interval");
            }
        }
    });
}
