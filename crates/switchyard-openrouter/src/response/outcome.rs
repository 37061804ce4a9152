//! The [`Outcome`] of a call: the served model, tokens and cost.

use serde::Serialize;
use switchyard_catalog::split_variant;

/// Where a cost came from.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum CostSource {
    /// `usage.cost` of the response: what OpenRouter charged.
    Response,
    /// An estimate from the catalog's prices for the served model and the
    /// actual token counts.
    Catalog,
    /// Neither gave one.
    Unknown,
}

/// The outcome of a call, for budgets and logs.
#[derive(Clone, Debug, PartialEq, Serialize)]
#[non_exhaustive]
pub struct Outcome {
    /// The generation id.
    pub id: String,
    /// The model that served the request.
    pub model: String,
    /// The provider that served it, when known.
    pub provider: Option<String>,
    /// `finish_reason` of the first choice.
    pub finish_reason: Option<String>,
    /// Tokens and cost; `None` when the response has no `usage`.
    pub usage: Option<Usage>,
}

impl Outcome {
    /// Whether a model other than `requested` served the request, i.e. a
    /// fallback fired. Variant suffixes are ignored (`openai/gpt-4o:nitro`
    /// is served as `openai/gpt-4o`); an id OpenRouter reports in another
    /// form than the one requested (a dated snapshot) counts as different.
    pub fn fell_back(&self, requested: &str) -> bool {
        split_variant(&self.model).0 != split_variant(requested).0
    }

    /// The cost in USD, when known.
    pub fn cost_usd(&self) -> Option<f64> {
        self.usage.as_ref().and_then(|u| u.cost)
    }
}

/// Tokens and cost of a call.
#[derive(Clone, Debug, PartialEq, Serialize)]
#[non_exhaustive]
pub struct Usage {
    /// Prompt tokens.
    pub prompt_tokens: u64,
    /// Completion tokens.
    pub completion_tokens: u64,
    /// Both.
    pub total_tokens: u64,
    /// The cost in USD: the response's `usage.cost` when present, else the
    /// catalog's estimate, else `None`.
    pub cost: Option<f64>,
    /// Where `cost` came from.
    pub cost_source: CostSource,
}
