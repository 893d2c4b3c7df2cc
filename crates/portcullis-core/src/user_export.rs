//! Auth0's user export (`POST /api/v2/jobs/users-exports`): the request, the
//! fields (Auth0's paths such as `identities[0].connection`, titled by
//! `export_as`) and each user's line in NDJSON (`json`) or CSV.
//!
//! Invariants: a CSV cell is quoted as RFC 4180 says, and a text that a
//! spreadsheet would run as a formula (`=`, `+`, `-`, `@`, tab, CR) is
//! prefixed with `'` (OWASP's CSV-injection rule); password hashes are never
//! exported (no field reaches them).

use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};

use crate::validation::{Validated, ValidationError};

/// Auth0's export formats.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, schemars::JsonSchema)]
#[serde(rename_all = "lowercase")]
pub enum Format {
    Json,
    Csv,
}

impl Format {
    pub fn extension(self) -> &'static str {
        match self {
            Self::Json => "json",
            Self::Csv => "csv",
        }
    }
}

/// One exported field: an Auth0 path, and its title in the file.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Field {
    pub name: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub export_as: Option<String>,
}

impl Field {
    fn title(&self) -> &str {
        self.export_as.as_deref().unwrap_or(&self.name)
    }
}

/// The body of `POST /jobs/users-exports`.
#[derive(Debug, Clone, Default, Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct ExportRequest {
    pub connection_id: Option<String>,
    pub format: Option<Format>,
    pub limit: Option<u64>,
    pub fields: Option<Vec<Field>>,
}

/// At most this many CSV columns (Auth0's limit).
pub const MAX_CSV_FIELDS: usize = 30;

/// What is exported when the request names no fields.
const DEFAULT_FIELDS: &[&str] = &[
    "user_id",
    "email",
    "email_verified",
    "username",
    "name",
    "given_name",
    "family_name",
    "nickname",
    "picture",
    "blocked",
    "created_at",
    "updated_at",
    "last_login",
    "logins_count",
    "identities[0].connection",
    "app_metadata",
    "user_metadata",
];

/// A checked export: format, fields, and how many users at most.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Export {
    pub format: Format,
    pub fields: Vec<Field>,
    pub limit: Option<u64>,
}

impl ExportRequest {
    /// Checks the fields (each name and title at most 100 characters, at most
    /// 30 for CSV). Auth0's default format is `csv`; with no `limit` every
    /// user is exported.
    pub fn check(&self) -> Validated<Export> {
        let format = self.format.unwrap_or(Format::Csv);
        let fields = match &self.fields {
            None => DEFAULT_FIELDS
                .iter()
                .map(|n| Field {
                    name: (*n).into(),
                    export_as: None,
                })
                .collect(),
            Some(f) if f.is_empty() => {
                return Err(ValidationError::field(
                    "fields",
                    "Array is too short (0), minimum 1",
                ));
            }
            Some(f) => f.clone(),
        };
        for f in &fields {
            if f.name.is_empty() || f.name.chars().count() > 100 {
                return Err(ValidationError::field(
                    "fields.name",
                    "must be 1 to 100 characters",
                ));
            }
            if parse_path(&f.name).is_none() {
                return Err(ValidationError::field(
                    "fields.name",
                    format!("'{}' is not a field path", f.name),
                ));
            }
            if f.export_as
                .as_ref()
                .is_some_and(|t| t.chars().count() > 100)
            {
                return Err(ValidationError::field(
                    "fields.export_as",
                    "must be at most 100 characters",
                ));
            }
        }
        if format == Format::Csv && fields.len() > MAX_CSV_FIELDS {
            return Err(ValidationError::field(
                "fields",
                format!("a CSV export has at most {MAX_CSV_FIELDS} fields"),
            ));
        }
        if self.limit == Some(0) {
            return Err(ValidationError::field("limit", "must be at least 1"));
        }
        Ok(Export {
            format,
            fields,
            limit: self.limit,
        })
    }
}

#[derive(Debug, Clone, PartialEq, Eq)]
enum Step {
    Key(String),
    Index(usize),
}

/// `a.b`, `identities[0].connection`: keys and array indexes.
fn parse_path(path: &str) -> Option<Vec<Step>> {
    let mut steps = Vec::new();
    for part in path.split('.') {
        let (key, mut rest) = match part.find('[') {
            Some(i) => (&part[..i], &part[i..]),
            None => (part, ""),
        };
        if key.is_empty() {
            return None;
        }
        steps.push(Step::Key(key.to_string()));
        while let Some(r) = rest.strip_prefix('[') {
            let end = r.find(']')?;
            steps.push(Step::Index(r[..end].parse().ok()?));
            rest = &r[end + 1..];
        }
        if !rest.is_empty() {
            return None;
        }
    }
    Some(steps)
}

fn resolve<'a>(user: &'a Value, path: &str) -> Option<&'a Value> {
    let mut at = user;
    for step in parse_path(path)? {
        at = match step {
            Step::Key(k) => at.get(&k)?,
            Step::Index(i) => at.get(i)?,
        };
    }
    Some(at)
}

impl Export {
    /// The first line of a CSV file (none for NDJSON).
    pub fn header(&self) -> Option<String> {
        (self.format == Format::Csv).then(|| {
            let cells: Vec<String> = self.fields.iter().map(|f| csv_cell(f.title())).collect();
            cells.join(",") + "\n"
        })
    }

    /// One user's line (`user` as the Management API shows it).
    pub fn line(&self, user: &Value) -> String {
        match self.format {
            Format::Json => {
                let mut o = Map::new();
                for f in &self.fields {
                    if let Some(v) = resolve(user, &f.name) {
                        o.insert(f.title().to_string(), v.clone());
                    }
                }
                Value::Object(o).to_string() + "\n"
            }
            Format::Csv => {
                let cells: Vec<String> = self
                    .fields
                    .iter()
                    .map(|f| match resolve(user, &f.name) {
                        None | Some(Value::Null) => String::new(),
                        Some(Value::String(s)) => csv_cell(s),
                        Some(other) => csv_cell(&other.to_string()),
                    })
                    .collect();
                cells.join(",") + "\n"
            }
        }
    }
}

/// RFC 4180 quoting, with OWASP's guard against spreadsheet formulas.
fn csv_cell(text: &str) -> String {
    let guarded = if text.starts_with(['=', '+', '-', '@', '\t', '\r']) {
        format!("'{text}")
    } else {
        text.to_string()
    };
    if guarded.contains([',', '"', '\n', '\r']) || guarded != text {
        format!("\"{}\"", guarded.replace('"', "\"\""))
    } else {
        guarded
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn user() -> Value {
        json!({"user_id": "auth0|1", "email": "a@x.io", "name": "Ada, \"the\" first",
            "identities": [{"connection": "Username-Password-Authentication"}],
            "user_metadata": {"team": "=SUM(A1)", "n": 2}})
    }

    #[test]
    fn csv_titles_quotes_and_guards_formulas() {
        let e = ExportRequest {
            format: Some(Format::Csv),
            fields: Some(vec![
                Field {
                    name: "email".into(),
                    export_as: Some("Mail".into()),
                },
                Field {
                    name: "name".into(),
                    export_as: None,
                },
                Field {
                    name: "identities[0].connection".into(),
                    export_as: None,
                },
                Field {
                    name: "user_metadata.team".into(),
                    export_as: None,
                },
                Field {
                    name: "user_metadata.n".into(),
                    export_as: None,
                },
                Field {
                    name: "nickname".into(),
                    export_as: None,
                },
            ]),
            ..Default::default()
        }
        .check()
        .unwrap();
        assert_eq!(
            e.header().unwrap(),
            "Mail,name,identities[0].connection,user_metadata.team,user_metadata.n,nickname\n"
        );
        assert_eq!(
            e.line(&user()),
            "a@x.io,\"Ada, \"\"the\"\" first\",Username-Password-Authentication,\"'=SUM(A1)\",2,\n"
        );
    }

    #[test]
    fn json_lines_carry_the_titled_fields_present() {
        let e = ExportRequest {
            format: Some(Format::Json),
            fields: Some(vec![
                Field {
                    name: "user_id".into(),
                    export_as: Some("id".into()),
                },
                Field {
                    name: "user_metadata".into(),
                    export_as: None,
                },
                Field {
                    name: "missing".into(),
                    export_as: None,
                },
            ]),
            ..Default::default()
        }
        .check()
        .unwrap();
        assert_eq!(e.header(), None);
        let line: Value = serde_json::from_str(e.line(&user()).trim_end()).unwrap();
        assert_eq!(
            line,
            json!({"id": "auth0|1", "user_metadata": {"team": "=SUM(A1)", "n": 2}})
        );
    }

    #[test]
    fn bad_requests_are_refused() {
        let many: Vec<Field> = (0..31)
            .map(|i| Field {
                name: format!("f{i}"),
                export_as: None,
            })
            .collect();
        for r in [
            ExportRequest {
                fields: Some(many),
                ..Default::default()
            },
            ExportRequest {
                fields: Some(vec![]),
                ..Default::default()
            },
            ExportRequest {
                fields: Some(vec![Field {
                    name: "a[x]".into(),
                    export_as: None,
                }]),
                ..Default::default()
            },
            ExportRequest {
                limit: Some(0),
                ..Default::default()
            },
        ] {
            assert!(r.check().is_err(), "{r:?}");
        }
        assert_eq!(
            ExportRequest::default().check().unwrap().format,
            Format::Csv
        );
    }
}
