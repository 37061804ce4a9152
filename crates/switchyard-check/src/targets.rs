//! Targets: model references, `target` declarations (expanded at each use),
//! splits and `cheapest`. Also the chain warnings W103 and W108.

use std::collections::HashMap;

use switchyard_syntax::ast::{self, Ident, ModelRef};
use switchyard_syntax::{nearest, Span, Spanned};

use crate::checker::Checker;
use crate::error::{CheckError, CheckWarning, Deprecation, NameKind};
use crate::graph::{cycle_errors, topo_order};
use crate::ir::{Arm, Chain, Cheapest, Model, Options, Split, Target, Type};

/// The `:variant` suffixes OpenRouter has (openrouter-api.md section 2).
pub const VARIANTS: &[&str] = &[
    "floor", "nitro", "free", "online", "thinking", "extended", "exacto",
];

/// Models in a chain before W108 fires.
const MAX_CHAIN: usize = 3;

/// The variant suffix of a full model id (`"openai/gpt-4o:nitro"` →
/// `nitro`), if any.
pub(crate) fn id_variant(id: &str) -> Option<&str> {
    let tail = id.rsplit('/').next().unwrap_or(id);
    tail.rsplit_once(':').map(|(_, v)| v)
}

/// The span of the `:variant` suffix at the end of a reference spanning
/// `span` (`quoted`: the reference is a string literal, ending in `"`).
fn variant_span(span: Span, variant: &str, quoted: bool) -> Span {
    let len = u32::try_from(variant.len()).unwrap_or(0);
    let end = span.end.saturating_sub(u32::from(quoted));
    let start = end.saturating_sub(len);
    if start <= span.start || len == 0 {
        return span;
    }
    Span { start, end, ..span }
}

/// The automatic name of the arm at `index`: `a`..`z`, then `aa`, `ab`, ...
pub(crate) fn arm_name(index: usize) -> String {
    let mut n = index + 1;
    let mut out = Vec::new();
    while n > 0 {
        n -= 1;
        out.push(char::from(b'a' + u8::try_from(n % 26).unwrap_or(0)));
        n /= 26;
    }
    out.iter().rev().collect()
}

/// Where a model reference stands.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Place {
    /// The head of a chain (a target name is also fine there).
    Primary,
    /// Inside `fallback [...]`.
    Fallback,
    /// Inside `cheapest [...]`.
    Cheapest,
}

/// Use-site options laid over a resolved target (every arm of a split).
fn with_options(target: Target, options: &Options, span: Span) -> Target {
    match target {
        Target::Chain(mut c) => {
            c.options = c.options.overlay(options);
            c.span = span;
            Target::Chain(c)
        }
        Target::Cheapest(mut c) => {
            c.options = c.options.overlay(options);
            c.span = span;
            Target::Cheapest(c)
        }
        Target::Split(mut s) => {
            s.arms = s
                .arms
                .into_iter()
                .map(|mut arm| {
                    let span = arm.target.span();
                    arm.target = with_options(arm.target, options, span);
                    arm
                })
                .collect();
            s.span = span;
            Target::Split(s)
        }
    }
}

/// The target declarations a target names at the head of a chain.
fn target_refs(
    t: &ast::Target,
    targets: &HashMap<String, usize>,
    models: &HashMap<String, usize>,
    out: &mut Vec<usize>,
) {
    match t {
        ast::Target::Chain(c) => {
            if let ModelRef::Name { name, .. } = &c.primary.node {
                if !models.contains_key(name) {
                    if let Some(&i) = targets.get(name) {
                        out.push(i);
                    }
                }
            }
        }
        ast::Target::Split { arms, .. } => {
            for arm in arms {
                target_refs(&arm.target.node, targets, models, out);
            }
        }
        ast::Target::Cheapest { .. } => {}
    }
}

impl Checker<'_> {
    /// Resolves every `target` declaration, those it uses first; reports
    /// cycles (E011).
    pub(crate) fn resolve_targets(&mut self) {
        let deps: Vec<Vec<usize>> = self
            .targets
            .iter()
            .map(|t| {
                let mut out = Vec::new();
                target_refs(
                    &t.node.target.node,
                    &self.target_ix,
                    &self.model_ix,
                    &mut out,
                );
                out
            })
            .collect();
        let (order, cycles) = topo_order(&deps);
        let names: Vec<&Ident> = self.targets.iter().map(|t| &t.node.name).collect();
        self.errors(cycle_errors("target", &cycles, &names));
        for i in order {
            let Some(decl) = self.targets.get(i).map(|t| t.node) else {
                continue;
            };
            let resolved = self.target(&decl.target, false);
            if let Some(slot) = self.target_resolved.get_mut(i) {
                *slot = resolved;
            }
        }
    }

    /// Resolves a target as written (`in_arm`: it is a split's arm).
    /// `None` after an error.
    pub(crate) fn target(&mut self, t: &Spanned<ast::Target>, in_arm: bool) -> Option<Target> {
        match &t.node {
            ast::Target::Chain(c) => self.chain(c, t.span, in_arm),
            ast::Target::Split { key, arms } => {
                if in_arm {
                    self.error(CheckError::NestedSplit {
                        span: t.span,
                        name: format!("split by {}", key.node),
                    });
                    return None;
                }
                self.split(key, arms, t.span)
            }
            ast::Target::Cheapest {
                candidates,
                options,
            } => self.cheapest(candidates, options, t.span),
        }
    }

    fn chain(&mut self, c: &ast::Chain, span: Span, in_arm: bool) -> Option<Target> {
        if let ModelRef::Name { name, variant } = &c.primary.node {
            if !self.model_ix.contains_key(name) {
                if let Some(&ti) = self.target_ix.get(name) {
                    return self.target_use(ti, name, variant.is_some(), c, span, in_arm);
                }
            }
        }
        let primary = self.model(&c.primary, Place::Primary);
        let mut models: Vec<Model> = primary.into_iter().collect();
        let mut ok = !models.is_empty();
        if let Some(list) = &c.fallbacks {
            for r in &list.node {
                match self.model(r, Place::Fallback) {
                    Some(m) => models.push(m),
                    None => ok = false,
                }
            }
        }
        let options = self.options(&c.options);
        if !ok {
            return None;
        }
        let list_span = c.fallbacks.as_ref().map_or(span, |f| f.span);
        self.lint_chain(&models, list_span);
        let mut models = models.into_iter();
        let model = models.next()?;
        Some(Target::Chain(Chain {
            model,
            fallbacks: models.collect(),
            options,
            span,
        }))
    }

    /// A target name at the head of a chain: the declaration's target with
    /// the use site's options laid over it.
    fn target_use(
        &mut self,
        ti: usize,
        name: &str,
        has_variant: bool,
        c: &ast::Chain,
        span: Span,
        in_arm: bool,
    ) -> Option<Target> {
        if let Some(u) = self.target_used.get_mut(ti) {
            *u = true;
        }
        let mut ok = true;
        for (bad, place) in [
            (has_variant, "take a `:variant`"),
            (c.fallbacks.is_some(), "take `fallback [...]`"),
        ] {
            if bad {
                self.error(CheckError::TargetAsModel {
                    span: c.primary.span,
                    name: name.to_string(),
                    place,
                });
                ok = false;
            }
        }
        let options = self.options(&c.options);
        let base = self.target_resolved.get(ti).cloned().flatten()?;
        if in_arm && matches!(base, Target::Split(_)) {
            self.error(CheckError::NestedSplit {
                span: c.primary.span,
                name: name.to_string(),
            });
            return None;
        }
        ok.then(|| with_options(base, &options, span))
    }

    /// Resolves a model reference to a full id.
    fn model(&mut self, r: &Spanned<ModelRef>, place: Place) -> Option<Model> {
        let (name, variant) = match &r.node {
            ModelRef::Id(id) => {
                return self.check_id_variant(id, r.span, true).then(|| Model {
                    id: id.clone(),
                    span: r.span,
                });
            }
            ModelRef::Name { name, variant } => (name, variant),
        };
        if let Some(&mi) = self.model_ix.get(name) {
            if let Some(u) = self.model_used.get_mut(mi) {
                *u = true;
            }
            let base = self
                .models
                .get(mi)
                .map(|m| m.node.id.clone())
                .unwrap_or_default();
            let id = match variant {
                None => base,
                Some(v) => {
                    let span = variant_span(r.span, v, false);
                    if !self.check_variant(v, span) {
                        return None;
                    }
                    if id_variant(&base).is_some() {
                        self.error(CheckError::VariantOfVariant {
                            span,
                            name: name.clone(),
                            id: base,
                            variant: v.clone(),
                        });
                        return None;
                    }
                    format!("{base}:{v}")
                }
            };
            return Some(Model { id, span: r.span });
        }
        if let Some(&ti) = self.target_ix.get(name) {
            if let Some(u) = self.target_used.get_mut(ti) {
                *u = true;
            }
            self.error(CheckError::TargetAsModel {
                span: r.span,
                name: name.clone(),
                place: match place {
                    Place::Fallback => "be listed in `fallback [...]`",
                    Place::Cheapest => "be listed in `cheapest [...]`",
                    Place::Primary => "take `fallback [...]`",
                },
            });
            return None;
        }
        let with_targets = place == Place::Primary;
        let candidates = self.models.iter().map(|m| m.node.name.as_str()).chain(
            self.targets
                .iter()
                .filter(|_| with_targets)
                .map(|t| t.node.name.node.as_str()),
        );
        let suggestion = nearest(name, candidates).map(String::from);
        self.mark_meant(suggestion.as_deref());
        self.error(CheckError::UnknownModel {
            span: r.span,
            name: name.clone(),
            what: if with_targets {
                "model or target"
            } else {
                "model"
            },
            suggestion,
        });
        None
    }

    /// Checks a variant suffix (E005; W107 for `:online`).
    fn check_variant(&mut self, variant: &str, span: Span) -> bool {
        if !VARIANTS.contains(&variant) {
            self.error(CheckError::UnknownVariant {
                span,
                variant: variant.to_string(),
                suggestion: nearest(variant, VARIANTS.iter().copied()).map(String::from),
            });
            return false;
        }
        if variant == "online" {
            self.warn(CheckWarning::Deprecated {
                span,
                what: Deprecation::OnlineVariant,
            });
        }
        true
    }

    /// Checks the variant suffix of a full id, if it has one (`span`: the
    /// id, `quoted` when it is a string literal).
    pub(crate) fn check_id_variant(&mut self, id: &str, span: Span, quoted: bool) -> bool {
        match id_variant(id) {
            Some(v) => self.check_variant(v, variant_span(span, v, quoted)),
            None => true,
        }
    }

    /// W103 (a model twice) and W108 (more than 3 models) for one chain.
    fn lint_chain(&mut self, models: &[Model], list_span: Span) {
        for (i, m) in models.iter().enumerate() {
            if let Some(first) = models[..i].iter().find(|f| f.id == m.id) {
                self.warn(CheckWarning::RepeatedModel {
                    span: m.span,
                    id: m.id.clone(),
                    first: first.span,
                });
            }
        }
        if models.len() > MAX_CHAIN {
            self.warn(CheckWarning::LongChain {
                span: list_span,
                count: models.len(),
            });
        }
    }

    fn split(&mut self, key: &Ident, arms: &[Spanned<ast::Arm>], span: Span) -> Option<Target> {
        let key_id = self.field_ref(key);
        let mut ok = key_id.is_some();
        if let Some(id) = key_id {
            let ty = self.field_type(id);
            if ty == Type::Float {
                self.error(CheckError::OperatorType {
                    span: key.span,
                    op: "split by".into(),
                    subject: key.node.clone(),
                    expected: "a string, enum, int or bool",
                    found: ty.describe(),
                });
                ok = false;
            }
            let few = match &ty {
                Type::Bool => Some((2, "a bool")),
                Type::Enum(values) => Some((values.len(), "an enum")),
                _ => None,
            };
            if let Some((values, ty)) = few {
                self.warn(CheckWarning::SplitFewValues {
                    span: key.span,
                    key: key.node.clone(),
                    values,
                    ty,
                    arms: arms.len(),
                });
            }
        }
        let total: u64 = arms.iter().map(|a| u64::from(a.weight.node)).sum();
        if total != 10_000 {
            self.error(CheckError::WeightSum {
                span: Span {
                    end: key.span.end.max(span.start),
                    ..span
                },
                total,
            });
            ok = false;
        }
        let mut names: HashMap<String, Span> = HashMap::new();
        let mut out = Vec::with_capacity(arms.len());
        for (i, arm) in arms.iter().enumerate() {
            let (name, name_span) = match &arm.name {
                Some(n) => (n.node.clone(), n.span),
                None => (arm_name(i), arm.weight.span),
            };
            if let Some(&first) = names.get(&name) {
                self.error(CheckError::Duplicate {
                    span: name_span,
                    kind: NameKind::Arm,
                    name: name.clone(),
                    first,
                });
                ok = false;
            } else {
                names.insert(name.clone(), name_span);
            }
            if arm.weight.node == 0 {
                self.warn(CheckWarning::ZeroWeightArm {
                    span: arm.weight.span,
                    arm: name.clone(),
                });
            }
            match self.target(&arm.target, true) {
                Some(target) => out.push(Arm {
                    name,
                    basis_points: arm.weight.node,
                    target,
                    span: arm.span,
                }),
                None => ok = false,
            }
        }
        let key = key_id?;
        ok.then_some(Target::Split(Split {
            key,
            arms: out,
            span,
        }))
    }

    fn cheapest(
        &mut self,
        candidates: &Spanned<Vec<Spanned<ModelRef>>>,
        options: &[Spanned<ast::TargetOption>],
        span: Span,
    ) -> Option<Target> {
        let mut ok = true;
        if candidates.node.is_empty() {
            self.error(CheckError::EmptyCheapest {
                span: candidates.span,
            });
            ok = false;
        }
        let mut models = Vec::with_capacity(candidates.node.len());
        for r in &candidates.node {
            match self.model(r, Place::Cheapest) {
                Some(m) => models.push(m),
                None => ok = false,
            }
        }
        let options = self.options(options);
        if !ok {
            return None;
        }
        self.lint_chain(&models, candidates.span);
        Some(Target::Cheapest(Cheapest {
            candidates: models,
            options,
            span,
        }))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn arm_names_go_past_z() {
        assert_eq!(arm_name(0), "a");
        assert_eq!(arm_name(25), "z");
        assert_eq!(arm_name(26), "aa");
        assert_eq!(arm_name(27), "ab");
    }

    #[test]
    fn variants_of_ids() {
        assert_eq!(id_variant("openai/gpt-4o:nitro"), Some("nitro"));
        assert_eq!(id_variant("openai/gpt-4o"), None);
        assert_eq!(id_variant("~anthropic/claude-sonnet-latest"), None);
    }
}
