//! Which database connection a request means (Auth0's `realm`, `connection`):
//! it must exist, hold users (`strategy: auth0`) and, for an application's
//! request, be enabled for that application.

use portcullis_core::users::DatabaseConnection;
use portcullis_store::StoreError;

use crate::app::AppState;

/// Why a named connection cannot take the request.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Unusable {
    Unknown(String),
    NotDatabase(String),
    NotEnabled(String),
}

impl Unusable {
    /// A sentence for the error's description.
    pub fn message(&self) -> String {
        match self {
            Unusable::Unknown(n) => format!("the connection '{n}' does not exist"),
            Unusable::NotDatabase(n) => {
                format!("the connection '{n}' is not a database connection")
            }
            Unusable::NotEnabled(n) => {
                format!("the connection '{n}' is not enabled for this application")
            }
        }
    }
}

/// The database connection `name`, checked for `client_id` when the request
/// comes from an application (`None`: the Management API, which may write to
/// any).
pub async fn database(
    app: &AppState,
    client_id: Option<&str>,
    name: &str,
) -> Result<Result<DatabaseConnection, Unusable>, StoreError> {
    let Some(c) = app.connection_named(name).await? else {
        return Ok(Err(Unusable::Unknown(name.into())));
    };
    let Some(db) = DatabaseConnection::of(&c) else {
        return Ok(Err(Unusable::NotDatabase(name.into())));
    };
    if let Some(client_id) = client_id
        && !app
            .client_connections(client_id)
            .await?
            .iter()
            .any(|e| e.id == c.id)
    {
        return Ok(Err(Unusable::NotEnabled(name.into())));
    }
    Ok(Ok(db))
}

/// The connection a user belongs to, as a database connection (`None` for a
/// user of an upstream connection, or of one deleted under them).
pub async fn of_user(
    app: &AppState,
    user: &portcullis_core::users::User,
) -> Result<Option<DatabaseConnection>, StoreError> {
    Ok(app
        .connection_named(user.connection())
        .await?
        .as_ref()
        .and_then(DatabaseConnection::of))
}
