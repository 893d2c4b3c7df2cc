//! The hosted pages' templates, compiled once (minijinja). Every template is
//! `*.html`, so every value is HTML-escaped; the one unescaped value is the
//! `base` global, the issuer's validated path. Turning a rendering into an HTTP
//! response is `http::pages`'s.

use minijinja::Environment;
use serde::Serialize;

/// The compiled templates.
pub struct Templates {
    env: Environment<'static>,
}

const TEMPLATES: &[(&str, &str)] = &[
    ("base.html", include_str!("http/pages/templates/base.html")),
    (
        "login.html",
        include_str!("http/pages/templates/login.html"),
    ),
    (
        "signup.html",
        include_str!("http/pages/templates/signup.html"),
    ),
    (
        "consent.html",
        include_str!("http/pages/templates/consent.html"),
    ),
    (
        "message.html",
        include_str!("http/pages/templates/message.html"),
    ),
    (
        "reset.html",
        include_str!("http/pages/templates/reset.html"),
    ),
    (
        "forgot.html",
        include_str!("http/pages/templates/forgot.html"),
    ),
    (
        "unblock.html",
        include_str!("http/pages/templates/unblock.html"),
    ),
    ("mfa.html", include_str!("http/pages/templates/mfa.html")),
    (
        "device.html",
        include_str!("http/pages/templates/device.html"),
    ),
    (
        "passwordless.html",
        include_str!("http/pages/templates/passwordless.html"),
    ),
    (
        "organization.html",
        include_str!("http/pages/templates/organization.html"),
    ),
    (
        "organization_selection.html",
        include_str!("http/pages/templates/organization_selection.html"),
    ),
    (
        "passkey.html",
        include_str!("http/pages/templates/passkey.html"),
    ),
    (
        "continue.html",
        include_str!("http/pages/templates/continue.html"),
    ),
    (
        "form_post.html",
        include_str!("http/pages/templates/form_post.html"),
    ),
    (
        "web_message.html",
        include_str!("http/pages/templates/web_message.html"),
    ),
];

impl Templates {
    /// `base` is the issuer's path without its trailing `/` (`""` or `/auth`):
    /// every link and form action in the pages starts with it.
    pub fn new(base: &str) -> Self {
        let mut env = Environment::new();
        for (name, source) in TEMPLATES {
            env.add_template(name, source)
                .expect("built-in templates are valid");
        }
        // Safe to write unescaped: `config::normalize_issuer` admits only
        // unreserved characters, `%` and `/` in the issuer's path (and `/`
        // would otherwise be written `&#x2f;`).
        env.add_global("base", minijinja::Value::from_safe_string(base.to_string()));
        Self { env }
    }

    /// Renders `name` with `ctx`; a failure is logged and is `None` (never
    /// template source or detail).
    pub fn render<S: Serialize>(&self, name: &str, ctx: S) -> Option<String> {
        self.env
            .get_template(name)
            .and_then(|t| t.render(minijinja::Value::from(minijinja::value::Serde(&ctx))))
            .map_err(|e| {
                tracing::error!(error = %e, template = name, "template rendering failed");
            })
            .ok()
    }
}
