//! Log-stream delivery: every node runs one loop that, for each stream due,
//! takes the stream's lease (`log_stream:<id>`, so one node at a time sends a
//! given stream, in order), reads the stored audit events past the stream's
//! cursor, sends what `portcullis_core::log_streams::plan` lays out, and moves
//! the cursor only after the receiver answered 2xx. A receiver that is down,
//! slow or failing delays only its own stream (each stream is sent by a task
//! of its own, each request bounded by [`TIMEOUT`], the lease renewed before
//! each); logins never wait for a stream, since they only write the audit
//! table.
//!
//! Events are read up to [`SETTLE`] before now: an event becomes visible when
//! its node's audit writer commits, which may be after a later event of
//! another node was stored, so the newest moments are left until every
//! writer has committed them (and clocks a little apart agree).
//!
//! Built from the store, the clock, the key-encryption key and the metrics.

use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::Duration;

use portcullis_core::keys::KeyEncryptionKey;
use portcullis_core::log_streams::{self as core, SinkSecrets};
use portcullis_store::{StoreError, StoredLogStream, TenantStore};

use crate::clock::Clock;
use crate::metrics::Metrics;

/// A stream's lease lapses this long after its node stopped renewing it: well
/// beyond one request ([`TIMEOUT`]), since it is renewed before each.
pub const LEASE_TTL: i64 = 30;
/// How often a node looks for events when nobody wakes it.
const POLL_EVERY: Duration = Duration::from_secs(1);
/// One request to a receiver may take this long.
pub const TIMEOUT: Duration = Duration::from_secs(10);
/// Events newer than this are left for the next pass (see the module doc).
pub const SETTLE: Duration = Duration::from_secs(2);
/// Batches one stream sends per pass before the others get a turn.
const BATCHES_PER_PASS: usize = 10;

/// The lease one node holds while it sends a stream (deleted with it).
pub fn lease_name(id: &str) -> String {
    format!("log_stream:{id}")
}

/// The associated data sealing a stream's secrets: the stream's id, so a
/// sealed value cannot be moved to another stream.
pub fn secrets_aad(id: &str) -> String {
    format!("log_stream:{id}")
}

/// Seals a stream's secrets for storage.
pub fn seal(kek: &KeyEncryptionKey, id: &str, secrets: &SinkSecrets) -> String {
    let json = serde_json::to_vec(secrets).unwrap_or_default();
    kek.seal(&secrets_aad(id), &json)
}

/// Opens what [`seal`] sealed.
pub fn open(kek: &KeyEncryptionKey, id: &str, sealed: &str) -> Option<SinkSecrets> {
    let raw = kek.open(&secrets_aad(id), sealed).ok()?;
    serde_json::from_slice(&raw).ok()
}

#[derive(Clone)]
pub struct Deliverer {
    store: TenantStore,
    clock: Clock,
    kek: Arc<KeyEncryptionKey>,
    metrics: Arc<Metrics>,
    http: reqwest::Client,
    node: String,
    wake: Arc<tokio::sync::Notify>,
    stopped: Arc<AtomicBool>,
    /// The loop, then each stream's delivery under way (by stream id): one
    /// at a time per stream, each on its own task so a slow receiver holds
    /// up only its stream; all aborted when the server stops.
    tasks: Arc<std::sync::Mutex<Tasks>>,
}

#[derive(Default)]
struct Tasks {
    main: Option<tokio::task::AbortHandle>,
    streams: std::collections::HashMap<String, tokio::task::AbortHandle>,
}

/// Why an attempt failed (said in the stream's `last_error`, never with a
/// secret: the receiver's status, or the kind of transport failure).
fn describe(e: &reqwest::Error) -> String {
    if e.is_timeout() {
        format!("no answer within {} s", TIMEOUT.as_secs())
    } else if e.is_connect() {
        "could not connect".into()
    } else {
        "the request failed".into()
    }
}

impl Deliverer {
    pub fn new(
        store: TenantStore,
        clock: Clock,
        kek: Arc<KeyEncryptionKey>,
        metrics: Arc<Metrics>,
    ) -> Self {
        Self {
            store,
            clock,
            kek,
            metrics,
            http: crate::upstream_client::outbound_http_client(TIMEOUT),
            node: portcullis_core::random::alphanumeric(16),
            wake: Arc::new(tokio::sync::Notify::new()),
            stopped: Arc::default(),
            tasks: Arc::default(),
        }
    }

    /// Runs the loop for the life of the server.
    pub fn start(&self) {
        let d = self.clone();
        let handle = tokio::spawn(async move {
            while !d.stopped.load(Ordering::SeqCst) {
                if let Err(e) = d.pass().await {
                    tracing::warn!(error = %e, "log streams: a pass failed; retrying");
                }
                let _ = tokio::time::timeout(POLL_EVERY, d.wake.notified()).await;
            }
        });
        if let Ok(mut t) = self.tasks.lock() {
            t.main = Some(handle.abort_handle());
        }
    }

    /// Stops the loop at once, a request in flight included: what it carried
    /// is sent again by the next holder of the lease (at least once).
    pub fn stop(&self) {
        self.stopped.store(true, Ordering::SeqCst);
        if let Ok(mut t) = self.tasks.lock() {
            if let Some(h) = t.main.take() {
                h.abort();
            }
            for (_, h) in t.streams.drain() {
                h.abort();
            }
        }
    }

    /// A stream was created or changed: look now.
    pub fn wake(&self) {
        self.wake.notify_one();
    }

    /// Starts the delivery of each stream that is due and not already under
    /// way on this node.
    async fn pass(&self) -> Result<(), StoreError> {
        let now = self.clock.now();
        if let Ok(mut tasks) = self.tasks.lock() {
            tasks.streams.retain(|_, h| !h.is_finished());
        }
        let streams = self.store.log_streams().await?;
        // A stream deleted (on any node) leaves no metrics behind.
        let ids: Vec<&str> = streams.iter().map(|s| s.stream.id.as_str()).collect();
        self.metrics.retain_log_streams(&ids);
        for s in streams {
            if !s.delivery.due(now) {
                continue;
            }
            let Ok(mut tasks) = self.tasks.lock() else {
                return Ok(());
            };
            let id = s.stream.id.clone();
            if self.stopped.load(Ordering::SeqCst)
                || tasks.streams.get(&id).is_some_and(|h| !h.is_finished())
            {
                continue;
            }
            let d = self.clone();
            let key = id.clone();
            let handle = tokio::spawn(async move {
                if let Err(e) = d.deliver(s).await {
                    tracing::warn!(stream = %key, error = %e, "log stream: delivery interrupted");
                }
            });
            tasks.streams.insert(id, handle.abort_handle());
        }
        Ok(())
    }

    /// Sends what is due of one stream.
    async fn deliver(&self, s: StoredLogStream) -> Result<(), StoreError> {
        let id = &s.stream.id;
        let Some(secrets) = open(&self.kek, id, &s.sealed_secrets) else {
            tracing::error!(stream = %id, "log stream: its secrets do not open with this key-encryption key");
            return Ok(());
        };
        let mut state = s.delivery.clone();
        for _ in 0..BATCHES_PER_PASS {
            if !self.hold(id).await? {
                return Ok(());
            }
            let wall_ms = wall_millis();
            let before = core::log_id_floor(wall_ms - SETTLE.as_millis() as i64);
            let events = self
                .store
                .logs_between(&state.cursor, &before, core::BATCH)
                .await?;
            let Some(last) = events.last().map(|e| e.log_id.clone()) else {
                self.metrics.log_stream_lag(id, 0.0);
                return Ok(());
            };
            if let Some(ms) = events.first().and_then(|e| core::log_id_millis(&e.log_id)) {
                self.metrics
                    .log_stream_lag(id, (wall_ms - ms).max(0) as f64 / 1000.0);
            }
            let view: Vec<core::Event<'_>> = events
                .iter()
                .map(|e| core::Event {
                    log_id: &e.log_id,
                    code: &e.event_type,
                    doc: &e.doc,
                })
                .collect();
            for out in core::plan(&s.stream, &secrets, &view) {
                // Renewed before each request, so the lease outlives it and no
                // other node sends this stream meanwhile.
                if !self.hold(id).await? {
                    return Ok(());
                }
                let sent = events
                    .iter()
                    .filter(|e| e.log_id > state.cursor && e.log_id <= out.through)
                    .count();
                match self.send(&out).await {
                    Ok(()) => {
                        if !self
                            .store
                            .log_stream_delivered(id, &state.cursor, &out.through)
                            .await?
                        {
                            // Another node moved it (this node's lease lapsed).
                            return Ok(());
                        }
                        state = state.delivered(&out.through);
                        self.metrics.log_stream_delivered(id, sent as u64);
                    }
                    Err(why) => {
                        let after = state.failed(self.clock.now());
                        self.store
                            .log_stream_failed(id, &state.cursor, s.version, &after, &why)
                            .await?;
                        self.metrics.log_stream_failed(id);
                        tracing::warn!(stream = %id, error = %why, failures = after.failures, "log stream: delivery failed; will retry");
                        return Ok(());
                    }
                }
            }
            // Events the filters left out move the cursor too.
            if last != state.cursor {
                if !self
                    .store
                    .log_stream_delivered(id, &state.cursor, &last)
                    .await?
                {
                    return Ok(());
                }
                state = state.delivered(&last);
            }
        }
        Ok(())
    }

    /// Takes or renews this stream's lease; `false` if another node holds it
    /// or the server is stopping.
    async fn hold(&self, id: &str) -> Result<bool, StoreError> {
        if self.stopped.load(Ordering::SeqCst) {
            return Ok(false);
        }
        self.store
            .acquire_lease(&lease_name(id), &self.node, self.clock.now(), LEASE_TTL)
            .await
    }

    async fn send(&self, out: &core::Outbound) -> Result<(), String> {
        let mut req = self.http.post(&out.url).body(out.body.clone());
        for (k, v) in &out.headers {
            req = req.header(k.as_str(), v.expose());
        }
        let res = req.send().await.map_err(|e| describe(&e))?;
        let status = res.status();
        // The answer's body is not needed; dropping it closes the exchange.
        drop(res);
        if status.is_success() {
            Ok(())
        } else {
            Err(format!("the receiver answered {}", status.as_u16()))
        }
    }
}

fn wall_millis() -> i64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| d.as_millis() as i64)
}
