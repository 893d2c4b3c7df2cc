//! What commands print: JSON with `--json` (for scripts), readable tables
//! otherwise.

use serde_json::Value;

/// A cell's text: strings as they are, arrays joined, objects as JSON.
fn cell(v: &Value) -> String {
    match v {
        Value::Null => "-".into(),
        Value::String(s) => s.clone(),
        Value::Array(a) => a.iter().map(cell).collect::<Vec<_>>().join(" "),
        other => other.to_string(),
    }
}

/// The rows as an aligned table of `columns` (JSON field names).
pub fn table(rows: &[Value], columns: &[&str]) -> String {
    let cells: Vec<Vec<String>> = rows
        .iter()
        .map(|r| columns.iter().map(|c| cell(&r[*c])).collect())
        .collect();
    let widths: Vec<usize> = columns
        .iter()
        .enumerate()
        .map(|(i, c)| {
            cells
                .iter()
                .map(|r| r[i].chars().count())
                .chain([c.len()])
                .max()
                .unwrap_or(0)
        })
        .collect();
    let line = |items: Vec<String>| -> String {
        items
            .iter()
            .enumerate()
            .map(|(i, s)| format!("{s:<w$}", w = widths[i]))
            .collect::<Vec<_>>()
            .join("  ")
            .trim_end()
            .to_string()
    };
    let mut out = line(columns.iter().map(|c| c.to_uppercase()).collect());
    out.push('\n');
    for r in cells {
        out.push_str(&line(r));
        out.push('\n');
    }
    out
}

/// One record as `field: value` lines, in the given order, then the rest.
pub fn record(v: &Value, first: &[&str]) -> String {
    let Some(obj) = v.as_object() else {
        return format!("{v}\n");
    };
    let mut keys: Vec<&str> = first
        .iter()
        .copied()
        .filter(|k| obj.contains_key(*k))
        .collect();
    let mut rest: Vec<&str> = obj
        .keys()
        .map(String::as_str)
        .filter(|k| !first.contains(k))
        .collect();
    rest.sort_unstable();
    keys.extend(rest);
    let width = keys.iter().map(|k| k.len()).max().unwrap_or(0);
    keys.iter()
        .map(|k| format!("{k:<width$}  {}\n", cell(&obj[*k])))
        .collect()
}

/// Prints `v` as JSON or with `human`.
pub fn print(json: bool, v: &Value, human: impl FnOnce(&Value) -> String) {
    if json {
        println!("{}", serde_json::to_string_pretty(v).unwrap_or_default());
    } else {
        print!("{}", human(v));
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn tables_align_columns_and_show_missing_values() {
        let rows = [
            json!({"name": "Shop", "id": "abc"}),
            json!({"name": "A much longer name"}),
        ];
        let t = table(&rows, &["name", "id"]);
        let lines: Vec<&str> = t.lines().collect();
        assert_eq!(lines[0], "NAME                ID");
        assert_eq!(lines[1], "Shop                abc");
        assert_eq!(lines[2], "A much longer name  -");
    }
}
