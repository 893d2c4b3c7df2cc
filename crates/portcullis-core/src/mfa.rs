//! Multi-factor authentication as Auth0's Guardian has it: the factors a
//! tenant turns on (`/api/v2/guardian/factors`), the policy that makes a
//! login ask for one (`/api/v2/guardian/policies`, a post-login Action, or
//! `acr_values`), the authenticators a user enrols, and the MFA API's
//! pending login (`mfa_token`).
//!
//! Invariants: a login is never finished on a password alone when MFA is due
//! (`required`); an authenticator's secret is sealed at rest (the store keeps
//! only the sealed TOTP secret and the hash of a recovery code); an
//! `mfa_token` is single use, bound to the client it was issued to, and lives
//! [`MFA_TOKEN_TTL`] seconds.

use std::collections::BTreeSet;

use serde::{Deserialize, Serialize};
use serde_json::{Value, json};

use crate::UnixTime;

/// Auth0's factors, by their names in the Management API.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Factor {
    Sms,
    PushNotification,
    Otp,
    Email,
    Duo,
    WebauthnRoaming,
    WebauthnPlatform,
    RecoveryCode,
}

impl Factor {
    pub const ALL: [Factor; 8] = [
        Factor::Sms,
        Factor::PushNotification,
        Factor::Otp,
        Factor::Email,
        Factor::Duo,
        Factor::WebauthnRoaming,
        Factor::WebauthnPlatform,
        Factor::RecoveryCode,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Factor::Sms => "sms",
            Factor::PushNotification => "push-notification",
            Factor::Otp => "otp",
            Factor::Email => "email",
            Factor::Duo => "duo",
            Factor::WebauthnRoaming => "webauthn-roaming",
            Factor::WebauthnPlatform => "webauthn-platform",
            Factor::RecoveryCode => "recovery-code",
        }
    }

    pub fn parse(s: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|f| f.as_str() == s)
    }

    /// Whether Portcullis has this factor. The others need a third party
    /// (SMS gateway, push service, Duo) or are still to be built; turning
    /// one on is refused rather than stored and ignored.
    pub fn offered(self) -> bool {
        matches!(
            self,
            Factor::Otp
                | Factor::Email
                | Factor::RecoveryCode
                | Factor::WebauthnRoaming
                | Factor::WebauthnPlatform
        )
    }
}

/// Auth0's MFA policies.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Policy {
    /// Every login to every application.
    AllApplications,
}

impl Policy {
    pub fn as_str(self) -> &'static str {
        match self {
            Policy::AllApplications => "all-applications",
        }
    }
}

/// Why a policy list was refused.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PolicyError(pub String);

/// `PUT /guardian/policies`: `[]` (never) or `["all-applications"]`.
/// Auth0's `confidence-score` (adaptive MFA) needs risk signals Portcullis
/// does not have, so it is refused.
pub fn parse_policies(v: &Value) -> Result<Vec<Policy>, PolicyError> {
    let Some(items) = v.as_array() else {
        return Err(PolicyError(
            "Payload validation error: 'Expected type array but found type object'.".into(),
        ));
    };
    let mut out = Vec::new();
    for item in items {
        match item.as_str() {
            Some("all-applications") => {
                if !out.contains(&Policy::AllApplications) {
                    out.push(Policy::AllApplications);
                }
            }
            Some("confidence-score") => {
                return Err(PolicyError(
                    "Payload validation error: 'confidence-score' (adaptive MFA) is not supported by Portcullis; use [] or [\"all-applications\"].".into(),
                ));
            }
            _ => {
                return Err(PolicyError(format!(
                    "Payload validation error: 'No enum match for: {item}'."
                )));
            }
        }
    }
    Ok(out)
}

/// The tenant's MFA settings.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Settings {
    pub enabled: BTreeSet<Factor>,
    pub policies: Vec<Policy>,
}

impl Settings {
    /// Auth0's `GET /guardian/factors`.
    pub fn factors_json(&self) -> Value {
        Value::Array(
            Factor::ALL
                .iter()
                .map(|f| {
                    json!({
                        "name": f.as_str(),
                        "enabled": self.enabled.contains(f),
                        "trial_expired": false,
                    })
                })
                .collect(),
        )
    }

    pub fn policies_json(&self) -> Value {
        Value::Array(self.policies.iter().map(|p| p.as_str().into()).collect())
    }

    /// The factors a user may enrol now (Auth0: recovery codes come with
    /// the first other factor, never alone).
    pub fn enrollable(&self) -> Vec<Factor> {
        self.enabled
            .iter()
            .copied()
            .filter(|f| f.offered() && *f != Factor::RecoveryCode)
            .collect()
    }
}

/// The one factor a script's provider names (`api.multifactor.enable`):
/// `otp` and `email` name theirs; `any` (and Auth0's older `guardian`,
/// `google-authenticator`) leave the choice to the person.
pub fn provider_factor(provider: &str) -> Option<Factor> {
    match provider {
        "otp" | "google-authenticator" => Some(Factor::Otp),
        "email" => Some(Factor::Email),
        "webauthn-roaming" => Some(Factor::WebauthnRoaming),
        "webauthn-platform" => Some(Factor::WebauthnPlatform),
        _ => None,
    }
}

/// Auth0's MFA API audience, `https://{domain}/mfa/`: an access token for
/// it lets an application list (`read:authenticators`) and delete
/// (`remove:authenticators`) the user's authenticators.
pub fn api_audience(issuer: &str) -> String {
    format!("{issuer}mfa/")
}

/// The MFA API's scopes.
pub const API_SCOPES: [&str; 3] = ["enroll", "read:authenticators", "remove:authenticators"];

/// Access tokens for the MFA API live ten minutes (Auth0's, not
/// configurable).
pub const API_TOKEN_LIFETIME: i64 = 600;

/// The MFA API as a resource server (built in, never stored or listed).
pub fn api(issuer: &str) -> crate::resource_servers::ResourceServer {
    crate::resource_servers::ResourceServer {
        id: "mfa-api".into(),
        name: "MFA API".into(),
        identifier: api_audience(issuer),
        is_system: false,
        scopes: API_SCOPES
            .iter()
            .map(|s| crate::resource_servers::ScopeDefinition {
                value: (*s).into(),
                description: String::new(),
            })
            .collect(),
        signing_alg: crate::keys::Alg::Rs256,
        token_lifetime: API_TOKEN_LIFETIME,
        token_lifetime_for_web: API_TOKEN_LIFETIME,
        allow_offline_access: false,
        skip_consent_for_verifiable_first_party_clients: true,
        enforce_policies: false,
        token_dialect: Default::default(),
        proof_of_possession: None,
    }
}

/// RFC 8176 §2's `amr` of a login that passed a second factor.
pub const AMR_MFA: &[&str] = &["mfa"];

/// W3C Web Authentication §5.8.6: whether a security key must verify the
/// person (PIN or biometrics) or only their presence. The device's own
/// authenticator and passkeys always require verification.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub enum UserVerification {
    /// Presence only (a touch).
    Discouraged,
    /// Verification when the key can, presence otherwise (Auth0's default).
    #[default]
    Preferred,
    /// Verification always.
    Required,
}

impl UserVerification {
    pub fn parse(s: &str) -> Option<Self> {
        match s {
            "discouraged" => Some(Self::Discouraged),
            "preferred" => Some(Self::Preferred),
            "required" => Some(Self::Required),
            _ => None,
        }
    }
}

/// How long a remembered browser skips the second factor (Auth0's 30 days).
pub const REMEMBER_BROWSER_DEFAULT_DAYS: i64 = 30;

/// What asks for MFA on one login.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Asked {
    /// A post-login Action called `api.multifactor.enable(…)` (or a Rule set
    /// `context.multifactor`).
    pub by_script: bool,
    /// `acr_values` named [`ACR_MULTI_FACTOR`].
    pub by_acr: bool,
    /// A token for the MFA API ([`api_audience`]) for a user with a second
    /// factor: Auth0 challenges it whatever the policy.
    pub by_audience: bool,
}

/// OpenID Provider Authentication Policy Extension's multi-factor policy:
/// Auth0 requires MFA when a request's `acr_values` names it.
pub const ACR_MULTI_FACTOR: &str = "http://schemas.openid.net/pape/policies/2007/06/multi-factor";

/// What a login needs beyond its password.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Need {
    Nothing,
    /// A second factor (one the tenant has turned on).
    SecondFactor,
    /// A script or the request asked for a second factor and the tenant has
    /// none turned on: the login is refused (never let through without it).
    Unavailable,
}

/// What this login needs: the tenant's policy (which asks nothing while no
/// factor is on, as at Auth0), an Action or Rule, or the request's
/// `acr_values`.
pub fn required(settings: &Settings, asked: Asked) -> Need {
    let available = !settings.enrollable().is_empty();
    let by_login = asked.by_script || asked.by_acr || asked.by_audience;
    match (available, by_login) {
        (true, true) => Need::SecondFactor,
        (true, false) if settings.policies.contains(&Policy::AllApplications) => Need::SecondFactor,
        (false, true) => Need::Unavailable,
        _ => Need::Nothing,
    }
}

/// Whether a login asked for MFA may be let through by a remembered
/// browser: under the tenant's policy, yes (Auth0 offers "remember this
/// browser" there); when an Action asked, as its `allowRememberBrowser`
/// said; when the request's `acr_values` asked (step-up) or the token is
/// for the MFA API, never: the application wants a second factor now.
pub fn may_remember(asked: Asked, script_allows: bool) -> bool {
    if asked.by_acr || asked.by_audience {
        false
    } else if asked.by_script {
        script_allows
    } else {
        true
    }
}

/// An enrolled authenticator's kind, as the MFA API names it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Kind {
    Totp,
    /// One-time codes sent to the user's e-mail address (Auth0's `oob`
    /// authenticator on the `email` channel).
    Email,
    RecoveryCode,
    /// A security key (WebAuthn, cross-platform).
    WebauthnRoaming,
    /// The device's own authenticator (WebAuthn, platform: a fingerprint,
    /// face or screen lock).
    WebauthnPlatform,
    /// A passkey: a discoverable WebAuthn credential that signs the person
    /// in by itself (a first factor, not a second one).
    Passkey,
}

impl Kind {
    pub fn as_str(self) -> &'static str {
        match self {
            Kind::Totp => "totp",
            Kind::Email => "email",
            Kind::RecoveryCode => "recovery-code",
            Kind::WebauthnRoaming => "webauthn-roaming",
            Kind::WebauthnPlatform => "webauthn-platform",
            Kind::Passkey => "passkey",
        }
    }

    pub fn parse(s: &str) -> Option<Self> {
        match s {
            "totp" => Some(Kind::Totp),
            "email" => Some(Kind::Email),
            "recovery-code" => Some(Kind::RecoveryCode),
            "webauthn-roaming" => Some(Kind::WebauthnRoaming),
            "webauthn-platform" => Some(Kind::WebauthnPlatform),
            "passkey" => Some(Kind::Passkey),
            _ => None,
        }
    }

    /// The MFA API's `authenticator_type`.
    pub fn authenticator_type(self) -> &'static str {
        match self {
            Kind::Totp => "otp",
            Kind::Email => "oob",
            Kind::RecoveryCode => "recovery-code",
            Kind::WebauthnRoaming => "webauthn-roaming",
            Kind::WebauthnPlatform => "webauthn-platform",
            Kind::Passkey => "passkey",
        }
    }

    /// `mfa_requirements`' name of it.
    pub fn requirement(self) -> &'static str {
        match self {
            Kind::Totp => "otp",
            Kind::Email => "email",
            Kind::RecoveryCode => "recovery-code",
            Kind::WebauthnRoaming => "webauthn-roaming",
            Kind::WebauthnPlatform => "webauthn-platform",
            Kind::Passkey => "passkey",
        }
    }

    /// Whether this is a second factor (what MFA asks for).
    pub fn is_second_factor(self) -> bool {
        !matches!(self, Kind::RecoveryCode | Kind::Passkey)
    }

    /// Whether this is a WebAuthn authenticator.
    pub fn is_webauthn(self) -> bool {
        matches!(self, Kind::WebauthnRoaming | Kind::WebauthnPlatform)
    }

    /// The factor that must be on for this kind to be used.
    pub fn factor(self) -> Factor {
        match self {
            Kind::Totp => Factor::Otp,
            Kind::Email => Factor::Email,
            Kind::RecoveryCode => Factor::RecoveryCode,
            Kind::WebauthnRoaming => Factor::WebauthnRoaming,
            Kind::WebauthnPlatform => Factor::WebauthnPlatform,
            // A passkey is the connection's, not a Guardian factor; the
            // closest factor is the device's own authenticator.
            Kind::Passkey => Factor::WebauthnPlatform,
        }
    }
}

/// One enrolled authenticator (what the store keeps, secrets aside).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Authenticator {
    /// `totp|dev_…`, `recovery-code|dev_…` (Auth0's ids).
    pub id: String,
    pub user_id: String,
    pub kind: Kind,
    /// An OTP authenticator is confirmed by its first code; until then it
    /// cannot be used to sign in.
    pub confirmed: bool,
    pub created_at: UnixTime,
    pub last_auth_at: Option<UnixTime>,
}

impl Authenticator {
    pub fn new_id(kind: Kind) -> String {
        format!("{}|dev_{}", kind.as_str(), crate::random::alphanumeric(16))
    }

    /// `GET /mfa/authenticators` (`email`: the user's address, for the
    /// masked `name` of an e-mail authenticator).
    pub fn to_mfa_json(&self, email: &str) -> Value {
        let mut v = json!({
            "id": self.id,
            "authenticator_type": self.kind.authenticator_type(),
            "active": self.confirmed,
        });
        if self.kind == Kind::Email {
            v["oob_channel"] = "email".into();
            v["name"] = mask_email(email).into();
        }
        v
    }

    /// `GET /api/v2/users/{id}/authentication-methods`.
    pub fn to_method_json(&self, iso: impl Fn(UnixTime) -> String) -> Value {
        let mut v = json!({
            "id": self.id,
            "type": self.kind.as_str(),
            "confirmed": self.confirmed,
            "created_at": iso(self.created_at),
        });
        if let Some(t) = self.last_auth_at {
            v["last_auth_at"] = iso(t).into();
        }
        v
    }

    /// `GET /api/v2/users/{id}/enrollments` (Auth0's older view: one
    /// enrolment per second factor; recovery codes are not listed).
    pub fn to_enrollment_json(&self, iso: impl Fn(UnixTime) -> String) -> Option<Value> {
        let method = match self.kind {
            Kind::Totp => "authenticator",
            Kind::Email => "email",
            Kind::WebauthnRoaming => "webauthn-roaming",
            Kind::WebauthnPlatform => "webauthn-platform",
            Kind::RecoveryCode | Kind::Passkey => return None,
        };
        Some({
            let mut v = json!({
                "id": self.id,
                "status": if self.confirmed { "confirmed" } else { "pending" },
                "type": method,
                "auth_method": method,
                "enrolled_at": iso(self.created_at),
            });
            if let Some(t) = self.last_auth_at {
                v["last_auth"] = iso(t).into();
            }
            v
        })
    }
}

/// An address as Auth0 shows it in an authenticator's name: the first
/// four characters of the local part and of the domain, the rest starred
/// (`ada@example.com` → `ada****@exam*******`).
pub fn mask_email(email: &str) -> String {
    let (local, domain) = email.split_once('@').unwrap_or((email, ""));
    let keep = |s: &str| {
        let shown: String = s.chars().take(4).collect();
        // A part of four characters or fewer still gets stars, so the mask
        // does not tell that it was shown whole.
        let hidden = match s.chars().count() {
            n if n > 4 => n - 4,
            _ => 4,
        };
        format!("{shown}{}", "*".repeat(hidden))
    };
    format!("{}@{}", keep(local), keep(domain))
}

/// Seconds an e-mailed code (and its `oob_code`) lives (Auth0: five minutes).
pub const EMAIL_CODE_TTL: i64 = 300;

/// A six-digit code to e-mail.
pub fn new_email_code() -> String {
    let b = crate::random::bytes(4);
    let n = u32::from_be_bytes([b[0], b[1], b[2], b[3]]) % 1_000_000;
    format!("{n:06}")
}

/// Characters of a recovery code: Auth0's are 24 upper-case letters and
/// digits.
pub const RECOVERY_CODE_LEN: usize = 24;

/// A new recovery code (≈124 bits: stored as a hash, like a client secret).
pub fn new_recovery_code() -> String {
    const ALPHABET: &[u8; 36] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789";
    let mut out = String::with_capacity(RECOVERY_CODE_LEN);
    while out.len() < RECOVERY_CODE_LEN {
        for b in crate::random::bytes(32) {
            // 252 = 36 × 7: bytes above it would favour the first letters.
            if b < 252 && out.len() < RECOVERY_CODE_LEN {
                out.push(ALPHABET[usize::from(b % 36)] as char);
            }
        }
    }
    out
}

/// A recovery code as typed: spaces and dashes dropped, upper case.
pub fn normalize_recovery_code(typed: &str) -> String {
    typed
        .chars()
        .filter(|c| !c.is_whitespace() && *c != '-')
        .map(|c| c.to_ascii_uppercase())
        .collect()
}

/// Seconds an `mfa_token` lives (Auth0: ten minutes).
pub const MFA_TOKEN_TTL: i64 = 600;

/// Wrong codes an authenticator takes in [`ATTEMPT_WINDOW`] seconds before
/// it refuses every code until the window ends (Auth0's Guardian limits
/// guessing per user and factor; a six-digit code then has one chance in
/// 100,000 per window).
pub const MAX_ATTEMPTS: i64 = 10;
pub const ATTEMPT_WINDOW: i64 = 15 * 60;

/// Whether an authenticator with `failures` since `window_start` is locked
/// at `now`.
pub fn locked(failures: i64, window_start: Option<UnixTime>, now: UnixTime) -> bool {
    failures >= MAX_ATTEMPTS && window_start.is_some_and(|s| now - s < ATTEMPT_WINDOW)
}

/// What a pending login keeps until its second factor: the grant it will
/// finish (the MFA API's `mfa_token` names it).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PendingGrant {
    pub user_id: String,
    pub client_id: String,
    pub audience: Option<String>,
    pub scope: Vec<String>,
    /// The grant that started it (`password`, `password-realm`), for `gty`
    /// and the audit.
    pub gty: String,
    /// Custom claims and scope changes the post-login scripts made before
    /// MFA was asked for, applied when the login finishes.
    pub scripts: Value,
    pub auth_time: UnixTime,
    /// A browser login waiting on the hosted MFA pages: its session (marked
    /// when the second factor passes).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub session_id: Option<String>,
    /// Whether the person may ask for this browser to be remembered.
    #[serde(default)]
    pub remember_browser: bool,
    /// The one factor an Action asked for (`api.multifactor.enable("otp")`),
    /// or any enabled one.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub only: Option<Factor>,
}

#[cfg(test)]
mod tests {
    use super::*;

    fn with(factors: &[Factor], policies: &[Policy]) -> Settings {
        Settings {
            enabled: factors.iter().copied().collect(),
            policies: policies.to_vec(),
        }
    }

    #[test]
    fn mfa_is_required_by_policy_script_or_acr_once_a_factor_is_on() {
        let script = Asked {
            by_script: true,
            by_acr: false,
            by_audience: false,
        };
        let acr = Asked {
            by_script: false,
            by_acr: true,
            by_audience: false,
        };
        let off = with(&[], &[Policy::AllApplications]);
        assert_eq!(required(&off, Asked::default()), Need::Nothing);
        assert_eq!(required(&off, script), Need::Unavailable, "fails closed");
        let recovery_only = with(&[Factor::RecoveryCode], &[Policy::AllApplications]);
        assert_eq!(required(&recovery_only, Asked::default()), Need::Nothing);
        assert_eq!(required(&recovery_only, acr), Need::Unavailable);
        let otp = with(&[Factor::Otp], &[]);
        assert_eq!(required(&otp, Asked::default()), Need::Nothing);
        assert_eq!(required(&otp, script), Need::SecondFactor);
        assert_eq!(required(&otp, acr), Need::SecondFactor);
        let always = with(&[Factor::Otp], &[Policy::AllApplications]);
        assert_eq!(required(&always, Asked::default()), Need::SecondFactor);
    }

    #[test]
    fn a_remembered_browser_never_skips_a_step_up_asked_by_acr_values() {
        let policy = Asked::default();
        let script = Asked {
            by_script: true,
            by_acr: false,
            by_audience: false,
        };
        let acr = Asked {
            by_script: true,
            by_acr: true,
            by_audience: false,
        };
        assert!(may_remember(policy, false));
        assert!(!may_remember(script, false));
        assert!(may_remember(script, true));
        assert!(!may_remember(acr, true));
        assert_eq!(provider_factor("otp"), Some(Factor::Otp));
        assert_eq!(provider_factor("email"), Some(Factor::Email));
        assert_eq!(provider_factor("any"), None);
    }

    #[test]
    fn policies_are_auth0s_list_and_adaptive_mfa_is_refused() {
        assert_eq!(parse_policies(&json!([])), Ok(vec![]));
        assert_eq!(
            parse_policies(&json!(["all-applications", "all-applications"])),
            Ok(vec![Policy::AllApplications])
        );
        assert!(parse_policies(&json!(["confidence-score"])).is_err());
        assert!(parse_policies(&json!(["sometimes"])).is_err());
        assert!(parse_policies(&json!({"policies": []})).is_err());
    }

    #[test]
    fn factors_list_every_auth0_name_in_order() {
        let s = with(&[Factor::Otp], &[]);
        let v = s.factors_json();
        let names: Vec<&str> = v
            .as_array()
            .unwrap()
            .iter()
            .map(|f| f["name"].as_str().unwrap())
            .collect();
        assert_eq!(
            names,
            [
                "sms",
                "push-notification",
                "otp",
                "email",
                "duo",
                "webauthn-roaming",
                "webauthn-platform",
                "recovery-code"
            ]
        );
        assert_eq!(v[2]["enabled"], true);
        assert_eq!(v[0]["enabled"], false);
    }

    #[test]
    fn recovery_codes_are_24_upper_case_letters_and_digits() {
        for _ in 0..50 {
            let c = new_recovery_code();
            assert_eq!(c.len(), RECOVERY_CODE_LEN);
            assert!(
                c.chars()
                    .all(|c| c.is_ascii_digit() || c.is_ascii_uppercase()),
                "{c}"
            );
        }
        assert_eq!(normalize_recovery_code(" ab12-cd34 "), "AB12CD34");
    }

    #[test]
    fn addresses_are_masked_as_auth0_shows_them() {
        assert_eq!(mask_email("chuck334@example.com"), "chuc****@exam*******");
        assert_eq!(mask_email("ada@example.com"), "ada****@exam*******");
        let code = new_email_code();
        assert!(code.len() == 6 && code.bytes().all(|b| b.is_ascii_digit()));
    }

    #[test]
    fn an_authenticator_locks_after_too_many_wrong_codes_for_the_window() {
        assert!(!locked(MAX_ATTEMPTS - 1, Some(0), 10));
        assert!(locked(MAX_ATTEMPTS, Some(0), 10));
        assert!(!locked(MAX_ATTEMPTS, Some(0), ATTEMPT_WINDOW));
        assert!(!locked(MAX_ATTEMPTS, None, 10));
    }
}
