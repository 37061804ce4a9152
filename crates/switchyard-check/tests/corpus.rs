//! The rule-file corpus (`corpus/` at the repository's top), parsed and
//! checked: every bad file must produce the diagnostic its header names
//! (`# expect: CODE LINE:COLUMN`, 1-based, columns in characters) with its
//! primary span starting there, whether the parser or the checker finds it;
//! every good ruleset must check without errors (warnings are allowed); and
//! `examples/openrouter.route` must check without any diagnostic at all.
//!
//! All mismatches are collected and reported together.

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    reason = "tests"
)]

use std::fs;
use std::path::{Path, PathBuf};

use switchyard_syntax::{parse_sources, Code, Diagnostic, Limits, LineCol, Severity, SourceMap};
use switchyard_testing::corpus::{
    entries, expectation, finish, load, root, short, start, without_header,
};

fn example() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../../examples/openrouter.route")
}

/// Parses and, if that succeeds, checks a ruleset: every diagnostic. An
/// error withholds the checked ruleset; without one, it is given.
fn diagnostics(sources: &SourceMap) -> Vec<Diagnostic> {
    match parse_sources(sources, &Limits::default()) {
        Ok(files) => {
            let checked = switchyard_check::check(&files);
            let errors = checked
                .diagnostics
                .iter()
                .any(|d| d.severity() == Severity::Error);
            assert_eq!(
                checked.ruleset.is_none(),
                errors,
                "a ruleset must be given exactly when there is no error: {:?}",
                checked.diagnostics
            );
            checked.diagnostics
        }
        Err(errors) => errors.diagnostics(),
    }
}

/// `E001 at 3:14: message` for every diagnostic, one per line.
fn describe(sources: &SourceMap, diags: &[Diagnostic]) -> String {
    if diags.is_empty() {
        return "      (no diagnostics)".into();
    }
    diags
        .iter()
        .map(|d| {
            let at = start(sources, d.span);
            let file = sources.locate(d.span).map(|(f, _, _)| f).unwrap_or("?");
            format!(
                "      {} at {file}:{}:{}: {}",
                d.code, at.line, at.column, d.message
            )
        })
        .collect::<Vec<_>>()
        .join("\n")
}

#[test]
fn bad_files_report_the_expected_diagnostic() {
    let mut failures = Vec::new();
    let mut checked = 0;
    for path in entries(&root().join("bad")) {
        checked += 1;
        let name = short(&path);
        let bytes = fs::read(&path).unwrap_or_else(|e| panic!("cannot read {name}: {e}"));
        let expect = match expectation(&bytes) {
            Ok(e) => e,
            Err(e) => {
                failures.push(format!("{name}: {e}"));
                continue;
            }
        };
        let mut sources = SourceMap::new();
        sources.add_bytes(name.clone(), without_header(&path, bytes));
        let diags = diagnostics(&sources);
        let hit = diags
            .iter()
            .any(|d| d.code.as_str() == expect.code && start(&sources, d.span) == expect.at);
        if !hit {
            failures.push(format!(
                "{name}: expected {expect}, got:\n{}",
                describe(&sources, &diags)
            ));
        }
    }
    finish("bad files", checked, failures);
}

#[test]
fn good_files_check_without_errors() {
    let mut failures = Vec::new();
    let mut checked = 0;
    for path in entries(&root().join("good")) {
        checked += 1;
        let sources = load(&path);
        let diags = diagnostics(&sources);
        if diags.iter().any(|d| d.severity() == Severity::Error) {
            failures.push(format!(
                "{}: expected no errors, got:\n{}",
                short(&path),
                describe(&sources, &diags)
            ));
        }
    }
    finish("good rulesets", checked, failures);
}

#[test]
fn example_is_clean() {
    let path = example();
    let bytes = fs::read(&path).unwrap_or_else(|e| panic!("cannot read {}: {e}", path.display()));
    let mut sources = SourceMap::new();
    sources.add_bytes("examples/openrouter.route", bytes);
    let diags = diagnostics(&sources);
    assert!(
        diags.is_empty(),
        "examples/openrouter.route should have no diagnostics at all, got:\n{}",
        describe(&sources, &diags)
    );
}

/// A file over the 4 MiB default is refused at 1:1 with E013, also through
/// the checker's entry path. Too big to commit, so the text is made here.
#[test]
fn file_size_limit() {
    let limit = Limits::default().max_file_bytes;
    let mut text = String::with_capacity(limit + 128);
    text.push_str("rule default: otherwise -> \"openai/gpt-4o-mini\"\n");
    while text.len() <= limit {
        text.push_str("# padding past the 4 MiB file-size limit\n");
    }
    let mut sources = SourceMap::new();
    sources.add("huge.route", text);
    let diags = diagnostics(&sources);
    assert!(
        diags
            .iter()
            .any(|d| d.code == Code::E013
                && start(&sources, d.span) == LineCol { line: 1, column: 1 }),
        "expected E013 at 1:1, got:\n{}",
        describe(&sources, &diags)
    );
}
