//! Diagnostics as text, one file per output format (as ruff does): the
//! same renderers the `switchyard` command line prints with, so a host
//! shows a ruleset's errors exactly as `switchyard check` would.
//!
//! - [`human`]: rustc-style text with source snippets, optionally coloured;
//! - [`json`]: one JSON array of objects (docs/cli.md);
//! - [`github`]: GitHub Actions workflow commands;
//! - [`sarif`]: SARIF 2.1.0, for code-scanning tools.
//!
//! [`outcomes`] places `test` outcomes in their files, as `switchyard test
//! --format json` reports them.
//!
//! Every renderer takes a list of [`Item`]s: a diagnostic together with the
//! source map its spans point into. Several rulesets each have their own
//! map, so one output can mix them. Rendering is linear in the number of
//! diagnostics and the size of the files: a snippet is drawn from the lines
//! around its spans, never from the whole file.
//!
//! ```
//! use switchyard::{render, RulesetError};
//! let Err(RulesetError::Invalid { diagnostics, sources }) =
//!     switchyard::CompiledTable::from_source("rule r: when tier == \"pro\" -> \"m/x\"")
//! else {
//!     panic!("the ruleset has an error");
//! };
//! let text = render::human::render(&render::items(&sources, &diagnostics), false);
//! assert!(text.starts_with("error[E002]: unknown field `tier`"), "{text}");
//! ```

pub mod github;
pub mod human;
pub mod json;
pub mod outcomes;
pub mod sarif;

use switchyard_syntax::{Diagnostic, LineCol, SourceMap, Span};

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
pub(crate) fn message_with_help(d: &Diagnostic) -> String {
    let mut text = d.message.clone();
    if let Some(help) = &d.help {
        text.push_str("\nhelp: ");
        text.push_str(help);
    }
    text
}

/// A span as file name and 1-based start and end positions (the end is the
/// position just past the last character, as editors count).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Location<'a> {
    /// The file name as the sources give it (the path as given).
    pub file: &'a str,
    /// Line and column of the first character.
    pub start: LineCol,
    /// Line and column just past the last character.
    pub end: LineCol,
}

/// Resolves a span; a span into no known file (a bug elsewhere) is shown at
/// `<unknown>:1:1` rather than dropped. White space the span ends with is
/// left out first, so that every format shows the same, tight range.
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
pub(crate) fn trim(sources: &SourceMap, span: Span) -> Span {
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
