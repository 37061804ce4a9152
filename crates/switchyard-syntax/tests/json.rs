//! The JSON form against the rule language, on generated rulesets.
//!
//! - `route_to_json_to_route_is_fmt`: a random ruleset, its statements in
//!   any order, printed with comments (at the end of a line or on a line
//!   of their own) and blank lines inserted at random token boundaries (so
//!   at every place `fmt` keeps them), converted to
//!   JSON and back, is the text `fmt` gives, byte for byte; converting the
//!   JSON again gives the same JSON.
//! - `json_texts_read_back_to_the_same_tree`: any ruleset reads back from
//!   its JSON (comments aside) to the same statements in the same order.
//! - `grouped_rulesets_convert_to_the_grouped_form`: a ruleset in the
//!   grouped form's order with no comments converts to the grouped form,
//!   not to `statements`.
//! - `corpus_files_convert_to_json_and_back_to_fmt`: the same as the first
//!   for every `.route` file of `corpus/good` and `examples/`.

use proptest::prelude::*;
use switchyard_syntax::ast::Item;
use switchyard_syntax::{convert, format_source, parse_json, print, to_json, FileId, Form, Limits};
use switchyard_testing::{proptest_config as config, syntax_trees as arb};

fn fail(what: &str, e: impl std::fmt::Display, text: &str) -> TestCaseError {
    TestCaseError::fail(format!("{what}: {e}\n--- text ---\n{text}"))
}

fn conv(text: &str, from: Form, to: Form) -> Result<String, TestCaseError> {
    convert(text, FileId(0), from, to, &Limits::default())
        .map_err(|e| fail(&format!("convert {from:?} -> {to:?}"), e, text))
}

/// Where the grouped form puts a statement.
fn rank(item: &Item) -> u8 {
    match item {
        Item::Version(_) => 0,
        Item::TimeZone(_) => 1,
        Item::Context(_) => 2,
        Item::Model(_) => 3,
        Item::Target(_) => 4,
        Item::Let(_) => 5,
        Item::Defaults(_) => 6,
        Item::Rule(_) => 7,
        Item::Test(_) => 8,
    }
}

/// What to insert at a gap between tokens.
#[derive(Clone, Debug)]
enum Insert {
    /// ` #text` ending the line: a trailing comment.
    Trailing(String),
    /// `#text` on a line of its own.
    OwnLine(String),
    /// An empty line.
    Blank,
}

fn insert() -> impl Strategy<Value = Insert> {
    prop_oneof![
        arb::comment_text().prop_map(Insert::Trailing),
        arb::comment_text().prop_map(Insert::OwnLine),
        Just(Insert::Blank),
    ]
}

/// `text` with the inserts at its gaps (positions modulo their number).
fn sprinkle(text: &str, picks: &[(usize, Insert)]) -> String {
    let picks: Vec<(usize, String)> = picks
        .iter()
        .map(|(at, what)| {
            let s = match what {
                Insert::Trailing(c) => format!(" #{c}\n"),
                Insert::OwnLine(c) => format!("\n#{c}\n"),
                Insert::Blank => "\n\n".to_string(),
            };
            (*at, s)
        })
        .collect();
    arb::insert_at_gaps(text, &picks)
}

proptest! {
    #![proptest_config(config(256))]

    #[test]
    fn route_to_json_to_route_is_fmt(
        file in arb::rule_file(),
        picks in prop::collection::vec((any::<usize>(), insert()), 0..12),
    ) {
        let route = sprinkle(&print(&file), &picks);
        let formatted = format_source(&route, FileId(0), &Limits::default())
            .map_err(|e| fail("fmt", e, &route))?;
        let json = conv(&route, Form::Route, Form::Json)?;
        let back = conv(&json, Form::Json, Form::Route)?;
        prop_assert!(back == formatted, "--- fmt ---\n{}--- json ---\n{}--- back ---\n{}", formatted, json, back);
        let again = conv(&json, Form::Json, Form::Json)?;
        prop_assert!(again == json, "--- json ---\n{}--- again ---\n{}", json, again);
    }
}

proptest! {
    #![proptest_config(config(512))]

    #[test]
    fn json_texts_read_back_to_the_same_tree(file in arb::rule_file()) {
        let tree = arb::canonical_file(&file);
        let json = to_json(&tree);
        let back = parse_json(&json, FileId(0), &Limits::default()).map_err(|e| fail("parse_json", e, &json))?;
        prop_assert!(back.items == tree.items, "--- json ---\n{}", json);
    }

    #[test]
    fn grouped_rulesets_convert_to_the_grouped_form(file in arb::rule_file()) {
        let mut file = file;
        file.items.sort_by_key(|i| rank(&i.node));
        let route = print(&file);
        let json = conv(&route, Form::Route, Form::Json)?;
        prop_assert!(!json.contains("\"statements\""), "--- json ---\n{}", json);
        prop_assert_eq!(conv(&json, Form::Json, Form::Route)?, route);
    }
}

/// Every `.route` file of `corpus/good` and `examples/`, converted to JSON
/// and back, is the text `fmt` gives.
#[test]
fn corpus_files_convert_to_json_and_back_to_fmt() {
    let root = switchyard_testing::corpus::root();
    let mut files = switchyard_testing::corpus::route_files(&root.join("good"));
    files.extend(switchyard_testing::corpus::route_files(
        &root.join("../examples"),
    ));
    assert!(files.len() > 5, "{files:?}");
    let mut failures = Vec::new();
    for path in &files {
        let src = std::fs::read_to_string(path).expect("readable corpus file");
        let outcome = conv(&src, Form::Route, Form::Json).and_then(|json| {
            let back = conv(&json, Form::Json, Form::Route)?;
            let formatted = format_source(&src, FileId(0), &Limits::default())
                .map_err(|e| fail("fmt", e, &src))?;
            if back == formatted {
                Ok(())
            } else {
                Err(TestCaseError::fail(format!(
                    "--- fmt ---\n{formatted}--- back ---\n{back}"
                )))
            }
        });
        if let Err(e) = outcome {
            failures.push(format!("{}: {e}", path.display()));
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}
