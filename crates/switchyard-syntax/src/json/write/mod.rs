//! The JSON form of a syntax tree, as `switchyard fmt --to json` writes it:
//! grouped by kind in the order of [`TOP_KEYS`](super::lower::TOP_KEYS)
//! when the statements are in that order and every comment has a place
//! there, else as `statements` in file order. Conditions, chains and
//! options are the rule language's text on one line; splits, context fields
//! and tests are objects. Reading the text back gives the same tree and
//! comments; printing those gives the `.route` text back.

mod objects;
mod writer;

use crate::ast::{Item, Target};
use crate::print::{flat_condition, flat_options, flat_target, lit, Attached, ItemComments};
use writer::Writer;

/// Where the grouped form puts a statement.
fn rank(item: &Item) -> u8 {
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

/// Whether the grouped form has a place for comments on `item`'s own
/// (rules, tests and the entries of `models`, `targets` and `lets`; fields
/// and arms carry theirs in either form).
fn carries_own_comments(item: &Item) -> bool {
    matches!(
        item,
        Item::Model(_) | Item::Target(_) | Item::Let(_) | Item::Rule(_) | Item::Test(_)
    )
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
    // The first statement's lines can go in the document's `comment`.
    let header = items
        .first()
        .filter(|(item, _)| !carries_own_comments(item))
        .and_then(|(_, c)| c.before.as_ref());
    let placed = items.iter().enumerate().all(|(i, (item, c))| {
        let before = c.before.is_none() || (i == 0 && header.is_some());
        let own = c.trailing.is_none() && c.opening.is_none() && c.closing.is_empty();
        c.text.is_none() && (carries_own_comments(item) || (before && own))
    });
    let mut w = Writer::default();
    w.open('{');
    if in_order && placed && comments.end.is_empty() {
        if let Some(lines) = header {
            w.comment_block(lines);
        }
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
            w.open('{');
            w.comment_block(&comments.end);
            w.close('}');
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
        let of = |kind: fn(&Item) -> bool| -> Vec<(&Item, &ItemComments)> {
            items.iter().filter(|(i, _)| kind(i)).copied().collect()
        };
        self.section(
            "models",
            '{',
            '}',
            &of(|i| matches!(i, Item::Model(_))),
            |w, (item, c)| {
                if let Item::Model(m) = item {
                    w.key(&m.name);
                    w.entry(c, "id", |w| w.string(&m.id));
                }
            },
        );
        self.section(
            "targets",
            '{',
            '}',
            &of(|i| matches!(i, Item::Target(_))),
            |w, (item, c)| {
                if let Item::Target(t) = item {
                    w.key(&t.name);
                    w.entry(c, "to", |w| w.target(&t.target, &c.members));
                }
            },
        );
        self.section(
            "lets",
            '{',
            '}',
            &of(|i| matches!(i, Item::Let(_))),
            |w, (item, c)| {
                if let Item::Let(l) = item {
                    w.key(&l.name);
                    w.entry(c, "when", |w| w.string(&flat_condition(&l.cond)));
                }
            },
        );
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
        self.section(
            "rules",
            '[',
            ']',
            &of(|i| matches!(i, Item::Rule(_))),
            |w, (item, c)| {
                if let Item::Rule(r) = item {
                    w.item();
                    w.rule(r, c, Some(c));
                }
            },
        );
        self.section(
            "tests",
            '[',
            ']',
            &of(|i| matches!(i, Item::Test(_))),
            |w, (item, c)| {
                if let Item::Test(t) = item {
                    w.item();
                    w.test(t, Some(c));
                }
            },
        );
    }

    /// An entry's value: written by `value` alone, or, with comments, as
    /// `{ "comment": ..., KEY: value, "trailing": ... }`.
    fn entry(&mut self, c: &ItemComments, key: &str, value: impl FnOnce(&mut Self)) {
        if c.before.is_none() && c.trailing.is_none() && c.opening.is_none() && c.closing.is_empty()
        {
            return value(self);
        }
        self.open('{');
        if let Some(lines) = &c.before {
            self.comment_block(lines);
        }
        self.opening_member(c.opening.as_deref());
        self.key(key);
        value(self);
        self.closing_member(&c.closing);
        self.trailing_member(c.trailing.as_deref());
        self.close('}');
    }

    /// One object of `statements`: on one line when nothing in it is
    /// laid out over several and it has at most one comment line.
    fn statement(&mut self, item: &Item, c: &ItemComments) {
        let text = |s: &str| {
            let mut out = String::new();
            lit::string(&mut out, s);
            out
        };
        // The members of a statement whose values fit on one line.
        let flat: Option<Vec<(&str, String)>> = match (item, &c.text) {
            (_, Some(route)) => Some(vec![("route", text(route))]),
            (Item::Version(v), _) => Some(vec![("version", text(v))]),
            (Item::TimeZone(zone), _) => Some(vec![("timezone", text(zone))]),
            (Item::Model(m), _) => Some(vec![("model", text(&m.name)), ("id", text(&m.id))]),
            (Item::Target(t), _) if !matches!(t.target.node, Target::Split { .. }) => Some(vec![
                ("target", text(&t.name)),
                ("to", text(&flat_target(&t.target))),
            ]),
            (Item::Let(l), _) => Some(vec![
                ("let", text(&l.name)),
                ("when", text(&flat_condition(&l.cond))),
            ]),
            (Item::Defaults(o), _) => Some(vec![("defaults", text(&flat_options(o)))]),
            _ => None,
        };
        let few_lines =
            c.before.as_ref().is_none_or(|lines| lines.len() <= 1) && c.closing.is_empty();
        if let (Some(members), true) = (&flat, few_lines) {
            self.out.push_str("{ ");
            if let Some(lines) = &c.before {
                self.comment_member(lines);
                self.out.push_str(", ");
            }
            if let Some(t) = &c.opening {
                self.out.push_str("\"opening\": ");
                self.string(t);
                self.out.push_str(", ");
            }
            for (i, (key, value)) in members.iter().enumerate() {
                if i > 0 {
                    self.out.push_str(", ");
                }
                self.string(key);
                self.out.push_str(": ");
                self.out.push_str(value);
            }
            if let Some(t) = &c.trailing {
                self.out.push_str(", \"trailing\": ");
                self.string(t);
            }
            self.out.push_str(" }");
            return;
        }
        self.open('{');
        if let Some(lines) = &c.before {
            self.comment_block(lines);
        }
        self.opening_member(c.opening.as_deref());
        if let Some(members) = flat {
            for (key, value) in members {
                self.key(key);
                self.out.push_str(&value);
            }
            self.closing_member(&c.closing);
            self.trailing_member(c.trailing.as_deref());
            return self.close('}');
        }
        match item {
            Item::Context(fields) => {
                self.key("context");
                self.context(fields, &c.members);
            }
            Item::Target(t) => {
                self.key("target");
                self.string(&t.name);
                self.key("to");
                self.target(&t.target, &c.members);
            }
            Item::Rule(r) => {
                self.key("rule");
                self.rule(r, c, None);
            }
            Item::Test(t) => {
                self.key("test");
                self.test(t, None);
            }
            _ => {}
        }
        self.closing_member(&c.closing);
        self.trailing_member(c.trailing.as_deref());
        self.close('}');
    }
}
