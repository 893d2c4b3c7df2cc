//! Prometheus metrics at `/metrics` (text exposition format 0.0.4), kept in
//! atomics and small maps: requests by route and status with latency
//! histograms, tokens issued by grant, audit events by type (login failures
//! are `f`, `fp`, `fu`, …), script executions, database pool use.
//!
//! Labels are route templates, status codes, grant types and event codes only:
//! never an id, a user name or anything a request chose freely.

use std::collections::BTreeMap;
use std::fmt::Write;
use std::sync::Mutex;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Duration;

/// Latency buckets, in seconds.
const BUCKETS: [f64; 12] = [
    0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 5.0,
];

#[derive(Default)]
struct Histogram {
    counts: [u64; BUCKETS.len()],
    count: u64,
    sum: f64,
}

#[derive(Default)]
pub struct Metrics {
    requests: Mutex<BTreeMap<(String, String, u16), u64>>,
    latency: Mutex<BTreeMap<String, Histogram>>,
    tokens: Mutex<BTreeMap<String, u64>>,
    audit: Mutex<BTreeMap<String, u64>>,
    scripts: Mutex<BTreeMap<&'static str, u64>>,
    /// Per log stream (by its id: streams are few and made by
    /// administrators, not requests): events delivered, failed attempts,
    /// and the age in seconds of the oldest event not yet delivered.
    log_streams: Mutex<BTreeMap<String, StreamStats>>,
    started: AtomicU64,
}

#[derive(Default, Clone, Copy)]
struct StreamStats {
    delivered: u64,
    failed: u64,
    lag: f64,
}

fn bump<K: Ord>(map: &Mutex<BTreeMap<K, u64>>, key: K) {
    if let Ok(mut m) = map.lock() {
        *m.entry(key).or_default() += 1;
    }
}

impl Metrics {
    pub fn new() -> Self {
        let m = Self::default();
        let now = std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map_or(0, |d| d.as_secs());
        m.started.store(now, Ordering::Relaxed);
        m
    }

    pub fn request(&self, route: &str, method: &str, status: u16, took: Duration) {
        bump(
            &self.requests,
            (route.to_string(), method.to_string(), status),
        );
        if let Ok(mut l) = self.latency.lock() {
            let h = l.entry(route.to_string()).or_default();
            let secs = took.as_secs_f64();
            for (i, b) in BUCKETS.iter().enumerate() {
                if secs <= *b {
                    h.counts[i] += 1;
                }
            }
            h.count += 1;
            h.sum += secs;
        }
    }

    pub fn token_issued(&self, grant: &str) {
        bump(&self.tokens, grant.to_string());
    }

    pub fn audit_event(&self, event_type: &str) {
        bump(&self.audit, event_type.to_string());
    }

    fn log_stream(&self, id: &str, change: impl FnOnce(&mut StreamStats)) {
        if let Ok(mut m) = self.log_streams.lock() {
            change(m.entry(id.to_string()).or_default());
        }
    }

    pub fn log_stream_delivered(&self, id: &str, events: u64) {
        self.log_stream(id, |s| s.delivered += events);
    }

    pub fn log_stream_failed(&self, id: &str) {
        self.log_stream(id, |s| s.failed += 1);
    }

    pub fn log_stream_lag(&self, id: &str, seconds: f64) {
        self.log_stream(id, |s| s.lag = seconds);
    }

    /// Forgets the streams not in `ids` (deleted).
    pub fn retain_log_streams(&self, ids: &[&str]) {
        if let Ok(mut m) = self.log_streams.lock() {
            m.retain(|k, _| ids.contains(&k.as_str()));
        }
    }

    /// `ok`, `denied` or `failed`.
    pub fn script(&self, outcome: &'static str) {
        bump(&self.scripts, outcome);
    }

    /// The exposition text; `pool` is (connections open, idle).
    pub fn render(&self, pool: (u32, u32)) -> String {
        let mut out = String::with_capacity(4096);
        let _ = writeln!(
            out,
            "# HELP portcullis_http_requests_total HTTP requests by route template, method and status."
        );
        let _ = writeln!(out, "# TYPE portcullis_http_requests_total counter");
        if let Ok(m) = self.requests.lock() {
            for ((route, method, status), n) in m.iter() {
                let _ = writeln!(
                    out,
                    "portcullis_http_requests_total{{route=\"{route}\",method=\"{method}\",status=\"{status}\"}} {n}"
                );
            }
        }
        let _ = writeln!(
            out,
            "# HELP portcullis_http_request_duration_seconds Time to answer, by route template."
        );
        let _ = writeln!(
            out,
            "# TYPE portcullis_http_request_duration_seconds histogram"
        );
        if let Ok(l) = self.latency.lock() {
            for (route, h) in l.iter() {
                for (i, b) in BUCKETS.iter().enumerate() {
                    let _ = writeln!(
                        out,
                        "portcullis_http_request_duration_seconds_bucket{{route=\"{route}\",le=\"{b}\"}} {}",
                        h.counts[i]
                    );
                }
                let _ = writeln!(
                    out,
                    "portcullis_http_request_duration_seconds_bucket{{route=\"{route}\",le=\"+Inf\"}} {}",
                    h.count
                );
                let _ = writeln!(
                    out,
                    "portcullis_http_request_duration_seconds_sum{{route=\"{route}\"}} {}",
                    h.sum
                );
                let _ = writeln!(
                    out,
                    "portcullis_http_request_duration_seconds_count{{route=\"{route}\"}} {}",
                    h.count
                );
            }
        }
        let counter =
            |out: &mut String, name: &str, help: &str, label: &str, m: Vec<(String, u64)>| {
                let _ = writeln!(out, "# HELP {name} {help}");
                let _ = writeln!(out, "# TYPE {name} counter");
                for (k, n) in m {
                    let _ = writeln!(out, "{name}{{{label}=\"{k}\"}} {n}");
                }
            };
        let snapshot = |m: &Mutex<BTreeMap<String, u64>>| -> Vec<(String, u64)> {
            m.lock()
                .map(|m| m.iter().map(|(k, v)| (k.clone(), *v)).collect())
                .unwrap_or_default()
        };
        counter(
            &mut out,
            "portcullis_tokens_issued_total",
            "Token responses by grant type.",
            "grant_type",
            snapshot(&self.tokens),
        );
        counter(
            &mut out,
            "portcullis_audit_events_total",
            "Audit events by Auth0 event code (f, fp, fu: failed logins).",
            "type",
            snapshot(&self.audit),
        );
        let scripts: Vec<(String, u64)> = self
            .scripts
            .lock()
            .map(|m| m.iter().map(|(k, v)| (k.to_string(), *v)).collect())
            .unwrap_or_default();
        counter(
            &mut out,
            "portcullis_script_executions_total",
            "Rule and Action flows by outcome.",
            "outcome",
            scripts,
        );
        let streams: Vec<(String, StreamStats)> = self
            .log_streams
            .lock()
            .map(|m| m.iter().map(|(k, v)| (k.clone(), *v)).collect())
            .unwrap_or_default();
        counter(
            &mut out,
            "portcullis_log_stream_events_delivered_total",
            "Audit events a log stream's receiver accepted, by stream id.",
            "stream",
            streams
                .iter()
                .map(|(k, s)| (k.clone(), s.delivered))
                .collect(),
        );
        counter(
            &mut out,
            "portcullis_log_stream_failures_total",
            "Failed deliveries (refused, failed or timed out), by stream id.",
            "stream",
            streams.iter().map(|(k, s)| (k.clone(), s.failed)).collect(),
        );
        let _ = writeln!(
            out,
            "# HELP portcullis_log_stream_lag_seconds Age of the oldest audit event a stream has not delivered (0 when caught up), as this node last saw it."
        );
        let _ = writeln!(out, "# TYPE portcullis_log_stream_lag_seconds gauge");
        for (k, s) in &streams {
            let _ = writeln!(
                out,
                "portcullis_log_stream_lag_seconds{{stream=\"{k}\"}} {}",
                s.lag
            );
        }
        let _ = writeln!(
            out,
            "# HELP portcullis_script_threads Script threads alive (running or stuck past their deadline)."
        );
        let _ = writeln!(out, "# TYPE portcullis_script_threads gauge");
        let _ = writeln!(
            out,
            "portcullis_script_threads {}",
            portcullis_sandbox::running()
        );
        let _ = writeln!(
            out,
            "# HELP portcullis_db_pool_connections Database pool connections by state."
        );
        let _ = writeln!(out, "# TYPE portcullis_db_pool_connections gauge");
        let _ = writeln!(
            out,
            "portcullis_db_pool_connections{{state=\"idle\"}} {}",
            pool.1
        );
        let _ = writeln!(
            out,
            "portcullis_db_pool_connections{{state=\"in_use\"}} {}",
            pool.0.saturating_sub(pool.1)
        );
        let _ = writeln!(
            out,
            "# HELP portcullis_start_time_seconds When this process started (Unix time)."
        );
        let _ = writeln!(out, "# TYPE portcullis_start_time_seconds gauge");
        let _ = writeln!(
            out,
            "portcullis_start_time_seconds {}",
            self.started.load(Ordering::Relaxed)
        );
        out
    }
}

/// The SQLite writer's counters (group commit): batches, operations (their
/// ratio is the mean batch size), time waited for the writer and time spent
/// committing.
pub fn render_writer(stats: &portcullis_store::WriterStats) -> String {
    use std::sync::atomic::Ordering::Relaxed;
    let seconds = |micros: u64| micros as f64 / 1e6;
    let mut out = String::with_capacity(1024);
    for (name, kind, help, value) in [
        (
            "portcullis_store_write_batches_total",
            "counter",
            "Write batches committed (SQLite group commit).",
            stats.batches.load(Relaxed) as f64,
        ),
        (
            "portcullis_store_write_operations_total",
            "counter",
            "Write operations committed; divided by batches, the mean batch size.",
            stats.operations.load(Relaxed) as f64,
        ),
        (
            "portcullis_store_write_failed_commits_total",
            "counter",
            "Write batches whose commit failed (nothing of them was stored).",
            stats.failed_commits.load(Relaxed) as f64,
        ),
        (
            "portcullis_store_write_wait_seconds_total",
            "counter",
            "Time write operations waited for the writer, summed.",
            seconds(stats.waited_micros.load(Relaxed)),
        ),
        (
            "portcullis_store_write_commit_seconds_total",
            "counter",
            "Time spent committing batches (the fsync), summed.",
            seconds(stats.commit_micros.load(Relaxed)),
        ),
    ] {
        let _ = writeln!(out, "# HELP {name} {help}");
        let _ = writeln!(out, "# TYPE {name} {kind}");
        let _ = writeln!(out, "{name} {value}");
    }
    out
}
