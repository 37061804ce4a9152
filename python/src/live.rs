//! `switchyard.watch`: a ruleset that follows its file or folder on disk
//! (the crate's `LiveRuleset`: recompiled in the background, swapped
//! atomically, the last good table kept when an edit breaks it).
//!
//! The GIL and the reload thread: the `on_reload` callback runs on the
//! reload thread (and, for the initial load and `reload_now`, on the
//! caller's) and takes the GIL to call Python; an exception it raises goes
//! to `sys.unraisablehook` (printed by default, never lost) and the
//! watcher carries on. Every call that may wait for the reload thread
//! (`watch`, `reload_now`, `status`, `close`) releases the GIL while it
//! waits, so a callback waiting for the GIL never deadlocks with it.

use std::path::PathBuf;
use std::sync::{Arc, Mutex, MutexGuard};
use std::time::{SystemTime, UNIX_EPOCH};

use pyo3::exceptions::{PyRuntimeError, PyValueError};
use pyo3::prelude::*;
use pyo3::types::{PyDict, PyList};
use switchyard::{LiveRuleset, ReloadEvent as Event, ReloadFailure, ReloadOptions, ReloadOutcome};

use crate::decision::Decision;
use crate::errors::ruleset_error;
use crate::health::Health;
use crate::table::{load_options, warnings, Loaded};

/// A hot-reloaded ruleset: the same `decide`, `explain` and `test` as a
/// `Router`, on the table being served.
/// (`weakref`: the package closes the watchers still open at exit.)
#[pyclass(frozen, weakref, module = "switchyard")]
pub struct LiveRouter {
    state: Mutex<State>,
    strict: bool,
}

struct State {
    /// `None` once closed. Shared so that a call waiting on it (without
    /// the GIL) does not hold the lock every decision takes.
    live: Option<Arc<LiveRuleset>>,
    /// The table in use, ready for dicts; replaced when the live ruleset
    /// serves another.
    loaded: Arc<Loaded>,
}

/// What a reload did, passed to the `on_reload` callback.
#[pyclass(frozen, get_all, module = "switchyard")]
pub struct ReloadEvent {
    /// `"loaded"` (a new table is served, also for the initial load),
    /// `"failed"` (the previous table keeps serving) or `"recovered"` (the
    /// files are back to the table being served).
    kind: &'static str,
    /// The generation served (1 for the initial load).
    generation: u64,
    /// For `"failed"`: the `RulesetError`, with its diagnostics.
    error: Option<PyObject>,
    /// For `"loaded"`: the warnings of the new table.
    warnings: Vec<crate::errors::Diagnostic>,
}

#[pymethods]
impl ReloadEvent {
    fn __repr__(&self) -> String {
        format!("<ReloadEvent {} generation={}>", self.kind, self.generation)
    }
}

type PyObject = Py<PyAny>;

impl ReloadEvent {
    fn new(py: Python<'_>, event: &Event) -> PyResult<ReloadEvent> {
        Ok(match event {
            Event::Loaded {
                generation,
                table,
                warnings: found,
            } => ReloadEvent {
                kind: "loaded",
                generation: *generation,
                error: None,
                warnings: crate::errors::diagnostics(table.sources(), found)?,
            },
            Event::Failed { failure } => ReloadEvent {
                kind: "failed",
                generation: failure.generation(),
                error: Some(failure_error(py, failure).into_value(py).into_any()),
                warnings: Vec::new(),
            },
            Event::Recovered { generation } => ReloadEvent {
                kind: "recovered",
                generation: *generation,
                error: None,
                warnings: Vec::new(),
            },
            _ => ReloadEvent {
                kind: "other",
                generation: 0,
                error: None,
                warnings: Vec::new(),
            },
        })
    }
}

/// The `RulesetError` of a failed reload.
fn failure_error(py: Python<'_>, failure: &ReloadFailure) -> PyErr {
    match failure.ruleset_error() {
        Some(e) => ruleset_error(py, e),
        None => crate::errors::RulesetError::new_err(failure.to_string()),
    }
}

/// Calls `callback` with the event, with the GIL; an exception goes to
/// `sys.unraisablehook`.
fn notify(callback: &PyObject, event: &Event) {
    Python::attach(|py| {
        let called = ReloadEvent::new(py, event).and_then(|ev| callback.call1(py, (ev,)));
        if let Err(e) = called {
            e.write_unraisable(py, Some(callback.bind(py)));
        }
    });
}

/// Loads the ruleset at `path` (a `.route` file or a folder of them) and
/// keeps it fresh from disk. `on_reload(event)` is called for the initial
/// load and every reload after it.
#[pyfunction]
#[pyo3(signature = (path, *, catalog = None, strict = false, on_reload = None, debounce = 0.05, poll_interval = 1.0))]
pub fn watch(
    py: Python<'_>,
    path: PathBuf,
    catalog: Option<PathBuf>,
    strict: bool,
    on_reload: Option<PyObject>,
    debounce: f64,
    poll_interval: Option<f64>,
) -> PyResult<LiveRouter> {
    let catalog = catalog.map(|c| c.to_string_lossy().into_owned());
    let load = load_options(catalog.as_deref(), strict).map_err(PyValueError::new_err)?;
    let seconds = |what: &str, s: f64| {
        std::time::Duration::try_from_secs_f64(s)
            .map_err(|_| PyValueError::new_err(format!("{what} must be seconds >= 0, got {s}")))
    };
    let mut options = ReloadOptions::new()
        .load_options(load)
        .debounce(seconds("debounce", debounce)?)
        .poll_interval(
            poll_interval
                .map(|s| seconds("poll_interval", s))
                .transpose()?,
        );
    if let Some(callback) = on_reload {
        options = options.on_reload(move |event| notify(&callback, event));
    }
    let live = py
        .detach(|| LiveRuleset::watch(&path, options))
        .map_err(|e| ruleset_error(py, &e))?;
    let loaded = Arc::new(Loaded::new(py, live.snapshot(), strict)?);
    Ok(LiveRouter {
        state: Mutex::new(State {
            live: Some(Arc::new(live)),
            loaded,
        }),
        strict,
    })
}

impl LiveRouter {
    fn lock(&self) -> MutexGuard<'_, State> {
        self.state.lock().unwrap_or_else(|e| e.into_inner())
    }

    /// The table being served, ready for dicts.
    fn current(&self, py: Python<'_>) -> PyResult<Arc<Loaded>> {
        let mut state = self.lock();
        let Some(live) = &state.live else {
            return Err(PyRuntimeError::new_err("the watcher is closed"));
        };
        let table = live.load();
        if !Arc::ptr_eq(&table, &state.loaded.table) {
            state.loaded = Arc::new(Loaded::new(py, Arc::clone(&table), self.strict)?);
        }
        Ok(state.loaded.clone())
    }

    /// Runs `f` on the live ruleset without the GIL (and without the
    /// lock). The reference is dropped there too: should `close()` have
    /// run meanwhile, the reload thread is joined without the GIL.
    fn with_live<T: Send>(
        &self,
        py: Python<'_>,
        f: impl FnOnce(&LiveRuleset) -> T + Send,
    ) -> PyResult<T> {
        let Some(live) = self.lock().live.clone() else {
            return Err(PyRuntimeError::new_err("the watcher is closed"));
        };
        Ok(py.detach(move || {
            let out = f(&live);
            drop(live);
            out
        }))
    }
}

#[pymethods]
impl LiveRouter {
    /// The decision for `ctx` on the table being served (see
    /// `Router.decide`).
    #[pyo3(signature = (ctx, health = None, at = None))]
    fn decide(
        &self,
        ctx: &Bound<'_, PyAny>,
        health: Option<PyRef<'_, Health>>,
        at: Option<i64>,
    ) -> PyResult<Option<Decision>> {
        self.current(ctx.py())?.decide(ctx, health.as_deref(), at)
    }

    /// `Router.explain` on the table being served.
    #[pyo3(signature = (ctx, at = None))]
    fn explain<'py>(
        &self,
        ctx: &Bound<'py, PyAny>,
        at: Option<i64>,
    ) -> PyResult<Bound<'py, PyAny>> {
        self.current(ctx.py())?.explain(ctx, at)
    }

    /// `Router.test` on the table being served.
    #[pyo3(signature = (at = None))]
    fn test<'py>(&self, py: Python<'py>, at: Option<i64>) -> PyResult<Bound<'py, PyAny>> {
        self.current(py)?.test(py, at)
    }

    /// Reads the files now and reloads if they changed; returns the
    /// generation served. A ruleset that does not load raises
    /// `RulesetError` (the previous table keeps serving).
    fn reload_now(&self, py: Python<'_>) -> PyResult<Option<u64>> {
        match self.with_live(py, |live| live.reload_now())? {
            Ok(ReloadOutcome::Loaded { generation } | ReloadOutcome::Unchanged { generation }) => {
                Ok(Some(generation))
            }
            Ok(_) => Ok(None),
            Err(failure) => Err(failure_error(py, &failure)),
        }
    }

    /// The generation served, the ruleset's version and hash, the warnings,
    /// the last error (a `RulesetError`, or `None`), how many reloads
    /// failed, why file events are not watched (if so), and when the table
    /// was loaded and the files last checked (Unix seconds).
    fn status<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyDict>> {
        let status = self.with_live(py, |live| live.status())?;
        let out = PyDict::new(py);
        out.set_item("generation", status.generation)?;
        out.set_item("version", &status.info.version)?;
        out.set_item("hash", &status.info.hash)?;
        let table = self.current(py)?;
        out.set_item("warnings", warnings(py, &table.table, &status.warnings)?)?;
        let error = status
            .last_error
            .as_ref()
            .map(|f| failure_error(py, f).into_value(py));
        out.set_item("last_error", error)?;
        out.set_item("failed_reloads", status.failed_reloads)?;
        out.set_item("watch_error", &status.watch_error)?;
        out.set_item("last_good_load", unix(status.last_good_load))?;
        out.set_item("last_check", unix(status.last_check))?;
        Ok(out)
    }

    /// The warnings of the table being served.
    #[getter]
    fn warnings<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyList>> {
        let status = self.with_live(py, |live| live.status())?;
        let table = self.current(py)?;
        warnings(py, &table.table, &status.warnings)
    }

    /// Stops watching (waits for the reload thread to finish). Deciding
    /// afterwards raises `RuntimeError`.
    fn close(&self, py: Python<'_>) {
        let live = self.lock().live.take();
        py.detach(|| drop(live));
    }

    /// Whether `close()` was called.
    #[getter]
    fn closed(&self) -> bool {
        self.lock().live.is_none()
    }

    fn __enter__(slf: Py<Self>) -> Py<Self> {
        slf
    }

    #[pyo3(signature = (*_args))]
    fn __exit__(&self, py: Python<'_>, _args: &Bound<'_, pyo3::types::PyTuple>) -> bool {
        self.close(py);
        false
    }

    fn __repr__(&self) -> String {
        let state = self.lock();
        match &state.live {
            Some(live) => format!(
                "<LiveRouter path={:?} generation={}>",
                live.path(),
                live.generation()
            ),
            None => "<LiveRouter closed>".to_string(),
        }
    }
}

impl Drop for LiveRouter {
    /// A router collected without `close()`: stop the reload thread from
    /// another thread, since this one may hold the GIL the reload thread
    /// waits for.
    fn drop(&mut self) {
        if let Some(live) = self.lock().live.take() {
            let _ = std::thread::Builder::new()
                .name("switchyard-close".into())
                .spawn(move || drop(live));
        }
    }
}

fn unix(t: SystemTime) -> f64 {
    t.duration_since(UNIX_EPOCH)
        .map_or(0.0, |d| d.as_secs_f64())
}
