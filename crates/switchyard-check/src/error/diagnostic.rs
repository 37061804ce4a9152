//! How a [`CheckError`] becomes a [`Diagnostic`]: its span, code, help
//! line and labels.

use switchyard_syntax::{Code, Diagnostic, Span, ToDiagnostic};

use super::{list_names, percent, CheckError, NameKind};

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

impl CheckError {
    /// The primary span.
    pub fn span(&self) -> Span {
        match self {
            CheckError::UnknownField { span, .. }
            | CheckError::NullCompare { span, .. }
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
            | CheckError::UnknownTimeZone { span, .. }
            | CheckError::UnknownTestArm { span, .. }
            | CheckError::BadParamValue { span, .. }
            | CheckError::NoMatch { span, .. } => *span,
        }
    }

    /// The diagnostic code.
    pub fn code(&self) -> Code {
        match self {
            CheckError::UnknownField { .. } => Code::E002,
            CheckError::NullCompare { .. } => Code::E014,
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
            CheckError::UnknownTimeZone { .. } => Code::E022,
            CheckError::UnknownTestArm { .. } => Code::E023,
            CheckError::BadParamValue { .. } => Code::E024,
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
            CheckError::NullCompare { field, op, .. } => match op.as_str() {
                "!=" => {
                    format!("write `has({field})`: it is true when the context gives `{field}`")
                }
                "==" => format!("write `not has({field})`: it is true when `{field}` is unset"),
                _ => format!(
                    "a comparison with an unset field is false; test it with `has({field})`"
                ),
            },
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
            CheckError::UnknownTimeZone { suggestion, .. } => {
                did_you_mean(suggestion.as_deref(), || {
                    "write an IANA zone name such as `\"Europe/Paris\"` or `\"America/New_York\"`"
                        .into()
                })
            }
            CheckError::BadParamValue { key, expected, .. } => {
                let top = key.split('.').next().unwrap_or(key);
                if expected.contains("a number") {
                    format!("write the number without quotes, e.g. `{top}: 0.2`")
                } else {
                    format!("see OpenRouter's request parameters for `{top}`")
                }
            }
            CheckError::UnknownTestArm {
                suggestion,
                arms,
                rule,
                ..
            } => did_you_mean(suggestion.as_deref(), || {
                if arms.is_empty() {
                    format!("rule `{rule}` does not split: remove `arm ...`")
                } else {
                    format!("its arms are {}", list_names(arms))
                }
            }),
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
