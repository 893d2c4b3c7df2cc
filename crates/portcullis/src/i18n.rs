//! The hosted pages' languages: Fluent catalogues (`http/pages/i18n/*.ftl`,
//! compiled in), the language of a request (`negotiate`: `ui_locales` from
//! `/authorize`, then the browser's `Accept-Language`, then English), and the
//! language of the page being rendered (`LANG`, a task-local set for each
//! browser request, read by the templates' `t()`).
//!
//! Message ids are Auth0's screen and text key, `<screen>__<key>`, so a
//! tenant's custom text (`/api/v2/prompts/{prompt}/custom-text/{language}`)
//! names the same texts. Invariant (tested): every id of the English
//! catalogue is in every other one, and no other.

use std::sync::LazyLock;

use fluent_bundle::concurrent::FluentBundle;
use fluent_bundle::{FluentArgs, FluentResource};

/// The shipped languages, English first (the fallback).
pub const LANGUAGES: [&str; 6] = ["en", "de", "fr", "es", "pt", "ja"];

const SOURCES: [(&str, &str); 6] = [
    ("en", include_str!("http/pages/i18n/en.ftl")),
    ("de", include_str!("http/pages/i18n/de.ftl")),
    ("fr", include_str!("http/pages/i18n/fr.ftl")),
    ("es", include_str!("http/pages/i18n/es.ftl")),
    ("pt", include_str!("http/pages/i18n/pt.ftl")),
    ("ja", include_str!("http/pages/i18n/ja.ftl")),
];

/// Auth0's prompts and the screens (catalogue prefixes) each one's custom
/// text holds.
pub const PROMPTS: &[(&str, &[&str])] = &[
    ("common", &["common"]),
    ("login", &["login"]),
    ("login-id", &["login-id"]),
    ("login-password", &["login-password"]),
    ("signup", &["signup"]),
    ("consent", &["consent"]),
    (
        "reset-password",
        &[
            "reset-password-request",
            "reset-password-email",
            "reset-password",
            "reset-password-success",
            "reset-password-error",
        ],
    ),
    (
        "device-flow",
        &[
            "device-code-activation",
            "device-code-activation-allowed",
            "device-code-activation-denied",
            "device-code-confirmation",
        ],
    ),
    ("email-verification", &["email-verification-result"]),
    ("logout", &["logout-complete"]),
    // `mfa` (beyond Auth0's screens): what every MFA page says.
    (
        "mfa",
        &["mfa", "mfa-begin-enroll-options", "mfa-login-options"],
    ),
    ("mfa-otp", &["mfa-otp-enrollment-qr", "mfa-otp-challenge"]),
    ("mfa-email", &["mfa-email-challenge"]),
    (
        "mfa-webauthn",
        &[
            "mfa-webauthn",
            "mfa-webauthn-platform-enrollment",
            "mfa-webauthn-platform-challenge",
            "mfa-webauthn-roaming-enrollment",
            "mfa-webauthn-roaming-challenge",
        ],
    ),
    (
        "mfa-recovery-code",
        &[
            "mfa-recovery-code-enrollment",
            "mfa-recovery-code-challenge",
        ],
    ),
    (
        "organizations",
        &["organization-picker", "organization-selection"],
    ),
    ("passkeys", &["passkey-enrollment"]),
    (
        "passwordless",
        &[
            "passwordless-start",
            "passwordless-code",
            "passwordless-link",
        ],
    ),
    // Beyond Auth0: the blocked-account mail's page.
    ("unblock", &["unblock"]),
    // Beyond Auth0: the pages that end a flow that cannot go on.
    ("error-page", &["error-page"]),
];

struct Catalog {
    lang: &'static str,
    bundle: FluentBundle<FluentResource>,
    ids: Vec<String>,
}

static CATALOGS: LazyLock<Vec<Catalog>> = LazyLock::new(|| {
    SOURCES
        .iter()
        .map(|(lang, source)| {
            let resource = FluentResource::try_new(source.to_string()).unwrap_or_else(|(r, _)| {
                tracing::error!(lang, "a shipped catalogue has syntax errors");
                r
            });
            let ids = resource
                .entries()
                .filter_map(|e| match e {
                    fluent_syntax::ast::Entry::Message(m) => Some(m.id.name.to_string()),
                    _ => None,
                })
                .collect();
            let locale = lang.parse().unwrap_or_default();
            let mut bundle = FluentBundle::new_concurrent(vec![locale]);
            // Plain text: no Unicode isolation marks around values.
            bundle.set_use_isolating(false);
            let _ = bundle.add_resource(resource);
            Catalog { lang, bundle, ids }
        })
        .collect()
});

tokio::task_local! {
    /// The language of the page this request renders: set from the request
    /// by the browser routes' layer, then from the login's own `ui_locales`
    /// once its parked request is loaded (`use_login_language`).
    pub static LANG: std::cell::Cell<&'static str>;
}

/// The language of the request being handled (English outside one).
pub fn current() -> &'static str {
    LANG.try_with(std::cell::Cell::get).unwrap_or("en")
}

/// The login's `ui_locales` (OIDC Core §3.1.2.1), when it names a shipped
/// language, becomes this request's page language.
pub fn use_login_language(ui_locales: Option<&str>) {
    if let Some(l) = first_of(ui_locales) {
        let _ = LANG.try_with(|c| c.set(l));
    }
}

/// The first shipped language of a `ui_locales` value (space-separated, in
/// the application's order of preference).
fn first_of(ui_locales: Option<&str>) -> Option<&'static str> {
    ui_locales
        .into_iter()
        .flat_map(str::split_whitespace)
        .find_map(supported)
}

/// A shipped language for a language tag (`pt-BR` → `pt`), if any.
pub fn supported(tag: &str) -> Option<&'static str> {
    let primary = tag.trim().split(['-', '_']).next()?.to_ascii_lowercase();
    LANGUAGES.iter().copied().find(|l| *l == primary)
}

/// The page language: the first supported of `ui_locales` (space-separated,
/// in the application's order of preference, OIDC Core §3.1.2.1), else of
/// `Accept-Language` by its `q` weights (RFC 9110 §12.5.4), else English.
pub fn negotiate(ui_locales: Option<&str>, accept_language: Option<&str>) -> &'static str {
    if let Some(l) = first_of(ui_locales) {
        return l;
    }
    let mut weighted: Vec<(f32, usize, &'static str)> = accept_language
        .into_iter()
        .flat_map(|h| h.split(','))
        .enumerate()
        .filter_map(|(i, part)| {
            let mut it = part.split(';');
            let lang = supported(it.next()?)?;
            let q = it
                .find_map(|p| p.trim().strip_prefix("q="))
                .and_then(|q| q.parse::<f32>().ok())
                .unwrap_or(1.0);
            (q > 0.0).then_some((q, i, lang))
        })
        .collect();
    weighted.sort_by(|a, b| b.0.total_cmp(&a.0).then(a.1.cmp(&b.1)));
    weighted.first().map_or("en", |w| w.2)
}

fn catalog(lang: &str) -> Option<&'static Catalog> {
    CATALOGS.iter().find(|c| c.lang == lang)
}

/// The text `id` in `lang` (English when that language lacks it), with
/// `args` put in; `None` for an id no catalogue has.
pub fn text(lang: &str, id: &str, args: &[(&str, String)]) -> Option<String> {
    let mut fluent_args = FluentArgs::new();
    for (k, v) in args {
        // Small counts are numbers, so plural selectors work (`{ $length ->
        // [one] … }`); anything else (a phone number's `+`, leading zeros)
        // stays text as given.
        let count = v.len() <= 6
            && v.bytes().all(|b| b.is_ascii_digit())
            && !(v.len() > 1 && v.starts_with('0'));
        match v.parse::<u32>() {
            Ok(n) if count => fluent_args.set(*k, n),
            _ => fluent_args.set(*k, v.clone()),
        }
    }
    [lang, "en"].iter().find_map(|l| {
        let c = catalog(l)?;
        let pattern = c.bundle.get_message(id)?.value()?;
        let mut errors = Vec::new();
        Some(
            c.bundle
                .format_pattern(pattern, Some(&fluent_args), &mut errors)
                .into_owned(),
        )
    })
}

/// Every message id of `lang`'s catalogue.
pub fn ids(lang: &str) -> &'static [String] {
    catalog(lang).map_or(&[], |c| c.ids.as_slice())
}

/// Whether `key` is a text of `screen` (`<screen>__<key>` in English).
pub fn is_key(screen: &str, key: &str) -> bool {
    let id = format!("{screen}__{key}");
    ids("en").contains(&id)
}

/// A tenant's custom text with Auth0's `${name}` variables put in (the
/// values are escaped by the page like every other text).
pub fn fill(custom: &str, args: &[(&str, String)]) -> String {
    let mut out = custom.to_string();
    for (k, v) in args {
        out = out.replace(&format!("${{{k}}}"), v);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_key_is_in_every_language_and_no_other() {
        let en: std::collections::BTreeSet<&String> = ids("en").iter().collect();
        assert!(en.len() > 50, "{}", en.len());
        for lang in LANGUAGES {
            let ids: std::collections::BTreeSet<&String> = ids(lang).iter().collect();
            let missing: Vec<_> = en.difference(&ids).collect();
            let extra: Vec<_> = ids.difference(&en).collect();
            assert!(missing.is_empty(), "{lang} lacks {missing:?}");
            assert!(extra.is_empty(), "{lang} has unknown {extra:?}");
            // Every text formats, its variables those of the English text.
            for id in &en {
                let t = text(
                    lang,
                    id,
                    &[
                        ("clientName", "Shop".into()),
                        ("connectionName", "Google".into()),
                        ("userName", "Ada".into()),
                        ("api", "API".into()),
                        ("email", "ada@example.com".into()),
                        ("recipient", "ada@example.com".into()),
                        ("length", "8".into()),
                        ("min", "1".into()),
                        ("max", "15".into()),
                        ("days", "30".into()),
                    ],
                )
                .unwrap();
                assert!(!t.is_empty() && !t.contains('{'), "{lang} {id}: {t}");
            }
        }
        // Each prompt's screens exist.
        for (_, screens) in PROMPTS {
            for s in *screens {
                assert!(en.iter().any(|i| i.starts_with(&format!("{s}__"))), "{s}");
            }
        }
    }

    /// Every text id the code and the templates name (a `"<screen>__<key>"`
    /// literal) is in the catalogue: a missing one would show its id.
    #[test]
    fn every_text_id_named_in_code_or_templates_is_in_the_catalogue() {
        let en: std::collections::BTreeSet<&str> = ids("en").iter().map(String::as_str).collect();
        let mut files = Vec::new();
        let mut dirs = vec![std::path::PathBuf::from(concat!(
            env!("CARGO_MANIFEST_DIR"),
            "/src"
        ))];
        while let Some(dir) = dirs.pop() {
            for entry in std::fs::read_dir(&dir).unwrap() {
                let path = entry.unwrap().path();
                if path.is_dir() {
                    dirs.push(path);
                } else if path.extension().is_some_and(|e| e == "rs" || e == "html") {
                    files.push(path);
                }
            }
        }
        let screens: Vec<&str> = en
            .iter()
            .filter_map(|i| i.split_once("__"))
            .map(|p| p.0)
            .collect();
        let mut named = 0;
        let mut missing = Vec::new();
        for path in &files {
            let text = std::fs::read_to_string(path).unwrap();
            for quote in ['"', '\''] {
                for piece in text.split(quote).skip(1).step_by(2) {
                    let Some((screen, key)) = piece.split_once("__") else {
                        continue;
                    };
                    let is_id = screens.contains(&screen)
                        && !key.is_empty()
                        && key.chars().all(|c| c.is_ascii_alphanumeric() || c == '-');
                    if is_id {
                        named += 1;
                        if !en.contains(piece) {
                            missing.push(format!("{}: {piece}", path.display()));
                        }
                    }
                }
            }
        }
        assert!(named > 200, "{named}");
        assert!(missing.is_empty(), "{missing:#?}");
    }

    #[test]
    fn languages_come_from_ui_locales_then_accept_language() {
        assert_eq!(negotiate(Some("ja fr"), Some("de")), "ja");
        assert_eq!(negotiate(Some("zz pt-BR"), None), "pt");
        assert_eq!(negotiate(None, Some("zz, fr;q=0.5, es-MX;q=0.8")), "es");
        assert_eq!(negotiate(None, Some("de;q=0, fr")), "fr");
        assert_eq!(negotiate(Some("xx"), Some("yy")), "en");
        assert_eq!(
            text("de", "login__description", &[("clientName", "Shop".into())]).unwrap(),
            "Melden Sie sich an, um mit Shop fortzufahren."
        );
        assert_eq!(
            fill("Hi ${clientName}!", &[("clientName", "Shop".into())]),
            "Hi Shop!"
        );
        // Counts choose the plural form.
        let hint = |n: &str| text("en", "common__passwordHintLow", &[("length", n.into())]);
        assert_eq!(hint("1").unwrap(), "At least 1 character.");
        assert_eq!(hint("6").unwrap(), "At least 6 characters.");
        let fair = |n: &str| text("fr", "common__passwordHintFair", &[("length", n.into())]);
        assert!(fair("1").unwrap().starts_with("Au moins 1 caractère,"));
        assert!(fair("8").unwrap().starts_with("Au moins 8 caractères,"));
        assert_eq!(
            text("en", "mfa__rememberBrowserText", &[("days", "1".into())]).unwrap(),
            "Remember this browser for 1 day"
        );
    }
}
