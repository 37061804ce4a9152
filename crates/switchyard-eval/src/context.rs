//! Contexts: the typed values a host passes in for one decision, validated
//! against the ruleset's schema (LANGUAGE.md 4.3 and 4.4).

use std::cell::Cell;
use std::collections::HashMap;
use std::time::{SystemTime, UNIX_EPOCH};

use switchyard_check::ir::{Field, FieldId, Type, Value, WEEKDAYS};

use crate::error::ContextError;

/// The fields a context may give, with what the compiled table needs to
/// know about them.
#[derive(Debug)]
pub(crate) struct Schema {
    pub fields: Vec<Field>,
    by_name: HashMap<String, FieldId>,
    /// Per field: whether some atom reads `words(F)` / `len(F)`.
    pub needs_words: Vec<bool>,
    pub needs_len: Vec<bool>,
}

impl Schema {
    pub fn new(fields: Vec<Field>) -> Self {
        let by_name = fields
            .iter()
            .enumerate()
            .filter_map(|(i, f)| Some((f.name.clone(), FieldId(u32::try_from(i).ok()?))))
            .collect();
        let n = fields.len();
        Schema {
            fields,
            by_name,
            needs_words: vec![false; n],
            needs_len: vec![false; n],
        }
    }

    pub fn field_id(&self, name: &str) -> Option<FieldId> {
        self.by_name.get(name).copied()
    }
}

/// One field's value in a context.
#[derive(Clone, Debug, PartialEq)]
pub(crate) enum Slot {
    Unset,
    Bool(bool),
    Int(i64),
    Float(f64),
    Str(Box<str>),
    /// Index into the enum's values.
    Enum(u32),
}

/// A value handed to [`ContextBuilder::set`].
#[derive(Clone, Copy, Debug, PartialEq)]
pub enum Input<'a> {
    /// For `bool` fields.
    Bool(bool),
    /// For `int` fields (and `float` ones).
    Int(i64),
    /// For `float` fields.
    Float(f64),
    /// For `string` and enum fields.
    Str(&'a str),
}

impl From<bool> for Input<'_> {
    fn from(v: bool) -> Self {
        Input::Bool(v)
    }
}
impl From<i64> for Input<'_> {
    fn from(v: i64) -> Self {
        Input::Int(v)
    }
}
impl From<i32> for Input<'_> {
    fn from(v: i32) -> Self {
        Input::Int(i64::from(v))
    }
}
impl From<u32> for Input<'_> {
    fn from(v: u32) -> Self {
        Input::Int(i64::from(v))
    }
}
impl From<f64> for Input<'_> {
    fn from(v: f64) -> Self {
        Input::Float(v)
    }
}
impl<'a> From<&'a str> for Input<'a> {
    fn from(v: &'a str) -> Self {
        Input::Str(v)
    }
}
impl<'a> From<&'a String> for Input<'a> {
    fn from(v: &'a String) -> Self {
        Input::Str(v)
    }
}

/// The values of one request, checked against a compiled table's schema.
///
/// Build it with [`crate::CompiledTable::context`] or
/// [`crate::CompiledTable::context_from_json`], then pass it to
/// [`crate::CompiledTable::decide`] of the same table. Building may
/// allocate; deciding does not.
#[derive(Debug)]
pub struct Context {
    pub(crate) table_id: u64,
    pub(crate) slots: Box<[Slot]>,
    /// `words(F)` and `len(F)` of string fields that rules read them of.
    pub(crate) words: Box<[i64]>,
    pub(crate) lens: Box<[i64]>,
    pub(crate) hour: i64,
    /// 0 = Monday.
    pub(crate) weekday: u32,
    /// Memo of atom and let results: `generation << 2 | result`.
    pub(crate) memo: Box<[Cell<u32>]>,
    pub(crate) generation: Cell<u32>,
}

impl Context {
    /// The value of field `id`.
    pub(crate) fn slot(&self, id: FieldId) -> &Slot {
        self.slots.get(id.index()).unwrap_or(&Slot::Unset)
    }

    /// UTC hour 0-23 of the decision time.
    pub fn hour(&self) -> i64 {
        self.hour
    }

    /// Day of the decision time: `"mon"` .. `"sun"`.
    pub fn weekday(&self) -> &'static str {
        WEEKDAYS
            .get(self.weekday as usize)
            .copied()
            .unwrap_or("mon")
    }

    /// Starts a new decision: memoised results of earlier ones become stale.
    pub(crate) fn next_generation(&self) -> u32 {
        let mut g = self.generation.get().wrapping_add(1) & 0x3fff_ffff;
        if g == 0 {
            // Wrapped around: clear, so no stale entry looks current.
            for cell in self.memo.iter() {
                cell.set(0);
            }
            g = 1;
        }
        self.generation.set(g);
        g
    }
}

/// Builds a [`Context`] field by field.
///
/// ```
/// # let (table, _) = switchyard_eval::CompiledTable::from_source(r#"
/// # context { tier: "free" | "pro" = "free"  budget: float = 0.0 }
/// # rule pro: when tier == "pro" -> "anthropic/claude-3.5-sonnet" max_tokens 100
/// # rule default: otherwise -> "openai/gpt-4o-mini" max_tokens 100
/// # "#).unwrap();
/// let ctx = table.context().set("tier", "pro")?.set("budget", 12.5)?.build();
/// assert_eq!(table.decide(&ctx)?.unwrap().rule(), "pro");
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
#[derive(Debug)]
pub struct ContextBuilder<'t> {
    table: &'t crate::CompiledTable,
    slots: Vec<Option<Slot>>,
    time: Option<i64>,
}

impl<'t> ContextBuilder<'t> {
    pub(crate) fn new(table: &'t crate::CompiledTable) -> Self {
        ContextBuilder {
            table,
            slots: vec![None; table.schema.fields.len()],
            time: None,
        }
    }

    /// Sets a field. A name the schema does not declare is ignored (a host
    /// keeps working when a field is removed from the rules); a value of the
    /// wrong type, outside the enum, or not finite is an error.
    pub fn set<'a>(
        mut self,
        field: &str,
        value: impl Into<Input<'a>>,
    ) -> Result<Self, ContextError> {
        if let Some(id) = self.table.schema.field_id(field) {
            if let Some(field) = self.table.schema_field(id) {
                let slot = convert(field, value.into())?;
                if let Some(s) = self.slots.get_mut(id.index()) {
                    *s = Some(slot);
                }
            }
        }
        Ok(self)
    }

    /// Forgets a value set earlier, so the field's default (if any) applies.
    pub fn clear(mut self, field: &str) -> Self {
        if let Some(id) = self.table.schema.field_id(field) {
            if let Some(s) = self.slots.get_mut(id.index()) {
                *s = None;
            }
        }
        self
    }

    /// The decision time, in seconds since the Unix epoch (UTC); default now.
    pub fn at_unix(mut self, seconds: i64) -> Self {
        self.time = Some(seconds);
        self
    }

    /// The decision time; default now.
    pub fn at(self, time: SystemTime) -> Self {
        let secs = match time.duration_since(UNIX_EPOCH) {
            Ok(d) => i64::try_from(d.as_secs()).unwrap_or(i64::MAX),
            Err(e) => -i64::try_from(e.duration().as_secs()).unwrap_or(i64::MAX),
        };
        self.at_unix(secs)
    }

    /// Finishes the context: fields not given take their defaults, or stay
    /// unset.
    pub fn build(self) -> Context {
        let schema = &self.table.schema;
        let slots: Box<[Slot]> = self
            .slots
            .into_iter()
            .zip(&schema.fields)
            .map(|(given, field)| match given {
                Some(slot) => slot,
                None => field.default.as_ref().map_or(Slot::Unset, default_slot),
            })
            .collect();
        let derive = |needs: &[bool], f: fn(&str) -> i64| -> Box<[i64]> {
            slots
                .iter()
                .zip(needs)
                .map(|(slot, &needed)| match slot {
                    Slot::Str(s) if needed => f(s),
                    _ => 0,
                })
                .collect()
        };
        let words = derive(&schema.needs_words, |s| {
            i64::try_from(s.split_whitespace().count()).unwrap_or(i64::MAX)
        });
        let lens = derive(&schema.needs_len, |s| {
            i64::try_from(s.chars().count()).unwrap_or(i64::MAX)
        });
        let secs = self.time.unwrap_or_else(now_unix);
        let hour = secs.rem_euclid(86_400) / 3_600;
        // 1970-01-01 was a Thursday (index 3 with Monday = 0).
        let weekday = u32::try_from((secs.div_euclid(86_400) + 3).rem_euclid(7)).unwrap_or(0);
        Context {
            table_id: self.table.id,
            slots,
            words,
            lens,
            hour,
            weekday,
            memo: (0..self.table.memo_len()).map(|_| Cell::new(0)).collect(),
            generation: Cell::new(0),
        }
    }
}

fn now_unix() -> i64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map_or(0, |d| i64::try_from(d.as_secs()).unwrap_or(i64::MAX))
}

fn default_slot(v: &Value) -> Slot {
    match v {
        Value::Bool(b) => Slot::Bool(*b),
        Value::Int(i) => Slot::Int(*i),
        Value::Float(f) => Slot::Float(*f),
        Value::Str(s) => Slot::Str(s.as_str().into()),
        Value::Enum(i) => Slot::Enum(*i),
    }
}

/// Checks one value against a field's type.
pub(crate) fn convert(field: &Field, input: Input<'_>) -> Result<Slot, ContextError> {
    let wrong = || ContextError::WrongType {
        field: field.name.clone(),
        expected: field.ty.to_string(),
        got: describe(input),
    };
    Ok(match (&field.ty, input) {
        (Type::Bool, Input::Bool(b)) => Slot::Bool(b),
        (Type::Int, Input::Int(i)) => Slot::Int(i),
        (Type::Float, Input::Int(i)) => Slot::Float(i as f64),
        (Type::Float, Input::Float(f)) => {
            if !f.is_finite() {
                return Err(ContextError::NotFinite {
                    field: field.name.clone(),
                    got: format!("{f}"),
                });
            }
            // Negative zero compares equal to zero; store it as zero so it
            // hashes and prints the same way too.
            Slot::Float(if f == 0.0 { 0.0 } else { f })
        }
        (Type::String, Input::Str(s)) => Slot::Str(s.into()),
        (Type::Enum(values), Input::Str(s)) => match values.iter().position(|v| v == s) {
            Some(i) => Slot::Enum(u32::try_from(i).unwrap_or(u32::MAX)),
            None => {
                return Err(ContextError::NotInEnum {
                    field: field.name.clone(),
                    got: s.chars().take(80).collect(),
                    expected: field.ty.to_string(),
                })
            }
        },
        _ => return Err(wrong()),
    })
}

fn describe(input: Input<'_>) -> String {
    match input {
        Input::Bool(b) => format!("the bool {b}"),
        Input::Int(i) => format!("the int {i}"),
        Input::Float(f) => format!("the float {f}"),
        Input::Str(s) => {
            let short: String = s.chars().take(40).collect();
            let more = if short.len() < s.len() { "…" } else { "" };
            format!("the string {:?}", format!("{short}{more}"))
        }
    }
}
