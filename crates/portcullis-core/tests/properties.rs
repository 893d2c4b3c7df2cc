//! Property tests of the parsers that face the internet: request parameters,
//! scope strings, redirect-URI matching, compact JWS verification, authorization
//! and token requests, client authentication and PKCE.
//!
//! Every property runs a bounded number of cases and writes no regression files,
//! so the whole file runs in seconds in a debug build. The Management API's list
//! query syntax (`q=`, `fields`, `page`) is parsed in the `portcullis` crate, not
//! here, so it has no property in this file.

use std::collections::{BTreeMap, HashSet};
use std::sync::LazyLock;

use base64::Engine;
use base64::engine::general_purpose::{STANDARD, URL_SAFE_NO_PAD};
use proptest::prelude::*;
use proptest::sample::Index;
use serde_json::{Value, json};

use portcullis_core::clients::{Client, ClientPayload};
use portcullis_core::jose::{self, JwsError};
use portcullis_core::keys::{self, Alg, KeyEncryptionKey, KeyState, SigningKey};
use portcullis_core::protocol::authorize::{self, AuthorizeFailure, ResponseMode, ResponseType};
use portcullis_core::protocol::client_auth::{self, AuthMethodUsed};
use portcullis_core::protocol::errors::TokenErrorCode;
use portcullis_core::protocol::params::{MAX_PARAMS, Params, ParamsError};
use portcullis_core::protocol::pkce;
use portcullis_core::protocol::token_request::{self, TokenRequest};
use portcullis_core::scope;

/// Bounded, and no `proptest-regressions/` files.
fn config() -> ProptestConfig {
    ProptestConfig {
        cases: 256,
        failure_persistence: None,
        ..ProptestConfig::default()
    }
}

/// The same, with fewer cases for properties that sign with RSA keys.
fn crypto_config() -> ProptestConfig {
    ProptestConfig {
        cases: 128,
        ..config()
    }
}

fn pairs(v: &[(&str, &str)]) -> Params {
    Params::from_pairs(v.iter().map(|(k, v)| (k.to_string(), v.to_string()))).unwrap()
}

/// Any string without NUL (refused outright by Params; see
/// `params_with_nul_are_refused`), biased towards the characters parsers split on.
fn any_text() -> impl Strategy<Value = String> {
    prop_oneof![
        any::<String>().prop_map(|s| s.replace('\0', "")),
        "[ a-z:/?#@%.*\"\\\\\t\n\u{7f}é=&+-]{0,24}",
    ]
}

// ---------------------------------------------------------------------------
// 1. Params::from_pairs
// ---------------------------------------------------------------------------

/// What `from_pairs` must answer: the first violation in order wins, a
/// 101st parameter being one.
fn params_model(pairs: &[(String, String)]) -> Result<(), ParamsError> {
    let mut seen = HashSet::new();
    for (k, _) in pairs {
        // A repeated name is named even past the cap; a new name past the cap
        // is one too many.
        if seen.contains(k.as_str()) {
            return Err(ParamsError::Duplicate(k.clone()));
        }
        if seen.len() == MAX_PARAMS {
            return Err(ParamsError::TooMany);
        }
        seen.insert(k.as_str());
    }
    Ok(())
}

proptest! {
    #![proptest_config(config())]

    #[test]
    fn params_distinct_names_are_accepted_and_readable(
        names in prop::collection::hash_set(any_text(), 0..=MAX_PARAMS),
        values in prop::collection::vec(prop_oneof![Just(String::new()), any_text()], MAX_PARAMS),
        absent in any_text(),
    ) {
        let list: Vec<(String, String)> = names.iter().cloned().zip(values).collect();
        let p = Params::from_pairs(list.clone()).expect("distinct names, at most MAX_PARAMS");
        for (k, v) in &list {
            // RFC 6749 §3.1: a parameter without a value is omitted.
            let expected = (!v.is_empty()).then_some(v.as_str());
            prop_assert_eq!(p.get(k), expected, "name {:?}", k);
        }
        if !names.contains(&absent) {
            prop_assert_eq!(p.get(&absent), None);
        }
    }

    #[test]
    fn params_first_repeated_name_is_refused_as_duplicate(
        names in prop::collection::vec(any_text(), 1..=MAX_PARAMS),
        pick in any::<Index>(),
        at in any::<Index>(),
        value in any_text(),
    ) {
        // Distinct names, then one of them again at a later position: the list
        // has at most MAX_PARAMS distinct names and exactly one repetition.
        let mut list: Vec<(String, String)> = Vec::new();
        for n in names {
            if !list.iter().any(|(k, _)| *k == n) {
                list.push((n, String::new()));
            }
        }
        let first = pick.index(list.len());
        let repeated = list[first].0.clone();
        let pos = first + 1 + at.index(list.len() - first);
        list.insert(pos, (repeated.clone(), value));
        prop_assert_eq!(Params::from_pairs(list), Err(ParamsError::Duplicate(repeated)));
    }

    #[test]
    fn params_from_small_alphabet_follow_the_model(
        list in prop::collection::vec(("[a-e]{1,2}", any_text()), 0..40),
    ) {
        // Many repetitions: the error names the first name seen twice.
        let got = Params::from_pairs(list.clone()).map(|_| ());
        prop_assert_eq!(got, params_model(&list));
    }

    #[test]
    fn params_more_than_max_distinct_names_is_too_many(
        extra in 1usize..200,
        prefix in "[a-z_]{0,6}",
    ) {
        let list = (0..MAX_PARAMS + extra).map(|i| (format!("{prefix}{i}"), "v".to_string()));
        prop_assert_eq!(Params::from_pairs(list), Err(ParamsError::TooMany));
    }

    #[test]
    fn params_arbitrary_pairs_follow_the_model(
        list in prop::collection::vec((any_text(), any_text()), 0..=MAX_PARAMS + 30),
        probe in any_text(),
    ) {
        let got = Params::from_pairs(list.clone());
        prop_assert_eq!(got.as_ref().map(|_| ()).map_err(Clone::clone), params_model(&list));
        if let Ok(p) = got {
            let expected = list
                .iter()
                .find(|(k, _)| *k == probe)
                .map(|(_, v)| v.as_str())
                .filter(|v| !v.is_empty());
            prop_assert_eq!(p.get(&probe), expected);
        }
    }
}

// ---------------------------------------------------------------------------
// 2. Scope strings (RFC 6749 §3.3)
// ---------------------------------------------------------------------------

/// RFC 6749 §3.3: scope-token = 1*( %x21 / %x23-5B / %x5D-7E ).
fn scope_token() -> impl Strategy<Value = String> {
    r"[\x21\x23-\x5B\x5D-\x7E]{1,16}"
}

fn rfc_scope_char(c: char) -> bool {
    c == '\x21' || ('\x23'..='\x5B').contains(&c) || ('\x5D'..='\x7E').contains(&c)
}

/// A character outside the scope-token grammar other than the space separator.
fn forbidden_scope_char() -> impl Strategy<Value = char> {
    prop_oneof![
        Just('"'),
        Just('\\'),
        Just('\x7f'),
        prop::char::range('\x01', '\x1f'),
        prop::char::range('\u{80}', '\u{10FFFF}'),
    ]
}

fn dedup(tokens: &[String]) -> Vec<String> {
    let mut out: Vec<String> = Vec::new();
    for t in tokens {
        if !out.contains(t) {
            out.push(t.clone());
        }
    }
    out
}

proptest! {
    #![proptest_config(config())]

    #[test]
    fn scope_valid_tokens_round_trip_through_parse_and_join(
        tokens in prop::collection::vec(scope_token(), 0..10),
        gaps in prop::collection::vec(1usize..4, 11),
    ) {
        // Tokens separated by runs of spaces, with leading and trailing spaces.
        let mut raw = " ".repeat(gaps[0] - 1);
        for (t, g) in tokens.iter().zip(&gaps[1..]) {
            raw.push_str(t);
            raw.push_str(&" ".repeat(*g));
        }
        let expected = dedup(&tokens);
        let parsed = scope::parse(&raw);
        prop_assert_eq!(&parsed, &expected);
        prop_assert!(parsed.iter().all(|t| scope::is_valid_token(t)));
        let joined = scope::join(&parsed);
        prop_assert_eq!(&joined, &expected.join(" "));
        prop_assert_eq!(scope::parse(&joined), parsed);
    }

    #[test]
    fn scope_parse_of_anything_is_normalised_and_idempotent(raw in any_text()) {
        let parsed = scope::parse(&raw);
        prop_assert!(parsed.iter().all(|t| !t.is_empty() && !t.contains(' ')));
        prop_assert_eq!(dedup(&parsed), parsed.clone());
        // Every non-space run of the input is one of the values, in order.
        let runs: Vec<String> = raw.split(' ').filter(|s| !s.is_empty()).map(String::from).collect();
        prop_assert_eq!(&dedup(&runs), &parsed);
        prop_assert_eq!(scope::parse(&scope::join(&parsed)), parsed);
    }

    #[test]
    fn scope_token_validity_is_the_rfc_6749_grammar(s in any_text()) {
        let expected = !s.is_empty() && s.chars().all(rfc_scope_char);
        prop_assert_eq!(scope::is_valid_token(&s), expected, "{:?}", s);
    }

    #[test]
    fn scope_token_with_a_forbidden_character_is_invalid_and_refused(
        token in scope_token(),
        at in any::<Index>(),
        bad in forbidden_scope_char(),
        others in prop::collection::vec(scope_token(), 0..3),
    ) {
        let mut chars: Vec<char> = token.chars().collect();
        chars.insert(at.index(chars.len() + 1), bad);
        let bad_token: String = chars.into_iter().collect();
        prop_assert!(!scope::is_valid_token(&bad_token));
        // Both endpoints that parse scopes refuse it with invalid_scope.
        let mut values = others.clone();
        values.push(bad_token);
        let raw = values.join(" ");
        let e = token_request::parse(&pairs(&[("grant_type", "client_credentials"), ("scope", &raw)]))
            .unwrap_err();
        prop_assert_eq!(e.code, TokenErrorCode::InvalidScope);
        let c = client("regular_web", WEB_CB);
        let r = authorize::validate(
            &pairs(&[
                ("client_id", "cid"),
                ("redirect_uri", WEB_CB),
                ("response_type", "code"),
                ("scope", &raw),
            ]),
            Some(&c),
        );
        match r {
            Err(AuthorizeFailure::Redirect(e)) => {
                prop_assert_eq!(e.error, authorize::AuthorizeErrorCode::InvalidScope);
            }
            other => prop_assert!(false, "expected an invalid_scope redirect, got {:?}", other),
        }
    }
}

// ---------------------------------------------------------------------------
// 3. Redirect-URI registration and matching
// ---------------------------------------------------------------------------

const WEB_CB: &str = "https://app.example/cb";
const CHALLENGE: &str = "E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM";

fn client_with(app_type: &str, callbacks: &[&str]) -> Result<Client, String> {
    serde_json::from_value::<ClientPayload>(json!({
        "name": "App",
        "app_type": app_type,
        "callbacks": callbacks,
    }))
    .map_err(|e| e.to_string())?
    .into_new_client("cid".into(), "t")
    .map_err(|e| e.message)
}

fn client(app_type: &str, callback: &str) -> Client {
    client_with(app_type, &[callback]).expect("valid client")
}

/// Callback URLs as applications register them: web and native-app schemes,
/// hosts, ports, paths and queries.
fn callback() -> impl Strategy<Value = String> {
    let host = prop_oneof![
        Just("localhost".to_string()),
        "[a-z][a-z0-9]{0,8}(\\.[a-z][a-z0-9]{0,8}){0,2}\\.(com|example|test)",
    ];
    let port = prop::option::of(1u16..);
    let path = "(/[A-Za-z0-9._~-]{0,8}){0,4}";
    let query = prop::option::of("[a-z]{1,5}=[A-Za-z0-9]{0,5}");
    let web = (
        prop_oneof![Just("https"), Just("http")],
        host,
        port,
        path,
        query.clone(),
    )
        .prop_map(|(scheme, host, port, path, query)| {
            let port = port.map(|p| format!(":{p}")).unwrap_or_default();
            let query = query.map(|q| format!("?{q}")).unwrap_or_default();
            format!("{scheme}://{host}{port}{path}{query}")
        });
    let native = (
        "com\\.[a-z]{1,8}\\.app",
        prop_oneof![Just(":/"), Just("://")],
        "[a-z]{1,8}(/[a-z]{1,8}){0,2}",
        query,
    )
        .prop_map(|(scheme, sep, path, query)| {
            let query = query.map(|q| format!("?{q}")).unwrap_or_default();
            format!("{scheme}{sep}{path}{query}")
        });
    prop_oneof![3 => web, 1 => native]
}

/// One small change to a registered callback.
#[derive(Debug, Clone)]
enum Mutation {
    Append(char),
    Remove(Index),
    ChangeCase(Index),
    Replace(Index, char),
    PercentEncode(Index),
    AddQuery,
    TrailingSlash,
    UserinfoBeforeHost,
    UserinfoAfterHost,
    Fragment,
}

fn mutation() -> impl Strategy<Value = Mutation> {
    prop_oneof![
        any::<char>()
            .prop_filter("no NUL", |c| *c != '\0')
            .prop_map(Mutation::Append),
        any::<Index>().prop_map(Mutation::Remove),
        any::<Index>().prop_map(Mutation::ChangeCase),
        (
            any::<Index>(),
            any::<char>().prop_filter("no NUL", |c| *c != '\0')
        )
            .prop_map(|(i, c)| Mutation::Replace(i, c)),
        any::<Index>().prop_map(Mutation::PercentEncode),
        Just(Mutation::AddQuery),
        Just(Mutation::TrailingSlash),
        Just(Mutation::UserinfoBeforeHost),
        Just(Mutation::UserinfoAfterHost),
        Just(Mutation::Fragment),
    ]
}

/// Applies `m` to an ASCII callback; the result always differs from it.
fn mutate(cb: &str, m: &Mutation) -> String {
    assert!(cb.is_ascii());
    let mut s = cb.to_string();
    let authority_start = cb
        .find("://")
        .map(|i| i + 3)
        .unwrap_or(cb.find(':').unwrap() + 1);
    match m {
        Mutation::Append(c) => s.push(*c),
        Mutation::Remove(i) => {
            s.remove(i.index(s.len()));
        }
        Mutation::ChangeCase(i) => {
            let letters: Vec<usize> = (0..s.len())
                .filter(|&j| s.as_bytes()[j].is_ascii_alphabetic())
                .collect();
            let j = letters[i.index(letters.len())];
            let c = s.as_bytes()[j] as char;
            let flipped = if c.is_ascii_lowercase() {
                c.to_ascii_uppercase()
            } else {
                c.to_ascii_lowercase()
            };
            s.replace_range(j..=j, &flipped.to_string());
        }
        Mutation::Replace(i, c) => {
            let j = i.index(s.len());
            let old = s.as_bytes()[j] as char;
            let new = if *c != old {
                *c
            } else if old == 'a' {
                'b'
            } else {
                'a'
            };
            s.replace_range(j..=j, &new.to_string());
        }
        Mutation::PercentEncode(i) => {
            let j = i.index(s.len());
            let enc = format!("%{:02X}", s.as_bytes()[j]);
            s.replace_range(j..=j, &enc);
        }
        Mutation::AddQuery => s.push_str(if cb.contains('?') { "&x=1" } else { "?x=1" }),
        Mutation::TrailingSlash => s.push('/'),
        Mutation::UserinfoBeforeHost => s.insert_str(authority_start, "evil@"),
        Mutation::UserinfoAfterHost => {
            let end = cb[authority_start..]
                .find(['/', '?'])
                .map_or(cb.len(), |i| authority_start + i);
            s.insert_str(end, "@evil.example");
        }
        Mutation::Fragment => s.push_str("#x"),
    }
    s
}

/// A request that `client` accepts when `redirect_uri` is its callback.
fn good_request(redirect_uri: &str) -> Params {
    pairs(&[
        ("client_id", "cid"),
        ("redirect_uri", redirect_uri),
        ("response_type", "code"),
        ("scope", "openid profile"),
        ("state", "xyz"),
        ("code_challenge", CHALLENGE),
        ("code_challenge_method", "S256"),
    ])
}

proptest! {
    #![proptest_config(config())]

    #[test]
    fn registered_callback_matches_itself_exactly(
        cb in callback(),
        app_type in prop::sample::select(&["spa", "regular_web", "native"][..]),
    ) {
        let c = client_with(app_type, &[&cb]);
        prop_assert!(c.is_ok(), "{:?} refused: {:?}", cb, c);
        let c = c.unwrap();
        let r = authorize::validate(&good_request(&cb), Some(&c));
        prop_assert!(r.is_ok(), "{:?}", r);
        prop_assert_eq!(r.unwrap().redirect_uri, cb);
    }

    #[test]
    fn mutated_callback_never_matches_and_is_never_redirected_to(
        cb in callback(),
        m in mutation(),
        app_type in prop::sample::select(&["spa", "regular_web", "native"][..]),
    ) {
        let c = client(app_type, &cb);
        let bad = mutate(&cb, &m);
        prop_assert_ne!(&bad, &cb);
        prop_assert!(authorize::validate(&good_request(&cb), Some(&c)).is_ok());
        match authorize::validate(&good_request(&bad), Some(&c)) {
            Err(AuthorizeFailure::ShowErrorPage { .. }) => {}
            other => prop_assert!(false, "{:?} ({:?} of {:?}) gave {:?}", bad, m, cb, other),
        }
    }

    #[test]
    fn callback_with_wildcard_or_fragment_is_refused_at_registration(
        cb in callback(),
        at in any::<Index>(),
        what in prop_oneof![Just("*"), Just("#"), Just("#frag"), Just("*.")],
    ) {
        let mut bad = cb.clone();
        // After the scheme's ':' so the string still parses as a URL.
        let min = cb.find(':').unwrap() + 1;
        let j = min + at.index(cb.len() - min + 1);
        bad.insert_str(j, what);
        prop_assert!(client_with("regular_web", &[&bad]).is_err(), "{:?} accepted", bad);
        prop_assert!(client_with("regular_web", &[&cb, &bad]).is_err(), "{:?} accepted", bad);
    }

    #[test]
    fn arbitrary_callback_registration_never_panics(raw in any_text(), cb in callback()) {
        for candidate in [raw.clone(), format!("{cb}{raw}"), format!("https://{raw}")] {
            if client_with("regular_web", &[&candidate]).is_ok() {
                // What registration accepts is an absolute URL, without a
                // fragment or a wildcard, in a scheme that does not run code.
                prop_assert!(!candidate.contains('*'), "{:?}", candidate);
                prop_assert!(!candidate.contains('#'), "{:?}", candidate);
                let u = url::Url::parse(&candidate).unwrap();
                prop_assert!(
                    !["javascript", "data", "vbscript", "file", "blob"].contains(&u.scheme()),
                    "{:?}",
                    candidate
                );
            }
        }
    }
}

// ---------------------------------------------------------------------------
// 4. Compact JWS (jose::sign / jose::verify)
// ---------------------------------------------------------------------------

/// One key per algorithm, made once.
static KEYS: LazyLock<Vec<SigningKey>> = LazyLock::new(|| {
    let kek = KeyEncryptionKey::from_bytes(&[9u8; 32]).unwrap();
    Alg::ALL
        .into_iter()
        .map(|alg| {
            let g = keys::generate(alg, &kek, "properties", 2026).unwrap();
            SigningKey::open_alg(
                &kek,
                &g.kid,
                alg,
                KeyState::Current,
                &g.sealed_private_key,
                &g.certificate_der,
            )
            .unwrap()
        })
        .collect()
});

fn our_key(kid: &str) -> Option<&'static SigningKey> {
    KEYS.iter().find(|k| k.kid == kid)
}

fn verify(token: &str) -> Result<Value, JwsError> {
    jose::verify(token, our_key)
}

fn key_index() -> impl Strategy<Value = usize> {
    0..Alg::ALL.len()
}

/// JSON claims without floats (which JSON does not round-trip exactly).
fn claims() -> impl Strategy<Value = Value> {
    let leaf = prop_oneof![
        Just(Value::Null),
        any::<bool>().prop_map(Value::from),
        any::<i64>().prop_map(Value::from),
        any::<u64>().prop_map(Value::from),
        any::<String>().prop_map(Value::from),
    ];
    let value = leaf.prop_recursive(2, 16, 4, |inner| {
        prop_oneof![
            prop::collection::vec(inner.clone(), 0..4).prop_map(Value::Array),
            prop::collection::btree_map(any::<String>(), inner, 0..4)
                .prop_map(|m| Value::Object(m.into_iter().collect())),
        ]
    });
    prop::collection::btree_map(any::<String>(), value, 0..6)
        .prop_map(|m: BTreeMap<String, Value>| Value::Object(m.into_iter().collect()))
}

fn b64(bytes: impl AsRef<[u8]>) -> String {
    URL_SAFE_NO_PAD.encode(bytes)
}

/// A token with `header` over `payload`, signed by `key`'s material whatever the
/// header says.
fn signed_with_header(key: &SigningKey, header: &Value, payload: &Value) -> String {
    let input = format!("{}.{}", b64(header.to_string()), b64(payload.to_string()));
    let sig = key.sign(input.as_bytes());
    format!("{input}.{}", b64(sig))
}

/// Header algorithms we never accept: `none`, HMAC, other families, case variants.
fn foreign_alg() -> impl Strategy<Value = String> {
    prop_oneof![
        prop::sample::select(
            &[
                "none", "None", "NONE", "HS256", "HS384", "HS512", "RS384", "RS512", "ES384",
                "ES512", "PS384", "Ed25519", "rs256", "es256", "eddsa", "", " RS256",
            ][..]
        )
        .prop_map(String::from),
        "[A-Za-z0-9]{0,8}".prop_filter("not one of ours", |a| Alg::parse(a).is_none()),
    ]
}

proptest! {
    #![proptest_config(crypto_config())]

    #[test]
    fn jws_signed_token_verifies_with_the_same_claims(k in key_index(), c in claims()) {
        let key = &KEYS[k];
        let token = jose::sign(key, &c);
        prop_assert_eq!(token.split('.').count(), 3);
        prop_assert_eq!(verify(&token), Ok(c));
    }

    #[test]
    fn jws_any_single_character_change_is_refused(
        k in key_index(),
        c in claims(),
        segment in 0usize..3,
        at in any::<Index>(),
        replacement in prop_oneof![
            3 => prop::char::range('\x20', '\x7e'),
            1 => any::<char>().prop_filter("no NUL", |c| *c != '\0'),
        ],
    ) {
        let key = &KEYS[k];
        let token = jose::sign(key, &c);
        // Pick a position inside the chosen segment, so short headers and
        // payloads are hit as often as long signatures.
        let starts: Vec<usize> = std::iter::once(0)
            .chain(token.match_indices('.').map(|(i, _)| i + 1))
            .collect();
        let ends: Vec<usize> = token
            .match_indices('.')
            .map(|(i, _)| i)
            .chain(std::iter::once(token.len()))
            .collect();
        let (start, end) = (starts[segment], ends[segment]);
        prop_assume!(end > start);
        let j = start + at.index(end - start);
        let old = token.as_bytes()[j] as char;
        prop_assume!(replacement != old);
        let mut forged = token.clone();
        forged.replace_range(j..=j, &replacement.to_string());
        let r = verify(&forged);
        prop_assert!(r.is_err(), "segment {} byte {} {:?} -> {:?} verified", segment, j, old, replacement);
    }

    #[test]
    fn jws_header_with_a_foreign_algorithm_is_refused(
        k in key_index(),
        alg in foreign_alg(),
        c in claims(),
        hmac_with_public_key in any::<bool>(),
    ) {
        let key = &KEYS[k];
        let header = json!({"alg": alg, "typ": "JWT", "kid": key.kid});
        let input = format!("{}.{}", b64(header.to_string()), b64(c.to_string()));
        // HS256 "signed" with the published key as the secret: the classic
        // algorithm-confusion forgery.
        let sig = if hmac_with_public_key {
            let secret = serde_json::to_vec(&key.jwk).unwrap();
            let h = aws_lc_rs::hmac::Key::new(aws_lc_rs::hmac::HMAC_SHA256, &secret);
            aws_lc_rs::hmac::sign(&h, input.as_bytes()).as_ref().to_vec()
        } else {
            key.sign(input.as_bytes())
        };
        for token in [format!("{input}.{}", b64(&sig)), format!("{input}.")] {
            prop_assert_eq!(verify(&token), Err(JwsError::UnsupportedAlgorithm), "alg {:?}", alg);
        }
    }

    #[test]
    fn jws_header_naming_another_of_our_algorithms_is_refused(
        k in key_index(),
        other in key_index(),
        c in claims(),
    ) {
        prop_assume!(k != other);
        let key = &KEYS[k];
        // Our kid, with the algorithm of another of our keys, genuinely signed
        // by the kid's key: the algorithm is the key's, not the header's.
        let header = json!({"alg": KEYS[other].alg.as_str(), "typ": "JWT", "kid": key.kid});
        let token = signed_with_header(key, &header, &c);
        prop_assert_eq!(verify(&token), Err(JwsError::UnsupportedAlgorithm));
    }

    #[test]
    fn jws_kid_we_do_not_have_is_refused(
        k in key_index(),
        kid in prop::option::of(any_text()),
        extra in prop::sample::select(&["", "jwk", "jku", "x5u"][..]),
        c in claims(),
    ) {
        let key = &KEYS[k];
        if let Some(kid) = &kid {
            prop_assume!(our_key(kid).is_none());
        }
        // Genuinely signed by our key, but naming (or embedding) another.
        let mut header = json!({"alg": key.alg.as_str(), "typ": "JWT"});
        if let Some(kid) = &kid {
            header["kid"] = json!(kid);
        }
        if !extra.is_empty() {
            header[extra] = if extra == "jwk" { json!(key.jwk) } else { json!("https://evil.example/jwks") };
        }
        let token = signed_with_header(key, &header, &c);
        prop_assert_eq!(verify(&token), Err(JwsError::UnknownKey));
    }

    #[test]
    fn jws_crit_header_is_refused(k in key_index(), crit in any_text(), c in claims()) {
        let key = &KEYS[k];
        let header = json!({"alg": key.alg.as_str(), "kid": key.kid, "crit": [crit]});
        let token = signed_with_header(key, &header, &c);
        prop_assert_eq!(verify(&token), Err(JwsError::UnsupportedAlgorithm));
    }
}

proptest! {
    #![proptest_config(config())]

    #[test]
    fn jws_arbitrary_strings_are_refused(s in any_text(), t in "[A-Za-z0-9_.=+/-]{0,64}") {
        prop_assert!(verify(&s).is_err());
        prop_assert!(verify(&t).is_err());
    }

    #[test]
    fn jws_three_arbitrary_base64_segments_are_refused(
        h in prop::collection::vec(any::<u8>(), 0..64),
        p in prop::collection::vec(any::<u8>(), 0..64),
        s in prop::collection::vec(any::<u8>(), 0..300),
    ) {
        let token = format!("{}.{}.{}", b64(&h), b64(&p), b64(&s));
        prop_assert!(verify(&token).is_err());
        let token = format!("{}.{}.{}", STANDARD.encode(&h), STANDARD.encode(&p), STANDARD.encode(&s));
        prop_assert!(verify(&token).is_err());
    }

    #[test]
    fn jws_our_header_with_arbitrary_signature_is_a_bad_signature(
        k in key_index(),
        p in prop::collection::vec(any::<u8>(), 0..64),
        s in prop::collection::vec(any::<u8>(), 0..300),
    ) {
        // The signature is checked before the payload is even decoded.
        let key = &KEYS[k];
        let token = format!("{}.{}.{}", key.header_b64, b64(&p), b64(&s));
        prop_assert_eq!(verify(&token), Err(JwsError::BadSignature));
    }
}

// ---------------------------------------------------------------------------
// 5. Authorization requests
// ---------------------------------------------------------------------------

/// The parameters `validate` reads, with the value of a request it accepts.
const AUTHORIZE_PARAMS: &[(&str, Option<&str>)] = &[
    ("client_id", Some("cid")),
    ("response_type", Some("code")),
    ("response_mode", None),
    ("scope", Some("openid profile")),
    ("state", Some("xyz")),
    ("nonce", Some("n-0S6_WzA2Mj")),
    ("code_challenge", Some(CHALLENGE)),
    ("code_challenge_method", Some("S256")),
    ("prompt", None),
    ("max_age", None),
    ("audience", None),
    ("login_hint", None),
    ("screen_hint", None),
    ("ui_locales", None),
];

/// A change to one parameter of the accepted request.
#[derive(Debug, Clone)]
enum Edit {
    Drop,
    Set(String),
}

/// Values that reach each branch of the validation, and anything at all.
fn authorize_value() -> impl Strategy<Value = String> {
    prop_oneof![
        2 => prop::sample::select(
            &[
                "", "cid", "code", "token", "id_token", "code id_token", "id_token token",
                "code token id_token", "code code", "query", "fragment", "form_post",
                "web_message", "openid", "openid profile", "profile", "S256", "plain", "none",
                "login", "consent", "none login", "select_account", "0", "-1", "3600",
                "99999999999999999999", CHALLENGE,
            ][..]
        )
        .prop_map(String::from),
        1 => any_text(),
    ]
}

fn edit() -> impl Strategy<Value = Edit> {
    prop_oneof![
        2 => Just(Edit::Drop),
        6 => authorize_value().prop_map(Edit::Set),
        1 => "[a-z]{2000,2100}".prop_map(Edit::Set),
    ]
}

#[derive(Debug, Clone)]
enum RedirectChoice {
    Registered,
    Mutated(Mutation),
    Arbitrary(String),
    Absent,
}

fn redirect_choice() -> impl Strategy<Value = RedirectChoice> {
    prop_oneof![
        5 => Just(RedirectChoice::Registered),
        2 => mutation().prop_map(RedirectChoice::Mutated),
        1 => any_text().prop_map(RedirectChoice::Arbitrary),
        1 => Just(RedirectChoice::Absent),
    ]
}

proptest! {
    #![proptest_config(config())]

    #[test]
    fn authorize_never_redirects_to_an_unregistered_uri(
        cb in callback(),
        app_type in prop::sample::select(&["spa", "regular_web", "native"][..]),
        web_origin in any::<bool>(),
        known_client in prop::bool::weighted(0.9),
        redirect in redirect_choice(),
        edits in prop::collection::vec((any::<Index>(), edit()), 0..4),
        extra in prop::collection::vec((any_text(), any_text()), 0..4),
    ) {
        let mut c = client(app_type, &cb);
        if let Some(o) = authorize::origin_of(&cb).filter(|_| web_origin) {
            c.web_origins = vec![o];
        }
        let mut values: Vec<Option<String>> =
            AUTHORIZE_PARAMS.iter().map(|(_, v)| v.map(String::from)).collect();
        for (i, e) in edits {
            let j = i.index(values.len());
            values[j] = match e {
                Edit::Drop => None,
                Edit::Set(v) => Some(v),
            };
        }
        let mut list: Vec<(String, String)> = AUTHORIZE_PARAMS
            .iter()
            .zip(values)
            .filter_map(|((k, _), v)| v.map(|v| (k.to_string(), v)))
            .collect();
        match &redirect {
            RedirectChoice::Registered => list.push(("redirect_uri".into(), cb.clone())),
            RedirectChoice::Mutated(m) => list.push(("redirect_uri".into(), mutate(&cb, m))),
            RedirectChoice::Arbitrary(s) => list.push(("redirect_uri".into(), s.clone())),
            RedirectChoice::Absent => {}
        }
        for (k, v) in extra {
            if !list.iter().any(|(n, _)| *n == k) {
                list.push((k, v));
            }
        }
        let params = Params::from_pairs(list).unwrap();
        let trusted = known_client
            && params.get("client_id").is_some()
            && params.get("redirect_uri") == Some(cb.as_str());
        match authorize::validate(&params, known_client.then_some(&c)) {
            // Always allowed: an error shown to the person.
            Err(AuthorizeFailure::ShowErrorPage { .. }) => {}
            Err(AuthorizeFailure::Redirect(e)) => {
                prop_assert!(trusted, "redirected to {:?}", e.redirect_uri);
                prop_assert_eq!(&e.redirect_uri, &cb);
                prop_assert_eq!(e.state.as_deref(), params.get("state"));
            }
            Ok(r) => {
                prop_assert!(trusted);
                prop_assert_eq!(&r.redirect_uri, &cb);
                prop_assert_eq!(&r.client_id, &c.client_id);
                prop_assert_eq!(r.state.as_deref(), params.get("state"));
                prop_assert_eq!(
                    Some(r.response_type),
                    params.get("response_type").and_then(ResponseType::parse)
                );
                prop_assert!(r.scope.iter().all(|s| scope::is_valid_token(s)));
                if r.response_type.id_token {
                    prop_assert!(r.nonce.is_some() && r.wants_openid());
                }
                if r.response_mode == ResponseMode::Query {
                    prop_assert!(r.response_type.is_code_only());
                }
                if let Some(ch) = &r.code_challenge {
                    prop_assert_eq!(params.get("code_challenge_method"), Some("S256"));
                    prop_assert!((43..=128).contains(&ch.len()));
                    prop_assert!(ch.bytes().all(|b| b.is_ascii_alphanumeric() || b"-._~".contains(&b)));
                } else {
                    prop_assert_ne!(params.get("code_challenge_method"), Some("plain"));
                }
                if r.response_type.code && !c.is_confidential() {
                    prop_assert!(r.code_challenge.is_some(), "public client without PKCE");
                }
                prop_assert!(r.max_age.is_none_or(|m| m >= 0));
                prop_assert!(!(r.prompt.none && (r.prompt.login || r.prompt.consent)));
            }
        }
    }
}

// ---------------------------------------------------------------------------
// Token requests, client authentication and PKCE
// ---------------------------------------------------------------------------

const TOKEN_PARAMS: &[&str] = &[
    "scope",
    "audience",
    "username",
    "password",
    "realm",
    "refresh_token",
    "code",
    "redirect_uri",
    "code_verifier",
    "subject_token",
    "subject_token_type",
];

fn grant_type() -> impl Strategy<Value = Option<String>> {
    prop::option::of(prop_oneof![
        3 => prop::sample::select(
            &[
                "client_credentials",
                "password",
                token_request::PASSWORD_REALM,
                token_request::TOKEN_EXCHANGE,
                "refresh_token",
                "authorization_code",
            ][..]
        )
        .prop_map(String::from),
        1 => any_text(),
        1 => "[a-zé]{90,120}",
    ])
}

/// application/x-www-form-urlencoded, as RFC 6749 §2.3.1 asks of Basic credentials.
fn form_encode(s: &str, plus_for_space: bool) -> String {
    let mut out = String::new();
    for b in s.bytes() {
        match b {
            b' ' if plus_for_space => out.push('+'),
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'.' | b'_' | b'*' => {
                out.push(b as char)
            }
            _ => out.push_str(&format!("%{b:02X}")),
        }
    }
    out
}

proptest! {
    #![proptest_config(config())]

    #[test]
    fn token_request_parse_is_total_and_typed(
        gt in grant_type(),
        values in prop::collection::vec(prop::option::weighted(0.8, prop_oneof![
            Just("read:clients openid".to_string()),
            any_text(),
        ]), TOKEN_PARAMS.len()),
    ) {
        let mut list: Vec<(String, String)> = TOKEN_PARAMS
            .iter()
            .zip(values)
            .filter_map(|(k, v)| v.map(|v| (k.to_string(), v)))
            .collect();
        if let Some(g) = &gt {
            list.push(("grant_type".into(), g.clone()));
        }
        let params = Params::from_pairs(list).unwrap();
        let r = token_request::parse(&params);
        let scope_values = scope::parse(params.get("scope").unwrap_or_default());
        let scopes_valid = scope_values.iter().all(|s| scope::is_valid_token(s));
        match params.get("grant_type") {
            None => prop_assert_eq!(r.unwrap_err().code, TokenErrorCode::InvalidRequest),
            Some("client_credentials") => {
                if scopes_valid {
                    prop_assert_eq!(r, Ok(TokenRequest::ClientCredentials {
                        audience: params.get("audience").map(String::from),
                        scope: (!scope_values.is_empty()).then_some(scope_values),
                        organization: params.get("organization").map(String::from),
                    }));
                } else {
                    prop_assert_eq!(r.unwrap_err().code, TokenErrorCode::InvalidScope);
                }
            }
            Some(g @ ("password" | token_request::PASSWORD_REALM)) => {
                let complete = params.get("username").is_some()
                    && params.get("password").is_some()
                    && (g == "password" || params.get("realm").is_some());
                match r {
                    Ok(TokenRequest::Password { username, password, scope, .. }) => {
                        prop_assert!(complete && scopes_valid);
                        prop_assert_eq!(Some(username.as_str()), params.get("username"));
                        prop_assert_eq!(Some(password.expose()), params.get("password"));
                        prop_assert_eq!(scope, scope_values);
                    }
                    Ok(other) => prop_assert!(false, "{:?}", other),
                    Err(e) if !complete => prop_assert_eq!(e.code, TokenErrorCode::InvalidRequest),
                    Err(e) => {
                        prop_assert!(!scopes_valid);
                        prop_assert_eq!(e.code, TokenErrorCode::InvalidScope);
                    }
                }
            }
            Some("refresh_token") => match params.get("refresh_token") {
                None => prop_assert_eq!(r.unwrap_err().code, TokenErrorCode::InvalidRequest),
                Some(t) => match r {
                    Ok(TokenRequest::RefreshToken { refresh_token, .. }) => {
                        prop_assert_eq!(refresh_token.expose(), t)
                    }
                    other => prop_assert!(false, "{:?}", other),
                },
            },
            Some("authorization_code") => match params.get("code") {
                None => prop_assert_eq!(r.unwrap_err().code, TokenErrorCode::InvalidRequest),
                Some(code) => match r {
                    Ok(TokenRequest::AuthorizationCode(req)) => {
                        prop_assert_eq!(req.code.as_str(), code);
                        prop_assert_eq!(req.redirect_uri.as_deref(), params.get("redirect_uri"));
                        prop_assert_eq!(req.code_verifier.as_deref(), params.get("code_verifier"));
                    }
                    other => prop_assert!(false, "{:?}", other),
                },
            },
            Some(token_request::TOKEN_EXCHANGE) => {
                // subject_token_type is never the access-token URN here.
                prop_assert_eq!(r.unwrap_err().code, TokenErrorCode::InvalidRequest);
            }
            Some(other) => {
                let e = r.unwrap_err();
                prop_assert_eq!(e.code, TokenErrorCode::UnsupportedGrantType);
                // The echoed grant type is cut at 100 characters.
                let echoed = e.description.strip_prefix("Unsupported grant type: ").unwrap();
                prop_assert!(echoed.chars().count() <= 100);
                prop_assert!(other.starts_with(echoed));
            }
        }
    }

    #[test]
    fn basic_credentials_round_trip(
        id in any::<String>().prop_filter("non-empty", |s| !s.is_empty()),
        secret in any::<String>(),
        scheme in prop::sample::select(&["Basic", "basic", "BASIC", "bAsIc"][..]),
        plus_for_space in any::<bool>(),
        body_id in any::<bool>(),
    ) {
        let encoded = STANDARD.encode(format!(
            "{}:{}",
            form_encode(&id, plus_for_space),
            form_encode(&secret, plus_for_space)
        ));
        let header = format!("{scheme} {encoded}");
        let body = if body_id { pairs(&[("client_id", &id)]) } else { pairs(&[]) };
        let creds = client_auth::extract(Some(&header), &body).unwrap();
        prop_assert_eq!(&creds.client_id, &id);
        prop_assert_eq!(creds.secret.as_ref().map(|s| s.expose()), Some(secret.as_str()));
        prop_assert_eq!(creds.method, AuthMethodUsed::Basic);
        // RFC 6749 §2.3: one method only.
        let e = client_auth::extract(Some(&header), &pairs(&[("client_secret", "s")])).unwrap_err();
        prop_assert_eq!(e.code, TokenErrorCode::InvalidRequest);
        let other = format!("{id}x");
        let e = client_auth::extract(Some(&header), &pairs(&[("client_id", &other)])).unwrap_err();
        prop_assert_eq!(e.code, TokenErrorCode::InvalidRequest);
    }

    #[test]
    fn client_auth_extract_of_anything_is_consistent(
        header in prop::option::of(prop_oneof![
            any_text(),
            any_text().prop_map(|s| format!("Basic {s}")),
            any::<Vec<u8>>().prop_map(|b| format!("Basic {}", STANDARD.encode(b))),
            (any_text(), any_text()).prop_map(|(a, b)| format!("Basic {}", STANDARD.encode(format!("{a}:{b}")))),
        ]),
        client_id in prop::option::of(any_text()),
        client_secret in prop::option::of(any_text()),
    ) {
        let mut list = Vec::new();
        if let Some(v) = &client_id {
            list.push(("client_id".to_string(), v.clone()));
        }
        if let Some(v) = &client_secret {
            list.push(("client_secret".to_string(), v.clone()));
        }
        let params = Params::from_pairs(list).unwrap();
        match client_auth::extract(header.as_deref(), &params) {
            Ok(c) => {
                prop_assert!(!c.client_id.is_empty());
                match c.method {
                    AuthMethodUsed::Basic => {
                        let h = header.as_deref().unwrap();
                        prop_assert!(h.get(..6).is_some_and(|s| s.eq_ignore_ascii_case("basic ")));
                        prop_assert!(params.get("client_secret").is_none());
                        prop_assert!(c.secret.is_some());
                    }
                    AuthMethodUsed::Post => {
                        prop_assert_eq!(Some(c.client_id.as_str()), params.get("client_id"));
                        prop_assert_eq!(c.secret.as_ref().map(|s| s.expose()), params.get("client_secret"));
                    }
                    AuthMethodUsed::None => {
                        prop_assert_eq!(Some(c.client_id.as_str()), params.get("client_id"));
                        prop_assert!(c.secret.is_none() && params.get("client_secret").is_none());
                    }
                }
            }
            Err(e) => prop_assert!(matches!(
                e.code,
                TokenErrorCode::InvalidClient | TokenErrorCode::InvalidRequest
            )),
        }
    }

    #[test]
    fn pkce_s256_accepts_only_its_own_valid_verifier(
        v in "[A-Za-z0-9._~-]{43,128}",
        other in "[A-Za-z0-9._~-]{43,128}",
        short in "[A-Za-z0-9._~-]{0,42}",
        long in "[A-Za-z0-9._~-]{129,160}",
        bad in forbidden_scope_char(),
        at in any::<Index>(),
    ) {
        let challenge = |v: &str| b64(aws_lc_rs::digest::digest(&aws_lc_rs::digest::SHA256, v.as_bytes()));
        prop_assert!(pkce::verify_s256(&v, &challenge(&v)));
        if other != v {
            prop_assert!(!pkce::verify_s256(&other, &challenge(&v)));
        }
        // Any other challenge fails: one character changed, cut short, or none.
        let right = challenge(&v);
        let j = at.index(right.len());
        let mut wrong = right.clone();
        let swap = if &right[j..=j] == "A" { "B" } else { "A" };
        wrong.replace_range(j..=j, swap);
        prop_assert!(!pkce::verify_s256(&v, &wrong));
        prop_assert!(!pkce::verify_s256(&v, &right[..right.len() - 1]));
        prop_assert!(!pkce::verify_s256(&v, ""));
        // Out-of-grammar verifiers fail even against their own hash.
        let mut with_bad: Vec<char> = v.chars().collect();
        let k = at.index(with_bad.len());
        with_bad[k] = bad;
        let with_bad: String = with_bad.into_iter().collect();
        for invalid in [short, long, with_bad] {
            prop_assert!(!pkce::valid_verifier(&invalid));
            prop_assert!(!pkce::verify_s256(&invalid, &challenge(&invalid)));
        }
    }
}

/// RFC 6749 §2.3.1 and the WHATWG urlencoded parser: `%` must be followed by
/// two hex digits. (Found by this property: the decoder once parsed the two
/// characters with `u8::from_str_radix` alone, which also accepts a leading `+`,
/// so `%+1` decoded to byte 0x01.)
#[test]
fn basic_credentials_refuse_malformed_percent_escapes() {
    proptest!(config(), |(
        prefix in "[a-z]{1,5}",
        escape in "%(\\+[0-9a-fA-F]|[0-9a-fA-F][^0-9a-fA-F]|[^0-9a-fA-F]{2})",
    )| {
        let header = format!("Basic {}", STANDARD.encode(format!("{prefix}{escape}:secret")));
        match client_auth::extract(Some(&header), &pairs(&[])) {
            Err(e) => prop_assert_eq!(e.code, TokenErrorCode::InvalidClient),
            Ok(c) => prop_assert!(false, "{:?} decoded as {:?}", escape, c.client_id),
        }
    });
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 256, failure_persistence: None, ..ProptestConfig::default() })]

    /// A NUL in any name or value is refused, naming the parameter: no OAuth
    /// parameter has one, and PostgreSQL cannot store it.
    #[test]
    fn params_with_nul_are_refused(
        names in prop::collection::btree_set("[a-z_]{1,10}", 1..20),
        at in any::<prop::sample::Index>(),
        in_name in any::<bool>(),
        before in "[a-z0-9]{0,6}",
    ) {
        let mut v: Vec<(String, String)> = names.iter().map(|n| (n.clone(), "x".to_string())).collect();
        let i = at.index(v.len());
        if in_name {
            v[i].0 = format!("{before}\0");
        } else {
            v[i].1 = format!("{before}\0");
        }
        let bad = v[i].0.clone();
        prop_assert_eq!(Params::from_pairs(v), Err(ParamsError::Nul(bad)));
    }
}
