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
use crate::span::{FileId, Spanned};

/// The top-level keys, in the order `fmt --to json` writes them.
pub(crate) const TOP_KEYS: &[&str] = &[
    "version", "timezone", "context", "models", "targets", "lets", "defaults", "rules", "tests",
];

/// Lowers JSON values to statements, collecting every error.
pub(crate) struct Lowering<'a> {
    pub file: FileId,
    pub limits: &'a Limits,
    pub errors: Vec<ParseError>,
    pub items: Vec<Spanned<Item>>,
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

    /// The top-level object.
    pub fn document(&mut self, doc: &Json) {
        let root = Path::root();
        let Some(members) = self.object(doc, &root, "a ruleset") else {
            return;
        };
        for m in members {
            let path = root.key(&m.key.value);
            match m.key.value.as_str() {
                "version" => {
                    if let Some(s) = self.string(&m.value, &path) {
                        self.push(Item::Version(Spanned::new(s.value.clone(), s.span)), m);
                    }
                }
                "timezone" => {
                    if let Some(s) = self.string(&m.value, &path) {
                        self.push(Item::TimeZone(Spanned::new(s.value.clone(), s.span)), m);
                    }
                }
                "context" => self.context(m, &path),
                "models" => self.named(m, &path, "models", |l, name, v, p| {
                    let id = l.string(v, p)?;
                    Some(Item::Model(ModelDecl {
                        name,
                        id: Spanned::new(id.value.clone(), id.span),
                    }))
                }),
                "targets" => self.named(m, &path, "targets", |l, name, v, p| {
                    let target = l.target(v, p)?;
                    Some(Item::Target(TargetDecl { name, target }))
                }),
                "lets" => self.named(m, &path, "conditions", |l, name, v, p| {
                    let cond = l.condition(v, p)?;
                    Some(Item::Let(LetDecl { name, cond }))
                }),
                "defaults" => self.defaults(m, &path),
                "rules" => {
                    for (i, r) in self
                        .array(&m.value, &path, "rules")
                        .unwrap_or_default()
                        .iter()
                        .enumerate()
                    {
                        let path = path.index(i);
                        if let Some(rule) = self.rule(r, &path) {
                            self.items.push(Spanned::new(Item::Rule(rule), r.span));
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
                        if let Some(test) = self.test(t, &path) {
                            self.items.push(Spanned::new(Item::Test(test), t.span));
                        }
                    }
                }
                _ => self.unknown_key(m, &root, TOP_KEYS),
            }
        }
    }

    fn push(&mut self, item: Item, m: &Member) {
        self.items
            .push(Spanned::new(item, m.key.span.to(m.value.span)));
    }

    /// An object of `name: value` members, one statement each.
    fn named(
        &mut self,
        m: &Member,
        path: &Path,
        what: &str,
        mut f: impl FnMut(&mut Self, Spanned<String>, &Json, &Path) -> Option<Item>,
    ) {
        for member in self.object(&m.value, path, what).unwrap_or_default() {
            let path = path.key(&member.key.value);
            if let Some(item) = f(self, name_of(&member.key), &member.value, &path) {
                self.push(item, member);
            }
        }
    }

    /// `"context": { "field": TYPE | { "type": TYPE, "default": V } }`.
    fn context(&mut self, m: &Member, path: &Path) {
        let mut fields = Vec::new();
        for f in self
            .object(&m.value, path, "the context's fields")
            .unwrap_or_default()
        {
            let path = path.key(&f.key.value);
            let (ty, default) = match &f.value.kind {
                Kind::Object(members) => {
                    let (mut ty, mut default) = (None, None);
                    for member in members {
                        let p = path.key(&member.key.value);
                        match member.key.value.as_str() {
                            "type" => ty = self.type_expr(&member.value, &p),
                            "default" => default = self.literal(&member.value, &p),
                            _ => self.unknown_key(member, &path, &["type", "default"]),
                        }
                    }
                    if ty.is_none() && !members.iter().any(|m| m.key.value == "type") {
                        self.shape(f.value.span, &path, "a field needs a `type`", "add `\"type\": \"int\"` (or bool, float, string, or an array of strings)");
                    }
                    (ty, default)
                }
                _ => (self.type_expr(&f.value, &path), None),
            };
            if let Some(ty) = ty {
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
        self.push(Item::Context(fields), m);
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
                self.items.push(Spanned::new(item, v.span));
            }
        }
    }

    /// `{ "name", "priority", "when" | "conditions" | "otherwise", "target" }`.
    fn rule(&mut self, v: &Json, path: &Path) -> Option<RuleDecl> {
        const KEYS: &[&str] = &[
            "name",
            "priority",
            "when",
            "conditions",
            "otherwise",
            "target",
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
        Some(RuleDecl {
            name,
            priority,
            guard: guard?,
            target: target?,
        })
    }
}
