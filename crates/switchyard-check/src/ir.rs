//! The checked ruleset: names resolved, types checked, targets expanded.
//!
//! Everything here is produced by [`crate::check`] and is internally
//! consistent: every [`FieldId`] indexes [`Ruleset::fields`], every
//! [`LetId`] indexes [`Ruleset::lets`], literal values have the type of what
//! they are compared with, and model aliases are replaced by OpenRouter ids.

use std::fmt;

use serde_json::{Map, Value as Json};
use switchyard_syntax::Span;

pub use switchyard_syntax::ast::{CmpOp, Number, StrOp};

/// The days `weekday` ranges over, in order: `Value::Enum(0)` is `"mon"`.
pub const WEEKDAYS: [&str; 7] = ["mon", "tue", "wed", "thu", "fri", "sat", "sun"];

/// Index of a field in [`Ruleset::fields`].
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct FieldId(pub u32);

impl FieldId {
    /// The index as `usize`.
    pub fn index(self) -> usize {
        self.0 as usize
    }
}

/// Index of a `let` in [`Ruleset::lets`].
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct LetId(pub u32);

impl LetId {
    /// The index as `usize`.
    pub fn index(self) -> usize {
        self.0 as usize
    }
}

/// The type of a field (or of a built-in subject).
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub enum Type {
    /// `bool`.
    Bool,
    /// `int` (i64).
    Int,
    /// `float` (f64, always finite).
    Float,
    /// `string`.
    String,
    /// A string from a fixed set, in declaration order (no repeats).
    Enum(Vec<String>),
}

impl Type {
    /// The type of the built-in `weekday`: the enum `"mon"` .. `"sun"`.
    pub fn weekday() -> Type {
        Type::Enum(WEEKDAYS.iter().map(|d| (*d).to_string()).collect())
    }

    /// `int` or `float`.
    pub fn is_numeric(&self) -> bool {
        matches!(self, Type::Int | Type::Float)
    }

    /// The type's name with an article, for messages: `"an int"`, `"an enum"`.
    pub fn describe(&self) -> &'static str {
        match self {
            Type::Bool => "a bool",
            Type::Int => "an int",
            Type::Float => "a float",
            Type::String => "a string",
            Type::Enum(_) => "an enum",
        }
    }

    /// Index of `value` among an enum's values (`None` for other types).
    pub fn enum_index(&self, value: &str) -> Option<u32> {
        match self {
            Type::Enum(values) => values
                .iter()
                .position(|v| v == value)
                .and_then(|i| u32::try_from(i).ok()),
            _ => None,
        }
    }
}

impl fmt::Display for Type {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Type::Bool => f.write_str("bool"),
            Type::Int => f.write_str("int"),
            Type::Float => f.write_str("float"),
            Type::String => f.write_str("string"),
            Type::Enum(values) => {
                for (i, v) in values.iter().enumerate() {
                    if i > 0 {
                        f.write_str(" | ")?;
                    }
                    write!(f, "{v:?}")?;
                }
                Ok(())
            }
        }
    }
}

/// A typed value: a default, a literal in a condition, a test context value.
///
/// Values always have the type of the field they belong to, with one
/// exception: in comparisons and `in` lists on a numeric subject a literal
/// keeps the kind it is written in, [`Value::Int`] or [`Value::Float`]
/// (int and float mix freely and compare exactly, see
/// [`crate::semantics::compare`]; an int literal is never rounded to a
/// float). Defaults and test contexts of `float` fields are always
/// [`Value::Float`]. Enum values (including `weekday`'s) are
/// [`Value::Enum`], the index into the enum's values.
#[derive(Clone, Debug, PartialEq)]
pub enum Value {
    /// A bool.
    Bool(bool),
    /// An integer.
    Int(i64),
    /// A finite float.
    Float(f64),
    /// A string (for `string` fields).
    Str(String),
    /// An enum value: index into [`Type::Enum`]'s list (or [`WEEKDAYS`]).
    Enum(u32),
}

impl Value {
    /// The value as a number, for `Int` and `Float` (an int past 2^53 is
    /// rounded: compare with [`crate::semantics::compare`] instead).
    pub fn as_f64(&self) -> Option<f64> {
        match self {
            Value::Int(i) => Some(*i as f64),
            Value::Float(f) => Some(*f),
            _ => None,
        }
    }

    /// The value as the user would write it, given its type (enum indexes
    /// become their quoted string).
    pub fn display(&self, ty: &Type) -> String {
        match (self, ty) {
            (Value::Bool(b), _) => b.to_string(),
            (Value::Int(i), _) => i.to_string(),
            (Value::Float(x), _) => format!("{x:?}"),
            (Value::Str(s), _) => format!("{s:?}"),
            (Value::Enum(i), Type::Enum(values)) => match values.get(*i as usize) {
                Some(v) => format!("{v:?}"),
                None => format!("#{i}"),
            },
            (Value::Enum(i), _) => format!("#{i}"),
        }
    }
}

/// A context field.
#[derive(Clone, Debug, PartialEq)]
pub struct Field {
    /// Its name.
    pub name: String,
    /// Its type.
    pub ty: Type,
    /// Its default; `None`: the field is unset when the context leaves it out.
    pub default: Option<Value>,
    /// The whole declaration.
    pub span: Span,
    /// The name in the declaration.
    pub name_span: Span,
}

/// A named condition.
#[derive(Clone, Debug, PartialEq)]
pub struct Let {
    /// Its name.
    pub name: String,
    /// The condition. It only refers to lets with a smaller [`LetId`].
    pub cond: Cond,
    /// The whole declaration.
    pub span: Span,
    /// The name in the declaration.
    pub name_span: Span,
}

/// A typed condition. Parentheses are gone and nested `and`s/`or`s are
/// flattened.
#[derive(Clone, Debug, PartialEq)]
pub enum Cond {
    /// Always true (`true`, `otherwise`).
    True,
    /// Always false (`false`).
    False,
    /// All of these (at least two).
    And(Vec<Cond>),
    /// Any of these (at least two).
    Or(Vec<Cond>),
    /// Ordinary negation (true for an atom that is false because its field is
    /// unset).
    Not(Box<Cond>),
    /// The condition of a `let`.
    Let(LetId),
    /// A test on the context.
    Atom(Atom),
}

/// One test on the context, with its source span (for `explain`).
#[derive(Clone, Debug, PartialEq)]
pub struct Atom {
    /// What is tested.
    pub kind: AtomKind,
    /// Where it is written.
    pub span: Span,
}

/// The tests. Every test except `Has` is false when a field it reads is unset
/// (docs/reference/context.md): `x != 1`, `x not in [...]` and `x not in a..b` are
/// false for an unset `x` too.
#[derive(Clone, Debug, PartialEq)]
pub enum AtomKind {
    /// A bool field alone: true when it is set and true.
    Flag(FieldId),
    /// `has(F)`: the field has a value (its default counts).
    Has(FieldId),
    /// `S op V`. Ordering operators only appear with numeric sides; for
    /// `==`/`!=` both sides have the same type (or are both numeric).
    Compare {
        /// The left side.
        lhs: Subject,
        /// The operator.
        op: CmpOp,
        /// The right side.
        rhs: Operand,
    },
    /// `S in [V, ...]` (`negated`: `not in`). Values are typed as for
    /// [`Value`]; the list may be empty.
    In {
        /// The tested value.
        lhs: Subject,
        /// The listed values.
        values: Vec<Value>,
        /// `not in`.
        negated: bool,
    },
    /// `S in lo..hi` / `lo..=hi` (`negated`: `not in`). `lhs` is numeric;
    /// the bounds are as written (an int bound stays an int, for a `float`
    /// subject too).
    Range {
        /// The tested value.
        lhs: Subject,
        /// Lower bound, inclusive.
        lo: Number,
        /// Upper bound.
        hi: Number,
        /// `..=`.
        inclusive: bool,
        /// `not in`.
        negated: bool,
    },
    /// `S matches /re/flags`; `lhs` is a string.
    Matches {
        /// The tested value.
        lhs: Subject,
        /// The compiled regex.
        pattern: Pattern,
    },
    /// `S contains "x"`, `starts_with`, `ends_with`; `lhs` is a string.
    Str {
        /// The tested value.
        lhs: Subject,
        /// Which test.
        op: StrOp,
        /// The string searched for.
        needle: String,
    },
}

impl AtomKind {
    /// Whether the atom reads `hour` or `weekday` (so its answer depends on
    /// the decision time).
    pub fn reads_time(&self) -> bool {
        let time = |s: &Subject| matches!(s, Subject::Hour | Subject::Weekday);
        match self {
            AtomKind::Compare { lhs, rhs, .. } => {
                time(lhs) || matches!(rhs, Operand::Subject(s) if time(s))
            }
            AtomKind::In { lhs, .. }
            | AtomKind::Range { lhs, .. }
            | AtomKind::Matches { lhs, .. }
            | AtomKind::Str { lhs, .. } => time(lhs),
            AtomKind::Flag(_) | AtomKind::Has(_) => false,
        }
    }
}

/// What an atom reads from the context.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Subject {
    /// A field's value.
    Field(FieldId),
    /// `words(F)` of a string field (an int).
    Words(FieldId),
    /// `len(F)` of a string field, in characters (an int).
    Len(FieldId),
    /// UTC hour of the decision time, 0-23 (an int).
    Hour,
    /// Day of the decision time, an enum over [`WEEKDAYS`].
    Weekday,
}

impl Subject {
    /// The field read, if any (`Hour` and `Weekday` read none).
    pub fn field(self) -> Option<FieldId> {
        match self {
            Subject::Field(f) | Subject::Words(f) | Subject::Len(f) => Some(f),
            Subject::Hour | Subject::Weekday => None,
        }
    }
}

/// The right side of a comparison.
#[derive(Clone, Debug, PartialEq)]
pub enum Operand {
    /// A literal.
    Value(Value),
    /// Another field or built-in.
    Subject(Subject),
}

/// A compiled regex with its source.
#[derive(Clone, Debug)]
pub struct Pattern {
    /// The pattern as written between the slashes.
    pub source: String,
    /// The flags as written.
    pub flags: String,
    /// The compiled regex (flags applied).
    pub regex: regex::Regex,
}

impl PartialEq for Pattern {
    fn eq(&self, other: &Self) -> bool {
        self.source == other.source && self.flags == other.flags
    }
}

/// A rule, in evaluation order.
#[derive(Clone, Debug, PartialEq)]
pub struct Rule {
    /// Its name: as written, or `#K` for an unnamed rule.
    pub name: String,
    /// Whether the name was written (false for `#K`).
    pub named: bool,
    /// 1-based position in the ruleset (files in order), before any
    /// priority sort; `K` of `#K`.
    pub position: u32,
    /// `priority N`, if given (then every rule has one).
    pub priority: Option<i64>,
    /// The condition (`Cond::True` for `otherwise`).
    pub cond: Cond,
    /// Whether the rule says `otherwise`.
    pub otherwise: bool,
    /// Where it routes.
    pub target: Target,
    /// The whole rule.
    pub span: Span,
    /// The name as written, or the whole rule when unnamed.
    pub name_span: Span,
}

/// A resolved target.
#[derive(Clone, Debug, PartialEq)]
pub enum Target {
    /// A model with fallbacks.
    Chain(Chain),
    /// Weighted arms (never nested: an arm's target is not a split).
    Split(Split),
    /// The cheapest of several models (needs a catalog).
    Cheapest(Cheapest),
}

impl Target {
    /// The span of the target as written at its use.
    pub fn span(&self) -> Span {
        match self {
            Target::Chain(c) => c.span,
            Target::Split(s) => s.span,
            Target::Cheapest(c) => c.span,
        }
    }

    /// Calls `visit` with every model this target can route to, and the
    /// options it is asked with (not yet merged with the defaults): a
    /// chain's model and fallbacks, the cheapest's candidates, every arm's
    /// models.
    pub fn for_each_model(&self, visit: &mut impl FnMut(&Model, &Options)) {
        match self {
            Target::Chain(c) => {
                visit(&c.model, &c.options);
                c.fallbacks.iter().for_each(|m| visit(m, &c.options));
            }
            Target::Cheapest(c) => c.candidates.iter().for_each(|m| visit(m, &c.options)),
            Target::Split(s) => s.arms.iter().for_each(|a| a.target.for_each_model(visit)),
        }
    }

    /// Whether this target (or an arm of it) needs a catalog.
    pub fn needs_catalog(&self) -> bool {
        match self {
            Target::Chain(c) => !c.options.require.is_empty(),
            Target::Cheapest(_) => true,
            Target::Split(s) => s.arms.iter().any(|a| a.target.needs_catalog()),
        }
    }
}

/// An OpenRouter model id, resolved (alias replaced, `:variant` appended).
#[derive(Clone, Debug, PartialEq)]
pub struct Model {
    /// The full id, e.g. `anthropic/claude-3.5-sonnet:floor`.
    pub id: String,
    /// Where it is named (the alias or quoted id).
    pub span: Span,
}

/// A model and its fallbacks.
#[derive(Clone, Debug, PartialEq)]
pub struct Chain {
    /// The model tried first.
    pub model: Model,
    /// Then these, in order.
    pub fallbacks: Vec<Model>,
    /// The options (a `target`'s merged with the use site's), not yet merged
    /// with the ruleset's defaults.
    pub options: Options,
    /// The target as written where it is used.
    pub span: Span,
}

/// `split by KEY { ARM+ }`.
#[derive(Clone, Debug, PartialEq)]
pub struct Split {
    /// The field whose value picks the arm (bool, int, string or enum).
    pub key: FieldId,
    /// The arms; their weights add up to 10000.
    pub arms: Vec<Arm>,
    /// The split as written.
    pub span: Span,
}

/// One arm of a split.
#[derive(Clone, Debug, PartialEq)]
pub struct Arm {
    /// Its name: as written, else `a`, `b`, ... by position.
    pub name: String,
    /// Its weight in basis points (`12.5%` is 1250).
    pub basis_points: u32,
    /// Where it routes: a `Chain` or `Cheapest`, never a `Split`.
    pub target: Target,
    /// The arm as written.
    pub span: Span,
}

/// `cheapest [...]`.
#[derive(Clone, Debug, PartialEq)]
pub struct Cheapest {
    /// The candidates, in the order written (at least one).
    pub candidates: Vec<Model>,
    /// The options, not yet merged with the defaults.
    pub options: Options,
    /// The target as written where it is used.
    pub span: Span,
}

/// Options of a target or of `defaults`, checked.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Options {
    /// `max_tokens`, at least 1.
    pub max_tokens: Option<u32>,
    /// The `provider` object, checked against [`crate::provider::PROVIDER_KEYS`].
    pub provider: Map<String, Json>,
    /// `transforms` (every entry `"middle-out"`); `None` when not given.
    pub transforms: Option<Vec<String>>,
    /// `params`: other body fields (never `model`, `models`, `messages`,
    /// `provider`, `max_tokens`, `transforms`).
    pub params: Map<String, Json>,
    /// `tag` labels, in order, without repeats.
    pub tags: Vec<String>,
    /// `require` items, in order, without repeats.
    pub require: Vec<Requirement>,
}

impl Options {
    /// `over` laid over `self`: `max_tokens` and `transforms` given in
    /// `over` replace `self`'s; `provider` and `params` merge key by key
    /// (`over`'s keys win); `tags` and `require` accumulate (`self`'s first).
    ///
    /// This is both how a use site's options override a `target`'s and how a
    /// decision's options are merged over the `defaults`
    /// (`defaults.overlay(&own)`).
    pub fn overlay(&self, over: &Options) -> Options {
        let mut out = self.clone();
        if over.max_tokens.is_some() {
            out.max_tokens = over.max_tokens;
        }
        for (k, v) in &over.provider {
            out.provider.insert(k.clone(), v.clone());
        }
        if over.transforms.is_some() {
            out.transforms.clone_from(&over.transforms);
        }
        for (k, v) in &over.params {
            out.params.insert(k.clone(), v.clone());
        }
        for t in &over.tags {
            if !out.tags.contains(t) {
                out.tags.push(t.clone());
            }
        }
        for r in &over.require {
            if !out.require.contains(r) {
                out.require.push(r.clone());
            }
        }
        out
    }

    /// Whether no option is set.
    pub fn is_empty(&self) -> bool {
        *self == Options::default()
    }
}

/// A `require` item (needs a catalog).
#[derive(Clone, Debug, PartialEq)]
pub enum Requirement {
    /// The model supports tools.
    Tools,
    /// The model takes images.
    Vision,
    /// The model supports structured output.
    Json,
    /// `fits(F)`: context length >= F + max_tokens (F an int field).
    Fits(FieldId),
    /// `cost(F) <= X`: worst-case cost in USD, F prompt tokens (an int field).
    CostAtMost {
        /// The prompt-token field.
        tokens: FieldId,
        /// The bound.
        max: CostBound,
    },
}

/// The bound of `cost(F) <= X`.
#[derive(Clone, Copy, Debug, PartialEq)]
pub enum CostBound {
    /// A literal amount in USD.
    Usd(f64),
    /// A numeric field holding the amount in USD.
    Field(FieldId),
}

/// A `test` declaration.
#[derive(Clone, Debug, PartialEq)]
pub struct Test {
    /// Its name.
    pub name: String,
    /// The context: typed values for the given fields, in source order.
    pub context: Vec<(FieldId, Value)>,
    /// The rule expected to be chosen.
    pub rule: String,
    /// That rule's index in [`Ruleset::rules`].
    pub rule_index: usize,
    /// The split arm expected, if given.
    pub arm: Option<String>,
    /// The model id expected, if given (compared as written).
    pub model: Option<String>,
    /// The fallback model ids expected, in order, if given (compared as
    /// written).
    pub fallbacks: Option<Vec<String>>,
    /// The whole declaration.
    pub span: Span,
}

/// The zone of `timezone "Area/City"`.
#[derive(Clone, Debug, PartialEq)]
pub struct TimeZone {
    /// The name as written.
    pub name: String,
    /// The zone, from the IANA database built into the binary.
    pub zone: jiff::tz::TimeZone,
}

/// A checked ruleset.
#[derive(Clone, Debug, PartialEq)]
pub struct Ruleset {
    /// The `version` label.
    pub version: Option<String>,
    /// The zone of `hour` and `weekday` (`None`: UTC).
    pub time_zone: Option<TimeZone>,
    /// The context schema, in declaration order.
    pub fields: Vec<Field>,
    /// The lets, in dependency order.
    pub lets: Vec<Let>,
    /// The rules, in evaluation order.
    pub rules: Vec<Rule>,
    /// Options under every decision's own (all `defaults` statements merged).
    pub defaults: Options,
    /// The tests, in source order.
    pub tests: Vec<Test>,
}

impl Ruleset {
    /// The field with this id.
    pub fn field(&self, id: FieldId) -> Option<&Field> {
        self.fields.get(id.index())
    }

    /// The id of the field with this name.
    pub fn field_id(&self, name: &str) -> Option<FieldId> {
        self.fields
            .iter()
            .position(|f| f.name == name)
            .and_then(|i| u32::try_from(i).ok())
            .map(FieldId)
    }

    /// The let with this id.
    pub fn let_(&self, id: LetId) -> Option<&Let> {
        self.lets.get(id.index())
    }

    /// The index in [`Ruleset::rules`] of the rule with this name (`#K`
    /// names unnamed rules).
    pub fn rule_index(&self, name: &str) -> Option<usize> {
        self.rules.iter().position(|r| r.name == name)
    }

    /// The type of a subject.
    pub fn subject_type(&self, subject: Subject) -> Option<Type> {
        Some(match subject {
            Subject::Field(f) => self.field(f)?.ty.clone(),
            Subject::Words(_) | Subject::Len(_) | Subject::Hour => Type::Int,
            Subject::Weekday => Type::weekday(),
        })
    }

    /// A decision's options: `own` laid over the defaults.
    pub fn effective_options(&self, own: &Options) -> Options {
        self.defaults.overlay(own)
    }

    /// Whether some rule uses `require` or `cheapest` (or the defaults
    /// `require`): such a ruleset needs a catalog to load (docs/reference/catalogs.md).
    pub fn needs_catalog(&self) -> bool {
        !self.defaults.require.is_empty() || self.rules.iter().any(|r| r.target.needs_catalog())
    }
}
