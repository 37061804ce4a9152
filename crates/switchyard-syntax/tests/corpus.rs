//! The rule-file corpus (`corpus/` at the repository's top), as far as the
//! parser is concerned.
//!
//! `corpus/good/` holds rulesets that must parse (a folder there is one
//! ruleset of several files); `corpus/good-parse-only/` likewise.
//! `corpus/bad/` holds one file per way to get a ruleset wrong, each
//! starting with a header line `# expect: CODE LINE:COLUMN` (1-based, columns
//! in characters) naming the diagnostic it must produce and where its primary
//! span starts.
//!
//! The parser reports E001 (syntax), E013 (limits) and E009 for a weight
//! finer than 0.01%; those files must fail to parse with that code at that
//! position. Every other bad file must parse cleanly: its problem is found by
//! the checker (`crates/switchyard-check/tests/corpus.rs` checks those).
//!
//! All mismatches are collected and reported together.

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    reason = "tests"
)]

use std::fs;

use switchyard_syntax::{parse_sources, Code, Limits, LineCol, ParseError, ParseErrors, SourceMap};
use switchyard_testing::corpus::{
    entries, expectation, finish, load, root, short, start, without_header,
};

/// Bad files whose E009 comes from the parser (a weight with too many
/// decimals) rather than from the checker (weights not adding up to 100%).
const PARSER_E009: &[&str] = &["weight-precision"];

/// `E001 at 3:14 (unterminated string)` for every error, one per line.
fn describe(sources: &SourceMap, errors: &ParseErrors) -> String {
    errors
        .iter()
        .map(|e| {
            let at = start(sources, e.span());
            format!("      {} at {}:{} ({e})", e.code(), at.line, at.column)
        })
        .collect::<Vec<_>>()
        .join("\n")
}

#[test]
fn good_files_parse() {
    let mut failures = Vec::new();
    let mut checked = 0;
    for dir in ["good", "good-parse-only"] {
        let dir = root().join(dir);
        if !dir.exists() {
            continue;
        }
        for path in entries(&dir) {
            checked += 1;
            let sources = load(&path);
            if let Err(errors) = parse_sources(&sources, &Limits::default()) {
                failures.push(format!(
                    "{}: does not parse:\n{}",
                    short(&path),
                    describe(&sources, &errors)
                ));
            }
        }
    }
    finish("good rulesets", checked, failures);
}

#[test]
fn bad_files_fail_where_expected() {
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
        let by_parser = match expect.code.as_str() {
            "E001" | "E013" | "E020" | "E021" => true,
            "E009" => PARSER_E009.iter().any(|n| name.contains(n)),
            _ => false,
        };
        let mut sources = SourceMap::new();
        sources.add_bytes(name.clone(), without_header(&path, bytes));
        let result = parse_sources(&sources, &Limits::default());
        match (by_parser, result) {
            (true, Ok(_)) => failures.push(format!(
                "{name}: expected {expect}, but the file parsed without error"
            )),
            (true, Err(errors)) => {
                let hit = errors.iter().any(|e| {
                    e.code().as_str() == expect.code && start(&sources, e.span()) == expect.at
                });
                if !hit {
                    failures.push(format!(
                        "{name}: expected {expect}, got:\n{}",
                        describe(&sources, &errors)
                    ));
                }
            }
            (false, Ok(_)) => {}
            (false, Err(errors)) => failures.push(format!(
                "{name}: expected {expect} from the checker, so the file should parse, but got:\n{}",
                describe(&sources, &errors)
            )),
        }
    }
    finish("bad files", checked, failures);
}

/// Every header position lies inside its file, so a typo in a header is not
/// mistaken for a wrong parser position.
#[test]
fn headers_point_into_their_files() {
    let mut failures = Vec::new();
    let mut checked = 0;
    for path in entries(&root().join("bad")) {
        checked += 1;
        let bytes = fs::read(&path).expect("readable");
        let Ok(expect) = expectation(&bytes) else {
            continue; // reported by bad_files_fail_where_expected
        };
        let text = String::from_utf8_lossy(&bytes);
        let lines: Vec<&str> = text.split('\n').collect();
        let line = lines.get(expect.at.line as usize - 1);
        // A column may point one past the end of its line (end of file, a
        // missing token at the end of a line).
        let fits = line.is_some_and(|l| expect.at.column as usize <= l.chars().count() + 1);
        if !fits {
            failures.push(format!("{}: {expect} is outside the file", short(&path)));
        }
    }
    finish("bad files", checked, failures);
}

/// A file over the 4 MiB default is refused before parsing, at 1:1. Too big
/// to commit, so the text is made here.
#[test]
fn file_size_limit() {
    let limit = Limits::default().max_file_bytes;
    let mut text = String::from("rule default: otherwise -> \"openai/gpt-4o-mini\"\n");
    let filler = "# padding to go past the file-size limit, which is 4 MiB by default\n";
    while text.len() <= limit {
        text.push_str(filler);
    }
    let mut sources = SourceMap::new();
    sources.add("huge.route", text);
    let errors = parse_sources(&sources, &Limits::default()).expect_err("over the limit");
    let first = errors.first().expect("at least one error");
    assert_eq!(first.code(), Code::E013, "{errors}");
    assert!(
        matches!(
            first,
            ParseError::Limit {
                kind: switchyard_syntax::LimitKind::FileSize,
                ..
            }
        ),
        "{first:?}"
    );
    assert_eq!(
        start(&sources, first.span()),
        LineCol { line: 1, column: 1 }
    );
    assert_eq!(
        errors.iter().count(),
        1,
        "only the size is reported: {errors}"
    );
}

/// The number of rules is limited across all files of a ruleset; the first
/// rule past the limit is reported.
#[test]
fn rule_count_limit() {
    let limits = Limits {
        max_rules: 3,
        ..Limits::default()
    };
    let mut sources = SourceMap::new();
    sources.add(
        "a.route",
        "model mini = \"openai/gpt-4o-mini\"\nrule a: otherwise -> mini\nrule b: otherwise -> mini\n",
    );
    sources.add(
        "b.route",
        "rule c: otherwise -> mini\nrule d: otherwise -> mini\n",
    );
    let errors = parse_sources(&sources, &limits).expect_err("4 rules, limit 3");
    let hit = errors.iter().find(|e| e.code() == Code::E013);
    let Some(hit) = hit else {
        panic!("no E013 among: {errors}");
    };
    let (file, at, _) = sources.locate(hit.span()).expect("located");
    assert_eq!(
        (file, at),
        ("b.route", LineCol { line: 2, column: 1 }),
        "the fourth rule should be reported: {errors}"
    );
    // Three rules are fine.
    let mut ok = SourceMap::new();
    ok.add(
        "a.route",
        "rule a: otherwise -> m\nrule b: otherwise -> m\nrule c: otherwise -> m\n",
    );
    assert!(parse_sources(&ok, &limits).is_ok());
}

/// The depth limit is a setting: the 100-deep `not` chain of the corpus
/// parses under a limit of 128 (and fails under the default, see above).
#[test]
fn depth_limit_is_configurable() {
    let path = root().join("bad");
    let deep_not = entries(&path)
        .into_iter()
        .find(|p| short(p).ends_with("deep-not.route"))
        .expect("the deep-not corpus file");
    let sources = load(&deep_not);
    let raised = Limits {
        max_depth: 128,
        ..Limits::default()
    };
    if let Err(errors) = parse_sources(&sources, &raised) {
        panic!(
            "100 nested `not`s should parse with max_depth 128:\n{}",
            describe(&sources, &errors)
        );
    }
    let lowered = Limits {
        max_depth: 8,
        ..Limits::default()
    };
    let mut shallow = SourceMap::new();
    shallow.add(
        "shallow.route",
        "rule r: when ((((((((( true ))))))))) -> \"openai/gpt-4o-mini\"\n",
    );
    let errors = parse_sources(&shallow, &lowered).expect_err("9 parentheses, limit 8");
    let depth = errors
        .iter()
        .find(|e| e.code() == Code::E013)
        .unwrap_or_else(|| panic!("no E013 among: {errors}"));
    // The ninth `(` is the first past the limit.
    assert_eq!(
        start(&shallow, depth.span()),
        LineCol {
            line: 1,
            column: 22
        },
        "{errors}"
    );
}
