//! Lowering targets: a model chain with its fallbacks, `cheapest [...]`,
//! `split by` with its weighted arms, model references, and the target
//! options (`max_tokens`, `provider`, `params`, `tag`, `transforms`,
//! `require`).

use pest::iterators::Pair;

use super::{Kids, Lower, Result};
use crate::ast::{Arm, Chain, ModelRef, Requirement, Target, TargetOption};
use crate::error::ParseError;
use crate::grammar::Rule;
use crate::span::Spanned;

impl Lower<'_> {
    pub(super) fn target(&mut self, pair: Pair<'_, Rule>) -> Result<Spanned<Target>> {
        let span = self.span(&pair);
        let inner = self.kids(pair).next()?;
        let rule = inner.as_rule();
        let mut k = self.kids(inner);
        let target = match rule {
            Rule::split_target => {
                k.next()?; // split
                k.next()?; // by
                let key = self.text(&k.next()?);
                let arms = k.map(|a| self.arm(a)).collect::<Result<_>>()?;
                Target::Split { key, arms }
            }
            Rule::cheapest_target => self.cheapest(k)?,
            _ => self.chain(k)?,
        };
        Ok(Spanned::new(target, span))
    }

    fn cheapest(&mut self, mut k: Kids<'_>) -> Result<Target> {
        k.next()?;
        let candidates = self.model_list(k.next()?)?;
        let options = self.options(k)?;
        Ok(Target::Cheapest {
            candidates,
            options,
        })
    }

    fn chain(&mut self, mut k: Kids<'_>) -> Result<Target> {
        let primary = self.model_ref(k.next()?)?;
        let fallbacks = match k.next_if(Rule::fallback) {
            Some(f) => {
                let mut fk = self.kids(f);
                fk.next()?;
                Some(self.model_list(fk.next()?)?)
            }
            None => None,
        };
        let options = self.options(k)?;
        Ok(Target::Chain(Chain {
            primary,
            fallbacks,
            options,
        }))
    }

    fn arm(&mut self, pair: Pair<'_, Rule>) -> Result<Spanned<Arm>> {
        let span = self.span(&pair);
        let mut k = self.kids(pair);
        let name = k.next_if(Rule::name).map(|n| self.text(&n));
        let weight = self.weight(k.next()?)?;
        let target_pair = k.next()?;
        let target_span = self.span(&target_pair);
        let inner = self.kids(target_pair).next()?;
        let rule = inner.as_rule();
        let tk = self.kids(inner);
        let target = if rule == Rule::cheapest_target {
            self.cheapest(tk)?
        } else {
            self.chain(tk)?
        };
        Ok(Spanned::new(
            Arm {
                name,
                weight,
                target: Spanned::new(target, target_span),
            },
            span,
        ))
    }

    fn weight(&self, pair: Pair<'_, Rule>) -> Result<Spanned<u32>> {
        let span = self.span(&pair);
        let text = pair.as_str();
        let digits = text.trim_end_matches('%');
        let (whole, frac) = digits.split_once('.').unwrap_or((digits, ""));
        if frac.len() > 2 {
            return Err(ParseError::BadWeight {
                span,
                text: text.to_string(),
            });
        }
        let frac_bp: u32 = format!("{frac:0<2}").parse().unwrap_or(0);
        let bp = whole
            .parse::<u32>()
            .ok()
            .and_then(|w| w.checked_mul(100))
            .and_then(|w| w.checked_add(frac_bp))
            .ok_or_else(|| ParseError::BadNumber {
                span,
                text: text.to_string(),
                reason: "split weight out of range",
            })?;
        Ok(Spanned::new(bp, span))
    }

    fn model_list(&self, pair: Pair<'_, Rule>) -> Result<Spanned<Vec<Spanned<ModelRef>>>> {
        let span = self.span(&pair);
        let models = self
            .kids(pair)
            .map(|m| self.model_ref(m))
            .collect::<Result<_>>()?;
        Ok(Spanned::new(models, span))
    }

    fn model_ref(&self, pair: Pair<'_, Rule>) -> Result<Spanned<ModelRef>> {
        let span = self.span(&pair);
        let mut k = self.kids(pair);
        let first = k.next()?;
        let model = if first.as_rule() == Rule::string {
            ModelRef::Id(self.string(first)?.node)
        } else {
            ModelRef::Name {
                name: first.as_str().to_string(),
                variant: k.next_opt().map(|v| v.as_str().to_string()),
            }
        };
        Ok(Spanned::new(model, span))
    }

    pub(super) fn options(&self, k: Kids<'_>) -> Result<Vec<Spanned<TargetOption>>> {
        k.map(|o| self.option(o)).collect()
    }

    fn option(&self, pair: Pair<'_, Rule>) -> Result<Spanned<TargetOption>> {
        let span = self.span(&pair);
        let inner = self.kids(pair).next()?;
        let rule = inner.as_rule();
        let mut k = self.kids(inner);
        k.next()?; // the keyword
        let option = match rule {
            Rule::max_tokens_opt => TargetOption::MaxTokens(self.int(k.next()?)?),
            Rule::provider_opt => TargetOption::Provider(self.object(k.next()?)?),
            Rule::params_opt => TargetOption::Params(self.object(k.next()?)?),
            Rule::tag_opt => TargetOption::Tag(self.string(k.next()?)?),
            Rule::transforms_opt => {
                let list = k.next()?;
                let list_span = self.span(&list);
                let items = self
                    .kids(list)
                    .map(|s| self.string(s))
                    .collect::<Result<_>>()?;
                TargetOption::Transforms(Spanned::new(items, list_span))
            }
            _ => TargetOption::Require(k.map(|r| self.requirement(r)).collect::<Result<_>>()?),
        };
        Ok(Spanned::new(option, span))
    }

    fn requirement(&self, pair: Pair<'_, Rule>) -> Result<Spanned<Requirement>> {
        let span = self.span(&pair);
        let inner = self.kids(pair).next()?;
        let req = match inner.as_rule() {
            Rule::req_fits => Requirement::Fits(self.text(&self.kids(inner).next()?)),
            Rule::req_cost => {
                let mut k = self.kids(inner);
                let tokens = self.text(&k.next()?);
                let max = self.operand(k.next()?)?;
                Requirement::CostAtMost { tokens, max }
            }
            _ => match inner.as_str() {
                "tools" => Requirement::Tools,
                "vision" => Requirement::Vision,
                _ => Requirement::Json,
            },
        };
        Ok(Spanned::new(req, span))
    }
}

#[cfg(test)]
mod tests {
    use crate::ast::*;
    use crate::lower::tests::{ok, rule};

    #[test]
    fn targets() {
        let f = ok(
            r#"rule r: otherwise -> claude:floor fallback [gpt-4o, "x/y:free"] max_tokens 5 provider { sort: "price", "max_price": { prompt: 1 } } tag "a" tag "b" require tools, fits(n), cost(n) <= 0.5
    target t = cheapest [a, b] require vision
    when x -> split by user { control 87.5%: m 12.5%: n fallback [o] }"#,
        );
        let r = rule(&f, 0);
        let Target::Chain(c) = &r.target.node else {
            panic!()
        };
        assert_eq!(
            c.primary.node,
            ModelRef::Name {
                name: "claude".into(),
                variant: Some("floor".into())
            }
        );
        let fb = c.fallbacks.as_ref().unwrap();
        assert_eq!(fb[1].node, ModelRef::Id("x/y:free".into()));
        assert_eq!(c.options.len(), 5);
        let TargetOption::Require(reqs) = &c.options[4].node else {
            panic!()
        };
        assert_eq!(reqs.len(), 3);
        let r = rule(&f, 2);
        assert!(r.name.is_none());
        let Target::Split { arms, .. } = &r.target.node else {
            panic!()
        };
        assert_eq!(arms[0].weight.node, 8750);
        assert_eq!(arms[1].weight.node, 1250);
        assert!(arms[1].name.is_none());
    }

    #[test]
    fn arrow_ends_a_name() {
        let f = ok("rule default: otherwise->\"m/x\"\nmodel a-b = \"x/y\"\nrule r: when x->a-b");
        assert_eq!(f.items.len(), 3);
        let r = rule(&f, 2);
        let Target::Chain(c) = &r.target.node else {
            panic!()
        };
        assert_eq!(
            c.primary.node,
            ModelRef::Name {
                name: "a-b".into(),
                variant: None
            }
        );
    }
}
