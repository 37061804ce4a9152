//! Helpers shared by the lowering's tests, and the tests of the
//! statement-by-statement driver and of spans.

use crate::ast::*;
use crate::{parse, Code, FileId, Limits, ParseError, SourceMap, ToDiagnostic};

pub(super) fn ok(src: &str) -> RuleFile {
    match parse(src, FileId(0), &Limits::default()) {
        Ok(f) => f,
        Err(e) => panic!("parse failed: {e}\n{src}"),
    }
}

pub(super) fn errs(src: &str) -> Vec<ParseError> {
    match parse(src, FileId(0), &Limits::default()) {
        Ok(f) => panic!("expected errors, got {f:?}"),
        Err(e) => e.into_vec(),
    }
}

/// (code, line, column) of each error.
pub(super) fn positions(src: &str) -> Vec<(Code, u32, u32)> {
    let mut map = SourceMap::new();
    map.add("t.route", src);
    errs(src)
        .iter()
        .map(|e| {
            let d = e.to_diagnostic();
            let (_, lc, _) = map.locate(d.span).unwrap();
            (d.code, lc.line, lc.column)
        })
        .collect()
}

pub(super) fn rule(file: &RuleFile, i: usize) -> &RuleDecl {
    match &file.items[i].node {
        Item::Rule(r) => r,
        other => panic!("not a rule: {other:?}"),
    }
}

#[test]
fn section_one_file_parses() {
    let src = include_str!("../../../../corpus/good/language-section1.route");
    let f = ok(src);
    let rules = f
        .items
        .iter()
        .filter(|i| matches!(i.node, Item::Rule(_)))
        .count();
    assert_eq!(rules, 10);
    assert!(f.comments.len() >= 5);
}

#[test]
fn spans_point_at_source() {
    let src = "rule r: when tier == \"pro\" -> m";
    let f = ok(src);
    let Guard::When(e) = &rule(&f, 0).guard else {
        panic!()
    };
    assert_eq!(&src[e.span.range()], "tier == \"pro\"");
    assert_eq!(&src[f.items[0].span.range()], src);
}

#[test]
fn every_bad_statement_is_reported() {
    let src = "rule a: when x claude\nrule b: otherwise -> m\nrule c: when -> m\n";
    let p = positions(src);
    assert_eq!(p.len(), 2, "{p:?}");
    assert_eq!(p[0], (Code::E001, 1, 16));
    assert_eq!(p[1], (Code::E001, 3, 14));
}

#[test]
fn rule_count_limit() {
    let limits = Limits {
        max_rules: 3,
        ..Limits::default()
    };
    let src = "rule a: otherwise -> m\n".repeat(5);
    let e = parse(&src, FileId(0), &limits).unwrap_err().into_vec();
    assert_eq!(e.len(), 1);
    assert_eq!(e[0].code(), Code::E013);
}

#[test]
fn junk_before_first_statement() {
    let p = positions("hello world\nrule a: otherwise -> m\n");
    assert_eq!(p, vec![(Code::E001, 1, 1)]);
}

#[test]
fn spans_leave_out_trailing_space_and_comments() {
    let src = "rule r: when a -> m fallback [n]   # why\n  # more\n\nrule s: otherwise -> m";
    let f = ok(src);
    let r = rule(&f, 0);
    assert_eq!(&src[r.target.span.range()], "m fallback [n]");
    assert_eq!(
        &src[f.items[0].span.range()],
        "rule r: when a -> m fallback [n]"
    );
}

/// A file long enough to be parsed on several threads: its statements come
/// back in file order, and every bad one is reported, in order.
#[test]
fn a_long_file_keeps_its_order() {
    let mut src = String::new();
    for i in 0..5_000 {
        if i % 1_000 == 999 {
            src.push_str(&format!("model m{i} = = \"a/b\"\n"));
        } else {
            src.push_str(&format!("model m{i} = \"a/b{i}\"\n"));
        }
    }
    let errors = positions(&src);
    let lines: Vec<u32> = errors.iter().map(|(_, line, _)| *line).collect();
    assert_eq!(lines, [1_000, 2_000, 3_000, 4_000, 5_000]);
    let good = src.replace(" = = ", " = ");
    let names: Vec<String> = ok(&good)
        .items
        .iter()
        .map(|item| match &item.node {
            Item::Model(m) => m.name.node.clone(),
            other => panic!("{other:?}"),
        })
        .collect();
    let expected: Vec<String> = (0..5_000).map(|i| format!("m{i}")).collect();
    assert_eq!(names, expected);
}
