//! [`ContextBuilder`]: a context set field by field, by name: the
//! convenient form, which copies strings that are not among the rules'
//! literals.

use std::time::SystemTime;

use super::{Context, Input};
use crate::error::ContextError;
use crate::CompiledTable;

/// Builds a [`Context`] field by field, by name. For the per-request path
/// without name lookups or copies, use [`CompiledTable::field`] handles
/// and [`Context::set`].
///
/// ```
/// # let (table, _) = switchyard_eval::CompiledTable::from_source(r#"
/// # context { tier: "free" | "pro" = "free"  budget: float = 0.0 }
/// # rule pro: when tier == "pro" -> "anthropic/claude-3.5-sonnet" max_tokens 100
/// # rule default: otherwise -> "openai/gpt-4o-mini" max_tokens 100
/// # "#).unwrap();
/// let ctx = table.context().set("tier", "pro")?.set("budget", 12.5)?.build();
/// assert_eq!(table.decide(&ctx)?.unwrap().rule(), "pro");
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
#[derive(Debug)]
pub struct ContextBuilder<'t> {
    /// Boxed: each `set` moves the builder, and a context is some 200
    /// bytes (this form allocates anyway, for the strings it copies).
    ctx: Box<Context<'t>>,
}

impl<'t> ContextBuilder<'t> {
    /// Sets a field. A name the schema does not declare is ignored (a host
    /// keeps working when a field is removed from the rules), unless the
    /// table was loaded with strict contexts; a value of the wrong type,
    /// outside the enum, or not finite is an error.
    pub fn set<'a>(
        mut self,
        field: &str,
        value: impl Into<Input<'a>>,
    ) -> Result<Self, ContextError> {
        let table = self.ctx.table;
        match table.schema.field_id(field) {
            Some(id) => self.ctx.set_owned(id, value.into())?,
            None => table.unknown_field(field)?,
        }
        Ok(self)
    }

    /// Forgets a value set earlier, so the field's default (if any) applies.
    pub fn clear(mut self, field: &str) -> Self {
        if let Ok(handle) = self.ctx.table.field(field) {
            self.ctx.clear(handle);
        }
        self
    }

    /// The decision time, in seconds since the Unix epoch (UTC); default now.
    pub fn at_unix(mut self, seconds: i64) -> Self {
        self.ctx.at_unix(seconds);
        self
    }

    /// The decision time; default now.
    pub fn at(mut self, time: SystemTime) -> Self {
        self.ctx.at(time);
        self
    }

    /// Finishes the context: fields not given keep their defaults, or stay
    /// unset.
    pub fn build(self) -> Context<'t> {
        *self.ctx
    }
}

impl CompiledTable {
    /// Starts a context for this table, set by field name.
    pub fn context(&self) -> ContextBuilder<'_> {
        ContextBuilder {
            ctx: Box::new(Context::new(self)),
        }
    }
}
