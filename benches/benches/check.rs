//! Loading and checking benchmarks over synthetic multi-tenant rulesets of
//! up to 10,000 rules (`switchyard_benches::Workload`, the ruleset of
//! `examples/traffic.rs`), all through the one load path:
//!
//! - `load/without-analysis`: parse, check and compile with the default
//!   `LoadOptions`, as a host and every command but `check` load (the
//!   loaded table is freed outside the timing);
//! - `check/without-analysis`, `check/with-analysis`: parse and check, as
//!   `switchyard check` does (which adds the condition analysis: W101,
//!   W102, E008, N201); `check/no-catch-all`: the same rulesets without
//!   their catch-all, where the search for a context no rule matches has
//!   to work;
//! - `render/human`, `render/json`: N diagnostics, each on its own rule and
//!   with a label on the `context` block at the top of the file, over a
//!   file of N rules. Throughput is per diagnostic: it stays flat as N
//!   grows, since rendering is linear in the diagnostics and the file.
//!
//! `cargo bench -p switchyard-benches --bench check`

#![allow(clippy::unwrap_used, clippy::expect_used, reason = "benchmarks")]
#![allow(
    missing_docs,
    reason = "criterion's macros generate undocumented items"
)]

use std::hint::black_box;

use criterion::{criterion_group, criterion_main, BenchmarkId, Criterion, Throughput};
use switchyard::render;
use switchyard::{AnalysisOptions, Code, CompiledTable, Diagnostic, LoadOptions, SourceMap, Span};
use switchyard_benches::{to_route, Workload, DEFAULT_SEED};

const SIZES: [usize; 3] = [100, 1_000, 10_000];

fn sources(src: &str) -> SourceMap {
    let mut sources = SourceMap::new();
    sources.add("synthetic.route", src);
    sources
}

/// The multi-tenant ruleset of `n` rules, with and without its catch-all.
fn multi_tenant(n: usize) -> (String, String) {
    let mut ruleset = Workload::new(DEFAULT_SEED).ruleset(n);
    let all = to_route(&ruleset);
    ruleset.rules.pop();
    (all, to_route(&ruleset))
}

fn load(c: &mut Criterion) {
    let mut group = c.benchmark_group("load");
    group.sample_size(10);
    let options = LoadOptions::new();
    for n in SIZES {
        let all = sources(&multi_tenant(n).0);
        group.bench_with_input(BenchmarkId::new("without-analysis", n), &n, |b, _| {
            // The table is returned, so freeing it is not timed: a host
            // keeps the table it loads (and frees the one it replaces
            // whenever its last reader is done with it, off the load path).
            b.iter_with_large_drop(|| CompiledTable::from_sources(all.clone(), &options).unwrap())
        });
    }
    group.finish();
}

fn check(c: &mut Criterion) {
    let mut group = c.benchmark_group("check");
    group.sample_size(10);
    let plain = LoadOptions::new();
    let analysed = LoadOptions::new().with_analysis(AnalysisOptions::default());
    for n in SIZES {
        let (with, without) = multi_tenant(n);
        let all = sources(&with);
        let open = sources(&without);
        let count = |s: &SourceMap, o: &LoadOptions| switchyard::check(s, o).diagnostics.len();
        group.bench_with_input(BenchmarkId::new("without-analysis", n), &n, |b, _| {
            b.iter(|| black_box(count(&all, &plain)))
        });
        group.bench_with_input(BenchmarkId::new("with-analysis", n), &n, |b, _| {
            b.iter(|| black_box(count(&all, &analysed)))
        });
        group.bench_with_input(BenchmarkId::new("no-catch-all", n), &n, |b, _| {
            b.iter(|| black_box(count(&open, &analysed)))
        });
    }
    group.finish();
}

/// A file of `n` rules under a `context` block, and one diagnostic per
/// rule with a label on the block: every label is far from its
/// diagnostic, the case that was quadratic.
fn diagnosed(n: usize) -> (SourceMap, Vec<Diagnostic>) {
    let mut text = String::from("context { tier: \"free\" | \"pro\" = \"free\" }\n");
    let mut spans = Vec::with_capacity(n);
    for i in 0..n {
        let start = text.len() + format!("rule r{i}: when tier == ").len();
        text.push_str(&format!("rule r{i}: when tier == \"gold\" -> \"m/x\"\n"));
        spans.push((start, start + "\"gold\"".len()));
    }
    let mut map = SourceMap::new();
    let id = map.add("rendered.route", text);
    let diagnostics = spans
        .into_iter()
        .map(|(start, end)| {
            Diagnostic::new(
                Code::E004,
                "`\"gold\"` is not a value of `tier`",
                Span::new(id, start, end),
            )
            .with_help("expected one of `\"free\"`, `\"pro\"`")
            .with_label(Span::new(id, 16, 30), "`tier` is declared here")
        })
        .collect();
    (map, diagnostics)
}

fn rendering(c: &mut Criterion) {
    let mut group = c.benchmark_group("render");
    group.sample_size(10);
    for n in [1_000, 4_000, 16_000] {
        let (map, diagnostics) = diagnosed(n);
        let items = render::items(&map, &diagnostics);
        group.throughput(Throughput::Elements(n as u64));
        group.bench_with_input(BenchmarkId::new("human", n), &n, |b, _| {
            b.iter(|| black_box(render::human::render(&items, false).len()))
        });
        group.bench_with_input(BenchmarkId::new("json", n), &n, |b, _| {
            b.iter(|| black_box(render::json::render(&items).len()))
        });
    }
    group.finish();
}

criterion_group!(benches, load, check, rendering);
criterion_main!(benches);
