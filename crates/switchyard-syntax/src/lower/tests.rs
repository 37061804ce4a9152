use crate::ast::*;
use crate::{parse, Code, FileId, Limits, ParseError, SourceMap, ToDiagnostic};

fn ok(src: &str) -> RuleFile {
    match parse(src, FileId(0), &Limits::default()) {
        Ok(f) => f,
        Err(e) => panic!("parse failed: {e}\n{src}"),
    }
}

fn errs(src: &str) -> Vec<ParseError> {
    match parse(src, FileId(0), &Limits::default()) {
        Ok(f) => panic!("expected errors, got {f:?}"),
        Err(e) => e.into_vec(),
    }
}

/// (code, line, column) of each error.
fn positions(src: &str) -> Vec<(Code, u32, u32)> {
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

fn rule(file: &RuleFile, i: usize) -> &RuleDecl {
    match &file.items[i].node {
        Item::Rule(r) => r,
        other => panic!("not a rule: {other:?}"),
    }
}

fn cond(src: &str) -> Expr {
    let f = ok(&format!("rule r: when {src} -> m"));
    match &rule(&f, 0).guard {
        Guard::When(e) => e.node.clone(),
        Guard::Otherwise(_) => panic!("otherwise"),
    }
}

#[test]
fn section_one_file_parses() {
    let src = include_str!("../../tests/data/section1.route");
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
fn precedence_is_or_and_not_atom() {
    let e = cond("a or b and not c");
    let Expr::Or(parts) = e else { panic!() };
    assert_eq!(parts.len(), 2);
    let Expr::And(conj) = &parts[1].node else {
        panic!()
    };
    assert!(matches!(conj[1].node, Expr::Not(_)));
    // `not` binds to the atom, not to the comparison's left side only.
    let e = cond("not tier == \"x\"");
    let Expr::Not(inner) = e else { panic!() };
    assert!(matches!(inner.node, Expr::Compare { .. }));
}

#[test]
fn chains_are_flat() {
    let e = cond("a and b and c and d");
    let Expr::And(parts) = e else { panic!() };
    assert_eq!(parts.len(), 4);
}

#[test]
fn atoms() {
    assert!(
        matches!(cond("x in 9..17"), Expr::InRange { inclusive: false, lo, hi, .. }
        if lo.node == Number::Int(9) && hi.node == Number::Int(17))
    );
    assert!(matches!(
        cond("x not in 1.5..=2.5"),
        Expr::InRange {
            inclusive: true,
            negated: true,
            ..
        }
    ));
    assert!(
        matches!(cond("x not in [\"a\", \"b\",]"), Expr::InList { negated: true, values, .. } if values.len() == 2)
    );
    assert!(
        matches!(cond("words(p) > 3"), Expr::Compare { lhs, .. } if matches!(lhs.node, Subject::Words(_)))
    );
    assert!(matches!(cond("hour >= 9"), Expr::Compare { lhs, .. } if lhs.node == Subject::Hour));
    assert!(matches!(cond("weekday == \"sat\""), Expr::Compare { .. }));
    assert!(
        matches!(cond("a == b"), Expr::Compare { rhs, .. } if matches!(rhs.node, Operand::Subject(_)))
    );
    assert!(matches!(cond("has(user)"), Expr::Has(_)));
    assert!(matches!(cond("true"), Expr::Bool(true)));
    assert!(
        matches!(cond("p starts_with \"x\""), Expr::StrTest { op, .. } if op.node == StrOp::StartsWith)
    );
    let Expr::Matches { regex, .. } = cond(r"p matches /a\/b|c/ix") else {
        panic!()
    };
    assert_eq!(regex.source, r"a\/b|c");
    assert_eq!(regex.pattern(), "a/b|c");
    assert_eq!(regex.flags, "ix");
    assert!(
        matches!(cond("(a or b) and c"), Expr::And(parts) if matches!(parts[0].node, Expr::Paren(_)))
    );
    assert!(
        matches!(cond("x == 1e-3"), Expr::Compare { rhs, .. } if rhs.node == Operand::Literal(Literal::Number(Number::Float(1e-3))))
    );
    assert!(
        matches!(cond("x == -5"), Expr::Compare { rhs, .. } if rhs.node == Operand::Literal(Literal::Number(Number::Int(-5))))
    );
}

#[test]
fn targets() {
    let f = ok(
        r#"rule r: otherwise -> claude:floor fallback [gpt-4o, "x/y:free"] max_tokens 5 provider { sort: "price", "max_price": { prompt: 1 } } tag "a" tag "b" require tools, fits(n), cost(n) <= 0.5
target t = cheapest [a, b] require vision
when x -> split by user { control 87.5%: m 12.5%: n fallback [o] }"#,
    );
    let r = rule(&f, 0);
    let Target::Chain(c) = &r.target.node else {
        panic!()
    };
    assert_eq!(
        c.primary.node,
        ModelRef::Name {
            name: "claude".into(),
            variant: Some("floor".into())
        }
    );
    let fb = c.fallbacks.as_ref().unwrap();
    assert_eq!(fb[1].node, ModelRef::Id("x/y:free".into()));
    assert_eq!(c.options.len(), 5);
    let TargetOption::Require(reqs) = &c.options[4].node else {
        panic!()
    };
    assert_eq!(reqs.len(), 3);
    let r = rule(&f, 2);
    assert!(r.name.is_none());
    let Target::Split { arms, .. } = &r.target.node else {
        panic!()
    };
    assert_eq!(arms[0].weight.node, 8750);
    assert_eq!(arms[1].weight.node, 1250);
    assert!(arms[1].name.is_none());
}

#[test]
fn names_may_contain_dashes_and_dots() {
    let f = ok("model gemini-2.0-flash = \"google/gemini-2.0-flash-001\"\nrule a.b-c priority 3: otherwise -> gemini-2.0-flash");
    let r = rule(&f, 1);
    assert_eq!(r.name.as_ref().unwrap().node, "a.b-c");
    assert_eq!(r.priority.as_ref().unwrap().node, 3);
}

#[test]
fn tests_and_context() {
    let f = ok("context { a: \"x\" | \"y\" = \"x\" b: int c: float = 1.0 }\ntest t1: { a: \"y\", b: 3 } -> r model \"m/x\"\nrule r: otherwise -> m");
    let Item::Context(fields) = &f.items[0].node else {
        panic!()
    };
    assert_eq!(fields.len(), 3);
    assert!(matches!(&fields[0].ty.node, TypeExpr::Enum(v) if v.len() == 2));
    let Item::Test(t) = &f.items[1].node else {
        panic!()
    };
    assert_eq!(t.context.len(), 2);
    assert_eq!(t.model.as_ref().unwrap().node, "m/x");
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
fn missing_arrow_points_after_the_condition() {
    // The statement ends early: the caret goes after its last token.
    let p = positions("rule a: when x\n\nrule b: otherwise -> m\n");
    assert_eq!(p, vec![(Code::E001, 1, 15)]);
    let e = &errs("rule a: when x\nrule b: otherwise -> m")[0];
    assert!(e.to_string().contains("found `rule`"), "{e}");
    assert!(e.to_string().contains("`->`"), "{e}");
}

#[test]
fn keyword_as_name_gets_help() {
    let e = &errs("model in = \"x\"")[0];
    let d = e.to_diagnostic();
    assert!(d.help.unwrap().contains("reserved"));
}

#[test]
fn lexical_errors() {
    assert_eq!(
        positions("rule a: when p == \"abc -> m"),
        vec![(Code::E001, 1, 19)]
    );
    assert_eq!(
        positions("rule a: when p matches /abc -> m"),
        vec![(Code::E001, 1, 24)]
    );
    assert_eq!(
        positions("rule a: when p == \"\\q\" -> m"),
        vec![(Code::E001, 1, 20)]
    );
    assert_eq!(
        positions("rule a: when p == 99999999999999999999 -> m"),
        vec![(Code::E001, 1, 19)]
    );
    assert_eq!(
        positions("rule a: otherwise -> m max_tokens 1.5"),
        vec![(Code::E001, 1, 35)]
    );
    assert_eq!(
        positions("rule a: when p == 1e999 -> m"),
        vec![(Code::E001, 1, 19)]
    );
    assert_eq!(
        positions("rule a: when hour -> m"),
        vec![(Code::E001, 1, 14)]
    );
    assert_eq!(positions("# nothing\n"), vec![(Code::E001, 2, 1)]);
    assert_eq!(
        positions("rule a: when x -> split by u { a 33.333%: m b 66.667%: n }"),
        vec![(Code::E009, 1, 34), (Code::E009, 1, 46)]
            .into_iter()
            .take(1)
            .collect::<Vec<_>>()
    );
}

#[test]
fn depth_limits() {
    let deep = format!(
        "rule a: when {}x{} -> m",
        "(".repeat(100_000),
        ")".repeat(100_000)
    );
    assert_eq!(positions(&deep), vec![(Code::E013, 1, 14 + 64)]);
    let nots = format!("rule a: when {}x -> m", "not ".repeat(100_000));
    let p = positions(&nots);
    assert_eq!(p.len(), 1);
    assert_eq!(p[0].0, Code::E013);
    // Within the limit is fine.
    ok(&format!(
        "rule a: when {}x{} -> m",
        "(".repeat(60),
        ")".repeat(60)
    ));
    ok(&format!("rule a: when {}x -> m", "not ".repeat(60)));
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
fn messages_say_what_was_expected() {
    let cases = [
        ("rule a: when x claude", "expected `->`, `and`, `or` or a test (`==`, `!=`, `<`, `>`, `in`, `matches`, `contains`, ...), found `claude`"),
        ("rule a when x -> m", "expected `:` or `priority`, found `when`"),
        ("model x \"id\"", "expected `=`, found `\"id\"`"),
        ("rule a: when x ->", "expected a model, found end of file"),
        ("context { a: integer }", "expected a type (`bool`, `int`, `float`, `string` or `\"a\" | \"b\"`), found `integer`"),
        ("rule a: otherwise -> split by u { 50%: split by v { } }", "expected a model, found `split`"),
        ("foo bar", "expected a statement (`rule`, `when`, `otherwise`, `model`, `target`, `let`, `context`, `defaults`, `test` or `version`), found `foo`"),
    ];
    for (src, want) in cases {
        assert_eq!(errs(src)[0].to_string(), want, "for {src}");
    }
    let d = errs("rule a: when tier = \"x\" -> m")[0].to_diagnostic();
    assert_eq!(d.help.as_deref(), Some("compare with `==`"));
}

#[test]
fn arrow_ends_a_name() {
    let f = ok("rule default: otherwise->\"m/x\"\nmodel a-b = \"x/y\"\nrule r: when x->a-b");
    assert_eq!(f.items.len(), 3);
    let r = rule(&f, 2);
    let Target::Chain(c) = &r.target.node else {
        panic!()
    };
    assert_eq!(
        c.primary.node,
        ModelRef::Name {
            name: "a-b".into(),
            variant: None
        }
    );
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
