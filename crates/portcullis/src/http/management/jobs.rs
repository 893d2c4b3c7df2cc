//! `/api/v2/jobs`: `POST /jobs/verification-email` (sends the user a link that
//! verifies their address) and `GET /jobs/{id}`, in Auth0's shapes. A
//! verification e-mail is sent before the answer, so its job is `completed`
//! (or `failed`) at once; imports and exports come with issue 19.

use axum::Json;
use axum::body::Body;
use axum::extract::{Path, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use portcullis_core::clock::iso8601;
use serde::Deserialize;
use serde_json::{Value, json};

use base64::Engine;
use base64::engine::general_purpose::{STANDARD, URL_SAFE_NO_PAD};
use portcullis_core::jobs::{JobKind, JobStatus, MAX_ACTIVE_IMPORTS, TOO_MANY_IMPORTS};
use portcullis_core::user_export::ExportRequest;
use portcullis_core::user_import::ArraySplitter;

use super::Caller;
use super::clients::read_body;
use crate::app::AppState;
use crate::http::body;
use crate::http::email_verification::{self, VerificationFor};
use crate::http::errors::ApiError;

/// The body of `POST /jobs/verification-email`.
#[derive(Debug, Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct VerificationEmailJob {
    pub user_id: String,
    pub client_id: Option<String>,
    pub organization_id: Option<String>,
    /// A secondary identity; only the primary one exists here.
    pub identity: Option<Value>,
}

/// Links sent by a job work for five days, as Auth0's.
const LINK_TTL: i64 = portcullis_core::tickets::DEFAULT_TTL;

pub async fn verification_email(
    State(app): State<AppState>,
    caller: Caller,
    headers: HeaderMap,
    b: Body,
) -> Result<Response, ApiError> {
    caller.require("update:users")?;
    let bytes = read_body(b).await?;
    let job: VerificationEmailJob = body::api_json(&headers, &bytes)?;
    if job.identity.is_some() {
        return Err(ApiError::bad_request(
            "Payload validation error: only the user's primary identity can be verified on property identity.",
            "invalid_body",
        ));
    }
    if job.organization_id.is_some() {
        return Err(super::tickets::no_organization());
    }
    let (user, _) = app
        .store
        .get_user(&job.user_id)
        .await?
        .ok_or_else(|| ApiError::not_found("The user does not exist.", "inexistent_user"))?;
    super::tickets::check_client(&app, job.client_id.as_deref()).await?;
    let link = email_verification::create(
        &app,
        &VerificationFor {
            user: &user,
            client_id: job.client_id.as_deref(),
            result_url: None,
            ttl: LINK_TTL,
        },
    )
    .await?;
    let sent =
        email_verification::mail(&app, &user, job.client_id.as_deref(), &link, LINK_TTL).await;
    let now = app.now();
    let id = format!("job_{}", portcullis_core::random::alphanumeric(16));
    let status = if sent { "completed" } else { "failed" };
    let record = json!({
        "id": id,
        "type": "verification_email",
        "status": status,
        "created_at": iso8601(now),
    });
    app.store
        .insert_job(&id, "verification_email", status, &record, now)
        .await?;
    Ok((StatusCode::CREATED, Json(record)).into_response())
}

pub async fn get(
    State(app): State<AppState>,
    caller: Caller,
    Path(id): Path<String>,
) -> Result<Json<Value>, ApiError> {
    caller.require_any(&["create:users", "read:users"])?;
    let job = app.store.job(&id).await?.ok_or_else(no_job)?;
    let mut v = job.to_json(app.now());
    if job.kind() == Some(JobKind::UsersExport)
        && job.status == JobStatus::Completed
        && let Some(key) = app.store.job_download_key(&id).await?
        && let Some(o) = v.as_object_mut()
    {
        o.insert("location".into(), download_link(&app, &job, &key).into());
    }
    Ok(Json(v))
}

/// How long an export's link works (Auth0's: 60 s; `GET /jobs/{id}` makes a
/// new one).
const LINK_SECONDS: i64 = 60;

/// The file's name: the tenant's, as Auth0 names it.
fn export_file_name(job: &portcullis_core::jobs::Job) -> String {
    let ext = job
        .doc
        .get("format")
        .and_then(Value::as_str)
        .unwrap_or("csv");
    format!("{}.{ext}.gz", portcullis_core::DEFAULT_TENANT)
}

fn link_signature(key: &str, id: &str, expires: i64) -> aws_lc_rs::hmac::Tag {
    let key = aws_lc_rs::hmac::Key::new(aws_lc_rs::hmac::HMAC_SHA256, key.as_bytes());
    aws_lc_rs::hmac::sign(&key, format!("{id}\n{expires}").as_bytes())
}

fn download_link(app: &AppState, job: &portcullis_core::jobs::Job, key: &str) -> String {
    let id = job
        .doc
        .get("id")
        .and_then(Value::as_str)
        .unwrap_or_default();
    let expires = app.now() + LINK_SECONDS;
    let sig = URL_SAFE_NO_PAD.encode(link_signature(key, id, expires).as_ref());
    format!(
        "{}exports/{id}/{}?expires={expires}&signature={sig}",
        app.issuer(),
        export_file_name(job)
    )
}

/// The query of an export link.
#[derive(Debug, Deserialize)]
pub struct LinkQuery {
    expires: i64,
    signature: String,
}

/// `GET /exports/{id}/{file}`: an export's gzip file, to whoever holds a link
/// that `GET /jobs/{id}` signed less than a minute ago (no token: the link is
/// the credential, as Auth0's signed storage URL). Read part by part.
pub async fn download(
    State(app): State<AppState>,
    Path((id, file)): Path<(String, String)>,
    axum::extract::Query(q): axum::extract::Query<LinkQuery>,
) -> Result<Response, ApiError> {
    let refused = || {
        ApiError::new(
            StatusCode::FORBIDDEN,
            "The link is invalid or has expired; ask GET /api/v2/jobs/{id} for a new one.",
            "invalid_link",
        )
    };
    let job = app.store.job(&id).await?.ok_or_else(refused)?;
    let key = app.store.job_download_key(&id).await?.ok_or_else(refused)?;
    let sig = URL_SAFE_NO_PAD
        .decode(q.signature.as_bytes())
        .map_err(|_| refused())?;
    let hmac_key = aws_lc_rs::hmac::Key::new(aws_lc_rs::hmac::HMAC_SHA256, key.as_bytes());
    let valid =
        aws_lc_rs::hmac::verify(&hmac_key, format!("{id}\n{}", q.expires).as_bytes(), &sig).is_ok();
    if !valid || q.expires < app.now() || file != export_file_name(&job) {
        return Err(refused());
    }
    let store = app.store.clone();
    let parts = futures_util::stream::unfold(0i64, move |seq| {
        let store = store.clone();
        let id = id.clone();
        async move {
            match store.job_file_part(&id, seq).await {
                Ok(Some(data)) => Some((
                    STANDARD
                        .decode(data)
                        .map(axum::body::Bytes::from)
                        .map_err(std::io::Error::other),
                    seq + 1,
                )),
                Ok(None) => None,
                Err(e) => Some((Err(std::io::Error::other(e)), i64::MAX)),
            }
        }
    });
    Ok((
        [
            (
                axum::http::header::CONTENT_TYPE,
                "application/gzip".to_string(),
            ),
            (
                axum::http::header::CONTENT_DISPOSITION,
                format!("attachment; filename=\"{file}\""),
            ),
            (axum::http::header::CACHE_CONTROL, "no-store".to_string()),
        ],
        Body::from_stream(parts),
    )
        .into_response())
}

/// `POST /jobs/users-exports`: a job that writes the users of a connection
/// (or of every connection) as NDJSON or CSV, gzipped; `GET /jobs/{id}` then
/// gives its `location`.
pub async fn users_exports(
    State(app): State<AppState>,
    caller: Caller,
    headers: HeaderMap,
    b: Body,
) -> Result<Response, ApiError> {
    caller.require("read:users")?;
    let bytes = read_body(b).await?;
    let request: ExportRequest = body::api_json(&headers, &bytes)?;
    let export = request
        .check()
        .map_err(|e| ApiError::bad_request(e.message, "invalid_body"))?;
    let connection = match &request.connection_id {
        None => None,
        Some(cid) => Some(
            app.store
                .get_connection(cid)
                .await?
                .map(|(c, _)| c)
                .ok_or_else(|| {
                    ApiError::bad_request("The connection does not exist.", "invalid_body")
                })?,
        ),
    };
    let now = app.now();
    let id = format!("job_{}", portcullis_core::random::alphanumeric(16));
    let mut doc = json!({
        "id": id,
        "type": JobKind::UsersExport.as_str(),
        "format": export.format,
        "fields": export.fields,
        "created_at": iso8601(now),
    });
    if let Some(o) = doc.as_object_mut() {
        if let Some(limit) = export.limit {
            o.insert("limit".into(), limit.into());
        }
        if let Some(c) = &connection {
            o.insert("connection_id".into(), c.id.clone().into());
            o.insert("connection".into(), c.name.clone().into());
        }
    }
    app.store
        .insert_job(
            &id,
            JobKind::UsersExport.as_str(),
            JobStatus::Pending.as_str(),
            &doc,
            now,
        )
        .await?;
    app.imports.wake();
    let job = app.store.job(&id).await?.ok_or_else(no_job)?;
    Ok((StatusCode::CREATED, Json(job.to_json(app.now()))).into_response())
}

fn no_job() -> ApiError {
    ApiError::not_found("The job does not exist.", "inexistent_job")
}

/// `GET /jobs/{id}/errors`: each refused user (secrets masked) with its
/// errors, in file order; 204 when there is none (Auth0's answer).
pub async fn errors(
    State(app): State<AppState>,
    caller: Caller,
    Path(id): Path<String>,
) -> Result<Response, ApiError> {
    caller.require_any(&["create:users", "read:users"])?;
    if app.store.job(&id).await?.is_none() {
        return Err(no_job());
    }
    let errors = app.store.job_errors(&id).await?;
    if errors.is_empty() {
        return Ok(StatusCode::NO_CONTENT.into_response());
    }
    Ok(Json(errors).into_response())
}

/// The largest users file taken (Auth0's limit is 500 KB; Portcullis takes a
/// whole tenant in one file, read as a stream in bounded memory).
pub const MAX_IMPORT_BYTES: u64 = 512 * 1024 * 1024;
/// A stored chunk holds at most this many users, or this many bytes.
const CHUNK_USERS: usize = 1000;
const CHUNK_BYTES: usize = 1 << 20;

fn multipart_error() -> ApiError {
    ApiError::bad_request(
        "Payload validation error: 'Invalid multipart payload format'.",
        "invalid_body",
    )
}

/// The text parts of an import request.
#[derive(Default)]
struct ImportOptions {
    connection_id: Option<String>,
    upsert: Option<String>,
    external_id: Option<String>,
    send_completion_email: Option<String>,
}

/// What the upload of the `users` part came to.
enum Upload {
    /// Whole and well-formed: this many users in this many chunks.
    Read { users: i64, chunks: i64 },
    /// Malformed: the job fails with this message.
    Malformed(String),
}

/// `POST /jobs/users-imports` (multipart: `users`, `connection_id`, `upsert`,
/// `external_id`, `send_completion_email`). The file is split into chunks as
/// it arrives; the job then runs in the background (`bulk_jobs`). A
/// malformed file makes a failed job (nothing imported); a bad request
/// leaves no job.
pub async fn users_imports(
    State(app): State<AppState>,
    caller: Caller,
    headers: HeaderMap,
    b: Body,
) -> Result<Response, ApiError> {
    caller.require("create:users")?;
    let boundary = headers
        .get(axum::http::header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .and_then(|ct| multer::parse_boundary(ct).ok())
        .ok_or_else(multipart_error)?;
    let now = app.now();
    let id = format!("job_{}", portcullis_core::random::alphanumeric(16));
    let doc = json!({"id": id, "type": JobKind::UsersImport.as_str(), "created_at": iso8601(now)});
    let recorded = app
        .store
        .insert_job_within(
            &id,
            JobKind::UsersImport,
            JobStatus::Uploading,
            &doc,
            now,
            MAX_ACTIVE_IMPORTS,
        )
        .await?;
    if !recorded {
        return Err(ApiError::new(
            StatusCode::TOO_MANY_REQUESTS,
            TOO_MANY_IMPORTS,
            "too_many_requests",
        ));
    }
    let read = read_import(&app, &id, b, boundary).await;
    let (options, upload) = match read {
        Ok(r) => r,
        Err(e) => {
            app.store.delete_job(&id).await?;
            return Err(e);
        }
    };
    let checked = check_import_options(&app, &options).await;
    let (connection, upsert, send_email) = match checked {
        Ok(c) => c,
        Err(e) => {
            app.store.delete_job(&id).await?;
            return Err(e);
        }
    };
    let mut doc = json!({
        "id": id,
        "type": JobKind::UsersImport.as_str(),
        "connection_id": connection.id,
        "connection": connection.name,
        "upsert": upsert,
        "send_completion_email": send_email,
        "created_at": iso8601(now),
    });
    if let (Some(e), Some(o)) = (&options.external_id, doc.as_object_mut()) {
        o.insert("external_id".into(), e.clone().into());
    }
    match upload {
        Upload::Read { users, chunks } => {
            app.store
                .finish_job_upload(&id, &doc, chunks, users)
                .await?;
            app.imports.wake();
        }
        Upload::Malformed(why) => {
            app.store.finish_job_upload(&id, &doc, 0, 0).await?;
            app.store
                .end_job(&id, JobStatus::Failed, Some(&why), app.now())
                .await?;
        }
    }
    let job = app.store.job(&id).await?.ok_or_else(no_job)?;
    if job.status == JobStatus::Failed {
        // Ended here, not by the runner: the completion mail goes from here.
        let (app, ended) = (app.clone(), job.clone());
        tokio::spawn(async move { crate::import_mail::send(&app, &ended).await });
    }
    Ok((StatusCode::ACCEPTED, Json(job.to_json(app.now()))).into_response())
}

/// Reads the multipart body: the text options, and the `users` file split
/// into stored chunks of the job.
async fn read_import(
    app: &AppState,
    id: &str,
    b: Body,
    boundary: String,
) -> Result<(ImportOptions, Upload), ApiError> {
    let constraints = multer::Constraints::new()
        .size_limit(multer::SizeLimit::new().whole_stream(MAX_IMPORT_BYTES));
    let mut parts =
        multer::Multipart::with_constraints(b.into_data_stream(), boundary, constraints);
    let too_large = || {
        ApiError::new(
            StatusCode::PAYLOAD_TOO_LARGE,
            format!("Payload content length greater than maximum allowed: {MAX_IMPORT_BYTES}."),
            "payload_too_large",
        )
    };
    let part_error = |e: multer::Error| match e {
        multer::Error::StreamSizeExceeded { .. } | multer::Error::FieldSizeExceeded { .. } => {
            too_large()
        }
        _ => multipart_error(),
    };
    let mut options = ImportOptions::default();
    let mut upload = None;
    while let Some(mut part) = parts.next_field().await.map_err(part_error)? {
        let name = part.name().unwrap_or_default().to_string();
        if name == "users" {
            if upload.is_some() {
                return Err(ApiError::bad_request(
                    "Payload validation error: only one 'users' file may be sent.",
                    "invalid_body",
                ));
            }
            let mut splitter = ArraySplitter::new();
            let mut chunk = String::from("[");
            let (mut in_chunk, mut chunks) = (0usize, 0i64);
            let mut malformed = None;
            while let Some(bytes) = part.chunk().await.map_err(part_error)? {
                if malformed.is_some() {
                    continue;
                }
                let mut users = Vec::new();
                if let Err(e) = splitter.feed(&bytes, &mut |v| users.push(v)) {
                    malformed = Some(e.to_string());
                }
                for user in users {
                    if in_chunk > 0 {
                        chunk.push(',');
                    }
                    chunk.push_str(&user.to_string());
                    in_chunk += 1;
                    if in_chunk >= CHUNK_USERS || chunk.len() >= CHUNK_BYTES {
                        chunk.push(']');
                        let first = splitter.count() as i64 - in_chunk as i64;
                        app.store.add_job_chunk(id, chunks, first, &chunk).await?;
                        chunks += 1;
                        chunk = String::from("[");
                        in_chunk = 0;
                    }
                }
            }
            if malformed.is_none()
                && let Err(e) = splitter.finish()
            {
                malformed = Some(e.to_string());
            }
            if in_chunk > 0 && malformed.is_none() {
                chunk.push(']');
                let first = splitter.count() as i64 - in_chunk as i64;
                app.store.add_job_chunk(id, chunks, first, &chunk).await?;
                chunks += 1;
            }
            upload = Some(match malformed {
                Some(why) => Upload::Malformed(why),
                None => Upload::Read {
                    users: splitter.count() as i64,
                    chunks,
                },
            });
            continue;
        }
        let text = part.text().await.map_err(part_error)?;
        let slot = match name.as_str() {
            "connection_id" => &mut options.connection_id,
            "upsert" => &mut options.upsert,
            "external_id" => &mut options.external_id,
            "send_completion_email" => &mut options.send_completion_email,
            other => {
                return Err(ApiError::bad_request(
                    format!(
                        "Payload validation error: 'Additional properties not allowed: {other}'."
                    ),
                    "invalid_body",
                ));
            }
        };
        *slot = Some(text);
    }
    let upload = upload.ok_or_else(|| {
        ApiError::bad_request(
            "Must provide 'users' file as multipart part.",
            "invalid_body",
        )
    })?;
    Ok((options, upload))
}

/// The connection (a database one) and the booleans of an import request.
async fn check_import_options(
    app: &AppState,
    o: &ImportOptions,
) -> Result<(portcullis_core::connections::Connection, bool, bool), ApiError> {
    let Some(connection_id) = o.connection_id.as_deref() else {
        return Err(ApiError::bad_request(
            "Must provide 'connection_id' as multipart part.",
            "invalid_body",
        ));
    };
    let well_formed = connection_id
        .strip_prefix("con_")
        .is_some_and(|rest| rest.len() == 16 && rest.chars().all(|c| c.is_ascii_alphanumeric()));
    if !well_formed {
        return Err(ApiError::bad_request(
            "Payload validation error: 'String does not match pattern ^con_[A-Za-z0-9]{16}$' on property connection_id.",
            "invalid_body",
        ));
    }
    let (connection, _) = app
        .store
        .get_connection(connection_id)
        .await?
        .ok_or_else(|| ApiError::bad_request("The connection does not exist.", "invalid_body"))?;
    if connection.database().is_none() {
        return Err(ApiError::bad_request(
            "Connection must be a database connection.",
            "invalid_body",
        ));
    }
    let flag = |name: &str, v: &Option<String>, default: bool| match v.as_deref() {
        None => Ok(default),
        Some("true") => Ok(true),
        Some("false") => Ok(false),
        Some(other) => Err(ApiError::bad_request(
            format!(
                "Payload validation error: 'Expected type boolean but found type string' on property {name} ('{other}')."
            ),
            "invalid_body",
        )),
    };
    let upsert = flag("upsert", &o.upsert, false)?;
    let send = flag("send_completion_email", &o.send_completion_email, true)?;
    if let Some(e) = &o.external_id
        && e.len() > 255
    {
        return Err(ApiError::bad_request(
            "Payload validation error: 'String is too long' on property external_id.",
            "invalid_body",
        ));
    }
    Ok((connection, upsert, send))
}
