//! Type checking of conditions and literals: from [`Expr`] to [`Cond`].

use switchyard_syntax::ast::{self, CmpOp, Expr, Literal, Number, Operand as AstOperand};
use switchyard_syntax::{nearest, Span, Spanned};

use crate::checker::Checker;
use crate::error::{CheckError, NameKind};
use crate::ir::{Atom, AtomKind, Cond, Operand, Subject, Type, Value};

/// What other languages write for "no value" (E014 when compared with).
const NULLS: &[&str] = &["null", "nil", "None", "none", "undefined", "NULL"];

/// A subject as written, for messages.
pub(crate) fn subject_text(s: &ast::Subject) -> String {
    match s {
        ast::Subject::Field(f) => f.node.clone(),
        ast::Subject::Words(f) => format!("words({})", f.node),
        ast::Subject::Len(f) => format!("len({})", f.node),
        ast::Subject::Hour => "hour".into(),
        ast::Subject::Weekday => "weekday".into(),
    }
}

/// A literal as written, and its type described.
fn literal_text(lit: &Literal) -> (String, &'static str) {
    match lit {
        Literal::String(s) => (format!("{s:?}"), "a string"),
        Literal::Number(Number::Int(i)) => (i.to_string(), "an int"),
        Literal::Number(Number::Float(f)) => (format!("{f:?}"), "a float"),
        Literal::Bool(b) => (b.to_string(), "a bool"),
    }
}

/// Whether two subject types may be compared with `op`.
fn comparable(a: &Type, b: &Type, op: CmpOp) -> bool {
    if a.is_numeric() && b.is_numeric() {
        return true;
    }
    matches!(op, CmpOp::Eq | CmpOp::Ne) && a == b
}

fn and_or(items: Vec<Cond>, and: bool) -> Cond {
    let mut flat = Vec::with_capacity(items.len());
    for c in items {
        match c {
            Cond::And(inner) if and => flat.extend(inner),
            Cond::Or(inner) if !and => flat.extend(inner),
            other => flat.push(other),
        }
    }
    match flat.len() {
        0 => {
            if and {
                Cond::True
            } else {
                Cond::False
            }
        }
        1 => flat.pop().unwrap_or(Cond::True),
        _ if and => Cond::And(flat),
        _ => Cond::Or(flat),
    }
}

impl Checker<'_> {
    /// Types a literal for a value of type `ty` (`subject` names it in
    /// messages). With `mixed` (comparisons), ints and floats mix and a
    /// number keeps the kind it is written in; without (defaults, test
    /// contexts), the literal must have the type exactly, except that a
    /// float takes an integer literal, converted to the nearest float.
    pub(crate) fn literal(
        &mut self,
        ty: &Type,
        lit: &Spanned<Literal>,
        subject: &str,
        mixed: bool,
    ) -> Option<Value> {
        let value = match (ty, &lit.node) {
            (Type::Bool, Literal::Bool(b)) => Some(Value::Bool(*b)),
            (Type::Int, Literal::Number(Number::Int(i))) => Some(Value::Int(*i)),
            (Type::Int, Literal::Number(Number::Float(f))) if mixed => Some(Value::Float(*f)),
            // An int literal compared with a float stays an int: it is
            // never rounded (`x < 9007199254740993` is exact).
            (Type::Float, Literal::Number(Number::Int(i))) if mixed => Some(Value::Int(*i)),
            (Type::Float, Literal::Number(n)) => Some(Value::Float(n.as_f64())),
            (Type::String, Literal::String(s)) => Some(Value::Str(s.clone())),
            (Type::Enum(values), Literal::String(s)) => {
                if let Some(i) = ty.enum_index(s) {
                    return Some(Value::Enum(i));
                }
                self.error(CheckError::NotInEnum {
                    span: lit.span,
                    value: s.clone(),
                    subject: subject.to_string(),
                    values: values.clone(),
                    suggestion: nearest(s, values.iter().map(String::as_str)).map(String::from),
                });
                return None;
            }
            _ => None,
        };
        if value.is_none() {
            let (text, found) = literal_text(&lit.node);
            self.error(CheckError::ValueType {
                span: lit.span,
                subject: subject.to_string(),
                expected: ty.describe().to_string(),
                value: text,
                found,
            });
        }
        value
    }

    /// Resolves a subject to its typed form.
    pub(crate) fn subject(&mut self, s: &Spanned<ast::Subject>) -> Option<(Subject, Type)> {
        match &s.node {
            ast::Subject::Field(name) => {
                let id = self.field_ref(name)?;
                Some((Subject::Field(id), self.field_type(id)))
            }
            ast::Subject::Words(name) | ast::Subject::Len(name) => {
                let id = self.field_ref(name)?;
                let ty = self.field_type(id);
                let words = matches!(s.node, ast::Subject::Words(_));
                if ty != Type::String {
                    self.error(CheckError::OperatorType {
                        span: name.span,
                        op: if words { "words" } else { "len" }.into(),
                        subject: name.node.clone(),
                        expected: "a string",
                        found: ty.describe(),
                    });
                    return None;
                }
                Some((
                    if words {
                        Subject::Words(id)
                    } else {
                        Subject::Len(id)
                    },
                    Type::Int,
                ))
            }
            ast::Subject::Hour => Some((Subject::Hour, Type::Int)),
            ast::Subject::Weekday => Some((Subject::Weekday, Type::weekday())),
        }
    }

    /// Types a condition.
    pub(crate) fn cond(&mut self, e: &Spanned<Expr>) -> Cond {
        match &e.node {
            Expr::Or(items) => {
                let items = items.iter().map(|i| self.cond(i)).collect();
                and_or(items, false)
            }
            Expr::And(items) => {
                let items = items.iter().map(|i| self.cond(i)).collect();
                and_or(items, true)
            }
            Expr::Not(inner) => Cond::Not(Box::new(self.cond(inner))),
            Expr::Paren(inner) => self.cond(inner),
            Expr::Bool(true) => Cond::True,
            Expr::Bool(false) => Cond::False,
            Expr::Name(name) => self.bare_name(name, e.span),
            Expr::Has(name) => match self.field_ref(name) {
                Some(id) => atom(AtomKind::Has(id), e.span),
                None => Cond::False,
            },
            Expr::Compare { lhs, op, rhs } => self.compare(lhs, op, rhs, e.span),
            Expr::InList {
                lhs,
                negated,
                values,
            } => {
                let Some((subject, ty)) = self.subject(lhs) else {
                    return Cond::False;
                };
                let text = subject_text(&lhs.node);
                let mut typed = Vec::with_capacity(values.node.len());
                for v in &values.node {
                    if let Some(v) = self.literal(&ty, v, &text, true) {
                        typed.push(v);
                    }
                }
                atom(
                    AtomKind::In {
                        lhs: subject,
                        values: typed,
                        negated: *negated,
                    },
                    e.span,
                )
            }
            Expr::InRange {
                lhs,
                negated,
                lo,
                hi,
                inclusive,
            } => {
                let Some((subject, ty)) = self.subject(lhs) else {
                    return Cond::False;
                };
                if !ty.is_numeric() {
                    self.operator_type(lhs, "in", "a number", &ty);
                    return Cond::False;
                }
                atom(
                    AtomKind::Range {
                        lhs: subject,
                        lo: lo.node,
                        hi: hi.node,
                        inclusive: *inclusive,
                        negated: *negated,
                    },
                    e.span,
                )
            }
            Expr::Matches { lhs, regex } => {
                let pattern = self.compile_regex(regex);
                let subject = self.string_subject(lhs, "matches");
                match (subject, pattern) {
                    (Some(lhs), Some(pattern)) => atom(AtomKind::Matches { lhs, pattern }, e.span),
                    _ => Cond::False,
                }
            }
            Expr::StrTest { lhs, op, needle } => match self.string_subject(lhs, op.node.as_str()) {
                Some(subject) => atom(
                    AtomKind::Str {
                        lhs: subject,
                        op: op.node,
                        needle: needle.node.clone(),
                    },
                    e.span,
                ),
                None => Cond::False,
            },
        }
    }

    fn operator_type(
        &mut self,
        lhs: &Spanned<ast::Subject>,
        op: &str,
        expected: &'static str,
        ty: &Type,
    ) {
        self.error(CheckError::OperatorType {
            span: lhs.span,
            op: op.to_string(),
            subject: subject_text(&lhs.node),
            expected,
            found: ty.describe(),
        });
    }

    /// A subject that must be a string (text tests).
    fn string_subject(&mut self, lhs: &Spanned<ast::Subject>, op: &str) -> Option<Subject> {
        let (subject, ty) = self.subject(lhs)?;
        if ty != Type::String {
            self.operator_type(lhs, op, "a string", &ty);
            return None;
        }
        Some(subject)
    }

    /// A bare name: a `let` or a bool field.
    fn bare_name(&mut self, name: &Spanned<String>, span: Span) -> Cond {
        if let Some(&i) = self.let_ix.get(&name.node) {
            if let Some(u) = self.let_used.get_mut(i) {
                *u = true;
            }
            return match self.let_ids.get(i) {
                Some(&id) => Cond::Let(id),
                None => Cond::False,
            };
        }
        if let Some(&id) = self.field_ix.get(&name.node) {
            if let Some(u) = self.field_used.get_mut(id.index()) {
                *u = true;
            }
            let ty = self.field_type(id);
            if ty == Type::Bool {
                return atom(AtomKind::Flag(id), span);
            }
            self.error(CheckError::NotACondition {
                span: name.span,
                name: name.node.clone(),
                ty: ty.describe(),
            });
            return Cond::False;
        }
        let candidates = self
            .fields
            .iter()
            .filter(|f| f.ty == Type::Bool)
            .map(|f| (f.name.as_str(), NameKind::Field))
            .chain(
                self.lets
                    .iter()
                    .map(|l| (l.node.name.node.as_str(), NameKind::Let)),
            );
        let candidates: Vec<(&str, NameKind)> = candidates.collect();
        let suggestion = nearest(&name.node, candidates.iter().map(|(n, _)| *n)).and_then(|s| {
            candidates
                .iter()
                .find(|(n, _)| *n == s)
                .map(|(n, k)| ((*n).to_string(), *k))
        });
        self.mark_meant(suggestion.as_ref().map(|(s, _)| s.as_str()));
        self.error(CheckError::UnknownCondition {
            span: name.span,
            name: name.node.clone(),
            suggestion,
        });
        Cond::False
    }

    fn compare(
        &mut self,
        lhs: &Spanned<ast::Subject>,
        op: &Spanned<CmpOp>,
        rhs: &Spanned<AstOperand>,
        span: Span,
    ) -> Cond {
        let Some((subject, ty)) = self.subject(lhs) else {
            return Cond::False;
        };
        let ordering = !matches!(op.node, CmpOp::Eq | CmpOp::Ne);
        if ordering && !ty.is_numeric() {
            self.operator_type(lhs, op.node.as_str(), "a number", &ty);
            return Cond::False;
        }
        let operand = match &rhs.node {
            AstOperand::Literal(lit) => {
                let lit = Spanned::new(lit.clone(), rhs.span);
                let text = subject_text(&lhs.node);
                match self.literal(&ty, &lit, &text, true) {
                    Some(v) => Operand::Value(v),
                    None => return Cond::False,
                }
            }
            AstOperand::Subject(ast::Subject::Field(word))
                if NULLS.contains(&word.node.as_str())
                    && !self.field_ix.contains_key(&word.node) =>
            {
                self.error(CheckError::NullCompare {
                    span: rhs.span,
                    field: subject_text(&lhs.node),
                    op: op.node.as_str().to_string(),
                    word: word.node.clone(),
                });
                return Cond::False;
            }
            AstOperand::Subject(s) => {
                let other = Spanned::new(s.clone(), rhs.span);
                let Some((subject2, ty2)) = self.subject(&other) else {
                    return Cond::False;
                };
                if !comparable(&ty, &ty2, op.node) {
                    self.error(CheckError::SubjectTypes {
                        span: rhs.span,
                        lhs: subject_text(&lhs.node),
                        lhs_ty: ty.to_string(),
                        rhs: subject_text(s),
                        rhs_ty: ty2.to_string(),
                    });
                    return Cond::False;
                }
                Operand::Subject(subject2)
            }
        };
        atom(
            AtomKind::Compare {
                lhs: subject,
                op: op.node,
                rhs: operand,
            },
            span,
        )
    }
}

fn atom(kind: AtomKind, span: Span) -> Cond {
    Cond::Atom(Atom { kind, span })
}
