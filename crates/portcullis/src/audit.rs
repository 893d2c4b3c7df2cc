//! Audit events with Auth0's log event type codes (`s`, `f`, `fp`, `fu`, `seacft`,
//! `feacft`, `ss`, `fs`, `slo`, `limit_wc`, …), stored for `GET /api/v2/logs`.
//! Never a password, secret, code or token in an event.

use serde_json::{Value, json};

/// Auth0's log event type codes, as `GET /api/v2/logs` shows them in `type`;
/// docs/audit-log.md lists each with when it is written.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Code {
    /// `s`: Successful login on the hosted page.
    S,
    /// `f`: A failed login other than a wrong password (a blocked user, a denying Rule or Action).
    F,
    /// `fp`: Wrong password on the login page.
    Fp,
    /// `fu`: Unknown user on the login page.
    Fu,
    /// `ssa`: Signed in through an existing session (single sign-on, prompt=none).
    Ssa,
    /// `fsa`: prompt=none could not sign in silently.
    Fsa,
    /// `limit_wc`: An account was blocked after too many failed attempts from one address.
    LimitWc,
    /// `ublkdu`: An operator lifted a brute-force block.
    Ublkdu,
    /// `seccft`: Client credentials exchanged for an access token.
    Seccft,
    /// `feccft`: Client credentials refused.
    Feccft,
    /// `seacft`: Authorization code exchanged for tokens.
    Seacft,
    /// `feacft`: Authorization code refused.
    Feacft,
    /// `sede`: A device code exchanged for tokens (RFC 8628).
    Sede,
    /// `fede`: A device code refused at the token endpoint (unknown, expired,
    /// denied, replayed).
    Fede,
    /// `fdeaz`: A device authorization request refused.
    Fdeaz,
    /// `fdeac`: A user code typed at the activation page was wrong or expired.
    Fdeac,
    /// `fdecc`: The person cancelled the device's confirmation.
    Fdecc,
    /// `oidc_backchannel_logout_succeeded`: a logout token was delivered.
    OidcBackchannelLogoutSucceeded,
    /// `oidc_backchannel_logout_failed`: a logout token could not be
    /// delivered after its retries.
    OidcBackchannelLogoutFailed,
    /// `sepft`: Password grant succeeded.
    Sepft,
    /// `fepft`: Password grant failed.
    Fepft,
    /// `sertft`: Refresh token exchange succeeded.
    Sertft,
    /// `fertft`: Refresh token exchange refused.
    Fertft,
    /// `secte`: RFC 8693 token exchange (Auth0's Custom Token Exchange) succeeded.
    Secte,
    /// `fecte`: RFC 8693 token exchange refused.
    Fecte,
    /// `ferrt`: A spent refresh token was presented again: its family is revoked.
    Ferrt,
    /// `srrt`: A refresh token was revoked.
    Srrt,
    /// `slo`: Logout.
    Slo,
    /// `ss`: Sign-up succeeded.
    Ss,
    /// `fs`: Sign-up failed.
    Fs,
    /// `scpr`: A password-reset e-mail was sent.
    Scpr,
    /// `fcpr`: A password-reset e-mail could not be sent.
    Fcpr,
    /// `fn`: An e-mail could not be sent.
    Fn,
    /// `scp`: A password was changed through a reset link.
    Scp,
    /// `svr`: A verification e-mail was sent.
    Svr,
    /// `fvr`: A verification e-mail could not be sent.
    Fvr,
    /// `sv`: An e-mail address was verified through its link.
    Sv,
    /// `fv`: A verification link was used but could not verify (spent,
    /// expired, or the address changed since).
    Fv,
    /// `sapi`: A Management API write succeeded.
    Sapi,
    /// `fapi`: A Management API write was refused.
    Fapi,
    /// `gd_start_enroll`: A user started enrolling a second factor.
    GdStartEnroll,
    /// `gd_enrollment_complete`: A second factor was enrolled (its first code
    /// accepted).
    GdEnrollmentComplete,
    /// `gd_auth_succeed`: A second-factor code was accepted.
    GdAuthSucceed,
    /// `gd_auth_failed`: A second-factor code was refused.
    GdAuthFailed,
    /// `gd_otp_rate_limit_exceed`: Too many wrong one-time codes.
    GdOtpRateLimitExceed,
    /// `gd_recovery_succeed`: A recovery code was used.
    GdRecoverySucceed,
    /// `gd_recovery_failed`: A recovery code was refused.
    GdRecoveryFailed,
    /// `gd_recovery_rate_limit_exceed`: Too many wrong recovery codes.
    GdRecoveryRateLimitExceed,
    /// A WebAuthn assertion refused.
    GdWebauthnChallengeFailed,
    /// A WebAuthn registration refused.
    GdWebauthnEnrollmentFailed,
    /// `gd_unenroll`: A second factor was removed.
    GdUnenroll,
    /// `gd_send_email`: A one-time code was e-mailed for MFA.
    GdSendEmail,
    /// `mfar`: A password login was told it needs a second factor.
    Mfar,
    /// `seoobft`: Password and e-mailed code exchanged for tokens.
    Seoobft,
    /// `feoobft`: The exchange of a password and e-mailed code failed.
    Feoobft,
    /// `seotpft`: Password and one-time code exchanged for tokens.
    Seotpft,
    /// `feotpft`: The exchange of a password and one-time code failed.
    Feotpft,
    /// `sercft`: Password and recovery code exchanged for tokens.
    Sercft,
    /// `fercft`: The exchange of a password and recovery code failed.
    Fercft,
    /// `cs`: A passwordless login code was sent.
    Cs,
    /// `cls`: A passwordless login link was sent.
    Cls,
}

impl Code {
    pub const ALL: [Code; 61] = [
        Code::S,
        Code::F,
        Code::Fp,
        Code::Fu,
        Code::Ssa,
        Code::Fsa,
        Code::LimitWc,
        Code::Ublkdu,
        Code::Seccft,
        Code::Feccft,
        Code::Seacft,
        Code::Feacft,
        Code::Sede,
        Code::Fede,
        Code::Fdeaz,
        Code::Fdeac,
        Code::Fdecc,
        Code::OidcBackchannelLogoutSucceeded,
        Code::OidcBackchannelLogoutFailed,
        Code::Sepft,
        Code::Fepft,
        Code::Sertft,
        Code::Fertft,
        Code::Secte,
        Code::Fecte,
        Code::Ferrt,
        Code::Srrt,
        Code::Slo,
        Code::Ss,
        Code::Fs,
        Code::Scpr,
        Code::Svr,
        Code::Fvr,
        Code::Sv,
        Code::Fv,
        Code::Fcpr,
        Code::Fn,
        Code::Scp,
        Code::Sapi,
        Code::Fapi,
        Code::GdStartEnroll,
        Code::GdEnrollmentComplete,
        Code::GdAuthSucceed,
        Code::GdAuthFailed,
        Code::GdOtpRateLimitExceed,
        Code::GdRecoverySucceed,
        Code::GdRecoveryFailed,
        Code::GdRecoveryRateLimitExceed,
        Code::GdWebauthnChallengeFailed,
        Code::GdWebauthnEnrollmentFailed,
        Code::GdUnenroll,
        Code::GdSendEmail,
        Code::Mfar,
        Code::Seoobft,
        Code::Feoobft,
        Code::Seotpft,
        Code::Feotpft,
        Code::Sercft,
        Code::Fercft,
        Code::Cs,
        Code::Cls,
    ];

    pub const fn as_str(self) -> &'static str {
        match self {
            Code::S => "s",
            Code::F => "f",
            Code::Fp => "fp",
            Code::Fu => "fu",
            Code::Ssa => "ssa",
            Code::Fsa => "fsa",
            Code::LimitWc => "limit_wc",
            Code::Ublkdu => "ublkdu",
            Code::Seccft => "seccft",
            Code::Feccft => "feccft",
            Code::Seacft => "seacft",
            Code::Feacft => "feacft",
            Code::Sede => "sede",
            Code::Fede => "fede",
            Code::Fdeaz => "fdeaz",
            Code::Fdeac => "fdeac",
            Code::Fdecc => "fdecc",
            Code::OidcBackchannelLogoutSucceeded => "oidc_backchannel_logout_succeeded",
            Code::OidcBackchannelLogoutFailed => "oidc_backchannel_logout_failed",
            Code::Sepft => "sepft",
            Code::Fepft => "fepft",
            Code::Sertft => "sertft",
            Code::Fertft => "fertft",
            Code::Secte => "secte",
            Code::Fecte => "fecte",
            Code::Ferrt => "ferrt",
            Code::Srrt => "srrt",
            Code::Slo => "slo",
            Code::Ss => "ss",
            Code::Fs => "fs",
            Code::Scpr => "scpr",
            Code::Svr => "svr",
            Code::Fvr => "fvr",
            Code::Sv => "sv",
            Code::Fv => "fv",
            Code::Fcpr => "fcpr",
            Code::Fn => "fn",
            Code::Scp => "scp",
            Code::Sapi => "sapi",
            Code::Fapi => "fapi",
            Code::GdStartEnroll => "gd_start_enroll",
            Code::GdEnrollmentComplete => "gd_enrollment_complete",
            Code::GdAuthSucceed => "gd_auth_succeed",
            Code::GdAuthFailed => "gd_auth_failed",
            Code::GdOtpRateLimitExceed => "gd_otp_rate_limit_exceed",
            Code::GdRecoverySucceed => "gd_recovery_succeed",
            Code::GdRecoveryFailed => "gd_recovery_failed",
            Code::GdRecoveryRateLimitExceed => "gd_recovery_rate_limit_exceed",
            Code::GdWebauthnChallengeFailed => "gd_webauthn_challenge_failed",
            Code::GdWebauthnEnrollmentFailed => "gd_webauthn_enrollment_failed",
            Code::GdUnenroll => "gd_unenroll",
            Code::GdSendEmail => "gd_send_email",
            Code::Mfar => "mfar",
            Code::Seoobft => "seoobft",
            Code::Feoobft => "feoobft",
            Code::Seotpft => "seotpft",
            Code::Feotpft => "feotpft",
            Code::Sercft => "sercft",
            Code::Fercft => "fercft",
            Code::Cs => "cs",
            Code::Cls => "cls",
        }
    }
}

/// One event. Optional parts stay `None`.
pub struct Event<'a> {
    pub event_type: Code,
    pub description: &'a str,
    pub client_id: Option<&'a str>,
    pub client_name: Option<&'a str>,
    pub user_id: Option<&'a str>,
    pub user_name: Option<&'a str>,
    pub ip: Option<&'a str>,
    pub details: Option<Value>,
    /// The connection the event happened in (the user's, when a user is named).
    pub connection: Option<&'a str>,
}

impl<'a> Event<'a> {
    /// An event of `code`; the rest is added with the methods below.
    /// There is no default event: every event names its code.
    pub fn new(event_type: Code, description: &'a str) -> Self {
        Self {
            event_type,
            description,
            client_id: None,
            client_name: None,
            user_id: None,
            user_name: None,
            ip: None,
            details: None,
            connection: None,
        }
    }

    /// The application the event is about (`client_id`, `client_name`).
    pub fn client(mut self, c: &'a portcullis_core::clients::Client) -> Self {
        self.client_id = Some(&c.client_id);
        self.client_name = Some(&c.name);
        self
    }

    /// The user the event is about (`user_id`, `user_name` as the e-mail).
    pub fn user(mut self, u: &'a portcullis_core::users::User) -> Self {
        self.user_id = Some(&u.user_id);
        self.user_name = Some(&u.email);
        self.connection = Some(u.connection());
        self
    }

    pub fn ip(mut self, ip: &'a str) -> Self {
        self.ip = Some(ip);
        self
    }

    pub fn details(mut self, d: Value) -> Self {
        self.details = Some(d);
        self
    }
}

/// The handle requests record events through: the writer's queue and what
/// every event names (the issuer as `hostname`). Built from what it needs,
/// not from the application state.
#[derive(Clone)]
pub struct Auditor {
    tx: tokio::sync::mpsc::Sender<Message>,
    hostname: String,
}

impl Auditor {
    /// Starts the writer (see [`start_writer`]) for `tenant`.
    pub fn start(
        store: portcullis_store::TenantStore,
        stream: Option<String>,
        hostname: String,
    ) -> Self {
        Self {
            tx: start_writer(store, stream),
            hostname,
        }
    }

    /// Stores the event. An audit write that fails is logged and does not
    /// fail the request it describes.
    pub async fn record(&self, e: Event<'_>) {
        record_to(&self.tx, &self.hostname, e).await
    }

    /// Waits until every event recorded so far is stored (the log endpoints
    /// call this so that a read sees this node's own writes).
    pub async fn flush(&self) {
        let (tx, rx) = tokio::sync::oneshot::channel();
        if self.tx.send(Message::Flush(tx)).await.is_ok() {
            let _ = rx.await;
        }
    }
}

async fn record_to(tx: &tokio::sync::mpsc::Sender<Message>, hostname: &str, e: Event<'_>) {
    let now_ms = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.as_millis() as i64)
        .unwrap_or_default();
    let date = now_ms / 1000;
    // The `log_id` is given by the writer (`stamp`), just before the event is
    // stored: log streams read events in `log_id` order.
    let mut doc = json!({
        "date": portcullis_core::clock::iso8601(date).replace(".000Z", &format!(".{:03}Z", now_ms % 1000)),
        "type": e.event_type.as_str(),
        "description": e.description,
        "connection": e.connection.unwrap_or(portcullis_core::users::DATABASE_CONNECTION),
        "hostname": hostname,
    });
    for (k, v) in [
        ("client_id", e.client_id),
        ("client_name", e.client_name),
        ("user_id", e.user_id),
        ("user_name", e.user_name),
        ("ip", e.ip),
    ] {
        if let Some(v) = v {
            doc[k] = v.into();
        }
    }
    if let Some(d) = e.details {
        doc["details"] = d;
    }
    tracing::info!(target: "portcullis::audit", r#type = e.event_type.as_str(), user_id = e.user_id, client_id = e.client_id, "{}", e.description);
    let owned = OwnedEvent {
        log_id: String::new(),
        date,
        event_type: e.event_type.as_str().to_string(),
        user_id: e.user_id.map(str::to_string),
        client_id: e.client_id.map(str::to_string),
        doc,
    };
    // Bounded: when the database falls behind, requests wait for room rather
    // than events piling up in memory or being dropped.
    if tx.send(Message::Event(owned)).await.is_err() {
        tracing::error!("the audit writer has stopped; an audit event was not stored");
    }
}

/// An audit event on its way to the database.
pub struct OwnedEvent {
    log_id: String,
    date: i64,
    event_type: String,
    user_id: Option<String>,
    client_id: Option<String>,
    doc: Value,
}

/// Gives events their `log_id`: the wall clock's milliseconds (never going
/// back on this node), a counter that orders events of the same millisecond,
/// and random hex that keeps nodes apart. Drawn inside the transaction that
/// stores the event (`insert_stamped_logs`), so an id is committed moments
/// after it is drawn and this node's ids are stored in order (log streams
/// read past a cursor by id).
#[derive(Default)]
struct Stamp {
    last_ms: i64,
    counter: u32,
}

impl Stamp {
    fn next_id(&mut self) -> String {
        let now_ms = std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map_or(0, |d| d.as_millis() as i64);
        if now_ms > self.last_ms {
            self.last_ms = now_ms;
            self.counter = 0;
        } else {
            self.counter = self.counter.wrapping_add(1) & 0x00ff_ffff;
        }
        format!(
            "{:016}{:06x}{}",
            self.last_ms,
            self.counter,
            portcullis_core::random::hex(3)
        )
    }
}

pub enum Message {
    Event(OwnedEvent),
    /// Answered once everything sent before it is stored.
    Flush(tokio::sync::oneshot::Sender<()>),
}

/// The audit writer: events are stored in the order they were recorded, with
/// whatever arrived during the previous write in the same transaction, so that
/// a busy server pays one commit for many events rather than one each. A
/// request does not wait for its event to be stored, only for room in the
/// queue (4,096 events).
fn start_writer(
    store: portcullis_store::TenantStore,
    stream: Option<String>,
) -> tokio::sync::mpsc::Sender<Message> {
    let (tx, mut rx) = tokio::sync::mpsc::channel::<Message>(4096);
    tokio::spawn(async move {
        let mut stream = Stream::open(stream.as_deref());
        let stamp = std::sync::Mutex::new(Stamp::default());
        let mut batch: Vec<OwnedEvent> = Vec::new();
        let mut waiting: Vec<tokio::sync::oneshot::Sender<()>> = Vec::new();
        while let Some(first) = rx.recv().await {
            let mut next = Some(first);
            while let Some(m) = next.take() {
                match m {
                    Message::Event(e) => batch.push(e),
                    Message::Flush(done) => waiting.push(done),
                }
                if batch.len() >= 500 {
                    break;
                }
                next = rx.try_recv().ok();
            }
            if !batch.is_empty() {
                let drafts: Vec<portcullis_store::LogDraft<'_>> = batch
                    .iter()
                    .map(|e| portcullis_store::LogDraft {
                        date: e.date,
                        event_type: &e.event_type,
                        user_id: e.user_id.as_deref(),
                        client_id: e.client_id.as_deref(),
                        doc: &e.doc,
                    })
                    .collect();
                let next_id = || stamp.lock().map(|mut s| s.next_id()).unwrap_or_default();
                let ids = match store.insert_stamped_logs(&drafts, &next_id).await {
                    Ok(ids) => ids,
                    Err(err) => {
                        tracing::error!(error = %err, events = drafts.len(), "could not store audit events");
                        // The copy still gets ids (never stored, never streamed).
                        drafts.iter().map(|_| next_id()).collect()
                    }
                };
                drop(drafts);
                for (e, id) in batch.iter_mut().zip(ids) {
                    e.doc["log_id"] = Value::String(id.clone());
                    e.log_id = id;
                }
                stream.write(&batch);
                batch.clear();
            }
            for done in waiting.drain(..) {
                let _ = done.send(());
            }
        }
    });
    tx
}

/// Where audit events are copied as JSON lines (`PORTCULLIS_AUDIT_LOG`).
enum Stream {
    None,
    Stdout,
    File(std::fs::File),
}

impl Stream {
    fn open(target: Option<&str>) -> Self {
        match target {
            None => Stream::None,
            Some("stdout" | "-") => Stream::Stdout,
            Some(path) => match std::fs::OpenOptions::new()
                .create(true)
                .append(true)
                .open(path)
            {
                Ok(f) => Stream::File(f),
                Err(e) => {
                    tracing::error!(path, error = %e, "cannot open the audit log file; events go to the database only");
                    Stream::None
                }
            },
        }
    }

    fn write(&mut self, batch: &[OwnedEvent]) {
        use std::io::Write;
        if matches!(self, Stream::None) {
            return;
        }
        let mut lines = String::new();
        for e in batch {
            lines.push_str(&e.doc.to_string());
            lines.push('\n');
        }
        let result = match self {
            Stream::None => Ok(()),
            Stream::Stdout => std::io::stdout().lock().write_all(lines.as_bytes()),
            Stream::File(f) => f.write_all(lines.as_bytes()),
        };
        if let Err(e) = result {
            tracing::error!(error = %e, "could not write the audit log stream");
        }
    }
}

#[cfg(test)]
mod tests {
    use super::Code;

    /// Every code Portcullis writes is in the operator's table, and no two
    /// variants share one.
    #[test]
    fn every_code_is_documented_once() {
        let doc = include_str!("../../../docs/audit-log.md");
        let mut seen = std::collections::HashSet::new();
        for c in Code::ALL {
            assert!(seen.insert(c.as_str()), "{} twice", c.as_str());
            assert!(
                doc.contains(&format!("`{}`", c.as_str())),
                "{} is not in docs/audit-log.md",
                c.as_str()
            );
        }
    }

    /// Log-stream filters pick events by Auth0's categories: every code
    /// Portcullis writes has the category Auth0's reference gives it; only
    /// the codes Auth0 itself files under `other` are there.
    #[test]
    fn every_code_has_auth0s_log_stream_category() {
        use portcullis_core::log_streams::Category;
        let other = [
            "fdeac",
            "mfar",
            "cls",
            "gd_auth_succeed",
            "gd_auth_failed",
            "gd_otp_rate_limit_exceed",
            "gd_recovery_succeed",
            "gd_recovery_failed",
            "gd_recovery_rate_limit_exceed",
            "gd_webauthn_challenge_failed",
            "gd_webauthn_enrollment_failed",
            "gd_send_email",
        ];
        for c in Code::ALL {
            let cat = Category::of(c.as_str());
            assert_eq!(
                cat == Category::Other,
                other.contains(&c.as_str()),
                "{} is {cat:?}",
                c.as_str()
            );
        }
        assert_eq!(Category::of("fepft"), Category::TokenExchangeFail);
        assert_eq!(Category::of("srrt"), Category::UserSuccess);
        assert_eq!(Category::of("limit_wc"), Category::SystemNotification);
    }
}
