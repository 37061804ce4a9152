//! The rule-file corpus, as far as the parser is concerned.
//!
//! `tests/corpus/good/` holds rulesets that must parse (a folder there is one
//! ruleset of several files); `tests/corpus/good-parse-only/` likewise.
//! `tests/corpus/bad/` holds one file per way to get a ruleset wrong, each
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
use std::path::{Path, PathBuf};

use switchyard_syntax::{
    parse_sources, Code, Limits, LineCol, ParseError, ParseErrors, SourceMap, Span,
};

/// Bad files whose E009 comes from the parser (a weight with too many
/// decimals) rather than from the checker (weights not adding up to 100%).
const PARSER_E009: &[&str] = &["weight-precision"];

fn corpus() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/corpus")
}

/// What a bad file's header says.
#[derive(Debug)]
struct Expect {
    code: String,
    at: LineCol,
}

impl std::fmt::Display for Expect {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{} at {}:{}", self.code, self.at.line, self.at.column)
    }
}

/// Reads `# expect: E005 7:24` from the first line of a file.
fn expectation(bytes: &[u8]) -> Result<Expect, String> {
    let first = bytes.split(|&b| b == b'\n').next().unwrap_or_default();
    let first = String::from_utf8_lossy(first);
    let rest = first
        .trim_end()
        .strip_prefix("# expect:")
        .ok_or_else(|| format!("first line is not `# expect: CODE LINE:COL`: {first:?}"))?;
    let mut words = rest.split_whitespace();
    let (Some(code), Some(pos)) = (words.next(), words.next()) else {
        return Err(format!("header needs a code and a position: {first:?}"));
    };
    let (line, column) = pos
        .split_once(':')
        .and_then(|(l, c)| Some((l.parse().ok()?, c.parse().ok()?)))
        .ok_or_else(|| format!("bad position `{pos}` in header"))?;
    if !Code::ALL.iter().any(|c| c.as_str() == code) {
        return Err(format!("unknown code `{code}` in header"));
    }
    Ok(Expect {
        code: code.to_string(),
        at: LineCol { line, column },
    })
}

/// The `.route` files and folders directly in `dir`, sorted by name.
fn entries(dir: &Path) -> Vec<PathBuf> {
    let mut out: Vec<PathBuf> = fs::read_dir(dir)
        .unwrap_or_else(|e| panic!("cannot read {}: {e}", dir.display()))
        .map(|e| e.expect("directory entry").path())
        .filter(|p| p.is_dir() || p.extension().is_some_and(|e| e == "route"))
        .collect();
    out.sort();
    out
}

/// Short name of a corpus path, for messages.
fn short(path: &Path) -> String {
    path.strip_prefix(corpus())
        .unwrap_or(path)
        .display()
        .to_string()
}

/// Loads a file, or every `.route` file of a folder in name order, as bytes.
fn load(path: &Path) -> SourceMap {
    let mut sources = SourceMap::new();
    let files = if path.is_dir() {
        entries(path)
    } else {
        vec![path.to_path_buf()]
    };
    for file in files {
        let bytes =
            fs::read(&file).unwrap_or_else(|e| panic!("cannot read {}: {e}", file.display()));
        sources.add_bytes(short(&file), bytes);
    }
    sources
}

fn start(sources: &SourceMap, span: Span) -> LineCol {
    sources
        .locate(span)
        .map(|(_, start, _)| start)
        .unwrap_or(LineCol { line: 0, column: 0 })
}

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

fn finish(what: &str, checked: usize, failures: Vec<String>) {
    assert!(checked > 0, "no {what} found under {}", corpus().display());
    assert!(
        failures.is_empty(),
        "{} of {checked} {what} failed:\n\n{}\n",
        failures.len(),
        failures.join("\n\n")
    );
}

#[test]
fn good_files_parse() {
    let mut failures = Vec::new();
    let mut checked = 0;
    for dir in ["good", "good-parse-only"] {
        let dir = corpus().join(dir);
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
    for path in entries(&corpus().join("bad")) {
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
            "E001" | "E013" => true,
            "E009" => PARSER_E009.iter().any(|n| name.contains(n)),
            _ => false,
        };
        let mut sources = SourceMap::new();
        sources.add_bytes(name.clone(), bytes);
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
    for path in entries(&corpus().join("bad")) {
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
    let path = corpus().join("bad");
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
