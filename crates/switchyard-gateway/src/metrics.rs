//! `GET /metrics`: Prometheus counters and histograms
//! (`prometheus-client`), in the text exposition format.

use prometheus_client::encoding::text::encode;
use prometheus_client::encoding::EncodeLabelSet;
use prometheus_client::metrics::counter::Counter;
use prometheus_client::metrics::family::Family;
use prometheus_client::metrics::gauge::Gauge;
use prometheus_client::metrics::histogram::{exponential_buckets, Histogram};
use prometheus_client::registry::Registry;

/// Labels of `switchyard_requests_total`.
#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
pub(crate) struct RequestLabels {
    /// The rule that matched (empty before a decision).
    pub(crate) rule: String,
    /// The model that served, or the last one tried (empty without one).
    pub(crate) model: String,
    /// The status sent to the client.
    pub(crate) status: u16,
}

/// Labels of `switchyard_reloads_total`.
#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
pub(crate) struct ReloadLabels {
    /// `rules` or `config`.
    pub(crate) what: &'static str,
    /// `loaded` or `failed`.
    pub(crate) outcome: &'static str,
}

/// Labels naming a rule.
#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
pub(crate) struct RuleLabel {
    pub(crate) rule: String,
}

/// The gateway's metrics.
pub(crate) struct Metrics {
    registry: Registry,
    pub(crate) requests: Family<RequestLabels, Counter>,
    pub(crate) upstream_latency: Histogram,
    pub(crate) time_to_first_byte: Histogram,
    pub(crate) decision: Histogram,
    pub(crate) fallbacks: Family<RuleLabel, Counter>,
    pub(crate) reloads: Family<ReloadLabels, Counter>,
    pub(crate) models_down: Gauge,
    pub(crate) in_flight: Gauge,
}

impl Metrics {
    pub(crate) fn new() -> Metrics {
        let mut registry = Registry::with_prefix("switchyard");
        let requests = Family::<RequestLabels, Counter>::default();
        registry.register(
            "requests",
            "Chat requests answered, by rule, serving model and status",
            requests.clone(),
        );
        // 1 ms to about 65 s.
        let upstream_latency = Histogram::new(exponential_buckets(0.001, 2.0, 17));
        registry.register(
            "upstream_latency_seconds",
            "Upstream attempts, from sending to the last byte of the answer",
            upstream_latency.clone(),
        );
        let time_to_first_byte = Histogram::new(exponential_buckets(0.001, 2.0, 17));
        registry.register(
            "upstream_time_to_first_byte_seconds",
            "Upstream attempts, from sending to the head of the answer",
            time_to_first_byte.clone(),
        );
        // 250 ns to about 4 ms.
        let decision = Histogram::new(exponential_buckets(2.5e-7, 2.0, 15));
        registry.register(
            "decision_seconds",
            "Building the routing context and deciding",
            decision.clone(),
        );
        let fallbacks = Family::<RuleLabel, Counter>::default();
        registry.register(
            "fallbacks",
            "Attempts given up for the next model of the chain",
            fallbacks.clone(),
        );
        let reloads = Family::<ReloadLabels, Counter>::default();
        registry.register(
            "reloads",
            "Reloads of the ruleset and of the configuration, by outcome",
            reloads.clone(),
        );
        let models_down = Gauge::default();
        registry.register(
            "models_cooled_down",
            "Models the health registry has cooled down now",
            models_down.clone(),
        );
        let in_flight = Gauge::default();
        registry.register(
            "requests_in_flight",
            "Chat requests being served",
            in_flight.clone(),
        );
        Metrics {
            registry,
            requests,
            upstream_latency,
            time_to_first_byte,
            decision,
            fallbacks,
            reloads,
            models_down,
            in_flight,
        }
    }

    /// Counts a reload.
    pub(crate) fn reload(&self, what: &'static str, ok: bool) {
        let outcome = if ok { "loaded" } else { "failed" };
        self.reloads
            .get_or_create(&ReloadLabels { what, outcome })
            .inc();
    }

    /// The text exposition.
    pub(crate) fn encode(&self) -> String {
        let mut out = String::new();
        // Writing to a String cannot fail.
        let _ = encode(&mut out, &self.registry);
        out
    }
}
