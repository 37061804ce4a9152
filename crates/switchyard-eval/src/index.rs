//! The rule index. For the fields rules most often test in their top-level
//! conjunction, a bitset over rules per value (`==`, `in`, bool tests) or per
//! interval between thresholds (`<`, `<=`, `>`, `>=`, ranges). A rule's bit
//! is set in a row when the rule's tests on that field accept the row's
//! values, and in every row when the rule does not test the field ("don't
//! care"). ANDing one row per indexed field leaves the candidate rules; the
//! rest of each candidate's condition (its residual) is then evaluated in
//! rule order.

use std::collections::HashMap;
use std::hash::Hasher;

use rustc_hash::{FxHashMap, FxHasher};

use switchyard_check::ir::{AtomKind, CmpOp, FieldId, Number, Operand, Subject, Type, Value};

use crate::context::schema::Literals;
use crate::context::{SlotKey, NO_LITERAL};

/// At most this many fields are indexed (the rest of the tests stay in the
/// residuals); it bounds the work per decision and keeps the per-decision
/// row table on the stack.
pub(crate) const MAX_INDEXED_FIELDS: usize = 8;

/// Integers beyond this magnitude are not exact as `f64`: a threshold past it
/// is not indexed (its test stays in the rule's residual), so every
/// threshold in an index is exact, and so is placing any value among them.
const EXACT_F64_INT: f64 = 9_007_199_254_740_992.0;

/// A value an index is keyed by.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub(crate) enum Key {
    Bool(bool),
    Int(i64),
    Str(Box<str>),
    Enum(u32),
}

impl Key {
    /// The key of a literal compared with a field of type `ty`, if it can be
    /// indexed (floats and float literals cannot).
    fn of_value(ty: &Type, v: &Value) -> Option<Key> {
        match (ty, v) {
            (Type::Bool, Value::Bool(b)) => Some(Key::Bool(*b)),
            (Type::Int, Value::Int(i)) => Some(Key::Int(*i)),
            (Type::String, Value::Str(s)) => Some(Key::Str(s.as_str().into())),
            (Type::Enum(_), Value::Enum(e)) => Some(Key::Enum(*e)),
            _ => None,
        }
    }
}

/// One end of an interval.
#[derive(Clone, Copy, Debug, PartialEq)]
pub(crate) struct End {
    pub at: f64,
    pub inclusive: bool,
}

/// The values of a numeric field a rule accepts: `lo..hi`, each end
/// optional (unbounded).
#[derive(Clone, Copy, Debug, PartialEq)]
pub(crate) struct Interval {
    pub lo: Option<End>,
    pub hi: Option<End>,
}

impl Interval {
    const ALL: Interval = Interval { lo: None, hi: None };

    fn intersect(self, other: Interval) -> Interval {
        let tighter = |a: Option<End>, b: Option<End>, lower: bool| match (a, b) {
            (None, x) | (x, None) => x,
            (Some(a), Some(b)) => Some(if a.at == b.at {
                End {
                    at: a.at,
                    inclusive: a.inclusive && b.inclusive,
                }
            } else if (a.at > b.at) == lower {
                a
            } else {
                b
            }),
        };
        Interval {
            lo: tighter(self.lo, other.lo, true),
            hi: tighter(self.hi, other.hi, false),
        }
    }
}

/// What a rule's tests on one field accept.
#[derive(Clone, Debug, PartialEq)]
pub(crate) enum Constraint {
    /// Any of these values.
    Keys(Vec<Key>),
    /// A value in this interval.
    Interval(Interval),
}

impl Constraint {
    /// Hashes of the values that make rows: keys, or threshold points.
    pub fn row_keys(&self) -> Vec<u64> {
        use std::hash::Hash;
        match self {
            Constraint::Keys(keys) => keys
                .iter()
                .map(|k| {
                    let mut h = FxHasher::default();
                    k.hash(&mut h);
                    h.finish()
                })
                .collect(),
            Constraint::Interval(i) => [i.lo, i.hi]
                .into_iter()
                .flatten()
                .map(|e| e.at.to_bits())
                .collect(),
        }
    }

    /// Both constraints at once (of the same kind, as one field's tests are).
    pub fn intersect(self, other: Constraint) -> Constraint {
        match (self, other) {
            (Constraint::Keys(a), Constraint::Keys(b)) => {
                Constraint::Keys(a.into_iter().filter(|k| b.contains(k)).collect())
            }
            (Constraint::Interval(a), Constraint::Interval(b)) => {
                Constraint::Interval(a.intersect(b))
            }
            // Cannot happen for one field; keep the first (the residual
            // keeps nothing of it, so stay conservative: accept all).
            (Constraint::Keys(_), Constraint::Interval(_))
            | (Constraint::Interval(_), Constraint::Keys(_)) => Constraint::Interval(Interval::ALL),
        }
    }
}

/// What a required atom says about its field, if the index can use it.
pub(crate) fn indexable<'t>(
    atom: &AtomKind,
    ty_of: impl Fn(FieldId) -> Option<&'t Type>,
) -> Option<(FieldId, Constraint)> {
    match atom {
        AtomKind::Flag(f) => Some((*f, Constraint::Keys(vec![Key::Bool(true)]))),
        AtomKind::Compare {
            lhs: Subject::Field(f),
            op,
            rhs: Operand::Value(v),
        } => {
            let ty = ty_of(*f)?;
            if *op == CmpOp::Eq {
                return Some((*f, Constraint::Keys(vec![Key::of_value(ty, v)?])));
            }
            let at = exact(v.as_f64()?)?;
            if !ty.is_numeric() {
                return None;
            }
            let end = |inclusive| Some(End { at, inclusive });
            let interval = match op {
                CmpOp::Lt => Interval {
                    lo: None,
                    hi: end(false),
                },
                CmpOp::Le => Interval {
                    lo: None,
                    hi: end(true),
                },
                CmpOp::Gt => Interval {
                    lo: end(false),
                    hi: None,
                },
                CmpOp::Ge => Interval {
                    lo: end(true),
                    hi: None,
                },
                CmpOp::Eq | CmpOp::Ne => return None,
            };
            Some((*f, Constraint::Interval(interval)))
        }
        AtomKind::In {
            lhs: Subject::Field(f),
            values,
            negated: false,
        } => {
            let ty = ty_of(*f)?;
            let keys = values
                .iter()
                .map(|v| Key::of_value(ty, v))
                .collect::<Option<Vec<_>>>()?;
            Some((*f, Constraint::Keys(keys)))
        }
        AtomKind::Range {
            lhs: Subject::Field(f),
            lo,
            hi,
            inclusive,
            negated: false,
        } => {
            ty_of(*f).filter(|ty| ty.is_numeric())?;
            let n = |n: &Number| exact(n.as_f64());
            Some((
                *f,
                Constraint::Interval(Interval {
                    lo: Some(End {
                        at: n(lo)?,
                        inclusive: true,
                    }),
                    hi: Some(End {
                        at: n(hi)?,
                        inclusive: *inclusive,
                    }),
                }),
            ))
        }
        _ => None,
    }
}

/// `x` if every integer near it is exactly representable.
fn exact(x: f64) -> Option<f64> {
    (x.abs() < EXACT_F64_INT).then_some(x)
}

/// One indexed field.
#[derive(Debug)]
pub(crate) struct FieldIndex {
    pub field: FieldId,
    /// Words per row.
    words: usize,
    /// The rows, `words` words each, one after the other. Row 0 holds the
    /// rules that accept any value (and an unset field, or a value no rule
    /// names); every other row includes them.
    bits: Box<[u64]>,
    lookup: Lookup,
    /// Average share of rules a row lets through, to order the rows.
    pub selectivity: f64,
}

/// How a context value finds its row (0: none of the named values).
#[derive(Debug)]
enum Lookup {
    Keys(KeyMap),
    /// Sorted thresholds `p`: row `2i + 1` is the open interval below `p[i]`
    /// (above `p[i-1]`), row `2i + 2` is `p[i]` itself, row `2k + 1` is
    /// above the last.
    Thresholds(Vec<f64>),
}

impl FieldIndex {
    /// Builds the index of `field` over `n_rules` rules; `accepts[r]` is what
    /// rule `r` accepts, or `None` if it does not test the field. (The caller
    /// bounds the size: see `choose_indexed_fields`.)
    pub fn build(field: FieldId, n_rules: usize, accepts: &[Option<Constraint>]) -> Self {
        let words = n_rules.div_ceil(64);
        let mut dont_care = vec![0u64; words];
        for (r, acc) in accepts.iter().enumerate() {
            if acc.is_none() {
                set_bit(&mut dont_care, r);
            }
        }
        let numeric = accepts
            .iter()
            .flatten()
            .any(|c| matches!(c, Constraint::Interval(_)));
        let mut bits = dont_care.clone();
        let lookup = if numeric {
            build_intervals(&dont_care, accepts, &mut bits)
        } else {
            build_keys(&dont_care, accepts, &mut bits)
        };
        let rows = bits.len().checked_div(words).unwrap_or(1);
        let selectivity = if n_rules == 0 {
            1.0
        } else {
            // Row 0 only serves values no rule names: leave it out unless
            // it is the only one.
            let named = bits.get(words..).filter(|b| !b.is_empty());
            let (ones, rows) = match named {
                Some(b) => (popcount(b), rows - 1),
                None => (popcount(&bits), rows),
            };
            ones as f64 / rows as f64 / n_rules as f64
        };
        FieldIndex {
            field,
            words,
            bits: bits.into_boxed_slice(),
            lookup,
            selectivity,
        }
    }

    /// A rough cost of [`FieldIndex::row`], in nanoseconds: a vector index
    /// for bools, enums and strings (resolved to literal ids when set), a
    /// hash lookup for ints, a binary search for thresholds.
    pub fn lookup_ns(&self) -> f64 {
        match &self.lookup {
            Lookup::Keys(k) if k.ints.is_empty() => 8.0,
            Lookup::Keys(_) => 14.0,
            Lookup::Thresholds(points) => 9.0 + (points.len() as f64 + 1.0).log2(),
        }
    }

    /// The number of the row for the field's value in a context.
    #[inline(always)]
    fn row_of(&self, slot: SlotKey) -> usize {
        match &self.lookup {
            Lookup::Keys(keys) => keys.get(slot) as usize,
            Lookup::Thresholds(points) => {
                // Every threshold is below 2^53 in magnitude (see `exact`),
                // so comparing an int rounded to f64 with one gives the
                // exact answer: the rounding of an int past 2^53 never
                // crosses a threshold. (Letting every rule through here
                // was wrong: the residuals do not repeat indexed tests.)
                let x = match slot {
                    SlotKey::Int(i) => i as f64,
                    SlotKey::Float(f) => f,
                    _ => return 0,
                };
                let i = points.partition_point(|&p| p < x);
                2 * i + 1 + usize::from(points.get(i) == Some(&x))
            }
        }
    }

    /// The index with its string keys found by literal id.
    pub fn with_literal_ids(mut self, literals: &[Literals]) -> Self {
        if let (Lookup::Keys(keys), Some(lits)) =
            (&mut self.lookup, literals.get(self.field.index()))
        {
            for (text, row) in std::mem::take(&mut keys.strs) {
                let id = lits.id(&text) as usize;
                if id == NO_LITERAL as usize {
                    continue;
                }
                if keys.str_rows.len() <= id {
                    keys.str_rows.resize(id + 1, 0);
                }
                if let Some(slot) = keys.str_rows.get_mut(id) {
                    *slot = row;
                }
            }
        }
        self
    }

    /// The candidate rules for the field's value in a context.
    #[inline]
    pub fn row(&self, slot: SlotKey) -> &[u64] {
        let start = self.row_of(slot) * self.words;
        self.bits
            .get(start..start + self.words)
            .or_else(|| self.bits.get(..self.words))
            .unwrap_or(&[])
    }

    /// The first word of [`FieldIndex::row`]: all of it for up to 64 rules.
    #[inline(always)]
    pub fn first_word(&self, slot: SlotKey) -> u64 {
        let at = self.row_of(slot) * self.words;
        self.bits
            .get(at)
            .or_else(|| self.bits.first())
            .copied()
            .unwrap_or(0)
    }
}

fn popcount(row: &[u64]) -> usize {
    row.iter().map(|w| w.count_ones() as usize).sum()
}

/// Appends one row per named key to `bits` (after row 0, `dont_care`).
fn build_keys(dont_care: &[u64], accepts: &[Option<Constraint>], bits: &mut Vec<u64>) -> Lookup {
    let mut by_key: HashMap<Key, Vec<usize>> = HashMap::new();
    for (r, acc) in accepts.iter().enumerate() {
        if let Some(Constraint::Keys(keys)) = acc {
            for k in keys {
                by_key.entry(k.clone()).or_default().push(r);
            }
        }
    }
    let mut keys = KeyMap::default();
    for (row, (k, rules)) in (1u32..).zip(by_key) {
        let start = bits.len();
        bits.extend_from_slice(dont_care);
        if let Some(new_row) = bits.get_mut(start..) {
            for r in rules {
                set_bit(new_row, r);
            }
        }
        keys.insert(k, row);
    }
    Lookup::Keys(keys)
}

/// Appends one row per elementary interval between thresholds to `bits`
/// (after row 0, for unset and non-numeric values), by one sweep.
fn build_intervals(
    dont_care: &[u64],
    accepts: &[Option<Constraint>],
    bits: &mut Vec<u64>,
) -> Lookup {
    let intervals: Vec<(usize, Interval)> = accepts
        .iter()
        .enumerate()
        .filter_map(|(r, c)| match c {
            Some(Constraint::Interval(i)) => Some((r, *i)),
            _ => None,
        })
        .collect();
    let mut points: Vec<f64> = intervals
        .iter()
        .flat_map(|(_, i)| [i.lo, i.hi])
        .flatten()
        .map(|e| e.at)
        .collect();
    points.sort_by(f64::total_cmp);
    points.dedup();
    let segments = 2 * points.len() + 1;
    let index_of = |x: f64| points.partition_point(|&p| p < x);
    // Segment range each rule covers; starts and ends as sweep events.
    let mut starts: Vec<Vec<usize>> = vec![Vec::new(); segments];
    let mut ends: Vec<Vec<usize>> = vec![Vec::new(); segments];
    for (r, i) in intervals {
        let first =
            i.lo.map_or(0, |e| 2 * index_of(e.at) + if e.inclusive { 1 } else { 2 });
        // Segment 2j is the open interval just below p[j], 2j + 1 is p[j].
        let last = i.hi.map_or(segments - 1, |e| {
            2 * index_of(e.at) + usize::from(e.inclusive)
        });
        if first <= last && last < segments {
            if let (Some(s), Some(e)) = (starts.get_mut(first), ends.get_mut(last)) {
                s.push(r);
                e.push(r);
            }
        }
    }
    let mut active = dont_care.to_vec();
    bits.reserve(segments * dont_care.len());
    for (s, e) in starts.iter().zip(&ends) {
        for &r in s {
            set_bit(&mut active, r);
        }
        bits.extend_from_slice(&active);
        for &r in e {
            clear_bit(&mut active, r);
        }
    }
    Lookup::Thresholds(points)
}

fn set_bit(bits: &mut [u64], i: usize) {
    if let Some(w) = bits.get_mut(i / 64) {
        *w |= 1u64 << (i % 64);
    }
}

fn clear_bit(bits: &mut [u64], i: usize) {
    if let Some(w) = bits.get_mut(i / 64) {
        *w &= !(1u64 << (i % 64));
    }
}

/// Row numbers by key (0: no rule names the key): bools and enum values
/// index arrays; ints and strings go through hash maps with a fast hasher
/// (keys come from the ruleset, and lookups never insert, so hash flooding
/// cannot grow them).
#[derive(Debug, Default)]
struct KeyMap {
    bools: [u32; 2],
    enums: Vec<u32>,
    ints: FxHashMap<i64, u32>,
    strs: FxHashMap<Box<str>, u32>,
    /// Rows of string keys by literal id (see `Literals`), filled from
    /// `strs` once the table's literals are known: a string is resolved
    /// when the context is set, not hashed again here.
    str_rows: Vec<u32>,
}

impl KeyMap {
    fn insert(&mut self, key: Key, row: u32) {
        match key {
            Key::Bool(b) => {
                if let Some(slot) = self.bools.get_mut(usize::from(b)) {
                    *slot = row;
                }
            }
            Key::Enum(e) => {
                let e = e as usize;
                if self.enums.len() <= e {
                    self.enums.resize(e + 1, 0);
                }
                if let Some(slot) = self.enums.get_mut(e) {
                    *slot = row;
                }
            }
            Key::Int(i) => {
                self.ints.insert(i, row);
            }
            Key::Str(s) => {
                self.strs.insert(s, row);
            }
        }
    }

    #[inline]
    fn get(&self, slot: SlotKey) -> u32 {
        let row = match slot {
            SlotKey::Unset | SlotKey::Float(_) => None,
            SlotKey::Bool(b) => self.bools.get(usize::from(b)),
            SlotKey::Enum(e) => self.enums.get(e as usize),
            SlotKey::Literal(id) => self.str_rows.get(id as usize),
            SlotKey::Int(i) => return self.get_int(i),
        };
        row.copied().unwrap_or(0)
    }

    /// The hash map lookup, kept out of line so that the array ones inline
    /// into the caller.
    #[inline(never)]
    fn get_int(&self, i: i64) -> u32 {
        self.ints.get(&i).copied().unwrap_or(0)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn keys(ks: &[&str]) -> Option<Constraint> {
        Some(Constraint::Keys(
            ks.iter().map(|k| Key::Str((*k).into())).collect(),
        ))
    }

    #[test]
    fn key_rows_include_dont_care_rules() {
        let accepts = vec![keys(&["a"]), None, keys(&["b", "a"])];
        let lits = [Literals::of(["a", "b"])];
        let idx = FieldIndex::build(FieldId(0), 3, &accepts).with_literal_ids(&lits);
        let s = |t: &'static str| SlotKey::Literal(lits[0].id(t));
        assert_eq!(idx.row(s("a"))[0], 0b111);
        assert_eq!(idx.row(s("b"))[0], 0b110);
        assert_eq!(idx.row(s("zz"))[0], 0b010);
        assert_eq!(idx.row(SlotKey::Unset)[0], 0b010);
    }

    #[test]
    fn interval_rows_respect_open_and_closed_ends() {
        let iv = |lo: Option<(f64, bool)>, hi: Option<(f64, bool)>| {
            Some(Constraint::Interval(Interval {
                lo: lo.map(|(at, inclusive)| End { at, inclusive }),
                hi: hi.map(|(at, inclusive)| End { at, inclusive }),
            }))
        };
        let accepts = vec![
            iv(None, Some((1.0, false))),             // r0: x < 1
            iv(Some((1.0, true)), Some((5.0, true))), // r1: 1 <= x <= 5
            iv(Some((5.0, false)), None),             // r2: x > 5
            None,                                     // r3: don't care
            iv(Some((3.0, true)), Some((2.0, true))), // r4: empty
        ];
        let idx = FieldIndex::build(FieldId(0), 5, &accepts);
        let row = |x: f64| idx.row(SlotKey::Float(x))[0];
        assert_eq!(row(0.5), 0b01001);
        assert_eq!(row(1.0), 0b01010);
        assert_eq!(row(3.0), 0b01010);
        assert_eq!(row(5.0), 0b01010);
        assert_eq!(row(5.5), 0b01100);
        assert_eq!(idx.row(SlotKey::Int(-7))[0], 0b01001);
        assert_eq!(idx.row(SlotKey::Unset)[0], 0b01000);
        // Values past 2^53 are placed exactly too: the thresholds are
        // below it. (They once let every rule through, and the indexed
        // tests were never checked: a fuzzing find.)
        assert_eq!(idx.row(SlotKey::Int(i64::MAX))[0], 0b01100);
        assert_eq!(idx.row(SlotKey::Int(i64::MIN))[0], 0b01001);
        assert_eq!(idx.row(SlotKey::Float(3.5e18))[0], 0b01100);
        assert_eq!(idx.row(SlotKey::Int((1 << 53) + 1))[0], 0b01100);
    }

    #[test]
    fn intersections() {
        let a = Interval {
            lo: Some(End {
                at: 1.0,
                inclusive: true,
            }),
            hi: None,
        };
        let b = Interval {
            lo: Some(End {
                at: 1.0,
                inclusive: false,
            }),
            hi: Some(End {
                at: 9.0,
                inclusive: true,
            }),
        };
        let c = a.intersect(b);
        assert_eq!(
            c.lo,
            Some(End {
                at: 1.0,
                inclusive: false
            })
        );
        assert_eq!(
            c.hi,
            Some(End {
                at: 9.0,
                inclusive: true
            })
        );
    }
}
