//! The 8 first-match rules of OpenRouter's routing-rules guide (the peers'
//! `rules-seed.json`): free tier, low budget, tools, vision, code, low
//! latency, enterprise, default; `max_tokens` 1024 where the guide gives
//! none.

use crate::condition::{CompareOp, Condition};
use crate::field::Field;
use crate::ruleset::{Rule, Ruleset};

/// The guide's ruleset.
pub fn routing_guide() -> Ruleset {
    use CompareOp::{Eq, Lt, Ne};
    let rule =
        |priority: i64, name: &str, condition, model: &str, fallbacks: &[&str], max_tokens| Rule {
            name: name.to_owned(),
            priority,
            condition,
            model: model.to_owned(),
            fallbacks: fallbacks.iter().map(|m| (*m).to_owned()).collect(),
            max_tokens,
        };
    let tier_is = |op, tier: &str| Condition::compare(Field::UserTier, op, tier);
    Ruleset {
        rules: vec![
            rule(
                1,
                "free-tier",
                tier_is(Eq, "free"),
                "google/gemma-2-9b-it:free",
                &["meta-llama/llama-3.1-8b-instruct"],
                512,
            ),
            rule(
                2,
                "low-budget",
                Condition::And(vec![
                    Condition::compare(Field::BudgetRemaining, Lt, 1.0),
                    tier_is(Ne, "enterprise"),
                ]),
                "openai/gpt-4o-mini",
                &["meta-llama/llama-3.1-8b-instruct"],
                512,
            ),
            rule(
                3,
                "tools-required",
                Condition::Truthy(Field::NeedsTools),
                "openai/gpt-4o",
                &["anthropic/claude-3.5-sonnet"],
                1024,
            ),
            rule(
                4,
                "vision-required",
                Condition::Truthy(Field::NeedsVision),
                "openai/gpt-4o",
                &["anthropic/claude-3.5-sonnet", "google/gemini-2.0-flash-001"],
                1024,
            ),
            rule(
                5,
                "code-tasks",
                Condition::compare(Field::TaskType, Eq, "code"),
                "anthropic/claude-3.5-sonnet",
                &["openai/gpt-4o"],
                1024,
            ),
            rule(
                6,
                "low-latency",
                Condition::compare(Field::MaxLatencyMs, Lt, 3000_i64),
                "openai/gpt-4o-mini",
                &["anthropic/claude-3-haiku"],
                1024,
            ),
            rule(
                7,
                "enterprise-default",
                tier_is(Eq, "enterprise"),
                "anthropic/claude-3.5-sonnet",
                &["openai/gpt-4o", "openai/gpt-4o-mini"],
                1024,
            ),
            rule(
                8,
                "default",
                Condition::True,
                "openai/gpt-4o-mini",
                &["meta-llama/llama-3.1-8b-instruct"],
                1024,
            ),
        ],
    }
}
