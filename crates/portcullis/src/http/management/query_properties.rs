//! Property tests of the Management API's query syntax: the list parameters
//! (`page`, `per_page`, `include_totals`, `fields`, `include_fields`), field
//! selection, the `q=` parsers of `/users` and `/logs`, and the OAuth body and
//! query-string readers of `http::body`.
//!
//! Every property runs a bounded number of cases and writes no regression files.

use std::collections::BTreeSet;

use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use portcullis_core::protocol::errors::TokenErrorCode;
use portcullis_core::protocol::params::{MAX_PARAMS, Params};
use portcullis_core::user_search::{self, Match, Paths, UserQuery};
use portcullis_core::users::normalize_email;
use proptest::prelude::*;
use proptest::sample::select;
use serde_json::{Map, Value};

use super::logs::parse_q;
use super::{LIST_PARAMS, ListQuery, select_fields, single_fields};
use crate::http::body::{oauth_params, query, query_names};
use crate::http::errors::ApiError;
use portcullis_core::log_query::LogQuery;

/// Bounded, and no `proptest-regressions/` files.
fn config() -> ProptestConfig {
    ProptestConfig {
        cases: 256,
        failure_persistence: None,
        ..ProptestConfig::default()
    }
}

/// The filter names the handlers allow beside the list parameters.
const EXTRAS: &[&[&str]] = &[&[], &["q"], &["q", "search_engine"], &["email"]];

/// Arbitrary text without NUL (a NUL anywhere is refused outright; see
/// `nul_anywhere_is_refused`).
fn no_nul() -> impl Strategy<Value = String> {
    any::<String>().prop_map(|s| s.replace('\0', ""))
}

fn extras() -> impl Strategy<Value = &'static [&'static str]> {
    select(EXTRAS)
}

/// Any string, biased towards the characters query parsers split on.
fn any_text() -> impl Strategy<Value = String> {
    prop_oneof![no_nul(), "[ a-z0-9:/?#@%.,*\"\\\\\t\né=&+-]{0,24}",]
}

/// A query string with exactly these pairs (names and values decode back as given).
fn encode<K: AsRef<str>, V: AsRef<str>>(pairs: &[(K, V)]) -> String {
    form_urlencoded::Serializer::new(String::new())
        .extend_pairs(pairs.iter().map(|(k, v)| (k.as_ref(), v.as_ref())))
        .finish()
}

fn is_invalid_query(e: &ApiError) -> Result<(), TestCaseError> {
    prop_assert_eq!(e.status, StatusCode::BAD_REQUEST, "{}", e.message);
    prop_assert_eq!(e.error_code, "invalid_query_string", "{}", e.message);
    Ok(())
}

fn parse(raw: &str, extra: &[&str]) -> Result<ListQuery, ApiError> {
    ListQuery::parse(Some(raw), extra)
}

/// What `page`/`per_page` must accept: a decimal integer (an optional `+`, as
/// Rust's integer parser allows) from 0 to `max`; `None` means refused.
fn expected_number(v: &str, max: u32) -> Option<u32> {
    let digits = v.strip_prefix('+').unwrap_or(v);
    if digits.is_empty() || !digits.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    let significant = digits.trim_start_matches('0');
    if significant.len() > 10 {
        return None;
    }
    let n: u64 = if significant.is_empty() {
        0
    } else {
        significant.parse().ok()?
    };
    (n <= u64::from(max)).then_some(n as u32)
}

/// Values for `page` or `per_page`: in range, out of range, negative, junk.
fn number_text() -> impl Strategy<Value = String> {
    prop_oneof![
        (0u32..=1_000_000).prop_map(|n| n.to_string()),
        (0u32..=150).prop_map(|n| n.to_string()),
        (1_000_001u64..=u64::MAX).prop_map(|n| n.to_string()),
        (i64::MIN..0).prop_map(|n| n.to_string()),
        "[-+ 0]{0,2}[0-9]{1,12}[ .e0-9]{0,2}",
        "[-+0-9a-zA-Z., %_]{0,12}",
        no_nul(),
    ]
}

/// A value the named list or filter parameter accepts.
fn valid_value(name: &'static str) -> BoxedStrategy<String> {
    match name {
        "page" => (0u32..=1_000_000).prop_map(|n| n.to_string()).boxed(),
        "per_page" => (0u32..=100).prop_map(|n| n.to_string()).boxed(),
        "include_totals" | "include_fields" => {
            select(vec!["true", "false"]).prop_map(String::from).boxed()
        }
        "fields" => "[a-z_]{1,8}(,[a-z_]{1,8}){0,3}".boxed(),
        _ => any_text().boxed(),
    }
}

/// Known names (for `extra`) with valid values, each name at most once.
fn valid_pairs(extra: &'static [&'static str]) -> BoxedStrategy<Vec<(String, String)>> {
    let names: Vec<&'static str> = LIST_PARAMS.iter().chain(extra).copied().collect();
    proptest::sample::subsequence(names.clone(), 0..=names.len())
        .prop_flat_map(|chosen| {
            chosen
                .into_iter()
                .map(|n| valid_value(n).prop_map(move |v| (n.to_string(), v)))
                .collect::<Vec<_>>()
        })
        .prop_shuffle()
        .boxed()
}

// ---------------------------------------------------------------------------
// 1. ListQuery::parse

proptest! {
    #![proptest_config(config())]

    /// In-range `page` and `per_page` come back as sent (`per_page=0` is 1), with
    /// or without leading zeros, in either order, beside any handler's filters.
    #[test]
    fn list_page_and_per_page_in_range_round_trip(
        page in 0u32..=1_000_000,
        per_page in 0u32..=100,
        zeros in 0usize..3,
        per_page_first in any::<bool>(),
        extra in extras(),
    ) {
        let pad = "0".repeat(zeros);
        let mut pairs = vec![
            ("page", format!("{pad}{page}")),
            ("per_page", format!("{pad}{per_page}")),
        ];
        if per_page_first {
            pairs.reverse();
        }
        let q = parse(&encode(&pairs), extra).map_err(|e| TestCaseError::fail(e.message))?;
        prop_assert_eq!(q.page.page, page);
        prop_assert_eq!(q.page.per_page, per_page.max(1));
        prop_assert!(!q.include_totals);
        prop_assert!(q.fields.is_none());
    }

    /// `page` and `per_page` take exactly the integers from 0 to their maximum;
    /// anything else (too big, negative, non-numeric) is a 400
    /// `invalid_query_string`. An empty value counts as omitted (RFC 6749 §3.1).
    #[test]
    fn list_numbers_accepted_iff_integer_within_bound(
        name in select(vec!["page", "per_page"]),
        value in number_text(),
        extra in extras(),
    ) {
        let (max, default) = if name == "page" { (1_000_000, 0) } else { (100, 50) };
        let got = parse(&encode(&[(name, &value)]), extra);
        let number = |q: &ListQuery| if name == "page" { q.page.page } else { q.page.per_page };
        let fix = |n: u32| if name == "per_page" { n.max(1) } else { n };
        if value.is_empty() {
            let q = got.map_err(|e| TestCaseError::fail(e.message))?;
            prop_assert_eq!(number(&q), fix(default));
        } else {
            match (expected_number(&value, max), got) {
                (Some(n), Ok(q)) => prop_assert_eq!(number(&q), fix(n)),
                (None, Err(e)) => {
                    is_invalid_query(&e)?;
                    prop_assert!(e.message.contains(name), "{}", e.message);
                }
                (Some(n), Err(e)) => {
                    return Err(TestCaseError::fail(format!("{value:?} ({n}) refused: {}", e.message)));
                }
                (None, Ok(q)) => {
                    return Err(TestCaseError::fail(format!("{value:?} accepted as {}", number(&q))));
                }
            }
        }
    }

    /// Above the maximum or negative: always refused.
    #[test]
    fn list_out_of_range_and_negative_refused(
        page in 1_000_001u64..=u64::MAX,
        per_page in 101u64..=u64::MAX,
        negative in i64::MIN..0,
        which in 0usize..4,
    ) {
        let pairs: Vec<(&str, String)> = match which {
            0 => vec![("page", page.to_string())],
            1 => vec![("per_page", per_page.to_string())],
            2 => vec![("page", negative.to_string())],
            _ => vec![("per_page", negative.to_string())],
        };
        let e = parse(&encode(&pairs), &[]).err();
        prop_assert!(e.is_some(), "{:?} accepted", pairs);
        is_invalid_query(&e.unwrap())?;
    }

    /// `include_totals` and `include_fields` take `true` or `false` only.
    #[test]
    fn list_booleans_accept_only_true_and_false(
        name in select(vec!["include_totals", "include_fields"]),
        value in prop_oneof![
            select(vec!["true", "false", "TRUE", "1", "0", "yes", " true"]).prop_map(String::from),
            any_text(),
        ],
    ) {
        let got = parse(&encode(&[(name, &value), ("fields", &"a".to_string())]), &[]);
        match value.as_str() {
            "" => prop_assert!(got.is_ok()),
            "true" | "false" => {
                let q = got.map_err(|e| TestCaseError::fail(e.message))?;
                let flag = value == "true";
                if name == "include_totals" {
                    prop_assert_eq!(q.include_totals, flag);
                } else {
                    prop_assert_eq!(q.fields, Some((vec!["a".to_string()], flag)));
                }
            }
            _ => is_invalid_query(&got.err().ok_or_else(|| TestCaseError::fail("accepted"))?)?,
        }
    }

    /// A name that is neither a list parameter nor one of the handler's filters
    /// is refused, wherever it stands and whatever its value (even empty).
    #[test]
    fn list_unknown_parameter_refused(
        extra in extras(),
        known in valid_pairs(&[]),
        name in prop_oneof!["[a-z_]{1,12}", "[A-Z][a-z_]{0,8}", no_nul()],
        value in any_text(),
        at in any::<prop::sample::Index>(),
    ) {
        prop_assume!(!LIST_PARAMS.contains(&name.as_str()) && !extra.contains(&name.as_str()));
        let mut pairs = known;
        pairs.insert(at.index(pairs.len() + 1), (name.clone(), value));
        let e = parse(&encode(&pairs), extra).err();
        prop_assert!(e.is_some(), "{:?} accepted", pairs);
        let e = e.unwrap();
        is_invalid_query(&e)?;
        prop_assert!(e.message.contains("unknown parameter"), "{}", e.message);
        // `single_fields` (the single-object GETs) allows no filter at all.
        prop_assert!(single_fields(Some(&encode(&pairs))).is_err());
    }

    /// A name sent twice is refused, even with valid (or empty) values.
    #[test]
    fn list_repeated_name_refused(
        (extra, name, first, second, others, at) in extras().prop_flat_map(|extra| {
            let names: Vec<&'static str> = LIST_PARAMS.iter().chain(extra).copied().collect();
            select(names).prop_flat_map(move |name| (
                Just(extra),
                Just(name),
                prop_oneof![valid_value(name), Just(String::new())],
                prop_oneof![valid_value(name), Just(String::new())],
                valid_pairs(extra).prop_map(move |p| {
                    p.into_iter().filter(|(k, _)| k != name).collect::<Vec<_>>()
                }),
                any::<prop::sample::Index>(),
            ))
        }),
    ) {
        let mut pairs = others;
        pairs.insert(0, (name.to_string(), first));
        pairs.insert(at.index(pairs.len() + 1), (name.to_string(), second));
        let e = parse(&encode(&pairs), extra).err();
        prop_assert!(e.is_some(), "{:?} accepted", pairs);
        let e = e.unwrap();
        is_invalid_query(&e)?;
        prop_assert!(e.message.contains("more than once"), "{}", e.message);
    }

    /// Valid pairs of known names always parse, and every value reaches its field.
    #[test]
    fn list_valid_pairs_parse(
        (extra, pairs) in extras().prop_flat_map(|e| (Just(e), valid_pairs(e))),
    ) {
        let q = parse(&encode(&pairs), extra).map_err(|e| TestCaseError::fail(e.message))?;
        let get = |n: &str| pairs.iter().find(|(k, _)| k == n).map(|(_, v)| v.as_str());
        prop_assert_eq!(q.page.page, get("page").map_or(0, |v| v.parse().unwrap()));
        prop_assert_eq!(q.page.per_page, get("per_page").map_or(50, |v| v.parse::<u32>().unwrap().max(1)));
        prop_assert_eq!(q.include_totals, get("include_totals") == Some("true"));
        let include = get("include_fields") != Some("false");
        let fields = get("fields").map(|f| (f.split(',').map(String::from).collect::<Vec<_>>(), include));
        prop_assert_eq!(&q.fields, &fields);
        for name in extra.iter().copied() {
            prop_assert_eq!(q.filter(name), get(name).filter(|v| !v.is_empty()));
        }
    }

    /// Whatever the query string, `parse` does not panic: it parses (within the
    /// bounds) or answers 400 `invalid_query_string`.
    #[test]
    fn list_arbitrary_query_parses_or_400(
        raw in prop_oneof![
            no_nul(),
            "[a-z_=&%+0-9.,-]{0,40}",
            prop::collection::vec(
                (
                    select(vec!["page", "per_page", "include_totals", "fields",
                                "include_fields", "q", "email", "zz", ""]),
                    "[a-z0-9%+,.-]{0,6}",
                ),
                0..8,
            )
            .prop_map(|v| v.iter().map(|(k, v)| format!("{k}={v}")).collect::<Vec<_>>().join("&")),
        ],
        extra in extras(),
    ) {
        match parse(&raw, extra) {
            Ok(q) => {
                prop_assert!(q.page.page <= 1_000_000);
                prop_assert!((1..=100).contains(&q.page.per_page));
            }
            Err(e) => is_invalid_query(&e)?,
        }
        prop_assert!(ListQuery::parse(None, extra).is_ok());
    }

    /// `body::query_names` lists every name in order; `body::query` accepts the
    /// pairs exactly when no name repeats and there are at most MAX_PARAMS.
    #[test]
    fn body_query_matches_its_pairs(
        pairs in prop::collection::vec(("[a-c]{1,2}|[a-z]{3,6}", any_text()), 0..=120),
    ) {
        let raw = encode(&pairs);
        let names: Vec<String> = pairs.iter().map(|(k, _)| k.clone()).collect();
        prop_assert_eq!(query_names(Some(&raw)), names.clone());
        let distinct = names.iter().collect::<BTreeSet<_>>().len() == names.len();
        match query(Some(&raw)) {
            Ok(p) => {
                prop_assert!(distinct && names.len() <= MAX_PARAMS);
                prop_assert_eq!(p, Params::from_pairs(pairs).unwrap());
            }
            Err(e) => {
                is_invalid_query(&e)?;
                prop_assert!(!distinct || names.len() > MAX_PARAMS);
            }
        }
    }
}

// ---------------------------------------------------------------------------
// 2. fields / include_fields

fn json_value() -> impl Strategy<Value = Value> {
    let leaf = prop_oneof![
        Just(Value::Null),
        any::<bool>().prop_map(Value::Bool),
        any::<i64>().prop_map(Value::from),
        "[a-z ]{0,8}".prop_map(Value::String),
    ];
    leaf.prop_recursive(2, 16, 4, |inner| {
        prop_oneof![
            prop::collection::vec(inner.clone(), 0..4).prop_map(Value::Array),
            prop::collection::btree_map("[a-e]{1,2}", inner, 0..4)
                .prop_map(|m| Value::Object(m.into_iter().collect())),
        ]
    })
}

/// An object whose keys often collide with the names asked for.
fn json_object() -> impl Strategy<Value = Map<String, Value>> {
    prop::collection::btree_map("[a-e]{1,2}|[a-z_]{3,8}", json_value(), 0..10)
        .prop_map(|m| m.into_iter().collect())
}

proptest! {
    #![proptest_config(config())]

    /// `select_fields` keeps exactly the named top-level keys (include) or exactly
    /// the others (exclude), values untouched; without a selection, or on a
    /// non-object, it changes nothing.
    #[test]
    fn select_fields_keeps_exactly_the_named_keys(
        object in json_object(),
        names in prop::collection::vec("[a-e]{1,2}|[a-z_]{3,8}", 0..6),
        include in any::<bool>(),
        other in json_value(),
    ) {
        let selection = (names.clone(), include);
        let got = select_fields(Value::Object(object.clone()), Some(&selection));
        let Value::Object(got) = got else {
            return Err(TestCaseError::fail("not an object"));
        };
        let expected: BTreeSet<&String> =
            object.keys().filter(|k| names.contains(k) == include).collect();
        prop_assert_eq!(got.keys().collect::<BTreeSet<_>>(), expected);
        for (k, v) in &got {
            prop_assert_eq!(Some(v), object.get(k));
        }
        prop_assert_eq!(select_fields(Value::Object(object.clone()), None), Value::Object(object));
        if !other.is_object() {
            prop_assert_eq!(select_fields(other.clone(), Some(&selection)), other);
        }
    }

    /// Through the query string: `fields` (comma-separated, spaces trimmed) and
    /// `include_fields` select the same keys in list responses (plain and with
    /// totals) and in single-object GETs.
    #[test]
    fn fields_from_query_select_the_named_keys(
        objects in prop::collection::vec(json_object(), 0..4),
        names in prop::collection::vec(("[a-e]{1,2}|[a-z_]{3,8}", " {0,2}", " {0,2}"), 1..6),
        include in prop::option::of(any::<bool>()),
        include_totals in any::<bool>(),
    ) {
        let fields = names.iter().map(|(n, l, r)| format!("{l}{n}{r}")).collect::<Vec<_>>().join(",");
        let names: Vec<String> = names.into_iter().map(|(n, _, _)| n).collect();
        let mut pairs = vec![("fields", fields), ("include_totals", include_totals.to_string())];
        if let Some(b) = include {
            pairs.push(("include_fields", b.to_string()));
        }
        let include = include.unwrap_or(true);
        let raw = encode(&pairs);
        let q = parse(&raw, &[]).map_err(|e| TestCaseError::fail(e.message))?;
        let items: Vec<Value> = objects.iter().cloned().map(Value::Object).collect();
        let response = q.respond("items", items, objects.len() as i64);
        let listed = if include_totals { &response["items"] } else { &response };
        let listed = listed.as_array().ok_or_else(|| TestCaseError::fail("not an array"))?;
        prop_assert_eq!(listed.len(), objects.len());
        for (got, object) in listed.iter().zip(&objects) {
            let expected: Map<String, Value> = object
                .iter()
                .filter(|(k, _)| names.contains(k) == include)
                .map(|(k, v)| (k.clone(), v.clone()))
                .collect();
            prop_assert_eq!(got, &Value::Object(expected));
        }
        let single = single_fields(Some(&raw)).map_err(|e| TestCaseError::fail(e.message))?;
        prop_assert_eq!(single, Some((names, include)));
    }
}

// ---------------------------------------------------------------------------
// 3. q= (users: `email:"<address>"`; logs: `type:<code> AND user_id:"<id>"`)

/// Strings near the `q=` grammar, and anything at all.
fn q_text() -> impl Strategy<Value = String> {
    prop_oneof![
        no_nul(),
        any_text(),
        "( ?(email|type|user_id|name|TYPE)?:?[\" ]{0,2}[a-zA-Z0-9@.|: ]{0,8}[\" ]{0,2}( AND | OR |AND| )?){0,4}",
    ]
}

/// An address `check_email` accepts, in mixed case.
fn address() -> impl Strategy<Value = String> {
    (
        "[A-Za-z0-9._%+-]{1,16}",
        "[A-Za-z0-9-]{1,10}(\\.[A-Za-z0-9-]{1,10}){1,2}",
    )
        .prop_map(|(local, domain)| format!("{local}@{domain}"))
}

proptest! {
    #![proptest_config(config())]

    /// `/logs?q=`: never panics; accepted exactly when every ` AND `-separated
    /// term is `type:…`, `user_id:…` or `client_id:…` (or a well-formed
    /// `date:` range), otherwise 400 `invalid_query_string`.
    #[test]
    fn logs_q_parses_or_400(q in q_text()) {
        let terms: Vec<&str> = q.split(" AND ").map(str::trim).filter(|t| !t.is_empty()).collect();
        let plain = |t: &str| ["type:", "user_id:", "client_id:"].iter().any(|p| t.starts_with(p));
        let well_formed = terms.iter().all(|t| plain(t));
        let has_date = terms.iter().any(|t| t.starts_with("date:"));
        match parse_q(Some(&q)) {
            Ok(_) => prop_assert!(well_formed || has_date, "{:?} accepted", q),
            Err(e) => {
                is_invalid_query(&e)?;
                prop_assert!(!well_formed, "{:?} refused", q);
            }
        }
    }

    /// `type:<code>` and `user_id:"<id>"`, alone or joined by AND in either
    /// order, quoted or not, filter on exactly that code and that user.
    #[test]
    fn logs_q_round_trips_type_and_user_id(
        code in "[a-z]{1,6}",
        id in "(auth0|google-oauth2|samlp)\\|[A-Za-z0-9:._-]{1,24}",
        which in 0usize..4,
        quote_type in any::<bool>(),
        quote_id in any::<bool>(),
    ) {
        let t = if quote_type { format!("type:\"{code}\"") } else { format!("type:{code}") };
        let u = if quote_id { format!("user_id:\"{id}\"") } else { format!("user_id:{id}") };
        let (q, expected) = match which {
            0 => (t, (Some(code), None)),
            1 => (u, (None, Some(id))),
            2 => (format!("{t} AND {u}"), (Some(code), Some(id))),
            _ => (format!("{u} AND {t}"), (Some(code), Some(id))),
        };
        let got = parse_q(Some(&q)).map_err(|e| TestCaseError::fail(e.message))?;
        prop_assert_eq!((got.event_type, got.user_id), expected);
        prop_assert_eq!(parse_q(None).ok(), Some(LogQuery::default()));
    }

    /// `/users?q=`: any text parses to a query or to a refusal, never a panic;
    /// and a refusal is always explained.
    #[test]
    fn users_q_parses_or_is_refused_never_panics(q in prop_oneof![q_text(), "[a-z_.:\"()*\\ -]{0,40}", "(AND |OR |NOT |[a-z]{1,4}:[a-z*]{0,3} |\\(|\\)){0,12}"]) {
        if let Err(e) = user_search::parse(&q) {
            prop_assert!(!e.0.is_empty());
        }
    }

    /// `email:"<address>"` (or unquoted, with spaces around) is one exact term on
    /// the address, lower-cased as stored.
    #[test]
    fn users_q_email_round_trips(
        address in address(),
        quoted in any::<bool>(),
        left in " {0,2}",
        right in " {0,2}",
    ) {
        let q = if quoted {
            format!("{left}email:\"{address}\"{right}")
        } else {
            format!("{left}email:{address}{right}")
        };
        let expected = UserQuery::Match(Match::Attribute {
            paths: Paths::One("email".into()),
            value: address.to_lowercase(),
            prefix: false,
        });
        prop_assert_eq!(user_search::parse(&q).ok().flatten(), Some(expected));
        prop_assert_eq!(normalize_email(&address), address.to_lowercase());
    }
}

// ---------------------------------------------------------------------------
// 4. oauth_params (form and JSON bodies)

fn headers(content_type: &str) -> HeaderMap {
    let mut h = HeaderMap::new();
    h.insert(
        header::CONTENT_TYPE,
        HeaderValue::from_str(content_type).unwrap(),
    );
    h
}

fn form_type() -> impl Strategy<Value = &'static str> {
    select(vec![
        "application/x-www-form-urlencoded",
        "application/x-www-form-urlencoded; charset=UTF-8",
        "Application/X-WWW-Form-URLEncoded",
    ])
}

fn json_type() -> impl Strategy<Value = &'static str> {
    select(vec![
        "application/json",
        "application/json; charset=utf-8",
        "APPLICATION/JSON",
    ])
}

fn form_body<K: AsRef<str>, V: AsRef<str>>(pairs: &[(K, V)]) -> Vec<u8> {
    encode(pairs).into_bytes()
}

fn is_invalid_request(
    got: Result<Params, portcullis_core::protocol::errors::TokenError>,
) -> Result<(), TestCaseError> {
    match got {
        Ok(p) => Err(TestCaseError::fail(format!("accepted: {p:?}"))),
        Err(e) => {
            prop_assert_eq!(e.code, TokenErrorCode::InvalidRequest, "{}", e.description);
            Ok(())
        }
    }
}

/// Names OAuth uses, and anything else.
fn param_name() -> impl Strategy<Value = String> {
    prop_oneof![
        select(vec![
            "grant_type",
            "client_id",
            "client_secret",
            "code",
            "redirect_uri",
            "scope",
            "audience",
            "refresh_token",
        ])
        .prop_map(String::from),
        "[a-z_]{1,12}",
        no_nul(),
    ]
}

proptest! {
    #![proptest_config(config())]

    /// A form body and the flat JSON object of the same strings give the same
    /// `Params` (JSON `null`s count as omitted); beyond MAX_PARAMS both refuse.
    #[test]
    fn oauth_form_and_json_agree(
        map in prop::collection::btree_map(param_name(), any_text(), 0..=MAX_PARAMS + 20),
        nulls in prop::collection::btree_set("null_[a-z]{1,6}", 0..3),
        form_ct in form_type(),
        json_ct in json_type(),
    ) {
        let pairs: Vec<(String, String)> = map.clone().into_iter().collect();
        let form = oauth_params(&headers(form_ct), &form_body(&pairs));
        let mut object: Map<String, Value> =
            map.iter().map(|(k, v)| (k.clone(), Value::String(v.clone()))).collect();
        for n in nulls.iter().filter(|n| !map.contains_key(*n)) {
            object.insert(n.clone(), Value::Null);
        }
        let json = oauth_params(&headers(json_ct), &serde_json::to_vec(&object).unwrap());
        if map.len() <= MAX_PARAMS {
            let form = form.map_err(|e| TestCaseError::fail(e.description.into_owned()))?;
            let json = json.map_err(|e| TestCaseError::fail(e.description.into_owned()))?;
            prop_assert_eq!(&form, &json);
            prop_assert_eq!(&form, &Params::from_pairs(pairs).unwrap());
            for (k, v) in &map {
                prop_assert_eq!(form.get(k), Some(v.as_str()).filter(|v| !v.is_empty()));
            }
        } else {
            is_invalid_request(form)?;
            is_invalid_request(json)?;
        }
    }

    /// A JSON value that is not a string (nor null) is refused with invalid_request.
    #[test]
    fn oauth_json_non_string_value_refused(
        map in prop::collection::btree_map(param_name(), any_text(), 0..10),
        name in param_name(),
        bad in json_value().prop_filter("not a string or null", |v| !v.is_string() && !v.is_null()),
        json_ct in json_type(),
    ) {
        let mut object: Map<String, Value> =
            map.into_iter().map(|(k, v)| (k, Value::String(v))).collect();
        object.insert(name, bad);
        is_invalid_request(oauth_params(&headers(json_ct), &serde_json::to_vec(&object).unwrap()))?;
        // A JSON body that is not an object is refused the same way.
        let arr = serde_json::to_vec(&Value::Array(object.into_values().collect())).unwrap();
        is_invalid_request(oauth_params(&headers(json_ct), &arr))?;
    }

    /// Up to MAX_PARAMS distinct parameters are accepted, one more is refused,
    /// in either body format.
    #[test]
    fn oauth_more_than_max_params_refused(
        n in prop_oneof![0usize..=MAX_PARAMS, MAX_PARAMS + 1..=2 * MAX_PARAMS, Just(MAX_PARAMS + 1)],
        value in "[a-z0-9]{0,4}",
        json in any::<bool>(),
    ) {
        let pairs: Vec<(String, String)> = (0..n).map(|i| (format!("p{i:03}"), value.clone())).collect();
        let got = if json {
            let object: Map<String, Value> =
                pairs.iter().map(|(k, v)| (k.clone(), Value::String(v.clone()))).collect();
            oauth_params(&headers("application/json"), &serde_json::to_vec(&object).unwrap())
        } else {
            oauth_params(&headers("application/x-www-form-urlencoded"), &form_body(&pairs))
        };
        if n <= MAX_PARAMS {
            prop_assert!(got.is_ok(), "{} parameters refused", n);
        } else {
            is_invalid_request(got)?;
        }
    }

    /// RFC 6749 §3.2: a form parameter sent twice is refused with invalid_request.
    #[test]
    fn oauth_form_repeated_name_refused(
        map in prop::collection::btree_map(param_name(), any_text(), 0..10),
        name in param_name(),
        first in any_text(),
        second in any_text(),
        at in any::<prop::sample::Index>(),
        form_ct in form_type(),
    ) {
        let mut pairs: Vec<(String, String)> =
            map.into_iter().filter(|(k, _)| *k != name).collect();
        pairs.insert(0, (name.clone(), first));
        pairs.insert(at.index(pairs.len() + 1), (name, second));
        is_invalid_request(oauth_params(&headers(form_ct), &form_body(&pairs)))?;
    }

    /// The same rule for the JSON form: an object naming a parameter twice is
    /// refused, as the equivalent form body is.
    #[test]
    fn oauth_json_repeated_name_refused(
        name in "[a-z_]{1,12}",
        first in "[a-z0-9]{0,8}",
        second in "[a-z0-9]{0,8}",
        json_ct in json_type(),
    ) {
        let body = format!(
            "{{{k}:{a},{k}:{b}}}",
            k = Value::String(name.clone()),
            a = Value::String(first.clone()),
            b = Value::String(second.clone()),
        );
        let form = oauth_params(
            &headers("application/x-www-form-urlencoded"),
            &form_body(&[(&name, &first), (&name, &second)]),
        );
        is_invalid_request(form)?;
        is_invalid_request(oauth_params(&headers(json_ct), body.as_bytes()))?;
    }

    /// A NUL anywhere in a name or a value is refused, in a form, in JSON and in
    /// a query string: no parameter has one, and PostgreSQL cannot store it.
    #[test]
    fn nul_anywhere_is_refused(
        name in "[a-z_]{1,12}",
        before in "[a-z0-9]{0,8}",
        after in "[a-z0-9]{0,8}",
        in_name in any::<bool>(),
    ) {
        let with_nul = format!("{before}\0{after}");
        let (k, v) = if in_name { (with_nul.clone(), name.clone()) } else { (name.clone(), with_nul.clone()) };
        is_invalid_request(oauth_params(
            &headers("application/x-www-form-urlencoded"),
            &form_body(&[(&k, &v)]),
        ))?;
        let json = serde_json::to_vec(&serde_json::json!({ k.clone(): v.clone() })).unwrap();
        is_invalid_request(oauth_params(&headers("application/json"), &json))?;
        let query = form_body(&[(&k, &v)]);
        let query = String::from_utf8(query).unwrap();
        prop_assert!(crate::http::body::query(Some(&query)).is_err());
    }
}
