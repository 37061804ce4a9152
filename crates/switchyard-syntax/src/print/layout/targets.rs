//! Laying out targets: chains, `cheapest` lists and splits, and their
//! options.

use super::{Kind, W};
use crate::ast::{Arm, ModelRef, Requirement, Target, TargetOption, Value};
use crate::print::lit;
use crate::span::Spanned;

impl W<'_> {
    /// A target after a prefix on the current line. A chain that does not
    /// fit puts each option on its own line, indented `indent + 2`; a split
    /// puts each arm on its own line, indented `indent + 2`, and its `}` at
    /// `indent`.
    pub(super) fn target(&mut self, t: &Spanned<Target>, indent: usize) {
        match &t.node {
            Target::Split { key, arms } => {
                self.start(t.span);
                self.s("split by ");
                self.name(key);
                self.s(" {");
                for arm in arms {
                    self.line(indent + 2, Kind::Member, Some(arm.span));
                    self.spanned(arm, |w, arm| w.arm(arm, indent + 2));
                }
                self.line(indent, Kind::Close, None);
                self.s("}");
                self.end(t.span);
            }
            _ => {
                let width = self.measure(|w| w.target_flat(t));
                let broken = !self.fits(width);
                self.chain(t, indent, broken);
            }
        }
    }

    /// A target printed flat; a split only up to its `{` (for measuring).
    pub(super) fn target_flat(&mut self, t: &Spanned<Target>) {
        match &t.node {
            Target::Split { key, .. } => {
                self.s("split by ");
                self.name(key);
                self.s(" {");
            }
            _ => self.chain(t, 0, false),
        }
    }

    fn arm(&mut self, arm: &Arm, indent: usize) {
        if let Some(name) = &arm.name {
            self.name(name);
            self.s(" ");
        }
        self.spanned(&arm.weight, |w, bp| lit::weight(w.buf(), *bp));
        self.s(": ");
        self.target(&arm.target, indent);
    }

    /// A chain or `cheapest` target; `broken` puts each option on its own
    /// line indented `indent + 2`.
    pub(super) fn chain(&mut self, t: &Spanned<Target>, indent: usize, broken: bool) {
        self.start(t.span);
        match &t.node {
            Target::Chain(chain) => {
                self.model_ref(&chain.primary);
                if let Some(fallbacks) = &chain.fallbacks {
                    self.s(" fallback ");
                    self.model_list(fallbacks);
                }
                self.options(&chain.options, indent, broken);
            }
            Target::Cheapest {
                candidates,
                options,
            } => {
                self.s("cheapest ");
                self.model_list(candidates);
                self.options(options, indent, broken);
            }
            // Arms never hold splits; print one anyway rather than lose it.
            Target::Split { .. } => self.target(t, indent),
        }
        self.end(t.span);
    }

    fn model_list(&mut self, list: &Spanned<Vec<Spanned<ModelRef>>>) {
        self.spanned(list, |w, models| {
            w.s("[");
            w.join(models, ", ", |w, m| w.model_ref(m));
            w.s("]");
        });
    }

    fn model_ref(&mut self, m: &Spanned<ModelRef>) {
        self.spanned(m, |w, m| match m {
            ModelRef::Name { name, variant } => {
                w.s(name);
                if let Some(v) = variant {
                    w.s(":");
                    w.s(v);
                }
            }
            ModelRef::Id(id) => lit::string(w.buf(), id),
        });
    }

    /// Options, each after a space, or each on its own line indented
    /// `indent + 2` when `broken`.
    pub(super) fn options(
        &mut self,
        options: &[Spanned<TargetOption>],
        indent: usize,
        broken: bool,
    ) {
        for o in options {
            if broken {
                self.line(indent + 2, Kind::Cont, None);
            } else {
                self.s(" ");
            }
            self.option(o);
        }
    }

    pub(super) fn options_flat(&mut self, options: &[Spanned<TargetOption>]) {
        self.options(options, 0, false);
    }

    fn option(&mut self, o: &Spanned<TargetOption>) {
        self.spanned(o, |w, o| match o {
            TargetOption::MaxTokens(n) => {
                w.s("max_tokens ");
                w.int(n);
            }
            TargetOption::Provider(pairs) => {
                w.s("provider ");
                w.spanned(pairs, |w, pairs| w.object(pairs));
            }
            TargetOption::Transforms(list) => {
                w.s("transforms ");
                w.spanned(list, |w, list| {
                    w.s("[");
                    w.join(list, ", ", |w, s| w.string(s));
                    w.s("]");
                });
            }
            TargetOption::Params(pairs) => {
                w.s("params ");
                w.spanned(pairs, |w, pairs| w.object(pairs));
            }
            TargetOption::Tag(tag) => {
                w.s("tag ");
                w.string(tag);
            }
            TargetOption::Require(reqs) => {
                w.s("require ");
                w.join(reqs, ", ", |w, r| w.requirement(r));
            }
        });
    }

    fn requirement(&mut self, r: &Spanned<Requirement>) {
        self.spanned(r, |w, r| match r {
            Requirement::Tools => w.s("tools"),
            Requirement::Vision => w.s("vision"),
            Requirement::Json => w.s("json"),
            Requirement::Fits(field) => {
                w.s("fits(");
                w.name(field);
                w.s(")");
            }
            Requirement::CostAtMost { tokens, max } => {
                w.s("cost(");
                w.name(tokens);
                w.s(") <= ");
                w.operand(max);
            }
        });
    }

    /// `{}` or `{ key: value, ... }`.
    fn object(&mut self, pairs: &[(Spanned<String>, Spanned<Value>)]) {
        if pairs.is_empty() {
            self.s("{}");
            return;
        }
        self.s("{ ");
        self.join(pairs, ", ", |w, (k, v)| {
            w.spanned(k, |w, k| lit::key(w.buf(), k));
            w.s(": ");
            w.value(v);
        });
        self.s(" }");
    }

    fn value(&mut self, v: &Spanned<Value>) {
        self.spanned(v, |w, v| match v {
            Value::String(s) => lit::string(w.buf(), s),
            Value::Number(n) => lit::number(w.buf(), *n),
            Value::Bool(b) => w.s(if *b { "true" } else { "false" }),
            Value::Array(items) => {
                w.s("[");
                w.join(items, ", ", |w, v| w.value(v));
                w.s("]");
            }
            Value::Object(pairs) => w.object(pairs),
        });
    }
}
