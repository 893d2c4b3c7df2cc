//! The CLI driven as an operator drives it: separate processes against a
//! running `portcullis serve`, for each command group, errors included.

use std::io::{BufRead, BufReader};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use serde_json::Value;

use crate::process::{BIN, ServerProcess, cli_alone, free_port};

fn stderr(out: &std::process::Output) -> String {
    String::from_utf8_lossy(&out.stderr).into_owned()
}

#[test]
fn cli_manages_apps_apis_grants_and_issues_tokens() {
    let srv = ServerProcess::start(&[], Stdio::null());
    let app = srv.json(&[
        "apps",
        "create",
        "--name",
        "Worker",
        "--type",
        "non_interactive",
    ]);
    let id = app["client_id"].as_str().unwrap().to_string();
    let secret = app["client_secret"].as_str().unwrap().to_string();
    let list = srv.ok(&["apps", "list"]);
    assert!(list.starts_with("CLIENT_ID"), "{list}");
    assert!(list.contains("Worker") && list.contains(&id), "{list}");
    srv.ok(&["apps", "update", &id, "--name", "Batch worker"]);
    assert_eq!(srv.json(&["apps", "show", &id])["name"], "Batch worker");

    let api = srv.json(&[
        "apis",
        "create",
        "--identifier",
        "https://orders.example/",
        "--name",
        "Orders",
        "--scope",
        "read:orders",
        "--scope",
        "write:orders",
    ]);
    assert_eq!(api["identifier"], "https://orders.example/");
    assert!(
        srv.ok(&["apis", "list"])
            .contains("read:orders write:orders")
    );
    let grant = srv.json(&[
        "grants",
        "create",
        "--app",
        &id,
        "--audience",
        "https://orders.example/",
        "--scope",
        "read:orders",
    ]);
    assert!(
        srv.ok(&["grants", "list"])
            .contains(grant["id"].as_str().unwrap())
    );

    let token = srv.ok(&[
        "token",
        "--audience",
        "https://orders.example/",
        "--client-id",
        &id,
        "--client-secret",
        &secret,
    ]);
    let token = token.trim();
    let decoded = srv.json(&["jwt", "decode", token, "--verify"]);
    assert_eq!(decoded["verification"]["signature"], "valid");
    assert_eq!(decoded["payload"]["aud"], "https://orders.example/");
    assert_eq!(decoded["payload"]["scope"], "read:orders");
    let human = srv.ok(&["jwt", "decode", token]);
    assert!(human.contains("signature: not checked"), "{human}");

    let rotated = srv.json(&["apps", "rotate-secret", &id]);
    assert_ne!(rotated["client_secret"].as_str().unwrap(), secret);
    let out = srv.cli(&[
        "token",
        "--audience",
        "https://orders.example/",
        "--client-id",
        &id,
        "--client-secret",
        &secret,
    ]);
    assert_eq!(out.status.code(), Some(1));
    assert!(stderr(&out).contains("HTTP 401"), "{}", stderr(&out));

    assert!(
        srv.ok(&["grants", "delete", grant["id"].as_str().unwrap()])
            .contains("deleted grant")
    );
    assert!(
        srv.ok(&["apps", "delete", &id])
            .contains("deleted application")
    );
    let out = srv.cli(&["apps", "show", &id]);
    assert_eq!(out.status.code(), Some(1));
    assert!(
        stderr(&out).contains("HTTP 404") && stderr(&out).contains("does not exist"),
        "{}",
        stderr(&out)
    );
}

#[test]
fn cli_manages_users_rotates_and_revokes_keys_and_tails_logs() {
    let srv = ServerProcess::start(&[], Stdio::null());
    let user = srv.json(&[
        "users",
        "create",
        "--email",
        "ada@example.com",
        "--password",
        "Passw0rd-long",
        "--name",
        "Ada",
    ]);
    let uid = user["user_id"].as_str().unwrap().to_string();
    assert!(srv.ok(&["users", "list"]).contains("ada@example.com"));
    assert_eq!(srv.json(&["users", "block", &uid])["blocked"], true);
    assert_eq!(srv.json(&["users", "unblock", &uid])["blocked"], false);
    // `unblock` also lifts a brute-force block, at once (issue 12).
    let app = srv.json(&[
        "apps",
        "create",
        "--name",
        "Legacy",
        "--type",
        "regular_web",
        "--data",
        r#"{"grant_types": ["password"]}"#,
    ]);
    let (id, secret) = (
        app["client_id"].as_str().unwrap(),
        app["client_secret"].as_str().unwrap(),
    );
    let password_grant = |password: &str| -> String {
        let out = std::process::Command::new("curl")
            .args(["-s", "-o", "/dev/null", "-w", "%{http_code}"])
            .arg(format!("{}oauth/token", srv.url))
            .args([
                "-d",
                "grant_type=password",
                "-d",
                &format!("client_id={id}"),
            ])
            .args(["-d", &format!("client_secret={secret}")])
            .args(["-d", "username=ada@example.com", "-d"])
            .arg(format!("password={password}"))
            .output()
            .unwrap();
        String::from_utf8_lossy(&out.stdout).to_string()
    };
    for _ in 0..10 {
        assert_eq!(password_grant("Wr0ng-guess"), "403");
    }
    assert_eq!(password_grant("Passw0rd-long"), "429", "blocked");
    srv.ok(&["users", "unblock", &uid]);
    assert_eq!(password_grant("Passw0rd-long"), "200", "unblocked at once");
    let weak = srv.cli(&["users", "set-password", &uid, "--password", "short"]);
    assert_eq!(weak.status.code(), Some(1));
    assert!(stderr(&weak).contains("HTTP 400"), "{}", stderr(&weak));
    srv.ok(&[
        "users",
        "set-password",
        &uid,
        "--password",
        "An0ther-Passw0rd",
    ]);

    let keys = srv.json(&["keys", "list"]);
    let current = keys
        .as_array()
        .unwrap()
        .iter()
        .find(|k| k["current"] == true)
        .unwrap()["kid"]
        .as_str()
        .unwrap()
        .to_string();
    let next = keys
        .as_array()
        .unwrap()
        .iter()
        .find(|k| k["next"] == true)
        .unwrap()["kid"]
        .as_str()
        .unwrap()
        .to_string();
    let audience = format!("{}api/v2/", srv.url);
    let before = srv
        .ok(&["token", "--audience", &audience])
        .trim()
        .to_string();
    assert_eq!(
        srv.json(&["jwt", "decode", &before])["header"]["kid"],
        current.as_str()
    );
    let rotated = srv.ok(&["keys", "rotate"]);
    assert!(rotated.contains(&next), "the next key now signs: {rotated}");
    let after = srv
        .ok(&["token", "--audience", &audience])
        .trim()
        .to_string();
    assert_eq!(
        srv.json(&["jwt", "decode", &after])["header"]["kid"],
        next.as_str()
    );
    assert_eq!(
        srv.json(&["jwt", "decode", &before, "--verify"])["verification"]["signature"],
        "valid"
    );
    let table = srv.ok(&["keys", "list"]);
    assert!(
        table.contains("previous") && table.contains(&current),
        "{table}"
    );
    let refused = srv.cli(&["keys", "revoke", &next]);
    assert_eq!(refused.status.code(), Some(1));
    assert!(
        stderr(&refused).contains("Only the previous signing key"),
        "{}",
        stderr(&refused)
    );
    assert!(srv.ok(&["keys", "revoke", &current]).contains("revoked"));
    let out = srv.cli(&["jwt", "decode", &before, "--verify"]);
    assert_eq!(out.status.code(), Some(1));
    assert!(stderr(&out).contains("not published"), "{}", stderr(&out));

    let tail = srv.ok(&["logs", "tail", "--limit", "50"]);
    assert!(
        tail.contains("sapi") && tail.contains("Signing keys rotated"),
        "{tail}"
    );
    let json_lines = srv.ok(&["logs", "tail", "--type", "sapi", "--json"]);
    for line in json_lines.lines() {
        let v: Value = serde_json::from_str(line).unwrap();
        assert_eq!(v["type"], "sapi");
    }
    // --follow prints events that happen after it started.
    let mut follow = Command::new(BIN)
        .args([
            "logs",
            "tail",
            "--follow",
            "--interval",
            "1",
            "--limit",
            "1",
            "--type",
            "sapi",
            "--url",
            &srv.url,
            "--data-dir",
        ])
        .arg(srv.dir.path())
        .env_clear()
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let stdout = follow.stdout.take().unwrap();
    let (tx, rx) = std::sync::mpsc::channel::<String>();
    std::thread::spawn(move || {
        for line in BufReader::new(stdout).lines().map_while(Result::ok) {
            if tx.send(line).is_err() {
                break;
            }
        }
    });
    std::thread::sleep(Duration::from_millis(1500));
    srv.ok(&["users", "delete", &uid]);
    srv.ok(&["keys", "rotate"]);
    let deadline = Instant::now() + Duration::from_secs(10);
    let mut seen = Vec::new();
    while Instant::now() < deadline {
        match rx.recv_timeout(Duration::from_millis(200)) {
            Ok(line) => seen.push(line),
            Err(_) if seen.len() >= 3 => break,
            Err(_) => {}
        }
    }
    let _ = follow.kill();
    let _ = follow.wait();
    // The latest event from before it started (--limit 1: the revocation),
    // then the rotation that happened while it followed.
    assert!(seen.len() >= 2, "follow printed: {seen:?}");
    assert!(seen[0].contains("Signing key revoked"), "{seen:?}");
    // Each event once, in order (issue 13: it used to re-print older ones).
    let unique: std::collections::HashSet<&String> = seen.iter().collect();
    assert_eq!(unique.len(), seen.len(), "{seen:?}");
    let deleted = seen.iter().position(|l| l.contains("Delete a user"));
    let rotated = seen.iter().position(|l| l.contains("Signing keys rotated"));
    assert!(deleted.is_some() && deleted < rotated, "{seen:?}");
    assert!(
        seen[1..].iter().any(|l| l.contains("Signing keys rotated")),
        "{seen:?}"
    );
}

#[test]
fn cli_errors_name_what_to_fix() {
    let dir = tempfile::tempdir().unwrap();
    let closed = format!("http://127.0.0.1:{}/", free_port());
    let out = cli_alone(
        &[
            "apps",
            "list",
            "--url",
            &closed,
            "--client-id",
            "x",
            "--client-secret",
            "y",
        ],
        dir.path(),
    );
    assert_eq!(out.status.code(), Some(1));
    assert!(
        stderr(&out).contains("cannot reach") && stderr(&out).contains("portcullis serve"),
        "{}",
        stderr(&out)
    );
    // A kid may begin with `-` (base64url): it is the kid, not a flag, so the
    // command gets as far as the server (unreachable here: exit 1, not 2).
    let out = cli_alone(
        &[
            "keys",
            "revoke",
            "-a6TixoZ",
            "--url",
            &closed,
            "--client-id",
            "x",
            "--client-secret",
            "y",
        ],
        dir.path(),
    );
    assert_eq!(out.status.code(), Some(1), "{}", stderr(&out));
    // So may a generated client secret.
    let out = cli_alone(
        &[
            "apps",
            "list",
            "--url",
            &closed,
            "--client-id",
            "x",
            "--client-secret",
            "-k4m0H2zBjNOUnFVe",
        ],
        dir.path(),
    );
    assert_eq!(out.status.code(), Some(1), "{}", stderr(&out));
    let out = cli_alone(
        &["apps", "list", "--data-dir", "/nonexistent-portcullis"],
        dir.path(),
    );
    assert_eq!(out.status.code(), Some(2));
    assert!(
        stderr(&out).contains("no admin credentials") && stderr(&out).contains("--client-id"),
        "{}",
        stderr(&out)
    );
    let out = cli_alone(&["apps", "list", "--client-id", "only-the-id"], dir.path());
    assert_eq!(out.status.code(), Some(2));
    assert!(stderr(&out).contains("--client-secret"), "{}", stderr(&out));
    let out = cli_alone(&["jwt", "decode", "not-a-token"], dir.path());
    assert_eq!(out.status.code(), Some(2));
    assert!(stderr(&out).contains("not a JWT"), "{}", stderr(&out));
    let out = cli_alone(&["apps", "create"], dir.path());
    assert_eq!(out.status.code(), Some(2), "clap names the missing --name");
    assert!(stderr(&out).contains("--name"));

    let out = cli_alone(&["init"], dir.path());
    assert!(out.status.success(), "{}", stderr(&out));
    let config = std::fs::read_to_string(dir.path().join("portcullis.toml")).unwrap();
    assert!(config.contains("secret_key = \"") && config.contains("# The public URL"));
    let again = cli_alone(&["init"], dir.path());
    assert_eq!(again.status.code(), Some(2));
    assert!(stderr(&again).contains("--force"));
    let migrate = cli_alone(&["--config", "portcullis.toml", "migrate"], dir.path());
    assert!(
        migrate.status.success(),
        "the written config is valid: {}",
        stderr(&migrate)
    );

    let bash = cli_alone(&["completions", "bash"], dir.path());
    assert!(String::from_utf8_lossy(&bash.stdout).contains("_portcullis"));
    for group in [
        "apps", "apis", "grants", "users", "keys", "logs", "jwt", "token", "serve",
    ] {
        let help = cli_alone(&[group, "--help"], dir.path());
        assert!(help.status.success(), "{group} --help");
        assert!(
            String::from_utf8_lossy(&help.stdout).contains("Usage"),
            "{group}"
        );
    }
}

/// Issue 13: a subcommand's help lists its own options first, the server
/// settings apart under their own heading; passwords come from standard input
/// when not given as a flag; `completions` survives a reader that stops early.
#[test]
fn cli_help_passwords_and_completions_behave() {
    let help = cli_alone(&["apps", "list", "--help"], std::path::Path::new("/"));
    let text = String::from_utf8_lossy(&help.stdout).to_string();
    let options = text
        .split("Options:")
        .nth(1)
        .and_then(|rest| rest.split("Server settings").next())
        .unwrap_or_default();
    assert!(!options.contains("--bind"), "server flags apart: {text}");
    assert!(text.contains("Server settings"), "{text}");
    let srv = ServerProcess::start(&[], Stdio::null());
    let mut child = Command::new(BIN)
        .args([
            "users",
            "create",
            "--email",
            "stdin@example.com",
            "--json",
            "--url",
            &srv.url,
            "--data-dir",
        ])
        .arg(srv.dir.path())
        .env_clear()
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    {
        use std::io::Write;
        child
            .stdin
            .take()
            .unwrap()
            .write_all(b"Passw0rd-from-stdin\n")
            .unwrap();
    }
    let out = child.wait_with_output().unwrap();
    assert!(out.status.success(), "{}", stderr(&out));
    let uid = serde_json::from_slice::<Value>(&out.stdout).unwrap()["user_id"]
        .as_str()
        .unwrap()
        .to_string();
    assert!(!uid.is_empty());
    // `jwt decode --verify` trusts the configured issuer, never the token's own
    // `iss`: a token from this server does not verify for another issuer.
    let token = srv.ok(&["token", "--audience", &format!("{}api/v2/", srv.url)]);
    let token = token.split_whitespace().last().unwrap().to_string();
    let elsewhere = Command::new(BIN)
        .args(["jwt", "decode", &token, "--verify"])
        .env_clear()
        .env(
            "PORTCULLIS_ISSUER",
            format!("http://127.0.0.1:{}/", free_port()),
        )
        .output()
        .unwrap();
    assert_eq!(elsewhere.status.code(), Some(1), "{}", stderr(&elsewhere));
    let here = Command::new(BIN)
        .args(["jwt", "decode", &token, "--verify"])
        .env_clear()
        .env("PORTCULLIS_ISSUER", &srv.url)
        .output()
        .unwrap();
    assert!(here.status.success(), "{}", stderr(&here));
    let sh = Command::new("sh")
        .arg("-c")
        .arg(format!(
            "{BIN} completions bash | head -c 10 >/dev/null; echo $?"
        ))
        .output()
        .unwrap();
    assert!(
        !String::from_utf8_lossy(&sh.stderr).contains("panicked"),
        "{}",
        String::from_utf8_lossy(&sh.stderr)
    );
}

/// Issue 13: a TLS failure says it is one, and how to trust a private CA;
/// `--ca-cert` does.
#[test]
fn cli_tls_errors_say_so_and_ca_cert_trusts_a_private_ca() {
    let _ = rustls::crypto::aws_lc_rs::default_provider().install_default();
    let certs = tempfile::tempdir().unwrap();
    let cert =
        rcgen::generate_simple_self_signed(vec!["127.0.0.1".to_string(), "localhost".to_string()])
            .unwrap();
    let (cert_path, key_path) = (certs.path().join("cert.pem"), certs.path().join("key.pem"));
    std::fs::write(&cert_path, cert.cert.pem()).unwrap();
    std::fs::write(&key_path, cert.signing_key.serialize_pem()).unwrap();
    let srv = ServerProcess::start(
        &[
            ("PORTCULLIS_TLS_CERT", cert_path.to_str().unwrap()),
            ("PORTCULLIS_TLS_KEY", key_path.to_str().unwrap()),
        ],
        Stdio::null(),
    );
    let https = srv.url.replace("http://", "https://");
    let run = |extra: &[&str]| {
        Command::new(BIN)
            .args(["health", "--url", &https])
            .args(extra)
            .env_clear()
            .output()
            .unwrap()
    };
    let untrusted = run(&[]);
    assert_eq!(untrusted.status.code(), Some(1));
    let err = stderr(&untrusted);
    assert!(
        err.contains("TLS error") && err.contains("--ca-cert"),
        "{err}"
    );
    let trusted = run(&["--ca-cert", cert_path.to_str().unwrap()]);
    assert!(trusted.status.success(), "{}", stderr(&trusted));
}

/// `portcullis roles`: a role made, given permissions of an API and a user,
/// listed, taken back and deleted; a permission the API does not define is
/// refused with the API's message.
#[test]
fn cli_manages_roles_their_permissions_and_users() {
    let srv = ServerProcess::start(&[], Stdio::null());
    srv.json(&[
        "apis",
        "create",
        "--identifier",
        "https://orders.example/",
        "--name",
        "Orders",
        "--scope",
        "read:orders",
    ]);
    let user = srv.json(&[
        "users",
        "create",
        "--email",
        "ada@example.com",
        "--password",
        "Passw0rd-long",
    ]);
    let uid = user["user_id"].as_str().unwrap().to_string();
    let role = srv.json(&[
        "roles",
        "create",
        "--name",
        "Clerk",
        "--description",
        "Sees orders",
    ]);
    let id = role["id"].as_str().unwrap().to_string();
    assert!(id.starts_with("rol_"), "{role}");
    srv.ok(&[
        "roles",
        "add-permission",
        &id,
        "--api",
        "https://orders.example/",
        "--permission",
        "read:orders",
    ]);
    let bad = srv.cli(&[
        "roles",
        "add-permission",
        &id,
        "--api",
        "https://orders.example/",
        "--permission",
        "fly:orders",
    ]);
    assert!(!bad.status.success());
    assert!(stderr(&bad).contains("fly:orders"), "{}", stderr(&bad));
    let perms = srv.ok(&["roles", "permissions", &id]);
    assert!(perms.contains("read:orders"), "{perms}");
    srv.ok(&["roles", "assign", &id, "--user", &uid]);
    assert!(srv.ok(&["roles", "users", &id]).contains("ada@example.com"));
    assert!(srv.ok(&["roles", "of-user", &uid]).contains("Clerk"));
    assert!(
        srv.ok(&["roles", "list", "--name", "cler"])
            .contains("Clerk")
    );
    srv.ok(&["roles", "unassign", &id, "--user", &uid]);
    assert_eq!(srv.json(&["roles", "of-user", &uid]), serde_json::json!([]));
    srv.ok(&["roles", "delete", &id]);
    assert_eq!(srv.json(&["roles", "list"]), serde_json::json!([]));
}

/// `portcullis settings` and `portcullis email-templates`: the tenant's
/// settings changed and shown; a template set from a file, shown, and refused
/// when its Liquid does not parse.
#[test]
fn cli_changes_tenant_settings_and_email_templates() {
    let srv = ServerProcess::start(&[], Stdio::null());
    let s = srv.json(&[
        "settings",
        "update",
        "--data",
        r#"{"session_lifetime": 24, "friendly_name": "Shop"}"#,
    ]);
    assert_eq!(s["session_lifetime"], 24.0, "{s}");
    assert!(srv.ok(&["settings", "show"]).contains("Shop"));
    let bad = srv.cli(&["settings", "update", "--data", r#"{"session_lifetime": 0}"#]);
    assert!(!bad.status.success());
    assert!(
        stderr(&bad).contains("session_lifetime"),
        "{}",
        stderr(&bad)
    );

    let dir = tempfile::tempdir().unwrap();
    let body = dir.path().join("verify.html");
    std::fs::write(
        &body,
        "<p>Hello {{ user.email }}: <a href=\"{{ url }}\">verify</a></p>",
    )
    .unwrap();
    let t = srv.json(&[
        "email-templates",
        "set",
        "verify_email",
        "--from",
        "Shop <hello@shop.example>",
        "--subject",
        "Verify for {{ application.name }}",
        "--body-file",
        body.to_str().unwrap(),
    ]);
    assert_eq!(t["enabled"], true, "{t}");
    assert!(
        srv.ok(&["email-templates", "show", "verify_email"])
            .contains("hello@shop.example")
    );
    std::fs::write(&body, "{% if %}").unwrap();
    let bad = srv.cli(&[
        "email-templates",
        "set",
        "verify_email",
        "--from",
        "a@b.example",
        "--subject",
        "s",
        "--body-file",
        body.to_str().unwrap(),
    ]);
    assert!(!bad.status.success());
    assert!(stderr(&bad).contains("Liquid"), "{}", stderr(&bad));
}

/// `portcullis email-provider`: set up from flags with the password read from
/// a file (never an argument), shown without the password, changed in part
/// (the password kept), refused with the field named when a value is wrong
/// (nothing changed), removed.
#[test]
fn cli_sets_shows_changes_and_removes_the_email_provider() {
    let srv = ServerProcess::start(&[], Stdio::null());
    let dir = tempfile::tempdir().unwrap();
    let pass = dir.path().join("smtp-pass");
    std::fs::write(&pass, "relay-s3cret\n").unwrap();
    let p = srv.json(&[
        "email-provider",
        "set",
        "--host",
        "127.0.0.1",
        "--port",
        "2525",
        "--user",
        "relay",
        "--password-file",
        pass.to_str().unwrap(),
        "--from",
        "mail@shop.example",
    ]);
    assert_eq!(p["credentials"]["smtp_host"], "127.0.0.1", "{p}");
    assert_eq!(p["enabled"], true);
    let shown = srv.ok(&["email-provider", "show"]);
    assert!(shown.contains("mail@shop.example"), "{shown}");
    assert!(!shown.contains("relay-s3cret"), "{shown}");
    let changed = srv.json(&["email-provider", "set", "--port", "2526", "--disabled"]);
    assert_eq!(changed["credentials"]["smtp_port"], 2526, "{changed}");
    assert_eq!(
        changed["credentials"]["smtp_host"], "127.0.0.1",
        "{changed}"
    );
    assert_eq!(changed["enabled"], false);
    let bad = srv.cli(&[
        "email-provider",
        "set",
        "--host",
        "smtp.example.com",
        "--port",
        "0",
    ]);
    assert!(!bad.status.success());
    assert!(stderr(&bad).contains("smtp_port"), "{}", stderr(&bad));
    let shown = srv.json(&["email-provider", "show"]);
    assert_eq!(
        shown["credentials"]["smtp_host"], "127.0.0.1",
        "nothing changed"
    );
    srv.ok(&["email-provider", "remove"]);
    let gone = srv.cli(&["email-provider", "show"]);
    assert!(!gone.status.success());
    assert!(stderr(&gone).contains("404"), "{}", stderr(&gone));
}
