//! `portcullis settings`, `portcullis email-templates` and `portcullis
//! email-provider`: the tenant's settings, its e-mail templates and its SMTP
//! relay, over the Management API of a running server (as `apps`, `roles` and
//! the rest).

use clap::Subcommand;
use reqwest::Method;
use serde_json::{Map, Value, json};

use super::output::{print, record};
use super::remote::{CliError, Remote};

#[derive(Debug, Subcommand)]
pub enum Settings {
    /// Show the tenant's settings.
    Show,
    /// Change some of them, e.g.
    /// --data '{"session_lifetime": 24, "default_audience": "https://api.example/"}'.
    Update {
        /// The fields to change, as a JSON object (Auth0's names).
        #[arg(long, value_name = "JSON")]
        data: String,
    },
}

#[derive(Debug, Subcommand)]
pub enum EmailTemplates {
    /// Show a template (verify_email, reset_email, welcome_email, …).
    Show {
        /// The template's name.
        name: String,
    },
    /// Create or replace a template from a file of Liquid HTML.
    Set {
        /// The template's name.
        name: String,
        /// The sender, e.g. 'Shop <no-reply@shop.example>'.
        #[arg(long)]
        from: String,
        /// The subject line (Liquid).
        #[arg(long)]
        subject: String,
        /// A file holding the body (Liquid HTML).
        #[arg(long, value_name = "FILE")]
        body_file: std::path::PathBuf,
        /// Leave it stored but unused (the built-in mail goes out).
        #[arg(long)]
        disabled: bool,
    },
}

#[derive(Debug, Subcommand)]
pub enum EmailProvider {
    /// Show the SMTP relay (never its password).
    Show,
    /// Set up or change the relay. Fields left out keep their stored values.
    Set {
        /// The relay's host name (TLS is required unless it is this machine).
        #[arg(long)]
        host: Option<String>,
        /// The relay's port, e.g. 587.
        #[arg(long)]
        port: Option<u16>,
        /// The user name to log in with.
        #[arg(long)]
        user: Option<String>,
        /// A file holding the password (`/dev/stdin` to pipe it in), so it
        /// never appears among the process's arguments.
        #[arg(long, value_name = "FILE")]
        password_file: Option<std::path::PathBuf>,
        /// The sender when a template names none.
        #[arg(long)]
        from: Option<String>,
        /// Keep it stored but unused (mail goes through the server's settings).
        #[arg(long)]
        disabled: bool,
    },
    /// Remove the relay (mail goes through the server's own settings again).
    Remove,
}

fn object(raw: &str) -> Result<Value, CliError> {
    match serde_json::from_str::<Value>(raw) {
        Ok(v @ Value::Object(_)) => Ok(v),
        Ok(_) => Err(CliError::Usage("--data must be a JSON object".into())),
        Err(e) => Err(CliError::Usage(format!("--data is not valid JSON: {e}"))),
    }
}

pub async fn settings(r: &mut Remote, json_out: bool, cmd: Settings) -> Result<(), CliError> {
    let first = [
        "friendly_name",
        "default_audience",
        "default_directory",
        "session_lifetime",
        "idle_session_lifetime",
    ];
    let v = match cmd {
        Settings::Show => r.call(Method::GET, "/tenants/settings", None).await?,
        Settings::Update { data } => {
            r.call(Method::PATCH, "/tenants/settings", Some(object(&data)?))
                .await?
        }
    };
    print(json_out, &v, |v| record(v, &first));
    Ok(())
}

pub async fn email_templates(
    r: &mut Remote,
    json_out: bool,
    cmd: EmailTemplates,
) -> Result<(), CliError> {
    let first = ["template", "enabled", "from", "subject"];
    let v = match cmd {
        EmailTemplates::Show { name } => {
            let path: String = form_urlencoded::byte_serialize(name.as_bytes()).collect();
            r.call(Method::GET, &format!("/email-templates/{path}"), None)
                .await?
        }
        EmailTemplates::Set {
            name,
            from,
            subject,
            body_file,
            disabled,
        } => {
            let body = std::fs::read_to_string(&body_file).map_err(|e| {
                CliError::Usage(format!("cannot read {}: {e}", body_file.display()))
            })?;
            let mut t = Map::new();
            t.insert("from".into(), json!(from));
            t.insert("subject".into(), json!(subject));
            t.insert("body".into(), json!(body));
            t.insert("syntax".into(), json!("liquid"));
            t.insert("enabled".into(), json!(!disabled));
            let path: String = form_urlencoded::byte_serialize(name.as_bytes()).collect();
            r.call(
                Method::PUT,
                &format!("/email-templates/{path}"),
                Some(Value::Object(t)),
            )
            .await?
        }
    };
    print(json_out, &v, |v| record(v, &first));
    Ok(())
}

pub async fn email_provider(
    r: &mut Remote,
    json_out: bool,
    cmd: EmailProvider,
) -> Result<(), CliError> {
    let first = ["name", "enabled", "default_from_address"];
    let v = match cmd {
        EmailProvider::Show => r.call(Method::GET, "/emails/provider", None).await?,
        EmailProvider::Remove => {
            r.call(Method::DELETE, "/emails/provider", None).await?;
            json!({"removed": true})
        }
        EmailProvider::Set {
            host,
            port,
            user,
            password_file,
            from,
            disabled,
        } => {
            let mut credentials = Map::new();
            if let Some(h) = host {
                credentials.insert("smtp_host".into(), json!(h));
            }
            if let Some(p) = port {
                credentials.insert("smtp_port".into(), json!(p));
            }
            if let Some(u) = user {
                credentials.insert("smtp_user".into(), json!(u));
            }
            if let Some(file) = password_file {
                let raw = std::fs::read_to_string(&file)
                    .map_err(|e| CliError::Usage(format!("cannot read {}: {e}", file.display())))?;
                // One trailing line break is the file's, not the password's.
                let pass = raw
                    .strip_suffix('\n')
                    .map(|p| p.strip_suffix('\r').unwrap_or(p))
                    .unwrap_or(&raw);
                credentials.insert("smtp_pass".into(), json!(pass));
            }
            let mut body = Map::new();
            body.insert("name".into(), json!("smtp"));
            body.insert("enabled".into(), json!(!disabled));
            if let Some(f) = from {
                body.insert("default_from_address".into(), json!(f));
            }
            if !credentials.is_empty() {
                body.insert("credentials".into(), Value::Object(credentials));
            }
            // Auth0's API: POST sets up, PATCH changes what is there.
            let exists = match r.call(Method::GET, "/emails/provider", None).await {
                Ok(_) => true,
                Err(CliError::Api { status: 404, .. }) => false,
                Err(e) => return Err(e),
            };
            let method = if exists { Method::PATCH } else { Method::POST };
            r.call(method, "/emails/provider", Some(Value::Object(body)))
                .await?
        }
    };
    print(json_out, &v, |v| record(v, &first));
    Ok(())
}
