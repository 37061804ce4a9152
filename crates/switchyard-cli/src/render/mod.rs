//! Diagnostic renderers, one file per output format (as ruff does),
//! [`decision`], the human text of `eval`'s decisions and explanations, and
//! [`chart`], the numbers and bar charts of `bench` and `diff`.
//!
//! Every renderer takes a list of [`Item`]s: a diagnostic together with the
//! source map its spans point into. Several rulesets (several `PATH`s) each
//! have their own map, so one output can mix them.

pub mod chart;
pub mod decision;
pub mod github;
pub mod human;
pub mod json;
pub mod sarif;

use switchyard_syntax::{Diagnostic, LineCol, SourceMap, Span};

use crate::cli::Format;

/// One diagnostic and the sources it refers to.
#[derive(Clone, Copy, Debug)]
pub struct Item<'a> {
    /// The files the diagnostic's spans point into.
    pub sources: &'a SourceMap,
    /// The diagnostic.
    pub diagnostic: &'a Diagnostic,
}

/// Pairs each of `diagnostics` with `sources`, the one map their spans point
/// into.
pub fn items<'a>(sources: &'a SourceMap, diagnostics: &'a [Diagnostic]) -> Vec<Item<'a>> {
    diagnostics
        .iter()
        .map(|diagnostic| Item {
            sources,
            diagnostic,
        })
        .collect()
}

/// The diagnostic's message, followed by its help (if any) on a line of its
/// own: `message\nhelp: ...`, for the formats that have no place for help.
pub fn message_with_help(d: &Diagnostic) -> String {
    let mut text = d.message.clone();
    if let Some(help) = &d.help {
        text.push_str("\nhelp: ");
        text.push_str(help);
    }
    text
}

/// Renders `items` in `format`. `color` only matters to [`Format::Human`].
/// The result ends with a line break unless it is empty.
pub fn render(format: Format, items: &[Item<'_>], color: bool) -> String {
    match format {
        Format::Human => human::render(items, color),
        Format::Json => json::render(items),
        Format::Github => github::render(items),
        Format::Sarif => sarif::render(items),
    }
}

/// A span as file name and 1-based start and end positions (the end is the
/// position just past the last character, as editors count).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Location<'a> {
    /// The file name as given on the command line.
    pub file: &'a str,
    /// Line and column of the first character.
    pub start: LineCol,
    /// Line and column just past the last character.
    pub end: LineCol,
}

/// Resolves a span; a span into no known file (a bug elsewhere) is shown at
/// `<unknown>:1:1` rather than dropped. The span is [`trim`]med first.
pub fn locate(sources: &SourceMap, span: Span) -> Location<'_> {
    match sources.locate(trim(sources, span)) {
        Some((file, start, end)) => Location { file, start, end },
        None => {
            let origin = LineCol { line: 1, column: 1 };
            Location {
                file: "<unknown>",
                start: origin,
                end: origin,
            }
        }
    }
}

/// The span without the whitespace it may end with (a target's span that
/// runs on to the next line), so that every format shows the same, tight
/// range. A span of whitespace only is left as it is.
pub fn trim(sources: &SourceMap, span: Span) -> Span {
    let Some(text) = sources
        .file(span.file)
        .and_then(|f| f.text().get(span.range()))
    else {
        return span;
    };
    let kept = text.trim_end().len();
    if kept == 0 {
        return span;
    }
    Span::new(span.file, span.range().start, span.range().start + kept)
}

#[cfg(test)]
pub(crate) mod testing {
    //! Hand-built diagnostics shared by the renderers' tests.

    use switchyard_syntax::{Code, Diagnostic, FileId, SourceMap, Span};

    /// A small ruleset source.
    pub const SOURCE: &str = "\
context { tier: \"free\" | \"pro\" }
rule paid: tier == \"enterprize\" -> \"openai/gpt-4o\"
rule default: otherwise -> \"openai/gpt-4o-mini\"
";

    /// The source map holding [`SOURCE`] as `rules/main.route`, and its id.
    pub fn sources() -> (SourceMap, FileId) {
        let mut map = SourceMap::new();
        let id = map.add("rules/main.route", SOURCE);
        (map, id)
    }

    /// The span of the first occurrence of `needle` in [`SOURCE`].
    pub fn span_of(file: FileId, needle: &str) -> Span {
        let start = SOURCE.find(needle).expect("needle in source");
        Span::new(file, start, start + needle.len())
    }

    #[test]
    fn trailing_whitespace_is_trimmed_from_spans() {
        let (map, id) = sources();
        let rule = span_of(id, "rule default");
        let padded = Span::new(id, rule.range().start, SOURCE.len());
        let trimmed = super::trim(&map, padded);
        assert_eq!(trimmed.range().end, SOURCE.len() - 1);
        let at = super::locate(&map, padded);
        assert_eq!((at.end.line, at.end.column), (3, 48));
        let blank = Span::new(id, SOURCE.len() - 1, SOURCE.len());
        assert_eq!(super::trim(&map, blank), blank);
    }

    /// An E004 error with help and a secondary label, and a W106 warning.
    pub fn diagnostics(file: FileId) -> Vec<Diagnostic> {
        vec![
            Diagnostic::new(
                Code::E004,
                "`\"enterprize\"` is not a value of `tier`",
                span_of(file, "\"enterprize\""),
            )
            .with_help("did you mean `\"pro\"`?")
            .with_label(
                span_of(file, "\"free\" | \"pro\""),
                "`tier` is declared here",
            ),
            Diagnostic::new(
                Code::W106,
                "rule `default` has no `max_tokens`",
                span_of(file, "rule default"),
            ),
        ]
    }
}
