//! Mapping over a long list on several threads, for the statements of a
//! large file: pest parses about 10 MB/s, and statements are independent.
//! Short lists, and hosts where threads cannot be started, are mapped on
//! the calling thread; the results come back in order either way.

use std::num::NonZeroUsize;
use std::thread;

/// Fewer items than this per thread are not worth a thread.
const MIN_PER_THREAD: usize = 1_000;

/// At most this many threads.
const MAX_THREADS: usize = 8;

/// Stack size of each thread: a main thread's, since pest recurses as
/// deep as a statement nests.
const STACK_BYTES: usize = 8 << 20;

/// `items.iter().map(f).collect()`, with contiguous runs of `items` mapped
/// on other threads when the list is long and the machine has cores.
pub(crate) fn map<T, R>(items: &[T], f: &(dyn Fn(&T) -> R + Sync)) -> Vec<R>
where
    T: Sync,
    R: Send,
{
    // Asking for the cores reads cgroup files on Linux: not for a short list.
    if items.len() < 2 * MIN_PER_THREAD {
        return items.iter().map(f).collect();
    }
    let cores = thread::available_parallelism().map_or(1, NonZeroUsize::get);
    let threads = cores.min(MAX_THREADS).min(items.len() / MIN_PER_THREAD);
    if threads < 2 {
        return items.iter().map(f).collect();
    }
    let run = items.len().div_ceil(threads);
    thread::scope(|scope| {
        let mut runs = items.chunks(run);
        let here = runs.next().unwrap_or_default();
        let elsewhere: Vec<_> = runs
            .map(|run| {
                let spawned = thread::Builder::new()
                    .name("switchyard-parse".into())
                    .stack_size(STACK_BYTES)
                    .spawn_scoped(scope, move || run.iter().map(f).collect::<Vec<R>>());
                (run, spawned)
            })
            .collect();
        let mut out: Vec<R> = here.iter().map(f).collect();
        for (run, spawned) in elsewhere {
            match spawned.map(|handle| handle.join()) {
                Ok(Ok(mapped)) => out.extend(mapped),
                // `f` panicked on that thread: as it would have here.
                Ok(Err(payload)) => std::panic::resume_unwind(payload),
                // No thread: map the run here.
                Err(_) => out.extend(run.iter().map(f)),
            }
        }
        out
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn results_keep_their_order() {
        for n in [0, 1, 999, 2_000, 10_001] {
            let items: Vec<usize> = (0..n).collect();
            let doubled = map(&items, &|i: &usize| i * 2);
            assert_eq!(doubled, items.iter().map(|i| i * 2).collect::<Vec<_>>());
        }
    }
}
