//! Brute-force protection for password logins (the login page and the password
//! grants), as Auth0's: failures of one account from one IP, and of one IP across
//! accounts, are counted in the database (so the limits hold across nodes), and
//! past a limit the key is blocked for a while.

use std::time::Duration;

use portcullis_store::{StoreError, TenantStore};

/// Failures of one account from one IP before it is blocked (Auth0 counts 10).
pub const ACCOUNT_LIMIT: i64 = 10;
/// Failures from one IP, any account, before the IP is blocked.
pub const IP_LIMIT: i64 = 100;
pub const WINDOW: i64 = 900;
pub const BLOCK_FOR: i64 = 900;

/// The address a counter is kept for: an IPv4 address as it is (an
/// IPv4-mapped IPv6 address as its IPv4), an IPv6 address as its /64, since one
/// subscriber usually holds a whole /64 and could otherwise rotate through it.
pub fn counted_address(ip: &str) -> String {
    match ip.parse::<std::net::IpAddr>() {
        Ok(std::net::IpAddr::V6(v6)) => match v6.to_ipv4_mapped() {
            Some(v4) => v4.to_string(),
            None => {
                let net = ipnet::Ipv6Net::new(v6, 64)
                    .map(|n| n.trunc())
                    .unwrap_or_else(|_| ipnet::Ipv6Net::from(v6));
                net.to_string()
            }
        },
        Ok(v4) => v4.to_string(),
        Err(_) => ip.to_string(),
    }
}

fn account_key(email: &str, ip: &str) -> String {
    format!("account:{email}|ip:{}", counted_address(ip))
}

fn address_key(ip: &str) -> String {
    // The `|` ends the key, so one address's key is never a prefix of another's.
    format!("ip:{}|", counted_address(ip))
}

/// The key prefix of every account-and-address counter of `email`.
pub fn account_prefix(email: &str) -> String {
    format!("account:{email}|ip:")
}

/// The key of an address's own counter.
pub fn address_prefix(ip: &str) -> String {
    address_key(ip)
}

/// What stops a password attempt.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Block {
    /// Too many failures for this account from this address.
    Account,
    /// Too many failures from this address, across accounts.
    Address,
}

impl Block {
    /// What the person is told: an address block does not claim the account is
    /// blocked (it is not: the same account signs in from elsewhere).
    pub fn message(self) -> &'static str {
        match self {
            Block::Account => {
                "Your account has been blocked after multiple consecutive login attempts. Try again later or reset your password."
            }
            Block::Address => {
                "Too many failed login attempts from your network address: further attempts are throttled for a while. Try again later."
            }
        }
    }
}

/// A password attempt counted before the password is checked.
#[derive(Debug)]
pub struct Attempt {
    /// `None` where the connection turned brute-force protection off: only
    /// the address is counted then.
    account: Option<String>,
    address: String,
}

/// Reserves an attempt for `email` (`None`: the address only) from `ip` before
/// the slow password check, or
/// says which block stops it. The reservation is one atomic write in the
/// database (cluster-wide), so concurrent guesses can never run more checks
/// than the limit allows.
///
/// A key's count is its failures and its attempts still being checked. A key
/// at its limit but not blocked is one whose last attempts are in flight: each
/// ends within a password check (a success frees its place, a failure that
/// reaches the limit blocks the key), so the attempt waits for them instead of
/// refusing a person who has not failed (a burst of sign-ins of one account,
/// or from behind one address, used to be answered 429). It is refused after
/// [`MAX_WAIT`], as before.
pub async fn reserve(
    store: &TenantStore,
    now: i64,
    email: Option<&str>,
    ip: &str,
) -> Result<Result<Attempt, Block>, StoreError> {
    let attempt = Attempt {
        account: email.map(|e| account_key(e, ip)),
        address: address_key(ip),
    };
    // The address first: a request refused there reserves nothing for the account.
    let mut keys = vec![(attempt.address.as_str(), IP_LIMIT)];
    if let Some(account) = &attempt.account {
        keys.push((account.as_str(), ACCOUNT_LIMIT));
    }
    let started = std::time::Instant::now();
    let mut pause = Duration::from_millis(20);
    loop {
        let Some(i) = store.reserve_login_attempt(&keys, now, WINDOW).await? else {
            return Ok(Ok(attempt));
        };
        let block = if i == 0 {
            Block::Address
        } else {
            Block::Account
        };
        if started.elapsed() >= MAX_WAIT
            || store.login_blocked_until(keys[i].0, now).await?.is_some()
        {
            return Ok(Err(block));
        }
        tokio::time::sleep(pause).await;
        pause = (pause * 2).min(Duration::from_millis(200));
    }
}

/// How long an attempt waits for the attempts in flight ahead of it.
pub const MAX_WAIT: Duration = Duration::from_secs(10);

/// The attempt failed: it stays counted. Returns the block it started, if any
/// (the account's when both start at once). The answer is delayed a little, to
/// slow guessing further.
pub async fn failed(
    store: &TenantStore,
    now: i64,
    attempt: Attempt,
) -> Result<Option<Block>, StoreError> {
    let mut started = None;
    for (key, limit, block) in [
        (Some(&attempt.address), IP_LIMIT, Block::Address),
        (attempt.account.as_ref(), ACCOUNT_LIMIT, Block::Account),
    ] {
        let Some(key) = key else { continue };
        if store
            .confirm_login_failure(key, now, limit, BLOCK_FOR)
            .await?
        {
            started = Some(block);
        }
    }
    tokio::time::sleep(Duration::from_millis(100)).await;
    Ok(started)
}

/// The attempt succeeded: the account's failures are forgotten (Auth0 counts
/// consecutive failures), and the address's counter no longer holds this one.
pub async fn succeeded(store: &TenantStore, attempt: Attempt) -> Result<(), StoreError> {
    store
        .settle_login_success(&attempt.address, attempt.account.as_deref().unwrap_or(""))
        .await
}

#[cfg(test)]
mod tests {
    use super::counted_address;

    #[test]
    fn ipv6_addresses_count_by_their_64() {
        assert_eq!(counted_address("2001:db8:1:2:aaaa::1"), "2001:db8:1:2::/64");
        assert_eq!(counted_address("2001:db8:1:2:bbbb::9"), "2001:db8:1:2::/64");
        assert_eq!(counted_address("::ffff:192.0.2.1"), "192.0.2.1");
        assert_eq!(counted_address("192.0.2.1"), "192.0.2.1");
    }
}
