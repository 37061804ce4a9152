//! OpenRouter's request parameters as data (openrouter-api.md section 1,
//! the request-body table), and the check of a written `params { ... }`
//! against it: unknown names are W117 with the nearest known one, values of
//! the wrong kind E024. Beside [`crate::provider`], whose value kinds it
//! shares.

use serde_json::Value as Json;
use switchyard_syntax::ast::Value;
use switchyard_syntax::{nearest, Spanned};

use crate::error::{CheckError, CheckWarning};
use crate::provider::{check_value, to_json, Member, ValueKind};

/// A request parameter `params` may set.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct RequestParam {
    /// The body key.
    pub name: &'static str,
    /// Its value's kind.
    pub kind: ValueKind,
}

const fn param(name: &'static str, kind: ValueKind) -> RequestParam {
    RequestParam { name, kind }
}

const OBJECTS: ValueKind = ValueKind::ArrayOf(&ValueKind::AnyObject);

/// `reasoning.effort` and `reasoning_effort`.
const EFFORTS: &[&str] = &["max", "xhigh", "high", "medium", "low", "minimal", "none"];

/// Every body key of OpenRouter's chat request that a ruleset may set in
/// `params` (the others come from options: `model`, `models`, `provider`,
/// `max_tokens`, `transforms`; or from the request: `messages`).
pub const REQUEST_PARAMS: &[RequestParam] = &[
    param("temperature", ValueKind::Number),
    param("top_p", ValueKind::Number),
    param("top_k", ValueKind::Number),
    param("min_p", ValueKind::Number),
    param("top_a", ValueKind::Number),
    param("frequency_penalty", ValueKind::SignedNumber),
    param("presence_penalty", ValueKind::SignedNumber),
    param("repetition_penalty", ValueKind::Number),
    param("seed", ValueKind::SignedNumber),
    param(
        "stop",
        ValueKind::AnyOf(&[ValueKind::String, ValueKind::ArrayOf(&ValueKind::String)]),
    ),
    param("logit_bias", ValueKind::AnyObject),
    param("logprobs", ValueKind::Bool),
    param("top_logprobs", ValueKind::Number),
    param("prediction", ValueKind::AnyObject),
    param("metadata", ValueKind::AnyObject),
    param(
        "service_tier",
        ValueKind::OneOf(&["auto", "default", "fast", "flex", "priority", "scale"]),
    ),
    param("debug", ValueKind::AnyObject),
    param("modalities", ValueKind::ArrayOf(&ValueKind::String)),
    param("parallel_tool_calls", ValueKind::Bool),
    param("tools", OBJECTS),
    param(
        "tool_choice",
        ValueKind::AnyOf(&[
            ValueKind::OneOf(&["none", "auto", "required"]),
            ValueKind::AnyObject,
        ]),
    ),
    param("response_format", ValueKind::AnyObject),
    param("structured_outputs", ValueKind::Bool),
    param(
        "reasoning",
        ValueKind::Object(&[
            Member {
                name: "effort",
                kind: ValueKind::OneOf(EFFORTS),
                required: false,
            },
            Member {
                name: "max_tokens",
                kind: ValueKind::Number,
                required: false,
            },
            Member {
                name: "exclude",
                kind: ValueKind::Bool,
                required: false,
            },
            Member {
                name: "enabled",
                kind: ValueKind::Bool,
                required: false,
            },
            Member {
                name: "summary",
                kind: ValueKind::Any,
                required: false,
            },
        ]),
    ),
    param("reasoning_effort", ValueKind::OneOf(EFFORTS)),
    param("include_reasoning", ValueKind::Bool),
    param("verbosity", ValueKind::String),
    param("web_search_options", ValueKind::AnyObject),
    param("max_completion_tokens", ValueKind::Number),
    param("stream", ValueKind::Bool),
    param("user", ValueKind::String),
    param("session_id", ValueKind::String),
    param("plugins", OBJECTS),
    // Deprecated (W107), still accepted.
    param("route", ValueKind::OneOf(&["fallback", "sort"])),
    param("usage", ValueKind::AnyObject),
];

/// The table entry for a request parameter.
pub fn request_param(name: &str) -> Option<&'static RequestParam> {
    REQUEST_PARAMS.iter().find(|p| p.name == name)
}

/// Checks one `params` entry against [`REQUEST_PARAMS`]: an unknown key is
/// W117 (OpenRouter passes unknown keys on, so it may be meant), a value of
/// the wrong kind E024. Returns the value as JSON.
pub(crate) fn check_param(
    key: &Spanned<String>,
    value: &Spanned<Value>,
    errors: &mut Vec<CheckError>,
    warnings: &mut Vec<CheckWarning>,
) -> Json {
    match request_param(&key.node) {
        Some(p) => {
            let mut found = Vec::new();
            check_value(p.kind, value, &key.node, &mut found);
            errors.extend(found.into_iter().map(CheckError::into_param));
        }
        None => warnings.push(CheckWarning::UnknownParam {
            span: key.span,
            key: key.node.clone(),
            suggestion: nearest(&key.node, REQUEST_PARAMS.iter().map(|p| p.name)).map(String::from),
        }),
    }
    to_json(&value.node)
}

impl CheckError {
    /// A provider-value error met while checking a request parameter, as
    /// the parameter's error (E024).
    fn into_param(self) -> CheckError {
        match self {
            CheckError::BadProviderValue {
                span,
                key,
                expected,
            } => CheckError::BadParamValue {
                span,
                key,
                expected,
            },
            CheckError::UnknownProviderKey {
                span,
                key,
                suggestion,
                allowed,
            } => CheckError::BadParamValue {
                span,
                key,
                expected: match suggestion {
                    Some(s) => format!("the key `{s}`"),
                    None => format!(
                        "one of the keys {}",
                        allowed
                            .iter()
                            .map(|k| format!("`{k}`"))
                            .collect::<Vec<_>>()
                            .join(", ")
                    ),
                },
            },
            other => other,
        }
    }
}
