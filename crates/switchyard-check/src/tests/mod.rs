//! Unit tests: warnings with the line and column of their primary span, and
//! rulesets that check cleanly. The errors, one file per case, are in the
//! corpus (`corpus/bad/`, run by `tests/corpus.rs`), with what they print
//! pinned beside them.

mod levels;
mod passing;
mod warnings;

use switchyard_syntax::{Diagnostic, FileId, Limits, SourceMap};

use crate::Checked;

/// Lines 1-11 of every case; the case itself starts on line 12.
pub(crate) const HEADER: &str = r#"context {
  tier: "free" | "pro" | "enterprise" = "free"
  budget: float = 0.0
  tokens: int = 0
  flag: bool = false
  prompt: string = ""
  user: string
}
model mini = "openai/gpt-4o-mini"
model claude = "anthropic/claude-3.5-sonnet"
defaults max_tokens 100
"#;

/// Parses and checks one file.
pub(crate) fn run(src: &str) -> (SourceMap, Checked) {
    let mut sources = SourceMap::new();
    sources.add("test.route", src);
    let checked = check_sources(&sources);
    (sources, checked)
}

/// Parses every file and, when they parse, checks them (with the default
/// options: the condition analysis on). Hosts and the CLI go through
/// `switchyard_eval::check`; these tests of the check stage alone cannot.
pub(crate) fn check_sources(sources: &SourceMap) -> Checked {
    match switchyard_syntax::parse_sources(sources, &Limits::default()) {
        Ok(files) => crate::check(&files),
        Err(errors) => Checked {
            ruleset: None,
            diagnostics: errors.diagnostics(),
        },
    }
}

/// `HEADER` followed by `case`.
pub(crate) fn with_header(case: &str) -> String {
    format!("{HEADER}{case}\n")
}

/// `E004@12:20 message (help: ...)` for each diagnostic.
fn describe(sources: &SourceMap, diagnostics: &[Diagnostic]) -> Vec<String> {
    diagnostics
        .iter()
        .map(|d| match sources.locate(d.span) {
            Some((_, start, _)) => format!(
                "{}@{}:{} {} (help: {})",
                d.code,
                start.line,
                start.column,
                d.message,
                d.help.as_deref().unwrap_or("-")
            ),
            None => format!("{} {}", d.code, d.message),
        })
        .collect()
}

/// Asserts that checking `src` reports `code` with its primary span
/// starting at `line`:`column`, and returns that diagnostic.
#[track_caller]
pub(crate) fn expect(src: &str, code: &str, line: u32, column: u32) -> Diagnostic {
    let (sources, checked) = run(src);
    let all = describe(&sources, &checked.diagnostics);
    let found = checked.diagnostics.iter().find(|d| {
        d.code.as_str() == code
            && sources
                .locate(d.span)
                .is_some_and(|(_, start, _)| start.line == line && start.column == column)
    });
    match found {
        Some(d) => {
            if d.severity() == switchyard_syntax::Severity::Error {
                assert!(
                    checked.ruleset.is_none(),
                    "an error must withhold the ruleset"
                );
            }
            d.clone()
        }
        None => panic!("expected {code} at {line}:{column}, got {all:#?}\nsource:\n{src}"),
    }
}

/// [`expect`] for a case after [`HEADER`] (on line 12).
#[track_caller]
pub(crate) fn expect_case(case: &str, code: &str, column: u32) -> Diagnostic {
    expect(&with_header(case), code, 12, column)
}

/// Asserts that `src` checks with no diagnostic at all.
#[track_caller]
pub(crate) fn clean(src: &str) -> crate::Ruleset {
    let (sources, checked) = run(src);
    let all = describe(&sources, &checked.diagnostics);
    assert!(all.is_empty(), "expected no diagnostics, got {all:#?}");
    match checked.ruleset {
        Some(r) => r,
        None => panic!("no ruleset"),
    }
}

/// Asserts that `src` checks with no error, and returns the ruleset and the
/// codes of the warnings.
#[track_caller]
pub(crate) fn no_errors(src: &str) -> (crate::Ruleset, Vec<String>) {
    let (sources, checked) = run(src);
    let all = describe(&sources, &checked.diagnostics);
    match checked.ruleset {
        Some(r) => (
            r,
            checked
                .diagnostics
                .iter()
                .map(|d| d.code.to_string())
                .collect(),
        ),
        None => panic!("expected no errors, got {all:#?}"),
    }
}

#[test]
fn parser_smoke() {
    let parsed = switchyard_syntax::parse(
        "rule r: otherwise -> \"a/b\"",
        FileId(0),
        &Limits::default(),
    );
    assert!(parsed.is_ok(), "{parsed:?}");
}
