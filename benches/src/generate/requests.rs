//! Requests of the workload's tenants.

use crate::request::Request;
use crate::rng::{Cumulative, Rng};

use super::{Workload, BUDGET_THRESHOLDS, LATENCY_TARGETS, TASKS, TOKEN_THRESHOLDS};

const TASK_WEIGHTS: [f64; 5] = [0.38, 0.22, 0.15, 0.10, 0.15];
const LATENCY_TARGET_WEIGHTS: [f64; 8] = [0.04, 0.10, 0.06, 0.12, 0.14, 0.20, 0.20, 0.14];

/// The median budget of a tier's requests.
fn median_budget(tier: &str) -> f64 {
    match tier {
        "free" => 0.8,
        "basic" => 6.0,
        "pro" => 40.0,
        _ => 600.0,
    }
}

impl Workload {
    /// `count` requests; tenants drawn by their traffic weight.
    pub fn requests(&self, count: usize) -> Vec<Request> {
        let mut rng = Rng::new(self.seed.wrapping_add(1));
        let weights: Vec<f64> = self.tenants.iter().map(|t| t.weight).collect();
        let traffic = Cumulative::new(&weights);
        (0..count)
            .map(|_| {
                let tenant = &self.tenants[traffic.draw(&mut rng)];
                request(&mut rng, &tenant.id, tenant.tier)
            })
            .collect()
    }
}

/// One request of `tenant`, on the `tier` it pays for.
fn request(rng: &mut Rng, tenant: &str, tier: &str) -> Request {
    let task = rng.pick_weighted(&TASKS, &TASK_WEIGHTS);
    let r = rng.unit();
    let budget_remaining = if r < 0.04 {
        0.0
    } else if r < 0.09 {
        rng.pick(&BUDGET_THRESHOLDS)
    } else {
        // Cents: a division of two whole numbers is the closest f64 to the
        // decimal, as JSON writes and reads it.
        (rng.log_normal(median_budget(tier).ln(), 1.2) * 100.0).round() / 100.0
    };
    let prompt_tokens_est = if rng.chance(0.05) {
        rng.pick(&TOKEN_THRESHOLDS)
    } else {
        let median: f64 = if matches!(task, "code" | "analysis") {
            1800.0
        } else {
            700.0
        };
        (rng.log_normal(median.ln(), 1.3) as i64).clamp(1, 200_000)
    };
    let max_latency_ms = if rng.chance(0.65) {
        rng.pick_weighted(&LATENCY_TARGETS, &LATENCY_TARGET_WEIGHTS)
    } else {
        rng.between(100, 30_000) as i64
    };
    Request {
        tenant: tenant.to_owned(),
        user_tier: tier.to_owned(),
        task_type: task.to_owned(),
        budget_remaining,
        prompt_tokens_est,
        needs_tools: rng.chance(if task == "code" { 0.25 } else { 0.10 }),
        needs_vision: rng.chance(0.05),
        max_latency_ms,
    }
}
