//! Reading request bodies and query strings: a size cap on every body, and parse
//! errors reported in the endpoint's own error format.

use axum::body::{Body, Bytes};
use axum::http::{HeaderMap, header};
use portcullis_core::auth0_fields;
use portcullis_core::protocol::errors::TokenError;
use portcullis_core::protocol::params::{Params, ParamsError};
use serde::de::DeserializeOwned;

use super::errors::ApiError;

/// OAuth requests are small; a JWT client assertion fits many times over.
pub const OAUTH_BODY_LIMIT: usize = 64 * 1024;
/// Management API payloads (an application with many callbacks).
pub const API_BODY_LIMIT: usize = 256 * 1024;

#[derive(Debug, PartialEq, Eq)]
pub enum BodyError {
    TooLarge,
    Unreadable,
}

pub async fn read(body: Body, limit: usize) -> Result<Bytes, BodyError> {
    axum::body::to_bytes(body, limit).await.map_err(|e| {
        let inner = e.into_inner();
        if inner.is::<http_body_util::LengthLimitError>() {
            BodyError::TooLarge
        } else {
            BodyError::Unreadable
        }
    })
}

pub(crate) fn media_type(headers: &HeaderMap) -> Option<String> {
    headers
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .map(|v| {
            v.split(';')
                .next()
                .unwrap_or("")
                .trim()
                .to_ascii_lowercase()
        })
}

/// The parameters of an OAuth request: `application/x-www-form-urlencoded` as RFC
/// 6749 §3.2 says, or a flat JSON object of strings, as Auth0 also accepts.
pub fn oauth_params(headers: &HeaderMap, bytes: &[u8]) -> Result<Params, TokenError> {
    let duplicate = |e: ParamsError| TokenError::invalid_request(e.to_string());
    match media_type(headers).as_deref() {
        Some("application/x-www-form-urlencoded") => {
            Params::from_pairs(form_urlencoded::parse(bytes).into_owned()).map_err(duplicate)
        }
        Some("application/json") => {
            let JsonPairs(map) = serde_json::from_slice(bytes).map_err(|_| {
                TokenError::invalid_request("The request body is not a valid JSON object.")
            })?;
            let mut pairs = Vec::with_capacity(map.len());
            for (k, v) in map {
                match v {
                    serde_json::Value::String(s) => pairs.push((k, s)),
                    serde_json::Value::Null => {}
                    _ => {
                        return Err(TokenError::invalid_request(format!(
                            "Parameter '{k}' must be a string."
                        )));
                    }
                }
            }
            Params::from_pairs(pairs).map_err(duplicate)
        }
        None if bytes.is_empty() => Ok(Params::default()),
        _ => Err(TokenError::invalid_request(
            "Content-Type must be application/x-www-form-urlencoded or application/json.",
        )),
    }
}

fn has_nul(v: &serde_json::Value) -> bool {
    match v {
        serde_json::Value::String(s) => s.contains('\0'),
        serde_json::Value::Array(a) => a.iter().any(has_nul),
        serde_json::Value::Object(m) => m.iter().any(|(k, v)| k.contains('\0') || has_nul(v)),
        _ => false,
    }
}

/// A JSON object's members in order, repeated names kept: serde_json's `Map`
/// would keep only the last of `{"a": "1", "a": "2"}`, and RFC 6749 §3.2's rule
/// that a parameter is sent once must hold for JSON bodies as for forms (found by
/// a property test).
struct JsonPairs(Vec<(String, serde_json::Value)>);

impl<'de> serde::Deserialize<'de> for JsonPairs {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct Visitor;
        impl<'de> serde::de::Visitor<'de> for Visitor {
            type Value = JsonPairs;
            fn expecting(&self, f: &mut std::fmt::Formatter) -> std::fmt::Result {
                f.write_str("a JSON object")
            }
            fn visit_map<A: serde::de::MapAccess<'de>>(
                self,
                mut map: A,
            ) -> Result<JsonPairs, A::Error> {
                let mut out = Vec::new();
                // The body is capped (64 KiB), and Params refuses more than
                // MAX_PARAMS with its own message.
                while let Some(entry) = map.next_entry::<String, serde_json::Value>()? {
                    out.push(entry);
                }
                Ok(JsonPairs(out))
            }
        }
        d.deserialize_map(Visitor)
    }
}

/// A Management API JSON payload, with errors that name the offending property.
pub fn api_json<T: DeserializeOwned>(headers: &HeaderMap, bytes: &[u8]) -> Result<T, ApiError> {
    api_body(headers, bytes, false, None)
}

/// As [`api_json`], for a body of Auth0's that carries fields Portcullis has
/// no setting for ([`auth0_fields`]): those at a value Portcullis behaves as
/// are taken out before the body is read; any other value is refused, naming
/// the field.
pub fn api_json_auth0<T: DeserializeOwned>(
    headers: &HeaderMap,
    bytes: &[u8],
    resource: auth0_fields::Resource,
) -> Result<T, ApiError> {
    api_body(headers, bytes, false, Some(resource))
}

/// As [`api_json`], for the few operations whose body is a JSON array
/// (Auth0's `PATCH /connections/{id}/clients`).
pub fn api_json_array<T: DeserializeOwned>(
    headers: &HeaderMap,
    bytes: &[u8],
) -> Result<T, ApiError> {
    api_body(headers, bytes, true, None)
}

fn api_body<T: DeserializeOwned>(
    headers: &HeaderMap,
    bytes: &[u8],
    array: bool,
    resource: Option<auth0_fields::Resource>,
) -> Result<T, ApiError> {
    if media_type(headers).as_deref() != Some("application/json") {
        return Err(ApiError::bad_request(
            "Payload validation error: Content-Type must be application/json.",
            "invalid_body",
        ));
    }
    if bytes.iter().all(u8::is_ascii_whitespace) {
        return Err(ApiError::bad_request(
            "Payload validation error: the body is empty.",
            "invalid_body",
        ));
    }
    let mut value: serde_json::Value = serde_json::from_slice(bytes).map_err(|e| {
        ApiError::bad_request(
            format!("Payload validation error: the body is not valid JSON ({e})."),
            "invalid_body",
        )
    })?;
    if array && !value.is_array() {
        return Err(ApiError::bad_request(
            "Payload validation error: the body must be a JSON array.",
            "invalid_body",
        ));
    }
    if !array && !value.is_object() {
        return Err(ApiError::bad_request(
            "Payload validation error: the body must be a JSON object.",
            "invalid_body",
        ));
    }
    if has_nul(&value) {
        // No field takes one, and PostgreSQL cannot store it.
        return Err(ApiError::bad_request(
            "Payload validation error: a string contains a NUL character.",
            "invalid_body",
        ));
    }
    if let (Some(resource), Some(body)) = (resource, value.as_object_mut()) {
        auth0_fields::take_unmodelled(resource, body).map_err(|e| {
            ApiError::bad_request(
                format!(
                    "Payload validation error: '{}' on property {}.",
                    e.message, e.path
                ),
                "invalid_body",
            )
        })?;
    }
    serde_path_to_error::deserialize(value).map_err(|e| {
        let path = e.path().to_string();
        let detail = e.into_inner().to_string();
        let message = if path == "." {
            format!("Payload validation error: {detail}.")
        } else {
            format!("Payload validation error: {detail} on property {path}.")
        };
        ApiError::bad_request(message, "invalid_body")
    })
}

/// Query parameters, refusing duplicates.
pub fn query(raw: Option<&str>) -> Result<Params, ApiError> {
    Params::from_pairs(form_urlencoded::parse(raw.unwrap_or("").as_bytes()).into_owned()).map_err(
        |e: ParamsError| {
            ApiError::bad_request(
                format!("Query validation error: {e}"),
                "invalid_query_string",
            )
        },
    )
}

/// The names present in a query string, to refuse unknown ones.
pub fn query_names(raw: Option<&str>) -> Vec<String> {
    form_urlencoded::parse(raw.unwrap_or("").as_bytes())
        .map(|(k, _)| k.into_owned())
        .collect()
}
