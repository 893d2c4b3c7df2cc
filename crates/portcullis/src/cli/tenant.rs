//! `portcullis settings` and `portcullis email-templates`: the tenant's
//! settings and its e-mail templates, over the Management API of a running
//! server (as `apps`, `roles` and the rest).

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
