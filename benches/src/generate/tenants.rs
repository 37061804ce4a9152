//! The tenant table: ids, tiers and traffic weights.

use crate::rng::Rng;

use super::{TENANTS, TIERS};

/// One customer of the multi-tenant gateway.
#[derive(Clone, Debug)]
pub(super) struct Tenant {
    /// `t1000` to `t2999`.
    pub id: String,
    /// Its plan: every request of the tenant carries it.
    pub tier: &'static str,
    /// Its share of traffic (Zipf-like, not normalised).
    pub weight: f64,
}

/// [`TENANTS`] tenants: a random popularity ranking, weight `1/rank^0.9`;
/// the 50 biggest are mostly paying customers.
pub(super) fn tenants(seed: u64) -> Vec<Tenant> {
    let mut rng = Rng::new(seed);
    let mut ranks: Vec<usize> = (0..TENANTS).collect();
    rng.shuffle(&mut ranks);
    ranks
        .into_iter()
        .enumerate()
        .map(|(i, rank)| {
            let tier = if rank < 50 {
                rng.pick_weighted(&["pro", "enterprise"], &[0.4, 0.6])
            } else {
                rng.pick_weighted(&TIERS, &[0.45, 0.30, 0.17, 0.08])
            };
            Tenant {
                id: format!("t{}", 1000 + i),
                tier,
                weight: 1.0 / ((rank + 1) as f64).powf(0.9),
            }
        })
        .collect()
}
