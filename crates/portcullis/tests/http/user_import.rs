//! Auth0's bulk user import (`POST /api/v2/jobs/users-imports`): users with a
//! password hash of every algorithm Auth0 takes, each made by that
//! algorithm's reference implementation (`tests/vectors/make_import.py`, run
//! with the interpreter `.ci/run` prepares), sign in with their original
//! password, and their hash becomes argon2id; bad users are reported with
//! Auth0's codes and the others imported; a malformed file fails the job whole.

use std::path::PathBuf;
use std::time::Duration;

use reqwest::{Method, StatusCode};
use serde_json::{Value, json};

use crate::support::{TestServer, on_both_backends};

fn vectors_dir() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("tests/vectors")
}

/// The Python with bcrypt, argon2-cffi and pycryptodome:
/// `PORTCULLIS_TEST_PYTHON`, or the virtual environment `.ci/run` makes.
pub(crate) fn python() -> PathBuf {
    if let Ok(p) = std::env::var("PORTCULLIS_TEST_PYTHON") {
        return p.into();
    }
    let venv = vectors_dir().join(".venv/bin/python");
    assert!(
        venv.exists(),
        "the import test needs Python with tests/vectors/requirements.txt: \
         python3 -m venv crates/portcullis/tests/vectors/.venv && \
         crates/portcullis/tests/vectors/.venv/bin/pip install -r crates/portcullis/tests/vectors/requirements.txt \
         (.ci/run does it), or PORTCULLIS_TEST_PYTHON"
    );
    venv
}

/// Users made by the reference implementations, and their passwords.
fn reference_users() -> (Vec<Value>, serde_json::Map<String, Value>) {
    let out = std::process::Command::new(python())
        .arg(vectors_dir().join("make_import.py"))
        .output()
        .expect("python runs");
    assert!(
        out.status.success(),
        "make_import.py failed: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    let v: Value = serde_json::from_slice(&out.stdout).unwrap();
    (
        v["users"].as_array().unwrap().clone(),
        v["passwords"].as_object().unwrap().clone(),
    )
}

/// A multipart body with the users file and text parts.
pub(crate) fn multipart(file: &[u8], fields: &[(&str, &str)]) -> (String, Vec<u8>) {
    let boundary = "----portcullis-import-boundary";
    let mut body = Vec::new();
    for (name, value) in fields {
        body.extend_from_slice(
            format!(
                "--{boundary}\r\nContent-Disposition: form-data; name=\"{name}\"\r\n\r\n{value}\r\n"
            )
            .as_bytes(),
        );
    }
    body.extend_from_slice(
        format!("--{boundary}\r\nContent-Disposition: form-data; name=\"users\"; filename=\"users.json\"\r\nContent-Type: application/json\r\n\r\n")
            .as_bytes(),
    );
    body.extend_from_slice(file);
    body.extend_from_slice(format!("\r\n--{boundary}--\r\n").as_bytes());
    (format!("multipart/form-data; boundary={boundary}"), body)
}

/// `POST /jobs/users-imports`; the status and the answer.
pub(crate) async fn post_import(
    srv: &TestServer,
    file: &[u8],
    fields: &[(&str, &str)],
) -> (StatusCode, Value) {
    let (content_type, body) = multipart(file, fields);
    let token = srv.admin_token().await;
    let res = srv
        .http
        .post(format!("{}/api/v2/jobs/users-imports", srv.url))
        .bearer_auth(token)
        .header("content-type", content_type)
        .body(body)
        .send()
        .await
        .unwrap();
    let status = res.status();
    (status, res.json().await.unwrap_or(Value::Null))
}

/// Waits for the job to end; its last record.
pub(crate) async fn finished(srv: &TestServer, id: &str) -> Value {
    for _ in 0..600 {
        let (st, job) = srv.api(Method::GET, &format!("/jobs/{id}"), None).await;
        assert_eq!(st, StatusCode::OK, "{job}");
        if job["status"] == "completed" || job["status"] == "failed" {
            return job;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    panic!("job {id} did not finish in a minute");
}

async fn realm_app(srv: &TestServer) -> (String, String) {
    let (st, c) = srv
        .api(
            Method::POST,
            "/clients",
            Some(json!({"name": "Imported app", "app_type": "regular_web",
                "grant_types": ["http://auth0.com/oauth/grant-type/password-realm"]})),
        )
        .await;
    assert_eq!(st, StatusCode::CREATED, "{c}");
    (
        c["client_id"].as_str().unwrap().into(),
        c["client_secret"].as_str().unwrap().into(),
    )
}

async fn sign_in(srv: &TestServer, app: &(String, String), email: &str, pw: &str) -> StatusCode {
    srv.token_form(&[
        (
            "grant_type",
            "http://auth0.com/oauth/grant-type/password-realm",
        ),
        ("client_id", &app.0),
        ("client_secret", &app.1),
        ("username", email),
        ("password", pw),
        ("realm", "Username-Password-Authentication"),
    ])
    .await
    .0
}

/// The stored password hash of a user (read with SQL: the API never shows it).
async fn stored_hash(srv: &TestServer, user_id: &str) -> String {
    let row: (Option<String>,) = crate::support::with_server_db!(srv, |c| {
        sqlx::query_as("SELECT password_hash FROM users WHERE user_id = $1")
            .bind(user_id)
            .fetch_one(c)
            .await
            .unwrap()
    });
    row.0.unwrap_or_default()
}

on_both_backends!(
    imported_hashes_of_every_algorithm_sign_in_and_become_argon2id,
    bad_users_are_reported_with_auth0_codes_and_the_rest_imported,
    upsert_merges_by_email_and_without_it_existing_users_are_refused,
    a_malformed_file_fails_the_job_and_imports_nobody,
    bad_requests_leave_no_job,
    an_import_interrupted_by_a_restart_resumes_without_repeating_anyone,
    moved_apps_keep_their_credentials_and_users_their_ids,
    the_administrators_are_mailed_when_an_import_ends_unless_the_upload_says_not,
    imported_users_export_again_as_ndjson_and_csv_through_a_signed_link
);

async fn imported_hashes_of_every_algorithm_sign_in_and_become_argon2id(srv: TestServer) {
    let (users, passwords) = reference_users();
    let connection = srv.connection_id("Username-Password-Authentication").await;
    let file = serde_json::to_vec(&users).unwrap();
    let (st, job) = post_import(&srv, &file, &[("connection_id", &connection)]).await;
    assert_eq!(st, StatusCode::ACCEPTED, "{job}");
    assert_eq!(job["type"], "users_import");
    assert_eq!(job["status"], "pending");
    assert_eq!(job["connection"], "Username-Password-Authentication");
    let id = job["id"].as_str().unwrap();
    assert!(id.starts_with("job_") && id.len() == 20, "{id}");
    let done = finished(&srv, id).await;
    let n = users.len() as i64;
    assert_eq!(
        done["summary"],
        json!({"failed": 0, "updated": 0, "inserted": n, "total": n}),
        "{done}"
    );
    let (st, _) = srv
        .api(Method::GET, &format!("/jobs/{id}/errors"), None)
        .await;
    assert_eq!(st, StatusCode::NO_CONTENT);
    let app = realm_app(&srv).await;
    for user in &users {
        let email = user["email"].as_str().unwrap();
        let user_id = user["user_id"].as_str().unwrap();
        let password = passwords[email].as_str().unwrap();
        // The user keeps the id it had (the `auth0|` prefix is not doubled).
        let (st, got) = srv
            .api(Method::GET, &format!("/users/{user_id}"), None)
            .await;
        assert_eq!(st, StatusCode::OK, "{user_id}: {got}");
        assert_eq!(got["email"], email);
        assert!(stored_hash(&srv, user_id).await.starts_with("$import$"));
        assert_eq!(
            sign_in(&srv, &app, email, "Not-the-password-1").await,
            StatusCode::FORBIDDEN,
            "{email}: a wrong password"
        );
        assert_eq!(
            sign_in(&srv, &app, email, password).await,
            StatusCode::OK,
            "{email}: the original password"
        );
        let upgraded = stored_hash(&srv, user_id).await;
        assert!(
            upgraded.starts_with("$argon2id$v=19$m=19456,t=2,p=1$"),
            "{email}: {upgraded}"
        );
        assert_eq!(
            sign_in(&srv, &app, email, password).await,
            StatusCode::OK,
            "{email}: the password after the upgrade"
        );
    }
}

async fn bad_users_are_reported_with_auth0_codes_and_the_rest_imported(srv: TestServer) {
    let connection = srv.connection_id("Username-Password-Authentication").await;
    let file = json!([
        {"email": "good@import.example", "name": "Good"},
        {"name": "No address"},
        {"email": "typed@import.example", "blocked": "yes"},
        {"email": "alg@import.example", "custom_password_hash": {"algorithm": "crc32", "hash": {"value": "abcd"}}},
        {"email": "hex@import.example", "custom_password_hash": {"algorithm": "md5", "hash": {"value": "zz", "encoding": "hex"}}},
        {"email": "GOOD@import.example"},
        {"email": "extra@import.example", "favourite_colour": "red"},
        {"email": "secret@import.example", "custom_password_hash": {"algorithm": "hmac",
            "hash": {"value": "AAAA", "encoding": "base64", "digest": "sha1", "key": {"value": "topsecret"}}}},
    ]);
    let (st, job) = post_import(
        &srv,
        file.to_string().as_bytes(),
        &[("connection_id", &connection)],
    )
    .await;
    assert_eq!(st, StatusCode::ACCEPTED, "{job}");
    let done = finished(&srv, job["id"].as_str().unwrap()).await;
    assert_eq!(done["status"], "completed");
    assert_eq!(
        done["summary"],
        json!({"failed": 7, "updated": 0, "inserted": 1, "total": 8})
    );
    let (st, errors) = srv
        .api(
            Method::GET,
            &format!("/jobs/{}/errors", job["id"].as_str().unwrap()),
            None,
        )
        .await;
    assert_eq!(st, StatusCode::OK);
    let codes: Vec<(&str, &str)> = errors
        .as_array()
        .unwrap()
        .iter()
        .map(|e| {
            (
                e["errors"][0]["code"].as_str().unwrap(),
                e["errors"][0]["path"].as_str().unwrap_or_default(),
            )
        })
        .collect();
    assert_eq!(
        codes,
        vec![
            ("OBJECT_REQUIRED", "email"),
            ("INVALID_TYPE", "blocked"),
            ("ENUM_MISMATCH", "custom_password_hash.algorithm"),
            ("FORMAT", "custom_password_hash.hash.value"),
            ("DUPLICATED_USER", "email"),
            ("OBJECT_ADDITIONAL_PROPERTIES", "favourite_colour"),
            ("FORMAT", "custom_password_hash.hash.value"),
        ],
        "{errors}"
    );
    // Secrets are never shown back.
    let secret = &errors[6]["user"]["custom_password_hash"]["hash"];
    assert_eq!(secret["value"], "*****");
    assert_eq!(secret["key"]["value"], "*****");
    assert!(!errors.to_string().contains("topsecret"));
    let (_, found) = srv
        .api(
            Method::GET,
            "/users-by-email?email=good@import.example",
            None,
        )
        .await;
    assert_eq!(found.as_array().unwrap().len(), 1);
    for absent in [
        "typed@import.example",
        "alg@import.example",
        "extra@import.example",
    ] {
        let (_, found) = srv
            .api(
                Method::GET,
                &format!("/users-by-email?email={absent}"),
                None,
            )
            .await;
        assert_eq!(found, json!([]), "{absent}");
    }
}

async fn upsert_merges_by_email_and_without_it_existing_users_are_refused(srv: TestServer) {
    let connection = srv.connection_id("Username-Password-Authentication").await;
    let first = json!([{"email": "up@import.example", "user_id": "up-1", "name": "First",
        "blocked": false, "app_metadata": {"plan": "free", "seats": 1}}]);
    let (_, job) = post_import(
        &srv,
        first.to_string().as_bytes(),
        &[("connection_id", &connection)],
    )
    .await;
    finished(&srv, job["id"].as_str().unwrap()).await;
    let again = json!([{"email": "up@import.example", "name": "Second", "blocked": true,
        "app_metadata": {"plan": "pro"}}]);
    let (_, job) = post_import(
        &srv,
        again.to_string().as_bytes(),
        &[("connection_id", &connection)],
    )
    .await;
    let id = job["id"].as_str().unwrap().to_string();
    let done = finished(&srv, &id).await;
    assert_eq!(done["summary"]["failed"], 1);
    let (_, errors) = srv
        .api(Method::GET, &format!("/jobs/{id}/errors"), None)
        .await;
    assert_eq!(
        errors[0]["errors"][0]["message"],
        "The user already exist and upsert parameter is false"
    );
    let (_, job) = post_import(
        &srv,
        again.to_string().as_bytes(),
        &[("connection_id", &connection), ("upsert", "true")],
    )
    .await;
    assert_eq!(job["upsert"], true);
    let done = finished(&srv, job["id"].as_str().unwrap()).await;
    assert_eq!(
        done["summary"],
        json!({"failed": 0, "updated": 1, "inserted": 0, "total": 1})
    );
    let (_, user) = srv.api(Method::GET, "/users/auth0|up-1", None).await;
    assert_eq!(user["name"], "Second");
    assert_eq!(user["blocked"], false, "blocked is not upsertable");
    assert_eq!(
        user["app_metadata"],
        json!({"plan": "pro"}),
        "metadata is replaced whole"
    );
}

async fn a_malformed_file_fails_the_job_and_imports_nobody(srv: TestServer) {
    let connection = srv.connection_id("Username-Password-Authentication").await;
    // Many good users first, then a syntax error: nothing of it is imported.
    let mut text = String::from("[");
    for i in 0..2500 {
        text.push_str(&format!("{{\"email\": \"m{i}@import.example\"}},"));
    }
    text.push_str("{\"email\": \"broken@import.example\" \"name\": \"x\"}]");
    let (st, job) = post_import(&srv, text.as_bytes(), &[("connection_id", &connection)]).await;
    assert_eq!(st, StatusCode::ACCEPTED, "{job}");
    let done = finished(&srv, job["id"].as_str().unwrap()).await;
    assert_eq!(done["status"], "failed");
    let details = done["status_details"].as_str().unwrap();
    assert!(details.contains("user 2500"), "{details}");
    let (_, found) = srv
        .api(Method::GET, "/users-by-email?email=m0@import.example", None)
        .await;
    assert_eq!(found, json!([]));
    for (file, want) in [
        (&b"{\"email\": \"a@b.example\"}"[..], "JSON array"),
        (&b"[{\"email\": \"a@b.example\"}"[..], "closing"),
        (&b"[]"[..], "must not be empty"),
    ] {
        let (_, job) = post_import(&srv, file, &[("connection_id", &connection)]).await;
        let done = finished(&srv, job["id"].as_str().unwrap()).await;
        assert_eq!(done["status"], "failed");
        assert!(
            done["status_details"].as_str().unwrap().contains(want),
            "{done}"
        );
    }
}

/// Auth0's `send_completion_email` (on by default): the tenant's
/// administrators get the job's summary when it ends, completed or failed.
async fn the_administrators_are_mailed_when_an_import_ends_unless_the_upload_says_not(
    srv: TestServer,
) {
    let connection = srv.connection_id("Username-Password-Authentication").await;
    let file = json!([{"email": "mailed@import.example"}, {"email": "not-an-address"}]);
    let (_, quiet) = post_import(
        &srv,
        file.to_string().as_bytes(),
        &[
            ("connection_id", &connection),
            ("send_completion_email", "false"),
        ],
    )
    .await;
    let quiet = quiet["id"].as_str().unwrap().to_string();
    finished(&srv, &quiet).await;
    let file = json!([{"email": "mailed2@import.example"}, {"email": "not-an-address"}]);
    let (_, told) = post_import(
        &srv,
        file.to_string().as_bytes(),
        &[("connection_id", &connection)],
    )
    .await;
    let told = told["id"].as_str().unwrap().to_string();
    finished(&srv, &told).await;
    let (_, broken) = post_import(&srv, b"[{\"email\": ", &[("connection_id", &connection)]).await;
    let broken = broken["id"].as_str().unwrap().to_string();
    finished(&srv, &broken).await;
    let mails = crate::dbconnections::outbox_with(&srv, 2).await;
    assert_eq!(mails.len(), 2, "{mails:#?}");
    assert!(mails.iter().all(|m| !m.contains(&quiet)), "{mails:#?}");
    let completed = mails
        .iter()
        .find(|m| m.contains(&told))
        .expect("the completed job's mail");
    assert!(completed.contains("To: admin@localhost"), "{completed}");
    assert!(
        completed.contains("Your user import job completed"),
        "{completed}"
    );
    assert!(
        completed.contains("Inserted: 1, updated: 0, failed: 1, total: 2."),
        "{completed}"
    );
    assert!(completed.contains(&format!("GET /api/v2/jobs/{told}/errors")));
    let failed = mails
        .iter()
        .find(|m| m.contains(&broken))
        .expect("the failed job's mail");
    assert!(failed.contains("Your user import job failed"), "{failed}");
}

async fn bad_requests_leave_no_job(srv: TestServer) {
    let file = br#"[{"email": "x@import.example"}]"#;
    let connection = srv.connection_id("Username-Password-Authentication").await;
    for (fields, status, message) in [
        (
            vec![],
            StatusCode::BAD_REQUEST,
            "Must provide 'connection_id' as multipart part.",
        ),
        (
            vec![("connection_id", "con_nope")],
            StatusCode::BAD_REQUEST,
            "Payload validation error: 'String does not match pattern ^con_[A-Za-z0-9]{16}$' on property connection_id.",
        ),
        (
            vec![("connection_id", "con_0000000000000000")],
            StatusCode::BAD_REQUEST,
            "The connection does not exist.",
        ),
        (
            vec![("connection_id", connection.as_str()), ("upsert", "maybe")],
            StatusCode::BAD_REQUEST,
            "",
        ),
    ] {
        let (st, body) = post_import(&srv, file, &fields).await;
        assert_eq!(st, status, "{body}");
        assert_eq!(body["statusCode"], status.as_u16());
        assert!(
            body["message"].as_str().unwrap().contains(message),
            "{body}"
        );
    }
    // Not multipart at all.
    let (st, body) = srv
        .api(Method::POST, "/jobs/users-imports", Some(json!({})))
        .await;
    assert_eq!(st, StatusCode::BAD_REQUEST, "{body}");
    let (_, found) = srv
        .api(Method::GET, "/users-by-email?email=x@import.example", None)
        .await;
    assert_eq!(found, json!([]));
    let (st, _) = srv
        .api(Method::GET, "/jobs/job_0000000000000000", None)
        .await;
    assert_eq!(st, StatusCode::NOT_FOUND);
}

async fn an_import_interrupted_by_a_restart_resumes_without_repeating_anyone(srv: TestServer) {
    let connection = srv.connection_id("Username-Password-Authentication").await;
    let total = 5_000;
    let mut text = String::from("[");
    for i in 0..total {
        if i > 0 {
            text.push(',');
        }
        text.push_str(&format!(
            "{{\"email\": \"r{i}@import.example\", \"user_id\": \"r{i}\"}}"
        ));
    }
    text.push(']');
    let (st, job) = post_import(&srv, text.as_bytes(), &[("connection_id", &connection)]).await;
    assert_eq!(st, StatusCode::ACCEPTED, "{job}");
    let id = job["id"].as_str().unwrap().to_string();
    // Stop the server while the job runs (or before it starts).
    let srv = srv.restart().await;
    let done = finished(&srv, &id).await;
    assert_eq!(
        done["summary"],
        json!({"failed": 0, "updated": 0, "inserted": total, "total": total}),
        "{done}"
    );
    let (_, users) = srv
        .api(Method::GET, "/users?q=email:r4999@import.example", None)
        .await;
    assert_eq!(users.as_array().map(Vec::len), Some(1), "{users}");
}

async fn moved_apps_keep_their_credentials_and_users_their_ids(srv: TestServer) {
    let id = "Ab3dEf6hIj9kLm2nOp5qRs8tUv1wXy4z";
    let secret = "an-existing-secret-from-auth0-0123456789";
    let (st, c) = srv
        .api(
            Method::POST,
            "/clients",
            Some(json!({"name": "Moved", "app_type": "non_interactive",
                "client_id": id, "client_secret": secret})),
        )
        .await;
    assert_eq!(st, StatusCode::CREATED, "{c}");
    assert_eq!(
        (c["client_id"].as_str(), c["client_secret"].as_str()),
        (Some(id), Some(secret))
    );
    // The old credentials work at the token endpoint.
    let (st, body, _) = srv
        .token_form(&[
            ("grant_type", "client_credentials"),
            ("client_id", id),
            ("client_secret", "not-the-secret-of-this-app-000"),
        ])
        .await;
    assert_eq!(st, StatusCode::UNAUTHORIZED, "{body}");
    let (st, again) = srv
        .api(
            Method::POST,
            "/clients",
            Some(json!({"name": "Twice", "client_id": id})),
        )
        .await;
    assert_eq!(st, StatusCode::CONFLICT, "{again}");
    for bad in [
        json!({"name": "x", "client_id": "has space"}),
        json!({"name": "x", "client_secret": "short"}),
        json!({"name": "x", "client_id": 5}),
    ] {
        let (st, body) = srv.api(Method::POST, "/clients", Some(bad.clone())).await;
        assert_eq!(st, StatusCode::BAD_REQUEST, "{bad}: {body}");
    }
    // A caller without migrate:clients may create clients, not choose ids.
    let (st, grant) = srv
        .api(
            Method::POST,
            "/client-grants",
            Some(
                json!({"client_id": id, "audience": srv.management_audience(),
                "scope": ["create:clients"]}),
            ),
        )
        .await;
    assert_eq!(st, StatusCode::CREATED, "{grant}");
    let token = srv
        .client_token(id, secret, &srv.management_audience())
        .await;
    let (st, body) = srv
        .api_with(
            &token,
            Method::POST,
            "/clients",
            Some(json!({"name": "Chosen", "client_id": "chosen-by-a-stranger"})),
        )
        .await;
    assert_eq!(st, StatusCode::FORBIDDEN, "{body}");
    let (st, body) = srv
        .api_with(
            &token,
            Method::POST,
            "/clients",
            Some(json!({"name": "Plain"})),
        )
        .await;
    assert_eq!(st, StatusCode::CREATED, "{body}");
    // Users keep their id, given with or without Auth0's prefix.
    for (given, want) in [
        ("auth0|5f0c8a1b", "auth0|5f0c8a1b"),
        ("legacy-42", "auth0|legacy-42"),
    ] {
        let (st, u) = srv
            .api(
                Method::POST,
                "/users",
                Some(json!({"connection": "Username-Password-Authentication",
                    "email": format!("{given}@ids.example").replace('|', "-"),
                    "password": "Moved-passw0rd!", "user_id": given})),
            )
            .await;
        assert_eq!(st, StatusCode::CREATED, "{u}");
        assert_eq!(u["user_id"], want);
    }
    let (st, body) = srv
        .api(
            Method::POST,
            "/users",
            Some(json!({"connection": "Username-Password-Authentication",
                "email": "other@ids.example", "password": "Moved-passw0rd!", "user_id": "legacy-42"})),
        )
        .await;
    assert_eq!(st, StatusCode::CONFLICT, "{body}");
    let (st, body) = srv
        .api(
            Method::POST,
            "/users",
            Some(json!({"connection": "Username-Password-Authentication",
                "email": "space@ids.example", "password": "Moved-passw0rd!", "user_id": "a b"})),
        )
        .await;
    assert_eq!(st, StatusCode::BAD_REQUEST, "{body}");
}

/// `gzip -dc` of a downloaded file (an implementation other than ours).
fn gunzip(bytes: &[u8]) -> String {
    use std::io::Write;
    let mut child = std::process::Command::new("gzip")
        .arg("-dc")
        .stdin(std::process::Stdio::piped())
        .stdout(std::process::Stdio::piped())
        .spawn()
        .expect("gzip runs");
    child.stdin.take().unwrap().write_all(bytes).unwrap();
    let out = child.wait_with_output().unwrap();
    assert!(
        out.status.success(),
        "gzip -dc failed: the file is not gzip"
    );
    String::from_utf8(out.stdout).unwrap()
}

/// Starts an export, waits for it, and downloads its file.
async fn export(srv: &TestServer, body: Value) -> (Value, String) {
    let (st, job) = srv
        .api(Method::POST, "/jobs/users-exports", Some(body))
        .await;
    assert_eq!(st, StatusCode::CREATED, "{job}");
    assert_eq!(job["type"], "users_export");
    let done = finished(srv, job["id"].as_str().unwrap()).await;
    assert_eq!(done["status"], "completed", "{done}");
    let location = done["location"]
        .as_str()
        .expect("a completed export has a location");
    assert!(location.starts_with(&srv.issuer), "{location}");
    let res = srv.http.get(location).send().await.unwrap();
    assert_eq!(res.status(), StatusCode::OK);
    assert_eq!(res.headers()["content-type"], "application/gzip");
    (done, gunzip(&res.bytes().await.unwrap()))
}

async fn imported_users_export_again_as_ndjson_and_csv_through_a_signed_link(srv: TestServer) {
    let connection = srv.connection_id("Username-Password-Authentication").await;
    let mut users = Vec::new();
    for i in 0..2500 {
        users.push(json!({"email": format!("x{i:04}@export.example"), "user_id": format!("x{i:04}"),
            "name": if i == 7 { "=cmd|' /C calc'!A0".to_string() } else { format!("User, \"{i}\"") },
            "user_metadata": {"n": i},
            "custom_password_hash": {"algorithm": "md5", "hash": {"value": "67A1E09BB1F83F5007DC119C14D663AA", "encoding": "hex"}}}));
    }
    let (_, job) = post_import(
        &srv,
        serde_json::to_vec(&users).unwrap().as_slice(),
        &[("connection_id", &connection)],
    )
    .await;
    finished(&srv, job["id"].as_str().unwrap()).await;
    // NDJSON, every user of the connection, chosen fields with titles.
    let (done, text) = export(
        &srv,
        json!({"connection_id": connection, "format": "json", "fields": [
            {"name": "user_id"}, {"name": "email", "export_as": "mail"},
            {"name": "identities[0].connection"}, {"name": "user_metadata"}]}),
    )
    .await;
    assert_eq!(done["connection"], "Username-Password-Authentication");
    let lines: Vec<Value> = text
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    assert_eq!(lines.len(), 2500);
    let seven = lines
        .iter()
        .find(|l| l["user_id"] == "auth0|x0007")
        .unwrap();
    assert_eq!(
        seven,
        &json!({"user_id": "auth0|x0007", "mail": "x0007@export.example",
            "identities[0].connection": "Username-Password-Authentication", "user_metadata": {"n": 7}})
    );
    assert!(!text.contains("67A1E09B"), "hashes are never exported");
    // CSV with a limit: RFC 4180 quoting and the formula guard.
    let (_, csv) = export(
        &srv,
        json!({"connection_id": connection, "format": "csv", "limit": 10,
            "fields": [{"name": "user_id", "export_as": "id"}, {"name": "name"}]}),
    )
    .await;
    let rows: Vec<&str> = csv.lines().collect();
    assert_eq!(rows.len(), 11, "{csv}");
    assert_eq!(rows[0], "id,name");
    assert_eq!(rows[1], "auth0|x0000,\"User, \"\"0\"\"\"");
    assert_eq!(rows[8], "auth0|x0007,\"'=cmd|' /C calc'!A0\"");
    // The link is the credential: a changed one, or one past its minute, is refused.
    let (st, job) = srv
        .api(
            Method::POST,
            "/jobs/users-exports",
            Some(json!({"format": "json"})),
        )
        .await;
    assert_eq!(st, StatusCode::CREATED);
    let done = finished(&srv, job["id"].as_str().unwrap()).await;
    let location = done["location"].as_str().unwrap().to_string();
    let forged = location.replace("signature=", "signature=A");
    assert_eq!(
        srv.http.get(&forged).send().await.unwrap().status(),
        StatusCode::FORBIDDEN
    );
    let other_file = location.replace(".json.gz", ".csv.gz");
    assert_eq!(
        srv.http.get(&other_file).send().await.unwrap().status(),
        StatusCode::FORBIDDEN
    );
    srv.server.as_ref().unwrap().state.advance_clock(61);
    assert_eq!(
        srv.http.get(&location).send().await.unwrap().status(),
        StatusCode::FORBIDDEN
    );
    for bad in [
        json!({"format": "xml"}),
        json!({"fields": []}),
        json!({"connection_id": "con_0000000000000000"}),
        json!({"limit": 0}),
        json!({"unknown": true}),
    ] {
        let (st, body) = srv
            .api(Method::POST, "/jobs/users-exports", Some(bad.clone()))
            .await;
        assert_eq!(st, StatusCode::BAD_REQUEST, "{bad}: {body}");
    }
}
