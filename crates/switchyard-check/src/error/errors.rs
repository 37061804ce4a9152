//! [`CheckError`]: the errors the checker finds.

use switchyard_syntax::Span;

use super::{percent, NameKind};

/// An error found by the checker. Each variant maps to one code of
/// docs/diagnostics/.
#[derive(Clone, Debug, PartialEq, thiserror::Error)]
#[non_exhaustive]
pub enum CheckError {
    /// E002: a name used as a field is not declared.
    #[error("unknown field `{name}`")]
    UnknownField {
        /// The name as written.
        span: Span,
        /// The name.
        name: String,
        /// The nearest field name.
        suggestion: Option<String>,
    },
    /// E014: a field compared with `null` (or `nil`, `None`, `undefined`):
    /// there is no null value; an unset field is tested with `has(F)`.
    #[error("`{field} {op} {word}`: there is no `{word}` in the rule language")]
    NullCompare {
        /// The `null`.
        span: Span,
        /// The field compared.
        field: String,
        /// The operator as written.
        op: String,
        /// `null` as written.
        word: String,
    },
    /// E002 or E005: a bare name in a condition is neither a field nor a let
    /// (E005 when the nearest name is a let, else E002).
    #[error("unknown field or let `{name}`")]
    UnknownCondition {
        /// The name as written.
        span: Span,
        /// The name.
        name: String,
        /// The nearest bool field or let, with its kind.
        suggestion: Option<(String, NameKind)>,
    },
    /// E003: a non-bool field used alone as a condition.
    #[error("`{name}` is {ty} field, not a condition")]
    NotACondition {
        /// The name.
        span: Span,
        /// The field.
        name: String,
        /// Its type, described.
        ty: &'static str,
    },
    /// E003: a `let` used where a field is needed.
    #[error("`{name}` is a `let` condition, not a field")]
    LetNotField {
        /// The name.
        span: Span,
        /// The let.
        name: String,
    },
    /// E003: an operator applied to a subject of a type it does not take.
    #[error("`{op}` needs {expected}, but `{subject}` is {found}")]
    OperatorType {
        /// The subject.
        span: Span,
        /// The operator or function (`<`, `matches`, `words`, `split by`, ...).
        op: String,
        /// The subject as written.
        subject: String,
        /// What the operator takes.
        expected: &'static str,
        /// The subject's type.
        found: &'static str,
    },
    /// E003: a literal of the wrong type (comparison, list element, default,
    /// test context value, `cost` bound).
    #[error("type mismatch: `{subject}` is {expected}, but `{value}` is {found}")]
    ValueType {
        /// The literal.
        span: Span,
        /// What the value is for (a field, `hour`, ...).
        subject: String,
        /// The expected type.
        expected: String,
        /// The literal as written.
        value: String,
        /// The literal's type.
        found: &'static str,
    },
    /// E003: two subjects of different types compared.
    #[error("type mismatch: cannot compare `{lhs}` ({lhs_ty}) with `{rhs}` ({rhs_ty})")]
    SubjectTypes {
        /// The right side.
        span: Span,
        /// The left side as written.
        lhs: String,
        /// Its type.
        lhs_ty: String,
        /// The right side as written.
        rhs: String,
        /// Its type.
        rhs_ty: String,
    },
    /// E003: a `target` name used where only a model may stand.
    #[error("`{name}` is a target, not a model: it cannot {place}")]
    TargetAsModel {
        /// The name.
        span: Span,
        /// The target.
        name: String,
        /// What was attempted ("take a `:variant`", ...).
        place: &'static str,
    },
    /// E003: a split arm routes to a target that is itself a split.
    #[error("`{name}` is a split; a split arm cannot route to another split")]
    NestedSplit {
        /// The target name in the arm.
        span: Span,
        /// The target name (or `split by KEY`).
        name: String,
    },
    /// E003: `cheapest []`.
    #[error("`cheapest` needs at least one model")]
    EmptyCheapest {
        /// The empty list.
        span: Span,
    },
    /// E004: a string that is not among an enum's values.
    #[error("`{value:?}` is not a value of `{subject}`")]
    NotInEnum {
        /// The literal.
        span: Span,
        /// The string.
        value: String,
        /// The field (or `weekday`).
        subject: String,
        /// The enum's values.
        values: Vec<String>,
        /// The nearest value.
        suggestion: Option<String>,
    },
    /// E005: an unknown model (or target) name.
    #[error("unknown {what} `{name}`")]
    UnknownModel {
        /// The name.
        span: Span,
        /// The name.
        name: String,
        /// "model" or "model or target".
        what: &'static str,
        /// The nearest alias (or target name).
        suggestion: Option<String>,
    },
    /// E005: a test names an unknown rule.
    #[error("unknown rule `{name}`")]
    UnknownRule {
        /// The name.
        span: Span,
        /// The name.
        name: String,
        /// The nearest rule name.
        suggestion: Option<String>,
    },
    /// E005: a `:variant` suffix that OpenRouter does not have.
    #[error("unknown model variant `:{variant}`")]
    UnknownVariant {
        /// The suffix (after the colon).
        span: Span,
        /// The suffix.
        variant: String,
        /// The nearest variant.
        suggestion: Option<String>,
    },
    /// E005: a `:variant` added to an alias whose id already has one.
    #[error("model `{name}` already has a variant (`{id}`); cannot add `:{variant}`")]
    VariantOfVariant {
        /// The suffix (after the colon).
        span: Span,
        /// The alias.
        name: String,
        /// Its id.
        id: String,
        /// The suffix added.
        variant: String,
    },
    /// E006: a name declared twice in one namespace.
    #[error("{kind} `{name}` is declared twice")]
    Duplicate {
        /// The second declaration.
        span: Span,
        /// The namespace.
        kind: NameKind,
        /// The name.
        name: String,
        /// The first declaration.
        first: Span,
    },
    /// E006: a name declared in two namespaces that share a use (a model
    /// and a target, both a target's head; a field and a let, both a bare
    /// condition).
    #[error("{kind} `{name}` has the same name as a {first_kind}")]
    NameClash {
        /// The later declaration.
        span: Span,
        /// Its kind.
        kind: NameKind,
        /// The name.
        name: String,
        /// The earlier declaration's kind.
        first_kind: NameKind,
        /// The earlier declaration.
        first: Span,
    },
    /// E007: rules with and without `priority` mixed.
    #[error("rule `{rule}` has {}, but rule `{first_rule}` has {}",
        if *has_priority { "a priority" } else { "no priority" },
        if *has_priority { "none" } else { "one" })]
    MixedPriority {
        /// The rule's priority, or its name.
        span: Span,
        /// The rule that differs.
        rule: String,
        /// Whether it has a priority.
        has_priority: bool,
        /// The first rule of the ruleset.
        first_rule: String,
        /// Where the first rule is.
        first: Span,
    },
    /// E009: split weights that do not add up to 100%.
    #[error("split weights add up to {}%, not 100%", percent(*total))]
    WeightSum {
        /// `split by KEY`.
        span: Span,
        /// The sum in basis points.
        total: u64,
    },
    /// E010: a regex that does not compile.
    #[error("invalid regex: {reason}")]
    BadRegex {
        /// The regex literal.
        span: Span,
        /// The regex crate's error.
        reason: String,
    },
    /// E010: an unknown or repeated regex flag.
    #[error("{} regex flag `{flag}`", if *repeated { "repeated" } else { "unknown" })]
    BadRegexFlag {
        /// The flag.
        span: Span,
        /// The flag.
        flag: char,
        /// Whether it is a repeat of a known flag.
        repeated: bool,
    },
    /// E011: lets (or targets) that refer to themselves.
    #[error("`{kind}` cycle: `{path}`")]
    Cycle {
        /// The name of the first-declared member of the cycle.
        span: Span,
        /// `let` or `target`.
        kind: &'static str,
        /// `a -> b -> a`.
        path: String,
    },
    /// E012: an unknown key in `provider` (or in one of its objects).
    #[error("unknown provider key `{key}`")]
    UnknownProviderKey {
        /// The key.
        span: Span,
        /// The key, with its parent (`sort.bye`).
        key: String,
        /// The nearest key.
        suggestion: Option<String>,
        /// The keys allowed there.
        allowed: Vec<&'static str>,
    },
    /// E012: a bad value for a provider key.
    #[error("bad value for provider `{key}`: expected {expected}")]
    BadProviderValue {
        /// The value.
        span: Span,
        /// The key, with its parent (`sort.by`).
        key: String,
        /// What is accepted, in words.
        expected: String,
    },
    /// E012: a required member missing from a provider object.
    #[error("provider `{key}` needs `{member}`")]
    MissingProviderMember {
        /// The object.
        span: Span,
        /// The key holding the object.
        key: String,
        /// The missing member.
        member: &'static str,
    },
    /// E012: a `transforms` entry other than `middle-out`.
    #[error("unknown transform `{value}`")]
    BadTransform {
        /// The entry.
        span: Span,
        /// The entry.
        value: String,
    },
    /// E012: a `params` key that belongs elsewhere.
    #[error("`{key}` cannot be set in `params`")]
    MisplacedParam {
        /// The key.
        span: Span,
        /// The key.
        key: String,
        /// Where it belongs.
        help: &'static str,
    },
    /// E012: `max_tokens` outside 1..=4294967295.
    #[error("`max_tokens` must be between 1 and {}, found `{value}`", u32::MAX)]
    BadMaxTokens {
        /// The number.
        span: Span,
        /// The number.
        value: i64,
    },
    /// E012: one option given twice in one target (or in `defaults`).
    #[error("`{option}` given twice")]
    OptionTwice {
        /// The second one.
        span: Span,
        /// The option's keyword.
        option: &'static str,
        /// The first one.
        first: Span,
    },
    /// E024: a request parameter in `params` with a value of the wrong
    /// kind.
    #[error("bad value for request parameter `{key}`: expected {expected}")]
    BadParamValue {
        /// The value.
        span: Span,
        /// The key, with its parent (`reasoning.effort`).
        key: String,
        /// What is accepted, in words.
        expected: String,
    },
    /// E022: `timezone` names no zone of the IANA database.
    #[error("unknown time zone `{name}`")]
    UnknownTimeZone {
        /// The zone's string.
        span: Span,
        /// The name as written.
        name: String,
        /// The nearest IANA name.
        suggestion: Option<String>,
    },
    /// E023: a test expects an arm its rule does not have (or its rule is
    /// no split).
    #[error("rule `{rule}` has no arm `{arm}`")]
    UnknownTestArm {
        /// The arm's name in the test.
        span: Span,
        /// The name.
        arm: String,
        /// The rule the test expects.
        rule: String,
        /// The nearest arm name.
        suggestion: Option<String>,
        /// The rule's arms (empty: not a split).
        arms: Vec<String>,
    },
    /// E008: a context that matches no rule (found by the condition
    /// analysis, and checked).
    #[error("some contexts match no rule")]
    NoMatch {
        /// The last rule (where a catch-all would go).
        span: Span,
        /// Such a context, as JSON.
        context: String,
        /// The decision time it needs (`hour 3, weekday "tue"`), when rules
        /// read the time.
        time: Option<String>,
        /// Rules whose condition it satisfies but whose `require` can
        /// leave it without a model.
        fallible: Vec<String>,
    },
}
