//! Deciding: the [`Plan`] for a request, from the ruleset being served,
//! the health registry and the request's routing context.

use std::time::Instant;

use hyper::header::{HeaderName, HeaderValue};
use serde_json::{Map, Value as Json};

use crate::context::routing_context;
use crate::error::{Code, Failure};
use crate::gateway::Gateway;
use crate::incoming::{Incoming, CONTEXT_FIELD};
use crate::settings::ClientKey;

/// What was decided, owned, so that no table is held during the upstream
/// calls.
#[derive(Debug)]
pub(crate) struct Plan {
    pub(crate) rule: String,
    pub(crate) variant: Option<String>,
    degraded: bool,
    ruleset: String,
    /// The model, then its fallbacks (down models left out).
    pub(crate) chain: Vec<String>,
    pub(crate) max_tokens: Option<u32>,
    pub(crate) options: Map<String, Json>,
    /// The most the request can cost (USD), when the catalog prices it.
    pub(crate) est_max_cost_usd: Option<f64>,
}

impl Gateway {
    /// Decides: the rule and the chain of models to try. `budget` holds
    /// the budget fields from the ledger, which no client can override.
    pub(crate) fn plan(
        &self,
        key: Option<&ClientKey>,
        incoming: &mut Incoming,
        budget: Map<String, Json>,
    ) -> Result<Plan, Failure> {
        let started = Instant::now();
        let routing = self.routing.load();
        let table = routing.live.load();
        let mut context = routing_context(&table, key.map(|k| &k.fields), incoming);
        context.extend(budget);
        let ctx = table
            .context_from_json(&Json::Object(context))
            .map_err(|e| {
                Failure::new(Code::InvalidContext, format!("{CONTEXT_FIELD}: {e}"))
                    .param(CONTEXT_FIELD)
            })?;
        let decision = table
            .decide_with_health(&ctx, self.health.snapshot())
            .map_err(|e| Failure::new(Code::InternalError, e.to_string()))?
            .ok_or_else(|| {
                Failure::new(
                    Code::NoRoute,
                    "no routing rule matches this request's context",
                )
            })?;
        let max_tokens = match (decision.max_tokens(), incoming.max_tokens) {
            (Some(rule), Some(client)) => Some(rule.min(client)),
            (rule, client) => rule.or(client),
        };
        let plan = Plan {
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
            est_max_cost_usd: decision.est_max_cost_usd(),
        };
        self.metrics
            .decision
            .observe(started.elapsed().as_secs_f64());
        Ok(plan)
    }
}

// The names of the `X-Switchyard-*` response headers (made at compile time).
const RULE: HeaderName = HeaderName::from_static("x-switchyard-rule");
const MODEL: HeaderName = HeaderName::from_static("x-switchyard-model");
const ATTEMPTS: HeaderName = HeaderName::from_static("x-switchyard-attempts");
const RULESET: HeaderName = HeaderName::from_static("x-switchyard-ruleset");
const VARIANT: HeaderName = HeaderName::from_static("x-switchyard-variant");
const DEGRADED: HeaderName = HeaderName::from_static("x-switchyard-degraded");
/// `X-Switchyard-Served-Fallback`.
pub(crate) const SERVED_FALLBACK: HeaderName =
    HeaderName::from_static("x-switchyard-served-fallback");

impl Plan {
    /// The `X-Switchyard-*` response headers for an answer from `model`
    /// after `attempts` attempts.
    pub(crate) fn headers(&self, model: &str, attempts: usize) -> Vec<(HeaderName, HeaderValue)> {
        let text = |name: HeaderName, value: &str| Some((name, HeaderValue::from_str(value).ok()?));
        [
            text(RULE, &self.rule),
            text(MODEL, model),
            Some((ATTEMPTS, HeaderValue::from(attempts))),
            text(RULESET, &self.ruleset),
            self.variant.as_deref().and_then(|v| text(VARIANT, v)),
            self.degraded
                .then(|| (DEGRADED, HeaderValue::from_static("true"))),
        ]
        .into_iter()
        .flatten()
        .collect()
    }
}
