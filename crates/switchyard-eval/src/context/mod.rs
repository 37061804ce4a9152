//! Contexts: the typed values a host passes in for one decision, validated
//! against the ruleset's schema (docs/reference/context.md).
//!
//! A [`Context`] borrows the table it was made for and, where it can, the
//! request's own strings: setting a field through a [`FieldHandle`] copies
//! nothing and allocates nothing (up to [`Context::INLINE_FIELDS`] fields,
//! of which [`Context::INLINE_STRINGS`] borrowed strings), and a string is
//! resolved once, when it is set, to the literal the rules compare it with.

mod binding;
mod builder;
mod in_place;
mod input;
mod json;
pub(crate) mod schema;
mod slots;
mod values;

use std::fmt;
use std::time::{SystemTime, UNIX_EPOCH};

use switchyard_check::ir::{FieldId, WEEKDAYS};

use crate::error::ContextError;
use crate::CompiledTable;

pub(crate) use binding::{bind, BindSpec, Binding};
pub use binding::{Request, RequestFieldKind};
pub use builder::ContextBuilder;
pub(crate) use in_place::RequestView;
pub(crate) use input::value_error;
pub use input::Input;
pub(crate) use schema::{Schema, NO_LITERAL};
pub(crate) use slots::Slots;
use slots::INLINE_FIELDS;
pub(crate) use slots::{Slot, SlotKey};
pub(crate) use values::Values;

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
#[repr(C)] // the table and what `decide` reads of the values first
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
    /// The strings the context had to copy ([`Slot::Owned`] indexes it):
    /// none, and nothing allocated, on the borrowing paths. Boxed: one word
    /// in every context.
    #[allow(
        clippy::box_collection,
        reason = "one word in every context instead of three"
    )]
    owned: Option<Box<Vec<Box<str>>>>,
}

impl<'a> Context<'a> {
    /// Contexts of schemas with up to this many fields keep their values
    /// inline (no heap allocation), when at most
    /// [`Context::INLINE_STRINGS`] of them are borrowed strings; the rest
    /// go in one vector per context.
    pub const INLINE_FIELDS: usize = INLINE_FIELDS;

    /// How many borrowed strings a context keeps inline.
    pub const INLINE_STRINGS: usize = slots::INLINE_TEXTS;

    #[inline(always)]
    pub(crate) fn new(table: &'a CompiledTable) -> Self {
        let mut ctx = Context::blank(table);
        ctx.prepare();
        ctx
    }

    /// A context with every inline slot unset: [`Context::prepare`] makes
    /// it new. (Two steps, so that a caller keeping the context on its
    /// stack builds it in place instead of copying it.)
    #[inline(always)]
    pub(crate) fn blank(table: &'a CompiledTable) -> Self {
        Context {
            table,
            slots: Slots::unset(table.schema.defaults.len()),
            time: None,
            offset: 0,
            owned: None,
        }
    }

    /// Makes a [`Context::blank`] new: the slots past the inline ones, the
    /// defaults, the clock, when the schema needs them.
    #[inline(always)]
    pub(crate) fn prepare(&mut self) {
        let schema = &self.table.schema;
        if schema.has_defaults || schema.reads_time {
            self.start();
        }
    }

    /// What a new context needs besides unset slots: the defaults, the
    /// clock.
    #[inline(never)]
    fn start(&mut self) {
        self.set_defaults();
        if self.table.schema.reads_time {
            self.at_unix(now_unix());
        }
    }

    /// Every field at its default (or unset).
    fn set_defaults(&mut self) {
        let table: &'a CompiledTable = self.table;
        self.slots.clear();
        for (i, d) in table.schema.defaults.iter().enumerate() {
            self.slots.set(i, d.slot());
        }
    }

    /// The value of field `id`.
    #[inline(always)]
    pub(crate) fn slot(&self, id: FieldId) -> Slot<'a> {
        self.slots.get(id.index()).unwrap_or(Slot::Unset)
    }

    /// Sets field `id` to a value already checked against its type.
    #[inline(always)]
    pub(crate) fn set_slot(&mut self, id: FieldId, slot: Slot<'a>) {
        self.slots.set(id.index(), slot);
    }

    /// Every field's value, in schema order.
    pub(crate) fn slots(&self) -> impl Iterator<Item = Slot<'a>> + '_ {
        self.slots.iter()
    }

    /// The text of a string value, and its literal id.
    #[inline]
    pub(crate) fn text(&self, slot: Slot<'a>) -> Option<(&str, u32)> {
        match slot {
            Slot::Str(s, id) => Some((s, id)),
            Slot::Owned(i, id) => self.owned.as_ref()?.get(i as usize).map(|s| (&**s, id)),
            _ => None,
        }
    }

    /// Sets field `id` to a value that may live shorter than the context:
    /// a string among the rules' literals is borrowed from the table, any
    /// other string is copied into the context.
    pub(crate) fn set_owned(&mut self, id: FieldId, input: Input<'_>) -> Result<(), ContextError> {
        let table: &'a CompiledTable = self.table;
        let slot = match table.schema.convert_literal(id, input)? {
            Ok(slot) => slot,
            Err((text, lit)) => {
                let owned = self.owned.get_or_insert_with(Box::default);
                let at = u32::try_from(owned.len()).unwrap_or(u32::MAX);
                owned.push(text.into());
                Slot::Owned(at, lit)
            }
        };
        self.set_slot(id, slot);
        Ok(())
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
        self.store(field.id, value.into())?;
        Ok(self)
    }

    /// Checks a value against field `id`'s type and stores it in place
    /// (the slot keeps its value on an error).
    #[inline(always)]
    pub(crate) fn store(&mut self, id: FieldId, input: Input<'a>) -> Result<(), ContextError> {
        let table: &'a CompiledTable = self.table;
        let kind = table.schema.kinds.get(id.index()).copied();
        let slots = &mut self.slots;
        table
            .schema
            .store_as(kind, id, input, |slot| slots.set(id.index(), slot))
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
            let table: &'a CompiledTable = self.table;
            if let Some(d) = table.schema.defaults.get(field.id.index()) {
                self.set_slot(field.id, d.slot());
            }
        }
        self
    }

    /// Forgets every value, so the context can serve the next request of
    /// the same lifetime without allocating.
    pub fn reset(&mut self) -> &mut Self {
        self.set_defaults();
        if let Some(owned) = &mut self.owned {
            owned.clear();
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
        for (i, slot) in self.slots().enumerate() {
            let Some(id) = u32::try_from(i).ok().map(switchyard_check::ir::FieldId) else {
                continue;
            };
            let copied = match self.text(slot) {
                Some((s, _)) => out.set_owned(id, Input::Str(s)),
                None => {
                    out.set_slot(id, slot.without_text());
                    Ok(())
                }
            };
            // The value was checked when it was set.
            debug_assert!(copied.is_ok());
        }
        out
    }
}

impl Slot<'_> {
    /// A value that is not a string, in a slot of any lifetime (a string
    /// is unset).
    fn without_text<'b>(self) -> Slot<'b> {
        match self {
            Slot::Unset | Slot::Str(..) | Slot::Owned(..) => Slot::Unset,
            Slot::Bool(b) => Slot::Bool(b),
            Slot::Int(i) => Slot::Int(i),
            Slot::Float(f) => Slot::Float(f),
            Slot::Enum(e) => Slot::Enum(e),
        }
    }
}

impl fmt::Debug for Context<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let names = self.table.schema.fields.iter().map(|f| f.name.as_str());
        f.debug_struct("Context")
            .field("table", &self.table.id)
            .field(
                "values",
                &DebugMap(
                    names
                        .zip(self.slots())
                        .map(|(n, s)| (n, self.text(s).map_or(s, |(t, id)| Slot::Str(t, id))))
                        .collect::<Vec<_>>(),
                ),
            )
            .field("time", &self.time)
            .finish()
    }
}

struct DebugMap<'s>(Vec<(&'s str, Slot<'s>)>);

impl fmt::Debug for DebugMap<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_map()
            .entries(self.0.iter().map(|(k, v)| (k, v)))
            .finish()
    }
}

impl CompiledTable {
    /// A context for this table with every field at its default (or unset).
    #[inline]
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
    /// the table, then the values' tags and words, lead.
    #[test]
    fn the_table_and_the_words_lead() {
        assert_eq!(std::mem::offset_of!(Context<'_>, table), 0);
        assert_eq!(std::mem::offset_of!(Context<'_>, slots), 8);
        assert_eq!(std::mem::size_of::<Context<'_>>(), 208);
    }
}
