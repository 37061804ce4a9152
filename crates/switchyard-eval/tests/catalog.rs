//! Catalog-aware targets (docs/reference/catalogs.md) against the committed sample
//! catalog `examples/models.json`.

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    reason = "tests"
)]

use std::sync::Arc;
use std::time::Duration;

use serde_json::json;
use switchyard_catalog::Catalog;
use switchyard_eval::{CompiledTable, Health, LoadOptions};
use switchyard_syntax::SourceMap;

fn catalog() -> Arc<Catalog> {
    let path = concat!(env!("CARGO_MANIFEST_DIR"), "/../../examples/models.json");
    Arc::new(Catalog::load(path).unwrap())
}

fn table(src: &str) -> CompiledTable {
    let mut sources = SourceMap::new();
    sources.add("t.route", src);
    let options = LoadOptions::default().with_catalog(catalog());
    CompiledTable::from_sources(sources, &options)
        .unwrap_or_else(|e| panic!("{e}"))
        .0
}

const SCHEMA: &str = r#"
context {
  prompt_tokens: int = 0
  budget: float = 1.0
  tier: "free" | "pro" = "free"
}
model sonnet = "anthropic/claude-3.5-sonnet"
model gpt-4o = "openai/gpt-4o"
model mini = "openai/gpt-4o-mini"
model llama = "meta-llama/llama-3.1-8b-instruct"
model gemma = "google/gemma-2-9b-it:free"
model mistral = "mistralai/mistral-small"
defaults max_tokens 1000
"#;

/// (rule, model, fallbacks, est_max_cost_usd) for a context.
fn decide(
    t: &CompiledTable,
    ctx: serde_json::Value,
) -> Option<(String, String, Vec<String>, Option<f64>)> {
    let ctx = t.context_from_json(&ctx).unwrap();
    t.decide(&ctx).unwrap().map(|d| {
        (
            d.rule().to_string(),
            d.model().to_string(),
            d.fallbacks().map(str::to_string).collect(),
            d.est_max_cost_usd(),
        )
    })
}

#[test]
fn require_drops_candidates_in_order() {
    let t = table(&format!(
        "{SCHEMA}rule vision: when tier == \"pro\" -> gemma fallback [llama, mini, sonnet] require vision
         rule rest: otherwise -> gemma"
    ));
    let (rule, model, fallbacks, _) = decide(&t, json!({"tier": "pro"})).unwrap();
    assert_eq!(rule, "vision");
    assert_eq!(model, "openai/gpt-4o-mini");
    assert_eq!(fallbacks, vec!["anthropic/claude-3.5-sonnet"]);
}

#[test]
fn a_rule_with_no_candidate_left_does_not_match() {
    let t = table(&format!(
        "{SCHEMA}rule json: when tier == \"pro\" -> gemma fallback [sonnet] require json
         rule rest: otherwise -> llama"
    ));
    assert_eq!(decide(&t, json!({"tier": "pro"})).unwrap().0, "rest");
}

#[test]
fn fits_uses_the_prompt_and_max_tokens() {
    let t = table(&format!(
        "{SCHEMA}rule long: when tier == \"pro\" -> gemma fallback [mistral, sonnet] require fits(prompt_tokens)
         rule rest: otherwise -> llama"
    ));
    // gemma: 8192 window; mistral: 32768; sonnet: 200000; max_tokens 1000.
    assert_eq!(
        decide(&t, json!({"tier": "pro", "prompt_tokens": 7192}))
            .unwrap()
            .1,
        "google/gemma-2-9b-it:free"
    );
    assert_eq!(
        decide(&t, json!({"tier": "pro", "prompt_tokens": 7193}))
            .unwrap()
            .1,
        "mistralai/mistral-small"
    );
    assert_eq!(
        decide(&t, json!({"tier": "pro", "prompt_tokens": 100_000}))
            .unwrap()
            .1,
        "anthropic/claude-3.5-sonnet"
    );
    assert_eq!(
        decide(&t, json!({"tier": "pro", "prompt_tokens": 500_000}))
            .unwrap()
            .0,
        "rest"
    );
}

#[test]
fn cost_bound_from_a_literal_or_a_field() {
    let t = table(&format!(
        "{SCHEMA}rule capped: when tier == \"pro\" -> sonnet fallback [gpt-4o, mini] require cost(prompt_tokens) <= budget
         rule fixed: when tier == \"free\" -> sonnet fallback [mini] require cost(prompt_tokens) <= 0.01
         rule rest: otherwise -> llama"
    ));
    // sonnet worst case at 1000 prompt tokens: 0.003 + 0.015 = 0.018 USD.
    let d = decide(
        &t,
        json!({"tier": "pro", "prompt_tokens": 1000, "budget": 0.02}),
    )
    .unwrap();
    assert_eq!(d.1, "anthropic/claude-3.5-sonnet");
    assert!((d.3.unwrap() - 0.018).abs() < 1e-12);
    let d = decide(
        &t,
        json!({"tier": "pro", "prompt_tokens": 1000, "budget": 0.015}),
    )
    .unwrap();
    assert_eq!(d.1, "openai/gpt-4o");
    assert_eq!(
        decide(&t, json!({"tier": "free", "prompt_tokens": 1000}))
            .unwrap()
            .1,
        "openai/gpt-4o-mini"
    );
}

#[test]
fn cheapest_orders_by_worst_case_cost() {
    let t = table(&format!(
        "{SCHEMA}rule cheap: when tier == \"pro\" -> cheapest [sonnet, gpt-4o, mistral, mini] require tools
         rule rest: otherwise -> llama"
    ));
    let (_, model, fallbacks, cost) =
        decide(&t, json!({"tier": "pro", "prompt_tokens": 2000})).unwrap();
    assert_eq!(model, "openai/gpt-4o-mini");
    assert_eq!(
        fallbacks,
        vec![
            "mistralai/mistral-small",
            "openai/gpt-4o",
            "anthropic/claude-3.5-sonnet"
        ]
    );
    // mini: 2000 × 0.00000015 + 1000 × 0.0000006 = 0.0009.
    assert!((cost.unwrap() - 0.0009).abs() < 1e-12);
    // With no prompt tokens, mini and mistral cost the same: the written
    // order breaks the tie.
    let (_, model, _, _) = decide(&t, json!({"tier": "pro"})).unwrap();
    assert_eq!(model, "mistralai/mistral-small");
    let body = t
        .decide(
            &t.context_from_json(&json!({"tier": "pro", "prompt_tokens": 10}))
                .unwrap(),
        )
        .unwrap()
        .unwrap()
        .to_json();
    assert_eq!(body["model"], "openai/gpt-4o-mini");
    assert!(body["est_max_cost_usd"].as_f64().is_some());
}

#[test]
fn cheapest_skips_down_models() {
    let t = table(&format!(
        "{SCHEMA}rule cheap: otherwise -> cheapest [sonnet, mini, gpt-4o]"
    ));
    let health = Health::default();
    health.mark_down("openai/gpt-4o-mini", Duration::from_secs(60));
    let ctx = t.context().build();
    let d = t.decide_with_health(&ctx, &health).unwrap().unwrap();
    assert_eq!(d.model(), "openai/gpt-4o");
    assert_eq!(
        d.fallbacks().collect::<Vec<_>>(),
        ["anthropic/claude-3.5-sonnet"]
    );
}

#[test]
fn unknown_models_fail_requirements_but_not_plain_targets() {
    let t = table(&format!(
        "{SCHEMA}rule r: when tier == \"pro\" -> \"acme/unknown\" fallback [mini] require tools
         rule rest: otherwise -> \"acme/unknown\""
    ));
    assert_eq!(
        decide(&t, json!({"tier": "pro"})).unwrap().1,
        "openai/gpt-4o-mini"
    );
    let (rule, model, _, cost) = decide(&t, json!({})).unwrap();
    assert_eq!(
        (rule.as_str(), model.as_str(), cost),
        ("rest", "acme/unknown", None)
    );
}

#[test]
fn every_decision_carries_an_estimate_with_a_catalog() {
    let t = table(&format!("{SCHEMA}rule r: otherwise -> mini"));
    let (_, _, _, cost) = decide(&t, json!({"prompt_tokens": 1000})).unwrap();
    // 1000 × 0.00000015 + 1000 × 0.0000006
    assert!((cost.unwrap() - 0.00075).abs() < 1e-12);
}

#[test]
fn without_a_catalog_such_rulesets_do_not_load() {
    let err = CompiledTable::from_source(&format!(
        "{SCHEMA}rule r: otherwise -> cheapest [mini, sonnet]"
    ))
    .unwrap_err();
    assert!(err.to_string().contains("catalog"), "{err}");
}
