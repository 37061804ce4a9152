//! The text search against `regex` and `str` themselves.

use super::*;
use crate::ir::{CmpOp, Pattern, StrOp};

fn pattern(source: &str, flags: &str) -> AtomKind {
    let mut b = regex::RegexBuilder::new(source);
    for f in flags.chars() {
        match f {
            'i' => b.case_insensitive(true),
            'm' => b.multi_line(true),
            's' => b.dot_matches_new_line(true),
            _ => b.ignore_whitespace(true),
        };
    }
    AtomKind::Matches {
        lhs: Subject::Field(FieldId(0)),
        pattern: Pattern {
            source: source.into(),
            flags: flags.into(),
            regex: b.build().unwrap(),
        },
    }
}

fn text(op: StrOp, needle: &str) -> AtomKind {
    AtomKind::Str {
        lhs: Subject::Field(FieldId(0)),
        op,
        needle: needle.into(),
    }
}

fn count(words: bool, op: CmpOp, n: i64) -> AtomKind {
    let f = FieldId(0);
    AtomKind::Compare {
        lhs: if words {
            Subject::Words(f)
        } else {
            Subject::Len(f)
        },
        op,
        rhs: Operand::Value(Value::Int(n)),
    }
}

fn solve(required: &[(AtomKind, bool)], exclude: &[&str]) -> Outcome {
    let mut t = TextTests::new(50_000_000);
    let req: Vec<(&AtomKind, bool)> = required.iter().map(|(a, w)| (a, *w)).collect();
    t.strings(FieldId(0), 1, exclude, &req, 1).unwrap()
}

#[track_caller]
fn found(required: &[(AtomKind, bool)], exclude: &[&str]) -> String {
    match solve(required, exclude) {
        Outcome::Found(s) => {
            let s = s[0].clone();
            let req: Vec<(&AtomKind, bool)> = required.iter().map(|(a, w)| (a, *w)).collect();
            assert!(Concrete::only(1, FieldId(0), Some(Value::Str(s.clone()))).gives(&req));
            assert!(!exclude.contains(&s.as_str()));
            s
        }
        other => panic!("{other:?} for {required:?}"),
    }
}

#[test]
fn the_issue_example_a_string_the_regex_matches() {
    assert_eq!(found(&[(pattern("^q", ""), true)], &[]), "q");
    assert_eq!(found(&[(pattern("^q", ""), false)], &[]), "");
    assert_eq!(found(&[(pattern("^q", ""), false)], &[""]), "a");
}

#[test]
fn strings_that_contain_or_avoid_literals() {
    let s = found(
        &[
            (text(StrOp::Contains, "ab"), true),
            (text(StrOp::StartsWith, "x"), true),
            (text(StrOp::EndsWith, "b"), false),
        ],
        &[],
    );
    assert!(
        s.starts_with('x') && s.contains("ab") && !s.ends_with('b'),
        "{s}"
    );
    assert_eq!(
        solve(
            &[
                (text(StrOp::StartsWith, "ab"), true),
                (text(StrOp::Contains, "b"), false),
            ],
            &[]
        ),
        Outcome::Empty
    );
}

#[test]
fn counts_of_words_and_characters() {
    let s = found(
        &[
            (count(true, CmpOp::Ge, 3), true),
            (count(false, CmpOp::Lt, 6), true),
        ],
        &[],
    );
    assert_eq!(crate::semantics::word_count(&s), 3, "{s:?}");
    // Three words need at least five characters.
    assert_eq!(
        solve(
            &[
                (count(true, CmpOp::Ge, 3), true),
                (count(false, CmpOp::Lt, 5), true),
            ],
            &[]
        ),
        Outcome::Empty
    );
    // Complementary counts cover everything.
    assert_eq!(
        solve(
            &[
                (count(false, CmpOp::Gt, 3), false),
                (count(false, CmpOp::Le, 3), false),
            ],
            &[]
        ),
        Outcome::Empty
    );
    // Huge constants: no string can be built, nothing is claimed.
    assert_eq!(
        solve(&[(count(false, CmpOp::Gt, i64::MAX - 1), true)], &[]),
        Outcome::Unknown
    );
    assert_eq!(
        solve(&[(count(false, CmpOp::Gt, i64::MAX), true)], &[]),
        Outcome::Empty
    );
    assert_eq!(found(&[(count(false, CmpOp::Le, i64::MAX), true)], &[]), "");
}

#[test]
fn regexes_that_contradict_each_other() {
    assert_eq!(
        solve(&[(pattern("^a", ""), true), (pattern("^b", ""), true)], &[]),
        Outcome::Empty
    );
    assert_eq!(
        solve(
            &[
                (pattern("^[0-9]+$", ""), true),
                (pattern("[a-z]", "i"), true)
            ],
            &[]
        ),
        Outcome::Empty
    );
    assert_eq!(
        solve(
            &[
                (pattern("abc", "i"), true),
                (pattern("ABC", ""), false),
                (pattern("^.{3}$", ""), true)
            ],
            &[]
        ),
        Outcome::Found(vec!["abc".into()])
    );
    let s = found(
        &[
            (pattern(r"\bfoo\b", ""), true),
            (pattern(r"^foo", ""), false),
        ],
        &[],
    );
    assert!(s.ends_with("foo") || s.contains("foo "), "{s:?}");
    let s = found(
        &[(pattern(r"(?m)^x$", ""), true), (pattern(r"^x", ""), false)],
        &[],
    );
    assert!(s.contains("\nx"), "{s:?}");
    let s = found(
        &[
            (pattern(r"\b(explain|prove)\b", "i"), true),
            (pattern(r"^\w+$", ""), false),
        ],
        &[],
    );
    assert!(
        s.to_lowercase().contains("explain") || s.to_lowercase().contains("prove"),
        "{s:?}"
    );
}

/// Regexes against random strings: when the search says no string passes,
/// none of the random ones does; when it finds one, it passes (checked in
/// `strings` itself).
#[test]
fn empty_agrees_with_regex_on_random_strings() {
    use proptest::prelude::*;
    use proptest::test_runner::{Config, TestRunner};
    const PATTERNS: &[(&str, &str)] = &[
        ("^a", ""),
        ("b$", ""),
        ("a.b", "s"),
        ("^(ab|ba)*$", ""),
        (r"\bab", ""),
        (r"a\B", ""),
        ("(?m)^b", ""),
        ("[^ab]", ""),
        ("^.{2}$", ""),
        ("A", "i"),
        (r"\s", ""),
        ("(?R)$", "m"),
    ];
    let mut runner = TestRunner::new(Config {
        cases: 300,
        ..Config::default()
    });
    let strategy = (
        prop::collection::vec((0..PATTERNS.len(), any::<bool>()), 1..4),
        prop::collection::vec("[abAB \\n\\r\u{e9}_]{0,6}", 64),
    );
    runner
        .run(&strategy, |(picked, strings)| {
            let required: Vec<(AtomKind, bool)> = picked
                .iter()
                .map(|&(i, w)| (pattern(PATTERNS[i].0, PATTERNS[i].1), w))
                .collect();
            let req: Vec<(&AtomKind, bool)> = required.iter().map(|(a, w)| (a, *w)).collect();
            if solve(&required, &[]) == Outcome::Empty {
                for s in &strings {
                    let c = Concrete::only(1, FieldId(0), Some(Value::Str(s.clone())));
                    prop_assert!(!c.gives(&req), "{s:?} passes {required:?}");
                }
            }
            Ok(())
        })
        .unwrap();
}

#[test]
fn huge_repetitions_stay_bounded() {
    // Each is either modelled or left unknown, quickly.
    for (source, want) in [
        ("(?:){4294967295}q", true),
        ("(?:q?){100000}", true),
        ("^(a|b){1000}$", true),
    ] {
        let atom = pattern(source, "");
        let got = solve(&[(atom, want)], &[]);
        assert!(
            matches!(got, Outcome::Found(_) | Outcome::Unknown),
            "{source}: {got:?}"
        );
    }
}
