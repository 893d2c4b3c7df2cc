//! Errors to responses, in one place. Three shapes: RFC 6749 §5.2 JSON at the
//! OAuth endpoints, Auth0's `{statusCode, error, message, errorCode}` in the
//! Management API (and for unknown routes), HTML on pages. Internal detail is logged,
//! never sent.

use axum::Json;
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use portcullis_core::protocol::errors::{TokenError, TokenErrorCode};
use portcullis_store::StoreError;

/// An error of the token endpoint.
#[derive(Debug)]
pub struct TokenEndpointError {
    pub error: TokenError,
    /// RFC 6749 §5.2: a 401 after HTTP Basic must carry `WWW-Authenticate`.
    pub basic_auth_used: bool,
    /// A status other than the error code's (413 for an oversized body).
    pub status: Option<StatusCode>,
    /// Auth0's `mfa_required`: the token that finishes the login, and what
    /// the user must do (`mfa_requirements`).
    pub mfa: Option<(String, serde_json::Value)>,
    /// RFC 9449 §8: `use_dpop_nonce` sends the nonce to use in `DPoP-Nonce`.
    pub dpop_nonce: Option<String>,
}

impl TokenEndpointError {
    pub fn with_status(status: StatusCode, error: TokenError) -> Self {
        Self {
            error,
            basic_auth_used: false,
            status: Some(status),
            mfa: None,
            dpop_nonce: None,
        }
    }
}

impl From<TokenError> for TokenEndpointError {
    fn from(error: TokenError) -> Self {
        Self {
            error,
            basic_auth_used: false,
            status: None,
            mfa: None,
            dpop_nonce: None,
        }
    }
}

impl From<StoreError> for TokenEndpointError {
    fn from(e: StoreError) -> Self {
        let code = match e {
            StoreError::Unavailable(_) | StoreError::Contention => {
                TokenErrorCode::TemporarilyUnavailable
            }
            _ => TokenErrorCode::ServerError,
        };
        tracing::error!(error = %e, "storage failed at the token endpoint");
        TokenError::new(
            code,
            "The server could not complete the request. Try again later.",
        )
        .into()
    }
}

/// Status of each token endpoint error: RFC 6749 §5.2 (400, or 401 for
/// `invalid_client`), and Auth0's 403 for `access_denied`, `unauthorized_client`
/// and `invalid_grant` (Auth0's SDKs are written against those statuses).
pub fn token_error_status(code: TokenErrorCode) -> StatusCode {
    match code {
        TokenErrorCode::InvalidRequest => StatusCode::BAD_REQUEST,
        TokenErrorCode::InvalidClient => StatusCode::UNAUTHORIZED,
        TokenErrorCode::InvalidGrant => StatusCode::FORBIDDEN,
        TokenErrorCode::UnauthorizedClient => StatusCode::FORBIDDEN,
        TokenErrorCode::UnsupportedGrantType => StatusCode::BAD_REQUEST,
        TokenErrorCode::InvalidScope => StatusCode::BAD_REQUEST,
        TokenErrorCode::AccessDenied => StatusCode::FORBIDDEN,
        TokenErrorCode::ServerError => StatusCode::INTERNAL_SERVER_ERROR,
        TokenErrorCode::TemporarilyUnavailable => StatusCode::SERVICE_UNAVAILABLE,
        TokenErrorCode::TooManyAttempts => StatusCode::TOO_MANY_REQUESTS,
        TokenErrorCode::MfaRequired
        | TokenErrorCode::ExpiredToken
        | TokenErrorCode::AuthorizationPending => StatusCode::FORBIDDEN,
        TokenErrorCode::SlowDown => StatusCode::TOO_MANY_REQUESTS,
        // RFC 9449 §5, §8.
        TokenErrorCode::InvalidDpopProof | TokenErrorCode::UseDpopNonce => StatusCode::BAD_REQUEST,
    }
}

impl IntoResponse for TokenEndpointError {
    fn into_response(self) -> Response {
        let status = self
            .status
            .unwrap_or_else(|| token_error_status(self.error.code));
        let mut body = serde_json::json!({
            "error": self.error.code.as_str(),
            "error_description": self.error.description,
        });
        if let Some((token, requirements)) = self.mfa {
            body["mfa_token"] = token.into();
            body["mfa_requirements"] = requirements;
        }
        let mut res = (status, Json(body)).into_response();
        let h = res.headers_mut();
        h.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
        h.insert(header::PRAGMA, HeaderValue::from_static("no-cache"));
        if let Some(n) = self.dpop_nonce.and_then(|n| HeaderValue::from_str(&n).ok()) {
            h.insert(portcullis_core::protocol::dpop::NONCE_HEADER, n);
        }
        if self.basic_auth_used && status == StatusCode::UNAUTHORIZED {
            h.insert(
                header::WWW_AUTHENTICATE,
                HeaderValue::from_static("Basic realm=\"portcullis\", charset=\"UTF-8\""),
            );
        }
        res
    }
}

/// A Management API error in Auth0's shape.
#[derive(Debug)]
pub struct ApiError {
    pub status: StatusCode,
    pub message: String,
    pub error_code: &'static str,
    /// RFC 6750 §3: 401s say why in `WWW-Authenticate`.
    pub bearer_challenge: Option<&'static str>,
    /// RFC 9449 §7.1: a refused DPoP presentation's `WWW-Authenticate`
    /// challenge, and the nonce to use (§9).
    pub dpop_challenge: Option<Box<(String, Option<String>)>>,
}

impl ApiError {
    pub fn new(status: StatusCode, message: impl Into<String>, error_code: &'static str) -> Self {
        Self {
            status,
            message: message.into(),
            error_code,
            bearer_challenge: None,
            dpop_challenge: None,
        }
    }
    pub fn bad_request(message: impl Into<String>, error_code: &'static str) -> Self {
        Self::new(StatusCode::BAD_REQUEST, message, error_code)
    }
    pub fn not_found(message: impl Into<String>, error_code: &'static str) -> Self {
        Self::new(StatusCode::NOT_FOUND, message, error_code)
    }
    pub fn conflict(message: impl Into<String>, error_code: &'static str) -> Self {
        Self::new(StatusCode::CONFLICT, message, error_code)
    }
    pub fn forbidden(message: impl Into<String>, error_code: &'static str) -> Self {
        Self::new(StatusCode::FORBIDDEN, message, error_code)
    }
    pub fn unauthorized(message: impl Into<String>, challenge: &'static str) -> Self {
        Self {
            bearer_challenge: Some(challenge),
            ..Self::new(StatusCode::UNAUTHORIZED, message, "invalid_token")
        }
    }
    pub fn internal() -> Self {
        Self::new(
            StatusCode::INTERNAL_SERVER_ERROR,
            "Internal error",
            "internal_error",
        )
    }
}

impl From<StoreError> for ApiError {
    fn from(e: StoreError) -> Self {
        match e {
            StoreError::Conflict => {
                ApiError::conflict("The resource conflicts with an existing one", "conflict")
            }
            StoreError::MissingReference => ApiError::not_found(
                "A resource this one refers to does not exist",
                "inexistent_reference",
            ),
            StoreError::Contention => ApiError::new(
                StatusCode::SERVICE_UNAVAILABLE,
                "The request conflicted with a concurrent one; retry it",
                "temporarily_unavailable",
            ),
            StoreError::Unavailable(detail) => {
                tracing::error!(error = %detail, "database unavailable");
                ApiError::new(
                    StatusCode::SERVICE_UNAVAILABLE,
                    "Service temporarily unavailable",
                    "temporarily_unavailable",
                )
            }
            StoreError::Internal(detail) | StoreError::Undecodable(detail) => {
                tracing::error!(error = %detail, "storage failed");
                ApiError::internal()
            }
        }
    }
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        let body = serde_json::json!({
            "statusCode": self.status.as_u16(),
            "error": self.status.canonical_reason().unwrap_or("Error"),
            "message": self.message,
            "errorCode": self.error_code,
        });
        let mut res = (self.status, Json(body)).into_response();
        res.headers_mut()
            .insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
        if let Some(challenge) = self.bearer_challenge
            && let Ok(v) = HeaderValue::from_str(&format!("Bearer error=\"{challenge}\""))
        {
            res.headers_mut().insert(header::WWW_AUTHENTICATE, v);
        }
        if let Some((challenge, nonce)) = self.dpop_challenge.map(|b| *b) {
            if let Ok(v) = HeaderValue::from_str(&challenge) {
                res.headers_mut().insert(header::WWW_AUTHENTICATE, v);
            }
            if let Some(v) = nonce.and_then(|n| HeaderValue::from_str(&n).ok()) {
                res.headers_mut()
                    .insert(portcullis_core::protocol::dpop::NONCE_HEADER, v);
            }
        }
        res
    }
}

/// A storage failure during a browser flow: a plain error page, no detail.
#[derive(Debug)]
pub struct PageError(pub StoreError);

impl From<StoreError> for PageError {
    fn from(e: StoreError) -> Self {
        PageError(e)
    }
}

impl IntoResponse for PageError {
    fn into_response(self) -> Response {
        tracing::error!(error = %self.0, "storage failed in a browser flow");
        let status = match self.0 {
            StoreError::Unavailable(_) | StoreError::Contention => StatusCode::SERVICE_UNAVAILABLE,
            _ => StatusCode::INTERNAL_SERVER_ERROR,
        };
        // A page with no script, style or image: the strictest policy.
        let mut res = (
            status,
            axum::response::Html(
                "<!doctype html><title>Error</title><p>Something went wrong. Please try again.</p>",
            ),
        )
            .into_response();
        let h = res.headers_mut();
        h.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
        h.insert(
            header::CONTENT_SECURITY_POLICY,
            HeaderValue::from_static("default-src 'none'; frame-ancestors 'none'"),
        );
        h.insert(header::X_FRAME_OPTIONS, HeaderValue::from_static("DENY"));
        res
    }
}

pub type PageResult = Result<Response, PageError>;
