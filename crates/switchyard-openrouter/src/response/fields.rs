//! Reading typed fields of a JSON object; errors name the field's path.

use serde_json::{Map, Value as Json};

use super::ResponseError;
use crate::provider::kind;

fn path(prefix: &str, key: &str) -> String {
    format!("{prefix}{key}")
}

pub(super) fn wrong(p: &str, value: &Json, expected: &'static str) -> ResponseError {
    ResponseError::WrongType {
        path: p.to_string(),
        expected,
        found: kind(value).to_string(),
    }
}

pub(super) fn object<'j>(value: &'j Json, p: &str) -> Result<&'j Map<String, Json>, ResponseError> {
    match value {
        Json::Object(o) => Ok(o),
        other => Err(wrong(p, other, "an object")),
    }
}

pub(super) fn req_string(
    obj: &Map<String, Json>,
    key: &str,
    prefix: &str,
) -> Result<String, ResponseError> {
    match obj.get(key) {
        Some(Json::String(s)) => Ok(s.clone()),
        None | Some(Json::Null) => Err(ResponseError::Missing {
            path: path(prefix, key),
        }),
        Some(other) => Err(wrong(&path(prefix, key), other, "a string")),
    }
}

pub(super) fn opt_string(
    obj: &Map<String, Json>,
    key: &str,
    prefix: &str,
) -> Result<Option<String>, ResponseError> {
    opt_string_at(obj.get(key), prefix, key)
}

/// [`opt_string`] of a value already taken out of its object.
pub(super) fn opt_string_at(
    value: Option<&Json>,
    prefix: &str,
    key: &str,
) -> Result<Option<String>, ResponseError> {
    match value {
        Some(Json::String(s)) => Ok(Some(s.clone())),
        None | Some(Json::Null) => Ok(None),
        Some(other) => Err(wrong(&path(prefix, key), other, "a string")),
    }
}

pub(super) fn opt_count(
    obj: &Map<String, Json>,
    key: &str,
    prefix: &str,
) -> Result<Option<u64>, ResponseError> {
    match obj.get(key) {
        None | Some(Json::Null) => Ok(None),
        Some(Json::Number(n)) => match n.as_u64() {
            Some(u) => Ok(Some(u)),
            None => Err(ResponseError::WrongType {
                path: path(prefix, key),
                expected: "a whole number at least 0",
                found: n.to_string(),
            }),
        },
        Some(other) => Err(wrong(&path(prefix, key), other, "a whole number")),
    }
}

pub(super) fn req_count(
    obj: &Map<String, Json>,
    key: &str,
    prefix: &str,
) -> Result<u64, ResponseError> {
    opt_count(obj, key, prefix)?.ok_or_else(|| ResponseError::Missing {
        path: path(prefix, key),
    })
}

pub(super) fn opt_bool(
    obj: &Map<String, Json>,
    key: &str,
    prefix: &str,
) -> Result<Option<bool>, ResponseError> {
    match obj.get(key) {
        None | Some(Json::Null) => Ok(None),
        Some(Json::Bool(b)) => Ok(Some(*b)),
        Some(other) => Err(wrong(&path(prefix, key), other, "`true` or `false`")),
    }
}

pub(super) fn opt_amount(
    obj: &Map<String, Json>,
    key: &str,
    prefix: &str,
) -> Result<Option<f64>, ResponseError> {
    match obj.get(key) {
        None | Some(Json::Null) => Ok(None),
        Some(Json::Number(n)) => match n.as_f64() {
            Some(v) if v >= 0.0 && v.is_finite() => Ok(Some(v)),
            _ => Err(ResponseError::WrongType {
                path: path(prefix, key),
                expected: "a number at least 0",
                found: n.to_string(),
            }),
        },
        Some(other) => Err(wrong(&path(prefix, key), other, "a number")),
    }
}

pub(super) fn opt_strings(
    obj: &Map<String, Json>,
    key: &str,
    prefix: &str,
) -> Result<Vec<String>, ResponseError> {
    match obj.get(key) {
        None | Some(Json::Null) => Ok(Vec::new()),
        Some(Json::Array(items)) => items
            .iter()
            .enumerate()
            .map(|(i, v)| match v {
                Json::String(s) => Ok(s.clone()),
                other => Err(wrong(&format!("{prefix}{key}[{i}]"), other, "a string")),
            })
            .collect(),
        Some(other) => Err(wrong(&path(prefix, key), other, "an array of strings")),
    }
}
