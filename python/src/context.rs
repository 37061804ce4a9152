//! A context straight from a Python `dict`, read against the schema: one
//! lookup per declared field (with the field's name, interned once, whose
//! hash Python keeps), each value read by its Python type and set through
//! the field's handle, the crate's fast path. No JSON in between, and the
//! same checks as any Rust host's values: a wrong type, a value outside an
//! enum or a non-finite number is the crate's `ContextError`, naming the
//! field; `None` means "not given"; keys the schema does not declare are
//! ignored, or, with strict contexts, an error naming the nearest field.
//!
//! A `str` is read as UTF-8 bytes borrowed for the decision: CPython's
//! stable ABI before 3.10 has no borrowed UTF-8 view of a `str`, so it is
//! encoded (`PyUnicode_AsUTF8String`, one small `bytes`).

use pyo3::exceptions::PyTypeError;
use pyo3::prelude::*;
use pyo3::types::{PyBool, PyBytes, PyDict, PyFloat, PyInt, PyString};
use switchyard::{CompiledTable, Context, ContextError, FieldHandle, Input};

/// A schema of up to this many fields is read into an array on the stack.
const INLINE_FIELDS: usize = 16;

/// A table's schema as the reader needs it, made once per table.
pub struct Fields {
    /// The field names, interned, in schema order.
    names: Vec<Py<PyString>>,
    handles: Vec<FieldHandle>,
    /// Each field's type as written, for errors about non-scalar values.
    types: Vec<String>,
    /// Name to position, for strict contexts' check of the other keys.
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
        let mut names = Vec::with_capacity(fields.len());
        let mut handles = Vec::with_capacity(fields.len());
        let positions = PyDict::new(py);
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

    /// Reads the values of `ctx` (a dict, or any mapping) and calls `then`
    /// with them, by field position.
    pub fn read<'py, T>(
        &self,
        table: &CompiledTable,
        ctx: &Bound<'py, PyAny>,
        then: impl FnOnce(&[Value<'py>]) -> PyResult<T>,
    ) -> PyResult<T> {
        let n = self.names.len();
        let mut inline: [Value<'py>; INLINE_FIELDS] = std::array::from_fn(|_| Value::Unset);
        let mut heap: Vec<Value<'py>>;
        let values = match inline.get_mut(..n) {
            Some(values) => values,
            None => {
                heap = (0..n).map(|_| Value::Unset).collect();
                heap.as_mut_slice()
            }
        };
        self.fill(table, ctx, values)?;
        then(values)
    }

    /// Sets `values` from `ctx`.
    fn fill<'py>(
        &self,
        table: &CompiledTable,
        ctx: &Bound<'py, PyAny>,
        values: &mut [Value<'py>],
    ) -> PyResult<()> {
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
        let mut found = 0;
        for (i, (name, slot)) in self.names.iter().zip(values.iter_mut()).enumerate() {
            if let Some(value) = dict.get_item(name.bind(py))? {
                found += 1;
                *slot = self.value(i, &value)?;
            }
        }
        if self.strict && found < dict.len() {
            for key in dict.keys() {
                if self.positions.bind(py).get_item(&key)?.is_none() {
                    self.refuse(table, &key)?;
                }
            }
        }
        Ok(())
    }

    /// With strict contexts: the error for a key the schema does not
    /// declare.
    #[cold]
    fn refuse(&self, table: &CompiledTable, key: &Bound<'_, PyAny>) -> PyResult<()> {
        let Ok(name) = key.cast::<PyString>() else {
            return Err(PyTypeError::new_err(format!(
                "context keys must be strings, got {}",
                type_name(key)
            )));
        };
        match table.field(&name.to_cow()?) {
            Ok(_) => Ok(()),
            Err(e) => Err(crate::errors::context_error(key.py(), &e)),
        }
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
