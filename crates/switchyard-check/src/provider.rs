//! OpenRouter's `provider` object as data (openrouter-api.md section 1.1),
//! and the check of a written `provider { ... }` against it.
//!
//! The table is public so that the executor serialises provider objects
//! from the same description the checker validates them with.

use serde_json::{Map, Value as Json};
use switchyard_syntax::ast::{Number, Value};
use switchyard_syntax::{nearest, Span, Spanned};

use crate::error::{CheckError, NameKind};

/// The shape of a value OpenRouter accepts.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ValueKind {
    /// `true` or `false`.
    Bool,
    /// A finite number, at least 0.
    Number,
    /// Any string.
    String,
    /// One of these strings.
    OneOf(&'static [&'static str]),
    /// An array whose every element has this kind.
    ArrayOf(&'static ValueKind),
    /// An object with these members (each optional unless `required`); no
    /// other keys.
    Object(&'static [Member]),
    /// Any of these kinds; chosen by the value's shape (string, number,
    /// bool, array, object).
    AnyOf(&'static [ValueKind]),
    /// Any finite number, negative too.
    SignedNumber,
    /// An object with any keys and values.
    AnyObject,
    /// Any value.
    Any,
}

/// A member of an object kind.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Member {
    /// The key.
    pub name: &'static str,
    /// Its value's kind.
    pub kind: ValueKind,
    /// Whether the object must have it.
    pub required: bool,
}

/// A key of the `provider` object.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct ProviderKey {
    /// The key.
    pub name: &'static str,
    /// Its value's kind.
    pub kind: ValueKind,
    /// What it does, in one line.
    pub summary: &'static str,
}

/// Quantization levels (`provider.quantizations`).
pub const QUANTIZATIONS: &[&str] = &[
    "int4", "int8", "fp4", "mxfp4", "nvfp4", "fp6", "fp8", "mxfp8", "fp16", "bf16", "fp32",
    "unknown",
];

/// Sort orders (`provider.sort`, `provider.sort.by`).
pub const SORTS: &[&str] = &["price", "throughput", "latency", "exacto"];

const STRINGS: ValueKind = ValueKind::ArrayOf(&ValueKind::String);

const PERCENTILES: ValueKind = ValueKind::AnyOf(&[
    ValueKind::Number,
    ValueKind::Object(&[
        Member {
            name: "p50",
            kind: ValueKind::Number,
            required: false,
        },
        Member {
            name: "p75",
            kind: ValueKind::Number,
            required: false,
        },
        Member {
            name: "p90",
            kind: ValueKind::Number,
            required: false,
        },
        Member {
            name: "p99",
            kind: ValueKind::Number,
            required: false,
        },
    ]),
]);

/// Every key of the `provider` object, in OpenRouter's documentation order.
pub const PROVIDER_KEYS: &[ProviderKey] = &[
    ProviderKey {
        name: "order",
        kind: STRINGS,
        summary: "provider slugs to try first, in order",
    },
    ProviderKey {
        name: "allow_fallbacks",
        kind: ValueKind::Bool,
        summary: "false: use only the primary or `order` providers",
    },
    ProviderKey {
        name: "require_parameters",
        kind: ValueKind::Bool,
        summary: "route only to providers that support every parameter",
    },
    ProviderKey {
        name: "data_collection",
        kind: ValueKind::OneOf(&["allow", "deny"]),
        summary: "deny: exclude providers that store or train on data",
    },
    ProviderKey {
        name: "zdr",
        kind: ValueKind::Bool,
        summary: "route only to zero-data-retention endpoints",
    },
    ProviderKey {
        name: "enforce_distillable_text",
        kind: ValueKind::Bool,
        summary: "route only to models whose author allows distillation",
    },
    ProviderKey {
        name: "only",
        kind: STRINGS,
        summary: "allowlist of provider slugs",
    },
    ProviderKey {
        name: "ignore",
        kind: STRINGS,
        summary: "denylist of provider slugs",
    },
    ProviderKey {
        name: "quantizations",
        kind: ValueKind::ArrayOf(&ValueKind::OneOf(QUANTIZATIONS)),
        summary: "allowed quantization levels",
    },
    ProviderKey {
        name: "sort",
        kind: ValueKind::AnyOf(&[
            ValueKind::OneOf(SORTS),
            ValueKind::Object(&[
                Member {
                    name: "by",
                    kind: ValueKind::OneOf(SORTS),
                    required: true,
                },
                Member {
                    name: "partition",
                    kind: ValueKind::OneOf(&["model", "none"]),
                    required: false,
                },
            ]),
        ]),
        summary: "sort providers (turns off load balancing)",
    },
    ProviderKey {
        name: "preferred_min_throughput",
        kind: PERCENTILES,
        summary: "soft minimum throughput, tokens/s (p50 or per percentile)",
    },
    ProviderKey {
        name: "preferred_max_latency",
        kind: PERCENTILES,
        summary: "soft maximum latency, seconds (p50 or per percentile)",
    },
    ProviderKey {
        name: "max_price",
        kind: ValueKind::Object(&[
            Member {
                name: "prompt",
                kind: ValueKind::Number,
                required: false,
            },
            Member {
                name: "completion",
                kind: ValueKind::Number,
                required: false,
            },
            Member {
                name: "request",
                kind: ValueKind::Number,
                required: false,
            },
            Member {
                name: "image",
                kind: ValueKind::Number,
                required: false,
            },
            Member {
                name: "audio",
                kind: ValueKind::Number,
                required: false,
            },
        ]),
        summary: "hard price ceiling, USD per million tokens (per request/image/audio unit)",
    },
];

/// The table entry for a provider key.
pub fn provider_key(name: &str) -> Option<&'static ProviderKey> {
    PROVIDER_KEYS.iter().find(|k| k.name == name)
}

impl ValueKind {
    /// What the kind accepts, in words (for messages).
    pub fn describe(&self) -> String {
        match self {
            ValueKind::Bool => "`true` or `false`".into(),
            ValueKind::Number => "a number (at least 0)".into(),
            ValueKind::String => "a string".into(),
            ValueKind::OneOf(values) => one_of(values),
            ValueKind::ArrayOf(inner) => match inner {
                ValueKind::String => "an array of strings".into(),
                other => format!("an array of {}", other.describe()),
            },
            ValueKind::Object(members) => format!(
                "an object with {}",
                members
                    .iter()
                    .map(|m| format!("`{}`", m.name))
                    .collect::<Vec<_>>()
                    .join(", ")
            ),
            ValueKind::AnyOf(kinds) => kinds
                .iter()
                .map(ValueKind::describe)
                .collect::<Vec<_>>()
                .join(", or "),
            ValueKind::SignedNumber => "a number".into(),
            ValueKind::AnyObject => "an object".into(),
            ValueKind::Any => "a value".into(),
        }
    }
}

fn one_of(values: &[&str]) -> String {
    let quoted: Vec<String> = values.iter().map(|v| format!("`{v:?}`")).collect();
    match quoted.split_last() {
        Some((last, rest)) if !rest.is_empty() => format!("{} or {last}", rest.join(", ")),
        _ => quoted.join(""),
    }
}

/// Converts a written value to JSON (no checks; floats are finite).
pub(crate) fn to_json(value: &Value) -> Json {
    match value {
        Value::String(s) => Json::String(s.clone()),
        Value::Number(Number::Int(i)) => Json::from(*i),
        Value::Number(Number::Float(f)) => {
            serde_json::Number::from_f64(*f).map_or(Json::Null, Json::Number)
        }
        Value::Bool(b) => Json::Bool(*b),
        Value::Array(items) => Json::Array(items.iter().map(|v| to_json(v)).collect()),
        Value::Object(entries) => {
            let mut map = Map::new();
            for (k, v) in entries {
                map.insert(k.node.clone(), to_json(v));
            }
            Json::Object(map)
        }
    }
}

/// Reports keys repeated in an object and, recursively, in its values (E006).
pub(crate) fn duplicate_keys(
    entries: &[(Spanned<String>, Spanned<Value>)],
    errors: &mut Vec<CheckError>,
) {
    for (i, (k, v)) in entries.iter().enumerate() {
        if let Some((first, _)) = entries[..i].iter().find(|(f, _)| f.node == k.node) {
            errors.push(CheckError::Duplicate {
                span: k.span,
                kind: NameKind::Key,
                name: k.node.clone(),
                first: first.span,
            });
        }
        nested_duplicates(v, errors);
    }
}

fn nested_duplicates(value: &Spanned<Value>, errors: &mut Vec<CheckError>) {
    match &value.node {
        Value::Object(entries) => duplicate_keys(entries, errors),
        Value::Array(items) => items.iter().for_each(|v| nested_duplicates(v, errors)),
        _ => {}
    }
}

/// Checks a `provider { ... }` object against [`PROVIDER_KEYS`] and returns
/// it as JSON. Problems go to `errors` (E012; repeated keys E006).
pub(crate) fn check_provider(
    entries: &[(Spanned<String>, Spanned<Value>)],
    errors: &mut Vec<CheckError>,
) -> Map<String, Json> {
    duplicate_keys(entries, errors);
    let mut map = Map::new();
    for (key, value) in entries {
        match provider_key(&key.node) {
            Some(entry) => check_value(entry.kind, value, &key.node, errors),
            None => errors.push(CheckError::UnknownProviderKey {
                span: key.span,
                key: key.node.clone(),
                suggestion: nearest(&key.node, PROVIDER_KEYS.iter().map(|k| k.name))
                    .map(String::from),
                allowed: PROVIDER_KEYS.iter().map(|k| k.name).collect(),
            }),
        }
        map.entry(key.node.clone())
            .or_insert_with(|| to_json(&value.node));
    }
    map
}

fn bad(kind: ValueKind, value: &Spanned<Value>, path: &str, errors: &mut Vec<CheckError>) {
    errors.push(CheckError::BadProviderValue {
        span: value.span,
        key: path.to_string(),
        expected: kind.describe(),
    });
}

/// Checks one value against a kind; `path` names it in messages (`sort.by`).
pub(crate) fn check_value(
    kind: ValueKind,
    value: &Spanned<Value>,
    path: &str,
    errors: &mut Vec<CheckError>,
) {
    match (kind, &value.node) {
        (ValueKind::Bool, Value::Bool(_)) | (ValueKind::String, Value::String(_)) => {}
        (ValueKind::Number, Value::Number(n)) if n.as_f64() >= 0.0 => {}
        (ValueKind::SignedNumber, Value::Number(_))
        | (ValueKind::AnyObject, Value::Object(_))
        | (ValueKind::Any, _) => {}
        (ValueKind::OneOf(values), Value::String(s)) if values.contains(&s.as_str()) => {}
        (ValueKind::ArrayOf(inner), Value::Array(items)) => {
            for item in items {
                check_value(*inner, item, path, errors);
            }
        }
        (ValueKind::Object(members), Value::Object(entries)) => {
            check_object(members, entries, value.span, path, errors);
        }
        (ValueKind::AnyOf(kinds), v) => match kinds.iter().find(|k| shape_fits(**k, v)) {
            Some(k) => check_value(*k, value, path, errors),
            None => bad(kind, value, path, errors),
        },
        _ => bad(kind, value, path, errors),
    }
}

/// Whether a value has the shape (string, number, ...) of a kind.
fn shape_fits(kind: ValueKind, value: &Value) -> bool {
    matches!(
        (kind, value),
        (ValueKind::Bool, Value::Bool(_))
            | (
                ValueKind::Number | ValueKind::SignedNumber,
                Value::Number(_)
            )
            | (ValueKind::String | ValueKind::OneOf(_), Value::String(_))
            | (ValueKind::ArrayOf(_), Value::Array(_))
            | (
                ValueKind::Object(_) | ValueKind::AnyObject,
                Value::Object(_)
            )
            | (ValueKind::Any, _)
    )
}

fn check_object(
    members: &'static [Member],
    entries: &[(Spanned<String>, Spanned<Value>)],
    span: Span,
    path: &str,
    errors: &mut Vec<CheckError>,
) {
    for (key, value) in entries {
        let inner = format!("{path}.{}", key.node);
        match members.iter().find(|m| m.name == key.node) {
            Some(m) => check_value(m.kind, value, &inner, errors),
            None => errors.push(CheckError::UnknownProviderKey {
                span: key.span,
                key: inner,
                suggestion: nearest(&key.node, members.iter().map(|m| m.name)).map(String::from),
                allowed: members.iter().map(|m| m.name).collect(),
            }),
        }
    }
    for m in members.iter().filter(|m| m.required) {
        if !entries.iter().any(|(k, _)| k.node == m.name) {
            errors.push(CheckError::MissingProviderMember {
                span,
                key: path.to_string(),
                member: m.name,
            });
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn table_has_every_documented_key() {
        let names: Vec<&str> = PROVIDER_KEYS.iter().map(|k| k.name).collect();
        assert_eq!(names.len(), 13);
        assert!(names.contains(&"max_price"));
        assert!(provider_key("sort").is_some());
        assert!(provider_key("sorting").is_none());
    }

    #[test]
    fn kinds_describe_themselves() {
        assert_eq!(
            provider_key("data_collection").map(|k| k.kind.describe()),
            Some("`\"allow\"` or `\"deny\"`".to_string())
        );
        assert_eq!(STRINGS.describe(), "an array of strings");
    }
}
