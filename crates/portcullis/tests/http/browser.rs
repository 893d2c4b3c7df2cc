//! A minimal cookie-keeping HTTP "browser" that does not follow redirects, so tests
//! can see every hop of the browser flows; and helpers to set up an application
//! and a user and to sign in.

use std::collections::HashMap;

use reqwest::{Method, StatusCode};
use serde_json::{Value, json};

use crate::support::TestServer;

pub const PASSWORD: &str = "Corr3ct-horse";
pub const VERIFIER: &str = "dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk";
pub const CHALLENGE: &str = "E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM";
pub const CALLBACK: &str = "https://app.example/callback";

pub struct Page {
    pub status: StatusCode,
    pub location: Option<String>,
    pub headers: reqwest::header::HeaderMap,
    pub body: String,
}

impl Page {
    /// The value of a hidden input.
    pub fn input(&self, name: &str) -> String {
        let marker = format!("name=\"{name}\" value=\"");
        let start = self
            .body
            .find(&marker)
            .unwrap_or_else(|| panic!("no input {name} in {}", self.body))
            + marker.len();
        let end = self.body[start..].find('"').unwrap() + start;
        self.body[start..end].to_string()
    }

    /// Query or fragment parameters of the redirect.
    pub fn redirect_params(&self) -> HashMap<String, String> {
        let loc = self
            .location
            .as_deref()
            .unwrap_or_else(|| panic!("no redirect: {} {}", self.status, self.body));
        let part = loc
            .split_once('#')
            .map(|x| x.1)
            .or_else(|| loc.split_once('?').map(|x| x.1))
            .unwrap_or("");
        form_urlencoded::parse(part.as_bytes())
            .into_owned()
            .collect()
    }
}

pub struct Browser {
    http: reqwest::Client,
    pub jar: HashMap<String, String>,
    pub base: String,
}

impl Browser {
    pub fn new(srv: &TestServer) -> Self {
        Self::at(&srv.url)
    }

    /// A browser talking to the server at `base` (one node of a cluster).
    pub fn at(base: &str) -> Self {
        Self {
            http: reqwest::Client::builder()
                .redirect(reqwest::redirect::Policy::none())
                .build()
                .unwrap(),
            jar: HashMap::new(),
            base: base.to_string(),
        }
    }

    async fn send(&mut self, req: reqwest::RequestBuilder) -> Page {
        let cookie: Vec<String> = self.jar.iter().map(|(k, v)| format!("{k}={v}")).collect();
        let req = if cookie.is_empty() {
            req
        } else {
            req.header("cookie", cookie.join("; "))
        };
        let res = req.send().await.unwrap();
        for sc in res.headers().get_all("set-cookie") {
            let sc = sc.to_str().unwrap();
            let (pair, attrs) = sc.split_once(';').unwrap_or((sc, ""));
            let (k, v) = pair.split_once('=').unwrap();
            if attrs.contains("Max-Age=0") {
                self.jar.remove(k);
            } else {
                self.jar.insert(k.to_string(), v.to_string());
            }
        }
        let status = res.status();
        let headers = res.headers().clone();
        let location = headers
            .get("location")
            .map(|l| l.to_str().unwrap().to_string());
        Page {
            status,
            location,
            headers,
            body: res.text().await.unwrap(),
        }
    }

    /// `path` against `base`; a path that already starts with `base`'s own
    /// path (a `Location` from a server whose issuer has one) is taken from
    /// the origin, as a browser resolves it.
    fn url(&self, path: &str) -> String {
        if path.starts_with("http") {
            return path.to_string();
        }
        let after_scheme = self.base.split_once("://").map_or(0, |(s, _)| s.len() + 3);
        let (origin, prefix) = match self.base[after_scheme..].find('/') {
            Some(i) => self.base.split_at(after_scheme + i),
            None => (self.base.as_str(), ""),
        };
        if !prefix.is_empty() && path.starts_with(&format!("{prefix}/")) {
            format!("{origin}{path}")
        } else {
            format!("{}{path}", self.base)
        }
    }

    pub async fn get(&mut self, path: &str) -> Page {
        let req = self.http.get(self.url(path));
        self.send(req).await
    }

    pub async fn post_form(&mut self, path: &str, form: &[(&str, &str)]) -> Page {
        let body: String = form_urlencoded::Serializer::new(String::new())
            .extend_pairs(form)
            .finish();
        let req = self
            .http
            .post(self.url(path))
            .header("content-type", "application/x-www-form-urlencoded")
            .body(body);
        self.send(req).await
    }

    /// `/authorize` with `params`.
    pub async fn authorize(&mut self, params: &[(&str, &str)]) -> Page {
        let q: String = form_urlencoded::Serializer::new(String::new())
            .extend_pairs(params)
            .finish();
        self.get(&format!("/authorize?{q}")).await
    }

    /// Goes through the login page with `email`/`password` from a redirect to it.
    pub async fn submit_login(&mut self, to_login: &Page, email: &str, password: &str) -> Page {
        assert_eq!(to_login.status, StatusCode::FOUND, "{}", to_login.body);
        let loc = to_login.location.clone().unwrap();
        assert!(loc.contains("/u/login?state="), "{loc}");
        let page = self.get(&loc).await;
        assert_eq!(page.status, StatusCode::OK);
        let state = page.input("state");
        let csrf = page.input("csrf");
        self.post_form(
            "/u/login",
            &[
                ("state", &state),
                ("csrf", &csrf),
                ("username", email),
                ("password", password),
            ],
        )
        .await
    }
}

/// An SPA application (public, PKCE) with our callback and origin; returns its id.
pub async fn spa(srv: &TestServer, extra: Value) -> String {
    let mut body = json!({
        "name": "Shop", "app_type": "spa",
        "callbacks": [CALLBACK], "allowed_logout_urls": ["https://app.example/bye"],
        "web_origins": ["https://app.example"],
    });
    body.as_object_mut()
        .unwrap()
        .extend(extra.as_object().unwrap().clone());
    let (st, c) = srv.api(Method::POST, "/clients", Some(body)).await;
    assert_eq!(st, StatusCode::CREATED, "{c}");
    c["client_id"].as_str().unwrap().to_string()
}

/// A user of the database connection; returns the user id.
pub async fn user(srv: &TestServer, email: &str) -> String {
    let (st, u) = srv
        .api(
            Method::POST,
            "/users",
            Some(json!({"connection": "Username-Password-Authentication", "email": email, "password": PASSWORD,
                        "name": "Ada Lovelace", "given_name": "Ada", "family_name": "Lovelace", "email_verified": true})),
        )
        .await;
    assert_eq!(st, StatusCode::CREATED, "{u}");
    u["user_id"].as_str().unwrap().to_string()
}

/// The standard code + PKCE request parameters for `client_id`.
pub fn code_params<'a>(
    client_id: &'a str,
    extra: &[(&'a str, &'a str)],
) -> Vec<(&'a str, &'a str)> {
    let mut v = vec![
        ("client_id", client_id),
        ("redirect_uri", CALLBACK),
        ("response_type", "code"),
        ("scope", "openid profile email"),
        ("state", "st4te"),
        ("nonce", "n0nce"),
        ("code_challenge", CHALLENGE),
        ("code_challenge_method", "S256"),
    ];
    for (k, val) in extra {
        v.retain(|(ek, _)| ek != k);
        v.push((k, val));
    }
    v
}

/// Exchanges `code` as the public client `client_id`.
pub async fn exchange(srv: &TestServer, client_id: &str, code: &str) -> (StatusCode, Value) {
    let (st, body, _) = srv
        .token_form(&[
            ("grant_type", "authorization_code"),
            ("client_id", client_id),
            ("code", code),
            ("redirect_uri", CALLBACK),
            ("code_verifier", VERIFIER),
        ])
        .await;
    (st, body)
}
