//! `--strict-context` on `eval`, `bench` and `diff`, and the keys a
//! traffic file gives that the ruleset does not declare, as `bench` and
//! `diff` report them.

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    reason = "tests"
)]

mod support;

use support::{code, json, run, stderr, stdout, Scratch};

const RULES: &str = r#"
context { task: "chat" | "code" = "chat"  tier: string }
defaults max_tokens 256
rule code: when task == "code" -> "anthropic/claude-3.5-sonnet"
rule default: otherwise -> "openai/gpt-4o-mini"
"#;

/// Two contexts misspell `task`, one gives an extra key.
const TRAFFIC: &str = r#"{"tsk": "code", "tier": "pro"}
{"task": "code"}
{"tsk": "code", "trace_id": "abc"}
{"tier": "free"}
"#;

#[test]
fn eval_ignores_an_undeclared_key_unless_strict() {
    let dir = Scratch::new("strict-eval");
    let rules = dir.file("r.route", RULES);
    let lax = run(&["eval", &rules, "--context", r#"{"tsk": "code"}"#], None);
    assert_eq!(code(&lax), 0, "{}", stderr(&lax));
    assert!(
        stdout(&lax).contains(r#""rule":"default""#),
        "{}",
        stdout(&lax)
    );

    let strict = run(
        &[
            "eval",
            &rules,
            "--strict-context",
            "--context",
            r#"{"tsk": "code"}"#,
        ],
        None,
    );
    assert_ne!(code(&strict), 0);
    let err = stderr(&strict);
    assert!(
        err.contains("field `tsk` is not declared in the ruleset's context; did you mean `task`?"),
        "{err}"
    );
}

#[test]
fn bench_and_diff_report_undeclared_keys() {
    let dir = Scratch::new("strict-traffic");
    let rules = dir.file("r.route", RULES);
    let traffic = dir.file("t.jsonl", TRAFFIC);
    let want = serde_json::json!([
        {"key": "tsk", "contexts": 2},
        {"key": "trace_id", "contexts": 1},
    ]);

    let bench = |extra: &[&str]| {
        let mut args = vec![
            "bench",
            rules.as_str(),
            "--contexts",
            traffic.as_str(),
            "--min-time",
            "0",
        ];
        args.extend_from_slice(extra);
        run(&args, None)
    };
    let out = bench(&["--format", "json"]);
    assert_eq!(code(&out), 0, "{}", stderr(&out));
    assert_eq!(json(&out)["traffic"]["unknown_keys"], want);
    let human = stdout(&bench(&[]));
    assert!(
        human.contains(
            "ignored (--strict-context refuses them): `tsk` in 2 contexts, `trace_id` in 1 context"
        ),
        "{human}"
    );

    // Strict: the two lines with `tsk` are bad lines.
    let out = bench(&["--format", "json", "--strict-context"]);
    assert_eq!(
        json(&out)["traffic"]["skipped_lines"],
        2,
        "{}",
        stderr(&out)
    );
    assert!(
        stderr(&out).contains("did you mean `task`?"),
        "{}",
        stderr(&out)
    );

    let out = run(
        &[
            "diff",
            &rules,
            &rules,
            "--contexts",
            &traffic,
            "--format",
            "json",
        ],
        None,
    );
    assert_eq!(code(&out), 0, "{}", stderr(&out));
    assert_eq!(json(&out)["traffic"]["unknown_keys"], want);
    let out = run(
        &[
            "diff",
            &rules,
            &rules,
            "--contexts",
            &traffic,
            "--format",
            "markdown",
        ],
        None,
    );
    assert!(
        stdout(&out).contains("`tsk` in 2 contexts"),
        "{}",
        stdout(&out)
    );
}
