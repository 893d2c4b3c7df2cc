use std::time::{Duration, Instant};

use serde_json::json;

use super::*;

fn limits() -> Limits {
    Limits {
        timeout: Duration::from_millis(300),
        memory_bytes: 16 * 1024 * 1024,
        max_output_bytes: 10 * 1024,
        max_running: 64,
    }
}

fn event() -> Value {
    json!({"user": {"email": "ada@example.com", "app_metadata": {"roles": ["admin"]}}, "client": {"name": "Shop"}})
}

#[test]
fn action_sets_custom_claims_and_scopes() {
    let script = r#"
exports.onExecutePostLogin = async (event, api) => {
  api.idToken.setCustomClaim("https://example.com/roles", event.user.app_metadata.roles);
  api.accessToken.setCustomClaim("https://example.com/email", event.user.email);
  api.accessToken.addScope("read:extra");
};"#;
    let out = run(Trigger::PostLogin, script, &event(), limits()).unwrap();
    assert_eq!(out.id_token["https://example.com/roles"], json!(["admin"]));
    assert_eq!(
        out.access_token["https://example.com/email"],
        "ada@example.com"
    );
    assert_eq!(out.add_scopes, ["read:extra"]);
    assert!(out.deny.is_none());
}

#[test]
fn action_can_deny_access() {
    let script = r#"exports.onExecutePostLogin = async (event, api) => {
  if (!event.user.email.endsWith("@corp.example")) api.access.deny("Only corp accounts");
};"#;
    let out = run(Trigger::PostLogin, script, &event(), limits()).unwrap();
    assert_eq!(out.deny.as_deref(), Some("Only corp accounts"));
}

#[test]
fn rule_changes_claims_scope_and_lifetime() {
    let script = r#"function (user, context, callback) {
  context.idToken["https://example.com/name"] = user.email;
  context.accessToken.scope = ["openid", "read:all"];
  context.jwtConfiguration.lifetimeInSeconds = 3600;
  callback(null, user, context);
}"#;
    let input = json!({"user": {"email": "ada@example.com"}, "context": {"clientID": "c"}});
    let out = run(Trigger::Rule, script, &input, limits()).unwrap();
    assert_eq!(out.id_token["https://example.com/name"], "ada@example.com");
    assert_eq!(out.lifetime, Some(3600));
    assert_eq!(out.scopes, Some(json!(["openid", "read:all"])));
}

#[test]
fn rule_unauthorized_error_denies() {
    let script = r#"function (user, context, callback) { return callback(new UnauthorizedError("blocked by rule")); }"#;
    let out = run(
        Trigger::Rule,
        script,
        &json!({"user": {}, "context": {}}),
        limits(),
    )
    .unwrap();
    assert_eq!(out.deny.as_deref(), Some("blocked by rule"));
}

#[test]
fn infinite_loop_is_interrupted() {
    let started = Instant::now();
    let err = run(
        Trigger::PostLogin,
        "exports.onExecutePostLogin = () => { while (true) {} };",
        &event(),
        limits(),
    )
    .unwrap_err();
    assert_eq!(err, ScriptError::Timeout(limits().timeout));
    assert!(started.elapsed() < Duration::from_secs(2));
}

#[test]
fn memory_bomb_is_stopped() {
    let script = "exports.onExecutePostLogin = () => { const a = []; while (true) a.push(new Array(100000).fill(1)); };";
    let err = run(Trigger::PostLogin, script, &event(), limits()).unwrap_err();
    assert!(
        matches!(err, ScriptError::OutOfMemory | ScriptError::Timeout(_)),
        "{err:?}"
    );
}

#[test]
fn throwing_script_reports_its_error() {
    let err = run(
        Trigger::PostLogin,
        "exports.onExecutePostLogin = () => { throw new Error('boom'); };",
        &event(),
        limits(),
    )
    .unwrap_err();
    assert!(
        matches!(&err, ScriptError::Threw(m) if m.contains("boom")),
        "{err:?}"
    );
}

#[test]
fn never_settling_promise_is_unsettled_not_a_hang() {
    let err = run(
        Trigger::PostLogin,
        "exports.onExecutePostLogin = () => new Promise(() => {});",
        &event(),
        limits(),
    )
    .unwrap_err();
    assert_eq!(err, ScriptError::Unsettled);
}

#[test]
fn no_ambient_capabilities() {
    let script = r#"exports.onExecutePostLogin = async (event, api) => {
  api.idToken.setCustomClaim("seen", [typeof require, typeof fetch, typeof process, typeof setTimeout, typeof std, typeof os].join(","));
};"#;
    let out = run(Trigger::PostLogin, script, &event(), limits()).unwrap();
    assert_eq!(
        out.id_token["seen"],
        "undefined,undefined,undefined,undefined,undefined,undefined"
    );
}

#[test]
fn oversized_output_is_refused() {
    let script = r#"exports.onExecutePostLogin = async (event, api) => { api.idToken.setCustomClaim("big", "x".repeat(20000)); };"#;
    assert_eq!(
        run(Trigger::PostLogin, script, &event(), limits()).unwrap_err(),
        ScriptError::OutputTooLarge(10 * 1024)
    );
}

#[test]
fn compile_errors_name_the_line() {
    let err = check(
        Trigger::PostLogin,
        "exports.onExecutePostLogin = async (event, api) => {\n  let x = ;\n};",
    )
    .unwrap_err();
    match err {
        ScriptError::Compile(m) => assert!(m.contains("line 2"), "{m}"),
        other => panic!("{other:?}"),
    }
    assert!(
        check(
            Trigger::Rule,
            "function (user, context, callback) { callback(null, user, context); }"
        )
        .is_ok()
    );
}

#[test]
fn missing_export_is_a_clear_error() {
    let err = run(
        Trigger::CredentialsExchange,
        "exports.onExecutePostLogin = () => {};",
        &event(),
        limits(),
    )
    .unwrap_err();
    assert!(
        matches!(&err, ScriptError::Threw(m) if m.contains("onExecuteCredentialsExchange")),
        "{err:?}"
    );
}

#[test]
fn a_compiled_script_runs_many_times_without_recompiling() {
    let script = Script::compile(
        Trigger::PostLogin,
        "exports.onExecutePostLogin = async (event, api) => { api.idToken.setCustomClaim('n', event.n); };",
    )
    .unwrap();
    for n in 0..3 {
        let out = script.run(&json!({"n": n}), limits()).unwrap();
        assert_eq!(out.id_token["n"], n);
    }
}

#[test]
fn rules_share_context_configuration_and_console() {
    let script = r#"function (user, context, callback) {
  console.log("hello", {a: 1});
  context.idToken["https://x/second"] = configuration.KEY + ":" + context.idToken["https://x/first"];
  callback(null, user, context);
}"#;
    let input = json!({"user": {}, "context": {"idToken": {"https://x/first": "one"}}, "configuration": {"KEY": "k"}});
    let out = run(Trigger::Rule, script, &input, limits()).unwrap();
    assert_eq!(out.id_token["https://x/first"], "one");
    assert_eq!(out.id_token["https://x/second"], "k:one");
    assert_eq!(out.logs, ["hello {\"a\":1}"]);
}

#[test]
fn rule_metadata_updates_are_recorded() {
    let script = r#"function (user, context, callback) {
  user.app_metadata = user.app_metadata || {};
  user.app_metadata.roles = ["admin"];
  auth0.users.updateAppMetadata(user.user_id, user.app_metadata)
    .then(function () { callback(null, user, context); })
    .catch(function (err) { callback(err); });
}"#;
    let out = run(
        Trigger::Rule,
        script,
        &json!({"user": {"user_id": "u"}, "context": {}}),
        limits(),
    )
    .unwrap();
    assert_eq!(out.app_metadata["roles"], json!(["admin"]));
}

#[test]
fn asking_for_mfa_is_recorded_for_the_flow_to_enforce() {
    let out = run(
        Trigger::PostLogin,
        "exports.onExecutePostLogin = async (event, api) => { api.multifactor.enable('any', { allowRememberBrowser: true }); };",
        &event(),
        limits(),
    )
    .unwrap();
    assert_eq!(
        out.multifactor,
        Some(json!({"provider": "any", "allowRememberBrowser": true}))
    );
    let out = run(
        Trigger::Rule,
        "function (user, context, callback) { context.multifactor = {provider: 'duo'}; callback(null, user, context); }",
        &json!({"user": {}, "context": {}}),
        limits(),
    )
    .unwrap();
    assert_eq!(
        out.multifactor,
        Some(json!({"provider": "duo", "allowRememberBrowser": false}))
    );
    let out = run(
        Trigger::PostLogin,
        "exports.onExecutePostLogin = async (event, api) => {};",
        &event(),
        limits(),
    )
    .unwrap();
    assert_eq!(out.multifactor, None);
}

#[test]
fn runs_beyond_the_bound_are_refused_not_queued() {
    let l = Limits {
        max_running: 0,
        ..limits()
    };
    assert_eq!(
        run(
            Trigger::PostLogin,
            "exports.onExecutePostLogin = () => {};",
            &event(),
            l
        )
        .unwrap_err(),
        ScriptError::Busy
    );
}

#[test]
fn rules_run_in_sloppy_mode_like_auth0s_node() {
    let script = "function (user, context, callback) { ns = 'https://x/'; context.idToken[ns + 'a'] = 1; callback(null, user, context); }";
    let out = run(
        Trigger::Rule,
        script,
        &json!({"user": {}, "context": {}}),
        limits(),
    )
    .unwrap();
    assert_eq!(out.id_token["https://x/a"], 1);
}

#[test]
fn nothing_leaks_between_executions_on_a_reused_runtime() {
    let writer = Script::compile(
        Trigger::PostLogin,
        "globalThis.leaked = 'secret'; Object.prototype.polluted = 1; exports.onExecutePostLogin = async () => {};",
    )
    .unwrap();
    let reader = Script::compile(
        Trigger::PostLogin,
        "exports.onExecutePostLogin = async (e, api) => { api.idToken.setCustomClaim('seen', [typeof leaked, typeof ({}).polluted].join()); };",
    )
    .unwrap();
    // Enough rounds that the reader runs on runtimes the writer used.
    for _ in 0..(POOL_THREADS * 3) {
        writer.run(&event(), limits()).unwrap();
        let out = reader.run(&event(), limits()).unwrap();
        assert_eq!(out.id_token["seen"], "undefined,undefined");
    }
}
