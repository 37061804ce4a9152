//! Soundness of the checker's condition analysis against the evaluator, on
//! random rulesets over a fixed schema (generated as source text by
//! `switchyard_testing::rulesets`, so parsing and checking run on every case):
//!
//! - W101: no random context makes the evaluator choose an unreachable
//!   rule, nor choose it over the rules the warning names;
//! - W102: no random context satisfies an impossible rule or `let`;
//! - E008: the witness context (at the witness's time) gets no decision,
//!   and loading with the analysis refuses the ruleset;
//! - coverage: a random context that gets no decision is caught by E008
//!   or, where the analysis could not decide, W109.
//!
//! The run also counts the findings it checked and fails if some kind never
//! came up, so the properties cannot pass vacuously.
//! `PROPTEST_CASES` sets the number of rulesets (default 1,500, each with
//! 32 random contexts).

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    reason = "tests"
)]

use std::cell::Cell;

use proptest::prelude::*;
use proptest::test_runner::{Config, TestRunner};
use serde_json::Value as Json;
use switchyard_check::analysis::{analyze, AnalysisOptions, Finding};
use switchyard_check::ir::{Cond, LetId, Ruleset};
use switchyard_eval::{CompiledTable, LoadOptions};
use switchyard_syntax::{Code, SourceMap};
use switchyard_testing::rulesets;

/// Rulesets of 1-9 rules, a quarter of them with a catch-all (so E008
/// comes up often); contexts with each field absent or `null` a quarter of
/// the time.
const PROFILE: rulesets::Profile = rulesets::Profile {
    rules: 1..10,
    catch_all: 0.25,
    cond_size: 10,
    present: 6,
};

/// The ruleset with only `rules` (indexes, in this order), or with one rule
/// whose condition is `cond`.
fn only(rs: &Ruleset, rules: &[usize], cond: Option<Cond>) -> Ruleset {
    let mut out = rs.clone();
    out.rules = rules.iter().map(|&r| rs.rules[r].clone()).collect();
    if let (Some(c), Some(first)) = (cond, out.rules.first_mut()) {
        first.cond = c;
    }
    out.tests.clear();
    out
}

/// The rule the evaluator chooses, if any.
fn chosen(t: &CompiledTable, ctx: &Json, unix: i64) -> Option<String> {
    let c = t.context_from_json_at(ctx, Some(unix)).unwrap();
    t.decide(&c).unwrap().map(|d| d.rule().to_string())
}

#[derive(Default)]
struct Counts {
    unreachable: Cell<usize>,
    /// Contexts satisfying the condition of a rule found unreachable.
    shadowed: Cell<usize>,
    impossible: Cell<usize>,
    no_match: Cell<usize>,
    /// Random contexts that got no decision (each caught by E008 or W109).
    nowhere: Cell<usize>,
}

fn bump(c: &Cell<usize>) {
    c.set(c.get() + 1);
}

fn sound(src: &str, contexts: &[(Json, i64)], counts: &Counts) -> Result<(), TestCaseError> {
    let (table, _) = CompiledTable::from_source(src).unwrap();
    let rs = table.ruleset().clone();
    let analysis = analyze(&rs, &AnalysisOptions::default());
    let compile = |r: Ruleset| CompiledTable::compile(r, table.sources()).unwrap();
    let caught = analysis.findings.iter().any(|f| {
        matches!(
            f,
            Finding::NoMatch { .. } | Finding::CoverageNotProved { .. }
        )
    });
    for (ctx, unix) in contexts {
        if chosen(&table, ctx, *unix).is_none() {
            bump(&counts.nowhere);
            prop_assert!(
                caught,
                "{} routes nowhere, but no E008 nor W109\n{}",
                ctx,
                src
            );
        }
    }
    for f in &analysis.findings {
        match f {
            Finding::Unreachable { rule, covered_by } => {
                bump(&counts.unreachable);
                let name = &rs.rules[*rule].name;
                let mut cover = covered_by.clone();
                cover.push(*rule);
                let named = compile(only(&rs, &cover, None));
                let alone = compile(only(&rs, &[*rule], None));
                for (ctx, unix) in contexts {
                    if chosen(&alone, ctx, *unix).is_some() {
                        bump(&counts.shadowed);
                    }
                    let got = chosen(&table, ctx, *unix);
                    prop_assert_ne!(
                        got.as_ref(),
                        Some(name),
                        "W101 `{}` chosen for {}\n{}",
                        name,
                        ctx,
                        src
                    );
                    let got = chosen(&named, ctx, *unix);
                    prop_assert_ne!(
                        got.as_ref(),
                        Some(name),
                        "`{}` not covered by {:?} for {}\n{}",
                        name,
                        covered_by,
                        ctx,
                        src
                    );
                }
            }
            Finding::Impossible { rule } => {
                bump(&counts.impossible);
                let alone = compile(only(&rs, &[*rule], None));
                for (ctx, unix) in contexts {
                    prop_assert_eq!(
                        chosen(&alone, ctx, *unix),
                        None,
                        "W102 `{}` holds for {}\n{}",
                        rs.rules[*rule].name,
                        ctx,
                        src
                    );
                }
            }
            Finding::ImpossibleLet { id } => {
                bump(&counts.impossible);
                let alone = compile(only(&rs, &[0], Some(Cond::Let(LetId(id.0)))));
                for (ctx, unix) in contexts {
                    prop_assert_eq!(
                        chosen(&alone, ctx, *unix),
                        None,
                        "W102 let holds for {}\n{}",
                        ctx,
                        src
                    );
                }
            }
            Finding::NoMatch { witness } => {
                bump(&counts.no_match);
                let ctx = Json::Object(witness.context.clone());
                prop_assert_eq!(
                    chosen(&table, &ctx, witness.unix_seconds()),
                    None,
                    "E008 witness {} at {:?} matches\n{}",
                    ctx,
                    witness.time,
                    src
                );
                let mut sources = SourceMap::new();
                sources.add("<inline>", src);
                let analysed = LoadOptions::default().with_analysis(AnalysisOptions::default());
                let refused = CompiledTable::from_sources(sources, &analysed)
                    .err()
                    .map(|e| e.to_string());
                prop_assert!(
                    refused
                        .as_deref()
                        .is_some_and(|e| e.contains(Code::E008.as_str())),
                    "{:?}",
                    refused
                );
            }
            _ => {}
        }
    }
    Ok(())
}

fn cases() -> u32 {
    switchyard_testing::cases(1_500)
}

#[test]
fn analysis_claims_hold_for_the_evaluator() {
    let counts = Counts::default();
    let mut runner = TestRunner::new(Config {
        cases: cases(),
        ..Config::default()
    });
    let strategy = (
        rulesets::ruleset(PROFILE),
        prop::collection::vec(rulesets::context(PROFILE), 32),
    );
    let result = runner.run(&strategy, |(src, contexts)| sound(&src, &contexts, &counts));
    if let Err(e) = result {
        panic!("{e}");
    }
    let (u, s, i, n, w) = (
        counts.unreachable.get(),
        counts.shadowed.get(),
        counts.impossible.get(),
        counts.no_match.get(),
        counts.nowhere.get(),
    );
    eprintln!(
        "checked {u} W101 ({s} contexts satisfying their conditions), {i} W102 and {n} E008 \
         findings; {w} contexts routed nowhere, each caught"
    );
    let enough = (cases() / 50) as usize;
    assert!(
        u >= enough && s >= enough && i >= enough && n >= enough && w >= enough,
        "too few findings: {u} W101 ({s} contexts), {i} W102, {n} E008, {w} contexts nowhere"
    );
}
