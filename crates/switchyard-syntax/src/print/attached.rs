//! Comments and blank lines attached to statements and to their members
//! (context fields, split arms) rather than to source offsets: the form in
//! which the JSON form carries them (docs/reference/json.md, "Comments").
//!
//! [`attached`] reads them off text laid out by [`crate::format_source`],
//! where every comment is on a line of its own before a line of code or at
//! the end of one; [`print_attached`] lays a tree out with them. For the
//! formatter's output `f` of a file with tree `t`,
//! `print_attached(t, attached(f, t))` is `f` again.

use super::layout::{layout, Kind};
use crate::ast::RuleFile;

/// The comments and blank lines of a file, by statement.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub(crate) struct Attached {
    /// By statement, in file order; statements past its end have none.
    pub items: Vec<ItemComments>,
    /// The lines after the last statement.
    pub end: Vec<String>,
}

/// What comes with one statement. A line is a comment (`#` and its text)
/// or, empty, a blank line.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub(crate) struct ItemComments {
    /// The lines before the statement; `None`: one blank line if the
    /// statement before it is of another kind, else none.
    pub before: Option<Vec<String>>,
    /// The comment at the end of the statement's last line.
    pub trailing: Option<String>,
    /// The comment at the end of its first line, when it takes several
    /// (`context {  # ...`).
    pub opening: Option<String>,
    /// The lines before its closing `}` (after the last field or arm).
    pub closing: Vec<String>,
    /// By context field or split arm, in order.
    pub members: Vec<MemberComments>,
    /// The statement's own text, as `fmt` lays it out, with the comments
    /// inside it: set, instead of the other members, when a comment sits
    /// where neither the statement nor a member can hold it (between the
    /// lines of a condition or target broken over several, before a
    /// closing `}`).
    pub text: Option<String>,
}

/// What comes with one context field or split arm.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub(crate) struct MemberComments {
    /// The lines before it.
    pub before: Vec<String>,
    /// The comment at the end of its last line.
    pub trailing: Option<String>,
}

impl MemberComments {
    /// Whether it holds nothing.
    pub fn is_empty(&self) -> bool {
        self.before.is_empty() && self.trailing.is_none()
    }
}

/// The lines before statement `i` when nothing says otherwise: a blank
/// line where the kind of statement changes.
pub(crate) fn default_before(file: &RuleFile, i: usize) -> Vec<String> {
    let kind = |i: usize| file.items.get(i).map(|it| std::mem::discriminant(&it.node));
    if i > 0 && kind(i) != kind(i - 1) {
        vec![String::new()]
    } else {
        Vec::new()
    }
}

/// The comments of `formatted`, text [`crate::format_source`] produced,
/// whose tree is `file`; `None` if the text is not laid out as the
/// formatter lays `file` out.
pub(crate) fn attached(formatted: &str, file: &RuleFile) -> Option<Attached> {
    let doc = layout(file, None);
    // Each line of code with the lines before it, its trailing comment and
    // where it is in the text.
    let mut before: Vec<Vec<String>> = Vec::new();
    let mut trailing: Vec<Option<String>> = Vec::new();
    let mut bounds: Vec<(usize, usize)> = Vec::new();
    let mut pending = Vec::new();
    let mut comments = file.comments.iter().peekable();
    let mut offset = 0;
    for line in formatted.split_inclusive('\n') {
        let start = offset;
        offset += line.len();
        let mut here = None;
        while let Some(c) = comments.next_if(|c| (c.span.start as usize) < offset) {
            here = Some(c);
        }
        let text = line.trim();
        if text.is_empty() {
            pending.push(String::new());
        } else if text.starts_with('#') {
            pending.push(text.to_string());
        } else {
            before.push(std::mem::take(&mut pending));
            trailing.push(here.map(|c| format!("#{}", c.text.trim_end())));
            bounds.push((start, start + line.trim_end().len()));
        }
    }
    if before.len() != doc.lines.len() {
        return None;
    }
    let mut out = Attached {
        items: Vec::new(),
        end: pending,
    };
    let n = doc.lines.len();
    let mut first = 0;
    while first < n {
        let i = doc.lines.get(first)?.item;
        let mut last = first;
        while doc.lines.get(last + 1).is_some_and(|l| l.item == i) {
            last += 1;
        }
        // Which lines' comments have a place, by line from `first`.
        let mut used_before = vec![false; last - first + 1];
        let mut used_trailing = vec![false; last - first + 1];
        let mut item = ItemComments {
            before: before.get(first).cloned(),
            ..ItemComments::default()
        };
        used_before[0] = true;
        if item.before.as_ref() == Some(&default_before(file, i)) {
            item.before = None;
        }
        item.trailing = trailing.get(last).cloned().flatten();
        used_trailing[last - first] = true;
        if last > first {
            item.opening = trailing.get(first).cloned().flatten();
            used_trailing[0] = true;
        }
        if let Some(close) = (first..=last).find(|&l| doc.lines[l].kind == Kind::Close) {
            item.closing = before.get(close).cloned().unwrap_or_default();
            used_before[close - first] = true;
        }
        for m in (first..=last).filter(|&l| doc.lines[l].kind == Kind::Member) {
            // The member's last line: before the next member or the `}`.
            let end = (m + 1..=last)
                .find(|&l| matches!(doc.lines[l].kind, Kind::Member | Kind::Close))
                .map_or(last, |l| l - 1);
            item.members.push(MemberComments {
                before: before.get(m).cloned().unwrap_or_default(),
                trailing: trailing.get(end).cloned().flatten(),
            });
            used_before[m - first] = true;
            used_trailing[end - first] = true;
        }
        let inner = (first..=last).any(|l| {
            (!used_before[l - first] && !before[l].is_empty())
                || (!used_trailing[l - first] && trailing[l].is_some())
        });
        if inner {
            let (start, _) = bounds[first];
            let (_, end) = bounds[last];
            item.text = formatted.get(start..end).map(str::to_string);
            item.trailing = None;
            item.opening = None;
            item.closing.clear();
            item.members.clear();
        }
        out.items.push(item);
        first = last + 1;
    }
    Some(out)
}

/// Lays `file` out with the comments and blank lines of `comments` (no
/// check that blank lines fall where the formatter would keep them: run
/// the result through [`crate::format_source`] for that).
pub(crate) fn print_attached(file: &RuleFile, comments: &Attached) -> String {
    let doc = layout(file, None);
    let none = ItemComments::default();
    let mut out = String::new();
    let mut k = 0;
    while let Some(line) = doc.lines.get(k) {
        let i = line.item;
        let item = comments.items.get(i).unwrap_or(&none);
        let before = item
            .before
            .clone()
            .unwrap_or_else(|| default_before(file, i));
        push_lines(&mut out, 0, &before);
        let mut last = k;
        while doc.lines.get(last + 1).is_some_and(|l| l.item == i) {
            last += 1;
        }
        // An opening comment with no first line of several to end: on a
        // line of its own above the statement.
        if last == k || item.text.is_some() {
            push_lines(&mut out, 0, item.opening.as_slice());
        }
        if let Some(text) = &item.text {
            out.push_str(text);
            if let Some(c) = &item.trailing {
                out.push_str("  ");
                out.push_str(c);
            }
            out.push('\n');
            k = last + 1;
            continue;
        }
        let mut member = None::<usize>;
        let mut closed = false;
        for l in k..=last {
            let line = &doc.lines[l];
            if line.kind == Kind::Close && !closed {
                closed = true;
                push_lines(&mut out, line.indent + 2, &item.closing);
            }
            if line.kind == Kind::Member {
                let j = member.map_or(0, |j| j + 1);
                member = Some(j);
                if let Some(m) = item.members.get(j) {
                    push_lines(&mut out, line.indent, &m.before);
                }
            }
            out.extend(std::iter::repeat_n(' ', line.indent));
            out.push_str(&line.text);
            let next_kind = doc.lines.get(l + 1).filter(|_| l < last).map(|n| n.kind);
            let comment = if l == last {
                item.trailing.as_ref()
            } else if l == k {
                item.opening.as_ref()
            } else if matches!(next_kind, Some(Kind::Member | Kind::Close)) {
                member
                    .and_then(|j| item.members.get(j))
                    .and_then(|m| m.trailing.as_ref())
            } else {
                None
            };
            if let Some(c) = comment {
                out.push_str("  ");
                out.push_str(c);
            }
            out.push('\n');
        }
        // Closing lines with no `}` to go before: on lines of their own
        // below the statement.
        if !closed {
            push_lines(&mut out, 0, &item.closing);
        }
        k = last + 1;
    }
    push_lines(&mut out, 0, &comments.end);
    out
}

fn push_lines(out: &mut String, indent: usize, lines: &[String]) {
    for line in lines {
        if !line.is_empty() {
            out.extend(std::iter::repeat_n(' ', indent));
            out.push_str(line);
        }
        out.push('\n');
    }
}
