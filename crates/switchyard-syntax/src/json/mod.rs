//! Rulesets written in JSON (docs/reference/json.md): read into the same
//! syntax tree as a `.route` file, with spans pointing into the JSON text,
//! and written back from a tree.
//!
//! A file whose name ends in `.json` is read this way by
//! [`crate::parse_sources`]; everything after the parser (checking,
//! compiling, formatting back to `.route`) is the same for both forms.

mod conditions;
mod lower;
mod targets;
mod value;
mod write;

use std::fmt;

use crate::ast::RuleFile;
use crate::error::{ParseError, ParseErrors};
use crate::limits::Limits;
use crate::span::{FileId, Span};

pub use write::to_json;

/// Whether a file of this name holds a ruleset in JSON.
pub fn is_json_name(name: &str) -> bool {
    name.ends_with(".json")
}

/// Parses a ruleset written in JSON. Every error is reported, as for a
/// `.route` file; conditions, targets and options written as text are
/// parsed by the rule language's parser, their errors pointing into the
/// JSON string.
pub fn parse_json(src: &str, file: FileId, limits: &Limits) -> Result<RuleFile, ParseErrors> {
    // Room for the ruleset's own levels (document, rules, rule, target,
    // options) above the nesting a condition may have.
    let doc = value::read(src, file, limits.depth().saturating_add(8))
        .map_err(|e| ParseErrors::new(vec![e]).unwrap_or_else(|| unreachable!("one error")))?;
    let mut lowering = lower::Lowering {
        file,
        limits,
        errors: Vec::new(),
        items: Vec::new(),
    };
    lowering.document(&doc);
    if lowering.items.is_empty() && lowering.errors.is_empty() {
        lowering.errors.push(ParseError::Empty {
            span: Span::new(file, src.len(), src.len()),
        });
    }
    let mut errors = lowering.errors;
    errors.sort_by_key(|e| (e.span().start, e.span().end));
    match ParseErrors::new(errors) {
        Some(errors) => Err(errors),
        None => Ok(RuleFile {
            file,
            items: lowering.items,
            comments: Vec::new(),
        }),
    }
}

/// The JSON pointer of the innermost member or item of `src` that holds
/// byte `offset` (`/rules/3/when`), with the span of its key (of the item,
/// for an array's). `None` if `src` is not JSON or nothing holds `offset`.
pub fn json_path_at(src: &str, file: FileId, offset: usize) -> Option<(String, Span)> {
    let doc = value::read(src, file, Limits::MAX_DEPTH_CEILING + 8).ok()?;
    let inside = |span: Span| (span.start as usize) <= offset && offset < span.end as usize;
    let mut path = Path::root();
    let mut at: Option<Span> = None;
    let mut node = &doc;
    loop {
        let next = match &node.kind {
            value::Kind::Object(members) => members
                .iter()
                .find(|m| inside(m.key.span.to(m.value.span)))
                .map(|m| (path.key(&m.key.value), m.key.span, &m.value)),
            value::Kind::Array(items) => items
                .iter()
                .enumerate()
                .find(|(_, v)| inside(v.span))
                .map(|(i, v)| (path.index(i), v.span, v)),
            _ => None,
        };
        match next {
            Some((p, span, v)) => {
                path = p;
                at = Some(span);
                node = v;
            }
            None => return at.map(|span| (path.to_string(), span)),
        }
    }
}

/// A JSON pointer (RFC 6901), built as the reader descends.
#[derive(Clone, Debug, Default)]
pub(crate) struct Path(String);

impl Path {
    /// The document itself (written `/`).
    pub fn root() -> Self {
        Path(String::new())
    }

    /// The member `key` of this object.
    pub fn key(&self, key: &str) -> Self {
        Path(format!("{}/{}", self.0, key.replace('~', "~0").replace('/', "~1")))
    }

    /// Item `i` of this array.
    pub fn index(&self, i: usize) -> Self {
        Path(format!("{}/{i}", self.0))
    }
}

impl fmt::Display for Path {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.0.is_empty() {
            f.write_str("/")
        } else {
            f.write_str(&self.0)
        }
    }
}

#[cfg(test)]
mod tests;
