//! Numbers as the analysis sees them: every numeric dimension is a
//! discrete, ordered line of `i64` *keys*, so one [`IntSet`] type holds the
//! values of ints, floats, `hour`, `words(F)` and `len(F)` exactly.
//!
//! - An int is its own key.
//! - A finite `f64` is keyed by [`float_key`], which keeps the order of
//!   the floats and maps `-0.0` and `0.0` to one key (they compare equal).
//!   Consecutive keys are consecutive floats: there is no real between two
//!   floats that a float field could hold, so a set of keys that is empty
//!   holds no value at all, and one that is not empty holds one.
//!
//! A test against a constant (`x < c`, `x in a..b`, `x == c`, an int
//! constant against a float field or a float against an int one) is turned
//! into a range of keys by [`Line::brackets`]: the key of the largest
//! member of the line at or below `c`, and of the smallest at or above it,
//! computed exactly, in `i128` so that nothing overflows at the ends.

use crate::ir::{AtomKind, CmpOp, Number, Operand};
use crate::semantics::{compare_int_float, Scalar};

use super::int_set::IntSet;

/// The key of the largest finite float, `f64::MAX`.
pub(crate) const FLOAT_KEY_MAX: i64 = 0x7FEF_FFFF_FFFF_FFFF;

/// The key of a finite float: order-preserving, `-0.0` and `0.0` alike.
pub(crate) fn float_key(x: f64) -> i64 {
    let bits = x.to_bits();
    let magnitude = i64::try_from(bits & 0x7FFF_FFFF_FFFF_FFFF).unwrap_or(i64::MAX);
    if bits >> 63 == 1 {
        -magnitude
    } else {
        magnitude
    }
}

/// The float of a key (the inverse of [`float_key`]; key 0 is `0.0`).
pub(crate) fn key_float(k: i64) -> f64 {
    let magnitude = f64::from_bits(k.unsigned_abs());
    if k < 0 {
        -magnitude
    } else {
        magnitude
    }
}

/// The numbers a dimension ranges over.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Line {
    /// The ints `lo..=hi`.
    Int(i64, i64),
    /// Every finite float.
    Float,
}

/// 2^63 as a float (exact).
const TWO_63: f64 = 9_223_372_036_854_775_808.0;

impl Line {
    /// The smallest and largest key.
    pub(crate) fn ends(self) -> (i64, i64) {
        match self {
            Line::Int(lo, hi) => (lo, hi),
            Line::Float => (-FLOAT_KEY_MAX, FLOAT_KEY_MAX),
        }
    }

    /// Every member.
    pub(crate) fn all(self) -> IntSet {
        let (lo, hi) = self.ends();
        IntSet::range(lo, hi)
    }

    /// `(floor, ceil)`: the key of the largest number of the line's kind
    /// (int or float, ignoring the line's ends) at or below `c`, and of the
    /// smallest at or above it; equal when `c` is one. Ints past the ends
    /// of `i64` are clamped to one beyond them. `None` for a constant that
    /// is not a number.
    pub(crate) fn brackets(self, c: Scalar<'_>) -> Option<(i128, i128)> {
        Some(match (self, c) {
            (Line::Int(..), Scalar::Int(i)) => (i128::from(i), i128::from(i)),
            (Line::Int(..), Scalar::Float(f)) => {
                if f.is_nan() {
                    return None;
                }
                // In -2^63..=2^63 - 1024 (the float below 2^63) the floor
                // and the ceiling are exact i64s; past it, one beyond.
                let whole = |x: f64| {
                    if x >= TWO_63 {
                        i128::from(i64::MAX) + 1
                    } else if x < -TWO_63 {
                        i128::from(i64::MIN) - 1
                    } else {
                        i128::from(x as i64)
                    }
                };
                (whole(f.floor()), whole(f.ceil()))
            }
            (Line::Float, Scalar::Float(f)) => {
                if !f.is_finite() {
                    return None;
                }
                let k = i128::from(float_key(f));
                (k, k)
            }
            (Line::Float, Scalar::Int(i)) => {
                // `i as f64` is one of the two floats around `i`; which one,
                // the exact comparison says.
                let f = i as f64;
                let k = i128::from(float_key(f));
                match compare_int_float(i, f)? {
                    std::cmp::Ordering::Equal => (k, k),
                    std::cmp::Ordering::Less => (k - 1, k),
                    std::cmp::Ordering::Greater => (k, k + 1),
                }
            }
            _ => return None,
        })
    }

    /// The keys `lo..=hi`, within the line.
    fn clip(self, lo: i128, hi: i128) -> IntSet {
        let (a, b) = self.ends();
        let lo = lo.max(i128::from(a));
        let hi = hi.min(i128::from(b));
        match (i64::try_from(lo), i64::try_from(hi)) {
            (Ok(lo), Ok(hi)) => IntSet::range(lo, hi),
            _ => IntSet::empty(),
        }
    }

    /// The members `x` with `x op c`; `None` when `c` is not a number.
    pub(crate) fn compare(self, op: CmpOp, c: Scalar<'_>) -> Option<IntSet> {
        let (floor, ceil) = self.brackets(c)?;
        let (lo, hi) = self.ends();
        let (lo, hi) = (i128::from(lo), i128::from(hi));
        Some(match op {
            CmpOp::Eq => self.clip(ceil, floor),
            CmpOp::Ne => {
                let (a, b) = self.ends();
                self.clip(ceil, floor).not_within(a, b)
            }
            CmpOp::Lt => self.clip(lo, ceil - 1),
            CmpOp::Le => self.clip(lo, floor),
            CmpOp::Gt => self.clip(floor + 1, hi),
            CmpOp::Ge => self.clip(ceil, hi),
        })
    }

    /// The members `x` for which a numeric test of `atom` holds, `x` being
    /// its subject's value: a comparison with a constant, an `in` list or
    /// a range (or their `not`); `None` for other atoms.
    pub(crate) fn members(self, atom: &AtomKind) -> Option<IntSet> {
        let (lo, hi) = self.ends();
        match atom {
            AtomKind::Compare {
                op,
                rhs: Operand::Value(v),
                ..
            } => self.compare(*op, Scalar::from(v)),
            AtomKind::In {
                values, negated, ..
            } => {
                let mut set = IntSet::empty();
                for v in values {
                    set = set.or(&self.compare(CmpOp::Eq, Scalar::from(v))?);
                }
                Some(if *negated {
                    set.not_within(lo, hi)
                } else {
                    set
                })
            }
            AtomKind::Range {
                lo: from,
                hi: to,
                inclusive,
                negated,
                ..
            } => {
                let set = self.range(*from, *to, *inclusive)?;
                Some(if *negated {
                    set.not_within(lo, hi)
                } else {
                    set
                })
            }
            _ => None,
        }
    }

    /// The members in `lo..hi` (`..=` when `inclusive`).
    pub(crate) fn range(self, lo: Number, hi: Number, inclusive: bool) -> Option<IntSet> {
        let (_, from) = self.brackets(lo.into())?;
        let (hi_floor, hi_ceil) = self.brackets(hi.into())?;
        let to = if inclusive { hi_floor } else { hi_ceil - 1 };
        Some(self.clip(from, to))
    }
}

/// Floats worth showing from the keys `lo..=hi`, "nice" ones first: zero,
/// else the number with the fewest decimals nearest zero, then the other
/// end's, then the ends themselves.
pub(crate) fn nice_floats(lo: i64, hi: i64) -> Vec<f64> {
    let (a, b) = (key_float(lo), key_float(hi));
    let inside = |x: f64| x.is_finite() && (lo..=hi).contains(&float_key(x));
    // The number with the fewest decimals inside, rounding `from` up or
    // down.
    let fewest = |from: f64, up: bool| {
        (0..=17).find_map(|places| {
            let scale = 10f64.powi(places);
            let x = if up {
                (from * scale).ceil() / scale
            } else {
                (from * scale).floor() / scale
            };
            inside(x).then_some(x)
        })
    };
    let mut out: Vec<f64> = Vec::new();
    let firsts = if hi < 0 {
        [fewest(b, false), fewest(a, true)]
    } else {
        [fewest(a, true), fewest(b, false)]
    };
    let near_zero = if hi < 0 { b } else { a };
    for x in [Some(0.0)]
        .into_iter()
        .chain(firsts)
        .chain([Some(near_zero), Some(a), Some(b)])
        .flatten()
    {
        if inside(x) && !out.iter().any(|y| float_key(*y) == float_key(x)) {
            out.push(if x == 0.0 { 0.0 } else { x });
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn float_keys_keep_the_order() {
        let xs = [
            -f64::MAX,
            -1e300,
            -1.0,
            -f64::MIN_POSITIVE,
            -5e-324,
            0.0,
            5e-324,
            1.0,
            1.000_000_000_000_000_2,
            9_007_199_254_740_992.0,
            f64::MAX,
        ];
        for w in xs.windows(2) {
            assert!(float_key(w[0]) < float_key(w[1]), "{w:?}");
        }
        for x in xs {
            assert_eq!(key_float(float_key(x)).to_bits(), x.to_bits());
        }
        assert_eq!(float_key(-0.0), 0);
        assert_eq!(float_key(1.0) + 1, float_key(1.000_000_000_000_000_2));
        assert_eq!(float_key(f64::MAX), FLOAT_KEY_MAX);
    }

    #[test]
    fn ints_against_floats_and_back() {
        let ints = Line::Int(i64::MIN, i64::MAX);
        // `n < 9223372036854775807.0` (2^63) holds for every int.
        assert_eq!(
            ints.compare(CmpOp::Lt, Scalar::Float(TWO_63)),
            Some(ints.all())
        );
        assert_eq!(
            ints.compare(CmpOp::Ge, Scalar::Float(-TWO_63)),
            Some(ints.all())
        );
        assert_eq!(
            ints.compare(CmpOp::Gt, Scalar::Float(-TWO_63)),
            Some(IntSet::range(i64::MIN + 1, i64::MAX))
        );
        assert_eq!(
            ints.compare(CmpOp::Eq, Scalar::Float(1.5)),
            Some(IntSet::empty())
        );
        assert_eq!(
            ints.compare(CmpOp::Le, Scalar::Float(-1e300)),
            Some(IntSet::empty())
        );
        // `n not in 2..=9007199254740993` leaves out 2.
        let inside = ints
            .range(Number::Int(2), Number::Int(9_007_199_254_740_993), true)
            .unwrap_or_else(IntSet::empty);
        assert_eq!(inside.ranges(), [(2, 9_007_199_254_740_993)]);
        assert_eq!(
            ints.range(Number::Int(i64::MAX), Number::Int(i64::MAX), false),
            Some(IntSet::empty())
        );
        assert_eq!(
            ints.range(Number::Int(i64::MIN), Number::Int(i64::MAX), true),
            Some(ints.all())
        );

        let floats = Line::Float;
        // `x < 9007199254740993` for a float: 2^53 is below it.
        let below = floats
            .compare(CmpOp::Lt, Scalar::Int(9_007_199_254_740_993))
            .unwrap_or_else(IntSet::empty);
        assert!(below.contains(float_key(9_007_199_254_740_992.0)));
        assert!(!below.contains(float_key(9_007_199_254_740_994.0)));
        assert_eq!(
            floats.compare(CmpOp::Eq, Scalar::Int(9_007_199_254_740_993)),
            Some(IntSet::empty())
        );
        // i64::MAX is below 2^63.
        let le_max = floats
            .compare(CmpOp::Le, Scalar::Int(i64::MAX))
            .unwrap_or_else(IntSet::empty);
        assert!(!le_max.contains(float_key(TWO_63)));
        assert!(le_max.contains(float_key(TWO_63) - 1));
        // Nothing lies strictly between two neighbouring floats.
        let gap = floats
            .compare(CmpOp::Gt, Scalar::Float(1.0))
            .unwrap_or_else(IntSet::empty)
            .and(
                &floats
                    .compare(CmpOp::Lt, Scalar::Float(1.000_000_000_000_000_2))
                    .unwrap_or_else(IntSet::empty),
            );
        assert!(gap.is_empty());
    }

    #[test]
    fn nice_floats_stay_inside() {
        for (a, b) in [
            (0.1, 0.300_000_000_000_000_04),
            (1.0, 2.0),
            (-3.5, -3.25),
            (1e300, f64::MAX),
        ] {
            let (lo, hi) = (float_key(a) + 1, float_key(b) - 1);
            let got = nice_floats(lo, hi);
            assert!(!got.is_empty());
            assert!(
                got.iter().all(|x| (lo..=hi).contains(&float_key(*x))),
                "{got:?}"
            );
        }
        assert_eq!(nice_floats(float_key(1.0) + 1, float_key(2.0) - 1)[0], 1.1);
        assert_eq!(nice_floats(-FLOAT_KEY_MAX, float_key(-1.0) - 1)[0], -2.0);
        assert_eq!(nice_floats(-FLOAT_KEY_MAX, FLOAT_KEY_MAX)[0], 0.0);
    }
}
