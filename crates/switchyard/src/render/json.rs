//! One JSON array of objects with exactly the keys `code`, `severity`,
//! `message`, `file`, `line`, `column`, `end_line`, `end_column`, `help`
//! (docs/cli.md). Lines and columns are 1-based; columns count
//! characters; the end is just past the last character; `help` is `null`
//! when there is none.

use serde::Serialize;

use super::{locate, Item};

/// One diagnostic as printed. Field order is output order.
#[derive(Debug, Serialize)]
struct JsonDiagnostic<'a> {
    code: &'a str,
    severity: &'a str,
    message: &'a str,
    file: &'a str,
    line: u32,
    column: u32,
    end_line: u32,
    end_column: u32,
    help: Option<&'a str>,
}

/// Renders the array, pretty-printed, with a final line break.
pub fn render(items: &[Item<'_>]) -> String {
    let objects: Vec<JsonDiagnostic<'_>> = items
        .iter()
        .map(|item| {
            let d = item.diagnostic;
            let at = locate(item.sources, d.span);
            JsonDiagnostic {
                code: d.code.as_str(),
                severity: d.severity().as_str(),
                message: &d.message,
                file: at.file,
                line: at.start.line,
                column: at.start.column,
                end_line: at.end.line,
                end_column: at.end.column,
                help: d.help.as_deref(),
            }
        })
        .collect();
    // Serialising plain strings and integers cannot fail; fall back to an
    // empty array rather than panic should it ever.
    let mut out = serde_json::to_string_pretty(&objects).unwrap_or_else(|_| "[]".to_owned());
    out.push('\n');
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::render::{items, testing};

    #[test]
    fn keys_are_exactly_the_documented_ones() {
        let (map, id) = testing::sources();
        let ds = testing::diagnostics(id);
        let out = render(&items(&map, &ds));
        let value: serde_json::Value = serde_json::from_str(&out).expect("valid JSON");
        let array = value.as_array().expect("an array");
        assert_eq!(array.len(), 2);
        for object in array {
            let mut keys: Vec<&str> = object
                .as_object()
                .expect("objects")
                .keys()
                .map(String::as_str)
                .collect();
            keys.sort_unstable();
            assert_eq!(
                keys,
                [
                    "code",
                    "column",
                    "end_column",
                    "end_line",
                    "file",
                    "help",
                    "line",
                    "message",
                    "severity"
                ]
            );
        }
        let first = &array[0];
        assert_eq!(first["code"], "E004");
        assert_eq!(first["severity"], "error");
        assert_eq!(
            first["message"],
            "`\"enterprize\"` is not a value of `tier`"
        );
        assert_eq!(first["file"], "rules/main.route");
        assert_eq!(first["line"], 2);
        assert_eq!(first["column"], 20);
        assert_eq!(first["end_line"], 2);
        assert_eq!(first["end_column"], 32);
        assert_eq!(first["help"], "did you mean `\"pro\"`?");
        let second = &array[1];
        assert_eq!(second["severity"], "warning");
        assert!(second["help"].is_null());
        assert_eq!(
            (second["line"].as_u64(), second["column"].as_u64()),
            (Some(3), Some(1))
        );
    }

    #[test]
    fn keys_come_in_documented_order() {
        let (map, id) = testing::sources();
        let ds = testing::diagnostics(id);
        let out = render(&items(&map, &ds));
        let order = [
            "\"code\"",
            "\"severity\"",
            "\"message\"",
            "\"file\"",
            "\"line\"",
            "\"column\"",
            "\"end_line\"",
            "\"end_column\"",
            "\"help\"",
        ];
        let positions: Vec<usize> = order
            .iter()
            .map(|k| out.find(k).expect("key present"))
            .collect();
        assert!(positions.windows(2).all(|w| w[0] < w[1]), "{out}");
    }

    #[test]
    fn no_diagnostics_is_an_empty_array() {
        assert_eq!(render(&[]), "[]\n");
    }
}
