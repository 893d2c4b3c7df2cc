//! `portcullis` as a separate process: a server on its own port and data dir,
//! and CLI invocations against it, as an operator runs them.

use std::io::{BufRead, BufReader};
use std::process::{Child, Command, Output, Stdio};

pub const BIN: &str = env!("CARGO_BIN_EXE_portcullis");

/// A port that is free now, for a server that binds it itself later. Chosen
/// below the kernel's ephemeral range (32768 and up on Linux), where the
/// suite's own outgoing connections and `bind(…:0)` calls never land: a port
/// taken from that range could be handed to another test's client before the
/// server binds it (seen as AddrInUse in CI).
pub fn free_port() -> u16 {
    use std::sync::atomic::{AtomicU16, Ordering};
    // Spread processes apart; within one, never hand out a port twice.
    static NEXT: AtomicU16 = AtomicU16::new(0);
    let start = 20_000 + (std::process::id() % 500) as u16 * 20;
    loop {
        let port = start + NEXT.fetch_add(1, Ordering::Relaxed) % 10_000;
        let port = 20_000 + (port - 20_000) % 12_000;
        if std::net::TcpListener::bind(("127.0.0.1", port)).is_ok() {
            return port;
        }
    }
}

/// A `portcullis serve` process on SQLite in a temporary data dir.
pub struct ServerProcess {
    pub child: Child,
    pub url: String,
    pub dir: tempfile::TempDir,
    /// Kept open so the server's later stdout writes (the audit stream) do
    /// not meet a closed pipe.
    pub stdout: BufReader<std::process::ChildStdout>,
    port: u16,
    env: Vec<(String, String)>,
}

impl Drop for ServerProcess {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

impl ServerProcess {
    /// Starts it with `env` added and waits for its start-up line.
    pub fn start(env: &[(&str, &str)], stderr: Stdio) -> Self {
        Self::start_at(free_port(), env, stderr)
    }

    /// Like `start`, on `port` (for settings that must name it, such as an
    /// issuer with a path).
    pub fn start_at(port: u16, env: &[(&str, &str)], stderr: Stdio) -> Self {
        let dir = tempfile::tempdir().unwrap();
        let env: Vec<(String, String)> = env
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect();
        Self::spawn(dir, port, env, stderr)
    }

    fn spawn(dir: tempfile::TempDir, port: u16, env: Vec<(String, String)>, stderr: Stdio) -> Self {
        let mut cmd = Command::new(BIN);
        cmd.arg("serve")
            .env_clear()
            .env("PATH", std::env::var("PATH").unwrap_or_default())
            .env("PORTCULLIS_BIND", format!("127.0.0.1:{port}"))
            .env("PORTCULLIS_ISSUER", format!("http://127.0.0.1:{port}/"))
            .env("PORTCULLIS_DATA_DIR", dir.path())
            .stdout(Stdio::piped())
            .stderr(stderr);
        for (k, v) in &env {
            cmd.env(k, v);
        }
        let mut child = cmd.spawn().expect("portcullis starts");
        let mut line = String::new();
        let mut stdout = BufReader::new(child.stdout.take().unwrap());
        stdout.read_line(&mut line).unwrap();
        assert!(line.contains("listening"), "did not start: {line:?}");
        Self {
            child,
            url: format!("http://127.0.0.1:{port}/"),
            dir,
            stdout,
            port,
            env,
        }
    }

    /// `kill -9`: no shutdown, no flush, nothing but what was committed.
    pub fn kill9(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }

    /// Starts again on the same port, data dir and settings.
    pub fn restart(mut self) -> Self {
        self.kill9();
        let dir = std::mem::replace(&mut self.dir, tempfile::tempdir().unwrap());
        let env = std::mem::take(&mut self.env);
        Self::spawn(dir, self.port, env, Stdio::null())
    }

    /// Starts again on the same port and data dir with `extra` settings added
    /// (or replaced).
    pub fn restart_with(mut self, extra: &[(&str, &str)]) -> Self {
        self.kill9();
        let dir = std::mem::replace(&mut self.dir, tempfile::tempdir().unwrap());
        let mut env = std::mem::take(&mut self.env);
        for (k, v) in extra {
            env.retain(|(ek, _)| ek != k);
            env.push((k.to_string(), v.to_string()));
        }
        Self::spawn(dir, self.port, env, Stdio::null())
    }

    /// Runs `portcullis <args>` against this server (its URL and data dir, so
    /// the administrator's credentials come from admin-credentials.json).
    pub fn cli(&self, args: &[&str]) -> Output {
        Command::new(BIN)
            .args(args)
            .arg("--url")
            .arg(&self.url)
            .arg("--data-dir")
            .arg(self.dir.path())
            .env_clear()
            .env("PATH", std::env::var("PATH").unwrap_or_default())
            .output()
            .expect("the CLI runs")
    }

    /// Like `cli`, asserting success; returns stdout.
    pub fn ok(&self, args: &[&str]) -> String {
        let out = self.cli(args);
        assert!(
            out.status.success(),
            "portcullis {args:?} failed ({}): {}{}",
            out.status,
            String::from_utf8_lossy(&out.stderr),
            String::from_utf8_lossy(&out.stdout)
        );
        String::from_utf8(out.stdout).unwrap()
    }

    /// `ok` with `--json`, parsed.
    pub fn json(&self, args: &[&str]) -> serde_json::Value {
        let mut a = args.to_vec();
        a.push("--json");
        let out = self.ok(&a);
        serde_json::from_str(&out).unwrap_or_else(|e| panic!("{args:?}: {e}: {out}"))
    }
}

/// Runs `portcullis <args>` with no server or credentials around.
pub fn cli_alone(args: &[&str], cwd: &std::path::Path) -> Output {
    Command::new(BIN)
        .args(args)
        .current_dir(cwd)
        .env_clear()
        .env("PATH", std::env::var("PATH").unwrap_or_default())
        .output()
        .expect("the CLI runs")
}
