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

use std::any::Any;
use std::cell::Cell;
use std::collections::HashMap;
use std::fmt;
use std::fs;
use std::io;
use std::panic::{catch_unwind, AssertUnwindSafe};
use std::path::{Path, PathBuf};
use std::sync::mpsc::{self, Receiver, RecvTimeoutError, Sender};
use std::sync::{Arc, Mutex, MutexGuard, PoisonError};
use std::thread::{self, JoinHandle};
use std::time::{Duration, Instant, SystemTime};

use arc_swap::{ArcSwap, Guard};
use notify::event::{AccessKind, AccessMode, ModifyKind};
use notify::{Event, EventKind, RecursiveMode, Watcher};
use switchyard_syntax::{Diagnostic, Limits, LoadError, SourceMap};

use crate::{CompileOptions, CompiledTable, RulesetError, RulesetInfo};

type Callback = Box<dyn Fn(&ReloadEvent) + Send + Sync>;

/// How a [`LiveRuleset`] loads and watches. Built with chained setters:
///
/// ```
/// use std::time::Duration;
/// use switchyard_eval::ReloadOptions;
/// let options = ReloadOptions::new()
///     .debounce(Duration::from_millis(100))
///     .poll_interval(Some(Duration::from_secs(2)))
///     .on_reload(|event| eprintln!("{event:?}"));
/// # let _ = options;
/// ```
pub struct ReloadOptions {
    limits: Limits,
    compile: CompileOptions,
    debounce: Duration,
    max_delay: Duration,
    poll_interval: Option<Duration>,
    file_events: bool,
    callback: Option<Callback>,
}

impl ReloadOptions {
    /// The defaults: default [`Limits`], 50 ms debounce, 300 ms at most,
    /// a check every second, file events on, no callback.
    pub fn new() -> Self {
        ReloadOptions {
            limits: Limits::default(),
            compile: CompileOptions::default(),
            debounce: Duration::from_millis(50),
            max_delay: Duration::from_millis(300),
            poll_interval: Some(Duration::from_secs(1)),
            file_events: true,
            callback: None,
        }
    }

    /// How every load compiles: with a model catalog (needed by rulesets
    /// that use `require` or `cheapest`), an index policy.
    pub fn compile_options(mut self, options: CompileOptions) -> Self {
        self.compile = options;
        self
    }

    /// The parser's limits, applied to every load.
    pub fn limits(mut self, limits: Limits) -> Self {
        self.limits = limits;
        self
    }

    /// How long events must be quiet before a check (default 50 ms).
    pub fn debounce(mut self, quiet: Duration) -> Self {
        self.debounce = quiet;
        self
    }

    /// The longest a check waits after the first event of a burst, however
    /// long the burst goes on (default 300 ms; never less than the
    /// debounce). Twice that while a writer has a modified file open.
    pub fn max_delay(mut self, max: Duration) -> Self {
        self.max_delay = max;
        self
    }

    /// How often to check without any event, as a safety net for missed
    /// events (default every second; `None`: only on events).
    pub fn poll_interval(mut self, every: Option<Duration>) -> Self {
        self.poll_interval = every;
        self
    }

    /// Whether to watch file events with `notify` (default true). Without
    /// them only the periodic check and [`LiveRuleset::reload_now`] reload,
    /// which suits file systems without change notification.
    pub fn file_events(mut self, on: bool) -> Self {
        self.file_events = on;
        self
    }

    /// Called with every [`ReloadEvent`], including the initial load (before
    /// [`LiveRuleset::watch`] returns). See the module documentation for
    /// the thread it runs on.
    pub fn on_reload(mut self, callback: impl Fn(&ReloadEvent) + Send + Sync + 'static) -> Self {
        self.callback = Some(Box::new(callback));
        self
    }
}

impl Default for ReloadOptions {
    fn default() -> Self {
        Self::new()
    }
}

impl fmt::Debug for ReloadOptions {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("ReloadOptions")
            .field("limits", &self.limits)
            .field("compile", &self.compile)
            .field("debounce", &self.debounce)
            .field("max_delay", &self.max_delay)
            .field("poll_interval", &self.poll_interval)
            .field("file_events", &self.file_events)
            .field("callback", &self.callback.is_some())
            .finish()
    }
}

/// What a reload did, as reported to the [`ReloadOptions::on_reload`]
/// callback.
#[derive(Clone, Debug)]
#[non_exhaustive]
pub enum ReloadEvent {
    /// A new table is being served (also sent for the initial load).
    Loaded {
        /// Its generation: 1 for the initial load, one more per new table.
        generation: u64,
        /// The table now served.
        table: Arc<CompiledTable>,
        /// Its warnings; render them against `table.sources()`.
        warnings: Arc<[Diagnostic]>,
    },
    /// A reload failed; the previous table keeps serving.
    Failed {
        /// Why, with the diagnostics and the sources to render them.
        failure: Arc<ReloadFailure>,
    },
    /// After a failure, the files are back to the sources of the table
    /// being served (an invalid edit was undone); the error is cleared.
    Recovered {
        /// The generation being served.
        generation: u64,
    },
}

/// What [`LiveRuleset::reload_now`] did.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub enum ReloadOutcome {
    /// A new table is being served.
    Loaded {
        /// Its generation.
        generation: u64,
    },
    /// The files are those of the table being served.
    Unchanged {
        /// The generation being served.
        generation: u64,
    },
    /// Called from inside the reload callback: the reload is queued for the
    /// background thread.
    Queued,
}

/// A reload that failed. The table that was being served stays.
#[derive(Debug)]
pub struct ReloadFailure {
    cause: Cause,
    at: SystemTime,
    generation: u64,
}

#[derive(Debug)]
enum Cause {
    Ruleset(RulesetError),
    Panic(String),
}

impl ReloadFailure {
    /// When the failure was first seen.
    pub fn at(&self) -> SystemTime {
        self.at
    }

    /// The generation that kept serving.
    pub fn generation(&self) -> u64 {
        self.generation
    }

    /// The error from reading or compiling, unless the compiler panicked.
    pub fn ruleset_error(&self) -> Option<&RulesetError> {
        match &self.cause {
            Cause::Ruleset(e) => Some(e),
            Cause::Panic(_) => None,
        }
    }

    /// The diagnostics of an invalid ruleset (empty for a read failure).
    pub fn diagnostics(&self) -> &[Diagnostic] {
        match &self.cause {
            Cause::Ruleset(RulesetError::Invalid { diagnostics, .. }) => diagnostics,
            _ => &[],
        }
    }

    /// The sources the diagnostics point into (for an invalid ruleset).
    pub fn sources(&self) -> Option<&SourceMap> {
        match &self.cause {
            Cause::Ruleset(RulesetError::Invalid { sources, .. }) => Some(sources),
            _ => None,
        }
    }

    /// One line per diagnostic, `file:line:column: severity[code]: message`
    /// with the help text after ` help: ` (or the read error), for logs.
    pub fn render(&self) -> String {
        let (Some(sources), false) = (self.sources(), self.diagnostics().is_empty()) else {
            return self.to_string();
        };
        let mut out = String::new();
        for d in self.diagnostics() {
            if !out.is_empty() {
                out.push('\n');
            }
            match sources.locate(d.span) {
                Some((file, start, _)) => {
                    out.push_str(&format!("{file}:{}:{}: ", start.line, start.column));
                }
                None => out.push_str("<unknown>: "),
            }
            out.push_str(&format!("{}[{}]: {}", d.severity(), d.code, d.message));
            if let Some(help) = &d.help {
                out.push_str(&format!(" help: {help}"));
            }
        }
        out
    }

    /// Whether this is the same read failure as `e` (same message).
    fn same_read_error(&self, e: &RulesetError) -> bool {
        matches!(&self.cause, Cause::Ruleset(mine @ RulesetError::Read(_))
            if matches!(e, RulesetError::Read(_)) && mine.to_string() == e.to_string())
    }
}

impl fmt::Display for ReloadFailure {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match &self.cause {
            Cause::Ruleset(e) => write!(f, "{e}"),
            Cause::Panic(msg) => write!(f, "the compiler panicked: {msg}"),
        }
    }
}

impl std::error::Error for ReloadFailure {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        match &self.cause {
            Cause::Ruleset(e) => Some(e),
            Cause::Panic(_) => None,
        }
    }
}

/// The state of a [`LiveRuleset`], from [`LiveRuleset::status`].
#[derive(Clone, Debug)]
#[non_exhaustive]
pub struct ReloadStatus {
    /// The generation being served: 1 for the initial load, one more per
    /// new table.
    pub generation: u64,
    /// The version label and digest of the table being served.
    pub info: RulesetInfo,
    /// The warnings of the table being served.
    pub warnings: Arc<[Diagnostic]>,
    /// When the table being served was loaded.
    pub last_good_load: SystemTime,
    /// When the files were last read (by an event, the periodic check or
    /// `reload_now`).
    pub last_check: SystemTime,
    /// The failure of the latest reload, if it failed; cleared by the next
    /// reload that succeeds.
    pub last_error: Option<Arc<ReloadFailure>>,
    /// How many failures have been reported (each distinct failure once).
    pub failed_reloads: u64,
    /// Why file events are not (fully) watched, if they are not: the
    /// periodic check still runs.
    pub watch_error: Option<String>,
}

/// A ruleset kept fresh from disk. See the [module documentation](self) for
/// the design.
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
            limits,
            compile,
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

        let (table, warnings) = CompiledTable::load_with(&path, &limits, &compile)?;
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
            limits,
            compile,
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

thread_local! {
    static IN_CALLBACK: Cell<bool> = const { Cell::new(false) };
}

fn lock<T>(m: &Mutex<T>) -> MutexGuard<'_, T> {
    m.lock().unwrap_or_else(PoisonError::into_inner)
}

/// State shared by the handle and the background thread.
struct Shared {
    path: PathBuf,
    is_dir: bool,
    limits: Limits,
    compile: CompileOptions,
    table: ArcSwap<CompiledTable>,
    status: Mutex<ReloadStatus>,
    /// Serialises checks; holds the outcome of the latest one.
    attempt: Mutex<Attempt>,
    callback: Option<Callback>,
}

/// The outcome of the latest check, to recognise files already seen.
enum Attempt {
    /// The files were those of the table being served.
    Served,
    /// They failed to load.
    Failed(Arc<ReloadFailure>),
}

impl Shared {
    fn emit(&self, event: &ReloadEvent) {
        if let Some(callback) = &self.callback {
            let was = IN_CALLBACK.with(|c| c.replace(true));
            let _ = catch_unwind(AssertUnwindSafe(|| callback(event)));
            IN_CALLBACK.with(|c| c.set(was));
        }
    }

    /// One check: read, compare, compile, swap or report. A failure is
    /// not reported if `may_defer`, asked whether the sources settled,
    /// says so: `None` is returned (the files are probably half-written).
    fn check(
        &self,
        may_defer: &mut dyn FnMut(bool) -> bool,
    ) -> Option<Result<ReloadOutcome, Arc<ReloadFailure>>> {
        let mut attempt = lock(&self.attempt);
        let current = self.table.load_full();
        let generation = lock(&self.status).generation;
        let (read, settled) = self.read_stable(|s| same_sources(s, current.sources()));
        let now = SystemTime::now();
        lock(&self.status).last_check = now;

        let compiled = match read {
            Ok(sources) => {
                if same_sources(&sources, current.sources()) {
                    let was_failing = matches!(&*attempt, Attempt::Failed(_));
                    *attempt = Attempt::Served;
                    if was_failing {
                        lock(&self.status).last_error = None;
                        self.emit(&ReloadEvent::Recovered { generation });
                    }
                    return Some(Ok(ReloadOutcome::Unchanged { generation }));
                }
                if let Attempt::Failed(f) = &*attempt {
                    if f.sources().is_some_and(|t| same_sources(&sources, t)) {
                        return Some(Err(f.clone()));
                    }
                }
                compile(sources, &self.limits, &self.compile)
            }
            Err(e) => {
                if let Attempt::Failed(f) = &*attempt {
                    if f.same_read_error(&e) {
                        return Some(Err(f.clone()));
                    }
                }
                Err(Cause::Ruleset(e))
            }
        };

        match compiled {
            Ok((table, warnings)) => {
                let table = Arc::new(table);
                let warnings: Arc<[Diagnostic]> = warnings.into();
                let generation = generation.saturating_add(1);
                {
                    // Swapped under the status lock: once a reader sees the
                    // new table, `status()` shows its generation.
                    let mut status = lock(&self.status);
                    self.table.store(table.clone());
                    status.generation = generation;
                    status.info = table.info().clone();
                    status.warnings = warnings.clone();
                    status.last_good_load = now;
                    status.last_error = None;
                }
                *attempt = Attempt::Served;
                self.emit(&ReloadEvent::Loaded {
                    generation,
                    table,
                    warnings,
                });
                Some(Ok(ReloadOutcome::Loaded { generation }))
            }
            Err(_) if may_defer(settled) => None,
            Err(cause) => {
                let failure = Arc::new(ReloadFailure {
                    cause,
                    at: now,
                    generation,
                });
                {
                    let mut status = lock(&self.status);
                    status.last_error = Some(failure.clone());
                    status.failed_reloads = status.failed_reloads.saturating_add(1);
                }
                *attempt = Attempt::Failed(failure.clone());
                self.emit(&ReloadEvent::Failed {
                    failure: failure.clone(),
                });
                Some(Err(failure))
            }
        }
    }

    /// Reads the sources. Unless they are `known`, reads again about
    /// 10 ms later, until two reads agree (at most five reads), so a file
    /// being written or a folder being updated file by file is not taken
    /// half-way. Also says whether the sources settled (two reads agreed,
    /// or the last one is `known`).
    fn read_stable(
        &self,
        known: impl Fn(&SourceMap) -> bool,
    ) -> (Result<SourceMap, RulesetError>, bool) {
        let mut prev = self.read();
        for _ in 0..4 {
            if prev.as_ref().is_ok_and(&known) {
                return (prev, true);
            }
            thread::sleep(reread_delay());
            let next = self.read();
            let agree = match (&prev, &next) {
                (Ok(a), Ok(b)) => same_sources(a, b),
                (Err(a), Err(b)) => a.to_string() == b.to_string(),
                _ => false,
            };
            prev = next;
            if agree {
                return (prev, true);
            }
        }
        let known = prev.as_ref().is_ok_and(&known);
        (prev, known)
    }

    /// Reads the files, refusing a target whose kind (file or folder)
    /// changed since the initial load.
    fn read(&self) -> Result<SourceMap, RulesetError> {
        let io_error = |source| {
            RulesetError::Read(LoadError::Io {
                path: self.path.clone(),
                source,
            })
        };
        let meta = fs::metadata(&self.path).map_err(io_error)?;
        if meta.is_dir() != self.is_dir {
            let (kind, msg) = if self.is_dir {
                (
                    io::ErrorKind::NotADirectory,
                    "the ruleset was loaded from a folder, and this is now a file",
                )
            } else {
                (
                    io::ErrorKind::IsADirectory,
                    "the ruleset was loaded from a file, and this is now a folder",
                )
            };
            return Err(io_error(io::Error::new(kind, msg)));
        }
        Ok(SourceMap::load(&self.path, self.limits.max_file_bytes)?)
    }
}

/// 8 to 12 ms, varied so that re-reads do not fall into step with a
/// writer that writes on a timer.
fn reread_delay() -> Duration {
    let nanos = SystemTime::now()
        .duration_since(SystemTime::UNIX_EPOCH)
        .map_or(0, |d| d.subsec_nanos());
    Duration::from_micros(8_000 + u64::from(nanos / 1000 % 4_000))
}

/// Compiles, turning a panic of the compiler into a failure.
fn compile(
    sources: SourceMap,
    limits: &Limits,
    options: &CompileOptions,
) -> Result<(CompiledTable, Vec<Diagnostic>), Cause> {
    match catch_unwind(AssertUnwindSafe(|| {
        CompiledTable::from_sources_with(sources, limits, options)
    })) {
        Ok(Ok(compiled)) => Ok(compiled),
        Ok(Err(e)) => Err(Cause::Ruleset(e)),
        Err(payload) => Err(Cause::Panic(panic_message(payload.as_ref()))),
    }
}

fn panic_message(payload: &(dyn Any + Send)) -> String {
    if let Some(s) = payload.downcast_ref::<&str>() {
        (*s).to_string()
    } else if let Some(s) = payload.downcast_ref::<String>() {
        s.clone()
    } else {
        "(no message)".to_string()
    }
}

/// Same files, names and contents: everything compiling depends on.
fn same_sources(a: &SourceMap, b: &SourceMap) -> bool {
    let mut a = a.files();
    let mut b = b.files();
    loop {
        match (a.next(), b.next()) {
            (None, None) => return true,
            (Some((_, x)), Some((_, y))) => {
                if x.name() != y.name()
                    || x.byte_len() != y.byte_len()
                    || x.invalid_utf8_at() != y.invalid_utf8_at()
                    || x.text() != y.text()
                {
                    return false;
                }
            }
            _ => return false,
        }
    }
}

enum Msg {
    Fs(notify::Result<Event>),
    Reload,
    Stop,
}

#[derive(Clone, Copy)]
struct Timing {
    quiet: Duration,
    max_delay: Duration,
    poll: Option<Duration>,
}

/// Events waiting for their check.
struct Pending {
    first: Instant,
    last: Instant,
    /// Asked for by `reload_now` from a callback: check at once.
    now: bool,
}

impl Pending {
    fn new(at: Instant) -> Self {
        Pending {
            first: at,
            last: at,
            now: false,
        }
    }

    fn due(&self, t: Timing, writing: bool) -> Instant {
        if self.now {
            self.first
        } else if writing {
            // Past the cap, check at the next close, so as not to read a
            // file just truncated by its writer.
            self.first + t.max_delay.saturating_mul(2)
        } else {
            (self.last + t.quiet).min(self.first + t.max_delay)
        }
    }
}

/// Writers tracked at most (past this, new ones are not tracked).
const MAX_WRITERS: usize = 64;
/// How long failures may go unreported as probably half-written, from the
/// first one deferred.
const MAX_DEFERRAL: Duration = Duration::from_secs(1);

/// The background thread's state.
struct Worker<'a> {
    shared: &'a Shared,
    rx: &'a Receiver<Msg>,
    watches: Watches,
    t: Timing,
    pending: Option<Pending>,
    /// Files modified and not yet closed by their writer, with the time of
    /// their last modification event. A mark expires after twice the cap.
    writers: HashMap<PathBuf, Instant>,
    /// Since when failures have been deferred.
    deferring_since: Option<Instant>,
    next_poll: Option<Instant>,
}

#[derive(Clone, Copy, PartialEq)]
enum Flow {
    Go,
    Stop,
}

/// The background thread: debounce events, check, poll.
fn worker(shared: &Shared, watches: Watches, rx: &Receiver<Msg>, t: Timing) {
    Worker {
        shared,
        rx,
        watches,
        t,
        pending: None,
        writers: HashMap::new(),
        deferring_since: None,
        next_poll: t.poll.map(|p| Instant::now() + p),
    }
    .run();
}

impl Worker<'_> {
    fn run(&mut self) {
        const IDLE: Duration = Duration::from_secs(3600);
        loop {
            let now = Instant::now();
            let writing = self.writing(now);
            let wake = match &self.pending {
                Some(p) => p.due(self.t, writing),
                None => self.next_poll.unwrap_or(now + IDLE),
            };
            match self.rx.recv_timeout(wake.saturating_duration_since(now)) {
                // Take every event already queued, so the state of the
                // writers is the latest known before deciding to read.
                Ok(msg) => {
                    if self.drain(Some(msg)) == Flow::Stop {
                        return;
                    }
                }
                Err(RecvTimeoutError::Timeout) => {}
                Err(RecvTimeoutError::Disconnected) => return,
            }
            let now = Instant::now();
            let writing = self.writing(now);
            let due = match &self.pending {
                Some(p) => now >= p.due(self.t, writing),
                None => self.next_poll.is_some_and(|at| now >= at),
            };
            if due && self.check() == Flow::Stop {
                return;
            }
        }
    }

    fn check(&mut self) -> Flow {
        self.pending = None;
        let watch_error = self.watches.ensure();
        lock(&self.shared.status).watch_error = watch_error;
        let shared = self.shared;
        let mut flow = Flow::Go;
        let checked = shared.check(&mut |settled| {
            if self
                .deferring_since
                .is_some_and(|since| since.elapsed() >= MAX_DEFERRAL)
            {
                return false;
            }
            // Events that came during the check mean the files are
            // changing now: another check is due anyway.
            flow = self.drain(None);
            !settled
                || self.pending.is_some()
                || self.writing(Instant::now())
                || modified_within(&shared.path, shared.is_dir, self.t.max_delay)
        });
        if flow == Flow::Stop {
            return Flow::Stop;
        }
        if checked.is_some() {
            self.deferring_since = None;
        } else {
            // Probably half-written: look again once the files are quiet
            // (or at the next cap).
            self.deferring_since.get_or_insert_with(Instant::now);
            self.pending
                .get_or_insert_with(|| Pending::new(Instant::now()));
        }
        self.next_poll = self.t.poll.map(|p| Instant::now() + p);
        Flow::Go
    }

    /// Whether a writer has a file open, as far as events tell.
    fn writing(&mut self, now: Instant) -> bool {
        let expiry = self.t.max_delay.saturating_mul(2);
        self.writers
            .retain(|_, at| now.saturating_duration_since(*at) < expiry);
        !self.writers.is_empty()
    }

    /// Takes `first` and every message already queued (up to a batch).
    fn drain(&mut self, first: Option<Msg>) -> Flow {
        /// Messages taken in one go before looking at the clock again.
        const BATCH: usize = 4096;
        let mut next = first.or_else(|| self.rx.try_recv().ok());
        let mut taken = 0;
        while let Some(msg) = next.take() {
            if self.absorb(msg) == Flow::Stop {
                return Flow::Stop;
            }
            taken += 1;
            if taken < BATCH {
                next = self.rx.try_recv().ok();
            }
        }
        Flow::Go
    }

    /// Takes one message into the pending events and the writers.
    fn absorb(&mut self, msg: Msg) -> Flow {
        let now = Instant::now();
        match msg {
            Msg::Stop => return Flow::Stop,
            Msg::Reload => {
                self.pending.get_or_insert_with(|| Pending::new(now)).now = true;
            }
            Msg::Fs(Ok(event)) => {
                if self.watches.relevant(&event) {
                    self.pending.get_or_insert_with(|| Pending::new(now)).last = now;
                    self.note_writers(&event, now);
                }
            }
            Msg::Fs(Err(e)) => {
                lock(&self.shared.status).watch_error = Some(format!("file events: {e}"));
                self.pending.get_or_insert_with(|| Pending::new(now)).last = now;
            }
        }
        Flow::Go
    }

    fn note_writers(&mut self, event: &Event, now: Instant) {
        match event.kind {
            EventKind::Modify(ModifyKind::Data(_) | ModifyKind::Any) => {
                for p in &event.paths {
                    if self.writers.len() < MAX_WRITERS || self.writers.contains_key(p) {
                        self.writers.insert(p.clone(), now);
                    }
                }
            }
            EventKind::Access(AccessKind::Close(AccessMode::Write))
            | EventKind::Remove(_)
            | EventKind::Modify(ModifyKind::Name(_)) => {
                for p in &event.paths {
                    self.writers.remove(p);
                }
            }
            _ => {}
        }
    }
}

/// Whether the target file, or the folder or one of its `.route` files,
/// was modified less than `within` ago (or in the future).
fn modified_within(target: &Path, is_dir: bool, within: Duration) -> bool {
    let now = SystemTime::now();
    let recent = |meta: &fs::Metadata| {
        meta.modified()
            .is_ok_and(|m| now.duration_since(m).map_or(true, |age| age < within))
    };
    let Ok(meta) = fs::metadata(target) else {
        return false;
    };
    if recent(&meta) {
        return true;
    }
    if !is_dir {
        return false;
    }
    let Ok(entries) = fs::read_dir(target) else {
        return false;
    };
    entries.flatten().any(|e| {
        let p = e.path();
        p.extension().is_some_and(|x| x == "route") && fs::metadata(&p).is_ok_and(|m| recent(&m))
    })
}

/// The folders watched for one target (see the module documentation).
struct Watches {
    watcher: Option<notify::RecommendedWatcher>,
    /// Set when the watcher could not be created.
    setup_error: Option<String>,
    target: PathBuf,
    is_dir: bool,
    /// Watched folders and the identity (device, inode) they had.
    watched: HashMap<PathBuf, Option<(u64, u64)>>,
    /// Folders where every event counts; in the parent, only events about
    /// one of these count.
    primary: Vec<PathBuf>,
}

impl Watches {
    fn new(tx: Option<Sender<Msg>>, target: &Path, is_dir: bool) -> Self {
        let (watcher, setup_error) = match tx {
            None => (None, None),
            Some(tx) => match notify::recommended_watcher(move |res| {
                let _ = tx.send(Msg::Fs(res));
            }) {
                Ok(w) => (Some(w), None),
                Err(e) => (None, Some(format!("cannot watch file events: {e}"))),
            },
        };
        Watches {
            watcher,
            setup_error,
            target: target.to_path_buf(),
            is_dir,
            watched: HashMap::new(),
            primary: Vec::new(),
        }
    }

    /// Places, replaces and removes watches to match the file system now.
    /// Returns why some folder could not be watched, if one could not.
    fn ensure(&mut self) -> Option<String> {
        let Some(watcher) = &mut self.watcher else {
            return self.setup_error.clone();
        };
        let main = if self.is_dir {
            Some(self.target.clone())
        } else {
            self.target.parent().map(Path::to_path_buf)
        };
        let main = main?;
        let mut primary = vec![main.clone()];
        if let Ok(real) = fs::canonicalize(&self.target) {
            let real = if self.is_dir {
                Some(real)
            } else {
                real.parent().map(Path::to_path_buf)
            };
            if let Some(real) = real.filter(|r| *r != main) {
                primary.push(real);
            }
        }
        let mut wanted = primary.clone();
        if let Some(parent) = main.parent().filter(|p| !p.as_os_str().is_empty()) {
            wanted.push(parent.to_path_buf());
        }

        let mut error = None;
        for dir in &wanted {
            let meta = fs::metadata(dir).ok().filter(fs::Metadata::is_dir);
            let Some(meta) = meta else {
                if self.watched.remove(dir).is_some() {
                    let _ = watcher.unwatch(dir);
                }
                continue;
            };
            let id = identity(&meta);
            if self.watched.get(dir) == Some(&id) {
                continue;
            }
            if self.watched.remove(dir).is_some() {
                let _ = watcher.unwatch(dir);
            }
            match watcher.watch(dir, RecursiveMode::NonRecursive) {
                Ok(()) => {
                    self.watched.insert(dir.clone(), id);
                }
                Err(e) => {
                    error.get_or_insert_with(|| format!("cannot watch `{}`: {e}", dir.display()));
                }
            }
        }
        let stale: Vec<PathBuf> = self
            .watched
            .keys()
            .filter(|d| !wanted.contains(d))
            .cloned()
            .collect();
        for dir in stale {
            self.watched.remove(&dir);
            let _ = watcher.unwatch(&dir);
        }
        self.primary = primary;
        error
    }

    /// Whether an event may change the ruleset. Reads are not (the
    /// reloader's own reads show up as open and close events).
    fn relevant(&self, event: &Event) -> bool {
        if event.need_rescan() {
            return true;
        }
        match event.kind {
            EventKind::Access(AccessKind::Close(AccessMode::Write)) => {}
            EventKind::Access(_) => return false,
            _ => {}
        }
        event
            .paths
            .iter()
            .any(|p| self.primary.iter().any(|d| p.starts_with(d)))
    }
}

#[cfg(unix)]
fn identity(meta: &fs::Metadata) -> Option<(u64, u64)> {
    use std::os::unix::fs::MetadataExt;
    Some((meta.dev(), meta.ino()))
}

#[cfg(not(unix))]
fn identity(_: &fs::Metadata) -> Option<(u64, u64)> {
    None
}
