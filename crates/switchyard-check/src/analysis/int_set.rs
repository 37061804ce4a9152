//! [`IntSet`]: a set of `i64` keys as sorted ranges, the values of every
//! numeric dimension (ints are their own keys; floats are keyed by
//! [`super::numeric::float_key`], which keeps their order).

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
}
