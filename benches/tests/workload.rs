//! The generated workload has the peers' shape: sizes, names, a catch-all
//! last, tiers that follow tenants, requests on thresholds, and rules deep
//! enough in the list that a linear scan pays for them.

use std::collections::{HashMap, HashSet};
use std::error::Error;

use switchyard_benches::{
    target_rulesets, Condition, NaiveInterpreter, Workload, DEFAULT_SEED, MIN_RULES,
};

#[test]
fn rulesets_have_the_size_asked_and_end_with_the_catch_all() {
    let workload = Workload::new(3);
    for n in [MIN_RULES, 11, 100, 1_000] {
        let ruleset = workload.ruleset(n);
        assert_eq!(ruleset.rules.len(), n);
        let names: HashSet<&str> = ruleset.rules.iter().map(|r| r.name.as_str()).collect();
        assert_eq!(names.len(), n, "names are unique");
        let last = ruleset.rules.last();
        assert_eq!(last.map(|r| r.name.as_str()), Some("default"));
        assert_eq!(last.map(|r| &r.condition), Some(&Condition::True));
        let priorities: Vec<i64> = ruleset.rules.iter().map(|r| r.priority).collect();
        assert!(priorities.windows(2).all(|p| p[0] < p[1]));
    }
    assert_eq!(workload.ruleset(1).rules.len(), MIN_RULES);
}

#[test]
fn the_same_seed_gives_the_same_workload() {
    let (a, b) = (Workload::new(5), Workload::new(5));
    assert_eq!(a.ruleset(200), b.ruleset(200));
    assert_eq!(a.requests(500), b.requests(500));
    assert_ne!(a.requests(500), Workload::new(6).requests(500));
}

#[test]
fn requests_follow_their_tenant_and_sit_on_thresholds() {
    let requests = Workload::new(DEFAULT_SEED).requests(20_000);
    let mut per_tenant: HashMap<&str, (&str, usize)> = HashMap::new();
    for r in &requests {
        let (tier, count) = per_tenant
            .entry(r.tenant.as_str())
            .or_insert((r.user_tier.as_str(), 0));
        assert_eq!(*tier, r.user_tier, "a tenant has one tier");
        *count += 1;
    }
    let share = |hits: usize| hits as f64 / requests.len() as f64;
    let zero_budget = requests
        .iter()
        .filter(|r| r.budget_remaining == 0.0)
        .count();
    assert!(
        (0.03..0.06).contains(&share(zero_budget)),
        "{}",
        share(zero_budget)
    );
    // The token thresholds are whole thousands; 5% of requests sit on one.
    let on_threshold = requests
        .iter()
        .filter(|r| r.prompt_tokens_est % 1000 == 0)
        .count();
    assert!(
        (0.04..0.08).contains(&share(on_threshold)),
        "{}",
        share(on_threshold)
    );
    let tools = requests.iter().filter(|r| r.needs_tools).count();
    assert!((0.10..0.17).contains(&share(tools)), "{}", share(tools));
    // Zipf-like: the busiest tenant sends a few percent of the traffic,
    // and most tenants appear.
    let busiest = per_tenant.values().map(|(_, n)| *n).max().unwrap_or(0);
    assert!((0.03..0.15).contains(&share(busiest)), "{}", share(busiest));
    assert!(per_tenant.len() > 1_000, "{} tenants", per_tenant.len());
}

/// How many rules an in-order scan evaluates per request, on average.
fn mean_depth(naive: &NaiveInterpreter, workload: &Workload, rules: usize) -> f64 {
    let requests = workload.requests(2_000);
    let total: usize = requests
        .iter()
        .map(|r| naive.first_match(r).map_or(rules, |i| i + 1))
        .sum();
    total as f64 / requests.len() as f64
}

#[test]
fn a_linear_scan_goes_deep_into_the_multi_tenant_rulesets() -> Result<(), Box<dyn Error>> {
    let workload = Workload::new(DEFAULT_SEED);
    // The peers' mean depths: 4.8, 638 and 3,132.
    let expected = [(2.0, 8.0), (300.0, 900.0), (1_500.0, 5_000.0)];
    for (target, (low, high)) in target_rulesets(&workload).into_iter().zip(expected) {
        let naive = NaiveInterpreter::new(&target.ruleset)?;
        let depth = mean_depth(&naive, &workload, target.ruleset.rules.len());
        println!("{}: mean depth {depth:.1}", target.label);
        assert!(
            (low..high).contains(&depth),
            "{}: mean depth {depth}",
            target.label
        );
    }
    Ok(())
}
