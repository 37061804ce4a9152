//! Counters of one thread of the measured run: decisions per rule and per
//! model, the cost estimates and the latency histogram. Allocated before
//! the run, so that counting allocates nothing, and summed per rule and per
//! model after it, so that threads share no counter.
//!
//! A decision borrows its rule name and split arm name from the table.
//! Counting ([`count`]) compares their addresses with those the context's
//! decision had when it was built ([`Addrs`]: two integer comparisons) and
//! adds one to the context's counter, one of a per-thread array written in
//! the order the contexts are read; at the end, [`Tally::fold`] adds each
//! context's count to its rule and model. The rule and arm fix the target,
//! and the context fixes the rest (`require` and `cheapest` read only the
//! context and the catalog), so the model is the one found when the context
//! was built. A decision from another rule or arm (none are: contexts carry
//! a fixed time) is counted by name instead, its model read.

use std::collections::BTreeMap;

use switchyard::{DecideError, Decision};

use super::latency::Histogram;
use super::prepare::{Addrs, Workload};

/// Counters of one thread, merged at the end.
#[derive(Debug)]
pub struct Tally {
    /// Decisions per rule position; the last slot counts no match.
    pub rules: Vec<u64>,
    /// Decisions per model index.
    pub models: Vec<u64>,
    /// Models met only on the slow path (never, in practice).
    pub other_models: BTreeMap<String, u64>,
    /// Sum of `est_max_cost_usd` over the decisions that have one.
    pub cost_usd: f64,
    /// Decisions with a cost estimate.
    pub priced: u64,
    /// Decisions that failed (never, in practice).
    pub errors: u64,
    /// Latency of the timed decisions.
    pub latency: Histogram,
}

impl Tally {
    /// Zeroed counters for `w`'s rules and models.
    pub fn new(w: &Workload<'_>) -> Self {
        Tally {
            rules: vec![0; w.rules.len() + 1],
            models: vec![0; w.models.len()],
            other_models: BTreeMap::new(),
            cost_usd: 0.0,
            priced: 0,
            errors: 0,
            latency: Histogram::default(),
        }
    }

    /// Counts a decision that is not the expected one, by name.
    #[cold]
    pub fn other(&mut self, w: &Workload<'_>, decided: Result<Option<Decision<'_>>, DecideError>) {
        let d = match decided {
            Ok(Some(d)) => d,
            Ok(None) => return bump(&mut self.rules, w.no_match()),
            Err(_) => {
                self.errors += 1;
                return;
            }
        };
        match w.rule_index.get(d.rule()) {
            Some(&r) => bump(&mut self.rules, r),
            None => self.errors += 1,
        }
        match w.model_index.get(d.model()) {
            Some(&m) => bump(&mut self.models, m),
            None => *self.other_models.entry(d.model().to_string()).or_insert(0) += 1,
        }
    }

    /// Adds the per-context counts `hits` (of decisions that went as
    /// expected) to the rules and models the contexts were decided to.
    pub fn fold(&mut self, w: &Workload<'_>, hits: &[u64]) {
        for (&n, e) in hits.iter().zip(&w.expect) {
            bump_by(&mut self.rules, e.rule, n);
            bump_by(&mut self.models, e.model, n);
        }
    }

    /// Adds `other`'s counts to these.
    pub fn merge(&mut self, other: Tally) {
        add(&mut self.rules, &other.rules);
        add(&mut self.models, &other.models);
        for (model, n) in other.other_models {
            *self.other_models.entry(model).or_insert(0) += n;
        }
        self.cost_usd += other.cost_usd;
        self.priced += other.priced;
        self.errors += other.errors;
        self.latency.merge(&other.latency);
    }
}

/// Counts one decision of the context whose expected rule and arm names
/// lie at `expected`, in its counter `hits`: the measured loop's only work
/// besides deciding.
#[inline]
pub fn count(
    tally: &mut Tally,
    w: &Workload<'_>,
    decided: Result<Option<Decision<'_>>, DecideError>,
    expected: Addrs,
    hits: &mut u64,
) {
    let got = match &decided {
        Ok(Some(d)) => {
            if let Some(cost) = d.est_max_cost_usd() {
                tally.cost_usd += cost;
                tally.priced += 1;
            }
            Addrs::of(d)
        }
        Ok(None) => Addrs::NONE,
        Err(_) => Addrs {
            rule: 1,
            variant: 1,
        },
    };
    if got == expected {
        *hits += 1;
    } else {
        tally.other(w, decided);
    }
}

fn bump(counts: &mut [u64], i: u32) {
    bump_by(counts, i, 1);
}

fn bump_by(counts: &mut [u64], i: u32, n: u64) {
    if let Some(c) = counts.get_mut(i as usize) {
        *c += n;
    }
}

fn add(into: &mut [u64], from: &[u64]) {
    for (a, b) in into.iter_mut().zip(from) {
        *a += b;
    }
}
