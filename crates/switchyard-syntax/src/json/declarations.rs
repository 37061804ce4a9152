//! The named declarations of the JSON form (`models`, `targets`, `lets`,
//! their entries with comments), `version`, `timezone` and `context`.

use super::comments::{is_comment_key, COMMENT_KEYS};
use super::expect::name_of;
use super::lower::Lowering;
use super::value::{Json, Kind, Member};
use super::Path;
use crate::ast::{FieldDecl, Item, LetDecl, ModelDecl, TargetDecl, TypeExpr};
use crate::print::ItemComments;
use crate::span::Spanned;

impl Lowering<'_> {
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
    /// may be `{KEY: value, "comment", ...}` to carry comments
    /// ([`COMMENT_KEYS`]).
    pub fn named(
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
            if !is_comment_key(&m.key.value) && m.key.value != key {
                ok = false;
                let mut known = vec![key];
                known.extend(COMMENT_KEYS);
                self.unknown_key(m, path, &known);
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
}
