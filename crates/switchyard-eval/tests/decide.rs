//! Decisions, contexts, splits and explanations, end to end from source.

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    reason = "tests"
)]

use serde_json::json;
use switchyard_eval::{split_bucket, CompiledTable, ContextError, DecideError};

const SECTION1: &str = include_str!("../../../corpus/good/language-section1.route");

fn table(src: &str) -> CompiledTable {
    CompiledTable::from_source(src)
        .unwrap_or_else(|e| panic!("{e}"))
        .0
}

fn decide(t: &CompiledTable, ctx: serde_json::Value) -> Option<serde_json::Value> {
    let ctx = t.context_from_json_at(&ctx, Some(1_700_000_000)).unwrap();
    t.decide(&ctx).unwrap().map(|d| d.to_json())
}

#[test]
fn section_six_decision_shape() {
    let t = table(SECTION1);
    let d = decide(&t, json!({"tier": "pro", "task": "code", "budget": 50.0})).unwrap();
    assert_eq!(
        d,
        json!({
            "rule": "code-pro",
            "variant": null,
            "model": "anthropic/claude-3.5-sonnet",
            "fallbacks": ["openai/gpt-4o"],
            "max_tokens": 2048,
            "options": { "provider": { "sort": "throughput", "allow_fallbacks": true } },
            "tags": [],
            "ruleset": { "version": "2026-11-21.1", "hash": t.info().hash },
        })
    );
    assert_eq!(t.info().hash.len(), 16);
}

#[test]
fn section_one_rules_in_order() {
    let t = table(SECTION1);
    let rule = |ctx| {
        decide(&t, ctx).unwrap()["rule"]
            .as_str()
            .unwrap()
            .to_string()
    };
    assert_eq!(rule(json!({})), "free-tier");
    assert_eq!(rule(json!({"tier": "basic"})), "low-budget");
    assert_eq!(
        rule(json!({"tier": "enterprise", "needs_tools": true})),
        "tools-required"
    );
    assert_eq!(
        rule(json!({"tier": "pro", "budget": 5, "prompt_tokens": 70000})),
        "long-prompt"
    );
    assert_eq!(
        rule(json!({"tier": "pro", "budget": 5, "max_latency_ms": 100})),
        "fast"
    );
    assert_eq!(
        rule(json!({"tier": "pro", "budget": 5, "prompt": "please explain this: def f(): pass"})),
        "hard-prompts"
    );
    assert_eq!(rule(json!({"tier": "pro", "budget": 5})), "default");
    // Defaults merge under the rule's own options.
    let d = decide(&t, json!({"tier": "pro", "budget": 5})).unwrap();
    assert_eq!(d["max_tokens"], 1024);
    let d = decide(&t, json!({})).unwrap();
    assert_eq!(d["max_tokens"], 512);
    assert_eq!(d["fallbacks"], json!(["meta-llama/llama-3.1-8b-instruct"]));
}

#[test]
fn split_follows_fnv1a_buckets() {
    let t = table(SECTION1);
    let mut seen = std::collections::BTreeMap::new();
    for i in 0..2000 {
        let user = format!("user-{i}");
        let d = decide(
            &t,
            json!({"tier": "pro", "budget": 5, "task": "chat", "user": user}),
        )
        .unwrap();
        assert_eq!(d["rule"], "chat-ab");
        let want = if split_bucket("chat-ab", &user) < 9000 {
            "control"
        } else {
            "treatment"
        };
        assert_eq!(d["variant"], want, "{user}");
        *seen.entry(want).or_insert(0) += 1;
    }
    // Roughly 90/10.
    assert!((1700..1900).contains(&seen["control"]), "{seen:?}");
    // An unset key goes to the first arm.
    let d = decide(&t, json!({"tier": "pro", "budget": 5, "task": "chat"})).unwrap();
    assert_eq!(d["variant"], "control");
}

#[test]
fn missing_values_follow_section_4_3() {
    let t = table(
        r#"context { user: string  n: int }
        defaults max_tokens 10
        rule ne: when user != "x" -> "m/ne"
        rule not_eq: when not (user == "x") and not has(n) -> "m/not"
        rule other: otherwise -> "m/other""#,
    );
    // Unset user: `user != "x"` is false, `not (user == "x")` is true.
    assert_eq!(decide(&t, json!({})).unwrap()["rule"], "not_eq");
    assert_eq!(decide(&t, json!({"user": "y"})).unwrap()["rule"], "ne");
    assert_eq!(decide(&t, json!({"user": "x"})).unwrap()["rule"], "other");
    assert_eq!(decide(&t, json!({"n": 1})).unwrap()["rule"], "other");
}

#[test]
fn no_match_is_not_an_error() {
    let src = "context { a: bool = false }\ndefaults max_tokens 1\nrule r: when a -> \"m/x\"";
    // `check` refuses it (E008: some context matches no rule); loading
    // does not run the condition analysis unless asked (tests/load.rs).
    let t = table(src);
    assert_eq!(decide(&t, json!({})), None);
    assert_eq!(decide(&t, json!({"a": true})).unwrap()["rule"], "r");
}

#[test]
fn bad_contexts_name_the_field() {
    let t = table(
        r#"context { tier: "free" | "pro" = "free"  budget: float = 0.0  n: int = 0  ok: bool = false }
        defaults max_tokens 1
        rule r: otherwise -> "m/x""#,
    );
    let err = |v| t.context_from_json(&v).unwrap_err().to_string();
    assert_eq!(
        err(json!({"tier": "gold"})),
        r#"field `tier`: expected one of "free" | "pro", got "gold""#
    );
    assert_eq!(
        err(json!({"budget": "cheap"})),
        r#"field `budget`: expected float, got the string "cheap""#
    );
    assert_eq!(
        err(json!({"n": 1.5})),
        "field `n`: expected int, got the float 1.5"
    );
    assert_eq!(
        err(json!({"n": 18446744073709551615u64})),
        "field `n`: expected an int, got 18446744073709551615, which is outside the 64-bit range"
    );
    assert_eq!(
        err(json!({"ok": [1]})),
        "field `ok`: expected bool, got an array"
    );
    assert_eq!(
        err(json!([1])),
        "a context must be a JSON object, got an array"
    );
    let nan = t.context().set("budget", f64::NAN).unwrap_err();
    assert!(matches!(nan, ContextError::NotFinite { .. }));
    assert!(t.context().set("budget", f64::INFINITY).is_err());
    // Unknown keys are ignored; null means "not given"; ints are fine for floats.
    assert!(t
        .context_from_json(&json!({"zzz": 1, "tier": null, "budget": 3}))
        .is_ok());
    assert!(matches!(
        t.context_from_str("{"),
        Err(ContextError::Json { .. })
    ));
}

#[test]
fn a_context_belongs_to_its_table() {
    let a = table("defaults max_tokens 1\nrule r: otherwise -> \"m/x\"");
    let b = table("defaults max_tokens 1\nrule r: otherwise -> \"m/x\"");
    let ctx = a.context().build();
    assert!(matches!(b.decide(&ctx), Err(DecideError::ForeignContext)));
    assert!(a.decide(&ctx).unwrap().is_some());
}

#[test]
fn time_built_ins() {
    let t = table(
        r#"defaults max_tokens 1
        rule weekend: when weekday in ["sat", "sun"] -> "m/weekend"
        rule office: when hour in 9..17 -> "m/office"
        rule other: otherwise -> "m/other""#,
    );
    // 2023-11-14 (a Tuesday) 22:13:20 UTC.
    let at = |secs| {
        let ctx = t.context().at_unix(secs).build();
        t.decide(&ctx).unwrap().unwrap().rule().to_string()
    };
    assert_eq!(at(1_700_000_000), "other");
    assert_eq!(at(1_700_000_000 - 10 * 3600), "office");
    assert_eq!(at(1_700_000_000 + 4 * 86_400), "weekend");
}

/// `hour` and `weekday` in the declared zone, daylight saving time
/// included; the zone changes nothing but them.
#[test]
fn time_built_ins_in_a_time_zone() {
    let rules = |zone: &str| {
        table(&format!(
            r#"{zone}
            defaults max_tokens 1
            rule weekend: when weekday in ["sat", "sun"] -> "m/weekend"
            rule office: when hour in 9..17 -> "m/office"
            rule other: otherwise -> "m/other""#
        ))
    };
    let paris = rules(r#"timezone "Europe/Paris""#);
    let la = rules(r#"timezone "America/Los_Angeles""#);
    let utc = rules("");
    let at = |t: &CompiledTable, secs| {
        let ctx = t.context().at_unix(secs).build();
        (
            ctx.hour(),
            ctx.weekday(),
            t.decide(&ctx).unwrap().unwrap().rule().to_string(),
        )
    };
    // 2024-01-15 (a Monday) 08:30 UTC: 09:30 in Paris (UTC+1 in winter),
    // 00:30 in Los Angeles.
    let winter = 1_705_307_400;
    assert_eq!(at(&paris, winter), (9, "mon", "office".into()));
    assert_eq!(at(&utc, winter), (8, "mon", "other".into()));
    assert_eq!(at(&la, winter), (0, "mon", "other".into()));
    // 2024-07-15 (a Monday) 07:30 UTC: 09:30 in Paris (UTC+2 in summer).
    let summer = 1_721_028_600;
    assert_eq!(at(&paris, summer), (9, "mon", "office".into()));
    assert_eq!(at(&utc, summer), (7, "mon", "other".into()));
    // 2024-01-15 05:00 UTC is still Sunday in Los Angeles.
    assert_eq!(at(&la, 1_705_294_800), (21, "sun", "weekend".into()));
}

#[test]
fn explain_names_the_first_false_test() {
    let t = table(SECTION1);
    let ctx = t
        .context_from_json(&json!({"tier": "pro", "budget": 5, "task": "chat", "user": "u1"}))
        .unwrap();
    let e = t.explain(&ctx).unwrap();
    let first = &e.rules[0];
    assert_eq!(first.rule, "free-tier");
    assert!(!first.matched);
    let failed = first.failed.as_ref().unwrap();
    assert_eq!(failed.test, r#"tier == "free""#);
    assert_eq!(failed.values, vec![r#"tier = "pro""#]);
    let hard = e.rules.iter().find(|r| r.rule == "hard-prompts").unwrap();
    let failed = hard.failed.as_ref().unwrap();
    assert_eq!(failed.via_let.as_deref(), Some("has_code"));
    assert_eq!(failed.values, vec![r#"prompt = """#]);
    let last = e.rules.last().unwrap();
    assert_eq!(last.rule, "chat-ab");
    assert!(last.matched);
    assert_eq!(e.decision.as_ref().unwrap()["rule"], "chat-ab");
    // Unset values are said to be unset.
    let t = table(
        "context { user: string }\ndefaults max_tokens 1\nrule r: when user == \"a\" -> \"m/x\"",
    );
    let ctx = t.context().build();
    let e = t.explain(&ctx).unwrap();
    assert_eq!(
        e.rules[0].failed.as_ref().unwrap().values,
        vec!["user is unset"]
    );
    assert!(e.decision.is_none());
}

#[test]
fn priorities_order_rules() {
    let t = table(
        r#"defaults max_tokens 1
        rule low priority 10: otherwise -> "m/low"
        rule high priority 1: otherwise -> "m/high""#,
    );
    assert_eq!(decide(&t, json!({})).unwrap()["rule"], "high");
}

#[test]
fn catalog_targets_need_a_catalog() {
    let err = CompiledTable::from_source(
        "context { n: int = 0 }\ndefaults max_tokens 1\nrule r: otherwise -> cheapest [\"a/b\", \"c/d\"]",
    )
    .unwrap_err();
    assert!(err.to_string().contains("catalog"), "{err}");
}
