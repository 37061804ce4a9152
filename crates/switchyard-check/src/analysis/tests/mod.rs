//! Known answers of the analysis, end to end through the checker: the
//! analysis codes (W101, W102, E008, W109, N201) each case reports, with the line
//! of their span.

use crate::tests::run;

/// Lines 1-10; cases start on line 11.
const SCHEMA: &str = r#"context {
  tier: "free" | "basic" | "pro" | "enterprise" | "x" = "free"
  budget: float = 0.0
  tokens: int = 0
  flag: bool = false
  prompt: string = ""
  user: string
  level: int
}
defaults max_tokens 100
"#;

/// `(code, line)` of every analysis diagnostic of `SCHEMA` + `rules`, and
/// the help lines.
fn analyse(rules: &str) -> (Vec<(String, u32)>, Vec<String>) {
    let src = format!("{SCHEMA}{rules}\n");
    let (sources, checked) = run(&src);
    let mut found = Vec::new();
    let mut helps = Vec::new();
    for d in &checked.diagnostics {
        if matches!(d.code.as_str(), "W101" | "W102" | "E008" | "N201" | "W109") {
            let line = sources.locate(d.span).map_or(0, |(_, s, _)| s.line);
            found.push((d.code.to_string(), line));
            helps.push(format!(
                "{} | {}",
                d.message,
                d.help.clone().unwrap_or_default()
            ));
        } else {
            assert!(
                !matches!(d.severity(), switchyard_syntax::Severity::Error),
                "unexpected error {d:?} in\n{src}"
            );
        }
    }
    (found, helps)
}

#[track_caller]
fn expect(rules: &str, want: &[(&str, u32)]) -> Vec<String> {
    let (found, helps) = analyse(rules);
    let want: Vec<(String, u32)> = want.iter().map(|(c, l)| (c.to_string(), *l)).collect();
    assert_eq!(found, want, "rules:\n{rules}\nmessages: {helps:#?}");
    helps
}

const M: &str = "-> \"a/b\"";

fn rules(conds: &[&str]) -> String {
    conds
        .iter()
        .enumerate()
        .map(|(i, c)| match *c {
            "otherwise" => format!("rule r{i}: otherwise {M}"),
            c => format!("rule r{i}: when {c} {M}"),
        })
        .collect::<Vec<_>>()
        .join("\n")
}

#[test]
fn shadowed_by_one_rule() {
    let h = expect(
        &rules(&[
            "tier == \"pro\"",
            "tier == \"pro\" and budget > 5.0",
            "otherwise",
        ]),
        &[("W101", 12)],
    );
    assert!(h[0].contains("earlier rule `r0` covers"), "{h:?}");
}

#[test]
fn shadowed_by_a_union_of_rules() {
    let h = expect(
        &rules(&[
            "tier in [\"free\", \"basic\"]",
            "flag",
            "tier == \"pro\"",
            "tier == \"enterprise\"",
            "tier != \"x\"",
            "otherwise",
        ]),
        &[("W101", 15)],
    );
    assert!(
        h[0].contains("earlier rules `r0`, `r2`, `r3` cover"),
        "{h:?}"
    );
}

#[test]
fn numeric_intervals_with_open_and_closed_ends() {
    expect(
        &rules(&[
            "budget < 1.0",
            "budget >= 1.0 and budget <= 5.0",
            "budget > 5.0",
            "budget >= 0.0",
            "otherwise",
        ]),
        &[("W101", 14), ("W101", 15)],
    );
    // 1.0 itself is left out: nothing is covered, and 1.0 routes nowhere.
    let h = expect(&rules(&["budget < 1.0", "budget > 1.0"]), &[("E008", 12)]);
    assert!(h[0].contains("{\"budget\":1.0}"), "{h:?}");
    expect(
        &rules(&["budget < 1.0", "budget > 1.0", "budget != 7.0"]),
        &[],
    );
    // Ints: `< 1.5` is `<= 1`, ranges are half-open or inclusive.
    expect(
        &rules(&[
            "tokens < 1.5",
            "tokens <= 1",
            "tokens in 2..10",
            "tokens in 2..=9",
            "tokens == 10",
            "tokens > 9.5",
            "otherwise",
        ]),
        // `> 9.5` is `>= 10`, more than `== 10`; with `<= 1` and `2..=9` the
        // ints are all taken before `otherwise`.
        &[("W101", 12), ("W101", 14), ("W101", 17)],
    );
}

#[test]
fn unset_fields_and_has() {
    // `user != "x"` is false for an unset user; `not (user == "x")` is true.
    expect(
        &rules(&[
            "user == \"x\"",
            "user != \"x\"",
            "has(user)",
            "not has(user)",
            "otherwise",
        ]),
        &[("W101", 13), ("W101", 15)],
    );
    expect(
        &rules(&["user != \"x\"", "not (user == \"x\")", "otherwise"]),
        &[],
    );
    let h = expect(&rules(&["user == \"x\"", "user != \"x\""]), &[("E008", 12)]);
    assert!(h[0].contains("matches no rule: {}"), "{h:?}");
    // Fields with a default are never unset.
    expect(&rules(&["has(tokens)", "otherwise"]), &[("W101", 12)]);
    expect(
        &rules(&["level < 0", "level >= 0", "has(level)", "otherwise"]),
        &[("W101", 13)],
    );
}

#[test]
fn enums_fully_enumerated() {
    expect(
        &rules(&[
            "tier == \"free\"",
            "tier == \"basic\"",
            "tier in [\"pro\", \"enterprise\"]",
            "tier not in [\"free\", \"basic\", \"pro\", \"enterprise\"]",
        ]),
        &[],
    );
    let h = expect(
        &rules(&[
            "tier == \"free\"",
            "tier == \"basic\"",
            "tier == \"pro\"",
            "tier == \"x\"",
        ]),
        &[("E008", 14)],
    );
    assert!(h[0].contains("{\"tier\":\"enterprise\"}"), "{h:?}");
    expect(&rules(&["flag", "not flag", "otherwise"]), &[("W101", 13)]);
    expect(
        &rules(&[
            "weekday in [\"mon\", \"tue\", \"wed\", \"thu\", \"fri\"]",
            "weekday == \"sat\"",
            "weekday == \"sun\"",
        ]),
        &[],
    );
    let h = expect(&rules(&["hour < 12", "hour > 12"]), &[("E008", 12)]);
    assert!(h[0].contains("at hour 12, weekday \"mon\": {}"), "{h:?}");
    // The time is only named when it matters.
    let h = expect(
        &rules(&["hour < 12 and flag", "hour >= 12 and flag"]),
        &[("E008", 12)],
    );
    assert!(h[0].contains("matches no rule: {}"), "{h:?}");
}

#[test]
fn impossible_conditions() {
    expect(
        &rules(&[
            "budget < 1.0 and budget > 2.0",
            "tier == \"free\" and tier == \"pro\"",
            "tokens in 1..1",
            "has(user) and not has(user)",
            "user == \"a\" and user == \"b\"",
            "hour > 23",
            "false",
            "tokens == 1.5",
            "prompt matches /a/ and not (prompt matches /a/)",
            "otherwise",
        ]),
        &[
            ("W102", 11),
            ("W102", 12),
            ("W102", 13),
            ("W102", 14),
            ("W102", 15),
            ("W102", 16),
            ("W102", 17),
            ("W102", 18),
            ("W102", 19),
        ],
    );
    let h = expect(
        "let never = budget > 1.0 and budget < 0.5\nrule a: when never or flag -> \"a/b\"\nrule b: otherwise -> \"a/b\"",
        &[("W102", 11)],
    );
    assert!(h[0].contains("let `never`"), "{h:?}");
}

#[test]
fn opaque_atoms_are_never_the_reason() {
    // Different regexes, text tests, words/len, field-to-field: no claim.
    expect(
        &rules(&[
            "prompt matches /a/",
            "prompt matches /b/",
            "prompt contains \"a\"",
            "prompt starts_with \"a\"",
            "budget > tokens",
            "tokens < budget",
            "len(prompt) > 3",
            "len(prompt) <= 3",
            "otherwise",
        ]),
        &[],
    );
    // The same atom twice is the same variable: that is a real shadow.
    expect(
        &rules(&[
            "prompt matches /a/",
            "prompt matches /a/ and flag",
            "otherwise",
        ]),
        &[("W101", 12)],
    );
    // Complementary opaque atoms cover everything, but that cannot be
    // proven, and no context that routes nowhere can be found either.
    expect(&rules(&["words(prompt) > 3", "words(prompt) <= 3"]), &[]);
    expect(
        &rules(&["user matches /a/", "not (user matches /a/)", "otherwise"]),
        &[("W101", 13)],
    );
    // An opaque atom on an unset field is false: `user` unset routes nowhere.
    let h = expect(
        &rules(&["user matches /a/", "user matches /^[^a]*$/"]),
        &[("E008", 12)],
    );
    assert!(h[0].contains("{}"), "{h:?}");
}

#[test]
fn rules_that_can_fail_do_not_cover() {
    expect(
        "rule a: otherwise -> \"a/b\" require tools\nrule b: otherwise -> \"a/b\"",
        &[],
    );
    let h = expect(
        "rule a: when flag -> \"a/b\"\nrule b: otherwise -> cheapest [\"a/b\", \"c/d\"] require json",
        &[("E008", 12)],
    );
    assert!(h[0].contains("matches only `b`"), "{h:?}");
    // `cheapest` alone always finds a model; `defaults require` applies to
    // every rule.
    expect("rule b: otherwise -> cheapest [\"a/b\", \"c/d\"]", &[]);
    expect(
        "defaults require tools\nrule a: when flag -> \"a/b\"\nrule b: otherwise -> \"a/b\"",
        &[("E008", 13)],
    );
}

#[test]
fn otherwise_after_a_catch_all() {
    let h = expect(&rules(&["otherwise", "otherwise"]), &[("W101", 12)]);
    assert!(h[0].contains("`r0`"), "{h:?}");
    expect(&rules(&["true", "flag"]), &[("W101", 12)]);
}

#[test]
fn too_many_terms_is_a_note() {
    let cond: Vec<String> = (0..13)
        .map(|i| format!("(prompt contains \"a{i}\" or prompt contains \"b{i}\")"))
        .collect();
    let h = expect(&rules(&[&cond.join(" and "), "otherwise"]), &[("N201", 11)]);
    assert!(h[0].contains("more than 4096"), "{h:?}");
}

#[test]
fn lets_are_expanded() {
    expect(
        "let pro = tier == \"pro\"\nlet cheap = budget < 1.0\n\
         rule a: when pro -> \"a/b\"\nrule b: when pro and cheap -> \"a/b\"\n\
         rule c: when not pro -> \"a/b\"\nrule d: otherwise -> \"a/b\"",
        &[("W101", 14), ("W101", 16)],
    );
}

#[test]
fn no_rules_at_all() {
    let (sources, checked) = run("context { a: bool }");
    assert!(checked.ruleset.is_none());
    let d: Vec<_> = checked
        .diagnostics
        .iter()
        .filter(|d| d.code.as_str() == "E008")
        .collect();
    assert_eq!(d.len(), 1, "{:?}", checked.diagnostics);
    assert!(sources.locate(d[0].span).is_some());
}

#[test]
fn work_limits_skip_with_a_note() {
    let src = format!(
        "{SCHEMA}{}",
        rules(&[
            "tier == \"pro\"",
            "tier == \"pro\" and flag",
            "budget < 1.0",
            "otherwise"
        ])
    );
    let (_, checked) = run(&src);
    let rs = checked.ruleset.expect("checks");
    // Too little work per rule: each rule past the first is skipped.
    let tight = super::AnalysisOptions {
        max_work_per_rule: 3,
        ..super::AnalysisOptions::default()
    };
    let found = super::analyze(&rs, &tight);
    assert!(found
        .findings
        .iter()
        .all(|f| matches!(f, super::Finding::Skipped { .. })));
    assert!(!found.findings.is_empty());
    // Too little work in all: the analysis stops, claiming nothing more.
    let starved = super::AnalysisOptions {
        max_work: 5,
        ..super::AnalysisOptions::default()
    };
    let found = super::analyze(&rs, &starved);
    assert_eq!(found.findings.len(), 1, "{:?}", found.findings);
    assert!(matches!(
        found.findings[0],
        super::Finding::Skipped {
            reason: crate::SkipReason::Stopped,
            ..
        }
    ));
    // With the defaults, `r1` is unreachable.
    let found = super::analyze(&rs, &super::AnalysisOptions::default());
    assert_eq!(
        found.findings,
        [super::Finding::Unreachable {
            rule: 1,
            covered_by: vec![0]
        }]
    );
}

mod issue_17;
