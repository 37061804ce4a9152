//! Issue #17's examples on the evaluator: a float in a JSON context is the
//! number it spells (the same as the literal in a rule or a `test` line),
//! an int literal against a float field is never rounded, and the
//! analysis agrees with `eval` at any magnitude.

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    reason = "tests"
)]

use serde_json::{json, Value as Json};
use switchyard_check::analysis::AnalysisOptions;
use switchyard_eval::{CompiledTable, LoadOptions, RulesetError};
use switchyard_syntax::{Diagnostic, SourceMap};

/// `src` loaded with the condition analysis, as `switchyard check` runs
/// it.
fn analysed(src: &str) -> Result<(CompiledTable, Vec<Diagnostic>), RulesetError> {
    let mut sources = SourceMap::new();
    sources.add("<inline>", src);
    let options = LoadOptions::new().with_analysis(AnalysisOptions::default());
    CompiledTable::from_sources(sources, &options)
}

fn rule(t: &CompiledTable, ctx: &Json) -> Option<String> {
    let c = t.context_from_json(ctx).unwrap();
    t.decide(&c).unwrap().map(|d| d.rule().to_string())
}

fn rule_of_text(t: &CompiledTable, text: &str) -> Option<String> {
    let c = t.context_from_str(text).unwrap();
    t.decide(&c).unwrap().map(|d| d.rule().to_string())
}

/// `{"x":0.9999999999999999}` (the shortest spelling of the float just
/// below 1.0) and `0.99999999999999989` are one float: both `below1`, as
/// the `test` line with the same literal says.
#[test]
fn json_floats_are_the_numbers_they_spell() {
    let (t, _) = analysed(
        r#"
        context { x: float = 0.0 }
        defaults max_tokens 10
        rule exactly1: when x == 1 -> "p/a"
        rule below1: when x < 1 -> "p/b"
        rule other: otherwise -> "p/c"
        test shortest: { x: 0.9999999999999999 } -> below1
        test longer: { x: 0.99999999999999989 } -> below1
        test one: { x: 1 } -> exactly1
        "#,
    )
    .unwrap();
    for text in [
        r#"{"x":0.9999999999999999}"#,
        r#"{"x":0.99999999999999989}"#,
        r#"{"x":0.99999999999999988897769753748434595763683319091796875}"#,
        r#"{"x":9.999999999999999e-1}"#,
    ] {
        assert_eq!(rule_of_text(&t, text).as_deref(), Some("below1"), "{text}");
    }
    // Halfway between it and 1.0 rounds to even: 1.0.
    assert_eq!(
        rule_of_text(
            &t,
            r#"{"x":0.999999999999999944488848768742172978818416595458984375}"#
        )
        .as_deref(),
        Some("exactly1")
    );
    assert!(t.run_tests(Some(0)).iter().all(|o| o.passed));
    // 17 significant digits read back exactly.
    for x in [0.1, 0.300_000_000_000_000_04, 123_456_789.012_345_67, 1e300] {
        let text = format!("{{\"x\":{x:?}}}");
        let c = t.context_from_str(&text).unwrap();
        let back = t.context_from_json(&json!({ "x": x })).unwrap();
        assert_eq!(
            t.decide(&c).unwrap().map(|d| d.rule().to_string()),
            t.decide(&back).unwrap().map(|d| d.rule().to_string())
        );
    }
}

/// With `x = 9007199254740992.0`, `x < 9007199254740993` is true and
/// `x == 9007199254740993` false: the int literal is not rounded.
#[test]
fn int_literals_against_float_fields_are_exact() {
    let (t, warnings) = analysed(
        r#"
        context { x: float = 0.0 }
        defaults max_tokens 10
        rule equal: when x == 9007199254740993 -> "p/a"
        rule below: when x < 9007199254740993 -> "p/b"
        rule max: when x <= 9223372036854775807 -> "p/c"
        rule listed: when x in [9223372036854775807, 9007199254740993] -> "p/c"
        rule ranged: when x in 9223372036854775807..=9223372036854775807 -> "p/c"
        rule other: otherwise -> "p/d"
        "#,
    )
    .unwrap();
    let w: Vec<&str> = warnings.iter().map(|d| d.code.as_str()).collect();
    // `equal`, `listed` and `ranged` hold for no float; `max` only for
    // 2^53 + 2 .. i64::MAX as floats, all below 2^63.
    assert_eq!(w, ["W102", "W102", "W102"], "{warnings:?}");
    let two_53 = 9_007_199_254_740_992.0f64;
    assert_eq!(rule(&t, &json!({ "x": two_53 })).as_deref(), Some("below"));
    assert_eq!(
        rule(&t, &json!({ "x": 9_007_199_254_740_994.0f64 })).as_deref(),
        Some("max")
    );
    // 2^63 is above i64::MAX.
    assert_eq!(
        rule(&t, &json!({ "x": 9_223_372_036_854_775_808.0f64 })).as_deref(),
        Some("other")
    );
    // An int in JSON for a float field is the nearest float: 2^53.
    assert_eq!(
        rule(&t, &json!({ "x": 9_007_199_254_740_993i64 })).as_deref(),
        Some("below")
    );
}

/// `n < 9223372036854775807.0` (that is, `n < 2^63`) holds for every int:
/// no E008, and `eval` agrees.
#[test]
fn no_false_no_match_near_the_end_of_i64() {
    let (t, warnings) = analysed(
        "context { n: int = 0 }\ndefaults max_tokens 10\nrule r1: when n < 9223372036854775807.0 -> \"p/a\"",
    )
    .unwrap();
    assert!(warnings.is_empty(), "{warnings:?}");
    for n in [i64::MAX, i64::MIN, 0, 9_007_199_254_740_993] {
        assert_eq!(rule(&t, &json!({ "n": n })).as_deref(), Some("r1"));
    }
}

/// `n not in 2..=9007199254740993` alone routes `{"n":2}` nowhere: E008
/// says so, with that context.
#[test]
fn no_match_found_past_two_to_the_53() {
    let src = "context { n: int = 0 }\ndefaults max_tokens 10\nrule r1: when n not in 2..=9007199254740993 -> \"p/a\"";
    let Err(RulesetError::Invalid { diagnostics, .. }) = analysed(src) else {
        panic!("E008 expected");
    };
    let e008: Vec<_> = diagnostics
        .iter()
        .filter(|d| d.code.as_str() == "E008")
        .collect();
    assert_eq!(e008.len(), 1, "{diagnostics:?}");
    assert!(
        e008[0]
            .help
            .as_deref()
            .is_some_and(|h| h.contains("{\"n\":2}")),
        "{:?}",
        e008[0]
    );
}

/// `not s matches /^q/` alone: `{"s":"q"}` routes nowhere, and E008 gives
/// a string the regex matches.
#[test]
fn no_match_found_through_a_regex() {
    let src = "context { s: string = \"\" }\ndefaults max_tokens 10\nrule r: when not s matches /^q/ -> \"p/a\"";
    let Err(RulesetError::Invalid { diagnostics, .. }) = analysed(src) else {
        panic!("E008 expected");
    };
    let help = diagnostics
        .iter()
        .find(|d| d.code.as_str() == "E008")
        .and_then(|d| d.help.clone())
        .unwrap();
    assert!(help.contains("{\"s\":\"q\"}"), "{help}");
}
