//! Client authentication at the token endpoint (RFC 6749 §2.3).
//!
//! Invariants:
//! - A request uses one method only: HTTP Basic or `client_secret` in the body
//!   (RFC 6749 §2.3: "MUST NOT use more than one authentication method").
//! - An unknown client and a wrong secret give the same answer, so the endpoint
//!   does not reveal which client ids exist.
//! - Confidential clients may use Basic or the body alike (Auth0's
//!   `client_secret_basic` and `client_secret_post` protect the secret equally);
//!   public clients (`none`) present no secret.

use base64::Engine;
use base64::engine::general_purpose::STANDARD;

use super::errors::{TokenError, TokenErrorCode};
use super::params::Params;
use crate::clients::Client;
use crate::secrets::{self, Secret};

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum AuthMethodUsed {
    Basic,
    Post,
    /// Only a `client_id`: a public client.
    None,
}

#[derive(Debug, Clone)]
pub struct ClientCredentials {
    pub client_id: String,
    pub secret: Option<Secret>,
    pub method: AuthMethodUsed,
}

/// Reads the client's credentials from the `Authorization` header and the body.
pub fn extract(
    authorization: Option<&str>,
    params: &Params,
) -> Result<ClientCredentials, TokenError> {
    let basic = authorization.and_then(|h| {
        let (scheme, rest) = h.split_once(' ')?;
        scheme.eq_ignore_ascii_case("basic").then(|| rest.trim())
    });
    if let Some(encoded) = basic {
        let (id, secret) = decode_basic(encoded).ok_or_else(|| {
            TokenError::new(
                TokenErrorCode::InvalidClient,
                "The Authorization header is not valid HTTP Basic credentials.",
            )
        })?;
        if params.get("client_secret").is_some() || params.get("client_assertion").is_some() {
            return Err(TokenError::invalid_request(
                "Use one client authentication method only: HTTP Basic or client_secret in the body, not both.",
            ));
        }
        if params.get("client_id").is_some_and(|body_id| body_id != id) {
            return Err(TokenError::invalid_request(
                "client_id in the body does not match the HTTP Basic credentials.",
            ));
        }
        return Ok(ClientCredentials {
            client_id: id,
            secret: Some(Secret::new(secret)),
            method: AuthMethodUsed::Basic,
        });
    }
    let Some(client_id) = params.get("client_id") else {
        return Err(TokenError::new(
            TokenErrorCode::InvalidClient,
            "Client authentication is required: send client_id and client_secret, or HTTP Basic credentials.",
        ));
    };
    Ok(match params.get("client_secret") {
        Some(s) => ClientCredentials {
            client_id: client_id.to_string(),
            secret: Some(Secret::new(s)),
            method: AuthMethodUsed::Post,
        },
        None => ClientCredentials {
            client_id: client_id.to_string(),
            secret: None,
            method: AuthMethodUsed::None,
        },
    })
}

/// RFC 6749 §2.3.1: the id and secret are form-urlencoded before Basic encoding.
fn decode_basic(encoded: &str) -> Option<(String, String)> {
    let raw = STANDARD.decode(encoded).ok()?;
    let text = String::from_utf8(raw).ok()?;
    let (id, secret) = text.split_once(':')?;
    let id = form_decode(id)?;
    let secret = form_decode(secret)?;
    (!id.is_empty()).then_some((id, secret))
}

fn form_decode(s: &str) -> Option<String> {
    let bytes = s.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        match bytes[i] {
            b'+' => out.push(b' '),
            b'%' => {
                // Two hex digits exactly: `from_str_radix` alone would also take
                // a sign (`%+A`), which no form decoder accepts.
                let hex = s.get(i + 1..i + 3)?;
                if !hex.bytes().all(|b| b.is_ascii_hexdigit()) {
                    return None;
                }
                out.push(u8::from_str_radix(hex, 16).ok()?);
                i += 2;
            }
            b => out.push(b),
        }
        i += 1;
    }
    String::from_utf8(out).ok()
}

fn failed() -> TokenError {
    TokenError::new(
        TokenErrorCode::InvalidClient,
        "Client authentication failed.",
    )
}

/// Checks `creds` against the stored client and its secret hash, and hands back
/// the client once authenticated.
pub fn authenticate(
    creds: &ClientCredentials,
    stored: Option<(Client, Option<String>)>,
) -> Result<Client, TokenError> {
    let Some((client, secret_hash)) = stored else {
        // Hash anyway, so an unknown client costs what a known one does.
        if let Some(s) = &creds.secret {
            let _ = secrets::verify_secret(s.expose(), "sha256:");
        }
        return Err(failed());
    };
    // Auth0: an application with private_key_jwt credentials has no working
    // secret (its token_endpoint_auth_method is null).
    if !client.private_key_jwt().is_empty() {
        return Err(TokenError::new(
            TokenErrorCode::InvalidClient,
            "This application authenticates with private_key_jwt: send client_assertion and client_assertion_type.",
        ));
    }
    match (
        client.is_confidential(),
        &creds.secret,
        secret_hash.as_deref(),
    ) {
        (true, Some(presented), Some(hash)) if secrets::verify_secret(presented.expose(), hash) => {
            Ok(client)
        }
        (true, None, _) => Err(TokenError::new(
            TokenErrorCode::InvalidClient,
            "This client is confidential: it must authenticate with its client_secret.",
        )),
        (true, _, _) => Err(failed()),
        (false, None, _) => Ok(client),
        (false, Some(_), _) => Err(TokenError::new(
            TokenErrorCode::InvalidClient,
            "This client is public (token_endpoint_auth_method none): it must not send a client_secret.",
        )),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn params(pairs: &[(&str, &str)]) -> Params {
        Params::from_pairs(pairs.iter().map(|(k, v)| (k.to_string(), v.to_string()))).unwrap()
    }

    #[test]
    fn basic_credentials_are_form_decoded() {
        let h = format!("Basic {}", STANDARD.encode("my%20id:s%3Acret+x"));
        let c = extract(Some(&h), &params(&[])).unwrap();
        assert_eq!(c.client_id, "my id");
        assert_eq!(c.secret.unwrap().expose(), "s:cret x");
        assert_eq!(c.method, AuthMethodUsed::Basic);
    }

    #[test]
    fn basic_and_body_secret_together_is_invalid_request() {
        let h = format!("Basic {}", STANDARD.encode("a:b"));
        let e = extract(Some(&h), &params(&[("client_secret", "b")])).unwrap_err();
        assert_eq!(e.code, TokenErrorCode::InvalidRequest);
    }

    #[test]
    fn no_credentials_is_invalid_client() {
        let e = extract(None, &params(&[])).unwrap_err();
        assert_eq!(e.code, TokenErrorCode::InvalidClient);
    }

    #[test]
    fn malformed_basic_is_invalid_client() {
        for bad in ["Basic !!!", "Basic Zm9v", "basic OnNlY3JldA=="] {
            let e = extract(Some(bad), &params(&[])).unwrap_err();
            assert_eq!(e.code, TokenErrorCode::InvalidClient, "{bad}");
        }
    }
}
