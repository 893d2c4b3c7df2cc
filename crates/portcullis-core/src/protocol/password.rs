//! The password grant (RFC 6749 §4.3) and Auth0's password-realm extension, as
//! decided before the password is checked.
//!
//! Invariants:
//! - The client must list the grant type it used (`password` or the realm one).
//! - The realm names a database connection enabled for the client (checked by
//!   the shell, which holds the connections: `http::realm`).
//! - A user is never granted more than the `current_user` scopes of the
//!   Management API (`management::user_grant_scopes`).

use super::errors::{TokenError, TokenErrorCode};
use super::grant_type::GrantType;
use crate::clients::Client;
use crate::management;
use crate::resource_servers::ResourceServer;
use crate::users::DATABASE_CONNECTION;

/// Checks the client's grant types (before anything is looked up).
pub fn check_request(client: &Client, grant_type: GrantType) -> Result<(), TokenError> {
    client.require_grant(grant_type)?;
    Ok(())
}

/// The connection whose users the grant signs in: the `realm` of
/// password-realm, else the tenant's `default_directory`. Auth0 refuses the
/// plain password grant of a tenant without a default directory ("Authorization
/// server not configured with default connection."); Portcullis uses its
/// database connection then, so the grant works on a fresh install.
pub fn connection<'a>(realm: Option<&'a str>, default_directory: Option<&'a str>) -> &'a str {
    realm.or(default_directory).unwrap_or(DATABASE_CONNECTION)
}

/// The API named by `audience`, which must exist (Auth0: `access_denied`).
pub fn require_api<'a>(
    audience: Option<&str>,
    api: Option<&'a ResourceServer>,
) -> Result<Option<&'a ResourceServer>, TokenError> {
    match (audience, api) {
        (None, _) => Ok(None),
        (Some(_), Some(api)) => Ok(Some(api)),
        (Some(a), None) => Err(TokenError::new(
            TokenErrorCode::AccessDenied,
            format!("Service not found: {a}"),
        )),
    }
}

/// The scope the grant asks for: at the Management API only the
/// `current_user` scopes (none of them is `access_denied`).
pub fn scope_for(
    api: Option<&ResourceServer>,
    requested: &[String],
) -> Result<Vec<String>, TokenError> {
    if api.is_some_and(|a| a.is_system) {
        management::user_grant_scopes(requested)
            .map_err(|e| TokenError::new(TokenErrorCode::AccessDenied, e.to_string()))
    } else {
        Ok(requested.to_vec())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_realm_then_the_default_directory_then_the_database_connection() {
        assert_eq!(connection(Some("Realm"), Some("Dir")), "Realm");
        assert_eq!(connection(None, Some("Dir")), "Dir");
        assert_eq!(connection(None, None), DATABASE_CONNECTION);
    }
}
