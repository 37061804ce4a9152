//! Rulesets that check, and the shape of the IR they give.

use serde_json::json;

use super::{clean, no_errors, with_header};
use crate::ir::{AtomKind, CmpOp, Cond, Operand, Subject, Target, Type, Value};

/// The complete example of the language's v1 contract, verbatim: every
/// statement in one ruleset (the parser's tests use the same file).
pub(crate) const SECTION_1: &str = include_str!("../../../../corpus/good/language-section1.route");

fn chain(t: &Target) -> &crate::ir::Chain {
    match t {
        Target::Chain(c) => c,
        other => panic!("expected a chain, got {other:?}"),
    }
}

fn ids(c: &crate::ir::Chain) -> Vec<&str> {
    std::iter::once(c.model.id.as_str())
        .chain(c.fallbacks.iter().map(|m| m.id.as_str()))
        .collect()
}

#[test]
fn section_1_checks_without_diagnostics() {
    let r = clean(SECTION_1);
    assert_eq!(r.version.as_deref(), Some("2026-11-21.1"));
    assert_eq!(r.fields.len(), 9);
    let tier = r.field_id("tier").expect("tier");
    let f = r.field(tier).expect("field");
    assert_eq!(
        f.ty,
        Type::Enum(vec![
            "free".into(),
            "basic".into(),
            "pro".into(),
            "enterprise".into()
        ])
    );
    assert_eq!(f.default, Some(Value::Enum(0)));
    assert_eq!(
        r.field(r.field_id("user").expect("user"))
            .and_then(|f| f.default.clone()),
        None
    );
    assert_eq!(
        r.lets.iter().map(|l| l.name.as_str()).collect::<Vec<_>>(),
        ["has_code", "reasoning"]
    );
    let names: Vec<&str> = r.rules.iter().map(|r| r.name.as_str()).collect();
    assert_eq!(
        names,
        [
            "free-tier",
            "low-budget",
            "tools-required",
            "vision",
            "code-pro",
            "long-prompt",
            "fast",
            "hard-prompts",
            "chat-ab",
            "default"
        ]
    );
    assert_eq!(r.defaults.max_tokens, Some(1024));

    let free = chain(&r.rules[0].target);
    assert_eq!(
        ids(free),
        [
            "google/gemma-2-9b-it:free",
            "meta-llama/llama-3.1-8b-instruct"
        ]
    );
    assert_eq!(free.options.max_tokens, Some(512));

    // `cheap-chain` expanded.
    let low = chain(&r.rules[1].target);
    assert_eq!(
        ids(low),
        ["openai/gpt-4o-mini", "meta-llama/llama-3.1-8b-instruct"]
    );
    assert_eq!(low.options.max_tokens, Some(512));
    assert!(matches!(&r.rules[1].cond, Cond::And(items) if items.len() == 2));

    let code = chain(&r.rules[4].target);
    assert_eq!(code.options.max_tokens, Some(2048));
    assert_eq!(
        serde_json::Value::Object(code.options.provider.clone()),
        json!({ "sort": "throughput", "allow_fallbacks": true })
    );

    match &r.rules[8].target {
        Target::Split(s) => {
            assert_eq!(Some(s.key), r.field_id("user"));
            let arms: Vec<(&str, u32)> = s
                .arms
                .iter()
                .map(|a| (a.name.as_str(), a.basis_points))
                .collect();
            assert_eq!(arms, [("control", 9000), ("treatment", 1000)]);
        }
        other => panic!("expected a split, got {other:?}"),
    }
    let default = &r.rules[9];
    assert!(default.otherwise);
    assert_eq!(default.cond, Cond::True);
    assert_eq!(default.position, 10);

    assert_eq!(r.tests.len(), 2);
    assert_eq!(r.tests[0].rule_index, 4);
    assert_eq!(
        r.tests[0].context,
        vec![
            (tier, Value::Enum(2)),
            (r.field_id("task").expect("task"), Value::Enum(1)),
            (r.field_id("budget").expect("budget"), Value::Float(50.0)),
        ]
    );
    assert_eq!(
        r.tests[1].model.as_deref(),
        Some("google/gemma-2-9b-it:free")
    );
    assert!(!r.needs_catalog());
}

#[test]
fn priorities_sort_stably() {
    // `b` comes first and matches everything: the others are W101.
    let (r, codes) = no_errors(
        "rule a priority 2: otherwise -> \"x/a\" max_tokens 1\n\
         rule b priority 1: otherwise -> \"x/b\" max_tokens 1\n\
         rule c priority 2: otherwise -> \"x/c\" max_tokens 1\n\
         rule d priority 1: otherwise -> \"x/d\" max_tokens 1\n",
    );
    assert_eq!(codes, ["W101", "W101", "W101"]);
    let order: Vec<(&str, u32)> = r
        .rules
        .iter()
        .map(|r| (r.name.as_str(), r.position))
        .collect();
    assert_eq!(order, [("b", 2), ("d", 4), ("a", 1), ("c", 3)]);
}

#[test]
fn unnamed_rules_are_numbered() {
    let (r, _) = no_errors(&with_header(
        "rule a: when flag -> mini\nwhen tier == \"pro\" -> claude\notherwise -> mini",
    ));
    let names: Vec<(&str, bool)> = r.rules.iter().map(|r| (r.name.as_str(), r.named)).collect();
    assert_eq!(names, [("a", true), ("#2", false), ("#3", false)]);
}

#[test]
fn targets_expand_with_use_site_options() {
    let (r, _) = no_errors(&with_header(
        "target t = mini fallback [claude:floor] max_tokens 10 provider { sort: \"price\" } tag \"x\"\n\
         rule r: when flag -> t max_tokens 20 provider { zdr: true } tag \"y\"\n\
         rule default: otherwise -> mini",
    ));
    let c = chain(&r.rules[0].target);
    assert_eq!(
        ids(c),
        ["openai/gpt-4o-mini", "anthropic/claude-3.5-sonnet:floor"]
    );
    assert_eq!(c.options.max_tokens, Some(20));
    assert_eq!(
        serde_json::Value::Object(c.options.provider.clone()),
        json!({ "sort": "price", "zdr": true })
    );
    assert_eq!(c.options.tags, ["x", "y"]);
    let eff = r.effective_options(&c.options);
    assert_eq!(eff.max_tokens, Some(20));
}

#[test]
fn atoms_are_typed() {
    let (r, _) = no_errors(&with_header(
        "rule r: when budget > 1 and tokens < 1.5 and tier in [\"pro\", \"enterprise\"] \
         and weekday == \"sat\" and hour in 9..17 and not (flag) and tokens == budget \
         and words(prompt) > 3 and (user != \"x\" and has(user)) -> mini\n\
         rule default: otherwise -> mini",
    ));
    let Cond::And(items) = &r.rules[0].cond else {
        panic!("expected and, got {:?}", r.rules[0].cond);
    };
    assert_eq!(items.len(), 10, "parentheses flattened: {items:?}");
    let kinds: Vec<&AtomKind> = items
        .iter()
        .filter_map(|c| match c {
            Cond::Atom(a) => Some(&a.kind),
            _ => None,
        })
        .collect();
    let budget = r.field_id("budget").expect("budget");
    let tokens = r.field_id("tokens").expect("tokens");
    assert_eq!(
        kinds[0],
        &AtomKind::Compare {
            lhs: Subject::Field(budget),
            op: CmpOp::Gt,
            // An int literal against a float field stays an int (#17).
            rhs: Operand::Value(Value::Int(1))
        }
    );
    assert_eq!(
        kinds[1],
        &AtomKind::Compare {
            lhs: Subject::Field(tokens),
            op: CmpOp::Lt,
            rhs: Operand::Value(Value::Float(1.5))
        }
    );
    assert!(
        matches!(kinds[2], AtomKind::In { values, negated: false, .. } if values == &[Value::Enum(1), Value::Enum(2)])
    );
    assert!(matches!(
        kinds[3],
        AtomKind::Compare {
            lhs: Subject::Weekday,
            rhs: Operand::Value(Value::Enum(5)),
            ..
        }
    ));
    assert!(matches!(
        kinds[4],
        AtomKind::Range {
            lhs: Subject::Hour,
            inclusive: false,
            negated: false,
            ..
        }
    ));
    assert!(matches!(&items[5], Cond::Not(inner) if matches!(**inner, Cond::Atom(_))));
    assert!(matches!(
        kinds[5],
        AtomKind::Compare {
            rhs: Operand::Subject(Subject::Field(_)),
            ..
        }
    ));
    assert!(matches!(
        kinds[6],
        AtomKind::Compare {
            lhs: Subject::Words(_),
            ..
        }
    ));
}

#[test]
fn lets_come_in_dependency_order() {
    let (r, _) = no_errors(&with_header(
        "let b = a and flag\nlet a = tier == \"pro\"\nrule r: when b -> mini\n\
         rule default: otherwise -> mini",
    ));
    assert_eq!(
        r.lets.iter().map(|l| l.name.as_str()).collect::<Vec<_>>(),
        ["a", "b"]
    );
    assert!(
        matches!(&r.lets[1].cond, Cond::And(items) if items[0] == Cond::Let(crate::ir::LetId(0)))
    );
    assert_eq!(r.rules[0].cond, Cond::Let(crate::ir::LetId(1)));
}

#[test]
fn splits_name_arms_and_cheapest_needs_a_catalog() {
    let (r, _) = no_errors(&with_header(
        "rule r: when flag -> split by user { 12.5%: mini 87.5%: cheapest [mini, claude] require tools, fits(tokens) }\n\
         rule default: otherwise -> mini",
    ));
    match &r.rules[0].target {
        Target::Split(s) => {
            let arms: Vec<(&str, u32)> = s
                .arms
                .iter()
                .map(|a| (a.name.as_str(), a.basis_points))
                .collect();
            assert_eq!(arms, [("a", 1250), ("b", 8750)]);
        }
        other => panic!("expected a split, got {other:?}"),
    }
    assert!(r.needs_catalog());
}

#[test]
fn files_share_declarations_and_diagnostics_sort_by_file() {
    let mut sources = switchyard_syntax::SourceMap::new();
    sources.add("a.route", "context { x: bool }\nmodel m = \"a/b\"\n");
    sources.add(
        "b.route",
        "rule r: when x -> m max_tokens 1\nrule s: when y -> m max_tokens 1\n",
    );
    let checked = super::check_sources(&sources);
    let codes: Vec<(u32, &str)> = checked
        .diagnostics
        .iter()
        .map(|d| (d.span.file.0, d.code.as_str()))
        .collect();
    assert_eq!(codes, [(1, "E002")]);
}
