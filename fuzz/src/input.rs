//! The `decide` target's input, drawn by `arbitrary` from the fuzzer's
//! bytes: a ruleset description over the test schema (or the index of a
//! corpus ruleset) and context descriptions.

use arbitrary::Arbitrary;

#[derive(Arbitrary, Debug, Clone, Copy)]
pub enum Tier {
    Free,
    Basic,
    Pro,
    Enterprise,
}

#[derive(Arbitrary, Debug, Clone, Copy)]
pub enum Task {
    Chat,
    Code,
    Analysis,
}

#[derive(Arbitrary, Debug, Clone, Copy)]
pub enum Day {
    Mon,
    Tue,
    Wed,
    Thu,
    Fri,
    Sat,
    Sun,
}

#[derive(Arbitrary, Debug, Clone, Copy)]
pub enum Cmp {
    Eq,
    Ne,
    Lt,
    Le,
    Gt,
    Ge,
}

#[derive(Arbitrary, Debug, Clone, Copy)]
pub enum EqOp {
    Eq,
    Ne,
}

#[derive(Arbitrary, Debug, Clone, Copy)]
pub enum StrOp {
    Contains,
    StartsWith,
    EndsWith,
}

#[derive(Arbitrary, Debug, Clone, Copy)]
pub enum StrField {
    User,
    Prompt,
}

#[derive(Arbitrary, Debug, Clone, Copy)]
pub enum BoolField {
    Tools,
    Vision,
}

/// A numeric subject: a field, a derived count, or the hour.
#[derive(Arbitrary, Debug, Clone, Copy)]
pub enum NumSubject {
    Budget,
    Tokens,
    Tenant,
    WordsPrompt,
    LenUser,
    Hour,
}

/// An integer literal: mostly small, sometimes anything (`i64::MIN`..).
#[derive(Arbitrary, Debug, Clone, Copy)]
pub enum IntLit {
    Small(i8),
    Any(i64),
}

/// A float literal (non-finite ones are rendered as `0.5`).
#[derive(Arbitrary, Debug, Clone, Copy)]
pub enum FloatLit {
    Small(i8),
    Any(f64),
}

/// A string: a few usual ones, or any Unicode text.
#[derive(Arbitrary, Debug, Clone)]
pub enum Text {
    Pick(u8),
    Any(String),
}

/// A regex: a few valid ones, or any text (often invalid: E010).
#[derive(Arbitrary, Debug, Clone)]
pub struct RegexDesc {
    pub(crate) body: Text,
    pub(crate) case_insensitive: bool,
    pub(crate) multi_line: bool,
}

#[derive(Arbitrary, Debug, Clone)]
pub enum AtomDesc {
    Tier(EqOp, Tier),
    TierIn(bool, Vec<Tier>),
    Task(EqOp, Task),
    TaskIn(bool, Vec<Task>),
    Budget(Cmp, FloatLit),
    Int(NumSubject, Cmp, IntLit),
    IntRange(NumSubject, IntLit, IntLit, bool, bool),
    FloatRange(FloatLit, FloatLit, bool, bool),
    TenantIn(bool, Vec<IntLit>),
    Flag(BoolField),
    BoolEq(BoolField, EqOp, bool),
    Has(u8),
    User(EqOp, Text),
    UserIn(bool, Vec<Text>),
    Str(StrField, StrOp, Text),
    Matches(StrField, RegexDesc),
    Fields(NumSubject, Cmp, NumSubject),
    Weekday(EqOp, Day),
    WeekdayIn(bool, Vec<Day>),
    Let(u8),
    True,
    False,
}

#[derive(Arbitrary, Debug, Clone)]
pub enum CondDesc {
    Atom(AtomDesc),
    Not(Box<CondDesc>),
    And(Vec<CondDesc>),
    Or(Vec<CondDesc>),
}

#[derive(Arbitrary, Debug, Clone, Copy)]
pub enum ModelDesc {
    A,
    B,
    C,
    Floor,
    Quoted,
}

#[derive(Arbitrary, Debug, Clone, Copy)]
pub enum SplitKey {
    User,
    Tier,
    Tenant,
    Tools,
    Task,
}

#[derive(Arbitrary, Debug, Clone)]
pub enum TargetDesc {
    Chain {
        model: ModelDesc,
        fallbacks: Vec<ModelDesc>,
        max_tokens: Option<u16>,
        tag: bool,
    },
    Named(Option<u16>),
    Split(SplitKey, Vec<(u8, ModelDesc)>),
}

#[derive(Arbitrary, Debug, Clone)]
pub struct RuleDesc {
    pub(crate) cond: Option<CondDesc>,
    pub(crate) target: TargetDesc,
    pub(crate) named: bool,
    pub(crate) priority: i16,
}

/// A ruleset over [`SCHEMA`].
#[derive(Arbitrary, Debug, Clone)]
pub struct RulesetDesc {
    pub(crate) lets: Vec<CondDesc>,
    pub(crate) rules: Vec<RuleDesc>,
    pub(crate) priorities: bool,
    pub(crate) catch_all: bool,
}

/// A value for one field, given through the builder or through JSON.
#[derive(Arbitrary, Debug, Clone)]
pub enum ValueDesc {
    Null,
    Bool(bool),
    Int(i64),
    Float(f64),
    Str(Text),
    /// A string field's value repeated up to 64 Ki times.
    Long(Text, u16),
}

#[derive(Arbitrary, Debug, Clone)]
pub struct ContextDesc {
    /// (field index, with 9 and up naming an unknown field; value).
    pub(crate) values: Vec<(u8, ValueDesc)>,
    pub(crate) unix: i64,
    pub(crate) via_json: bool,
}

/// The `decide` input: a generated ruleset, or one of the test files,
/// and contexts to decide.
#[derive(Arbitrary, Debug, Clone)]
pub enum Rules {
    Generated(RulesetDesc),
    Corpus(u8),
}

#[derive(Arbitrary, Debug, Clone)]
pub struct DecideInput {
    pub(crate) rules: Rules,
    pub(crate) contexts: Vec<ContextDesc>,
}

const TEXTS: [&str; 10] = [
    "",
    "u1",
    "alice",
    "x y",
    "ab cd",
    "\u{0}",
    "e\u{301}",
    "\u{202e}evil",
    "🚀",
    "def main",
];

impl Text {
    /// The text this stands for.
    pub(crate) fn get(&self) -> &str {
        match self {
            Text::Pick(i) => TEXTS[usize::from(*i) % TEXTS.len()],
            Text::Any(s) => s,
        }
    }
}
