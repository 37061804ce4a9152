//! Atoms compiled for the field types they test: string equality on the
//! literal ids resolved when a value is set, enum tests as bit masks,
//! numeric comparisons with the literal already of the field's type. What
//! has no specialised form is interpreted through [`crate::env::eval`]
//! and memoised per decision.

use switchyard_check::ir::{AtomKind, CmpOp, Field, FieldId, Operand, Subject, Type, Value};

use crate::context::{schema::Literals, Context, Slot, NO_LITERAL};
use crate::env;
use switchyard_check::semantics;

/// One atom of a compiled table.
#[derive(Debug)]
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
        op: CmpOp,
        value: i64,
    },
    /// A float field compared with a float literal.
    FloatCmp {
        field: FieldId,
        op: CmpOp,
        value: f64,
    },
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
    pub fn holds(&self, ctx: &Context<'_>, general: impl FnOnce(u32) -> bool) -> bool {
        match self {
            CompiledAtom::Flag(f) => matches!(ctx.slot(*f), Slot::Bool(true)),
            CompiledAtom::Has(f) => !matches!(ctx.slot(*f), Slot::Unset),
            CompiledAtom::StrEq { field, id, eq } => match ctx.slot(*field) {
                Slot::Str(_, got) | Slot::Owned(_, got) => (got == id) == *eq,
                _ => false,
            },
            CompiledAtom::StrIn {
                field,
                ids,
                negated,
            } => match ctx.slot(*field) {
                Slot::Str(_, got) | Slot::Owned(_, got) => ids.contains(got) != *negated,
                _ => false,
            },
            CompiledAtom::EnumIn { field, mask } => match ctx.slot(*field) {
                Slot::Enum(e) => *e < 64 && mask >> *e & 1 == 1,
                _ => false,
            },
            CompiledAtom::BoolEq { field, value } => {
                matches!(ctx.slot(*field), Slot::Bool(b) if b == value)
            }
            CompiledAtom::IntCmp { field, op, value } => match ctx.slot(*field) {
                Slot::Int(x) => semantics::satisfies(*op, x.cmp(value)),
                _ => false,
            },
            CompiledAtom::FloatCmp { field, op, value } => match ctx.slot(*field) {
                Slot::Float(x) => x
                    .partial_cmp(value)
                    .is_some_and(|o| semantics::satisfies(*op, o)),
                _ => false,
            },
            CompiledAtom::General(i) => general(*i),
        }
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
                op: *op,
                value: *i,
            },
            (Type::Float, Value::Float(x), _) => CompiledAtom::FloatCmp {
                field: *f,
                op: *op,
                value: *x,
            },
            _ => return None,
        },
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
    fn masks() {
        assert_eq!(all_values(3), 0b111);
        assert_eq!(all_values(64), u64::MAX);
        assert_eq!(enum_mask(3, &[Value::Enum(0), Value::Enum(2)]), Some(0b101));
        assert_eq!(enum_mask(65, &[Value::Enum(0)]), None);
        assert_eq!(enum_mask(3, &[Value::Int(0)]), None);
    }
}
