//! Atoms compiled for the field types they test: string equality on the
//! literal ids resolved when a value is set, enum tests as bit masks,
//! numeric comparisons with the literal already of the field's type. What
//! has no specialised form is interpreted through [`crate::env::eval`]
//! and memoised per decision.

use switchyard_check::ir::{
    AtomKind, CmpOp, Field, FieldId, Number, Operand, Subject, Type, Value,
};

use std::cmp::Ordering;

use crate::context::{schema::Literals, Context, Values, NO_LITERAL};
use crate::env;
use switchyard_check::semantics::{self, Scalar};

/// One atom of a compiled table.
#[derive(Clone, Debug)]
pub(crate) enum CompiledAtom {
    /// A bool field is `true`.
    Flag(FieldId),
    /// The field is set.
    Has(FieldId),
    /// A string field equals (`eq`) or differs from a literal, by id.
    StrEq { field: FieldId, id: u32, eq: bool },
    /// A string field is (`negated`: is not) one of some literals, by id.
    StrIn {
        field: FieldId,
        ids: Box<[u32]>,
        negated: bool,
    },
    /// An enum field's value is one of the bits of `mask` (`==`, `!=`,
    /// `in`, `not in` alike).
    EnumIn { field: FieldId, mask: u64 },
    /// A bool field compared with a literal.
    BoolEq { field: FieldId, value: bool },
    /// An int field compared with an int literal.
    IntCmp {
        field: FieldId,
        accepts: Orderings,
        value: i64,
    },
    /// A float field compared with a float literal.
    FloatCmp {
        field: FieldId,
        accepts: Orderings,
        value: f64,
    },
    /// An int or float field in a range (boxed: the other tests stay
    /// small, and so do the steps).
    Range(Box<RangeTest>),
    /// Anything else: the atom interpreted (index into the table's atoms).
    General(u32),
}

impl CompiledAtom {
    /// The specialised form of `kind` (atom `i` of the table), if it has
    /// one.
    pub fn of(i: u32, kind: &AtomKind, fields: &[Field], literals: &[Literals]) -> CompiledAtom {
        specialise(kind, fields, literals).unwrap_or(CompiledAtom::General(i))
    }

    /// Whether the atom is interpreted ([`CompiledAtom::General`]).
    #[inline]
    pub fn is_general(&self) -> bool {
        matches!(self, CompiledAtom::General(_))
    }

    /// Whether the atom holds (for [`CompiledAtom::General`], `general`
    /// answers).
    #[inline(always)]
    pub fn holds(&self, values: &impl Values, general: impl FnOnce(u32) -> bool) -> bool {
        match self {
            CompiledAtom::Flag(f) => values.bool(f.index()) == Some(true),
            CompiledAtom::Has(f) => values.is_set(f.index()),
            CompiledAtom::StrEq { field, id, eq } => values
                .is_literal(field.index(), *id)
                .is_some_and(|is| is == *eq),
            CompiledAtom::StrIn {
                field,
                ids,
                negated,
            } => values
                .literal(field.index())
                .is_some_and(|got| ids.contains(&got) != *negated),
            CompiledAtom::EnumIn { field, mask } => values
                .enum_index(field.index())
                .is_some_and(|e| e < 64 && mask >> e & 1 == 1),
            CompiledAtom::BoolEq { field, value } => values.bool(field.index()) == Some(*value),
            CompiledAtom::IntCmp {
                field,
                accepts,
                value,
            } => values
                .int(field.index())
                .is_some_and(|x| accepts.contains(x.cmp(value))),
            CompiledAtom::FloatCmp {
                field,
                accepts,
                value,
            } => values
                .float(field.index())
                .and_then(|x| x.partial_cmp(value))
                .is_some_and(|o| accepts.contains(o)),
            CompiledAtom::Range(range) => range.holds(values),
            CompiledAtom::General(i) => general(*i),
        }
    }
}

/// An int or float field in a range, by the one semantics of ranges
/// (`negated`: not in it; an unset field is in neither).
#[derive(Clone, Debug)]
pub(crate) struct RangeTest {
    field: FieldId,
    float: bool,
    lo: Number,
    hi: Number,
    inclusive: bool,
    negated: bool,
}

impl RangeTest {
    #[inline]
    fn holds(&self, values: &impl Values) -> bool {
        let x = if self.float {
            values.float(self.field.index()).map(Scalar::Float)
        } else {
            values.int(self.field.index()).map(Scalar::Int)
        };
        x.is_some_and(|x| semantics::in_range(x, self.lo, self.hi, self.inclusive) != self.negated)
    }
}

fn specialise(kind: &AtomKind, fields: &[Field], literals: &[Literals]) -> Option<CompiledAtom> {
    let ty = |f: FieldId| fields.get(f.index()).map(|f| &f.ty);
    // Every literal of a condition is in its field's list; if one were
    // not, it would share its id with the strings that are in none.
    let lit_id = |f: FieldId, s: &str| {
        literals
            .get(f.index())
            .map(|l| l.id(s))
            .filter(|&id| id != NO_LITERAL)
    };
    Some(match kind {
        AtomKind::Flag(f) => CompiledAtom::Flag(*f),
        AtomKind::Has(f) => CompiledAtom::Has(*f),
        AtomKind::Compare {
            lhs: Subject::Field(f),
            op,
            rhs: Operand::Value(v),
        } => match (ty(*f)?, v, op) {
            (Type::String, Value::Str(s), CmpOp::Eq | CmpOp::Ne) => CompiledAtom::StrEq {
                field: *f,
                id: lit_id(*f, s)?,
                eq: *op == CmpOp::Eq,
            },
            (Type::Enum(values), Value::Enum(_), CmpOp::Eq | CmpOp::Ne) => {
                let one = enum_mask(values.len(), std::slice::from_ref(v))?;
                CompiledAtom::EnumIn {
                    field: *f,
                    mask: if *op == CmpOp::Eq {
                        one
                    } else {
                        all_values(values.len()) & !one
                    },
                }
            }
            (Type::Bool, Value::Bool(b), CmpOp::Eq | CmpOp::Ne) => CompiledAtom::BoolEq {
                field: *f,
                value: *b == (*op == CmpOp::Eq),
            },
            (Type::Int, Value::Int(i), _) => CompiledAtom::IntCmp {
                field: *f,
                accepts: Orderings::of(*op),
                value: *i,
            },
            (Type::Float, Value::Float(x), _) => CompiledAtom::FloatCmp {
                field: *f,
                accepts: Orderings::of(*op),
                value: *x,
            },
            // An int literal that is exactly a float: comparing with the
            // float is comparing with the int (the semantics compares the
            // two exactly).
            (Type::Float, Value::Int(i), _) if i.unsigned_abs() <= 1 << 53 => {
                CompiledAtom::FloatCmp {
                    field: *f,
                    accepts: Orderings::of(*op),
                    value: *i as f64,
                }
            }
            _ => return None,
        },
        AtomKind::Range {
            lhs: Subject::Field(f),
            lo,
            hi,
            inclusive,
            negated,
        } => CompiledAtom::Range(Box::new(RangeTest {
            field: *f,
            float: match ty(*f)? {
                Type::Int => false,
                Type::Float => true,
                _ => return None,
            },
            lo: *lo,
            hi: *hi,
            inclusive: *inclusive,
            negated: *negated,
        })),
        AtomKind::In {
            lhs: Subject::Field(f),
            values,
            negated,
        } => match ty(*f)? {
            Type::String => {
                let mut ids = values
                    .iter()
                    .map(|v| match v {
                        Value::Str(s) => lit_id(*f, s),
                        _ => None,
                    })
                    .collect::<Option<Vec<u32>>>()?;
                ids.sort_unstable();
                ids.dedup();
                CompiledAtom::StrIn {
                    field: *f,
                    ids: ids.into_boxed_slice(),
                    negated: *negated,
                }
            }
            Type::Enum(all) => {
                let set = enum_mask(all.len(), values)?;
                CompiledAtom::EnumIn {
                    field: *f,
                    mask: if *negated {
                        all_values(all.len()) & !set
                    } else {
                        set
                    },
                }
            }
            _ => return None,
        },
        _ => return None,
    })
}

/// The orderings of a value against a literal under which a comparison
/// holds, one bit each (less, equal, greater): the operator is resolved
/// when the table is compiled, by the one semantics of comparisons.
#[derive(Clone, Copy, Debug)]
pub(crate) struct Orderings(u8);

impl Orderings {
    fn of(op: CmpOp) -> Orderings {
        let bit = |o: Ordering| u8::from(semantics::satisfies(op, o)) << Orderings::shift(o);
        Orderings(bit(Ordering::Less) | bit(Ordering::Equal) | bit(Ordering::Greater))
    }

    #[inline(always)]
    fn shift(o: Ordering) -> u32 {
        // Less is -1, Equal 0, Greater 1.
        (o as i32 + 1).unsigned_abs()
    }

    #[inline(always)]
    fn contains(self, o: Ordering) -> bool {
        self.0 >> Orderings::shift(o) & 1 == 1
    }
}

/// The bits of enum values `values` (all must be enum values below 64, of
/// an enum of at most 64 values).
fn enum_mask(n_values: usize, values: &[Value]) -> Option<u64> {
    if n_values > 64 {
        return None;
    }
    values.iter().try_fold(0u64, |mask, v| match v {
        Value::Enum(e) if *e < 64 => Some(mask | 1 << e),
        _ => None,
    })
}

fn all_values(n: usize) -> u64 {
    if n >= 64 {
        u64::MAX
    } else {
        (1u64 << n) - 1
    }
}

/// Whether the general form of atom `kind` holds: the one interpretation
/// shared with `explain` and the naive decider.
#[inline(never)]
pub(crate) fn general(kind: &AtomKind, ctx: &Context<'_>) -> bool {
    env::eval(kind, ctx)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn orderings_agree_with_the_operators() {
        for op in CmpOp::ALL {
            for o in [Ordering::Less, Ordering::Equal, Ordering::Greater] {
                assert_eq!(
                    Orderings::of(op).contains(o),
                    semantics::satisfies(op, o),
                    "{op:?} {o:?}"
                );
            }
        }
    }

    /// A step is read per rule tried: it stays at five words.
    #[test]
    fn tests_stay_small() {
        assert!(std::mem::size_of::<CompiledAtom>() <= 24);
        assert!(std::mem::size_of::<super::super::Step>() <= 40);
    }

    #[test]
    fn masks() {
        assert_eq!(all_values(3), 0b111);
        assert_eq!(all_values(64), u64::MAX);
        assert_eq!(enum_mask(3, &[Value::Enum(0), Value::Enum(2)]), Some(0b101));
        assert_eq!(enum_mask(65, &[Value::Enum(0)]), None);
        assert_eq!(enum_mask(3, &[Value::Int(0)]), None);
    }
}
