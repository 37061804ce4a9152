//! The `check` target.

use switchyard_check::analysis::AnalysisOptions;
use switchyard_eval::{CompiledTable, LoadOptions, RulesetError};
use switchyard_syntax::Severity;

use crate::oracle::agree;
use crate::sources_of;

/// `check`: bytes to files, loaded with the condition analysis (parsed,
/// checked and, without errors, compiled). A ruleset that loads decides a
/// context of defaults the same way compiled and naive.
pub fn check_target(data: &[u8]) {
    let sources = sources_of(data);
    let analysed = LoadOptions::new().with_analysis(AnalysisOptions::default());
    let (loaded, diagnostics) = match CompiledTable::from_sources(sources.clone(), &analysed) {
        Ok((table, warnings)) => (Some(table), warnings),
        Err(RulesetError::Invalid { diagnostics, .. }) => (None, diagnostics),
        Err(e) => panic!("in-memory sources cannot fail to read: {e}"),
    };
    for d in &diagnostics {
        // Every diagnostic points into the ruleset's files.
        let file = sources.file(d.span.file);
        assert!(file.is_some(), "diagnostic in an unknown file: {d:?}");
        let len = file.map_or(0, |f| f.text().len());
        assert!(
            d.span.start <= d.span.end && d.span.end as usize <= len,
            "diagnostic span out of range: {d:?}"
        );
    }
    // A ruleset loads exactly when it has no errors (one that needs a
    // catalog refuses to compile without one, which is an error too).
    let errors = diagnostics.iter().any(|d| d.severity() == Severity::Error);
    assert_eq!(loaded.is_some(), !errors, "{diagnostics:?}");
    if let Some(table) = loaded {
        let ctx = table.context().at_unix(0).build();
        agree(&table, &ctx);
    }
}
