//! What an atom means on one context (docs/reference/conditions.md, docs/reference/context.md): the
//! one definition of the language's tests, shared by the evaluator and the
//! condition analysis.
//!
//! - [`Scalar`] is a value read from a context; [`Env`] is anything that
//!   reads one per [`Subject`] (a compiled context, a witness of the
//!   analysis). [`holds`] says whether an atom holds on it, [`cond_holds`]
//!   a whole condition.
//! - Numbers compare exactly ([`compare`], [`compare_int_float`]): an int is
//!   never rounded to a float, nor a float to an int, at any magnitude
//!   (`9007199254740993 > 9007199254740992.0`, `i64::MAX < 2^63`).
//! - Every test but `has` is false when a value it reads is unset; `!=`,
//!   `not in` and `not in a..b` too.
//! - [`typed`] and [`given_from_json`] say which value a field holds when a
//!   host gives one (a context built in code or read from JSON).
//!
//! Everything here is a pure function on borrowed values: nothing
//! allocates, and the generic functions are `#[inline]`, so a caller's
//! [`Env`] is read without indirection.

mod input;
mod numbers;
mod text;

pub use input::{given_from_json, given_from_number, typed, Given, JsonNumber, ValueError};
pub use numbers::{compare, compare_int_float, equals, in_range, satisfies};
pub use text::{char_count, text_test, word_count};

use crate::ir::{AtomKind, Cond, Number, Operand, Ruleset, Subject, Value};

/// A value read from a context (or a literal), borrowed.
#[derive(Clone, Copy, Debug, PartialEq)]
pub enum Scalar<'a> {
    /// A bool.
    Bool(bool),
    /// An int.
    Int(i64),
    /// A finite float.
    Float(f64),
    /// A string.
    Str(&'a str),
    /// An enum value: index into the enum's values (or [`crate::ir::WEEKDAYS`]).
    Enum(u32),
}

impl From<Number> for Scalar<'_> {
    #[inline]
    fn from(n: Number) -> Self {
        match n {
            Number::Int(i) => Scalar::Int(i),
            Number::Float(f) => Scalar::Float(f),
        }
    }
}

impl<'a> From<&'a Value> for Scalar<'a> {
    #[inline]
    fn from(v: &'a Value) -> Self {
        match v {
            Value::Bool(b) => Scalar::Bool(*b),
            Value::Int(i) => Scalar::Int(*i),
            Value::Float(f) => Scalar::Float(*f),
            Value::Str(s) => Scalar::Str(s),
            Value::Enum(e) => Scalar::Enum(*e),
        }
    }
}

impl Scalar<'_> {
    /// The value, owned.
    pub fn to_value(self) -> Value {
        match self {
            Scalar::Bool(b) => Value::Bool(b),
            Scalar::Int(i) => Value::Int(i),
            Scalar::Float(f) => Value::Float(f),
            Scalar::Str(s) => Value::Str(s.to_string()),
            Scalar::Enum(e) => Value::Enum(e),
        }
    }
}

/// A context as the atoms see it: the value of each subject, `None` when
/// unset. `Words` and `Len` read the word and character counts of a set
/// string field ([`word_count`], [`char_count`]); `Hour` an int 0-23;
/// `Weekday` an enum over [`crate::ir::WEEKDAYS`].
pub trait Env {
    /// The value of `subject`, or `None` when it is unset.
    fn read(&self, subject: Subject) -> Option<Scalar<'_>>;
}

/// Whether `atom` holds on `env`.
#[inline]
pub fn holds<E: Env + ?Sized>(atom: &AtomKind, env: &E) -> bool {
    match atom {
        AtomKind::Flag(f) => matches!(env.read(Subject::Field(*f)), Some(Scalar::Bool(true))),
        AtomKind::Has(f) => env.read(Subject::Field(*f)).is_some(),
        AtomKind::Compare { lhs, op, rhs } => {
            let Some(a) = env.read(*lhs) else {
                return false;
            };
            let ordering = match rhs {
                Operand::Value(v) => match op {
                    crate::ir::CmpOp::Eq | crate::ir::CmpOp::Ne => {
                        return equals(a, v) == Some(*op == crate::ir::CmpOp::Eq)
                    }
                    _ => compare(a, Scalar::from(v)),
                },
                Operand::Subject(s) => match env.read(*s) {
                    Some(b) => compare(a, b),
                    None => return false,
                },
            };
            ordering.is_some_and(|o| satisfies(*op, o))
        }
        AtomKind::In {
            lhs,
            values,
            negated,
        } => match env.read(*lhs) {
            None => false,
            Some(a) => values.iter().any(|v| equals(a, v) == Some(true)) != *negated,
        },
        AtomKind::Range {
            lhs,
            lo,
            hi,
            inclusive,
            negated,
        } => match env.read(*lhs) {
            Some(x @ (Scalar::Int(_) | Scalar::Float(_))) => {
                in_range(x, *lo, *hi, *inclusive) != *negated
            }
            _ => false,
        },
        AtomKind::Matches { lhs, pattern } => match env.read(*lhs) {
            Some(Scalar::Str(s)) => pattern.regex.is_match(s),
            _ => false,
        },
        AtomKind::Str { lhs, op, needle } => match env.read(*lhs) {
            Some(Scalar::Str(s)) => text_test(*op, s, needle),
            _ => false,
        },
    }
}

/// Whether `cond` holds on `env`, `let`s looked up in `rs` (a let that is
/// not there is false). Recursion follows the nesting of the condition and
/// its lets, which the parser bounds.
pub fn cond_holds<E: Env + ?Sized>(rs: &Ruleset, cond: &Cond, env: &E) -> bool {
    match cond {
        Cond::True => true,
        Cond::False => false,
        Cond::Atom(a) => holds(&a.kind, env),
        Cond::Not(c) => !cond_holds(rs, c, env),
        Cond::And(cs) => cs.iter().all(|c| cond_holds(rs, c, env)),
        Cond::Or(cs) => cs.iter().any(|c| cond_holds(rs, c, env)),
        Cond::Let(l) => rs.let_(*l).is_some_and(|l| cond_holds(rs, &l.cond, env)),
    }
}
