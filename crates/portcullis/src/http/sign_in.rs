//! The one password sign-in of the login page and the password grants: the
//! brute-force limits of `crate::brute_force` around the check of a database
//! connection user's password, with the `limit_wc` audit event when a failure
//! starts a block.

use portcullis_core::users::{DatabaseConnection, normalize_email};
use portcullis_store::{LinkedBy, StoreError};

use crate::app::AppState;
use crate::brute_force;

/// The outcome of a password sign-in under the limits.
pub enum SignIn {
    /// The password is the user's; the attempt is cleared.
    Ok(portcullis_core::users::User),
    /// Refused before the password was checked.
    Blocked(brute_force::Block),
    /// A wrong password (`user` known) or an unknown e-mail address; the
    /// failure is counted, and `limit_wc` audited if it started a block.
    Wrong {
        user: Option<portcullis_core::users::User>,
    },
}

/// The one password sign-in of the login page and the password grants:
/// reserve an attempt, check the password of the user of `db` named by
/// `login` (an e-mail address, or a username where the connection has
/// usernames; a decoy hash for an unknown one, so both take as long), and count
/// the outcome. A failure that starts a block is audited (`limit_wc`) here.
pub async fn sign_in(
    app: &AppState,
    client: &portcullis_core::clients::Client,
    db: &DatabaseConnection,
    login: &str,
    password: portcullis_core::secrets::Secret,
    ip: &str,
) -> Result<SignIn, StoreError> {
    let by_username = db.options.requires_username && !login.contains('@');
    let email = normalize_email(login);
    let found = if by_username {
        app.store.find_user_by_username(&db.name, login).await?
    } else {
        app.store.find_user_by_email(&db.name, &email).await?
    };
    // A linked identity's password signs its primary user in.
    let found = match found {
        Some(f) => Some(f),
        None if by_username => {
            app.store
                .linked_primary(LinkedBy::Username(&db.name, login))
                .await?
        }
        None => {
            app.store
                .linked_primary(LinkedBy::Email(&db.name, &email))
                .await?
        }
    };
    // Failures count against the account's address (what unblocking names),
    // or what was typed when no user has it.
    let email = found
        .as_ref()
        .map_or_else(|| normalize_email(login), |(u, _)| u.email.clone());
    let email = email.as_str();
    let counted = db.options.brute_force_protection.then_some(email);
    let attempt = match brute_force::reserve(&app.store, app.now(), counted, ip).await? {
        Ok(a) => a,
        Err(block) => return Ok(SignIn::Blocked(block)),
    };
    let (user, hash) = match found {
        Some((u, h)) => (Some(u), h),
        None => (None, None),
    };
    // A hash imported from another system (or argon2id with older
    // parameters) becomes today's argon2id once the password is known to be
    // right: the password is copied for that only when the hash needs it.
    let upgrade = hash
        .as_deref()
        .filter(|h| portcullis_core::passwords::needs_upgrade(h))
        .map(|h| (h.to_string(), password.clone()));
    match (user, app.verify_password(password, hash).await) {
        (Some(user), true) => {
            brute_force::succeeded(&app.store, attempt).await?;
            // A password changed meanwhile wins (compare-and-set on the old
            // hash).
            if let Some((old, password)) = upgrade {
                let new = app.hash_password(password).await;
                if !new.is_empty() {
                    app.store
                        .upgrade_password_hash(&user.user_id, &old, &new)
                        .await?;
                }
            }
            Ok(SignIn::Ok(user))
        }
        (user, _) => {
            let started = brute_force::failed(&app.store, app.now(), attempt).await?;
            if let (Some(brute_force::Block::Account), Some(user)) = (started, &user) {
                // Auth0's brute-force protection tells the account's owner.
                crate::http::unblock::notify(app, user.clone(), Some(client.client_id.clone()));
            }
            if started.is_some() {
                app.audit(crate::audit::Event {
                    client_id: Some(&client.client_id),
                    user_id: user.as_ref().map(|u| u.user_id.as_str()),
                    user_name: Some(email),
                    connection: Some(&db.name),
                    ip: Some(ip),
                    ..crate::audit::Event::new(
                        crate::audit::Code::LimitWc,
                        "Login blocked after too many failed attempts",
                    )
                })
                .await;
                tracing::warn!(ip = %ip, "login blocked after repeated failures");
            }
            Ok(SignIn::Wrong { user })
        }
    }
}
