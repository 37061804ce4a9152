//! Comments in JSON: `"comment"` (the lines before a statement, field or
//! arm) and `"trailing"` (the comment at the end of its last line), read
//! into the form the formatter prints them from.

use super::lower::Lowering;
use super::value::{Json, Kind, Member};
use super::Path;
use crate::print::{ItemComments, MemberComments};

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
