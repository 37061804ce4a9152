//! The space conditions are analysed in: one dimension per context field,
//! `hour`, `weekday`, and one free boolean per opaque atom; the allowed
//! values of a dimension ([`Dom`]); and [`Term`]s, conjunctions that allow a
//! box of that space.
//!
//! A field without a default has one more value, *unset*. An opaque atom
//! (a regex, `contains`, `words(F) < 3`, `a == b`, ...) is a free boolean
//! that can only be true when the fields it reads are set. [`Term`]s keep
//! that implication normalized: a term that requires an opaque atom to be
//! true also requires its fields to be set. With that invariant, two terms
//! meet exactly when every dimension they share meets (see
//! [`Space::normalize`]).

use std::collections::HashMap;

use crate::ir::{AtomKind, FieldId, Ruleset, Type};

use super::int_set::IntSet;
use super::numeric::Line;
use super::sets::{Bits, StrSet};

/// Index of a dimension in [`Space::dims`].
pub(crate) type DimId = u32;

/// Allowed values of a dimension, without the unset marker.
#[derive(Clone, Debug, PartialEq)]
pub(crate) enum Vals {
    /// Bools (bit 0 false, bit 1 true), enums, weekdays, opaque atoms.
    Bits(Bits),
    /// Strings.
    Str(StrSet),
    /// Numbers (ints, floats, `hour`): keys of the dimension's [`Line`].
    Num(IntSet),
}

impl Vals {
    fn is_empty(&self) -> bool {
        match self {
            Vals::Bits(b) => b.is_empty(),
            Vals::Str(s) => s.is_empty(),
            Vals::Num(n) => n.is_empty(),
        }
    }
}

/// Allowed values of one dimension.
#[derive(Clone, Debug, PartialEq)]
pub(crate) struct Dom {
    /// Whether "unset" is allowed (only for fields without a default).
    pub(crate) unset: bool,
    /// The allowed values.
    pub(crate) vals: Vals,
}

impl Dom {
    /// These values, and not unset.
    pub(crate) fn set(vals: Vals) -> Dom {
        Dom { unset: false, vals }
    }

    /// The intersection. (Dimensions never mix kinds; if they did, `self`
    /// would be kept: a superset of the intersection, which is sound.)
    pub(crate) fn and(&self, o: &Dom) -> Dom {
        let vals = match (&self.vals, &o.vals) {
            (Vals::Bits(a), Vals::Bits(b)) => Vals::Bits(a.and(b)),
            (Vals::Str(a), Vals::Str(b)) => Vals::Str(a.and(b)),
            (Vals::Num(a), Vals::Num(b)) => Vals::Num(a.and(b)),
            _ => self.vals.clone(),
        };
        Dom {
            unset: self.unset && o.unset,
            vals,
        }
    }

    /// Whether the intersection is non-empty.
    pub(crate) fn meets(&self, o: &Dom) -> bool {
        (self.unset && o.unset)
            || match (&self.vals, &o.vals) {
                (Vals::Bits(a), Vals::Bits(b)) => a.meets(b),
                (Vals::Str(a), Vals::Str(b)) => a.meets(b),
                (Vals::Num(a), Vals::Num(b)) => a.meets(b),
                _ => true,
            }
    }

    /// Whether nothing is allowed.
    pub(crate) fn is_empty(&self) -> bool {
        !self.unset && self.vals.is_empty()
    }

    /// The same values without unset.
    pub(crate) fn set_only(&self) -> Dom {
        Dom::set(self.vals.clone())
    }
}

/// The values a dimension ranges over.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Universe {
    /// `0..n`.
    Bits(u32),
    /// Every string.
    Str,
    /// Numbers.
    Num(Line),
}

/// What a dimension stands for.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum DimKind {
    /// A context field.
    Field(FieldId),
    /// The built-in `hour`.
    Hour,
    /// The built-in `weekday`.
    Weekday,
    /// An opaque atom: index into [`Space::opaque`].
    Opaque(usize),
}

/// One dimension.
#[derive(Clone, Debug)]
pub(crate) struct Dim {
    /// What it is.
    pub(crate) kind: DimKind,
    /// Whether it can be unset (a field without a default).
    pub(crate) optional: bool,
    /// Its values.
    pub(crate) universe: Universe,
}

impl Dim {
    /// Every value (and unset, if optional).
    pub(crate) fn full(&self) -> Dom {
        Dom {
            unset: self.optional,
            vals: match self.universe {
                Universe::Bits(n) => Vals::Bits(Bits::full(n)),
                Universe::Str => Vals::Str(StrSet::except(Vec::new())),
                Universe::Num(line) => Vals::Num(line.all()),
            },
        }
    }

    /// The complement of `d` in this dimension.
    pub(crate) fn not(&self, d: &Dom) -> Dom {
        Dom {
            unset: self.optional && !d.unset,
            vals: match (&d.vals, self.universe) {
                (Vals::Bits(b), _) => Vals::Bits(b.not()),
                (Vals::Str(s), _) => Vals::Str(s.not()),
                (Vals::Num(n), Universe::Num(line)) => {
                    let (lo, hi) = line.ends();
                    Vals::Num(n.not_within(lo, hi))
                }
                (Vals::Num(n), _) => Vals::Num(n.not_within(i64::MIN, i64::MAX)),
            },
        }
    }

    /// Whether `d` allows everything.
    pub(crate) fn is_full(&self, d: &Dom) -> bool {
        d.unset == self.optional
            && match (&d.vals, self.universe) {
                (Vals::Bits(b), _) => b.is_full(),
                (Vals::Str(s), _) => s.is_full(),
                (Vals::Num(n), Universe::Num(line)) => n.ranges() == [line.ends()],
                _ => false,
            }
    }
}

/// An opaque atom: a free boolean, true only when `fields` are set.
#[derive(Clone, Debug)]
pub(crate) struct Opaque {
    /// The atom, to evaluate it on witnesses.
    pub(crate) atom: AtomKind,
    /// The fields it reads.
    pub(crate) fields: Vec<FieldId>,
    /// The rules whose terms test it (to name them when it is not
    /// decided), in order.
    pub(crate) rules: Vec<usize>,
}

/// The dimensions of one ruleset, and the strings its atoms mention.
pub(crate) struct Space<'r> {
    /// The ruleset.
    pub(crate) rs: &'r Ruleset,
    /// Fields first (dimension `i` is field `i`), then `hour`, `weekday`,
    /// then opaque atoms as they are met.
    pub(crate) dims: Vec<Dim>,
    /// The opaque atoms.
    pub(crate) opaque: Vec<Opaque>,
    opaque_ix: HashMap<String, DimId>,
    strings: Vec<String>,
    string_ix: HashMap<String, u32>,
}

/// The universe of a field of type `ty`.
fn universe(ty: &Type) -> Universe {
    match ty {
        Type::Bool => Universe::Bits(2),
        Type::Int => Universe::Num(Line::Int(i64::MIN, i64::MAX)),
        Type::Float => Universe::Num(Line::Float),
        Type::String => Universe::Str,
        Type::Enum(values) => Universe::Bits(u32::try_from(values.len()).unwrap_or(u32::MAX)),
    }
}

impl<'r> Space<'r> {
    /// The space of `rs`'s fields, `hour` and `weekday`.
    pub(crate) fn new(rs: &'r Ruleset) -> Self {
        let mut dims: Vec<Dim> = rs
            .fields
            .iter()
            .enumerate()
            .map(|(i, f)| Dim {
                kind: DimKind::Field(FieldId(u32::try_from(i).unwrap_or(u32::MAX))),
                optional: f.default.is_none(),
                universe: universe(&f.ty),
            })
            .collect();
        dims.push(Dim {
            kind: DimKind::Hour,
            optional: false,
            universe: Universe::Num(Line::Int(0, 23)),
        });
        dims.push(Dim {
            kind: DimKind::Weekday,
            optional: false,
            universe: Universe::Bits(7),
        });
        Space {
            rs,
            dims,
            opaque: Vec::new(),
            opaque_ix: HashMap::new(),
            strings: Vec::new(),
            string_ix: HashMap::new(),
        }
    }

    /// The dimension of a field.
    pub(crate) fn field_dim(&self, f: FieldId) -> DimId {
        f.0
    }

    /// The dimension of `hour`.
    pub(crate) fn hour_dim(&self) -> DimId {
        u32::try_from(self.rs.fields.len()).unwrap_or(u32::MAX)
    }

    /// The dimension of `weekday`.
    pub(crate) fn weekday_dim(&self) -> DimId {
        self.hour_dim().saturating_add(1)
    }

    /// Dimension `d`.
    pub(crate) fn dim(&self, d: DimId) -> Option<&Dim> {
        self.dims.get(d as usize)
    }

    /// The dimension of an opaque atom (the same for structurally equal
    /// atoms), made on first use.
    pub(crate) fn opaque_dim(&mut self, atom: &AtomKind, fields: Vec<FieldId>) -> DimId {
        let key = format!("{atom:?}");
        if let Some(&d) = self.opaque_ix.get(&key) {
            return d;
        }
        let d = u32::try_from(self.dims.len()).unwrap_or(u32::MAX);
        self.dims.push(Dim {
            kind: DimKind::Opaque(self.opaque.len()),
            optional: false,
            universe: Universe::Bits(2),
        });
        self.opaque.push(Opaque {
            atom: atom.clone(),
            fields,
            rules: Vec::new(),
        });
        self.opaque_ix.insert(key, d);
        d
    }

    /// Records that rule `r`'s terms test the opaque atoms they constrain.
    pub(crate) fn note_rule(&mut self, r: usize, terms: &[Term]) {
        for t in terms {
            for (d, _) in t.parts() {
                let Some(DimKind::Opaque(k)) = self.dim(*d).map(|d| d.kind) else {
                    continue;
                };
                if let Some(o) = self.opaque.get_mut(k) {
                    if o.rules.last() != Some(&r) {
                        o.rules.push(r);
                    }
                }
            }
        }
    }

    /// The id of a string.
    pub(crate) fn intern(&mut self, s: &str) -> u32 {
        if let Some(&id) = self.string_ix.get(s) {
            return id;
        }
        let id = u32::try_from(self.strings.len()).unwrap_or(u32::MAX);
        self.strings.push(s.to_string());
        self.string_ix.insert(s.to_string(), id);
        id
    }

    /// The string of an id.
    pub(crate) fn string(&self, id: u32) -> Option<&str> {
        self.strings.get(id as usize).map(String::as_str)
    }

    /// The id of a string, if some atom mentions it.
    pub(crate) fn string_id(&self, s: &str) -> Option<u32> {
        self.string_ix.get(s).copied()
    }

    /// Every value of dimension `d`.
    pub(crate) fn full(&self, d: DimId) -> Option<Dom> {
        self.dim(d).map(Dim::full)
    }

    /// Makes a term of `parts` (sorted by dimension, no repeats): `None`
    /// when some dimension is empty. Opaque atoms required true get their
    /// fields required set; dimensions that allow everything are dropped.
    ///
    /// After this, the implication "opaque atom true => its fields set"
    /// holds in one direction inside every term, which is all exactness
    /// needs: where the intersection of two terms requires an atom true,
    /// one of them did, so its fields are set in both.
    pub(crate) fn normalize(&self, mut parts: Vec<(DimId, Dom)>) -> Option<Term> {
        let mut must_set: Vec<DimId> = Vec::new();
        for (d, dom) in &parts {
            if dom.is_empty() {
                return None;
            }
            if let (
                Some(Dim {
                    kind: DimKind::Opaque(k),
                    ..
                }),
                Vals::Bits(b),
            ) = (self.dim(*d), &dom.vals)
            {
                if !b.contains(0) {
                    if let Some(o) = self.opaque.get(*k) {
                        must_set.extend(o.fields.iter().map(|f| self.field_dim(*f)));
                    }
                }
            }
        }
        for f in must_set {
            match parts.binary_search_by_key(&f, |p| p.0) {
                Ok(i) => {
                    if let Some(p) = parts.get_mut(i) {
                        p.1.unset = false;
                        if p.1.is_empty() {
                            return None;
                        }
                    }
                }
                Err(i) => {
                    if let Some(full) = self.full(f).filter(|d| d.unset) {
                        parts.insert(i, (f, full.set_only()));
                    }
                }
            }
        }
        parts.retain(|(d, dom)| !self.dim(*d).is_some_and(|dim| dim.is_full(dom)));
        Some(Term { parts })
    }
}

/// A conjunction: for each dimension it constrains, the allowed values
/// (sorted by dimension). The empty term allows everything.
#[derive(Clone, Debug, Default, PartialEq)]
pub(crate) struct Term {
    parts: Vec<(DimId, Dom)>,
}

impl Term {
    /// Allows everything.
    pub(crate) fn top() -> Term {
        Term::default()
    }

    /// The constrained dimensions.
    pub(crate) fn parts(&self) -> &[(DimId, Dom)] {
        &self.parts
    }

    /// The constraint on `d`, if any.
    pub(crate) fn get(&self, d: DimId) -> Option<&Dom> {
        self.parts
            .binary_search_by_key(&d, |p| p.0)
            .ok()
            .and_then(|i| self.parts.get(i))
            .map(|p| &p.1)
    }

    /// Whether some point satisfies both terms (exact for normalized terms).
    pub(crate) fn meets(&self, o: &Term) -> bool {
        let (mut a, mut b) = (self.parts.iter().peekable(), o.parts.iter().peekable());
        while let (Some(x), Some(y)) = (a.peek(), b.peek()) {
            match x.0.cmp(&y.0) {
                std::cmp::Ordering::Less => {
                    a.next();
                }
                std::cmp::Ordering::Greater => {
                    b.next();
                }
                std::cmp::Ordering::Equal => {
                    if !x.1.meets(&y.1) {
                        return false;
                    }
                    a.next();
                    b.next();
                }
            }
        }
        true
    }

    /// The conjunction of two terms; `None` when empty.
    pub(crate) fn and(&self, o: &Term, space: &Space<'_>) -> Option<Term> {
        let mut parts = Vec::with_capacity(self.parts.len() + o.parts.len());
        let (mut a, mut b) = (self.parts.iter().peekable(), o.parts.iter().peekable());
        loop {
            match (a.peek(), b.peek()) {
                (Some(x), Some(y)) if x.0 == y.0 => {
                    parts.push((x.0, x.1.and(&y.1)));
                    a.next();
                    b.next();
                }
                (Some(x), Some(y)) if x.0 < y.0 => {
                    parts.push((*x).clone());
                    a.next();
                }
                (Some(_), Some(y)) | (None, Some(y)) => {
                    parts.push((*y).clone());
                    b.next();
                }
                (Some(x), None) => {
                    parts.push((*x).clone());
                    a.next();
                }
                (None, None) => break,
            }
        }
        space.normalize(parts)
    }

    /// The term with dimension `d` allowing exactly `dom`; `None` when empty.
    pub(crate) fn with(&self, d: DimId, dom: Dom, space: &Space<'_>) -> Option<Term> {
        let mut parts = self.parts.clone();
        match parts.binary_search_by_key(&d, |p| p.0) {
            Ok(i) => {
                if let Some(p) = parts.get_mut(i) {
                    p.1 = dom;
                }
            }
            Err(i) => parts.insert(i, (d, dom)),
        }
        space.normalize(parts)
    }

    /// How many dimensions are constrained.
    pub(crate) fn width(&self) -> usize {
        self.parts.len()
    }
}
