//! The syntax tree of a rule file. Every node carries its span; spans do not
//! take part in equality (see [`Spanned`]). Names are not resolved here: a
//! bare name in a condition may be a bool field or a `let`, and a target may
//! name a model alias or a `target` declaration. The checker decides.

use crate::span::{FileId, Span, Spanned};

/// The `key: value` entries of a `{ ... }` object, in source order.
pub type Entries = Vec<(Spanned<String>, Spanned<Value>)>;

/// A name as written (a field, let, model, target, rule or test name).
pub type Ident = Spanned<String>;

/// One parsed `.route` file (or ruleset in JSON).
#[derive(Clone, Debug, PartialEq)]
pub struct RuleFile {
    /// Which file of the ruleset this is.
    pub file: FileId,
    /// Statements in source order.
    pub items: Vec<Spanned<Item>>,
    /// Comments, in source order (kept for the formatter).
    pub comments: Vec<Comment>,
}

/// A `# ...` comment.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Comment {
    /// From the `#` to the end of the line (line break excluded).
    pub span: Span,
    /// The text after `#`, as written.
    pub text: String,
    /// From the start of its line to the `#`, when code comes before it
    /// on the line; `None` for a comment on a line of its own.
    pub code_before: Option<Span>,
}

/// A top-level statement.
#[derive(Clone, Debug, PartialEq)]
pub enum Item {
    /// `version "S"`.
    Version(Spanned<String>),
    /// `timezone "Area/City"`: the IANA time zone of `hour` and `weekday`
    /// (UTC without one).
    TimeZone(Spanned<String>),
    /// `context { name: TYPE [= DEFAULT] ... }`.
    Context(Vec<Spanned<FieldDecl>>),
    /// `model NAME = "provider/model-id"`.
    Model(ModelDecl),
    /// `target NAME = TARGET`.
    Target(TargetDecl),
    /// `let NAME = CONDITION`.
    Let(LetDecl),
    /// `defaults OPTION...`.
    Defaults(Vec<Spanned<TargetOption>>),
    /// `rule NAME [priority N]: when CONDITION -> TARGET`, or the bare form.
    Rule(RuleDecl),
    /// `test NAME: { field: value, ... } -> RULE [arm NAME] [model "id"]
    /// [fallback ["id", ...]]`.
    Test(TestDecl),
}

/// One field of a `context` block.
#[derive(Clone, Debug, PartialEq)]
pub struct FieldDecl {
    /// The field name.
    pub name: Ident,
    /// Its type.
    pub ty: Spanned<TypeExpr>,
    /// Its default, if any (no default: the field may be unset).
    pub default: Option<Spanned<Literal>>,
}

/// A field type.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum TypeExpr {
    /// `bool`.
    Bool,
    /// `int` (i64).
    Int,
    /// `float` (f64).
    Float,
    /// `string`.
    String,
    /// `"a" | "b" | ...`: a string from a fixed set.
    Enum(Vec<Spanned<String>>),
}

/// `model NAME = "provider/model-id"`.
#[derive(Clone, Debug, PartialEq)]
pub struct ModelDecl {
    /// The alias.
    pub name: Ident,
    /// The OpenRouter model id it stands for.
    pub id: Spanned<String>,
}

/// `target NAME = TARGET`.
#[derive(Clone, Debug, PartialEq)]
pub struct TargetDecl {
    /// The target's name.
    pub name: Ident,
    /// What it stands for.
    pub target: Spanned<Target>,
}

/// `let NAME = CONDITION`.
#[derive(Clone, Debug, PartialEq)]
pub struct LetDecl {
    /// The condition's name.
    pub name: Ident,
    /// The condition.
    pub cond: Spanned<Expr>,
}

/// A rule.
#[derive(Clone, Debug, PartialEq)]
pub struct RuleDecl {
    /// `rule NAME:`; `None` for the bare form (then named `#K`).
    pub name: Option<Ident>,
    /// `priority N`.
    pub priority: Option<Spanned<i64>>,
    /// `when CONDITION` or `otherwise`.
    pub guard: Guard,
    /// What the rule routes to.
    pub target: Spanned<Target>,
}

/// When a rule applies. Equality ignores the span of `otherwise`, as it
/// ignores every span.
#[derive(Clone, Debug)]
pub enum Guard {
    /// `when CONDITION`.
    When(Spanned<Expr>),
    /// `otherwise`, with the keyword's span.
    Otherwise(Span),
}

impl PartialEq for Guard {
    fn eq(&self, other: &Self) -> bool {
        match (self, other) {
            (Guard::When(a), Guard::When(b)) => a == b,
            (Guard::Otherwise(_), Guard::Otherwise(_)) => true,
            _ => false,
        }
    }
}

/// A condition.
///
/// `Or` and `And` are n-ary (at least two operands) so that long chains do
/// not nest; explicit parentheses are kept as `Paren` so the formatter can
/// keep them.
#[derive(Clone, Debug, PartialEq)]
pub enum Expr {
    /// `a or b or ...`.
    Or(Vec<Spanned<Expr>>),
    /// `a and b and ...`.
    And(Vec<Spanned<Expr>>),
    /// `not a`.
    Not(Box<Spanned<Expr>>),
    /// `( a )`.
    Paren(Box<Spanned<Expr>>),
    /// `true` or `false`.
    Bool(bool),
    /// A bare name: a bool field or a `let`.
    Name(Ident),
    /// `has(F)`.
    Has(Ident),
    /// `S == V`, `S < V`, ...
    Compare {
        /// The left side.
        lhs: Spanned<Subject>,
        /// The operator.
        op: Spanned<CmpOp>,
        /// The right side: a literal or another subject.
        rhs: Spanned<Operand>,
    },
    /// `S in [V, ...]`, `S not in [V, ...]`.
    InList {
        /// The tested value.
        lhs: Spanned<Subject>,
        /// `not in`.
        negated: bool,
        /// The listed values.
        values: Spanned<Vec<Spanned<Literal>>>,
    },
    /// `S in A..B`, `S in A..=B`, `S not in ...`.
    InRange {
        /// The tested value.
        lhs: Spanned<Subject>,
        /// `not in`.
        negated: bool,
        /// Lower bound (inclusive).
        lo: Spanned<Number>,
        /// Upper bound.
        hi: Spanned<Number>,
        /// `..=` rather than `..`.
        inclusive: bool,
    },
    /// `S matches /REGEX/FLAGS`.
    Matches {
        /// The tested value.
        lhs: Spanned<Subject>,
        /// The regex literal.
        regex: Spanned<RegexLit>,
    },
    /// `S contains "x"`, `starts_with`, `ends_with`.
    StrTest {
        /// The tested value.
        lhs: Spanned<Subject>,
        /// Which test.
        op: Spanned<StrOp>,
        /// The string searched for.
        needle: Spanned<String>,
    },
}

/// What a comparison tests: a field or a built-in value.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Subject {
    /// A context field.
    Field(Ident),
    /// `words(F)`: whitespace-separated word count.
    Words(Ident),
    /// `len(F)`: character count.
    Len(Ident),
    /// `hour`: hour 0-23 of the decision time, in the ruleset's
    /// `timezone` (UTC without one).
    Hour,
    /// `weekday`: `"mon"`..`"sun"` of the decision time, in the ruleset's
    /// `timezone`.
    Weekday,
}

/// The right side of a comparison.
#[derive(Clone, Debug, PartialEq)]
pub enum Operand {
    /// A literal value.
    Literal(Literal),
    /// Another field or built-in.
    Subject(Subject),
}

/// `==`, `!=`, `<`, `<=`, `>`, `>=`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum CmpOp {
    /// `==`
    Eq,
    /// `!=`
    Ne,
    /// `<`
    Lt,
    /// `<=`
    Le,
    /// `>`
    Gt,
    /// `>=`
    Ge,
}

impl CmpOp {
    /// Every operator.
    pub const ALL: [CmpOp; 6] = [
        CmpOp::Eq,
        CmpOp::Ne,
        CmpOp::Lt,
        CmpOp::Le,
        CmpOp::Gt,
        CmpOp::Ge,
    ];

    /// The operator written `text`, if it is one.
    pub fn parse(text: &str) -> Option<CmpOp> {
        Self::ALL.into_iter().find(|op| op.as_str() == text)
    }

    /// The operator as written.
    pub fn as_str(self) -> &'static str {
        match self {
            CmpOp::Eq => "==",
            CmpOp::Ne => "!=",
            CmpOp::Lt => "<",
            CmpOp::Le => "<=",
            CmpOp::Gt => ">",
            CmpOp::Ge => ">=",
        }
    }
}

/// `contains`, `starts_with`, `ends_with`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum StrOp {
    /// `contains`
    Contains,
    /// `starts_with`
    StartsWith,
    /// `ends_with`
    EndsWith,
}

impl StrOp {
    /// Every test.
    pub const ALL: [StrOp; 3] = [StrOp::Contains, StrOp::StartsWith, StrOp::EndsWith];

    /// The test written `text`, if it is one.
    pub fn parse(text: &str) -> Option<StrOp> {
        Self::ALL.into_iter().find(|op| op.as_str() == text)
    }

    /// The keyword as written.
    pub fn as_str(self) -> &'static str {
        match self {
            StrOp::Contains => "contains",
            StrOp::StartsWith => "starts_with",
            StrOp::EndsWith => "ends_with",
        }
    }
}

/// A literal in a condition, default or test context.
#[derive(Clone, Debug, PartialEq)]
pub enum Literal {
    /// A string (escapes decoded).
    String(String),
    /// A number.
    Number(Number),
    /// `true` or `false`.
    Bool(bool),
}

/// A numeric literal. Floats are always finite.
#[derive(Clone, Copy, Debug, PartialEq)]
pub enum Number {
    /// Written without a point or exponent.
    Int(i64),
    /// Written with a point or exponent.
    Float(f64),
}

impl Number {
    /// The value as f64.
    pub fn as_f64(self) -> f64 {
        match self {
            Number::Int(i) => i as f64,
            Number::Float(f) => f,
        }
    }
}

/// `/pattern/flags`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct RegexLit {
    /// The pattern exactly as written between the slashes (`\/` still escaped).
    pub source: String,
    /// The flags after the closing slash, as written (validity is checked later).
    pub flags: String,
}

impl RegexLit {
    /// The pattern with `\/` turned back into `/`, ready for the regex engine.
    pub fn pattern(&self) -> String {
        let mut out = String::with_capacity(self.source.len());
        let mut chars = self.source.chars();
        while let Some(c) = chars.next() {
            if c == '\\' {
                match chars.next() {
                    Some('/') => out.push('/'),
                    Some(other) => {
                        out.push('\\');
                        out.push(other);
                    }
                    None => out.push('\\'),
                }
            } else {
                out.push(c);
            }
        }
        out
    }
}

/// Where a rule routes.
#[derive(Clone, Debug, PartialEq)]
pub enum Target {
    /// `MODEL [fallback [MODEL, ...]] OPTION*`, or `TARGET_NAME OPTION*`
    /// (the checker tells the two apart by the name).
    Chain(Chain),
    /// `split by FIELD { ARM+ }`.
    Split {
        /// The field whose value picks the arm.
        key: Ident,
        /// The arms, in order.
        arms: Vec<Spanned<Arm>>,
    },
    /// `cheapest [MODEL, ...] OPTION*`.
    Cheapest {
        /// Candidate models.
        candidates: Spanned<Vec<Spanned<ModelRef>>>,
        /// Options.
        options: Vec<Spanned<TargetOption>>,
    },
}

/// A model and its fallbacks, with options.
#[derive(Clone, Debug, PartialEq)]
pub struct Chain {
    /// The model (or target name).
    pub primary: Spanned<ModelRef>,
    /// `fallback [...]`, if written (an empty list stays `Some`).
    pub fallbacks: Option<Spanned<Vec<Spanned<ModelRef>>>>,
    /// Options in source order.
    pub options: Vec<Spanned<TargetOption>>,
}

/// One arm of a split: `[NAME] WEIGHT% : TARGET`.
#[derive(Clone, Debug, PartialEq)]
pub struct Arm {
    /// The arm's name (else `a`, `b`, ... by position).
    pub name: Option<Ident>,
    /// Weight in basis points (`12.5%` is 1250).
    pub weight: Spanned<u32>,
    /// Where the arm routes (never another split).
    pub target: Spanned<Target>,
}

/// A model reference.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub enum ModelRef {
    /// An alias or target name, maybe with a `:variant` suffix.
    Name {
        /// The alias.
        name: String,
        /// The suffix after `:`, without the colon.
        variant: Option<String>,
    },
    /// A quoted model id, `"provider/model-id[:variant]"`.
    Id(String),
}

/// A target option.
#[derive(Clone, Debug, PartialEq)]
pub enum TargetOption {
    /// `max_tokens N`.
    MaxTokens(Spanned<i64>),
    /// `provider { KEY: VALUE, ... }`.
    Provider(Spanned<Vec<(Spanned<String>, Spanned<Value>)>>),
    /// `transforms ["middle-out", ...]`.
    Transforms(Spanned<Vec<Spanned<String>>>),
    /// `params { KEY: VALUE, ... }`.
    Params(Spanned<Vec<(Spanned<String>, Spanned<Value>)>>),
    /// `tag "label"`.
    Tag(Spanned<String>),
    /// `require REQ, ...`.
    Require(Vec<Spanned<Requirement>>),
}

/// A JSON-like value in `provider` and `params`.
#[derive(Clone, Debug, PartialEq)]
pub enum Value {
    /// A string.
    String(String),
    /// A number.
    Number(Number),
    /// `true` or `false`.
    Bool(bool),
    /// `[...]`.
    Array(Vec<Spanned<Value>>),
    /// `{ key: value, ... }`; keys bare or quoted.
    Object(Vec<(Spanned<String>, Spanned<Value>)>),
}

/// A `require` item (needs a catalog).
#[derive(Clone, Debug, PartialEq)]
pub enum Requirement {
    /// `tools`.
    Tools,
    /// `vision`.
    Vision,
    /// `json`.
    Json,
    /// `fits(F)`: context length >= F + max_tokens.
    Fits(Ident),
    /// `cost(F) <= X`: worst-case cost in USD at most X.
    CostAtMost {
        /// The prompt-token field.
        tokens: Ident,
        /// The bound: a number or a field.
        max: Spanned<Operand>,
    },
}

/// `test NAME: { field: value, ... } -> RULE [arm NAME] [model "id"] [fallback ["id", ...]]`.
#[derive(Clone, Debug, PartialEq)]
pub struct TestDecl {
    /// The test's name.
    pub name: Ident,
    /// The context, in source order.
    pub context: Spanned<Vec<(Ident, Spanned<Literal>)>>,
    /// The rule expected to be chosen.
    pub rule: Ident,
    /// `arm NAME`: the split arm expected, if given.
    pub arm: Option<Ident>,
    /// The model expected, if given.
    pub model: Option<Spanned<String>>,
    /// `fallback ["id", ...]`: the fallback model ids expected, in order,
    /// if given.
    pub fallbacks: Option<Spanned<Vec<Spanned<String>>>>,
}
