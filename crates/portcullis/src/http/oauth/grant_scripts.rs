//! The Rules and Actions of a token-endpoint grant: run them, and answer a
//! denial as Auth0 does (403 `access_denied` with the script's reason, or the
//! code it chose; 503 when the sandbox is full), after the audit event.

use portcullis_core::clients::Client;
use portcullis_core::protocol::errors::{TokenError, TokenErrorCode};
use portcullis_core::scripts::RequestInfo;

use crate::app::AppState;
use crate::audit::Code;
use crate::http::errors::TokenEndpointError;
use crate::scripts::ScriptFailure;

/// The post-login Rules and Actions of a token-endpoint grant (password,
/// refresh); a denial is audited under `code` and answered as Auth0 does.
pub async fn post_login_scripts(
    app: &AppState,
    code: Code,
    post_login: crate::triggers::PostLogin<'_>,
) -> Result<portcullis_core::scripts::ScriptResult, TokenEndpointError> {
    let (client, user, request) = (post_login.client, post_login.user, post_login.request);
    let run = async { app.triggers().await?.post_login(post_login).await };
    match run.await {
        Ok(r) => Ok(r),
        Err(f) => Err(script_failed(app, code, client, Some(user), request, f).await),
    }
}

/// A flow that a Rule or Action stopped: the audit event, then Auth0's answer
/// (403 `access_denied` with the reason; 503 when the sandbox is full).
pub async fn script_failed(
    app: &AppState,
    event_type: crate::audit::Code,
    client: &Client,
    user: Option<&portcullis_core::users::User>,
    request: &RequestInfo,
    f: ScriptFailure,
) -> TokenEndpointError {
    if let ScriptFailure::Store(e) = f {
        return e.into();
    }
    audit_failure(app, event_type, client, user, Some(&request.ip), &f).await;
    let code = match &f {
        _ if f.is_busy() => TokenErrorCode::TemporarilyUnavailable,
        ScriptFailure::Denied { code: Some(c), .. } if c == "invalid_request" => {
            TokenErrorCode::InvalidRequest
        }
        ScriptFailure::Denied { code: Some(c), .. } if c == "invalid_scope" => {
            TokenErrorCode::InvalidScope
        }
        _ => TokenErrorCode::AccessDenied,
    };
    TokenError::new(code, f.to_string()).into()
}

/// Writes Auth0's failure event for a flow that a script stopped (`f` for a
/// login, `feccft` for client credentials, …), with the script and its error.
pub async fn audit_failure(
    app: &AppState,
    event_type: crate::audit::Code,
    client: &Client,
    user: Option<&portcullis_core::users::User>,
    ip: Option<&str>,
    f: &ScriptFailure,
) {
    let description = f.to_string();
    let mut event = crate::audit::Event::new(event_type, &description)
        .client(client)
        .details(serde_json::json!({"script": f.script()}));
    event.ip = ip;
    if let Some(user) = user {
        event = event.user(user);
    }
    app.audit(event).await;
}
