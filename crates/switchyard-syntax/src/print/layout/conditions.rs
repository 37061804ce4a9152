//! Laying out conditions: `or`/`and` chains (broken across lines when too
//! long), with the parentheses the precedence needs, and their tests.

use super::{Ctx, Kind, W};
use crate::ast::{Expr, Operand, Subject};
use crate::print::lit;
use crate::span::Spanned;

impl W<'_> {
    /// A condition too long for its line: the operands of a top-level `or`
    /// (or `and`) chain each start a line indented 4, led by the operator.
    pub(super) fn broken_cond(&mut self, e: &Spanned<Expr>) {
        let (items, op, ctx) = match &e.node {
            Expr::Or(items) if items.len() >= 2 => (items, "or ", Ctx::Or),
            Expr::And(items) if items.len() >= 2 => (items, "and ", Ctx::And),
            _ => return self.expr(e, Ctx::Top),
        };
        self.start(e.span);
        for (i, item) in items.iter().enumerate() {
            if i > 0 {
                self.line(4, Kind::Cont, None);
                self.s(op);
            }
            self.expr(item, ctx);
        }
        self.end(e.span);
    }

    pub(super) fn expr(&mut self, e: &Spanned<Expr>, ctx: Ctx) {
        // Parentheses the tree lacks but the text needs, so that it parses
        // back to the same shape (with a `Paren` node there).
        let wrap = match (&e.node, ctx) {
            (Expr::Or(items), Ctx::Or | Ctx::And | Ctx::Not) => items.len() >= 2,
            (Expr::And(items), Ctx::And | Ctx::Not) => items.len() >= 2,
            _ => false,
        };
        let ctx = if wrap { Ctx::Top } else { ctx };
        self.start(e.span);
        if wrap {
            self.s("(");
        }
        match &e.node {
            Expr::Or(items) => self.chain_expr(items, " or ", Ctx::Or, ctx, "false"),
            Expr::And(items) => self.chain_expr(items, " and ", Ctx::And, ctx, "true"),
            Expr::Not(inner) => {
                self.s("not ");
                self.expr(inner, Ctx::Not);
            }
            Expr::Paren(inner) => {
                self.s("(");
                self.expr(inner, Ctx::Top);
                self.s(")");
            }
            Expr::Bool(b) => self.s(if *b { "true" } else { "false" }),
            Expr::Name(name) => self.name(name),
            Expr::Has(field) => {
                self.s("has(");
                self.name(field);
                self.s(")");
            }
            Expr::Compare { lhs, op, rhs } => {
                self.subject(lhs);
                self.s(" ");
                self.spanned(op, |w, op| w.s(op.as_str()));
                self.s(" ");
                self.operand(rhs);
            }
            Expr::InList {
                lhs,
                negated,
                values,
            } => {
                self.subject(lhs);
                self.s(if *negated { " not in " } else { " in " });
                self.spanned(values, |w, values| {
                    w.s("[");
                    w.join(values, ", ", |w, v| w.literal(v));
                    w.s("]");
                });
            }
            Expr::InRange {
                lhs,
                negated,
                lo,
                hi,
                inclusive,
            } => {
                self.subject(lhs);
                self.s(if *negated { " not in " } else { " in " });
                self.number(lo);
                self.s(if *inclusive { "..=" } else { ".." });
                self.number(hi);
            }
            Expr::Matches { lhs, regex } => {
                self.subject(lhs);
                self.s(" matches ");
                self.spanned(regex, |w, r| {
                    w.s("/");
                    w.s(&r.source);
                    w.s("/");
                    w.s(&r.flags);
                });
            }
            Expr::StrTest { lhs, op, needle } => {
                self.subject(lhs);
                self.s(" ");
                self.spanned(op, |w, op| w.s(op.as_str()));
                self.s(" ");
                self.string(needle);
            }
        }
        if wrap {
            self.s(")");
        }
        self.end(e.span);
    }

    /// The operands of an `or`/`and` chain. A chain of one operand prints
    /// as that operand; an empty one as its identity (`false`/`true`).
    fn chain_expr(
        &mut self,
        items: &[Spanned<Expr>],
        sep: &str,
        item_ctx: Ctx,
        ctx: Ctx,
        empty: &str,
    ) {
        match items {
            [] => self.s(empty),
            [only] => self.expr(only, ctx),
            _ => self.join(items, sep, |w, e| w.expr(e, item_ctx)),
        }
    }

    fn subject(&mut self, s: &Spanned<Subject>) {
        self.spanned(s, |w, s| w.subject_node(s));
    }

    fn subject_node(&mut self, s: &Subject) {
        match s {
            Subject::Field(f) => self.name(f),
            Subject::Words(f) => {
                self.s("words(");
                self.name(f);
                self.s(")");
            }
            Subject::Len(f) => {
                self.s("len(");
                self.name(f);
                self.s(")");
            }
            Subject::Hour => self.s("hour"),
            Subject::Weekday => self.s("weekday"),
        }
    }

    pub(super) fn operand(&mut self, o: &Spanned<Operand>) {
        self.spanned(o, |w, o| match o {
            Operand::Literal(l) => lit::literal(w.buf(), l),
            Operand::Subject(s) => w.subject_node(s),
        });
    }
}
