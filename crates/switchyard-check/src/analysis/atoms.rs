//! Atoms as constraints on one dimension, following the evaluator
//! (`switchyard-eval/src/atom.rs`): every atom but `has` is false on an
//! unset field; an `int` compared with a float literal (and every range)
//! compares as `f64`.
//!
//! Decided exactly: `has`, bool flags, `==`/`!=`/`in`/`not in` on bools,
//! enums, strings and numbers, orderings and ranges on numbers, `hour` and
//! `weekday`. Opaque (a free boolean, see [`super::space`]): regexes,
//! `contains`/`starts_with`/`ends_with`, `words(F)`, `len(F)`, comparisons of
//! two subjects, and float constants of magnitude 2^53 or more compared
//! with ints (where `i64 as f64` rounds).

use crate::ir::{AtomKind, CmpOp, FieldId, Number, Operand, Subject, Value};

use super::numeric::{FloatSet, IntSet};
use super::sets::{Bits, StrSet};
use super::space::{DimId, Dom, Space, Term, Universe, Vals};

/// Below this magnitude every integer is an exact `f64`, so comparing an
/// `i64` with such a constant as `f64` agrees with comparing exactly.
const EXACT: f64 = 9_007_199_254_740_992.0;

/// The complement of `v` within `u` (without unset).
fn not_vals(u: Universe, v: &Vals) -> Vals {
    match (v, u) {
        (Vals::Bits(b), _) => Vals::Bits(b.not()),
        (Vals::Str(s), _) => Vals::Str(s.not()),
        (Vals::Int(i), Universe::Int(lo, hi)) => Vals::Int(i.not_within(lo, hi)),
        (Vals::Int(i), _) => Vals::Int(i.not_within(i64::MIN, i64::MAX)),
        (Vals::Float(f), _) => Vals::Float(f.not()),
    }
}

/// No value of `u`.
fn no_vals(u: Universe) -> Vals {
    match u {
        Universe::Bits(n) => Vals::Bits(Bits::empty(n)),
        Universe::Str => Vals::Str(StrSet::only(Vec::new())),
        Universe::Int(..) => Vals::Int(IntSet::empty()),
        Universe::Float => Vals::Float(FloatSet::interval(1.0, false, 0.0, false)),
    }
}

/// The union of two value sets of the same universe.
fn or_vals(a: Vals, b: Vals) -> Option<Vals> {
    Some(match (a, b) {
        (Vals::Bits(a), Vals::Bits(b)) => Vals::Bits(a.not().and(&b.not()).not()),
        (Vals::Str(a), Vals::Str(b)) => Vals::Str(a.not().and(&b.not()).not()),
        (Vals::Int(a), Vals::Int(b)) => Vals::Int(a.or(&b)),
        (Vals::Float(a), Vals::Float(b)) => Vals::Float(a.or(&b)),
        _ => return None,
    })
}

/// Ints `x` with `x as f64` compared by `op` with `c` true; `None` when
/// `|c|` is too large for that to be exact.
fn int_vs_float(op: CmpOp, c: f64) -> Option<IntSet> {
    // (NaN never gets here: literals are finite.)
    if c.abs() >= EXACT || c.is_nan() {
        return None;
    }
    // |c| < 2^53: these conversions are exact.
    let (floor, ceil) = (c.floor() as i64, c.ceil() as i64);
    let whole = floor == ceil;
    Some(match op {
        CmpOp::Eq if whole => IntSet::range(floor, floor),
        CmpOp::Eq => IntSet::empty(),
        CmpOp::Ne if whole => IntSet::range(floor, floor).not_within(i64::MIN, i64::MAX),
        CmpOp::Ne => IntSet::range(i64::MIN, i64::MAX),
        CmpOp::Lt => IntSet::range(i64::MIN, ceil - 1),
        CmpOp::Le => IntSet::range(i64::MIN, floor),
        CmpOp::Gt => IntSet::range(floor + 1, i64::MAX),
        CmpOp::Ge => IntSet::range(ceil, i64::MAX),
    })
}

/// Ints `x` with `x op c` (exact `i64` comparison).
fn int_vs_int(op: CmpOp, c: i64) -> IntSet {
    match op {
        CmpOp::Eq => IntSet::range(c, c),
        CmpOp::Ne => IntSet::range(c, c).not_within(i64::MIN, i64::MAX),
        CmpOp::Lt => c
            .checked_sub(1)
            .map_or_else(IntSet::empty, |h| IntSet::range(i64::MIN, h)),
        CmpOp::Le => IntSet::range(i64::MIN, c),
        CmpOp::Gt => c
            .checked_add(1)
            .map_or_else(IntSet::empty, |l| IntSet::range(l, i64::MAX)),
        CmpOp::Ge => IntSet::range(c, i64::MAX),
    }
}

/// Reals `x` with `x op c`.
fn float_vs(op: CmpOp, c: f64) -> FloatSet {
    let (ninf, inf) = (f64::NEG_INFINITY, f64::INFINITY);
    match op {
        CmpOp::Eq => FloatSet::point(c),
        CmpOp::Ne => FloatSet::point(c).not(),
        CmpOp::Lt => FloatSet::interval(ninf, false, c, false),
        CmpOp::Le => FloatSet::interval(ninf, false, c, true),
        CmpOp::Gt => FloatSet::interval(c, false, inf, false),
        CmpOp::Ge => FloatSet::interval(c, true, inf, false),
    }
}

/// Values of `u` that `op v` holds for; `None`: not decidable here.
fn compare(space: &mut Space<'_>, u: Universe, op: CmpOp, v: &Value) -> Option<Vals> {
    let ordering = !matches!(op, CmpOp::Eq | CmpOp::Ne);
    Some(match (u, v) {
        (Universe::Bits(n), Value::Bool(_) | Value::Enum(_)) if !ordering => {
            let i = match v {
                Value::Bool(b) => u32::from(*b),
                Value::Enum(i) => *i,
                _ => return None,
            };
            let mut bits = Bits::empty(n);
            bits.insert(i);
            let eq = Vals::Bits(bits);
            if op == CmpOp::Eq {
                eq
            } else {
                not_vals(u, &eq)
            }
        }
        (Universe::Str, Value::Str(s)) if !ordering => {
            let eq = StrSet::only(vec![space.intern(s)]);
            Vals::Str(if op == CmpOp::Eq { eq } else { eq.not() })
        }
        (Universe::Int(lo, hi), Value::Int(c)) => {
            Vals::Int(int_vs_int(op, *c).and(&IntSet::range(lo, hi)))
        }
        (Universe::Int(lo, hi), Value::Float(c)) => {
            Vals::Int(int_vs_float(op, *c)?.and(&IntSet::range(lo, hi)))
        }
        (Universe::Float, Value::Int(_) | Value::Float(_)) => {
            Vals::Float(float_vs(op, v.as_f64()? + 0.0))
        }
        _ => return None,
    })
}

/// Values of `u` in `lo..hi` (`..=` when inclusive), compared as `f64`.
fn range(u: Universe, lo: Number, hi: Number, inclusive: bool) -> Option<Vals> {
    let (lo, hi) = (lo.as_f64() + 0.0, hi.as_f64() + 0.0);
    Some(match u {
        Universe::Int(ulo, uhi) => {
            let from = int_vs_float(CmpOp::Ge, lo)?;
            let to = int_vs_float(if inclusive { CmpOp::Le } else { CmpOp::Lt }, hi)?;
            Vals::Int(from.and(&to).and(&IntSet::range(ulo, uhi)))
        }
        Universe::Float => Vals::Float(FloatSet::interval(lo, true, hi, inclusive)),
        _ => return None,
    })
}

/// The fields an atom reads.
fn fields_of(atom: &AtomKind) -> Vec<FieldId> {
    let subjects: Vec<Subject> = match atom {
        AtomKind::Flag(f) | AtomKind::Has(f) => return vec![*f],
        AtomKind::Compare { lhs, rhs, .. } => match rhs {
            Operand::Subject(s) => vec![*lhs, *s],
            Operand::Value(_) => vec![*lhs],
        },
        AtomKind::In { lhs, .. }
        | AtomKind::Range { lhs, .. }
        | AtomKind::Matches { lhs, .. }
        | AtomKind::Str { lhs, .. } => vec![*lhs],
    };
    let mut out: Vec<FieldId> = subjects.into_iter().filter_map(Subject::field).collect();
    out.sort_unstable();
    out.dedup();
    out
}

impl Space<'_> {
    /// The dimension a subject is, when it is one (fields, `hour`,
    /// `weekday`; not `words`/`len`).
    fn subject_dim(&self, s: Subject) -> Option<DimId> {
        match s {
            Subject::Field(f) => Some(self.field_dim(f)),
            Subject::Hour => Some(self.hour_dim()),
            Subject::Weekday => Some(self.weekday_dim()),
            Subject::Words(_) | Subject::Len(_) => None,
        }
    }

    /// The values of one dimension an atom holds for, if decidable.
    fn decide(&mut self, atom: &AtomKind) -> Option<(DimId, Dom)> {
        let (d, vals) = match atom {
            AtomKind::Flag(f) => {
                let d = self.field_dim(*f);
                let mut bits = Bits::empty(2);
                bits.insert(1);
                (d, Vals::Bits(bits))
            }
            AtomKind::Has(f) => {
                let d = self.field_dim(*f);
                (d, self.full(d)?.vals)
            }
            AtomKind::Compare {
                lhs,
                op,
                rhs: Operand::Value(v),
            } => {
                let d = self.subject_dim(*lhs)?;
                let u = self.dim(d)?.universe;
                (d, compare(self, u, *op, v)?)
            }
            AtomKind::In {
                lhs,
                values,
                negated,
            } => {
                let d = self.subject_dim(*lhs)?;
                let u = self.dim(d)?.universe;
                let mut acc = no_vals(u);
                for v in values {
                    acc = or_vals(acc, compare(self, u, CmpOp::Eq, v)?)?;
                }
                (d, if *negated { not_vals(u, &acc) } else { acc })
            }
            AtomKind::Range {
                lhs,
                lo,
                hi,
                inclusive,
                negated,
            } => {
                let d = self.subject_dim(*lhs)?;
                let u = self.dim(d)?.universe;
                let r = range(u, *lo, *hi, *inclusive)?;
                (d, if *negated { not_vals(u, &r) } else { r })
            }
            AtomKind::Compare { .. } | AtomKind::Matches { .. } | AtomKind::Str { .. } => {
                return None
            }
        };
        Some((d, Dom::set(vals)))
    }

    /// The atom (`positive`) or its negation as a term; `None` when no
    /// context satisfies it.
    pub(crate) fn literal(&mut self, atom: &AtomKind, positive: bool) -> Option<Term> {
        let (d, dom) = match self.decide(atom) {
            Some(x) => x,
            None => {
                let d = self.opaque_dim(atom, fields_of(atom));
                let mut bits = Bits::empty(2);
                bits.insert(1);
                (d, Dom::set(Vals::Bits(bits)))
            }
        };
        let dom = if positive {
            dom
        } else {
            self.dim(d)?.not(&dom)
        };
        self.normalize(vec![(d, dom)])
    }
}
