//! The cost of customer code: `cargo bench -p portcullis-sandbox`.

use std::hint::black_box;
use std::time::{Duration, Instant};

use portcullis_sandbox::{Limits, Script, Trigger};
use serde_json::json;

const TWO_CLAIMS: &str = r#"exports.onExecutePostLogin = async (event, api) => {
  api.idToken.setCustomClaim("https://example.com/email", event.user.email);
  api.accessToken.setCustomClaim("https://example.com/plan", "gold");
};"#;

fn time<R>(name: &str, mut f: impl FnMut() -> R) {
    let warm = Instant::now();
    while warm.elapsed() < Duration::from_millis(200) {
        black_box(f());
    }
    let (start, mut n) = (Instant::now(), 0u64);
    while start.elapsed() < Duration::from_secs(2) {
        black_box(f());
        n += 1;
    }
    let per = start.elapsed().as_secs_f64() / n as f64;
    println!(
        "{name:<52} {:>10.1} µs/op {:>10.0} ops/s (one caller)",
        per * 1e6,
        1.0 / per
    );
}

fn main() {
    let event = json!({"user": {"email": "ada@example.com", "app_metadata": {}, "user_metadata": {}}, "client": {"name": "Shop"}});
    time("compile a two-claim action to bytecode", || {
        Script::compile(Trigger::PostLogin, TWO_CLAIMS).unwrap()
    });
    let script = Script::compile(Trigger::PostLogin, TWO_CLAIMS).unwrap();
    time(
        "run it (pooled thread, warm runtime, fresh context)",
        || script.run(&event, Limits::default()).unwrap(),
    );
    parts();
}

/// What the pool saves: a fresh runtime and context, and a thread per run.
fn parts() {
    time("  runtime + full context only", || {
        let rt = rquickjs::Runtime::new().unwrap();
        let ctx = rquickjs::Context::full(&rt).unwrap();
        drop(ctx);
    });
    time("  thread spawn + join only", || {
        std::thread::spawn(|| 1).join()
    });
}
