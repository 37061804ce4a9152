//! The JSON form of a syntax tree, as `switchyard fmt --to json` writes it:
//! statements grouped by kind in the order of [`TOP_KEYS`](super::lower::TOP_KEYS),
//! conditions, chains and options as the rule language's text on one line,
//! splits, context fields and tests as objects. Reading the text back gives
//! the same tree; printing that tree gives the `.route` text back.

use crate::ast::{FieldDecl, Guard, Item, Literal, RuleDecl, Target, TestDecl, TypeExpr};
use crate::print::{flat_condition, flat_options, flat_target, lit};
use crate::span::Spanned;

/// The JSON text of `file` (2-space indents, ending in a newline).
pub fn to_json(file: &crate::ast::RuleFile) -> String {
    let items: Vec<&Item> = file.items.iter().map(|i| &i.node).collect();
    let mut w = Writer::default();
    w.open('{');
    for item in &items {
        if let Item::Version(v) = item {
            w.key("version");
            w.string(v);
        }
    }
    for item in &items {
        if let Item::TimeZone(zone) = item {
            w.key("timezone");
            w.string(zone);
        }
    }
    for item in &items {
        if let Item::Context(fields) = item {
            w.key("context");
            w.context(fields);
        }
    }
    let models: Vec<_> = items
        .iter()
        .filter_map(|i| match i {
            Item::Model(m) => Some(m),
            _ => None,
        })
        .collect();
    w.section("models", '{', '}', &models, |w, m| {
        w.key(&m.name);
        w.string(&m.id);
    });
    let targets: Vec<_> = items
        .iter()
        .filter_map(|i| match i {
            Item::Target(t) => Some(t),
            _ => None,
        })
        .collect();
    w.section("targets", '{', '}', &targets, |w, t| {
        w.key(&t.name);
        w.target(&t.target);
    });
    let lets: Vec<_> = items
        .iter()
        .filter_map(|i| match i {
            Item::Let(l) => Some(l),
            _ => None,
        })
        .collect();
    w.section("lets", '{', '}', &lets, |w, l| {
        w.key(&l.name);
        w.string(&flat_condition(&l.cond));
    });
    let defaults: Vec<String> = items
        .iter()
        .filter_map(|i| match i {
            Item::Defaults(o) => Some(flat_options(o)),
            _ => None,
        })
        .collect();
    match defaults.as_slice() {
        [one] => {
            w.key("defaults");
            w.string(one);
        }
        many => w.section("defaults", '[', ']', many, |w, d| {
            w.item();
            w.string(d);
        }),
    }
    let rules: Vec<_> = items
        .iter()
        .filter_map(|i| match i {
            Item::Rule(r) => Some(r),
            _ => None,
        })
        .collect();
    w.section("rules", '[', ']', &rules, |w, r| {
        w.item();
        w.rule(r);
    });
    let tests: Vec<_> = items
        .iter()
        .filter_map(|i| match i {
            Item::Test(t) => Some(t),
            _ => None,
        })
        .collect();
    w.section("tests", '[', ']', &tests, |w, t| {
        w.item();
        w.test(t);
    });
    w.close('}');
    w.out.push('\n');
    w.out
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

    fn context(&mut self, fields: &[Spanned<FieldDecl>]) {
        self.open('{');
        for f in fields {
            self.key(&f.name);
            match &f.default {
                None => self.type_expr(&f.ty),
                Some(default) => {
                    self.out.push_str("{ \"type\": ");
                    self.type_expr(&f.ty);
                    self.out.push_str(", \"default\": ");
                    self.literal(default);
                    self.out.push_str(" }");
                }
            }
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

    fn target(&mut self, t: &Spanned<Target>) {
        let Target::Split { key, arms } = &t.node else {
            return self.string(&flat_target(t));
        };
        self.open('{');
        self.key("split");
        self.string(key);
        self.key("arms");
        self.open('[');
        for arm in arms {
            self.item();
            self.out.push_str("{ ");
            if let Some(name) = &arm.name {
                self.out.push_str("\"name\": ");
                self.string(name);
                self.out.push_str(", ");
            }
            self.out.push_str("\"weight\": ");
            lit::weight(&mut self.out, *arm.weight);
            if self.out.ends_with('%') {
                self.out.pop();
            }
            self.out.push_str(", \"target\": ");
            self.string(&flat_target(&arm.target));
            self.out.push_str(" }");
        }
        self.close(']');
        self.close('}');
    }

    fn rule(&mut self, r: &RuleDecl) {
        self.open('{');
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
        self.target(&r.target);
        self.close('}');
    }

    fn test(&mut self, t: &TestDecl) {
        self.open('{');
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
        self.close('}');
    }
}
