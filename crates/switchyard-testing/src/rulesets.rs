//! The one test schema ([`SCHEMA`]), and random rulesets and contexts over
//! it for the property tests (the evaluator's `differential.rs` and
//! `analysis_soundness.rs`; the fuzzer's `decide` target renders its own
//! rulesets over the same schema).
//!
//! Rulesets are generated as source text over one fixed schema, so parsing
//! and checking run on every case. The atoms and the context values are the
//! union of what the two tests used to draw on their own: each pool holds
//! the constants the atoms compare against and values on both sides of
//! them. Where the tests want different shapes (ruleset size, how often a
//! catch-all ends it, how often a context field is absent) they say so with
//! a [`Profile`].

use std::ops::Range;

use proptest::prelude::*;
use proptest::sample::select;
use serde_json::{json, Map, Value as Json};

/// The knobs on which the tests' cases differ.
pub struct Profile {
    /// How many rules a ruleset has before its optional catch-all.
    pub rules: Range<usize>,
    /// The chance that a ruleset ends with `rule last: otherwise -> a`.
    pub catch_all: f64,
    /// The `desired_size` of a condition's tree of `and`, `or` and `not`
    /// (at most 3 deep either way).
    pub cond_size: u32,
    /// The weight of a value in a context field, against 1 for an absent
    /// field and 1 for `null`.
    pub present: u32,
}

/// The schema, models, target and defaults every generated ruleset starts
/// with: fields of every type, with and without defaults; a model with a
/// variant (`:free`); a named target.
pub const SCHEMA: &str = r#"
context {
  tier: "free" | "basic" | "pro" | "enterprise" = "free"
  task: "chat" | "code" | "analysis"
  budget: float = 1.0
  tokens: int = 0
  tenant: int
  tools: bool = false
  vision: bool
  user: string
  prompt: string = ""
}
model a = "p/a"
model b = "p/b:free"
model c = "p/c"
target t = b fallback [c] max_tokens 7
defaults max_tokens 100
"#;

// Literal pools for the atoms, as source text.
const TIERS: &[&str] = &["\"free\"", "\"basic\"", "\"pro\"", "\"enterprise\""];
const TASKS: &[&str] = &["\"chat\"", "\"code\"", "\"analysis\""];
/// `budget` is a float: it meets integer literals as well as float ones,
/// small ones and ones across the whole range: around ±2^53 (where ints
/// stop being exact floats), the ends of i64, floats with 17 significant
/// digits and the ends of f64.
const NUMS: &[&str] = &[
    "0",
    "1",
    "2",
    "5",
    "-1",
    "0.0",
    "0.5",
    "1.0",
    "1.5",
    "2.0",
    "2.5",
    "-1.0",
    "9007199254740993",
    "-9007199254740993",
    "9007199254740992.0",
    "9223372036854775807",
    "-9223372036854775808",
    "9223372036854775808.0",
    "0.30000000000000004",
    "0.9999999999999999",
    "123456789.01234567",
    "1e300",
];
/// Ints for `tokens` and `tenant`, small and across the whole range.
const INTS: &[&str] = &[
    "0",
    "1",
    "2",
    "3",
    "7",
    "-1",
    "-3",
    "9007199254740992",
    "9007199254740993",
    "-9007199254740993",
    "9223372036854775807",
    "9223372036854775806",
    "-9223372036854775808",
];
/// Float literals against the integer `tokens`: halves, and floats at
/// 2^53, 2^63 (just past i64::MAX), -2^63 (i64::MIN) and beyond.
const HALVES: &[&str] = &[
    "0.5",
    "1.5",
    "2.5",
    "-0.5",
    "9007199254740992.0",
    "9007199254740994.0",
    "9223372036854775807.0",
    "-9223372036854775808.0",
    "-1e300",
];
const WORDS: &[&str] = &[
    "\"\"",
    "\"u1\"",
    "\"u2\"",
    "\"alice\"",
    "\"bob\"",
    "\"x y\"",
    "\"a b\"",
];
const HOURS: &[&str] = &["0", "6", "12", "23"];
const WEEKDAYS: &[&str] = &["\"mon\"", "\"fri\"", "\"sat\"", "\"sun\""];
const OPS: &[&str] = &["==", "!=", "<", "<=", ">", ">="];
/// The fields `has(...)` asks about: with and without defaults.
const HAS: &[&str] = &["tenant", "vision", "user", "task", "tokens"];
/// The regex and substring atoms.
const TEXT: &[&str] = &[
    "prompt matches /ab|x/i",
    "prompt matches /^a/",
    "user matches /u/",
    "prompt contains \"a\"",
    "prompt contains \"b\"",
    "user starts_with \"u\"",
];

/// `lhs <op> v` for any comparison and any `i64`.
fn compare_any_int(lhs: &'static str) -> impl Strategy<Value = String> {
    (pick(OPS), any::<i64>()).prop_map(move |(o, v)| format!("{lhs} {o} {v}"))
}

/// `lhs <op> v` for any comparison and any finite `f64`, written so that
/// it reads back as the same float (`{:?}`: `1e300`, `-0.0`, `5e-324`).
fn compare_any_float(lhs: &'static str) -> impl Strategy<Value = String> {
    (pick(OPS), any_float()).prop_map(move |(o, v)| format!("{lhs} {o} {v:?}"))
}

/// Any finite `f64`.
fn any_float() -> impl Strategy<Value = f64> {
    any::<f64>().prop_filter("finite", |f| f.is_finite())
}

/// One of `items`.
fn pick(items: &'static [&'static str]) -> impl Strategy<Value = String> {
    select(items).prop_map(String::from)
}

/// A list body of up to `items.len()` of `items`, in any order and possibly
/// repeated (`"a", "a"`) or empty.
fn list(items: &'static [&'static str]) -> impl Strategy<Value = String> {
    prop::collection::vec(select(items), 0..=items.len()).prop_map(|v| v.join(", "))
}

/// `lhs == v` or `lhs != v`.
fn equal(lhs: &'static str, items: &'static [&'static str]) -> impl Strategy<Value = String> {
    (pick(&["==", "!="]), pick(items)).prop_map(move |(o, v)| format!("{lhs} {o} {v}"))
}

/// `lhs <op> v` for any comparison.
fn compare(lhs: &'static str, items: &'static [&'static str]) -> impl Strategy<Value = String> {
    (pick(OPS), pick(items)).prop_map(move |(o, v)| format!("{lhs} {o} {v}"))
}

/// `lhs in [...]` or `lhs not in [...]`.
fn member(lhs: &'static str, items: &'static [&'static str]) -> impl Strategy<Value = String> {
    (any::<bool>(), list(items))
        .prop_map(move |(not, v)| format!("{lhs} {}in [{v}]", if not { "not " } else { "" }))
}

/// `lhs in a..b`, `lhs in a..=b`, or either with `not in`; the bounds may
/// be the wrong way round.
fn range(lhs: &'static str, bounds: &'static [&'static str]) -> impl Strategy<Value = String> {
    (any::<bool>(), pick(bounds), pick(bounds), any::<bool>()).prop_map(
        move |(not, lo, hi, inclusive)| {
            format!(
                "{lhs} {}in {lo}..{}{hi}",
                if not { "not " } else { "" },
                if inclusive { "=" } else { "" }
            )
        },
    )
}

/// One atom over [`SCHEMA`]: every kind of atom the language has, on
/// fields with and without defaults, on `words`, `len`, `hour` and
/// `weekday`, field against field, the let `let0`, and `true`/`false`.
/// Weights are about the number of forms an arm stands for, so that no
/// form is rare.
fn atom() -> impl Strategy<Value = String> {
    prop_oneof![
        // Enums.
        2 => equal("tier", TIERS),
        2 => member("tier", TIERS),
        2 => equal("task", TASKS),
        2 => member("task", TASKS),
        // Numbers, with integer literals against a float field and float
        // literals against an integer one: from the pools, and any `i64`
        // or finite `f64`.
        1 => compare("budget", NUMS),
        2 => range("budget", NUMS),
        1 => compare_any_float("budget"),
        1 => compare_any_int("budget"),
        1 => compare("tokens", INTS),
        1 => compare("tokens", HALVES),
        1 => compare_any_int("tokens"),
        1 => compare_any_float("tokens"),
        2 => range("tokens", INTS),
        1 => compare("tenant", INTS),
        2 => member("tenant", INTS),
        // Booleans and presence.
        3 => pick(&["tools", "vision", "vision == false"]),
        2 => pick(HAS).prop_map(|f| format!("has({f})")),
        // Strings.
        2 => equal("user", WORDS),
        2 => member("user", WORDS),
        1 => equal("prompt", WORDS),
        4 => pick(TEXT),
        1 => compare("words(prompt)", INTS),
        1 => compare("len(user)", INTS),
        // Field against field.
        2 => pick(&["budget > tokens", "tenant == tokens"]),
        // The decision time.
        1 => compare("hour", HOURS),
        1 => member("weekday", WEEKDAYS),
        // The let and the constants.
        3 => pick(&["let0", "true", "false"]),
    ]
}

/// A condition: an [`atom`], or up to 3 levels of `and`, parenthesised `or`
/// (2 or 3 operands each) and `not (...)` over atoms.
fn cond(size: u32) -> impl Strategy<Value = String> {
    atom().prop_recursive(3, size, 3, |inner| {
        prop_oneof![
            prop::collection::vec(inner.clone(), 2..4).prop_map(|v| v.join(" and ")),
            prop::collection::vec(inner.clone(), 2..4)
                .prop_map(|v| format!("({})", v.join(" or "))),
            inner.prop_map(|c| format!("not ({c})")),
        ]
    })
}

/// A rule's target: mostly a chain (a model, one with a fallback, one with
/// a parameter, an inline model id), sometimes a three-way split keyed by a
/// string, enum, int or bool field whose first arm is the one an absent key
/// takes.
fn target() -> impl Strategy<Value = String> {
    prop_oneof![
        3 => pick(&["a", "b fallback [c]", "c max_tokens 5", "\"m/inline\""]),
        1 => pick(&["user", "tier", "tenant", "tools"])
            .prop_map(|k| format!("split by {k} {{ x 33.33%: a  y 16.67%: b  50%: c }}")),
    ]
}

/// A ruleset's source: [`SCHEMA`], `let let0 = ...` (which never names
/// itself), rules `r0`, `r1`, ... with random conditions and targets, and
/// maybe a final `rule last: otherwise -> a`. It parses and passes `check`
/// except for E008 (some context matches no rule) when there is no
/// catch-all.
pub fn ruleset(p: Profile) -> impl Strategy<Value = String> {
    (
        cond(p.cond_size),
        prop::collection::vec((cond(p.cond_size), target()), p.rules),
        prop::bool::weighted(p.catch_all),
    )
        .prop_map(|(let0, rules, catch_all)| {
            let mut src = format!("{SCHEMA}let let0 = {}\n", let0.replace("let0", "tools"));
            for (i, (c, t)) in rules.iter().enumerate() {
                src.push_str(&format!("rule r{i}: when {c} -> {t}\n"));
            }
            if catch_all {
                src.push_str("rule last: otherwise -> a\n");
            }
            src
        })
}

/// Ints across the whole range, next to the constants of [`INTS`].
const BIG_INTS: &[i64] = &[
    9_007_199_254_740_991,
    9_007_199_254_740_992,
    9_007_199_254_740_993,
    9_007_199_254_740_994,
    -9_007_199_254_740_992,
    -9_007_199_254_740_993,
    -9_007_199_254_740_994,
    i64::MAX,
    i64::MAX - 1,
    i64::MAX - 2,
    i64::MIN,
    i64::MIN + 1,
];

/// Floats for `budget`: small ones, `-0.0`, and ones next to the
/// constants of [`NUMS`] (17 significant digits, ±2^53, 2^63, the ends of
/// f64).
const FLOATS: &[f64] = &[
    0.0,
    -0.0,
    0.25,
    0.5,
    1.0,
    1.25,
    1.5,
    2.0,
    2.5,
    3.0,
    -1.0,
    0.999_999_999_999_999_9,
    1.000_000_000_000_000_2,
    0.300_000_000_000_000_04,
    0.3,
    123_456_789.012_345_67,
    123_456_789.012_345_66,
    9_007_199_254_740_992.0,
    9_007_199_254_740_994.0,
    -9_007_199_254_740_994.0,
    9_223_372_036_854_775_808.0,
    9_223_372_036_854_774_784.0,
    -9_223_372_036_854_775_808.0,
    1e300,
    f64::MAX,
    -f64::MAX,
];

/// A context as JSON and a decision time in Unix seconds. Each field of
/// [`SCHEMA`] is absent, `null` or a value from a small pool that includes
/// the constants the atoms use (and, for `budget`, integers as well as
/// floats, `-0.0` among them; for the numbers, values across the whole
/// range next to the constants, and any `i64` or finite `f64`); there is
/// always an `unknown_key` the
/// schema does not declare, which the context conversion must ignore.
pub fn context(p: Profile) -> impl Strategy<Value = (Json, i64)> {
    let opt = move |s: BoxedStrategy<Json>| {
        prop_oneof![
            1 => Just(None),
            1 => Just(Some(Json::Null)),
            p.present => s.prop_map(Some),
        ]
        .boxed()
    };
    let strs = |v: &'static [&'static str]| select(v).prop_map(Json::from).boxed();
    let ints = |r: Range<i64>| {
        prop_oneof![
            6 => r.prop_map(Json::from),
            2 => select(BIG_INTS).prop_map(Json::from),
            1 => any::<i64>().prop_map(Json::from),
        ]
        .boxed()
    };
    let bools = || any::<bool>().prop_map(Json::from).boxed();
    (
        (
            opt(strs(&["free", "basic", "pro", "enterprise"])),
            opt(strs(&["chat", "code", "analysis"])),
            opt(prop_oneof![
                4 => ints(-2..6),
                3 => select(FLOATS).prop_map(Json::from),
                1 => any_float().prop_map(Json::from),
            ]
            .boxed()),
            opt(ints(-4..9)),
            opt(ints(-4..9)),
        ),
        (
            opt(bools()),
            opt(bools()),
            opt(strs(&[
                "", "u1", "u2", "u3", "alice", "x y", "a b", "x", "uuuuu",
            ])),
            opt(strs(&[
                "", "a", "ab cd", "XAB", "b c", "ab b", "a b c d", "zzz",
            ])),
        ),
        0i64..2_000_000_000,
    )
        .prop_map(
            |((tier, task, budget, tokens, tenant), (tools, vision, user, prompt), unix)| {
                let mut m = Map::new();
                for (k, v) in [
                    ("tier", tier),
                    ("task", task),
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
                m.insert("unknown_key".into(), json!([1, 2]));
                (Json::Object(m), unix)
            },
        )
}
