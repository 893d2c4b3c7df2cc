//! Brute-force protection for password logins (the login page and the password
//! grants), as Auth0's: failures of one account from one IP, and of one IP across
//! accounts, are counted in the database (so the limits hold across nodes), and
//! past a limit the key is blocked for a while.

use std::time::Duration;

use portcullis_store::StoreError;

use crate::app::AppState;

/// Failures of one account from one IP before it is blocked (Auth0 counts 10).
pub const ACCOUNT_LIMIT: i64 = 10;
/// Failures from one IP, any account, before the IP is blocked.
pub const IP_LIMIT: i64 = 100;
pub const WINDOW: i64 = 900;
pub const BLOCK_FOR: i64 = 900;

fn keys(email: &str, ip: &str) -> [(String, i64); 2] {
    [
        (format!("account:{email}|ip:{ip}"), ACCOUNT_LIMIT),
        (format!("ip:{ip}"), IP_LIMIT),
    ]
}

/// Whether logins for `email` from `ip` are blocked now.
pub async fn is_blocked(app: &AppState, email: &str, ip: &str) -> Result<bool, StoreError> {
    for (key, _) in keys(email, ip) {
        if app
            .store
            .login_blocked_until(&app.tenant, &key, app.now())
            .await?
            .is_some()
        {
            return Ok(true);
        }
    }
    Ok(false)
}

/// Counts a failure; returns whether it started a block. Answers slow down with
/// each further failure, up to a second.
pub async fn record_failure(app: &AppState, email: &str, ip: &str) -> Result<bool, StoreError> {
    let mut blocked = false;
    let mut failures = 0;
    for (key, limit) in keys(email, ip) {
        let (n, until) = app
            .store
            .record_login_failure(&app.tenant, &key, app.now(), WINDOW, limit, BLOCK_FOR)
            .await?;
        failures = failures.max(n);
        blocked |= until.is_some();
    }
    tokio::time::sleep(Duration::from_millis(
        (failures.clamp(1, 5) as u64 - 1) * 250,
    ))
    .await;
    Ok(blocked)
}

/// A successful login forgets the account's failures (not the IP's).
pub async fn record_success(app: &AppState, email: &str, ip: &str) -> Result<(), StoreError> {
    let [(account, _), _] = keys(email, ip);
    app.store.clear_login_failures(&app.tenant, &account).await
}
