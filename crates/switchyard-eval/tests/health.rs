//! Decisions skip models that are down (docs/reference/health.md).

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    reason = "tests"
)]

use std::sync::Arc;
use std::time::Duration;

use switchyard_eval::{CompiledTable, Health, HealthPolicy, ManualClock};

const RULES: &str = r#"
context { tier: "free" | "pro" = "free" }
defaults max_tokens 100
rule pro: when tier == "pro" -> "a/primary" fallback ["b/second", "c/third"]
rule any: otherwise -> "d/other" fallback ["b/second"]
"#;

fn setup() -> (CompiledTable, Health, Arc<ManualClock>) {
    let (table, _) = CompiledTable::from_source(RULES).unwrap();
    let clock = Arc::new(ManualClock::default());
    (
        table,
        Health::new(HealthPolicy::default(), clock.clone()),
        clock,
    )
}

/// (rule, model, fallbacks, degraded) for a pro user.
fn pro(table: &CompiledTable, health: &Health) -> (String, String, Vec<String>, bool) {
    let ctx = table.context().set("tier", "pro").unwrap().build();
    let d = table.decide_with_health(&ctx, health).unwrap().unwrap();
    (
        d.rule().to_string(),
        d.model().to_string(),
        d.fallbacks().map(str::to_string).collect(),
        d.degraded(),
    )
}

#[test]
fn healthy_decisions_are_unchanged() {
    let (t, h, _) = setup();
    assert_eq!(
        pro(&t, &h),
        (
            "pro".into(),
            "a/primary".into(),
            vec!["b/second".into(), "c/third".into()],
            false
        )
    );
}

#[test]
fn a_down_primary_is_replaced_by_its_first_healthy_fallback() {
    let (t, h, _) = setup();
    h.mark_down("a/primary", Duration::from_secs(30));
    assert_eq!(
        pro(&t, &h),
        (
            "pro".into(),
            "b/second".into(),
            vec!["c/third".into()],
            false
        )
    );
}

#[test]
fn down_fallbacks_are_dropped() {
    let (t, h, _) = setup();
    h.mark_down("b/second", Duration::from_secs(30));
    assert_eq!(
        pro(&t, &h),
        (
            "pro".into(),
            "a/primary".into(),
            vec!["c/third".into()],
            false
        )
    );
    let ctx = t.context().set("tier", "pro").unwrap().build();
    let json = t.decide_with_health(&ctx, &h).unwrap().unwrap().to_json();
    assert_eq!(json["fallbacks"], serde_json::json!(["c/third"]));
    assert!(json.get("degraded").is_none());
}

#[test]
fn a_rule_whose_every_candidate_is_down_does_not_match() {
    let (t, h, _) = setup();
    for m in ["a/primary", "b/second", "c/third"] {
        h.mark_down(m, Duration::from_secs(30));
    }
    assert_eq!(pro(&t, &h), ("any".into(), "d/other".into(), vec![], false));
}

#[test]
fn when_everything_is_down_the_first_match_is_returned_degraded() {
    let (t, h, _) = setup();
    for m in ["a/primary", "b/second", "c/third", "d/other"] {
        h.mark_down(m, Duration::from_secs(30));
    }
    let (rule, model, fallbacks, degraded) = pro(&t, &h);
    assert_eq!(
        (rule.as_str(), model.as_str(), degraded),
        ("pro", "a/primary", true)
    );
    assert_eq!(fallbacks, vec!["b/second", "c/third"]);
    let ctx = t.context().set("tier", "pro").unwrap().build();
    let json = t.decide_with_health(&ctx, &h).unwrap().unwrap().to_json();
    assert_eq!(json["degraded"], true);
}

#[test]
fn cooldowns_expire_on_the_injected_clock() {
    let (t, h, clock) = setup();
    for _ in 0..3 {
        h.report_failure("a/primary");
    }
    assert_eq!(pro(&t, &h).1, "b/second");
    clock.advance(Duration::from_secs(59));
    assert_eq!(pro(&t, &h).1, "b/second");
    clock.advance(Duration::from_secs(2));
    assert_eq!(pro(&t, &h).1, "a/primary");
}

#[test]
fn the_registry_is_shared_across_threads() {
    let (t, h, _) = setup();
    let h = Arc::new(h);
    let writer = {
        let h = h.clone();
        std::thread::spawn(move || {
            for i in 0..1000 {
                if i % 2 == 0 {
                    h.mark_down("a/primary", Duration::from_secs(1));
                } else {
                    h.mark_up("a/primary");
                }
            }
        })
    };
    let ctx = t.context().set("tier", "pro").unwrap().build();
    for _ in 0..1000 {
        let d = t.decide_with_health(&ctx, &h).unwrap().unwrap();
        assert!(["a/primary", "b/second"].contains(&d.model()));
    }
    writer.join().unwrap();
}
