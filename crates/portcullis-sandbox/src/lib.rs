//! Customer code, run safely: Auth0 Actions (`exports.onExecutePostLogin`,
//! `exports.onExecuteCredentialsExchange`) and legacy Rules
//! (`function (user, context, callback)`) in an embedded QuickJS.
//!
//! Invariants:
//! - A script sees only a JSON copy of its input and an `api`/`context` that
//!   records requests; the engine has no `std`/`os` modules, no loader, no timers,
//!   no network, no file system.
//! - Every execution gets a fresh runtime with a memory limit, a stack limit, an
//!   interrupt deadline (infinite loops stop), and runs on its own OS thread; the
//!   caller stops waiting at the deadline plus a grace period and fails closed,
//!   even if a native builtin ignores the interrupt.
//! - Results are returned as JSON of bounded size.

use std::sync::mpsc;
use std::time::{Duration, Instant};

use rquickjs::{Context, Runtime};
use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};

const HARNESS: &str = include_str!("harness.js");

/// Limits of one execution.
#[derive(Debug, Clone, Copy)]
pub struct Limits {
    /// Wall-clock budget (Auth0's is 20 s for Actions; ours defaults to 5 s).
    pub timeout: Duration,
    pub memory_bytes: usize,
    /// The largest result (claims, metadata) a script may return, in bytes of JSON.
    pub max_output_bytes: usize,
}

impl Default for Limits {
    fn default() -> Self {
        Self {
            timeout: Duration::from_secs(5),
            memory_bytes: 32 * 1024 * 1024,
            max_output_bytes: 100 * 1024,
        }
    }
}

/// What kind of script, and so how it is called.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Trigger {
    /// An Action's `exports.onExecutePostLogin(event, api)`.
    PostLogin,
    /// An Action's `exports.onExecuteCredentialsExchange(event, api)`.
    CredentialsExchange,
    /// A Rule: `function (user, context, callback)`; the input has `user` and
    /// `context`.
    Rule,
}

/// What a script asked for.
#[derive(Debug, Clone, Default, PartialEq, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Outcome {
    pub id_token: Map<String, Value>,
    pub access_token: Map<String, Value>,
    pub add_scopes: Vec<String>,
    pub remove_scopes: Vec<String>,
    /// `api.access.deny(reason)` or a Rule's `callback(new UnauthorizedError(…))`.
    pub deny: Option<String>,
    pub user_metadata: Map<String, Value>,
    pub app_metadata: Map<String, Value>,
    /// A Rule's `context.jwtConfiguration.lifetimeInSeconds`.
    pub lifetime: Option<i64>,
    /// A Rule's `context.jwtConfiguration.scopes` / `context.accessToken.scope`.
    pub scopes: Option<Value>,
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ScriptError {
    #[error("the script does not compile: {0}")]
    Compile(String),
    #[error("the script threw: {0}")]
    Threw(String),
    #[error("the script ran longer than {0:?}")]
    Timeout(Duration),
    #[error("the script used more than its memory limit")]
    OutOfMemory,
    #[error("the script's result is larger than {0} bytes")]
    OutputTooLarge(usize),
    #[error("the script never finished (a promise that never settles)")]
    Unsettled,
    #[error("the sandbox failed: {0}")]
    Internal(String),
}

fn wrapped(trigger: Trigger, script: &str) -> String {
    match trigger {
        // The user's code runs in its own function scope, so its top-level names
        // cannot clash with the harness.
        Trigger::PostLogin | Trigger::CredentialsExchange => {
            format!("(function (exports, module, require) {{\n{script}\n}})")
        }
        Trigger::Rule => format!("(\n{script}\n)"),
    }
}

fn driver(trigger: Trigger) -> &'static str {
    match trigger {
        Trigger::PostLogin => {
            r#"const __exports = {}; __user(__exports, { exports: __exports }, undefined);
Promise.resolve().then(() => {
  const f = __exports.onExecutePostLogin;
  if (typeof f !== "function") throw new TypeError("the action does not export onExecutePostLogin");
  return f(JSON.parse(__input), api);
}).then(() => { __out.done = true; }, __fail);"#
        }
        Trigger::CredentialsExchange => {
            r#"const __exports = {}; __user(__exports, { exports: __exports }, undefined);
Promise.resolve().then(() => {
  const f = __exports.onExecuteCredentialsExchange;
  if (typeof f !== "function") throw new TypeError("the action does not export onExecuteCredentialsExchange");
  return f(JSON.parse(__input), api);
}).then(() => { __out.done = true; }, __fail);"#
        }
        Trigger::Rule => {
            r#"const __in = JSON.parse(__input);
const __ctx = __in.context || {};
__ctx.idToken = {}; __ctx.accessToken = {};
__ctx.jwtConfiguration = __ctx.jwtConfiguration || {};
new Promise((resolve, reject) => {
  __user(__in.user || {}, __ctx, (err, _user, ctx) => err ? reject(err) : resolve(ctx || __ctx));
}).then((ctx) => {
  Object.assign(__out.idToken, ctx.idToken || {});
  const at = Object.assign({}, ctx.accessToken || {});
  if (at.scope !== undefined) { __out.scopes = at.scope; delete at.scope; }
  Object.assign(__out.accessToken, at);
  const jc = ctx.jwtConfiguration || {};
  if (jc.lifetimeInSeconds !== undefined) __out.lifetime = Number(jc.lifetimeInSeconds);
  if (jc.scopes !== undefined && __out.scopes === null) __out.scopes = jc.scopes;
  __out.done = true;
}, (e) => {
  if (e instanceof UnauthorizedError || (e && e.name === "UnauthorizedError")) {
    __out.deny = e.message; __out.done = true;
  } else { __fail(e); }
});"#
        }
    }
}

/// Checks that `script` compiles, with the engine's message and line number.
pub fn check(trigger: Trigger, script: &str) -> Result<(), ScriptError> {
    let rt = Runtime::new().map_err(|e| ScriptError::Internal(e.to_string()))?;
    rt.set_memory_limit(8 * 1024 * 1024);
    let ctx = Context::full(&rt).map_err(|e| ScriptError::Internal(e.to_string()))?;
    ctx.with(|ctx| {
        ctx.eval::<rquickjs::Value, _>(wrapped(trigger, script))
            .map(|_| ())
            .map_err(|e| ScriptError::Compile(describe(&ctx, e)))
    })
}

/// The exception as "Name: message (line N)" when the engine says where.
fn describe(ctx: &rquickjs::Ctx<'_>, e: rquickjs::Error) -> String {
    if !matches!(e, rquickjs::Error::Exception) {
        return e.to_string();
    }
    let caught = ctx.catch();
    if let Some(ex) = caught.as_exception() {
        let message = ex.message().unwrap_or_default();
        let line = ex.stack().and_then(|s| {
            s.lines()
                .find_map(|l| l.rsplit(':').nth(1).and_then(|n| n.parse::<u32>().ok()))
        });
        // The user's code starts on line 2 of the wrapper.
        return match line {
            Some(n) if n > 1 => format!("{message} (line {})", n - 1),
            _ => message,
        };
    }
    caught
        .as_string()
        .and_then(|s| s.to_string().ok())
        .unwrap_or_else(|| "unknown error".into())
}

/// Runs `script` for `trigger` with `input` (Auth0's `event`, or for a Rule
/// `{user, context}`), within `limits`. Blocks the calling thread; call it from a
/// blocking pool, never an async worker.
pub fn run(
    trigger: Trigger,
    script: &str,
    input: &Value,
    limits: Limits,
) -> Result<Outcome, ScriptError> {
    let (tx, rx) = mpsc::channel();
    let (script, input) = (script.to_string(), input.to_string());
    std::thread::Builder::new()
        .name("portcullis-script".into())
        .stack_size(4 * 1024 * 1024)
        .spawn(move || {
            let _ = tx.send(execute(trigger, &script, &input, limits));
        })
        .map_err(|e| ScriptError::Internal(e.to_string()))?;
    // The interrupt handler stops JavaScript at the deadline; some native builtins
    // do not poll it, so the caller stops waiting shortly after regardless. The
    // thread is left to finish on its own and its result is dropped.
    match rx.recv_timeout(limits.timeout + Duration::from_millis(500)) {
        Ok(r) => r,
        Err(_) => Err(ScriptError::Timeout(limits.timeout)),
    }
}

fn execute(
    trigger: Trigger,
    script: &str,
    input: &str,
    limits: Limits,
) -> Result<Outcome, ScriptError> {
    let internal = |e: rquickjs::Error| ScriptError::Internal(e.to_string());
    let rt = Runtime::new().map_err(internal)?;
    rt.set_memory_limit(limits.memory_bytes);
    rt.set_max_stack_size(1024 * 1024);
    let deadline = Instant::now() + limits.timeout;
    rt.set_interrupt_handler(Some(Box::new(move || Instant::now() >= deadline)));
    let ctx = Context::full(&rt).map_err(internal)?;
    let classify = |message: String| -> ScriptError {
        if Instant::now() >= deadline || message.contains("interrupted") {
            ScriptError::Timeout(limits.timeout)
        } else if message.contains("out of memory") {
            ScriptError::OutOfMemory
        } else {
            ScriptError::Threw(message)
        }
    };
    ctx.with(|ctx| -> Result<(), ScriptError> {
        ctx.globals().set("__input", input).map_err(internal)?;
        ctx.eval::<(), _>(HARNESS).map_err(internal)?;
        let user: rquickjs::Value = ctx
            .eval(wrapped(trigger, script))
            .map_err(|e| ScriptError::Compile(describe(&ctx, e)))?;
        ctx.globals().set("__user", user).map_err(internal)?;
        ctx.eval::<(), _>(driver(trigger))
            .map_err(|e| classify(describe(&ctx, e)))
    })?;
    // Run the promise jobs (async functions, callbacks) until none is left.
    loop {
        match rt.execute_pending_job() {
            Ok(true) => {}
            Ok(false) => break,
            Err(job) => {
                let message = job.0.with(|ctx| describe(&ctx, rquickjs::Error::Exception));
                return Err(classify(message));
            }
        }
        if Instant::now() >= deadline {
            return Err(ScriptError::Timeout(limits.timeout));
        }
    }
    let json: String = ctx.with(|ctx| {
        ctx.eval::<String, _>("JSON.stringify(__out)")
            .map_err(|e| classify(describe(&ctx, e)))
    })?;
    if json.len() > limits.max_output_bytes {
        return Err(ScriptError::OutputTooLarge(limits.max_output_bytes));
    }
    #[derive(Deserialize)]
    struct Raw {
        done: bool,
        error: Option<String>,
        #[serde(flatten)]
        outcome: Outcome,
    }
    let raw: Raw = serde_json::from_str(&json).map_err(|e| ScriptError::Internal(e.to_string()))?;
    match (raw.done, raw.error) {
        (_, Some(e)) => Err(classify(e)),
        (false, None) => Err(ScriptError::Unsettled),
        (true, None) => Ok(raw.outcome),
    }
}

#[cfg(test)]
mod tests;
