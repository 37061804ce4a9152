//! Decisions (LANGUAGE.md 6): what a matched rule routes to. A decision
//! borrows from the compiled table; it is serialised to JSON on demand.

use serde::ser::{Serialize, SerializeMap, Serializer};
use serde_json::{Map, Value as Json};
use switchyard_check::ir::{Ruleset, Target};

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
#[derive(Clone, Debug, PartialEq)]
pub(crate) struct Outcome {
    pub model: String,
    pub fallbacks: Vec<String>,
    pub max_tokens: Option<u32>,
    /// `provider`, `transforms` and `params`, as they appear under
    /// `"options"` in the decision's JSON.
    pub options: Map<String, Json>,
    pub tags: Vec<String>,
}

impl Outcome {
    /// The outcome of a chain target with the ruleset's defaults under its
    /// options. (`cheapest` needs a catalog and is refused before this.)
    pub fn of(ruleset: &Ruleset, target: &Target) -> Outcome {
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
        Outcome {
            model,
            fallbacks,
            max_tokens: eff.max_tokens,
            options,
            tags: eff.tags.clone(),
        }
    }
}

/// The decision of the first matching rule. Borrowed from the table: cheap
/// to make, and `Serialize` gives the JSON of LANGUAGE.md section 6.
#[derive(Clone, Copy, Debug)]
pub struct Decision<'t> {
    pub(crate) rule: &'t str,
    pub(crate) outcome: &'t Outcome,
    pub(crate) variant: Option<&'t str>,
    pub(crate) info: &'t RulesetInfo,
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

    /// The OpenRouter model id to try first.
    pub fn model(&self) -> &'t str {
        &self.outcome.model
    }

    /// The models to fall back to, in order.
    pub fn fallbacks(&self) -> &'t [String] {
        &self.outcome.fallbacks
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
        let mut m = s.serialize_map(Some(8))?;
        m.serialize_entry("rule", self.rule)?;
        m.serialize_entry("variant", &self.variant)?;
        m.serialize_entry("model", &self.outcome.model)?;
        m.serialize_entry("fallbacks", &self.outcome.fallbacks)?;
        m.serialize_entry("max_tokens", &self.outcome.max_tokens)?;
        m.serialize_entry("options", &self.outcome.options)?;
        m.serialize_entry("tags", &self.outcome.tags)?;
        m.serialize_entry("ruleset", self.info)?;
        m.end()
    }
}
