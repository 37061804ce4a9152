//! Contexts: the typed values a host passes in for one decision, validated
//! against the ruleset's schema (docs/reference/context.md).
//!
//! A [`Context`] borrows the table it was made for and, where it can, the
//! request's own strings: setting a field through a [`FieldHandle`] copies
//! nothing and allocates nothing (up to [`Context::INLINE_FIELDS`] fields),
//! and a string is resolved once, when it is set, to the literal the rules
//! compare it with.

mod binding;
mod builder;
mod input;
mod json;
pub(crate) mod schema;

use std::fmt;
use std::time::{SystemTime, UNIX_EPOCH};

use switchyard_check::ir::{FieldId, WEEKDAYS};

use crate::error::ContextError;
use crate::CompiledTable;

pub(crate) use binding::{bind, BindSpec, Binding};
pub use binding::{Request, RequestFieldKind, RequestValues};
pub use builder::ContextBuilder;
pub(crate) use input::value_error;
pub use input::Input;
pub(crate) use schema::{Schema, NO_LITERAL};

/// One field's value in a context.
#[derive(Clone, Debug, Default, PartialEq)]
pub(crate) enum Slot<'a> {
    #[default]
    Unset,
    Bool(bool),
    Int(i64),
    Float(f64),
    /// A string borrowed from the request (or the table), with the id of
    /// the rules' literal it equals ([`NO_LITERAL`] when none).
    Str(&'a str, u32),
    /// A string the context had to copy (a JSON string with escapes, the
    /// by-name builder), with its literal id. Two variants instead of a
    /// `Cow` keep a slot at 24 bytes.
    Owned(Box<str>, u32),
    /// Index into the enum's values.
    Enum(u32),
}

impl<'a> Slot<'a> {
    /// A string value and its literal id.
    #[inline(always)]
    pub fn text(&self) -> Option<(&str, u32)> {
        match self {
            Slot::Str(s, id) => Some((s, *id)),
            Slot::Owned(s, id) => Some((s, *id)),
            _ => None,
        }
    }

    /// The same value, borrowing its text from `self`.
    fn reborrow(&'a self) -> Slot<'a> {
        match self {
            Slot::Str(s, id) => Slot::Str(s, *id),
            Slot::Owned(s, id) => Slot::Str(s, *id),
            Slot::Unset => Slot::Unset,
            Slot::Bool(b) => Slot::Bool(*b),
            Slot::Int(i) => Slot::Int(*i),
            Slot::Float(f) => Slot::Float(*f),
            Slot::Enum(e) => Slot::Enum(*e),
        }
    }
}

/// A declared field of one compiled table, looked up once by name with
/// [`CompiledTable::field`] and then used to set values with no name
/// lookup.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct FieldHandle {
    table: u64,
    id: FieldId,
}

impl FieldHandle {
    /// The field's position in the ruleset's `context` block.
    pub fn index(self) -> usize {
        self.id.index()
    }
}

const INLINE_FIELDS: usize = 8;

/// The slots of a context: inline up to [`Context::INLINE_FIELDS`], so
/// that a context of a small schema lives on the stack.
#[derive(Clone, Debug)]
#[allow(
    clippy::large_enum_variant,
    reason = "the inline variant is the point: a small context on the stack"
)]
enum Slots<'a> {
    Inline([Slot<'a>; INLINE_FIELDS], usize),
    Heap(Vec<Slot<'a>>),
}

impl<'a> Slots<'a> {
    #[inline(always)]
    fn as_slice(&self) -> &[Slot<'a>] {
        match self {
            Slots::Inline(slots, n) => slots.get(..*n).unwrap_or(slots),
            Slots::Heap(v) => v,
        }
    }

    #[inline(always)]
    fn as_mut_slice(&mut self) -> &mut [Slot<'a>] {
        match self {
            Slots::Inline(slots, n) => {
                let n = (*n).min(slots.len());
                slots.split_at_mut(n).0
            }
            Slots::Heap(v) => v,
        }
    }
}

/// The values of one request, checked against a compiled table's schema.
///
/// Make one with [`CompiledTable::new_context`] and set fields through
/// [`FieldHandle`]s (the fast path: nothing is copied, strings are
/// borrowed), with [`CompiledTable::context`] (a builder by field name), or
/// from JSON ([`CompiledTable::context_from_slice`]). Then pass it to
/// [`CompiledTable::decide`] of the same table.
///
/// ```
/// # let (table, _) = switchyard_eval::CompiledTable::from_source(r#"
/// # context { tier: "free" | "pro" = "free"  user: string  budget: float = 0.0 }
/// # rule vip: when user == "ada" -> "anthropic/claude-3.5-sonnet" max_tokens 100
/// # rule pro: when tier == "pro" -> "openai/gpt-4o" max_tokens 100
/// # rule default: otherwise -> "openai/gpt-4o-mini" max_tokens 100
/// # "#).unwrap();
/// // Once, when the table is loaded:
/// let (tier, user) = (table.field("tier")?, table.field("user")?);
/// // Per request (no allocation, no name lookup):
/// let request_user = String::from("grace");
/// let mut ctx = table.new_context();
/// ctx.set(tier, "pro")?.set(user, request_user.as_str())?;
/// assert_eq!(table.decide(&ctx)?.unwrap().rule(), "pro");
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
#[derive(Clone)]
pub struct Context<'a> {
    pub(crate) table: &'a CompiledTable,
    slots: Slots<'a>,
    /// Unix seconds of the decision, when given or when the rules read the
    /// time (then "now" at creation).
    time: Option<i64>,
    /// The offset from UTC, in seconds, of the ruleset's time zone at
    /// `time`: looked up once when the time is set, so `hour` and `weekday`
    /// cost an addition per atom.
    offset: i32,
}

impl<'a> Context<'a> {
    /// Contexts of schemas with up to this many fields keep their values
    /// inline (no heap allocation); larger ones use one vector.
    pub const INLINE_FIELDS: usize = INLINE_FIELDS;

    #[inline(always)]
    pub(crate) fn new(table: &'a CompiledTable) -> Self {
        let defaults = &table.schema.defaults;
        let mut ctx = Context {
            table,
            slots: if defaults.len() <= INLINE_FIELDS {
                Slots::Inline(Default::default(), defaults.len())
            } else {
                Slots::Heap(vec![Slot::Unset; defaults.len()])
            },
            time: None,
            offset: 0,
        };
        if table.schema.has_defaults {
            for (slot, d) in ctx.slots.as_mut_slice().iter_mut().zip(defaults) {
                *slot = d.reborrow();
            }
        }
        if table.schema.reads_time {
            ctx.at_unix(now_unix());
        }
        ctx
    }

    /// The value of field `id`.
    #[inline]
    pub(crate) fn slot(&self, id: FieldId) -> &Slot<'a> {
        self.slots
            .as_slice()
            .get(id.index())
            .unwrap_or(&Slot::Unset)
    }

    /// Sets field `id` to a value already checked against its type.
    #[inline(always)]
    pub(crate) fn set_slot(&mut self, id: FieldId, slot: Slot<'a>) {
        if let Some(s) = self.slots.as_mut_slice().get_mut(id.index()) {
            *s = slot;
        }
    }

    /// Every field's value, in schema order.
    #[inline]
    pub(crate) fn slots(&self) -> &[Slot<'a>] {
        self.slots.as_slice()
    }

    /// Sets a field. A value of the wrong type, outside the enum, or not
    /// finite is an error naming the field; the context keeps its earlier
    /// value then. Strings are borrowed, not copied.
    #[inline]
    pub fn set(
        &mut self,
        field: FieldHandle,
        value: impl Into<Input<'a>>,
    ) -> Result<&mut Self, ContextError> {
        if field.table != self.table.id {
            return Err(ContextError::ForeignField);
        }
        let schema = &self.table.schema;
        if let Some(dst) = self.slots.as_mut_slice().get_mut(field.id.index()) {
            schema.store(field.id, value.into(), dst)?;
        }
        Ok(self)
    }

    /// Sets a field by name: [`Context::set`] after a name lookup. A name
    /// the schema does not declare is ignored, unless the table was loaded
    /// with strict contexts (then it is an error naming the nearest field).
    pub fn set_by_name(
        &mut self,
        name: &str,
        value: impl Into<Input<'a>>,
    ) -> Result<&mut Self, ContextError> {
        match self.table.schema.field_id(name) {
            Some(id) => {
                let handle = FieldHandle {
                    table: self.table.id,
                    id,
                };
                self.set(handle, value)
            }
            None => self.table.unknown_field(name).map(|()| self),
        }
    }

    /// Forgets the value of a field, so its default (if any) applies.
    pub fn clear(&mut self, field: FieldHandle) -> &mut Self {
        if field.table == self.table.id {
            let default = self.table.schema.defaults.get(field.id.index());
            if let (Some(s), Some(d)) =
                (self.slots.as_mut_slice().get_mut(field.id.index()), default)
            {
                *s = d.reborrow();
            }
        }
        self
    }

    /// Forgets every value, so the context can serve the next request of
    /// the same lifetime without allocating.
    pub fn reset(&mut self) -> &mut Self {
        for (s, d) in self
            .slots
            .as_mut_slice()
            .iter_mut()
            .zip(&self.table.schema.defaults)
        {
            *s = d.reborrow();
        }
        self.time = None;
        if self.table.schema.reads_time {
            self.at_unix(now_unix());
        }
        self
    }

    /// The decision time, in seconds since the Unix epoch (UTC); default
    /// now. `hour` and `weekday` read it in the ruleset's `timezone`.
    pub fn at_unix(&mut self, seconds: i64) -> &mut Self {
        self.time = Some(seconds);
        self.offset = self.table.utc_offset(seconds);
        self
    }

    /// The decision time; default now.
    pub fn at(&mut self, time: SystemTime) -> &mut Self {
        let secs = match time.duration_since(UNIX_EPOCH) {
            Ok(d) => i64::try_from(d.as_secs()).unwrap_or(i64::MAX),
            Err(e) => -i64::try_from(e.duration().as_secs()).unwrap_or(i64::MAX),
        };
        self.at_unix(secs)
    }

    /// The decision time as seconds since the Unix epoch shifted by the
    /// zone's offset: its days and hours are the zone's.
    fn local_seconds(&self) -> i64 {
        match self.time {
            Some(t) => t.saturating_add(i64::from(self.offset)),
            None => {
                let now = now_unix();
                now.saturating_add(i64::from(self.table.utc_offset(now)))
            }
        }
    }

    /// Hour 0-23 of the decision time in the ruleset's `timezone` (UTC
    /// without one).
    pub fn hour(&self) -> i64 {
        self.local_seconds().rem_euclid(86_400) / 3_600
    }

    /// 0 = Monday, in the ruleset's `timezone`.
    pub(crate) fn weekday_index(&self) -> u32 {
        // 1970-01-01 was a Thursday (index 3 with Monday = 0).
        u32::try_from((self.local_seconds().div_euclid(86_400) + 3).rem_euclid(7)).unwrap_or(0)
    }

    /// Day of the decision time in the ruleset's `timezone`: `"mon"` ..
    /// `"sun"`.
    pub fn weekday(&self) -> &'static str {
        WEEKDAYS
            .get(self.weekday_index() as usize)
            .copied()
            .unwrap_or("mon")
    }
}

impl<'a> Context<'a> {
    /// The same values in a context that borrows only `table` (the table
    /// this context was made for): strings among the rules' literals are
    /// borrowed from it, others copied.
    pub(crate) fn detach<'t>(self, table: &'t CompiledTable) -> Context<'t> {
        let mut out = table.new_context();
        if let Some(t) = self.time {
            out.at_unix(t);
        }
        for (i, slot) in self.slots().iter().enumerate() {
            let Some(id) = u32::try_from(i).ok().map(switchyard_check::ir::FieldId) else {
                continue;
            };
            let value = match slot {
                Slot::Unset => {
                    out.set_slot(id, Slot::Unset);
                    continue;
                }
                Slot::Bool(b) => Input::Bool(*b),
                Slot::Int(x) => Input::Int(*x),
                Slot::Float(x) => Input::Float(*x),
                Slot::Enum(e) => {
                    out.set_slot(id, Slot::Enum(*e));
                    continue;
                }
                Slot::Str(s, _) => Input::Str(s),
                Slot::Owned(s, _) => Input::Str(s),
            };
            if let Ok(slot) = table.schema.convert_owned(id, value) {
                out.set_slot(id, slot);
            }
        }
        out
    }
}

impl fmt::Debug for Context<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let names = self.table.schema.fields.iter().map(|f| f.name.as_str());
        f.debug_struct("Context")
            .field("table", &self.table.id)
            .field(
                "values",
                &DebugMap(names.zip(self.slots()).collect::<Vec<_>>()),
            )
            .field("time", &self.time)
            .finish()
    }
}

struct DebugMap<'s, 'a>(Vec<(&'s str, &'s Slot<'a>)>);

impl fmt::Debug for DebugMap<'_, '_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_map()
            .entries(self.0.iter().map(|(k, v)| (k, v)))
            .finish()
    }
}

impl CompiledTable {
    /// A context for this table with every field at its default (or unset).
    pub fn new_context(&self) -> Context<'_> {
        Context::new(self)
    }

    /// The handle of a declared field, to set it in contexts without a name
    /// lookup. An undeclared name is an error naming the nearest field.
    pub fn field(&self, name: &str) -> Result<FieldHandle, ContextError> {
        match self.schema.field_id(name) {
            Some(id) => Ok(FieldHandle { table: self.id, id }),
            None => Err(self.undeclared(name)),
        }
    }

    /// What a context does with a key the schema does not declare: ignore
    /// it, or, with strict contexts, refuse it.
    pub(crate) fn unknown_field(&self, name: &str) -> Result<(), ContextError> {
        if self.strict_context {
            Err(self.undeclared(name))
        } else {
            Ok(())
        }
    }

    fn undeclared(&self, name: &str) -> ContextError {
        ContextError::UnknownField {
            field: name.chars().take(80).collect(),
            nearest: self.schema.nearest(name).map(str::to_string),
        }
    }
}

fn now_unix() -> i64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map_or(0, |d| i64::try_from(d.as_secs()).unwrap_or(i64::MAX))
}

#[cfg(test)]
mod tests {
    use super::*;

    /// 100,000 contexts must not stay out of cache for want of a few bytes:
    /// a slot is three words.
    #[test]
    fn a_slot_is_three_words() {
        assert_eq!(std::mem::size_of::<Slot<'_>>(), 24);
    }
}
