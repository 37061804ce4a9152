//! A compiled table with what Python needs beside it (the dict reader),
//! and the per-request operations the fixed and the hot-reloaded routers
//! share: decide, explain, run the tests.

use std::collections::HashMap;
use std::sync::Arc;

use pyo3::prelude::*;
use pyo3::types::{PyList, PyString};
use switchyard::render::outcomes::located;
use switchyard::{CompiledTable, Diagnostic, LoadOptions};

use crate::context::Fields;
use crate::decision::Decision;
use crate::errors::{context_error, diagnostics};
use crate::health::Health;

/// A table ready to decide on Python dicts.
pub struct Loaded {
    pub table: Arc<CompiledTable>,
    pub fields: Fields,
    /// The rules' names as Python strings, made once: `decision.rule` is
    /// read on nearly every decision.
    rule_names: HashMap<String, Py<PyString>>,
}

impl Loaded {
    /// Prepares `table` (loaded with strict contexts or not).
    pub fn new(py: Python<'_>, table: Arc<CompiledTable>, strict: bool) -> PyResult<Loaded> {
        let fields = Fields::new(py, &table, strict)?;
        let rule_names = table
            .ruleset()
            .rules
            .iter()
            .map(|r| (r.name.clone(), PyString::intern(py, &r.name).unbind()))
            .collect();
        Ok(Loaded {
            table,
            fields,
            rule_names,
        })
    }

    /// A rule's name as a Python string.
    pub fn rule_name<'py>(&self, py: Python<'py>, name: &str) -> Bound<'py, PyString> {
        match self.rule_names.get(name) {
            Some(s) => s.bind(py).clone(),
            None => PyString::new(py, name),
        }
    }

    /// The decision for `ctx`, or `None` when no rule matches.
    pub fn decide(
        self: &Arc<Self>,
        ctx: &Bound<'_, PyAny>,
        health: Option<&Health>,
        at: Option<i64>,
    ) -> PyResult<Option<Decision>> {
        let py = ctx.py();
        let health = health.map(|h| &*h.inner);
        self.fields.read(&self.table, ctx, |values| {
            Decision::decide(py, self, health, values, at)
        })
    }

    /// Per rule tried, whether it matched or the first test that was false
    /// and the values it read; and the decision (the crate's
    /// `Explanation`, as JSON).
    pub fn explain<'py>(
        &self,
        ctx: &Bound<'py, PyAny>,
        at: Option<i64>,
    ) -> PyResult<Bound<'py, PyAny>> {
        let py = ctx.py();
        let explanation = self.fields.read(&self.table, ctx, |values| {
            let context = self
                .fields
                .context(&self.table, values, at)
                .map_err(|e| context_error(py, &e))?;
            self.table
                .explain(&context)
                .map_err(|e| pyo3::exceptions::PyRuntimeError::new_err(e.to_string()))
        })?;
        crate::json::to_python(py, &explanation)
    }

    /// The outcomes of the ruleset's `test` lines, decided at `at`, each
    /// with its file, line and column: the `tests` of `switchyard test
    /// --format json`.
    pub fn test<'py>(&self, py: Python<'py>, at: Option<i64>) -> PyResult<Bound<'py, PyAny>> {
        let outcomes = self.table.run_tests(at);
        crate::json::to_python(py, &located(self.table.sources(), &outcomes))
    }
}

/// Load options from the package's keyword arguments.
pub fn load_options(catalog: Option<&str>, strict: bool) -> Result<LoadOptions, String> {
    let mut options = LoadOptions::new().with_strict_context(strict);
    if let Some(path) = catalog {
        let catalog = switchyard::Catalog::load(path).map_err(|e| format!("{path}: {e}"))?;
        options = options.with_catalog(Arc::new(catalog));
    }
    Ok(options)
}

/// The warnings of a load, as diagnostics.
pub fn warnings<'py>(
    py: Python<'py>,
    table: &CompiledTable,
    found: &[Diagnostic],
) -> PyResult<Bound<'py, PyList>> {
    PyList::new(py, diagnostics(table.sources(), found)?)
}
