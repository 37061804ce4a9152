//! A small exact evaluator of checked conditions on one concrete context,
//! to verify witnesses. It follows `switchyard-eval/src/atom.rs` (which the
//! checker cannot depend on): every atom but `has` is false when a value it
//! reads is unset; ints and floats compare as `f64` unless both are ints.

use std::cmp::Ordering;

use crate::ir::{AtomKind, CmpOp, Cond, Number, Operand, Ruleset, StrOp, Subject, Value};

/// One context: a value (or unset) per field, and the decision time.
#[derive(Clone, Debug, PartialEq)]
pub(crate) struct Concrete {
    /// By field index; `None` is unset.
    pub(crate) values: Vec<Option<Value>>,
    /// UTC hour, 0-23.
    pub(crate) hour: i64,
    /// 0 is Monday.
    pub(crate) weekday: u32,
}

/// A value read from the context.
#[derive(Clone, Copy, Debug, PartialEq)]
enum Scalar<'a> {
    Bool(bool),
    Int(i64),
    Float(f64),
    Str(&'a str),
    Enum(u32),
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

fn num(s: Scalar<'_>) -> Option<f64> {
    match s {
        Scalar::Int(i) => Some(i as f64),
        Scalar::Float(f) => Some(f),
        _ => None,
    }
}

fn compare(a: Scalar<'_>, b: Scalar<'_>) -> Option<Ordering> {
    match (a, b) {
        (Scalar::Int(x), Scalar::Int(y)) => Some(x.cmp(&y)),
        (Scalar::Bool(x), Scalar::Bool(y)) => Some(x.cmp(&y)),
        (Scalar::Str(x), Scalar::Str(y)) => Some(x.cmp(y)),
        (Scalar::Enum(x), Scalar::Enum(y)) => Some(x.cmp(&y)),
        _ => num(a)?.partial_cmp(&num(b)?),
    }
}

fn count(n: usize) -> i64 {
    i64::try_from(n).unwrap_or(i64::MAX)
}

impl Concrete {
    fn read(&self, s: Subject) -> Option<Scalar<'_>> {
        let field = |f: crate::ir::FieldId| self.values.get(f.index()).and_then(Option::as_ref);
        match s {
            Subject::Field(f) => field(f).map(Scalar::from),
            Subject::Words(f) => match field(f)? {
                Value::Str(s) => Some(Scalar::Int(count(s.split_whitespace().count()))),
                _ => None,
            },
            Subject::Len(f) => match field(f)? {
                Value::Str(s) => Some(Scalar::Int(count(s.chars().count()))),
                _ => None,
            },
            Subject::Hour => Some(Scalar::Int(self.hour)),
            Subject::Weekday => Some(Scalar::Enum(self.weekday)),
        }
    }

    /// Whether an atom holds.
    pub(crate) fn atom(&self, atom: &AtomKind) -> bool {
        match atom {
            AtomKind::Flag(f) => matches!(self.read(Subject::Field(*f)), Some(Scalar::Bool(true))),
            AtomKind::Has(f) => self.read(Subject::Field(*f)).is_some(),
            AtomKind::Compare { lhs, op, rhs } => {
                let Some(a) = self.read(*lhs) else {
                    return false;
                };
                let b = match rhs {
                    Operand::Value(v) => Scalar::from(v),
                    Operand::Subject(s) => match self.read(*s) {
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
            } => self.read(*lhs).is_some_and(|a| {
                values
                    .iter()
                    .any(|v| compare(a, Scalar::from(v)) == Some(Ordering::Equal))
                    != *negated
            }),
            AtomKind::Range {
                lhs,
                lo,
                hi,
                inclusive,
                negated,
            } => match self.read(*lhs).and_then(num) {
                None => false,
                Some(x) => {
                    let (lo, hi) = (Number::as_f64(*lo), Number::as_f64(*hi));
                    let inside = x >= lo && if *inclusive { x <= hi } else { x < hi };
                    inside != *negated
                }
            },
            AtomKind::Matches { lhs, pattern } => match self.read(*lhs) {
                Some(Scalar::Str(s)) => pattern.regex.is_match(s),
                _ => false,
            },
            AtomKind::Str { lhs, op, needle } => match self.read(*lhs) {
                Some(Scalar::Str(s)) => match op {
                    StrOp::Contains => s.contains(needle.as_str()),
                    StrOp::StartsWith => s.starts_with(needle.as_str()),
                    StrOp::EndsWith => s.ends_with(needle.as_str()),
                },
                _ => false,
            },
        }
    }

    /// Whether a condition holds (lets looked up in `rs`).
    pub(crate) fn holds(&self, rs: &Ruleset, cond: &Cond) -> bool {
        match cond {
            Cond::True => true,
            Cond::False => false,
            Cond::Atom(a) => self.atom(&a.kind),
            Cond::Not(c) => !self.holds(rs, c),
            Cond::And(cs) => cs.iter().all(|c| self.holds(rs, c)),
            Cond::Or(cs) => cs.iter().any(|c| self.holds(rs, c)),
            Cond::Let(l) => rs.let_(*l).is_some_and(|l| self.holds(rs, &l.cond)),
        }
    }
}
