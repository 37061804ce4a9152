//! `switchyard.load` and `switchyard.loads`: a ruleset loaded once through
//! the crate's one load path, deciding on dicts.

use std::path::PathBuf;
use std::sync::Arc;

use pyo3::exceptions::PyValueError;
use pyo3::prelude::*;
use pyo3::types::PyList;
use switchyard::{CompiledTable, Diagnostic, RulesetError, SourceMap};

use crate::decision::Decision;
use crate::errors::ruleset_error;
use crate::health::Health;
use crate::table::{load_options, warnings, Loaded};

/// A compiled ruleset. Deciding is safe from many threads at once.
#[pyclass(frozen, module = "switchyard")]
pub struct Router {
    loaded: Arc<Loaded>,
    warnings: Py<PyList>,
}

impl Router {
    fn new(
        py: Python<'_>,
        loaded: Result<(CompiledTable, Vec<Diagnostic>), RulesetError>,
        strict: bool,
    ) -> PyResult<Router> {
        let (table, found) = loaded.map_err(|e| ruleset_error(py, &e))?;
        let warnings = warnings(py, &table, &found)?.unbind();
        let loaded = Arc::new(Loaded::new(py, Arc::new(table), strict)?);
        Ok(Router { loaded, warnings })
    }
}

/// Loads a ruleset: a `.route` file, or every `.route` file of a folder.
/// `catalog` is OpenRouter's `GET /api/v1/models` JSON (needed by `require`
/// and `cheapest`); `strict` makes a context key the ruleset does not
/// declare an error.
#[pyfunction]
#[pyo3(signature = (path, *, catalog = None, strict = false))]
pub fn load(
    py: Python<'_>,
    path: PathBuf,
    catalog: Option<PathBuf>,
    strict: bool,
) -> PyResult<Router> {
    let catalog = catalog.map(|c| c.to_string_lossy().into_owned());
    let options = load_options(catalog.as_deref(), strict).map_err(PyValueError::new_err)?;
    let loaded = py.detach(|| CompiledTable::load(&path, &options));
    Router::new(py, loaded, strict)
}

/// Loads a ruleset from a string (named `<inline>` in diagnostics).
#[pyfunction]
#[pyo3(signature = (text, *, catalog = None, strict = false))]
pub fn loads(
    py: Python<'_>,
    text: &str,
    catalog: Option<PathBuf>,
    strict: bool,
) -> PyResult<Router> {
    let catalog = catalog.map(|c| c.to_string_lossy().into_owned());
    let options = load_options(catalog.as_deref(), strict).map_err(PyValueError::new_err)?;
    let mut sources = SourceMap::new();
    sources.add("<inline>", text);
    let loaded = py.detach(|| CompiledTable::from_sources(sources, options));
    Router::new(py, loaded, strict)
}

#[pymethods]
impl Router {
    /// The decision for `ctx` (a dict of the ruleset's context fields), or
    /// `None` when no rule matches. `health` skips the models it says are
    /// down; `at` is the decision time in Unix seconds (for `hour` and
    /// `weekday`; default now).
    #[pyo3(signature = (ctx, health = None, at = None))]
    fn decide(
        &self,
        ctx: &Bound<'_, PyAny>,
        health: Option<PyRef<'_, Health>>,
        at: Option<i64>,
    ) -> PyResult<Option<Decision>> {
        self.loaded.decide(ctx, health.as_deref(), at)
    }

    /// For every rule tried: whether it matched, or the first test that was
    /// false and the context's values it read; and the decision.
    #[pyo3(signature = (ctx, at = None))]
    fn explain<'py>(
        &self,
        ctx: &Bound<'py, PyAny>,
        at: Option<i64>,
    ) -> PyResult<Bound<'py, PyAny>> {
        self.loaded.explain(ctx, at)
    }

    /// The outcomes of the ruleset's `test` lines, decided at `at`.
    #[pyo3(signature = (at = None))]
    fn test<'py>(&self, py: Python<'py>, at: Option<i64>) -> PyResult<Bound<'py, PyAny>> {
        self.loaded.test(py, at)
    }

    /// The warnings (and notes) of the load.
    #[getter]
    fn warnings(&self, py: Python<'_>) -> Py<PyList> {
        self.warnings.clone_ref(py)
    }

    /// The ruleset's `version` label and hash.
    #[getter]
    fn ruleset<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyAny>> {
        crate::json::to_python(py, self.loaded.table.info())
    }

    fn __repr__(&self) -> String {
        let info = self.loaded.table.info();
        format!(
            "<Router rules={} version={:?} hash={:?}>",
            self.loaded.table.len(),
            info.version,
            info.hash
        )
    }
}
