//! Contexts from JSON (LANGUAGE.md 4.4): keys the schema does not declare
//! are ignored; `null` means "not given" (the default applies); a value of
//! the wrong type is an error naming the field, the type and what came. A
//! whole number outside i64 for an `int` field is out of range (even when
//! the JSON reader could only read it as a float); `-0`, which JSON readers
//! give as the float -0.0, is the int 0. The JSON text itself is read by
//! `serde_json`, which refuses nesting deeper than 128 and numbers too large
//! for a double (there is no NaN or infinity in JSON).

use serde_json::Value as Json;

use crate::context::{Context, Input};
use crate::error::ContextError;
use crate::CompiledTable;

impl CompiledTable {
    /// Builds a context from a JSON object.
    ///
    /// ```
    /// # let (table, _) = switchyard_eval::CompiledTable::from_source(r#"
    /// # context { tier: "free" | "pro" = "free" }
    /// # rule pro: when tier == "pro" -> "anthropic/claude-3.5-sonnet" max_tokens 100
    /// # rule default: otherwise -> "openai/gpt-4o-mini" max_tokens 100
    /// # "#).unwrap();
    /// let ctx = table.context_from_json(&serde_json::json!({"tier": "pro", "extra": 1}))?;
    /// assert_eq!(table.decide(&ctx)?.unwrap().model(), "anthropic/claude-3.5-sonnet");
    /// let err = table.context_from_json(&serde_json::json!({"tier": "gold"})).unwrap_err();
    /// assert_eq!(err.to_string(), r#"field `tier`: expected one of "free" | "pro", got "gold""#);
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn context_from_json(&self, value: &Json) -> Result<Context, ContextError> {
        self.context_from_json_at(value, None)
    }

    /// Like [`CompiledTable::context_from_json`], with the decision time in
    /// Unix seconds (default now).
    pub fn context_from_json_at(
        &self,
        value: &Json,
        unix_seconds: Option<i64>,
    ) -> Result<Context, ContextError> {
        let Json::Object(map) = value else {
            return Err(ContextError::NotAnObject {
                got: kind(value).into(),
            });
        };
        let mut b = self.context();
        if let Some(t) = unix_seconds {
            b = b.at_unix(t);
        }
        for (key, v) in map {
            let Some(field) = self
                .schema
                .field_id(key)
                .and_then(|id| self.schema_field(id))
            else {
                continue;
            };
            let is_int = field.ty == switchyard_check::ir::Type::Int;
            let input = match v {
                Json::Null => continue,
                Json::Bool(x) => Input::Bool(*x),
                Json::String(s) => Input::Str(s),
                Json::Number(n) => match (n.as_i64(), n.as_f64()) {
                    (Some(i), _) => Input::Int(i),
                    // JSON readers give `-0` as the float -0.0: for an int
                    // field it is the int 0.
                    (None, Some(f)) if is_int && f == 0.0 => Input::Int(0),
                    // A whole number past either end of i64 (serde_json
                    // reads those as floats), or up to u64::MAX.
                    (None, Some(f)) if is_int && (n.is_u64() || beyond_i64(f)) => {
                        return Err(ContextError::OutOfRange {
                            field: key.clone(),
                            got: n.to_string(),
                        })
                    }
                    (None, Some(f)) => Input::Float(f),
                    (None, None) => {
                        return Err(ContextError::NotFinite {
                            field: key.clone(),
                            got: n.to_string(),
                        })
                    }
                },
                Json::Array(_) | Json::Object(_) => {
                    return Err(ContextError::WrongType {
                        field: key.clone(),
                        expected: field.ty.to_string(),
                        got: kind(v).into(),
                    })
                }
            };
            b = b.set(key, input)?;
        }
        Ok(b.build())
    }

    /// Builds a context from JSON text.
    pub fn context_from_str(&self, text: &str) -> Result<Context, ContextError> {
        let value: Json = serde_json::from_str(text).map_err(|e| ContextError::Json {
            message: e.to_string(),
        })?;
        self.context_from_json(&value)
    }
}

/// A whole number outside the range of i64.
fn beyond_i64(f: f64) -> bool {
    // 2^63, exact as f64. The text `-9223372036854775809` reads as -2^63
    // (i64::MIN itself reads as an int), so -2^63 as a float is beyond.
    const LIMIT: f64 = 9_223_372_036_854_775_808.0;
    f.fract() == 0.0 && !(f > -LIMIT && f < LIMIT)
}

fn kind(v: &Json) -> &'static str {
    match v {
        Json::Null => "null",
        Json::Bool(_) => "a bool",
        Json::Number(_) => "a number",
        Json::String(_) => "a string",
        Json::Array(_) => "an array",
        Json::Object(_) => "an object",
    }
}
