//! Which fields the table indexes: the fields rules test most, then the
//! cost model that keeps only the rows that pay for themselves.

use std::collections::{HashMap, HashSet};

use switchyard_check::ir::{Cond, FieldId, Ruleset};

use crate::index::{indexable, Constraint, FieldIndex, MAX_INDEXED_FIELDS};

/// The most 64-bit words the rows of one indexed field may take (32 MiB);
/// a field that would need more is left to the residuals.
const MAX_INDEX_WORDS: usize = 4 << 20;

/// Each rule's top-level tests, each with what it asks of the field it
/// tests when an index can hold it (`None`: it cannot). Worked out once per
/// compile: choosing the fields, building their rows and cutting the
/// residuals all read it.
pub(super) struct TopLevelTests<'r> {
    rules: Vec<Vec<TopLevelTest<'r>>>,
}

/// A top-level test, with the field and constraint an index would hold.
type TopLevelTest<'r> = (&'r Cond, Option<(FieldId, Constraint)>);

impl<'r> TopLevelTests<'r> {
    pub(super) fn of(ruleset: &'r Ruleset) -> Self {
        let ty_of = |f: FieldId| ruleset.field(f).map(|f| &f.ty);
        let rules = ruleset
            .rules
            .iter()
            .map(|rule| {
                conjuncts(&rule.cond)
                    .into_iter()
                    .map(|part| match part {
                        Cond::Atom(a) => (part, indexable(&a.kind, ty_of)),
                        _ => (part, None),
                    })
                    .collect()
            })
            .collect();
        TopLevelTests { rules }
    }

    /// Rule `r`'s top-level tests the index does not cover.
    pub(super) fn residual<'a>(
        &'a self,
        r: usize,
        indexed: &'a [(FieldId, bool)],
    ) -> impl Iterator<Item = &'r Cond> + 'a {
        self.rules[r]
            .iter()
            .filter_map(move |(part, index)| match index {
                Some((f, c)) if indexed.contains(&(*f, is_interval(c))) => None,
                _ => Some(*part),
            })
    }
}

/// The conjuncts of a rule's condition (itself when it is not an `and`).
fn conjuncts(cond: &Cond) -> Vec<&Cond> {
    match cond {
        Cond::And(parts) => parts.iter().collect(),
        Cond::True => Vec::new(),
        other => vec![other],
    }
}

/// The fields to index, each with the kind of test indexed (`true`:
/// thresholds, `false`: values): the fields most rules test in their
/// top-level conjunction, at most [`MAX_INDEXED_FIELDS`], leaving out any
/// whose rows would take more than [`MAX_INDEX_WORDS`].
pub(super) fn choose_indexed_fields(tests: &TopLevelTests) -> Vec<(FieldId, bool)> {
    #[derive(Default)]
    struct Usage {
        rules: usize,
        distinct: HashSet<u64>,
    }
    let mut usage: HashMap<(FieldId, bool), Usage> = HashMap::new();
    for rule in &tests.rules {
        let mut seen = Vec::new();
        for (f, c) in rule.iter().filter_map(|(_, index)| index.as_ref()) {
            let kind = (*f, is_interval(c));
            let u = usage.entry(kind).or_default();
            if !seen.contains(&kind) {
                seen.push(kind);
                u.rules += 1;
            }
            u.distinct.extend(c.row_keys());
        }
    }
    let words = tests.rules.len().div_ceil(64);
    let mut candidates: Vec<((FieldId, bool), usize, usize)> = usage
        .into_iter()
        .map(|(k, u)| {
            // Thresholds make two rows each, plus one.
            let rows = if k.1 {
                2 * u.distinct.len() + 1
            } else {
                u.distinct.len()
            };
            (k, u.rules, rows.saturating_mul(words))
        })
        .filter(|&(_, _, size)| size <= MAX_INDEX_WORDS)
        .collect();
    candidates.sort_by_key(|&((f, numeric), rules, _)| (std::cmp::Reverse(rules), f, numeric));
    let mut chosen: Vec<(FieldId, bool)> = Vec::new();
    for ((f, numeric), _, _) in candidates {
        if chosen.len() < MAX_INDEXED_FIELDS && !chosen.iter().any(|&(g, _)| g == f) {
            chosen.push((f, numeric));
        }
    }
    chosen
}

/// What each rule's top-level tests of kind `key` accept (`None`: the rule
/// does not test the field that way).
pub(super) fn constraints(tests: &TopLevelTests, key: (FieldId, bool)) -> Vec<Option<Constraint>> {
    tests
        .rules
        .iter()
        .map(|rule| {
            rule.iter()
                .filter_map(|(_, index)| index.as_ref())
                .filter(|(f, c)| (*f, is_interval(c)) == key)
                .map(|(_, c)| c.clone())
                .reduce(Constraint::intersect)
        })
        .collect()
}

/// Rough costs, in nanoseconds, of ANDing one word of a row and of trying
/// one candidate (its guard: a few loads and compares). Looking a row up
/// costs [`FieldIndex::lookup_ns`].
const WORD_NS: f64 = 0.5;
const CANDIDATE_NS: f64 = 12.0;

/// Keeps rows (most selective first) while the candidates they remove are
/// worth more than their lookups: a ten-rule table wants one row or none,
/// a ten-thousand-rule one several. A decision stops at the first rule
/// that holds, so without rows it tries, on average, some half of the
/// rules: that is the work a row can save.
pub(super) fn worth_indexing(
    built: Vec<((FieldId, bool), FieldIndex)>,
    n_rules: usize,
) -> Vec<((FieldId, bool), FieldIndex)> {
    let words = n_rules.div_ceil(64) as f64;
    let mut expected = n_rules as f64 / 2.0;
    let mut kept = Vec::new();
    for (key, fi) in built {
        let saved = expected * (1.0 - fi.selectivity) * CANDIDATE_NS;
        if saved <= fi.lookup_ns() + words * WORD_NS {
            break;
        }
        expected *= fi.selectivity;
        kept.push((key, fi));
    }
    kept
}

fn is_interval(c: &Constraint) -> bool {
    matches!(c, Constraint::Interval(_))
}
