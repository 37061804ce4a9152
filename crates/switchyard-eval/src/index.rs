//! The rule index: for the fields that rules most often test with `==` or
//! `in`, a bitset over rules per value. A rule's bit is set for a value when
//! the rule's required tests on that field accept it, and for every value
//! when the rule does not test the field ("don't care"). ANDing one bitset
//! per indexed field leaves the candidate rules; the rest of each
//! candidate's condition (its residual) is then evaluated in rule order.

use std::collections::HashMap;

use switchyard_check::ir::{AtomKind, CmpOp, FieldId, Operand, Subject, Type, Value};

use crate::context::Slot;

/// At most this many fields are indexed (the rest of the tests stay in the
/// residuals); it bounds the work per decision and keeps the per-decision
/// row table on the stack.
pub(crate) const MAX_INDEXED_FIELDS: usize = 8;

/// A value an index is keyed by.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub(crate) enum Key {
    Bool(bool),
    Int(i64),
    Str(Box<str>),
    Enum(u32),
}

impl Key {
    /// The key of a literal compared with a field of type `ty`, if it can be
    /// indexed (floats and float literals cannot).
    pub fn of_value(ty: &Type, v: &Value) -> Option<Key> {
        match (ty, v) {
            (Type::Bool, Value::Bool(b)) => Some(Key::Bool(*b)),
            (Type::Int, Value::Int(i)) => Some(Key::Int(*i)),
            (Type::String, Value::Str(s)) => Some(Key::Str(s.as_str().into())),
            (Type::Enum(_), Value::Enum(e)) => Some(Key::Enum(*e)),
            _ => None,
        }
    }
}

/// What a required atom says about its field, if the index can use it: the
/// field and the set of values it accepts.
pub(crate) fn indexable(
    atom: &AtomKind,
    ty_of: impl Fn(FieldId) -> Option<Type>,
) -> Option<(FieldId, Vec<Key>)> {
    match atom {
        AtomKind::Flag(f) => Some((*f, vec![Key::Bool(true)])),
        AtomKind::Compare {
            lhs: Subject::Field(f),
            op: CmpOp::Eq,
            rhs: Operand::Value(v),
        } => {
            let ty = ty_of(*f)?;
            Some((*f, vec![Key::of_value(&ty, v)?]))
        }
        AtomKind::In {
            lhs: Subject::Field(f),
            values,
            negated: false,
        } => {
            let ty = ty_of(*f)?;
            let keys = values
                .iter()
                .map(|v| Key::of_value(&ty, v))
                .collect::<Option<Vec<_>>>()?;
            Some((*f, keys))
        }
        _ => None,
    }
}

/// One indexed field.
#[derive(Debug)]
pub(crate) struct FieldIndex {
    pub field: FieldId,
    /// Rules that accept any value (and an unset field, or a value no rule
    /// names).
    dont_care: Box<[u64]>,
    /// Per key: the rules that accept it, `dont_care` included.
    rows: Vec<Box<[u64]>>,
    keys: KeyMap,
}

impl FieldIndex {
    /// Builds the index of `field` over `n_rules` rules; `accepts[r]` is the
    /// set of values rule `r` accepts, or `None` if it does not care.
    pub fn build(field: FieldId, n_rules: usize, accepts: &[Option<Vec<Key>>]) -> Self {
        let words = n_rules.div_ceil(64);
        let mut dont_care = vec![0u64; words].into_boxed_slice();
        let mut by_key: HashMap<Key, Vec<usize>> = HashMap::new();
        for (r, acc) in accepts.iter().enumerate() {
            match acc {
                None => set_bit(&mut dont_care, r),
                Some(keys) => {
                    for k in keys {
                        by_key.entry(k.clone()).or_default().push(r);
                    }
                }
            }
        }
        let mut rows = Vec::with_capacity(by_key.len());
        let mut keys = KeyMap::default();
        for (k, rules) in by_key {
            let mut row = dont_care.clone();
            for r in rules {
                set_bit(&mut row, r);
            }
            keys.insert(k, rows.len());
            rows.push(row);
        }
        FieldIndex {
            field,
            dont_care,
            rows,
            keys,
        }
    }

    /// The candidate rules for the field's value in a context.
    pub fn row(&self, slot: &Slot) -> &[u64] {
        self.keys
            .get(slot)
            .and_then(|i| self.rows.get(i))
            .map_or(&self.dont_care, |r| r)
    }
}

fn set_bit(bits: &mut [u64], i: usize) {
    if let Some(w) = bits.get_mut(i / 64) {
        *w |= 1u64 << (i % 64);
    }
}

/// Row numbers by key, one map per kind of key so that a `&str` can be
/// looked up without allocating.
#[derive(Debug, Default)]
struct KeyMap {
    bools: [Option<usize>; 2],
    ints: HashMap<i64, usize>,
    strs: HashMap<Box<str>, usize>,
    enums: HashMap<u32, usize>,
}

impl KeyMap {
    fn insert(&mut self, key: Key, row: usize) {
        match key {
            Key::Bool(b) => {
                if let Some(slot) = self.bools.get_mut(usize::from(b)) {
                    *slot = Some(row);
                }
            }
            Key::Int(i) => {
                self.ints.insert(i, row);
            }
            Key::Str(s) => {
                self.strs.insert(s, row);
            }
            Key::Enum(e) => {
                self.enums.insert(e, row);
            }
        }
    }

    fn get(&self, slot: &Slot) -> Option<usize> {
        match slot {
            Slot::Unset | Slot::Float(_) => None,
            Slot::Bool(b) => self.bools.get(usize::from(*b)).copied().flatten(),
            Slot::Int(i) => self.ints.get(i).copied(),
            Slot::Str(s) => self.strs.get(&**s).copied(),
            Slot::Enum(e) => self.enums.get(e).copied(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rows_include_dont_care_rules() {
        let accepts = vec![
            Some(vec![Key::Str("a".into())]),
            None,
            Some(vec![Key::Str("b".into()), Key::Str("a".into())]),
        ];
        let idx = FieldIndex::build(FieldId(0), 3, &accepts);
        assert_eq!(idx.row(&Slot::Str("a".into()))[0], 0b111);
        assert_eq!(idx.row(&Slot::Str("b".into()))[0], 0b110);
        assert_eq!(idx.row(&Slot::Str("zz".into()))[0], 0b010);
        assert_eq!(idx.row(&Slot::Unset)[0], 0b010);
    }
}
