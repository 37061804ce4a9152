//! The JSON text being written: containers, members, indentation, and
//! the `comment` and `trailing` members.

use crate::print::{lit, MemberComments};

/// Writes JSON text with 2-space indents, one member or item a line.
#[derive(Default)]
pub(super) struct Writer {
    /// The text so far.
    pub out: String,
    indent: usize,
    /// Whether the open container has a member yet.
    first: Vec<bool>,
}

impl Writer {
    pub(super) fn open(&mut self, c: char) {
        self.out.push(c);
        self.indent += 2;
        self.first.push(true);
    }

    pub(super) fn close(&mut self, c: char) {
        self.indent -= 2;
        if self.first.pop() == Some(false) {
            self.newline();
        }
        self.out.push(c);
    }

    pub(super) fn newline(&mut self) {
        self.out.push('\n');
        self.out.extend(std::iter::repeat_n(' ', self.indent));
    }

    /// Starts the next member or item of the open container.
    pub(super) fn item(&mut self) {
        if let Some(first) = self.first.last_mut() {
            if !std::mem::replace(first, false) {
                self.out.push(',');
            }
        }
        self.newline();
    }

    pub(super) fn key(&mut self, k: &str) {
        self.item();
        lit::string(&mut self.out, k);
        self.out.push_str(": ");
    }

    pub(super) fn string(&mut self, s: &str) {
        lit::string(&mut self.out, s);
    }

    /// `"name": { ... }` or `"name": [ ... ]` with what `f` writes for each
    /// of `items`; nothing if there are none.
    pub(super) fn section<T>(
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

    /// `"comment": LINES` as the next member of a multi-line object: one
    /// comment line as a string, else an array of one line each.
    pub(super) fn comment_block(&mut self, lines: &[String]) {
        self.key("comment");
        self.lines(lines);
    }

    /// Comment lines as a value: one as a string, else an array of one
    /// line each.
    fn lines(&mut self, lines: &[String]) {
        if let [one] = lines {
            if !one.is_empty() {
                return self.string(one);
            }
        }
        self.open('[');
        for line in lines {
            self.item();
            self.string(line);
        }
        self.close(']');
    }

    /// `"comment": LINES` inside a one-line object (one comment line as a
    /// string, else an array).
    pub(super) fn comment_member(&mut self, lines: &[String]) {
        self.out.push_str("\"comment\": ");
        match lines {
            [one] if !one.is_empty() => self.string(one),
            _ => self.strings(lines.iter().map(String::as_str)),
        }
    }

    /// An array of strings on one line: `["a", "b"]`.
    pub(super) fn strings<'s>(&mut self, items: impl Iterator<Item = &'s str>) {
        self.out.push('[');
        for (i, s) in items.enumerate() {
            if i > 0 {
                self.out.push_str(", ");
            }
            self.string(s);
        }
        self.out.push(']');
    }

    /// `"opening": ...` as the next member of a multi-line object.
    pub(super) fn opening_member(&mut self, opening: Option<&str>) {
        if let Some(t) = opening {
            self.key("opening");
            self.string(t);
        }
    }

    /// `"closing": LINES` as the next member of a multi-line object.
    pub(super) fn closing_member(&mut self, closing: &[String]) {
        if !closing.is_empty() {
            self.key("closing");
            self.lines(closing);
        }
    }

    pub(super) fn trailing_member(&mut self, trailing: Option<&str>) {
        if let Some(t) = trailing {
            self.key("trailing");
            self.string(t);
        }
    }

    /// `"comment": ..., ` and ` , "trailing": ...` around a one-line
    /// object's members.
    pub(super) fn inline_comments(
        &mut self,
        c: Option<&MemberComments>,
        inner: impl FnOnce(&mut Self),
    ) {
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
