//! `switchyard.read_response`: what came back from OpenRouter, read by the
//! crate (served model, provider, usage and cost), or the error it
//! reported, saying whether the next model is worth trying.

use pyo3::prelude::*;
use pyo3::types::{PyBytes, PyDict, PyString};
use switchyard::openrouter::read_response as read;

use crate::errors::response_error;

/// Reads a chat-completions response: a dict, JSON text, or the `openai`
/// client's response object (read with `model_dump`). `status` is the HTTP
/// status (an error body with a status of 400 or more raises
/// `OpenRouterError`). Returns the served `model`, `provider`,
/// `finish_reason`, `id` and `usage` (tokens, `cost`, `cost_source`).
#[pyfunction]
#[pyo3(signature = (response, status = 200))]
pub fn read_response<'py>(
    response: &Bound<'py, PyAny>,
    status: u16,
) -> PyResult<Bound<'py, PyAny>> {
    let py = response.py();
    let text: String = if let Ok(s) = response.cast::<PyString>() {
        s.to_cow()?.into_owned()
    } else if let Ok(b) = response.cast::<PyBytes>() {
        String::from_utf8_lossy(b.as_bytes()).into_owned()
    } else {
        let value = if response.is_instance_of::<PyDict>() || !response.hasattr("model_dump")? {
            response.clone()
        } else {
            let kwargs = PyDict::new(py);
            kwargs.set_item("mode", "json")?;
            kwargs.set_item("exclude_unset", true)?;
            response.call_method("model_dump", (), Some(&kwargs))?
        };
        crate::json::from_python(&value, "the response")?.to_string()
    };
    let outcome = py
        .detach(|| read(status, &text, None))
        .map_err(|e| response_error(py, &e))?;
    crate::json::to_python(py, &outcome)
}
