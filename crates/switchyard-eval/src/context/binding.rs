//! Typed requests: a host's request struct bound to the ruleset's context
//! once, checked when the ruleset loads (and on every reload), then turned
//! into contexts with no name lookup and no copy.

use std::any::TypeId;

use switchyard_check::ir::{FieldId, Type};

use super::schema::Kind;
use super::{Context, Input, Schema, Slots};
use crate::error::{BindError, ContextError};
use crate::{CompiledTable, Decision};

/// The kind of value a request field holds.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum RequestFieldKind {
    /// `bool`, for `bool` fields.
    Bool,
    /// An integer, for `int` (and `float`) fields.
    Int,
    /// A float, for `float` fields.
    Float,
    /// A string, for `string` and enum fields.
    Str,
}

impl RequestFieldKind {
    fn describe(self) -> &'static str {
        match self {
            RequestFieldKind::Bool => "a bool",
            RequestFieldKind::Int => "an int",
            RequestFieldKind::Float => "a float",
            RequestFieldKind::Str => "a string",
        }
    }

    fn fits(self, ty: &Type) -> bool {
        matches!(
            (self, ty),
            (RequestFieldKind::Bool, Type::Bool)
                | (RequestFieldKind::Int, Type::Int | Type::Float)
                | (RequestFieldKind::Float, Type::Float)
                | (RequestFieldKind::Str, Type::String | Type::Enum(_))
        )
    }
}

/// A host's request type whose fields fill a ruleset's context.
///
/// ```
/// use switchyard_eval::{CompiledTable, LoadOptions, Request, RequestFieldKind as K, RequestValues};
///
/// struct Chat { tier: String, tools: bool }
///
/// impl Request for Chat {
///     const FIELDS: &'static [(&'static str, K)] = &[("tier", K::Str), ("needs_tools", K::Bool)];
///     fn write<'a>(&'a self, out: &mut RequestValues<'_, 'a>) {
///         out.put(0, self.tier.as_str());
///         out.put(1, self.tools);
///     }
/// }
///
/// let src = r#"
///     context { tier: "free" | "pro" = "free"  needs_tools: bool = false }
///     rule tools: when needs_tools -> "openai/gpt-4o" max_tokens 100
///     rule default: otherwise -> "openai/gpt-4o-mini" max_tokens 100
/// "#;
/// let options = LoadOptions::new().bind::<Chat>();
/// let mut sources = switchyard_syntax::SourceMap::new();
/// sources.add("r.route", src);
/// let (table, _) = CompiledTable::from_sources(sources, &options)?;
/// let req = Chat { tier: "pro".into(), tools: true };
/// let ctx = table.context_of(&req)?;
/// assert_eq!(table.decide(&ctx)?.unwrap().rule(), "tools");
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
pub trait Request: 'static {
    /// The context fields the type gives, by name and kind, in the order
    /// [`Request::write`] numbers them.
    const FIELDS: &'static [(&'static str, RequestFieldKind)];

    /// Gives the values: `out.put(i, value)` for field `FIELDS[i]` (a field
    /// not put stays at its default).
    fn write<'a>(&'a self, out: &mut RequestValues<'_, 'a>);
}

/// Where a [`Request`] puts its values.
pub struct RequestValues<'c, 'a> {
    slots: &'c mut Slots<'a>,
    schema: &'a Schema,
    fields: &'c [BoundField],
    error: Option<ContextError>,
}

/// A request field resolved against the schema: the context field it
/// sets, and that field's kind.
#[derive(Clone, Copy, Debug)]
pub(crate) struct BoundField {
    id: FieldId,
    kind: Kind,
}

impl<'a> RequestValues<'_, 'a> {
    /// Sets field `FIELDS[i]`. A value that does not fit (an enum value
    /// the ruleset does not declare, a float that is not finite) makes
    /// [`CompiledTable::context_of`] fail, naming the field.
    #[inline(always)]
    pub fn put(&mut self, i: usize, value: impl Into<Input<'a>>) {
        let Some(&BoundField { id, kind }) = self.fields.get(i) else {
            return;
        };
        let slots = &mut *self.slots;
        let stored = self.schema.store_as(Some(kind), id, value.into(), |slot| {
            slots.set(id.index(), slot)
        });
        if let Err(e) = stored {
            self.error.get_or_insert(e);
        }
    }
}

/// A request type's fields resolved against one table's schema.
#[derive(Debug)]
pub(crate) struct Binding {
    ty: TypeId,
    fields: Box<[BoundField]>,
}

/// Resolves `R`'s fields against `table`'s schema.
pub(crate) fn bind(
    schema: &super::Schema,
    type_name: &str,
    ty: TypeId,
    wanted: &[(&str, RequestFieldKind)],
) -> Result<Binding, BindError> {
    let mut fields = Vec::with_capacity(wanted.len());
    let mut problems = Vec::new();
    let mut span = None;
    for &(name, kind) in wanted {
        match schema
            .field_id(name)
            .and_then(|id| Some((id, schema.field(id)?)))
        {
            Some((id, field)) if kind.fits(&field.ty) => fields.push(BoundField {
                id,
                kind: Kind::of(&field.ty),
            }),
            Some((_, field)) => {
                span.get_or_insert(field.span);
                problems.push(format!(
                    "`{name}` is {} in the ruleset, the request gives {}",
                    field.ty,
                    kind.describe()
                ));
            }
            None => problems.push(match schema.nearest(name) {
                Some(n) => format!("`{name}` is not declared (did you mean `{n}`?)"),
                None => format!("`{name}` is not declared"),
            }),
        }
    }
    if problems.is_empty() {
        Ok(Binding {
            ty,
            fields: fields.into_boxed_slice(),
        })
    } else {
        Err(BindError {
            request: type_name.to_string(),
            problems,
            span: span.unwrap_or_default(),
        })
    }
}

/// A request type to bind when a table is compiled.
#[derive(Clone, Copy, Debug, PartialEq)]
pub(crate) struct BindSpec {
    pub ty: TypeId,
    pub type_name: &'static str,
    pub fields: &'static [(&'static str, RequestFieldKind)],
}

impl BindSpec {
    pub fn of<R: Request>() -> Self {
        BindSpec {
            ty: TypeId::of::<R>(),
            type_name: std::any::type_name::<R>(),
            fields: R::FIELDS,
        }
    }
}

impl CompiledTable {
    /// The context of a typed request. With the type bound when the table
    /// was loaded ([`crate::LoadOptions::bind`]) this makes no name
    /// lookup and copies no string; otherwise the type is bound now (and
    /// an error says which field does not fit).
    #[inline]
    pub fn context_of<'a, R: Request>(
        &'a self,
        request: &'a R,
    ) -> Result<Context<'a>, ContextError> {
        let mut ctx = self.new_context();
        self.fill(&mut ctx, request)?;
        Ok(ctx)
    }

    /// The decision for a typed request: [`CompiledTable::context_of`]
    /// then [`CompiledTable::decide`], with the context kept on the stack
    /// of this one call (the decision time is now, for rules that read
    /// it).
    #[inline]
    pub fn decide_request<R: Request>(
        &self,
        request: &R,
    ) -> Result<Option<Decision<'_>>, ContextError> {
        let mut ctx = Context::blank(self);
        ctx.prepare();
        self.fill(&mut ctx, request)?;
        // The context was made by this table: deciding cannot fail.
        Ok(self.decide(&ctx).unwrap_or(None))
    }

    #[inline(always)]
    fn fill<'a, R: Request>(
        &'a self,
        ctx: &mut Context<'a>,
        request: &'a R,
    ) -> Result<(), ContextError> {
        let ty = TypeId::of::<R>();
        let write = |fields: &[BoundField], ctx: &mut Context<'a>| {
            let mut out = RequestValues {
                slots: &mut ctx.slots,
                schema: &self.schema,
                fields,
                error: None,
            };
            request.write(&mut out);
            out.error.map_or(Ok(()), Err)
        };
        match self.bindings.iter().find(|b| b.ty == ty) {
            Some(b) => write(&b.fields, ctx),
            None => {
                let b = bind(&self.schema, std::any::type_name::<R>(), ty, R::FIELDS)?;
                write(&b.fields, ctx)
            }
        }
    }
}
