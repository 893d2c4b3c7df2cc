//! The tenant's e-mail templates (`portcullis_core::email_templates`) parsed
//! and rendered with Liquid, as Auth0 renders them.
//!
//! Invariants:
//! - A template that does not parse is refused when it is saved ([`check`]).
//! - Every value put into a template's HTML body is HTML-escaped first (the
//!   user's name, the link, the application's name…): the template's own
//!   markup is the tenant's, the data never becomes markup. (Auth0 leaves
//!   escaping to the template's author; a name like `<a href=…>` would be a
//!   link in the mail.) The subject gets the values unescaped: it is text.
//! - The plain-text part is the HTML with its tags removed and each link's
//!   address after its text.
//! - The `url_decode` filter is refused (when saved and when rendered): it
//!   would turn an escaped value back into markup (a user named
//!   `%3Ca href=…%3E` would become a link).

use portcullis_core::clients::Client;
use portcullis_core::email_templates::EmailTemplate;
use portcullis_core::tenant_settings::TenantSettings;
use portcullis_core::users::User;
use serde_json::{Value, json};

/// A template rendered for one message.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Rendered {
    pub from: String,
    pub subject: String,
    pub html: String,
    pub text: String,
}

/// What a template may use (Auth0's variables).
pub struct Vars<'a> {
    /// The user the mail is to; `None` for an invitation (its invitee has
    /// no account yet: `user.email` is their address).
    pub user: Option<&'a User>,
    /// The link the mail is for (verification, reset), if any.
    pub url: Option<&'a str>,
    pub application: Option<&'a Client>,
    pub tenant: &'a str,
    pub settings: &'a TenantSettings,
    /// The tenant's `branding` (logo, colours).
    pub branding: &'a Value,
    /// An organization invitation's own variables.
    pub invitation: Option<InvitationVars<'a>>,
}

/// Auth0's `user_invitation` variables: the organization (every template
/// may use it), who invites, and the roles offered.
pub struct InvitationVars<'a> {
    pub organization: &'a portcullis_core::organizations::Organization,
    pub inviter: &'a str,
    pub invitee: &'a str,
    pub roles: &'a [portcullis_core::roles::Role],
}

fn parser() -> Result<liquid::Parser, String> {
    liquid::ParserBuilder::with_stdlib()
        .build()
        .map_err(|e| e.to_string())
}

/// `source` uses the `url_decode` filter (between `|` and the filter's name
/// Liquid allows only spaces).
pub(crate) fn decodes_urls(source: &str) -> bool {
    source.split('|').skip(1).any(|after| {
        let name = after.trim_start();
        name.strip_prefix("url_decode")
            .is_some_and(|rest| !rest.starts_with(|c: char| c.is_alphanumeric() || c == '_'))
    })
}

pub(crate) const NO_URL_DECODE: &str =
    "the url_decode filter is not available: it would turn escaped values back into markup";

/// Whether the template's subject and body parse; the parser's message if not.
pub fn check(t: &EmailTemplate) -> Result<(), String> {
    if decodes_urls(&t.subject) || decodes_urls(&t.body) {
        return Err(NO_URL_DECODE.to_string());
    }
    // The sender must be one the mailer can write (RFC 5322), or every mail
    // of this template would fail.
    t.from
        .parse::<lettre::message::Mailbox>()
        .map_err(|e| format!("from is not an address the mailer can use ({e})"))?;
    let p = parser()?;
    p.parse(&t.subject)
        .map_err(|e| format!("the subject is not valid Liquid: {e}"))?;
    p.parse(&t.body)
        .map_err(|e| format!("the body is not valid Liquid: {e}"))?;
    Ok(())
}

/// `s` safe in HTML text and attribute values.
pub fn escape(s: &str) -> String {
    s.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace('"', "&quot;")
        .replace('\'', "&#39;")
}

/// Every string in `v`, HTML-escaped.
fn escaped(v: &Value) -> Value {
    match v {
        Value::String(s) => Value::String(escape(s)),
        Value::Array(a) => Value::Array(a.iter().map(escaped).collect()),
        // Keys too: printing an object (`{{ user.user_metadata }}`) prints them.
        Value::Object(m) => Value::Object(m.iter().map(|(k, v)| (escape(k), escaped(v))).collect()),
        other => other.clone(),
    }
}

fn globals(v: &Vars<'_>) -> Value {
    let user = match (v.user, &v.invitation) {
        (Some(u), _) => json!({
            "user_id": u.user_id,
            "email": u.email,
            "email_verified": u.email_verified,
            "name": u.name,
            "nickname": u.nickname,
            "given_name": u.given_name,
            "family_name": u.family_name,
            "picture": u.picture,
            "user_metadata": u.user_metadata,
            "app_metadata": u.app_metadata,
        }),
        (None, Some(i)) => json!({"email": i.invitee}),
        (None, None) => json!({}),
    };
    let mut out = json!({
        "user": user,
        "url": v.url,
        "application": v.application.map(|c| json!({"name": c.name, "clientID": c.client_id})),
        "tenant": v.tenant,
        "friendly_name": v.settings.friendly_name,
        "support_email": v.settings.support_email,
        "support_url": v.settings.support_url,
        "branding": v.branding,
    });
    if let Some(i) = &v.invitation {
        let o = i.organization;
        out["organization"] = json!({
            "id": o.id,
            "name": o.name,
            "display_name": o.shown_name(),
            "metadata": o.metadata,
            "branding": o.branding,
        });
        out["inviter"] = json!({"name": i.inviter});
        out["roles"] = i
            .roles
            .iter()
            .map(|r| json!({"id": r.id, "name": r.name, "description": r.description}))
            .collect();
    }
    out
}

fn render_one(p: &liquid::Parser, src: &str, data: &Value) -> Result<String, String> {
    let template = p.parse(src).map_err(|e| e.to_string())?;
    let object = liquid::to_object(data).map_err(|e| e.to_string())?;
    template.render(&object).map_err(|e| e.to_string())
}

/// The `href` of an `<a …>` tag's text, if it has one.
fn href_of(tag: &str) -> Option<&str> {
    let lower = tag.to_ascii_lowercase();
    if !lower.starts_with("a ") {
        return None;
    }
    let at = lower.find("href=\"")? + 6;
    let end = tag[at..].find('"')?;
    Some(&tag[at..at + end])
}

/// The HTML with its tags removed (a link's address written after its text,
/// so the plain part keeps it) and the common entities read back.
fn text_of(html: &str) -> String {
    let mut out = String::with_capacity(html.len());
    let mut tag = String::new();
    let mut in_tag = false;
    let mut link: Option<String> = None;
    for c in html.chars() {
        match c {
            '<' => {
                in_tag = true;
                tag.clear();
            }
            '>' if in_tag => {
                in_tag = false;
                if let Some(h) = href_of(&tag) {
                    link = Some(h.to_string());
                } else if tag.eq_ignore_ascii_case("/a")
                    && let Some(h) = link.take()
                {
                    out.push_str(&format!(" ({h})"));
                }
            }
            c if in_tag => tag.push(c),
            c => out.push(c),
        }
    }
    out.replace("&lt;", "<")
        .replace("&gt;", ">")
        .replace("&quot;", "\"")
        .replace("&#39;", "'")
        .replace("&amp;", "&")
        .lines()
        .map(str::trim)
        .filter(|l| !l.is_empty())
        .collect::<Vec<_>>()
        .join("\r\n")
}

/// Renders `t` for one message.
pub fn render(t: &EmailTemplate, vars: &Vars<'_>) -> Result<Rendered, String> {
    // Also here: a template saved before this rule was made.
    if decodes_urls(&t.subject) || decodes_urls(&t.body) {
        return Err(NO_URL_DECODE.to_string());
    }
    let p = parser()?;
    let data = globals(vars);
    let subject = render_one(&p, &t.subject, &data)?;
    let html = render_one(&p, &t.body, &escaped(&data))?;
    Ok(Rendered {
        from: t.from.clone(),
        subject: subject.replace(['\r', '\n'], " ").trim().to_string(),
        text: text_of(&html),
        html,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use portcullis_core::email_templates::EmailTemplatePayload;

    fn template(subject: &str, body: &str) -> EmailTemplate {
        serde_json::from_value::<EmailTemplatePayload>(json!({"template": "verify_email", "body": body,
            "from": "Shop <no-reply@shop.example>", "subject": subject, "syntax": "liquid", "enabled": true}))
        .unwrap()
        .into_template(None)
        .unwrap()
    }

    fn user(name: &str) -> User {
        let mut u = serde_json::from_value::<portcullis_core::users::UserCreate>(json!({
            "connection": "Username-Password-Authentication", "email": "ada@example.com", "password": "Corr3ct-horse"
        }))
        .unwrap()
        .into_user(&portcullis_core::users::DatabaseConnection::preview(), "auth0|1".into(), "https://id.example/", 0)
        .unwrap()
        .0;
        u.name = name.into();
        u
    }

    #[test]
    fn values_are_escaped_in_the_body_not_in_the_subject() {
        let t = template(
            "Welcome {{ user.name }}",
            "<p>Hi {{ user.name }}, <a href=\"{{ url }}\">verify</a></p>",
        );
        let u = user("<b>Ada</b>");
        let settings = TenantSettings::default();
        let r = render(
            &t,
            &Vars {
                user: Some(&u),
                url: Some("https://id.example/v?a=1&b=2"),
                application: None,
                tenant: "t",
                settings: &settings,
                branding: &Value::Null,
                invitation: None,
            },
        )
        .unwrap();
        assert_eq!(r.subject, "Welcome <b>Ada</b>");
        assert!(r.html.contains("Hi &lt;b&gt;Ada&lt;/b&gt;"), "{}", r.html);
        assert!(
            r.html.contains("href=\"https://id.example/v?a=1&amp;b=2\""),
            "{}",
            r.html
        );
        assert_eq!(
            r.text,
            "Hi <b>Ada</b>, verify (https://id.example/v?a=1&b=2)"
        );
    }

    #[test]
    fn url_decode_is_refused_however_it_is_spaced() {
        for body in [
            "{{ user.name | url_decode }}",
            "{{ user.name|url_decode }}",
            "{% assign n = user.name |\n url_decode %}{{ n }}",
        ] {
            assert!(check(&template("s", body)).is_err(), "{body}");
            assert!(decodes_urls(body), "{body}");
        }
        assert!(!decodes_urls(
            "{{ url | url_encode }} {{ x | url_decoded_not }}"
        ));
        let t = template("s", "<p>{{ user.name }}</p>");
        assert!(check(&t).is_ok());
    }

    #[test]
    fn a_template_that_does_not_parse_is_refused() {
        assert!(check(&template("ok", "{% if %}")).is_err());
        assert!(check(&template("{{ unclosed", "ok")).is_err());
        assert!(
            check(&template(
                "Hi {{ user.email }}",
                "{% if user.email_verified %}yes{% endif %}"
            ))
            .is_ok()
        );
    }
}
