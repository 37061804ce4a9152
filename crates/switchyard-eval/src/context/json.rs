//! Contexts from JSON (docs/reference/context.md), read by one serde visitor against
//! the schema, straight from the bytes (no intermediate
//! `serde_json::Value`) or from a `Value` a host already has.
//!
//! Keys the schema does not declare are ignored (with strict contexts they
//! are an error naming the nearest field); `null` means "not given" (the
//! default applies); a value of the wrong type is an error naming the
//! field, the type and what came. A whole number outside i64 for an `int`
//! field is out of range (even when the JSON reader could only read it as
//! a float); `-0`, which JSON readers give as the float -0.0, is the int 0.
//! `serde_json` refuses nesting deeper than 128 and numbers too large for a
//! double (there is no NaN or infinity in JSON).

use std::borrow::Cow;
use std::fmt;

use serde::de::{self, DeserializeSeed, Deserializer, MapAccess, SeqAccess, Visitor};
use serde_json::Value as Json;
use switchyard_check::ir::FieldId;
use switchyard_check::semantics::{self, JsonNumber, ValueError};

use crate::context::schema::Kind;
use crate::context::{value_error, Context, Input};
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
    pub fn context_from_json(&self, value: &Json) -> Result<Context<'_>, ContextError> {
        self.context_from_json_at(value, None)
    }

    /// Like [`CompiledTable::context_from_json`], with the decision time in
    /// Unix seconds (default now).
    pub fn context_from_json_at(
        &self,
        value: &Json,
        unix_seconds: Option<i64>,
    ) -> Result<Context<'_>, ContextError> {
        let mut ctx = self.new_context();
        if let Some(t) = unix_seconds {
            ctx.at_unix(t);
        }
        let mut fill = Fill::new(&mut ctx, None);
        let read = fill.read(value);
        fill.finish(read.map_err(|e| ContextError::Json {
            message: e.to_string(),
        }))?;
        Ok(ctx.detach(self))
    }

    /// Builds a context from JSON text. The context owns what it keeps of
    /// the text; [`CompiledTable::context_from_slice`] borrows it instead.
    pub fn context_from_str(&self, text: &str) -> Result<Context<'_>, ContextError> {
        Ok(self.context_from_slice(text.as_bytes())?.detach(self))
    }

    /// Builds a context from the bytes of a JSON object, borrowing its
    /// strings (those without escapes) instead of copying them. No
    /// `serde_json::Value` is built.
    ///
    /// ```
    /// # let (table, _) = switchyard_eval::CompiledTable::from_source(r#"
    /// # context { tier: "free" | "pro" = "free"  user: string }
    /// # rule pro: when tier == "pro" -> "anthropic/claude-3.5-sonnet" max_tokens 100
    /// # rule default: otherwise -> "openai/gpt-4o-mini" max_tokens 100
    /// # "#).unwrap();
    /// let body = br#"{"tier": "pro", "user": "ada"}"#;
    /// let ctx = table.context_from_slice(body)?;
    /// assert_eq!(table.decide(&ctx)?.unwrap().rule(), "pro");
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn context_from_slice<'a>(&'a self, bytes: &'a [u8]) -> Result<Context<'a>, ContextError> {
        self.context_from_slice_with(bytes, None, &mut |_| {})
    }

    /// [`CompiledTable::context_from_slice`] with the decision time (Unix
    /// seconds, default now), calling `unknown` with every key the schema
    /// does not declare (when contexts are not strict: strict ones refuse
    /// it), so a host can report keys its traffic sends in vain.
    pub fn context_from_slice_with<'a>(
        &'a self,
        bytes: &'a [u8],
        unix_seconds: Option<i64>,
        unknown: &mut dyn FnMut(&str),
    ) -> Result<Context<'a>, ContextError> {
        let mut ctx = self.new_context();
        if let Some(t) = unix_seconds {
            ctx.at_unix(t);
        }
        let mut fill = Fill::new(&mut ctx, Some(unknown));
        let mut de = serde_json::Deserializer::from_slice(bytes);
        let read = fill.read(&mut de).and_then(|()| de.end());
        fill.finish(read.map_err(|e| ContextError::Json {
            message: e.to_string(),
        }))?;
        Ok(ctx)
    }
}

/// Reads one JSON object into a context.
struct Fill<'c, 'a, 'u> {
    ctx: &'c mut Context<'a>,
    unknown: Option<&'u mut dyn FnMut(&str)>,
    /// The first value that does not fit the schema (the read stops there).
    error: Option<ContextError>,
}

impl<'c, 'a, 'u> Fill<'c, 'a, 'u> {
    fn new(ctx: &'c mut Context<'a>, unknown: Option<&'u mut dyn FnMut(&str)>) -> Self {
        Fill {
            ctx,
            unknown,
            error: None,
        }
    }

    fn read<D: Deserializer<'a>>(&mut self, de: D) -> Result<(), D::Error> {
        de.deserialize_any(ObjectVisitor { fill: self })
    }

    /// The context error if there was one, else the JSON error, if any.
    fn finish(self, read: Result<(), ContextError>) -> Result<(), ContextError> {
        match self.error {
            Some(e) => Err(e),
            None => read,
        }
    }

    /// A key the schema does not declare; `Err` stops the read.
    fn unknown(&mut self, key: &str) -> Result<(), ()> {
        if let Err(e) = self.ctx.table.unknown_field(key) {
            return self.fail(e);
        }
        if let Some(f) = self.unknown.as_mut() {
            f(key);
        }
        Ok(())
    }

    /// Sets field `id` (named `key`) from `value`; `Err` stops the read
    /// (the error is kept). The common case, a value of the field's own
    /// type (an enum's as a string), is stored in place; the rest goes
    /// through the number conversions.
    #[inline(always)]
    fn set(&mut self, id: FieldId, key: &str, value: Scalar<'a>) -> Result<(), ()> {
        let kind = self.ctx.table.schema.kinds.get(id.index()).copied();
        let own = match (kind, &value) {
            (_, Scalar::Bool(b)) => Some(Input::Bool(*b)),
            (_, Scalar::Str(Cow::Borrowed(s))) => Some(Input::Str(s)),
            (Some(Kind::Int), Scalar::Int(i)) => Some(Input::Int(*i)),
            (Some(Kind::Float), Scalar::Float(f)) => Some(Input::Float(*f)),
            _ => None,
        };
        match own {
            Some(input) => match self.ctx.store(id, input) {
                Ok(()) => Ok(()),
                Err(e) => self.fail(e),
            },
            None => self.set_other(id, key, value),
        }
    }

    /// [`Fill::set`] of anything but a value of the field's own type.
    #[inline(never)]
    fn set_other(&mut self, id: FieldId, key: &str, value: Scalar<'a>) -> Result<(), ()> {
        let table = self.ctx.table;
        let Some(field) = table.schema.field(id) else {
            return Ok(());
        };
        let number = |n: JsonNumber| match semantics::given_from_number(&field.ty, n) {
            Ok(given) => Ok(Input::from(given)),
            Err(ValueError::OutOfRange) => Err(ContextError::OutOfRange {
                field: field.name.clone(),
                got: match n {
                    JsonNumber::Int(i) => i.to_string(),
                    JsonNumber::Big(u) => u.to_string(),
                    JsonNumber::Float(f) => format!("{f}"),
                },
            }),
            Err(e) => {
                let got = match n {
                    JsonNumber::Int(i) => Input::Int(i),
                    JsonNumber::Big(u) => Input::Float(u as f64),
                    JsonNumber::Float(f) => Input::Float(f),
                };
                Err(value_error(e, field, got))
            }
        };
        let input = match value {
            Scalar::Null => return Ok(()),
            Scalar::Bool(b) => Ok(Input::Bool(b)),
            Scalar::Str(Cow::Borrowed(s)) => Ok(Input::Str(s)),
            Scalar::Str(Cow::Owned(s)) => {
                return match self.ctx.set_owned(id, Input::Str(&s)) {
                    Ok(()) => Ok(()),
                    Err(e) => self.fail(e),
                }
            }
            Scalar::Int(i) => number(JsonNumber::Int(i)),
            Scalar::Big(u) => number(JsonNumber::Big(u)),
            Scalar::Float(f) => number(JsonNumber::Float(f)),
            Scalar::Array | Scalar::Object => Err(ContextError::WrongType {
                field: key.to_string(),
                expected: field.ty.to_string(),
                got: value.kind().into(),
            }),
        };
        match input.and_then(|input| table.schema.convert(id, input)) {
            Ok(slot) => {
                self.ctx.set_slot(id, slot);
                Ok(())
            }
            Err(e) => self.fail(e),
        }
    }

    #[cold]
    fn fail(&mut self, e: ContextError) -> Result<(), ()> {
        self.error = Some(e);
        Err(())
    }
}

/// A JSON value as far as a context cares.
enum Scalar<'a> {
    Null,
    Bool(bool),
    Int(i64),
    /// An integer above i64::MAX.
    Big(u64),
    Float(f64),
    Str(Cow<'a, str>),
    Array,
    Object,
}

impl Scalar<'_> {
    fn kind(&self) -> &'static str {
        match self {
            Scalar::Null => "null",
            Scalar::Bool(_) => "a bool",
            Scalar::Int(_) | Scalar::Big(_) | Scalar::Float(_) => "a number",
            Scalar::Str(_) => "a string",
            Scalar::Array => "an array",
            Scalar::Object => "an object",
        }
    }
}

struct ObjectVisitor<'f, 'c, 'a, 'u> {
    fill: &'f mut Fill<'c, 'a, 'u>,
}

impl<'a> Visitor<'a> for ObjectVisitor<'_, '_, 'a, '_> {
    type Value = ();

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("a JSON object")
    }

    fn visit_map<M: MapAccess<'a>>(self, mut map: M) -> Result<(), M::Error> {
        // Producers write keys in the same order every time: try the field
        // after the last one found before hashing the key.
        let mut next = 0;
        while let Some(key) = map.next_key_seed(KeySeed)? {
            let schema = &self.fill.ctx.table.schema;
            let found = schema
                .field_at(next, &key)
                .or_else(|| schema.field_id(&key));
            if let Some(id) = found {
                next = id.index() + 1;
            }
            match found {
                Some(id) => map.next_value_seed(ValueSeed {
                    fill: &mut *self.fill,
                    id,
                    key: &key,
                })?,
                None => {
                    map.next_value_seed(Skip)?;
                    if self.fill.unknown(&key).is_err() {
                        return Err(de::Error::custom("context error"));
                    }
                }
            }
        }
        Ok(())
    }

    fn visit_seq<S: SeqAccess<'a>>(self, _: S) -> Result<(), S::Error> {
        self.not_an_object("an array")
    }
    fn visit_bool<E: de::Error>(self, _: bool) -> Result<(), E> {
        self.not_an_object("a bool")
    }
    fn visit_i64<E: de::Error>(self, _: i64) -> Result<(), E> {
        self.not_an_object("a number")
    }
    fn visit_u64<E: de::Error>(self, _: u64) -> Result<(), E> {
        self.not_an_object("a number")
    }
    fn visit_f64<E: de::Error>(self, _: f64) -> Result<(), E> {
        self.not_an_object("a number")
    }
    fn visit_str<E: de::Error>(self, _: &str) -> Result<(), E> {
        self.not_an_object("a string")
    }
    fn visit_unit<E: de::Error>(self) -> Result<(), E> {
        self.not_an_object("null")
    }
}

impl ObjectVisitor<'_, '_, '_, '_> {
    fn not_an_object<E: de::Error>(self, got: &str) -> Result<(), E> {
        let _ = self
            .fill
            .fail(ContextError::NotAnObject { got: got.into() });
        Err(E::custom("context error"))
    }
}

/// A key, borrowed from the input when it has no escapes (serde's own
/// `Cow<str>` always copies).
struct KeySeed;

impl<'a> DeserializeSeed<'a> for KeySeed {
    type Value = Cow<'a, str>;

    fn deserialize<D: Deserializer<'a>>(self, de: D) -> Result<Cow<'a, str>, D::Error> {
        de.deserialize_str(KeyVisitor)
    }
}

struct KeyVisitor;

impl<'a> Visitor<'a> for KeyVisitor {
    type Value = Cow<'a, str>;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("a string key")
    }
    fn visit_borrowed_str<E: de::Error>(self, v: &'a str) -> Result<Cow<'a, str>, E> {
        Ok(Cow::Borrowed(v))
    }
    fn visit_str<E: de::Error>(self, v: &str) -> Result<Cow<'a, str>, E> {
        Ok(Cow::Owned(v.to_owned()))
    }
    fn visit_string<E: de::Error>(self, v: String) -> Result<Cow<'a, str>, E> {
        Ok(Cow::Owned(v))
    }
}

/// Reads the value of field `id` (named `key`) into the context, as the
/// reader meets it (no intermediate value).
struct ValueSeed<'f, 'c, 'a, 'u> {
    fill: &'f mut Fill<'c, 'a, 'u>,
    id: FieldId,
    key: &'f str,
}

impl<'a> ValueSeed<'_, '_, 'a, '_> {
    #[inline(always)]
    fn set<E: de::Error>(self, value: Scalar<'a>) -> Result<(), E> {
        self.fill
            .set(self.id, self.key, value)
            .map_err(|()| E::custom("context error"))
    }
}

impl<'a> DeserializeSeed<'a> for ValueSeed<'_, '_, 'a, '_> {
    type Value = ();

    fn deserialize<D: Deserializer<'a>>(self, de: D) -> Result<(), D::Error> {
        de.deserialize_any(self)
    }
}

impl<'a> Visitor<'a> for ValueSeed<'_, '_, 'a, '_> {
    type Value = ();

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("a JSON value")
    }

    fn visit_unit<E: de::Error>(self) -> Result<(), E> {
        self.set(Scalar::Null)
    }
    fn visit_none<E: de::Error>(self) -> Result<(), E> {
        self.set(Scalar::Null)
    }
    fn visit_bool<E: de::Error>(self, v: bool) -> Result<(), E> {
        self.set(Scalar::Bool(v))
    }
    fn visit_i64<E: de::Error>(self, v: i64) -> Result<(), E> {
        self.set(Scalar::Int(v))
    }
    fn visit_u64<E: de::Error>(self, v: u64) -> Result<(), E> {
        self.set(i64::try_from(v).map_or(Scalar::Big(v), Scalar::Int))
    }
    fn visit_f64<E: de::Error>(self, v: f64) -> Result<(), E> {
        self.set(Scalar::Float(v))
    }
    fn visit_borrowed_str<E: de::Error>(self, v: &'a str) -> Result<(), E> {
        self.set(Scalar::Str(Cow::Borrowed(v)))
    }
    fn visit_str<E: de::Error>(self, v: &str) -> Result<(), E> {
        self.set(Scalar::Str(Cow::Owned(v.to_owned())))
    }
    fn visit_string<E: de::Error>(self, v: String) -> Result<(), E> {
        self.set(Scalar::Str(Cow::Owned(v)))
    }
    fn visit_seq<S: SeqAccess<'a>>(self, seq: S) -> Result<(), S::Error> {
        Skip.visit_seq(seq)?;
        self.set(Scalar::Array)
    }
    fn visit_map<M: MapAccess<'a>>(self, map: M) -> Result<(), M::Error> {
        Skip.visit_map(map)?;
        self.set(Scalar::Object)
    }
}

/// Reads a value a context does not keep. Unlike serde's `IgnoredAny`,
/// which serde_json skips with a stack on the heap, this recurses (within
/// the reader's depth limit of 128) and so allocates nothing.
#[derive(Clone, Copy)]
struct Skip;

impl<'a> DeserializeSeed<'a> for Skip {
    type Value = ();

    fn deserialize<D: Deserializer<'a>>(self, de: D) -> Result<(), D::Error> {
        de.deserialize_any(self)
    }
}

impl<'a> Visitor<'a> for Skip {
    type Value = ();

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("a JSON value")
    }
    fn visit_unit<E: de::Error>(self) -> Result<(), E> {
        Ok(())
    }
    fn visit_bool<E: de::Error>(self, _: bool) -> Result<(), E> {
        Ok(())
    }
    fn visit_i64<E: de::Error>(self, _: i64) -> Result<(), E> {
        Ok(())
    }
    fn visit_u64<E: de::Error>(self, _: u64) -> Result<(), E> {
        Ok(())
    }
    fn visit_f64<E: de::Error>(self, _: f64) -> Result<(), E> {
        Ok(())
    }
    fn visit_str<E: de::Error>(self, _: &str) -> Result<(), E> {
        Ok(())
    }
    fn visit_seq<S: SeqAccess<'a>>(self, mut seq: S) -> Result<(), S::Error> {
        while seq.next_element_seed(Skip)?.is_some() {}
        Ok(())
    }
    fn visit_map<M: MapAccess<'a>>(self, mut map: M) -> Result<(), M::Error> {
        while map.next_key_seed(Skip)?.is_some() {
            map.next_value_seed(Skip)?;
        }
        Ok(())
    }
}
