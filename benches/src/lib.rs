//! Synthetic multi-tenant rulesets and contexts for benchmarks, made
//! deterministically from a seed (so every run measures the same thing).
//!
//! A ruleset of `n` rules tests equality on a tenant id drawn from 2,000
//! values, tier and task membership, numeric thresholds and booleans, and
//! ends with a catch-all, like the per-tenant policies of a multi-tenant
//! gateway.
//!
//! ```
//! let src = switchyard_benches::multi_tenant(100, 7);
//! assert_eq!(src.matches("\nrule ").count(), 100);
//! assert_eq!(switchyard_benches::contexts(10, 7).len(), 10);
//! ```

use std::fmt::Write;

/// Distinct tenant ids rules are drawn from.
pub const TENANTS: u64 = 2_000;

const TIERS: [&str; 4] = ["free", "basic", "pro", "enterprise"];
const TASKS: [&str; 5] = ["chat", "code", "analysis", "classification", "general"];
const MODELS: [&str; 6] = [
    "openai/gpt-4o",
    "openai/gpt-4o-mini",
    "anthropic/claude-3.5-sonnet",
    "anthropic/claude-3-haiku",
    "meta-llama/llama-3.1-8b-instruct",
    "google/gemini-2.0-flash-001",
];

/// A small deterministic generator (SplitMix64).
#[derive(Clone, Debug)]
pub struct Rng(u64);

impl Rng {
    /// Seeds the generator.
    pub fn new(seed: u64) -> Self {
        Rng(seed)
    }

    /// The next 64 random bits.
    pub fn next_u64(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9e37_79b9_7f4a_7c15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
        z ^ (z >> 31)
    }

    /// A number below `n` (`n` > 0).
    pub fn below(&mut self, n: u64) -> u64 {
        self.next_u64() % n.max(1)
    }

    fn pick<'a>(&mut self, items: &[&'a str]) -> &'a str {
        let i = usize::try_from(self.below(items.len() as u64)).unwrap_or(0);
        items.get(i).copied().unwrap_or("")
    }

    fn subset(&mut self, items: &[&str]) -> String {
        let mut chosen: Vec<String> = items
            .iter()
            .filter(|_| self.below(2) == 0)
            .map(|s| format!("{s:?}"))
            .collect();
        if chosen.is_empty() {
            chosen.push(format!("{:?}", self.pick(items)));
        }
        chosen.join(", ")
    }
}

/// The tenant id of number `i`.
pub fn tenant(i: u64) -> String {
    format!("t{i:04}")
}

/// A ruleset of `rules` rules (the last one a catch-all).
pub fn multi_tenant(rules: usize, seed: u64) -> String {
    let mut rng = Rng::new(seed);
    let mut src = String::from(
        r#"version "synthetic"
context {
  tenant: string
  tier: "free" | "basic" | "pro" | "enterprise" = "free"
  task: "chat" | "code" | "analysis" | "classification" | "general" = "general"
  budget: float = 0.0
  prompt_tokens: int = 0
  needs_tools: bool = false
  needs_vision: bool = false
}
defaults max_tokens 1024
"#,
    );
    let tenants = TENANTS.min(rules as u64).max(1);
    for i in 0..rules.saturating_sub(1) {
        let t = tenant(i as u64 % tenants);
        let cond = match rng.below(10) {
            0..=6 => format!(
                "tenant == {t:?} and tier in [{}] and task in [{}] and budget < {}.5",
                rng.subset(&TIERS),
                rng.subset(&TASKS),
                rng.below(100)
            ),
            7 => format!(
                "tenant == {t:?} and needs_tools and prompt_tokens > {}",
                rng.below(100_000)
            ),
            8 => format!(
                "tier in [{}] and task == {:?} and budget >= {}.0 and prompt_tokens < {}",
                rng.subset(&TIERS),
                rng.pick(&TASKS),
                rng.below(1000),
                rng.below(100_000)
            ),
            _ => format!(
                "needs_vision and tenant in [{:?}, {:?}, {:?}]",
                tenant(rng.below(tenants)),
                tenant(rng.below(tenants)),
                tenant(rng.below(tenants))
            ),
        };
        let model = rng.pick(&MODELS);
        let fallback = rng.pick(&MODELS);
        let target = if fallback == model {
            format!("{model:?}")
        } else {
            format!("{model:?} fallback [{fallback:?}]")
        };
        let _ = writeln!(src, "rule r{i}: when {cond} -> {target}");
    }
    if rules > 0 {
        let _ = writeln!(src, "rule default: otherwise -> \"openai/gpt-4o-mini\"");
    }
    src
}

/// `n` contexts as JSON objects, for [`multi_tenant`] rulesets.
pub fn contexts(n: usize, seed: u64) -> Vec<serde_json::Value> {
    let mut rng = Rng::new(seed ^ 0x5eed);
    (0..n)
        .map(|_| {
            serde_json::json!({
                // A few tenants no rule names.
                "tenant": tenant(rng.below(TENANTS + TENANTS / 10)),
                "tier": rng.pick(&TIERS),
                "task": rng.pick(&TASKS),
                "budget": rng.below(2000) as f64 / 10.0,
                "prompt_tokens": rng.below(120_000),
                "needs_tools": rng.below(4) == 0,
                "needs_vision": rng.below(8) == 0,
            })
        })
        .collect()
}
