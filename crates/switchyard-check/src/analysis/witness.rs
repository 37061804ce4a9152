//! Witness contexts for E008: concrete values in an uncovered piece, the
//! JSON a host would send for them, and that JSON read back the way the
//! evaluator reads contexts (defaults for missing fields), so what is
//! verified is exactly what is shown.

use serde_json::{Map, Number as JsonNumber, Value as Json};

use crate::ir::{AtomKind, FieldId, Number, Operand, StrOp, Subject, Type, Value};

use super::exact::Concrete;
use super::space::{DimKind, Dom, Space, Term, Vals};

/// Strings tried for one string field, at most.
const MAX_STRINGS: usize = 256;
/// Longest string made up to meet `words`/`len` constants.
const MAX_MADE_LEN: i64 = 4096;

/// Whether `v` (`None`: unset) is allowed by `dom`.
fn allows(space: &Space<'_>, dom: &Dom, v: Option<&Value>) -> bool {
    match (v, &dom.vals) {
        (None, _) => dom.unset,
        (Some(Value::Bool(b)), Vals::Bits(bits)) => bits.contains(u32::from(*b)),
        (Some(Value::Enum(i)), Vals::Bits(bits)) => bits.contains(*i),
        (Some(Value::Str(s)), Vals::Str(set)) => match space.string_id(s) {
            Some(id) => set.contains(id),
            None => matches!(set, super::sets::StrSet::Except(_)),
        },
        (Some(Value::Int(i)), Vals::Int(set)) => set.contains(*i),
        (Some(Value::Float(x)), Vals::Float(set)) => set.contains(*x),
        _ => false,
    }
}

/// Integer constants an atom compares `words(f)`/`len(f)` with.
fn counts(atom: &AtomKind, f: FieldId) -> (bool, Vec<i64>) {
    let reads = |s: &Subject| match s {
        Subject::Words(g) if *g == f => Some(true),
        Subject::Len(g) if *g == f => Some(false),
        _ => None,
    };
    let whole = |x: f64| (x.abs() < 1e15).then_some(x as i64);
    match atom {
        AtomKind::Compare {
            lhs,
            rhs: Operand::Value(v),
            ..
        } => match reads(lhs) {
            Some(w) => (w, v.as_f64().and_then(whole).into_iter().collect()),
            None => (false, Vec::new()),
        },
        AtomKind::In { lhs, values, .. } => match reads(lhs) {
            Some(w) => (
                w,
                values
                    .iter()
                    .filter_map(|v| v.as_f64().and_then(whole))
                    .collect(),
            ),
            None => (false, Vec::new()),
        },
        AtomKind::Range { lhs, lo, hi, .. } => match reads(lhs) {
            Some(w) => (
                w,
                [Number::as_f64(*lo), Number::as_f64(*hi)]
                    .into_iter()
                    .filter_map(whole)
                    .collect(),
            ),
            None => (false, Vec::new()),
        },
        _ => (false, Vec::new()),
    }
}

/// Strings worth trying for string field `f`.
fn strings(space: &Space<'_>, f: FieldId, dom: &Dom) -> Vec<String> {
    let mut out: Vec<String> = Vec::new();
    if let Vals::Str(super::sets::StrSet::Only(ids)) = &dom.vals {
        out.extend(
            ids.iter()
                .filter_map(|id| space.string(*id))
                .map(String::from),
        );
        return out;
    }
    out.extend(["", "x", "a", "0"].map(String::from));
    for o in &space.opaque {
        if let AtomKind::Str { lhs, needle, op } = &o.atom {
            if lhs.field() == Some(f) {
                out.push(needle.clone());
                out.push(match op {
                    StrOp::Contains => format!("x{needle}x"),
                    StrOp::StartsWith => format!("{needle}x"),
                    StrOp::EndsWith => format!("x{needle}"),
                });
            }
        }
        let (words, constants) = counts(&o.atom, f);
        for c in constants {
            for n in [c - 1, c, c + 1] {
                if (0..=MAX_MADE_LEN).contains(&n) {
                    let n = usize::try_from(n).unwrap_or(0);
                    out.push(if words {
                        vec!["w"; n].join(" ")
                    } else {
                        "a".repeat(n)
                    });
                }
            }
        }
    }
    out.extend(space.strings().iter().cloned());
    out.truncate(MAX_STRINGS);
    out
}

/// Values worth trying for field `f` in `dom`, most natural first (unset,
/// then the default, then others); all of them allowed by `dom`.
fn candidates(space: &Space<'_>, f: FieldId, dom: &Dom) -> Vec<Option<Value>> {
    let Some(field) = space.rs.field(f) else {
        return Vec::new();
    };
    let mut out: Vec<Option<Value>> = vec![None, field.default.clone()];
    match (&field.ty, &dom.vals) {
        (Type::Bool, Vals::Bits(b)) => out.extend(b.iter().map(|i| Some(Value::Bool(i == 1)))),
        (Type::Enum(_), Vals::Bits(b)) => out.extend(b.iter().map(|i| Some(Value::Enum(i)))),
        (Type::String, _) => out.extend(
            strings(space, f, dom)
                .into_iter()
                .map(|s| Some(Value::Str(s))),
        ),
        (Type::Int, Vals::Int(set)) => {
            out.push(set.nearest_zero().map(Value::Int));
            for &(lo, hi) in set.ranges().iter().take(8) {
                out.extend([Some(Value::Int(lo)), Some(Value::Int(hi))]);
            }
        }
        (Type::Float, Vals::Float(set)) => {
            out.extend(set.samples().into_iter().map(|x| Some(Value::Float(x))));
        }
        _ => {}
    }
    out.retain(|v| allows(space, dom, v.as_ref()));
    out
}

/// A concrete context inside `piece`: for each field, the first candidate
/// value that meets the piece's requirements on the opaque atoms reading
/// only that field (atoms reading two fields are left to verification).
pub(crate) fn build(space: &Space<'_>, piece: &Term) -> Concrete {
    let mut values = Vec::with_capacity(space.rs.fields.len());
    for (i, _) in space.rs.fields.iter().enumerate() {
        let f = FieldId(u32::try_from(i).unwrap_or(u32::MAX));
        let d = space.field_dim(f);
        let Some(dom) = piece.get(d).cloned().or_else(|| space.full(d)) else {
            values.push(None);
            continue;
        };
        let required: Vec<(&AtomKind, bool)> = piece
            .parts()
            .iter()
            .filter_map(|(od, odom)| {
                let DimKind::Opaque(k) = space.dim(*od)?.kind else {
                    return None;
                };
                let o = space.opaque.get(k)?;
                let Vals::Bits(b) = &odom.vals else {
                    return None;
                };
                (o.fields == [f]).then_some((&o.atom, b.contains(1)))
            })
            .collect();
        let cands = candidates(space, f, &dom);
        let fits = |v: &Option<Value>| {
            let mut probe = Concrete {
                values: vec![None; space.rs.fields.len()],
                hour: 0,
                weekday: 0,
            };
            if let Some(slot) = probe.values.get_mut(i) {
                slot.clone_from(v);
            }
            required.iter().all(|(a, want)| probe.atom(a) == *want)
        };
        let chosen = cands
            .iter()
            .find(|v| fits(v))
            .or_else(|| cands.first())
            .cloned()
            .flatten();
        values.push(chosen);
    }
    let hour = match piece.get(space.hour_dim()).map(|d| &d.vals) {
        Some(Vals::Int(set)) => set.nearest_zero().unwrap_or(0),
        _ => 0,
    };
    let weekday = match piece.get(space.weekday_dim()).map(|d| &d.vals) {
        Some(Vals::Bits(b)) => b.iter().next().unwrap_or(0),
        _ => 0,
    };
    Concrete {
        values,
        hour,
        weekday,
    }
}

/// The context as a JSON object: every set field whose value is not its
/// default (a field left out takes its default, or stays unset).
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

/// Reads a JSON context as the evaluator does (LANGUAGE.md 4.3, 4.4):
/// missing or `null` fields take their default; `None` for a value the
/// evaluator would reject.
pub(crate) fn from_json(
    space: &Space<'_>,
    json: &Map<String, Json>,
    hour: i64,
    weekday: u32,
) -> Option<Concrete> {
    let mut values = Vec::with_capacity(space.rs.fields.len());
    for field in &space.rs.fields {
        let v = match json.get(&field.name) {
            None | Some(Json::Null) => field.default.clone(),
            Some(Json::Bool(b)) if field.ty == Type::Bool => Some(Value::Bool(*b)),
            Some(Json::Number(n)) => match (&field.ty, n.as_i64()) {
                (Type::Int, Some(i)) => Some(Value::Int(i)),
                (Type::Float, Some(i)) => Some(Value::Float(i as f64)),
                (Type::Float, None) => Some(Value::Float(n.as_f64().filter(|x| x.is_finite())?)),
                _ => return None,
            },
            Some(Json::String(s)) => match &field.ty {
                Type::String => Some(Value::Str(s.clone())),
                ty @ Type::Enum(_) => Some(Value::Enum(ty.enum_index(s)?)),
                _ => return None,
            },
            Some(_) => return None,
        };
        values.push(v);
    }
    Some(Concrete {
        values,
        hour,
        weekday,
    })
}

#[cfg(test)]
mod tests {
    use super::super::numeric::FloatSet;
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
        let set = FloatSet::interval(0.1, false, 0.30000000000000004, true);
        assert!(!set.samples().is_empty());
        for x in set.samples() {
            assert!(json_roundtrips(x), "{x}");
        }
    }
}
