//! One or more failing cases per error code, with the primary span's
//! line and column.

use super::{expect, expect_case, with_header, HEADER};

fn help(d: &switchyard_syntax::Diagnostic) -> String {
    d.help.clone().unwrap_or_default()
}

#[test]
fn e002_unknown_fields() {
    let d = expect_case(r#"rule r: when tiers == "pro" -> mini"#, "E002", 14);
    assert_eq!(d.message, "unknown field `tiers`");
    assert_eq!(help(&d), "did you mean `tier`?");
    expect_case("rule r: when has(bugdet) -> mini", "E002", 18);
    expect_case("rule r: when words(promt) > 3 -> mini", "E002", 20);
    expect_case(
        "rule r: when flag -> split by usr { 50%: mini 50%: claude }",
        "E002",
        31,
    );
    expect_case("rule r: otherwise -> mini require fits(tokns)", "E002", 40);
    let d = expect_case("rule r: when flg -> mini", "E002", 14);
    assert_eq!(help(&d), "did you mean `flag`?");
    // Test contexts: line 13.
    let src = with_header("rule r: otherwise -> mini\ntest t: { tierr: \"pro\" } -> r");
    expect(&src, "E002", 13, 11);
}

#[test]
fn e003_type_mismatches() {
    let d = expect_case(r#"rule r: when budget == "x" -> mini"#, "E003", 24);
    assert!(d.message.contains("`budget` is a float"), "{}", d.message);
    expect_case("rule r: when tier < 3 -> mini", "E003", 14);
    expect_case("rule r: when budget matches /x/ -> mini", "E003", 14);
    let d = expect_case("rule r: when budget -> mini", "E003", 14);
    assert_eq!(d.message, "`budget` is a float field, not a condition");
    expect_case("rule r: when tier in 1..3 -> mini", "E003", 14);
    expect_case(r#"rule r: when tokens in [1, "a"] -> mini"#, "E003", 28);
    expect_case("rule r: when tokens == prompt -> mini", "E003", 24);
    expect_case("rule r: when words(tokens) > 1 -> mini", "E003", 20);
    expect_case(r#"rule r: when hour == "x" -> mini"#, "E003", 22);
    expect_case("rule r: when weekday < 3 -> mini", "E003", 14);
    // Defaults and test contexts.
    expect(
        "context { x: int = 1.5 }\nrule r: when x > 1 -> \"a/b\" max_tokens 1",
        "E003",
        1,
        20,
    );
    let src = with_header("rule r: otherwise -> mini\ntest t: { budget: \"x\" } -> r");
    expect(&src, "E003", 13, 19);
    // A let used as a field.
    let src = with_header("let pro = tier == \"pro\"\nrule r: when pro == true -> mini");
    expect(&src, "E003", 13, 14);
}

#[test]
fn e003_target_names_where_models_stand() {
    let src = with_header("target t = mini max_tokens 5\nrule r: when flag -> t fallback [claude]");
    let d = expect(&src, "E003", 13, 22);
    assert!(
        d.message.contains("is a target, not a model"),
        "{}",
        d.message
    );
    let src = with_header("target t = mini\nrule r: when flag -> claude fallback [t]");
    expect(&src, "E003", 13, 39);
    let src = with_header("target t = mini\nrule r: when flag -> cheapest [claude, t]");
    expect(&src, "E003", 13, 40);
    let src = with_header(
        "target ab = split by user { 50%: mini 50%: claude }\n\
         rule r: when flag -> split by user { 50%: ab 50%: claude }",
    );
    let d = expect(&src, "E003", 13, 43);
    assert!(
        d.message.contains("cannot route to another split"),
        "{}",
        d.message
    );
}

#[test]
fn e004_strings_outside_enums() {
    let d = expect_case(r#"rule r: when tier == "enterprize" -> mini"#, "E004", 22);
    assert_eq!(help(&d), "did you mean `enterprise`?");
    let d = expect_case(r#"rule r: when weekday == "monday" -> mini"#, "E004", 25);
    assert!(help(&d).contains("`\"mon\"`"), "{}", help(&d));
    expect_case(
        r#"rule r: when tier in ["pro", "gold"] -> mini"#,
        "E004",
        30,
    );
    expect(
        "context { t: \"a\" | \"b\" = \"c\" }\nrule r: when t == \"a\" -> \"x/y\" max_tokens 1",
        "E004",
        1,
        26,
    );
    let src = with_header("rule r: otherwise -> mini\ntest t: { tier: \"gold\" } -> r");
    expect(&src, "E004", 13, 17);
}

#[test]
fn e005_unknown_names() {
    let d = expect_case("rule r: when flag -> minni", "E005", 22);
    assert_eq!(d.message, "unknown model or target `minni`");
    assert_eq!(help(&d), "did you mean `mini`?");
    let d = expect_case("rule r: when flag -> mini fallback [claud]", "E005", 37);
    assert_eq!(help(&d), "did you mean `claude`?");
    let d = expect_case("rule r: when flag -> claude:flor", "E005", 29);
    assert_eq!(help(&d), "did you mean `:floor`?");
    expect_case(r#"rule r: when flag -> "openai/gpt-4o:turbo""#, "E005", 37);
    let src = with_header("rule r: otherwise -> mini\ntest t: {} -> rr");
    let d = expect(&src, "E005", 13, 15);
    assert_eq!(help(&d), "did you mean `r`?");
    let src = with_header("let is_pro = tier == \"pro\"\nrule r: when is_pr -> mini");
    let d = expect(&src, "E005", 13, 14);
    assert_eq!(help(&d), "did you mean `is_pro`?");
    let src = "model g = \"google/gemma:free\"\nrule r: otherwise -> g:floor max_tokens 1";
    expect(src, "E005", 2, 24);
}

#[test]
fn e006_names_declared_twice() {
    let d = expect_case("context { tier: int }", "E006", 11);
    assert_eq!(d.labels.len(), 1);
    assert_eq!(d.message, "field `tier` is declared twice");
    expect_case(r#"model mini = "x/y""#, "E006", 7);
    let d = expect_case("target mini = claude", "E006", 8);
    assert!(d.message.contains("same name as a model"), "{}", d.message);
    expect_case(r#"context { c: "a" | "b" | "a" }"#, "E006", 26);
    expect_case(
        "rule r: when flag -> split by user { x 50%: mini x 50%: claude }",
        "E006",
        50,
    );
    expect_case(
        "rule r: when flag -> mini provider { zdr: true, zdr: false }",
        "E006",
        49,
    );
    expect_case(
        "rule r: when flag -> mini params { temperature: 1, temperature: 2 }",
        "E006",
        52,
    );
    expect_case(r#"let flag = tier == "pro""#, "E006", 5);
    let src = with_header("rule r: when flag -> mini\nrule r: otherwise -> claude");
    let d = expect(&src, "E006", 13, 6);
    assert_eq!(
        d.labels.first().map(|l| l.span.start),
        Some(HEADER.len() as u32 + 5)
    );
    let src = with_header("version \"1\"\nversion \"2\"\nrule r: otherwise -> mini");
    expect(&src, "E006", 13, 1);
    let src = with_header("rule r: otherwise -> mini\ntest t: {} -> r\ntest t: {} -> r");
    expect(&src, "E006", 14, 6);
    let src = with_header("let a = flag\nlet a = flag\nrule r: when a -> mini");
    expect(&src, "E006", 13, 5);
    let src = with_header("rule r: otherwise -> mini\ntest t: { flag: true, flag: false } -> r");
    expect(&src, "E006", 13, 23);
}

#[test]
fn e007_mixed_priorities() {
    let src = with_header("rule a priority 1: when flag -> mini\nrule b: otherwise -> claude");
    let d = expect(&src, "E007", 13, 6);
    assert_eq!(d.message, "rule `b` has no priority, but rule `a` has one");
    let src = with_header("rule a: when flag -> mini\nrule b priority 2: otherwise -> claude");
    let d = expect(&src, "E007", 13, 17);
    assert_eq!(d.message, "rule `b` has a priority, but rule `a` has none");
}

#[test]
fn e009_split_weights() {
    let d = expect_case(
        "rule r: when flag -> split by user { 50%: mini 40%: claude }",
        "E009",
        22,
    );
    assert_eq!(d.message, "split weights add up to 90%, not 100%");
    let d = expect_case(
        "rule r: when flag -> split by user { 50%: mini 50.5%: claude }",
        "E009",
        22,
    );
    assert_eq!(d.message, "split weights add up to 100.5%, not 100%");
}

#[test]
fn e010_bad_regexes() {
    let d = expect_case("rule r: when prompt matches /(/ -> mini", "E010", 29);
    assert_eq!(d.message, "invalid regex: unclosed group");
    let d = expect_case("rule r: when prompt matches /a/q -> mini", "E010", 32);
    assert_eq!(d.message, "unknown regex flag `q`");
    let d = expect_case("rule r: when prompt matches /a/ii -> mini", "E010", 33);
    assert_eq!(d.message, "repeated regex flag `i`");
    let d = expect_case(
        r"rule r: when prompt matches /\w{500}{500}/ -> mini",
        "E010",
        29,
    );
    assert!(d.message.contains("size limit"), "{}", d.message);
}

#[test]
fn e011_cycles() {
    let src = with_header("let a = b and flag\nlet b = a\nrule r: when a -> mini");
    let d = expect(&src, "E011", 12, 5);
    assert_eq!(d.message, "`let` cycle: `a -> b -> a`");
    let src = with_header("let a = a\nrule r: when a -> mini");
    let d = expect(&src, "E011", 12, 5);
    assert_eq!(d.message, "`let` cycle: `a -> a`");
    let src = with_header("target t1 = t2\ntarget t2 = t1 max_tokens 5\nrule r: when flag -> t1");
    let d = expect(&src, "E011", 12, 8);
    assert_eq!(d.message, "`target` cycle: `t1 -> t2 -> t1`");
}

#[test]
fn e012_bad_options() {
    let d = expect_case(
        r#"rule r: when flag -> mini provider { sortt: "price" }"#,
        "E012",
        38,
    );
    assert_eq!(help(&d), "did you mean `sort`?");
    let d = expect_case(
        r#"rule r: when flag -> mini provider { data_collection: "maybe" }"#,
        "E012",
        55,
    );
    assert!(
        d.message.contains("`\"allow\"` or `\"deny\"`"),
        "{}",
        d.message
    );
    expect_case(
        r#"rule r: when flag -> mini provider { sort: { by: "price", partition: "all" } }"#,
        "E012",
        70,
    );
    expect_case(
        r#"rule r: when flag -> mini provider { quantizations: ["int4", "int3"] }"#,
        "E012",
        62,
    );
    expect_case(
        r#"rule r: when flag -> mini provider { max_price: { prompt: "1" } }"#,
        "E012",
        59,
    );
    expect_case(
        r#"rule r: when flag -> mini provider { order: "openai" }"#,
        "E012",
        45,
    );
    let d = expect_case(
        r#"rule r: when flag -> mini provider { sort: { partition: "none" } }"#,
        "E012",
        44,
    );
    assert_eq!(d.message, "provider `sort` needs `by`");
    let d = expect_case(
        "rule r: when flag -> mini provider { max_price: { promt: 1 } }",
        "E012",
        51,
    );
    assert_eq!(help(&d), "did you mean `prompt`?");
    expect_case(
        "rule r: when flag -> mini:floor fallback [claude:thinking] max_tokens 2 provider { max_price: { prompt: -1 } }",
        "E012",
        105,
    );
    expect_case(
        r#"rule r: when flag -> mini transforms ["middle-in"]"#,
        "E012",
        39,
    );
    let d = expect_case(
        r#"rule r: when flag -> mini params { model: "x" }"#,
        "E012",
        36,
    );
    assert_eq!(d.message, "`model` cannot be set in `params`");
    expect_case("rule r: when flag -> mini max_tokens 0", "E012", 38);
    expect_case("rule r: when flag -> mini max_tokens -5", "E012", 38);
    expect_case(
        "rule r: when flag -> mini max_tokens 4294967296",
        "E012",
        38,
    );
    let d = expect_case(
        "rule r: when flag -> mini max_tokens 5 max_tokens 6",
        "E012",
        40,
    );
    assert_eq!(d.message, "`max_tokens` given twice");
    expect_case(
        r#"rule r: when flag -> mini max_tokens 5 provider { sort: "price" } provider { zdr: true }"#,
        "E012",
        67,
    );
    // Across `defaults` statements too (the header has `defaults max_tokens 100`).
    expect_case(
        "defaults max_tokens 5\nrule r: when flag -> mini",
        "E012",
        10,
    );
}
