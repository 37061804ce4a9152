//! Finite value sets: [`Bits`] for bools, enums, `weekday` and the free
//! variables of opaque atoms, and [`StrSet`] for strings (a finite set or
//! the complement of one: the strings are an infinite universe).

/// A subset of `0..len`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) struct Bits {
    len: u32,
    words: Vec<u64>,
}

impl Bits {
    /// The empty subset of `0..len`.
    pub(crate) fn empty(len: u32) -> Bits {
        Bits {
            len,
            words: vec![0; (len as usize).div_ceil(64)],
        }
    }

    /// All of `0..len`.
    pub(crate) fn full(len: u32) -> Bits {
        let mut b = Bits {
            len,
            words: vec![u64::MAX; (len as usize).div_ceil(64)],
        };
        b.trim();
        b
    }

    /// Clears the bits past `len` in the last word.
    fn trim(&mut self) {
        let rem = self.len % 64;
        if rem != 0 {
            if let Some(last) = self.words.last_mut() {
                *last &= (1u64 << rem) - 1;
            }
        }
    }

    /// Adds `i` (ignored when out of range).
    pub(crate) fn insert(&mut self, i: u32) {
        if i < self.len {
            if let Some(w) = self.words.get_mut((i / 64) as usize) {
                *w |= 1u64 << (i % 64);
            }
        }
    }

    /// Whether `i` is in the set.
    pub(crate) fn contains(&self, i: u32) -> bool {
        self.words
            .get((i / 64) as usize)
            .is_some_and(|w| w & (1u64 << (i % 64)) != 0)
    }

    /// The intersection.
    pub(crate) fn and(&self, other: &Bits) -> Bits {
        Bits {
            len: self.len.min(other.len),
            words: self
                .words
                .iter()
                .zip(&other.words)
                .map(|(a, b)| a & b)
                .collect(),
        }
    }

    /// The complement within `0..len`.
    pub(crate) fn not(&self) -> Bits {
        let mut b = Bits {
            len: self.len,
            words: self.words.iter().map(|w| !w).collect(),
        };
        b.trim();
        b
    }

    /// Whether the intersection is non-empty (without building it).
    pub(crate) fn meets(&self, other: &Bits) -> bool {
        self.words.iter().zip(&other.words).any(|(a, b)| a & b != 0)
    }

    /// Whether no value is in the set.
    pub(crate) fn is_empty(&self) -> bool {
        self.words.iter().all(|w| *w == 0)
    }

    /// Whether every value of the universe is in the set.
    pub(crate) fn is_full(&self) -> bool {
        let whole = (self.len / 64) as usize;
        let rem = self.len % 64;
        self.words.iter().take(whole).all(|w| *w == u64::MAX)
            && (rem == 0 || self.words.get(whole) == Some(&((1u64 << rem) - 1)))
    }

    /// The values in the set, in order.
    pub(crate) fn iter(&self) -> impl Iterator<Item = u32> + '_ {
        (0..self.len).filter(|&i| self.contains(i))
    }

    /// How many values are in the set.
    #[cfg(test)]
    pub(crate) fn count(&self) -> u32 {
        self.words.iter().map(|w| w.count_ones()).sum()
    }
}

/// A set of strings (interned as `u32` ids): `Only` these, or every string
/// `Except` these. Both lists are sorted and without repeats.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) enum StrSet {
    /// Exactly these strings.
    Only(Vec<u32>),
    /// Every string but these.
    Except(Vec<u32>),
}

/// Sorted, deduplicated.
fn sorted(mut v: Vec<u32>) -> Vec<u32> {
    v.sort_unstable();
    v.dedup();
    v
}

/// Elements of sorted `a` that are (`keep`) or are not in sorted `b`.
fn filter_sorted(a: &[u32], b: &[u32], keep: bool) -> Vec<u32> {
    a.iter()
        .copied()
        .filter(|x| b.binary_search(x).is_ok() == keep)
        .collect()
}

/// The union of two sorted lists, sorted.
fn merge(a: &[u32], b: &[u32]) -> Vec<u32> {
    let mut out = Vec::with_capacity(a.len() + b.len());
    let (mut i, mut j) = (a.iter().peekable(), b.iter().peekable());
    loop {
        let next = match (i.peek(), j.peek()) {
            (Some(&&x), Some(&&y)) if x < y => i.next(),
            (Some(&&x), Some(&&y)) if x > y => j.next(),
            (Some(_), Some(_)) => {
                i.next();
                j.next()
            }
            (Some(_), None) => i.next(),
            (None, Some(_)) => j.next(),
            (None, None) => break,
        };
        out.extend(next.copied());
    }
    out
}

impl StrSet {
    /// Exactly these strings.
    pub(crate) fn only(ids: Vec<u32>) -> StrSet {
        StrSet::Only(sorted(ids))
    }

    /// Every string but these.
    pub(crate) fn except(ids: Vec<u32>) -> StrSet {
        StrSet::Except(sorted(ids))
    }

    /// The intersection.
    pub(crate) fn and(&self, other: &StrSet) -> StrSet {
        match (self, other) {
            (StrSet::Only(a), StrSet::Only(b)) => StrSet::Only(filter_sorted(a, b, true)),
            (StrSet::Only(a), StrSet::Except(b)) | (StrSet::Except(b), StrSet::Only(a)) => {
                StrSet::Only(filter_sorted(a, b, false))
            }
            (StrSet::Except(a), StrSet::Except(b)) => StrSet::Except(merge(a, b)),
        }
    }

    /// The complement.
    pub(crate) fn not(&self) -> StrSet {
        match self {
            StrSet::Only(a) => StrSet::Except(a.clone()),
            StrSet::Except(a) => StrSet::Only(a.clone()),
        }
    }

    /// Whether the intersection is non-empty.
    pub(crate) fn meets(&self, other: &StrSet) -> bool {
        match (self, other) {
            (StrSet::Only(a), StrSet::Only(b)) => a.iter().any(|x| b.binary_search(x).is_ok()),
            (StrSet::Only(a), StrSet::Except(b)) | (StrSet::Except(b), StrSet::Only(a)) => {
                a.iter().any(|x| b.binary_search(x).is_err())
            }
            (StrSet::Except(_), StrSet::Except(_)) => true,
        }
    }

    /// Whether no string is in the set.
    pub(crate) fn is_empty(&self) -> bool {
        matches!(self, StrSet::Only(a) if a.is_empty())
    }

    /// Whether every string is in the set.
    pub(crate) fn is_full(&self) -> bool {
        matches!(self, StrSet::Except(a) if a.is_empty())
    }

    /// Whether string `id` is in the set.
    pub(crate) fn contains(&self, id: u32) -> bool {
        match self {
            StrSet::Only(a) => a.binary_search(&id).is_ok(),
            StrSet::Except(a) => a.binary_search(&id).is_err(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bits_complement_stays_in_the_universe() {
        let mut b = Bits::empty(70);
        b.insert(3);
        b.insert(69);
        let n = b.not();
        assert_eq!(n.count(), 68);
        assert!(!n.contains(69) && n.contains(68) && !n.contains(70));
        assert!(b.and(&n).is_empty());
        assert!(!b.meets(&n));
        assert!(Bits::full(70).is_full());
        assert_eq!(b.iter().collect::<Vec<_>>(), [3, 69]);
    }

    #[test]
    fn string_sets() {
        let a = StrSet::only(vec![3, 1, 1]);
        let b = StrSet::except(vec![1]);
        assert_eq!(a.and(&b), StrSet::Only(vec![3]));
        assert!(a.meets(&b));
        assert!(!StrSet::only(vec![1]).meets(&b));
        assert!(b.meets(&StrSet::except(vec![2])));
        assert_eq!(
            StrSet::except(vec![1, 5]).and(&StrSet::except(vec![2, 5, 9])),
            StrSet::Except(vec![1, 2, 5, 9])
        );
        assert_eq!(b.not(), StrSet::Only(vec![1]));
        assert!(StrSet::except(vec![]).is_full());
        assert!(StrSet::only(vec![]).is_empty());
        assert!(b.contains(7) && !b.contains(1));
    }
}
