//! End-to-end tests of `switchyard eval` and `switchyard test`: decisions
//! as JSON and text, JSON lines on standard input, `--explain`, `--at`,
//! `--catalog`, and the test runner's report and exit codes.

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    reason = "tests"
)]

mod support;
use support::{
    catalog, code, describe, example, guest, p, run, stderr, stdout, Scratch, NO_OTHERWISE,
};

use std::process::Output;

use serde_json::{json, Value};

/// A small ruleset with a rule on `hour`, and no tests.
const SMALL: &str = "\
context {
  tier: \"free\" | \"pro\" = \"free\"
  night_shift: bool = false
}

defaults max_tokens 256

model mini = \"openai/gpt-4o-mini\"
model claude = \"anthropic/claude-3.5-sonnet\"

rule pro: when tier == \"pro\" -> claude fallback [mini] max_tokens 2048
rule night: when night_shift and hour < 6 -> mini
rule default: otherwise -> mini fallback [claude]
";

/// A ruleset whose second test fails.
const FAILING_TEST: &str = "\
context { tier: \"free\" | \"pro\" = \"free\" }
defaults max_tokens 10
rule pro: when tier == \"pro\" -> \"anthropic/claude-3.5-sonnet\"
rule default: otherwise -> \"openai/gpt-4o-mini\"
test pro-user: { tier: \"pro\" } -> pro
test free-user: { tier: \"free\" } -> pro model \"anthropic/claude-3.5-sonnet\"
";

/// A ruleset with a type error (E004).
const BROKEN: &str = "\
context { tier: \"free\" | \"pro\" = \"free\" }
defaults max_tokens 10
rule paid: when tier == \"enterprize\" -> \"openai/gpt-4o\"
rule default: otherwise -> \"openai/gpt-4o-mini\"
";

/// 1970-01-01 03:00 UTC and 15:00 UTC.
const AT_3AM: &str = "10800";
const AT_3PM: &str = "54000";

/// Standard output as JSON lines.
fn json_lines(output: &Output) -> Vec<Value> {
    stdout(output)
        .lines()
        .map(|l| {
            serde_json::from_str(l)
                .unwrap_or_else(|e| panic!("not JSON ({e}): {l}\n{}", describe(output)))
        })
        .collect()
}

// ---- eval: one context ----

#[test]
fn inline_context_prints_the_decision_json() {
    let out = run(
        &[
            "eval",
            p(&example()),
            "--context",
            r#"{"tier": "pro", "task": "code"}"#,
        ],
        None,
    );
    assert_eq!(code(&out), 0, "{}", describe(&out));
    let lines = json_lines(&out);
    assert_eq!(lines.len(), 1, "{}", describe(&out));
    let d = &lines[0];
    assert_eq!(d["rule"], "code");
    assert_eq!(d["variant"], Value::Null);
    assert_eq!(d["model"], "anthropic/claude-3.5-sonnet");
    assert_eq!(d["fallbacks"], json!(["openai/gpt-4o"]));
    assert_eq!(d["max_tokens"], 2048);
    assert_eq!(
        d["options"],
        json!({ "provider": { "sort": "throughput" } })
    );
    assert_eq!(d["tags"], json!([]));
    assert_eq!(d["ruleset"]["version"], "2026-11-21.1");
    assert!(d["ruleset"]["hash"].as_str().is_some_and(|h| !h.is_empty()));
    let keys: Vec<&str> = d.as_object().unwrap().keys().map(String::as_str).collect();
    let mut expected = vec![
        "rule",
        "variant",
        "model",
        "fallbacks",
        "max_tokens",
        "options",
        "tags",
        "ruleset",
    ];
    expected.sort_unstable();
    let mut keys = keys;
    keys.sort_unstable();
    assert_eq!(keys, expected);
}

#[test]
fn context_from_a_file() {
    let dir = Scratch::new("ctx-file");
    let ctx = dir.file(
        "ctx.json",
        "{\n  \"tier\": \"enterprise\",\n  \"region\": \"eu\"\n}\n",
    );
    let arg = format!("@{}", p(&ctx));
    let out = run(&["eval", p(&example()), "--context", &arg], None);
    assert_eq!(code(&out), 0, "{}", describe(&out));
    let lines = json_lines(&out);
    assert_eq!(lines[0]["rule"], "enterprise-eu", "{}", describe(&out));
    assert_eq!(lines[0]["options"]["provider"]["zdr"], true);
}

#[test]
fn unreadable_or_invalid_context_exits_2() {
    let dir = Scratch::new("ctx-bad");
    let missing = format!("@{}", p(&dir.path().join("missing.json")));
    for context in [missing.as_str(), "{not json", r#"{"tier": "gold"}"#, "[]"] {
        let out = run(&["eval", p(&example()), "--context", context], None);
        assert_eq!(code(&out), 2, "{context}: {}", describe(&out));
        assert!(stdout(&out).is_empty(), "{}", describe(&out));
        assert!(stderr(&out).starts_with("error: "), "{}", describe(&out));
    }
    let out = run(
        &["eval", p(&example()), "--context", r#"{"tier": "gold"}"#],
        None,
    );
    assert!(stderr(&out).contains("field `tier`"), "{}", describe(&out));
}

#[test]
fn no_match_prints_null() {
    let dir = Scratch::new("null");
    let rules = dir.file("no-otherwise.route", NO_OTHERWISE);
    let out = run(&["eval", p(&rules), "--context", &guest('1')], None);
    assert_eq!(code(&out), 0, "{}", describe(&out));
    assert_eq!(stdout(&out), "null\n");
}

#[test]
fn unknown_keys_are_ignored() {
    let out = run(
        &[
            "eval",
            p(&example()),
            "--context",
            r#"{"tier": "free", "shoe_size": 44}"#,
        ],
        None,
    );
    assert_eq!(code(&out), 0, "{}", describe(&out));
    assert_eq!(json_lines(&out)[0]["rule"], "free-tier");
}

// ---- eval: JSON lines on standard input ----

#[test]
fn json_lines_with_a_bad_line_exit_2_and_keep_going() {
    let input =
        "{\"tier\": \"pro\", \"task\": \"code\"}\n{\"tier\": \"gold\"}\n{\"tier\": \"free\"}\n";
    let out = run(&["eval", p(&example())], Some(input));
    assert_eq!(code(&out), 2, "{}", describe(&out));
    let lines = json_lines(&out);
    assert_eq!(lines.len(), 3, "{}", describe(&out));
    assert_eq!(lines[0]["rule"], "code");
    assert_eq!(lines[1]["line"], 2);
    assert!(
        lines[1]["error"].as_str().unwrap().contains("field `tier`"),
        "{}",
        describe(&out)
    );
    assert_eq!(lines[2]["rule"], "free-tier");
    let err = stderr(&out);
    assert!(err.contains("line 2"), "{err}");
    assert!(err.contains("field `tier`"), "{err}");
    assert!(!err.contains("line 1") && !err.contains("line 3"), "{err}");
}

#[test]
fn json_lines_skip_blank_lines_and_report_bad_json() {
    let input = "\n{\"tier\": \"free\"}\n   \n{oops\n{\"tier\": \"pro\"}";
    let out = run(&["eval", p(&example())], Some(input));
    assert_eq!(code(&out), 2, "{}", describe(&out));
    let lines = json_lines(&out);
    assert_eq!(lines.len(), 3, "{}", describe(&out));
    assert_eq!(lines[0]["rule"], "free-tier");
    assert_eq!(lines[1]["line"], 4);
    assert_eq!(lines[2]["rule"], "default");
    assert!(
        stderr(&out).contains("error: line 4: not valid JSON at column 2"),
        "{}",
        describe(&out)
    );
}

#[test]
fn good_json_lines_exit_0() {
    let input = "{\"tier\": \"free\"}\n{\"tier\": \"enterprise\"}\n";
    let out = run(&["eval", p(&example())], Some(input));
    assert_eq!(code(&out), 0, "{}", describe(&out));
    let rules: Vec<Value> = json_lines(&out).iter().map(|d| d["rule"].clone()).collect();
    assert_eq!(rules, [json!("free-tier"), json!("enterprise")]);
    assert!(stderr(&out).is_empty(), "{}", describe(&out));
}

#[test]
fn empty_input_prints_nothing() {
    let out = run(&["eval", p(&example())], Some(""));
    assert_eq!(code(&out), 0, "{}", describe(&out));
    assert!(stdout(&out).is_empty(), "{}", describe(&out));
}

// ---- eval: --explain, --at, human format ----

#[test]
fn explain_json_shape() {
    let out = run(
        &[
            "eval",
            p(&example()),
            "--explain",
            "--context",
            r#"{"tier": "pro", "task": "code"}"#,
        ],
        None,
    );
    assert_eq!(code(&out), 0, "{}", describe(&out));
    let lines = json_lines(&out);
    assert_eq!(lines.len(), 1);
    let e = lines[0].as_object().unwrap();
    let mut keys: Vec<&str> = e.keys().map(String::as_str).collect();
    keys.sort_unstable();
    assert_eq!(keys, ["decision", "rules"]);
    assert_eq!(e["decision"]["rule"], "code");
    let rules = e["rules"].as_array().unwrap();
    assert_eq!(rules[0]["rule"], "enterprise-eu");
    assert_eq!(rules[0]["matched"], false);
    assert_eq!(rules[0]["failed"]["test"], "tier == \"enterprise\"");
    assert_eq!(rules[0]["failed"]["values"], json!(["tier = \"pro\""]));
    let last = rules.last().unwrap();
    assert_eq!(last["rule"], "code");
    assert_eq!(last["matched"], true);
    assert!(last.get("failed").is_none(), "{last}");
}

#[test]
fn explain_json_without_a_match_has_a_null_decision() {
    let dir = Scratch::new("explain-null");
    let rules = dir.file("no-otherwise.route", NO_OTHERWISE);
    let out = run(
        &[
            "eval",
            p(&rules),
            "--explain",
            "--at",
            AT_3PM,
            "--context",
            &guest('1'),
        ],
        None,
    );
    assert_eq!(code(&out), 0, "{}", describe(&out));
    let e = &json_lines(&out)[0];
    assert_eq!(e["decision"], Value::Null);
    assert_eq!(e["rules"].as_array().unwrap().len(), 1, "{e}");
    assert_eq!(
        e["rules"][0]["failed"]["values"],
        json!(["tier = \"free\""])
    );
}

#[test]
fn at_makes_hour_rules_deterministic() {
    let dir = Scratch::new("at");
    let rules = dir.file("small.route", SMALL);
    let ctx = r#"{"night_shift": true}"#;
    let night = run(&["eval", p(&rules), "--at", AT_3AM, "--context", ctx], None);
    assert_eq!(code(&night), 0, "{}", describe(&night));
    assert_eq!(json_lines(&night)[0]["rule"], "night");
    let day = run(&["eval", p(&rules), "--at", AT_3PM, "--context", ctx], None);
    assert_eq!(code(&day), 0, "{}", describe(&day));
    assert_eq!(json_lines(&day)[0]["rule"], "default");
    // Standard input too, and the explanation shows the hour.
    let out = run(
        &[
            "eval",
            p(&rules),
            "--at",
            AT_3PM,
            "--explain",
            "--format",
            "human",
        ],
        Some(&format!("{ctx}\n")),
    );
    assert_eq!(code(&out), 0, "{}", describe(&out));
    assert!(stdout(&out).contains("hour = 15"), "{}", describe(&out));
    assert!(
        stdout(&out).contains("✓ default: matched"),
        "{}",
        describe(&out)
    );
}

#[test]
fn human_format_names_the_rule_and_model() {
    let out = run(
        &[
            "eval",
            p(&example()),
            "--format",
            "human",
            "--context",
            r#"{"tier": "pro", "task": "code"}"#,
        ],
        None,
    );
    assert_eq!(code(&out), 0, "{}", describe(&out));
    let text = stdout(&out);
    assert!(text.contains("rule        code\n"), "{text}");
    assert!(
        text.contains("model       anthropic/claude-3.5-sonnet\n"),
        "{text}"
    );
    assert!(text.contains("fallbacks   openai/gpt-4o\n"), "{text}");
    assert!(text.contains("max_tokens  2048\n"), "{text}");
    assert!(
        text.contains("provider    {\"sort\":\"throughput\"}\n"),
        "{text}"
    );
    assert!(!text.contains('✗'), "{text}");
}

#[test]
fn human_explain_shows_each_rule_tried() {
    let out = run(
        &[
            "eval",
            p(&example()),
            "--format",
            "human",
            "--explain",
            "--context",
            r#"{"tier": "pro", "task": "code"}"#,
        ],
        None,
    );
    assert_eq!(code(&out), 0, "{}", describe(&out));
    let text = stdout(&out);
    assert!(
        text.contains("✗ free-tier: tier == \"free\" was false (tier = \"pro\")\n"),
        "{text}"
    );
    assert!(text.contains("✓ code: matched\n"), "{text}");
    // The failed test's source line, with a caret under the test.
    assert!(
        text.contains("rule free-tier: when tier == \"free\" -> gemma"),
        "{text}"
    );
    assert!(text.contains("^^^^^^^^^^^^^^ tier = \"pro\""), "{text}");
    assert!(text.contains("openrouter.route:"), "{text}");
}

#[test]
fn human_format_on_stdin_labels_blocks_with_line_numbers() {
    let out = run(
        &["eval", p(&example()), "--format", "human"],
        Some("{\"tier\": \"free\"}\n{\"tier\": 3}\n{\"tier\": \"pro\"}\n"),
    );
    assert_eq!(code(&out), 2, "{}", describe(&out));
    let text = stdout(&out);
    assert!(
        text.starts_with("line 1:\nrule        free-tier\n"),
        "{text}"
    );
    assert!(
        text.contains("\n\nline 3:\nrule        default\n"),
        "{text}"
    );
    assert!(!text.contains("line 2"), "{text}");
    assert!(
        stderr(&out).contains("error: line 2: field `tier`"),
        "{}",
        describe(&out)
    );
}

// ---- eval: bad rulesets ----

#[test]
fn eval_of_a_ruleset_with_errors_exits_1() {
    let dir = Scratch::new("eval-broken");
    let rules = dir.file("broken.route", BROKEN);
    let out = run(&["eval", p(&rules), "--context", "{}"], None);
    assert_eq!(code(&out), 1, "{}", describe(&out));
    assert!(stdout(&out).is_empty(), "{}", describe(&out));
    assert!(stderr(&out).contains("error[E004]"), "{}", describe(&out));
}

#[test]
fn eval_of_a_missing_path_exits_2() {
    let dir = Scratch::new("eval-missing");
    let missing = dir.path().join("missing.route");
    let out = run(&["eval", p(&missing), "--context", "{}"], None);
    assert_eq!(code(&out), 2, "{}", describe(&out));
    assert!(stderr(&out).contains("missing.route"), "{}", describe(&out));
}

#[test]
fn eval_needs_a_path() {
    let out = run(&["eval"], None);
    assert_eq!(code(&out), 2, "{}", describe(&out));
    let out = run(&["eval", "x.route", "--format", "sarif"], None);
    assert_eq!(code(&out), 2, "{}", describe(&out));
}

// ---- test ----

#[test]
fn tests_of_the_example_pass() {
    let out = run(&["test", p(&example())], None);
    assert_eq!(code(&out), 0, "{}", describe(&out));
    let text = stdout(&out);
    assert!(text.contains("ok   free-user\n"), "{text}");
    assert!(!text.contains("FAIL"), "{text}");
    let last = text.lines().last().unwrap();
    assert_eq!(last, "10 passed, 0 failed");
}

#[test]
fn a_failing_test_exits_1_with_expected_and_got() {
    let dir = Scratch::new("test-fail");
    let rules = dir.file("failing.route", FAILING_TEST);
    let out = run(&["test", p(&rules)], None);
    assert_eq!(code(&out), 1, "{}", describe(&out));
    let text = stdout(&out);
    assert!(text.contains("ok   pro-user\n"), "{text}");
    assert!(
        text.contains(
            "FAIL free-user: expected rule `pro` model `anthropic/claude-3.5-sonnet`, \
             got rule `default` (model `openai/gpt-4o-mini`)\n"
        ),
        "{text}"
    );
    assert!(text.contains("failing.route:6:1"), "{text}");
    assert_eq!(text.lines().last().unwrap(), "1 passed, 1 failed");
}

#[test]
fn test_counts_add_up_over_rulesets() {
    let dir = Scratch::new("test-many");
    let rules = dir.file("failing.route", FAILING_TEST);
    let out = run(&["test", p(&rules), p(&example())], None);
    assert_eq!(code(&out), 1, "{}", describe(&out));
    assert_eq!(stdout(&out).lines().last().unwrap(), "11 passed, 1 failed");
}

#[test]
fn a_ruleset_without_tests_passes_and_says_so() {
    let dir = Scratch::new("test-none");
    let rules = dir.file("small.route", SMALL);
    let out = run(&["test", p(&rules)], None);
    assert_eq!(code(&out), 0, "{}", describe(&out));
    let text = stdout(&out);
    assert!(text.starts_with("no tests in "), "{text}");
    assert_eq!(text.lines().last().unwrap(), "0 passed, 0 failed");
}

#[test]
fn test_of_a_ruleset_with_errors_exits_1() {
    let dir = Scratch::new("test-broken");
    let rules = dir.file("broken.route", BROKEN);
    let out = run(&["test", p(&rules)], None);
    assert_eq!(code(&out), 1, "{}", describe(&out));
    assert!(stderr(&out).contains("error[E004]"), "{}", describe(&out));
    assert_eq!(stdout(&out).lines().last().unwrap(), "0 passed, 0 failed");
}

#[test]
fn test_of_a_missing_path_exits_2() {
    let dir = Scratch::new("test-missing");
    let missing = dir.path().join("missing.route");
    let out = run(&["test", p(&missing)], None);
    assert_eq!(code(&out), 2, "{}", describe(&out));
    assert!(stderr(&out).contains("missing.route"), "{}", describe(&out));
    // Unreadable input wins over failed tests.
    let failing = dir.file("failing.route", FAILING_TEST);
    let out = run(&["test", p(&failing), p(&missing)], None);
    assert_eq!(code(&out), 2, "{}", describe(&out));
    assert_eq!(stdout(&out).lines().last().unwrap(), "1 passed, 1 failed");
}

#[test]
fn test_json_format() {
    let dir = Scratch::new("test-json");
    let rules = dir.file("failing.route", FAILING_TEST);
    let missing = dir.path().join("missing.route");
    let out = run(&["test", "--format", "json", p(&rules), p(&missing)], None);
    assert_eq!(code(&out), 2, "{}", describe(&out));
    let report: Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(report["passed"], 1);
    assert_eq!(report["failed"], 1);
    let rulesets = report["rulesets"].as_array().unwrap();
    assert_eq!(rulesets.len(), 2);
    let tests = rulesets[0]["tests"].as_array().unwrap();
    assert_eq!(tests[1]["name"], "free-user");
    assert_eq!(tests[1]["passed"], false);
    assert_eq!(tests[1]["expected_rule"], "pro");
    assert_eq!(tests[1]["got_rule"], "default");
    assert_eq!(tests[1]["line"], 6);
    assert!(rulesets[1]["error"].is_string(), "{report}");
    assert!(
        stderr(&out).lines().any(|l| l == "1 passed, 1 failed"),
        "{}",
        describe(&out)
    );
}

#[test]
fn test_at_fixes_the_time() {
    let dir = Scratch::new("test-at");
    let text = format!("{SMALL}test late: {{ night_shift: true }} -> night\n");
    let rules = dir.file("night.route", &text);
    let out = run(&["test", "--at", AT_3AM, p(&rules)], None);
    assert_eq!(code(&out), 0, "{}", describe(&out));
    let out = run(&["test", "--at", AT_3PM, p(&rules)], None);
    assert_eq!(code(&out), 1, "{}", describe(&out));
    assert!(
        stdout(&out).contains("FAIL late: expected rule `night`, got rule `default`"),
        "{}",
        describe(&out)
    );
}

#[test]
fn help_lists_the_new_commands() {
    let out = run(&["--help"], None);
    assert_eq!(code(&out), 0, "{}", describe(&out));
    let text = stdout(&out);
    assert!(text.contains("test"), "{text}");
    assert!(text.contains("eval"), "{text}");
    assert!(text.contains("a failed test"), "{text}");
    let out = run(&["eval", "--help"], None);
    assert!(
        stdout(&out).contains("JSON lines") || stdout(&out).contains("one context object per"),
        "{}",
        describe(&out)
    );
}

#[test]
fn warnings_are_counted_in_the_human_format_only() {
    let dir = Scratch::new("eval-warnings");
    let rules = dir.file(
        "warn.route",
        "model unused = \"openai/gpt-4o\"\nrule default: otherwise -> \"openai/gpt-4o-mini\"\n",
    );
    let out = run(&["eval", p(&rules), "--context", "{}"], None);
    assert_eq!(code(&out), 0, "{}", describe(&out));
    assert!(stderr(&out).is_empty(), "{}", describe(&out));
    let out = run(
        &["eval", p(&rules), "--context", "{}", "--format", "human"],
        None,
    );
    assert_eq!(code(&out), 0, "{}", describe(&out));
    assert!(
        stderr(&out).starts_with("note: 2 warnings in "),
        "{}",
        describe(&out)
    );
    assert!(
        stdout(&out).contains("max_tokens  (none)"),
        "{}",
        describe(&out)
    );
}

// ---- eval and test: --catalog ----

/// A ruleset that needs a catalog (`cheapest`, `require`), with tests.
const CATALOG_RULES: &str = "\
context { prompt_tokens: int = 0 }
model sonnet = \"anthropic/claude-3.5-sonnet\"
model gpt-4o = \"openai/gpt-4o\"
model mini = \"openai/gpt-4o-mini\"
defaults max_tokens 1000
rule cheap: when prompt_tokens < 100000 -> cheapest [sonnet, gpt-4o, mini] require tools
rule rest: otherwise -> sonnet
test short: { prompt_tokens: 2000 } -> cheap model \"openai/gpt-4o-mini\"
test long: { prompt_tokens: 150000 } -> rest
";

#[test]
fn eval_decides_a_catalog_ruleset_with_catalog() {
    let dir = Scratch::new("eval-catalog");
    let rules = dir.file("r.route", CATALOG_RULES);
    let models = p(&catalog()).to_string();
    let args = ["eval", p(&rules), "--context", r#"{"prompt_tokens": 2000}"#];

    // Without the catalog the ruleset cannot be loaded, as for `body`.
    let out = run(&args, None);
    assert_eq!(code(&out), 1, "{}", describe(&out));
    assert!(stderr(&out).contains("catalog"), "{}", describe(&out));

    let out = run(&[&args[..], &["--catalog", &models]].concat(), None);
    assert_eq!(code(&out), 0, "{}", describe(&out));
    let d = &json_lines(&out)[0];
    assert_eq!(d["rule"], "cheap");
    assert_eq!(d["model"], "openai/gpt-4o-mini");
    // mini: 2000 × 0.00000015 + 1000 × 0.0000006 = 0.0009 USD.
    let cost = d["est_max_cost_usd"].as_f64().unwrap();
    assert!((cost - 0.0009).abs() < 1e-9, "{d}");
}

#[test]
fn test_runs_a_catalog_ruleset_with_catalog() {
    let dir = Scratch::new("test-catalog");
    let rules = dir.file("r.route", CATALOG_RULES);
    let models = p(&catalog()).to_string();

    let out = run(&["test", p(&rules)], None);
    assert_eq!(code(&out), 1, "{}", describe(&out));
    assert!(stderr(&out).contains("catalog"), "{}", describe(&out));

    let out = run(&["test", p(&rules), "--catalog", &models], None);
    assert_eq!(code(&out), 0, "{}", describe(&out));
    assert!(
        stdout(&out).contains("2 passed, 0 failed"),
        "{}",
        describe(&out)
    );
}

#[test]
fn an_unreadable_catalog_is_bad_input() {
    let dir = Scratch::new("bad-catalog");
    let rules = dir.file("r.route", CATALOG_RULES);
    let bad = dir.file("models.json", "{\"data\": 5}");
    let eval = [
        "eval",
        p(&rules),
        "--context",
        "{}",
        "--catalog",
        bad.as_str(),
    ];
    let test = ["test", p(&rules), "--catalog", bad.as_str()];
    for args in [&eval[..], &test[..]] {
        let out = run(args, None);
        assert_eq!(code(&out), 2, "{}", describe(&out));
        assert!(
            stderr(&out).contains("error: --catalog"),
            "{}",
            describe(&out)
        );
        assert_eq!(stdout(&out), "", "{}", describe(&out));
    }
}
