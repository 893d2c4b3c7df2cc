//! `POST /oauth/token` (RFC 6749 §3.2): parse, authenticate the client, apply the
//! grant, sign, render.

use axum::body::Body;
use axum::extract::State;
use axum::http::HeaderMap;
use axum::response::{IntoResponse, Response};
use portcullis_core::clients::{Client, GrantType};
use portcullis_core::issuance::{self, IdTokenRequest, UserGrant};
use portcullis_core::management;
use portcullis_core::protocol::authorization_code::{self, CodeGrant, CodeRequest};
use portcullis_core::protocol::client_credentials;
use portcullis_core::protocol::errors::{TokenError, TokenErrorCode};
use portcullis_core::protocol::refresh_token as rt;
use portcullis_core::protocol::token_request::{self, TokenRequest};
use portcullis_core::resource_servers;
use portcullis_core::secrets::hash_secret;
use portcullis_core::users::{DATABASE_CONNECTION, normalize_email};
use portcullis_store::Redemption;
use serde_json::json;

use portcullis_core::scripts::{FlowInfo, RequestInfo};

use crate::app::AppState;
use crate::audit::{self, Event};
use crate::brute_force;
use crate::http::client_addr::ClientAddr;
use crate::http::errors::TokenEndpointError;
use crate::http::flows;
use crate::issuance::{FamilyStart, TokenResponse};
use crate::scripts::ScriptFailure;

pub async fn token(
    State(app): State<AppState>,
    peer: ClientAddr,
    headers: HeaderMap,
    body: Body,
) -> Result<Response, TokenEndpointError> {
    let params = super::client_auth::read_params(&headers, body).await?;
    // RFC 6749 §5.2: the request's own errors come before the client's.
    let request = token_request::parse(&params)?;
    let client = super::client_auth::authenticate(&app, &headers, &params).await?;
    let info = script_request(peer, &headers, &params);
    let grant = params.get("grant_type").unwrap_or_default().to_string();
    let result = grant_tokens(&app, &client, request, &info).await;
    if let Ok(res) = &result
        && res.status().is_success()
    {
        app.metrics.token_issued(&grant);
    }
    result
}

/// Applies the parsed grant for the authenticated client.
async fn grant_tokens(
    app: &AppState,
    client: &Client,
    request: TokenRequest,
    info: &RequestInfo,
) -> Result<Response, TokenEndpointError> {
    match request {
        TokenRequest::ClientCredentials { audience, scope } => {
            client_credentials::check_client(client)?;
            let audience = client_credentials::require_audience(audience.as_deref())?;
            let api = app.api(audience).await?;
            let grant = match &api {
                Some(api) => app.client_grant(&client.client_id, &api.identifier).await?,
                None => None,
            };
            let claims = match client_credentials::decide(client_credentials::Input {
                issuer: app.issuer(),
                client,
                audience,
                api: api.as_ref(),
                grant: grant.as_ref(),
                requested_scope: scope.as_deref(),
                now: app.now(),
            }) {
                Ok(c) => c,
                Err(e) => {
                    audit::record(
                        app,
                        Event {
                            event_type: crate::audit::Code::Feccft,
                            description: &e.description,
                            client_id: Some(&client.client_id),
                            client_name: Some(&client.name),
                            ip: Some(&info.ip),
                            details: Some(json!({"audience": audience})),
                            ..Default::default()
                        },
                    )
                    .await;
                    return Err(e.into());
                }
            };
            let mut claims = claims;
            let scripts = match crate::scripts::credentials_exchange(
                app,
                client,
                info,
                audience,
                &claims.scope,
            )
            .await
            {
                Ok(r) => r,
                Err(f) => {
                    return Err(script_failed(
                        app,
                        crate::audit::Code::Feccft,
                        client,
                        None,
                        info,
                        f,
                    )
                    .await);
                }
            };
            let refused = issuance::apply_scripts(&mut claims, &scripts, &app.management_audience);
            if !refused.is_empty() {
                tracing::warn!(token = "access_token", claims = ?refused, "custom claims from a script were left out");
            }
            let access_token = app.sign_with(issuance::access_alg(api.as_ref()), &claims);
            audit::record(
                app,
                Event {
                    event_type: crate::audit::Code::Seccft,
                    description: "Client Credentials for Access Token",
                    client_id: Some(&client.client_id),
                    client_name: Some(&client.name),
                    ip: Some(&info.ip),
                    details: Some(json!({"audience": audience, "scope": claims.scope})),
                    ..Default::default()
                },
            )
            .await;
            Ok(TokenResponse::access(access_token, &claims).into_response())
        }
        TokenRequest::AuthorizationCode(req) => exchange_code(app, client, req).await,
        TokenRequest::RefreshToken {
            refresh_token,
            scope,
        } => super::refresh::exchange(app, client, refresh_token, scope, info).await,
        TokenRequest::TokenExchange {
            subject_token,
            audience,
            scope,
        } => super::token_exchange::exchange(app, client, subject_token, audience, scope).await,
        TokenRequest::Password {
            username,
            password,
            scope,
            audience,
            realm,
            grant_type,
        } => {
            let login = PasswordLogin {
                username: &username,
                scope: &scope,
                audience: audience.as_deref(),
                realm: realm.as_deref(),
                grant_type,
                ip: &info.ip,
                request: info,
            };
            exchange_password(app, client, login, password).await
        }
    }
}

struct PasswordLogin<'a> {
    username: &'a str,
    scope: &'a [String],
    audience: Option<&'a str>,
    realm: Option<&'a str>,
    grant_type: GrantType,
    ip: &'a str,
    request: &'a RequestInfo,
}

/// The token request as scripts see it in `event.request`: the body without
/// anything secret (no password, secret, code, verifier or token).
fn script_request(
    peer: ClientAddr,
    headers: &HeaderMap,
    params: &portcullis_core::protocol::params::Params,
) -> RequestInfo {
    let mut info = flows::request_info(peer, headers, "POST", Default::default());
    for name in [
        "grant_type",
        "client_id",
        "audience",
        "scope",
        "realm",
        "username",
    ] {
        if let Some(v) = params.get(name) {
            info.body.insert(name.into(), v.into());
        }
    }
    info
}

/// A flow that a Rule or Action stopped: the audit event, then Auth0's answer
/// (403 `access_denied` with the reason; 503 when the sandbox is full).
pub(crate) async fn script_failed(
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
    crate::scripts::audit_failure(app, event_type, client, user, Some(&request.ip), &f).await;
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

/// RFC 6749 §4.3 (and Auth0's password-realm): the user's password for tokens,
/// under the same brute-force protection as the login page.
async fn exchange_password(
    app: &AppState,
    client: &Client,
    login: PasswordLogin<'_>,
    password: portcullis_core::secrets::Secret,
) -> Result<Response, TokenEndpointError> {
    if !client.allows_grant(login.grant_type) {
        return Err(TokenError::new(
            TokenErrorCode::UnauthorizedClient,
            format!(
                "Grant type '{}' not allowed for the client.",
                login.grant_type
            ),
        )
        .into());
    }
    if let Some(realm) = login.realm
        && realm != DATABASE_CONNECTION
    {
        return Err(TokenError::invalid_request(format!(
            "Unknown realm: {realm} (the database connection is {DATABASE_CONNECTION})"
        ))
        .into());
    }
    let api = match login.audience {
        Some(a) => match app.api(a).await? {
            Some(api) => Some(api),
            None => {
                return Err(TokenError::new(
                    TokenErrorCode::AccessDenied,
                    format!("Service not found: {a}"),
                )
                .into());
            }
        },
        None => None,
    };
    // Users get only the current_user scopes of the Management API.
    let user_scopes;
    let login = if api.as_ref().is_some_and(|a| a.is_system) {
        user_scopes = management::user_grant_scopes(login.scope)
            .map_err(|e| TokenError::new(TokenErrorCode::AccessDenied, e.to_string()))?;
        PasswordLogin {
            scope: &user_scopes,
            ..login
        }
    } else {
        login
    };
    let email = normalize_email(login.username);
    let failed = |description: &'static str, user_id: Option<String>| {
        let email = email.clone();
        async move {
            audit::record(
                app,
                Event {
                    event_type: crate::audit::Code::Fepft,
                    description,
                    client_id: Some(&client.client_id),
                    client_name: Some(&client.name),
                    user_id: user_id.as_deref(),
                    user_name: Some(&email),
                    ip: Some(login.ip),
                    ..Default::default()
                },
            )
            .await;
            TokenEndpointError::from(TokenError::new(TokenErrorCode::InvalidGrant, description))
        }
    };
    // Reserved before the slow password check (Auth0: 429 too_many_attempts).
    let attempt = match brute_force::reserve(app, &email, login.ip).await? {
        Ok(a) => a,
        Err(block) => {
            let _ = failed(block.message(), None).await;
            return Err(TokenError::new(TokenErrorCode::TooManyAttempts, block.message()).into());
        }
    };
    let found = app
        .store
        .find_user_by_email(&app.tenant, DATABASE_CONNECTION, &email)
        .await?;
    let (user, hash) = match found {
        Some((u, h)) => (Some(u), h),
        None => (None, None),
    };
    let user = match (user, app.verify_password(password, hash).await) {
        (Some(u), true) => u,
        (u, _) => {
            if brute_force::failed(app, attempt).await? {
                audit::record(
                    app,
                    Event {
                        event_type: crate::audit::Code::LimitWc,
                        description: "Login blocked after too many failed attempts",
                        client_id: Some(&client.client_id),
                        user_name: Some(&email),
                        ip: Some(login.ip),
                        ..Default::default()
                    },
                )
                .await;
            }
            return Err(failed("Wrong email or password.", u.map(|u| u.user_id)).await);
        }
    };
    brute_force::succeeded(app, attempt).await?;
    if user.blocked {
        return Err(failed("user is blocked", Some(user.user_id.clone())).await);
    }
    let flow = FlowInfo {
        protocol: "oauth2-password",
        requested_scopes: login.scope,
        audience: login.audience,
        ..Default::default()
    };
    let post_login = crate::scripts::PostLogin {
        user: &user,
        client,
        request: login.request,
        flow,
    };
    let scripts = match crate::scripts::post_login(app, post_login).await {
        Ok(r) => r,
        Err(f) => {
            return Err(script_failed(
                app,
                crate::audit::Code::Fepft,
                client,
                Some(&user),
                login.request,
                f,
            )
            .await);
        }
    };
    let now = app.now();
    let openid = login.scope.iter().any(|s| s == "openid");
    let plan = issuance::plan(UserGrant {
        issuer: app.issuer(),
        management_audience: &app.management_audience,
        client,
        user: &user,
        api: api.as_ref(),
        scope: login.scope,
        gty: Some("password"),
        browser_flow: false,
        scripts: &scripts,
        now,
        jti: portcullis_core::random::alphanumeric(24),
        id_token: openid.then_some(IdTokenRequest {
            scope: login.scope,
            auth_time: Some(now),
            ..Default::default()
        }),
    });
    app.store
        .record_login(&app.tenant, &user.user_id, Some(login.ip), now)
        .await?;
    let refresh = if rt::may_issue(login.scope, client, api.as_ref()) {
        let family = FamilyStart {
            client,
            user_id: &user.user_id,
            session_id: None,
            audience: login.audience,
            scope: login.scope,
            now,
        };
        Some(crate::issuance::start_family(app, family).await?.token)
    } else {
        None
    };
    let signed = crate::issuance::sign(app, plan, api.as_ref(), client);
    audit::record(
        app,
        Event {
            event_type: crate::audit::Code::Sepft,
            description: "Password for Access Token",
            client_id: Some(&client.client_id),
            client_name: Some(&client.name),
            user_id: Some(&user.user_id),
            user_name: Some(&user.email),
            ip: Some(login.ip),
            ..Default::default()
        },
    )
    .await;
    Ok(TokenResponse::from_signed(signed, refresh).into_response())
}

/// RFC 6749 §4.1.3–4.1.4: code for tokens.
async fn exchange_code(
    app: &AppState,
    client: &Client,
    req: CodeRequest,
) -> Result<Response, TokenEndpointError> {
    if !client.allows_grant(GrantType::AuthorizationCode) {
        return Err(TokenError::new(
            TokenErrorCode::UnauthorizedClient,
            "Grant type 'authorization_code' not allowed for the client.",
        )
        .into());
    }
    let now = app.now();
    let code_hash = hash_secret(&req.code);
    let failed = |description: &'static str| async move {
        audit::record(
            app,
            Event {
                event_type: crate::audit::Code::Feacft,
                description,
                client_id: Some(&client.client_id),
                client_name: Some(&client.name),
                ..Default::default()
            },
        )
        .await;
        TokenEndpointError::from(TokenError::new(TokenErrorCode::InvalidGrant, description))
    };
    let (doc, expires_at) = match app
        .store
        .redeem_authorization_code(&app.tenant, &code_hash, now)
        .await?
    {
        Redemption::Redeemed { doc, expires_at } => (doc, expires_at),
        Redemption::Replayed {
            issued_jti,
            issued_family,
        } => {
            // RFC 6749 §4.1.2, RFC 9700 §4.5: revoke every token the first
            // redemption issued, the refresh-token family too.
            revoke_code_tokens(app, issued_jti.as_deref(), issued_family.as_deref()).await?;
            return Err(failed("Invalid authorization code").await);
        }
        Redemption::Unknown => return Err(failed("Invalid authorization code").await),
    };
    let grant: CodeGrant =
        serde_json::from_str(&doc).map_err(portcullis_store::StoreError::from)?;
    if let Err(e) = authorization_code::check(&grant, expires_at, &req, &client.client_id, now) {
        audit::record(
            app,
            Event {
                event_type: crate::audit::Code::Feacft,
                description: &e.description,
                client_id: Some(&client.client_id),
                user_id: Some(&grant.user_id),
                ..Default::default()
            },
        )
        .await;
        return Err(e.into());
    }
    let Some((user, _)) = app.store.get_user(&app.tenant, &grant.user_id).await? else {
        return Err(failed("Invalid authorization code").await);
    };
    if user.blocked {
        return Err(TokenError::new(TokenErrorCode::InvalidGrant, "user is blocked").into());
    }
    let api = match &grant.audience {
        Some(a) => match app.api(a).await? {
            Some(api) => Some(api),
            None => {
                return Err(failed("The API of this authorization code no longer exists").await);
            }
        },
        None => None,
    };
    let jti = portcullis_core::random::alphanumeric(24);
    // The login's Rules and Actions already ran; their decisions came with the code.
    let plan = issuance::plan(UserGrant {
        issuer: app.issuer(),
        management_audience: &app.management_audience,
        client,
        user: &user,
        api: api.as_ref(),
        scope: &grant.scope,
        gty: None,
        browser_flow: false,
        scripts: &grant.scripts,
        now,
        jti: jti.clone(),
        id_token: grant
            .scope
            .iter()
            .any(|s| s == "openid")
            .then(|| IdTokenRequest {
                scope: &grant.scope,
                nonce: grant.nonce.clone(),
                sid: Some(&grant.session_id),
                auth_time: grant.auth_time_required.then_some(grant.auth_time),
                code: None,
            }),
    });
    let refresh = if rt::may_issue(&grant.scope, client, api.as_ref()) {
        let family = FamilyStart {
            client,
            user_id: &user.user_id,
            session_id: Some(&grant.session_id),
            audience: grant.audience.as_deref(),
            scope: &grant.scope,
            now,
        };
        Some(crate::issuance::start_family(app, family).await?)
    } else {
        None
    };
    // If the code was replayed while this redemption ran, the replay could not
    // see these tokens: revoke them here and answer as the replay did.
    let recorded = app
        .store
        .record_code_issuance(
            &app.tenant,
            &code_hash,
            &jti,
            refresh.as_ref().map(|r| r.family_id.as_str()),
        )
        .await?;
    if !recorded {
        revoke_code_tokens(
            app,
            Some(&jti),
            refresh.as_ref().map(|r| r.family_id.as_str()),
        )
        .await?;
        return Err(failed("Invalid authorization code").await);
    }
    let signed = crate::issuance::sign(app, plan, api.as_ref(), client);
    audit::record(
        app,
        Event {
            event_type: crate::audit::Code::Seacft,
            description: "Authorization Code for Access Token",
            client_id: Some(&client.client_id),
            client_name: Some(&client.name),
            user_id: Some(&user.user_id),
            user_name: Some(&user.email),
            ..Default::default()
        },
    )
    .await;
    Ok(TokenResponse::from_signed(signed, refresh.map(|r| r.token)).into_response())
}

/// Revokes the access token (by `jti`) and the refresh-token family issued from
/// a code that has been replayed.
async fn revoke_code_tokens(
    app: &AppState,
    jti: Option<&str>,
    family: Option<&str>,
) -> Result<(), portcullis_store::StoreError> {
    let now = app.now();
    if let Some(jti) = jti {
        app.store
            .revoke_token_id(&app.tenant, jti, now + resource_servers::MAX_TOKEN_LIFETIME)
            .await?;
    }
    if let Some(family) = family {
        app.store
            .revoke_refresh_family(&app.tenant, family, now)
            .await?;
    }
    Ok(())
}
