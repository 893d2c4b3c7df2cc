//! A closed-loop load generator: `conns` tasks each send one request at a time,
//! for a warm-up and then a measured window that starts and ends at the same
//! instant for all of them; plus the in-process signing limit.

use std::future::Future;
use std::pin::Pin;
use std::time::{Duration, Instant};

use serde::Serialize;

use crate::proc_stats::{RssSampler, cpu_seconds};

pub type Step<'a> = Pin<Box<dyn Future<Output = Option<bool>> + Send + 'a>>;

/// One connection's work: `once` sends one request (or a short chain of them)
/// and says whether it succeeded; `None` when its prepared inputs ran out.
pub trait Worker: Send + 'static {
    fn once(&mut self) -> Step<'_>;
}

#[derive(Debug, Clone, Serialize)]
pub struct CaseResult {
    pub case: String,
    pub server: String,
    pub requests_per_s: f64,
    pub p50_ms: f64,
    pub p99_ms: f64,
    pub ok: u64,
    pub errors: u64,
    /// Server CPU seconds spent per 1,000 successful requests.
    pub server_cpu_s_per_1k: f64,
    /// Cores used by the server and by the load generator during the window.
    pub server_cores: f64,
    pub loadgen_cores: f64,
    pub peak_rss_mb: f64,
    /// Inputs (codes) ran out before the window ended; the rate covers the time
    /// they lasted.
    pub exhausted: bool,
}

pub struct Shape {
    pub conns: usize,
    pub warmup: Duration,
    pub window: Duration,
}

/// Runs `make(i)` workers against the server process `pid`.
pub async fn drive<W: Worker>(
    case: &str,
    server: &str,
    pid: u32,
    shape: &Shape,
    mut make: impl FnMut(usize) -> W,
) -> CaseResult {
    let start = Instant::now() + shape.warmup;
    let end = start + shape.window;
    let mut tasks = Vec::new();
    for i in 0..shape.conns {
        let mut w = make(i);
        tasks.push(tokio::spawn(async move {
            let mut lat: Vec<u32> = Vec::with_capacity(1 << 14);
            let (mut ok, mut err, mut exhausted) = (0u64, 0u64, false);
            let mut finished = end;
            loop {
                let t0 = Instant::now();
                if t0 >= end {
                    break;
                }
                let Some(success) = w.once().await else {
                    exhausted = true;
                    finished = t0;
                    break;
                };
                if t0 >= start {
                    if success {
                        ok += 1;
                        lat.push(t0.elapsed().as_micros().min(u32::MAX as u128) as u32);
                    } else {
                        err += 1;
                    }
                }
            }
            (lat, ok, err, exhausted, finished)
        }));
    }
    // CPU and memory over the measured window only.
    tokio::time::sleep_until(start.into()).await;
    let (s0, l0) = (cpu_seconds(Some(pid)), cpu_seconds(None));
    let sampler = RssSampler::start(pid);
    tokio::time::sleep_until(end.into()).await;
    let (s1, l1) = (cpu_seconds(Some(pid)), cpu_seconds(None));
    let peak = sampler.peak().await;
    let mut lat = Vec::new();
    let (mut ok, mut err, mut exhausted) = (0u64, 0u64, false);
    let mut last = start;
    for t in tasks {
        if let Ok((l, o, e, x, f)) = t.await {
            lat.extend(l);
            ok += o;
            err += e;
            exhausted |= x;
            last = last.max(f);
        }
    }
    lat.sort_unstable();
    let pct = |p: f64| -> f64 {
        if lat.is_empty() {
            return 0.0;
        }
        let i = ((lat.len() as f64 * p).ceil() as usize).clamp(1, lat.len()) - 1;
        lat[i] as f64 / 1000.0
    };
    let secs = if exhausted {
        last.saturating_duration_since(start)
            .as_secs_f64()
            .max(0.001)
    } else {
        shape.window.as_secs_f64()
    };
    let window = shape.window.as_secs_f64();
    let result = CaseResult {
        case: case.into(),
        server: server.into(),
        requests_per_s: ok as f64 / secs,
        p50_ms: pct(0.50),
        p99_ms: pct(0.99),
        ok,
        errors: err,
        server_cpu_s_per_1k: if ok > 0 {
            (s1 - s0) / ok as f64 * 1000.0
        } else {
            0.0
        },
        server_cores: (s1 - s0) / window,
        loadgen_cores: (l1 - l0) / window,
        peak_rss_mb: peak as f64 / 1_048_576.0,
        exhausted,
    };
    eprintln!(
        "   {case} [{server}]: {:.0} req/s, p50 {:.2} ms, p99 {:.2} ms, {} errors, server {:.2} cores, load generator {:.2} cores, peak RSS {:.1} MB{}",
        result.requests_per_s,
        result.p50_ms,
        result.p99_ms,
        result.errors,
        result.server_cores,
        result.loadgen_cores,
        result.peak_rss_mb,
        if exhausted { " (inputs ran out)" } else { "" }
    );
    result
}

/// RS256 (RSA-2048, PKCS#1 v1.5, SHA-256) signatures per second with a parsed key
/// on every core: the cost of a token that nothing else adds to.
pub fn rs256_signing_limit(window: Duration) -> f64 {
    use aws_lc_rs::rsa::KeySize;
    use aws_lc_rs::signature::{RSA_PKCS1_SHA256, RsaKeyPair};
    let cores = std::thread::available_parallelism().map_or(2, |n| n.get());
    let key = std::sync::Arc::new(RsaKeyPair::generate(KeySize::Rsa2048).expect("an RSA key"));
    let msg = [7u8; 300];
    let handles: Vec<_> = (0..cores)
        .map(|_| {
            let key = key.clone();
            std::thread::spawn(move || {
                let rng = aws_lc_rs::rand::SystemRandom::new();
                let mut sig = vec![0u8; key.public_modulus_len()];
                let end = Instant::now() + window;
                let mut n = 0u64;
                while Instant::now() < end {
                    key.sign(&RSA_PKCS1_SHA256, &rng, &msg, &mut sig)
                        .expect("signing");
                    n += 1;
                }
                n
            })
        })
        .collect();
    let total: u64 = handles.into_iter().map(|h| h.join().unwrap_or(0)).sum();
    total as f64 / window.as_secs_f64()
}

/// argon2id verifications per second at Portcullis's parameters on every core:
/// the limit of password logins, by design.
pub fn argon2_limit(window: Duration) -> f64 {
    use portcullis_core::passwords;
    use portcullis_core::secrets::Secret;
    let cores = std::thread::available_parallelism().map_or(2, |n| n.get());
    let stored = passwords::hash(&Secret::new("Bench-Passw0rd!42"));
    let handles: Vec<_> = (0..cores)
        .map(|_| {
            let stored = stored.clone();
            std::thread::spawn(move || {
                let end = Instant::now() + window;
                let mut n = 0u64;
                while Instant::now() < end {
                    passwords::verify(&Secret::new("Bench-Passw0rd!42"), &stored);
                    n += 1;
                }
                n
            })
        })
        .collect();
    let total: u64 = handles.into_iter().map(|h| h.join().unwrap_or(0)).sum();
    total as f64 / window.as_secs_f64()
}
