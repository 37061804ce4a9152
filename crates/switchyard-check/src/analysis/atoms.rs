//! Atoms as constraints on one dimension, with the meaning
//! [`crate::semantics`] gives them: every atom but `has` is false on an
//! unset field; numbers compare exactly (see [`super::numeric`]).
//!
//! Decided exactly, at any magnitude: `has`, bool flags,
//! `==`/`!=`/`in`/`not in` on bools, enums, strings and numbers, orderings
//! and ranges on numbers, `hour` and `weekday`. Opaque (a free boolean, see
//! [`super::space`]): regexes, `contains`/`starts_with`/`ends_with`,
//! `words(F)`, `len(F)` and comparisons of two subjects. The E008 search
//! decides the opaque atoms of one string field together
//! ([`super::text`]).

use crate::ir::{AtomKind, CmpOp, FieldId, Operand, Subject, Value};

use super::int_set::IntSet;
use super::sets::{Bits, StrSet};
use super::space::{DimId, Dom, Space, Term, Universe, Vals};

/// The complement of `v` within `u` (without unset).
fn not_vals(u: Universe, v: &Vals) -> Vals {
    match (v, u) {
        (Vals::Bits(b), _) => Vals::Bits(b.not()),
        (Vals::Str(s), _) => Vals::Str(s.not()),
        (Vals::Num(n), Universe::Num(line)) => {
            let (lo, hi) = line.ends();
            Vals::Num(n.not_within(lo, hi))
        }
        (Vals::Num(n), _) => Vals::Num(n.not_within(i64::MIN, i64::MAX)),
    }
}

/// No value of `u`.
fn no_vals(u: Universe) -> Vals {
    match u {
        Universe::Bits(n) => Vals::Bits(Bits::empty(n)),
        Universe::Str => Vals::Str(StrSet::only(Vec::new())),
        Universe::Num(_) => Vals::Num(IntSet::empty()),
    }
}

/// The union of two value sets of the same universe.
fn or_vals(a: Vals, b: Vals) -> Option<Vals> {
    Some(match (a, b) {
        (Vals::Bits(a), Vals::Bits(b)) => Vals::Bits(a.not().and(&b.not()).not()),
        (Vals::Str(a), Vals::Str(b)) => Vals::Str(a.not().and(&b.not()).not()),
        (Vals::Num(a), Vals::Num(b)) => Vals::Num(a.or(&b)),
        _ => return None,
    })
}

/// Values of `u` (bools, enums, strings) that `op v` holds for; `None`:
/// not decidable here.
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
        _ => return None,
    })
}

/// The fields an atom reads.
pub(crate) fn fields_of(atom: &AtomKind) -> Vec<FieldId> {
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

    /// The values of `u` a comparison, `in` list or range holds for.
    fn members(&mut self, u: Universe, atom: &AtomKind) -> Option<Vals> {
        if let Universe::Num(line) = u {
            return line.members(atom).map(Vals::Num);
        }
        match atom {
            AtomKind::Compare {
                op,
                rhs: Operand::Value(v),
                ..
            } => compare(self, u, *op, v),
            AtomKind::In {
                values, negated, ..
            } => {
                let mut acc = no_vals(u);
                for v in values {
                    acc = or_vals(acc, compare(self, u, CmpOp::Eq, v)?)?;
                }
                Some(if *negated { not_vals(u, &acc) } else { acc })
            }
            _ => None,
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
                rhs: Operand::Value(_),
                ..
            }
            | AtomKind::In { lhs, .. }
            | AtomKind::Range { lhs, .. } => {
                let d = self.subject_dim(*lhs)?;
                let u = self.dim(d)?.universe;
                (d, self.members(u, atom)?)
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
