//! Conditions to disjunctive normal form: a list of [`Term`]s whose union
//! is the condition. `not` is pushed down to the atoms (each atom and its
//! negation are one term, see [`super::atoms`]); `let`s are expanded, once
//! per polarity. Empty terms are dropped as they appear, so an impossible
//! condition has no term at all.
//!
//! The expansion is bounded: more than `max_terms` terms in a condition (or
//! in any part of it), or a product that would look at more than
//! `max_terms * 16` pairs, is [`TooBig`].

use std::collections::HashMap;
use std::rc::Rc;

use crate::ir::{Cond, LetId};

use super::space::{Space, Term};
use super::Budget;

/// Why a condition was not expanded.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum TooBig {
    /// More terms than the bound.
    Terms,
    /// The analysis's total work bound ran out.
    Work,
}

/// Whether `t` is among the first terms of `list` (repeats further on are
/// kept: removing them only saves work, and looking costs work too).
fn seen(list: &[Term], t: &Term) -> bool {
    list.iter().take(64).any(|x| x == t)
}

/// A let's expansion, shared.
type Expanded = Rc<Result<Vec<Term>, TooBig>>;

/// Expands conditions, remembering lets.
pub(crate) struct Expander {
    max_terms: usize,
    lets: HashMap<(LetId, bool), Expanded>,
}

impl Expander {
    /// An expander with this bound on terms.
    pub(crate) fn new(max_terms: usize) -> Self {
        Expander {
            max_terms: max_terms.max(1),
            lets: HashMap::new(),
        }
    }

    /// The bound on terms.
    pub(crate) fn max_terms(&self) -> usize {
        self.max_terms
    }

    /// The terms of `cond` (of `not cond` when `!positive`).
    pub(crate) fn dnf(
        &mut self,
        space: &mut Space<'_>,
        budget: &mut Budget,
        cond: &Cond,
        positive: bool,
    ) -> Result<Vec<Term>, TooBig> {
        budget.spend(1).map_err(|_| TooBig::Work)?;
        match cond {
            Cond::True | Cond::False => {
                let holds = matches!(cond, Cond::True) == positive;
                Ok(if holds { vec![Term::top()] } else { Vec::new() })
            }
            Cond::Atom(a) => Ok(space.literal(&a.kind, positive).into_iter().collect()),
            Cond::Not(c) => self.dnf(space, budget, c, !positive),
            Cond::Let(l) => {
                if let Some(done) = self.lets.get(&(*l, positive)) {
                    return (**done).clone();
                }
                let Some(decl) = space.rs.let_(*l) else {
                    return Err(TooBig::Terms);
                };
                let out = self.dnf(space, budget, &decl.cond, positive);
                self.lets.insert((*l, positive), Rc::new(out.clone()));
                out
            }
            // `a and b` is a product, `not (a and b)` a union; `or` the
            // other way round.
            Cond::And(cs) | Cond::Or(cs) => {
                let product = matches!(cond, Cond::And(_)) == positive;
                let mut acc = if product {
                    vec![Term::top()]
                } else {
                    Vec::new()
                };
                for c in cs {
                    let part = self.dnf(space, budget, c, positive)?;
                    if product {
                        acc = self.product(space, budget, &acc, &part)?;
                        if acc.is_empty() {
                            return Ok(acc);
                        }
                    } else {
                        if part.iter().any(|t| t.width() == 0) {
                            return Ok(vec![Term::top()]);
                        }
                        for t in part {
                            if !seen(&acc, &t) {
                                acc.push(t);
                            }
                        }
                        if acc.len() > self.max_terms {
                            return Err(TooBig::Terms);
                        }
                    }
                }
                Ok(acc)
            }
        }
    }

    /// Every non-empty conjunction of a term of `a` with one of `b`.
    fn product(
        &self,
        space: &Space<'_>,
        budget: &mut Budget,
        a: &[Term],
        b: &[Term],
    ) -> Result<Vec<Term>, TooBig> {
        let pairs = a.len().saturating_mul(b.len());
        if pairs > self.max_terms.saturating_mul(16) {
            return Err(TooBig::Terms);
        }
        budget
            .spend(u64::try_from(pairs).unwrap_or(u64::MAX))
            .map_err(|_| TooBig::Work)?;
        let mut out = Vec::new();
        for x in a {
            for y in b {
                if let Some(t) = x.and(y, space) {
                    if !seen(&out, &t) {
                        out.push(t);
                        if out.len() > self.max_terms {
                            return Err(TooBig::Terms);
                        }
                    }
                }
            }
        }
        Ok(out)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::analysis::Budget;

    /// The terms of each rule of `rules` (after a small schema).
    fn terms(rules: &str, max_terms: usize) -> Vec<Result<usize, TooBig>> {
        let src = format!(
            "context {{ a: bool = false  b: bool = false  n: int = 0  s: string }}\n\
             defaults max_tokens 1\n{rules}\nrule z: otherwise -> \"x/y\""
        );
        let (_, checked) = crate::tests::run(&src);
        let rs = checked.ruleset.expect("checks");
        let mut space = Space::new(&rs);
        let mut budget = Budget::new(1_000_000);
        let mut ex = Expander::new(max_terms);
        rs.rules
            .iter()
            .map(|r| {
                ex.dnf(&mut space, &mut budget, &r.cond, true)
                    .map(|t| t.len())
            })
            .collect()
    }

    #[test]
    fn negation_and_products() {
        let got = terms(
            "rule r1: when not (a and b) -> \"x/y\"\n\
             rule r2: when (a or b) and (n == 1 or n == 2) -> \"x/y\"\n\
             rule r3: when (n == 1 or n == 2) and (n == 3 or n == 4) -> \"x/y\"\n\
             rule r4: when not (s matches /x/) or true -> \"x/y\"",
            4096,
        );
        assert_eq!(got, [Ok(2), Ok(4), Ok(0), Ok(1), Ok(1)]);
    }

    #[test]
    fn the_bound_is_enforced() {
        let wide = (0..6)
            .map(|i| format!("(s contains \"{i}a\" or s contains \"{i}b\")"))
            .collect::<Vec<_>>()
            .join(" and ");
        let got = terms(&format!("rule r: when {wide} -> \"x/y\""), 32);
        assert_eq!(got[0], Err(TooBig::Terms));
        let got = terms(&format!("rule r: when {wide} -> \"x/y\""), 64);
        assert_eq!(got[0], Ok(64));
    }
}
