//! The checker's typed errors and warnings, and how they become
//! [`Diagnostic`]s.

use switchyard_syntax::{Code, Diagnostic, Span, ToDiagnostic};

/// Formats an optional "did you mean" suggestion, else `fallback`.
fn did_you_mean(suggestion: Option<&str>, fallback: impl FnOnce() -> String) -> String {
    match suggestion {
        Some(s) => format!("did you mean `{s}`?"),
        None => fallback(),
    }
}

/// Lists values as `` `"a"`, `"b"` ``, at most 12 of them.
fn list_values(values: &[String]) -> String {
    let mut out: Vec<String> = values.iter().take(12).map(|v| format!("`{v:?}`")).collect();
    if values.len() > 12 {
        out.push("...".into());
    }
    out.join(", ")
}

/// What kind of name a diagnostic is about.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub enum NameKind {
    /// A context field.
    Field,
    /// A `let`.
    Let,
    /// A model alias.
    Model,
    /// A `target`.
    Target,
    /// A rule.
    Rule,
    /// A test.
    Test,
    /// The `version` statement.
    Version,
    /// A value of an enum type.
    EnumValue,
    /// An arm of a split.
    Arm,
    /// A key of a `provider`/`params` object.
    Key,
    /// A field given in a test's context.
    TestField,
}

impl NameKind {
    /// The kind in words.
    pub fn as_str(self) -> &'static str {
        match self {
            NameKind::Field => "field",
            NameKind::Let => "let",
            NameKind::Model => "model",
            NameKind::Target => "target",
            NameKind::Rule => "rule",
            NameKind::Test => "test",
            NameKind::Version => "version",
            NameKind::EnumValue => "enum value",
            NameKind::Arm => "split arm",
            NameKind::Key => "key",
            NameKind::TestField => "test context field",
        }
    }
}

impl std::fmt::Display for NameKind {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

/// An error found by the checker. Each variant maps to one code of
/// LANGUAGE.md section 9.
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

/// `a`, `b` and `c` as `` `a`, `b`, `c` ``, at most 5 of them.
fn list_names(names: &[String]) -> String {
    let mut out: Vec<String> = names.iter().take(5).map(|n| format!("`{n}`")).collect();
    if names.len() > 5 {
        out.push(format!("and {} more", names.len() - 5));
    }
    out.join(", ")
}

/// `9950` basis points as `99.5`.
fn percent(bp: u64) -> String {
    let whole = bp / 100;
    let frac = bp % 100;
    if frac == 0 {
        whole.to_string()
    } else if frac % 10 == 0 {
        format!("{whole}.{}", frac / 10)
    } else {
        format!("{whole}.{frac:02}")
    }
}

impl CheckError {
    /// The primary span.
    pub fn span(&self) -> Span {
        match self {
            CheckError::UnknownField { span, .. }
            | CheckError::UnknownCondition { span, .. }
            | CheckError::NotACondition { span, .. }
            | CheckError::LetNotField { span, .. }
            | CheckError::OperatorType { span, .. }
            | CheckError::ValueType { span, .. }
            | CheckError::SubjectTypes { span, .. }
            | CheckError::TargetAsModel { span, .. }
            | CheckError::NestedSplit { span, .. }
            | CheckError::EmptyCheapest { span }
            | CheckError::NotInEnum { span, .. }
            | CheckError::UnknownModel { span, .. }
            | CheckError::UnknownRule { span, .. }
            | CheckError::UnknownVariant { span, .. }
            | CheckError::VariantOfVariant { span, .. }
            | CheckError::Duplicate { span, .. }
            | CheckError::NameClash { span, .. }
            | CheckError::MixedPriority { span, .. }
            | CheckError::WeightSum { span, .. }
            | CheckError::BadRegex { span, .. }
            | CheckError::BadRegexFlag { span, .. }
            | CheckError::Cycle { span, .. }
            | CheckError::UnknownProviderKey { span, .. }
            | CheckError::BadProviderValue { span, .. }
            | CheckError::MissingProviderMember { span, .. }
            | CheckError::BadTransform { span, .. }
            | CheckError::MisplacedParam { span, .. }
            | CheckError::BadMaxTokens { span, .. }
            | CheckError::OptionTwice { span, .. }
            | CheckError::NoMatch { span, .. } => *span,
        }
    }

    /// The diagnostic code.
    pub fn code(&self) -> Code {
        match self {
            CheckError::UnknownField { .. } => Code::E002,
            CheckError::UnknownCondition { suggestion, .. } => match suggestion {
                Some((_, NameKind::Let)) => Code::E005,
                _ => Code::E002,
            },
            CheckError::NotACondition { .. }
            | CheckError::LetNotField { .. }
            | CheckError::OperatorType { .. }
            | CheckError::ValueType { .. }
            | CheckError::SubjectTypes { .. }
            | CheckError::TargetAsModel { .. }
            | CheckError::NestedSplit { .. }
            | CheckError::EmptyCheapest { .. } => Code::E003,
            CheckError::NotInEnum { .. } => Code::E004,
            CheckError::UnknownModel { .. }
            | CheckError::UnknownRule { .. }
            | CheckError::UnknownVariant { .. }
            | CheckError::VariantOfVariant { .. } => Code::E005,
            CheckError::Duplicate { .. } | CheckError::NameClash { .. } => Code::E006,
            CheckError::MixedPriority { .. } => Code::E007,
            CheckError::WeightSum { .. } => Code::E009,
            CheckError::BadRegex { .. } | CheckError::BadRegexFlag { .. } => Code::E010,
            CheckError::Cycle { .. } => Code::E011,
            CheckError::UnknownProviderKey { .. }
            | CheckError::BadProviderValue { .. }
            | CheckError::MissingProviderMember { .. }
            | CheckError::BadTransform { .. }
            | CheckError::MisplacedParam { .. }
            | CheckError::BadMaxTokens { .. }
            | CheckError::OptionTwice { .. } => Code::E012,
            CheckError::NoMatch { .. } => Code::E008,
        }
    }

    /// The help line.
    pub fn help(&self) -> String {
        match self {
            CheckError::UnknownField { suggestion, .. } => {
                did_you_mean(suggestion.as_deref(), || {
                    "declare it in a `context` block".into()
                })
            }
            CheckError::UnknownCondition { suggestion, .. } => {
                did_you_mean(suggestion.as_ref().map(|(s, _)| s.as_str()), || {
                    "declare a bool field in `context`, or a `let`".into()
                })
            }
            CheckError::NotACondition { name, .. } => {
                format!("compare it, e.g. `{name} == ...`, or test `has({name})`")
            }
            CheckError::LetNotField { name, .. } => {
                format!("use it alone as a condition: `{name}` or `not {name}`")
            }
            CheckError::OperatorType { op, .. } => match op.as_str() {
                "<" | "<=" | ">" | ">=" | "in" => {
                    "only int and float values (and `words`, `len`, `hour`) are ordered; \
                     use `==` or `in [...]`"
                        .into()
                }
                "split by" => "split by a string, enum, int or bool field".into(),
                _ => "only string fields take text tests".into(),
            },
            CheckError::ValueType { expected, .. } => format!("write {expected} here"),
            CheckError::SubjectTypes { .. } => {
                "compare fields of the same type (int and float mix freely)".into()
            }
            CheckError::TargetAsModel { .. } => {
                "a target name stands alone, optionally followed by options; \
                 write its models out where a model is needed"
                    .into()
            }
            CheckError::NestedSplit { .. } => {
                "route the arm to a model or a non-split target".into()
            }
            CheckError::EmptyCheapest { .. } => {
                "list the candidate models: `cheapest [a, b]`".into()
            }
            CheckError::NotInEnum {
                values, suggestion, ..
            } => did_you_mean(suggestion.as_deref(), || {
                format!("expected one of {}", list_values(values))
            }),
            CheckError::UnknownModel { suggestion, .. } => {
                did_you_mean(suggestion.as_deref(), || {
                    "declare it with `model NAME = \"provider/model-id\"`, or quote a full id"
                        .into()
                })
            }
            CheckError::UnknownRule { suggestion, .. } => {
                did_you_mean(suggestion.as_deref(), || {
                    "a test names the rule it expects; unnamed rules cannot be named in tests"
                        .into()
                })
            }
            CheckError::UnknownVariant { suggestion, .. } => match suggestion {
                Some(s) => format!("did you mean `:{s}`?"),
                None => format!(
                    "variants are {}",
                    crate::targets::VARIANTS
                        .iter()
                        .map(|v| format!("`:{v}`"))
                        .collect::<Vec<_>>()
                        .join(", ")
                ),
            },
            CheckError::VariantOfVariant { .. } => {
                "declare another alias for the base model, or quote the full id".into()
            }
            CheckError::Duplicate { kind, .. } => format!("rename or remove one {kind}"),
            CheckError::NameClash { .. } => {
                "rename one of them: the name would be ambiguous".into()
            }
            CheckError::MixedPriority { has_priority, .. } => {
                if *has_priority {
                    "give every rule a priority, or none".into()
                } else {
                    "give this rule a priority too (`rule NAME priority N: ...`)".into()
                }
            }
            CheckError::WeightSum { total, .. } => {
                if *total > 10_000 {
                    format!("remove {}% from the weights", percent(total - 10_000))
                } else {
                    format!("add {}% to the weights", percent(10_000 - total))
                }
            }
            CheckError::BadRegex { .. } => {
                "the `regex` crate's syntax applies (no look-around or backreferences)".into()
            }
            CheckError::BadRegexFlag { .. } => {
                "flags are `i` (case-insensitive), `m`, `s` and `x`, each at most once".into()
            }
            CheckError::Cycle { kind, .. } => {
                format!("break the cycle: a `{kind}` cannot use itself")
            }
            CheckError::UnknownProviderKey {
                suggestion,
                allowed,
                ..
            } => did_you_mean(suggestion.as_deref(), || {
                format!(
                    "keys are {}",
                    allowed
                        .iter()
                        .map(|k| format!("`{k}`"))
                        .collect::<Vec<_>>()
                        .join(", ")
                )
            }),
            CheckError::BadProviderValue { key, .. } => {
                format!("see OpenRouter's provider preferences for `{key}`")
            }
            CheckError::MissingProviderMember { member, .. } => format!("add `{member}: ...`"),
            CheckError::BadTransform { .. } => {
                "the only transform is `\"middle-out\"` (deprecated: prefer \
                 `params { plugins: [{ id: \"context-compression\" }] }`)"
                    .into()
            }
            CheckError::MisplacedParam { help, .. } => (*help).into(),
            CheckError::BadMaxTokens { .. } => "write a positive whole number of tokens".into(),
            CheckError::OptionTwice { .. } => "keep one of them".into(),
            CheckError::NoMatch {
                context,
                time,
                fallible,
                ..
            } => {
                let when = time
                    .as_ref()
                    .map(|t| format!(" at {t}"))
                    .unwrap_or_default();
                let what = if fallible.is_empty() {
                    format!("this context matches no rule{when}")
                } else {
                    format!(
                        "this context{when} matches only {}, whose `require` can leave it \
                         without a model",
                        list_names(fallible)
                    )
                };
                format!(
                    "e.g. {what}: {context}; add a catch-all rule: `rule default: otherwise -> ...`"
                )
            }
        }
    }

    fn labels(&self) -> Vec<(Span, &'static str)> {
        match self {
            CheckError::Duplicate { first, .. } | CheckError::NameClash { first, .. } => {
                vec![(*first, "first declared here")]
            }
            CheckError::MixedPriority { first, .. } => vec![(*first, "the first rule")],
            CheckError::OptionTwice { first, .. } => vec![(*first, "first given here")],
            _ => Vec::new(),
        }
    }
}

impl ToDiagnostic for CheckError {
    fn to_diagnostic(&self) -> Diagnostic {
        let mut d =
            Diagnostic::new(self.code(), self.to_string(), self.span()).with_help(self.help());
        for (span, message) in self.labels() {
            d = d.with_label(span, message);
        }
        d
    }
}

/// Something OpenRouter has deprecated (W107).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub enum Deprecation {
    /// The `transforms` option.
    Transforms,
    /// `params { route: ... }`.
    RouteParam,
    /// `params { usage: ... }`.
    UsageParam,
    /// The `:online` variant.
    OnlineVariant,
}

/// A warning found by the checker (never stops the ruleset from loading).
#[derive(Clone, Debug, PartialEq, thiserror::Error)]
#[non_exhaustive]
pub enum CheckWarning {
    /// W103: a model appears twice in one chain (after alias resolution).
    #[error("model `{id}` repeats in this chain")]
    RepeatedModel {
        /// The repeat.
        span: Span,
        /// The resolved id.
        id: String,
        /// The first occurrence.
        first: Span,
    },
    /// W105: a field, let, model or target nobody uses.
    #[error("{kind} `{name}` is declared but never used")]
    Unused {
        /// The name in the declaration.
        span: Span,
        /// What it is.
        kind: NameKind,
        /// Its name.
        name: String,
    },
    /// W106: a rule (or an arm of it) with no `max_tokens` and no default.
    #[error("{}rule `{rule}` has no `max_tokens`: its cost is unbounded",
        arm.as_ref().map(|a| format!("arm `{a}` of ")).unwrap_or_default())]
    NoMaxTokens {
        /// The target.
        span: Span,
        /// The rule.
        rule: String,
        /// The arm, for a split.
        arm: Option<String>,
    },
    /// W107: something OpenRouter has deprecated.
    #[error("{}", match what {
        Deprecation::Transforms => "`transforms` is deprecated by OpenRouter",
        Deprecation::RouteParam => "the `route` parameter is deprecated by OpenRouter",
        Deprecation::UsageParam => "the `usage` parameter is deprecated by OpenRouter and has no effect",
        Deprecation::OnlineVariant => "the `:online` variant is deprecated by OpenRouter",
    })]
    Deprecated {
        /// The deprecated thing.
        span: Span,
        /// What it is.
        what: Deprecation,
    },
    /// W101: a rule whose condition earlier rules cover.
    #[error("rule `{rule}` can never be chosen: earlier {} {} cover{} its condition",
        if covered_by.len() == 1 { "rule" } else { "rules" },
        list_names(covered_by),
        if covered_by.len() == 1 { "s" } else { "" })]
    Unreachable {
        /// The rule's name.
        span: Span,
        /// The rule.
        rule: String,
        /// The earlier rules that cover it.
        covered_by: Vec<String>,
    },
    /// W102: a rule's (or a let's) condition that no context satisfies.
    #[error("the condition of {kind} `{name}` can never be true")]
    Impossible {
        /// The rule's or let's name.
        span: Span,
        /// `rule` or `let`.
        kind: NameKind,
        /// Its name.
        name: String,
    },
    /// N201 (a note): the condition analysis skipped a rule, or stopped.
    #[error("{}", skipped_message(rule.as_deref(), *reason))]
    AnalysisSkipped {
        /// The rule's name (the last rule for the E008 search).
        span: Span,
        /// The rule; `None` for the search for a context no rule matches.
        rule: Option<String>,
        /// Why.
        reason: SkipReason,
    },
    /// W108: a chain of more than 3 models.
    #[error("a chain of {count} models: OpenRouter has been seen to reject more than 3")]
    LongChain {
        /// The fallback (or candidate) list.
        span: Span,
        /// Models in the chain.
        count: usize,
    },
}

impl CheckWarning {
    /// The primary span.
    pub fn span(&self) -> Span {
        match self {
            CheckWarning::RepeatedModel { span, .. }
            | CheckWarning::Unused { span, .. }
            | CheckWarning::NoMaxTokens { span, .. }
            | CheckWarning::Deprecated { span, .. }
            | CheckWarning::LongChain { span, .. }
            | CheckWarning::Unreachable { span, .. }
            | CheckWarning::Impossible { span, .. }
            | CheckWarning::AnalysisSkipped { span, .. } => *span,
        }
    }

    /// The diagnostic code.
    pub fn code(&self) -> Code {
        match self {
            CheckWarning::RepeatedModel { .. } => Code::W103,
            CheckWarning::Unused { .. } => Code::W105,
            CheckWarning::NoMaxTokens { .. } => Code::W106,
            CheckWarning::Deprecated { .. } => Code::W107,
            CheckWarning::LongChain { .. } => Code::W108,
            CheckWarning::Unreachable { .. } => Code::W101,
            CheckWarning::Impossible { .. } => Code::W102,
            CheckWarning::AnalysisSkipped { .. } => Code::N201,
        }
    }

    /// The help line.
    pub fn help(&self) -> String {
        match self {
            CheckWarning::RepeatedModel { .. } => "remove the repeat: it is tried once anyway".into(),
            CheckWarning::Unused { kind, .. } => format!("remove the {kind}, or use it"),
            CheckWarning::NoMaxTokens { .. } => {
                "add `max_tokens N` to the target, or `defaults max_tokens N`".into()
            }
            CheckWarning::Deprecated { what, .. } => match what {
                Deprecation::Transforms => {
                    "use `params { plugins: [{ id: \"context-compression\" }] }` instead".into()
                }
                Deprecation::RouteParam => {
                    "list fallbacks with `fallback [...]` (the `models` field) or set `provider { sort: ... }`"
                        .into()
                }
                Deprecation::UsageParam => "remove it: usage is always included now".into(),
                Deprecation::OnlineVariant => {
                    "use the `web` plugin: `params { plugins: [{ id: \"web\" }] }`".into()
                }
            },
            CheckWarning::LongChain { .. } => "keep the model and at most 2 fallbacks".into(),
            CheckWarning::Unreachable { covered_by, .. } => match covered_by.first() {
                Some(first) => format!(
                    "every context it matches is taken earlier; remove it, or move it above `{first}`"
                ),
                None => "remove it".into(),
            },
            CheckWarning::Impossible { .. } => {
                "no context satisfies it: look for tests that contradict each other, \
                 e.g. `budget < 1 and budget > 2`"
                    .into()
            }
            CheckWarning::AnalysisSkipped { reason, .. } => match reason {
                SkipReason::Stopped => {
                    "W101, W102 and E008 are not reported for this rule and the ones after it".into()
                }
                SkipReason::Work if rule_is_none(self) => {
                    "E008 is not reported: simplify the rules, or add a catch-all rule".into()
                }
                _ => "W101 and W102 are not reported for this rule; simplify its condition or \
                      split the rule"
                    .into(),
            },
        }
    }
}

/// Why the condition analysis skipped a rule (N201).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub enum SkipReason {
    /// The condition has more terms in disjunctive normal form than this.
    TooManyTerms {
        /// The bound.
        limit: usize,
    },
    /// The work allowed for one rule (or for the E008 search) ran out.
    Work,
    /// The work allowed for the whole ruleset ran out at this rule.
    Stopped,
    /// Lets nested too deeply to analyse.
    Nesting,
}

fn rule_is_none(w: &CheckWarning) -> bool {
    matches!(w, CheckWarning::AnalysisSkipped { rule: None, .. })
}

/// The message of N201.
fn skipped_message(rule: Option<&str>, reason: SkipReason) -> String {
    let Some(rule) = rule else {
        return "could not decide whether every context matches a rule: \
                the analysis reached its work limit"
            .into();
    };
    match reason {
        SkipReason::TooManyTerms { limit } => format!(
            "rule `{rule}` was not analysed: its condition has more than {limit} cases \
             in disjunctive normal form"
        ),
        SkipReason::Work => {
            format!("rule `{rule}` was not analysed: the analysis reached its work limit")
        }
        SkipReason::Stopped => format!(
            "the analysis stopped at rule `{rule}`: it reached its work limit for the ruleset"
        ),
        SkipReason::Nesting => format!("rule `{rule}` was not analysed: its lets nest too deeply"),
    }
}

impl ToDiagnostic for CheckWarning {
    fn to_diagnostic(&self) -> Diagnostic {
        let d = Diagnostic::new(self.code(), self.to_string(), self.span()).with_help(self.help());
        match self {
            CheckWarning::RepeatedModel { first, .. } => d.with_label(*first, "first here"),
            _ => d,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn percent_formats_basis_points() {
        assert_eq!(percent(10_000), "100");
        assert_eq!(percent(9_950), "99.5");
        assert_eq!(percent(1_234), "12.34");
        assert_eq!(percent(5), "0.05");
    }
}
