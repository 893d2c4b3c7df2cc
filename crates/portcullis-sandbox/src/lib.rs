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

use std::ffi::CString;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, OnceLock, mpsc};
use std::time::{Duration, Instant};

use rquickjs::{Context, Runtime, qjs};
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
    /// Script threads that may be alive at once in this process; beyond it a run
    /// is refused with [`ScriptError::Busy`] rather than queued.
    pub max_running: usize,
}

impl Default for Limits {
    fn default() -> Self {
        Self {
            timeout: Duration::from_secs(5),
            memory_bytes: 32 * 1024 * 1024,
            max_output_bytes: 100 * 1024,
            max_running: 64,
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
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Outcome {
    pub id_token: Map<String, Value>,
    pub access_token: Map<String, Value>,
    pub add_scopes: Vec<String>,
    pub remove_scopes: Vec<String>,
    /// `api.access.deny(reason)` or a Rule's `callback(new UnauthorizedError(…))`.
    pub deny: Option<String>,
    /// credentials-exchange's `api.access.deny(code, reason)`: `invalid_scope`,
    /// `invalid_request` or `server_error`.
    pub deny_code: Option<String>,
    pub user_metadata: Map<String, Value>,
    pub app_metadata: Map<String, Value>,
    /// A Rule's `context.jwtConfiguration.lifetimeInSeconds`.
    pub lifetime: Option<i64>,
    /// A Rule's `context.accessToken.scope`: the access token's scope.
    pub scopes: Option<Value>,
    /// A Rule's `context.jwtConfiguration.scopes`: the scopes whose profile
    /// claims go in the ID token.
    pub id_token_scopes: Option<Value>,
    /// What the script wrote with `console.log` (capped), for the test endpoint.
    pub logs: Vec<String>,
    /// `api.multifactor.enable(provider, options)` or a Rule's
    /// `context.multifactor`: `{provider, allowRememberBrowser}`.
    pub multifactor: Option<Value>,
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
    #[error("too many scripts are running; try again")]
    Busy,
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
// Rules share one context in turn: what an earlier rule put in the tokens is
// there for the next one, as in Auth0.
__ctx.idToken = __ctx.idToken || {}; __ctx.accessToken = __ctx.accessToken || {};
__ctx.jwtConfiguration = __ctx.jwtConfiguration || {};
globalThis.configuration = Object.freeze(__in.configuration || {});
new Promise((resolve, reject) => {
  __user(__in.user || {}, __ctx, (err, _user, ctx) => err ? reject(err) : resolve(ctx || __ctx));
}).then((ctx) => {
  if (ctx.multifactor) __out.multifactor = { provider: String(ctx.multifactor.provider || "any"), allowRememberBrowser: !!ctx.multifactor.allowRememberBrowser };
  Object.assign(__out.idToken, ctx.idToken || {});
  const at = Object.assign({}, ctx.accessToken || {});
  if (at.scope !== undefined) { __out.scopes = at.scope; delete at.scope; }
  Object.assign(__out.accessToken, at);
  const jc = ctx.jwtConfiguration || {};
  if (jc.lifetimeInSeconds !== undefined) __out.lifetime = Number(jc.lifetimeInSeconds);
  if (jc.scopes !== undefined) __out.idTokenScopes = jc.scopes;
  __out.done = true;
}, (e) => {
  if (e instanceof UnauthorizedError || (e && e.name === "UnauthorizedError")) {
    __out.deny = e.message; __out.done = true;
  } else { __fail(e); }
}).catch(__fail);"#
        }
    }
}

/// A script compiled once to QuickJS bytecode, ready to run many times. The
/// bytecode is made in this process from source and kept only in memory:
/// `JS_ReadObject` trusts its input, so bytecode is never read from storage.
#[derive(Clone)]
pub struct Script {
    trigger: Trigger,
    bytecode: Arc<[u8]>,
}

impl std::fmt::Debug for Script {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Script")
            .field("trigger", &self.trigger)
            .field("bytecode_len", &self.bytecode.len())
            .finish()
    }
}

impl Script {
    /// Compiles `source` for `trigger`; a syntax error comes back with the
    /// engine's message and line number.
    pub fn compile(trigger: Trigger, source: &str) -> Result<Script, ScriptError> {
        let bytecode = precompile(&wrapped(trigger, source), "script.js", true)?;
        Ok(Script {
            trigger,
            bytecode: bytecode.into(),
        })
    }

    pub fn trigger(&self) -> Trigger {
        self.trigger
    }

    /// Runs the script with `input` (Auth0's `event`, or for a Rule
    /// `{user, context, configuration}`) within `limits`, on a thread of its own.
    /// Blocks the caller until the result or the deadline; call it from a
    /// blocking pool, never an async worker.
    pub fn run(&self, input: &Value, limits: Limits) -> Result<Outcome, ScriptError> {
        // A bound on executions in progress, counting those stuck in a native
        // builtin after their caller gave up: they hold their slot until they end.
        if RUNNING.fetch_add(1, Ordering::AcqRel) >= limits.max_running {
            RUNNING.fetch_sub(1, Ordering::AcqRel);
            return Err(ScriptError::Busy);
        }
        let (reply, rx) = mpsc::channel();
        let job = Job {
            script: self.clone(),
            input: input.to_string(),
            limits,
            reply,
            _slot: Slot,
        };
        // A pooled thread with a warm runtime when one is free; otherwise a
        // thread of its own, so a burst (or stuck scripts) never queues others.
        let pool = pool();
        if pool.idle.load(Ordering::Acquire) > 0 {
            if let Err(mpsc::SendError(job)) = pool.jobs.send(job) {
                dedicated(job)?;
            }
        } else {
            dedicated(job)?;
        }
        // The interrupt handler stops JavaScript at the deadline; some native
        // builtins do not poll it, so the caller stops waiting shortly after
        // regardless. The execution is left to finish on its own and its result
        // is dropped.
        match rx.recv_timeout(limits.timeout + Duration::from_millis(500)) {
            Ok(r) => r,
            Err(_) => Err(ScriptError::Timeout(limits.timeout)),
        }
    }
}

/// One execution's claim on the bound; released when the execution ends.
struct Slot;

impl Drop for Slot {
    fn drop(&mut self) {
        RUNNING.fetch_sub(1, Ordering::AcqRel);
    }
}

struct Job {
    script: Script,
    input: String,
    limits: Limits,
    reply: mpsc::Sender<Result<Outcome, ScriptError>>,
    _slot: Slot,
}

/// Runs `job` on a new thread with a new runtime.
fn dedicated(job: Job) -> Result<(), ScriptError> {
    std::thread::Builder::new()
        .name("portcullis-script".into())
        .stack_size(4 * 1024 * 1024)
        .spawn(move || {
            let result = Runtime::new()
                .map_err(|e| ScriptError::Internal(e.to_string()))
                .and_then(|rt| execute(&rt, &job.script, &job.input, job.limits));
            let _ = job.reply.send(result);
        })
        .map(|_| ())
        .map_err(|e| ScriptError::Internal(e.to_string()))
}

/// Threads that keep a QuickJS runtime between executions. Every execution
/// still gets a fresh context (its own globals: nothing one script leaves
/// behind is visible to the next); the runtime (heap, atoms, GC) is reused
/// unless the execution timed out, ran out of memory or failed inside the
/// engine, in which case it is thrown away.
struct Pool {
    jobs: mpsc::Sender<Job>,
    idle: AtomicUsize,
}

const POOL_THREADS: usize = 4;

fn pool() -> &'static Pool {
    static POOL: OnceLock<Pool> = OnceLock::new();
    POOL.get_or_init(|| {
        let (jobs, rx) = mpsc::channel::<Job>();
        let rx = Arc::new(std::sync::Mutex::new(rx));
        for _ in 0..POOL_THREADS {
            let rx = Arc::clone(&rx);
            let _ = std::thread::Builder::new()
                .name("portcullis-script-pool".into())
                .stack_size(4 * 1024 * 1024)
                .spawn(move || worker(rx));
        }
        Pool {
            jobs,
            idle: AtomicUsize::new(POOL_THREADS),
        }
    })
}

fn worker(rx: Arc<std::sync::Mutex<mpsc::Receiver<Job>>>) {
    let mut warm: Option<Runtime> = None;
    loop {
        let job = {
            let Ok(guard) = rx.lock() else { return };
            match guard.recv() {
                Ok(job) => job,
                Err(_) => return,
            }
        };
        pool().idle.fetch_sub(1, Ordering::AcqRel);
        let rt = match warm.take().map(Ok).unwrap_or_else(Runtime::new) {
            Ok(rt) => rt,
            Err(e) => {
                let _ = job.reply.send(Err(ScriptError::Internal(e.to_string())));
                pool().idle.fetch_add(1, Ordering::AcqRel);
                continue;
            }
        };
        let result = execute(&rt, &job.script, &job.input, job.limits);
        let reusable = matches!(
            result,
            Ok(_) | Err(ScriptError::Threw(_) | ScriptError::OutputTooLarge(_))
        );
        let _ = job.reply.send(result);
        drop(job);
        if reusable {
            rt.run_gc();
            warm = Some(rt);
        }
        pool().idle.fetch_add(1, Ordering::AcqRel);
    }
}

static RUNNING: AtomicUsize = AtomicUsize::new(0);

/// Executions in progress now (running, or stuck past their deadline).
pub fn running() -> usize {
    RUNNING.load(Ordering::Acquire)
}

/// Checks that `script` compiles, with the engine's message and line number.
pub fn check(trigger: Trigger, script: &str) -> Result<(), ScriptError> {
    Script::compile(trigger, script).map(|_| ())
}

/// Compiles and runs `script` once (tests and the Management API's test endpoint).
pub fn run(
    trigger: Trigger,
    script: &str,
    input: &Value,
    limits: Limits,
) -> Result<Outcome, ScriptError> {
    Script::compile(trigger, script)?.run(input, limits)
}

/// Compiles JavaScript source to bytecode in a throwaway runtime.
fn precompile(source: &str, name: &str, user_code: bool) -> Result<Vec<u8>, ScriptError> {
    let internal = |e: rquickjs::Error| ScriptError::Internal(e.to_string());
    let rt = Runtime::new().map_err(internal)?;
    rt.set_memory_limit(16 * 1024 * 1024);
    let ctx = Context::full(&rt).map_err(internal)?;
    let source = CString::new(source)
        .map_err(|_| ScriptError::Compile("the script contains a NUL character".into()))?;
    let name = CString::new(name).map_err(|_| ScriptError::Internal("bad name".into()))?;
    ctx.with(|ctx| {
        let raw = ctx.as_raw().as_ptr();
        // SAFETY: `raw` is this context's live pointer; `source` is NUL-terminated
        // as JS_Eval requires; every value made here is freed before return.
        unsafe {
            let len = source.as_bytes().len();
            let flags = (qjs::JS_EVAL_TYPE_GLOBAL | qjs::JS_EVAL_FLAG_COMPILE_ONLY) as i32;
            let func = qjs::JS_Eval(raw, source.as_ptr(), len as _, name.as_ptr(), flags);
            if qjs::JS_VALUE_GET_TAG(func) == qjs::JS_TAG_EXCEPTION {
                let message = describe(&ctx, rquickjs::Error::Exception, user_code);
                return Err(if user_code {
                    ScriptError::Compile(message)
                } else {
                    ScriptError::Internal(message)
                });
            }
            let mut out_len = std::mem::MaybeUninit::<qjs::size_t>::uninit();
            let buf = qjs::JS_WriteObject(
                raw,
                out_len.as_mut_ptr(),
                func,
                qjs::JS_WRITE_OBJ_BYTECODE as i32,
            );
            qjs::JS_FreeValue(raw, func);
            if buf.is_null() {
                return Err(ScriptError::Internal("could not write bytecode".into()));
            }
            let bytes = std::slice::from_raw_parts(buf, out_len.assume_init() as usize).to_vec();
            qjs::js_free(raw, buf as _);
            Ok(bytes)
        }
    })
}

/// Evaluates bytecode made by [`precompile`] and returns its completion value.
fn eval_bytecode<'js>(
    ctx: &rquickjs::Ctx<'js>,
    bytecode: &[u8],
) -> rquickjs::Result<rquickjs::Value<'js>> {
    let raw = ctx.as_raw().as_ptr();
    // SAFETY: the bytes come from `precompile` in this process (never from
    // storage); JS_EvalFunction takes ownership of the function object and the
    // result is handed to rquickjs, which frees it.
    unsafe {
        let func = qjs::JS_ReadObject(
            raw,
            bytecode.as_ptr(),
            bytecode.len() as _,
            qjs::JS_READ_OBJ_BYTECODE as i32,
        );
        if qjs::JS_VALUE_GET_TAG(func) == qjs::JS_TAG_EXCEPTION {
            return Err(rquickjs::Error::Exception);
        }
        let v = qjs::JS_EvalFunction(raw, func);
        if qjs::JS_VALUE_GET_TAG(v) == qjs::JS_TAG_EXCEPTION {
            return Err(rquickjs::Error::Exception);
        }
        Ok(rquickjs::Value::from_raw(ctx.clone(), v))
    }
}

/// The harness and each trigger's driver, compiled once per process.
/// The harness's and a driver's bytecode.
type Prelude = (Vec<u8>, Vec<u8>);

fn prelude(trigger: Trigger) -> Result<&'static Prelude, ScriptError> {
    static CELLS: [OnceLock<Result<Prelude, ScriptError>>; 3] =
        [OnceLock::new(), OnceLock::new(), OnceLock::new()];
    let i = match trigger {
        Trigger::PostLogin => 0,
        Trigger::CredentialsExchange => 1,
        Trigger::Rule => 2,
    };
    CELLS[i]
        .get_or_init(|| {
            Ok((
                precompile(HARNESS, "harness.js", false)?,
                precompile(driver(trigger), "driver.js", false)?,
            ))
        })
        .as_ref()
        .map_err(Clone::clone)
}

/// The exception as "Name: message (line N)" when the engine says where.
fn describe(ctx: &rquickjs::Ctx<'_>, e: rquickjs::Error, user_code: bool) -> String {
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
            Some(n) if n > 1 && user_code => format!("{message} (line {})", n - 1),
            _ => message,
        };
    }
    caught
        .as_string()
        .and_then(|s| s.to_string().ok())
        .unwrap_or_else(|| "unknown error".into())
}

/// One execution in `rt`, in a fresh context.
fn execute(
    rt: &Runtime,
    script: &Script,
    input: &str,
    limits: Limits,
) -> Result<Outcome, ScriptError> {
    let internal = |e: rquickjs::Error| ScriptError::Internal(e.to_string());
    let (harness, driver) = prelude(script.trigger)?;
    rt.set_memory_limit(limits.memory_bytes);
    rt.set_max_stack_size(1024 * 1024);
    let deadline = Instant::now() + limits.timeout;
    rt.set_interrupt_handler(Some(Box::new(move || Instant::now() >= deadline)));
    let ctx = Context::full(rt).map_err(internal)?;
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
        eval_bytecode(&ctx, harness).map_err(|e| classify(describe(&ctx, e, false)))?;
        let user =
            eval_bytecode(&ctx, &script.bytecode).map_err(|e| classify(describe(&ctx, e, true)))?;
        ctx.globals().set("__user", user).map_err(internal)?;
        eval_bytecode(&ctx, driver)
            .map(|_| ())
            .map_err(|e| classify(describe(&ctx, e, true)))
    })?;
    // Run the promise jobs (async functions, callbacks) until none is left.
    loop {
        match rt.execute_pending_job() {
            Ok(true) => {}
            Ok(false) => break,
            Err(job) => {
                let message = job
                    .0
                    .with(|ctx| describe(&ctx, rquickjs::Error::Exception, true));
                return Err(classify(message));
            }
        }
        if Instant::now() >= deadline {
            return Err(ScriptError::Timeout(limits.timeout));
        }
    }
    let json: String = ctx.with(|ctx| {
        ctx.eval::<String, _>("JSON.stringify(__out)")
            .map_err(|e| classify(describe(&ctx, e, false)))
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
