//! Auth0's log streams (`/api/v2/log-streams`): the tenant's audit events
//! pushed to the monitoring it already runs, decided without I/O.
//!
//! - The stream (`LogStream`, Auth0's shape) and its payloads: types `http`
//!   (a webhook), `datadog`, `splunk` (HTTP Event Collector) and `sumo` (an
//!   HTTP source), all sent over HTTP; `filters` by Auth0's event categories
//!   (`Category::of` names the category of every event code).
//! - The sink's secrets (`SinkSecrets`: the `Authorization` header, custom
//!   headers, API keys and tokens, Sumo's source address, which holds its
//!   token) are write-only: the shell seals them at rest and no answer carries
//!   them; a PATCH that leaves one out keeps it.
//! - Delivery (`Delivery`): each stream has a cursor, the last `log_id` it has
//!   delivered. Events are read past it in `log_id` order, sent in batches
//!   (`plan`), and the cursor moves only after the receiver answered 2xx, so
//!   delivery is at least once and in order. Failures back off (`backoff`) and
//!   after `SUSPEND_AFTER` in a row the stream is `suspended`; it is still
//!   retried (at the longest back-off), and the first success makes it
//!   `active` again, as does a PATCH to `active` (Auth0 stops a suspended
//!   stream until someone restarts it; recovering by itself loses nothing and
//!   needs no one awake). `paused` streams are not sent and keep their cursor:
//!   resumed, they deliver what happened meanwhile.

use serde::{Deserialize, Serialize};
use serde_json::{Value, json};

use crate::secrets::Secret;
use crate::validation::{self, Validated, ValidationError};

/// Streams a tenant may have (Auth0 allows ten).
pub const MAX_STREAMS: usize = 10;
/// Events read (and at most sent) per batch.
pub const BATCH: usize = 100;
/// Consecutive failed deliveries after which a stream is `suspended`.
pub const SUSPEND_AFTER: u32 = 5;
/// The longest wait between two attempts, in seconds.
pub const MAX_BACKOFF: i64 = 60;
/// Custom headers a stream may send.
pub const MAX_HEADERS: usize = 20;

/// The wait after `failures` consecutive failures: 1, 2, 4, … seconds, at most
/// [`MAX_BACKOFF`].
pub fn backoff(failures: u32) -> i64 {
    let exp = failures.saturating_sub(1).min(16);
    (1i64 << exp).min(MAX_BACKOFF)
}

/// Auth0's stream types that Portcullis sends. (`eventbridge`, `eventgrid`,
/// `segment` and `mixpanel` are cloud-vendor integrations it does not offer.)
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum StreamType {
    Http,
    Datadog,
    Splunk,
    Sumo,
}

impl StreamType {
    fn parse(s: &str) -> Validated<Self> {
        match s {
            "http" => Ok(Self::Http),
            "datadog" => Ok(Self::Datadog),
            "splunk" => Ok(Self::Splunk),
            "sumo" => Ok(Self::Sumo),
            "eventbridge" | "eventgrid" | "segment" | "mixpanel" => Err(ValidationError::field(
                "type",
                format!(
                    "'{s}' streams are not offered by this server (http, datadog, splunk and sumo are)"
                ),
            )),
            _ => Err(ValidationError::field(
                "type",
                format!("No enum match for: \"{s}\""),
            )),
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Status {
    Active,
    Paused,
    Suspended,
}

impl Status {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Active => "active",
            Self::Paused => "paused",
            Self::Suspended => "suspended",
        }
    }

    pub fn parse_stored(s: &str) -> Self {
        match s {
            "paused" => Self::Paused,
            "suspended" => Self::Suspended,
            _ => Self::Active,
        }
    }
}

/// How a batch of events is laid out in a webhook's body.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum ContentFormat {
    /// One event per line.
    #[serde(rename = "JSONLINES")]
    JsonLines,
    /// The batch as one JSON array.
    #[serde(rename = "JSONARRAY")]
    JsonArray,
    /// One event per request, a JSON object (Auth0 does not document this
    /// format's layout; one envelope per request is its literal reading).
    #[serde(rename = "JSONOBJECT")]
    JsonObject,
}

/// Auth0's event categories (`filters[].name`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum Category {
    #[serde(rename = "auth.ancillary.fail")]
    AncillaryFail,
    #[serde(rename = "auth.ancillary.success")]
    AncillarySuccess,
    #[serde(rename = "auth.login.fail")]
    LoginFail,
    #[serde(rename = "auth.login.notification")]
    LoginNotification,
    #[serde(rename = "auth.login.success")]
    LoginSuccess,
    #[serde(rename = "auth.logout.fail")]
    LogoutFail,
    #[serde(rename = "auth.logout.success")]
    LogoutSuccess,
    #[serde(rename = "auth.signup.fail")]
    SignupFail,
    #[serde(rename = "auth.signup.success")]
    SignupSuccess,
    #[serde(rename = "auth.silent_auth.fail")]
    SilentAuthFail,
    #[serde(rename = "auth.silent_auth.success")]
    SilentAuthSuccess,
    #[serde(rename = "auth.token_exchange.fail")]
    TokenExchangeFail,
    #[serde(rename = "auth.token_exchange.success")]
    TokenExchangeSuccess,
    #[serde(rename = "management.fail")]
    ManagementFail,
    #[serde(rename = "management.success")]
    ManagementSuccess,
    #[serde(rename = "system.notification")]
    SystemNotification,
    #[serde(rename = "user.fail")]
    UserFail,
    #[serde(rename = "user.notification")]
    UserNotification,
    #[serde(rename = "user.success")]
    UserSuccess,
    #[serde(rename = "actions")]
    Actions,
    #[serde(rename = "scim.event")]
    ScimEvent,
    #[serde(rename = "other")]
    Other,
}

impl Category {
    /// The category Auth0 files an event code under (its tenant-logs
    /// reference, docs/tenant-logs/<category>/<code>, names each code's
    /// category: `cls`, `mfar`, `fdeac` and the Guardian challenge events are
    /// `other` there, `srrt` is `user.success`); `Other` for codes it does
    /// not list.
    pub fn of(code: &str) -> Self {
        use Category::*;
        match code {
            "f" | "fc" | "fco" | "fcoa" | "fens" | "fp" | "fu" => LoginFail,
            "w" => LoginNotification,
            "s" | "scoa" | "sens" => LoginSuccess,
            "flo" | "oidc_backchannel_logout_failed" => LogoutFail,
            "slo" | "oidc_backchannel_logout_succeeded" => LogoutSuccess,
            "fs" => SignupFail,
            "ss" => SignupSuccess,
            "fsa" => SilentAuthFail,
            "ssa" => SilentAuthSuccess,
            "feacft" | "feccft" | "fede" | "fepft" | "fertft" | "fecte" | "feoobft" | "feotpft"
            | "fercft" | "fepotpft" | "ferrt" => TokenExchangeFail,
            "seacft" | "seccft" | "sede" | "sepft" | "sertft" | "secte" | "seoobft" | "seotpft"
            | "sercft" => TokenExchangeSuccess,
            "fapi" => ManagementFail,
            "sapi" => ManagementSuccess,
            "limit_wc" | "limit_mu" | "api_limit" => SystemNotification,
            "fcp" | "fcpr" | "fce" | "fcu" | "fv" | "fvr" | "fn" | "fdeaz" | "fdecc" => UserFail,
            "cs" | "ublkdu" | "gd_start_enroll" | "gd_enrollment_complete" | "gd_unenroll" => {
                UserNotification
            }
            "scp" | "scpr" | "sce" | "scu" | "sv" | "svr" | "srrt" => UserSuccess,
            "actions_execution_failed" => Actions,
            _ => Other,
        }
    }
}

/// `filters[]`: only `category` filters exist.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, schemars::JsonSchema)]
pub struct Filter {
    #[serde(rename = "type")]
    pub kind: String,
    pub name: String,
}

/// The sink as answered: everything but its secrets.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Sink {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub http_endpoint: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub http_content_type: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub http_content_format: Option<ContentFormat>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub datadog_region: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub splunk_domain: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub splunk_port: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub splunk_secure: Option<bool>,
}

/// A custom header as sent.
#[derive(Clone, PartialEq, Eq, Serialize, Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Header {
    pub header: String,
    pub value: String,
}

/// The sink's write-only part, sealed at rest as JSON.
#[derive(Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct SinkSecrets {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub http_authorization: Option<String>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub http_custom_headers: Vec<Header>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub datadog_api_key: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub splunk_token: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub sumo_source_address: Option<String>,
}

impl std::fmt::Debug for SinkSecrets {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("SinkSecrets(<redacted>)")
    }
}

/// A log stream as stored and answered (status and delivery state apart).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct LogStream {
    pub id: String,
    pub name: String,
    #[serde(rename = "type")]
    pub kind: StreamType,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub filters: Vec<Filter>,
    pub sink: Sink,
}

impl LogStream {
    /// Auth0's answer: the stream with its status, never a secret.
    pub fn to_json(&self, status: Status) -> Value {
        let mut v = serde_json::to_value(self).unwrap_or(Value::Null);
        v["status"] = json!(status.as_str());
        v["isPriority"] = json!(false);
        v
    }

    /// Whether an event of `code` passes the filters (none: every event).
    pub fn wants(&self, code: &str) -> bool {
        if self.filters.is_empty() {
            return true;
        }
        let c = Category::of(code);
        self.filters
            .iter()
            .any(|f| serde_json::from_value::<Category>(json!(f.name)).is_ok_and(|fc| fc == c))
    }
}

/// The body of `POST` and `PATCH /api/v2/log-streams`.
#[derive(Debug, Clone, Default, Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct LogStreamPayload {
    pub name: Option<String>,
    #[serde(rename = "type")]
    pub kind: Option<String>,
    pub status: Option<String>,
    pub filters: Option<Vec<Filter>>,
    pub sink: Option<SinkPayload>,
    /// Auth0's priority streams; only `false` (what Portcullis does).
    #[serde(rename = "isPriority")]
    pub is_priority: Option<bool>,
    /// When to start (ISO 8601), instead of the stream's creation.
    #[serde(rename = "startFrom")]
    pub start_from: Option<String>,
    /// Auth0's PII masking; only absent or `null`.
    pub pii_config: Option<Value>,
}

/// `sink` as sent (its `Debug` shows no value: most are secrets).
#[derive(Clone, Default, Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct SinkPayload {
    pub http_endpoint: Option<String>,
    pub http_content_type: Option<String>,
    pub http_content_format: Option<String>,
    pub http_authorization: Option<String>,
    pub http_custom_headers: Option<Vec<Header>>,
    pub datadog_region: Option<String>,
    pub datadog_api_key: Option<String>,
    pub splunk_domain: Option<String>,
    pub splunk_token: Option<String>,
    pub splunk_port: Option<String>,
    pub splunk_secure: Option<bool>,
    pub sumo_source_address: Option<String>,
}

impl std::fmt::Debug for SinkPayload {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("SinkPayload(<redacted>)")
    }
}

impl std::fmt::Debug for Header {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "Header({}: <redacted>)", self.header)
    }
}

/// A stream decided from a payload.
#[derive(Debug, Clone)]
pub struct Decided {
    pub stream: LogStream,
    pub secrets: SinkSecrets,
    /// `Some` when the payload set the status.
    pub status: Option<Status>,
    /// `startFrom` of a new stream, in seconds.
    pub start_from: Option<i64>,
}

/// Datadog's sites by Auth0's `datadogRegion`.
const DATADOG_SITES: &[(&str, &str)] = &[
    ("us", "datadoghq.com"),
    ("eu", "datadoghq.eu"),
    ("us3", "us3.datadoghq.com"),
    ("us5", "us5.datadoghq.com"),
];

fn required(field: &str) -> ValidationError {
    ValidationError::field(field, "Missing required property")
}

impl LogStreamPayload {
    /// `POST`: a new stream with the id `id`.
    pub fn into_new(self, id: String) -> Validated<Decided> {
        let kind = StreamType::parse(self.kind.as_deref().ok_or_else(|| required("type"))?)?;
        if self.sink.is_none() {
            return Err(required("sink"));
        }
        let stream = LogStream {
            id,
            name: String::new(),
            kind,
            filters: Vec::new(),
            sink: Sink::default(),
        };
        let start_from = match self.start_from.as_deref() {
            None => None,
            Some(t) => Some(crate::clock::parse_iso(t).ok_or_else(|| {
                ValidationError::field("startFrom", format!("'{t}' is not an ISO 8601 date"))
            })?),
        };
        let mut d = self.apply(stream, SinkSecrets::default())?;
        if d.stream.name.is_empty() {
            d.stream.name = match kind {
                StreamType::Http => "Custom Webhook",
                StreamType::Datadog => "Datadog",
                StreamType::Splunk => "Splunk",
                StreamType::Sumo => "Sumo Logic",
            }
            .into();
        }
        d.start_from = start_from;
        Ok(d)
    }

    /// `PATCH`: changes to `stream`; secrets left out are kept.
    pub fn apply_to(self, stream: LogStream, secrets: SinkSecrets) -> Validated<Decided> {
        if self.start_from.is_some() {
            return Err(ValidationError::field(
                "startFrom",
                "can only be given when the stream is created",
            ));
        }
        if let Some(k) = &self.kind
            && StreamType::parse(k)? != stream.kind
        {
            return Err(ValidationError::field(
                "type",
                "the type of a stream cannot be changed; create another stream",
            ));
        }
        self.apply(stream, secrets)
    }

    fn apply(self, mut s: LogStream, mut secrets: SinkSecrets) -> Validated<Decided> {
        if self.is_priority == Some(true) {
            return Err(ValidationError::field(
                "isPriority",
                "priority streams are not offered by this server",
            ));
        }
        if self.pii_config.as_ref().is_some_and(|v| !v.is_null()) {
            return Err(ValidationError::field(
                "pii_config",
                "PII masking is not offered by this server",
            ));
        }
        if let Some(n) = self.name {
            validation::display_name("name", &n, 128)?;
            s.name = n;
        }
        let status = match self.status.as_deref() {
            None => None,
            Some("active") => Some(Status::Active),
            Some("paused") => Some(Status::Paused),
            Some("suspended") => {
                return Err(ValidationError::field(
                    "status",
                    "a stream is suspended by failed deliveries, not by a request (set active or paused)",
                ));
            }
            Some(o) => {
                return Err(ValidationError::field(
                    "status",
                    format!("No enum match for: \"{o}\""),
                ));
            }
        };
        if let Some(filters) = self.filters {
            for (i, f) in filters.iter().enumerate() {
                if f.kind != "category" {
                    return Err(ValidationError::field(
                        &format!("filters[{i}].type"),
                        format!("No enum match for: \"{}\"", f.kind),
                    ));
                }
                if serde_json::from_value::<Category>(json!(f.name)).is_err() {
                    return Err(ValidationError::field(
                        &format!("filters[{i}].name"),
                        format!("No enum match for: \"{}\"", f.name),
                    ));
                }
            }
            s.filters = filters;
        }
        if let Some(p) = self.sink {
            apply_sink(s.kind, p, &mut s.sink, &mut secrets)?;
        }
        check_sink(s.kind, &s.sink, &secrets)?;
        Ok(Decided {
            stream: s,
            secrets,
            status,
            start_from: None,
        })
    }
}

/// Refuses the sink fields of another type, then takes the given ones.
fn apply_sink(
    kind: StreamType,
    p: SinkPayload,
    sink: &mut Sink,
    secrets: &mut SinkSecrets,
) -> Validated<()> {
    let given: [(&str, bool, StreamType); 12] = [
        ("httpEndpoint", p.http_endpoint.is_some(), StreamType::Http),
        (
            "httpContentType",
            p.http_content_type.is_some(),
            StreamType::Http,
        ),
        (
            "httpContentFormat",
            p.http_content_format.is_some(),
            StreamType::Http,
        ),
        (
            "httpAuthorization",
            p.http_authorization.is_some(),
            StreamType::Http,
        ),
        (
            "httpCustomHeaders",
            p.http_custom_headers.is_some(),
            StreamType::Http,
        ),
        (
            "datadogRegion",
            p.datadog_region.is_some(),
            StreamType::Datadog,
        ),
        (
            "datadogApiKey",
            p.datadog_api_key.is_some(),
            StreamType::Datadog,
        ),
        (
            "splunkDomain",
            p.splunk_domain.is_some(),
            StreamType::Splunk,
        ),
        ("splunkToken", p.splunk_token.is_some(), StreamType::Splunk),
        ("splunkPort", p.splunk_port.is_some(), StreamType::Splunk),
        (
            "splunkSecure",
            p.splunk_secure.is_some(),
            StreamType::Splunk,
        ),
        (
            "sumoSourceAddress",
            p.sumo_source_address.is_some(),
            StreamType::Sumo,
        ),
    ];
    if let Some((field, _, _)) = given.iter().find(|(_, g, k)| *g && *k != kind) {
        return Err(ValidationError::field(
            &format!("sink.{field}"),
            "is not a property of this type of stream",
        ));
    }
    if let Some(v) = p.http_endpoint {
        sink.http_endpoint = Some(v);
    }
    if let Some(v) = p.http_content_type {
        sink.http_content_type = Some(v);
    }
    if let Some(v) = p.http_content_format {
        sink.http_content_format = Some(serde_json::from_value(json!(v)).map_err(|_| {
            ValidationError::field(
                "sink.httpContentFormat",
                format!("No enum match for: \"{v}\" (JSONLINES, JSONARRAY, JSONOBJECT)"),
            )
        })?);
    }
    if let Some(v) = p.http_authorization {
        // "" removes it (null means "keep", as for every secret).
        secrets.http_authorization = (!v.is_empty()).then_some(v);
    }
    if let Some(v) = p.http_custom_headers {
        secrets.http_custom_headers = v;
    }
    if let Some(v) = p.datadog_region {
        sink.datadog_region = Some(v);
    }
    if let Some(v) = p.datadog_api_key {
        secrets.datadog_api_key = Some(v);
    }
    if let Some(v) = p.splunk_domain {
        sink.splunk_domain = Some(v);
    }
    if let Some(v) = p.splunk_token {
        secrets.splunk_token = Some(v);
    }
    if let Some(v) = p.splunk_port {
        sink.splunk_port = Some(v);
    }
    if let Some(v) = p.splunk_secure {
        sink.splunk_secure = Some(v);
    }
    if let Some(v) = p.sumo_source_address {
        secrets.sumo_source_address = Some(v);
    }
    Ok(())
}

/// A header value: no line breaks (they would start another header) nor other
/// control characters (the HTTP client would refuse them at every send), at
/// most 4 KB.
fn header_value(field: &str, v: &str) -> Validated<()> {
    // RFC 9110 §5.5: visible characters, spaces and tabs (and obs-text).
    let allowed = |b: u8| b == b'\t' || (0x20..0x7f).contains(&b) || b >= 0x80;
    if v.is_empty() || v.len() > 4096 || !v.bytes().all(allowed) {
        return Err(ValidationError::field(
            field,
            "must be a header value of 1 to 4096 characters without control characters",
        ));
    }
    Ok(())
}

/// An https URL (http only to a loopback address, for a receiver on this
/// machine).
fn endpoint(field: &str, v: &str) -> Validated<()> {
    crate::protocol::backchannel_logout::check_url(field, v)
}

fn check_sink(kind: StreamType, sink: &Sink, secrets: &SinkSecrets) -> Validated<()> {
    match kind {
        StreamType::Http => {
            let url = sink
                .http_endpoint
                .as_deref()
                .ok_or_else(|| required("sink.httpEndpoint"))?;
            endpoint("sink.httpEndpoint", url)?;
            if let Some(ct) = &sink.http_content_type {
                header_value("sink.httpContentType", ct)?;
                if !ct.contains('/') {
                    return Err(ValidationError::field(
                        "sink.httpContentType",
                        format!("'{ct}' is not a media type"),
                    ));
                }
            }
            if let Some(a) = &secrets.http_authorization {
                header_value("sink.httpAuthorization", a)?;
            }
            if secrets.http_custom_headers.len() > MAX_HEADERS {
                return Err(ValidationError::field(
                    "sink.httpCustomHeaders",
                    format!("must have at most {MAX_HEADERS} headers"),
                ));
            }
            for (i, h) in secrets.http_custom_headers.iter().enumerate() {
                let token = !h.header.is_empty()
                    && h.header.len() <= 128
                    && h.header
                        .bytes()
                        .all(|b| b.is_ascii_alphanumeric() || b"!#$%&'*+-.^_`|~".contains(&b));
                if !token {
                    return Err(ValidationError::field(
                        &format!("sink.httpCustomHeaders[{i}].header"),
                        format!("'{}' is not a header name", h.header),
                    ));
                }
                let lower = h.header.to_ascii_lowercase();
                if [
                    "host",
                    "content-length",
                    "content-type",
                    "transfer-encoding",
                    "connection",
                    "authorization",
                ]
                .contains(&lower.as_str())
                {
                    return Err(ValidationError::field(
                        &format!("sink.httpCustomHeaders[{i}].header"),
                        format!(
                            "'{}' is set by the stream itself (httpContentType, httpAuthorization)",
                            h.header
                        ),
                    ));
                }
                header_value(&format!("sink.httpCustomHeaders[{i}].value"), &h.value)?;
            }
        }
        StreamType::Datadog => {
            let r = sink
                .datadog_region
                .as_deref()
                .ok_or_else(|| required("sink.datadogRegion"))?;
            if !DATADOG_SITES.iter().any(|(k, _)| *k == r) {
                return Err(ValidationError::field(
                    "sink.datadogRegion",
                    format!("No enum match for: \"{r}\" (us, eu, us3, us5)"),
                ));
            }
            let key = secrets
                .datadog_api_key
                .as_deref()
                .ok_or_else(|| required("sink.datadogApiKey"))?;
            header_value("sink.datadogApiKey", key)?;
        }
        StreamType::Splunk => {
            let d = sink
                .splunk_domain
                .as_deref()
                .ok_or_else(|| required("sink.splunkDomain"))?;
            let host_ok = !d.is_empty()
                && d.len() <= 253
                && d.bytes()
                    .all(|b| b.is_ascii_alphanumeric() || b == b'.' || b == b'-');
            if !host_ok {
                return Err(ValidationError::field(
                    "sink.splunkDomain",
                    format!("'{d}' is not a host name"),
                ));
            }
            if let Some(p) = &sink.splunk_port
                && p.parse::<u16>().map_or(true, |p| p == 0)
            {
                return Err(ValidationError::field(
                    "sink.splunkPort",
                    format!("'{p}' is not a port"),
                ));
            }
            let t = secrets
                .splunk_token
                .as_deref()
                .ok_or_else(|| required("sink.splunkToken"))?;
            header_value("sink.splunkToken", t)?;
        }
        StreamType::Sumo => {
            let a = secrets
                .sumo_source_address
                .as_deref()
                .ok_or_else(|| required("sink.sumoSourceAddress"))?;
            // The address carries the source's token: never echoed.
            endpoint("sink.sumoSourceAddress", a).map_err(|_| {
                ValidationError::field(
                    "sink.sumoSourceAddress",
                    "must be an https URL (http only on a loopback address)",
                )
            })?;
        }
    }
    Ok(())
}

/// Where a stream stands: what it has delivered and when it tries next.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Delivery {
    pub status: Status,
    /// The last `log_id` delivered (or skipped by the filters); `""`: none yet.
    pub cursor: String,
    pub failures: u32,
    pub next_attempt_at: i64,
}

impl Delivery {
    /// Whether to try now.
    pub fn due(&self, now: i64) -> bool {
        self.status != Status::Paused && now >= self.next_attempt_at
    }

    /// After the receiver took everything through `through`.
    pub fn delivered(&self, through: &str) -> Self {
        Self {
            status: if self.status == Status::Suspended {
                Status::Active
            } else {
                self.status
            },
            cursor: through.to_string(),
            failures: 0,
            next_attempt_at: 0,
        }
    }

    /// After a failed attempt at `now`: back off, and suspend after
    /// [`SUSPEND_AFTER`] in a row.
    pub fn failed(&self, now: i64) -> Self {
        let failures = self.failures.saturating_add(1);
        Self {
            status: if failures >= SUSPEND_AFTER && self.status == Status::Active {
                Status::Suspended
            } else {
                self.status
            },
            cursor: self.cursor.clone(),
            failures,
            next_attempt_at: now + backoff(failures),
        }
    }
}

/// One POST to the receiver (its `Debug` shows the host only: a Sumo
/// address carries a token).
pub struct Outbound {
    pub url: String,
    /// Header values may be secrets: never logged.
    pub headers: Vec<(String, Secret)>,
    pub body: Vec<u8>,
    /// The last `log_id` this request carries: the cursor once it succeeds.
    pub through: String,
}

impl std::fmt::Debug for Outbound {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let host = url::Url::parse(&self.url)
            .ok()
            .and_then(|u| u.host_str().map(str::to_string))
            .unwrap_or_default();
        f.debug_struct("Outbound")
            .field("host", &host)
            .field("bytes", &self.body.len())
            .field("through", &self.through)
            .finish()
    }
}

/// One stored event: its `log_id`, code and document (as `/api/v2/logs`).
pub struct Event<'a> {
    pub log_id: &'a str,
    pub code: &'a str,
    pub doc: &'a Value,
}

/// The requests that deliver `events` (oldest first) to `stream`'s receiver:
/// the events its filters let through, in order. An empty plan means the
/// batch is skipped (the cursor moves to its last event all the same).
pub fn plan(stream: &LogStream, secrets: &SinkSecrets, events: &[Event<'_>]) -> Vec<Outbound> {
    let wanted: Vec<&Event<'_>> = events.iter().filter(|e| stream.wants(e.code)).collect();
    if wanted.is_empty() {
        return Vec::new();
    }
    let last = |es: &[&Event<'_>]| es.last().map(|e| e.log_id.to_string()).unwrap_or_default();
    // Auth0's HTTP stream sends each event as `{log_id, data}`.
    let wrapped = |e: &Event<'_>| json!({ "log_id": e.log_id, "data": e.doc });
    let lines = |items: Vec<Value>| -> Vec<u8> {
        let mut out = Vec::new();
        for (i, v) in items.iter().enumerate() {
            if i > 0 {
                out.push(b'\n');
            }
            out.extend_from_slice(v.to_string().as_bytes());
        }
        out
    };
    match stream.kind {
        StreamType::Http => {
            let url = stream.sink.http_endpoint.clone().unwrap_or_default();
            let mut headers = vec![(
                "content-type".to_string(),
                Secret::new(
                    stream
                        .sink
                        .http_content_type
                        .clone()
                        .unwrap_or_else(|| "application/json".into()),
                ),
            )];
            if let Some(a) = &secrets.http_authorization {
                headers.push(("authorization".into(), Secret::new(a.clone())));
            }
            for h in &secrets.http_custom_headers {
                headers.push((h.header.to_ascii_lowercase(), Secret::new(h.value.clone())));
            }
            match stream
                .sink
                .http_content_format
                .unwrap_or(ContentFormat::JsonLines)
            {
                ContentFormat::JsonLines => vec![Outbound {
                    url,
                    headers,
                    body: lines(wanted.iter().map(|e| wrapped(e)).collect()),
                    through: last(&wanted),
                }],
                ContentFormat::JsonArray => vec![Outbound {
                    url,
                    headers,
                    body: Value::Array(wanted.iter().map(|e| wrapped(e)).collect())
                        .to_string()
                        .into_bytes(),
                    through: last(&wanted),
                }],
                ContentFormat::JsonObject => wanted
                    .iter()
                    .map(|e| Outbound {
                        url: url.clone(),
                        headers: headers.clone(),
                        body: wrapped(e).to_string().into_bytes(),
                        through: e.log_id.to_string(),
                    })
                    .collect(),
            }
        }
        StreamType::Datadog => {
            let region = stream.sink.datadog_region.as_deref().unwrap_or("us");
            let site = DATADOG_SITES
                .iter()
                .find(|(k, _)| *k == region)
                .map_or("datadoghq.com", |(_, s)| *s);
            let items = wanted
                .iter()
                .map(|e| {
                    json!({
                        "ddsource": "auth0",
                        "service": "auth0",
                        "hostname": e.doc.get("hostname").cloned().unwrap_or(Value::Null),
                        "message": wrapped(e).to_string(),
                    })
                })
                .collect();
            vec![Outbound {
                url: format!("https://http-intake.logs.{site}/api/v2/logs"),
                headers: vec![
                    ("content-type".into(), Secret::new("application/json")),
                    (
                        "dd-api-key".into(),
                        Secret::new(secrets.datadog_api_key.clone().unwrap_or_default()),
                    ),
                ],
                body: Value::Array(items).to_string().into_bytes(),
                through: last(&wanted),
            }]
        }
        StreamType::Splunk => {
            let domain = stream.sink.splunk_domain.as_deref().unwrap_or_default();
            let port = stream.sink.splunk_port.as_deref().unwrap_or("8088");
            let items = wanted
                .iter()
                .map(|e| {
                    let mut v = json!({
                        "source": "auth0",
                        "sourcetype": "auth0",
                        "event": wrapped(e),
                    });
                    if let Some(ms) = log_id_millis(e.log_id) {
                        v["time"] = json!(ms as f64 / 1000.0);
                    }
                    if let Some(h) = e.doc.get("hostname") {
                        v["host"] = h.clone();
                    }
                    v
                })
                .collect();
            vec![Outbound {
                // Splunk's HTTP Event Collector: events concatenated.
                url: format!("https://{domain}:{port}/services/collector/event"),
                headers: vec![
                    ("content-type".into(), Secret::new("application/json")),
                    (
                        "authorization".into(),
                        Secret::new(format!(
                            "Splunk {}",
                            secrets.splunk_token.as_deref().unwrap_or_default()
                        )),
                    ),
                ],
                body: lines(items),
                through: last(&wanted),
            }]
        }
        StreamType::Sumo => vec![Outbound {
            url: secrets.sumo_source_address.clone().unwrap_or_default(),
            headers: vec![
                ("content-type".into(), Secret::new("application/json")),
                ("x-sumo-category".into(), Secret::new("auth0")),
            ],
            // A Sumo HTTP source takes one message per line.
            body: lines(wanted.iter().map(|e| wrapped(e)).collect()),
            through: last(&wanted),
        }],
    }
}

/// The milliseconds a `log_id` starts with (Portcullis's ids sort by time).
pub fn log_id_millis(log_id: &str) -> Option<i64> {
    log_id.get(..16)?.parse().ok()
}

/// The smallest `log_id` of an event recorded at `ms` or later: the bound
/// below which events are read.
pub fn log_id_floor(ms: i64) -> String {
    format!("{ms:016}")
}

#[cfg(test)]
mod tests {
    use super::*;

    fn http(format: Option<&str>) -> (LogStream, SinkSecrets) {
        let mut sink = json!({"httpEndpoint": "https://logs.example.com/in", "httpAuthorization": "Bearer s3cret",
                              "httpCustomHeaders": [{"header": "X-Tenant", "value": "acme"}]});
        if let Some(f) = format {
            sink["httpContentFormat"] = json!(f);
        }
        let p: LogStreamPayload =
            serde_json::from_value(json!({"type": "http", "name": "Hook", "sink": sink})).unwrap();
        let d = p.into_new("lst_1".into()).unwrap();
        (d.stream, d.secrets)
    }

    fn events(docs: &[Value]) -> Vec<Event<'_>> {
        docs.iter()
            .map(|d| Event {
                log_id: d["log_id"].as_str().unwrap(),
                code: d["type"].as_str().unwrap(),
                doc: d,
            })
            .collect()
    }

    #[test]
    fn answers_never_carry_the_sinks_secrets() {
        let (s, secrets) = http(None);
        let answer = s.to_json(Status::Active).to_string();
        assert!(
            !answer.contains("s3cret") && !answer.contains("acme"),
            "{answer}"
        );
        assert_eq!(secrets.http_authorization.as_deref(), Some("Bearer s3cret"));
        assert_eq!(format!("{secrets:?}"), "SinkSecrets(<redacted>)");
        assert!(!format!("{:?}", secrets.http_custom_headers).contains("acme"));
    }

    #[test]
    fn formats_lay_out_batches_as_auth0() {
        let docs = [
            json!({"log_id": "00000000000010001", "type": "s"}),
            json!({"log_id": "00000000000020002", "type": "fp"}),
        ];
        let ev = events(&docs);
        let (s, sec) = http(Some("JSONLINES"));
        let p = plan(&s, &sec, &ev);
        assert_eq!(p.len(), 1);
        let body = String::from_utf8(p[0].body.clone()).unwrap();
        let lines: Vec<Value> = body
            .lines()
            .map(|l| serde_json::from_str(l).unwrap())
            .collect();
        assert_eq!(lines[1]["data"]["type"], "fp");
        assert_eq!(lines[0]["log_id"], "00000000000010001");
        assert_eq!(p[0].through, "00000000000020002");
        let auth = p[0]
            .headers
            .iter()
            .find(|(k, _)| k == "authorization")
            .unwrap();
        assert_eq!(auth.1.expose(), "Bearer s3cret");

        let (s, sec) = http(Some("JSONARRAY"));
        let p = plan(&s, &sec, &ev);
        let arr: Value = serde_json::from_slice(&p[0].body).unwrap();
        assert_eq!(arr.as_array().unwrap().len(), 2);

        let (s, sec) = http(Some("JSONOBJECT"));
        let p = plan(&s, &sec, &ev);
        assert_eq!(p.len(), 2);
        assert_eq!(p[0].through, "00000000000010001");
    }

    #[test]
    fn filters_pick_categories_and_skipped_batches_plan_nothing() {
        let (mut s, sec) = http(None);
        s.filters = vec![Filter {
            kind: "category".into(),
            name: "auth.login.fail".into(),
        }];
        let docs = [
            json!({"log_id": "00000000000010001", "type": "s"}),
            json!({"log_id": "00000000000020002", "type": "fp"}),
            json!({"log_id": "00000000000030003", "type": "sapi"}),
        ];
        let p = plan(&s, &sec, &events(&docs));
        assert_eq!(p.len(), 1);
        let body = String::from_utf8(p[0].body.clone()).unwrap();
        assert_eq!(body.lines().count(), 1);
        assert_eq!(p[0].through, "00000000000020002");
        assert!(plan(&s, &sec, &events(&docs[..1])).is_empty());
    }

    #[test]
    fn receivers_payloads_follow_their_apis() {
        let p: LogStreamPayload = serde_json::from_value(json!({"type": "splunk",
            "sink": {"splunkDomain": "splunk.example.com", "splunkToken": "tok", "splunkPort": "8088", "splunkSecure": true}})).unwrap();
        let d = p.into_new("lst_2".into()).unwrap();
        let docs = [
            json!({"log_id": "0001700000000000000000abcdef", "type": "s", "hostname": "id.example.com"}),
        ];
        let out = plan(&d.stream, &d.secrets, &events(&docs));
        assert_eq!(
            out[0].url,
            "https://splunk.example.com:8088/services/collector/event"
        );
        let v: Value = serde_json::from_slice(&out[0].body).unwrap();
        assert_eq!(v["sourcetype"], "auth0");
        assert_eq!(v["event"]["data"]["type"], "s");
        assert_eq!(v["time"], json!(1_700_000_000.0));
        assert_eq!(out[0].headers[1].1.expose(), "Splunk tok");

        let p: LogStreamPayload = serde_json::from_value(json!({"type": "datadog",
            "sink": {"datadogRegion": "eu", "datadogApiKey": "k"}}))
        .unwrap();
        let d = p.into_new("lst_3".into()).unwrap();
        let out = plan(&d.stream, &d.secrets, &events(&docs));
        assert_eq!(
            out[0].url,
            "https://http-intake.logs.datadoghq.eu/api/v2/logs"
        );
        let v: Value = serde_json::from_slice(&out[0].body).unwrap();
        assert_eq!(v[0]["ddsource"], "auth0");
        assert!(v[0]["message"].as_str().unwrap().contains("\"type\":\"s\""));
    }

    #[test]
    fn bad_payloads_are_refused_naming_the_field() {
        let refuse = |v: Value, field: &str| {
            let p: LogStreamPayload = serde_json::from_value(v.clone()).unwrap();
            let e = p.into_new("x".into()).unwrap_err();
            assert!(e.message.contains(field), "{v}: {}", e.message);
        };
        refuse(json!({"type": "http", "sink": {}}), "sink.httpEndpoint");
        refuse(
            json!({"type": "http", "sink": {"httpEndpoint": "http://logs.example.com"}}),
            "sink.httpEndpoint",
        );
        refuse(
            json!({"type": "http", "sink": {"httpEndpoint": "https://a.example", "httpAuthorization": "a\r\nX-Evil: 1"}}),
            "sink.httpAuthorization",
        );
        refuse(
            json!({"type": "http", "sink": {"httpEndpoint": "https://a.example", "httpCustomHeaders": [{"header": "Host", "value": "x"}]}}),
            "httpCustomHeaders[0].header",
        );
        refuse(
            json!({"type": "http", "sink": {"httpEndpoint": "https://a.example", "httpContentFormat": "XML"}}),
            "sink.httpContentFormat",
        );
        refuse(
            json!({"type": "http", "sink": {"httpEndpoint": "https://a.example", "datadogApiKey": "k"}}),
            "sink.datadogApiKey",
        );
        refuse(
            json!({"type": "http", "filters": [{"type": "category", "name": "auth.nope"}], "sink": {"httpEndpoint": "https://a.example"}}),
            "filters[0].name",
        );
        refuse(json!({"type": "eventbridge", "sink": {}}), "type");
        refuse(
            json!({"type": "datadog", "sink": {"datadogRegion": "mars", "datadogApiKey": "k"}}),
            "sink.datadogRegion",
        );
        refuse(
            json!({"type": "splunk", "sink": {"splunkDomain": "a/b", "splunkToken": "t"}}),
            "sink.splunkDomain",
        );
        refuse(
            json!({"type": "sumo", "sink": {"sumoSourceAddress": "ftp://x"}}),
            "sink.sumoSourceAddress",
        );
        refuse(
            json!({"type": "http", "status": "suspended", "sink": {"httpEndpoint": "https://a.example"}}),
            "status",
        );
        refuse(
            json!({"type": "http", "name": "<b>", "sink": {"httpEndpoint": "https://a.example"}}),
            "name",
        );
    }

    #[test]
    fn patches_keep_secrets_left_out_and_never_change_the_type() {
        let (s, sec) = http(None);
        let p: LogStreamPayload =
            serde_json::from_value(json!({"sink": {"httpEndpoint": "https://other.example/in"}}))
                .unwrap();
        let d = p.apply_to(s.clone(), sec.clone()).unwrap();
        assert_eq!(d.secrets, sec);
        assert_eq!(
            d.stream.sink.http_endpoint.as_deref(),
            Some("https://other.example/in")
        );
        let p: LogStreamPayload = serde_json::from_value(json!({"type": "sumo"})).unwrap();
        assert!(p.apply_to(s, sec).unwrap_err().message.contains("type"));
    }

    #[test]
    fn failures_back_off_suspend_and_a_success_reactivates() {
        let mut d = Delivery {
            status: Status::Active,
            cursor: String::new(),
            failures: 0,
            next_attempt_at: 0,
        };
        for i in 1..SUSPEND_AFTER {
            d = d.failed(100);
            assert_eq!(d.status, Status::Active);
            assert_eq!(d.next_attempt_at, 100 + backoff(i));
            assert!(!d.due(100));
        }
        d = d.failed(100);
        assert_eq!(d.status, Status::Suspended);
        assert!(d.due(100 + MAX_BACKOFF));
        d = d.delivered("0001");
        assert_eq!(
            (d.status, d.failures, d.cursor.as_str()),
            (Status::Active, 0, "0001")
        );
        assert_eq!(backoff(40), MAX_BACKOFF);
        let paused = Delivery {
            status: Status::Paused,
            ..d
        };
        assert!(!paused.due(i64::MAX));
        assert_eq!(paused.failed(0).status, Status::Paused);
    }
}
