//! E008 and W109: the search for a context no rule matches. The whole
//! space minus every covering rule's terms is cut into uncovered pieces;
//! each is realized ([`witness::realize`]) into a context, checked
//! exactly against every rule and reported (E008), or shown to hold no
//! context (its opaque atoms contradict each other), or left undecided.
//! When no piece is left, coverage is proved; when some piece stays
//! undecided (or the search runs out of work), coverage is not proved
//! (W109), naming the rules whose tests were not decided.

use std::collections::BTreeSet;

use serde_json::Value as Json;

use crate::ir::{Cond, Ruleset};
use crate::semantics::cond_holds;

use super::concrete::Concrete;
use super::coverage::{Index, Search};
use super::space::{DimKind, Space, Term};
use super::text::TextTests;
use super::witness::{self, Realized};
use super::{can_fail, AnalysisOptions, Budget, Exhausted, NotProved, Witness};

/// What the search concluded.
#[derive(Clone, Debug, PartialEq)]
pub(crate) enum Coverage {
    /// Every context matches a rule that cannot fail.
    Proved,
    /// A verified context that no rule (that cannot fail) matches.
    NoMatch(Witness),
    /// Neither could be shown.
    NotProved(NotProved),
}

/// What is left undecided so far.
#[derive(Default)]
struct Undecided {
    /// Rules with tests that were not decided.
    rules: BTreeSet<usize>,
    /// Rules that matched a context their terms were not searched for
    /// (the analysis skipped them).
    skipped: BTreeSet<usize>,
}

/// Searches for a context no rule matches; `skipped` are the rules the
/// analysis did not expand (they cover nothing in the search).
pub(crate) fn coverage(
    space: &Space<'_>,
    index: &Index,
    budget: &mut Budget,
    options: &AnalysisOptions,
) -> Coverage {
    let mut undecided = Undecided::default();
    match search(space, index, budget, options, &mut undecided) {
        Ok(Some(witness)) => Coverage::NoMatch(witness),
        Ok(None) if undecided.rules.is_empty() && undecided.skipped.is_empty() => Coverage::Proved,
        Ok(None) if undecided.skipped.is_empty() => Coverage::NotProved(NotProved::Undecided {
            rules: undecided.rules.into_iter().collect(),
        }),
        Ok(None) => Coverage::NotProved(NotProved::Skipped {
            rules: undecided.skipped.into_iter().collect(),
        }),
        Err(Exhausted) => Coverage::NotProved(NotProved::Work {
            rules: undecided.rules.into_iter().collect(),
        }),
    }
}

/// The search itself: a witness, or `None` when no piece is left (then
/// `undecided` says whether every piece was decided).
fn search(
    space: &Space<'_>,
    index: &Index,
    budget: &mut Budget,
    options: &AnalysisOptions,
    undecided: &mut Undecided,
) -> Result<Option<Witness>, Exhausted> {
    let rs = space.rs;
    let reads_time = reads_time(rs);
    let mut texts = TextTests::new(options.max_text_work);
    let mut search = Search::new(Term::top(), index.all());
    let mut pieces = 0usize;
    while let Some(piece) = search.next(index, space, budget)? {
        pieces += 1;
        if pieces > options.max_witness_tries {
            // Too many pieces to look at: name the rules of the opaque
            // atoms of this one, and stop.
            note_opaque(space, &piece, undecided);
            return Err(Exhausted);
        }
        budget.spend(rs.rules.len() as u64 + 1)?;
        let concrete = match witness::realize(space, &mut texts, &piece, budget)? {
            Realized::Context(c) => c,
            Realized::Empty => continue,
            Realized::Unknown(dims) => {
                for d in dims {
                    if let Some(DimKind::Opaque(k)) = space.dim(d).map(|d| d.kind) {
                        undecided
                            .rules
                            .extend(space.opaque.get(k).iter().flat_map(|o| o.rules.iter()));
                    }
                }
                continue;
            }
        };
        let json = witness::to_json(space, &concrete);
        // What is shown is what is checked: print, read back, evaluate.
        let read = serde_json::from_str::<Json>(&Json::Object(json).to_string())
            .ok()
            .and_then(|j| match j {
                Json::Object(back) => Some(back),
                _ => None,
            })
            .and_then(|back| {
                let c = witness::from_json(space, &back, concrete.hour, concrete.weekday)?;
                Some((back, c))
            });
        let Some((back, read)) = read else {
            note_opaque(space, &piece, undecided);
            continue;
        };
        let fallible = match unrouted(rs, &read) {
            Ok(fallible) => fallible,
            Err(matched) => {
                // A rule matches a context its terms do not cover: a rule
                // whose terms the analysis did not search (skipped).
                undecided.skipped.insert(matched);
                continue;
            }
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
                        unrouted(rs, &at).is_ok()
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

/// Records the rules of the opaque atoms `piece` fixes as undecided.
fn note_opaque(space: &Space<'_>, piece: &Term, undecided: &mut Undecided) {
    for (d, _) in piece.parts() {
        if let Some(DimKind::Opaque(k)) = space.dim(*d).map(|d| d.kind) {
            undecided
                .rules
                .extend(space.opaque.get(k).iter().flat_map(|o| o.rules.iter()));
        }
    }
}

/// `Err(r)` when rule `r`, which cannot fail, matches `c`; else the rules
/// that match it but can fail.
fn unrouted(rs: &Ruleset, c: &Concrete) -> Result<Vec<usize>, usize> {
    let mut fallible = Vec::new();
    for (r, rule) in rs.rules.iter().enumerate() {
        if cond_holds(rs, &rule.cond, c) {
            if !can_fail(rs, rule) {
                return Err(r);
            }
            fallible.push(r);
        }
    }
    Ok(fallible)
}

/// Whether some condition reads `hour` or `weekday`.
fn reads_time(rs: &Ruleset) -> bool {
    fn cond(c: &Cond) -> bool {
        match c {
            Cond::Not(c) => cond(c),
            Cond::And(cs) | Cond::Or(cs) => cs.iter().any(cond),
            Cond::Atom(a) => a.kind.reads_time(),
            Cond::True | Cond::False | Cond::Let(_) => false,
        }
    }
    rs.lets.iter().any(|l| cond(&l.cond)) || rs.rules.iter().any(|r| cond(&r.cond))
}
