//! Condition analysis (docs/reference/rules.md and docs/diagnostics/): rules no context can reach
//! (W101), conditions no context satisfies (W102), contexts no rule
//! matches (E008), coverage it could neither prove nor refute (W109), and
//! where the analysis gave up (N201). Atoms mean what
//! [`crate::semantics`] says, the evaluator's own definition.
//!
//! # What it proves, and where it stops
//!
//! - **Exact** (W101, W102 and E008 are reported exactly when they hold):
//!   `==`, `!=`, `in`, `not in`, ranges and orderings against constants on
//!   ints, floats, `hour`, bools, enums, `weekday` and strings, `has`,
//!   bool fields, unset fields, `and`/`or`/`not` and lets, at any
//!   magnitude: ints and floats compare exactly (an int literal is never
//!   rounded, `i64::MAX < 2^63`), a float field holds floats, not reals.
//! - **Opaque** tests (regexes, `contains`/`starts_with`/`ends_with`,
//!   `words(F)`, `len(F)`, two subjects compared) are free booleans for
//!   W101 and W102: those warnings are sound (never wrong) but can miss a
//!   rule that only their meaning makes unreachable or impossible.
//! - **Coverage** (E008) is decided with the opaque tests' meaning: each
//!   uncovered piece of the space is realized into a context (the tests of
//!   one string field are solved together, `text/`: regexes from their
//!   syntax trees, text tests, word and character counts, strings to
//!   avoid), or shown to hold none. A context found is printed as JSON,
//!   read back as any context is, checked against every rule, and only
//!   then reported (E008). When a piece can be neither realized nor shown
//!   empty (two subjects compared with no values found, a regex too large
//!   or with an assertion `regex` can satisfy inside a character, strings
//!   longer than 4,096 characters), or a limit is reached first, coverage
//!   is *not proved*: W109 names the rules whose tests were not decided.
//!   So `check` never passes silently a ruleset that can route a request
//!   nowhere: it reports E008 or W109.
//!
//! # How
//!
//! - **Domains** (`space.rs`, `atoms.rs`, `sets.rs`, `numeric.rs`,
//!   `int_set.rs`): one dimension per field (enum and bool values as bit
//!   sets, strings as finite or co-finite sets, numbers as sets of ranges
//!   over ordered keys, ints as themselves and floats keyed so that
//!   consecutive keys are consecutive floats, plus *unset* for a field
//!   without a default), `hour` (0..=23) and `weekday`, and one free
//!   boolean per *opaque* atom, structurally equal atoms sharing one. An
//!   opaque atom can only be true when the fields it reads are set.
//! - **DNF** (`dnf.rs`): each condition, `let`s expanded, becomes a union of
//!   boxes of that space. More than [`AnalysisOptions::max_terms`] terms
//!   skips the rule with N201.
//! - **Coverage** (`coverage.rs`, `unreachable.rs`): rule *r* is
//!   unreachable (W101) when each of its terms is covered by the terms of
//!   earlier rules; the search splits the term around each earlier term
//!   that meets it and fails as soon as a piece meets none. The rules whose
//!   terms split a piece, less those the others do without, are the ones
//!   the warning names. Rules whose target can fail at run time (a
//!   `require`, its own or the `defaults`') never cover anything, for W101
//!   or E008.
//! - **Witnesses** (`no_match.rs`, `witness.rs`, `text/`, `concrete.rs`):
//!   the same search from the whole space over every rule's terms finds
//!   the pieces no rule covers, realized as above.
//!
//! All work is paid from a budget ([`AnalysisOptions::max_work`]); past it
//! the analysis stops with N201 and claims nothing more (and W109 unless a
//! catch-all covers everything). Every step is iterative or bounded by the
//! nesting of conditions, lets and regexes, so nothing hangs.

mod atoms;
mod concrete;
mod coverage;
mod dnf;
mod int_set;
mod no_match;
mod numeric;
mod report;
mod sets;
mod space;
mod text;
mod unreachable;
mod witness;

#[cfg(test)]
mod tests;

use serde_json::{Map, Value as Json};

use crate::error::SkipReason;
use crate::ir::{Cond, LetId, Rule, Ruleset, Target};

use coverage::Index;
use dnf::{Expander, TooBig};
use no_match::{coverage, Coverage};
pub use report::diagnostics;
use space::Space;
use unreachable::rule_findings;

/// Bounds on the analysis.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct AnalysisOptions {
    /// Most terms a condition may have in disjunctive normal form; a rule
    /// past it is skipped (N201). Default 4096.
    pub max_terms: usize,
    /// Total work (term intersections and tests), for the whole ruleset;
    /// past it the analysis stops (N201). Default 200 million.
    pub max_work: u64,
    /// Work spent on one rule at most; past it the rule is skipped (N201).
    /// Default 2 million.
    pub max_work_per_rule: u64,
    /// Uncovered pieces of the space the E008 search looks at (each is
    /// realized into a verified context, or shown to hold none); past it,
    /// coverage is not proved (W109). Default 256.
    pub max_witness_tries: usize,
    /// Work the E008 search may spend building strings for the text tests
    /// of string fields (regexes, `contains`, `words`, ...), in all; past
    /// it, coverage is not proved (W109). Default 20 million (about a
    /// second of searching).
    pub max_text_work: u64,
}

impl Default for AnalysisOptions {
    fn default() -> Self {
        AnalysisOptions {
            max_terms: 4096,
            max_work: 200_000_000,
            max_work_per_rule: 2_000_000,
            max_witness_tries: 256,
            max_text_work: 20_000_000,
        }
    }
}

/// A context no rule matches (or only rules that can fail to route).
#[derive(Clone, Debug, PartialEq)]
pub struct Witness {
    /// The context as JSON: set fields whose value is not their default.
    pub context: Map<String, Json>,
    /// `(hour, weekday)` of the decision time (0 is Monday), when the
    /// context routes somewhere at other times.
    pub time: Option<(u8, u8)>,
    /// Rules (indexes) whose condition holds but whose target can fail to
    /// route (it has a `require`).
    pub fallible: Vec<usize>,
}

impl Witness {
    /// A Unix time with the witness's hour and weekday (in the week of
    /// 1970-01-05, a Monday), or 0 when the time does not matter.
    pub fn unix_seconds(&self) -> i64 {
        self.time.map_or(0, |(h, d)| {
            (4 + i64::from(d)) * 86_400 + i64::from(h) * 3_600
        })
    }
}

/// One result of the analysis.
#[derive(Clone, Debug, PartialEq)]
#[non_exhaustive]
pub enum Finding {
    /// W101: rule `rule` is covered by the rules `covered_by`.
    Unreachable {
        /// Index in [`Ruleset::rules`].
        rule: usize,
        /// The earlier rules whose conditions cover it, in order.
        covered_by: Vec<usize>,
    },
    /// W102: no context satisfies rule `rule`'s condition.
    Impossible {
        /// Index in [`Ruleset::rules`].
        rule: usize,
    },
    /// W102: no context satisfies a `let`.
    ImpossibleLet {
        /// The let.
        id: LetId,
    },
    /// E008: a context that matches no rule.
    NoMatch {
        /// The context.
        witness: Witness,
    },
    /// W109: no context matching no rule was found, but that every context
    /// matches a rule could not be proved either.
    CoverageNotProved {
        /// Why.
        reason: NotProved,
    },
    /// N201: the analysis skipped a rule (or, with `rule: None`, stopped
    /// before the rules).
    Skipped {
        /// Index in [`Ruleset::rules`].
        rule: Option<usize>,
        /// Why.
        reason: SkipReason,
    },
}

/// Why coverage (every context matches a rule) was not proved (W109).
/// Each names rules (indexes in [`Ruleset::rules`]), in order.
#[derive(Clone, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub enum NotProved {
    /// The analysis could not decide the tests of these rules (a regex or
    /// text test it cannot model, a comparison of two fields it found no
    /// values for, a string longer than it builds).
    Undecided {
        /// The rules.
        rules: Vec<usize>,
    },
    /// The analysis skipped these rules (N201), and some context they
    /// match was not searched further.
    Skipped {
        /// The rules.
        rules: Vec<usize>,
    },
    /// The search reached its work limit (or looked at
    /// [`AnalysisOptions::max_witness_tries`] pieces) first; `rules` had
    /// tests it had not decided by then.
    Work {
        /// The rules.
        rules: Vec<usize>,
    },
}

/// Everything the analysis found, in rule order.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Analysis {
    /// The findings.
    pub findings: Vec<Finding>,
}

/// Work ran out.
#[derive(Clone, Copy, Debug)]
pub(crate) struct Exhausted;

/// Work left.
#[derive(Clone, Copy, Debug)]
pub(crate) struct Budget {
    left: u64,
}

impl Budget {
    pub(crate) fn new(left: u64) -> Self {
        Budget { left }
    }

    /// Pays `n`, or fails (leaving nothing) when there is not enough.
    pub(crate) fn spend(&mut self, n: u64) -> Result<(), Exhausted> {
        match self.left.checked_sub(n) {
            Some(left) => {
                self.left = left;
                Ok(())
            }
            None => {
                self.left = 0;
                Err(Exhausted)
            }
        }
    }
}

/// Deepest nesting (conditions through lets) the analysis recurses into.
const MAX_NESTING: usize = 1024;

/// Nesting depth of `cond`, lets counted through `let_depth`.
fn nesting(cond: &Cond, let_depth: &[usize]) -> usize {
    1 + match cond {
        Cond::Not(c) => nesting(c, let_depth),
        Cond::And(cs) | Cond::Or(cs) => cs.iter().map(|c| nesting(c, let_depth)).max().unwrap_or(0),
        Cond::Let(l) => let_depth.get(l.index()).copied().unwrap_or(usize::MAX - 1),
        Cond::True | Cond::False | Cond::Atom(_) => 0,
    }
}

/// Whether a target can leave a rule without a model at run time: it has
/// requirements (docs/reference/catalogs.md), which no candidate may meet. `cheapest`
/// without `require` cannot fail: every candidate passes.
fn target_can_fail(t: &Target) -> bool {
    match t {
        Target::Chain(c) => !c.options.require.is_empty(),
        Target::Cheapest(c) => !c.options.require.is_empty(),
        Target::Split(s) => s.arms.iter().any(|a| target_can_fail(&a.target)),
    }
}

/// Whether a rule whose condition holds can still not match.
pub(crate) fn can_fail(rs: &Ruleset, rule: &Rule) -> bool {
    !rs.defaults.require.is_empty() || target_can_fail(&rule.target)
}

/// Analyses the conditions of a checked ruleset.
pub fn analyze(rs: &Ruleset, options: &AnalysisOptions) -> Analysis {
    let mut findings = Vec::new();
    let mut space = Space::new(rs);
    let mut budget = Budget::new(options.max_work);
    let mut expander = Expander::new(options.max_terms);

    let mut let_depth = Vec::with_capacity(rs.lets.len());
    for l in &rs.lets {
        let d = nesting(&l.cond, &let_depth);
        let_depth.push(d);
    }
    for i in 0..rs.lets.len() {
        if let_depth.get(i).is_some_and(|d| *d > MAX_NESTING) {
            continue;
        }
        let id = LetId(u32::try_from(i).unwrap_or(u32::MAX));
        match expander.dnf(&mut space, &mut budget, &Cond::Let(id), true) {
            Ok(terms) if terms.is_empty() => findings.push(Finding::ImpossibleLet { id }),
            Ok(_) | Err(TooBig::Terms) => {}
            Err(TooBig::Work) => return stop(findings, rs, 0),
        }
    }

    let mut index = Index::new(&space);
    let mut too_deep = Vec::new();
    for (r, rule) in rs.rules.iter().enumerate() {
        if nesting(&rule.cond, &let_depth) > MAX_NESTING {
            too_deep.push(r);
            findings.push(Finding::Skipped {
                rule: Some(r),
                reason: SkipReason::Nesting,
            });
            continue;
        }
        let mut local = Budget::new(options.max_work_per_rule.min(budget.left));
        let before = local.left;
        let outcome = rule_findings(&mut space, &mut expander, &mut index, &mut local, rs, r);
        let _ = budget.spend(before - local.left);
        match outcome {
            Ok(Some(f)) => findings.push(f),
            Ok(None) => {}
            Err(_) if budget.left == 0 => return stop(findings, rs, r),
            Err(reason) => findings.push(Finding::Skipped {
                rule: Some(r),
                reason,
            }),
        }
    }

    // Conditions nested too deeply are not evaluated on witnesses either.
    let outcome = if too_deep.is_empty() {
        coverage(&space, &index, &mut budget, options)
    } else if has_catch_all(rs) {
        Coverage::Proved
    } else {
        Coverage::NotProved(NotProved::Skipped { rules: too_deep })
    };
    match outcome {
        Coverage::Proved => {}
        Coverage::NoMatch(witness) => findings.push(Finding::NoMatch { witness }),
        Coverage::NotProved(reason) => findings.push(Finding::CoverageNotProved { reason }),
    }
    Analysis { findings }
}

/// Whether some rule that cannot fail matches every context (`otherwise`).
fn has_catch_all(rs: &Ruleset) -> bool {
    rs.rules
        .iter()
        .any(|r| r.cond == Cond::True && !can_fail(rs, r))
}

/// The analysis ran out of work at rule `r`: nothing more is claimed, and
/// coverage is not proved unless a catch-all proves it.
fn stop(mut findings: Vec<Finding>, rs: &Ruleset, r: usize) -> Analysis {
    findings.push(Finding::Skipped {
        rule: (r < rs.rules.len()).then_some(r),
        reason: SkipReason::Stopped,
    });
    if !has_catch_all(rs) {
        findings.push(Finding::CoverageNotProved {
            reason: NotProved::Work { rules: Vec::new() },
        });
    }
    Analysis { findings }
}
