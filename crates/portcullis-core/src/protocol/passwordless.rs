//! Auth0's passwordless connections: a one-time code (or, by e-mail, a
//! magic link) sent to an address or phone number stands for a password.
//! `POST /passwordless/start` sends it; the grant
//! `http://auth0.com/oauth/grant-type/passwordless/otp` (or the link's
//! landing, `/passwordless/verify_redirect`) spends it.
//!
//! Invariants:
//! - The connection is Auth0's `email` or `sms` connection, enabled for the
//!   application; its `totp.length` (6–10 digits, 6 by default) and
//!   `totp.time_step` (30–3600 s, Auth0's 180 by default) shape the code.
//! - A code or link is stored only as a hash, one live per connection,
//!   recipient and application (a new one replaces it), and is spent by
//!   its first correct use; [`MAX_ATTEMPTS`] wrong codes end it.
//! - A link is a separate 256-bit secret, never the short code, so that a
//!   link cannot be guessed in its lifetime.
//! - `disable_signup` refuses an unknown recipient before anything is sent.

use serde_json::{Map, Value};

use crate::UnixTime;
use crate::validation::{Validated, ValidationError};

/// Auth0's grant type.
pub const OTP_GRANT: &str = "http://auth0.com/oauth/grant-type/passwordless/otp";
/// Wrong codes a code survives (the next wrong one ends it).
pub const MAX_ATTEMPTS: i64 = 3;
/// Codes sent to one recipient in [`START_WINDOW`], and from one network
/// address.
pub const STARTS_PER_RECIPIENT: i64 = 5;
pub const STARTS_PER_ADDRESS: i64 = 50;
pub const START_WINDOW: i64 = 3600;
/// Auth0's defaults.
pub const DEFAULT_LENGTH: usize = 6;
pub const DEFAULT_TIME_STEP: i64 = 180;
/// Auth0's SMS text when the connection names none.
pub const DEFAULT_SMS_TEMPLATE: &str = "Your verification code is: @@password@@";

/// Where a code goes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Channel {
    Email,
    Sms,
}

impl Channel {
    pub fn as_str(self) -> &'static str {
        match self {
            Channel::Email => "email",
            Channel::Sms => "sms",
        }
    }
}

/// Auth0's `send`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Delivery {
    Code,
    Link,
}

impl Delivery {
    pub fn as_str(self) -> &'static str {
        match self {
            Delivery::Code => "code",
            Delivery::Link => "link",
        }
    }
}

/// A start request's refusal: Auth0's `error` code and description.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StartError {
    pub error: &'static str,
    pub description: String,
}

fn refuse(error: &'static str, description: impl Into<String>) -> StartError {
    StartError {
        error,
        description: description.into(),
    }
}

/// A parsed `POST /passwordless/start`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Start {
    pub client_id: String,
    /// `email` or `sms`: the connection's name.
    pub connection: String,
    pub channel: Channel,
    /// The normalised e-mail address or E.164 phone number.
    pub recipient: String,
    pub delivery: Delivery,
    /// `authParams`: the `/authorize` parameters a link's landing uses.
    pub auth_params: Vec<(String, String)>,
}

/// An E.164 number (`+` and 8 to 15 digits; spaces, dots, dashes and
/// brackets dropped), or `None`.
pub fn normalize_phone(raw: &str) -> Option<String> {
    let t = raw.trim();
    let rest = t.strip_prefix('+')?;
    let mut digits = String::new();
    for c in rest.chars() {
        match c {
            '0'..='9' => digits.push(c),
            ' ' | '-' | '.' | '(' | ')' => {}
            _ => return None,
        }
    }
    (8..=15)
        .contains(&digits.len())
        .then(|| format!("+{digits}"))
        .filter(|_| !digits.starts_with('0'))
}

/// The recipient of `channel`, normalised; `None` when it is not one.
pub fn recipient(channel: Channel, raw: &str) -> Option<String> {
    match channel {
        Channel::Email => {
            let e = crate::users::normalize_email(raw);
            crate::users::is_email(&e).then_some(e)
        }
        Channel::Sms => normalize_phone(raw),
    }
}

/// Reads a start request (a JSON object or a form, as `(name, value)`
/// strings; `authParams` an object).
pub fn parse_start(body: &Map<String, Value>) -> Result<Start, StartError> {
    let text = |k: &str| body.get(k).and_then(Value::as_str).map(str::trim);
    let client_id = text("client_id")
        .filter(|s| !s.is_empty())
        .ok_or_else(|| refuse("bad.client_id", "Missing required property: client_id"))?;
    let connection = text("connection")
        .ok_or_else(|| refuse("bad.connection", "Missing required property: connection"))?;
    let channel = match connection {
        "email" => Channel::Email,
        "sms" => Channel::Sms,
        _ => {
            return Err(refuse("bad.connection", "connection must be email or sms"));
        }
    };
    let delivery = match text("send") {
        None | Some("code") => Delivery::Code,
        Some("link") if channel == Channel::Email => Delivery::Link,
        Some("link") => return Err(refuse("bad.send", "sms sends codes only")),
        Some(_) => return Err(refuse("bad.send", "send must be code or link")),
    };
    let recipient = match channel {
        Channel::Email => text("email")
            .and_then(|e| recipient(channel, e))
            .ok_or_else(|| refuse("bad.email", "email is not a valid e-mail address"))?,
        Channel::Sms => text("phone_number")
            .and_then(|p| recipient(channel, p))
            .ok_or_else(|| {
                refuse(
                    "bad.phone_number",
                    "phone_number must be an E.164 number such as +14155550100",
                )
            })?,
    };
    let auth_params = match body.get("authParams") {
        None | Some(Value::Null) => Vec::new(),
        Some(Value::Object(m)) => {
            let mut out = Vec::new();
            for (k, v) in m {
                let Some(v) = v.as_str() else {
                    return Err(refuse(
                        "bad.authParams",
                        format!("authParams.{k} must be a string"),
                    ));
                };
                out.push((k.clone(), v.to_string()));
            }
            if out.len() > 30 || out.iter().any(|(k, v)| k.len() > 100 || v.len() > 2000) {
                return Err(refuse("bad.authParams", "authParams is too large"));
            }
            out
        }
        Some(_) => return Err(refuse("bad.authParams", "authParams must be an object")),
    };
    Ok(Start {
        client_id: client_id.to_string(),
        connection: connection.to_string(),
        channel,
        recipient,
        delivery,
        auth_params,
    })
}

/// How an SMS gateway request is authenticated (Auth0's
/// `gateway_authentication`): a bearer JWT, HS256 with the sealed secret.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct GatewayAuth {
    pub subject: String,
    pub audience: String,
    pub secret_base64_encoded: bool,
}

/// What a passwordless connection's options say.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Options {
    pub length: usize,
    pub time_step: i64,
    pub disable_signup: bool,
    /// E-mail: `email.from`, `email.subject`, `email.body` (HTML with
    /// `{{ code }}` or `{{ link }}`), each optional.
    pub email_from: Option<String>,
    pub email_subject: Option<String>,
    pub email_body: Option<String>,
    /// SMS through Auth0's custom gateway (`provider: sms_gateway`).
    pub gateway_url: Option<String>,
    pub sms_from: Option<String>,
    pub sms_template: String,
    pub gateway_auth: Option<GatewayAuth>,
}

fn opt_text(o: &Map<String, Value>, key: &str, field: &str) -> Validated<Option<String>> {
    match o.get(key) {
        None | Some(Value::Null) => Ok(None),
        Some(Value::String(s)) if s.len() <= 10_000 => Ok(Some(s.clone())),
        Some(_) => Err(ValidationError::field(field, "must be a string")),
    }
}

impl Options {
    /// Checks `options` of a connection of `channel`.
    pub fn parse(channel: Channel, o: &Map<String, Value>) -> Validated<Options> {
        let totp = match o.get("totp") {
            None | Some(Value::Null) => Map::new(),
            Some(Value::Object(m)) => m.clone(),
            Some(_) => return Err(ValidationError::field("options.totp", "must be an object")),
        };
        let length = match totp.get("length") {
            None => DEFAULT_LENGTH,
            Some(v) => v
                .as_u64()
                // Auth0 allows 4; six is the least Portcullis sends (a
                // four-digit code falls to guessing within days).
                .filter(|n| (6..=10).contains(n))
                .map(|n| n as usize)
                .ok_or_else(|| ValidationError::field("options.totp.length", "must be 6 to 10"))?,
        };
        let time_step = match totp.get("time_step") {
            None => DEFAULT_TIME_STEP,
            Some(v) => v
                .as_i64()
                .filter(|n| (30..=3600).contains(n))
                .ok_or_else(|| {
                    ValidationError::field("options.totp.time_step", "must be 30 to 3600 seconds")
                })?,
        };
        let disable_signup = match o.get("disable_signup") {
            None | Some(Value::Null) => false,
            Some(Value::Bool(b)) => *b,
            Some(_) => {
                return Err(ValidationError::field(
                    "options.disable_signup",
                    "must be a boolean",
                ));
            }
        };
        let mut out = Options {
            length,
            time_step,
            disable_signup,
            email_from: None,
            email_subject: None,
            email_body: None,
            gateway_url: None,
            sms_from: None,
            sms_template: DEFAULT_SMS_TEMPLATE.to_string(),
            gateway_auth: None,
        };
        match channel {
            Channel::Email => {
                let email = match o.get("email") {
                    None | Some(Value::Null) => Map::new(),
                    Some(Value::Object(m)) => m.clone(),
                    Some(_) => {
                        return Err(ValidationError::field("options.email", "must be an object"));
                    }
                };
                out.email_from = opt_text(&email, "from", "options.email.from")?;
                out.email_subject = opt_text(&email, "subject", "options.email.subject")?;
                out.email_body = opt_text(&email, "body", "options.email.body")?;
            }
            Channel::Sms => {
                match o.get("provider").and_then(Value::as_str) {
                    Some("sms_gateway") => {}
                    _ => {
                        return Err(ValidationError::field(
                            "options.provider",
                            "must be sms_gateway (an HTTP gateway of your own; Twilio is not built in)",
                        ));
                    }
                }
                let url = opt_text(o, "gateway_url", "options.gateway_url")?
                    .filter(|u| gateway_url_ok(u))
                    .ok_or_else(|| {
                        ValidationError::field(
                            "options.gateway_url",
                            "must be an https URL (http only on a loopback address)",
                        )
                    })?;
                out.gateway_url = Some(url);
                out.sms_from = opt_text(o, "from", "options.from")?;
                if let Some(t) = opt_text(o, "template", "options.template")? {
                    out.sms_template = t;
                }
                out.gateway_auth = match o.get("gateway_authentication") {
                    None | Some(Value::Null) => None,
                    Some(Value::Object(a)) => {
                        if a.get("method").and_then(Value::as_str) != Some("bearer") {
                            return Err(ValidationError::field(
                                "options.gateway_authentication.method",
                                "must be bearer",
                            ));
                        }
                        let text = |k: &str| {
                            a.get(k)
                                .and_then(Value::as_str)
                                .map(str::to_string)
                                .ok_or_else(|| {
                                    ValidationError::field(
                                        "options.gateway_authentication",
                                        format!("{k} is required"),
                                    )
                                })
                        };
                        Some(GatewayAuth {
                            subject: text("subject")?,
                            audience: text("audience")?,
                            secret_base64_encoded: a
                                .get("secret_base64_encoded")
                                .and_then(Value::as_bool)
                                .unwrap_or(false),
                        })
                    }
                    Some(_) => {
                        return Err(ValidationError::field(
                            "options.gateway_authentication",
                            "must be an object",
                        ));
                    }
                };
            }
        }
        Ok(out)
    }

    /// Until when a code sent at `now` works.
    pub fn expires_at(&self, now: UnixTime) -> UnixTime {
        now + self.time_step
    }
}

/// https, or http to a loopback address (a gateway on the same machine).
fn gateway_url_ok(u: &str) -> bool {
    let Ok(url) = url::Url::parse(u) else {
        return false;
    };
    match url.scheme() {
        "https" => url.host_str().is_some(),
        "http" => {
            matches!(
                url.host(),
                Some(url::Host::Ipv4(a)) if a.is_loopback()
            ) || matches!(url.host(), Some(url::Host::Ipv6(a)) if a.is_loopback())
                || url.host_str() == Some("localhost")
        }
        _ => false,
    }
}

/// A code of `length` digits.
pub fn new_code(length: usize) -> String {
    crate::random::from_alphabet(b"0123456789", length)
}

/// The SMS text: Auth0's `@@password@@` (and `{{ code }}`) replaced.
pub fn sms_text(template: &str, code: &str) -> String {
    template
        .replace("@@password@@", code)
        .replace("{{ code }}", code)
        .replace("{{code}}", code)
}

/// What trying a code came to (the store decides it in one transaction).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Tried {
    /// Right and live: spent now; the `authParams` it was sent with.
    Accepted { auth_params: Vec<(String, String)> },
    /// Wrong; it may be tried again.
    Wrong,
    /// Wrong, and that was the last attempt: the code is gone.
    Exhausted,
    /// Past its `time_step`: gone.
    Expired,
    /// No code for this recipient and application.
    Unknown,
}

/// A recipient's first sign-in makes their user (Auth0's shape: `email|<id>`
/// or `sms|<id>`, the address or number verified by the code itself).
pub fn new_user(
    channel: Channel,
    connection: &str,
    recipient: &str,
    issuer: &str,
    now: UnixTime,
) -> crate::users::User {
    let id = crate::random::hex(12);
    let ts = crate::clock::iso8601(now);
    let (email, phone_number) = match channel {
        Channel::Email => (recipient.to_string(), None),
        Channel::Sms => (String::new(), Some(recipient.to_string())),
    };
    let nickname = match channel {
        Channel::Email => recipient.split('@').next().unwrap_or(recipient).to_string(),
        Channel::Sms => recipient.to_string(),
    };
    crate::users::User {
        user_id: format!("{}|{id}", channel.as_str()),
        email_verified: channel == Channel::Email,
        email,
        phone_verified: phone_number.as_ref().map(|_| true),
        phone_number,
        username: None,
        name: recipient.to_string(),
        nickname,
        given_name: None,
        family_name: None,
        picture: crate::users::default_picture(issuer, recipient),
        blocked: false,
        user_metadata: Map::new(),
        app_metadata: Map::new(),
        identities: vec![crate::users::Identity {
            connection: connection.to_string(),
            user_id: id,
            provider: channel.as_str().to_string(),
            is_social: false,
            profile_data: None,
        }],
        created_at: ts.clone(),
        updated_at: ts,
        last_login: None,
        logins_count: 0,
        last_password_reset: None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn start(v: Value) -> Result<Start, StartError> {
        parse_start(v.as_object().unwrap())
    }

    #[test]
    fn start_requests_are_checked() {
        let ok = start(
            json!({"client_id": "c", "connection": "email", "email": " Ada@Example.com ",
                              "send": "link", "authParams": {"scope": "openid"}}),
        )
        .unwrap();
        assert_eq!(ok.recipient, "ada@example.com");
        assert_eq!(ok.delivery, Delivery::Link);
        assert_eq!(ok.auth_params, vec![("scope".into(), "openid".into())]);
        let sms = start(
            json!({"client_id": "c", "connection": "sms", "phone_number": "+1 (415) 555-0100"}),
        )
        .unwrap();
        assert_eq!(sms.recipient, "+14155550100");
        for (bad, error) in [
            (
                json!({"connection": "email", "email": "a@b.co"}),
                "bad.client_id",
            ),
            (
                json!({"client_id": "c", "connection": "google", "email": "a@b.co"}),
                "bad.connection",
            ),
            (
                json!({"client_id": "c", "connection": "email", "email": "nope"}),
                "bad.email",
            ),
            (
                json!({"client_id": "c", "connection": "sms", "phone_number": "4155550100"}),
                "bad.phone_number",
            ),
            (
                json!({"client_id": "c", "connection": "sms", "phone_number": "+1", "send": "code"}),
                "bad.phone_number",
            ),
            (
                json!({"client_id": "c", "connection": "sms", "phone_number": "+14155550100", "send": "link"}),
                "bad.send",
            ),
            (
                json!({"client_id": "c", "connection": "email", "email": "a@b.co", "send": "carrier pigeon"}),
                "bad.send",
            ),
            (
                json!({"client_id": "c", "connection": "email", "email": "a@b.co", "authParams": {"x": 1}}),
                "bad.authParams",
            ),
        ] {
            assert_eq!(start(bad.clone()).unwrap_err().error, error, "{bad}");
        }
    }

    #[test]
    fn options_take_auth0s_defaults_and_refuse_nonsense() {
        let o = Options::parse(Channel::Email, &Map::new()).unwrap();
        assert_eq!((o.length, o.time_step), (6, 180));
        let bad = |v: Value| Options::parse(Channel::Email, v.as_object().unwrap()).is_err();
        assert!(bad(json!({"totp": {"length": 2}})));
        assert!(bad(json!({"totp": {"length": 4}})), "stricter than Auth0");
        assert!(bad(json!({"totp": {"time_step": 5}})));
        assert!(bad(json!({"disable_signup": "yes"})));
        let sms = |v: Value| Options::parse(Channel::Sms, v.as_object().unwrap());
        assert!(sms(json!({})).is_err(), "a gateway is required");
        assert!(
            sms(json!({"provider": "sms_gateway", "gateway_url": "http://sms.example/send"}))
                .is_err()
        );
        let ok = sms(json!({"provider": "sms_gateway", "gateway_url": "http://127.0.0.1:9/send",
                            "gateway_authentication": {"method": "bearer", "subject": "s", "audience": "a"}}))
        .unwrap();
        assert_eq!(ok.sms_template, DEFAULT_SMS_TEMPLATE);
        assert!(ok.gateway_auth.is_some());
    }

    #[test]
    fn codes_are_digits_and_templates_fill_them_in() {
        let c = new_code(6);
        assert_eq!(c.len(), 6);
        assert!(c.bytes().all(|b| b.is_ascii_digit()));
        assert_eq!(
            sms_text(DEFAULT_SMS_TEMPLATE, "123456"),
            "Your verification code is: 123456"
        );
    }
}
