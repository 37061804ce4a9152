//! Comments in JSON: `"comment"` (the lines before a statement, field or
//! arm), `"trailing"` (the comment at the end of its last line), and for a
//! statement `"opening"` (at the end of its first line) and `"closing"`
//! (the lines before its closing `}`); read into the form the formatter
//! prints them from, and into the tree's comments for what reads those.

use super::lower::Lowering;
use super::value::{Json, Kind, Member};
use super::Path;
use crate::ast::{Comment, Item, RuleDecl, RuleFile, Target, TargetDecl};
use crate::print::{Attached, ItemComments, MemberComments};
use crate::span::Span;

/// The members that carry a statement's comments (and, but for `opening`
/// and `closing`, a field's or arm's).
pub(crate) const COMMENT_KEYS: &[&str] = &["comment", "opening", "closing", "trailing"];

/// Whether `key` is one of [`COMMENT_KEYS`].
pub(crate) fn is_comment_key(key: &str) -> bool {
    COMMENT_KEYS.contains(&key)
}

impl ItemComments {
    /// The same comments on a field or arm (which has no default blank
    /// line before it).
    pub(crate) fn into_member(self) -> MemberComments {
        MemberComments {
            before: self.before.unwrap_or_default(),
            trailing: self.trailing,
        }
    }
}

impl Lowering<'_> {
    /// The comment members ([`COMMENT_KEYS`]) among `members`; `None` (and
    /// an E021) if one is not what it must be.
    pub fn comments_of(&mut self, members: &[Member], path: &Path) -> Option<ItemComments> {
        let mut out = ItemComments::default();
        let mut ok = true;
        for m in members {
            let p = path.key(&m.key.value);
            match m.key.value.as_str() {
                "comment" => match self.comment_lines(&m.value, &p) {
                    Some(lines) => out.before = Some(lines),
                    None => ok = false,
                },
                "trailing" => match self.trailing(&m.value, &p) {
                    Some(c) => out.trailing = Some(c),
                    None => ok = false,
                },
                "opening" => match self.trailing(&m.value, &p) {
                    Some(c) => out.opening = Some(c),
                    None => ok = false,
                },
                "closing" => match self.comment_lines(&m.value, &p) {
                    Some(lines) => out.closing = lines,
                    None => ok = false,
                },
                _ => {}
            }
        }
        ok.then_some(out)
    }

    /// Comment lines: a string (lines split at `\n`) or an array of
    /// strings, each line a comment starting with `#` or empty for a blank
    /// line.
    pub fn comment_lines(&mut self, v: &Json, path: &Path) -> Option<Vec<String>> {
        let mut lines = Vec::new();
        match &v.kind {
            Kind::String(s) => lines.extend(s.value.split('\n').map(|l| (l.to_string(), v.span))),
            Kind::Array(items) => {
                for (i, item) in items.iter().enumerate() {
                    let s = self.string(item, &path.index(i))?;
                    lines.extend(s.value.split('\n').map(|l| (l.to_string(), item.span)));
                }
            }
            _ => {
                let found = v.describe();
                self.shape(
                    v.span,
                    path,
                    format!(
                        "expected comment lines (a string or an array of strings), found {found}"
                    ),
                    "e.g. \"# why this rule\", or [\"\", \"# after a blank line\"]",
                );
                return None;
            }
        }
        let mut out = Vec::new();
        for (line, span) in lines {
            let line = line.trim_end().to_string();
            if !(line.is_empty() || line.starts_with('#')) {
                self.shape(
                    span,
                    path,
                    format!("a comment line starts with `#`, found {line:?}"),
                    format!("write \"# {line}\" (an empty string is a blank line)"),
                );
                return None;
            }
            out.push(line);
        }
        Some(out)
    }

    /// A trailing comment: one line starting with `#`.
    fn trailing(&mut self, v: &Json, path: &Path) -> Option<String> {
        let s = self.string(v, path)?;
        let text = s.value.trim_end();
        if !text.starts_with('#') || text.contains('\n') {
            self.shape(
                v.span,
                path,
                "a trailing comment is one line starting with `#`",
                "e.g. \"# until March\"",
            );
            return None;
        }
        Some(text.to_string())
    }
}

/// The comments of a JSON ruleset as a `.route` file's tree holds them,
/// for what reads comments after parsing (the `# switchyard: allow(..)`
/// directives): a comment on a line of its own is an empty span just
/// before what it precedes (a statement, field or arm; after a statement
/// for those before its closing `}`), one at the end of a line an empty
/// span just after what it follows, the code before it ending there.
/// Comments inside a `route` statement's text are not among them.
pub(crate) fn tree_comments(file: &RuleFile, attached: &Attached, src_len: usize) -> Vec<Comment> {
    let own_line = |offset: u32, text: &str| Comment {
        span: Span::new(file.file, offset as usize, offset as usize),
        text: text.strip_prefix('#').unwrap_or(text).to_string(),
        code_before: None,
    };
    let after_code = |offset: u32, text: &str| Comment {
        code_before: Some(Span::new(
            file.file,
            offset.saturating_sub(1) as usize,
            offset as usize,
        )),
        ..own_line(offset, text)
    };
    let lines = |offset: u32, lines: &[String]| -> Vec<Comment> {
        lines
            .iter()
            .filter(|l| !l.is_empty())
            .map(|l| own_line(offset, l))
            .collect()
    };
    let mut out = Vec::new();
    for (item, c) in file.items.iter().zip(&attached.items) {
        let span = item.span;
        out.extend(lines(span.start, c.before.as_deref().unwrap_or_default()));
        // After the first byte: on the statement's line, before its fields.
        out.extend(
            c.opening
                .as_deref()
                .map(|t| after_code(span.start.saturating_add(1), t)),
        );
        out.extend(lines(span.end, &c.closing));
        out.extend(c.trailing.as_deref().map(|t| after_code(span.end, t)));
        let members: Vec<Span> = match &item.node {
            Item::Context(fields) => fields.iter().map(|f| f.span).collect(),
            Item::Rule(RuleDecl { target, .. }) | Item::Target(TargetDecl { target, .. }) => {
                match &target.node {
                    Target::Split { arms, .. } => arms.iter().map(|a| a.span).collect(),
                    _ => Vec::new(),
                }
            }
            _ => Vec::new(),
        };
        for (span, m) in members.into_iter().zip(&c.members) {
            out.extend(lines(span.start, &m.before));
            out.extend(m.trailing.as_deref().map(|t| after_code(span.end, t)));
        }
    }
    let end = u32::try_from(src_len).unwrap_or(u32::MAX);
    out.extend(lines(end, &attached.end));
    out.sort_by_key(|c| c.span.start);
    out
}
