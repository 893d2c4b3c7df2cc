//! Auth0's passwordless grant at `/oauth/token`
//! (`http://auth0.com/oauth/grant-type/passwordless/otp`): the code sent by
//! `/passwordless/start` for tokens. The store spends the code once
//! (`try_passwordless_code`); the user is found, or made on a first
//! sign-in; Rules and Actions run; the password grant's issuing half issues.
//!
//! Invariants:
//! - A wrong code counts against the code ([`pwl::MAX_ATTEMPTS`] end it),
//!   never against the user's password lockout; every refusal is the same
//!   `invalid_grant` whatever the recipient, so the grant tells nothing
//!   about which addresses have accounts.
//! - Nothing is spent before the request's own checks (grant type,
//!   connection, audience, scope, DPoP) pass.

use axum::response::{IntoResponse, Response};
use portcullis_core::clients::{Client, GrantType};
use portcullis_core::protocol::dpop::{self, Proof};
use portcullis_core::protocol::errors::{TokenError, TokenErrorCode};
use portcullis_core::protocol::password;
use portcullis_core::protocol::passwordless::{self as pwl, Channel, Tried};
use portcullis_core::protocol::token_request::PasswordlessRequest;
use portcullis_core::scripts::{FlowInfo, RequestInfo};
use portcullis_core::secrets::hash_secret;

use crate::app::AppState;
use crate::audit::{Code, Event};
use crate::http::errors::TokenEndpointError;

pub async fn exchange(
    app: &AppState,
    client: &Client,
    req: PasswordlessRequest,
    info: &RequestInfo,
    proof: Option<&Proof>,
) -> Result<Response, TokenEndpointError> {
    client.require_grant(GrantType::PasswordlessOtp)?;
    let channel = match req.realm.as_str() {
        "email" => Channel::Email,
        "sms" => Channel::Sms,
        _ => {
            return Err(TokenError::invalid_request("realm must be email or sms").into());
        }
    };
    let Some((connection, options)) =
        crate::http::passwordless::connection_for(app, &client.client_id, &req.realm, channel)
            .await?
    else {
        return Err(TokenError::new(
            TokenErrorCode::UnauthorizedClient,
            format!(
                "The {} connection does not exist or is not enabled for this application.",
                req.realm
            ),
        )
        .into());
    };
    // Auth0: the tenant's default audience when the request names none.
    let audience = match req.audience {
        Some(a) => Some(a),
        None => app.settings().await?.default_audience,
    };
    let api = match audience.as_deref() {
        Some(a) => app.api(a).await?,
        None => None,
    };
    let api = password::require_api(audience.as_deref(), api.as_ref())?;
    let scope = password::scope_for(api, &req.scope)?;
    let cnf = dpop::confirmation(proof, client, api)?;
    let wrong = match channel {
        Channel::Email => "Wrong email or verification code.",
        Channel::Sms => "Wrong phone number or verification code.",
    };
    let refuse = async |why: &'static str, recipient: &str| -> TokenEndpointError {
        app.audit(Event {
            client_id: Some(&client.client_id),
            client_name: Some(&client.name),
            connection: Some(&connection.name),
            user_name: Some(recipient),
            ip: Some(&info.ip),
            ..Event::new(Code::F, why)
        })
        .await;
        TokenError::new(TokenErrorCode::InvalidGrant, why).into()
    };
    let Some(recipient) = pwl::recipient(channel, &req.username) else {
        return Err(refuse(wrong, &req.username).await);
    };
    let tried = app
        .store
        .try_passwordless_code(
            (&connection.name, &recipient, &client.client_id),
            "code",
            &hash_secret(req.otp.expose()),
            app.now(),
            pwl::MAX_ATTEMPTS,
        )
        .await?;
    match tried {
        Tried::Accepted { .. } => {}
        Tried::Expired => {
            let why = "The verification code has expired. Please try to login again.";
            return Err(refuse(why, &recipient).await);
        }
        Tried::Exhausted => {
            let why = "You've reached the maximum number of attempts. Please try to login again.";
            return Err(refuse(why, &recipient).await);
        }
        Tried::Wrong | Tried::Unknown => return Err(refuse(wrong, &recipient).await),
    }
    let user =
        match crate::http::passwordless::user_of(app, &connection, &options, channel, &recipient)
            .await?
        {
            Ok((user, first)) => {
                if first {
                    app.audit(
                        Event::new(Code::Ss, "Successful signup")
                            .client(client)
                            .user(&user)
                            .ip(&info.ip),
                    )
                    .await;
                }
                user
            }
            Err(why) => return Err(refuse(why.message(), &recipient).await),
        };
    if user.blocked {
        return Err(refuse("user is blocked", &recipient).await);
    }
    let flow = FlowInfo {
        protocol: "oauth2-password",
        requested_scopes: &scope,
        audience: audience.as_deref(),
        ..Default::default()
    };
    let post_login = crate::triggers::PostLogin {
        user: &user,
        client,
        request: info,
        flow,
    };
    let scripts = super::grant_scripts::post_login_scripts(app, Code::F, post_login).await?;
    // The tenant's MFA policy, as for the password grant: a second factor
    // finishes through the MFA API with the `mfa_token`.
    let waiting = super::password::Waiting {
        audience: audience.as_deref(),
        scope: &scope,
        grant_type: GrantType::PasswordlessOtp,
        scripts: &scripts,
        ip: &info.ip,
        now: app.now(),
    };
    match super::password::second_factor(app, client, &user, waiting).await? {
        super::password::SecondFactor::NotNeeded => {}
        super::password::SecondFactor::Held(answer) => return Err(answer),
        super::password::SecondFactor::Unavailable(why) => {
            return Err(refuse(why, &recipient).await);
        }
    }
    let done = super::password::Finish {
        user: &user,
        api,
        scope: &scope,
        scripts: &scripts,
        auth_time: app.now(),
        amr: None,
        ip: &info.ip,
        cnf,
        dpop_jkt: dpop::refresh_binding(client, proof),
        gty: "passwordless",
    };
    let response = super::password::issue(app, client, done).await?;
    app.audit(
        Event::new(Code::S, "Successful login")
            .client(client)
            .user(&user)
            .ip(&info.ip),
    )
    .await;
    Ok(response.into_response())
}
