//! rustc-style text, drawn by `annotate-snippets` (rustc's own renderer):
//!
//! ```text
//! error[E004]: `"enterprize"` is not a value of `tier`
//!  --> rules/main.route:2:20
//!   |
//! 1 | context { tier: "free" | "pro" }
//!   |                 -------------- `tier` is declared here
//! 2 | rule paid: tier == "enterprize" -> "openai/gpt-4o"
//!   |                    ^^^^^^^^^^^^
//!   |
//!   = help: did you mean `"pro"`?
//! ```

use std::ops::Range;

use annotate_snippets::{AnnotationKind, Group, Level, Renderer, Snippet};
use switchyard_syntax::{FileId, Severity, SourceMap, Span};

use super::{items, trim, Item};

/// Renders every item, each followed by a blank line.
pub fn render(items: &[Item<'_>], color: bool) -> String {
    let renderer = if color {
        Renderer::styled().hyperlink(false)
    } else {
        Renderer::plain()
    };
    let mut out = String::new();
    for item in items {
        out.push_str(&render_one(&renderer, item));
        out.push_str("\n\n");
    }
    out
}

fn level(severity: Severity) -> Level<'static> {
    match severity {
        Severity::Error => Level::ERROR,
        Severity::Warning => Level::WARNING,
        Severity::Note => Level::NOTE,
    }
}

fn render_one(renderer: &Renderer, item: &Item<'_>) -> String {
    let d = item.diagnostic;
    let sources = item.sources;

    // The primary span's file first, then the files only labels point into,
    // in order of first mention.
    let mut files: Vec<FileId> = vec![d.span.file];
    for label in &d.labels {
        if !files.contains(&label.span.file) {
            files.push(label.span.file);
        }
    }

    let title = level(d.severity())
        .primary_title(d.message.as_str())
        .id(d.code.as_str());
    let mut group = Group::with_title(title);
    for file in files {
        let Some(source) = sources.file(file) else {
            continue;
        };
        let text = source.text();
        let mut snippet = Snippet::source(text).path(source.name()).fold(true);
        if d.span.file == file {
            snippet = snippet
                .annotation(AnnotationKind::Primary.span(clamp(text, trim(sources, d.span))));
        }
        for label in d.labels.iter().filter(|l| l.span.file == file) {
            snippet = snippet.annotation(
                AnnotationKind::Context
                    .span(clamp(text, trim(sources, label.span)))
                    .label(label.message.as_str()),
            );
        }
        group = group.element(snippet);
    }
    if let Some(help) = &d.help {
        group = group.element(Level::HELP.message(help.as_str()));
    }
    renderer.render(&[group])
}

/// The span's byte range, made safe to slice `text` with: clamped to the
/// text and widened to character boundaries (a span may point at the first
/// invalid byte of a file shown through a lossy UTF-8 copy).
pub(super) fn clamp(text: &str, span: Span) -> Range<usize> {
    let Range { start, end } = span.range();
    let mut start = start.min(text.len());
    let mut end = end.clamp(start, text.len());
    while !text.is_char_boundary(start) {
        start -= 1;
    }
    while !text.is_char_boundary(end) {
        end += 1;
    }
    start..end
}

/// Renders a source map's diagnostics, for callers that have a single map.
pub fn render_all(
    sources: &SourceMap,
    diagnostics: &[switchyard_syntax::Diagnostic],
    color: bool,
) -> String {
    render(&items(sources, diagnostics), color)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::render::testing;
    use switchyard_syntax::{Code, Diagnostic};

    #[test]
    fn renders_like_rustc_without_colour() {
        let (map, id) = testing::sources();
        let diagnostics = testing::diagnostics(id);
        let out = render_all(&map, &diagnostics, false);
        let expected = r#"error[E004]: `"enterprize"` is not a value of `tier`
 --> rules/main.route:2:20
  |
1 | context { tier: "free" | "pro" }
  |                 -------------- `tier` is declared here
2 | rule paid: tier == "enterprize" -> "openai/gpt-4o"
  |                    ^^^^^^^^^^^^
  |
  = help: did you mean `"pro"`?

warning[W106]: rule `default` has no `max_tokens`
 --> rules/main.route:3:1
  |
3 | rule default: otherwise -> "openai/gpt-4o-mini"
  | ^^^^^^^^^^^^

"#;
        assert_eq!(out, expected, "got:\n{out}");
    }

    #[test]
    fn colour_uses_ansi_escapes() {
        let (map, id) = testing::sources();
        let out = render_all(&map, &testing::diagnostics(id), true);
        assert!(out.contains("\u{1b}["));
    }

    #[test]
    fn labels_in_other_files_get_their_own_snippet() {
        let mut map = SourceMap::new();
        let a = map.add("a.route", "model m = \"x/y\"\n");
        let b = map.add("b.route", "model m = \"x/z\"\n");
        let d = Diagnostic::new(Code::E006, "`m` is declared twice", Span::new(b, 6, 7))
            .with_label(Span::new(a, 6, 7), "first declared here");
        let out = render_all(&map, &[d], false);
        assert!(out.contains("--> b.route:1:7"), "{out}");
        assert!(out.contains("::: a.route:1:7"), "{out}");
        assert!(out.contains("first declared here"), "{out}");
    }

    #[test]
    fn odd_spans_do_not_panic() {
        let mut map = SourceMap::new();
        let empty = map.add("empty.route", "");
        let bad = map.add_bytes("bad.route", b"rule \xff x".to_vec());
        let d = [
            Diagnostic::new(Code::E013, "too big", Span::new(empty, 0, 0)),
            Diagnostic::new(Code::E001, "not UTF-8", Span::new(bad, 5, 6)),
            Diagnostic::new(Code::E001, "past the end", Span::new(bad, 400, 500)),
            Diagnostic::new(Code::E001, "no such file", Span::new(FileId(9), 0, 1)),
        ];
        let out = render_all(&map, &d, false);
        assert!(out.contains("error[E013]: too big"), "{out}");
        assert!(out.contains("bad.route:1:6"), "{out}");
        assert!(out.contains("error[E001]: no such file"), "{out}");
    }

    #[test]
    fn clamp_widens_to_char_boundaries() {
        let text = "aç";
        assert_eq!(clamp(text, Span::new(FileId(0), 2, 2)), 1..3);
        assert_eq!(clamp(text, Span::new(FileId(0), 0, 2)), 0..3);
        assert_eq!(clamp(text, Span::new(FileId(0), 9, 12)), 3..3);
    }
}
