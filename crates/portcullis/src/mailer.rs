//! Outgoing e-mail. Without an SMTP relay configured (not yet supported), each
//! message is written as an RFC 5322 file to `<data dir>/outbox/`, where an operator
//! or a test can read it.

use std::path::PathBuf;

use crate::app::AppState;

pub struct Message<'a> {
    pub to: &'a str,
    pub subject: &'a str,
    pub body: &'a str,
}

/// Writes `msg` to the outbox; returns its path.
pub fn send(app: &AppState, msg: Message<'_>) -> std::io::Result<PathBuf> {
    let dir = app.config.data_dir.join("outbox");
    std::fs::create_dir_all(&dir)?;
    let now = app.now();
    let path = dir.join(format!("{now}-{}.eml", portcullis_core::random::hex(6)));
    // Header values are single lines: strip anything that could start a new header.
    let clean = |s: &str| s.replace(['\r', '\n'], " ");
    let text = format!(
        "From: Portcullis <no-reply@portcullis.invalid>\r\nTo: {}\r\nSubject: {}\r\nDate: {}\r\nContent-Type: text/plain; charset=utf-8\r\n\r\n{}\r\n",
        clean(msg.to),
        clean(msg.subject),
        portcullis_core::clock::iso8601(now),
        msg.body
    );
    crate::keyring::write_private_file(&path, text.as_bytes())?;
    Ok(path)
}
