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
}

impl Gateway {
    /// Decides: the rule and the chain of models to try.
    pub(crate) fn plan(
        &self,
        key: Option<&ClientKey>,
        incoming: &mut Incoming,
    ) -> Result<Plan, Failure> {
        let started = Instant::now();
        let routing = self.routing.load();
        let table = routing.live.load();
        let context = routing_context(&table, key.map(|k| &k.fields), incoming);
        let ctx = table
            .context_from_json(&Json::Object(context))
            .map_err(|e| {
                Failure::new(Code::InvalidContext, format!("{CONTEXT_FIELD}: {e}"))
                    .param(CONTEXT_FIELD)
            })?;
        let decision = table
            .decide_with_health(&ctx, &self.health)
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
        };
        self.metrics
            .decision
            .observe(started.elapsed().as_secs_f64());
        Ok(plan)
    }
}

impl Plan {
    /// The `X-Switchyard-*` response headers for an answer from `model`
    /// after `attempts` attempts.
    pub(crate) fn headers(&self, model: &str, attempts: usize) -> Vec<(HeaderName, HeaderValue)> {
        let mut out = Vec::with_capacity(6);
        let mut put = |name: &'static str, value: &str| {
            if let Ok(v) = HeaderValue::from_str(value) {
                out.push((HeaderName::from_static(name), v));
            }
        };
        put("x-switchyard-rule", &self.rule);
        put("x-switchyard-model", model);
        put("x-switchyard-attempts", &attempts.to_string());
        put("x-switchyard-ruleset", &self.ruleset);
        if let Some(v) = &self.variant {
            put("x-switchyard-variant", v);
        }
        if self.degraded {
            put("x-switchyard-degraded", "true");
        }
        out
    }
}
