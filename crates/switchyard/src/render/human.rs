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
//!
//! `annotate-snippets` reads every line of the text it is given, so each
//! snippet is given only the lines around its spans (a window), never the
//! whole file: rendering stays linear in the number of diagnostics and the
//! size of the files. Spans of one file within [`MAX_GAP`] lines of each
//! other share a snippet (the lines between folded to `...`, as rustc
//! does); a span further away gets a snippet of its own, headed by its
//! location (`::: file:line:column`).

use std::ops::Range;

use annotate_snippets::{AnnotationKind, Group, Level, Renderer, Snippet};
use switchyard_syntax::{FileId, Severity, SourceFile, SourceMap, Span};

use super::{items, trim, Item};

/// Spans of one file further apart than this many lines get snippets of
/// their own. It bounds the lines drawn per diagnostic.
pub const MAX_GAP: usize = 100;

/// Renders every item, each followed by a blank line.
pub fn render(items: &[Item<'_>], color: bool) -> String {
    let renderer = renderer(color);
    let mut out = String::new();
    for item in items {
        out.push_str(&render_one(&renderer, item));
        out.push_str("\n\n");
    }
    out
}

/// Renders a source map's diagnostics, for callers that have a single map.
pub fn render_all(
    sources: &SourceMap,
    diagnostics: &[switchyard_syntax::Diagnostic],
    color: bool,
) -> String {
    render(&items(sources, diagnostics), color)
}

/// The lines of `span` with it underlined and labelled with `label` (when
/// not empty), under its location and without a title: how `switchyard
/// eval --explain` shows the test that failed. `None` when the span is in
/// no file of `sources`.
pub fn excerpt(sources: &SourceMap, span: Span, label: &str, color: bool) -> Option<String> {
    let span = trim(sources, span);
    let file = sources.file(span.file)?;
    let label = (!label.is_empty()).then_some(label);
    let mut group = Group::with_level(Level::NOTE);
    for window in windows(vec![Mark::new(file, span, true, label)]) {
        group = group.element(window.snippet(file));
    }
    Some(renderer(color).render(&[group]))
}

fn renderer(color: bool) -> Renderer {
    if color {
        Renderer::styled().hyperlink(false)
    } else {
        Renderer::plain()
    }
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
    for id in files {
        let Some(file) = sources.file(id) else {
            continue;
        };
        let mut marks = Vec::new();
        if d.span.file == id {
            marks.push(Mark::new(file, trim(sources, d.span), true, None));
        }
        for label in d.labels.iter().filter(|l| l.span.file == id) {
            let span = trim(sources, label.span);
            marks.push(Mark::new(file, span, false, Some(label.message.as_str())));
        }
        for window in windows(marks) {
            group = group.element(window.snippet(file));
        }
    }
    if let Some(help) = &d.help {
        group = group.element(Level::HELP.message(help.as_str()));
    }
    renderer.render(&[group])
}

/// One span to draw: its byte range in the file (safe to slice with), the
/// lines it covers as `annotate-snippets` counts them (0-based), whether
/// it is the primary span, and its label.
struct Mark<'a> {
    range: Range<usize>,
    lines: Range<usize>,
    primary: bool,
    label: Option<&'a str>,
}

impl<'a> Mark<'a> {
    fn new(file: &SourceFile, span: Span, primary: bool, label: Option<&'a str>) -> Self {
        let range = clamp(file.text(), span);
        let lines = line_of(file, range.start)..line_of(file, range.end) + 1;
        Mark {
            range,
            lines,
            primary,
            label,
        }
    }
}

/// Whole lines of a file and the marks on them: one snippet.
struct Window<'a> {
    lines: Range<usize>,
    marks: Vec<Mark<'a>>,
}

impl<'a> Window<'a> {
    /// The snippet of these lines alone, numbered as in the file, with the
    /// marks moved to match.
    fn snippet(self, file: &'a SourceFile) -> Snippet<'a, annotate_snippets::Annotation<'a>> {
        let text = file.text();
        let start = line_start(file, self.lines.start);
        let end = if self.lines.end < line_count(file) {
            line_start(file, self.lines.end)
        } else {
            text.len()
        };
        let mut snippet = Snippet::source(text.get(start..end).unwrap_or(""))
            .line_start(self.lines.start + 1)
            .path(file.name())
            .fold(true);
        for mark in self.marks {
            let range = mark.range.start - start..mark.range.end - start;
            let kind = if mark.primary {
                AnnotationKind::Primary
            } else {
                AnnotationKind::Context
            };
            let annotation = kind.span(range);
            snippet = snippet.annotation(match mark.label {
                Some(label) => annotation.label(label),
                None => annotation,
            });
        }
        snippet
    }
}

/// The marks of one file grouped into windows: marks whose lines are
/// within [`MAX_GAP`] of each other share one. The primary mark's window
/// comes first (its location heads the diagnostic), then the others in
/// line order.
fn windows(mut marks: Vec<Mark<'_>>) -> Vec<Window<'_>> {
    marks.sort_by_key(|m| (m.lines.start, m.lines.end));
    let mut out: Vec<Window<'_>> = Vec::new();
    for mark in marks {
        match out.last_mut() {
            Some(w) if mark.lines.start <= w.lines.end + MAX_GAP => {
                w.lines.end = w.lines.end.max(mark.lines.end);
                w.marks.push(mark);
            }
            _ => out.push(Window {
                lines: mark.lines.clone(),
                marks: vec![mark],
            }),
        }
    }
    if let Some(i) = out.iter().position(|w| w.marks.iter().any(|m| m.primary)) {
        let primary = out.remove(i);
        out.insert(0, primary);
    }
    out
}

/// Number of lines as `annotate-snippets` counts them: without the empty
/// line after a final line break, and at least one.
fn line_count(file: &SourceFile) -> usize {
    let n = file.lines().line_count();
    let n = if file.text().ends_with('\n') {
        n - 1
    } else {
        n
    };
    n.max(1)
}

/// The 0-based line of byte `offset`, as `annotate-snippets` places it: an
/// offset past the last line is on the last line.
fn line_of(file: &SourceFile, offset: usize) -> usize {
    let line = (file.line_col(offset).line as usize).saturating_sub(1);
    line.min(line_count(file) - 1)
}

/// The byte offset where 0-based `line` starts.
fn line_start(file: &SourceFile, line: usize) -> usize {
    let line = u32::try_from(line + 1).unwrap_or(u32::MAX);
    file.lines().line_range(file.text(), line).start
}

/// The span's byte range, made safe to slice `text` with: clamped to the
/// text and widened to character boundaries (a span may point at the first
/// invalid byte of a file shown through a lossy UTF-8 copy).
fn clamp(text: &str, span: Span) -> Range<usize> {
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
        let ends = map.add("ends.route", "rule a\n\nrule b\r\n");
        let d = [
            Diagnostic::new(Code::E013, "too big", Span::new(empty, 0, 0)),
            Diagnostic::new(Code::E001, "not UTF-8", Span::new(bad, 5, 6)),
            Diagnostic::new(Code::E001, "past the end", Span::new(bad, 400, 500)),
            Diagnostic::new(Code::E001, "no such file", Span::new(FileId(9), 0, 1)),
            Diagnostic::new(Code::E001, "at the end", Span::new(ends, 16, 16)),
            Diagnostic::new(Code::E001, "over lines", Span::new(ends, 2, 15)),
        ];
        let out = render_all(&map, &d, false);
        assert!(out.contains("error[E013]: too big"), "{out}");
        assert!(out.contains("bad.route:1:6"), "{out}");
        assert!(out.contains("error[E001]: no such file"), "{out}");
        assert!(out.contains("error[E001]: over lines"), "{out}");
    }

    /// What a snippet shows does not depend on whether it was given the
    /// whole file or only the lines around its spans.
    #[test]
    fn a_window_draws_what_the_whole_file_would() {
        /// A primary span and the labels' spans.
        type Case = (Range<usize>, Vec<Range<usize>>);
        let mut text = String::new();
        for i in 0..300 {
            text.push_str(&format!("rule r{i}: when tier == \"t{i}\" -> m\n"));
        }
        let crlf = "rule a\r\n\r\nrule b\r\nrule c";
        let at = |text: &str, needle: &str| {
            let start = text.find(needle).expect("in the text");
            start..start + needle.len()
        };
        let end = text.len();
        let cases: Vec<(&str, Case)> = vec![
            // One line; two lines close together; a span over three lines
            // with a label after it; the last line; the end of the file.
            (&text, (at(&text, "\"t150\""), vec![])),
            (&text, (at(&text, "\"t150\""), vec![at(&text, "r147")])),
            (
                &text,
                (
                    at(&text, "r20:").start..at(&text, "r22:").end,
                    vec![at(&text, "r25:")],
                ),
            ),
            (&text, (at(&text, "\"t299\""), vec![])),
            (&text, (end..end, vec![at(&text, "r290")])),
            (&text, (end - 1..end, vec![])),
            // Carriage returns, a blank line, no final line break.
            (crlf, (at(crlf, "b"), vec![at(crlf, "a")])),
            (crlf, (2..crlf.len(), vec![])),
            (crlf, (crlf.len()..crlf.len(), vec![])),
            ("", (0..0, vec![])),
        ];
        for (text, (primary, labels)) in cases {
            let mut map = SourceMap::new();
            let id = map.add("f.route", text);
            let span = |r: &Range<usize>| Span::new(id, r.start, r.end);
            let mut d = Diagnostic::new(Code::E004, "x", span(&primary));
            let mut whole = Snippet::source(text)
                .path("f.route")
                .fold(true)
                .annotation(AnnotationKind::Primary.span(primary.clone()));
            for label in &labels {
                d = d.with_label(span(label), "here");
                whole = whole.annotation(AnnotationKind::Context.span(label.clone()).label("here"));
            }
            let title = Level::ERROR.primary_title("x").id("E004");
            let expected = Renderer::plain().render(&[Group::with_title(title).element(whole)]);
            let got = render_all(&map, &[d], false);
            assert_eq!(got, format!("{expected}\n\n"), "{primary:?} {labels:?}");
        }
    }

    /// Spans far apart in one file: a snippet each, the primary first; and
    /// the text handed to the renderer does not grow with the file.
    #[test]
    fn far_apart_spans_get_snippets_of_their_own() {
        let mut text = String::from("context { tier: \"free\" | \"pro\" }\n");
        for i in 0..5_000 {
            text.push_str(&format!("rule r{i}: when tier == \"pro\" -> m\n"));
        }
        let mut map = SourceMap::new();
        let id = map.add("big.route", text.as_str());
        let file = map.file(id).expect("the file");
        let primary = Span::new(id, text.len() - 10, text.len() - 5);
        let label = Span::new(id, 10, 14);
        let marks = vec![
            Mark::new(file, primary, true, None),
            Mark::new(file, label, false, Some("declared here")),
        ];
        let windows = windows(marks);
        assert_eq!(windows.len(), 2);
        assert!(windows[0].marks[0].primary);
        for w in &windows {
            assert_eq!(w.lines.len(), 1);
        }
        let d = Diagnostic::new(Code::E004, "x", primary).with_label(label, "declared here");
        let out = render_all(&map, &[d], false);
        assert!(out.contains("--> big.route:5001:"), "{out}");
        assert!(out.contains("::: big.route:1:11"), "{out}");
    }

    #[test]
    fn excerpts_have_no_title() {
        let (map, id) = testing::sources();
        let span = testing::span_of(id, "tier == \"enterprize\"");
        let out = excerpt(&map, span, "tier = \"pro\"", false).expect("in the map");
        assert!(out.starts_with(" --> rules/main.route:2:12"), "{out}");
        assert!(out.contains("^^^^ tier = \"pro\""), "{out}");
        assert!(excerpt(&map, Span::new(FileId(7), 0, 1), "", false).is_none());
    }

    #[test]
    fn clamp_widens_to_char_boundaries() {
        let text = "aç";
        assert_eq!(clamp(text, Span::new(FileId(0), 2, 2)), 1..3);
        assert_eq!(clamp(text, Span::new(FileId(0), 0, 2)), 0..3);
        assert_eq!(clamp(text, Span::new(FileId(0), 9, 12)), 3..3);
    }
}
