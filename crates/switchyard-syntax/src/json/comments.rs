//! Comments in JSON: `"comment"` (the lines before a statement, field or
//! arm) and `"trailing"` (the comment at the end of its last line), read
//! into the form the formatter prints them from, and into the tree's
//! comments for what reads those.

use super::lower::Lowering;
use super::value::{Json, Kind, Member};
use super::Path;
use crate::ast::{Comment, Item, RuleDecl, RuleFile, Target, TargetDecl};
use crate::print::{Attached, ItemComments, MemberComments};
use crate::span::Span;

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
    /// The `comment` and `trailing` members among `members`; `None` (and
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
/// directives): a comment before a statement, field or arm is an empty
/// span at its start, one trailing it an empty span at its end with the
/// code before it ending there. Comments inside a `route` statement's text
/// are not among them.
pub(crate) fn tree_comments(file: &RuleFile, attached: &Attached, src_len: usize) -> Vec<Comment> {
    let at = |offset: u32, text: &str, trailing: bool| Comment {
        span: Span::new(file.file, offset as usize, offset as usize),
        text: text.strip_prefix('#').unwrap_or(text).to_string(),
        code_before: trailing.then(|| {
            Span::new(
                file.file,
                offset.saturating_sub(1) as usize,
                offset as usize,
            )
        }),
    };
    let mut out = Vec::new();
    let mut add =
        |span: Span, before: &[String], trailing: Option<&String>, opening: Option<&String>| {
            out.extend(
                before
                    .iter()
                    .filter(|l| !l.is_empty())
                    .map(|l| at(span.start, l, false)),
            );
            // After the first byte: on the statement's line, before its fields.
            out.extend(opening.map(|t| at(span.start.saturating_add(1), t, true)));
            out.extend(trailing.map(|t| at(span.end, t, true)));
        };
    for (item, c) in file.items.iter().zip(&attached.items) {
        let before = c.before.as_deref().unwrap_or_default();
        add(item.span, before, c.trailing.as_ref(), c.opening.as_ref());
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
            add(span, &m.before, m.trailing.as_ref(), None);
        }
    }
    let end = u32::try_from(src_len).unwrap_or(u32::MAX);
    out.extend(
        attached
            .end
            .iter()
            .filter(|l| !l.is_empty())
            .map(|l| at(end, l, false)),
    );
    out.sort_by_key(|c| c.span.start);
    out
}
