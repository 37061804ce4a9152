//! The package's exceptions, made from the crate's error types: a ruleset
//! that does not load ([`RulesetError`], with its [`Diagnostic`]s and the
//! CLI's human rendering as its text), a context that does not fit the
//! schema ([`ContextError`], a `ValueError` naming the field), and what
//! OpenRouter sent back ([`OpenRouterError`], [`ResponseError`]).

use pyo3::create_exception;
use pyo3::exceptions::{PyException, PyValueError};
use pyo3::prelude::*;
use serde::Deserialize;
use switchyard::openrouter::{OpenRouterError as ApiError, ResponseError as BadResponse};
use switchyard::{render, SourceMap};

create_exception!(
    switchyard,
    RulesetError,
    PyException,
    "A ruleset that does not load: `.diagnostics` lists what is wrong, and \
     `str()` is the human rendering `switchyard check` prints."
);
create_exception!(
    switchyard,
    ContextError,
    PyValueError,
    "A context value that does not fit the ruleset's schema: `.field`, \
     `.expected` and `.got` say which, what it should be and what came."
);
create_exception!(
    switchyard,
    OpenRouterError,
    PyException,
    "An error OpenRouter reported: `.status`, `.code`, `.error_type`, \
     `.provider`, `.retryable` (the same request may succeed later) and \
     `.retry_next_model` (the next model of the chain is worth trying)."
);
create_exception!(
    switchyard,
    ResponseError,
    PyValueError,
    "A response body that is not a chat completion OpenRouter could send \
     (not JSON, a field missing or of the wrong type)."
);

/// One diagnostic, with the fields and meaning of `switchyard check
/// --format json` (lines and columns 1-based, the end just past the last
/// character).
#[pyclass(frozen, get_all, module = "switchyard")]
#[derive(Clone, Debug, Deserialize)]
pub struct Diagnostic {
    /// `E004`, `W106`, ...
    pub code: String,
    /// `error`, `warning` or `note`.
    pub severity: String,
    /// What is wrong.
    pub message: String,
    /// The file, as named when loading.
    pub file: String,
    /// Start line.
    pub line: u32,
    /// Start column.
    pub column: u32,
    /// End line.
    pub end_line: u32,
    /// End column.
    pub end_column: u32,
    /// A suggestion, if there is one.
    pub help: Option<String>,
}

#[pymethods]
impl Diagnostic {
    fn __repr__(&self) -> String {
        format!(
            "<Diagnostic {}:{}:{}: {}[{}]: {}>",
            self.file, self.line, self.column, self.severity, self.code, self.message
        )
    }
}

/// The diagnostics as `switchyard check --format json` reports them: the
/// JSON renderer is the one place that locates a diagnostic in its file.
pub fn diagnostics(
    sources: &SourceMap,
    diagnostics: &[switchyard::Diagnostic],
) -> PyResult<Vec<Diagnostic>> {
    let text = render::json::render(&render::items(sources, diagnostics));
    serde_json::from_str(&text).map_err(|e| {
        pyo3::exceptions::PyRuntimeError::new_err(format!("cannot read the diagnostics: {e}"))
    })
}

/// A [`RulesetError`] exception for a ruleset that did not load.
pub fn ruleset_error(py: Python<'_>, e: &switchyard::RulesetError) -> PyErr {
    let (text, found) = match e {
        switchyard::RulesetError::Invalid {
            diagnostics: found,
            sources,
        } => (
            render::human::render_all(sources, found, false)
                .trim_end()
                .to_string(),
            diagnostics(sources, found),
        ),
        other => (other.to_string(), Ok(Vec::new())),
    };
    let found = match found {
        Ok(found) => found,
        Err(err) => return err,
    };
    let err = RulesetError::new_err(text);
    if let Err(e) = err.value(py).setattr("diagnostics", found) {
        return e;
    }
    err
}

/// A [`ContextError`] exception: the crate's message, and the field, the
/// expected type, what came and the nearest declared field as attributes.
pub fn context_error(py: Python<'_>, e: &switchyard::ContextError) -> PyErr {
    use switchyard::ContextError as E;
    let none = || None::<String>;
    let (field, expected, got, nearest) = match e {
        E::WrongType {
            field,
            expected,
            got,
        }
        | E::NotInEnum {
            field,
            expected,
            got,
        } => (
            Some(field.clone()),
            Some(expected.clone()),
            Some(got.clone()),
            none(),
        ),
        E::NotFinite { field, got } => (
            Some(field.clone()),
            Some("a finite number".to_string()),
            Some(got.clone()),
            none(),
        ),
        E::OutOfRange { field, got } => (
            Some(field.clone()),
            Some("an int in the 64-bit range".to_string()),
            Some(got.clone()),
            none(),
        ),
        E::UnknownField { field, nearest } => {
            (Some(field.clone()), none(), none(), nearest.clone())
        }
        _ => (none(), none(), none(), none()),
    };
    let err = ContextError::new_err(e.to_string());
    let value = err.value(py);
    let set = [
        ("field", field),
        ("expected", expected),
        ("got", got),
        ("nearest", nearest),
    ]
    .into_iter()
    .try_for_each(|(name, v)| value.setattr(name, v));
    match set {
        Ok(()) => err,
        Err(e) => e,
    }
}

/// The exception for a response that could not be read, or for the error
/// OpenRouter reported in it.
pub fn response_error(py: Python<'_>, e: &BadResponse) -> PyErr {
    match e.api() {
        Some(api) => api_error(py, api),
        None => ResponseError::new_err(e.to_string()),
    }
}

fn api_error(py: Python<'_>, e: &ApiError) -> PyErr {
    let err = OpenRouterError::new_err(e.to_string());
    let value = err.value(py);
    let code = e.code.as_ref().map(|c| match c {
        switchyard::openrouter::ErrorCode::Number(n) => n.to_string(),
        switchyard::openrouter::ErrorCode::Text(t) => t.clone(),
    });
    let metadata = match e
        .metadata
        .as_ref()
        .map(|m| crate::json::to_python(py, &serde_json::Value::Object(m.clone())))
        .transpose()
    {
        Ok(m) => m,
        Err(e) => return e,
    };
    let set = (|| -> PyResult<()> {
        value.setattr("status", e.status)?;
        value.setattr("code", code)?;
        value.setattr("message", &e.message)?;
        value.setattr("error_type", &e.error_type)?;
        value.setattr("provider", &e.provider)?;
        value.setattr("metadata", metadata)?;
        value.setattr("retryable", e.retryable())?;
        value.setattr("retry_next_model", e.retry_next_model())?;
        value.setattr("retry_after", e.retry_after().map(|d| d.as_secs_f64()))?;
        Ok(())
    })();
    match set {
        Ok(()) => err,
        Err(e) => e,
    }
}
