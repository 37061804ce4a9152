//! What an attempt reports: health (a failure for a model that failed or
//! that OpenRouter skipped, a success for the one that served), metrics
//! and, at the end of a stream, the access log.

use switchyard::catalog::split_variant;

use crate::body::StreamEnd;
use crate::gateway::Gateway;
use crate::metrics::RuleLabel;
use crate::plan::Plan;

impl Gateway {
    /// Counts and logs an attempt given up for the next model.
    pub(crate) fn fallback(&self, plan: &Plan, i: usize, model: &str, why: &str) {
        self.metrics
            .fallbacks
            .get_or_create(&RuleLabel {
                rule: plan.rule.clone(),
            })
            .inc();
        tracing::warn!(
            rule = plan.rule.as_str(),
            model,
            attempt = i + 1,
            "attempt failed, trying the next model: {why}"
        );
    }

    /// Reports the attempt's success: a success for the model that served
    /// (found in the chain from `attempt` on, variants aside) and a failure
    /// for each model OpenRouter skipped before it. Returns the served
    /// model's index in the chain.
    pub(crate) fn account_success(
        &self,
        chain: &[String],
        attempt: usize,
        served: Option<&str>,
    ) -> usize {
        let tried = chain.get(attempt..).unwrap_or_default();
        let k = served
            .and_then(|s| {
                tried
                    .iter()
                    .position(|m| split_variant(m).0 == split_variant(s).0)
            })
            .unwrap_or(0);
        for skipped in tried.iter().take(k) {
            self.health.report_failure(skipped);
        }
        if let Some(m) = tried.get(k) {
            self.health.report_success(m);
        }
        attempt + k
    }

    /// The end of a relayed stream: health, metrics, access log.
    pub(crate) fn stream_ended(&self, end: StreamEnd, tail: &[u8], how: &'static str) {
        let StreamEnd {
            mut record,
            chain,
            attempt,
            rule,
            status,
            sent,
            hold,
            ..
        } = end;
        if how == "complete" {
            let catalog = self.routing.load().catalog.clone();
            // The tail may start inside a character: read it lossily.
            let text = String::from_utf8_lossy(tail);
            let outcome =
                switchyard::openrouter::parse_stream_final_chunk(&text, catalog.as_deref()).ok();
            self.account_success(&chain, attempt, outcome.as_ref().map(|o| o.model.as_str()));
            if let Some(outcome) = outcome {
                record.outcome(outcome);
            }
        }
        if let Some(hold) = hold {
            hold.settle(status, record.cost_usd);
        }
        record.upstream_ms += sent.elapsed().as_secs_f64() * 1e3;
        self.metrics
            .upstream_latency
            .observe(sent.elapsed().as_secs_f64());
        self.count(&rule, record.model.as_deref(), status);
        record.emit(status, Some(how));
    }
}
