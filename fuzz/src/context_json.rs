//! The `context_json` target.

use std::sync::OnceLock;

use switchyard_eval::CompiledTable;

use crate::oracle::agree;

/// The table contexts are fuzzed against: the example policy.
fn example() -> &'static CompiledTable {
    static TABLE: OnceLock<CompiledTable> = OnceLock::new();
    TABLE.get_or_init(|| {
        CompiledTable::from_source(include_str!("../../examples/openrouter.route"))
            .map(|(t, _)| t)
            .unwrap_or_else(|e| panic!("the example does not compile: {e}"))
    })
}

/// `context_json`: bytes to a context of the example policy (invalid
/// JSON, wrong types, NaN, huge numbers, deep nesting are all errors),
/// then decide, compare with the naive interpreter, and explain.
pub fn context_json_target(data: &[u8]) {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    let table = example();
    let Ok(ctx) = table.context_from_str(text) else {
        return;
    };
    agree(table, &ctx);
    if let Ok(Some(d)) = table.decide(&ctx) {
        let json = d.to_json();
        assert!(serde_json::to_string(&json).is_ok());
    }
}
