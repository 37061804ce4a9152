//! Targets and tests in JSON. A target is the rule language's text in a
//! string, or an object: `{"model", "fallback", OPTIONS}`,
//! `{"cheapest", OPTIONS}` or `{"split", "arms"}`; the options are
//! `max_tokens`, `provider`, `params`, `transforms`, `tag` and `require`.

use super::lower::Lowering;
use super::value::{Json, Kind, Member};
use super::Path;
use crate::ast::{Arm, Chain, Entries, Item, ModelRef, Target, TargetOption, TestDecl, Value};
use crate::print::ItemComments;
use crate::span::Spanned;

/// The keys of a target object.
const TARGET_KEYS: &[&str] = &[
    "model",
    "fallback",
    "cheapest",
    "split",
    "arms",
    "max_tokens",
    "provider",
    "params",
    "transforms",
    "tag",
    "require",
];

/// The keys of a test.
const TEST_KEYS: &[&str] = &[
    "name", "context", "rule", "arm", "model", "fallback", "comment", "trailing",
];

/// The keys of an arm.
const ARM_KEYS: &[&str] = &["name", "weight", "target", "comment", "trailing"];

impl Lowering<'_> {
    /// A target: text or an object.
    pub fn target(&mut self, v: &Json, path: &Path) -> Option<Spanned<Target>> {
        let members = match &v.kind {
            Kind::String(s) => {
                return match self.fragment(s, "target x = ", path, "one target")? {
                    Item::Target(t) => Some(t.target),
                    _ => None,
                }
            }
            Kind::Object(members) => members,
            _ => {
                let found = v.describe();
                self.shape(
                    v.span,
                    path,
                    format!("expected a target (a string or an object), found {found}"),
                    "e.g. \"mini fallback [gpt-4o]\" or {\"model\": \"mini\"}",
                );
                return None;
            }
        };
        let get = |k: &str| members.iter().find(|m| m.key.value == k);
        let target = if let Some(key) = get("split") {
            let key = self.name(&key.value, &path.key("split"))?;
            let Some(arms) = get("arms") else {
                self.shape(
                    v.span,
                    path,
                    "a split needs `arms`",
                    "e.g. \"arms\": [{\"weight\": 50, \"target\": \"a\"}, ...]",
                );
                return None;
            };
            let p = path.key("arms");
            let mut out = Vec::new();
            for (i, arm) in self.array(&arms.value, &p, "arms")?.iter().enumerate() {
                out.push(self.arm(arm, &p.index(i))?);
            }
            if let Some(m) = members
                .iter()
                .find(|m| !matches!(m.key.value.as_str(), "split" | "arms"))
            {
                self.unknown_key(m, path, &["split", "arms"]);
                return None;
            }
            Target::Split { key, arms: out }
        } else if let Some(c) = get("cheapest") {
            let candidates = self.models(&c.value, &path.key("cheapest"))?;
            let options = self.options(members, path, &["cheapest"])?;
            Target::Cheapest {
                candidates,
                options,
            }
        } else if let Some(m) = get("model") {
            let primary = self.model_ref(&m.value, &path.key("model"))?;
            let fallbacks = match get("fallback") {
                Some(f) => Some(self.models(&f.value, &path.key("fallback"))?),
                None => None,
            };
            let options = self.options(members, path, &["model", "fallback"])?;
            Target::Chain(Chain {
                primary,
                fallbacks,
                options,
            })
        } else {
            self.shape(
                v.span,
                path,
                "a target object needs `model`, `cheapest` or `split`",
                "e.g. {\"model\": \"mini\", \"max_tokens\": 512}",
            );
            return None;
        };
        Some(Spanned::new(target, v.span))
    }

    /// `{"name"?, "weight": PERCENT, "target"}`.
    fn arm(&mut self, v: &Json, path: &Path) -> Option<Spanned<Arm>> {
        let members = self.object(v, path, "an arm")?;
        let (mut name, mut weight, mut target) = (None, None, None);
        for m in members {
            let p = path.key(&m.key.value);
            match m.key.value.as_str() {
                "name" => name = Some(self.name(&m.value, &p)?),
                "weight" => weight = Some(self.weight(&m.value, &p)?),
                "target" => target = Some(self.target(&m.value, &p)?),
                "comment" | "trailing" => {}
                _ => {
                    self.unknown_key(m, path, ARM_KEYS);
                    return None;
                }
            }
        }
        let (Some(weight), Some(target)) = (weight, target) else {
            self.shape(
                v.span,
                path,
                "an arm needs a `weight` and a `target`",
                "e.g. {\"weight\": 50, \"target\": \"mini\"}",
            );
            return None;
        };
        let comments = self.comments_of(members, path)?;
        self.members.push(comments.into_member());
        Some(Spanned::new(
            Arm {
                name,
                weight,
                target,
            },
            v.span,
        ))
    }

    /// A weight in percent (`12.5`), as basis points.
    fn weight(&mut self, v: &Json, path: &Path) -> Option<Spanned<u32>> {
        let Kind::Number(text) = &v.kind else {
            let found = v.describe();
            self.shape(
                v.span,
                path,
                format!("expected a weight in percent, found {found}"),
                "e.g. 12.5 for 12.5%",
            );
            return None;
        };
        // Weights that do not add up to 100% are the checker's to report
        // (E009), as for a `.route` file.
        let basis =
            text.parse::<f64>().ok().map(|p| p * 100.0).filter(|b| {
                (0.0..=f64::from(u32::MAX)).contains(b) && (b - b.round()).abs() < 1e-6
            });
        match basis {
            // In the range of u32 and whole: the cast is exact.
            #[allow(
                clippy::cast_possible_truncation,
                clippy::cast_sign_loss,
                reason = "checked range"
            )]
            Some(b) => Some(Spanned::new(b.round() as u32, v.span)),
            None => {
                self.shape(
                    v.span,
                    path,
                    format!("`{text}` is no weight: a percentage with at most two decimals"),
                    "e.g. 12.5 for 12.5%",
                );
                None
            }
        }
    }

    /// `"alias"`, `"alias:variant"` or `"provider/model-id[:variant]"`.
    fn model_ref(&mut self, v: &Json, path: &Path) -> Option<Spanned<ModelRef>> {
        let s = self.string(v, path)?;
        let r = if s.value.contains('/') {
            ModelRef::Id(s.value.clone())
        } else {
            match s.value.split_once(':') {
                Some((name, variant)) => ModelRef::Name {
                    name: name.into(),
                    variant: Some(variant.into()),
                },
                None => ModelRef::Name {
                    name: s.value.clone(),
                    variant: None,
                },
            }
        };
        Some(Spanned::new(r, s.span))
    }

    fn models(&mut self, v: &Json, path: &Path) -> Option<Spanned<Vec<Spanned<ModelRef>>>> {
        let mut out = Vec::new();
        for (i, m) in self.array(v, path, "models")?.iter().enumerate() {
            out.push(self.model_ref(m, &path.index(i))?);
        }
        Some(Spanned::new(out, v.span))
    }

    /// The option members of a target object (`taken` are its other keys).
    fn options(
        &mut self,
        members: &[Member],
        path: &Path,
        taken: &[&str],
    ) -> Option<Vec<Spanned<TargetOption>>> {
        let mut out = Vec::new();
        for m in members
            .iter()
            .filter(|m| !taken.contains(&m.key.value.as_str()))
        {
            let p = path.key(&m.key.value);
            let option = match m.key.value.as_str() {
                "max_tokens" => TargetOption::MaxTokens(self.int(&m.value, &p)?),
                "provider" => TargetOption::Provider(self.entries(&m.value, &p)?),
                "params" => TargetOption::Params(self.entries(&m.value, &p)?),
                "transforms" => {
                    let mut names = Vec::new();
                    for (i, t) in self.array(&m.value, &p, "transforms")?.iter().enumerate() {
                        let s = self.string(t, &p.index(i))?;
                        names.push(Spanned::new(s.value.clone(), s.span));
                    }
                    TargetOption::Transforms(Spanned::new(names, m.value.span))
                }
                "tag" => {
                    let s = self.string(&m.value, &p)?;
                    TargetOption::Tag(Spanned::new(s.value.clone(), s.span))
                }
                "require" => {
                    let mut reqs = Vec::new();
                    for (i, r) in self.array(&m.value, &p, "requirements")?.iter().enumerate() {
                        let p = p.index(i);
                        let s = self.string(r, &p)?;
                        let Item::Defaults(mut opts) =
                            self.fragment(s, "defaults require ", &p, "one requirement")?
                        else {
                            return None;
                        };
                        if let Some(TargetOption::Require(found)) = opts.pop().map(|o| o.node) {
                            reqs.extend(found);
                        }
                    }
                    TargetOption::Require(reqs)
                }
                _ => {
                    self.unknown_key(m, path, TARGET_KEYS);
                    return None;
                }
            };
            out.push(Spanned::new(option, m.key.span.to(m.value.span)));
        }
        Some(out)
    }

    /// A `provider` or `params` object.
    fn entries(&mut self, v: &Json, path: &Path) -> Option<Spanned<Entries>> {
        let members = self.object(v, path, "keys and values")?;
        let mut out = Vec::new();
        for m in members {
            let value = self.value(&m.value, &path.key(&m.key.value))?;
            out.push((Spanned::new(m.key.value.clone(), m.key.span), value));
        }
        Some(Spanned::new(out, v.span))
    }

    fn value(&mut self, v: &Json, path: &Path) -> Option<Spanned<Value>> {
        let value = match &v.kind {
            Kind::String(s) => Value::String(s.value.clone()),
            Kind::Bool(b) => Value::Bool(*b),
            Kind::Number(n) => Value::Number(self.number(n, v.span, path)?),
            Kind::Array(items) => {
                let mut out = Vec::new();
                for (i, item) in items.iter().enumerate() {
                    out.push(self.value(item, &path.index(i))?);
                }
                Value::Array(out)
            }
            Kind::Object(_) => Value::Object(self.entries(v, path)?.node),
            Kind::Null => {
                self.shape(
                    v.span,
                    path,
                    "`null` is no option value",
                    "leave the key out instead",
                );
                return None;
            }
        };
        Some(Spanned::new(value, v.span))
    }

    /// `{"name", "context", "rule", "arm"?, "model"?, "fallback"?}`.
    pub fn test(&mut self, v: &Json, path: &Path) -> Option<(TestDecl, ItemComments)> {
        let members = self.object(v, path, "a test")?;
        let (mut name, mut context, mut rule, mut arm, mut model, mut fallbacks) =
            (None, None, None, None, None, None);
        for m in members {
            let p = path.key(&m.key.value);
            match m.key.value.as_str() {
                "name" => name = self.name(&m.value, &p),
                "rule" => rule = self.name(&m.value, &p),
                "arm" => arm = Some(self.name(&m.value, &p)?),
                "model" => {
                    model = self
                        .string(&m.value, &p)
                        .map(|s| Spanned::new(s.value.clone(), s.span))
                }
                "fallback" => {
                    let mut ids = Vec::new();
                    for (i, id) in self.array(&m.value, &p, "model ids")?.iter().enumerate() {
                        let s = self.string(id, &p.index(i))?;
                        ids.push(Spanned::new(s.value.clone(), s.span));
                    }
                    fallbacks = Some(Spanned::new(ids, m.value.span));
                }
                "context" => {
                    let mut pairs = Vec::new();
                    for f in self.object(&m.value, &p, "fields and values")? {
                        let value = self.literal(&f.value, &p.key(&f.key.value))?;
                        pairs.push((super::expect::name_of(&f.key), value));
                    }
                    context = Some(Spanned::new(pairs, m.value.span));
                }
                "comment" | "trailing" => {}
                _ => {
                    self.unknown_key(m, path, TEST_KEYS);
                    return None;
                }
            }
        }
        let (Some(name), Some(rule)) = (name, rule) else {
            self.shape(
                v.span,
                path,
                "a test needs a `name` and a `rule`",
                "e.g. {\"name\": \"pro\", \"context\": {\"tier\": \"pro\"}, \"rule\": \"pro\"}",
            );
            return None;
        };
        let context = context.unwrap_or_else(|| Spanned::new(Vec::new(), v.span));
        let comments = self.comments_of(members, path)?;
        let test = TestDecl {
            name,
            context,
            rule,
            arm,
            model,
            fallbacks,
        };
        Some((test, comments))
    }
}
