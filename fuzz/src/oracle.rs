//! What every decision is held to.

use switchyard_eval::{CompiledTable, Context};

/// `decide` agrees with `decide_naive` and with `explain`, twice in a row.
pub(crate) fn agree(table: &CompiledTable, ctx: &Context) {
    let key = |d: &switchyard_eval::Decision<'_>| {
        (
            d.rule().to_string(),
            d.variant().map(str::to_string),
            d.model().to_string(),
            d.fallbacks().map(str::to_string).collect::<Vec<_>>(),
        )
    };
    let compiled = table.decide(ctx).map(|d| d.as_ref().map(key));
    let naive = table.decide_naive(ctx).map(|d| d.as_ref().map(key));
    assert_eq!(
        compiled,
        naive,
        "compiled and naive disagree\n{}",
        source_text(table)
    );
    let again = table.decide(ctx).map(|d| d.as_ref().map(key));
    assert_eq!(compiled, again, "a second decision differs");
    let compiled = compiled.unwrap_or_else(|e| panic!("decide failed: {e}"));
    let explanation = table
        .explain(ctx)
        .unwrap_or_else(|e| panic!("explain failed: {e}"));
    let explained = explanation
        .rules
        .last()
        .filter(|r| r.matched)
        .map(|r| r.rule.clone());
    assert_eq!(
        explained,
        compiled.as_ref().map(|c| c.0.clone()),
        "explain and decide disagree\n{}",
        source_text(table)
    );
    assert_eq!(explanation.decision.is_some(), compiled.is_some());
}

fn source_text(table: &CompiledTable) -> String {
    table
        .sources()
        .files()
        .map(|(_, f)| f.text().to_string())
        .collect::<Vec<_>>()
        .join("\n")
}
