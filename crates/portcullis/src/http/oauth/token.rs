//! `POST /oauth/token` (RFC 6749 §3.2): parse, authenticate the client, apply the
//! grant, sign, render.

use axum::body::Body;
use axum::extract::State;
use axum::http::HeaderMap;
use axum::response::{IntoResponse, Response};
use portcullis_core::clients::Client;
use portcullis_core::issuance;
use portcullis_core::protocol::client_credentials;
use portcullis_core::protocol::dpop::{self, Proof};
use portcullis_core::protocol::token_request::{self, TokenRequest};
use portcullis_core::scripts::RequestInfo;
use serde_json::json;

use super::password::PasswordLogin;
use crate::app::AppState;
use crate::audit::{Code, Event};
use crate::http::client_addr::ClientAddr;
use crate::http::errors::TokenEndpointError;
use crate::http::flows;
use crate::issuance::TokenResponse;

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
    // RFC 9449 §5: a proof binds what this request issues to its key.
    let proof = crate::http::dpop::token_request_proof(&app, &headers).await?;
    let info = script_request(peer, &headers, &params);
    let grant = params.get("grant_type").unwrap_or_default().to_string();
    let result = grant_tokens(&app, &client, request, &info, proof.as_ref()).await;
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
    proof: Option<&Proof>,
) -> Result<Response, TokenEndpointError> {
    match request {
        TokenRequest::ClientCredentials {
            audience,
            scope,
            organization,
        } => {
            let asked = MachineRequest {
                audience: audience.as_deref(),
                scope: scope.as_deref(),
                organization: organization.as_deref(),
                proof,
            };
            client_credentials(app, client, asked, info).await
        }
        TokenRequest::AuthorizationCode(req) => {
            super::code::exchange(app, client, req, proof).await
        }
        TokenRequest::DeviceCode(req) => super::device::exchange(app, client, req, proof).await,
        TokenRequest::RefreshToken {
            refresh_token,
            scope,
        } => super::refresh::exchange(app, client, refresh_token, scope, info, proof).await,
        TokenRequest::TokenExchange {
            subject_token,
            audience,
            scope,
        } => {
            let asked = super::token_exchange::Asked {
                subject_token,
                audience,
                scope,
            };
            super::token_exchange::exchange(app, client, asked, proof).await
        }
        TokenRequest::Password {
            username,
            password,
            scope,
            audience,
            realm,
            grant_type,
        } => {
            // Auth0: the tenant's default audience when the request names none.
            let audience = match audience {
                Some(a) => Some(a),
                None => app.settings().await?.default_audience,
            };
            let login = PasswordLogin {
                username: &username,
                scope: &scope,
                audience: audience.as_deref(),
                realm: realm.as_deref(),
                grant_type,
                ip: &info.ip,
                request: info,
                proof,
            };
            super::password::exchange(app, client, login, password).await
        }
        TokenRequest::Mfa {
            mfa_token,
            proof: factor,
        } => super::mfa::exchange(app, client, mfa_token, factor, &info.ip, proof).await,
        TokenRequest::Passwordless(req) => {
            super::passwordless::exchange(app, client, req, info, proof).await
        }
    }
}

/// What a client-credentials request asks for.
struct MachineRequest<'a> {
    audience: Option<&'a str>,
    scope: Option<&'a [String]>,
    organization: Option<&'a str>,
    /// RFC 9449: the request's checked DPoP proof.
    proof: Option<&'a Proof>,
}

/// RFC 6749 §4.4 as Auth0 applies it: `protocol/client_credentials` decides,
/// the credentials-exchange scripts run, the token is signed.
async fn client_credentials(
    app: &AppState,
    client: &Client,
    asked: MachineRequest<'_>,
    info: &RequestInfo,
) -> Result<Response, TokenEndpointError> {
    let MachineRequest {
        audience,
        scope,
        organization,
        proof,
    } = asked;
    client_credentials::check_client(client)?;
    let audience = client_credentials::require_audience(audience)?;
    // Auth0: the organization by id, or by name where the tenant allows
    // names, as at `/authorize`.
    let org = match organization {
        None => None,
        Some(given) => match crate::http::pages::organization::resolve(app, given).await? {
            Ok(org) => Some((app.issuance().org_claims(&org).await?, org.id)),
            Err(why) => {
                return Err(
                    portcullis_core::protocol::errors::TokenError::invalid_request(why).into(),
                );
            }
        },
    };
    let api = app.api(audience).await?;
    let cnf = dpop::confirmation(proof, client, api.as_ref())?;
    let grant = match &api {
        Some(api) => app.client_grant(&client.client_id, &api.identifier).await?,
        None => None,
    };
    let associated = match (&org, &grant) {
        (Some((_, org_id)), Some(g)) => {
            app.store
                .is_organization_client_grant(org_id, &g.id)
                .await?
        }
        _ => false,
    };
    let decided = client_credentials::decide(client_credentials::Input {
        issuer: app.issuer(),
        client,
        audience,
        api: api.as_ref(),
        grant: grant.as_ref(),
        requested_scope: scope,
        now: app.now(),
        organization: org.as_ref().map(|(claims, _)| claims),
        associated,
    });
    let mut claims = match decided {
        Ok(c) => c,
        Err(e) => {
            let event = Event::new(Code::Feccft, &e.description)
                .client(client)
                .ip(&info.ip)
                .details(json!({"audience": audience}));
            app.audit(event).await;
            return Err(e.into());
        }
    };
    let scope = claims.scope.clone();
    let run = async {
        (app.triggers().await?)
            .credentials_exchange(client, info, audience, &scope)
            .await
    };
    let scripts = match run.await {
        Ok(r) => r,
        Err(f) => {
            return Err(super::grant_scripts::script_failed(
                app,
                Code::Feccft,
                client,
                None,
                info,
                f,
            )
            .await);
        }
    };
    let refused = issuance::apply_scripts(&mut claims, &scripts, &app.management_audience);
    claims.cnf = cnf;
    if !refused.is_empty() {
        tracing::warn!(token = "access_token", claims = ?refused, "custom claims from a script were left out");
    }
    let access_token = crate::issuance::sign_access(&app.keys(), api.as_ref(), &claims);
    let event = Event::new(Code::Seccft, "Client Credentials for Access Token")
        .client(client)
        .ip(&info.ip)
        .details(json!({"audience": audience, "scope": claims.scope}));
    app.audit(event).await;
    Ok(TokenResponse::access(access_token, &claims).into_response())
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
