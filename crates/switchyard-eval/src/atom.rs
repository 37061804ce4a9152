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

impl From<Number> for Scalar<'_> {
    fn from(n: Number) -> Self {
        match n {
            Number::Int(i) => Scalar::Int(i),
            Number::Float(f) => Scalar::Float(f),
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

/// The value of a subject, or `None` when unset. `words(F)` and `len(F)`
/// are counted here, when a test reads them.
pub(crate) fn read<'c>(ctx: &'c Context<'_>, subject: Subject) -> Option<Scalar<'c>> {
    let count = |n: usize| Scalar::Int(i64::try_from(n).unwrap_or(i64::MAX));
    match subject {
        Subject::Field(f) => match ctx.slot(f) {
            Slot::Unset => None,
            Slot::Bool(b) => Some(Scalar::Bool(*b)),
            Slot::Int(i) => Some(Scalar::Int(*i)),
            Slot::Float(x) => Some(Scalar::Float(*x)),
            Slot::Str(t) => Some(Scalar::Str(&t.text)),
            Slot::Enum(e) => Some(Scalar::Enum(*e)),
        },
        Subject::Words(f) => match ctx.slot(f) {
            Slot::Str(t) => Some(count(t.text.split_whitespace().count())),
            _ => None,
        },
        Subject::Len(f) => match ctx.slot(f) {
            Slot::Str(t) => Some(count(t.text.chars().count())),
            _ => None,
        },
        Subject::Hour => Some(Scalar::Int(ctx.hour())),
        Subject::Weekday => Some(Scalar::Enum(ctx.weekday_index())),
    }
}

/// Whether an ordering satisfies a comparison operator.
#[inline]
pub(crate) fn op_holds(op: CmpOp, ord: Ordering) -> bool {
    match op {
        CmpOp::Eq => ord == Ordering::Equal,
        CmpOp::Ne => ord != Ordering::Equal,
        CmpOp::Lt => ord == Ordering::Less,
        CmpOp::Le => ord != Ordering::Greater,
        CmpOp::Gt => ord == Ordering::Greater,
        CmpOp::Ge => ord != Ordering::Less,
    }
}

/// Compares two scalars of compatible types (ints and floats mix).
pub(crate) fn compare(a: Scalar<'_>, b: Scalar<'_>) -> Option<Ordering> {
    match (a, b) {
        (Scalar::Int(x), Scalar::Int(y)) => Some(x.cmp(&y)),
        (Scalar::Bool(x), Scalar::Bool(y)) => Some(x.cmp(&y)),
        (Scalar::Str(x), Scalar::Str(y)) => Some(x.cmp(y)),
        (Scalar::Enum(x), Scalar::Enum(y)) => Some(x.cmp(&y)),
        (Scalar::Int(x), Scalar::Float(y)) => compare_int_float(x, y),
        (Scalar::Float(x), Scalar::Int(y)) => compare_int_float(y, x).map(Ordering::reverse),
        (Scalar::Float(x), Scalar::Float(y)) => x.partial_cmp(&y),
        _ => None,
    }
}

/// Compares an int with a float exactly: the int is not rounded to the
/// nearest `f64` (`2^63 - 2` and `2^63 - 1` are both `2^63` as `f64`).
fn compare_int_float(i: i64, f: f64) -> Option<Ordering> {
    // 2^63, exact as f64: every f64 in -2^63..2^63 truncates to an i64.
    const TWO_63: f64 = 9_223_372_036_854_775_808.0;
    if f.is_nan() {
        return None;
    }
    if f >= TWO_63 {
        return Some(Ordering::Less);
    }
    if f < -TWO_63 {
        return Some(Ordering::Greater);
    }
    let whole = f.trunc();
    // In range and integral, so the cast is exact.
    let w = whole as i64;
    Some(i.cmp(&w).then_with(|| {
        let fraction = f - whole;
        if fraction > 0.0 {
            Ordering::Less
        } else if fraction < 0.0 {
            Ordering::Greater
        } else {
            Ordering::Equal
        }
    }))
}

/// Whether `a` equals the literal `v` (`None`: they do not compare), as
/// [`compare`] says, with the common kinds tested directly (strings by
/// length first).
fn equals(a: Scalar<'_>, v: &Value) -> Option<bool> {
    match (a, v) {
        (Scalar::Str(x), Value::Str(y)) => Some(x == y),
        (Scalar::Enum(x), Value::Enum(y)) => Some(x == *y),
        (Scalar::Int(x), Value::Int(y)) => Some(x == *y),
        (Scalar::Bool(x), Value::Bool(y)) => Some(x == *y),
        _ => compare(a, Scalar::from(v)).map(Ordering::is_eq),
    }
}

/// `x in lo..hi` (`..=` when `inclusive`), compared exactly.
fn in_range(x: Scalar<'_>, lo: Number, hi: Number, inclusive: bool) -> bool {
    let above = matches!(
        compare(x, lo.into()),
        Some(Ordering::Greater | Ordering::Equal)
    );
    let below = match compare(x, hi.into()) {
        Some(Ordering::Less) => true,
        Some(Ordering::Equal) => inclusive,
        _ => false,
    };
    above && below
}

/// Whether `atom` holds for `ctx`.
pub(crate) fn eval(atom: &AtomKind, ctx: &Context<'_>) -> bool {
    match atom {
        AtomKind::Flag(f) => matches!(ctx.slot(*f), Slot::Bool(true)),
        AtomKind::Has(f) => !matches!(ctx.slot(*f), Slot::Unset),
        AtomKind::Compare { lhs, op, rhs } => {
            let Some(a) = read(ctx, *lhs) else {
                return false;
            };
            if let (CmpOp::Eq | CmpOp::Ne, Operand::Value(v)) = (op, rhs) {
                return equals(a, v) == Some(*op == CmpOp::Eq);
            }
            let b = match rhs {
                Operand::Value(v) => Scalar::from(v),
                Operand::Subject(s) => match read(ctx, *s) {
                    Some(b) => b,
                    None => return false,
                },
            };
            compare(a, b).is_some_and(|ord| op_holds(*op, ord))
        }
        AtomKind::In {
            lhs,
            values,
            negated,
        } => match read(ctx, *lhs) {
            None => false,
            Some(a) => {
                let found = values.iter().any(|v| equals(a, v) == Some(true));
                found != *negated
            }
        },
        AtomKind::Range {
            lhs,
            lo,
            hi,
            inclusive,
            negated,
        } => match read(ctx, *lhs) {
            Some(x @ (Scalar::Int(_) | Scalar::Float(_))) => {
                in_range(x, *lo, *hi, *inclusive) != *negated
            }
            _ => false,
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn equality_agrees_with_compare() {
        let cases = [
            (Scalar::Str("ab"), Value::Str("ab".into())),
            (Scalar::Str("ab"), Value::Str("abc".into())),
            (Scalar::Str(""), Value::Str(String::new())),
            (Scalar::Int(1), Value::Int(1)),
            (Scalar::Int(1), Value::Float(1.0)),
            (Scalar::Int(1), Value::Float(1.5)),
            (Scalar::Float(2.0), Value::Int(2)),
            (Scalar::Float(-0.0), Value::Float(0.0)),
            (Scalar::Enum(2), Value::Enum(2)),
            (Scalar::Enum(2), Value::Enum(3)),
            (Scalar::Bool(true), Value::Bool(false)),
            (Scalar::Str("1"), Value::Int(1)),
        ];
        for (a, v) in cases {
            let by_compare = compare(a, Scalar::from(&v)).map(Ordering::is_eq);
            assert_eq!(equals(a, &v), by_compare, "{a:?} == {v:?}");
        }
    }

    #[test]
    fn ints_and_floats_compare_exactly() {
        use Ordering::*;
        let two_53 = 1i64 << 53;
        // 2^53 + 1 is 2^53 as f64, but not equal to it.
        assert_eq!(
            compare_int_float(two_53 + 1, 9_007_199_254_740_992.0),
            Some(Greater)
        );
        assert_eq!(
            compare_int_float(two_53, 9_007_199_254_740_992.0),
            Some(Equal)
        );
        // i64::MAX is below 2^63 (which is what `i64::MAX as f64` gives).
        assert_eq!(compare_int_float(i64::MAX, i64::MAX as f64), Some(Less));
        assert_eq!(
            compare_int_float(i64::MIN, -9_223_372_036_854_775_808.0),
            Some(Equal)
        );
        assert_eq!(compare_int_float(i64::MIN, -1e300), Some(Greater));
        assert_eq!(compare_int_float(-3, -2.5), Some(Less));
        assert_eq!(compare_int_float(-2, -2.5), Some(Greater));
        assert_eq!(compare_int_float(2, 2.5), Some(Less));
        assert_eq!(compare_int_float(3, 2.5), Some(Greater));
        assert_eq!(compare_int_float(0, -0.0), Some(Equal));
        assert_eq!(compare_int_float(0, f64::NAN), None);
        assert_eq!(
            compare(Scalar::Float(2.5), Scalar::Int(3)),
            Some(Less),
            "and the other way round"
        );
    }

    #[test]
    fn ranges_over_the_ends_of_i64_are_exact() {
        let top = |x: i64, inclusive| {
            in_range(
                Scalar::Int(x),
                Number::Int(i64::MAX - 1),
                Number::Int(i64::MAX),
                inclusive,
            )
        };
        assert!(top(i64::MAX, true));
        assert!(!top(i64::MAX, false));
        assert!(top(i64::MAX - 1, false));
        assert!(!top(i64::MAX - 2, true));
        let mixed = |x| {
            in_range(
                Scalar::Int(x),
                Number::Float(-0.5),
                Number::Float(0.5),
                false,
            )
        };
        assert!(mixed(0));
        assert!(!mixed(1));
        assert!(!mixed(-1));
    }
}
