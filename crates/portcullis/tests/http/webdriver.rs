//! Just enough of the W3C WebDriver protocol to drive Debian's headless Chromium
//! through chromedriver: JSON over HTTP with the client the suite already uses.

use std::process::{Child, Command, Stdio};
use std::time::Duration;

use serde_json::{Value, json};

const ELEMENT: &str = "element-6066-11e4-a52e-4f735466cecf";

pub struct Chromium {
    driver: Child,
    base: String,
    http: reqwest::Client,
    _profile: tempfile::TempDir,
}

fn find_binary(names: &[&str]) -> Option<String> {
    names
        .iter()
        .find(|p| std::path::Path::new(p).exists())
        .map(|p| p.to_string())
}

impl Chromium {
    /// Starts chromedriver and a headless Chromium session. Chromium and
    /// chromedriver come from Debian's `chromium` and `chromium-driver` packages
    /// (`.ci/run` installs them); the test fails, with this message, without them.
    pub async fn start() -> Self {
        let chrome = find_binary(&["/usr/bin/chromium", "/usr/bin/chromium-browser"])
            .expect("Debian's chromium is required for the browser test: apt-get install chromium chromium-driver");
        let driver_bin = find_binary(&["/usr/bin/chromedriver", "/usr/lib/chromium/chromedriver"])
            .expect(
                "chromedriver is required for the browser test: apt-get install chromium-driver",
            );
        let port = std::net::TcpListener::bind("127.0.0.1:0")
            .unwrap()
            .local_addr()
            .unwrap()
            .port();
        let driver = Command::new(driver_bin)
            .arg(format!("--port={port}"))
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .expect("chromedriver starts");
        let base = format!("http://127.0.0.1:{port}");
        let http = reqwest::Client::new();
        for _ in 0..100 {
            if let Ok(r) = http.get(format!("{base}/status")).send().await
                && r.status().is_success()
            {
                break;
            }
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
        let profile = tempfile::tempdir().unwrap();
        let mut me = Self {
            driver,
            base,
            http,
            _profile: profile,
        };
        let caps = json!({"capabilities": {"alwaysMatch": {
            "browserName": "chrome",
            "goog:chromeOptions": {
                "binary": chrome,
                "args": [
                    "--headless=new", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage",
                    "--disable-quic", "--no-first-run", "--disable-background-networking",
                    "--disable-component-update", "--disable-sync",
                    format!("--user-data-dir={}", me._profile.path().display()),
                ]
            }
        }}});
        let res = me.call("POST", "/session", Some(caps)).await;
        let session = res["sessionId"]
            .as_str()
            .unwrap_or_else(|| panic!("no session: {res}"))
            .to_string();
        me.base = format!("{}/session/{session}", me.base);
        me
    }

    async fn call(&self, method: &str, path: &str, body: Option<Value>) -> Value {
        let url = format!("{}{path}", self.base);
        let req = match method {
            "GET" => self.http.get(url),
            "DELETE" => self.http.delete(url),
            _ => self.http.post(url).json(&body.unwrap_or(json!({}))),
        };
        let v: Value = req.send().await.unwrap().json().await.unwrap();
        if v["value"]["error"].is_string() {
            panic!("WebDriver {method} {path}: {}", v["value"]);
        }
        v["value"].clone()
    }

    pub async fn goto(&self, url: &str) {
        self.call("POST", "/url", Some(json!({"url": url}))).await;
    }

    pub async fn url(&self) -> String {
        self.call("GET", "/url", None)
            .await
            .as_str()
            .unwrap()
            .to_string()
    }

    pub async fn source(&self) -> String {
        self.call("GET", "/source", None)
            .await
            .as_str()
            .unwrap()
            .to_string()
    }

    async fn element(&self, css: &str) -> String {
        let v = self
            .call(
                "POST",
                "/element",
                Some(json!({"using": "css selector", "value": css})),
            )
            .await;
        v[ELEMENT]
            .as_str()
            .unwrap_or_else(|| panic!("element {css}: {v}"))
            .to_string()
    }

    pub async fn type_into(&self, css: &str, text: &str) {
        let e = self.element(css).await;
        self.call(
            "POST",
            &format!("/element/{e}/value"),
            Some(json!({"text": text})),
        )
        .await;
    }

    pub async fn click(&self, css: &str) {
        let e = self.element(css).await;
        self.call("POST", &format!("/element/{e}/click"), None)
            .await;
    }

    /// Waits until the page's URL satisfies `pred` (navigation is asynchronous).
    pub async fn wait_for_url(&self, pred: impl Fn(&str) -> bool) -> String {
        for _ in 0..100 {
            let u = self.url().await;
            if pred(&u) {
                return u;
            }
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
        panic!("timed out waiting for the URL; at {}", self.url().await)
    }

    /// Runs `script` (a function body; `return` gives the value) in the page.
    pub async fn execute(&self, script: &str) -> Value {
        self.call(
            "POST",
            "/execute/sync",
            Some(json!({"script": script, "args": []})),
        )
        .await
    }

    pub async fn set_window(&self, width: u32, height: u32) {
        self.call(
            "POST",
            "/window/rect",
            Some(json!({"width": width, "height": height})),
        )
        .await;
    }

    pub async fn screenshot(&self) -> Vec<u8> {
        use base64::Engine;
        let v = self.call("GET", "/screenshot", None).await;
        base64::engine::general_purpose::STANDARD
            .decode(v.as_str().unwrap())
            .unwrap()
    }
}

/// W3C Web Authentication §11 (WebDriver extension): a virtual
/// authenticator in the browser, which answers `navigator.credentials`
/// itself, as a security key or the device's own authenticator would.
impl Chromium {
    /// Adds a virtual authenticator (`transport` `usb` for a security key,
    /// `internal` for the device's own); its id.
    pub async fn add_virtual_authenticator(&self, transport: &str, resident_keys: bool) -> String {
        let v = self
            .call(
                "POST",
                "/webauthn/authenticator",
                Some(json!({
                    "protocol": "ctap2", "transport": transport,
                    "hasResidentKey": resident_keys, "hasUserVerification": true,
                    "isUserConsenting": true, "isUserVerified": true,
                })),
            )
            .await;
        v.as_str().unwrap_or_else(|| panic!("{v}")).to_string()
    }

    /// The credentials the virtual authenticator `id` holds (with their
    /// private keys and sign counts).
    pub async fn credentials(&self, id: &str) -> Vec<Value> {
        let v = self
            .call(
                "GET",
                &format!("/webauthn/authenticator/{id}/credentials"),
                None,
            )
            .await;
        v.as_array().cloned().unwrap_or_default()
    }

    /// Puts `credential` into the virtual authenticator `id`.
    pub async fn add_credential(&self, id: &str, credential: Value) {
        self.call(
            "POST",
            &format!("/webauthn/authenticator/{id}/credential"),
            Some(credential),
        )
        .await;
    }

    pub async fn remove_virtual_authenticator(&self, id: &str) {
        self.call("DELETE", &format!("/webauthn/authenticator/{id}"), None)
            .await;
    }
}

impl Chromium {
    /// Ends the session (closing Chromium) and stops chromedriver.
    pub async fn quit(self) {
        let _ = self.http.delete(&self.base).send().await;
    }
}

impl Drop for Chromium {
    fn drop(&mut self) {
        let _ = self.driver.kill();
        let _ = self.driver.wait();
    }
}
