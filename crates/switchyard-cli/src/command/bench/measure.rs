//! The measured run: threads decide the prebuilt contexts in rounds of
//! whole passes over the file until the minimum time has passed.
//!
//! Each thread has its own copy of the contexts and its own counters
//! ([`Tally`]), and takes chunks of [`CHUNK`] contexts from a shared
//! counter (one atomic add per chunk, not per decision), so threads share
//! no cache line on the hot path and a slow thread does not hold the others
//! back. At the end of a round the threads meet at a barrier, and one of
//! them decides whether to go on and how many passes the next round makes:
//! about a twentieth of the minimum time's worth (at most what is left of
//! it), so that the threads seldom wait for each other and the run ends
//! soon after the minimum time. The run is always whole passes: every
//! context is decided equally often.
//!
//! Latency: one decision in 64 on average (the gap drawn at random, so that
//! no context is always or never timed) is timed by itself with
//! [`Instant`], and the clock's own cost, measured before the run, is
//! subtracted. Timing every decision would cost more than a small table's
//! decision.

use std::sync::atomic::{AtomicBool, AtomicU64, AtomicUsize, Ordering};
use std::sync::{Barrier, Mutex, OnceLock};
use std::time::{Duration, Instant};

use switchyard::Context;

use super::prepare::Workload;
use super::tally::{count, Tally};

/// Contexts per chunk taken from the shared counter.
pub const CHUNK: usize = 1024;
/// Decisions in the first round, at least (rounds are whole passes).
pub const FIRST_ROUND: usize = 65_536;
/// Rounds a run aims at: the length of the later rounds.
const ROUNDS: u32 = 20;

/// The outcome of a run.
#[derive(Debug)]
pub struct Measured {
    /// Every thread's counters together.
    pub tally: Tally,
    /// Passes over the file.
    pub passes: u64,
    /// From the first decision to the last.
    pub wall: Duration,
    /// The clock's own cost, subtracted from each timed decision.
    pub clock_ns: u64,
}

/// State the threads share, touched once per chunk or round.
struct Shared {
    /// The next chunk of this round to take.
    next: AtomicUsize,
    /// Chunks in this round; set by the leader between rounds.
    round_chunks: AtomicUsize,
    /// Passes finished.
    passes: AtomicU64,
    stop: AtomicBool,
    barrier: Barrier,
    start: OnceLock<Instant>,
    /// When the round going on started (the leader's).
    round_start: Mutex<Option<Instant>>,
    end: OnceLock<Instant>,
    chunks_per_pass: usize,
    min_time: Duration,
}

impl Shared {
    /// The leader's work between two rounds: count the round's passes,
    /// stop when the time is up, else size the next round.
    fn end_round(&self) {
        let now = Instant::now();
        let chunks = self.round_chunks.load(Ordering::Relaxed);
        let passes = chunks / self.chunks_per_pass.max(1);
        self.passes.fetch_add(passes as u64, Ordering::Relaxed);
        self.next.store(0, Ordering::Relaxed);
        let start = self.start.get().copied().unwrap_or(now);
        let elapsed = now.duration_since(start);
        if elapsed >= self.min_time {
            let _ = self.end.set(now);
            self.stop.store(true, Ordering::Relaxed);
            return;
        }
        let mut round_start = self.round_start.lock().unwrap_or_else(|e| e.into_inner());
        let took = round_start.map_or(elapsed, |s| now.duration_since(s));
        *round_start = Some(now);
        let aim = (self.min_time / ROUNDS).min(self.min_time.saturating_sub(elapsed));
        let per_pass = took.as_secs_f64() / passes.max(1) as f64;
        let next = if per_pass > 0.0 {
            (aim.as_secs_f64() / per_pass).round().max(1.0)
        } else {
            passes as f64
        };
        let next = (next as usize).clamp(1, usize::MAX / CHUNK / self.chunks_per_pass.max(1));
        self.round_chunks
            .store(next * self.chunks_per_pass, Ordering::Relaxed);
    }
}

/// Runs a thread per set of `contexts` for at least `min_time` (one pass
/// when it is zero). `progress`, if any, is called about twenty times a
/// second from the calling thread with the time elapsed and the passes
/// done, while the run lasts.
pub fn run(
    w: &Workload<'_>,
    mut contexts: Vec<Vec<Context<'_>>>,
    min_time: Duration,
    mut progress: Option<&mut dyn FnMut(Duration, u64)>,
) -> Measured {
    let n = w.expect.len().max(1);
    let threads = contexts.len().max(1);
    let first_passes = if min_time.is_zero() {
        1
    } else {
        FIRST_ROUND.div_ceil(n)
    };
    let chunks_per_pass = n.div_ceil(CHUNK);
    let shared = Shared {
        next: AtomicUsize::new(0),
        round_chunks: AtomicUsize::new(first_passes * chunks_per_pass),
        passes: AtomicU64::new(0),
        stop: AtomicBool::new(false),
        barrier: Barrier::new(threads),
        start: OnceLock::new(),
        round_start: Mutex::new(None),
        end: OnceLock::new(),
        chunks_per_pass,
        min_time,
    };
    let clock_ns = clock_cost();
    let mut tally = Tally::new(w);
    std::thread::scope(|scope| {
        let workers: Vec<_> = contexts
            .drain(..)
            .enumerate()
            .map(|(t, ctxs)| {
                let shared = &shared;
                scope.spawn(move || work(w, &ctxs, shared, clock_ns, t as u64))
            })
            .collect();
        if let Some(progress) = progress.as_mut() {
            while !workers.iter().all(|h| h.is_finished()) {
                std::thread::sleep(Duration::from_millis(50));
                if let Some(start) = shared.start.get() {
                    progress(start.elapsed(), shared.passes.load(Ordering::Relaxed));
                }
            }
        }
        for worker in workers {
            match worker.join() {
                Ok(t) => tally.merge(t),
                Err(_) => tally.errors += 1,
            }
        }
    });
    let wall = match (shared.start.get(), shared.end.get()) {
        (Some(s), Some(e)) => e.duration_since(*s),
        _ => Duration::ZERO,
    };
    Measured {
        tally,
        passes: shared.passes.load(Ordering::Relaxed),
        wall,
        clock_ns,
    }
}

/// One thread: rounds of chunks until told to stop.
fn work(
    w: &Workload<'_>,
    ctxs: &[Context<'_>],
    shared: &Shared,
    clock_ns: u64,
    seed: u64,
) -> Tally {
    let mut tally = Tally::new(w);
    // Decisions per context that went as expected (see `tally`).
    let mut hits = vec![0u64; ctxs.len()];
    let mut rng = Gap(0x9e37_79b9_7f4a_7c15 ^ seed.wrapping_mul(0xbf58_476d_1ce4_e5b9) | 1);
    let mut until_timed = rng.next();
    if shared.barrier.wait().is_leader() {
        let _ = shared.start.set(Instant::now());
    }
    loop {
        // Set by the leader before the barrier that began this round.
        let round_chunks = shared.round_chunks.load(Ordering::Relaxed);
        loop {
            let c = shared.next.fetch_add(1, Ordering::Relaxed);
            if c >= round_chunks {
                break;
            }
            let start = (c % shared.chunks_per_pass) * CHUNK;
            let end = (start + CHUNK).min(ctxs.len());
            let (Some(chunk), Some(addrs), Some(hits)) = (
                ctxs.get(start..end),
                w.addrs.get(start..end),
                hits.get_mut(start..end),
            ) else {
                continue;
            };
            for ((ctx, &a), h) in chunk.iter().zip(addrs).zip(hits.iter_mut()) {
                until_timed -= 1;
                if until_timed == 0 {
                    until_timed = rng.next();
                    let t0 = Instant::now();
                    let decided = w.table.decide(ctx);
                    let ns = u64::try_from(t0.elapsed().as_nanos()).unwrap_or(u64::MAX);
                    tally.latency.record(ns.saturating_sub(clock_ns));
                    count(&mut tally, w, decided, a, h);
                } else {
                    count(&mut tally, w, w.table.decide(ctx), a, h);
                }
            }
        }
        if shared.barrier.wait().is_leader() {
            shared.end_round();
        }
        // Everything the leader did is visible after the barrier.
        shared.barrier.wait();
        if shared.stop.load(Ordering::Relaxed) {
            tally.fold(w, &hits);
            return tally;
        }
    }
}

/// Random gaps between timed decisions: 1 to 127, 64 on average
/// (xorshift64).
struct Gap(u64);

impl Gap {
    fn next(&mut self) -> u32 {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        (self.0 % 127) as u32 + 1
    }
}

/// The median cost in nanoseconds of reading the clock twice, as a timed
/// decision does.
fn clock_cost() -> u64 {
    let mut samples: Vec<u64> = (0..1001)
        .map(|_| {
            let t0 = Instant::now();
            u64::try_from(t0.elapsed().as_nanos()).unwrap_or(u64::MAX)
        })
        .collect();
    samples.sort_unstable();
    samples.get(samples.len() / 2).copied().unwrap_or(0)
}
