//! Running it for real (issue 13): a node with another issuer, the last
//! administrator, lost admin credentials, a restore without its secret.key, and
//! `portcullis check`. Real server processes, on SQLite and PostgreSQL.

use std::io::{BufRead, BufReader, Read};
use std::process::{Child, Command, Stdio};

use crate::process::{BIN, ServerProcess, free_port};

/// What a `portcullis serve` did: started (its start-up line, the child still
/// running) or refused (its stderr, exit code).
enum Served {
    Started(Child, String),
    Refused(i32, String),
}

fn serve(dir: &std::path::Path, port: u16, env: &[(&str, String)]) -> Served {
    let mut cmd = Command::new(BIN);
    cmd.arg("serve")
        .env_clear()
        .env("PATH", std::env::var("PATH").unwrap_or_default())
        .env("PORTCULLIS_BIND", format!("127.0.0.1:{port}"))
        .env("PORTCULLIS_ISSUER", format!("http://127.0.0.1:{port}/"))
        .env("PORTCULLIS_DATA_DIR", dir)
        .stdout(Stdio::piped())
        .stderr(Stdio::piped());
    for (k, v) in env {
        cmd.env(k, v);
    }
    let mut child = cmd.spawn().unwrap();
    let mut line = String::new();
    BufReader::new(child.stdout.take().unwrap())
        .read_line(&mut line)
        .unwrap();
    if line.contains("listening") {
        return Served::Started(child, line);
    }
    let status = child.wait().unwrap();
    let mut err = String::new();
    child
        .stderr
        .take()
        .unwrap()
        .read_to_string(&mut err)
        .unwrap();
    Served::Refused(status.code().unwrap_or(-1), err)
}

fn cli(args: &[&str], dir: &std::path::Path, env: &[(&str, String)]) -> std::process::Output {
    let mut cmd = Command::new(BIN);
    cmd.args(args)
        .arg("--data-dir")
        .arg(dir)
        .env_clear()
        .env("PATH", std::env::var("PATH").unwrap_or_default());
    for (k, v) in env {
        cmd.env(k, v);
    }
    cmd.output().unwrap()
}

fn text(b: &[u8]) -> String {
    String::from_utf8_lossy(b).to_string()
}

/// The database settings for a fresh store: nothing for SQLite (the data dir's
/// file), a fresh schema for PostgreSQL.
async fn database_env(postgres: bool) -> Vec<(&'static str, String)> {
    if postgres {
        vec![(
            "PORTCULLIS_DATABASE_URL",
            crate::support::fresh_postgres_schema().await,
        )]
    } else {
        Vec::new()
    }
}

fn start(env: &[(&'static str, String)]) -> ServerProcess {
    let env: Vec<(&str, &str)> = env.iter().map(|(k, v)| (*k, v.as_str())).collect();
    ServerProcess::start(&env, Stdio::null())
}

/// Item 1: a node started with another issuer on the same database refuses to
/// start, naming both issuers and the setting, and the running node keeps
/// serving the Management API; `portcullis issuer set` is the explicit way.
async fn another_issuer_refuses_to_start(postgres: bool) {
    let db = database_env(postgres).await;
    let a = start(&db);
    let mut env = db.clone();
    // Same database and key-encryption key, another issuer.
    if !postgres {
        env.push((
            "PORTCULLIS_DATABASE_URL",
            format!("sqlite://{}", a.dir.path().join("portcullis.db").display()),
        ));
    }
    let key = std::fs::read_to_string(a.dir.path().join("secret.key")).unwrap();
    env.push(("PORTCULLIS_SECRET_KEY", key.trim().to_string()));
    let other_dir = tempfile::tempdir().unwrap();
    let port = free_port();
    match serve(other_dir.path(), port, &env) {
        Served::Started(mut c, line) => {
            let _ = c.kill();
            panic!("started with another issuer: {line}");
        }
        Served::Refused(code, err) => {
            assert_ne!(code, 0);
            assert!(err.contains(&a.url), "{err}");
            assert!(err.contains(&format!("http://127.0.0.1:{port}/")), "{err}");
            assert!(err.contains("PORTCULLIS_ISSUER"), "{err}");
            assert!(err.contains("portcullis issuer set"), "{err}");
            assert_eq!(err.trim().lines().count(), 1, "one line: {err}");
        }
    }
    // The running node is untouched.
    assert!(a.ok(&["apps", "list"]).contains("Portcullis Admin"));
    // Changing the issuer on purpose: stop, `issuer set`, start with it.
    let dir = a.dir.path().to_path_buf();
    let mut a = a;
    a.kill9();
    let new_issuer = format!("http://127.0.0.1:{port}/");
    let mut set_env = db.clone();
    set_env.push(("PORTCULLIS_ISSUER", a.url.clone()));
    let out = cli(&["issuer", "set", &new_issuer], &dir, &set_env);
    assert!(out.status.success(), "{}", text(&out.stderr));
    assert!(text(&out.stdout).contains(&new_issuer));
    match serve(&dir, port, &db) {
        Served::Started(mut c, line) => {
            assert!(line.contains(&new_issuer), "{line}");
            let out = Command::new(BIN)
                .args(["apps", "list", "--url", &new_issuer, "--data-dir"])
                .arg(&dir)
                .env_clear()
                .env("PATH", std::env::var("PATH").unwrap_or_default())
                .output()
                .unwrap();
            let _ = c.kill();
            let _ = c.wait();
            assert!(out.status.success(), "{}", text(&out.stderr));
        }
        Served::Refused(_, err) => panic!("{err}"),
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn another_issuer_refuses_to_start_sqlite() {
    another_issuer_refuses_to_start(false).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn another_issuer_refuses_to_start_postgres() {
    another_issuer_refuses_to_start(true).await;
}

/// Item 2: the last administrator cannot be deleted, nor its grant, nor the
/// scopes or grant type that make it one; `portcullis admin reset` writes new
/// credentials (0600) while the server runs; the start-up line says which
/// credentials are in force.
async fn the_last_administrator_cannot_be_removed(postgres: bool) {
    let db = database_env(postgres).await;
    let srv = start(&db);
    let creds: serde_json::Value = serde_json::from_slice(
        &std::fs::read(srv.dir.path().join("admin-credentials.json")).unwrap(),
    )
    .unwrap();
    let admin = creds["client_id"].as_str().unwrap().to_string();
    let grants = srv.json(&["grants", "list"]);
    let grant = grants[0]["id"].as_str().unwrap().to_string();
    for args in [
        vec!["apps", "delete", admin.as_str()],
        vec!["grants", "delete", grant.as_str()],
        vec![
            "apps",
            "update",
            admin.as_str(),
            "--data",
            r#"{"grant_types": ["authorization_code"]}"#,
        ],
    ] {
        let out = srv.cli(&args);
        assert_eq!(out.status.code(), Some(1), "{args:?}");
        let err = text(&out.stderr);
        assert!(err.contains("HTTP 400"), "{args:?}: {err}");
        assert!(err.contains("administer"), "{args:?}: {err}");
    }
    assert!(srv.ok(&["apps", "list"]).contains(&admin), "still there");
    // `admin reset` while the server runs: new credentials, mode 0600.
    std::fs::remove_file(srv.dir.path().join("admin-credentials.json")).unwrap();
    let out = cli(&["admin", "reset"], srv.dir.path(), &issuer_env(&srv, &db));
    assert!(out.status.success(), "{}", text(&out.stderr));
    let file = srv.dir.path().join("admin-credentials.json");
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        assert_eq!(
            std::fs::metadata(&file).unwrap().permissions().mode() & 0o777,
            0o600
        );
    }
    let new: serde_json::Value = serde_json::from_slice(&std::fs::read(&file).unwrap()).unwrap();
    assert_ne!(new["client_id"], admin);
    // The new administrator works, and now the old one may go.
    srv.ok(&["apps", "delete", &admin]);
    assert!(!srv.ok(&["apps", "list"]).contains(&admin));
    // Start-up line: which credentials, and why.
    let dir = srv.dir.path().to_path_buf();
    let url = srv.url.clone();
    let port: u16 = url
        .trim_end_matches('/')
        .rsplit(':')
        .next()
        .unwrap()
        .parse()
        .unwrap();
    let mut srv = srv;
    srv.kill9();
    let mut env = db.clone();
    env.push(("PORTCULLIS_BOOTSTRAP_CLIENT_ID", "someone-else".into()));
    env.push(("PORTCULLIS_BOOTSTRAP_CLIENT_SECRET", "x".repeat(40)));
    match serve(&dir, port, &env) {
        Served::Started(mut c, line) => {
            let _ = c.kill();
            let _ = c.wait();
            assert!(
                line.contains("PORTCULLIS_BOOTSTRAP_CLIENT_ID is ignored"),
                "{line}"
            );
            assert!(line.contains("portcullis admin reset"), "{line}");
        }
        Served::Refused(_, err) => panic!("{err}"),
    }
}

fn issuer_env(srv: &ServerProcess, db: &[(&'static str, String)]) -> Vec<(&'static str, String)> {
    let mut env = db.to_vec();
    env.push(("PORTCULLIS_ISSUER", srv.url.clone()));
    env
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_last_administrator_cannot_be_removed_sqlite() {
    the_last_administrator_cannot_be_removed(false).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_last_administrator_cannot_be_removed_postgres() {
    the_last_administrator_cannot_be_removed(true).await;
}

/// Item 3: a restored database without its secret.key refuses to start (one
/// line naming the file and what it protects) and writes no new key;
/// `portcullis check` reports what it found, never creates a database, and
/// fails when the key does not open the stored keys.
async fn restores_and_check(postgres: bool) {
    let db = database_env(postgres).await;
    let mut srv = start(&db);
    let dir = srv.dir.path().to_path_buf();
    let env = issuer_env(&srv, &db);
    let out = cli(&["check"], &dir, &env);
    assert!(out.status.success(), "{}", text(&out.stderr));
    let report = text(&out.stdout);
    assert!(report.contains("database ok"), "{report}");
    assert!(report.contains("1 applications"), "{report}");
    assert!(report.contains("signing keys"), "{report}");
    #[cfg(unix)]
    if !postgres {
        use std::os::unix::fs::PermissionsExt;
        let mode = std::fs::metadata(dir.join("portcullis.db"))
            .unwrap()
            .permissions()
            .mode();
        assert_eq!(mode & 0o777, 0o600, "the database file is owner-only");
    }
    srv.kill9();
    let key = dir.join("secret.key");
    let saved = std::fs::read(&key).unwrap();
    std::fs::remove_file(&key).unwrap();
    let port = free_port();
    match serve(&dir, port, &env_with_issuer(&db, &srv.url, port)) {
        Served::Started(mut c, line) => {
            let _ = c.kill();
            panic!("started without its secret.key: {line}");
        }
        Served::Refused(code, err) => {
            assert_ne!(code, 0);
            assert!(
                err.contains("secret.key") && err.contains("missing"),
                "{err}"
            );
            assert!(err.contains("signing key"), "{err}");
            assert_eq!(err.trim().lines().count(), 1, "one line: {err}");
        }
    }
    assert!(!key.exists(), "no new key was written");
    let out = cli(&["check"], &dir, &env);
    assert_eq!(out.status.code(), Some(1));
    assert!(
        text(&out.stderr).contains("secret.key"),
        "{}",
        text(&out.stderr)
    );
    // Another key: check says it does not open the stored keys.
    std::fs::write(&key, format!("{}\n", "ab".repeat(32))).unwrap();
    let out = cli(&["check"], &dir, &env);
    assert_eq!(out.status.code(), Some(1));
    assert!(
        text(&out.stderr).contains("does not open the stored signing keys"),
        "{}",
        text(&out.stderr)
    );
    std::fs::write(&key, &saved).unwrap();
    assert!(cli(&["check"], &dir, &env).status.success());
    // Pointed at nothing: no database is created.
    if !postgres {
        let empty = tempfile::tempdir().unwrap();
        let out = cli(&["check"], empty.path(), &[]);
        assert_eq!(out.status.code(), Some(1));
        assert!(
            text(&out.stderr).contains("no database at"),
            "{}",
            text(&out.stderr)
        );
        assert!(!empty.path().join("portcullis.db").exists());
    } else {
        let fresh = database_env(true).await;
        let out = cli(&["check"], tempfile::tempdir().unwrap().path(), &fresh);
        assert_eq!(out.status.code(), Some(1));
        assert!(
            text(&out.stderr).contains("not a Portcullis database"),
            "{}",
            text(&out.stderr)
        );
    }
}

/// The issuer a server had (`url`) for a restart on another port.
fn env_with_issuer(
    db: &[(&'static str, String)],
    url: &str,
    _port: u16,
) -> Vec<(&'static str, String)> {
    let mut env = db.to_vec();
    env.push(("PORTCULLIS_ISSUER", url.to_string()));
    env
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn restores_and_check_sqlite() {
    restores_and_check(false).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn restores_and_check_postgres() {
    restores_and_check(true).await;
}

/// Items 6 and 7: errors that say what to fix, fast. An unreachable PostgreSQL
/// names host, port and the cause within a second or two; an unwritable data
/// dir names the path and the setting; listening on 0.0.0.0 without an issuer
/// refuses to invent `http://0.0.0.0:…/`.
#[test]
fn start_up_errors_name_what_to_fix() {
    let run = |env: &[(&str, &str)]| {
        let dir = tempfile::tempdir().unwrap();
        let started = std::time::Instant::now();
        let mut cmd = Command::new(BIN);
        cmd.arg("serve")
            .env_clear()
            .env("PATH", std::env::var("PATH").unwrap_or_default())
            .env("PORTCULLIS_DATA_DIR", dir.path())
            .env("PORTCULLIS_BIND", format!("127.0.0.1:{}", free_port()));
        for (k, v) in env {
            cmd.env(k, v);
        }
        let out = cmd.output().unwrap();
        (out.status.code(), text(&out.stderr), started.elapsed())
    };
    let port = free_port();
    let url = format!("postgres://postgres@127.0.0.1:{port}/test");
    let (code, err, took) = run(&[("PORTCULLIS_DATABASE_URL", &url)]);
    assert_eq!(code, Some(1), "{err}");
    assert!(err.contains("PORTCULLIS_DATABASE_URL"), "{err}");
    assert!(err.contains(&format!("127.0.0.1:{port}")), "{err}");
    assert!(err.contains("connection refused"), "{err}");
    assert!(took < std::time::Duration::from_secs(3), "{took:?}");
    assert_eq!(err.trim().lines().count(), 1, "{err}");
    assert!(!err.contains(".rs:"), "no source locations: {err}");
    let file = tempfile::NamedTempFile::new().unwrap();
    let not_a_dir = file.path().join("data");
    let (code, err, _) = run(&[("PORTCULLIS_DATA_DIR", not_a_dir.to_str().unwrap())]);
    assert_eq!(code, Some(1), "{err}");
    assert!(
        err.contains(not_a_dir.to_str().unwrap()) && err.contains("PORTCULLIS_DATA_DIR"),
        "{err}"
    );
    let (code, err, _) = run(&[("PORTCULLIS_BIND", "0.0.0.0:8099")]);
    assert_eq!(code, Some(2), "{err}");
    assert!(
        err.contains("PORTCULLIS_ISSUER") && err.contains("0.0.0.0:8099"),
        "{err}"
    );
}

/// Item 10: the container health check needs no curl: `portcullis health`
/// exits 0 when /readyz answers, 1 when nothing does.
#[test]
fn health_command_reports_readiness() {
    let srv = ServerProcess::start(&[], Stdio::null());
    let up = Command::new(BIN)
        .args(["health", "--url", &srv.url])
        .env_clear()
        .output()
        .unwrap();
    assert!(up.status.success(), "{}", text(&up.stderr));
    let down = Command::new(BIN)
        .args([
            "health",
            "--url",
            &format!("http://127.0.0.1:{}/", free_port()),
        ])
        .env_clear()
        .output()
        .unwrap();
    assert_eq!(down.status.code(), Some(1));
    assert!(
        text(&down.stderr).contains("not ready"),
        "{}",
        text(&down.stderr)
    );
}

/// Item 10: the systemd unit in deploy/ is valid (checked with
/// `systemd-analyze verify` where systemd's tools are installed).
#[test]
fn systemd_unit_verifies() {
    let Ok(which) = Command::new("systemd-analyze").arg("--version").output() else {
        eprintln!("systemd-analyze is not installed: skipped");
        return;
    };
    assert!(which.status.success());
    let unit = std::fs::read_to_string(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../../deploy/portcullis.service"
    ))
    .unwrap();
    assert!(unit.contains("NoNewPrivileges=yes") && unit.contains("DynamicUser=yes"));
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("portcullis.service");
    std::fs::write(&path, unit.replace("/usr/local/bin/portcullis", BIN)).unwrap();
    let out = Command::new("systemd-analyze")
        .arg("verify")
        .arg(&path)
        .output()
        .unwrap();
    let err = text(&out.stderr);
    assert!(out.status.success() && err.trim().is_empty(), "{err}");
}

/// Item 10: the image in deploy/Dockerfile builds, runs as a non-root user with
/// /data as a volume and a health check, and serves: run where a container
/// engine answers (`docker info`); skipped, saying so, where none does (this
/// build machine has a docker client but no daemon and no registry).
#[test]
fn container_image_builds_and_serves() {
    let engine = Command::new("docker")
        .args(["info", "--format", "{{.ServerVersion}}"])
        .output();
    match engine {
        Ok(o) if o.status.success() => {}
        _ => {
            eprintln!("no container engine answers `docker info`: skipped");
            return;
        }
    }
    let root = concat!(env!("CARGO_MANIFEST_DIR"), "/../..");
    let tag = format!("portcullis-test:{}", portcullis_core::random::hex(4));
    let build = Command::new("docker")
        .args(["build", "-f", "deploy/Dockerfile", "-t", &tag, "."])
        .current_dir(root)
        .output()
        .unwrap();
    assert!(build.status.success(), "{}", text(&build.stderr));
    let inspect = |format: &str| {
        let o = Command::new("docker")
            .args(["image", "inspect", "--format", format, &tag])
            .output()
            .unwrap();
        text(&o.stdout).trim().to_string()
    };
    assert_eq!(inspect("{{.Config.User}}"), "nonroot:nonroot");
    assert!(inspect("{{json .Config.Volumes}}").contains("/data"));
    assert!(inspect("{{json .Config.Healthcheck}}").contains("health"));
    let size: u64 = inspect("{{.Size}}").parse().unwrap();
    assert!(size < 150 * 1024 * 1024, "image is {size} bytes");
    let port = free_port();
    let run = Command::new("docker")
        .args([
            "run",
            "-d",
            "--rm",
            "-p",
            &format!("127.0.0.1:{port}:8080"),
            "-e",
            &format!("PORTCULLIS_ISSUER=http://127.0.0.1:{port}/"),
            &tag,
        ])
        .output()
        .unwrap();
    assert!(run.status.success(), "{}", text(&run.stderr));
    let id = text(&run.stdout).trim().to_string();
    let mut ready = false;
    for _ in 0..100 {
        let h = Command::new(BIN)
            .args(["health", "--url", &format!("http://127.0.0.1:{port}/")])
            .env_clear()
            .output()
            .unwrap();
        if h.status.success() {
            ready = true;
            break;
        }
        std::thread::sleep(std::time::Duration::from_millis(200));
    }
    let inside = Command::new("docker")
        .args([
            "exec",
            &id,
            "/usr/local/bin/portcullis",
            "health",
            "--url",
            "http://127.0.0.1:8080/",
        ])
        .output()
        .unwrap();
    let _ = Command::new("docker").args(["rm", "-f", &id]).output();
    let _ = Command::new("docker")
        .args(["image", "rm", "-f", &tag])
        .output();
    assert!(ready, "the container never answered /readyz");
    assert!(inside.status.success(), "{}", text(&inside.stderr));
}
