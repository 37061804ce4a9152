//! Conditions in JSON: the rule language's text in a string, a structured
//! object (`all`, `any`, `not`, `has`, or a field and an operator), or a
//! rule's `"conditions": { "field": value | [values] }`.

use super::expect::{list, name_of};
use super::lower::Lowering;
use super::value::{Json, Kind, Member};
use super::Path;
use crate::ast::{CmpOp, Expr, Item, Literal, Number, Operand, RegexLit, StrOp, Subject};
use crate::span::{Span, Spanned};

/// The operators of a structured atom, as its keys.
const OPS: &[&str] = &[
    "==",
    "!=",
    "<",
    "<=",
    ">",
    ">=",
    "in",
    "not_in",
    "matches",
    "contains",
    "starts_with",
    "ends_with",
];

/// The keys of a structured condition object.
const KEYS: &[&str] = &["all", "any", "not", "has", "field"];

impl Lowering<'_> {
    /// A condition: text, `true`/`false`, or a structured object.
    pub fn condition(&mut self, v: &Json, path: &Path) -> Option<Spanned<Expr>> {
        match &v.kind {
            Kind::String(s) => match self.fragment(s, "let x = ", path, "one condition")? {
                Item::Let(l) => Some(l.cond),
                _ => {
                    self.shape(
                        s.span,
                        path,
                        "expected a condition",
                        "write the condition alone, as after `when`",
                    );
                    None
                }
            },
            Kind::Bool(b) => Some(Spanned::new(Expr::Bool(*b), v.span)),
            Kind::Object(members) => self.structured(v, members, path),
            _ => {
                let found = v.describe();
                self.shape(
                    v.span,
                    path,
                    format!("expected a condition (a string or an object), found {found}"),
                    "e.g. \"tier == \\\"pro\\\"\" or {\"field\": \"tier\", \"==\": \"pro\"}",
                );
                None
            }
        }
    }

    /// `{"all": [..]}`, `{"any": [..]}`, `{"not": c}`, `{"has": "f"}`,
    /// `{"field": "f", OP: value}`.
    fn structured(&mut self, v: &Json, members: &[Member], path: &Path) -> Option<Spanned<Expr>> {
        let get = |k: &str| members.iter().find(|m| m.key.value == k);
        let chain = |l: &mut Self, m: &Member, and: bool| {
            let p = path.key(&m.key.value);
            let mut items = Vec::new();
            for (i, c) in l.array(&m.value, &p, "conditions")?.iter().enumerate() {
                items.push(l.condition(c, &p.index(i))?);
            }
            Some(match items.len() {
                0 => Expr::Bool(and),
                1 => items.pop()?.node,
                _ if and => Expr::And(items),
                _ => Expr::Or(items),
            })
        };
        let expr = if let Some(m) = get("all") {
            self.only(members, path, &["all"])?;
            chain(self, m, true)?
        } else if let Some(m) = get("any") {
            self.only(members, path, &["any"])?;
            chain(self, m, false)?
        } else if let Some(m) = get("not") {
            self.only(members, path, &["not"])?;
            Expr::Not(Box::new(self.condition(&m.value, &path.key("not"))?))
        } else if let Some(m) = get("has") {
            self.only(members, path, &["has"])?;
            Expr::Has(self.name(&m.value, &path.key("has"))?)
        } else if let Some(field) = get("field") {
            return self.atom(v, members, field, path);
        } else {
            match members.first() {
                Some(m) => self.unknown_key(m, path, KEYS),
                None => self.shape(
                    v.span,
                    path,
                    "an empty condition object",
                    format!("give one of {}", list(KEYS)),
                ),
            }
            return None;
        };
        Some(Spanned::new(expr, v.span))
    }

    /// Reports the members other than `keys`; `None` if there are any.
    fn only(&mut self, members: &[Member], path: &Path, keys: &[&str]) -> Option<()> {
        let mut ok = true;
        for m in members
            .iter()
            .filter(|m| !keys.contains(&m.key.value.as_str()))
        {
            ok = false;
            let message = format!("`{}` cannot stand beside {}", m.key.value, list(keys));
            self.shape(
                m.key.span,
                path,
                message,
                "nest the conditions with `all` or `any`",
            );
        }
        ok.then_some(())
    }

    /// `{"field": "tier", "==": "pro"}` and the other operators.
    fn atom(
        &mut self,
        v: &Json,
        members: &[Member],
        field: &Member,
        path: &Path,
    ) -> Option<Spanned<Expr>> {
        let lhs = self.subject(&field.value, &path.key("field"))?;
        let mut ops = members
            .iter()
            .filter(|m| m.key.value != "field" && m.key.value != "flags");
        let (Some(op), None) = (ops.next(), ops.next()) else {
            self.shape(
                v.span,
                path,
                "a field test takes exactly one operator",
                format!("the operators are {}", list(OPS)),
            );
            return None;
        };
        let p = path.key(&op.key.value);
        let flags = members.iter().find(|m| m.key.value == "flags");
        if flags.is_some() && op.key.value != "matches" {
            self.shape(
                v.span,
                path,
                "`flags` goes with `matches` only",
                "remove `flags`",
            );
            return None;
        }
        let op_span = op.key.span;
        let key = op.key.value.as_str();
        let expr = match key {
            _ if CmpOp::parse(key).is_some() => {
                let cmp = CmpOp::parse(key)?;
                let rhs = self.literal(&op.value, &p)?.map(Operand::Literal);
                Expr::Compare {
                    lhs,
                    op: Spanned::new(cmp, op_span),
                    rhs,
                }
            }
            "in" | "not_in" => {
                let mut values = Vec::new();
                for (i, item) in self.array(&op.value, &p, "values")?.iter().enumerate() {
                    values.push(self.literal(item, &p.index(i))?);
                }
                Expr::InList {
                    lhs,
                    negated: op.key.value == "not_in",
                    values: Spanned::new(values, op.value.span),
                }
            }
            "matches" => {
                let pattern = self.string(&op.value, &p)?;
                let flags = match flags {
                    Some(f) => self.string(&f.value, &path.key("flags"))?.value.clone(),
                    None => String::new(),
                };
                let source = escape_slashes(&pattern.value);
                Expr::Matches {
                    lhs,
                    regex: Spanned::new(RegexLit { source, flags }, op.value.span),
                }
            }
            _ if StrOp::parse(key).is_some() => {
                let which = StrOp::parse(key)?;
                let needle = self.string(&op.value, &p)?;
                Expr::StrTest {
                    lhs,
                    op: Spanned::new(which, op_span),
                    needle: Spanned::new(needle.value.clone(), needle.span),
                }
            }
            _ => {
                let known: Vec<&str> = OPS.iter().copied().chain(["field", "flags"]).collect();
                self.unknown_key(op, path, &known);
                return None;
            }
        };
        Some(Spanned::new(expr, v.span))
    }

    /// `"tier"`, `"hour"`, `"weekday"`, `"words(prompt)"`, `"len(prompt)"`.
    fn subject(&mut self, v: &Json, path: &Path) -> Option<Spanned<Subject>> {
        let s = self.string(v, path)?;
        let inner = |f: &str| {
            s.value
                .strip_prefix(f)
                .and_then(|r| r.strip_prefix('('))
                .and_then(|r| r.strip_suffix(')'))
        };
        let named = |name: &str| {
            let at = s.value.find(name).unwrap_or(0);
            let start = s.file_offset(at);
            Spanned::new(
                name.to_string(),
                Span::new(s.span.file, start, start + name.len()),
            )
        };
        let subject = match s.value.as_str() {
            "hour" => Subject::Hour,
            "weekday" => Subject::Weekday,
            _ => match (inner("words"), inner("len")) {
                (Some(f), _) => Subject::Words(named(f)),
                (_, Some(f)) => Subject::Len(named(f)),
                _ => Subject::Field(name_of(s)),
            },
        };
        Some(Spanned::new(subject, v.span))
    }

    /// `"conditions": {"field": value | [values]}`: every field equal to
    /// its value, or among its values.
    pub fn conditions(&mut self, v: &Json, path: &Path) -> Option<Spanned<Expr>> {
        let members = self.object(v, path, "fields and their values")?;
        let mut atoms = Vec::new();
        for m in members {
            let p = path.key(&m.key.value);
            let lhs = Spanned::new(Subject::Field(name_of(&m.key)), m.key.span);
            let span = m.key.span.to(m.value.span);
            let expr = match &m.value.kind {
                Kind::Array(items) => {
                    let mut values = Vec::new();
                    for (i, item) in items.iter().enumerate() {
                        values.push(self.literal(item, &p.index(i))?);
                    }
                    Expr::InList {
                        lhs,
                        negated: false,
                        values: Spanned::new(values, m.value.span),
                    }
                }
                _ => {
                    let rhs = self.literal(&m.value, &p)?.map(Operand::Literal);
                    Expr::Compare {
                        lhs,
                        op: Spanned::new(CmpOp::Eq, m.key.span),
                        rhs,
                    }
                }
            };
            atoms.push(Spanned::new(expr, span));
        }
        let expr = match atoms.len() {
            0 => Expr::Bool(true),
            1 => return atoms.pop(),
            _ => Expr::And(atoms),
        };
        Some(Spanned::new(expr, v.span))
    }

    /// A string, number or boolean.
    pub fn literal(&mut self, v: &Json, path: &Path) -> Option<Spanned<Literal>> {
        let lit = match &v.kind {
            Kind::String(s) => Literal::String(s.value.clone()),
            Kind::Bool(b) => Literal::Bool(*b),
            Kind::Number(n) => Literal::Number(self.number(n, v.span, path)?),
            _ => {
                let found = v.describe();
                self.shape(
                    v.span,
                    path,
                    format!("expected a string, number or boolean, found {found}"),
                    "a value is a JSON string, number, true or false",
                );
                return None;
            }
        };
        Some(Spanned::new(lit, v.span))
    }

    /// A JSON number as the rule language reads it: an integer when written
    /// without point or exponent.
    pub fn number(&mut self, text: &str, span: Span, path: &Path) -> Option<Number> {
        let n = if text.contains(['.', 'e', 'E']) {
            text.parse::<f64>()
                .ok()
                .filter(|f| f.is_finite())
                .map(Number::Float)
        } else {
            text.parse::<i64>().ok().map(Number::Int)
        };
        if n.is_none() {
            self.shape(
                span,
                path,
                format!("number out of range: `{text}`"),
                "integers are 64-bit; floats are finite",
            );
        }
        n
    }
}

/// A pattern as the text between a regex literal's slashes: `/` escaped.
fn escape_slashes(pattern: &str) -> String {
    let mut out = String::with_capacity(pattern.len());
    let mut escaped = false;
    for c in pattern.chars() {
        if c == '/' && !escaped {
            out.push('\\');
        }
        escaped = c == '\\' && !escaped;
        out.push(c);
    }
    out
}
