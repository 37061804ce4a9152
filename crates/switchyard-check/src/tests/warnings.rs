//! Warnings: code and position, and the ruleset still loads.

use super::{expect, expect_case, no_errors, run};

#[track_caller]
fn warns(src: &str, code: &str, line: u32, column: u32) -> switchyard_syntax::Diagnostic {
    let d = expect(src, code, line, column);
    let (_, checked) = run(src);
    assert!(
        checked.ruleset.is_some(),
        "warnings must not withhold the ruleset"
    );
    d
}

#[test]
fn w103_model_repeats_in_chain() {
    let src = super::with_header(
        "rule r: when flag -> mini fallback [claude, mini]\nrule default: otherwise -> mini",
    );
    let d = warns(&src, "W103", 12, 45);
    assert_eq!(
        d.message,
        "model `openai/gpt-4o-mini` repeats in this chain"
    );
    // An alias and the id it stands for are the same model.
    let src = super::with_header(
        "rule r: when flag -> mini fallback [\"openai/gpt-4o-mini\"]\nrule default: otherwise -> mini",
    );
    warns(&src, "W103", 12, 37);
    // Different variants are different models.
    let (_, codes) = no_errors(&super::with_header(
        "rule r: when flag -> mini fallback [mini:floor]\nrule default: otherwise -> mini",
    ));
    assert!(!codes.contains(&"W103".to_string()), "{codes:?}");
}

#[test]
fn w105_unused_declarations() {
    let src = "context {\n  a: bool\n  b: int\n}\nmodel m = \"x/y\"\nmodel unused = \"x/z\"\n\
               target t = m\nlet l = a\nrule r: when a -> m max_tokens 1\n\
               rule default: otherwise -> m max_tokens 1\n\
               test only: { b: 1 } -> r";
    let (sources, checked) = run(src);
    let mut found: Vec<(u32, u32)> = checked
        .diagnostics
        .iter()
        .filter(|d| d.code.as_str() == "W105")
        .filter_map(|d| sources.locate(d.span).map(|(_, s, _)| (s.line, s.column)))
        .collect();
    found.sort_unstable();
    assert_eq!(
        found,
        vec![(3, 3), (6, 7), (7, 8), (8, 5)],
        "{:#?}",
        checked.diagnostics
    );
    assert!(checked.ruleset.is_some());
    let d = warns(src, "W105", 6, 7);
    assert_eq!(d.message, "model `unused` is declared but never used");
}

#[test]
fn w106_no_max_tokens() {
    let d = warns(r#"rule r: otherwise -> "a/b""#, "W106", 1, 22);
    assert_eq!(
        d.message,
        "rule `r` has no `max_tokens`: its cost is unbounded"
    );
    let src = "context { u: string }\n\
               rule r: otherwise -> split by u { 50%: \"a/b\" max_tokens 1 50%: \"c/d\" }";
    let d = warns(src, "W106", 2, 59);
    assert_eq!(
        d.message,
        "arm `b` of rule `r` has no `max_tokens`: its cost is unbounded"
    );
    // A target's max_tokens counts; so do the defaults.
    let (_, codes) = no_errors("target t = \"a/b\" max_tokens 5\nrule r: otherwise -> t");
    assert!(codes.is_empty(), "{codes:?}");
    let (_, codes) = no_errors("defaults max_tokens 5\nrule r: otherwise -> \"a/b\"");
    assert!(codes.is_empty(), "{codes:?}");
}

#[test]
fn w107_deprecated_fields() {
    let d = expect_case(
        "rule r: when flag -> mini params { usage: { include: true } }",
        "W107",
        36,
    );
    assert!(d
        .help
        .as_deref()
        .is_some_and(|h| h.contains("always included")));
    let d = expect_case(
        r#"rule r: when flag -> mini params { route: "fallback" }"#,
        "W107",
        36,
    );
    assert!(d
        .help
        .as_deref()
        .is_some_and(|h| h.contains("provider { sort")));
    let d = expect_case(
        r#"rule r: when flag -> mini transforms ["middle-out"]"#,
        "W107",
        27,
    );
    assert!(d
        .help
        .as_deref()
        .is_some_and(|h| h.contains("context-compression")));
    let d = expect_case("rule r: when flag -> claude:online", "W107", 29);
    assert!(d.help.as_deref().is_some_and(|h| h.contains("web")));
    warns(
        "model o = \"a/b:online\"\nrule r: otherwise -> o max_tokens 1",
        "W107",
        1,
        16,
    );
    let (_, checked) = run(&super::with_header(
        "rule r: when flag -> claude:online\nrule default: otherwise -> mini",
    ));
    assert!(checked.ruleset.is_some());
}

#[test]
fn w108_long_chains() {
    let src = super::with_header(
        "rule r: when flag -> mini fallback [claude, \"a/b\", \"c/d\"]\nrule default: otherwise -> mini",
    );
    let d = warns(&src, "W108", 12, 36);
    assert_eq!(
        d.message,
        "a chain of 4 models: OpenRouter has been seen to reject more than 3"
    );
    let (_, codes) = no_errors(&super::with_header(
        "rule r: when flag -> mini fallback [claude, \"a/b\"]\nrule default: otherwise -> mini",
    ));
    assert!(!codes.contains(&"W108".to_string()), "{codes:?}");
}
