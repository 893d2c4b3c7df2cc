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
    /// The plain-text part.
    pub body: &'a str,
    /// An HTML alternative, already escaped.
    pub html: Option<&'a str>,
    /// A sender of the tenant's own (an e-mail template's `from`), instead of
    /// the configured one.
    pub from: Option<&'a str>,
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

    /// The message as sent: RFC 5322 headers (lettre writes `Date` in RFC 5322
    /// form, from the server's clock), a plain-text part and, when given, an HTML
    /// part, each in the transfer encoding lettre picks (7bit, or
    /// quoted-printable for long lines such as links: RFC 5322 §2.1.1 keeps
    /// lines under 78 characters).
    fn build(&self, msg: &Message<'_>, now: i64) -> Result<lettre::Message, MailError> {
        use lettre::message::header::ContentType;
        use lettre::message::{Body, MultiPart, SinglePart};
        let from: Mailbox = match (msg.from, self) {
            (Some(f), _) => f
                .parse()
                .map_err(|e: lettre::address::AddressError| MailError::Build(e.to_string()))?,
            (None, Mailer::Outbox { from, .. }) => from
                .parse()
                .map_err(|e: lettre::address::AddressError| MailError::Build(e.to_string()))?,
            (None, Mailer::Smtp { from, .. }) => from.clone(),
        };
        let to: Mailbox = msg.to.parse().map_err(|_| MailError::Recipient)?;
        let part = |text: &str, kind: ContentType| -> Result<SinglePart, MailError> {
            Ok(SinglePart::builder()
                .header(kind)
                .body(Body::new(text.to_string())))
        };
        let builder = lettre::Message::builder()
            .from(from)
            .to(to)
            .subject(msg.subject)
            .date(std::time::UNIX_EPOCH + std::time::Duration::from_secs(now.max(0) as u64));
        let built = match msg.html {
            Some(html) => builder.multipart(
                MultiPart::alternative()
                    .singlepart(part(msg.body, ContentType::TEXT_PLAIN)?)
                    .singlepart(part(html, ContentType::TEXT_HTML)?),
            ),
            None => builder.singlepart(part(msg.body, ContentType::TEXT_PLAIN)?),
        };
        built.map_err(|e| MailError::Build(e.to_string()))
    }

    /// The tenant's own relay (`/api/v2/emails/provider`): TLS (port 465,
    /// else STARTTLS required) unless the relay is this machine.
    pub fn for_provider(
        p: &portcullis_core::email_provider::EmailProvider,
        password: Option<&str>,
    ) -> Result<Self, MailError> {
        let host = p.credentials.smtp_host.as_str();
        let port = p.credentials.smtp_port;
        let config = |e: lettre::transport::smtp::Error| MailError::Config(e.to_string());
        let mut builder = if portcullis_core::email_provider::is_local(host) {
            AsyncSmtpTransport::<Tokio1Executor>::builder_dangerous(host)
        } else if port == 465 {
            AsyncSmtpTransport::<Tokio1Executor>::relay(host).map_err(config)?
        } else {
            AsyncSmtpTransport::<Tokio1Executor>::starttls_relay(host).map_err(config)?
        }
        .port(port);
        if let Some(user) = &p.credentials.smtp_user {
            builder =
                builder.credentials(lettre::transport::smtp::authentication::Credentials::new(
                    user.clone(),
                    password.unwrap_or_default().to_string(),
                ));
        }
        let from = p
            .default_from_address
            .parse()
            .map_err(|e: lettre::address::AddressError| MailError::Config(e.to_string()))?;
        Ok(Mailer::Smtp {
            transport: builder.build(),
            from,
        })
    }

    /// Sends `msg`.
    pub async fn send(&self, msg: Message<'_>, now: i64) -> Result<(), MailError> {
        let email = self.build(&msg, now)?;
        match self {
            Mailer::Outbox { dir, .. } => {
                std::fs::create_dir_all(dir)?;
                let path = dir.join(format!("{now}-{}.eml", portcullis_core::random::hex(6)));
                crate::keyring::write_private_file(&path, &email.formatted())?;
                Ok(())
            }
            Mailer::Smtp { transport, .. } => transport
                .send(email)
                .await
                .map(|_| ())
                .map_err(|e| MailError::Smtp(e.to_string())),
        }
    }

    /// Whether the relay answers (and accepts the credentials), within 5 s.
    /// Always true for the outbox.
    pub async fn test_connection(&self) -> Result<(), MailError> {
        match self {
            Mailer::Outbox { .. } => Ok(()),
            Mailer::Smtp { transport, .. } => {
                match tokio::time::timeout(
                    std::time::Duration::from_secs(5),
                    transport.test_connection(),
                )
                .await
                {
                    Ok(Ok(true)) => Ok(()),
                    Ok(Ok(false)) => {
                        Err(MailError::Smtp("the relay refused the connection".into()))
                    }
                    Ok(Err(e)) => Err(MailError::Smtp(e.to_string())),
                    Err(_) => Err(MailError::Smtp(
                        "no answer from the relay within 5 s".into(),
                    )),
                }
            }
        }
    }
}
