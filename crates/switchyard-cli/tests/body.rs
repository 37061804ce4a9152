//! End-to-end tests of `switchyard body`: the OpenRouter request body for
//! the example ruleset (a golden file), messages passing through unchanged,
//! `--at`, `--catalog`, and the exit codes and messages of bad input.

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    reason = "tests"
)]

mod support;
use support::{catalog, code, describe, example, p, run, stderr, stdout, Scratch};

use std::fs;
use std::path::Path;
use std::process::Output;

use serde_json::{json, Value};

/// `switchyard body PATH --context CONTEXT --messages MESSAGES EXTRA...`
fn body(path: impl AsRef<Path>, context: &str, messages: &str, extra: &[&str]) -> Output {
    let mut args = vec![
        "body",
        p(&path),
        "--context",
        context,
        "--messages",
        messages,
    ];
    args.extend_from_slice(extra);
    run(&args, None)
}

/// The printed body, which must be the only output and succeed.
fn ok_json(output: &Output) -> Value {
    assert_eq!(code(output), 0, "{}", describe(output));
    serde_json::from_str(&stdout(output))
        .unwrap_or_else(|e| panic!("not JSON ({e}): {}", describe(output)))
}

const HELLO: &str = r#"[{"role": "user", "content": "Hello"}]"#;

#[test]
fn golden_body_for_the_example_ruleset() {
    let out = body(
        example(),
        r#"{"tier": "enterprise", "region": "eu", "task": "code"}"#,
        r#"[{"role": "system", "content": "You are a code reviewer."},
            {"role": "user", "content": "Review this diff."}]"#,
        &[],
    );
    assert_eq!(code(&out), 0, "{}", describe(&out));
    let golden = fs::read_to_string(
        Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/golden/body-enterprise-eu.json"),
    )
    .unwrap();
    assert_eq!(
        stdout(&out),
        golden,
        "the body differs from tests/golden/body-enterprise-eu.json"
    );
    assert_eq!(stderr(&out), "");
    // The golden file is what docs/reference/decisions.md asks for.
    let v: Value = serde_json::from_str(&golden).unwrap();
    assert_eq!(v["model"], "anthropic/claude-3.5-sonnet");
    assert_eq!(
        v["models"],
        json!(["anthropic/claude-3.5-sonnet", "openai/gpt-4o"])
    );
    assert_eq!(v["max_tokens"], 4096);
    assert_eq!(
        v["provider"],
        json!({ "data_collection": "deny", "zdr": true, "allow_fallbacks": false,
                "order": ["amazon-bedrock", "google-vertex", "azure"] })
    );
    assert!(v.get("route").is_none());
}

#[test]
fn without_fallbacks_there_is_no_models_array() {
    // Beyond 120k prompt tokens: Gemini Flash alone, with its own cap.
    let v = ok_json(&body(
        example(),
        r#"{"tier": "pro", "prompt_tokens": 200000}"#,
        HELLO,
        &[],
    ));
    assert_eq!(
        v,
        json!({
            "model": "google/gemini-2.0-flash-001",
            "messages": [{ "role": "user", "content": "Hello" }],
            "max_tokens": 4096
        })
    );
}

#[test]
fn tool_calls_images_and_unknown_fields_pass_through() {
    let messages = json!([
        { "role": "system", "content": [
            { "type": "text", "text": "Long shared instructions", "cache_control": { "type": "ephemeral" } }
        ]},
        { "role": "user", "content": [
            { "type": "text", "text": "What is in this picture, and the weather there?" },
            { "type": "image_url", "image_url": { "url": "data:image/png;base64,iVBORw0KGgo=", "detail": "high" } },
            { "type": "input_audio", "input_audio": { "data": "UklGRg==", "format": "wav" } }
        ]},
        { "role": "assistant", "content": null, "tool_calls": [{
            "id": "call_abc", "type": "function",
            "function": { "name": "get_weather", "arguments": "{\"city\":\"Oslo\"}" }
        }]},
        { "role": "tool", "tool_call_id": "call_abc", "content": "{\"temp_c\": 3}" },
        { "role": "assistant", "content": "It is 3 °C.", "reasoning": "kept as given" }
    ]);
    let dir = Scratch::new("pass");
    let file = dir.file("messages.json", &messages.to_string());
    let v = ok_json(&body(
        example(),
        r#"{"tier": "pro", "needs_vision": true}"#,
        &format!("@{file}"),
        &[],
    ));
    assert_eq!(v["messages"], messages);
    assert_eq!(v["model"], "openai/gpt-4o");
    assert_eq!(
        v["models"],
        json!(["openai/gpt-4o", "google/gemini-2.0-flash-001"])
    );
}

#[test]
fn params_and_transforms_become_body_fields() {
    let dir = Scratch::new("params");
    let rules = dir.file(
        "r.route",
        r#"
        context { tier: "free" | "pro" = "free" }
        defaults max_tokens 100 params { temperature: 0.3 }
        rule pro: when tier == "pro" -> "openai/gpt-4o" fallback ["openai/gpt-4o-mini"]
            provider { sort: "latency", max_price: { prompt: 5, completion: 15 } }
            params { top_p: 0.9, reasoning: { effort: "low" } }
        rule default: otherwise -> "openai/gpt-4o-mini" transforms ["middle-out"]
        "#,
    );
    let v = ok_json(&body(&rules, r#"{"tier": "pro"}"#, HELLO, &[]));
    assert_eq!(
        v,
        json!({
            "model": "openai/gpt-4o",
            "models": ["openai/gpt-4o", "openai/gpt-4o-mini"],
            "messages": [{ "role": "user", "content": "Hello" }],
            "max_tokens": 100,
            "provider": { "sort": "latency", "max_price": { "prompt": 5, "completion": 15 } },
            "temperature": 0.3,
            "top_p": 0.9,
            "reasoning": { "effort": "low" }
        })
    );
    let v = ok_json(&body(&rules, "{}", HELLO, &[]));
    assert_eq!(v["transforms"], json!(["middle-out"]));
    assert_eq!(v["temperature"], 0.3);
}

#[test]
fn at_fixes_the_hour() {
    let dir = Scratch::new("at");
    let rules = dir.file(
        "r.route",
        r#"
        defaults max_tokens 10
        rule night: when hour < 6 -> "meta-llama/llama-3.1-8b-instruct"
        rule day: otherwise -> "openai/gpt-4o-mini"
        "#,
    );
    let night = ok_json(&body(&rules, "{}", HELLO, &["--at", "10800"]));
    assert_eq!(night["model"], "meta-llama/llama-3.1-8b-instruct");
    let day = ok_json(&body(&rules, "{}", HELLO, &["--at", "54000"]));
    assert_eq!(day["model"], "openai/gpt-4o-mini");
}

#[test]
fn bad_context_is_exit_2_naming_the_field() {
    let out = body(example(), r#"{"tier": "gold"}"#, HELLO, &[]);
    assert_eq!(code(&out), 2, "{}", describe(&out));
    assert!(
        stderr(&out).contains("--context: field `tier`"),
        "{}",
        describe(&out)
    );
    assert_eq!(stdout(&out), "");

    let out = body(example(), r#"{"tier": "#, HELLO, &[]);
    assert_eq!(code(&out), 2, "{}", describe(&out));
    assert!(
        stderr(&out).contains("not valid JSON"),
        "{}",
        describe(&out)
    );

    let out = body(example(), "@/nonexistent/context.json", HELLO, &[]);
    assert_eq!(code(&out), 2, "{}", describe(&out));
    assert!(
        stderr(&out).contains("cannot read /nonexistent/context.json"),
        "{}",
        describe(&out)
    );
}

#[test]
fn bad_messages_are_exit_2_naming_the_position() {
    let cases = [
        (
            r#"[{"role": "user", "content": "a"}, {"role": 5}]"#,
            "messages[1]",
        ),
        (r#"[{"role": "user", "content": 7}]"#, "messages[0]"),
        (r#"{"role": "user"}"#, "expected an array"),
        (r#"[{"role": "user", "content": "a"}"#, "not valid JSON"),
        ("[]", "at least one message"),
    ];
    for (messages, needle) in cases {
        let out = body(example(), "{}", messages, &[]);
        assert_eq!(code(&out), 2, "{messages}: {}", describe(&out));
        let err = stderr(&out);
        assert!(
            err.contains("--messages") && err.contains(needle),
            "{messages}: {err}"
        );
        assert_eq!(stdout(&out), "");
    }
}

/// Exit 1 without a body because nothing can be routed: `body` says that
/// no rule matches the context. (Loading does not run the condition
/// analysis, whose E008 is `check`'s to report.)
fn assert_routes_nowhere(out: &Output) {
    assert_eq!(code(out), 1, "{}", describe(out));
    let err = stderr(out);
    assert!(err.contains("matches the context"), "{}", describe(out));
    assert_eq!(stdout(out), "");
}

#[test]
fn a_ruleset_that_can_match_no_rule_gives_no_body() {
    let dir = Scratch::new("nomatch");
    let rules = dir.file(
        "r.route",
        "context { tier: \"free\" | \"pro\" = \"free\" }\n\
         defaults max_tokens 10\n\
         rule pro: when tier == \"pro\" -> \"anthropic/claude-3.5-sonnet\"\n",
    );
    assert_routes_nowhere(&body(&rules, r#"{"tier": "free"}"#, HELLO, &[]));
}

#[test]
fn a_ruleset_with_errors_is_exit_1() {
    let dir = Scratch::new("broken");
    let rules = dir.file(
        "r.route",
        "context { tier: \"free\" | \"pro\" = \"free\" }\n\
         rule paid: when tier == \"enterprize\" -> \"openai/gpt-4o\" max_tokens 10\n\
         rule default: otherwise -> \"openai/gpt-4o-mini\" max_tokens 10\n",
    );
    let out = body(&rules, "{}", HELLO, &[]);
    assert_eq!(code(&out), 1, "{}", describe(&out));
    assert!(stderr(&out).contains("E004"), "{}", describe(&out));
}

/// A ruleset that needs the catalog: `cheapest` with a tools requirement.
const CATALOG_RULES: &str = r#"
context { prompt_tokens: int = 0 }
model sonnet = "anthropic/claude-3.5-sonnet"
model gpt-4o = "openai/gpt-4o"
model mini = "openai/gpt-4o-mini"
model gemma = "google/gemma-2-9b-it:free"
defaults max_tokens 1000
rule cheap: when prompt_tokens < 100000 -> cheapest [sonnet, gpt-4o, mini] require tools
rule json-only: when prompt_tokens < 200000 -> gemma require json
rule rest: otherwise -> mini
"#;

#[test]
fn catalog_picks_the_cheapest_and_reports_the_cost() {
    let dir = Scratch::new("catalog");
    let rules = dir.file("r.route", CATALOG_RULES);
    let out = body(
        &rules,
        r#"{"prompt_tokens": 2000}"#,
        HELLO,
        &["--catalog", catalog().to_str().unwrap()],
    );
    let v = ok_json(&out);
    assert_eq!(v["model"], "openai/gpt-4o-mini");
    assert_eq!(
        v["models"],
        json!([
            "openai/gpt-4o-mini",
            "openai/gpt-4o",
            "anthropic/claude-3.5-sonnet"
        ])
    );
    assert!(v.get("est_max_cost_usd").is_none(), "not a body field: {v}");
    // mini: 2000 × 0.00000015 + 1000 × 0.0000006 = 0.0009 USD.
    assert!(
        stderr(&out).contains("worst-case cost of this request $0.000900"),
        "{}",
        describe(&out)
    );
}

#[test]
fn no_candidate_left_under_the_catalog_gives_no_body() {
    // Gemma has no JSON mode in the catalog: without the catch-all, a
    // prompt of 150k tokens leaves no rule with a candidate.
    let dir = Scratch::new("catalog-nomatch");
    let rules = dir.file(
        "r.route",
        &CATALOG_RULES.replace("rule rest: otherwise -> mini\n", ""),
    );
    assert_routes_nowhere(&body(
        &rules,
        r#"{"prompt_tokens": 150000}"#,
        HELLO,
        &["--catalog", catalog().to_str().unwrap()],
    ));
}

#[test]
fn catalog_rulesets_need_the_catalog_and_a_readable_one() {
    let dir = Scratch::new("catalog-missing");
    let rules = dir.file("r.route", CATALOG_RULES);
    let out = body(&rules, "{}", HELLO, &[]);
    assert_eq!(code(&out), 1, "{}", describe(&out));
    assert!(stderr(&out).contains("catalog"), "{}", describe(&out));

    let bad = dir.file("models.json", "{\"data\": 5}");
    let out = body(&rules, "{}", HELLO, &["--catalog", bad.as_str()]);
    assert_eq!(code(&out), 2, "{}", describe(&out));
    assert!(stderr(&out).contains("--catalog"), "{}", describe(&out));
}
