//! Deciding: the [`Plan`] for a request, from the ruleset being served
//! and the health registry.

use serde_json::{Map, Value as Json};

use super::answer::Failure;
use super::derived_fields::derive_context;
use super::incoming::Incoming;
use super::{Proxy, CONTEXT_FIELD};

impl Proxy {
    /// Decides: the rule, and the chain of models to try.
    pub(super) fn plan(&self, incoming: &mut Incoming) -> Result<Plan, Failure> {
        let table = self.rules.load();
        let mut context = std::mem::take(&mut incoming.context);
        derive_context(&table, &mut context, incoming);
        let ctx = table
            .context_from_json(&Json::Object(context))
            .map_err(|e| Failure::new(400, "invalid_context", format!("{CONTEXT_FIELD}: {e}")))?;
        let decision = table
            .decide_with_health(&ctx, &self.health)
            .map_err(|e| Failure::new(500, "internal_error", e.to_string()))?
            .ok_or_else(|| {
                Failure::new(
                    422,
                    "no_route",
                    "no routing rule matches this request's context".to_string(),
                )
            })?;
        let max_tokens = match (decision.max_tokens(), incoming.max_tokens) {
            (Some(rule), Some(client)) => Some(rule.min(client)),
            (rule, client) => rule.or(client),
        };
        Ok(Plan {
            rule: decision.rule().to_string(),
            variant: decision.variant().map(String::from),
            degraded: decision.degraded(),
            ruleset: table.info().hash.clone(),
            chain: std::iter::once(decision.model())
                .chain(decision.fallbacks())
                .map(String::from)
                .collect(),
            max_tokens,
            options: decision.options().clone(),
        })
    }
}

/// What was decided, owned, so that the table is not held during the
/// upstream calls.
pub(super) struct Plan {
    pub(super) rule: String,
    variant: Option<String>,
    degraded: bool,
    ruleset: String,
    /// The model, then its fallbacks (down models left out).
    pub(super) chain: Vec<String>,
    pub(super) max_tokens: Option<u32>,
    pub(super) options: Map<String, Json>,
}

impl Plan {
    /// The `X-Switchyard-*` response headers.
    pub(super) fn headers(&self, model: &str, attempts: usize) -> Vec<(String, String)> {
        let mut out = vec![
            ("X-Switchyard-Rule".to_string(), self.rule.clone()),
            ("X-Switchyard-Model".to_string(), model.to_string()),
            ("X-Switchyard-Attempts".to_string(), attempts.to_string()),
            ("X-Switchyard-Ruleset".to_string(), self.ruleset.clone()),
        ];
        if let Some(v) = &self.variant {
            out.push(("X-Switchyard-Variant".to_string(), v.clone()));
        }
        if self.degraded {
            out.push(("X-Switchyard-Degraded".to_string(), "true".to_string()));
        }
        out
    }
}
