//! Soundness of the checker's condition analysis against the evaluator, on
//! random rulesets over a fixed schema (generated as source text, so
//! parsing and checking run on every case):
//!
//! - W101: no random context makes the evaluator choose an unreachable
//!   rule, nor choose it over the rules the warning names;
//! - W102: no random context satisfies an impossible rule or `let`;
//! - E008: the witness context (at the witness's time) gets no decision,
//!   and `check` refuses the ruleset.
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
use serde_json::{Map, Value as Json};
use switchyard_check::analysis::{analyze, AnalysisOptions, Finding};
use switchyard_check::ir::{Cond, LetId, Ruleset};
use switchyard_check::{check_with, CheckOptions};
use switchyard_eval::CompiledTable;
use switchyard_syntax::{Code, Limits, SourceMap};

const SCHEMA: &str = r#"
context {
  tier: "free" | "basic" | "pro" | "enterprise" = "free"
  plan: "a" | "b" | "c"
  budget: float = 1.0
  tokens: int = 0
  tenant: int
  tools: bool = false
  vision: bool
  user: string
  prompt: string = ""
}
defaults max_tokens 100
"#;

fn pick(items: &'static [&'static str]) -> impl Strategy<Value = String> {
    proptest::sample::select(items).prop_map(String::from)
}

fn list(items: &'static [&'static str]) -> impl Strategy<Value = String> {
    proptest::sample::subsequence(items, 0..=items.len()).prop_map(|v| v.join(", "))
}

const TIERS: &[&str] = &["\"free\"", "\"basic\"", "\"pro\"", "\"enterprise\""];
const PLANS: &[&str] = &["\"a\"", "\"b\"", "\"c\""];
const NUMS: &[&str] = &["0.0", "0.5", "1.0", "1.5", "2.0", "-1.0"];
const INTS: &[&str] = &["0", "1", "2", "3", "-1"];
const HALVES: &[&str] = &["0.5", "1.5", "2.5", "-0.5"];
const WORDS: &[&str] = &["\"\"", "\"u1\"", "\"u2\"", "\"a b\""];
const OPS: &[&str] = &["==", "!=", "<", "<=", ">", ">="];

fn atom() -> impl Strategy<Value = String> {
    prop_oneof![
        pick(TIERS).prop_map(|v| format!("tier == {v}")),
        pick(TIERS).prop_map(|v| format!("tier != {v}")),
        list(TIERS).prop_map(|v| format!("tier in [{v}]")),
        list(TIERS).prop_map(|v| format!("tier not in [{v}]")),
        pick(PLANS).prop_map(|v| format!("plan == {v}")),
        pick(PLANS).prop_map(|v| format!("plan != {v}")),
        list(PLANS).prop_map(|v| format!("plan in [{v}]")),
        (pick(OPS), pick(NUMS)).prop_map(|(o, n)| format!("budget {o} {n}")),
        (pick(NUMS), pick(NUMS), any::<bool>())
            .prop_map(|(a, b, i)| format!("budget in {a}..{}{b}", if i { "=" } else { "" })),
        (pick(NUMS), pick(NUMS)).prop_map(|(a, b)| format!("budget not in {a}..{b}")),
        (pick(OPS), pick(INTS)).prop_map(|(o, n)| format!("tokens {o} {n}")),
        (pick(OPS), pick(HALVES)).prop_map(|(o, n)| format!("tokens {o} {n}")),
        (pick(INTS), pick(INTS), any::<bool>())
            .prop_map(|(a, b, i)| format!("tokens in {a}..{}{b}", if i { "=" } else { "" })),
        (pick(OPS), pick(INTS)).prop_map(|(o, n)| format!("tenant {o} {n}")),
        list(INTS).prop_map(|v| format!("tenant in [{v}]")),
        list(INTS).prop_map(|v| format!("tenant not in [{v}]")),
        Just("tools".to_string()),
        Just("vision".to_string()),
        Just("vision == false".to_string()),
        pick(&["tenant", "vision", "user", "plan", "tokens"]).prop_map(|f| format!("has({f})")),
        pick(WORDS).prop_map(|w| format!("user == {w}")),
        pick(WORDS).prop_map(|w| format!("user != {w}")),
        list(WORDS).prop_map(|v| format!("user in [{v}]")),
        list(WORDS).prop_map(|v| format!("user not in [{v}]")),
        pick(WORDS).prop_map(|w| format!("prompt == {w}")),
        Just("prompt matches /^a/".to_string()),
        Just("user matches /u/".to_string()),
        Just("prompt contains \"b\"".to_string()),
        Just("user starts_with \"u\"".to_string()),
        (pick(OPS), pick(INTS)).prop_map(|(o, n)| format!("words(prompt) {o} {n}")),
        (pick(OPS), pick(INTS)).prop_map(|(o, n)| format!("len(user) {o} {n}")),
        Just("budget > tokens".to_string()),
        Just("tenant == tokens".to_string()),
        (pick(OPS), pick(&["0", "6", "12", "23"])).prop_map(|(o, n)| format!("hour {o} {n}")),
        list(&["\"mon\"", "\"fri\"", "\"sat\"", "\"sun\""])
            .prop_map(|v| format!("weekday in [{v}]")),
        Just("l0".to_string()),
        Just("true".to_string()),
        Just("false".to_string()),
    ]
}

fn cond() -> impl Strategy<Value = String> {
    atom().prop_recursive(3, 10, 3, |inner| {
        prop_oneof![
            prop::collection::vec(inner.clone(), 2..4).prop_map(|v| v.join(" and ")),
            prop::collection::vec(inner.clone(), 2..4)
                .prop_map(|v| format!("({})", v.join(" or "))),
            inner.prop_map(|c| format!("not ({c})")),
        ]
    })
}

/// A ruleset: a let, 1-9 rules, sometimes a catch-all.
fn ruleset() -> impl Strategy<Value = String> {
    (
        cond(),
        prop::collection::vec(cond(), 1..10),
        prop::bool::weighted(0.25),
    )
        .prop_map(|(l0, rules, catch_all)| {
            let mut src = format!("{SCHEMA}let l0 = {}\n", l0.replace("l0", "tools"));
            for (i, c) in rules.iter().enumerate() {
                src.push_str(&format!("rule r{i}: when {c} -> \"m/r{i}\"\n"));
            }
            if catch_all {
                src.push_str("rule last: otherwise -> \"m/last\"\n");
            }
            src
        })
}

/// A context: each field absent, `null` or a value from a small pool that
/// includes the constants the atoms use; and a decision time.
fn context() -> impl Strategy<Value = (Json, i64)> {
    let opt = |s: BoxedStrategy<Json>| {
        prop_oneof![1 => Just(None), 1 => Just(Some(Json::Null)), 6 => s.prop_map(Some)].boxed()
    };
    let strs =
        |v: &'static [&'static str]| proptest::sample::select(v).prop_map(Json::from).boxed();
    (
        (
            opt(strs(&["free", "basic", "pro", "enterprise"])),
            opt(strs(&["a", "b", "c"])),
            opt(
                proptest::sample::select(&[0.0, 0.25, 0.5, 1.0, 1.25, 1.5, 2.0, 3.0, -1.0][..])
                    .prop_map(Json::from)
                    .boxed(),
            ),
            opt((-2i64..5).prop_map(Json::from).boxed()),
            opt((-2i64..5).prop_map(Json::from).boxed()),
        ),
        (
            opt(any::<bool>().prop_map(Json::from).boxed()),
            opt(any::<bool>().prop_map(Json::from).boxed()),
            opt(strs(&["", "u1", "u2", "a b", "x", "uuuuu"])),
            opt(strs(&["", "a", "b c", "ab b", "a b c d"])),
        ),
        0i64..2_000_000_000,
    )
        .prop_map(
            |((tier, plan, budget, tokens, tenant), (tools, vision, user, prompt), unix)| {
                let mut m = Map::new();
                for (k, v) in [
                    ("tier", tier),
                    ("plan", plan),
                    ("budget", budget),
                    ("tokens", tokens),
                    ("tenant", tenant),
                    ("tools", tools),
                    ("vision", vision),
                    ("user", user),
                    ("prompt", prompt),
                ] {
                    if let Some(v) = v {
                        m.insert(k.into(), v);
                    }
                }
                (Json::Object(m), unix)
            },
        )
}

/// The checked ruleset without the analysis, and its sources.
fn checked(src: &str) -> (Ruleset, SourceMap) {
    let mut sources = SourceMap::new();
    sources.add("<inline>", src);
    let files = switchyard_syntax::parse_sources(&sources, &Limits::default())
        .unwrap_or_else(|e| panic!("generator made a bad ruleset: {e:?}\n{src}"));
    let options = CheckOptions {
        analysis: None,
        ..CheckOptions::default()
    };
    let rs = check_with(&files, &options)
        .ruleset
        .unwrap_or_else(|| panic!("generator made an invalid ruleset:\n{src}"));
    (rs, sources)
}

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
}

fn bump(c: &Cell<usize>) {
    c.set(c.get() + 1);
}

fn sound(src: &str, contexts: &[(Json, i64)], counts: &Counts) -> Result<(), TestCaseError> {
    let (rs, sources) = checked(src);
    let analysis = analyze(&rs, &AnalysisOptions::default());
    let table = CompiledTable::compile(rs.clone(), &sources).unwrap();
    let compile = |r: Ruleset| CompiledTable::compile(r, &sources).unwrap();
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
                let refused = CompiledTable::from_source(src).err().map(|e| e.to_string());
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
    std::env::var("PROPTEST_CASES")
        .ok()
        .and_then(|s| s.parse().ok())
        .unwrap_or(1_500)
}

#[test]
fn analysis_claims_hold_for_the_evaluator() {
    let counts = Counts::default();
    let mut runner = TestRunner::new(Config {
        cases: cases(),
        ..Config::default()
    });
    let strategy = (ruleset(), prop::collection::vec(context(), 32));
    let result = runner.run(&strategy, |(src, contexts)| sound(&src, &contexts, &counts));
    if let Err(e) = result {
        panic!("{e}");
    }
    let (u, s, i, n) = (
        counts.unreachable.get(),
        counts.shadowed.get(),
        counts.impossible.get(),
        counts.no_match.get(),
    );
    eprintln!(
        "checked {u} W101 ({s} contexts satisfying their conditions), {i} W102 and {n} E008 findings"
    );
    let enough = (cases() / 50) as usize;
    assert!(
        u >= enough && s >= enough && i >= enough && n >= enough,
        "too few findings: {u} W101 ({s} contexts), {i} W102, {n} E008"
    );
}
