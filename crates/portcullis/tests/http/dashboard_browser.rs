//! Issue 16's end-to-end walk, in Debian's headless Chromium: the first member
//! signs in to the dashboard; creates an API with two permissions and Allow
//! Offline Access, a single-page application with a callback and refresh-token
//! rotation, a machine-to-machine application authorised for the API, and a
//! user; the user signs in to the application through the hosted page and the
//! login shows in Logs; a post-login action is written, tested, deployed and
//! bound, and its claim is in the next token; a signing key is rotated; a
//! viewer can change nothing; an end user's password does not open the
//! dashboard. Every screen passes axe-core (no serious or critical
//! violation), a contrast check and a labelling check at phone and desktop
//! width (screenshots with PORTCULLIS_SCREENSHOT_DIR).

use std::time::Duration;

use portcullis_core::members::{self, Member, Role};
use portcullis_core::secrets::Secret;
use reqwest::Method;
use serde_json::{Value, json};

use crate::accessible_pages::{assert_contrast, screenshots};
use crate::browser::{Browser, CALLBACK, PASSWORD, code_params, exchange};
use crate::support::{Backend, verify_with_jwks};
use crate::webdriver::Chromium;

const ADMIN_PASSWORD: &str = "Dashboard-Admin-2026";

/// Form controls without a label, nameless buttons and links, duplicate ids,
/// broken aria-describedby, tables without headers, not exactly one h1, no
/// language: what an automated checker reports as serious on these screens.
const LABEL_CHECK: &str = r#"
const problems = [];
const visible = (el) => { const st = getComputedStyle(el); return st.display !== 'none' && st.visibility !== 'hidden' && el.getClientRects().length > 0; };
for (const el of document.querySelectorAll('input:not([type=hidden]), select, textarea')) {
  if (!visible(el)) continue;
  if (!(el.labels && el.labels.length) && !el.getAttribute('aria-label') && !el.getAttribute('aria-labelledby')) problems.push(`unlabelled ${el.tagName} #${el.id} ${el.name}`);
}
for (const el of document.querySelectorAll('button, a[href]')) {
  if (visible(el) && !(el.textContent.trim() || el.getAttribute('aria-label'))) problems.push(`nameless ${el.tagName}`);
}
const ids = [...document.querySelectorAll('[id]')].map((e) => e.id);
for (const id of new Set(ids.filter((x, i) => ids.indexOf(x) !== i))) problems.push(`duplicate id ${id}`);
for (const el of document.querySelectorAll('[aria-describedby]')) {
  for (const id of el.getAttribute('aria-describedby').split(' ')) if (!document.getElementById(id)) problems.push(`describedby ${id} missing`);
}
for (const t of document.querySelectorAll('table')) if (!t.querySelector('th')) problems.push('table without headers');
if (document.querySelectorAll('h1').length !== 1) problems.push(`${document.querySelectorAll('h1').length} h1`);
if (!document.documentElement.lang) problems.push('no lang');
if (!document.querySelector('main')) problems.push('no main landmark');
return problems;
"#;

/// Deque's axe-core, pinned (tests/vendor/axe-core/README.md): test-only.
const AXE: &str = include_str!("../vendor/axe-core/axe.min.js");
const AXE_SHA256: &str = "sha256:KTSJmUUM3yhJqOcLeRL8LahahJ2jnA0NU5T1HUqe2Vw";

#[test]
fn vendored_axe_core_is_the_pinned_release() {
    assert_eq!(portcullis_core::secrets::hash_secret(AXE), AXE_SHA256);
    assert!(AXE.starts_with("/*! axe v4.14.1"));
}

struct Dash {
    b: Chromium,
    home: String,
}

impl Dash {
    async fn js(&self, script: &str) -> Value {
        self.b.execute(script).await
    }

    /// Waits until `condition` (a JavaScript expression) holds in the page.
    async fn wait(&self, condition: &str) {
        let script = format!("try {{ return !!({condition}); }} catch (e) {{ return false; }}");
        for _ in 0..150 {
            if self.js(&script).await == json!(true) {
                return;
            }
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
        let text = self.js("return document.body.innerText").await;
        panic!("timed out waiting for {condition}; the page says: {text}");
    }

    /// Opens a screen and waits until it has rendered.
    async fn open(&self, hash: &str) {
        // A hash change re-renders without a page load: mark the screen shown
        // now, so that `ready` waits for the next one rather than passing on
        // this one.
        // The same hash again renders the screen again, as a reload would.
        let same = self
            .js(&format!(
                "const h = document.querySelector('main h1'); if (h) h.dataset.old = '1'; \
                 if (location.href.startsWith({home}) && location.hash === {hash}) {{ \
                   window.dispatchEvent(new HashChangeEvent('hashchange')); return true; }} \
                 return false",
                home = json!(self.home),
                hash = json!(hash)
            ))
            .await;
        if same != json!(true) {
            self.b.goto(&format!("{}{hash}", self.home)).await;
        }
        self.ready().await;
    }

    async fn ready(&self) {
        self.wait("document.body.classList.contains('ready') && !document.querySelector('main .loading') && document.querySelector('main h1') && !document.querySelector('main h1').dataset.old")
            .await;
        // Destructive actions ask first; the test answers yes.
        self.js("window.confirm = () => true; return true").await;
    }

    async fn set(&self, css: &str, value: &str) {
        let script = format!(
            "const el = document.querySelector({}); el.value = {}; el.dispatchEvent(new Event('input')); return true",
            json!(css),
            json!(value)
        );
        self.js(&script).await;
    }

    async fn text(&self) -> String {
        self.js("return document.querySelector('main').innerText")
            .await
            .as_str()
            .unwrap_or_default()
            .to_string()
    }

    /// axe-core's serious and critical violations on the page (the WCAG A and
    /// AA rules and best practices), as `rule: target` strings.
    async fn axe(&self) -> Value {
        if self.js("return typeof window.axe === 'object'").await != json!(true) {
            self.js(&format!("{AXE}\n;return true")).await;
        }
        self.js(
            "return axe.run(document, { resultTypes: ['violations'] }).then((r) => r.violations
               .filter((v) => v.impact === 'serious' || v.impact === 'critical')
               .flatMap((v) => v.nodes.map((n) => `${v.id}: ${n.target.join(' ')}`)))",
        )
        .await
    }

    /// axe-core, contrast and labels at both widths, and screenshots when asked for.
    async fn check(&self, name: &str) {
        assert_contrast(&self.b, name).await;
        for (w, h) in [(390, 844), (1280, 900)] {
            self.b.set_window(w, h).await;
            assert_eq!(self.js(LABEL_CHECK).await, json!([]), "{name} at {w}px");
            assert_eq!(self.axe().await, json!([]), "axe-core on {name} at {w}px");
        }
        self.js("window.scrollTo(0, 0); document.activeElement.blur(); return true")
            .await;
        screenshots(&self.b, &format!("dashboard-{name}")).await;
        self.b.set_window(1280, 900).await;
    }

    async fn sign_in(&self, email: &str, password: &str) {
        self.b.goto(&self.home).await;
        self.b.wait_for_url(|u| u.contains("/u/login")).await;
        self.b.type_into("#username", email).await;
        self.b.type_into("#password", password).await;
        self.b.click("button[name=action]").await;
    }

    async fn sign_out(&self) {
        self.b.click("#signout").await;
        self.b.wait_for_url(|u| u.contains("/u/login")).await;
    }
}

fn hash_id(hash: &str, prefix: &str) -> String {
    let id = hash.strip_prefix(prefix).unwrap();
    form_urlencoded::parse(format!("x={id}").as_bytes())
        .next()
        .unwrap()
        .1
        .into_owned()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn chromium_walks_the_dashboard_from_sign_in_to_a_deployed_action() {
    let srv = crate::support::start_configured(Backend::Sqlite, |c| {
        c.admin_password = Some(Secret::new(ADMIN_PASSWORD));
    })
    .await;
    let d = Dash {
        b: Chromium::start().await,
        home: format!("{}admin/", srv.issuer),
    };
    d.b.set_window(1280, 900).await;

    // The login page, then home.
    d.b.goto(&d.home).await;
    d.b.wait_for_url(|u| u.contains("/u/login")).await;
    d.check("sign-in").await;
    d.sign_in("admin@localhost", ADMIN_PASSWORD).await;
    d.ready().await;
    assert!(d.text().await.contains("admin"), "{}", d.text().await);
    d.check("home").await;

    // An API with two permissions and Allow Offline Access.
    d.open("#/apis/new").await;
    d.check("api-create").await;
    d.b.type_into("#name", "Messages").await;
    d.b.type_into("#identifier", "https://messages.example/")
        .await;
    d.b.click("main button[type=submit]").await;
    d.wait("/^#\\/apis\\/[^/]+$/.test(location.hash) && location.hash !== '#/apis/new'")
        .await;
    let api_id = hash_id(
        d.js("return location.hash").await.as_str().unwrap(),
        "#/apis/",
    );
    d.open(&format!("#/apis/{api_id}/permissions")).await;
    for (scope, about) in [
        ("read:messages", "Read messages"),
        ("write:messages", "Send messages"),
    ] {
        d.b.type_into("#permission", scope).await;
        d.b.type_into("#description", about).await;
        d.b.click("main form button[type=submit]").await;
        d.wait(&format!(
            "document.querySelector('main table').innerText.includes('{scope}')"
        ))
        .await;
        d.ready().await;
    }
    d.check("api-permissions").await;
    d.open(&format!("#/apis/{api_id}/settings")).await;
    d.b.click("#allow_offline_access").await;
    d.b.click("main form button[type=submit]").await;
    d.wait("document.getElementById('saved').textContent === 'Saved.'")
        .await;
    d.check("api-settings").await;
    let (_, api) = srv
        .api(Method::GET, &format!("/resource-servers/{api_id}"), None)
        .await;
    assert_eq!(api["allow_offline_access"], true, "{api}");
    assert_eq!(api["scopes"].as_array().unwrap().len(), 2, "{api}");

    // A single-page application with a callback and rotation.
    d.open("#/applications/new").await;
    d.check("application-create").await;
    d.b.type_into("#name", "Shop").await;
    d.b.click("main button[type=submit]").await;
    d.wait("/^#\\/applications\\/[^/]+$/.test(location.hash) && location.hash !== '#/applications/new'")
        .await;
    d.ready().await;
    let spa = hash_id(
        d.js("return location.hash").await.as_str().unwrap(),
        "#/applications/",
    );
    d.set("#callbacks", CALLBACK).await;
    d.js("const r = document.getElementById('rotating'); if (!r.checked) r.click(); return true")
        .await;
    d.js("for (const g of ['authorization_code', 'refresh_token']) { const c = document.querySelector(`[name='grant-${g}']`); if (!c.checked) c.click(); } return true")
        .await;
    d.b.click("main form button[type=submit]").await;
    d.wait("document.getElementById('saved').textContent === 'Saved.'")
        .await;
    d.check("application-settings").await;
    let (_, app) = srv.api(Method::GET, &format!("/clients/{spa}"), None).await;
    assert_eq!(app["callbacks"], json!([CALLBACK]), "{app}");
    assert_eq!(app["refresh_token"]["rotation_type"], "rotating", "{app}");

    // An invalid callback URL is refused in place; nothing is saved.
    d.set("#callbacks", "not a url").await;
    d.b.click("main form button[type=submit]").await;
    d.wait("document.querySelector('#callbacks[aria-invalid=true]')")
        .await;
    let (_, app) = srv.api(Method::GET, &format!("/clients/{spa}"), None).await;
    assert_eq!(app["callbacks"], json!([CALLBACK]), "nothing saved: {app}");

    // A machine-to-machine application, authorised for the API.
    d.open("#/applications/new").await;
    d.b.type_into("#name", "Worker").await;
    d.b.click("input[value=non_interactive]").await;
    d.b.click("main button[type=submit]").await;
    d.wait("document.querySelector('.secret')").await;
    let worker = hash_id(
        d.js("return location.hash").await.as_str().unwrap(),
        "#/applications/",
    );
    d.open(&format!("#/apis/{api_id}/m2m")).await;
    d.b.click(&format!("[id='authorize-{worker}']")).await;
    d.wait("document.body.innerText.includes('Permissions for Worker')")
        .await;
    d.ready().await;
    d.check("api-machine-to-machine").await;
    let (_, grants) = srv
        .api(
            Method::GET,
            "/client-grants?audience=https%3A%2F%2Fmessages.example%2F",
            None,
        )
        .await;
    assert!(
        grants
            .as_array()
            .unwrap()
            .iter()
            .any(|g| g["client_id"] == worker),
        "{grants}"
    );

    // A user, who signs in to the application through the hosted page.
    d.open("#/users/new").await;
    d.check("user-create").await;
    d.b.type_into("#email", "ada@example.com").await;
    d.b.type_into("#password", PASSWORD).await;
    d.b.click("main button[type=submit]").await;
    d.wait("location.hash.startsWith('#/users/auth0')").await;
    d.ready().await;
    // A password reset: e-mailed through the Management API's ticket, then a
    // link to hand on.
    let press = |label: &str| {
        format!(
            "[...document.querySelectorAll('main button')].find(b => b.textContent === '{label}').click(); return true"
        )
    };
    d.js(&press("Send password reset e-mail")).await;
    d.wait(
        "document.querySelector('main .result').innerText.includes('e-mailed to ada@example.com')",
    )
    .await;
    let mails = crate::dbconnections::outbox_with(&srv, 1).await;
    assert!(mails[0].contains("To: ada@example.com"), "{}", mails[0]);
    d.js(&press("Create a reset link")).await;
    d.wait("!!document.querySelector('#reset_link')").await;
    let link = d
        .js("return document.querySelector('#reset_link').value")
        .await;
    assert!(
        link.as_str()
            .is_some_and(|l| l.starts_with(&format!("{}u/reset-password?ticket=", srv.issuer))),
        "{link}"
    );
    d.check("user").await;
    let sign_in_user = async || {
        let mut ub = Browser::new(&srv);
        let to = ub
            .authorize(&code_params(
                &spa,
                &[
                    ("audience", "https://messages.example/"),
                    ("scope", "openid read:messages offline_access"),
                ],
            ))
            .await;
        let back = ub.submit_login(&to, "ada@example.com", PASSWORD).await;
        let code = back.redirect_params()["code"].clone();
        let (st, t) = exchange(&srv, &spa, &code).await;
        assert_eq!(st, reqwest::StatusCode::OK, "{t}");
        t
    };
    let t = sign_in_user().await;
    assert!(t["refresh_token"].is_string(), "offline access: {t}");
    d.open("#/logs?type=s").await;
    d.wait("document.querySelector('main table').innerText.includes('ada@example.com')")
        .await;
    // Filtered by application (picked from the list) and by time.
    d.js(&format!(
        "const s = document.querySelector('#app'); s.value = '{spa}'; return s.value"
    ))
    .await;
    d.b.click("main form[role=search] button[type=submit]")
        .await;
    d.wait(&format!("location.hash.includes('app={spa}')"))
        .await;
    d.wait("document.querySelector('main table').innerText.includes('ada@example.com')")
        .await;
    d.open("#/logs?type=s&from=2099-01-01T00:00:00Z").await;
    d.wait("document.querySelector('main table').innerText.includes('No events match.')")
        .await;
    assert!(
        d.js("return document.querySelector('#from').value")
            .await
            .as_str()
            .is_some_and(|v| v.starts_with("2099-01-01") || v.starts_with("2098-12-31")),
        "the range shows in local time"
    );
    d.open("#/logs?type=s").await;
    d.wait("document.querySelector('main table').innerText.includes('ada@example.com')")
        .await;
    d.check("logs").await;

    // A post-login action: written, tested, deployed, bound; its claim in the next token.
    d.open("#/actions").await;
    d.b.type_into("#name", "Plan claim").await;
    d.b.click("main form button[type=submit]").await;
    d.wait("/^#\\/actions\\/[^/]+$/.test(location.hash)").await;
    d.ready().await;
    d.set(
        "#code",
        "exports.onExecutePostLogin = async (event, api) => {\n  api.accessToken.setCustomClaim('https://shop.example/plan', 'gold');\n};\n",
    )
    .await;
    d.b.click("#run-test").await;
    d.wait("document.querySelector('.output').textContent.includes('shop.example/plan')")
        .await;
    d.check("action").await;
    d.b.click("#deploy").await;
    d.wait("document.body.innerText.includes('Deployed version')")
        .await;
    d.open("#/actions").await;
    d.wait("document.getElementById('add-to-post-login')").await;
    d.b.click("#add-to-post-login").await;
    d.wait("document.querySelector('.flow ol') && document.querySelector('.flow ol').innerText.includes('Plan claim')")
        .await;
    d.ready().await;
    d.check("actions").await;
    let t = sign_in_user().await;
    let claims = verify_with_jwks(
        &srv,
        t["access_token"].as_str().unwrap(),
        "https://messages.example/",
    )
    .await;
    assert_eq!(claims["https://shop.example/plan"], "gold", "{claims}");

    // A second bound action, dragged above the first: the flow's order changes.
    let (st, second) = srv
        .api(
            Method::POST,
            "/actions/actions",
            Some(serde_json::json!({"name": "Audit first", "supported_triggers": [{"id": "post-login", "version": "v3"}],
                                    "code": "exports.onExecutePostLogin = async () => {};"})),
        )
        .await;
    assert_eq!(st, reqwest::StatusCode::CREATED, "{second}");
    let second_id = second["id"].as_str().unwrap().to_string();
    let (st, v) = srv
        .api(
            Method::POST,
            &format!("/actions/actions/{second_id}/deploy"),
            None,
        )
        .await;
    assert!(st.is_success(), "{v}");
    d.open("#/").await;
    d.open("#/actions").await;
    d.wait("document.getElementById('add-to-post-login')").await;
    d.b.click("#add-to-post-login").await;
    d.wait("document.querySelectorAll('.flow ol li').length === 2")
        .await;
    d.js("const [a, b] = document.querySelectorAll('.flow ol li'); const dt = new DataTransfer(); \
          b.dispatchEvent(new DragEvent('dragstart', {bubbles: true, dataTransfer: dt})); \
          a.dispatchEvent(new DragEvent('dragover', {bubbles: true, cancelable: true, dataTransfer: dt})); \
          a.dispatchEvent(new DragEvent('drop', {bubbles: true, cancelable: true, dataTransfer: dt})); return true")
        .await;
    d.wait("document.querySelector('.flow ol li').innerText.includes('Audit first')")
        .await;
    let (_, order) = srv
        .api(Method::GET, "/actions/triggers/post-login/bindings", None)
        .await;
    assert_eq!(
        order["bindings"][0]["action"]["id"],
        second_id.as_str(),
        "{order}"
    );

    // A signing key rotated, with the consequence explained before.
    let current = |keys: &Value| {
        keys.as_array()
            .unwrap()
            .iter()
            .find(|k| k["current"] == true)
            .unwrap()["kid"]
            .clone()
    };
    let (_, before) = srv.api(Method::GET, "/keys/signing", None).await;
    d.open("#/keys").await;
    assert!(d.text().await.contains("previous one stays published"));
    d.check("signing-keys").await;
    d.b.click("main button.destructive").await;
    for _ in 0..50 {
        let (_, after) = srv.api(Method::GET, "/keys/signing", None).await;
        if current(&after) != current(&before) {
            break;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    let (_, after) = srv.api(Method::GET, "/keys/signing", None).await;
    assert_ne!(current(&after), current(&before), "rotated");
    d.open("#/rules").await;
    d.b.type_into("#name", "Stamp").await;
    d.b.click("main form button[type=submit]").await;
    d.wait("/^#\\/rules\\/[^/]+$/.test(location.hash)").await;
    d.ready().await;
    d.check("rule").await;
    d.open("#/rules").await;
    d.check("rules").await;
    d.open("#/settings").await;
    d.wait("!!document.getElementById('idle_session_lifetime')")
        .await;
    d.check("settings").await;
    // The tenant's settings, changed on the screen, through the API.
    d.set("#idle_session_lifetime", "12").await;
    d.js("const s = document.getElementById('default_audience'); s.value = 'https://messages.example/'; return true")
        .await;
    d.b.click("main form button[type=submit]").await;
    d.wait("document.getElementById('saved').textContent === 'Saved.'")
        .await;
    let (_, settings) = srv.api(Method::GET, "/tenants/settings", None).await;
    assert_eq!(settings["idle_session_lifetime"], 12.0, "{settings}");
    assert_eq!(
        settings["default_audience"], "https://messages.example/",
        "{settings}"
    );
    // Out of range: refused beside the field, nothing saved.
    d.set("#idle_session_lifetime", "1000").await;
    d.b.click("main form button[type=submit]").await;
    d.wait("document.querySelector('main').innerText.includes('idle_session_lifetime')")
        .await;
    let (_, settings) = srv.api(Method::GET, "/tenants/settings", None).await;
    assert_eq!(settings["idle_session_lifetime"], 12.0, "{settings}");

    // E-mail templates: the list; a template saved (PUT creates the tenant's
    // first version); Liquid that does not parse refused, nothing changed.
    d.open("#/emails").await;
    d.wait("document.querySelector('main table') !== null")
        .await;
    assert!(
        d.text().await.contains("Blocked account"),
        "{}",
        d.text().await
    );
    d.check("email-templates").await;
    d.b.click("main a[href='#/emails/templates/blocked_account']")
        .await;
    d.wait("!!document.getElementById('body')").await;
    d.set("#from", "Security <security@example.com>").await;
    d.set("#subject", "Your account is blocked").await;
    d.set(
        "#body",
        "<p>Hello {{ user.email }}: <a href=\"{{ url }}\">unblock it</a></p>",
    )
    .await;
    d.b.click("main form button[type=submit]").await;
    d.wait("document.getElementById('saved').textContent === 'Saved.'")
        .await;
    d.check("email-template").await;
    let (st, t) = srv
        .api(Method::GET, "/email-templates/blocked_account", None)
        .await;
    assert_eq!(st, reqwest::StatusCode::OK, "{t}");
    assert_eq!(t["subject"], "Your account is blocked");
    assert_eq!(t["enabled"], true);
    d.set("#body", "{% if %}").await;
    d.b.click("main form button[type=submit]").await;
    d.wait("document.querySelector('main [role=alert]') !== null")
        .await;
    let (_, t) = srv
        .api(Method::GET, "/email-templates/blocked_account", None)
        .await;
    assert!(t["body"].as_str().unwrap().contains("unblock it"), "{t}");

    // The e-mail provider: set up on the screen, the password write-only.
    d.open("#/emails/provider").await;
    d.wait("!!document.getElementById('smtp_host')").await;
    d.set("#default_from_address", "mail@example.com").await;
    d.set("#smtp_host", "127.0.0.1").await;
    d.set("#smtp_port", "2525").await;
    d.set("#smtp_user", "relay").await;
    d.set("#smtp_pass", "s3cret-relay-pass").await;
    d.b.click("main form button[type=submit]").await;
    d.wait("document.getElementById('saved').textContent.startsWith('Saved.')")
        .await;
    let (st, p) = srv.api(Method::GET, "/emails/provider", None).await;
    assert_eq!(st, reqwest::StatusCode::OK, "{p}");
    assert_eq!(p["credentials"]["smtp_host"], "127.0.0.1");
    assert_eq!(p["credentials"]["smtp_port"], 2525);
    assert!(!p.to_string().contains("s3cret-relay-pass"));
    d.open("#/emails/provider").await;
    d.wait("!!document.getElementById('smtp_pass')").await;
    assert_eq!(
        d.js("return document.getElementById('smtp_pass').value")
            .await,
        ""
    );
    assert_eq!(
        d.js("return document.getElementById('smtp_host').value")
            .await,
        "127.0.0.1"
    );
    d.check("email-provider").await;
    // Removed again, so the rest of the walk mails through the test's outbox.
    d.b.click("main button.destructive").await;
    d.wait(
        "document.getElementById('smtp_host') && document.getElementById('smtp_host').value === ''",
    )
    .await;
    let (st, _) = srv.api(Method::GET, "/emails/provider", None).await;
    assert_eq!(st, reqwest::StatusCode::NOT_FOUND);

    // Connections: a database connection made on the screen, its policy and
    // options saved (the rest of its options kept), enabled for the shop.
    d.open("#/connections").await;
    assert!(
        d.text().await.contains("Username-Password-Authentication"),
        "{}",
        d.text().await
    );
    d.check("connections").await;
    d.open("#/connections/new").await;
    d.check("connection-create").await;
    d.b.type_into("#name", "staff").await;
    d.b.click("main form button[type=submit]").await;
    d.wait("/^#\\/connections\\/con_/.test(location.hash)")
        .await;
    d.ready().await;
    d.js("document.getElementById('passwordPolicy').value = 'excellent'; return true")
        .await;
    d.set("#history", "3").await;
    d.b.click("#requires_username").await;
    d.b.click("main form button[type=submit]").await;
    d.wait("document.getElementById('saved').textContent === 'Saved.'")
        .await;
    d.check("connection").await;
    let staff = srv.connection_id("staff").await;
    let (_, c) = srv
        .api(Method::GET, &format!("/connections/{staff}"), None)
        .await;
    assert_eq!(c["options"]["passwordPolicy"], "excellent", "{c}");
    assert_eq!(
        c["options"]["password_history"],
        json!({"enable": true, "size": 3}),
        "{c}"
    );
    assert_eq!(c["options"]["requires_username"], true, "{c}");
    assert_eq!(c["options"]["brute_force_protection"], true, "{c}");
    // A policy the API refuses is shown beside the form; nothing saved.
    d.set("#min_length", "500").await;
    d.b.click("main form button[type=submit]").await;
    d.wait("document.querySelector('main [role=alert]') !== null")
        .await;
    let (_, same) = srv
        .api(Method::GET, &format!("/connections/{staff}"), None)
        .await;
    assert_eq!(same, c);
    d.open(&format!("#/connections/{staff}/applications")).await;
    d.b.click(&format!("input[name=enabled][value='{spa}']"))
        .await;
    d.wait("document.getElementById('saved').textContent.startsWith('Enabled for')")
        .await;
    d.check("connection-applications").await;
    let (_, enabled) = srv
        .api(Method::GET, &format!("/connections/{staff}/clients"), None)
        .await;
    assert_eq!(enabled["clients"], json!([{"client_id": spa}]), "{enabled}");

    d.open("#/applications").await;
    d.check("applications").await;
    d.open("#/apis").await;
    d.check("apis").await;

    // Roles: a role holding a permission picked from the API, given to the
    // user by e-mail address; RBAC switched on for the API with permissions in
    // the token; the user's next token holds exactly the role's permission.
    d.open("#/roles").await;
    d.check("roles").await;
    d.b.type_into("#role_name", "Reader").await;
    d.b.click("#create-role").await;
    d.wait("/^#\\/roles\\/rol_/.test(location.hash)").await;
    d.ready().await;
    let role_id = hash_id(
        d.js("return location.hash").await.as_str().unwrap(),
        "#/roles/",
    );
    d.check("role").await;
    d.open(&format!("#/roles/{role_id}/permissions")).await;
    d.js("const s = document.getElementById('role-api'); s.value = 'https://messages.example/'; s.dispatchEvent(new Event('change')); document.querySelector('input[name=permission][value=\"read:messages\"]').click(); return true")
        .await;
    d.b.click("#role-add").await;
    d.wait("document.querySelector('main table') && document.querySelector('main table').innerText.includes('read:messages')")
        .await;
    d.ready().await;
    d.check("role-permissions").await;
    d.open(&format!("#/roles/{role_id}/users")).await;
    d.b.type_into("#member_email", "ada@example.com").await;
    d.b.click("#add-member").await;
    d.wait("document.querySelector('main table').innerText.includes('ada@example.com')")
        .await;
    d.ready().await;
    d.check("role-users").await;
    d.open(&format!("#/apis/{api_id}/settings")).await;
    d.b.click("#enforce_policies").await;
    d.b.click("#add_permissions").await;
    d.b.click("main form button[type=submit]").await;
    d.wait("document.getElementById('saved').textContent === 'Saved.'")
        .await;
    let (_, api) = srv
        .api(Method::GET, &format!("/resource-servers/{api_id}"), None)
        .await;
    assert_eq!(api["enforce_policies"], true, "{api}");
    assert_eq!(api["token_dialect"], "access_token_authz", "{api}");
    let t = sign_in_user().await;
    let claims = verify_with_jwks(
        &srv,
        t["access_token"].as_str().unwrap(),
        "https://messages.example/",
    )
    .await;
    assert_eq!(claims["permissions"], json!(["read:messages"]), "{claims}");
    let (_, found) = srv
        .api(Method::GET, "/users-by-email?email=ada%40example.com", None)
        .await;
    let ada = found[0]["user_id"].as_str().unwrap().to_string();
    d.open(&format!("#/users/{}", ada.replace('|', "%7C")))
        .await;
    d.wait("document.querySelector('main').innerText.includes('Role Reader')")
        .await;
    d.ready().await;
    d.check("user-roles").await;

    // Long lists page (the API gives 50 at a time; the screen shows them all).
    for i in 0..50 {
        let (st, _) = srv
            .api(
                Method::POST,
                "/clients",
                Some(json!({"name": format!("Bulk {i:02}")})),
            )
            .await;
        assert_eq!(st, reqwest::StatusCode::CREATED);
    }
    d.open("#/applications").await;
    assert!(d.text().await.contains("Page 1 of 2"), "{}", d.text().await);
    d.b.click(".pager a").await;
    d.wait("location.hash.includes('page=1') && document.querySelector('main').innerText.includes('Page 2 of 2')")
        .await;
    d.open("#/users").await;
    d.check("users").await;
    // Search: a word is the start of a name or address; a query with a field
    // goes as it is, and one the server refuses is explained, not a blank page.
    let (st, _) = srv
        .api(
            Method::POST,
            "/users",
            Some(serde_json::json!({"connection": "Username-Password-Authentication", "email": "grace@example.com", "password": "Passw0rd!x"})),
        )
        .await;
    assert_eq!(st, reqwest::StatusCode::CREATED);
    d.b.type_into("#q", "ADA").await;
    d.b.click("form[role=search] button").await;
    d.wait("location.hash === '#/users?q=ADA' && document.querySelector('main table') && document.querySelector('main').innerText.includes('ada@example.com')")
        .await;
    assert!(
        !d.text().await.contains("grace@example.com"),
        "{}",
        d.text().await
    );
    d.open("#/users?q=phone_number%3A1").await;
    d.wait("document.querySelector('main [role=alert]') !== null")
        .await;
    assert!(d.text().await.contains("not a field"), "{}", d.text().await);
    assert_eq!(
        d.js("return document.querySelector('#q').getAttribute('aria-invalid')")
            .await,
        "true"
    );

    // An expired token: signed in again through the dashboard session, back
    // on the screen asked for. An expired session: the login page, then back.
    let state = &srv.server.as_ref().unwrap().state;
    state.advance_clock(2 * 3600);
    d.open("#/users").await;
    assert_eq!(d.js("return location.hash").await, "#/users");
    assert_eq!(
        d.js("return document.querySelector('main h1').textContent")
            .await,
        "Users"
    );
    state.advance_clock(13 * 3600);
    d.b.goto(&format!("{}#/logs", d.home)).await;
    d.b.wait_for_url(|u| u.contains("/u/login")).await;
    d.b.type_into("#username", "admin@localhost").await;
    d.b.type_into("#password", ADMIN_PASSWORD).await;
    d.b.click("button[name=action]").await;
    d.ready().await;
    assert_eq!(
        d.js("return location.hash").await,
        "#/logs",
        "back where they were"
    );

    // A viewer sees everything and can change nothing.
    let viewer = Member {
        id: members::new_id(),
        email: "viewer@example.com".into(),
        role: Role::Viewer,
        created_at: state.now(),
        last_login: None,
        logins_count: 0,
    };
    let hash = portcullis_core::passwords::hash(&Secret::new(ADMIN_PASSWORD));
    state.store.create_member(&viewer, &hash).await.unwrap();
    d.sign_out().await;
    d.sign_in("viewer@example.com", ADMIN_PASSWORD).await;
    d.ready().await;
    d.open("#/applications").await;
    assert!(d.text().await.contains("can view this but not change it"));
    assert_eq!(
        d.js("return ![...document.querySelectorAll('main a')].some((a) => a.textContent === 'Create application')")
            .await,
        json!(true)
    );
    d.open(&format!("#/applications/{spa}")).await;
    assert_eq!(
        d.js("return document.querySelector('main form button[type=submit]') === null && document.getElementById('callbacks').readOnly")
            .await,
        json!(true)
    );
    d.check("viewer").await;

    // An end user's password does not open the dashboard.
    d.sign_out().await;
    d.b.type_into("#username", "ada@example.com").await;
    d.b.type_into("#password", PASSWORD).await;
    d.b.click("button[name=action]").await;
    d.wait("document.body.innerText.includes('Wrong email or password')")
        .await;
    assert!(d.b.url().await.contains("/u/login"));
    d.b.quit().await;
}

/// Issue 23 in the dashboard: the administrator edits the tenant's look and
/// page template, creates a log stream with a secret and a filter, and
/// pauses it; every screen passes axe-core, contrast and labels; the API
/// shows each change and never the secret.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn chromium_edits_branding_and_log_streams_in_the_dashboard() {
    let srv = crate::support::start_configured(Backend::Sqlite, |c| {
        c.admin_password = Some(Secret::new(ADMIN_PASSWORD));
    })
    .await;
    let d = Dash {
        b: Chromium::start().await,
        home: format!("{}admin/", srv.issuer),
    };
    d.b.set_window(1280, 900).await;
    d.sign_in("admin@localhost", ADMIN_PASSWORD).await;
    d.ready().await;

    d.open("#/branding").await;
    d.check("branding").await;
    d.set("#primary", "#0b6e4f").await;
    d.b.type_into("#logo_url", "https://cdn.example/logo.svg")
        .await;
    d.b.click("#look-form button[type=submit]").await;
    d.wait("document.getElementById('look-saved').textContent.startsWith('Saved')")
        .await;
    let (_, b) = srv.api(Method::GET, "/branding", None).await;
    assert_eq!(b["colors"]["primary"], "#0b6e4f", "{b}");
    assert_eq!(b["logo_url"], "https://cdn.example/logo.svg", "{b}");
    // A template without the widget tag is refused beside its field.
    d.set(
        "#template",
        "<html><head>{%- auth0:head -%}</head><body></body></html>",
    )
    .await;
    d.b.click("#template-form button[type=submit]").await;
    d.wait("document.querySelector('#template[aria-invalid=true]')")
        .await;
    d.set(
        "#template",
        "<html><head>{%- auth0:head -%}</head><body><p>{{ tenant.friendly_name }}</p>{%- auth0:widget -%}</body></html>",
    )
    .await;
    d.b.click("#template-form button[type=submit]").await;
    d.wait("document.getElementById('template-saved').textContent.startsWith('Saved')")
        .await;
    // Identifier first, and the login page's title in German.
    d.b.click("#identifier_first").await;
    d.b.click("#flow-form button[type=submit]").await;
    d.wait("document.getElementById('flow-saved').textContent === 'Saved.'")
        .await;
    // Choosing the language renders the form again: wait for the new one.
    d.js("document.getElementById('text-form').dataset.old = '1'; return true")
        .await;
    d.set("#language", "de").await;
    d.js("document.getElementById('language').dispatchEvent(new Event('change')); return true")
        .await;
    d.wait("!document.getElementById('text-form').dataset.old && document.querySelector('#text-form #language').value === 'de' && document.getElementById('text-login-title')")
        .await;
    d.b.type_into("#text-login-title", "Hallo!").await;
    d.b.click("#text-form button[type=submit]").await;
    d.wait("document.getElementById('text-saved').textContent.startsWith('Saved')")
        .await;
    let (_, p) = srv.api(Method::GET, "/prompts", None).await;
    assert_eq!(p["identifier_first"], true, "{p}");
    let (_, t) = srv
        .api(Method::GET, "/prompts/login/custom-text/de", None)
        .await;
    assert_eq!(t, json!({"login": {"title": "Hallo!"}}));
    let (st, t) = srv
        .api(Method::GET, "/branding/templates/universal-login", None)
        .await;
    assert_eq!(st, reqwest::StatusCode::OK, "{t}");

    d.open("#/log-streams/new").await;
    d.check("log-stream-create").await;
    d.b.type_into("#name", "SIEM").await;
    d.b.type_into("#httpEndpoint", "https://siem.example/in")
        .await;
    d.b.type_into("#httpAuthorization", "Bearer dash-s3cret")
        .await;
    d.b.click("input[name=category][value='auth.login.fail']")
        .await;
    d.b.click("main form button[type=submit]").await;
    d.wait("/^#\\/log-streams\\/lst_/.test(location.hash)")
        .await;
    d.ready().await;
    d.check("log-stream").await;
    assert!(!d.text().await.contains("dash-s3cret"));
    let (_, all) = srv.api(Method::GET, "/log-streams", None).await;
    assert_eq!(all[0]["name"], "SIEM", "{all}");
    assert_eq!(
        all[0]["filters"],
        json!([{"type": "category", "name": "auth.login.fail"}])
    );
    assert!(!all.to_string().contains("dash-s3cret"));
    d.set("#status", "paused").await;
    d.b.click("main form button[type=submit]").await;
    d.wait("document.getElementById('saved') && document.getElementById('saved').textContent === 'Saved.'")
        .await;
    let (_, all) = srv.api(Method::GET, "/log-streams", None).await;
    assert_eq!(all[0]["status"], "paused", "{all}");
    d.open("#/log-streams").await;
    d.check("log-streams").await;
    assert!(d.text().await.contains("SIEM"));
    d.b.quit().await;
}
