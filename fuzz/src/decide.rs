//! The `decide` target.

use std::sync::OnceLock;

use serde_json::{Map, Value as Json};
use switchyard_eval::{
    CompileOptions, CompiledTable, Context, DecideError, IndexPolicy, Input, LoadOptions,
};
use switchyard_syntax::SourceMap;

use crate::input::{ContextDesc, DecideInput, Rules, Text, ValueDesc};
use crate::oracle::agree;

/// Loads a generated ruleset. One without a catch-all may route some
/// context nowhere (E008 for `check`, which loading does not run), so
/// no-match decisions are fuzzed too. A ruleset with errors (a bad regex,
/// a let cycle through a generated name, ...) skips the input.
pub fn compile_generated(src: &str) -> Option<CompiledTable> {
    let mut sources = SourceMap::new();
    sources.add("gen.route", src);
    CompiledTable::from_sources(sources, LoadOptions::new())
        .ok()
        .map(|(table, _)| table)
}

/// The test files a `decide` input may pick instead of a generated
/// ruleset, compiled once.
fn corpus() -> &'static [CompiledTable] {
    static CORPUS: OnceLock<Vec<CompiledTable>> = OnceLock::new();
    CORPUS.get_or_init(|| {
        let texts = [
            include_str!("../../examples/openrouter.route"),
            include_str!("../../corpus/good/atoms.route"),
            include_str!("../../corpus/good/bare-rule.route"),
            include_str!("../../corpus/good/language-section1.route"),
            include_str!("../../corpus/good/missing-values.route"),
            include_str!("../../corpus/good/priorities.route"),
            include_str!("../../corpus/good/targets.route"),
            include_str!("../../corpus/good/tests.route"),
            include_str!("../../corpus/good/unicode-and-comments.route"),
        ];
        texts
            .iter()
            .filter_map(|t| CompiledTable::from_source(t).ok().map(|(table, _)| table))
            .collect()
    })
}

/// The same ruleset compiled with another index policy.
fn recompiled(table: &CompiledTable, index: IndexPolicy) -> CompiledTable {
    CompiledTable::compile_with(
        table.ruleset().clone(),
        table.sources(),
        &CompileOptions::default().with_index(index),
    )
    .unwrap_or_else(|e| panic!("recompiling with {index:?} failed: {e}"))
}

/// Builds a context for `table` from a description; `None` when the
/// library rejects a value (which it must do for NaN, infinities, wrong
/// types and strings outside an enum).
fn build<'t>(table: &'t CompiledTable, desc: &ContextDesc) -> Option<Context<'t>> {
    let fields = &table.ruleset().fields;
    let name = |i: u8| -> String {
        let i = usize::from(i);
        fields
            .get(i % (fields.len() + 1))
            .map_or_else(|| "not_a_field".to_string(), |f| f.name.clone())
    };
    let long = |t: &Text, n: u16| t.get().repeat(usize::from(n));
    if desc.via_json {
        let mut map = Map::new();
        for (i, v) in desc.values.iter().take(16) {
            let json = match v {
                ValueDesc::Null => Json::Null,
                ValueDesc::Bool(b) => Json::Bool(*b),
                ValueDesc::Int(i) => Json::from(*i),
                // NaN and infinities are not JSON: `null`.
                ValueDesc::Float(f) => Json::from(*f),
                ValueDesc::Str(t) => Json::from(t.get()),
                ValueDesc::Long(t, n) => Json::from(long(t, *n)),
            };
            map.insert(name(*i), json);
        }
        table
            .context_from_json_at(&Json::Object(map), Some(desc.unix))
            .ok()
    } else {
        let mut b = table.context().at_unix(desc.unix);
        for (i, v) in desc.values.iter().take(16) {
            let field = name(*i);
            let kept;
            let input = match v {
                ValueDesc::Null => {
                    b = b.clear(&field);
                    continue;
                }
                ValueDesc::Bool(x) => Input::Bool(*x),
                ValueDesc::Int(x) => Input::Int(*x),
                ValueDesc::Float(x) => Input::Float(*x),
                ValueDesc::Str(t) => Input::Str(t.get()),
                ValueDesc::Long(t, n) => {
                    kept = long(t, *n);
                    Input::Str(&kept)
                }
            };
            let non_finite = matches!(input, Input::Float(f) if !f.is_finite());
            let is_known = fields.iter().any(|f| f.name == field);
            match b.set(&field, input) {
                Ok(next) => {
                    assert!(
                        !(non_finite && is_known),
                        "a non-finite float was accepted for `{field}`"
                    );
                    b = next;
                }
                Err(_) => return None,
            }
        }
        Some(b.build())
    }
}

/// `decide`: compile the input's ruleset, with every index policy, and
/// decide each context with all of them, compiled and naive.
pub fn decide_target(input: &DecideInput) {
    let generated;
    let table = match &input.rules {
        Rules::Generated(desc) => {
            let src = desc.render();
            let Some(t) = compile_generated(&src) else {
                return;
            };
            generated = t;
            &generated
        }
        Rules::Corpus(i) => {
            let all = corpus();
            match all.get(usize::from(*i) % all.len().max(1)) {
                Some(t) => t,
                None => return,
            }
        }
    };
    let always = recompiled(table, IndexPolicy::Always);
    let never = recompiled(table, IndexPolicy::Never);
    for desc in input.contexts.iter().take(8) {
        let built: Vec<Option<Context>> = [table, &always, &never]
            .iter()
            .map(|t| build(t, desc))
            .collect();
        // The tables share a schema: a context is valid for all or none.
        assert!(
            built.iter().all(Option::is_some) || built.iter().all(Option::is_none),
            "a context is valid for one index policy only"
        );
        let [Some(c0), Some(c1), Some(c2)] = &built[..] else {
            continue;
        };
        agree(table, c0);
        agree(&always, c1);
        agree(&never, c2);
        let rule = |t: &CompiledTable, c: &Context| {
            t.decide(c)
                .ok()
                .flatten()
                .map(|d| (d.rule().to_string(), d.variant().map(str::to_string)))
        };
        let d0 = rule(table, c0);
        assert_eq!(d0, rule(&always, c1), "index policy Always disagrees");
        assert_eq!(d0, rule(&never, c2), "index policy Never disagrees");
        // A context belongs to the table that built it.
        assert_eq!(
            always.decide(c0).err(),
            Some(DecideError::ForeignContext),
            "a foreign context was accepted"
        );
    }
}
