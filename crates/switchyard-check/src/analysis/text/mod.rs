//! The text tests of one string field decided together: regexes (from
//! their syntax trees), `contains`/`starts_with`/`ends_with`, `words(F)`
//! and `len(F)` against constants, and the strings the field must not be.
//! Each becomes an automaton or a counter, and a breadth-first search over
//! their product finds the shortest strings that pass or fail each test as
//! required, or proves that none does ([`search`]).
//!
//! What it does not model (comparisons of two subjects, a regex too large
//! or using an assertion that `regex` can satisfy inside a character,
//! strings longer than [`search::MAX_TEXT_LEN`]) leaves the answer
//! unknown, never wrong: every string found is checked with
//! [`crate::semantics`], and "no string" is only claimed when the search
//! looked everywhere.

mod alphabet;
mod nfa;
mod search;

use std::collections::HashMap;

use crate::ir::{AtomKind, FieldId, Operand, Subject, Value};

use super::concrete::Concrete;
use super::int_set::IntSet;
use super::numeric::Line;
use super::{Budget, Exhausted};

use nfa::{Nfa, Unsupported};
pub(crate) use search::Outcome;
use search::Problem;

/// The NFAs of the regexes and text tests met so far, by the test, and
/// the work the searches for strings may still do.
pub(crate) struct TextTests {
    nfas: HashMap<String, Result<Nfa, Unsupported>>,
    budget: Budget,
}

/// The counts (`words` or `len`, `true` for words) of field `f` for which
/// `atom` holds, if it compares one with constants.
fn counts(atom: &AtomKind, f: FieldId) -> Option<(bool, IntSet)> {
    let lhs = match atom {
        AtomKind::Compare {
            lhs,
            rhs: Operand::Value(_),
            ..
        }
        | AtomKind::In { lhs, .. }
        | AtomKind::Range { lhs, .. } => lhs,
        _ => return None,
    };
    let words = match lhs {
        Subject::Words(g) if *g == f => true,
        Subject::Len(g) if *g == f => false,
        _ => return None,
    };
    Some((words, Line::Int(0, i64::MAX).members(atom)?))
}

impl TextTests {
    /// No NFA yet; searches may do `max_work` work in all.
    pub(crate) fn new(max_work: u64) -> Self {
        TextTests {
            nfas: HashMap::new(),
            budget: Budget::new(max_work),
        }
    }

    /// The NFA of a regex or text test on field `f`, built once.
    fn nfa(&mut self, atom: &AtomKind, f: FieldId) -> Option<&Result<Nfa, Unsupported>> {
        let built = match atom {
            AtomKind::Matches {
                lhs: Subject::Field(g),
                pattern,
            } if *g == f => {
                let key = format!("m/{}/{}", pattern.source, pattern.flags);
                if !self.nfas.contains_key(&key) {
                    self.nfas.insert(key.clone(), Nfa::regex(pattern));
                }
                key
            }
            AtomKind::Str {
                lhs: Subject::Field(g),
                op,
                needle,
            } if *g == f => {
                let key = format!("s/{op:?}/{needle}");
                if !self.nfas.contains_key(&key) {
                    self.nfas.insert(key.clone(), Nfa::text(*op, needle));
                }
                key
            }
            _ => return None,
        };
        self.nfas.get(&built)
    }

    /// Up to `want` values of string field `f` (one of `fields`) that are
    /// not among `exclude` and give each atom of `required` (atoms reading
    /// only `f`) its wanted value; or that there is none. Fails when the
    /// searches have used up their work.
    pub(crate) fn strings(
        &mut self,
        f: FieldId,
        fields: usize,
        exclude: &[&str],
        required: &[(&AtomKind, bool)],
        want: usize,
    ) -> Result<Outcome, Exhausted> {
        // Build every NFA first (the problem borrows them).
        for (atom, _) in required {
            let _ = self.nfa(atom, f);
        }
        let mut lengths = IntSet::range(0, i64::MAX);
        let mut words = lengths.clone();
        let mut tests: Vec<(&Nfa, bool)> = Vec::new();
        let mut others: Vec<(&AtomKind, bool)> = Vec::new();
        for &(atom, wanted) in required {
            if let Some((is_words, set)) = counts(atom, f) {
                let set = if wanted {
                    set
                } else {
                    set.not_within(0, i64::MAX)
                };
                let counted = if is_words { &mut words } else { &mut lengths };
                *counted = counted.and(&set);
                continue;
            }
            let key = match atom {
                AtomKind::Matches { pattern, .. } => {
                    Some(format!("m/{}/{}", pattern.source, pattern.flags))
                }
                AtomKind::Str { op, needle, .. } => Some(format!("s/{op:?}/{needle}")),
                _ => None,
            };
            match key.and_then(|k| self.nfas.get(&k)) {
                Some(Ok(nfa)) => tests.push((nfa, wanted)),
                _ => others.push((atom, wanted)),
            }
        }
        let problem = Problem {
            tests,
            lengths,
            words,
            exclude: exclude.to_vec(),
        };
        let want = if others.is_empty() { want } else { 16 };
        let outcome = search::search(&problem, want, &mut self.budget)?;
        Ok(match outcome {
            Outcome::Found(found) => {
                let good: Vec<String> = found
                    .into_iter()
                    .filter(|s| {
                        Concrete::only(fields, f, Some(Value::Str(s.clone()))).gives(required)
                    })
                    .take(want)
                    .collect();
                if good.is_empty() {
                    Outcome::Unknown
                } else {
                    Outcome::Found(good)
                }
            }
            other => other,
        })
    }
}

/// Whether `atom` reads nothing but field `f` (its value, words or length).
pub(crate) fn reads_only(atom: &AtomKind, f: FieldId) -> bool {
    let only = |s: &Subject| matches!(s, Subject::Field(g) | Subject::Words(g) | Subject::Len(g) if *g == f);
    match atom {
        AtomKind::Flag(g) | AtomKind::Has(g) => *g == f,
        AtomKind::Compare { lhs, rhs, .. } => {
            only(lhs)
                && match rhs {
                    Operand::Value(_) => true,
                    Operand::Subject(s) => only(s),
                }
        }
        AtomKind::In { lhs, .. }
        | AtomKind::Range { lhs, .. }
        | AtomKind::Matches { lhs, .. }
        | AtomKind::Str { lhs, .. } => only(lhs),
    }
}

#[cfg(test)]
mod tests;
