//! The schema a compiled table checks contexts against: the declared
//! fields, their names, and for each string field the literals the rules
//! compare it with (so a value is resolved to a literal once, when it is
//! set, and tests compare numbers instead of text).

use rustc_hash::FxHashMap;
use switchyard_check::ir::{
    AtomKind, Cond, Field, FieldId, Operand, Ruleset, Subject, Type, Value,
};

use super::Slot;

/// The id of a string that is none of a field's literals.
pub(crate) const NO_LITERAL: u32 = u32::MAX;

/// Up to this many literals are found by comparing text (length first);
/// more go through a hash map.
const LINEAR_LITERALS: usize = 8;

/// The literals of one string field, each with its id.
#[derive(Debug, Default)]
pub(crate) struct Literals {
    /// Id `i` is `texts[i]`.
    texts: Vec<Box<str>>,
    /// Ids by text, when there are many.
    by_text: Option<FxHashMap<Box<str>, u32>>,
}

impl Literals {
    /// The literals `texts`, in order, without repeats.
    #[cfg(test)]
    pub fn of<'s>(texts: impl IntoIterator<Item = &'s str>) -> Literals {
        let mut l = Literals::default();
        for t in texts {
            l.add(t);
        }
        l.finish();
        l
    }

    /// Adds `text` if it is new (the map is kept while literals are
    /// added, so this stays linear in their number).
    fn add(&mut self, text: &str) {
        let next = u32::try_from(self.texts.len()).unwrap_or(NO_LITERAL);
        let map = self.by_text.get_or_insert_with(FxHashMap::default);
        if next != NO_LITERAL && !map.contains_key(text) {
            map.insert(text.into(), next);
            self.texts.push(text.into());
        }
    }

    /// Done adding: few literals are found by comparing text.
    fn finish(&mut self) {
        if self.texts.len() <= LINEAR_LITERALS {
            self.by_text = None;
        }
    }

    /// The id of `text`, or [`NO_LITERAL`].
    #[inline(always)]
    pub fn id(&self, text: &str) -> u32 {
        if let Some(map) = &self.by_text {
            return self.hashed(map, text);
        }
        for (t, i) in self.texts.iter().zip(0u32..) {
            if t.len() == text.len() && t.as_bytes() == text.as_bytes() {
                return i;
            }
        }
        NO_LITERAL
    }

    #[inline(never)]
    fn hashed(&self, map: &FxHashMap<Box<str>, u32>, text: &str) -> u32 {
        map.get(text).copied().unwrap_or(NO_LITERAL)
    }

    /// The text of literal `id`.
    pub fn text(&self, id: u32) -> Option<&str> {
        self.texts.get(id as usize).map(|t| &**t)
    }
}

/// A field's type, as a tag (enums are told apart from other strings).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Kind {
    Bool,
    Int,
    Float,
    String,
    Enum,
}

impl Kind {
    pub fn of(ty: &Type) -> Kind {
        match ty {
            Type::Bool => Kind::Bool,
            Type::Int => Kind::Int,
            Type::Float => Kind::Float,
            Type::String => Kind::String,
            Type::Enum(_) => Kind::Enum,
        }
    }
}

/// The fields a context may give, with what the compiled table needs to
/// know about them.
#[derive(Debug)]
pub(crate) struct Schema {
    pub fields: Vec<Field>,
    /// Per field: its type's tag.
    pub kinds: Vec<Kind>,
    by_name: FxHashMap<Box<str>, FieldId>,
    /// Per field: the literals of a string field (empty for other types).
    pub literals: Vec<Literals>,
    /// Per field: the value a context starts with (its default, or unset).
    pub defaults: Vec<DefaultValue>,
    /// Whether some test reads `hour` or `weekday`: only then does a
    /// context read the clock.
    pub reads_time: bool,
    /// Whether some field has a default (else a new context is all unset).
    pub has_defaults: bool,
}

impl Schema {
    /// The schema of `ruleset`, with the literals its conditions compare
    /// string fields with.
    pub fn new(ruleset: &Ruleset) -> Self {
        let fields = ruleset.fields.clone();
        let by_name = fields
            .iter()
            .enumerate()
            .filter_map(|(i, f)| Some((f.name.as_str().into(), FieldId(u32::try_from(i).ok()?))))
            .collect();
        let mut literals: Vec<Literals> = fields.iter().map(|_| Literals::default()).collect();
        let mut reads_time = false;
        let conds = ruleset
            .rules
            .iter()
            .map(|r| &r.cond)
            .chain(ruleset.lets.iter().map(|l| &l.cond));
        for cond in conds {
            visit_atoms(cond, &mut |kind| {
                note_literals(kind, &fields, &mut literals);
                reads_time |= kind.reads_time();
            });
        }
        for l in &mut literals {
            l.finish();
        }
        let defaults = fields
            .iter()
            .zip(&literals)
            .map(|(f, lits)| {
                f.default
                    .as_ref()
                    .map_or(DefaultValue::Slot(Slot::Unset), |v| default_of(v, lits))
            })
            .collect();
        Schema {
            has_defaults: fields.iter().any(|f| f.default.is_some()),
            kinds: fields.iter().map(|f| Kind::of(&f.ty)).collect(),
            fields,
            by_name,
            literals,
            defaults,
            reads_time,
        }
    }

    pub fn field_id(&self, name: &str) -> Option<FieldId> {
        self.by_name.get(name).copied()
    }

    /// Field `i`, if it is named `name`.
    #[inline]
    pub fn field_at(&self, i: usize, name: &str) -> Option<FieldId> {
        let f = self.fields.get(i)?;
        (f.name.len() == name.len() && f.name == name)
            .then(|| u32::try_from(i).ok().map(FieldId))
            .flatten()
    }

    pub fn field(&self, id: FieldId) -> Option<&Field> {
        self.fields.get(id.index())
    }

    /// The declared field nearest to `name`, for "did you mean".
    pub fn nearest(&self, name: &str) -> Option<&str> {
        switchyard_syntax::nearest(name, self.fields.iter().map(|f| f.name.as_str()))
    }
}

/// The value a field starts with in every context.
#[derive(Debug)]
pub(crate) enum DefaultValue {
    /// Not a string (or unset).
    Slot(Slot<'static>),
    /// A string, with its literal id; contexts borrow it from the schema.
    Text(Box<str>, u32),
}

impl DefaultValue {
    /// The default as a context's slot.
    #[inline]
    pub fn slot(&self) -> Slot<'_> {
        match self {
            DefaultValue::Slot(s) => *s,
            DefaultValue::Text(t, id) => Slot::Str(t, *id),
        }
    }
}

fn default_of(v: &Value, literals: &Literals) -> DefaultValue {
    DefaultValue::Slot(match v {
        Value::Bool(b) => Slot::Bool(*b),
        Value::Int(i) => Slot::Int(*i),
        Value::Float(f) => Slot::Float(*f),
        Value::Str(s) => return DefaultValue::Text(s.as_str().into(), literals.id(s)),
        Value::Enum(i) => Slot::Enum(*i),
    })
}

/// Calls `f` on every atom of `cond` (lets are visited where declared).
fn visit_atoms(cond: &Cond, f: &mut impl FnMut(&AtomKind)) {
    match cond {
        Cond::Atom(a) => f(&a.kind),
        Cond::Not(c) => visit_atoms(c, f),
        Cond::And(cs) | Cond::Or(cs) => cs.iter().for_each(|c| visit_atoms(c, f)),
        Cond::True | Cond::False | Cond::Let(_) => {}
    }
}

/// Adds the string literals `kind` compares a string field with.
fn note_literals(kind: &AtomKind, fields: &[Field], literals: &mut [Literals]) {
    let (field, values): (FieldId, &[Value]) = match kind {
        AtomKind::Compare {
            lhs: Subject::Field(f),
            rhs: Operand::Value(v),
            ..
        } => (*f, std::slice::from_ref(v)),
        AtomKind::In {
            lhs: Subject::Field(f),
            values,
            ..
        } => (*f, values),
        _ => return,
    };
    if !matches!(fields.get(field.index()).map(|f| &f.ty), Some(Type::String)) {
        return;
    }
    if let Some(lits) = literals.get_mut(field.index()) {
        for v in values {
            if let Value::Str(s) = v {
                lits.add(s);
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn literals_are_found_by_text_linearly_and_hashed() {
        for n in [3, 40] {
            let mut l = Literals::default();
            for i in 0..n {
                l.add(&format!("t{i}"));
            }
            l.add("t1");
            l.finish();
            assert_eq!(l.id("t1"), 1);
            assert_eq!(l.id(&format!("t{}", n - 1)), n - 1);
            assert_eq!(l.id("nope"), NO_LITERAL);
            assert_eq!(l.text(2), Some("t2"));
        }
    }
}
