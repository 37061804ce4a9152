//! Placing comments and blank lines around the laid-out lines, and joining
//! everything into the final text.

use std::collections::HashMap;

use super::layout::{Doc, Kind, Line};
use crate::ast::{Comment, RuleFile};
use crate::span::Span;

/// Trims whitespace and comments off both ends of spans, so that a node's
/// recorded start and end are its first and last token whatever the parser
/// included around it.
pub(crate) struct Tight<'a> {
    src: &'a [u8],
    /// Comment start → comment end.
    by_start: HashMap<u32, u32>,
    /// Comment end → comment start.
    by_end: HashMap<u32, u32>,
}

impl<'a> Tight<'a> {
    pub(crate) fn new(src: &'a str, comments: &[Comment]) -> Self {
        Tight {
            src: src.as_bytes(),
            by_start: comments
                .iter()
                .map(|c| (c.span.start, c.span.end))
                .collect(),
            by_end: comments
                .iter()
                .map(|c| (c.span.end, c.span.start))
                .collect(),
        }
    }

    fn is_space(&self, at: u32) -> bool {
        matches!(
            self.src.get(at as usize),
            Some(b' ' | b'\t' | b'\r' | b'\n')
        )
    }

    /// The span's start and end with surrounding blanks and comments cut.
    pub(crate) fn fix(&self, span: Span) -> (u32, u32) {
        let (mut start, mut end) = (span.start, span.end);
        while start < end {
            if self.is_space(start) {
                start += 1;
            } else if let Some(&e) = self.by_start.get(&start).filter(|&&e| e > start) {
                start = e;
            } else {
                break;
            }
        }
        while end > start {
            if self.is_space(end - 1) {
                end -= 1;
            } else if let Some(&s) = self.by_end.get(&end).filter(|&&s| s < end) {
                end = s;
            } else {
                break;
            }
        }
        (start, end.max(start))
    }
}

/// Joins the lines of `file`'s layout with no comments; a blank line
/// separates statements of different kinds.
pub(crate) fn render_plain(doc: &Doc, file: &RuleFile) -> String {
    let kind_of = |i: usize| {
        file.items
            .get(i)
            .map(|item| std::mem::discriminant(&item.node))
    };
    let mut out = String::new();
    let mut prev_item: Option<usize> = None;
    for line in &doc.lines {
        if line.kind == Kind::Stmt {
            if let Some(prev) = prev_item {
                if kind_of(prev) != kind_of(line.item) {
                    out.push('\n');
                }
            }
            prev_item = Some(line.item);
        }
        push_line(&mut out, line.indent, &line.text, None);
    }
    out
}

/// A comment on its own line before a code line.
struct Leading<'c> {
    comment: &'c Comment,
    /// Written after the start of the line's first node: moved out of the
    /// middle of a statement.
    moved: bool,
}

/// Joins the lines of the layout with every comment of the file, keeping
/// blank lines where `src` had them (see the module documentation of
/// `print`).
pub(crate) fn render_with_comments(doc: &Doc, src: &str, comments: &[Comment]) -> String {
    let n = doc.lines.len();
    let mut leading: Vec<Vec<Leading<'_>>> = (0..n).map(|_| Vec::new()).collect();
    let mut trailing: Vec<Option<&Comment>> = vec![None; n];
    let mut at_end: Vec<&Comment> = Vec::new();

    for c in comments {
        let moved_at = |line: usize| {
            doc.lines
                .get(line)
                .and_then(|l| l.anchor)
                .is_some_and(|a| c.span.start > a)
        };
        let before = src.get(..c.span.start as usize).unwrap_or("");
        let code = before.trim_end_matches([' ', '\t', '\r']);
        let own_line = code.is_empty() || code.ends_with('\n');
        // The line of the nearest node at or before the code the comment
        // follows, or of the first node after an own-line comment.
        let line = if own_line {
            doc.keys.range(c.span.end..).next().map(|(_, &l)| l)
        } else {
            let p = u32::try_from(code.len()).unwrap_or(u32::MAX);
            doc.keys.range(..=p).next_back().map(|(_, &l)| l)
        };
        match line {
            None if own_line || n == 0 => at_end.push(c),
            None => leading[0].push(Leading {
                comment: c,
                moved: false,
            }),
            Some(l) if !own_line && trailing.get(l).is_some_and(Option::is_none) => {
                trailing[l] = Some(c);
            }
            Some(l) => {
                // A second comment for an occupied line goes before the
                // statement.
                let l = if own_line {
                    l
                } else {
                    doc.lines.get(l).map_or(0, |line| line.stmt_line)
                };
                if let Some(group) = leading.get_mut(l) {
                    group.push(Leading {
                        comment: c,
                        moved: moved_at(l),
                    });
                }
            }
        }
    }

    let mut out = Out::default();
    for (i, line) in doc.lines.iter().enumerate() {
        let group = leading.get_mut(i).map(std::mem::take).unwrap_or_default();
        out.line_with_comments(src, line, group, trailing.get(i).copied().flatten());
    }
    for c in at_end {
        out.blank(blank_before(src, c.span.start));
        out.comment(0, c);
    }
    out.text
}

/// The text being assembled, with what decides whether a blank line may
/// come next.
#[derive(Default)]
struct Out {
    text: String,
    /// The last line written was blank, or a code line ending in `{`, or
    /// nothing has been written: no blank line may follow.
    no_blank: bool,
    started: bool,
}

impl Out {
    fn blank(&mut self, wanted: bool) {
        if wanted && self.started && !self.no_blank {
            self.text.push('\n');
            self.no_blank = true;
        }
    }

    fn comment(&mut self, indent: usize, c: &Comment) {
        push_comment_line(&mut self.text, indent, c);
        self.started = true;
        self.no_blank = false;
    }

    fn code(&mut self, line: &Line, trailing: Option<&Comment>) {
        push_line(&mut self.text, line.indent, &line.text, trailing);
        self.started = true;
        self.no_blank = line.text.ends_with('{');
    }

    fn line_with_comments(
        &mut self,
        src: &str,
        line: &Line,
        mut group: Vec<Leading<'_>>,
        trailing: Option<&Comment>,
    ) {
        group.sort_by_key(|l| l.comment.span.start);
        // Blank lines only between statements, fields and arms (and before
        // comments above a closing `}`), where the source had one.
        let blanks_here = matches!(line.kind, Kind::Stmt | Kind::Member | Kind::Close);
        let mut line_blank = matches!(line.kind, Kind::Stmt | Kind::Member)
            && line.anchor.is_some_and(|a| blank_before(src, a));
        let mut flags: Vec<bool> = group
            .iter()
            .map(|l| blanks_here && !l.moved && blank_before(src, l.comment.span.start))
            .collect();
        // Comments moved out of the statement stay glued to it: the blank
        // line that preceded the statement goes before them.
        if let Some(first_moved) = group.iter().position(|l| l.moved) {
            if line_blank {
                if let Some(f) = flags.get_mut(first_moved) {
                    *f = true;
                }
                line_blank = false;
            }
        }
        let indent = if line.kind == Kind::Close {
            line.indent + 2
        } else {
            line.indent
        };
        for (l, flag) in group.iter().zip(flags) {
            self.blank(flag);
            self.comment(indent, l.comment);
        }
        self.blank(line_blank);
        self.code(line, trailing);
    }
}

/// Whether the blanks just before `offset` hold an empty line.
fn blank_before(src: &str, offset: u32) -> bool {
    let before = src.get(..offset as usize).unwrap_or("");
    let gap = before.len() - before.trim_end_matches([' ', '\t', '\r', '\n']).len();
    before
        .get(before.len() - gap..)
        .is_some_and(|g| g.matches('\n').count() >= 2)
}

fn push_line(out: &mut String, indent: usize, text: &str, trailing: Option<&Comment>) {
    out.extend(std::iter::repeat_n(' ', indent));
    out.push_str(text);
    if let Some(c) = trailing {
        out.push_str("  #");
        out.push_str(c.text.trim_end());
    }
    out.push('\n');
}

fn push_comment_line(out: &mut String, indent: usize, c: &Comment) {
    out.extend(std::iter::repeat_n(' ', indent));
    out.push('#');
    out.push_str(c.text.trim_end());
    out.push('\n');
}
