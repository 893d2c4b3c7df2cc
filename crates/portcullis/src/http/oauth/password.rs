//! RFC 6749 §4.3 (and Auth0's password-realm) at `/oauth/token`: the user's
//! password for tokens, under the same brute-force protection as the login
//! page. `protocol/password` decides what may be asked; `brute_force::sign_in`
//! checks the password; `issuance` issues.

use axum::response::{IntoResponse, Response};
use portcullis_core::clients::{Client, GrantType};
use portcullis_core::issuance::{IdTokenRequest, UserGrant};
use portcullis_core::mfa;
use portcullis_core::protocol::dpop::{self, Confirmation, Proof};
use portcullis_core::protocol::errors::{TokenError, TokenErrorCode};
use portcullis_core::protocol::password;
use portcullis_core::protocol::refresh_token as rt;
use portcullis_core::resource_servers::ResourceServer;
use portcullis_core::scripts::ScriptResult;
use portcullis_core::scripts::{FlowInfo, RequestInfo};
use portcullis_core::secrets::Secret;
use portcullis_core::users::{DatabaseConnection, User, normalize_email};

use crate::app::AppState;
use crate::audit::{Code, Event};
use crate::http::errors::TokenEndpointError;
use crate::http::realm;
use crate::http::sign_in::{self, SignIn};
use crate::issuance::{FamilyStart, TokenResponse};

/// A refused password grant: `fepft`, then `invalid_grant`.
async fn refused(
    app: &AppState,
    client: &Client,
    connection: &str,
    email: &str,
    ip: &str,
    description: &'static str,
    user_id: Option<String>,
) -> TokenEndpointError {
    let mut e = Event::new(Code::Fepft, description).client(client).ip(ip);
    e.user_id = user_id.as_deref();
    e.user_name = Some(email);
    e.connection = Some(connection);
    app.audit(e).await;
    TokenError::new(TokenErrorCode::InvalidGrant, description).into()
}

/// A password grant request, parsed.
pub struct PasswordLogin<'a> {
    pub username: &'a str,
    pub scope: &'a [String],
    pub audience: Option<&'a str>,
    pub realm: Option<&'a str>,
    pub grant_type: GrantType,
    pub ip: &'a str,
    pub request: &'a RequestInfo,
    /// RFC 9449: the request's checked DPoP proof.
    pub proof: Option<&'a Proof>,
}

pub async fn exchange(
    app: &AppState,
    client: &Client,
    login: PasswordLogin<'_>,
    secret: Secret,
) -> Result<Response, TokenEndpointError> {
    password::check_request(client, login.grant_type)?;
    let settings = app.settings().await?;
    let name = password::connection(login.realm, settings.default_directory.as_deref());
    let db = match realm::database(app, Some(&client.client_id), name).await? {
        Ok(db) => db,
        Err(why @ realm::Unusable::NotEnabled(_)) => {
            return Err(TokenError::new(TokenErrorCode::UnauthorizedClient, why.message()).into());
        }
        Err(why) => return Err(TokenError::invalid_request(why.message()).into()),
    };
    let api = match login.audience {
        Some(a) => app.api(a).await?,
        None => None,
    };
    let api = password::require_api(login.audience, api.as_ref())?;
    let scope = password::scope_for(api, login.scope)?;
    // Before the password is tried: a refusal spends no attempt.
    let cnf = dpop::confirmation(login.proof, client, api)?;
    let user = sign_in(app, client, &db, &login, secret).await?;
    let flow = FlowInfo {
        protocol: "oauth2-password",
        requested_scopes: &scope,
        audience: login.audience,
        ..Default::default()
    };
    let post_login = crate::triggers::PostLogin {
        user: &user,
        client,
        request: login.request,
        flow,
    };
    let scripts = super::grant_scripts::post_login_scripts(app, Code::Fepft, post_login).await?;
    let now = app.now();
    let waiting = Waiting {
        audience: login.audience,
        scope: &scope,
        grant_type: login.grant_type,
        scripts: &scripts,
        ip: login.ip,
        now,
    };
    match second_factor(app, client, &user, waiting).await? {
        SecondFactor::NotNeeded => {}
        SecondFactor::Held(answer) => return Err(answer),
        SecondFactor::Unavailable(why) => {
            let id = Some(user.user_id.clone());
            return Err(refused(app, client, &db.name, &user.email, login.ip, why, id).await);
        }
    }
    let done = Finish {
        user: &user,
        api,
        scope: &scope,
        scripts: &scripts,
        auth_time: now,
        amr: None,
        ip: login.ip,
        cnf,
        dpop_jkt: dpop::refresh_binding(client, login.proof),
        gty: "password",
    };
    let response = issue(app, client, done).await?;
    let e = Event::new(Code::Sepft, "Password for Access Token")
        .client(client)
        .user(&user)
        .ip(login.ip);
    app.audit(e).await;
    Ok(response.into_response())
}

/// A grant that signs a user in without a browser, as the tenant's MFA
/// policy sees it.
pub(super) struct Waiting<'a> {
    pub audience: Option<&'a str>,
    pub scope: &'a [String],
    pub grant_type: GrantType,
    pub scripts: &'a ScriptResult,
    pub ip: &'a str,
    pub now: i64,
}

/// What the tenant's MFA policy says of such a grant.
pub(super) enum SecondFactor {
    NotNeeded,
    /// `mfa_required`: the grant waits under an `mfa_token` (Auth0's MFA
    /// API) instead of issuing.
    Held(TokenEndpointError),
    /// A factor was asked for and none is enabled: refused with this reason.
    Unavailable(&'static str),
}

/// The second factor of the password and passwordless grants, when the
/// tenant's policy (or a script, or the MFA API's audience) asks for one.
pub(super) async fn second_factor(
    app: &AppState,
    client: &Client,
    user: &User,
    w: Waiting<'_>,
) -> Result<SecondFactor, TokenEndpointError> {
    let mfa_settings = app.store.guardian_settings().await?;
    let asked = mfa::Asked {
        by_script: w.scripts.multifactor.is_some(),
        by_acr: false,
        by_audience: super::mfa::api_needs_factor(app, w.audience, &user.user_id).await?,
    };
    match mfa::required(&mfa_settings, asked) {
        mfa::Need::Unavailable => Ok(SecondFactor::Unavailable(
            "Multifactor authentication was asked for, and no factor is enabled for the tenant.",
        )),
        mfa::Need::SecondFactor => {
            let pending = mfa::PendingGrant {
                user_id: user.user_id.clone(),
                client_id: client.client_id.clone(),
                audience: w.audience.map(str::to_string),
                scope: w.scope.to_vec(),
                gty: w.grant_type.as_str().to_string(),
                scripts: serde_json::to_value(w.scripts).unwrap_or_default(),
                auth_time: w.now,
                session_id: None,
                remember_browser: false,
                only: w
                    .scripts
                    .multifactor
                    .as_deref()
                    .and_then(mfa::provider_factor),
            };
            Ok(SecondFactor::Held(
                super::mfa::required(app, client, user, pending, w.ip).await,
            ))
        }
        _ => Ok(SecondFactor::NotNeeded),
    }
}

/// A password login ready for its tokens (now, or after its second factor).
pub struct Finish<'a> {
    pub user: &'a User,
    pub api: Option<&'a ResourceServer>,
    pub scope: &'a [String],
    pub scripts: &'a ScriptResult,
    pub auth_time: i64,
    /// `["mfa"]` once a second factor was passed.
    pub amr: Option<&'a [&'static str]>,
    pub ip: &'a str,
    /// RFC 9449: the DPoP key the access token is bound to, and the one
    /// the refresh-token family is (a public client's).
    pub cnf: Option<Confirmation>,
    pub dpop_jkt: Option<String>,
    /// Auth0's `gty` of the access token (`password`, `passwordless`).
    pub gty: &'static str,
}

/// Issues a password login's tokens: the login recorded, the user's
/// permissions read, access (and ID and refresh) tokens signed.
pub async fn issue(
    app: &AppState,
    client: &Client,
    f: Finish<'_>,
) -> Result<TokenResponse, TokenEndpointError> {
    let now = app.now();
    app.store
        .record_login(&f.user.user_id, Some(f.ip), now)
        .await?;
    let issuer = app.issuance();
    let permissions = issuer.permissions(&f.user.user_id, f.api).await?;
    let grant = UserGrant {
        cnf: f.cnf,
        gty: Some(f.gty),
        permissions,
        id_token: f
            .scope
            .iter()
            .any(|s| s == "openid")
            .then_some(IdTokenRequest {
                scope: f.scope,
                auth_time: Some(f.auth_time),
                amr: f.amr,
                acr: None,
                ..Default::default()
            }),
        ..issuer.user_grant(client, f.user, f.api, f.scope, f.scripts, now)
    };
    let family = rt::may_issue(f.scope, client, f.api).then_some(FamilyStart {
        client,
        user_id: &f.user.user_id,
        session_id: None,
        audience: f.api.map(|a| a.identifier.as_str()),
        scope: f.scope,
        now,
        // Auth0's password grant is never in an organization.
        organization_id: None,
        dpop_jkt: f.dpop_jkt,
    });
    let (signed, refresh) = issuer.issue_user_grant(grant, family).await?;
    Ok(TokenResponse::from_signed(signed, refresh.map(|r| r.token)))
}

/// The user whose password this is, under the brute-force limits; a refusal is
/// audited (`fepft`) and answered as Auth0 does (429 when blocked).
async fn sign_in(
    app: &AppState,
    client: &Client,
    db: &DatabaseConnection,
    login: &PasswordLogin<'_>,
    secret: Secret,
) -> Result<User, TokenEndpointError> {
    let email = normalize_email(login.username);
    let failed = |description: &'static str, user: Option<&User>| {
        refused(
            app,
            client,
            &db.name,
            &email,
            login.ip,
            description,
            user.map(|u| u.user_id.clone()),
        )
    };
    // Reserved before the slow password check (Auth0: 429 too_many_attempts).
    let user = match sign_in::sign_in(app, client, db, login.username, secret, login.ip).await? {
        SignIn::Ok(user) => user,
        SignIn::Blocked(block) => {
            let _ = failed(block.message(), None).await;
            return Err(TokenError::new(TokenErrorCode::TooManyAttempts, block.message()).into());
        }
        SignIn::Wrong { user } => {
            return Err(failed("Wrong email or password.", user.as_ref()).await);
        }
    };
    if user.blocked {
        return Err(failed("user is blocked", Some(&user)).await);
    }
    Ok(user)
}
