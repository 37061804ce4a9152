//! The condition analysis against the evaluator on every region of the
//! space (issue #17's brute-force check, in the suite).
//!
//! Random rulesets use two fields of a fixed schema (or one and the
//! decision time), and constants drawn from pools that hold values near
//! ±2^53, the ends of i64, floats with 17 significant digits and the ends
//! of f64. For each ruleset, a grid of contexts takes, per field, every
//! constant the ruleset could compare it with and the values just around
//! it (ints ±1, floats one step up and down), the extremes, and unset: one
//! value in every region the constants cut. The evaluator decides every
//! grid context with the whole ruleset and with each rule alone, and:
//!
//! - every W101, W102 and E008 claim holds on the grid (W101: the rule is
//!   never chosen, and the rules named match wherever it does; W102: the
//!   condition never holds; E008: the witness, printed as JSON and read
//!   back, gets no decision);
//! - a grid context that gets no decision is caught by E008 or by W109;
//! - for rulesets without opaque tests (regexes, text tests, `words`,
//!   `len`, two fields compared) the analysis is exact: a rule is reported
//!   W101 or W102 exactly when no grid context chooses it, W102 exactly
//!   when no grid context satisfies it, E008 exactly when some grid
//!   context gets no decision, and W109 never.
//!
//! `PROPTEST_CASES` sets the number of rulesets (default 2,000).

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    reason = "tests"
)]

#[allow(
    dead_code,
    reason = "only `cases` is used here; the generators are the other tests'"
)]
use std::cell::Cell;
use std::fmt::Write as _;

use proptest::prelude::*;
use proptest::test_runner::{Config, TestRunner};
use serde_json::Value as Json;
use switchyard_check::analysis::{analyze, AnalysisOptions, Finding};
use switchyard_check::ir::{Cond, LetId, Ruleset};
use switchyard_eval::CompiledTable;

// ------------------------------------------------------------------ pools

const SCHEMA: &str = r#"
context {
  n: int = 0
  m: int
  x: float = 0.0
  y: float
  t: "a" | "b" | "c"
  f: bool = false
  s: string
}
model a = "p/a"
defaults max_tokens 100
"#;

/// Int constants: small ones, ±2^53 and around, the ends of i64.
const INTS: &[i64] = &[
    0,
    1,
    -1,
    5,
    9_007_199_254_740_991,
    9_007_199_254_740_992,
    9_007_199_254_740_993,
    -9_007_199_254_740_993,
    i64::MAX,
    i64::MAX - 1,
    i64::MIN,
    i64::MIN + 1,
];

/// Float constants: halves, 17 significant digits, the floats next to 1,
/// 2^53 and 2^53 + 2, ±2^63, the ends of f64.
const FLOATS: &[f64] = &[
    0.0,
    0.5,
    -0.5,
    1.0,
    0.999_999_999_999_999_9,
    1.000_000_000_000_000_2,
    0.300_000_000_000_000_04,
    123_456_789.012_345_67,
    9_007_199_254_740_992.0,
    9_007_199_254_740_994.0,
    9_223_372_036_854_775_808.0,
    -9_223_372_036_854_775_808.0,
    1e300,
    -f64::MAX,
];

const STRINGS: &[&str] = &["", "q", "ab", "a b"];
const ENUM: &[&str] = &["a", "b", "c"];
const HOURS: &[i64] = &[0, 6, 12, 23];
const DAYS: &[&str] = &["mon", "tue", "wed", "thu", "fri", "sat", "sun"];
const OPS: &[&str] = &["==", "!=", "<", "<=", ">", ">="];

/// The regex and text tests on `s`.
const TEXT: &[&str] = &[
    "s matches /^q/",
    "s matches /b$/",
    "s matches /a b/",
    "s matches /^[a-z]*$/",
    "s contains \"a\"",
    "s starts_with \"q\"",
    "s ends_with \"b\"",
    "words(s) > 1",
];

// ------------------------------------------------------------------ choices

/// Random choices from a tape of numbers (proptest shrinks the tape
/// towards zeros, that is towards the first choices).
struct Tape<'a> {
    tape: &'a [u32],
    at: usize,
}

impl Tape<'_> {
    fn pick(&mut self, n: usize) -> usize {
        let x = self.tape.get(self.at).copied().unwrap_or(0);
        self.at += 1;
        x as usize % n.max(1)
    }

    fn chance(&mut self, percent: usize) -> bool {
        self.pick(100) < percent
    }

    fn of<'b, T>(&mut self, items: &'b [T]) -> &'b T {
        &items[self.pick(items.len())]
    }
}

/// A field a ruleset tests.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Kind {
    Int,
    Float,
    Enum,
    Bool,
    Str,
}

/// `(name, kind, has a default)`.
const FIELDS: &[(&str, Kind, bool)] = &[
    ("n", Kind::Int, true),
    ("m", Kind::Int, false),
    ("x", Kind::Float, true),
    ("y", Kind::Float, false),
    ("t", Kind::Enum, false),
    ("f", Kind::Bool, true),
    ("s", Kind::Str, false),
];

/// One generated ruleset and what its grid needs.
struct Case {
    src: String,
    /// Indexes in [`FIELDS`].
    fields: Vec<usize>,
    ints: Vec<i64>,
    floats: Vec<f64>,
    strings: Vec<String>,
    /// Whether some atom is opaque to the analysis.
    opaque: bool,
    /// Whether `hour`/`weekday` are tested.
    time: bool,
    hours: Vec<i64>,
}

/// A float as a literal (shortest round-trip text, always a float).
fn float_text(x: f64) -> String {
    let s = format!("{x:?}");
    if s.contains('.') || s.contains('e') {
        s
    } else {
        format!("{s}.0")
    }
}

impl Case {
    fn number(&self, tape: &mut Tape<'_>) -> String {
        if tape.chance(50) {
            tape.of(&self.ints).to_string()
        } else {
            float_text(*tape.of(&self.floats))
        }
    }

    fn string(&self, tape: &mut Tape<'_>) -> String {
        format!("{:?}", tape.of(&self.strings))
    }

    /// One atom on one of the ruleset's fields (or the time).
    fn atom(&mut self, tape: &mut Tape<'_>, allow_opaque: bool) -> String {
        if self.time && tape.chance(35) {
            return match tape.pick(3) {
                0 => format!("hour {} {}", tape.of(OPS), tape.of(&self.hours)),
                1 => format!("hour in {}..{}", tape.of(&self.hours), tape.of(&self.hours)),
                _ => format!(
                    "weekday {}in [\"{}\", \"{}\"]",
                    if tape.chance(30) { "not " } else { "" },
                    tape.of(DAYS),
                    tape.of(DAYS)
                ),
            };
        }
        if allow_opaque && tape.chance(30) {
            let names: Vec<&str> = self.fields.iter().map(|&i| FIELDS[i].0).collect();
            let numeric: Vec<&str> = self
                .fields
                .iter()
                .filter(|&&i| matches!(FIELDS[i].1, Kind::Int | Kind::Float))
                .map(|&i| FIELDS[i].0)
                .collect();
            if names.contains(&"s") {
                self.opaque = true;
                return match tape.pick(3) {
                    0 => (*tape.of(TEXT)).to_string(),
                    1 => format!(
                        "len(s) {} {}",
                        tape.of(OPS),
                        tape.of(&[0i64, 1, 2, 3, i64::MAX, 9_007_199_254_740_993])
                    ),
                    _ => format!("words(s) in 1..{}", tape.of(&[2i64, 3, i64::MAX])),
                };
            }
            if numeric.len() == 2 {
                self.opaque = true;
                return format!("{} {} {}", numeric[0], tape.of(OPS), numeric[1]);
            }
        }
        let (name, kind, default) = FIELDS[*tape.of(&self.fields)];
        if !default && tape.chance(8) {
            return format!("has({name})");
        }
        let not = if tape.chance(30) { "not " } else { "" };
        match kind {
            Kind::Int | Kind::Float => match tape.pick(4) {
                0 | 1 => format!("{name} {} {}", tape.of(OPS), self.number(tape)),
                2 => format!(
                    "{name} {not}in {}..{}{}",
                    self.number(tape),
                    if tape.chance(50) { "=" } else { "" },
                    self.number(tape)
                ),
                _ => format!(
                    "{name} {not}in [{}, {}]",
                    self.number(tape),
                    self.number(tape)
                ),
            },
            Kind::Enum => match tape.pick(2) {
                0 => format!("{name} {} \"{}\"", tape.of(&["==", "!="]), tape.of(ENUM)),
                _ => format!(
                    "{name} {not}in [\"{}\", \"{}\"]",
                    tape.of(ENUM),
                    tape.of(ENUM)
                ),
            },
            Kind::Bool => (*tape.of(&["f", "f == false", "f != true", "not f"])).to_string(),
            Kind::Str => match tape.pick(2) {
                0 => format!("{name} {} {}", tape.of(&["==", "!="]), self.string(tape)),
                _ => format!(
                    "{name} {not}in [{}, {}]",
                    self.string(tape),
                    self.string(tape)
                ),
            },
        }
    }

    /// A condition of up to two levels of `and`, `or` and `not`.
    fn cond(&mut self, tape: &mut Tape<'_>, depth: u32, allow_opaque: bool) -> String {
        if depth == 0 || tape.chance(45) {
            return self.atom(tape, allow_opaque);
        }
        let parts: Vec<String> = (0..2 + tape.pick(2))
            .map(|_| self.cond(tape, depth - 1, allow_opaque))
            .collect();
        match tape.pick(3) {
            0 => format!("({})", parts.join(" and ")),
            1 => format!("({})", parts.join(" or ")),
            _ => format!("not ({})", parts[0]),
        }
    }

    fn new(tape: &mut Tape<'_>) -> Case {
        let time = tape.chance(15);
        let first = tape.pick(FIELDS.len());
        let mut fields = vec![first];
        if !time {
            let second = (first + 1 + tape.pick(FIELDS.len() - 1)) % FIELDS.len();
            fields.push(second);
        }
        let mut ints = vec![*tape.of(INTS), *tape.of(INTS)];
        ints.dedup();
        let mut floats = vec![*tape.of(FLOATS), *tape.of(FLOATS)];
        floats.dedup();
        let strings = vec![
            (*tape.of(STRINGS)).to_string(),
            (*tape.of(STRINGS)).to_string(),
        ];
        let hours = vec![*tape.of(HOURS), *tape.of(HOURS)];
        let mut case = Case {
            src: String::new(),
            fields,
            ints,
            floats,
            strings,
            opaque: false,
            time,
            hours,
        };
        let allow_opaque = tape.chance(35);
        let mut src = SCHEMA.to_string();
        let with_let = tape.chance(20);
        if with_let {
            let c = case.cond(tape, 1, allow_opaque);
            writeln!(src, "let l0 = {c}").unwrap();
        }
        let rules = 1 + tape.pick(5);
        for i in 0..rules {
            let mut c = case.cond(tape, 2, allow_opaque);
            if with_let && tape.chance(30) {
                c = format!("({c} {} l0)", tape.of(&["and", "or"]));
            }
            writeln!(src, "rule r{i}: when {c} -> a").unwrap();
        }
        if tape.chance(8) {
            src.push_str("rule last: otherwise -> a\n");
        }
        case.src = src;
        case
    }
}

// ------------------------------------------------------------------ grid

/// A value of a field in a grid context.
#[derive(Clone, Debug, PartialEq)]
enum Val {
    Unset,
    Int(i64),
    Float(f64),
    Str(String),
    Bool(bool),
}

/// The float just above `x` (finite `x`).
fn float_up(x: f64) -> f64 {
    if x == 0.0 {
        return f64::from_bits(1);
    }
    let b = x.to_bits();
    f64::from_bits(if x > 0.0 { b + 1 } else { b - 1 })
}

fn float_down(x: f64) -> f64 {
    -float_up(-x)
}

impl Case {
    /// The values of field `i` the grid takes: one in every region the
    /// constants cut, and unset.
    fn values(&self, i: usize) -> Vec<Val> {
        let (_, kind, default) = FIELDS[i];
        let mut out = Vec::new();
        if !default {
            out.push(Val::Unset);
        }
        match kind {
            Kind::Int => {
                let mut at: Vec<i64> = vec![0, i64::MIN, i64::MAX];
                for &c in &self.ints {
                    at.extend([c.saturating_sub(1), c, c.saturating_add(1)]);
                }
                for &f in &self.floats {
                    // `as` saturates at the ends of i64.
                    for w in [f.floor() as i64, f.ceil() as i64] {
                        at.extend([w.saturating_sub(1), w, w.saturating_add(1)]);
                    }
                }
                at.extend([0, 1, 2, 3]);
                at.sort_unstable();
                at.dedup();
                out.extend(at.into_iter().map(Val::Int));
            }
            Kind::Float => {
                let mut at: Vec<f64> = vec![0.0, -f64::MAX, f64::MAX];
                let near = |x: f64| [float_down(x), x, float_up(x)];
                for &c in &self.ints {
                    at.extend(near(c as f64));
                }
                for &f in &self.floats {
                    at.extend(near(f));
                }
                at.retain(|x| x.is_finite());
                at.sort_by(f64::total_cmp);
                at.dedup_by(|a, b| a == b);
                out.extend(at.into_iter().map(Val::Float));
            }
            Kind::Enum => out.extend(ENUM.iter().map(|s| Val::Str((*s).into()))),
            Kind::Bool => out.extend([Val::Bool(false), Val::Bool(true)]),
            Kind::Str => {
                let mut at: Vec<String> = self.strings.clone();
                at.push("zz".into());
                if self.opaque {
                    for s in ["", "q", "qb", "b", "a b", "x y z", "ab", "a", "q a b"] {
                        at.push(s.into());
                    }
                }
                at.sort();
                at.dedup();
                out.extend(at.into_iter().map(Val::Str));
            }
        }
        out
    }

    /// `(hour, weekday)` pairs the grid takes.
    fn times(&self) -> Vec<(i64, i64)> {
        if !self.time {
            return vec![(0, 0)];
        }
        let mut hours: Vec<i64> = vec![0, 23];
        for &h in &self.hours {
            hours.extend([h - 1, h, h + 1]);
        }
        hours.retain(|h| (0..24).contains(h));
        hours.sort_unstable();
        hours.dedup();
        hours
            .into_iter()
            .flat_map(|h| (0..7).map(move |d| (h, d)))
            .collect()
    }
}

/// Unix seconds at `hour` on `weekday` (0 is Monday; 1970-01-05 was one).
fn unix(hour: i64, weekday: i64) -> i64 {
    (4 + weekday) * 86_400 + hour * 3_600
}

/// One grid point: a value per tested field, and a time.
struct Point {
    values: Vec<(usize, Val)>,
    unix: i64,
}

impl Point {
    fn describe(&self) -> String {
        let vals: Vec<String> = self
            .values
            .iter()
            .map(|(i, v)| format!("{}={v:?}", FIELDS[*i].0))
            .collect();
        format!("{} at {}", vals.join(", "), self.unix)
    }
}

/// The rule `table` chooses for `p` (its index in the table's rules).
fn choose(table: &CompiledTable, p: &Point) -> Option<usize> {
    let mut b = table.context().at_unix(p.unix);
    for (i, v) in &p.values {
        let name = FIELDS[*i].0;
        b = match v {
            Val::Unset => b,
            Val::Int(x) => b.set(name, *x).unwrap(),
            Val::Float(x) => b.set(name, *x).unwrap(),
            Val::Str(s) => b.set(name, s.as_str()).unwrap(),
            Val::Bool(x) => b.set(name, *x).unwrap(),
        };
    }
    let ctx = b.build();
    let rule = table.decide(&ctx).unwrap()?.rule().to_string();
    table.ruleset().rule_index(&rule)
}

// ------------------------------------------------------------------ checks

#[derive(Default)]
struct Counts {
    rulesets: Cell<usize>,
    exact_rulesets: Cell<usize>,
    contexts: Cell<usize>,
    unreachable: Cell<usize>,
    impossible: Cell<usize>,
    no_match: Cell<usize>,
    not_proved: Cell<usize>,
    nowhere: Cell<usize>,
}

fn bump(c: &Cell<usize>, n: usize) {
    c.set(c.get() + n);
}

/// The ruleset with only rule `r`, or with one rule whose condition is let
/// `l`.
fn alone(rs: &Ruleset, r: usize, l: Option<LetId>) -> Ruleset {
    let mut out = rs.clone();
    out.rules = vec![rs.rules[r].clone()];
    if let Some(l) = l {
        out.rules[0].cond = Cond::Let(l);
    }
    out.tests.clear();
    out
}

fn check(case: &Case, counts: &Counts) -> Result<(), TestCaseError> {
    let src = &case.src;
    // Loading skips the condition analysis: a ruleset with E008 loads.
    let (table, _) = CompiledTable::from_source(src).unwrap();
    let rs = table.ruleset().clone();
    let analysis = analyze(&rs, &AnalysisOptions::default());
    let compile = |r: Ruleset| CompiledTable::compile(r, table.sources()).unwrap();
    let singles: Vec<CompiledTable> = (0..rs.rules.len())
        .map(|r| compile(alone(&rs, r, None)))
        .collect();
    let let_table = (!rs.lets.is_empty()).then(|| compile(alone(&rs, 0, Some(LetId(0)))));

    // The grid: every combination of the fields' values and the times.
    let mut points: Vec<Point> = vec![Point {
        values: Vec::new(),
        unix: 0,
    }];
    for &i in &case.fields {
        let vals = case.values(i);
        points = points
            .into_iter()
            .flat_map(|p| {
                vals.iter().map(move |v| {
                    let mut values = p.values.clone();
                    values.push((i, v.clone()));
                    Point {
                        values,
                        unix: p.unix,
                    }
                })
            })
            .collect();
    }
    let times = case.times();
    let points: Vec<Point> = points
        .into_iter()
        .flat_map(|p| {
            times.iter().map(move |&(h, d)| Point {
                values: p.values.clone(),
                unix: unix(h, d),
            })
        })
        .collect();

    let n = rs.rules.len();
    let mut chosen_ever = vec![false; n];
    let mut holds_ever = vec![false; n];
    let mut let_ever = false;
    let mut nowhere: Option<&Point> = None;
    // Per point: the rule chosen, and which rules hold alone.
    let mut grid: Vec<(Option<usize>, Vec<bool>)> = Vec::with_capacity(points.len());
    for p in &points {
        let chosen = choose(&table, p);
        let holds: Vec<bool> = singles.iter().map(|t| choose(t, p).is_some()).collect();
        if let Some(r) = chosen {
            chosen_ever[r] = true;
        } else if nowhere.is_none() {
            nowhere = Some(p);
        }
        for (r, h) in holds.iter().enumerate() {
            holds_ever[r] |= *h;
        }
        if let Some(t) = &let_table {
            let_ever |= choose(t, p).is_some();
        }
        grid.push((chosen, holds));
    }
    bump(&counts.rulesets, 1);
    bump(&counts.contexts, points.len());

    let name = |r: usize| rs.rules[r].name.clone();
    let mut reported = vec![false; n];
    let mut impossible = vec![false; n];
    let mut impossible_let = false;
    let mut e008 = false;
    let mut w109 = false;
    for f in &analysis.findings {
        match f {
            Finding::Unreachable { rule, covered_by } => {
                bump(&counts.unreachable, 1);
                reported[*rule] = true;
                prop_assert!(
                    !chosen_ever[*rule],
                    "W101 `{}` is chosen\n{}",
                    name(*rule),
                    src
                );
                for (p, (_, holds)) in points.iter().zip(&grid) {
                    prop_assert!(
                        !holds[*rule] || covered_by.iter().any(|c| holds[*c]),
                        "`{}` holds at {} but none of {:?} does\n{}",
                        name(*rule),
                        p.describe(),
                        covered_by,
                        src
                    );
                }
            }
            Finding::Impossible { rule } => {
                bump(&counts.impossible, 1);
                reported[*rule] = true;
                impossible[*rule] = true;
                prop_assert!(!holds_ever[*rule], "W102 `{}` holds\n{}", name(*rule), src);
            }
            Finding::ImpossibleLet { .. } => {
                bump(&counts.impossible, 1);
                impossible_let = true;
                prop_assert!(!let_ever, "W102 let holds\n{}", src);
            }
            Finding::NoMatch { witness } => {
                bump(&counts.no_match, 1);
                e008 = true;
                // Printed and read back, as a host would send it.
                let text = Json::Object(witness.context.clone()).to_string();
                let json: Json = serde_json::from_str(&text).unwrap();
                let ctx = table
                    .context_from_json_at(&json, Some(witness.unix_seconds()))
                    .unwrap();
                prop_assert!(
                    table.decide(&ctx).unwrap().is_none(),
                    "E008 witness {} at {:?} is decided\n{}",
                    text,
                    witness.time,
                    src
                );
            }
            Finding::CoverageNotProved { .. } => {
                bump(&counts.not_proved, 1);
                w109 = true;
            }
            _ => {}
        }
    }
    if let Some(p) = nowhere {
        bump(&counts.nowhere, 1);
        prop_assert!(
            e008 || w109,
            "{} routes nowhere, but no E008 nor W109\n{}",
            p.describe(),
            src
        );
    }
    if !case.opaque {
        bump(&counts.exact_rulesets, 1);
        let skipped = analysis
            .findings
            .iter()
            .any(|f| matches!(f, Finding::Skipped { .. }));
        prop_assert!(!skipped, "N201 on a small ruleset\n{}", src);
        prop_assert!(!w109, "W109 without opaque tests\n{}", src);
        prop_assert_eq!(
            e008,
            nowhere.is_some(),
            "E008 exactly when some context routes nowhere\n{}",
            src
        );
        for r in 0..n {
            prop_assert_eq!(
                reported[r],
                !chosen_ever[r],
                "`{}`: W101/W102 exactly when never chosen\n{}",
                name(r),
                src
            );
            prop_assert_eq!(
                impossible[r],
                !holds_ever[r],
                "`{}`: W102 exactly when it never holds\n{}",
                name(r),
                src
            );
        }
        if let_table.is_some() {
            prop_assert_eq!(impossible_let, !let_ever, "let: W102 exactly\n{}", src);
        }
    }
    Ok(())
}

fn cases() -> u32 {
    switchyard_testing::cases(2_000)
}

#[test]
fn analysis_is_exact_on_every_region() {
    let counts = Counts::default();
    let mut runner = TestRunner::new(Config {
        cases: cases(),
        ..Config::default()
    });
    let strategy = prop::collection::vec(any::<u32>(), 48..160);
    let result = runner.run(&strategy, |tape| {
        let case = Case::new(&mut Tape { tape: &tape, at: 0 });
        check(&case, &counts)
    });
    if let Err(e) = result {
        panic!("{e}");
    }
    let get = |c: &Cell<usize>| c.get();
    eprintln!(
        "{} rulesets ({} without opaque tests), {} grid contexts; checked {} W101, {} W102, \
         {} E008; {} W109; {} rulesets route some grid context nowhere, each caught",
        get(&counts.rulesets),
        get(&counts.exact_rulesets),
        get(&counts.contexts),
        get(&counts.unreachable),
        get(&counts.impossible),
        get(&counts.no_match),
        get(&counts.not_proved),
        get(&counts.nowhere),
    );
    let enough = (cases() / 50) as usize;
    for (what, c) in [
        ("W101", &counts.unreachable),
        ("W102", &counts.impossible),
        ("E008", &counts.no_match),
        ("exact rulesets", &counts.exact_rulesets),
    ] {
        assert!(get(c) >= enough, "too few {what}: {}", get(c));
    }
}
