//! Lowering conditions: `or`/`and` chains, `not` (within the depth limit),
//! parentheses, `has(...)`, boolean literals and the tests on a subject
//! (comparisons, `in` lists and ranges, `matches`, string tests), and the
//! subjects and operands they compare.

use pest::iterators::Pair;

use super::{expected, Kids, Lower, Result};
use crate::ast::{CmpOp, Expr, Operand, RegexLit, StrOp, Subject};
use crate::error::{LimitKind, ParseError};
use crate::grammar::Rule;
use crate::span::{Span, Spanned};

impl Lower<'_> {
    pub(super) fn condition(&mut self, pair: Pair<'_, Rule>) -> Result<Spanned<Expr>> {
        let span = self.span(&pair);
        let mut parts = Vec::new();
        for conj in self.kids(pair).filter(|p| p.as_rule() == Rule::conjunction) {
            parts.push(self.conjunction(conj)?);
        }
        Ok(nary(parts, span, Expr::Or))
    }

    fn conjunction(&mut self, pair: Pair<'_, Rule>) -> Result<Spanned<Expr>> {
        let span = self.span(&pair);
        let mut parts = Vec::new();
        for neg in self.kids(pair).filter(|p| p.as_rule() == Rule::negation) {
            parts.push(self.negation(neg)?);
        }
        Ok(nary(parts, span, Expr::And))
    }

    fn negation(&mut self, pair: Pair<'_, Rule>) -> Result<Spanned<Expr>> {
        let mut nots = Vec::new();
        let mut primary = None;
        for p in self.kids(pair) {
            if p.as_rule() == Rule::not_op {
                if self.depth + nots.len() >= self.limits.depth() {
                    return Err(ParseError::Limit {
                        span: self.span(&p),
                        kind: LimitKind::Depth,
                        limit: self.limits.depth(),
                        found: self.depth + nots.len() + 1,
                    });
                }
                nots.push(self.span(&p));
            } else {
                primary = Some(p);
            }
        }
        let primary = primary.ok_or_else(|| expected::internal(Span::default()))?;
        self.depth += nots.len();
        let inner = self.primary(primary);
        self.depth -= nots.len();
        let mut expr = inner?;
        for not_span in nots.into_iter().rev() {
            let span = not_span.to(expr.span);
            expr = Spanned::new(Expr::Not(Box::new(expr)), span);
        }
        Ok(expr)
    }

    fn primary(&mut self, pair: Pair<'_, Rule>) -> Result<Spanned<Expr>> {
        let span = self.span(&pair);
        let rule = pair.as_rule();
        let mut k = self.kids(pair);
        let expr = match rule {
            Rule::paren => {
                self.depth += 1;
                let inner = self.condition(k.next()?);
                self.depth -= 1;
                Expr::Paren(Box::new(inner?))
            }
            Rule::has_atom => {
                k.next()?;
                Expr::Has(self.text(&k.next()?))
            }
            Rule::bool_lit => Expr::Bool(k.next()?.as_rule() == Rule::kw_true),
            Rule::subject_atom => return self.subject_atom(k, span),
            _ => return Err(expected::internal(span)),
        };
        Ok(Spanned::new(expr, span))
    }

    fn subject_atom(&mut self, mut k: Kids<'_>, span: Span) -> Result<Spanned<Expr>> {
        let lhs = self.subject(k.next()?)?;
        let Some(tail) = k.next_opt() else {
            return match lhs.node {
                Subject::Field(name) => Ok(Spanned::new(Expr::Name(name), span)),
                other => Err(ParseError::Misplaced {
                    span,
                    message: format!("`{}` is not a condition on its own", subject_text(&other)),
                    help: "compare it, e.g. `hour >= 9` or `words(prompt) > 100`".into(),
                }),
            };
        };
        let tail_rule = tail.as_rule();
        let mut t = self.kids(tail);
        let expr = match tail_rule {
            Rule::compare_tail => {
                let op_pair = t.next()?;
                let op = CmpOp::parse(op_pair.as_str())
                    .ok_or_else(|| expected::internal(self.span(&op_pair)))?;
                let op = self.spanned(&op_pair, op);
                let rhs = self.operand(t.next()?)?;
                Expr::Compare { lhs, op, rhs }
            }
            Rule::in_tail => {
                let negated = t.next_if(Rule::not_in).is_some();
                t.next()?; // `in`
                let set = t.next()?;
                if set.as_rule() == Rule::range {
                    let mut r = self.kids(set);
                    let lo = self.number(r.next()?)?;
                    let inclusive = r.next()?.as_rule() == Rule::range_incl;
                    let hi = self.number(r.next()?)?;
                    Expr::InRange {
                        lhs,
                        negated,
                        lo,
                        hi,
                        inclusive,
                    }
                } else {
                    let list_span = self.span(&set);
                    let values = self
                        .kids(set)
                        .map(|l| self.literal(l))
                        .collect::<Result<_>>()?;
                    Expr::InList {
                        lhs,
                        negated,
                        values: Spanned::new(values, list_span),
                    }
                }
            }
            Rule::matches_tail => {
                t.next()?;
                let re = t.next()?;
                let re_span = self.span(&re);
                let mut rk = self.kids(re);
                let source = rk.next()?.as_str().to_string();
                let flags = rk
                    .next_opt()
                    .map(|f| f.as_str().to_string())
                    .unwrap_or_default();
                Expr::Matches {
                    lhs,
                    regex: Spanned::new(RegexLit { source, flags }, re_span),
                }
            }
            _ => {
                let op_pair = t.next()?;
                let op = match self.kids(op_pair.clone()).next()?.as_rule() {
                    Rule::kw_contains => StrOp::Contains,
                    Rule::kw_starts_with => StrOp::StartsWith,
                    _ => StrOp::EndsWith,
                };
                let op = self.spanned(&op_pair, op);
                let needle = self.string(t.next()?)?;
                Expr::StrTest { lhs, op, needle }
            }
        };
        Ok(Spanned::new(expr, span))
    }

    fn subject(&self, pair: Pair<'_, Rule>) -> Result<Spanned<Subject>> {
        let span = self.span(&pair);
        let inner = self.kids(pair).next()?;
        let subject = match inner.as_rule() {
            Rule::words_fn | Rule::len_fn => {
                let is_words = inner.as_rule() == Rule::words_fn;
                let mut k = self.kids(inner);
                k.next()?;
                let field = self.text(&k.next()?);
                if is_words {
                    Subject::Words(field)
                } else {
                    Subject::Len(field)
                }
            }
            Rule::kw_hour => Subject::Hour,
            Rule::kw_weekday => Subject::Weekday,
            _ => Subject::Field(self.text(&inner)),
        };
        Ok(Spanned::new(subject, span))
    }

    pub(super) fn operand(&self, pair: Pair<'_, Rule>) -> Result<Spanned<Operand>> {
        let span = self.span(&pair);
        let inner = self.kids(pair).next()?;
        Ok(if inner.as_rule() == Rule::literal {
            self.literal(inner)?.map(Operand::Literal)
        } else {
            Spanned::new(Operand::Subject(self.subject(inner)?.node), span)
        })
    }
}

/// One operand stays itself; several become an n-ary node.
fn nary(
    mut parts: Vec<Spanned<Expr>>,
    span: Span,
    make: fn(Vec<Spanned<Expr>>) -> Expr,
) -> Spanned<Expr> {
    if parts.len() == 1 {
        if let Some(only) = parts.pop() {
            return only;
        }
    }
    Spanned::new(make(parts), span)
}

fn subject_text(s: &Subject) -> String {
    match s {
        Subject::Field(f) => f.node.clone(),
        Subject::Words(f) => format!("words({})", f.node),
        Subject::Len(f) => format!("len({})", f.node),
        Subject::Hour => "hour".into(),
        Subject::Weekday => "weekday".into(),
    }
}

#[cfg(test)]
mod tests {
    use crate::ast::*;
    use crate::lower::tests::{ok, positions, rule};
    use crate::Code;

    fn cond(src: &str) -> Expr {
        let f = ok(&format!("rule r: when {src} -> m"));
        match &rule(&f, 0).guard {
            Guard::When(e) => e.node.clone(),
            Guard::Otherwise(_) => panic!("otherwise"),
        }
    }

    #[test]
    fn precedence_is_or_and_not_atom() {
        let e = cond("a or b and not c");
        let Expr::Or(parts) = e else { panic!() };
        assert_eq!(parts.len(), 2);
        let Expr::And(conj) = &parts[1].node else {
            panic!()
        };
        assert!(matches!(conj[1].node, Expr::Not(_)));
        // `not` binds to the atom, not to the comparison's left side only.
        let e = cond("not tier == \"x\"");
        let Expr::Not(inner) = e else { panic!() };
        assert!(matches!(inner.node, Expr::Compare { .. }));
    }

    #[test]
    fn chains_are_flat() {
        let e = cond("a and b and c and d");
        let Expr::And(parts) = e else { panic!() };
        assert_eq!(parts.len(), 4);
    }

    #[test]
    fn atoms() {
        assert!(
            matches!(cond("x in 9..17"), Expr::InRange { inclusive: false, lo, hi, .. }
            if lo.node == Number::Int(9) && hi.node == Number::Int(17))
        );
        assert!(matches!(
            cond("x not in 1.5..=2.5"),
            Expr::InRange {
                inclusive: true,
                negated: true,
                ..
            }
        ));
        assert!(
            matches!(cond("x not in [\"a\", \"b\",]"), Expr::InList { negated: true, values, .. } if values.len() == 2)
        );
        assert!(
            matches!(cond("words(p) > 3"), Expr::Compare { lhs, .. } if matches!(lhs.node, Subject::Words(_)))
        );
        assert!(
            matches!(cond("hour >= 9"), Expr::Compare { lhs, .. } if lhs.node == Subject::Hour)
        );
        assert!(matches!(cond("weekday == \"sat\""), Expr::Compare { .. }));
        assert!(
            matches!(cond("a == b"), Expr::Compare { rhs, .. } if matches!(rhs.node, Operand::Subject(_)))
        );
        assert!(matches!(cond("has(user)"), Expr::Has(_)));
        assert!(matches!(cond("true"), Expr::Bool(true)));
        assert!(
            matches!(cond("p starts_with \"x\""), Expr::StrTest { op, .. } if op.node == StrOp::StartsWith)
        );
        let Expr::Matches { regex, .. } = cond(r"p matches /a\/b|c/ix") else {
            panic!()
        };
        assert_eq!(regex.source, r"a\/b|c");
        assert_eq!(regex.pattern(), "a/b|c");
        assert_eq!(regex.flags, "ix");
        assert!(
            matches!(cond("(a or b) and c"), Expr::And(parts) if matches!(parts[0].node, Expr::Paren(_)))
        );
        assert!(
            matches!(cond("x == 1e-3"), Expr::Compare { rhs, .. } if rhs.node == Operand::Literal(Literal::Number(Number::Float(1e-3))))
        );
        assert!(
            matches!(cond("x == -5"), Expr::Compare { rhs, .. } if rhs.node == Operand::Literal(Literal::Number(Number::Int(-5))))
        );
    }

    #[test]
    fn depth_limits() {
        let deep = format!(
            "rule a: when {}x{} -> m",
            "(".repeat(100_000),
            ")".repeat(100_000)
        );
        assert_eq!(positions(&deep), vec![(Code::E013, 1, 14 + 64)]);
        let nots = format!("rule a: when {}x -> m", "not ".repeat(100_000));
        let p = positions(&nots);
        assert_eq!(p.len(), 1);
        assert_eq!(p[0].0, Code::E013);
        // Within the limit is fine.
        ok(&format!(
            "rule a: when {}x{} -> m",
            "(".repeat(60),
            ")".repeat(60)
        ));
        ok(&format!("rule a: when {}x -> m", "not ".repeat(60)));
    }
}
