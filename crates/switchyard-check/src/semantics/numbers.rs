//! Comparing numbers and other scalars exactly.

use std::cmp::Ordering;

use crate::ir::{CmpOp, Number, Value};

use super::Scalar;

/// Compares two scalars of compatible types: ints and floats mix (exactly,
/// see [`compare_int_float`]); bools, strings and enums compare with their
/// own kind. `None` for incompatible kinds (which a checked ruleset never
/// compares).
#[inline]
pub fn compare(a: Scalar<'_>, b: Scalar<'_>) -> Option<Ordering> {
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

/// Compares an int with a float exactly: neither is rounded (`2^63 - 2`
/// and `2^63 - 1` are both `2^63` as `f64`, and both below it). `None`
/// only for NaN, which no context or literal holds.
#[inline]
pub fn compare_int_float(i: i64, f: f64) -> Option<Ordering> {
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
/// [`compare`] says, with the common kinds tested directly.
#[inline]
pub fn equals(a: Scalar<'_>, v: &Value) -> Option<bool> {
    match (a, v) {
        (Scalar::Str(x), Value::Str(y)) => Some(x == y),
        (Scalar::Enum(x), Value::Enum(y)) => Some(x == *y),
        (Scalar::Int(x), Value::Int(y)) => Some(x == *y),
        (Scalar::Bool(x), Value::Bool(y)) => Some(x == *y),
        _ => compare(a, Scalar::from(v)).map(Ordering::is_eq),
    }
}

/// `x in lo..hi` (`..=` when `inclusive`), compared exactly.
#[inline]
pub fn in_range(x: Scalar<'_>, lo: Number, hi: Number, inclusive: bool) -> bool {
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

/// Whether `a op b` holds when `a` compares to `b` as `ordering`.
#[inline]
pub fn satisfies(op: CmpOp, ordering: Ordering) -> bool {
    match op {
        CmpOp::Eq => ordering == Ordering::Equal,
        CmpOp::Ne => ordering != Ordering::Equal,
        CmpOp::Lt => ordering == Ordering::Less,
        CmpOp::Le => ordering != Ordering::Greater,
        CmpOp::Gt => ordering == Ordering::Greater,
        CmpOp::Ge => ordering != Ordering::Less,
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
        // The example: a float field holding 2^53 against the int
        // literal 2^53 + 1.
        assert_eq!(
            compare(
                Scalar::Float(9_007_199_254_740_992.0),
                Scalar::Int(9_007_199_254_740_993)
            ),
            Some(Less)
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
        // `n not in 2..=9007199254740993` is false for 2 (the issue's
        // missing E008 needs the analysis to agree).
        assert!(in_range(
            Scalar::Int(2),
            Number::Int(2),
            Number::Int(9_007_199_254_740_993),
            true
        ));
        assert!(in_range(
            Scalar::Float(9_007_199_254_740_992.0),
            Number::Int(9_007_199_254_740_991),
            Number::Int(9_007_199_254_740_993),
            false
        ));
    }

    #[test]
    fn operators_read_orderings() {
        use Ordering::*;
        assert!(satisfies(CmpOp::Le, Equal) && satisfies(CmpOp::Le, Less));
        assert!(!satisfies(CmpOp::Gt, Equal) && satisfies(CmpOp::Ne, Greater));
    }
}
