//! Back-channel logout deliveries (OpenID Connect Back-Channel Logout 1.0
//! §2.5): each logout token POSTed to its application's URL in the
//! background, retried, and audited once per delivery with Auth0's codes
//! (`oidc_backchannel_logout_succeeded` / `_failed`). Built from an HTTP
//! client and the auditor only; the shell plans what to send
//! (`http/oauth/logout::tell_applications`).
//!
//! Invariants:
//! - Ending a session never waits for an application: deliveries run after
//!   the answer, each attempt bounded by [`TIMEOUT`], all within the token's
//!   two-minute life.
//! - No redirect is followed; only a 2xx answer counts as delivered (§2.8).

use std::time::Duration;

use serde_json::json;

use crate::audit::{Auditor, Code, Event};

/// One attempt's limit.
pub const TIMEOUT: Duration = Duration::from_secs(5);
/// Attempts per delivery, and the pause before each retry.
pub const RETRIES: [Duration; 2] = [Duration::from_secs(1), Duration::from_secs(4)];

/// A logout token for one application's URL.
pub struct Delivery {
    pub client_id: String,
    pub client_name: String,
    pub user_id: String,
    pub url: String,
    pub token: String,
}

/// The sender: its own HTTP client (no redirects, bounded).
pub struct Sender {
    http: reqwest::Client,
}

impl Default for Sender {
    fn default() -> Self {
        Self {
            http: crate::upstream_client::outbound_http_client(TIMEOUT),
        }
    }
}

impl Sender {
    /// Sends `deliveries` in the background; each is audited when it ends.
    pub fn spawn(&self, deliveries: Vec<Delivery>, auditor: Auditor) {
        for d in deliveries {
            let http = self.http.clone();
            let auditor = auditor.clone();
            tokio::spawn(async move {
                let (delivered, attempts, last) = deliver(&http, &d).await;
                let (code, description) = if delivered {
                    (
                        Code::OidcBackchannelLogoutSucceeded,
                        "Back-channel logout token delivered",
                    )
                } else {
                    (
                        Code::OidcBackchannelLogoutFailed,
                        "Back-channel logout token could not be delivered",
                    )
                };
                let mut e = Event::new(code, description);
                e.client_id = Some(&d.client_id);
                e.client_name = Some(&d.client_name);
                e.user_id = Some(&d.user_id);
                e.details = Some(json!({"url": d.url, "attempts": attempts, "last_result": last}));
                auditor.record(e).await;
            });
        }
    }
}

/// Tries a delivery until it is answered 2xx or the retries run out:
/// (delivered, attempts, the last result in words).
async fn deliver(http: &reqwest::Client, d: &Delivery) -> (bool, usize, String) {
    let mut last = String::new();
    for attempt in 0..=RETRIES.len() {
        if attempt > 0 {
            tokio::time::sleep(RETRIES[attempt - 1]).await;
        }
        let sent = http
            .post(&d.url)
            .form(&[("logout_token", d.token.as_str())])
            .send()
            .await;
        match sent {
            Ok(res) if res.status().is_success() => {
                return (true, attempt + 1, res.status().as_u16().to_string());
            }
            Ok(res) => last = format!("HTTP {}", res.status().as_u16()),
            // The error's kind only: never the token.
            Err(e) if e.is_timeout() => last = "timed out".into(),
            Err(_) => last = "could not connect".into(),
        }
    }
    (false, RETRIES.len() + 1, last)
}
