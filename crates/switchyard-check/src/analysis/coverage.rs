//! Coverage: is every point of a term in the union of other terms?
//!
//! [`Index`] holds the terms of the rules seen so far and finds, for a new
//! term, the ones that can meet it: for each enum, bool and string field
//! (and `weekday`) it lists the terms allowing each value, the ones that
//! allow unset, and the ones that do not constrain the field; the most
//! selective field of the new term picks the candidates, which are then
//! tested exactly.
//!
//! [`Search`] looks for a point of a term outside the union of candidate
//! terms, depth first: take the first candidate that meets the current
//! piece, split the piece into the disjoint parts outside that candidate
//! (one per dimension the candidate constrains) and go on with each from
//! the next candidate. A piece no remaining candidate meets is uncovered;
//! when no piece is left, the term is covered. The stack is explicit, and
//! every step is paid from the [`Budget`].

use std::collections::HashMap;

use super::sets::StrSet;
use super::space::{Dim, DimId, DimKind, Space, Term, Universe, Vals};
use super::{Budget, Exhausted};

/// A term and the rule it comes from.
pub(crate) struct Covering {
    /// The term.
    pub(crate) term: Term,
    /// Index of the rule.
    pub(crate) rule: usize,
}

/// Which terms allow which values of one dimension.
struct DimIndex {
    dim: DimId,
    /// Terms that do not constrain the dimension.
    wild: Vec<u32>,
    /// Terms that allow unset.
    unset: Vec<u32>,
    /// For bit dimensions: the terms allowing each value.
    by_bit: Vec<Vec<u32>>,
    /// For strings: the terms allowing each listed string.
    by_str: HashMap<u32, Vec<u32>>,
    /// For strings: terms allowing all but some strings.
    cofinite: Vec<u32>,
}

/// The terms of the rules seen so far, indexed.
pub(crate) struct Index {
    terms: Vec<Covering>,
    dims: Vec<DimIndex>,
    stamp: Vec<u32>,
    generation: u32,
}

impl Index {
    /// An empty index over the bit and string fields of `space`.
    pub(crate) fn new(space: &Space<'_>) -> Self {
        let dims = space
            .dims
            .iter()
            .enumerate()
            .filter_map(|(d, dim): (usize, &Dim)| {
                let bits = match (dim.kind, dim.universe) {
                    (DimKind::Field(_) | DimKind::Weekday, Universe::Bits(n)) => n as usize,
                    (DimKind::Field(_), Universe::Str) => 0,
                    _ => return None,
                };
                Some(DimIndex {
                    dim: u32::try_from(d).ok()?,
                    wild: Vec::new(),
                    unset: Vec::new(),
                    by_bit: vec![Vec::new(); bits],
                    by_str: HashMap::new(),
                    cofinite: Vec::new(),
                })
            })
            .collect();
        Index {
            terms: Vec::new(),
            dims,
            stamp: Vec::new(),
            generation: 0,
        }
    }

    /// The term with this id.
    pub(crate) fn get(&self, id: u32) -> Option<&Covering> {
        self.terms.get(id as usize)
    }

    /// Adds a rule's term.
    pub(crate) fn add(&mut self, term: Term, rule: usize) {
        let Ok(id) = u32::try_from(self.terms.len()) else {
            return;
        };
        for di in &mut self.dims {
            let Some(dom) = term.get(di.dim) else {
                di.wild.push(id);
                continue;
            };
            if dom.unset {
                di.unset.push(id);
            }
            match &dom.vals {
                Vals::Bits(b) => {
                    for i in b.iter() {
                        if let Some(list) = di.by_bit.get_mut(i as usize) {
                            list.push(id);
                        }
                    }
                }
                Vals::Str(StrSet::Only(ids)) => {
                    for s in ids {
                        di.by_str.entry(*s).or_default().push(id);
                    }
                }
                Vals::Str(StrSet::Except(_)) => di.cofinite.push(id),
                Vals::Num(_) => di.wild.push(id),
            }
        }
        self.terms.push(Covering { term, rule });
        self.stamp.push(0);
    }

    /// The lists of terms that may meet `t` on dimension index `di`, and
    /// their total length; `None` when the dimension does not narrow.
    fn lists<'a>(&'a self, di: &'a DimIndex, t: &Term) -> Option<(Vec<&'a [u32]>, usize)> {
        let dom = t.get(di.dim)?;
        let mut lists: Vec<&[u32]> = vec![&di.wild];
        if dom.unset {
            lists.push(&di.unset);
        }
        match &dom.vals {
            Vals::Bits(b) => {
                lists.extend(
                    b.iter()
                        .filter_map(|i| di.by_bit.get(i as usize))
                        .map(Vec::as_slice),
                );
            }
            Vals::Str(StrSet::Only(ids)) => {
                lists.extend(
                    ids.iter()
                        .filter_map(|s| di.by_str.get(s))
                        .map(Vec::as_slice),
                );
                lists.push(&di.cofinite);
            }
            _ => return None,
        }
        let total = lists.iter().map(|l| l.len()).sum();
        Some((lists, total))
    }

    /// The terms that meet `t`, those most likely to cover it first.
    pub(crate) fn candidates(
        &mut self,
        t: &Term,
        budget: &mut Budget,
    ) -> Result<Vec<u32>, Exhausted> {
        let best = self
            .dims
            .iter()
            .filter_map(|di| self.lists(di, t))
            .min_by_key(|(_, total)| *total);
        let raw: Option<Vec<u32>> =
            best.map(|(lists, _)| lists.iter().flat_map(|l| l.iter().copied()).collect());
        let ids: Vec<u32> = match raw {
            Some(raw) => {
                self.generation = self.generation.wrapping_add(1);
                if self.generation == 0 {
                    self.stamp.iter_mut().for_each(|s| *s = 0);
                    self.generation = 1;
                }
                let mut ids = Vec::with_capacity(raw.len());
                for id in raw {
                    if let Some(s) = self.stamp.get_mut(id as usize) {
                        if *s != self.generation {
                            *s = self.generation;
                            ids.push(id);
                        }
                    }
                }
                ids
            }
            None => (0..u32::try_from(self.terms.len()).unwrap_or(u32::MAX)).collect(),
        };
        budget.spend(ids.len() as u64)?;
        let mut out: Vec<u32> = ids
            .into_iter()
            .filter(|&id| self.get(id).is_some_and(|c| c.term.meets(t)))
            .collect();
        // Candidates that constrain no dimension `t` leaves free first: they
        // can cover `t` whole, where the others only cover slices of it.
        out.sort_by_cached_key(|&id| {
            let extra = self.get(id).map_or(0, |c| {
                c.term
                    .parts()
                    .iter()
                    .filter(|(d, _)| t.get(*d).is_none())
                    .count()
            });
            (extra, self.get(id).map_or(0, |c| c.term.width()), id)
        });
        Ok(out)
    }

    /// Every term, broadest first.
    pub(crate) fn all(&self) -> Vec<u32> {
        let mut out: Vec<u32> = (0..u32::try_from(self.terms.len()).unwrap_or(u32::MAX)).collect();
        out.sort_by_key(|&id| (self.get(id).map_or(0, |c| c.term.width()), id));
        out
    }
}

/// A depth-first search for points of a term outside some candidates.
pub(crate) struct Search {
    cands: Vec<u32>,
    stack: Vec<(Term, usize)>,
    /// The candidates that took part (split a piece), in the order used.
    pub(crate) used: Vec<u32>,
}

impl Search {
    /// Searches `start` minus the union of `cands` (ids in `Index`).
    pub(crate) fn new(start: Term, cands: Vec<u32>) -> Self {
        Search {
            cands,
            stack: vec![(start, 0)],
            used: Vec::new(),
        }
    }

    /// The next uncovered piece (a non-empty term no candidate meets), or
    /// `None` when everything left is covered.
    pub(crate) fn next(
        &mut self,
        index: &Index,
        space: &Space<'_>,
        budget: &mut Budget,
    ) -> Result<Option<Term>, Exhausted> {
        while let Some((piece, from)) = self.stack.pop() {
            let mut hit = None;
            for (j, &c) in self.cands.iter().enumerate().skip(from) {
                budget.spend(1)?;
                if index.get(c).is_some_and(|cov| cov.term.meets(&piece)) {
                    hit = Some((j, c));
                    break;
                }
            }
            let Some((j, c)) = hit else {
                return Ok(Some(piece));
            };
            let Some(cover) = index.get(c) else {
                return Ok(Some(piece));
            };
            self.used.push(c);
            // The parts of `piece` outside `cover`: outside on its first
            // dimension; inside on the first, outside on the second; ...
            // The broadest part is searched first: uncovered points are
            // most likely there.
            let mut parts = Vec::with_capacity(cover.term.width());
            let mut rest = piece;
            for (d, cd) in cover.term.parts() {
                budget.spend(1)?;
                let Some(dim) = space.dim(*d) else {
                    // Cannot split: claim nothing about this piece.
                    return Ok(Some(rest));
                };
                let pd = rest.get(*d).cloned().unwrap_or_else(|| dim.full());
                let outside = pd.and(&dim.not(cd));
                if !outside.is_empty() {
                    if let Some(sub) = rest.with(*d, outside, space) {
                        parts.push(sub);
                    }
                }
                match rest.with(*d, pd.and(cd), space) {
                    Some(r) => rest = r,
                    None => break,
                }
            }
            self.stack
                .extend(parts.into_iter().rev().map(|p| (p, j + 1)));
        }
        Ok(None)
    }
}
