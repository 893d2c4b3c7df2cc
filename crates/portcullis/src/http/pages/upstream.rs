//! Sign-in through an upstream identity provider, in the browser: the login
//! page's button (`POST /u/upstream`) or `/authorize?connection=NAME` sends
//! the person to the provider; `<issuer>login/callback` (Auth0's path) takes
//! the answer, redeems the code, checks the ID token or reads the profile,
//! creates or refreshes the user and ends the login as a password sign-in does.
//!
//! Invariants:
//! - The `state` sent is single use and bound to the parked login
//!   transaction, which is bound to this browser: a forged, replayed or
//!   other-browser callback finds nothing and changes nothing.
//! - Any failure after the state is found ends the login with an error
//!   redirect to the application (RFC 6749 §4.1.2.1), audited as `f`; no user
//!   is created or changed by a failed sign-in.
//! - A provider that did not verify the e-mail address it sends cannot take an
//!   address another account already uses (no account takeover by e-mail).

use axum::body::Body;
use axum::extract::{RawQuery, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::Response;
use portcullis_core::connections::Connection;
use portcullis_core::protocol::authorize::{AuthorizeErrorCode, ErrorRedirect};
use portcullis_core::secrets::hash_secret;
use portcullis_core::upstream::{self, Endpoints, Protocol, UpstreamConfig, UpstreamError};
use portcullis_store::{StoreError, UpstreamState};

use super::transaction::{Transaction, Via, expired, finish, load};
use crate::app::AppState;
use crate::audit::{Code, Event};
use crate::http::client_addr::ClientAddr;
use crate::http::flows::{self, PageResult};
use crate::http::pages::Pages as _;

/// How long the provider has to answer (Auth0's transactions last as long).
const STATE_LIFETIME: i64 = 600;

const VERIFIER_AAD: &str = "upstream_state";

/// The callback URL registered at every provider (Auth0's).
pub fn callback_url(app: &AppState) -> String {
    format!("{}login/callback", app.issuer())
}

/// A usable upstream: its connection, configuration, endpoints and secret.
struct Upstream {
    connection: Connection,
    config: UpstreamConfig,
    endpoints: Endpoints,
    client_secret: Option<String>,
}

async fn upstream(app: &AppState, connection: Connection) -> Result<Upstream, UpstreamError> {
    let config = upstream::config(&connection)
        .map_err(|e| UpstreamError::BadAnswer(format!("the connection is misconfigured: {e}")))?;
    let endpoints = match (&config.endpoints, &config.discovery_url) {
        (Some(e), _) => e.clone(),
        (None, Some(url)) => app.upstream.discover(url).await?,
        (None, None) => return Err(UpstreamError::BadAnswer("no endpoints".into())),
    };
    let sealed = app
        .store
        .get_connection(&connection.id)
        .await
        .map_err(|e| UpstreamError::Unreachable(e.to_string()))?
        .and_then(|(_, s)| s);
    let client_secret = match sealed {
        Some(s) => Some(
            app.kek
                .open(
                    &crate::http::management::connections::secret_aad(&connection.id),
                    &s,
                )
                .ok()
                .and_then(|b| String::from_utf8(b).ok())
                .ok_or_else(|| {
                    UpstreamError::BadAnswer("the client secret cannot be opened".into())
                })?,
        ),
        None => None,
    };
    Ok(Upstream {
        connection,
        config,
        endpoints,
        client_secret,
    })
}

/// The upstream connection `name` if it is enabled for the transaction's
/// application.
pub(super) async fn enabled_upstream(
    app: &AppState,
    client_id: &str,
    name: &str,
) -> Result<Option<Connection>, StoreError> {
    Ok(app
        .client_connections(client_id)
        .await?
        .into_iter()
        .find(|c| c.name == name && c.database().is_none()))
}

/// Sends the browser to the provider, remembering the state for the callback.
pub(super) async fn begin(app: &AppState, tx: &Transaction, connection: Connection) -> PageResult {
    let up = match upstream(app, connection).await {
        Ok(up) => up,
        Err(e) => return Ok(failed_before_leaving(app, tx, e).await),
    };
    let started = upstream::start(&up.config, &up.endpoints, &callback_url(app));
    let state = UpstreamState {
        login_tx_id: tx.id.clone(),
        connection_id: up.connection.id.clone(),
        nonce: started.nonce.clone(),
        sealed_verifier: app.kek.seal(VERIFIER_AAD, started.code_verifier.as_bytes()),
        expires_at: app.now() + STATE_LIFETIME,
    };
    app.store
        .insert_upstream_state(&state, &hash_secret(&started.state))
        .await?;
    Ok(crate::http::found(&started.url))
}

/// The provider could not even be asked (down, misconfigured): the login
/// ends with an error redirect to the application.
async fn failed_before_leaving(app: &AppState, tx: &Transaction, e: UpstreamError) -> Response {
    tracing::warn!(error = %e, "upstream sign-in could not start");
    audit_failure(app, Some(&tx.client.client_id), None, &e).await;
    end_with_error(app, tx, &e).await
}

async fn audit_failure(
    app: &AppState,
    client_id: Option<&str>,
    connection: Option<&str>,
    e: &UpstreamError,
) {
    let description = e.to_string();
    app.audit(Event {
        client_id,
        connection,
        ..Event::new(Code::F, &description)
    })
    .await;
}

async fn end_with_error(app: &AppState, tx: &Transaction, e: &UpstreamError) -> Response {
    let code = match e {
        UpstreamError::Unreachable(_) => AuthorizeErrorCode::TemporarilyUnavailable,
        UpstreamError::BadAnswer(_) => AuthorizeErrorCode::ServerError,
        _ => AuthorizeErrorCode::AccessDenied,
    };
    match app.store.take_login_transaction(&tx.id).await {
        Ok(true) => flows::deliver_error(app, ErrorRedirect::to(&tx.req, code, e.to_string())),
        _ => expired(app, Some(&tx.client)),
    }
}

/// `GET /u/upstream?state=…&connection=…`: the login page's button for a
/// provider. A link, not a form: the page's CSP `form-action` would stop a
/// form whose answer redirects to the provider; the transaction is bound to
/// this browser, and all the request can do is start this person's sign-in.
pub async fn start(
    State(app): State<AppState>,
    headers: HeaderMap,
    RawQuery(q): RawQuery,
) -> PageResult {
    let params = crate::http::body::query(q.as_deref()).ok();
    let param = |k: &str| params.as_ref().and_then(|p| p.get(k)).map(str::to_string);
    let tx = match load(&app, &headers, param("state").as_deref(), None).await {
        Ok(tx) => tx,
        Err(r) => return Ok(r),
    };
    let name = param("connection").unwrap_or_default();
    let name = name.as_str();
    let upstream = if super::organization::allows_connection(&app, &tx.req, name).await? {
        enabled_upstream(&app, &tx.client.client_id, name).await?
    } else {
        None
    };
    match upstream {
        Some(c) => begin(&app, &tx, c).await,
        None => Ok(app.pages.message(
            StatusCode::BAD_REQUEST,
            "error-page__methodUnavailableTitle",
            "error-page__methodNotOffered",
        )),
    }
}

/// `POST /login/callback` (`response_mode=form_post` providers): the same
/// answer as a top-level GET, so that the browser's SameSite=Lax cookie that
/// binds the login comes with it.
pub async fn callback_post(
    State(app): State<AppState>,
    headers: HeaderMap,
    body: Body,
) -> Response {
    let form = match super::read_form(&app, &headers, body).await {
        Ok(f) => f,
        Err(page) => return page,
    };
    let query: String = form_urlencoded::Serializer::new(String::new())
        .extend_pairs(form.iter())
        .finish();
    let mut res = crate::http::found(&format!("{}?{query}", callback_url(&app)));
    *res.status_mut() = StatusCode::SEE_OTHER;
    res
}

/// `GET /login/callback`: the provider's answer.
pub async fn callback(
    State(app): State<AppState>,
    peer: ClientAddr,
    headers: HeaderMap,
    RawQuery(q): RawQuery,
) -> PageResult {
    let unknown = |app: &AppState| {
        app.pages.message(
            StatusCode::BAD_REQUEST,
            "error-page__upstreamExpiredTitle",
            "error-page__upstreamExpiredDescription",
        )
    };
    let params = match crate::http::body::query(q.as_deref()) {
        Ok(p) => p,
        Err(_) => return Ok(unknown(&app)),
    };
    let Some(state) = params.get("state") else {
        return Ok(unknown(&app));
    };
    // Single use: a replay (or a forged state) finds nothing.
    let Some(s) = app
        .store
        .take_upstream_state(&hash_secret(state), app.now())
        .await?
    else {
        audit_failure(&app, None, None, &UpstreamError::UnknownState).await;
        return Ok(unknown(&app));
    };
    // The transaction must be this browser's.
    let tx = match load(&app, &headers, Some(&s.login_tx_id), None).await {
        Ok(tx) => tx,
        Err(page) => return Ok(page),
    };
    let Some((connection, _)) = app.store.get_connection(&s.connection_id).await? else {
        return Ok(expired(&app, Some(&tx.client)));
    };
    let name = connection.name.clone();
    match complete(&app, connection, &s, &params).await {
        Ok(Outcome::Signed(user, first)) => {
            let user = *user;
            let ip = peer.text();
            if first {
                app.audit(
                    Event::new(Code::Ss, "Successful signup")
                        .client(&tx.client)
                        .user(&user)
                        .ip(&ip),
                )
                .await;
            }
            let res = finish(&app, tx, &user, peer, &headers, Via::Upstream).await?;
            Ok(continue_page(&app, res))
        }
        Ok(Outcome::Failed(e)) => {
            tracing::info!(error = %e, connection = %name, "upstream sign-in failed");
            audit_failure(&app, Some(&tx.client.client_id), Some(&name), &e).await;
            Ok(continue_page(&app, end_with_error(&app, &tx, &e).await))
        }
        Err(e) => Err(e.into()),
    }
}

/// The provider's login page posted a form whose answer redirected here; a
/// further redirect to the application would still be that form's navigation,
/// which the provider's CSP `form-action` may forbid (Chromium enforces it
/// along the redirect chain). A page that moves on by itself (meta refresh,
/// and a link) starts a new navigation. Its cookies are kept.
pub(crate) fn continue_page(app: &AppState, res: Response) -> Response {
    let location = res
        .headers()
        .get(axum::http::header::LOCATION)
        .and_then(|l| l.to_str().ok())
        .map(str::to_string);
    let Some(url) = location.filter(|_| res.status().is_redirection()) else {
        return res;
    };
    let mut page = app.pages.page(
        StatusCode::OK,
        "continue.html",
        minijinja::context! { title => "common__continueTitle", url => url },
    );
    for c in res.headers().get_all(axum::http::header::SET_COOKIE) {
        page.headers_mut()
            .append(axum::http::header::SET_COOKIE, c.clone());
    }
    page
}

enum Outcome {
    /// Signed in; `true` on the user's first sign-in.
    Signed(Box<portcullis_core::users::User>, bool),
    Failed(UpstreamError),
}

async fn complete(
    app: &AppState,
    connection: Connection,
    s: &UpstreamState,
    params: &portcullis_core::protocol::params::Params,
) -> Result<Outcome, StoreError> {
    let up = match upstream(app, connection).await {
        Ok(up) => up,
        Err(e) => return Ok(Outcome::Failed(e)),
    };
    let profile = match redeem(app, &up, s, params).await {
        Ok(p) => p,
        Err(e) => return Ok(Outcome::Failed(e)),
    };
    let user_id = upstream::user_id(&up.config, &profile.subject);
    let existing = app.store.get_user(&user_id).await?.map(|(u, _)| u);
    // Two connections of one strategy (a preset pointed at another server)
    // give the same ids: a user of the other connection is not this one.
    if existing
        .as_ref()
        .is_some_and(|u| u.connection() != up.connection.name)
    {
        return Ok(Outcome::Failed(UpstreamError::BadAnswer(
            "a user of another connection has this provider's id".into(),
        )));
    }
    // An identity linked to another user signs that user in, unchanged.
    if existing.is_none()
        && let Some((primary, _)) = app
            .store
            .linked_primary(portcullis_store::LinkedBy::UserId(
                &up.connection.name,
                &user_id,
            ))
            .await?
    {
        return Ok(Outcome::Signed(Box::new(primary), false));
    }
    // A blocked user is refused by `finish`, with nothing written.
    if let Some(u) = existing.as_ref().filter(|u| u.blocked) {
        return Ok(Outcome::Signed(Box::new(u.clone()), false));
    }
    let first = existing.is_none();
    // An address the provider did not verify may not be one another account
    // uses, whether on the first sign-in or when the provider changes it.
    let new_address = profile
        .email
        .as_ref()
        .filter(|e| existing.as_ref().is_none_or(|u| u.email != **e));
    if let Some(email) = new_address
        && !profile.email_verified
        && app.store.email_in_use(email, &user_id).await?
    {
        return Ok(Outcome::Failed(UpstreamError::UnverifiedEmailTaken));
    }
    let user = upstream::user_after_sign_in(
        existing,
        &up.connection,
        &up.config,
        &profile,
        app.issuer(),
        app.now(),
    );
    let stored = if first {
        app.store
            .insert_user(&user, None, app.now())
            .await
            .map(|_| true)
    } else {
        app.store.update_user(&user, None, app.now()).await
    };
    match stored {
        Ok(_) => Ok(Outcome::Signed(Box::new(user), first)),
        Err(StoreError::Conflict) => Ok(Outcome::Failed(UpstreamError::Refused {
            error: "access_denied".into(),
            description: "an account of this connection already has this e-mail address".into(),
        })),
        Err(e) => Err(e),
    }
}

/// The answer's checks, the code exchange, the ID token or profile.
async fn redeem(
    app: &AppState,
    up: &Upstream,
    s: &UpstreamState,
    params: &portcullis_core::protocol::params::Params,
) -> Result<upstream::Profile, UpstreamError> {
    let code = upstream::check_response(params, &up.endpoints)?;
    let verifier = app
        .kek
        .open(VERIFIER_AAD, &s.sealed_verifier)
        .ok()
        .and_then(|b| String::from_utf8(b).ok())
        .ok_or(UpstreamError::UnknownState)?;
    // client_secret_post, which Auth0, Google, Microsoft, GitHub and Keycloak
    // accept; client_secret_basic (OIDC Core §9's default) for a provider that
    // says it takes only that.
    let methods = &up.endpoints.token_endpoint_auth_methods_supported;
    let basic = up.config.protocol == Protocol::OpenIdConnect
        && !methods.is_empty()
        && !methods.iter().any(|m| m == "client_secret_post");
    // Apple: the secret is a short JWT signed with the team's key.
    let client_secret = match (&up.config.apple, &up.client_secret) {
        (Some(key), Some(pem)) => Some(crate::upstream_client::es256_jwt(
            pem,
            &key.key_id,
            &upstream::apple_client_secret_claims(key, &up.config.client_id, app.now()),
        )?),
        // A key is never sent as a secret (an apple connection whose
        // team_id or kid was removed since the key was saved).
        (None, Some(s)) if s.contains("PRIVATE KEY") => {
            return Err(UpstreamError::BadAnswer(
                "the connection's key needs team_id and kid".into(),
            ));
        }
        _ => up.client_secret.clone(),
    };
    let tokens = app
        .upstream
        .exchange_code(
            &up.endpoints.token_endpoint,
            &code,
            &callback_url(app),
            &verifier,
            &up.config.client_id,
            client_secret.as_deref(),
            basic,
        )
        .await?;
    let access_token = tokens["access_token"].as_str();
    match up.config.protocol {
        Protocol::OpenIdConnect => {
            let id_token = tokens["id_token"]
                .as_str()
                .ok_or_else(|| UpstreamError::BadIdToken("the provider sent none".into()))?;
            let jwks =
                up.endpoints.jwks_uri.as_deref().ok_or_else(|| {
                    UpstreamError::BadAnswer("the provider publishes no keys".into())
                })?;
            let claims = app.upstream.verified_claims(id_token, jwks).await?;
            upstream::check_id_token(
                &claims,
                &up.endpoints,
                &up.config.client_id,
                &s.nonce,
                app.now(),
            )?;
            let mut doc = claims;
            // OIDC Core §5.3.2: userinfo adds to the ID token for the same `sub`.
            if let (Some(url), Some(at)) = (&up.endpoints.userinfo_endpoint, access_token)
                && let Ok(info) = app.upstream.profile(url, at).await
                && info["sub"] == doc["sub"]
                && let (Some(extra), Some(base)) = (info.as_object(), doc.as_object_mut())
            {
                for (k, v) in extra {
                    base.entry(k.clone()).or_insert_with(|| v.clone());
                }
            }
            upstream::profile(&doc, &up.config.profile_map)
        }
        Protocol::OAuth2 => {
            let at = access_token.ok_or_else(|| {
                UpstreamError::BadAnswer("the provider sent no access token".into())
            })?;
            let url = up
                .config
                .profile_url
                .as_deref()
                .ok_or_else(|| UpstreamError::BadAnswer("no profile URL".into()))?;
            let doc = app.upstream.profile(url, at).await?;
            let mut profile = upstream::profile(&doc, &up.config.profile_map)?;
            // GitHub: the primary address, if GitHub verified it.
            if let Some(emails) = &up.config.emails_url
                && let Ok(list) = app.upstream.profile(emails, at).await
                && let Some(email) = upstream::github_verified_email(&list)
            {
                profile.email = Some(email);
                profile.email_verified = true;
            }
            Ok(profile)
        }
    }
}
