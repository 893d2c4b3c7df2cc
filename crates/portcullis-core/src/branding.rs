//! The tenant's look (Auth0's `/api/v2/branding`) and its Universal Login
//! page template (`/api/v2/branding/templates/universal-login`), decided
//! without I/O.
//!
//! Invariants: colours are `#rgb`/`#rrggbb` (a gradient's too) and reach a
//! stylesheet only after that check; images and the font are https URLs;
//! labels on a tenant colour are black or white, whichever has the better
//! contrast (`text_on`), so no choice of colour makes a button unreadable
//! (WCAG 1.4.3). A page template holds `{%- auth0:head -%}` and
//! `{%- auth0:widget -%}` once each and no `<script>` (the hosted pages'
//! CSP runs only Portcullis's own script, so a template's would never run:
//! refused when saved rather than silently dead).

use serde::{Deserialize, Serialize};
use serde_json::Value;

use crate::validation::{self, Validated, ValidationError};

/// Auth0's limit on a page template.
pub const MAX_TEMPLATE_BYTES: usize = 102_400;

/// The tenant's branding, in Auth0's shape.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Branding {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub colors: Option<Colors>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub logo_url: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub favicon_url: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub font: Option<Font>,
}

#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Colors {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub primary: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub page_background: Option<Background>,
}

/// `colors.page_background`: a colour, or Auth0's gradient object.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, schemars::JsonSchema)]
#[serde(untagged)]
pub enum Background {
    Colour(String),
    Gradient(Gradient),
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Gradient {
    #[serde(rename = "type")]
    pub kind: String,
    pub start: String,
    pub end: String,
    pub angle_deg: i64,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Font {
    /// A font file (Auth0: "must point to a font file and not a stylesheet").
    pub url: String,
}

/// `#rgb` or `#rrggbb`.
pub fn valid_colour(c: &str) -> bool {
    let hex = c.strip_prefix('#').unwrap_or("");
    matches!(hex.len(), 3 | 6) && hex.bytes().all(|b| b.is_ascii_hexdigit())
}

/// `#rgb` as `#rrggbb` (lowercase); call only on a [`valid_colour`].
pub fn long_hex(c: &str) -> String {
    let h = c.trim_start_matches('#').to_ascii_lowercase();
    if h.len() == 3 {
        h.chars().fold(String::from("#"), |mut out, ch| {
            out.push(ch);
            out.push(ch);
            out
        })
    } else {
        format!("#{h}")
    }
}

/// WCAG 2.x relative luminance of `#rrggbb`.
fn luminance(hex: &str) -> f64 {
    let h = hex.trim_start_matches('#');
    let channel = |i: usize| {
        let v =
            f64::from(u8::from_str_radix(h.get(i..i + 2).unwrap_or("00"), 16).unwrap_or(0)) / 255.0;
        if v <= 0.039_28 {
            v / 12.92
        } else {
            ((v + 0.055) / 1.055).powf(2.4)
        }
    };
    0.2126 * channel(0) + 0.7152 * channel(2) + 0.0722 * channel(4)
}

/// WCAG contrast ratio of black and of white text on `bg` (`#rrggbb`).
fn contrasts(bg: &str) -> (f64, f64) {
    let l = luminance(bg);
    ((l + 0.05) / 0.05, 1.05 / (l + 0.05))
}

/// The text colour (black or white) with the better contrast on `bg`
/// (`#rrggbb`): one of the two always reaches 4.58:1, above WCAG 1.4.3's 4.5:1.
pub fn text_on(bg: &str) -> &'static str {
    let (dark, light) = contrasts(bg);
    if dark >= light { "#000000" } else { "#ffffff" }
}

/// The text colour readable across every colour of `bgs` (the worse of each
/// choice's contrasts decides).
fn text_across(bgs: &[&str]) -> &'static str {
    let worst = |pick: fn((f64, f64)) -> f64| {
        bgs.iter()
            .map(|b| pick(contrasts(b)))
            .fold(f64::INFINITY, f64::min)
    };
    if worst(|c| c.0) >= worst(|c| c.1) {
        "#000000"
    } else {
        "#ffffff"
    }
}

/// The stylesheet of a look: the page background (and the footer's text
/// on it), buttons in the primary colour with a readable label, the font.
/// Only checked values reach it; anything unchecked is left out.
pub fn stylesheet(
    primary: Option<&str>,
    background: Option<&Background>,
    font_url: Option<&str>,
) -> String {
    let mut css = String::new();
    match background {
        Some(Background::Colour(c)) if valid_colour(c) => {
            let bg = long_hex(c);
            css.push_str(&format!(
                "body{{background:{bg}}}.foot{{color:{}}}\n",
                text_on(&bg)
            ));
        }
        Some(Background::Gradient(g)) if check_gradient(g).is_ok() => {
            let (start, end) = (long_hex(&g.start), long_hex(&g.end));
            css.push_str(&format!(
                "body{{background:linear-gradient({}deg,{start},{end}) fixed}}.foot{{color:{}}}\n",
                g.angle_deg,
                text_across(&[&start, &end])
            ));
        }
        _ => {}
    }
    if let Some(p) = primary.filter(|p| valid_colour(p)) {
        let p = long_hex(p);
        css.push_str(&format!(
            "button:not(.secondary):not(.reveal),a.button:not(.upstream){{background:{p};color:{}}}\
             button:not(.secondary):not(.reveal):hover{{background:{p};filter:brightness(.9)}}\n",
            text_on(&p),
        ));
    }
    if let Some(url) = font_url.and_then(|u| https_url("font.url", u).ok()) {
        // Only a checked, normalised https URL with no character that could
        // end the string or the `url()`.
        css.push_str(&format!(
            "@font-face{{font-family:\"Tenant\";src:url(\"{url}\")}}body,input,button{{font-family:\"Tenant\",system-ui,sans-serif}}\n"
        ));
    }
    css
}

/// An https URL, normalised, with none of the characters that could end a
/// CSS string or `url()` (quotes, parentheses, backslash, braces,
/// semicolons, whitespace, angle brackets) anywhere in it, as given or once
/// parsed (a host may hold a percent-decoded `"`).
fn https_url(field: &str, v: &str) -> Validated<String> {
    let u = validation::url(field, v)?;
    if u.scheme() != "https" {
        return Err(ValidationError::field(
            field,
            format!("'{v}' must be an https URL"),
        ));
    }
    let normal = u.to_string();
    let unsafe_char = |c: char| c.is_whitespace() || "\"'()\\;{}<>".contains(c);
    if v.chars().any(unsafe_char) || normal.chars().any(unsafe_char) {
        return Err(ValidationError::field(
            field,
            "must not contain quotes, parentheses, braces, semicolons, backslashes, angle brackets or spaces",
        ));
    }
    Ok(normal)
}

fn check_gradient(g: &Gradient) -> Validated<()> {
    if g.kind != "linear-gradient" {
        return Err(ValidationError::field(
            "colors.page_background.type",
            format!("No enum match for: \"{}\" (linear-gradient)", g.kind),
        ));
    }
    for (f, c) in [
        ("colors.page_background.start", &g.start),
        ("colors.page_background.end", &g.end),
    ] {
        if !valid_colour(c) {
            return Err(ValidationError::field(
                f,
                format!("'{c}' is not a colour (#rgb or #rrggbb)"),
            ));
        }
    }
    if !(0..=360).contains(&g.angle_deg) {
        return Err(ValidationError::field(
            "colors.page_background.angle_deg",
            "must be between 0 and 360",
        ));
    }
    Ok(())
}

/// RFC 7396 JSON merge patch: `null` removes a member, objects merge.
fn merge(target: &mut Value, patch: &Value) {
    match (target, patch) {
        (Value::Object(t), Value::Object(p)) => {
            for (k, v) in p {
                if v.is_null() {
                    t.remove(k);
                } else {
                    merge(t.entry(k.clone()).or_insert(Value::Null), v);
                }
            }
        }
        (t, p) => *t = p.clone(),
    }
}

impl Branding {
    /// `PATCH /branding`: `patch` merged into the current branding (Auth0:
    /// `null` removes a setting), then checked whole.
    pub fn patched(&self, patch: &Value) -> Validated<Branding> {
        if !patch.is_object() {
            return Err(ValidationError::field("body", "must be an object"));
        }
        let mut doc = serde_json::to_value(self).unwrap_or_else(|_| serde_json::json!({}));
        merge(&mut doc, patch);
        // Empty groups are removed, as Auth0 answers.
        if let Some(obj) = doc.as_object_mut() {
            obj.retain(|_, v| !(v.is_object() && v.as_object().is_some_and(|o| o.is_empty())));
        }
        let mut b: Branding = serde_json::from_value(doc)
            .map_err(|e| ValidationError::field("body", format!("{e}")))?;
        b.check()?;
        Ok(b)
    }

    /// Checks every value and keeps URLs in their normalised form (what
    /// reaches a stylesheet or a page is what was checked).
    fn check(&mut self) -> Validated<()> {
        if let Some(c) = &self.colors {
            if let Some(p) = &c.primary
                && !valid_colour(p)
            {
                return Err(ValidationError::field(
                    "colors.primary",
                    format!("'{p}' is not a colour (#rgb or #rrggbb)"),
                ));
            }
            match &c.page_background {
                Some(Background::Colour(bg)) if !valid_colour(bg) => {
                    return Err(ValidationError::field(
                        "colors.page_background",
                        format!("'{bg}' is not a colour (#rgb or #rrggbb)"),
                    ));
                }
                Some(Background::Gradient(g)) => check_gradient(g)?,
                _ => {}
            }
        }
        for (f, v) in [
            ("logo_url", &mut self.logo_url),
            ("favicon_url", &mut self.favicon_url),
        ] {
            if let Some(url) = v.as_mut() {
                *url = https_url(f, url)?;
            }
        }
        if let Some(f) = self.font.as_mut() {
            f.url = https_url("font.url", &f.url)?;
        }
        Ok(())
    }

    /// The origin of the font, which the pages' CSP must allow.
    pub fn font_origin(&self) -> Option<String> {
        let u = url::Url::parse(&self.font.as_ref()?.url).ok()?;
        Some(u.origin().ascii_serialization())
    }

    /// This branding's stylesheet.
    pub fn stylesheet(&self) -> String {
        let c = self.colors.as_ref();
        stylesheet(
            c.and_then(|c| c.primary.as_deref()),
            c.and_then(|c| c.page_background.as_ref()),
            self.font.as_ref().map(|f| f.url.as_str()),
        )
    }
}

/// A page template cut at Auth0's two tags.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Piece<'a> {
    Liquid(&'a str),
    Head,
    Widget,
}

/// The most iterations one `for` over a range may make: the template is
/// rendered for every page, and Liquid has no step limit.
pub const MAX_RANGE: i64 = 100;

fn too_costly() -> ValidationError {
    ValidationError::field(
        "template",
        format!(
            "a loop must not be inside another loop, and a loop over a range must name two integers and make at most {MAX_RANGE} passes"
        ),
    )
}

/// A loop's cost is bounded, since every page renders the template: no loop
/// inside another (nested loops multiply), and a `for` or `tablerow` over a
/// range names two integers and makes at most [`MAX_RANGE`] passes (a variable bound or
/// a long range could make every render spin). `depth` counts the loops open.
fn bounded_loop(tag: &str, depth: &mut u32) -> Validated<()> {
    let mut words = tag.split_whitespace();
    match words.next() {
        Some("for" | "tablerow") => {}
        Some("endfor" | "endtablerow") => {
            *depth = depth.saturating_sub(1);
            return Ok(());
        }
        _ => return Ok(()),
    }
    *depth += 1;
    if *depth > 1 {
        return Err(too_costly());
    }
    let Some(open) = tag.find('(') else {
        return Ok(());
    };
    let range = tag[open + 1..].split(')').next().unwrap_or_default();
    let bounds = range
        .split_once("..")
        .and_then(|(a, b)| Some((a.trim().parse::<i64>().ok()?, b.trim().parse::<i64>().ok()?)));
    match bounds {
        Some((a, b)) if b.saturating_sub(a) < MAX_RANGE => Ok(()),
        _ => Err(too_costly()),
    }
}

/// Where the next `{%` tag starts, past any `{{ … }}` output (whose strings
/// may hold `{%`: Liquid reads an output up to its `}}`).
fn next_tag(s: &str) -> Option<usize> {
    let mut at = 0;
    loop {
        let tag = s[at..].find("{%").map(|i| at + i)?;
        match s[at..].find("{{").map(|i| at + i) {
            Some(out) if out < tag => {
                at = s[out..].find("}}").map(|i| out + i + 2)?;
            }
            _ => return Some(tag),
        }
    }
}

/// The template as pieces, checked: size, the two tags once each, no script,
/// bounded loops.
pub fn template_pieces(t: &str) -> Validated<Vec<Piece<'_>>> {
    const FIELD: &str = "template";
    if t.len() > MAX_TEMPLATE_BYTES {
        return Err(ValidationError::field(
            FIELD,
            format!("must be at most {MAX_TEMPLATE_BYTES} bytes"),
        ));
    }
    if t.to_ascii_lowercase().contains("<script") {
        return Err(ValidationError::field(
            FIELD,
            "must not contain <script>: the hosted pages' Content-Security-Policy runs only Portcullis's own script",
        ));
    }
    let mut pieces = Vec::new();
    let mut rest = t;
    let (mut heads, mut widgets) = (0, 0);
    let mut loops = 0;
    while let Some(start) = next_tag(rest) {
        let Some(len) = rest[start..].find("%}") else {
            break;
        };
        let inner = rest[start + 2..start + len]
            .trim_start_matches('-')
            .trim_end_matches('-')
            .trim();
        let piece = match inner {
            "auth0:head" => Some(Piece::Head),
            "auth0:widget" => Some(Piece::Widget),
            _ => None,
        };
        let end = start + len + 2;
        match piece {
            Some(p) => {
                if p == Piece::Head {
                    heads += 1;
                } else {
                    widgets += 1;
                }
                pieces.push(Piece::Liquid(&rest[..start]));
                pieces.push(p);
                rest = &rest[end..];
            }
            None => {
                bounded_loop(inner, &mut loops)?;
                // Keep scanning after this ordinary Liquid tag.
                pieces.push(Piece::Liquid(&rest[..end]));
                rest = &rest[end..];
            }
        }
    }
    pieces.push(Piece::Liquid(rest));
    if heads != 1 || widgets != 1 {
        return Err(ValidationError::field(
            FIELD,
            "must contain the tags {%- auth0:head -%} and {%- auth0:widget -%} once each",
        ));
    }
    // Adjacent Liquid text back into one piece, so tags around a
    // placeholder parse as a whole.
    let mut merged: Vec<Piece<'_>> = Vec::new();
    let base = t.as_ptr() as usize;
    for p in pieces {
        match (merged.last_mut(), p) {
            (Some(Piece::Liquid(prev)), Piece::Liquid(next)) => {
                let start = prev.as_ptr() as usize - base;
                let end = next.as_ptr() as usize - base + next.len();
                *prev = &t[start..end];
            }
            (_, p) => merged.push(p),
        }
    }
    Ok(merged)
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn patches_merge_remove_with_null_and_check_whole() {
        let b = Branding::default()
            .patched(
                &json!({"colors": {"primary": "#0059D6", "page_background": "#fff"},
                             "logo_url": "https://cdn.example/logo.png"}),
            )
            .unwrap();
        let b = b
            .patched(&json!({"colors": {"primary": "#123"}, "logo_url": null}))
            .unwrap();
        assert_eq!(b.colors.as_ref().unwrap().primary.as_deref(), Some("#123"));
        assert_eq!(
            b.colors.as_ref().unwrap().page_background,
            Some(Background::Colour("#fff".into()))
        );
        assert!(b.logo_url.is_none());
        let g = b
            .patched(&json!({"colors": {"page_background": {"type": "linear-gradient", "start": "#fff", "end": "#000", "angle_deg": 35}}}))
            .unwrap();
        assert!(
            g.stylesheet()
                .contains("linear-gradient(35deg,#ffffff,#000000)")
        );
        for (bad, field) in [
            (json!({"colors": {"primary": "red"}}), "colors.primary"),
            (
                json!({"colors": {"page_background": "#12345"}}),
                "colors.page_background",
            ),
            (
                json!({"logo_url": "http://cdn.example/logo.png"}),
                "logo_url",
            ),
            (json!({"favicon_url": "javascript:alert(1)"}), "favicon_url"),
            (json!({"font": {"url": "ftp://x/f.woff2"}}), "font.url"),
            (
                json!({"colors": {"page_background": {"type": "radial", "start": "#fff", "end": "#000", "angle_deg": 1}}}),
                "page_background.type",
            ),
            (json!({"colour": "#fff"}), "colour"),
            (
                json!({"font": {"url": "https://cdn.example/f.woff2\");}*{background:url(https://evil.example/x)}x{x:url(\""}}),
                "font.url",
            ),
            (
                json!({"font": {"url": "https://a%22b.example/f.woff2"}}),
                "font.url",
            ),
            (
                json!({"logo_url": "https://cdn.example/a\nb.png"}),
                "logo_url",
            ),
        ] {
            let e = b.patched(&bad).unwrap_err();
            assert!(e.message.contains(field), "{bad}: {}", e.message);
        }
    }

    #[test]
    fn labels_keep_aa_contrast_on_any_brand_colour() {
        assert_eq!(text_on("#ffffff"), "#000000");
        assert_eq!(text_on("#000000"), "#ffffff");
        assert_eq!(text_on("#0059d6"), "#ffffff");
        assert_eq!(text_on("#ffd400"), "#000000");
        for bg in ["#0059d6", "#ffd400", "#777777", "#ff0000", "#00ff00"] {
            let fg = text_on(bg);
            let (a, b) = (luminance(bg), luminance(fg));
            let ratio = (a.max(b) + 0.05) / (a.min(b) + 0.05);
            assert!(ratio >= 4.5, "{bg} with {fg}: {ratio}");
        }
        assert_eq!(long_hex("#fa0"), "#ffaa00");
        assert_eq!(long_hex("#123456"), "#123456");
    }

    #[test]
    fn labels_stay_readable_on_any_colour() {
        assert_eq!(text_on("#ffff00"), "#000000");
        assert_eq!(text_on("#0000aa"), "#ffffff");
        let css = stylesheet(Some("#ff0"), Some(&Background::Colour("#123".into())), None);
        assert!(css.contains("background:#ffff00;color:#000000"), "{css}");
        assert!(
            css.contains("body{background:#112233}.foot{color:#ffffff}"),
            "{css}"
        );
        // Unchecked values never reach the stylesheet.
        assert_eq!(
            stylesheet(Some("red;}body{x:y"), None, Some("http://x/f")),
            ""
        );
    }

    #[test]
    fn templates_need_both_tags_once_and_no_script() {
        let ok = "<!DOCTYPE html>{% assign d = dir | default: \"auto\" %}<html lang=\"{{locale}}\"><head>{%- auth0:head -%}</head><body>{% if x %}a{% endif %}{%- auth0:widget -%}</body></html>";
        let p = template_pieces(ok).unwrap();
        assert_eq!(
            p,
            vec![
                Piece::Liquid(
                    "<!DOCTYPE html>{% assign d = dir | default: \"auto\" %}<html lang=\"{{locale}}\"><head>"
                ),
                Piece::Head,
                Piece::Liquid("</head><body>{% if x %}a{% endif %}"),
                Piece::Widget,
                Piece::Liquid("</body></html>"),
            ]
        );
        for bad in [
            "<html><head>{%- auth0:head -%}</head><body></body></html>",
            "<html><head>{% auth0:head %}{% auth0:head %}</head><body>{% auth0:widget %}</body></html>",
            "<html><head>{%- auth0:head -%}<SCRIPT src=x></script></head><body>{%- auth0:widget -%}</body></html>",
        ] {
            assert!(template_pieces(bad).is_err(), "{bad}");
        }
        assert!(template_pieces(&"x".repeat(MAX_TEMPLATE_BYTES + 1)).is_err());
        // Loops over ranges: short literal ones only.
        let with =
            |tag: &str| format!("{tag}x{{% endfor %}}{{%- auth0:head -%}}{{%- auth0:widget -%}}");
        assert!(template_pieces(&with("{% for i in (1..3) reversed %}")).is_ok());
        assert!(template_pieces(&with("{% for l in locales %}")).is_ok());
        assert!(
            template_pieces(&with(
                "{% for i in (1..3) %}{% endfor %}{% for j in (1..3) %}"
            ))
            .is_ok()
        );
        for bad in [
            "{% for i in (1..100000000) %}",
            "{%- for i in ( 0 .. n ) -%}",
            "{% tablerow i in (1..9999999) %}",
            "{% for\ni in (1..100000000) %}",
            "{{ \"{%\" }}{% for i in (1..100000000) %}",
            "{% for a in (1..9) %}{% for b in (1..9) %}",
        ] {
            assert!(template_pieces(&with(bad)).is_err(), "{bad}");
        }
    }
}
