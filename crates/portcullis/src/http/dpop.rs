//! DPoP proofs at the edge (RFC 9449): read the `DPoP` header, have
//! `protocol::dpop` check it against this request, check the server nonce
//! when the deployment asks for one, and spend the proof's `jti` once across
//! the cluster. At the token endpoint the checked proof decides what the
//! tokens are bound to; at a resource (`/userinfo`, the Management API) it
//! must prove the key a bound token names.
//!
//! Invariants:
//! - At most one `DPoP` header (§4.3 check 1); a request with a bad proof
//!   changes nothing but the spent `jti` of a good one.
//! - A bound token presented as a bearer token is refused (§7.1).

use axum::http::HeaderMap;
use portcullis_core::protocol::dpop::{
    self, Confirmation, Expected, PresentationError, Proof, ProofError, Scheme,
};
use portcullis_core::protocol::errors::TokenError;
use portcullis_store::StoreError;

use crate::app::AppState;
use crate::http::errors::{ApiError, TokenEndpointError};

/// The request's one proof, if any.
fn proof_header(headers: &HeaderMap) -> Result<Option<&str>, ProofError> {
    let mut values = headers.get_all(dpop::HEADER).iter();
    match (values.next(), values.next()) {
        (None, _) => Ok(None),
        (Some(v), None) => v
            .to_str()
            .map(|s| Some(s.trim()))
            .map_err(|_| ProofError::Invalid("The DPoP header is not a JWT")),
        (Some(_), Some(_)) => Err(ProofError::Invalid("Send one DPoP header only")),
    }
}

/// Why a proof was not accepted: the proof's own fault, or the store's.
pub enum Refused {
    Proof(ProofError),
    Store(StoreError),
}

impl From<StoreError> for Refused {
    fn from(e: StoreError) -> Self {
        Refused::Store(e)
    }
}

/// Checks `raw` for this request: the proof itself, the nonce when
/// required, then spends its `jti` (a replay is refused on every node).
async fn check(app: &AppState, raw: &str, expected: &Expected<'_>) -> Result<Proof, Refused> {
    let proof = dpop::verify(raw, expected).map_err(Refused::Proof)?;
    if app.config.dpop_nonce {
        dpop::check_nonce(&app.kek, &proof, expected.now).map_err(Refused::Proof)?;
    }
    if !app
        .store
        .spend_dpop_jti(&proof.jkt, &proof.jti, proof.jti_expires_at())
        .await?
    {
        return Err(Refused::Proof(ProofError::Invalid(
            "The DPoP proof's jti has been used before",
        )));
    }
    Ok(proof)
}

/// The nonce to send with a refusal, when the deployment uses them.
fn nonce_for(app: &AppState) -> Option<String> {
    app.config
        .dpop_nonce
        .then(|| dpop::new_nonce(&app.kek, app.now()))
}

/// The proof of a token request (RFC 9449 §5), checked; `None` without one.
pub async fn token_request_proof(
    app: &AppState,
    headers: &HeaderMap,
) -> Result<Option<Proof>, TokenEndpointError> {
    let refuse = |e: ProofError| TokenEndpointError {
        dpop_nonce: (e == ProofError::UseNonce)
            .then(|| nonce_for(app))
            .flatten(),
        ..TokenError::from(e).into()
    };
    let Some(raw) = proof_header(headers).map_err(refuse)? else {
        return Ok(None);
    };
    let htu = format!("{}oauth/token", app.issuer());
    let expected = Expected {
        htm: "POST",
        htu: &htu,
        access_token: None,
        now: app.now(),
    };
    match check(app, raw, &expected).await {
        Ok(p) => Ok(Some(p)),
        Err(Refused::Proof(e)) => Err(refuse(e)),
        Err(Refused::Store(e)) => Err(e.into()),
    }
}

/// How an access token came: `Authorization: Bearer` or `Authorization:
/// DPoP` (§7.1), and the token.
pub fn presented(headers: &HeaderMap) -> Option<(Scheme, &str)> {
    let (scheme, token) = headers
        .get(axum::http::header::AUTHORIZATION)?
        .to_str()
        .ok()?
        .split_once(' ')?;
    let scheme = if scheme.eq_ignore_ascii_case("bearer") {
        Scheme::Bearer
    } else if scheme.eq_ignore_ascii_case(dpop::TOKEN_TYPE) {
        Scheme::Dpop
    } else {
        return None;
    };
    Some((scheme, token.trim()))
}

/// A refused presentation at a resource: the RFC 6750 / RFC 9449 error and
/// the challenge to send with it.
#[derive(Debug)]
pub struct ResourceRefusal {
    /// `invalid_token`, `invalid_dpop_proof` or `use_dpop_nonce`.
    pub error: &'static str,
    pub description: &'static str,
    pub nonce: Option<String>,
}

/// RFC 6750 §3 / RFC 9449 §7.1 at `/userinfo` and the MFA API: 401, the
/// error as JSON, the `DPoP` challenge, and the nonce to use.
impl axum::response::IntoResponse for ResourceRefusal {
    fn into_response(self) -> axum::response::Response {
        use axum::http::{HeaderValue, StatusCode, header};
        let mut res = (
            StatusCode::UNAUTHORIZED,
            axum::Json(
                serde_json::json!({"error": self.error, "error_description": self.description}),
            ),
        )
            .into_response();
        if let Ok(v) = HeaderValue::from_str(&self.challenge()) {
            res.headers_mut().insert(header::WWW_AUTHENTICATE, v);
        }
        if let Some(v) = self
            .nonce
            .as_deref()
            .and_then(|n| HeaderValue::from_str(n).ok())
        {
            res.headers_mut().insert(dpop::NONCE_HEADER, v);
        }
        res
    }
}

impl ResourceRefusal {
    /// `WWW-Authenticate: DPoP …` (§7.1): the error and the algorithms.
    pub fn challenge(&self) -> String {
        format!(
            "DPoP error=\"{}\", error_description=\"{}\", algs=\"{}\"",
            self.error,
            self.description,
            dpop::ProofAlg::names().join(" ")
        )
    }

    /// The path below the issuer of a request whose path may still carry
    /// the issuer's own path (`OriginalUri` is recorded before the base
    /// path is stripped).
    pub fn below_issuer<'p>(app: &AppState, path: &'p str) -> &'p str {
        let base = app.config.base_path();
        match path.strip_prefix(base) {
            Some(rest) if !base.is_empty() && rest.starts_with('/') => rest,
            _ => path,
        }
    }

    /// As the Management API answers it (Auth0's shape; 401, as RFC 9449
    /// §7.1 and §9 answer every refused presentation).
    pub fn into_api_error(self) -> ApiError {
        let challenge = self.challenge();
        ApiError {
            dpop_challenge: Some(Box::new((challenge, self.nonce))),
            ..ApiError::new(
                axum::http::StatusCode::UNAUTHORIZED,
                self.description,
                self.error,
            )
        }
    }
}

/// Checks that a token bound to `cnf` may be used as it came (`scheme`),
/// with this request's proof when it came as DPoP: the proof for this
/// method and URL, hashing `token`, by the token's key (§7.1).
pub async fn check_presentation(
    app: &AppState,
    headers: &HeaderMap,
    method: &str,
    path: &str,
    (scheme, token): (Scheme, &str),
    cnf: Option<&Confirmation>,
) -> Result<Result<(), ResourceRefusal>, StoreError> {
    let refusal = |e: PresentationError| ResourceRefusal {
        error: "invalid_token",
        description: e.description(),
        nonce: None,
    };
    let proof_refusal = |e: ProofError| ResourceRefusal {
        error: match e {
            ProofError::Invalid(_) => "invalid_dpop_proof",
            ProofError::UseNonce => "use_dpop_nonce",
        },
        description: e.description(),
        nonce: (e == ProofError::UseNonce)
            .then(|| nonce_for(app))
            .flatten(),
    };
    if scheme == Scheme::Bearer || cnf.is_none() {
        // Nothing to prove: a bound token as Bearer, or an unbound one as
        // DPoP, is refused as it stands.
        return Ok(dpop::check_presentation(scheme, cnf, None).map_err(refusal));
    }
    let raw = match proof_header(headers) {
        Ok(Some(raw)) => raw,
        Ok(None) => return Ok(Err(refusal(PresentationError::MissingProof))),
        Err(e) => return Ok(Err(proof_refusal(e))),
    };
    // `path` is the request's path below the issuer (the base path is
    // stripped before routing).
    let htu = format!("{}{}", app.issuer(), path.trim_start_matches('/'));
    let expected = Expected {
        htm: method,
        htu: &htu,
        access_token: Some(token),
        now: app.now(),
    };
    let proof = match check(app, raw, &expected).await {
        Ok(p) => p,
        Err(Refused::Proof(e)) => return Ok(Err(proof_refusal(e))),
        Err(Refused::Store(e)) => return Err(e),
    };
    Ok(dpop::check_presentation(scheme, cnf, Some(&proof)).map_err(refusal))
}
