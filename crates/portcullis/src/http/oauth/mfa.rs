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
pub(crate) fn secret_aad(authenticator_id: &str) -> String {
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
    let list = match app.store.authenticators(&user.user_id).await {
        Ok(list) => list,
        Err(e) => return e.into(),
    };
    let settings = match app.store.guardian_settings().await {
        Ok(s) => s,
        Err(e) => return e.into(),
    };
    let challenge: Vec<Value> = list
        .iter()
        .filter(|a| a.confirmed && a.kind.is_second_factor())
        .map(|a| json!({"type": a.kind.requirement()}))
        .collect();
    let requirements = if challenge.is_empty() {
        let enroll: Vec<Value> = settings
            .enrollable()
            .iter()
            .map(|f| json!({"type": f.as_str()}))
            .collect();
        json!({ "enroll": enroll })
    } else {
        json!({ "challenge": challenge })
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
        dpop_nonce: None,
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
    // A hosted MFA page's step is bound to its browser and session; it is
    // never an `mfa_token` of this API.
    if stored.grant.session_id.is_some() {
        return Ok(Err(TokenProblem::Unknown));
    }
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
    dpop_proof: Option<&portcullis_core::protocol::dpop::Proof>,
) -> Result<Response, TokenEndpointError> {
    client.require_grant(proof.grant_type())?;
    let (hash, stored) = pending(app, mfa_token.expose(), Some(&client.client_id))
        .await?
        .map_err(|p| TokenEndpointError::from(p.error()))?;
    let grant = stored.grant;
    let api = match grant.audience.as_deref() {
        Some(a) => app.api(a).await?,
        None => None,
    };
    // RFC 9449: what the tokens are bound to, decided before the factor is
    // tried, so a refusal spends no code (nor a recovery code).
    let cnf = portcullis_core::protocol::dpop::confirmation(dpop_proof, client, api.as_ref())?;
    let (success, failure) = match proof {
        MfaProof::Otp(_) => (Code::Seotpft, Code::Feotpft),
        MfaProof::Oob { .. } => (Code::Seoobft, Code::Feoobft),
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
    // An Action that named one factor gets that one (or the recovery code,
    // which stands in for any).
    let proved = match proof {
        MfaProof::Otp(_) => Some(Factor::Otp),
        MfaProof::Oob { .. } => Some(Factor::Email),
        MfaProof::RecoveryCode(_) => None,
    };
    if let (Some(only), Some(proved)) = (grant.only, proved)
        && only != proved
    {
        return Err(refuse(TokenErrorCode::InvalidGrant, REJECTED).await);
    }
    let who = Who {
        app,
        client,
        user: &user,
        ip,
        spend: &hash,
    };
    // Each check spends the token in the transaction that accepts the code:
    // a second request with it, even with another good code, is refused, and
    // a refused code spends nothing.
    let recovery_code = match proof {
        MfaProof::Otp(code) => {
            who.check_otp(code.expose()).await?;
            None
        }
        MfaProof::Oob {
            oob_code,
            binding_code,
        } => {
            who.check_email_code(oob_code.expose(), binding_code.expose())
                .await?;
            None
        }
        MfaProof::RecoveryCode(code) => {
            if !settings.enabled.contains(&Factor::RecoveryCode) {
                return Err(refuse(TokenErrorCode::InvalidGrant, REJECTED).await);
            }
            Some(who.check_recovery_code(code.expose()).await?)
        }
    };
    // What the scripts decided before the second factor; unreadable, the
    // login is refused rather than finished without it.
    let Ok(scripts) = serde_json::from_value::<ScriptResult>(grant.scripts.clone()) else {
        tracing::error!("a waiting MFA grant's script result could not be read");
        return Err(TokenError::new(
            TokenErrorCode::ServerError,
            "The server could not complete the request. Try again later.",
        )
        .into());
    };
    let mut response = issue(
        app,
        client,
        Finish {
            cnf,
            dpop_jkt: portcullis_core::protocol::dpop::refresh_binding(client, dpop_proof),
            gty: if grant.gty == portcullis_core::clients::GrantType::PasswordlessOtp.as_str() {
                "passwordless"
            } else {
                "password"
            },
            user: &user,
            api: api.as_ref(),
            scope: &grant.scope,
            scripts: &scripts,
            auth_time: grant.auth_time,
            amr: Some(mfa::AMR_MFA),
            ip,
        },
    )
    .await?;
    response.recovery_code = recovery_code;
    let description = match success {
        Code::Sercft => "Password and MFA Recovery code for Access Token",
        Code::Seoobft => "Password and OOB Challenge for Access Token",
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

/// Whose second factor is being checked, for the lockout and the audit.
pub(crate) struct Who<'a> {
    pub(crate) app: &'a AppState,
    pub(crate) client: &'a Client,
    pub(crate) user: &'a User,
    pub(crate) ip: &'a str,
    /// The hash of the `mfa_token` a good code spends.
    pub(crate) spend: &'a str,
}

impl Who<'_> {
    /// Audits a second-factor event of this user.
    pub(crate) async fn log(&self, code: Code, text: &str) {
        let e = Event::new(code, text)
            .client(self.client)
            .user(self.user)
            .ip(self.ip);
        self.app.audit(e).await;
    }

    /// E-mails a new six-digit code for authenticator `id`; the `oob_code`
    /// that names the challenge.
    pub(crate) async fn send_code(&self, id: &str) -> Result<String, TokenEndpointError> {
        let oob_code = portcullis_core::random::url_token();
        let code = mfa::new_email_code();
        let now = self.app.now();
        self.app
            .store
            .insert_mfa_challenge(
                &secrets::hash_secret(&oob_code),
                id,
                &self.user.user_id,
                &secrets::hash_secret(&format!("{oob_code}:{code}")),
                now + mfa::EMAIL_CODE_TTL,
            )
            .await?;
        let text = format!(
            "Your verification code is {code}. It expires in five minutes.\n\nIf you did not try to sign in, change your password: someone else knows it.\n"
        );
        let html = format!(
            "<!doctype html><html><body style=\"font-family:sans-serif;color:#1a1a1a\"><p>Your verification code is</p><p style=\"font-size:1.6em;letter-spacing:0.2em\"><strong>{code}</strong></p><p>It expires in five minutes. If you did not try to sign in, change your password: someone else knows it.</p></body></html>"
        );
        let sent = self
            .app
            .send_mail(crate::mailer::Message {
                to: &self.user.email,
                subject: "Your verification code",
                body: &text,
                html: Some(&html),
                from: None,
            })
            .await;
        if let Err(e) = sent {
            tracing::error!(error = %e, "could not send the MFA code e-mail");
            self.log(Code::Fn, "Failed to send the MFA code e-mail")
                .await;
            return Err(TokenError::new(
                TokenErrorCode::TemporarilyUnavailable,
                "The verification code could not be sent. Try again later.",
            )
            .into());
        }
        self.log(Code::GdSendEmail, "MFA Email Sent").await;
        Ok(oob_code)
    }

    /// The user typed the code e-mailed for `oob_code`: the challenge is
    /// spent and its authenticator confirmed.
    pub(crate) async fn check_email_code(
        &self,
        oob_code: &str,
        typed: &str,
    ) -> Result<(), TokenEndpointError> {
        let now = self.app.now();
        let oob_hash = secrets::hash_secret(oob_code);
        let malformed = || {
            TokenEndpointError::from(TokenError::new(
                TokenErrorCode::InvalidGrant,
                "Malformed oob_code",
            ))
        };
        let Some((id, owner, code_hash, expires_at, used_at)) =
            self.app.store.mfa_challenge(&oob_hash).await?
        else {
            self.log(Code::Feoobft, "Malformed oob_code").await;
            return Err(malformed());
        };
        if owner != self.user.user_id || used_at.is_some() {
            self.log(Code::Feoobft, "Invalid oob_code").await;
            return Err(malformed());
        }
        if expires_at <= now {
            return Err(
                TokenError::new(TokenErrorCode::ExpiredToken, "oob_code is expired").into(),
            );
        }
        let Some(s) = self
            .app
            .store
            .authenticator_secret(&self.user.user_id, &id)
            .await?
        else {
            return Err(malformed());
        };
        let attempts = self.attempt(&id, now, Code::GdOtpRateLimitExceed).await?;
        let typed = typed.trim();
        let good =
            typed.len() == 6 && secrets::verify_secret(&format!("{oob_code}:{typed}"), &code_hash);
        let accepted = good
            && self
                .app
                .store
                .accept_mfa_challenge(&oob_hash, &self.user.user_id, &id, self.spend, now)
                .await?;
        if !accepted {
            return Err(self
                .failed(
                    attempts,
                    [
                        Code::GdAuthFailed,
                        Code::Feoobft,
                        Code::GdOtpRateLimitExceed,
                    ],
                    "Invalid binding_code.",
                )
                .await);
        }
        let (code, text) = if s.authenticator.confirmed {
            (Code::GdAuthSucceed, "MFA Auth success")
        } else {
            (
                Code::GdEnrollmentComplete,
                "Guardian - Enrollment complete (email)",
            )
        };
        self.log(code, text).await;
        Ok(())
    }

    /// The user's one-time-password authenticator accepts `code` (and is
    /// confirmed by it, if it was new).
    pub(crate) async fn check_otp(&self, code: &str) -> Result<(), TokenEndpointError> {
        let (app, user) = (self.app, self.user);
        let now = app.now();
        let list = app.store.authenticators(&user.user_id).await?;
        let Some(a) = list.iter().find(|a| a.kind == Kind::Totp) else {
            self.log(Code::Feotpft, "No OTP authenticator").await;
            return Err(TokenError::new(
                TokenErrorCode::InvalidGrant,
                "User is not enrolled with otp. Use /mfa/associate to enroll an authenticator.",
            )
            .into());
        };
        let Some(s) = app.store.authenticator_secret(&user.user_id, &a.id).await? else {
            return Err(TokenError::new(TokenErrorCode::InvalidGrant, INVALID_OTP).into());
        };
        let attempts = self.attempt(&a.id, now, Code::GdOtpRateLimitExceed).await?;
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
                    .accept_totp(&user.user_id, &a.id, step, self.spend, now)
                    .await?
            }
            Err(_) => false,
        };
        if !accepted {
            return Err(self
                .failed(
                    attempts,
                    [
                        Code::GdAuthFailed,
                        Code::Feotpft,
                        Code::GdOtpRateLimitExceed,
                    ],
                    INVALID_OTP,
                )
                .await);
        }
        let (code, text) = if a.confirmed {
            (Code::GdAuthSucceed, "MFA Auth success")
        } else {
            (
                Code::GdEnrollmentComplete,
                "Guardian - Enrollment complete (otp)",
            )
        };
        self.log(code, text).await;
        Ok(())
    }

    /// The user's recovery code is `typed`: it is spent and a new one made
    /// (returned, to be shown once).
    pub(crate) async fn check_recovery_code(
        &self,
        typed: &str,
    ) -> Result<String, TokenEndpointError> {
        let (app, user) = (self.app, self.user);
        let now = app.now();
        let list = app.store.authenticators(&user.user_id).await?;
        let Some(a) = list
            .iter()
            .find(|a| a.kind == Kind::RecoveryCode && a.confirmed)
        else {
            self.log(Code::GdRecoveryFailed, REJECTED).await;
            return Err(TokenError::new(TokenErrorCode::InvalidGrant, REJECTED).into());
        };
        let Some(s) = app.store.authenticator_secret(&user.user_id, &a.id).await? else {
            return Err(TokenError::new(TokenErrorCode::InvalidGrant, REJECTED).into());
        };
        let attempts = self
            .attempt(&a.id, now, Code::GdRecoveryRateLimitExceed)
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
                    self.spend,
                    now,
                )
                .await?;
        if !replaced {
            return Err(self
                .failed(
                    attempts,
                    [
                        Code::GdRecoveryFailed,
                        Code::Fercft,
                        Code::GdRecoveryRateLimitExceed,
                    ],
                    REJECTED,
                )
                .await);
        }
        self.log(Code::GdRecoverySucceed, "MFA recovery success")
            .await;
        Ok(next)
    }

    /// Takes one attempt at authenticator `id` before its code is checked:
    /// the attempts in the window so far, or `429` (audited as `limit`)
    /// when the authenticator is locked out.
    pub(crate) async fn attempt(
        &self,
        id: &str,
        now: i64,
        limit: Code,
    ) -> Result<i64, TokenEndpointError> {
        let taken = self
            .app
            .store
            .take_attempt(
                &self.user.user_id,
                id,
                now,
                mfa::ATTEMPT_WINDOW,
                mfa::MAX_ATTEMPTS,
            )
            .await?;
        match taken {
            Some(n) => Ok(n),
            None => {
                self.log(limit, TOO_MANY).await;
                Err(TokenEndpointError::with_status(
                    StatusCode::TOO_MANY_REQUESTS,
                    TokenError::invalid_request(TOO_MANY),
                ))
            }
        }
    }

    /// A refused code, the `attempts`th in its window: audited (`failed`, the
    /// exchange's failure, and the lockout when this one reached it) and
    /// answered `invalid_grant` with `text`.
    pub(crate) async fn failed(
        &self,
        attempts: i64,
        [failed, exchange_failed, limit]: [Code; 3],
        text: &'static str,
    ) -> TokenEndpointError {
        for code in [failed, exchange_failed] {
            self.log(code, text).await;
        }
        if attempts >= mfa::MAX_ATTEMPTS {
            self.log(limit, TOO_MANY).await;
        }
        TokenError::new(TokenErrorCode::InvalidGrant, text).into()
    }
}

/// Whether a token for `audience` is one for the MFA API and `user_id` has
/// a second factor to be challenged with (Auth0 mints MFA API tokens for a
/// user with none, so they can enrol).
pub(crate) async fn api_needs_factor(
    app: &AppState,
    audience: Option<&str>,
    user_id: &str,
) -> Result<bool, portcullis_store::StoreError> {
    if audience != Some(mfa::api_audience(app.issuer()).as_str()) {
        return Ok(false);
    }
    let list = app.store.authenticators(user_id).await?;
    Ok(list
        .iter()
        .any(|a| a.confirmed && a.kind.is_second_factor()))
}

/// An MFA API access token (`Authorization: Bearer`, or `DPoP` with a
/// proof for a bound one; audience `https://{domain}/mfa/`) holding
/// `scope`: its user.
async fn api_caller(
    app: &AppState,
    headers: &HeaderMap,
    (method, path): (&str, &str),
    scope: &str,
) -> Result<User, Response> {
    let (scheme, token) = crate::http::dpop::presented(headers).ok_or_else(|| {
        oauth_error(
            StatusCode::UNAUTHORIZED,
            "invalid_token",
            "Missing access token",
        )
    })?;
    let unauthorized = || oauth_error(StatusCode::UNAUTHORIZED, "invalid_token", "Invalid token");
    let stored = |e| TokenEndpointError::from(e).into_response();
    app.sync_configuration().await.map_err(stored)?;
    let claims = app
        .verify::<portcullis_core::tokens::AccessTokenClaims>(token)
        .map_err(|_| unauthorized())?;
    portcullis_core::protocol::bearer::check(
        &claims,
        app.issuer(),
        &mfa::api_audience(app.issuer()),
        app.now(),
    )
    .map_err(|_| unauthorized())?;
    // RFC 9449 §7.1: a bound token only with a proof of its key.
    crate::http::dpop::check_presentation(
        app,
        headers,
        method,
        path,
        (scheme, token),
        claims.cnf.as_ref(),
    )
    .await
    .map_err(stored)?
    .map_err(|r| r.into_response())?;
    if let Some(jti) = &claims.jti
        && app.store.is_token_id_revoked(jti).await.map_err(stored)?
    {
        return Err(unauthorized());
    }
    if !claims.scopes().any(|s| s == scope) {
        return Err(oauth_error(
            StatusCode::FORBIDDEN,
            "insufficient_scope",
            &format!("Insufficient scope, expected: {scope}"),
        ));
    }
    match app.store.get_user(&claims.sub).await {
        Ok(Some((u, _))) if !u.blocked => Ok(u),
        Ok(_) => Err(unauthorized()),
        Err(e) => Err(stored(e)),
    }
}

/// `DELETE /mfa/authenticators/{id}` with an MFA API access token holding
/// `remove:authenticators`.
pub async fn delete_authenticator(
    State(app): State<AppState>,
    headers: HeaderMap,
    axum::extract::Path(id): axum::extract::Path<String>,
) -> Response {
    let path = format!("/mfa/authenticators/{id}");
    let at = ("DELETE", path.as_str());
    let user = match api_caller(&app, &headers, at, "remove:authenticators").await {
        Ok(u) => u,
        Err(r) => return r,
    };
    match app.store.delete_authenticator(&user.user_id, &id).await {
        Ok(true) => {
            let e = Event::new(Code::GdUnenroll, "Guardian - Unenrolled").user(&user);
            app.audit(e).await;
            StatusCode::NO_CONTENT.into_response()
        }
        Ok(false) => oauth_error(
            StatusCode::NOT_FOUND,
            "not_found",
            "Authenticator not found.",
        ),
        Err(e) => TokenEndpointError::from(e).into_response(),
    }
}

/// The name authenticator apps show beside the account: the tenant's
/// friendly name, else the issuer's host.
pub(crate) async fn tenant_name(app: &AppState) -> String {
    match app.settings().await {
        Ok(s) => s.friendly_name,
        Err(_) => None,
    }
    .unwrap_or_else(|| {
        url::Url::parse(&app.config.issuer)
            .ok()
            .and_then(|u| u.host_str().map(str::to_string))
            .unwrap_or_default()
    })
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
    let list = |name: &str| -> Vec<String> {
        body.get(name)
            .and_then(Value::as_array)
            .map(|a| {
                a.iter()
                    .filter_map(Value::as_str)
                    .map(str::to_string)
                    .collect()
            })
            .unwrap_or_default()
    };
    let kind = match (
        list("authenticator_types").as_slice(),
        list("oob_channels").as_slice(),
    ) {
        ([t], _) if t == "otp" => Kind::Totp,
        ([t], [c]) if t == "oob" && c == "email" => Kind::Email,
        _ => {
            return oauth_error(
                StatusCode::BAD_REQUEST,
                "invalid_request",
                "Portcullis enrols [\"otp\"], or [\"oob\"] with oob_channels [\"email\"].",
            );
        }
    };
    let settings = match app.store.guardian_settings().await {
        Ok(s) => s,
        Err(e) => return TokenEndpointError::from(e).into_response(),
    };
    if !settings.enabled.contains(&kind.factor()) {
        return oauth_error(
            StatusCode::BAD_REQUEST,
            "invalid_request",
            &format!(
                "The {} factor is not enabled for this tenant.",
                kind.factor().as_str()
            ),
        );
    }
    let user = match app.store.get_user(&stored.grant.user_id).await {
        Ok(Some((u, _))) => u,
        Ok(None) => return invalid_token(),
        Err(e) => return TokenEndpointError::from(e).into_response(),
    };
    // E-mail codes go to the user's own address only: an address chosen by
    // whoever holds the mfa_token would make the second factor theirs.
    if kind == Kind::Email
        && body
            .get("email")
            .and_then(Value::as_str)
            .is_some_and(|e| !e.eq_ignore_ascii_case(&user.email))
    {
        return oauth_error(
            StatusCode::BAD_REQUEST,
            "invalid_request",
            "The email must be the user's own address.",
        );
    }
    // Only an authenticator app has a secret; e-mail codes are made per
    // challenge.
    let secret = (kind == Kind::Totp).then(TotpSecret::generate);
    let first_id = Authenticator::new_id(kind);
    let sealed = secret
        .as_ref()
        .map(|secret| app.kek.seal(&secret_aad(&first_id), secret.as_bytes()));
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
        .enroll_first(
            &user.user_id,
            (&first_id, kind, sealed.as_deref()),
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
    let e = Event::new(Code::GdStartEnroll, "Guardian - Enrollment started").user(&user);
    app.audit(Event {
        client_id: Some(&client_id),
        ..e
    })
    .await;
    let tenant = tenant_name(&app).await;
    let mut answer = if let Some(secret) = &secret {
        json!({
            "authenticator_type": "otp",
            "secret": secret.base32(),
            "barcode_uri": totp::otpauth_uri(&tenant, &user.email, secret),
        })
    } else {
        let client = match app.client(&client_id).await {
            Ok(Some((c, _))) => c,
            Ok(None) => return invalid_token(),
            Err(e) => return TokenEndpointError::from(e).into_response(),
        };
        // (Sending a code spends nothing: the token is spent by the grant.)
        let who = Who {
            app: &app,
            client: &client,
            user: &user,
            ip: "",
            spend: "",
        };
        let oob_code = match who.send_code(&first_id).await {
            Ok(c) => c,
            Err(e) => return e.into_response(),
        };
        json!({
            "authenticator_type": "oob",
            "binding_method": "prompt",
            "oob_channel": "email",
            "oob_code": oob_code,
        })
    };
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
    // The waiting login's mfa_token, or an MFA API access token with
    // `read:authenticators`.
    let user = match bearer_pending(&app, &headers).await {
        Ok(stored) => match app.store.get_user(&stored.grant.user_id).await {
            Ok(Some((u, _))) => u,
            Ok(None) => return invalid_token(),
            Err(e) => return TokenEndpointError::from(e).into_response(),
        },
        Err(refused) => match api_caller(
            &app,
            &headers,
            ("GET", "/mfa/authenticators"),
            "read:authenticators",
        )
        .await
        {
            Ok(u) => u,
            Err(_) => return refused,
        },
    };
    match app.store.authenticators(&user.user_id).await {
        Ok(list) => Json(Value::Array(
            list.iter().map(|a| a.to_mfa_json(&user.email)).collect(),
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
    peer: crate::http::client_addr::ClientAddr,
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
    let accepts = |t: &str| {
        params
            .get("challenge_type")
            .is_none_or(|ct| ct.split_whitespace().any(|x| x == t))
    };
    let list = app.store.authenticators(&stored.grant.user_id).await?;
    let active: Vec<&Authenticator> = list
        .iter()
        .filter(|a| a.confirmed && a.kind.is_second_factor())
        .collect();
    if active.is_empty() {
        return Ok(oauth_error(
            StatusCode::BAD_REQUEST,
            "unsupported_challenge_type",
            "User is not enrolled. Use /mfa/associate to enroll an authenticator.",
        ));
    }
    let chosen = match params.get("authenticator_id") {
        Some(id) => match active.iter().find(|a| a.id == id) {
            Some(a) => Some(*a),
            None => {
                return Ok(oauth_error(
                    StatusCode::BAD_REQUEST,
                    "invalid_request",
                    "The authenticator_id does not name an active authenticator of the user.",
                ));
            }
        },
        // An app's code first (nothing to send), then an e-mailed code.
        None => active
            .iter()
            .find(|a| a.kind == Kind::Totp)
            .or_else(|| active.iter().find(|a| a.kind == Kind::Email))
            .copied(),
    };
    let chosen = chosen.filter(|a| accepts(a.kind.authenticator_type()));
    let Some(a) = chosen else {
        let supported: Vec<&str> = active.iter().map(|a| a.kind.authenticator_type()).collect();
        return Ok(oauth_error(
            StatusCode::BAD_REQUEST,
            "unsupported_challenge_type",
            &format!(
                "The user does not support any of the requested challenge types. Supported type: {}.",
                supported.join(", ")
            ),
        ));
    };
    if a.kind == Kind::Totp {
        return Ok(Json(json!({"challenge_type": "otp"})).into_response());
    }
    let Some((user, _)) = app.store.get_user(&stored.grant.user_id).await? else {
        return Ok(invalid_token());
    };
    let ip = peer.text();
    let who = Who {
        app: &app,
        client: &client,
        user: &user,
        ip: &ip,
        spend: "",
    };
    let oob_code = who.send_code(&a.id).await?;
    Ok(
        Json(json!({"challenge_type": "oob", "oob_code": oob_code, "binding_method": "prompt"}))
            .into_response(),
    )
}
