//! [`Input`]: a value handed to a context, and its check against a field's
//! type.

use switchyard_check::ir::{Field, FieldId, Type};
use switchyard_check::semantics::{self, Given, Scalar, ValueError};

use super::schema::Kind;
use super::{Schema, Slot};
use crate::error::ContextError;

/// A value handed to [`super::Context::set`].
#[derive(Clone, Copy, Debug, PartialEq)]
pub enum Input<'a> {
    /// For `bool` fields.
    Bool(bool),
    /// For `int` fields (and `float` ones).
    Int(i64),
    /// For `float` fields.
    Float(f64),
    /// For `string` and enum fields.
    Str(&'a str),
}

impl From<bool> for Input<'_> {
    fn from(v: bool) -> Self {
        Input::Bool(v)
    }
}
impl From<i64> for Input<'_> {
    fn from(v: i64) -> Self {
        Input::Int(v)
    }
}
impl From<i32> for Input<'_> {
    fn from(v: i32) -> Self {
        Input::Int(i64::from(v))
    }
}
impl From<u32> for Input<'_> {
    fn from(v: u32) -> Self {
        Input::Int(i64::from(v))
    }
}
impl From<f64> for Input<'_> {
    fn from(v: f64) -> Self {
        Input::Float(v)
    }
}
impl<'a> From<&'a str> for Input<'a> {
    fn from(v: &'a str) -> Self {
        Input::Str(v)
    }
}
impl<'a> From<&'a String> for Input<'a> {
    fn from(v: &'a String) -> Self {
        Input::Str(v)
    }
}

impl Schema {
    /// Checks a value against field `id`'s type. Strings are borrowed.
    #[inline(always)]
    pub(crate) fn convert<'a>(
        &self,
        id: FieldId,
        input: Input<'a>,
    ) -> Result<Slot<'a>, ContextError> {
        let mut slot = Slot::Unset;
        self.store_as(self.kinds.get(id.index()).copied(), id, input, |s| {
            slot = s;
        })?;
        Ok(slot)
    }

    /// [`Schema::convert`] with the field's kind already known (`None`: a
    /// field the schema does not declare), handing the value to `store`.
    #[inline(always)]
    pub(crate) fn store_as<'a>(
        &self,
        kind: Option<Kind>,
        id: FieldId,
        input: Input<'a>,
        store: impl FnOnce(Slot<'a>),
    ) -> Result<(), ContextError> {
        match self.plain(kind, id, input) {
            Some(slot) => store(slot),
            None => store(self.convert_other(id, input)?),
        }
        Ok(())
    }

    /// The slot of a value of the field's own type: a compact type tag
    /// and, for strings, a literal lookup. `None` for the rest (enums, ints
    /// for floats, errors), which [`Schema::convert_other`] converts out
    /// of line, so that this, inlined where a value is stored, stays small.
    #[inline(always)]
    fn plain<'a>(&self, kind: Option<Kind>, id: FieldId, input: Input<'a>) -> Option<Slot<'a>> {
        Some(match (kind?, input) {
            (Kind::String, Input::Str(s)) => Slot::Str(s, self.literal_id(id, s)),
            (Kind::Bool, Input::Bool(b)) => Slot::Bool(b),
            (Kind::Int, Input::Int(i)) => Slot::Int(i),
            // Negative zero compares equal to zero; store it as zero so it
            // hashes and prints the same way too.
            (Kind::Float, Input::Float(f)) if f.is_finite() => {
                Slot::Float(if f == 0.0 { 0.0 } else { f })
            }
            _ => return None,
        })
    }

    /// The id of the literal of string field `id` that `s` equals, or
    /// [`super::NO_LITERAL`].
    #[inline(always)]
    pub(crate) fn literal_id(&self, id: FieldId, s: &str) -> u32 {
        match self.literals.get(id.index()) {
            Some(l) => l.id(s),
            None => super::NO_LITERAL,
        }
    }

    /// [`Schema::convert`] of everything but a value of the field's own
    /// type, by the language's one rule ([`semantics::typed`]).
    #[inline(never)]
    fn convert_other<'a>(&self, id: FieldId, input: Input<'a>) -> Result<Slot<'a>, ContextError> {
        let Some(field) = self.field(id) else {
            return Ok(Slot::Unset);
        };
        Ok(match semantics::typed(&field.ty, input.into()) {
            Ok(Scalar::Bool(b)) => Slot::Bool(b),
            Ok(Scalar::Int(i)) => Slot::Int(i),
            Ok(Scalar::Float(f)) => Slot::Float(f),
            Ok(Scalar::Enum(e)) => Slot::Enum(e),
            Ok(Scalar::Str(s)) => Slot::Str(s, self.literal_id(id, s)),
            Err(e) => return Err(value_error(e, field, input)),
        })
    }

    /// [`Schema::convert`] for a value that lives shorter than the
    /// context: a string among the rules' literals comes back borrowed from
    /// the schema (`Ok(slot)`), any other string as the text to copy and
    /// its literal id (`Err`).
    #[allow(
        clippy::type_complexity,
        reason = "the inner Result says borrowed or to copy"
    )]
    pub(crate) fn convert_literal<'s, 'i>(
        &'s self,
        id: FieldId,
        input: Input<'i>,
    ) -> Result<Result<Slot<'s>, (&'i str, u32)>, ContextError> {
        match (self.kinds.get(id.index()), input) {
            (Some(Kind::String), Input::Str(s)) => {
                let lits = self.literals.get(id.index());
                let lit = lits.map_or(super::NO_LITERAL, |l| l.id(s));
                Ok(match lits.and_then(|l| l.text(lit)) {
                    Some(t) => Ok(Slot::Str(t, lit)),
                    None => Err((s, lit)),
                })
            }
            // A string for any other field is an enum value or an error:
            // nothing of the text is kept.
            (_, Input::Str(_)) => Ok(Ok(match self.convert(id, input)? {
                Slot::Enum(e) => Slot::Enum(e),
                _ => Slot::Unset,
            })),
            (_, Input::Bool(b)) => self.convert(id, Input::Bool(b)).map(Ok),
            (_, Input::Int(i)) => self.convert(id, Input::Int(i)).map(Ok),
            (_, Input::Float(f)) => self.convert(id, Input::Float(f)).map(Ok),
        }
    }
}

/// The context error of a value that does not fit `field`.
pub(crate) fn value_error(e: ValueError, field: &Field, input: Input<'_>) -> ContextError {
    let name = field.name.clone();
    match (e, input) {
        (ValueError::NotInEnum, Input::Str(s)) => ContextError::NotInEnum {
            field: name,
            got: s.chars().take(80).collect(),
            expected: field.ty.to_string(),
        },
        (ValueError::NotFinite, Input::Float(f)) => ContextError::NotFinite {
            field: name,
            got: format!("{f}"),
        },
        (ValueError::OutOfRange, Input::Int(i)) => ContextError::OutOfRange {
            field: name,
            got: i.to_string(),
        },
        (ValueError::OutOfRange, Input::Float(f)) => ContextError::OutOfRange {
            field: name,
            got: format!("{f}"),
        },
        // `12.0` for an int field: the number is whole, but written as a
        // float; say how to write it.
        (_, Input::Float(f)) if field.ty == Type::Int && f.fract() == 0.0 && f.abs() < 1e15 => {
            ContextError::WrongType {
                field: name,
                expected: field.ty.to_string(),
                got: format!("the float {f:?} (write {f:.0}, without a decimal point)"),
            }
        }
        _ => ContextError::WrongType {
            field: name,
            expected: field.ty.to_string(),
            got: describe(input),
        },
    }
}

impl<'a> From<Input<'a>> for Given<'a> {
    fn from(input: Input<'a>) -> Self {
        match input {
            Input::Bool(b) => Given::Bool(b),
            Input::Int(i) => Given::Int(i),
            Input::Float(f) => Given::Float(f),
            Input::Str(s) => Given::Str(s),
        }
    }
}

impl<'a> From<Given<'a>> for Input<'a> {
    fn from(given: Given<'a>) -> Self {
        match given {
            Given::Bool(b) => Input::Bool(b),
            Given::Int(i) => Input::Int(i),
            Given::Float(f) => Input::Float(f),
            Given::Str(s) => Input::Str(s),
        }
    }
}

fn describe(input: Input<'_>) -> String {
    match input {
        Input::Bool(b) => format!("the bool {b}"),
        Input::Int(i) => format!("the int {i}"),
        Input::Float(f) => format!("the float {f:?}"),
        Input::Str(s) => {
            let short: String = s.chars().take(40).collect();
            let more = if short.len() < s.len() { "…" } else { "" };
            format!("the string {:?}", format!("{short}{more}"))
        }
    }
}
