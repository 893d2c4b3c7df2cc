//! Validation errors for Management API payloads, with the field they concern.

/// A payload that does not satisfy the model's rules. The message names the field,
/// so a person can fix the request.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{message}")]
pub struct ValidationError {
    pub message: String,
    /// The property the message is about (`email`, `username`…), so a page
    /// can mark its field and say it in the person's language.
    pub property: String,
}

impl ValidationError {
    pub fn field(field: &str, problem: impl std::fmt::Display) -> Self {
        Self {
            message: format!("Payload validation error: {problem} on property {field}."),
            property: field.to_string(),
        }
    }
}

pub type Validated<T> = Result<T, ValidationError>;

/// Auth0 refuses `<` and `>` in display names; so do we (they would only ever be
/// used to inject markup).
pub fn display_name(field: &str, value: &str, max: usize) -> Validated<()> {
    if value.trim().is_empty() {
        return Err(ValidationError::field(field, "must not be empty"));
    }
    if value.chars().count() > max {
        return Err(ValidationError::field(
            field,
            format!("must be at most {max} characters"),
        ));
    }
    if value.contains(['<', '>']) {
        return Err(ValidationError::field(field, "must not contain '<' or '>'"));
    }
    Ok(())
}

pub fn max_len(field: &str, value: &str, max: usize) -> Validated<()> {
    if value.chars().count() > max {
        return Err(ValidationError::field(
            field,
            format!("must be at most {max} characters"),
        ));
    }
    Ok(())
}

/// An absolute URL whose scheme is not one that runs code or inlines data.
pub fn url(field: &str, value: &str) -> Validated<url::Url> {
    let parsed = url::Url::parse(value).map_err(|e| {
        ValidationError::field(field, format!("'{value}' is not a valid URL ({e})"))
    })?;
    match parsed.scheme() {
        "javascript" | "data" | "vbscript" | "file" | "blob" => Err(ValidationError::field(
            field,
            format!("'{value}' uses a forbidden scheme"),
        )),
        _ => Ok(parsed),
    }
}

/// An http(s) URL.
pub fn web_url(field: &str, value: &str) -> Validated<url::Url> {
    let parsed = url(field, value)?;
    if !matches!(parsed.scheme(), "http" | "https") {
        return Err(ValidationError::field(
            field,
            format!("'{value}' must be an http or https URL"),
        ));
    }
    Ok(parsed)
}

/// A web origin: `scheme://host[:port]`, nothing after it.
pub fn origin(field: &str, value: &str) -> Validated<()> {
    let parsed = web_url(field, value)?;
    if parsed.path() != "/" || parsed.query().is_some() || parsed.fragment().is_some() {
        return Err(ValidationError::field(
            field,
            format!("'{value}' must be an origin (scheme, host and port only)"),
        ));
    }
    Ok(())
}

/// The origin (`scheme://host[:port]`) of an absolute URL.
pub fn origin_of(uri: &str) -> Option<String> {
    let u = url::Url::parse(uri).ok()?;
    match u.origin() {
        url::Origin::Tuple(..) => Some(u.origin().ascii_serialization()),
        url::Origin::Opaque(_) => None,
    }
}
