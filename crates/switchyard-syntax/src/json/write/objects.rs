//! The values of statements: context fields, targets and splits, rules
//! and tests.

use super::writer::Writer;
use crate::ast::{FieldDecl, Guard, Literal, RuleDecl, Target, TestDecl, TypeExpr};
use crate::print::{flat_condition, flat_target, lit, ItemComments, MemberComments};
use crate::span::Spanned;

impl Writer {
    pub(super) fn context(&mut self, fields: &[Spanned<FieldDecl>], comments: &[MemberComments]) {
        self.open('{');
        for (i, f) in fields.iter().enumerate() {
            self.key(&f.name);
            let c = comments.get(i).filter(|c| !c.is_empty());
            if f.default.is_none() && c.is_none() {
                self.type_expr(&f.ty);
                continue;
            }
            self.inline_comments(c, |w| {
                w.out.push_str("\"type\": ");
                w.type_expr(&f.ty);
                if let Some(default) = &f.default {
                    w.out.push_str(", \"default\": ");
                    w.literal(default);
                }
            });
        }
        self.close('}');
    }

    fn type_expr(&mut self, ty: &TypeExpr) {
        match ty {
            TypeExpr::Bool => self.string("bool"),
            TypeExpr::Int => self.string("int"),
            TypeExpr::Float => self.string("float"),
            TypeExpr::String => self.string("string"),
            TypeExpr::Enum(values) => self.strings(values.iter().map(|v| v.as_str())),
        }
    }

    fn literal(&mut self, l: &Literal) {
        match l {
            // A JSON number reads back as the same literal: integers stay
            // integers, floats keep their point or exponent.
            Literal::Number(_) | Literal::Bool(_) => lit::literal(&mut self.out, l),
            Literal::String(s) => self.string(s),
        }
    }

    pub(super) fn target(&mut self, t: &Spanned<Target>, comments: &[MemberComments]) {
        let Target::Split { key, arms } = &t.node else {
            return self.string(&flat_target(t));
        };
        self.open('{');
        self.key("split");
        self.string(key);
        self.key("arms");
        self.open('[');
        for (i, arm) in arms.iter().enumerate() {
            self.item();
            self.inline_comments(comments.get(i), |w| {
                if let Some(name) = &arm.name {
                    w.out.push_str("\"name\": ");
                    w.string(name);
                    w.out.push_str(", ");
                }
                w.out.push_str("\"weight\": ");
                lit::weight(&mut w.out, *arm.weight);
                if w.out.ends_with('%') {
                    w.out.pop();
                }
                w.out.push_str(", \"target\": ");
                w.string(&flat_target(&arm.target));
            });
        }
        self.close(']');
        self.close('}');
    }

    /// A rule object; with `own`, its comments inside it (the grouped
    /// form), else only the arms' (a statement object holds the rest).
    pub(super) fn rule(&mut self, r: &RuleDecl, c: &ItemComments, own: Option<&ItemComments>) {
        self.open('{');
        if let Some(lines) = own.and_then(|c| c.before.as_ref()) {
            self.comment_block(lines);
        }
        self.opening_member(own.and_then(|c| c.opening.as_deref()));
        if let Some(name) = &r.name {
            self.key("name");
            self.string(name);
        }
        if let Some(p) = &r.priority {
            self.key("priority");
            self.out.push_str(&p.to_string());
        }
        match &r.guard {
            Guard::When(c) => {
                self.key("when");
                self.string(&flat_condition(c));
            }
            Guard::Otherwise(_) => {
                self.key("otherwise");
                self.out.push_str("true");
            }
        }
        self.key("target");
        self.target(&r.target, &c.members);
        self.closing_member(own.map_or(&[][..], |c| &c.closing));
        self.trailing_member(own.and_then(|c| c.trailing.as_deref()));
        self.close('}');
    }

    /// A test object; with `own`, its comments inside it.
    pub(super) fn test(&mut self, t: &TestDecl, own: Option<&ItemComments>) {
        self.open('{');
        if let Some(lines) = own.and_then(|c| c.before.as_ref()) {
            self.comment_block(lines);
        }
        self.key("name");
        self.string(&t.name);
        self.key("context");
        self.out.push('{');
        for (i, (field, value)) in t.context.iter().enumerate() {
            self.out.push_str(if i > 0 { ", " } else { " " });
            self.string(field);
            self.out.push_str(": ");
            self.literal(value);
        }
        self.out
            .push_str(if t.context.is_empty() { "}" } else { " }" });
        self.key("rule");
        self.string(&t.rule);
        if let Some(arm) = &t.arm {
            self.key("arm");
            self.string(arm);
        }
        if let Some(model) = &t.model {
            self.key("model");
            self.string(model);
        }
        if let Some(ids) = &t.fallbacks {
            self.key("fallback");
            self.strings(ids.iter().map(|id| id.as_str()));
        }
        self.trailing_member(own.and_then(|c| c.trailing.as_deref()));
        self.close('}');
    }
}
