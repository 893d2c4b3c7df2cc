//! The Management API refuses a change that would leave no application able to
//! administer it: deleting the last administrator, its grant, the scopes that
//! make it one, or its client-credentials grant type. Without this an operator
//! could lock themselves out for good with one command (`portcullis admin reset`
//! is the way back, but needs the server's files).
//!
//! An administrator is a client allowed `client_credentials` with a grant for
//! the Management API that can recreate administrators: `allow_all_scopes`, or
//! every scope in [`ADMIN_SCOPES`].

use portcullis_core::client_grants::ClientGrant;
use portcullis_core::clients::GrantType;
use portcullis_store::Page;

use crate::app::AppState;
use crate::http::errors::ApiError;

/// The scopes that let a client make another administrator.
pub const ADMIN_SCOPES: &[&str] = &["create:clients", "create:client_grants"];

/// A change about to be made.
pub enum Change<'a> {
    DeleteClient(&'a str),
    /// The client's grant types after a PATCH.
    ClientGrantTypes(&'a str, &'a [GrantType]),
    DeleteGrant(&'a str),
    /// The grant as it will be stored.
    UpdateGrant(&'a ClientGrant),
}

fn administers(grant: &ClientGrant, management_audience: &str) -> bool {
    grant.audience == management_audience
        && (grant.allow_all_scopes
            || ADMIN_SCOPES
                .iter()
                .all(|s| grant.scope.iter().any(|g| g == s)))
}

/// `Ok` if some administrator remains after `change`; else Auth0's 400 shape.
pub async fn ensure_one_remains(app: &AppState, change: Change<'_>) -> Result<(), ApiError> {
    let (grants, _) = app
        .store
        .list_client_grants(
            None,
            Some(&app.management_audience),
            Page {
                page: 0,
                per_page: 1000,
            },
        )
        .await?;
    for grant in grants {
        let grant = match &change {
            Change::DeleteClient(id) if grant.client_id == *id => continue,
            Change::DeleteGrant(id) if grant.id == *id => continue,
            Change::UpdateGrant(new) if new.id == grant.id => (*new).clone(),
            _ => grant,
        };
        if !administers(&grant, &app.management_audience) {
            continue;
        }
        let allows_cc = match &change {
            Change::ClientGrantTypes(id, types) if grant.client_id == *id => {
                types.contains(&GrantType::ClientCredentials)
            }
            _ => app
                .client(&grant.client_id)
                .await?
                .is_some_and(|(c, _)| c.allows_grant(GrantType::ClientCredentials)),
        };
        if allows_cc {
            return Ok(());
        }
    }
    Err(ApiError::bad_request(
        "This change would leave no application able to administer the Management API (client_credentials with create:clients and create:client_grants). Create another administrator first, or use `portcullis admin reset`.",
        "operation_not_supported",
    ))
}
