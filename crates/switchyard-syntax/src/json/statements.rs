//! The ordered form of a JSON ruleset: `"statements": [...]`, one object
//! per statement in file order, each naming its kind
//! (docs/reference/json.md, "Statements in order").

use super::comments::{is_comment_key, COMMENT_KEYS};
use super::expect::list;
use super::lower::Lowering;
use super::value::{Json, Member};
use super::Path;
use crate::ast::Item;
use crate::print::ItemComments;

/// The keys that name a statement's kind.
const KINDS: &[&str] = &[
    "version", "timezone", "context", "model", "target", "let", "defaults", "rule", "test", "route",
];

impl Lowering<'_> {
    /// `"statements": [STATEMENT, ...]`.
    pub fn statements(&mut self, v: &Json, path: &Path) {
        for (i, s) in self
            .array(v, path, "statements")
            .unwrap_or_default()
            .iter()
            .enumerate()
        {
            self.statement(s, &path.index(i));
        }
    }

    /// One statement object, or `{"comment": LINES}` alone.
    fn statement(&mut self, v: &Json, path: &Path) {
        let Some(members) = self.object(v, path, "a statement") else {
            return;
        };
        let kinds: Vec<&Member> = members
            .iter()
            .filter(|m| KINDS.contains(&m.key.value.as_str()))
            .collect();
        let Some(comments) = self.comments_of(members, path) else {
            return;
        };
        let kind = match kinds.as_slice() {
            [one] => *one,
            [] if !members.is_empty() && members.iter().all(|m| m.key.value == "comment") => {
                self.pending.extend(comments.before.unwrap_or_default());
                return;
            }
            [] => {
                let message = "a statement object needs one of ".to_string() + &list(KINDS);
                match members
                    .iter()
                    .find(|m| !is_comment_key(&m.key.value))
                {
                    Some(m) => self.unknown_key(m, path, KINDS),
                    None => self.shape(v.span, path, message, "e.g. {\"rule\": {\"name\": \"default\", \"otherwise\": true, \"target\": \"mini\"}}, or {\"comment\": \"# ...\"} alone"),
                }
                return;
            }
            [first, second, ..] => {
                self.shape(
                    second.key.span,
                    path,
                    format!(
                        "`{}` cannot stand beside `{}`: a statement object holds one statement",
                        second.key.value, first.key.value
                    ),
                    "give each statement its own object in `statements`",
                );
                return;
            }
        };
        let key = kind.key.value.as_str();
        // The member beside the kind that holds the statement's value.
        let value_key = match key {
            "model" => Some("id"),
            "target" => Some("to"),
            "let" => Some("when"),
            _ => None,
        };
        let mut ok = true;
        for m in members {
            let k = m.key.value.as_str();
            if k != key && Some(k) != value_key && !is_comment_key(k) {
                ok = false;
                let mut known = vec![key];
                known.extend(COMMENT_KEYS);
                known.extend(value_key);
                self.unknown_key(m, path, &known);
            }
        }
        let value = match value_key {
            Some(vk) => match members.iter().find(|m| m.key.value == vk) {
                Some(m) => Some((m, path.key(vk))),
                None => {
                    self.shape(
                        v.span,
                        path,
                        format!("a `{key}` statement needs `{vk}`"),
                        match key {
                            "model" => "e.g. {\"model\": \"mini\", \"id\": \"openai/gpt-4o-mini\"}",
                            "target" => {
                                "e.g. {\"target\": \"cheap\", \"to\": \"mini max_tokens 256\"}"
                            }
                            _ => "e.g. {\"let\": \"pro\", \"when\": \"tier == \\\"pro\\\"\"}",
                        },
                    );
                    return;
                }
            },
            None => None,
        };
        if !ok {
            return;
        }
        let p = path.key(key);
        let mut comments = comments;
        let item = match (key, value) {
            ("model" | "target" | "let", Some((value, value_path))) => {
                let Some(name) = self.name(&kind.value, &p) else {
                    return;
                };
                let f = match key {
                    "model" => Self::model,
                    "target" => Self::target_decl,
                    _ => Self::let_decl,
                };
                f(self, name, &value.value, &value_path)
            }
            ("version", _) => self.version(&kind.value, &p),
            ("timezone", _) => self.timezone(&kind.value, &p),
            ("context", _) => self.context(&kind.value, &p),
            ("defaults", _) => self.string(&kind.value, &p).and_then(|s| {
                match self.fragment(s, "defaults ", &p, "target options")? {
                    item @ Item::Defaults(_) => Some(item),
                    _ => None,
                }
            }),
            ("rule", _) => self.rule(&kind.value, &p).map(|(rule, inner)| {
                comments.merge(inner);
                Item::Rule(rule)
            }),
            ("test", _) => self.test(&kind.value, &p).map(|(test, inner)| {
                comments.merge(inner);
                Item::Test(test)
            }),
            ("route", _) => self.string(&kind.value, &p).and_then(|s| {
                let item = self.fragment(s, "", &p, "one statement")?;
                comments.text = Some(s.value.trim_end().to_string());
                Some(item)
            }),
            _ => None,
        };
        if let Some(item) = item {
            self.add(item, v.span, comments);
        }
    }
}

impl ItemComments {
    /// Adds the comments written inside a rule's or test's own object to
    /// those of the statement object around it.
    fn merge(&mut self, inner: ItemComments) {
        if let Some(lines) = inner.before {
            self.before.get_or_insert_with(Vec::new).extend(lines);
        }
        if self.trailing.is_none() {
            self.trailing = inner.trailing;
        }
        if self.opening.is_none() {
            self.opening = inner.opening;
        }
        self.closing.extend(inner.closing);
    }
}
