//! The JSON form against the rule language, on generated rulesets.
//!
//! `route_to_json_to_route_is_the_identity`: for a random ruleset, its
//! `.route` text, converted to JSON and back, is the text `fmt` gives. The
//! JSON form groups statements by kind (docs/reference/json.md), so the
//! ruleset is generated with its statements in that order; within a kind
//! any order, names and values go.
//!
//! `json_texts_read_back_to_the_same_tree`: any ruleset, grouped or not,
//! reads back from its JSON to the tree its statements give grouped.

use proptest::prelude::*;
use switchyard_syntax::ast::{Item, RuleFile};
use switchyard_syntax::{format_source, parse, parse_json, print, to_json, FileId, Limits};
use switchyard_testing::{proptest_config as config, syntax_trees as arb};

/// Where the JSON form puts a statement.
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

fn grouped(file: &RuleFile) -> RuleFile {
    let mut out = file.clone();
    out.items.sort_by_key(|i| rank(&i.node));
    out
}

fn fail(what: &str, e: impl std::fmt::Display, text: &str) -> TestCaseError {
    TestCaseError::fail(format!("{what}: {e}\n--- text ---\n{text}"))
}

proptest! {
    #![proptest_config(config(512))]

    #[test]
    fn route_to_json_to_route_is_the_identity(file in arb::rule_file()) {
        let route = print(&grouped(&file));
        let formatted = format_source(&route, FileId(0), &Limits::default())
            .map_err(|e| fail("fmt", e, &route))?;
        let tree = parse(&route, FileId(0), &Limits::default()).map_err(|e| fail("parse", e, &route))?;
        let json = to_json(&tree);
        let back = parse_json(&json, FileId(0), &Limits::default()).map_err(|e| fail("parse_json", e, &json))?;
        let again = print(&back);
        prop_assert!(again == formatted, "--- route ---\n{}--- json ---\n{}--- back ---\n{}", formatted, json, again);
    }

    #[test]
    fn json_texts_read_back_to_the_same_tree(file in arb::rule_file()) {
        let tree = arb::canonical_file(&file);
        let json = to_json(&tree);
        let back = parse_json(&json, FileId(0), &Limits::default()).map_err(|e| fail("parse_json", e, &json))?;
        prop_assert!(back.items == grouped(&tree).items, "--- json ---\n{}", json);
    }
}
