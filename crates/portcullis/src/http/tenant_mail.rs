//! The tenant's version of a mail: its e-mail template of that name, when it
//! has one and it is enabled, rendered for this user and link
//! (`crate::mail_templates`). `None` means the built-in mail is sent. A
//! template that fails to render at send time (it parsed when saved) is
//! logged and the built-in mail goes instead: the user still gets the link.

use portcullis_core::email_templates::{EmailTemplate, TemplateName};
use portcullis_core::users::User;

use crate::app::AppState;
use crate::audit::{Code, Event};
use crate::mail_templates::{self, Rendered, Vars};

/// The enabled template of this name, if any.
pub async fn enabled(app: &AppState, name: TemplateName) -> Option<EmailTemplate> {
    match app.store.get_email_template(name).await {
        Ok(t) => t.filter(|t| t.enabled),
        Err(e) => {
            tracing::error!(error = %e, template = name.as_str(), "could not read the e-mail template");
            None
        }
    }
}

/// `template` rendered for `user`, with `url` and the application `client_id`.
pub async fn render(
    app: &AppState,
    template: &EmailTemplate,
    user: &User,
    url: Option<&str>,
    client_id: Option<&str>,
) -> Option<Rendered> {
    let client = match client_id {
        Some(id) => app.client(id).await.ok().flatten().map(|(c, _)| c),
        None => None,
    };
    let settings = app.settings().await.unwrap_or_default();
    let branding = app.look().await.mail_branding();
    let vars = Vars {
        user: Some(user),
        url,
        application: client.as_ref(),
        tenant: app.store.id(),
        settings: &settings,
        branding: &branding,
        invitation: None,
    };
    match mail_templates::render(template, &vars) {
        Ok(r) => Some(r),
        Err(e) => {
            tracing::error!(error = %e, template = template.template.as_str(), "the e-mail template did not render; the built-in mail is sent");
            None
        }
    }
}

/// The rendered template of this name when the tenant has one enabled.
pub async fn rendered(
    app: &AppState,
    name: TemplateName,
    user: &User,
    url: Option<&str>,
    client_id: Option<&str>,
) -> Option<Rendered> {
    let t = enabled(app, name).await?;
    render(app, &t, user, url, client_id).await
}

/// A mail carrying a link (verification, reset), and how to audit it.
pub struct LinkMail<'a> {
    pub user: &'a User,
    pub client_id: Option<&'a str>,
    pub link: &'a str,
    /// The tenant's template that replaces the built-in mail when enabled.
    pub template: TemplateName,
    /// The built-in mail: subject, plain text and HTML (already escaped).
    pub subject: &'a str,
    pub text: &'a str,
    pub html: &'a str,
    /// What the mail is, for the log ("the password-reset e-mail").
    pub what: &'a str,
    /// The audit events of a sent and a failed mail (a failure is always
    /// audited as `fn` besides); `None` where Auth0 has no such event.
    pub sent: Option<(Code, &'a str)>,
    pub failed: Option<(Code, &'a str)>,
}

/// Sends `m` (the tenant's template when enabled, else the built-in mail) and
/// audits the outcome: its `sent` event, or `fn` and its `failed` event; a
/// failure is never recorded as success. Whether the mail went out.
pub async fn send_link_mail(app: &AppState, m: LinkMail<'_>) -> bool {
    let user = m.user;
    let custom = rendered(app, m.template, user, Some(m.link), m.client_id).await;
    let msg = match &custom {
        Some(r) => crate::mailer::Message {
            to: &user.email,
            subject: &r.subject,
            body: &r.text,
            html: Some(&r.html),
            from: Some(&r.from),
        },
        None => crate::mailer::Message {
            to: &user.email,
            subject: m.subject,
            body: m.text,
            html: Some(m.html),
            from: None,
        },
    };
    let sent = app.send_mail(msg).await;
    if let Err(e) = &sent {
        tracing::error!(error = %e, what = m.what, "could not send the e-mail");
        app.audit(Event {
            client_id: m.client_id,
            user_id: Some(&user.user_id),
            user_name: Some(&user.email),
            details: Some(serde_json::json!({"error": e.to_string()})),
            ..Event::new(Code::Fn, &format!("Failed to send {}", m.what))
        })
        .await;
    }
    if let Some((code, description)) = if sent.is_ok() { m.sent } else { m.failed } {
        app.audit(Event {
            client_id: m.client_id,
            user_id: Some(&user.user_id),
            user_name: Some(&user.email),
            ..Event::new(code, description)
        })
        .await;
    }
    sent.is_ok()
}

/// "one hour", "24 hours", "5 days": how long a link works, for a built-in mail.
pub fn lifetime(ttl: i64) -> String {
    let hours = (ttl + 3599) / 3600;
    match hours {
        ..=1 => "one hour".to_string(),
        2..=48 => format!("{hours} hours"),
        _ => format!("{} days", (hours + 23) / 24),
    }
}

/// A built-in link mail's HTML part in the tenant's look (its logo, its
/// primary colour where readable): `lead` (with `email`), the link as a
/// button labelled `button`, then `tail`; the address and link escaped.
pub fn link_html(
    look: &crate::templates::Look,
    lead: &str,
    email: &str,
    button: &str,
    link: &str,
    tail: &str,
) -> String {
    let esc = crate::mail_templates::escape;
    format!(
        "<!doctype html><html><body style=\"font-family:sans-serif;color:#1a1a1a\">{}<p>{}</p><p><a href=\"{}\" style=\"color:{}\">{button}</a></p><p>{tail}</p></body></html>",
        look.mail_header(),
        lead.replace("{email}", &esc(email)),
        esc(link),
        look.mail_link_colour(),
    )
}

/// Sends an organization invitation to its invitee: the tenant's
/// `user_invitation` template when enabled, else the built-in mail. Audited
/// as a failed send (`fn`) when it does not go out; the invitation stands
/// either way (its link is in the Management API's answer).
pub async fn send_invitation(
    app: &AppState,
    inv: &portcullis_core::organizations::Invitation,
    org: &portcullis_core::organizations::Organization,
    client: &portcullis_core::clients::Client,
    url: &str,
) -> bool {
    let mut roles = Vec::new();
    for r in &inv.roles {
        if let Ok(Some(role)) = app.store.get_role(r).await {
            roles.push(role);
        }
    }
    let settings = app.settings().await.unwrap_or_default();
    let custom = match enabled(app, TemplateName::UserInvitation).await {
        Some(t) => {
            let branding = app.look().await.mail_branding();
            let vars = Vars {
                user: None,
                url: Some(url),
                application: Some(client),
                tenant: app.store.id(),
                settings: &settings,
                branding: &branding,
                invitation: Some(mail_templates::InvitationVars {
                    organization: org,
                    inviter: &inv.inviter.name,
                    invitee: &inv.invitee.email,
                    roles: &roles,
                }),
            };
            match mail_templates::render(&t, &vars) {
                Ok(r) => Some(r),
                Err(e) => {
                    tracing::error!(error = %e, "the user_invitation template did not render; the built-in mail is sent");
                    None
                }
            }
        }
        None => None,
    };
    let subject = format!(
        "{} has invited you to join {}",
        inv.inviter.name,
        org.shown_name()
    );
    let text = format!(
        "{} has invited you to join {} on {}.\r\n\r\nAccept the invitation: {url}\r\n\r\nThe invitation works for {}. If you were not expecting it, ignore this e-mail.",
        inv.inviter.name,
        org.shown_name(),
        client.name,
        lifetime(inv.expires_at - inv.created_at),
    );
    let esc = crate::mail_templates::escape;
    let look = app.look().await;
    let html = format!(
        "<!doctype html><html><body style=\"font-family:sans-serif;color:#1a1a1a\">{}<p>{} has invited you to join {} on {}.</p><p><a href=\"{}\" style=\"color:{}\">Accept the invitation</a></p><p>The invitation works for {}. If you were not expecting it, ignore this e-mail.</p></body></html>",
        look.mail_header(),
        esc(&inv.inviter.name),
        esc(org.shown_name()),
        esc(&client.name),
        esc(url),
        look.mail_link_colour(),
        lifetime(inv.expires_at - inv.created_at),
    );
    let msg = match &custom {
        Some(r) => crate::mailer::Message {
            to: &inv.invitee.email,
            subject: &r.subject,
            body: &r.text,
            html: Some(&r.html),
            from: Some(&r.from),
        },
        None => crate::mailer::Message {
            to: &inv.invitee.email,
            subject: &subject,
            body: &text,
            html: Some(&html),
            from: None,
        },
    };
    match app.send_mail(msg).await {
        Ok(()) => true,
        Err(e) => {
            tracing::error!(error = %e, "could not send the organization invitation");
            app.audit(Event {
                client_id: Some(&client.client_id),
                user_name: Some(&inv.invitee.email),
                details: Some(
                    serde_json::json!({"error": e.to_string(), "organization_id": org.id}),
                ),
                ..Event::new(Code::Fn, "Failed to send the organization invitation")
            })
            .await;
            false
        }
    }
}
