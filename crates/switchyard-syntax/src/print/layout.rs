//! Laying the syntax tree out as lines (see the module documentation of
//! `print` for the rules). While it prints, the layout records on which
//! output line every node of the tree starts and ends, keyed by the node's
//! source offsets: the comment placement works from that map.

use std::collections::BTreeMap;

use super::lit;
use super::place::Tight;
use crate::ast::{
    Arm, Expr, FieldDecl, Guard, Item, Literal, ModelRef, Number, Operand, Requirement, RuleDecl,
    RuleFile, Subject, Target, TargetOption, TestDecl, TypeExpr, Value,
};
use crate::span::{Span, Spanned};

/// Lines longer than this are broken where the layout allows it.
pub(crate) const WIDTH: usize = 100;

/// What a line is, for the blank-line and comment rules.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Kind {
    /// The first line of a statement.
    Stmt,
    /// A `context` field or a split arm.
    Member,
    /// A line that starts with the `}` closing a block.
    Close,
    /// Any other line of a statement.
    Cont,
}

/// One output line, without its comments.
#[derive(Clone, Debug)]
pub(crate) struct Line {
    /// Leading spaces.
    pub indent: usize,
    /// The code, never ending in a space.
    pub text: String,
    /// What the line is.
    pub kind: Kind,
    /// For `Stmt` and `Member` lines: the source offset of the node the
    /// line starts with (format mode only).
    pub anchor: Option<u32>,
    /// Index of the first line of the line's statement.
    pub stmt_line: usize,
    /// Index of the line's statement in the file.
    pub item: usize,
}

/// A laid-out file.
#[derive(Clone, Debug, Default)]
pub(crate) struct Doc {
    /// The lines, in order.
    pub lines: Vec<Line>,
    /// Source offset of a node's start or end → the line it was printed on
    /// (format mode only).
    pub keys: BTreeMap<u32, usize>,
}

/// Lays out `file`. With `tight` (format mode), node spans are recorded in
/// [`Doc::keys`] after trimming whitespace and comments off their ends.
pub(crate) fn layout(file: &RuleFile, tight: Option<&Tight<'_>>) -> Doc {
    let mut w = W {
        doc: Doc::default(),
        measuring: false,
        flat: String::new(),
        tight,
        item: 0,
        stmt_line: 0,
    };
    for (i, item) in file.items.iter().enumerate() {
        w.item = i;
        w.item(item);
    }
    w.doc
}

/// The precedence context an expression is printed in.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Ctx {
    /// Anywhere an `or` chain may stand: a guard, a `let`, inside `( )`.
    Top,
    /// An operand of `or`.
    Or,
    /// An operand of `and`.
    And,
    /// The operand of `not`.
    Not,
}

/// The writer: appends to the last line, or (when measuring) to one flat
/// string whose length is all that matters.
struct W<'a> {
    doc: Doc,
    measuring: bool,
    flat: String,
    tight: Option<&'a Tight<'a>>,
    item: usize,
    stmt_line: usize,
}

impl<'a> W<'a> {
    /// The text being appended to.
    fn buf(&mut self) -> &mut String {
        if self.measuring {
            return &mut self.flat;
        }
        if self.doc.lines.is_empty() {
            self.line(0, Kind::Stmt, None);
        }
        match self.doc.lines.last_mut() {
            Some(line) => &mut line.text,
            None => &mut self.flat,
        }
    }

    fn s(&mut self, text: &str) {
        self.buf().push_str(text);
    }

    /// Starts a new line (ignored while measuring: measured text is flat).
    fn line(&mut self, indent: usize, kind: Kind, anchor: Option<Span>) {
        if self.measuring {
            return;
        }
        let anchor = match (anchor, self.tight) {
            (Some(span), Some(t)) => Some(t.fix(span).0),
            _ => None,
        };
        if kind == Kind::Stmt {
            self.stmt_line = self.doc.lines.len();
        }
        self.doc.lines.push(Line {
            indent,
            text: String::new(),
            kind,
            anchor,
            stmt_line: self.stmt_line,
            item: self.item,
        });
    }

    /// Width of the current line so far, in characters.
    fn col(&self) -> usize {
        self.doc
            .lines
            .last()
            .map_or(0, |l| l.indent + l.text.chars().count())
    }

    /// Whether `extra` more characters fit on the current line.
    fn fits(&self, extra: usize) -> bool {
        self.col() + extra <= WIDTH
    }

    /// The flat width of what `f` prints.
    fn measure(&self, f: impl FnOnce(&mut W<'_>)) -> usize {
        let mut m = W {
            doc: Doc::default(),
            measuring: true,
            flat: String::new(),
            tight: None,
            item: 0,
            stmt_line: 0,
        };
        f(&mut m);
        m.flat.chars().count()
    }

    fn current_line(&self) -> usize {
        self.doc.lines.len().saturating_sub(1)
    }

    /// Records where a node starts.
    fn start(&mut self, span: Span) {
        if let (Some(t), false) = (self.tight, self.measuring) {
            let line = self.current_line();
            self.doc.keys.entry(t.fix(span).0).or_insert(line);
        }
    }

    /// Records where a node ends.
    fn end(&mut self, span: Span) {
        if let (Some(t), false) = (self.tight, self.measuring) {
            let line = self.current_line();
            self.doc.keys.insert(t.fix(span).1, line);
        }
    }

    /// Prints a spanned node with `f`, recording its start and end.
    fn spanned<T>(&mut self, node: &Spanned<T>, f: impl FnOnce(&mut Self, &T)) {
        self.start(node.span);
        f(self, &node.node);
        self.end(node.span);
    }

    fn name(&mut self, name: &Spanned<String>) {
        self.spanned(name, |w, n| w.s(n));
    }

    fn string(&mut self, s: &Spanned<String>) {
        self.spanned(s, |w, s| lit::string(w.buf(), s));
    }

    fn literal(&mut self, l: &Spanned<Literal>) {
        self.spanned(l, |w, l| lit::literal(w.buf(), l));
    }

    fn number(&mut self, n: &Spanned<Number>) {
        self.spanned(n, |w, n| lit::number(w.buf(), *n));
    }

    fn int(&mut self, n: &Spanned<i64>) {
        self.spanned(n, |w, n| lit::number(w.buf(), Number::Int(*n)));
    }

    /// `items` separated by `sep`, each printed by `f`.
    fn join<T>(&mut self, items: &[T], sep: &str, mut f: impl FnMut(&mut Self, &T)) {
        for (i, item) in items.iter().enumerate() {
            if i > 0 {
                self.s(sep);
            }
            f(self, item);
        }
    }

    // ------------------------------------------------------------ statements

    fn item(&mut self, item: &Spanned<Item>) {
        self.line(0, Kind::Stmt, Some(item.span));
        self.start(item.span);
        match &item.node {
            Item::Version(v) => {
                self.s("version ");
                self.string(v);
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
        if let Some(model) = &t.model {
            self.s(" model ");
            self.string(model);
        }
    }

    // ------------------------------------------------------------ conditions

    /// A condition too long for its line: the operands of a top-level `or`
    /// (or `and`) chain each start a line indented 4, led by the operator.
    fn broken_cond(&mut self, e: &Spanned<Expr>) {
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

    fn expr(&mut self, e: &Spanned<Expr>, ctx: Ctx) {
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

    fn operand(&mut self, o: &Spanned<Operand>) {
        self.spanned(o, |w, o| match o {
            Operand::Literal(l) => lit::literal(w.buf(), l),
            Operand::Subject(s) => w.subject_node(s),
        });
    }

    // ------------------------------------------------------------ targets

    /// A target after a prefix on the current line. A chain that does not
    /// fit puts each option on its own line, indented `indent + 2`; a split
    /// puts each arm on its own line, indented `indent + 2`, and its `}` at
    /// `indent`.
    fn target(&mut self, t: &Spanned<Target>, indent: usize) {
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
    fn target_flat(&mut self, t: &Spanned<Target>) {
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
    fn chain(&mut self, t: &Spanned<Target>, indent: usize, broken: bool) {
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
    fn options(&mut self, options: &[Spanned<TargetOption>], indent: usize, broken: bool) {
        for o in options {
            if broken {
                self.line(indent + 2, Kind::Cont, None);
            } else {
                self.s(" ");
            }
            self.option(o);
        }
    }

    fn options_flat(&mut self, options: &[Spanned<TargetOption>]) {
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
