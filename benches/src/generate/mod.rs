//! Synthetic multi-tenant workloads in the shape of the peers' harness
//! (`data/generate.py`), made deterministically from a seed: rulesets of
//! any size and the requests of the same tenants.
//!
//! - **Tenants**: 2,000 ids, `t1000` to `t2999`, with Zipf-like traffic
//!   (weight `1 / rank^0.9` over a random ranking); the 50 biggest are
//!   mostly enterprise or pro, the rest mostly free or basic.
//! - **Rulesets** ([`Workload::ruleset`]), in priority order: about 1% guard
//!   rules, about 87% tenant rules (per-tenant groups often closed by a
//!   tenant default, cohort rules `tenant in [5 to 30 tenants] and ...`,
//!   narrow global rules interleaved), about 12% broad global rules with
//!   `or` and `not`, and a catch-all. Thresholds are round values.
//! - **Requests** ([`Workload::requests`]): the tier follows the tenant;
//!   budget log-normal by tier with 4% at 0 and 5% exactly on a threshold;
//!   prompt tokens log-normal, larger for code and analysis, 5% on a
//!   threshold; tools for 10% (25% of code), vision for 5%; the usual
//!   latency targets 65% of the time.
//!
//! The draws are not Python's, so the rules and requests are not the
//! peers' byte for byte; their shape is.

mod conditions;
mod requests;
mod rules;
mod tenants;

use tenants::Tenant;

/// The seed the benches and the traffic example use (the peers' one).
pub const DEFAULT_SEED: u64 = 20_260_421;

/// How many distinct tenant ids the rules and requests use.
pub const TENANTS: usize = 2_000;

/// The fewest rules [`Workload::ruleset`] makes: guards, global rules, a
/// tenant group, a cohort and the catch-all.
pub const MIN_RULES: usize = 10;

const TIERS: [&str; 4] = ["free", "basic", "pro", "enterprise"];
const TASKS: [&str; 5] = ["chat", "code", "analysis", "classification", "general"];
const BUDGET_THRESHOLDS: [f64; 10] = [0.05, 0.5, 1.0, 2.0, 5.0, 10.0, 25.0, 50.0, 100.0, 500.0];
const LATENCY_THRESHOLDS: [i64; 8] = [500, 800, 1000, 1500, 2000, 3000, 5000, 10000];
const TOKEN_THRESHOLDS: [i64; 8] = [1000, 2000, 4000, 8000, 16000, 32000, 64000, 100_000];
const LATENCY_TARGETS: [i64; 8] = [500, 1000, 1500, 2000, 3000, 5000, 10000, 30000];

/// The tenants of one seed, from which rulesets and requests are drawn.
///
/// ```
/// let workload = switchyard_benches::Workload::new(7);
/// let ruleset = workload.ruleset(100);
/// assert_eq!(ruleset.rules.len(), 100);
/// assert_eq!(workload.requests(10), workload.requests(10));
/// ```
#[derive(Clone, Debug)]
pub struct Workload {
    tenants: Vec<Tenant>,
    seed: u64,
}

impl Workload {
    /// The tenants of `seed`.
    pub fn new(seed: u64) -> Self {
        Workload {
            tenants: tenants::tenants(seed),
            seed,
        }
    }
}
