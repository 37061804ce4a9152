//! Evaluation of one atom on a context (LANGUAGE.md 4.1 and 4.3): every
//! test but `has` is false when a value it reads is unset.

use std::cmp::Ordering;

use switchyard_check::ir::{AtomKind, CmpOp, Number, Operand, StrOp, Subject, Value};

use crate::context::{Context, Slot};

/// A value read from the context, borrowed.
#[derive(Clone, Copy, Debug, PartialEq)]
pub(crate) enum Scalar<'a> {
    Bool(bool),
    Int(i64),
    Float(f64),
    Str(&'a str),
    Enum(u32),
}

impl Scalar<'_> {
    fn num(self) -> Option<f64> {
        match self {
            Scalar::Int(i) => Some(i as f64),
            Scalar::Float(f) => Some(f),
            _ => None,
        }
    }
}

impl<'a> From<&'a Value> for Scalar<'a> {
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

/// The value of a subject, or `None` when unset.
pub(crate) fn read(ctx: &Context, subject: Subject) -> Option<Scalar<'_>> {
    match subject {
        Subject::Field(f) => match ctx.slot(f) {
            Slot::Unset => None,
            Slot::Bool(b) => Some(Scalar::Bool(*b)),
            Slot::Int(i) => Some(Scalar::Int(*i)),
            Slot::Float(x) => Some(Scalar::Float(*x)),
            Slot::Str(s) => Some(Scalar::Str(s)),
            Slot::Enum(e) => Some(Scalar::Enum(*e)),
        },
        Subject::Words(f) => match ctx.slot(f) {
            Slot::Str(_) => ctx.words.get(f.index()).map(|&n| Scalar::Int(n)),
            _ => None,
        },
        Subject::Len(f) => match ctx.slot(f) {
            Slot::Str(_) => ctx.lens.get(f.index()).map(|&n| Scalar::Int(n)),
            _ => None,
        },
        Subject::Hour => Some(Scalar::Int(ctx.hour)),
        Subject::Weekday => Some(Scalar::Enum(ctx.weekday)),
    }
}

/// Compares two scalars of compatible types (ints and floats mix).
pub(crate) fn compare(a: Scalar<'_>, b: Scalar<'_>) -> Option<Ordering> {
    match (a, b) {
        (Scalar::Int(x), Scalar::Int(y)) => Some(x.cmp(&y)),
        (Scalar::Bool(x), Scalar::Bool(y)) => Some(x.cmp(&y)),
        (Scalar::Str(x), Scalar::Str(y)) => Some(x.cmp(y)),
        (Scalar::Enum(x), Scalar::Enum(y)) => Some(x.cmp(&y)),
        _ => a.num()?.partial_cmp(&b.num()?),
    }
}

fn in_range(x: f64, lo: Number, hi: Number, inclusive: bool) -> bool {
    let (lo, hi) = (lo.as_f64(), hi.as_f64());
    x >= lo && if inclusive { x <= hi } else { x < hi }
}

/// Whether `atom` holds for `ctx`.
pub(crate) fn eval(atom: &AtomKind, ctx: &Context) -> bool {
    match atom {
        AtomKind::Flag(f) => matches!(ctx.slot(*f), Slot::Bool(true)),
        AtomKind::Has(f) => !matches!(ctx.slot(*f), Slot::Unset),
        AtomKind::Compare { lhs, op, rhs } => {
            let Some(a) = read(ctx, *lhs) else {
                return false;
            };
            let b = match rhs {
                Operand::Value(v) => Scalar::from(v),
                Operand::Subject(s) => match read(ctx, *s) {
                    Some(b) => b,
                    None => return false,
                },
            };
            let Some(ord) = compare(a, b) else {
                return false;
            };
            match op {
                CmpOp::Eq => ord == Ordering::Equal,
                CmpOp::Ne => ord != Ordering::Equal,
                CmpOp::Lt => ord == Ordering::Less,
                CmpOp::Le => ord != Ordering::Greater,
                CmpOp::Gt => ord == Ordering::Greater,
                CmpOp::Ge => ord != Ordering::Less,
            }
        }
        AtomKind::In {
            lhs,
            values,
            negated,
        } => match read(ctx, *lhs) {
            None => false,
            Some(a) => {
                let found = values
                    .iter()
                    .any(|v| compare(a, Scalar::from(v)) == Some(Ordering::Equal));
                found != *negated
            }
        },
        AtomKind::Range {
            lhs,
            lo,
            hi,
            inclusive,
            negated,
        } => match read(ctx, *lhs).and_then(Scalar::num) {
            None => false,
            Some(x) => in_range(x, *lo, *hi, *inclusive) != *negated,
        },
        AtomKind::Matches { lhs, pattern } => match read(ctx, *lhs) {
            Some(Scalar::Str(s)) => pattern.regex.is_match(s),
            _ => false,
        },
        AtomKind::Str { lhs, op, needle } => match read(ctx, *lhs) {
            Some(Scalar::Str(s)) => match op {
                StrOp::Contains => s.contains(needle.as_str()),
                StrOp::StartsWith => s.starts_with(needle.as_str()),
                StrOp::EndsWith => s.ends_with(needle.as_str()),
            },
            _ => false,
        },
    }
}
