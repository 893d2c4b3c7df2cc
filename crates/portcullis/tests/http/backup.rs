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
