//! End-to-end tests of `switchyard diff` over the committed traffic file
//! `tests/traffic/traffic.jsonl` and rulesets `tests/traffic/v1.route` and
//! `v2.route` (code moves first and takes enterprise, tools moves to
//! claude, free loses its fallback, and a tier `team` appears). The
//! expected transitions were worked out by hand from the rules.

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    reason = "tests"
)]

mod support;

use serde_json::{json, Value};
use support::{code, fixture, guest, json, run, stderr, stdout, Scratch, BAD_LINES, NO_OTHERWISE};

const MINI: &str = "openai/gpt-4o-mini";
const CLAUDE: &str = "anthropic/claude-3.5-sonnet";
const LLAMA: &str = "meta-llama/llama-3.1-8b-instruct";

fn diff(old: &str, new: &str, extra: &[&str]) -> std::process::Output {
    let (old, new, traffic) = (fixture(old), fixture(new), fixture("traffic.jsonl"));
    let mut args = vec![
        "diff",
        old.as_str(),
        new.as_str(),
        "--contexts",
        traffic.as_str(),
    ];
    args.extend_from_slice(extra);
    run(&args, None)
}

fn route(rule: &str, model: &str, fallbacks: &[&str]) -> Value {
    json!({ "rule": rule, "variant": null, "model": model, "fallbacks": fallbacks })
}

/// `(count, from, to, example lines)` of each transition.
fn transitions(r: &Value) -> Vec<(u64, Value, Value, Vec<u64>)> {
    r["transitions"]
        .as_array()
        .unwrap()
        .iter()
        .map(|t| {
            let lines = t["examples"]
                .as_array()
                .unwrap()
                .iter()
                .map(|e| e["line"].as_u64().unwrap())
                .collect();
            (
                t["count"].as_u64().unwrap(),
                t["from"].clone(),
                t["to"].clone(),
                lines,
            )
        })
        .collect()
}

#[test]
fn transitions_are_counted_exactly_with_examples() {
    let out = diff("v1.route", "v2.route", &["--format", "json"]);
    assert_eq!(code(&out), 0, "{}", stderr(&out));
    let r = json(&out);
    assert_eq!(r["traffic"]["contexts"], 32);
    assert_eq!(r["traffic"]["skipped_lines"], 5);
    assert_eq!(r["changed"], 20);
    assert_eq!(r["unchanged"], 12);
    assert_eq!(
        transitions(&r),
        [
            (
                7,
                route("free", LLAMA, &[MINI]),
                route("free", LLAMA, &[]),
                vec![6, 14, 15]
            ),
            (
                6,
                route("tools", MINI, &[CLAUDE]),
                route("tools", CLAUDE, &[MINI]),
                vec![1, 20, 25]
            ),
            (
                4,
                route("enterprise", CLAUDE, &[MINI]),
                route("code", CLAUDE, &[]),
                vec![7, 12, 23]
            ),
            (
                3,
                route("tools", MINI, &[CLAUDE]),
                route("code", CLAUDE, &[]),
                vec![16, 17, 24]
            ),
        ]
    );
    assert_eq!(
        r["transitions"][3]["examples"][0]["context"],
        r#"{"tier":"pro","task":"code","needs_tools":true}"#
    );
    let share = |m: &str| {
        let row = r["models"]
            .as_array()
            .unwrap()
            .iter()
            .find(|row| row["model"] == m)
            .unwrap();
        (
            row["before"].as_u64().unwrap(),
            row["after"].as_u64().unwrap(),
        )
    };
    assert_eq!(share(CLAUDE), (13, 22));
    assert_eq!(share(MINI), (12, 3));
    assert_eq!(share(LLAMA), (7, 7));
    assert_eq!(r["models"].as_array().unwrap().len(), 3);
    assert_eq!(r["cost"], Value::Null);
}

#[test]
fn examples_per_transition_can_be_limited() {
    let out = diff(
        "v1.route",
        "v2.route",
        &["--format", "json", "--examples", "1"],
    );
    let r = json(&out);
    let lines: Vec<Vec<u64>> = transitions(&r).into_iter().map(|t| t.3).collect();
    assert_eq!(lines, [vec![6], vec![1], vec![7], vec![16]]);
}

#[test]
fn a_catalog_gives_the_cost_change_per_1000_requests() {
    let catalog = fixture("models.json");
    let out = diff(
        "v1.route",
        "v2.route",
        &["--format", "json", "--catalog", &catalog],
    );
    assert_eq!(code(&out), 0, "{}", stderr(&out));
    let cost = &json(&out)["cost"];
    // 25 of the 32 decisions go to priced models in each ruleset: $5.07404
    // and $7.28632 worst case in all.
    let (before, after) = (5.074_04 / 25.0 * 1000.0, 7.286_32 / 25.0 * 1000.0);
    let close = |k: &str, x: f64| (cost[k].as_f64().unwrap() - x).abs() < 1e-9;
    assert!(close("before_per_1000_requests_usd", before), "{cost}");
    assert!(close("after_per_1000_requests_usd", after), "{cost}");
    assert!(close("delta_usd", after - before), "{cost}");
    assert!(close("change", (after - before) / before), "{cost}");
    assert_eq!(cost["unpriced_before"], 7);
    assert_eq!(cost["unpriced_after"], 7);
}

#[test]
fn changes_fail_only_with_fail_on_change() {
    assert_eq!(code(&diff("v1.route", "v2.route", &[])), 0);
    assert_eq!(
        code(&diff("v1.route", "v2.route", &["--fail-on-change"])),
        1
    );
    let same = diff(
        "v1.route",
        "v1.route",
        &["--fail-on-change", "--format", "json"],
    );
    assert_eq!(code(&same), 0, "{}", stderr(&same));
    let r = json(&same);
    assert_eq!(r["changed"], 0);
    assert_eq!(r["unchanged"], 32);
    assert_eq!(r["transitions"], json!([]));
}

#[test]
fn human_output_lists_transitions_and_model_share() {
    let catalog = fixture("models.json");
    let out = diff("v1.route", "v2.route", &["--catalog", &catalog]);
    assert_eq!(code(&out), 0, "{}", stderr(&out));
    let text = stdout(&out);
    for expected in [
        "traffic.jsonl: 32 contexts (5 bad lines skipped)\n",
        "changed    20 of 32 decisions (62.5%)\n",
        "cost       $202.9616 -> $291.4528 per 1,000 requests (+$88.4912, +43.6%; estimated worst case)\n",
        "\ntransitions\n  7  free (same rule)\n     fallbacks [openai/gpt-4o-mini] -> []\n     line 6: {\"tier\":\"free\",\"task\":\"code\",\"prompt_tokens\":120}\n",
        "  4  enterprise -> code\n",
        "  3  tools -> code\n     model openai/gpt-4o-mini -> anthropic/claude-3.5-sonnet\n",
        "  anthropic/claude-3.5-sonnet       13   40.6%   22   68.8%   +28.1 pp\n",
        "  openai/gpt-4o-mini                12   37.5%    3    9.4%   -28.1 pp\n",
    ] {
        assert!(text.contains(expected), "{expected:?} in\n{text}");
    }
}

#[test]
fn markdown_is_ready_for_a_pull_request() {
    let catalog = fixture("models.json");
    let out = diff(
        "v1.route",
        "v2.route",
        &[
            "--format",
            "markdown",
            "--catalog",
            &catalog,
            "--examples",
            "2",
        ],
    );
    assert_eq!(code(&out), 0, "{}", stderr(&out));
    let md = stdout(&out);
    assert!(
        md.starts_with("### switchyard diff: 20 of 32 decisions change (62.5%)\n\n"),
        "{md}"
    );
    for expected in [
        "over 32 contexts of `",
        "(5 bad lines skipped)\n",
        "| decisions | rule | model |\n| ---: | --- | --- |\n",
        "| 4 | `enterprise` → `code` | `anthropic/claude-3.5-sonnet` (same), fallbacks `[openai/gpt-4o-mini]` → `[]` |\n",
        "| 3 | `tools` → `code` | `openai/gpt-4o-mini` → `anthropic/claude-3.5-sonnet`, fallbacks `[anthropic/claude-3.5-sonnet]` → `[]` |\n",
        "| `openai/gpt-4o-mini` | 12 (37.5%) | 3 (9.4%) | −28.1 pp |\n",
        "| `meta-llama/llama-3.1-8b-instruct` | 7 (21.9%) | 7 (21.9%) | 0.0 pp |\n",
        "**Estimated worst-case cost per 1,000 requests:** $202.9616 → $291.4528 (+$88.4912, +43.6%)\n",
        "<details><summary>Examples</summary>\n\n",
        "- line 16: `{\"tier\":\"pro\",\"task\":\"code\",\"needs_tools\":true}`\n",
        "</details>\n",
    ] {
        assert!(md.contains(expected), "{expected:?} in\n{md}");
    }
    assert!(
        !md.contains("line 24"),
        "two examples per transition:\n{md}"
    );

    let same = diff("v1.route", "v1.route", &["--format", "markdown"]);
    let md = stdout(&same);
    assert!(
        md.starts_with("### switchyard diff: no decision changes\n"),
        "{md}"
    );
    assert!(!md.contains("<details>"), "{md}");
}

#[test]
fn bad_lines_name_the_line_and_the_ruleset_that_refuses_it() {
    let out = diff("v1.route", "v2.route", &["--format", "json"]);
    let err = stderr(&out);
    for (line, message) in BAD_LINES {
        let prefix = format!("error: line {line}: ");
        let reported = err.lines().find(|l| l.starts_with(&prefix));
        assert!(
            reported.is_some_and(|l| l.contains(message)),
            "line {line}:\n{err}"
        );
    }
    // v2 knows the tier `team`; v1 does not, and is named.
    let team = err
        .lines()
        .find(|l| l.starts_with("error: line 26: "))
        .unwrap();
    assert!(team.contains("v1.route: field `tier`"), "{team}");
    // The same ruleset on both sides the other way round: v2 is named.
    let out = diff("v2.route", "v1.route", &[]);
    let err = stderr(&out);
    let team = err
        .lines()
        .find(|l| l.starts_with("error: line 26: "))
        .unwrap();
    assert!(team.contains("v1.route: field `tier`"), "{team}");
    assert!(!team.contains("v2.route"), "{team}");

    let strict = diff("v1.route", "v2.route", &["--strict"]);
    assert_eq!(code(&strict), 2);
    assert_eq!(stdout(&strict), "");
    assert!(
        stderr(&strict).contains("(--strict): nothing decided"),
        "{}",
        stderr(&strict)
    );
}

#[test]
fn a_context_no_rule_matches_is_a_route_too() {
    let dir = Scratch::new("diff-no-match");
    let old = dir.file("old.route", NO_OTHERWISE);
    let new = dir.file(
        "new.route",
        "context { tier: \"free\" | \"pro\" = \"free\"  user: string }\n\
         defaults max_tokens 256\n\
         rule pro: when tier == \"pro\" -> \"anthropic/claude-3.5-sonnet\"\n\
         rule guests: otherwise -> \"openai/gpt-4o-mini\"\n",
    );
    let traffic = dir.file(
        "t.jsonl",
        &format!("{}\n{{\"tier\": \"pro\"}}\n", guest('1')),
    );
    let out = run(
        &[
            "diff",
            &old,
            &new,
            "--contexts",
            &traffic,
            "--format",
            "json",
        ],
        None,
    );
    assert_eq!(code(&out), 0, "{}", stderr(&out));
    let r = json(&out);
    let none = json!({ "rule": null, "variant": null, "model": null, "fallbacks": [] });
    assert_eq!(
        transitions(&r),
        [(1, none, route("guests", MINI, &[]), vec![1])]
    );
    let human = run(&["diff", &old, &new, "--contexts", &traffic], None);
    let text = stdout(&human);
    assert!(text.contains("  1  (no match) -> guests\n"), "{text}");
    assert!(
        text.contains("model (none) -> openai/gpt-4o-mini"),
        "{text}"
    );
    assert!(text.contains("  (no match)"), "{text}");
}
