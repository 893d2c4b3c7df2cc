//! The hosted pages' templates, compiled once (minijinja). Every template is
//! `*.html`, so every value is HTML-escaped; the one unescaped value is the
//! `base` global, the issuer's validated path. Turning a rendering into an HTTP
//! response is `http::pages`'s.
//!
//! The tenant's look (`Look`: its branding and Universal Login page template)
//! is applied to every page here: `brand` in each page's context (base.html
//! links the generated stylesheet, favicon and logo), and, when the tenant
//! saved a page template, the page's head and body put in place of its
//! `auth0:head` and `auth0:widget` tags. Values given to the tenant's Liquid
//! are HTML-escaped first (and `url_decode`, which would undo that, is
//! refused); the template's `<style>` blocks hold no Liquid and are allowed
//! by the hashes taken when it was saved (`Layout::style_hashes`), nothing
//! else inline.

use std::sync::{Arc, RwLock};

use aws_lc_rs::digest;
use base64::Engine;
use base64::engine::general_purpose::STANDARD;
use minijinja::Environment;
use portcullis_core::branding::{Branding, Piece};
use serde::Serialize;
use serde_json::{Value, json};

/// The compiled templates, and the tenant's look.
pub struct Templates {
    env: Environment<'static>,
    look: Arc<RwLock<Arc<Look>>>,
    /// Marks standing for the two Auth0 tags while Liquid renders the
    /// tenant's template (random, so no value can forge one).
    marks: (String, String),
}

/// Pages that are not pages people read (they post or message the answer
/// to the application at once): never in the tenant's template.
const STANDALONE: &[&str] = &["form_post.html", "web_message.html"];

/// The tenant's look as the pages use it.
#[derive(Default)]
pub struct Look {
    /// The configuration generation it was read at.
    pub generation: Option<i64>,
    /// What base.html reads (`brand.logo_url`, `.favicon_url`, `.css`, `.v`).
    brand: Value,
    /// `/u/branding.css`.
    pub css: String,
    /// The font's origin (the CSP's `font-src`).
    font_origin: Option<String>,
    /// The tenant's page template, parsed.
    layout: Option<Arc<Layout>>,
    /// Liquid's `branding` and `tenant`.
    globals: Value,
    /// Auth0's `identifier_first`: the login asks for the address first.
    pub identifier_first: bool,
    /// The tenant's custom text: language → message id → text.
    custom_text: std::collections::HashMap<String, std::collections::HashMap<String, String>>,
}

impl Look {
    /// The text `id` in `lang`: the tenant's custom text for it, else the
    /// catalogue's (English when `lang` lacks it), else the id itself.
    pub fn text(&self, lang: &str, id: &str, args: &[(&str, String)]) -> String {
        if let Some(custom) = self.custom_text.get(lang).and_then(|m| m.get(id)) {
            return crate::i18n::fill(custom, args);
        }
        crate::i18n::text(lang, id, args).unwrap_or_else(|| id.to_string())
    }

    /// The stylesheet's version (in its link).
    pub fn version(&self) -> &str {
        self.brand
            .get("v")
            .and_then(Value::as_str)
            .unwrap_or_default()
    }

    /// Mail templates' `branding` (logo, colours).
    pub fn mail_branding(&self) -> Value {
        self.globals.get("branding").cloned().unwrap_or(Value::Null)
    }

    /// The built-in mails' header: the tenant's logo, when it has one.
    pub fn mail_header(&self) -> String {
        match self.brand.get("logo_url").and_then(Value::as_str) {
            Some(url) => format!(
                "<p><img src=\"{}\" alt=\"\" height=\"48\"></p>",
                crate::mail_templates::escape(url)
            ),
            None => String::new(),
        }
    }

    /// The built-in mails' link colour: the primary colour when it reads on
    /// white at WCAG AA (4.5:1), else the built-in blue.
    pub fn mail_link_colour(&self) -> String {
        let primary = self
            .globals
            .pointer("/branding/colors/primary")
            .and_then(Value::as_str)
            .filter(|c| portcullis_core::branding::valid_colour(c))
            .map(portcullis_core::branding::long_hex);
        match primary {
            Some(p) if portcullis_core::branding::text_on(&p) == "#ffffff" => p,
            _ => "#1f4fbf".into(),
        }
    }
}

/// The tenant's page template, checked and parsed.
pub struct Layout {
    /// The template as stored (a reload with the same text reuses this).
    source: String,
    template: liquid::Template,
    /// The CSP sources of its `<style>` blocks: static text (no Liquid may
    /// be inside one), so hashed once, and a style block a value could make
    /// at render time (it cannot: values are escaped) would have no hash.
    style_hashes: Vec<String>,
}

/// A rendered page and what its CSP must add.
pub struct Rendered {
    pub html: String,
    /// `'sha256-…'` sources of the tenant template's `<style>` blocks.
    pub style_hashes: Vec<String>,
    /// The branding font's origin.
    pub font_origin: Option<String>,
}

fn liquid_parser() -> Result<liquid::Parser, String> {
    liquid::ParserBuilder::with_stdlib()
        .build()
        .map_err(|e| e.to_string())
}

/// Every string in `v`, HTML-escaped (the tenant's Liquid prints values raw).
fn escaped(v: &Value) -> Value {
    match v {
        Value::String(s) => Value::String(crate::mail_templates::escape(s)),
        Value::Array(a) => Value::Array(a.iter().map(escaped).collect()),
        Value::Object(m) => Value::Object(
            m.iter()
                .map(|(k, v)| (crate::mail_templates::escape(k), escaped(v)))
                .collect(),
        ),
        other => other.clone(),
    }
}

/// Every variable a page gives the tenant's template, with sample values:
/// outside an organization, then inside one (a template must render in both).
fn sample_globals() -> [Value; 2] {
    let look = json!({"branding": {"logo_url": null, "colors": {"primary": null, "page_background": null}},
                      "tenant": {"friendly_name": ""}});
    let client = json!({"name": "", "logo_uri": null});
    [
        page_globals(&look, "login", &client, &Value::Null),
        page_globals(
            &look,
            "login",
            &client,
            &json!({"id": "", "display_name": "", "logo_url": null}),
        ),
    ]
}

/// Refuses Liquid inside a `<style>` block: its text must be the same on
/// every page, so that its hash in the CSP is known when the template is
/// saved.
fn static_styles(template: &str) -> Result<(), String> {
    let lower = template.to_ascii_lowercase();
    let mut at = 0;
    while let Some(open) = lower[at..].find("<style") {
        let start = at + open;
        let end = lower[start..]
            .find("</style")
            .map_or(lower.len(), |e| start + e);
        let block = &template[start..end];
        if block.contains("{{") || block.contains("{%") {
            return Err("Payload validation error: a <style> block must not hold Liquid (its hash goes into the pages' Content-Security-Policy) on property template.".into());
        }
        at = end.max(start + 1);
    }
    Ok(())
}

/// Liquid's variables for a page: the look's (`branding`, `tenant`), then
/// `locale`, `dir`, `prompt.name`, `application` and, inside an
/// organization, `organization`.
fn page_globals(look: &Value, prompt: &str, client: &Value, org: &Value) -> Value {
    let mut g = look.clone();
    g["locale"] = json!(crate::i18n::current());
    g["dir"] = json!("ltr");
    g["prompt"] = json!({"name": prompt});
    g["application"] = json!({
        "name": client.get("name"),
        "logo_url": client.get("logo_uri"),
    });
    if !org.is_null() {
        g["organization"] = json!({
            "id": org.get("id"),
            "display_name": org.get("display_name"),
            "branding": {"logo_url": org.get("logo_url")},
        });
    }
    g
}

/// The text between `open` and `close` in `html` (our own base.html's).
fn between<'a>(html: &'a str, open: &str, close: &str) -> Option<&'a str> {
    let start = html.find(open)? + open.len();
    let end = html[start..].find(close)? + start;
    Some(&html[start..end])
}

/// The CSP sources of the `<style>` blocks in `html`.
fn style_hashes(html: &str) -> Vec<String> {
    let mut out = Vec::new();
    let lower = html.to_ascii_lowercase();
    let mut at = 0;
    while let Some(open) = lower[at..].find("<style") {
        let Some(gt) = lower[at + open..].find('>') else {
            break;
        };
        let body_start = at + open + gt + 1;
        let Some(close) = lower[body_start..].find("</style") else {
            break;
        };
        let body = &html[body_start..body_start + close];
        let d = digest::digest(&digest::SHA256, body.as_bytes());
        out.push(format!("'sha256-{}'", STANDARD.encode(d.as_ref())));
        at = body_start + close;
    }
    out
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
        "login_id.html",
        include_str!("http/pages/templates/login_id.html"),
    ),
    (
        "login_password.html",
        include_str!("http/pages/templates/login_password.html"),
    ),
    (
        "login_upstreams.html",
        include_str!("http/pages/templates/login_upstreams.html"),
    ),
    (
        "login_passkey.html",
        include_str!("http/pages/templates/login_passkey.html"),
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
        let look: Arc<RwLock<Arc<Look>>> = Arc::default();
        // `t("<screen>__<key>", name=value…)`: the text in the request's
        // language, the tenant's custom text first; escaped like any value.
        let texts = Arc::clone(&look);
        env.add_function(
            "t",
            move |id: &str, kwargs: minijinja::value::Kwargs| -> Result<String, minijinja::Error> {
                let mut args: Vec<(&str, String)> = Vec::new();
                for k in kwargs.args() {
                    let v: minijinja::Value = kwargs.get(k)?;
                    args.push((
                        k,
                        if v.is_undefined() || v.is_none() {
                            String::new()
                        } else {
                            v.to_string()
                        },
                    ));
                }
                let look = texts.read().map(|l| Arc::clone(&l)).unwrap_or_default();
                Ok(look.text(crate::i18n::current(), id, &args))
            },
        );
        env.add_function("lang", crate::i18n::current);
        let nonce = portcullis_core::random::hex(16);
        Self {
            env,
            look,
            marks: (
                format!("<!--portcullis-head-{nonce}-->"),
                format!("<!--portcullis-widget-{nonce}-->"),
            ),
        }
    }

    /// The look in use.
    pub fn look(&self) -> Arc<Look> {
        self.look.read().map(|l| Arc::clone(&l)).unwrap_or_default()
    }

    /// The text `id` in the request's language (for messages made in code).
    pub fn text(&self, id: &str, args: &[(&str, String)]) -> String {
        self.look().text(crate::i18n::current(), id, args)
    }

    /// The tenant's Universal Login template as Liquid, its two tags
    /// replaced by this node's marks: checked (`portcullis_core::branding::
    /// template_pieces`) and parsed, or why not.
    pub fn parse_layout(&self, template: &str) -> Result<Layout, String> {
        let pieces = portcullis_core::branding::template_pieces(template).map_err(|e| e.message)?;
        if crate::mail_templates::decodes_urls(template) {
            return Err(format!(
                "Payload validation error: {} on property template.",
                crate::mail_templates::NO_URL_DECODE
            ));
        }
        static_styles(template)?;
        let mut text = String::with_capacity(template.len() + 128);
        for p in pieces {
            match p {
                Piece::Liquid(t) => text.push_str(t),
                Piece::Head => text.push_str(&self.marks.0),
                Piece::Widget => text.push_str(&self.marks.1),
            }
        }
        let parsed = liquid_parser()?
            .parse(&text)
            .map_err(|e| format!("Payload validation error: the template is not valid Liquid: {e} on property template."))?;
        // Trial renders with every variable the pages give, inside an
        // organization and outside, so a template that names another
        // variable, or whose logic drops the widget, fails now rather than
        // on every page.
        for globals in sample_globals() {
            let object = liquid::to_object(&globals).map_err(|e| e.to_string())?;
            let out = parsed.render(&object).map_err(|e| {
                format!("Payload validation error: the template does not render: {e} (the variables are docs/branding.md's) on property template.")
            })?;
            self.marks_once(&out)
                .map_err(|e| format!("Payload validation error: {e} on property template."))?;
        }
        Ok(Layout {
            source: template.to_string(),
            template: parsed,
            style_hashes: style_hashes(template),
        })
    }

    /// The rendered template holds the head and the widget once each.
    fn marks_once(&self, out: &str) -> Result<(), String> {
        if out.matches(&self.marks.0).count() != 1 || out.matches(&self.marks.1).count() != 1 {
            return Err(
                "the rendered template must hold auth0:head and auth0:widget once each".into(),
            );
        }
        Ok(())
    }

    /// Makes `branding` and `template` (as stored at `generation`) the look
    /// of every page this node renders from now on.
    pub fn set_look(
        &self,
        generation: i64,
        branding: &Branding,
        template: Option<&str>,
        friendly_name: &str,
        custom_text: std::collections::HashMap<String, std::collections::HashMap<String, String>>,
        identifier_first: bool,
    ) {
        let current = self.look();
        if current.generation.is_some_and(|g| g > generation) {
            // A slower reload of an older generation.
            return;
        }
        let css = branding.stylesheet();
        let layout = template.and_then(|t| match &current.layout {
            Some(l) if l.source == t => Some(Arc::clone(l)),
            _ => self
                .parse_layout(t)
                .map(Arc::new)
                .map_err(|e| tracing::error!(error = %e, "the stored Universal Login template does not parse; pages use the built-in layout"))
                .ok(),
        });
        let d = digest::digest(&digest::SHA256, css.as_bytes());
        let brand = json!({
            "logo_url": branding.logo_url,
            "favicon_url": branding.favicon_url,
            "css": !css.is_empty(),
            "v": STANDARD.encode(&d.as_ref()[..6]).replace(['+', '/'], "_"),
        });
        let colors = branding.colors.as_ref();
        let globals = json!({
            "branding": {
                "logo_url": branding.logo_url,
                "colors": {
                    "primary": colors.and_then(|c| c.primary.clone()),
                    "page_background": colors.and_then(|c| c.page_background.clone()),
                },
            },
            "tenant": {"friendly_name": friendly_name},
        });
        let look = Look {
            generation: Some(generation),
            brand,
            css,
            font_origin: branding.font_origin(),
            layout,
            globals,
            custom_text,
            identifier_first,
        };
        if let Ok(mut l) = self.look.write() {
            *l = Arc::new(look);
        }
    }

    /// Renders `name` with `ctx`; a failure is logged and is `None` (never
    /// template source or detail).
    pub fn render<S: Serialize>(&self, name: &str, ctx: S) -> Option<String> {
        self.render_page(name, ctx).map(|r| r.html)
    }

    /// Renders `name` with `ctx` in the tenant's look.
    pub fn render_page<S: Serialize>(&self, name: &str, ctx: S) -> Option<Rendered> {
        let look = self.look();
        let ctx = minijinja::Value::from(minijinja::value::Serde(&ctx));
        let merged = minijinja::context! { brand => minijinja::Value::from(minijinja::value::Serde(&look.brand)), ..ctx.clone() };
        let html = self
            .env
            .get_template(name)
            .and_then(|t| t.render(merged))
            .map_err(|e| {
                tracing::error!(error = %e, template = name, "template rendering failed");
            })
            .ok()?;
        let plain = Rendered {
            html,
            style_hashes: Vec::new(),
            font_origin: look.font_origin.clone(),
        };
        let Some(layout) = look.layout.as_ref().filter(|_| !STANDALONE.contains(&name)) else {
            return Some(plain);
        };
        match self.in_layout(layout, &look, name, &ctx, &plain.html) {
            Ok(html) => Some(Rendered {
                style_hashes: layout.style_hashes.clone(),
                html,
                font_origin: look.font_origin.clone(),
            }),
            Err(e) => {
                tracing::error!(error = %e, template = name, "the Universal Login template failed; the built-in layout is used");
                Some(plain)
            }
        }
    }

    /// The page `html` (rendered from base.html) inside the tenant's template.
    fn in_layout(
        &self,
        layout: &Layout,
        look: &Look,
        name: &str,
        ctx: &minijinja::Value,
        html: &str,
    ) -> Result<String, String> {
        let head = between(html, "<head>", "</head>").ok_or("no head")?;
        let body = between(html, "<body>", "</body>").ok_or("no body")?;
        let field = |k: &str| -> Value {
            ctx.get_attr(k)
                .ok()
                .filter(|v| !v.is_undefined() && !v.is_none())
                .and_then(|v| serde_json::to_value(&v).ok())
                .unwrap_or(Value::Null)
        };
        let globals = page_globals(
            &look.globals,
            name.trim_end_matches(".html"),
            &field("client"),
            &field("org"),
        );
        let object = liquid::to_object(&escaped(&globals)).map_err(|e| e.to_string())?;
        let out = layout.template.render(&object).map_err(|e| e.to_string())?;
        self.marks_once(&out)?;
        Ok(out
            .replacen(&self.marks.0, head, 1)
            .replacen(&self.marks.1, body, 1))
    }
}
