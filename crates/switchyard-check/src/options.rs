//! Target options and `defaults`: `max_tokens`, `provider`, `transforms`,
//! `params`, `tag`, `require` (E012, E006 for repeated keys, W107).

use switchyard_syntax::ast::{self, Literal, Operand as AstOperand, TargetOption};
use switchyard_syntax::{Span, Spanned};

use crate::checker::Checker;
use crate::error::{CheckError, CheckWarning, Deprecation};
use crate::ir::{CostBound, FieldId, Options, Requirement, Type};
use crate::params::check_param;
use crate::provider::{check_provider, duplicate_keys};
use crate::types::subject_text;

/// `params` keys that belong elsewhere, with where.
const MISPLACED_PARAMS: &[(&str, &str)] = &[
    (
        "model",
        "the model comes from the target: `MODEL fallback [...]`",
    ),
    ("models", "list fallback models with `fallback [...]`"),
    (
        "messages",
        "the messages come from the request, not the ruleset",
    ),
    ("provider", "use the `provider { ... }` option"),
    ("max_tokens", "use the `max_tokens N` option"),
    ("transforms", "use the `transforms [...]` option"),
];

/// The options already given in one target (or in all `defaults`), for
/// "given twice" (E012). `tag` and `require` may repeat.
#[derive(Default)]
pub(crate) struct Given {
    max_tokens: Option<Span>,
    provider: Option<Span>,
    transforms: Option<Span>,
    params: Option<Span>,
}

impl Checker<'_> {
    /// Checks the options of one target.
    pub(crate) fn options(&mut self, options: &[Spanned<TargetOption>]) -> Options {
        let mut out = Options::default();
        self.options_into(options, &mut out, &mut Given::default());
        out
    }

    /// Checks options into `out`; `given` carries over between `defaults`
    /// statements.
    pub(crate) fn options_into(
        &mut self,
        options: &[Spanned<TargetOption>],
        out: &mut Options,
        given: &mut Given,
    ) {
        for opt in options {
            match &opt.node {
                TargetOption::MaxTokens(n) => {
                    if self.twice(&mut given.max_tokens, "max_tokens", opt.span) {
                        continue;
                    }
                    match u32::try_from(n.node) {
                        Ok(v) if v >= 1 => out.max_tokens = Some(v),
                        _ => self.error(CheckError::BadMaxTokens {
                            span: n.span,
                            value: n.node,
                        }),
                    }
                }
                TargetOption::Provider(entries) => {
                    if self.twice(&mut given.provider, "provider", opt.span) {
                        continue;
                    }
                    let mut errors = Vec::new();
                    out.provider = check_provider(&entries.node, &mut errors);
                    self.errors(errors);
                    self.provider_slugs(&entries.node);
                }
                TargetOption::Transforms(list) => {
                    if self.twice(&mut given.transforms, "transforms", opt.span) {
                        continue;
                    }
                    self.warn(CheckWarning::Deprecated {
                        span: opt.span,
                        what: Deprecation::Transforms,
                    });
                    for v in &list.node {
                        if v.node != "middle-out" {
                            self.error(CheckError::BadTransform {
                                span: v.span,
                                value: v.node.clone(),
                            });
                        }
                    }
                    out.transforms = Some(list.node.iter().map(|v| v.node.clone()).collect());
                }
                TargetOption::Params(entries) => {
                    if self.twice(&mut given.params, "params", opt.span) {
                        continue;
                    }
                    self.params(&entries.node, out);
                }
                TargetOption::Tag(tag) => {
                    if !out.tags.contains(&tag.node) {
                        out.tags.push(tag.node.clone());
                    }
                }
                TargetOption::Require(reqs) => {
                    for r in reqs {
                        if let Some(r) = self.requirement(r) {
                            if !out.require.contains(&r) {
                                out.require.push(r);
                            }
                        }
                    }
                }
            }
        }
    }

    /// Reports an option given twice; records it otherwise.
    fn twice(&mut self, slot: &mut Option<Span>, option: &'static str, span: Span) -> bool {
        match slot {
            Some(first) => {
                let first = *first;
                self.error(CheckError::OptionTwice {
                    span,
                    option,
                    first,
                });
                true
            }
            None => {
                *slot = Some(span);
                false
            }
        }
    }

    fn params(&mut self, entries: &[(Spanned<String>, Spanned<ast::Value>)], out: &mut Options) {
        let mut errors = Vec::new();
        duplicate_keys(entries, &mut errors);
        self.errors(errors);
        for (key, value) in entries {
            if let Some((_, help)) = MISPLACED_PARAMS.iter().find(|(k, _)| *k == key.node) {
                self.error(CheckError::MisplacedParam {
                    span: key.span,
                    key: key.node.clone(),
                    help,
                });
                continue;
            }
            let deprecated = match key.node.as_str() {
                "route" => Some(Deprecation::RouteParam),
                "usage" => Some(Deprecation::UsageParam),
                _ => None,
            };
            if let Some(what) = deprecated {
                self.warn(CheckWarning::Deprecated {
                    span: key.span,
                    what,
                });
            }
            let (mut errors, mut warnings) = (Vec::new(), Vec::new());
            let json = check_param(key, value, &mut errors, &mut warnings);
            self.errors(errors);
            warnings.into_iter().for_each(|w| self.warn(w));
            out.params.entry(key.node.clone()).or_insert(json);
        }
    }

    /// W118: with a catalog that lists providers, every slug of `order`,
    /// `only` and `ignore` must be one of them.
    fn provider_slugs(&mut self, entries: &[(Spanned<String>, Spanned<ast::Value>)]) {
        let Some(catalog) = self.options.catalog.clone() else {
            return;
        };
        for (key, value) in entries {
            let ast::Value::Array(items) = &value.node else {
                continue;
            };
            if !matches!(key.node.as_str(), "order" | "only" | "ignore") {
                continue;
            }
            for item in items {
                let ast::Value::String(slug) = &item.node else {
                    continue;
                };
                if catalog.knows_provider(slug) {
                    continue;
                }
                let slugs = catalog.providers().iter().map(|p| p.slug.as_str());
                let suggestion = switchyard_syntax::nearest(slug, slugs)
                    .or_else(|| {
                        let lower = slug.to_lowercase();
                        catalog
                            .providers()
                            .iter()
                            .find(|p| p.name.as_deref().is_some_and(|n| n.to_lowercase() == lower))
                            .map(|p| p.slug.as_str())
                    })
                    .map(String::from);
                self.warn(CheckWarning::UnknownProviderSlug {
                    span: item.span,
                    slug: slug.clone(),
                    key: key.node.clone(),
                    suggestion,
                });
            }
        }
    }

    /// An int field named by `fits(F)` / `cost(F)`.
    fn token_field(&mut self, name: &Spanned<String>, op: &str) -> Option<FieldId> {
        let id = self.field_ref(name)?;
        let ty = self.field_type(id);
        if ty != Type::Int {
            self.error(CheckError::OperatorType {
                span: name.span,
                op: op.to_string(),
                subject: name.node.clone(),
                expected: "an int (a token count)",
                found: ty.describe(),
            });
            return None;
        }
        Some(id)
    }

    fn requirement(&mut self, r: &Spanned<ast::Requirement>) -> Option<Requirement> {
        match &r.node {
            ast::Requirement::Tools => Some(Requirement::Tools),
            ast::Requirement::Vision => Some(Requirement::Vision),
            ast::Requirement::Json => Some(Requirement::Json),
            ast::Requirement::Fits(f) => self.token_field(f, "fits").map(Requirement::Fits),
            ast::Requirement::CostAtMost { tokens, max } => {
                let tokens = self.token_field(tokens, "cost");
                let max = match &max.node {
                    AstOperand::Literal(Literal::Number(n)) => Some(CostBound::Usd(n.as_f64())),
                    AstOperand::Literal(other) => {
                        let (value, found) = match other {
                            Literal::String(s) => (format!("{s:?}"), "a string"),
                            Literal::Bool(b) => (b.to_string(), "a bool"),
                            Literal::Number(n) => (n.as_f64().to_string(), "a number"),
                        };
                        self.error(CheckError::ValueType {
                            span: max.span,
                            subject: "cost(...)".into(),
                            expected: "a number (USD)".into(),
                            value,
                            found,
                        });
                        None
                    }
                    AstOperand::Subject(ast::Subject::Field(f)) => {
                        self.field_ref(f).and_then(|id| {
                            let ty = self.field_type(id);
                            if ty.is_numeric() {
                                Some(CostBound::Field(id))
                            } else {
                                self.error(CheckError::OperatorType {
                                    span: f.span,
                                    op: "cost(...) <=".into(),
                                    subject: f.node.clone(),
                                    expected: "a number",
                                    found: ty.describe(),
                                });
                                None
                            }
                        })
                    }
                    AstOperand::Subject(other) => {
                        self.error(CheckError::OperatorType {
                            span: max.span,
                            op: "cost(...) <=".into(),
                            subject: subject_text(other),
                            expected: "a number or a numeric field",
                            found: "a built-in value",
                        });
                        None
                    }
                };
                Some(Requirement::CostAtMost {
                    tokens: tokens?,
                    max: max?,
                })
            }
        }
    }
}
