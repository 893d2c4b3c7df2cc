//! Auth0's `password_history`: a new password may not be the current one or
//! any of the connection's `size` previous ones. Only hashes are kept
//! (`password_history` table); each is checked with argon2id on the bounded
//! password pool, so a change costs at most `size + 1` verifications (≤ 25).

use portcullis_core::secrets::Secret;
use portcullis_core::users::DatabaseConnection;
use portcullis_store::StoreError;

use crate::app::AppState;

/// Whether `password` is one the user had (the current hash `current`, then
/// the history), when the connection keeps a history.
pub async fn reused(
    app: &AppState,
    db: &DatabaseConnection,
    user_id: &str,
    current: Option<&str>,
    password: &str,
) -> Result<bool, StoreError> {
    let size = db.options.password_policy.history;
    if size == 0 {
        return Ok(false);
    }
    let mut hashes: Vec<String> = current.map(str::to_string).into_iter().collect();
    hashes.extend(
        app.store
            .previous_password_hashes(user_id, size.saturating_sub(1))
            .await?,
    );
    for h in hashes {
        if app
            .verify_password(Secret::new(password.to_string()), Some(h))
            .await
        {
            return Ok(true);
        }
    }
    Ok(false)
}
