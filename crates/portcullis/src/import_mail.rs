//! Auth0's completion e-mail of a user import job (`send_completion_email`,
//! on unless the upload turned it off): when the job ends, completed or
//! failed, each of the tenant's administrators (Auth0: its owners) gets its
//! summary and where the failures are.
//!
//! Sent once, by the node that ended the job; a node that dies between
//! ending a job and mailing loses that mail (the job's record still says
//! everything). A failure to send is logged, never retried.

use portcullis_core::jobs::{Job, JobStatus};
use portcullis_core::members::Role;
use serde_json::Value;

use crate::app::AppState;

/// The mail of `job`: subject, plain text and HTML (escaped).
fn compose(job: &Job) -> (String, String, String) {
    let id = job
        .doc
        .get("id")
        .and_then(Value::as_str)
        .unwrap_or_default();
    let connection = job
        .doc
        .get("connection")
        .and_then(Value::as_str)
        .unwrap_or_default();
    let p = job.progress;
    let (subject, outcome) = match job.status {
        JobStatus::Failed => (
            "Your user import job failed".to_string(),
            format!(
                "failed: {}",
                job.status_details
                    .as_deref()
                    .unwrap_or("no reason was recorded")
            ),
        ),
        _ => (
            "Your user import job completed".to_string(),
            "completed".to_string(),
        ),
    };
    let counts = format!(
        "Inserted: {}, updated: {}, failed: {}, total: {}.",
        p.inserted, p.updated, p.failed, p.total
    );
    let errors = format!("GET /api/v2/jobs/{id}/errors");
    let text = format!(
        "The user import job {id} into the connection {connection} {outcome}\n\n{counts}\n\nThe users that were not imported, and why: {errors}\n"
    );
    let esc = crate::mail_templates::escape;
    let html = format!(
        "<!doctype html><html><body style=\"font-family:sans-serif;color:#1a1a1a\"><p>The user import job <code>{}</code> into the connection <strong>{}</strong> {}</p><p>{}</p><p>The users that were not imported, and why: <code>{}</code></p></body></html>",
        esc(id),
        esc(connection),
        esc(&outcome),
        esc(&counts),
        esc(&errors)
    );
    (subject, text, html)
}

/// Sends `job`'s completion mail to every administrator, when the upload
/// asked for it.
pub async fn send(app: &AppState, job: &Job) {
    let wanted = job
        .doc
        .get("send_completion_email")
        .and_then(Value::as_bool)
        .unwrap_or(true);
    if !wanted {
        return;
    }
    let members = match app.store.list_members().await {
        Ok(m) => m,
        Err(e) => {
            tracing::error!(error = %e, "the import's completion e-mail: the members could not be read");
            return;
        }
    };
    let (subject, text, html) = compose(job);
    for m in members.iter().filter(|m| m.role == Role::Admin) {
        let msg = crate::mailer::Message {
            to: &m.email,
            subject: &subject,
            body: &text,
            html: Some(&html),
            from: None,
        };
        if let Err(e) = app.send_mail(msg).await {
            tracing::error!(error = %e, "could not send the import's completion e-mail");
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use portcullis_core::jobs::Progress;
    use serde_json::json;

    #[test]
    fn the_mail_names_the_job_its_counts_and_escapes_what_it_quotes() {
        let job = Job {
            doc: json!({"id": "job_1", "connection": "db<x>"}),
            status: JobStatus::Failed,
            progress: Progress {
                inserted: 2,
                failed: 1,
                total: 3,
                ..Progress::default()
            },
            status_details: Some("User 7 at byte 9: <bad>".into()),
        };
        let (subject, text, html) = compose(&job);
        assert_eq!(subject, "Your user import job failed");
        assert!(
            text.contains("job_1")
                && text.contains("Inserted: 2, updated: 0, failed: 1, total: 3.")
        );
        assert!(html.contains("db&lt;x&gt;") && html.contains("&lt;bad&gt;"));
        assert!(!html.contains("<bad>"));
    }
}
