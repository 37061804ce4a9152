//! Rulesets written in JSON (docs/reference/json.md): read into the same
//! syntax tree as a `.route` file, with spans pointing into the JSON text,
//! and written back from a tree.
//!
//! A file whose name ends in `.json` is read this way by
//! [`crate::parse_sources`]; everything after the parser (checking,
//! compiling, formatting back to `.route`) is the same for both forms.

mod conditions;
mod expect;
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
/// as `fmt` lays it out, JSON as [`to_json`] writes it. `.route` to
/// `.route` keeps comments; JSON has none to keep, so converting `.route`
/// to JSON leaves them out (the caller can tell the user: the parsed file's
/// comments are in [`RuleFile::comments`]).
///
/// Like [`crate::format_source`], it checks its own work: if the output
/// does not read back to the same statements, the answer is an internal
/// error, never text that would change the ruleset.
pub fn convert(
    src: &str,
    file: FileId,
    from: Form,
    to: Form,
    limits: &Limits,
) -> Result<String, ParseErrors> {
    if (from, to) == (Form::Route, Form::Route) {
        return crate::format_source(src, file, limits);
    }
    let tree = match from {
        Form::Route => crate::parse(src, file, limits)?,
        Form::Json => parse_json(src, file, limits)?,
    };
    let relaxed = Limits {
        max_file_bytes: usize::MAX,
        ..*limits
    };
    let (out, back, expected) = match to {
        Form::Json => {
            let out = to_json(&tree);
            let back = parse_json(&out, file, &relaxed);
            (out, back, grouped(&tree))
        }
        Form::Route => {
            let out = crate::print(&tree);
            let back = crate::parse(&out, file, &relaxed);
            (out, back, tree.items)
        }
    };
    match back {
        Ok(back) if back.items == expected => Ok(out),
        _ => Err(ParseErrors::new(vec![ParseError::Misplaced {
            span: Span::new(file, 0, 0),
            message: "internal conversion error: the converted text does not read back to the same statements".into(),
            help: "this is a bug in switchyard's converter: please report it with the file".into(),
        }])
        .unwrap_or_else(|| unreachable!("one error"))),
    }
}

/// The statements in the order the JSON form keeps them: grouped by kind
/// ([`lower::TOP_KEYS`]), each kind in its own order.
fn grouped(tree: &RuleFile) -> Vec<crate::span::Spanned<crate::ast::Item>> {
    use crate::ast::Item;
    let rank = |item: &Item| match item {
        Item::Version(_) => 0,
        Item::TimeZone(_) => 1,
        Item::Context(_) => 2,
        Item::Model(_) => 3,
        Item::Target(_) => 4,
        Item::Let(_) => 5,
        Item::Defaults(_) => 6,
        Item::Rule(_) => 7,
        Item::Test(_) => 8,
    };
    let mut items = tree.items.clone();
    items.sort_by_key(|i| rank(&i.node));
    items
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
