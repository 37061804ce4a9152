//! Lowering statements: `version`, `context` and its field declarations,
//! `model`, `target`, `let`, `defaults`, rules with their name, priority
//! and guard, and `test` lines. Conditions, targets and literals are
//! lowered by the sibling modules.

use pest::iterators::Pair;

use super::{expected, Kids, Lower, Result};
use crate::ast::{
    FieldDecl, Guard, Item, LetDecl, ModelDecl, RuleDecl, TargetDecl, TestDecl, TypeExpr,
};
use crate::grammar::Rule;
use crate::span::Spanned;

impl Lower<'_> {
    pub(super) fn statement(&mut self, pair: Pair<'_, Rule>) -> Result<Spanned<Item>> {
        let span = self.span(&pair);
        let rule = pair.as_rule();
        let mut k = self.kids(pair);
        let item = match rule {
            Rule::version_stmt => {
                k.next()?;
                Item::Version(self.string(k.next()?)?)
            }
            Rule::timezone_stmt => {
                k.next()?;
                Item::TimeZone(self.string(k.next()?)?)
            }
            Rule::context_stmt => {
                k.next()?;
                Item::Context(k.map(|f| self.field_decl(f)).collect::<Result<_>>()?)
            }
            Rule::model_stmt => {
                k.next()?;
                let name = self.text(&k.next()?);
                let id = self.string(k.next()?)?;
                Item::Model(ModelDecl { name, id })
            }
            Rule::target_stmt => {
                k.next()?;
                let name = self.text(&k.next()?);
                let target = self.target(k.next()?)?;
                Item::Target(TargetDecl { name, target })
            }
            Rule::let_stmt => {
                k.next()?;
                let name = self.text(&k.next()?);
                let cond = self.condition(k.next()?)?;
                Item::Let(LetDecl { name, cond })
            }
            Rule::defaults_stmt => {
                k.next()?;
                Item::Defaults(self.options(k)?)
            }
            Rule::rule_stmt => Item::Rule(self.rule(k)?),
            Rule::test_stmt => Item::Test(self.test(k)?),
            _ => return Err(expected::internal(span)),
        };
        Ok(Spanned::new(item, span))
    }

    fn field_decl(&mut self, pair: Pair<'_, Rule>) -> Result<Spanned<FieldDecl>> {
        let span = self.span(&pair);
        let mut k = self.kids(pair);
        let name = self.text(&k.next()?);
        let ty_pair = k.next()?;
        let ty_span = self.span(&ty_pair);
        let inner = self.kids(ty_pair).next()?;
        let ty = match inner.as_rule() {
            Rule::type_bool => TypeExpr::Bool,
            Rule::type_int => TypeExpr::Int,
            Rule::type_float => TypeExpr::Float,
            Rule::type_string => TypeExpr::String,
            _ => TypeExpr::Enum(
                self.kids(inner)
                    .map(|s| self.string(s))
                    .collect::<Result<_>>()?,
            ),
        };
        let default = k.next_opt().map(|l| self.literal(l)).transpose()?;
        Ok(Spanned::new(
            FieldDecl {
                name,
                ty: Spanned::new(ty, ty_span),
                default,
            },
            span,
        ))
    }

    fn rule(&mut self, mut k: Kids<'_>) -> Result<RuleDecl> {
        let mut name = None;
        let mut priority = None;
        let guard;
        loop {
            let p = k.next()?;
            match p.as_rule() {
                Rule::kw_rule => {}
                Rule::name => name = Some(self.text(&p)),
                Rule::priority => {
                    let mut pk = self.kids(p);
                    pk.next()?;
                    priority = Some(self.int(pk.next()?)?);
                }
                Rule::guard => {
                    guard = self.guard(p)?;
                    break;
                }
                _ => return Err(expected::internal(self.span(&p))),
            }
        }
        let target = self.target(k.next()?)?;
        Ok(RuleDecl {
            name,
            priority,
            guard,
            target,
        })
    }

    fn guard(&mut self, pair: Pair<'_, Rule>) -> Result<Guard> {
        let mut k = self.kids(pair);
        let first = k.next()?;
        if first.as_rule() == Rule::otherwise {
            return Ok(Guard::Otherwise(self.span(&first)));
        }
        Ok(Guard::When(self.condition(k.next()?)?))
    }

    fn test(&mut self, mut k: Kids<'_>) -> Result<TestDecl> {
        k.next()?;
        let name = self.text(&k.next()?);
        let ctx = k.next()?;
        let ctx_span = self.span(&ctx);
        let mut pairs = Vec::new();
        for tp in self.kids(ctx) {
            let mut tk = self.kids(tp);
            let field = self.text(&tk.next()?);
            let value = self.literal(tk.next()?)?;
            pairs.push((field, value));
        }
        let rule = self.text(&k.next()?);
        let arm = match k.next_if(Rule::test_arm) {
            Some(a) => {
                let mut ak = self.kids(a);
                ak.next()?;
                Some(self.text(&ak.next()?))
            }
            None => None,
        };
        let model = match k.next_if(Rule::test_model) {
            Some(m) => {
                let mut mk = self.kids(m);
                mk.next()?;
                Some(self.string(mk.next()?)?)
            }
            None => None,
        };
        let fallbacks = match k.next_if(Rule::test_fallback) {
            Some(f) => {
                let span = self.span(&f);
                let mut fk = self.kids(f);
                fk.next()?;
                let ids = fk.map(|p| self.string(p)).collect::<Result<Vec<_>>>()?;
                Some(Spanned::new(ids, span))
            }
            None => None,
        };
        Ok(TestDecl {
            name,
            context: Spanned::new(pairs, ctx_span),
            rule,
            arm,
            model,
            fallbacks,
        })
    }
}

#[cfg(test)]
mod tests {
    use crate::ast::*;
    use crate::lower::tests::{ok, rule};

    #[test]
    fn names_may_contain_dashes_and_dots() {
        let f = ok("model gemini-2.0-flash = \"google/gemini-2.0-flash-001\"\nrule a.b-c priority 3: otherwise -> gemini-2.0-flash");
        let r = rule(&f, 1);
        assert_eq!(r.name.as_ref().unwrap().node, "a.b-c");
        assert_eq!(r.priority.as_ref().unwrap().node, 3);
    }

    #[test]
    fn tests_and_context() {
        let f = ok("context { a: \"x\" | \"y\" = \"x\" b: int c: float = 1.0 }\ntest t1: { a: \"y\", b: 3 } -> r model \"m/x\"\nrule r: otherwise -> m");
        let Item::Context(fields) = &f.items[0].node else {
            panic!()
        };
        assert_eq!(fields.len(), 3);
        assert!(matches!(&fields[0].ty.node, TypeExpr::Enum(v) if v.len() == 2));
        let Item::Test(t) = &f.items[1].node else {
            panic!()
        };
        assert_eq!(t.context.len(), 2);
        assert_eq!(t.model.as_ref().unwrap().node, "m/x");
    }
}
