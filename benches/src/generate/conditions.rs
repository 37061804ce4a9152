//! Random conditions on the non-tenant fields, in the mix of the peers'
//! generator: single tests, pairs joined by `and` or `or`, negations.

use crate::condition::{CompareOp, Condition};
use crate::field::Field;
use crate::rng::Rng;

use super::{
    BUDGET_THRESHOLDS, LATENCY_TARGETS, LATENCY_THRESHOLDS, TASKS, TIERS, TOKEN_THRESHOLDS,
};

const ORDERINGS: [CompareOp; 4] = [CompareOp::Lt, CompareOp::Le, CompareOp::Gt, CompareOp::Ge];
const EQUALITIES: [CompareOp; 2] = [CompareOp::Eq, CompareOp::Ne];

/// The kinds of single test, each with its weight in the draw.
#[derive(Clone, Copy)]
enum Test {
    TaskEq,
    TaskIn,
    TaskNe,
    Budget,
    Latency,
    Tokens,
    Tools,
    Vision,
    // Rarer forms.
    HasBudget,
    BoolEq,
    LatencyEq,
    LatencyIn,
    // Only where the tier may be tested.
    TierEq,
    TierNe,
    TierIn,
}

const COMMON: [Test; 8] = [
    Test::TaskEq,
    Test::TaskIn,
    Test::TaskNe,
    Test::Budget,
    Test::Latency,
    Test::Tokens,
    Test::Tools,
    Test::Vision,
];
const RARE: [Test; 4] = [
    Test::HasBudget,
    Test::BoolEq,
    Test::LatencyEq,
    Test::LatencyIn,
];
const ON_TIER: [Test; 3] = [Test::TierEq, Test::TierNe, Test::TierIn];

/// Whether a condition may test the tier (a tenant's rules do not: the
/// tenant fixes it).
#[derive(Clone, Copy, PartialEq, Eq)]
pub(super) enum Tier {
    Allowed,
    Excluded,
}

/// One test on a field other than the tenant.
pub(super) fn single(rng: &mut Rng, tier: Tier) -> Condition {
    let mut kinds: Vec<Test> = COMMON.to_vec();
    let mut weights = vec![3.0; COMMON.len()];
    kinds.extend(RARE);
    weights.extend([1.0; RARE.len()]);
    if tier == Tier::Allowed {
        kinds.extend(ON_TIER);
        weights.extend([3.0; ON_TIER.len()]);
    }
    let kind = rng.pick_weighted(&kinds, &weights);
    let truthy_mostly = |rng: &mut Rng, field| {
        if rng.chance(0.8) {
            Condition::Truthy(field)
        } else {
            Condition::negate(Condition::Truthy(field))
        }
    };
    match kind {
        Test::HasBudget => {
            let has = Condition::Truthy(Field::BudgetRemaining);
            if rng.chance(0.5) {
                has
            } else {
                Condition::negate(has)
            }
        }
        Test::BoolEq => {
            let op = rng.pick(&EQUALITIES);
            let field = rng.pick(&[Field::NeedsTools, Field::NeedsVision]);
            Condition::compare(field, op, rng.chance(0.5))
        }
        Test::LatencyEq => Condition::compare(
            Field::MaxLatencyMs,
            rng.pick(&EQUALITIES),
            rng.pick(&LATENCY_TARGETS),
        ),
        Test::LatencyIn => {
            let k = rng.between(2, 4);
            Condition::one_of(Field::MaxLatencyMs, rng.sample(&LATENCY_TARGETS, k))
        }
        Test::TaskEq => Condition::compare(Field::TaskType, CompareOp::Eq, rng.pick(&TASKS)),
        Test::TaskNe => Condition::compare(Field::TaskType, CompareOp::Ne, rng.pick(&TASKS)),
        Test::TaskIn => {
            let k = rng.between(2, 3);
            Condition::one_of(Field::TaskType, rng.sample(&TASKS, k))
        }
        Test::TierEq => Condition::compare(Field::UserTier, CompareOp::Eq, rng.pick(&TIERS)),
        Test::TierNe => Condition::compare(Field::UserTier, CompareOp::Ne, rng.pick(&TIERS)),
        Test::TierIn => Condition::one_of(Field::UserTier, rng.sample(&TIERS, 2)),
        Test::Budget => Condition::compare(
            Field::BudgetRemaining,
            rng.pick(&ORDERINGS),
            rng.pick(&BUDGET_THRESHOLDS),
        ),
        Test::Latency => Condition::compare(
            Field::MaxLatencyMs,
            rng.pick(&ORDERINGS),
            rng.pick(&LATENCY_THRESHOLDS),
        ),
        Test::Tokens => Condition::compare(
            Field::PromptTokensEst,
            rng.pick(&ORDERINGS),
            rng.pick(&TOKEN_THRESHOLDS),
        ),
        Test::Tools => truthy_mostly(rng, Field::NeedsTools),
        Test::Vision => truthy_mostly(rng, Field::NeedsVision),
    }
}

/// One or two tests: alone (55%), and-ed (25%), or-ed (13%), or one
/// negated (7%).
pub(super) fn refinement(rng: &mut Rng, tier: Tier) -> Condition {
    let r = rng.unit();
    if r < 0.55 {
        single(rng, tier)
    } else if r < 0.80 {
        Condition::all([single(rng, tier), single(rng, tier)])
    } else if r < 0.93 {
        Condition::Or(vec![single(rng, tier), single(rng, tier)])
    } else {
        Condition::negate(single(rng, tier))
    }
}

/// A broad global rule's condition: one to three refinements and-ed.
pub(super) fn broad(rng: &mut Rng) -> Condition {
    let n = rng.pick(&[1, 2, 2, 3]);
    Condition::all(
        (0..n)
            .map(|_| refinement(rng, Tier::Allowed))
            .collect::<Vec<_>>(),
    )
}

/// A rare event and two more tests: matches a few percent of traffic, so
/// it shadows little of what comes after it.
pub(super) fn narrow(rng: &mut Rng) -> Condition {
    let rare = match rng.below(4) {
        0 => Condition::Truthy(Field::NeedsVision),
        1 => Condition::compare(
            Field::PromptTokensEst,
            CompareOp::Ge,
            rng.pick(&TOKEN_THRESHOLDS[TOKEN_THRESHOLDS.len() - 3..]),
        ),
        2 => Condition::compare(
            Field::BudgetRemaining,
            CompareOp::Le,
            rng.pick(&BUDGET_THRESHOLDS[..2]),
        ),
        _ => Condition::compare(
            Field::MaxLatencyMs,
            CompareOp::Lt,
            rng.pick(&LATENCY_THRESHOLDS[..2]),
        ),
    };
    Condition::all([rare, single(rng, Tier::Allowed), single(rng, Tier::Allowed)])
}
