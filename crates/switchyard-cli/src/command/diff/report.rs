//! What `diff` found, gathered context by context ([`Tally`]) and then
//! frozen into a [`Report`], which serialises to the JSON format:
//!
//! ```json
//! {
//!   "old": "v1.route", "new": "v2.route",
//!   "traffic": {"path": "traffic.jsonl", "contexts": 40, "skipped_lines": 1},
//!   "changed": 12, "unchanged": 28,
//!   "transitions": [
//!     {"count": 5,
//!      "from": {"rule": "free-tier", "variant": null, "model": "google/gemma-2-9b-it:free", "fallbacks": []},
//!      "to": {"rule": "free-multimodal", "variant": null, "model": "google/gemini-2.0-flash-001", "fallbacks": []},
//!      "examples": [{"line": 3, "context": "{\"tier\":\"free\",\"needs_tools\":true}"}]}
//!   ],
//!   "models": [{"model": "openai/gpt-4o-mini", "before": 20, "after": 15,
//!               "before_share": 0.5, "after_share": 0.375}],
//!   "cost": {"before_per_1000_requests_usd": 1.2345, "after_per_1000_requests_usd": 1.5,
//!            "delta_usd": 0.2655, "change": 0.2151, "unpriced_before": 0, "unpriced_after": 0}
//! }
//! ```
//!
//! A route whose `rule` is `null` is "no rule matched" (its model is `null`
//! too); a `model` of `null` in `models` counts those contexts. `cost` is
//! `null` without a catalog; its `change` is `null` when the old cost is 0.

use std::collections::BTreeMap;

use serde::Serialize;
use switchyard::Decision;

use crate::render::chart::share;

/// Where a context was routed: what `diff` compares.
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord, Serialize)]
pub struct Route {
    /// The rule; `None` when no rule matched.
    pub rule: Option<String>,
    /// The split arm.
    pub variant: Option<String>,
    /// The model to try first.
    pub model: Option<String>,
    /// The models to fall back to.
    pub fallbacks: Vec<String>,
}

impl Route {
    /// The route of a decision (`None`: no rule matched).
    pub fn of(decision: Option<&Decision<'_>>) -> Self {
        match decision {
            None => Route {
                rule: None,
                variant: None,
                model: None,
                fallbacks: Vec::new(),
            },
            Some(d) => Route {
                rule: Some(d.rule().to_string()),
                variant: d.variant().map(str::to_string),
                model: Some(d.model().to_string()),
                fallbacks: d.fallbacks().map(str::to_string).collect(),
            },
        }
    }

    /// `rule`, `rule (arm)`, or `(no match)`.
    pub fn rule_label(&self) -> String {
        match (&self.rule, &self.variant) {
            (None, _) => "(no match)".into(),
            (Some(r), None) => r.clone(),
            (Some(r), Some(v)) => format!("{r} ({v})"),
        }
    }

    /// The model, or `(none)`.
    pub fn model_label(&self) -> &str {
        self.model.as_deref().unwrap_or("(none)")
    }

    /// The fallbacks as `[a, b]`.
    pub fn fallbacks_label(&self) -> String {
        format!("[{}]", self.fallbacks.join(", "))
    }
}

/// An input line shown as an example.
#[derive(Clone, Debug, Serialize)]
pub struct Example {
    /// Its line number.
    pub line: usize,
    /// The line as written.
    pub context: String,
}

/// Contexts routed from one route to another.
#[derive(Debug, Serialize)]
pub struct Transition {
    /// How many.
    pub count: u64,
    /// The old ruleset's route.
    pub from: Route,
    /// The new ruleset's route.
    pub to: Route,
    /// The first few, in file order.
    pub examples: Vec<Example>,
}

/// One model's traffic before and after.
#[derive(Debug, Serialize)]
pub struct ModelShare {
    /// The model (`None`: no rule matched).
    pub model: Option<String>,
    /// Contexts the old ruleset sends to it.
    pub before: u64,
    /// Contexts the new ruleset sends to it.
    pub after: u64,
    /// `before` over all contexts.
    pub before_share: f64,
    /// `after` over all contexts.
    pub after_share: f64,
}

/// Estimated worst-case cost per 1,000 requests, before and after.
#[derive(Debug, Serialize)]
pub struct CostDelta {
    /// Mean `est_max_cost_usd` of the old decisions, times 1,000.
    pub before_per_1000_requests_usd: f64,
    /// The same for the new decisions.
    pub after_per_1000_requests_usd: f64,
    /// After minus before.
    pub delta_usd: f64,
    /// `delta / before`; `None` when before is 0.
    pub change: Option<f64>,
    /// Old decisions left out: no rule matched, or no price for the model.
    pub unpriced_before: u64,
    /// The same for the new decisions.
    pub unpriced_after: u64,
}

/// The traffic file.
#[derive(Debug, Serialize)]
pub struct Traffic {
    /// As given.
    pub path: String,
    /// Lines compared.
    pub contexts: usize,
    /// Bad lines skipped.
    pub skipped_lines: usize,
    /// Keys the new ruleset does not declare, the most frequent first.
    pub unknown_keys: Vec<crate::command::traffic::UnknownKey>,
}

/// Everything `diff` reports.
#[derive(Debug, Serialize)]
pub struct Report {
    /// The old ruleset, as given.
    pub old: String,
    /// The new ruleset, as given.
    pub new: String,
    /// The traffic file.
    pub traffic: Traffic,
    /// Contexts whose route changed.
    pub changed: u64,
    /// Contexts whose route did not.
    pub unchanged: u64,
    /// The changes, most frequent first.
    pub transitions: Vec<Transition>,
    /// Every model's traffic, the busiest first.
    pub models: Vec<ModelShare>,
    /// With a catalog.
    pub cost: Option<CostDelta>,
}

/// Sum and count of cost estimates.
#[derive(Debug, Default)]
struct Costs {
    sum: f64,
    priced: u64,
}

/// Gathers outcomes context by context.
#[derive(Debug, Default)]
pub struct Tally {
    contexts: u64,
    transitions: BTreeMap<(Route, Route), (u64, Vec<Example>)>,
    models: BTreeMap<Option<String>, (u64, u64)>,
    before: Costs,
    after: Costs,
}

impl Tally {
    /// Adds one context: its line, its old and new routes and cost
    /// estimates. Keeps at most `examples` example lines per transition.
    pub fn add(
        &mut self,
        line: Example,
        old: (Route, Option<f64>),
        new: (Route, Option<f64>),
        examples: usize,
    ) {
        self.contexts += 1;
        self.models.entry(old.0.model.clone()).or_default().0 += 1;
        self.models.entry(new.0.model.clone()).or_default().1 += 1;
        for (costs, cost) in [(&mut self.before, old.1), (&mut self.after, new.1)] {
            if let Some(c) = cost {
                costs.sum += c;
                costs.priced += 1;
            }
        }
        if old.0 != new.0 {
            let entry = self.transitions.entry((old.0, new.0)).or_default();
            entry.0 += 1;
            if entry.1.len() < examples {
                entry.1.push(line);
            }
        }
    }

    /// The report; `catalog` says whether to report costs.
    pub fn finish(self, old: String, new: String, traffic: Traffic, catalog: bool) -> Report {
        let n = self.contexts;
        let mut transitions: Vec<Transition> = self
            .transitions
            .into_iter()
            .map(|((from, to), (count, examples))| Transition {
                count,
                from,
                to,
                examples,
            })
            .collect();
        let first_line = |t: &Transition| t.examples.first().map_or(usize::MAX, |e| e.line);
        transitions.sort_by(|a, b| {
            b.count
                .cmp(&a.count)
                .then(first_line(a).cmp(&first_line(b)))
        });
        let changed = transitions.iter().map(|t| t.count).sum();
        let mut models: Vec<ModelShare> = self
            .models
            .into_iter()
            .map(|(model, (before, after))| ModelShare {
                model,
                before,
                after,
                before_share: share(before, n),
                after_share: share(after, n),
            })
            .collect();
        models.sort_by_key(|m| std::cmp::Reverse((m.before, m.after)));
        let per_1000 = |c: &Costs| {
            if c.priced == 0 {
                0.0
            } else {
                c.sum / c.priced as f64 * 1000.0
            }
        };
        let cost = catalog.then(|| {
            let before = per_1000(&self.before);
            let after = per_1000(&self.after);
            CostDelta {
                before_per_1000_requests_usd: before,
                after_per_1000_requests_usd: after,
                delta_usd: after - before,
                change: (before != 0.0).then(|| (after - before) / before),
                unpriced_before: n - self.before.priced,
                unpriced_after: n - self.after.priced,
            }
        });
        Report {
            old,
            new,
            traffic,
            changed,
            unchanged: n - changed,
            transitions,
            models,
            cost,
        }
    }
}

/// At most `max` characters of `text`, with `…` when cut.
pub fn shorten(text: &str, max: usize) -> String {
    match text.char_indices().nth(max) {
        None => text.to_string(),
        Some((cut, _)) => format!("{}…", text.get(..cut).unwrap_or(text)),
    }
}
