//! Numeric value sets: [`IntSet`] (exact, over `i64`) and [`FloatSet`]
//! (intervals over the reals with open or closed ends).
//!
//! A float field holds finite `f64`s, a subset of the reals: a `FloatSet`
//! that is empty over the reals holds no `f64` either, which is the
//! direction the analysis needs (it only ever claims emptiness). Witnesses
//! pick concrete `f64`s and are checked exactly afterwards.

/// A set of integers: sorted, disjoint, non-adjacent inclusive ranges.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) struct IntSet(Vec<(i64, i64)>);

impl IntSet {
    /// `lo..=hi` (empty when `lo > hi`).
    pub(crate) fn range(lo: i64, hi: i64) -> IntSet {
        IntSet(if lo <= hi { vec![(lo, hi)] } else { Vec::new() })
    }

    /// No integer.
    pub(crate) fn empty() -> IntSet {
        IntSet(Vec::new())
    }

    /// The ranges.
    pub(crate) fn ranges(&self) -> &[(i64, i64)] {
        &self.0
    }

    /// The union.
    pub(crate) fn or(&self, other: &IntSet) -> IntSet {
        let mut all: Vec<(i64, i64)> = self.0.iter().chain(&other.0).copied().collect();
        all.sort_unstable();
        let mut out: Vec<(i64, i64)> = Vec::with_capacity(all.len());
        for (lo, hi) in all {
            match out.last_mut() {
                Some(last) if lo <= last.1.saturating_add(1) => last.1 = last.1.max(hi),
                _ => out.push((lo, hi)),
            }
        }
        IntSet(out)
    }

    /// The intersection.
    pub(crate) fn and(&self, other: &IntSet) -> IntSet {
        let mut out = Vec::new();
        for &(a, b) in &self.0 {
            for &(c, d) in &other.0 {
                let (lo, hi) = (a.max(c), b.min(d));
                if lo <= hi {
                    out.push((lo, hi));
                }
            }
        }
        IntSet(out)
    }

    /// The complement within `lo..=hi`.
    pub(crate) fn not_within(&self, lo: i64, hi: i64) -> IntSet {
        let mut out = Vec::new();
        let mut next = Some(lo);
        for &(a, b) in &self.0 {
            if let Some(n) = next {
                if a > n {
                    out.push((n, (a - 1).min(hi)));
                }
            }
            next = b.checked_add(1);
        }
        if let Some(n) = next {
            if n <= hi {
                out.push((n, hi));
            }
        }
        IntSet(out.into_iter().filter(|(a, b)| a <= b).collect())
    }

    /// Whether the intersection is non-empty.
    pub(crate) fn meets(&self, other: &IntSet) -> bool {
        self.0
            .iter()
            .any(|&(a, b)| other.0.iter().any(|&(c, d)| a.max(c) <= b.min(d)))
    }

    /// Whether the set is empty.
    pub(crate) fn is_empty(&self) -> bool {
        self.0.is_empty()
    }

    /// Whether `x` is in the set.
    pub(crate) fn contains(&self, x: i64) -> bool {
        self.0.iter().any(|&(a, b)| a <= x && x <= b)
    }

    /// The member closest to zero (the smaller one on a tie).
    pub(crate) fn nearest_zero(&self) -> Option<i64> {
        self.0
            .iter()
            .map(|&(a, b)| 0i64.clamp(a, b))
            .min_by_key(|x| (x.unsigned_abs(), *x))
    }
}

/// One end of a real interval; `v` may be infinite (then the end is open).
#[derive(Clone, Copy, Debug, PartialEq)]
pub(crate) struct End {
    /// Where.
    pub(crate) v: f64,
    /// Whether `v` itself is in the interval.
    pub(crate) closed: bool,
}

/// An interval of reals.
#[derive(Clone, Copy, Debug, PartialEq)]
pub(crate) struct Interval {
    /// The lower end.
    pub(crate) lo: End,
    /// The upper end.
    pub(crate) hi: End,
}

impl Interval {
    fn is_empty(&self) -> bool {
        !(self.lo.v < self.hi.v || (self.lo.v == self.hi.v && self.lo.closed && self.hi.closed))
    }

    fn and(&self, o: &Interval) -> Interval {
        let lo = if self.lo.v > o.lo.v || (self.lo.v == o.lo.v && !self.lo.closed) {
            self.lo
        } else {
            o.lo
        };
        let hi = if self.hi.v < o.hi.v || (self.hi.v == o.hi.v && !self.hi.closed) {
            self.hi
        } else {
            o.hi
        };
        Interval { lo, hi }
    }

    /// Whether `x` is in the interval.
    pub(crate) fn contains(&self, x: f64) -> bool {
        (x > self.lo.v || (x == self.lo.v && self.lo.closed))
            && (x < self.hi.v || (x == self.hi.v && self.hi.closed))
    }
}

/// A set of reals: sorted, disjoint, non-empty intervals.
#[derive(Clone, Debug, PartialEq)]
pub(crate) struct FloatSet(Vec<Interval>);

const NEG_INF: End = End {
    v: f64::NEG_INFINITY,
    closed: false,
};
const POS_INF: End = End {
    v: f64::INFINITY,
    closed: false,
};

impl FloatSet {
    /// Every real.
    pub(crate) fn full() -> FloatSet {
        FloatSet(vec![Interval {
            lo: NEG_INF,
            hi: POS_INF,
        }])
    }

    /// The interval from `lo` to `hi` (NaN bounds give the empty set).
    pub(crate) fn interval(lo: f64, lo_closed: bool, hi: f64, hi_closed: bool) -> FloatSet {
        let iv = Interval {
            lo: End {
                v: lo,
                closed: lo_closed && lo.is_finite(),
            },
            hi: End {
                v: hi,
                closed: hi_closed && hi.is_finite(),
            },
        };
        FloatSet(if iv.is_empty() { Vec::new() } else { vec![iv] })
    }

    /// `{x}`.
    pub(crate) fn point(x: f64) -> FloatSet {
        FloatSet::interval(x, true, x, true)
    }

    /// The intervals.
    #[cfg(test)]
    pub(crate) fn intervals(&self) -> &[Interval] {
        &self.0
    }

    /// The intersection.
    pub(crate) fn and(&self, other: &FloatSet) -> FloatSet {
        let mut out = Vec::new();
        for a in &self.0 {
            for b in &other.0 {
                let c = a.and(b);
                if !c.is_empty() {
                    out.push(c);
                }
            }
        }
        FloatSet(out)
    }

    /// The union.
    pub(crate) fn or(&self, other: &FloatSet) -> FloatSet {
        let mut all: Vec<Interval> = self.0.iter().chain(&other.0).copied().collect();
        all.sort_by(|a, b| {
            a.lo.v
                .total_cmp(&b.lo.v)
                .then(b.lo.closed.cmp(&a.lo.closed))
        });
        let mut out: Vec<Interval> = Vec::with_capacity(all.len());
        for iv in all {
            match out.last_mut() {
                Some(last)
                    if iv.lo.v < last.hi.v
                        || (iv.lo.v == last.hi.v && (iv.lo.closed || last.hi.closed)) =>
                {
                    if iv.hi.v > last.hi.v || (iv.hi.v == last.hi.v && iv.hi.closed) {
                        last.hi = iv.hi;
                    }
                }
                _ => out.push(iv),
            }
        }
        FloatSet(out)
    }

    /// The complement within the reals.
    pub(crate) fn not(&self) -> FloatSet {
        let mut out = Vec::new();
        let mut from = NEG_INF;
        let flip = |e: End| End {
            v: e.v,
            closed: !e.closed && e.v.is_finite(),
        };
        for iv in &self.0 {
            let gap = Interval {
                lo: from,
                hi: flip(iv.lo),
            };
            if !gap.is_empty() {
                out.push(gap);
            }
            from = flip(iv.hi);
        }
        let last = Interval {
            lo: from,
            hi: POS_INF,
        };
        if !last.is_empty() {
            out.push(last);
        }
        FloatSet(out)
    }

    /// Whether the intersection is non-empty.
    pub(crate) fn meets(&self, other: &FloatSet) -> bool {
        self.0
            .iter()
            .any(|a| other.0.iter().any(|b| !a.and(b).is_empty()))
    }

    /// Whether the set is empty.
    pub(crate) fn is_empty(&self) -> bool {
        self.0.is_empty()
    }

    /// Whether the set is every real.
    pub(crate) fn is_full(&self) -> bool {
        *self == FloatSet::full()
    }

    /// Whether `x` is in the set.
    pub(crate) fn contains(&self, x: f64) -> bool {
        self.0.iter().any(|iv| iv.contains(x))
    }

    /// Finite members worth trying as witnesses, "nice" numbers first:
    /// zero, whole numbers near the ends, midpoints, the ends' neighbours.
    pub(crate) fn samples(&self) -> Vec<f64> {
        let mut out = Vec::new();
        if self.contains(0.0) {
            out.push(0.0);
        }
        for iv in &self.0 {
            let (lo, hi) = (iv.lo.v, iv.hi.v);
            let mut try_push = |x: f64| {
                if x.is_finite() && iv.contains(x) && !out.contains(&x) {
                    out.push(if x == 0.0 { 0.0 } else { x });
                }
            };
            if lo.is_finite() {
                try_push(lo);
                try_push(lo.floor() + 1.0);
                try_push(lo + 0.5);
                try_push(next_up(lo));
            }
            if hi.is_finite() {
                try_push(hi);
                try_push(hi.ceil() - 1.0);
                try_push(hi - 0.5);
                try_push(next_down(hi));
            }
            if lo.is_finite() && hi.is_finite() {
                try_push(lo / 2.0 + hi / 2.0);
            }
            if !lo.is_finite() && !hi.is_finite() {
                try_push(0.0);
            }
        }
        out
    }
}

/// The smallest `f64` above `x` (finite `x`).
fn next_up(x: f64) -> f64 {
    if x == 0.0 {
        return f64::from_bits(1);
    }
    let bits = x.to_bits();
    f64::from_bits(if x > 0.0 { bits + 1 } else { bits - 1 })
}

/// The largest `f64` below `x` (finite `x`).
fn next_down(x: f64) -> f64 {
    -next_up(-x)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn int_sets() {
        let a = IntSet::range(1, 5).or(&IntSet::range(6, 8));
        assert_eq!(a.ranges(), [(1, 8)]);
        let b = a.not_within(i64::MIN, i64::MAX);
        assert_eq!(b.ranges(), [(i64::MIN, 0), (9, i64::MAX)]);
        assert!(!a.meets(&b));
        assert!(a.and(&IntSet::range(8, 100)).contains(8));
        assert_eq!(IntSet::range(0, 23).not_within(0, 23).ranges(), []);
        assert_eq!(
            IntSet::range(i64::MIN, i64::MAX)
                .not_within(i64::MIN, i64::MAX)
                .ranges(),
            []
        );
        assert_eq!(IntSet::range(-5, -2).nearest_zero(), Some(-2));
        assert_eq!(IntSet::range(-5, 2).nearest_zero(), Some(0));
        assert!(IntSet::range(3, 2).is_empty());
    }

    #[test]
    fn float_sets_keep_open_and_closed_ends() {
        let lt1 = FloatSet::interval(f64::NEG_INFINITY, false, 1.0, false);
        let ge1 = FloatSet::interval(1.0, true, f64::INFINITY, false);
        assert!(!lt1.meets(&ge1));
        assert!(lt1.or(&ge1).is_full());
        assert_eq!(lt1.not(), ge1);
        let le1 = FloatSet::interval(f64::NEG_INFINITY, false, 1.0, true);
        assert!(le1.meets(&ge1));
        assert_eq!(le1.and(&ge1), FloatSet::point(1.0));
        // budget < 1 and budget > 2
        let gt2 = FloatSet::interval(2.0, false, f64::INFINITY, false);
        assert!(lt1.and(&gt2).is_empty());
        // != 1.0
        let ne = FloatSet::point(1.0).not();
        assert_eq!(ne.intervals().len(), 2);
        assert!(!ne.contains(1.0) && ne.contains(1.5));
        assert!(FloatSet::full().not().is_empty());
        assert!(ne.samples().iter().all(|x| ne.contains(*x)));
        let open = FloatSet::interval(1.0, false, 2.0, false);
        assert!(open
            .samples()
            .iter()
            .all(|x| open.contains(*x) && x.is_finite()));
        assert!(!open.samples().is_empty());
    }
}
