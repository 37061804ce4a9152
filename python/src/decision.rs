//! A decision handed to Python: the crate's own `Decision`, kept with the
//! table it borrows from, so every attribute, `to_dict()` (the JSON
//! `switchyard eval` prints) and the OpenRouter body (what `switchyard
//! body` prints) come from the one implementation in the crate.

use std::sync::Arc;

use pyo3::exceptions::{PyRuntimeError, PyTypeError, PyValueError};
use pyo3::prelude::*;
use pyo3::types::{PyDict, PyList, PyString};
use serde_json::{Map, Value as Json};
use switchyard::openrouter::{messages_from_value, ChatRequest, RequestOptions};
use switchyard::{CompiledTable, ContextError};

use crate::context::Value;

use crate::errors::context_error;
use crate::table::Loaded;

type Decided<'t> = switchyard::Decision<'t>;

self_cell::self_cell!(
    /// A decision and the table it borrows from.
    struct Held {
        owner: Arc<Loaded>,
        #[covariant]
        dependent: Decided,
    }
);

/// The decision of the first matching rule (LANGUAGE.md section 6).
#[pyclass(frozen, module = "switchyard")]
pub struct Decision {
    held: Held,
}

/// Why no decision came out: no rule matched, or the context is bad.
enum Missing {
    NoMatch,
    Context(ContextError),
    Foreign(String),
}

/// The parameters of OpenAI's `chat.completions.create`: what the official
/// client takes as keyword arguments. Everything else of an OpenRouter
/// body (`models`, `provider`, `transforms`, `plugins`, ...) goes in
/// `extra_body`, which the client merges into the body it sends.
const OPENAI_PARAMS: &[&str] = &[
    "audio",
    "frequency_penalty",
    "function_call",
    "functions",
    "logit_bias",
    "logprobs",
    "max_completion_tokens",
    "max_tokens",
    "messages",
    "metadata",
    "modalities",
    "model",
    "n",
    "parallel_tool_calls",
    "prediction",
    "presence_penalty",
    "prompt_cache_key",
    "reasoning_effort",
    "response_format",
    "safety_identifier",
    "seed",
    "service_tier",
    "stop",
    "store",
    "stream",
    "stream_options",
    "temperature",
    "tool_choice",
    "tools",
    "top_logprobs",
    "top_p",
    "user",
    "verbosity",
    "web_search_options",
];

/// Keyword arguments of the client's `create` that are not body fields:
/// passed through as given.
const CLIENT_ARGS: &[&str] = &["extra_headers", "extra_query", "extra_body", "timeout"];

impl Decision {
    /// Decides on the context of `values` (read by `loaded.fields`) at `at`,
    /// skipping the models `health` says are down.
    pub fn decide(
        py: Python<'_>,
        loaded: &Arc<Loaded>,
        health: Option<&switchyard::Health>,
        values: &[Value<'_>],
        at: Option<i64>,
    ) -> PyResult<Option<Decision>> {
        let held = Held::try_new(loaded.clone(), |loaded| {
            let table: &CompiledTable = &loaded.table;
            let ctx = loaded
                .fields
                .context(table, values, at)
                .map_err(Missing::Context)?;
            let decided = match health {
                Some(h) => table.decide_with_health(&ctx, h),
                None => table.decide(&ctx),
            };
            decided
                .map_err(|e| Missing::Foreign(e.to_string()))?
                .ok_or(Missing::NoMatch)
        });
        match held {
            Ok(held) => Ok(Some(Decision { held })),
            Err(Missing::NoMatch) => Ok(None),
            Err(Missing::Context(e)) => Err(context_error(py, &e)),
            Err(Missing::Foreign(e)) => Err(PyRuntimeError::new_err(e)),
        }
    }

    fn get(&self) -> &Decided<'_> {
        self.held.borrow_dependent()
    }

    /// The OpenRouter body for `messages`, with `fields` (body fields given
    /// by the host) merged by the crate's rules.
    fn build_body(&self, messages: &Bound<'_, PyAny>, fields: Map<String, Json>) -> PyResult<Json> {
        let messages = crate::json::from_python(messages, "messages")?;
        let messages =
            messages_from_value(messages).map_err(|e| PyValueError::new_err(e.to_string()))?;
        let mut options = RequestOptions::default();
        for (key, value) in fields {
            match key.as_str() {
                "stream" => match value {
                    Json::Bool(b) => options.stream = Some(b),
                    _ => return Err(PyTypeError::new_err("`stream` must be a bool")),
                },
                "tools" => match value {
                    Json::Array(tools) => options.tools = Some(tools),
                    _ => return Err(PyTypeError::new_err("`tools` must be a list")),
                },
                "tool_choice" => options.tool_choice = Some(value),
                _ => {
                    options.params.insert(key, value);
                }
            }
        }
        let body = ChatRequest::from_decision(self.get(), messages, options)
            .map_err(|e| PyValueError::new_err(format!("rule `{}`: {e}", self.get().rule())))?;
        Ok(body.to_json())
    }
}

#[pymethods]
impl Decision {
    /// The rule's name (`#K` for an unnamed rule).
    #[getter]
    fn rule<'py>(&self, py: Python<'py>) -> Bound<'py, PyString> {
        self.held.borrow_owner().rule_name(py, self.get().rule())
    }

    /// The split arm, for a split rule.
    #[getter]
    fn variant(&self) -> Option<&str> {
        self.get().variant()
    }

    /// The OpenRouter model id to try first.
    #[getter]
    fn model<'py>(&self, py: Python<'py>) -> Bound<'py, PyString> {
        PyString::new(py, self.get().model())
    }

    /// The models to fall back to, in order (without those down).
    #[getter]
    fn fallbacks<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyList>> {
        PyList::new(py, self.get().fallbacks())
    }

    /// The completion token cap, if any.
    #[getter]
    fn max_tokens(&self) -> Option<u32> {
        self.get().max_tokens()
    }

    /// `provider`, `transforms` and `params`, merged over the defaults.
    #[getter]
    fn options<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyAny>> {
        crate::json::to_python(py, self.get().options())
    }

    /// Labels for logs.
    #[getter]
    fn tags<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyList>> {
        PyList::new(py, self.get().tags())
    }

    /// Whether every candidate of every matching rule was down (this is
    /// then the first matching rule's decision, unchanged).
    #[getter]
    fn degraded(&self) -> bool {
        self.get().degraded()
    }

    /// The worst-case cost in USD, when a catalog prices the model.
    #[getter]
    fn est_max_cost_usd(&self) -> Option<f64> {
        self.get().est_max_cost_usd()
    }

    /// The ruleset's `version` label and hash.
    #[getter]
    fn ruleset<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyAny>> {
        crate::json::to_python(py, self.get().ruleset())
    }

    /// The decision's JSON as a dict: exactly what `switchyard eval`
    /// prints.
    fn to_dict<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyAny>> {
        crate::json::to_python(py, self.get())
    }

    /// The decision's JSON text, as `switchyard eval` prints it.
    fn to_json(&self) -> PyResult<String> {
        serde_json::to_string(self.get()).map_err(|e| PyRuntimeError::new_err(e.to_string()))
    }

    /// The OpenRouter request body for `messages` (what `switchyard body`
    /// prints), with `fields` (`temperature`, `tools`, `stream`, ...)
    /// added; a field the ruleset's `params` set to another value is an
    /// error.
    #[pyo3(signature = (messages, **fields))]
    fn body<'py>(
        &self,
        messages: &Bound<'py, PyAny>,
        fields: Option<&Bound<'py, PyDict>>,
    ) -> PyResult<Bound<'py, PyAny>> {
        let fields = match fields {
            Some(f) => object(crate::json::from_python(f.as_any(), "the body fields")?),
            None => Map::new(),
        };
        crate::json::to_python(messages.py(), &self.build_body(messages, fields)?)
    }

    /// Keyword arguments for the official `openai` client's
    /// `client.chat.completions.create(**kwargs)` that make it send
    /// exactly the body of [`Decision::body`]: OpenAI's own parameters as
    /// keywords, OpenRouter's (`models`, `provider`, `transforms`, ...) in
    /// `extra_body`. `extra` adds body fields (`temperature=0.2`,
    /// `stream=True`, `tools=[...]`) and the client's own arguments
    /// (`extra_headers`, `extra_query`, `extra_body`, `timeout`), which are
    /// passed through (an `extra_body` given is merged over OpenRouter's
    /// fields).
    #[pyo3(signature = (messages, **extra))]
    fn openai_kwargs<'py>(
        &self,
        messages: &Bound<'py, PyAny>,
        extra: Option<&Bound<'py, PyDict>>,
    ) -> PyResult<Bound<'py, PyDict>> {
        let py = messages.py();
        let fields = PyDict::new(py);
        let client = PyDict::new(py);
        if let Some(extra) = extra {
            for (key, value) in extra.iter() {
                let name: String = key.extract()?;
                let into = if CLIENT_ARGS.contains(&name.as_str()) {
                    &client
                } else {
                    &fields
                };
                into.set_item(key, value)?;
            }
        }
        let fields = object(crate::json::from_python(
            fields.as_any(),
            "the keyword arguments",
        )?);
        let Json::Object(body) = self.build_body(messages, fields)? else {
            return Err(PyRuntimeError::new_err("the body is not a JSON object"));
        };
        let (own, openrouter): (Map<String, Json>, Map<String, Json>) = body
            .into_iter()
            .partition(|(k, _)| OPENAI_PARAMS.contains(&k.as_str()));
        let kwargs = crate::json::to_python(py, &own)?.cast_into::<PyDict>()?;
        if !openrouter.is_empty() {
            let extra_body = crate::json::to_python(py, &openrouter)?.cast_into::<PyDict>()?;
            if let Some(given) = client.get_item("extra_body")? {
                extra_body.update(given.cast()?)?;
                client.del_item("extra_body")?;
            }
            kwargs.set_item("extra_body", extra_body)?;
        }
        kwargs.update(client.as_mapping())?;
        Ok(kwargs)
    }

    fn __repr__(&self) -> String {
        let d = self.get();
        let fallbacks: Vec<&str> = d.fallbacks().collect();
        format!(
            "<Decision rule={:?} model={:?} fallbacks={:?}>",
            d.rule(),
            d.model(),
            fallbacks
        )
    }
}

/// A JSON object's map (the keyword dicts are always objects).
fn object(value: Json) -> Map<String, Json> {
    match value {
        Json::Object(map) => map,
        _ => Map::new(),
    }
}
