//! The JSON form of a syntax tree, as `switchyard fmt --to json` writes it:
//! grouped by kind in the order of [`TOP_KEYS`](super::lower::TOP_KEYS)
//! when the statements are in that order and every comment has a place
//! there, else as `statements` in file order. Conditions, chains and
//! options are the rule language's text on one line; splits, context fields
//! and tests are objects. Reading the text back gives the same tree and
//! comments; printing those gives the `.route` text back.

use crate::ast::{FieldDecl, Guard, Item, Literal, RuleDecl, Target, TestDecl, TypeExpr};
use crate::print::{
    carries_own_comments, flat_condition, flat_options, flat_target, lit, Attached, ItemComments,
    MemberComments,
};
use crate::span::Spanned;

/// Where the grouped form puts a statement.
pub(crate) fn rank(item: &Item) -> u8 {
    match item {
        Item::Version(_) => 0,
        Item::TimeZone(_) => 1,
        Item::Context(_) => 2,
        Item::Model(_) => 3,
        Item::Target(_) => 4,
        Item::Let(_) => 5,
        Item::Defaults(_) => 6,
        Item::Rule(_) => 7,
        Item::Test(_) => 8,
    }
}

/// The JSON text of `file`, without comments (2-space indents, ending in
/// a newline).
pub fn to_json(file: &crate::ast::RuleFile) -> String {
    write(file, &Attached::default())
}

/// The JSON text of `file` with `comments`.
pub(crate) fn write(file: &crate::ast::RuleFile, comments: &Attached) -> String {
    let none = ItemComments::default();
    let items: Vec<(&Item, &ItemComments)> = file
        .items
        .iter()
        .enumerate()
        .map(|(i, item)| (&item.node, comments.items.get(i).unwrap_or(&none)))
        .collect();
    let in_order = items.windows(2).all(|w| rank(w[0].0) <= rank(w[1].0));
    let placed = items.iter().all(|(item, c)| {
        c.text.is_none()
            && (carries_own_comments(item) || (c.before.is_none() && c.trailing.is_none()))
    });
    let mut w = Writer::default();
    w.open('{');
    if in_order && placed && comments.end.is_empty() {
        w.grouped(&items);
    } else {
        w.key("statements");
        w.open('[');
        for (item, c) in &items {
            w.item();
            w.statement(item, c);
        }
        if !comments.end.is_empty() {
            w.item();
            w.out.push_str("{ ");
            w.comment_member(&comments.end);
            w.out.push_str(" }");
        }
        w.close(']');
    }
    w.close('}');
    w.out.push('\n');
    w.out
}

impl Writer {
    /// The grouped members (`models`, `rules`, ...).
    fn grouped(&mut self, items: &[(&Item, &ItemComments)]) {
        for (item, c) in items {
            match item {
                Item::Version(v) => {
                    self.key("version");
                    self.string(v);
                }
                Item::TimeZone(zone) => {
                    self.key("timezone");
                    self.string(zone);
                }
                Item::Context(fields) => {
                    self.key("context");
                    self.context(fields, &c.members);
                }
                _ => {}
            }
        }
        let of = |rank_of: u8| -> Vec<(&Item, &ItemComments)> {
            items
                .iter()
                .filter(|(i, _)| rank(i) == rank_of)
                .map(|&(i, c)| (i, c))
                .collect()
        };
        self.section("models", '{', '}', &of(3), |w, (item, c)| {
            if let Item::Model(m) = item {
                w.key(&m.name);
                w.entry(c, "id", |w| w.string(&m.id));
            }
        });
        self.section("targets", '{', '}', &of(4), |w, (item, c)| {
            if let Item::Target(t) = item {
                w.key(&t.name);
                w.entry(c, "to", |w| w.target(&t.target, &c.members));
            }
        });
        self.section("lets", '{', '}', &of(5), |w, (item, c)| {
            if let Item::Let(l) = item {
                w.key(&l.name);
                w.entry(c, "when", |w| w.string(&flat_condition(&l.cond)));
            }
        });
        let defaults: Vec<String> = items
            .iter()
            .filter_map(|(i, _)| match i {
                Item::Defaults(o) => Some(flat_options(o)),
                _ => None,
            })
            .collect();
        match defaults.as_slice() {
            [one] => {
                self.key("defaults");
                self.string(one);
            }
            many => self.section("defaults", '[', ']', many, |w, d| {
                w.item();
                w.string(d);
            }),
        }
        self.section("rules", '[', ']', &of(7), |w, (item, c)| {
            if let Item::Rule(r) = item {
                w.item();
                w.rule(r, c, Some(c));
            }
        });
        self.section("tests", '[', ']', &of(8), |w, (item, c)| {
            if let Item::Test(t) = item {
                w.item();
                w.test(t, Some(c));
            }
        });
    }

    /// An entry's value: written by `value` alone, or, with comments, as
    /// `{ "comment": ..., KEY: value, "trailing": ... }`.
    fn entry(&mut self, c: &ItemComments, key: &str, value: impl FnOnce(&mut Self)) {
        if c.before.is_none() && c.trailing.is_none() {
            return value(self);
        }
        self.open('{');
        if let Some(lines) = &c.before {
            self.item();
            self.comment_member(lines);
        }
        self.key(key);
        value(self);
        self.trailing_member(c.trailing.as_deref());
        self.close('}');
    }

    /// One object of `statements`.
    fn statement(&mut self, item: &Item, c: &ItemComments) {
        self.open('{');
        if let Some(lines) = &c.before {
            self.item();
            self.comment_member(lines);
        }
        if let Some(text) = &c.text {
            self.key("route");
            self.string(text);
        } else {
            match item {
                Item::Version(v) => {
                    self.key("version");
                    self.string(v);
                }
                Item::TimeZone(zone) => {
                    self.key("timezone");
                    self.string(zone);
                }
                Item::Context(fields) => {
                    self.key("context");
                    self.context(fields, &c.members);
                }
                Item::Model(m) => {
                    self.key("model");
                    self.string(&m.name);
                    self.key("id");
                    self.string(&m.id);
                }
                Item::Target(t) => {
                    self.key("target");
                    self.string(&t.name);
                    self.key("to");
                    self.target(&t.target, &c.members);
                }
                Item::Let(l) => {
                    self.key("let");
                    self.string(&l.name);
                    self.key("when");
                    self.string(&flat_condition(&l.cond));
                }
                Item::Defaults(o) => {
                    self.key("defaults");
                    self.string(&flat_options(o));
                }
                Item::Rule(r) => {
                    self.key("rule");
                    self.rule(r, c, None);
                }
                Item::Test(t) => {
                    self.key("test");
                    self.test(t, None);
                }
            }
        }
        self.trailing_member(c.trailing.as_deref());
        self.close('}');
    }

    /// `"comment": LINES` (one comment line as a string, else an array).
    fn comment_member(&mut self, lines: &[String]) {
        self.out.push_str("\"comment\": ");
        match lines {
            [one] if !one.is_empty() => self.string(one),
            _ => {
                self.out.push('[');
                for (i, line) in lines.iter().enumerate() {
                    if i > 0 {
                        self.out.push_str(", ");
                    }
                    self.string(line);
                }
                self.out.push(']');
            }
        }
    }

    fn trailing_member(&mut self, trailing: Option<&str>) {
        if let Some(t) = trailing {
            self.key("trailing");
            self.string(t);
        }
    }

    /// `"comment": ..., ` and ` , "trailing": ...` around a one-line
    /// object's members.
    fn inline_comments(&mut self, c: Option<&MemberComments>, inner: impl FnOnce(&mut Self)) {
        self.out.push_str("{ ");
        if let Some(lines) = c.map(|c| &c.before).filter(|b| !b.is_empty()) {
            self.comment_member(lines);
            self.out.push_str(", ");
        }
        inner(self);
        if let Some(t) = c.and_then(|c| c.trailing.as_deref()) {
            self.out.push_str(", \"trailing\": ");
            self.string(t);
        }
        self.out.push_str(" }");
    }
}

#[derive(Default)]
struct Writer {
    out: String,
    indent: usize,
    /// Whether the open container has a member yet.
    first: Vec<bool>,
}

impl Writer {
    fn open(&mut self, c: char) {
        self.out.push(c);
        self.indent += 2;
        self.first.push(true);
    }

    fn close(&mut self, c: char) {
        self.indent -= 2;
        if self.first.pop() == Some(false) {
            self.newline();
        }
        self.out.push(c);
    }

    fn newline(&mut self) {
        self.out.push('\n');
        self.out.extend(std::iter::repeat_n(' ', self.indent));
    }

    /// Starts the next member or item of the open container.
    fn item(&mut self) {
        if let Some(first) = self.first.last_mut() {
            if !std::mem::replace(first, false) {
                self.out.push(',');
            }
        }
        self.newline();
    }

    fn key(&mut self, k: &str) {
        self.item();
        lit::string(&mut self.out, k);
        self.out.push_str(": ");
    }

    fn string(&mut self, s: &str) {
        lit::string(&mut self.out, s);
    }

    /// `"name": { ... }` or `"name": [ ... ]` with what `f` writes for each
    /// of `items`; nothing if there are none.
    fn section<T>(
        &mut self,
        name: &str,
        open: char,
        close: char,
        items: &[T],
        f: impl Fn(&mut Self, &T),
    ) {
        if items.is_empty() {
            return;
        }
        self.key(name);
        self.open(open);
        for item in items {
            f(self, item);
        }
        self.close(close);
    }

    fn context(&mut self, fields: &[Spanned<FieldDecl>], comments: &[MemberComments]) {
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
            TypeExpr::Enum(values) => {
                self.out.push('[');
                for (i, v) in values.iter().enumerate() {
                    if i > 0 {
                        self.out.push_str(", ");
                    }
                    self.string(v);
                }
                self.out.push(']');
            }
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

    fn target(&mut self, t: &Spanned<Target>, comments: &[MemberComments]) {
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
    fn rule(&mut self, r: &RuleDecl, c: &ItemComments, own: Option<&ItemComments>) {
        self.open('{');
        if let Some(lines) = own.and_then(|c| c.before.as_ref()) {
            self.item();
            self.comment_member(lines);
        }
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
        self.trailing_member(own.and_then(|c| c.trailing.as_deref()));
        self.close('}');
    }

    /// A test object; with `own`, its comments inside it.
    fn test(&mut self, t: &TestDecl, own: Option<&ItemComments>) {
        self.open('{');
        if let Some(lines) = own.and_then(|c| c.before.as_ref()) {
            self.item();
            self.comment_member(lines);
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
            self.out.push('[');
            for (i, id) in ids.iter().enumerate() {
                if i > 0 {
                    self.out.push_str(", ");
                }
                self.string(id);
            }
            self.out.push(']');
        }
        self.trailing_member(own.and_then(|c| c.trailing.as_deref()));
        self.close('}');
    }
}
