//! CPU time and resident memory of processes, from /proc (Linux).

use std::time::Duration;

/// CPU seconds (user + system) used so far by `pid` and its children that are
/// still alive (Node cluster workers), or by this process for `None`.
pub fn cpu_seconds(pid: Option<u32>) -> f64 {
    let own = |p: &str| -> f64 {
        let Ok(stat) = std::fs::read_to_string(format!("/proc/{p}/stat")) else {
            return 0.0;
        };
        // Fields after the command name, which may contain spaces.
        let Some(rest) = stat.rsplit_once(") ").map(|(_, r)| r) else {
            return 0.0;
        };
        let f: Vec<&str> = rest.split_whitespace().collect();
        let ticks = |i: usize| f.get(i).and_then(|v| v.parse::<f64>().ok()).unwrap_or(0.0);
        // utime and stime are fields 14 and 15 of the full line (11, 12 here).
        (ticks(11) + ticks(12)) / clock_ticks()
    };
    match pid {
        None => own("self"),
        Some(pid) => {
            let mut total = own(&pid.to_string());
            for child in children(pid) {
                total += own(&child.to_string());
            }
            total
        }
    }
}

/// Resident set size of `pid` and its children, in bytes.
pub fn rss_bytes(pid: u32) -> u64 {
    let one = |p: u32| -> u64 {
        std::fs::read_to_string(format!("/proc/{p}/status"))
            .ok()
            .and_then(|s| {
                s.lines()
                    .find(|l| l.starts_with("VmRSS:"))
                    .and_then(|l| l.split_whitespace().nth(1))
                    .and_then(|kb| kb.parse::<u64>().ok())
            })
            .unwrap_or(0)
            * 1024
    };
    one(pid) + children(pid).into_iter().map(one).sum::<u64>()
}

fn children(pid: u32) -> Vec<u32> {
    std::fs::read_to_string(format!("/proc/{pid}/task/{pid}/children"))
        .unwrap_or_default()
        .split_whitespace()
        .filter_map(|c| c.parse().ok())
        .collect()
}

fn clock_ticks() -> f64 {
    // Linux's USER_HZ is 100 on every architecture this runs on.
    100.0
}

/// Samples the peak RSS of `pid` every 200 ms until stopped.
pub struct RssSampler {
    stop: tokio::sync::watch::Sender<bool>,
    handle: tokio::task::JoinHandle<u64>,
}

impl RssSampler {
    pub fn start(pid: u32) -> Self {
        let (stop, mut rx) = tokio::sync::watch::channel(false);
        let handle = tokio::spawn(async move {
            let mut peak = rss_bytes(pid);
            loop {
                tokio::select! {
                    _ = rx.changed() => return peak,
                    _ = tokio::time::sleep(Duration::from_millis(200)) => {
                        peak = peak.max(rss_bytes(pid));
                    }
                }
            }
        });
        Self { stop, handle }
    }

    pub async fn peak(self) -> u64 {
        let _ = self.stop.send(true);
        self.handle.await.unwrap_or(0)
    }
}
