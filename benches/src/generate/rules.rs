//! Multi-tenant rulesets of any size.

use crate::condition::{CompareOp, Condition};
use crate::field::Field;
use crate::rng::{Cumulative, Rng};
use crate::ruleset::{Rule, Ruleset};

use super::conditions::{broad, narrow, refinement, Tier};
use super::{Workload, MIN_RULES, TENANTS};

const MODELS: [&str; 10] = [
    "openai/gpt-4o",
    "openai/gpt-4o-mini",
    "anthropic/claude-3.5-sonnet",
    "anthropic/claude-3-haiku",
    "google/gemini-2.0-flash-001",
    "google/gemma-2-9b-it:free",
    "meta-llama/llama-3.1-8b-instruct",
    "meta-llama/llama-3.1-70b-instruct",
    "mistralai/mistral-large",
    "deepseek/deepseek-chat",
];
const MAX_TOKENS: [u32; 5] = [512, 1024, 1024, 2048, 4096];

/// How many rules of each section a ruleset of `n` rules has.
struct Sections {
    guards: usize,
    /// Global rules: narrow ones among the tenant rules, broad ones after.
    globals: usize,
    cohorts: usize,
    /// Rules of one tenant each (groups and their defaults).
    tenant_rules: usize,
}

impl Sections {
    fn of(n: usize) -> Self {
        let guards = (n / 100).max(3);
        let globals = round(n as f64 * 0.12).max(4);
        let tenant = n.saturating_sub(1 + guards + globals);
        let cohorts = round(tenant as f64 * 0.03).max(1);
        Sections {
            guards,
            globals,
            cohorts,
            tenant_rules: tenant.saturating_sub(cohorts),
        }
    }
}

fn round(x: f64) -> usize {
    x.round() as usize
}

/// A rule named `name` with a random model, one to three fallbacks and a
/// token cap; its priority is set once the order is known.
fn rule(rng: &mut Rng, name: &str, condition: Condition) -> Rule {
    let model = rng.pick(&MODELS);
    let others: Vec<&str> = MODELS.iter().copied().filter(|m| *m != model).collect();
    let k = rng.between(1, 3);
    Rule {
        name: name.to_owned(),
        priority: 0,
        condition,
        model: model.to_owned(),
        fallbacks: rng
            .sample(&others, k)
            .into_iter()
            .map(str::to_owned)
            .collect(),
        max_tokens: rng.pick(&MAX_TOKENS),
    }
}

fn tenant_is(id: &str) -> Condition {
    Condition::compare(Field::Tenant, CompareOp::Eq, id)
}

impl Workload {
    /// A ruleset of `rules` rules (at least [`MIN_RULES`]), the last one a
    /// catch-all named `default`; priorities 10, 20, ..., and every other
    /// name ends with its position (`t1234-00017`).
    pub fn ruleset(&self, rules: usize) -> Ruleset {
        let n = rules.max(MIN_RULES);
        let mut rng = Rng::new(self.seed.wrapping_mul(31).wrapping_add(n as u64));
        let sections = Sections::of(n);
        let guards = self.guards(&mut rng, sections.guards);
        let mut units = self.tenant_groups(&mut rng, sections.tenant_rules);
        let ids: Vec<&str> = self.tenants.iter().map(|t| t.id.as_str()).collect();
        for _ in 0..sections.cohorts {
            let k = rng.between(5, 30);
            let members = rng.sample(&ids, k);
            let condition = Condition::all([
                Condition::one_of(Field::Tenant, members),
                refinement(&mut rng, Tier::Allowed),
            ]);
            units.push(vec![rule(&mut rng, "cohort", condition)]);
        }
        // About 30% of the global rules are narrow and sit among the tenant
        // rules (they shadow little); the broad rest comes after them.
        let interleaved = round(sections.globals as f64 * 0.3);
        for _ in 0..interleaved {
            let condition = narrow(&mut rng);
            units.push(vec![rule(&mut rng, "global", condition)]);
        }
        rng.shuffle(&mut units);
        let mut all: Vec<Rule> = guards;
        all.extend(units.into_iter().flatten());
        for _ in interleaved..sections.globals {
            let condition = broad(&mut rng);
            all.push(rule(&mut rng, "global", condition));
        }
        all.push(rule(&mut rng, "default", Condition::True));
        let last = all.len();
        for (i, r) in all.iter_mut().enumerate() {
            r.priority = (i as i64 + 1) * 10;
            if i + 1 < last {
                r.name = format!("{}-{:05}", r.name, i + 1);
            }
        }
        Ruleset { rules: all }
    }

    /// Three fixed guards (budget exhausted, vision on the free tier, huge
    /// prompts off the paid tiers), then narrow ones up to `count`.
    fn guards(&self, rng: &mut Rng, count: usize) -> Vec<Rule> {
        let fixed = [
            (
                "guard-budget-exhausted",
                Condition::all([
                    Condition::compare(Field::BudgetRemaining, CompareOp::Le, 0.05),
                    Condition::compare(Field::UserTier, CompareOp::Ne, "enterprise"),
                ]),
            ),
            (
                "guard-vision-free",
                Condition::all([
                    Condition::Truthy(Field::NeedsVision),
                    Condition::compare(Field::UserTier, CompareOp::Eq, "free"),
                ]),
            ),
            (
                "guard-huge-prompt",
                Condition::all([
                    Condition::compare(Field::PromptTokensEst, CompareOp::Gt, 100_000_i64),
                    Condition::negate(Condition::one_of(Field::UserTier, ["pro", "enterprise"])),
                ]),
            ),
        ];
        let mut guards: Vec<Rule> = fixed
            .into_iter()
            .map(|(name, condition)| rule(rng, name, condition))
            .collect();
        while guards.len() < count {
            let condition = narrow(rng);
            guards.push(rule(rng, "guard", condition));
        }
        guards
    }

    /// `count` rules in per-tenant groups (each group a unit kept
    /// together): popular tenants are more likely to get a group, and a
    /// bigger one; a group of two or more is often closed by the tenant's
    /// default.
    fn tenant_groups(&self, rng: &mut Rng, count: usize) -> Vec<Vec<Rule>> {
        let groups = round(count as f64 / 4.2).clamp(1, TENANTS);
        let weights: Vec<f64> = self.tenants.iter().map(|t| t.weight.sqrt()).collect();
        let chosen = rng.sample_weighted(&weights, groups);
        let chosen_weights: Vec<f64> = chosen.iter().map(|&i| weights[i]).collect();
        let mut sizes = vec![1_usize; chosen.len()];
        let growth = Cumulative::new(&chosen_weights);
        for _ in chosen.len()..count {
            sizes[growth.draw(rng)] += 1;
        }
        chosen
            .iter()
            .zip(sizes)
            .map(|(&t, size)| {
                let id = self.tenants[t].id.as_str();
                let has_default = size >= 2 && rng.chance(0.6);
                let mut group: Vec<Rule> = (0..size - usize::from(has_default))
                    .map(|_| {
                        let condition =
                            Condition::all([tenant_is(id), refinement(rng, Tier::Excluded)]);
                        rule(rng, id, condition)
                    })
                    .collect();
                if has_default {
                    group.push(rule(rng, &format!("{id}-default"), tenant_is(id)));
                }
                group
            })
            .collect()
    }
}
