//! The Management API's jobs (`/api/v2/jobs`): their kinds and states, and
//! the record Auth0 answers with (`GET /jobs/{id}`), built from the stored
//! description and the progress counters.
//!
//! Invariants: `uploading` is ours (a job whose file is still arriving) and
//! shows as Auth0's `pending`; a completed or failed import always carries its
//! `summary`; progress (`percentage_done`, `time_left_seconds`) only while it
//! runs.

use serde::{Deserialize, Serialize};
use serde_json::{Value, json};

use crate::UnixTime;

/// Auth0's job `type`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum JobKind {
    VerificationEmail,
    UsersImport,
    UsersExport,
}

impl JobKind {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::VerificationEmail => "verification_email",
            Self::UsersImport => "users_import",
            Self::UsersExport => "users_export",
        }
    }
}

/// A job's state (the `status` column).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum JobStatus {
    /// The file is still being received (shown as `pending`).
    Uploading,
    Pending,
    Processing,
    Completed,
    Failed,
}

impl JobStatus {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Uploading => "uploading",
            Self::Pending => "pending",
            Self::Processing => "processing",
            Self::Completed => "completed",
            Self::Failed => "failed",
        }
    }

    pub fn parse(s: &str) -> Option<Self> {
        Some(match s {
            "uploading" => Self::Uploading,
            "pending" => Self::Pending,
            "processing" => Self::Processing,
            "completed" => Self::Completed,
            "failed" => Self::Failed,
            _ => return None,
        })
    }

    /// What Auth0 calls it.
    pub fn wire(self) -> &'static str {
        match self {
            Self::Uploading => "pending",
            other => other.as_str(),
        }
    }

    /// Whether the job still counts against the limit of active jobs.
    pub fn is_active(self) -> bool {
        matches!(self, Self::Uploading | Self::Pending | Self::Processing)
    }
}

/// At most this many import jobs run at once per tenant (Auth0's limit).
pub const MAX_ACTIVE_IMPORTS: i64 = 2;

/// Auth0's answer when the limit is reached (HTTP 429).
pub const TOO_MANY_IMPORTS: &str = "There are 2 active import users jobs, please wait until some of them are finished and try again";

/// A job's counters, as stored.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Progress {
    pub inserted: i64,
    pub updated: i64,
    pub failed: i64,
    pub total: i64,
    pub chunks: i64,
    pub chunks_done: i64,
    pub started_at: Option<UnixTime>,
}

/// A stored job: its description (`doc`: id, type, connection, created_at,
/// and the request's options), state and counters.
#[derive(Debug, Clone, PartialEq)]
pub struct Job {
    pub doc: Value,
    pub status: JobStatus,
    pub progress: Progress,
    pub status_details: Option<String>,
}

impl Job {
    pub fn kind(&self) -> Option<JobKind> {
        serde_json::from_value(self.doc.get("type")?.clone()).ok()
    }

    /// Auth0's record of the job at `now`.
    pub fn to_json(&self, now: UnixTime) -> Value {
        let mut v = self.doc.clone();
        let Some(o) = v.as_object_mut() else {
            return v;
        };
        o.insert("status".into(), self.status.wire().into());
        let p = self.progress;
        if self.kind() == Some(JobKind::UsersImport) {
            if matches!(self.status, JobStatus::Completed | JobStatus::Failed) {
                o.insert(
                    "summary".into(),
                    json!({"failed": p.failed, "updated": p.updated, "inserted": p.inserted, "total": p.total}),
                );
            }
            if self.status == JobStatus::Processing {
                let (percent, left) = estimate(p, now);
                o.insert("percentage_done".into(), percent.into());
                o.insert("time_left_seconds".into(), left.into());
            }
        }
        if let Some(d) = &self.status_details {
            o.insert("status_details".into(), d.clone().into());
        }
        v
    }
}

/// Percentage of chunks done and the seconds left at the pace so far.
fn estimate(p: Progress, now: UnixTime) -> (i64, i64) {
    if p.chunks <= 0 {
        return (0, 0);
    }
    let percent = (p.chunks_done * 100 / p.chunks).clamp(0, 100);
    let elapsed = p.started_at.map_or(0, |s| (now - s).max(0));
    let left = if p.chunks_done == 0 {
        0
    } else {
        elapsed * (p.chunks - p.chunks_done) / p.chunks_done
    };
    (percent, left)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn job(status: JobStatus, progress: Progress) -> Job {
        Job {
            doc: json!({"id": "job_x", "type": "users_import", "connection_id": "con_1"}),
            status,
            progress,
            status_details: None,
        }
    }

    #[test]
    fn an_uploading_job_shows_as_pending_without_summary() {
        let v = job(JobStatus::Uploading, Progress::default()).to_json(0);
        assert_eq!(v["status"], "pending");
        assert!(v.get("summary").is_none());
    }

    #[test]
    fn a_running_import_reports_progress_and_a_finished_one_its_summary() {
        let p = Progress {
            inserted: 10,
            updated: 2,
            failed: 1,
            total: 13,
            chunks: 4,
            chunks_done: 1,
            started_at: Some(100),
        };
        let v = job(JobStatus::Processing, p).to_json(110);
        assert_eq!(
            (
                v["percentage_done"].as_i64(),
                v["time_left_seconds"].as_i64()
            ),
            (Some(25), Some(30))
        );
        let v = job(JobStatus::Completed, p).to_json(200);
        assert_eq!(
            v["summary"],
            json!({"failed": 1, "updated": 2, "inserted": 10, "total": 13})
        );
        assert!(v.get("percentage_done").is_none());
    }
}
