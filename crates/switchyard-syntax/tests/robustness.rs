//! The parser and the formatter never panic, whatever the input.
//!
//! - `any_text`: arbitrary strings (`.*` and any Unicode).
//! - `mutated_files`: valid files with comments, then random insertions
//!   of characters and keywords, deletions, duplications and truncations.
//!   Where the mutant still parses, `format_source` must succeed (never its
//!   internal error) and be idempotent.

use proptest::prelude::*;
use switchyard_syntax::{format_source, parse, print, FileId, Limits};
use switchyard_testing::{proptest_config as config, syntax_trees as arb};

/// One edit of a text; positions are taken modulo its length and moved
/// back to a character boundary.
#[derive(Clone, Debug)]
enum Mutation {
    Insert(usize, String),
    Delete(usize, usize),
    Duplicate(usize, usize),
    Truncate(usize),
}

fn mutation() -> impl Strategy<Value = Mutation> {
    let snippet = prop_oneof![
        3 => prop::sample::select(vec![
            "\"", "/", "\\", "#", "\n", "{", "}", "(", ")", "[", "]", ":", ",", "-", ">", "->",
            ".", "..", "%", "=", "==", " ", "0", "9", "-1", "1.5", "1e400", "x", "é", "\r",
            " rule ", " when ", " otherwise ", " model ", " and ", " or ", " not ", " in ",
            " split by u { 50%: m }", " context ", " test ", " version ", " let ",
            " priority ", " require ", " fallback ", "\"model\"", "99999999999999999999",
            "12.345%",
        ])
        .prop_map(String::from),
        1 => any::<char>().prop_map(String::from),
    ];
    prop_oneof![
        3 => (any::<usize>(), snippet).prop_map(|(at, s)| Mutation::Insert(at, s)),
        2 => (any::<usize>(), 1usize..8).prop_map(|(at, n)| Mutation::Delete(at, n)),
        1 => (any::<usize>(), 1usize..24).prop_map(|(at, n)| Mutation::Duplicate(at, n)),
        1 => any::<usize>().prop_map(Mutation::Truncate),
    ]
}

fn boundary(text: &str, at: usize) -> usize {
    let mut at = if text.is_empty() {
        0
    } else {
        at % (text.len() + 1)
    };
    while !text.is_char_boundary(at) {
        at -= 1;
    }
    at
}

fn apply(text: &mut String, m: &Mutation) {
    match m {
        Mutation::Insert(at, s) => {
            let at = boundary(text, *at);
            text.insert_str(at, s);
        }
        Mutation::Delete(at, n) => {
            let start = boundary(text, *at);
            let end = boundary(text, start.saturating_add(*n).min(text.len()));
            text.replace_range(start..end.max(start), "");
        }
        Mutation::Duplicate(at, n) => {
            let start = boundary(text, *at);
            let end = boundary(text, start.saturating_add(*n).min(text.len()));
            let piece = text[start..end.max(start)].to_string();
            text.insert_str(start, &piece);
        }
        Mutation::Truncate(at) => {
            let at = boundary(text, *at);
            text.truncate(at);
        }
    }
}

/// Parses and formats `src`; if it parses, formatting must work and be
/// idempotent.
fn check(src: &str) -> Result<(), TestCaseError> {
    let limits = Limits::default();
    let parsed = parse(src, FileId(0), &limits);
    let formatted = format_source(src, FileId(0), &limits);
    match (parsed, formatted) {
        (Ok(_), Ok(once)) => {
            let twice = format_source(&once, FileId(0), &limits)
                .map_err(|e| TestCaseError::fail(format!("reformat failed: {e}\n{once}")))?;
            prop_assert!(
                twice == once,
                "not idempotent\n--- source ---\n{}\n--- once ---\n{}--- twice ---\n{}",
                src,
                once,
                twice
            );
        }
        (Ok(_), Err(e)) => {
            return Err(TestCaseError::fail(format!(
                "parses but does not format: {e}\n--- source ---\n{src:?}"
            )));
        }
        (Err(_), Ok(_)) => {
            return Err(TestCaseError::fail(format!(
                "formats but does not parse\n--- source ---\n{src:?}"
            )));
        }
        (Err(_), Err(_)) => {}
    }
    Ok(())
}

proptest! {
    #![proptest_config(config(1000))]

    #[test]
    fn any_text(s in ".*") {
        check(&s)?;
    }

    #[test]
    fn any_unicode(s in any::<String>()) {
        check(&s)?;
    }
}

proptest! {
    #![proptest_config(config(512))]

    #[test]
    fn mutated_files(
        file in arb::rule_file(),
        picks in prop::collection::vec(
            (any::<usize>(), prop::option::of(arb::comment_text())),
            0..6,
        ),
        mutations in prop::collection::vec(mutation(), 1..4),
    ) {
        let mut src = arb::sprinkle(&print(&file), &picks);
        for m in &mutations {
            apply(&mut src, m);
        }
        check(&src)?;
    }
}
