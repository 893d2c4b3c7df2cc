//! The tenant's settings (Auth0's `/api/v2/tenants/settings`): the fields that
//! change behaviour here, with Auth0's names, defaults and units.
//!
//! Invariants:
//! - `session_lifetime` and `idle_session_lifetime` are hours (fractions
//!   allowed), as Auth0's; the idle timeout never exceeds the absolute one.
//! - URLs are absolute http(s) URLs; `default_redirection_uri` is HTTPS (plain
//!   HTTP only for localhost, for development) and has no fragment, as Auth0
//!   requires.
//! - An empty string clears `default_audience` and `default_directory`, as in
//!   Auth0; both must name something that exists (the shell checks).

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

use crate::validation::{self, Validated, ValidationError};

/// Auth0's defaults: a week, and three days without activity.
pub const DEFAULT_SESSION_HOURS: f64 = 168.0;
pub const DEFAULT_IDLE_HOURS: f64 = 72.0;
/// Shortest idle timeout accepted: five minutes.
pub const MIN_IDLE_HOURS: f64 = 5.0 / 60.0;
/// Longest absolute session accepted: a year.
pub const MAX_SESSION_HOURS: f64 = 8_760.0;

/// Auth0's custom error page.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct ErrorPage {
    /// A page of the tenant's own to send people to instead of ours, with
    /// `error` and `error_description` added to its query.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub url: Option<String>,
    #[serde(default)]
    pub show_log_link: bool,
    /// Auth0's hosted custom HTML; not supported (only `url`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub html: Option<String>,
}

/// The settings as stored and answered.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct TenantSettings {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub friendly_name: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub picture_url: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub support_email: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub support_url: Option<String>,
    /// The API a user flow gets a token for when it names none.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub default_audience: Option<String>,
    /// The connection the `password` grant uses.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub default_directory: Option<String>,
    /// Hours a browser session lasts from sign-in.
    pub session_lifetime: f64,
    /// Hours a browser session survives without use.
    pub idle_session_lifetime: f64,
    /// Where `/v2/logout` may return to when no application is named.
    #[serde(default)]
    pub allowed_logout_urls: Vec<String>,
    /// Where a hosted page with no application to return to sends people.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub default_redirection_uri: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub error_page: Option<ErrorPage>,
    /// Auth0's feature flags, kept as given; `enable_public_signup_user_exists_error`
    /// changes behaviour here (the others are kept for tenants moving over).
    #[serde(default)]
    pub flags: BTreeMap<String, bool>,
    /// Tokens issued inside an organization carry its name (`org_name`)
    /// beside its id.
    #[serde(default)]
    pub allow_organization_name_in_authentication_api: bool,
}

impl Default for TenantSettings {
    fn default() -> Self {
        Self {
            friendly_name: None,
            picture_url: None,
            support_email: None,
            support_url: None,
            default_audience: None,
            default_directory: None,
            session_lifetime: DEFAULT_SESSION_HOURS,
            idle_session_lifetime: DEFAULT_IDLE_HOURS,
            allowed_logout_urls: Vec::new(),
            default_redirection_uri: None,
            error_page: None,
            flags: BTreeMap::new(),
            allow_organization_name_in_authentication_api: false,
        }
    }
}

impl TenantSettings {
    /// Whether one of Auth0's feature flags is on (off when never set).
    pub fn flag(&self, name: &str) -> bool {
        self.flags.get(name).copied().unwrap_or(false)
    }

    /// The absolute session lifetime in seconds.
    pub fn session_seconds(&self) -> i64 {
        (self.session_lifetime * 3600.0).round() as i64
    }

    /// The idle timeout in seconds.
    pub fn idle_seconds(&self) -> i64 {
        (self.idle_session_lifetime * 3600.0).round() as i64
    }

    /// Where our error page should send people instead, with the error.
    pub fn error_page_url(&self, error: &str, description: &str) -> Option<String> {
        let raw = self.error_page.as_ref()?.url.as_deref()?;
        let mut url = url::Url::parse(raw).ok()?;
        url.query_pairs_mut()
            .append_pair("error", error)
            .append_pair("error_description", description);
        Some(url.into())
    }
}

/// The body of `PATCH /api/v2/tenants/settings`: only what is given changes.
#[derive(Debug, Clone, Default, Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct TenantSettingsPatch {
    pub friendly_name: Option<String>,
    pub picture_url: Option<String>,
    pub support_email: Option<String>,
    pub support_url: Option<String>,
    /// An API identifier; `""` clears it.
    pub default_audience: Option<String>,
    /// A connection's name; `""` clears it.
    pub default_directory: Option<String>,
    /// Hours (1 to 8760).
    pub session_lifetime: Option<f64>,
    /// Hours (at most `session_lifetime`).
    pub idle_session_lifetime: Option<f64>,
    /// `session_lifetime` in minutes (Auth0 takes either; its Deploy CLI
    /// sends minutes). Both at once must agree.
    pub session_lifetime_in_minutes: Option<f64>,
    /// `idle_session_lifetime` in minutes.
    pub idle_session_lifetime_in_minutes: Option<f64>,
    pub allowed_logout_urls: Option<Vec<String>>,
    pub default_redirection_uri: Option<String>,
    pub error_page: Option<ErrorPage>,
    pub flags: Option<BTreeMap<String, bool>>,
    pub allow_organization_name_in_authentication_api: Option<bool>,
}

fn clearable(v: String) -> Option<String> {
    let v = v.trim().to_string();
    (!v.is_empty()).then_some(v)
}

fn is_localhost(u: &url::Url) -> bool {
    matches!(u.host_str(), Some("localhost" | "127.0.0.1" | "[::1]"))
}

impl TenantSettingsPatch {
    pub fn apply_to(mut self, mut s: TenantSettings) -> Validated<TenantSettings> {
        for (hours, minutes, name) in [
            (
                &mut self.session_lifetime,
                self.session_lifetime_in_minutes,
                "session_lifetime_in_minutes",
            ),
            (
                &mut self.idle_session_lifetime,
                self.idle_session_lifetime_in_minutes,
                "idle_session_lifetime_in_minutes",
            ),
        ] {
            match (*hours, minutes) {
                (_, None) => {}
                (None, Some(m)) => *hours = Some(m / 60.0),
                (Some(h), Some(m)) if (h * 60.0 - m).abs() < 1e-6 => {}
                (Some(_), Some(_)) => {
                    return Err(ValidationError::field(
                        name,
                        "disagrees with the same lifetime given in hours",
                    ));
                }
            }
        }
        if let Some(v) = self.friendly_name {
            s.friendly_name = clearable(v);
        }
        if let Some(v) = self.picture_url {
            s.picture_url = clearable(v);
        }
        if let Some(v) = self.support_email {
            s.support_email = clearable(v);
        }
        if let Some(v) = self.support_url {
            s.support_url = clearable(v);
        }
        if let Some(v) = self.default_audience {
            s.default_audience = clearable(v);
        }
        if let Some(v) = self.default_directory {
            s.default_directory = clearable(v);
        }
        if let Some(v) = self.session_lifetime {
            s.session_lifetime = v;
            // A shorter session shortens the idle timeout with it unless that
            // is given too (it can never be the longer of the two).
            if self.idle_session_lifetime.is_none() {
                s.idle_session_lifetime = s.idle_session_lifetime.min(v);
            }
        }
        if let Some(v) = self.idle_session_lifetime {
            s.idle_session_lifetime = v;
        }
        if let Some(v) = self.allowed_logout_urls {
            s.allowed_logout_urls = v;
        }
        if let Some(v) = self.default_redirection_uri {
            s.default_redirection_uri = clearable(v);
        }
        if let Some(v) = self.error_page {
            s.error_page = Some(v);
        }
        if let Some(v) = self.allow_organization_name_in_authentication_api {
            s.allow_organization_name_in_authentication_api = v;
        }
        if let Some(v) = self.flags {
            s.flags.extend(v);
        }
        validate(&s)?;
        Ok(s)
    }
}

pub fn validate(s: &TenantSettings) -> Validated<()> {
    if let Some(n) = &s.friendly_name {
        validation::display_name("friendly_name", n, 255)?;
    }
    for (field, v) in [
        ("picture_url", &s.picture_url),
        ("support_url", &s.support_url),
    ] {
        if let Some(u) = v {
            validation::web_url(field, u)?;
        }
    }
    if let Some(e) = &s.support_email {
        let ok = e
            .split_once('@')
            .is_some_and(|(a, b)| !a.is_empty() && b.contains('.'))
            && !e.contains(char::is_whitespace);
        if !ok {
            return Err(ValidationError::field(
                "support_email",
                format!("'{e}' is not an e-mail address"),
            ));
        }
    }
    if !(1.0..=MAX_SESSION_HOURS).contains(&s.session_lifetime) {
        return Err(ValidationError::field(
            "session_lifetime",
            format!("must be between 1 and {MAX_SESSION_HOURS} hours"),
        ));
    }
    // At least five minutes: a use is recorded at most once a minute, so a
    // shorter timeout could end sessions that are in use.
    if !(s.idle_session_lifetime >= MIN_IDLE_HOURS && s.idle_session_lifetime <= s.session_lifetime)
    {
        return Err(ValidationError::field(
            "idle_session_lifetime",
            "must be at least 5 minutes (0.0834 hours) and at most session_lifetime",
        ));
    }
    for u in &s.allowed_logout_urls {
        validation::web_url("allowed_logout_urls", u)?;
    }
    if let Some(u) = &s.default_redirection_uri {
        let parsed = validation::web_url("default_redirection_uri", u)?;
        if parsed.scheme() != "https" && !is_localhost(&parsed) {
            return Err(ValidationError::field(
                "default_redirection_uri",
                "must be an https URL",
            ));
        }
        if parsed.fragment().is_some() {
            return Err(ValidationError::field(
                "default_redirection_uri",
                "cannot contain a fragment",
            ));
        }
    }
    if let Some(p) = &s.error_page {
        if p.html.as_deref().is_some_and(|h| !h.is_empty()) {
            return Err(ValidationError::field(
                "error_page.html",
                "hosted error-page HTML is not supported; set error_page.url to a page of your own",
            ));
        }
        if let Some(u) = &p.url {
            validation::web_url("error_page.url", u)?;
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lifetimes_in_minutes_are_hours_and_must_agree() {
        let s = patch(serde_json::json!({"session_lifetime_in_minutes": 10080.0,
            "idle_session_lifetime_in_minutes": 4320.0}))
        .unwrap();
        assert_eq!((s.session_lifetime, s.idle_session_lifetime), (168.0, 72.0));
        assert!(
            patch(
                serde_json::json!({"session_lifetime": 48.0, "session_lifetime_in_minutes": 2880.0})
            )
            .is_ok()
        );
        assert!(
            patch(
                serde_json::json!({"session_lifetime": 48.0, "session_lifetime_in_minutes": 60.0})
            )
            .is_err()
        );
    }

    fn patch(v: serde_json::Value) -> Validated<TenantSettings> {
        serde_json::from_value::<TenantSettingsPatch>(v)
            .unwrap()
            .apply_to(TenantSettings::default())
    }

    #[test]
    fn defaults_are_auth0s() {
        let s = TenantSettings::default();
        assert_eq!(s.session_seconds(), 7 * 24 * 3600);
        assert_eq!(s.idle_seconds(), 3 * 24 * 3600);
    }

    #[test]
    fn lifetimes_are_hours_and_idle_fits_inside() {
        let s = patch(serde_json::json!({"session_lifetime": 2, "idle_session_lifetime": 0.5}))
            .unwrap();
        assert_eq!((s.session_seconds(), s.idle_seconds()), (7200, 1800));
        assert!(patch(serde_json::json!({"session_lifetime": 0.5})).is_err());
        assert!(
            patch(serde_json::json!({"session_lifetime": 2, "idle_session_lifetime": 3})).is_err()
        );
        assert!(patch(serde_json::json!({"idle_session_lifetime": 0})).is_err());
    }

    #[test]
    fn empty_strings_clear() {
        let s = patch(serde_json::json!({"default_audience": "https://a/"})).unwrap();
        assert_eq!(s.default_audience.as_deref(), Some("https://a/"));
        let s = serde_json::from_value::<TenantSettingsPatch>(
            serde_json::json!({"default_audience": ""}),
        )
        .unwrap()
        .apply_to(s)
        .unwrap();
        assert_eq!(s.default_audience, None);
    }

    #[test]
    fn redirection_uri_is_https_without_fragment() {
        assert!(
            patch(serde_json::json!({"default_redirection_uri": "http://app.example/"})).is_err()
        );
        assert!(
            patch(serde_json::json!({"default_redirection_uri": "https://app.example/#x"}))
                .is_err()
        );
        assert!(
            patch(serde_json::json!({"default_redirection_uri": "https://app.example/login"}))
                .is_ok()
        );
        assert!(
            patch(serde_json::json!({"default_redirection_uri": "http://localhost:3000/"})).is_ok()
        );
    }

    #[test]
    fn error_page_url_carries_the_error() {
        let s = patch(serde_json::json!({"error_page": {"url": "https://help.example/oops?x=1", "show_log_link": false}})).unwrap();
        assert_eq!(
            s.error_page_url("invalid_request", "bad thing").as_deref(),
            Some("https://help.example/oops?x=1&error=invalid_request&error_description=bad+thing")
        );
        assert!(patch(serde_json::json!({"error_page": {"html": "<p>x</p>"}})).is_err());
    }

    #[test]
    fn unknown_fields_are_refused() {
        assert!(
            serde_json::from_value::<TenantSettingsPatch>(
                serde_json::json!({"sandbox_version": "18"})
            )
            .is_err()
        );
    }
}
