//! The one table: every case, with ratios to the signing limit and to the peer.

use serde::Serialize;

use crate::Args;
use crate::load::CaseResult;

#[derive(Debug, Default, Serialize)]
pub struct Report {
    pub machine: String,
    pub cores: usize,
    pub load_shape: String,
    /// RS256 signatures/s on all cores, in-process.
    pub signing_limit: f64,
    /// argon2id verifications/s on all cores, in-process (the password-login limit).
    pub argon2_limit: f64,
    pub startup_empty_ms: f64,
    pub startup_existing_ms: f64,
    pub idle_rss_mb: f64,
    pub idle_rss_after_mb: f64,
    pub results: Vec<CaseResult>,
    /// Bulk user imports (`--cases import`).
    pub imports: Vec<ImportResult>,
}

/// One bulk user import: the upload, the job, the server's memory.
#[derive(Debug, Default, Serialize)]
pub struct ImportResult {
    pub server: String,
    pub users: u64,
    pub file_mb: f64,
    pub upload_s: f64,
    pub job_s: f64,
    pub users_per_s: f64,
    pub rss_before_mb: f64,
    pub peak_rss_mb: f64,
}

/// Signatures (or argon2 verifications) one request of the case costs, to
/// compare it with the in-process limit.
fn limit_cost(case: &str) -> Option<(&'static str, f64)> {
    match case {
        "client_credentials" => Some(("sign", 1.0)),
        // Access token + ID token.
        "refresh_token"
        | "refresh_token_rotating"
        | "authorization_code"
        | "refresh_token_rotating+action" => Some(("sign", 2.0)),
        "login" | "login+action" => Some(("argon2", 1.0)),
        _ => None,
    }
}

impl Report {
    pub fn new(args: &Args) -> Self {
        let machine = std::fs::read_to_string("/proc/cpuinfo")
            .ok()
            .and_then(|c| {
                c.lines()
                    .find(|l| l.starts_with("model name"))
                    .and_then(|l| l.split_once(':'))
                    .map(|(_, m)| m.trim().to_string())
            })
            .unwrap_or_default();
        Self {
            machine,
            cores: std::thread::available_parallelism().map_or(0, |n| n.get()),
            load_shape: format!(
                "{} load-generator threads x {} connections, {} s warm-up, {} s measured, loopback",
                args.threads, args.conns, args.warmup, args.duration
            ),
            ..Default::default()
        }
    }

    pub fn add(&mut self, r: CaseResult) {
        self.results.push(r);
    }

    fn ours(&self, case: &str) -> Option<&CaseResult> {
        self.results
            .iter()
            .find(|r| r.case == case && r.server == "portcullis")
    }

    /// The peer's best figure for the case (two workers unless only one ran).
    fn peer(&self, case: &str) -> Option<&CaseResult> {
        self.results
            .iter()
            .filter(|r| r.case == case && r.server.starts_with("peer"))
            .max_by(|a, b| a.requests_per_s.total_cmp(&b.requests_per_s))
    }

    pub fn finish(&self, args: &Args) -> Result<(), String> {
        let mut table = String::new();
        table.push_str(&format!(
            "Machine: {} ({} cores). Load: {}.\n\
             Signing limit (RS256, in-process, all cores): {:.0}/s. argon2id limit: {:.0}/s.\n\
             Start to ready: {:.0} ms (empty data dir), {:.0} ms (existing database). \
             Idle RSS: {:.1} MB at start, {:.1} MB after the run.\n\n",
            self.machine,
            self.cores,
            self.load_shape,
            self.signing_limit,
            self.argon2_limit,
            self.startup_empty_ms,
            self.startup_existing_ms,
            self.idle_rss_mb,
            self.idle_rss_after_mb
        ));
        table.push_str("| case | server | req/s | p50 ms | p99 ms | errors | server CPU s / 1k req | server cores | load-gen cores | peak RSS MB | ours / limit | ours / peer |\n");
        table.push_str("|---|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|\n");
        for r in &self.results {
            let (vs_limit, vs_peer) = if r.server.starts_with("portcullis") {
                let limit = limit_cost(&r.case).map(|(kind, cost)| {
                    let l = if kind == "sign" {
                        self.signing_limit
                    } else {
                        self.argon2_limit
                    };
                    format!("{:.0}%", r.requests_per_s / (l / cost) * 100.0)
                });
                let peer = self
                    .peer(&r.case)
                    .map(|p| format!("{:.2}× ({})", r.requests_per_s / p.requests_per_s, p.server));
                (
                    limit.unwrap_or_else(|| "–".into()),
                    peer.unwrap_or_else(|| "–".into()),
                )
            } else {
                ("–".into(), "–".into())
            };
            table.push_str(&format!(
                "| {} | {} | {:.0} | {:.2} | {:.2} | {} | {:.3} | {:.2} | {:.2} | {:.1} | {} | {} |\n",
                r.case,
                r.server,
                r.requests_per_s,
                r.p50_ms,
                r.p99_ms,
                r.errors,
                r.server_cpu_s_per_1k,
                r.server_cores,
                r.loadgen_cores,
                r.peak_rss_mb,
                vs_limit,
                vs_peer
            ));
        }
        for i in &self.imports {
            table.push_str(&format!(
                "\nBulk import on {}: {} users ({:.1} MB file) uploaded in {:.1} s, imported in {:.1} s ({:.0} users/s); server RSS {:.1} MB before, {:.1} MB peak.",
                i.server, i.users, i.file_mb, i.upload_s, i.job_s, i.users_per_s, i.rss_before_mb, i.peak_rss_mb
            ));
        }
        for (with, without) in [
            ("refresh_token_rotating+action", "refresh_token_rotating"),
            ("login+action", "login"),
        ] {
            if let (Some(a), Some(b)) = (self.ours(with), self.ours(without)) {
                table.push_str(&format!(
                    "\nA two-claim post-login action on `{without}`: {:.0} → {:.0} req/s ({:+.1}%), p50 {:.2} → {:.2} ms, server CPU {:.3} → {:.3} s per 1k.",
                    b.requests_per_s,
                    a.requests_per_s,
                    (a.requests_per_s / b.requests_per_s - 1.0) * 100.0,
                    b.p50_ms,
                    a.p50_ms,
                    b.server_cpu_s_per_1k,
                    a.server_cpu_s_per_1k
                ));
            }
        }
        println!("{table}");
        if let Some(dir) = args.out.parent() {
            let _ = std::fs::create_dir_all(dir);
        }
        let json = serde_json::to_string_pretty(self).map_err(|e| e.to_string())?;
        std::fs::write(&args.out, json).map_err(|e| format!("{}: {e}", args.out.display()))?;
        let md = args.out.with_extension("md");
        std::fs::write(&md, &table).map_err(|e| format!("{}: {e}", md.display()))?;
        eprintln!("results in {} and {}", args.out.display(), md.display());
        Ok(())
    }
}
