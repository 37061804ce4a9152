//! `switchyard test PATH... [--at T] [--catalog FILE] [--format human|json]`:
//! run the `test` lines of each ruleset (loaded with the catalog, when
//! given, for `require` and `cheapest`).
//!
//! The human format prints, per ruleset, `running N tests in PATH` (or `no
//! tests in PATH`), then `ok   NAME` or `FAIL NAME: why` per test, and
//! ends with exactly one line `N passed, M failed` over every ruleset (CI
//! tooling reads that form). The json format prints one JSON object on
//! standard output and the same `N passed, M failed` line on standard error.
//!
//! Decisions are made at `--at` (Unix seconds) if given, else now: tests of
//! rules that read `hour` or `weekday` should pass `--at`.

use std::path::Path;

use serde::Serialize;
use switchyard::SourceMap;
use switchyard::TestOutcome;

use crate::cli::{ReportFormat, TestArgs};
use crate::output::{plural, Status, Stream};
use switchyard::render::locate;
use switchyard::render::outcomes::{located, Located};

/// One ruleset's results, for the json format: `tests`, or the `error`
/// that kept them from running.
#[derive(Serialize)]
struct RulesetReport<'a> {
    path: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    error: Option<String>,
    tests: Vec<Located<'a>>,
}

/// The json format's document.
#[derive(Serialize)]
struct Report<'a> {
    rulesets: Vec<RulesetReport<'a>>,
    passed: usize,
    failed: usize,
}

/// A ruleset's sources and test outcomes.
struct Ran {
    sources: SourceMap,
    outcomes: Vec<TestOutcome>,
}

/// Runs the command.
pub fn run(args: &TestArgs) -> Status {
    let human = args.format == ReportFormat::Human;
    let color = Stream::Stdout.color();
    let mut status = Status::Success;
    let mut not_loaded = 0usize;
    // Kept for the json format, which prints once at the end.
    let mut ran: Vec<(&Path, Result<Ran, String>)> = Vec::new();
    let options = match super::load_options(args.catalog.as_deref(), &args.lints) {
        Ok(options) => options,
        Err(status) => return status,
    };

    for path in &args.paths {
        let result = match super::load_ruleset(path, &options) {
            Ok((table, _warnings)) => Ok(Ran {
                outcomes: table.run_tests(args.at),
                sources: table.sources().clone(),
            }),
            Err((s, reason)) => {
                status = status.max(s);
                not_loaded += 1;
                Err(reason)
            }
        };
        if human {
            if let Ok(r) = &result {
                Stream::Stdout.write(&human_report(path, r, color));
            }
        }
        ran.push((path, result));
    }

    let all = ran
        .iter()
        .filter_map(|(_, r)| r.as_ref().ok())
        .flat_map(|r| &r.outcomes);
    let (passed, failed) = all.fold(
        (0, 0),
        |(p, f), o| {
            if o.passed {
                (p + 1, f)
            } else {
                (p, f + 1)
            }
        },
    );
    if failed > 0 {
        status = status.max(Status::Findings);
    }
    if not_loaded > 0 {
        Stream::Stderr.line(&format!(
            "error: {} not loaded: {} tests did not run",
            plural(not_loaded, "ruleset"),
            if not_loaded == 1 { "its" } else { "their" }
        ));
    }

    let summary = format!("{passed} passed, {failed} failed");
    if human {
        Stream::Stdout.line(&summary);
    } else {
        Stream::Stdout.line(&json_report(&ran, passed, failed));
        Stream::Stderr.line(&summary);
    }
    status
}

/// The human format's lines for one ruleset.
fn human_report(path: &Path, ran: &Ran, color: bool) -> String {
    let path = path.display();
    if ran.outcomes.is_empty() {
        return format!("no tests in {path}\n");
    }
    let (ok, fail) = if color {
        ("\u{1b}[32mok\u{1b}[0m  ", "\u{1b}[1;31mFAIL\u{1b}[0m")
    } else {
        ("ok  ", "FAIL")
    };
    let mut out = format!("running {} in {path}\n", plural(ran.outcomes.len(), "test"));
    for o in &ran.outcomes {
        if o.passed {
            out.push_str(&format!("{ok} {}\n", o.name));
        } else {
            let at = locate(&ran.sources, o.span);
            out.push_str(&format!("{fail} {}: {}\n", o.name, why(o)));
            out.push_str(&format!(
                "     --> {}:{}:{}\n",
                at.file, at.start.line, at.start.column
            ));
        }
    }
    out
}

/// Why a test failed: ``expected rule `x` model `m`, got rule `y` (model
/// `n`)``, ``expected rule `x`, but no rule matched``, or the error that
/// kept it from running.
fn why(o: &TestOutcome) -> String {
    if let Some(error) = &o.error {
        return format!("cannot run: {error}");
    }
    let mut expected = format!("expected rule `{}`", o.expected_rule);
    if let Some(a) = &o.expected_arm {
        expected.push_str(&format!(" arm `{a}`"));
    }
    if let Some(m) = &o.expected_model {
        expected.push_str(&format!(" model `{m}`"));
    }
    if let Some(f) = &o.expected_fallbacks {
        expected.push_str(&format!(" fallback {}", ids(f)));
    }
    let Some(rule) = &o.got_rule else {
        return format!("{expected}, but no rule matched");
    };
    let mut got = format!("got rule `{rule}`");
    if let Some(a) = &o.got_arm {
        got.push_str(&format!(" arm `{a}`"));
    }
    let mut chosen = Vec::new();
    if let Some(m) = &o.got_model {
        chosen.push(format!("model `{m}`"));
    }
    if o.expected_fallbacks.is_some() {
        chosen.push(format!("fallback {}", ids(&o.got_fallbacks)));
    }
    if chosen.is_empty() {
        format!("{expected}, {got}")
    } else {
        format!("{expected}, {got} ({})", chosen.join(" "))
    }
}

/// `["a", "b"]`.
fn ids(ids: &[String]) -> String {
    let quoted: Vec<String> = ids.iter().map(|i| format!("{i:?}")).collect();
    format!("[{}]", quoted.join(", "))
}

/// The json format's document.
fn json_report(ran: &[(&Path, Result<Ran, String>)], passed: usize, failed: usize) -> String {
    let rulesets = ran
        .iter()
        .map(|(path, result)| match result {
            Ok(r) => RulesetReport {
                path: path.display().to_string(),
                error: None,
                tests: located(&r.sources, &r.outcomes),
            },
            Err(reason) => RulesetReport {
                path: path.display().to_string(),
                error: Some(reason.clone()),
                tests: Vec::new(),
            },
        })
        .collect();
    let report = Report {
        rulesets,
        passed,
        failed,
    };
    serde_json::to_string(&report).unwrap_or_else(|e| {
        serde_json::json!({ "error": format!("cannot serialise the report: {e}") }).to_string()
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use switchyard::{FileId, Span};

    fn outcome() -> TestOutcome {
        TestOutcome {
            name: "t".into(),
            span: Span::new(FileId(0), 0, 1),
            expected_rule: "x".into(),
            expected_arm: None,
            expected_model: Some("m".into()),
            expected_fallbacks: None,
            got_rule: Some("y".into()),
            got_arm: None,
            got_model: Some("n".into()),
            got_fallbacks: Vec::new(),
            passed: false,
            error: None,
        }
    }

    #[test]
    fn failures_say_what_was_expected_and_what_came() {
        assert_eq!(
            why(&outcome()),
            "expected rule `x` model `m`, got rule `y` (model `n`)"
        );
        let none = TestOutcome {
            got_rule: None,
            got_model: None,
            expected_model: None,
            ..outcome()
        };
        assert_eq!(why(&none), "expected rule `x`, but no rule matched");
        let broken = TestOutcome {
            error: Some("field `a`: bad".into()),
            ..outcome()
        };
        assert_eq!(why(&broken), "cannot run: field `a`: bad");
        let split = TestOutcome {
            expected_rule: "y".into(),
            expected_arm: Some("control".into()),
            expected_fallbacks: Some(vec!["f".into()]),
            got_arm: Some("treat".into()),
            got_fallbacks: vec!["g".into(), "h".into()],
            ..outcome()
        };
        assert_eq!(
            why(&split),
            "expected rule `y` arm `control` model `m` fallback [\"f\"], \
             got rule `y` arm `treat` (model `n` fallback [\"g\", \"h\"])"
        );
    }
}
