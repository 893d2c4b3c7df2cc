//! Auth0's MFA API: a password login that needs a second factor is answered
//! `403 mfa_required` with an `mfa_token` (the waiting grant kept under the
//! token's hash); `/mfa/associate` enrols a one-time-password app with it,
//! `/mfa/challenge` and `/mfa/authenticators` tell the app what the user has,
//! and the `mfa-otp` and `mfa-recovery-code` grants finish the login.
//!
//! Invariants (`portcullis_core::mfa`, `totp`): an `mfa_token` is good for
//! ten minutes, for the client it was issued to, and is spent by the grant
//! that finishes the login; a TOTP step is accepted once; a recovery code is
//! replaced when used; ten wrong codes in fifteen minutes lock the
//! authenticator for the rest of the window. Every refusal is audited and
//! changes nothing but the failure count.

use axum::Json;
use axum::body::Body;
use axum::extract::State;
use axum::http::{HeaderMap, StatusCode, header};
use axum::response::{IntoResponse, Response};
use portcullis_core::clients::Client;
use portcullis_core::mfa::{self, Authenticator, Factor, Kind, PendingGrant};
use portcullis_core::protocol::errors::{TokenError, TokenErrorCode};
use portcullis_core::protocol::token_request::MfaProof;
use portcullis_core::scripts::ScriptResult;
use portcullis_core::secrets::{self, Secret};
use portcullis_core::totp::{self, TotpSecret};
use portcullis_core::users::User;
use portcullis_store::StoredMfaToken;
use serde_json::{Value, json};

use super::password::{Finish, issue};
use crate::app::AppState;
use crate::audit::{Code, Event};
use crate::http::errors::TokenEndpointError;

const MFA_REQUIRED: &str = "Multifactor authentication required";
const INVALID_OTP: &str = "Invalid otp_code.";
const REJECTED: &str = "MFA Authorization rejected.";
const TOO_MANY: &str = "Too many failed codes. Wait for some minutes before retrying.";
const INVALID_TOKEN: &str = "The mfa_token provided is invalid. Try getting a new token.";

/// The additional data a TOTP secret is sealed with: it opens only as this
/// authenticator's.
fn secret_aad(authenticator_id: &str) -> String {
    format!("authenticator:{authenticator_id}")
}

/// `mfa_required`: the grant waits under a new `mfa_token`; the answer says
/// whether the user must enrol first or can be challenged.
pub async fn required(
    app: &AppState,
    client: &Client,
    user: &User,
    pending: PendingGrant,
    ip: &str,
) -> TokenEndpointError {
    let token = portcullis_core::random::url_token();
    let now = app.now();
    let stored = app
        .store
        .insert_mfa_token(
            &secrets::hash_secret(&token),
            &pending,
            now + mfa::MFA_TOKEN_TTL,
        )
        .await;
    if let Err(e) = stored {
        return e.into();
    }
    let enrolled = match app.store.authenticators(&user.user_id).await {
        Ok(list) => list.iter().any(|a| a.kind == Kind::Totp && a.confirmed),
        Err(e) => return e.into(),
    };
    let requirements = if enrolled {
        json!({"challenge": [{"type": "otp"}]})
    } else {
        json!({"enroll": [{"type": "otp"}]})
    };
    app.audit(
        Event::new(Code::Mfar, MFA_REQUIRED)
            .client(client)
            .user(user)
            .ip(ip),
    )
    .await;
    TokenEndpointError {
        error: TokenError::new(TokenErrorCode::MfaRequired, MFA_REQUIRED),
        basic_auth_used: false,
        status: None,
        mfa: Some((token, requirements)),
    }
}

/// Why an `mfa_token` was not accepted.
enum TokenProblem {
    Unknown,
    Expired,
    Spent,
    OtherClient,
}

impl TokenProblem {
    fn error(self) -> TokenError {
        match self {
            TokenProblem::Unknown => {
                TokenError::new(TokenErrorCode::InvalidGrant, "Malformed mfa_token")
            }
            TokenProblem::Expired => {
                TokenError::new(TokenErrorCode::ExpiredToken, "mfa_token is expired")
            }
            TokenProblem::Spent => TokenError::new(TokenErrorCode::InvalidGrant, INVALID_TOKEN),
            TokenProblem::OtherClient => {
                TokenError::invalid_request("mfa_token not issued to this client")
            }
        }
    }
}

/// The waiting grant of `token`, if it is still good (for `client_id`, when
/// one is named).
async fn pending(
    app: &AppState,
    token: &str,
    client_id: Option<&str>,
) -> Result<Result<(String, StoredMfaToken), TokenProblem>, portcullis_store::StoreError> {
    let hash = secrets::hash_secret(token);
    let Some(stored) = app.store.mfa_token(&hash).await? else {
        return Ok(Err(TokenProblem::Unknown));
    };
    if stored.used_at.is_some() {
        return Ok(Err(TokenProblem::Spent));
    }
    if stored.expires_at <= app.now() {
        return Ok(Err(TokenProblem::Expired));
    }
    if client_id.is_some_and(|c| c != stored.grant.client_id) {
        return Ok(Err(TokenProblem::OtherClient));
    }
    Ok(Ok((hash, stored)))
}

/// The `mfa-otp` and `mfa-recovery-code` grants.
pub async fn exchange(
    app: &AppState,
    client: &Client,
    mfa_token: Secret,
    proof: MfaProof,
    ip: &str,
) -> Result<Response, TokenEndpointError> {
    client.require_grant(proof.grant_type())?;
    let (hash, stored) = pending(app, mfa_token.expose(), Some(&client.client_id))
        .await?
        .map_err(|p| TokenEndpointError::from(p.error()))?;
    let grant = stored.grant;
    let (success, failure) = match proof {
        MfaProof::Otp(_) => (Code::Seotpft, Code::Feotpft),
        MfaProof::RecoveryCode(_) => (Code::Sercft, Code::Fercft),
    };
    let Some((user, _)) = app.store.get_user(&grant.user_id).await? else {
        return Err(TokenError::new(TokenErrorCode::InvalidGrant, INVALID_TOKEN).into());
    };
    let refuse = |code: TokenErrorCode, text: &'static str| {
        let user = &user;
        async move {
            app.audit(Event::new(failure, text).client(client).user(user).ip(ip))
                .await;
            TokenEndpointError::from(TokenError::new(code, text))
        }
    };
    if user.blocked {
        return Err(refuse(TokenErrorCode::InvalidGrant, "user is blocked").await);
    }
    let settings = app.store.guardian_settings().await?;
    let recovery_code = match proof {
        MfaProof::Otp(code) => {
            check_otp(app, client, &user, code.expose(), ip).await?;
            None
        }
        MfaProof::RecoveryCode(code) => {
            if !settings.enabled.contains(&Factor::RecoveryCode) {
                return Err(refuse(TokenErrorCode::InvalidGrant, REJECTED).await);
            }
            Some(check_recovery_code(app, client, &user, code.expose(), ip).await?)
        }
    };
    // The code was good: the token is spent now (a second request with it,
    // even with another good code, is refused).
    if !app.store.spend_mfa_token(&hash, app.now()).await? {
        return Err(refuse(TokenErrorCode::InvalidGrant, INVALID_TOKEN).await);
    }
    let api = match grant.audience.as_deref() {
        Some(a) => app.api(a).await?,
        None => None,
    };
    let scripts: ScriptResult = serde_json::from_value(grant.scripts.clone()).unwrap_or_default();
    let mut response = issue(
        app,
        client,
        Finish {
            user: &user,
            api: api.as_ref(),
            scope: &grant.scope,
            scripts: &scripts,
            auth_time: grant.auth_time,
            amr: Some(&["mfa"]),
            ip,
        },
    )
    .await?;
    response.recovery_code = recovery_code;
    let description = match success {
        Code::Sercft => "Password and MFA Recovery code for Access Token",
        _ => "Password and OTP Challenge for Access Token",
    };
    app.audit(
        Event::new(success, description)
            .client(client)
            .user(&user)
            .ip(ip),
    )
    .await;
    Ok(response.into_response())
}

/// Audits a second-factor event of `user`.
async fn audit(app: &AppState, client: &Client, user: &User, ip: &str, code: Code, text: &str) {
    app.audit(Event::new(code, text).client(client).user(user).ip(ip))
        .await;
}

/// Whose second factor is being checked, for the lockout and the audit.
struct Who<'a> {
    app: &'a AppState,
    client: &'a Client,
    user: &'a User,
    ip: &'a str,
}

impl Who<'_> {
    /// `429` (audited as `limit`) while the authenticator is locked out.
    async fn refuse_if_locked(
        &self,
        s: &portcullis_store::AuthenticatorSecret,
        now: i64,
        limit: Code,
    ) -> Result<(), TokenEndpointError> {
        if !mfa::locked(s.failures, s.failure_window, now) {
            return Ok(());
        }
        audit(self.app, self.client, self.user, self.ip, limit, TOO_MANY).await;
        Err(TokenEndpointError::with_status(
            StatusCode::TOO_MANY_REQUESTS,
            TokenError::invalid_request(TOO_MANY),
        ))
    }

    /// Counts a wrong code against authenticator `id`, audits it (`failed`,
    /// the exchange's failure, and the lockout when this one reached it),
    /// and answers `invalid_grant` with `text`.
    async fn failed(
        &self,
        id: &str,
        now: i64,
        [failed, exchange_failed, limit]: [Code; 3],
        text: &'static str,
    ) -> TokenEndpointError {
        let counted = self
            .app
            .store
            .authenticator_failed(&self.user.user_id, id, now, mfa::ATTEMPT_WINDOW)
            .await;
        let failures = match counted {
            Ok(n) => n,
            Err(e) => return e.into(),
        };
        for code in [failed, exchange_failed] {
            audit(self.app, self.client, self.user, self.ip, code, text).await;
        }
        if failures >= mfa::MAX_ATTEMPTS {
            audit(self.app, self.client, self.user, self.ip, limit, TOO_MANY).await;
        }
        TokenError::new(TokenErrorCode::InvalidGrant, text).into()
    }
}

/// The user's one-time-password authenticator accepts `code` (and is
/// confirmed by it, if it was new).
async fn check_otp(
    app: &AppState,
    client: &Client,
    user: &User,
    code: &str,
    ip: &str,
) -> Result<(), TokenEndpointError> {
    let now = app.now();
    let list = app.store.authenticators(&user.user_id).await?;
    let Some(a) = list.iter().find(|a| a.kind == Kind::Totp) else {
        audit(app, client, user, ip, Code::Feotpft, "No OTP authenticator").await;
        return Err(TokenError::new(
            TokenErrorCode::InvalidGrant,
            "User is not enrolled with otp. Use /mfa/associate to enroll an authenticator.",
        )
        .into());
    };
    let Some(s) = app.store.authenticator_secret(&user.user_id, &a.id).await? else {
        return Err(TokenError::new(TokenErrorCode::InvalidGrant, INVALID_OTP).into());
    };
    let who = Who {
        app,
        client,
        user,
        ip,
    };
    who.refuse_if_locked(&s, now, Code::GdOtpRateLimitExceed)
        .await?;
    let secret = s
        .sealed_secret
        .as_deref()
        .and_then(|sealed| app.kek.open(&secret_aad(&a.id), sealed).ok())
        .map(TotpSecret::from_bytes);
    let Some(secret) = secret else {
        tracing::error!(authenticator = %a.id, "an OTP secret could not be opened");
        return Err(TokenError::new(
            TokenErrorCode::ServerError,
            "The server could not check the code.",
        )
        .into());
    };
    let accepted = match totp::verify(&secret, code, now, s.last_step) {
        Ok(step) => {
            app.store
                .accept_totp(&user.user_id, &a.id, step, now)
                .await?
        }
        Err(_) => false,
    };
    if !accepted {
        return Err(who
            .failed(
                &a.id,
                now,
                [
                    Code::GdAuthFailed,
                    Code::Feotpft,
                    Code::GdOtpRateLimitExceed,
                ],
                INVALID_OTP,
            )
            .await);
    }
    if a.confirmed {
        audit(
            app,
            client,
            user,
            ip,
            Code::GdAuthSucceed,
            "MFA Auth success",
        )
        .await;
    } else {
        audit(
            app,
            client,
            user,
            ip,
            Code::GdEnrollmentComplete,
            "Guardian - Enrollment complete (otp)",
        )
        .await;
    }
    Ok(())
}

/// The user's recovery code is `typed`: it is spent and a new one made
/// (returned, to be shown once).
async fn check_recovery_code(
    app: &AppState,
    client: &Client,
    user: &User,
    typed: &str,
    ip: &str,
) -> Result<String, TokenEndpointError> {
    let now = app.now();
    let list = app.store.authenticators(&user.user_id).await?;
    let Some(a) = list
        .iter()
        .find(|a| a.kind == Kind::RecoveryCode && a.confirmed)
    else {
        audit(app, client, user, ip, Code::GdRecoveryFailed, REJECTED).await;
        return Err(TokenError::new(TokenErrorCode::InvalidGrant, REJECTED).into());
    };
    let Some(s) = app.store.authenticator_secret(&user.user_id, &a.id).await? else {
        return Err(TokenError::new(TokenErrorCode::InvalidGrant, REJECTED).into());
    };
    let who = Who {
        app,
        client,
        user,
        ip,
    };
    who.refuse_if_locked(&s, now, Code::GdRecoveryRateLimitExceed)
        .await?;
    let good = s
        .secret_hash
        .as_deref()
        .is_some_and(|h| secrets::verify_secret(&mfa::normalize_recovery_code(typed), h));
    let next = mfa::new_recovery_code();
    let replaced = good
        && app
            .store
            .replace_recovery_code(
                &user.user_id,
                &a.id,
                (
                    &Authenticator::new_id(Kind::RecoveryCode),
                    &secrets::hash_secret(&next),
                ),
                now,
            )
            .await?;
    if !replaced {
        return Err(who
            .failed(
                &a.id,
                now,
                [
                    Code::GdRecoveryFailed,
                    Code::Fercft,
                    Code::GdRecoveryRateLimitExceed,
                ],
                REJECTED,
            )
            .await);
    }
    audit(
        app,
        client,
        user,
        ip,
        Code::GdRecoverySucceed,
        "MFA recovery success",
    )
    .await;
    Ok(next)
}

/// An answer of the `/mfa/*` endpoints in OAuth's error shape.
fn oauth_error(status: StatusCode, error: &str, description: &str) -> Response {
    let mut res = (
        status,
        Json(json!({"error": error, "error_description": description})),
    )
        .into_response();
    res.headers_mut().insert(
        header::CACHE_CONTROL,
        axum::http::HeaderValue::from_static("no-store"),
    );
    res
}

fn invalid_token() -> Response {
    oauth_error(StatusCode::UNAUTHORIZED, "invalid_grant", INVALID_TOKEN)
}

/// The `Authorization: Bearer <mfa_token>` of an `/mfa/*` request, checked.
async fn bearer_pending(app: &AppState, headers: &HeaderMap) -> Result<StoredMfaToken, Response> {
    let token = headers
        .get(header::AUTHORIZATION)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| {
            v.strip_prefix("Bearer ")
                .or_else(|| v.strip_prefix("bearer "))
        })
        .map(str::trim)
        .filter(|t| !t.is_empty())
        .ok_or_else(invalid_token)?;
    match pending(app, token, None).await {
        Ok(Ok((_, stored))) => Ok(stored),
        Ok(Err(TokenProblem::Expired)) => Err(oauth_error(
            StatusCode::UNAUTHORIZED,
            "expired_token",
            "mfa_token is expired",
        )),
        Ok(Err(_)) => Err(invalid_token()),
        Err(e) => Err(TokenEndpointError::from(e).into_response()),
    }
}

/// `POST /mfa/associate`: enrols an authenticator app for a user who has
/// none, with the `mfa_token` of their waiting login. The secret and the
/// recovery code are shown once, here.
pub async fn associate(State(app): State<AppState>, headers: HeaderMap, b: Body) -> Response {
    let stored = match bearer_pending(&app, &headers).await {
        Ok(s) => s,
        Err(r) => return r,
    };
    let bytes = match crate::http::body::read(b, crate::http::body::OAUTH_BODY_LIMIT).await {
        Ok(b) => b,
        Err(_) => {
            return oauth_error(
                StatusCode::BAD_REQUEST,
                "invalid_request",
                "The request body could not be read.",
            );
        }
    };
    let body: Value = match serde_json::from_slice(&bytes) {
        Ok(v @ Value::Object(_)) => v,
        _ => {
            return oauth_error(
                StatusCode::BAD_REQUEST,
                "invalid_request",
                "The request body must be a JSON object.",
            );
        }
    };
    if body
        .get("client_id")
        .and_then(Value::as_str)
        .is_some_and(|c| c != stored.grant.client_id)
    {
        return oauth_error(
            StatusCode::BAD_REQUEST,
            "invalid_request",
            "mfa_token not issued to this client",
        );
    }
    let types: Vec<&str> = body
        .get("authenticator_types")
        .and_then(Value::as_array)
        .map(|a| a.iter().filter_map(Value::as_str).collect())
        .unwrap_or_default();
    if types != ["otp"] {
        return oauth_error(
            StatusCode::BAD_REQUEST,
            "invalid_request",
            "authenticator_types must be [\"otp\"]: Portcullis enrols one-time-password apps through the MFA API.",
        );
    }
    let settings = match app.store.guardian_settings().await {
        Ok(s) => s,
        Err(e) => return TokenEndpointError::from(e).into_response(),
    };
    if !settings.enabled.contains(&Factor::Otp) {
        return oauth_error(
            StatusCode::BAD_REQUEST,
            "invalid_request",
            "The otp factor is not enabled for this tenant.",
        );
    }
    let user = match app.store.get_user(&stored.grant.user_id).await {
        Ok(Some((u, _))) => u,
        Ok(None) => return invalid_token(),
        Err(e) => return TokenEndpointError::from(e).into_response(),
    };
    let secret = TotpSecret::generate();
    let totp_id = Authenticator::new_id(Kind::Totp);
    let sealed = app.kek.seal(&secret_aad(&totp_id), secret.as_bytes());
    let recovery = settings
        .enabled
        .contains(&Factor::RecoveryCode)
        .then(mfa::new_recovery_code);
    let recovery_row = recovery.as_ref().map(|code| {
        (
            Authenticator::new_id(Kind::RecoveryCode),
            secrets::hash_secret(code),
        )
    });
    let enrolled = app
        .store
        .enroll_totp(
            &user.user_id,
            (&totp_id, &sealed),
            recovery_row.as_ref().map(|(i, h)| (i.as_str(), h.as_str())),
            app.now(),
        )
        .await;
    match enrolled {
        Ok(true) => {}
        Ok(false) => {
            return oauth_error(
                StatusCode::FORBIDDEN,
                "access_denied",
                "User is already enrolled.",
            );
        }
        Err(e) => return TokenEndpointError::from(e).into_response(),
    }
    let client_id = stored.grant.client_id.clone();
    let e = Event::new(Code::GdStartEnroll, "Guardian - Enrollment started (otp)").user(&user);
    app.audit(Event {
        client_id: Some(&client_id),
        ..e
    })
    .await;
    let tenant = match app.settings().await {
        Ok(s) => s.friendly_name,
        Err(_) => None,
    }
    .unwrap_or_else(|| {
        url::Url::parse(&app.config.issuer)
            .ok()
            .and_then(|u| u.host_str().map(str::to_string))
            .unwrap_or_default()
    });
    let mut answer = json!({
        "authenticator_type": "otp",
        "secret": secret.base32(),
        "barcode_uri": totp::otpauth_uri(&tenant, &user.email, &secret),
    });
    if let Some(code) = recovery {
        answer["recovery_codes"] = json!([code]);
    }
    let mut res = Json(answer).into_response();
    res.headers_mut().insert(
        header::CACHE_CONTROL,
        axum::http::HeaderValue::from_static("no-store"),
    );
    res
}

/// `GET /mfa/authenticators` with the `mfa_token`: the user's authenticators.
pub async fn authenticators(State(app): State<AppState>, headers: HeaderMap) -> Response {
    let stored = match bearer_pending(&app, &headers).await {
        Ok(s) => s,
        Err(r) => return r,
    };
    match app.store.authenticators(&stored.grant.user_id).await {
        Ok(list) => Json(Value::Array(
            list.iter().map(Authenticator::to_mfa_json).collect(),
        ))
        .into_response(),
        Err(e) => TokenEndpointError::from(e).into_response(),
    }
}

/// `POST /mfa/challenge`: which challenge the user can answer. For a
/// one-time-password app there is nothing to send: the answer tells the app
/// to ask for the code.
pub async fn challenge(
    State(app): State<AppState>,
    headers: HeaderMap,
    b: Body,
) -> Result<Response, TokenEndpointError> {
    let (params, client) = super::client_auth::authenticated_request(&app, &headers, b).await?;
    let token = params
        .get("mfa_token")
        .ok_or_else(|| TokenError::invalid_request("Missing required parameter: mfa_token"))?;
    let (_, stored) = pending(&app, token, Some(&client.client_id))
        .await?
        .map_err(|p| TokenEndpointError::from(p.error()))?;
    let accepts_otp = params
        .get("challenge_type")
        .is_none_or(|t| t.split_whitespace().any(|t| t == "otp"));
    let list = app.store.authenticators(&stored.grant.user_id).await?;
    let otp = list.iter().find(|a| a.kind == Kind::Totp && a.confirmed);
    if let Some(id) = params.get("authenticator_id")
        && otp.is_none_or(|a| a.id != id)
    {
        return Ok(oauth_error(
            StatusCode::BAD_REQUEST,
            "invalid_request",
            "The authenticator_id does not name an active authenticator of the user.",
        ));
    }
    match otp {
        Some(_) if accepts_otp => Ok(Json(json!({"challenge_type": "otp"})).into_response()),
        Some(_) => Ok(oauth_error(
            StatusCode::BAD_REQUEST,
            "unsupported_challenge_type",
            "The user does not support any of the requested challenge types. Supported type: otp.",
        )),
        None => Ok(oauth_error(
            StatusCode::BAD_REQUEST,
            "unsupported_challenge_type",
            "User is not enrolled. Use /mfa/associate to enroll an authenticator.",
        )),
    }
}
