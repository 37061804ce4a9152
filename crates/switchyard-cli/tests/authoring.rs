//! End-to-end tests of what issue #15 asked of the command line for rule
//! authors: `check -`, `--allow`/`--warn`/`--deny`, the name of
//! `SWITCHYARD_FORMAT` in its error, `bench` naming the rules never chosen,
//! `--explain` of a false `or`, a whole float for an int field, and message
//! roles in `body`.

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    reason = "tests"
)]

mod support;

use std::process::Command;

use support::{code, describe, json, run, stderr, stdout, Scratch};

/// A ruleset with one warning: `spare` is never used (W105).
const ONE_WARNING: &str = "\
context {
  tier: \"free\" | \"pro\" = \"free\"
  spare: string
  needs_tools: bool = false
  needs_vision: bool = false
  n: int = 0
}
model mini = \"openai/gpt-4o-mini\"
model claude = \"anthropic/claude-3.5-sonnet\"
defaults max_tokens 256
rule tools: when tier == \"pro\" and (needs_tools or n > 3) -> claude
rule vision: when needs_vision -> claude
rule default: otherwise -> mini
";

#[test]
fn check_reads_standard_input() {
    let bad = ONE_WARNING.replace("when needs_vision", "when tier == \"enterprise\"");
    let out = run(&["check", "-"], Some(&bad));
    // `enterprise` is not a tier: E004, read from standard input.
    assert_eq!(code(&out), 1, "{}", describe(&out));
    assert!(
        stdout(&out).contains("--> <stdin>:12:"),
        "{}",
        describe(&out)
    );
    assert!(stderr(&out).contains("in <stdin>"), "{}", describe(&out));
    let out = run(&["check", "-", "--allow", "W105,W101"], Some(ONE_WARNING));
    assert_eq!(code(&out), 0, "{}", describe(&out));
    assert!(stderr(&out).contains("ok: <stdin>"), "{}", describe(&out));
}

#[test]
fn allow_warn_and_deny_set_the_level_of_a_code() {
    let dir = Scratch::new("levels");
    let fixed = ONE_WARNING.replace("rule vision: when needs_vision -> claude\n", "");
    let file = dir.file("r.route", &fixed);
    let out = run(&["check", &file], None);
    assert_eq!(code(&out), 0, "{}", describe(&out));
    assert!(stdout(&out).contains("warning[W105]"), "{}", describe(&out));
    let out = run(&["check", &file, "--allow", "W105"], None);
    assert_eq!(code(&out), 0, "{}", describe(&out));
    assert!(stdout(&out).is_empty(), "{}", describe(&out));
    let out = run(&["check", &file, "--deny", "W105"], None);
    assert_eq!(code(&out), 1, "{}", describe(&out));
    assert!(stdout(&out).contains("error[W105]"), "{}", describe(&out));
    // A denied warning fails the load of every command.
    let out = run(&["eval", &file, "--context", "{}", "--deny", "W105"], None);
    assert_eq!(code(&out), 1, "{}", describe(&out));
    // The file's allow wins over the command line's deny.
    let allowed = dir.file(
        "allowed.route",
        &ONE_WARNING.replace(
            "  spare: string",
            "  spare: string  # switchyard: allow(W105)\n  # switchyard: allow(W105)\n  other: int",
        ),
    );
    let out = run(&["check", &allowed, "--deny", "W105"], None);
    assert_eq!(code(&out), 0, "{}", describe(&out));
    // Bad usage: an error's code, an unknown code, two levels for one code.
    for args in [
        vec!["--allow", "E004"],
        vec!["--deny", "W1O5"],
        vec!["--allow", "W105", "--deny", "W105"],
    ] {
        let mut all = vec!["check", file.as_str()];
        all.extend(args.iter().copied());
        let out = run(&all, None);
        assert_eq!(code(&out), 2, "{args:?}: {}", describe(&out));
    }
    let out = run(&["check", &file, "--deny", "W1O5"], None);
    assert!(
        stderr(&out).contains("did you mean `W105`?"),
        "{}",
        describe(&out)
    );
}

#[test]
fn a_bad_format_variable_is_named() {
    let dir = Scratch::new("format-env");
    let file = dir.file("r.route", ONE_WARNING);
    let out = Command::new(env!("CARGO_BIN_EXE_switchyard"))
        .args(["check", &file])
        .env("SWITCHYARD_FORMAT", "xml")
        .output()
        .expect("run switchyard");
    assert_eq!(code(&out), 2, "{}", describe(&out));
    let err = stderr(&out);
    assert!(
        err.contains("SWITCHYARD_FORMAT is `xml`: expected one of human, json, github, sarif"),
        "{err}"
    );
    assert!(!err.contains("--format <FORMAT>"), "{err}");
}

#[test]
fn bench_names_the_rules_never_chosen() {
    let dir = Scratch::new("never-chosen");
    let rules = dir.file("r.route", ONE_WARNING);
    let traffic = dir.file("t.jsonl", "{\"tier\": \"free\"}\n{\"tier\": \"free\"}\n");
    let args = ["bench", &rules, "--contexts", &traffic, "--min-time", "0"];
    let out = run(&args, None);
    assert_eq!(code(&out), 0, "{}", describe(&out));
    assert!(
        stdout(&out).contains("  2 rules never chosen: `tools`, `vision`\n"),
        "{}",
        describe(&out)
    );
    let mut with_json = args.to_vec();
    with_json.extend(["--format", "json"]);
    let r = json(&run(&with_json, None));
    assert_eq!(r["rules_never_chosen"], 2);
    assert_eq!(r["never_chosen"], serde_json::json!(["tools", "vision"]));
}

#[test]
fn explain_gives_every_alternative_of_a_false_or() {
    let dir = Scratch::new("explain-or");
    let rules = dir.file("r.route", ONE_WARNING);
    let ctx = "{\"tier\": \"pro\", \"n\": 2}";
    let out = run(&["eval", &rules, "--context", ctx, "--explain"], None);
    assert_eq!(code(&out), 0, "{}", describe(&out));
    let r = json(&out);
    let first = &r["rules"][0];
    assert_eq!(first["failed"]["test"], "needs_tools");
    assert_eq!(first["also_failed"][0]["test"], "n > 3");
    assert_eq!(first["also_failed"][0]["values"][0], "n = 2");
    let out = run(
        &[
            "eval",
            &rules,
            "--context",
            ctx,
            "--explain",
            "--format",
            "human",
        ],
        None,
    );
    let text = stdout(&out);
    assert!(
        text.contains("✗ tools: needs_tools was false (needs_tools = false)\n"),
        "{text}"
    );
    assert!(text.contains("  and n > 3 was false (n = 2)\n"), "{text}");
}

#[test]
fn a_whole_float_for_an_int_field_says_how_to_write_it() {
    let dir = Scratch::new("int-float");
    let rules = dir.file("r.route", ONE_WARNING);
    let out = run(&["eval", &rules, "--context", "{\"n\": 12.0}"], None);
    assert_eq!(code(&out), 2, "{}", describe(&out));
    assert!(
        stderr(&out).contains(
            "field `n`: expected int, got the float 12.0 (write 12, without a decimal point)"
        ),
        "{}",
        describe(&out)
    );
    let out = run(&["eval", &rules, "--context", "{\"n\": 12.5}"], None);
    assert!(
        stderr(&out).contains("got the float 12.5\n"),
        "{}",
        describe(&out)
    );
}

#[test]
fn body_refuses_an_unknown_role_with_the_closest() {
    let dir = Scratch::new("roles");
    let rules = dir.file("r.route", ONE_WARNING);
    let out = run(
        &[
            "body",
            &rules,
            "--context",
            "{}",
            "--messages",
            "[{\"role\": \"usr\", \"content\": \"hi\"}]",
        ],
        None,
    );
    assert_eq!(code(&out), 2, "{}", describe(&out));
    assert!(
        stderr(&out).contains(
            "messages[0]: role `usr` is not one of system, developer, user, assistant, tool; \
             did you mean `user`?"
        ),
        "{}",
        describe(&out)
    );
}
