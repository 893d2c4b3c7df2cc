//! The tenant's version of a mail: its e-mail template of that name, when it
//! has one and it is enabled, rendered for this user and link
//! (`crate::mail_templates`). `None` means the built-in mail is sent. A
//! template that fails to render at send time (it parsed when saved) is
//! logged and the built-in mail goes instead: the user still gets the link.

use portcullis_core::email_templates::{EmailTemplate, TemplateName};
use portcullis_core::users::User;

use crate::app::AppState;
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
    let vars = Vars {
        user,
        url,
        application: client.as_ref(),
        tenant: app.store.id(),
        settings: &settings,
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
