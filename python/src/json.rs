//! Crossing with JSON where a value's shape is open (options, bodies,
//! messages, explanations): the crate's `Serialize` output read by
//! Python's own `json.loads`, so what Python sees is, key for key and in
//! the same order, the JSON the command line prints; and Python values
//! written by `json.dumps`, so anything the `json` module accepts is
//! accepted here. Contexts do not come this way (see `context.rs`).

use pyo3::exceptions::{PyRuntimeError, PyTypeError};
use pyo3::prelude::*;
use pyo3::sync::PyOnceLock;
use serde::Serialize;

static LOADS: PyOnceLock<Py<PyAny>> = PyOnceLock::new();
static DUMPS: PyOnceLock<Py<PyAny>> = PyOnceLock::new();

/// `value`'s JSON, as a Python object.
pub fn to_python<'py>(py: Python<'py>, value: &impl Serialize) -> PyResult<Bound<'py, PyAny>> {
    let text = serde_json::to_string(value)
        .map_err(|e| PyRuntimeError::new_err(format!("cannot serialise: {e}")))?;
    loads(py, &text)
}

/// Python's `json.loads(text)`.
pub fn loads<'py>(py: Python<'py>, text: &str) -> PyResult<Bound<'py, PyAny>> {
    LOADS.import(py, "json", "loads")?.call1((text,))
}

/// A Python value as JSON, by `json.dumps` (`what` names it in the error
/// when it is not JSON).
pub fn from_python(value: &Bound<'_, PyAny>, what: &str) -> PyResult<serde_json::Value> {
    let py = value.py();
    let text: String = DUMPS
        .import(py, "json", "dumps")?
        .call1((value,))
        .map_err(|e| PyTypeError::new_err(format!("{what} is not JSON: {}", e.value(py))))?
        .extract()?;
    serde_json::from_str(&text)
        .map_err(|e| PyTypeError::new_err(format!("{what} is not JSON: {e}")))
}
