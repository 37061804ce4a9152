//! The JSON form's statements: the top-level object's members, each turned
//! into the statements of the syntax tree a `.route` file would give.
//! Conditions, targets and options written as text are parsed by the rule
//! language's own parser, their spans mapped into the JSON string.

use super::expect::name_of;
use super::value::{Json, Kind, Member, Str};
use super::Path;
use crate::ast::{FieldDecl, Guard, Item, LetDecl, ModelDecl, RuleDecl, TargetDecl, TypeExpr};
use crate::error::ParseError;
use crate::limits::Limits;
use crate::lower::parse_fragment;
use crate::print::{Attached, ItemComments, MemberComments};
use crate::span::{FileId, Span, Spanned};

/// The top-level keys, in the order `fmt --to json` writes them.
/// `statements`, which stands alone, is not one of them.
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
        for m in members {
            let path = root.key(&m.key.value);
            let span = m.key.span.to(m.value.span);
            let none = ItemComments::default();
            match m.key.value.as_str() {
                "statements" => self.statements(&m.value, &path),
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
                    known.push("statements");
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
            let mut before = std::mem::take(&mut self.pending);
            before.extend(comments.before.take().unwrap_or_default());
            comments.before = Some(before);
        }
        self.items.push(Spanned::new(item, span));
        self.comments.items.push(comments);
    }

    /// `"version": "S"`.
    pub fn version(&mut self, v: &Json, path: &Path) -> Option<Item> {
        let s = self.string(v, path)?;
        Some(Item::Version(Spanned::new(s.value.clone(), s.span)))
    }

    /// `"timezone": "Area/City"`.
    pub fn timezone(&mut self, v: &Json, path: &Path) -> Option<Item> {
        let s = self.string(v, path)?;
        Some(Item::TimeZone(Spanned::new(s.value.clone(), s.span)))
    }

    /// A model's id.
    pub fn model(&mut self, name: Spanned<String>, v: &Json, path: &Path) -> Option<Item> {
        let id = self.string(v, path)?;
        Some(Item::Model(ModelDecl {
            name,
            id: Spanned::new(id.value.clone(), id.span),
        }))
    }

    /// A named target's target.
    pub fn target_decl(&mut self, name: Spanned<String>, v: &Json, path: &Path) -> Option<Item> {
        let target = self.target(v, path)?;
        Some(Item::Target(TargetDecl { name, target }))
    }

    /// A `let`'s condition.
    pub fn let_decl(&mut self, name: Spanned<String>, v: &Json, path: &Path) -> Option<Item> {
        let cond = self.condition(v, path)?;
        Some(Item::Let(LetDecl { name, cond }))
    }

    /// An object of `name: value` members, one statement each; a value
    /// may be `{KEY: value, "comment", "trailing"}` to carry comments.
    fn named(
        &mut self,
        m: &Member,
        path: &Path,
        what: &str,
        key: &str,
        f: fn(&mut Self, Spanned<String>, &Json, &Path) -> Option<Item>,
    ) {
        for member in self.object(&m.value, path, what).unwrap_or_default() {
            let path = path.key(&member.key.value);
            let Some((value, value_path, comments)) = self.entry(&member.value, &path, key) else {
                continue;
            };
            if let Some(item) = f(self, name_of(&member.key), value, &value_path) {
                self.add(item, member.key.span.to(member.value.span), comments);
            }
        }
    }

    /// An entry's value and comments: `v` itself, or, when `v` is an
    /// object with a member `key`, that member's value and the object's
    /// `comment` and `trailing`.
    fn entry<'j>(
        &mut self,
        v: &'j Json,
        path: &Path,
        key: &str,
    ) -> Option<(&'j Json, Path, ItemComments)> {
        let Kind::Object(members) = &v.kind else {
            return Some((v, path.clone(), ItemComments::default()));
        };
        let Some(value) = members.iter().find(|m| m.key.value == key) else {
            return Some((v, path.clone(), ItemComments::default()));
        };
        let mut ok = true;
        for m in members {
            if !matches!(m.key.value.as_str(), "comment" | "trailing") && m.key.value != key {
                ok = false;
                self.unknown_key(m, path, &[key, "comment", "trailing"]);
            }
        }
        let comments = self.comments_of(members, path)?;
        ok.then(|| (&value.value, path.key(key), comments))
    }

    /// `"context": { "field": TYPE | { "type": TYPE, "default": V } }`.
    pub fn context(&mut self, v: &Json, path: &Path) -> Option<Item> {
        let mut fields = Vec::new();
        for f in self
            .object(v, path, "the context's fields")
            .unwrap_or_default()
        {
            let path = path.key(&f.key.value);
            let (ty, default, comments) = match &f.value.kind {
                Kind::Object(members) => {
                    let (mut ty, mut default) = (None, None);
                    for member in members {
                        let p = path.key(&member.key.value);
                        match member.key.value.as_str() {
                            "type" => ty = self.type_expr(&member.value, &p),
                            "default" => default = self.literal(&member.value, &p),
                            "comment" | "trailing" => {}
                            _ => self.unknown_key(
                                member,
                                &path,
                                &["type", "default", "comment", "trailing"],
                            ),
                        }
                    }
                    if ty.is_none() && !members.iter().any(|m| m.key.value == "type") {
                        self.shape(f.value.span, &path, "a field needs a `type`", "add `\"type\": \"int\"` (or bool, float, string, or an array of strings)");
                    }
                    (ty, default, self.comments_of(members, &path))
                }
                _ => (
                    self.type_expr(&f.value, &path),
                    None,
                    Some(ItemComments::default()),
                ),
            };
            if let (Some(ty), Some(comments)) = (ty, comments) {
                self.members.push(comments.into_member());
                let span = f.key.span.to(f.value.span);
                fields.push(Spanned::new(
                    FieldDecl {
                        name: name_of(&f.key),
                        ty,
                        default,
                    },
                    span,
                ));
            }
        }
        Some(Item::Context(fields))
    }

    /// `"int"`, `"bool"`, ... or `["a", "b"]` for a set of strings.
    fn type_expr(&mut self, v: &Json, path: &Path) -> Option<Spanned<TypeExpr>> {
        let ty = match &v.kind {
            Kind::String(s) => match s.value.as_str() {
                "bool" => TypeExpr::Bool,
                "int" => TypeExpr::Int,
                "float" => TypeExpr::Float,
                "string" => TypeExpr::String,
                other => {
                    let help = match crate::nearest(other, ["bool", "int", "float", "string"]) {
                        Some(near) => format!("did you mean `{near}`?"),
                        None => "a type is \"bool\", \"int\", \"float\", \"string\" or an array of strings".into(),
                    };
                    self.shape(v.span, path, format!("unknown type `{other}`"), help);
                    return None;
                }
            },
            Kind::Array(values) => {
                let mut names = Vec::new();
                for (i, value) in values.iter().enumerate() {
                    let s = self.string(value, &path.index(i))?;
                    names.push(Spanned::new(s.value.clone(), s.span));
                }
                if names.is_empty() {
                    self.shape(
                        v.span,
                        path,
                        "a set of strings needs at least one",
                        "list the values, e.g. [\"free\", \"pro\"]",
                    );
                    return None;
                }
                TypeExpr::Enum(names)
            }
            _ => {
                let found = v.describe();
                self.shape(
                    v.span,
                    path,
                    format!("expected a type, found {found}"),
                    "a type is \"bool\", \"int\", \"float\", \"string\" or an array of strings",
                );
                return None;
            }
        };
        Some(Spanned::new(ty, v.span))
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
                "comment" | "trailing" => {}
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
