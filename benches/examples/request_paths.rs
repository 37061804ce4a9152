//! Runs one request path of the `request` bench over its 100,000
//! requests, one pass or several, for counting instructions and cache
//! misses per request with callgrind or cachegrind, which time cannot do
//! on a shared machine. Each path is one function the tool can be told to
//! count alone:
//!
//! ```sh
//! cargo build --profile bench -p switchyard-benches --example request_paths
//! valgrind --tool=callgrind --toggle-collect='*decide_one*' \
//!     target/release/examples/request_paths decide
//! # instructions per request: the "Collected" count / 100,000
//! ```
//!
//! Paths (and the function to count): `naive` (`naive_one`), `host`
//! (`host_one`), `builder` (`builder_one`), `decide` (`decide_one`),
//! `json` (`json_one`), `serde` (`serde_one`). `SET=1` or `SET=2` takes the
//! 1,000- or 10,000-rule table instead of the routing guide's;
//! `POLICY=never|always` overrides the index cost model.
//!
//! It also prints the wall time per request of the passes (standard
//! error): a quick side-by-side of two paths, and, with `LIMIT=1000` (the
//! first 1,000 requests only, which stay in the cache), how much of a
//! path's time is waiting for memory:
//!
//! ```sh
//! for p in naive decide; do target/release/examples/request_paths $p 30; done
//! for p in naive decide; do LIMIT=1000 target/release/examples/request_paths $p 3000; done
//! ```

use std::error::Error;
use std::hint::black_box;
use std::process::ExitCode;
use std::time::Instant;

use switchyard_benches::{
    json_lines, serde_naive, switchyard_context, switchyard_decide, switchyard_host,
    switchyard_host_builder, switchyard_json, target_rulesets, NaiveInterpreter, Request,
    RuleChoice, Workload, DEFAULT_SEED, REQUESTS,
};
use switchyard_eval::{CompiledTable, Context, IndexPolicy, LoadOptions};

fn len(choice: RuleChoice<'_>) -> usize {
    choice.ok().flatten().map_or(0, str::len)
}

#[inline(never)]
fn naive_one(naive: &NaiveInterpreter, r: &Request) -> usize {
    naive.decide(r).map_or(0, str::len)
}

#[inline(never)]
fn host_one(table: &CompiledTable, r: &Request) -> usize {
    len(switchyard_host(table, r))
}

#[inline(never)]
fn builder_one(table: &CompiledTable, r: &Request) -> usize {
    len(switchyard_host_builder(table, r))
}

#[inline(never)]
fn decide_one(table: &CompiledTable, c: &Context<'_>) -> usize {
    len(switchyard_decide(table, c))
}

#[inline(never)]
fn json_one(table: &CompiledTable, j: &[u8]) -> usize {
    len(switchyard_json(table, j))
}

#[inline(never)]
fn serde_one(naive: &NaiveInterpreter, j: &[u8]) -> usize {
    len(serde_naive(naive, j))
}

fn run() -> Result<usize, Box<dyn Error>> {
    let mut args = std::env::args().skip(1);
    let path = args.next().ok_or("usage: request_paths PATH [PASSES]")?;
    let passes: usize = args.next().map_or(Ok(1), |p| p.parse())?;
    let set: usize = std::env::var("SET").map_or(Ok(0), |s| s.parse())?;
    let index = match std::env::var("POLICY").as_deref() {
        Ok("never") => IndexPolicy::Never,
        Ok("always") => IndexPolicy::Always,
        _ => IndexPolicy::CostModel,
    };
    let workload = Workload::new(DEFAULT_SEED);
    let limit: usize = std::env::var("LIMIT").map_or(Ok(REQUESTS), |l| l.parse())?;
    let requests = workload.requests(limit);
    let json = json_lines(&requests)?;
    let target = target_rulesets(&workload)
        .into_iter()
        .nth(set)
        .ok_or("SET is 0, 1 or 2")?;
    let route = switchyard_benches::to_route(&target.ruleset);
    let naive = NaiveInterpreter::new(&target.ruleset)?;
    let mut sources = switchyard_syntax::SourceMap::new();
    sources.add("<inline>", route.as_str());
    let options = LoadOptions::new().bind::<Request>().with_index(index);
    let (table, _) = CompiledTable::from_sources(sources, &options)?;
    let contexts = requests
        .iter()
        .map(|r| switchyard_context(&table, r))
        .collect::<Result<Vec<_>, _>>()?;
    let mut n = 0;
    let started = Instant::now();
    for _ in 0..passes {
        n += match path.as_str() {
            "naive" => requests
                .iter()
                .map(|r| naive_one(&naive, black_box(r)))
                .sum(),
            "host" => requests
                .iter()
                .map(|r| host_one(&table, black_box(r)))
                .sum(),
            "builder" => requests
                .iter()
                .map(|r| builder_one(&table, black_box(r)))
                .sum(),
            "decide" => contexts
                .iter()
                .map(|c| decide_one(&table, black_box(c)))
                .sum(),
            "json" => json.iter().map(|j| json_one(&table, black_box(j))).sum(),
            "serde" => json
                .iter()
                .map(|j| serde_one(&naive, black_box(j)))
                .sum::<usize>(),
            "none" => 0,
            other => return Err(format!("unknown path `{other}`").into()),
        };
    }
    let decisions = passes.saturating_mul(requests.len()).max(1);
    eprintln!(
        "{path}: {:.1} ns a request",
        started.elapsed().as_secs_f64() * 1e9 / decisions as f64
    );
    Ok(n)
}

fn main() -> ExitCode {
    match run() {
        Ok(n) => {
            println!("{n}");
            ExitCode::SUCCESS
        }
        Err(e) => {
            eprintln!("request_paths: {e}");
            ExitCode::FAILURE
        }
    }
}
