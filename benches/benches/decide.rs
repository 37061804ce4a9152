//! Decision, compile and parse benchmarks. The compiled table and
//! switchyard's own naive rule-by-rule interpreter (`decide_naive`) run side
//! by side in one group, so their ratio comes from one run. Decisions cycle
//! through 1,024 contexts, which stay in cache; the `request` bench has
//! issue #11's targets, over 100,000 requests.
//!
//! `cargo bench -p switchyard-benches --bench decide`

#![allow(clippy::unwrap_used, clippy::expect_used, reason = "benchmarks")]
#![allow(
    missing_docs,
    reason = "criterion's macros generate undocumented items"
)]

use std::hint::black_box;

use criterion::{criterion_group, criterion_main, BenchmarkId, Criterion};
use switchyard_benches::{switchyard_builder_context, to_route, Workload, DEFAULT_SEED};
use switchyard_eval::{CompiledTable, Context, Health};
use switchyard_syntax::{Limits, SourceMap};

const SIZES: [usize; 4] = [10, 100, 1_000, 10_000];
const CONTEXTS: usize = 1_024;

/// The `.route` text of the multi-tenant ruleset of `n` rules.
fn multi_tenant(n: usize) -> String {
    to_route(&Workload::new(DEFAULT_SEED).ruleset(n))
}

fn table(n: usize) -> CompiledTable {
    CompiledTable::from_source(&multi_tenant(n)).unwrap().0
}

fn contexts(t: &CompiledTable) -> Vec<Context<'_>> {
    Workload::new(DEFAULT_SEED)
        .requests(CONTEXTS)
        .iter()
        .map(|r| switchyard_builder_context(t, r).unwrap())
        .collect()
}

fn decide(c: &mut Criterion) {
    let mut group = c.benchmark_group("decide");
    for n in SIZES {
        let t = table(n);
        let ctxs = contexts(&t);
        group.bench_with_input(BenchmarkId::new("compiled", n), &n, |b, _| {
            let mut i = 0;
            b.iter(|| {
                i = (i + 1) % CONTEXTS;
                black_box(t.decide(&ctxs[i]).unwrap().map(|d| d.rule().len()))
            })
        });
        group.bench_with_input(BenchmarkId::new("naive", n), &n, |b, _| {
            let mut i = 0;
            b.iter(|| {
                i = (i + 1) % CONTEXTS;
                black_box(t.decide_naive(&ctxs[i]).unwrap().map(|d| d.rule().len()))
            })
        });
    }
    group.finish();
}

/// `decide` beside `decide_with_health` with a healthy registry (the target:
/// at most 10% slower) and with one model down.
fn health(c: &mut Criterion) {
    let mut group = c.benchmark_group("health");
    for n in [10, 10_000] {
        let t = table(n);
        let ctxs = contexts(&t);
        let healthy = Health::default();
        let one_down = Health::default();
        one_down.mark_down("openai/gpt-4o", std::time::Duration::from_secs(3600));
        group.bench_with_input(BenchmarkId::new("decide", n), &n, |b, _| {
            let mut i = 0;
            b.iter(|| {
                i = (i + 1) % CONTEXTS;
                black_box(t.decide(&ctxs[i]).unwrap().map(|d| d.rule().len()))
            })
        });
        for (name, h) in [("healthy", &healthy), ("one-down", &one_down)] {
            group.bench_with_input(BenchmarkId::new(name, n), &n, |b, _| {
                let mut i = 0;
                b.iter(|| {
                    i = (i + 1) % CONTEXTS;
                    black_box(
                        t.decide_with_health(&ctxs[i], h)
                            .unwrap()
                            .map(|d| d.rule().len()),
                    )
                })
            });
        }
    }
    group.finish();
}

fn example(c: &mut Criterion) {
    let path = concat!(env!("CARGO_MANIFEST_DIR"), "/../examples/openrouter.route");
    let (t, _) = CompiledTable::load(std::path::Path::new(path), &Limits::default()).unwrap();
    let json = [
        serde_json::json!({"tier": "free"}),
        serde_json::json!({"tier": "pro", "task": "code", "budget": 40.0}),
        serde_json::json!({"tier": "enterprise", "budget": 100.0, "needs_tools": true}),
        serde_json::json!({"tier": "pro", "budget": 20.0, "task": "chat", "user": "user-17"}),
        serde_json::json!({"tier": "basic", "budget": 0.2}),
        serde_json::json!({"tier": "pro", "budget": 9.0, "prompt": "explain why this def f(): fails"}),
    ];
    let ctxs: Vec<Context> = json
        .iter()
        .map(|j| t.context_from_json(j).unwrap())
        .collect();
    let mut group = c.benchmark_group("example");
    group.bench_function("compiled", |b| {
        let mut i = 0;
        b.iter(|| {
            i = (i + 1) % ctxs.len();
            black_box(t.decide(&ctxs[i]).unwrap().map(|d| d.rule().len()))
        })
    });
    group.bench_function("naive", |b| {
        let mut i = 0;
        b.iter(|| {
            i = (i + 1) % ctxs.len();
            black_box(t.decide_naive(&ctxs[i]).unwrap().map(|d| d.rule().len()))
        })
    });
    group.finish();
}

fn compile(c: &mut Criterion) {
    let mut group = c.benchmark_group("compile");
    group.sample_size(10);
    for n in [1_000, 10_000] {
        let src = multi_tenant(n);
        let mut sources = SourceMap::new();
        sources.add("synthetic.route", src.as_str());
        let files = switchyard_syntax::parse_sources(&sources, &Limits::default()).unwrap();
        let checked = switchyard_check::check(&files).ruleset.unwrap();
        group.bench_with_input(BenchmarkId::new("compile", n), &n, |b, _| {
            b.iter(|| {
                black_box(
                    CompiledTable::compile(checked.clone(), &sources)
                        .unwrap()
                        .len(),
                )
            })
        });
        group.bench_with_input(BenchmarkId::new("parse+check+compile", n), &n, |b, _| {
            b.iter(|| {
                black_box(
                    CompiledTable::from_sources(sources.clone(), &Limits::default())
                        .unwrap()
                        .0
                        .len(),
                )
            })
        });
    }
    group.finish();
}

criterion_group!(benches, decide, health, example, compile);
criterion_main!(benches);
