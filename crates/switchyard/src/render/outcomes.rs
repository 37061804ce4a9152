//! The outcomes of a ruleset's `test` lines, each with where the test is
//! written: the objects of `switchyard test --format json`'s `tests` array,
//! for any host that reports test runs the same way.

use serde::Serialize;
use switchyard_syntax::SourceMap;

use crate::TestOutcome;

/// One test's outcome and the file, line and column of its `test` line.
/// Serialises as the outcome's keys followed by `file`, `line`, `column`.
#[derive(Clone, Copy, Debug, Serialize)]
pub struct Located<'a> {
    /// The outcome.
    #[serde(flatten)]
    pub outcome: &'a TestOutcome,
    /// The file, as named when loading.
    pub file: &'a str,
    /// 1-based line.
    pub line: u32,
    /// 1-based column.
    pub column: u32,
}

/// Each of `outcomes` (of a table loaded from `sources`) with its place.
pub fn located<'a>(sources: &'a SourceMap, outcomes: &'a [TestOutcome]) -> Vec<Located<'a>> {
    outcomes
        .iter()
        .map(|outcome| {
            let at = super::locate(sources, outcome.span);
            Located {
                outcome,
                file: at.file,
                line: at.start.line,
                column: at.start.column,
            }
        })
        .collect()
}
