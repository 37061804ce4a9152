//! End-to-end tests of `switchyard bench` over the committed traffic file
//! `tests/traffic/traffic.jsonl` (38 lines: 32 contexts, a blank line and
//! 5 bad lines) and ruleset `tests/traffic/v1.route`. The expected counts
//! were worked out by hand from the rules (and checked with a separate
//! script), not taken from the program.

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    reason = "tests"
)]

mod support;

use serde_json::Value;
use support::{code, fixture, guest, json, run, stderr, stdout, Scratch, BAD_LINES, NO_OTHERWISE};

/// Decisions of v1.route per rule over the 32 contexts, most first (ties
/// in ruleset order).
const RULES: [(&str, u64); 6] = [
    ("enterprise", 11),
    ("tools", 9),
    ("free", 7),
    ("default", 3),
    ("code", 1),
    ("long", 1),
];

/// Decisions of v1.route per model.
const MODELS: [(&str, u64); 3] = [
    ("anthropic/claude-3.5-sonnet", 13),
    ("openai/gpt-4o-mini", 12),
    ("meta-llama/llama-3.1-8b-instruct", 7),
];

fn bench(extra: &[&str]) -> std::process::Output {
    let (rules, traffic) = (fixture("v1.route"), fixture("traffic.jsonl"));
    let mut args = vec!["bench", rules.as_str(), "--contexts", traffic.as_str()];
    args.extend_from_slice(extra);
    run(&args, None)
}

/// `[(name, count)]` of a report's `rules` or `models`.
fn counts(report: &Value, list: &str, key: &str) -> Vec<(String, u64)> {
    report[list]
        .as_array()
        .unwrap()
        .iter()
        .map(|h| {
            (
                h[key].as_str().unwrap().to_string(),
                h["count"].as_u64().unwrap(),
            )
        })
        .collect()
}

fn times(list: &[(&str, u64)], k: u64) -> Vec<(String, u64)> {
    list.iter().map(|(n, c)| (n.to_string(), c * k)).collect()
}

#[test]
fn one_pass_counts_every_rule_and_model_exactly() {
    let out = bench(&["--min-time", "0", "--format", "json"]);
    assert_eq!(code(&out), 0, "{}", stderr(&out));
    let r = json(&out);
    assert_eq!(r["ruleset"]["rules"], 6);
    assert_eq!(r["traffic"]["contexts"], 32);
    assert_eq!(r["traffic"]["skipped_lines"], 5);
    assert_eq!(r["run"]["threads"], 1);
    assert_eq!(r["run"]["passes"], 1);
    assert_eq!(r["run"]["decisions"], 32);
    assert_eq!(counts(&r, "rules", "rule"), times(&RULES, 1));
    assert_eq!(counts(&r, "models", "model"), times(&MODELS, 1));
    assert_eq!(r["rules"][0]["share"], 11.0 / 32.0);
    assert_eq!(r["no_match"], 0);
    assert_eq!(r["rules_never_chosen"], 0);
    assert_eq!(r["errors"], 0);
    assert_eq!(r["cost"], Value::Null);
}

#[test]
fn longer_runs_repeat_whole_passes_on_every_thread() {
    let out = bench(&["--min-time", "0.3", "--threads", "2", "--format", "json"]);
    assert_eq!(code(&out), 0, "{}", stderr(&out));
    let r = json(&out);
    assert_eq!(r["run"]["threads"], 2);
    let passes = r["run"]["passes"].as_u64().unwrap();
    assert!(passes > 1, "{r}");
    assert_eq!(r["run"]["decisions"].as_u64().unwrap(), passes * 32);
    assert_eq!(counts(&r, "rules", "rule"), times(&RULES, passes));
    assert_eq!(counts(&r, "models", "model"), times(&MODELS, passes));
    assert!(r["run"]["seconds"].as_f64().unwrap() >= 0.3, "{r}");
    assert!(r["run"]["decisions_per_second"].as_f64().unwrap() > 0.0);
    let l = &r["latency_ns"];
    assert!(l["samples"].as_u64().unwrap() > 0, "{r}");
    let p = |k: &str| l[k].as_u64().unwrap();
    assert!(p("p50") <= p("p90") && p("p90") <= p("p99") && p("p99") <= p("max"));
}

#[test]
fn a_catalog_gives_the_worst_case_cost_per_1000_requests() {
    let catalog = fixture("models.json");
    let out = bench(&["--min-time", "0", "--format", "json", "--catalog", &catalog]);
    assert_eq!(code(&out), 0, "{}", stderr(&out));
    let cost = &json(&out)["cost"];
    // 25 decisions go to priced models (llama is not in the catalog); their
    // prompt_tokens times the prompt price plus max_tokens times the
    // completion price add up to $5.07404.
    let per_1000 = cost["per_1000_requests_usd"].as_f64().unwrap();
    assert!((per_1000 - 5.074_04 / 25.0 * 1000.0).abs() < 1e-9, "{cost}");
    assert_eq!(cost["priced"], 25);
    assert_eq!(cost["unpriced"], 7);
}

#[test]
fn bad_lines_are_reported_with_their_number_and_skipped() {
    let out = bench(&["--min-time", "0", "--format", "json"]);
    assert_eq!(code(&out), 0);
    let err = stderr(&out);
    for (line, message) in BAD_LINES {
        let prefix = format!("error: line {line}: ");
        let reported = err.lines().find(|l| l.starts_with(&prefix));
        assert!(
            reported.is_some_and(|l| l.contains(message)),
            "line {line}:\n{err}"
        );
    }
    assert!(err.contains("warning: 5 bad lines in "), "{err}");
    assert!(err.contains("traffic.jsonl skipped"), "{err}");
}

#[test]
fn strict_stops_before_deciding() {
    let out = bench(&["--min-time", "0", "--strict"]);
    assert_eq!(code(&out), 2);
    assert_eq!(stdout(&out), "");
    let err = stderr(&out);
    assert!(err.contains("error: line 8: "), "{err}");
    assert!(err.contains("error: line 31: "), "{err}");
    assert!(err.contains("5 bad lines in "), "{err}");
    assert!(err.contains("(--strict): nothing decided"), "{err}");
}

#[test]
fn human_output_charts_rules_and_models_and_draws_no_bar_when_piped() {
    // Over a second: a terminal would get a progress bar, a pipe none.
    let out = bench(&["--min-time", "1.1"]);
    assert_eq!(code(&out), 0, "{}", stderr(&out));
    let text = stdout(&out);
    assert!(text.contains("(6 rules)"), "{text}");
    assert!(
        text.contains(": 32 contexts (5 bad lines skipped)"),
        "{text}"
    );
    assert!(text.contains("decisions/s\n"), "{text}");
    assert!(text.contains("latency    p50 "), "{text}");
    assert!(text.contains("about 1 in 64"), "{text}");
    assert!(text.contains("\nrules chosen\n"), "{text}");
    let full = format!("  enterprise  {}  34.4%", "█".repeat(32));
    assert!(text.contains(&full), "{text}");
    // 1 decision in 11 of the largest count: 2 and 7/8 of 32 characters.
    assert!(text.contains("  long        ██▉ "), "{text}");
    assert!(text.contains("\nmodels chosen\n"), "{text}");
    assert!(
        text.contains("  meta-llama/llama-3.1-8b-instruct  "),
        "{text}"
    );
    let err = stderr(&out);
    assert!(!err.contains('\r') && !err.contains('\u{1b}'), "{err:?}");
    assert!(!err.contains("deciding"), "{err}");
}

#[test]
fn contexts_no_rule_matches_are_counted() {
    // Long `guest-N` users match no rule; the checker cannot show one (see
    // `NO_OTHERWISE`), so the ruleset loads.
    let dir = Scratch::new("no-match");
    let rules = dir.file("rules.route", NO_OTHERWISE);
    let traffic = dir.file(
        "t.jsonl",
        &format!("{}\n{{\"user\": \"ann\"}}\n{}\n", guest('1'), guest('2')),
    );
    let out = run(
        &[
            "bench",
            &rules,
            "--contexts",
            &traffic,
            "--min-time",
            "0",
            "--format",
            "json",
        ],
        None,
    );
    assert_eq!(code(&out), 0, "{}", stderr(&out));
    let r = json(&out);
    assert_eq!(r["no_match"], 2);
    assert_eq!(counts(&r, "rules", "rule"), [("pro".to_string(), 1)]);
    assert_eq!(r["run"]["decisions"], 3);
    let human = run(
        &["bench", &rules, "--contexts", &traffic, "--min-time", "0"],
        None,
    );
    assert!(
        stdout(&human).contains("(no rule matched)"),
        "{}",
        stdout(&human)
    );
}

#[test]
fn standard_input_and_many_bad_lines() {
    let mut text = String::from("{\"tier\": \"pro\"}\n");
    for _ in 0..25 {
        text.push_str("nope\n");
    }
    let rules = fixture("v1.route");
    let out = run(
        &[
            "bench",
            &rules,
            "--contexts",
            "-",
            "--min-time",
            "0",
            "--format",
            "json",
        ],
        Some(&text),
    );
    assert_eq!(code(&out), 0, "{}", stderr(&out));
    assert_eq!(json(&out)["traffic"]["skipped_lines"], 25);
    let err = stderr(&out);
    assert_eq!(err.matches("not valid JSON").count(), 20, "{err}");
    assert!(err.contains("error: line 21: not valid JSON"), "{err}");
    assert!(err.contains("error: ... and 5 more bad lines\n"), "{err}");
    assert!(
        err.contains("warning: 25 bad lines in standard input skipped"),
        "{err}"
    );
}

#[test]
fn nothing_to_decide_is_bad_usage() {
    let dir = Scratch::new("nothing");
    let empty = dir.file("empty.jsonl", "\n[1]\n");
    let rules = fixture("v1.route");
    let out = run(&["bench", &rules, "--contexts", &empty], None);
    assert_eq!(code(&out), 2);
    assert!(
        stderr(&out).contains("error: no context to decide in "),
        "{}",
        stderr(&out)
    );
    let missing = fixture("missing.jsonl");
    let out = run(&["bench", &rules, "--contexts", &missing], None);
    assert_eq!(code(&out), 2);
    assert!(
        stderr(&out).contains("error: cannot read "),
        "{}",
        stderr(&out)
    );
    let out = run(
        &["bench", &rules, "--contexts", &empty, "--threads", "0"],
        None,
    );
    assert_eq!(code(&out), 2);
    let out = run(
        &["bench", &rules, "--contexts", &empty, "--min-time", "-1"],
        None,
    );
    assert_eq!(code(&out), 2);
}

#[test]
fn a_ruleset_with_errors_is_reported() {
    let dir = Scratch::new("broken");
    let rules = dir.file(
        "broken.route",
        "context { tier: \"free\" | \"pro\" = \"free\" }\n\
         rule paid: when tier == \"enterprize\" -> \"openai/gpt-4o\" max_tokens 10\n\
         rule default: otherwise -> \"openai/gpt-4o-mini\" max_tokens 10\n",
    );
    let traffic = fixture("traffic.jsonl");
    let out = run(&["bench", &rules, "--contexts", &traffic], None);
    assert_eq!(code(&out), 1);
    assert!(stderr(&out).contains("E004"), "{}", stderr(&out));
    assert_eq!(stdout(&out), "");
}
