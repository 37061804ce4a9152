//! The report of `bench`: built from a run, printed as JSON (one object,
//! the shape below) or as text ([`super::human`]).
//!
//! ```json
//! {
//!   "ruleset": {"path": "rules.route", "rules": 10000},
//!   "traffic": {"path": "contexts.jsonl", "contexts": 100000, "skipped_lines": 0},
//!   "run": {"threads": 2, "passes": 12, "decisions": 1200000, "seconds": 3.05,
//!           "decisions_per_second": 393442.6},
//!   "latency_ns": {"p50": 2100, "p90": 3400, "p99": 6000, "max": 120000,
//!                  "samples": 18750, "clock_ns": 24},
//!   "rules": [{"rule": "default", "count": 541200, "share": 0.451}, ...],
//!   "no_match": 0,
//!   "rules_never_chosen": 12,
//!   "never_chosen": ["vision", "long-context", ...],
//!   "models": [{"model": "openai/gpt-4o-mini", "count": 624000, "share": 0.52}, ...],
//!   "cost": {"per_1000_requests_usd": 1.234, "priced": 1200000, "unpriced": 0},
//!   "errors": 0
//! }
//! ```
//!
//! `rules` lists the rules chosen at least once, most chosen first (ties in
//! ruleset order); `cost` is `null` without a catalog.

use serde::Serialize;

use super::measure::Measured;
use super::prepare::Workload;
use crate::render::chart::share;

/// The ruleset measured.
#[derive(Debug, Serialize)]
pub struct Ruleset {
    /// As given on the command line.
    pub path: String,
    /// Number of rules.
    pub rules: usize,
}

/// The traffic file.
#[derive(Debug, Serialize)]
pub struct Traffic {
    /// As given on the command line.
    pub path: String,
    /// Lines that made a context.
    pub contexts: usize,
    /// Bad lines skipped.
    pub skipped_lines: usize,
    /// Keys the ruleset does not declare, the most frequent first.
    pub unknown_keys: Vec<crate::command::traffic::UnknownKey>,
}

/// How the run went.
#[derive(Debug, Serialize)]
pub struct Run {
    /// Threads deciding.
    pub threads: usize,
    /// Passes over the file.
    pub passes: u64,
    /// Decisions made.
    pub decisions: u64,
    /// Wall time from the first decision to the last.
    pub seconds: f64,
    /// `decisions / seconds`.
    pub decisions_per_second: f64,
}

/// Latency of single decisions, in nanoseconds.
#[derive(Debug, Serialize)]
pub struct Latency {
    /// Median.
    pub p50: u64,
    /// 90th percentile.
    pub p90: u64,
    /// 99th percentile.
    pub p99: u64,
    /// The slowest timed decision.
    pub max: u64,
    /// Decisions timed (about one in 64).
    pub samples: u64,
    /// The clock's cost, subtracted from each sample.
    pub clock_ns: u64,
}

/// How often one rule or model was chosen.
#[derive(Debug)]
pub struct Hits {
    /// The rule or model.
    pub name: String,
    /// Decisions.
    pub count: u64,
    /// Fraction of all decisions.
    pub share: f64,
}

/// Estimated worst-case cost.
#[derive(Debug, Serialize)]
pub struct Cost {
    /// Mean `est_max_cost_usd` of the priced decisions, times 1,000.
    pub per_1000_requests_usd: f64,
    /// Decisions whose model the catalog prices.
    pub priced: u64,
    /// Decisions without an estimate (model missing from the catalog).
    pub unpriced: u64,
}

/// Everything `bench` reports.
#[derive(Debug)]
pub struct Report {
    /// The ruleset.
    pub ruleset: Ruleset,
    /// The traffic file.
    pub traffic: Traffic,
    /// The run.
    pub run: Run,
    /// Latency.
    pub latency: Latency,
    /// Rules chosen at least once, most chosen first.
    pub rules: Vec<Hits>,
    /// Decisions no rule matched.
    pub no_match: u64,
    /// Rules no decision chose, in ruleset order.
    pub never_chosen: Vec<String>,
    /// Models chosen, most chosen first.
    pub models: Vec<Hits>,
    /// With a catalog.
    pub cost: Option<Cost>,
    /// Decisions that failed (a bug if ever non-zero).
    pub errors: u64,
}

impl Report {
    /// The report of run `m` over workload `w`.
    pub fn new(
        w: &Workload<'_>,
        m: &Measured,
        ruleset: Ruleset,
        traffic: Traffic,
        threads: usize,
        catalog: bool,
    ) -> Self {
        let t = &m.tally;
        let decisions: u64 = t.rules.iter().sum();
        let no_match = t.rules.get(w.rules.len()).copied().unwrap_or(0);
        let hits = |name: &str, count: u64| Hits {
            name: name.to_string(),
            count,
            share: share(count, decisions),
        };
        let mut rules: Vec<Hits> = w
            .rules
            .iter()
            .zip(&t.rules)
            .filter(|(_, &n)| n > 0)
            .map(|(name, &n)| hits(name, n))
            .collect();
        let never_chosen = w
            .rules
            .iter()
            .zip(&t.rules)
            .filter(|(_, &n)| n == 0)
            .map(|(name, _)| name.to_string())
            .collect();
        // A stable sort keeps ruleset order among equal counts.
        rules.sort_by_key(|h| std::cmp::Reverse(h.count));
        let mut models: Vec<Hits> = w
            .models
            .iter()
            .zip(&t.models)
            .filter(|(_, &n)| n > 0)
            .map(|(name, &n)| hits(name, n))
            .chain(t.other_models.iter().map(|(name, &n)| hits(name, n)))
            .collect();
        models.sort_by(|a, b| b.count.cmp(&a.count).then_with(|| a.name.cmp(&b.name)));
        let seconds = m.wall.as_secs_f64();
        let decided = decisions - no_match;
        Report {
            ruleset,
            traffic,
            run: Run {
                threads,
                passes: m.passes,
                decisions,
                seconds,
                decisions_per_second: if seconds > 0.0 {
                    decisions as f64 / seconds
                } else {
                    0.0
                },
            },
            latency: Latency {
                p50: t.latency.quantile(0.50),
                p90: t.latency.quantile(0.90),
                p99: t.latency.quantile(0.99),
                max: t.latency.max(),
                samples: t.latency.count(),
                clock_ns: m.clock_ns,
            },
            rules,
            no_match,
            never_chosen,
            models,
            cost: catalog.then(|| Cost {
                per_1000_requests_usd: if t.priced > 0 {
                    t.cost_usd / t.priced as f64 * 1000.0
                } else {
                    0.0
                },
                priced: t.priced,
                unpriced: decided.saturating_sub(t.priced),
            }),
            errors: t.errors,
        }
    }

    /// The report as one line of JSON.
    pub fn json(&self) -> String {
        let json = Json {
            ruleset: &self.ruleset,
            traffic: &self.traffic,
            run: &self.run,
            latency_ns: &self.latency,
            rules: self.rules.iter().map(RuleHits).collect(),
            no_match: self.no_match,
            rules_never_chosen: self.never_chosen.len(),
            never_chosen: &self.never_chosen,
            models: self.models.iter().map(ModelHits).collect(),
            cost: self.cost.as_ref(),
            errors: self.errors,
        };
        serde_json::to_string(&json).unwrap_or_else(|e| {
            serde_json::json!({ "error": format!("cannot serialise the report: {e}") }).to_string()
        })
    }
}

/// The JSON document, keys in the order shown above.
#[derive(Serialize)]
struct Json<'a> {
    ruleset: &'a Ruleset,
    traffic: &'a Traffic,
    run: &'a Run,
    latency_ns: &'a Latency,
    rules: Vec<RuleHits<'a>>,
    no_match: u64,
    rules_never_chosen: usize,
    never_chosen: &'a [String],
    models: Vec<ModelHits<'a>>,
    cost: Option<&'a Cost>,
    errors: u64,
}

/// `{"rule": ..., "count": ..., "share": ...}`.
struct RuleHits<'a>(&'a Hits);

/// `{"model": ..., "count": ..., "share": ...}`.
struct ModelHits<'a>(&'a Hits);

impl Serialize for RuleHits<'_> {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        self.0.serialize_as("rule", s)
    }
}

impl Serialize for ModelHits<'_> {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        self.0.serialize_as("model", s)
    }
}

impl Hits {
    fn serialize_as<S: serde::Serializer>(
        &self,
        key: &'static str,
        s: S,
    ) -> Result<S::Ok, S::Error> {
        use serde::ser::SerializeMap;
        let mut m = s.serialize_map(Some(3))?;
        m.serialize_entry(key, &self.name)?;
        m.serialize_entry("count", &self.count)?;
        m.serialize_entry("share", &self.share)?;
        m.end()
    }
}
