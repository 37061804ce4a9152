//! [`Values`]: what a decision reads of a field's value, from a context or
//! from a typed request read in place (`binding::RequestView`), so that the
//! specialised tests and the scan over them are written once for both.

use super::{Context, Slot, SlotKey};

/// A decision's view of the fields' values. The typed reads default to
/// matching [`Values::slot`]; a context overrides them with reads of its
/// compact words.
pub(crate) trait Values {
    /// Field `i`'s value (unset past the schema's fields).
    fn slot(&self, i: usize) -> Slot<'_>;

    /// The context, for what only a context answers (interpreted
    /// residuals, splits): `None` for a request read in place,
    /// which is only read so for tables that have none of those.
    fn context(&self) -> Option<&Context<'_>>;

    /// Field `i`'s value if it is a bool.
    #[inline(always)]
    fn bool(&self, i: usize) -> Option<bool> {
        self.slot(i).bool()
    }

    /// Field `i`'s value if it is an int.
    #[inline(always)]
    fn int(&self, i: usize) -> Option<i64> {
        self.slot(i).int()
    }

    /// Field `i`'s value if it is a float.
    #[inline(always)]
    fn float(&self, i: usize) -> Option<f64> {
        self.slot(i).float()
    }

    /// Field `i`'s enum index if it is an enum value.
    #[inline(always)]
    fn enum_index(&self, i: usize) -> Option<u32> {
        self.slot(i).enum_index()
    }

    /// The literal id of field `i` if it is a string.
    #[inline(always)]
    fn literal(&self, i: usize) -> Option<u32> {
        self.slot(i).literal()
    }

    /// Whether field `i`, if it is a string, is literal `id` of its
    /// field.
    #[inline(always)]
    fn is_literal(&self, i: usize, id: u32) -> Option<bool> {
        self.literal(i).map(|got| got == id)
    }

    /// Whether field `i` is set.
    #[inline(always)]
    fn is_set(&self, i: usize) -> bool {
        self.slot(i) != Slot::Unset
    }

    /// The key field `i`'s value looks index rows up by.
    #[inline(always)]
    fn key(&self, i: usize) -> SlotKey {
        SlotKey::from(self.slot(i))
    }
}

impl Values for Context<'_> {
    #[inline(always)]
    fn slot(&self, i: usize) -> Slot<'_> {
        self.slots.get(i).unwrap_or(Slot::Unset)
    }

    #[inline(always)]
    fn context(&self) -> Option<&Context<'_>> {
        Some(self)
    }

    #[inline(always)]
    fn bool(&self, i: usize) -> Option<bool> {
        self.slots.bool(i)
    }

    #[inline(always)]
    fn int(&self, i: usize) -> Option<i64> {
        self.slots.int(i)
    }

    #[inline(always)]
    fn float(&self, i: usize) -> Option<f64> {
        self.slots.float(i)
    }

    #[inline(always)]
    fn enum_index(&self, i: usize) -> Option<u32> {
        self.slots.enum_index(i)
    }

    #[inline(always)]
    fn literal(&self, i: usize) -> Option<u32> {
        self.slots.literal(i)
    }

    #[inline(always)]
    fn is_set(&self, i: usize) -> bool {
        self.slots.is_set(i)
    }

    #[inline(always)]
    fn key(&self, i: usize) -> SlotKey {
        self.slots.key(i)
    }
}
