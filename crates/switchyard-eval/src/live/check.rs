//! The state shared by the handle and the background thread, and one
//! check: reading the sources until they settle, comparing them with those
//! already seen, compiling, and swapping the table in or reporting the
//! failure.

use std::any::Any;
use std::cell::Cell;
use std::fs;
use std::io;
use std::panic::{catch_unwind, AssertUnwindSafe};
use std::path::PathBuf;
use std::sync::{Arc, Mutex, MutexGuard, PoisonError};
use std::thread;
use std::time::{Duration, SystemTime};

use arc_swap::ArcSwap;
use switchyard_syntax::{Diagnostic, LoadError, SourceMap};

use crate::{CompiledTable, LoadOptions, RulesetError};

use super::options::Callback;
use super::status::Cause;
use super::{ReloadEvent, ReloadFailure, ReloadOutcome, ReloadStatus};

thread_local! {
    pub(super) static IN_CALLBACK: Cell<bool> = const { Cell::new(false) };
}

pub(super) fn lock<T>(m: &Mutex<T>) -> MutexGuard<'_, T> {
    m.lock().unwrap_or_else(PoisonError::into_inner)
}

/// State shared by the handle and the background thread.
pub(super) struct Shared {
    pub(super) path: PathBuf,
    pub(super) is_dir: bool,
    pub(super) load: LoadOptions,
    pub(super) table: ArcSwap<CompiledTable>,
    pub(super) status: Mutex<ReloadStatus>,
    /// Serialises checks; holds the outcome of the latest one.
    pub(super) attempt: Mutex<Attempt>,
    pub(super) callback: Option<Callback>,
}

/// The outcome of the latest check, to recognise files already seen.
pub(super) enum Attempt {
    /// The files were those of the table being served.
    Served,
    /// They failed to load.
    Failed(Arc<ReloadFailure>),
}

impl Shared {
    pub(super) fn emit(&self, event: &ReloadEvent) {
        if let Some(callback) = &self.callback {
            let was = IN_CALLBACK.with(|c| c.replace(true));
            let _ = catch_unwind(AssertUnwindSafe(|| callback(event)));
            IN_CALLBACK.with(|c| c.set(was));
        }
    }

    /// One check: read, compare, compile, swap or report. A failure is
    /// not reported if `may_defer`, asked whether the sources settled,
    /// says so: `None` is returned (the files are probably half-written).
    pub(super) fn check(
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
                load(sources, &self.load)
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
        Ok(SourceMap::load(
            &self.path,
            self.load.limits.max_file_bytes,
        )?)
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

/// Loads (parses, checks, compiles), turning a panic into a failure.
fn load(
    sources: SourceMap,
    options: &LoadOptions,
) -> Result<(CompiledTable, Vec<Diagnostic>), Cause> {
    match catch_unwind(AssertUnwindSafe(|| {
        CompiledTable::from_sources(sources, options)
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
