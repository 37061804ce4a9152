//! Witness contexts for E008: concrete values in an uncovered piece, the
//! JSON a host would send for them, and that JSON read back the way every
//! context is read ([`crate::semantics::given_from_json`]), so what is
//! verified is exactly what is shown.
//!
//! [`realize`] picks a value per field inside the piece. The opaque atoms
//! that read one string field are decided together ([`super::text`]);
//! atoms that read two subjects are met by trying combinations of the
//! fields' candidates. Each field is either given values, or shown to have
//! none (the piece is empty: it holds no context), or left undecided.

use serde_json::{Map, Number as JsonNumber, Value as Json};

use crate::ir::{AtomKind, FieldId, Type, Value};
use crate::semantics::{given_from_json, holds, typed, Scalar};

use super::concrete::Concrete;
use super::numeric::nice_floats;
use super::sets::StrSet;
use super::space::{DimId, DimKind, Dom, Space, Term, Vals};
use super::text::{reads_only, Outcome, TextTests};
use super::{Budget, Exhausted};

/// Values tried per field when atoms read two subjects.
const PER_FIELD: usize = 12;
/// Combinations tried for atoms that read two subjects.
const MAX_COMBINATIONS: u64 = 20_000;

/// What [`realize`] made of a piece.
#[derive(Clone, Debug, PartialEq)]
pub(crate) enum Realized {
    /// A context in the piece.
    Context(Concrete),
    /// No context is in the piece.
    Empty,
    /// Not decided: the opaque atoms (dimensions) it could not satisfy.
    Unknown(Vec<DimId>),
}

/// An opaque atom the piece requires true or false.
struct Required<'s> {
    dim: DimId,
    atom: &'s AtomKind,
    want: bool,
}

/// The opaque atoms `piece` fixes.
fn required<'s>(space: &'s Space<'_>, piece: &Term) -> Vec<Required<'s>> {
    piece
        .parts()
        .iter()
        .filter_map(|(d, dom)| {
            let DimKind::Opaque(k) = space.dim(*d)?.kind else {
                return None;
            };
            let o = space.opaque.get(k)?;
            let Vals::Bits(b) = &dom.vals else {
                return None;
            };
            // Both values allowed: the piece does not fix it.
            if b.contains(0) == b.contains(1) {
                return None;
            }
            Some(Required {
                dim: *d,
                atom: &o.atom,
                want: b.contains(1),
            })
        })
        .collect()
}

/// The values a field may take in a piece.
struct Candidates {
    /// In order of preference (`None`: unset).
    values: Vec<Option<Value>>,
    /// Whether `values` lists every value that passes (so none means none).
    complete: bool,
}

/// Values of field `f` in `dom` giving `atoms` (which read only `f`) their
/// wanted values, most natural first: unset, the default, then others.
fn candidates(
    space: &Space<'_>,
    texts: &mut TextTests,
    f: FieldId,
    dom: &Dom,
    atoms: &[(&AtomKind, bool)],
    many: bool,
) -> Result<Candidates, Exhausted> {
    let Some(field) = space.rs.field(f) else {
        return Ok(Candidates {
            values: Vec::new(),
            complete: false,
        });
    };
    let mut values: Vec<Option<Value>> = Vec::new();
    if dom.unset {
        values.push(None);
    }
    values.extend(field.default.clone().map(Some));
    let mut complete = true;
    match (&field.ty, &dom.vals) {
        (Type::Bool, Vals::Bits(b)) => values.extend(b.iter().map(|i| Some(Value::Bool(i == 1)))),
        (Type::Enum(_), Vals::Bits(b)) => values.extend(b.iter().map(|i| Some(Value::Enum(i)))),
        (Type::String, Vals::Str(StrSet::Only(ids))) => values.extend(
            ids.iter()
                .filter_map(|id| space.string(*id))
                .map(|s| Some(Value::Str(s.to_string()))),
        ),
        (Type::String, Vals::Str(StrSet::Except(ids))) => {
            let exclude: Vec<&str> = ids.iter().filter_map(|id| space.string(*id)).collect();
            let set: Vec<(&AtomKind, bool)> = atoms.to_vec();
            let want = if many { PER_FIELD } else { 1 };
            match texts.strings(f, space.rs.fields.len(), &exclude, &set, want)? {
                Outcome::Found(found) => {
                    values.extend(found.into_iter().map(|s| Some(Value::Str(s))))
                }
                Outcome::Empty => {}
                Outcome::Unknown => complete = false,
            }
        }
        (Type::Int, Vals::Num(set)) => {
            complete = atoms.is_empty();
            values.extend(set.nearest_zero().map(|i| Some(Value::Int(i))));
            for &(lo, hi) in set.ranges().iter().take(PER_FIELD) {
                for i in [lo, hi, lo.saturating_add(1), hi.saturating_sub(1)] {
                    values.push(Some(Value::Int(i)));
                }
            }
        }
        (Type::Float, Vals::Num(set)) => {
            complete = atoms.is_empty();
            let mut ranges = set.ranges().to_vec();
            ranges.sort_by_key(|&(lo, hi)| 0i64.clamp(lo, hi).unsigned_abs());
            for &(lo, hi) in ranges.iter().take(PER_FIELD) {
                values.extend(
                    nice_floats(lo, hi)
                        .into_iter()
                        .map(|x| Some(Value::Float(x))),
                );
            }
        }
        _ => complete = false,
    }
    let mut kept: Vec<Option<Value>> = Vec::new();
    for v in values {
        if allows(space, dom, v.as_ref())
            && Concrete::only(space.rs.fields.len(), f, v.clone()).gives(atoms)
            && !kept.contains(&v)
        {
            kept.push(v);
        }
    }
    Ok(Candidates {
        values: kept,
        complete,
    })
}

/// Whether `v` (`None`: unset) is allowed by `dom`.
fn allows(space: &Space<'_>, dom: &Dom, v: Option<&Value>) -> bool {
    match (v, &dom.vals) {
        (None, _) => dom.unset,
        (Some(Value::Bool(b)), Vals::Bits(bits)) => bits.contains(u32::from(*b)),
        (Some(Value::Enum(i)), Vals::Bits(bits)) => bits.contains(*i),
        (Some(Value::Str(s)), Vals::Str(set)) => match space.string_id(s) {
            Some(id) => set.contains(id),
            None => matches!(set, StrSet::Except(_)),
        },
        (Some(Value::Int(i)), Vals::Num(set)) => set.contains(*i),
        (Some(Value::Float(x)), Vals::Num(set)) => {
            x.is_finite() && set.contains(super::numeric::float_key(*x))
        }
        _ => false,
    }
}

/// A context inside `piece`, or that there is none, or that it is not
/// decided.
pub(crate) fn realize(
    space: &Space<'_>,
    texts: &mut TextTests,
    piece: &Term,
    budget: &mut Budget,
) -> Result<Realized, Exhausted> {
    let required = required(space, piece);
    let n = space.rs.fields.len();
    // Atoms reading one field are that field's business; the others are
    // met by combining the fields' values.
    let mut shared: Vec<&Required<'_>> = required
        .iter()
        .filter(|r| (0..n).all(|i| !reads_only(r.atom, field_id(i))))
        .collect();
    let involved: Vec<bool> = (0..n)
        .map(|i| {
            let f = field_id(i);
            shared
                .iter()
                .any(|r| super::atoms::fields_of(r.atom).contains(&f))
        })
        .collect();
    let mut lists: Vec<Vec<Option<Value>>> = Vec::with_capacity(n);
    let mut undecided: Option<Vec<DimId>> = None;
    for i in 0..n {
        let f = field_id(i);
        let d = space.field_dim(f);
        let Some(dom) = piece.get(d).cloned().or_else(|| space.full(d)) else {
            return Ok(Realized::Unknown(Vec::new()));
        };
        let own: Vec<&Required<'_>> = required.iter().filter(|r| reads_only(r.atom, f)).collect();
        let atoms: Vec<(&AtomKind, bool)> = own.iter().map(|r| (r.atom, r.want)).collect();
        let many = involved.get(i).copied().unwrap_or(false);
        let c = candidates(space, texts, f, &dom, &atoms, many)?;
        if c.values.is_empty() {
            if c.complete {
                return Ok(Realized::Empty);
            }
            // Go on: another field may show that the piece is empty.
            undecided
                .get_or_insert_with(Vec::new)
                .extend(own.iter().map(|r| r.dim));
        }
        lists.push(c.values);
    }
    if let Some(dims) = undecided {
        return Ok(Realized::Unknown(dims));
    }
    let hours: Vec<i64> = match piece.get(space.hour_dim()).map(|d| &d.vals) {
        Some(Vals::Num(set)) => (0..24).filter(|h| set.contains(*h)).collect(),
        _ => (0..24).collect(),
    };
    let days: Vec<u32> = match piece.get(space.weekday_dim()).map(|d| &d.vals) {
        Some(Vals::Bits(b)) => b.iter().collect(),
        _ => (0..7).collect(),
    };
    let first = |lists: &[Vec<Option<Value>>]| Concrete {
        values: lists.iter().map(|l| l.first().cloned().flatten()).collect(),
        hour: hours.first().copied().unwrap_or(0),
        weekday: days.first().copied().unwrap_or(0),
    };
    if shared.is_empty() {
        return Ok(Realized::Context(first(&lists)));
    }
    // Values one field could share with another (`a == b`).
    let pool: Vec<Option<Value>> = lists
        .iter()
        .zip(&involved)
        .filter(|(_, inv)| **inv)
        .flat_map(|(l, _)| l.iter().take(PER_FIELD).cloned())
        .collect();
    for (i, list) in lists.iter_mut().enumerate() {
        if !involved.get(i).copied().unwrap_or(false) {
            list.truncate(1);
            continue;
        }
        let f = field_id(i);
        let d = space.field_dim(f);
        let Some(dom) = piece.get(d).cloned().or_else(|| space.full(d)) else {
            continue;
        };
        let own: Vec<(&AtomKind, bool)> = required
            .iter()
            .filter(|r| reads_only(r.atom, f))
            .map(|r| (r.atom, r.want))
            .collect();
        let ty = space.rs.field(f).map(|fd| fd.ty.clone());
        list.truncate(PER_FIELD);
        for v in &pool {
            let Some(v) = convert(v.as_ref(), ty.as_ref()) else {
                continue;
            };
            if !list.contains(&v)
                && allows(space, &dom, v.as_ref())
                && Concrete::only(n, f, v.clone()).gives(&own)
            {
                list.push(v);
            }
        }
    }
    let reads_hour = shared.iter().any(|r| r.atom.reads_time());
    let hours: Vec<i64> = if reads_hour {
        hours
    } else {
        hours.into_iter().take(1).collect()
    };
    let days: Vec<u32> = if reads_hour {
        days
    } else {
        days.into_iter().take(1).collect()
    };
    shared.sort_by_key(|r| r.dim);
    match combine(&lists, &hours, &days, &shared, budget)? {
        Some(c) => Ok(Realized::Context(c)),
        None => Ok(Realized::Unknown(shared.iter().map(|r| r.dim).collect())),
    }
}

fn field_id(i: usize) -> FieldId {
    FieldId(u32::try_from(i).unwrap_or(u32::MAX))
}

/// `v` as a value of a field of type `ty`, if it is one exactly.
fn convert(v: Option<&Value>, ty: Option<&Type>) -> Option<Option<Value>> {
    let Some(v) = v else {
        return Some(None);
    };
    Some(Some(match (v, ty?) {
        (Value::Int(i), Type::Float) => {
            let x = *i as f64;
            (crate::semantics::compare_int_float(*i, x)? == std::cmp::Ordering::Equal)
                .then_some(Value::Float(x))?
        }
        (Value::Float(x), Type::Int) => {
            let i = *x as i64;
            (crate::semantics::compare_int_float(i, *x)? == std::cmp::Ordering::Equal)
                .then_some(Value::Int(i))?
        }
        (Value::Int(_), Type::Int)
        | (Value::Float(_), Type::Float)
        | (Value::Bool(_), Type::Bool)
        | (Value::Str(_), Type::String)
        | (Value::Enum(_), Type::Enum(_)) => v.clone(),
        _ => return None,
    }))
}

/// The first combination of the lists' values (and of the hours and days)
/// that gives every atom of `shared` its wanted value.
fn combine(
    lists: &[Vec<Option<Value>>],
    hours: &[i64],
    days: &[u32],
    shared: &[&Required<'_>],
    budget: &mut Budget,
) -> Result<Option<Concrete>, Exhausted> {
    let sizes: Vec<usize> = lists
        .iter()
        .map(Vec::len)
        .chain([hours.len(), days.len()])
        .collect();
    if sizes.contains(&0) {
        return Ok(None);
    }
    let mut at = vec![0usize; sizes.len()];
    for _ in 0..MAX_COMBINATIONS {
        budget.spend(shared.len() as u64 + 1)?;
        let c = Concrete {
            values: lists
                .iter()
                .zip(&at)
                .map(|(l, i)| l.get(*i).cloned().flatten())
                .collect(),
            hour: hours
                .get(at.get(lists.len()).copied().unwrap_or(0))
                .copied()
                .unwrap_or(0),
            weekday: days
                .get(at.get(lists.len() + 1).copied().unwrap_or(0))
                .copied()
                .unwrap_or(0),
        };
        if shared.iter().all(|r| holds(r.atom, &c) == r.want) {
            return Ok(Some(c));
        }
        // The next combination, like an odometer.
        let mut k = 0;
        loop {
            let (Some(i), Some(size)) = (at.get_mut(k), sizes.get(k)) else {
                return Ok(None);
            };
            *i += 1;
            if *i < *size {
                break;
            }
            *i = 0;
            k += 1;
        }
    }
    Ok(None)
}

/// The context as a JSON object: every set field whose value is not its
/// default (a field left out takes its default, or stays unset). Floats
/// print as the shortest text that reads back as the same float, ints as
/// ints.
pub(crate) fn to_json(space: &Space<'_>, c: &Concrete) -> Map<String, Json> {
    let mut out = Map::new();
    for (field, v) in space.rs.fields.iter().zip(&c.values) {
        let Some(v) = v else { continue };
        if field.default.as_ref() == Some(v) {
            continue;
        }
        let json = match (v, &field.ty) {
            (Value::Bool(b), _) => Json::Bool(*b),
            (Value::Int(i), _) => Json::from(*i),
            (Value::Float(x), _) => match JsonNumber::from_f64(*x) {
                Some(n) => Json::Number(n),
                None => continue,
            },
            (Value::Str(s), _) => Json::String(s.clone()),
            (Value::Enum(i), Type::Enum(values)) => match values.get(*i as usize) {
                Some(s) => Json::String(s.clone()),
                None => continue,
            },
            (Value::Enum(_), _) => continue,
        };
        out.insert(field.name.clone(), json);
    }
    out
}

/// Reads a JSON context as every context is read (docs/reference/context.md):
/// missing or `null` fields take their default; `None` for a value a
/// context would refuse.
pub(crate) fn from_json(
    space: &Space<'_>,
    json: &Map<String, Json>,
    hour: i64,
    weekday: u32,
) -> Option<Concrete> {
    let mut values = Vec::with_capacity(space.rs.fields.len());
    for field in &space.rs.fields {
        let given = match json.get(&field.name) {
            None => None,
            Some(v) => given_from_json(&field.ty, v).ok()?,
        };
        values.push(match given {
            None => field.default.clone(),
            Some(g) => Some(typed(&field.ty, g).ok().map(Scalar::to_value)?),
        });
    }
    Some(Concrete {
        values,
        hour,
        weekday,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Whether `x` survives printing as JSON and reading back.
    fn json_roundtrips(x: f64) -> bool {
        JsonNumber::from_f64(x)
            .and_then(|n| serde_json::from_str::<Json>(&Json::Number(n).to_string()).ok())
            .and_then(|j| j.as_f64())
            == Some(x)
    }

    #[test]
    fn samples_roundtrip_through_json() {
        use super::super::numeric::float_key;
        let (lo, hi) = (float_key(0.1) + 1, float_key(0.300_000_000_000_000_04));
        for x in nice_floats(lo, hi).into_iter().chain([
            0.999_999_999_999_999_9,
            1e300,
            5e-324,
            9_007_199_254_740_993.0,
        ]) {
            assert!(json_roundtrips(x), "{x}");
        }
    }
}
