//! Hot reload: a ruleset that follows its file or folder on disk.
//!
//! [`LiveRuleset::watch`] loads a ruleset (one `.route` file, or every
//! `.route` file of a folder, as [`CompiledTable::load`] does), then keeps it
//! fresh: a background thread recompiles when the files change and swaps the
//! new table in with [`arc_swap`]. Readers never wait and never see a torn
//! table: [`LiveRuleset::load`] is a lock-free pointer load, and a table is
//! immutable once published.
//!
//! ```
//! use switchyard_eval::{LiveRuleset, ReloadOptions, ReloadOutcome};
//! # let dir = std::env::temp_dir().join(format!("switchyard-live-doc-{}", std::process::id()));
//! # std::fs::create_dir_all(&dir)?;
//! let path = dir.join("rules.route");
//! std::fs::write(&path, r#"rule default: otherwise -> "openai/gpt-4o-mini" max_tokens 100"#)?;
//!
//! let live = LiveRuleset::watch(&path, ReloadOptions::new().on_reload(|event| {
//!     // log it: a new table, or a failed reload (the old table keeps serving)
//!     let _ = event;
//! }))?;
//!
//! // A host decides on one snapshot: a context belongs to the table that built it.
//! let table = live.load();
//! let ctx = table.context_from_json(&serde_json::json!({}))?;
//! assert_eq!(table.decide(&ctx)?.map(|d| d.model()), Some("openai/gpt-4o-mini"));
//!
//! // A change is picked up in the background within a fraction of a second;
//! // `reload_now` does it at once.
//! std::fs::write(&path, r#"rule default: otherwise -> "openai/gpt-4o" max_tokens 100"#)?;
//! assert!(matches!(live.reload_now(), Ok(ReloadOutcome::Loaded { .. } | ReloadOutcome::Unchanged { .. })));
//! assert_eq!(live.load().info().hash, live.status().info.hash);
//! assert!(live.status().generation >= 2);
//!
//! // A broken file is reported; the last good table keeps serving.
//! std::fs::write(&path, "rule default: otherwise ->")?;
//! assert!(live.reload_now().is_err());
//! assert!(live.status().last_error.is_some());
//! let table = live.load();
//! let ctx = table.context_from_json(&serde_json::json!({}))?;
//! assert_eq!(table.decide(&ctx)?.map(|d| d.model()), Some("openai/gpt-4o"));
//! # drop(live);
//! # std::fs::remove_dir_all(&dir)?;
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```
//!
//! # What is watched
//!
//! Files are not watched themselves: editors save by writing a temporary
//! file and renaming it over the old one, and Kubernetes updates a mounted
//! ConfigMap by swapping a `..data` symlink, so a watch on the file would
//! follow the old inode or vanish. Instead, non-recursive `notify` watches
//! are kept on:
//!
//! - the *ruleset folder*: the folder itself for a folder target, the
//!   file's parent for a file target. Every event in it counts (a temporary
//!   file, a `..data` swap, a `.route` file), except reads (`open`,
//!   `close` without writing), which the reloader itself causes;
//! - the folder of the target with symlinks resolved, when that is another
//!   folder (a file target that links elsewhere, a ConfigMap's timestamped
//!   folder), recomputed at every check;
//! - the ruleset folder's parent, where only events about the ruleset
//!   folder itself count, so that deleting and re-creating (or renaming over)
//!   the folder is seen.
//!
//! Before every check the watches are re-established: a folder that has
//! disappeared is unwatched, and one that has (re)appeared, or whose inode
//! changed, is watched anew, before the files are read, so no write between
//! the two is lost.
//!
//! # Debounce
//!
//! A check runs once events have been quiet for [`ReloadOptions::debounce`]
//! (default 50 ms), but no later than [`ReloadOptions::max_delay`]
//! (default 300 ms) after the first event of a burst, so a continuous
//! stream of writes still reloads about three times a second. While a file
//! has been modified and not yet closed by its writer (inotify's
//! `IN_MODIFY` without `IN_CLOSE_WRITE`), the check waits for the close, up
//! to twice that cap: under a stream of writes in place, checks then
//! happen just after a writer closed the file, not just after the next one
//! truncated it.
//!
//! # A check
//!
//! A check reads the sources; unless they are those of the table being
//! served, it reads them again about 10 ms later, until two reads agree
//! (up to five reads), so that a folder caught in the middle of a
//! multi-file update or a file in the middle of a write is not compiled.
//! Sources unchanged since the last check (the same names and bytes as the
//! table being served, or as the last failed attempt) end the check there:
//! nothing is compiled, and no event is reported twice. Otherwise the
//! sources are compiled (a panic in the compiler is caught and reported as
//! a failure):
//!
//! - success: the table is stored, the generation goes up by one, and
//!   [`ReloadEvent::Loaded`] is reported with the warnings;
//! - failure: the table being served stays, and [`ReloadEvent::Failed`] is
//!   reported with the diagnostics and the sources needed to render them.
//!   It is also the status's [`ReloadStatus::last_error`] until a later
//!   check succeeds (by loading a new table, or by finding the served
//!   table's sources back, reported as [`ReloadEvent::Recovered`]).
//!
//! A failure is not reported at once when the files were probably caught
//! half-written: when a writer had a file open (a modification event
//! without its close), when the sources changed between every two of the
//! five reads, when new events came while the check was reading, or when a
//! file (or the folder) was modified less than [`ReloadOptions::max_delay`]
//! ago. The check is then retried once events are quiet again (one
//! debounce period without any), and the failure reported when none of
//! this holds any more, or at the latest 1 s after the first retry. So a
//! broken save is reported about 0.3 s after it, while a burst of writes
//! in place does not report the truncated files it leaves for an instant.
//! A success is never deferred: a new table is served as soon as it
//! compiles.
//!
//! A target that was a file and is now a folder (or the reverse) is a
//! failure rather than a different kind of ruleset. A file that is missing,
//! unreadable, or a symlink loop is a read failure.
//!
//! # Safety net
//!
//! Every [`ReloadOptions::poll_interval`] (default 1 s) the worker checks
//! even without events, which costs a read and a comparison when nothing
//! changed. It covers events that inotify cannot give (network file
//! systems, a queue overflow, a watch that could not be placed) and folders
//! deeper up that were deleted and re-created.
//!
//! # Threads and callbacks
//!
//! One background thread per [`LiveRuleset`] (plus `notify`'s own).
//! Dropping the `LiveRuleset` stops and joins it. The callback runs on the
//! thread doing the reload (the background thread, or the caller of
//! [`LiveRuleset::reload_now`]), one event at a time and in order, with no
//! lock held that [`LiveRuleset::load`] or [`LiveRuleset::status`] need. A
//! panic in the callback is caught. `reload_now` called from inside the
//! callback only queues a reload. A callback must not own the
//! `LiveRuleset` it observes (that is a reference cycle: it would never be
//! dropped).

mod check;
mod options;
mod status;
mod watch;
mod worker;

use std::cell::Cell;
use std::fmt;
use std::fs;
use std::path::Path;
use std::sync::mpsc::{self, Sender};
use std::sync::{Arc, Mutex};
use std::thread::{self, JoinHandle};
use std::time::SystemTime;

use arc_swap::{ArcSwap, Guard};
use switchyard_syntax::{Diagnostic, LoadError};

use crate::{CompiledTable, RulesetError};

use check::{lock, Attempt, Shared, IN_CALLBACK};
use watch::Watches;
use worker::{worker, Msg, Timing};

pub use options::ReloadOptions;
pub use status::{ReloadEvent, ReloadFailure, ReloadOutcome, ReloadStatus};

/// A ruleset kept fresh from disk: watched with `notify`, recompiled in the
/// background, swapped with `arc-swap`; a failed reload keeps the last good
/// table. The design (what is watched, debouncing, half-written files, the
/// safety-net poll) is written up at the top of `src/live/mod.rs`.
pub struct LiveRuleset {
    shared: Arc<Shared>,
    tx: Sender<Msg>,
    worker: Option<JoinHandle<()>>,
}

impl fmt::Debug for LiveRuleset {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("LiveRuleset")
            .field("path", &self.shared.path)
            .field("generation", &self.generation())
            .finish_non_exhaustive()
    }
}

impl LiveRuleset {
    /// Loads the ruleset at `path` (a `.route` file or a folder of them)
    /// and starts watching it. The initial load must succeed, since there
    /// would be nothing to serve otherwise; its warnings are in
    /// [`ReloadStatus::warnings`] and in the first [`ReloadEvent::Loaded`].
    ///
    /// A watcher that cannot be set up (no inotify instance left, say) is
    /// not an error: [`ReloadStatus::watch_error`] says why, and the
    /// periodic check carries on.
    pub fn watch(path: impl AsRef<Path>, options: ReloadOptions) -> Result<Self, RulesetError> {
        let given = path.as_ref();
        let io_error = |source| {
            RulesetError::Read(LoadError::Io {
                path: given.to_path_buf(),
                source,
            })
        };
        let path = std::path::absolute(given).map_err(io_error)?;
        let is_dir = fs::metadata(&path).map_err(io_error)?.is_dir();
        let ReloadOptions {
            load,
            debounce,
            max_delay,
            poll_interval,
            file_events,
            callback,
        } = options;

        let (tx, rx) = mpsc::channel();
        // Watch before the first read, so no change after it is missed.
        let mut watches = Watches::new(file_events.then(|| tx.clone()), &path, is_dir);
        let mut watch_error = watches.ensure();

        let (table, warnings) = CompiledTable::load(&path, &load)?;
        let table = Arc::new(table);
        let warnings: Arc<[Diagnostic]> = warnings.into();
        let now = SystemTime::now();
        let status = ReloadStatus {
            generation: 1,
            info: table.info().clone(),
            warnings: warnings.clone(),
            last_good_load: now,
            last_check: now,
            last_error: None,
            failed_reloads: 0,
            watch_error: None,
        };
        let shared = Arc::new(Shared {
            path,
            is_dir,
            load,
            table: ArcSwap::new(table.clone()),
            status: Mutex::new(status),
            attempt: Mutex::new(Attempt::Served),
            callback,
        });

        let timing = Timing {
            quiet: debounce,
            max_delay: max_delay.max(debounce),
            poll: poll_interval.filter(|d| !d.is_zero()),
        };
        let worker = {
            let shared = shared.clone();
            thread::Builder::new()
                .name("switchyard-reload".into())
                .spawn(move || worker(&shared, watches, &rx, timing))
        };
        let worker = match worker {
            Ok(handle) => Some(handle),
            Err(e) => {
                watch_error = Some(format!("cannot start the reload thread: {e}"));
                None
            }
        };
        lock(&shared.status).watch_error = watch_error;

        shared.emit(&ReloadEvent::Loaded {
            generation: 1,
            table,
            warnings,
        });
        Ok(LiveRuleset { shared, tx, worker })
    }

    /// The table being served: a lock-free load, cheap enough for every
    /// request. Build the context and decide on the same guard (a context
    /// belongs to the table that built it); drop the guard soon after, as
    /// a held guard keeps its table alive.
    pub fn load(&self) -> Guard<Arc<CompiledTable>> {
        self.shared.table.load()
    }

    /// The table being served, as an `Arc` to keep as long as needed.
    pub fn snapshot(&self) -> Arc<CompiledTable> {
        self.shared.table.load_full()
    }

    /// The generation being served (see [`ReloadStatus::generation`]).
    /// Once [`LiveRuleset::load`] has returned a new table, this is its
    /// generation or a later one.
    pub fn generation(&self) -> u64 {
        lock(&self.shared.status).generation
    }

    /// The generation, the last good load, the last error, and more. Once
    /// [`LiveRuleset::load`] has returned a new table, the status describes
    /// that table or a later one.
    pub fn status(&self) -> ReloadStatus {
        lock(&self.shared.status).clone()
    }

    /// The watched path, made absolute.
    pub fn path(&self) -> &Path {
        &self.shared.path
    }

    /// Reads and, if the files changed, recompiles now, on this thread;
    /// reports through the callback like a background reload. Returns the
    /// failure if the files do not load (the last good table keeps
    /// serving), including a failure already reported for the same files.
    pub fn reload_now(&self) -> Result<ReloadOutcome, Arc<ReloadFailure>> {
        if IN_CALLBACK.with(Cell::get) {
            // This thread holds the reload lock, further up the stack.
            let _ = self.tx.send(Msg::Reload);
            return Ok(ReloadOutcome::Queued);
        }
        match self.shared.check(&mut |_| false) {
            Some(result) => result,
            // Not reached: only a check that may defer is inconclusive.
            None => Ok(ReloadOutcome::Unchanged {
                generation: self.generation(),
            }),
        }
    }
}

impl Drop for LiveRuleset {
    fn drop(&mut self) {
        let _ = self.tx.send(Msg::Stop);
        if let Some(handle) = self.worker.take() {
            if handle.thread().id() != thread::current().id() {
                let _ = handle.join();
            }
        }
    }
}
