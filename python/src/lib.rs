//! The native module of the `switchyard` Python package
//! (`switchyard._native`): a thin layer over the `switchyard` crate, the one
//! front door of every host. It loads rulesets through the crate's one load
//! path, reads a context straight from a Python `dict` against the schema
//! (field by field, no JSON in between), and hands decisions, explanations,
//! test outcomes, diagnostics and OpenRouter bodies back as the crate
//! produces them. The pure-Python part (`switchyard/__init__.py`) adds
//! the documented signatures; the stubs are `switchyard/_native.pyi`.
//!
//! No Rust error or panic crosses into Python as anything but an exception:
//! every fallible call returns `PyResult`, and PyO3 turns a panic into
//! `pyo3_runtime.PanicException`.

mod context;
mod decision;
mod errors;
mod health;
mod json;
mod live;
mod response;
mod router;
mod table;

use pyo3::prelude::*;

/// switchyard's engine for Python: rulesets, decisions, hot reload, model
/// health, OpenRouter bodies and responses.
#[pymodule]
fn _native(m: &Bound<'_, PyModule>) -> PyResult<()> {
    let py = m.py();
    m.add("RulesetError", py.get_type::<errors::RulesetError>())?;
    m.add("ContextError", py.get_type::<errors::ContextError>())?;
    m.add("OpenRouterError", py.get_type::<errors::OpenRouterError>())?;
    m.add("ResponseError", py.get_type::<errors::ResponseError>())?;
    m.add_class::<errors::Diagnostic>()?;
    m.add_class::<router::Router>()?;
    m.add_class::<live::LiveRouter>()?;
    m.add_class::<live::ReloadEvent>()?;
    m.add_class::<decision::Decision>()?;
    m.add_class::<health::Health>()?;
    m.add_function(wrap_pyfunction!(router::load, m)?)?;
    m.add_function(wrap_pyfunction!(router::loads, m)?)?;
    m.add_function(wrap_pyfunction!(live::watch, m)?)?;
    m.add_function(wrap_pyfunction!(response::read_response, m)?)?;
    Ok(())
}
