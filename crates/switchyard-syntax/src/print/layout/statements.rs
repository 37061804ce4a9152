//! Laying out statements: `version`, `context`, `model`, `target`, `let`,
//! `defaults`, rules and tests.

use super::{Ctx, Kind, W};
use crate::ast::{FieldDecl, Guard, Item, RuleDecl, Target, TestDecl, TypeExpr};
use crate::span::Spanned;

impl W<'_> {
    pub(super) fn item(&mut self, item: &Spanned<Item>) {
        self.line(0, Kind::Stmt, Some(item.span));
        self.start(item.span);
        match &item.node {
            Item::Version(v) => {
                self.s("version ");
                self.string(v);
            }
            Item::TimeZone(zone) => {
                self.s("timezone ");
                self.string(zone);
            }
            Item::Context(fields) => self.context(fields),
            Item::Model(m) => {
                self.s("model ");
                self.name(&m.name);
                self.s(" = ");
                self.string(&m.id);
            }
            Item::Target(t) => {
                self.s("target ");
                self.name(&t.name);
                self.s(" = ");
                self.target(&t.target, 0);
            }
            Item::Let(l) => {
                self.s("let ");
                self.name(&l.name);
                self.s(" = ");
                let width = self.measure(|w| w.expr(&l.cond, Ctx::Top));
                if self.fits(width) {
                    self.expr(&l.cond, Ctx::Top);
                } else {
                    self.broken_cond(&l.cond);
                }
            }
            Item::Defaults(options) => {
                self.s("defaults");
                let width = self.measure(|w| w.options_flat(options));
                let broken = !self.fits(width);
                self.options(options, 0, broken);
            }
            Item::Rule(r) => self.rule(r),
            Item::Test(t) => self.test(t),
        }
        self.end(item.span);
    }

    fn context(&mut self, fields: &[Spanned<FieldDecl>]) {
        if fields.is_empty() {
            self.s("context {}");
            return;
        }
        self.s("context {");
        for field in fields {
            self.line(2, Kind::Member, Some(field.span));
            self.spanned(field, |w, f| {
                w.name(&f.name);
                w.s(": ");
                w.spanned(&f.ty, |w, ty| match ty {
                    TypeExpr::Bool => w.s("bool"),
                    TypeExpr::Int => w.s("int"),
                    TypeExpr::Float => w.s("float"),
                    TypeExpr::String => w.s("string"),
                    TypeExpr::Enum(values) => w.join(values, " | ", |w, v| w.string(v)),
                });
                if let Some(default) = &f.default {
                    w.s(" = ");
                    w.literal(default);
                }
            });
        }
        self.line(0, Kind::Close, None);
        self.s("}");
    }

    fn rule(&mut self, r: &RuleDecl) {
        let head = self.measure(|w| w.rule_head(r, false));
        let tail = self.measure(|w| {
            w.s(" -> ");
            w.target_flat(&r.target);
        });
        if self.fits(head + tail) {
            self.rule_head(r, false);
            self.s(" -> ");
            self.target(&r.target, 0);
            return;
        }
        let break_cond = !self.fits(head);
        self.rule_head(r, break_cond);
        self.line(2, Kind::Cont, None);
        self.s("-> ");
        match &r.target.node {
            Target::Split { .. } => self.target(&r.target, 2),
            _ => self.chain(&r.target, 2, true),
        }
    }

    /// `rule NAME priority N: when COND` (or `otherwise`, or the bare form).
    fn rule_head(&mut self, r: &RuleDecl, break_cond: bool) {
        if r.name.is_some() || r.priority.is_some() {
            self.s("rule");
            if let Some(name) = &r.name {
                self.s(" ");
                self.name(name);
            }
            if let Some(p) = &r.priority {
                self.s(" priority ");
                self.int(p);
            }
            self.s(": ");
        }
        match &r.guard {
            Guard::When(cond) => {
                self.s("when ");
                if break_cond {
                    self.broken_cond(cond);
                } else {
                    self.expr(cond, Ctx::Top);
                }
            }
            Guard::Otherwise(span) => {
                self.start(*span);
                self.s("otherwise");
                self.end(*span);
            }
        }
    }

    fn test(&mut self, t: &TestDecl) {
        self.s("test ");
        self.name(&t.name);
        self.s(": ");
        self.spanned(&t.context, |w, pairs| {
            if pairs.is_empty() {
                w.s("{}");
            } else {
                w.s("{ ");
                w.join(pairs, ", ", |w, (field, value)| {
                    w.name(field);
                    w.s(": ");
                    w.literal(value);
                });
                w.s(" }");
            }
        });
        self.s(" -> ");
        self.name(&t.rule);
        if let Some(arm) = &t.arm {
            self.s(" arm ");
            self.name(arm);
        }
        if let Some(model) = &t.model {
            self.s(" model ");
            self.string(model);
        }
        if let Some(ids) = &t.fallbacks {
            self.s(" fallback ");
            self.spanned(ids, |w, ids| {
                w.s("[");
                w.join(ids, ", ", |w, id| w.string(id));
                w.s("]");
            });
        }
    }
}
