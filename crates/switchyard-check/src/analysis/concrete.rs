//! One concrete context: a value (or unset) per field and a decision time,
//! read through [`crate::semantics`] like any other context.

use crate::ir::{AtomKind, FieldId, Subject, Value};
use crate::semantics::{char_count, holds, word_count, Env, Scalar};

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

impl Concrete {
    /// A context of `fields` fields where only `f` is set (to `v`; `None`:
    /// unset), at hour 0 on a Monday: to try atoms that read only `f`.
    pub(crate) fn only(fields: usize, f: FieldId, v: Option<Value>) -> Concrete {
        let mut values = vec![None; fields];
        if let Some(slot) = values.get_mut(f.index()) {
            *slot = v;
        }
        Concrete {
            values,
            hour: 0,
            weekday: 0,
        }
    }

    /// Whether each atom holds exactly when wanted.
    pub(crate) fn gives(&self, atoms: &[(&AtomKind, bool)]) -> bool {
        atoms.iter().all(|(a, want)| holds(a, self) == *want)
    }
}

impl Env for Concrete {
    fn read(&self, subject: Subject) -> Option<Scalar<'_>> {
        let field = |f: crate::ir::FieldId| self.values.get(f.index()).and_then(Option::as_ref);
        match subject {
            Subject::Field(f) => field(f).map(Scalar::from),
            Subject::Words(f) => match field(f)? {
                Value::Str(s) => Some(Scalar::Int(word_count(s))),
                _ => None,
            },
            Subject::Len(f) => match field(f)? {
                Value::Str(s) => Some(Scalar::Int(char_count(s))),
                _ => None,
            },
            Subject::Hour => Some(Scalar::Int(self.hour)),
            Subject::Weekday => Some(Scalar::Enum(self.weekday)),
        }
    }
}
