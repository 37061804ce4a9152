//! A context straight from a Python `dict`, read against the schema: each
//! key found by identity with the interned field names (or, failing that,
//! one dict lookup), each value read by its Python type and set through
//! the field's handle, the crate's fast path. No JSON in between, and the
//! same checks as any Rust host's values: a wrong type, a value outside an
//! enum or a non-finite number is the crate's `ContextError`, naming the
//! field; `None` means "not given"; with strict contexts an undeclared key
//! is an error naming the nearest field.
//!
//! A `str` is read as UTF-8 bytes borrowed for the decision
//! (`PyUnicode_AsUTF8String`: CPython's stable ABI before 3.10 has no
//! borrowed UTF-8 view of a `str`).

use pyo3::exceptions::PyTypeError;
use pyo3::prelude::*;
use pyo3::types::{PyBool, PyBytes, PyDict, PyFloat, PyInt, PyString};
use switchyard::{CompiledTable, Context, ContextError, FieldHandle, Input};

/// A table's schema as the reader needs it, made once per table.
pub struct Fields {
    /// The field names, interned, in schema order: keys of dict literals
    /// in the caller's code are the same objects.
    names: Vec<Py<PyString>>,
    handles: Vec<FieldHandle>,
    /// Each field's type as written, for errors about non-scalar values.
    types: Vec<String>,
    /// Name to position, for keys that are not the interned objects.
    positions: Py<PyDict>,
    strict: bool,
}

/// One field's value as read from the dict.
pub enum Value<'py> {
    Unset,
    Bool(bool),
    Int(i64),
    Float(f64),
    Str(Bound<'py, PyBytes>),
}

impl Fields {
    /// The reader of `table`'s schema.
    pub fn new(py: Python<'_>, table: &CompiledTable, strict: bool) -> PyResult<Fields> {
        let fields = &table.ruleset().fields;
        let positions = PyDict::new(py);
        let mut names = Vec::with_capacity(fields.len());
        let mut handles = Vec::with_capacity(fields.len());
        for (i, field) in fields.iter().enumerate() {
            let name = PyString::intern(py, &field.name);
            positions.set_item(&name, i)?;
            names.push(name.unbind());
            handles.push(
                table
                    .field(&field.name)
                    .map_err(|e| crate::errors::context_error(py, &e))?,
            );
        }
        Ok(Fields {
            names,
            handles,
            types: fields.iter().map(|f| f.ty.to_string()).collect(),
            positions: positions.unbind(),
            strict,
        })
    }

    /// The values of `ctx` (a dict, or any mapping), by field position.
    pub fn read<'py>(
        &self,
        table: &CompiledTable,
        ctx: &Bound<'py, PyAny>,
    ) -> PyResult<Vec<Value<'py>>> {
        let py = ctx.py();
        let owned;
        let dict = match ctx.cast::<PyDict>() {
            Ok(dict) => dict,
            Err(_) => {
                owned = PyDict::new(py);
                owned.update(ctx.cast().map_err(|_| {
                    PyTypeError::new_err(format!(
                        "a context must be a dict (or a mapping), got {}",
                        type_name(ctx)
                    ))
                })?)?;
                &owned
            }
        };
        let mut values: Vec<Value<'py>> = (0..self.names.len()).map(|_| Value::Unset).collect();
        for (n, (key, value)) in dict.iter().enumerate() {
            let Some(i) = self.position(table, n, &key)? else {
                continue;
            };
            if let Some(slot) = values.get_mut(i) {
                *slot = self.value(i, &value)?;
            }
        }
        Ok(values)
    }

    /// The position of the field named `key`, the `n`-th key of the dict;
    /// `None` for a key the schema does not declare (an error with strict
    /// contexts).
    #[inline]
    fn position(
        &self,
        table: &CompiledTable,
        n: usize,
        key: &Bound<'_, PyAny>,
    ) -> PyResult<Option<usize>> {
        // Dicts are usually written in schema order, with interned keys.
        if self.names.get(n).is_some_and(|name| key.is(name)) {
            return Ok(Some(n));
        }
        if let Some(i) = self.names.iter().position(|name| key.is(name)) {
            return Ok(Some(i));
        }
        let py = key.py();
        if let Some(i) = self.positions.bind(py).get_item(key)? {
            return i.extract().map(Some);
        }
        let Ok(name) = key.cast::<PyString>() else {
            return Err(PyTypeError::new_err(format!(
                "context keys must be strings, got {}",
                type_name(key)
            )));
        };
        if self.strict {
            if let Err(e) = table.field(&name.to_cow()?) {
                return Err(crate::errors::context_error(py, &e));
            }
        }
        Ok(None)
    }

    /// A value of field `i`, by its Python type (`bool` before `int`: a
    /// bool is an int in Python).
    #[inline]
    fn value<'py>(&self, i: usize, value: &Bound<'py, PyAny>) -> PyResult<Value<'py>> {
        if let Ok(s) = value.cast::<PyString>() {
            return Ok(Value::Str(s.encode_utf8()?));
        }
        if let Ok(b) = value.cast::<PyBool>() {
            return Ok(Value::Bool(b.is_true()));
        }
        if value.is_instance_of::<PyInt>() {
            return match value.extract::<i64>() {
                Ok(n) => Ok(Value::Int(n)),
                Err(_) => Err(self.error(
                    value.py(),
                    ContextError::OutOfRange {
                        field: self.name(value.py(), i),
                        got: value.str().map(|s| s.to_string()).unwrap_or_default(),
                    },
                )),
            };
        }
        if let Ok(f) = value.cast::<PyFloat>() {
            return Ok(Value::Float(f.value()));
        }
        if value.is_none() {
            return Ok(Value::Unset);
        }
        Err(self.error(
            value.py(),
            ContextError::WrongType {
                field: self.name(value.py(), i),
                expected: self.types.get(i).cloned().unwrap_or_default(),
                got: format!("a {}", type_name(value)),
            },
        ))
    }

    fn name(&self, py: Python<'_>, i: usize) -> String {
        self.names
            .get(i)
            .map(|n| n.bind(py).to_string())
            .unwrap_or_default()
    }

    fn error(&self, py: Python<'_>, e: ContextError) -> PyErr {
        crate::errors::context_error(py, &e)
    }

    /// The context of `values` for `table` (the table this reader was made
    /// for), deciding at `at` (Unix seconds; default now).
    pub fn context<'a>(
        &self,
        table: &'a CompiledTable,
        values: &'a [Value<'_>],
        at: Option<i64>,
    ) -> Result<Context<'a>, ContextError> {
        let mut ctx = table.new_context();
        if let Some(t) = at {
            ctx.at_unix(t);
        }
        for (handle, value) in self.handles.iter().zip(values) {
            let input = match value {
                Value::Unset => continue,
                Value::Bool(b) => Input::Bool(*b),
                Value::Int(i) => Input::Int(*i),
                Value::Float(f) => Input::Float(*f),
                Value::Str(bytes) => match std::str::from_utf8(bytes.as_bytes()) {
                    Ok(s) => Input::Str(s),
                    Err(_) => continue,
                },
            };
            ctx.set(*handle, input)?;
        }
        Ok(ctx)
    }
}

/// The Python type's name, for messages.
fn type_name(value: &Bound<'_, PyAny>) -> String {
    value
        .get_type()
        .name()
        .map(|n| n.to_string())
        .unwrap_or_else(|_| "object".into())
}
