//! A decision with Redis-backed health (`switchyard-redis`'s
//! `SharedHealth`, against a real redis-server of its own) beside one
//! with the in-process registry, healthy and with one model down (the
//! target: within 10%). Both read a local snapshot; this shows the shared
//! one costs the same.
//!
//! `cargo bench -p switchyard-benches --bench fleet` (needs redis-server:
//! `.ci/redis-server.sh`)

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    reason = "benchmarks"
)]
#![allow(
    missing_docs,
    reason = "criterion's macros generate undocumented items"
)]

use std::hint::black_box;
use std::time::{Duration, Instant};

use criterion::{criterion_group, criterion_main, BenchmarkId, Criterion};
use switchyard_benches::{switchyard_builder_context, to_route, Workload, DEFAULT_SEED};
use switchyard_eval::{CompiledTable, Context, Health, HealthRegistry};
use switchyard_redis::{Redis, RedisOptions, SharedHealth, SharedHealthOptions};
use switchyard_testing::redis_server::RedisServer;

const CONTEXTS: usize = 1_024;
const DOWN: &str = "openai/gpt-4o";

fn fleet(c: &mut Criterion) {
    let server = RedisServer::start();
    let runtime = tokio::runtime::Runtime::new().unwrap();
    let _guard = runtime.enter();
    let redis = Redis::connect(&RedisOptions::new(server.url())).unwrap();
    // The healthy one on keys and a channel of its own: the cooldown below
    // does not reach it.
    let apart = Redis::connect(&RedisOptions {
        prefix: "apart".to_string(),
        ..RedisOptions::new(server.url())
    })
    .unwrap();
    let shared_healthy = SharedHealth::start(&apart, SharedHealthOptions::default());
    let shared_down = SharedHealth::start(&redis, SharedHealthOptions::default());
    let local_healthy = Health::default();
    let local_down = Health::default();
    local_down.mark_down(DOWN, Duration::from_secs(3600));
    // Marked down in Redis by a replica of its own, so the snapshot below
    // is what pub/sub or a resync filled.
    let other = SharedHealth::start(&redis, SharedHealthOptions::default());
    let start = Instant::now();
    while !shared_down.snapshot().is_down(DOWN) {
        other.mark_down(DOWN, Duration::from_secs(3600));
        assert!(
            start.elapsed() < Duration::from_secs(10),
            "redis did not answer"
        );
        std::thread::sleep(Duration::from_millis(50));
    }

    // Subscribed and resynced (an empty registry would answer the same).
    std::thread::sleep(Duration::from_millis(200));
    assert!(apart.status().is_up() && !shared_healthy.snapshot().is_down(DOWN));
    let mut group = c.benchmark_group("fleet-health");
    for n in [10, 10_000] {
        let t = CompiledTable::from_source(&to_route(&Workload::new(DEFAULT_SEED).ruleset(n)))
            .unwrap()
            .0;
        let ctxs: Vec<Context<'_>> = Workload::new(DEFAULT_SEED)
            .requests(CONTEXTS)
            .iter()
            .map(|r| switchyard_builder_context(&t, r).unwrap())
            .collect();
        let registries: [(&str, &dyn HealthRegistry); 4] = [
            ("in-process-healthy", &local_healthy),
            ("redis-healthy", &shared_healthy),
            ("in-process-one-down", &local_down),
            ("redis-one-down", &shared_down),
        ];
        for (name, h) in registries {
            group.bench_with_input(BenchmarkId::new(name, n), &n, |b, _| {
                let mut i = 0;
                b.iter(|| {
                    i = (i + 1) % CONTEXTS;
                    black_box(
                        t.decide_with_health(&ctxs[i], h.snapshot())
                            .unwrap()
                            .map(|d| d.rule().len()),
                    )
                })
            });
        }
    }
    group.finish();
}

criterion_group!(benches, fleet);
criterion_main!(benches);
