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

fn contexts(table: &CompiledTable) -> Vec<switchyard_eval::Context<'_>> {
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

/// In a ruleset with a `timezone`, setting the decision time (which looks
/// the zone's offset up) and deciding allocate nothing.
#[test]
fn time_zones_allocate_nothing() {
    let rules = format!(
        "timezone \"Europe/Paris\"\n{}",
        RULES.replace(
            "let code = prompt matches /```|def |class /i",
            "let code = prompt contains \"def \"",
        )
    );
    let (table, _) = CompiledTable::from_source(&rules).unwrap();
    let mut ctx = table.context().build();
    let before = allocations();
    let mut night = [false; 48];
    // From Friday 2023-11-17 22:13 UTC, hour by hour.
    for (hour, seen) in (0..).zip(night.iter_mut()) {
        ctx.at_unix(1_700_259_200 + hour * 3_600);
        *seen = table.decide(&ctx).unwrap().unwrap().rule() == "night";
    }
    assert_eq!(allocations() - before, 0);
    // Saturday 00:00 to 06:00 in Paris is Friday 23:00 to Saturday 05:00
    // UTC: hours 1 to 6 from the start.
    let first = night.iter().position(|&n| n);
    assert_eq!(first, Some(1));
    assert_eq!(
        night.iter().filter(|&&n| n).count(),
        12,
        "Saturday and Sunday"
    );
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

/// A request as a host has it: its own strings, its own types.
struct Chat {
    tenant: String,
    tier: String,
    budget: f64,
    tokens: i64,
    tools: bool,
    user: String,
    prompt: String,
}

impl switchyard_eval::Request for Chat {
    const FIELDS: &'static [(&'static str, switchyard_eval::RequestFieldKind)] = {
        use switchyard_eval::RequestFieldKind as K;
        &[
            ("tenant", K::Str),
            ("tier", K::Str),
            ("budget", K::Float),
            ("tokens", K::Int),
            ("tools", K::Bool),
            ("user", K::Str),
            ("prompt", K::Str),
        ]
    };

    fn value(&self, i: usize) -> Option<switchyard_eval::Input<'_>> {
        Some(match i {
            0 => self.tenant.as_str().into(),
            1 => self.tier.as_str().into(),
            2 => self.budget.into(),
            3 => self.tokens.into(),
            4 => self.tools.into(),
            5 => self.user.as_str().into(),
            6 => self.prompt.as_str().into(),
            _ => return None,
        })
    }
}

fn chats() -> Vec<Chat> {
    let chat = |tenant: &str, tier: &str, budget, tokens, tools, user: &str, prompt: &str| Chat {
        tenant: tenant.into(),
        tier: tier.into(),
        budget,
        tokens,
        tools,
        user: user.into(),
        prompt: prompt.into(),
    };
    vec![
        chat("acme", "pro", 3.0, 0, false, "u1", ""),
        chat("globex", "free", 0.5, 0, false, "u2", ""),
        chat(
            "initech",
            "pro",
            9.0,
            0,
            false,
            "u3",
            "please explain: def f(x)",
        ),
        chat("umbrella", "free", 9.0, 300, true, "user-42", "hi"),
        chat("acme", "enterprise", 9.0, 0, false, "u5", "a b c"),
    ]
}

/// The whole request path, from a host's values to a decision: no
/// allocation per request, with handles or with a bound request type.
#[test]
fn host_values_to_decision_allocates_nothing() {
    let options = switchyard_eval::LoadOptions::new().bind::<Chat>();
    let mut sources = switchyard_syntax::SourceMap::new();
    sources.add("r.route", RULES);
    let (table, _) = CompiledTable::from_sources(sources, &options).unwrap();
    let chats = chats();
    let [tenant, tier, budget, tokens, tools, user, prompt] = [
        "tenant", "tier", "budget", "tokens", "tools", "user", "prompt",
    ]
    .map(|f| table.field(f).unwrap());
    let mut by_handles = |c: &Chat| {
        let mut ctx = table.new_context();
        ctx.at_unix(1_700_000_000)
            .set(tenant, c.tenant.as_str())
            .unwrap()
            .set(tier, c.tier.as_str())
            .unwrap()
            .set(budget, c.budget)
            .unwrap()
            .set(tokens, c.tokens)
            .unwrap()
            .set(tools, c.tools)
            .unwrap()
            .set(user, c.user.as_str())
            .unwrap()
            .set(prompt, c.prompt.as_str())
            .unwrap();
        table.decide(&ctx).unwrap().map_or(0, |d| d.rule().len())
    };
    let by_type = |c: &Chat| {
        let mut ctx = table.context_of(c).unwrap();
        ctx.at_unix(1_700_000_000);
        table.decide(&ctx).unwrap().map_or(0, |d| d.rule().len())
    };
    // At the current time (the night rule reads the clock): only its
    // allocations are counted, not its choices.
    let by_request = |c: &Chat| {
        table
            .decide_request(c)
            .unwrap()
            .map_or(0, |d| d.rule().len())
    };
    // Warm the regex.
    let warm: Vec<usize> = chats.iter().map(&mut by_handles).collect();
    let before = allocations();
    let mut total = 0;
    for _ in 0..100 {
        for c in &chats {
            total += by_handles(c) + by_type(c);
            by_request(c);
        }
    }
    assert_eq!(allocations() - before, 0);
    assert_eq!(total, 200 * warm.iter().sum::<usize>());
}

/// A table of specialised tests only reads a bound request in place:
/// nothing is allocated either, and it decides as a context does.
#[test]
fn a_request_read_in_place_allocates_nothing() {
    let rules = r#"
        context {
          tier: "free" | "pro" | "enterprise" = "free"
          tenant: string
          budget: float = 0.0
          tokens: int = 0
          tools: bool = false
          user: string
          prompt: string = ""
        }
        defaults max_tokens 512
        rule t1: when tenant == "acme" and tier in ["pro", "enterprise"] -> "a/b"
        rule t2: when tenant == "globex" and budget < 1.0 -> "a/a"
        rule big: when tokens >= 100 and tools -> "a/b"
        rule one: when user == "user-42" -> "a/a"
        rule default: otherwise -> "a/a"
    "#;
    let options = switchyard_eval::LoadOptions::new().bind::<Chat>();
    let mut sources = switchyard_syntax::SourceMap::new();
    sources.add("r.route", rules);
    let (table, _) = CompiledTable::from_sources(sources, &options).unwrap();
    let chats = chats();
    let in_place = |c: &Chat| table.decide_request(c).unwrap().map(|d| d.rule());
    let through_context = |c: &Chat| {
        let ctx = table.context_of(c).unwrap();
        table.decide(&ctx).unwrap().map(|d| d.rule())
    };
    let expected: Vec<_> = chats.iter().map(through_context).collect();
    assert!(expected.iter().filter(|r| **r != Some("default")).count() >= 3);
    let before = allocations();
    let mut decided = Vec::with_capacity(100 * chats.len());
    for _ in 0..100 {
        decided.extend(chats.iter().map(in_place));
    }
    assert_eq!(allocations() - before, 1, "only the vector of results");
    assert!(decided.chunks(chats.len()).all(|round| round == expected));
}

/// From JSON bytes to a decision: the strings are borrowed from the bytes
/// (copied only when they have escapes), no `serde_json::Value` is built.
#[test]
fn json_bytes_to_decision_allocates_nothing() {
    let (table, _) = CompiledTable::from_source(RULES).unwrap();
    let bodies: Vec<&[u8]> = vec![
        br#"{"tenant": "acme", "tier": "pro", "unknown": [1, {"a": 2}]}"#,
        br#"{"tenant": "globex", "budget": 0.5, "tokens": null}"#,
        br#"{"prompt": "please explain: def f(x): return x", "tier": "pro"}"#,
        br#"{"task": "chat", "user": "user-42", "tier": "free"}"#,
        br#"{"task": "code", "tokens": 300, "tools": true}"#,
    ];
    let decide = |b: &[u8]| {
        let ctx = table
            .context_from_slice_with(b, Some(1_700_000_000), &mut |_| {})
            .unwrap();
        table.decide(&ctx).unwrap().map_or(0, |d| d.rule().len())
    };
    let warm: usize = bodies.iter().map(|b| decide(b)).sum();
    let before = allocations();
    let mut total = 0;
    for _ in 0..100 {
        for b in &bodies {
            total += decide(b);
        }
    }
    assert_eq!(allocations() - before, 0);
    assert_eq!(total, 100 * warm);
}

/// A realistic schema: the OpenRouter example's ten fields (more than the
/// eight a context once kept inline) cost no allocation per request either,
/// set through handles or read from JSON bytes.
#[test]
fn the_openrouter_examples_ten_fields_allocate_nothing() {
    let (table, _) =
        CompiledTable::from_source(include_str!("../../../examples/openrouter.route")).unwrap();
    assert!(table.ruleset().fields.len() > 8);
    assert!(table.ruleset().fields.len() <= switchyard_eval::Context::INLINE_FIELDS);
    let names = [
        "tier",
        "task",
        "budget",
        "prompt_tokens",
        "needs_tools",
        "needs_vision",
        "max_latency_ms",
        "region",
        "user",
        "prompt",
    ];
    let handles = names.map(|f| table.field(f).unwrap());
    let by_handles = |i: i64, prompt: &str| {
        let [tier, task, budget, tokens, tools, vision, latency, region, user, text] = handles;
        let mut ctx = table.new_context();
        ctx.at_unix(1_700_000_000)
            .set(tier, ["free", "pro", "enterprise"][(i % 3) as usize])
            .unwrap()
            .set(task, ["chat", "code", "general"][(i % 3) as usize])
            .unwrap()
            .set(budget, 0.5 * i as f64)
            .unwrap()
            .set(tokens, 1000 * i)
            .unwrap()
            .set(tools, i % 4 == 0)
            .unwrap()
            .set(vision, i % 5 == 0)
            .unwrap()
            .set(latency, 1000 * i)
            .unwrap()
            .set(region, ["us", "eu"][(i % 2) as usize])
            .unwrap()
            .set(user, "user-42")
            .unwrap()
            .set(text, prompt)
            .unwrap();
        table.decide(&ctx).unwrap().map_or(0, |d| d.rule().len())
    };
    let bodies: Vec<&[u8]> = vec![
        br#"{"tier": "enterprise", "region": "eu", "user": "u1", "prompt": "hi"}"#,
        br#"{"tier": "pro", "task": "chat", "budget": 12.5, "prompt_tokens": 900, "user": "u2"}"#,
        br#"{"tier": "pro", "prompt": "explain the trade-offs", "max_latency_ms": 9000}"#,
        br#"{"task": "classification", "needs_tools": false, "needs_vision": false}"#,
    ];
    let by_json = |b: &[u8]| {
        let ctx = table
            .context_from_slice_with(b, Some(1_700_000_000), &mut |_| {})
            .unwrap();
        table.decide(&ctx).unwrap().map_or(0, |d| d.rule().len())
    };
    let prompts = ["def f(x):", "explain why", "hello"];
    let round = || -> usize {
        let handles: usize = (0..12)
            .map(|i| by_handles(i, prompts[i as usize % 3]))
            .sum();
        handles + bodies.iter().map(|b| by_json(b)).sum::<usize>()
    };
    // Warm the regexes.
    let warm = round();
    let before = allocations();
    let total: usize = (0..50).map(|_| round()).sum();
    assert_eq!(allocations() - before, 0);
    assert_eq!(total, 50 * warm);
}
