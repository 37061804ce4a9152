//! Typed requests: a host's request struct bound to the ruleset's context
//! once, checked when the ruleset loads (and on every reload), then turned
//! into contexts with no name lookup and no copy.

use std::any::TypeId;

use switchyard_check::ir::{FieldId, Type};

use super::in_place::RequestView;
use super::schema::Kind;
use super::{Context, Input};
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
/// use switchyard_eval::{CompiledTable, Input, LoadOptions, Request, RequestFieldKind as K};
///
/// struct Chat { tier: String, tools: bool }
///
/// impl Request for Chat {
///     const FIELDS: &'static [(&'static str, K)] = &[("tier", K::Str), ("needs_tools", K::Bool)];
///     fn value(&self, i: usize) -> Option<Input<'_>> {
///         match i {
///             0 => Some(self.tier.as_str().into()),
///             1 => Some(self.tools.into()),
///             _ => None,
///         }
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
/// assert_eq!(table.decide_request(&req)?.unwrap().rule(), "tools");
/// let ctx = table.context_of(&req)?;
/// assert_eq!(table.decide(&ctx)?.unwrap().rule(), "tools");
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
pub trait Request: 'static {
    /// The context fields the type gives, by name and kind, in the order
    /// [`Request::value`] numbers them.
    const FIELDS: &'static [(&'static str, RequestFieldKind)];

    /// The value of field `FIELDS[i]`, borrowed from the request; `None`
    /// when the request has none (the field keeps its default). A value
    /// that does not fit (an enum value the ruleset does not declare, a
    /// float that is not finite) is an error naming the field.
    fn value(&self, i: usize) -> Option<Input<'_>>;
}

/// A request field resolved against the schema: the context field it
/// sets, and that field's kind.
#[derive(Clone, Copy, Debug)]
pub(super) struct BoundField {
    pub id: FieldId,
    pub kind: Kind,
}

/// Where a context field's value comes from when a request is read in
/// place: the request field that gives it (the last, when several do), and
/// the context field's kind.
#[derive(Clone, Copy, Debug)]
pub(super) struct Given {
    pub at: u16,
    pub kind: Kind,
}

/// [`Given::at`] of a context field no request field gives.
pub(super) const NOT_GIVEN: u16 = u16::MAX;

/// A request type's fields resolved against one table's schema.
#[derive(Debug)]
pub(crate) struct Binding {
    ty: TypeId,
    /// Per request field, where it goes.
    pub(super) fields: Box<[BoundField]>,
    /// Per context field, where its value comes from, for reading a
    /// request in place.
    pub(super) given: Box<[Given]>,
    /// The request fields whose values can be wrong (anything but a bool,
    /// an int or a string for a field of that type), checked before a
    /// request is read in place.
    pub(super) checked: Box<[u16]>,
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
    if !problems.is_empty() {
        return Err(BindError {
            request: type_name.to_string(),
            problems,
            span: span.unwrap_or_default(),
        });
    }
    let mut given: Box<[Given]> = schema
        .kinds
        .iter()
        .map(|&kind| Given {
            at: NOT_GIVEN,
            kind,
        })
        .collect();
    let mut checked = Vec::new();
    for ((at, f), &(_, kind)) in (0u16..).zip(&fields).zip(wanted) {
        if let Some(g) = given.get_mut(f.id.index()) {
            g.at = at;
        }
        let cannot_fail = matches!(
            (kind, f.kind),
            (RequestFieldKind::Bool, Kind::Bool)
                | (RequestFieldKind::Int, Kind::Int)
                | (RequestFieldKind::Str, Kind::String)
        );
        if !cannot_fail {
            checked.push(at);
        }
    }
    Ok(Binding {
        ty,
        fields: fields.into_boxed_slice(),
        given,
        checked: checked.into_boxed_slice(),
    })
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
        match self.binding::<R>() {
            Some(b) => self.fill(&mut ctx, b, request)?,
            None => self.fill(&mut ctx, &self.bind_now::<R>()?, request)?,
        }
        Ok(ctx)
    }

    /// The decision for a typed request, as [`CompiledTable::context_of`]
    /// then [`CompiledTable::decide`] give it (the decision time is now,
    /// for rules that read it). With the type bound when the table was
    /// loaded, and a table whose rules are all specialised tests with no
    /// split and no catalog, the request is read in place: each test (and
    /// index row) reads the one field it needs from the request, and no
    /// context is made.
    #[inline]
    pub fn decide_request<R: Request>(
        &self,
        request: &R,
    ) -> Result<Option<Decision<'_>>, ContextError> {
        if let Some(b) = self.binding::<R>() {
            if self.reads_in_place {
                let view = RequestView::new(self, b, request)?;
                return Ok(self.decide_in_place(&view));
            }
            let mut ctx = Context::blank(self);
            ctx.prepare();
            self.fill(&mut ctx, b, request)?;
            // The context was made by this table: deciding cannot fail.
            return Ok(self.decide(&ctx).unwrap_or(None));
        }
        let ctx = self.context_of(request)?;
        Ok(self.decide(&ctx).unwrap_or(None))
    }

    /// `R`'s binding, made when the table was compiled.
    #[inline(always)]
    fn binding<R: Request>(&self) -> Option<&Binding> {
        let ty = TypeId::of::<R>();
        self.bindings.iter().find(|b| b.ty == ty)
    }

    /// `R` bound now (it was not when the table was compiled).
    fn bind_now<R: Request>(&self) -> Result<Binding, BindError> {
        bind(
            &self.schema,
            std::any::type_name::<R>(),
            TypeId::of::<R>(),
            R::FIELDS,
        )
    }

    /// Stores `request`'s values in `ctx` (the first value that does not
    /// fit is the error; the others are stored).
    #[inline(always)]
    fn fill<'a, R: Request>(
        &'a self,
        ctx: &mut Context<'a>,
        binding: &Binding,
        request: &'a R,
    ) -> Result<(), ContextError> {
        let mut error = None;
        // Over `FIELDS`, whose length is a constant: unrolled, each
        // `value(i)` is the field itself.
        for i in 0..R::FIELDS.len() {
            let (Some(&BoundField { id, kind }), Some(input)) =
                (binding.fields.get(i), request.value(i))
            else {
                continue;
            };
            let stored = self
                .schema
                .store_as(Some(kind), id, input, |slot| ctx.set_slot(id, slot));
            if let Err(e) = stored {
                error.get_or_insert(e);
            }
        }
        error.map_or(Ok(()), Err)
    }
}
