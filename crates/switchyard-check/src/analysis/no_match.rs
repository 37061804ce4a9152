//! E008: a context no rule matches, found by searching the whole space
//! minus every covering rule's terms, then checked exactly.

use serde_json::Value as Json;

use crate::ir::{Cond, Ruleset};

use super::coverage::{Index, Search};
use super::exact::Concrete;
use super::space::{Space, Term};
use super::{can_fail, witness, AnalysisOptions, Budget, Exhausted, Witness};

/// A verified context that no rule (that cannot fail) matches.
pub(crate) fn no_match(
    space: &Space<'_>,
    index: &Index,
    budget: &mut Budget,
    options: &AnalysisOptions,
) -> Result<Option<Witness>, Exhausted> {
    let rs = space.rs;
    let reads_time = reads_time(rs);
    let mut search = Search::new(Term::top(), index.all());
    for _ in 0..options.max_witness_tries {
        let Some(piece) = search.next(index, space, budget)? else {
            return Ok(None);
        };
        budget.spend(rs.rules.len() as u64 + 1)?;
        let concrete = witness::build(space, &piece);
        let json = witness::to_json(space, &concrete);
        // What is shown is what is checked: print, read back, evaluate.
        let Ok(Json::Object(back)) =
            serde_json::from_str::<Json>(&Json::Object(json.clone()).to_string())
        else {
            continue;
        };
        let Some(read) = witness::from_json(space, &back, concrete.hour, concrete.weekday) else {
            continue;
        };
        let Some(fallible) = unrouted(rs, &read) else {
            continue;
        };
        // Name the time only when it matters (when some time routes it),
        // and the rules are few enough to try every hour of the week.
        let any_time = !reads_time
            || (rs.rules.len() <= 1_000
                && budget.spend(168 * rs.rules.len() as u64).is_ok()
                && (0..24).all(|hour| {
                    (0..7).all(|weekday| {
                        let at = Concrete {
                            hour,
                            weekday,
                            ..read.clone()
                        };
                        unrouted(rs, &at).is_some()
                    })
                }));
        let time = (!any_time).then(|| {
            (
                u8::try_from(read.hour).unwrap_or(0),
                u8::try_from(read.weekday).unwrap_or(0),
            )
        });
        return Ok(Some(Witness {
            context: back,
            time,
            fallible,
        }));
    }
    Ok(None)
}

/// `None` when a rule that cannot fail matches `c`; else the rules that
/// match it but can fail.
fn unrouted(rs: &Ruleset, c: &Concrete) -> Option<Vec<usize>> {
    let mut fallible = Vec::new();
    for (r, rule) in rs.rules.iter().enumerate() {
        if c.holds(rs, &rule.cond) {
            if !can_fail(rs, rule) {
                return None;
            }
            fallible.push(r);
        }
    }
    Some(fallible)
}

/// Whether some condition reads `hour` or `weekday`.
fn reads_time(rs: &Ruleset) -> bool {
    use crate::ir::{AtomKind, Operand, Subject};
    fn subject(s: Subject) -> bool {
        matches!(s, Subject::Hour | Subject::Weekday)
    }
    fn cond(c: &Cond) -> bool {
        match c {
            Cond::Not(c) => cond(c),
            Cond::And(cs) | Cond::Or(cs) => cs.iter().any(cond),
            Cond::Atom(a) => match &a.kind {
                AtomKind::Compare { lhs, rhs, .. } => {
                    subject(*lhs) || matches!(rhs, Operand::Subject(s) if subject(*s))
                }
                AtomKind::In { lhs, .. }
                | AtomKind::Range { lhs, .. }
                | AtomKind::Matches { lhs, .. }
                | AtomKind::Str { lhs, .. } => subject(*lhs),
                AtomKind::Flag(_) | AtomKind::Has(_) => false,
            },
            Cond::True | Cond::False | Cond::Let(_) => false,
        }
    }
    rs.lets.iter().any(|l| cond(&l.cond)) || rs.rules.iter().any(|r| cond(&r.cond))
}
