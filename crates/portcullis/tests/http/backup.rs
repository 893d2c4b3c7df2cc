//! `portcullis backup` and `restore` on both backends: a backup taken while the
//! server runs brings back exactly what it held.

use std::process::Stdio;

use crate::process::ServerProcess;

fn user_exists(srv: &ServerProcess, email: &str) -> bool {
    srv.ok(&["users", "list"]).contains(email)
}

#[test]
fn sqlite_backup_while_serving_and_restore() {
    let srv = ServerProcess::start(&[], Stdio::null());
    srv.ok(&[
        "users",
        "create",
        "--email",
        "before@example.com",
        "--password",
        "Passw0rd-long",
    ]);
    let backups = tempfile::tempdir().unwrap();
    let file = backups.path().join("portcullis.backup.db");
    let file = file.to_str().unwrap();
    assert!(
        srv.ok(&["backup", file])
            .contains("key-encryption key is not in it")
    );
    let again = srv.cli(&["backup", file]);
    assert_eq!(
        again.status.code(),
        Some(2),
        "an existing backup is never overwritten"
    );
    srv.ok(&[
        "users",
        "create",
        "--email",
        "after@example.com",
        "--password",
        "Passw0rd-long",
    ]);

    let mut srv = srv;
    srv.kill9();
    let refused = srv.cli(&["restore", file]);
    assert_eq!(refused.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&refused.stderr).contains("--force"));
    assert!(srv.ok(&["restore", file, "--force"]).contains("restored"));
    let srv = srv.restart();
    assert!(user_exists(&srv, "before@example.com"));
    assert!(
        !user_exists(&srv, "after@example.com"),
        "the backup's state, not the later one"
    );
    assert!(srv.ok(&["check"]).contains("database ok"));
}

/// PostgreSQL through its native tools (pg_dump / pg_restore), driven by the
/// same commands, on a database of its own.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn postgres_backup_and_restore_with_native_tools() {
    use sqlx::Connection;
    let base = crate::support::postgres_base_url();
    let name = format!(
        "ptb_{}_{}",
        crate::support::unix_now(),
        portcullis_core::random::hex(4)
    );
    let mut admin = sqlx::PgConnection::connect(&base).await.unwrap();
    sqlx::raw_sql(sqlx::AssertSqlSafe(format!("CREATE DATABASE \"{name}\"")))
        .execute(&mut admin)
        .await
        .unwrap();
    let (prefix, _) = base.rsplit_once('/').unwrap();
    let url = format!("{prefix}/{name}");
    let env = [
        ("PORTCULLIS_DATABASE_URL", url.as_str()),
        ("PORTCULLIS_SECRET_KEY", &*"ef".repeat(32)),
    ];
    let srv = ServerProcess::start(&env, Stdio::null());
    srv.ok(&[
        "users",
        "create",
        "--email",
        "before@example.com",
        "--password",
        "Passw0rd-long",
    ]);
    let backups = tempfile::tempdir().unwrap();
    let file = backups.path().join("portcullis.dump");
    let file = file.to_str().unwrap();
    srv.ok(&["backup", file, "--database-url", &url]);
    srv.ok(&[
        "users",
        "create",
        "--email",
        "after@example.com",
        "--password",
        "Passw0rd-long",
    ]);
    let mut srv = srv;
    srv.kill9();
    srv.ok(&["restore", file, "--database-url", &url]);
    let srv = srv.restart();
    assert!(user_exists(&srv, "before@example.com"));
    assert!(!user_exists(&srv, "after@example.com"));
    drop(srv);
    let _ = sqlx::raw_sql(sqlx::AssertSqlSafe(format!(
        "DROP DATABASE IF EXISTS \"{name}\" WITH (FORCE)"
    )))
    .execute(&mut admin)
    .await;
}

/// Issue 13: `portcullis migrate-store` moves a SQLite deployment to
/// PostgreSQL without losing anything: the same signing keys, the
/// administrator's secret, users' passwords and their browser sessions work on
/// the new database; a second copy into a non-empty target is refused.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn migrate_store_moves_sqlite_to_postgres_keeping_passwords_secrets_keys_and_sessions() {
    use crate::browser::{Browser, CALLBACK, PASSWORD, VERIFIER, code_params};
    let p = ServerProcess::start(&[], Stdio::null());
    let app = p.json(&[
        "apps",
        "create",
        "--name",
        "Shop",
        "--type",
        "spa",
        "--callback",
        CALLBACK,
    ]);
    let client = app["client_id"].as_str().unwrap().to_string();
    p.ok(&[
        "users",
        "create",
        "--email",
        "ada@example.com",
        "--password",
        PASSWORD,
    ]);
    let origin = p.url.trim_end_matches('/').to_string();
    let http = reqwest::Client::new();
    let jwks_before: serde_json::Value = http
        .get(format!("{origin}/.well-known/jwks.json"))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let mut signed_in = Browser::at(&origin);
    let to = signed_in.authorize(&code_params(&client, &[])).await;
    let back = signed_in
        .submit_login(&to, "ada@example.com", PASSWORD)
        .await;
    assert!(back.redirect_params().contains_key("code"), "{}", back.body);

    let pg = crate::support::fresh_postgres_schema().await;
    let mut p = p;
    p.kill9();
    let out = p.ok(&["migrate-store", "--to", &pg]);
    assert!(out.contains("copied"), "{out}");
    assert!(out.contains("users: 1"), "{out}");
    let again = p.cli(&["migrate-store", "--to", &pg]);
    assert!(!again.status.success());
    assert!(
        String::from_utf8_lossy(&again.stderr).contains("already holds"),
        "{}",
        String::from_utf8_lossy(&again.stderr)
    );

    // Every table is copied: a migration that adds one must add it to TABLES.
    let store = portcullis_store::Store::connect_existing(&pg)
        .await
        .unwrap();
    let mut tables: Vec<String> = store
        .table_names()
        .await
        .unwrap()
        .into_iter()
        .filter(|t| t != "portcullis_migrations")
        .collect();
    tables.sort();
    let mut listed: Vec<String> = portcullis_store::TABLES
        .iter()
        .map(|t| t.to_string())
        .collect();
    listed.sort();
    assert_eq!(tables, listed);
    store.close().await;

    let p = p.restart_with(&[("PORTCULLIS_DATABASE_URL", &pg)]);
    let jwks_after: serde_json::Value = http
        .get(format!("{origin}/.well-known/jwks.json"))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(
        jwks_before, jwks_after,
        "the same keys, opened by the same key-encryption key"
    );
    // The administrator's secret (hashed) still works: the CLI signs in with it.
    assert!(p.ok(&["users", "list"]).contains("ada@example.com"));
    // The browser session survived: prompt=none gives a code without a login.
    let silent = signed_in
        .authorize(&code_params(&client, &[("prompt", "none")]))
        .await;
    assert!(
        silent.redirect_params().contains_key("code"),
        "{:?}",
        silent.location
    );
    // The password (hashed) still works for a new browser, and the code redeems.
    let mut fresh = Browser::at(&origin);
    let to = fresh.authorize(&code_params(&client, &[])).await;
    let back = fresh.submit_login(&to, "ada@example.com", PASSWORD).await;
    let code = back.redirect_params()["code"].clone();
    let res = http
        .post(format!("{origin}/oauth/token"))
        .form(&[
            ("grant_type", "authorization_code"),
            ("client_id", &client),
            ("code", &code),
            ("redirect_uri", CALLBACK),
            ("code_verifier", VERIFIER),
        ])
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), reqwest::StatusCode::OK);

    // And back: PostgreSQL into a new SQLite file, owner-only, that `check` accepts.
    let mut p = p;
    p.kill9();
    let back_db = p.dir.path().join("back").join("portcullis.db");
    let out = std::process::Command::new(crate::process::BIN)
        .args([
            "migrate-store",
            "--to",
            &format!("sqlite://{}", back_db.display()),
            "--database-url",
            &pg,
            "--data-dir",
        ])
        .arg(p.dir.path())
        .env_clear()
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    use std::os::unix::fs::PermissionsExt;
    assert_eq!(
        std::fs::metadata(&back_db).unwrap().permissions().mode() & 0o777,
        0o600
    );
}
