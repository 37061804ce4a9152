//! `decide` allocates nothing once the context is built: a counting global
//! allocator watches every allocation of this test binary.

#![allow(
    unsafe_code,
    reason = "a counting global allocator needs `unsafe impl GlobalAlloc`"
)]
#![allow(clippy::unwrap_used, clippy::expect_used, reason = "tests")]

use std::alloc::{GlobalAlloc, Layout, System};
use std::cell::Cell;

use switchyard_eval::CompiledTable;

struct Counting;

thread_local! {
    static ALLOCATIONS: Cell<u64> = const { Cell::new(0) };
}

// SAFETY: forwards to the system allocator unchanged; only counts.
unsafe impl GlobalAlloc for Counting {
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        let _ = ALLOCATIONS.try_with(|c| c.set(c.get() + 1));
        // SAFETY: same contract as the caller's.
        unsafe { System.alloc(layout) }
    }
    unsafe fn dealloc(&self, ptr: *mut u8, layout: Layout) {
        // SAFETY: same contract as the caller's.
        unsafe { System.dealloc(ptr, layout) }
    }
    unsafe fn realloc(&self, ptr: *mut u8, layout: Layout, new_size: usize) -> *mut u8 {
        let _ = ALLOCATIONS.try_with(|c| c.set(c.get() + 1));
        // SAFETY: same contract as the caller's.
        unsafe { System.realloc(ptr, layout, new_size) }
    }
}

#[global_allocator]
static GLOBAL: Counting = Counting;

fn allocations() -> u64 {
    ALLOCATIONS.with(Cell::get)
}

const RULES: &str = r#"
context {
  tier: "free" | "pro" | "enterprise" = "free"
  task: "chat" | "code" = "chat"
  tenant: string
  budget: float = 0.0
  tokens: int = 0
  tools: bool = false
  user: string
  prompt: string = ""
}
model a = "openai/gpt-4o-mini"
model b = "anthropic/claude-3.5-sonnet"
defaults max_tokens 512
let code = prompt matches /```|def |class /i
rule t1: when tenant == "acme" and tier in ["pro", "enterprise"] -> b fallback [a]
rule t2: when tenant == "globex" and budget < 1.0 -> a
rule long: when words(prompt) > 50 or len(prompt) > 1000 -> b
rule code: when code and not (tier == "free") -> b provider { sort: "price" }
rule night: when hour < 6 and weekday in ["sat", "sun"] -> a
rule ab: when task == "chat" -> split by user { control 90%: a  treat 10%: b }
rule numeric: when tokens in 100..=5000 and tools -> b
rule default: otherwise -> a
"#;

fn contexts(table: &CompiledTable) -> Vec<switchyard_eval::Context> {
    [
        serde_json::json!({"tenant": "acme", "tier": "pro"}),
        serde_json::json!({"tenant": "globex", "budget": 0.5}),
        serde_json::json!({"prompt": "please explain: def f(x): return x", "tier": "pro"}),
        serde_json::json!({"task": "chat", "user": "user-42", "tier": "free"}),
        serde_json::json!({"task": "code", "tokens": 300, "tools": true}),
        serde_json::json!({"task": "code"}),
    ]
    .iter()
    .map(|j| table.context_from_json_at(j, Some(1_700_000_000)).unwrap())
    .collect()
}

/// Without `matches`, not even the first decision allocates.
#[test]
fn decide_allocates_nothing_from_the_first_decision() {
    let rules = RULES.replace(
        "let code = prompt matches /```|def |class /i",
        "let code = prompt contains \"def \"",
    );
    let (table, _) = CompiledTable::from_source(&rules).unwrap();
    let contexts = contexts(&table);
    let before = allocations();
    let mut hits = 0;
    for _ in 0..100 {
        for ctx in &contexts {
            hits += table.decide(ctx).unwrap().map_or(0, |d| d.rule().len());
        }
    }
    assert_eq!(allocations() - before, 0);
    assert!(hits > 0);
}

/// The regex crate's lazy DFA allocates states the first time it meets new
/// input; once warm, deciding allocates nothing.
#[test]
fn decide_allocates_nothing_once_regexes_are_warm() {
    let (table, _) = CompiledTable::from_source(RULES).unwrap();
    let contexts = contexts(&table);
    for ctx in &contexts {
        table.decide(ctx).unwrap();
    }
    let before = allocations();
    let mut rules = Vec::with_capacity(contexts.len() * 100);
    let after_setup = allocations();
    for _ in 0..100 {
        for ctx in &contexts {
            let d = table.decide(ctx).unwrap().unwrap();
            rules.push(d.rule().len() + d.model().len() + d.fallbacks().len());
        }
    }
    let during = allocations() - after_setup;
    assert_eq!(during, 0, "decide allocated {during} times");
    assert!(after_setup - before <= 1);
    assert_eq!(rules.len(), 600);
}

#[test]
fn the_counter_sees_allocations() {
    // The test above would pass vacuously if the allocator did not count.
    let before = allocations();
    let v: Vec<u8> = Vec::with_capacity(10);
    assert!(allocations() > before);
    drop(v);
}

/// Skipping down models allocates nothing either.
#[test]
fn decide_with_health_allocates_nothing() {
    let rules = RULES.replace(
        "let code = prompt matches /```|def |class /i",
        "let code = prompt contains \"def \"",
    );
    let (table, _) = CompiledTable::from_source(&rules).unwrap();
    let contexts = contexts(&table);
    let health = switchyard_eval::Health::default();
    health.mark_down(
        "anthropic/claude-3.5-sonnet",
        std::time::Duration::from_secs(60),
    );
    let before = allocations();
    let mut hits = 0;
    for _ in 0..100 {
        for ctx in &contexts {
            hits += table
                .decide_with_health(ctx, &health)
                .unwrap()
                .map_or(0, |d| d.model().len());
        }
    }
    assert_eq!(allocations() - before, 0);
    assert!(hits > 0);
}

/// Catalog-aware targets (`require`, `cheapest`, the cost estimate) work on
/// the stack too.
#[test]
fn catalog_targets_allocate_nothing() {
    let path = concat!(env!("CARGO_MANIFEST_DIR"), "/../../examples/models.json");
    let catalog = std::sync::Arc::new(switchyard_catalog::Catalog::load(path).unwrap());
    let mut sources = switchyard_syntax::SourceMap::new();
    sources.add(
        "t.route",
        r#"context { prompt_tokens: int = 0  budget: float = 1.0 }
        defaults max_tokens 500
        rule big: when prompt_tokens > 100000 -> "google/gemma-2-9b-it:free" fallback ["anthropic/claude-3.5-sonnet"] require fits(prompt_tokens)
        rule capped: when budget < 0.01 -> "openai/gpt-4o" fallback ["openai/gpt-4o-mini"] require cost(prompt_tokens) <= budget, tools
        rule cheap: otherwise -> cheapest ["anthropic/claude-3.5-sonnet", "openai/gpt-4o-mini", "mistralai/mistral-small"]"#,
    );
    let options = switchyard_eval::LoadOptions::default().with_catalog(catalog);
    let (table, _) = CompiledTable::from_sources(sources, &options).unwrap();
    let contexts: Vec<_> = [
        serde_json::json!({"prompt_tokens": 150000}),
        serde_json::json!({"prompt_tokens": 1000, "budget": 0.005}),
        serde_json::json!({"prompt_tokens": 1000}),
    ]
    .iter()
    .map(|j| table.context_from_json(j).unwrap())
    .collect();
    let before = allocations();
    let mut total = 0.0;
    for _ in 0..100 {
        for ctx in &contexts {
            let d = table.decide(ctx).unwrap().unwrap();
            total += d.est_max_cost_usd().unwrap_or(0.0) + d.fallbacks().count() as f64;
        }
    }
    assert_eq!(allocations() - before, 0);
    assert!(total > 0.0);
}
