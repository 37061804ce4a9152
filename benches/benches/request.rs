//! Issue #11's request-path targets, each a ratio measured in one run: for
//! the routing guide's 8 rules (`request-seed`) and multi-tenant rulesets of
//! 1,000 and 10,000 rules (`request-1000`, `request-10000`), one group whose
//! functions decide the same 100,000 requests in turn, one per iteration:
//!
//! - `naive`: the naive rule-by-rule interpreter over `&Request` (the
//!   baseline);
//! - `handwritten` (seed only): the guide's rules as an `if` chain;
//! - `host_values`: `&Request` to decision through switchyard's public API
//!   (`switchyard_host`: the context built from the eight fields, then
//!   `decide`); target at most 1.5× `naive` on the seed, at most 1 µs at
//!   10,000 rules;
//! - `host_builder`: the same through the by-name builder (the convenient
//!   form);
//! - `decide_alone`: `decide` on contexts built before timing; target at
//!   most `naive` on the seed;
//! - `json_bytes`: the request's JSON bytes to decision (`switchyard_json`);
//!   target at most 1.2× `serde_naive`;
//! - `serde_naive`: serde_json parses the bytes into a `Request`, then the
//!   naive interpreter decides.
//!
//! `cargo bench -p switchyard-benches --bench request` (about 3 minutes;
//! `-- request-seed` for one group);
//! `tests/same_choices.rs` checks that every path chooses the same rules.

#![allow(
    missing_docs,
    reason = "criterion's macros generate undocumented items"
)]

use std::error::Error;
use std::hint::black_box;
use std::time::Duration;

use criterion::{criterion_group, criterion_main, Bencher, Criterion};
use switchyard_benches::{
    json_lines, serde_naive, switchyard_context, switchyard_decide, switchyard_host,
    switchyard_host_builder, switchyard_json, target_rulesets, PreparedRuleset, Request, Workload,
    DEFAULT_SEED, REQUESTS,
};
use switchyard_eval::Context;

/// The requests every ruleset decides, typed and as JSON bytes.
struct Traffic {
    requests: Vec<Request>,
    json: Vec<Vec<u8>>,
}

/// A benchmark routine that runs `decide` on `items[0]`, `items[1]`, ...
/// in turn, one per iteration, starting over after the last. The position
/// lives in the routine, so criterion's successive samples go on through
/// the items instead of each starting again at the first.
fn cycling<'a, T, R>(
    items: &'a [T],
    mut decide: impl FnMut(&T) -> R + 'a,
) -> impl FnMut(&mut Bencher<'_>) + 'a {
    let mut i = 0;
    move |b| {
        b.iter(|| {
            let choice = decide(black_box(&items[i]));
            i += 1;
            if i == items.len() {
                i = 0;
            }
            choice
        })
    }
}

fn measure(
    c: &mut Criterion,
    prepared: &PreparedRuleset,
    traffic: &Traffic,
) -> Result<(), Box<dyn Error>> {
    let (table, naive) = (&prepared.table, &prepared.naive);
    let contexts: Vec<Context<'_>> = traffic
        .requests
        .iter()
        .map(|r| switchyard_context(table, r))
        .collect::<Result<_, _>>()?;
    let mut group = c.benchmark_group(format!("request-{}", prepared.label));
    group
        .sample_size(20)
        .warm_up_time(Duration::from_secs(1))
        .measurement_time(Duration::from_secs(8));
    let (requests, json) = (&traffic.requests, &traffic.json);
    group.bench_function("naive", cycling(requests, |r| naive.decide(r)));
    if let Some(chain) = prepared.handwritten {
        group.bench_function("handwritten", cycling(requests, chain));
    }
    group.bench_function(
        "host_values",
        cycling(requests, |r| switchyard_host(table, r)),
    );
    group.bench_function(
        "host_builder",
        cycling(requests, |r| switchyard_host_builder(table, r)),
    );
    group.bench_function(
        "decide_alone",
        cycling(&contexts, |ctx| switchyard_decide(table, ctx)),
    );
    group.bench_function("json_bytes", cycling(json, |j| switchyard_json(table, j)));
    group.bench_function("serde_naive", cycling(json, |j| serde_naive(naive, j)));
    group.finish();
    Ok(())
}

fn run(c: &mut Criterion) -> Result<(), Box<dyn Error>> {
    let workload = Workload::new(DEFAULT_SEED);
    let requests = workload.requests(REQUESTS);
    let json = json_lines(&requests)?;
    let traffic = Traffic { requests, json };
    for target in target_rulesets(&workload) {
        // One ruleset loaded at a time: the 10,000-rule table and its
        // 100,000 contexts are not kept while the others are measured.
        let prepared = PreparedRuleset::new(target)?;
        measure(c, &prepared, &traffic)?;
    }
    Ok(())
}

#[allow(
    clippy::panic,
    reason = "a bench without its workload has nothing to measure"
)]
fn request(c: &mut Criterion) {
    if let Err(e) = run(c) {
        panic!("request bench: {e}");
    }
}

criterion_group!(benches, request);
criterion_main!(benches);
