//! W101 and W102 for one rule: its terms, and whether the terms of the
//! earlier rules cover them (naming as few of those rules as do).

use crate::error::SkipReason;
use crate::ir::Ruleset;

use super::coverage::{Index, Search};
use super::dnf::{Expander, TooBig};
use super::space::{Space, Term};
use super::{can_fail, Budget, Exhausted, Finding};

/// W101 or W102 for rule `r`, adding its terms to `index` when it can
/// cover later rules.
pub(crate) fn rule_findings(
    space: &mut Space<'_>,
    expander: &mut Expander,
    index: &mut Index,
    budget: &mut Budget,
    rs: &Ruleset,
    r: usize,
) -> Result<Option<Finding>, SkipReason> {
    let Some(rule) = rs.rules.get(r) else {
        return Ok(None);
    };
    let terms = match expander.dnf(space, budget, &rule.cond, true) {
        Ok(terms) => terms,
        Err(TooBig::Terms) => {
            return Err(SkipReason::TooManyTerms {
                limit: expander.max_terms(),
            })
        }
        Err(TooBig::Work) => return Err(SkipReason::Work),
    };
    if terms.is_empty() {
        return Ok(Some(Finding::Impossible { rule: r }));
    }
    space.note_rule(r, &terms);
    let mut lists: Vec<Vec<u32>> = Vec::with_capacity(terms.len());
    let mut covered_by: Vec<usize> = Vec::new();
    for t in &terms {
        let cands = index.candidates(t, budget).map_err(|_| SkipReason::Work)?;
        let mut search = Search::new(t.clone(), cands.clone());
        match search.next(index, space, budget) {
            Ok(None) => {
                covered_by.extend(
                    search
                        .used
                        .iter()
                        .filter_map(|c| index.get(*c))
                        .map(|c| c.rule),
                );
                lists.push(cands);
            }
            Ok(Some(_)) => {
                if !can_fail(rs, rule) {
                    terms.iter().for_each(|t| index.add(t.clone(), r));
                }
                return Ok(None);
            }
            Err(Exhausted) => {
                // Still let it cover later rules: its terms are exact.
                if !can_fail(rs, rule) {
                    terms.iter().for_each(|t| index.add(t.clone(), r));
                }
                return Err(SkipReason::Work);
            }
        }
    }
    covered_by.sort_unstable();
    covered_by.dedup();
    let covered_by = fewest(space, index, budget, &terms, &lists, covered_by);
    Ok(Some(Finding::Unreachable {
        rule: r,
        covered_by,
    }))
}

/// Drops rules from `by` (the rules whose terms took part in covering
/// `terms`) while the rest still cover, latest first, so the warning names
/// no rule it does not need. Gives up (keeping what it has) past 16 rules
/// or when work runs out.
fn fewest(
    space: &Space<'_>,
    index: &Index,
    budget: &mut Budget,
    terms: &[Term],
    lists: &[Vec<u32>],
    mut by: Vec<usize>,
) -> Vec<usize> {
    if by.len() > 16 {
        return by;
    }
    for drop in by.clone().into_iter().rev() {
        if by.len() == 1 {
            break;
        }
        let keep = |c: &u32| {
            index
                .get(*c)
                .is_some_and(|c| c.rule != drop && by.contains(&c.rule))
        };
        let mut still = true;
        for (t, cands) in terms.iter().zip(lists) {
            let mut search = Search::new(t.clone(), cands.iter().copied().filter(keep).collect());
            match search.next(index, space, budget) {
                Ok(None) => {}
                Ok(Some(_)) => {
                    still = false;
                    break;
                }
                Err(Exhausted) => return by,
            }
        }
        if still {
            by.retain(|r| *r != drop);
        }
    }
    by
}
