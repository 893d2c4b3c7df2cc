//! `POST /oauth/par` (RFC 9126 §2): a confidential application pushes its
//! authorization request, authenticated as at the token endpoint; the request
//! is validated as `/authorize` would validate it and kept, without the
//! client's credentials, under a single-use `request_uri`
//! (`protocol/par`; `/authorize` takes it back).

use axum::body::Body;
use axum::extract::State;
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use portcullis_core::protocol::authorize::{self, AuthorizeFailure};
use portcullis_core::protocol::errors::{TokenError, TokenErrorCode};
use portcullis_core::protocol::par;
use portcullis_core::protocol::params::Params;
use portcullis_core::secrets::hash_secret;
use serde_json::json;

use crate::app::AppState;
use crate::http::errors::TokenEndpointError;

pub async fn push(
    State(app): State<AppState>,
    headers: HeaderMap,
    body: Body,
) -> Result<Response, TokenEndpointError> {
    let (params, client) = super::client_auth::authenticated_request(&app, &headers, body).await?;
    // Only an application that authenticates can vouch for what it pushes.
    if !client.is_confidential() {
        return Err(TokenError::new(
            TokenErrorCode::UnauthorizedClient,
            "Pushed authorization requests are for confidential applications: this one is public.",
        )
        .into());
    }
    par::check_pushed(&params).map_err(TokenError::invalid_request)?;
    let mut kept = par::kept_pairs(&params);
    match params.get("client_id") {
        Some(id) if id != client.client_id => {
            return Err(TokenError::invalid_request(
                "client_id does not name the authenticated application",
            )
            .into());
        }
        Some(_) => {}
        // Authenticated with HTTP Basic: the request names its client.
        None => kept.push(("client_id".into(), client.client_id.clone())),
    }
    let pushed =
        Params::from_pairs(kept.clone()).map_err(|e| TokenError::invalid_request(e.to_string()))?;
    // RFC 9126 §2.3: a request `/authorize` would refuse is refused now.
    if let Err(failure) = authorize::validate(&pushed, Some(&client)) {
        let (code, description) = match failure {
            AuthorizeFailure::ShowErrorPage { title, description } => (
                TokenErrorCode::InvalidRequest,
                format!("{title}: {description}"),
            ),
            AuthorizeFailure::Redirect(e) => (
                match e.error.as_str() {
                    "invalid_scope" => TokenErrorCode::InvalidScope,
                    _ => TokenErrorCode::InvalidRequest,
                },
                e.description,
            ),
        };
        return Err(TokenError::new(code, description).into());
    }
    let now = app.now();
    let expires_in = client.par_expiry();
    let (request_uri, reference) = par::new_request_uri();
    app.store
        .insert_pushed_request(
            &hash_secret(&reference),
            &client.client_id,
            &kept,
            now + expires_in,
            now,
        )
        .await?;
    let body = json!({"request_uri": request_uri, "expires_in": expires_in});
    Ok(crate::issuance::no_store(
        (StatusCode::CREATED, axum::Json(body)).into_response(),
    ))
}
