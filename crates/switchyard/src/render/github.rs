//! GitHub Actions workflow commands, which GitHub shows as annotations on the
//! pull request:
//!
//! ```text
//! ::error file=rules/main.route,line=2,col=20,endLine=2,endColumn=32,title=E004::`"enterprize"` is not a value of `tier`%0Ahelp: did you mean `"pro"`?
//! ```
//!
//! `::warning` for warnings and `::notice` for notes. Escaping follows the
//! runner's rules (`actions/toolkit`, `command.ts`): in the message `%`,
//! `\r` and `\n` become `%25`, `%0D` and `%0A`; property values also escape
//! `:` and `,` as `%3A` and `%2C`. The help, when there is one, follows the
//! message on a second line.

use switchyard_syntax::Severity;

use super::{locate, message_with_help, Item};

/// Renders one line per diagnostic.
pub fn render(items: &[Item<'_>]) -> String {
    let mut out = String::new();
    for item in items {
        let d = item.diagnostic;
        let at = locate(item.sources, d.span);
        let command = match d.severity() {
            Severity::Error => "error",
            Severity::Warning => "warning",
            Severity::Note => "notice",
        };
        let message = message_with_help(d);
        out.push_str(&format!(
            "::{command} file={},line={},col={},endLine={},endColumn={},title={}::{}\n",
            escape_property(at.file),
            at.start.line,
            at.start.column,
            at.end.line,
            at.end.column,
            escape_property(d.code.as_str()),
            escape_data(&message),
        ));
    }
    out
}

/// Escapes a command's message.
fn escape_data(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '%' => out.push_str("%25"),
            '\r' => out.push_str("%0D"),
            '\n' => out.push_str("%0A"),
            c => out.push(c),
        }
    }
    out
}

/// Escapes a property value (`file=...`, `title=...`): as a message, and
/// `:` and `,` too (which [`escape_data`] leaves alone).
fn escape_property(text: &str) -> String {
    escape_data(text).replace(':', "%3A").replace(',', "%2C")
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::render::{items, testing};
    use switchyard_syntax::{Code, Diagnostic, SourceMap, Span};

    #[test]
    fn one_line_per_diagnostic() {
        let (map, id) = testing::sources();
        let ds = testing::diagnostics(id);
        let out = render(&items(&map, &ds));
        let lines: Vec<&str> = out.lines().collect();
        assert_eq!(
            lines,
            [
                "::error file=rules/main.route,line=2,col=20,endLine=2,endColumn=32,title=E004::`\"enterprize\"` is not a value of `tier`%0Ahelp: did you mean `\"pro\"`?",
                "::warning file=rules/main.route,line=3,col=1,endLine=3,endColumn=13,title=W106::rule `default` has no `max_tokens`",
            ]
        );
    }

    #[test]
    fn escapes_data_and_properties() {
        assert_eq!(
            escape_data("100% sure\r\nyes: a,b"),
            "100%25 sure%0D%0Ayes: a,b"
        );
        assert_eq!(
            escape_property("C:\\rules,v2%\n.route"),
            "C%3A\\rules%2Cv2%25%0A.route"
        );
    }

    #[test]
    fn notes_are_notices_and_file_names_are_escaped() {
        let mut map = SourceMap::new();
        let id = map.add("a,b:c.route", "rule x: otherwise -> m\n");
        let d = Diagnostic::new(Code::N201, "skipped: 50% done", Span::new(id, 0, 4));
        let out = render(&[Item {
            sources: &map,
            diagnostic: &d,
        }]);
        assert_eq!(
            out,
            "::notice file=a%2Cb%3Ac.route,line=1,col=1,endLine=1,endColumn=5,title=N201::skipped: 50%25 done\n"
        );
    }
}
