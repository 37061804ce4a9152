//! Checking benchmarks: name resolution and types alone, and with the
//! condition analysis (W101, W102, E008, N201), over synthetic multi-tenant
//! rulesets of up to 10,000 rules; and the same rulesets without their
//! catch-all, where the search for a context no rule matches has to work.
//!
//! `cargo bench -p switchyard-benches --bench check`

#![allow(clippy::unwrap_used, clippy::expect_used, reason = "benchmarks")]
#![allow(
    missing_docs,
    reason = "criterion's macros generate undocumented items"
)]

use std::hint::black_box;

use criterion::{criterion_group, criterion_main, BenchmarkId, Criterion};
use switchyard_benches::{to_route, Workload, DEFAULT_SEED};
use switchyard_check::{check_with, CheckOptions};
use switchyard_syntax::ast::RuleFile;
use switchyard_syntax::{Limits, SourceMap};

const SIZES: [usize; 3] = [100, 1_000, 10_000];

fn parse(src: &str) -> Vec<RuleFile> {
    let mut sources = SourceMap::new();
    sources.add("synthetic.route", src);
    switchyard_syntax::parse_sources(&sources, &Limits::default()).unwrap()
}

fn check(c: &mut Criterion) {
    let mut group = c.benchmark_group("check");
    group.sample_size(10);
    let plain = CheckOptions {
        analysis: None,
        ..CheckOptions::default()
    };
    let full = CheckOptions::default();
    let workload = Workload::new(DEFAULT_SEED);
    for n in SIZES {
        let mut ruleset = workload.ruleset(n);
        let src = to_route(&ruleset);
        let files = parse(&src);
        ruleset.rules.pop(); // the catch-all
        let open = parse(&to_route(&ruleset));
        group.bench_with_input(BenchmarkId::new("types-only", n), &n, |b, _| {
            b.iter(|| black_box(check_with(&files, &plain).diagnostics.len()))
        });
        group.bench_with_input(BenchmarkId::new("with-analysis", n), &n, |b, _| {
            b.iter(|| black_box(check_with(&files, &full).diagnostics.len()))
        });
        group.bench_with_input(BenchmarkId::new("no-catch-all", n), &n, |b, _| {
            b.iter(|| black_box(check_with(&open, &full).diagnostics.len()))
        });
        group.bench_with_input(BenchmarkId::new("parse+check", n), &n, |b, _| {
            b.iter(|| black_box(check_with(&parse(&src), &full).diagnostics.len()))
        });
    }
    group.finish();
}

criterion_group!(benches, check);
criterion_main!(benches);
