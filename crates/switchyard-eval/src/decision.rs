//! Decisions (docs/reference/decisions.md): what a matched rule routes to. A decision
//! borrows from the compiled table; it is serialised to JSON on demand.

use serde::ser::{Serialize, SerializeMap, Serializer};
use serde_json::{Map, Value as Json};
use switchyard_catalog::Catalog;
use switchyard_check::ir::{Ruleset, Target};

use crate::catalog_targets::{CatalogTarget, Order};

/// The ruleset's identity, carried by every decision.
#[derive(Clone, Debug, PartialEq, Eq, serde::Serialize)]
pub struct RulesetInfo {
    /// The `version` label, if the ruleset has one.
    pub version: Option<String>,
    /// Hex digest of the source files' contents.
    pub hash: String,
}

/// A target's decision, precomputed at compile time with the defaults
/// merged in.
#[derive(Clone, Debug)]
pub(crate) struct Outcome {
    /// The model, then its fallbacks.
    pub models: Vec<String>,
    pub max_tokens: Option<u32>,
    /// `provider`, `transforms` and `params`, as they appear under
    /// `"options"` in the decision's JSON.
    pub options: Map<String, Json>,
    pub tags: Vec<String>,
    /// With a catalog: what `require`, `cheapest` and the cost estimate
    /// need.
    pub catalog: Option<CatalogTarget>,
}

impl Outcome {
    /// The outcome of a chain or `cheapest` target with the ruleset's
    /// defaults under its options. (Without a catalog, a target that needs
    /// one is refused before this.)
    pub fn of(ruleset: &Ruleset, target: &Target, catalog: Option<&Catalog>) -> Outcome {
        let (model, fallbacks, own) = match target {
            Target::Chain(c) => (
                c.model.id.clone(),
                c.fallbacks.iter().map(|m| m.id.clone()).collect(),
                &c.options,
            ),
            Target::Cheapest(c) => (
                c.candidates
                    .first()
                    .map(|m| m.id.clone())
                    .unwrap_or_default(),
                c.candidates.iter().skip(1).map(|m| m.id.clone()).collect(),
                &c.options,
            ),
            Target::Split(_) => (String::new(), Vec::new(), &ruleset.defaults),
        };
        let eff = ruleset.effective_options(own);
        let mut options = Map::new();
        if !eff.provider.is_empty() {
            options.insert("provider".into(), Json::Object(eff.provider.clone()));
        }
        if let Some(t) = &eff.transforms {
            options.insert(
                "transforms".into(),
                Json::Array(t.iter().cloned().map(Json::String).collect()),
            );
        }
        if !eff.params.is_empty() {
            options.insert("params".into(), Json::Object(eff.params.clone()));
        }
        let mut models = Vec::with_capacity(1 + fallbacks.len());
        models.push(model);
        models.extend(fallbacks);
        let cheapest = matches!(target, Target::Cheapest(_));
        let catalog = catalog.map(|c| {
            CatalogTarget::new(ruleset, c, &models, &eff.require, cheapest, eff.max_tokens)
        });
        Outcome {
            models,
            max_tokens: eff.max_tokens,
            options,
            tags: eff.tags.clone(),
            catalog,
        }
    }
}

/// The decision of the first matching rule. Borrowed from the table: cheap
/// to make, and `Serialize` gives the JSON of docs/reference/decisions.md.
#[derive(Clone, Copy, Debug)]
pub struct Decision<'t> {
    pub(crate) rule: &'t str,
    pub(crate) outcome: &'t Outcome,
    pub(crate) variant: Option<&'t str>,
    pub(crate) info: &'t RulesetInfo,
    /// Candidates skipped because they are down (bit `i`: `models[i]`).
    pub(crate) skip: u64,
    /// Every candidate of every matching rule was down: this is the first
    /// matching rule's decision, unchanged.
    pub(crate) degraded: bool,
    /// The order candidates are tried in (`cheapest`).
    pub(crate) order: Order,
    /// Worst-case cost of the model, with a catalog that prices it.
    pub(crate) est_cost: Option<f64>,
}

/// The fallbacks of a decision, in order, without the models that are down.
#[derive(Clone, Debug)]
pub struct Fallbacks<'t> {
    models: &'t [String],
    skip: u64,
    order: Order,
    /// Position in `order` of the next candidate.
    pos: usize,
}

impl<'t> Iterator for Fallbacks<'t> {
    type Item = &'t str;

    fn next(&mut self) -> Option<&'t str> {
        while self.pos < self.models.len() {
            let i = self.order.at(self.pos);
            self.pos += 1;
            if !is_skipped(self.skip, i) {
                return self.models.get(i).map(String::as_str);
            }
        }
        None
    }

    fn size_hint(&self) -> (usize, Option<usize>) {
        let n = (self.pos..self.models.len())
            .filter(|&p| !is_skipped(self.skip, self.order.at(p)))
            .count();
        (n, Some(n))
    }
}

impl ExactSizeIterator for Fallbacks<'_> {}

fn is_skipped(skip: u64, i: usize) -> bool {
    i < 64 && skip & (1u64 << i) != 0
}

impl Outcome {
    /// Bit `i` set for each candidate `models[i]` that `down` says is down
    /// (candidates past the 64th are never skipped).
    pub fn down_mask(&self, down: impl Fn(&str) -> bool) -> u64 {
        self.models
            .iter()
            .take(64)
            .enumerate()
            .filter(|(_, m)| down(m))
            .fold(0, |mask, (i, _)| mask | (1u64 << i))
    }

    /// Whether `mask` skips every candidate.
    pub fn all_skipped(&self, mask: u64) -> bool {
        (0..self.models.len()).all(|i| is_skipped(mask, i))
    }
}

impl<'t> Decision<'t> {
    /// The rule's name (`#K` for an unnamed rule).
    pub fn rule(&self) -> &'t str {
        self.rule
    }

    /// The split arm's name, for a split rule.
    pub fn variant(&self) -> Option<&'t str> {
        self.variant
    }

    /// Position (in the order tried) of the model to try first: the first
    /// candidate neither down nor failing a requirement.
    fn first(&self) -> usize {
        (0..self.outcome.models.len())
            .find(|&p| !is_skipped(self.skip, self.order.at(p)))
            .unwrap_or(0)
    }

    /// Index among the target's candidates of the model to try first.
    pub(crate) fn first_candidate(&self) -> usize {
        self.order.at(self.first())
    }

    /// The OpenRouter model id to try first (the rule's model, or its first
    /// fallback that is up and meets the requirements; for `cheapest`, the
    /// cheapest such candidate).
    pub fn model(&self) -> &'t str {
        self.outcome
            .models
            .get(self.first_candidate())
            .map_or("", String::as_str)
    }

    /// The models to fall back to, in order, without those that are down or
    /// fail a requirement.
    pub fn fallbacks(&self) -> Fallbacks<'t> {
        Fallbacks {
            models: &self.outcome.models,
            skip: self.skip,
            order: self.order,
            pos: self.first() + 1,
        }
    }

    /// The most the request can cost in USD (worst case: the prompt-token
    /// count and `max_tokens`), when a catalog prices the model.
    pub fn est_max_cost_usd(&self) -> Option<f64> {
        self.est_cost
    }

    /// Whether every candidate of every matching rule was down, so that
    /// this is the first matching rule's decision, unchanged (docs/reference/health.md).
    pub fn degraded(&self) -> bool {
        self.degraded
    }

    /// The completion token cap.
    pub fn max_tokens(&self) -> Option<u32> {
        self.outcome.max_tokens
    }

    /// `provider`, `transforms` and `params`, merged over the defaults.
    pub fn options(&self) -> &'t Map<String, Json> {
        &self.outcome.options
    }

    /// Labels for logs.
    pub fn tags(&self) -> &'t [String] {
        &self.outcome.tags
    }

    /// The ruleset's version label and digest.
    pub fn ruleset(&self) -> &'t RulesetInfo {
        self.info
    }

    /// The decision as a JSON value.
    pub fn to_json(&self) -> Json {
        serde_json::to_value(self).unwrap_or(Json::Null)
    }
}

impl Serialize for Decision<'_> {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        let mut m = s.serialize_map(None)?;
        m.serialize_entry("rule", self.rule)?;
        m.serialize_entry("variant", &self.variant)?;
        m.serialize_entry("model", self.model())?;
        m.serialize_entry("fallbacks", &FallbackList(self.fallbacks()))?;
        m.serialize_entry("max_tokens", &self.outcome.max_tokens)?;
        m.serialize_entry("options", &self.outcome.options)?;
        m.serialize_entry("tags", &self.outcome.tags)?;
        m.serialize_entry("ruleset", self.info)?;
        if let Some(cost) = self.est_cost {
            m.serialize_entry("est_max_cost_usd", &cost)?;
        }
        if self.degraded {
            m.serialize_entry("degraded", &true)?;
        }
        m.end()
    }
}

/// Serialises fallbacks as a JSON array without collecting them.
struct FallbackList<'t>(Fallbacks<'t>);

impl Serialize for FallbackList<'_> {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.collect_seq(self.0.clone())
    }
}
