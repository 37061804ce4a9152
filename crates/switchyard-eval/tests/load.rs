//! The one load path and its one options value: the condition analysis is
//! off unless asked, a catalog gives W104 on loading too, `check` is the
//! first two stages of loading, and hot reload loads with the same options.

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    reason = "tests"
)]

use std::sync::Arc;
use std::time::Duration;

use switchyard_catalog::Catalog;
use switchyard_check::analysis::AnalysisOptions;
use switchyard_eval::{
    check, CompiledTable, LiveRuleset, LoadOptions, ReloadOptions, RulesetError,
};
use switchyard_syntax::{Code, Diagnostic, Limits, SourceMap};

/// A request with `a` unset matches no rule (E008), `r2` is covered by
/// `r1` (W101), and `x/unknown` is in no catalog (W104).
const RULES: &str = r#"context { a: bool = false }
defaults max_tokens 10
rule r1: when a -> "openai/gpt-4o"
rule r2: when a -> "x/unknown"
"#;

fn sources(text: &str) -> SourceMap {
    let mut sources = SourceMap::new();
    sources.add("t.route", text);
    sources
}

fn catalog() -> Arc<Catalog> {
    let path = concat!(env!("CARGO_MANIFEST_DIR"), "/../../examples/models.json");
    Arc::new(Catalog::load(path).unwrap())
}

fn codes(diagnostics: &[Diagnostic]) -> Vec<Code> {
    diagnostics.iter().map(|d| d.code).collect()
}

fn refused(loaded: Result<(CompiledTable, Vec<Diagnostic>), RulesetError>) -> Vec<Code> {
    match loaded {
        Err(RulesetError::Invalid { diagnostics, .. }) => codes(&diagnostics),
        Err(e) => panic!("not refused for its diagnostics: {e}"),
        Ok(_) => panic!("loaded"),
    }
}

#[test]
fn loading_skips_the_condition_analysis_unless_asked() {
    let (table, warnings) =
        CompiledTable::from_sources(sources(RULES), LoadOptions::new()).unwrap();
    assert!(warnings.is_empty(), "{warnings:?}");
    let ctx = table.context().build();
    assert!(table.decide(&ctx).unwrap().is_none());

    let analysed = LoadOptions::new().with_analysis(AnalysisOptions::default());
    let found = refused(CompiledTable::from_sources(sources(RULES), &analysed));
    assert!(found.contains(&Code::E008), "{found:?}");
    assert!(found.contains(&Code::W101), "{found:?}");
}

#[test]
fn a_catalog_in_the_options_gives_w104_when_loading() {
    let options = LoadOptions::new().with_catalog(catalog());
    let (_, warnings) = CompiledTable::from_sources(sources(RULES), &options).unwrap();
    assert_eq!(codes(&warnings), [Code::W104]);
    assert!(warnings[0].message.contains("x/unknown"), "{warnings:?}");
}

#[test]
fn check_is_the_first_two_stages_of_loading() {
    let options = LoadOptions::new().with_catalog(catalog());
    let checked = check(&sources(RULES), &options);
    let (_, warnings) = CompiledTable::from_sources(sources(RULES), &options).unwrap();
    assert_eq!(checked.diagnostics, warnings);
    assert!(checked.ruleset.is_some());

    let analysed = options.with_analysis(AnalysisOptions::default());
    let checked = check(&sources(RULES), &analysed);
    assert!(checked.ruleset.is_none());
    assert_eq!(
        codes(&checked.diagnostics),
        refused(CompiledTable::from_sources(sources(RULES), &analysed))
    );

    // Syntax errors come back as diagnostics, unchecked.
    let checked = check(&sources("rule r: ->"), &LoadOptions::new());
    assert_eq!(codes(&checked.diagnostics), [Code::E001]);
}

#[test]
fn limits_and_the_regex_size_limit_apply() {
    let two = "defaults max_tokens 1\nrule a: otherwise -> \"m/a\"\nrule b: otherwise -> \"m/b\"\n";
    let one_rule = Limits {
        max_rules: 1,
        ..Limits::default()
    };
    // `Limits` alone stand for the default options with those limits.
    assert_eq!(
        refused(CompiledTable::from_sources(sources(two), &one_rule)),
        [Code::E013]
    );
    assert_eq!(
        refused(CompiledTable::from_sources(
            sources(two),
            LoadOptions::new().with_limits(one_rule)
        )),
        [Code::E013]
    );

    let regex = "context { p: string }\ndefaults max_tokens 1\n\
                 rule a: when p matches /a{100}/ -> \"m/a\"\nrule b: otherwise -> \"m/b\"\n";
    assert!(CompiledTable::from_sources(sources(regex), LoadOptions::new()).is_ok());
    let tiny = LoadOptions::new().with_regex_size_limit(64);
    assert_eq!(
        refused(CompiledTable::from_sources(sources(regex), &tiny)),
        [Code::E010]
    );
}

#[test]
fn hot_reload_loads_with_the_same_options() {
    let dir = std::env::temp_dir().join(format!("switchyard-load-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let path = dir.join("rules.route");
    std::fs::write(&path, RULES).unwrap();
    let options = ReloadOptions::new()
        .file_events(false)
        .poll_interval(None)
        .debounce(Duration::from_millis(1))
        .load_options(LoadOptions::new().with_catalog(catalog()));
    let live = LiveRuleset::watch(&path, options).unwrap();
    assert_eq!(codes(&live.status().warnings), [Code::W104]);

    // No analysis on reload either: still no E008, a new W104.
    std::fs::write(&path, RULES.replace("x/unknown", "y/unknown")).unwrap();
    live.reload_now().unwrap();
    let warnings = live.status().warnings;
    assert_eq!(codes(&warnings), [Code::W104]);
    assert!(warnings[0].message.contains("y/unknown"), "{warnings:?}");
    drop(live);
    std::fs::remove_dir_all(&dir).unwrap();
}
