//! The JSON form's statements: the top-level object's members, each turned
//! into the statements of the syntax tree a `.route` file would give.
//! Conditions, targets and options written as text are parsed by the rule
//! language's own parser, their spans mapped into the JSON string.

use super::comments::is_comment_key;
use super::value::{Json, Kind, Member, Str};
use super::Path;
use crate::ast::{Guard, Item, RuleDecl};
use crate::error::ParseError;
use crate::limits::Limits;
use crate::lower::parse_fragment;
use crate::print::{Attached, ItemComments, MemberComments};
use crate::span::{FileId, Span, Spanned};

/// The top-level keys, in the order `fmt --to json` writes them.
/// Not among them: `statements`, which stands alone, and `comment`.
pub(crate) const TOP_KEYS: &[&str] = &[
    "version", "timezone", "context", "models", "targets", "lets", "defaults", "rules", "tests",
];

/// Lowers JSON values to statements, collecting every error.
pub(crate) struct Lowering<'a> {
    pub file: FileId,
    pub limits: &'a Limits,
    pub errors: Vec<ParseError>,
    pub items: Vec<Spanned<Item>>,
    /// The comments of `items`, by statement.
    pub comments: Attached,
    /// Free-standing comment lines, for the next statement.
    pub pending: Vec<String>,
    /// The comments of the fields or arms of the statement being read.
    pub members: Vec<MemberComments>,
}

impl Lowering<'_> {
    /// Parses `prefix` + the string's text as one statement, with spans in
    /// the file.
    pub fn fragment(&mut self, s: &Str, prefix: &str, path: &Path, what: &str) -> Option<Item> {
        let text = format!("{prefix}{}", s.value);
        let skip = prefix.len();
        let origin = |t: usize| s.file_offset(t.saturating_sub(skip));
        match parse_fragment(&text, self.file, self.limits, &origin) {
            Ok(mut file) if file.items.len() == 1 => file.items.pop().map(|i| i.node),
            Ok(file) => {
                let n = file.items.len();
                self.shape(
                    s.span,
                    path,
                    format!("expected {what}, found {n} statements"),
                    format!("write {what} alone"),
                );
                None
            }
            Err(errors) => {
                self.errors.extend(errors.into_vec());
                None
            }
        }
    }

    /// The top-level object: the grouped members, or `statements`.
    pub fn document(&mut self, doc: &Json) {
        let root = Path::root();
        let Some(members) = self.object(doc, &root, "a ruleset") else {
            return;
        };
        if let Some(st) = members.iter().find(|m| m.key.value == "statements") {
            let grouped: Vec<&str> = members
                .iter()
                .map(|m| m.key.value.as_str())
                .filter(|k| *k != "statements" && TOP_KEYS.contains(k))
                .collect();
            if !grouped.is_empty() {
                self.shape(
                    st.key.span,
                    &root.key("statements"),
                    format!(
                        "`statements` cannot stand beside grouped members ({})",
                        grouped
                            .iter()
                            .map(|k| format!("`{k}`"))
                            .collect::<Vec<_>>()
                            .join(", ")
                    ),
                    "give every statement in `statements` (`{\"model\": NAME, \"id\": ID}`, `{\"rule\": {...}}`, ...), or leave `statements` out and group them by kind",
                );
                return;
            }
        }
        // The document's own `comment`: the lines above the first statement.
        if let Some(m) = members.iter().find(|m| m.key.value == "comment") {
            if let Some(lines) = self.comment_lines(&m.value, &root.key("comment")) {
                self.pending = lines;
            }
        }
        for m in members {
            let path = root.key(&m.key.value);
            let span = m.key.span.to(m.value.span);
            let none = ItemComments::default();
            match m.key.value.as_str() {
                "statements" => self.statements(&m.value, &path),
                "comment" => {}
                "version" => {
                    if let Some(item) = self.version(&m.value, &path) {
                        self.add(item, span, none);
                    }
                }
                "timezone" => {
                    if let Some(item) = self.timezone(&m.value, &path) {
                        self.add(item, span, none);
                    }
                }
                "context" => {
                    if let Some(item) = self.context(&m.value, &path) {
                        self.add(item, span, none);
                    }
                }
                "models" => self.named(m, &path, "models", "id", Self::model),
                "targets" => self.named(m, &path, "targets", "to", Self::target_decl),
                "lets" => self.named(m, &path, "conditions", "when", Self::let_decl),
                "defaults" => self.defaults(m, &path),
                "rules" => {
                    for (i, r) in self
                        .array(&m.value, &path, "rules")
                        .unwrap_or_default()
                        .iter()
                        .enumerate()
                    {
                        let path = path.index(i);
                        if let Some((rule, comments)) = self.rule(r, &path) {
                            self.add(Item::Rule(rule), r.span, comments);
                        }
                    }
                }
                "tests" => {
                    for (i, t) in self
                        .array(&m.value, &path, "tests")
                        .unwrap_or_default()
                        .iter()
                        .enumerate()
                    {
                        let path = path.index(i);
                        if let Some((test, comments)) = self.test(t, &path) {
                            self.add(Item::Test(test), t.span, comments);
                        }
                    }
                }
                _ => {
                    let mut known = TOP_KEYS.to_vec();
                    known.extend(["statements", "comment"]);
                    self.unknown_key(m, &root, &known);
                }
            }
        }
        self.comments.end = std::mem::take(&mut self.pending);
    }

    /// Adds a statement with its comments (and the members' comments
    /// gathered while it was read, and free-standing comments before it).
    pub fn add(&mut self, item: Item, span: Span, mut comments: ItemComments) {
        comments.members = std::mem::take(&mut self.members);
        if !self.pending.is_empty() {
            // Free-standing comment lines go first; without lines of its
            // own, the statement keeps its blank line where the kind
            // changes, above them.
            let own = comments.before.take();
            let kind_changes = self.items.last().is_some_and(|last| {
                std::mem::discriminant(&last.node) != std::mem::discriminant(&item)
            });
            let mut before = if own.is_none() && kind_changes {
                vec![String::new()]
            } else {
                Vec::new()
            };
            before.append(&mut self.pending);
            before.extend(own.unwrap_or_default());
            comments.before = Some(before);
        }
        self.items.push(Spanned::new(item, span));
        self.comments.items.push(comments);
    }

    /// `"defaults": "OPTIONS"` or an array of them, one statement each.
    fn defaults(&mut self, m: &Member, path: &Path) {
        let values: Vec<(Path, &Json)> = match &m.value.kind {
            Kind::Array(items) => items
                .iter()
                .enumerate()
                .map(|(i, v)| (path.index(i), v))
                .collect(),
            _ => vec![(path.clone(), &m.value)],
        };
        for (path, v) in values {
            let Some(s) = self.string(v, &path) else {
                continue;
            };
            if let Some(item @ Item::Defaults(_)) =
                self.fragment(s, "defaults ", &path, "target options")
            {
                self.add(item, v.span, ItemComments::default());
            }
        }
    }

    /// `{ "name", "priority", "when" | "conditions" | "otherwise", "target" }`.
    pub fn rule(&mut self, v: &Json, path: &Path) -> Option<(RuleDecl, ItemComments)> {
        const KEYS: &[&str] = &[
            "name",
            "priority",
            "when",
            "conditions",
            "otherwise",
            "target",
            "comment",
            "opening",
            "closing",
            "trailing",
        ];
        let members = self.object(v, path, "a rule")?;
        let (mut name, mut priority, mut guard, mut target) = (None, None, None, None);
        let mut guards = 0;
        let mut ok = true;
        for m in members {
            let p = path.key(&m.key.value);
            match m.key.value.as_str() {
                "name" => name = self.name(&m.value, &p),
                "priority" => priority = self.int(&m.value, &p),
                "when" => {
                    guards += 1;
                    guard = self.condition(&m.value, &p).map(Guard::When);
                }
                "conditions" => {
                    guards += 1;
                    guard = self.conditions(&m.value, &p).map(Guard::When);
                }
                "otherwise" => {
                    guards += 1;
                    if matches!(m.value.kind, Kind::Bool(true)) {
                        guard = Some(Guard::Otherwise(m.value.span));
                    } else {
                        self.shape(
                            m.value.span,
                            &p,
                            "`otherwise` takes `true`",
                            "write `\"otherwise\": true`, or give `when` instead",
                        );
                    }
                }
                "target" => target = self.target(&m.value, &p),
                k if is_comment_key(k) => {}
                _ => {
                    ok = false;
                    self.unknown_key(m, path, KEYS);
                }
            }
        }
        if !ok {
            return None;
        }
        if guards != 1 {
            let message = if guards == 0 {
                "a rule needs `when`, `conditions` or `otherwise`"
            } else {
                "a rule takes one of `when`, `conditions` and `otherwise`"
            };
            self.shape(
                v.span,
                path,
                message,
                "e.g. `\"when\": \"tier == \\\"pro\\\"\"` or `\"otherwise\": true`",
            );
            return None;
        }
        if !members.iter().any(|m| m.key.value == "target") {
            self.shape(
                v.span,
                path,
                "a rule needs a `target`",
                "e.g. `\"target\": \"mini\"`",
            );
            return None;
        }
        let comments = self.comments_of(members, path)?;
        let rule = RuleDecl {
            name,
            priority,
            guard: guard?,
            target: target?,
        };
        Some((rule, comments))
    }
}
