//! Laying the syntax tree out as lines (see the module documentation of
//! `print` for the rules). While it prints, the layout records on which
//! output line every node of the tree starts and ends, keyed by the node's
//! source offsets: the comment placement works from that map.

mod conditions;
mod statements;
mod targets;

use std::collections::BTreeMap;

use super::lit;
use super::place::Tight;
use crate::ast::{Literal, Number, RuleFile};
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
        flat(f).chars().count()
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
}

/// A condition on one line, as the JSON form writes it.
pub(crate) fn flat_condition(e: &Spanned<crate::ast::Expr>) -> String {
    flat(|w| w.expr(e, Ctx::Top))
}

/// A chain or `cheapest` target on one line (a split prints only its
/// head: the JSON form writes splits as objects).
pub(crate) fn flat_target(t: &Spanned<crate::ast::Target>) -> String {
    flat(|w| w.target_flat(t))
}

/// Options on one line, without the leading space.
pub(crate) fn flat_options(options: &[Spanned<crate::ast::TargetOption>]) -> String {
    flat(|w| w.options_flat(options)).trim_start().to_string()
}

/// What `f` prints, on one line.
fn flat(f: impl FnOnce(&mut W<'_>)) -> String {
    let mut w = W {
        doc: Doc::default(),
        measuring: true,
        flat: String::new(),
        tight: None,
        item: 0,
        stmt_line: 0,
    };
    f(&mut w);
    w.flat
}
