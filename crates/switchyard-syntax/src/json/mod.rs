//! Rulesets written in JSON (docs/reference/json.md): read into the same
//! syntax tree as a `.route` file, with spans pointing into the JSON text,
//! and written back from a tree.
//!
//! A file whose name ends in `.json` is read this way by
//! [`crate::parse_sources`]; everything after the parser (checking,
//! compiling, formatting back to `.route`) is the same for both forms.

mod comments;
mod conditions;
mod declarations;
mod expect;
mod lower;
mod statements;
mod targets;
mod value;
mod write;

use std::fmt;

use crate::ast::RuleFile;
use crate::error::{ParseError, ParseErrors};
use crate::limits::Limits;
use crate::print::Attached;
use crate::span::{FileId, Span};

pub use write::to_json;

/// Whether a file of this name holds a ruleset in JSON.
pub fn is_json_name(name: &str) -> bool {
    name.ends_with(".json")
}

/// The two forms a ruleset file is written in.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Form {
    /// The rule language (`.route`).
    Route,
    /// The JSON form (`.json`).
    Json,
}

impl Form {
    /// The form of a file by its name: JSON if it ends in `.json`.
    pub fn of_name(name: &str) -> Form {
        if is_json_name(name) {
            Form::Json
        } else {
            Form::Route
        }
    }
}

/// Converts one file's text from form `from` to form `to`: `.route` text
/// as `fmt` lays it out, JSON as `fmt --to json` writes it. Nothing is
/// lost either way: the JSON form carries the statements' order and every
/// comment and blank line `fmt` keeps (docs/reference/json.md,
/// "Converting"), so `.route` → JSON → `.route` gives the text `fmt` gives.
///
/// Like [`crate::format_source`], it checks its own work: if the output
/// does not read back to the same statements and comments, the answer is
/// an internal error, never text that would change the ruleset.
pub fn convert(
    src: &str,
    file: FileId,
    from: Form,
    to: Form,
    limits: &Limits,
) -> Result<String, ParseErrors> {
    // Canonical escapes can make the text longer than it was written.
    let relaxed = Limits {
        max_file_bytes: usize::MAX,
        ..*limits
    };
    match (from, to) {
        (Form::Route, Form::Route) => crate::format_source(src, file, limits),
        (Form::Route, Form::Json) => {
            let formatted = crate::format_source(src, file, limits)?;
            let tree = crate::parse(&formatted, file, &relaxed).map_err(|_| internal(file))?;
            let comments =
                crate::print::attached(&formatted, &tree).ok_or_else(|| internal(file))?;
            let out = write::write(&tree, &comments);
            match read(&out, file, &relaxed) {
                Ok((back, back_comments))
                    if back.items == tree.items && back_comments == comments =>
                {
                    Ok(out)
                }
                _ => Err(internal(file)),
            }
        }
        (Form::Json, _) => {
            let (tree, comments) = read(src, file, limits)?;
            let text = crate::print::print_attached(&tree, &comments);
            let route = crate::format_source(&text, file, &relaxed).map_err(|_| internal(file))?;
            match crate::parse(&route, file, &relaxed) {
                Ok(back) if back.items == tree.items => {}
                _ => return Err(internal(file)),
            }
            match to {
                Form::Route => Ok(route),
                Form::Json => convert(&route, file, Form::Route, Form::Json, &relaxed),
            }
        }
    }
}

fn internal(file: FileId) -> ParseErrors {
    let error = ParseError::Misplaced {
        span: Span::new(file, 0, 0),
        message: "internal conversion error: the converted text does not read back to the same statements and comments".into(),
        help: "this is a bug in switchyard's converter: please report it with the file".into(),
    };
    ParseErrors::new(vec![error]).unwrap_or_else(|| unreachable!("one error"))
}

/// Parses a ruleset written in JSON. Every error is reported, as for a
/// `.route` file; conditions, targets and options written as text are
/// parsed by the rule language's parser, their errors pointing into the
/// JSON string. The tree's comments are those of the `comment` and
/// `trailing` members, as empty spans at the statement, field or arm they
/// belong to (so that `# switchyard: allow(..)` works as in `.route`).
pub fn parse_json(src: &str, file: FileId, limits: &Limits) -> Result<RuleFile, ParseErrors> {
    read(src, file, limits).map(|(tree, _)| tree)
}

/// Parses a ruleset written in JSON, with its comments.
fn read(src: &str, file: FileId, limits: &Limits) -> Result<(RuleFile, Attached), ParseErrors> {
    // Room for the ruleset's own levels (document, statements, rule,
    // target, options) above the nesting a condition may have.
    let doc = value::read(src, file, limits.depth().saturating_add(8))
        .map_err(|e| ParseErrors::new(vec![e]).unwrap_or_else(|| unreachable!("one error")))?;
    let mut lowering = lower::Lowering {
        file,
        limits,
        errors: Vec::new(),
        items: Vec::new(),
        comments: Attached::default(),
        pending: Vec::new(),
        members: Vec::new(),
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
        None => {
            let mut tree = RuleFile {
                file,
                items: lowering.items,
                comments: Vec::new(),
            };
            tree.comments = comments::tree_comments(&tree, &lowering.comments, src.len());
            Ok((tree, lowering.comments))
        }
    }
}

/// The members of a JSON ruleset's text by position, to name the JSON
/// pointer (`/rules/3/when`) a diagnostic's span falls in.
#[derive(Debug)]
pub struct JsonPaths {
    doc: value::Json,
}

impl JsonPaths {
    /// Reads `src`; `None` if it is not JSON.
    pub fn new(src: &str, file: FileId) -> Option<Self> {
        let doc = value::read(src, file, Limits::MAX_DEPTH_CEILING + 8).ok()?;
        Some(JsonPaths { doc })
    }

    /// The JSON pointer of the innermost member or item that holds byte
    /// `offset`; `None` if nothing holds it.
    pub fn at(&self, offset: usize) -> Option<String> {
        let inside = |span: Span| (span.start as usize) <= offset && offset < span.end as usize;
        let mut path = Path::root();
        let mut found = false;
        let mut node = &self.doc;
        loop {
            let next = match &node.kind {
                value::Kind::Object(members) => members
                    .iter()
                    .find(|m| inside(m.key.span.to(m.value.span)))
                    .map(|m| (path.key(&m.key.value), &m.value)),
                value::Kind::Array(items) => items
                    .iter()
                    .enumerate()
                    .find(|(_, v)| inside(v.span))
                    .map(|(i, v)| (path.index(i), v)),
                _ => None,
            };
            match next {
                Some((p, v)) => {
                    path = p;
                    found = true;
                    node = v;
                }
                None => return found.then(|| path.to_string()),
            }
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
        Path(format!(
            "{}/{}",
            self.0,
            key.replace('~', "~0").replace('/', "~1")
        ))
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
