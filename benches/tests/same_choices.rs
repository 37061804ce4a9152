//! The differential check behind the `request` bench's numbers: for the
//! first requests of the bench's traffic, the naive interpreter, the
//! hand-written chain (routing guide only) and every switchyard path the
//! bench times choose the same rule, on each ruleset of issue #11's
//! targets.

use std::error::Error;

use switchyard_benches::{
    json_lines, serde_naive, switchyard_context, switchyard_decide, switchyard_host,
    switchyard_host_builder, switchyard_json, target_rulesets, PreparedRuleset, Workload,
    DEFAULT_SEED,
};

/// Requests checked per ruleset: enough to meet every tenant group of note
/// and the threshold cases, few enough for a debug build.
const CHECKED: usize = 3_000;

/// Checks the target ruleset at `position` in [`target_rulesets`].
fn same_choices(position: usize) -> Result<(), Box<dyn Error>> {
    let workload = Workload::new(DEFAULT_SEED);
    let target = target_rulesets(&workload)
        .into_iter()
        .nth(position)
        .ok_or("no such target ruleset")?;
    let prepared = PreparedRuleset::new(target)?;
    let (table, naive) = (&prepared.table, &prepared.naive);
    let requests = workload.requests(CHECKED);
    let json = json_lines(&requests)?;
    for (i, (request, bytes)) in requests.iter().zip(&json).enumerate() {
        let expected = naive.decide(request);
        let at = || format!("ruleset {}, request {i}: {request:?}", prepared.label);
        assert!(expected.is_some(), "no rule matched: {}", at());
        if let Some(chain) = prepared.handwritten {
            assert_eq!(Some(chain(request)), expected, "handwritten, {}", at());
        }
        assert_eq!(
            switchyard_host(table, request)?,
            expected,
            "host_values, {}",
            at()
        );
        assert_eq!(
            switchyard_host_builder(table, request)?,
            expected,
            "host_builder, {}",
            at()
        );
        let context = switchyard_context(table, request)?;
        assert_eq!(
            switchyard_decide(table, &context)?,
            expected,
            "decide_alone, {}",
            at()
        );
        assert_eq!(
            switchyard_json(table, bytes)?,
            expected,
            "json_bytes, {}",
            at()
        );
        assert_eq!(
            serde_naive(naive, bytes)?,
            expected,
            "serde_naive, {}",
            at()
        );
    }
    Ok(())
}

#[test]
fn routing_guide_paths_agree() -> Result<(), Box<dyn Error>> {
    same_choices(0)
}

#[test]
fn thousand_rules_paths_agree() -> Result<(), Box<dyn Error>> {
    same_choices(1)
}

#[test]
fn ten_thousand_rules_paths_agree() -> Result<(), Box<dyn Error>> {
    same_choices(2)
}
