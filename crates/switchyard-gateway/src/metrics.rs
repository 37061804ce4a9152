//! `GET /metrics`: Prometheus counters and histograms
//! (`prometheus-client`), in the text exposition format.

use std::cell::RefCell;
use std::sync::atomic::{AtomicU64, Ordering};

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

/// A request counter a thread keeps at hand (see
/// [`Metrics::count_request`]); it shares its count with the family's.
struct KeptCounter {
    metrics: u64,
    rule: Box<str>,
    model: Box<str>,
    status: u16,
    counter: Counter,
}

/// The most request counters a thread keeps at hand (more rules, models
/// and statuses than that, and it starts over).
const KEPT_COUNTERS_MAX: usize = 64;

thread_local! {
    static KEPT_COUNTERS: RefCell<Vec<KeptCounter>> = const { RefCell::new(Vec::new()) };
}

/// Labels of `switchyard_reloads_total`.
#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
pub(crate) struct ReloadLabels {
    /// `rules` or `config`.
    pub(crate) what: &'static str,
    /// `loaded` or `failed`.
    pub(crate) outcome: &'static str,
}

/// Labels of `switchyard_budget_refusals_total`.
#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
pub(crate) struct ReasonLabel {
    /// `over_limit` or `ledger_unavailable`.
    pub(crate) reason: &'static str,
}

/// Labels naming a rule.
#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
pub(crate) struct RuleLabel {
    pub(crate) rule: String,
}

/// The gateway's metrics.
pub(crate) struct Metrics {
    /// Tells this set of metrics from others in the process (tests make
    /// several), for the counters each thread keeps at hand.
    id: u64,
    registry: Registry,
    requests: Family<RequestLabels, Counter>,
    pub(crate) upstream_latency: Histogram,
    pub(crate) time_to_first_byte: Histogram,
    pub(crate) decision: Histogram,
    pub(crate) fallbacks: Family<RuleLabel, Counter>,
    pub(crate) reloads: Family<ReloadLabels, Counter>,
    pub(crate) models_down: Gauge,
    pub(crate) in_flight: Gauge,
    pub(crate) budget_refusals: Family<ReasonLabel, Counter>,
    pub(crate) redis_up: Gauge,
    pub(crate) queued_settles: Gauge,
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
        let budget_refusals = Family::<ReasonLabel, Counter>::default();
        registry.register(
            "budget_refusals",
            "Chat requests refused by the spend ledger, by reason",
            budget_refusals.clone(),
        );
        let redis_up = Gauge::default();
        registry.register(
            "redis_up",
            "Whether Redis answers (1) or not (0); -1 without --redis",
            redis_up.clone(),
        );
        let queued_settles = Gauge::default();
        registry.register(
            "ledger_queued_settles",
            "Settles of the spend ledger waiting for Redis to come back",
            queued_settles.clone(),
        );
        static NEXT_ID: AtomicU64 = AtomicU64::new(0);
        Metrics {
            id: NEXT_ID.fetch_add(1, Ordering::Relaxed),
            registry,
            requests,
            upstream_latency,
            time_to_first_byte,
            decision,
            fallbacks,
            reloads,
            models_down,
            in_flight,
            budget_refusals,
            redis_up,
            queued_settles,
        }
    }

    /// Counts a chat request answered. The counter of the labels is taken
    /// from those this thread used lately, so that counting a request
    /// neither copies its labels nor hashes them nor takes the family's
    /// lock, once per rule, model and status.
    pub(crate) fn count_request(&self, rule: &str, model: &str, status: u16) {
        KEPT_COUNTERS.with_borrow_mut(|kept| {
            let found = kept.iter().find(|k| {
                k.metrics == self.id && k.status == status && *k.rule == *rule && *k.model == *model
            });
            if let Some(k) = found {
                k.counter.inc();
                return;
            }
            if kept.len() >= KEPT_COUNTERS_MAX {
                kept.clear();
            }
            let labels = RequestLabels {
                rule: rule.to_string(),
                model: model.to_string(),
                status,
            };
            let counter = self.requests.get_or_create(&labels).clone();
            counter.inc();
            kept.push(KeptCounter {
                metrics: self.id,
                rule: labels.rule.into_boxed_str(),
                model: labels.model.into_boxed_str(),
                status,
                counter,
            });
        });
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

#[cfg(test)]
mod tests {
    use super::Metrics;

    /// The count of `switchyard_requests_total` with these labels in the
    /// exposition (0 when the line is not there).
    fn requests(metrics: &Metrics, rule: &str, model: &str, status: u16) -> u64 {
        let line = format!(
            "switchyard_requests_total{{rule=\"{rule}\",model=\"{model}\",status=\"{status}\"}} "
        );
        metrics
            .encode()
            .lines()
            .find_map(|l| l.strip_prefix(&line))
            .map_or(0, |n| n.parse().unwrap())
    }

    #[test]
    fn kept_counters_count_into_their_own_metrics_and_labels() {
        let (a, b) = (Metrics::new(), Metrics::new());
        for _ in 0..3 {
            a.count_request("pro", "x/y", 200);
        }
        a.count_request("pro", "x/y", 502);
        a.count_request("pro", "x/z", 200);
        b.count_request("pro", "x/y", 200);
        assert_eq!(requests(&a, "pro", "x/y", 200), 3);
        assert_eq!(requests(&a, "pro", "x/y", 502), 1);
        assert_eq!(requests(&a, "pro", "x/z", 200), 1);
        assert_eq!(requests(&b, "pro", "x/y", 200), 1);
        assert_eq!(requests(&b, "pro", "x/z", 200), 0);
        // More labels than a thread keeps: it starts over, and counts on.
        for n in 0..super::KEPT_COUNTERS_MAX + 1 {
            a.count_request(&format!("r{n}"), "m", 200);
        }
        a.count_request("pro", "x/y", 200);
        a.count_request("r0", "m", 200);
        assert_eq!(requests(&a, "pro", "x/y", 200), 4);
        assert_eq!(requests(&a, "r0", "m", 200), 2);
    }
}
