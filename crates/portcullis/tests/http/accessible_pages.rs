//! Issue 13, item 8, in headless Chromium: the hosted pages at phone and
//! desktop width pass a contrast check on the colours the browser computes
//! (WCAG AA: 4.5:1 for text, 3:1 for large text and input borders), the
//! show-password toggle works, a failed login puts the focus on the field in
//! error, and the dead-end pages lead back.

use serde_json::{Value, json};

use crate::browser::{code_params, spa, user};
use crate::support::{Backend, TestServer};
use crate::webdriver::Chromium;

/// Every visible text node's colour against the first opaque background behind
/// it, and every input's border against its surroundings; returns what fails.
pub(crate) const CONTRAST_CHECK: &str = r#"
function parse(s) {
  const m = s.match(/rgba?\(([^)]+)\)/);
  if (!m) return null;
  const p = m[1].split(',').map(x => parseFloat(x));
  return { rgb: p.slice(0, 3), a: p.length > 3 ? p[3] : 1 };
}
function lum(c) {
  const a = c.map(v => { v /= 255; return v <= 0.03928 ? v / 12.92 : Math.pow((v + 0.055) / 1.055, 2.4); });
  return 0.2126 * a[0] + 0.7152 * a[1] + 0.0722 * a[2];
}
function ratio(x, y) {
  const a = lum(x), b = lum(y);
  return (Math.max(a, b) + 0.05) / (Math.min(a, b) + 0.05);
}
function background(el) {
  for (let e = el; e; e = e.parentElement) {
    const c = parse(getComputedStyle(e).backgroundColor);
    if (c && c.a > 0.99) return c.rgb;
  }
  return [255, 255, 255];
}
const failures = [];
let checked = 0;
for (const el of document.querySelectorAll('body *')) {
  const st = getComputedStyle(el);
  if (st.display === 'none' || st.visibility === 'hidden' || el.getClientRects().length === 0) continue;
  const text = [...el.childNodes].some(n => n.nodeType === 3 && n.textContent.trim());
  if (text) {
    checked++;
    const size = parseFloat(st.fontSize);
    const large = size >= 24 || (size >= 18.66 && parseInt(st.fontWeight) >= 700);
    const r = ratio(parse(st.color).rgb, background(el));
    if (r < (large ? 3 : 4.5)) failures.push(`${el.tagName}.${el.className} "${el.textContent.trim().slice(0, 40)}" ${r.toFixed(2)}:1`);
  }
  if (el.tagName === 'INPUT' && el.type !== 'hidden') {
    checked++;
    const r = ratio(parse(st.borderTopColor).rgb, background(el.parentElement));
    if (r < 3) failures.push(`input#${el.id} border ${r.toFixed(2)}:1`);
  }
}
return { failures, checked };
"#;

pub(crate) async fn assert_contrast(browser: &Chromium, page: &str) {
    for (w, h) in [(390, 844), (1280, 800)] {
        browser.set_window(w, h).await;
        let v = browser.execute(CONTRAST_CHECK).await;
        assert!(
            v["checked"].as_u64().unwrap() >= 3,
            "{page}: nothing checked: {v}"
        );
        assert_eq!(v["failures"], json!([]), "{page} at {w}px");
    }
}

fn screenshot_dir() -> Option<std::path::PathBuf> {
    std::env::var("PORTCULLIS_SCREENSHOT_DIR")
        .ok()
        .map(Into::into)
}

pub(crate) async fn screenshots(browser: &Chromium, name: &str) {
    if let Some(dir) = screenshot_dir() {
        for (suffix, w, h) in [("desktop", 1280, 800), ("phone", 390, 844)] {
            browser.set_window(w, h).await;
            std::fs::write(
                dir.join(format!("{name}-{suffix}.png")),
                browser.screenshot().await,
            )
            .unwrap();
        }
    }
}

async fn js(browser: &Chromium, script: &str) -> Value {
    browser.execute(script).await
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn chromium_pages_meet_contrast_focus_and_have_a_way_back() {
    let srv = TestServer::start(Backend::Sqlite).await;
    let client = spa(&srv, json!({})).await;
    user(&srv, "ada@example.com").await;
    let browser = Chromium::start().await;
    let query: String = form_urlencoded::Serializer::new(String::new())
        .extend_pairs(code_params(&client, &[]))
        .finish();
    browser
        .goto(&format!("{}/authorize?{query}", srv.url))
        .await;
    browser
        .wait_for_url(|u| u.contains("/u/login?state="))
        .await;
    let login_url = browser.url().await;
    assert_contrast(&browser, "login").await;
    assert_eq!(
        js(&browser, "return document.activeElement.id").await,
        "username"
    );

    // Show password: the script reveals the toggle; it flips the field's type.
    assert_eq!(
        js(
            &browser,
            "return document.querySelector('button.reveal').hidden"
        )
        .await,
        false
    );
    browser.type_into("#password", "not-the-password").await;
    browser.click("button.reveal").await;
    assert_eq!(js(&browser, "return [document.getElementById('password').type, document.querySelector('button.reveal').getAttribute('aria-pressed')]").await, json!(["text", "true"]));
    browser.click("button.reveal").await;
    assert_eq!(
        js(&browser, "return document.getElementById('password').type").await,
        "password"
    );

    // A failed login: the message is tied to the fields, the focus is on the password.
    browser.type_into("#username", "ada@example.com").await;
    browser.click("button[type=submit]").await;
    for _ in 0..50 {
        if js(&browser, "return !!document.getElementById('form-error')").await == true {
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(100)).await;
    }
    let state = js(&browser, "const p = document.getElementById('password'); return [document.activeElement.id, p.getAttribute('aria-invalid'), p.getAttribute('aria-describedby'), document.getElementById('form-error').textContent]").await;
    assert_eq!(
        state,
        json!(["password", "true", "form-error", "Wrong email or password."])
    );
    assert_contrast(&browser, "login with an error").await;
    screenshots(&browser, "login-error").await;

    // Forgot password → "Check your email" → back to the login page.
    browser.click("a[href*='/u/forgot']").await;
    browser
        .wait_for_url(|u| u.contains("/u/forgot?state="))
        .await;
    browser.type_into("#username", "ada@example.com").await;
    browser.click("button[type=submit]").await;
    for _ in 0..50 {
        if js(&browser, "return document.querySelector('h1').textContent").await
            == "Check your email"
        {
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(100)).await;
    }
    assert_contrast(&browser, "check your email").await;
    screenshots(&browser, "check-email").await;
    browser.click("a.button").await;
    browser.wait_for_url(|u| u == login_url).await;

    // An error page: friendly words, the detail folded, a way back to the app.
    let bad: String = form_urlencoded::Serializer::new(String::new())
        .extend_pairs(code_params(
            &client,
            &[("redirect_uri", "https://evil.example/cb")],
        ))
        .finish();
    browser.goto(&format!("{}/authorize?{bad}", srv.url)).await;
    let page = js(&browser, "const d = document.querySelector('details'); return [document.querySelector('h1').textContent, d.open, d.textContent.includes('Callback URL mismatch'), document.querySelector('a.button').href]").await;
    assert_eq!(
        page,
        json!([
            "We could not sign you in",
            false,
            true,
            "https://app.example/"
        ])
    );
    assert_contrast(&browser, "error page").await;
    screenshots(&browser, "error").await;
    browser.click("summary").await;
    assert_eq!(
        js(&browser, "return document.querySelector('details').open").await,
        true
    );
    assert_contrast(&browser, "error page, details open").await;
    // The check itself can fail: the footer at the 2.73:1 it once had.
    js(
        &browser,
        "document.querySelector('.foot').style.color = '#8a93a3'",
    )
    .await;
    let v = browser.execute(CONTRAST_CHECK).await;
    assert!(
        v["failures"].to_string().contains("Secured by Portcullis"),
        "{v}"
    );

    // The blocked-account e-mail's page: readable, and its one button works
    // from the keyboard.
    let mut b = crate::browser::Browser::new(&srv);
    let to = b.authorize(&code_params(&client, &[])).await;
    let page = b.get(&to.location.unwrap()).await;
    let (state, csrf) = (page.input("state"), page.input("csrf"));
    for _ in 0..10 {
        b.post_form(
            "/u/login",
            &[
                ("state", &state),
                ("csrf", &csrf),
                ("username", "ada@example.com"),
                ("password", "wrong"),
            ],
        )
        .await;
    }
    let mut link = None;
    for _ in 0..100 {
        link = crate::dbconnections::outbox(&srv).iter().find_map(|m| {
            m.split_whitespace()
                .find(|w| w.contains("/u/unblock?ticket="))
                .map(str::to_string)
        });
        if link.is_some() {
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(50)).await;
    }
    browser
        .goto(&link.expect("the blocked-account e-mail"))
        .await;
    assert_contrast(&browser, "unblock").await;
    screenshots(&browser, "unblock").await;
    js(
        &browser,
        "document.querySelector('button[name=action]').focus()",
    )
    .await;
    assert_eq!(
        js(&browser, "return document.activeElement.textContent").await,
        "Unblock my account"
    );
    browser.click("button[name=action]").await;
    for _ in 0..100 {
        if browser.source().await.contains("Your account is unblocked") {
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(50)).await;
    }
    assert!(browser.source().await.contains("Your account is unblocked"));
    assert_contrast(&browser, "unblocked").await;
    browser.quit().await;
}
