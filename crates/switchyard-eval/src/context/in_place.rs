//! A typed request read in place: [`CompiledTable::decide_request`] of a
//! table whose rules are all specialised tests reads, for each test, the
//! one field it needs straight from the host's request, converted as a
//! context would have stored it, and makes no context.

use switchyard_check::ir::FieldId;

use super::binding::{Binding, BoundField, Given, NOT_GIVEN};
use super::schema::Kind;
use super::{Context, Input, Request, Schema, Slot, Values};
use crate::error::ContextError;
use crate::CompiledTable;

/// A typed request read in place by [`CompiledTable::decide_request`]:
/// each test converts the one value it reads, as a context would have
/// stored it.
pub(crate) struct RequestView<'r, R> {
    request: &'r R,
    schema: &'r Schema,
    given: &'r [Given],
}

impl<'r, R: Request> RequestView<'r, R> {
    /// The view of `request`, once the values that can be wrong are
    /// checked (the same error [`CompiledTable::context_of`] gives).
    #[inline(always)]
    pub(super) fn new(
        table: &'r CompiledTable,
        binding: &'r Binding,
        request: &'r R,
    ) -> Result<Self, ContextError> {
        let schema = &table.schema;
        for &at in &binding.checked {
            let (Some(&BoundField { id, kind }), Some(input)) = (
                binding.fields.get(usize::from(at)),
                request.value(usize::from(at)),
            ) else {
                continue;
            };
            schema.store_as(Some(kind), id, input, |_| {})?;
        }
        Ok(RequestView {
            request,
            schema,
            given: &binding.given,
        })
    }

    /// Field `i`'s kind and the request's value for it (`None`: the field
    /// keeps its default).
    #[inline(always)]
    fn input(&self, i: usize) -> (Option<Kind>, Option<Input<'r>>) {
        match self.given.get(i) {
            Some(&Given { at, kind }) if at != NOT_GIVEN => {
                (Some(kind), self.request.value(usize::from(at)))
            }
            Some(&Given { kind, .. }) => (Some(kind), None),
            None => (None, None),
        }
    }

    /// Field `i`'s default (or unset).
    #[inline(never)]
    fn default(&self, i: usize) -> Slot<'r> {
        self.schema
            .defaults
            .get(i)
            .map_or(Slot::Unset, |d| d.slot())
    }

    /// Field `i`'s value converted as a context stores it (every value was
    /// checked when the view was made).
    #[inline(never)]
    fn converted(&self, i: usize, input: Input<'r>) -> Slot<'r> {
        let id = FieldId(u32::try_from(i).unwrap_or(u32::MAX));
        self.schema.convert(id, input).unwrap_or(Slot::Unset)
    }
}

/// The typed reads match the request's own value where its kind is the
/// field's (no slot is built), and convert it as a context would for the
/// rest.
impl<R: Request> Values for RequestView<'_, R> {
    fn slot(&self, i: usize) -> Slot<'_> {
        match self.input(i) {
            (_, Some(input)) => self.converted(i, input),
            (_, None) => self.default(i),
        }
    }

    fn context(&self) -> Option<&Context<'_>> {
        None
    }

    #[inline(always)]
    fn bool(&self, i: usize) -> Option<bool> {
        match self.input(i) {
            (_, Some(Input::Bool(b))) => Some(b),
            (_, Some(_)) => None,
            (_, None) => self.default(i).bool(),
        }
    }

    #[inline(always)]
    fn int(&self, i: usize) -> Option<i64> {
        match self.input(i) {
            (Some(Kind::Int), Some(Input::Int(x))) => Some(x),
            (_, Some(_)) => None,
            (_, None) => self.default(i).int(),
        }
    }

    #[inline(always)]
    fn float(&self, i: usize) -> Option<f64> {
        match self.input(i) {
            // Finite: checked when the view was made. Zero as a context
            // stores it.
            (Some(Kind::Float), Some(Input::Float(x))) => Some(if x == 0.0 { 0.0 } else { x }),
            (Some(Kind::Float), Some(input)) => self.converted(i, input).float(),
            (_, Some(_)) => None,
            (_, None) => self.default(i).float(),
        }
    }

    #[inline(always)]
    fn enum_index(&self, i: usize) -> Option<u32> {
        match self.input(i) {
            (Some(Kind::Enum), Some(input)) => self.converted(i, input).enum_index(),
            (_, Some(_)) => None,
            (_, None) => self.default(i).enum_index(),
        }
    }

    #[inline(always)]
    fn literal(&self, i: usize) -> Option<u32> {
        match self.input(i) {
            (Some(Kind::String), Some(Input::Str(s))) => Some(
                self.schema
                    .literal_id(FieldId(u32::try_from(i).unwrap_or(u32::MAX)), s),
            ),
            (_, Some(_)) => None,
            (_, None) => self.default(i).literal(),
        }
    }

    /// Compares the text with the literal's, as the request's string is
    /// at hand (one comparison instead of a search of the field's
    /// literals).
    #[inline(always)]
    fn is_literal(&self, i: usize, id: u32) -> Option<bool> {
        match self.input(i) {
            (Some(Kind::String), Some(Input::Str(s))) => {
                let literal = self.schema.literals.get(i).and_then(|l| l.text(id));
                Some(literal.is_some_and(|t| t.len() == s.len() && t == s))
            }
            (_, Some(_)) => None,
            (_, None) => self.default(i).literal().map(|got| got == id),
        }
    }

    #[inline(always)]
    fn is_set(&self, i: usize) -> bool {
        match self.input(i) {
            (_, Some(_)) => true,
            (_, None) => self.default(i) != Slot::Unset,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::{IndexPolicy, LoadOptions, RequestFieldKind};
    use switchyard_syntax::SourceMap;

    /// Specialised tests only, over every kind of field, with defaults and
    /// a field no request gives.
    const RULES: &str = r#"
        context {
          tier: "free" | "pro" | "enterprise" = "free"
          tenant: string = "acme"
          budget: float = 0.5
          tokens: int
          tools: bool = false
          region: string = "eu"
        }
        defaults max_tokens 512
        rule acme: when tenant == "acme" and tier != "free" -> "a/pro"
        rule cohort: when tenant in ["globex", "initech"] and budget < 1.0 -> "a/cheap"
        rule eu: when region == "eu" and tokens >= 100 and tools == false -> "a/eu"
        rule rich: when has(tokens) and budget in 2..10 -> "a/budget"
        rule tools: when tools -> "a/tools"
        rule default: otherwise -> "a/mini"
    "#;

    /// Every field optional; the budget given as an int, for a float field.
    struct Typed {
        tier: Option<&'static str>,
        tenant: Option<&'static str>,
        budget: Option<i64>,
        tokens: Option<i64>,
        tools: Option<bool>,
    }

    impl Request for Typed {
        const FIELDS: &'static [(&'static str, RequestFieldKind)] = &[
            ("tier", RequestFieldKind::Str),
            ("tenant", RequestFieldKind::Str),
            ("budget", RequestFieldKind::Int),
            ("tokens", RequestFieldKind::Int),
            ("tools", RequestFieldKind::Bool),
        ];

        fn value(&self, i: usize) -> Option<Input<'_>> {
            match i {
                0 => self.tier.map(Input::from),
                1 => self.tenant.map(Input::from),
                2 => self.budget.map(Input::from),
                3 => self.tokens.map(Input::from),
                4 => self.tools.map(Input::from),
                _ => None,
            }
        }
    }

    /// The budget as a float.
    struct Exact {
        budget: f64,
    }

    impl Request for Exact {
        const FIELDS: &'static [(&'static str, RequestFieldKind)] =
            &[("budget", RequestFieldKind::Float)];

        fn value(&self, i: usize) -> Option<Input<'_>> {
            (i == 0).then_some(Input::Float(self.budget))
        }
    }

    fn table(index: IndexPolicy) -> CompiledTable {
        let mut sources = SourceMap::new();
        sources.add("r.route", RULES);
        let options = LoadOptions::new()
            .bind::<Typed>()
            .bind::<Exact>()
            .with_index(index);
        CompiledTable::from_sources(sources, &options).unwrap().0
    }

    fn both<R: Request>(t: &CompiledTable, r: &R) -> (Result<String, ContextError>, String) {
        let in_place = t
            .decide_request(r)
            .map(|d| d.map_or("<none>".into(), |d| d.rule().to_string()));
        let through_context = match t.context_of(r) {
            Ok(ctx) => t
                .decide(&ctx)
                .unwrap()
                .map_or("<none>".into(), |d| d.rule().to_string()),
            Err(e) => format!("error: {e}"),
        };
        (in_place, through_context)
    }

    /// Over every combination of given, missing and odd values, reading a
    /// request in place decides as its context does, and refuses what the
    /// context refuses with the same error.
    #[test]
    fn a_request_read_in_place_decides_as_its_context() {
        for index in [IndexPolicy::Never, IndexPolicy::Always] {
            let t = table(index);
            assert!(t.reads_in_place);
            assert_eq!(t.index.is_empty(), index == IndexPolicy::Never);
            decides_as_its_context(&t);
        }
    }

    fn decides_as_its_context(t: &CompiledTable) {
        let mut rules = std::collections::BTreeSet::new();
        for tier in [None, Some("free"), Some("pro"), Some("gold")] {
            for tenant in [None, Some("acme"), Some("globex"), Some("hooli")] {
                for budget in [None, Some(0), Some(3)] {
                    for tokens in [None, Some(99), Some(100)] {
                        for tools in [None, Some(false), Some(true)] {
                            let r = Typed {
                                tier,
                                tenant,
                                budget,
                                tokens,
                                tools,
                            };
                            let (in_place, through_context) = both(t, &r);
                            match in_place {
                                Ok(rule) => {
                                    assert_eq!(rule, through_context);
                                    rules.insert(rule);
                                }
                                Err(e) => {
                                    assert_eq!(format!("error: {e}"), through_context);
                                    assert_eq!(tier, Some("gold"));
                                }
                            }
                        }
                    }
                }
            }
        }
        assert_eq!(rules.len(), 6, "every rule is chosen: {rules:?}");
        for budget in [-0.0, 0.5, 2.0, f64::NAN, f64::INFINITY] {
            let (in_place, through_context) = both(t, &Exact { budget });
            let in_place = in_place.unwrap_or_else(|e| format!("error: {e}"));
            assert_eq!(in_place, through_context, "budget {budget}");
        }
    }

    /// A table with a test only a context answers (here `contains`) still
    /// decides typed requests, through a context.
    #[test]
    fn other_tables_decide_through_a_context() {
        let mut sources = SourceMap::new();
        sources.add(
            "r.route",
            RULES.replace(
                "tools -> \"a/tools\"",
                "tenant contains \"oo\" -> \"a/tools\"",
            ),
        );
        let options = LoadOptions::new().bind::<Typed>();
        let (t, _) = CompiledTable::from_sources(sources, &options).unwrap();
        assert!(!t.reads_in_place);
        let r = Typed {
            tier: None,
            tenant: Some("hooli"),
            budget: None,
            tokens: None,
            tools: None,
        };
        assert_eq!(both(&t, &r), (Ok("tools".to_string()), "tools".to_string()));
    }
}
