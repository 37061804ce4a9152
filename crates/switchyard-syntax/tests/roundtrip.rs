//! Round trips between the syntax tree, the printer and the formatter.
//!
//! - `printed_trees_parse_back`: for random valid trees, `parse(print(t))`
//!   is `t` (spans aside; with `Paren` nodes where the printer had to add
//!   parentheses, see `switchyard_testing::syntax_trees::canonical`), the text is laid out
//!   cleanly, and `format_source` leaves printed text unchanged.
//! - `formatting_keeps_comments_and_is_idempotent`: printed files with
//!   comments and blank lines inserted at random token boundaries format
//!   without error, keep every comment, parse to the same statements, and
//!   format to themselves a second time.
//! - `corpus_files_format_idempotently`: every file of `corpus/good` (at the
//!   repository's top).

use proptest::prelude::*;
use switchyard_syntax::{format_source, parse, print, FileId, Limits};
use switchyard_testing::{proptest_config as config, syntax_trees as arb};

fn fmt(src: &str) -> Result<String, TestCaseError> {
    format_source(src, FileId(0), &Limits::default())
        .map_err(|e| TestCaseError::fail(format!("format failed: {e}\n--- source ---\n{src}")))
}

fn comment_texts(src: &str) -> Result<Vec<String>, TestCaseError> {
    let file = parse(src, FileId(0), &Limits::default())
        .map_err(|e| TestCaseError::fail(format!("parse failed: {e}\n--- source ---\n{src}")))?;
    let mut texts: Vec<String> = file.comments.into_iter().map(|c| c.text).collect();
    texts.sort();
    Ok(texts)
}

/// Two-space indents, `\n` line ends, one final newline, no trailing
/// spaces, no leading or doubled blank lines.
fn assert_clean_layout(text: &str) -> Result<(), TestCaseError> {
    prop_assert!(text.ends_with('\n') && !text.ends_with("\n\n"), "{}", text);
    prop_assert!(!text.starts_with('\n'), "{}", text);
    prop_assert!(!text.contains("\n\n\n"), "{}", text);
    for line in text.split('\n') {
        prop_assert!(!line.ends_with(' '), "trailing space in {:?}", line);
        let indent = line.len() - line.trim_start_matches(' ').len();
        prop_assert!(indent % 2 == 0, "odd indent in {:?}", line);
    }
    Ok(())
}

proptest! {
    #![proptest_config(config(512))]

    #[test]
    fn printed_trees_parse_back(file in arb::rule_file()) {
        let text = print(&file);
        let parsed = parse(&text, FileId(0), &Limits::default()).map_err(|e| {
            TestCaseError::fail(format!("printed text does not parse: {e}\n--- text ---\n{text}"))
        })?;
        let expected = arb::canonical_file(&file);
        prop_assert!(parsed.items == expected.items, "tree changed; text:\n{}", text);
        assert_clean_layout(&text)?;
        prop_assert_eq!(print(&parsed), text.clone());
        prop_assert_eq!(fmt(&text)?, text);
    }
}

proptest! {
    #![proptest_config(config(256))]

    #[test]
    fn formatting_keeps_comments_and_is_idempotent(
        file in arb::rule_file(),
        picks in prop::collection::vec(
            (any::<usize>(), prop::option::of(arb::comment_text())),
            0..12,
        ),
    ) {
        let src = arb::sprinkle(&print(&file), &picks);
        let once = fmt(&src)?;
        assert_clean_layout(&once)?;
        let twice = fmt(&once)?;
        prop_assert!(twice == once, "not idempotent\n--- source ---\n{}--- once ---\n{}--- twice ---\n{}", src, once, twice);
        prop_assert_eq!(comment_texts(&once)?, comment_texts(&src)?);
        let before = parse(&src, FileId(0), &Limits::default()).map_err(|e| TestCaseError::fail(e.to_string()))?;
        let after = parse(&once, FileId(0), &Limits::default()).map_err(|e| TestCaseError::fail(e.to_string()))?;
        prop_assert!(before.items == after.items);
    }
}

#[test]
fn corpus_files_format_idempotently() {
    let files =
        switchyard_testing::corpus::route_files(&switchyard_testing::corpus::root().join("good"));
    let mut failures = Vec::new();
    for path in &files {
        let src = std::fs::read_to_string(path).expect("readable corpus file");
        let once = match format_source(&src, FileId(0), &Limits::default()) {
            Ok(text) => text,
            Err(e) => {
                failures.push(format!("{}: {e}", path.display()));
                continue;
            }
        };
        match format_source(&once, FileId(0), &Limits::default()) {
            Ok(twice) if twice == once => {}
            Ok(twice) => failures.push(format!(
                "{}: not idempotent\n--- once ---\n{once}--- twice ---\n{twice}",
                path.display()
            )),
            Err(e) => failures.push(format!("{}: reformat failed: {e}", path.display())),
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}
