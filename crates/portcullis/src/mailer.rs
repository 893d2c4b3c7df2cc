//! Outgoing e-mail: through an SMTP relay when `PORTCULLIS_SMTP_URL` is set
//! (lettre, rustls on aws-lc-rs), otherwise written as RFC 5322 files to
//! `<data dir>/outbox/`, where an operator or a test can read them.

use std::path::PathBuf;

use lettre::message::Mailbox;
use lettre::{AsyncSmtpTransport, AsyncTransport, Tokio1Executor};

use crate::config::Config;

pub struct Message<'a> {
    pub to: &'a str,
    pub subject: &'a str,
    pub body: &'a str,
}

pub enum Mailer {
    Outbox {
        dir: PathBuf,
        from: String,
    },
    Smtp {
        transport: AsyncSmtpTransport<Tokio1Executor>,
        from: Mailbox,
    },
}

#[derive(Debug, thiserror::Error)]
pub enum MailError {
    #[error("invalid configuration: smtp_url (PORTCULLIS_SMTP_URL): {0}")]
    Config(String),
    #[error("invalid recipient address")]
    Recipient,
    #[error("could not build the message: {0}")]
    Build(String),
    #[error("SMTP: {0}")]
    Smtp(String),
    #[error("outbox: {0}")]
    Io(#[from] std::io::Error),
}

impl Mailer {
    pub fn from_config(config: &Config) -> Result<Self, MailError> {
        match &config.smtp_url {
            None => Ok(Mailer::Outbox {
                dir: config.data_dir.join("outbox"),
                from: config.smtp_from.clone(),
            }),
            Some(url) => {
                let transport = AsyncSmtpTransport::<Tokio1Executor>::from_url(url.expose())
                    .map_err(|e| MailError::Config(e.to_string()))?
                    .build();
                let from = config
                    .smtp_from
                    .parse()
                    .map_err(|e: lettre::address::AddressError| MailError::Config(e.to_string()))?;
                Ok(Mailer::Smtp { transport, from })
            }
        }
    }

    /// Sends `msg`.
    pub async fn send(&self, msg: Message<'_>, now: i64) -> Result<(), MailError> {
        match self {
            Mailer::Outbox { dir, from } => {
                std::fs::create_dir_all(dir)?;
                let path = dir.join(format!("{now}-{}.eml", portcullis_core::random::hex(6)));
                // Header values are single lines: nothing may start a new header.
                let clean = |s: &str| s.replace(['\r', '\n'], " ");
                let text = format!(
                    "From: {}\r\nTo: {}\r\nSubject: {}\r\nDate: {}\r\nContent-Type: text/plain; charset=utf-8\r\n\r\n{}\r\n",
                    clean(from),
                    clean(msg.to),
                    clean(msg.subject),
                    portcullis_core::clock::iso8601(now),
                    msg.body
                );
                crate::keyring::write_private_file(&path, text.as_bytes())?;
                Ok(())
            }
            Mailer::Smtp { transport, from } => {
                let to: Mailbox = msg.to.parse().map_err(|_| MailError::Recipient)?;
                let email = lettre::Message::builder()
                    .from(from.clone())
                    .to(to)
                    .subject(msg.subject)
                    .body(msg.body.to_string())
                    .map_err(|e| MailError::Build(e.to_string()))?;
                transport
                    .send(email)
                    .await
                    .map(|_| ())
                    .map_err(|e| MailError::Smtp(e.to_string()))
            }
        }
    }
}
