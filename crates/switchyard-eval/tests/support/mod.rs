//! What several of the evaluator's test files need: a ruleset checked
//! without the condition analysis.

#![allow(clippy::panic, reason = "a test helper reports a bad test ruleset")]

use switchyard_check::ir::Ruleset;
use switchyard_check::{check_with, CheckOptions};
use switchyard_syntax::{Limits, SourceMap};

/// `src` checked without the condition analysis (so a ruleset that routes
/// some contexts nowhere is not refused with E008), and its sources, named
/// `<inline>` as [`switchyard_eval::CompiledTable::from_source`] names
/// them. Panics on any other error: the tests only pass valid rulesets.
pub fn checked_without_analysis(src: &str) -> (Ruleset, SourceMap) {
    let mut sources = SourceMap::new();
    sources.add("<inline>", src);
    let files = switchyard_syntax::parse_sources(&sources, &Limits::default())
        .unwrap_or_else(|e| panic!("a test ruleset does not parse: {e:?}\n{src}"));
    let options = CheckOptions {
        analysis: None,
        ..CheckOptions::default()
    };
    let ruleset = check_with(&files, &options)
        .ruleset
        .unwrap_or_else(|| panic!("a test ruleset does not check:\n{src}"));
    (ruleset, sources)
}
