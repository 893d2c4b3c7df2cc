//! The runner of user import and export jobs: takes a waiting or abandoned
//! job under a lease in the database. An import's chunks are applied one
//! transaction each (`TenantStore::apply_import_chunk`) until none is left;
//! an export pages through the users by id into a gzip file kept in parts
//! (written again from the start when a job is resumed).
//!
//! Invariants: one node works on a job at a time (the lease `job:<id>`,
//! renewed before each chunk); a node that dies leaves the lease to lapse and
//! another node (or this one, restarted) resumes at the first chunk not done,
//! so a job is never half-imported silently: it completes, or fails with
//! `status_details` saying why.

use std::sync::Arc;
use std::time::Duration;

use portcullis_core::jobs::JobStatus;
use portcullis_core::user_import::{masked, parse_row};
use portcullis_core::users::DatabaseConnection;
use portcullis_store::{ChunkUser, StoreError, TenantStore};
use serde_json::Value;

use base64::Engine;
use base64::engine::general_purpose::STANDARD;
use portcullis_core::user_export::ExportRequest;

use crate::clock::Clock;

/// A job's lease lapses this long after its node stopped renewing it.
pub const LEASE_TTL: i64 = 10;
/// How often a node looks for jobs when nobody wakes it.
const POLL_EVERY: Duration = Duration::from_secs(2);
/// An upload that has not finished this long after it started is abandoned.
const UPLOAD_DEADLINE: i64 = 3600;

/// Told of each import this node ended (completed or failed), with the
/// job as it ended: the shell sends Auth0's completion e-mail from it.
pub type ImportEnded = Arc<dyn Fn(portcullis_core::jobs::Job) + Send + Sync>;

/// What the runner needs, and the bell a new job rings.
#[derive(Clone)]
pub struct Runner {
    store: TenantStore,
    clock: Clock,
    issuer: String,
    node: String,
    wake: Arc<tokio::sync::Notify>,
    /// Set when the server stops: no chunk is started after it.
    stopped: Arc<std::sync::atomic::AtomicBool>,
}

impl Runner {
    pub fn new(store: TenantStore, clock: Clock, issuer: String) -> Self {
        Self {
            store,
            clock,
            issuer,
            node: portcullis_core::random::alphanumeric(16),
            wake: Arc::new(tokio::sync::Notify::new()),
            stopped: Arc::default(),
        }
    }

    /// Stops the loop (the server is stopping); a job under way is left to
    /// its lease, which lapses, and is resumed by the next node.
    pub fn stop(&self) {
        self.stopped
            .store(true, std::sync::atomic::Ordering::SeqCst);
        self.wake.notify_one();
    }

    fn is_stopped(&self) -> bool {
        self.stopped.load(std::sync::atomic::Ordering::SeqCst)
    }

    /// Starts the loop for the life of the process; `ended` hears of each
    /// import it ends.
    pub fn start(&self, ended: ImportEnded) {
        let runner = self.clone();
        tokio::spawn(async move {
            while !runner.is_stopped() {
                if let Err(e) = runner.run_once(&ended).await {
                    tracing::warn!(error = %e, "import jobs: a pass failed; retrying");
                }
                let _ = tokio::time::timeout(POLL_EVERY, runner.wake.notified()).await;
            }
        });
    }

    /// A job is waiting: look now rather than at the next poll.
    pub fn wake(&self) {
        self.wake.notify_one();
    }

    /// One pass over the runnable jobs.
    pub async fn run_once(&self, ended: &ImportEnded) -> Result<(), StoreError> {
        let now = self.clock.now();
        for id in self.store.runnable_jobs(now - UPLOAD_DEADLINE, now).await? {
            self.process(&id, ended).await?;
        }
        Ok(())
    }

    async fn lease(&self, id: &str) -> Result<bool, StoreError> {
        self.store
            .acquire_lease(
                &format!("job:{id}"),
                &self.node,
                self.clock.now(),
                LEASE_TTL,
            )
            .await
    }

    async fn process(&self, id: &str, ended: &ImportEnded) -> Result<(), StoreError> {
        if self.is_stopped() || !self.lease(id).await? {
            return Ok(());
        }
        let Some(job) = self.store.job(id).await? else {
            return Ok(());
        };
        if job.kind() == Some(portcullis_core::jobs::JobKind::UsersExport) {
            return self.export(id, &job).await;
        }
        self.import(id, &job).await?;
        // Only the node that ended it tells (a job stopped half-way by a
        // shutdown is still processing, and is told of when resumed).
        if let Some(job) = self.store.job(id).await?
            && matches!(job.status, JobStatus::Completed | JobStatus::Failed)
        {
            ended(job);
        }
        Ok(())
    }

    /// Applies an import's chunks in order, each in one transaction, until
    /// none is left or the node stops; ends the job completed, or failed with
    /// the reason.
    async fn import(&self, id: &str, job: &portcullis_core::jobs::Job) -> Result<(), StoreError> {
        let fail = |why: String| async move {
            tracing::warn!(job = %id, reason = %why, "import job failed");
            self.store
                .end_job(id, JobStatus::Failed, Some(&why), self.clock.now())
                .await
        };
        let connection_id = job
            .doc
            .get("connection_id")
            .and_then(Value::as_str)
            .unwrap_or_default();
        let upsert = job
            .doc
            .get("upsert")
            .and_then(Value::as_bool)
            .unwrap_or(false);
        let db = match self.store.get_connection(connection_id).await? {
            Some((c, _)) => DatabaseConnection::of(&c),
            None => None,
        };
        let Some(db) = db else {
            return fail("The connection was deleted or is not a database connection.".into())
                .await;
        };
        self.store.start_job(id, self.clock.now()).await?;
        let mut applied: u64 = 0;
        while let Some((seq, first, users)) = self.store.next_job_chunk(id).await? {
            if self.is_stopped() || !self.lease(id).await? {
                return Ok(());
            }
            let Ok(values) = serde_json::from_str::<Vec<Value>>(&users) else {
                return fail(format!("Chunk {seq} of the upload is unreadable.")).await;
            };
            let now = self.clock.now();
            let chunk: Vec<ChunkUser> = values
                .iter()
                .enumerate()
                .map(|(i, v)| ChunkUser {
                    index: first + i as i64,
                    masked: masked(v),
                    parsed: parse_row(v, &db, portcullis_core::random::hex(12), &self.issuer, now),
                })
                .collect();
            self.store
                .apply_import_chunk(id, seq, upsert, &chunk, now)
                .await?;
            // After chunks 1, 2, 4, 8, …: the planner's idea of the users'
            // tables stays within a factor of two of their size while the
            // import grows them (see `refresh_user_statistics`).
            applied += 1;
            if applied.is_power_of_two() {
                self.store.refresh_user_statistics().await?;
            }
        }
        self.store
            .end_job(id, JobStatus::Completed, None, self.clock.now())
            .await?;
        tracing::info!(job = %id, "import job completed");
        Ok(())
    }

    /// Writes an export's file: users paged by id, each a line, gzipped, the
    /// compressed bytes stored in parts of about [`EXPORT_PART`] bytes.
    async fn export(&self, id: &str, job: &portcullis_core::jobs::Job) -> Result<(), StoreError> {
        use std::io::Write as _;
        // The job's record holds Auth0's `format`, `limit` and `fields`.
        let pick = |k: &str| job.doc.get(k).cloned().unwrap_or(Value::Null);
        let request: ExportRequest = serde_json::from_value(serde_json::json!({
            "format": pick("format"), "limit": pick("limit"), "fields": pick("fields"),
        }))
        .unwrap_or_default();
        let Ok(export) = request.check() else {
            return self
                .store
                .end_job(
                    id,
                    JobStatus::Failed,
                    Some("The export request is invalid."),
                    self.clock.now(),
                )
                .await;
        };
        let connection = job
            .doc
            .get("connection")
            .and_then(Value::as_str)
            .map(str::to_string);
        self.store.start_job(id, self.clock.now()).await?;
        self.store.clear_job_file(id).await?;
        let mut gz = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::default());
        let (mut part, mut written, mut after) = (0i64, 0u64, String::new());
        let write = |gz: &mut flate2::write::GzEncoder<Vec<u8>>, text: &str| {
            // Writing into memory cannot fail.
            let _ = gz.write_all(text.as_bytes());
        };
        if let Some(h) = export.header() {
            write(&mut gz, &h);
        }
        'pages: loop {
            if self.is_stopped() || !self.lease(id).await? {
                return Ok(());
            }
            let page = self
                .store
                .users_after(connection.as_deref(), &after, EXPORT_PAGE)
                .await?;
            let Some(last) = page.last() else {
                break;
            };
            after = last.user_id.clone();
            for user in &page {
                if export.limit.is_some_and(|l| written >= l) {
                    break 'pages;
                }
                let shown = serde_json::to_value(user).unwrap_or_default();
                write(&mut gz, &export.line(&shown));
                written += 1;
            }
            if gz.get_ref().len() >= EXPORT_PART {
                let bytes = std::mem::take(gz.get_mut());
                self.store
                    .add_job_file_part(id, part, &STANDARD.encode(bytes))
                    .await?;
                part += 1;
            }
        }
        let bytes = gz.finish().unwrap_or_default();
        if !bytes.is_empty() || part == 0 {
            self.store
                .add_job_file_part(id, part, &STANDARD.encode(bytes))
                .await?;
        }
        let key = portcullis_core::random::url_token();
        self.store.set_job_download_key(id, &key).await?;
        self.store
            .end_job(id, JobStatus::Completed, None, self.clock.now())
            .await?;
        tracing::info!(job = %id, users = written, "export job completed");
        Ok(())
    }
}

/// Users read per page of an export.
const EXPORT_PAGE: i64 = 1000;
/// Compressed bytes kept per stored part of an export's file.
const EXPORT_PART: usize = 1 << 20;
